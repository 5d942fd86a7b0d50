"""Faults injected into the production configuration (PostgreSQL, Redis).

Each test asserts what the brief asks of a confirmed declaration: exactly one
stored, no confirmation without storage, forwarded once in the end.
"""

import signal
import threading
import time
import uuid

import pytest
from sqlalchemy.engine import make_url

from tests.support.declarant import PERSONA, REFERENCE, RICH_OPENING, converse
from tests.support.relays import TcpRelay
from tests.support.servers import free_port
from tests.support.stack import PG_URL, Stack, wait_until


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("faults"))
    try:
        stack.auth = stack.authority().start(stack.env)
        stack.action_port = free_port()
        stack.act = stack.actions(stack.action_port).start(stack.env)
        stack.main = stack.start_rasa(stack.rasa(stack.action_port))
        stack.fwd = stack.forwarder().start(stack.env)
        yield stack
    finally:
        stack.close()


def new_sender() -> str:
    return f"fault-{uuid.uuid4().hex[:10]}"


def say(stack, sender, text):
    status, replies = stack.say(stack.main, sender, text)
    assert status == 200, (status, replies)
    return replies


def text_of(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def requested(stack, sender):
    return stack.tracker(stack.main, sender)["slots"].get("requested_slot")


def until(stack, sender, question, opening=RICH_OPENING):
    reference, _ = converse(
        lambda t: say(stack, sender, t), lambda: requested(stack, sender), opening, {}, stop_at=question
    )
    assert reference is None


def finish(stack, sender, opening):
    reference, _ = converse(lambda t: say(stack, sender, t), lambda: requested(stack, sender), opening, {})
    return reference


def stored_for(stack, sender):
    return [row for row in stack.declarations() if row[2] == sender]


def delivered_once(stack, reference):
    """The authority holds the declaration exactly once (retries deduplicated)."""
    wait_until(
        lambda: stack.sql("SELECT status FROM declarations WHERE reference = :r", r=reference)[0][0] == "transmise",
        60,
        what=f"{reference} marked transmise",
    )
    deliveries = [d for d in stack.received()["deliveries"] if d["reference"] == reference]
    assert len(deliveries) == 1
    return deliveries[0]


def restart_actions(stack, **extra_env):
    stack.act.stop()
    stack.act.start({**stack.env, **extra_env})


def test_rasa_killed_mid_form_resumes_with_its_slots(stack):
    sender = new_sender()
    until(stack, sender, "declarant_email")
    before = stack.tracker(stack.main, sender)["slots"]
    stack.main.kill()
    stack.main.start(stack.rasa_env(stack.main))
    after = stack.tracker(stack.main, sender)["slots"]
    assert after["requested_slot"] == "declarant_email"
    for field in ("structure_name", "incident_type", "care_impact", "declarant_name", "submission_key"):
        assert after[field] == before[field], field
    reference = finish(stack, sender, PERSONA["declarant_email"])
    assert stored_for(stack, sender)[0][0] == reference
    delivered_once(stack, reference)


@pytest.mark.parametrize("point", ["before_commit", "after_commit"])
def test_action_server_killed_around_the_commit(stack, point):
    sender = new_sender()
    until(stack, sender, "confirmed")
    restart_actions(stack, VIGIE_FAULT=point)
    replies = text_of(say(stack, sender, "oui"))
    assert not REFERENCE.search(replies), "confirmed although the action server died"
    assert "renvoyez votre dernier message" in replies
    wait_until(lambda: not stack.act.alive(), 10, what="the action server to die")
    assert len(stored_for(stack, sender)) == (1 if point == "after_commit" else 0)
    restart_actions(stack)
    replies = say(stack, sender, "oui")
    found = REFERENCE.search(text_of(replies))
    assert found, text_of(replies)
    assert [row[0] for row in stored_for(stack, sender)] == [found.group()]
    delivered_once(stack, found.group())


def test_a_stalled_action_server_fails_the_turn_within_the_lock_lifetime(stack):
    sender = new_sender()
    until(stack, sender, "declarant_name")
    stack.act.process.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        replies = text_of(say(stack, sender, "Marie Dupont"))
        assert time.monotonic() - started < 45
        assert "renvoyez votre dernier message" in replies
    finally:
        stack.act.process.send_signal(signal.SIGCONT)
    replies = text_of(say(stack, sender, "Marie Dupont"))
    assert stack.tracker(stack.main, sender)["slots"]["declarant_name"] == "Marie Dupont", replies


def test_database_down_during_submission(stack):
    sender = new_sender()
    until(stack, sender, "confirmed")
    pg = make_url(PG_URL)
    relay = TcpRelay(free_port(), pg.host, pg.port or 5432)
    try:
        through_relay = make_url(stack.database_url).set(port=relay.port).render_as_string(hide_password=False)
        restart_actions(stack, DATABASE_URL=through_relay)
        relay.cut()
        replies = text_of(say(stack, sender, "oui"))
        assert not REFERENCE.search(replies)
        assert "n'est PAS transmise" in replies and "Vos réponses sont conservées" in replies
        assert stored_for(stack, sender) == []
        relay.restore()
        found = REFERENCE.search(text_of(say(stack, sender, "oui")))
        assert found
        assert [row[0] for row in stored_for(stack, sender)] == [found.group()]
        delivered_once(stack, found.group())
    finally:
        restart_actions(stack)
        relay.close()


def test_authority_down_for_a_while_then_back(stack):
    stack.auth.stop()
    try:
        sender = new_sender()
        reference = finish(stack, sender, RICH_OPENING)
        wait_until(
            lambda: (
                stack.sql(
                    "SELECT attempts FROM outbox JOIN declarations d ON d.id = declaration_id WHERE d.reference = :r",
                    r=reference,
                )[0][0]
                >= 2
            ),
            30,
            what="retries",
        )
        status = text_of(say(stack, sender, "où en est ma déclaration ?"))
        assert "n'a pas encore abouti" in status and "rien n'est perdu" in status
    finally:
        stack.auth.start(stack.env)
    delivered_once(stack, reference)
    assert "a été transmise à CERT Santé" in text_of(say(stack, sender, "où en est ma déclaration ?"))


@pytest.mark.parametrize(
    "mode, options",
    [
        ("error500", {"count": 2}),
        ("throttle", {"count": 1, "retry_after": 1}),
        ("accept_then_timeout", {"count": 1, "stall_seconds": 10}),
    ],
)
def test_authority_failures_end_in_exactly_one_delivery(stack, mode, options):
    stack.authority_mode(mode, **options)
    reference = finish(stack, new_sender(), RICH_OPENING)
    delivery = delivered_once(stack, reference)
    if mode == "accept_then_timeout":
        assert delivery["times_received"] >= 2  # the retry was answered from the first receipt


def test_a_refused_declaration_goes_to_the_dead_letter(stack):
    stack.authority_mode("reject", count=1)
    sender = new_sender()
    reference = finish(stack, sender, RICH_OPENING)
    wait_until(
        lambda: (
            stack.sql(
                "SELECT o.state FROM outbox o JOIN declarations d ON d.id = o.declaration_id WHERE d.reference = :r",
                r=reference,
            )[0][0]
            == "echec"
        ),
        30,
        what="dead letter",
    )
    assert "transmission automatique a échoué" in text_of(say(stack, sender, "où en est ma déclaration ?"))
    assert "ALERTE transmission" in (stack.workdir / "forwarder.log").read_text()


def test_the_same_confirmation_sent_twice_at_once(stack):
    sender = new_sender()
    until(stack, sender, "confirmed")
    replies = []
    threads = [threading.Thread(target=lambda: replies.append(text_of(say(stack, sender, "oui")))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = stored_for(stack, sender)
    assert len(stored) == 1
    assert {m.group() for m in map(REFERENCE.search, replies) if m} == {stored[0][0]}
    delivered_once(stack, stored[0][0])


def test_conversations_database_cut_fails_loudly_then_resumes(stack):
    pg = make_url(PG_URL)
    relay = TcpRelay(free_port(), pg.host, pg.port or 5432)
    rasa = stack.rasa(stack.action_port)
    try:
        rasa.start({**stack.rasa_env(rasa), "VIGIE_TRACKER_DB_PORT": str(relay.port)})
        sender = new_sender()
        status, replies = stack.say(rasa, sender, RICH_OPENING)
        assert status == 200
        before = stack.tracker(rasa, sender)["slots"]
        relay.cut()
        status, body = stack.say(rasa, sender, "CH de Vierzon")
        assert status == 503 and "Rien de ce que vous avez déjà confirmé n'est perdu" in body["error"]
        relay.restore()
        status, replies = stack.say(rasa, sender, PERSONA["declarant_name"])
        assert status == 200
        after = stack.tracker(rasa, sender)["slots"]
        assert after["incident_type"] == before["incident_type"] and after["submission_key"] == before["submission_key"]
        assert "Falling back to use the 'InMemoryTrackerStore'" not in rasa.log.read_text()
    finally:
        rasa.stop()
        relay.close()
