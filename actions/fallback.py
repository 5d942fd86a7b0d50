"""Two-stage fallback: "Vouliez-vous dire... ?" with the likeliest choices as buttons."""

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import cancelling
from actions.faq_titles import FAQ_TITLES
from actions.understanding import prose_answer

# What a user can have meant, as they would say it. Intents absent here
# (yes, no, greetings...) make no sense as a suggestion out of context.
INTENT_CHOICES = {
    "declare_incident": "Déclarer un incident",
    "check_seriousness": "Savoir si mon incident est grave",
    "help": "Savoir ce que fait Vigie",
}
MAX_CHOICES = 3


def suggestions(message: Dict[str, Any]) -> List[Tuple[str, str]]:
    """(title, payload) pairs, best first: intents, then the best answers to questions."""
    choices: List[Tuple[float, str, str]] = []
    for ranked in message.get("intent_ranking") or []:
        name = ranked.get("name")
        if name in INTENT_CHOICES:
            choices.append((ranked.get("confidence") or 0.0, INTENT_CHOICES[name], f"/{name}"))
    faq = _faq_ranking(message)
    if faq:
        faq_confidence = next(
            (r.get("confidence") or 0.0 for r in message.get("intent_ranking") or [] if r.get("name") == "faq"), 0.0
        )
        for ranked in faq[:2]:
            key = ranked.get("intent_response_key")
            title = _faq_title(key)
            if key and title:
                # "/faq/topic" is not a payload Rasa 3.6 parses: the title is sent as the question
                choices.append((faq_confidence * (ranked.get("confidence") or 0.0), title, title))
    choices.sort(key=lambda c: c[0], reverse=True)
    return [(title, payload) for _, title, payload in choices[:MAX_CHOICES]]


def _faq_ranking(message: Dict[str, Any]) -> List[Dict[str, Any]]:
    selector = (message.get("response_selector") or {}).get("faq") or {}
    return selector.get("ranking") or []


def _faq_title(key: Optional[str]) -> Optional[str]:
    return FAQ_TITLES.get((key or "").split("/", 1)[-1])


class ActionAskAffirmation(Action):
    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        paused = cancelling.paused_loop(tracker)
        if paused:  # an answer typed instead of replying to "annuler ?": the declaration goes on with it
            return cancelling.resume(paused, cancelling.GOING_ON, dispatcher)
        choices = suggestions(tracker.latest_message)
        buttons = [{"title": title, "payload": payload} for title, payload in choices]
        buttons.append({"title": "Autre chose", "payload": "/deny"})
        dispatcher.utter_message(text="Je ne suis pas sûr d'avoir compris. Vouliez-vous dire :", buttons=buttons)
        return []


class ActionOutOfScopeInForm(Action):
    """A request outside Vigie's subject while a question is pending: said so, unless the message
    is the pending question's prose answer ("ressaisie manuelle avec double contrôle" to the
    measures question reads as out of scope), which the form then takes without a word."""

    def name(self) -> Text:
        return "action_out_of_scope_in_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if not prose_answer(tracker.latest_message, tracker.get_slot("requested_slot")):
            dispatcher.utter_message(response="utter_out_of_scope")
        return []
