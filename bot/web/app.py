"""Vigie web application: the chat page (``/``), a health check and the
declarations API under ``/api``.

Run: ``python -m bot.web.app --host 127.0.0.1 --port 8080`` with ``DATABASE_URL``,
``VIGIE_API_TOKEN`` and ``VIGIE_CHAT_URL`` (the chat server, Rasa; empty when a
reverse proxy serves it on this origin) in the environment.
"""

import argparse
import os
import sys
from typing import List, Optional

from aiohttp import web

from actions.storage import DeclarationStore
from bot.web.api import create_api
from bot.web.chat_page import add_chat_page


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(store: DeclarationStore, api_token: str, chat_url: str = "") -> web.Application:
    app = web.Application()
    app.router.add_get("/healthz", healthz)
    add_chat_page(app, chat_url)
    app.add_subapp("/api", create_api(store, api_token))
    return app


def _parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.web.app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = _parse_args(argv)
    token = os.environ.get("VIGIE_API_TOKEN", "").strip()
    if not token:
        print("VIGIE_API_TOKEN est vide : refus de démarrer sans jeton d'API.", file=sys.stderr)
        return 2
    store = DeclarationStore()
    store.migrate()
    app = create_app(store, token, os.environ.get("VIGIE_CHAT_URL", "").strip())

    async def _dispose(_app: web.Application) -> None:
        store.dispose()

    app.on_cleanup.append(_dispose)
    web.run_app(app, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
