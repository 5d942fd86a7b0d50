"""The declarations list's GET form -> store filters, page number and French errors."""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Dict, List, Mapping
from urllib.parse import urlencode

from bot.core import schema

PAGE_SIZE = 50
MAX_PAGE = 10**6
NAME_MAX_LENGTH = 200

# The statuses of a submitted declaration (drafts are never stored).
STATUS_CHOICES = {key: label for key, label in schema.STATUSES.items() if key != "brouillon"}
BOOLEAN_CHOICES = {"oui": "Oui", "non": "Non"}
ENUM_CHOICES = {
    "incident_type": schema.INCIDENT_TYPES,
    "structure_type": schema.STRUCTURE_TYPES,
    "region": schema.REGIONS,
    "status": STATUS_CHOICES,
}
FORM_LABELS = {
    "since": "Déclarées à partir du",
    "until": "Déclarées jusqu'au",
    "incident_type": "Type d'incident",
    "structure_type": "Type de structure",
    "region": "Région",
    "status": "Statut",
    "grave": "Incident grave",
    "significatif": "Incident significatif",
    "structure_name": "Nom de la structure contient",
}
FORM_KEYS = tuple(FORM_LABELS)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# What a browser without a date picker lets people type.
FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass
class ListQuery:
    filters: Dict[str, Any] = field(default_factory=dict)
    values: Dict[str, str] = field(default_factory=dict)  # what the form shows again
    page: int = 1
    errors: List[str] = field(default_factory=list)

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def query_string(self, **extra: Any) -> str:
        """The filters (and ``extra``, e.g. page=2) as a query string, without empty values."""
        pairs = {**self.values, **{key: str(value) for key, value in extra.items()}}
        return urlencode({key: value for key, value in pairs.items() if value})


def _to_date(text: str) -> date:
    french = FRENCH_DATE.fullmatch(text)
    if french:
        day, month, year = (int(part) for part in french.groups())
        return date(year, month, day)
    if ISO_DATE.fullmatch(text):
        return date.fromisoformat(text)
    raise ValueError(text)


def _parse_date(key: str, text: str, query: ListQuery) -> None:
    try:
        iso = _to_date(text).isoformat()
    except ValueError:
        query.errors.append(f"{FORM_LABELS[key]} : date invalide « {text} » (format attendu JJ/MM/AAAA).")
        return
    query.filters[key] = query.values[key] = iso


def _parse_value(key: str, text: str, query: ListQuery) -> None:
    if key in ("since", "until"):
        _parse_date(key, text, query)
    elif key in ENUM_CHOICES:
        if text in ENUM_CHOICES[key]:
            query.filters[key] = text
        else:
            query.errors.append(f"{FORM_LABELS[key]} : valeur inconnue « {text} ».")
    elif key in ("grave", "significatif"):
        if text in BOOLEAN_CHOICES:
            query.filters[key] = text == "oui"
        else:
            query.errors.append(f"{FORM_LABELS[key]} : « oui » ou « non » attendu.")
    elif len(text) > NAME_MAX_LENGTH:
        query.errors.append(f"{FORM_LABELS[key]} : {NAME_MAX_LENGTH} caractères au maximum.")
    else:
        query.filters[key] = text


def _parse_page(text: str, query: ListQuery) -> None:
    if not text:
        return
    if text.isdigit() and 1 <= int(text) <= MAX_PAGE:
        query.page = int(text)
    else:
        query.errors.append(f"Numéro de page invalide « {text} » : nombre entier de 1 à {MAX_PAGE} attendu.")


def parse_list_query(params: Mapping[str, str]) -> ListQuery:
    """Empty fields are ignored (a GET form sends them all); unknown parameters too."""
    query = ListQuery()
    for key in FORM_KEYS:
        text = (params.get(key) or "").strip()
        if text:
            query.values[key] = text
            _parse_value(key, text, query)
    since, until = query.filters.get("since"), query.filters.get("until")
    if since and until and since > until:
        query.errors.append("La date de début de période doit précéder la date de fin.")
    _parse_page((params.get("page") or "").strip(), query)
    return query
