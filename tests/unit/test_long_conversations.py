"""A long conversation opens a new session carrying its state over, and the development
profile's in-memory store keeps each conversation's latest session only, for a bounded time
and number of conversations."""

from pathlib import Path

from rasa.core.actions.action import ActionSessionStart
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from bot import long_conversations
from bot.stores import BoundedInMemoryTrackerStore

ROOT = Path(__file__).resolve().parents[2]
CUSTOM = [{"type": "custom"}]
DOMAIN = Domain.from_dict(
    {
        "slots": {
            "structure_name": {"type": "any", "mappings": CUSTOM},
            "incident_type": {"type": "any", "mappings": CUSTOM},
            "answer_undo": {"type": "any", "mappings": CUSTOM},
        },
        "forms": {"declaration_form": {"required_slots": ["structure_name", "incident_type"]}},
        "session_config": {"session_expiration_time": 480, "carry_over_slots_to_new_session": True},
    }
)


def session_start() -> list:
    return [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)]


def chat(turns: int) -> list:
    """``turns`` questions and answers outside any form: four events each."""
    events = []
    for n in range(turns):
        events += [
            UserUttered(f"question {n}", {"name": "faq", "confidence": 1.0}),
            ActionExecuted("utter_faq"),
            BotUttered(f"réponse {n}"),
            ActionExecuted(ACTION_LISTEN_NAME),
        ]
    return events


def in_the_form() -> DialogueStateTracker:
    events = [
        *session_start(),
        UserUttered("rançongiciel au CH de Vierzon", {"name": "declare", "confidence": 1.0}),
        ActionExecuted("declaration_form"),
        ActiveLoop("declaration_form"),
        SlotSet("structure_name", "CH de Vierzon"),
        SlotSet("answer_undo", [{"asked": "structure_name", "slots": {"structure_name": None}}]),
        SlotSet("requested_slot", "incident_type"),
        ActionExecuted(ACTION_LISTEN_NAME),
        *chat(30),
    ]
    return DialogueStateTracker.from_events("conv", events, DOMAIN.slots)


def replayed(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A tracker made of the new session alone, as the stores load it next turn."""
    events = [ActionExecuted(ACTION_SESSION_START_NAME), *long_conversations.carried_over(tracker)]
    return DialogueStateTracker.from_events(tracker.sender_id, events, DOMAIN.slots)


def test_only_the_current_session_counts():
    tracker = DialogueStateTracker.from_events("conv", [*session_start(), *chat(10), *session_start()], DOMAIN.slots)
    assert long_conversations.events_in_session(tracker.events) == 1
    assert not long_conversations.is_too_long(tracker, 2)
    tracker.update_with_events(chat(1), DOMAIN)
    assert long_conversations.is_too_long(tracker, 2)
    assert not long_conversations.is_too_long(tracker, 0)  # 0: no bound


def test_the_new_session_has_the_slots_the_form_and_its_pending_question():
    tracker = in_the_form()
    after = replayed(tracker)
    assert after.current_slot_values() == tracker.current_slot_values()
    assert after.get_slot("requested_slot") == "incident_type"
    assert after.get_slot("answer_undo") == [{"asked": "structure_name", "slots": {"structure_name": None}}]
    assert after.active_loop_name == "declaration_form"
    assert not after.active_loop.is_interrupted
    assert after.latest_action_name == ACTION_LISTEN_NAME
    assert len(after.events) == 7  # start, session, 3 slots, the form, listen


def test_outside_a_form_no_form_is_started():
    tracker = DialogueStateTracker.from_events("conv", [*session_start(), *chat(3)], DOMAIN.slots)
    after = replayed(tracker)
    assert after.active_loop_name is None
    assert not [e for e in after.events if isinstance(e, ActiveLoop)]


async def test_installed_rasa_starts_a_session_when_the_current_one_is_too_long():
    long_conversations.install(40)
    try:
        processor = MessageProcessor.__new__(MessageProcessor)
        processor.domain = DOMAIN
        tracker = in_the_form()
        assert processor._has_session_expired(tracker)
        events = await ActionSessionStart().run(None, None, tracker, DOMAIN)
        assert ActiveLoop("declaration_form") in events
        short = DialogueStateTracker.from_events("conv", session_start(), DOMAIN.slots)
        assert not processor._has_session_expired(short)
        assert ActiveLoop("declaration_form") not in await ActionSessionStart().run(None, None, short, DOMAIN)
    finally:
        long_conversations.uninstall()


def two_sessions(sender: str) -> DialogueStateTracker:
    tracker = in_the_form()
    events = [*tracker.events, ActionExecuted(ACTION_SESSION_START_NAME), *long_conversations.carried_over(tracker)]
    events.append(UserUttered("ransomware", {"name": "inform", "confidence": 1.0}))
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


async def test_the_memory_store_keeps_the_latest_session_only():
    store = BoundedInMemoryTrackerStore(DOMAIN)
    tracker = two_sessions("conv")
    await store.save(tracker)
    kept = await store.retrieve_full_tracker("conv")
    assert len(kept.events) == 8  # start, session, 3 slots, the form, listen, the message
    assert kept.current_slot_values() == tracker.current_slot_values()
    assert kept.active_loop_name == "declaration_form"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_memory_store_forgets_idle_conversations():
    clock = Clock()
    store = BoundedInMemoryTrackerStore(DOMAIN, idle_hours=1, clock=clock)
    for sender in ("ancienne", "active"):
        await store.save(DialogueStateTracker.from_events(sender, session_start(), DOMAIN.slots))
        clock.now += 1500
    assert await store.retrieve("ancienne") is not None  # used again: its hour starts over
    clock.now += 2700
    assert await store.retrieve("active") is None  # 75 minutes without a message
    assert await store.retrieve("ancienne") is not None
    clock.now += 3601
    assert await store.retrieve("ancienne") is None
    assert not store.store


async def test_the_memory_store_forgets_the_least_recently_used_past_its_limit():
    store = BoundedInMemoryTrackerStore(DOMAIN, max_conversations=2)
    for sender in ("a", "b"):
        await store.save(DialogueStateTracker.from_events(sender, session_start(), DOMAIN.slots))
    await store.retrieve("a")
    await store.save(DialogueStateTracker.from_events("c", session_start(), DOMAIN.slots))
    assert sorted(await store.keys()) == ["a", "c"]


def test_the_development_profile_uses_the_bounded_store(monkeypatch):
    monkeypatch.setenv("VIGIE_ACTION_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv("VIGIE_ACTION_TOKEN", "jeton")
    endpoint = read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store")
    assert isinstance(TrackerStore.create(endpoint, DOMAIN), BoundedInMemoryTrackerStore)
