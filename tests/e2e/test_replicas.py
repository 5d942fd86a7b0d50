"""Two Rasa replicas and two action servers behind one address, sharing
PostgreSQL and Redis: a conversation moves between replicas at every message,
and two messages of one conversation sent at once are handled in turn."""

import threading
import uuid

import pytest

from tests.support.declarant import RICH_OPENING, converse
from tests.support.stack import wait_until


@pytest.fixture(scope="module")
def replicas(production):
    return production.stack, production.balancer


def test_a_declaration_completes_while_every_message_changes_replica(replicas):
    stack, balancer = replicas
    sender = f"replica-{uuid.uuid4().hex[:10]}"

    def say(text):
        status, replies = stack.say(balancer, sender, text)
        assert status == 200
        return replies

    reference, questions = converse(
        say, lambda: stack.tracker(balancer, sender)["slots"].get("requested_slot"), RICH_OPENING, {}
    )
    assert reference and len(questions) >= 4
    assert [row[0] for row in stack.declarations() if row[2] == sender] == [reference]
    wait_until(lambda: any(d["reference"] == reference for d in stack.received()["deliveries"]), 60, what="forwarding")


def test_two_messages_sent_at_once_are_handled_one_after_the_other(replicas):
    stack, balancer = replicas
    sender = f"replica-{uuid.uuid4().hex[:10]}"
    stack.say(balancer, sender, RICH_OPENING)
    answers = ["CH de Vierzon", "aide"]
    statuses = []
    threads = [
        threading.Thread(target=lambda text=text: statuses.append(stack.say(balancer, sender, text)[0]))
        for text in answers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]
    events = stack.tracker(balancer, sender)["events"]
    kinds = [e["event"] if e["event"] != "action" else e["name"] for e in events if e["event"] in ("user", "action")]
    users = [i for i, kind in enumerate(kinds) if kind == "user"]
    assert len(users) == 3, kinds
    texts = {e["text"] for e in events if e["event"] == "user"}
    assert set(answers) <= texts
    for start, end in zip(users, users[1:] + [len(kinds)]):
        assert kinds[end - 1] == "action_listen", kinds  # each turn finished before the next began
