"""Synthetic declarations for demonstrations, stored in the demonstration database.

    python -m bot.observatory.synthetic --year 2025 [--count N] [--seed S]

fills the demonstration database (``VIGIE_DEMO_DATABASE_URL``, else
``var/vigie-demo.db``) through ``DeclarationStore(url, synthetic=True)``:
rows marked synthetic, references DEMO-YYYY-NNNNNN, never forwarded. It
refuses (exit code 2) the real DATABASE_URL and a database that already holds
real declarations. The submission key is a hash of the content, so storing
the same items twice stores them once.

The declarations themselves come from ``generator.generate``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.core import storage
from bot.core.qualification import obligations, qualify
from bot.observatory import profile
from bot.observatory.generator import DEFAULT_SEED, Item, generate, pick_weighted
from bot.observatory.period import UTC

__all__ = ["DEFAULT_SEED", "generate", "store_synthetic", "submission_key", "main"]


# --- Storage ----------------------------------------------------------------------------


def submission_key(fields: Dict[str, Any], submitted_at: datetime) -> str:
    """Deterministic: a hash of the content."""
    content = json.dumps(
        {"fields": fields, "submitted_at": submitted_at.astimezone(UTC).isoformat()}, sort_keys=True, ensure_ascii=False
    )
    return "demo-" + hashlib.sha256(content.encode("utf-8")).hexdigest()[:40]


def channel_for(key: str) -> str:
    return pick_weighted(random.Random(key), profile.CHANNELS)


def store_synthetic(store: storage.DeclarationStore, items: Sequence[Item]) -> Dict[str, int]:
    """Submit every item as the chat does (same qualification and obligations);
    return how many were new and how many were already stored."""
    if not store.synthetic:
        raise ValueError("Les déclarations synthétiques ne s'enregistrent que dans une base de démonstration.")
    already = 0
    for fields, submitted_at in items:
        key = submission_key(fields, submitted_at)
        result = store.submit(
            fields,
            submission_key=key,
            channel=channel_for(key),
            conversation_id=None,
            qualification=qualify(fields),
            obligations=obligations(fields),
            pii_masked=0,
            submitted_at=submitted_at,
        )
        already += bool(result["already_stored"])
    return {"stored": len(items) - already, "already_stored": already}


# --- Safety checks of the CLI ------------------------------------------------------------

_LOCAL_HOSTS = {None, "", "localhost", "127.0.0.1", "::1"}
_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}


def _normalise_url(url: str) -> str:
    return "postgresql" + url[len("postgres") :] if url.startswith("postgres://") else url


def same_database(first: str, second: str) -> bool:
    """True when both URLs reach the same database (user, password, driver and
    query ignored, local host names taken as one: when in doubt, the same)."""
    a, b = make_url(_normalise_url(first)), make_url(_normalise_url(second))
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        if a.database in (None, "", ":memory:") or b.database in (None, "", ":memory:"):
            return False
        return Path(a.database).expanduser().resolve() == Path(b.database).expanduser().resolve()
    default_port = _DEFAULT_PORTS.get(a.get_backend_name())

    def place(url):
        host = "local" if url.host in _LOCAL_HOSTS else url.host.lower()
        return host, url.port or default_port, url.database

    return place(a) == place(b)


def real_declaration_count(engine) -> int:
    """Real (non-synthetic) declarations in the database, whatever its revision."""
    inspector = inspect(engine)
    if "declarations" not in inspector.get_table_names():
        return 0
    columns = {column["name"] for column in inspector.get_columns("declarations")}
    query = "SELECT count(*) FROM declarations"
    params = {}
    if "synthetic" in columns:
        query += " WHERE synthetic = :synthetic"
        params = {"synthetic": False}
    with engine.connect() as connection:
        return int(connection.execute(text(query), params).scalar())


# --- CLI ----------------------------------------------------------------------------------

EXIT_REFUSED = 2
EXIT_FAILED = 1
MSG_REAL_URL = (
    "Refusé : la base cible est la base réelle (DATABASE_URL). Les données synthétiques "
    "vont dans une base de démonstration distincte : définissez VIGIE_DEMO_DATABASE_URL "
    "ou utilisez --database-url."
)
MSG_REAL_ROWS = (
    "Refusé : la base cible contient déjà {n} déclaration(s) réelle(s). Les données synthétiques "
    "ne doivent jamais côtoyer de vraies déclarations ; choisissez une autre base de démonstration."
)


class _FrenchParser(argparse.ArgumentParser):
    def error(self, message: str):  # noqa: D401 - argparse hook
        self.print_usage(sys.stderr)
        self.exit(EXIT_REFUSED, f"Erreur : {message}\n")


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre entier attendu, pas « {text} »") from None


def _count(text: str) -> int:
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError("le nombre de déclarations ne peut pas être négatif")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date attendue au format AAAA-MM-JJ, pas « {text} »") from None


def _parser() -> argparse.ArgumentParser:
    parser = _FrenchParser(
        prog="python -m bot.observatory.synthetic",
        description="Remplit la base de démonstration avec des déclarations synthétiques.",
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
    parser.add_argument("--year", type=_integer, help="année des déclarations (par exemple 2025)")
    parser.add_argument("--since", type=_day, help="début de la période (AAAA-MM-JJ), avec --until")
    parser.add_argument("--until", type=_day, help="fin de la période (AAAA-MM-JJ), incluse")
    parser.add_argument(
        "--count",
        type=_count,
        help="nombre de déclarations sur la période, hors celles qui tomberaient "
        "dans le futur (par défaut : volume annuel réaliste)",
    )
    parser.add_argument(
        "--seed", type=_integer, default=DEFAULT_SEED, help=f"graine aléatoire (par défaut {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--database-url", help="base de démonstration (par défaut VIGIE_DEMO_DATABASE_URL ou var/vigie-demo.db)"
    )
    return parser


def _refusal(url: str, store: storage.DeclarationStore) -> Optional[str]:
    if same_database(url, storage.default_url()):
        return MSG_REAL_URL
    real = real_declaration_count(store.engine)
    return MSG_REAL_ROWS.format(n=real) if real else None


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    url = args.database_url or storage.default_demo_url()
    try:
        items = generate(args.year, since=args.since, until=args.until, count=args.count, seed=args.seed)
    except ValueError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return EXIT_REFUSED
    store = storage.DeclarationStore(url, synthetic=True)
    try:
        refusal = _refusal(url, store)
        if refusal:
            print(refusal, file=sys.stderr)
            return EXIT_REFUSED
        store.migrate()
        result = store_synthetic(store, items)
    except SQLAlchemyError as error:
        print(f"Erreur : base de démonstration inaccessible ({type(error).__name__}).", file=sys.stderr)
        return EXIT_FAILED
    finally:
        store.dispose()
    shown = make_url(_normalise_url(url)).render_as_string(hide_password=True)
    print(
        f"{result['stored']} déclaration(s) synthétique(s) enregistrée(s), "
        f"{result['already_stored']} déjà présente(s), dans {shown}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
