"""Files a declarant adds to a declaration: a photo of the ransom note, a PDF, a log extract.

Checked before anything is written: at most 10 MB each and 5 per declaration; the type is
read in the content (``filetype``'s signatures, or text), never taken from the name or
from what the browser says. Kept on disk under a random name, in ``VIGIE_ATTACHMENTS_DIR``
(outside the web root: nothing serves that folder), readable by Vigie's user only; the
name as given is kept in the database for display. Vigie never opens, runs or shows a
file: the admin downloads it as an attachment.

A file added during the conversation waits for the declaration (``link_pending`` at
submission); added once the declaration is sent (completing it), it joins that
declaration at once. Either way an outbox message ``piece_jointe`` forwards it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional

import filetype
from sqlalchemy import func, select, text

from bot.core import outbox
from bot.core.models import Attachment, Declaration
from bot.core.paris_time import UTC

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
MAX_NAME = 120
# What may be added, with the words the person reads.
MEDIA_TYPES: Dict[str, str] = {
    "image/png": "image PNG",
    "image/jpeg": "image JPEG",
    "image/gif": "image GIF",
    "image/webp": "image WebP",
    "application/pdf": "PDF",
    "text/plain": "texte",
}
ACCEPTED_TEXT = "une image (PNG, JPEG, GIF, WebP), un PDF ou un fichier texte"
TEXT_ENCODINGS = ("utf-8", "cp1252")
# Control characters a log extract may hold; any other makes the file binary.
TEXT_CONTROLS = {"\t", "\n", "\r", "\f"}


class Refused(ValueError):
    """A file that is not kept; the message is French, for the person who added it."""


@dataclass(frozen=True)
class StoredFile:
    id: int
    name: str
    media_type: str
    size: int
    sha256: str
    stored_name: str
    created_at: datetime
    reference: Optional[str] = None  # the sent declaration it joined, if any

    @property
    def label(self) -> str:
        """« rancon.png (image PNG, 120 Ko) »."""
        return f"{self.name} ({MEDIA_TYPES.get(self.media_type, self.media_type)}, {size_text(self.size)})"

    def public(self) -> Dict[str, Any]:
        """What the authority and the API see (never the name on disk)."""
        return {"name": self.name, "media_type": self.media_type, "size": self.size, "sha256": self.sha256}


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} octets"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} Ko"
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")


def clean_name(name: Optional[str]) -> str:
    """The file's own name, without a folder or control characters, cut to 120 characters."""
    base = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    if len(base) > MAX_NAME:
        stem, dot, extension = base.rpartition(".")
        base = (stem[: MAX_NAME - len(extension) - 2] + "…" + dot + extension) if dot else base[:MAX_NAME]
    return base or "piece-jointe"


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in TEXT_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(unicodedata.category(c) == "Cc" and c not in TEXT_CONTROLS for c in text)
    return False


def media_type_of(data: bytes) -> str:
    """The type found in the content, or ``Refused``."""
    if not data:
        raise Refused("Ce fichier est vide.")
    kind = filetype.guess(data)
    if kind is not None:
        if kind.mime in MEDIA_TYPES:
            return kind.mime
        raise Refused(f"Ce type de fichier ({kind.extension}) n'est pas accepté : ajoutez {ACCEPTED_TEXT}.")
    if _is_text(data):
        return "text/plain"
    raise Refused(f"Le contenu de ce fichier n'est pas reconnu : ajoutez {ACCEPTED_TEXT}.")


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise Refused(f"Ce fichier fait {size_text(size)} : la limite est de 10 Mo par fichier.")


def _stored(row: Attachment) -> StoredFile:
    return StoredFile(row.id, row.name, row.media_type, row.size, row.sha256, row.stored_name, row.created_at)


def forward_message(declaration: Any, row: Attachment, now: datetime):
    """The outbox message that forwards one file: the worker reads ``stored_name`` and sends
    the content in its place."""
    attachment = {**_stored(row).public(), "id": row.id, "stored_name": row.stored_name}
    payload = {"reference": declaration.reference, "attachment": attachment}
    return outbox.new_message(declaration, payload, "piece_jointe", now, idempotency_key=f"piece-jointe-{row.id}")


def link_pending(session, declaration: Any, now: datetime) -> int:
    """At submission, in its transaction: the conversation's waiting files join the declaration."""
    if not declaration.conversation_id or declaration.synthetic:
        return 0
    rows = session.scalars(
        select(Attachment)
        .where(Attachment.conversation_id == declaration.conversation_id, Attachment.declaration_id.is_(None))
        .order_by(Attachment.id)
    ).all()
    for row in rows:
        row.declaration_id = declaration.id
        session.add(forward_message(declaration, row, now))
    return len(rows)


def listed(session, declaration_ids: List[int]) -> Dict[int, List[Dict[str, Any]]]:
    """Each declaration's files, as the API, the receipt and the admin show them."""
    if not declaration_ids:
        return {}
    rows = session.scalars(
        select(Attachment).where(Attachment.declaration_id.in_(declaration_ids)).order_by(Attachment.id)
    ).all()
    found: Dict[int, List[Dict[str, Any]]] = {}
    for row in rows:
        stored = _stored(row)
        found.setdefault(row.declaration_id, []).append({"id": row.id, **stored.public(), "label": stored.label})
    return found


class AttachmentStore:
    """The files of one declarations database (``store.session``) and their folder."""

    def __init__(self, session_factory, directory: Path):
        self.session = session_factory
        self.directory = Path(directory)

    def path(self, stored_name: str) -> Path:
        if not stored_name.isalnum():
            raise ValueError("stored_name")
        return self.directory / stored_name

    def add(self, conversation_id: str, name: Optional[str], data: bytes, now: Optional[datetime] = None) -> StoredFile:
        """Check, write and record one file; ``Refused`` (French) when it is not kept."""
        check_size(len(data))
        media_type = media_type_of(data)
        now = now or datetime.now(UTC)
        stored_name = secrets.token_hex(16)
        self._write(stored_name, data)
        try:
            return self._record(conversation_id, clean_name(name), media_type, data, stored_name, now)
        except BaseException:
            self.path(stored_name).unlink(missing_ok=True)
            raise

    def _write(self, stored_name: str, data: bytes) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(self.path(stored_name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)

    def _record(self, conversation_id, name, media_type, data, stored_name, now) -> StoredFile:
        """The row, then the count with it: files sent at once each counted four and were all kept.
        On SQLite the insert takes the database's write lock before the count; on PostgreSQL a
        lock per conversation makes the next upload wait for this one."""
        with self.session() as session, session.begin():
            if session.get_bind().dialect.name == "postgresql":
                key = {"key": f"vigie-attachments:{conversation_id}"}
                session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), key)
            declaration = self._sent_declaration(session, conversation_id)
            row = Attachment(
                conversation_id=conversation_id,
                declaration_id=declaration.id if declaration is not None else None,
                stored_name=stored_name,
                name=name,
                media_type=media_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                created_at=now,
            )
            session.add(row)
            session.flush()
            if self._count(session, conversation_id, declaration) > MAX_FILES:
                raise Refused(f"Cette déclaration a déjà {MAX_FILES} pièces jointes : c'est le maximum.")
            if declaration is not None:
                session.add(forward_message(declaration, row, now))
                return replace(_stored(row), reference=declaration.reference)
            return _stored(row)

    @staticmethod
    def _sent_declaration(session, conversation_id: str):
        """The conversation's latest sent declaration: a file added after sending completes it."""
        return session.scalars(
            select(Declaration)
            .where(Declaration.conversation_id == conversation_id, Declaration.synthetic.is_(False))
            .order_by(Declaration.id.desc())
            .limit(1)
        ).first()

    @staticmethod
    def _count(session, conversation_id: str, declaration) -> int:
        where = (
            Attachment.declaration_id == declaration.id
            if declaration is not None
            else (Attachment.conversation_id == conversation_id) & Attachment.declaration_id.is_(None)
        )
        return session.scalar(select(func.count()).select_from(Attachment).where(where)) or 0

    def waiting(self, conversation_id: str) -> List[StoredFile]:
        """Files added in the conversation that no declaration holds yet."""
        with self.session() as session:
            rows = session.scalars(
                select(Attachment)
                .where(Attachment.conversation_id == conversation_id, Attachment.declaration_id.is_(None))
                .order_by(Attachment.id)
            ).all()
            return [_stored(row) for row in rows]

    def of_declaration(self, reference: str) -> List[StoredFile]:
        with self.session() as session:
            rows = session.scalars(
                select(Attachment)
                .join(Declaration, Declaration.id == Attachment.declaration_id)
                .where(Declaration.reference == reference)
                .order_by(Attachment.id)
            ).all()
            return [_stored(row) for row in rows]

    def get(self, reference: str, attachment_id: int) -> Optional[StoredFile]:
        return next((f for f in self.of_declaration(reference) if f.id == attachment_id), None)

    def forget_unsent(self, cutoff: datetime) -> int:
        """Delete the files added before ``cutoff`` to a declaration that was never sent (rows
        and bytes): an abandoned conversation keeps nothing past the retention period."""
        with self.session() as session, session.begin():
            rows = session.scalars(
                select(Attachment).where(Attachment.declaration_id.is_(None), Attachment.created_at < cutoff)
            ).all()
            for row in rows:
                session.delete(row)
            names = [row.stored_name for row in rows]
        for name in names:
            self.path(name).unlink(missing_ok=True)
        return len(names)

    def read(self, stored: StoredFile) -> bytes:
        return self.path(stored.stored_name).read_bytes()
