"""The reporting period: instants in UTC, calendar (days, months) in Europe/Paris.

Bounds follow ``DeclarationStore`` filters: ``since`` is inclusive; ``until``
is inclusive too, and a bare date covers its whole Paris day. Instants are
compared in UTC because aware datetimes sharing one tzinfo compare by wall
clock, which is wrong around the autumn DST change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, List, Optional, Tuple

from bot.core.french import MONTHS_FR, format_date_fr
from bot.core.paris_time import PARIS, as_paris

UTC = timezone.utc
MONTHS_SHORT_FR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Period:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment.astimezone(UTC) < self.end

    @property
    def first_day(self) -> date:
        return self.start.astimezone(PARIS).date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).astimezone(PARIS).date()

    def months(self) -> List[Tuple[int, int]]:
        """Every (year, month) of the period, in order."""
        year, month = self.first_day.year, self.first_day.month
        last = (self.last_day.year, self.last_day.month)
        result = []
        while (year, month) <= last:
            result.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result

    def label_fr(self) -> str:
        """ "du 1er janvier 2025 au 31 décembre 2025"."""
        return f"du {format_date_fr(self.first_day)} au {format_date_fr(self.last_day)}"


def parse_instant(value: Any) -> Optional[datetime]:
    """Aware UTC datetime from an ISO 8601 string or a datetime (naive = Paris)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return as_paris(value).astimezone(UTC)


def _as_bound(value: Any) -> Any:
    if isinstance(value, str) and _DATE_ONLY.match(value.strip()):
        return date.fromisoformat(value.strip())
    return value


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=PARIS).astimezone(UTC)


def _start(value: Any) -> datetime:
    value = _as_bound(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return _day_start(value)
    return parse_instant(value)


def _end(value: Any) -> datetime:
    value = _as_bound(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return _day_start(value + timedelta(days=1))
    return parse_instant(value) + timedelta(microseconds=1)


def make_period(since: Any, until: Any) -> Period:
    """Period from two dates, datetimes or ISO strings (both bounds included)."""
    try:
        period = Period(_start(since), _end(until))
    except (TypeError, ValueError):
        raise ValueError("Période : dates invalides, format AAAA-MM-JJ attendu.") from None
    if period.end <= period.start:
        raise ValueError("Période : la date de fin précède la date de début.")
    return period


def year_period(year: int) -> Period:
    return make_period(date(year, 1, 1), date(year, 12, 31))


def paris_date(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_label_fr(year: int, month: int) -> str:
    return f"{MONTHS_FR[month - 1]} {year}"


def month_short_label_fr(year: int, month: int) -> str:
    """ "janv. 2025" (the abbreviations of the Imprimerie nationale)."""
    return f"{MONTHS_SHORT_FR[month - 1]} {year}"
