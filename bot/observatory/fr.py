"""French number formatting, independent of the system locale."""

from __future__ import annotations

from typing import Optional

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
    """"1 déclaration", "2 déclarations" (French: 0 and 1 are singular)."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{format_int(count)} {word}"
