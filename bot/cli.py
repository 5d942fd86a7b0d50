"""Start and stop Vigie's processes: action server, Rasa, web app, the
forwarder (outbox worker) and, unless VIGIE_AUTHORITY_URL names a real one,
the fake authority endpoint that receives forwarded declarations.

    python -m bot.cli run     # what `make run` calls (after training)
    python -m bot.cli stop    # what `make stop` calls

Settings come from the environment, then from `.env` (created on first run
with fresh random tokens), then from the defaults of bot/settings.py. This
launcher is the one place besides bot/settings.py that reads the environment
as a whole: it composes the environment of the processes it starts.
"""

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List

from bot.settings import DEFAULTS, PASSED_THROUGH, ROOT, SECRETS

ENV_FILE = ROOT / ".env"
PID_FILE = ROOT / "var" / "vigie.pids"
BIN = Path(sys.executable).parent
ENDPOINTS = {"development": "endpoints.yml", "production": "endpoints.production.yml"}
# Sanic refuses larger bodies before reading them (our channels cap lower still).
MAX_REQUEST_BYTES = str(1024 * 1024)


def ensure_secrets() -> Dict[str, str]:
    """The secrets of `.env`, adding those it lacks (a `.env` from an older version)."""
    from_file = {}
    if ENV_FILE.exists():
        from_file = dict(line.split("=", 1) for line in ENV_FILE.read_text().split() if "=" in line)
    generated = {name: secrets.token_urlsafe(32) for name in SECRETS if not from_file.get(name)}
    if generated:
        with open(ENV_FILE, "a") as env_file:
            env_file.write("".join(f"{name}={value}\n" for name, value in generated.items()))
        ENV_FILE.chmod(0o600)
        print(f"Jetons générés dans {ENV_FILE} (à garder secrets) : {', '.join(generated)}.")
    return {**from_file, **generated}


def load_settings() -> Dict[str, str]:
    from_file = ensure_secrets()
    known = set(DEFAULTS) | set(SECRETS) | set(PASSED_THROUGH)
    settings = {**DEFAULTS, **from_file, **{k: v for k, v in os.environ.items() if k in known}}
    if settings["VIGIE_PROFILE"] not in ENDPOINTS:
        raise SystemExit(f"VIGIE_PROFILE : {' ou '.join(ENDPOINTS)} attendu.")
    if settings["VIGIE_PROFILE"] != "development" and not os.environ.get("VIGIE_REST_TOKEN"):
        settings["VIGIE_REST_TOKEN"] = ""  # the REST channel is off outside development unless asked for
    host = settings["VIGIE_HOST"]
    settings["VIGIE_ACTION_URL"] = f"http://{host}:{settings['VIGIE_ACTION_PORT']}/webhook"
    settings.setdefault("VIGIE_AUTHORITY_URL", f"http://{host}:{settings['VIGIE_AUTHORITY_PORT']}/declarations")
    # The chat page is served by the web app and talks to Rasa's socket.io channel.
    settings.setdefault("VIGIE_CHAT_URL", f"http://{host}:{settings['VIGIE_RASA_PORT']}")
    # The address users see (receipt links, admin cookies): the web app itself here.
    settings.setdefault("VIGIE_PUBLIC_ORIGIN", f"http://{host}:{settings['VIGIE_WEB_PORT']}")
    web_hosts = [host] + (["localhost"] if host == "127.0.0.1" else [])
    settings.setdefault(
        "VIGIE_ALLOWED_ORIGINS", ",".join(f"http://{name}:{settings['VIGIE_WEB_PORT']}" for name in web_hosts)
    )
    settings["TICKET_LOCK_LIFETIME"] = settings["VIGIE_LOCK_LIFETIME"]
    settings["SANIC_REQUEST_MAX_SIZE"] = MAX_REQUEST_BYTES
    return settings


def runs_fake_authority(s: Dict[str, str]) -> bool:
    return s["VIGIE_AUTHORITY_URL"] == f"http://{s['VIGIE_HOST']}:{s['VIGIE_AUTHORITY_PORT']}/declarations"


def commands(s: Dict[str, str]) -> List[tuple]:
    """(name, argv, health URL or None), in the order their health is awaited."""
    host, python = s["VIGIE_HOST"], str(BIN / "python")
    # The Rasa token reaches bot.rasa_server through the environment, not argv (visible to ps).
    rasa = [
        python,
        "-m",
        "bot.rasa_server",
        "run",
        "--model",
        s["VIGIE_MODEL"],
        "--enable-api",
        "--interface",
        host,
        "--port",
        s["VIGIE_RASA_PORT"],
        "--endpoints",
        str(ROOT / ENDPOINTS[s["VIGIE_PROFILE"]]),
        "--credentials",
        str(ROOT / "credentials.yml"),
        "--cors",
        *s["VIGIE_ALLOWED_ORIGINS"].split(","),
    ]
    processes = []
    if runs_fake_authority(s):
        processes.append(
            (
                "autorité",
                [python, "-m", "bot.fake_authority", "--host", host, "--port", s["VIGIE_AUTHORITY_PORT"]],
                None,
            )
        )
    if s["VIGIE_PROFILE"] == "production" and os.environ.get("VIGIE_TRACKER_DB_HOST"):
        # conversations in PostgreSQL: deleted VIGIE_RETENTION_DAYS days after their last message
        processes.append(("conservation", [python, "-m", "bot.retention", "run"], None))
    return processes + [
        (
            "actions",
            [python, "-m", "bot.action_server", "--host", host, "--port", s["VIGIE_ACTION_PORT"]],
            f"http://{host}:{s['VIGIE_ACTION_PORT']}/health",
        ),
        ("rasa", rasa, f"http://{host}:{s['VIGIE_RASA_PORT']}/"),
        (
            "web",
            [python, "-m", "bot.web.app", "--host", host, "--port", s["VIGIE_WEB_PORT"]],
            f"http://{host}:{s['VIGIE_WEB_PORT']}/healthz",
        ),
        ("transmission", [python, "-m", "bot.forwarding"], None),
    ]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url} : le processus s'est arrêté (code {process.returncode}).")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} ne répond pas après {timeout:.0f} s.")


def run(timeout: float) -> None:
    settings = load_settings()
    env = {**os.environ, **settings, "PYTHONPATH": str(ROOT)}
    processes: List[subprocess.Popen] = []
    PID_FILE.parent.mkdir(exist_ok=True)

    def launch(argv: List[str]) -> subprocess.Popen:
        processes.append(subprocess.Popen(argv, env=env, cwd=ROOT))
        PID_FILE.write_text("".join(f"{p.pid}\n" for p in processes))
        return processes[-1]

    try:
        # Rasa loading its model is the longest, and it needs neither the migrations nor the
        # register: it starts first, the database is made ready meanwhile, then the others.
        ordered = commands(settings)
        started = {name: launch(argv) for name, argv, _ in ordered if name == "rasa"}
        prepare_database(env)
        started.update({name: launch(argv) for name, argv, _ in ordered if name not in started})
        for name, _, health in ordered:
            if health:
                wait_until_up(health, started[name], timeout)
            print(f"{name:12s} démarré" + (f" : {health.rsplit('/', 1)[0]}" if health else ""), flush=True)
        host = settings["VIGIE_HOST"]
        rest = (
            f"(jeton VIGIE_REST_TOKEN) : http://{host}:{settings['VIGIE_RASA_PORT']}/webhooks/rest/webhook"
            if settings["VIGIE_REST_TOKEN"]
            else ": désactivé (profil de production sans VIGIE_REST_TOKEN)"
        )
        print(
            f"\nVigie est prête.\n"
            f"- Page de déclaration : http://{host}:{settings['VIGIE_WEB_PORT']}/\n"
            f"- Pages d'administration et observatoire : http://{host}:{settings['VIGIE_WEB_PORT']}/admin/\n"
            f"- Canal REST {rest}\n"
            f"- API HTTP de Rasa (jeton VIGIE_RASA_TOKEN) : http://{host}:{settings['VIGIE_RASA_PORT']}\n"
            f"- API des déclarations (jeton VIGIE_API_TOKEN) : http://{host}:{settings['VIGIE_WEB_PORT']}/api\n"
            f"- Transmission des déclarations vers : {settings['VIGIE_AUTHORITY_URL']}"
            f"{' (autorité factice locale)' if runs_fake_authority(settings) else ''}\n"
            f"Les jetons sont dans {ENV_FILE}. Ctrl-C ou `make stop` pour arrêter.",
            flush=True,
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while all(p.poll() is None for p in processes):
            time.sleep(1)
        raise SystemExit("Un des processus s'est arrêté ; j'arrête les autres.")
    except KeyboardInterrupt:
        pass
    finally:
        stop_processes(processes)
        PID_FILE.unlink(missing_ok=True)


def prepare_database(env: Dict[str, str]) -> None:
    subprocess.run([str(BIN / "python"), "-m", "bot.core.storage", "migrate"], env=env, cwd=ROOT, check=True)
    # The FINESS register, from ../shared/data/finess (or VIGIE_FINESS_DIR): loaded once, then a no-op.
    subprocess.run([str(BIN / "python"), "-m", "bot.core.register_store", "load"], env=env, cwd=ROOT, check=True)


def stop_processes(processes: List[subprocess.Popen]) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def stop() -> None:
    if not PID_FILE.exists():
        print("Vigie ne semble pas lancée.")
        return
    for pid in PID_FILE.read_text().split():
        try:
            os.kill(int(pid), signal.SIGTERM)
        except ProcessLookupError:
            pass
    PID_FILE.unlink(missing_ok=True)
    print("Vigie arrêtée.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "stop"])
    parser.add_argument("--timeout", type=float, default=180.0, help="secondes d'attente par processus")
    args = parser.parse_args()
    run(args.timeout) if args.command == "run" else stop()


if __name__ == "__main__":
    main()
