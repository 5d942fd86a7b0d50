""" "Revenir à la question précédente": the last answer is taken back and its question asked again.

Each answer the form reads pushes what it changed (the values before it) on
a stack in the conversation; going back pops the newest one. The opening
message is not an answer to a question: there is nothing before it.
"""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import structure, type_guess
from actions.understanding import DAY_ONLY
from bot.core import schema

UNDO = "answer_undo"
MAX_UNDO = 40
# What an answer can change: the fields, and what the form notes from them.
UNDOABLE = {
    *schema.FIELDS,
    "skipped_fields",
    structure.MATCH,
    structure.CANDIDATES,
    structure.UNFOUND,
    structure.DECLINED,
    type_guess.GUESSES,
    DAY_ONLY,
}
GONE_BACK = "D'accord, je reprends la question précédente : votre réponse est retirée."
NOTHING_BEFORE = "Il n'y a pas de réponse à reprendre : je vous repose la question en cours."
NO_QUESTION = "Il n'y a pas de question en cours. Pour commencer une déclaration, décrivez l'incident."


def pushed(requested: Optional[str], before: Dict[str, Any], after: Dict[str, Any]) -> List[EventType]:
    """The stack with this answer on top, if the answer to ``requested`` changed anything."""
    changed = {name: before.get(name) for name in UNDOABLE if before.get(name) != after.get(name)}
    if not requested or not changed:
        return []
    stack = list(before.get(UNDO) or [])[-(MAX_UNDO - 1) :]
    return [SlotSet(UNDO, [*stack, {"asked": requested, "slots": changed}])]


class ActionGoBack(Action):
    def name(self) -> Text:
        return "action_go_back"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if not (tracker.active_loop or {}).get("name"):
            dispatcher.utter_message(text=NO_QUESTION)
            return []
        stack = list(tracker.get_slot(UNDO) or [])
        if not stack:
            dispatcher.utter_message(text=NOTHING_BEFORE)
            return []
        last = stack.pop()
        dispatcher.utter_message(text=GONE_BACK)
        restored = [SlotSet(name, value) for name, value in (last.get("slots") or {}).items()]
        return [
            *restored,
            SlotSet(UNDO, stack or None),
            SlotSet("confirmed", None),
            SlotSet("invalid_attempts", None),
            SlotSet("requested_slot", last.get("asked")),
        ]
