"""Run deploy/docker-compose.yml's services without Docker, then check them.

    sudo .venv/bin/python deploy/smoke_without_docker.py [--nginx /path/to/nginx]

For a machine with no Docker engine (root, Linux). It re-executes itself in a
new mount and network namespace (``unshare``): the compose service names
(postgres, redis, actions, rasa, web) resolve to the namespace's own loopback,
ports are those of the compose file and nothing is reachable from outside.
The repository, /usr, /etc, /var, /root, /home and /opt are remounted
read-only; only /tmp stays writable, as with the containers' ``read_only`` and
their /tmp tmpfs. Then, taken from the compose file itself (commands,
environments, healthchecks, ``${VAR:?}`` interpolation):

- PostgreSQL (the server installed here, password authentication over TCP)
  initialised by deploy/postgres/10-vigie-databases.sh;
- Redis with the compose command (password, no persistence);
- migrate, actions, rasa, web, forwarder (one replica each), a fake authority;
- every healthcheck, run as compose would run it;
- nginx with deploy/nginx.conf (only user, pid, TLS paths and temp paths
  changed) and a self-signed certificate;

and checks through the proxy: the security headers, the redirect to HTTPS,
Rasa's API denied, the 64 KiB webhook limit, the declarations API token, a
whole declaration by a simulated declarant (tests/support/declarant.py) stored in
PostgreSQL and forwarded to the authority. Prints a JSON report; exit 0 when
every check passed. Takes a few minutes (Rasa loads its model).
"""

import argparse
import json
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
PG_BIN = Path("/usr/lib/postgresql")
READ_ONLY = ["/usr", "/etc", "/var", "/root", "/home", "/opt"]
# What the image's ENV sets (deploy/Dockerfile).
IMAGE_ENV = {
    "PYTHONUNBUFFERED": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONPATH": str(ROOT),
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "MPLCONFIGDIR": "/tmp/matplotlib",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
}
INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value, env: Dict[str, str]):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error} and $$."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def replace(match):
        if match.group() == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        current = env.get(name)
        if op in (":-", ":?") and not current:
            current = None
        if current is not None:
            return current
        if op and op.endswith("?"):
            raise SystemExit(f"compose would stop: {arg}")
        return arg if op else ""

    return INTERPOLATION.sub(replace, value)


class Smoke:
    def __init__(self, nginx: str):
        self.nginx = nginx
        self.work = Path(tempfile.mkdtemp(prefix="vigie-smoke-"))
        self.work.chmod(0o755)
        self.processes: Dict[str, subprocess.Popen] = {}
        self.checks: List[dict] = []
        self.env = {
            "VIGIE_PUBLIC_ORIGIN": "https://vigie.test",
            "VIGIE_POSTGRES_PASSWORD": secrets.token_urlsafe(32),
            "VIGIE_DB_PASSWORD": secrets.token_urlsafe(32),
            "VIGIE_TRACKER_DB_PASSWORD": secrets.token_urlsafe(32),
            "VIGIE_REDIS_PASSWORD": secrets.token_urlsafe(32),
            "VIGIE_ACTION_TOKEN": secrets.token_urlsafe(32),
            "VIGIE_RASA_TOKEN": secrets.token_urlsafe(32),
            "VIGIE_API_TOKEN": secrets.token_urlsafe(32),
            "VIGIE_REST_TOKEN": secrets.token_urlsafe(32),
            "VIGIE_WEB_SECRET": secrets.token_urlsafe(32),
            "VIGIE_RECEIPT_SECRET": secrets.token_urlsafe(32),
            "VIGIE_AUTHORITY_URL": "http://authority:8090/declarations",
            "VIGIE_AUTHORITY_TOKEN": secrets.token_urlsafe(32),
            "VIGIE_TLS_CERTIFICATE": str(self.work / "tls.crt"),
            "VIGIE_TLS_PRIVATE_KEY": str(self.work / "tls.key"),
        }
        raw = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
        self.compose = interpolate(raw, self.env)

    # --- plumbing ---------------------------------------------------------

    def check(self, name: str, ok: bool, detail="") -> bool:
        self.checks.append({"check": name, "ok": bool(ok), "detail": detail})
        print(f"[{'ok' if ok else 'ÉCHEC'}] {name} {detail}", flush=True)
        return ok

    def start(self, name: str, argv: List[str], env: Dict[str, str], cwd: Path, as_nobody=False):
        log = open(self.work / f"{name}.log", "ab")
        full_env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", **env}
        self.processes[name] = subprocess.Popen(
            (NOBODY if as_nobody else []) + argv, env=full_env, cwd=cwd, stdout=log, stderr=log
        )
        return self.processes[name]

    def service_env(self, name: str) -> Dict[str, str]:
        env = self.compose["services"][name].get("environment") or {}
        return {k: str(v) for k, v in env.items()}

    def healthcheck(self, name: str, env: Dict[str, str], timeout: float) -> bool:
        test = self.compose["services"][name]["healthcheck"]["test"]
        argv = ["sh", "-c", test[1]] if test[0] == "CMD-SHELL" else test[1:]
        full_env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", **env}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes.get(name)
            if process is not None and process.poll() is not None:
                return self.check(f"{name}: healthcheck", False, f"process exited {process.returncode}")
            if subprocess.run(argv, env=full_env, cwd=ROOT, capture_output=True, timeout=30).returncode == 0:
                return self.check(f"{name}: healthcheck", True, " ".join(test[1:])[:90])
            time.sleep(2)
        return self.check(f"{name}: healthcheck", False, f"not healthy after {timeout:.0f} s")

    def http(self, method: str, url: str, body: Optional[bytes] = None, headers=None, timeout=90):
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        context = ssl.create_default_context(cafile=str(self.work / "tls.crt"))
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=context) as reply:
                return reply.status, dict(reply.headers), reply.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def curl(self, url: str, *options: str) -> str:
        """The status code (or what -w asks for), trusting the smoke certificate."""
        write_out = [] if "-w" in options else ["-w", "%{http_code}"]
        result = subprocess.run(
            ["curl", "-s", "--cacert", str(self.work / "tls.crt"), "-o", "/dev/null", *write_out, *options, url],
            capture_output=True,
            text=True,
            timeout=120,
        )
        return result.stdout.strip()

    # --- steps --------------------------------------------------------------

    def isolate(self) -> None:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=vigie.test",
                "-addext",
                "subjectAltName=DNS:vigie.test",
                "-keyout",
                str(self.work / "tls.key"),
                "-out",
                str(self.work / "tls.crt"),
            ],
            check=True,
            capture_output=True,
        )
        for path in [str(ROOT)] + READ_ONLY:
            if Path(path).is_dir():
                subprocess.run(["mount", "--bind", path, path], check=True)
                subprocess.run(["mount", "-o", "remount,bind,ro", path], check=True)
        # After the read-only remounts, which would hide it.
        hosts = self.work / "hosts"
        hosts.write_text("127.0.0.1 localhost postgres redis actions rasa web authority vigie.test\n")
        subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)
        probe = subprocess.run(["touch", str(ROOT / ".smoke-write-probe")], capture_output=True)
        self.check("repository read-only in the namespace", probe.returncode != 0)

    def postgres(self) -> None:
        bin_dir = sorted(PG_BIN.glob("*/bin"))[-1]
        data, sock = self.work / "pg", self.work / "pgsock"
        data.mkdir(mode=0o700)
        sock.mkdir()
        env = self.service_env("postgres")
        (self.work / "pgpass").write_text(env["POSTGRES_PASSWORD"] + "\n")
        for path in (data, sock, self.work / "pgpass"):
            shutil.chown(path, 65534, 65534)
        subprocess.run(
            NOBODY
            + [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                env["POSTGRES_USER"],
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                f"--pwfile={self.work / 'pgpass'}",
            ],
            check=True,
            capture_output=True,
            cwd=self.work,
        )
        self.start(
            "postgres",
            [
                str(bin_dir / "postgres"),
                "-D",
                str(data),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={sock}",
                "-p",
                "5432",
            ],
            {},
            self.work,
            as_nobody=True,
        )
        deadline = time.monotonic() + 30
        while subprocess.run([str(bin_dir / "pg_isready"), "-h", str(sock)], capture_output=True).returncode:
            if time.monotonic() > deadline:
                raise SystemExit("PostgreSQL did not start")
            time.sleep(0.5)
        # As the image's entrypoint does: the init scripts, over the socket.
        init = subprocess.run(
            NOBODY + ["sh", str(DEPLOY / "postgres" / "10-vigie-databases.sh")],
            env={**env, "PATH": f"{bin_dir}:/usr/bin:/bin", "PGHOST": str(sock)},
            capture_output=True,
            text=True,
            cwd=self.work,
        )
        self.check(
            "postgres: init script", init.returncode == 0, (init.stdout + init.stderr).strip().replace("\n", " ")
        )
        self.healthcheck("postgres", {**env, "PATH": f"{bin_dir}:/usr/bin:/bin"}, 30)

    def redis(self) -> None:
        command = self.compose["services"]["redis"]["command"]
        env = self.service_env("redis")
        self.start("redis", command, env, self.work, as_nobody=True)
        self.healthcheck("redis", env, 30)
        wrong = subprocess.run(["redis-cli", "-h", "redis", "ping"], capture_output=True, text=True)
        self.check(
            "redis: refuses a client without the password",
            "NOAUTH" in wrong.stdout + wrong.stderr,
            wrong.stdout.strip(),
        )

    def app(self, name: str, timeout: float = 300) -> bool:
        service = self.compose["services"][name]
        env = {**IMAGE_ENV, **self.service_env(name)}
        self.start(name, service["command"], env, ROOT)
        if name == "migrate":
            code = self.processes[name].wait(timeout=timeout)
            return self.check("migrate: exits 0", code == 0, f"exit {code}")
        return self.healthcheck(name, env, timeout)

    def proxy(self) -> None:
        conf = (DEPLOY / "nginx.conf").read_text()
        conf = conf.replace("user nginx;", "user nobody nogroup;")
        conf = conf.replace("pid /var/run/nginx.pid;", f"pid {self.work}/nginx.pid;")
        conf = conf.replace("/etc/nginx/tls/tls.crt", str(self.work / "tls.crt"))
        conf = conf.replace("/etc/nginx/tls/tls.key", str(self.work / "tls.key"))
        temp = "".join(
            f"    {kind}_temp_path {self.work}/nginx-{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        conf = conf.replace("http {\n", "http {\n" + temp, 1)
        path = self.work / "nginx.conf"
        path.write_text(conf)
        test = subprocess.run([self.nginx, "-t", "-c", str(path), "-p", str(self.work)], capture_output=True, text=True)
        self.check("nginx -t", test.returncode == 0, test.stderr.strip().splitlines()[-1] if test.stderr else "")
        self.start("proxy", [self.nginx, "-c", str(path), "-p", str(self.work), "-g", "daemon off;"], {}, self.work)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            status = subprocess.run(
                self.compose["services"]["proxy"]["healthcheck"]["test"][1:], capture_output=True
            ).returncode
            if status == 0:
                break
            time.sleep(0.5)
        self.check("proxy: healthcheck (wget /nginx-health)", status == 0)

    def through_proxy(self) -> None:
        base = "https://vigie.test"
        status, headers, _ = self.http("GET", base + "/healthz")
        self.check("GET /healthz through the proxy (web)", status == 200, status)
        for header in ("Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy"):
            self.check(f"header {header}", header in headers, headers.get(header, ""))
        redirect = self.curl("http://vigie.test/api/declarations", "-w", "%{http_code} %{redirect_url}")
        self.check("http:// redirects to https://", redirect.startswith("301 https://vigie.test/"), redirect)
        token = {"Authorization": f"Bearer {self.env['VIGIE_RASA_TOKEN']}"}
        for path in ("/conversations/x/tracker", "/model", "/status", "/version", "/domain"):
            status, _, _ = self.http("GET", base + path, headers=token)
            self.check(f"GET {path} denied, even with the token", status == 403, status)
        raw = self.curl(
            base + "/webhooks/../conversations/x/tracker",
            "--path-as-is",
            "-H",
            f"Authorization: {token['Authorization']}",
        )
        self.check("/webhooks/../conversations denied (path normalised)", raw == "403", raw)
        (self.work / "big.json").write_bytes(b'{"sender": "big", "message": "' + b"x" * (70 * 1024) + b'"}')
        rest_token = f"Authorization: Bearer {self.env['VIGIE_REST_TOKEN']}"
        big = self.curl(
            base + "/webhooks/rest/webhook",
            "-H",
            rest_token,
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            f"@{self.work / 'big.json'}",
        )
        self.check("70 KiB webhook body refused (64k limit)", big == "413", big)
        small = self.curl(
            base + "/webhooks/rest/webhook",
            "-H",
            rest_token,
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            '{"sender": "smoke-small", "message": "bonjour"}',
        )
        self.check("small webhook body reaches Rasa", small == "200", small)
        status, _, _ = self.http("GET", base + "/api/declarations")
        self.check("API without token refused", status == 401, status)
        status, _, _ = self.http(
            "GET", base + "/api/declarations", headers={"Authorization": f"Bearer {self.env['VIGIE_API_TOKEN']}"}
        )
        self.check("API with VIGIE_API_TOKEN", status == 200, status)
        codes = [self.curl(base + "/webhooks/rest/", "-H", rest_token) for _ in range(40)]
        self.check(
            "rate limit on /webhooks/ (5/s, bursts of 20): 429 past the burst",
            codes.count("429") > 0 and codes[:20].count("200") == 20,
            f"{codes.count('200')} x 200, {codes.count('429')} x 429",
        )
        time.sleep(5)  # the bucket refills before the conversation below
        anonymous = self.curl(
            base + "/webhooks/rest/webhook",
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            '{"sender": "moi", "message": "oui"}',
        )
        self.check("REST webhook without VIGIE_REST_TOKEN refused", anonymous == "401", anonymous)
        status, _, _ = self.http("GET", base + "/socket.io/?EIO=4&transport=polling")
        self.check("/socket.io/ routed to Rasa (404: no socketio channel in credentials.yml)", status == 404, status)

    def declaration(self) -> None:
        sys.path.insert(0, str(ROOT))
        from tests.support.declarant import RICH_OPENING, converse

        sender = f"smoke-{uuid.uuid4().hex[:8]}"
        rasa_api = urllib.request.Request(
            f"http://rasa:5005/conversations/{sender}/tracker",
            headers={"Authorization": f"Bearer {self.env['VIGIE_RASA_TOKEN']}"},
        )

        def say(text):
            status, _, body = self.http(
                "POST",
                "https://vigie.test/webhooks/rest/webhook",
                json.dumps({"sender": sender, "message": text}).encode(),
                {"Content-Type": "application/json", "Authorization": f"Bearer {self.env['VIGIE_REST_TOKEN']}"},
            )
            assert status == 200, (status, body[:200])
            return json.loads(body)

        def requested_slot():
            with urllib.request.urlopen(rasa_api, timeout=30) as reply:
                return json.loads(reply.read())["slots"].get("requested_slot")

        reference, questions = converse(say, requested_slot, RICH_OPENING, {})
        self.check("a whole declaration through the proxy", bool(reference), f"{reference}, {len(questions)} questions")
        status, _, body = self.http(
            "GET",
            f"https://vigie.test/api/declarations/{reference}",
            headers={"Authorization": f"Bearer {self.env['VIGIE_API_TOKEN']}"},
        )
        self.check("declaration readable through /api/", status == 200, status)
        deadline, delivered = time.monotonic() + 60, False
        while time.monotonic() < deadline and not delivered:
            with urllib.request.urlopen("http://authority:8090/_control/received", timeout=10) as reply:
                delivered = any(d.get("reference") == reference for d in json.loads(reply.read())["deliveries"])
            time.sleep(1)
        self.check("declaration forwarded to the authority by the forwarder", delivered)
        bin_dir = sorted(PG_BIN.glob("*/bin"))[-1]
        events = subprocess.run(
            [
                str(bin_dir / "psql"),
                "-h",
                str(self.work / "pgsock"),
                "-U",
                "postgres",
                "-d",
                self.env.get("VIGIE_TRACKER_DB_NAME", "vigie_conversations"),
                "-Atc",
                f"SELECT count(*) FROM events WHERE sender_id = '{sender}'",
            ],
            capture_output=True,
            text=True,
        )
        self.check(
            "conversation kept in PostgreSQL (tracker store)",
            events.stdout.strip() not in ("", "0"),
            f"{events.stdout.strip()} events {events.stderr.strip()}",
        )

    def memory(self) -> dict:
        peaks = {}
        for name in ("actions", "rasa", "web", "forwarder"):
            process = self.processes.get(name)
            if process and process.poll() is None:
                status = Path(f"/proc/{process.pid}/status").read_text()
                peaks[name] = {
                    k: v.strip()
                    for k, v in (line.split(":", 1) for line in status.splitlines())
                    if k in ("VmHWM", "VmRSS")
                }
        tmp_usage = subprocess.run(["du", "-sh", "/tmp"], capture_output=True, text=True).stdout.split()[0:1]
        return {"processes": peaks, "tmp": tmp_usage}

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def run(self) -> int:
        try:
            self.isolate()
            self.postgres()
            self.redis()
            self.start(
                "authority",
                [sys.executable, "-m", "bot.fake_authority", "--host", "0.0.0.0", "--port", "8090"],
                {**IMAGE_ENV, "VIGIE_AUTHORITY_TOKEN": self.env["VIGIE_AUTHORITY_TOKEN"]},
                ROOT,
            )
            if self.app("migrate") and self.app("actions"):
                for name in ("rasa", "web", "forwarder"):
                    self.app(name)
                self.proxy()
                self.through_proxy()
                self.declaration()
            report = {"checks": self.checks, "memory": self.memory(), "logs": str(self.work)}
        except BaseException as error:  # noqa: BLE001 - pytest.fail included; reported, then stopped
            self.check("smoke run", False, f"{type(error).__name__}: {error}")
            report = {"checks": self.checks, "logs": str(self.work)}
        finally:
            self.stop()
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0 if all(c["ok"] for c in self.checks) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nginx", default=shutil.which("nginx") or "nginx")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.inside:
        if os.geteuid() != 0:
            raise SystemExit("root is needed (unshare, mount).")
        return subprocess.call(
            [
                "unshare",
                "--mount",
                "--net",
                "--propagation",
                "private",
                sys.executable,
                __file__,
                "--inside",
                "--nginx",
                args.nginx,
            ]
        )
    for name in [k for k in os.environ if k.lower() in ("http_proxy", "https_proxy", "all_proxy")]:
        del os.environ[name]
    return Smoke(args.nginx).run()


if __name__ == "__main__":
    sys.exit(main())
