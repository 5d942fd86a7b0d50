"""Rasa's per-turn work done for less CPU (bot.faster_turns): the same results as Rasa's own."""

import json

import numpy as np
import pytest
import rasa.core.run
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import ValidationError, validate
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from bot import faster_turns
from tests.support.servers import free_port

DOMAIN = Domain.from_dict(
    {
        "slots": {"structure_name": {"type": "any", "mappings": [{"type": "custom"}]}},
        "forms": {"declaration_form": {"required_slots": ["structure_name"]}},
    }
)
RASAS_CURRENT_STATE = DialogueStateTracker.current_state


@pytest.fixture
def installed(monkeypatch):
    """faster_turns installed for one test, Rasa's own methods back afterwards."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction.__dict__["_validate_action_result"])
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.__dict__["session"])
    monkeypatch.setattr(DialogueStateTracker, "current_state", RASAS_CURRENT_STATE)
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])
    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", rasa.core.run.load_agent_on_start)
    faster_turns.install()


def _tracker_in_a_form() -> DialogueStateTracker:
    opening = UserUttered(
        "rançongiciel au CH de Dax",
        intent={"name": "declare_incident", "confidence": 0.97},
        parse_data={"response_selector": {"faq": {"ranking": [{"confidence": 0.1, "intent_response_key": "faq/a"}]}}},
    )
    events = [
        ActionExecuted("action_listen"),
        opening,
        ActionExecuted("declaration_form"),
        ActiveLoop("declaration_form"),
        SlotSet("structure_name", "CH de Dax"),
        SlotSet("requested_slot", "structure_name"),
        BotUttered("Quelle est votre structure ?"),
    ]
    return DialogueStateTracker.from_events("s", events, DOMAIN.slots)


def test_action_server_answers_are_still_checked_against_rasas_schema(installed):
    action = RemoteAction("action_submit_declaration", None)
    assert action._validate_action_result(
        {
            "events": [{"event": "slot", "name": "confirmed", "value": True}],
            "responses": [{"text": "Déclaration enregistrée."}],
        }
    )
    for wrong in (
        {"events": "pas une liste"},
        {"events": [{"name": "confirmed"}]},
        {"responses": [1]},
        {"events": [{"name": "x"}, 3], "responses": "y"},
    ):
        with pytest.raises(ValidationError, match="Failed to validate Action server response") as ours:
            action._validate_action_result(wrong)
        with pytest.raises(ValidationError) as rasas:  # what Rasa's own check raises
            validate(wrong, RemoteAction.action_response_format_spec())
        assert ours.value.message.startswith(f"{rasas.value.message}. Failed")  # the same error among several


EVENT_NAMES = ["user", "action", "slot", "entities", "bot", "session_started", "active_loop", "reset_slots"]
ANY = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5))


def mostly(good):
    """``good`` nine times in ten, anything else the tenth: answers with one defect here and there."""
    return st.sampled_from([False] + [True] * 9).flatmap(lambda right: good if right else ANY)


TEXT, NUMBER = st.text(max_size=5), st.one_of(st.integers(), st.floats(allow_nan=False))
ENTITY = st.fixed_dictionaries(
    {"entity": mostly(TEXT), "value": ANY}, optional={"start": mostly(st.integers()), "role": mostly(TEXT)}
)
INTENT = st.fixed_dictionaries({}, optional={"name": mostly(TEXT), "confidence": mostly(NUMBER)})
PARSE_DATA = st.fixed_dictionaries(
    {},
    optional={
        "intent": mostly(INTENT),
        "intent_ranking": mostly(st.lists(INTENT, max_size=2)),
        "entities": mostly(st.lists(ENTITY, max_size=2)),
        "response_selector": mostly(
            st.fixed_dictionaries(
                {},
                optional={
                    "all_retrieval_intents": mostly(st.lists(TEXT, max_size=2)),
                    "faq": mostly(st.fixed_dictionaries({}, optional={"response": mostly(st.fixed_dictionaries({}))})),
                },
            )
        ),
    },
)
EVENT = mostly(
    st.fixed_dictionaries(
        {"event": mostly(st.sampled_from(EVENT_NAMES))},
        optional={
            "name": mostly(TEXT),
            "value": ANY,
            "timestamp": mostly(st.one_of(st.none(), NUMBER)),
            "metadata": mostly(st.one_of(st.none(), st.dictionaries(TEXT, ANY, max_size=2))),
            "entities": mostly(st.lists(ENTITY, max_size=2)),
            "text": mostly(st.one_of(st.none(), TEXT)),
            "parse_data": mostly(PARSE_DATA),
        },
    )
)
ANSWER = mostly(
    st.fixed_dictionaries(
        {},
        optional={
            "events": mostly(st.lists(EVENT, max_size=4)),
            "responses": mostly(st.lists(mostly(st.fixed_dictionaries({"text": TEXT})), max_size=2)),
        },
    )
)


@settings(max_examples=400, deadline=None)
@given(ANSWER)
def test_the_compiled_checks_accept_what_rasas_schema_accepts(answer):
    schema = RemoteAction.action_response_format_spec()
    assert faster_turns._passes(answer) == validator_for(schema)(schema).is_valid(answer)


def test_the_tracker_state_is_rasas_own(installed):
    tracker = _tracker_in_a_form()
    for verbosity in EventVerbosity:
        ours = tracker.current_state(verbosity)
        assert ours == RASAS_CURRENT_STATE(tracker, verbosity)
        assert json.loads(faster_turns.dumps(ours)) == json.loads(json.dumps(RASAS_CURRENT_STATE(tracker, verbosity)))
    assert ours["active_loop"]["name"] == "declaration_form"
    assert tracker.active_loop.name == "declaration_form"  # left as it was
    tracker.change_loop_to(None)
    assert tracker.current_state()["active_loop"] == {}


def test_orjson_writes_what_json_reads_back_and_falls_back_on_the_rest():
    value = {"texte": "déclaré à 3h — « urgent »", 1: [0.25, np.float64(0.5), None, True], "n": np.float32(0.75)}
    assert json.loads(faster_turns.dumps(value)) == {
        "texte": "déclaré à 3h — « urgent »",
        "1": [0.25, 0.5, None, True],
        "n": 0.75,
    }
    assert faster_turns.dumps({"trop": 2**70}) == json.dumps({"trop": 2**70})  # beyond orjson's integers
    with pytest.raises(TypeError):
        faster_turns.dumps({"objet": object()})  # json.dumps's own error, as before


async def test_the_action_server_receives_the_tracker_as_rasa_sends_it(installed):
    received = []

    async def webhook(request):
        received.append(await request.json())
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        tracker = _tracker_in_a_form()
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        action = RemoteAction("action_ask_structure_name", endpoint)
        await action.run(None, None, tracker, DOMAIN)
    finally:
        await runner.cleanup()
    sent = received[0]["tracker"]
    assert sent == json.loads(json.dumps(RASAS_CURRENT_STATE(tracker, EventVerbosity.ALL)))
    assert sent["active_loop"]["trigger_message"]["text"] == "rançongiciel au CH de Dax"


def test_stored_events_load_as_the_same_events(installed):
    events = [
        UserUttered("le CH de Dax"),
        SlotSet("structure_name", "CH de Dax"),
        BotUttered("Merci."),
        ActionExecuted("action_listen"),
    ]
    for _ in range(2):  # the second time from the kept classes
        tracker = DialogueStateTracker.from_dict("s", [e.as_dict() for e in events], DOMAIN.slots)
        assert list(tracker.events) == events
    assert tracker.get_slot("structure_name") == "CH de Dax"
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("pas un événement", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("pas un événement")


async def test_the_loaded_model_is_set_apart_from_full_collections(installed):
    import gc

    loaded = []

    async def load(*args):
        loaded.append([object() for _ in range(1000)])  # what the model's loading leaves
        return "agent"

    gc.unfreeze()
    try:
        assert await faster_turns._frozen_after(load)("model.tar.gz") == "agent"
        assert gc.get_freeze_count() >= 1000
    finally:
        gc.unfreeze()
    assert hasattr(rasa.core.run.load_agent_on_start, "__wrapped__")
    faster_turns.install()  # a second install does not wrap it twice
    assert not hasattr(rasa.core.run.load_agent_on_start.__wrapped__, "__wrapped__")
