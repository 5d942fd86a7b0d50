"""Where a declaration stands: stored, being forwarded, transmitted, or failed.

A declaration made in this conversation is reported at once; any other
reference, known or not, first goes through the declarant's e-mail check
(actions/access.py), so nothing leaks.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import access
from bot.core import french as fr
from bot.core import schema
from bot.core.french import format_datetime_fr
from bot.core.qualification import ON_CALL_PAGE, PORTAL
from bot.core.storage import parse_datetime


def status_sentence(declaration: Dict[str, Any]) -> str:
    channel = schema.CHANNELS.get(declaration.get("channel"), declaration.get("channel"))
    return f"{_transmission_sentence(declaration)} (Déclaration faite depuis : {fr.lower_first(channel)}.)"


def _transmission_sentence(declaration: Dict[str, Any]) -> str:
    reference = declaration["reference"]
    transmission = declaration.get("transmission") or {}
    state = transmission.get("state")
    if transmission.get("kind") == "complement":
        reference = f"{reference} (son dernier complément)"
    if state == "transmise":
        when = format_datetime_fr(parse_datetime(transmission["transmitted_at"]))
        receipt = transmission.get("receipt")
        return (
            f"La déclaration {reference} a été transmise à CERT Santé le {when}"
            + (f" (accusé de réception {receipt})." if receipt else ".")
            + " CERT Santé l'analyse et peut vous rappeler."
        )
    if state == "echec":
        return (
            f"La déclaration {reference} est bien enregistrée, mais sa transmission automatique a échoué. "
            "L'équipe qui exploite Vigie est alertée et la relancera. Sans attendre, vous pouvez la déclarer "
            f"vous-même sur {PORTAL}, en reprenant votre récépissé. Si l'incident est majeur, "
            f"appelez CERT Santé en donnant la référence {reference} (coordonnées sur {ON_CALL_PAGE})."
        )
    attempts = transmission.get("attempts") or 0
    if attempts > 1:
        return (
            f"La déclaration {reference} est bien enregistrée. Sa transmission à CERT Santé n'a pas encore "
            f"abouti ({attempts} tentatives) : Vigie réessaie automatiquement, rien n'est perdu."
        )
    return (
        f"La déclaration {reference} est bien enregistrée ; sa transmission à CERT Santé est en cours. "
        "Redemandez-moi dans une minute."
    )


class ActionDeclarationStatus(access.DeclarationAction):
    purpose = "status"
    no_reference = (
        "Vous n'avez pas encore envoyé de déclaration dans cette conversation. Pour suivre une autre "
        "déclaration, donnez sa référence, par exemple « où en est SSI-2026-000123 ? »."
    )

    def name(self) -> Text:
        return "action_declaration_status"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, declaration: Dict[str, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(text=status_sentence(declaration))
        return [SlotSet("access_reference", None)]
