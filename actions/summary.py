"""What the user reads about their declaration: acknowledgements and the summary."""

from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk.executor import CollectingDispatcher

from bot.core import fields as registry
from bot.core import schema
from bot.core.french import format_incident_date_fr
from bot.core.qualification import format_obligation_fr, still_to_do
from bot.core.storage import unknown_fields

# Fields shown when understood, in this order, and in the summary's blocks.
BLOCKS = registry.summary_blocks()
SHOWN_FIELDS = [field for _, fields in BLOCKS for field in fields]
# Long texts are not repeated in acknowledgements: the user just typed them.
NOT_ACKNOWLEDGED = {f.name for f in registry.REGISTRY if not f.acknowledged}


def format_value(field: str, value: Any) -> str:
    if value in (None, "") or value == [] and field not in schema.LIST_FIELDS:
        return "non renseigné"
    if field in schema.LIST_FIELDS:  # an empty list is an answer: none (the spec)
        return ", ".join(_in_plain_words(field, v, schema.LIST_FIELDS[field]) for v in value) or "aucun"
    if field in schema.ENUM_FIELDS:
        return _in_plain_words(field, value, schema.ENUM_FIELDS[field])
    if field in schema.DATETIME_FIELDS:
        return format_incident_date_fr(datetime.fromisoformat(value))
    if field == "declarant_phone":
        return str(value).replace(";ext=", " poste ")  # RFC 3966's extension, as people write it
    return str(value)


def _in_plain_words(field: str, value: str, labels: Dict[str, str]) -> str:
    label = labels.get(value, value)
    plain = registry.PLAIN_WORDS.get(field, {}).get(value)
    return f"{label} ({plain})" if plain else label


def describe(fields: List[str], slots: Dict[str, Any]) -> str:
    return "\n".join(f"- {schema.FIELD_LABELS.get(f, f)} : {format_value(f, slots.get(f))}" for f in fields)


def acknowledge(
    dispatcher: CollectingDispatcher, before: Dict[str, Any], after: Dict[str, Any], requested: Optional[str]
) -> None:
    """Say in a few lines what a message taught us beyond the answer to the question."""
    changed = [
        f
        for f in SHOWN_FIELDS
        if f not in NOT_ACKNOWLEDGED
        and f != requested
        and after.get(f) not in (None, [])
        and after.get(f) != before.get(f)
    ]
    if not changed:
        return
    if requested in (None, "description"):
        dispatcher.utter_message(text=f"Voici ce que j'ai compris :\n{describe(changed, after)}")
        return
    corrected = [f for f in changed if replaced(before.get(f), after.get(f))]
    added = [f for f in changed if f not in corrected]
    parts = [
        f"{lead}\n{describe(fields, after)}"
        for lead, fields in (("C'est corrigé :", corrected), ("J'ai aussi noté :", added))
        if fields
    ]
    dispatcher.utter_message(text="\n".join(parts))


def still_to_do_text(obligations: List[Dict[str, Any]]) -> Optional[str]:
    """The obligations besides the declaration Vigie forwards, as a list, or None if there are none."""
    todo = still_to_do(obligations)
    if not todo:
        return None
    return "Ce qu'il vous reste à faire :\n" + "\n".join(f"- {format_obligation_fr(ob)}" for ob in todo)


def replaced(old: Any, new: Any) -> bool:
    """Whether a value was corrected, rather than given for the first time or added to."""
    if old in (None, "", [], registry.UNKNOWN):
        return False
    if isinstance(old, list) and isinstance(new, list):
        return not set(old) <= set(new)
    return old != new


def render_summary(slots: Dict[str, Any], qualification: Dict[str, Any], files: Sequence[str] = ()) -> str:
    """``files``: the labels of the files joined in the conversation, sent with the declaration."""
    parts = ["Voici votre déclaration avant envoi. Vérifiez-la :"]
    for title, fields in BLOCKS:
        shown = [f for f in fields if slots.get(f) not in (None, "", [])]
        if shown:
            parts.append(f"{title}\n{describe(shown, slots)}")
    if files:
        parts.append("Pièces jointes\n" + "\n".join(f"- {label}" for label in files))
    missing = unknown_fields(slots)
    if missing:
        labels = ", ".join(schema.FIELD_LABELS[name].lower() for name in missing)
        parts.append(f"À compléter plus tard (inconnu pour l'instant) : {labels}.")
    parts.append(qualification_sentence(qualification))
    parts.append("Tout est exact ? Répondez « oui » pour envoyer, ou dites-moi ce qu'il faut corriger.")
    return "\n\n".join(parts)


def qualification_sentence(qualification: Dict[str, Any]) -> str:
    grave, significatif = qualification.get("grave"), qualification.get("significatif")
    if grave and significatif:
        verdict = "est grave et significatif"
    elif grave:
        verdict = "est grave"
    elif significatif:
        verdict = "est significatif"
    else:
        verdict = "n'est ni grave ni significatif au sens des critères"
    reasons = "\n".join(f"- {r}" for r in qualification.get("reasons", []))
    return f"D'après ces éléments, l'incident {verdict} :\n{reasons}"
