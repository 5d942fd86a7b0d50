"""Schemathesis against bot/web/openapi.yaml and the running web app: every
generated request, valid or not, gets a documented answer, never a 500.

Schemathesis lives in its own virtualenv (.venv-tools, `make tools`): its
dependencies conflict with Rasa's pins."""

import secrets
import subprocess
import sys

import pytest

from bot.core.storage import DeclarationStore
from tests.support.declarations import submit
from tests.support.servers import ROOT, free_port
from tests.support.stack import Service

SCHEMATHESIS = ROOT / ".venv-tools" / "bin" / "schemathesis"


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("schemathesis")
    url = f"sqlite:///{workdir / 'vigie.db'}"
    store = DeclarationStore(url)
    store.migrate()
    for index in range(3):
        submit(store, key=f"seed-{index}", structure_name=f"=CH {index}")
    store.dispose()
    token, port = secrets.token_urlsafe(16), free_port()
    env = {
        "DATABASE_URL": url,
        "VIGIE_API_TOKEN": token,
        "PYTHONPATH": str(ROOT),
        "PATH": "/usr/bin:/bin",
        # Schemathesis fires hundreds of requests: with the default limit it would wait on every Retry-After.
        "VIGIE_API_RATE": "10000",
        "VIGIE_API_BURST": "100000",
    }
    service = Service(
        "web",
        [sys.executable, "-m", "bot.web.app", "--host", "127.0.0.1", "--port", str(port)],
        f"http://127.0.0.1:{port}/healthz",
        workdir / "web.log",
    ).start(env)
    yield f"http://127.0.0.1:{port}/api", token, workdir
    service.stop()


def test_the_api_matches_its_openapi_description(web):
    if not SCHEMATHESIS.exists():
        pytest.fail("schemathesis is missing: run `make tools` (make test does it).")
    url, token, workdir = web
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            str(ROOT / "bot" / "web" / "openapi.yaml"),
            "--url",
            url,
            "-H",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--max-examples",
            "40",
            "--generation-deterministic",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
