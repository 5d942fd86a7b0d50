"""Vigie's PDF conventions, shared by the declaration receipt and the
observatory report: A4 with 2 cm margins, reportlab's standard Helvetica fonts
(their WinAnsi encoding covers French: accents, « », œ, €), the palette and
the paragraph styles, and the escaping of text for reportlab's markup."""

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm

from bot.core.french import NARROW_NBSP, NBSP

PAGE_SIZE = A4
MARGIN = 2 * cm
CONTENT_WIDTH = A4[0] - 2 * MARGIN

BLUE = colors.HexColor("#000091")  # the admin pages' and charts' blue; white text on it: 14.9:1
ROW_TINT = colors.HexColor("#F2F2F9")
RULE_GREY = colors.HexColor("#BBBBBB")

STYLES = {
    "title": ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=18, leading=22, spaceAfter=6),
    "subtitle": ParagraphStyle("subtitle", fontName="Helvetica", fontSize=12, leading=15, spaceAfter=4),
    "h2": ParagraphStyle(
        "h2", fontName="Helvetica-Bold", fontSize=13, leading=16, spaceBefore=12, spaceAfter=6, keepWithNext=1
    ),
    "body": ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=12.5, alignment=TA_LEFT),
    "cell": ParagraphStyle("cell", fontName="Helvetica", fontSize=8.5, leading=10.5),
    "cell_head": ParagraphStyle(
        "cell_head", fontName="Helvetica-Bold", fontSize=8.5, leading=10.5, textColor=colors.white
    ),
}


def pdf_text(text: Any) -> str:
    """Escaped for reportlab markup; U+202F (not in the WinAnsi encoding of
    the standard fonts) becomes a no-break space."""
    return escape(str(text)).replace(NARROW_NBSP, NBSP)
