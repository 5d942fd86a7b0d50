"""Vigie's settings: the one module that reads the environment.

Every variable the README lists is read here, with its default, into a typed,
frozen ``Settings``. Processes call ``Settings.from_env()`` (tests pass a dict).
It imports nothing from the project, so every layer may use it.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Tuple, Union

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "var" / "vigie.db"
DEFAULT_DEMO_SQLITE_PATH = ROOT / "var" / "vigie-demo.db"
# The FINESS register's files, beside the repository (never copied into it).
DEFAULT_FINESS_DIR = ROOT.parent / "shared" / "data" / "finess"
# Files added to declarations: outside the web root, never served by a static route.
DEFAULT_ATTACHMENTS_DIR = ROOT / "var" / "attachments"
# What a process may keep from one start to the next (bot/nlu/compiled_patterns.py).
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "vigie"

# Variable -> default, as `make run` (bot/cli.py) passes them to every process.
DEFAULTS = {
    "VIGIE_HOST": "127.0.0.1",
    "VIGIE_ACTION_PORT": "5055",
    "VIGIE_RASA_PORT": "5005",
    "VIGIE_WEB_PORT": "8080",
    "VIGIE_AUTHORITY_PORT": "8090",
    "VIGIE_PROFILE": "development",
    "VIGIE_LOCK_LIFETIME": "60",
    "VIGIE_MODEL": str(ROOT / "models" / "vigie.tar.gz"),
    "DATABASE_URL": f"sqlite:///{DEFAULT_SQLITE_PATH}",
    "RASA_TELEMETRY_ENABLED": "false",
}
# Secrets `make run` generates into .env when they are missing.
SECRETS = (
    "VIGIE_ACTION_TOKEN",
    "VIGIE_RASA_TOKEN",
    "VIGIE_API_TOKEN",
    "VIGIE_WEB_SECRET",
    "VIGIE_RECEIPT_SECRET",
    "VIGIE_REST_TOKEN",
)
# Optional variables `make run` passes through when set.
PASSED_THROUGH = (
    "VIGIE_AUTHORITY_URL",
    "VIGIE_AUTHORITY_TOKEN",
    "VIGIE_OUTBOX_MAX_ATTEMPTS",
    "VIGIE_OUTBOX_BASE_DELAY",
    "VIGIE_OUTBOX_MAX_DELAY",
    "VIGIE_OUTBOX_TIMEOUT",
    "VIGIE_CHAT_URL",
    "VIGIE_ALLOWED_ORIGINS",
    "VIGIE_PUBLIC_ORIGIN",
    "VIGIE_DEMO_DATABASE_URL",
    "VIGIE_FINESS_DIR",
    "VIGIE_ATTACHMENTS_DIR",
    "VIGIE_CACHE_DIR",
    "VIGIE_API_RATE",
    "VIGIE_API_BURST",
    "VIGIE_WEB_SOCKETS_PER_ADDRESS",
    "VIGIE_TRUSTED_PROXIES",
    "VIGIE_RETENTION_DAYS",
    "VIGIE_SESSION_EVENTS",
    "VIGIE_MEMORY_CONVERSATIONS",
    "VIGIE_MEMORY_IDLE_HOURS",
    "VIGIE_OPERATOR",
    "VIGIE_OPERATOR_ADDRESS",
    "VIGIE_OPERATOR_CONTACT",
    "VIGIE_PUBLICATION_DIRECTOR",
    "VIGIE_DPO_CONTACT",
    "VIGIE_HOSTING",
)
DEFAULT_ALLOWED_ORIGINS = "http://127.0.0.1:8080,http://localhost:8080"


class SettingsError(ValueError):
    """A variable that cannot be read; the message is French, for the operator."""


@dataclass(frozen=True)
class Settings:
    # Declarations database (and the synthetic one of the observatory).
    database_url: str = DEFAULTS["DATABASE_URL"]
    demo_database_url: str = f"sqlite:///{DEFAULT_DEMO_SQLITE_PATH}"
    finess_dir: Path = DEFAULT_FINESS_DIR
    attachments_dir: Path = DEFAULT_ATTACHMENTS_DIR
    cache_dir: Path = DEFAULT_CACHE_DIR
    # Processes and their tokens.
    host: str = "127.0.0.1"
    action_host: str = "127.0.0.1"
    action_port: int = 5055
    action_token: str = ""
    action_timeout: float = 20.0
    lock_lifetime: float = 60.0
    rasa_token: str = ""
    api_token: str = ""
    # The declarations API: requests a second per client address, and the burst allowed.
    api_rate: float = 20.0
    api_burst: int = 200
    # The REST channel (tests and server-side integrations): off without a token.
    rest_token: str = ""
    # The web page and its socket.io channel.
    chat_url: str = ""
    public_origin: str = ""
    allowed_origins: Tuple[str, ...] = tuple(DEFAULT_ALLOWED_ORIGINS.split(","))
    web_secret: str = ""
    web_sockets_per_address: int = 50
    receipt_secret: str = ""
    # Reverse proxies whose X-Forwarded-For gives the client's address (admin throttling, audit).
    trusted_proxies: Tuple[Network, ...] = ()
    # Conversations (Rasa's SQL tracker store, production profile) and how long they are kept.
    tracker_database_url: str = ""
    retention_days: int = 30
    retention_every: float = 86400.0
    # Events of a session after which the next message opens a new one carrying the state over
    # (bot/long_conversations.py): the history replayed per turn stays bounded.
    session_events: int = 300
    # The development profile's in-memory conversations (bot/stores.py): how many at most, and
    # after how long without a message one is forgotten.
    memory_conversations: int = 2000
    memory_idle_hours: float = 24.0
    # Who runs this instance: the legal notice, privacy notice and accessibility statement name them.
    operator: str = ""
    operator_address: str = ""
    operator_contact: str = ""
    publication_director: str = ""
    dpo_contact: str = ""
    hosting: str = ""
    # Forwarding to the authority.
    authority_url: str = ""
    authority_token: str = ""
    outbox_max_attempts: int = 8
    outbox_base_delay: float = 2.0
    outbox_max_delay: float = 600.0
    outbox_timeout: float = 15.0
    # Teams and Slack (empty: the channel answers 503).
    teams_app_id: str = ""
    teams_app_password: str = ""
    teams_tenants: Tuple[str, ...] = ()
    teams_openid_url: str = ""
    teams_token_url: str = ""
    teams_issuer: str = ""
    slack_token: str = ""
    slack_signing_secret: str = ""
    slack_api_url: str = ""
    # Fault injection (tests/e2e/test_faults.py only).
    fault: str = ""

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env

        def text(name: str, default: str = "") -> str:
            return (env.get(name) or "").strip() or default

        return cls(
            database_url=text("DATABASE_URL", cls.database_url),
            demo_database_url=text("VIGIE_DEMO_DATABASE_URL", cls.demo_database_url),
            finess_dir=Path(text("VIGIE_FINESS_DIR", str(cls.finess_dir))),
            attachments_dir=Path(text("VIGIE_ATTACHMENTS_DIR", str(cls.attachments_dir))),
            cache_dir=Path(text("VIGIE_CACHE_DIR", str(cls.cache_dir))),
            host=text("VIGIE_HOST", cls.host),
            action_host=text("VIGIE_ACTION_HOST", cls.action_host),
            action_port=_number(env, "VIGIE_ACTION_PORT", cls.action_port, int),
            action_token=text("VIGIE_ACTION_TOKEN"),
            action_timeout=_number(env, "VIGIE_ACTION_TIMEOUT", cls.action_timeout, float),
            lock_lifetime=_number(env, "TICKET_LOCK_LIFETIME", cls.lock_lifetime, float),
            rasa_token=text("VIGIE_RASA_TOKEN"),
            api_token=text("VIGIE_API_TOKEN"),
            rest_token=text("VIGIE_REST_TOKEN"),
            api_rate=_number(env, "VIGIE_API_RATE", cls.api_rate, float),
            api_burst=_number(env, "VIGIE_API_BURST", cls.api_burst, int),
            chat_url=text("VIGIE_CHAT_URL"),
            public_origin=text("VIGIE_PUBLIC_ORIGIN"),
            allowed_origins=_origins(text("VIGIE_ALLOWED_ORIGINS", DEFAULT_ALLOWED_ORIGINS)),
            web_secret=text("VIGIE_WEB_SECRET"),
            web_sockets_per_address=_number(env, "VIGIE_WEB_SOCKETS_PER_ADDRESS", cls.web_sockets_per_address, int),
            receipt_secret=text("VIGIE_RECEIPT_SECRET"),
            trusted_proxies=_networks("VIGIE_TRUSTED_PROXIES", text("VIGIE_TRUSTED_PROXIES")),
            tracker_database_url=_tracker_url(env),
            retention_days=_number(env, "VIGIE_RETENTION_DAYS", cls.retention_days, int),
            retention_every=_number(env, "VIGIE_RETENTION_EVERY", cls.retention_every, float),
            session_events=_number(env, "VIGIE_SESSION_EVENTS", cls.session_events, int),
            memory_conversations=_number(env, "VIGIE_MEMORY_CONVERSATIONS", cls.memory_conversations, int),
            memory_idle_hours=_number(env, "VIGIE_MEMORY_IDLE_HOURS", cls.memory_idle_hours, float),
            operator=text("VIGIE_OPERATOR"),
            operator_address=text("VIGIE_OPERATOR_ADDRESS"),
            operator_contact=text("VIGIE_OPERATOR_CONTACT"),
            publication_director=text("VIGIE_PUBLICATION_DIRECTOR"),
            dpo_contact=text("VIGIE_DPO_CONTACT"),
            hosting=text("VIGIE_HOSTING"),
            authority_url=text("VIGIE_AUTHORITY_URL"),
            authority_token=env.get("VIGIE_AUTHORITY_TOKEN") or "",
            outbox_max_attempts=_number(env, "VIGIE_OUTBOX_MAX_ATTEMPTS", cls.outbox_max_attempts, int),
            outbox_base_delay=_number(env, "VIGIE_OUTBOX_BASE_DELAY", cls.outbox_base_delay, float),
            outbox_max_delay=_number(env, "VIGIE_OUTBOX_MAX_DELAY", cls.outbox_max_delay, float),
            outbox_timeout=_number(env, "VIGIE_OUTBOX_TIMEOUT", cls.outbox_timeout, float),
            teams_app_id=text("VIGIE_TEAMS_APP_ID"),
            # A client secret is used as given: spaces may be part of it.
            teams_app_password=env.get("VIGIE_TEAMS_APP_PASSWORD") or "",
            teams_tenants=tuple(t.strip().lower() for t in text("VIGIE_TEAMS_TENANT_ID").split(",") if t.strip()),
            teams_openid_url=text("VIGIE_TEAMS_OPENID_URL"),
            teams_token_url=text("VIGIE_TEAMS_TOKEN_URL"),
            teams_issuer=text("VIGIE_TEAMS_ISSUER"),
            slack_token=text("VIGIE_SLACK_TOKEN"),
            slack_signing_secret=text("VIGIE_SLACK_SIGNING_SECRET"),
            slack_api_url=text("VIGIE_SLACK_API_URL"),
            fault=text("VIGIE_FAULT"),
        )


def _number(env: Mapping[str, str], name: str, default, kind):
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise SettingsError(f"{name} : nombre attendu, « {raw} » reçu.") from None


def _tracker_url(env: Mapping[str, str]) -> str:
    """Rasa's SQL tracker store, from the variables endpoints.production.yml gives Rasa."""
    host = (env.get("VIGIE_TRACKER_DB_HOST") or "").strip()
    if not host:
        return ""
    from sqlalchemy.engine import URL

    return URL.create(
        "postgresql+psycopg2",
        username=env.get("VIGIE_TRACKER_DB_USER") or None,
        password=env.get("VIGIE_TRACKER_DB_PASSWORD") or None,
        host=host,
        port=_number(env, "VIGIE_TRACKER_DB_PORT", 5432, int),
        database=env.get("VIGIE_TRACKER_DB_NAME") or None,
    ).render_as_string(hide_password=False)


def _networks(name: str, raw: str) -> Tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip())
    except ValueError:
        raise SettingsError(
            f"{name} : adresses IP ou réseaux (10.0.0.0/8) séparés par des virgules, « {raw} » reçu."
        ) from None


def _origins(raw: str) -> Tuple[str, ...]:
    return tuple(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())
