"""A full declaration from a simulated Teams client, through the real Rasa and
action server: a fake Bot Framework on loopback signs the tokens and receives
Vigie's replies. A declaration naming a patient leaves the patient nowhere."""

import asyncio
import json
import time
import uuid

import aiohttp
import pytest

from tests.support.declarant import PERSONA, REFERENCE, RICH_OPENING
from tests.support.privacy import OPENING, TOLD, assert_kept_nowhere_in
from tests.support.stack import wait_until
from tests.unit.test_teams import USER_ID, activity, environment, token


@pytest.fixture(scope="module")
def teams(production):
    return production.stack, production.rasas[1], production.bot_framework


def post(rasa, bf, body, bearer):
    async def send():
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"http://127.0.0.1:{rasa.port}/webhooks/teams/webhook",
                json=body,
                headers={"Authorization": f"Bearer {bearer}"},
            ) as reply:
                return reply.status

    return asyncio.run(send())


def declare(teams, opening: str):
    """(reference, sender, what Vigie said): a whole declaration, answered from the persona."""
    stack, rasa, bf = teams
    fake = bf.fake
    conversation = f"a:1conversation-{uuid.uuid4().hex[:8]}"
    sender = f"{USER_ID}|{conversation}"
    requested, said = None, []
    answer = opening
    for turn in range(25):
        before = len(fake.replies)
        body = activity(
            fake,
            id=f"{time.time_ns()}",
            text=answer,
            conversation={
                "id": conversation,
                "conversationType": "personal",
                "tenantId": environment(fake)["VIGIE_TEAMS_TENANT_ID"].split(",")[0],
            },
        )
        if requested == "confirmed":  # the user clicks the card's "Envoyer la déclaration" button
            card = next(a for r in reversed(fake.replies) for a in r["activity"].get("attachments") or [])
            submit = next(a for a in card["content"]["actions"] if "Envoyer" in a["title"])
            body = {**body, "text": None, "value": submit["data"]}
            body.pop("text")
        assert post(rasa, bf, body, token(fake)) == 200
        wait_until(lambda: len(fake.replies) > before, 30, what="Vigie's reply in Teams")
        said += [json.dumps(r["activity"], ensure_ascii=False) for r in fake.replies[before:]]
        assert all(r["authorization"] == "Bearer bot-token-1" for r in fake.replies[before:])
        found = REFERENCE.search("\n".join(r["activity"].get("text") or "" for r in fake.replies[before:]))
        if found:
            return found.group(), sender, said
        # Unquoted: Rasa (Sanic) does not decode %7C in the conversation id.
        tracker = stack.tracker(rasa, sender)
        assert tracker["events"], "the test reads another conversation's tracker"
        requested = tracker["slots"]["requested_slot"]
        answer = PERSONA.get(requested, "je ne sais pas")
    raise AssertionError(f"no reference after 25 turns: {said[-3:]}")


def test_a_declaration_from_teams(teams):
    stack = teams[0]
    reference, sender, _ = declare(teams, RICH_OPENING)
    assert (reference, sender) in [(row[0], row[2]) for row in stack.declarations()]
    assert stack.sql("SELECT channel FROM declarations WHERE reference = :r", r=reference)[0][0] == "teams"


def test_patient_identifiers_from_teams_are_kept_nowhere(teams):
    stack = teams[0]
    reference, sender, said = declare(teams, OPENING)
    assert TOLD in said[0]
    assert_kept_nowhere_in(stack, sender, reference, said)


def test_a_forged_token_reaches_nothing(teams):
    stack, rasa, bf = teams
    fake = bf.fake
    before, stored = len(fake.replies), len(stack.declarations())
    assert post(rasa, bf, activity(fake), token(fake, iss="https://evil.example")) == 401
    assert post(rasa, bf, activity(fake), token(fake, exp=int(time.time()) - 3600)) == 401
    assert post(rasa, bf, activity(fake, serviceUrl="https://evil.example"), token(fake)) == 401
    assert len(fake.replies) == before and len(stack.declarations()) == stored
