"""Vigie's action server: rasa-sdk's app, closed to anyone but our Rasa.

Differences from `python -m rasa_sdk`: a shared bearer token is required
(sent by Rasa through endpoints.yml), compressed bodies are refused (a small
deflate body can inflate to hundreds of MB), bodies are capped, errors are
answered without echoing the conversation, and it listens on loopback.
"""

import argparse
import gc
import hmac
import logging
import traceback

from rasa_sdk.endpoint import create_app
from sanic import response
from sanic.exceptions import SanicException

from bot import private_logs
from bot.settings import Settings

logger = logging.getLogger("vigie.actions")
MAX_BODY_BYTES = 2 * 1024 * 1024


def build_app(token: str):
    app = create_app("actions", cors_origins=None)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    expected = f"Bearer {token}"

    @app.middleware("request")
    async def authenticate(request):
        if request.path == "/health":
            return None
        if not hmac.compare_digest(request.headers.get("Authorization", ""), expected):
            return response.json({"error": "unauthorized"}, status=401)
        if request.headers.get("Content-Encoding"):
            return response.json({"error": "compressed bodies are not accepted"}, status=415)
        return None

    @app.exception(Exception)
    async def generic_error(request, exception):
        status = getattr(exception, "status_code", 500)
        if isinstance(exception, SanicException) and 400 <= status < 500:  # 413: an oversized body, not a crash
            return response.json({"error": type(exception).__name__}, status=status)
        # Where, not what: exception messages may quote what the user typed.
        frame = traceback.extract_tb(exception.__traceback__)[-1:] or [None]
        where = f"{frame[0].filename}:{frame[0].lineno}" if frame[0] else "?"
        logger.error("action failed: %s at %s", type(exception).__name__, where)
        return response.json({"error": "internal error"}, status=500)

    @app.listener("before_server_start")
    async def warm_up(app_, loop):
        from actions import structure
        from bot.core.language import french_nlp

        french_nlp()  # load spaCy now rather than during someone's first message
        structure.warm_up()  # and the register's places and words (about three seconds)
        # Full collections walked all of that, 65 to 90 ms each under the 50-user load,
        # holding every action call meanwhile: set it apart from them (2 to 8 ms in Rasa).
        gc.collect()
        gc.freeze()

    return app


def main() -> None:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description="Vigie action server")
    parser.add_argument("--host", default=settings.action_host)
    parser.add_argument("--port", type=int, default=settings.action_port)
    args = parser.parse_args()
    token = settings.action_token
    if not token:
        raise SystemExit("VIGIE_ACTION_TOKEN must be set: Rasa authenticates to the action server with it.")
    private_logs.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    build_app(token).run(host=args.host, port=args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
