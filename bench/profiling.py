"""Where the time and the memory of understanding a message go, in process.

The trained model is loaded with Rasa's Agent (this process's RSS read before and after
importing Rasa, then after loading), then each opening message of
tests/data/incidents.yml is parsed: timed one by one, then again under cProfile, whose
functions with the largest cumulative time, and each NLU component's ``process``, are kept.
py-spy is not installed; to sample a running server instead:
``py-spy record -o rasa.svg --pid <pid of bot.rasa_server>`` (or ``py-spy top --pid ...``).
"""

import asyncio
import cProfile
import os
import pstats
import time
from pathlib import Path
from typing import List

import yaml

from bench import proc
from bench.common import MODEL, ROOT, distribution, log, quiet_rasa, wait_for_model

INCIDENTS_FILE = ROOT / "tests" / "data" / "incidents.yml"
TOP = 25
COMPONENT_DIRS = ("rasa/nlu/", "bot/nlu/")


def own_rss() -> int:
    return proc.memory(os.getpid())["rss_bytes"]


def run(workdir: Path, smoke: bool) -> dict:
    texts = [m["text"] for m in yaml.safe_load(INCIDENTS_FILE.read_text(encoding="utf-8"))["messages"]]
    texts = texts[:5] if smoke else texts
    memory = {"start": own_rss()}
    from rasa.core.agent import Agent  # imports TensorFlow

    memory["after_import_rasa"] = own_rss()
    quiet_rasa()
    model = wait_for_model(MODEL)
    began = time.monotonic()
    agent = Agent.load(str(model))
    load_s = time.monotonic() - began
    memory["after_loading_model"] = own_rss()
    loop = asyncio.new_event_loop()
    try:
        parse = lambda text: loop.run_until_complete(agent.parse_message(text))  # noqa: E731
        for text in texts[:3]:
            parse(text)  # warm-up
        log(f"timing and profiling {len(texts)} parses")
        timings = timed(parse, texts)
        profiler = cProfile.Profile()
        profiler.enable()
        for text in texts:
            parse(text)
        profiler.disable()
    finally:
        loop.close()
    stats = pstats.Stats(profiler)
    return {
        "messages": len(texts),
        "model_load_s": round(load_s, 2),
        "parse": distribution(timings),
        "rss_bytes": memory,
        "top_cumulative": top_functions(stats, TOP),
        "components": components(stats),
        "profiled_total_s": round(stats.total_tt, 3),
    }


def timed(parse, texts: List[str]) -> List[float]:
    out = []
    for text in texts:
        began = time.perf_counter()
        parse(text)
        out.append(time.perf_counter() - began)
    return out


def _rows(stats: pstats.Stats):
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():
        yield {
            "function": f"{_short(filename)}:{line}({function})",
            "calls": calls,
            "own_s": round(own, 4),
            "cumulative_s": round(cumulative, 4),
        }


def top_functions(stats: pstats.Stats, count: int) -> List[dict]:
    return sorted(_rows(stats), key=lambda r: -r["cumulative_s"])[:count]


def components(stats: pstats.Stats) -> List[dict]:
    """Each NLU component's ``process`` (its share of a parse)."""
    rows = [
        r
        for r in _rows(stats)
        if r["function"].endswith("(process)") and any(d in r["function"] for d in COMPONENT_DIRS)
    ]
    return sorted(rows, key=lambda r: -r["cumulative_s"])


def _short(filename: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename
