"""Database tables: declarations, the outbox that forwards them, Slack events seen.

Datetimes are stored in UTC (``UTCDateTime``) on SQLite and PostgreSQL alike.
The schema itself is created by the alembic migrations in ``bot/core/migrations``.
"""

from typing import Any, Dict, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

from bot.core.fields import REGISTRY, Field, Kind
from bot.core.paris_time import UTC

Base: Any = declarative_base()  # SQLAlchemy 1.4's declarative base is untyped


# --- Column types -------------------------------------------------------------


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetime stored in UTC on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: a timezone is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# --- Model --------------------------------------------------------------------


def _column_type(field: Field) -> Any:
    if field.kind is Kind.CHOICES:
        return JSON
    if field.kind is Kind.DATETIME:
        return UTCDateTime()
    if field.kind is Kind.INTEGER:
        return Integer
    if field.kind is Kind.CHOICE:
        return String(field.column_length or 16)
    return String(field.column_length) if field.column_length else Text


def _declaration_columns() -> Dict[str, Any]:
    """The table's columns: bookkeeping, one per registry field (spec order), the computed ones."""
    columns: Dict[str, Any] = {
        "__tablename__": "declarations",
        "__table_args__": (
            UniqueConstraint("submission_key", name="uq_declarations_submission_key"),
            UniqueConstraint("reference", name="uq_declarations_reference"),
        ),
        "__doc__": "One declaration: the spec's fields (bot/core/fields.py), then what the system computes.",
        "id": Column(Integer, primary_key=True, autoincrement=True),
        "submission_key": Column(String(255), nullable=False),
        "conversation_id": Column(String(255), nullable=True, index=True),
    }
    columns.update({field.name: Column(_column_type(field), index=field.indexed) for field in REGISTRY})
    columns.update(
        reference=Column(String(32)),
        qualification=Column(JSON),
        obligations=Column(JSON),
        status=Column(String(16), nullable=False, index=True),
        channel=Column(String(16), nullable=False),
        created_at=Column(UTCDateTime(), nullable=False, index=True),
        submitted_at=Column(UTCDateTime()),
        updated_at=Column(UTCDateTime(), nullable=False),
        pii_masked=Column(Integer, nullable=False, default=0, server_default="0"),
        unknown_fields=Column(JSON),  # migration 0006
        # Demonstration data (migration 0004): never forwarded, never mixed with real declarations.
        synthetic=Column(Boolean, nullable=False, default=False, server_default="0", index=True),
    )
    return columns


Declaration: Any = type("Declaration", (Base,), _declaration_columns())


class OutboxMessage(Base):
    """One forwarding of a declaration to the authority, written in the same
    transaction as the declaration, delivered (at least once, deduplicated by
    ``idempotency_key`` on the authority's side) by ``bot.forwarding``."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    declaration_id = Column(Integer, ForeignKey("declarations.id"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    idempotency_key = Column(String(64), nullable=False)
    payload = Column(JSON, nullable=False)
    state = Column(String(16), nullable=False, index=True)
    attempts = Column(Integer, nullable=False, default=0, server_default="0")
    next_attempt_at = Column(UTCDateTime(), nullable=False, index=True)
    claimed_until = Column(UTCDateTime())
    last_error = Column(String(255))
    receipt = Column(String(255))
    created_at = Column(UTCDateTime(), nullable=False)
    delivered_at = Column(UTCDateTime())


class DeclarationChange(Base):
    """One field completed or corrected after submission (migration 0004)."""

    __tablename__ = "declaration_changes"

    id = Column(Integer, primary_key=True, autoincrement=True)
    declaration_id = Column(Integer, ForeignKey("declarations.id"), nullable=False, index=True)
    field = Column(String(64), nullable=False)
    old_value = Column(JSON)
    new_value = Column(JSON)
    changed_at = Column(UTCDateTime(), nullable=False)
    conversation_id = Column(String(255))
    outbox_id = Column(Integer, ForeignKey("outbox.id"))


class Attachment(Base):
    """A file a declarant added (migration 0009): the bytes are on disk under a random
    name (``bot.core.attachments``), outside the web root; the conversation it was added
    in, and once it is sent, the declaration it belongs to."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("stored_name", name="uq_attachments_stored_name"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    declaration_id = Column(Integer, ForeignKey("declarations.id"), nullable=True, index=True)
    stored_name = Column(String(64), nullable=False)
    name = Column(String(255), nullable=False)
    media_type = Column(String(64), nullable=False)
    size = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime(), nullable=False)


class SlackEvent(Base):
    """One Slack event or interaction already handled: the unique key is the
    deduplication of retries and replays (``bot/channels/slack.py``, migration 0003)."""

    __tablename__ = "slack_events"
    __table_args__ = (UniqueConstraint("event_id", name="uq_slack_events_event_id"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    event_id = Column(String(255), nullable=False)
    received_at = Column(UTCDateTime(), nullable=False, index=True)


class EstablishmentRow(Base):
    """One establishment of the FINESS register (``bot.core.register_store`` loads them)."""

    __tablename__ = "establishments"

    finess = Column(String(9), primary_key=True)
    legal_finess = Column(String(9), nullable=False, index=True)
    name = Column(String(120), nullable=False)
    long_name = Column(String(200), nullable=True)
    town = Column(String(80), nullable=False)
    postcode = Column(String(5), nullable=False)
    department = Column(String(3), nullable=False)
    department_name = Column(String(80), nullable=False)
    region = Column(String(40), nullable=True)
    category = Column(String(4), nullable=False)
    category_label = Column(String(120), nullable=False)
    structure_type = Column(String(60), nullable=False)
    search_text = Column(Text, nullable=False)


class RegisterSource(Base):
    """Which files the register table holds (their SHA-256), so that loading again is a no-op."""

    __tablename__ = "register_sources"

    name = Column(String(40), primary_key=True)
    sha256 = Column(String(64), nullable=False)
    rows = Column(Integer, nullable=False)
    loaded_at = Column(UTCDateTime, nullable=False)


class AccessFailure(Base):
    """Wrong e-mail addresses given to unlock a declaration from another conversation, by
    reference, known or not (``bot.core.access_limits``): asking again never resets them."""

    __tablename__ = "access_failures"

    reference = Column(String(32), primary_key=True)
    failures = Column(Integer, nullable=False)
    locked_until = Column(UTCDateTime(), nullable=True)


def managed_by_model(name: Optional[str], type_: str, parent_names: Dict[str, Any]) -> bool:
    """For alembic's comparisons: the register's search index is made per database by its
    migration (an FTS5 table and its shadow tables, or a full-text index), not by the model."""
    return not (name or "").startswith(("establishments_fts", "ix_establishments_search_words"))
