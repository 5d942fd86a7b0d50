"""What a completion reopens of a declaration already sent.

The spec asks only the required fields before sending ("declare without delay"); the
others, and the required ones sent as unknown, are asked by a completion, right after
sending or later.
"""

from datetime import datetime
from typing import Any, List, Mapping, Tuple

from bot.core import fields as registry
from bot.core.paris_time import said_without_hour

UNKNOWN_VALUES: Tuple[Any, ...] = (None, "", [], registry.UNKNOWN)
# Read from the person's words before sending, never asked then: shown for confirmation in the
# first completion ("J'ai noté : messagerie, DPI. Est-ce complet ?").
READ_FROM_WORDS = ("affected_systems",)
NEVER_COMPLETED = (registry.Status.SOUMISE, registry.Status.TRANSMISE)


def day_only(value: Any) -> bool:
    """A date stored without its hour ("hier", "avant-hier")."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return False
    return said_without_hour(moment)


def _still_open(field: str, value: Any, declaration: Mapping[str, Any]) -> bool:
    if field in READ_FROM_WORDS and declaration.get("status") in NEVER_COMPLETED:
        return True
    if field == "started_at" and value not in UNKNOWN_VALUES:
        return day_only(value)  # the day is known, its hour is asked
    if field == "handling_status":
        return value != "resolu"
    if field in ("complaint_filed", "cnil_notified"):
        return value != "oui"
    return value in UNKNOWN_VALUES


def reopened_fields(declaration: Mapping[str, Any]) -> List[str]:
    """The fields to ask, in the registry's `completion_rank` order, when they apply (its
    `asked_when`): unknown ones, an incident not yet resolved, a complaint or a CNIL
    notification not yet made, and, until a first completion, what was read from words."""
    return [
        f.name
        for f in registry.named(registry.completable())
        if f.asked_when(declaration) and _still_open(f.name, declaration.get(f.name), declaration)
    ]
