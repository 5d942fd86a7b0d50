"""Speed: per-turn latency through the REST channel, against two references, same run.

Targets: Vigie (``bot.cli run``), the ``rasa init`` assistant (stock ``rasa run``) and a
no-op aiohttp server (the floor: client, loopback and HTTP alone). Vigie's users declare
the scenarios of bench/conversation.py; the references' users replay the messages Vigie's
users sent at the same concurrency, at the same pace.

1. Paced load: 1, 10 and 50 users, one message per user every 5 s (±20 % jitter).
2. Throughput limit: closed loop (no pause), users doubled until errors, p95 over 2 s,
   or throughput no longer growing by 5 %.
3. One long conversation: FAQ questions and small talk alternated, latency around turns 10 and 200.
"""

from contextlib import ExitStack
from pathlib import Path
from typing import Dict, List, Optional

from bench import load
from bench.common import MODEL, ROOT, distribution, log, ratio, wait_for_model
from bench.conversation import scenarios
from bench.servers import VigieStack, noop_server, reference_assistant
from bot.nlu_report import load_examples

FULL = {
    "levels": {1: 120, 10: 120, 50: 120},
    "pace_s": 5.0,
    "jitter": 0.2,
    "max_turns": None,
    "ramp": (1, 2, 4, 8, 16, 32, 64),
    "ramp_step_s": 20,
    "long_turns": 210,
    "long_windows": (10, 200),
    "half_window": 5,
    "long_repeats": 3,
}
SMOKE = {
    "levels": {1: 20, 2: 20},
    "pace_s": 1.0,
    "jitter": 0.2,
    "max_turns": 3,
    "ramp": (1, 2),
    "ramp_step_s": 5,
    "long_turns": 12,
    "long_windows": (3, 10),
    "half_window": 2,
    "long_repeats": 1,
}
P95_LIMIT_S = 2.0
MIN_GAIN = 1.05
NLU_MESSAGES = 60
SMALL_TALK = ("greet", "thank", "goodbye")


def run(workdir: Path, smoke: bool) -> dict:
    settings = SMOKE if smoke else FULL
    vigie = VigieStack(workdir / "vigie", wait_for_model(MODEL))
    reference, created = reference_assistant(workdir, reuse=smoke)
    floor = noop_server(workdir)
    servers = {"vigie": vigie, "rasa_init": reference, "noop": floor}
    with ExitStack() as running:
        for server in servers.values():
            running.enter_context(server).start()
        with ExitStack() as connected:
            clients = {name: connected.enter_context(load.Client(server)) for name, server in servers.items()}
            figures = measure(clients, settings)
        figures["memory_after_load"] = {name: server.memory() for name, server in servers.items()}
    settings = {**settings, "p95_limit_s": P95_LIMIT_S, "min_gain": MIN_GAIN}
    return {
        "settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in settings.items()},
        "reference_assistant": created,
        **figures,
    }


def measure(clients: Dict[str, load.Client], s: dict) -> dict:
    declarations = [load.declaration(opening, answers) for opening, answers in scenarios().values()]
    for name, client in clients.items():
        log(f"warming up {name}")
        load.run_users(
            client, 1, declarations if name == "vigie" else [load.replay(["bonjour"] * 3)], 60, 0, max_turns=3
        )
    paced, said = {}, {}
    for users, duration in s["levels"].items():
        paced[str(users)], said[users] = level(clients, declarations, users, duration, s)
    texts = [text for transcript in said[min(said)] for text in transcript][:NLU_MESSAGES]
    nlu = {name: nlu_alone(clients[name], texts) for name in ("vigie", "rasa_init")}
    replays = [load.replay(t) for t in said[max(said)]] or [load.replay(["bonjour"])]
    ramps = {name: ramp(client, declarations if name == "vigie" else replays, s) for name, client in clients.items()}
    longs = {name: long_conversation(clients[name], s) for name in ("vigie", "rasa_init")}
    return {
        "paced": paced,
        "nlu_alone": nlu,
        "throughput": ramps,
        "long_conversation": longs,
        "ratios_p95": {
            users: {
                "vigie_over_rasa_init": ratio(r["vigie"]["latency"]["p95_ms"], r["rasa_init"]["latency"]["p95_ms"]),
                "vigie_over_noop": ratio(r["vigie"]["latency"]["p95_ms"], r["noop"]["latency"]["p95_ms"]),
            }
            for users, r in paced.items()
        },
    }


def level(
    clients: Dict[str, load.Client], declarations: List[load.Plan], users: int, duration: float, s: dict
) -> "tuple[dict, List[List[str]]]":
    """Vigie first, then the references replaying what Vigie's users said."""
    results, transcripts = {}, []
    for name, client in clients.items():
        plans = (
            declarations if name == "vigie" else ([load.replay(t) for t in transcripts] or [load.replay(["bonjour"])])
        )
        results[name], outcome = paced_run(client, plans, users, duration, s)
        if name == "vigie":
            transcripts = outcome.transcripts
    return results, transcripts


def paced_run(
    client: load.Client, plans: List[load.Plan], users: int, duration: float, s: dict
) -> "tuple[dict, load.Outcome]":
    log(f"{client.server.name}: {users} users, {duration} s, one message every {s['pace_s']} s")
    with load.CpuMeter(client.server) as cpu:
        outcome = load.run_users(client, users, plans, duration, s["pace_s"], s["jitter"], s["max_turns"])
    return {**load.summarise(outcome), "cpu_s": cpu.used}, outcome


def nlu_alone(client: load.Client, texts: List[str]) -> dict:
    """The NLU's share of a turn: the same messages through ``/model/parse``, one at a time."""
    log(f"{client.server.name}: {len(texts)} messages through /model/parse")
    turns = [client.parse(text) for text in texts]
    return {"errors": sum(not t.ok for t in turns), "latency": distribution(t.latency_s for t in turns if t.ok)}


def ramp(client: load.Client, plans: List[load.Plan], s: dict) -> dict:
    steps, best = [], None
    for users in s["ramp"]:
        log(f"{client.server.name}: closed loop, {users} users, {s['ramp_step_s']} s")
        with load.CpuMeter(client.server) as cpu:
            outcome = load.run_users(client, users, plans, s["ramp_step_s"], 0, 0, s["max_turns"])
        figures = load.summarise(outcome)
        figures.pop("latencies_ms")
        steps.append({"users": users, **figures, "cpu_s": cpu.used})
        verdict = stop_reason(figures, best)
        if figures["errors"] == 0 and figures["turns_per_s"] and (best is None or figures["turns_per_s"] > best):
            best = figures["turns_per_s"]
        if verdict:
            steps[-1]["stopped_because"] = verdict
            break
    return {"steps": steps, "limit_turns_per_s": best}


def stop_reason(figures: dict, best: Optional[float]) -> Optional[str]:
    if figures["errors"]:
        return "errors"
    p95 = figures["latency"]["p95_ms"]
    if p95 is not None and p95 > P95_LIMIT_S * 1000:
        return f"p95 over {P95_LIMIT_S:g} s"
    if best is not None and (figures["turns_per_s"] or 0) < best * MIN_GAIN:
        return f"throughput grew less than {round((MIN_GAIN - 1) * 100)} %"
    return None


def long_messages(turns: int) -> List[str]:
    """FAQ questions (tests/nlu/faq_test.yml) alternated with small talk (tests/nlu/intents_test.yml)."""
    questions = [t for t, _ in load_examples([ROOT / "tests" / "nlu" / "faq_test.yml"])]
    talk = [t for t, i in load_examples([ROOT / "tests" / "nlu" / "intents_test.yml"]) if i in SMALL_TALK]
    return [questions[(i // 2) % len(questions)] if i % 2 == 0 else talk[(i // 2) % len(talk)] for i in range(turns)]


def talk(messages: List[str]) -> load.Plan:
    def run(user: load.User) -> bool:
        for text in messages:
            user.say(text)
        return False

    return run


def long_conversation(client: load.Client, s: dict) -> dict:
    messages = long_messages(s["long_turns"])
    log(f"{client.server.name}: {s['long_repeats']} conversation(s) of {len(messages)} turns")
    turns: List[load.Turn] = []
    for repeat in range(s["long_repeats"]):
        outcome = load.run_users(client, 1, [talk(messages)], 3600, 0, 0, len(messages), seed=repeat)
        turns += outcome.turns
    windows = {}
    for centre in s["long_windows"]:
        low, high = centre - s["half_window"], centre + s["half_window"]
        chosen = [t for t in turns if low <= t.index <= high]
        windows[str(centre)] = {
            "turns": [low, high],
            "errors": sum(not t.ok for t in chosen),
            "latency": distribution(t.latency_s for t in chosen if t.ok),
        }
    return {
        "turns_per_conversation": len(messages),
        "conversations": s["long_repeats"],
        "windows": windows,
        "latencies_ms_by_turn": [[t.index, round(t.latency_s * 1000, 1)] for t in turns],
    }
