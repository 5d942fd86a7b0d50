"""The end of the "is my incident serious?" check: the verdict and what to do next."""

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import summary
from actions.declaration_form import say_feedback
from actions.submission import declaration_fields
from bot.core.qualification import qualify

NEXT_STEP = (
    "Dans le doute, déclarez : CERT Santé vous aidera à qualifier l'incident. "
    "J'ai gardé vos réponses, vous n'aurez pas à les redonner."
)
BUTTONS = [
    {"title": "Déclarer maintenant", "payload": "/declare_incident"},
    {"title": "Non merci", "payload": "/deny"},
]


class ActionConcludeSeriousness(Action):
    def name(self) -> Text:
        return "action_conclude_seriousness"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say_feedback(dispatcher, tracker)
        qualification = qualify(declaration_fields(tracker.slots))
        required = qualification["grave"] or qualification["significatif"]
        verdict = summary.qualification_sentence(qualification)
        if required:
            verdict += (
                "\n\nVous devez donc le déclarer sans délai à CERT Santé et à l'ARS "
                "(art. L.1111-8-2 du Code de la santé publique)."
            )
        dispatcher.utter_message(text=f"{verdict}\n\n{NEXT_STEP}", buttons=BUTTONS)
        return [SlotSet("feedback", None)]
