"""``python -m bench.vigie_run``: exactly ``python -m bot.cli run``, except that its pid
file and its ``.env`` live in ``BENCH_STATE_DIR``, so that a benchmark never touches
the project's ``var/vigie.pids`` and ``.env`` (the tokens come from the environment)."""

import os
import sys
from pathlib import Path

import bot.cli as cli


def main() -> None:
    state = Path(os.environ["BENCH_STATE_DIR"])
    cli.PID_FILE = state / "vigie.pids"
    cli.ENV_FILE = state / ".env"
    cli.run(float(sys.argv[1]) if len(sys.argv) > 1 else 300.0)


if __name__ == "__main__":
    main()
