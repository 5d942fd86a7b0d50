"""Cancelling a declaration, with a confirmation, and taking it back.

"Annuler" during a declaration first asks whether to cancel (the form is
paused, nothing is lost); a second "annuler" or a "oui" cancels. The answers
of a cancelled declaration are kept for 30 minutes in the conversation, so
that "reprendre la déclaration annulée" brings the person back to the
question they were at.
"""

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.core import fields as registry
from bot.core import french as fr

# The form paused by the question "Voulez-vous vraiment annuler ?", while it stands.
CANCEL_REQUESTED = "cancel_requested"
# {"at": ISO datetime, "loop": form name, "slots": {...}} of the declaration last cancelled.
CANCELLED = "cancelled_declaration"
RESTORE_WINDOW = timedelta(minutes=30)
CANCELLABLE_LOOPS = ("declaration_form", "seriousness_form")
# Slots that belong to the conversation, not to the declaration being cancelled.
NOT_SAVED = {CANCEL_REQUESTED, CANCELLED, "last_reference", "completion_offer", "feedback", "session_started_metadata"}
RESUME_BUTTON = {"title": "Reprendre la déclaration annulée", "payload": "/resume_declaration"}
CONFIRM_BUTTONS = [
    {"title": "Oui, annuler", "payload": "/cancel"},
    {"title": "Non, continuer", "payload": "/resume_declaration"},
]
ASK = (
    "Voulez-vous vraiment annuler cette déclaration ? Rien n'a encore été transmis. "
    "{kept} : vous pourriez la reprendre."
)
CANCELLED_TEXT = (
    "C'est annulé : rien n'a été enregistré ni transmis. Vos réponses sont gardées 30 minutes : "
    "pour reprendre là où vous en étiez, écrivez « reprendre la déclaration annulée »."
)
NOTHING_TO_CANCEL = "Il n'y a pas de déclaration en cours à annuler. Pour en commencer une, décrivez l'incident."
GOING_ON = "D'accord, on continue."
STILL_ASKING = "Et votre déclaration : voulez-vous toujours l'annuler ? Rien n'a encore été transmis."
TAKE_BACK = "Votre déclaration annulée est gardée 30 minutes : vous pouvez la reprendre là où vous en étiez."
RESTORED = "Je reprends la déclaration annulée, là où vous en étiez."
TOO_OLD = (
    "La déclaration annulée l'a été il y a plus de 30 minutes : ses réponses ne sont plus gardées. "
    "Décrivez à nouveau l'incident pour en commencer une."
)
NOTHING_TO_RESTORE = (
    "Il n'y a pas de déclaration annulée à reprendre dans cette conversation. "
    "Pour en commencer une, décrivez l'incident."
)


def paused_loop(tracker: Tracker) -> Optional[str]:
    """The form paused by the cancel question, if that question stands (no form is active)."""
    if (tracker.active_loop or {}).get("name"):
        return None
    loop = tracker.get_slot(CANCEL_REQUESTED)
    return loop if loop in CANCELLABLE_LOOPS else None


def answered_fields(slots: Dict[str, Any]) -> int:
    return sum(1 for field in registry.REGISTRY if slots.get(field.name) not in (None, "", []))


def ask_text(answers: int) -> str:
    if answers == 1:
        return ASK.format(kept="Votre réponse serait gardée 30 minutes")
    return ASK.format(kept=f"Vos {fr.plural(answers, 'réponse')} seraient gardées 30 minutes")


def resume(loop: str, text: str, dispatcher: CollectingDispatcher) -> List[EventType]:
    """Back to the paused or restored form, at its pending question (counted as a fresh start)."""
    dispatcher.utter_message(text=text)
    return [SlotSet(CANCEL_REQUESTED, None), SlotSet("invalid_attempts", None), FollowupAction(loop)]


def snapshot(slots: Dict[str, Any], loop: str, now: datetime) -> Dict[str, Any]:
    saved = {name: value for name, value in slots.items() if value is not None and name not in NOT_SAVED}
    return {"at": now.isoformat(), "loop": loop, "slots": saved}


def restorable(saved: Any, now: datetime) -> Optional[bool]:
    """True if ``saved`` can be restored now, False if it is too old, None if there is none."""
    if not isinstance(saved, dict) or saved.get("loop") not in CANCELLABLE_LOOPS:
        return None
    try:
        at = datetime.fromisoformat(str(saved.get("at")))
    except ValueError:
        return None
    return now - at <= RESTORE_WINDOW


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ActionCancelDeclaration(Action):
    def name(self) -> Text:
        return "action_cancel_declaration"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        active = (tracker.active_loop or {}).get("name")
        paused = paused_loop(tracker)
        answers = answered_fields(tracker.slots)
        if active in CANCELLABLE_LOOPS and answers:
            dispatcher.utter_message(text=ask_text(answers), buttons=CONFIRM_BUTTONS)
            return [ActiveLoop(None), SlotSet(CANCEL_REQUESTED, active)]
        loop = paused or active
        if loop not in CANCELLABLE_LOOPS:
            dispatcher.utter_message(text=NOTHING_TO_CANCEL)
            return []
        dispatcher.utter_message(text=CANCELLED_TEXT, buttons=[RESUME_BUTTON])
        return [
            ActiveLoop(None),
            AllSlotsReset(),
            SlotSet("last_reference", tracker.get_slot("last_reference")),
            SlotSet(CANCELLED, snapshot(tracker.slots, loop, _now())),
        ]


class ActionCancelReminder(Action):
    """After the answer to a question asked just then: "Voulez-vous vraiment annuler ?" again while
    it stands, or, right after a cancel, the offer to take the declaration back. The person is never
    left with no way on (nothing is added otherwise)."""

    def name(self) -> Text:
        return "action_cancel_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if paused_loop(tracker):
            dispatcher.utter_message(text=STILL_ASKING, buttons=CONFIRM_BUTTONS)
        elif _just_cancelled(tracker) and restorable(tracker.get_slot(CANCELLED), _now()):
            dispatcher.utter_message(text=TAKE_BACK, buttons=[RESUME_BUTTON])
        return []


def _just_cancelled(tracker: Tracker) -> bool:
    """Whether the declaration was cancelled by the bot's reply just before this message."""
    seen_user = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name") == "action_cancel_declaration"
    return False


class ActionResumeDeclaration(Action):
    """ "Non, continuer" to the cancel question, "reprendre la déclaration annulée", or "on continue"
    to the offer to complete a declaration just sent."""

    def name(self) -> Text:
        return "action_resume_declaration"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        paused = paused_loop(tracker)
        if paused:
            return resume(paused, GOING_ON, dispatcher)
        from actions.submission import COMPLETION_OFFER  # submission imports this module

        if tracker.get_slot(COMPLETION_OFFER) and not tracker.get_slot(CANCELLED):
            return [FollowupAction("action_start_completion")]  # "oui, on continue" to "Voulez-vous continuer ?"
        saved = tracker.get_slot(CANCELLED)
        state = restorable(saved, _now())
        if state is None:
            dispatcher.utter_message(text=NOTHING_TO_RESTORE)
            return []
        if state is False:
            dispatcher.utter_message(text=TOO_OLD)
            return [SlotSet(CANCELLED, None)]
        restored = [SlotSet(name, value) for name, value in saved["slots"].items()]
        return [*restored, SlotSet(CANCELLED, None), *resume(saved["loop"], RESTORED, dispatcher)]
