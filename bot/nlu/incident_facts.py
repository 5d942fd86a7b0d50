"""Find the facts of a declaration in a French message, the way staff write it.

Pure Python (no Rasa): `extract_facts(text)` returns `Fact`s named after the
fields of ../shared/spec/declaration.md, with the spec's values. Dates are not
here (see `bot.nlu.french_dates`). What the words imply (health data behind a
DPI, the origin of a type...) is decided later, in `actions.understanding`.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator, List, Sequence, Tuple

from bot.nlu import lexicon
from bot.nlu.text import fold

Patterns = Sequence[Tuple[Any, Sequence[str]]]


@dataclass(frozen=True)
class Fact:
    field: str
    value: Any
    start: int
    end: int
    text: str


# field -> (lexicon table, several values allowed)
_TABLES = {
    "incident_type": (lexicon.INCIDENT_TYPE, False),
    "affected_systems": (lexicon.AFFECTED_SYSTEMS, True),
    "care_impact": (lexicon.CARE_IMPACT, False),
    "patient_endangerment": (lexicon.PATIENT_ENDANGERMENT, False),
    "health_data_involved": (lexicon.HEALTH_DATA, False),
    "data_impact": (lexicon.DATA_IMPACT, True),
    "structure_type": (lexicon.STRUCTURE_TYPE, False),
    "support_requested": (lexicon.SUPPORT_REQUESTED, False),
    "complaint_filed": (lexicon.COMPLAINT, False),
    "cnil_notified": (lexicon.CNIL, False),
    "provider_involved": (lexicon.PROVIDER, False),
    "spread_risk": (lexicon.SPREAD_RISK, False),
    "handling_status": (lexicon.HANDLING_STATUS, False),
    "is_ose": (lexicon.IS_OSE, False),
    "perimeter": (lexicon.PERIMETER, False),
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\d{2,3}[\s.-]?(?:\(0\)\s?)?\d(?:[\s.-]?\d{2}){4}|0\d(?:[\s.-]?\d{2}){4})(?!\d)"
    r"(?:\s*,?\s*(?i:poste|extension|ext\.?)\s*:?\s*\d{2,6}\b)?"  # "poste 212" stays with its number
)
_FINESS_LABELLED = re.compile(
    r"finess\w*\s*(?:est|:|=|n°|no|numero)?\s*(?:le\s+)?((?:\d|2[ab])(?:\s?[\dab]){7,10})", re.I
)
_FINESS_BARE = re.compile(r"(?<![\d+])((?:\d{2}|2[ab])\d{7})(?!\d)", re.I)
_COUNT = re.compile(
    r"(?:environ|pres de|plus de|moins de|env\.?|~|une?|au moins)?\s*"
    r"(\d{1,3}(?:[ .\u202f\u00a0]\d{3})+|\d+)\s*"
    r"(?:patients?|patientes?|residents?|residentes?|dossiers?|personnes?|usagers?|agents?|salaries?|beneficiaires?|enfants?)\b"
)
_NAME_WORDS = (
    r"(?:(?:\s+|\s*-\s*|(?<=')|\s+(?:de la|de l'|du|des|de|d'|les|le|la|l'|sur|en|et|à)\s*)"
    r"(?:(?:Sainte|Saint|Ste|St)\b|[A-ZÉÈÀÂÎÔÛÇ][\w'-]*|\d{1,3}(?=\s|$)))+"
)
# "Groupe hospitalier du Havre, site Jacques-Monod": the site is part of the name
_NAME_SITE = (
    r"(?:,?\s+site(?!\s+(?i:web|internet|intranet|wifi)\b)(?:\s+(?:de la|de l'|du|des|de|d'))?" + _NAME_WORDS + r")?"
)
_STRUCTURE_NAME = re.compile(r"(?<![\w-])" + lexicon.STRUCTURE_NAME_HEADS + _NAME_WORDS + _NAME_SITE)
_FIRST_PERSON = r"(?:\bici\b|je suis|c'est|en tant que|moi,?|nous sommes)\s+(?:l'|le |la |un |une |)"
_MEASURE = re.compile(
    r"(?:\b(?:on a|on l'a|nous avons|j'ai|la dsi a|le prestataire a|l'informaticien a|la dsi l'a)\s+(?:\w+\s+){0,2}"
    r"(?:coupe|isole|desactive|change|reinitialise|restaure|debranche|deconnecte|bloque|appele|prevenu|ferme|arrete|"
    r"redemarre|bascule|lance|active|supprime|purge|reinstalle)\w*"
    r"|\b(?:compte|poste|acces|serveur|machine|lien)s?\s+(?:\w+\s+)?(?:desactive|isole|bloque|coupe|debranche|deconnecte)\w*)"
)
_CAUSE = re.compile(
    r"(?:\bsuite a\b|\ba cause d|\ben raison d|\bclique\w* (?:hier |ce matin )?sur|\bvia un\b|"
    r"\bfaille\b|\bvulnerabilite\b|\bvpn non (?:a jour|patche)|\btravaux\b)"
)
_CLAUSE_SPLIT = re.compile(r"[.;!?\n]+|\s+puis\s+|,\s+|\s:\s")


def extract_facts(text: str) -> List[Fact]:
    folded = fold(text)
    facts: List[Fact] = []
    contacts = _contacts(text, folded)
    phones = [(f.start, f.end) for f in contacts if f.field == "declarant_phone"]
    for field, (table, many) in _TABLES.items():
        # "poste 212" after a number is an extension, not a workstation
        found = _from_table(field, table, many, text, folded)
        facts.extend(f for f in found if not any(start <= f.start < end for start, end in phones))
    facts.extend(contacts)
    facts.extend(_counts(text, folded))
    facts.extend(_structure_name(text))
    facts.extend(_role(text, folded))
    facts.extend(_clauses("measures_taken", _MEASURE, text, folded))
    facts.extend(_clauses("cause", _CAUSE, text, folded))
    return facts


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> "re.Pattern[str]":
    return re.compile(pattern)


def _matches(patterns: Sequence[str], folded: str) -> Iterator["re.Match[str]"]:
    for pattern in patterns:
        yield from _compiled(pattern).finditer(folded)


# "pas de fuite", "aucune rançon": the words say it did not happen. Not for what is missing
# ("pas d'internet", "sans accès": the outage itself).
# "pas de fuite", "il n'y a pas eu de divulgation", "sans aucune exfiltration constatée"
_NEGATED = re.compile(
    r"(?:\bpas|\baucune?|\bsans|\bni|\bjamais|\brien)\s+(?:(?:eu|ete|encore|vraiment|aucune?)\s+)*"
    r"(?:de |d'|d |du |des |la |le |l')?$"
)
_NEGATABLE = {"incident_type", "data_impact", "provider_involved"}
_NEVER_NEGATED = {"disponibilite"}


def _negated(field: str, value: Any, folded: str, match: "re.Match[str]") -> bool:
    if field not in _NEGATABLE or value in _NEVER_NEGATED:
        return False
    return bool(_NEGATED.search(folded[max(0, match.start() - 20) : match.start()]))


def _from_table(field: str, table: Patterns, many: bool, text: str, folded: str) -> List[Fact]:
    found = []
    for value, patterns in table:
        match = next((m for m in _matches(patterns, folded) if not _negated(field, value, folded, m)), None)
        if match:
            found.append(Fact(field, value, match.start(), match.end(), text[match.start() : match.end()]))
            if not many:
                break
    return found


def _contacts(text: str, folded: str) -> List[Fact]:
    facts = [Fact("declarant_email", m.group(), m.start(), m.end(), m.group()) for m in _EMAIL.finditer(text)]
    facts += [Fact("declarant_phone", m.group(), m.start(), m.end(), m.group()) for m in _PHONE.finditer(text)]
    finess = _FINESS_LABELLED.search(folded) or _FINESS_BARE.search(folded)
    if finess:
        start, end = finess.span(1)
        facts.append(Fact("finess", text[start:end], start, end, text[start:end]))
    return facts


def _counts(text: str, folded: str) -> List[Fact]:
    match = _COUNT.search(folded)
    if not match:
        return []
    number = int(re.sub(r"\D", "", match.group(1)))
    return [Fact("persons_affected", number, match.start(1), match.end(), text[match.start(1) : match.end()])]


def _structure_name(text: str) -> List[Fact]:
    match = _STRUCTURE_NAME.search(text)
    if not match:
        return []
    name = match.group().rstrip(" -'")
    return [Fact("structure_name", name, match.start(), match.start() + len(name), name)]


def _role(text: str, folded: str) -> List[Fact]:
    for role, patterns in lexicon.ROLES:
        for pattern in patterns:
            match = _compiled(_FIRST_PERSON + "(?:" + pattern + ")").search(folded)
            if match:
                return [Fact("declarant_role", role, match.start(), match.end(), text[match.start() : match.end()])]
    return []


def _clauses(field: str, pattern: "re.Pattern[str]", text: str, folded: str) -> List[Fact]:
    """The clauses of the message that say what was done, or why it happened."""
    parts = []
    start = 0
    spans = []
    for sep in _CLAUSE_SPLIT.finditer(folded):
        spans.append((start, sep.start()))
        start = sep.end()
    spans.append((start, len(folded)))
    for begin, end in spans:
        if pattern.search(folded[begin:end]):
            parts.append((begin, end))
    if not parts:
        return []
    value = " ; ".join(text[b:e].strip(" ,") for b, e in parts)
    return [Fact(field, value, parts[0][0], parts[-1][1], value)]
