"""The shipped model (models/vigie.tar.gz) as it is, without retraining: its size, what each
component weighs in it, and its understanding of sentences it was never trained on.

- FAQ topics (tests/nlu/faq_test.yml) and intents (tests/nlu/intents_test.yml): the
  paraphrases written apart from data/ (a test fails when one of them is in data/);
- out-of-domain sentences (tests/data/out_of_domain.yml) sent through the REST channel of a
  Vigie started as ``make run`` starts it: none may start a declaration.

So that a change of the model's settings (issue 18) shows its cost in accuracy in a few
minutes, beside the size and training time it saves.
"""

import json
import tarfile
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

from bench import out_of_domain, scoring
from bench.common import MODEL, ROOT, log, quiet_rasa, read_results, wait_for_model
from bench.servers import VigieStack
from bot.nlu.classifiers import HALF_WEIGHTS
from bot.nlu_report import load_examples, parse_all

SETS = {
    "faq": ROOT / "tests" / "nlu" / "faq_test.yml",
    "intents": ROOT / "tests" / "nlu" / "intents_test.yml",
}
SMOKE_SENTENCES = 5


def run(workdir: Path, smoke: bool) -> dict:
    model = wait_for_model(MODEL)
    figures: dict = {"model_bytes": model.stat().st_size, "components_bytes": components(model)}
    quiet_rasa()
    sets = {name: load_examples([path])[: SMOKE_SENTENCES if smoke else None] for name, path in SETS.items()}
    log(f"parsing {sum(map(len, sets.values()))} sentences never trained on (the model loaded once)")
    parsed = iter(parse_all(model, [text for examples in sets.values() for text, _ in examples]))
    for name, examples in sets.items():
        results = [next(parsed) for _ in examples]
        figures[name] = {"sentences": len(examples), **scoring.intent_figures(examples, results)}
    sentences = out_of_domain.load()[: SMOKE_SENTENCES if smoke else None]
    with VigieStack(workdir / "vigie", model) as stack:
        stack.start()
        figures["out_of_domain"] = out_of_domain.run(stack.client(), sentences)
    figures["settings"] = settings(model)
    figures["history"] = [] if smoke else history(figures)
    return figures


TRAINED = ("CountVectorsFeaturizer", "DIETClassifier", "ResponseSelector")


def settings(model: Path) -> Dict[str, dict]:
    """What config.yml set for each trained NLU component of the model ("ResponseSelector": {...})."""
    with tarfile.open(model) as archive:
        member = next(m for m in archive.getmembers() if Path(m.name).name == "metadata.json")
        metadata = json.load(archive.extractfile(member))  # type: ignore[arg-type]
        names = archive.getnames()
    found: Dict[str, dict] = {}
    count = 0
    for name, node in metadata["predict_schema"]["nodes"].items():
        component = name.removeprefix("run_").rstrip("0123456789").rsplit(".", 1)[-1]
        if component.endswith("Tokenizer"):
            found["tokenizer"] = {"class": component}
        trained = next((t for t in TRAINED if component.endswith(t)), None)
        if trained:
            # the seed is a setting: with max_tokens 20, seeds 42 and 43 started 79 and 87 of 95 dev openings
            config = {k: v for k, v in node["config"].items() if k != "constrain_similarities"}
            if component != trained:
                config["class"] = component  # our subclass ("CompactDIETClassifier")
            count += 1
            found[f"{trained} {count}"] = config
    # how DIET and the response selector keep their weights (bot/nlu/classifiers.py)
    half = any(member.endswith(HALF_WEIGHTS) for member in names)
    found["saved weights"] = {"format": "float16, weights only" if half else "TensorFlow checkpoint"}
    return found


def history(figures: dict) -> List[dict]:
    """One line per model setting measured, the earlier ones kept (issue 18's before and after)."""
    line = {
        "settings": figures["settings"],
        "model_bytes": figures["model_bytes"],
        "faq": figures["faq"]["accuracy"],
        "intents": figures["intents"]["accuracy"],
        "out_of_domain_rejected": figures["out_of_domain"]["rejected_share"],
    }
    earlier = read_results().get("model", {}).get("history", [])
    return [h for h in earlier if h["settings"] != line["settings"]] + [line]


def components(model: Path) -> Dict[str, int]:
    """Uncompressed bytes of each trained component in the archive ("DIETClassifier": ...)."""
    sizes: Dict[str, int] = defaultdict(int)
    with tarfile.open(model) as archive:
        for member in archive.getmembers():
            parts = Path(member.name).parts
            if member.isfile() and len(parts) > 2 and parts[-3] == "components":
                sizes[parts[-2].removeprefix("train_").rstrip("0123456789")] += member.size
    return dict(sorted(sizes.items(), key=lambda item: -item[1]))
