"""The Slack channel (bot/channels/slack.py) served by Sanic on loopback, with a
stub in place of Rasa, replying to a fake Slack Web API (aiohttp TestServer);
deduplication on the real SQLite and PostgreSQL databases."""

import asyncio
import hashlib
import hmac
import itertools
import json
import socket
import threading
import time
from datetime import timedelta
from urllib.parse import urlencode, urljoin

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sqlalchemy import func, inspect, select, update

from bot.channels import slack
from bot.channels.rest import SENDER_PATTERN
from bot.channels.slack import (
    SlackEvent,
    SlackEventLog,
    VigieSlackInput,
    plain_user_text,
    settings_from_env,
    slack_text,
)
from bot.core.paris_time import utc_now
from bot.core.storage import DeclarationStore

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SENDER = "slack|T0|U0CAMILLE"
TOKEN = "xoxb-0000-test-token"
BOT_USER = "U0VIGIE"
USER = "U0CAMILLE"
DM = "D0DIRECT"
PUBLIC = "C0GENERAL"
REPLY_TEXT = "Réponse <b>gras</b> & suite <!channel> <!here|here> @everyone <@U0ALL>"
BUTTONS = [
    {"title": "Oui", "payload": "/affirm"},
    {"title": "Aucun impact <sur> les soins", "payload": '/inform{"care_impact": "aucun"}'},
]
DATE_QUESTION = "Quand l'incident a-t-il été détecté ?"
_apps = itertools.count()
_ids = itertools.count(1)


# --- Fakes ------------------------------------------------------------------------------------------


class FakeSlack:
    """Slack's Web API: records chat.postMessage calls."""

    def __init__(self):
        self.posts = []
        app = web.Application()
        app.router.add_post("/api/chat.postMessage", self.post_message)
        self.server = TestServer(app, host="127.0.0.1")

    @property
    def url(self):
        return str(self.server.make_url("/api/"))

    async def post_message(self, request):
        self.posts.append(
            {
                "authorization": request.headers.get("Authorization"),
                "content_type": request.headers.get("Content-Type"),
                "body": await request.json(),
            }
        )
        return web.json_response({"ok": True, "channel": DM, "ts": f"1700000000.{len(self.posts):06d}"})


@pytest.fixture
async def slack_api():
    fake = FakeSlack()
    await fake.server.start_server()
    yield fake
    await fake.server.close()


def slack_events(url):
    store = DeclarationStore(url)
    try:
        with store.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(SlackEvent.__table__)).scalar_one()
    finally:
        store.dispose()


class Vigie:
    """The channel served by Sanic on loopback, with a stub in place of Rasa:
    it records each UserMessage and answers with text, buttons and a date question."""

    def __init__(self, channel):
        self.channel = channel
        self.received = []
        self.fail = False
        self.silent = False

    async def on_new_message(self, message: UserMessage):
        self.received.append(message)
        if self.fail:
            raise RuntimeError("rasa down")
        if self.silent:
            return
        out = message.output_channel
        await out.send_response(
            message.sender_id, {"text": f"{REPLY_TEXT} Vous avez dit : {message.text}", "buttons": BUTTONS}
        )
        await out.send_response(
            message.sender_id,
            {
                "text": DATE_QUESTION,
                "custom": {"vigie_input": "datetime"},
                "buttons": [{"title": "Je ne sais pas", "payload": "/dont_know"}],
            },
        )

    @property
    def texts(self):
        return [message.text for message in self.received]

    async def start(self):
        app = Sanic(f"vigie_slack_test_{next(_apps)}")
        app.config.ACCESS_LOG = False
        # Where Rasa's register() mounts a credentials.yml channel, with our stub as handler.
        app.blueprint(
            self.channel.blueprint(self.on_new_message), url_prefix=urljoin("/webhooks/", self.channel.url_prefix())
        )
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d/webhooks/slack/webhook" % self.sock.getsockname()[1]
        self.server = await app.create_server(sock=self.sock, return_asyncio_server=True, access_log=False)
        await self.server.startup()
        await self.server.after_start()
        self.http = aiohttp.ClientSession()

    async def stop(self):
        await self.http.close()
        await self.server.before_stop()
        self.server.close()
        await self.server.wait_closed()
        await self.server.after_stop()

    async def send(
        self,
        raw: bytes,
        content_type="application/json",
        *,
        secret=SECRET,
        timestamp=None,
        signed=True,
        headers=None,
        tamper=None,
    ):
        timestamp = str(int(time.time())) if timestamp is None else str(timestamp)
        all_headers = {"Content-Type": content_type}
        if signed:
            digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + raw, hashlib.sha256).hexdigest()
            all_headers.update({"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"})
        all_headers.update(headers or {})
        async with self.http.post(self.url, data=tamper if tamper is not None else raw, headers=all_headers) as resp:
            answer = (resp.status, await resp.json(content_type=None), dict(resp.headers))
        await self.channel.wait_idle()
        return answer

    async def event(self, body, **kwargs):
        return await self.send(json.dumps(body).encode(), **kwargs)

    async def interaction(self, payload, **kwargs):
        return await self.send(
            urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded", **kwargs
        )


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch):
    # Several Sanic apps in one process: Sanic's own test mode (as sanic-testing sets it).
    monkeypatch.setattr(Sanic, "test_mode", True)


def environment(slack_api, migrated_url):
    return {
        "VIGIE_SLACK_TOKEN": TOKEN,
        "VIGIE_SLACK_SIGNING_SECRET": SECRET,
        "VIGIE_SLACK_API_URL": slack_api.url,
        "DATABASE_URL": migrated_url,
    }


@pytest.fixture
def slack_env(slack_api, migrated_url, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment(slack_api, migrated_url).items():
        monkeypatch.setenv(name, value)


async def started(channel):
    server = Vigie(channel)
    await server.start()
    return server


@pytest.fixture
async def vigie(slack_env):
    channel = VigieSlackInput.from_credentials(None)
    server = await started(channel)
    yield server
    await server.stop()
    channel.events.dispose()


def dm_event(text="Rançongiciel sur le DPI", event_id=None, **event_changes):
    event = {
        "type": "message",
        "channel": DM,
        "user": USER,
        "text": text,
        "ts": "1700000000.000100",
        "channel_type": "im",
        "event_ts": "1700000000.000100",
        "team": "T0",
    }
    event.update(event_changes)
    return {
        "token": "legacy",
        "team_id": "T0",
        "api_app_id": "A0",
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):08d}",
        "event_time": 1700000000,
        "event": event,
        "authorizations": [{"team_id": "T0", "user_id": BOT_USER, "is_bot": True}],
    }


def block_actions(action, state=None, trigger_id=None):
    return {
        "type": "block_actions",
        "user": {"id": USER, "team_id": "T0"},
        "api_app_id": "A0",
        "token": "legacy",
        "trigger_id": trigger_id or f"13345224609.{next(_ids)}.8088930838d88f008e0",
        "container": {"type": "message", "message_ts": "1700000000.000200", "channel_id": DM},
        "team": {"id": "T0"},
        "channel": {"id": DM, "name": "directmessage"},
        "state": state or {"values": {}},
        "response_url": "https://hooks.slack.com/actions/x",
        "actions": [{"block_id": "b1", "action_ts": f"1700000001.{next(_ids):06d}", **action}],
    }


def button_click(value, index=0, **kwargs):
    return block_actions(
        {
            "action_id": f"vigie_button_{index}",
            "type": "button",
            "value": value,
            "text": {"type": "plain_text", "text": "Oui"},
        },
        **kwargs,
    )


def datetime_state(day="2026-11-28", hour="14:30"):
    values = {}
    if day is not None:
        values["vigie_date"] = {"type": "datepicker", "selected_date": day}
    if hour is not None:
        values["vigie_time"] = {"type": "timepicker", "selected_time": hour}
    return {"values": {"vigie_datetime": values}}


def validate_click(**state):
    return block_actions(
        {
            "action_id": "vigie_datetime_submit",
            "type": "button",
            "value": "datetime",
            "text": {"type": "plain_text", "text": "Valider"},
        },
        state=datetime_state(**state),
    )


def assert_nothing_processed(vigie, slack_api, migrated_url=None):
    assert vigie.received == []
    assert slack_api.posts == []
    if migrated_url is not None:
        assert slack_events(migrated_url) == 0


# --- Configuration ----------------------------------------------------------------------------------


def test_settings_come_from_the_environment_with_slack_defaults():
    settings, problems = settings_from_env({"VIGIE_SLACK_TOKEN": TOKEN, "VIGIE_SLACK_SIGNING_SECRET": SECRET})
    assert problems == []
    assert settings.api_url == "https://slack.com/api/"
    assert TOKEN not in repr(settings) and SECRET not in repr(settings)
    settings, _ = settings_from_env(
        {
            "VIGIE_SLACK_TOKEN": TOKEN,
            "VIGIE_SLACK_SIGNING_SECRET": SECRET,
            "VIGIE_SLACK_API_URL": "http://127.0.0.1:8080/api",
        }
    )
    assert settings.api_url == "http://127.0.0.1:8080/api/"


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({}, ["VIGIE_SLACK_TOKEN", "VIGIE_SLACK_SIGNING_SECRET"]),
        ({"VIGIE_SLACK_TOKEN": TOKEN}, ["VIGIE_SLACK_SIGNING_SECRET"]),
        (
            {
                "VIGIE_SLACK_TOKEN": TOKEN,
                "VIGIE_SLACK_SIGNING_SECRET": SECRET,
                "VIGIE_SLACK_API_URL": "http://slack.example.org/api/",
            },
            ["VIGIE_SLACK_API_URL (https attendu)"],
        ),
    ],
)
def test_missing_or_unsafe_settings_are_named(environ, expected):
    assert settings_from_env(environ) == (None, expected)


def test_rasa_loads_the_channel_from_credentials_yml(monkeypatch):
    from rasa.core.run import _create_single_channel

    monkeypatch.setenv("VIGIE_SLACK_TOKEN", TOKEN)
    monkeypatch.setenv("VIGIE_SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.delenv("VIGIE_SLACK_API_URL", raising=False)
    channel = _create_single_channel("bot.channels.slack.VigieSlackInput", None)
    assert isinstance(channel, VigieSlackInput)
    assert channel.name() == "slack" and channel.url_prefix() == "slack"
    assert channel.slack_signing_secret == SECRET and channel.settings.token == TOKEN


async def test_unconfigured_channel_starts_and_answers_503_in_french(monkeypatch, slack_api, tmp_path):
    for name in ("VIGIE_SLACK_TOKEN", "VIGIE_SLACK_SIGNING_SECRET", "VIGIE_SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    channel = VigieSlackInput.from_credentials(None)
    assert channel.settings is None
    server = await started(channel)
    try:
        status, answer, _ = await server.event(dm_event())
        assert status == 503 and "n'est pas configuré" in answer["error"]
        async with server.http.get(server.url.rsplit("/", 1)[0] + "/") as resp:
            assert (await resp.json())["status"] == "non configuré"
    finally:
        await server.stop()
    assert_nothing_processed(server, slack_api)
    assert not (tmp_path / "none.db").exists()


# --- Messages in, replies out ---------------------------------------------------------------------------


async def test_a_signed_direct_message_reaches_rasa(vigie, slack_api, migrated_url):
    status, answer, _ = await vigie.event(dm_event("Bonjour <@U0VIGIE> rançon &amp; chiffrement &lt;urgent&gt;"))
    assert status == 200 and answer == {"status": "ok"}
    [message] = vigie.received
    assert message.text == "Bonjour rançon & chiffrement <urgent>"
    assert message.sender_id == SENDER and message.input_channel == "slack"
    assert not SENDER_PATTERN.match(message.sender_id)  # no REST client can take this conversation
    assert slack_events(migrated_url) == 1


async def test_the_reply_is_escaped_and_has_buttons_and_date_pickers(vigie, slack_api):
    await vigie.event(dm_event("Fuite"))
    assert len(slack_api.posts) == 2
    for post in slack_api.posts:
        assert post["authorization"] == f"Bearer {TOKEN}"
        assert post["content_type"].startswith("application/json")
        assert post["body"]["channel"] == DM
        assert post["body"]["unfurl_links"] is False and post["body"]["unfurl_media"] is False
    first, second = (post["body"] for post in slack_api.posts)

    assert first["text"].startswith("Réponse &lt;b&gt;gras&lt;/b&gt; &amp; suite")
    assert "&lt;@U0ALL&gt;" in first["text"]
    section, actions = first["blocks"]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"] == first["text"]
    assert actions["type"] == "actions"
    assert [(b["type"], b["value"]) for b in actions["elements"]] == [
        ("button", "/affirm"),
        ("button", '/inform{"care_impact": "aucun"}'),
    ]
    assert actions["elements"][1]["text"]["text"] == "Aucun impact &lt;sur&gt; les soins"

    assert second["text"] == "Quand l'incident a-t-il été détecté ?"
    section, pickers, buttons = second["blocks"]
    assert [element["type"] for element in pickers["elements"]] == ["datepicker", "timepicker", "button"]
    assert [element["value"] for element in buttons["elements"]] == ["/dont_know"]


async def test_broadcasts_never_reach_slack_even_from_the_users_own_text(vigie, slack_api):
    await vigie.event(
        dm_event(
            "Alerte <!channel> <!here> <!everyone> @channel @here @everyone ＠here "
            "<!subteam^S0123|@securite> &lt;!channel&gt;"
        )
    )
    assert vigie.received
    sent = json.dumps([post["body"] for post in slack_api.posts], ensure_ascii=False)
    for broadcast in (
        "<!channel",
        "<!here",
        "<!everyone",
        "<!subteam",
        "@channel",
        "@here",
        "@everyone",
        "＠here",
        "!channel&gt;",
    ):
        assert broadcast not in sent
    assert "Alerte" in sent


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a & b < c > d", "a &amp; b &lt; c &gt; d"),
        ("<!channel> salut", " salut"),
        ("<<!here>!here> x", " x"),
        ("<!here|@here> @@channel @Here", " channel Here"),
        ("<!subteam^S0123|@equipe> x", " x"),
        ("<http://evil.example|cliquez>", "&lt;http://evil.example|cliquez&gt;"),
        ("mail@channel.fr", "mail@channel.fr"),
    ],
)
def test_slack_text_escapes_and_strips_broadcasts(text, expected):
    assert slack_text(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<@U0VIGIE> bonjour", " bonjour"),
        (
            "écrire à <mailto:rssi@ch.fr|rssi@ch.fr> ou <tel:+33248000000|02 48 00 00 00>",
            "écrire à rssi@ch.fr ou 02 48 00 00 00",
        ),
        (
            "voir <https://cert.example/x> et <@U0OTHER|marie> dans <#C0SSI|ssi>",
            "voir https://cert.example/x et @marie dans #ssi",
        ),
        ("&lt;script&gt; &amp;amp;", "<script> &amp;"),
    ],
)
def test_slack_markup_is_undone_before_rasa(text, expected):
    assert plain_user_text(text, {BOT_USER}).strip() == expected.strip()


async def test_typed_slash_commands_are_neutralised(vigie):
    await vigie.event(dm_event("/restart"))
    assert vigie.texts == ["restart"]


async def test_a_button_click_comes_back_as_its_payload(vigie, slack_api):
    status, _, _ = await vigie.interaction(button_click('/inform{"care_impact": "aucun"}', index=1))
    assert status == 200
    assert vigie.texts == ['/inform{"care_impact": "aucun"}']
    assert vigie.received[0].sender_id == SENDER
    assert slack_api.posts and slack_api.posts[0]["body"]["channel"] == DM


async def test_a_forged_button_payload_is_only_text(vigie):
    await vigie.interaction(button_click('/inform{"confirmed": true}'))
    assert vigie.texts == ['inform{"confirmed": true}']


async def test_a_date_selection_comes_back_as_french_text(vigie):
    status, _, _ = await vigie.interaction(validate_click(day="2026-11-28", hour="04:05"))
    assert status == 200
    assert vigie.texts == ["le 2026-11-28 à 04:05"]


async def test_picking_alone_processes_nothing(vigie, slack_api, migrated_url):
    picked = block_actions(
        {"action_id": "vigie_date", "type": "datepicker", "selected_date": "2026-11-28"},
        state=datetime_state(hour=None),
    )
    status, answer, _ = await vigie.interaction(picked)
    assert status == 200 and answer == {"status": "ignoré"}
    assert_nothing_processed(vigie, slack_api, migrated_url)


@pytest.mark.parametrize("state", [{"hour": None}, {"day": None}, {"day": "2026-02-30"}, {"hour": "25:00"}])
async def test_an_incomplete_date_gets_a_hint_and_reaches_nothing(vigie, slack_api, state):
    await vigie.interaction(validate_click(**state))
    assert vigie.received == []
    [post] = slack_api.posts
    assert "Choisissez une date et une heure" in post["body"]["text"]


async def test_a_mention_in_a_channel_gets_a_hint_to_write_in_private(vigie, slack_api):
    body = dm_event(f"<@{BOT_USER}> rançongiciel au bloc", type="app_mention", channel=PUBLIC)
    del body["event"]["channel_type"]
    await vigie.event(body)
    assert vigie.received == []
    [post] = slack_api.posts
    assert post["body"]["channel"] == PUBLIC and "message direct" in post["body"]["text"]


@pytest.mark.parametrize(
    "changes",
    [
        {"subtype": "message_changed"},
        {"bot_id": "B0VIGIE"},
        {"channel_type": "channel", "channel": PUBLIC},
        {"type": "reaction_added"},
    ],
)
async def test_other_events_are_acknowledged_and_ignored(vigie, slack_api, migrated_url, changes):
    status, answer, _ = await vigie.event(dm_event(**changes))
    assert status == 200 and answer == {"status": "ignoré"}
    assert_nothing_processed(vigie, slack_api, migrated_url)


async def test_url_verification_answers_the_challenge(vigie, slack_api):
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    status, answer, _ = await vigie.event({"token": "legacy", "challenge": challenge, "type": "url_verification"})
    assert status == 200 and answer == {"challenge": challenge}
    assert_nothing_processed(vigie, slack_api)


async def test_a_rasa_failure_is_told_to_the_user(vigie, slack_api):
    vigie.fail = True
    await vigie.event(dm_event())
    [post] = slack_api.posts
    assert "Je ne peux pas traiter votre message" in post["body"]["text"]


async def test_silence_from_rasa_is_told_to_the_user(vigie, slack_api):
    vigie.silent = True
    await vigie.event(dm_event())
    [post] = slack_api.posts
    assert "Je n'ai pas pu terminer cette étape" in post["body"]["text"]


# --- Refused: nothing processed ---------------------------------------------------------------------


@pytest.mark.parametrize("how", ["unsigned", "forged", "tampered", "stale", "future", "bad timestamp"])
async def test_unauthentic_requests_are_refused_and_nothing_is_processed(vigie, slack_api, migrated_url, how):
    raw = json.dumps(dm_event()).encode()
    kwargs = {
        "unsigned": {"signed": False},
        "forged": {"secret": "not-the-signing-secret"},
        "tampered": {"tamper": raw.replace(b"Ran", b"Fau")},
        "stale": {"timestamp": int(time.time()) - 5 * 60 - 5},
        "future": {"timestamp": int(time.time()) + 5 * 60 + 5},
        "bad timestamp": {"timestamp": "abc"},
    }[how]
    status, answer, _ = await vigie.send(raw, **kwargs)
    assert status == 401 and "signature Slack" in answer["error"]
    assert_nothing_processed(vigie, slack_api, migrated_url)


async def test_a_click_is_refused_without_signature(vigie, slack_api, migrated_url):
    status, _, _ = await vigie.interaction(button_click("/affirm"), signed=False)
    assert status == 401
    assert_nothing_processed(vigie, slack_api, migrated_url)


async def test_a_replayed_event_is_processed_once(vigie, slack_api, migrated_url):
    body = dm_event(event_id="Ev0REPLAY")
    raw = json.dumps(body).encode()
    timestamp = int(time.time())
    assert (await vigie.send(raw, timestamp=timestamp))[0] == 200
    status, answer, headers = await vigie.send(raw, timestamp=timestamp)  # the very same request
    assert status == 200 and answer == {"status": "déjà traité"}
    assert headers.get("X-Slack-No-Retry") == "1"
    status, answer, _ = await vigie.event(body)  # re-signed later
    assert answer == {"status": "déjà traité"}
    assert len(vigie.received) == 1 and len(slack_api.posts) == 2
    assert slack_events(migrated_url) == 1


async def test_a_replayed_event_is_still_refused_after_a_restart(vigie, slack_api, migrated_url):
    body = dm_event(event_id="Ev0RESTART")
    await vigie.event(body)
    assert len(vigie.received) == 1
    await vigie.stop()
    vigie.channel.events.dispose()
    # A new process: a new channel object, a new engine, the same database.
    channel = VigieSlackInput.from_credentials(None)
    restarted = await started(channel)
    try:
        status, answer, _ = await restarted.event(body)
        assert status == 200 and answer == {"status": "déjà traité"}
        assert restarted.received == []
        await restarted.event(dm_event())
        assert len(restarted.received) == 1
    finally:
        await restarted.stop()
        channel.events.dispose()
        await vigie.start()  # the fixture stops it


async def test_a_slack_retry_of_a_handled_event_is_not_processed(vigie, slack_api):
    body = dm_event(event_id="Ev0RETRY")
    await vigie.event(body)
    for number, reason in ((1, "http_timeout"), (2, "http_error"), (3, "unknown_error")):
        status, answer, headers = await vigie.event(
            body, headers={"X-Slack-Retry-Num": str(number), "X-Slack-Retry-Reason": reason}
        )
        assert status == 200 and answer == {"status": "déjà traité"}
        assert headers.get("X-Slack-No-Retry") == "1"
    assert len(vigie.received) == 1


async def test_a_slack_retry_of_an_event_never_received_is_processed_once(vigie):
    body = dm_event(event_id="Ev0LOST")
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert (await vigie.event(body, headers=retry))[1] == {"status": "ok"}
    assert (await vigie.event(body, headers={**retry, "X-Slack-Retry-Num": "2"}))[1] == {"status": "déjà traité"}
    assert len(vigie.received) == 1


async def test_a_replayed_click_is_processed_once(vigie, migrated_url):
    click = button_click("/affirm", trigger_id="13345224609.738474920.8088930838d88f008e0")
    await vigie.interaction(click)
    status, answer, _ = await vigie.interaction(click)
    assert status == 200 and answer == {"status": "déjà traité"}
    assert vigie.texts == ["/affirm"]
    assert slack_events(migrated_url) == 1


async def test_a_click_without_trigger_id_is_deduplicated_on_its_action_ts(vigie):
    click = button_click("/affirm")
    del click["trigger_id"]
    await vigie.interaction(click)
    await vigie.interaction(click)
    assert vigie.texts == ["/affirm"]


def _deep(depth):
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    "raw, content_type, status",
    [
        (b"not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b"", "application/json", 400),
        (b"\xff\xfe{}", "application/json", 400),
        (_deep(30_000), "application/json", 400),
        (json.dumps({"type": "event_callback", "event": {"type": "message"}}).encode(), "application/json", 400),
        (json.dumps({"type": "wat"}).encode(), "application/json", 400),
        (json.dumps({"type": "url_verification"}).encode(), "application/json", 400),
        (json.dumps({**dm_event(), "event": "message"}).encode(), "application/json", 400),
        (json.dumps({**dm_event(), "event_id": 42}).encode(), "application/json", 400),
        (json.dumps(dm_event(user=None)).encode(), "application/json", 400),
        (json.dumps({**dm_event(), "team_id": None}).encode(), "application/json", 400),
        (json.dumps(dm_event(user=["U0"])).encode(), "application/json", 400),
        (json.dumps(dm_event(text=12)).encode(), "application/json", 400),
        (json.dumps(dm_event(text=None)).encode(), "application/json", 400),
        (json.dumps(dm_event(channel={"id": DM})).encode(), "application/json", 400),
        (json.dumps(dm_event(type=["message"])).encode(), "application/json", 400),
        (b"text=bonjour", "text/plain", 415),
        (b"text=bonjour&command=%2Fvigie", "application/x-www-form-urlencoded", 400),
        (b"payload=not-json", "application/x-www-form-urlencoded", 400),
        (b"payload=%5B%5D", "application/x-www-form-urlencoded", 400),
        (b"payload=%7B%7D&payload=%7B%7D", "application/x-www-form-urlencoded", 400),
        (b"payload=%ff", "application/x-www-form-urlencoded", 400),
        (b"&&&===", "application/x-www-form-urlencoded", 400),
        (
            urlencode({"payload": json.dumps({**button_click("/affirm"), "actions": []})}).encode(),
            "application/x-www-form-urlencoded",
            400,
        ),
        (
            urlencode({"payload": json.dumps({**button_click("/affirm"), "actions": ["x"]})}).encode(),
            "application/x-www-form-urlencoded",
            400,
        ),
        (
            urlencode({"payload": json.dumps({**button_click("/affirm"), "user": "U0"})}).encode(),
            "application/x-www-form-urlencoded",
            400,
        ),
        (
            urlencode({"payload": json.dumps({**button_click("/affirm"), "channel": None})}).encode(),
            "application/x-www-form-urlencoded",
            400,
        ),
        (
            urlencode(
                {"payload": json.dumps({**button_click("/affirm"), "team": None, "user": {"id": USER}})}
            ).encode(),
            "application/x-www-form-urlencoded",
            400,
        ),
        (urlencode({"payload": json.dumps(button_click(None))}).encode(), "application/x-www-form-urlencoded", 400),
        (
            urlencode({"payload": json.dumps(button_click(["/affirm"]))}).encode(),
            "application/x-www-form-urlencoded",
            400,
        ),
        (
            urlencode(
                {"payload": json.dumps({k: v for k, v in button_click("/affirm").items() if k != "type"})}
            ).encode(),
            "application/x-www-form-urlencoded",
            400,
        ),
        (b"{" + b" " * 70_000 + b"}", "application/json", 413),
    ],
)
async def test_malformed_bodies_are_refused_and_nothing_is_processed(
    vigie, slack_api, migrated_url, raw, content_type, status
):
    answer_status, answer, _ = await vigie.send(raw, content_type)
    assert answer_status == status and isinstance(answer["error"], str)
    assert_nothing_processed(vigie, slack_api, migrated_url)


async def test_without_the_table_nothing_is_processed_and_slack_may_retry(slack_env, slack_api, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'not-migrated.db'}")
    channel = VigieSlackInput.from_credentials(None)
    server = await started(channel)
    try:
        status, answer, _ = await server.event(dm_event())
        assert status == 503 and "réessayez" in answer["error"]
    finally:
        await server.stop()
        channel.events.dispose()
    assert_nothing_processed(server, slack_api)


# --- The deduplication table ------------------------------------------------------------------------


def test_the_table_is_created_by_the_migration(migrated_url):
    store = DeclarationStore(migrated_url)
    try:
        with store.engine.connect() as connection:
            inspector = inspect(connection)
            assert {c["name"] for c in inspector.get_columns("slack_events")} == {"id", "event_id", "received_at"}
            assert [u["column_names"] for u in inspector.get_unique_constraints("slack_events")] == [["event_id"]]
    finally:
        store.dispose()


def test_an_event_id_is_first_only_once_across_instances(migrated_url):
    first, second = SlackEventLog(migrated_url), SlackEventLog(migrated_url)
    try:
        assert first.first_time("event:Ev1") is True
        assert first.first_time("event:Ev1") is False
        assert second.first_time("event:Ev1") is False
        assert second.first_time("event:Ev2") is True
    finally:
        first.dispose()
        second.dispose()


def test_concurrent_inserts_let_exactly_one_through(migrated_url):
    logs = [SlackEventLog(migrated_url) for _ in range(4)]
    results, barrier = [], threading.Barrier(len(logs))

    def insert(log):
        barrier.wait()
        results.append(log.first_time("event:EvRACE"))

    threads = [threading.Thread(target=insert, args=(log,)) for log in logs]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(results) == [False, False, False, True]
    finally:
        for log in logs:
            log.dispose()


def test_rows_older_than_a_day_are_purged(migrated_url):
    clock = iter([0.0, 10.0, 4000.0, 4001.0]).__next__
    log = SlackEventLog(migrated_url, clock=clock)
    try:
        assert log.first_time("event:EvOLD")  # purges at t=0 (nothing to purge)
        with log.engine.begin() as connection:
            connection.execute(update(SlackEvent.__table__).values(received_at=utc_now() - timedelta(hours=25)))
        assert log.first_time("event:EvNEW")  # t=10: no purge yet
        assert slack_events(migrated_url) == 2
        assert log.first_time("event:EvNEWER")  # t=4000: purged
        assert slack_events(migrated_url) == 2
        assert log.first_time("event:EvOLD")  # purged: a 5-minute-old request is refused anyway
    finally:
        log.dispose()


def test_the_model_is_in_the_metadata_alembic_compares():
    from bot.core import storage

    assert storage.Base.metadata.tables["slack_events"] is SlackEvent.__table__
    assert slack.SlackEvent.__table__.c.event_id.type.length == 255


async def test_replies_use_aiohttp_without_blocking(vigie, slack_api, monkeypatch):
    # Two messages at once: both are answered, the event loop never waits on a socket.
    results = await asyncio.gather(vigie.event(dm_event("un")), vigie.event(dm_event("deux")))
    assert [status for status, _, _ in results] == [200, 200]
    assert sorted(vigie.texts) == ["deux", "un"]
    assert len(slack_api.posts) == 4


def test_the_migration_downgrades_and_upgrades_again(migrated_url):
    from alembic import command

    from bot.core.storage import alembic_config

    store = DeclarationStore(migrated_url)
    try:
        cfg = alembic_config(store.url)
        with store.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0002")
        with store.engine.connect() as connection:
            assert "slack_events" not in inspect(connection).get_table_names()
        store.migrate()
        with store.engine.connect() as connection:
            assert "slack_events" in inspect(connection).get_table_names()
    finally:
        store.dispose()
