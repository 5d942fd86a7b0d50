"""The chat page driven like a keyboard user, for the browser tests (tests/e2e)."""

from contextlib import contextmanager

from playwright.sync_api import sync_playwright

from tests.support.browser import launch, screenshot_path


class ChatPage:
    """The page, driven like a keyboard user. Waits are functions, not strings:
    Playwright evaluates a string with eval, which the page's CSP forbids."""

    def __init__(self, page, vigie, frame=None):
        """``frame``: the chat inside a page (the embeddable widget's panel); keys go to the page."""
        self.page, self.vigie = page, vigie
        self.dom = frame or page
        self.problems = []
        page.on("console", lambda message: self._console(message))
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message):
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def open(self):
        self.page.goto(self.vigie.web + "/")
        self.wait_connected()

    def wait_connected(self):
        self.dom.wait_for_function("() => document.getElementById('connection').textContent === 'Connecté.'")

    def bot_count(self) -> int:
        return self.dom.locator("#log .msg.bot, #log .msg.error").count()

    def focus_message_box(self):
        self.page.keyboard.press("Tab")  # the skip link comes first
        assert self.active("textContent") == "Aller à la saisie du message"
        self.page.keyboard.press("Enter")
        assert self.active("id") == "message"

    def active(self, prop: str) -> str:
        return self.dom.evaluate(f"document.activeElement.{prop}")

    def in_choices(self) -> bool:
        return self.dom.evaluate("document.getElementById('choices').contains(document.activeElement)")

    def type_message(self, text: str):
        """Typed where the focus is: in the message box, or on a proposed answer (the first letter
        sends the focus to the message box)."""
        before = self.bot_count()
        if self.active("id") != "message" and not self.in_choices():
            self.focus_message_box()
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")
        self.wait_turn(before)

    def _tab_to(self, title: str, key: str, presses: int):
        """From the message box or a proposed answer, ``key`` (Tab or Shift+Tab) until the button has the focus."""
        if self.active("id") != "message" and not self.in_choices():
            self.focus_message_box()
        if self.active("textContent") == title:
            return
        for _ in range(presses):
            self.page.keyboard.press(key)
            if self.active("textContent") == title:
                return
        raise AssertionError(f"no button « {title} » reachable with {key} from the message box")

    def press_button(self, title: str):
        """Tab forward through the proposed answers when the focus is on one of them (where it lands
        after each turn), else Shift+Tab back from the message box; then Enter."""
        self._tab_to(title, "Tab" if self.in_choices() else "Shift+Tab", 40)
        self.page.keyboard.press("Enter")

    def press_forward(self, title: str):
        """From the message box, Tab forward to the button, press Enter and wait for the answer."""
        before = self.bot_count()
        self.press_forward_only(title)
        self.wait_turn(before)

    def press_forward_only(self, title: str):
        """From the message box, Tab forward to the button and press Enter (no answer awaited)."""
        self._tab_to(title, "Tab", 25)
        self.page.keyboard.press("Enter")

    def wait_in_sight(self):
        """The newest message and its buttons end inside the window, above the composer (scrolling
        may still be under way: it is smooth unless reduced motion is asked for)."""
        self.dom.wait_for_function(IN_SIGHT, timeout=5_000)

    def choose(self, title: str):
        before = self.bot_count()
        self.press_button(title)
        self.wait_turn(before)

    def wait_turn(self, before: int):
        self.dom.wait_for_function(
            "([n]) => document.querySelectorAll('#log .msg.bot, #log .msg.error').length > n"
            " && document.getElementById('typing').hidden",
            arg=[before],
            timeout=90_000,
        )

    def sender(self) -> str:
        return self.dom.evaluate("sessionStorage.getItem('vigie.token')").split(".")[0]

    def requested_slot(self):
        return self.vigie.tracker(self.sender())["slots"].get("requested_slot")

    def last_bot_text(self) -> str:
        return self.dom.locator("#log .msg.bot").last.inner_text()

    def shot(self, name: str):
        self.page.screenshot(path=str(screenshot_path("web", name)), full_page=True)


# Questions answered on the proposed buttons in the browser tests (the others are typed).
BUTTON_ANSWERS = {
    "patient_endangerment": "Aucune",
    "is_ose": "Non",
    "support_requested": "Oui",
    "complaint_filed": "C'est prévu",
    "confirmed": "Envoyer la déclaration",
}
# Bottoms of the last message and of the answer buttons, against the composer's top and the window.
IN_SIGHT = """() => {
    const composer = document.getElementById('composer').getBoundingClientRect();
    const last = document.querySelector('#log').lastElementChild;
    const choices = document.getElementById('choices');
    const parts = [last, choices.hidden ? null : choices].filter(Boolean);
    return composer.bottom <= window.innerHeight && parts.every(part => {
        const box = part.getBoundingClientRect();
        return box.bottom > 0 && box.bottom <= composer.top;
    });
}"""


@contextmanager
def open_chat(vigie, **context_options):
    """A ChatPage in a new French browser context; no console error or CSP violation allowed."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(
            locale="fr-FR", permissions=["clipboard-read", "clipboard-write"], **context_options
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        chat_page = ChatPage(page, vigie)
        yield chat_page
        context.close()
        browser.close()
        assert chat_page.problems == []
