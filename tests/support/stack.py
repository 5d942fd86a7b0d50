"""Vigie's processes started one by one, in the production configuration
(PostgreSQL tracker store and declarations, Redis locks), so that tests can
kill, stop and restart each of them.
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, List, Optional

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.support.servers import MODEL, ROOT, free_port

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def http(method: str, url: str, body=None, headers=None, timeout: float = 90):
    """(status, decoded JSON or None)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw or b"null")
        except ValueError:
            return error.code, None


def wait_until(condition, timeout: float, interval: float = 0.3, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class Service:
    def __init__(self, name: str, argv: List[str], health: Optional[str], log: Path):
        self.name, self.argv, self.health, self.log = name, argv, health, log
        self.process: Optional[subprocess.Popen] = None

    def launch(self, env: Dict[str, str]) -> "Service":
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(self.argv, cwd=ROOT, env=env, stdout=log, stderr=log)
        return self

    def wait_ready(self, timeout: float = 240) -> "Service":
        if self.health:
            wait_until(self._healthy, timeout, 0.5, f"{self.name} at {self.health}")
        return self

    def start(self, env: Dict[str, str], timeout: float = 240) -> "Service":
        return self.launch(env).wait_ready(timeout)

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.process.returncode}; see {self.log}")
        try:
            with urllib.request.urlopen(self.health, timeout=2):
                return True
        except OSError:
            return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Stack:
    """Fake authority, action server(s), Rasa replica(s) and the forwarder."""

    def __init__(self, workdir: Path, **overrides: str):
        if not MODEL.exists():
            raise AssertionError(f"{MODEL} is missing: run `make train` first (make test does it).")
        self.workdir = workdir
        self.schema = f"vigie_e2e_{uuid.uuid4().hex[:10]}"
        self.database_url = (
            make_url(PG_URL)
            .update_query_dict({"options": f"-csearch_path={self.schema}"})
            .render_as_string(hide_password=False)
        )
        pg = make_url(PG_URL)
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "DATABASE_URL": self.database_url,
            "VIGIE_ACTION_TOKEN": secrets.token_urlsafe(16),
            "VIGIE_RASA_TOKEN": secrets.token_urlsafe(16),
            "VIGIE_REST_TOKEN": secrets.token_urlsafe(16),
            "VIGIE_TRACKER_DB_HOST": pg.host,
            "VIGIE_TRACKER_DB_PORT": str(pg.port or 5432),
            "VIGIE_TRACKER_DB_NAME": pg.database,
            "VIGIE_TRACKER_DB_USER": pg.username or "",
            "VIGIE_TRACKER_DB_PASSWORD": pg.password or "",
            "VIGIE_REDIS_HOST": "127.0.0.1",
            "VIGIE_REDIS_PORT": "6379",
            "VIGIE_REDIS_DB": "0",
            "VIGIE_REDIS_PASSWORD": "",
            "TICKET_LOCK_LIFETIME": "60",
            "SANIC_REQUEST_MAX_SIZE": str(1024 * 1024),
            "VIGIE_OUTBOX_BASE_DELAY": "0.3",
            "VIGIE_OUTBOX_MAX_DELAY": "2",
            "VIGIE_OUTBOX_TIMEOUT": "3",
            **overrides,
        }
        self.authority_port = free_port()
        self.env.setdefault("VIGIE_AUTHORITY_URL", f"http://127.0.0.1:{self.authority_port}/declarations")
        self.services: List[Service] = []
        self._create_schema()

    # Database ------------------------------------------------------------

    def _create_schema(self) -> None:
        engine = create_engine(PG_URL, future=True, poolclass=NullPool)
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        engine.dispose()
        subprocess.run(
            [sys.executable, "-m", "bot.core.storage", "migrate"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )
        subprocess.run(  # as `make run` does: the FINESS register in the stack's database
            [sys.executable, "-m", "bot.core.register_store", "load"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def sql(self, statement: str, **params):
        engine = create_engine(self.database_url, future=True, poolclass=NullPool)
        try:
            with engine.begin() as connection:
                return connection.execute(text(statement), params).all()
        finally:
            engine.dispose()

    def declarations(self) -> List[tuple]:
        return self.sql("SELECT reference, status, conversation_id FROM declarations ORDER BY id")

    def database_text(self) -> str:
        """Every row of the stack's database as JSON text, but the FINESS register's."""
        tables = self.sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = :schema AND NOT tablename = ANY(:register)",
            schema=self.schema,
            register=["establishments", "register_sources"],
        )
        return "\n".join(
            row[0] for (table,) in tables for row in self.sql(f'SELECT row_to_json(t)::text FROM "{table}" t')
        )

    def conversation_text(self, sender: str) -> str:
        """Every event Rasa's SQL tracker store (its ``events`` table, in ``public``) keeps for ``sender``."""
        return "\n".join(row[0] for row in self.sql("SELECT data FROM public.events WHERE sender_id = :s", s=sender))

    def logs(self) -> str:
        """What every process of the stack wrote."""
        return "\n".join(s.log.read_text(encoding="utf-8", errors="replace") for s in self.services if s.log.exists())

    # Processes -----------------------------------------------------------

    def service(self, name: str, argv: List[str], health: Optional[str]) -> Service:
        service = Service(name, argv, health, self.workdir / f"{name}.log")
        self.services.append(service)
        return service

    def authority(self) -> Service:
        port = str(self.authority_port)
        return self.service(
            "authority",
            [sys.executable, "-m", "bot.fake_authority", "--host", "127.0.0.1", "--port", port],
            f"http://127.0.0.1:{port}/_control/received",
        )

    def actions(self, port: Optional[int] = None) -> Service:
        port = port or free_port()
        return self.service(
            f"actions-{port}",
            [sys.executable, "-m", "bot.action_server", "--host", "127.0.0.1", "--port", str(port)],
            f"http://127.0.0.1:{port}/health",
        )

    def rasa(self, action_port: int, port: Optional[int] = None) -> Service:
        port = port or free_port()
        argv = [
            sys.executable,
            "-m",
            "bot.rasa_server",
            "run",
            "--model",
            str(MODEL),
            "--enable-api",
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--endpoints",
            str(ROOT / "endpoints.production.yml"),
            "--credentials",
            str(ROOT / "credentials.yml"),
        ]
        service = self.service(f"rasa-{port}", argv, f"http://127.0.0.1:{port}/")
        service.port, service.action_port = port, action_port
        return service

    def rasa_env(self, service: Service) -> Dict[str, str]:
        return {**self.env, "VIGIE_ACTION_URL": f"http://127.0.0.1:{service.action_port}/webhook"}

    def start_rasa(self, service: Service) -> Service:
        return service.start(self.rasa_env(service))

    def forwarder(self) -> Service:
        return self.service("forwarder", [sys.executable, "-m", "bot.forwarding"], None)

    def close(self) -> None:
        for service in reversed(self.services):
            service.stop()
        engine = create_engine(PG_URL, future=True, poolclass=NullPool)
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        engine.dispose()

    # Talking ---------------------------------------------------------------

    def say(self, rasa, sender: str, message: str, timeout: float = 90):
        """``rasa``: a Rasa service or any object with the ``port`` Rasa answers on."""
        return http(
            "POST",
            f"http://127.0.0.1:{rasa.port}/webhooks/rest/webhook",
            {"sender": sender, "message": message},
            headers={"Authorization": f"Bearer {self.env['VIGIE_REST_TOKEN']}"},
            timeout=timeout,
        )

    def tracker(self, rasa, sender: str) -> dict:
        status, body = http(
            "GET",
            f"http://127.0.0.1:{rasa.port}/conversations/{sender}/tracker",
            headers={"Authorization": f"Bearer {self.env['VIGIE_RASA_TOKEN']}"},
        )
        assert status == 200, status
        return body

    def received(self) -> dict:
        return http("GET", f"http://127.0.0.1:{self.authority_port}/_control/received")[1]

    def authority_mode(self, mode: str, **options) -> None:
        status, _ = http("PUT", f"http://127.0.0.1:{self.authority_port}/_control/mode", {"mode": mode, **options})
        assert status == 200, status
