"""Declaration references: ``SSI-2026-048213`` (``DEMO-…`` for synthetic ones).

The number is drawn at random: sequential references told anyone holding one how to
reach the others.
"""

import re
import secrets
from datetime import datetime

from sqlalchemy import select

from bot.core.models import Declaration
from bot.core.paris_time import PARIS

# Synthetic declarations are marked in their reference too.
PREFIX = {False: "SSI", True: "DEMO"}
WHOLE = re.compile(r"^(SSI|DEMO)-\d{4}-\d{6,}$")
# A real declaration's reference inside a message ("où en est SSI-2026-048213 ?").
IN_TEXT = re.compile(r"\bSSI-\d{4}-\d{6,}\b", re.IGNORECASE)


def make_reference(number: int, submitted_at: datetime, synthetic: bool = False) -> str:
    return f"{PREFIX[synthetic]}-{submitted_at.astimezone(PARIS).year}-{number:06d}"


def is_valid_reference(reference: str) -> bool:
    return bool(WHOLE.match(reference or ""))


def free_reference(session, submitted_at: datetime, synthetic: bool = False) -> str:
    """A reference no declaration has: six random digits while twenty draws find a free
    one, one digit more past that."""
    digits = 6
    while True:
        for _ in range(20):
            candidate = make_reference(secrets.randbelow(10**digits), submitted_at, synthetic)
            if session.scalar(select(Declaration.id).where(Declaration.reference == candidate)) is None:
                return candidate
        digits += 1
