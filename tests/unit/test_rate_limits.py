"""Token buckets per client (bot/rate_limits.py)."""

import pytest

from bot.core import french
from bot.rate_limits import RateLimiter, too_fast


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_burst_passes_then_one_message_per_refill():
    clock = Clock()
    limits = RateLimiter(per_second=2.0, burst=3, clock=clock)
    assert [limits.wait("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limits.wait("a") == 0.5
    assert limits.wait("b") == 0.0  # per key
    clock.now += 0.5
    assert limits.wait("a") == 0.0 and limits.wait("a") > 0


def test_refused_messages_do_not_lengthen_the_wait():
    clock = Clock()
    limits = RateLimiter(per_second=1.0, burst=1, clock=clock)
    limits.wait("a")
    for _ in range(50):
        assert limits.wait("a") == 1.0
    clock.now += 1.0
    assert limits.wait("a") == 0.0


def test_memory_is_bounded_by_forgetting_the_least_recent_keys():
    limits = RateLimiter(per_second=1.0, burst=1, max_keys=100, clock=Clock())
    for number in range(1000):
        limits.wait(f"conversation-{number}")
    assert len(limits._buckets) == 100


def test_the_message_says_how_long_to_wait():
    assert too_fast(0.2) == (
        "Vous envoyez des messages trop vite : attendez 1 seconde, puis renvoyez votre dernier message."
    )
    assert "attendez 3 secondes" in too_fast(2.4)


@pytest.mark.parametrize(
    "seconds, said",
    [(0.2, "1 seconde"), (45, "45 secondes"), (60, "1 minute"), (61, "2 minutes"), (90 * 60, "90 minutes"),
     (3 * 3600, "3 heures")],
)  # fmt: skip
def test_a_wait_is_said_in_the_unit_a_person_reads(seconds, said):
    assert french.wait_text(seconds) == said
