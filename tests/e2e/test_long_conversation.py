"""A long conversation: past VIGIE_SESSION_EVENTS events a new session carries the
declaration over, the form goes on at its pending question, and the declaration stored at
the end has what the person said before (tests/unit/test_long_conversations.py for the
mechanism)."""

import uuid

from bot.core import schema
from tests.support.declarant import PERSONA, RICH_OPENING, converse
from tests.support.stack import http

QUESTIONS = (
    "c'est quoi un incident significatif ?",
    "qui reçoit ma déclaration ?",
    "à quoi sert le CERT Santé ?",
    "est-ce que je dois prévenir la CNIL ?",
)
MAX_DETOURS = 120


def user_texts(tracker: dict) -> list:
    return [event.get("text") for event in tracker["events"] if event["event"] == "user"]


def test_a_declaration_goes_on_across_sessions_and_loses_nothing(vigie):
    sender = f"longue-{uuid.uuid4().hex}"
    vigie.say(sender, RICH_OPENING)
    before = vigie.tracker(sender)
    pending = before["slots"]["requested_slot"]
    assert pending and before["slots"]["structure_name"]
    detours = 0
    while RICH_OPENING in user_texts(vigie.tracker(sender)):
        assert detours < MAX_DETOURS, "no new session after many questions"
        replies = vigie.say(sender, QUESTIONS[detours % len(QUESTIONS)])
        assert replies, "every question gets an answer"
        detours += 1
    after = vigie.tracker(sender)
    # the opening is no longer replayed, yet the declaration and its pending question are there
    assert after["events"][0]["name"] == "action_session_start"
    assert len(after["events"]) < 300
    assert after["active_loop"]["name"] == "declaration_form"
    assert after["slots"]["requested_slot"] == pending
    for name in schema.FIELDS:
        assert after["slots"][name] == before["slots"][name], name
    reference, _ = converse(
        lambda text: vigie.say(sender, text),
        lambda: vigie.tracker(sender)["slots"].get("requested_slot"),
        PERSONA.get(pending, "je ne sais pas"),
        {},
    )
    assert reference, "the declaration is stored"
    status, stored = http(
        "GET",
        f"{vigie.web}/api/declarations/{reference}",
        headers={"Authorization": f"Bearer {vigie.env['VIGIE_API_TOKEN']}"},
    )
    assert status == 200
    assert stored["structure_name"] == before["slots"]["structure_name"]
    assert stored["incident_type"] == before["slots"]["incident_type"]
