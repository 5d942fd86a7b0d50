"""French formatting of dates and numbers, independent of the system locale."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Optional

from bot.core.paris_time import as_paris, said_without_hour

NARROW_NBSP = "\u202f"  # thousands separator and before "%"
NBSP = "\u00a0"
MISSING = "—"  # a figure that cannot be computed (no declaration)


def format_int(value: Optional[int]) -> str:
    """1234 -> "1 234" (narrow no-break space)."""
    if value is None:
        return MISSING
    return f"{value:,}".replace(",", NARROW_NBSP)


def format_decimal(value: Optional[float], digits: int = 1) -> str:
    """1234.56 -> "1 234,6"."""
    if value is None:
        return MISSING
    text = f"{value:,.{digits}f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def format_share(share: Optional[float], digits: int = 1) -> str:
    """0.4832 -> "48,3 %"; None (no declaration) -> "—"."""
    if share is None:
        return MISSING
    return f"{format_decimal(share * 100, digits)}{NARROW_NBSP}%"


def format_hours(hours: Optional[float]) -> str:
    """A delay in hours: "45 min", "5,2 h", "3,5 jours"."""
    if hours is None:
        return MISSING
    if hours < 1:
        return f"{round(hours * 60)}{NBSP}min"
    if hours < 48:
        return f"{format_decimal(hours)}{NBSP}h"
    return f"{format_decimal(hours / 24)}{NBSP}jours"


def plural(count: int, singular: str, plural_form: Optional[str] = None) -> str:
    """ "1 déclaration", "2 déclarations" (French: 0 and 1 are singular)."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{format_int(count)} {word}"


def wait_text(seconds: float) -> str:
    """A wait as a person reads it, rounded up: "45 secondes", "2 minutes", "3 heures"."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        return plural(seconds, "seconde")
    minutes = math.ceil(seconds / 60)
    return plural(minutes, "minute") if minutes < 120 else plural(round(minutes / 60), "heure")


def lower_first(label: str) -> str:
    """A label inside a sentence: "État de la prise en charge" -> "état de la prise en charge"."""
    if label[1:2].isupper():  # an acronym: "API REST", "OSE"
        return label
    return label[0].lower() + label[1:]


# --- Dates ---------------------------------------------------------------------

DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def format_datetime_fr(moment: datetime) -> str:
    """ "jeudi 3 décembre 2026 à 6 h 00" (Paris time)."""
    local = as_paris(moment)
    return f"{_day_fr(local)} à {local.hour} h {local.minute:02d}"


def format_incident_date_fr(moment: datetime) -> str:
    """A date of the incident: "samedi 5 décembre 2026, heure non précisée" when only the day was
    said (a declaration keeps it at midnight), else as ``format_datetime_fr``."""
    if said_without_hour(moment):
        return f"{_day_fr(as_paris(moment))}, heure non précisée"
    return format_datetime_fr(moment)


def _day_fr(local: datetime) -> str:
    day = "1er" if local.day == 1 else str(local.day)
    return f"{DAYS_FR[local.weekday()]} {day} {MONTHS_FR[local.month - 1]} {local.year}"


def format_date_fr(day: date) -> str:
    """ "1er janvier 2025", "31 décembre 2025"."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS_FR[day.month - 1]} {day.year}"
