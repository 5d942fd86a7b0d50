"""REST API on declarations, through aiohttp's test client, on SQLite and PostgreSQL."""

import csv
import io
import ipaddress
import threading

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.core import schema
from bot.web import api
from bot.web import app as web_app
from bot.web.api import CSV_COLUMNS
from tests.support.declarations import (
    submit,
)

pytestmark = pytest.mark.asyncio

TOKEN = "s3cret-jeton"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PROXIES = (ipaddress.ip_network("127.0.0.0/8"),)


@pytest_asyncio.fixture
async def client(store):
    test_client = TestClient(TestServer(web_app.create_app(store, TOKEN)))
    await test_client.start_server()
    try:
        yield test_client
    finally:
        await test_client.close()


@pytest.fixture
def seeded(store):
    ransomware = submit(store, key="a")
    formula = submit(
        store,
        key="b",
        structure_name='=HYPERLINK("http://evil")',
        description="-2+3 @SUM(A1)",
        incident_type="panne_materielle",
        region="bretagne",
        qualification={"grave": False, "significatif": True, "reasons": ["+ partagé"]},
    )
    return ransomware, formula


async def test_healthz_needs_no_token(client):
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer mauvais"}, {"Authorization": f"Basic {TOKEN}"}, {"Authorization": "Bearer"}],
)
async def test_auth_required(client, seeded, headers):
    for path in ("/api/declarations", f"/api/declarations/{seeded[0]['reference']}"):
        response = await client.get(path, headers=headers)
        assert response.status == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert "jeton" in (await response.json())["error"]


async def test_get_declaration(client, store, seeded):
    reference = seeded[0]["reference"]
    response = await client.get(f"/api/declarations/{reference}", headers=AUTH)
    assert response.status == 200
    body = await response.json()
    assert body == store.get(reference)
    assert body["qualification"]["grave"] is True


async def test_personal_data_is_never_cached_nor_sniffed_and_the_server_hides_its_version(client, seeded):
    for path, headers in (("/api/declarations", AUTH), ("/api/declarations?format=csv", AUTH), ("/api/outbox", {})):
        response = await client.get(path, headers=headers)
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Server"] == "Vigie", path


async def test_get_unknown_and_malformed_reference(client, seeded):
    response = await client.get("/api/declarations/SSI-2026-999999", headers=AUTH)
    assert response.status == 404
    assert "Aucune déclaration" in (await response.json())["error"]
    response = await client.get("/api/declarations/abc';--", headers=AUTH)
    assert response.status == 400
    assert "mal formée" in (await response.json())["error"]


async def test_list_json(client, seeded):
    ransomware, formula = seeded
    response = await client.get("/api/declarations", headers=AUTH)
    assert response.status == 200
    body = await response.json()
    assert body["count"] == 2
    assert [item["reference"] for item in body["items"]] == [
        formula["reference"],
        ransomware["reference"],
    ]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("incident_type=rancongiciel", [0]),
        ("region=bretagne", [1]),
        ("grave=true", [0]),
        ("grave=false&significatif=oui", [1]),
        ("since=2000-01-01&until=2999-12-31", [1, 0]),
        ("since=2999-01-01", []),
        ("since=0001-01-01&until=9999-12-31", [1, 0]),  # far bounds were a 500 (UTC overflow)
        ("since=0465-01-24&until=9999-12-31T23:59:59", [1, 0]),
        ("structure_name=vierzon", [0]),
        ("limit=1&offset=1", [0]),
    ],
)
async def test_list_filters(client, seeded, query, expected):
    response = await client.get(f"/api/declarations?{query}", headers=AUTH)
    assert response.status == 200
    body = await response.json()
    assert [item["reference"] for item in body["items"]] == [seeded[index]["reference"] for index in expected]
    assert body["count"] == len(expected)


async def test_empty_parameters_are_refused_not_ignored(client, seeded):
    response = await client.get("/api/declarations?region=&until=", headers=AUTH)
    assert response.status == 400
    assert "vide(s) : region, until" in (await response.json())["error"]


async def test_list_csv_neutralises_formulas(client, seeded):
    response = await client.get("/api/declarations?format=csv", headers=AUTH)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(await response.text())))
    assert rows[0] == CSV_COLUMNS
    assert rows[0][: len(schema.FIELDS)] == schema.FIELDS
    assert len(rows) == 3
    formula, ransomware = (dict(zip(rows[0], row)) for row in rows[1:])
    assert formula["structure_name"] == '\'=HYPERLINK("http://evil")'
    assert formula["description"] == "'-2+3 @SUM(A1)"
    assert formula["reasons"] == "'+ partagé"
    assert formula["declarant_phone"] == "'+33248000000"
    assert formula["grave"] == "non" and formula["significatif"] == "oui"
    assert ransomware["affected_systems"] == "dpi|messagerie"
    assert ransomware["data_impact"] == "disponibilite|integrite"
    assert ransomware["reasons"] == "L'activité de soins fonctionne en mode dégradé."
    assert ransomware["obligations"] == "CERT Santé|CNIL (2026-01-13T03:00:00+01:00)"
    assert ransomware["reference"] == seeded[0]["reference"]
    assert ransomware["cause"] == ""


@pytest.mark.parametrize(
    "query, message",
    [
        ("incident_type=attaque", "valeur inconnue"),
        ("region=Bretagne", "valeur inconnue"),
        ("grave=peut-etre", "true"),
        ("since=hier", "date invalide"),
        ("until=2026-02-30", "date invalide"),
        ("couleur=rouge", "inconnu"),
        ("format=xml", "csv"),
        ("limit=abc", "entier"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
    ],
)
async def test_bad_filter_is_400(client, seeded, query, message):
    response = await client.get(f"/api/declarations?{query}", headers=AUTH)
    assert response.status == 400
    assert message in (await response.json())["error"]


async def test_store_runs_outside_the_event_loop_thread(client, store, seeded, monkeypatch):
    threads = []
    original = store.list

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return original(*args, **kwargs)

    monkeypatch.setattr(store, "list", spy)
    response = await client.get("/api/declarations", headers=AUTH)
    assert response.status == 200
    assert threads and threads[0] is not threading.main_thread()


async def test_create_api_refuses_an_empty_token(store):
    with pytest.raises(ValueError):
        web_app.create_app(store, "")


async def test_main_refuses_to_start_without_token(monkeypatch, capsys):
    monkeypatch.delenv("VIGIE_API_TOKEN", raising=False)
    assert web_app.main(["--port", "0"]) == 2
    assert "VIGIE_API_TOKEN" in capsys.readouterr().err


# --- Outbox -------------------------------------------------------------------


async def test_outbox_lists_pending_forwardings_and_raises_the_alert_on_a_dead_letter(client, store, seeded):
    from bot.core.outbox import Outbox

    response = await client.get("/api/outbox", headers=AUTH)
    body = await response.json()
    assert body["counts"] == {"en_attente": 2, "transmise": 0, "echec": 0}
    assert body["alert"] is False
    box = Outbox(store)
    [first, _] = box.claim_due()
    box.mark_failed(first.id, "HTTP 422", None)
    body = await (await client.get("/api/outbox?state=echec", headers=AUTH)).json()
    assert body["alert"] is True
    assert [item["reference"] for item in body["items"]] == [first.reference]
    declaration = await (await client.get(f"/api/declarations/{first.reference}", headers=AUTH)).json()
    assert declaration["transmission"]["state"] == "echec"
    assert declaration["transmission"]["last_error"] == "HTTP 422"


async def test_outbox_retry_requeues_only_a_dead_letter(client, store, seeded):
    from bot.core.outbox import Outbox

    reference = seeded[0]["reference"]
    response = await client.post(f"/api/outbox/{reference}/retry", headers=AUTH)
    assert response.status == 404
    box = Outbox(store)
    for claim in box.claim_due():
        box.mark_failed(claim.id, "HTTP 500", None)
    response = await client.post(f"/api/outbox/{reference}/retry", headers=AUTH)
    assert response.status == 200
    assert (await client.get(f"/api/declarations/{reference}", headers=AUTH)).status == 200
    assert (await response.json())["state"] == "en_attente"
    assert (await client.post("/api/outbox/SSI-X/retry", headers=AUTH)).status == 400


async def test_outbox_needs_the_token_and_a_known_state(client):
    assert (await client.get("/api/outbox")).status == 401
    assert (await client.post("/api/outbox/SSI-2026-000001/retry")).status == 401
    response = await client.get("/api/outbox?state=perdu", headers=AUTH)
    assert response.status == 400
    assert "inconnue" in (await response.json())["error"]


async def test_the_openapi_description_lists_the_spec_values():
    import yaml

    doc = yaml.safe_load(open("bot/web/openapi.yaml", encoding="utf-8"))
    params = {p["name"]: p["schema"] for p in doc["paths"]["/declarations"]["get"]["parameters"]}
    for name, values in [
        ("incident_type", schema.INCIDENT_TYPES),
        ("structure_type", schema.STRUCTURE_TYPES),
        ("region", schema.REGIONS),
        ("status", schema.STATUSES),
    ]:
        assert params[name]["enum"] == list(values), name
    assert set(params) == set(web_app_api_keys())


def web_app_api_keys():
    from bot.core.storage import FILTER_KEYS
    from bot.web.api import PAGE_KEYS

    return FILTER_KEYS + PAGE_KEYS


# --- Limits -----------------------------------------------------------------------------


async def api_client(store, monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(api, "clock", lambda: 1000.0)  # no refill however slow the machine is
    client = TestClient(TestServer(web_app.create_app(store, TOKEN, trusted_proxies=PROXIES)))
    await client.start_server()
    return client


async def test_a_flood_gets_a_french_429_with_retry_after_guessers_included(store, monkeypatch):
    client = await api_client(store, monkeypatch, VIGIE_API_RATE="1", VIGIE_API_BURST="3")
    try:
        statuses = [(await client.get("/api/declarations", headers=AUTH)).status for _ in range(3)]
        refused = await client.get("/api/declarations", headers=AUTH)
        guess = await client.get("/api/declarations", headers={"Authorization": "Bearer devine"})
        assert statuses == [200, 200, 200] and refused.status == 429 and guess.status == 429
        assert (await refused.json())["error"] == "Trop de requêtes depuis cette adresse : réessayez dans 1 seconde."
        assert refused.headers["Retry-After"] == "1" and refused.headers["Cache-Control"] == "no-store"
    finally:
        await client.close()


async def test_the_limit_is_per_client_behind_a_trusted_proxy(store, monkeypatch):
    client = await api_client(store, monkeypatch, VIGIE_API_RATE="1", VIGIE_API_BURST="2")
    try:
        first = {**AUTH, "X-Forwarded-For": "10.1.1.1"}
        other = {**AUTH, "X-Forwarded-For": "10.2.2.2"}
        assert [(await client.get("/api/outbox", headers=first)).status for _ in range(3)] == [200, 200, 429]
        assert (await client.get("/api/outbox", headers=other)).status == 200
    finally:
        await client.close()
