"""The REST channel (bot/channels/rest.py) served by Sanic on loopback, with a stub in place
of Rasa: off without VIGIE_REST_TOKEN, behind that token when on, identifiers masked and
said first."""

import itertools
import socket

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels import rest
from bot.channels.rest import MESSAGE_BURST, NO_TOKEN, OFF, VigieRestInput

TOKEN = "jeton-rest-de-test"
_apps = itertools.count()


class Rasa:
    def __init__(self):
        self.received = []

    async def on_new_message(self, message: UserMessage):
        self.received.append((message.sender_id, message.text))
        await message.output_channel.send_text_message(message.sender_id, f"écho : {message.text}")


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch):
    monkeypatch.setattr(Sanic, "test_mode", True)


@pytest.fixture
async def serve():
    servers = []

    async def start(token: str):
        rasa = Rasa()
        app = Sanic(f"vigie_rest_test_{next(_apps)}")
        with pytest.MonkeyPatch.context() as env:
            env.setenv("VIGIE_REST_TOKEN", token)
            app.blueprint(VigieRestInput().blueprint(rasa.on_new_message), url_prefix="/webhooks/rest")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.after_start()
        servers.append(server)
        return rasa, f"http://127.0.0.1:{sock.getsockname()[1]}/webhooks/rest/webhook"

    yield start
    for server in servers:
        await server.before_stop()
        server.close()
        await server.wait_closed()


async def post(url, body, headers=None):
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=body, headers=headers or {}) as reply:
            return reply.status, await reply.json(content_type=None)


async def test_without_a_token_the_channel_is_off(serve):
    rasa, url = await serve("")
    status, body = await post(url, {"sender": "moi", "message": "bonjour"}, {"Authorization": "Bearer "})
    assert (status, body) == (404, {"error": OFF}) and rasa.received == []


async def test_a_missing_or_wrong_token_is_refused(serve):
    rasa, url = await serve(TOKEN)
    for headers in ({}, {"Authorization": "Bearer faux"}, {"Authorization": TOKEN}):
        status, body = await post(url, {"sender": "moi", "message": "bonjour"}, headers)
        assert (status, body) == (401, {"error": NO_TOKEN})
    assert rasa.received == []


async def test_with_the_token_the_masked_text_reaches_rasa_after_the_notice(serve):
    rasa, url = await serve(TOKEN)
    status, replies = await post(
        url,
        {"sender": "integration-1", "message": "/\t/restart le patient Jean Dupont a été transféré"},
        {"Authorization": f"Bearer {TOKEN}"},
    )
    assert status == 200
    assert rasa.received == [("integration-1", "restart le patient [nom masqué] a été transféré")]
    assert [r["text"][:30] for r in replies] == ["Par précaution, j'ai masqué 1 ", "écho : restart le patient [nom"]


async def test_a_flood_from_one_sender_gets_429_with_the_wait_in_french(serve, monkeypatch):
    monkeypatch.setattr(rest, "clock", lambda: 1000.0)  # no refill however slow the posts are
    rasa, url = await serve(TOKEN)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    statuses = [
        (await post(url, {"sender": "flot", "message": "bonjour"}, headers))[0] for _ in range(MESSAGE_BURST + 5)
    ]
    assert statuses == [200] * MESSAGE_BURST + [429] * 5
    status, body = await post(url, {"sender": "flot", "message": "bonjour"}, headers)
    assert status == 429 and body["error"].startswith("Vous envoyez des messages trop vite")
    assert (await post(url, {"sender": "autre", "message": "bonjour"}, headers))[0] == 200  # per sender
