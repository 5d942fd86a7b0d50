"""DeclarationStore on SQLite (tmp_path) and on the real PostgreSQL server."""

import os
import re
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, inspect, text

from bot.core import references, schema, storage
from bot.core.storage import DeclarationStore
from tests.support.declarations import OBLIGATIONS, QUALIFICATION, ROOT, UTC, sample_fields, submit

# --- Submit -------------------------------------------------------------------


def test_submit_returns_reference_and_stored_fields(store):
    result = submit(store)
    year = datetime.now(storage.PARIS).year
    assert re.fullmatch(rf"SSI-{year}-\d{{6}}", result["reference"])
    assert result["status"] == "soumise"
    assert result["channel"] == "web"
    assert result["pii_masked"] == 2
    assert result["already_stored"] is False
    assert result["qualification"] == QUALIFICATION
    assert result["obligations"][1]["due_by"] == "2026-01-13T03:00:00+01:00"
    expected = sample_fields(detected_at="2026-01-10T03:00:00+01:00")
    assert {name: result[name] for name in schema.FIELDS} == expected
    assert list(result)[: len(schema.FIELDS)] == schema.FIELDS
    assert result["created_at"] == result["submitted_at"] == result["updated_at"]


def test_get_returns_what_submit_returned(store):
    result = submit(store)
    stored = store.get(result["reference"])
    assert stored == {k: v for k, v in result.items() if k != "already_stored"}
    assert "already_stored" not in stored
    assert store.get("SSI-2026-999999") is None


def test_references_are_drawn_at_random_in_the_paris_year(store, frozen_now):
    frozen_now(datetime(2025, 12, 31, 23, 30, tzinfo=UTC))  # 00:30 in Paris
    numbers = [int(submit(store, key=str(n))["reference"].rsplit("-", 1)[1]) for n in range(12)]
    assert store.get(f"SSI-2026-{numbers[0]:06d}")["created_at"] == "2026-01-01T00:30:00+01:00"
    # sequential references told anyone holding one how to reach the others
    assert any(abs(b - a) != 1 for a, b in zip(numbers, numbers[1:]))
    assert len(set(numbers)) == 12


def test_a_drawn_reference_already_taken_is_drawn_again(store, frozen_now, monkeypatch):
    frozen_now(datetime(2026, 3, 1, 12, tzinfo=UTC))
    draws = iter([42, 42, 7] + [42] * 20 + [1234567])
    monkeypatch.setattr(references.secrets, "randbelow", lambda _: next(draws))
    assert submit(store, key="a")["reference"] == "SSI-2026-000042"
    assert submit(store, key="b")["reference"] == "SSI-2026-000007"
    # twenty taken draws in a row: one more digit
    assert submit(store, key="c")["reference"] == "SSI-2026-1234567"


def test_resubmission_with_same_key_stores_once(store):
    first = submit(store, key="same")
    again = submit(store, key="same", structure_name="Autre nom")
    assert again["already_stored"] is True
    assert again["reference"] == first["reference"]
    assert again["structure_name"] == "CH de Vierzon"
    assert store.count_by_submission_key("same") == 1


def _submit_in_threads(store, key, count=2):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(submit(store, key=key))
        except Exception as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return results


def test_concurrent_submissions_store_once(store):
    results = _submit_in_threads(store, "race")
    assert len({r["reference"] for r in results}) == 1
    assert sorted(r["already_stored"] for r in results) == [False, True]
    assert store.count_by_submission_key("race") == 1


def test_race_past_the_precheck_falls_back_on_integrity_error(store, monkeypatch):
    """Both threads miss the pre-check: the unique constraint decides."""
    original, lock, calls = store._get_by_key, threading.Lock(), []

    def lookup(key):
        with lock:
            calls.append(key)
            first_two = len(calls) <= 2
        return None if first_two else original(key)

    monkeypatch.setattr(store, "_get_by_key", lookup)
    results = _submit_in_threads(store, "race-2")
    assert len({r["reference"] for r in results}) == 1
    assert sorted(r["already_stored"] for r in results) == [False, True]
    assert store.count_by_submission_key("race-2") == 1


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"patient_name": "Dupont"}, "inconnu"),
        ({"incident_type": "attaque"}, "Type d'incident"),
        ({"region": "Centre"}, "Région"),
        ({"affected_systems": ["dpi", "scanner"]}, "Systèmes touchés"),
        ({"data_impact": "integrite"}, "liste attendue"),
        ({"persons_affected": -3}, "entier"),
        ({"description": "x" * 2001}, "2000"),
        ({"detected_at": "hier"}, "date invalide"),
        ({"started_at": "2026-01-11T00:00:00+01:00"}, "postérieur"),
        ({"description": None}, "obligatoire"),
        ({"declarant_email": None, "declarant_phone": None}, "e-mail ou un téléphone"),
    ],
)
def test_invalid_fields_are_rejected(store, overrides, message):
    with pytest.raises(ValueError, match=message):
        submit(store, key="bad", **overrides)
    assert store.count_by_submission_key("bad") == 0


def test_a_start_with_its_hour_fits_a_detection_day_kept_without_one(store):
    result = submit(
        store, key="day-only", detected_at="2026-01-10T00:00:00+01:00", started_at="2026-01-10T12:00:00+01:00"
    )
    assert result["reference"]
    with pytest.raises(ValueError, match="postérieur"):
        submit(store, key="day-after", detected_at="2026-01-10T00:00:00+01:00", started_at="2026-01-11T02:00:00+01:00")


def test_invalid_channel_and_qualification_are_rejected(store):
    with pytest.raises(ValueError, match="Canal"):
        submit(store, channel="fax")
    with pytest.raises(ValueError, match="grave"):
        submit(store, qualification={"grave": "oui", "significatif": False})
    assert store.count_by_submission_key("key-1") == 0


# --- Timezones ----------------------------------------------------------------


def test_timezone_round_trip(store):
    result = submit(
        store,
        detected_at=datetime(2026, 7, 14, 1, 30, tzinfo=UTC),
        started_at="2026-07-13T23:00:00",  # naive: Europe/Paris
    )
    assert result["detected_at"] == "2026-07-14T03:30:00+02:00"
    assert result["started_at"] == "2026-07-13T23:00:00+02:00"
    with store.engine.connect() as connection:
        raw = connection.execute(text("SELECT detected_at FROM declarations")).scalar_one()
    if isinstance(raw, str):  # SQLite keeps the UTC wall time
        assert raw.startswith("2026-07-14 01:30:00")
    else:
        assert raw == datetime(2026, 7, 14, 1, 30, tzinfo=UTC)
    created = datetime.fromisoformat(store.get(result["reference"])["created_at"])
    assert created.utcoffset() in (timedelta(hours=1), timedelta(hours=2))


# --- List ---------------------------------------------------------------------


@pytest.fixture
def three_declarations(store, frozen_now):
    frozen_now(datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    a = submit(store, key="a")
    frozen_now(datetime(2026, 2, 5, 23, 30, tzinfo=UTC))  # 6 February, 00:30 in Paris
    b = submit(
        store,
        key="b",
        structure_name="EHPAD Les Tilleuls 100%",
        structure_type="esms",
        region="bretagne",
        incident_type="panne_materielle",
        qualification={"grave": False, "significatif": True, "reasons": []},
    )
    frozen_now(datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    c = submit(
        store,
        key="c",
        structure_name="Clinique du Parc",
        structure_type="etablissement_sante_prive",
        qualification={"grave": False, "significatif": False, "reasons": []},
    )
    return a["reference"], b["reference"], c["reference"]


def _refs(store, filters, **page):
    return [item["reference"] for item in store.list(filters, **page)]


def test_list_filters(store, three_declarations):
    a, b, c = three_declarations
    assert _refs(store, {}) == [c, b, a]
    assert _refs(store, {"incident_type": "panne_materielle"}) == [b]
    assert _refs(store, {"structure_type": "etablissement_sante_public"}) == [a]
    assert _refs(store, {"region": "centre_val_de_loire"}) == [c, a]
    assert _refs(store, {"status": "soumise"}) == [c, b, a]
    assert _refs(store, {"status": "transmise"}) == []
    assert _refs(store, {"grave": True}) == [a]
    assert _refs(store, {"grave": False}) == [c, b]
    assert _refs(store, {"significatif": True}) == [b]
    assert _refs(store, {"grave": False, "significatif": False}) == [c]
    assert _refs(store, {"structure_name": "tilleuls"}) == [b]
    assert _refs(store, {"structure_name": "100%"}) == [b]
    assert _refs(store, {"structure_name": "%"}) == [b]
    assert _refs(store, {"region": None}) == [c, b, a]


def test_list_date_bounds_and_paging(store, three_declarations):
    a, b, c = three_declarations
    assert _refs(store, {"since": "2026-02-06"}) == [c, b]
    assert _refs(store, {"since": date(2026, 2, 7)}) == [c]
    assert _refs(store, {"until": "2026-02-05"}) == [a]
    assert _refs(store, {"until": "2026-02-06"}) == [b, a]
    assert _refs(store, {"until": "2026-02-06T00:30:00+01:00"}) == [b, a]
    assert _refs(store, {"until": "2026-02-06T00:29:59+01:00"}) == [a]
    assert _refs(store, {"since": datetime(2026, 1, 5, 10, 0, tzinfo=UTC)}) == [c, b, a]
    assert _refs(store, {}, limit=2) == [c, b]
    assert _refs(store, {}, limit=2, offset=2) == [a]


@pytest.mark.parametrize(
    "filters",
    [
        {"colour": "red"},
        {"incident_type": "attaque"},
        {"region": "centre"},
        {"grave": "yes"},
        {"since": "hier"},
        {"until": "2026-13-45"},
    ],
)
def test_list_rejects_bad_filters(store, filters):
    with pytest.raises(ValueError):
        store.list(filters)


def test_list_rejects_bad_paging(store):
    with pytest.raises(ValueError):
        store.list({}, limit=0)
    with pytest.raises(ValueError):
        store.list({}, offset=-1)


# --- Migrations and configuration ---------------------------------------------


def test_migration_matches_model(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import bot.core.admin_models  # noqa: F401  (the admin tables share storage.Base)
    from bot.core.models import managed_by_model

    with store.engine.connect() as connection:
        opts = {"compare_type": True, "include_name": managed_by_model}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, storage.Base.metadata) == []
        assert "alembic_version" in inspect(connection).get_table_names()


def test_migrate_is_idempotent(store):
    store.migrate()
    assert submit(store)["reference"].startswith("SSI-")


def test_cli_migrates_database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'sub' / 'cli.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "bot.core.storage", "migrate"], cwd=ROOT, env=env, check=True)
    engine = create_engine(url, future=True)
    assert "declarations" in inspect(engine).get_table_names()
    engine.dispose()


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path):
    """Found in an attack run: var/vigie.db was world-readable."""
    path = tmp_path / "var" / "vigie.db"
    path.parent.mkdir()
    path.touch(mode=0o644)
    path.chmod(0o644)
    store = DeclarationStore(f"sqlite:///{path}")
    store.migrate()
    submit(store)
    store.dispose()
    assert path.stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "new" / "vigie.db"
    store = DeclarationStore(f"sqlite:///{fresh}")
    assert not fresh.exists()  # nothing is made before it is used (the synthetic CLI's refusal relies on it)
    store.migrate()
    store.dispose()
    assert fresh.stat().st_mode & 0o777 == 0o600 and fresh.parent.stat().st_mode & 0o777 == 0o700


def test_default_url(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert storage.default_url() == f"sqlite:///{ROOT / 'var' / 'vigie.db'}"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://u@h/db")
    assert storage.default_url() == "postgresql+psycopg2://u@h/db"


def test_schema_constants_cover_the_spec():
    assert len(schema.FIELDS) == len(set(schema.FIELDS)) == 29
    assert len(schema.REGIONS) == 18 + 1  # the 18 ARS regions, and "inconnu"
    assert schema.INCIDENT_TYPES["rancongiciel"] == "Rançongiciel (ransomware)"
    assert schema.CARE_IMPACT["mode_degrade"] == "Mode dégradé"
    assert set(schema.INCIDENT_TYPE_ORIGIN) == set(schema.INCIDENT_TYPES)
    assert set(schema.FIELD_LABELS) == set(schema.FIELDS + schema.COMPUTED_FIELDS)


# --- Synthetic declarations -----------------------------------------------------


def test_a_synthetic_store_marks_its_declarations_and_never_forwards_them(store):
    demo = DeclarationStore(store.url, synthetic=True)
    try:
        when = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
        fake = submit(demo, key="demo-1", submitted_at=when)
        real = submit(store, key="real-1")
        assert re.fullmatch(r"DEMO-2025-\d{6}", fake["reference"])
        assert fake["transmission"] is None and fake["created_at"] == "2025-03-04T11:00:00+01:00"
        assert [d["reference"] for d in store.list()] == [real["reference"]]
        assert [d["reference"] for d in demo.all_matching()] == [fake["reference"]]
        assert store.get(fake["reference"]) is None and demo.get(real["reference"]) is None
        with store.session() as session:
            outbox_rows = session.execute(text("SELECT count(*) FROM outbox")).scalar()
        assert outbox_rows == 1
    finally:
        demo.dispose()


def test_a_real_declaration_cannot_be_backdated(store):
    with pytest.raises(ValueError, match="synthétiques"):
        submit(store, submitted_at=datetime(2025, 3, 4, tzinfo=UTC))


def test_all_matching_returns_every_row_oldest_first(store, frozen_now):
    for day in range(1, 4):
        frozen_now(datetime(2026, 2, day, 12, tzinfo=UTC))
        submit(store, key=f"k{day}")
    got = store.all_matching({"since": "2026-02-02"})
    assert [d["created_at"][:10] for d in got] == ["2026-02-02", "2026-02-03"]


# --- Completion ------------------------------------------------------------------


def complete(store, reference, key="c-1", **changes):
    return store.complete(
        reference,
        changes,
        completion_key=key,
        conversation_id="conv-2",
        qualification={"grave": True, "significatif": True, "reasons": ["Propagation."]},
        obligations=OBLIGATIONS,
    )


def test_a_completion_updates_keeps_the_history_and_queues_a_complement(store):
    reference = submit(store, cause=None, handling_status="en_cours")["reference"]
    done = complete(
        store,
        reference,
        cause="Courriel d'hameçonnage ouvert le 9 janvier.",
        handling_status="resolu",
        spread_risk="inconnu",
    )
    assert done["status"] == "completee" and done["cause"].startswith("Courriel") and done["already_stored"] is False
    assert done["qualification"]["significatif"] is True
    assert [c["field"] for c in done["changes"]] == ["handling_status", "cause"]  # spread_risk did not change
    assert store.changes(reference)[0] == {
        "field": "handling_status",
        "old_value": "en_cours",
        "new_value": "resolu",
        "changed_at": store.changes(reference)[0]["changed_at"],
        "conversation_id": "conv-2",
    }
    assert done["transmission"]["kind"] == "complement" and done["transmission"]["state"] == "en_attente"
    [claim] = [c for c in outbox_claims(store) if c.kind == "complement"]
    assert claim.idempotency_key == "c-1" and claim.payload["changes"][1]["new_value"].startswith("Courriel")
    assert claim.payload["reference"] == reference and claim.payload["status"] == "completee"


def outbox_claims(store):
    from bot.core.outbox import Outbox

    return Outbox(store).claim_due(limit=10)


def test_a_completion_is_stored_once_per_key(store):
    reference = submit(store)["reference"]
    complete(store, reference, cause="Une cause.")
    again = complete(store, reference, cause="Une autre cause.")
    assert again["already_stored"] is True and again["cause"] == "Une cause."
    assert len(store.changes(reference)) == 1


def test_a_completion_is_checked_like_a_declaration(store):
    reference = submit(store)["reference"]
    with pytest.raises(ValueError, match="valeur inconnue"):
        complete(store, reference, handling_status="fini")
    with pytest.raises(ValueError, match="postérieur"):
        complete(store, reference, started_at="2026-02-01T10:00:00+01:00")
    assert store.changes(reference) == [] and store.get(reference)["status"] == "soumise"
    assert complete(store, "SSI-2026-999999") is None


def test_required_fields_not_known_are_sent_and_listed_to_complete(store):
    """Declare without delay with what is known: unknown required fields go to unknown_fields."""
    stored = submit(
        store, key="unknown", structure_name=None, care_impact="inconnu", declarant_phone=None, detected_at=None
    )
    assert stored["unknown_fields"] == ["structure_name", "declarant_phone", "detected_at", "care_impact"]
    assert store.get(stored["reference"])["unknown_fields"] == stored["unknown_fields"]
    assert submit(store, key="known")["unknown_fields"] == []


def test_a_completion_updates_what_remains_to_complete(store):
    stored = submit(store, key="to-complete", care_impact="inconnu")
    completed = store.complete(
        stored["reference"],
        {"care_impact": "mode_degrade"},
        completion_key="c-1",
        conversation_id="conv-1",
        qualification=QUALIFICATION,
        obligations=OBLIGATIONS,
    )
    assert completed["unknown_fields"] == []
