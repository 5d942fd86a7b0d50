"""Login with throttling, and the cookies of the admin pages.

Throttling: after ``MAX_FAILURES_PER_LOGIN`` failed attempts on one login (or
``MAX_FAILURES_PER_IP`` from one address) within ``THROTTLE_WINDOW``, further
attempts are refused without checking the password. The answer never says
whether the login exists, and unknown logins cost an argon2 verification too.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from aiohttp import web
from sqlalchemy import select

from bot.admin import audit, sessions
from bot.admin.passwords import MAX_LENGTH, Passwords
from bot.admin.users import normalise_login
from bot.core.admin_models import AdminUser

MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_IP = 20
THROTTLE_WINDOW = timedelta(minutes=15)

OK, FAILED, THROTTLED = "ok", "failed", "throttled"

SESSION_COOKIE = "vigie_admin"
LOGIN_CSRF_COOKIE = "vigie_admin_login"


@dataclass(frozen=True)
class LoginResult:
    outcome: str
    token: Optional[str] = None


def authenticate(
    store,
    passwords: Passwords,
    now: datetime,
    login: str,
    password: str,
    ip: Optional[str],
    previous_token: Optional[str] = None,
) -> LoginResult:
    """Check the credentials; on success open a new session (revoking ``previous_token``)."""
    login = normalise_login(login)[: audit.FIELD_MAX]
    if _throttled(store, now, login, ip):
        audit.write(store, now, audit.LOGIN_FAILED, login=login, ip=ip, details={"motif": "trop_de_tentatives"})
        return LoginResult(THROTTLED)
    with store.session() as session:
        user = session.execute(select(AdminUser).where(AdminUser.login == login)).scalars().first()
    usable = user is not None and user.active and len(password) <= MAX_LENGTH
    matches, new_hash = passwords.verify(user.password_hash if usable else None, password[:MAX_LENGTH])
    if not matches:
        audit.write(store, now, audit.LOGIN_FAILED, login=login, ip=ip, details={"motif": _motive(user)})
        return LoginResult(FAILED)
    sessions.revoke(store, previous_token, now)
    with store.session() as session, session.begin():
        row = session.get(AdminUser, user.id)
        if new_hash is not None:
            row.password_hash = new_hash
        row.last_login_at = now
        token = sessions.open_session(session, row.id, now)
        audit.record(session, now, audit.LOGIN, login=login, ip=ip)
    return LoginResult(OK, token)


def _throttled(store, now: datetime, login: str, ip: Optional[str]) -> bool:
    with store.session() as session:
        if audit.recent_failures(session, now, THROTTLE_WINDOW, login=login) >= MAX_FAILURES_PER_LOGIN:
            return True
        return ip is not None and (audit.recent_failures(session, now, THROTTLE_WINDOW, ip=ip) >= MAX_FAILURES_PER_IP)


def _motive(user: Optional[AdminUser]) -> str:
    """Why a login failed, for the audit log only (never shown on the login page)."""
    if user is None:
        return "identifiant_inconnu"
    return "compte_desactive" if not user.active else "mot_de_passe_incorrect"


# --- Cookies ------------------------------------------------------------------


def cookie_name(base: str, secure: bool) -> str:
    # The __Secure- prefix makes browsers refuse the cookie unless it is Secure and from https.
    return f"__Secure-{base}" if secure else base


def set_cookie(response: web.StreamResponse, base: str, value: str, *, secure: bool, path: str) -> None:
    response.set_cookie(cookie_name(base, secure), value, path=path, httponly=True, samesite="Strict", secure=secure)


def clear_cookie(response: web.StreamResponse, base: str, *, secure: bool, path: str) -> None:
    response.set_cookie(
        cookie_name(base, secure),
        "",
        path=path,
        max_age=0,
        httponly=True,
        samesite="Strict",
        secure=secure,
        expires="Thu, 01 Jan 1970 00:00:00 GMT",
    )


def read_cookie(request: web.Request, base: str, secure: bool) -> Optional[str]:
    return request.cookies.get(cookie_name(base, secure)) or None
