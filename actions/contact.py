"""The contact block in one answer: "Julien Marchand, technicien informatique de garde,
julien.marchand@ch-x.fr, 06 12 34 56 78", in any order, on one line or several.

The e-mail address and the telephone number are the extractor's entities; what is
left is cut at commas, semicolons, line breaks and dashes: the part that names a
function (the roles of the lexicon, or the words after the name) is the function, the
person's name is the part made of name-like words. Only what is missing is asked after.
"""

import re
from typing import Any, Dict, Iterable, List, Optional, Tuple

from bot.nlu import lexicon
from bot.nlu.text import fold

CONTACT_FIELDS = ("declarant_name", "declarant_role", "declarant_email", "declarant_phone")
# "et" starts another item ("Marie Dupont et mon mail …"), not within a function ("directeur
# administratif et financier", "administrateur systèmes et réseaux").
_PARTS = re.compile(
    r"\s*(?:[,;\n/|]|\s[-–—]\s|\bet\b(?=\s+(?:[A-ZÀ-Ý]|mon\b|ma\b|je\b|j'|joignable|t[ée]l|mail|e-mail|au\b)))\s*"
)
# Words before a name or a number, never the start of one ("Aurore" is not "au" + "rore").
_FILLERS = re.compile(
    r"^(?:(?:je suis|je m'appelle|moi c'est|c'est|ici|mon nom(?: est)?|joignable au|au)\b"
    r"|(?:mon nom|nom|fonction|poste occupe|e-?mail|mail|tel(?:ephone)?|portable) ?:)\s*",
    re.I,
)
# A sentence, not a name nor a function: "Pardonnez-moi, je me suis trompé de numéro : c'est le …".
_SENTENCE = re.compile(r"\b(?:je|j'|me|m'|suis|mon|c'est|pardon\w*|d[ée]sol[ée]e?|excusez|tromp[ée]e?|oups)\b", re.I)
# "…, l'incident est résolu": news, not a name; in lower case only ("DSI du GHT Grand Est" is a function)
_VERB = re.compile(r"\b(?:est|sont|ont|[ée]tai(?:t|ent))\b")
# "ah, et je viens d'avoir les autres sites…": a word that starts a remark, never a name
_INTERJECTION = re.compile(
    r"(?:ah|oh|eh|euh|heu|hum|bon|ben|bah|alors|ok|okay|d'accord|attendez|tenez|tiens|pardon|au fait|oui|non)\W*",
    re.I,
)
_LABELS = re.compile(r"\b(?:tel(?:ephone)?|tél(?:éphone)?|portable|mail|e-mail|courriel|joignable)\s*:?\s*$", re.I)
_NAME_WORD = re.compile(r"^[A-ZÀ-Ý][\w'’-]*$|^(?:de|du|des|le|la|van|von|d'\w+)$")
_ROLES = [(role, [re.compile(p) for p in patterns]) for role, patterns in lexicon.ROLES]


def read_contact(text: str, entities: Iterable[Dict[str, Any]]) -> Dict[str, str]:
    """The contact fields the answer gives (email and phone from the entities)."""
    found: Dict[str, str] = {}
    spans: List[Tuple[int, int]] = []
    for entity in entities:
        if entity.get("entity") in ("declarant_email", "declarant_phone") and entity["entity"] not in found:
            found[entity["entity"]] = str(entity["value"])
            spans.append((int(entity["start"]), int(entity["end"])))
    rest = _without(text, spans)
    cleaned = [p for p in (_clean(part) for part in _PARTS.split(rest)) if p]
    parts = [p for p in cleaned if not _SENTENCE.search(p) and not _VERB.search(p) and not _INTERJECTION.fullmatch(p)]
    # beside sentences ("…, c'est pareil là-bas"), words not written as a name are the sentences' too
    told = len(parts) < len(cleaned)
    role_part = next((p for p in parts if _role_in(p)), None)
    name_part = next((p for p in parts if p is not role_part and _looks_like_a_name(p)), None)
    if name_part is None and role_part is not None:
        name_part, role_part = _split_name_and_role(role_part)
    plain = [p for p in parts if p is not role_part and p is not name_part and not re.search(r"\d", p)]
    if told and role_part is None and not found:
        plain = []
    if name_part is None and plain:
        name_part = plain.pop(0)  # the question asks for the name first
    if role_part is None and plain:
        role_part = plain.pop(0)
    if name_part:
        found["declarant_name"] = name_part
    if role_part:
        found["declarant_role"] = role_part
    return found


def _without(text: str, spans: List[Tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + "\n" + text[end:]
    return text


def _clean(part: str) -> str:
    part = _LABELS.sub("", _FILLERS.sub("", part.strip(" .:"))).strip(" .:")
    return "" if re.fullmatch(r"poste\s*\d+|\W*", part, re.I) else part


def _role_in(part: str) -> Optional[str]:
    folded = f" {fold(part)} "
    return next((role for role, patterns in _ROLES if any(p.search(folded) for p in patterns)), None)


def _looks_like_a_name(part: str) -> bool:
    words = part.split()
    return 1 < len(words) <= 4 and all(_NAME_WORD.match(w) for w in words) and not _role_in(part)


def _split_name_and_role(part: str) -> Tuple[Optional[str], str]:
    """ "Marie Dupont RSSI": the name-like words before the function."""
    words = part.split()
    for cut in range(min(4, len(words) - 1), 1, -1):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if _looks_like_a_name(head) and _role_in(tail):
            return head, tail
    return None, part
