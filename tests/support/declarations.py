"""Declarations for tests: sample fields, a submit helper, the databases they go to.

The fixtures built on these (``postgres_url``, ``store``, ``frozen_now``) are in
tests/conftest.py.
"""

import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[2]
PG_DEFAULT_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", "postgresql"]
UTC = timezone.utc

QUALIFICATION = {
    "grave": True,
    "significatif": False,
    "reasons": ["L'activité de soins fonctionne en mode dégradé."],
}
OBLIGATIONS = [
    {"authority": "CERT Santé", "due_by": None, "why": "Déclaration sans délai."},
    {
        "authority": "CNIL",
        "due_by": datetime(2026, 1, 13, 2, 0, tzinfo=UTC),
        "why": "Violation de données personnelles : 72 heures.",
    },
]


def sample_fields(**overrides):
    fields = {
        "structure_name": "CH de Vierzon",
        "finess": "180000028",
        "structure_type": "etablissement_sante_public",
        "region": "centre_val_de_loire",
        "is_ose": "non",
        "declarant_name": "Marie Durand",
        "declarant_role": "RSSI",
        "declarant_email": "rssi@ch-vierzon.fr",
        "declarant_phone": "+33248000000",
        "detected_at": "2026-01-10T03:00:00+01:00",
        "started_at": None,
        "incident_type": "rancongiciel",
        "origin": "malveillante",
        "description": "Fichiers chiffrés et note de rançon sur les serveurs.",
        "perimeter": "plusieurs_serveurs",
        "affected_systems": ["dpi", "messagerie"],
        "provider_involved": "inconnu",
        "handling_status": "en_cours",
        "measures_taken": "Isolation du réseau.",
        "care_impact": "mode_degrade",
        "patient_endangerment": "potentielle",
        "data_impact": ["disponibilite", "integrite"],
        "health_data_involved": "oui",
        "persons_affected": 1200,
        "spread_risk": "inconnu",
        "cause": None,
        "support_requested": "oui",
        "complaint_filed": "prevue",
        "cnil_notified": "prevue",
    }
    fields.update(overrides)
    return fields


def submit(store, key="key-1", qualification=None, channel="web", submitted_at=None, **overrides):
    return store.submit(
        sample_fields(**overrides),
        submission_key=key,
        channel=channel,
        conversation_id="conv-1",
        qualification=qualification or QUALIFICATION,
        obligations=OBLIGATIONS,
        pii_masked=2,
        submitted_at=submitted_at,
    )


# --- Databases: SQLite in tmp_path, or a fresh schema of the real PostgreSQL ---


def can_connect(url: str) -> bool:
    engine = create_engine(url, future=True, poolclass=NullPool)
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


@contextmanager
def postgres_schema(base_url: str):
    """A fresh schema, selected through search_path, dropped afterwards."""
    name = f"vigie_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, future=True, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@contextmanager
def database_url(backend: str, tmp_path: Path, request):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'vigie.db'}"
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url
