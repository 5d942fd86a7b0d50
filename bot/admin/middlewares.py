"""Middlewares of the admin app, outermost first: security headers, French error
pages, session check, CSRF check."""

import asyncio
import logging

from aiohttp import web

from bot.admin import auth, context, csrf, sessions
from bot.admin.templating import render

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
PUBLIC_ROUTES = {"login", "login_submit", "static"}
# Files, not pages: without a session they answer 401 rather than the login page.
EXPORT_ROUTES = {
    "export_csv",
    "export_spreadsheet",
    "export_json",
    "declaration_pdf",
    "observatory_chart",
    "observatory_pdf",
    "observatory_csv",
}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

ERRORS = {
    400: ("Requête invalide", "La demande n'a pas pu être traitée."),
    401: ("Authentification requise", "Vous devez vous connecter pour accéder à cette ressource."),
    403: ("Accès refusé", "Votre rôle ne vous permet pas d'accéder à cette page."),
    404: ("Page introuvable", "La page demandée n'existe pas."),
    405: ("Méthode non autorisée", "Cette page ne peut pas être appelée de cette façon."),
    413: ("Requête trop volumineuse", "Les données envoyées sont trop volumineuses."),
    500: ("Erreur interne", "Une erreur inattendue s'est produite. Veuillez réessayer plus tard."),
}
CSRF_MESSAGE = (
    "La vérification de sécurité du formulaire a échoué (formulaire expiré ou envoyé depuis "
    "un autre site). Rechargez la page et recommencez."
)


def _route_name(request: web.Request):
    return getattr(request.match_info.route, "name", None)


def _add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    # Every page and export holds data or a form token: never cached. The stylesheet may be.
    response.headers["Cache-Control"] = "no-cache" if _route_name(request) == "static" else "no-store"


@web.middleware
async def security_headers(request: web.Request, handler):
    try:
        response = await handler(request)
    except web.HTTPException as error:
        _add_security_headers(request, error)
        raise
    _add_security_headers(request, response)
    return response


def error_page(request: web.Request, status: int, message: str = "") -> web.Response:
    title, default = ERRORS.get(status, ERRORS[400])
    return render(request, "error.html", status=status, title=title, message=message or default)


@web.middleware
async def error_pages(request: web.Request, handler):
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        message = CSRF_MESSAGE if error.reason == "csrf" else ""
        response = error_page(request, error.status, message)
        if error.status == 405:
            response.headers["Allow"] = error.headers.get("Allow", "")
        return response
    except Exception:
        logger.exception("admin page failed: %s %s", request.method, request.path)
        return error_page(request, 500)


def _login_redirect(request: web.Request, expired: bool) -> web.HTTPSeeOther:
    target = request.app.router["login"].url_for()
    if expired:
        target = target.with_query({"motif": "expiree"})
    redirect = web.HTTPSeeOther(target)
    settings = context.admin(request)
    auth.clear_cookie(redirect, auth.SESSION_COOKIE, secure=settings.secure_cookies, path=context.mount_prefix(request))
    return redirect


@web.middleware
async def require_session(request: web.Request, handler):
    if request.match_info.http_exception is not None or _route_name(request) in PUBLIC_ROUTES:
        return await handler(request)
    settings = context.admin(request)
    token = auth.read_cookie(request, auth.SESSION_COOKIE, settings.secure_cookies)
    state, user = await _resolve(request, token)
    if user is None:
        if _route_name(request) in EXPORT_ROUTES:
            raise web.HTTPUnauthorized()
        raise _login_redirect(request, expired=state == sessions.EXPIRED)
    request[context.IDENTITY_KEY] = user
    return await handler(request)


async def _resolve(request: web.Request, token):
    settings = context.admin(request)
    return await asyncio.to_thread(sessions.resolve, settings.store, token, settings.clock())


@web.middleware
async def check_csrf(request: web.Request, handler):
    if request.method in SAFE_METHODS or request.match_info.http_exception is not None:
        return await handler(request)
    settings = context.admin(request)
    if not csrf.same_origin(request, settings.public_origin):
        raise web.HTTPForbidden(reason="csrf")
    given = (await request.post()).get(csrf.FIELD)
    if _route_name(request) == "login_submit":
        expected = auth.read_cookie(request, auth.LOGIN_CSRF_COOKIE, settings.secure_cookies)
    else:
        user = context.identity(request)
        expected = user.csrf_token if user else None
    if not isinstance(given, str) or not csrf.tokens_match(expected, given):
        raise web.HTTPForbidden(reason="csrf")
    return await handler(request)
