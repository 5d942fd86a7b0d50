"""Vigie's Microsoft Teams channel (``teams``, ``/webhooks/teams/webhook``).

Rasa 3.6's ``botframework`` channel was not usable here: it fetches the signing
keys with blocking ``requests`` in its constructor (Rasa cannot start without
internet), accepts whatever ``alg`` the token header names, checks neither the
issuer, nor the ``serviceUrl`` claim, nor the tenant, replies with blocking
``requests`` to any ``serviceUrl`` the body names, and hands the text to Rasa
unfiltered.

This channel, configured only from the environment (``VIGIE_TEAMS_*``):

* validates the Bot Framework JWT as Microsoft documents it: RS256 only, key by
  ``kid`` from the JWKS named by the OpenID metadata (fetched lazily with
  aiohttp, cached a day, refreshed once on an unknown ``kid``, at most every
  five minutes), key endorsements, issuer, audience (app id), ``exp`` required,
  ``nbf`` honoured, 5 minutes of clock skew, ``serviceUrl`` claim equal to the
  activity's; then the tenant against an allowlist. Any failure: 401/403 and
  nothing reaches Rasa. The body is read only after the token is valid, and
  never past ``MAX_BODY_BYTES``;
* hands Rasa the text (or an Adaptive Card ``Action.Submit`` payload) through
  ``at_the_door``, as sender ``<from.id>|<conversation.id>`` (a digest of
  both when longer than 255 characters);
* replies asynchronously (aiohttp) to the validated ``serviceUrl`` with a
  client-credentials token cached until it expires: plain text
  (``textFormat: plain``), buttons as an Adaptive Card 1.4 of ``Action.Submit``.

Logs never carry message text, tokens or secrets.
"""

import asyncio
import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, FrozenSet, List, Mapping, Optional, Text, Tuple
from urllib.parse import quote

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from yarl import URL

from bot.channels.common import NO_REPLY, UNAVAILABLE, Turn, outgoing_session, proxy_for, run_turn, usable_url
from bot.channels.user_text import UnusableText, at_the_door
from bot.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
DEFAULT_ISSUER = "https://api.botframework.com"
TOKEN_URL_TEMPLATE = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
TOKEN_SCOPE = "https://api.botframework.com/.default"
TEAMS_CHANNEL_ID = "msteams"

MAX_BODY_BYTES = 128 * 1024
MAX_DOCUMENT_BYTES = 512 * 1024  # OpenID metadata, JWKS, token answers
MAX_TOKEN_CHARS = 16 * 1024
CLOCK_SKEW_SECONDS = 300
KEYS_MAX_AGE_SECONDS = 24 * 3600
KEYS_RETRY_SECONDS = 60  # after a failed scheduled refresh
FORCED_REFRESH_INTERVAL_SECONDS = 300  # unknown kid: at most one refresh per interval
TOKEN_MARGIN_SECONDS = 300
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=10)
MAX_SENDER_ID_LENGTH = 255  # Rasa's tracker store and our declarations table
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_PAYLOAD_KEY = "payload"

# Bot Framework ids: printable ASCII, no space and no "|" (our sender separator).
_ID = re.compile(r"^[\x21-\x7b\x7d\x7e]{1,512}$")
_BEARER = re.compile(r"^Bearer +([A-Za-z0-9_.=-]+)$", re.IGNORECASE)

NOT_CONFIGURED = (
    "Le canal Microsoft Teams de Vigie n'est pas configuré sur ce serveur "
    "(VIGIE_TEAMS_APP_ID, VIGIE_TEAMS_APP_PASSWORD, VIGIE_TEAMS_TENANT_ID)."
)
KEYS_UNAVAILABLE = "Les clés de signature Microsoft sont momentanément inaccessibles : le message n'a pas été traité."
UNAUTHORIZED = "Jeton d'authentification Bot Framework absent ou invalide."
FORBIDDEN = "Cette organisation ou ce canal n'est pas autorisé à utiliser Vigie."


class Refused(Exception):
    """A request answered with ``status`` and a French ``message``; ``reason``
    (never secret, never user text) goes to the log."""

    def __init__(self, status: int, message: str, reason: str = ""):
        super().__init__(reason or message)
        self.status = status
        self.message = message
        self.reason = reason or message


class FetchError(Exception):
    """A Microsoft endpoint (metadata, keys, token) could not be used."""


@dataclass(frozen=True)
class TeamsSettings:
    app_id: str
    app_password: str = ""
    tenants: FrozenSet[str] = frozenset()
    openid_url: str = DEFAULT_OPENID_URL
    token_url: str = ""
    issuer: str = DEFAULT_ISSUER

    def __repr__(self) -> str:  # never print the password
        return f"TeamsSettings(app_id={self.app_id!r}, tenants={sorted(self.tenants)!r})"


def settings_from_env(environ: Optional[Mapping[str, str]] = None) -> Tuple[Optional[TeamsSettings], List[str]]:
    """The settings, or ``None`` and the names of the missing variables."""
    settings = Settings.from_env(environ)
    app_id, password, tenants = settings.teams_app_id, settings.teams_app_password, settings.teams_tenants
    missing = [
        name
        for name, value in (
            ("VIGIE_TEAMS_APP_ID", app_id),
            ("VIGIE_TEAMS_APP_PASSWORD", password),
            ("VIGIE_TEAMS_TENANT_ID", tenants),
        )
        if not value
    ]
    if missing:
        return None, missing
    token_url = settings.teams_token_url or TOKEN_URL_TEMPLATE.format(tenant=quote(tenants[0], safe=""))
    return TeamsSettings(
        app_id=app_id,
        app_password=password,
        tenants=frozenset(tenants),
        openid_url=settings.teams_openid_url or DEFAULT_OPENID_URL,
        token_url=token_url,
        issuer=settings.teams_issuer or DEFAULT_ISSUER,
    ), []


async def read_limited(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    if resp.content_length is not None and resp.content_length > limit:
        raise FetchError("document too large")
    data = bytearray()
    async for chunk in resp.content.iter_chunked(64 * 1024):
        data.extend(chunk)
        if len(data) > limit:
            raise FetchError("document too large")
    return bytes(data)


async def fetch_json(session: aiohttp.ClientSession, method: str, url: str, **kwargs: Any) -> Dict[str, Any]:
    try:
        async with session.request(
            method, url, timeout=HTTP_TIMEOUT, allow_redirects=False, proxy=proxy_for(url), **kwargs
        ) as resp:
            if resp.status != 200:
                raise FetchError(f"HTTP {resp.status}")
            document = json.loads((await read_limited(resp, MAX_DOCUMENT_BYTES)).decode("utf-8"))
    except (aiohttp.ClientError, asyncio.TimeoutError, UnicodeDecodeError, ValueError) as error:
        raise FetchError(type(error).__name__) from None
    if not isinstance(document, dict):
        raise FetchError("not a JSON object")
    return document


SessionGetter = Callable[[], Awaitable[aiohttp.ClientSession]]


class SigningKeys:
    """The Bot Framework signing keys (JWKS) by ``kid``, fetched on first use."""

    def __init__(self, openid_url: str, session: SessionGetter, clock: Callable[[], float] = time.monotonic):
        self.openid_url = openid_url
        self._session = session
        self._clock = clock
        self._keys: Optional[Dict[str, Dict[str, Any]]] = None
        self._next_refresh = 0.0
        self._last_forced: Optional[float] = None
        self._lock = asyncio.Lock()

    async def _fetch(self) -> Dict[str, Dict[str, Any]]:
        session = await self._session()
        metadata = await fetch_json(session, "GET", self.openid_url)
        jwks_uri = metadata.get("jwks_uri")
        if not usable_url(jwks_uri):
            raise FetchError("bad jwks_uri in OpenID metadata")
        algorithms = metadata.get("id_token_signing_alg_values_supported")
        if isinstance(algorithms, list) and "RS256" not in algorithms:
            raise FetchError("RS256 not among the metadata's signing algorithms")
        keys = (await fetch_json(session, "GET", jwks_uri)).get("keys")
        if not isinstance(keys, list):
            raise FetchError("JWKS without keys")
        return {
            key["kid"]: key
            for key in keys
            if isinstance(key, dict) and isinstance(key.get("kid"), str) and key.get("kty") == "RSA"
        }

    async def _refresh(self) -> None:
        self._keys = await self._fetch()
        self._next_refresh = self._clock() + KEYS_MAX_AGE_SECONDS
        logger.info("Teams signing keys refreshed (%d keys)", len(self._keys))

    async def get(self, kid: str) -> Optional[Dict[str, Any]]:
        """The JWK for ``kid``, ``None`` if unknown; ``FetchError`` if no key
        could ever be fetched."""
        async with self._lock:
            fetched = False
            if self._keys is None or self._clock() >= self._next_refresh:
                try:
                    await self._refresh()
                    fetched = True
                except FetchError as error:
                    if self._keys is None:
                        raise
                    logger.warning("Teams signing keys not refreshed (%s); keeping the cached ones", error)
                    self._next_refresh = self._clock() + KEYS_RETRY_SECONDS
            if kid in self._keys:
                return self._keys[kid]
            now = self._clock()
            if fetched or (self._last_forced is not None and now - self._last_forced < FORCED_REFRESH_INTERVAL_SECONDS):
                return None
            self._last_forced = now
            try:
                await self._refresh()
            except FetchError as error:
                logger.warning("Teams signing keys not refreshed for an unknown kid (%s)", error)
                return None
            return self._keys.get(kid)


class BotToken:
    """The bot's client-credentials access token, cached until it expires."""

    def __init__(self, settings: TeamsSettings, session: SessionGetter, clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self._session = session
        self._clock = clock
        self._token: Optional[str] = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._token = None

    async def get(self) -> str:
        async with self._lock:
            if self._token is None or self._clock() >= self._expires:
                document = await fetch_json(
                    await self._session(),
                    "POST",
                    self.settings.token_url,
                    data={
                        "grant_type": "client_credentials",
                        "client_id": self.settings.app_id,
                        "client_secret": self.settings.app_password,
                        "scope": TOKEN_SCOPE,
                    },
                )
                token, expires_in = document.get("access_token"), document.get("expires_in")
                try:
                    lifetime = int(expires_in)
                except (TypeError, ValueError):
                    raise FetchError("token answer without expires_in") from None
                if not isinstance(token, str) or not token or lifetime <= 0:
                    raise FetchError("token answer without access_token")
                self._token = token
                self._expires = self._clock() + max(lifetime - TOKEN_MARGIN_SECONDS, lifetime // 2)
            return self._token


@dataclass(frozen=True)
class Activity:
    type: str
    service_url: str
    channel_id: str
    tenants: FrozenSet[str]
    id: str = ""
    conversation_id: str = ""
    from_id: str = ""
    bot: Optional[Dict[str, str]] = None
    text: Optional[str] = None
    value: Any = None
    bot_mentions: Tuple[str, ...] = ()

    @property
    def sender_id(self) -> str:
        sender = f"{self.from_id}|{self.conversation_id}"
        if len(sender) <= MAX_SENDER_ID_LENGTH:
            return sender
        # Too long for Rasa's tracker store: a digest of both. "|" (never in an id,
        # never in a REST sender) keeps every Teams sender apart from other channels'.
        digest = hashlib.sha256(f"{self.from_id}\n{self.conversation_id}".encode()).hexdigest()
        return f"teams||{digest}"


def _bad(message: str) -> Refused:
    return Refused(400, f"Activité invalide : {message}", f"malformed activity ({message})")


def _account_id(body: Dict[str, Any], field: str, required: bool) -> str:
    account = body.get(field)
    if account is None and not required:
        return ""
    if not isinstance(account, dict) or not isinstance(account.get("id"), str) or not _ID.match(account["id"]):
        raise _bad(f"« {field}.id » manquant ou incorrect")
    return account["id"]


def parse_activity(raw: bytes) -> Activity:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad("un objet JSON en UTF-8 est attendu") from None
    if not isinstance(body, dict):
        raise _bad("un objet JSON est attendu")
    kind, service_url, channel_id = body.get("type"), body.get("serviceUrl"), body.get("channelId")
    if not isinstance(kind, str) or not kind or len(kind) > 64:
        raise _bad("« type » manquant")
    if not isinstance(service_url, str) or not service_url:
        raise _bad("« serviceUrl » manquant")
    if not isinstance(channel_id, str) or not channel_id:
        raise _bad("« channelId » manquant")
    channel_data = body.get("channelData")
    conversation = body.get("conversation")
    if channel_data is not None and not isinstance(channel_data, dict):
        raise _bad("« channelData » doit être un objet")
    if not isinstance(conversation, dict):
        raise _bad("« conversation » manquant")
    tenants = set()
    tenant = (channel_data or {}).get("tenant")
    if tenant is not None:
        if not isinstance(tenant, dict) or not isinstance(tenant.get("id"), str):
            raise _bad("« channelData.tenant.id » incorrect")
        tenants.add(tenant["id"].strip().lower())
    if conversation.get("tenantId") is not None:
        if not isinstance(conversation["tenantId"], str):
            raise _bad("« conversation.tenantId » incorrect")
        tenants.add(conversation["tenantId"].strip().lower())
    common = dict(type=kind, service_url=service_url, channel_id=channel_id, tenants=frozenset(tenants))
    if kind != "message":
        return Activity(**common)
    activity_id, conversation_id = body.get("id"), conversation.get("id")
    if not isinstance(activity_id, str) or not _ID.match(activity_id):
        raise _bad("« id » manquant ou incorrect")
    if not isinstance(conversation_id, str) or not _ID.match(conversation_id):
        raise _bad("« conversation.id » manquant ou incorrect")
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise _bad("« text » doit être du texte")
    bot_id = _account_id(body, "recipient", required=False)
    return Activity(
        **common,
        id=activity_id,
        conversation_id=conversation_id,
        from_id=_account_id(body, "from", required=True),
        bot={"id": bot_id} if bot_id else None,
        text=text,
        value=body.get("value"),
        bot_mentions=_bot_mentions(body.get("entities"), bot_id),
    )


def _bot_mentions(entities: object, bot_id: str) -> Tuple[str, ...]:
    """The ``<at>Vigie</at>`` texts by which a channel or group chat addresses the bot."""
    if not bot_id or not isinstance(entities, list):
        return ()
    return tuple(
        entity["text"]
        for entity in entities[:20]
        if isinstance(entity, dict)
        and entity.get("type") == "mention"
        and isinstance(entity.get("mentioned"), dict)
        and entity["mentioned"].get("id") == bot_id
        and isinstance(entity.get("text"), str)
        and 0 < len(entity["text"]) <= 256
    )


def message_text(activity: Activity) -> object:
    """What the user said: the text, or the payload of a clicked card button."""
    if isinstance(activity.value, dict) and CARD_PAYLOAD_KEY in activity.value and not (activity.text or "").strip():
        return activity.value[CARD_PAYLOAD_KEY]
    text = activity.text
    for mention in activity.bot_mentions:
        text = text.replace(mention, " ") if isinstance(text, str) else text
    return text


def buttons_card(buttons: List[Dict[str, Any]]) -> Dict[str, Any]:
    actions = []
    for button in buttons:
        title, payload = button.get("title"), button.get("payload")
        if isinstance(title, str) and isinstance(payload, str) and title.strip() and payload:
            actions.append({"type": "Action.Submit", "title": title, "data": {CARD_PAYLOAD_KEY: payload}})
    return {
        "contentType": ADAPTIVE_CARD,
        "content": {
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.4",
            "body": [],
            "actions": actions,
        },
    }


class TeamsOutput(OutputChannel):
    """Replies to one activity, on the ``serviceUrl`` of a validated request."""

    @classmethod
    def name(cls) -> Text:
        return "teams"

    def __init__(self, activity: Activity, token: BotToken, session: SessionGetter):
        self.activity = activity
        self._token = token
        self._session = session
        self.sent = 0
        self.url = "{}/v3/conversations/{}/activities/{}".format(
            activity.service_url.rstrip("/"), quote(activity.conversation_id, safe=""), quote(activity.id, safe="")
        )

    def _activity(self, text: str, attachments: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
        message: Dict[str, Any] = {
            "type": "message",
            "textFormat": "plain",
            "text": text,
            "replyToId": self.activity.id,
            "conversation": {"id": self.activity.conversation_id},
            "recipient": {"id": self.activity.from_id},
        }
        if self.activity.bot:
            message["from"] = dict(self.activity.bot)
        if attachments:
            message["attachments"] = attachments
        return message

    async def _post(self, message: Dict[str, Any]) -> None:
        """Best effort: a failure is logged (status only), never raised into Rasa."""
        self.sent += 1
        for attempt in (1, 2):
            try:
                token = await self._token.get()
                session = await self._session()
                async with session.post(
                    URL(self.url, encoded=True),
                    json=message,
                    timeout=HTTP_TIMEOUT,
                    allow_redirects=False,
                    proxy=proxy_for(self.url),
                    headers={"Authorization": f"Bearer {token}"},
                ) as resp:
                    if resp.status == 401 and attempt == 1:
                        self._token.invalidate()
                        continue
                    if resp.status >= 300:
                        logger.error("Teams reply refused: HTTP %s", resp.status)
                    return
            except (FetchError, aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.error(
                    "Teams reply not sent: %s", error if isinstance(error, FetchError) else type(error).__name__
                )
                return

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._post(self._activity(text))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        card = buttons_card(buttons)
        await self._post(self._activity(text, [card] if card["content"]["actions"] else None))

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._post(self._activity(f"Image : {image}"))

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        await self._post(self._activity(f"Pièce jointe : {attachment}"))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        if set(json_message) != {"vigie_input"}:  # input hints (a date picker) have no Teams form here
            logger.warning("custom JSON message not sent to Teams")


class TeamsInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        # credentials.yml holds no secret: everything comes from the environment.
        settings, missing = settings_from_env()
        if settings is None:
            logger.warning("Teams channel not configured (missing %s): its webhook answers 503", ", ".join(missing))
        return cls(settings)

    def __init__(self, settings: Optional[TeamsSettings]) -> None:
        self.settings = settings
        self._http: Optional[aiohttp.ClientSession] = None
        self.keys = SigningKeys(settings.openid_url, self.session) if settings else None
        self.token = BotToken(settings, self.session) if settings else None

    async def session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = outgoing_session()
        return self._http

    async def close(self) -> None:
        if self._http is not None and not self._http.closed:
            await self._http.close()
        self._http = None

    async def verify_token(self, authorization: Optional[str]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """The token's claims and signing key, or ``Refused``."""
        assert self.settings is not None and self.keys is not None
        match = _BEARER.match(authorization or "")
        if not match or len(match[1]) > MAX_TOKEN_CHARS:
            raise Refused(401, UNAUTHORIZED, "no bearer token")
        token = match[1]
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Refused(401, UNAUTHORIZED, "unreadable token") from None
        if header.get("alg") != "RS256":
            raise Refused(401, UNAUTHORIZED, "algorithm other than RS256")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > 256:
            raise Refused(401, UNAUTHORIZED, "token without kid")
        try:
            jwk = await self.keys.get(kid)
        except FetchError as error:
            logger.error("Teams signing keys unavailable: %s", error)
            raise Refused(503, KEYS_UNAVAILABLE, "signing keys unavailable") from None
        if jwk is None:
            raise Refused(401, UNAUTHORIZED, "unknown kid")
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
            raise Refused(401, UNAUTHORIZED, "key not for RS256 signatures")
        try:
            # Only the public parts: a JWK carrying "d" would otherwise load a private key.
            public_key = RSAAlgorithm.from_jwk({"kty": "RSA", "n": jwk.get("n"), "e": jwk.get("e")})
            claims = jwt.decode(
                token,
                public_key,
                algorithms=["RS256"],
                audience=self.settings.app_id,
                issuer=self.settings.issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise Refused(401, UNAUTHORIZED, f"token refused ({type(error).__name__})") from None
        except Exception as error:  # noqa: BLE001 - a malformed key or token is a refusal, never a 500
            raise Refused(401, UNAUTHORIZED, f"token refused ({type(error).__name__})") from None
        return claims, jwk

    def check_activity(self, activity: Activity, claims: Dict[str, Any], jwk: Dict[str, Any]) -> None:
        assert self.settings is not None
        if claims.get("serviceUrl") != activity.service_url:
            raise Refused(401, UNAUTHORIZED, "serviceUrl claim differs from the activity's")
        endorsements = jwk.get("endorsements")
        if endorsements is not None and (not isinstance(endorsements, list) or activity.channel_id not in endorsements):
            raise Refused(401, UNAUTHORIZED, "signing key not endorsed for this channel")
        if activity.channel_id != TEAMS_CHANNEL_ID:
            raise Refused(403, FORBIDDEN, "channel other than msteams")
        if len(activity.tenants) != 1 or not activity.tenants <= self.settings.tenants:
            raise Refused(403, FORBIDDEN, "tenant not allowed")
        if not usable_url(activity.service_url):
            raise Refused(403, FORBIDDEN, "unusable serviceUrl")

    async def read_body(self, request: Request) -> bytes:
        data = bytearray()
        while True:
            chunk = await request.stream.read()
            if chunk is None:
                return bytes(data)
            data.extend(chunk)
            if len(data) > MAX_BODY_BYTES:
                raise Refused(
                    413, f"Requête trop volumineuse ({MAX_BODY_BYTES // 1024} Ko au maximum).", "body too large"
                )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("vigie_teams_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings else "non configuré"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if self.settings is None:
                return response.json({"error": NOT_CONFIGURED}, status=503)
            try:
                length = request.headers.get("content-length")
                if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
                    raise Refused(
                        413, f"Requête trop volumineuse ({MAX_BODY_BYTES // 1024} Ko au maximum).", "body too large"
                    )
                claims, jwk = await self.verify_token(request.headers.get("authorization"))
                activity = parse_activity(await self.read_body(request))
                self.check_activity(activity, claims, jwk)
            except Refused as refusal:
                logger.warning("Teams request refused (%s): %s", refusal.status, refusal.reason)
                return response.json({"error": refusal.message}, status=refusal.status)
            if activity.type != "message":
                return response.json({"status": "ignoré"})
            return await self.handle(on_new_message, activity)

        @webhook.listener("after_server_stop")
        async def close_session(app: Any, loop: Any) -> None:
            await self.close()

        return webhook

    async def handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], activity: Activity) -> HTTPResponse:
        assert self.token is not None
        output = TeamsOutput(activity, self.token, self.session)
        try:
            text = at_the_door(message_text(activity))
        except UnusableText as error:
            await output.send_text_message(activity.sender_id, str(error))
            return response.json({"status": "refusé"})
        message = UserMessage(text.text, output, activity.sender_id, input_channel=self.name())
        turn = await run_turn(on_new_message, message, lambda: output.sent, "Teams", text.masked)
        if turn is Turn.FAILED:
            await output.send_text_message(activity.sender_id, UNAVAILABLE)
            return response.json({"error": UNAVAILABLE}, status=503)
        if turn is Turn.SILENT:
            await output.send_text_message(activity.sender_id, NO_REPLY)
        return response.json({"status": "ok"})
