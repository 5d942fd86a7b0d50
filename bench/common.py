"""What every benchmark shares: paths, the machine's description, statistics, results files."""

import importlib.metadata
import json
import math
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterable, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
CACHE_DIR = ROOT / "bench" / ".cache"
REPORT_FILE = ROOT / "docs" / "benchmarks.md"
MODEL = ROOT / "models" / "vigie.tar.gz"
PYTHON = sys.executable
RASA = str(Path(sys.executable).with_name("rasa"))


# --- Machine ------------------------------------------------------------------


def cpu_description(cpuinfo: str) -> Dict[str, object]:
    """CPU model name and logical CPU count from the text of /proc/cpuinfo."""
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    count = sum(1 for line in cpuinfo.splitlines() if line.startswith("processor"))
    return {"cpu_model": models[0] if models else platform.processor() or "unknown", "cpu_count": count}


def ram_bytes(meminfo: str) -> Optional[int]:
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return None


def machine() -> Dict[str, object]:
    """The machine as it is now: hardware, versions and load average."""
    info = cpu_description(_read("/proc/cpuinfo"))
    info.update(
        {
            "ram_bytes": ram_bytes(_read("/proc/meminfo")),
            "kernel": platform.release(),
            "python": platform.python_version(),
            "rasa": _version("rasa"),
            "load_average": list(os.getloadavg()),
            "cpus_usable": len(os.sched_getaffinity(0)),
        }
    )
    return info


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


# --- Statistics ---------------------------------------------------------------

CPU_CLIENT = "client (bench)"  # bench.load.CpuMeter's name for this process


def server_cpu_s(used: Dict[str, float]) -> float:
    """The server's share of CPU seconds by process: every process but the bench's client."""
    return sum(seconds for name, seconds in used.items() if name != CPU_CLIENT)


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """The q-th percentile (0-100), linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> Optional[float]:
    return percentile(values, 50)


def distribution(seconds: Iterable[float]) -> Dict[str, Optional[float]]:
    """n, p50, p95, p99, mean and max of durations, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    summary = {"n": len(ms)}
    for q in (50, 95, 99):
        value = percentile(ms, q)
        summary[f"p{q}_ms"] = round(value, 2) if value is not None else None
    summary["mean_ms"] = round(sum(ms) / len(ms), 2) if ms else None
    summary["max_ms"] = round(max(ms), 2) if ms else None
    return summary


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 2) if a is not None and b else None


# --- Results ------------------------------------------------------------------


def write_result(name: str, figures: dict, started: datetime, machine_at_start: dict, smoke: bool) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    document = {
        "benchmark": name,
        "smoke": smoke,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": now().isoformat(timespec="seconds"),
        "machine": machine_at_start,
        **figures,
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def read_results(directory: Path = RESULTS_DIR) -> Dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))}


# When a run began, by the real clock: bench.converse plays under faketime's.
REAL_START = "VIGIE_BENCH_REAL_START"


def now() -> datetime:
    return datetime.now(timezone.utc).astimezone()


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- The trained model ----------------------------------------------------------


def wait_for_model(
    path: Path = MODEL, quiet_seconds: float = 20, timeout: float = 3600, poll_seconds: float = 10
) -> Path:
    """Waits while the model is missing or being written (the lead may be retraining it): written
    more than ``quiet_seconds`` ago, or unchanged for that long. The second is timed on the
    monotonic clock: under libfaketime (``make converse``) a model written today after the
    played hour looks written in the future."""
    deadline = time.monotonic() + timeout
    seen, since = None, time.monotonic()
    while time.monotonic() < deadline:
        state = (path.stat().st_mtime, path.stat().st_size) if path.exists() else None
        if state != seen:
            seen, since = state, time.monotonic()
        if state and (time.time() - state[0] > quiet_seconds or time.monotonic() - since >= quiet_seconds):
            return path
        log(f"waiting for {path} (missing or being written)")
        time.sleep(poll_seconds)
    raise SystemExit(f"{path} did not appear within {timeout:.0f} s: run `make train`.")


def quiet_rasa() -> None:
    """Rasa in this process logs warnings only (unconfigured, it logs every parse at debug level)."""
    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


def bench_env(**extra: str) -> Dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        **extra,
    }


def code_measured() -> str:
    """The commit measured and its subject (the change that moved the figures), marked when the
    working tree differs from it."""
    head = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True)
    return head.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")
