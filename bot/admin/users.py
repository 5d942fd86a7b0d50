"""Admin users: creation, listing, role changes, disabling (pages and CLI alike).

Every change is written to the audit log in the same transaction. Disabling a
user revokes their sessions. The last active administrateur can be neither
disabled nor demoted, so that someone can always manage users from the pages.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.admin import audit
from bot.admin.passwords import Passwords, check_policy
from bot.core.admin_models import ROLES, AdminSession, AdminUser

LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
ROLE_LABELS = {"lecteur": "Lecteur", "administrateur": "Administrateur"}


class UserError(ValueError):
    """The message is French and meant for the administrator."""


@dataclass(frozen=True)
class UserInfo:
    id: int
    login: str
    role: str
    active: bool
    created_at: datetime
    last_login_at: Optional[datetime]

    @classmethod
    def of(cls, row: AdminUser) -> "UserInfo":
        return cls(row.id, row.login, row.role, row.active, row.created_at, row.last_login_at)


def normalise_login(text: str) -> str:
    return (text or "").strip().lower()


def check_login(login: str) -> str:
    login = normalise_login(login)
    if not LOGIN_PATTERN.fullmatch(login):
        raise UserError(
            "Identifiant invalide : de 2 à 64 caractères, lettres minuscules sans accent, "
            "chiffres, point, tiret ou tiret bas, en commençant par une lettre ou un chiffre."
        )
    return login


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"Rôle inconnu « {role} » : {' ou '.join(ROLES)} attendu.")
    return role


def create_user(
    store, passwords: Passwords, now: datetime, login: str, password: str, role: str, *, actor: str, ip: Optional[str]
) -> UserInfo:
    login, role = check_login(login), check_role(role)
    check_policy(password, login)
    row = AdminUser(
        login=login, password_hash=passwords.hash(password), role=role, active=True, created_at=now, updated_at=now
    )
    try:
        with store.session() as session, session.begin():
            if _find(session, login) is not None:
                raise UserError(f"L'identifiant « {login} » est déjà utilisé.")
            session.add(row)
            audit.record(session, now, audit.USER_CREATED, login=actor, ip=ip, target=login, details={"role": role})
    except IntegrityError:
        raise UserError(f"L'identifiant « {login} » est déjà utilisé.") from None
    return UserInfo.of(row)


def list_users(store) -> List[UserInfo]:
    with store.session() as session:
        rows = session.execute(select(AdminUser).order_by(AdminUser.login)).scalars()
        return [UserInfo.of(row) for row in rows]


def get_user(store, login: str) -> Optional[UserInfo]:
    with store.session() as session:
        row = _find(session, normalise_login(login))
        return UserInfo.of(row) if row is not None else None


def set_role(store, now: datetime, login: str, role: str, *, actor: str, ip: Optional[str]) -> UserInfo:
    role = check_role(role)
    with store.session() as session, session.begin():
        row = _existing(session, login)
        if row.role == role:
            return UserInfo.of(row)
        if row.role == "administrateur" and row.active:
            _refuse_if_last_admin(session, row, "retirer le rôle administrateur au")
        previous, row.role, row.updated_at = row.role, role, now
        audit.record(
            session,
            now,
            audit.USER_ROLE_CHANGED,
            login=actor,
            ip=ip,
            target=row.login,
            details={"avant": previous, "apres": role},
        )
        return UserInfo.of(row)


def disable(store, now: datetime, login: str, *, actor: str, ip: Optional[str]) -> UserInfo:
    with store.session() as session, session.begin():
        row = _existing(session, login)
        if not row.active:
            return UserInfo.of(row)
        if row.role == "administrateur":
            _refuse_if_last_admin(session, row, "désactiver le")
        row.active, row.updated_at = False, now
        session.execute(
            update(AdminSession)
            .where(AdminSession.user_id == row.id, AdminSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        audit.record(session, now, audit.USER_DISABLED, login=actor, ip=ip, target=row.login)
        return UserInfo.of(row)


def enable(store, now: datetime, login: str, *, actor: str, ip: Optional[str]) -> UserInfo:
    with store.session() as session, session.begin():
        row = _existing(session, login)
        if not row.active:
            row.active, row.updated_at = True, now
            audit.record(session, now, audit.USER_ENABLED, login=actor, ip=ip, target=row.login)
        return UserInfo.of(row)


def _find(session, login: str) -> Optional[AdminUser]:
    return session.execute(select(AdminUser).where(AdminUser.login == login)).scalars().first()


def _existing(session, login: str) -> AdminUser:
    row = (
        session.execute(select(AdminUser).where(AdminUser.login == normalise_login(login)).with_for_update())
        .scalars()
        .first()
    )
    if row is None:
        raise UserError(f"Aucun utilisateur ne porte l'identifiant « {normalise_login(login)} ».")
    return row


def _refuse_if_last_admin(session, row: AdminUser, what: str) -> None:
    admins = (
        session.execute(
            select(AdminUser.id).where(AdminUser.role == "administrateur", AdminUser.active.is_(True)).with_for_update()
        )
        .scalars()
        .all()
    )
    if admins == [row.id]:
        raise UserError(
            f"Impossible de {what} dernier administrateur actif : donnez d'abord ce rôle à un autre utilisateur."
        )
