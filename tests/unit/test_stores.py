"""The strict tracker store and the removal of Rasa's silent memory fallback."""

import asyncio
import subprocess
import sys

import pytest
from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot import rasa_server
from bot.stores import StrictSQLTrackerStore, TrackerStoreUnavailable
from tests.support.declarations import postgres_schema

DOMAIN = Domain.from_dict({"slots": {"structure_name": {"type": "any", "mappings": [{"type": "custom"}]}}})


def test_start_up_fails_loudly_when_the_database_is_unreachable():
    with pytest.raises(TrackerStoreUnavailable, match="unreachable after 1 s"):
        StrictSQLTrackerStore(
            DOMAIN, dialect="postgresql", host="127.0.0.1", port=1, db="test", username="postgres", connect_timeout=1
        )


def _postgres_store(postgres_url: str, schema_url: str) -> StrictSQLTrackerStore:
    url = make_url(postgres_url)
    return StrictSQLTrackerStore(
        DOMAIN,
        dialect="postgresql",
        host=url.host,
        port=url.port,
        db=url.database,
        username=url.username,
        query={"options": make_url(schema_url).query["options"]},
    )


async def test_conversations_are_kept_in_postgresql(postgres_url):  # noqa: F811
    with postgres_schema(postgres_url) as schema_url:
        store = _postgres_store(postgres_url, schema_url)
        tracker = DialogueStateTracker("conv-pg", DOMAIN.slots)
        tracker.update(UserUttered("CH de Vierzon"))
        tracker.update(SlotSet("structure_name", "CH de Vierzon"))
        await store.save(tracker)
        again = _postgres_store(postgres_url, schema_url)
        assert (await again.retrieve("conv-pg")).get_slot("structure_name") == "CH de Vierzon"
        assert await again.retrieve("personne") is None
        store.engine.dispose()
        again.engine.dispose()


async def test_many_conversations_at_once_each_keep_their_latest_session(postgres_url):  # noqa: F811
    """The store's queries run in threads: conversations saved and read at the same time."""

    async def converse(store: StrictSQLTrackerStore, number: int) -> None:
        sender = f"conv-{number}"
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
        tracker.update(UserUttered("une première session"))
        await store.save(tracker)
        tracker = await store.retrieve(sender)  # as Rasa does at each turn
        tracker.update(SessionStarted())
        tracker.update(SlotSet("structure_name", f"CH numéro {number}"))
        await store.save(tracker)
        tracker = await store.retrieve(sender)
        tracker.update(UserUttered("la suite"))
        await store.save(tracker)

    with postgres_schema(postgres_url) as schema_url:
        store = _postgres_store(postgres_url, schema_url)
        await asyncio.gather(*(converse(store, number) for number in range(12)))
        latest = await asyncio.gather(*(store.retrieve(f"conv-{number}") for number in range(12)))
        for number, tracker in enumerate(latest):
            assert tracker.get_slot("structure_name") == f"CH numéro {number}"
            assert [type(e) for e in tracker.events] == [SessionStarted, SlotSet, UserUttered]
        full = await store.retrieve_full_tracker("conv-3")
        assert [type(e) for e in full.events] == [UserUttered, SessionStarted, SlotSet, UserUttered]
        store.engine.dispose()


def test_the_agent_no_longer_wraps_stores_in_a_memory_fallback(monkeypatch):
    monkeypatch.setattr(Agent, "_create_tracker_store", Agent.__dict__["_create_tracker_store"])
    store = InMemoryTrackerStore(DOMAIN)
    assert isinstance(Agent._create_tracker_store(store, DOMAIN), FailSafeTrackerStore)
    rasa_server.apply_fixes()
    assert Agent._create_tracker_store(store, DOMAIN) is store
    assert isinstance(Agent._create_tracker_store(None, DOMAIN), InMemoryTrackerStore)


def test_the_action_timeout_stays_inside_the_lock_lifetime(monkeypatch):
    import rasa.core.actions.action as rasa_actions

    monkeypatch.setattr(Agent, "_create_tracker_store", Agent.__dict__["_create_tracker_store"])
    monkeypatch.setattr(rasa_actions, "DEFAULT_REQUEST_TIMEOUT", rasa_actions.DEFAULT_REQUEST_TIMEOUT)
    rasa_server.apply_fixes({})
    assert rasa_actions.DEFAULT_REQUEST_TIMEOUT == 20
    with pytest.raises(SystemExit, match="TICKET_LOCK_LIFETIME"):
        rasa_server.apply_fixes({"VIGIE_ACTION_TIMEOUT": "60", "TICKET_LOCK_LIFETIME": "60"})


def test_the_rasa_server_process_runs_tensorflow_without_jax():
    """jax, which tf.lite imports when installed, is kept out of the Rasa process (bot.without_jax)."""
    probe = (
        "import sys, bot.rasa_server, tensorflow.lite, rasa.nlu.classifiers.diet_classifier; "
        "print(sys.modules.get('jax') is None, 'jaxlib' in sys.modules)"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert ran.stdout.split() == ["True", "False"]
