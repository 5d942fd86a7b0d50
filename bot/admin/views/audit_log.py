"""The audit log page (administrateur only), newest entries first."""

import asyncio
import math

from aiohttp import web

from bot.admin import audit, context, display
from bot.admin.templating import render

PAGE_SIZE = 50
DETAIL_LABELS = {
    "format": "format",
    "filtres": "filtres",
    "lignes": "lignes",
    "motif": "motif",
    "role": "rôle",
    "avant": "avant",
    "apres": "après",
}


def _details_text(details) -> str:
    if not details:
        return ""
    parts = []
    for key, value in details.items():
        if isinstance(value, dict):
            value = ", ".join(f"{name} = {item}" for name, item in value.items()) or "aucun"
        parts.append(f"{DETAIL_LABELS.get(key, key)} : {value}")
    return " ; ".join(parts)


def _page_number(request: web.Request) -> int:
    text = request.query.get("page", "1")
    if not text.isdigit() or not 1 <= int(text) <= 10**6:
        raise web.HTTPBadRequest()
    return int(text)


async def audit_page(request: web.Request) -> web.Response:
    context.require_admin(request)
    page = _page_number(request)
    store = context.admin(request).store
    total = await asyncio.to_thread(audit.count, store)
    entries = await asyncio.to_thread(audit.page, store, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    rows = [
        {
            "at": display.datetime_short(entry.at),
            "login": entry.login or "—",
            "action": audit.ACTION_LABELS.get(entry.action, entry.action),
            "target": entry.target or "",
            "details": _details_text(entry.details),
            "ip": entry.ip or "—",
        }
        for entry in entries
    ]
    return render(request, "audit.html", rows=rows, page=page, total=total, pages=math.ceil(total / PAGE_SIZE))
