"""The declaration form: what to ask, in which order, and the check of every answer."""

import uuid
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import going_back, structure, summary, type_guess
from actions.asked_first import REFLEXES_TOPIC, answer_first, asked_topic
from actions.buttons import DONT_KNOW
from actions.understanding import (
    ANSWER_INTENTS,
    DAY_ONLY,
    asks_what_it_means,
    is_correction,
    misread_answer,
    understand,
)
from bot.core import fields as registry
from bot.core import schema
from bot.core.fields import UNKNOWN
from bot.core.french import format_incident_date_fr
from bot.core.language import french_nlp
from bot.core.paris_time import PARIS
from bot.core.pii import count_masks, mask_pii, masked_notice
from bot.core.register_search import MAX_CHOICES
from bot.core.validators import (
    InvalidValue,
    check_detected_at,
    check_started_at,
    normalize_finess,
    region_from_finess,
    region_from_phone,
)

FORM = "declaration_form"
# A miss (an answer not understood, or "je ne sais pas" to a required question) brings the field's
# explanation and the offer to answer "je ne sais pas"; the second miss notes the field as not known
# and the form moves on: a question is never asked three times in a row. Coming back from detours
# (questions answered meanwhile) counts too, more patiently.
MISSES_BEFORE_UNKNOWN = 2
DETOURS_BEFORE_UNKNOWN = 3
CONTACT_FIELDS = ("declarant_email", "declarant_phone")
REQUIRED = {f.name for f in registry.REGISTRY if f.required}
Result = Dict[Text, Any]
# Slots that are not fields, set from an answer, and read to word the next question.
NOTES = (type_guess.GUESSES, DAY_ONLY)


def fields_to_ask(slots: Dict[str, Any]) -> List[str]:
    """Incident and impacts first, then the structure, then who declares (the registry's `ask_rank`);
    the structure found in the FINESS register is confirmed right after its name."""
    asked = registry.asked(slots)
    if structure.needs_confirmation(slots) and "structure_name" in asked:
        at = asked.index("structure_name") + 1
        asked = asked[:at] + [structure.MATCH] + asked[at:]
    return asked + ["confirmed"]


def next_field(
    slots: Dict[str, Any], pending: Optional[str] = None, order: Callable[[Dict[str, Any]], List[str]] = fields_to_ask
) -> Optional[str]:
    """The pending question while unanswered (except the final check), else the first missing field."""
    skipped = set(slots.get("skipped_fields") or [])
    missing = [f for f in order(slots) if slots.get(f) is None and f not in skipped]
    if pending in missing and pending != "confirmed":
        return pending
    return missing[0] if missing else None


class ValidateDeclarationForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_declaration_form"

    @staticmethod
    def fields(slots: Dict[str, Any]) -> List[str]:
        return fields_to_ask(slots)

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        """Every field is validated when given, even those the form never asks."""
        asked = self.fields(tracker.slots)
        return asked + [field for field in [*schema.FIELDS, structure.MATCH] if field not in asked]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Read the answer, check it, and choose the next question.

        Rasa may call this twice for the message that opens the form (at
        activation, then for the first loop), with the same tracker. So
        nothing is said here: what the user must read goes into the
        `feedback` slot, which the next question's `action_ask_*` says once.
        """
        requested = tracker.get_slot("requested_slot")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        before = dict(tracker.slots)
        candidates = self._understood(tracker.latest_message, requested, before)
        if requested and not candidates and intent not in ANSWER_INTENTS:
            if _back_from_detour(tracker):
                return self._after_detour(tracker, requested, before)
            text = tracker.latest_message.get("text") or ""
            if not misread_answer(tracker.latest_message, requested) and not asks_what_it_means(text, requested):
                return []  # not an answer: let the rules handle it (question, cancel...)
        feedback = CollectingDispatcher()
        answered = answer_first(tracker.latest_message, domain) if requested is None else None
        if answered:
            feedback.utter_message(text=answered)  # then what it understood of the account
        events: List[EventType] = []
        if not before.get("submission_key"):
            events.append(SlotSet("submission_key", uuid.uuid4().hex))
        skipped = self._skip(requested, candidates, before, tracker.latest_message.get("text") or "")
        if skipped is not None:
            events.append(SlotSet("skipped_fields", skipped))
            tracker.add_slots([SlotSet("skipped_fields", skipped)])
        notes = [SlotSet(name, candidates.pop(name)) for name in NOTES if name in candidates]
        events += notes  # not fields: what the next question is worded from
        tracker.add_slots(notes)
        tracker.add_slots([SlotSet(k, v) for k, v in candidates.items()])
        validated = await self.get_validation_events(feedback, tracker, domain)
        tracker.add_slots(validated)
        events += validated
        refused = structure.refused(requested, before, tracker.slots)
        if refused is not None:
            tracker.add_slots([SlotSet(structure.DECLINED, refused)])
            events.append(SlotSet(structure.DECLINED, refused))
        answer = tracker.latest_message.get("text") if requested == "structure_name" else None
        looked_up = _looked_up(before, tracker.slots, answer)
        tracker.add_slots(looked_up)
        events += looked_up
        declined = tracker.slots.get(structure.MATCH) == structure.NONE != before.get(structure.MATCH)
        kept = _name_kept(feedback, requested, tracker.slots, self.fields(tracker.slots))
        tracker.add_slots(kept)
        events += kept
        placed = _region_from_name(feedback, tracker.slots) or _region_from_phone(feedback, tracker.slots)
        tracker.add_slots(placed)
        events += placed
        after = self._after_answer(feedback, tracker, requested, candidates, before, skipped)
        tracker.add_slots(after)
        events += after
        again = _name_asked_again(requested, before, tracker.slots, self.fields(tracker.slots), declined)
        tracker.add_slots(again)
        events += again
        # a place confirmed is said by its validation; a date put right at that question is said here
        if requested != structure.MATCH or structure.MATCH not in candidates:
            summary.acknowledge(feedback, before, tracker.slots, requested)
        if first_reflexes_due(before, tracker.slots) and asked_topic(tracker.latest_message) != REFLEXES_TOPIC:
            feedback.utter_message(text=FIRST_REFLEXES)
        events += going_back.pushed(requested, before, tracker.slots)
        events.append(SlotSet("feedback", feedback.messages or None))
        events.append(SlotSet("requested_slot", next_field(tracker.slots, requested, self.fields)))
        return events

    def _after_detour(self, tracker: Tracker, requested: str, before: Dict[str, Any]) -> List[EventType]:
        """Back from a detour (a question answered, the fallback's choices): the pending question
        again, counted as a miss, so that no question comes back forever."""
        feedback = CollectingDispatcher()
        attempts = int(before.get("invalid_attempts") or 0) + 1
        if attempts >= DETOURS_BEFORE_UNKNOWN and requested in registry.BY_NAME:
            events = _note_as_unknown(feedback, before, requested)
        else:
            if attempts == DETOURS_BEFORE_UNKNOWN - 1:
                feedback.utter_message(text=OFFER, buttons=[DONT_KNOW])
            events = [SlotSet("invalid_attempts", attempts)]
        tracker.add_slots(events)
        return events + [
            SlotSet("feedback", feedback.messages or None),
            SlotSet("requested_slot", next_field(tracker.slots, requested, self.fields)),
        ]

    @staticmethod
    def _understood(message: Dict[str, Any], requested: Optional[str], slots: Dict[str, Any]) -> Dict[str, Any]:
        return understand(message, requested, slots)

    @staticmethod
    def _skip(
        requested: Optional[str], candidates: Dict[str, Any], slots: Dict[str, Any], text: str
    ) -> Optional[List[str]]:
        """ "Je ne sais pas" to an optional question without an `inconnu` value skips it (the
        completion's override also reads ``text``: what was typed, or a button's payload)."""
        if candidates.get(requested) != "inconnu" or not _skippable(requested):
            return None
        if requested == "region" and not slots.get("invalid_attempts"):
            candidates.pop(requested)
            return None  # asked once more, by the town (_town_question): the ARS must be found
        if "inconnu" in schema.ENUM_FIELDS.get(requested, {}):
            return None
        candidates.pop(requested)
        return sorted(set(slots.get("skipped_fields") or []) | {requested})

    def _after_answer(self, dispatcher, tracker, requested, candidates, before, skipped) -> List[EventType]:
        """Count misses of the pending question: the first brings the explanation and the offer
        to answer "je ne sais pas", the second notes the field as not known."""
        answered = requested and (tracker.slots.get(requested) is not None or skipped)
        if not answered and any(before.get(name) != tracker.slots.get(name) for name in NOTES):
            return []  # the question comes back worded from what was just said: likeliest types, the hour
        if not requested or answered:
            if answered and tracker.slots.get(requested) == UNKNOWN and requested in REQUIRED:
                dispatcher.utter_message(text=NOTED_UNKNOWN)
            return [SlotSet("invalid_attempts", None)] if before.get("invalid_attempts") else []
        attempts = int(before.get("invalid_attempts") or 0) + 1
        if requested not in candidates and _changed(before, tracker.slots):
            # a correction or another fact: the question is simply asked again; other facts
            # count toward the bound (an explicit correction does not)
            if requested not in registry.BY_NAME or is_correction(tracker.latest_message.get("text") or ""):
                return []
            if attempts >= MISSES_BEFORE_UNKNOWN:
                return _note_as_unknown(dispatcher, tracker.slots, requested)
            return [SlotSet("invalid_attempts", attempts)]
        if requested == "confirmed":
            dispatcher.utter_message(response="utter_ask_what_to_correct")
            return [SlotSet("invalid_attempts", None)]
        if requested == structure.MATCH:
            if attempts < MISSES_BEFORE_UNKNOWN:
                # the list again, once: "oui" to several, or words that neither choose nor refuse
                several = structure.yes_to_several(tracker.latest_message, before)
                dispatcher.utter_message(text=WHICH_ONE if several else MATCH_NOT_UNDERSTOOD)
                return [SlotSet("invalid_attempts", attempts)]
            dispatcher.utter_message(text=NOT_RECOGNISED)
            return [SlotSet(structure.MATCH, structure.NONE), SlotSet(structure.CANDIDATES, None)]
        if attempts >= MISSES_BEFORE_UNKNOWN and requested in registry.BY_NAME:
            return _note_as_unknown(dispatcher, tracker.slots, requested)
        if requested == "region":
            return [SlotSet("invalid_attempts", attempts)]  # the town question follows (_town_question)
        if candidates.get(requested) != UNKNOWN:
            dispatcher.utter_message(response=registry.field(requested).explain_response)
        dispatcher.utter_message(text=OFFER, buttons=[DONT_KNOW])
        return [SlotSet("invalid_attempts", attempts)]

    # --- one validator per field the user can give ---------------------------------

    def validate_description(self, value, dispatcher, tracker, domain) -> Result:
        text = str(value).strip()
        if len(text) > schema.DESCRIPTION_MAX_LENGTH:
            text = text[: schema.DESCRIPTION_MAX_LENGTH]
            dispatcher.utter_message(text="Votre description dépassait 2 000 caractères : j'en ai gardé le début.")
        return self._masked("description", text, dispatcher, tracker)

    def _masked(self, field: str, text: str, dispatcher, tracker) -> Result:
        masked, count = mask_pii(text, french_nlp())  # the channels mask at the door: this is the second lock
        counts = dict(tracker.get_slot("pii_counts") or {})
        if count and masked != tracker.get_slot(field):
            dispatcher.utter_message(text=masked_notice(count))
        counts[field] = count_masks(masked)
        return {field: masked, "pii_counts": counts}

    def validate_structure_match(self, value, dispatcher, tracker, domain) -> Result:
        filled = structure.apply(str(value or ""), tracker.slots)
        if filled is None:
            return {structure.MATCH: None}
        chosen = structure.by_finess(filled["finess"]) if filled[structure.MATCH] != structure.NONE else None
        if chosen is not None:
            dispatcher.utter_message(text=structure.confirmed_text(chosen, filled["structure_type"]))
        elif filled[structure.MATCH] != structure.NONE:
            dispatcher.utter_message(text=structure.legal_entity_text(filled))
        return filled

    def validate_finess(self, value, dispatcher, tracker, domain) -> Result:
        checked = _checked("finess", value, normalize_finess, dispatcher)
        finess = checked["finess"]
        if not finess:
            return checked
        return {**checked, **_from_register(finess, dispatcher, tracker.slots)}

    def validate_detected_at(self, value, dispatcher, tracker, domain) -> Result:
        def check(text: str) -> str:
            return check_detected_at(_parse_iso(text), datetime.now(PARIS)).isoformat()

        checked = _checked("detected_at", value, check, dispatcher)
        if "started_at" in tracker.slots_to_validate():
            return checked  # a start said with it is checked against it by validate_started_at
        return {**checked, **_start_before(checked["detected_at"], tracker.get_slot("started_at"), dispatcher)}

    def validate_started_at(self, value, dispatcher, tracker, domain) -> Result:
        if value == "inconnu":
            return {"started_at": None}

        def check(text: str) -> str:
            started = check_detected_at(_parse_iso(text), datetime.now(PARIS))
            return check_started_at(started, _parse_iso(tracker.get_slot("detected_at"))).isoformat()

        return _checked("started_at", value, check, dispatcher)

    def validate_confirmed(self, value, dispatcher, tracker, domain) -> Result:
        return {"confirmed": True if value is True else None}


def _choice_validator(field: registry.Field) -> Callable:
    def validate(self, value, dispatcher, tracker, domain) -> Result:
        # "je ne sais pas" is an answer: noted as not known at once (asked again, the person
        # would only be told to say what they just said)
        return {field.name: value if value in field.values else None}

    return validate


def _choices_validator(field: registry.Field) -> Callable:
    def validate(self, value, dispatcher, tracker, domain) -> Result:
        return {field.name: [v for v in value or [] if v in field.values]}

    return validate


def _normalising_validator(field: registry.Field) -> Callable:
    def validate(self, value, dispatcher, tracker, domain) -> Result:
        if value == UNKNOWN:
            return {field.name: None}  # "je ne sais pas" is not a name or a number (_after_answer)
        return _checked(field.name, value, field.normalise, dispatcher)

    return validate


def _masking_validator(field: registry.Field) -> Callable:
    def validate(self, value, dispatcher, tracker, domain) -> Result:
        return self._masked(field.name, str(value).strip(), dispatcher, tracker)

    return validate


def _registry_validator(field: registry.Field) -> Optional[Callable]:
    """The generic check a field's registry entry implies (None: the form has a specific one)."""
    if field.kind is registry.Kind.CHOICE:
        return _choice_validator(field)
    if field.kind is registry.Kind.CHOICES:
        return _choices_validator(field)
    if field.masked:
        return _masking_validator(field)
    if field.normalise is not None:
        return _normalising_validator(field)
    return None


for _entry in registry.REGISTRY:
    _validator = _registry_validator(_entry)
    if _validator and f"validate_{_entry.name}" not in vars(ValidateDeclarationForm):
        setattr(ValidateDeclarationForm, f"validate_{_entry.name}", _validator)


def _checked(
    field: str, value: Any, normalise: Callable, dispatcher: CollectingDispatcher, extra: Optional[Callable] = None
) -> Result:
    try:
        clean = normalise(value)
    except InvalidValue as error:
        dispatcher.utter_message(text=error.message)
        return {field: None}
    return {field: clean, **(extra(clean) if extra else {})}


def _start_before(detected: Optional[str], started: Optional[str], dispatcher: CollectingDispatcher) -> Result:
    """The detection just said comes first: a start noted earlier that falls after it is
    withdrawn, and said so (refusing the detection would ask again what was just answered)."""
    try:
        start, seen = _parse_iso(started), _parse_iso(detected)
    except InvalidValue:
        return {}  # "inconnu": nothing to compare
    if start is None or seen is None:
        return {}
    try:
        check_started_at(start, seen)
    except InvalidValue:
        dispatcher.utter_message(
            text=f"Le début de l'incident que j'avais noté ({format_incident_date_fr(start)}) venait après "
            "ce constat : je l'ai retiré. Vous pourrez préciser plus tard quand l'incident a commencé."
        )
        return {"started_at": None}
    return {}


def _parse_iso(value: Optional[str]) -> Optional[datetime]:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise InvalidValue("Je n'ai pas compris cette date. Essayez par exemple « hier à 14h » ou « le 03/11 à 9h15 ».")


# Attacks that spread through machines: their first reflexes (guidance.md) come as soon as the
# type is known, before any question, for a person who may not know what to do.
SPREADING_ATTACKS = {"rancongiciel", "compromission_si", "logiciel_malveillant"}
FIRST_REFLEXES = (
    "Tout de suite, si ce n'est pas déjà fait : débranchez du réseau les machines touchées (câble, Wi-Fi) "
    "sans les éteindre ; gardez les traces (message de rançon, courriels, heures) ; prévenez le service "
    "informatique ; passez aux procédures du mode dégradé (papier, plan de continuité). Ne payez pas de "
    "rançon. La déclaration, elle, ne prend que quelques minutes."
)


def first_reflexes_due(before: Dict[str, Any], after: Dict[str, Any]) -> bool:
    """An attack of a spreading kind just understood, and not said to be over."""
    kind = after.get("incident_type")
    return (
        kind in SPREADING_ATTACKS
        and before.get("incident_type") not in SPREADING_ATTACKS
        and after.get("handling_status") != "resolu"
    )


def _changed(before: Dict[str, Any], after: Dict[str, Any]) -> bool:
    return any(after.get(k) != before.get(k) for k in schema.FIELDS)


OFFER = (
    "Si vous ne savez pas, répondez « je ne sais pas » : je noterai ce point comme à compléter "
    "et nous continuerons. Vous pourrez le compléter plus tard."
)
NOTED_UNKNOWN = "C'est noté comme inconnu : vous pourrez le compléter plus tard. Continuons."
NOTED_AS = "Je note « {value} » pour l'instant : CERT Santé le précisera avec vous. Continuons."
NOTED_DAY_ONLY = "Je note « {day} », sans l'heure : vous pourrez la préciser plus tard. Continuons."
NEED_CONTACT = "Il me faut au moins un moyen de vous recontacter : une adresse e-mail ou un numéro de téléphone."


NAME_KEPT = "D'accord, je garde « {name} » comme nom de la structure."
WHICH_ONE = (
    "Plusieurs établissements portent ce nom : lequel est le vôtre ? Choisissez-le dans la liste ou "
    "écrivez sa ville ; « Aucune de celles-ci » s'il n'y est pas."
)
MATCH_NOT_UNDERSTOOD = (
    "Je n'ai pas compris votre réponse. Est-ce bien votre établissement ? Répondez « oui » ou « non », "
    "ou choisissez-le dans la liste."
)
NOT_RECOGNISED = "Je n'ai pas reconnu votre réponse : je vous pose plutôt les questions sur la structure."
REGION_FROM_NAME = (
    "Je note la région {region}, d'après le nom de la ville. Si ce n'est pas la bonne, dites-le-moi simplement."
)
REGION_FROM_PHONE = (
    "Je note la région {region}, d'après votre numéro de téléphone. Si ce n'est pas la bonne, dites-le-moi simplement."
)
ABSENT_FROM_REGISTER = (
    "Ce numéro FINESS est valide mais absent du répertoire de janvier 2021 (établissement plus récent ?) : "
    "je le garde, l'ARS le vérifiera."
)


def _looked_up(before: Dict[str, Any], after: Dict[str, Any], answer: Optional[str] = None) -> List[EventType]:
    """A structure name just given (or given again) is looked up in the FINESS register, unless
    the number is known or an establishment was just confirmed. The whole answer to the name
    question first: "Fondation Hopale, Institut Calot à Berck" is the Institut Calot, which the
    name read in it ("Fondation Hopale") is not."""
    name = after.get("structure_name")
    if not name or name == before.get("structure_name") or after.get("finess") or after.get(structure.MATCH):
        return []
    answer = structure.without_denied(answer) if answer else answer
    whole = structure.candidates_for(answer) if answer and answer.strip() != name else []
    found = structure.not_refused(whole or structure.candidates_for(name), after)
    return [SlotSet(structure.CANDIDATES, found or None), SlotSet(structure.MATCH, None)]


def _name_kept(
    dispatcher: CollectingDispatcher, requested: Optional[str], slots: Dict[str, Any], asked: List[str]
) -> List[EventType]:
    """ "Je ne sais pas" to the name asked again keeps the one read before (actions/structure.py)."""
    kept = structure.name_kept(requested, slots) if "structure_name" in asked else {}
    if kept:
        dispatcher.utter_message(text=NAME_KEPT.format(name=kept["structure_name"]))
    return [SlotSet(name, value) for name, value in kept.items()]


def _name_asked_again(
    requested: Optional[str], before: Dict[str, Any], after: Dict[str, Any], asked: List[str], declined: bool
) -> List[EventType]:
    """The structure's name asked once more when the register did not recognise the one read in
    another message than the answer to the name question, or the person declined the match offered
    ("non", "aucune"; an answer not understood is not a decline: the usual questions follow)."""
    if "structure_name" not in asked:
        return []
    answered = any(entry.get("asked") == "structure_name" for entry in before.get(going_back.UNDO) or [])
    again = structure.name_again(before, after, answered or requested == "structure_name", declined)
    return [SlotSet(name, value) for name, value in again.items()]


def _region_from_name(dispatcher: CollectingDispatcher, slots: Dict[str, Any]) -> List[EventType]:
    """The region of the town the structure's name holds, when the register did not give it
    ("EHPAD Les Charmilles à Amiens"), said so that a wrong one can be corrected."""
    name = slots.get("structure_name")
    if not name or slots.get("region") or slots.get("finess") or structure.needs_confirmation(slots):
        return []
    region = structure.region_in_name(name)
    if region is None:
        return []
    dispatcher.utter_message(text=REGION_FROM_NAME.format(region=schema.ENUM_FIELDS["region"][region]))
    return [SlotSet("region", region)]


def _region_from_phone(dispatcher: CollectingDispatcher, slots: Dict[str, Any]) -> List[EventType]:
    """The region an overseas telephone number tells, when nothing else gave it."""
    phone = slots.get("declarant_phone")
    if (
        not phone
        or slots.get("region") not in (None, UNKNOWN)
        or slots.get("finess")
        or structure.needs_confirmation(slots)
    ):
        return []
    region = region_from_phone(phone)
    if region is None:
        return []
    dispatcher.utter_message(text=REGION_FROM_PHONE.format(region=schema.ENUM_FIELDS["region"][region]))
    return [SlotSet("region", region)]


def _from_register(finess: str, dispatcher: CollectingDispatcher, slots: Dict[str, Any]) -> Dict[str, Any]:
    """What a typed FINESS number tells: the establishment it names, or the sites of a legal entity."""
    found = structure.by_finess(finess)
    if found is not None:
        dispatcher.utter_message(
            text=f"Ce numéro FINESS est celui de : {found.display_name} ({structure.place(found)})."
        )
        filled = {"region": found.region.value if found.region else None}
        if not slots.get("structure_type"):
            filled["structure_type"] = found.structure_type.value
        return filled
    sites = structure.sites_of(finess)
    region = {"region": region_from_finess(finess)}
    if not sites:
        dispatcher.utter_message(text=ABSENT_FROM_REGISTER)
        return region
    dispatcher.utter_message(
        text=f"Ce numéro est celui de l'entité juridique, qui compte {len(sites)} établissement"
        f"{'s' if len(sites) > 1 else ''} dans le répertoire FINESS. Je le garde."
    )
    if len(sites) <= MAX_CHOICES:
        return {**region, structure.CANDIDATES: [site.finess for site in sites], structure.MATCH: None}
    return region


def _back_from_detour(tracker: Tracker) -> bool:
    """Whether another action (a rule's answer, the fallback) took the latest message before the
    form came back to it. Rasa shows the validation action the form as the latest action, so the
    events after the latest user message tell."""
    loop = (tracker.active_loop or {}).get("name")
    if tracker.latest_action_name not in (loop, "action_listen", None):
        return True
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in (loop, "action_listen", None):
            return True
    return False


def _note_as_unknown(dispatcher: CollectingDispatcher, slots: Dict[str, Any], field: str) -> List[EventType]:
    """The field is not known: ``inconnu`` for a choice, else left empty (listed as unknown at sending)."""
    reset = [SlotSet("invalid_attempts", None)]
    day = _said_day(slots) if field == "detected_at" else None
    if day:  # "ce matin" was said: the day is kept, only the hour stays unknown
        dispatcher.utter_message(text=NOTED_DAY_ONLY.format(day=day["text"]))
        return reset + [SlotSet(field, day["value"])]
    entry = registry.field(field)
    if entry.kind is registry.Kind.CHOICE and UNKNOWN in entry.values:
        dispatcher.utter_message(text=NOTED_UNKNOWN)
        return reset + [SlotSet(field, UNKNOWN)]
    if entry.not_known:
        dispatcher.utter_message(text=NOTED_AS.format(value=entry.values[entry.not_known]))
        return reset + [SlotSet(field, entry.not_known)]
    skipped = set(slots.get("skipped_fields") or []) | {field}
    if set(CONTACT_FIELDS) <= skipped:
        skipped -= set(CONTACT_FIELDS) - {field}  # the other one is asked again
        dispatcher.utter_message(text=NEED_CONTACT)
    else:
        dispatcher.utter_message(text=NOTED_UNKNOWN)
    return reset + [SlotSet("skipped_fields", sorted(skipped))]


def _said_day(slots: Dict[str, Any]) -> Optional[Dict[str, str]]:
    """The day said without an hour ("ce matin"), if it can stand as the detection date."""
    day = slots.get(DAY_ONLY)
    if not day:
        return None
    try:
        check_started_at(_parse_iso(slots.get("started_at")), _parse_iso(day["value"]))
    except InvalidValue:
        return None
    return day


def _skippable(field: str) -> bool:
    return field in registry.BY_NAME and registry.field(field).skippable


class AskField(Action, ABC):
    """`action_ask_<field>`: say the pending feedback once, then ask the question."""

    @property
    @abstractmethod
    def field(self) -> str:
        """The field this action asks for."""

    def name(self) -> Text:
        return f"action_ask_{self.field}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        say_feedback(dispatcher, tracker)
        worded = QUESTIONS[self.field](tracker.slots) if self.field in QUESTIONS else None
        if worded:
            dispatcher.utter_message(**worded)
        else:
            dispatcher.utter_message(response=f"utter_ask_{self.field}")
        return [SlotSet("feedback", None)]


def _hour_question(slots: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    day = slots.get(DAY_ONLY)
    if not day:
        return None
    return {"text": HOUR_QUESTION.format(day=day["text"])}


def _town_question(slots: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The region not known or not recognised: its town, which the register knows."""
    return {"response": "utter_ask_region_town", "buttons": [DONT_KNOW]} if slots.get("invalid_attempts") else None


# Questions worded from what is known (else the domain's `utter_ask_<field>`).
QUESTIONS: Dict[str, Callable[[Dict[str, Any]], Optional[Dict[str, Any]]]] = {
    "incident_type": type_guess.question,
    "detected_at": _hour_question,
    "region": _town_question,
    "structure_name": structure.name_question,
}
HOUR_QUESTION = (
    "Vous l'avez constaté {day} : vers quelle heure, à peu près ? "
    "Par exemple « vers 3h » ou « 8h30 ». Si vous ne savez pas, répondez « je ne sais pas »."
)


def say_feedback(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    dispatcher.messages.extend(tracker.get_slot("feedback") or [])


class ValidateSeriousnessForm(ValidateDeclarationForm):
    """ "Mon incident est-il grave ?": the criteria of the spec, asked as a short check.

    Same fields and checks as the declaration, so that what is learned here
    is already filled in if the user goes on to declare.
    """

    def name(self) -> Text:
        return "validate_seriousness_form"

    @staticmethod
    def fields(slots: Dict[str, Any]) -> List[str]:
        return SERIOUSNESS_FIELDS


SERIOUSNESS_FIELDS = registry.seriousness()


def _ask_action(field: str) -> type:
    return type(f"Ask_{field}", (AskField,), {"field": field})


# One `action_ask_<field>` per question of the declaration and seriousness forms
# (rasa-sdk registers every subclass of Action; domain.yml lists the same names,
# checked by tests/unit/test_domain_registry.py).
ASKED_FIELDS = list(
    dict.fromkeys(
        registry.asked({"origin": "malveillante", "health_data_involved": "oui", "structure_type": None})
        + SERIOUSNESS_FIELDS
    )
)
ASK_ACTIONS = tuple(_ask_action(field) for field in ASKED_FIELDS)
