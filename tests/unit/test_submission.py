"""action_submit_declaration: stored once, then the receipt with its links; a
storage failure keeps every answer."""

import time

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import submission
from actions.submission import ActionSubmitDeclaration
from bot.receipts.links import verify_receipt_token
from tests.support.declarations import sample_fields


@pytest.fixture
def chat_store(store, monkeypatch):  # noqa: F811
    monkeypatch.setattr(submission, "store", lambda: store)
    return store


def confirmed(**changes):
    slots = {
        **sample_fields(),
        "confirmed": True,
        "submission_key": "key-42",
        "pii_counts": {"description": 1},
        **changes,
    }
    return Tracker("conv-9", slots, {"text": "oui", "intent": {"name": "affirm"}}, [], False, None, {}, "action_listen")


async def submit_it(tracker):
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitDeclaration().run(dispatcher, tracker, {})
    return events, dispatcher.messages[0]["text"]


async def test_the_receipt_gives_the_reference_and_signed_links(chat_store, monkeypatch):
    monkeypatch.setenv("VIGIE_PUBLIC_ORIGIN", "https://vigie.example.fr")
    monkeypatch.setenv("VIGIE_RECEIPT_SECRET", "secret-des-recus")
    events, said = await submit_it(confirmed())
    [stored] = chat_store.list()
    assert f"enregistrée sous la référence {stored['reference']}" in said
    page = next(word for word in said.split() if word.startswith("https://vigie.example.fr/recu/"))
    token = page.split("?t=", 1)[1]
    assert verify_receipt_token(token, stored["reference"], b"secret-des-recus", time.time())
    assert f"https://vigie.example.fr/recu/{stored['reference']}.pdf?t=" in said
    assert stored["pii_masked"] == 1 and events[0] == {"event": "reset_slots", "timestamp": None}


async def test_after_sending_the_portal_is_not_named_and_what_is_left_is_listed(chat_store):
    _, said = await submit_it(confirmed())
    assert "vous n'avez pas à la refaire sur le portail de signalement" in said
    assert "signalement-sante.gouv.fr" not in said and "Déclarez l'incident à CERT Santé" not in said
    left = said.split("Ce qu'il vous reste à faire :", 1)[1]
    assert "CERT Santé et ARS" not in left


async def test_without_the_settings_the_receipt_has_no_link(chat_store, monkeypatch):
    monkeypatch.delenv("VIGIE_RECEIPT_SECRET", raising=False)
    _, said = await submit_it(confirmed())
    assert "/recu/" not in said and "SSI-" in said


async def test_the_same_confirmation_twice_stores_once(chat_store):
    await submit_it(confirmed())
    await submit_it(confirmed())
    assert chat_store.count_by_submission_key("key-42") == 1


async def test_a_storage_failure_says_nothing_was_sent_and_keeps_the_answers(chat_store, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(chat_store, "submit", broken)
    events, said = await submit_it(confirmed())
    assert "elle n'est PAS transmise" in said and "Vos réponses sont conservées" in said
    assert events == [
        {"event": "slot", "timestamp": None, "name": "confirmed", "value": None},
        {"event": "followup", "timestamp": None, "name": "declaration_form"},
    ]


async def test_the_receipt_is_followed_by_the_offer_to_complete_now(chat_store):
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitDeclaration().run(dispatcher, confirmed(handling_status=None, is_ose=None), {})
    [stored] = chat_store.list()
    offer = dispatcher.messages[1]
    assert "de plus la compléteraient maintenant (état de la prise en charge, " in offer["text"]
    assert "peut être passée" in offer["text"]
    assert [b["payload"] for b in offer["buttons"]] == ["/complete_declaration", "/goodbye"]
    assert {"event": "slot", "timestamp": None, "name": "completion_offer", "value": stored["reference"]} in events


async def test_the_offer_leaves_out_what_the_form_just_asked(chat_store):
    slots = {**confirmed(handling_status=None, is_ose=None, health_data_involved="inconnu").slots}
    asked = [{"event": "slot", "name": "requested_slot", "value": f} for f in ("health_data_involved", "confirmed")]
    earlier = [{"event": "slot", "name": "requested_slot", "value": "is_ose"}, {"event": "reset_slots"}]
    tracker = Tracker("conv-9", slots, {"text": "oui"}, earlier + asked, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitDeclaration().run(dispatcher, tracker, {})
    offer = dispatcher.messages[1]["text"]
    assert "données de santé" not in offer and "opérateur de services essentiels" in offer
    noted = {"event": "slot", "timestamp": None, "name": "asked_before_sending", "value": ["health_data_involved"]}
    assert noted in events


def outside_form(intent: str, **slots):
    return Tracker("conv-9", slots, {"text": "x", "intent": {"name": intent}}, [], False, None, {}, "action_listen")


async def test_yes_to_the_offer_starts_the_completion_and_no_declines_it():
    events = await submission.ActionAffirmOutsideForm().run(
        CollectingDispatcher(), outside_form("affirm", completion_offer="SSI-2026-000007"), {}
    )
    assert events == [{"event": "followup", "timestamp": None, "name": "action_start_completion"}]
    dispatcher = CollectingDispatcher()
    events = await submission.ActionDenyOutsideForm().run(
        dispatcher, outside_form("deny", completion_offer="SSI-2026-000007"), {}
    )
    assert "SSI-2026-000007 est transmise telle quelle" in dispatcher.messages[0]["text"]
    assert events == [
        {"event": "slot", "timestamp": None, "name": "completion_offer", "value": None},
        {"event": "slot", "timestamp": None, "name": "asked_before_sending", "value": None},
    ]
    dispatcher = CollectingDispatcher()
    assert await submission.ActionDenyOutsideForm().run(dispatcher, outside_form("deny"), {}) == []
    assert dispatcher.messages[0]["response"] == "utter_nothing_to_confirm"
