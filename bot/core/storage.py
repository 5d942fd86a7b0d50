"""Persistence of declarations (SQLAlchemy 2.0-style on 1.4, SQLite or PostgreSQL).

Datetimes are stored in UTC and returned as ISO 8601 strings in Europe/Paris.
The schema is created by the alembic migrations in ``bot/core/migrations``:
run ``DeclarationStore().migrate()`` or ``python -m bot.core.storage migrate``.
"""

import argparse
import os
import re
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from sqlalchemy import create_engine, event, func, not_, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from bot.core import attachments, outbox, schema
from bot.core.access_limits import AccessLimits
from bot.core.faults import crash_point
from bot.core.fields import UNKNOWN
from bot.core.models import (  # noqa: F401 (Base: alembic)
    Base,
    Declaration,
    DeclarationChange,
    OutboxMessage,
)
from bot.core.paris_time import PARIS, to_paris_iso, utc_now
from bot.core.references import free_reference
from bot.core.validators import InvalidValue, check_started_at
from bot.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


MAX_LIST_LIMIT = 1000
FAR_BOUNDS = (datetime(1900, 1, 1, tzinfo=PARIS), datetime(9998, 12, 31, tzinfo=PARIS))  # filter dates
MAX_OFFSET = 10**9  # beyond, SQLite overflows (a 500 found by schemathesis)
FILTER_KEYS = (
    "incident_type",
    "structure_type",
    "region",
    "status",
    "grave",
    "significatif",
    "since",
    "until",
    "structure_name",
)
_FILTER_ENUMS = {
    "incident_type": schema.INCIDENT_TYPES,
    "structure_type": schema.STRUCTURE_TYPES,
    "region": schema.REGIONS,
    "status": schema.STATUSES,
}

# --- Datetime helpers ---------------------------------------------------------


def parse_datetime(value: Any, field: str = "date") -> datetime:
    """Aware datetime from a datetime or an ISO 8601 string (naive = Europe/Paris)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{field} : date invalide, format ISO 8601 attendu.") from None
    if not isinstance(value, datetime):
        raise ValueError(f"{field} : date invalide, format ISO 8601 attendu.")
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value


def _parse_bound(value: Any, field: str, *, upper: bool) -> Tuple[datetime, bool]:
    """Filter bound -> (aware datetime, exclusive). A bare date covers its whole day."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{field} : date invalide, format AAAA-MM-JJ attendu.") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time.min, tzinfo=PARIS)
        bound, exclusive = (value + timedelta(days=1), True) if upper and value.year < 9999 else (value, False)
    else:
        bound, exclusive = parse_datetime(value, field), False
    # 0001-01-01 overflowed when converted to UTC (a 500): a far bound means "no bound"
    return min(max(bound, FAR_BOUNDS[0]), FAR_BOUNDS[1]), exclusive


# --- Validation ---------------------------------------------------------------


def _label(field: str) -> str:
    return schema.FIELD_LABELS.get(field, field)


def _clean_text(field: str, value: Any) -> Optional[str]:
    if not isinstance(value, str):
        raise ValueError(f"{_label(field)} : texte attendu.")
    value = value.strip()
    if field == "description" and len(value) > schema.DESCRIPTION_MAX_LENGTH:
        raise ValueError(f"{_label(field)} : {schema.DESCRIPTION_MAX_LENGTH} caractères au maximum.")
    if field == "finess" and value and len(value) != schema.FINESS_LENGTH:
        raise ValueError(f"{_label(field)} : {schema.FINESS_LENGTH} caractères attendus.")
    return value or None


def _clean_enum(field: str, value: Any) -> str:
    allowed = schema.ENUM_FIELDS[field]
    if value not in allowed:
        raise ValueError(f"{_label(field)} : valeur inconnue « {value} ».")
    return value


def _clean_list(field: str, value: Any) -> List[str]:
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{_label(field)} : liste attendue.")
    allowed = schema.LIST_FIELDS[field]
    for item in value:
        if item not in allowed:
            raise ValueError(f"{_label(field)} : valeur inconnue « {item} ».")
    return list(dict.fromkeys(value))


def _clean_integer(field: str, value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{_label(field)} : nombre entier positif attendu.")
    return value


def _clean_value(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in schema.ENUM_FIELDS:
        return _clean_enum(field, value)
    if field in schema.LIST_FIELDS:
        return _clean_list(field, value)
    if field in schema.DATETIME_FIELDS:
        return parse_datetime(value, _label(field))
    if field in schema.INTEGER_FIELDS:
        return _clean_integer(field, value)
    return _clean_text(field, value)


def validate_fields(fields: Dict[str, Any]) -> Dict[str, Any]:
    """Check names, types and enumeration values; return the cleaned fields."""
    unknown = sorted(set(fields) - set(schema.FIELDS))
    if unknown:
        raise ValueError(f"Champ(s) inconnu(s) : {', '.join(unknown)}.")
    cleaned = {name: _clean_value(name, value) for name, value in fields.items()}
    missing = missing_to_send(cleaned)
    if missing:
        raise ValueError(f"Champ(s) obligatoire(s) manquant(s) : {', '.join(missing)}.")
    try:
        check_started_at(cleaned.get("started_at"), cleaned.get("detected_at"))
    except InvalidValue as error:
        raise ValueError(error.message) from error
    return cleaned


def missing_to_send(fields: Dict[str, Any]) -> List[str]:
    """What a declaration cannot be sent without, in French. Declared without delay with what is
    known: only the person's own words and one way to reach them are truly needed; the other
    required fields may be sent as ``unknown_fields``."""
    missing = [] if fields.get("description") not in (None, "") else [_label("description")]
    if fields.get("declarant_email") in (None, "") and fields.get("declarant_phone") in (None, ""):
        missing.append("une adresse e-mail ou un téléphone du déclarant")
    return missing


def unknown_fields(fields: Dict[str, Any]) -> List[str]:
    """The required fields not known (empty or ``inconnu``), in the spec's order."""
    return [name for name in schema.REQUIRED_FIELDS if fields.get(name) in (None, "", UNKNOWN)]


def _jsonable(value: Any) -> Any:
    """Deep copy with datetimes as Europe/Paris ISO strings."""
    if isinstance(value, datetime):
        return to_paris_iso(parse_datetime(value))
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


def validate_qualification(qualification: Dict[str, Any]) -> Dict[str, Any]:
    if not isinstance(qualification, dict):
        raise ValueError("Qualification : objet attendu.")
    for key in ("grave", "significatif"):
        if not isinstance(qualification.get(key), bool):
            raise ValueError(f"Qualification : « {key} » doit être un booléen.")
    reasons = qualification.get("reasons") or []
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise ValueError("Qualification : « reasons » doit être une liste de textes.")
    extra = {k: v for k, v in qualification.items() if k not in ("grave", "significatif", "reasons")}
    base = {
        "grave": qualification["grave"],
        "significatif": qualification["significatif"],
        "reasons": list(reasons),
    }
    return _jsonable({**base, **extra})


def validate_obligations(obligations: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    if not isinstance(obligations, (list, tuple)):
        raise ValueError("Obligations : liste attendue.")
    cleaned = []
    for item in obligations:
        if not isinstance(item, dict) or item.get("authority") not in schema.AUTHORITIES:
            raise ValueError(f"Obligations : autorité inconnue dans {item!r}.")
        due_by = item.get("due_by")
        due_by = parse_datetime(due_by, "due_by") if due_by is not None else None
        cleaned.append(_jsonable({**item, "due_by": due_by}))
    return cleaned


# --- Serialisation ------------------------------------------------------------


def declaration_to_dict(row: Declaration) -> Dict[str, Any]:
    """The spec's JSON for one declaration (fields A-E then computed ones)."""
    data = {}
    for name in schema.FIELDS + schema.COMPUTED_FIELDS:
        value = getattr(row, name)
        data[name] = to_paris_iso(value) if isinstance(value, datetime) else value
    return data


# --- Engine -------------------------------------------------------------------


def default_url() -> str:
    return Settings.from_env().database_url


def default_demo_url() -> str:
    """Where synthetic declarations live: never the real database."""
    return Settings.from_env().demo_database_url


def _normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        return "postgresql+psycopg2://" + url[len("postgres://") :]
    return url


def build_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True)
    database = parsed.database
    if not database or database == ":memory:":
        return create_engine(
            url,
            future=True,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
        )
    path = Path(database).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = create_engine(url, future=True, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", lambda *_: _private_file(path))
    return engine


def _private_file(path: Path) -> None:
    """The SQLite file (SQLite makes it at the first connection), readable by its owner only: it
    holds declarations and was world-readable. SQLite gives its journals the file's permissions."""
    if path.exists() and path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
        path.chmod(0o600)


def alembic_config(url: str):
    """Alembic Config built in code (no alembic.ini)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


# --- Store --------------------------------------------------------------------


class DeclarationStore:
    """Synchronous access to the declarations table.

    A store holds either real declarations or synthetic ones (``synthetic=True``,
    demonstration data): it reads and writes only its own kind, and synthetic
    declarations are never put in the outbox.
    """

    def __init__(self, url: Optional[str] = None, synthetic: bool = False):
        self.synthetic = synthetic
        self.url = _normalise_url(url or (default_demo_url() if synthetic else default_url()))
        self.engine = build_engine(self.url)
        self.session = sessionmaker(bind=self.engine, future=True, expire_on_commit=False)

    def migrate(self) -> None:
        """Upgrade the database to the latest alembic revision."""
        from alembic import command

        cfg = alembic_config(self.url)
        with self.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.engine.dispose()

    def attachments(self) -> attachments.AttachmentStore:
        """The files added to this store's declarations (``VIGIE_ATTACHMENTS_DIR``)."""
        return attachments.AttachmentStore(self.session, Settings.from_env().attachments_dir)

    def access_limits(self) -> AccessLimits:
        """Wrong e-mail addresses given to unlock this store's declarations."""
        return AccessLimits(self.session)

    # Writing -------------------------------------------------------------

    def submit(
        self,
        fields: Dict[str, Any],
        *,
        submission_key: str,
        channel: str,
        conversation_id: Optional[str],
        qualification: Dict[str, Any],
        obligations: List[Dict[str, Any]],
        pii_masked: int = 0,
        submitted_at: Optional[datetime] = None,
    ) -> Dict[str, Any]:
        """Store a submitted declaration once per ``submission_key``.

        ``submitted_at`` backdates a synthetic declaration; a real one is
        always submitted now."""
        if submitted_at is not None and not self.synthetic:
            raise ValueError("submitted_at : réservé aux déclarations synthétiques.")
        values = self._submission_values(
            fields, submission_key, channel, conversation_id, qualification, obligations, pii_masked
        )
        existing = self._get_by_key(submission_key)
        if existing is not None:
            return {**existing, "already_stored": True}
        try:
            return {**self._insert(values, submitted_at), "already_stored": False}
        except IntegrityError:
            existing = self._get_by_key(submission_key)
            if existing is None:
                raise
            return {**existing, "already_stored": True}

    def _submission_values(
        self, fields, submission_key, channel, conversation_id, qualification, obligations, pii_masked
    ) -> Dict[str, Any]:
        if not isinstance(submission_key, str) or not submission_key.strip():
            raise ValueError("submission_key : texte non vide attendu.")
        if channel not in schema.CHANNELS:
            raise ValueError(f"Canal inconnu « {channel} ».")
        if isinstance(pii_masked, bool) or not isinstance(pii_masked, int) or pii_masked < 0:
            raise ValueError("pii_masked : nombre entier positif attendu.")
        cleaned = validate_fields(fields)
        return {
            **cleaned,
            "unknown_fields": unknown_fields(cleaned),
            "submission_key": submission_key,
            "channel": channel,
            "conversation_id": conversation_id,
            "qualification": validate_qualification(qualification),
            "obligations": validate_obligations(obligations),
            "pii_masked": pii_masked,
        }

    def _insert(self, values: Dict[str, Any], now: Optional[datetime] = None) -> Dict[str, Any]:
        """The declaration and its outbox message, in one transaction."""
        now = now or utc_now()
        message, linked = None, []
        with self.session() as session, session.begin():
            row = Declaration(
                **values,
                status="soumise",
                created_at=now,
                submitted_at=now,
                updated_at=now,
                synthetic=self.synthetic,
            )
            row.reference = free_reference(session, now, self.synthetic)
            session.add(row)
            session.flush()
            if not self.synthetic:
                message = outbox.new_message(row, declaration_to_dict(row), "initiale", now)
                session.add(message)
                session.flush()
                attachments.link_pending(session, row, now)
                session.flush()
                linked = attachments.listed(session, [row.id]).get(row.id, [])
            crash_point("before_commit")
        crash_point("after_commit")
        return {
            **declaration_to_dict(row),
            "transmission": outbox.transmission_dict(message),
            "attachments": linked,
        }

    def complete(
        self,
        reference: str,
        changes: Dict[str, Any],
        *,
        completion_key: str,
        conversation_id: Optional[str],
        qualification: Dict[str, Any],
        obligations: List[Dict[str, Any]],
        pii_masked: int = 0,
    ) -> Optional[Dict[str, Any]]:
        """Apply a declarant's completion: the new values, one history row per
        changed field, status ``completee`` and a ``complement`` to forward, in
        one transaction; once per ``completion_key``. None: no such declaration."""
        if self.synthetic:
            raise ValueError("Une déclaration synthétique ne se complète pas.")
        try:
            return self._complete(
                reference, changes, completion_key, conversation_id, qualification, obligations, pii_masked
            )
        except IntegrityError:
            if self._complement_with_key(completion_key) is None:
                raise
            return {**(self.get(reference) or {}), "changes": [], "already_stored": True}

    def _complete(
        self, reference, changes, completion_key, conversation_id, qualification, obligations, pii_masked
    ) -> Optional[Dict[str, Any]]:
        if self._complement_with_key(completion_key) is not None:
            return {**(self.get(reference) or {}), "changes": [], "already_stored": True}
        now = utc_now()
        statement = self._select().where(Declaration.reference == reference).with_for_update()
        with self.session() as session, session.begin():
            row = session.execute(statement).scalars().first()
            if row is None:
                return None
            before = declaration_to_dict(row)
            merged = validate_fields({**{f: before[f] for f in schema.FIELDS}, **changes})
            history = []
            for field in schema.FIELDS:
                if field in changes and _jsonable(merged[field]) != before[field]:
                    setattr(row, field, merged[field])
                    history.append(
                        DeclarationChange(
                            declaration_id=row.id,
                            field=field,
                            old_value=before[field],
                            new_value=_jsonable(merged[field]),
                            changed_at=now,
                            conversation_id=conversation_id,
                        )
                    )
            row.unknown_fields = unknown_fields(merged)
            row.qualification = validate_qualification(qualification)
            row.obligations = validate_obligations(obligations)
            row.pii_masked = (row.pii_masked or 0) + pii_masked
            row.status, row.updated_at = "completee", now
            session.flush()
            changed = [{"field": c.field, "old_value": c.old_value, "new_value": c.new_value} for c in history]
            message = outbox.new_message(
                row, {**declaration_to_dict(row), "changes": changed}, "complement", now, idempotency_key=completion_key
            )
            session.add(message)
            session.flush()
            for change in history:
                change.outbox_id = message.id
            session.add_all(history)
            crash_point("before_commit")
        crash_point("after_commit")
        return {
            **declaration_to_dict(row),
            "transmission": outbox.transmission_dict(message),
            "changes": changed,
            "already_stored": False,
        }

    def _complement_with_key(self, completion_key: str) -> Optional[int]:
        with self.session() as session:
            return session.execute(
                select(OutboxMessage.id).where(OutboxMessage.idempotency_key == completion_key)
            ).scalar()

    def changes(self, reference: str) -> List[Dict[str, Any]]:
        """The history of a declaration's completions, oldest first."""
        statement = (
            select(DeclarationChange)
            .join(Declaration, Declaration.id == DeclarationChange.declaration_id)
            .where(Declaration.reference == reference, Declaration.synthetic.is_(self.synthetic))
            .order_by(DeclarationChange.id)
        )
        with self.session() as session:
            return [
                {
                    "field": c.field,
                    "old_value": c.old_value,
                    "new_value": c.new_value,
                    "changed_at": to_paris_iso(c.changed_at),
                    "conversation_id": c.conversation_id,
                }
                for c in session.execute(statement).scalars()
            ]

    # Reading -------------------------------------------------------------

    def _select(self):
        """Declarations of this store's kind only (real or synthetic)."""
        return select(Declaration).where(Declaration.synthetic.is_(self.synthetic))

    def get(self, reference: str) -> Optional[Dict[str, Any]]:
        return self._first(self._select().where(Declaration.reference == reference))

    def get_in_conversation(self, reference: str, conversation_id: str) -> Optional[Dict[str, Any]]:
        """The declaration only if it was made in that conversation."""
        return self._first(
            self._select().where(Declaration.reference == reference, Declaration.conversation_id == conversation_id)
        )

    def _get_by_key(self, submission_key: str) -> Optional[Dict[str, Any]]:
        return self._first(self._select().where(Declaration.submission_key == submission_key))

    def _first(self, statement) -> Optional[Dict[str, Any]]:
        with self.session() as session:
            row = session.execute(statement).scalars().first()
            return _with_transmission(session, [row])[0] if row is not None else None

    def count_by_submission_key(self, key: str) -> int:
        with self.session() as session:
            statement = select(Declaration.id).where(Declaration.submission_key == key)
            return len(session.execute(statement).all())

    def list(self, filters: Optional[Dict[str, Any]] = None, limit: int = 100, offset: int = 0) -> List[Dict[str, Any]]:
        """Declarations matching ``filters``, newest first."""
        _check_page(limit, offset)
        statement = (
            self._select()
            .where(*build_conditions(filters or {}))
            .order_by(Declaration.created_at.desc(), Declaration.id.desc())
            .limit(limit)
            .offset(offset)
        )
        with self.session() as session:
            rows = session.execute(statement).scalars().all()
            return _with_transmission(session, rows)

    def count(self, *filter_sets: Dict[str, Any]) -> int:
        """How many declarations match every one of ``filter_sets``."""
        conditions = [c for filters in filter_sets for c in build_conditions(filters)]
        statement = select(func.count(Declaration.id)).where(Declaration.synthetic.is_(self.synthetic), *conditions)
        with self.session() as session:
            return session.execute(statement).scalar_one()

    def all_matching(self, filters: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        """Every declaration matching ``filters``, oldest first (indicators, full exports)."""
        statement = (
            self._select().where(*build_conditions(filters or {})).order_by(Declaration.created_at, Declaration.id)
        )
        with self.session() as session:
            rows = session.execute(statement).scalars().all()
            return _with_transmission(session, rows)


def _with_transmission(session, rows: List[Declaration]) -> List[Dict[str, Any]]:
    """Spec JSON of each declaration plus the state of its forwarding and its files."""
    ids = [row.id for row in rows]
    latest = outbox.latest_messages(session, ids)
    files = attachments.listed(session, ids)
    return [
        {
            **declaration_to_dict(row),
            "transmission": outbox.transmission_dict(latest.get(row.id)),
            "attachments": files.get(row.id, []),
        }
        for row in rows
    ]


def _check_page(limit: Any, offset: Any) -> None:
    for name, value, low in (("limit", limit, 1), ("offset", offset, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} : nombre entier supérieur ou égal à {low} attendu.")
    if limit > MAX_LIST_LIMIT:
        raise ValueError(f"limit : {MAX_LIST_LIMIT} au maximum.")
    if offset > MAX_OFFSET:
        raise ValueError(f"offset : {MAX_OFFSET} au maximum.")


def build_conditions(filters: Dict[str, Any]) -> list:
    """SQL conditions for ``DeclarationStore.list`` (None values are ignored)."""
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise ValueError(f"Filtre(s) inconnu(s) : {', '.join(unknown)}.")
    conditions = []
    for key, value in filters.items():
        if value is not None:
            conditions.append(_condition(key, value))
    return conditions


def _condition(key: str, value: Any):
    if key in _FILTER_ENUMS:
        if value not in _FILTER_ENUMS[key]:
            raise ValueError(f"Filtre {key} : valeur inconnue « {value} ».")
        return getattr(Declaration, key) == value
    if key in ("grave", "significatif"):
        if not isinstance(value, bool):
            raise ValueError(f"Filtre {key} : booléen attendu.")
        flag = Declaration.qualification[key].as_boolean()
        return flag if value else not_(flag)
    if key == "structure_name":
        if not isinstance(value, str):
            raise ValueError("Filtre structure_name : texte attendu.")
        return Declaration.structure_name.ilike(f"%{_escape_like(value)}%", escape="\\")
    bound, exclusive = _parse_bound(value, f"Filtre {key}", upper=(key == "until"))
    if key == "since":
        return Declaration.created_at >= bound
    return Declaration.created_at < bound if exclusive else Declaration.created_at <= bound


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- CLI ----------------------------------------------------------------------


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.core.storage")
    parser.add_argument("command", choices=["migrate"], help="migrate: upgrade DATABASE_URL")
    parser.parse_args(argv)
    store = DeclarationStore()
    try:
        store.migrate()
    finally:
        store.dispose()
    print("Base de données à jour.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
