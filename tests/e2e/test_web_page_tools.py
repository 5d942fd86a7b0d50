"""What the chat page gives beside the conversation: times on messages, the transcript to
download (patient identifiers masked), one declaration shared by the tabs of a browser,
the footer's notices, and an automated accessibility check (axe-core, from npm)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.support.browser import launch
from tests.support.chat_page import ChatPage, open_chat

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
OPENING_WITH_A_PATIENT = (
    "Rançongiciel sur nos serveurs depuis ce matin, le dossier du patient Jean Dupont "
    "NIR 1 85 05 78 006 084 99 est illisible"
)
CLOCK = re.compile(r"^\d{2}:\d{2}$")
NOTICES = {
    "Accessibilité : non conforme": "Déclaration d'accessibilité",
    "Mentions légales": "Mentions légales",
    "Données personnelles": "Données personnelles et confidentialité",
}


def test_the_transcript_has_the_times_and_no_patient_identifier(vigie, tmp_path):
    with open_chat(vigie, accept_downloads=True) as chat:
        chat.open()
        chat.type_message(OPENING_WITH_A_PATIENT)
        shown = chat.page.locator("#log .msg.user").first
        chat.page.wait_for_function(
            "() => document.querySelector('#log .msg.user .text').textContent.includes('[nom masqué]')"
        )
        assert "084 99" not in shown.inner_text() and "Dupont" not in shown.inner_text()
        stamps = chat.page.locator("#log .msg time.stamp").all_inner_texts()
        assert len(stamps) == chat.page.locator("#log .msg").count() and all(CLOCK.match(s) for s in stamps)
        stored = chat.page.evaluate("sessionStorage.getItem('vigie.history')")
        assert "084 99" not in stored and "Dupont" not in stored

        with chat.page.expect_download() as download:
            chat.press_forward_only("Télécharger la conversation")
        path = tmp_path / "conversation.txt"
        download.value.save_as(path)
        text = path.read_text(encoding="utf-8-sig")
        assert download.value.suggested_filename.startswith("vigie-conversation-")
        assert text.startswith("Conversation avec Vigie, téléchargée le ")
        assert "Vous : Rançongiciel sur nos serveurs" in text and "[nom masqué]" in text
        assert "084 99" not in text and "Dupont" not in text
        assert re.search(r"\[\d{2}/\d{2}/\d{4} \d{2}:\d{2}\] Vigie : ", text)


def test_a_second_tab_carries_on_the_same_declaration(vigie):
    with open_chat(vigie) as first:
        first.open()
        first.type_message("Je veux déclarer un incident")
        second = ChatPage(first.page.context.new_page(), vigie)
        second.open()
        assert second.sender() == first.sender()
        assert second.page.locator("#log .msg").count() == first.page.locator("#log .msg").count()
        assert second.last_bot_text() == first.last_bot_text()

        before = first.bot_count()
        second.type_message("je ne sais pas")
        first.wait_turn(before)
        assert first.dom.locator("#log .msg.user .text").last.inner_text() == "je ne sais pas"
        assert first.last_bot_text() == second.last_bot_text()
        assert first.page.evaluate("sessionStorage.getItem('vigie.history')").count("je ne sais pas") == 1
        assert second.problems == []


def test_the_footer_leads_to_the_notices(vigie):
    with open_chat(vigie) as chat:
        chat.open()
        for link, title in NOTICES.items():
            chat.page.get_by_role("link", name=link).click()
            assert chat.page.locator("h1").inner_text() == title
            assert "Centre hospitalier d'essai" in chat.page.locator("main").inner_text()
            chat.page.get_by_role("link", name="Retour à la conversation").click()
            chat.wait_connected()
        chat.page.goto(vigie.web + "/confidentialite")
        assert "supprimée 30 jours après votre dernier message" in chat.page.locator("main").inner_text()
        assert "dpo@ch-essai.test" in chat.page.locator("main").inner_text()
        chat.page.goto(vigie.web + "/mentions-legales")
        assert "Licence Ouverte Etalab 2.0" in chat.page.locator("main").inner_text()


def serious_violations(page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}])
def test_axe_finds_no_serious_violation(vigie, viewport):
    """axe-core is injected past the page's CSP (``bypass_csp``, this check's context only)."""
    assert AXE.exists(), "axe-core is missing: `make browser` installs it"
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(locale="fr-FR", bypass_csp=True, viewport=viewport)
        chat = ChatPage(context.new_page(), vigie)
        chat.open()
        chat.type_message("Je veux déclarer un incident, nos serveurs sont chiffrés par un rançongiciel")
        found = {"/": serious_violations(chat.page)}
        for path in ("/accessibilite", "/mentions-legales", "/confidentialite"):
            chat.page.goto(vigie.web + path)
            found[path] = serious_violations(chat.page)
        context.close()
        browser.close()
    assert found == {path: [] for path in found}
