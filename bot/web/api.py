"""Read-only REST API on declarations, mounted at ``/api`` by ``bot.web.app``.

GET /declarations/{reference}       one declaration (spec JSON + "transmission")
GET /declarations?filters[&format=csv]  {"items": [...], "count": n} or CSV
GET /outbox[?state=en_attente|transmise|echec]  forwarding messages and counts;
    "alert" is true while a declaration sits in the dead letter
POST /outbox/{reference}/retry     new series of attempts for a dead letter
Every route needs ``Authorization: Bearer <token>``.
"""

import asyncio
import csv
import hmac
import io
import json
import math
import time
from functools import partial
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web

from bot.client_address import client_address
from bot.core import french, schema
from bot.core.outbox import DEAD, Outbox
from bot.core.references import is_valid_reference
from bot.core.storage import FILTER_KEYS, DeclarationStore
from bot.rate_limits import RateLimiter
from bot.settings import Network, Settings

STORE_KEY = web.AppKey("store", DeclarationStore)
TOKEN_KEY = web.AppKey("token", str)
PROXIES_KEY = web.AppKey("trusted_proxies", tuple)
LIMITS_KEY = web.AppKey("api_limits", RateLimiter)
clock = time.monotonic  # the limit's clock (a test freezes it: no refill on a slow machine)
TOO_MANY = "Trop de requêtes depuis cette adresse : réessayez dans {wait}."

PAGE_KEYS = ("limit", "offset", "format")
BOOLEAN_VALUES = {"true": True, "1": True, "oui": True, "false": False, "0": False, "non": False}
CSV_COLUMNS: List[str] = (
    schema.FIELDS
    + ["reference", "grave", "significatif", "reasons"]
    + [name for name in schema.COMPUTED_FIELDS if name not in ("reference", "qualification")]
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_dumps = partial(json.dumps, ensure_ascii=False)


def json_response(data: Any, status: int = 200, **kwargs) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps, **kwargs)


def json_error(message: str, status: int, **kwargs) -> web.Response:
    return json_response({"error": message}, status=status, **kwargs)


# --- Authentication -----------------------------------------------------------


def _bearer_token(request: web.Request) -> Optional[str]:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def is_authorised(request: web.Request) -> bool:
    token = _bearer_token(request)
    expected = request.app[TOKEN_KEY]
    return token is not None and hmac.compare_digest(token.encode(), expected.encode())


# Declarations hold personal data: never cached, never sniffed into something else.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@web.middleware
async def private_headers(request: web.Request, handler):
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers.update(PRIVATE_HEADERS)
        raise
    response.headers.update(PRIVATE_HEADERS)
    return response


@web.middleware
async def rate_limit(request: web.Request, handler):
    """Per client address, before the token is checked: a flood of guesses is refused too."""
    address = client_address(request, request.app[PROXIES_KEY]) or "?"
    wait = request.app[LIMITS_KEY].wait(address)
    if wait:
        seconds = max(1, math.ceil(wait))
        return json_error(TOO_MANY.format(wait=french.wait_text(seconds)), 429, headers={"Retry-After": str(seconds)})
    return await handler(request)


@web.middleware
async def auth_middleware(request: web.Request, handler):
    if not is_authorised(request):
        return json_error(
            "Authentification requise : jeton d'accès absent ou invalide.",
            401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    return await handler(request)


# --- Query parsing ------------------------------------------------------------


def _parse_boolean(key: str, value: str) -> bool:
    try:
        return BOOLEAN_VALUES[value.strip().lower()]
    except KeyError:
        raise ValueError(f"Filtre {key} : valeur attendue « true » ou « false ».") from None


def _parse_int(key: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"Paramètre {key} : nombre entier attendu.") from None


def parse_query(query) -> Dict[str, Any]:
    """Query string -> {"filters": ..., "limit": ..., "offset": ..., "format": ...}."""
    unknown = sorted(set(query) - set(FILTER_KEYS) - set(PAGE_KEYS))
    if unknown:
        raise ValueError(f"Paramètre(s) inconnu(s) : {', '.join(unknown)}.")
    empty = sorted(key for key in query if not query[key].strip())
    if empty:
        raise ValueError(f"Paramètre(s) vide(s) : {', '.join(empty)} (omettez-les plutôt).")
    filters = {key: query[key] for key in FILTER_KEYS if key in query}
    for key in ("grave", "significatif"):
        if key in filters:
            filters[key] = _parse_boolean(key, filters[key])
    output = query.get("format", "json").lower()
    if output not in ("json", "csv"):
        raise ValueError("Paramètre format : « json » ou « csv » attendu.")
    return {
        "filters": filters,
        "limit": _parse_int("limit", query.get("limit", "100")),
        "offset": _parse_int("offset", query.get("offset", "0")),
        "format": output,
    }


# --- CSV ----------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """Prefix cells a spreadsheet would read as a formula."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def _obligation_text(item: Dict[str, Any]) -> str:
    due_by = item.get("due_by")
    return f"{item.get('authority')} ({due_by})" if due_by else str(item.get("authority"))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (list, tuple)):
        return "|".join(_cell(item) for item in value)
    return str(value)


def csv_row(declaration: Dict[str, Any]) -> List[str]:
    qualification = declaration.get("qualification") or {}
    flat = {
        **declaration,
        "grave": qualification.get("grave"),
        "significatif": qualification.get("significatif"),
        "reasons": qualification.get("reasons") or [],
        "obligations": [_obligation_text(o) for o in declaration.get("obligations") or []],
    }
    return [neutralise(_cell(flat.get(column))) for column in CSV_COLUMNS]


def to_csv(declarations: List[Dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_row(declaration) for declaration in declarations)
    return buffer.getvalue()


# --- Handlers -----------------------------------------------------------------


async def get_declaration(request: web.Request) -> web.Response:
    reference = request.match_info["reference"]
    if not is_valid_reference(reference):
        return json_error(f"Référence mal formée « {reference} » : format attendu SSI-AAAA-NNNNNN.", 400)
    declaration = await asyncio.to_thread(request.app[STORE_KEY].get, reference)
    if declaration is None:
        return json_error(f"Aucune déclaration ne porte la référence {reference}.", 404)
    return json_response(declaration)


async def list_declarations(request: web.Request) -> web.Response:
    try:
        query = parse_query(request.query)
        items = await asyncio.to_thread(request.app[STORE_KEY].list, query["filters"], query["limit"], query["offset"])
    except ValueError as error:
        return json_error(str(error), 400)
    if query["format"] == "csv":
        return web.Response(
            text=to_csv(items),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": 'attachment; filename="declarations.csv"'},
        )
    return json_response({"items": items, "count": len(items)})


async def list_outbox(request: web.Request) -> web.Response:
    unknown = sorted(set(request.query) - {"state"})
    if unknown:
        return json_error(f"Paramètre(s) inconnu(s) : {', '.join(unknown)}.", 400)
    state = request.query.get("state")
    outbox = Outbox(request.app[STORE_KEY])
    try:
        items = await asyncio.to_thread(outbox.messages, state)
    except ValueError as error:
        return json_error(str(error), 400)
    counts = await asyncio.to_thread(outbox.counts)
    return json_response({"items": items, "counts": counts, "alert": counts[DEAD] > 0})


async def retry_outbox(request: web.Request) -> web.Response:
    reference = request.match_info["reference"]
    if not is_valid_reference(reference):
        return json_error(f"Référence mal formée « {reference} ».", 400)
    requeued = await asyncio.to_thread(Outbox(request.app[STORE_KEY]).requeue, reference)
    if not requeued:
        return json_error(f"Aucune transmission en échec pour {reference}.", 404)
    return json_response({"reference": reference, "state": "en_attente"})


def create_api(store: DeclarationStore, token: str, trusted_proxies: Tuple[Network, ...] = ()) -> web.Application:
    """Sub-application to mount at ``/api``; its limits come from ``VIGIE_API_RATE`` and ``VIGIE_API_BURST``."""
    if not token:
        raise ValueError("Un jeton d'accès à l'API est obligatoire.")
    settings = Settings.from_env()
    api = web.Application(middlewares=[private_headers, rate_limit, auth_middleware])
    api[STORE_KEY] = store
    api[TOKEN_KEY] = token
    api[PROXIES_KEY] = trusted_proxies
    api[LIMITS_KEY] = RateLimiter(settings.api_rate, settings.api_burst, clock=lambda: clock())
    api.router.add_get("/declarations", list_declarations)
    api.router.add_get("/declarations/{reference}", get_declaration)
    api.router.add_get("/outbox", list_outbox)
    api.router.add_post("/outbox/{reference}/retry", retry_outbox)
    return api
