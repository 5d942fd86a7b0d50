"""A question asked with an account of one's own incident ("notre hébergeur est en panne depuis ce
matin, on doit déclarer ?"): the declaration starts from the account (bot.nlu.components'
DescribedIncident), and the question gets the FAQ's answer first, without its invitation to describe
the incident, which the person has just done."""

import re
from typing import Any, Dict, Optional

ASKED = "asked_with_an_account"  # bot.nlu.components.ASKED, without importing Rasa
# "Pour déclarer, décrivez-moi l'incident.", "Je peux aussi recueillir votre déclaration ici : décrivez-moi…"
_INVITATION = re.compile(r"[^.!?)]*\b[dD]écrivez-moi\b[^.!?]*[.!?]")


# its answer already gives the first reflexes the form gives after a ransomware understood
REFLEXES_TOPIC = "faq/premiers_reflexes"


def asked_topic(message: Dict[str, Any]) -> Optional[str]:
    """The FAQ topic of the question asked with the account ("faq/panne_prestataire"), or None."""
    if not message.get(ASKED):
        return None
    selector = (message.get("response_selector") or {}).get("faq") or {}
    return (selector.get("response") or {}).get("intent_response_key")


def answer_first(message: Dict[str, Any], domain: Dict[str, Any]) -> Optional[str]:
    """The FAQ's answer to the question asked with the account, or None."""
    key = asked_topic(message)
    variants = (domain.get("responses") or {}).get(f"utter_{key}") if key else None
    if not variants or not variants[0].get("text"):
        return None
    return _INVITATION.sub("", variants[0]["text"]).strip() or None
