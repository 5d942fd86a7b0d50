"""A tracker store that never hides a database failure.

Rasa 3.6's ``SQLTrackerStore`` waits forever for an unreachable database at
start-up, and the agent wraps every store in ``FailSafeTrackerStore``, which
silently keeps conversations in memory when the database fails (and answers
"no such conversation" when it cannot read one). Vigie's conversations hold
declarations in progress, so: start-up gives up loudly after
``connect_timeout`` seconds, and ``bot.rasa_server`` removes the fail-safe
wrapper so that a failing read or write fails the turn (our channels answer
503) instead of forgetting the conversation.
"""

import logging
import time
from typing import Any, Optional, Text

import sqlalchemy
import sqlalchemy.orm
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs

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
