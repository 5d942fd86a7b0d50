"""The chat page and its assets, served by the web app (bot/web/chat_page.py)."""

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.core.storage import DeclarationStore
from bot.web import app as web_app
from bot.web.chat_page import STATIC_DIR, chat_origins, security_headers


@pytest.fixture
async def client(tmp_path):
    store = DeclarationStore(f"sqlite:///{tmp_path / 'vigie.db'}")
    store.migrate()
    test_client = TestClient(TestServer(web_app.create_app(store, "jeton", "http://127.0.0.1:5005")))
    await test_client.start_server()
    try:
        yield test_client
    finally:
        await test_client.close()
        store.dispose()


async def test_the_page_is_french_and_names_the_chat_server(client):
    response = await client.get("/")
    html = await response.text()
    assert response.status == 200 and response.content_type == "text/html"
    assert '<html lang="fr">' in html
    assert '<meta name="vigie-chat-url" content="http://127.0.0.1:5005">' in html
    assert '<label for="message">Votre message</label>' in html
    assert "<script>" not in html and "style=" not in html  # nothing inline: the CSP forbids it


async def test_the_page_carries_a_strict_content_security_policy(client):
    response = await client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "connect-src 'self' http://127.0.0.1:5005 ws://127.0.0.1:5005" in policy
    assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_assets_are_served_locally(client):
    for path, kind in [("/static/widget.js", "javascript"), ("/static/widget.css", "text/css")]:
        response = await client.get(path)
        assert response.status == 200 and kind in response.content_type, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    if (STATIC_DIR / "vendor" / "socket.io.min.js").exists():  # `make widget` puts it there
        assert (await client.get("/static/vendor/socket.io.min.js")).status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/static/",
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/../widget/package.json",
        "/static/../../../bot/core/storage.py",
    ],
)
async def test_nothing_outside_the_static_folder_is_served(client, path):
    response = await client.get(path)
    assert response.status in (403, 404), path


def test_the_widget_writes_text_never_html():
    script = (STATIC_DIR / "widget.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink


def test_chat_origins_cover_polling_and_websockets():
    assert chat_origins("") == ""
    assert chat_origins("https://vigie.example.fr") == " https://vigie.example.fr wss://vigie.example.fr"
    with pytest.raises(ValueError, match="VIGIE_CHAT_URL"):
        chat_origins("javascript:alert(1)")
    assert "connect-src 'self';" in security_headers("")["Content-Security-Policy"]


async def test_the_page_says_how_long_the_conversation_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("VIGIE_RETENTION_DAYS", "14")
    store = DeclarationStore(f"sqlite:///{tmp_path / 'vigie.db'}")
    store.migrate()
    client = TestClient(TestServer(web_app.create_app(store, "jeton", "")))
    await client.start_server()
    try:
        html = await (await client.get("/")).text()
    finally:
        await client.close()
        store.dispose()
    assert "Cette conversation est supprimée 14 jours après votre dernier message" in html
    assert "N'écrivez aucun nom ni numéro de patient" in html


async def test_only_the_allowed_origins_may_frame_the_embedded_chat(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "VIGIE_ALLOWED_ORIGINS", "http://127.0.0.1:8080,https://intranet.ch-essai.fr,https://*.evil.test"
    )
    store = DeclarationStore(f"sqlite:///{tmp_path / 'vigie.db'}")
    store.migrate()
    client = TestClient(TestServer(web_app.create_app(store, "jeton", "")))
    await client.start_server()
    try:
        embedded, page, script = await client.get("/embed"), await client.get("/"), await client.get("/static/embed.js")
        embedded_html, script_text = await embedded.text(), await script.text()
    finally:
        await client.close()
        store.dispose()
    policy = embedded.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' http://127.0.0.1:8080 https://intranet.ch-essai.fr;" in policy + ";"
    assert "evil" not in policy and "X-Frame-Options" not in embedded.headers
    assert 'class="embedded"' in embedded_html and 'target="_blank"' in embedded_html
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert script.status == 200 and "attachShadow" in script_text
