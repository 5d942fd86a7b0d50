"""How declarations read in the pages: the official form's four blocks, French values."""

from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from actions import schema
from actions.qualification import format_datetime_fr, format_obligation_fr, parse_datetime

# The form annexed to the arrêté du 30 octobre 2017 (declaration.md, blocks A-E of the spec).
BLOCKS: List[Tuple[str, List[str]]] = [
    ("Structure et déclarant", [
        "structure_name", "finess", "structure_type", "region", "is_ose",
        "declarant_name", "declarant_role", "declarant_email", "declarant_phone",
    ]),
    ("Description de l'incident", [
        "detected_at", "started_at", "incident_type", "origin", "description", "perimeter",
        "affected_systems", "provider_involved", "handling_status", "measures_taken",
    ]),
    ("Impacts", [
        "care_impact", "patient_endangerment", "data_impact", "health_data_involved",
        "persons_affected", "spread_risk",
    ]),
    ("Causes et suites", ["cause", "support_requested", "complaint_filed", "cnil_notified"]),
]
RECORD_FIELDS = ["reference", "status", "channel", "created_at", "submitted_at", "updated_at", "pii_masked"]
DATETIME_FIELDS = set(schema.DATETIME_FIELDS) | {"created_at", "submitted_at", "updated_at"}
ENUMS: Dict[str, Dict[str, str]] = {
    **schema.ENUM_FIELDS,
    **schema.LIST_FIELDS,
    "status": schema.STATUSES,
    "channel": schema.CHANNELS,
}
TRANSMISSION_STATES = {"en_attente": "En attente", "transmise": "Transmise", "echec": "Échec"}
TRANSMISSION_KINDS = {"initiale": "Déclaration initiale", "complement": "Complément"}
NOT_GIVEN = "Non renseigné"


def as_datetime(value: Any) -> Optional[datetime]:
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        return None


def datetime_fr(value: Any) -> str:
    """"jeudi 3 décembre 2026 à 6 h 00", or "Non renseigné"."""
    moment = as_datetime(value)
    return format_datetime_fr(moment) if moment else NOT_GIVEN


def datetime_short(value: Any) -> str:
    """"03/12/2026 06:00" (Paris time), for tables."""
    moment = as_datetime(value)
    return moment.strftime("%d/%m/%Y %H:%M") if moment else "—"


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
    if name in DATETIME_FIELDS:
        return datetime_fr(value)
    if name in ENUMS:
        return ENUMS[name].get(value, value)
    if isinstance(value, int) and not isinstance(value, bool):
        return number_fr(value)
    return str(value)


def history_rows(changes: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    """The declarant's completions (``DeclarationStore.changes``), in French."""
    return [{"at": datetime_fr(c["changed_at"]), "field": schema.FIELD_LABELS.get(c["field"], c["field"]),
             "old": field_value(c["field"], c["old_value"]), "new": field_value(c["field"], c["new_value"])}
            for c in changes]


def blocks(declaration: Dict[str, Any]) -> List[Tuple[str, List[Tuple[str, str]]]]:
    """[(block title, [(label, value), ...]), ...] in the form's order."""
    return [
        (title, [(schema.FIELD_LABELS[name], field_value(name, declaration.get(name))) for name in names])
        for title, names in BLOCKS
    ]


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
