"""deploy/: the production files (Dockerfile, compose, nginx, Kubernetes) say
the same thing, keep secrets out, and keep Rasa's HTTP API private."""

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"

APP_PROCESSES = {"actions", "rasa", "web", "forwarder"}
K8S_REPLICAS = {"rasa": 2, "actions": 2, "web": 2, "forwarder": 1}
COMPOSE_REPLICAS = {"rasa": 2, "actions": 2}
# What Rasa's production endpoints need (endpoints.production.yml), plus what
# bot.rasa_server and Rasa read from the environment.
RASA_ENV = {
    "VIGIE_ACTION_URL",
    "VIGIE_ACTION_TOKEN",
    "VIGIE_TRACKER_DB_HOST",
    "VIGIE_TRACKER_DB_PORT",
    "VIGIE_TRACKER_DB_NAME",
    "VIGIE_TRACKER_DB_USER",
    "VIGIE_TRACKER_DB_PASSWORD",
    "VIGIE_REDIS_HOST",
    "VIGIE_REDIS_PORT",
    "VIGIE_REDIS_DB",
    "VIGIE_REDIS_PASSWORD",
    "VIGIE_LOCK_LIFETIME",
    "TICKET_LOCK_LIFETIME",
    "RASA_TELEMETRY_ENABLED",
    "VIGIE_RASA_TOKEN",
    "VIGIE_WEB_SECRET",
    "VIGIE_ALLOWED_ORIGINS",
}
# Needed by each process (bot/action_server.py, bot/web/app.py, bot/forwarding).
PROCESS_ENV = {
    "actions": {"VIGIE_ACTION_TOKEN", "DATABASE_URL", "VIGIE_RECEIPT_SECRET", "VIGIE_PUBLIC_ORIGIN"},
    "web": {"VIGIE_API_TOKEN", "DATABASE_URL", "VIGIE_RECEIPT_SECRET", "VIGIE_PUBLIC_ORIGIN"},
    "forwarder": {"DATABASE_URL", "VIGIE_AUTHORITY_URL", "VIGIE_AUTHORITY_TOKEN", "VIGIE_OUTBOX_MAX_ATTEMPTS"},
}
SECRET_NAME = re.compile(r"TOKEN|PASSWORD|SECRET|DATABASE_URL")
PLACEHOLDER = "CHANGE_ME"
# Secrets that switch a feature on: empty (the feature off) unless the operator sets them.
OPTIONAL_SECRETS = {"VIGIE_REST_TOKEN"}
# Files of deploy/k8s deliberately left out of kustomization.yaml.
NOT_IN_KUSTOMIZATION = {"kustomization.yaml", "secret.template.yaml", "ingress-nginx-headers.example.yaml"}
RASA_API_PATHS = [
    "/conversations/abc/tracker",
    "/conversations",
    "/model",
    "/model/parse",
    "/status",
    "/domain",
    "/version",
]


def yaml_files() -> List[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.suffix in (".yml", ".yaml"))


def documents(path: Path) -> List[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def k8s_objects(include_optional: bool = True) -> List[dict]:
    paths = sorted(K8S.glob("*.yaml")) + (sorted(K8S.glob("optional/*.yaml")) if include_optional else [])
    return [d for p in paths for d in documents(p)]


def objects(kind: str, include_optional: bool = True) -> Dict[str, dict]:
    return {o["metadata"]["name"]: o for o in k8s_objects(include_optional) if o.get("kind") == kind}


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pod_spec(obj: dict) -> dict:
    spec = obj["spec"]["jobTemplate"]["spec"] if obj.get("kind") == "CronJob" else obj["spec"]
    return spec["template"]["spec"]


def containers(obj: dict, init: bool = True) -> List[dict]:
    spec = pod_spec(obj)
    return spec["containers"] + (spec.get("initContainers", []) if init else [])


def configmap_keys() -> Dict[str, str]:
    return {k: v for cm in objects("ConfigMap").values() for k, v in cm.get("data", {}).items()}


def container_env(container: dict) -> Dict[str, dict]:
    """Every variable a container gets: its env entries and its envFrom ConfigMaps."""
    env = {e["name"]: e for e in container.get("env", [])}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        assert ref, f"{container['name']}: only ConfigMaps go through envFrom (secrets one by one)"
        data = objects("ConfigMap")[ref["name"]]["data"]
        env.update({k: {"name": k, "value": v} for k, v in data.items() if k not in env})
    return env


def endpoints_variables() -> set:
    path = ROOT / "endpoints.production.yml"
    return set(re.findall(r"\$\{([A-Z0-9_]+)\}", path.read_text())) if path.exists() else set()


# --- every file ---------------------------------------------------------------


def test_every_yaml_file_under_deploy_parses():
    paths = yaml_files()
    assert COMPOSE_FILE in paths and len(paths) >= 10
    for path in paths:
        assert documents(path), f"{path} is empty"


def test_no_literal_secret_in_any_deploy_file():
    """Random-looking strings (a pasted token) are nowhere in deploy/."""
    token_like = re.compile(r"[A-Za-z0-9_\-]{32,}")
    for path in sorted(p for p in DEPLOY.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        for word in token_like.findall(path.read_text(errors="replace")):
            mixed = re.search(r"[a-z]", word) and re.search(r"[A-Z]", word) and re.search(r"[0-9]", word)
            assert not mixed, f"{path.relative_to(ROOT)}: {word[:6]}... looks like a secret"


def test_env_example_holds_only_placeholders_and_dotenv_is_ignored():
    lines = [line for line in (DEPLOY / "env.example").read_text().splitlines() if line and not line.startswith("#")]
    settings = dict(line.split("=", 1) for line in lines)
    for name, value in settings.items():
        if SECRET_NAME.search(name):
            assert value == ("" if name in OPTIONAL_SECRETS else PLACEHOLDER), name
    ignored = subprocess.run(["git", "check-ignore", "-q", "deploy/.env"], cwd=ROOT)
    assert ignored.returncode == 0, "deploy/.env must be ignored by git"


# --- Dockerfile -------------------------------------------------------------------


def test_dockerfile_builds_one_image_with_its_model_and_a_non_root_user():
    text = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.10-slim", text, re.M) or "FROM python:3.10-slim" in text
    assert "pip install -r /tmp/requirements.txt" in text and "COPY requirements.txt" in text
    assert "rasa train --fixed-model-name vigie --out models" in text
    assert "RASA_TELEMETRY_ENABLED=false" in text
    # the pattern training compiles is kept where the runtime stage finds it (copied with /app)
    assert "VIGIE_CACHE_DIR=/app/cache" in text and "COPY --from=build /app /app" in text
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1].split(":")[0] == "10001", "numeric non-root user, last USER of the file"
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert {".env", ".venv", "models", ".git"} <= set(ignore)
    # The user Kubernetes and compose run as is the image's.
    for obj in list(objects("Deployment").values()) + list(objects("Job").values()):
        assert pod_spec(obj)["securityContext"]["runAsUser"] == 10001
    for name in APP_PROCESSES | {"migrate"}:
        assert compose()["services"][name]["user"] == "10001:10001"


# --- Kubernetes -------------------------------------------------------------------


def test_every_deployment_has_probes_resources_and_a_locked_down_security_context():
    deployments = objects("Deployment")
    assert set(deployments) == APP_PROCESSES
    for name, obj in deployments.items():
        assert obj["spec"]["replicas"] == K8S_REPLICAS[name], name
        pod = pod_spec(obj)
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod.get("automountServiceAccountToken") is False, name
        for container in containers(obj, init=False):
            assert container.get("readinessProbe") and container.get("livenessProbe"), name
        for container in containers(obj):
            where = f"{name}/{container['name']}"
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]) and {"cpu", "memory"} <= set(resources["limits"]), (
                where
            )
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
            assert "/tmp" in mounts or container["name"] == "wait-for-schema", f"{where}: writable /tmp"
    assert containers(deployments["rasa"])[0]["resources"]["limits"]["memory"] == "1.5Gi"


def test_other_workloads_are_locked_down_too():
    for kind in ("Job", "StatefulSet"):
        for name, obj in objects(kind).items():
            assert pod_spec(obj)["securityContext"]["runAsNonRoot"] is True, name
            for container in containers(obj):
                assert container["resources"]["limits"], name
                assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], name


def test_the_migration_job_runs_before_the_processes_that_use_the_database():
    job = objects("Job")["vigie-migrate"]
    assert containers(job)[0]["command"] == ["python", "-m", "bot.core.storage", "migrate"]
    for name in ("actions", "web", "forwarder"):
        init = pod_spec(objects("Deployment")[name])["initContainers"]
        assert init[0]["command"][:2] == ["python", "deploy/schema_check.py"], name
        assert (DEPLOY / "schema_check.py").exists()


def test_secrets_are_placeholders_and_reach_containers_only_through_secret_refs():
    secrets = objects("Secret")
    assert "vigie-secrets" in secrets
    for name, secret in secrets.items():
        assert not secret.get("data"), f"{name}: stringData only, with placeholders"
        for key, value in secret["stringData"].items():
            assert PLACEHOLDER in value, f"{name}.{key} must be a {PLACEHOLDER} placeholder"
            if value != PLACEHOLDER:  # DATABASE_URL: only its password is a placeholder
                assert re.fullmatch(r"postgresql\+psycopg2://\w+:CHANGE_ME@[\w.-]+:5432/\w+(\?.*)?", value), key
    for key in configmap_keys():
        assert not SECRET_NAME.search(key), f"ConfigMap holds a secret: {key}"
    for kind in ("Deployment", "Job", "StatefulSet"):
        for name, obj in objects(kind).items():
            for container in containers(obj):
                for entry in container.get("env", []):
                    if SECRET_NAME.search(entry["name"]):
                        assert "value" not in entry, f"{name}: {entry['name']} written in clear"
                        assert entry["valueFrom"]["secretKeyRef"], f"{name}: {entry['name']}"


def test_the_secret_template_has_every_key_the_containers_ask_for():
    keys = set(objects("Secret")["vigie-secrets"]["stringData"])
    for kind in ("Deployment", "Job"):
        for obj in objects(kind).values():
            for container in containers(obj):
                for entry in container.get("env", []):
                    ref = entry.get("valueFrom", {}).get("secretKeyRef")
                    if ref and ref["name"] == "vigie-secrets":
                        assert ref["key"] in keys, ref["key"]


def test_rasa_gets_every_variable_of_its_endpoints_in_kubernetes():
    rasa = containers(objects("Deployment")["rasa"], init=False)[0]
    env = container_env(rasa)
    assert RASA_ENV | endpoints_variables() <= set(env), sorted(RASA_ENV | endpoints_variables() - set(env))
    assert env["VIGIE_ACTION_URL"]["value"] == "http://actions:5055/webhook"
    assert env["TICKET_LOCK_LIFETIME"]["value"] == "$(VIGIE_LOCK_LIFETIME)"
    assert env["RASA_TELEMETRY_ENABLED"]["value"] == "false"
    for name, needed in PROCESS_ENV.items():
        container = containers(objects("Deployment")[name], init=False)[0]
        assert needed <= set(container_env(container)), (name, sorted(needed - set(container_env(container))))


def test_the_lock_outlives_the_slowest_action_call():
    """bot.rasa_server refuses to start unless the lock lasts 10 s longer than an action call."""
    data = configmap_keys()
    assert int(data["VIGIE_LOCK_LIFETIME"]) >= int(data["VIGIE_ACTION_TIMEOUT"]) + 10
    env = compose()["services"]["rasa"]["environment"]
    default = lambda value: int(re.search(r":-(\d+)\}", value).group(1))  # noqa: E731
    assert default(env["VIGIE_LOCK_LIFETIME"]) >= default(env["VIGIE_ACTION_TIMEOUT"]) + 10
    assert env["TICKET_LOCK_LIFETIME"] == env["VIGIE_LOCK_LIFETIME"]


def test_services_pdb_and_ingress_expose_only_the_chat_channels_of_rasa():
    services = objects("Service", include_optional=False)
    assert {"rasa", "actions", "web", "postgres", "redis"} <= set(services)
    assert services["postgres"]["spec"]["type"] == "ExternalName"
    assert services["rasa"]["spec"]["ports"][0]["port"] == 5005
    pdb = objects("PodDisruptionBudget")["rasa"]
    assert pdb["spec"]["minAvailable"] == 1
    routes: List[Tuple[str, str, dict]] = []
    for ingress in objects("Ingress").values():
        assert ingress["spec"]["tls"], ingress["metadata"]["name"]
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                routes.append((path["path"], path["backend"]["service"]["name"], ingress))
    to_rasa = sorted(path for path, service, _ in routes if service == "rasa")
    assert to_rasa == ["/socket.io/", "/webhooks/"]
    for path, service, ingress in routes:
        if service == "rasa":
            assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == "64k"
    assert {("/api/", "web"), ("/", "web")} <= {(p, s) for p, s, _ in routes}


def test_kustomization_lists_every_manifest_but_the_templates():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    present = {p.name for p in K8S.glob("*.yaml")} - NOT_IN_KUSTOMIZATION
    assert listed == present
    assert (K8S / "optional" / "postgres-statefulset.yaml").exists()


def test_kubectl_kustomize_renders_the_manifests():
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.skip("kubectl missing: kustomize rendering not checked")
    rendered = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=120)
    assert rendered.returncode == 0, rendered.stderr
    kinds = [(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(rendered.stdout)]
    assert {("Deployment", name) for name in APP_PROCESSES} <= set(kinds)
    assert ("Job", "vigie-migrate") in kinds and ("Secret", "vigie-secrets") not in kinds
    for document in yaml.safe_load_all(rendered.stdout):
        if document["kind"] != "Namespace":
            assert document["metadata"]["namespace"] == "vigie"


def test_self_hosted_postgres_runs_the_compose_init_script():
    init = objects("ConfigMap")["vigie-postgres-init"]["data"]["10-vigie-databases.sh"]
    assert init == (DEPLOY / "postgres" / "10-vigie-databases.sh").read_text()


# --- compose ----------------------------------------------------------------------


def test_compose_has_every_process_with_healthchecks_and_ordered_start():
    services = compose()["services"]
    assert set(services) == APP_PROCESSES | {"migrate", "retention", "postgres", "redis", "proxy"}
    health = {
        name: " ".join(services[name]["healthcheck"]["test"]) for name in services if "healthcheck" in services[name]
    }
    assert "127.0.0.1:5055/health'" in health["actions"]
    assert "127.0.0.1:5005/'" in health["rasa"]
    assert "127.0.0.1:8080/healthz'" in health["web"]
    assert {"postgres", "redis", "forwarder", "proxy"} <= set(health)
    conditions = {
        name: {dep: spec["condition"] for dep, spec in services[name].get("depends_on", {}).items()}
        for name in services
    }
    for name in ("actions", "web", "forwarder"):
        assert conditions[name]["migrate"] == "service_completed_successfully", name
    assert conditions["migrate"]["postgres"] == "service_healthy"
    assert conditions["rasa"] == {
        "postgres": "service_healthy",
        "redis": "service_healthy",
        "actions": "service_healthy",
    }
    assert conditions["proxy"] == {"rasa": "service_healthy", "web": "service_healthy"}
    for name, count in COMPOSE_REPLICAS.items():
        assert services[name]["deploy"]["replicas"] == count, name
    assert services["migrate"]["restart"] == "no" and "build" in services["migrate"]
    for name in APP_PROCESSES | {"migrate", "retention"}:
        assert services[name]["image"] == services["migrate"]["image"], "one image for every process"
        assert services[name]["read_only"] is True and services[name]["cap_drop"] == ["ALL"], name


def test_compose_takes_every_secret_from_the_environment_with_a_required_marker():
    required = re.compile(r"\$\{[A-Z0-9_]+:\?[^}]+\}")
    text = COMPOSE_FILE.read_text()
    for name, service in compose()["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if key in OPTIONAL_SECRETS:
                assert value == f"${{{key}:-}}", f"{name}.{key}: empty (off) unless set"
            elif SECRET_NAME.search(key):
                if key == "DATABASE_URL":
                    parts = re.fullmatch(r"postgresql\+psycopg2://(\$\{[^}]+\}|\w+):(.+)@postgres:5432/.+", value)
                    password = parts.group(2)
                    assert required.fullmatch(password), f"{name}.{key}"
                else:
                    assert required.fullmatch(str(value)), f"{name}.{key} = {value!r}"
    for secret in compose()["secrets"].values():
        assert required.fullmatch(secret["file"])
    assert "POSTGRES_PASSWORD: ${VIGIE_POSTGRES_PASSWORD:?" in text


def test_rasa_gets_every_variable_of_its_endpoints_in_compose():
    env = compose()["services"]["rasa"]["environment"]
    needed = RASA_ENV | endpoints_variables()
    assert needed <= set(env), sorted(needed - set(env))
    assert env["VIGIE_ACTION_URL"] == "http://actions:5055/webhook"
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    for name, needed in PROCESS_ENV.items():
        assert needed <= set(compose()["services"][name]["environment"]), name


def test_compose_services_and_kubernetes_deployments_run_the_same_commands():
    def normalised(argv: List[str]) -> List[str]:
        # ${VAR:?message} (compose) and $(VAR) (Kubernetes) both mean "the variable VAR".
        return [
            re.sub(r"\$\{([A-Z0-9_]+)[^}]*\}|\$\(([A-Z0-9_]+)\)", lambda m: f"<{m.group(1) or m.group(2)}>", a)
            for a in argv
        ]

    services = compose()["services"]
    deployments = objects("Deployment")
    assert {n for n in services if services[n].get("image") == services["migrate"]["image"]} - {
        "migrate",
        "retention",
    } == set(deployments)
    for name, deployment in deployments.items():
        container = containers(deployment, init=False)[0]
        k8s_argv = container["command"] + container.get("args", [])
        assert normalised(services[name]["command"]) == normalised(k8s_argv), name
    job = containers(objects("Job")["vigie-migrate"])[0]
    assert services["migrate"]["command"] == job["command"]
    # conversations past their retention: a loop beside compose's services, a nightly CronJob in Kubernetes
    assert services["retention"]["command"] == ["python", "-m", "bot.retention", "run"]
    assert containers(objects("CronJob")["vigie-retention"])[0]["command"] == ["python", "-m", "bot.retention", "purge"]
    rasa = services["rasa"]["command"]
    assert rasa[:4] == ["python", "-m", "bot.rasa_server", "run"]
    assert {"--enable-api", "endpoints.production.yml", "credentials.yml", "models/vigie.tar.gz"} <= set(rasa)
    assert not any("auth-token" in a for a in rasa), "the token stays out of the command line"
    assert rasa[rasa.index("--cors") + 1].startswith("${VIGIE_PUBLIC_ORIGIN:?")


def test_compose_interpolation_stops_when_a_secret_is_missing():
    smoke = load_module("smoke_without_docker", DEPLOY / "smoke_without_docker.py")
    raw = compose()
    text = COMPOSE_FILE.read_text()
    required = sorted(set(re.findall(r"\$\{([A-Z0-9_]+):\?", text)))
    env = {name: "x" for name in required}
    done = smoke.interpolate(raw, env)
    assert done["services"]["rasa"]["environment"]["VIGIE_TRACKER_DB_NAME"] == "vigie_conversations"
    assert done["services"]["redis"]["command"][2].startswith('exec redis-server --requirepass "$VIGIE_REDIS_PASSWORD"')
    for name in required:
        with pytest.raises(SystemExit, match="manque"):
            smoke.interpolate(raw, {k: v for k, v in env.items() if k != name})


def compose_command() -> Optional[List[str]]:
    docker = shutil.which("docker")
    if not docker:
        return None
    version = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=60)
    return [docker, "compose"] if version.returncode == 0 else []


def test_docker_compose_config_accepts_the_file(tmp_path):
    command = compose_command()
    if command is None:
        pytest.skip("docker client missing: `docker compose config` not run")
    if not command:
        pytest.skip("docker client present but its compose plugin is not installed: `docker compose config` not run")
    required = sorted(set(re.findall(r"\$\{([A-Z0-9_]+):\?", COMPOSE_FILE.read_text())))
    env_file = tmp_path / "env"
    for name in ("VIGIE_TLS_CERTIFICATE", "VIGIE_TLS_PRIVATE_KEY"):
        (tmp_path / name).write_text("placeholder\n")
    env_file.write_text(
        "".join(f"{n}={tmp_path / n if n.startswith('VIGIE_TLS') else 'placeholder'}\n" for n in required)
    )
    ok = subprocess.run(
        command + ["-f", str(COMPOSE_FILE), "--env-file", str(env_file), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    env_file.write_text("")
    missing = subprocess.run(
        command + ["-f", str(COMPOSE_FILE), "--env-file", str(env_file), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode != 0 and "manque" in missing.stderr


# --- nginx ------------------------------------------------------------------------


def nginx_blocks(text: str) -> list:
    """nginx.conf as a tree: [(directive words, children or None)]."""
    tokens = re.findall(r'"[^"]*"|\'[^\']*\'|[{};]|[^\s{};]+', re.sub(r"#[^\n]*", "", text))
    position = 0

    def block() -> list:
        nonlocal position
        items, words = [], []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == ";":
                items.append((words, None))
                words = []
            elif token == "{":
                items.append((words, block()))
                words = []
            elif token == "}":
                return items
            else:
                words.append(token.strip("\"'"))
        return items

    return block()


def http_block() -> list:
    return next(children for words, children in nginx_blocks((DEPLOY / "nginx.conf").read_text()) if words == ["http"])


def upstream(name: str) -> list:
    return next(children for words, children in http_block() if words == ["upstream", name])


def https_server() -> list:
    return next(
        children
        for words, children in http_block()
        if words == ["server"] and any(w[:2] == ["listen", "443"] for w, _ in children)
    )


def location_for(server: list, path: str) -> list:
    """nginx's choice: exact, then longest prefix unless a regex (in order) matches."""
    locations = [(words[1:], children) for words, children in server if words and words[0] == "location"]
    for args, children in locations:
        if args[0] == "=" and args[1] == path:
            return children
    prefixes = [
        (args[-1], children)
        for args, children in locations
        if args[0] not in ("=", "~", "~*") and path.startswith(args[-1])
    ]
    longest = max(prefixes, key=lambda p: len(p[0]), default=(None, None))
    for args, children in locations:
        if args[0] in ("~", "~*") and re.search(args[1], path, re.I if args[0] == "~*" else 0):
            return children
    return longest[1]


def directives(children: list, name: str) -> List[List[str]]:
    return [words[1:] for words, sub in children if sub is None and words and words[0] == name]


def test_nginx_denies_rasa_http_api_and_routes_the_rest():
    server = https_server()
    for path in RASA_API_PATHS:
        location = location_for(server, path)
        assert location is not None and ["all"] in directives(location, "deny"), path
        assert not directives(location, "proxy_pass"), path
    webhook = location_for(server, "/webhooks/rest/webhook")
    assert directives(webhook, "proxy_pass") == [["http://rasa/webhooks/"]]
    assert directives(webhook, "client_max_body_size") == [["64k"]]
    assert directives(location_for(server, "/socket.io/?EIO=4"), "proxy_pass") == [["http://rasa_socketio/socket.io/"]]
    assert ["ip_hash"] in [words for words, _ in upstream("rasa_socketio")], "socket.io sessions stay on one replica"
    assert directives(location_for(server, "/api/declarations"), "proxy_pass") == [["http://web/api/"]]
    assert directives(location_for(server, "/"), "proxy_pass") == [["http://web/"]]
    assert directives(location_for(server, "/healthz"), "proxy_pass") == [["http://web/"]]


def test_nginx_headers_tls_and_websocket_upgrade():
    server = https_server()
    headers = {words[0]: words[1:] for words in directives(server, "add_header")}
    assert "Strict-Transport-Security" in headers and headers["Strict-Transport-Security"][0].startswith("max-age=")
    assert headers["X-Content-Type-Options"][0] == "nosniff"
    assert "Referrer-Policy" in headers
    assert all(h[-1] == "always" for h in headers.values())
    assert directives(server, "ssl_certificate") == [["/etc/nginx/tls/tls.crt"]]
    assert directives(server, "ssl_certificate_key") == [["/etc/nginx/tls/tls.key"]]
    proxy_headers = {words[0]: words[1] for words in directives(server, "proxy_set_header")}
    assert proxy_headers["Upgrade"] == "$http_upgrade" and proxy_headers["Connection"] == "$connection_upgrade"
    # A location declaring its own add_header or proxy_set_header would silently drop the server's.
    for words, children in server:
        if words and words[0] == "location":
            assert not directives(children, "add_header") and not directives(children, "proxy_set_header"), words
    mounted = {s["target"] for s in compose()["services"]["proxy"]["secrets"]}
    assert mounted == {"/etc/nginx/tls/tls.crt", "/etc/nginx/tls/tls.key"}


# --- the schema check used by the init containers and the forwarder's probe -----


def test_schema_check_waits_for_the_migration(tmp_path, monkeypatch):
    schema_check = load_module("schema_check", DEPLOY / "schema_check.py")
    from bot.core.storage import DeclarationStore

    url = f"sqlite:///{tmp_path / 'vigie.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert schema_check.main(["--wait", "0"]) == 1
    store = DeclarationStore(url)
    store.migrate()
    store.dispose()
    assert schema_check.main([]) == 0
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://vigie:x@127.0.0.1:1/vigie")
    ok, message = schema_check.check("postgresql+psycopg2://vigie:x@127.0.0.1:1/vigie")
    assert not ok and "injoignable" in message and "x@" not in message
