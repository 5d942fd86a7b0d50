"""The chat page on a desktop and a phone: after every turn the newest message and its buttons
are in sight above the composer, without scrolling by hand; "revenir à la question précédente"
takes an answer back; a cancel at the summary asks first and can be taken back, then the
declaration goes out whole. With the keyboard, the proposed answers come next in the Tab order.
On the phone, a photo is joined (and a program refused): the receipt lists it and it is forwarded."""

import urllib.request

import pytest

from tests.support.chat_page import BUTTON_ANSWERS, ChatPage, open_chat
from tests.support.declarant import PERSONA, REFERENCE, RICH_OPENING

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 568}
MAX_TURNS = 30


def receipt_reference(chat: ChatPage):
    receipts = chat.dom.locator("#log .msg.bot.receipt")
    found = REFERENCE.search(receipts.last.inner_text()) if receipts.count() else None
    return found.group() if found else None


def recent_bot_text(chat: ChatPage, count: int = 3) -> str:
    return "\n".join(chat.dom.locator("#log .msg.bot").all_inner_texts()[-count:])


def answer(chat: ChatPage, requested: str, tap: bool):
    title = BUTTON_ANSWERS.get(requested)
    if title is None:
        chat.type_message(PERSONA.get(requested, "je ne sais pas"))
    elif tap:
        before = chat.bot_count()
        chat.dom.locator("#choices button", has_text=title).click()
        chat.wait_turn(before)
    else:
        # Keyboard: the proposed answers come next in the Tab order, the focus is on the first one.
        assert chat.in_choices() and chat.dom.evaluate(
            "document.activeElement === document.getElementById('choices').firstElementChild"
        ), chat.active("outerHTML")
        chat.choose(title)
    chat.wait_in_sight()


def start(chat: ChatPage):
    chat.open()
    chat.focus_message_box()
    chat.type_message(RICH_OPENING)
    chat.wait_in_sight()


def cancel_and_take_back(chat: ChatPage):
    chat.choose("Annuler")
    chat.wait_in_sight()
    assert "Voulez-vous vraiment annuler" in chat.last_bot_text()
    assert chat.requested_slot() == "confirmed"  # nothing is lost while the question stands
    chat.choose("Oui, annuler")
    chat.wait_in_sight()
    assert "C'est annulé" in chat.last_bot_text(), recent_bot_text(chat)
    assert chat.requested_slot() is None
    chat.shot("10-annulee")
    chat.choose("Reprendre la déclaration annulée")
    chat.wait_in_sight()
    assert "Je reprends la déclaration annulée" in recent_bot_text(chat)
    assert chat.requested_slot() == "confirmed"
    assert chat.dom.locator("#log .msg.bot.summary").count() == 2


def to_the_reference(chat: ChatPage, turn) -> str:
    """``turn(requested)`` at each question until the receipt gives the reference."""
    for _ in range(MAX_TURNS):
        reference = receipt_reference(chat)
        if reference:
            return reference
        requested = chat.requested_slot()
        assert requested, chat.last_bot_text()
        turn(requested)
    pytest.fail("no reference after the whole form")


def test_on_a_desktop_a_step_back_and_a_cancel_taken_back_lose_nothing(vigie):
    with open_chat(vigie, viewport=DESKTOP) as chat:
        start(chat)
        asked, went_back, cancelled = [], False, False

        def turn(requested):
            nonlocal went_back, cancelled
            if len(asked) == 2 and not went_back:
                chat.press_forward("Revenir à la question précédente")
                chat.wait_in_sight()
                assert "je reprends la question précédente" in recent_bot_text(chat)
                assert chat.requested_slot() == asked[-1]
                went_back = True
            elif requested == "confirmed" and not cancelled:
                cancel_and_take_back(chat)
                cancelled = True
            else:
                asked.append(requested)
                answer(chat, requested, tap=False)

        reference = to_the_reference(chat, turn)
        chat.shot("11-recu-bureau")
        assert went_back and cancelled
        stored = vigie.declaration(reference)
        assert stored["structure_name"] == "CH de Vierzon" and stored["declarant_email"] == PERSONA["declarant_email"]


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)


def join_file(chat: ChatPage, path, expected: str):
    """Tap "Joindre un fichier", pick ``path`` and wait for Vigie's word on it."""
    count = chat.dom.locator("#log .msg").count()
    with chat.page.expect_file_chooser() as chooser:
        chat.dom.locator("#attach").click()
    chooser.value.set_files(str(path))
    chat.dom.wait_for_function(
        "([n, text]) => [...document.querySelectorAll('#log .msg')].slice(n).some(m => m.textContent.includes(text))",
        arg=[count, expected],
    )
    chat.wait_in_sight()
    chat.dom.locator("#message").click()  # back to writing, as a finger would


def test_on_a_phone_every_turn_is_in_sight_without_scrolling(vigie, tmp_path):
    with open_chat(vigie, viewport=PHONE, has_touch=True, is_mobile=True, reduced_motion="reduce") as chat:
        start(chat)
        (tmp_path / "note-de-rancon.png").write_bytes(PNG)
        (tmp_path / "facture.png").write_bytes(b"MZ\x90\x00" + bytes(64))
        join_file(chat, tmp_path / "note-de-rancon.png", "il sera transmis avec votre déclaration")
        join_file(chat, tmp_path / "facture.png", "« facture.png » n'a pas été ajouté. Ce type de fichier (exe)")
        # The browser logs every refused request; this one is expected, and only this one.
        refused = [p for p in chat.problems if "status of 422" in p]
        assert len(refused) == 1, chat.problems
        chat.problems.remove(refused[0])
        reference = to_the_reference(chat, lambda requested: answer(chat, requested, tap=True))
        chat.shot("12-recu-mobile")
        stored = vigie.declaration(reference)
        assert stored["channel"] == "web"
        assert [item["name"] for item in stored["attachments"]] == ["note-de-rancon.png"]
        receipt = chat.dom.locator("#log .receipt a", has_text="Ouvrir le récépissé").get_attribute("href")
        with urllib.request.urlopen(receipt) as page:
            assert "note-de-rancon.png (image PNG" in page.read().decode()
        [forwarded] = [body["attachment"] for body in vigie.delivered_for(reference, "piece_jointe")]
        assert forwarded["name"] == "note-de-rancon.png" and forwarded["content_base64"]


def test_on_the_smallest_phone_the_first_questions_are_in_sight(vigie):
    with open_chat(vigie, viewport=SMALL_PHONE, has_touch=True, is_mobile=True) as chat:
        start(chat)
        for _ in range(3):
            answer(chat, chat.requested_slot(), tap=True)
        width = chat.dom.evaluate("document.documentElement.scrollWidth")
        assert width <= SMALL_PHONE["width"]  # nothing wider than the screen
