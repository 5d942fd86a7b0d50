"""Vigie web application: the chat page (``/``), a health check, the
declarations API under ``/api`` and the admin pages (with the observatory)
under ``/admin``.

Run: ``python -m bot.web.app --host 127.0.0.1 --port 8080`` with, in the
environment, ``DATABASE_URL``, ``VIGIE_API_TOKEN``, ``VIGIE_CHAT_URL`` (the chat
server, Rasa; empty when a reverse proxy serves it on this origin),
``VIGIE_PUBLIC_ORIGIN`` (the address users see: https, except on loopback),
``VIGIE_DEMO_DATABASE_URL`` (synthetic declarations for the observatory),
``VIGIE_RECEIPT_SECRET`` (checks the receipt links ``/recu/...`` given in the chat),
``VIGIE_WEB_SECRET`` (checks the conversation token of a file added, ``/pieces-jointes``)
and ``VIGIE_ATTACHMENTS_DIR`` (where the files are kept).
"""

import argparse
import ipaddress
import sys
from typing import List, Optional, Tuple
from urllib.parse import urlsplit

from aiohttp import web

from bot import private_logs
from bot.admin import create_admin_app
from bot.core.storage import DeclarationStore
from bot.receipts.links import secret_from_env
from bot.settings import Network, Settings
from bot.web.api import create_api
from bot.web.attachments import add_attachment_route
from bot.web.chat_page import add_chat_page
from bot.web.receipt_page import add_receipt_pages


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(
    store: DeclarationStore,
    api_token: str,
    chat_url: str = "",
    public_origin: Optional[str] = None,
    demo_store: Optional[DeclarationStore] = None,
    receipt_secret: Optional[bytes] = None,
    trusted_proxies: Tuple[Network, ...] = (),
    web_secret: str = "",
) -> web.Application:
    """``public_origin`` in https: the admin cookies are ``Secure`` and forms are
    checked against it; None or http (loopback only): neither. ``receipt_secret``
    (VIGIE_RECEIPT_SECRET) checks the receipt links; None: every link is refused."""
    https = bool(public_origin) and public_origin.startswith("https://")
    app = web.Application()
    app.on_response_prepare.append(_no_version)
    app.router.add_get("/healthz", healthz)
    add_chat_page(app, chat_url)
    add_receipt_pages(app, store, receipt_secret)
    add_attachment_route(app, store.attachments(), web_secret)
    app.add_subapp("/api", create_api(store, api_token, trusted_proxies))
    app.add_subapp(
        "/admin",
        create_admin_app(
            store,
            secure_cookies=https,
            public_origin=public_origin if https else None,
            demo_store=demo_store,
            trusted_proxies=trusted_proxies,
        ),
    )
    return app


async def _no_version(request: web.Request, response: web.StreamResponse) -> None:
    """aiohttp would name itself and its version in ``Server``: a gift to whoever scans."""
    response.headers["Server"] = "Vigie"


def check_public_origin(origin: str) -> str:
    """https, or http on a loopback address (development): admin cookies never cross a network in clear."""
    parts = urlsplit(origin)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return origin.rstrip("/")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme == "http" and loopback:
        return origin.rstrip("/")
    raise ValueError(f"VIGIE_PUBLIC_ORIGIN : https://… attendu (http seulement sur 127.0.0.1), pas « {origin} ».")


def _parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.web.app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    private_logs.install()
    args = _parse_args(argv)
    settings = Settings.from_env()
    token = settings.api_token
    if not token:
        print("VIGIE_API_TOKEN est vide : refus de démarrer sans jeton d'API.", file=sys.stderr)
        return 2
    try:
        origin = check_public_origin(settings.public_origin or f"http://{args.host}:{args.port}")
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    stores = [DeclarationStore(), DeclarationStore(synthetic=True)]
    for store in stores:
        store.migrate()
    app = create_app(
        stores[0],
        token,
        settings.chat_url,
        origin,
        stores[1],
        secret_from_env(),
        settings.trusted_proxies,
        settings.web_secret,
    )

    async def _dispose(_app: web.Application) -> None:
        for store in stores:
            store.dispose()

    app.on_cleanup.append(_dispose)
    web.run_app(app, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
