"""``POST /pieces-jointes``: the chat page adds a file to its declaration.

The conversation is named by the token the chat server gave the page
(``Authorization: Bearer <token>``, checked with ``VIGIE_WEB_SECRET``): a page can add
files only to its own conversation, and no cookie is involved (no cross-site request can
add one). The body is ``multipart/form-data`` with one part ``fichier``; it is read up to
10 MB and refused beyond, before anything is written. Every refusal is a JSON
``{"error": "<French sentence>"}``. The file is checked and kept by ``bot.core.attachments``.
"""

import asyncio
import logging
from typing import Optional, Tuple

from aiohttp import web

from bot.channels.session_tokens import SessionTokens
from bot.core.attachments import MAX_BYTES, AttachmentStore, Refused, StoredFile
from bot.rate_limits import RateLimiter, too_fast

logger = logging.getLogger(__name__)

FIELD = "fichier"
ENVELOPE = 64 * 1024  # multipart headers around the file
TOKENS_KEY = web.AppKey("attachment_tokens", SessionTokens)
FILES_KEY = web.AppKey("attachment_store", AttachmentStore)
LIMITS_KEY = web.AppKey("attachment_limits", RateLimiter)
UPLOADS_PER_SECOND, UPLOAD_BURST = 0.5, 10
NO_SESSION = "Votre conversation n'est pas reconnue : rechargez la page, puis ajoutez le fichier à nouveau."
TOO_BIG = "Ce fichier dépasse 10 Mo : la limite est de 10 Mo par fichier."
NO_FILE = "Aucun fichier reçu : choisissez un fichier à ajouter."
UNAVAILABLE = "L'ajout de fichiers n'est pas disponible sur ce serveur : décrivez le contenu du fichier par écrit."


class Rejected(Exception):
    """A request refused before the file is looked at: (French message, HTTP status)."""


def refusal(message: str, status: int) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _read_file(request: web.Request) -> Tuple[Optional[str], bytes]:
    """(name as given, content), or ``Rejected``."""
    if request.content_length is not None and request.content_length > MAX_BYTES + ENVELOPE:
        raise Rejected(TOO_BIG, 413)
    try:
        reader = await request.multipart()
    except (AssertionError, ValueError, KeyError):
        raise Rejected(NO_FILE, 400) from None
    async for part in reader:
        if getattr(part, "name", None) != FIELD:
            continue
        data = bytearray()
        while chunk := await part.read_chunk(64 * 1024):
            data.extend(chunk)
            if len(data) > MAX_BYTES:
                raise Rejected(TOO_BIG, 413)
        return part.filename, bytes(data)
    raise Rejected(NO_FILE, 400)


def _conversation(request: web.Request) -> Optional[str]:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else None
    return request.app[TOKENS_KEY].verify(token)


def _answer(stored: StoredFile) -> dict:
    """``reference``: the sent declaration the file joined (forwarded now); None: it waits for the sending."""
    return {**stored.public(), "label": stored.label, "reference": stored.reference}


async def add_attachment(request: web.Request) -> web.Response:
    conversation = _conversation(request)
    if conversation is None:
        return refusal(NO_SESSION, 401)
    wait = request.app[LIMITS_KEY].wait(conversation)
    if wait:
        return refusal(too_fast(wait), 429)
    try:
        name, data = await _read_file(request)
        stored = await asyncio.to_thread(request.app[FILES_KEY].add, conversation, name, data)
    except Rejected as rejected:
        message, status = rejected.args
        return refusal(message, status)
    except Refused as refused:  # the content: its type, or one file too many
        logger.info("attachment refused")
        return refusal(str(refused), 422)
    return web.json_response(_answer(stored), status=201)


async def unavailable(request: web.Request) -> web.Response:
    return refusal(UNAVAILABLE, 503)


def add_attachment_route(app: web.Application, files: AttachmentStore, web_secret: str) -> None:
    """Without ``VIGIE_WEB_SECRET`` no token can be checked: every upload is refused."""
    if not web_secret:
        logger.warning("VIGIE_WEB_SECRET est vide : l'ajout de pièces jointes est désactivé.")
        app.router.add_post("/pieces-jointes", unavailable)
        return
    app[TOKENS_KEY] = SessionTokens(web_secret.encode())
    app[FILES_KEY] = files
    app[LIMITS_KEY] = RateLimiter(UPLOADS_PER_SECOND, UPLOAD_BURST)
    app.router.add_post("/pieces-jointes", add_attachment)
