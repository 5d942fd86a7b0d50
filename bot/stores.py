"""Vigie's tracker stores: one that never hides a database failure, and the
development profile's in-memory one, whose size does not grow forever.

Rasa 3.6's ``SQLTrackerStore`` waits forever for an unreachable database at
start-up, and the agent wraps every store in ``FailSafeTrackerStore``, which
silently keeps conversations in memory when the database fails (and answers
"no such conversation" when it cannot read one). Vigie's conversations hold
declarations in progress, so: start-up gives up loudly after
``connect_timeout`` seconds, and ``bot.rasa_server`` removes the fail-safe
wrapper so that a failing read or write fails the turn (our channels answer
503) instead of forgetting the conversation. Rasa's store also reads and writes
on the event loop, so each of the turn's queries stopped every other
conversation of the process while PostgreSQL answered: here they run in a
thread, a read loads only the events' JSON, not one ORM object per event, and a
save writes its new events in one INSERT.

Rasa's ``InMemoryTrackerStore`` keeps every conversation, with every event, for
the life of the process. ``BoundedInMemoryTrackerStore`` keeps only each
conversation's latest session (see ``bot.long_conversations``), forgets a
conversation after ``VIGIE_MEMORY_IDLE_HOURS`` without a message (24 h, as long as
the web page's token lets it come back), and keeps at most
``VIGIE_MEMORY_CONVERSATIONS``, forgetting the least recently used first.
"""

import asyncio
import json
import logging
import time
from collections import OrderedDict
from typing import Any, Callable, Optional, Text

import sqlalchemy
import sqlalchemy.orm
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.settings import Settings

logger = logging.getLogger(__name__)


class TrackerStoreUnavailable(RuntimeError):
    pass


def wait_for_database(url: Any, timeout: float, interval: float = 1.0) -> None:
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect():
                    return
            except sqlalchemy.exc.OperationalError as error:
                if time.monotonic() >= deadline:
                    raise TrackerStoreUnavailable(
                        f"Tracker store unreachable after {timeout:g} s ({type(error).__name__}); "
                        "refusing to start without it."
                    ) from None
                time.sleep(interval)
    finally:
        engine.dispose()


class StrictSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Any] = None,
        dialect: Text = "postgresql",
        host: Optional[Text] = None,
        port: Optional[int] = None,
        db: Text = "rasa.db",
        username: Optional[Text] = None,
        password: Optional[Text] = None,
        event_broker: Optional[Any] = None,
        login_db: Optional[Text] = None,
        query: Optional[dict] = None,
        connect_timeout: float = 30.0,
        **kwargs: Any,
    ) -> None:
        url = self.get_db_url(dialect, host, port, login_db or db, username, password or None, query=query)
        wait_for_database(url, float(connect_timeout))
        super().__init__(
            domain, dialect, host, port, db, username, password or None, event_broker, login_db, query, **kwargs
        )
        # Rasa's engine reuses dead connections after a database restart: check them first.
        engine_url = self.engine.url
        self.engine.dispose()
        self.engine = sqlalchemy.create_engine(engine_url, pool_pre_ping=True, **create_engine_kwargs(engine_url))
        self.sessionmaker = sqlalchemy.orm.session.sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await asyncio.to_thread(self._load, sender_id, False)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await asyncio.to_thread(self._load, conversation_id, True)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        await asyncio.to_thread(self._store, tracker)

    def _load(self, sender_id: Text, all_sessions: bool) -> Optional[DialogueStateTracker]:
        """Rasa's ``_retrieve``: the latest session's events (or all of them), in order."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=all_sessions)
            rows = query.with_entities(self.SQLEvent.data).all()
        events = [json.loads(data) for (data,) in rows]
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _store(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``save``: the tracker's events that the latest session does not hold yet."""
        with self.session_scope() as session:
            rows = [self._row(tracker.sender_id, event) for event in self._additional_events(session, tracker)]
            if rows:  # one INSERT for all of them, without an ORM object each (half the save's Python time, py-spy)
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()

    @staticmethod
    def _row(sender_id: Text, event: Any) -> dict:
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }


def latest_session(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """``tracker`` from its latest ``action_session_start`` on (itself if it has one session)."""
    events = list(tracker.events)
    starts = [
        i
        for i, event in enumerate(events)
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME
    ]
    if not starts or starts[-1] == 0:
        return tracker
    return DialogueStateTracker.from_events(
        tracker.sender_id, events[starts[-1] :], tracker.slots.values(), sender_source=tracker.sender_source
    )


class BoundedInMemoryTrackerStore(InMemoryTrackerStore):
    def __init__(
        self,
        domain: Any,
        event_broker: Optional[Any] = None,
        max_conversations: int = 0,
        idle_hours: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        settings = Settings.from_env()
        self.max_conversations = int(max_conversations or settings.memory_conversations)
        self.idle_seconds = float(idle_hours or settings.memory_idle_hours) * 3600
        self.clock = clock
        # sender -> when last used, least recently used first (the order both forgettings read)
        self._last_used: "OrderedDict[str, float]" = OrderedDict()

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        self.store[tracker.sender_id] = self.serialise_tracker(latest_session(tracker))
        self._used(tracker.sender_id)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        self._forget_idle()
        if sender_id in self.store:
            self._used(sender_id)
        return await super().retrieve(sender_id)

    def _used(self, sender_id: str) -> None:
        self._last_used[sender_id] = self.clock()
        self._last_used.move_to_end(sender_id)
        while len(self._last_used) > self.max_conversations:
            self._forget_oldest()
            logger.warning("In-memory conversations: the least recently used one is forgotten (limit reached).")

    def _forget_idle(self) -> None:
        deadline = self.clock() - self.idle_seconds
        while self._last_used and next(iter(self._last_used.values())) <= deadline:
            self._forget_oldest()

    def _forget_oldest(self) -> None:
        oldest, _ = self._last_used.popitem(last=False)
        self.store.pop(oldest, None)
