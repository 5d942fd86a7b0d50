"""Vigie's socket.io channel for the chat widget, named ``vigie_web`` (stored
as channel ``web``), declared in credentials.yml::

    bot.channels.web.VigieWebInput:
      socketio_path: /socket.io

Differences from Rasa 3.6's ``SocketIOInput``, each a gap found there:

- the server issues the conversation id (random, bound to the socket at
  connect). The client never names a conversation: to get its conversation
  back after a reconnection it presents the token the server gave it, an
  HMAC-signed ``<id>.<expiry>.<signature>`` (secret ``VIGIE_WEB_SECRET``).
  Rasa's connector trusted a ``session_id`` sent by the client, so anyone
  knowing another user's id read their replies and wrote into their
  conversation;
- replies are delivered: the socket joins its conversation's room with an
  awaited ``enter_room`` (Rasa 3.6 forgot the ``await`` with
  ``session_persistence: true``, RasaHQ/rasa#13027, and nothing arrived);
- the ``Origin`` header must be in ``VIGIE_ALLOWED_ORIGINS`` (comma-separated,
  default ``http://127.0.0.1:8080,http://localhost:8080``), otherwise the
  connection is refused: another site cannot open a socket in a user's name;
- every event is checked against its schema; a bad one is answered with a
  ``vigie_error`` event (``status`` 400, 404 or 413, a French ``error``), never
  an exception in the server;
- the text goes through ``at_the_door``; a failure is answered (503-like
  ``vigie_error``) and logged without the text; a turn where Rasa says nothing
  is answered too; ``turn_end`` closes every turn (the widget's typing
  indicator waits for it).

Events. Client to server: ``session_request`` (``{}`` or ``{"new": true}`` for
a fresh conversation), ``user_uttered`` (``{"message": "..."}``). Server to
client: ``session_confirm`` (``{"token", "restored"}``), ``user_echo``
(``{"text"}``: the message as the conversation keeps it, patient identifiers
masked, to every socket of the conversation: the sender stores that copy, the
other tabs show it), ``bot_uttered`` (see ``VigieWebOutput``), ``turn_end``,
``vigie_error``.
"""

import logging
import re
import secrets
import sys
import time
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Text, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer
from socketio.exceptions import ConnectionRefusedError as Refused

from bot.channels.common import NO_REPLY, UNAVAILABLE, Turn, run_turn
from bot.channels.open_sockets import TOO_MANY, OpenSockets
from bot.channels.session_tokens import SessionTokens
from bot.channels.user_text import DoorText, UnusableText, at_the_door
from bot.core import references
from bot.rate_limits import RateLimiter, too_fast
from bot.settings import Settings

logger = logging.getLogger(__name__)

# Engine.IO refuses larger packets before decoding them (at_the_door caps the text at 4 000 characters).
MAX_PACKET_BYTES = 64 * 1024
SUMMARY_START = "Voici votre déclaration avant envoi"

BOT_EVENT, ERROR_EVENT, TURN_END, SESSION_CONFIRM = "bot_uttered", "vigie_error", "turn_end", "session_confirm"
USER_ECHO = "user_echo"
ERRORS = {
    "bad_event": (400, "Message invalide : un objet JSON est attendu."),
    "bad_message": (400, 'Message invalide : un objet {"message": "texte"} est attendu, sans autre champ.'),
    "bad_session_request": (400, 'Demande de session invalide : {} ou {"new": true} est attendu.'),
    "unknown_event": (404, "Événement inconnu : seuls « session_request » et « user_uttered » sont acceptés."),
    "no_session": (409, "Aucune conversation n'est associée à cette connexion : reconnectez-vous."),
    "unavailable": (503, UNAVAILABLE),
    "too_fast": (429, "Vous envoyez des messages trop vite : attendez quelques secondes."),  # with the wait
}
# A person types and clicks far slower than two messages a second; a flood is refused, never queued.
MESSAGES_PER_SECOND, MESSAGE_BURST = 2.0, 20
clock = time.monotonic  # the rate limit's clock (a test freezes it: no refill on a slow machine)


# --- settings and tokens -------------------------------------------------------


def allowed_origins(env: Optional[Mapping[str, str]] = None) -> List[str]:
    return list(Settings.from_env(env).allowed_origins)


def web_secret(env: Optional[Mapping[str, str]] = None) -> bytes:
    secret = Settings.from_env(env).web_secret
    if secret:
        return secret.encode()
    logger.warning(
        "VIGIE_WEB_SECRET est vide : secret aléatoire propre à ce processus ; "
        "une conversation du widget ne pourra pas être reprise après un redémarrage de Rasa."
    )
    return secrets.token_bytes(32)


def new_session_id() -> str:
    return secrets.token_hex(16)


# --- what the widget receives -------------------------------------------------


def text_blocks(text: str) -> List[Dict[str, Any]]:
    """The text cut into blocks: paragraphs (``text``) and lists (optional
    ``title`` and ``items``), so that the widget shows readable structure
    while rendering everything as plain text."""
    blocks: List[Dict[str, Any]] = []
    for chunk in re.split(r"\n{2,}", text.strip()):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        bullets = [i for i, line in enumerate(lines) if line.lstrip().startswith("- ")]
        if bullets and bullets == list(range(len(lines) - len(bullets), len(lines))) and len(lines) - len(bullets) <= 1:
            title = lines[0] if len(bullets) < len(lines) else None
            blocks.append({"title": title, "items": [lines[i].lstrip()[2:].strip() for i in bullets]})
        else:
            blocks.append({"text": "\n".join(lines)})
    return blocks


def bot_message(text: str, buttons: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    """``{"text", "blocks", "buttons", "kind"[, "reference"]}``; ``kind`` is
    ``summary`` (the declaration before sending), ``receipt`` (it carries the
    ``reference``) or ``message``."""
    text = text or ""
    message: Dict[str, Any] = {
        "text": text,
        "blocks": text_blocks(text),
        "buttons": [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in buttons or []
            if isinstance(b, dict) and b.get("payload")
        ],
        "kind": "message",
    }
    reference = references.IN_TEXT.search(text)
    if text.startswith(SUMMARY_START):
        message["kind"] = "summary"
    elif reference:
        message["kind"], message["reference"] = "receipt", reference.group()
    return message


class VigieWebOutput(OutputChannel):
    """Sends each bot message whole (Rasa's splits it at blank lines) to the
    conversation's room, and counts what it sent in this turn."""

    @classmethod
    def name(cls) -> Text:
        return "vigie_web"

    def __init__(self, sio: AsyncServer):
        self.sio = sio
        self.sent = 0

    async def _emit(self, recipient_id: Text, message: Dict[str, Any]) -> None:
        self.sent += 1
        await self.sio.emit(BOT_EVENT, message, room=recipient_id)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        buttons = message.get("buttons") or message.get("quick_replies") or []
        if message.get("text") or buttons:
            await self._emit(recipient_id, bot_message(message.get("text") or "", buttons))
        dropped = sorted(k for k in ("custom", "image", "attachment", "elements") if message.get(k))
        if dropped:
            logger.warning("vigie_web: parts not shown by the widget: %s", ", ".join(dropped))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._emit(recipient_id, bot_message(text))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._emit(recipient_id, bot_message(text, buttons))


# --- the channel ------------------------------------------------------------------


class PacketErrors:
    """Engine.IO's logger: a malformed packet (anyone can send one) was an ERROR with a full
    traceback each time; now one warning line with the error's type, the traceback at debug.
    Its info and debug lines carry packets, so what people typed: they are dropped."""

    def __init__(self) -> None:
        self.logger = logging.getLogger("engineio.packets")  # a library's words: bot.private_logs cuts them

    def exception(self, message: str, *args: Any, **kwargs: Any) -> None:
        said = message % args if args else message
        self.logger.warning("Engine.IO: %s (%s)", said, type(sys.exc_info()[1]).__name__)
        self.logger.debug("Engine.IO: %s", said, exc_info=True)

    def error(self, message: str, *args: Any, **kwargs: Any) -> None:
        self.logger.warning("Engine.IO: %s", message % args if args else message)

    warning = error

    def info(self, *args: Any, **kwargs: Any) -> None:
        pass

    debug = info


class VigieWebInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "vigie_web"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(socketio_path=credentials.get("socketio_path", "/socket.io"))

    def __init__(
        self,
        socketio_path: Text = "/socket.io",
        origins: Optional[List[str]] = None,
        secret: Optional[bytes] = None,
        sockets_per_address: Optional[int] = None,
    ):
        self.socketio_path = socketio_path
        self.origins = set(origins if origins is not None else allowed_origins())
        settings = Settings.from_env()
        limit = sockets_per_address if sockets_per_address is not None else settings.web_sockets_per_address
        self.open_sockets = OpenSockets(limit, settings.trusted_proxies)
        self.tokens = SessionTokens(secret if secret is not None else web_secret())
        self.sio: Optional[AsyncServer] = None
        self.limits = RateLimiter(MESSAGES_PER_SECOND, MESSAGE_BURST, clock=lambda: clock())

    def get_output_channel(self) -> Optional[OutputChannel]:
        return VigieWebOutput(self.sio) if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # CORS headers of the polling transport come from Rasa's --cors (bot.cli sets the web app's origin);
        # our own Origin check below decides who may connect.
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=[],
            max_http_buffer_size=MAX_PACKET_BYTES,
            logger=False,
            engineio_logger=PacketErrors(),
        )
        self.sio = sio
        webhook = SocketBlueprint(sio, self.socketio_path, "vigie_web_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def error(sid: str, code: str, event: str, room: Optional[str] = None, text: str = "") -> None:
            status, default = ERRORS[code]
            text = text or default
            await sio.emit(
                ERROR_EVENT, {"status": status, "code": code, "error": text, "event": event}, room=room or sid
            )

        async def bind(sid: str, session_id: str, restored: bool) -> None:
            previous = (await sio.get_session(sid)).get("session_id")
            if previous and previous != session_id:
                await sio.leave_room(sid, previous)
            await sio.save_session(sid, {"session_id": session_id, "restored": restored})
            await sio.enter_room(sid, session_id)

        @sio.on("connect")
        async def connect(sid: str, environ: Dict[str, Any], auth: Any = None) -> bool:
            origin = (environ.get("HTTP_ORIGIN") or "").rstrip("/")
            if origin not in self.origins:
                logger.info("vigie_web: connection refused, origin not allowed")
                raise Refused("Origine non autorisée.", {"status": 403, "code": "origin"})
            if not self.open_sockets.admit(sid, self.open_sockets.address(environ)):
                logger.warning("vigie_web: connection refused, too many sockets from one address")
                raise Refused(TOO_MANY, {"status": 429, "code": "too_many"})
            try:
                return await authenticate(sid, auth)
            except Refused:
                self.open_sockets.release(sid)
                raise

        @sio.on("disconnect")
        async def disconnect(sid: str, *args: Any) -> None:
            self.open_sockets.release(sid)

        async def authenticate(sid: str, auth: Any) -> bool:
            token = auth.get("token") if isinstance(auth, dict) else None
            if auth is not None and not isinstance(auth, dict):
                raise Refused(
                    'Authentification invalide : un objet {"token": "..."} est attendu.',
                    {"status": 400, "code": "bad_auth"},
                )
            if token is None:
                await bind(sid, new_session_id(), restored=False)
                return True
            session_id = self.tokens.verify(token)
            if session_id is None:
                logger.info("vigie_web: connection refused, invalid session token")
                raise Refused(
                    "Jeton de session invalide ou expiré : commencez une nouvelle conversation.",
                    {"status": 401, "code": "bad_token"},
                )
            await bind(sid, session_id, restored=True)
            return True

        @sio.on("session_request")
        async def session_request(sid: str, *args: Any) -> None:
            data = args[0] if len(args) == 1 else None
            if data is None and not args:
                data = {}
            if not isinstance(data, dict) or set(data) - {"new"} or not isinstance(data.get("new", False), bool):
                return await error(sid, "bad_session_request", "session_request")
            session = await sio.get_session(sid)
            if data.get("new") or not session.get("session_id"):
                await bind(sid, new_session_id(), restored=False)
                session = await sio.get_session(sid)
            await sio.emit(
                SESSION_CONFIRM,
                {"token": self.tokens.issue(session["session_id"]), "restored": bool(session.get("restored"))},
                room=sid,
            )

        @sio.on("user_uttered")
        async def user_uttered(sid: str, *args: Any) -> None:
            if len(args) != 1 or not isinstance(args[0], dict):
                return await error(sid, "bad_event", "user_uttered")
            data = args[0]
            if set(data) != {"message"}:
                return await error(sid, "bad_message", "user_uttered")
            session_id = (await sio.get_session(sid)).get("session_id")
            if not session_id:
                return await error(sid, "no_session", "user_uttered")
            wait = self.limits.wait(session_id)
            if wait:
                return await error(sid, "too_fast", "user_uttered", text=too_fast(wait))
            try:
                text = at_the_door(data["message"])
            except UnusableText as unusable:
                await sio.emit(BOT_EVENT, bot_message(str(unusable)), room=sid)
                await sio.emit(TURN_END, {}, room=sid)
                return
            await sio.emit(USER_ECHO, {"text": text.text}, room=session_id)
            await self.handle(sio, on_new_message, text, session_id, sid)

        @sio.on("*")
        async def unknown(event: Any, sid: str, *args: Any) -> None:
            await error(sid, "unknown_event", str(event)[:64])

        return webhook

    async def handle(
        self,
        sio: AsyncServer,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: DoorText,
        session_id: str,
        sid: str,
    ) -> None:
        output = VigieWebOutput(sio)
        message = UserMessage(text.text, output, session_id, input_channel=self.name())
        try:
            turn = await run_turn(on_new_message, message, lambda: output.sent, "vigie_web:", text.masked)
            if turn is Turn.FAILED:
                status, error = ERRORS["unavailable"]
                await sio.emit(
                    ERROR_EVENT,
                    {"status": status, "code": "unavailable", "error": error, "event": "user_uttered"},
                    room=session_id,
                )
            elif turn is Turn.SILENT:
                await sio.emit(BOT_EVENT, bot_message(NO_REPLY), room=session_id)
        finally:
            await sio.emit(TURN_END, {}, room=session_id)


def parse_token(token: str) -> Tuple[str, int]:
    """(conversation id, expiry) of a token, without checking it: for tests and tools."""
    session_id, expiry, _ = token.split(".")
    return session_id, int(expiry)
