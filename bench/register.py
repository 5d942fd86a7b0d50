"""The FINESS register: loading time, lookup latency and recognition, on SQLite and PostgreSQL.

``python -m bench register``. Queries are built from the register itself, not from our
test sentences: a deterministic sample of establishments (hospitals, EHPAD, clinics,
laboratories), each asked in the forms people use: the official short name, the same
folded to lower case without accents, the name with one typo in its longest word, the
town alone, and "<kind> de <town>". Recognition counts an establishment found as the
one clear match, or among the (at most four) choices offered; the town alone and the
kind plus town are ambiguous by nature and reported apart. Latency is measured warm
(the first lookup, which reads the register's vocabulary, is reported on its own).
"""

import os
import random
import statistics
import time
import unicodedata
import uuid
from pathlib import Path
from typing import Dict, List, Tuple

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bench.common import log
from bot.core.register import Establishment, read_register
from bot.core.register_store import Register
from bot.core.storage import DeclarationStore
from bot.settings import DEFAULT_FINESS_DIR

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
SAMPLE = 250
SMOKE_SAMPLE = 12
SEED = 20261203
KINDS = {"355": "CH", "101": "CHU", "500": "EHPAD", "611": "laboratoire", "365": "clinique", "109": "clinique"}


def run(workdir: Path, smoke: bool) -> dict:
    establishments = list(read_register(DEFAULT_FINESS_DIR))
    sample = _sample(establishments, SMOKE_SAMPLE if smoke else SAMPLE)
    queries = [query for e in sample for query in _forms(e)]
    figures = {"rows": len(establishments), "sample": len(sample), "queries": len(queries), "backends": {}}
    figures["backends"]["sqlite"] = _measure(f"sqlite:///{workdir / 'register.db'}", queries)
    schema = f"bench_register_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, future=True, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        figures["backends"]["postgresql"] = _measure(url.render_as_string(hide_password=False), queries)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return figures


def _sample(establishments: List[Establishment], size: int) -> List[Establishment]:
    kinds = [e for e in establishments if e.category in KINDS]
    return random.Random(SEED).sample(kinds, size)


def _forms(e: Establishment) -> List[Tuple[str, str, Establishment]]:
    rng = random.Random(f"{SEED}-{e.finess}")
    return [
        ("official name", e.name, e),
        ("lower case, no accents", _fold(e.display_name), e),
        ("one typo", _typo(e.name, rng), e),
        ("town alone", e.display_town, e),
        ("kind de town", f"{KINDS[e.category]} de {e.display_town}", e),
    ]


def _measure(url: str, queries: List[Tuple[str, str, Establishment]]) -> Dict:
    store = DeclarationStore(url)
    store.migrate()
    register = Register(store.engine)
    began = time.monotonic()
    register.load(DEFAULT_FINESS_DIR)
    load_s = time.monotonic() - began
    began = time.perf_counter()
    register.find("hopital de vierzon")
    first_ms = (time.perf_counter() - began) * 1000
    timings, found = [], {}
    for form, words, wanted in queries:
        began = time.perf_counter()
        offered = register.find(words)
        timings.append((time.perf_counter() - began) * 1000)
        clear, among = offered == [wanted], wanted in offered
        counts = found.setdefault(form, {"queries": 0, "clear": 0, "among_choices": 0})
        counts["queries"] += 1
        counts["clear"] += clear
        counts["among_choices"] += among
    store.dispose()
    timings.sort()
    log(f"register on {make_url(url).get_backend_name()}: load {load_s:.1f} s, p95 {_p(timings, 95):.1f} ms")
    return {
        "load_s": round(load_s, 2),
        "first_lookup_ms": round(first_ms, 1),
        "lookup_ms": {
            "p50": round(statistics.median(timings), 2),
            "p95": round(_p(timings, 95), 2),
            "max": round(timings[-1], 2),
        },
        "recognition": found,
    }


def _p(ordered: List[float], percent: int) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]


def _fold(words: str) -> str:
    decomposed = unicodedata.normalize("NFKD", words.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _typo(name: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped inside the longest word (kept if it has fewer than 5)."""
    words = name.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) >= 5:
        at = rng.randrange(1, len(word) - 2)
        words[longest] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return " ".join(words)
