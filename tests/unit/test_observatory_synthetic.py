"""Synthetic declarations: reproducibility, validity, distributions against
guidance.md, storage on SQLite and PostgreSQL, and the CLI's refusals."""

import json
import math
import re
from datetime import datetime, timedelta, timezone
from statistics import mean

import pytest
from sqlalchemy import create_engine, text

from bot.core import schema
from bot.core.paris_time import PARIS
from bot.core.qualification import obligations, qualify
from bot.core.storage import DeclarationStore, validate_fields
from bot.core.validators import normalize_email, normalize_finess, normalize_phone, region_from_finess
from bot.observatory import indicators, narratives, population, profile, synthetic
from bot.observatory.period import year_period
from tests.support.declarations import postgres_schema, submit

UTC = timezone.utc
YEAR = 2025
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def instant(iso):
    return datetime.fromisoformat(iso).astimezone(UTC)


@pytest.fixture(scope="module")
def year_items():
    return synthetic.generate(YEAR, now=NOW)


@pytest.fixture(scope="module")
def stored_year(year_items):
    """The year stored in an in-memory synthetic store, read back as the page will."""
    store = DeclarationStore("sqlite://", synthetic=True)
    store.migrate()
    try:
        synthetic.store_synthetic(store, year_items)
        yield store.all_matching({"since": f"{YEAR}-01-01", "until": f"{YEAR}-12-31"})
    finally:
        store.dispose()


@pytest.fixture(scope="module")
def year_ind(stored_year):
    return indicators.compute(stored_year, f"{YEAR}-01-01", f"{YEAR}-12-31")


def share_of(rows, *keys):
    return sum(r["count"] for r in rows if r["key"] in keys) / sum(r["count"] for r in rows)


# --- Reproducibility ---------------------------------------------------------------------


def canonical(items):
    return [json.dumps([fields, at.isoformat()], sort_keys=True, ensure_ascii=False) for fields, at in items]


def test_same_seed_same_declarations_other_seed_other_ones():
    first = synthetic.generate(2024, count=40, seed=7, now=NOW)
    assert canonical(first) == canonical(synthetic.generate(2024, count=40, seed=7, now=NOW))
    assert not set(canonical(first)) & set(canonical(synthetic.generate(2024, count=40, seed=8, now=NOW)))


def test_a_larger_count_extends_a_smaller_one():
    small = set(canonical(synthetic.generate(2024, count=20, seed=3, now=NOW)))
    large = set(canonical(synthetic.generate(2024, count=35, seed=3, now=NOW)))
    assert small < large and len(large) == 35


def test_items_are_oldest_first_and_inside_the_year(year_items):
    moments = [at for _, at in year_items]
    period = year_period(YEAR)
    assert moments == sorted(moments)
    assert all(period.contains(at) for at in moments)


def test_default_volume_is_a_year_of_guidance_md(year_items):
    # 2021-2024: 733, 592, 581, 749 declarations a year (guidance.md, "Figures").
    assert 581 <= len(year_items) <= 749


def test_the_current_year_stops_at_now_and_only_grows_from_run_to_run():
    july, august = datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC)
    items = synthetic.generate(2026, now=july)
    assert all(at < july for _, at in items)
    assert all(instant(f["detected_at"]) <= at for f, at in items)
    elapsed = (july - year_period(2026).start) / (year_period(2026).end - year_period(2026).start)
    assert 0.9 * 581 * elapsed <= len(items) <= 1.1 * 749 * elapsed
    later = synthetic.generate(2026, now=august)
    assert set(canonical(items)) < set(canonical(later))
    assert set(canonical(later)) - set(canonical(items)) == set(canonical([(f, at) for f, at in later if at >= july]))


def test_a_period_in_the_future_is_refused():
    with pytest.raises(ValueError, match="futur"):
        synthetic.generate(2027, now=NOW)


def test_explicit_period_and_count():
    items = synthetic.generate(since="2025-03-01", until="2025-03-31", count=12, now=NOW)
    assert len(items) == 12
    assert all(at.astimezone(PARIS).month == 3 for _, at in items)
    with pytest.raises(ValueError, match="soit une année"):
        synthetic.generate(2025, since="2025-03-01", until="2025-03-31")
    with pytest.raises(ValueError, match="entier positif"):
        synthetic.generate(2025, count=-1, now=NOW)


# --- Validity ---------------------------------------------------------------------------------


def test_every_declaration_validates_like_a_real_submission(year_items):
    for fields, submitted_at in year_items:
        assert list(fields) == schema.FIELDS
        cleaned = validate_fields(fields)
        assert cleaned["detected_at"] <= submitted_at
        if fields["started_at"]:
            assert instant(fields["started_at"]) <= instant(fields["detected_at"])
        assert len(fields["description"]) <= schema.DESCRIPTION_MAX_LENGTH
        assert "{" not in fields["description"]


def test_finess_numbers_pass_the_validator_and_give_the_region(year_items):
    with_finess = [f for f, _ in year_items if f["finess"]]
    assert len(with_finess) > 0.85 * len(year_items)
    for fields in with_finess:
        assert normalize_finess(fields["finess"]) == fields["finess"]
        assert region_from_finess(fields["finess"]) == fields["region"]


def test_corsican_and_overseas_finess_numbers_are_valid():
    import random

    rng = random.Random(1)
    for departement, region in (("2A", "corse"), ("2B", "corse"), ("974", "la_reunion"), ("976", "mayotte")):
        finess = population.make_finess(departement, rng)
        assert finess.startswith(departement) and region_from_finess(finess) == region


def test_declarants_are_obviously_fictitious(year_items):
    for fields, _ in year_items:
        assert fields["declarant_name"].endswith(" Démo")
        assert normalize_email(fields["declarant_email"]).endswith(".example")
        assert normalize_phone(fields["declarant_phone"]) == fields["declarant_phone"]
        assert fields["declarant_phone"].startswith(population.FICTION_PHONE_PREFIX)


def test_a_population_of_several_hundred_plausible_structures():
    structures = [s for group in population.population(synthetic.DEFAULT_SEED).values() for s in group]
    assert 800 <= len(structures) <= 1300
    assert len({s.finess for s in structures}) == len({s.name for s in structures}) == len(structures)
    names = {s.structure_type: [x.name for x in structures if x.structure_type == s.structure_type] for s in structures}
    assert any(n.startswith("CH de ") for n in names["etablissement_sante_public"])
    assert any(n.startswith("CHU ") for n in names["etablissement_sante_public"])
    assert any(n.startswith("EHPAD Les ") for n in names["esms"])
    assert any(n.startswith("Clinique ") for n in names["etablissement_sante_prive"])
    assert all(n.startswith("Laboratoire ") for n in names["laboratoire_biologie_medicale"])
    assert not any(" de É" in n or " de A" in n or " de Le " in n for group in names.values() for n in group)


@pytest.mark.parametrize("incident_type", sorted(narratives.SCENARIOS))
def test_every_scenario_reads_as_french_text(incident_type):
    import random

    rng = random.Random(0)
    assert set(narratives.SCENARIOS) == set(schema.INCIDENT_TYPES)
    for scenario in narratives.SCENARIOS[incident_type]:
        assert set(scenario.perimeters) <= set(schema.PERIMETERS)
        assert set(scenario.systems) <= set(schema.AFFECTED_SYSTEMS)
        for persons in (None, 1200):
            systems = narratives.systems(scenario, "esms", rng)
            text = narratives.description(scenario, systems, "3 h 40", "résidents", persons, rng)
            assert "{" not in text and text.endswith(".") and len(text) < 400
            assert not {"pacs_ris", "laboratoire_sil", "regulation_samu"} & set(systems)


def test_elision_of_town_names():
    assert population.of_town("Vierzon") == "de Vierzon"
    assert population.of_town("Évreux") == "d'Évreux"
    assert population.of_town("Le Mans") == "du Mans"
    assert population.of_town("Les Abymes") == "des Abymes"
    assert population.of_town("Hyères") == "d'Hyères"


def test_type_dependent_answers_are_consistent(year_items):
    for fields, _ in year_items:
        malicious = fields["origin"] == "malveillante"
        assert fields["origin"] == schema.INCIDENT_TYPE_ORIGIN[fields["incident_type"]]
        assert malicious or fields["complaint_filed"] is None
        if fields["structure_type"] == "esms":
            assert not {"pacs_ris", "laboratoire_sil", "regulation_samu"} & set(fields["affected_systems"])
        if fields["persons_affected"] is not None:
            assert fields["health_data_involved"] == "oui" and "confidentialite" in fields["data_impact"]


# --- Distributions against guidance.md ------------------------------------------------------


def test_malicious_share_is_about_half(year_ind):
    # 50 % in 2022 and 2023, 52 % in 2021.
    assert year_ind["origin"]["malicious_share"] == pytest.approx(0.50, abs=0.05)


def test_hospitals_and_medico_social_shares(year_ind):
    # 2021: 65 % hospitals, 25 % medico-social.
    rows = year_ind["by_structure_type"]
    hospitals = share_of(
        rows, "etablissement_sante_public", "etablissement_sante_prive", "etablissement_sante_prive_non_lucratif"
    )
    assert hospitals == pytest.approx(0.65, abs=0.05)
    assert share_of(rows, "esms") == pytest.approx(0.25, abs=0.05)


def test_support_and_degraded_mode_shares(year_ind):
    # Support: 26 % (2021), 29 % (2022). Degraded mode: 39 % (2022), 32 % (2023).
    assert year_ind["support_requested"]["share"] == pytest.approx(0.275, abs=0.05)
    assert indicators.row(year_ind["care_impact"], "mode_degrade")["share"] == pytest.approx(0.355, abs=0.05)


def test_about_forty_ransomware_cases_a_year(year_ind):
    # 40 ransomware cases among 749 declarations (2024); tolerance: 3 standard deviations.
    expected = year_ind["total"] * 40 / 749
    got = indicators.row(year_ind["by_incident_type"], "rancongiciel")["count"]
    assert abs(got - expected) <= 3 * math.sqrt(expected)


def test_declaration_delays(year_ind):
    # 2019: 70 % declared the same day, 80 % within 24 hours.
    assert year_ind["delay"]["known"] == year_ind["total"]
    assert year_ind["delay"]["same_day"]["share"] == pytest.approx(0.70, abs=0.05)
    assert year_ind["delay"]["within_24h"]["share"] == pytest.approx(0.80, abs=0.05)


def test_distinct_structures_ratio(year_ind):
    # 422 structures for 581 declarations (2023), 558 for 749 (2024).
    ratio = year_ind["structures"]["count"] / year_ind["total"]
    assert ratio == pytest.approx((422 / 581 + 558 / 749) / 2, abs=0.07)


def test_every_month_has_declarations(year_ind):
    counts = [m["count"] for m in year_ind["monthly"]]
    assert len(counts) == 12 and min(counts) > 0.5 * mean(counts)


def test_profile_rates_hit_their_targets():
    for target, factor in ((profile.ACTIVITY_AFFECTED_SHARE, "care"), (profile.SUPPORT_SHARE, "support")):
        rates = profile.scaled_rates(target, factor)
        assert all(0 <= rate <= 1 for rate in rates.values())
        assert sum(profile.type_share(t) * rate for t, rate in rates.items()) == pytest.approx(target)
    assert sum(profile.type_share(t) for t in profile.TYPE_PROFILES) == pytest.approx(1)
    assert profile.type_share("rancongiciel") == pytest.approx(40 / 749)
    assert set(profile.TYPE_PROFILES) == set(schema.INCIDENT_TYPES)


# --- Storage ---------------------------------------------------------------------------------------


def test_stored_as_the_chat_stores_them(stored_year, year_items):
    assert len(stored_year) == len(year_items)
    by_key = {synthetic.submission_key(f, at): (f, at) for f, at in year_items}
    assert len(by_key) == len(year_items)
    for declaration in stored_year:
        assert re.fullmatch(rf"DEMO-{YEAR}-\d{{6}}", declaration["reference"])
        assert declaration["transmission"] is None and declaration["status"] == "soumise"
    first_fields, first_at = year_items[0]
    first = stored_year[0]
    assert first["submitted_at"] == first_at.astimezone(PARIS).isoformat()
    assert first["qualification"] == qualify(first_fields)
    assert first["obligations"] == obligations(first_fields)
    assert {d["channel"] for d in stored_year} <= set(schema.CHANNELS)


def test_indicators_count_all_synthetic_declarations(year_ind, stored_year):
    assert year_ind["total"] == len(stored_year) == year_ind["synthetic_count"]


def test_storing_twice_stores_once():
    items = synthetic.generate(2024, count=15, seed=11, now=NOW)
    store = DeclarationStore("sqlite://", synthetic=True)
    store.migrate()
    try:
        assert synthetic.store_synthetic(store, items) == {"stored": 15, "already_stored": 0}
        assert synthetic.store_synthetic(store, items) == {"stored": 0, "already_stored": 15}
        assert len(store.all_matching()) == 15
    finally:
        store.dispose()


def test_never_into_a_real_store(tmp_path):
    store = DeclarationStore(f"sqlite:///{tmp_path / 'real.db'}")
    try:
        with pytest.raises(ValueError, match="démonstration"):
            synthetic.store_synthetic(store, synthetic.generate(2024, count=1, now=NOW))
    finally:
        store.dispose()


def test_stored_on_postgresql(postgres_url):  # noqa: F811
    items = synthetic.generate(2024, count=30, seed=5, now=NOW)
    with postgres_schema(postgres_url) as url:
        store = DeclarationStore(url, synthetic=True)
        store.migrate()
        try:
            assert synthetic.store_synthetic(store, items) == {"stored": 30, "already_stored": 0}
            assert synthetic.store_synthetic(store, items)["already_stored"] == 30
            stored = store.all_matching({"since": "2024-01-01", "until": "2024-12-31"})
            assert synthetic.real_declaration_count(store.engine) == 0
        finally:
            store.dispose()
    assert [d["submitted_at"] for d in stored] == [at.astimezone(PARIS).isoformat() for _, at in items]
    assert all(d["reference"].startswith("DEMO-2024-") for d in stored)
    got = indicators.compute(stored, "2024-01-01", "2024-12-31")
    assert got["total"] == 30
    assert got["origin"]["malicious_count"] == sum(f["origin"] == "malveillante" for f, _ in items)


# --- CLI -------------------------------------------------------------------------------------------


def rows_in(url):
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT synthetic, count(*) FROM declarations GROUP BY synthetic")).all()
    finally:
        engine.dispose()


@pytest.fixture
def demo_url(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'vigie.db'}")
    monkeypatch.delenv("VIGIE_DEMO_DATABASE_URL", raising=False)
    return f"sqlite:///{tmp_path / 'vigie-demo.db'}"


def test_cli_fills_the_demo_database_once(demo_url, capsys):
    args = ["--year", "2024", "--count", "12", "--seed", "3", "--database-url", demo_url]
    assert synthetic.main(args) == 0
    assert "12 déclaration(s) synthétique(s) enregistrée(s), 0 déjà présente(s)" in capsys.readouterr().out
    assert synthetic.main(args) == 0
    assert "0 déclaration(s) synthétique(s) enregistrée(s), 12 déjà présente(s)" in capsys.readouterr().out
    assert [tuple(r) for r in rows_in(demo_url)] == [(True, 12)]


def test_cli_uses_vigie_demo_database_url(demo_url, monkeypatch, capsys):
    monkeypatch.setenv("VIGIE_DEMO_DATABASE_URL", demo_url)
    assert synthetic.main(["--year", "2024", "--count", "3"]) == 0
    assert [tuple(r) for r in rows_in(demo_url)] == [(True, 3)]


def test_cli_refuses_the_real_database_url(demo_url, monkeypatch, capsys, tmp_path):
    real = f"sqlite:///{tmp_path}/./vigie.db"  # the same file as DATABASE_URL, spelt differently
    assert synthetic.main(["--year", "2024", "--count", "3", "--database-url", real]) == synthetic.EXIT_REFUSED
    assert "Refusé : la base cible est la base réelle (DATABASE_URL)" in capsys.readouterr().err
    assert not (tmp_path / "vigie.db").exists()


def test_cli_refuses_a_database_holding_real_declarations(demo_url, capsys):
    real_store = DeclarationStore(demo_url)
    real_store.migrate()
    submit(real_store, key="real-1")
    real_store.dispose()
    assert synthetic.main(["--year", "2024", "--count", "3", "--database-url", demo_url]) == synthetic.EXIT_REFUSED
    assert "contient déjà 1 déclaration(s) réelle(s)" in capsys.readouterr().err
    assert [tuple(r) for r in rows_in(demo_url)] == [(False, 1)]


def test_cli_rejects_bad_arguments_in_french(demo_url, capsys):
    with pytest.raises(SystemExit) as exit_info:
        synthetic.main(["--year", "deux-mille", "--database-url", demo_url])
    assert exit_info.value.code == synthetic.EXIT_REFUSED
    assert "Erreur : argument --year: nombre entier attendu, pas « deux-mille »" in capsys.readouterr().err
    assert synthetic.main(["--count", "3", "--database-url", demo_url]) == synthetic.EXIT_REFUSED
    assert "Indiquez soit une année" in capsys.readouterr().err


def test_same_database_is_conservative(tmp_path):
    same = synthetic.same_database
    assert same("postgres://u:p@localhost/vigie", "postgresql+psycopg2://other@127.0.0.1:5432/vigie?sslmode=require")
    assert not same("postgresql://localhost/vigie", "postgresql://localhost/vigie_demo")
    assert not same("postgresql://db1/vigie", "postgresql://db2/vigie")
    assert same(f"sqlite:///{tmp_path}/a.db", f"sqlite:///{tmp_path}/x/../a.db")
    assert not same("sqlite://", "sqlite://")
    assert not same(f"sqlite:///{tmp_path}/a.db", "postgresql://localhost/a.db")


def test_real_declaration_count_on_an_empty_database(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}", future=True)
    try:
        assert synthetic.real_declaration_count(engine) == 0
    finally:
        engine.dispose()


def test_submission_keys_depend_on_the_content_only(year_items):
    fields, at = year_items[0]
    key = synthetic.submission_key(fields, at)
    assert key == synthetic.submission_key(dict(fields), at.astimezone(PARIS))
    assert key != synthetic.submission_key(fields, at + timedelta(minutes=1))
    assert synthetic.channel_for(key) == synthetic.channel_for(key)
