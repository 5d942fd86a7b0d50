"""Admin pages: access rules, list and filters, detail, exports, audit, users
(SQLite and PostgreSQL)."""

import csv
import io
import re
from datetime import datetime, timezone

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.admin import audit, filters, users
from bot.admin.display import BLOCKS
from bot.admin.middlewares import CONTENT_SECURITY_POLICY
from bot.admin.views import audit_log
from bot.core import storage
from bot.core.admin_models import AuditEntry
from bot.core.outbox import Outbox
from bot.web.api import CSV_COLUMNS
from tests.support.admin import (
    ADMIN,
    ADMIN_PASSWORD,
    READER,
    READER_PASSWORD,
    admin_client,
    login,
    origin,
    page_token,
    references,
)
from tests.support.declarations import submit

UTC = timezone.utc
FORMULA_NAME = "=cmd|' /C calc'!A0"
SCRIPT_NAME = "<script>alert('x')</script> Clinique"


@pytest.fixture
def seeded(store, frozen_now):
    """Four declarations: a (grave, Centre), b (significatif, Bretagne, transmise),
    c (formula name, Île-de-France, forwarding failed), d (script name)."""
    frozen_now(datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    a = submit(store, key="a")
    frozen_now(datetime(2026, 2, 5, 23, 30, tzinfo=UTC))  # 6 February in Paris
    b = submit(
        store,
        key="b",
        structure_name="EHPAD Les Tilleuls",
        structure_type="esms",
        region="bretagne",
        incident_type="panne_materielle",
        qualification={"grave": False, "significatif": True, "reasons": ["Risque de propagation."]},
    )
    frozen_now(datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    c = submit(
        store,
        key="c",
        structure_name=FORMULA_NAME,
        structure_type="etablissement_sante_prive",
        region="ile_de_france",
        incident_type="hameconnage",
        qualification={"grave": False, "significatif": False, "reasons": []},
    )
    frozen_now(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    d = submit(store, key="d", structure_name=SCRIPT_NAME)
    outbox = Outbox(store)
    claims = {claim.reference: claim.id for claim in outbox.claim_due(limit=10)}
    outbox.mark_delivered(claims[b["reference"]], "AR-42")
    outbox.mark_failed(claims[c["reference"]], "HTTP 503", None)
    return {name: item["reference"] for name, item in zip("abcd", (a, b, c, d))}


def audit_rows(store, action):
    with store.session() as session:
        statement = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return session.execute(statement).scalars().all()


# --- Access rules ------------------------------------------------------------------


PAGES = [
    "/admin",
    "/admin/",
    "/admin/declarations",
    "/admin/declarations/SSI-2026-000001",
    "/admin/journal",
    "/admin/utilisateurs",
    "/admin/declarations?region=bretagne",
]


async def test_every_page_without_a_session_redirects_to_login(store, clock, seeded):
    async with admin_client(store, clock) as client:
        for path in PAGES:
            response = await client.get(path, allow_redirects=False)
            assert response.status == 303, path
            assert response.headers["Location"] == "/admin/connexion", path
        for path in ("/admin/export.csv", "/admin/export.json?grave=oui"):
            response = await client.get(path, allow_redirects=False)
            assert response.status == 401, path
            assert "Authentification requise" in await response.text()
            assert "SSI-" not in await response.text()
        posted = await client.post(
            "/admin/utilisateurs",
            headers=origin(client),
            allow_redirects=False,
            data={
                "login": "intrus",
                "role": "administrateur",
                "password": "Une phrase assez longue",
                "password_confirm": "Une phrase assez longue",
            },
        )
        assert posted.status == 303
    assert users.list_users(store) == []
    assert audit_rows(store, audit.VIEW) == audit_rows(store, audit.EXPORT) == []


async def test_a_reader_may_list_view_and_export_but_not_administer(store, clock, accounts, seeded):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        page = await client.get("/admin/declarations")
        html = await page.text()
        assert page.status == 200
        assert "Journal d&#39;audit" not in html and "Utilisateurs" not in html
        assert (await client.get(f"/admin/declarations/{seeded['a']}")).status == 200
        assert (await client.get("/admin/export.csv")).status == 200
        for path in ("/admin/journal", "/admin/utilisateurs"):
            response = await client.get(path)
            assert response.status == 403
            text = await response.text()
            assert "Accès refusé" in text and "Votre rôle ne vous permet pas" in text
        token = await page_token(client)
        for path, data in [
            (
                "/admin/utilisateurs",
                {
                    "login": "nouveau",
                    "role": "administrateur",
                    "password": "Une phrase assez longue",
                    "password_confirm": "Une phrase assez longue",
                },
            ),
            (f"/admin/utilisateurs/{READER}/role", {"role": "administrateur"}),
            (f"/admin/utilisateurs/{ADMIN}/desactiver", {}),
        ]:
            response = await client.post(path, data={**data, "csrf": token}, headers=origin(client))
            assert response.status == 403, path
    assert [(u.login, u.role, u.active) for u in users.list_users(store)] == [
        (ADMIN, "administrateur", True),
        (READER, "lecteur", True),
    ]


async def test_an_administrator_sees_the_audit_and_users_links(store, clock, accounts):
    async with admin_client(store, clock) as client:
        await login(client, ADMIN, ADMIN_PASSWORD)
        html = await (await client.get("/admin/declarations")).text()
        assert '<a href="/admin/journal">Journal d&#39;audit</a>' in html
        assert '<a href="/admin/utilisateurs">Utilisateurs</a>' in html
        assert '<a href="/admin/declarations" aria-current="page">Déclarations</a>' in html
        assert '<a href="/admin/observatoire">Observatoire</a>' in html
        assert "Source : FINESS, extraction du 08/01/2021" in html  # the register's licence asks for it


async def test_both_roles_reach_the_observatory_and_only_once_logged_in(store, clock, accounts):
    async with admin_client(store, clock) as client:
        assert (await client.get("/admin/observatoire", allow_redirects=False)).status == 303
        for path in (
            "/admin/observatoire/graphiques/regions.svg",
            "/admin/observatoire/rapport.pdf",
            "/admin/observatoire/indicateurs.csv",
        ):
            assert (await client.get(path, allow_redirects=False)).status == 401, path
        for name, password in ((READER, READER_PASSWORD), (ADMIN, ADMIN_PASSWORD)):
            client.session.cookie_jar.clear()
            await login(client, name, password)
            html = await (await client.get("/admin/observatoire")).text()
            assert '<a href="/admin/observatoire" aria-current="page">Observatoire</a>' in html


async def test_wrong_methods_get_a_french_page(store, clock, accounts):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get("/admin/deconnexion")
        assert response.status == 405 and "Méthode non autorisée" in await response.text()
        assert response.headers["Allow"] == "POST"


# --- Security headers -----------------------------------------------------------------


async def test_security_headers_on_every_response(store, clock, accounts, seeded):
    responses, bodies = {}, {}

    async def fetch(name, path, **kwargs):
        responses[name] = await client.get(path, **kwargs)
        bodies[name] = await responses[name].text()

    async with admin_client(store, clock) as client:
        await fetch("login", "/admin/connexion")
        await fetch("css", "/admin/static/admin.css")
        await fetch("missing", "/admin/nulle-part")
        await login(client, READER, READER_PASSWORD)
        await fetch("list", "/admin/declarations")
        await fetch("detail", f"/admin/declarations/{seeded['a']}")
        await fetch("forbidden", "/admin/journal")
        await fetch("export", "/admin/export.csv")
        await fetch("json", "/admin/export.json")
        await fetch("redirect", "/admin/", allow_redirects=False)
    for name, response in responses.items():
        headers = response.headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["Referrer-Policy"] == "no-referrer", name
        assert headers["X-Frame-Options"] == "DENY", name
        assert headers["Cache-Control"] == ("no-cache" if name == "css" else "no-store"), name
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "script-src" not in CONTENT_SECURITY_POLICY
    assert responses["missing"].status == 404 and "Page introuvable" in bodies["missing"]
    assert responses["css"].content_type == "text/css" and ":focus-visible" in bodies["css"]


async def test_pages_have_no_inline_script_or_style(store, clock, accounts, seeded):
    async with admin_client(store, clock) as client:
        pages = [await (await client.get("/admin/connexion")).text()]
        await login(client, ADMIN, ADMIN_PASSWORD)
        for path in (
            "/admin/declarations",
            f"/admin/declarations/{seeded['a']}",
            "/admin/journal",
            "/admin/utilisateurs",
        ):
            pages.append(await (await client.get(path)).text())
    for html in pages:
        assert '<html lang="fr">' in html
        assert 'href="#contenu"' in html and 'id="contenu"' in html
        assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", html)
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        for target in re.findall(r'<label for="([^"]+)"', html):
            assert target in ids
        levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
        assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))


# --- List and filters -----------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", "dcba"),
        ("since=2026-02-06", "dcb"),
        ("until=2026-02-05", "a"),
        ("since=2026-02-06&until=2026-03-01", "cb"),
        ("since=6/02/2026&until=01/03/2026", "cb"),
        ("incident_type=panne_materielle", "b"),
        ("structure_type=etablissement_sante_public", "da"),
        ("region=centre_val_de_loire", "da"),
        ("status=transmise", "b"),
        ("status=soumise", "dca"),
        ("status=completee", ""),
        ("grave=oui", "da"),
        ("grave=non&significatif=non", "c"),
        ("significatif=oui", "b"),
        ("structure_name=tilleuls", "b"),
        ("structure_name=%25", ""),
        ("region=&incident_type=&structure_name=+", "dcba"),
        ("region=bretagne&grave=oui", ""),
    ],
)
async def test_filters_return_exactly_the_matching_declarations(store, clock, accounts, seeded, query, expected):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get(f"/admin/declarations?{query}")
        html = await response.text()
    assert response.status == 200
    assert references(html) == [seeded[name] for name in expected]
    if expected:
        count = len(expected)
        assert f"{count} déclaration{'s' if count > 1 else ''} dont" in html
    else:
        assert "Aucune déclaration ne correspond à ces filtres." in html


async def test_french_dates_come_back_in_the_form_as_iso_dates(store, clock, accounts, seeded):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        html = await (await client.get("/admin/declarations?since=6/2/2026&region=bretagne")).text()
    assert 'name="since" type="date" value="2026-02-06"' in html
    assert '<option value="bretagne" selected>Bretagne</option>' in html
    assert 'href="/admin/export.csv?since=2026-02-06&amp;region=bretagne"' in html


async def test_the_list_shows_counts_labels_and_transmission(store, clock, accounts, seeded):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        html = await (await client.get("/admin/declarations")).text()
    assert "4 déclarations dont 2 graves et 1 significative." in html
    assert "<caption>Déclarations, de la plus récente à la plus ancienne</caption>" in html
    assert '<th scope="col">Transmission</th>' in html
    row_b = html[html.index(seeded["b"] + "</a>") :].split("</tr>")[0]
    assert "EHPAD Les Tilleuls" in row_b and "Bretagne" in row_b and "Panne matérielle" in row_b
    assert "<td>Transmise</td>" in row_b and "06/02/2026 00:30" in row_b
    row_c = html[html.index(seeded["c"] + "</a>") :].split("</tr>")[0]
    assert "<td>Échec</td>" in row_c and "Île-de-France" in row_c and "<td>Soumise</td>" in row_c
    assert "<td>En attente</td>" in html[html.index(seeded["a"] + "</a>") :]


async def test_pagination_keeps_the_filters(store, clock, accounts, seeded, monkeypatch):
    monkeypatch.setattr(filters, "PAGE_SIZE", 2)
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        first = await (await client.get("/admin/declarations?structure_type=etablissement_sante_public")).text()
        assert references(first) == [seeded["d"], seeded["a"]] and "Page suivante" not in first
        first = await (await client.get("/admin/declarations")).text()
        assert references(first) == [seeded["d"], seeded["c"]]
        assert "Page 1 sur 2." in first and "Page précédente" not in first
        assert 'href="/admin/declarations?page=2" rel="next"' in first
        second = await (await client.get("/admin/declarations?page=2")).text()
        assert references(second) == [seeded["b"], seeded["a"]]
        assert 'href="/admin/declarations?page=1" rel="prev"' in second
        filtered = await (await client.get("/admin/declarations?grave=non&page=1")).text()
        assert references(filtered) == [seeded["c"], seeded["b"]]
        beyond = await (await client.get("/admin/declarations?page=9")).text()
        assert references(beyond) == [] and "au-delà de la dernière page" in beyond


@pytest.mark.parametrize(
    "query, message",
    [
        ("since=hier", "Déclarées à partir du : date invalide « hier »"),
        ("until=2026-02-30", "Déclarées jusqu&#39;au : date invalide"),
        ("until=31/02/2026", "date invalide « 31/02/2026 » (format attendu JJ/MM/AAAA)"),
        ("since=2026-03-01&until=2026-01-01", "doit précéder"),
        ("incident_type=attaque", "Type d&#39;incident : valeur inconnue « attaque »"),
        ("region=Bretagne", "Région : valeur inconnue"),
        ("status=brouillon", "Statut : valeur inconnue"),
        ("grave=peut-etre", "Incident grave : « oui » ou « non » attendu"),
        ("structure_name=" + "x" * 201, "200 caractères au maximum"),
        ("page=0", "Numéro de page invalide"),
        ("page=abc", "Numéro de page invalide"),
        ("region=%3Cscript%3E", "« &lt;script&gt; »"),
    ],
)
async def test_invalid_filters_give_a_french_message(store, clock, accounts, seeded, query, message):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get(f"/admin/declarations?{query}")
        html = await response.text()
        assert response.status == 400
        assert "Filtres invalides" in html and message in html
        assert references(html) == [] and "<script>" not in html
        export = await client.get(f"/admin/export.csv?{query}")
        assert export.status == 400 and "Requête invalide" in await export.text()


# --- Detail ---------------------------------------------------------------------------


async def test_detail_page_follows_the_official_form(store, clock, accounts, seeded):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get(f"/admin/declarations/{seeded['a']}")
        html = await response.text()
    assert response.status == 200
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert headings[:4] == [
        f"{number}. {title.replace(chr(39), '&#39;')}" for number, (title, _) in enumerate(BLOCKS, 1)
    ]
    assert "Qualification" in headings and "Obligations et échéances" in headings
    assert "<dt>Type de structure</dt>\n    <dd>Établissement de santé public</dd>" in html
    assert "<dt>Type d&#39;incident</dt>\n    <dd>Rançongiciel (ransomware)</dd>" in html
    assert "<dd>Disponibilité, Intégrité</dd>" in html
    assert "<dd>samedi 10 janvier 2026 à 3 h 00</dd>" in html  # detected_at
    assert "<dd>1\u202f200</dd>" in html  # persons_affected
    assert "<dt>Cause</dt>\n    <dd>Non renseigné</dd>" in html
    assert "L&#39;activité de soins fonctionne en mode dégradé." in html
    assert "CNIL : avant le mardi 13 janvier 2026 à 3 h 00" in html
    assert "<dt>État</dt>\n    <dd>En attente</dd>" in html


async def test_detail_of_a_transmitted_declaration(store, clock, accounts, seeded):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        html = await (await client.get(f"/admin/declarations/{seeded['b']}")).text()
    assert "<dd>Transmise</dd>" in html and "<dd>AR-42</dd>" in html
    assert "Risque de propagation." in html


async def test_viewing_a_declaration_is_audited(store, clock, accounts, seeded):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        await client.get(f"/admin/declarations/{seeded['b']}")
        for missing in ("SSI-2026-999999", "pas-une-reference"):
            response = await client.get(f"/admin/declarations/{missing}")
            assert response.status == 404 and "Page introuvable" in await response.text()
    [entry] = audit_rows(store, audit.VIEW)
    assert (entry.login, entry.target, entry.ip, entry.at) == (READER, seeded["b"], "127.0.0.1", clock())


async def test_structure_names_are_escaped(store, clock, accounts, seeded):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        pages = [
            await (await client.get(path)).text()
            for path in (
                "/admin/declarations",
                f"/admin/declarations/{seeded['d']}",
                "/admin/declarations?structure_name=%3Cscript%3E",
            )
        ]
    for html in pages:
        assert "<script>" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Clinique" in html


# --- Exports --------------------------------------------------------------------------


async def test_csv_export_neutralises_formulas(store, clock, accounts, seeded):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get("/admin/export.csv?region=ile_de_france")
        raw = await response.read()
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="declarations-\d{8}-\d{6}\.csv"', response.headers["Content-Disposition"]
    )
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == CSV_COLUMNS and len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["structure_name"] == "'" + FORMULA_NAME
    assert row["reference"] == seeded["c"]
    assert row["declarant_phone"] == "'+33248000000"


async def test_csv_export_is_the_whole_filtered_list(store, clock, accounts, seeded, monkeypatch):
    monkeypatch.setattr(filters, "PAGE_SIZE", 1)
    monkeypatch.setattr(storage, "MAX_LIST_LIMIT", 1)
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        text = (await (await client.get("/admin/export.csv?grave=non")).read()).decode("utf-8-sig")
        everything = (await (await client.get("/admin/export.csv")).read()).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["reference"] for row in rows] == [seeded["b"], seeded["c"]]
    assert len(list(csv.DictReader(io.StringIO(everything)))) == 4
    entries = audit_rows(store, audit.EXPORT)
    assert [(e.login, e.details) for e in entries] == [
        (READER, {"format": "csv", "filtres": {"grave": "non"}, "lignes": 2}),
        (READER, {"format": "csv", "filtres": {}, "lignes": 4}),
    ]
    assert entries[0].ip == "127.0.0.1" and entries[0].at == clock()


async def test_spreadsheet_export_reads_in_french(store, clock, accounts, seeded):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get("/admin/export-tableur.csv?region=centre_val_de_loire")
        raw = await response.read()
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="declarations-\d{8}-\d{6}-tableur\.csv"', response.headers["Content-Disposition"]
    )
    assert raw.startswith("\ufeffNom de la structure;Numéro FINESS;Type de structure;Région;".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows[0]) == len(CSV_COLUMNS) and len(rows) == 3  # a and d, oldest first
    row = dict(zip(rows[0], rows[1]))
    assert row["Référence"] == seeded["a"]
    assert row["Type de structure"] == "Établissement de santé public"
    assert row["Région"] == "Centre-Val de Loire"
    assert row["Type d'incident"] == "Rançongiciel (ransomware)"
    assert row["Plainte déposée"] == "Prévue"
    assert row["Systèmes touchés"] == "Dossier patient informatisé (DPI), Messagerie"
    assert row["Impact sur les données"] == "Disponibilité, Intégrité"
    assert row["Date de détection"] == "10/01/2026 03:00"
    assert row["Créée le"] == "05/01/2026 11:00"  # 10:00 UTC, in Paris
    assert (row["Incident grave"], row["Incident significatif"]) == ("Oui", "Non")
    assert row["Motifs de la qualification"] == "L'activité de soins fonctionne en mode dégradé."
    assert row["Obligations"] == "CERT Santé, CNIL (avant le 13/01/2026 03:00)"
    assert (row["Statut"], row["Canal"]) == ("Soumise", "Page web de Vigie")
    assert row["Nombre de personnes concernées"] == "1200"
    assert row["Cause"] == "" and row["Date de début de l'incident"] == ""
    assert row["Téléphone du déclarant"] == "'+33248000000"  # a leading "+" would be a formula


async def test_spreadsheet_export_neutralises_formulas_and_is_audited(store, clock, accounts, seeded):
    async with admin_client(store, clock) as client:
        anonymous = await client.get("/admin/export-tableur.csv", allow_redirects=False)
        assert anonymous.status == 401
        await login(client, READER, READER_PASSWORD)
        text = (await (await client.get("/admin/export-tableur.csv?region=ile_de_france")).read()).decode("utf-8-sig")
        refused = await client.get("/admin/export-tableur.csv?region=atlantide")
        assert refused.status == 400 and "Requête invalide" in await refused.text()
    [row] = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert row["Nom de la structure"] == "'" + FORMULA_NAME
    assert row["Motifs de la qualification"] == "" and row["Incident grave"] == "Non"
    [entry] = audit_rows(store, audit.EXPORT)
    assert (entry.login, entry.details) == (
        READER,
        {"format": "csv-tableur", "filtres": {"region": "ile_de_france"}, "lignes": 1},
    )


async def test_the_list_offers_the_spreadsheet_export_beside_the_raw_one(store, clock, accounts, seeded):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        html = await (await client.get("/admin/declarations?region=bretagne")).text()
    raw = html.index('href="/admin/export.csv?region=bretagne"')
    link = 'href="/admin/export-tableur.csv?region=bretagne" download>'
    spreadsheet = html.index(link + "Exporter en CSV pour tableur (Excel, LibreOffice)</a>")
    assert 0 < spreadsheet - raw < 300


async def test_json_export(store, clock, accounts, seeded):
    async with admin_client(store, clock) as client:
        await login(client, ADMIN, ADMIN_PASSWORD)
        response = await client.get("/admin/export.json?since=2026-02-01&structure_name=e")
        body = await response.json()
    assert response.status == 200
    assert re.fullmatch(
        r'attachment; filename="declarations-\d{8}-\d{6}\.json"', response.headers["Content-Disposition"]
    )
    assert body["filters"] == {"since": "2026-02-01", "structure_name": "e"}
    assert body["exported_at"] == "2026-03-02T10:00:00+01:00"
    expected = store.all_matching({"since": "2026-02-01", "structure_name": "e"})
    assert body["items"] == expected and body["count"] == len(expected) == 2
    assert [item["reference"] for item in body["items"]] == [seeded["b"], seeded["d"]]
    assert body["items"][0]["transmission"]["state"] == "transmise"
    [entry] = audit_rows(store, audit.EXPORT)
    assert entry.details == {"format": "json", "filtres": body["filters"], "lignes": 2}


# --- Audit log page -------------------------------------------------------------------


async def test_audit_page_lists_events_newest_first_with_pages(store, clock, accounts, seeded, monkeypatch):
    monkeypatch.setattr(audit_log, "PAGE_SIZE", 3)
    async with admin_client(store, clock) as client:
        await login(client, "inconnu", "Mauvais mot de passe")
        clock.advance(minutes=1)
        await login(client, ADMIN, ADMIN_PASSWORD)
        clock.advance(minutes=1)
        await client.get(f"/admin/declarations/{seeded['a']}")
        clock.advance(minutes=1)
        await client.get("/admin/export.json?region=bretagne")
        first = await (await client.get("/admin/journal")).text()
        second = await (await client.get("/admin/journal?page=2")).text()
        bad = await client.get("/admin/journal?page=-1")
        assert bad.status == 400
    assert "6 événements enregistrés. Page 1 sur 2." in first
    actions = re.findall(
        r"<td>(Export|Consultation d&#39;une déclaration|Connexion|Échec de connexion|"
        r"Création d&#39;un utilisateur)</td>",
        first + second,
    )
    assert actions == [
        "Export",
        "Consultation d&#39;une déclaration",
        "Connexion",
        "Échec de connexion",
        "Création d&#39;un utilisateur",
        "Création d&#39;un utilisateur",
    ]
    assert "format : json ; filtres : region = bretagne ; lignes : 1" in first
    assert f"<td>{seeded['a']}</td>" in first and "<td>127.0.0.1</td>" in first
    assert "motif : identifiant_inconnu" in second
    assert '<th scope="row">02/03/2026 10:03</th>' in first


# --- User management ------------------------------------------------------------------


async def _post(client, path, **data):
    token = await page_token(client, "/admin/utilisateurs")
    return await client.post(path, data={**data, "csrf": token}, headers=origin(client), allow_redirects=False)


async def test_an_administrator_manages_users_from_the_pages(store, clock, accounts):
    async with admin_client(store, clock) as client:
        await login(client, ADMIN, ADMIN_PASSWORD)
        created = await _post(
            client,
            "/admin/utilisateurs",
            login="Marie.Curie",
            role="lecteur",
            password="Radium et polonium 1898",
            password_confirm="Radium et polonium 1898",
        )
        assert created.status == 303
        notice = await (await client.get(created.headers["Location"])).text()
        assert "L&#39;utilisateur « marie.curie » a été créé." in notice
        assert (await _post(client, "/admin/utilisateurs/marie.curie/role", role="administrateur")).status == 303
        assert users.get_user(store, "marie.curie").role == "administrateur"
        assert (await _post(client, "/admin/utilisateurs/marie.curie/desactiver")).status == 303
        assert users.get_user(store, "marie.curie").active is False
        assert (await _post(client, "/admin/utilisateurs/marie.curie/reactiver")).status == 303
        assert users.get_user(store, "marie.curie").active is True
    async with admin_client(store, clock) as other:
        assert (await login(other, "marie.curie", "Radium et polonium 1898")).status == 303
    changes = [
        (e.login, e.action, e.target)
        for e in audit_rows(store, audit.USER_ROLE_CHANGED)
        + audit_rows(store, audit.USER_DISABLED)
        + audit_rows(store, audit.USER_ENABLED)
    ]
    assert changes == [
        (ADMIN, audit.USER_ROLE_CHANGED, "marie.curie"),
        (ADMIN, audit.USER_DISABLED, "marie.curie"),
        (ADMIN, audit.USER_ENABLED, "marie.curie"),
    ]
    assert audit_rows(store, audit.USER_CREATED)[-1].details == {"role": "lecteur"}


@pytest.mark.parametrize(
    "data, message",
    [
        ({"login": "bob", "password": "motdepasse2024", "password_confirm": "motdepasse2024"}, "trop courant"),
        ({"login": "bob", "password": "Une phrase assez longue", "password_confirm": "Une autre"}, "différents"),
        (
            {
                "login": "Bob Martin",
                "password": "Une phrase assez longue",
                "password_confirm": "Une phrase assez longue",
            },
            "Identifiant invalide",
        ),
        (
            {"login": READER, "password": "Une phrase assez longue", "password_confirm": "Une phrase assez longue"},
            "déjà utilisé",
        ),
        (
            {
                "login": "bob",
                "role": "chef",
                "password": "Une phrase assez longue",
                "password_confirm": "Une phrase assez longue",
            },
            "Rôle inconnu",
        ),
    ],
)
async def test_user_creation_errors_are_shown_in_french(store, clock, accounts, data, message):
    async with admin_client(store, clock) as client:
        await login(client, ADMIN, ADMIN_PASSWORD)
        response = await _post(client, "/admin/utilisateurs", **{"role": "lecteur", **data})
        assert response.status == 400
        assert message in await response.text()
    assert [user.login for user in users.list_users(store)] == [ADMIN, READER]


async def test_an_administrator_cannot_lock_everyone_out(store, clock, accounts):
    async with admin_client(store, clock) as client:
        await login(client, ADMIN, ADMIN_PASSWORD)
        own = await _post(client, f"/admin/utilisateurs/{ADMIN}/desactiver")
        assert own.status == 400 and "votre propre compte" in await own.text()
        demote = await _post(client, f"/admin/utilisateurs/{ADMIN}/role", role="lecteur")
        assert demote.status == 400 and "dernier administrateur actif" in await demote.text()
        unknown = await _post(client, "/admin/utilisateurs/personne/desactiver")
        assert unknown.status == 400 and "Aucun utilisateur" in await unknown.text()
    assert users.get_user(store, ADMIN).role == "administrateur"


async def test_disabling_from_the_pages_ends_the_users_sessions(store, clock, accounts):
    async with admin_client(store, clock) as reader, admin_client(store, clock) as chief:
        await login(reader, READER, READER_PASSWORD)
        await login(chief, ADMIN, ADMIN_PASSWORD)
        assert (await reader.get("/admin/declarations", allow_redirects=False)).status == 200
        assert (await _post(chief, f"/admin/utilisateurs/{READER}/desactiver")).status == 303
        assert (await reader.get("/admin/declarations", allow_redirects=False)).status == 303
        assert (await login(reader, READER, READER_PASSWORD)).status == 401


# --- Schema ---------------------------------------------------------------------------


def test_migration_matches_the_admin_models(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from bot.core.models import managed_by_model

    with store.engine.connect() as connection:
        opts = {"compare_type": True, "include_name": managed_by_model}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, storage.Base.metadata) == []
        tables = set(inspect(connection).get_table_names())
    assert {"admin_users", "admin_sessions", "admin_audit_log"} <= tables


def test_the_migration_downgrades_and_upgrades_again(store):
    from alembic import command
    from sqlalchemy import inspect

    cfg = storage.alembic_config(store.url)
    with store.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0004")
    with store.engine.connect() as connection:
        assert not {"admin_users", "admin_sessions", "admin_audit_log"} & set(inspect(connection).get_table_names())
    store.migrate()
    with store.engine.connect() as connection:
        assert "admin_sessions" in inspect(connection).get_table_names()


def test_the_blocks_cover_every_field_once():
    from bot.core import schema

    laid_out = [name for _, names in BLOCKS for name in names]
    assert laid_out == schema.FIELDS


def test_the_admin_app_needs_no_globals(store):
    from bot.admin import create_admin_app

    assert isinstance(create_admin_app(store), web.Application)


async def test_the_detail_shows_the_declarants_completions(store, clock, accounts, seeded):
    reference = seeded["a"]
    declared = store.get(reference)
    store.complete(
        reference,
        {"cause": "Un VPN non mis à jour.", "handling_status": "resolu"},
        completion_key="c1",
        conversation_id="conv-1",
        qualification=declared["qualification"],
        obligations=declared["obligations"],
    )
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        html = await (await client.get(f"/admin/declarations/{reference}")).text()
    history = html[html.index('id="historique"') :]
    assert '<th scope="row">Cause</th><td>Non renseigné</td><td>Un VPN non mis à jour.</td>' in history
    assert "<td>En cours de traitement</td><td>Résolu</td>" in history
