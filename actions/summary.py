"""What the user reads about their declaration: acknowledgements and the summary."""

import re
from datetime import datetime
from typing import Any, Dict, List, Optional

from rasa_sdk.executor import CollectingDispatcher

from actions import schema
from actions.qualification import format_datetime_fr
from actions.validators import InvalidValue

# Fields shown when understood, in this order, and in the summary's blocks.
BLOCKS = [
    ("L'incident", ["incident_type", "origin", "detected_at", "started_at", "description", "affected_systems",
                    "perimeter", "provider_involved", "handling_status", "measures_taken", "cause"]),
    ("Les impacts", ["care_impact", "patient_endangerment", "health_data_involved", "data_impact",
                     "persons_affected", "spread_risk"]),
    ("La structure", ["structure_name", "structure_type", "finess", "region", "is_ose"]),
    ("Le déclarant", ["declarant_name", "declarant_role", "declarant_email", "declarant_phone"]),
    ("Suites", ["support_requested", "complaint_filed", "cnil_notified"]),
]
SHOWN_FIELDS = [field for _, fields in BLOCKS for field in fields]
# Long texts are not repeated in acknowledgements: the user just typed them.
NOT_ACKNOWLEDGED = {"description", "measures_taken", "cause", "origin", "region"}
_LEADING_FILLERS = re.compile(
    r"^(?:(?:oui|non|alors|euh|bonjour|bjr)[ ,]+)?(?:je suis|je m'appelle|moi c'est|c'est|mon nom est|"
    r"il s'agit d[ue]|il s'agit de l'|nous sommes|on est)?\s*(?:le |la |l'|un |une )?", re.I)


def format_value(field: str, value: Any) -> str:
    if value in (None, "", []):
        return "non renseigné"
    if field in schema.LIST_FIELDS:
        return ", ".join(schema.LIST_FIELDS[field].get(v, v) for v in value) or "aucun"
    if field in schema.ENUM_FIELDS:
        return schema.ENUM_FIELDS[field].get(value, value)
    if field in schema.DATETIME_FIELDS:
        return format_datetime_fr(datetime.fromisoformat(value))
    return str(value)


def describe(fields: List[str], slots: Dict[str, Any]) -> str:
    return "\n".join(f"- {schema.FIELD_LABELS.get(f, f)} : {format_value(f, slots.get(f))}" for f in fields)


def acknowledge(dispatcher: CollectingDispatcher, before: Dict[str, Any], after: Dict[str, Any],
                requested: Optional[str]) -> None:
    """Say in a few lines what a message taught us beyond the answer to the question."""
    changed = [f for f in SHOWN_FIELDS if f not in NOT_ACKNOWLEDGED and f != requested
               and after.get(f) not in (None, []) and after.get(f) != before.get(f)]
    if not changed:
        return
    opening = requested in (None, "description")
    corrected = [f for f in changed if before.get(f) not in (None, [])]
    if opening:
        lead = "Voici ce que j'ai compris :"
    elif corrected:
        lead = "C'est corrigé :"
    else:
        lead = "J'ai aussi noté :"
    dispatcher.utter_message(text=f"{lead}\n{describe(changed, after)}")


def render_summary(slots: Dict[str, Any], qualification: Dict[str, Any]) -> str:
    parts = ["Voici votre déclaration avant envoi. Vérifiez-la :"]
    for title, fields in BLOCKS:
        shown = [f for f in fields if slots.get(f) not in (None, "", [])]
        if shown:
            parts.append(f"{title}\n{describe(shown, slots)}")
    parts.append(qualification_sentence(qualification))
    parts.append("Tout est exact ? Répondez « oui » pour envoyer, ou dites-moi ce qu'il faut corriger.")
    return "\n\n".join(parts)


def qualification_sentence(qualification: Dict[str, Any]) -> str:
    grave, significatif = qualification.get("grave"), qualification.get("significatif")
    if grave and significatif:
        verdict = "grave et significatif"
    elif grave:
        verdict = "grave"
    elif significatif:
        verdict = "significatif"
    else:
        verdict = "ni grave ni significatif au sens des critères"
    reasons = "\n".join(f"- {r}" for r in qualification.get("reasons", []))
    return f"D'après ces éléments, l'incident est {verdict} :\n{reasons}"


# --- cleaning of free-text answers -------------------------------------------------

def clean_short_text(value: Any) -> str:
    text = _strip_fillers(value)
    if not text or len(text) > 120:
        raise InvalidValue("Répondez en quelques mots, par exemple « RSSI » ou « cadre de santé ».")
    return text


def clean_person_name(value: Any) -> str:
    text = _strip_fillers(value)
    text = re.split(r"[,;\n]| et (?:mon|ma)\b|\s\S+@\S+|\s(?:\+|0)\d", text)[0].strip(" .")
    words = text.split()
    if not words or len(words) > 6 or re.search(r"[\d@?!]", text):
        raise InvalidValue("Je n'ai pas reconnu un nom. Indiquez votre prénom et votre nom, par exemple « Marie Dupont ».")
    return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words)


def clean_structure_name(value: Any) -> str:
    text = _strip_fillers(value).strip(" .")
    if len(text) < 2 or len(text) > 150:
        raise InvalidValue("Indiquez le nom de la structure, par exemple « CH de Vierzon » ou « EHPAD Les Tilleuls ».")
    return text[0].upper() + text[1:]


def _strip_fillers(value: Any) -> str:
    return _LEADING_FILLERS.sub("", str(value or "").strip(), count=1).strip()
