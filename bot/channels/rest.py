"""Vigie's REST channel, replacing Rasa's ``rest`` at the same address
(``/webhooks/rest/webhook``), declared in credentials.yml.

Differences from Rasa 3.6's ``RestInput``, each a gap found there: the body
must be a UTF-8 JSON object of bounded size (a JSON array gave a 500); a
``sender`` is required (without one everyone shared the conversation
"default"); the text goes through ``at_the_door`` (size cap, control
characters, slash commands, patient identifiers); the client cannot choose ``input_channel`` or
``metadata``; a failure answers 503 and the log never carries the text.

Whoever knows a sender can speak in its conversation, so the channel is for
tests and server-side integrations only: off (404) unless ``VIGIE_REST_TOKEN``
is set (``make run`` sets it in development, not in production), and then
only with ``Authorization: Bearer <VIGIE_REST_TOKEN>`` (401 otherwise). The
web page's users never have that token: their conversation id is accepted
only by the socket.io channel, with its signed token.
"""

import hmac
import json
import logging
import math
import re
import time
from typing import Any, Awaitable, Callable, Dict, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.common import NO_REPLY, UNAVAILABLE, Turn, run_turn
from bot.channels.user_text import DoorText, UnusableText, at_the_door
from bot.rate_limits import RateLimiter, too_fast
from bot.settings import Settings

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")
# Integrations answer as fast as they read; a flood is refused, never queued behind the lock.
MESSAGES_PER_SECOND, MESSAGE_BURST = 10.0, 50
clock = time.monotonic  # the rate limit's clock (a test freezes it: no refill on a slow machine)
OFF = "Le canal REST est désactivé sur ce serveur : utilisez la page de déclaration."
NO_TOKEN = "Jeton requis : en-tête « Authorization: Bearer » avec VIGIE_REST_TOKEN."


class BadRequest(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def parse_body(raw: bytes) -> Dict[str, Any]:
    """The request's JSON object, or ``BadRequest`` with a French message."""
    if len(raw) > MAX_BODY_BYTES:
        raise BadRequest(f"Requête trop volumineuse ({MAX_BODY_BYTES // 1024} Ko au maximum).", 413)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        raise BadRequest("Corps de requête invalide : un objet JSON en UTF-8 est attendu.") from None
    if not isinstance(body, dict):
        raise BadRequest("Corps de requête invalide : un objet JSON est attendu.")
    sender = body.get("sender")
    if not isinstance(sender, str) or not SENDER_PATTERN.fullmatch(sender):  # "moi\n" was another conversation
        raise BadRequest(
            "Champ « sender » requis : identifiant de conversation de 1 à 128 caractères "
            "(lettres, chiffres, . _ : @ -)."
        )
    if "message" not in body:
        raise BadRequest("Champ « message » requis.")
    return body


class VigieRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("vigie_rest_webhook", __name__)
        token = Settings.from_env().rest_token
        limits = RateLimiter(MESSAGES_PER_SECOND, MESSAGE_BURST, clock=lambda: clock())

        def refused(request: Request) -> "HTTPResponse | None":
            if not token:
                return response.json({"error": OFF}, status=404)
            given = request.headers.get("Authorization") or ""
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return response.json({"error": NO_TOKEN}, status=401)
            return None

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return refused(request) or response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            denied = refused(request)
            if denied:
                return denied
            try:
                body = parse_body(request.body or b"")
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            wait = limits.wait(body["sender"])
            if wait:
                return response.json(
                    {"error": too_fast(wait)}, status=429, headers={"Retry-After": str(math.ceil(wait))}
                )
            try:
                text = at_the_door(body["message"])
            except UnusableText as error:
                return response.json([{"recipient_id": body["sender"], "text": str(error)}])
            return await self.handle(on_new_message, text, body["sender"])

        return webhook

    async def handle(self, on_new_message, text: DoorText, sender: str) -> HTTPResponse:
        collector = CollectingOutputChannel()
        message = UserMessage(text.text, collector, sender, input_channel=self.name())
        turn = await run_turn(on_new_message, message, lambda: len(collector.messages), "REST", text.masked)
        if turn is Turn.FAILED:
            return response.json({"error": UNAVAILABLE}, status=503)
        if turn is Turn.SILENT:
            return response.json([{"recipient_id": sender, "text": NO_REPLY}])
        return response.json(collector.messages)
