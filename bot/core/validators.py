"""Normalisers for the values a declarant types (pure Python, no Rasa import).

Each function returns the normalised value or raises ``InvalidValue`` whose
``message`` is a short French sentence, addressed with "vous", that the
assistant can show as is before letting the user retry or skip.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Optional

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bot.core.paris_time import as_paris, said_without_hour


class InvalidValue(ValueError):
    """A value the user gave cannot be accepted; ``message`` says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------
# FINESS
# --------------------------------------------------------------------------

# Département -> ARS region (spec identifiers). 94 numeric départements
# (01-95 without 20) + 2A/2B + the five overseas regions.
_REGION_DEPARTEMENTS = {
    "auvergne_rhone_alpes": "01 03 07 15 26 38 42 43 63 69 73 74",
    "bourgogne_franche_comte": "21 25 39 58 70 71 89 90",
    "bretagne": "22 29 35 56",
    "centre_val_de_loire": "18 28 36 37 41 45",
    "corse": "2A 2B",
    "grand_est": "08 10 51 52 54 55 57 67 68 88",
    "hauts_de_france": "02 59 60 62 80",
    "ile_de_france": "75 77 78 91 92 93 94 95",
    "normandie": "14 27 50 61 76",
    "nouvelle_aquitaine": "16 17 19 23 24 33 40 47 64 79 86 87",
    "occitanie": "09 11 12 30 31 32 34 46 48 65 66 81 82",
    "pays_de_la_loire": "44 49 53 72 85",
    "provence_alpes_cote_d_azur": "04 05 06 13 83 84",
    # Saint-Barthélemy (977) and Saint-Martin (978) depend on ARS Guadeloupe.
    "guadeloupe": "971 977 978",
    "martinique": "972",
    "guyane": "973",
    "la_reunion": "974",
    "mayotte": "976",
}
DEPARTEMENT_REGION = {dep: region for region, deps in _REGION_DEPARTEMENTS.items() for dep in deps.split()}

_FINESS_SEPARATORS = re.compile(r"[\s.\-_/\u00a0\u202f]")
_FINESS_SHAPE = re.compile(r"^(?:0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-578])\d{7}$")
# A number among words ("970302022 je crois", "c'est le 750 712 184"): digit groups, one separator apart.
_FINESS_IN_WORDS = re.compile(r"(?<!\w)(?:2[AB]|\d)(?:[\s.\-/\u00a0\u202f]?\d)+(?!\w)", re.I)

# Corsica (2A/2B). The FINESS key is a Luhn key on the first 8 characters,
# the letter read as its rank in the alphabet (2A -> 21, 2B -> 22): checked on
# every Corsican number of the FINESS register (490 of 490 pass, none passes
# with 20 or with the NIR's 19/18).
_CORSICA_SUBSTITUTIONS = {"2A": "21", "2B": "22"}
# Overseas FINESS numbers start with 970x (98xx for Mayotte), not with the
# INSEE code: read off the register (9701 Guadeloupe ... 9805 Mayotte).
_FINESS_OVERSEAS = {"9701": "971", "9702": "972", "9703": "973", "9704": "974", "9705": "975", "9805": "976"}

_FINESS_LENGTH_MSG = (
    "Un numéro FINESS compte 9 caractères (par exemple 750 712 184) ; "
    "j'en ai lu {n}. Vérifiez-le, ou passez cette question si vous ne l'avez pas."
)
_FINESS_NO_NUMBER_MSG = (
    "Je ne vois pas de numéro dans votre réponse : un numéro FINESS compte 9 caractères (par exemple 750 712 184)."
)
_FINESS_SHAPE_MSG = (
    "Ce numéro FINESS ne semble pas valide : il doit commencer par le numéro "
    "du département (01 à 95, 2A, 2B ou 97x outre-mer) et ne contenir que des chiffres. "
    "Vérifiez les 9 caractères."
)
_FINESS_KEY_MSG = (
    "Ce numéro FINESS ne semble pas valide : sa clé de contrôle ne correspond pas. Vérifiez les 9 caractères."
)


def luhn_ok(digits: str) -> bool:
    """True when the digit string (check digit last) passes the Luhn test."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _finess_key_ok(finess: str) -> bool:
    head = finess[:2]
    return luhn_ok(_CORSICA_SUBSTITUTIONS.get(head, head) + finess[2:])


def finess_key(first_eight: str) -> str:
    """The check character completing the first eight characters of a FINESS number."""
    head = first_eight[:2].upper()
    digits = _CORSICA_SUBSTITUTIONS.get(head, head) + first_eight[2:]
    return next(str(key) for key in range(10) if luhn_ok(digits + str(key)))


def normalize_finess(text: str) -> str:
    """Return the 9-character FINESS number ("750712184", "2A0001234")."""
    compact = _FINESS_SEPARATORS.sub("", str(text or "")).upper()
    numbers = _FINESS_IN_WORDS.findall(str(text or ""))
    if len(compact) != 9 and len(numbers) == 1:
        compact = _FINESS_SEPARATORS.sub("", numbers[0]).upper()
    if compact and not any(c.isdigit() for c in compact):
        raise InvalidValue(_FINESS_NO_NUMBER_MSG)
    if len(compact) != 9:
        raise InvalidValue(_FINESS_LENGTH_MSG.format(n=len(compact)))
    if not _FINESS_SHAPE.match(compact):
        raise InvalidValue(_FINESS_SHAPE_MSG)
    if not _finess_key_ok(compact):
        raise InvalidValue(_FINESS_KEY_MSG)
    return compact


def departement_from_finess(finess: str) -> str:
    """The département code a FINESS number starts with ("75", "2A", "974")."""
    compact = _FINESS_SEPARATORS.sub("", str(finess or "")).upper()
    if compact[:4] in _FINESS_OVERSEAS:
        return _FINESS_OVERSEAS[compact[:4]]
    return compact[:3] if compact[:2] in ("97", "98") else compact[:2]


def region_from_finess(finess: str) -> str | None:
    """ARS region identifier for the FINESS département, or None if unknown."""
    return DEPARTEMENT_REGION.get(departement_from_finess(finess))


# The overseas regions a telephone number tells by its own numbering plan (Saint-Barthélemy and
# Saint-Martin depend on the ARS of Guadeloupe); a metropolitan number tells no region.
_OVERSEAS_BY_NUMBER = {
    "GP": "guadeloupe",
    "BL": "guadeloupe",
    "MF": "guadeloupe",
    "MQ": "martinique",
    "GF": "guyane",
    "RE": "la_reunion",
    "YT": "mayotte",
}


# The same numbers written in the national plan (0590…, 0696…) and stored under +33.
_OVERSEAS_PREFIXES = {
    "guadeloupe": ("590", "690", "691"),
    "martinique": ("596", "696", "697"),
    "guyane": ("594", "694"),
    "la_reunion": ("262", "263", "692", "693"),
    "mayotte": ("269", "639"),
}
_OVERSEAS_CODES = {"guadeloupe": 590, "martinique": 596, "guyane": 594, "la_reunion": 262, "mayotte": 262}
# 06 39 98 xx xx: the mobiles ARCEP keeps for fiction and examples, metropolitan although 0639 is Mayotte's
_FICTION_MOBILES = "63998"


def region_from_phone(phone: str) -> str | None:
    """ARS region of an overseas telephone number (E.164, as stored), or None."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None
    region = _OVERSEAS_BY_NUMBER.get(phonenumbers.region_code_for_number(number) or "")
    if region or number.country_code not in (33, *_OVERSEAS_CODES.values()):
        return region
    return _prefix_region(number)


def _prefix_region(number: phonenumbers.PhoneNumber) -> str | None:
    """The overseas region whose prefix of the national plan the number starts with, or None
    (ARCEP's fiction range too: it is metropolitan)."""
    national = str(number.national_number)
    if national.startswith(_FICTION_MOBILES):
        return None
    return next((r for r, prefixes in _OVERSEAS_PREFIXES.items() if national.startswith(prefixes)), None)


# --------------------------------------------------------------------------
# Phone and e-mail
# --------------------------------------------------------------------------

_PHONE_MSG = (
    "Ce numéro de téléphone ne semble pas valide. Indiquez-le par exemple sous la "
    "forme 06 12 34 56 78, ou +32 2 123 45 67 pour un numéro étranger."
)
_EMAIL_MSG = "Cette adresse e-mail ne semble pas valide. Vérifiez-la (par exemple prenom.nom@ch-exemple.fr)."


# A ten-digit national number ("0696 12 34 56") may be from an overseas département, which has
# its own country code: after metropolitan France, these regions are tried in turn.
_PHONE_REGIONS = ("FR", "RE", "YT", "GP", "MQ", "GF", "PM", "BL", "MF")
_EMAIL_IN_TEXT = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def normalize_phone(text: str) -> str:
    """The number in E.164 form ("+33612345678"), also when written inside a longer answer
    ("Marie Dupont, RSSI, 06 12 34 56 78"). A number no region's plan knows but of the right
    length is kept (plans lag behind attributions): a declarant is never stuck on it."""
    numbers = _phone_numbers(str(text or ""))
    chosen = next((n for n in numbers if phonenumbers.is_valid_number(n)), None)
    possible = (n for n in numbers if phonenumbers.is_possible_number(n) and n.country_code == 33)
    # "0596 51 38 47" is also a valid metropolitan pattern for the library: its prefix says Martinique
    chosen = _overseas(chosen or next(possible, None))
    if chosen is None:
        raise InvalidValue(_PHONE_MSG)
    number = phonenumbers.format_number(chosen, phonenumbers.PhoneNumberFormat.E164)
    extension = chosen.extension or _extension(str(text or ""))
    # E.164 has no room for an extension: RFC 3966's parameter keeps "poste 212" with the number
    return f"{number};ext={extension}" if extension else number


def _overseas(number: Optional[phonenumbers.PhoneNumber]) -> Optional[phonenumbers.PhoneNumber]:
    """ "0694 39 98 11", in no plan the library knows yet, is still a number of Guyane (0694 is
    its prefix in the national plan): +594, never +33, where it would ring nowhere."""
    if number is None or number.country_code != 33:
        return number
    region = _prefix_region(number)
    if region is None:
        return number
    return phonenumbers.PhoneNumber(
        country_code=_OVERSEAS_CODES[region], national_number=number.national_number, extension=number.extension
    )


def _extension(text: str) -> Optional[str]:
    match = _EXTENSION.search(text)
    return match.group(1) if match else None


_EXTENSION = re.compile(r"\b(?:poste|extension|ext\.?|p\.)\s*:?\s*(\d{2,6})\b", re.I)


def _phone_numbers(text: str) -> list:
    """The text read as one number, then the numbers found in it, in each region of _PHONE_REGIONS."""
    found = []
    for region in _PHONE_REGIONS:
        try:
            found.append(phonenumbers.parse(text.strip(), region))
        except phonenumbers.NumberParseException:
            pass
        leniency = phonenumbers.Leniency.POSSIBLE
        found += [match.number for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency)]
    return found


def normalize_email(text: str) -> str:
    """The address with its domain lower-cased (syntax check only), also when written inside a
    longer answer ("mon mail : marie.dupont@ch-exemple.fr")."""
    text = str(text or "").strip()
    for candidate in [text, *_EMAIL_IN_TEXT.findall(text)]:
        try:
            info = validate_email(candidate.strip(".,;:"), check_deliverability=False)
        except EmailNotValidError:
            continue
        return f"{info.local_part}@{info.domain.lower()}"
    raise InvalidValue(_EMAIL_MSG)


# --------------------------------------------------------------------------
# Counts ("environ 1 200 dossiers", "trente-sept", "une quarantaine")
# --------------------------------------------------------------------------

MAX_COUNT = 100_000_000

_COUNT_UNKNOWN_MSG = (
    "Je n'ai pas compris ce nombre. Pouvez-vous l'indiquer en chiffres, par exemple 120 ? Une estimation suffit."
)
_COUNT_NEGATIVE_MSG = "Le nombre ne peut pas être négatif. Indiquez une estimation, par exemple 120."
_COUNT_TOO_BIG_MSG = (
    "Ce nombre paraît trop élevé (plus de 100 millions). Vérifiez-le : "
    "une estimation du nombre de personnes ou de dossiers suffit."
)

_UNITS = {
    "zero": 0,
    "zéro": 0,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
}
_APPROXIMATE = {
    "dizaine": 10,
    "douzaine": 12,
    "quinzaine": 15,
    "vingtaine": 20,
    "trentaine": 30,
    "quarantaine": 40,
    "cinquantaine": 50,
    "soixantaine": 60,
    "centaine": 100,
    "millier": 1000,
}
_MULTIPLIERS = {"mille": 1000, "milliers": 1000, "million": 1_000_000, "millions": 1_000_000}
_NUMBER_WORDS = set(_UNITS) | {"vingt", "vingts", "cent", "cents", "mille", "million", "millions"}
# "Aucun", "personne", "pas de patient": none, when the answer names no number.
_NONE = re.compile(r"^\W*(?:aucun\w*(?!\s+id[eé]e)|personne(?!\s+n)|nul(?:le)?|pas de|pas d'|rien)\b", re.IGNORECASE)

_DIGITS = re.compile(
    r"(?<![\d,.])(-\s*)?(\d{1,3}(?:[ .\u00a0\u202f]\d{3})+|\d+)(?:[,.](\d+))?"
    r"(?:\s*(mille|milliers|millions?))?",
    re.IGNORECASE,
)
_APPROX = re.compile(
    r"\b(une?|deux|trois|quatre|cinq|six|sept|huit|neuf|\d+)\s+(" + "|".join(_APPROXIMATE) + r")s?\b",
    re.IGNORECASE,
)


def _digits_value(match: re.Match) -> int:
    value = float(re.sub(r"\D", "", match.group(2)) + "." + (match.group(3) or "0"))
    multiplier = _MULTIPLIERS.get((match.group(4) or "").lower(), 1)
    return int(round(value * multiplier))


def _words_value(words: list[str]) -> int:
    """Value of French number words: ["quatre", "vingt", "dix", "sept"] -> 97."""
    total, current = 0, 0
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
        elif word in ("vingt", "vingts"):
            current = current - 4 + 80 if current % 100 == 4 else current + 20
        elif word in ("cent", "cents"):
            current = (current or 1) * 100 if current < 100 else current + 100
        elif word in _MULTIPLIERS:
            total += (current or 1) * _MULTIPLIERS[word]
            current = 0
    return total + current


def _number_word_runs(text: str) -> list[list[str]]:
    tokens = re.findall(r"[a-zàâäéèêëîïôöûüç]+", text.lower().replace("-", " "))
    runs: list[list[str]] = []
    run: list[str] = []
    for token in tokens:
        if token in _NUMBER_WORDS or (token == "et" and run):
            run.append(token)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return [[w for w in r if w != "et"] for r in runs if r != ["et"]]


def _approximate_value(text: str) -> int | None:
    match = _APPROX.search(text)
    if not match:
        return None
    factor = match.group(1).lower()
    count = int(factor) if factor.isdigit() else _UNITS.get(factor, 1)
    return count * _APPROXIMATE[match.group(2).lower()]


def _count_value(text: str) -> int | None:
    approximate = _approximate_value(text)
    if approximate is not None:
        return approximate
    match = _DIGITS.search(text)
    if match:
        if match.group(1):
            raise InvalidValue(_COUNT_NEGATIVE_MSG)
        return _digits_value(match)
    runs = _number_word_runs(text)
    if runs:
        return _words_value(max(runs, key=len))
    return 0 if _NONE.match(text) else None


def parse_count(text) -> int:
    """An estimated count from free text: "environ 80 résidents" -> 80."""
    if isinstance(text, bool):
        raise InvalidValue(_COUNT_UNKNOWN_MSG)
    value: Optional[int]
    if isinstance(text, (int, float)):
        value = int(text)
    else:
        value = _count_value(str(text or ""))
    if value is None:
        raise InvalidValue(_COUNT_UNKNOWN_MSG)
    if value < 0:
        raise InvalidValue(_COUNT_NEGATIVE_MSG)
    if value > MAX_COUNT:
        raise InvalidValue(_COUNT_TOO_BIG_MSG)
    return value


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

FUTURE_TOLERANCE = timedelta(minutes=5)

_FUTURE_MSG = (
    "La date de détection ne peut pas être dans le futur. Indiquez quand "
    "l'incident a été constaté, par exemple « ce matin vers 7 h »."
)
_START_AFTER_MSG = (
    "Le début de l'incident ({started}) ne peut pas être postérieur à sa détection "
    "({detected}). Vérifiez l'heure de début, ou répondez « je ne sais pas »."
)


def _utc(value: datetime) -> datetime:
    """Compare instants in UTC (same-zone aware datetimes compare by wall clock)."""
    return as_paris(value).astimezone(timezone.utc)


def _short_fr(value: datetime) -> str:
    local = as_paris(value)
    return f"{local:%d/%m/%Y} à {local.hour} h {local.minute:02d}"


def check_detected_at(value: datetime, now: datetime | None = None) -> datetime:
    """Refuse a detection date in the future (5-minute tolerance)."""
    now = _utc(now) if now is not None else datetime.now(timezone.utc)
    if _utc(value) > now + FUTURE_TOLERANCE:
        raise InvalidValue(_FUTURE_MSG)
    return value


def check_started_at(started: datetime | None, detected: datetime | None) -> datetime | None:
    """Refuse a start date later than the detection date; None stays None. A detection kept
    without its hour (at midnight: "ce matin") bounds the start by its day only."""
    if started is None or detected is None:
        return started
    if said_without_hour(detected):
        late = as_paris(started).date() > as_paris(detected).date()
    else:
        late = _utc(started) > _utc(detected)
    if late:
        raise InvalidValue(_START_AFTER_MSG.format(started=_short_fr(started), detected=_short_fr(detected)))
    return started
