"""The receipt as a PDF (reportlab, A4, standard Helvetica fonts): the same
content as the page, from the same ``layout.Receipt``; the reference in every
page's header and "Page n / N" in every footer."""

import io
from functools import partial
from typing import Any, List

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bot.pdf_style import (
    BLUE,
    CONTENT_WIDTH,
    MARGIN,
    PAGE_SIZE,
    ROW_TINT,
    RULE_GREY,
    STYLES,
    NumberedCanvas,
    pdf_text,
)
from bot.receipts.layout import Receipt, Rows

HEADER = "Vigie – déclaration d'incident de sécurité des systèmes d'information"
FOOTER = "Document produit par Vigie – déclaration adressée à CERT Santé et à l'ARS"
TOP_MARGIN = MARGIN + 0.6 * cm  # room for the header

_STYLES = {
    **STYLES,
    # Kept with what follows by _heading: keepWithNext would push a whole long block to the next page.
    "h2": ParagraphStyle("h2_flowing", parent=STYLES["h2"], keepWithNext=0),
    "reference": ParagraphStyle(
        "reference", fontName="Helvetica-Bold", fontSize=16, leading=20, textColor=BLUE, spaceBefore=4, spaceAfter=10
    ),
    "h3": ParagraphStyle(
        "h3", fontName="Helvetica-Bold", fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=4, keepWithNext=1
    ),
    "label": ParagraphStyle("label", parent=STYLES["cell"], fontName="Helvetica-Bold"),
    "bullet": ParagraphStyle("bullet", parent=STYLES["body"], leftIndent=12, bulletIndent=2, spaceAfter=3),
    "note": ParagraphStyle(
        "note", parent=STYLES["body"], backColor=ROW_TINT, borderPadding=6, spaceBefore=12, spaceAfter=6
    ),
    "small": ParagraphStyle("small", parent=STYLES["body"], fontSize=8.5, leading=11, spaceBefore=14),
}


def _paragraph(text: Any, style: str, **options) -> Paragraph:
    # reportlab joins lines: keep the declarant's line breaks.
    return Paragraph(pdf_text(text).replace("\n", "<br/>"), _STYLES[style], **options)


def _heading(text: str) -> List[Any]:
    """A block heading, never alone at the foot of a page."""
    return [CondPageBreak(3 * cm), _paragraph(text, "h2")]


def _rows_table(rows: Rows) -> Table:
    data = [[_paragraph(label, "label"), _paragraph(value, "cell")] for label, value in rows]
    # splitInRow: a long free text may run over a page instead of failing the layout.
    table = Table(data, colWidths=[CONTENT_WIDTH * 0.34, CONTENT_WIDTH * 0.66], hAlign="LEFT", splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (0, -1), ROW_TINT),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE_GREY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _bullets(lines: List[str], empty: str) -> List[Any]:
    if not lines:
        return [_paragraph(empty, "body")]
    return [_paragraph(line, "bullet", bulletText="•") for line in lines]


def _story(receipt: Receipt) -> List[Any]:
    story: List[Any] = [
        _paragraph(receipt.title, "title"),
        _paragraph(f"Référence : {receipt.reference}", "reference"),
        _rows_table(receipt.summary),
    ]
    for number, (title, rows) in enumerate(receipt.blocks, 1):
        story += [*_heading(f"{number}. {title}"), _rows_table(rows)]
    story += [
        *_heading("Qualification"),
        _paragraph(receipt.verdict, "body"),
        Spacer(1, 4),
        _rows_table(receipt.qualification),
        KeepTogether([_paragraph("Motifs", "h3")] + _bullets(receipt.reasons, "Aucun motif enregistré.")),
        *_heading("Obligations et échéances"),
        *_bullets(receipt.obligations, "Aucune obligation enregistrée."),
    ]
    if receipt.attachments:
        story += [*_heading("Pièces jointes"), *_bullets(receipt.attachments, "")]
    if receipt.pii_note:
        story.append(_paragraph(receipt.pii_note, "note"))
    story.append(_paragraph(f"{receipt.footer} Document édité le {receipt.produced_on}.", "small"))
    return story


def _decorate(reference: str):
    def decorate(canvas: Canvas, doc) -> None:
        width, height = PAGE_SIZE
        canvas.saveState()
        canvas.setFillColor(colors.black)
        canvas.setFont("Helvetica", 8)
        canvas.drawString(MARGIN, height - 1.4 * cm, HEADER)
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawRightString(width - MARGIN, height - 1.4 * cm, f"Référence {reference}")
        canvas.setStrokeColor(RULE_GREY)
        canvas.line(MARGIN, height - 1.6 * cm, width - MARGIN, height - 1.6 * cm)
        canvas.setFont("Helvetica", 8)
        canvas.drawString(MARGIN, 1.2 * cm, FOOTER)
        canvas.restoreState()

    return decorate


def _page_number(canvas: Canvas, page: int, total: int) -> None:
    canvas.setFont("Helvetica", 8)
    canvas.drawRightString(PAGE_SIZE[0] - MARGIN, 1.2 * cm, f"Page {page} / {total}")


def build_pdf(receipt: Receipt, *, compress: bool = True) -> bytes:
    """The PDF of ``receipt`` (``layout.build``). ``compress=False`` leaves the page
    content readable (tests)."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=MARGIN,
        title=f"{receipt.title} {receipt.reference}",
        author="Vigie",
        creator="Vigie",
        subject=f"Récapitulatif de la déclaration {receipt.reference}",
        lang="fr-FR",
        pageCompression=1 if compress else 0,
    )
    decorate = _decorate(receipt.reference)
    document.build(
        _story(receipt),
        onFirstPage=decorate,
        onLaterPages=decorate,
        canvasmaker=partial(NumberedCanvas, stamp=_page_number),
    )
    return buffer.getvalue()
