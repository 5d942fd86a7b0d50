"""Synthetic declarations drawn from ``profile``: ``generate(year)`` gives
(fields, submitted_at) pairs that pass ``bot.core.storage.validate_fields``.

Reproducible: declaration number i of a period depends only on (seed, period,
i), and the population of structures only on the seed, so a larger ``count``
extends a smaller one. Storing them and the CLI are in ``synthetic``.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any, Dict, List, Optional, Tuple

from bot.core import schema
from bot.core.paris_time import PARIS
from bot.observatory import narratives, profile
from bot.observatory.period import UTC, Period, make_period, year_period
from bot.observatory.population import Structure, population

DEFAULT_SEED = 2017
Item = Tuple[Dict[str, Any], datetime]

CARE_RATES = profile.scaled_rates(profile.ACTIVITY_AFFECTED_SHARE, "care")
SUPPORT_RATES = profile.scaled_rates(profile.SUPPORT_SHARE, "support")
TYPE_SHARES = {incident_type: profile.type_share(incident_type) for incident_type in profile.TYPE_PROFILES}


def pick_weighted(rng: random.Random, weights: Dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _minutes(value: float) -> timedelta:
    return timedelta(minutes=int(value))


# --- Period and volume ------------------------------------------------------------------


def _floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def resolve_period(year: Optional[int], since: Any, until: Any, now: datetime) -> Period:
    """The period asked; refused when it has not begun yet."""
    by_dates = since is not None and until is not None
    if (year is None) != by_dates or (year is not None and (since, until) != (None, None)):
        raise ValueError("Indiquez soit une année, soit une date de début et une date de fin.")
    period = year_period(year) if year is not None else make_period(since, until)
    if period.start >= now:
        raise ValueError("La période demandée est dans le futur : aucune déclaration ne peut y être générée.")
    return period


def _year_fraction(period: Period) -> float:
    """How many years the period covers, calendar year by calendar year."""
    fraction = 0.0
    for year in range(period.first_day.year, period.last_day.year + 1):
        whole = year_period(year)
        overlap = min(period.end, whole.end) - max(period.start, whole.start)
        fraction += max(overlap.total_seconds(), 0) / (whole.end - whole.start).total_seconds()
    return fraction


def default_count(period: Period, seed: int) -> int:
    """A yearly volume drawn in ANNUAL_COUNT_RANGE, prorated to the period."""
    rng = random.Random(f"{seed}:count:{period.first_day}:{period.last_day}")
    return round(rng.randint(*profile.ANNUAL_COUNT_RANGE) * _year_fraction(period))


# --- Dates ------------------------------------------------------------------------------


def _submission_instant(period: Period, rng: random.Random) -> datetime:
    """A weekday- and office-hour-weighted instant of the period, to the minute."""
    days = (period.last_day - period.first_day).days + 1
    for _ in range(1000):
        day = period.first_day + timedelta(days=rng.randrange(days))
        if rng.random() > profile.WEEKDAY_WEIGHTS[day.weekday()]:
            continue
        hour = rng.choices(range(24), weights=profile.HOUR_WEIGHTS)[0]
        local = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=PARIS)
        moment = local.astimezone(UTC)
        if period.contains(moment):
            return moment
    return _floor_minute(period.start + (period.end - period.start) * rng.random())


def _paris_midnight(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(PARIS).date(), time.min, tzinfo=PARIS).astimezone(UTC)


def _same_day_detection(submitted: datetime, rng: random.Random) -> datetime:
    since_midnight = int((submitted - _paris_midnight(submitted)).total_seconds() // 60)
    delay = int(rng.expovariate(1 / (profile.SAME_DAY_MEAN_HOURS * 60)))
    if delay > since_midnight:
        delay = rng.randint(0, since_midnight)
    return submitted - _minutes(delay)


def _detection_instant(submitted: datetime, rng: random.Random) -> datetime:
    """Same day (SAME_DAY_SHARE), the day before but within 24 h (up to
    WITHIN_24H_SHARE), else more than 24 h before."""
    draw = rng.random()
    if draw < profile.SAME_DAY_SHARE:
        return _same_day_detection(submitted, rng)
    midnight = _paris_midnight(submitted)
    span = int((midnight - (submitted - timedelta(hours=24))).total_seconds() // 60)
    if draw < profile.WITHIN_24H_SHARE and span > 1:
        return midnight - _minutes(rng.randint(1, span - 1))
    if draw < profile.WITHIN_24H_SHARE:  # 25-hour day at the autumn DST change
        return _same_day_detection(submitted, rng)
    extra = min(rng.expovariate(1 / profile.LATE_MEAN_EXTRA_HOURS), profile.LATE_MAX_DAYS * 24 - 24)
    return submitted - timedelta(hours=24) - _minutes(extra * 60 + 1)


def _start_instant(detected: datetime, rng: random.Random) -> Optional[datetime]:
    if rng.random() >= profile.STARTED_AT_KNOWN_SHARE:
        return None
    return detected - _minutes(rng.uniform(0, 72 * 60))


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.astimezone(PARIS).isoformat() if moment is not None else None


def _hour_fr(moment: datetime) -> str:
    local = moment.astimezone(PARIS)
    return f"{local.hour} h {local.minute:02d}"


# --- Fields -----------------------------------------------------------------------------


def _structure_fields(structure: Structure, rng: random.Random) -> Dict[str, Any]:
    finess, region = structure.finess, structure.region
    if rng.random() < profile.NO_FINESS_SHARE:
        finess = None
        region = None if rng.random() < profile.NO_REGION_WITHOUT_FINESS_SHARE else region
    declarant = rng.choice(structure.declarants)
    return {
        "structure_name": structure.name,
        "finess": finess,
        "structure_type": structure.structure_type,
        "region": region,
        "is_ose": structure.is_ose,
        "declarant_name": declarant.name,
        "declarant_role": declarant.role,
        "declarant_email": declarant.email,
        "declarant_phone": declarant.phone,
    }


def _yes_no_unknown(rng: random.Random, yes: float, unknown: float) -> str:
    if rng.random() < unknown:
        return "inconnu"
    return "oui" if rng.random() < yes else "non"


def _data_impact(kind: profile.TypeProfile, rng: random.Random) -> Optional[List[str]]:
    if rng.random() < profile.DATA_IMPACT_UNKNOWN_SHARE:
        return None
    chances = (("disponibilite", kind.a), ("integrite", kind.i), ("confidentialite", kind.c))
    return [key for key, chance in chances if rng.random() < chance]


def _care_impact(incident_type: str, rng: random.Random) -> str:
    if rng.random() >= CARE_RATES[incident_type]:
        return "aucun"
    interruption = profile.INTERRUPTION_SHARE / profile.ACTIVITY_AFFECTED_SHARE
    return "interruption" if rng.random() < interruption else "mode_degrade"


def _endangerment(care_impact: str, rng: random.Random) -> str:
    if rng.random() >= profile.ENDANGERMENT_BY_CARE[care_impact]:
        return "aucune"
    return "averee" if rng.random() < profile.ACTUAL_HARM_SHARE else "potentielle"


def _persons(health: str, data_impact: Optional[List[str]], rng: random.Random) -> Optional[int]:
    if health != "oui" or "confidentialite" not in (data_impact or []):
        return None
    return max(1, int(round(rng.lognormvariate(5.5, 1.4), -1)))  # median about 250


def _impact_fields(incident_type: str, rng: random.Random) -> Dict[str, Any]:
    kind = profile.TYPE_PROFILES[incident_type]
    data_impact = _data_impact(kind, rng)
    care = _care_impact(incident_type, rng)
    health = _yes_no_unknown(rng, kind.health, profile.HEALTH_DATA_UNKNOWN_SHARE)
    return {
        "care_impact": care,
        "patient_endangerment": _endangerment(care, rng),
        "data_impact": data_impact,
        "health_data_involved": health,
        "persons_affected": _persons(health, data_impact, rng),
        "spread_risk": _yes_no_unknown(rng, kind.spread, profile.SPREAD_UNKNOWN_SHARE),
    }


def _incident_fields(
    incident_type: str, structure_type: str, detected: datetime, persons: Optional[int], rng: random.Random
) -> Dict[str, Any]:
    scenario = rng.choice(narratives.SCENARIOS[incident_type])
    systems = narratives.systems(scenario, structure_type, rng)
    people = "résidents" if structure_type == "esms" else "patients"
    return {
        "incident_type": incident_type,
        "origin": schema.INCIDENT_TYPE_ORIGIN[incident_type],
        "description": narratives.description(scenario, systems, _hour_fr(detected), people, persons, rng),
        "perimeter": narratives.pick_ranked(rng, scenario.perimeters, 1)[0],
        "affected_systems": systems,
        "provider_involved": _yes_no_unknown(
            rng, profile.TYPE_PROFILES[incident_type].provider, profile.PROVIDER_UNKNOWN_SHARE
        ),
        "handling_status": pick_weighted(rng, profile.HANDLING_STATUS),
        "measures_taken": rng.choice(scenario.measures),
        "cause": rng.choice(scenario.causes),
    }


def _follow_up_fields(fields: Dict[str, Any], rng: random.Random) -> Dict[str, Any]:
    malicious = fields["origin"] == "malveillante"
    personal = fields["health_data_involved"] == "oui" or "confidentialite" in (fields["data_impact"] or [])
    return {
        "support_requested": "oui" if rng.random() < SUPPORT_RATES[fields["incident_type"]] else "non",
        "complaint_filed": pick_weighted(rng, profile.COMPLAINT) if malicious else None,
        "cnil_notified": pick_weighted(rng, profile.CNIL) if personal else None,
    }


def _declaration(seed: int, period: Period, index: int, structures: Dict[str, Tuple[Structure, ...]]) -> Item:
    rng = random.Random(f"{seed}:{period.start.isoformat()}:{period.end.isoformat()}:{index}")
    structure = rng.choice(structures[pick_weighted(rng, profile.STRUCTURE_TYPE_SHARES)])
    incident_type = pick_weighted(rng, TYPE_SHARES)
    submitted = _submission_instant(period, rng)
    detected = _detection_instant(submitted, rng)
    impacts = _impact_fields(incident_type, rng)
    fields: Dict[str, Any] = {
        **_structure_fields(structure, rng),
        "detected_at": _iso(detected),
        "started_at": _iso(_start_instant(detected, rng)),
        **_incident_fields(incident_type, structure.structure_type, detected, impacts["persons_affected"], rng),
        **impacts,
    }
    fields.update(_follow_up_fields(fields, rng))
    return {name: fields.get(name) for name in schema.FIELDS}, submitted


def generate(
    year: Optional[int] = None,
    *,
    since: Any = None,
    until: Any = None,
    count: Optional[int] = None,
    seed: int = DEFAULT_SEED,
    now: Optional[datetime] = None,
) -> List[Item]:
    """Synthetic (fields, submitted_at) pairs for a year or a period, oldest first.

    ``count`` (default: a yearly volume from guidance.md prorated to the
    period) is drawn over the whole period; those that would be submitted
    after ``now`` (default: the current time) are left out. Drawing over the
    whole period keeps the current year's declarations the same from one run
    to the next: a later run only adds the ones that have become past."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    period = resolve_period(year, since, until, now)
    total = default_count(period, seed) if count is None else count
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValueError("Le nombre de déclarations doit être un entier positif.")
    structures = population(seed)
    items = [_declaration(seed, period, index, structures) for index in range(total)]
    return sorted((item for item in items if item[1] < now), key=lambda item: item[1])
