"""Text helpers shared by the French extractors."""

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
