"""Crash points for the fault-injection tests (tests/e2e/test_faults.py).

With ``VIGIE_FAULT=<point>`` in its environment, a process kills itself with
SIGKILL, as a power cut would, when it reaches that point. Unset (always, in
production) it does nothing.
"""

import os
import signal

from bot.settings import Settings


def crash_point(name: str) -> None:
    if Settings.from_env().fault == name:
        os.kill(os.getpid(), signal.SIGKILL)
