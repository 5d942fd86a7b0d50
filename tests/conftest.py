"""Fixtures shared by the unit and end-to-end tests (helpers are in tests/support)."""

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.core import storage
from bot.core.storage import DeclarationStore
from tests.support.admin import ADMIN, ADMIN_PASSWORD, READER, READER_PASSWORD, Clock, add_user
from tests.support.declarations import BACKENDS, PG_DEFAULT_URL, can_connect, database_url


@pytest.fixture(scope="session")
def postgres_url():
    url = make_url(os.environ.get("TEST_DATABASE_URL", PG_DEFAULT_URL))
    for candidate in (url, url.set(username="root")):
        rendered = candidate.render_as_string(hide_password=False)
        if can_connect(rendered):
            return rendered
    pytest.fail(f"PostgreSQL unreachable at {url!r} (as {url.username} or root)")


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite database migrated once per test process: each SQLite test starts from a copy of it
    (alembic's upgrade, about 0.15 s, ran for each of some 450 tests)."""
    path = tmp_path_factory.mktemp("migrated") / "vigie.db"
    template = DeclarationStore(f"sqlite:///{path}")
    template.migrate()
    template.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def migrated_url(request, tmp_path):
    """The address of an empty database at the latest revision, on each backend: a copy of
    ``migrated_sqlite``, or a fresh PostgreSQL schema migrated."""
    with database_url(request.param, tmp_path, request) as url:
        if request.param == "sqlite":
            shutil.copyfile(request.getfixturevalue("migrated_sqlite"), make_url(url).database)
        else:
            migrated = DeclarationStore(url)
            migrated.migrate()
            migrated.dispose()
        yield url


@pytest.fixture
def store(migrated_url):
    declaration_store = DeclarationStore(migrated_url)
    try:
        yield declaration_store
    finally:
        declaration_store.dispose()


@pytest.fixture
def frozen_now(monkeypatch):
    """Set the submission clock: frozen_now(datetime)."""

    def freeze(moment: datetime):
        monkeypatch.setattr(storage, "utc_now", lambda: moment)

    return freeze


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def accounts(store, clock):
    """An administrateur and a lecteur."""
    add_user(store, ADMIN, ADMIN_PASSWORD, "administrateur", clock)
    add_user(store, READER, READER_PASSWORD, "lecteur", clock)


@pytest.fixture(autouse=True)
def without_register(monkeypatch):
    """The actions see no FINESS register (as when it is not loaded) unless a test gives one
    (tests/unit/test_structure.py): a developer's loaded database never changes a test."""
    from sqlalchemy import create_engine

    from actions import structure
    from bot.core.register_store import Register

    empty = Register(create_engine("sqlite://", future=True))
    monkeypatch.setattr(structure, "register", lambda: empty)
