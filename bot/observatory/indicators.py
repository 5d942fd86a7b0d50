"""Indicators of the ANS annual observatory report, computed from declarations.

``compute`` takes the dicts returned by ``DeclarationStore.all_matching`` /
``.list`` (the spec's JSON) and returns a JSON-ready dict. A declaration
belongs to the period by its submission date (``submitted_at``, else
``created_at``); drafts and undated rows are left out, and so are those outside
the ``scope`` (a region, a structure type) when one is given. Every share is a
fraction between 0 and 1, or None when its denominator is 0.

Breakdowns are lists of rows ``{"key", "label", "count", "share"}``: every
value of the enumeration, in the schema's order, then ``non_renseigne``
(missing) and ``valeur_inconnue`` (a value outside the enumeration) when they
occur.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional

from bot.core import schema
from bot.core.fields import UNKNOWN
from bot.core.qualification import effective_origin
from bot.observatory.period import (
    Period,
    make_period,
    month_key,
    month_label_fr,
    month_short_label_fr,
    paris_date,
    parse_instant,
)
from bot.observatory.scope import Scope

MISSING_KEY, MISSING_LABEL = "non_renseigne", "Non renseigné"
UNKNOWN_KEY, UNKNOWN_LABEL = "valeur_inconnue", "Valeur non reconnue"
NO_DATA_IMPACT_KEY, NO_DATA_IMPACT_LABEL = "aucun", "Aucun impact sur les données"
DATA_IMPACT_ORDER = ("confidentialite", "integrite", "disponibilite")
DELAY_PERCENTILE = 0.8
SYNTHETIC_PREFIX = "DEMO-"


def share(count: int, total: int) -> Optional[float]:
    return count / total if total else None


def _row(key: str, label: str, count: int, total: int) -> Dict[str, Any]:
    return {"key": key, "label": label, "count": count, "share": share(count, total)}


def breakdown(values: Iterable[Any], labels: Dict[str, str]) -> List[Dict[str, Any]]:
    """Rows for every enumeration value, then missing / unrecognised ones if any."""
    counts: Counter = Counter()
    for value in values:
        if value is None or value == "":
            counts[MISSING_KEY] += 1
        else:
            counts[value if value in labels else UNKNOWN_KEY] += 1
    total = sum(counts.values())
    rows = [_row(key, label, counts[key], total) for key, label in labels.items() if key != UNKNOWN]
    # "inconnu" (not known when declared) only when some declaration says it, after the known values
    if counts[UNKNOWN] and UNKNOWN in labels:
        rows.append(_row(UNKNOWN, labels[UNKNOWN], counts[UNKNOWN], total))
    for key, label in ((MISSING_KEY, MISSING_LABEL), (UNKNOWN_KEY, UNKNOWN_LABEL)):
        if counts[key] and key not in labels:
            rows.append(_row(key, label, counts[key], total))
    return rows


def row(rows: List[Dict[str, Any]], key: str) -> Dict[str, Any]:
    """The row of ``key`` in a breakdown (KeyError if absent)."""
    for item in rows:
        if item["key"] == key:
            return item
    raise KeyError(key)


# --- Selection ------------------------------------------------------------------


def submission_instant(declaration: Dict[str, Any]) -> Optional[datetime]:
    return parse_instant(declaration.get("submitted_at") or declaration.get("created_at"))


def in_period(declarations: Iterable[Dict[str, Any]], period: Period) -> List[Dict[str, Any]]:
    selected = []
    for declaration in declarations:
        moment = submission_instant(declaration)
        if declaration.get("status") != "brouillon" and moment and period.contains(moment):
            selected.append(declaration)
    return selected


# --- Structures -----------------------------------------------------------------


def normalise_name(name: Any) -> str:
    """ "  EHPAD  les Tilleuls " and "Ehpad Les Tilleuls" -> "ehpad les tilleuls"."""
    text = unicodedata.normalize("NFKD", str(name or ""))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _finess(declaration: Dict[str, Any]) -> str:
    return re.sub(r"\s", "", str(declaration.get("finess") or "")).upper()


def structure_keys(declarations: List[Dict[str, Any]]) -> List[str]:
    """One key per declaration: its FINESS, else the FINESS the same (normalised)
    name has elsewhere in the data when it has exactly one, else the name."""
    finess_by_name: Dict[str, set] = {}
    for declaration in declarations:
        if _finess(declaration):
            name = normalise_name(declaration.get("structure_name"))
            finess_by_name.setdefault(name, set()).add(_finess(declaration))
    keys = []
    for declaration in declarations:
        name = normalise_name(declaration.get("structure_name"))
        known = finess_by_name.get(name, set())
        if _finess(declaration):
            keys.append("finess:" + _finess(declaration))
        elif len(known) == 1:
            keys.append("finess:" + next(iter(known)))
        else:
            keys.append("nom:" + name)
    return keys


def structures(declarations: List[Dict[str, Any]]) -> Dict[str, int]:
    return {
        "count": len(set(structure_keys(declarations))),
        "declarations_without_finess": sum(1 for d in declarations if not _finess(d)),
    }


# --- Origin, impacts, support, qualification -----------------------------------------


def _is_malicious(declaration: Dict[str, Any]) -> bool:
    return effective_origin(declaration) == "malveillante"


def origins(declarations: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Origin as given, else implied by the incident type (as the qualification does)."""
    rows = breakdown((effective_origin(d) for d in declarations), schema.ORIGINS)
    malicious = row(rows, "malveillante")
    return {"rows": rows, "malicious_count": malicious["count"], "malicious_share": malicious["share"]}


def data_impact(declarations: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Share of declarations touching each of C, I, A; then none / not given."""
    total = len(declarations)
    lists = [d.get("data_impact") for d in declarations]
    rows = [
        _row(key, schema.DATA_IMPACT[key], sum(1 for v in lists if v and key in v), total) for key in DATA_IMPACT_ORDER
    ]
    rows.append(_row(NO_DATA_IMPACT_KEY, NO_DATA_IMPACT_LABEL, sum(1 for v in lists if v == []), total))
    rows.append(_row(MISSING_KEY, MISSING_LABEL, sum(1 for v in lists if v is None), total))
    return rows


def _flag_count(declarations: List[Dict[str, Any]], test) -> Dict[str, Any]:
    count = sum(1 for d in declarations if test(d))
    return {"count": count, "share": share(count, len(declarations))}


def _qualified(declaration: Dict[str, Any], key: str) -> bool:
    return (declaration.get("qualification") or {}).get(key) is True


def qualification(declarations: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {
        "grave": _flag_count(declarations, lambda d: _qualified(d, "grave")),
        "significatif": _flag_count(declarations, lambda d: _qualified(d, "significatif")),
        "neither": _flag_count(declarations, lambda d: not (_qualified(d, "grave") or _qualified(d, "significatif"))),
    }


# --- Delay from detection to declaration ----------------------------------------------


def percentile(values: List[float], fraction: float) -> Optional[float]:
    """Linear interpolation between closest ranks (numpy's default method)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _delay(declaration: Dict[str, Any]):
    """(hours, same Paris day) or None; a declaration cannot precede its detection,
    so a negative delay (clock skew, the 5-minute tolerance) counts as 0."""
    detected = parse_instant(declaration.get("detected_at"))
    submitted = submission_instant(declaration)
    if detected is None or submitted is None:
        return None
    hours = max((submitted - detected).total_seconds() / 3600, 0.0)
    return hours, paris_date(submitted) <= paris_date(detected)


def delay(declarations: List[Dict[str, Any]]) -> Dict[str, Any]:
    delays = [d for d in (_delay(item) for item in declarations) if d is not None]
    hours = [h for h, _ in delays]
    known = len(delays)
    within = sum(1 for h in hours if h <= 24)
    same_day = sum(1 for _, same in delays if same)
    return {
        "known": known,
        "median_hours": statistics.median(hours) if hours else None,
        "mean_hours": statistics.fmean(hours) if hours else None,
        "p80_hours": percentile(hours, DELAY_PERCENTILE),
        "same_day": {"count": same_day, "share": share(same_day, known)},
        "within_24h": {"count": within, "share": share(within, known)},
    }


# --- Monthly trend -------------------------------------------------------------------


def monthly(declarations: List[Dict[str, Any]], period: Period) -> List[Dict[str, Any]]:
    """Declarations and malicious ones per Paris calendar month, every month present."""
    totals: Counter = Counter()
    malicious: Counter = Counter()
    for declaration in declarations:
        day = paris_date(submission_instant(declaration))
        totals[(day.year, day.month)] += 1
        malicious[(day.year, day.month)] += _is_malicious(declaration)
    return [
        {
            "month": month_key(year, month),
            "label": month_label_fr(year, month),
            "short_label": month_short_label_fr(year, month),
            "count": totals[(year, month)],
            "malicious": malicious[(year, month)],
        }
        for year, month in period.months()
    ]


# --- Everything -----------------------------------------------------------------------


def compute(
    declarations: Iterable[Dict[str, Any]], since: Any, until: Any, scope: Optional[Scope] = None
) -> Dict[str, Any]:
    """The observatory indicators of the declarations submitted from ``since`` to ``until``
    within ``scope`` (default: every region and structure type)."""
    period = make_period(since, until)
    scope = scope or Scope()
    selected = scope.select(in_period(declarations, period))
    total = len(selected)
    return {
        "period": {
            "since": period.first_day.isoformat(),
            "until": period.last_day.isoformat(),
            "label": period.label_fr(),
        },
        "scope": scope.as_dict(),
        "total": total,
        "synthetic_count": sum(1 for d in selected if str(d.get("reference") or "").startswith(SYNTHETIC_PREFIX)),
        "structures": structures(selected),
        "by_structure_type": breakdown((d.get("structure_type") for d in selected), schema.STRUCTURE_TYPES),
        "by_region": breakdown((d.get("region") for d in selected), schema.REGIONS),
        "origin": origins(selected),
        "by_incident_type": breakdown((d.get("incident_type") for d in selected), schema.INCIDENT_TYPES),
        "data_impact": data_impact(selected),
        "care_impact": breakdown((d.get("care_impact") for d in selected), schema.CARE_IMPACT),
        "patient_endangerment": breakdown(
            (d.get("patient_endangerment") for d in selected), schema.PATIENT_ENDANGERMENT
        ),
        "support_requested": _flag_count(selected, lambda d: d.get("support_requested") == "oui"),
        "delay": delay(selected),
        "qualification": qualification(selected),
        "monthly": monthly(selected, period),
    }
