"""Footprint: start-up time, training time and resident memory.

- Start-up: from launching ``bot.cli run`` (what ``make run`` runs once the model is
  trained; fresh SQLite database, free ports) to "Vigie est prête", and to the first
  answer on the REST channel. Median of several starts.
- Memory: RSS, peak RSS (VmHWM) and PSS (/proc/<pid>/smaps_rollup) of every process,
  after a few declarations.
- Training: ``rasa train`` of a copy of config.yml and data/ into a temporary directory.
"""

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional

from bench import training
from bench.common import MODEL, ROOT, code_measured, log, median, read_results, wait_for_model
from bench.conversation import RICH_NAME, one, scenarios
from bench.servers import VigieStack, first_answer
from bot.nlu_report import load_examples, training_files, write_nlu

FULL = {"starts": 3, "declarations": ("S1", "S6", RICH_NAME)}
SMOKE = {"starts": 1, "declarations": (RICH_NAME,)}


def run(workdir: Path, smoke: bool) -> dict:
    settings = SMOKE if smoke else FULL
    model = wait_for_model(MODEL)
    starts, memory, declared = [], None, {}
    for number in range(settings["starts"]):
        with VigieStack(workdir / f"start-{number}", model) as stack, ThreadPoolExecutor(1) as poller:
            launched = time.monotonic()
            answered = poller.submit(first_answer, stack, launched)  # polls from the launch on
            stack.start()
            starts.append(
                {"ready_s": round(stack.ready_at - launched, 2), "first_answer_s": round(answered.result(), 2)}
            )
            if number == 0:
                chosen = scenarios()
                declared = {name: one(stack.client(), name, *chosen[name]) for name in settings["declarations"]}
                memory = stack.memory()
    figures = {
        "starts": starts,
        "median_ready_s": median([s["ready_s"] for s in starts]),
        "median_first_answer_s": median([s["first_answer_s"] for s in starts]),
        "declarations_before_memory": {k: v["reference"] for k, v in declared.items()},
        "memory": memory,
        "model_bytes": model.stat().st_size,
        "training": train_time(workdir, smoke),
    }
    figures["history"] = [] if smoke else history(figures, read_results().get("footprint", {}), code_measured())
    return figures


def history(figures: dict, previous: dict, code: str) -> List[dict]:
    """One line per run, the earlier ones kept: the footprint before and after each change
    (issue 18). A result saved before the history existed is its first line."""
    earlier = previous.get("history") or ([line(previous, None)] if previous.get("memory") else [])
    return [*earlier, line(figures, code)]


def line(figures: dict, code: Optional[str]) -> dict:
    rasa = [p["rss_bytes"] for p in figures.get("memory") or [] if p["process"] == "bot.rasa_server"]
    return {
        "measured_at": figures.get("started_at") or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "code": code,
        "model_bytes": figures["model_bytes"],
        "first_answer_s": figures["median_first_answer_s"],
        "rasa_rss_bytes": max(rasa) if rasa else None,
        "training_s": figures["training"]["seconds"],
    }


def train_time(workdir: Path, smoke: bool) -> dict:
    """``rasa train`` on a copy; in a smoke run only a 1-epoch NLU training on a tiny subset."""
    out = workdir / "training"
    out.mkdir()
    if smoke:
        data = out / "tiny.yml"
        write_nlu(data, training.tiny(load_examples(training_files()), 3))
        config = training.write_config(out / "config.yml", training.VIGIE_CONFIG, epochs=1)
        _, seconds = training.train(config, data, out, "smoke", nlu_only=True)
        return {"command": "rasa train nlu (smoke: 3 examples per intent, 1 epoch)", "seconds": seconds}
    shutil.copytree(ROOT / "data", out / "data")
    config = Path(shutil.copy(ROOT / "config.yml", out / "config.yml"))
    log("timing a full `rasa train` on a copy of config.yml and data/")
    _, seconds = training.train(config, out / "data", out, "vigie-copy", nlu_only=False)
    return {"command": "rasa train (copy of config.yml, domain.yml, data/)", "seconds": seconds}
