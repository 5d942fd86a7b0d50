"""Helpers of the admin pages' tests (test_admin_*.py, receipts, the admin browser test).

The fixtures (``store`` on SQLite and PostgreSQL, one schema per test, ``clock``,
``accounts``) are in tests/conftest.py; ``submit`` in tests/support/declarations.py.
"""

import re
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher

from bot.admin import create_admin_app, users
from bot.admin.passwords import Passwords

UTC = timezone.utc
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMIN, ADMIN_PASSWORD = "alice", "Une-phrase-de-passe-solide"
READER, READER_PASSWORD = "luc", "Encore une phrase bien longue"
# Cheap parameters: the tests hash and verify many times.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CSRF_PATTERN = re.compile(r'name="csrf" value="([^"]+)"')


class Clock:
    """Injectable clock: the time stands still until advanced."""

    def __init__(self, start: datetime = START):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def add_user(store, login: str, password: str, role: str, clock=None):
    return users.create_user(
        store, Passwords(CHEAP_HASHER), (clock or Clock())(), login, password, role, actor="test", ip=None
    )


@asynccontextmanager
async def admin_client(store, clock, **options):
    """A TestClient on an app that mounts the admin pages at /admin."""
    options.setdefault("secure_cookies", False)
    options.setdefault("password_hasher", CHEAP_HASHER)
    admin = create_admin_app(store, clock=clock, **options)
    app = web.Application()
    app.add_subapp("/admin", admin)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


def origin(client) -> dict:
    return {"Origin": f"http://{client.host}:{client.port}"}


def csrf_of(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "no CSRF field in the page"
    return match.group(1)


async def login(client, login_name: str, password: str, headers=None):
    """Log in through the form, as a browser would; return the POST's response."""
    page = await client.get("/admin/connexion")
    token = csrf_of(await page.text())
    return await client.post(
        "/admin/connexion",
        data={"csrf": token, "login": login_name, "password": password},
        headers=headers if headers is not None else origin(client),
        allow_redirects=False,
    )


async def page_token(client, path: str = "/admin/declarations") -> str:
    """The session's CSRF token, read from a page."""
    response = await client.get(path)
    assert response.status == 200, response.status
    return csrf_of(await response.text())


def session_cookie(client, name: str = "vigie_admin"):
    for cookie in client.session.cookie_jar:
        if cookie.key == name:
            return cookie.value
    return None


def references(html: str) -> list:
    """References of the list page's rows, in order."""
    return re.findall(r'<th scope="row"><a href="/admin/declarations/([^"]+)">', html)
