"""Text helpers shared by the French extractors."""

import re
import unicodedata

_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"}
_SPACES = {"\u00a0": " ", "\u202f": " ", "\t": " "}


def fold(text: str) -> str:
    """Lower-case and strip accents, keeping every character at its offset.

    Offsets must survive so that entity start/end point into the original
    message; hence one output character per input character.
    """
    out = []
    for char in text:
        char = _APOSTROPHES.get(char, _SPACES.get(char, char))
        base = unicodedata.normalize("NFD", char)[0].lower()
        out.append(base if len(base) == 1 else char)
    return "".join(out)


QUESTION_START = re.compile(
    r"^(?:c'est quoi|qu'est[- ]ce|est[- ]ce qu|pourquoi\b|comment\b|combien\b|quel(?:le)?s?\b|qui\b|que\b|quoi\b"
    r"|doit[- ]on|faut[- ]il|dois[- ]je|doit[- ]il|peut[- ]on|puis[- ]je|a[- ]t[- ]on|y a[- ]t[- ]il|ou est|ou en)"
)


def is_question(text: str) -> bool:
    """Whether the message asks something (a question mark, ending it or a sentence of it: "on a
    combien de temps ? je ne voudrais pas…"; or the way French questions start)."""
    folded = fold(text).strip()
    return folded.endswith("?") or "? " in folded or QUESTION_START.match(folded) is not None
