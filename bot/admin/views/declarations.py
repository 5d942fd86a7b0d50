"""The declarations list (filters, counts, pages), one declaration's detail and its PDF."""

import asyncio
import math
from urllib.parse import quote

from aiohttp import web

from bot.admin import audit, context, display, filters
from bot.admin.middlewares import error_page
from bot.admin.queries import count_matching
from bot.admin.templating import render
from bot.core import schema
from bot.core.references import is_valid_reference
from bot.receipts import layout
from bot.receipts.pdf import build_pdf


async def index(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther(request.app.router["declarations"].url_for())


def _form_choices() -> dict:
    return {
        "incident_type": filters.ENUM_CHOICES["incident_type"],
        "structure_type": filters.ENUM_CHOICES["structure_type"],
        "region": filters.ENUM_CHOICES["region"],
        "status": filters.STATUS_CHOICES,
        "grave": filters.BOOLEAN_CHOICES,
        "significatif": filters.BOOLEAN_CHOICES,
    }


def _rows(items: list) -> list:
    return [
        {
            "reference": item["reference"],
            "created_at": display.datetime_short(item["created_at"]),
            "structure_name": item["structure_name"] or display.NOT_GIVEN,
            "structure_type": display.field_value("structure_type", item["structure_type"]),
            "region": display.field_value("region", item["region"]),
            "incident_type": display.field_value("incident_type", item["incident_type"]),
            "status": display.field_value("status", item["status"]),
            "grave": display.yes_no((item.get("qualification") or {}).get("grave")),
            "significatif": display.yes_no((item.get("qualification") or {}).get("significatif")),
            "transmission": display.transmission_state(item),
        }
        for item in items
    ]


async def _load_page(store, query: filters.ListQuery):
    def load():
        counts = count_matching(store, query.filters)
        items = store.list(query.filters, filters.PAGE_SIZE, query.offset)
        return counts, items

    return await asyncio.to_thread(load)


async def declarations_list(request: web.Request) -> web.Response:
    query = filters.parse_list_query(request.query)
    page = {
        "query": query,
        "labels": filters.FORM_LABELS,
        "choices": _form_choices(),
        "counts": None,
        "rows": [],
        "pages": 0,
    }
    if query.errors:
        return render(request, "declarations.html", status=400, **page)
    counts, items = await _load_page(context.admin(request).store, query)
    page.update(counts=counts, rows=_rows(items), pages=math.ceil(counts["total"] / filters.PAGE_SIZE))
    return render(request, "declarations.html", **page)


async def _declaration(request: web.Request) -> dict:
    """The declaration of the path's reference, or 404."""
    reference = request.match_info["reference"]
    if not is_valid_reference(reference):
        raise web.HTTPNotFound()
    declaration = await asyncio.to_thread(context.admin(request).store.get, reference)
    if declaration is None:
        raise web.HTTPNotFound()
    return declaration


async def _audit(request: web.Request, action: str, reference: str, details=None) -> None:
    settings = context.admin(request)
    await asyncio.to_thread(
        audit.write,
        settings.store,
        settings.clock(),
        action,
        login=context.identity(request).login,
        ip=context.client_ip(request),
        target=reference,
        details=details,
    )


async def declaration_detail(request: web.Request) -> web.Response:
    declaration = await _declaration(request)
    await _audit(request, audit.VIEW, declaration["reference"])
    changes = await asyncio.to_thread(context.admin(request).store.changes, declaration["reference"])
    qualification = declaration.get("qualification") or {}
    return render(
        request,
        "declaration.html",
        declaration=declaration,
        blocks=display.blocks(declaration),
        record=display.record_rows(declaration),
        grave=display.yes_no(qualification.get("grave")),
        significatif=display.yes_no(qualification.get("significatif")),
        reasons=qualification.get("reasons") or [],
        obligations=display.obligations_fr(declaration),
        transmission=display.transmission_rows(declaration),
        history=display.history_rows(changes),
        labels=schema.FIELD_LABELS,
    )


async def attachment_file(request: web.Request) -> web.Response:
    """One file, downloaded as received: never shown inline, never sniffed (audited as an export)."""
    declaration = await _declaration(request)
    files = context.admin(request).store.attachments()
    stored = await asyncio.to_thread(files.get, declaration["reference"], int(request.match_info["number"]))
    if stored is None:
        return error_page(request, 404, "Cette déclaration n'a pas de pièce jointe à ce numéro.")
    try:
        data = await asyncio.to_thread(files.read, stored)
    except FileNotFoundError:
        return error_page(request, 404, "Le fichier de cette pièce jointe n'est plus sur le disque.")
    await _audit(request, audit.EXPORT, declaration["reference"], {"format": "piece-jointe", "id": stored.id})
    return web.Response(
        body=data,
        content_type="application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(stored.name),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


async def declaration_pdf(request: web.Request) -> web.Response:
    """The declaration as the declarant's receipt gives it, in PDF (an export, audited as such)."""
    declaration = await _declaration(request)
    await _audit(request, audit.EXPORT, declaration["reference"], {"format": "pdf"})
    receipt = layout.build(declaration, context.now(request))
    pdf = await asyncio.to_thread(build_pdf, receipt)
    disposition = f'attachment; filename="declaration-{declaration["reference"]}.pdf"'
    return web.Response(body=pdf, content_type="application/pdf", headers={"Content-Disposition": disposition})
