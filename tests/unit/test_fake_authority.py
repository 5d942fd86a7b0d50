"""The fake authority's own contract, which the forwarding tests rely on."""

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.fake_authority import create_app

KEY = {"Idempotency-Key": "k-1"}
BODY = {"reference": "SSI-2026-000001", "kind": "initiale"}


@pytest_asyncio.fixture
async def client():
    test_client = TestClient(TestServer(create_app(token=None)))
    await test_client.start_server()
    yield test_client
    await test_client.close()


async def received(client):
    return await (await client.get("/_control/received")).json()


async def test_the_same_key_is_stored_once_and_gets_its_first_receipt(client):
    first = await client.post("/declarations", json=BODY, headers=KEY)
    again = await client.post("/declarations", json=BODY, headers=KEY)
    assert (first.status, again.status) == (201, 200)
    assert (await first.json())["receipt"] == (await again.json())["receipt"]
    [delivery] = (await received(client))["deliveries"]
    assert delivery["times_received"] == 2


async def test_modes_apply_to_count_requests_then_accept_returns(client):
    assert (await client.put("/_control/mode", json={"mode": "throttle", "count": 2, "retry_after": 3})).status == 200
    for _ in range(2):
        refused = await client.post("/declarations", json=BODY, headers=KEY)
        assert refused.status == 429 and refused.headers["Retry-After"] == "3"
    assert (await client.post("/declarations", json=BODY, headers=KEY)).status == 201
    for mode, status in [("reject", 422), ("error500", 500)]:
        await client.put("/_control/mode", json={"mode": mode, "count": 1})
        assert (await client.post("/declarations", json=BODY, headers={"Idempotency-Key": mode})).status == status
    assert len((await received(client))["deliveries"]) == 1


async def test_malformed_deliveries_and_controls_are_refused(client):
    assert (await client.post("/declarations", json=BODY)).status == 400
    assert (await client.post("/declarations", data=b"{", headers=KEY)).status == 400
    assert (await client.post("/declarations", json=[BODY], headers=KEY)).status == 400
    assert (await client.post("/declarations", json={"kind": "initiale"}, headers=KEY)).status == 422
    assert (await client.put("/_control/mode", json={"mode": "down"})).status == 400
    assert (await client.put("/_control/mode", json={"mode": "reject", "count": 0})).status == 400
    assert (await received(client))["deliveries"] == []


async def test_a_token_when_configured():
    client = TestClient(TestServer(create_app(token="t")))
    await client.start_server()
    try:
        assert (await client.post("/declarations", json=BODY, headers=KEY)).status == 401
        ok = await client.post("/declarations", json=BODY, headers={**KEY, "Authorization": "Bearer t"})
        assert ok.status == 201
    finally:
        await client.close()


async def test_reset_forgets_everything(client):
    await client.post("/declarations", json=BODY, headers=KEY)
    await client.put("/_control/mode", json={"mode": "stall"})
    await client.delete("/_control/received")
    body = await received(client)
    assert body == {"deliveries": [], "requests": 0, "mode": "accept"}
