"""The embeddable widget: one <script> tag on an intranet page served from another origin
(loopback, another port) puts a launcher on it; a whole declaration is made in its panel,
across a page change of the host; an origin not in VIGIE_ALLOWED_ORIGINS gets a refusal."""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playwright.sync_api import sync_playwright

from tests.e2e.test_web_page_flow import answer, to_the_reference
from tests.support.browser import launch
from tests.support.chat_page import BUTTON_ANSWERS, ChatPage
from tests.support.declarant import PERSONA, RICH_OPENING
from tests.support.servers import free_port

LAUNCHER = "Déclarer un incident de sécurité"
# The host's own CSS tries to restyle every button and iframe: the shadow root keeps it out.
HOST_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Intranet — {title}</title>
<style>button {{ display: none !important; }} iframe {{ width: 1px !important; }}</style></head>
<body><h1>{title}</h1><p><a href="/{other}">Page suivante</a></p>
<script src="{vigie}/static/embed.js" async data-label="{label}"></script></body></html>"""


@contextmanager
def intranet(port: int, vigie_web: str):
    class Pages(BaseHTTPRequestHandler):
        def do_GET(self):
            title, other = ("Accueil", "annuaire") if self.path == "/" else ("Annuaire", "")
            body = HOST_PAGE.format(title=title, other=other, vigie=vigie_web, label=LAUNCHER).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser_page(viewport):
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(locale="fr-FR", viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        context.close()
        browser.close()


def panel(page):
    """The panel's frame (Playwright's CSS locators go through the open shadow root)."""
    return page.locator("iframe[title^='Vigie']").element_handle().content_frame()


def panel_chat(page, vigie) -> ChatPage:
    chat = ChatPage(page, vigie, frame=panel(page))
    chat.wait_connected()
    return chat


def test_a_declaration_made_in_the_panel_of_an_intranet_page(vigie):
    port = int(vigie.env["VIGIE_TEST_INTRANET_PORT"])
    with intranet(port, vigie.web) as site, browser_page({"width": 1366, "height": 768}) as page:
        page.goto(site + "/")
        page.get_by_role("button", name=LAUNCHER).click()
        chat = panel_chat(page, vigie)
        assert chat.dom.evaluate("document.body.classList.contains('embedded')")
        write(chat, RICH_OPENING)
        tap_or_write(chat, chat.requested_slot())
        shown, sender = chat.bot_count(), chat.sender()

        page.get_by_role("link", name="Page suivante").click()  # the host changes page: the panel follows
        page.wait_for_url(site + "/annuaire")
        chat = panel_chat(page, vigie)
        assert chat.sender() == sender and chat.bot_count() == shown

        reference = to_the_reference(chat, lambda requested: tap_or_write(chat, requested))
        assert vigie.declaration(reference)["channel"] == "web"
        page.get_by_role("button", name="Fermer Vigie").click()
        assert page.get_by_role("button", name=LAUNCHER).get_attribute("aria-expanded") == "false"


def write(chat: ChatPage, text: str):
    chat.dom.locator("#message").fill(text)
    before = chat.bot_count()
    chat.dom.locator("#send").click()
    chat.wait_turn(before)


def tap_or_write(chat: ChatPage, requested: str):
    if requested in BUTTON_ANSWERS:
        answer(chat, requested, tap=True)
    else:
        write(chat, PERSONA.get(requested, "je ne sais pas"))
        chat.wait_in_sight()


def test_an_origin_not_allowed_gets_a_refusal_not_the_chat(vigie):
    with intranet(free_port(), vigie.web) as site, browser_page({"width": 390, "height": 844}) as page:
        page.goto(site + "/")
        page.get_by_role("button", name=LAUNCHER).click()
        refusal = page.get_by_role("alert")
        refusal.wait_for(timeout=15_000)
        assert "ce site ne fait pas partie des sites autorisés" in refusal.inner_text()
        assert page.locator("iframe[title^='Vigie']").is_hidden()
        assert panel(page).locator("#log").count() == 0  # the browser never showed the chat
