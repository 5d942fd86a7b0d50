"""Training data and models for the comparisons: silver entity labels, configurations,
and timed ``rasa train`` runs in temporary directories (never into data/ or models/)."""

import json
import shutil
import subprocess
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from bench.common import RASA, ROOT, bench_env, log
from bot.nlu_report import write_nlu

DEFAULT_CONFIG = ROOT / "bench" / "configs" / "default.yml"
VIGIE_CONFIG = ROOT / "config.yml"
DOMAIN = ROOT / "domain.yml"
MARKUP = set("[](){}")
Examples = List[Tuple[str, str]]


# --- Silver labels: what our rule-based extractors find ----------------------------


def extractor_entities(text: str) -> List[dict]:
    """Every entity our rule-based extractors find in ``text`` (dates resolved now)."""
    from bot.nlu.components import FrenchDateExtractor, IncidentFactsExtractor

    return IncidentFactsExtractor().entities(text) + FrenchDateExtractor().entities(text)


def silver_entities(text: str) -> List[dict]:
    """The entities of our extractors that training data can hold: no overlaps (the longest
    span wins), no span with markup characters or surrounding spaces."""
    kept: List[dict] = []
    for entity in sorted(extractor_entities(text), key=lambda e: (e["start"] - e["end"], e["start"])):
        span = text[entity["start"] : entity["end"]]
        if span.strip() != span or not span or MARKUP & set(span):
            continue
        if all(entity["end"] <= k["start"] or entity["start"] >= k["end"] for k in kept):
            kept.append(entity)
    return sorted(kept, key=lambda e: e["start"])


def annotate(text: str, entities: List[dict]) -> str:
    """Rasa's inline markup. A date keeps no value: its value depends on when it is read."""
    out, last = [], 0
    for e in entities:
        span = text[e["start"] : e["end"]]
        if e["entity"] == "datetime":
            mark = f"[{span}](datetime)"
        else:
            mark = f"[{span}]" + json.dumps({"entity": e["entity"], "value": str(e["value"])}, ensure_ascii=False)
        out += [text[last : e["start"]], mark]
        last = e["end"]
    return "".join(out + [text[last:]])


def write_silver(path: Path, examples: Examples) -> int:
    """Writes ``examples`` annotated with silver labels; returns the number of entities."""
    annotated, count = [], 0
    for text, intent in examples:
        entities = silver_entities(text)
        count += len(entities)
        annotated.append((annotate(text, entities), intent))
    write_nlu(path, annotated)
    return count


def tiny(examples: Examples, per_intent: int) -> Examples:
    """The first ``per_intent`` examples of each intent (smoke runs)."""
    kept: Dict[str, int] = defaultdict(int)
    out = []
    for text, intent in examples:
        if kept[intent] < per_intent:
            kept[intent] += 1
            out.append((text, intent))
    return out


# --- Configurations ------------------------------------------------------------------


def write_config(path: Path, pipeline_from: Path, epochs: Optional[int] = None) -> Path:
    """``pipeline_from``'s pipeline with Vigie's policies; every ``epochs`` replaced when given."""
    config = yaml.safe_load(pipeline_from.read_text(encoding="utf-8"))
    config["policies"] = yaml.safe_load(VIGIE_CONFIG.read_text(encoding="utf-8"))["policies"]
    if epochs is not None:
        for component in config["pipeline"] + config["policies"]:
            if "epochs" in component or component["name"] in ("DIETClassifier", "ResponseSelector", "TEDPolicy"):
                component["epochs"] = epochs
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def core_data(directory: Path) -> List[Path]:
    """The dialogue data of data/ (rules, stories), copied as they are into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in sorted((ROOT / "data").rglob("*.yml")):
        if source.parent.name == "nlu" or source.name == "faq.yml":
            continue
        target = directory / source.name
        shutil.copy(source, target)
        copied.append(target)
    return copied


# --- Training ------------------------------------------------------------------------


def train(config: Path, data: Path, out: Path, name: str, nlu_only: bool) -> Tuple[Path, float]:
    """(model, seconds) of ``rasa train nlu`` (or ``rasa train``) in a subprocess."""
    argv = [RASA, "train"] + (["nlu", "--nlu", str(data)] if nlu_only else ["--data", str(data)])
    argv += ["--config", str(config), "--domain", str(DOMAIN), "--out", str(out), "--fixed-model-name", name, "--quiet"]
    log(f"training {name}: {' '.join(argv[1:3])}")
    began = time.monotonic()
    done = subprocess.run(argv, cwd=out, env=bench_env(), capture_output=True, text=True)
    seconds = time.monotonic() - began
    (out / f"{name}.train.log").write_text(done.stdout + done.stderr)
    model = out / f"{name}.tar.gz"
    if done.returncode != 0 or not model.exists():
        raise RuntimeError(f"training {name} failed ({done.returncode}); see {out / (name + '.train.log')}")
    return model, round(seconds, 1)
