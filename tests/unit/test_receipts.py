"""The declarant's receipt: signed links, the printable page and the PDF
(``/recu/...``), and the admin's PDF download (SQLite and PostgreSQL)."""

import base64
import hashlib
import hmac
import html
import re
import time
import zlib

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from reportlab.pdfbase.pdfmetrics import stringWidth
from sqlalchemy import select

from bot.admin import audit, display
from bot.core.admin_models import AuditEntry
from bot.core.outbox import Outbox
from bot.pdf_style import CONTENT_WIDTH
from bot.receipts import layout
from bot.receipts.links import VALIDITY_SECONDS, receipt_token, receipt_urls, verify_receipt_token
from bot.receipts.pdf import build_pdf
from bot.web import app as web_app
from bot.web.receipt_page import POLICY
from tests.support.admin import (
    READER,
    READER_PASSWORD,
    admin_client,
    login,
)
from tests.support.declarations import sample_fields, submit
from tests.unit.test_observatory import pdf_text as shown_strings

SECRET = b"un-secret-de-test-assez-long-pour-hmac"
NOW = 1_780_000_000
REFERENCE = "SSI-2026-000042"
SCRIPT_NAME = "<script>alert('x')</script> Clinique"
BLOCK_HEADINGS = [f"{number}. {title}" for number, (title, _) in enumerate(display.BLOCKS, 1)]


# --- Tokens ---------------------------------------------------------------------------


def test_a_token_opens_its_reference_until_it_expires():
    token = receipt_token(REFERENCE, SECRET, NOW + 60)
    assert re.fullmatch(r"\d+\.[A-Za-z0-9_-]{43}", token)
    assert verify_receipt_token(token, REFERENCE, SECRET, NOW)
    assert verify_receipt_token(token, REFERENCE, SECRET, NOW + 59.5)
    assert not verify_receipt_token(token, REFERENCE, SECRET, NOW + 60)
    assert not verify_receipt_token(token, REFERENCE, SECRET, NOW + 10**6)


def test_the_signature_is_hmac_sha256_of_the_domain_separated_message():
    token = receipt_token(REFERENCE, SECRET, NOW)
    digest = hmac.new(SECRET, f"vigie_receipt|{REFERENCE}|{NOW}".encode(), hashlib.sha256).digest()
    assert token == f"{NOW}." + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_forged_or_altered_tokens_are_refused():
    token = receipt_token(REFERENCE, SECRET, NOW + 60)
    expiry, signature = token.split(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert not verify_receipt_token(token, REFERENCE, b"another secret", NOW)
    assert not verify_receipt_token(receipt_token(REFERENCE, b"another secret", NOW + 60), REFERENCE, SECRET, NOW)
    assert not verify_receipt_token(f"{expiry}.{flipped}", REFERENCE, SECRET, NOW)
    assert not verify_receipt_token(f"{int(expiry) + 3600}.{signature}", REFERENCE, SECRET, NOW)
    assert not verify_receipt_token(f"0{expiry}.{signature}", REFERENCE, SECRET, NOW)
    assert not verify_receipt_token(token, "SSI-2026-000043", SECRET, NOW)
    assert not verify_receipt_token(token + "=", REFERENCE, SECRET, NOW)


@pytest.mark.parametrize(
    "token, reference, secret, now",
    [
        (None, REFERENCE, SECRET, NOW),
        (12345, REFERENCE, SECRET, NOW),
        (b"1.abc", REFERENCE, SECRET, NOW),
        ("", REFERENCE, SECRET, NOW),
        (".", REFERENCE, SECRET, NOW),
        ("sans-point", REFERENCE, SECRET, NOW),
        ("1.2.3", REFERENCE, SECRET, NOW),
        ("-5." + "A" * 43, REFERENCE, SECRET, NOW),
        ("１２３." + "A" * 43, REFERENCE, SECRET, NOW),  # full-width digits
        ("9" * 40 + "." + "A" * 43, REFERENCE, SECRET, NOW),
        (f"{NOW + 60}." + "é" * 43, REFERENCE, SECRET, NOW),
        ("VALID", None, SECRET, NOW),
        ("VALID", 42, SECRET, NOW),
        ("VALID", "", SECRET, NOW),
        ("VALID", REFERENCE, SECRET.decode(), NOW),
        ("VALID", REFERENCE, None, NOW),
        ("VALID", REFERENCE, b"", NOW),
        ("VALID", REFERENCE, SECRET, str(NOW)),
        ("VALID", REFERENCE, SECRET, None),
        ("VALID", REFERENCE, SECRET, True),
    ],
)
def test_malformed_input_is_refused_without_an_exception(token, reference, secret, now):
    if token == "VALID":  # a good token, with one bad argument beside it
        token = receipt_token(REFERENCE, SECRET, NOW + 60)
    assert verify_receipt_token(token, reference, secret, now) is False


@pytest.mark.parametrize(
    "reference, secret, expires_at",
    [
        ("", SECRET, NOW),
        ("A|B", SECRET, NOW),
        (None, SECRET, NOW),
        (REFERENCE, "texte", NOW),
        (REFERENCE, b"", NOW),
        (REFERENCE, SECRET, 0),
        (REFERENCE, SECRET, -1),
        (REFERENCE, SECRET, 1.5),
        (REFERENCE, SECRET, True),
        (REFERENCE, SECRET, "123"),
    ],
)
def test_a_token_is_never_made_from_bad_input(reference, secret, expires_at):
    with pytest.raises(ValueError):
        receipt_token(reference, secret, expires_at)


def test_receipt_urls_are_absolute_and_valid_seven_days():
    env = {"VIGIE_PUBLIC_ORIGIN": "https://vigie.example.fr/", "VIGIE_RECEIPT_SECRET": SECRET.decode()}
    urls = receipt_urls(REFERENCE, env, now=NOW)
    page = re.fullmatch(rf"https://vigie\.example\.fr/recu/{REFERENCE}\?t=(\S+)", urls["page"])
    assert page and urls["pdf"] == f"https://vigie.example.fr/recu/{REFERENCE}.pdf?t={page.group(1)}"
    token = page.group(1)
    assert verify_receipt_token(token, REFERENCE, SECRET, NOW + VALIDITY_SECONDS - 1)
    assert not verify_receipt_token(token, REFERENCE, SECRET, NOW + VALIDITY_SECONDS)
    assert VALIDITY_SECONDS == 7 * 24 * 3600
    local = receipt_urls(REFERENCE, {**env, "VIGIE_PUBLIC_ORIGIN": "http://127.0.0.1:8080"}, now=NOW)
    assert local["page"].startswith(f"http://127.0.0.1:8080/recu/{REFERENCE}?t=")


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"VIGIE_PUBLIC_ORIGIN": "https://vigie.example.fr"},
        {"VIGIE_RECEIPT_SECRET": "s3cret"},
        {"VIGIE_PUBLIC_ORIGIN": "https://vigie.example.fr", "VIGIE_RECEIPT_SECRET": "  "},
        {"VIGIE_PUBLIC_ORIGIN": "", "VIGIE_RECEIPT_SECRET": "s3cret"},
        {"VIGIE_PUBLIC_ORIGIN": "vigie.example.fr", "VIGIE_RECEIPT_SECRET": "s3cret"},
        {"VIGIE_PUBLIC_ORIGIN": "https://vigie.example.fr/chemin", "VIGIE_RECEIPT_SECRET": "s3cret"},
    ],
)
def test_no_receipt_urls_without_an_origin_and_a_secret(env):
    assert receipt_urls(REFERENCE, env, now=NOW) is None


def test_receipt_urls_read_the_environment_by_default(monkeypatch):
    monkeypatch.setenv("VIGIE_PUBLIC_ORIGIN", "https://vigie.example.fr")
    monkeypatch.setenv("VIGIE_RECEIPT_SECRET", SECRET.decode())
    urls = receipt_urls(REFERENCE)
    token = urls["page"].split("?t=")[1]
    assert verify_receipt_token(token, REFERENCE, SECRET, NOW)
    monkeypatch.delenv("VIGIE_RECEIPT_SECRET")
    assert receipt_urls(REFERENCE) is None


# --- PDF helpers ------------------------------------------------------------------------


def _inflate(body: bytes) -> bytes:
    """A content stream of a reportlab PDF, decoded when compressed."""
    head, _, rest = body.partition(b"stream")
    data = rest.strip(b"\r\n").rsplit(b"endstream", 1)[0].strip()
    if b"/ASCII85Decode" in head:
        data = base64.a85decode(data, adobe=True)
    if b"/FlateDecode" in head:
        data = zlib.decompress(data)
    return data


def pdf_pages(pdf: bytes) -> list:
    """The strings drawn on each page, in order."""
    contents = [int(n) for n in re.findall(rb"/Contents (\d+) 0 R", pdf)]
    objects = dict(re.findall(rb"\n(\d+) 0 obj\n(.*?)endobj", pdf, re.S))
    return [shown_strings(_inflate(objects[str(n).encode()])) for n in contents]


def flat(text: str) -> str:
    return " ".join(text.split())


# --- The page and the PDF through the web app -------------------------------------------


def link(reference: str, secret: bytes = SECRET, pdf: bool = False) -> str:
    """The path of a receipt link valid for an hour."""
    token = receipt_token(reference, secret, int(time.time()) + 3600)
    return f"/recu/{reference}{'.pdf' if pdf else ''}?t={token}"


@pytest_asyncio.fixture
async def client(store):
    test_client = TestClient(TestServer(web_app.create_app(store, "jeton-api", receipt_secret=SECRET)))
    await test_client.start_server()
    try:
        yield test_client
    finally:
        await test_client.close()


@pytest.fixture
def seeded(store):
    """a: pending; b: transmitted (AR-42); c: forwarding failed; d: script in its name, long description."""
    a = submit(store, key="a")
    b = submit(
        store,
        key="b",
        structure_name="EHPAD Les Tilleuls",
        structure_type="esms",
        qualification={"grave": False, "significatif": True, "reasons": ["Risque de propagation."]},
    )
    c = submit(store, key="c", qualification={"grave": False, "significatif": False, "reasons": []})
    d = submit(store, key="d", structure_name=SCRIPT_NAME, description=LONG_DESCRIPTION, measures_taken=LONG_MEASURES)
    outbox = Outbox(store)
    claims = {claim.reference: claim.id for claim in outbox.claim_due(limit=10)}
    outbox.mark_delivered(claims[b["reference"]], "AR-42")
    outbox.mark_failed(claims[c["reference"]], "HTTP 503", None)
    return {name: item["reference"] for name, item in zip("abcd", (a, b, c, d))}


LONG_DESCRIPTION = (
    "Les serveurs de fichiers ont été chiffrés pendant la nuit ; une note de rançon « LockBit » "
    "est apparue sur les postes des urgences et de la pharmacie. "
) * 13
LONG_MEASURES = "Isolement des segments réseau, réinitialisation des comptes à privilèges et restauration. " * 80


def field_pairs(section_html: str) -> list:
    pairs = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", section_html, re.S)
    return [(html.unescape(label), html.unescape(value)) for label, value in pairs]


async def test_the_page_shows_the_four_blocks_exactly_as_the_admin_detail(client, store, seeded):
    response = await client.get(link(seeded["a"]))
    page = await response.text()
    assert response.status == 200 and response.content_type == "text/html"
    assert '<html lang="fr">' in page
    assert "<h1>Déclaration d&#39;incident de sécurité des systèmes d&#39;information</h1>" in page
    assert f'<p class="reference">Référence <strong>{seeded["a"]}</strong></p>' in page
    headings = [html.unescape(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page)]
    assert headings == BLOCK_HEADINGS + ["Qualification", "Obligations et échéances"]
    sections = re.findall(r'<section class="block" aria-labelledby="bloc-\d">(.*?)</section>', page, re.S)
    expected = [rows for _, rows in display.blocks(store.get(seeded["a"]))]
    assert [field_pairs(section) for section in sections] == expected
    assert '<dt>Cause</dt><dd class="empty">Non renseigné</dd>' in page
    assert "<dt>Type de structure</dt><dd>Établissement de santé public</dd>" in page
    assert "<dt>Nombre de personnes concernées</dt><dd>1\u202f200</dd>" in page


async def test_the_page_states_date_status_qualification_obligations_and_masking(client, seeded):
    page = html.unescape(await (await client.get(link(seeded["a"]))).text())
    summary = field_pairs(re.search(r'<dl class="fields summary">(.*?)</dl>', page, re.S).group(1))
    assert [label for label, _ in summary] == ["Soumise le", "Statut", "Transmission"]
    assert re.fullmatch(r"\w+ (1er|\d+) \w+ 20\d\d à \d+ h \d\d", summary[0][1])
    assert summary[1:] == [("Statut", "Soumise"), ("Transmission", "Transmission à CERT Santé et à l'ARS en cours.")]
    assert '<p class="verdict">Incident grave.</p>' in page
    assert "<dt>Incident grave</dt><dd>Oui</dd>" in page and "<dt>Incident significatif</dt><dd>Non</dd>" in page
    assert "<li>L'activité de soins fonctionne en mode dégradé.</li>" in page
    assert "<li>CNIL : avant le mardi 13 janvier 2026 à 3 h 00 — Violation de données personnelles" in page
    assert "<li>CERT Santé et ARS — Vigie transmet votre déclaration" in page
    assert "2 identifiants de patients ont été masqués dans vos textes" in page
    assert "Imprimer" in page
    assert f'<a href="{seeded["a"]}.pdf?t=' in page
    footer = re.search(r'<footer class="footer">(.*?)</footer>', page, re.S).group(1)
    assert "Vigie" in footer and "CERT Santé" in footer and "ARS" in footer


async def test_the_page_tells_where_the_transmission_stands(client, seeded):
    delivered = html.unescape(await (await client.get(link(seeded["b"]))).text())
    assert re.search(
        r"<dd>Transmise à CERT Santé et à l'ARS le \w+ (1er|\d+) \w+ 20\d\d à \d+ h \d\d "
        r"\(accusé de réception AR-42\)\.</dd>",
        delivered,
    )
    assert '<p class="verdict">Incident significatif.</p>' in delivered
    assert "<li>Risque de propagation.</li>" in delivered
    failed = html.unescape(await (await client.get(link(seeded["c"]))).text())
    assert "<dd>Échec de la transmission automatique : l'équipe qui exploite Vigie est alertée" in failed
    assert "ni grave ni significatif" in failed and "<p>Aucun motif enregistré.</p>" in failed


async def test_the_page_escapes_what_the_declarant_typed(client, seeded):
    page = await (await client.get(link(seeded["d"]))).text()
    assert "<script" not in page
    assert "<dd>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Clinique</dd>" in page


async def test_the_page_has_no_inline_script_or_style_and_ordered_headings(client, seeded):
    page = await (await client.get(link(seeded["a"]))).text()
    assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", page)
    assert '<link rel="stylesheet" href="/static/receipt.css">' in page
    levels = [int(level) for level in re.findall(r"<h([1-6])", page)]
    assert levels[0] == 1 and levels.count(1) == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    css = await client.get("/static/receipt.css")
    text = await css.text()
    assert css.status == 200 and css.content_type == "text/css"
    assert "@media print" in text and "size: A4" in text


def assert_receipt_headers(response):
    headers = response.headers
    assert headers["Content-Security-Policy"] == POLICY
    assert "frame-ancestors 'none'" in POLICY and "unsafe-inline" not in POLICY and "script-src" not in POLICY
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Robots-Tag"].startswith("noindex")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


async def test_page_pdf_and_refusal_carry_the_security_headers(client, seeded):
    for path in (link(seeded["a"]), link(seeded["a"], pdf=True), f"/recu/{seeded['a']}", "/recu/"):
        assert_receipt_headers(await client.get(path))


async def test_every_refusal_is_the_same_french_404(client, store, seeded):
    a, b = seeded["a"], seeded["b"]
    token_b = link(b).split("?t=")[1]
    expired = receipt_token(a, SECRET, int(time.time()) - 1)
    paths = [
        f"/recu/{a}",
        f"/recu/{a}?t=",
        f"/recu/{a}?t=n%27importe-quoi",
        link(a, secret=b"un autre secret"),  # forged
        f"/recu/{a}?t={expired}",  # expired
        f"/recu/{a}?t={token_b}",  # made for another reference
        link("SSI-2026-999999"),  # a valid token for a reference that does not exist
        link("DEMO-2026-000001"),  # synthetic declarations live elsewhere
        "/recu/pas-une-reference?t=x",
        "/recu/",
        f"/recu/{a}/autre",
    ]
    paths += [path.replace(f"/recu/{a}?", f"/recu/{a}.pdf?") for path in paths if path.startswith(f"/recu/{a}?")]
    bodies = set()
    for path in paths:
        response = await client.get(path)
        assert response.status == 404, path
        assert response.content_type == "text/html", path
        assert_receipt_headers(response)
        bodies.add(await response.text())
    [body] = bodies  # byte for byte the same answer
    assert "<h1>Page introuvable</h1>" in body and '<html lang="fr">' in body
    assert not any(reference in body for reference in seeded.values())
    # The same links open when their token is right.
    assert (await client.get(link(a))).status == 200 and (await client.get(link(a, pdf=True))).status == 200


async def test_without_a_secret_every_link_is_refused(store, seeded):
    test_client = TestClient(TestServer(web_app.create_app(store, "jeton-api")))
    await test_client.start_server()
    try:
        response = await test_client.get(link(seeded["a"]))
        assert response.status == 404 and "Page introuvable" in await response.text()
    finally:
        await test_client.close()


async def test_the_pdf_has_the_same_content_with_the_reference_on_every_page(client, store, seeded):
    response = await client.get(link(seeded["a"], pdf=True))
    pdf = await response.read()
    assert response.status == 200 and response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="declaration-{seeded["a"]}.pdf"'
    assert pdf.startswith(b"%PDF") and b"/FlateDecode" in pdf  # compressed by default
    pages = pdf_pages(pdf)
    text = flat("\n".join(pages))
    assert flat(layout.TITLE) in text and f"Référence : {seeded['a']}" in text
    for heading in BLOCK_HEADINGS + ["Qualification", "Motifs", "Obligations et échéances"]:
        assert heading in text, heading
    for _, rows in display.blocks(store.get(seeded["a"])):
        for label, value in rows:
            assert flat(label) in text and flat(value.replace("\u202f", "\u00a0")) in text, label
    assert "L'activité de soins fonctionne en mode dégradé." in text
    assert "CNIL : avant le mardi 13 janvier 2026 à 3 h 00 — Violation de données personnelles" in text
    assert "2 identifiants de patients ont été masqués" in text
    assert "Transmission à CERT Santé et à l'ARS en cours." in text
    for number, page in enumerate(pages, 1):
        assert f"Référence {seeded['a']}" in page and f"Page {number} / {len(pages)}" in page


async def test_a_long_pdf_wraps_its_text_and_numbers_its_pages(client, store, seeded):
    pdf = await (await client.get(link(seeded["d"], pdf=True))).read()
    pages = pdf_pages(pdf)
    assert len(pages) >= 3  # the measures alone take more than a page: their row is split
    lines = [line for page in pages for line in page.splitlines()]
    column = CONTENT_WIDTH * 0.66
    description_lines = [line for line in lines if len(line) > 30 and line in LONG_DESCRIPTION]
    assert len(description_lines) > 10
    assert all(stringWidth(line, "Helvetica", 8.5) <= column for line in description_lines)
    assert "« LockBit »" in flat("\n".join(pages))
    # Escaped for reportlab's markup, drawn as typed (each "<" and ">" is a string of its own).
    assert SCRIPT_NAME in "".join(lines)
    for number, page in enumerate(pages, 1):
        assert f"Référence {seeded['d']}" in page and f"Page {number} / {len(pages)}" in page


def test_the_pdf_keeps_french_typography_and_line_breaks():
    declaration = {
        **sample_fields(description="Première ligne\nDeuxième ligne : œuvre « cœur »"),
        "reference": REFERENCE,
        "status": "soumise",
        "submitted_at": "2026-01-10T04:00:00+01:00",
        "qualification": {"grave": False, "significatif": False, "reasons": []},
        "obligations": [],
        "pii_masked": 0,
        "transmission": None,
    }
    receipt = layout.build(declaration)
    assert receipt.pii_note is None and receipt.summary[2] == ("Transmission", "Aucune transmission enregistrée.")
    lines = "\n".join(pdf_pages(build_pdf(receipt, compress=False))).splitlines()
    assert "Première ligne" in lines and "Deuxième ligne : œuvre « cœur »" in lines
    # U+202F (the thousands separator) is not in WinAnsi: drawn as a space, not as a missing glyph.
    assert "1 200" in lines and not any("\u202f" in line for line in lines)
    assert "Aucune obligation enregistrée." in lines and "Aucun motif enregistré." in lines


@pytest.mark.parametrize(
    "transmission, expected",
    [
        (None, "Aucune transmission enregistrée."),
        ({"state": "en_attente", "kind": "initiale"}, "Transmission à CERT Santé et à l'ARS en cours."),
        ({"state": "en_attente", "kind": "complement"}, "Transmission du complément à CERT Santé et à l'ARS en cours."),
        (
            {"state": "transmise", "kind": "initiale", "transmitted_at": "2026-01-10T04:01:00+01:00", "receipt": None},
            "Transmise à CERT Santé et à l'ARS le samedi 10 janvier 2026 à 4 h 01.",
        ),
        (
            {
                "state": "transmise",
                "kind": "complement",
                "transmitted_at": "2026-02-01T09:30:00+01:00",
                "receipt": "C-7",
            },
            "Complément transmis à CERT Santé et à l'ARS le dimanche 1er février 2026 à 9 h 30 "
            "(accusé de réception C-7).",
        ),
        ({"state": "echec", "kind": "complement"}, "Échec de la transmission automatique du complément : l'équipe"),
    ],
)
def test_the_transmission_is_said_in_french(transmission, expected):
    assert layout.transmission_text({"transmission": transmission}).startswith(expected)


def test_a_completed_declaration_shows_when_it_was_updated():
    declaration = {
        **sample_fields(),
        "reference": REFERENCE,
        "status": "completee",
        "submitted_at": "2026-01-10T04:00:00+01:00",
        "updated_at": "2026-01-12T18:15:00+01:00",
        "qualification": None,
        "obligations": None,
        "pii_masked": None,
        "transmission": None,
    }
    receipt = layout.build(declaration)
    assert receipt.summary[:3] == [
        ("Soumise le", "samedi 10 janvier 2026 à 4 h 00"),
        ("Mise à jour le", "lundi 12 janvier 2026 à 18 h 15"),
        ("Statut", "Complétée"),
    ]
    assert receipt.reasons == [] and receipt.obligations == [] and receipt.pii_note is None
    assert receipt.verdict.startswith("Incident ni grave ni significatif")


# --- The admin download -------------------------------------------------------------------


def export_entries(store):
    with store.session() as session:
        statement = select(AuditEntry).where(AuditEntry.action == audit.EXPORT).order_by(AuditEntry.id)
        return session.execute(statement).scalars().all()


async def test_the_admin_downloads_the_declaration_as_pdf(store, clock, accounts, seeded):
    reference = seeded["b"]
    path = f"/admin/declarations/{reference}.pdf"
    async with admin_client(store, clock) as client:
        anonymous = await client.get(path, allow_redirects=False)
        assert anonymous.status == 401 and "Authentification requise" in await anonymous.text()
        await login(client, READER, READER_PASSWORD)
        detail = await (await client.get(f"/admin/declarations/{reference}")).text()
        assert f'<a href="{path}" download>Télécharger la déclaration (PDF)</a>' in detail
        response = await client.get(path)
        pdf = await response.read()
        missing = await client.get("/admin/declarations/SSI-2026-999999.pdf")
        assert missing.status == 404 and "Page introuvable" in await missing.text()
    assert response.status == 200 and response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="declaration-{reference}.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    assert pdf.startswith(b"%PDF")
    text = flat("\n".join(pdf_pages(pdf)))
    assert f"Référence : {reference}" in text and "Transmise à CERT Santé et à l'ARS le" in text
    assert all(heading in text for heading in BLOCK_HEADINGS)
    assert f"Document édité le {display.datetime_fr(clock())}." in text
    [entry] = export_entries(store)
    assert (entry.login, entry.target, entry.details, entry.ip, entry.at) == (
        READER,
        reference,
        {"format": "pdf"},
        "127.0.0.1",
        clock(),
    )
