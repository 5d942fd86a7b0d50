"""The servers a benchmark talks to, each started as a subprocess on free ports:
Vigie (``bot.cli run`` with a fresh database), the no-op floor and the ``rasa init`` assistant."""

import json
import os
import secrets
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

from bench import proc
from bench.common import CACHE_DIR, MODEL, PYTHON, RASA, ROOT, bench_env, log
from tests.support.servers import Vigie, free_port

READY_LINE = "Vigie est prête"


class Server:
    """A process tree we started, answering HTTP at ``base_url``."""

    def __init__(self, name: str, argv: List[str], base_url: str, env: Dict[str, str], cwd: Path, log_path: Path):
        self.name, self.argv, self.base_url = name, argv, base_url
        self.env, self.cwd, self.log_path = env, cwd, log_path
        self.tracker_token: Optional[str] = None
        self.rest_headers: Dict[str, str] = {}  # Vigie's REST channel wants its token; stock Rasa does not
        self.process: Optional[subprocess.Popen] = None
        self.launched_at = self.ready_at = 0.0

    def tracker_url(self, sender: str) -> str:
        return f"{self.base_url}/conversations/{sender}/tracker"

    @property
    def parse_url(self) -> str:
        return f"{self.base_url}/model/parse"

    @property
    def api_headers(self) -> Dict[str, str]:
        """Rasa's HTTP API token, in the header (Vigie refuses it in the address)."""
        return {"Authorization": f"Bearer {self.tracker_token}"} if self.tracker_token else {}

    @property
    def webhook(self) -> str:
        return f"{self.base_url}/webhooks/rest/webhook"

    def start(self, timeout: float = 300) -> "Server":
        log(f"starting {self.name} ({self.base_url})")
        with open(self.log_path, "a") as out:
            self.launched_at = time.monotonic()
            self.process = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=out, stderr=out)
        wait_http(f"{self.base_url}/", self.process, timeout, self.log_path)
        self.ready_at = time.monotonic()
        return self

    def pids(self) -> List[int]:
        """The processes serving it now: ours and every one below it."""
        return proc.descendants(self.process.pid) if self.alive() else []

    def memory(self) -> List[dict]:
        return proc.memories(self.pids())

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if not self.alive():
            return
        started = {pid: proc.start_time(pid) for pid in proc.descendants(self.process.pid)}
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
        for pid, began in started.items():  # what is left of the processes this server started
            if began is not None and proc.start_time(pid) == began:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class VigieStack(Server):
    """All of Vigie as ``make run`` starts it, on free ports, with a fresh SQLite database."""

    def __init__(self, workdir: Path, model: Path = MODEL, name: str = "vigie", **overrides: str):
        workdir.mkdir(parents=True, exist_ok=True)
        ports = {
            key: str(free_port())
            for key in ("VIGIE_ACTION_PORT", "VIGIE_RASA_PORT", "VIGIE_WEB_PORT", "VIGIE_AUTHORITY_PORT")
        }
        env = bench_env(
            **ports,
            BENCH_STATE_DIR=str(workdir),
            VIGIE_MODEL=str(model),
            DATABASE_URL=f"sqlite:///{workdir / 'vigie.db'}",
            **{
                k: secrets.token_urlsafe(16)
                for k in ("VIGIE_ACTION_TOKEN", "VIGIE_RASA_TOKEN", "VIGIE_API_TOKEN", "VIGIE_REST_TOKEN")
            },
            **overrides,
        )
        super().__init__(
            name,
            [PYTHON, "-m", "bench.vigie_run"],
            f"http://127.0.0.1:{ports['VIGIE_RASA_PORT']}",
            env,
            ROOT,
            workdir / f"{name}.log",
        )
        self.tracker_token = env["VIGIE_RASA_TOKEN"]
        self.rest_headers = {"Authorization": f"Bearer {env['VIGIE_REST_TOKEN']}"}

    def start(self, timeout: float = 400) -> "VigieStack":
        log(f"starting {self.name} (bot.cli run, Rasa on {self.base_url})")
        ready = threading.Event()
        self.launched_at = time.monotonic()
        self.process = subprocess.Popen(
            self.argv, cwd=self.cwd, env=self.env, stdout=subprocess.PIPE, stderr=open(self.log_path, "a"), text=True
        )
        # read what the processes print from the start, so that a full pipe never blocks them
        threading.Thread(target=self._drain, args=(ready,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while not ready.wait(0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start; see {self.log_path}")
        self.ready_at = time.monotonic()
        return self

    def _drain(self, ready: threading.Event) -> None:
        with open(self.log_path, "a") as out:
            for line in self.process.stdout:
                out.write(line)
                if READY_LINE in line:
                    ready.set()

    def client(self) -> Vigie:
        """The e2e tests' synchronous client (say, tracker, declaration)."""
        return Vigie(self.env, self.log_path)

    def parse(self, text: str) -> dict:
        """Rasa's NLU result for ``text`` (HTTP API, behind the Rasa token)."""
        return post_json(self.parse_url, {"text": text}, headers=self.api_headers)


def noop_server(workdir: Path) -> Server:
    port = free_port()
    return Server(
        "no-op aiohttp",
        [PYTHON, "-m", "bench.noop_server", "--port", str(port)],
        f"http://127.0.0.1:{port}",
        bench_env(),
        ROOT,
        workdir / "noop.log",
    )


def reference_assistant(workdir: Path, reuse: bool) -> "tuple[Server, dict]":
    """The ``rasa init`` assistant, created and trained (reused from bench/.cache when ``reuse``),
    served by stock ``rasa run``; and how long creating it took."""
    project = CACHE_DIR / "rasa-init" if reuse else workdir / "rasa-init"
    created = {"reused": False, "init_and_train_s": None}
    if not list((project / "models").glob("*.tar.gz")):
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir(parents=True)  # rasa init --no-prompt refuses a directory that does not exist
        log("creating and training the rasa init assistant")
        began = time.monotonic()
        subprocess.run(
            [RASA, "init", "--no-prompt", "--init-dir", str(project)],
            cwd=project.parent,
            env=bench_env(),
            check=True,
            capture_output=True,
        )
        created["init_and_train_s"] = round(time.monotonic() - began, 1)
    else:
        created["reused"] = True
    port = free_port()
    argv = [RASA, "run", "--enable-api", "--interface", "127.0.0.1", "--port", str(port), "--model", "models"]
    return Server(
        "rasa init", argv, f"http://127.0.0.1:{port}", bench_env(), project, workdir / "rasa-init.log"
    ), created


def post_json(url: str, body: dict, timeout: float = 60, headers: Optional[Dict[str, str]] = None):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **(headers or {})}
    )
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return json.loads(reply.read() or b"null")


def wait_http(url: str, process: subprocess.Popen, timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s; see {log_path}")


def first_answer(server: Server, since: float, timeout: float = 400) -> float:
    """Seconds from ``since`` (time.monotonic()) to the first reply of ``server``'s REST channel."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited before answering")
        try:
            reply = post_json(
                server.webhook, {"sender": "bench-first", "message": "bonjour"}, timeout=30, headers=server.rest_headers
            )
            if isinstance(reply, list) and reply:
                return time.monotonic() - since
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no answer from {server.webhook} within {timeout:.0f} s")
