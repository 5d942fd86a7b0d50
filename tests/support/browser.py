"""Debian's chromium driven by Playwright, as the browser tests use it.

Playwright never downloads a browser here: `make test` installs Debian's
chromium package and we point Playwright at it."""

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def launch(playwright):
    """A headless chromium (``playwright`` from ``sync_playwright()``)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def screenshot_path(folder: str, name: str) -> Path:
    """Where a test keeps a screenshot (tests/artifacts/<folder>/<name>.png, not committed)."""
    path = ARTIFACTS / folder / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


async def french_page(browser, timeout_ms: int = 15_000):
    """A page of a new French context that accepts downloads (async Playwright)."""
    context = await browser.new_context(accept_downloads=True, locale="fr-FR")
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    return page
