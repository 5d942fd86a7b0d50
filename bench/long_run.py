"""Length and leftovers: does turn 500 cost what turn 10 costs, and does the development
profile's memory grow with finished conversations?

1. Turn cost: one conversation of 520 turns (FAQ questions and small talk alternated, as
   bench/latency.py's long conversation), at most 8 a second (the REST channel allows a
   sender 10), latency around turns 10, 200 and 500; with the session bound
   (``VIGIE_SESSION_EVENTS`` 300, Vigie's default) and without it (0: every event of the
   conversation replayed at each turn, as before).
2. Memory: waves of short conversations (the opening of a declaration and two answers)
   against the development profile, the Rasa process's RSS after each wave. Conversations
   idle for a minute are forgotten (``VIGIE_MEMORY_IDLE_HOURS``) and waves are a minute
   apart; the same with 24 h, where every conversation stays.
"""

import time
from pathlib import Path
from typing import Dict, List

from bench import load
from bench.common import MODEL, distribution, log, wait_for_model
from bench.latency import long_messages
from bench.servers import VigieStack
from tests.support.declarant import RICH_OPENING

FULL = {"turns": 520, "windows": (10, 200, 500), "half_window": 5, "waves": 3, "per_wave": 400, "idle_s": 60}
SMOKE = {"turns": 12, "windows": (3, 10), "half_window": 2, "waves": 2, "per_wave": 3, "idle_s": 5}
PACE_S = 0.125
ANSWERS = ("il y a une demi-heure environ", "je ne sais pas")


def run(workdir: Path, smoke: bool) -> dict:
    s = SMOKE if smoke else FULL
    model = wait_for_model(MODEL)
    turn_cost = {
        label: one_long_conversation(workdir / label, model, s, VIGIE_SESSION_EVENTS=events)
        for label, events in (("bounded (300 events)", "300"), ("unbounded", "0"))
    }
    idle_hours = str(s["idle_s"] / 3600)
    memory = {
        label: memory_waves(workdir / f"memory-{n}", model, s, VIGIE_MEMORY_IDLE_HOURS=hours)
        for n, (label, hours) in enumerate(((f"forgotten after {s['idle_s']} s", idle_hours), ("kept 24 h", "24")))
    }
    return {
        "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in s.items()},
        "turn_cost": turn_cost,
        "memory": memory,
    }


def one_long_conversation(workdir: Path, model: Path, s: dict, **env: str) -> dict:
    messages = long_messages(s["turns"])
    with VigieStack(workdir, model, **env) as vigie, load.Client(vigie.start()) as client:
        turns = []
        for index, text in enumerate(messages, start=1):
            turn, _ = client.post("longue", text)
            turn.index = index
            turns.append(turn)
            time.sleep(max(0.0, PACE_S - turn.latency_s))
    log(f"{len(turns)} turns, {sum(not t.ok for t in turns)} errors ({env})")
    return {
        "windows": {
            str(centre): distribution(t.latency_s for t in turns if t.ok and abs(t.index - centre) <= s["half_window"])
            for centre in s["windows"]
        },
        "errors": sum(not t.ok for t in turns),
        "error_statuses": sorted({str(t.status or t.error) for t in turns if not t.ok}),
        "latencies_ms_by_turn": [[t.index, round(t.latency_s * 1000, 1)] for t in turns],
    }


def memory_waves(workdir: Path, model: Path, s: dict, **env: str) -> dict:
    readings: List[Dict[str, float]] = []
    with VigieStack(workdir, model, **env) as vigie, load.Client(vigie.start()) as client:
        readings.append({"conversations": 0, "rasa_rss_mb": rasa_rss_mb(vigie)})
        errors = 0
        for wave in range(s["waves"]):
            if wave:
                time.sleep(s["idle_s"] + 5)  # the earlier waves' conversations are now idle
            for n in range(s["per_wave"]):
                for text in (RICH_OPENING, *ANSWERS):
                    turn, _ = client.post(f"vague{wave}-{n}", text)
                    errors += not turn.ok
            readings.append({"conversations": (wave + 1) * s["per_wave"], "rasa_rss_mb": rasa_rss_mb(vigie)})
            log(f"wave {wave + 1}: {readings[-1]}")
    return {"readings": readings, "errors": errors}


def rasa_rss_mb(vigie: VigieStack) -> float:
    rasa = [m for m in vigie.memory() if m["process"] == "bot.rasa_server"]
    return round(sum(m["rss_bytes"] or 0 for m in rasa) / 1e6, 1)
