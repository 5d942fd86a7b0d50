"""`make nlu-report`: how well Vigie understands French, on data kept out of training.

1. Intents and FAQ topics: our training data is split 80/20 (fixed seed); an
   NLU model is trained on the 80 % and scored on the 20 %, and on the
   hand-written paraphrases of tests/nlu/*.yml, which are never trained on.
2. Facts: the annotated incident descriptions of tests/data/incidents.yml
   (written apart from our lexicon) are read by our extractors, and every
   (field, value) pair is scored: precision, recall, F1.
"""

import asyncio
import random
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = 42
HELD_OUT = 0.2


def load_examples(paths: List[Path]) -> List[Tuple[str, str]]:
    examples = []
    for path in paths:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append((line[2:].strip(), block["intent"]))
    return examples


def split(examples: List[Tuple[str, str]]) -> Tuple[list, list]:
    by_intent: Dict[str, list] = defaultdict(list)
    for text, intent in examples:
        by_intent[intent].append(text)
    rng = random.Random(SEED)
    train, test = [], []
    for intent, texts in sorted(by_intent.items()):
        rng.shuffle(texts)
        cut = max(1, int(len(texts) * HELD_OUT))
        test += [(t, intent) for t in texts[:cut]]
        train += [(t, intent) for t in texts[cut:]]
    return train, test


def write_nlu(path: Path, examples: List[Tuple[str, str]]) -> None:
    by_intent: Dict[str, list] = defaultdict(list)
    for text, intent in examples:
        by_intent[intent].append(text)
    nlu = [{"intent": i, "examples": "".join(f"- {t}\n" for t in texts)} for i, texts in sorted(by_intent.items())]
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True, sort_keys=False))


def train_nlu(train_file: Path, out: Path) -> Path:
    from rasa.model_training import train_nlu as rasa_train_nlu

    model = rasa_train_nlu(
        config=str(ROOT / "config.yml"),
        nlu_data=str(train_file),
        output=str(out),
        fixed_model_name="heldout",
        domain=str(ROOT / "domain.yml"),
    )
    return Path(model)


def predict(model: Path, texts: List[str]) -> List[str]:
    return [intent_label(parsed) for parsed in parse_all(model, texts)]


def parse_all(model: Path, texts: List[str]) -> List[dict]:
    """Rasa's parse result of each text (intent, entities, response selector)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    try:
        return [loop.run_until_complete(agent.parse_message(t)) for t in texts]
    finally:
        loop.close()


def intent_label(parsed: dict) -> str:
    """The intent, or for a question about the scheme the topic chosen: "faq/cnil_72h"."""
    intent = parsed["intent"]["name"]
    if intent == "faq":
        # a ResponseSelector without `retrieval_intent` (Rasa's default pipeline) answers under "default"
        selector = parsed["response_selector"]
        return selector["faq" if "faq" in selector else "default"]["response"]["intent_response_key"]
    return intent


def intent_scores(gold: List[str], predicted: List[str]) -> Tuple[float, float, Dict[str, float]]:
    labels = sorted(set(gold))
    per_label = {}
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        fp = sum(p == label and g != label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        per_label[label] = f1(tp, fp, fn)
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold)
    return accuracy, sum(per_label.values()) / len(per_label), per_label


def f1(tp: int, fp: int, fn: int) -> float:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def fact_scores(path: Path) -> Tuple[Dict[str, Counter], int]:
    from bot.nlu.incident_facts import extract_facts

    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    counts: Dict[str, Counter] = defaultdict(Counter)
    for case in cases:
        # dates are scored by tests/unit/test_french_dates.py, against their own reference time
        expected = {
            (f, v)
            for f, values in case["facts"].items()
            if f != "detected_at"
            for v in (values if isinstance(values, list) else [values])
        }
        fields = {f for f, _ in expected}
        found = {
            (f.field, f.value) for f in extract_facts(case["text"]) if f.field in fields or f.field in SCORED_FIELDS
        }
        count_pairs(counts, expected, found)
    return counts, len(cases)


def count_pairs(counts: Dict[str, Counter], expected: set, found: set) -> None:
    """Adds one message's true/false positives and false negatives of (field, value) pairs, per field."""
    for field, _ in expected | found:
        counts[field]["tp"] += 0
    for pair in found & expected:
        counts[pair[0]]["tp"] += 1
    for pair in found - expected:
        counts[pair[0]]["fp"] += 1
    for pair in expected - found:
        counts[pair[0]]["fn"] += 1


SCORED_FIELDS = {
    "incident_type",
    "care_impact",
    "patient_endangerment",
    "health_data_involved",
    "structure_type",
    "affected_systems",
}


def training_files() -> List[Path]:
    return sorted((ROOT / "data" / "nlu").glob("*.yml")) + [ROOT / "data" / "faq.yml"]


def evaluation_sets(test: List[Tuple[str, str]]) -> List[Tuple[str, List[Tuple[str, str]]]]:
    """(title, examples) scored: the held-out split, then the paraphrases never trained on."""
    paraphrases = load_examples([ROOT / "tests" / "nlu" / "intents_test.yml"])
    questions = load_examples([ROOT / "tests" / "nlu" / "faq_test.yml"])
    return [
        ("held-out 20 % split", test),
        ("tests/nlu/intents_test.yml", paraphrases),
        ("tests/nlu/faq_test.yml, topic chosen", questions),
    ]


def main() -> int:
    train, test = split(load_examples(training_files()))
    with tempfile.TemporaryDirectory() as tmp:
        train_file = Path(tmp) / "train.yml"
        write_nlu(train_file, train)
        model = train_nlu(train_file, Path(tmp))
        for title, data in evaluation_sets(test):
            gold = [i for _, i in data]
            accuracy, macro_f1, per_label = intent_scores(gold, predict(model, [t for t, _ in data]))
            print(f"\nIntents, {title} ({len(data)} messages): accuracy {accuracy:.1%}, macro F1 {macro_f1:.3f}")
            for label, score in sorted(per_label.items()):
                print(f"  {label:20s} F1 {score:.3f}")
    facts_file = ROOT / "tests" / "data" / "incidents.yml"
    counts, n = fact_scores(facts_file)
    total = Counter()
    print(f"\nFacts (entities) on {facts_file.relative_to(ROOT)} ({n} messages):")
    for field, c in sorted(counts.items()):
        total.update(c)
        print(f"  {field:22s} F1 {f1(c['tp'], c['fp'], c['fn']):.3f}  (tp {c['tp']}, fp {c['fp']}, fn {c['fn']})")
    print(f"  {'micro-average':22s} F1 {f1(total['tp'], total['fp'], total['fn']):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
