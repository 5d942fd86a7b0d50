"""Downloads of the observatory: the PDF report and the CSV of the indicators.

``build_report(indicators)`` lays out, with reportlab's standard Helvetica
fonts: title, period, scope (region, structure type), headline figures, each
chart (PNG) with its table, a note on the method, and on every page a footer
of three lines: the source, the scope, "page n sur N". When the declarations
are synthetic (asked, or any DEMO- reference among them) every page also
carries a banner and a watermark "Données synthétiques de démonstration",
and its footer's last line starts with it.

``indicators_csv(indicators)`` is one row per figure, comma-separated,
UTF-8, decimal point (the Etalab conventions for open data).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from functools import partial
from typing import Any, Dict, Iterable, List, Optional

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bot.core import schema
from bot.core.french import format_date_fr
from bot.core.paris_time import PARIS
from bot.observatory import charts
from bot.observatory.period import UTC
from bot.observatory.scope import Scope
from bot.observatory.tables import COUNT, SHARE, all_tables, headline_figures
from bot.pdf_style import CONTENT_WIDTH, MARGIN, ROW_TINT, RULE_GREY, STYLES, NumberedCanvas, pdf_text

SYNTHETIC_MARK = "Données synthétiques de démonstration"
SYNTHETIC_NOTE = (
    "Ce rapport est calculé sur des déclarations synthétiques, générées pour la démonstration : "
    "ses chiffres ne décrivent aucun incident réel."
)
TITLE = "Observatoire des incidents de sécurité des systèmes d'information"
SUBTITLE = "Structures de santé et médico-sociales : déclarations à CERT Santé et aux ARS"
SOURCE = "Source : déclarations d'incidents enregistrées dans Vigie, extraites le {date}."
METHOD = (
    "Méthode : sont comptées les déclarations soumises pendant la période (date de soumission, heure de "
    "Paris). Une structure est identifiée par son numéro FINESS, à défaut par son nom. L'origine est celle "
    "déclarée, à défaut celle du type d'incident. Le délai va de la détection à la soumission de la "
    "déclaration ; « le jour même » s'entend du même jour calendaire à Paris. Les parts sont calculées sur "
    "l'ensemble des déclarations de la période (sur celles dont le délai est connu pour les délais)."
)

FOOTER_FONT, FOOTER_SIZE = "Helvetica", 8
FOOTER_BASELINE = 0.8 * cm  # the last line's; the lines above go up by FOOTER_LEADING
FOOTER_LEADING = 0.35 * cm

MARK_RED = colors.HexColor("#CE0500")  # white text on it: 5.6:1
HEADER_BLUE = colors.HexColor(charts.PRIMARY)  # white text on it: 14.9:1

_STYLES = {
    **STYLES,
    "mark": ParagraphStyle(
        "mark",
        fontName="Helvetica-Bold",
        fontSize=10.5,
        leading=13.5,
        textColor=colors.white,
        backColor=MARK_RED,
        borderPadding=6,
        spaceBefore=6,
        spaceAfter=10,
    ),
}


def _paragraph(text: Any, style: str) -> Paragraph:
    return Paragraph(pdf_text(text), _STYLES[style])


# --- Page decoration -------------------------------------------------------------


def scope_label(indicators: Dict[str, Any]) -> str:
    """ "région « Bretagne », tous les types de structure" (everything when not given)."""
    return (indicators.get("scope") or Scope().as_dict())["label"]


def footer_lines(generated_on: str, scope: str, marked: bool, page: int, total: int) -> List[str]:
    """The footer, top line first; each line is drawn alone, so none runs into another."""
    page_text = f"page {page} sur {total}"
    return [
        SOURCE.format(date=generated_on),
        f"Périmètre : {scope}.",
        f"{SYNTHETIC_MARK} — {page_text}" if marked else page_text.capitalize(),
    ]


def _footer_stamp(generated_on: str, scope: str, marked: bool):
    def stamp(canvas, page: int, total: int) -> None:
        lines = footer_lines(generated_on, scope, marked, page, total)
        canvas.saveState()
        canvas.setFont(FOOTER_FONT, FOOTER_SIZE)
        canvas.setFillColor(colors.black)
        for rank, line in enumerate(reversed(lines)):
            canvas.drawString(MARGIN, FOOTER_BASELINE + rank * FOOTER_LEADING, line)
        canvas.restoreState()

    return stamp


def _page_decoration(marked: bool):
    def decorate(canvas, doc) -> None:
        if marked:
            canvas.saveState()
            _watermark(canvas)
            _banner(canvas)
            canvas.restoreState()

    return decorate


def _watermark(canvas) -> None:
    canvas.saveState()
    canvas.setFillColor(MARK_RED, alpha=0.12)
    canvas.translate(A4[0] / 2, A4[1] / 2)
    canvas.rotate(50)
    canvas.setFont("Helvetica-Bold", 38)
    canvas.drawCentredString(0, 0, SYNTHETIC_MARK)
    canvas.restoreState()


def _banner(canvas) -> None:
    height = 0.9 * cm
    canvas.setFillColor(MARK_RED)
    canvas.rect(0, A4[1] - height, A4[0], height, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawCentredString(A4[0] / 2, A4[1] - height + 0.3 * cm, SYNTHETIC_MARK)


# --- Flowables ---------------------------------------------------------------------


def _table(headers: List[str], rows: List[List[str]], numeric: Iterable[int], widths: List[float]) -> Table:
    data = [[_paragraph(h, "cell_head") for h in headers]]
    data += [[_paragraph(cell, "cell") for cell in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BLUE),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE_GREY),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    style += [("BACKGROUND", (0, i), (-1, i), ROW_TINT) for i in range(2, len(data), 2)]
    table.setStyle(TableStyle(style))
    for column in numeric:
        for row in data[1:]:
            row[column].style = ParagraphStyle("num", parent=_STYLES["cell"], alignment=2)
    return table


def _headline(indicators: Dict[str, Any]) -> Table:
    rows = [[label, value] for label, value in headline_figures(indicators)]
    return _table(["Indicateur", "Valeur"], rows, numeric=[1], widths=[CONTENT_WIDTH * 0.68, CONTENT_WIDTH * 0.32])


def _chart_image(indicators: Dict[str, Any], chart_id: str) -> Image:
    data = charts.png(indicators, chart_id)
    width, height = ImageReader(io.BytesIO(data)).getSize()
    scale = CONTENT_WIDTH / width
    return Image(io.BytesIO(data), width=CONTENT_WIDTH, height=height * scale)


def _chart_section(indicators: Dict[str, Any], chart_id: str, table) -> List[Any]:
    numeric = [i for i, (_, kind) in enumerate(table.columns) if kind in (COUNT, SHARE)]
    first = CONTENT_WIDTH * 0.5
    others = [(CONTENT_WIDTH - first) / (len(table.columns) - 1)] * (len(table.columns) - 1)
    body = (
        _table(table.headers, table.display_rows(), numeric, [first] + others)
        if table.rows
        else _paragraph(table.description, "body")
    )
    # Kept on one page when it fits: a heading or a short table alone at a page end reads badly.
    return [KeepTogether([_paragraph(table.title, "h2"), _chart_image(indicators, chart_id), Spacer(1, 4), body])]


def _story(indicators: Dict[str, Any], marked: bool) -> List[Any]:
    story: List[Any] = [
        _paragraph(TITLE, "title"),
        _paragraph(SUBTITLE, "subtitle"),
        _paragraph(f"Période : {indicators['period']['label']}.", "subtitle"),
        _paragraph(f"Périmètre : {scope_label(indicators)}.", "subtitle"),
    ]
    if marked:
        story.append(_paragraph(f"{SYNTHETIC_MARK}. {SYNTHETIC_NOTE}", "mark"))
    story += [_paragraph("Chiffres clés", "h2"), _headline(indicators)]
    for chart_id, table in all_tables(indicators).items():
        story += _chart_section(indicators, chart_id, table)
    story += [Spacer(1, 10), _paragraph(METHOD, "body")]
    return story


def build_report(
    indicators: Dict[str, Any],
    *,
    synthetic: bool = False,
    generated_at: Optional[datetime] = None,
    compress: bool = True,
) -> bytes:
    """The PDF report of ``indicators`` (from ``indicators.compute``).

    ``synthetic`` marks every page; it is forced when any declaration counted
    is synthetic. ``compress=False`` leaves page content readable (tests)."""
    marked = synthetic or indicators.get("synthetic_count", 0) > 0
    generated_on = format_date_fr((generated_at or datetime.now(UTC)).astimezone(PARIS).date())
    buffer = io.BytesIO()
    scope = scope_label(indicators)
    title = f"{TITLE} ({indicators['period']['label']}, {scope})"
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title + (f" - {SYNTHETIC_MARK}" if marked else ""),
        author="Vigie",
        subject=SUBTITLE,
        creator="Vigie",
        lang="fr-FR",
        pageCompression=1 if compress else 0,
    )
    decorate = _page_decoration(marked)
    document.build(
        _story(indicators, marked),
        onFirstPage=decorate,
        onLaterPages=decorate,
        canvasmaker=partial(NumberedCanvas, stamp=_footer_stamp(generated_on, scope, marked)),
    )
    return buffer.getvalue()


# --- CSV -------------------------------------------------------------------------------

CSV_HEADERS = ["Rubrique", "Code", "Libellé", "Valeur", "Part (%)"]


def _percent(share: Optional[float]) -> str:
    return "" if share is None else f"{share * 100:.2f}"


def _number(value: Optional[float]) -> str:
    if value is None:
        return ""
    return str(value) if isinstance(value, int) else f"{value:.2f}"


def _breakdown_rows(section: str, rows: List[Dict[str, Any]]) -> List[List[str]]:
    return [[section, r["key"], r["label"], _number(r["count"]), _percent(r["share"])] for r in rows]


def _flag_row(section: str, code: str, label: str, item: Dict[str, Any]) -> List[str]:
    return [section, code, label, _number(item["count"]), _percent(item["share"])]


def _scope_rows(scope: Dict[str, Any]) -> List[List[str]]:
    """The region and structure type counted: their label, or "Toutes" / "Tous"."""
    region = schema.REGIONS[scope["region"]] if scope["region"] else "Toutes"
    structure_type = schema.STRUCTURE_TYPES[scope["structure_type"]] if scope["structure_type"] else "Tous"
    return [
        ["Périmètre", "region", schema.FIELD_LABELS["region"], region, ""],
        ["Périmètre", "structure_type", schema.FIELD_LABELS["structure_type"], structure_type, ""],
    ]


def _csv_rows(ind: Dict[str, Any]) -> List[List[str]]:
    delay, qualification = ind["delay"], ind["qualification"]
    rows = [
        ["Période", "debut", "Début de la période", ind["period"]["since"], ""],
        ["Période", "fin", "Fin de la période", ind["period"]["until"], ""],
        *_scope_rows(ind.get("scope") or Scope().as_dict()),
        ["Synthèse", "declarations", "Déclarations", _number(ind["total"]), ""],
        ["Synthèse", "structures", "Structures déclarantes distinctes", _number(ind["structures"]["count"]), ""],
        [
            "Synthèse",
            "sans_finess",
            "Déclarations sans numéro FINESS",
            _number(ind["structures"]["declarations_without_finess"]),
            "",
        ],
        ["Synthèse", "synthetiques", "Déclarations synthétiques (démonstration)", _number(ind["synthetic_count"]), ""],
    ]
    rows += _breakdown_rows("Type de structure", ind["by_structure_type"])
    rows += _breakdown_rows("Région", ind["by_region"])
    rows += _breakdown_rows("Origine", ind["origin"]["rows"])
    rows += _breakdown_rows("Type d'incident", ind["by_incident_type"])
    rows += _breakdown_rows("Impact sur les données", ind["data_impact"])
    rows += _breakdown_rows("Impact sur l'activité", ind["care_impact"])
    rows += _breakdown_rows("Mise en danger de patients", ind["patient_endangerment"])
    rows.append(
        _flag_row("Accompagnement", "demande", "Accompagnement du CERT Santé demandé", ind["support_requested"])
    )
    rows.append(_flag_row("Qualification", "grave", "Incidents graves", qualification["grave"]))
    rows.append(_flag_row("Qualification", "significatif", "Incidents significatifs", qualification["significatif"]))
    rows.append(_flag_row("Qualification", "ni_l_un_ni_l_autre", "Ni grave ni significatif", qualification["neither"]))
    rows += [
        ["Délai de déclaration", "connu", "Déclarations dont le délai est connu", _number(delay["known"]), ""],
        ["Délai de déclaration", "mediane_heures", "Délai médian (heures)", _number(delay["median_hours"]), ""],
        ["Délai de déclaration", "moyenne_heures", "Délai moyen (heures)", _number(delay["mean_hours"]), ""],
        ["Délai de déclaration", "centile_80_heures", "80e centile du délai (heures)", _number(delay["p80_hours"]), ""],
        _flag_row("Délai de déclaration", "jour_meme", "Déclarées le jour de la détection", delay["same_day"]),
        _flag_row("Délai de déclaration", "sous_24h", "Déclarées dans les 24 heures", delay["within_24h"]),
    ]
    for month in ind["monthly"]:
        rows.append(["Déclarations par mois", month["month"], month["label"], _number(month["count"]), ""])
        rows.append(
            ["Déclarations malveillantes par mois", month["month"], month["label"], _number(month["malicious"]), ""]
        )
    return rows


def indicators_csv(indicators: Dict[str, Any]) -> str:
    """The indicators as a flat CSV with French headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADERS)
    writer.writerows(_csv_rows(indicators))
    return buffer.getvalue()
