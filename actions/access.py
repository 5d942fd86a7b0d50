"""Who may follow or complete a declaration from the chat: the conversation
that made it, or one that gives the declarant's e-mail address.

The e-mail check (``ownership_form``) answers the same way whether the
reference exists or not, and stops after three wrong addresses, so that it
tells nothing about other people's declarations. The wrong addresses are also
counted by reference in the database (``bot.core.access_limits``): asking
again does not reset them, and past three each try waits longer.
"""

import asyncio
import logging
from abc import ABC, abstractmethod
from datetime import timedelta
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import submission
from bot.core import french, references
from bot.core.validators import InvalidValue, normalize_email

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 3
REFUSED = "refuse"
LOCKED = "verrouille"
PURPOSE_ACTIONS = {"status": "action_declaration_status", "complete": "action_start_completion"}
UNAVAILABLE = "Je ne peux pas consulter les déclarations pour le moment. Réessayez dans quelques minutes."
NO_MATCH = (
    "Je ne trouve pas de déclaration sous cette référence avec cette adresse e-mail. "
    "Vérifiez la référence (SSI-AAAA-NNNNNN) et l'adresse donnée dans la déclaration."
)


def locked_message(wait: timedelta) -> str:
    delay = french.wait_text(wait.total_seconds())
    return (
        f"Trop d'adresses e-mail erronées pour cette référence : pour protéger la déclaration, "
        f"réessayez dans {delay}. En cas d'urgence, adressez-vous à CERT Santé en donnant la référence."
    )


async def access_wait(reference: str) -> timedelta:
    return await asyncio.to_thread(submission.store().access_limits().wait, reference)


def asked_reference(tracker: Tracker) -> Optional[str]:
    """The reference in the message, else the one just unlocked by e-mail, else this conversation's last."""
    found = references.IN_TEXT.search(tracker.latest_message.get("text") or "")
    if found:
        return found.group(0).upper()
    return tracker.get_slot("access_reference") or tracker.get_slot("last_reference")


async def accessible(reference: str, tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The declaration if it was made in this conversation or unlocked here by the
    declarant's e-mail; None otherwise (unknown or not this conversation's alike)."""
    store = submission.store()
    if reference in (tracker.get_slot("verified_references") or []):
        return await asyncio.to_thread(store.get, reference)
    return await asyncio.to_thread(store.get_in_conversation, reference, tracker.sender_id)


def ask_for_email(reference: str, purpose: str) -> List[EventType]:
    """Start the e-mail check for ``reference``; ``purpose``: "status" or "complete"."""
    return [
        SlotSet("pending_access", {"reference": reference, "purpose": purpose}),
        SlotSet("owner_email", None),
        SlotSet("access_attempts", None),
        FollowupAction("ownership_form"),
    ]


class DeclarationAction(Action, ABC):
    """An action on the declaration the conversation names: finds its reference, goes
    through the e-mail check when needed, says so when the database is down."""

    purpose: str  # a key of PURPOSE_ACTIONS
    no_reference: str  # what to say when no reference is known

    def blocked(self, tracker: Tracker) -> Optional[str]:
        """Why the action cannot run now, if it cannot."""
        return None

    @abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, declaration: Dict[str, Any]
    ) -> List[EventType]:
        """What to do with the declaration, once it may be shown."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reference = asked_reference(tracker)
        refusal = self.no_reference if reference is None else self.blocked(tracker)
        if refusal:
            dispatcher.utter_message(text=refusal)
            return []
        try:
            declaration = await accessible(reference, tracker)
        except Exception as error:  # noqa: BLE001 - the database is down: say so, nothing else
            logger.error("%s: declarations unavailable: %s", self.name(), type(error).__name__)
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        if declaration is None:
            wait = await access_wait(reference)
            if wait:
                dispatcher.utter_message(text=locked_message(wait))
                return []
            return ask_for_email(reference, self.purpose)
        return await self.act(dispatcher, tracker, declaration)


class ValidateOwnershipForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_ownership_form"

    async def extract_owner_email(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "owner_email" or not _answers_the_form(tracker):
            return {}
        return {"owner_email": (tracker.latest_message.get("text") or "").strip()}

    async def validate_owner_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:  # the reset made when the check starts, not an answer
            return {"owner_email": None}
        try:
            email = normalize_email(value)
        except InvalidValue as error:
            dispatcher.utter_message(text=error.message)
            return {"owner_email": None}
        reference = (tracker.get_slot("pending_access") or {}).get("reference", "")
        store = submission.store()
        limits = store.access_limits()
        wait = await asyncio.to_thread(limits.wait, reference)
        if not wait:
            declaration = await asyncio.to_thread(store.get, reference)
            if declaration is not None and (declaration.get("declarant_email") or "").lower() == email.lower():
                await asyncio.to_thread(limits.succeeded, reference)
                return {"owner_email": email}
            wait = await asyncio.to_thread(limits.failed, reference)
        if wait:  # locked before this address, or by it
            dispatcher.utter_message(text=locked_message(wait))
            return {"owner_email": LOCKED}
        attempts = int(tracker.get_slot("access_attempts") or 0) + 1
        if attempts >= MAX_EMAIL_ATTEMPTS:
            return {"owner_email": REFUSED, "access_attempts": attempts}
        dispatcher.utter_message(text=NO_MATCH)
        return {"owner_email": None, "access_attempts": attempts}


def _answers_the_form(tracker: Tracker) -> bool:
    """Whether the latest message came after the form asked: not the message that
    opened it (then another action ran in this turn before the form)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") not in ("action_listen", "ownership_form"):
            return False
    return False


class ActionAskOwnerEmail(Action):
    def name(self) -> Text:
        return "action_ask_owner_email"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reference = (tracker.get_slot("pending_access") or {}).get("reference", "")
        attempts = int(tracker.get_slot("access_attempts") or 0)
        text = (
            (
                f"Cette déclaration n'a pas été faite dans cette conversation. Pour protéger son contenu, "
                f"indiquez l'adresse e-mail du déclarant de {reference}."
            )
            if not attempts
            else (
                f"Réessayez : l'adresse e-mail du déclarant de {reference} "
                f"({MAX_EMAIL_ATTEMPTS - attempts} essai{'s' if MAX_EMAIL_ATTEMPTS - attempts > 1 else ''} restant"
                f"{'s' if MAX_EMAIL_ATTEMPTS - attempts > 1 else ''})."
            )
        )
        dispatcher.utter_message(text=text, buttons=[{"title": "Annuler", "payload": "/cancel"}])
        return []


class ActionGrantAccess(Action):
    """After the e-mail check: unlock the declaration for this conversation, or say no."""

    def name(self) -> Text:
        return "action_grant_access"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        pending = tracker.get_slot("pending_access") or {}
        reset = [SlotSet("pending_access", None), SlotSet("owner_email", None), SlotSet("access_attempts", None)]
        if tracker.get_slot("owner_email") == LOCKED:
            return reset  # the check said how long to wait
        if tracker.get_slot("owner_email") in (None, REFUSED) or pending.get("purpose") not in PURPOSE_ACTIONS:
            dispatcher.utter_message(
                text=NO_MATCH + " Pour une autre déclaration, adressez-vous à CERT Santé en donnant sa référence."
            )
            return reset
        logger.info("declaration unlocked in a conversation by its declarant's e-mail")
        verified = list(tracker.get_slot("verified_references") or []) + [pending["reference"]]
        return reset + [
            SlotSet("verified_references", verified),
            SlotSet("access_reference", pending["reference"]),
            FollowupAction(PURPOSE_ACTIONS[pending["purpose"]]),
        ]
