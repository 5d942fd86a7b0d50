"""Tables of the admin pages: users, their sessions and the audit log (migration 0005).

They live on ``bot.core.models.Base`` so that one metadata describes the whole
database; datetimes are ``UTCDateTime`` like every other table.
"""

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, UniqueConstraint

from bot.core.models import Base, UTCDateTime

ROLES = ("lecteur", "administrateur")


class AdminUser(Base):
    __tablename__ = "admin_users"
    __table_args__ = (UniqueConstraint("login", name="uq_admin_users_login"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    login = Column(String(64), nullable=False)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False)
    active = Column(Boolean, nullable=False, default=True, server_default="1")
    created_at = Column(UTCDateTime(), nullable=False)
    updated_at = Column(UTCDateTime(), nullable=False)
    last_login_at = Column(UTCDateTime())


class AdminSession(Base):
    """One login. Only the SHA-256 of the cookie's random id is stored."""

    __tablename__ = "admin_sessions"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_admin_sessions_token_hash"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    token_hash = Column(String(64), nullable=False)
    user_id = Column(Integer, ForeignKey("admin_users.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime(), nullable=False)
    last_seen_at = Column(UTCDateTime(), nullable=False)
    expires_at = Column(UTCDateTime(), nullable=False, index=True)
    revoked_at = Column(UTCDateTime())


class AuditEntry(Base):
    """Who did what, when, from where. ``login`` is the actor (or the login tried)."""

    __tablename__ = "admin_audit_log"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(UTCDateTime(), nullable=False, index=True)
    login = Column(String(64), index=True)
    action = Column(String(32), nullable=False, index=True)
    target = Column(String(64))
    details = Column(JSON)
    ip = Column(String(64), index=True)
