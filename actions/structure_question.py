"""`action_ask_structure_match`: the establishment(s) found in the FINESS register, to confirm."""

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import structure
from actions.declaration_form import say_feedback


class AskStructureMatch(Action):
    def name(self) -> Text:
        return f"action_ask_{structure.MATCH}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say_feedback(dispatcher, tracker)
        dispatcher.utter_message(**structure.question(tracker.slots))
        return [SlotSet("feedback", None)]
