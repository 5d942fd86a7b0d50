"""action_declaration_status: what the declarant reads about the forwarding."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import submission
from actions.status import ActionDeclarationStatus
from bot.core.outbox import Outbox
from bot.core.paris_time import utc_now
from tests.support.declarations import submit


@pytest.fixture
def chat_store(store, monkeypatch):  # noqa: F811
    monkeypatch.setattr(submission, "store", lambda: store)
    return store


async def run_status(text, sender="conv-1", **slots):
    tracker = Tracker(
        sender, slots, {"text": text, "intent": {"name": "ask_status"}}, [], False, None, {}, "action_listen"
    )
    dispatcher = CollectingDispatcher()
    events = await ActionDeclarationStatus().run(dispatcher, tracker, {})
    return events, " ".join(m["text"] for m in dispatcher.messages)


async def ask(text, sender="conv-1", last_reference=None):
    events, said = await run_status(text, sender, last_reference=last_reference)
    assert events in ([], [{"event": "slot", "timestamp": None, "name": "access_reference", "value": None}])
    return said


async def test_without_a_declaration_it_says_how_to_make_one(chat_store):
    said = await ask("où en est ma déclaration ?")
    assert "pas encore envoyé de déclaration" in said


async def test_pending_then_retrying_then_transmitted(chat_store):
    reference = submit(chat_store)["reference"]
    assert "transmission à CERT Santé est en cours" in await ask("c'est transmis ?", last_reference=reference)
    box = Outbox(chat_store)
    [claim] = box.claim_due()
    claim_retry = utc_now()
    box.mark_failed(claim.id, "HTTP 500", claim_retry)
    box.claim_due()
    said = await ask("c'est transmis ?", last_reference=reference)
    assert "2 tentatives" in said and "réessaie automatiquement" in said
    [claim] = box.claim_due(now=claim_retry.replace(year=claim_retry.year + 1))
    box.mark_delivered(claim.id, "CERT-7")
    said = await ask(f"où en est {reference.lower()} ?")
    assert f"{reference} a été transmise à CERT Santé le " in said
    assert "accusé de réception CERT-7" in said


async def test_a_dead_letter_says_who_is_alerted_and_what_to_do(chat_store):
    reference = submit(chat_store)["reference"]
    box = Outbox(chat_store)
    [claim] = box.claim_due()
    box.mark_failed(claim.id, "HTTP 422", None)
    said = await ask("statut", last_reference=reference)
    assert "transmission automatique a échoué" in said
    assert "sur le portail signalement-sante.gouv.fr" in said  # the fallback, only now
    assert "appelez CERT Santé" in said and "cyberveille-sante.gouv.fr" in said


async def test_another_conversations_declaration_first_needs_the_declarants_email(chat_store):
    reference = submit(chat_store)["reference"]
    for asked in (reference, "SSI-2026-999999"):  # known or not: the same answer, nothing said
        events, said = await run_status(f"où en est {asked} ?", sender="someone-else")
        assert said == ""
        assert {
            "event": "slot",
            "timestamp": None,
            "name": "pending_access",
            "value": {"reference": asked, "purpose": "status"},
        } in events
        assert events[-1] == {"event": "followup", "timestamp": None, "name": "ownership_form"}


async def test_a_declaration_unlocked_by_email_is_reported(chat_store):
    reference = submit(chat_store)["reference"]
    events, said = await run_status(
        "marie@exemple.fr", sender="someone-else", access_reference=reference, verified_references=[reference]
    )
    assert (
        f"La déclaration {reference} est bien enregistrée" in said
        and "(Déclaration faite depuis : page web de Vigie.)" in said
    )


# --- A submission interrupted by a crash --------------------------------------


async def affirm_outside_form(slots):
    from actions.submission import ActionAffirmOutsideForm

    tracker = Tracker(
        "conv-1", slots, {"text": "oui", "intent": {"name": "affirm"}}, [], False, None, {}, "action_listen"
    )
    dispatcher = CollectingDispatcher()
    events = await ActionAffirmOutsideForm().run(dispatcher, tracker, {})
    return events, dispatcher.messages


async def test_yes_after_an_interrupted_submission_submits_it():
    from tests.support.declarations import sample_fields

    slots = {**sample_fields(), "confirmed": True, "submission_key": "k-1"}
    events, said = await affirm_outside_form(slots)
    assert events == [{"event": "followup", "timestamp": None, "name": "action_submit_declaration"}]
    assert "je termine son enregistrement" in said[0]["text"]


@pytest.mark.parametrize("change", [{"confirmed": None}, {"submission_key": None}, {"structure_name": None}])
async def test_yes_with_nothing_pending_says_so(change):
    from tests.support.declarations import sample_fields

    events, said = await affirm_outside_form({**sample_fields(), "confirmed": True, "submission_key": "k", **change})
    assert events == [] and said[0]["response"] == "utter_nothing_to_confirm"
