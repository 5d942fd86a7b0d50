"""The observatory page of the admin app: period and source, figures computed
from the stored declarations, charts as SVG, PDF and CSV downloads (audited),
real and synthetic data never mixed (SQLite and PostgreSQL)."""

import csv
import io
import xml.etree.ElementTree as ElementTree
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from bot.admin import audit
from bot.admin.views.observatory import SVG_POLICY, parse_query
from bot.core.admin_models import AuditEntry
from bot.core.storage import DeclarationStore
from tests.support.admin import (
    READER,
    READER_PASSWORD,
    admin_client,
    login,
)
from tests.support.declarations import submit

UTC = timezone.utc
PERIOD = "since=2026-01-01&until=2026-03-31"


@pytest.fixture
def demo(store):
    """A synthetic store beside the real one (same database, as a misconfiguration would have it)."""
    synthetic = DeclarationStore(store.url, synthetic=True)
    yield synthetic
    synthetic.dispose()


@pytest.fixture
def declarations(store, demo, frozen_now):
    """Real: 2 in January (one malicious ransomware, one hardware failure), 1 in March, 1 in 2025.
    Synthetic: 5 ransomware cases in February."""
    frozen_now(datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    submit(store, key="r1")
    submit(store, key="r2", incident_type="panne_materielle", origin="non_malveillante", region="bretagne")
    frozen_now(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    submit(store, key="r3", incident_type="hameconnage", region="bretagne")
    frozen_now(datetime(2025, 6, 1, 9, 0, tzinfo=UTC))
    submit(store, key="old")
    for n in range(5):
        submit(demo, key=f"s{n}", submitted_at=datetime(2026, 2, 2 + n, 9, 0, tzinfo=UTC))


def figure(html: str, label: str) -> str:
    start = html.index(f"<dt>{label}</dt>")
    return html[html.index("<dd>", start) + 4 : html.index("</dd>", start)]


async def test_the_page_shows_the_figures_of_the_period(store, demo, clock, accounts, declarations):
    async with admin_client(store, clock, demo_store=demo) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get(f"/admin/observatoire?{PERIOD}")
        html = await response.text()
    assert response.status == 200
    assert figure(html, "Déclarations") == "3" and figure(html, "Rançongiciels") == "1"
    assert figure(html, "Origine malveillante").startswith("2")
    assert "Données synthétiques de démonstration." not in html
    assert html.count('<section class="chart"') == 7
    assert (
        'src="/admin/observatoire/graphiques/regions.svg?since=2026-01-01&amp;until=2026-03-31&amp;source=reelles"'
        in html
    )
    assert '<th scope="row">Bretagne</th>' in html


async def test_synthetic_data_are_shown_alone_and_marked(store, demo, clock, accounts, declarations):
    async with admin_client(store, clock, demo_store=demo) as client:
        await login(client, READER, READER_PASSWORD)
        html = await (await client.get(f"/admin/observatoire?{PERIOD}&source=synthetiques")).text()
        listing = await (await client.get("/admin/declarations")).text()
    assert figure(html, "Déclarations") == "5" and figure(html, "Rançongiciels") == "5"
    assert "Données synthétiques de démonstration." in html
    assert "DEMO-" not in listing  # the declarations list shows real ones only


async def test_a_chart_is_an_svg_with_its_figures_and_its_own_policy(store, demo, clock, accounts, declarations):
    async with admin_client(store, clock, demo_store=demo) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get(f"/admin/observatoire/graphiques/monthly_trend.svg?{PERIOD}")
        svg = await response.text()
        missing = await client.get(f"/admin/observatoire/graphiques/inconnu.svg?{PERIOD}")
    assert response.status == 200 and response.content_type == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == SVG_POLICY
    root = ElementTree.fromstring(svg)
    description = root.find("{http://www.w3.org/2000/svg}desc").text
    assert "3 déclarations" in description and "janvier 2026 : 2" in description
    assert missing.status == 404


async def test_the_downloads_are_computed_and_written_to_the_audit_log(store, demo, clock, accounts, declarations):
    async with admin_client(store, clock, demo_store=demo) as client:
        await login(client, READER, READER_PASSWORD)
        pdf = await client.get(f"/admin/observatoire/rapport.pdf?{PERIOD}&source=synthetiques")
        body = await pdf.read()
        table = await client.get(f"/admin/observatoire/indicateurs.csv?{PERIOD}")
        text = (await table.text()).lstrip("\ufeff")
    assert pdf.status == 200 and body.startswith(b"%PDF")
    assert 'filename="observatoire-2026-01-01-2026-03-31-synthetique.pdf"' in pdf.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Rubrique", "Code", "Libellé", "Valeur", "Part (%)"]
    assert ["Synthèse", "declarations", "Déclarations", "3", ""] in rows
    with store.session() as session:
        entries = session.execute(select(AuditEntry).where(AuditEntry.action == audit.EXPORT)).scalars().all()
    assert [
        (e.login, e.details["format"], e.details["lignes"], e.details["observatoire"]["source"]) for e in entries
    ] == [(READER, "pdf", 5, "synthetiques"), (READER, "csv", 3, "reelles")]


@pytest.mark.parametrize(
    "query, message",
    [
        ("since=2026-13-01", "date invalide"),
        ("since=2026-03-01&until=2026-01-01", "doit précéder"),
        ("source=toutes", "Source inconnue"),
        ("region=atlantide", "Région : valeur inconnue « atlantide »."),
        ("structure_type=%3Cb%3E", "Type de structure : valeur inconnue « &lt;b&gt; »."),
        ("since=2027-02-01", "doit précéder"),  # after the default end, 31 December 2026
    ],
)
async def test_bad_parameters_get_a_french_message(store, demo, clock, accounts, query, message):
    async with admin_client(store, clock, demo_store=demo) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get(f"/admin/observatoire?{query}")
        assert response.status == 400 and message in await response.text()
        assert (await client.get(f"/admin/observatoire/rapport.pdf?{query}")).status == 400
        assert (await client.get(f"/admin/observatoire/indicateurs.csv?{query}")).status == 400
        assert (await client.get(f"/admin/observatoire/graphiques/regions.svg?{query}")).status == 404


async def test_without_a_synthetic_store_the_page_says_so(store, clock, accounts):
    async with admin_client(store, clock) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get("/admin/observatoire?source=synthetiques")
        assert response.status == 404 and "VIGIE_DEMO_DATABASE_URL" in await response.text()


def test_the_default_period_is_the_current_year():
    query = parse_query({}, date(2026, 12, 1))
    assert (query.since, query.until, query.source, query.errors) == ("2026-01-01", "2026-12-31", "reelles", [])


# --- Region and structure type ------------------------------------------------------------


async def test_a_region_filters_every_figure_and_is_kept_in_the_links(store, demo, clock, accounts, declarations):
    async with admin_client(store, clock, demo_store=demo) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get(f"/admin/observatoire?{PERIOD}&region=bretagne")
        html = await response.text()
        svg = await (
            await client.get(f"/admin/observatoire/graphiques/monthly_trend.svg?{PERIOD}&region=bretagne")
        ).text()
    assert response.status == 200
    assert figure(html, "Déclarations") == "2" and figure(html, "Rançongiciels") == "0"  # r2 and r3
    assert '<option value="bretagne" selected>Bretagne</option>' in html
    assert '<p class="scope">Périmètre : région « Bretagne », tous les types de structure.</p>' in html
    assert (
        "/admin/observatoire/rapport.pdf?since=2026-01-01&amp;until=2026-03-31&amp;source=reelles&amp;region=bretagne"
        in html
    )
    assert "graphiques/regions.svg?since=2026-01-01&amp;until=2026-03-31&amp;source=reelles&amp;region=bretagne" in html
    description = ElementTree.fromstring(svg).find("{http://www.w3.org/2000/svg}desc").text
    assert "2 déclarations" in description and "mars 2026 : 1" in description


async def test_a_structure_type_without_declarations_says_so(store, demo, clock, accounts, declarations):
    async with admin_client(store, clock, demo_store=demo) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get(f"/admin/observatoire?{PERIOD}&structure_type=esms")
        html = await response.text()
    assert response.status == 200 and figure(html, "Déclarations") == "0"
    assert '<option value="esms" selected>Établissement ou service médico-social (ESMS)</option>' in html
    assert "Aucune déclaration réelle pour ce périmètre, quelle que soit la période." in html


async def test_the_downloads_cover_the_region_and_name_it(store, demo, clock, accounts, declarations):
    scoped = f"{PERIOD}&region=bretagne&structure_type=etablissement_sante_public"
    async with admin_client(store, clock, demo_store=demo) as client:
        await login(client, READER, READER_PASSWORD)
        table = await client.get(f"/admin/observatoire/indicateurs.csv?{scoped}")
        rows = list(csv.reader(io.StringIO((await table.text()).lstrip("\ufeff"))))
        pdf = await client.get(f"/admin/observatoire/rapport.pdf?{scoped}")
        await pdf.read()
    assert ["Synthèse", "declarations", "Déclarations", "2", ""] in rows
    assert ["Périmètre", "region", "Région", "Bretagne", ""] in rows
    assert ["Périmètre", "structure_type", "Type de structure", "Établissement de santé public", ""] in rows
    assert pdf.status == 200
    assert (
        'filename="observatoire-2026-01-01-2026-03-31-bretagne-etablissement_sante_public.pdf"'
        in pdf.headers["Content-Disposition"]
    )
    with store.session() as session:
        entries = session.execute(select(AuditEntry).where(AuditEntry.action == audit.EXPORT)).scalars().all()
    assert [(e.details["format"], e.details["lignes"], e.details["observatoire"]["region"]) for e in entries] == [
        ("csv", 2, "bretagne"),
        ("pdf", 2, "bretagne"),
    ]


# --- A period with declarations after a change of source ----------------------------------------


async def test_switching_to_the_demo_data_moves_to_their_latest_year(store, demo, clock, accounts, declarations):
    switch = "since=2025-01-01&until=2025-12-31&source=synthetiques&source_affichee=reelles"
    async with admin_client(store, clock, demo_store=demo) as client:
        await login(client, READER, READER_PASSWORD)
        response = await client.get(f"/admin/observatoire?{switch}")
        html = await response.text()
    assert response.status == 200 and figure(html, "Déclarations") == "5"
    assert (
        "Aucune déclaration synthétique de démonstration du 1er janvier 2025 au 31 décembre 2025 : "
        "la période affichée est l&#39;année 2026, la plus récente qui en compte."
    ) in html
    assert "<h2>Chiffres clés du 1er janvier 2026 au 31 décembre 2026</h2>" in html
    assert 'name="since" type="date" value="2026-01-01"' in html
    assert 'name="source_affichee" value="synthetiques"' in html
    assert "rapport.pdf?since=2026-01-01&amp;until=2026-12-31&amp;source=synthetiques" in html


async def test_switching_back_keeps_a_period_that_has_declarations(store, demo, clock, accounts, declarations):
    async with admin_client(store, clock, demo_store=demo) as client:
        await login(client, READER, READER_PASSWORD)
        html = await (
            await client.get(f"/admin/observatoire?{PERIOD}&source=reelles&source_affichee=synthetiques")
        ).text()
    assert figure(html, "Déclarations") == "3"
    assert 'class="notice"' not in html


async def test_an_empty_period_asked_for_stays_with_a_link_to_the_latest_year(
    store, demo, clock, accounts, declarations
):
    async with admin_client(store, clock, demo_store=demo) as client:
        await login(client, READER, READER_PASSWORD)
        html = await (
            await client.get("/admin/observatoire?since=2025-01-01&until=2025-12-31&source=synthetiques")
        ).text()
    assert figure(html, "Déclarations") == "0"
    assert "Aucune déclaration synthétique de démonstration du 1er janvier 2025 au 31 décembre 2025." in html
    assert (
        '<a href="/admin/observatoire?since=2026-01-01&amp;until=2026-12-31&amp;source=synthetiques">'
        "Afficher l&#39;année 2026, la plus récente qui compte des déclarations</a>"
    ) in html


async def test_the_default_period_falls_back_to_the_latest_year(store, demo, clock, accounts, declarations):
    clock.advance(days=366)  # 2027: no declaration yet
    async with admin_client(store, clock, demo_store=demo) as client:
        await login(client, READER, READER_PASSWORD)
        html = await (await client.get("/admin/observatoire?region=bretagne")).text()
    assert figure(html, "Déclarations") == "2"
    assert (
        "Aucune déclaration réelle du 1er janvier 2027 au 31 décembre 2027 pour ce périmètre : "
        "la période affichée est l&#39;année 2026, la plus récente qui en compte."
    ) in html
