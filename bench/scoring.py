"""Scores of what was read from an opening message against its annotation (pure functions).

A *cell* is one (message, field). It is correct when the prediction equals the annotation,
both absent included: the annotation omits a field the text does not support, and filling
it is then an error. Lists (affected_systems) are correct on an exact set match. Dates:
an annotation with an hour matches the predicted local Paris time to the minute; a
date-only annotation matches on the day. (field, value) pairs are also counted as true
and false positives and false negatives (bot/nlu_report.py's counting), a list giving
one pair per value: precision, recall and F1, per field and micro-averaged.
"""

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional, Tuple

from bot.nlu.french_dates import PARIS
from bot.nlu_report import count_pairs, f1, intent_label, intent_scores

FIELDS = (
    "incident_type",
    "detected_at",
    "care_impact",
    "patient_endangerment",
    "health_data_involved",
    "affected_systems",
    "structure_type",
)
LIST_FIELDS = {"affected_systems"}
DATE_FIELDS = {"detected_at"}


def gold(facts: Dict[str, Any]) -> Dict[str, Any]:
    """The annotation of the scored fields (lists as frozensets, absent as None)."""
    return {field: _as_value(field, facts.get(field)) for field in FIELDS}


def from_values(values: Dict[str, Any]) -> Dict[str, Any]:
    """Our pipeline: the candidate field values of actions/understanding.py's ``understand()``."""
    return {field: _as_value(field, values.get(field)) for field in FIELDS}


def from_entities(entities: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    """A pipeline without ``understand()``: its entities read directly, the first one for a single
    field, every one for a list, and the first ``datetime`` entity for ``detected_at``."""
    found: Dict[str, Any] = {}
    for entity in entities:
        field = "detected_at" if entity.get("entity") == "datetime" else entity.get("entity")
        value = entity.get("value")
        if field not in FIELDS or value in (None, ""):
            continue
        if field in LIST_FIELDS:
            found.setdefault(field, []).append(value)
        else:
            found.setdefault(field, value)
    return from_values(found)


def _as_value(field: str, value: Any) -> Any:
    if value in (None, "", []):
        return None
    if field in LIST_FIELDS:
        return frozenset(value if isinstance(value, (list, tuple, set, frozenset)) else [value])
    return str(value)


def date_key(value: Optional[str], with_time: bool) -> Optional[str]:
    """ "2026-11-28T04:10" (local Paris time) or "2026-11-28"; a value that is no ISO date stays as it is."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(PARIS)
    return moment.strftime("%Y-%m-%dT%H:%M" if with_time else "%Y-%m-%d")


def comparable(field: str, expected: Any, predicted: Any) -> Tuple[Any, Any]:
    """Both values at the annotation's precision (dates), otherwise unchanged."""
    if field not in DATE_FIELDS:
        return expected, predicted
    with_time = expected is None or "T" in expected
    return (date_key(expected, "T" in expected) if expected else None), date_key(predicted, with_time)


def pairs(field: str, value: Any) -> set:
    if value is None:
        return set()
    return {(field, v) for v in value} if field in LIST_FIELDS else {(field, value)}


def score(cases: List[Tuple[Dict[str, Any], Dict[str, Any]]]) -> Dict[str, Any]:
    """Per field and overall: cell accuracy, accuracy on the annotated cells, pair precision/recall/F1."""
    correct, annotated, annotated_correct = Counter(), Counter(), Counter()
    counts: Dict[str, Counter] = defaultdict(Counter)
    for expected_fields, predicted_fields in cases:
        for field in FIELDS:
            expected, predicted = comparable(field, expected_fields[field], predicted_fields[field])
            hit = expected == predicted
            correct[field] += hit
            annotated[field] += expected is not None
            annotated_correct[field] += hit and expected is not None
            count_pairs(counts, pairs(field, expected), pairs(field, predicted))
    per_field = {
        field: _figures(len(cases), correct[field], annotated[field], annotated_correct[field], counts[field])
        for field in FIELDS
    }
    total = sum((counts[f] for f in FIELDS), Counter())
    overall = _figures(
        len(cases) * len(FIELDS), sum(correct.values()), sum(annotated.values()), sum(annotated_correct.values()), total
    )
    return {"messages": len(cases), "per_field": per_field, "overall": overall}


def _figures(cells: int, correct: int, annotated: int, annotated_correct: int, c: Counter) -> Dict[str, Any]:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    return {
        "cells": cells,
        "correct": correct,
        "accuracy": _share(correct, cells),
        "annotated": annotated,
        "accuracy_annotated": _share(annotated_correct, annotated),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": _share(tp, tp + fp),
        "recall": _share(tp, tp + fn),
        "f1": round(f1(tp, fp, fn), 4) if tp + fp + fn else None,
    }


def _share(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


# --- Intents of the NLU ------------------------------------------------------------


def intent_figures(examples: List[Tuple[str, str]], parsed: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Accuracy, macro F1 and F1 per label of Rasa's parse results against (text, intent)
    examples; for a question about the scheme, the topic chosen ("faq/cnil_72h") is compared."""
    accuracy, macro_f1, per_label = intent_scores([i for _, i in examples], [intent_label(p) for p in parsed])
    return {
        "accuracy": round(accuracy, 4),
        "macro_f1": round(macro_f1, 4),
        "per_label_f1": {k: round(v, 4) for k, v in per_label.items()},
    }


# --- Entities of the NLU, against reference entities -----------------------------


def entity_pairs(text: str, entities: Iterable[Dict[str, Any]]) -> set:
    """(entity, value) of each entity; a ``datetime`` by the words it covers, since its value
    depends on when the message is parsed."""
    found = set()
    for e in entities:
        if e.get("entity") == "datetime":
            found.add(("datetime", text[e["start"] : e["end"]].lower()))
        elif e.get("value") not in (None, ""):
            found.add((e["entity"], str(e["value"])))
    return found


def entity_scores(references: List[set], predictions: List[set]) -> Dict[str, Any]:
    """Micro precision/recall/F1 of entity pairs over all messages, and per entity."""
    counts: Dict[str, Counter] = defaultdict(Counter)
    for expected, found in zip(references, predictions):
        count_pairs(counts, expected, found)
    total = sum(counts.values(), Counter())
    return {"micro": _pair_figures(total), "per_entity": {k: _pair_figures(v) for k, v in sorted(counts.items())}}


def _pair_figures(c: Counter) -> Dict[str, Any]:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": _share(tp, tp + fp),
        "recall": _share(tp, tp + fn),
        "f1": round(f1(tp, fp, fn), 4) if tp + fp + fn else None,
    }
