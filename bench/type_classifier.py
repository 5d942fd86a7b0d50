"""The incident-type classifier alone, on what the personas type (no Rasa, a few seconds).

Trained on ``data/incident_types/``; scored on each persona's opening, its answer to
"décrivez l'incident" and its answer to the type question, as Vigie reads them: the
lexicon's type first, else the classifier's. Reports top-1 and top-3 accuracy, and how
many texts are above ``actions.type_guess.SURE`` (taken without asking) and how many of
those are right, per split. The check split is scored, never read for tuning.
"""

from pathlib import Path
from typing import Dict, List, Optional, Tuple

from actions import type_guess
from bench.common import log
from bench.converse import SPLITS, load
from bot.nlu import incident_type
from bot.nlu.incident_facts import extract_facts

TEXTS = ("opening", "description", "incident_type")  # where a persona says what happened


def cases(split: str) -> List[Tuple[str, str, str]]:
    """(where, text, expected type) for every persona of the split."""
    found = []
    for persona in load(split):
        expected = persona.expected.get("incident_type")
        for where in TEXTS:
            text = persona.opening if where == "opening" else (persona.answers or {}).get(where)
            if expected and text:
                found.append((where, str(text), str(expected)))
    return found


def lexicon_type(text: str) -> Optional[str]:
    return next((str(f.value) for f in extract_facts(text) if f.field == "incident_type"), None)


def score(model, split: str) -> Dict[str, Dict[str, float]]:
    by_where: Dict[str, Dict[str, float]] = {}
    for where in TEXTS:
        rows = [(text, want) for w, text, want in cases(split) if w == where]
        top1 = top3 = sure = sure_right = read = read_right = 0
        for text, want in rows:
            ranking = incident_type.rank(model, text)
            top1 += ranking[0].type == want
            top3 += want in [g.type for g in ranking]
            if ranking[0].confidence >= type_guess.SURE:
                sure += 1
                sure_right += ranking[0].type == want
            by_lexicon = lexicon_type(text)
            got = by_lexicon or (ranking[0].type if ranking[0].confidence >= type_guess.SURE else None)
            if got:
                read += 1
                read_right += got == want
        n = len(rows) or 1
        by_where[where] = {
            "texts": len(rows),
            "top1": round(top1 / n, 3),
            "top3": round(top3 / n, 3),
            "sure_share": round(sure / n, 3),
            "sure_precision": round(sure_right / sure, 3) if sure else None,
            # lexicon first, then a sure classifier: what Vigie takes without asking
            "taken_share": round(read / n, 3),
            "taken_precision": round(read_right / read, 3) if read else None,
        }
    return by_where


def run(workdir: Path, smoke: bool) -> dict:
    examples = incident_type.read_examples()
    model = incident_type.train(examples)
    results = {split: score(model, split) for split in SPLITS}
    for split, by_where in results.items():
        for where, figures in by_where.items():
            log(f"{split} {where}: {figures}")
    return {
        "training_examples": sum(len(texts) for texts in examples.values()),
        "types": len(examples),
        "sure_threshold": type_guess.SURE,
        "splits": results,
    }
