"""The fake authority's own contract, which the forwarding tests rely on."""

import asyncio
import logging
import sys
import time

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot import fake_authority
from bot.fake_authority import STATE_KEY, create_app

KEY = {"Idempotency-Key": "k-1"}
BODY = {"reference": "SSI-2026-000001", "kind": "initiale", "declarant_email": "jeanne.martin@ch-exemple.fr"}
SHORT = aiohttp.ClientTimeout(total=0.3)


async def start(token=None) -> TestClient:
    test_client = TestClient(TestServer(create_app(token=token)))
    await test_client.start_server()
    return test_client


@pytest_asyncio.fixture
async def client():
    test_client = await start()
    yield test_client
    await test_client.close()


async def received(client):
    return await (await client.get("/_control/received")).json()


async def set_mode(client, mode, **options):
    response = await client.put("/_control/mode", json={"mode": mode, **options})
    assert response.status == 200
    return await response.json()


async def post(client, key="k-1", body=BODY, **kwargs):
    return await client.post("/declarations", json=body, headers={"Idempotency-Key": key}, **kwargs)


# accept and idempotency ------------------------------------------------------


async def test_accept_stores_the_delivery_and_answers_a_receipt(client):
    response = await post(client)
    assert response.status == 201
    assert await response.json() == {"receipt": "CERT-1", "reference": BODY["reference"]}
    state = await received(client)
    assert state["requests"] == 1
    [delivery] = state["deliveries"]
    assert delivery["idempotency_key"] == "k-1" and delivery["reference"] == BODY["reference"]
    assert delivery["kind"] == "initiale" and delivery["times_received"] == 1
    assert delivery["body"] == BODY and delivery["received_at"]


async def test_the_same_key_is_stored_once_and_gets_its_first_receipt(client):
    first, again = await post(client), await post(client)
    assert (first.status, again.status) == (201, 200)
    assert (await first.json())["receipt"] == (await again.json())["receipt"] == "CERT-1"
    state = await received(client)
    [delivery] = state["deliveries"]
    assert delivery["times_received"] == 2 and state["requests"] == 2


async def test_another_key_is_another_delivery(client):
    await post(client, "k-1")
    other = await post(client, "k-2", {"reference": "SSI-2026-000001", "kind": "complement"})
    assert other.status == 201 and (await other.json())["receipt"] == "CERT-2"
    assert [d["kind"] for d in (await received(client))["deliveries"]] == ["initiale", "complement"]


# failing modes ------------------------------------------------------------------


@pytest.mark.parametrize("mode, status", [("reject", 422), ("error500", 500), ("throttle", 429)])
async def test_failing_modes_store_nothing(client, mode, status):
    await set_mode(client, mode)
    response = await post(client)
    assert response.status == status
    assert "error" in await response.json()
    state = await received(client)
    assert state["deliveries"] == [] and state["requests"] == 1


async def test_throttle_sends_retry_after_default_then_configured(client):
    await set_mode(client, "throttle")
    assert (await post(client)).headers["Retry-After"] == "1"
    await set_mode(client, "throttle", retry_after=7)
    assert (await post(client)).headers["Retry-After"] == "7"


async def test_a_counted_mode_ends_then_accept_returns(client):
    await set_mode(client, "error500", count=2)
    assert [(await post(client)).status for _ in range(3)] == [500, 500, 201]
    assert (await received(client))["mode"] == "accept"
    assert len((await received(client))["deliveries"]) == 1


async def test_a_mode_without_count_lasts_until_changed(client):
    await set_mode(client, "reject", count=None)
    assert [(await post(client)).status for _ in range(3)] == [422, 422, 422]
    await set_mode(client, "accept")
    assert (await post(client)).status == 201


# stalls ---------------------------------------------------------------------------


async def test_stall_never_answers_in_time_and_stores_nothing(client):
    await set_mode(client, "stall", count=1)
    with pytest.raises(asyncio.TimeoutError):
        await post(client, timeout=SHORT)
    state = await received(client)
    assert state["deliveries"] == [] and state["requests"] == 1
    assert (await post(client)).status == 201  # count used up


async def test_a_short_stall_ends_in_an_error_without_storing(client):
    await set_mode(client, "stall", stall_seconds=0.05)
    assert (await post(client)).status == 504
    assert (await received(client))["deliveries"] == []


async def test_accept_then_timeout_stores_once_and_the_retry_gets_the_receipt(client):
    await set_mode(client, "accept_then_timeout", count=1)
    with pytest.raises(asyncio.TimeoutError):
        await post(client, timeout=SHORT)
    [delivery] = (await received(client))["deliveries"]
    assert delivery["times_received"] == 1
    retry = await post(client)
    assert retry.status == 200 and (await retry.json())["receipt"] == delivery["receipt"]
    [delivery] = (await received(client))["deliveries"]
    assert delivery["times_received"] == 2


async def test_a_stalled_request_does_not_hold_the_shutdown():
    test_client = await start()
    await set_mode(test_client, "stall")
    pending = asyncio.ensure_future(post(test_client))  # still connected when the server stops
    await asyncio.sleep(0.2)
    began = time.monotonic()
    await test_client.server.close()
    assert time.monotonic() - began < 5
    with pytest.raises(aiohttp.ClientError):
        (await pending).raise_for_status()
    await test_client.close()


# validation ------------------------------------------------------------------------


async def test_a_token_when_configured():
    test_client = await start(token="t")
    try:
        assert (await post(test_client)).status == 401
        bad = await test_client.post("/declarations", json=BODY, headers={**KEY, "Authorization": "Bearer x"})
        assert bad.status == 401 and "error" in await bad.json()
        good = await test_client.post("/declarations", json=BODY, headers={**KEY, "Authorization": "Bearer t"})
        assert good.status == 201
        assert len((await received(test_client))["deliveries"]) == 1
    finally:
        await test_client.close()


async def test_without_a_token_authorization_is_ignored(client):
    response = await client.post("/declarations", json=BODY, headers={**KEY, "Authorization": "Bearer x"})
    assert response.status == 201


@pytest.mark.parametrize(
    "headers, data, status",
    [
        ({}, b'{"reference": "SSI-2026-000001"}', 400),
        ({"Idempotency-Key": " "}, b'{"reference": "SSI-2026-000001"}', 400),
        (KEY, b"{", 400),
        (KEY, b"\xff\xfe", 400),
        (KEY, b'[{"reference": "SSI-2026-000001"}]', 400),
        (KEY, b'"SSI-2026-000001"', 400),
        (KEY, b'{"kind": "initiale"}', 422),
        (KEY, b'{"reference": 123}', 422),
    ],
)
async def test_malformed_deliveries_are_refused(client, headers, data, status):
    response = await client.post("/declarations", data=data, headers={"Content-Type": "application/json", **headers})
    assert response.status == status
    assert (await response.json())["error"]
    state = await received(client)
    assert state["deliveries"] == [] and state["requests"] == 1


@pytest.mark.parametrize(
    "control",
    [
        {"mode": "down"},
        {},
        {"mode": "reject", "count": 0},
        {"mode": "reject", "count": "2"},
        {"mode": "reject", "count": True},
        {"mode": "stall", "stall_seconds": -1},
        {"mode": "throttle", "retry_after": "soon"},
        ["reject"],
    ],
)
async def test_bad_controls_are_refused_and_change_nothing(client, control):
    await set_mode(client, "error500", count=3, stall_seconds=9, retry_after=2)
    response = await client.put("/_control/mode", json=control)
    assert response.status == 400 and (await response.json())["error"]
    state = client.server.app[STATE_KEY]
    assert (state.mode, state.count, state.stall_seconds, state.retry_after) == ("error500", 3, 9, 2)


async def test_reset_forgets_everything(client):
    await post(client)
    await set_mode(client, "stall", stall_seconds=5)
    assert (await client.delete("/_control/received")).status == 200
    assert await received(client) == {"deliveries": [], "requests": 0, "mode": "accept"}
    assert client.server.app[STATE_KEY].stall_seconds == 3600


# logs and command line ---------------------------------------------------------------


async def test_logs_show_the_request_but_never_the_body(client, caplog):
    caplog.set_level(logging.INFO, logger="vigie.fake_authority")
    await post(client, "k-log")
    await client.post("/declarations", data=b'{"declarant_email": "jeanne.martin@ch-exemple.fr"', headers=KEY)
    assert "POST /declarations -> 201 key=k-log" in caplog.text
    assert "POST /declarations -> 400 key=k-1" in caplog.text
    assert "jeanne.martin" not in caplog.text and "SSI-2026" not in caplog.text


def test_the_command_line_serves_with_the_token_from_the_environment(monkeypatch):
    served = {}
    monkeypatch.setattr(fake_authority.web, "run_app", lambda app, **kwargs: served.update(app=app, **kwargs))
    monkeypatch.setattr(fake_authority.logging, "basicConfig", lambda **kwargs: None)
    monkeypatch.setenv("VIGIE_AUTHORITY_TOKEN", "secret")
    monkeypatch.setattr(sys, "argv", ["fake_authority", "--port", "8099"])
    fake_authority.main()
    assert (served["host"], served["port"]) == ("127.0.0.1", 8099)
    assert served["app"][STATE_KEY].token == "secret"
