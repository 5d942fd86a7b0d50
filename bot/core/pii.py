"""Mask patient identifiers in free text before it is stored or forwarded.

Pure Python, no Rasa import. Masks NIR / INS numbers (with a valid key, or
labelled "NIR", "INS", "sécu"... whatever the key),
IPP, dates of birth, and person names that appear in a patient context
(civility patterns, plus spaCy PER entities when a French pipeline is given).
Staff names ("la secrétaire Mme Martin", "le Dr Martin") and structure names
("CH de Vierzon", "Clinique St Joseph") are left alone.
"""

from __future__ import annotations

import re
from typing import NamedTuple

NAME_MASK = "[nom masqué]"
NIR_MASK = "[NIR masqué]"
INS_MASK = "[INS masqué]"
IPP_MASK = "[IPP masqué]"
DOB_MASK = "[date de naissance masquée]"

FREE_TEXT_FIELDS = ("description", "measures_taken", "cause")
MASKS = (NAME_MASK, NIR_MASK, INS_MASK, IPP_MASK, DOB_MASK)


def masked_notice(count: int) -> str:
    """What the person is told when identifiers were masked in what they wrote."""
    what = "identifiant de patient" if count < 2 else "identifiants de patient"
    return (
        f"Par précaution, j'ai masqué {count} {what} dans votre message : "
        "la déclaration ne doit contenir aucun nom ni numéro de patient."
    )


def count_masks(text: str | None) -> int:
    """How many identifiers were masked in ``text`` (at the door or after)."""
    return sum((text or "").count(mask) for mask in MASKS)


class Span(NamedTuple):
    start: int
    end: int
    mask: str


# --------------------------------------------------------------------------
# NIR / INS
# --------------------------------------------------------------------------

# 15 significant characters, single spaces or dots allowed between them.
_NIR_CANDIDATE = re.compile(r"(?<![\w])[1-478](?:[ .]?[0-9ABab]){14}(?![\w])")
_NIR_SHAPE = re.compile(r"^[1-478]\d{4}(?:\d{2}|2[AB])\d{8}$")
_INS_CONTEXT = re.compile(r"\b(?:INS|matricule|NIA)\b[^.\n]{0,20}$", re.IGNORECASE)
# "NIR", "INS", "sécu", "n° de sécurité sociale" shortly before the number.
_NIR_LABEL = re.compile(
    r"\b(?:NIR|INS|NIA|matricule|s[ée]cu|s[ée]curit[ée]\s+sociale|n°\s*SS|num[ée]ro\s+SS)\b[^.\n]{0,20}$",
    re.IGNORECASE,
)
_CORSICA_NIR = {"2A": "19", "2B": "18"}  # INSEE convention for the key


def nir_key_ok(compact: str) -> bool:
    """True when the 2-digit key equals 97 - (13-digit number mod 97)."""
    if not _NIR_SHAPE.match(compact):
        return False
    body = compact[:5] + _CORSICA_NIR.get(compact[5:7], compact[5:7]) + compact[7:13]
    return 97 - int(body) % 97 == int(compact[13:])


def _nir_spans(text: str) -> list[Span]:
    """A NIR with a valid key, or any NIR-shaped number labelled as one (people mistype keys)."""
    spans = []
    for match in _NIR_CANDIDATE.finditer(text):
        compact = re.sub(r"[ .]", "", match.group()).upper()
        before = text[max(0, match.start() - 30) : match.start()]
        if not nir_key_ok(compact) and not (_NIR_SHAPE.match(compact) and _NIR_LABEL.search(before)):
            continue
        mask = INS_MASK if _INS_CONTEXT.search(before) else NIR_MASK
        spans.append(Span(match.start(), match.end(), mask))
    return spans


# --------------------------------------------------------------------------
# IPP and date of birth
# --------------------------------------------------------------------------

_IPP = re.compile(
    r"(?:\b(?:n°|no|num(?:éro|ero)?\.?)\s*(?:d['’]\s*)?)?\bIPP\b\s*"
    r"(?:(?:n°|no|num(?:éro|ero)?\.?)\s*)?[:=#]?\s*[A-Za-z]{0,3}\d[\dA-Za-z]{2,14}\b",
    re.IGNORECASE,
)

_MONTHS = (
    r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|"
    r"octobre|novembre|d[ée]cembre)"
)
_DATE = (
    rf"(?:\d{{1,2}}\s*[/.\-]\s*\d{{1,2}}\s*[/.\-]\s*\d{{2,4}}"
    rf"|\d{{1,2}}(?:er)?\s+{_MONTHS}\s+\d{{4}})"
)
_DOB = re.compile(
    rf"(?:\bn[ée]e?s?(?:\s*\(e\))?\s+le|\bDDN|\bdate\s+de\s+naissance)\s*[:.]?\s*({_DATE})",
    re.IGNORECASE,
)


def _ipp_spans(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), IPP_MASK) for m in _IPP.finditer(text)]


def _dob_spans(text: str) -> list[Span]:
    return [Span(m.start(1), m.end(1), DOB_MASK) for m in _DOB.finditer(text)]


# --------------------------------------------------------------------------
# Names in a patient context
# --------------------------------------------------------------------------

_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ"
_LOWER = "a-zàâäçéèêëîïôöùûüÿœ"
_NAME_WORD = rf"(?:[{_UPPER}][{_LOWER}]+|[{_UPPER}]{{2,}})(?:['’\-][{_UPPER}][{_LOWER}{_UPPER}]+)?"
_NAME = rf"{_NAME_WORD}(?:[ \t\u00a0]+{_NAME_WORD}){{0,2}}"
_CIVILITY = r"(?:M\.|Mr\.?|Mme\.?|Mlle\.?|Monsieur|Madame|Mademoiselle)"
_CIVILITY_NAME = re.compile(rf"(?<![\w.]){_CIVILITY}\s+({_NAME})")

# "le patient Dupont", "le dossier de Jean Dupont", "la résidente Durand".
_PATIENT_NOUN_NAME = re.compile(
    rf"\b(?i:patient|patiente|résident|résidente|resident|residente|usager|usagère|"
    rf"dossier(?:\s+(?:médical|medical|patient))?(?:\s+(?:de|du|d['’]))?(?:\s+(?:la\s+)?patiente?)?)"
    rf"\s+(?:{_CIVILITY}\s+)?({_NAME})",
)

_PATIENT_CONTEXT = re.compile(
    r"\b(?:patient|patiente|patients|patientes|résidente?s?|residente?s?|dossiers?|"
    r"hospitalisée?s?|hospitalise(?:e|s|es)?|admise?s?|bilans?|résultats?|resultats?|"
    r"usagers?|usagère|malades?|pensionnaires?|hébergée?s?|opérée?s?|né|née|chambre|"
    r"prise?\s+en\s+charge|séjour|sejour|examens?|ordonnances?|analyses?)\b",
    re.IGNORECASE,
)

_ROLE_WORDS = (
    r"secrétaire|secretaire|infirmi[eè]re?|aide[\s\-]soignante?|cadre|directeur|directrice|"
    r"technicien(?:ne)?|interne|biologiste|pharmacien(?:ne)?|médecin|medecin|docteur|"
    r"professeur|administrat(?:eur|rice)|collègue|collegue|agent|informaticien(?:ne)?|"
    r"ingénieur|ingenieur|responsable|manipulat(?:eur|rice)|comptable|standardiste|"
    r"sage[\s\-]femme|kiné(?:sithérapeute)?|chirurgien(?:ne)?|anesthésiste|praticien(?:ne)?|"
    r"assistante?|DPO|DSI|RSSI|IDE|IBODE|IADE|ASH|AS|PH|DIM|MERM|Dr\.?|Pr\.?"
)
# A staff role right before the name ("la secrétaire médicale Mme Martin").
_ROLE_QUALIFIERS = (
    r"médicale?|medicale?|référente?|referente?|coordinat(?:eur|rice)|supérieure?|"
    r"de\s+garde|d['’]astreinte|de\s+nuit|de\s+jour|du\s+service|de\s+l['’]accueil"
)
_ROLE_BEFORE = re.compile(
    rf"(?:^|[\s'’(])(?:{_ROLE_WORDS})(?:\s+(?:{_ROLE_QUALIFIERS})){{0,2}}\s*[.:,]?\s*$",
    re.IGNORECASE,
)
# A staff role in apposition right after ("Mme Martin, secrétaire, ...").
_ROLE_AFTER = re.compile(
    rf"^\s*(?:,|\(|-|–)\s*(?:la\s+|le\s+|l['’]\s*|notre\s+|une?\s+|sa\s+|son\s+)?(?:{_ROLE_WORDS})\b",
    re.IGNORECASE,
)
_TITLE_BEFORE = re.compile(r"(?:\bDr|\bPr|\bDocteur|\bProfesseur|\bdocteur|\bprofesseur)\.?\s*$")

# Structures: a name right after these words is a place, not a person.
_STRUCTURE_BEFORE = re.compile(
    r"(?:^|[\s'’(])(?:CH|CHU|CHR|CHRU|CHI|CHS|EPSM|EHPAD|Ehpad|ehpad|HAD|SSR|SMR|USLD|"
    r"MAS|FAM|IME|ESAT|GHT|[Cc]linique|[Pp]olyclinique|[Hh][ôo]pital|[Cc]entre(?:\s+hospitalier)?|"
    r"[Rr][ée]sidence|[Ff]oyer|[Mm]aison|[Ii]nstitut|[Ff]ondation|[Gg]roupe(?:\s+hospitalier)?|"
    r"[Ll]aboratoire|[Ll]abo|[Pp]harmacie|[Cc]abinet|[ÉéEe]tablissement|HIA|GH|St|Ste|Saint|Sainte)"
    r"(?:\s+(?:priv[ée]e?|publi(?:c|que)|universitaire|militaire|mutualiste|intercommunale?|r[ée]gionale?|"
    r"d[ée]partementale?|sp[ée]cialis[ée]e?|g[ée]n[ée]rale?|d['’]instruction\s+des\s+arm[ée]es))*"
    r"(?:\s+(?:de|du|des|d['’]|la|le|les|Les|La|Le|St|Ste|Saint|Sainte))*\s*$"
)
_STRUCTURE_START = re.compile(r"^(?:Les|La|Le|St|Ste|Saint|Sainte|Clinique|CH|CHU|EHPAD)\b")

# Capitalised words that are not names (trimmed from the end of a name match).
_NOT_NAMES = frozenset(
    {
        "IPP",
        "INS",
        "NIR",
        "DDN",
        "DPI",
        "PACS",
        "RIS",
        "SIL",
        "LAP",
        "SAMU",
        "SMUR",
        "CH",
        "CHU",
        "EHPAD",
        "HAD",
        "IDE",
        "AS",
        "DSI",
        "RSSI",
        "DPO",
        "AD",
        "VPN",
        "PC",
        "USB",
        "SAN",
        "IRM",
        "ORL",
        "ENT",
        "GHT",
        "ARS",
        "CNIL",
        "ANSSI",
        "ANSM",
        "CERT",
        "Santé",
        "Covid",
        "COVID",
        "Dr",
        "Pr",
        "Le",
        "La",
        "Les",
        "Un",
        "Une",
        "Il",
        "Elle",
        "On",
    }
)

_SENTENCE_END = re.compile(r"(?<!\bM)(?<!\bDr)(?<!\bPr)(?<!\bMme)(?<!\bMlle)[.!?;\n](?:\s|$)")
_CONTEXT_BEFORE_CHARS, _CONTEXT_AFTER_CHARS = 80, 60


def _trim_name(text: str, start: int, end: int) -> int:
    """Drop trailing words that are acronyms or common capitalised words."""
    words = list(re.finditer(r"\S+", text[start:end]))
    while words and words[-1].group() in _NOT_NAMES:
        words.pop()
    return start + words[-1].end() if words else start


def _clause_before(text: str, start: int) -> str:
    window = text[max(0, start - _CONTEXT_BEFORE_CHARS) : start]
    ends = list(_SENTENCE_END.finditer(window))
    return window[ends[-1].end() :] if ends else window


def _clause_after(text: str, end: int) -> str:
    window = text[end : end + _CONTEXT_AFTER_CHARS]
    found = _SENTENCE_END.search(window)
    return window[: found.start()] if found else window


def _is_staff_or_place(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40) : start]
    return bool(
        _TITLE_BEFORE.search(before)
        or _ROLE_BEFORE.search(before)
        or _STRUCTURE_BEFORE.search(before)
        or _ROLE_AFTER.match(text[end : end + 40])
    )


def _in_patient_context(text: str, start: int, end: int) -> bool:
    return bool(
        _PATIENT_CONTEXT.search(_clause_before(text, start)) or _PATIENT_CONTEXT.search(_clause_after(text, end))
    )


def _name_span(text: str, start: int, name_start: int, name_end: int) -> Span | None:
    """Span from ``start`` (civility included) to the trimmed name, if it is a patient."""
    end = _trim_name(text, name_start, name_end)
    if end <= name_start or _STRUCTURE_START.match(text[name_start:end]):
        return None
    if _is_staff_or_place(text, start, end) or not _in_patient_context(text, start, end):
        return None
    return Span(start, end, NAME_MASK)


def _civility_spans(text: str) -> list[Span]:
    spans = []
    for match in _CIVILITY_NAME.finditer(text):
        span = _name_span(text, match.start(), match.start(1), match.end(1))
        if span:
            spans.append(span)
    return spans


def _patient_noun_spans(text: str) -> list[Span]:
    spans = []
    for match in _PATIENT_NOUN_NAME.finditer(text):
        span = _name_span(text, match.start(1), match.start(1), match.end(1))
        if span:
            spans.append(span)
    return spans


_CIVILITY_BEFORE = re.compile(rf"{_CIVILITY}\s+$")
_NAME_WORDS = re.compile(rf"(?<![\w'’-]){_NAME_WORD}")


def _ner_spans(text: str, nlp) -> list[Span]:
    """spaCy's persons, when they read as a first name and a name: the small model also calls
    a capitalised word at a sentence's start a person ("Serveur isolé", "Potentielle, …")."""
    # Such a person holds two capitals: without them the NER is not run. It cost 8 % of the Rasa
    # process's CPU under the 50-user load, most of it on answers like "oui" or "ce matin".
    if sum(char.isupper() for char in text) < 2:
        return []
    spans = []
    for ent in nlp(text).ents:
        if ent.label_ != "PER" or len(_NAME_WORDS.findall(ent.text)) < 2:
            continue
        civility = _CIVILITY_BEFORE.search(text[max(0, ent.start_char - 14) : ent.start_char])
        start = ent.start_char - len(civility.group()) if civility else ent.start_char
        name_start = ent.start_char
        lead = re.match(rf"{_CIVILITY}\s+", ent.text)
        if lead:  # the entity already includes "Mme"
            name_start += lead.end()
        span = _name_span(text, start, name_start, ent.end_char)
        if span:
            spans.append(span)
    return spans


# --------------------------------------------------------------------------
# Assembling
# --------------------------------------------------------------------------


def _non_overlapping(spans: list[Span]) -> list[Span]:
    """Keep spans in priority order, dropping any that overlap a kept one."""
    kept: list[Span] = []
    for span in spans:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept)


def _apply(text: str, spans: list[Span]) -> str:
    for span in sorted(spans, reverse=True):
        text = text[: span.start] + span.mask + text[span.end :]
    return text


def find_pii(text: str, nlp=None) -> list[Span]:
    """Identifier spans to mask, non-overlapping, in text order."""
    spans = _nir_spans(text) + _ipp_spans(text) + _dob_spans(text)
    spans += _civility_spans(text) + _patient_noun_spans(text)
    if nlp is not None:
        spans += _ner_spans(text, nlp)
    return _non_overlapping(spans)


def mask_pii(text: str, nlp=None) -> tuple[str, int]:
    """Return the text with patient identifiers replaced, and how many were masked."""
    if not text:
        return text or "", 0
    spans = find_pii(text, nlp)
    return _apply(text, spans), len(spans)


def mask_all(fields: dict, nlp=None) -> tuple[dict, int]:
    """Mask the free-text fields of a declaration (description, measures_taken, cause)."""
    masked, total = dict(fields), 0
    for key in FREE_TEXT_FIELDS:
        value = masked.get(key)
        if isinstance(value, str) and value:
            masked[key], count = mask_pii(value, nlp)
            total += count
    return masked, total
