"""The Teams channel (bot/channels/teams.py) against a fake Bot Framework on
loopback: OpenID metadata, JWKS (a locally generated RSA key), a token
endpoint and the conversations endpoint. The channel's Sanic blueprint runs
in-process, with an ``on_new_message`` stub in place of Rasa."""

import base64
import hashlib
import hmac
import itertools
import json
import socket
import time
from collections import Counter
from urllib.parse import urljoin

import aiohttp
import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels import teams
from bot.channels.rest import SENDER_PATTERN
from bot.channels.teams import TeamsInput, settings_from_env

APP_ID = "00000000-1111-2222-3333-444444444444"
APP_PASSWORD = "app-password-for-tests-only-0123456789abcdef"
TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
ISSUER = "https://api.botframework.com"
USER_ID = "29:1user-aad-id"
CONVERSATION_ID = "a:1conversation;messageid=1700000000000"
BUTTONS = [
    {"title": "Oui", "payload": "/affirm"},
    {"title": "Aucun impact", "payload": '/inform{"care_impact": "aucun"}'},
]
REPLY_TEXT = "Bien reçu. <b>Pas de HTML</b> <script>alert(1)</script>"
_apps = itertools.count()


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY_A, KEY_B = new_key(), new_key()


def jwk(private_key, kid, **extra):
    key = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {**key, "kid": kid, "use": "sig", "endorsements": ["msteams"], **extra}


class FakeBotFramework:
    def __init__(self):
        self.hits = Counter()
        self.keys = [jwk(KEY_A, "key-a")]
        self.replies = []
        self.token_forms = []
        self.reject_next_reply = False
        app = web.Application()
        app.router.add_get("/openid", self.openid)
        app.router.add_get("/keys", self.jwks)
        app.router.add_post("/token", self.token)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self.reply)
        self.server = TestServer(app, host="127.0.0.1")

    @property
    def url(self):
        return str(self.server.make_url("")).rstrip("/")

    async def openid(self, request):
        self.hits["openid"] += 1
        return web.json_response(
            {"issuer": ISSUER, "jwks_uri": f"{self.url}/keys", "id_token_signing_alg_values_supported": ["RS256"]}
        )

    async def jwks(self, request):
        self.hits["keys"] += 1
        return web.json_response({"keys": self.keys})

    async def token(self, request):
        self.hits["token"] += 1
        self.token_forms.append(dict(await request.post()))
        return web.json_response({"token_type": "Bearer", "expires_in": 3600, "access_token": "bot-token-1"})

    async def reply(self, request):
        self.hits["reply"] += 1
        if self.reject_next_reply:
            self.reject_next_reply = False
            return web.json_response({"error": "token expired"}, status=401)
        self.replies.append(
            {
                "conversation": request.match_info["conversation"],
                "reply_to": request.match_info["reply_to"],
                "authorization": request.headers.get("Authorization"),
                "activity": await request.json(),
            }
        )
        return web.json_response({"id": f"reply-{len(self.replies)}"})


@pytest.fixture
async def bf():
    fake = FakeBotFramework()
    await fake.server.start_server()
    yield fake
    await fake.server.close()


def environment(bf):
    return {
        "VIGIE_TEAMS_APP_ID": APP_ID,
        "VIGIE_TEAMS_APP_PASSWORD": APP_PASSWORD,
        "VIGIE_TEAMS_TENANT_ID": f"{TENANT}, 99999999-0000-0000-0000-000000000000",
        "VIGIE_TEAMS_OPENID_URL": f"{bf.url}/openid",
        "VIGIE_TEAMS_TOKEN_URL": f"{bf.url}/token",
        "VIGIE_TEAMS_ISSUER": ISSUER,
    }


class Vigie:
    """The channel served by Sanic on loopback, with a stub in place of Rasa."""

    def __init__(self, channel):
        self.channel = channel
        self.received = []
        self.fail = False

    async def on_new_message(self, message: UserMessage):
        self.received.append(message)
        if self.fail:
            raise RuntimeError("rasa down")
        await message.output_channel.send_response(message.sender_id, {"text": REPLY_TEXT, "buttons": BUTTONS})

    async def start(self):
        app = Sanic(f"vigie_teams_test_{next(_apps)}")
        app.config.ACCESS_LOG = False
        # Where Rasa's register() mounts a credentials.yml channel, with our stub as handler.
        app.blueprint(
            self.channel.blueprint(self.on_new_message), url_prefix=urljoin("/webhooks/", self.channel.url_prefix())
        )
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
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

    async def post(self, body, token=None, headers=None, raw=None):
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.http.post(
            f"{self.url}/webhooks/teams/webhook", data=data, headers={"Content-Type": "application/json", **headers}
        ) as resp:
            return resp.status, await resp.json(content_type=None)


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch):
    # Several Sanic apps in one process: Sanic's own test mode (as sanic-testing sets it).
    monkeypatch.setattr(Sanic, "test_mode", True)


@pytest.fixture
async def vigie(bf, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment(bf).items():
        monkeypatch.setenv(name, value)
    channel = TeamsInput.from_credentials(None)
    server = Vigie(channel)
    await server.start()
    yield server
    await server.stop()


def activity(bf, **changes):
    body = {
        "type": "message",
        "id": "1700000000000",
        "channelId": "msteams",
        "serviceUrl": bf.url,
        "timestamp": "2026-11-29T03:00:00.000Z",
        "text": "Rançongiciel sur le DPI",
        "from": {"id": USER_ID, "name": "Camille", "aadObjectId": "ffffffff-0000-0000-0000-000000000001"},
        "recipient": {"id": f"28:{APP_ID}", "name": "Vigie"},
        "conversation": {"id": CONVERSATION_ID, "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
    }
    body.update(changes)
    return body


def claims(bf, **changes):
    now = int(time.time())
    values = {"iss": ISSUER, "aud": APP_ID, "serviceUrl": bf.url, "nbf": now - 10, "exp": now + 3600}
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def token(bf, key=KEY_A, kid="key-a", algorithm="RS256", **claim_changes):
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(claims(bf, **claim_changes), key, algorithm=algorithm, headers=headers)


def b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def assert_nothing_processed(vigie, bf):
    assert vigie.received == []
    assert bf.replies == []
    assert bf.hits["token"] == 0


# --- configuration ----------------------------------------------------------------------------------


def test_settings_come_from_the_environment_with_microsoft_defaults():
    settings, missing = settings_from_env(
        {
            "VIGIE_TEAMS_APP_ID": APP_ID,
            "VIGIE_TEAMS_APP_PASSWORD": "pw",
            "VIGIE_TEAMS_TENANT_ID": f" {TENANT.upper()} ,other ",
        }
    )
    assert missing == []
    assert settings.tenants == {TENANT, "other"}
    assert settings.openid_url == "https://login.botframework.com/v1/.well-known/openidconfiguration"
    assert settings.token_url == f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"
    assert settings.issuer == "https://api.botframework.com"
    assert "pw" not in repr(settings)


def test_rasa_loads_the_channel_from_credentials_yml_without_network(monkeypatch, bf):
    from rasa.core.run import _create_single_channel

    for name, value in environment(bf).items():
        monkeypatch.setenv(name, value)
    channel = _create_single_channel("bot.channels.teams.TeamsInput", None)
    assert isinstance(channel, TeamsInput) and channel.name() == "teams" and channel.url_prefix() == "teams"
    assert channel.settings.app_id == APP_ID
    assert sum(bf.hits.values()) == 0


async def test_unconfigured_channel_starts_and_answers_503_in_french(monkeypatch, bf):
    for name in environment(bf):
        monkeypatch.delenv(name, raising=False)
    channel = TeamsInput.from_credentials(None)
    server = Vigie(channel)
    await server.start()
    try:
        status, body = await server.post(activity(bf), token=token(bf))
        assert status == 503
        assert "n'est pas configuré" in body["error"]
        assert server.received == [] and sum(bf.hits.values()) == 0
    finally:
        await server.stop()


# --- the happy paths --------------------------------------------------------------------------------


async def test_keys_are_not_fetched_before_the_first_request(vigie, bf):
    assert sum(bf.hits.values()) == 0
    status, _ = await vigie.post(activity(bf), token=token(bf))
    assert status == 200
    assert bf.hits["openid"] == 1 and bf.hits["keys"] == 1
    status, _ = await vigie.post(activity(bf, id="1700000000001"), token=token(bf))
    assert status == 200
    assert bf.hits["openid"] == 1 and bf.hits["keys"] == 1 and bf.hits["token"] == 1  # all cached


async def test_a_valid_message_reaches_rasa_and_the_reply_reaches_teams(vigie, bf):
    status, _ = await vigie.post(activity(bf), token=token(bf))
    assert status == 200
    [message] = vigie.received
    assert message.text == "Rançongiciel sur le DPI"
    assert message.sender_id == f"{USER_ID}|{CONVERSATION_ID}"
    assert message.input_channel == "teams"
    assert message.metadata is None

    assert bf.token_forms == [
        {
            "grant_type": "client_credentials",
            "client_id": APP_ID,
            "client_secret": APP_PASSWORD,
            "scope": "https://api.botframework.com/.default",
        }
    ]
    [reply] = bf.replies
    assert reply["conversation"] == CONVERSATION_ID and reply["reply_to"] == "1700000000000"
    assert reply["authorization"] == "Bearer bot-token-1"
    sent = reply["activity"]
    assert sent["type"] == "message" and sent["textFormat"] == "plain"
    assert sent["text"] == REPLY_TEXT  # as plain text: never interpreted as HTML
    assert sent["replyToId"] == "1700000000000"
    assert sent["recipient"] == {"id": USER_ID} and sent["from"] == {"id": f"28:{APP_ID}"}
    [attachment] = sent["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["actions"] == [
        {"type": "Action.Submit", "title": "Oui", "data": {"payload": "/affirm"}},
        {"type": "Action.Submit", "title": "Aucun impact", "data": {"payload": '/inform{"care_impact": "aucun"}'}},
    ]
    assert "<" not in json.dumps(card)


async def test_a_refused_bot_token_is_renewed_once(vigie, bf):
    bf.reject_next_reply = True
    status, _ = await vigie.post(activity(bf), token=token(bf))
    assert status == 200
    assert bf.hits["token"] == 2 and bf.hits["reply"] == 2 and len(bf.replies) == 1


async def test_logs_never_carry_text_tokens_or_secrets(vigie, bf, caplog):
    caplog.set_level("DEBUG")
    vigie.fail = True
    secret_text = "patient Dupont chambre 12"
    bearer = token(bf)
    await vigie.post(activity(bf, text=secret_text), token=bearer)
    await vigie.post(activity(bf, text=secret_text), token=token(bf, aud="x"))
    await vigie.post(None, token=bearer, raw=secret_text.encode())
    assert "Teams message handling failed: RuntimeError" in caplog.text
    for leaked in (secret_text, bearer, APP_PASSWORD, "bot-token-1"):
        assert leaked not in caplog.text


async def test_an_adaptive_card_submit_is_handled_as_its_payload(vigie, bf):
    body = activity(bf, value={"payload": '/inform{"care_impact": "aucun"}'})
    del body["text"]
    status, _ = await vigie.post(body, token=token(bf))
    assert status == 200
    assert [m.text for m in vigie.received] == ['/inform{"care_impact": "aucun"}']
    assert len(bf.replies) == 1


async def test_long_ids_give_a_stable_sender_no_other_channel_can_take(vigie, bf):
    conversation = {"id": "19:" + "c" * 300 + "@thread.tacv2", "tenantId": TENANT}
    for message_id in ("1", "2"):
        assert (await vigie.post(activity(bf, id=message_id, conversation=conversation), token=token(bf)))[0] == 200
    first, second = vigie.received
    assert first.sender_id == second.sender_id and len(first.sender_id) <= 255
    assert first.sender_id.startswith("teams||")
    assert not SENDER_PATTERN.match(first.sender_id)  # the REST channel cannot claim it
    assert not SENDER_PATTERN.match(f"{USER_ID}|{CONVERSATION_ID}")


async def test_the_mention_of_the_bot_is_removed_from_the_text(vigie, bf):
    body = activity(
        bf,
        text="<at>Vigie</at> rançongiciel aux urgences",
        entities=[
            {"type": "mention", "text": "<at>Vigie</at>", "mentioned": {"id": f"28:{APP_ID}", "name": "Vigie"}},
            {"type": "clientInfo", "locale": "fr-FR"},
        ],
    )
    assert (await vigie.post(body, token=token(bf)))[0] == 200
    assert [m.text for m in vigie.received] == ["rançongiciel aux urgences"]


async def test_typed_or_forged_slash_commands_are_neutralised(vigie, bf):
    await vigie.post(activity(bf, text="/restart"), token=token(bf))
    forged = activity(bf, id="1700000000002", value={"payload": '/inform{"confirmed": true}'})
    del forged["text"]
    await vigie.post(forged, token=token(bf))
    assert [m.text for m in vigie.received] == ["restart", 'inform{"confirmed": true}']


async def test_unusable_text_is_answered_in_teams_without_reaching_rasa(vigie, bf):
    status, _ = await vigie.post(activity(bf, text="   "), token=token(bf))
    assert status == 200
    assert vigie.received == []
    [reply] = bf.replies
    assert "vide" in reply["activity"]["text"]


async def test_a_failure_in_rasa_is_told_to_the_user(vigie, bf):
    vigie.fail = True
    status, body = await vigie.post(activity(bf), token=token(bf))
    assert status == 503 and "réessayez" in body["error"]
    [reply] = bf.replies
    assert "réessayez" in reply["activity"]["text"]


async def test_non_message_activities_are_acknowledged_and_ignored(vigie, bf):
    body = activity(bf, type="conversationUpdate", membersAdded=[{"id": USER_ID}])
    status, _ = await vigie.post(body, token=token(bf))
    assert status == 200
    assert vigie.received == [] and bf.replies == []


async def test_a_rotated_key_is_found_by_one_refresh(vigie, bf):
    assert (await vigie.post(activity(bf), token=token(bf)))[0] == 200
    bf.keys.append(jwk(KEY_B, "key-b"))
    status, _ = await vigie.post(activity(bf, id="1700000000003"), token=token(bf, key=KEY_B, kid="key-b"))
    assert status == 200
    assert bf.hits["keys"] == 2 and len(vigie.received) == 2


# --- refusals: nothing processed ----------------------------------------------------------------------


def hs256_with_public_key(bf):
    pem = KEY_A.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT', 'kid': 'key-a'})}.{b64(claims(bf))}"
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def none_token(bf):
    return f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': 'key-a'})}.{b64(claims(bf))}."


@pytest.mark.parametrize(
    "make_token, why",
    [
        (lambda bf: None, "no token"),
        (lambda bf: "not-a-jwt", "garbage"),
        (lambda bf: token(bf, key=KEY_B), "bad signature (another key under kid key-a)"),
        (lambda bf: token(bf)[:-6] + "AAAAAA", "tampered signature"),
        (lambda bf: token(bf, key=APP_PASSWORD, algorithm="HS256"), "HS256 with the app password"),
        (lambda bf: hs256_with_public_key(bf), "HS256 keyed with the public key (algorithm confusion)"),
        (lambda bf: token(bf, algorithm="PS256"), "PS256 with the right key"),
        (none_token, "alg none"),
        (lambda bf: token(bf, kid=None), "no kid"),
        (lambda bf: token(bf, iss="https://sts.windows.net/evil/"), "wrong issuer"),
        (lambda bf: token(bf, iss=None), "no issuer"),
        (lambda bf: token(bf, aud="another-bot"), "wrong audience"),
        (lambda bf: token(bf, aud=None), "no audience"),
        (lambda bf: token(bf, exp=int(time.time()) - 301, nbf=int(time.time()) - 4000), "expired beyond the skew"),
        (lambda bf: token(bf, exp=None), "no exp"),
        (lambda bf: token(bf, nbf=int(time.time()) + 600), "not yet valid"),
        (lambda bf: token(bf, serviceUrl="https://evil.example/"), "serviceUrl claim differs"),
        (lambda bf: token(bf, serviceUrl=None), "no serviceUrl claim"),
    ],
)
async def test_invalid_tokens_are_refused_with_401(vigie, bf, make_token, why):
    status, body = await vigie.post(activity(bf), token=make_token(bf))
    assert status == 401, why
    assert "Jeton" in body["error"]
    assert_nothing_processed(vigie, bf)


async def test_a_token_within_the_clock_skew_is_accepted(vigie, bf):
    now = int(time.time())
    status, _ = await vigie.post(activity(bf), token=token(bf, exp=now - 120, nbf=now - 4000))
    assert status == 200


async def test_malformed_authorization_headers_are_refused(vigie, bf):
    for header in ("Basic abc", f"Bearer {token(bf)} extra", token(bf), "Bearer "):
        status, _ = await vigie.post(activity(bf), headers={"Authorization": header})
        assert status == 401
    assert_nothing_processed(vigie, bf)


async def test_an_unknown_kid_triggers_one_refresh_then_401(vigie, bf):
    assert (await vigie.post(activity(bf), token=token(bf)))[0] == 200
    assert bf.hits["keys"] == 1
    vigie.received.clear(), bf.replies.clear()
    status, _ = await vigie.post(activity(bf), token=token(bf, key=KEY_B, kid="key-b"))
    assert status == 401
    assert bf.hits["keys"] == 2  # one refresh
    status, _ = await vigie.post(activity(bf), token=token(bf, key=KEY_B, kid="key-c"))
    assert status == 401
    assert bf.hits["keys"] == 2  # no refresh storm from random kids
    assert vigie.received == [] and bf.replies == []


async def test_an_unknown_kid_on_the_first_request_is_refused_after_one_fetch(vigie, bf):
    status, _ = await vigie.post(activity(bf), token=token(bf, key=KEY_B, kid="key-b"))
    assert status == 401
    assert bf.hits["keys"] == 1
    assert_nothing_processed(vigie, bf)


async def test_a_key_not_endorsed_for_teams_is_refused(vigie, bf):
    bf.keys = [jwk(KEY_A, "key-a", endorsements=["webchat"])]
    status, _ = await vigie.post(activity(bf), token=token(bf))
    assert status == 401
    assert_nothing_processed(vigie, bf)


async def test_a_replayed_token_with_an_edited_service_url_is_refused(vigie, bf):
    valid = token(bf)
    assert (await vigie.post(activity(bf), token=valid))[0] == 200
    vigie.received.clear(), bf.replies.clear()
    hits = bf.hits["reply"]
    status, _ = await vigie.post(activity(bf, serviceUrl="http://127.0.0.2:9/"), token=valid)
    assert status == 401
    assert vigie.received == [] and bf.replies == [] and bf.hits["reply"] == hits


@pytest.mark.parametrize(
    "changes",
    [
        {
            "channelData": {"tenant": {"id": "bbbbbbbb-0000-0000-0000-000000000000"}},
            "conversation": {"id": CONVERSATION_ID, "tenantId": "bbbbbbbb-0000-0000-0000-000000000000"},
        },
        {"channelData": {}, "conversation": {"id": CONVERSATION_ID}},
        {
            "channelData": {"tenant": {"id": TENANT}},
            "conversation": {"id": CONVERSATION_ID, "tenantId": "99999999-0000-0000-0000-000000000000"},
        },
        {
            "channelData": {"tenant": {"id": TENANT}},
            "conversation": {"id": CONVERSATION_ID, "tenantId": "bbbbbbbb-0000-0000-0000-000000000000"},
        },
    ],
)
async def test_other_tenants_or_channels_are_refused_with_403(vigie, bf, changes):
    status, body = await vigie.post(activity(bf, **changes), token=token(bf))
    assert status == 403
    assert "autorisé" in body["error"]
    assert_nothing_processed(vigie, bf)


async def test_other_bot_framework_channels_are_refused_with_403(vigie, bf):
    bf.keys = [jwk(KEY_A, "key-a", endorsements=["msteams", "webchat"])]
    status, _ = await vigie.post(activity(bf, channelId="webchat"), token=token(bf))
    assert status == 403
    assert_nothing_processed(vigie, bf)


async def test_the_tenant_may_come_from_the_conversation_alone(vigie, bf):
    status, _ = await vigie.post(activity(bf, channelData={}), token=token(bf))
    assert status == 200 and len(vigie.received) == 1


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'"text"',
        b"\xff\xfe{}",
        b"null",
        b"[" * 100_000,
    ],
)
async def test_malformed_bodies_are_refused_with_400(vigie, bf, raw):
    status, body = await vigie.post(None, token=token(bf), raw=raw)
    assert status == 400 and "invalide" in body["error"]
    assert_nothing_processed(vigie, bf)


@pytest.mark.parametrize(
    "changes",
    [
        {"type": None},
        {"type": 3},
        {"serviceUrl": None},
        {"channelId": None},
        {"conversation": None},
        {"conversation": "x"},
        {"conversation": {"id": 42, "tenantId": TENANT}},
        {"conversation": {"id": "a b", "tenantId": TENANT}},
        {"conversation": {"id": "x" * 600, "tenantId": TENANT}},
        {"from": None},
        {"from": {"id": ["x"]}},
        {"from": {"id": "a|b"}},
        {"id": None},
        {"id": 12},
        {"text": 42},
        {"text": ["oui"]},
        {"channelData": "x"},
        {"channelData": {"tenant": "x"}},
        {"channelData": {"tenant": {"id": 1}}},
        {"recipient": "bot"},
    ],
)
async def test_activities_with_missing_or_mistyped_fields_are_refused_with_400(vigie, bf, changes):
    body = {k: v for k, v in activity(bf, **changes).items() if v is not None}
    status, _ = await vigie.post(body, token=token(bf))
    assert status == 400
    assert_nothing_processed(vigie, bf)


async def test_huge_bodies_are_refused_with_413(vigie, bf):
    huge = activity(bf, text="a" * (teams.MAX_BODY_BYTES + 1))
    status, body = await vigie.post(huge, token=token(bf))
    assert status == 413 and "volumineuse" in body["error"]
    assert_nothing_processed(vigie, bf)


async def test_huge_chunked_bodies_are_cut_at_the_cap(vigie, bf):
    async def chunks():
        yield json.dumps(activity(bf))[:-1].encode() + b', "pad": "'
        for _ in range(40):
            yield b"x" * 8192
        yield b'"}'

    async with vigie.http.post(
        f"{vigie.url}/webhooks/teams/webhook", data=chunks(), headers={"Authorization": f"Bearer {token(bf)}"}
    ) as resp:
        assert resp.status == 413
    assert_nothing_processed(vigie, bf)


async def test_a_huge_body_without_a_token_is_refused_before_being_read(vigie, bf):
    status, _ = await vigie.post(activity(bf, pad="x" * 100_000))
    assert status == 401
    assert_nothing_processed(vigie, bf)
    assert sum(bf.hits.values()) == 0


async def test_key_endpoints_down_answer_503_without_processing(vigie, bf):
    vigie.channel.keys.openid_url = "http://127.0.0.1:9/openid"
    status, body = await vigie.post(activity(bf), token=token(bf))
    assert status == 503 and "clés" in body["error"]
    assert_nothing_processed(vigie, bf)
