"""Login with throttling, and the cookies of the admin pages.

Throttling by growing delays, never a hard lock: after ``FREE_FAILURES_PER_PAIR``
failed attempts on one login from one address (or ``FREE_FAILURES_PER_ADDRESS``
from one address, any login), the next attempt from that address waits
``FIRST_DELAY`` after the last failure, twice as long after each further
failure, up to ``LONGEST_DELAY``. Attempts refused while waiting are logged but
not counted, so they never lengthen the wait, and failures from other addresses
never delay a login's owner (the address is the client's, read from
``X-Forwarded-For`` only behind a trusted proxy: ``bot.admin.context``). The
answer never says whether the login exists, and unknown logins cost an argon2
verification too.
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
from bot.core.backoff import Backoff

FREE_FAILURES_PER_PAIR = 5
FREE_FAILURES_PER_ADDRESS = 20
FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(minutes=15)
COUNT_WINDOW = timedelta(hours=1)
PER_PAIR = Backoff(FREE_FAILURES_PER_PAIR, FIRST_DELAY, LONGEST_DELAY)
PER_ADDRESS = Backoff(FREE_FAILURES_PER_ADDRESS, FIRST_DELAY, LONGEST_DELAY)

OK, FAILED, THROTTLED = "ok", "failed", "throttled"

SESSION_COOKIE = "vigie_admin"
LOGIN_CSRF_COOKIE = "vigie_admin_login"


@dataclass(frozen=True)
class LoginResult:
    outcome: str
    token: Optional[str] = None
    wait: timedelta = timedelta(0)  # THROTTLED: how long before the next attempt


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
    wait = throttle_wait(store, now, login, ip)
    if wait:
        audit.write(store, now, audit.LOGIN_DELAYED, login=login, ip=ip)
        return LoginResult(THROTTLED, wait=wait)
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


def throttle_wait(store, now: datetime, login: str, ip: Optional[str]) -> timedelta:
    """How long this login from this address must wait before its password is checked."""
    with store.session() as session:
        counted = [(audit.recent_failures(session, now, COUNT_WINDOW, login=login, ip=ip), PER_PAIR)]
        if ip is not None:
            counted.append((audit.recent_failures(session, now, COUNT_WINDOW, ip=ip), PER_ADDRESS))
    waits = [f.last + backoff.after(f.count) - now for f, backoff in counted if f.last is not None]
    return max([timedelta(0), *waits])


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
