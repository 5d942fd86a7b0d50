"""``python -m bot.rasa_server run ...``: ``rasa run`` with Vigie's fixes.

Same arguments as ``rasa``. Before handing over to Rasa's command line it
removes the agent's ``FailSafeTrackerStore`` wrapper (see ``bot.stores``):
a tracker store failure must fail the turn, not fall back to memory. It also
bounds a call to the action server at ``VIGIE_ACTION_TIMEOUT`` seconds (20;
Rasa waits 300), so that the Redis lock lifetime (``TICKET_LOCK_LIFETIME``,
60 s) covers the slowest turn and a stalled action server fails the turn
instead of holding the conversation for five minutes. The HTTP
API token comes from ``VIGIE_RASA_TOKEN`` rather than the command line, where
``ps`` would show it; ``run`` refuses to start with the API enabled and no token.
``/`` answers without naming Rasa's version, and ``/version`` wants the token:
both told any scanner which Rasa, and so which known bugs, it faced. The token
is accepted in ``Authorization: Bearer`` only, never as ``?token=`` (addresses
end up in access logs and proxies' logs). A long conversation opens a new
session that carries its state over (``bot.long_conversations``), so a turn's
cost does not grow with its length. jax, which TensorFlow imports for nothing
Vigie uses, is kept out of the process (``bot.without_jax``). Some of Rasa's
per-turn work is done for less CPU, with the same results (``bot.faster_turns``).
"""

import functools
import hmac
import inspect
import sys
from http import HTTPStatus
from typing import Mapping, Optional

from bot import without_jax  # noqa: F401  (before TensorFlow, which Rasa imports)

# isort: split
from rasa.core.agent import Agent
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.server import ErrorResponse
from sanic import response

from bot import faster_turns, long_conversations, private_logs
from bot.settings import Settings

TOKEN_NEEDED = "Jeton requis : en-tête « Authorization: Bearer <jeton> »."
NOT_IN_THE_ADDRESS = "Le jeton ne passe jamais dans l'adresse : utilisez l'en-tête « Authorization: Bearer <jeton> »."


def _tracker_store_without_fallback(store, domain) -> TrackerStore:
    if store is None:
        return InMemoryTrackerStore(domain)
    store.domain = domain
    return store


def _bearer(request) -> str:
    scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
    return given.strip() if scheme.lower() == "bearer" else ""


def _has_token(request, token: str) -> bool:
    return bool(token) and hmac.compare_digest(_bearer(request).encode(), token.encode())


def _requires_auth(app, token: Optional[str] = None):
    """Rasa's ``requires_auth``, with the token in ``Authorization: Bearer`` only: in the
    address (``?token=``) it ended up in access logs. Vigie does not use Rasa's JWT."""

    def decorator(handler):
        @functools.wraps(handler)
        async def decorated(request, *args, **kwargs):
            if token is None or _has_token(request, token):
                result = handler(request, *args, **kwargs)
                return await result if inspect.isawaitable(result) else result
            message = NOT_IN_THE_ADDRESS if "token" in request.args else TOKEN_NEEDED
            raise ErrorResponse(HTTPStatus.UNAUTHORIZED, "NotAuthenticated", message)

        return decorated

    return decorator


def _root_route(app) -> None:
    """Rasa's ``add_root_route``, without the version; ``/version`` behind the API token."""
    token = Settings.from_env().rasa_token

    @app.get("/")
    async def hello(request):
        return response.text("Vigie")

    @app.middleware("request")
    async def version_needs_the_token(request):
        if request.path == "/version" and not _has_token(request, token):
            return response.json({"error": TOKEN_NEEDED}, status=401)
        return None


def apply_fixes(env: Optional[Mapping[str, str]] = None) -> None:
    import rasa.core.actions.action as rasa_actions
    import rasa.server

    Agent._create_tracker_store = staticmethod(_tracker_store_without_fallback)
    rasa.server.add_root_route = _root_route
    rasa.server.requires_auth = _requires_auth
    faster_turns.install()
    settings = Settings.from_env(env)
    long_conversations.install(settings.session_events)
    timeout, lock_lifetime = settings.action_timeout, settings.lock_lifetime
    if timeout + 10 > lock_lifetime:
        raise SystemExit(
            f"TICKET_LOCK_LIFETIME ({lock_lifetime:g} s) doit dépasser VIGIE_ACTION_TIMEOUT "
            f"({timeout:g} s) d'au moins 10 s : sinon deux messages d'une conversation "
            "pourraient être traités en même temps."
        )
    rasa_actions.DEFAULT_REQUEST_TIMEOUT = timeout


def with_token(argv: list, env: Optional[Mapping[str, str]] = None) -> list:
    if len(argv) < 2 or argv[1] != "run" or any(a.startswith("--auth-token") for a in argv):
        return argv
    token = Settings.from_env(env).rasa_token
    if "--enable-api" in argv and not token:
        raise SystemExit("VIGIE_RASA_TOKEN est vide : l'API HTTP de Rasa ne s'ouvre pas sans jeton.")
    return argv + [f"--auth-token={token}"] if token else argv


def main() -> None:
    private_logs.install()
    apply_fixes()
    sys.argv = with_token(sys.argv)
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
