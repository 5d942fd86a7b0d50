"""How many wrong e-mail addresses a reference has had, and how long the next try waits.

A declaration made in another conversation is unlocked by its declarant's e-mail
address. The count is kept in the database by reference, whether a declaration has
that reference or not (the answers must tell nothing), and is never reset by asking
again: after ``FREE_TRIES`` wrong addresses each further try waits, one minute, then
twice as long after each wrong one, up to a day. The right address clears the count.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.backoff import Backoff
from bot.core.models import AccessFailure
from bot.core.paris_time import utc_now

FREE_TRIES = 3
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(days=1)
BACKOFF = Backoff(FREE_TRIES, FIRST_WAIT, LONGEST_WAIT)


class AccessLimits:
    def __init__(self, session: Callable[[], Session]):
        self.session = session

    def wait(self, reference: str, now: Optional[datetime] = None) -> timedelta:
        """How long before ``reference`` may be tried again (zero: now)."""
        now = now or utc_now()
        with self.session() as session:
            row = session.get(AccessFailure, reference)
            if row is None or row.locked_until is None or row.locked_until <= now:
                return timedelta(0)
            return row.locked_until - now

    def failed(self, reference: str, now: Optional[datetime] = None) -> timedelta:
        """Count a wrong address; how long the next try now waits."""
        now = now or utc_now()
        for _ in range(2):  # two replicas may count the first failure at once
            try:
                return self._count(reference, now)
            except IntegrityError:
                continue
        return self._count(reference, now)

    def _count(self, reference: str, now: datetime) -> timedelta:
        with self.session() as session, session.begin():
            statement = select(AccessFailure).where(AccessFailure.reference == reference).with_for_update()
            row = session.execute(statement).scalars().first()
            if row is None:
                row = AccessFailure(reference=reference, failures=0)
                session.add(row)
            row.failures += 1
            wait = BACKOFF.after(row.failures)
            row.locked_until = now + wait if wait else None
            return wait

    def succeeded(self, reference: str) -> None:
        """The right address: the count starts again."""
        with self.session() as session, session.begin():
            row = session.get(AccessFailure, reference)
            if row is not None:
                session.delete(row)
