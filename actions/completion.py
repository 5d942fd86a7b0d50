"""Completing a declaration: "je veux compléter SSI-2026-000123".

The declaration's values are loaded into the form's slots, the fields still
unknown are reopened and asked (each may be passed, "terminer" ends the
questions), the changes are shown and, once confirmed, stored with their
history and forwarded to the authority as a ``complement``
(``DeclarationStore.complete``).
"""

import asyncio
import logging
import re
import uuid
from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import access, submission, summary
from actions.declaration_form import AskField, ValidateDeclarationForm, next_field, say_feedback
from actions.submission import declaration_fields, pending_confirmation
from actions.understanding import understand
from bot.core import fields as registry
from bot.core import schema
from bot.core.completing import READ_FROM_WORDS, day_only, reopened_fields
from bot.core.french import DAYS_FR, format_date_fr
from bot.core.qualification import obligations, qualify
from bot.nlu.text import fold

logger = logging.getLogger(__name__)

FORM = "completion_form"
# What may still be unknown after a first declaration, most useful first (the registry's `completion_rank`).
COMPLETABLE = registry.completable()
# Slots that say "a completion is under way", and what it started from.
STATE_SLOTS = ("completion_reference", "completion_base", "completion_fields")
# Typed words that pass a question, as its "Passer" button does.
PASSING = {"passer", "passe", "suivant", "question suivante", "plus tard", "je passe"}
# "Oui, c'est complet": what was read from words is right as it is; "aussi…": it lacks some.
ADDING = re.compile(r"\b(?:aussi|egalement|en plus|ajoute[rz]?|il manque)\b")
NONE_SAID = re.compile(r"\b(?:aucun\w*|rien|pas de systemes?)\b")
KEEPS = re.compile(
    r"^\s*(?:/affirm|oui|ouais|exact|correct|complet|tout a fait|c'est (?:complet|tout|ca|bon|juste|exact))\b"
)
PASS_BUTTON = {"title": "Passer", "payload": "/dont_know"}
FINISH_BUTTON = {"title": "Terminer", "payload": "/finish"}
KEEP_BUTTON = {"title": "Oui, c'est complet", "payload": "/affirm"}
COMPLETION_BUTTONS = [
    {"title": "Envoyer le complément", "payload": "/affirm"},
    {"title": "Corriger", "payload": "/deny"},
    {"title": "Annuler", "payload": "/cancel"},
]


def completion_changes(slots: Dict[str, Any]) -> Dict[str, Any]:
    """The fields whose value differs from the stored declaration."""
    base = slots.get("completion_base") or {}
    return {
        field: slots[field]
        for field in schema.FIELDS
        if slots.get(field) is not None and slots.get(field) != base.get(field)
    }


def in_completion(slots: Dict[str, Any]) -> bool:
    return bool(slots.get("completion_reference"))


def render_changes(slots: Dict[str, Any]) -> str:
    changes = completion_changes(slots)
    fields = [field for field in summary.SHOWN_FIELDS if field in changes]
    return (
        f"Voici ce que vous ajoutez à la déclaration {slots['completion_reference']} :\n"
        f"{summary.describe(fields, slots)}\n\n"
        f"{summary.qualification_sentence(qualify(declaration_fields(slots)))}\n\n"
        "Tout est exact ? Répondez « oui » pour envoyer le complément, ou dites-moi ce qu'il faut corriger."
    )


class ActionStartCompletion(access.DeclarationAction):
    purpose = "complete"
    no_reference = (
        "Quelle déclaration voulez-vous compléter ? Donnez sa référence, par exemple "
        "« je veux compléter SSI-2026-000123 »."
    )

    def name(self) -> Text:
        return "action_start_completion"

    def blocked(self, tracker: Tracker) -> Optional[str]:
        if pending_confirmation(tracker.slots):  # never overwrite answers confirmed but not yet stored
            return (
                "Vous avez confirmé une déclaration dont l'enregistrement n'a pas abouti. "
                "Répondez « oui » pour la terminer d'abord."
            )
        return None

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, declaration: Dict[str, Any]
    ) -> List[EventType]:
        reference, fields = declaration["reference"], reopened_fields(declaration)
        if tracker.get_slot(submission.COMPLETION_OFFER) == reference:  # the offer taken up, just after sending
            asked = tracker.get_slot(submission.ASKED_BEFORE) or []
            fields = [field for field in fields if field not in asked] or fields
        if not fields:
            dispatcher.utter_message(
                text=f"Toutes les rubriques de la déclaration {reference} sont renseignées et "
                "l'incident est résolu. Pour une correction, écrivez à CERT Santé en "
                "donnant la référence."
            )
            return [
                SlotSet("access_reference", None),
                SlotSet(submission.COMPLETION_OFFER, None),
                SlotSet(submission.ASKED_BEFORE, None),
            ]
        count = len(fields)
        dispatcher.utter_message(
            text=f"Complétons la déclaration {reference} : {count} question{'s' if count > 1 else ''} au plus. "
            "Répondez « je ne sais pas » pour en passer une, ou « terminer » quand vous avez tout dit. "
            "Pour corriger une information déjà donnée, écrivez-la simplement."
        )
        base = {field: declaration.get(field) for field in schema.FIELDS}
        return [SlotSet(field, None if field in fields else base[field]) for field in schema.FIELDS] + [
            SlotSet("completion_reference", reference),
            SlotSet("completion_base", base),
            SlotSet("completion_fields", fields),
            SlotSet("submission_key", uuid.uuid4().hex),
            SlotSet("skipped_fields", None),
            SlotSet("invalid_attempts", None),
            SlotSet("confirmed", None),
            SlotSet("pii_counts", None),
            SlotSet("requested_slot", None),
            SlotSet("access_reference", None),
            SlotSet(submission.COMPLETION_OFFER, None),
            SlotSet(submission.ASKED_BEFORE, None),
            FollowupAction(FORM),
        ]


class ValidateCompletionForm(ValidateDeclarationForm):
    """The declaration form's checks, on the reopened fields only; each may be passed."""

    def name(self) -> Text:
        return "validate_completion_form"

    @staticmethod
    def fields(slots: Dict[str, Any]) -> List[str]:
        reopened = list(slots.get("completion_fields") or [])
        return reopened + (["confirmed"] if completion_changes(slots) else [])

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        requested = tracker.get_slot("requested_slot")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "finish" and requested not in (None, "confirmed") and not _answers(tracker, requested):
            skipped = sorted(
                set(tracker.get_slot("skipped_fields") or []) | set(tracker.get_slot("completion_fields") or [])
            )
            remaining = {**tracker.slots, "skipped_fields": skipped}
            base = tracker.get_slot("completion_base") or {}
            kept = [SlotSet(f, base[f]) for f in READ_FROM_WORDS if tracker.get_slot(f) is None and base.get(f)]
            return kept + [
                SlotSet("skipped_fields", skipped),
                SlotSet("requested_slot", next_field(remaining, None, self.fields)),
            ]
        return await super().run(dispatcher, tracker, domain)

    def validate_finess(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        """The number already declared, loaded with the declaration, is not looked up (and said) again."""
        if value and value == (tracker.get_slot("completion_base") or {}).get("finess"):
            return {"finess": value}
        return super().validate_finess(value, dispatcher, tracker, domain)

    @staticmethod
    def _understood(message: Dict[str, Any], requested: Optional[str], slots: Dict[str, Any]) -> Dict[str, Any]:
        """What was read from words is confirmed by its own question: the same words met in
        another answer neither fill nor skip it."""
        base = slots.get("completion_base") or {}
        if requested == "started_at" and not slots.get("detected_at") and base.get("detected_at"):
            # "une heure avant qu'on s'en rende compte": read against the detection declared
            slots = {**slots, "detected_at": base["detected_at"]}
        found = understand(message, requested, slots)
        for name in READ_FROM_WORDS:
            if name != requested and name in (slots.get("completion_fields") or []):
                found.pop(name, None)
        declared = (slots.get("completion_base") or {}).get("started_at")
        if requested == "started_at" and found.get("started_at") and day_only(declared) and _time_alone(message):
            hour = datetime.fromisoformat(found["started_at"])
            day = datetime.fromisoformat(declared)
            found["started_at"] = day.replace(hour=hour.hour, minute=hour.minute).isoformat()  # "vers 14h" that day
        return found

    @staticmethod
    def _skip(
        requested: Optional[str], candidates: Dict[str, Any], slots: Dict[str, Any], text: str
    ) -> Optional[List[str]]:
        """The "Passer" button passes any reopened question: the value stays as declared. "Je ne
        sais pas" typed to a choice that has it is an answer: not known (`inconnu`, the spec).
        What was read from words is kept, in the form, by "oui" or "Passer"."""
        if requested in READ_FROM_WORDS and candidates.get(requested) == [] and not NONE_SAID.search(fold(text)):
            candidates.pop(requested)  # "non" to "est-ce complet ?" is not "none": the list is asked again
        confirmed = _confirmed_reading(requested, candidates, slots, text)
        if confirmed is not None:
            candidates[requested] = confirmed
            return None
        if candidates.get(requested) != "inconnu" or requested not in (slots.get("completion_fields") or []):
            return None
        typed = not text.startswith("/") and fold(text).strip(" .!") not in PASSING
        if typed and "inconnu" in schema.ENUM_FIELDS.get(requested, {}):
            return None
        candidates.pop(requested)
        return sorted(set(slots.get("skipped_fields") or []) | {requested})


def _confirmed_reading(
    requested: Optional[str], candidates: Dict[str, Any], slots: Dict[str, Any], text: str
) -> Optional[List[str]]:
    """The list read from words as the person confirms it: kept ("oui", "Passer"), added to
    ("oui, et aussi la téléphonie"); None when their answer replaces it (or there is none)."""
    declared = (slots.get("completion_base") or {}).get(requested)
    if requested not in READ_FROM_WORDS or not declared:
        return None
    given, words = candidates.get(requested), fold(text)
    if given == "inconnu":  # "Passer", "je ne sais pas"
        return list(declared)
    if given is None:
        return list(declared) if KEEPS.match(words) else None
    if KEEPS.match(words) or ADDING.search(words):
        return list(dict.fromkeys([*declared, *given]))
    return None


def _time_alone(message: Dict[str, Any]) -> bool:
    """Whether the first date of the message is a time with no day of its own ("vers 14h")."""
    dates = [e for e in message.get("entities") or [] if e.get("entity") == "datetime"]
    return bool(dates) and bool((dates[0].get("additional_info") or {}).get("rolling"))


def _answers(tracker: Tracker, requested: str) -> bool:
    """Whether the message answers the pending question ("c'est résolu" read as "terminer"): the
    pending question's answer comes first."""
    return requested in understand(tracker.latest_message, requested, dict(tracker.slots))


def _after_completion(tracker: Tracker, reference: str) -> List[EventType]:
    return [
        AllSlotsReset(),
        SlotSet("last_reference", reference),
        SlotSet("verified_references", tracker.get_slot("verified_references")),
    ]


class ActionSubmitCompletion(Action):
    def name(self) -> Text:
        return "action_submit_completion"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slots = tracker.slots
        reference, changes = slots.get("completion_reference"), completion_changes(slots)
        if not reference:
            dispatcher.utter_message(response="utter_nothing_to_confirm")
            return []
        if not changes:
            dispatcher.utter_message(
                text=f"Rien de nouveau : la déclaration {reference} reste telle qu'elle a été "
                "transmise. Revenez la compléter quand vous en saurez plus."
            )
            return _after_completion(tracker, reference)
        if slots.get("confirmed") is not True:
            return [SlotSet("confirmed", None), FollowupAction(FORM)]
        fields = declaration_fields(slots)
        try:
            stored = await asyncio.to_thread(
                submission.store().complete,
                reference,
                changes,
                completion_key=slots["submission_key"],
                conversation_id=tracker.sender_id,
                qualification=qualify(fields),
                obligations=obligations(fields),
                pii_masked=sum((slots.get("pii_counts") or {}).values()),
            )
        except Exception as error:  # noqa: BLE001 - any storage failure must reach the user
            logger.error("completion storage failed: %s", type(error).__name__)
            dispatcher.utter_message(
                text="Je n'ai pas pu enregistrer le complément : il n'est PAS transmis. Vos réponses "
                "sont conservées. Répondez « oui » dans un instant pour réessayer."
            )
            return [SlotSet("confirmed", None), FollowupAction(FORM)]
        dispatcher.utter_message(text=self._receipt(stored, reference))
        return _after_completion(tracker, reference)

    @staticmethod
    def _receipt(stored: Optional[Dict[str, Any]], reference: str) -> str:
        if stored is None:
            return f"Je ne trouve plus la déclaration {reference} : le complément n'est pas enregistré."
        count = len(stored["changes"])
        recorded = (
            "était déjà enregistré"
            if stored.get("already_stored")
            else f"est enregistré ({count} information{'s' if count > 1 else ''})"
        )
        parts = [
            f"Le complément de la déclaration {reference} {recorded}. Vigie le transmet à CERT Santé et à "
            f"l'ARS : vous n'avez rien à refaire sur le portail. Demandez-moi « où en est {reference} ? » pour "
            "suivre sa transmission.",
            summary.qualification_sentence(stored["qualification"]),
        ]
        todo = summary.still_to_do_text(stored["obligations"])
        if todo:
            parts.append(todo)
        return "\n\n".join(parts)


class ActionAskCompletionConfirmed(Action):
    """The completion's summary: what changes, and the qualification that follows."""

    def name(self) -> Text:
        return "action_ask_completion_form_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say_feedback(dispatcher, tracker)
        dispatcher.utter_message(text=render_changes(tracker.slots), buttons=COMPLETION_BUTTONS)
        return [SlotSet("feedback", None)]


class AskCompletionField(AskField):
    """A reopened question: the declaration's own, plus "Passer" and "Terminer"."""

    def name(self) -> Text:
        return f"action_ask_{FORM}_{self.field}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say_feedback(dispatcher, tracker)
        declared = (tracker.get_slot("completion_base") or {}).get(self.field)
        if self.field == "started_at" and day_only(declared):
            day = datetime.fromisoformat(declared)
            dispatcher.utter_message(
                response="utter_ask_started_at_hour",
                day=f"{DAYS_FR[day.weekday()]} {format_date_fr(day.date())}",
                buttons=[PASS_BUTTON, FINISH_BUTTON],
            )
        elif self.field in READ_FROM_WORDS and declared:
            labels = schema.LIST_FIELDS[self.field]
            dispatcher.utter_message(
                response=f"utter_ask_{self.field}_read",
                noted=", ".join(labels.get(value, value) for value in declared),
                buttons=[KEEP_BUTTON, FINISH_BUTTON],
            )
        else:
            dispatcher.utter_message(response=f"utter_ask_{self.field}", buttons=[PASS_BUTTON, FINISH_BUTTON])
        return [SlotSet("feedback", None)]


# One `action_ask_completion_form_<field>` per reopened question (listed in domain.yml, checked by
# tests/unit/test_domain_registry.py).
ASK_ACTIONS = tuple(type(f"AskCompletion_{field}", (AskCompletionField,), {"field": field}) for field in COMPLETABLE)


class ActionCancelCompletion(Action):
    def name(self) -> Text:
        return "action_cancel_completion"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reference = tracker.get_slot("completion_reference")
        dispatcher.utter_message(
            text=f"C'est abandonné : la déclaration {reference} reste telle qu'elle a été transmise, rien n'est envoyé."
        )
        return [ActiveLoop(None)] + _after_completion(tracker, reference)
