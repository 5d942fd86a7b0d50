"""The forwarder against the fake authority: one delivery per declaration
whatever the authority does, retries with backoff, dead letter, alert."""

import asyncio
import logging
import random

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer

from bot import fake_authority
from bot.core.outbox import DEAD, DELIVERED, PENDING, Outbox
from bot.forwarding.worker import Forwarder, Settings, retry_delay
from tests.support.declarations import submit


@pytest_asyncio.fixture
async def authority():
    server = TestServer(fake_authority.create_app(token="jeton-autorite"))
    await server.start_server()
    yield server
    await server.close()


@pytest_asyncio.fixture
async def forwarder(store, authority):  # noqa: F811
    settings = Settings(
        url=str(authority.make_url("/declarations")),
        token="jeton-autorite",
        max_attempts=3,
        base_delay=0.01,
        max_delay=0.05,
        timeout=0.5,
    )
    async with aiohttp.ClientSession() as session:
        yield Forwarder(Outbox(store, lease_seconds=5), settings, session)


def state(authority):
    return authority.app[fake_authority.STATE_KEY]


async def drain(forwarder, rounds=20):
    for _ in range(rounds):
        await forwarder.run_once()
        await asyncio.sleep(0.06)


def test_backoff_doubles_with_jitter_and_is_capped():
    settings = Settings(url="http://x", base_delay=2, max_delay=60)
    rng = random.Random(1)
    for attempts, ceiling in [(1, 2), (2, 4), (3, 8), (6, 60), (20, 60)]:
        delays = [retry_delay(attempts, settings, rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1


async def test_a_declaration_is_delivered_once_with_its_key(store, authority, forwarder):  # noqa: F811
    reference = submit(store)["reference"]
    await drain(forwarder, 2)
    [delivery] = state(authority).deliveries.values()
    assert delivery["reference"] == reference and delivery["kind"] == "initiale"
    assert delivery["body"]["structure_name"] == "CH de Vierzon"
    transmission = store.get(reference)["transmission"]
    assert transmission["state"] == DELIVERED and transmission["receipt"] == delivery["receipt"]
    assert store.get(reference)["status"] == "transmise"


@pytest.mark.parametrize(
    "mode, options",
    [
        ("error500", {"count": 2}),
        ("throttle", {"count": 2, "retry_after": 0}),
        ("accept_then_timeout", {"count": 1, "stall_seconds": 2}),
        ("stall", {"count": 1, "stall_seconds": 2}),
    ],
)
async def test_transient_failures_end_in_one_delivery(store, authority, forwarder, mode, options):  # noqa: F811
    st = state(authority)
    st.mode, st.count = mode, options["count"]
    st.stall_seconds, st.retry_after = options.get("stall_seconds", 3600), options.get("retry_after", 1)
    reference = submit(store)["reference"]
    await drain(forwarder)
    assert [d["reference"] for d in st.deliveries.values()] == [reference]
    assert store.get(reference)["transmission"]["state"] == DELIVERED
    if mode == "accept_then_timeout":
        assert next(iter(st.deliveries.values()))["times_received"] == 2


async def test_a_refusal_goes_straight_to_the_dead_letter_with_an_alert(store, authority, forwarder, caplog):  # noqa: F811
    state(authority).mode, state(authority).count = "reject", 1
    reference = submit(store)["reference"]
    with caplog.at_level(logging.ERROR, logger="vigie.forwarding"):
        await drain(forwarder, 3)
    transmission = store.get(reference)["transmission"]
    assert transmission["state"] == DEAD and transmission["attempts"] == 1
    assert transmission["last_error"] == "HTTP 422"
    assert f"ALERTE transmission : la déclaration {reference}" in caplog.text
    assert "CH de Vierzon" not in caplog.text


async def test_attempts_are_bounded(store, authority, forwarder):  # noqa: F811
    state(authority).mode = "error500"
    reference = submit(store)["reference"]
    await drain(forwarder)
    transmission = store.get(reference)["transmission"]
    assert transmission["state"] == DEAD and transmission["attempts"] == 3
    assert state(authority).deliveries == {}


async def test_an_unreachable_authority_is_retried(store, authority, forwarder):  # noqa: F811
    reference = submit(store)["reference"]
    await authority.close()
    await drain(forwarder, 2)
    transmission = store.get(reference)["transmission"]
    assert transmission["state"] == PENDING and transmission["last_error"].startswith("réseau")


async def test_a_wrong_token_is_refused_and_dead_lettered(store, authority):  # noqa: F811
    reference = submit(store)["reference"]
    settings = Settings(url=str(authority.make_url("/declarations")), token="faux", max_attempts=3, base_delay=0.01)
    async with aiohttp.ClientSession() as session:
        await drain(Forwarder(Outbox(store), settings, session), 2)
    transmission = store.get(reference)["transmission"]
    assert transmission["state"] == DEAD and transmission["last_error"] == "HTTP 401"
    assert state(authority).deliveries == {}
