"""A stand-in for the authority's intake endpoint (CERT Santé), for `make run`
and the tests. It deduplicates on ``Idempotency-Key`` as the real one must.

    python -m bot.fake_authority --host 127.0.0.1 --port 8090

The bearer token is checked only when one is configured (``create_app(token)``,
or ``VIGIE_AUTHORITY_TOKEN`` for the command line).

POST   /declarations        the intake; answers according to the current mode
PUT    /_control/mode       {"mode": ..., "count": n|null, "stall_seconds": s, "retry_after": s}
GET    /_control/received   {"deliveries": [...], "requests": n, "mode": ...}
DELETE /_control/received   forgets everything and goes back to ``accept``

A POST is checked in this order: token (401), ``Idempotency-Key`` (400), body
is a JSON object (400), ``reference`` is a string (422). Then the mode decides:

- ``accept``: stored, 201 ``{"receipt": "CERT-<n>", "reference": ...}``. The
  same key again is not stored twice: it gets the first receipt back with 200,
  and the delivery's ``times_received`` goes up.
- ``reject``: 422 (permanent refusal). ``error500``: 500. ``throttle``: 429
  with ``Retry-After``. ``stall``: no answer for ``stall_seconds``. None of
  these stores anything.
- ``accept_then_timeout``: stored as ``accept`` would, then no answer for
  ``stall_seconds``; a retry with the same key gets the first receipt.

With ``count``, the mode applies to that many requests, then ``accept``
returns. Stalled requests are released when the server shuts down. Logs show
method, path, status and idempotency key, never the body (personal data).
"""

import argparse
import asyncio
import hmac
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Optional, Tuple, Union

from aiohttp import web

from bot.settings import Settings

logger = logging.getLogger("vigie.fake_authority")

MODES = ("accept", "reject", "error500", "throttle", "stall", "accept_then_timeout")
DEFAULT_STALL_SECONDS = 3600.0
DEFAULT_RETRY_AFTER = 1.0


@dataclass
class State:
    token: Optional[str] = None
    mode: str = "accept"
    count: Optional[int] = None
    stall_seconds: float = DEFAULT_STALL_SECONDS
    retry_after: float = DEFAULT_RETRY_AFTER
    requests: int = 0
    deliveries: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    closing: asyncio.Event = field(default_factory=asyncio.Event)

    def reset(self) -> None:
        self.mode, self.count, self.requests = "accept", None, 0
        self.stall_seconds, self.retry_after = DEFAULT_STALL_SECONDS, DEFAULT_RETRY_AFTER
        self.deliveries.clear()

    def next_mode(self) -> str:
        """The mode for this request; uses up one of ``count``."""
        mode = self.mode
        if self.count is not None:
            self.count -= 1
            if self.count <= 0:
                self.mode, self.count = "accept", None
        return mode

    def store(self, key: str, body: Dict[str, Any]) -> Tuple[Dict[str, Any], bool]:
        """(delivery, first time) — a known key is counted, not stored again."""
        if key in self.deliveries:
            self.deliveries[key]["times_received"] += 1
            return self.deliveries[key], False
        self.deliveries[key] = {
            "idempotency_key": key,
            "reference": body["reference"],
            "kind": body.get("kind"),
            "received_at": datetime.now(timezone.utc).isoformat(),
            "times_received": 1,
            "receipt": f"CERT-{len(self.deliveries) + 1}",
            "body": body,
        }
        return self.deliveries[key], True

    async def stall(self) -> None:
        """Waits ``stall_seconds``, or less if the server shuts down (cancellable)."""
        try:
            await asyncio.wait_for(self.closing.wait(), timeout=self.stall_seconds)
        except asyncio.TimeoutError:
            pass


STATE_KEY = web.AppKey("state", State)

Read = Union[web.Response, Tuple[str, Dict[str, Any]]]


def error(message: str, status: int, **kwargs: Any) -> web.Response:
    return web.json_response({"error": message}, status=status, **kwargs)


def _authorized(request: web.Request, token: Optional[str]) -> bool:
    if not token:
        return True
    sent = request.headers.get("Authorization", "")
    return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


async def _json_object(request: web.Request) -> Optional[Dict[str, Any]]:
    try:
        body = await request.json()
    except ValueError:  # also UnicodeDecodeError
        return None
    return body if isinstance(body, dict) else None


async def _read_delivery(request: web.Request, state: State) -> Read:
    """(key, body), or the error response."""
    if not _authorized(request, state.token):
        return error("Jeton d'authentification absent ou invalide.", 401)
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return error("L'en-tête Idempotency-Key est obligatoire.", 400)
    body = await _json_object(request)
    if body is None:
        return error("Corps invalide : un objet JSON est attendu.", 400)
    if not isinstance(body.get("reference"), str):
        return error("Le champ « reference » (texte) est obligatoire.", 422)
    return key, body


def _refusal(mode: str, state: State) -> Optional[web.Response]:
    if mode == "reject":
        return error("Déclaration refusée par l'autorité.", 422)
    if mode == "error500":
        return error("Erreur interne du service de l'autorité.", 500)
    if mode == "throttle":
        return error("Trop de requêtes, réessayez plus tard.", 429, headers={"Retry-After": f"{state.retry_after:g}"})
    return None


async def intake(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    state.requests += 1
    read = await _read_delivery(request, state)
    if isinstance(read, web.Response):
        return read
    key, body = read
    mode = state.next_mode()
    refusal = _refusal(mode, state)
    if refusal is not None:
        return refusal
    if mode == "stall":
        await state.stall()
        return error("L'autorité n'a pas répondu à temps.", 504)
    delivery, first_time = state.store(key, body)
    if mode == "accept_then_timeout":
        await state.stall()
    return web.json_response(
        {"receipt": delivery["receipt"], "reference": delivery["reference"]}, status=201 if first_time else 200
    )


def _seconds(wanted: Dict[str, Any], name: str, current: float) -> float:
    value = wanted.get(name, current)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
        raise ValueError(name)
    return float(value)


def _count(wanted: Dict[str, Any]) -> Optional[int]:
    count = wanted.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise ValueError("count")
    return count


async def set_mode(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    wanted = await _json_object(request)
    try:
        if wanted is None or wanted.get("mode") not in MODES:
            raise ValueError("mode")
        count = _count(wanted)
        stall_seconds = _seconds(wanted, "stall_seconds", state.stall_seconds)
        retry_after = _seconds(wanted, "retry_after", state.retry_after)
    except ValueError:
        return error(
            f"Réglage invalide : mode parmi {', '.join(MODES)} ; count entier positif ou null ; "
            "stall_seconds et retry_after en secondes positives.",
            400,
        )
    state.mode, state.count = wanted["mode"], count
    state.stall_seconds, state.retry_after = stall_seconds, retry_after
    return web.json_response(
        {"mode": state.mode, "count": state.count, "stall_seconds": stall_seconds, "retry_after": retry_after}
    )


async def received(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    return web.json_response(
        {"deliveries": list(state.deliveries.values()), "requests": state.requests, "mode": state.mode}
    )


async def reset(request: web.Request) -> web.Response:
    request.app[STATE_KEY].reset()
    return web.json_response({"reset": True})


@web.middleware
async def log_requests(request: web.Request, handler) -> web.StreamResponse:
    """One line per request: method, path, status, key. Never the body."""
    status: Any = "-"
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        logger.info(
            "%s %s -> %s key=%.100s", request.method, request.path, status, request.headers.get("Idempotency-Key", "-")
        )


async def _release_stalled(app: web.Application) -> None:
    app[STATE_KEY].closing.set()


def create_app(token: Optional[str] = None) -> web.Application:
    # A forwarded file is up to 10 MB, a third more in base64.
    app = web.Application(middlewares=[log_requests], client_max_size=16 * 1024 * 1024)
    app[STATE_KEY] = State(token=token or None)
    app.on_shutdown.append(_release_stalled)
    app.router.add_post("/declarations", intake)
    app.router.add_put("/_control/mode", set_mode)
    app.router.add_get("/_control/received", received)
    app.router.add_delete("/_control/received", reset)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.fake_authority")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # handler_cancellation: a stalled request ends when its client gives up;
    # access_log=None: our middleware logs instead.
    web.run_app(
        create_app(Settings.from_env().authority_token or None),
        host=args.host,
        port=args.port,
        shutdown_timeout=1,
        handler_cancellation=True,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
