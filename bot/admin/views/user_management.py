"""User management pages (administrateur only): create, change role, disable, re-enable."""

import asyncio
from typing import Optional

from aiohttp import web

from bot.admin import context, users
from bot.admin.passwords import MIN_LENGTH, WeakPassword
from bot.admin.templating import render, url
from bot.core.admin_models import ROLES

NOTICES = {
    "cree": "L'utilisateur « {login} » a été créé.",
    "role": "Le rôle de « {login} » a été modifié.",
    "desactive": "L'utilisateur « {login} » a été désactivé ; ses sessions sont fermées.",
    "reactive": "L'utilisateur « {login} » a été réactivé.",
}


def _notice(request: web.Request) -> Optional[str]:
    template = NOTICES.get(request.query.get("fait", ""))
    login = request.query.get("login", "")
    return template.format(login=login[:64]) if template else None


async def _users_page(
    request: web.Request, status: int = 200, error: Optional[str] = None, form: Optional[dict] = None
) -> web.Response:
    rows = await asyncio.to_thread(users.list_users, context.admin(request).store)
    return render(
        request,
        "users.html",
        status=status,
        users=rows,
        roles=users.ROLE_LABELS,
        notice=None if error else _notice(request),
        error=error,
        form=form or {"login": "", "role": "lecteur"},
        min_length=MIN_LENGTH,
    )


def _done(request: web.Request, what: str, login: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(url(request, "users", {"fait": what, "login": login}))


async def users_page(request: web.Request) -> web.Response:
    context.require_admin(request)
    return await _users_page(request)


async def create_user(request: web.Request) -> web.Response:
    actor = context.require_admin(request)
    form = await request.post()
    login, role = str(form.get("login", "")), str(form.get("role", ""))
    password, confirmation = str(form.get("password", "")), str(form.get("password_confirm", ""))
    values = {"login": login[:64], "role": role if role in ROLES else "lecteur"}
    if password != confirmation:
        return await _users_page(request, 400, "Les deux mots de passe saisis sont différents.", values)
    settings = context.admin(request)
    try:
        created = await asyncio.to_thread(
            users.create_user,
            settings.store,
            settings.passwords,
            settings.clock(),
            login,
            password,
            role,
            actor=actor.login,
            ip=context.client_ip(request),
        )
    except (users.UserError, WeakPassword) as error:
        return await _users_page(request, 400, str(error), values)
    raise _done(request, "cree", created.login)


async def _change(request: web.Request, what: str, change, **kwargs) -> web.Response:
    actor = context.require_admin(request)
    login = request.match_info["login"]
    settings = context.admin(request)
    try:
        changed = await asyncio.to_thread(
            change, settings.store, settings.clock(), login, **kwargs, actor=actor.login, ip=context.client_ip(request)
        )
    except users.UserError as error:
        return await _users_page(request, 400, str(error))
    raise _done(request, what, changed.login)


async def change_role(request: web.Request) -> web.Response:
    form = await request.post()
    return await _change(request, "role", users.set_role, role=str(form.get("role", "")))


async def disable_user(request: web.Request) -> web.Response:
    actor = context.require_admin(request)
    if users.normalise_login(request.match_info["login"]) == actor.login:
        return await _users_page(request, 400, "Vous ne pouvez pas désactiver votre propre compte.")
    return await _change(request, "desactive", users.disable)


async def enable_user(request: web.Request) -> web.Response:
    return await _change(request, "reactive", users.enable)
