"""Files added to a declaration (bot/core/attachments.py, bot/web/attachments.py): type read
in the content, limits, random names outside the web root, joined to the declaration at
sending or at once after it, forwarded with their content, listed on the receipt."""

import asyncio
import base64
import hashlib
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import fake_authority
from bot.channels.session_tokens import SessionTokens
from bot.core.attachments import MAX_BYTES, MAX_FILES, Refused, clean_name, media_type_of, size_text
from bot.core.outbox import Outbox
from bot.forwarding.worker import Forwarder, Settings
from bot.receipts import layout
from bot.receipts.pdf import build_pdf
from bot.web import app as web_app
from bot.web.chat_page import STATIC_DIR
from tests.support.admin import READER, READER_PASSWORD, admin_client, login
from tests.support.declarations import submit
from tests.unit.test_receipts import export_entries, flat, pdf_pages

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n%%EOF\n"
LOG = "2026-12-04 03:12 chiffrement détecté sur SRV-PACS\r\nfichiers renommés en .lockbit\n".encode("cp1252")
EXE = b"MZ\x90\x00" + b"\x00" * 64
ZIP = b"PK\x03\x04" + b"\x00" * 64
SECRET = "secret-de-test-secret-de-test"
CONVERSATION = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def files(store, tmp_path, monkeypatch):
    monkeypatch.setenv("VIGIE_ATTACHMENTS_DIR", str(tmp_path / "pieces"))
    return store.attachments()


# --- what is accepted -----------------------------------------------------------------


@pytest.mark.parametrize(
    "data, expected",
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (PDF, "application/pdf"), (LOG, "text/plain")],
)
def test_the_type_is_read_in_the_content(data, expected):
    assert media_type_of(data) == expected


@pytest.mark.parametrize("data", [EXE, ZIP, b"\x00\x01\x02binaire\x00", b""])
def test_programs_archives_and_binaries_are_refused_in_french(data):
    with pytest.raises(Refused) as refused:
        media_type_of(data)
    assert "vide" in str(refused.value) if not data else "ajoutez une image" in str(refused.value)


def test_a_name_keeps_no_folder_and_no_control_character():
    assert clean_name("C:\\Users\\rssi\\..\\rançon\u202e.png") == "rançon.png"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("") == "piece-jointe"
    assert len(clean_name("a" * 300 + ".pdf")) == 120 and clean_name("a" * 300 + ".pdf").endswith(".pdf")


def test_sizes_are_said_in_french():
    assert size_text(512) == "512 octets" and size_text(120 * 1024) == "120 Ko"
    assert size_text(int(1.5 * 1024 * 1024)) == "1,5 Mo"


# --- kept, joined, forwarded --------------------------------------------------------------


def test_a_file_is_kept_under_a_random_name_outside_the_web_root(files):
    stored = files.add("conv-1", "rançon.PNG.exe", PNG)
    path = files.path(stored.stored_name)
    assert path.read_bytes() == PNG and stored.name == "rançon.PNG.exe" and stored.media_type == "image/png"
    assert len(stored.stored_name) == 32 and "ran" not in stored.stored_name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert STATIC_DIR not in path.parents
    assert stored.sha256 == hashlib.sha256(PNG).hexdigest() and stored.reference is None


def test_files_wait_for_the_declaration_and_join_it_when_it_is_sent(store, files):
    files.add("conv-1", "rancon.png", PNG)
    files.add("conv-1", "journal.txt", LOG)
    files.add("autre-conversation", "autre.pdf", PDF)
    declaration = submit(store)  # conversation conv-1
    stored = store.get(declaration["reference"])
    assert [item["label"] for item in stored["attachments"]] == [
        f"rancon.png (image PNG, {size_text(len(PNG))})",
        f"journal.txt (texte, {size_text(len(LOG))})",
    ]
    assert files.waiting("conv-1") == [] and len(files.waiting("autre-conversation")) == 1
    kinds = [m["kind"] for m in Outbox(store).messages()]
    assert sorted(kinds) == ["initiale", "piece_jointe", "piece_jointe"]
    assert stored["transmission"]["kind"] == "initiale"  # the files do not hide the declaration's own state


def test_a_file_added_after_sending_completes_the_declaration(store, files):
    declaration = submit(store)
    stored = files.add("conv-1", "capture.jpg", JPEG)
    assert stored.reference == declaration["reference"]
    assert [f.name for f in files.of_declaration(declaration["reference"])] == ["capture.jpg"]


def test_five_files_per_declaration_at_most(files):
    for number in range(MAX_FILES):
        files.add("conv-1", f"capture-{number}.png", PNG)
    with pytest.raises(Refused, match="déjà 5 pièces jointes"):
        files.add("conv-1", "une-de-trop.png", PNG)
    assert len(files.waiting("conv-1")) == MAX_FILES
    assert len(list(files.directory.iterdir())) == MAX_FILES  # the refused one left nothing on disk


def test_files_sent_at_once_never_pass_five(files):
    """Two uploads at once each counted four files, and both were kept."""
    start = threading.Barrier(8)

    def upload(number: int) -> bool:
        start.wait()
        try:
            files.add("conv-1", f"capture-{number}.png", PNG)
            return True
        except Refused:
            return False

    with ThreadPoolExecutor(8) as pool:
        kept = list(pool.map(upload, range(8)))
    assert sum(kept) == MAX_FILES
    assert len(files.waiting("conv-1")) == MAX_FILES
    assert len(list(files.directory.iterdir())) == MAX_FILES


def test_a_refused_file_writes_nothing(files):
    with pytest.raises(Refused):
        files.add("conv-1", "setup.png", EXE)
    with pytest.raises(Refused, match="10 Mo"):
        files.add("conv-1", "gros.txt", b"a" * (MAX_BYTES + 1))
    assert not files.directory.exists() or list(files.directory.iterdir()) == []


def test_files_of_a_declaration_never_sent_are_deleted_after_the_retention_period(store, files):
    old = files.add("conv-abandonnee", "rancon.png", PNG, now=datetime(2026, 10, 1, tzinfo=timezone.utc))
    recent = files.add("conv-en-cours", "journal.txt", LOG)
    files.add("conv-1", "capture.jpg", JPEG, now=datetime(2026, 10, 1, tzinfo=timezone.utc))
    submit(store)  # conv-1 is sent: its file stays whatever its age
    assert files.forget_unsent(datetime(2026, 11, 1, tzinfo=timezone.utc)) == 1
    assert not files.path(old.stored_name).exists() and files.path(recent.stored_name).exists()
    assert files.waiting("conv-abandonnee") == [] and len(files.waiting("conv-en-cours")) == 1
    assert [f.name for f in files.of_declaration(store.list()[0]["reference"])] == ["capture.jpg"]


async def test_a_file_is_forwarded_with_its_content(store, files):
    files.add("conv-1", "rancon.png", PNG)
    declaration = submit(store)
    server = TestServer(fake_authority.create_app(token=None))
    await server.start_server()
    settings = Settings(url=str(server.make_url("/declarations")), attachments_dir=files.directory, timeout=5)
    try:
        async with aiohttp.ClientSession() as session:
            forwarder = Forwarder(Outbox(store), settings, session)
            for _ in range(3):
                await forwarder.run_once()
    finally:
        await server.close()
    deliveries = server.app[fake_authority.STATE_KEY].deliveries.values()
    [piece] = [d["body"] for d in deliveries if d["kind"] == "piece_jointe"]
    assert piece["reference"] == declaration["reference"]
    assert base64.b64decode(piece["attachment"]["content_base64"]) == PNG
    assert piece["attachment"]["name"] == "rancon.png" and "stored_name" not in piece["attachment"]


async def test_a_file_missing_on_disk_goes_to_the_dead_letter(store, files):
    stored = files.add("conv-1", "rancon.png", PNG)
    submit(store)
    files.path(stored.stored_name).unlink()
    settings = Settings(url="http://127.0.0.1:9/declarations", attachments_dir=files.directory, timeout=1)
    async with aiohttp.ClientSession() as session:
        forwarder = Forwarder(Outbox(store), settings, session)
        claims = [c for c in Outbox(store).claim_due(10) if c.kind == "piece_jointe"]
        outcome = await forwarder.post(claims[0])
    assert not outcome.delivered and outcome.permanent and "introuvable" in outcome.error


def test_the_receipt_lists_the_files(store, files):
    files.add("conv-1", "rancon.png", PNG)
    declaration = store.get(submit(store)["reference"])
    receipt = layout.build(declaration)
    assert receipt.attachments == [f"rancon.png (image PNG, {size_text(len(PNG))})"]
    shown = flat(" ".join(pdf_pages(build_pdf(receipt))))
    assert "Pièces jointes" in shown and f"rancon.png (image PNG, {size_text(len(PNG))})" in shown


# --- the page's upload ---------------------------------------------------------------------


@pytest.fixture
async def client(store, files, monkeypatch):
    test_client = TestClient(TestServer(web_app.create_app(store, "jeton", "", web_secret=SECRET)))
    await test_client.start_server()
    try:
        yield test_client
    finally:
        await test_client.close()


def upload(client, data: bytes, name: str = "rancon.png", token: str = ""):
    form = aiohttp.FormData()
    form.add_field("fichier", data, filename=name, content_type="image/png")
    token = token or SessionTokens(SECRET.encode()).issue(CONVERSATION)
    return client.post("/pieces-jointes", data=form, headers={"Authorization": f"Bearer {token}"})


async def test_the_page_adds_a_file_to_its_own_conversation(client, files):
    response = await upload(client, PNG)
    body = await response.json()
    assert response.status == 201 and body["label"].startswith("rancon.png (image PNG") and body["reference"] is None
    assert [f.name for f in files.waiting(CONVERSATION)] == ["rancon.png"]


async def test_a_forged_or_missing_token_adds_nothing(client, files):
    forged = SessionTokens(b"un-autre-secret").issue(CONVERSATION)
    for token in (forged, "n'importe quoi"):
        response = await upload(client, PNG, token=token)
        assert response.status == 401 and "rechargez la page" in (await response.json())["error"]
    response = await client.post("/pieces-jointes", data=b"x")
    assert response.status == 401
    assert files.waiting(CONVERSATION) == []


async def test_a_refused_file_gets_a_french_reason(client):
    response = await upload(client, EXE, name="photo.png")
    assert response.status == 422 and "n'est pas accepté" in (await response.json())["error"]
    response = await upload(client, b"a" * (MAX_BYTES + 10), name="gros.txt")
    assert response.status == 413 and "10 Mo" in (await response.json())["error"]
    form = aiohttp.FormData()
    form.add_field("autre", b"x")
    token = SessionTokens(SECRET.encode()).issue(CONVERSATION)
    response = await client.post("/pieces-jointes", data=form, headers={"Authorization": f"Bearer {token}"})
    assert response.status == 400 and "Aucun fichier" in (await response.json())["error"]


async def test_without_a_web_secret_uploads_are_off(store, files):
    client = TestClient(TestServer(web_app.create_app(store, "jeton", "")))
    await client.start_server()
    try:
        response = await upload(client, PNG)
        assert response.status == 503 and "pas disponible" in (await response.json())["error"]
    finally:
        await client.close()
    await asyncio.sleep(0)


# --- the admin ---------------------------------------------------------------------------


async def test_the_admin_lists_and_downloads_a_file_never_inline(store, files, clock, accounts):
    stored = files.add("conv-1", "note de rançon.png", PNG)
    reference = submit(store)["reference"]
    other = submit(store, key="key-2")["reference"]
    async with admin_client(store, clock) as client:
        path = f"/admin/declarations/{reference}/pieces-jointes/{stored.id}"
        anonymous = await client.get(path, allow_redirects=False)
        assert anonymous.status == 303 and anonymous.headers["Location"].startswith("/admin/connexion")
        await login(client, READER, READER_PASSWORD)
        detail = await (await client.get(f"/admin/declarations/{reference}")).text()
        response = await client.get(path)
        body = await response.read()
        elsewhere = await client.get(f"/admin/declarations/{other}/pieces-jointes/{stored.id}")
        elsewhere_text = await elsewhere.text()
        files.path(stored.stored_name).unlink()
        gone = await client.get(path)
        gone_text = await gone.text()
    assert f'pieces-jointes/{stored.id}" download>note de rançon.png (image PNG' in detail
    assert body == PNG and response.content_type == "application/octet-stream"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"note de ran_on.png\"; filename*=UTF-8''note%20de%20ran%C3%A7on.png"
    )
    assert (
        response.headers["X-Content-Type-Options"] == "nosniff"
        and "sandbox" in response.headers["Content-Security-Policy"]
    )
    assert elsewhere.status == 404 and "pas de pièce jointe à ce numéro" in elsewhere_text
    assert gone.status == 404 and "plus sur le disque" in gone_text
    [entry] = [e for e in export_entries(store) if e.details.get("format") == "piece-jointe"]
    assert (entry.login, entry.target, entry.details) == (
        READER,
        reference,
        {"format": "piece-jointe", "id": stored.id},
    )
