"""Vigie's PDF conventions, shared by the declaration receipt and the
observatory report: A4 with 2 cm margins, reportlab's standard Helvetica fonts
(their WinAnsi encoding covers French: accents, « », œ, €), the palette and
the paragraph styles, the escaping of text for reportlab's markup, and a canvas
that knows the page count when it writes each page's footer."""

from typing import Any, Callable, Dict, List
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas

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


# Draws on one page once the page count is known: (canvas, page number, page count).
PageStamp = Callable[[Canvas, int, int], None]


class NumberedCanvas(Canvas):
    """Holds the pages back until the end, so that ``stamp`` can write "page n of N" on each.

    Give it to ``SimpleDocTemplate.build`` as
    ``canvasmaker=functools.partial(NumberedCanvas, stamp=...)``."""

    def __init__(self, *args: Any, stamp: PageStamp, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stamp = stamp
        self._held_pages: List[Dict[str, Any]] = []

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            self._stamp(self, self._pageNumber, total)
            super().showPage()
        super().save()
