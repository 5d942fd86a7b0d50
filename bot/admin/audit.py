"""The audit log: who did what in the admin pages (or with the CLI), when, from where.

Entries never hold a password, a session id or a declaration's content: the
target is a declaration reference or a user login, the details are filters,
counts, formats and roles.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional

from sqlalchemy import func, select

from bot.core.admin_models import AuditEntry

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_DELAYED = "login_delayed"  # refused before the password was checked: not a failure
LOGOUT = "logout"
VIEW = "view"
EXPORT = "export"
USER_CREATED = "user_created"
USER_DISABLED = "user_disabled"
USER_ENABLED = "user_enabled"
USER_ROLE_CHANGED = "user_role_changed"

ACTION_LABELS: Dict[str, str] = {
    LOGIN: "Connexion",
    LOGIN_FAILED: "Échec de connexion",
    LOGIN_DELAYED: "Connexion retardée (trop d'échecs)",
    LOGOUT: "Déconnexion",
    VIEW: "Consultation d'une déclaration",
    EXPORT: "Export",
    USER_CREATED: "Création d'un utilisateur",
    USER_DISABLED: "Désactivation d'un utilisateur",
    USER_ENABLED: "Réactivation d'un utilisateur",
    USER_ROLE_CHANGED: "Changement de rôle",
}
CLI_ACTOR = "(ligne de commande)"
FIELD_MAX = 64


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    login: Optional[str]
    action: str
    target: Optional[str]
    details: Optional[Dict[str, Any]]
    ip: Optional[str]


def _clip(value: Optional[str]) -> Optional[str]:
    return value[:FIELD_MAX] if isinstance(value, str) else value


def record(
    session,
    now: datetime,
    action: str,
    *,
    login: Optional[str],
    ip: Optional[str],
    target: Optional[str] = None,
    details: Optional[Dict[str, Any]] = None,
) -> None:
    """Add one entry in the caller's transaction."""
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(
        AuditEntry(at=now, login=_clip(login), action=action, target=_clip(target), details=details, ip=_clip(ip))
    )


def write(store, now: datetime, action: str, **kwargs) -> None:
    """Record one entry in its own transaction."""
    with store.session() as session, session.begin():
        record(session, now, action, **kwargs)


def count(store) -> int:
    with store.session() as session:
        return session.execute(select(func.count(AuditEntry.id))).scalar_one()


def page(store, limit: int, offset: int) -> List[AuditRow]:
    """Entries, newest first."""
    statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    with store.session() as session:
        return [
            AuditRow(row.at, row.login, row.action, row.target, row.details, row.ip)
            for row in session.execute(statement).scalars()
        ]


@dataclass(frozen=True)
class Failures:
    count: int
    last: Optional[datetime]


def recent_failures(
    session, now: datetime, window: timedelta, *, login: Optional[str] = None, ip: Optional[str] = None
) -> Failures:
    """Failed logins within ``window`` for a login (since its last success), an IP, or both."""
    since = now - window
    conditions = [AuditEntry.at > since]
    if login is not None:
        login = _clip(login)
        last_success = session.execute(
            select(func.max(AuditEntry.at)).where(AuditEntry.action == LOGIN, AuditEntry.login == login)
        ).scalar_one()
        if last_success is not None and last_success > since:
            conditions = [AuditEntry.at > last_success]
        conditions.append(AuditEntry.login == login)
    if ip is not None:
        conditions.append(AuditEntry.ip == _clip(ip))
    statement = select(func.count(AuditEntry.id), func.max(AuditEntry.at)).where(
        AuditEntry.action == LOGIN_FAILED, *conditions
    )
    count, last = session.execute(statement).one()
    return Failures(count, last)
