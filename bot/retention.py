"""Conversations are kept ``VIGIE_RETENTION_DAYS`` days (30) after their last message, then
deleted from Rasa's tracker store.

A conversation holds what a person wrote while declaring: once the declaration is sent
(it lives on in the declarations table) or the person has left, there is no reason to
keep it. The conversations of Rasa's SQL tracker store (its ``events`` table, production
profile) whose last event is older than the retention period are deleted, every event
of them. The in-memory store of the development profile keeps nothing past a restart.

Files joined to a declaration that was never sent are deleted after the same period
(``bot.core.attachments``), in both profiles.

    python -m bot.retention purge          # once (`make purge`)
    python -m bot.retention run            # every VIGIE_RETENTION_EVERY seconds (86400)
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import Optional

import sqlalchemy as sa

from bot import private_logs
from bot.core.storage import DeclarationStore
from bot.settings import Settings

logger = logging.getLogger("vigie.retention")

# Rasa's SQLTrackerStore table, the two columns this needs (rasa/core/tracker_store.py).
EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("timestamp", sa.Float),
)


def purge(url: str, keep: timedelta, now: Optional[datetime] = None) -> int:
    """Delete every event of the conversations idle for longer than ``keep``; how many
    conversations were deleted."""
    cutoff = ((now or datetime.now(timezone.utc)) - keep).timestamp()
    idle = (
        sa.select(EVENTS.c.sender_id)
        .group_by(EVENTS.c.sender_id)
        .having(sa.func.max(EVENTS.c.timestamp) < cutoff)
        .subquery()
    )
    engine = sa.create_engine(url, future=True)
    try:
        with engine.begin() as connection:
            if not sa.inspect(connection).has_table("events"):
                return 0  # Rasa has not stored a conversation yet
            senders = connection.execute(sa.select(sa.func.count()).select_from(idle)).scalar_one()
            connection.execute(EVENTS.delete().where(EVENTS.c.sender_id.in_(sa.select(idle.c.sender_id))))
            return senders
    finally:
        engine.dispose()


def main(argv: Optional[list] = None) -> int:
    private_logs.install()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m bot.retention")
    parser.add_argument("command", choices=("purge", "run"))
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    keep = timedelta(days=settings.retention_days)
    store = DeclarationStore()
    store.migrate()
    try:
        while True:
            said = [_purge_files(store, keep, settings.retention_days)]
            if settings.tracker_database_url:
                deleted = purge(settings.tracker_database_url, keep)
                logger.info("%d conversation(s) idle for more than %d days deleted", deleted, settings.retention_days)
                days = settings.retention_days
                said.append(f"{deleted} conversation(s) inactive(s) depuis plus de {days} jours supprimée(s).")
            else:
                said.append("Conversations en mémoire (profil de développement) : rien d'autre à supprimer.")
            if args.command == "purge":
                print("\n".join(said))
                return 0
            time.sleep(settings.retention_every)
    finally:
        store.dispose()


def _purge_files(store: DeclarationStore, keep: timedelta, days: int) -> str:
    deleted = store.attachments().forget_unsent(datetime.now(timezone.utc) - keep)
    logger.info("%d file(s) of declarations never sent deleted", deleted)
    return (
        f"{deleted} pièce(s) jointe(s) de déclarations jamais envoyées, "
        f"ajoutée(s) il y a plus de {days} jours, supprimée(s)."
    )


if __name__ == "__main__":
    sys.exit(main())
