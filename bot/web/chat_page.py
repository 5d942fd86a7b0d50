"""The chat page (``/``) and its assets (``/static/``), with a strict
Content-Security-Policy: scripts and styles only from this server, and
connections only to this server and to the chat server (Rasa's socket.io
channel, ``VIGIE_CHAT_URL``; empty when a reverse proxy serves both on one
origin)."""

from pathlib import Path
from typing import Dict
from urllib.parse import urlsplit

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.settings import Settings

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
CHAT_URL_KEY = web.AppKey("chat_url", str)
RETENTION_KEY = web.AppKey("retention_days", int)
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


def security_headers(chat_url: str) -> Dict[str, str]:
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self'{chat_origins(chat_url)}; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
    }


async def chat_page(request: web.Request) -> web.Response:
    chat_url = request.app[CHAT_URL_KEY]
    html = _templates.get_template("chat.html").render(chat_url=chat_url, retention_days=request.app[RETENTION_KEY])
    return web.Response(text=html, content_type="text/html", charset="utf-8", headers=security_headers(chat_url))


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
    app[RETENTION_KEY] = Settings.from_env().retention_days
    app.middlewares.append(static_headers)
    app.router.add_get("/", chat_page)
    app.router.add_static("/static/", STATIC_DIR, show_index=False, follow_symlinks=False)
