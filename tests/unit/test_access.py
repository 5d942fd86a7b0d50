"""The declarant's e-mail check (actions/access.py): the right address unlocks the
declaration for this conversation; a wrong one, or an unknown reference, gets the
same answer, three times at most; asking again does not reset the count, and past it
each try waits longer."""

import re
from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import submission
from actions.access import (
    LOCKED,
    MAX_EMAIL_ATTEMPTS,
    NO_MATCH,
    REFUSED,
    ActionGrantAccess,
    ValidateOwnershipForm,
)
from bot.core.access_limits import LONGEST_WAIT
from tests.support.declarations import submit


@pytest.fixture
def chat_store(store, monkeypatch):  # noqa: F811
    monkeypatch.setattr(submission, "store", lambda: store)
    return store


USER_TURN = [
    {"event": "action", "name": "action_ask_owner_email"},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "…"},
    {"event": "slot", "name": "requested_slot", "value": "owner_email"},
    {"event": "action", "name": "ownership_form"},
]
# The turn that opens the check: the status action ran before the form.
OPENING_TURN = [
    {"event": "user", "text": "où en est SSI-2026-000001 ?"},
    {"event": "action", "name": "action_declaration_status"},
    {"event": "slot", "name": "requested_slot", "value": "owner_email"},
    {"event": "action", "name": "ownership_form"},
]


def tracker(text, events=USER_TURN, **slots):
    return Tracker(
        "other-conversation",
        {"requested_slot": "owner_email", **slots},
        {"text": text, "intent": {"name": "inform"}},
        events,
        False,
        None,
        {"name": "ownership_form"},
        "ownership_form",
    )


async def check(text, reference, attempts=None):
    dispatcher = CollectingDispatcher()
    result = await ValidateOwnershipForm().validate_owner_email(
        text,
        dispatcher,
        tracker(text, pending_access={"reference": reference, "purpose": "status"}, access_attempts=attempts),
        {},
    )
    return result, " ".join(m.get("text") or "" for m in dispatcher.messages)


async def test_the_declarants_address_unlocks_whatever_its_case(chat_store):
    reference = submit(chat_store)["reference"]  # declarant_email rssi@ch-vierzon.fr
    result, said = await check("RSSI@CH-Vierzon.FR", reference)
    assert result == {"owner_email": "RSSI@ch-vierzon.fr"} and said == ""


async def test_a_wrong_address_and_an_unknown_reference_get_the_same_answer(chat_store):
    reference = submit(chat_store)["reference"]
    wrong, said_wrong = await check("autre@ch-vierzon.fr", reference)
    unknown, said_unknown = await check("rssi@ch-vierzon.fr", "SSI-2026-999999")
    assert wrong == unknown == {"owner_email": None, "access_attempts": 1}
    assert said_wrong == said_unknown == NO_MATCH


async def test_the_third_wrong_address_ends_the_check(chat_store):
    reference = submit(chat_store)["reference"]
    result, _ = await check("autre@ch-vierzon.fr", reference, attempts=MAX_EMAIL_ATTEMPTS - 1)
    assert result == {"owner_email": REFUSED, "access_attempts": MAX_EMAIL_ATTEMPTS}


async def test_what_is_not_an_address_is_explained_and_not_counted(chat_store):
    reference = submit(chat_store)["reference"]
    result, said = await check("je ne sais plus", reference)
    assert result == {"owner_email": None} and "adresse e-mail" in said


async def grant(**slots):
    dispatcher = CollectingDispatcher()
    events = await ActionGrantAccess().run(dispatcher, tracker("x", **slots), {})
    return events, " ".join(m.get("text") or "" for m in dispatcher.messages)


async def test_a_granted_check_unlocks_and_goes_on_with_what_was_asked():
    events, said = await grant(
        owner_email="rssi@ch-vierzon.fr",
        verified_references=["SSI-2026-000001"],
        pending_access={"reference": "SSI-2026-000002", "purpose": "complete"},
    )
    assert said == ""
    assert {
        "event": "slot",
        "timestamp": None,
        "name": "verified_references",
        "value": ["SSI-2026-000001", "SSI-2026-000002"],
    } in events
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "action_start_completion"}


async def test_a_refused_check_unlocks_nothing():
    events, said = await grant(
        owner_email=REFUSED, pending_access={"reference": "SSI-2026-000002", "purpose": "status"}
    )
    assert NO_MATCH in said
    assert not any(e.get("name") in ("verified_references", "access_reference") for e in events)


async def test_the_message_that_opens_the_check_is_not_taken_as_the_address():
    form = ValidateOwnershipForm()
    assert await form.extract_owner_email(None, tracker("où en est SSI-2026-000001 ?", OPENING_TURN), {}) == {}
    assert await form.extract_owner_email(None, tracker(" rssi@ch-vierzon.fr "), {}) == {
        "owner_email": "rssi@ch-vierzon.fr"
    }
    assert await form.validate_owner_email(None, CollectingDispatcher(), tracker("x"), {}) == {"owner_email": None}


@pytest.mark.parametrize("known", [True, False])
async def test_asking_again_never_resets_the_count_and_the_right_address_then_waits(chat_store, known):
    """Found in an attack run: nine wrong addresses in three requests, then the right one unlocked it."""
    reference = submit(chat_store)["reference"] if known else "SSI-2026-999999"
    for _ in range(2):  # a new request each time: the form's own count starts again
        result, said = await check("autre@ch-vierzon.fr", reference)
        assert result == {"owner_email": None, "access_attempts": 1} and said == NO_MATCH
    result, said = await check("encore@ch-vierzon.fr", reference)
    assert result == {"owner_email": LOCKED} and "réessayez dans 1 minute" in said
    result, said = await check("rssi@ch-vierzon.fr", reference)
    # what is left of the minute: "1 minute", or some seconds on a slow machine
    assert result == {"owner_email": LOCKED} and re.search(r"réessayez dans (1 minute|\d+ secondes)", said)


def test_each_wrong_address_past_three_doubles_the_wait_up_to_a_day(store):
    limits, now = store.access_limits(), datetime(2026, 12, 4, 3, 0, tzinfo=timezone.utc)
    waits = [limits.failed("SSI-2026-000042", now) for _ in range(6)]
    assert waits == [timedelta(0)] * 2 + [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert limits.wait("SSI-2026-000042", now + timedelta(minutes=7)) == timedelta(minutes=1)
    assert limits.wait("SSI-2026-000042", now + timedelta(minutes=8)) == timedelta(0)
    assert limits.wait("SSI-2026-000043", now) == timedelta(0)  # by reference
    for _ in range(30):
        longest = limits.failed("SSI-2026-000042", now)
    assert longest == LONGEST_WAIT
    limits.succeeded("SSI-2026-000042")
    assert limits.wait("SSI-2026-000042", now) == timedelta(0)


async def test_a_locked_check_says_only_how_long_to_wait():
    events, said = await grant(owner_email=LOCKED, pending_access={"reference": "SSI-2026-000002", "purpose": "status"})
    assert said == ""
    assert not any(e.get("name") in ("verified_references", "access_reference") for e in events)
