"""``python -m bench [NAME] [--smoke]``, NAME one of understanding, conversation, latency, replicas,
footprint, profile, converse, register, types, long, model, setup, report.

Without a name: every benchmark in turn, then the report. Each benchmark writes
bench/results/<name>.json; ``report`` writes docs/benchmarks.md from those files.
``--smoke`` runs each on tiny inputs, to check the harness (a few minutes at most).
"""

import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench import report
from bench.common import REAL_START, log, machine, now, read_results, write_result

# name -> module with run(workdir, smoke); imported when run (Rasa and TensorFlow are slow to import)
BENCHMARKS = {
    "understanding": "bench.understanding",
    "conversation": "bench.conversation",
    "latency": "bench.latency",
    "replicas": "bench.replicas",
    "footprint": "bench.footprint",
    "profile": "bench.profiling",
    "converse": "bench.converse",
    "register": "bench.register",
    "types": "bench.type_classifier",
    "long": "bench.long_run",
    "model": "bench.shipped_model",
    "setup": "bench.setup",
}
PARTS = ("heldout", "opening")  # bench.understanding.PARTS
SPLITS = ("dev", "check")  # bench.converse.SPLITS


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("name", nargs="?", choices=list(BENCHMARKS) + ["report"])
    parser.add_argument("--smoke", action="store_true", help="tiny inputs: checks the harness, measures nothing")
    parser.add_argument("--part", choices=PARTS, help="understanding: run only this part")
    parser.add_argument(
        "--default-epochs",
        type=int,
        metavar="N",
        help="understanding: train Rasa's default pipeline with N epochs instead of its 100",
    )
    parser.add_argument("--split", choices=SPLITS, help="converse: play only this split of tests/personas")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directories (models, logs)")
    args = parser.parse_args(argv)
    if args.name == "converse":
        from bench.converse import at_a_fixed_hour

        command = at_a_fixed_hour(sys.argv[1:] if argv is None else list(argv))
        if command:
            os.execvp(command[0], command)  # the same benchmark, its clock set to 14:00 Paris time
    names = [args.name] if args.name else list(BENCHMARKS) + ["report"]
    for name in names:
        if name == "report":
            log(f"wrote {report.write()}")
        else:
            run_one(name, args)
    return 0


def run_one(name: str, args) -> None:
    real_start = os.environ.get(REAL_START)  # set by bench.converse under faketime
    started, where = (datetime.fromisoformat(real_start) if real_start else now()), machine()
    workdir = Path(tempfile.mkdtemp(prefix=f"vigie-bench-{name}-"))
    log(f"{name}{' (smoke)' if args.smoke else ''}: working in {workdir}")
    module = importlib.import_module(BENCHMARKS[name])
    began = time.monotonic()
    try:
        if name == "understanding":
            figures = module.run(workdir, args.smoke, (args.part,) if args.part else PARTS, args.default_epochs)
            if args.part:  # keep the other part of an earlier run
                earlier = read_results().get(name, {})
                figures = {**{k: v for k, v in earlier.items() if k in PARTS}, **figures}
        elif name == "converse":
            figures = module.run(workdir, args.smoke, (args.split,) if args.split else SPLITS)
            if args.split:  # keep the other split of an earlier run
                earlier = read_results().get(name, {})
                for key in ("splits", "conversations"):
                    figures[key] = {**earlier.get(key, {}), **figures[key]}
        else:
            figures = module.run(workdir, args.smoke)
    except BaseException:
        log(f"{name} failed; logs kept in {workdir}")
        raise
    figures = {"duration_s": round(time.monotonic() - began, 1), **figures}
    log(f"wrote {write_result(name, figures, started, where, args.smoke)}")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
