"""Set-up: what a newcomer and the CI wait (issue 18).

- Fresh ``make run``: the commit measured (HEAD) cloned into a temporary directory beside
  ../shared, with empty package, model and pattern caches (``UV_CACHE_DIR``, ``MODEL_CACHE``,
  ``VIGIE_CACHE_DIR``), free
  ports; from ``make run`` to "Vigie est prête", downloads and training included.
- CI: ``.ci/run`` (``make test``) on another clean clone, as the CI runs it: the package cache
  and the model cache of this machine as they are (a change that leaves the training inputs
  alone reuses its model).

Each phase ends at a line make or Vigie prints (``PHASES``), timed as it is read.
``--smoke``: a clone's ``make install`` with the machine's caches, nothing else.
"""

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from bench.common import ROOT, code_measured, log, read_results
from tests.support.servers import free_port

SHARED = ROOT.parent / "shared"
READY = "Vigie est prête"
# (phase, a line that ends it), then the phase that runs to the end (None: none does); a phase
# whose line is not seen is left out (make skipped it)
PHASES: Dict[str, Tuple[List[Tuple[str, str]], Optional[str]]] = {
    "run": ([("install", "touch .venv/.installed"), ("model and page", "-m bot.cli run"), ("start", READY)], None),
    "ci": (
        [
            ("install", "touch .venv/.installed"),
            ("lint, validation, test stories", "pytest -q -n 2 tests/unit"),
            ("unit tests", "pytest -q tests/e2e"),
        ],
        "end-to-end tests",
    ),
}
RUN_TIMEOUT_S = 30 * 60
CI_TIMEOUT_S = 90 * 60
# make's own variables would follow the benchmark into the clone's make (`make bench X=…`)
MAKE_VARIABLES = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "VIRTUAL_ENV", "PYTHONPATH")


@dataclass
class Timed:
    """A command's lines, each with the seconds since it started."""

    lines: List[Tuple[float, str]]
    seconds: float
    returncode: Optional[int]


def phases(lines: Iterable[Tuple[float, str]], kind: str, end: float) -> Dict[str, float]:
    """Seconds per phase of ``PHASES[kind]``: each ends at the first line holding its mark after the
    previous one's."""
    marks, last = PHASES[kind]
    durations: Dict[str, float] = {}
    pending, since = list(marks), 0.0
    for at, line in lines:
        for index, (name, mark) in enumerate(pending):
            if mark in line:
                durations[name], since = round(at - since, 1), at
                pending = pending[index + 1 :]
                break
    if last:
        durations[last] = round(end - since, 1)
    return durations


def clone(workdir: Path, name: str) -> Path:
    """HEAD cloned beside a link to ../shared, as a newcomer's checkout sits."""
    base = workdir / name
    base.mkdir()
    (base / "shared").symlink_to(SHARED)
    subprocess.run(["git", "clone", "-q", str(ROOT), str(base / "main")], check=True)
    return base / "main"


def environment(**extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}
    return {**env, **extra}


def timed(argv: List[str], cwd: Path, env: Dict[str, str], log_file: Path, timeout: float, until: str = "") -> Timed:
    """Run ``argv`` in its own process group, its output timed line by line into ``log_file``; stop
    it as Ctrl-C does once a line holds ``until``, or after ``timeout`` seconds (then fail)."""
    lines: List[Tuple[float, str]] = []
    began = time.monotonic()
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    watchdog = threading.Timer(timeout, _stop, (process,))
    watchdog.start()
    try:
        with open(log_file, "w", encoding="utf-8", buffering=1) as out:  # line by line, to follow it
            for line in process.stdout:
                at = time.monotonic() - began
                lines.append((at, line.rstrip("\n")))
                out.write(f"{at:7.1f} {line}")
                if until and until in line:
                    _stop(process)
                    return Timed(lines, at, None)
        process.wait()
    finally:
        watchdog.cancel()
    seconds = time.monotonic() - began
    if seconds >= timeout:
        raise RuntimeError(f"{' '.join(argv)} stopped after {timeout:.0f} s; see {log_file}")
    return Timed(lines, seconds, process.returncode)


def _stop(process: subprocess.Popen) -> None:
    """Ctrl-C to the whole group (make, Vigie's processes), then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def fresh_run(workdir: Path) -> dict:
    checkout = clone(workdir, "fresh")
    ports = {f"VIGIE_{name}_PORT": str(free_port()) for name in ("ACTION", "RASA", "WEB", "AUTHORITY")}
    env = environment(UV_CACHE_DIR=str(workdir / "uv-cache"), VIGIE_CACHE_DIR=str(workdir / "vigie-cache"), **ports)
    log("timing a fresh clone's `make run` (empty caches) until Vigie is ready")
    run = timed(
        ["make", "run", f"MODEL_CACHE={workdir / 'model-cache'}"],
        checkout,
        env,
        workdir / "make-run.log",
        until=READY,
        timeout=RUN_TIMEOUT_S,
    )
    if not any(READY in line for _, line in run.lines):
        raise RuntimeError(f"make run exited ({run.returncode}) before Vigie was ready; see {workdir / 'make-run.log'}")
    return {"seconds": round(run.seconds, 1), "phases": phases(run.lines, "run", run.seconds)}


def ci_run(workdir: Path) -> dict:
    checkout = clone(workdir, "ci")
    log("timing `.ci/run` (make test) on a clean clone")
    run = timed(["bash", ".ci/run"], checkout, environment(CI="true"), workdir / "ci.log", timeout=CI_TIMEOUT_S)
    return {
        "seconds": round(run.seconds, 1),
        "returncode": run.returncode,
        "model_reused": any("Modèle déjà entraîné" in line for _, line in run.lines),
        "phases": phases(run.lines, "ci", run.seconds),
        "pytest": [line.strip("= ") for _, line in run.lines if " passed" in line and " in " in line],
    }


def run(workdir: Path, smoke: bool) -> dict:
    if smoke:
        checkout = clone(workdir, "smoke")
        install = timed(
            ["make", "install"], checkout, environment(), workdir / "make-install.log", timeout=RUN_TIMEOUT_S
        )
        if install.returncode != 0:
            raise RuntimeError(f"make install failed; see {workdir / 'make-install.log'}")
        return {"install_s": round(install.seconds, 1), "history": []}
    code = code_measured().replace(" (with uncommitted changes)", "")  # the clones hold HEAD alone
    figures = {"fresh_run": fresh_run(workdir), "ci": ci_run(workdir)}
    return {**figures, "history": history(figures, read_results().get("setup", {}), code)}


def history(figures: dict, previous: dict, code: str) -> List[dict]:
    """One line per run, the earlier ones kept: the set-up times before and after each change."""
    return [
        *(previous.get("history") or []),
        {
            "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "code": code,
            "fresh_run_s": figures["fresh_run"]["seconds"],
            "fresh_install_s": figures["fresh_run"]["phases"].get("install"),
            "ci_s": figures["ci"]["seconds"],
            "ci_passed": figures["ci"]["returncode"] == 0,
        },
    ]
