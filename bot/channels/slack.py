"""Vigie's Slack channel (``slack``, ``/webhooks/slack/webhook``).

Registered in credentials.yml as ``bot.channels.slack.VigieSlackInput:`` and
configured only from the environment (``VIGIE_SLACK_TOKEN``,
``VIGIE_SLACK_SIGNING_SECRET``, optional ``VIGIE_SLACK_API_URL``); when it is
not configured the webhook answers 503 and Rasa still starts. Both Slack
settings "Event Subscriptions" and "Interactivity" point to the same URL.

What it adds to Rasa 3.6's ``SlackInput`` (whose signature and 5-minute
timestamp check it keeps):

* every request is checked (signature, then size, then structure) before
  anything is done; a malformed body is a 4xx, never a 500;
* each event (``event_id``) and each interaction (``trigger_id``, else the
  action's ``action_ts``) is handled once: its key is inserted in the
  ``slack_events`` table of ``DATABASE_URL`` (unique), so a Slack retry
  (``X-Slack-Retry-Num``), a replayed request or a restart does not process it
  again. Rows older than 24 h are purged (a request older than 5 minutes is
  refused anyway);
* only direct messages are conversations (a mention in a channel gets a hint
  to write in private: declarations are confidential); the Rasa sender is
  ``slack|<team id>|<user id>``, a form no REST or Teams sender can take;
* every text goes through ``at_the_door``; Slack's markup (links, mentions,
  ``&amp;``...) is undone first;
* replies through ``chat.postMessage`` with aiohttp: text escaped (``&``,
  ``<``, ``>``), broadcasts (``<!channel>``, ``@here``...) removed, no link
  unfurling; buttons as Block Kit ``button`` elements whose ``value`` is the
  payload; a message with ``custom: {"vigie_input": "datetime"}`` gets a
  ``datepicker``, a ``timepicker`` and a "Valider" button, whose click comes
  back as the text ``le YYYY-MM-DD à HH:MM``. Other custom payloads are not
  forwarded (Rasa's would let them choose the Slack channel).

Logs never carry message text, tokens or secrets.
"""

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Set, Text, Tuple
from urllib.parse import parse_qs

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.channels.common import NO_REPLY, UNAVAILABLE, Turn, outgoing_session, proxy_for, run_turn, usable_url
from bot.channels.user_text import UnusableText, at_the_door
from bot.core.models import SlackEvent
from bot.core.paris_time import utc_now
from bot.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
MAX_BODY_BYTES = 64 * 1024
EVENT_RETENTION = timedelta(hours=24)
PURGE_INTERVAL_SECONDS = 3600
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=10)
MAX_SECTION_CHARS = 3000  # Block Kit section text
MAX_BUTTON_LABEL_CHARS = 75  # Block Kit button text
MAX_BUTTON_VALUE_CHARS = 2000  # Block Kit button value
MAX_ACTIONS_PER_BLOCK = 25

BUTTON_ACTION_PREFIX = "vigie_button_"
DATE_ACTION = "vigie_date"
TIME_ACTION = "vigie_time"
DATETIME_SUBMIT_ACTION = "vigie_datetime_submit"
DATETIME_INPUT = "datetime"

_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_TIMESTAMP = re.compile(r"^\d{1,12}(\.\d{1,9})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

NOT_CONFIGURED = (
    "Le canal Slack de Vigie n'est pas configuré sur ce serveur (VIGIE_SLACK_TOKEN, VIGIE_SLACK_SIGNING_SECRET)."
)
UNSIGNED = "Requête refusée : signature Slack absente, invalide ou trop ancienne (5 minutes au maximum)."
MALFORMED = "Requête Slack invalide : {}."
TOO_LARGE = f"Requête trop volumineuse ({MAX_BODY_BYTES // 1024} Ko au maximum)."
STORE_UNAVAILABLE = "Vigie ne peut pas enregistrer cet évènement pour le moment : réessayez plus tard."
DIRECT_MESSAGE_ONLY = (
    "Pour déclarer un incident ou poser une question, écrivez-moi en message direct : "
    "les déclarations sont confidentielles."
)
DATETIME_PROMPT = "Choisissez la date et l'heure, puis « Valider » (ou écrivez-les)."
DATETIME_INCOMPLETE = (
    "Choisissez une date et une heure avant de cliquer sur « Valider », "
    "ou écrivez-les (par exemple « hier vers 14 h »)."
)


class Refused(Exception):
    """Answered with ``status`` and a French ``message``; ``reason`` goes to the log."""

    def __init__(self, status: int, message: str, reason: str = ""):
        super().__init__(reason or message)
        self.status = status
        self.message = message
        self.reason = reason or message


def _malformed(what: str) -> Refused:
    return Refused(400, MALFORMED.format(what), f"malformed: {what}")


# --- Settings -------------------------------------------------------------------


@dataclass(frozen=True)
class SlackSettings:
    token: str
    signing_secret: str
    api_url: str = DEFAULT_API_URL

    def __repr__(self) -> str:  # never print the secrets
        return f"SlackSettings(api_url={self.api_url!r})"


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> Tuple[Optional[SlackSettings], List[str]]:
    """The settings, or ``None`` and what is missing or wrong."""
    settings = Settings.from_env(environ)
    token, secret = settings.slack_token, settings.slack_signing_secret
    api_url = settings.slack_api_url or DEFAULT_API_URL
    problems = [
        name for name, value in (("VIGIE_SLACK_TOKEN", token), ("VIGIE_SLACK_SIGNING_SECRET", secret)) if not value
    ]
    if not usable_url(api_url):
        problems.append("VIGIE_SLACK_API_URL (https attendu)")
    if problems:
        return None, problems
    return SlackSettings(token=token, signing_secret=secret, api_url=api_url.rstrip("/") + "/"), []


# --- Deduplication table --------------------------------------------------------


class SlackEventLog:
    """``slack_events`` in the declarations database (``DATABASE_URL``); the
    engine is built on first use, so Rasa starts even if the database is down."""

    def __init__(self, url: Optional[str] = None, clock: Callable[[], float] = time.monotonic):
        self._url = url
        self._engine: Optional[Engine] = None
        self._clock = clock
        self._last_purge: Optional[float] = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from bot.core import storage

            self._engine = storage.build_engine(storage._normalise_url(self._url or storage.default_url()))
        return self._engine

    def first_time(self, event_id: str) -> bool:
        """Record ``event_id``: True the first time, False if already recorded.
        The unique constraint decides, also between replicas."""
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(SlackEvent.__table__).values(event_id=event_id, received_at=utc_now()))
        except IntegrityError:
            return False
        self._purge_now_and_then()
        return True

    def purge(self, older_than: timedelta = EVENT_RETENTION) -> int:
        table = SlackEvent.__table__
        with self.engine.begin() as connection:
            result = connection.execute(delete(table).where(table.c.received_at < utc_now() - older_than))
        return result.rowcount or 0

    def _purge_now_and_then(self) -> None:
        now = self._clock()
        if self._last_purge is not None and now - self._last_purge < PURGE_INTERVAL_SECONDS:
            return
        self._last_purge = now
        try:
            self.purge()
        except Exception as error:  # noqa: BLE001 - purging is housekeeping, never a failure
            logger.warning("slack_events purge failed: %s", type(error).__name__)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


# --- Text going out -------------------------------------------------------------

_SPECIAL_MENTION = re.compile(r"<!(?:channel|here|everyone|group|subteam\^[^>]*)(?:\|[^>]*)?>", re.IGNORECASE)
# Not inside an address like "rssi@here.fr": only an "@" that starts a word.
_AT_BROADCAST = re.compile(r"(?<![\w.+-])[@＠]+(channel|here|everyone|group)\b", re.IGNORECASE)


def slack_text(text: object) -> str:
    """Text safe for Slack: broadcasts removed, then ``&``, ``<``, ``>`` escaped."""
    text = "" if text is None else str(text)
    previous = None
    while previous != text:  # "<<!here>!here>" must not leave a "<!here>" behind
        previous = text
        text = _SPECIAL_MENTION.sub("", text)
        text = _AT_BROADCAST.sub(r"\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _chunks(text: str, size: int) -> List[str]:
    """``text`` cut at line ends (or anywhere) into pieces of at most ``size``."""
    pieces = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > 0 else size
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    pieces.append(text)
    return [piece for piece in pieces if piece.strip()] or [" "]


def _sections(text: str) -> List[Dict[str, Any]]:
    # Escape first, then cut: a cut never splits an entity like "&amp;" unless at its very end.
    escaped = slack_text(text)
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece, "verbatim": True}}
        for piece in _chunks(escaped, MAX_SECTION_CHARS)
    ]


def _button_label(title: object) -> str:
    label = slack_text(title).strip() or "?"
    return label if len(label) <= MAX_BUTTON_LABEL_CHARS else label[: MAX_BUTTON_LABEL_CHARS - 1] + "…"


def button_blocks(buttons: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    elements = []
    for button in buttons or []:
        payload = button.get("payload") if isinstance(button, dict) else None
        if not isinstance(payload, str) or not payload or len(payload) > MAX_BUTTON_VALUE_CHARS:
            continue
        elements.append(
            {
                "type": "button",
                "action_id": f"{BUTTON_ACTION_PREFIX}{len(elements)}",
                "text": {"type": "plain_text", "text": _button_label(button.get("title")), "emoji": True},
                "value": payload,
            }
        )
    return [
        {"type": "actions", "elements": elements[start : start + MAX_ACTIONS_PER_BLOCK]}
        for start in range(0, len(elements), MAX_ACTIONS_PER_BLOCK)
    ]


def datetime_block() -> Dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "vigie_datetime",
        "elements": [
            {"type": "datepicker", "action_id": DATE_ACTION, "placeholder": {"type": "plain_text", "text": "Date"}},
            {"type": "timepicker", "action_id": TIME_ACTION, "placeholder": {"type": "plain_text", "text": "Heure"}},
            {
                "type": "button",
                "action_id": DATETIME_SUBMIT_ACTION,
                "style": "primary",
                "text": {"type": "plain_text", "text": "Valider"},
                "value": DATETIME_INPUT,
            },
        ],
    }


def wants_datetime(custom: object) -> bool:
    return isinstance(custom, dict) and custom.get("vigie_input") == DATETIME_INPUT


class VigieSlackBot(OutputChannel):
    """Replies in one Slack conversation through ``chat.postMessage`` (aiohttp)."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def __init__(
        self,
        settings: SlackSettings,
        channel_id: str,
        session: Callable[[], Awaitable[aiohttp.ClientSession]],
        thread_ts: Optional[str] = None,
    ):
        self.settings = settings
        self.channel_id = channel_id
        self.thread_ts = thread_ts
        self._session = session
        self.sent = 0

    async def _post(self, text: str, blocks: Optional[List[Dict[str, Any]]] = None) -> None:
        """Best effort: a failure is logged (status or Slack error code), never raised into Rasa."""
        self.sent += 1
        message: Dict[str, Any] = {
            "channel": self.channel_id,
            "text": slack_text(text)[: MAX_SECTION_CHARS * 10],
            "unfurl_links": False,
            "unfurl_media": False,
            "link_names": False,
            "parse": "none",
        }
        if blocks:
            message["blocks"] = blocks
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        for attempt in (1, 2):
            try:
                session = await self._session()
                url = self.settings.api_url + "chat.postMessage"
                async with session.post(
                    url,
                    proxy=proxy_for(url),
                    json=message,
                    timeout=HTTP_TIMEOUT,
                    allow_redirects=False,
                    headers={"Authorization": f"Bearer {self.settings.token}"},
                ) as resp:
                    if resp.status == 429 and attempt == 1:
                        retry_after = resp.headers.get("Retry-After", "1")
                        await asyncio.sleep(min(int(retry_after) if retry_after.isdigit() else 1, 5))
                        continue
                    if resp.status >= 300:
                        logger.error("Slack reply refused: HTTP %s", resp.status)
                        return
                    answer = await resp.json(content_type=None)
                    if not isinstance(answer, dict) or not answer.get("ok"):
                        error = answer.get("error") if isinstance(answer, dict) else None
                        logger.error("Slack reply refused: %s", str(error)[:64])
                    return
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                logger.error("Slack reply not sent: %s", type(error).__name__)
                return

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        message = dict(message)
        if wants_datetime(message.get("custom")):
            message.pop("custom")
            text = message.pop("text", None) or DATETIME_PROMPT
            buttons = message.pop("buttons", None) or []
            await self._post(text, _sections(text) + [datetime_block()] + button_blocks(buttons))
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._post(text)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._post(text, _sections(text) + button_blocks(buttons))

    async def send_quick_replies(
        self, recipient_id: Text, text: Text, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._post(f"Image : {image}")

    async def send_attachment(self, recipient_id: Text, attachment: Any, **kwargs: Any) -> None:
        await self._post(f"Pièce jointe : {attachment}")

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        logger.warning("custom JSON message not sent to Slack")


# --- Requests coming in ---------------------------------------------------------

_LINK = re.compile(r"<((?:https?://|mailto:|tel:)[^<>|]*)(?:\|([^<>]*))?>")
_USER_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|([^<>]*))?>")
_CHANNEL_MENTION = re.compile(r"<#([A-Z0-9]+)(?:\|([^<>]*))?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^<>|]*)?(?:\|([^<>]*))?>")


def _link(match: re.Match) -> str:
    if match[2]:
        return match[2]
    target = match[1]
    return target.split(":", 1)[1] if target.startswith(("mailto:", "tel:")) else target


def plain_user_text(text: str, bot_user_ids: Set[str]) -> str:
    """A Slack message's text as the user typed it (mentions of the bot removed)."""
    text = _USER_MENTION.sub(lambda m: "" if m[1] in bot_user_ids else "@" + (m[2] or m[1]), text)
    text = _CHANNEL_MENTION.sub(lambda m: "#" + (m[2] or m[1]), text)
    text = _SPECIAL.sub(lambda m: "@" + (m[2] or m[1]).lstrip("@"), text)
    text = _LINK.sub(_link, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass(frozen=True)
class Incoming:
    """What one valid request asks: ``text`` for Rasa (or ``reply`` for the user
    only) from ``user`` in ``channel``; ``key`` is its deduplication key."""

    key: Optional[str] = None
    team: str = ""
    user: str = ""
    channel: str = ""
    text: Optional[str] = None
    reply: Optional[str] = None
    challenge: Optional[str] = None

    @property
    def sender_id(self) -> str:
        """``slack|<team>|<user>``: two "|", which no REST sender (none) nor
        Teams sender (exactly one) can contain."""
        return f"slack|{self.team}|{self.user}"


def _string(container: Dict[str, Any], field: str, what: str, pattern: re.Pattern = _ID) -> str:
    value = container.get(field)
    if not isinstance(value, str) or not pattern.match(value):
        raise _malformed(what)
    return value


def _object(container: Dict[str, Any], field: str, what: str) -> Dict[str, Any]:
    value = container.get(field)
    if not isinstance(value, dict):
        raise _malformed(what)
    return value


def _bot_user_ids(body: Dict[str, Any]) -> Set[str]:
    ids = set()
    for authorization in body.get("authorizations") or []:
        if (
            isinstance(authorization, dict)
            and authorization.get("is_bot")
            and isinstance(authorization.get("user_id"), str)
        ):
            ids.add(authorization["user_id"])
    return ids


def parse_event(body: object) -> Incoming:
    """An Events API body (JSON)."""
    if not isinstance(body, dict):
        raise _malformed("objet JSON attendu")
    kind = body.get("type")
    if kind == "url_verification":
        challenge = body.get("challenge")
        if not isinstance(challenge, str) or not challenge or len(challenge) > 512:
            raise _malformed("« challenge » absent")
        return Incoming(challenge=challenge)
    if kind != "event_callback":
        raise _malformed("type d'évènement inconnu")
    event_id = _string(body, "event_id", "« event_id » absent")
    event = _object(body, "event", "« event » absent")
    event_type = event.get("type")
    if not isinstance(event_type, str):
        raise _malformed("type d'évènement absent")
    team = _string(body, "team_id", "« team_id » absent")
    if event_type not in ("message", "app_mention"):
        return Incoming()  # an event we did not ask for: acknowledged, ignored
    if event.get("subtype") is not None or event.get("bot_id") is not None:
        return Incoming()  # edits, deletions, joins, bots (including Vigie itself)
    user = _string(event, "user", "« event.user » absent")
    channel = _string(event, "channel", "« event.channel » absent")
    text = event.get("text")
    if not isinstance(text, str):
        raise _malformed("« event.text » doit être du texte")
    if event_type == "app_mention":
        return Incoming(key=f"event:{event_id}", team=team, user=user, channel=channel, reply=DIRECT_MESSAGE_ONLY)
    if event.get("channel_type") != "im":
        return Incoming()  # a channel message without mention: not for Vigie
    return Incoming(
        key=f"event:{event_id}", team=team, user=user, channel=channel, text=plain_user_text(text, _bot_user_ids(body))
    )


def _picked_datetime(state: object) -> Optional[str]:
    """``le YYYY-MM-DD à HH:MM`` from the pickers' state, or None."""
    picked: Dict[str, str] = {}
    values = state.get("values") if isinstance(state, dict) else None
    for block in (values or {}).values() if isinstance(values, dict) else ():
        for action_id, element in block.items() if isinstance(block, dict) else ():
            if not isinstance(element, dict):
                continue
            if action_id == DATE_ACTION and isinstance(element.get("selected_date"), str):
                picked["date"] = element["selected_date"]
            if action_id == TIME_ACTION and isinstance(element.get("selected_time"), str):
                picked["time"] = element["selected_time"]
    day, hour = picked.get("date", ""), picked.get("time", "")
    if not _DATE.match(day) or not _TIME.match(hour):
        return None
    try:
        date.fromisoformat(day)
    except ValueError:
        return None
    return f"le {day} à {hour}"


def parse_interaction(body: object) -> Incoming:
    """An interactivity payload (the JSON in the form field ``payload``)."""
    if not isinstance(body, dict):
        raise _malformed("objet JSON attendu dans « payload »")
    if body.get("type") != "block_actions":
        if isinstance(body.get("type"), str):
            return Incoming()  # shortcuts, modals...: not used by Vigie
        raise _malformed("type d'interaction absent")
    user_object = _object(body, "user", "« user » absent")
    user = _string(user_object, "id", "« user.id » absent")
    team_object = body.get("team") if isinstance(body.get("team"), dict) else {}
    team = _string({"id": team_object.get("id", user_object.get("team_id"))}, "id", "« team.id » absent")
    channel = _string(_object(body, "channel", "« channel » absent"), "id", "« channel.id » absent")
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise _malformed("« actions » absent")
    action = actions[0]
    action_id = _string(action, "action_id", "« action_id » absent")
    trigger_id = body.get("trigger_id")
    if isinstance(trigger_id, str) and _ID.match(trigger_id):
        key = f"trigger:{trigger_id}"
    else:
        key = f"action:{user}:{_string(action, 'action_ts', '« trigger_id » ou « action_ts » absent', _TIMESTAMP)}"
    if action_id.startswith(BUTTON_ACTION_PREFIX):
        value = action.get("value")
        if action.get("type") != "button" or not isinstance(value, str) or not value:
            raise _malformed("bouton sans valeur")
        return Incoming(key=key, team=team, user=user, channel=channel, text=value)
    if action_id == DATETIME_SUBMIT_ACTION:
        picked = _picked_datetime(body.get("state"))
        if picked is None:
            return Incoming(key=key, team=team, user=user, channel=channel, reply=DATETIME_INCOMPLETE)
        return Incoming(key=key, team=team, user=user, channel=channel, text=picked)
    return Incoming()  # a picker changed: its value is read when "Valider" is clicked


def _content_type(request: Request) -> str:
    return (request.headers.get("content-type") or "").split(";")[0].strip().lower()


def parse_request(request: Request) -> Incoming:
    raw = request.body or b""
    kind = _content_type(request)
    try:
        if kind == "application/json":
            return parse_event(json.loads(raw.decode("utf-8")))
        if kind == "application/x-www-form-urlencoded":
            form = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True, max_num_fields=20)
            payload = form.get("payload")
            if not payload or len(payload) != 1:
                raise _malformed("champ « payload » absent")
            return parse_interaction(json.loads(payload[0]))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _malformed("corps illisible (JSON ou formulaire UTF-8 attendu)") from None
    raise Refused(415, MALFORMED.format("JSON ou formulaire attendu"), "unsupported content type")


# --- Channel ----------------------------------------------------------------------


class VigieSlackInput(SlackInput):
    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        # credentials.yml holds no secret: everything comes from the environment.
        if credentials:
            logger.warning("Slack settings in credentials.yml are ignored: use VIGIE_SLACK_* variables")
        settings, problems = settings_from_env()
        if settings is None:
            logger.warning("Slack channel not configured (%s): its webhook answers 503", ", ".join(problems))
        return cls(settings)

    def __init__(self, settings: Optional[SlackSettings], events: Optional[SlackEventLog] = None) -> None:
        self.settings = settings
        super().__init__(
            slack_token=settings.token if settings else "",
            slack_signing_secret=settings.signing_secret if settings else "",
        )
        self.events = events or SlackEventLog()
        self._http: Optional[aiohttp.ClientSession] = None

    def _validate_credentials(self) -> None:
        if self.settings is not None:
            super()._validate_credentials()

    async def session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = outgoing_session()
        return self._http

    async def close(self) -> None:
        if self._http is not None and not self._http.closed:
            await self._http.close()
        self._http = None

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        assert self.settings is not None and channel
        return VigieSlackBot(self.settings, channel, self.session, thread_id)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("vigie_slack_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings else "non configuré"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.settings is None:
                return response.json({"error": NOT_CONFIGURED}, status=503)
            try:
                if len(request.body or b"") > MAX_BODY_BYTES:
                    raise Refused(413, TOO_LARGE, "body too large")
                # Rasa's check: HMAC-SHA256 of "v0:<timestamp>:<body>", timestamp within 5 minutes.
                if not self.is_request_from_slack_authentic(request):
                    raise Refused(401, UNSIGNED, "bad or stale signature")
                incoming = parse_request(request)
            except Refused as refusal:
                logger.warning("Slack request refused (%s): %s", refusal.status, refusal.reason)
                return response.json({"error": refusal.message}, status=refusal.status)
            if incoming.challenge is not None:
                return response.json({"challenge": incoming.challenge})
            if incoming.key is None:
                return response.json({"status": "ignoré"})
            try:
                first = await asyncio.to_thread(self.events.first_time, incoming.key)
            except Exception as error:  # noqa: BLE001 - no record, no processing: Slack retries later
                logger.error(
                    "slack_events unavailable (%s): run `python -m bot.core.storage migrate`?", type(error).__name__
                )
                return response.json({"error": STORE_UNAVAILABLE}, status=503)
            if not first:
                logger.info("Slack duplicate ignored (retry %s)", request.headers.get("X-Slack-Retry-Num", "-")[:8])
                return response.json({"status": "déjà traité"}, headers={"X-Slack-No-Retry": "1"})
            # Slack wants an answer within 3 seconds: Rasa works in the background.
            self._start(self.handle(on_new_message, incoming))
            return response.json({"status": "ok"})

        @webhook.listener("after_server_stop")
        async def close_session(app: Any, loop: Any) -> None:
            await self.close()

        return webhook

    def _start(self, coroutine: Awaitable[Any]) -> asyncio.Task:
        task = asyncio.ensure_future(coroutine)
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)
        return task

    async def wait_idle(self) -> None:
        """Wait for the messages being handled (tests, shutdown)."""
        while self._background_tasks:
            await asyncio.gather(*list(self._background_tasks), return_exceptions=True)

    async def handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], incoming: Incoming) -> None:
        output = self.get_output_channel(incoming.channel)
        assert isinstance(output, VigieSlackBot)
        if incoming.reply is not None:
            await output.send_text_message(incoming.user, incoming.reply)
            return
        try:
            text = at_the_door(incoming.text)
        except UnusableText as error:
            await output.send_text_message(incoming.user, str(error))
            return
        message = UserMessage(text.text, output, incoming.sender_id, input_channel=self.name())
        turn = await run_turn(on_new_message, message, lambda: output.sent, "Slack", text.masked)
        if turn is not Turn.ANSWERED:
            await output.send_text_message(incoming.user, UNAVAILABLE if turn is Turn.FAILED else NO_REPLY)
