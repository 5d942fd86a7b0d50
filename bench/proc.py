"""Processes read from /proc: a process tree and each process's memory (no psutil here)."""

import os
from pathlib import Path
from typing import Dict, List, Optional

PROC = Path("/proc")


def parent_of(stat: str) -> int:
    """The ppid field of /proc/<pid>/stat (the command name may hold spaces and parentheses)."""
    return int(stat.rsplit(")", 1)[1].split()[1])


def start_time(pid: int) -> Optional[int]:
    """When the process started (clock ticks since boot): with the pid, names one process."""
    try:
        return int((PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def descendants(root: int) -> List[int]:
    """``root`` and every process below it."""
    children: Dict[int, List[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(parent_of((entry / "stat").read_text()), []).append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def label(argv: List[str]) -> str:
    """ "bot.rasa_server" for ``python -m bot.rasa_server run ...``, "rasa run" for ``.../rasa run``."""
    if "-m" in argv[:-1]:
        module = argv[argv.index("-m") + 1]
        return "bot.cli run" if module == "bench.vigie_run" else module  # bot.cli's run, through the bench
    words = [Path(a).name for a in argv[:3] if not a.startswith("-")]
    if words and words[0].startswith("python"):
        words = words[1:]
    return " ".join(words[:2]) or "?"


def status_kib(status: str, key: str) -> Optional[int]:
    for line in status.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return None


def memory(pid: int) -> Optional[Dict[str, object]]:
    """RSS, peak RSS (VmHWM), the resident pages of mapped files (RssFile: shared libraries, TensorFlow's
    400 MB among them, shared with any other process mapping them) and PSS (when smaps_rollup exists),
    in bytes, and the process's label."""
    base = PROC / str(pid)
    try:
        argv = [a for a in (base / "cmdline").read_bytes().decode(errors="replace").split("\0") if a]
        status = (base / "status").read_text()
    except OSError:
        return None
    figures = {"pid": pid, "process": label(argv) if argv else "?"}
    for name, key in (("rss_bytes", "VmRSS"), ("peak_rss_bytes", "VmHWM"), ("file_rss_bytes", "RssFile")):
        kib = status_kib(status, key)
        figures[name] = kib * 1024 if kib is not None else None
    try:
        pss = status_kib((base / "smaps_rollup").read_text(), "Pss")
        figures["pss_bytes"] = pss * 1024 if pss is not None else None
    except OSError:
        figures["pss_bytes"] = None
    return figures


def memories(pids: List[int]) -> List[Dict[str, object]]:
    return [m for m in map(memory, pids) if m]


def cpu_seconds(pid: int) -> Optional[float]:
    """User plus system CPU time the process has used so far."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def name(pid: int) -> str:
    try:
        argv = [a for a in (PROC / str(pid) / "cmdline").read_bytes().decode(errors="replace").split("\0") if a]
    except OSError:
        return "?"
    return label(argv) if argv else "?"
