"""Rasa's per-turn work done for less CPU, with the same results (issue 18).

One Rasa process handles every turn on one core, so its CPU per turn sets the 50-user
latency. py-spy on the Rasa server under that load (production profile, GIL samples)
showed where Rasa spends CPU on work whose result we can have for less:

- checking each action server answer against Rasa's response schema: jsonschema matches
  each event against 23 event schemas (``oneOf``), 2.5 ms an answer (5.6 % of the
  process's Python time). Each event is now checked against the one its name gives,
  compiled once by ``fastjsonschema``; only an answer refused goes through ``jsonschema``
  again, for Rasa's own error message;
- the JSON of each call to the action server, which carries the session's events: encoded
  by ``orjson`` rather than the standard library (7 %);
- the tracker's state, built for each call and each tracker read: Rasa copies the active
  form's ``trigger_message`` (the whole NLU result of the message that opened the form)
  key by key with ``dataclasses.asdict``, and nothing reads that copy but the JSON encoder
  (4 %);
- Python's full garbage collections, which walked every object of the loaded model: 220 to
  280 ms each (``gc.callbacks``), during which no turn moved, every few seconds under the
  load. The objects there once the model is loaded are set apart (``gc.freeze``): a full
  collection walks only what the turns create, 2 to 8 ms;
- the class of each loaded event: Rasa walks every subclass of ``Event`` for each one
  (a tenth of the process's CPU, earlier); each type name is now looked up once.
"""

import dataclasses
import functools
import gc
import json
from typing import Any, Callable, Dict, Tuple

import aiohttp
import fastjsonschema
import orjson
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.constants import ACTIVE_LOOP
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils import endpoints
from rasa.utils.endpoints import EndpointConfig

_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def dumps(value: Any) -> str:
    """The values ``json.dumps`` writes, written by orjson (compact, UTF-8 rather than ``\\u``
    escapes); what orjson cannot encode goes to ``json.dumps`` (which encodes it, or raises)."""
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS).decode()
    except TypeError:
        return json.dumps(value)


def _response_schema() -> Dict[str, Any]:
    from rasa.core.actions.action import RemoteAction

    return RemoteAction.action_response_format_spec()


@functools.lru_cache(maxsize=None)
def _compiled_checks() -> Tuple[Callable, Dict[str, Callable]]:
    """The response schema without the events' ``oneOf``, and each event's own schema by its
    ``event`` name: each of the 23 requires its own ``event`` constant, so an event matches
    exactly one of them when it matches the one its name gives. fastjsonschema on the
    whole schema tries all 23 for each event, as jsonschema does: 2.7 ms an answer, against
    16 µs this way."""
    schema = _response_schema()
    event_schema = dict(schema["properties"]["events"]["items"])
    one_of = event_schema.pop("oneOf")
    events = {**schema["properties"]["events"], "items": event_schema}
    whole = fastjsonschema.compile({**schema, "properties": {**schema["properties"], "events": events}})
    return whole, {each["properties"]["event"]["const"]: fastjsonschema.compile(each) for each in one_of}


def _passes(result: Any) -> bool:
    whole, by_name = _compiled_checks()
    try:
        whole(result)
        for event in result.get("events") or ():
            check = by_name.get(event["event"])
            if check is None:
                return False
            check(event)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@functools.lru_cache(maxsize=None)
def _explaining_validator():
    schema = _response_schema()
    return validator_for(schema)(schema)


def validate_action_result(self, result) -> bool:
    """RemoteAction._validate_action_result: an answer the compiled checks accept is valid;
    one they refuse raises the error ``jsonschema.validate`` would (its ``best_match``) with
    Rasa's message."""
    if _passes(result):
        return True
    error = best_match(_explaining_validator().iter_errors(result))
    if error is None:  # the two disagree: jsonschema, which Rasa uses, decides
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def _session(self) -> aiohttp.ClientSession:
    """EndpointConfig.session, whose requests' ``json=`` bodies orjson encodes."""
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=endpoints.DEFAULT_REQUEST_TIMEOUT),
        json_serialize=dumps,
    )


_RASA_CURRENT_STATE = DialogueStateTracker.current_state


def _current_state(self, event_verbosity: EventVerbosity = EventVerbosity.NONE) -> Dict[str, Any]:
    """DialogueStateTracker.current_state, with the active loop's fields given as they are
    (Rasa's ``asdict`` copies them deeply; the state is only ever encoded)."""
    loop, self.active_loop = self.active_loop, None
    try:
        state = _RASA_CURRENT_STATE(self, event_verbosity)
    finally:
        self.active_loop = loop
    if loop is not None:
        state[ACTIVE_LOOP] = {field.name: getattr(loop, field.name) for field in dataclasses.fields(loop)}
    return state


_RESOLVE_BY_TYPE = Event.resolve_by_type


@functools.lru_cache(maxsize=None)
def _event_class(type_name: str):
    return _RESOLVE_BY_TYPE(type_name)  # an unknown name raises, and is not cached


def _resolve_by_type(type_name, default=None):
    """``Event.resolve_by_type``, with each name's class (or Rasa's None for "topic") kept."""
    try:
        return _event_class(type_name)
    except ValueError:
        if default is not None:
            return default
        raise


def _frozen_after(load_agent):
    @functools.wraps(load_agent)
    async def load_then_freeze(*args, **kwargs):
        agent = await load_agent(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return agent

    return load_then_freeze


def install() -> None:
    import rasa.core.actions.action as rasa_actions
    import rasa.core.run

    if not hasattr(rasa.core.run.load_agent_on_start, "__wrapped__"):
        rasa.core.run.load_agent_on_start = _frozen_after(rasa.core.run.load_agent_on_start)

    rasa_actions.RemoteAction._validate_action_result = validate_action_result
    EndpointConfig.session = _session  # type: ignore[method-assign]
    DialogueStateTracker.current_state = _current_state  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign]
