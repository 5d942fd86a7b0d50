"""A full declaration from a simulated Slack workspace, through the real Rasa
and action server: signed events and button clicks go to Vigie's Slack
webhook, a fake Slack Web API on loopback receives the replies. A replayed
event and a forged one are not processed. A declaration naming a patient leaves
the patient nowhere."""

import hashlib
import hmac
import json
import time
import urllib.request
import uuid
from urllib.parse import urlencode

import pytest

from tests.support.declarant import PERSONA, REFERENCE, RICH_OPENING
from tests.support.privacy import OPENING, TOLD, assert_kept_nowhere_in
from tests.support.stack import wait_until
from tests.unit.test_slack import SECRET, TOKEN, button_click, dm_event

# Conversations live in the shared PostgreSQL tracker store: a new Slack user each run.
USER = f"U0{uuid.uuid4().hex[:10].upper()}"


def sender_of(user: str) -> str:
    return f"slack|T0|{user}"


def message(text: str, user: str = USER) -> dict:
    return dm_event(text, user=user)


def click(value: str, user: str) -> dict:
    payload = button_click(value)
    payload["user"]["id"] = user
    return payload


@pytest.fixture(scope="module")
def slack(production):
    return production.stack, production.rasas[0], production.slack


def send(rasa, raw: bytes, content_type: str, secret: str = SECRET) -> int:
    timestamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + raw, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"http://127.0.0.1:{rasa.port}/webhooks/slack/webhook",
        data=raw,
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": f"v0={signature}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def send_event(rasa, body, **kwargs) -> int:
    return send(rasa, json.dumps(body).encode(), "application/json", **kwargs)


def send_click(rasa, payload) -> int:
    return send(rasa, urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded")


def button_value(post, title_part: str) -> str:
    for block in post["body"].get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("type") == "button" and title_part in element["text"]["text"]:
                return element["value"]
    raise AssertionError(f"no button « {title_part} » in {post['body']}")


def turn_done(stack, rasa, sender: str, users_before: int):
    """The tracker once Vigie has handled one more user message and listens again."""
    tracker = stack.tracker(rasa, sender)
    events = tracker["events"]
    users = sum(1 for event in events if event["event"] == "user")
    done = users > users_before and events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"
    return tracker if done else None


def user_turns(stack, rasa, sender: str) -> int:
    tracker = stack.tracker(rasa, sender)
    return sum(1 for event in tracker["events"] if event["event"] == "user")


def said_since(fake, before: int) -> str:
    return "\n".join(post["body"].get("text") or "" for post in fake.posts[before:])


def declare(slack, opening: str, user: str):
    """(reference, what Vigie posted): a whole declaration, answered from the persona."""
    stack, rasa, fake = slack
    sender, requested, answer = sender_of(user), None, opening
    first = len(fake.posts)
    for turn in range(25):
        before, users = len(fake.posts), user_turns(stack, rasa, sender)
        if requested == "confirmed":  # the declarant clicks "Envoyer la déclaration"
            assert send_click(rasa, click(button_value(fake.posts[-1], "Envoyer"), user)) == 200
        else:
            assert send_event(rasa, message(answer, user)) == 200
        # Slack gets its 200 at once; Vigie answers in the background, sometimes in several posts.
        tracker = wait_until(lambda: turn_done(stack, rasa, sender, users), 60, what="the end of Vigie's turn")
        wait_until(lambda: len(fake.posts) > before, 30, what="Vigie's reply in Slack")
        found = REFERENCE.search(said_since(fake, before))
        if found:
            return found.group(), fake.posts[first:]
        assert all(post["authorization"] == f"Bearer {TOKEN}" for post in fake.posts[before:])
        requested = tracker["slots"]["requested_slot"]
        answer = PERSONA.get(requested, "je ne sais pas")
    raise AssertionError(said_since(fake, first)[-2000:])


def test_a_declaration_from_slack(slack):
    stack = slack[0]
    reference, _ = declare(slack, RICH_OPENING, USER)
    assert (reference, sender_of(USER)) in [(row[0], row[2]) for row in stack.declarations()]
    assert stack.sql("SELECT channel FROM declarations WHERE reference = :r", r=reference)[0][0] == "slack"


def test_patient_identifiers_from_slack_are_kept_nowhere(slack):
    stack = slack[0]
    user = f"U0{uuid.uuid4().hex[:10].upper()}"
    reference, posts = declare(slack, OPENING, user)
    said = [json.dumps(post["body"], ensure_ascii=False) for post in posts]
    assert TOLD in said[0]
    assert_kept_nowhere_in(stack, sender_of(user), reference, said)


def test_a_replayed_or_forged_event_is_not_processed(slack):
    stack, rasa, fake = slack
    event = message("Bonjour")
    before = len(fake.posts)
    assert send_event(rasa, event) == 200
    wait_until(lambda: len(fake.posts) > before, 60, what="the reply to the first delivery")
    time.sleep(1)
    answered = len(fake.posts)
    assert send_event(rasa, event) == 200  # a replay: acknowledged, not processed
    assert send_event(rasa, message("Bonjour encore"), secret="pas-le-bon-secret") == 401
    time.sleep(2)
    assert len(fake.posts) == answered
