"""Replicas: the 50-user paced load in the production profile with one, then two Rasa replicas.

The latency benchmark runs Vigie as ``make run`` does: one Rasa process, whose CPU per
turn (about 90 ms) leaves it busy most of the time at 50 users, so messages queue. The fix
it proposes is the production set-up of deploy/: Rasa replicas sharing conversations in
PostgreSQL and Redis locks. Here both are measured in the same run, on the same
processes as tests/e2e/test_replicas.py (tests/e2e/stack.py: PostgreSQL declarations and
conversations, Redis locks, one action server per replica, the forwarder and the fake
authority). The client sends each request to the next replica in turn, as a round-robin
balancer would, without a proxy hop.
"""

import itertools
from pathlib import Path
from typing import List

from bench import load, proc
from bench.common import MODEL, log, wait_for_model
from bench.conversation import scenarios
from bench.latency import paced_run
from tests.e2e.conftest import free_port
from tests.e2e.stack import Service, Stack

FULL = {"replicas": (1, 2), "users": 50, "duration_s": 120, "pace_s": 5.0, "jitter": 0.2, "max_turns": None}
SMOKE = {"replicas": (1, 2), "users": 2, "duration_s": 15, "pace_s": 1.0, "jitter": 0.2, "max_turns": 3}


class Replicas:
    """What bench.load.Client needs of a server, for the Rasa replicas of one Stack."""

    def __init__(self, stack: Stack, rasas: List[Service]):
        self.stack, self.rasas = stack, rasas
        self.name = f"{len(rasas)} replica(s)"
        # one rotation per kind of request: with a single one, each message followed by a
        # tracker read would send every message to the same replica of two
        self._turns = {kind: itertools.cycle(rasas) for kind in ("message", "tracker", "parse")}
        self.tracker_token = stack.env["VIGIE_RASA_TOKEN"]

    def _next(self, kind: str) -> str:
        return f"http://127.0.0.1:{next(self._turns[kind]).port}"

    @property
    def webhook(self) -> str:
        return f"{self._next('message')}/webhooks/rest/webhook"

    def tracker_url(self, sender: str) -> str:
        return f"{self._next('tracker')}/conversations/{sender}/tracker?token={self.tracker_token}"

    @property
    def parse_url(self) -> str:
        return f"{self._next('parse')}/model/parse?token={self.tracker_token}"

    def pids(self) -> List[int]:
        return [pid for s in self.stack.services if s.alive() for pid in proc.descendants(s.process.pid)]

    def memory(self) -> List[dict]:
        return [m for m in map(proc.memory, self.pids()) if m]


def start(workdir: Path, replicas: int) -> Replicas:
    workdir.mkdir(parents=True)
    stack = Stack(workdir)
    try:
        stack.authority().start(stack.env)
        rasas = []
        for _ in range(replicas):
            action_port = free_port()
            stack.actions(action_port).start(stack.env)
            rasas.append(stack.rasa(action_port))
        for rasa in rasas:
            rasa.launch(stack.rasa_env(rasa))
        for rasa in rasas:
            rasa.wait_ready(400)
        stack.forwarder().start(stack.env)
    except BaseException:
        stack.close()
        raise
    return Replicas(stack, rasas)


def run(workdir: Path, smoke: bool) -> dict:
    s = SMOKE if smoke else FULL
    wait_for_model(MODEL)
    declarations = [load.declaration(opening, answers) for opening, answers in scenarios().values()]
    measured = {}
    for replicas in s["replicas"]:
        log(f"production profile, {replicas} Rasa replica(s)")
        target = start(workdir / f"replicas-{replicas}", replicas)
        try:
            with load.Client(target) as client:
                load.run_users(client, 2 * replicas, declarations, 60, 0, max_turns=3)  # each replica warmed up
                figures, _ = paced_run(client, declarations, s["users"], s["duration_s"], s)
            figures["memory_after_load"] = target.memory()
        finally:
            target.stack.close()
        measured[str(replicas)] = figures
    return {"settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in s.items()}, "replicas": measured}
