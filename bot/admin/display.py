"""How declarations read in the pages: the official form's four blocks, French values."""

from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from bot.core import fields as registry
from bot.core import schema
from bot.core.fields import SpecBlock
from bot.core.french import format_datetime_fr, format_incident_date_fr
from bot.core.paris_time import parse_paris as parse_datetime
from bot.core.qualification import format_obligation_fr

# The form annexed to the arrêté du 30 octobre 2017: the spec's blocks A and B together, then C, D and E.
_TITLES = {
    SpecBlock.STRUCTURE: "Structure et déclarant",
    SpecBlock.DECLARANT: "Structure et déclarant",
    SpecBlock.INCIDENT: "Description de l'incident",
    SpecBlock.IMPACTS: "Impacts",
    SpecBlock.FOLLOW_UP: "Causes et suites",
}


def _official_blocks() -> List[Tuple[str, List[str]]]:
    blocks: Dict[str, List[str]] = {}
    for block, names in registry.spec_blocks():
        blocks.setdefault(_TITLES[block], []).extend(names)
    return list(blocks.items())


BLOCKS: List[Tuple[str, List[str]]] = _official_blocks()
RECORD_FIELDS = ["reference", "status", "channel", "created_at", "submitted_at", "updated_at", "pii_masked"]
DATETIME_FIELDS = set(schema.DATETIME_FIELDS) | {"created_at", "submitted_at", "updated_at"}
ENUMS: Dict[str, Dict[str, str]] = {
    **schema.ENUM_FIELDS,
    **schema.LIST_FIELDS,
    "status": schema.STATUSES,
    "channel": schema.CHANNELS,
}
TRANSMISSION_STATES = {"en_attente": "En attente", "transmise": "Transmise", "echec": "Échec"}
TRANSMISSION_KINDS = {"initiale": "Déclaration initiale", "complement": "Complément", "piece_jointe": "Pièce jointe"}
NOT_GIVEN = "Non renseigné"
SHORT_DATETIME_FORMAT = "%d/%m/%Y %H:%M"  # Paris time, in tables and spreadsheets
TO_COMPLETE = "À compléter"


def as_datetime(value: Any) -> Optional[datetime]:
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        return None


def datetime_fr(value: Any) -> str:
    """ "jeudi 3 décembre 2026 à 6 h 00", or "Non renseigné"."""
    moment = as_datetime(value)
    return format_datetime_fr(moment) if moment else NOT_GIVEN


def datetime_short(value: Any) -> str:
    """ "03/12/2026 06:00" (Paris time), for tables."""
    moment = as_datetime(value)
    return moment.strftime(SHORT_DATETIME_FORMAT) if moment else "—"


def number_fr(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def field_value(name: str, value: Any) -> str:
    """The French text of one field's value."""
    if name in schema.LIST_FIELDS:
        if value is None:
            return NOT_GIVEN
        return ", ".join(ENUMS[name].get(item, item) for item in value) or "Aucun"
    if value is None or value == "":
        return NOT_GIVEN
    if name in schema.DATETIME_FIELDS:
        moment = as_datetime(value)
        return format_incident_date_fr(moment) if moment else NOT_GIVEN
    if name in DATETIME_FIELDS:
        return datetime_fr(value)
    if name in ENUMS:
        return ENUMS[name].get(value, value)
    if isinstance(value, int) and not isinstance(value, bool):
        return number_fr(value)
    return str(value)


def history_rows(changes: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    """The declarant's completions (``DeclarationStore.changes``), in French."""
    return [
        {
            "at": datetime_fr(c["changed_at"]),
            "field": schema.FIELD_LABELS.get(c["field"], c["field"]),
            "old": field_value(c["field"], c["old_value"]),
            "new": field_value(c["field"], c["new_value"]),
        }
        for c in changes
    ]


def blocks(declaration: Dict[str, Any]) -> List[Tuple[str, List[Tuple[str, str]]]]:
    """[(block title, [(label, value), ...]), ...] in the form's order; a required field the
    declarant did not know reads "À compléter"."""
    to_complete = set(declaration.get("unknown_fields") or [])

    def shown(name: str) -> str:
        return TO_COMPLETE if name in to_complete else field_value(name, declaration.get(name))

    return [(title, [(schema.FIELD_LABELS[name], shown(name)) for name in names]) for title, names in BLOCKS]


def record_rows(declaration: Dict[str, Any]) -> List[Tuple[str, str]]:
    return [(schema.FIELD_LABELS[name], field_value(name, declaration.get(name))) for name in RECORD_FIELDS]


def obligations_fr(declaration: Dict[str, Any]) -> List[str]:
    return [format_obligation_fr(item) for item in declaration.get("obligations") or []]


def transmission_state(declaration: Dict[str, Any]) -> str:
    transmission = declaration.get("transmission")
    if not transmission:
        return "Aucune"
    return TRANSMISSION_STATES.get(transmission.get("state"), transmission.get("state") or "Aucune")


def transmission_rows(declaration: Dict[str, Any]) -> List[Tuple[str, str]]:
    transmission = declaration.get("transmission")
    if not transmission:
        return [("État", "Aucune transmission")]
    rows = [
        ("État", transmission_state(declaration)),
        ("Nature", TRANSMISSION_KINDS.get(transmission.get("kind"), transmission.get("kind") or NOT_GIVEN)),
        ("Tentatives", str(transmission.get("attempts") or 0)),
        ("Transmise le", datetime_fr(transmission.get("transmitted_at"))),
        ("Accusé de réception", transmission.get("receipt") or NOT_GIVEN),
    ]
    if transmission.get("last_error"):
        rows.append(("Dernière erreur", transmission["last_error"]))
    return rows


def yes_no(value: Any) -> str:
    return "Oui" if value else "Non"
