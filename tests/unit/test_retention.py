"""Conversations deleted from Rasa's SQL tracker store after the retention period
(bot/retention.py), on Rasa's own table, on SQLite and the real PostgreSQL server."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from bot import retention
from bot.settings import Settings
from tests.support.declarations import BACKENDS, database_url

NOW = datetime(2026, 12, 4, 3, 0, tzinfo=timezone.utc)
KEEP = timedelta(days=30)


@pytest.fixture(params=BACKENDS)
def tracker_db(request, tmp_path):
    with database_url(request.param, tmp_path, request) as url:
        engine = sa.create_engine(url, future=True)
        SQLTrackerStore.Base.metadata.create_all(engine)  # the table Rasa makes
        yield url, engine
        engine.dispose()


def add_events(engine, sender, *ages):
    with engine.begin() as connection:
        for age in ages:
            connection.execute(
                SQLTrackerStore.SQLEvent.__table__.insert().values(
                    sender_id=sender, type_name="user", timestamp=(NOW - age).timestamp(), data="{}"
                )
            )


def senders(engine):
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT sender_id, count(*) FROM events GROUP BY sender_id"))
        return dict(rows.all())


def test_only_conversations_idle_past_the_period_are_deleted_whole(tracker_db):
    url, engine = tracker_db
    add_events(engine, "fini-il-y-a-40-jours", timedelta(days=45), timedelta(days=40))
    add_events(engine, "reprise-hier", timedelta(days=45), timedelta(days=1))
    add_events(engine, "fini-il-y-a-29-jours", timedelta(days=29))
    assert retention.purge(url, KEEP, NOW) == 1
    assert senders(engine) == {"reprise-hier": 2, "fini-il-y-a-29-jours": 1}
    assert retention.purge(url, KEEP, NOW) == 0


def test_no_table_yet_is_nothing_to_delete(tmp_path):
    assert retention.purge(f"sqlite:///{tmp_path / 'vide.db'}", KEEP, NOW) == 0


def test_the_tracker_store_and_the_period_come_from_the_environment():
    settings = Settings.from_env(
        {
            "VIGIE_TRACKER_DB_HOST": "postgres",
            "VIGIE_TRACKER_DB_PORT": "5432",
            "VIGIE_TRACKER_DB_NAME": "vigie_conversations",
            "VIGIE_TRACKER_DB_USER": "vigie_rasa",
            "VIGIE_TRACKER_DB_PASSWORD": "s3cr@t",
            "VIGIE_RETENTION_DAYS": "7",
        }
    )
    assert (
        settings.tracker_database_url == "postgresql+psycopg2://vigie_rasa:s3cr%40t@postgres:5432/vigie_conversations"
    )
    assert settings.retention_days == 7
    assert Settings.from_env({}).tracker_database_url == "" and Settings.from_env({}).retention_days == 30


def test_in_memory_conversations_need_no_purge_but_unsent_files_go(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("VIGIE_TRACKER_DB_HOST", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'vigie.db'}")
    monkeypatch.setenv("VIGIE_ATTACHMENTS_DIR", str(tmp_path / "pieces"))
    assert retention.main(["purge"]) == 0
    said = capsys.readouterr().out
    assert "rien d'autre à supprimer" in said and "0 pièce(s) jointe(s) de déclarations jamais envoyées" in said
