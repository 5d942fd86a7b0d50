"""Is the declarations database reachable and at the latest migration?

    python deploy/schema_check.py               # once: exit 0 if so, 1 if not
    python deploy/schema_check.py --wait 600    # retry for up to 600 s

It never changes the database: only ``python -m bot.core.storage migrate`` (the
``migrate`` one-shot service or Job) does. Used by Kubernetes as the init
container of actions, web and forwarder (they start only once the Job has
migrated) and as the forwarder's probe, which has no HTTP port. Reads
``DATABASE_URL`` like every other process; prints no secret.
"""

import argparse
import sys
import time
from typing import Optional, Tuple


def schema_state(url: str) -> Tuple[Optional[str], str]:
    """(current revision, head revision); raises if the database is unreachable."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from bot.core.storage import _normalise_url, alembic_config

    url = _normalise_url(url)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = create_engine(url, poolclass=NullPool, connect_args=_connect_args(url))
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision(), head
    finally:
        engine.dispose()


def _connect_args(url: str) -> dict:
    from sqlalchemy.engine import make_url

    return {"connect_timeout": 5} if make_url(url).get_backend_name() == "postgresql" else {}


def check(url: str) -> Tuple[bool, str]:
    try:
        current, head = schema_state(url)
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        return False, f"base injoignable ({type(error).__name__})"
    if current != head:
        return False, f"schéma à la révision {current or 'vide'}, attendu {head} (migration pas encore faite)"
    return True, f"schéma à jour ({head})"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python deploy/schema_check.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--wait", type=float, default=0.0, help="secondes pendant lesquelles réessayer")
    parser.add_argument("--interval", type=float, default=3.0)
    args = parser.parse_args(argv)
    from bot.core.storage import default_url

    url = default_url()
    deadline = time.monotonic() + args.wait
    while True:
        ok, message = check(url)
        if ok or time.monotonic() >= deadline:
            print(message, file=sys.stdout if ok else sys.stderr, flush=True)
            return 0 if ok else 1
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
