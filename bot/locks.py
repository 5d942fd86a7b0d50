"""A Redis lock store whose every change is one Redis transaction.

Rasa 3.6's ``RedisLockStore`` reads a conversation's ticket lock, changes it in
the replica, then writes it back. Two replicas receiving two messages of one
conversation at the same moment both read the same lock: both get ticket 0 and
handle the messages at once (one of them is lost when the trackers are saved),
or one deletes the lock the other has just put its ticket in, and that message
fails with "Could not acquire lock". Here issuing, refreshing and returning a
ticket each run as a WATCH/MULTI transaction on the lock's key, retried when
another replica changed it in between, so the queue stays the same for all.
"""

import json
from typing import Any, Callable, Optional, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
Change = Callable[[Optional[TicketLock]], Tuple[T, Optional[TicketLock]]]


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: "Change[T]") -> T:
        """Apply ``change`` to the stored lock atomically; ``None`` deletes it."""
        key = self.key_prefix + conversation_id
        outcome: list = []

        def transaction(pipe: Any) -> None:
            raw = pipe.get(key)
            outcome[:] = [change(TicketLock.from_dict(json.loads(raw)) if raw else None)]
            result, lock = outcome[0]
            pipe.multi()
            if lock is None:
                pipe.delete(key)
            else:
                pipe.set(key, lock.dumps())

        self.red.transaction(transaction, key)
        return outcome[0][0]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = 60) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[int, TicketLock]:
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        try:
            return self._change(conversation_id, issue)
        except Exception as error:  # as Rasa's: the channel answers the turn failed
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[None, Optional[TicketLock]]:
            if lock is not None:
                lock.remove_expired_tickets()
            return None, lock

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self.cleanup(conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Return the ticket, and delete the lock only if no ticket is left in it."""

        def give_back(lock: Optional[TicketLock]) -> Tuple[None, Optional[TicketLock]]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return None, lock if lock.is_someone_waiting() else None

        self._change(conversation_id, give_back)
