"""Start the real servers once for the e2e tests: the development profile (`bot.cli run`),
and one production-profile stack shared by the replicas, Slack and Teams tests."""

import os
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import List

import pytest

from tests.support.relays import Balancer, ServerThread
from tests.support.servers import MODEL, ROOT, Vigie, free_port
from tests.support.stack import Service, Stack
from tests.unit.test_slack import SECRET, TOKEN, FakeSlack
from tests.unit.test_teams import FakeBotFramework, environment


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


@pytest.fixture(scope="session")
def production(tmp_path_factory):
    """One production-profile stack for the replicas, Slack and Teams tests: two
    Rasa replicas, each with its action server, behind a balancer; a fake Slack
    Web API and a fake Bot Framework on loopback. Starting it once instead of
    once per module saves two Rasa starts and two register loads."""
    slack_api, bot_framework = ServerThread(FakeSlack), ServerThread(FakeBotFramework)
    stack = Stack(
        tmp_path_factory.mktemp("production"),
        VIGIE_SLACK_TOKEN=TOKEN,
        VIGIE_SLACK_SIGNING_SECRET=SECRET,
        VIGIE_SLACK_API_URL=slack_api.fake.url,
        **environment(bot_framework.fake),
    )
    balancer = None
    try:
        stack.authority().start(stack.env)
        rasas = []
        for _ in range(2):
            action_port = free_port()
            stack.actions(action_port).start(stack.env)
            rasas.append(stack.rasa(action_port))
        for rasa in rasas:  # both load their model at once
            rasa.launch(stack.rasa_env(rasa))
        for rasa in rasas:
            rasa.wait_ready()
        stack.forwarder().start(stack.env)
        balancer = Balancer(free_port(), [f"http://127.0.0.1:{rasa.port}" for rasa in rasas])
        yield ProductionStack(stack, rasas, balancer, slack_api.fake, bot_framework)
    finally:
        if balancer:
            balancer.close()
        stack.close()
        slack_api.close()
        bot_framework.close()


@dataclass(frozen=True)
class ProductionStack:
    stack: Stack
    rasas: List[Service]
    balancer: Balancer
    slack: FakeSlack
    bot_framework: ServerThread
