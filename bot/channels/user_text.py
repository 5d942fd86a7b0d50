"""What any channel does to a user's text before Rasa sees it (the door).

- Unicode is normalised (NFKC), invisible format characters are removed and
  every run of whitespace (newlines, tabs, non-breaking spaces) becomes one
  space: no typed text can forge a log line or hide a command.
- Rasa reads a message starting with ``/`` as an intent with entities, bypassing
  NLU. Our buttons need a few of those payloads, so only they pass: an allowed
  intent, with entities (if any) that are spec enumeration fields (or list
  fields) holding one of their values. Anything else (``/restart``, ``/back``,
  ``/session_start``, ``/inform{"confirmed": true}``, ``/\n/restart``...) loses
  every leading slash and space and is read as ordinary text.
- Patient identifiers are masked (``bot.core.pii``), so that the tracker store,
  the logs, NLU and everything stored afterwards never hold them; the channel
  tells the person (``run_turn``).
"""

import json
import re
import unicodedata
from typing import NamedTuple, Optional

from bot.core import schema
from bot.core.language import french_nlp
from bot.core.pii import mask_pii

MAX_MESSAGE_LENGTH = 4000
# The intents our buttons send (actions/*.py, domain.yml), and nothing else.
ALLOWED_INTENTS = {
    "affirm",
    "deny",
    "cancel",
    "resume_declaration",
    "go_back",
    "complete_declaration",
    "goodbye",
    "dont_know",
    "declare_incident",
    "check_seriousness",
    "help",
    "inform",
    "finish",
}
# Fields a button may set, with their allowed values (one value per click for lists).
BUTTON_FIELDS = {**schema.ENUM_FIELDS, **schema.LIST_FIELDS}
# The establishment buttons of the FINESS register (actions/structure.py): a FINESS number or
# "aucune"; the form only accepts one of the establishments it offered.
BUTTON_PATTERNS = {"structure_match": re.compile(r"^(?:\d{9}|2[AB]\d{7}|aucune)$")}
_COMMAND = re.compile(r"^/(?P<intent>[a-z_]+)(?P<entities>\{.*\})?$", re.DOTALL)
# Control characters other than tab and newline, and Unicode non-characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")
_WHITESPACE = re.compile(r"\s+")
_LEADING_SLASHES = re.compile(r"^[\s/]+")


class UnusableText(ValueError):
    """The text cannot be processed; the message is the French reply to give."""


def _allowed_entities(raw: Optional[str]) -> bool:
    if raw is None:
        return True
    try:
        entities = json.loads(raw)
    except ValueError:
        return False
    return isinstance(entities, dict) and all(
        isinstance(value, str) and _allowed_value(field, value) for field, value in entities.items()
    )


def _allowed_value(field: str, value: str) -> bool:
    if field in BUTTON_PATTERNS:
        return BUTTON_PATTERNS[field].match(value) is not None
    return field in BUTTON_FIELDS and value in BUTTON_FIELDS[field]


def is_allowed_command(text: str) -> bool:
    match = _COMMAND.match(text)
    return bool(match) and match["intent"] in ALLOWED_INTENTS and _allowed_entities(match["entities"])


class DoorText(NamedTuple):
    text: str
    masked: int  # patient identifiers masked in it


def at_the_door(raw: object) -> DoorText:
    """The text to hand to Rasa, with patient identifiers masked, or ``UnusableText``."""
    text = clean_user_text(raw)
    if is_allowed_command(text):
        return DoorText(text, 0)
    return DoorText(*mask_pii(text, french_nlp()))


def _visible(text: str) -> str:
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def clean_user_text(text: object) -> str:
    """Normalised text safe to hand to Rasa, or ``UnusableText``."""
    if not isinstance(text, str):
        raise UnusableText("Le message doit être du texte.")
    text = unicodedata.normalize("NFKC", _visible(_CONTROL.sub(" ", text)))
    text = _WHITESPACE.sub(" ", text).strip()
    if not text:
        raise UnusableText("Votre message est vide : décrivez l'incident ou posez votre question.")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise UnusableText(
            f"Votre message est trop long ({len(text):,} caractères ; {MAX_MESSAGE_LENGTH:,} au maximum). "
            "Pouvez-vous le raccourcir ou l'envoyer en plusieurs fois ?".replace(",", " ")
        )
    if text.startswith("/") and not is_allowed_command(text):
        text = _LEADING_SLASHES.sub("", text) or "?"
    return text
