"""Simulated users talking to a server through its REST channel, with an aiohttp client.

Each user is a thread running a conversation plan (tests/support/declarant.py's ``converse``
for Vigie, or the replay of messages Vigie received); its ``say`` waits for the user's
pace, then hands the request to one asyncio loop that owns the aiohttp session and times
it. Every turn is the timed POST of the message, then an untimed read of the tracker
(``converse`` reads ``requested_slot`` there; replays read it too, so that every server
gets the same requests).
"""

import asyncio
import os
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import aiohttp
import pytest

from bench import proc
from bench.common import CPU_CLIENT, distribution
from bench.servers import Server
from tests.support.declarant import converse

TIMEOUT_S = 60


class Finished(Exception):
    """The run's time or turn budget is spent: the user stops where it is."""


@dataclass
class Turn:
    started: float
    latency_s: float
    status: Optional[int]
    error: Optional[str] = None
    index: int = 0  # 1-based position of the turn in its conversation

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass
class Outcome:
    turns: List[Turn] = field(default_factory=list)
    conversations: int = 0
    completed: int = 0  # declarations that reached their reference
    failed: List[str] = field(default_factory=list)  # conversations that went wrong (not HTTP errors)
    transcripts: List[List[str]] = field(default_factory=list)


class Client:
    """An aiohttp session on a background event loop, used from the users' threads."""

    def __init__(self, server: Server):
        self.server = server
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.session: Optional[aiohttp.ClientSession] = None

    def __enter__(self) -> "Client":
        self.thread.start()
        self.session = self._run(self._open())
        return self

    def __exit__(self, *exc) -> None:
        self._run(self.session.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    async def _open(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)
        )

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def post(self, sender: str, text: str) -> "tuple[Turn, list]":
        return self._run(self._post(sender, text))

    async def _post(self, sender: str, text: str):
        began = time.monotonic()
        try:
            async with self.session.post(
                self.server.webhook, json={"sender": sender, "message": text}, headers=self.server.rest_headers
            ) as reply:
                body = await reply.json(content_type=None) if reply.status == 200 else None
                return Turn(began, time.monotonic() - began, reply.status), body or []
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            return Turn(began, time.monotonic() - began, None, type(error).__name__), []

    def parse(self, text: str) -> Turn:
        """One timed call of Rasa's NLU alone (HTTP API ``/model/parse``)."""
        return self._run(self._parse(text))

    async def _parse(self, text: str) -> Turn:
        began = time.monotonic()
        try:
            async with self.session.post(
                self.server.parse_url, json={"text": text}, headers=self.server.api_headers
            ) as reply:
                await reply.read()
                return Turn(began, time.monotonic() - began, reply.status)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            return Turn(began, time.monotonic() - began, None, type(error).__name__)

    def requested_slot(self, sender: str) -> Optional[str]:
        return self._run(self._slot(sender))

    async def _slot(self, sender: str) -> Optional[str]:
        try:
            async with self.session.get(self.server.tracker_url(sender), headers=self.server.api_headers) as reply:
                tracker = await reply.json(content_type=None) if reply.status == 200 else {}
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return None
        return ((tracker or {}).get("slots") or {}).get("requested_slot")


class User:
    """One simulated person: paced sends, a time and turn budget, its own conversations."""

    def __init__(
        self,
        client: Client,
        name: str,
        pace_s: float,
        jitter: float,
        deadline: float,
        max_turns: Optional[int],
        outcome: Outcome,
        lock: threading.Lock,
        seed: int,
    ):
        self.client, self.name, self.pace_s, self.jitter = client, name, pace_s, jitter
        self.deadline, self.max_turns, self.outcome, self.lock = deadline, max_turns, outcome, lock
        self.rng = random.Random(seed)
        self.sent = 0
        self.next_send = time.monotonic() + (self.rng.uniform(0, pace_s) if pace_s else 0)
        self.sender, self.transcript = "", []

    def new_conversation(self, number: int) -> None:
        # never a sender of an earlier run: its conversation would go on, with its history
        # (same server across levels, or conversations kept in PostgreSQL across runs)
        self.sender = f"bench-{self.name}-{number}-{uuid.uuid4().hex[:12]}"
        self.transcript = []

    def say(self, text: str) -> list:
        if self.max_turns is not None and self.sent >= self.max_turns:
            raise Finished()
        wait = self.next_send - time.monotonic()
        if self.next_send > self.deadline:
            raise Finished()
        if wait > 0:
            time.sleep(wait)
        self.sent += 1
        interval = self.pace_s * self.rng.uniform(1 - self.jitter, 1 + self.jitter) if self.pace_s else 0
        self.next_send = time.monotonic() + interval
        turn, replies = self.client.post(self.sender, text)
        self.transcript.append(text)
        turn.index = len(self.transcript)
        with self.lock:
            self.outcome.turns.append(turn)
        return replies

    def requested_slot(self) -> Optional[str]:
        return self.client.requested_slot(self.sender)


# --- Conversation plans ----------------------------------------------------------------

Plan = Callable[[User], bool]  # runs one conversation; True when a declaration was completed


def declaration(opening: str, answers: Dict[str, str]) -> Plan:
    def run(user: User) -> bool:
        reference, _ = converse(user.say, user.requested_slot, opening, answers)
        return reference is not None

    return run


def replay(messages: List[str]) -> Plan:
    def run(user: User) -> bool:
        for text in messages:
            user.say(text)
            user.requested_slot()
        return False

    return run


def run_users(
    client: Client,
    users: int,
    plans: List[Plan],
    duration_s: float,
    pace_s: float,
    jitter: float = 0.2,
    max_turns: Optional[int] = None,
    seed: int = 0,
) -> Outcome:
    """``users`` users, each running plans in turn (user i starts at plan i) until the budget is spent."""
    outcome, lock = Outcome(), threading.Lock()
    began = time.monotonic()
    deadline = began + duration_s

    def live(index: int) -> None:
        user = User(client, f"u{index}", pace_s, jitter, deadline, max_turns, outcome, lock, seed * 1000 + index)
        number = 0
        while True:
            user.new_conversation(number)
            plan = plans[(index + number) % len(plans)]
            number += 1
            try:
                completed = plan(user)
            except Finished:
                _record(outcome, lock, user, None)
                return
            except (AssertionError, pytest.fail.Exception) as error:
                _record(outcome, lock, user, str(error).splitlines()[0][:200])
                continue
            _record(outcome, lock, user, None, completed)

    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(live, range(users)))
    return outcome


def _record(outcome: Outcome, lock: threading.Lock, user: User, failure: Optional[str], completed: bool = False):
    with lock:
        if user.transcript:
            outcome.conversations += 1
            outcome.transcripts.append(list(user.transcript))
        outcome.completed += completed
        if failure:
            outcome.failed.append(failure)


# --- Figures ---------------------------------------------------------------------------


def summarise(outcome: Outcome) -> dict:
    turns = outcome.turns
    ok = [t for t in turns if t.ok]
    span = (max(t.started + t.latency_s for t in turns) - min(t.started for t in turns)) if turns else 0
    errors: Dict[str, int] = {}
    for t in turns:
        if not t.ok:
            key = t.error or f"HTTP {t.status}"
            errors[key] = errors.get(key, 0) + 1
    return {
        "turns": len(turns),
        "errors": len(turns) - len(ok),
        "error_kinds": errors,
        "conversations": outcome.conversations,
        "declarations_completed": outcome.completed,
        "conversation_failures": len(outcome.failed),
        "failure_samples": outcome.failed[:5],
        "duration_s": round(span, 2),
        "turns_per_s": round(len(ok) / span, 2) if span else None,
        "latency": distribution(t.latency_s for t in ok),
        "latencies_ms": [round(t.latency_s * 1000, 1) for t in turns],
    }


class CpuMeter:
    """CPU seconds used by the server's processes and by this client during a run."""

    def __init__(self, server: Server):
        self.server = server

    def __enter__(self) -> "CpuMeter":
        self.before = self._sample()
        return self

    def __exit__(self, *exc) -> None:
        after = self._sample()
        self.used = {name: round(after[name] - self.before.get(name, 0.0), 2) for name in after}

    def _sample(self) -> Dict[str, float]:
        figures = {CPU_CLIENT: sum(os.times()[:2])}
        for pid in self.server.pids():
            seconds = proc.cpu_seconds(pid)
            if seconds is not None:
                figures[f"{proc.name(pid)} [{pid}]"] = seconds
        return figures
