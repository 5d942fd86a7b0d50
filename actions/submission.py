"""Show the summary, store the confirmed declaration, and answer a "oui" or "non" outside a form.

Only `action_submit_declaration` may tell the user that a declaration was
recorded, and only after the database committed it.
"""

import asyncio
import logging
from functools import lru_cache
from typing import Any, Dict, List, Set, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import cancelling, summary
from actions.declaration_form import say_feedback
from bot.core import fields as registry
from bot.core import french as fr
from bot.core import schema
from bot.core.completing import reopened_fields
from bot.core.qualification import cert_sentence, obligations, qualify
from bot.core.storage import DeclarationStore, missing_to_send
from bot.receipts.links import receipt_urls

logger = logging.getLogger(__name__)

CHANNELS = {
    "rest": "rest",
    "socketio": "web",
    "vigie_web": "web",
    "slack": "slack",
    "botframework": "teams",
    "teams": "teams",
    "cmdline": "shell",
}
# After the reference: the fields the spec does not require before sending, asked now if the person
# has a moment (a typed "oui" starts them too, see ActionAffirmOutsideForm); the declaration is already sent.
COMPLETION_OFFER = "completion_offer"
# What the form asked just before, left unknown ("je ne sais pas" to the health data): not asked
# again when the offer is taken up a minute later.
ASKED_BEFORE = "asked_before_sending"
OFFER_BUTTONS = [
    {"title": "Compléter maintenant", "payload": "/complete_declaration"},
    {"title": "Plus tard", "payload": "/goodbye"},
]
CONFIRM_BUTTONS = [
    {"title": "Envoyer la déclaration", "payload": "/affirm"},
    {"title": "Corriger", "payload": "/deny"},
    {"title": "Annuler", "payload": "/cancel"},
]


@lru_cache(maxsize=1)
def store() -> DeclarationStore:
    return DeclarationStore()


def declaration_fields(slots: Dict[str, Any]) -> Dict[str, Any]:
    return registry.with_what_follows({field: slots.get(field) for field in schema.FIELDS})


class ActionAskConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say_feedback(dispatcher, tracker)
        fields = declaration_fields(tracker.slots)
        files = await asyncio.to_thread(joined_files, tracker.sender_id)
        dispatcher.utter_message(text=summary.render_summary(fields, qualify(fields), files), buttons=CONFIRM_BUTTONS)
        return [SlotSet("feedback", None)]


def joined_files(conversation_id: str) -> List[str]:
    """The files the page joined in this conversation, waiting for the sending. The database
    down must not stop the summary (the files join the declaration when it is stored)."""
    try:
        return [stored.label for stored in store().attachments().waiting(conversation_id)]
    except SQLAlchemyError as error:
        logger.warning("joined files not listed in the summary: %s", type(error).__name__)
        return []


def pending_confirmation(slots: Dict[str, Any]) -> bool:
    """A confirmed declaration whose submission never answered (the action
    server died mid-way): its slots are all still there."""
    fields = declaration_fields(slots)
    return (
        slots.get("confirmed") is True
        and bool(slots.get("submission_key"))
        and all(fields.get(f) not in (None, "") for f in schema.REQUIRED_FIELDS)
    )


class ActionAffirmOutsideForm(Action):
    """ "oui" with no form active: confirms a cancel asked for, finishes an interrupted submission, or
    accepts the offer to complete the declaration just sent."""

    def name(self) -> Text:
        return "action_affirm_outside_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if cancelling.paused_loop(tracker):
            return [FollowupAction("action_cancel_declaration")]
        if pending_confirmation(tracker.slots):
            if tracker.get_slot("completion_reference"):
                dispatcher.utter_message(text="Vous aviez confirmé votre complément ; je termine son enregistrement.")
                return [FollowupAction("action_submit_completion")]
            dispatcher.utter_message(text="Vous aviez confirmé votre déclaration ; je termine son enregistrement.")
            return [FollowupAction("action_submit_declaration")]
        if tracker.get_slot(COMPLETION_OFFER):
            return [FollowupAction("action_start_completion")]
        dispatcher.utter_message(response="utter_nothing_to_confirm")
        return []


class ActionDenyOutsideForm(Action):
    """ "non" with no form active: goes on with a declaration whose cancel was asked for, or declines the
    offer to complete now."""

    def name(self) -> Text:
        return "action_deny_outside_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        paused = cancelling.paused_loop(tracker)
        if paused:
            return cancelling.resume(paused, cancelling.GOING_ON, dispatcher)
        reference = tracker.get_slot(COMPLETION_OFFER)
        if not reference:
            dispatcher.utter_message(response="utter_nothing_to_confirm")
            return []
        dispatcher.utter_message(
            text=f"D'accord. La déclaration {reference} est transmise telle quelle. Quand vous en saurez plus, "
            f"écrivez « je veux compléter {reference} »."
        )
        return [SlotSet(COMPLETION_OFFER, None), SlotSet(ASKED_BEFORE, None)]


class ActionSubmitDeclaration(Action):
    def name(self) -> Text:
        return "action_submit_declaration"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slots = tracker.slots
        fields = declaration_fields(slots)
        missing = missing_to_send(fields)
        if slots.get("confirmed") is not True or missing or not slots.get("submission_key"):
            dispatcher.utter_message(text="La déclaration n'est pas encore complète : reprenons.")
            return [SlotSet("confirmed", None), FollowupAction("declaration_form")]
        qualification = qualify(fields)
        duties = obligations(fields)
        try:
            stored = await asyncio.to_thread(
                store().submit,
                fields,
                submission_key=slots["submission_key"],
                channel=CHANNELS.get(tracker.get_latest_input_channel() or "", "rest"),
                conversation_id=tracker.sender_id,
                qualification=qualification,
                obligations=duties,
                pii_masked=sum((slots.get("pii_counts") or {}).values()),
            )
        except Exception as error:  # noqa: BLE001 - any storage failure must reach the user
            logger.error("declaration storage failed: %s", type(error).__name__)
            dispatcher.utter_message(
                text="Je n'ai pas pu enregistrer votre déclaration : elle n'est PAS transmise. "
                "Vos réponses sont conservées. Répondez « oui » dans un instant pour réessayer. "
                "Si le problème continue et que l'incident est majeur, appelez directement CERT Santé."
            )
            return [SlotSet("confirmed", None), FollowupAction("declaration_form")]
        dispatcher.utter_message(text=self._receipt(stored))
        events = [AllSlotsReset(), SlotSet("last_reference", stored["reference"])]
        reopened = reopened_fields(stored)
        asked = [field for field in reopened if field in asked_since_sending(tracker.events)]
        offered = [field for field in reopened if field not in asked]
        if offered:
            dispatcher.utter_message(text=offer_text(offered), buttons=OFFER_BUTTONS)
            events += [SlotSet(COMPLETION_OFFER, stored["reference"]), SlotSet(ASKED_BEFORE, asked or None)]
        return events

    @staticmethod
    def _receipt(stored: Dict[str, Any]) -> str:
        lines = [
            f"Votre déclaration est enregistrée sous la référence {stored['reference']}. "
            "Notez-la : elle vous servira pour tout échange avec CERT Santé et l'ARS.",
            f"{cert_sentence(stored['obligations'])} Demandez-moi « où en est ma déclaration ? » "
            "pour savoir quand elle est arrivée.",
        ]
        links = receipt_urls(stored["reference"])
        if links:
            lines.append(
                f"Votre récépissé, à imprimer ou à garder (lien valable 7 jours) : {links['page']}\n"
                f"Le même en PDF : {links['pdf']}"
            )
        lines.append(summary.qualification_sentence(stored["qualification"]))
        todo = summary.still_to_do_text(stored["obligations"])
        if todo:
            lines.append(todo)
        lines.append(
            "Et ensuite : CERT Santé accuse réception, analyse la déclaration et peut vous rappeler. "
            "Complétez-la dès que vous en savez plus."
        )
        return "\n\n".join(lines)


def asked_since_sending(events: List[Dict[str, Any]]) -> Set[str]:
    """The fields the form asked since the conversation began or a declaration was last sent."""
    asked: Set[str] = set()
    for event in reversed(events or []):
        if event.get("event") in ("reset_slots", "restart"):
            break
        if event.get("event") == "slot" and event.get("name") == "requested_slot" and event.get("value"):
            asked.add(event["value"])
    return asked


def offer_text(reopened: List[str]) -> str:
    first = ", ".join(fr.lower_first(registry.field(name).label) for name in reopened[:3])
    return (
        f"Si vous avez encore un moment, {fr.plural(len(reopened), 'question')} de plus la compléteraient "
        f"maintenant ({first}{'…' if len(reopened) > 3 else ''}). Chacune peut être passée ; ce qui est déjà "
        "transmis ne change pas. Voulez-vous continuer ?"
    )
