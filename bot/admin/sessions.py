"""Server-side sessions of the admin pages.

The cookie holds a random 32-byte id; the table holds only its SHA-256, so a
copy of the database does not give anyone a session. A session ends at logout,
when its user is disabled, after ``IDLE_TIMEOUT`` without a request, and in any
case ``LIFETIME`` after the login.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional, Tuple

from sqlalchemy import delete, select, update

from bot.core.admin_models import AdminSession, AdminUser

LIFETIME = timedelta(hours=8)
IDLE_TIMEOUT = timedelta(minutes=30)
# last_seen_at is rewritten at most this often (one write per page would be wasteful).
TOUCH_INTERVAL = timedelta(seconds=60)
PURGE_AFTER = timedelta(days=1)

VALID, MISSING, EXPIRED = "valid", "missing", "expired"


@dataclass(frozen=True)
class Identity:
    """The logged-in user of a request."""

    session_id: int
    user_id: int
    login: str
    role: str
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "administrateur"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session, user_id: int, now: datetime) -> str:
    """Add a session for ``user_id`` in the caller's transaction; return the cookie value."""
    token = secrets.token_urlsafe(32)
    session.add(
        AdminSession(
            token_hash=token_hash(token),
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + LIFETIME,
        )
    )
    session.execute(delete(AdminSession).where(AdminSession.expires_at < now - PURGE_AFTER))
    return token


def resolve(store, token: Optional[str], now: datetime) -> Tuple[str, Optional[Identity]]:
    """(VALID, identity), (EXPIRED, None) or (MISSING, None) for a cookie value."""
    if not token:
        return MISSING, None
    statement = (
        select(AdminSession, AdminUser)
        .join(AdminUser, AdminUser.id == AdminSession.user_id)
        .where(AdminSession.token_hash == token_hash(token))
    )
    with store.session() as session, session.begin():
        found = session.execute(statement).first()
        if found is None:
            return MISSING, None
        row, user = found
        if row.revoked_at is not None or not user.active:
            return MISSING, None
        if now >= row.expires_at or now - row.last_seen_at >= IDLE_TIMEOUT:
            row.revoked_at = now
            return EXPIRED, None
        if now - row.last_seen_at >= TOUCH_INTERVAL:
            row.last_seen_at = now
        return VALID, Identity(row.id, user.id, user.login, user.role, row.csrf_token)


def revoke(store, token: Optional[str], now: datetime) -> None:
    if not token:
        return
    with store.session() as session, session.begin():
        session.execute(
            update(AdminSession)
            .where(AdminSession.token_hash == token_hash(token), AdminSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
