"""Completing a declaration (actions/completion.py): which fields reopen, the
form turn by turn, the summary of changes, and the stored complement."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import submission
from actions.completion import (
    ASK_ACTIONS,
    ActionAskCompletionConfirmed,
    ActionStartCompletion,
    ActionSubmitCompletion,
    ValidateCompletionForm,
    completion_changes,
    reopened_fields,
)
from bot.core.outbox import Outbox
from tests.support.declarations import sample_fields, submit
from tests.unit.test_declaration_form import DOMAIN, SLOTS, message


@pytest.fixture
def chat_store(store, monkeypatch):  # noqa: F811
    monkeypatch.setattr(submission, "store", lambda: store)
    return store


def tracker(text, intent="inform", sender="conv-1", active_loop=None, **slots):
    return Tracker(
        sender,
        {**SLOTS, **slots},
        message(text, intent),
        [],
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_unknown_open_and_planned_fields_reopen_in_order():
    declaration = sample_fields(
        cause=None,
        measures_taken=None,
        handling_status="en_cours",
        perimeter=None,
        spread_risk="inconnu",
        complaint_filed="prevue",
        cnil_notified="oui",
        structure_type="etablissement_sante_public",
        is_ose="non",
    )
    assert reopened_fields(declaration) == [
        "handling_status",
        "spread_risk",
        "provider_involved",
        "complaint_filed",
        "perimeter",
        "started_at",
        "measures_taken",
        "cause",
    ]


def test_what_does_not_apply_is_not_reopened():
    declaration = sample_fields(
        origin="non_malveillante",
        incident_type="panne_materielle",
        complaint_filed=None,
        health_data_involved="non",
        data_impact=["disponibilite"],
        cnil_notified=None,
        structure_type="esms",
        is_ose=None,
        handling_status="resolu",
        started_at=None,
        cause="Disque défaillant.",
        provider_involved="non",
        spread_risk="non",
    )
    assert reopened_fields(declaration) == ["started_at"]


def test_changes_are_what_differs_from_the_stored_declaration():
    base = sample_fields(cause=None, handling_status="en_cours")
    slots = {
        **base,
        "completion_base": base,
        "cause": "Un VPN non mis à jour.",
        "handling_status": "en_cours",
        "perimeter": None,
    }
    assert completion_changes(slots) == {"cause": "Un VPN non mis à jour."}


async def test_start_loads_the_declaration_and_reopens_its_unknown_fields(chat_store):
    reference = submit(chat_store, cause=None, handling_status="en_cours")["reference"]
    dispatcher = CollectingDispatcher()
    events = await ActionStartCompletion().run(
        dispatcher, tracker(f"je veux compléter {reference}", "complete_declaration"), DOMAIN
    )
    values = slot_values(events)
    assert values["completion_reference"] == reference and values["structure_name"] == "CH de Vierzon"
    assert values["completion_fields"][0] == "handling_status" and "cause" in values["completion_fields"]
    assert values["handling_status"] is None and values["completion_base"]["handling_status"] == "en_cours"
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "completion_form"}
    assert "Complétons la déclaration" in dispatcher.messages[0]["text"]


async def test_the_offer_taken_up_skips_what_was_asked_just_before(chat_store):
    reference = submit(chat_store, cause=None, handling_status="en_cours")["reference"]
    offer = {"completion_offer": reference, "last_reference": reference, "asked_before_sending": ["cause"]}
    events = await ActionStartCompletion().run(CollectingDispatcher(), tracker("oui", "affirm", **offer), DOMAIN)
    assert "cause" not in slot_values(events)["completion_fields"]
    assert slot_values(events)["asked_before_sending"] is None

    later = tracker(f"je veux compléter {reference}", "complete_declaration")  # another time: everything open
    events = await ActionStartCompletion().run(CollectingDispatcher(), later, DOMAIN)
    assert "cause" in slot_values(events)["completion_fields"]


async def test_another_conversations_declaration_goes_through_the_email_check(chat_store):
    reference = submit(chat_store)["reference"]
    events = await ActionStartCompletion().run(
        CollectingDispatcher(), tracker(f"compléter {reference}", "complete_declaration", sender="ailleurs"), DOMAIN
    )
    assert slot_values(events)["pending_access"] == {"reference": reference, "purpose": "complete"}
    assert "completion_reference" not in slot_values(events)


async def test_an_interrupted_declaration_is_never_overwritten(chat_store):
    reference = submit(chat_store)["reference"]
    dispatcher = CollectingDispatcher()
    slots = {**sample_fields(), "confirmed": True, "submission_key": "k"}
    assert (
        await ActionStartCompletion().run(
            dispatcher, tracker(f"compléter {reference}", "complete_declaration", **slots), DOMAIN
        )
        == []
    )
    assert "Répondez « oui » pour la terminer d'abord" in dispatcher.messages[0]["text"]


def completing(**changes):
    base = sample_fields(cause=None, handling_status="en_cours", measures_taken=None)
    reopened = ["handling_status", "measures_taken", "cause"]
    slots = {
        **base,
        **{f: None for f in reopened},
        "completion_reference": "SSI-2026-000001",
        "completion_base": base,
        "completion_fields": reopened,
        "submission_key": "c-key",
    }
    return {**slots, **changes}


async def form_turn(slots, text, intent="inform"):
    events = await ValidateCompletionForm().run(
        CollectingDispatcher(), tracker(text, intent, active_loop="completion_form", **slots), DOMAIN
    )
    return slot_values(events)


async def test_an_answer_a_pass_and_a_finish():
    slots = completing(requested_slot="handling_status")
    values = await form_turn(slots, "Résolu")
    assert values["handling_status"] == "resolu" and values["requested_slot"] == "measures_taken"
    slots.update(values)
    values = await form_turn(slots, "je ne sais pas", "dont_know")
    assert values["skipped_fields"] == ["measures_taken"] and values["requested_slot"] == "cause"
    slots.update(values)
    values = await form_turn(slots, "c'est tout", "finish")
    assert values["requested_slot"] == "confirmed"  # a change was made: show it before sending


async def test_typed_not_knowing_is_an_answer_the_pass_button_is_not():
    """ "Je ne sais pas" typed to a choice that has it is stored as not known (the spec); the
    "Passer" button (or "passer") leaves the declaration as it was."""
    slots = completing(requested_slot="spread_risk", completion_fields=["spread_risk", "provider_involved"])
    slots["spread_risk"] = slots["provider_involved"] = None
    values = await form_turn(slots, "je ne sais pas du tout", "dont_know")
    assert values["spread_risk"] == "inconnu" and values["requested_slot"] == "provider_involved"
    slots.update(values)
    for passing in ("/dont_know", "passer"):
        values = await form_turn(slots, passing, "dont_know")
        assert values["skipped_fields"] == ["provider_involved"] and values.get("provider_involved") is None


@pytest.mark.parametrize(
    "said", ["impossible à chiffrer pour l'instant", "c'est trop tôt pour le dire", "pas encore évalué", "inconnu"]
)
async def test_saying_it_cannot_be_told_yet_passes_the_question_whatever_nlu_read(said):
    """Read as the fallback, these came back twice as "je n'ai pas compris" and the question
    was never offered again: they say "je ne sais pas" in other words."""
    slots = completing(requested_slot="persons_affected", completion_fields=["persons_affected", "cause"])
    slots["persons_affected"] = None
    values = await form_turn(slots, said, "nlu_fallback")
    assert values["skipped_fields"] == ["persons_affected"] and values["requested_slot"] == "cause"


async def test_nothing_changed_ends_the_questions_without_a_summary():
    values = await form_turn(completing(requested_slot="handling_status"), "terminer", "finish")
    assert values["requested_slot"] is None


async def test_the_summary_shows_only_what_changes():
    dispatcher = CollectingDispatcher()
    slots = completing(handling_status="resolu", cause="Un courriel piégé.", requested_slot="confirmed")
    await ActionAskCompletionConfirmed().run(dispatcher, tracker("", **slots), DOMAIN)
    text = dispatcher.messages[0]["text"]
    assert text.startswith("Voici ce que vous ajoutez à la déclaration SSI-2026-000001")
    assert "- Cause : Un courriel piégé." in text and "- État de la prise en charge : Résolu" in text
    assert "Nom de la structure" not in text
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]][0] == "Envoyer le complément"


async def test_a_confirmed_completion_is_stored_and_forwarded(chat_store):
    reference = submit(chat_store, key="first", cause=None, handling_status="en_cours", measures_taken=None)[
        "reference"
    ]
    slots = completing(
        completion_reference=reference, handling_status="resolu", cause="Un courriel piégé.", confirmed=True
    )
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitCompletion().run(dispatcher, tracker("oui", "affirm", **slots), DOMAIN)
    assert (
        f"Le complément de la déclaration {reference} est enregistré (2 informations)" in dispatcher.messages[0]["text"]
    )
    assert events[0] == {"event": "reset_slots", "timestamp": None}
    stored = chat_store.get(reference)
    assert stored["status"] == "completee" and stored["cause"] == "Un courriel piégé."
    assert [c["field"] for c in chat_store.changes(reference)] == ["handling_status", "cause"]
    kinds = [claim.kind for claim in Outbox(chat_store).claim_due(limit=5)]
    assert kinds == ["initiale", "complement"]


async def test_a_storage_failure_keeps_the_answers(chat_store, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(chat_store, "complete", broken)
    dispatcher = CollectingDispatcher()
    slots = completing(cause="Un courriel piégé.", confirmed=True)
    events = await ActionSubmitCompletion().run(dispatcher, tracker("oui", "affirm", **slots), DOMAIN)
    assert "n'est PAS transmis" in dispatcher.messages[0]["text"]
    assert events == [
        {"event": "slot", "timestamp": None, "name": "confirmed", "value": None},
        {"event": "followup", "timestamp": None, "name": "completion_form"},
    ]


async def test_an_answer_taken_for_a_finish_is_still_the_answer():
    values = await form_turn(completing(requested_slot="handling_status"), "c'est résolu, tout est reparti", "finish")
    assert values["handling_status"] == "resolu" and values["requested_slot"] == "measures_taken"


def test_systems_read_from_words_are_reopened_until_a_first_completion():
    declaration = sample_fields(affected_systems=["messagerie"], status="soumise")
    assert "affected_systems" in reopened_fields(declaration)
    assert "affected_systems" in reopened_fields({**declaration, "status": "transmise"})
    assert "affected_systems" not in reopened_fields({**declaration, "status": "completee"})


def reading_systems(**changes):
    base = sample_fields(affected_systems=["messagerie", "gestion_administrative"], cause=None)
    slots = {
        **base,
        "affected_systems": None,
        "cause": None,
        "completion_reference": "SSI-2026-000001",
        "completion_base": base,
        "completion_fields": ["affected_systems", "cause"],
        "submission_key": "c-key",
        "requested_slot": "affected_systems",
    }
    return {**slots, **changes}


async def test_the_systems_read_are_shown_and_kept_by_a_yes():
    dispatcher = CollectingDispatcher()
    ask = next(a for a in ASK_ACTIONS if a.field == "affected_systems")()
    await ask.run(dispatcher, tracker("", **reading_systems()), DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_ask_affected_systems_read"
    assert dispatcher.messages[0]["noted"] == "Messagerie, Gestion administrative des patients"
    for text, intent in (("oui c'est complet", "affirm"), ("/affirm", "affirm"), ("/dont_know", "dont_know")):
        values = await form_turn(reading_systems(), text, intent)
        assert values["affected_systems"] == ["messagerie", "gestion_administrative"], text
        assert values["requested_slot"] == "cause"


async def test_the_systems_given_replace_those_read_unless_added():
    values = await form_turn(reading_systems(), "la messagerie et la téléphonie")
    assert set(values["affected_systems"]) == {"messagerie", "telephonie"}
    values = await form_turn(reading_systems(), "oui, et aussi la téléphonie")
    assert values["affected_systems"] == ["messagerie", "gestion_administrative", "telephonie"]


async def test_systems_met_in_another_answer_wait_for_their_own_question():
    slots = reading_systems(requested_slot="handling_status", handling_status=None)
    slots["completion_fields"] = ["handling_status", "affected_systems", "cause"]
    text = "maîtrisé, on a restauré le DPI et le PACS"
    lexicon = [{"entity": "affected_systems", "value": v, "start": 0, "end": 1} for v in ("dpi", "pacs_ris")]
    events = await ValidateCompletionForm().run(
        CollectingDispatcher(),
        Tracker("conv-1", {**SLOTS, **slots}, {**message(text, "inform"), "entities": lexicon}, [], False, None,
                {"name": "completion_form"}, "action_listen"),
        DOMAIN,
    )  # fmt: skip
    values = slot_values(events)
    assert values["handling_status"] == "maitrise" and values.get("affected_systems") is None
    assert values["requested_slot"] == "affected_systems"


async def test_finishing_keeps_the_systems_read():
    values = await form_turn(reading_systems(), "terminer", "finish")
    assert values["affected_systems"] == ["messagerie", "gestion_administrative"]


async def test_a_no_to_is_it_complete_asks_for_the_list_and_none_clears_it():
    values = await form_turn(reading_systems(), "non", "deny")
    assert values.get("affected_systems") is None and values["requested_slot"] == "affected_systems"
    values = await form_turn(reading_systems(), "aucun système en fait", "deny")
    assert values["affected_systems"] == []


def test_a_start_day_without_its_hour_is_reopened():
    assert "started_at" in reopened_fields(sample_fields(started_at="2026-11-27T00:00:00+01:00"))
    assert "started_at" not in reopened_fields(sample_fields(started_at="2026-11-27T14:10:00+01:00"))


async def test_the_start_hour_is_asked_for_its_day_and_read_on_it():
    base = sample_fields(started_at="2026-11-25T00:00:00+01:00", detected_at="2026-11-28T09:00:00+01:00")
    slots = {
        **base,
        "started_at": None,
        "completion_reference": "SSI-2026-000001",
        "completion_base": base,
        "completion_fields": ["started_at"],
        "submission_key": "c-key",
        "requested_slot": "started_at",
    }
    dispatcher = CollectingDispatcher()
    ask = next(a for a in ASK_ACTIONS if a.field == "started_at")()
    await ask.run(dispatcher, tracker("", **slots), DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_ask_started_at_hour"
    assert dispatcher.messages[0]["day"] == "mercredi 25 novembre 2026"
    values = await form_turn(slots, "vers 14h")
    assert values["started_at"].startswith("2026-11-25T14:00")


async def test_a_start_said_as_how_long_before_the_detection_declared():
    base = sample_fields(started_at=None, detected_at="2026-11-27T20:00:00+01:00")
    slots = {
        "completion_reference": "SSI-2026-000001",
        "completion_base": base,
        "completion_fields": ["started_at"],
        "submission_key": "c-key",
        "requested_slot": "started_at",
    }
    values = await form_turn(
        slots, "le prestataire dit que son routeur a lâché environ une heure avant qu'on s'en aperçoive"
    )
    assert values["started_at"].startswith("2026-11-27T19:00")
