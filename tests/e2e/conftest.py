"""Start the real servers (action server, Rasa, web app) once for the e2e tests."""

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "vigie.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Vigie:
    """A running Vigie, spoken to through the REST channel, like a user."""

    def __init__(self, env: dict, log_path: Path):
        self.env = env
        self.log_path = log_path
        self.rasa = f"http://127.0.0.1:{env['VIGIE_RASA_PORT']}"
        self.web = f"http://127.0.0.1:{env['VIGIE_WEB_PORT']}"

    def _request(self, url: str, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
        with urllib.request.urlopen(request, timeout=60) as reply:
            return json.loads(reply.read() or b"null")

    def say(self, sender: str, text: str) -> list:
        return self._request(f"{self.rasa}/webhooks/rest/webhook", {"sender": sender, "message": text})

    def tracker(self, sender: str) -> dict:
        return self._request(f"{self.rasa}/conversations/{sender}/tracker?token={self.env['VIGIE_RASA_TOKEN']}")

    def declaration(self, reference: str) -> dict:
        return self._request(f"{self.web}/api/declarations/{reference}",
                             headers={"Authorization": f"Bearer {self.env['VIGIE_API_TOKEN']}"})


@pytest.fixture(scope="session")
def vigie(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first (make test does it).")
    workdir = tmp_path_factory.mktemp("vigie")
    env = {
        **os.environ,
        "VIGIE_ACTION_PORT": str(free_port()),
        "VIGIE_RASA_PORT": str(free_port()),
        "VIGIE_WEB_PORT": str(free_port()),
        "VIGIE_AUTHORITY_PORT": str(free_port()),
        "DATABASE_URL": os.environ.get("E2E_DATABASE_URL", f"sqlite:///{workdir / 'vigie.db'}"),
        "VIGIE_ACTION_TOKEN": secrets.token_urlsafe(16),
        "VIGIE_RASA_TOKEN": secrets.token_urlsafe(16),
        "VIGIE_API_TOKEN": secrets.token_urlsafe(16),
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
    }
    log = open(workdir / "servers.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=log, text=True)
    deadline = time.monotonic() + 300
    ready = False
    while time.monotonic() < deadline and process.poll() is None:
        line = process.stdout.readline()
        if "Vigie est prête" in line:
            ready = True
            break
    if not ready:
        process.terminate()
        pytest.fail(f"Vigie did not start; see {workdir / 'servers.log'}")
    # Keep reading what the processes print, so that a full pipe never blocks them.
    threading.Thread(target=lambda: [log.write(line) for line in process.stdout], daemon=True).start()
    yield Vigie(env, workdir / "servers.log")
    process.terminate()
    process.wait(timeout=60)
