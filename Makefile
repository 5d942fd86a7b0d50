# Vigie: `make run` to start everything, `make test` to check everything.
SHELL := /bin/bash
PYTHON_BIN ?= $(shell command -v python3.10 >/dev/null 2>&1 && PYENV_VERSION=3.10.13 python3.10 -c 'import sys;print(sys.executable)' 2>/dev/null || ls /root/.pyenv/versions/3.10.*/bin/python3.10 2>/dev/null | tail -1)
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/vigie.tar.gz
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 2

TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') $(wildcard bot/nlu/*.py)

.PHONY: run stop test unit e2e stories validate nlu-report train install clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip wheel
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip check
	touch $@

install: $(VENV)/.installed

# Retrain only when the training data, the domain, the config or our NLU code changed.
$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	mkdir -p models
	$(RASA) train --fixed-model-name vigie --out models --quiet

train: $(MODEL)

run: $(MODEL)
	$(PY) -m bot.cli run

stop:
	$(PY) -m bot.cli stop

# Rasa flags the form's `utter_ask_*` and the actions' `utter_explain_*` as unused
# (it cannot see them used), and the retrieval intent `faq` as duplicated (its
# importer adds it again from the NLU data); any other warning fails the check.
validate: $(VENV)/.installed
	mkdir -p results
	$(RASA) data validate > results/validate.log 2>&1 || { cat results/validate.log; exit 1; }
	! grep "UserWarning" results/validate.log | grep -vE "The utterance 'utter_(ask|explain)_[a-z_]+' is not used|duplicated intents .* domain files: faq$$"

unit: $(VENV)/.installed
	$(PY) -m pytest -q tests/unit

stories: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/stories --out results/stories --fail-on-prediction-errors

e2e: $(MODEL)
	$(PY) -m pytest -q tests/e2e

test: $(MODEL) validate
	$(RASA) test core --model $(MODEL) --stories tests/stories --out results/stories --fail-on-prediction-errors
	$(PY) -m pytest -q tests/unit tests/e2e

nlu-report: $(MODEL)
	$(PY) -m bot.nlu_report

clean:
	rm -rf models results var
