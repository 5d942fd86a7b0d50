"""Where a declaration stands: stored, being forwarded, transmitted, or failed.

Only declarations made in this conversation are reported: a reference from
elsewhere gets the same answer as an unknown one, so nothing leaks.
"""

import asyncio
import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.qualification import format_datetime_fr
from actions.storage import parse_datetime
from actions import submission

logger = logging.getLogger(__name__)

REFERENCE_IN_TEXT = re.compile(r"\bSSI-\d{4}-\d{6,}\b", re.IGNORECASE)
NOT_FOUND = ("Je ne trouve pas de déclaration faite dans cette conversation sous cette référence. "
             "Je ne donne le suivi que des déclarations faites ici ; pour une autre, "
             "adressez-vous à CERT Santé en donnant sa référence.")


def asked_reference(text: str, last_reference: Optional[str]) -> Optional[str]:
    found = REFERENCE_IN_TEXT.search(text or "")
    return found.group(0).upper() if found else last_reference


def status_sentence(declaration: Dict[str, Any]) -> str:
    reference = declaration["reference"]
    transmission = declaration.get("transmission") or {}
    state = transmission.get("state")
    if state == "transmise":
        when = format_datetime_fr(parse_datetime(transmission["transmitted_at"]))
        receipt = transmission.get("receipt")
        return (f"La déclaration {reference} a été transmise à CERT Santé le {when}"
                + (f" (accusé de réception {receipt})." if receipt else ".")
                + " CERT Santé l'analyse et peut vous rappeler.")
    if state == "echec":
        return (f"La déclaration {reference} est bien enregistrée, mais sa transmission automatique a échoué. "
                "L'équipe qui exploite Vigie est alertée et la relancera. Si l'incident est majeur, "
                f"appelez CERT Santé en donnant la référence {reference}.")
    attempts = transmission.get("attempts") or 0
    if attempts > 1:
        return (f"La déclaration {reference} est bien enregistrée. Sa transmission à CERT Santé n'a pas encore "
                f"abouti ({attempts} tentatives) : Vigie réessaie automatiquement, rien n'est perdu.")
    return (f"La déclaration {reference} est bien enregistrée ; sa transmission à CERT Santé est en cours. "
            "Redemandez-moi dans une minute.")


class ActionDeclarationStatus(Action):
    def name(self) -> Text:
        return "action_declaration_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reference = asked_reference(tracker.latest_message.get("text"), tracker.get_slot("last_reference"))
        if reference is None:
            dispatcher.utter_message(text="Vous n'avez pas encore envoyé de déclaration dans cette conversation. "
                                          "Pour en faire une, décrivez simplement l'incident.")
            return []
        try:
            declaration = await asyncio.to_thread(submission.store().get_in_conversation, reference, tracker.sender_id)
        except Exception as error:  # noqa: BLE001 - the database is down: say so, nothing else
            logger.error("declaration status unavailable: %s", type(error).__name__)
            dispatcher.utter_message(text="Je ne peux pas consulter les déclarations pour le moment. "
                                          "Réessayez dans quelques minutes.")
            return []
        if declaration is None:
            dispatcher.utter_message(text=NOT_FOUND)
            return []
        dispatcher.utter_message(text=status_sentence(declaration))
        return []
