"""The admin pages in a real browser (Debian's chromium, driven by Playwright).

The admin app is mounted at /admin on a small aiohttp app served in-process on a
free port, over a temporary SQLite database with a few declarations and a user
created through bot.admin.users. Screenshots go to tests/artifacts/admin/.
"""

import csv
import io
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import async_playwright

from bot.admin import create_admin_app
from bot.core.storage import DeclarationStore
from bot.observatory.generator import generate
from bot.observatory.synthetic import store_synthetic
from tests.support.admin import CHEAP_HASHER, add_user
from tests.support.browser import french_page, launch, screenshot_path
from tests.support.declarations import submit
from tests.support.servers import free_port

LOGIN, PASSWORD = "veille.ars", "Une veille attentive 24h/24"
FORMULA_NAME = "=cmd|' /C calc'!A0"


@pytest.fixture
def store(tmp_path):
    declarations = DeclarationStore(f"sqlite:///{tmp_path / 'admin.db'}")
    declarations.migrate()
    submit(declarations, key="vierzon")
    submit(
        declarations,
        key="tilleuls",
        structure_name="EHPAD Les Tilleuls",
        structure_type="esms",
        region="bretagne",
        incident_type="panne_materielle",
    )
    submit(
        declarations, key="formule", structure_name=FORMULA_NAME, region="ile_de_france", incident_type="hameconnage"
    )
    add_user(declarations, LOGIN, PASSWORD, "lecteur")
    yield declarations
    declarations.dispose()


@pytest.fixture
def demo_store(tmp_path):
    """A synthetic year for the observatory (a sample of it: the page's work is the same)."""
    synthetic = DeclarationStore(f"sqlite:///{tmp_path / 'demo.db'}", synthetic=True)
    synthetic.migrate()
    store_synthetic(synthetic, generate(2025, count=150, seed=7))
    yield synthetic
    synthetic.dispose()


@pytest.fixture
async def base_url(store, demo_store):
    app = web.Application()
    app.add_subapp(
        "/admin", create_admin_app(store, secure_cookies=False, password_hasher=CHEAP_HASHER, demo_store=demo_store)
    )
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def focused_id(page) -> str:
    return await page.evaluate("document.activeElement.id || document.activeElement.className")


async def shot(page, name: str) -> None:
    await page.screenshot(path=str(screenshot_path("admin", name)), full_page=True)


async def headline(page, label: str) -> str:
    item = page.locator(".headline-item").filter(has=page.get_by_text(label, exact=True))
    return (await item.locator("dd").inner_text()).replace("\u202f", "")


async def test_admin_pages_in_chromium(base_url, store, demo_store):
    console = []
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            page = await french_page(browser)
            page.on("console", lambda message: console.append((message.type, message.text)))
            page.on("pageerror", lambda error: console.append(("pageerror", str(error))))
            page.on(
                "response",
                lambda response: (
                    response.status >= 400 and console.append(("http", f"{response.status} {response.url}"))
                ),
            )

            # Any page without a session leads to the login form.
            await page.goto(f"{base_url}/admin/declarations")
            assert page.url == f"{base_url}/admin/connexion"
            assert await page.locator("h1").inner_text() == "Connexion"
            assert await page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"
            await shot(page, "01-connexion")

            # Keyboard only: skip link, login, password, Enter.
            await page.keyboard.press("Tab")
            assert await focused_id(page) == "skip-link"
            await page.keyboard.press("Tab")
            assert await focused_id(page) == "login"
            await page.keyboard.type(LOGIN)
            await page.keyboard.press("Tab")
            assert await focused_id(page) == "password"
            await page.keyboard.type(PASSWORD)
            async with page.expect_navigation():
                await page.keyboard.press("Enter")
            assert page.url == f"{base_url}/admin/declarations"
            assert await page.locator("tbody tr").count() == 3
            [cookie] = [c for c in await page.context.cookies() if c["name"] == "vigie_admin"]
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/admin"
            await shot(page, "02-declarations")

            # Filter.
            await page.fill("#f-since", "2000-01-01")
            await page.select_option("#f-region", "ile_de_france")
            async with page.expect_navigation():
                await page.get_by_role("button", name="Filtrer").click()
            assert "since=2000-01-01" in page.url and "region=ile_de_france" in page.url
            rows = page.locator("tbody tr")
            assert await rows.count() == 1
            assert FORMULA_NAME in await rows.first.inner_text()
            await shot(page, "03-filtre")

            # Detail.
            filtered_url = page.url
            async with page.expect_navigation():
                await rows.first.locator("a").click()
            assert (await page.locator("h1").inner_text()).startswith("Déclaration SSI-")
            headings = await page.locator("h2").all_inner_texts()
            assert headings[:4] == [
                "1. Structure et déclarant",
                "2. Description de l'incident",
                "3. Impacts",
                "4. Causes et suites",
            ]
            await shot(page, "04-detail")

            # CSV export of the filtered list.
            await page.goto(filtered_url)
            async with page.expect_download() as download_info:
                await page.get_by_role("link", name="Exporter cette déclaration en CSV").click()
            download = await download_info.value
            assert download.suggested_filename.startswith("declarations-")
            raw = Path(await download.path()).read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf")
            [row] = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
            assert row["structure_name"] == "'" + FORMULA_NAME and row["region"] == "ile_de_france"

            # The same declaration for a French spreadsheet: ";", French labels.
            async with page.expect_download() as download_info:
                await page.get_by_role("link", name="Exporter en CSV pour tableur (Excel, LibreOffice)").click()
            download = await download_info.value
            assert download.suggested_filename.endswith("-tableur.csv")
            raw = Path(await download.path()).read_bytes()
            assert raw.startswith("\ufeffNom de la structure;".encode())
            [row] = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
            assert row["Nom de la structure"] == "'" + FORMULA_NAME and row["Région"] == "Île-de-France"

            # The observatory: switching to the synthetic data (this year has none) moves to their year.
            async with page.expect_navigation():
                await page.get_by_role("link", name="Observatoire").click()
            await page.check("#o-source-synthetiques")
            async with page.expect_navigation():
                await page.get_by_role("button", name="Afficher").click()
            assert "la période affichée est l'année 2025" in await page.locator(".notice").inner_text()
            assert await page.input_value("#o-since") == "2025-01-01"
            assert "Données synthétiques de démonstration." in await page.locator(".synthetic-banner").inner_text()

            # One region: its figures only, named on the page and kept in the address.
            await page.select_option("#o-region", label="Bretagne")
            async with page.expect_navigation():
                await page.get_by_role("button", name="Afficher").click()
            assert "region=bretagne" in page.url and "source=synthetiques" in page.url
            assert await page.locator(".scope").inner_text() == (
                "Périmètre : région « Bretagne », tous les types de structure."
            )
            in_brittany = len(demo_store.all_matching({"region": "bretagne"}))
            assert in_brittany and await headline(page, "Déclarations") == str(in_brittany)
            images = page.locator(".chart img")
            assert await images.count() == 7
            await page.wait_for_function(
                "() => [...document.querySelectorAll('.chart img')].every(i => i.complete && i.naturalWidth > 0)"
            )
            await page.locator(".chart details").first.locator("summary").click()
            assert await page.locator(".chart details").first.locator("tbody tr").count() == 12
            await shot(page, "05-observatoire")
            async with page.expect_download() as download_info:
                await page.get_by_role("link", name="Télécharger le rapport (PDF)").click()
            report = Path(await (await download_info.value).path()).read_bytes()
            assert report.startswith(b"%PDF")

            # Logout, then the pages are closed again.
            async with page.expect_navigation():
                await page.get_by_role("button", name="Se déconnecter").click()
            assert page.url == f"{base_url}/admin/connexion?motif=deconnecte"
            assert "Vous êtes déconnecté." in await page.locator("main").inner_text()
            await shot(page, "06-deconnexion")
            await page.goto(f"{base_url}/admin/declarations")
            assert page.url == f"{base_url}/admin/connexion"
        finally:
            await browser.close()
    problems = [
        (kind, text)
        for kind, text in console
        if kind in ("error", "pageerror", "http") or "Content Security Policy" in text
    ]
    assert problems == []
