"""The Redis lock store, on the local Redis, as two replicas use it: one
conversation's messages are handled one at a time, none is refused."""

import asyncio
import threading
import time
import uuid

import pytest
import redis
from rasa.utils.endpoints import EndpointConfig

from bot.locks import AtomicRedisLockStore

REDIS = {"host": "127.0.0.1", "port": 6379, "db": 0}


@pytest.fixture
def prefix():
    prefix = f"test{uuid.uuid4().hex[:10]}"
    yield prefix
    client = redis.StrictRedis(**REDIS)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def replica(prefix: str) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(
        EndpointConfig(url=REDIS["host"], port=REDIS["port"], db=REDIS["db"], key_prefix=prefix)
    )


def test_messages_sent_at_once_to_two_replicas_are_handled_one_after_the_other(prefix):
    stores = [replica(prefix), replica(prefix)]
    inside, overlaps, handled, errors = [], [], [], []
    guard = threading.Lock()

    async def handle(store: AtomicRedisLockStore, message: int) -> None:
        async with store.lock("conversation", lock_lifetime=30, wait_time_in_seconds=0.005):
            with guard:
                if inside:
                    overlaps.append((inside[0], message))
                inside.append(message)
            await asyncio.sleep(0.002)
            with guard:
                inside.remove(message)
                handled.append(message)

    def sender(store: AtomicRedisLockStore, first: int) -> None:
        async def burst() -> None:
            await asyncio.gather(*(handle(store, first + i) for i in range(15)))

        try:
            asyncio.run(burst())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=sender, args=(store, 100 * n)) for n, store in enumerate(stores * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert overlaps == []
    assert len(handled) == 60


def test_the_lock_is_gone_once_every_message_is_handled(prefix):
    store = replica(prefix)

    async def one() -> None:
        async with store.lock("conversation", lock_lifetime=30, wait_time_in_seconds=0.01):
            assert store.get_lock("conversation").is_someone_waiting()

    asyncio.run(one())
    assert store.get_lock("conversation") is None


def test_a_replica_that_died_holding_a_ticket_delays_the_next_message_only_until_it_expires(prefix):
    store = replica(prefix)
    store.issue_ticket("conversation", lock_lifetime=0.3)  # never returned
    started = time.monotonic()

    async def next_message() -> None:
        async with store.lock("conversation", lock_lifetime=30, wait_time_in_seconds=0.05):
            pass

    asyncio.run(next_message())
    assert 0.25 <= time.monotonic() - started < 5
