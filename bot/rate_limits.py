"""Per-client rate limits: a token bucket per key (a conversation, a sender), in the
memory of each process.

A flood used to be accepted, queue behind the conversation's lock and be dropped
silently a minute later (200 socket.io messages in 0.41 s, up to 142 of them lost).
Now what exceeds the bucket is refused at once, and the channel says so in French.
Buckets not used for a while are forgotten, so memory stays bounded.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable

from bot.core import french

TOO_FAST = "Vous envoyez des messages trop vite : attendez {wait}, puis renvoyez votre dernier message."


class RateLimiter:
    def __init__(
        self, per_second: float, burst: int, max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic
    ):
        self.per_second, self.burst, self.max_keys, self.clock = per_second, burst, max_keys, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, when)

    def wait(self, key: str) -> float:
        """Take one token for ``key``: 0 when allowed, else the seconds before one is free."""
        now = self.clock()
        tokens, then = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.per_second)
        if tokens >= 1:
            self._remember(key, tokens - 1, now)
            return 0.0
        self._remember(key, tokens, now)
        return (1 - tokens) / self.per_second

    def _remember(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)  # the least recently used


def too_fast(wait: float) -> str:
    return TOO_FAST.format(wait=french.wait_text(wait))
