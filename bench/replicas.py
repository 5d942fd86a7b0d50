"""Replicas: the 50-user paced load of the latency benchmark on three set-ups, same run.

All three run at once (idle but for the one under load) and take the load in turn, for
several rounds: the machine is shared and its speed drifts, so medians over the rounds.

1. ``make run``'s development profile (bot.cli run: conversations in memory, SQLite), as
   the latency benchmark runs it;
2. the production profile of deploy/ with one Rasa: conversations in PostgreSQL, Redis
   locks, PostgreSQL declarations;
3. the same with two Rasa replicas, each with its own action server: what spreading Rasa's
   CPU over both cores does to the 50-user latency, for a deployment with more users.

Production runs on the processes of tests/e2e/test_replicas.py (tests/support/stack.py, with
the forwarder and the fake authority). The client sends each request to the next replica
in turn, as a round-robin balancer would, without a proxy hop.
"""

import itertools
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional

from bench import load, proc
from bench.common import MODEL, code_measured, log, machine, median, read_results, server_cpu_s, wait_for_model
from bench.conversation import scenarios
from bench.latency import paced_run
from bench.servers import VigieStack
from tests.support.servers import free_port
from tests.support.stack import Service, Stack

# (profile, Rasa replicas): make run's development profile, then the production one
CONFIGURATIONS = (("development", 1), ("production", 1), ("production", 2))
FULL = {
    "configurations": CONFIGURATIONS,
    "rounds": 3,
    "users": 50,
    "duration_s": 90,
    "pace_s": 5.0,
    "jitter": 0.2,
    "max_turns": None,
}
SMOKE = {
    "configurations": CONFIGURATIONS,
    "rounds": 2,
    "users": 2,
    "duration_s": 10,
    "pace_s": 1.0,
    "jitter": 0.2,
    "max_turns": 3,
}


class Replicas:
    """What bench.load.Client needs of a server, for the Rasa replicas of one Stack."""

    def __init__(self, stack: Stack, rasas: List[Service]):
        self.stack = stack
        self.name = f"{len(rasas)} replica(s)"
        # one rotation per kind of request: with a single one, each message followed by a
        # tracker read would send every message to the same replica of two
        self._turns = {kind: itertools.cycle(rasas) for kind in ("message", "tracker", "parse")}
        self.tracker_token = stack.env["VIGIE_RASA_TOKEN"]
        self.rest_headers = {"Authorization": f"Bearer {stack.env['VIGIE_REST_TOKEN']}"}

    def _next(self, kind: str) -> str:
        return f"http://127.0.0.1:{next(self._turns[kind]).port}"

    @property
    def webhook(self) -> str:
        return f"{self._next('message')}/webhooks/rest/webhook"

    def tracker_url(self, sender: str) -> str:
        return f"{self._next('tracker')}/conversations/{sender}/tracker"

    @property
    def parse_url(self) -> str:
        return f"{self._next('parse')}/model/parse"

    @property
    def api_headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.tracker_token}"}

    def pids(self) -> List[int]:
        return [pid for s in self.stack.services if s.alive() for pid in proc.descendants(s.process.pid)]

    def memory(self) -> List[dict]:
        return proc.memories(self.pids())

    def __enter__(self) -> "Replicas":
        return self

    def __exit__(self, *exc) -> None:
        self.stack.close()


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


def launch(workdir: Path, profile: str, replicas: int):
    """A started target for bench.load.Client, to be used as a context manager (stops it)."""
    if profile == "development":
        return VigieStack(workdir, MODEL).start()
    return start(workdir, replicas)


def run(workdir: Path, smoke: bool) -> dict:
    s = SMOKE if smoke else FULL
    wait_for_model(MODEL)
    declarations = [load.declaration(opening, answers) for opening, answers in scenarios().values()]
    with ExitStack() as running:
        clients = {}
        for profile, replicas in s["configurations"]:
            target = running.enter_context(launch(workdir / f"{profile}-{replicas}", profile, replicas))
            clients[f"{profile}, {replicas} Rasa"] = running.enter_context(load.Client(target))
        for label, client in clients.items():
            log(f"warming up {label}")
            load.run_users(client, 2 * len(clients), declarations, 60, 0, max_turns=3)
        rounds: Dict[str, List[dict]] = {label: [] for label in clients}
        for number in range(s["rounds"]):  # in turn, so that the machine's drifts fall on every set-up
            for label, client in clients.items():
                log(f"round {number + 1}: {label}")
                figures, _ = paced_run(client, declarations, s["users"], s["duration_s"], s)
                figures.pop("latencies_ms")
                rounds[label].append(figures)
        measured = {
            label: {**over_rounds(rounds[label]), "memory_after_load": client.server.memory()}
            for label, client in clients.items()
        }
    figures = {
        "settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in s.items()},
        "configurations": measured,
    }
    figures["history"] = [] if smoke else history(figures, read_results().get("replicas", {}), code_measured())
    return figures


def history(figures: dict, previous: dict, code: Optional[str]) -> List[dict]:
    """One line per run, the earlier ones kept: each set-up's figures before and after each change
    (issue 18), with the machine, since two machines' figures do not compare. A result saved
    before the history existed is its first line."""
    earlier = previous.get("history") or ([line(previous, None)] if previous.get("configurations") else [])
    return [*earlier, line(figures, code)]


def line(figures: dict, code: Optional[str]) -> dict:
    where = figures.get("machine") or machine()
    return {
        "measured_at": figures.get("started_at") or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "code": code,
        "machine": f"{where['cpu_model']}, kernel {where['kernel']}",
        "configurations": {
            label: {
                "p95_ms": c["latency_median_of_rounds"]["p95_ms"],
                "server_cpu_ms_per_turn": c["server_cpu_ms_per_turn"],
                "rasa_rss_bytes": max(
                    (m["rss_bytes"] for m in c["memory_after_load"] if m["process"] == "bot.rasa_server"), default=None
                ),
            }
            for label, c in figures["configurations"].items()
        },
    }


def over_rounds(runs: List[dict]) -> dict:
    """Medians over the rounds; CPU per turn over all of them."""
    turns = sum(r["turns"] for r in runs)
    server_cpu = sum(server_cpu_s(r["cpu_s"]) for r in runs)
    return {
        "rounds": runs,
        "turns": turns,
        "errors": sum(r["errors"] for r in runs),
        "declarations_completed": sum(r["declarations_completed"] for r in runs),
        "latency_median_of_rounds": {
            key: _median(r["latency"][key] for r in runs) for key in ("p50_ms", "p95_ms", "p99_ms")
        },
        "turns_per_s": _median(r["turns_per_s"] for r in runs),
        "server_cpu_ms_per_turn": round(server_cpu / turns * 1000, 1) if turns else None,
    }


def _median(values) -> Optional[float]:
    known = [v for v in values if v is not None]
    return median(known) if known else None
