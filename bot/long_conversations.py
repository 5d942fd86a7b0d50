"""A conversation's turn costs the same at turn 500 as at turn 10.

Rasa loads, replays, sends to the action server and counts every event of the
current session at each turn, so a turn's cost grows with the conversation
(45 ms at turn 10, 406 ms at turn 500 in the attack run). Once the current
session holds ``VIGIE_SESSION_EVENTS`` events, the next message opens a new
session that carries the conversation's state over: each slot's current value,
and the active form with its pending question. Both tracker stores load only
the latest session, so the history replayed per turn stays bounded. Nothing the
person gave is lost; the earlier events stay in the SQL store until retention.
"""

from typing import List, Reversible

from rasa.core.actions.action import ActionSessionStart
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

# Rasa's own, kept so that installing again does not stack the patches.
_HAS_EXPIRED = MessageProcessor._has_session_expired
_START = ActionSessionStart.run


def events_in_session(events: Reversible[Event]) -> int:
    """How many events follow the latest session start (all of them if there is none)."""
    count = 0
    for event in reversed(events):
        if isinstance(event, SessionStarted):
            break
        count += 1
    return count


def is_too_long(tracker: DialogueStateTracker, limit: int) -> bool:
    return limit > 0 and events_in_session(tracker.events) >= limit


def carried_over(tracker: DialogueStateTracker) -> List[Event]:
    """The first events of a session that goes on where ``tracker`` is: the slots that
    hold a value, the active form, then listening."""
    events: List[Event] = [SessionStarted()]
    events += [SlotSet(slot.name, slot.value) for slot in tracker.slots.values() if slot.value != slot.initial_value]
    # Whether the form was interrupted is not carried: Rasa resets it at every action, so it
    # is always false while listening.
    if tracker.active_loop_name:
        events.append(ActiveLoop(tracker.active_loop_name))
    events.append(ActionExecuted(ACTION_LISTEN_NAME))
    return events


def install(limit: int) -> None:
    """Patch Rasa's processor and session start (``VIGIE_SESSION_EVENTS``; 0: no bound)."""

    def _has_session_expired(self, tracker: DialogueStateTracker) -> bool:
        return is_too_long(tracker, limit) or _HAS_EXPIRED(self, tracker)

    async def run(self, output_channel, nlg, tracker, domain) -> List[Event]:
        if is_too_long(tracker, limit):
            return carried_over(tracker)
        return await _START(self, output_channel, nlg, tracker, domain)

    MessageProcessor._has_session_expired = _has_session_expired  # type: ignore[method-assign]
    ActionSessionStart.run = run  # type: ignore[method-assign]


def uninstall() -> None:
    """Rasa's own again (tests)."""
    MessageProcessor._has_session_expired = _HAS_EXPIRED  # type: ignore[method-assign]
    ActionSessionStart.run = _START  # type: ignore[method-assign]
