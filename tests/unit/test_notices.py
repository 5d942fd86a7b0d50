"""The notices linked from the chat page's footer (bot/web/notices.py): the facts they
state come from the settings the code obeys, and who runs the instance from its settings."""

import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.core.register import ATTRIBUTION
from bot.core.storage import DeclarationStore
from bot.settings import Settings
from bot.web import app as web_app
from bot.web.notices import NOTICES, UNSET, render

PATHS = [path for path, _, _ in NOTICES]


@pytest.fixture
async def client(tmp_path, monkeypatch):
    monkeypatch.setenv("VIGIE_RETENTION_DAYS", "14")
    monkeypatch.setenv("VIGIE_OPERATOR", "GHT Cœur de Loire")
    monkeypatch.setenv("VIGIE_DPO_CONTACT", "dpo@ght.test")
    store = DeclarationStore(f"sqlite:///{tmp_path / 'vigie.db'}")
    store.migrate()
    test_client = TestClient(TestServer(web_app.create_app(store, "jeton", "")))
    await test_client.start_server()
    try:
        yield test_client
    finally:
        await test_client.close()
        store.dispose()


async def test_the_chat_page_footer_links_every_notice(client):
    html = await (await client.get("/")).text()
    footer = html[html.index("<footer") :]
    for path, _, label in NOTICES:
        assert f'<a href="{path}">{label}</a>' in footer
    assert "Accessibilité : non conforme" in footer  # the RGAA's wording of the state, in the link


@pytest.mark.parametrize("path", PATHS)
async def test_each_notice_is_a_french_page_with_a_strict_policy(client, path):
    response = await client.get(path)
    html = await response.text()
    assert response.status == 200 and '<html lang="fr">' in html
    assert "<script" not in html and "style=" not in html
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert html.count("<h1>") == 1 and 'aria-current="page"' in html
    assert "GHT Cœur de Loire" in html


async def test_the_privacy_notice_states_the_retention_the_code_applies(client):
    html = await (await client.get("/confidentialite")).text()
    assert "La conversation est supprimée 14 jours après votre dernier message" in html
    assert "dpo@ght.test" in html and "CERT Santé" in html and "ARS" in html


async def test_the_legal_notice_gives_the_register_attribution(client):
    html = await (await client.get("/mentions-legales")).text()
    assert ATTRIBUTION.replace("'", "&#39;") in html or ATTRIBUTION in html


def test_what_the_operator_did_not_give_is_said_so():
    html = render("/mentions-legales", Settings.from_env({}))
    assert len(re.findall(UNSET, html)) == 5  # operator, address, contact, director, hosting
