"""Login and logout pages."""

import asyncio
import math
from datetime import timedelta

from aiohttp import web

from bot.admin import audit, auth, context, csrf, sessions
from bot.admin.templating import render, url
from bot.core import french

NOTICES = {
    "expiree": "Votre session a expiré : veuillez vous reconnecter.",
    "deconnecte": "Vous êtes déconnecté.",
}
FAILED = "Identifiant ou mot de passe incorrect."


def _throttled(wait: timedelta) -> str:
    delay = french.wait_text(wait.total_seconds())
    return (
        "Trop d'échecs de connexion pour cet identifiant ou depuis votre adresse : "
        f"veuillez patienter {delay} avant de réessayer."
    )


def _login_page(request: web.Request, status: int = 200, **values) -> web.Response:
    """The form, with a fresh pre-session CSRF token in a cookie and a hidden field."""
    token = csrf.new_token()
    response = render(request, "login.html", status=status, csrf_token=token, **values)
    settings = context.admin(request)
    auth.set_cookie(
        response, auth.LOGIN_CSRF_COOKIE, token, secure=settings.secure_cookies, path=context.mount_prefix(request)
    )
    return response


async def login_form(request: web.Request) -> web.Response:
    settings = context.admin(request)
    token = auth.read_cookie(request, auth.SESSION_COOKIE, settings.secure_cookies)
    state, _user = await asyncio.to_thread(sessions.resolve, settings.store, token, settings.clock())
    if state == sessions.VALID:
        raise web.HTTPSeeOther(url(request, "declarations"))
    notice = NOTICES.get(request.query.get("motif", ""))
    return _login_page(request, notice=notice, error=None, login="")


async def login_submit(request: web.Request) -> web.Response:
    settings = context.admin(request)
    form = await request.post()
    login, password = str(form.get("login", "")), str(form.get("password", ""))
    previous = auth.read_cookie(request, auth.SESSION_COOKIE, settings.secure_cookies)
    result = await asyncio.to_thread(
        auth.authenticate,
        settings.store,
        settings.passwords,
        settings.clock(),
        login,
        password,
        context.client_ip(request),
        previous,
    )
    if result.outcome == auth.THROTTLED:
        page = _login_page(request, status=429, notice=None, error=_throttled(result.wait), login=login[:64])
        page.headers["Retry-After"] = str(math.ceil(result.wait.total_seconds()))
        return page
    if result.outcome != auth.OK:
        return _login_page(request, status=401, notice=None, error=FAILED, login=login[:64])
    response = web.HTTPSeeOther(url(request, "declarations"))
    path = context.mount_prefix(request)
    auth.set_cookie(response, auth.SESSION_COOKIE, result.token, secure=settings.secure_cookies, path=path)
    auth.clear_cookie(response, auth.LOGIN_CSRF_COOKIE, secure=settings.secure_cookies, path=path)
    raise response


async def logout(request: web.Request) -> web.Response:
    settings = context.admin(request)
    user = context.identity(request)
    token = auth.read_cookie(request, auth.SESSION_COOKIE, settings.secure_cookies)
    now = settings.clock()
    await asyncio.to_thread(sessions.revoke, settings.store, token, now)
    await asyncio.to_thread(
        audit.write, settings.store, now, audit.LOGOUT, login=user.login, ip=context.client_ip(request)
    )
    response = web.HTTPSeeOther(url(request, "login", {"motif": "deconnecte"}))
    auth.clear_cookie(response, auth.SESSION_COOKIE, secure=settings.secure_cookies, path=context.mount_prefix(request))
    raise response
