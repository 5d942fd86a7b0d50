"""Requests about the conversation itself said at the end of a message: "…, j'annule", "bon, on
reprend la déclaration". The intent classifier reads the words before them (a doubt on what to
declare, a manager's opinion) and misses the request; the form then took it for an answer it
did not understand, and a declarant's name was lost that way."""

import re
from typing import Optional

from bot.nlu.text import fold

_END = r"(?:\s+(?:la|ma|cette) declaration|\s+ici|\s+la)?\s*[.!]*\s*$"
_CANCEL = re.compile(
    r"(?:(?:^|[,;.!:]\s*|\b(?:donc|alors|bon|finalement|moi)\s+)"
    r"(?:j'?annule|on annule|j'?arrete|on arrete|je laisse tomber|on laisse tomber|laissez tomber)"
    # typed fast, without the apostrophe: "bon si c pas obligatoire j arrete la"
    r"|\bj[' ]?(?:annule|arrete))" + _END
)
_RESUME = re.compile(
    r"(?:^|[,;.!:]\s*|\b(?:donc|alors|bon|finalement|oui)\s+)"
    r"(?:on reprend|je reprends|reprenons|on continue|je continue|continuons)" + _END
)


def explicit_request(text: str) -> Optional[str]:
    """ "cancel" or "resume_declaration" when the message ends with that request, else None."""
    folded = fold(text).strip()
    if _CANCEL.search(folded):
        return "cancel"
    if _RESUME.search(folded):
        return "resume_declaration"
    return None
