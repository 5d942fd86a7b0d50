"""The outbox: declarations waiting to be forwarded to the authority.

A message is written in the same transaction as its declaration
(``DeclarationStore.submit``), so a stored declaration is never left without
its forwarding. Workers (``bot.forwarding``) claim due messages for a lease:
if a worker dies mid-delivery the lease expires and another one retries with
the same ``Idempotency-Key``, which the authority uses to deduplicate.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, Iterable, List, Optional

from sqlalchemy import func, or_, select, update

from bot.core.models import Declaration, OutboxMessage
from bot.core.paris_time import UTC, to_paris_iso

PENDING = "en_attente"
DELIVERED = "transmise"
DEAD = "echec"
STATES = (PENDING, DELIVERED, DEAD)
KINDS = ("initiale", "complement", "piece_jointe")
ERROR_MAX_LENGTH = 255


def now_utc() -> datetime:
    """To the microsecond: retries may be due within the second."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Claim:
    id: int
    reference: str
    kind: str
    idempotency_key: str
    payload: Dict[str, Any]
    attempts: int


def new_message(
    declaration: Declaration, payload: Dict[str, Any], kind: str, now: datetime, idempotency_key: Optional[str] = None
) -> OutboxMessage:
    """``idempotency_key``: the caller's own (a completion's key, so that it is stored once)."""
    if kind not in KINDS:
        raise ValueError(f"kind: {kind!r}")
    return OutboxMessage(
        declaration_id=declaration.id,
        kind=kind,
        idempotency_key=idempotency_key or str(uuid.uuid4()),
        payload={**payload, "kind": kind},
        state=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


def transmission_dict(message: Optional[OutboxMessage]) -> Optional[Dict[str, Any]]:
    """What the API and the chat show about a declaration's forwarding."""
    if message is None:
        return None
    return {
        "state": message.state,
        "kind": message.kind,
        "attempts": message.attempts,
        "transmitted_at": to_paris_iso(message.delivered_at),
        "receipt": message.receipt,
        "last_error": message.last_error,
    }


def latest_messages(session, declaration_ids: Iterable[int]) -> Dict[int, OutboxMessage]:
    """The most recent forwarding of each declaration's content (its files are forwarded apart)."""
    ids = list(declaration_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.declaration_id.in_(ids), OutboxMessage.kind != "piece_jointe")
        .order_by(OutboxMessage.id)
    ).scalars()
    return {row.declaration_id: row for row in rows}


class Outbox:
    """Synchronous outbox operations on a ``DeclarationStore``'s database."""

    def __init__(self, store, lease_seconds: float = 60.0):
        """``store``: a ``DeclarationStore`` (anything with ``session()``)."""
        self.store = store
        self.lease = timedelta(seconds=lease_seconds)

    def claim_due(self, limit: int = 10, now: Optional[datetime] = None) -> List[Claim]:
        """Take up to ``limit`` due messages for one lease (SKIP LOCKED on PostgreSQL)."""
        now = now or now_utc()
        statement = (
            select(OutboxMessage, Declaration.reference)
            .join(Declaration, Declaration.id == OutboxMessage.declaration_id)
            .where(
                OutboxMessage.state == PENDING,
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=OutboxMessage)
        )
        with self.store.session() as session, session.begin():
            claims = []
            for message, reference in session.execute(statement).all():
                message.claimed_until = now + self.lease
                message.attempts += 1
                claims.append(
                    Claim(
                        message.id,
                        reference,
                        message.kind,
                        message.idempotency_key,
                        dict(message.payload),
                        message.attempts,
                    )
                )
            return claims

    def mark_delivered(self, message_id: int, receipt: Optional[str], now: Optional[datetime] = None) -> None:
        now = now or now_utc()
        with self.store.session() as session, session.begin():
            message = session.get(OutboxMessage, message_id)
            if message is None or message.state == DELIVERED:
                return
            message.state, message.delivered_at, message.claimed_until = DELIVERED, now, None
            message.receipt, message.last_error = (receipt or None), None
            if message.kind == "initiale":
                session.execute(
                    update(Declaration)
                    .where(Declaration.id == message.declaration_id, Declaration.status == "soumise")
                    .values(status="transmise", updated_at=now)
                    .execution_options(synchronize_session=False)
                )

    def mark_failed(self, message_id: int, error: str, retry_at: Optional[datetime]) -> None:
        """Record a failed attempt: retry at ``retry_at``, or dead letter when None."""
        with self.store.session() as session, session.begin():
            message = session.get(OutboxMessage, message_id)
            if message is None or message.state != PENDING:
                return
            message.last_error = error[:ERROR_MAX_LENGTH]
            message.claimed_until = None
            if retry_at is None:
                message.state = DEAD
            else:
                message.next_attempt_at = retry_at

    def requeue(self, reference: str, now: Optional[datetime] = None) -> bool:
        """Give a dead-lettered declaration a new series of attempts."""
        now = now or now_utc()
        with self.store.session() as session, session.begin():
            result = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.state == DEAD,
                    OutboxMessage.declaration_id.in_(select(Declaration.id).where(Declaration.reference == reference)),
                )
                .values(state=PENDING, attempts=0, next_attempt_at=now, claimed_until=None)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount > 0

    def messages(self, state: Optional[str] = None, limit: int = 100) -> List[Dict[str, Any]]:
        statement = (
            select(OutboxMessage, Declaration.reference)
            .join(Declaration, Declaration.id == OutboxMessage.declaration_id)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
        if state is not None:
            if state not in STATES:
                raise ValueError(f"state : valeur inconnue « {state} ».")
            statement = statement.where(OutboxMessage.state == state)
        with self.store.session() as session:
            return [
                {
                    "reference": reference,
                    "created_at": to_paris_iso(message.created_at),
                    **(transmission_dict(message) or {}),
                }
                for message, reference in session.execute(statement).all()
            ]

    def counts(self) -> Dict[str, int]:
        statement = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        with self.store.session() as session:
            found = dict(session.execute(statement).all())
        return {state: int(found.get(state, 0)) for state in STATES}
