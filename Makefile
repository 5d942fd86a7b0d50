# Vigie: `make run` to start everything, `make test` to check everything.
SHELL := /bin/bash
PYTHON_BIN ?= $(shell command -v python3.10 >/dev/null 2>&1 && PYENV_VERSION=3.10.13 python3.10 -c 'import sys;print(sys.executable)' 2>/dev/null || ls /root/.pyenv/versions/3.10.*/bin/python3.10 2>/dev/null | tail -1)
VENV := .venv
# Test tools whose dependencies clash with Rasa's pins (schemathesis) live apart.
TOOLS_VENV := .venv-tools
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/vigie.tar.gz
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 2

TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') $(wildcard bot/nlu/*.py)
# The chat page's only third-party asset, from the npm registry at install time (never a CDN).
WIDGET_VENDOR := bot/web/static/vendor/socket.io.min.js

.PHONY: run stop test lint unit e2e stories validate nlu-report train install tools widget browser demo clean bench converse purge

# uv installs the pinned packages (the same versions pip resolves: `pip freeze` compared) from
# PyPI in parallel and keeps them in its cache (~/.cache/uv): 39 s instead of pip's 93 s from an
# empty cache, 24 s once cached (pip keeps none here); --compile-bytecode as pip does, so that
# starts stay quick.
UV_PIN := uv==0.13.10
UV_INSTALL = $(1)/bin/uv pip install -q --compile-bytecode --python $(1)/bin/python

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install -q $(UV_PIN)
	$(call UV_INSTALL,$(VENV)) -r requirements-dev.txt
	$(PY) -m pip check
	touch $@

install: $(VENV)/.installed

$(TOOLS_VENV)/.installed: requirements-tools.txt
	test -x $(TOOLS_VENV)/bin/python || $(PYTHON_BIN) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install -q $(UV_PIN)
	$(call UV_INSTALL,$(TOOLS_VENV)) -r requirements-tools.txt
	touch $@

tools: $(TOOLS_VENV)/.installed

$(WIDGET_VENDOR): bot/web/widget/package-lock.json
	cd bot/web/widget && npm ci --no-audit --no-fund --silent
	mkdir -p $(dir $@)
	cp bot/web/widget/node_modules/socket.io-client/dist/socket.io.min.js $@

widget: $(WIDGET_VENDOR)

# Browser tests drive Debian's chromium (Playwright never downloads a browser here);
# their accessibility check injects axe-core, from the npm registry.
AXE := tests/e2e/axe/node_modules/axe-core/axe.min.js

$(AXE): tests/e2e/axe/package-lock.json
	cd tests/e2e/axe && npm ci --no-audit --no-fund --silent
	touch $@

browser: $(AXE)
	command -v chromium >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

# Retrain only when the training data, the domain, the config or our NLU code changed.
# A model this machine already trained from the same inputs is reused (bot/model_cache.py);
# `make train MODEL_CACHE=` always trains. Under VIGIE_CACHE_DIR when it is set, as what the
# processes keep (bot/settings.py: ~/.cache/vigie by default).
MODEL_CACHE ?= $(or $(VIGIE_CACHE_DIR),$(HOME)/.cache/vigie)/models
MODEL_KEY = $(PY) -m bot.model_cache $(1) --cache "$(MODEL_CACHE)" --model $(MODEL) $(TRAINING_INPUTS) requirements.txt

$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS) requirements.txt
	mkdir -p models
	$(call MODEL_KEY,fetch) || { $(RASA) train --fixed-model-name vigie --out models --quiet && $(call MODEL_KEY,keep); }

train: $(MODEL)

run: $(MODEL) widget
	$(PY) -m bot.cli run

stop:
	$(PY) -m bot.cli stop

# Rasa flags the form's `utter_ask_*`, the actions' `utter_explain_*` and
# `utter_default` (said by its own action_default_fallback) as unused (it cannot
# see them used), and the retrieval intent `faq` as duplicated (its importer adds
# it again from the NLU data); any other warning fails the check.
validate: $(VENV)/.installed
	mkdir -p results
	$(RASA) data validate > results/validate.log 2>&1 || { cat results/validate.log; exit 1; }
	! grep "UserWarning" results/validate.log | grep -vE "The utterance 'utter_((ask|explain)_[a-z_]+|default)' is not used|duplicated intents .* domain files: faq$$"

# Style, types of the core, and the import contracts (pyproject.toml).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

# The unit tests on both cores (pytest-xdist; each test has its own database, schema and ports);
# the end-to-end tests one at a time, since they share the servers they start.
unit: $(VENV)/.installed
	$(PY) -m pytest -q -n 2 tests/unit

stories: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/stories --out results/stories --fail-on-prediction-errors

e2e: $(MODEL) tools widget browser
	$(PY) -m pytest -q tests/e2e

test: lint $(MODEL) validate tools widget browser
	$(RASA) test core --model $(MODEL) --stories tests/stories --out results/stories --fail-on-prediction-errors
	$(PY) -m pytest -q -n 2 tests/unit
	$(PY) -m pytest -q tests/e2e

# Delete the conversations idle for more than VIGIE_RETENTION_DAYS days (production tracker store).
purge: $(VENV)/.installed
	$(PY) -m bot.retention purge

# A synthetic year of declarations for the observatory, in its own database (never the real one).
demo: $(VENV)/.installed
	$(PY) -m bot.observatory.synthetic --year 2025 --seed 2017

nlu-report: $(MODEL)
	$(PY) -m bot.nlu_report

# Benchmarks (not part of `make test`): bench/results/*.json and docs/benchmarks.md.
# `make bench BENCH_ARGS=--smoke` checks the harness on tiny inputs; `BENCH_ARGS=latency` runs one.
bench: $(MODEL) widget
	$(PY) -m bench $(BENCH_ARGS)

# The persona corpus (tests/personas) played through REST against a Vigie started as `make run`
# starts it (scratch database, fake authority): `make converse CONVERSE_ARGS="--split dev"`.
# The personas are played as at 14:00 Paris time (Debian's faketime), whatever the hour of the run.
converse: $(MODEL) widget
	command -v faketime >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q faketime; }
	$(PY) -m bench converse $(CONVERSE_ARGS)
	$(PY) -m bench report

clean:
	rm -rf models results var $(TOOLS_VENV) bot/web/widget/node_modules bot/web/static/vendor tests/e2e/axe/node_modules
