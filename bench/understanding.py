"""Understanding: Vigie's NLU against Rasa's default pipeline trained on the same data.

Two parts, each a run of its own (``--part``):

- ``heldout``: both pipelines trained (``rasa train nlu``) on bot/nlu_report.py's 80 %
  split, scored on the 20 % and on tests/nlu/*.yml: intent accuracy and macro F1, and the
  micro F1 of entities against the silver labels of our extractors.
- ``opening``: the fields of tests/data/incidents.yml read from the opening message alone
  (bench/scoring.py), then out-of-domain rejection (bench/out_of_domain.py), each through
  a whole running Vigie: once with models/vigie.tar.gz, once with a model of the default
  pipeline trained (``rasa train``, Vigie's policies) on all our data with silver labels.
"""

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from actions.understanding import understand
from bench import out_of_domain, scoring, training
from bench.common import MODEL, ROOT, log, machine, now, quiet_rasa, wait_for_model
from bench.servers import VigieStack
from bot.nlu.components import FrenchDateExtractor
from bot.nlu_report import (
    evaluation_sets,
    load_examples,
    parse_all,
    split,
    training_files,
    write_nlu,
)

INCIDENTS_FILE = ROOT / "tests" / "data" / "incidents.yml"
PARTS = ("heldout", "opening")
SMOKE = {"per_intent": 3, "epochs": 2, "eval_messages": 10, "openings": 5, "sentences": 5}


def run(workdir: Path, smoke: bool, parts: Tuple[str, ...] = PARTS, default_epochs: Optional[int] = None) -> dict:
    """``default_epochs``: train the default pipeline with that many epochs instead of its own
    (100 for DIET and the ResponseSelector: over 30 minutes a training on 2 cores)."""
    figures = {}
    for part in parts:
        started, where = now(), machine()
        figures[part] = {
            "started_at": started.isoformat(timespec="seconds"),
            "machine": where,
            **(
                heldout(workdir, smoke, default_epochs)
                if part == "heldout"
                else opening(workdir, smoke, default_epochs)
            ),
        }
    return figures


# --- Held-out split ------------------------------------------------------------------


def heldout(workdir: Path, smoke: bool, default_epochs: Optional[int] = None) -> dict:
    train, test = split(load_examples(training_files()))
    sets = evaluation_sets(test)
    epochs = SMOKE["epochs"] if smoke else None
    if smoke:
        train = training.tiny(train, SMOKE["per_intent"])
        sets = [
            (title, data[:: max(1, len(data) // SMOKE["eval_messages"])][: SMOKE["eval_messages"]])
            for title, data in sets
        ]
    ours_data, default_data = workdir / "heldout-vigie.yml", workdir / "heldout-default.yml"
    write_nlu(ours_data, train)
    silver = training.write_silver(default_data, train)
    models = {
        "vigie": training.train(
            training.write_config(workdir / "heldout-vigie-config.yml", training.VIGIE_CONFIG, epochs),
            ours_data,
            workdir,
            "heldout-vigie",
            nlu_only=True,
        ),
        "default": training.train(
            training.write_config(
                workdir / "heldout-default-config.yml", training.DEFAULT_CONFIG, epochs or default_epochs
            ),
            default_data,
            workdir,
            "heldout-default",
            nlu_only=True,
        ),
    }
    pipelines = {name: {"training_s": seconds, **scores_on(model, sets)} for name, (model, seconds) in models.items()}
    return {
        "training_examples": len(train),
        "silver_entities_in_training": silver,
        "epochs_override": epochs,
        "default_epochs": default_epochs,
        "sets": {title: len(data) for title, data in sets},
        "pipelines": pipelines,
    }


def scores_on(model: Path, sets: List[Tuple[str, list]]) -> dict:
    texts = [text for _, data in sets for text, _ in data]
    log(f"parsing {len(texts)} messages with {model.name}")
    quiet_rasa()
    parsed = iter(parse_all(model, texts))
    intents, entities = {}, None
    for title, data in sets:
        results = [next(parsed) for _ in data]
        intents[title] = scoring.intent_figures(data, results)
        if entities is None:  # the held-out split comes first
            entities = scoring.entity_scores(
                [scoring.entity_pairs(t, training.extractor_entities(t)) for t, _ in data],
                [scoring.entity_pairs(t, r.get("entities") or []) for (t, _), r in zip(data, results)],
            )
    return {"intents": intents, "entities_vs_silver": entities}


# --- Opening messages and out-of-domain sentences -------------------------------------


def opening(workdir: Path, smoke: bool, default_epochs: Optional[int] = None) -> dict:
    document = yaml.safe_load(INCIDENTS_FILE.read_text(encoding="utf-8"))
    reference_time = datetime.fromisoformat(document["now"])
    messages = document["messages"][: SMOKE["openings"]] if smoke else document["messages"]
    sentences = out_of_domain.load()
    sentences = sentences[: SMOKE["sentences"]] if smoke else sentences
    default_model, seconds, silver = train_default(workdir, smoke, default_epochs)
    pipelines = {}
    for name, model in (("vigie", wait_for_model(MODEL)), ("default", default_model)):
        with VigieStack(workdir / name, model, name=f"vigie-{name}") as stack:
            stack.start()
            log(f"{name}: {len(messages)} opening messages, {len(sentences)} out-of-domain sentences")
            parsed = [stack.parse(m["text"]) for m in messages]
            rejection = out_of_domain.run(stack.client(), sentences)
        pipelines[name] = {
            "readings": readings(name, parsed, messages, reference_time),
            "opening_intents": dict(Counter(p["intent"]["name"] for p in parsed).most_common()),
            "out_of_domain": rejection,
        }
    return {
        "messages": len(messages),
        "reference_time": document["now"],
        "default_training_s": seconds,
        "default_epochs": default_epochs,
        "silver_entities_in_training": silver,
        "pipelines": pipelines,
    }


def train_default(workdir: Path, smoke: bool, epochs: Optional[int] = None) -> Tuple[Path, float, int]:
    """The default pipeline with Vigie's policies, on all our NLU data (silver labels) and rules."""
    examples = load_examples(training_files())
    if smoke:
        examples = training.tiny(examples, SMOKE["per_intent"])
    data = workdir / "default-data"
    training.core_data(data)
    silver = training.write_silver(data / "nlu.yml", examples)
    config = training.write_config(
        workdir / "default-config.yml", training.DEFAULT_CONFIG, SMOKE["epochs"] if smoke else epochs
    )
    model, seconds = training.train(config, data, workdir, "default", nlu_only=False)
    return model, seconds, silver


def readings(pipeline: str, parsed: List[dict], messages: List[dict], reference_time: datetime) -> Dict[str, dict]:
    """Scores of each way to read the parse results: Vigie's after ``understand()`` and its raw
    entities; the default pipeline's entities (it has no ``understand()``)."""
    gold = [scoring.gold(m["facts"]) for m in messages]
    if pipeline == "default":
        ways = {"entities": [scoring.from_entities(p.get("entities") or []) for p in parsed]}
    else:
        dated = [at_reference_time(p, reference_time) for p in parsed]
        ways = {
            "understand": [scoring.from_values(understand(p, None, {})) for p in dated],
            "entities": [scoring.from_entities(p["entities"]) for p in dated],
        }
    return {
        way: {**scoring.score(list(zip(gold, predicted))), "mismatches": mismatches(messages, gold, predicted)}
        for way, predicted in ways.items()
    }


def at_reference_time(parsed: dict, reference_time: datetime) -> dict:
    """The parse result with its dates resolved against the test file's ``now`` rather than
    the server's clock (the same extractor, given the reference time)."""
    text = parsed["text"]
    others = [e for e in parsed.get("entities") or [] if e.get("extractor") != "FrenchDateExtractor"]
    extractor = FrenchDateExtractor()
    dates = extractor.add_extractor_name(extractor.entities(text, now=reference_time))
    return {**parsed, "entities": others + dates}


def mismatches(messages: List[dict], gold: List[dict], predicted: List[dict]) -> List[dict]:
    out = []
    for message, expected, found in zip(messages, gold, predicted):
        for field in scoring.FIELDS:
            e, f = scoring.comparable(field, expected[field], found[field])
            if e != f:
                out.append({"text": message["text"][:90], "field": field, "expected": _plain(e), "found": _plain(f)})
    return out


def _plain(value: Optional[object]) -> Optional[object]:
    return sorted(value) if isinstance(value, frozenset) else value
