"""The declarant's receipt in a real browser (Debian's chromium, driven by Playwright).

The web app (bot.web.app.create_app) is served in-process on a free port, over
a temporary SQLite database holding one declaration; the link is the one the
chat gives (bot.receipts.links.receipt_urls). No Rasa here. Screenshots and the
printed PDF go to tests/artifacts/receipt/.
"""

import re
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import async_playwright

from bot.admin.display import BLOCKS
from bot.core.storage import DeclarationStore
from bot.receipts.links import receipt_urls
from bot.web.app import create_app
from tests.support.browser import french_page, launch, screenshot_path
from tests.support.declarations import submit
from tests.support.servers import free_port

SECRET = "un-secret-de-recu-pour-le-navigateur"
HEADINGS = [f"{number}. {title}" for number, (title, _) in enumerate(BLOCKS, 1)]


@pytest.fixture
def store(tmp_path):
    declarations = DeclarationStore(f"sqlite:///{tmp_path / 'receipt.db'}")
    declarations.migrate()
    yield declarations
    declarations.dispose()


@pytest.fixture
async def origin(store):
    app = create_app(store, "jeton-api", receipt_secret=SECRET.encode())
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


def expected_404(message, forged: str) -> bool:
    """Chromium logs the forged link's 404 (asked for below) as a console error."""
    return message.location.get("url") == forged and message.text.startswith(
        "Failed to load resource: the server responded with a status of 404"
    )


async def shot(page, name: str) -> None:
    await page.screenshot(path=str(screenshot_path("receipt", name)), full_page=True)


async def test_the_receipt_link_in_chromium(origin, store):
    reference = submit(store, key="navigateur")["reference"]
    urls = receipt_urls(reference, {"VIGIE_PUBLIC_ORIGIN": origin, "VIGIE_RECEIPT_SECRET": SECRET})
    forged = re.sub(r"t=\d+\.", "t=1.", urls["page"])
    console = []
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            page = await french_page(browser)
            page.on(
                "console",
                lambda message: not expected_404(message, forged) and console.append((message.type, message.text)),
            )
            page.on("pageerror", lambda error: console.append(("pageerror", str(error))))
            page.on(
                "response",
                lambda response: (
                    response.status >= 400
                    and response.url != forged
                    and console.append(("http", f"{response.status} {response.url}"))
                ),
            )

            response = await page.goto(urls["page"])
            assert response.status == 200
            assert (
                await page.locator("h1").inner_text() == "Déclaration d'incident de sécurité des systèmes d'information"
            )
            assert await page.locator(".reference strong").inner_text() == reference
            assert await page.locator(".reference strong").is_visible()
            for heading in HEADINGS:
                assert await page.get_by_role("heading", level=2, name=heading).is_visible(), heading
            # The stylesheet applied (a CSP refusal would leave the banner unstyled).
            assert (
                await page.evaluate("getComputedStyle(document.querySelector('.banner')).backgroundColor")
                == "rgb(31, 63, 143)"
            )
            assert await page.locator(".print-hint").is_visible()
            await shot(page, "01-recu-ecran")

            # Printed: no banner nor hint, the reference and the blocks still there.
            await page.emulate_media(media="print")
            assert not await page.locator(".banner").is_visible()
            assert not await page.locator(".print-hint").is_visible()
            assert await page.locator(".reference strong").is_visible()
            assert await page.get_by_role("heading", level=2, name=HEADINGS[3]).is_visible()
            await shot(page, "02-recu-impression")
            printed = await page.pdf(format="A4", prefer_css_page_size=True)
            assert printed.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b(?!s)", printed)) >= 1
            screenshot_path("receipt", "03-recu-imprime").with_suffix(".pdf").write_bytes(printed)
            await page.emulate_media(media="screen")

            # The PDF link of the page downloads the reportlab PDF.
            async with page.expect_download() as download_info:
                await page.get_by_role("link", name="Télécharger la déclaration (PDF)").click()
            download = await download_info.value
            assert download.suggested_filename == f"declaration-{reference}.pdf"
            assert Path(await download.path()).read_bytes().startswith(b"%PDF")

            # A forged link: the French 404, styled as well.
            response = await page.goto(forged)
            assert response.status == 404
            assert await page.locator("h1").inner_text() == "Page introuvable"
            assert reference not in await page.content()
            assert (
                await page.evaluate("getComputedStyle(document.querySelector('.banner')).backgroundColor")
                == "rgb(31, 63, 143)"
            )
            await shot(page, "04-lien-refuse")
        finally:
            await browser.close()
    problems = [
        (kind, text)
        for kind, text in console
        if kind in ("error", "pageerror", "http") or "Content Security Policy" in text
    ]
    assert problems == []
