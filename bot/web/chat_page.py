"""The chat page (``/``) and its assets (``/static/``), with a strict
Content-Security-Policy: scripts and styles only from this server, and
connections only to this server and to the chat server (Rasa's socket.io
channel, ``VIGIE_CHAT_URL``; empty when a reverse proxy serves both on one
origin).

``/embed`` is the same chat for the embeddable widget (``/static/embed.js``,
one ``<script>`` tag on an intranet page). Only the origins of
``VIGIE_ALLOWED_ORIGINS`` may frame it (``frame-ancestors``): anywhere else
the browser refuses to show it."""

from pathlib import Path
from typing import Dict, Iterable
from urllib.parse import urlsplit

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.settings import Settings
from bot.web.notices import add_notices, footer_links

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
CHAT_URL_KEY = web.AppKey("chat_url", str)
RETENTION_KEY = web.AppKey("retention_days", int)
FRAMERS_KEY = web.AppKey("framers", str)
NOT_FRAMED = "'none'"
_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


def chat_origins(chat_url: str) -> str:
    """The chat server's origins for ``connect-src``: http(s) for polling, ws(s) for websockets."""
    if not chat_url:
        return ""
    parts = urlsplit(chat_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"VIGIE_CHAT_URL : adresse http(s) attendue, pas « {chat_url} ».")
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    return f" {parts.scheme}://{parts.netloc} {socket_scheme}://{parts.netloc}"


def framers(origins: Iterable[str]) -> str:
    """``frame-ancestors`` sources: this server and the allowed origins, never a wildcard."""
    sources = ["'self'"]
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme in ("http", "https") and parts.netloc and "*" not in origin:
            sources.append(f"{parts.scheme}://{parts.netloc}")
    return " ".join(sources)


def security_headers(chat_url: str, frame_ancestors: str = NOT_FRAMED) -> Dict[str, str]:
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self'{chat_origins(chat_url)}; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {frame_ancestors}"
    )
    headers = {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    if frame_ancestors == NOT_FRAMED:
        headers["X-Frame-Options"] = "DENY"  # older browsers, which ignore frame-ancestors
    return headers


def _render(request: web.Request, embedded: bool) -> web.Response:
    chat_url = request.app[CHAT_URL_KEY]
    html = _templates.get_template("chat.html").render(
        chat_url=chat_url, retention_days=request.app[RETENTION_KEY], notices=footer_links(), embedded=embedded
    )
    headers = security_headers(chat_url, request.app[FRAMERS_KEY] if embedded else NOT_FRAMED)
    return web.Response(text=html, content_type="text/html", charset="utf-8", headers=headers)


async def chat_page(request: web.Request) -> web.Response:
    return _render(request, embedded=False)


async def embedded_chat_page(request: web.Request) -> web.Response:
    return _render(request, embedded=True)


@web.middleware
async def static_headers(request: web.Request, handler):
    response = await handler(request)
    if request.path.startswith("/static/"):
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-cache"
    return response


def add_chat_page(app: web.Application, chat_url: str) -> None:
    chat_origins(chat_url)  # refuse a malformed URL at start-up, not at the first visit
    app[CHAT_URL_KEY] = chat_url
    settings = Settings.from_env()
    app[RETENTION_KEY] = settings.retention_days
    app[FRAMERS_KEY] = framers(settings.allowed_origins)
    add_notices(app, settings)
    app.middlewares.append(static_headers)
    app.router.add_get("/", chat_page)
    app.router.add_get("/embed", embedded_chat_page)
    app.router.add_static("/static/", STATIC_DIR, show_index=False, follow_symlinks=False)
