"""The declarant's receipt: ``/recu/{reference}?t=<token>`` (printable page)
and ``/recu/{reference}.pdf?t=<token>`` (PDF), opened by the signed links of
``bot.receipts.links``.

Every refusal (no token, forged, expired, made for another reference, unknown
or malformed reference) is the same French 404 page: nothing tells whether a
reference exists. The token is checked before the database is read.
"""

import asyncio
import time
from typing import Any, Dict, Optional

from aiohttp import web

from bot.admin.display import NOT_GIVEN
from bot.core.references import is_valid_reference
from bot.core.storage import DeclarationStore
from bot.receipts import layout
from bot.receipts.links import verify_receipt_token
from bot.receipts.pdf import build_pdf
from bot.web.documents import POLICY, TEMPLATES

STORE_KEY = web.AppKey("receipt_store", DeclarationStore)
SECRET_KEY = web.AppKey("receipt_secret", bytes)  # empty: every link is refused
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the link is a capability: never leak it
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}


def _html(receipt: Optional[layout.Receipt], status: int = 200, pdf_url: str = "") -> web.Response:
    text = TEMPLATES.get_template("receipt.html").render(receipt=receipt, pdf_url=pdf_url, not_given=NOT_GIVEN)
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8", headers=HEADERS)


def not_found() -> web.Response:
    return _html(None, status=404)


async def _declaration(request: web.Request) -> Optional[Dict[str, Any]]:
    """The declaration the link opens, or None whatever the reason."""
    reference = request.match_info.get("reference", "")
    if not is_valid_reference(reference):
        return None
    if not verify_receipt_token(request.query.get("t"), reference, request.app[SECRET_KEY], time.time()):
        return None
    return await asyncio.to_thread(request.app[STORE_KEY].get, reference)


async def receipt_page(request: web.Request) -> web.Response:
    declaration = await _declaration(request)
    if declaration is None:
        return not_found()
    # Relative, next to this page; a verified token holds only URL-safe characters.
    pdf_url = f"{declaration['reference']}.pdf?t={request.query['t']}"
    return _html(layout.build(declaration), pdf_url=pdf_url)


async def receipt_pdf(request: web.Request) -> web.Response:
    declaration = await _declaration(request)
    if declaration is None:
        return not_found()
    pdf = await asyncio.to_thread(build_pdf, layout.build(declaration))
    disposition = f'attachment; filename="declaration-{declaration["reference"]}.pdf"'
    return web.Response(
        body=pdf, content_type="application/pdf", headers={**HEADERS, "Content-Disposition": disposition}
    )


async def anything_else(request: web.Request) -> web.Response:
    return not_found()


def add_receipt_pages(app: web.Application, store: DeclarationStore, secret: Optional[bytes]) -> None:
    """The receipt routes; ``secret`` is VIGIE_RECEIPT_SECRET (None: every link is refused)."""
    app[STORE_KEY] = store
    app[SECRET_KEY] = secret or b""  # verify_receipt_token refuses an empty secret
    # The PDF first: "/recu/{reference}" would also match "SSI-2026-000001.pdf".
    app.router.add_get("/recu/{reference}.pdf", receipt_pdf)
    app.router.add_get("/recu/{reference}", receipt_page)
    app.router.add_get("/recu/{tail:.*}", anything_else)
