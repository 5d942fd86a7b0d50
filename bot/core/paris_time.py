"""Time in Vigie: instants are stored in UTC and read in Europe/Paris, where declarants are.

The spec's datetimes are ISO 8601 in Europe/Paris; a naive datetime is taken
as Paris time.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional
from zoneinfo import ZoneInfo

UTC = timezone.utc
PARIS = ZoneInfo("Europe/Paris")


def utc_now() -> datetime:
    """Now, to the second (what the database stores)."""
    return datetime.now(UTC).replace(microsecond=0)


def as_paris(value: datetime) -> datetime:
    """Aware datetime in Europe/Paris; a naive one is taken as Paris time."""
    if value.tzinfo is None:
        return value.replace(tzinfo=PARIS)
    return value.astimezone(PARIS)


def said_without_hour(moment: datetime) -> bool:
    """A date kept without its hour ("hier", "avant-hier"): at midnight, Paris time, as the
    declaration form keeps it."""
    local = as_paris(moment)
    return (local.hour, local.minute, local.second) == (0, 0, 0)


def to_paris_iso(value: Optional[datetime]) -> Optional[str]:
    """ISO 8601 string in Europe/Paris, or None."""
    if value is None:
        return None
    return value.astimezone(PARIS).isoformat()


def parse_paris(value: Any) -> Optional[datetime]:
    """ISO 8601 string (or datetime) -> aware datetime in Europe/Paris; None for None or ""."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return as_paris(value)
    text = str(value).strip().replace("Z", "+00:00")
    return as_paris(datetime.fromisoformat(text))
