"""Start the real servers (action server, Rasa, web app) once for the e2e tests."""

import os
import secrets
import subprocess
import sys
import threading
import time

import pytest

from tests.support.servers import MODEL, ROOT, Vigie, free_port


@pytest.fixture(scope="session")
def vigie(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first (make test does it).")
    workdir = tmp_path_factory.mktemp("vigie")
    web_port, intranet_port = free_port(), free_port()
    env = {
        **os.environ,
        "VIGIE_ACTION_PORT": str(free_port()),
        "VIGIE_RASA_PORT": str(free_port()),
        "VIGIE_WEB_PORT": str(web_port),
        # Vigie's own page, and an intranet page that embeds the widget (tests/e2e/test_embedded_widget.py).
        "VIGIE_ALLOWED_ORIGINS": f"http://127.0.0.1:{web_port},http://localhost:{web_port},http://127.0.0.1:{intranet_port}",
        "VIGIE_TEST_INTRANET_PORT": str(intranet_port),
        "VIGIE_AUTHORITY_PORT": str(free_port()),
        "DATABASE_URL": os.environ.get("E2E_DATABASE_URL", f"sqlite:///{workdir / 'vigie.db'}"),
        "VIGIE_ACTION_TOKEN": secrets.token_urlsafe(16),
        "VIGIE_RASA_TOKEN": secrets.token_urlsafe(16),
        "VIGIE_API_TOKEN": secrets.token_urlsafe(16),
        "VIGIE_REST_TOKEN": secrets.token_urlsafe(16),
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
        "VIGIE_OPERATOR": "Centre hospitalier d'essai",
        "VIGIE_DPO_CONTACT": "dpo@ch-essai.test",
    }
    log = open(workdir / "servers.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True
    )
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
