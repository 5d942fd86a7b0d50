"""The outbox on SQLite and PostgreSQL: written with the declaration, claimed
under a lease, delivered once, retried, dead-lettered, requeued."""

import threading
from datetime import timedelta

import pytest

from bot.core import outbox as outbox_module
from bot.core.outbox import DEAD, DELIVERED, PENDING, Outbox
from bot.core.paris_time import utc_now
from bot.core.storage import DeclarationStore
from tests.support.declarations import postgres_schema, submit


@pytest.fixture
def outbox(store):  # noqa: F811
    return Outbox(store, lease_seconds=60)


def test_submission_writes_one_pending_message_with_the_spec_json(store, outbox):  # noqa: F811
    stored = submit(store)
    assert stored["transmission"]["state"] == PENDING
    [claim] = outbox.claim_due()
    assert claim.reference == stored["reference"]
    assert claim.kind == "initiale" and claim.attempts == 1
    assert claim.payload["reference"] == stored["reference"]
    assert claim.payload["kind"] == "initiale"
    assert claim.payload["structure_name"] == "CH de Vierzon"
    assert claim.payload["qualification"]["grave"] is True


def test_resubmitting_the_same_key_adds_no_message(store, outbox):  # noqa: F811
    submit(store)
    submit(store)
    assert outbox.counts() == {PENDING: 1, DELIVERED: 0, DEAD: 0}


def test_declaration_is_not_stored_when_its_outbox_row_fails(store, monkeypatch):  # noqa: F811
    def broken(*args, **kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(outbox_module, "new_message", broken)
    with pytest.raises(RuntimeError):
        submit(store)
    assert store.count_by_submission_key("key-1") == 0


def test_a_claimed_message_is_not_claimed_again_until_its_lease_ends(store, outbox):  # noqa: F811
    submit(store)
    assert len(outbox.claim_due()) == 1
    assert outbox.claim_due() == []
    [again] = outbox.claim_due(now=utc_now() + timedelta(seconds=61))
    assert again.attempts == 2


def test_delivery_marks_the_declaration_transmise(store, outbox):  # noqa: F811
    reference = submit(store)["reference"]
    [claim] = outbox.claim_due()
    outbox.mark_delivered(claim.id, "CERT-1")
    declaration = store.get(reference)
    assert declaration["status"] == "transmise"
    assert declaration["transmission"]["state"] == DELIVERED
    assert declaration["transmission"]["receipt"] == "CERT-1"
    assert declaration["transmission"]["transmitted_at"]
    assert outbox.claim_due(now=utc_now() + timedelta(days=1)) == []


def test_a_failed_attempt_waits_for_its_retry_time(store, outbox):  # noqa: F811
    reference = submit(store)["reference"]
    [claim] = outbox.claim_due()
    retry_at = utc_now() + timedelta(seconds=30)
    outbox.mark_failed(claim.id, "HTTP 500", retry_at)
    assert outbox.claim_due() == []
    [again] = outbox.claim_due(now=retry_at)
    assert again.attempts == 2
    assert store.get(reference)["transmission"]["last_error"] == "HTTP 500"
    assert store.get(reference)["status"] == "soumise"


def test_dead_letter_is_listed_and_can_be_requeued(store, outbox):  # noqa: F811
    reference = submit(store)["reference"]
    [claim] = outbox.claim_due()
    outbox.mark_failed(claim.id, "HTTP 422", None)
    assert outbox.counts()[DEAD] == 1
    assert [m["reference"] for m in outbox.messages(state=DEAD)] == [reference]
    assert store.get(reference)["transmission"]["state"] == DEAD
    assert outbox.claim_due(now=utc_now() + timedelta(days=1)) == []
    assert outbox.requeue(reference) is True
    assert outbox.requeue(reference) is False
    [again] = outbox.claim_due()
    assert again.attempts == 1


def test_unknown_state_filter_is_refused(store, outbox):  # noqa: F811
    with pytest.raises(ValueError, match="inconnue"):
        outbox.messages(state="perdu")


def test_concurrent_workers_never_claim_the_same_message(postgres_url):  # noqa: F811
    """SKIP LOCKED on PostgreSQL: two workers claiming at once share the work."""
    with postgres_schema(postgres_url) as url:
        shared = DeclarationStore(url)
        shared.migrate()
        try:
            for index in range(20):
                submit(shared, key=f"key-{index}")
            claimed, barrier = [], threading.Barrier(4)

            def worker():
                box = Outbox(DeclarationStore(url))
                barrier.wait()
                for _ in range(10):
                    claimed.extend(claim.id for claim in box.claim_due(limit=3))
                box.store.dispose()

            threads = [threading.Thread(target=worker) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(claimed) == sorted(set(claimed))
            assert len(claimed) == 20
        finally:
            shared.dispose()
