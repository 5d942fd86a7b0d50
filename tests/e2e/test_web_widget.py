"""The chat page in a real browser (Debian's chromium, Playwright), keyboard
only, against the servers `make run` starts: a full declaration, the summary
card, the receipt and its reference, a reload mid-form and after, text shown as
text, a new conversation, and no Content-Security-Policy violation.
Screenshots go to tests/artifacts/web/."""

import re

import pytest

from tests.support.chat_page import BUTTON_ANSWERS, ChatPage, open_chat
from tests.support.declarant import PERSONA, REFERENCE, RICH_OPENING

MAX_TURNS = 25


@pytest.fixture
def chat(vigie):
    with open_chat(vigie) as chat_page:
        yield chat_page


def declare(chat: ChatPage, reload_after: int = 2) -> str:
    chat.focus_message_box()
    chat.page.evaluate("""() => { window.typingSeen = false;
        new MutationObserver(() => { if (!document.getElementById('typing').hidden) window.typingSeen = true; })
          .observe(document.getElementById('typing'), {attributes: true}); }""")
    chat.type_message(RICH_OPENING)
    assert chat.page.evaluate("window.typingSeen") is True
    for turn in range(MAX_TURNS):
        receipts = chat.page.locator("#log .msg.bot.receipt")  # the offer to complete it follows the receipt
        found = REFERENCE.search(receipts.last.inner_text()) if receipts.count() else None
        if found:
            return found.group()
        if turn == reload_after:
            chat.page.reload()
            chat.wait_connected()
            chat.shot("02-rechargement-en-cours")
        requested = chat.requested_slot()
        assert requested, chat.last_bot_text()
        if requested == "confirmed":
            summary = chat.page.locator("#log .msg.bot.summary").last
            assert summary.locator("h3").inner_text() == "Récapitulatif de votre déclaration"
            assert summary.locator("dt", has_text="Nom de la structure").count() == 1
            chat.shot("03-recapitulatif")
        if requested in BUTTON_ANSWERS:
            chat.choose(BUTTON_ANSWERS[requested])
        else:
            chat.type_message(PERSONA.get(requested, "je ne sais pas"))
    pytest.fail("no reference after the whole form")


def test_a_full_declaration_with_the_keyboard_only(chat, vigie):
    chat.open()
    chat.shot("01-accueil")
    reference = declare(chat)
    receipt = chat.page.locator("#log .msg.bot.receipt").last
    assert receipt.locator(".reference .value").inner_text() == reference
    chat.shot("04-recu")

    stored = vigie.declaration(reference)
    assert stored["channel"] == "web" and stored["structure_name"] == "CH de Vierzon"
    assert stored["declarant_email"] == PERSONA["declarant_email"] and stored["support_requested"] == "oui"

    links = receipt.locator("a[href*='/recu/']")
    assert [re.sub(r"\s*\(nouvelle fenêtre\)", "", text) for text in links.all_inner_texts()] == [
        "Ouvrir le récépissé",
        "Télécharger le récépissé (PDF)",
    ]
    receipt_link = links.first.get_attribute("href")
    printable = chat.page.context.new_page()
    printable.goto(receipt_link)
    assert reference in printable.locator("body").inner_text()
    printable.close()

    chat.press_button("Copier la référence")
    chat.page.wait_for_function("() => document.getElementById('notice').textContent.includes('copiée')")
    assert receipt.locator(".reference button").inner_text() == "Référence copiée ✓"
    assert chat.page.evaluate("navigator.clipboard.readText()") == reference

    before_reload = chat.page.locator("#log .msg").count()
    chat.page.reload()
    chat.wait_connected()
    assert chat.page.locator("#log .msg").count() == before_reload
    chat.type_message("où en est ma déclaration ?")
    assert reference in chat.last_bot_text()


def test_text_is_shown_as_text_and_a_new_conversation_starts_clean(chat):
    chat.open()
    chat.focus_message_box()
    attack = "<img src=x onerror=\"document.title='pwned'\"><b>gras</b>"
    chat.type_message(attack)
    assert chat.page.locator("#log .msg.user .text").last.inner_text() == attack
    assert chat.page.locator("#log img, #log b").count() == 0
    assert chat.page.title().startswith("Vigie")
    first = chat.sender()

    chat.page.once("dialog", lambda dialog: dialog.accept())
    chat.press_button("Nouvelle déclaration")
    chat.page.wait_for_function("() => document.querySelectorAll('#log .msg').length === 0")
    chat.page.wait_for_function(f"() => !sessionStorage.getItem('vigie.token').startsWith('{first}')")
    assert re.fullmatch(r"[0-9a-f]{32}", chat.sender()) and chat.sender() != first
    chat.type_message("bonjour")
    assert "Vigie" in chat.last_bot_text()
