"""CSV and JSON exports of the filtered declarations list (every matching row).

The raw CSV is the API's (``bot.web.api.to_csv``: same columns, formula cells
neutralised); the spreadsheet CSV has the same columns for French spreadsheets
(``bot.admin.spreadsheet``). Both start with a UTF-8 byte order mark so that
Excel opens them in UTF-8. Every export is written to the audit log.
"""

import asyncio

from aiohttp import web

from bot.admin import audit, context, filters, spreadsheet
from bot.admin.middlewares import error_page
from bot.core.paris_time import PARIS, to_paris_iso
from bot.web.api import json_response, to_csv

BOM = "\ufeff"


def _filename(request: web.Request, extension: str, suffix: str = "") -> str:
    stamp = context.now(request).astimezone(PARIS).strftime("%Y%m%d-%H%M%S")
    return f"declarations-{stamp}{suffix}.{extension}"


async def _matching(request: web.Request, output: str):
    """(query, declarations) after writing the export to the audit log; or an error page."""
    query = filters.parse_list_query(request.query)
    if query.errors:
        return query, None
    settings = context.admin(request)
    items = await asyncio.to_thread(settings.store.all_matching, query.filters)
    await asyncio.to_thread(
        audit.write,
        settings.store,
        settings.clock(),
        audit.EXPORT,
        login=context.identity(request).login,
        ip=context.client_ip(request),
        details={"format": output, "filtres": query.values, "lignes": len(items)},
    )
    return query, items


def _attachment(request: web.Request, extension: str, suffix: str = "") -> dict:
    return {"Content-Disposition": f'attachment; filename="{_filename(request, extension, suffix)}"'}


async def export_csv(request: web.Request) -> web.Response:
    query, items = await _matching(request, "csv")
    if items is None:
        return error_page(request, 400, " ".join(query.errors))
    return web.Response(
        text=BOM + to_csv(items), content_type="text/csv", charset="utf-8", headers=_attachment(request, "csv")
    )


async def export_spreadsheet(request: web.Request) -> web.Response:
    """The CSV for French spreadsheets: ";", French labels and dates, same filters as the list."""
    query, items = await _matching(request, "csv-tableur")
    if items is None:
        return error_page(request, 400, " ".join(query.errors))
    return web.Response(
        text=BOM + spreadsheet.to_spreadsheet_csv(items),
        content_type="text/csv",
        charset="utf-8",
        headers=_attachment(request, "csv", "-tableur"),
    )


async def export_json(request: web.Request) -> web.Response:
    query, items = await _matching(request, "json")
    if items is None:
        return error_page(request, 400, " ".join(query.errors))
    body = {
        "exported_at": to_paris_iso(context.now(request)),
        "filters": query.values,
        "count": len(items),
        "items": items,
    }
    return json_response(body, headers=_attachment(request, "json"))
