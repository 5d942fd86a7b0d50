"""Charts of the observatory, rendered on the server with matplotlib (Agg).

``svg(indicators, chart_id)`` gives SVG text for the page: text kept as text
(``svg.fonttype: none``), no XML prolog so it can be inlined, ``role="img"``
and a ``<title>`` and ``<desc>`` that state the figures in words.
``png(indicators, chart_id)`` gives PNG bytes for the PDF. The table shown
next to a chart is ``tables.chart_table(indicators, chart_id)``.

Only matplotlib's object API is used (``Figure`` + ``FigureCanvasAgg``), never
pyplot, so no figure survives a call; rcParams are set in an ``rc_context``
under a lock because matplotlib's rcParams are process-global.
"""

from __future__ import annotations

import io
import re
import textwrap
import threading
from typing import Any, Dict, List
from xml.sax.saxutils import escape, quoteattr

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage  # installed with matplotlib

from bot.core import french as fr
from bot.observatory.tables import CHART_IDS, ChartTable, chart_table

# Colours (RGAA 3.2 / 3.3: text >= 4.5:1, graphic elements >= 3:1 against white
# and against an adjacent colour; checked in tests with ``contrast_ratio``).
BACKGROUND = "#FFFFFF"
TEXT = "#161616"
PRIMARY = "#000091"  # bars; "malveillantes" in the monthly stack
SECONDARY = "#6A6AF4"  # "autres origines" stacked on PRIMARY
AXIS = "#3A3A3A"
GRID = "#DDDDDD"  # decorative only
PALETTE = (PRIMARY, SECONDARY)

WIDTH_IN = 8.0
PNG_DPI = 150
LABEL_WIDTH = 34  # characters per line of a category label
NO_DATA_TEXT = "Aucune déclaration sur la période"
_LOCK = threading.Lock()


def _rc(chart_id: str) -> Dict[str, Any]:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": f"vigie-{chart_id}",  # stable ids, distinct between charts on one page
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
        "font.size": 10,
        "text.color": TEXT,
        "axes.labelcolor": TEXT,
        "axes.edgecolor": AXIS,
        "xtick.color": TEXT,
        "ytick.color": TEXT,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


# --- Contrast (WCAG 2.1 formula, used by RGAA) ------------------------------------


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# --- Drawing ----------------------------------------------------------------------


def _wrap(label: str) -> str:
    return textwrap.fill(str(label), LABEL_WIDTH, break_on_hyphens=False)


def _draw_no_data(figure: Figure, table: ChartTable) -> None:
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, NO_DATA_TEXT, ha="center", va="center", fontsize=12, transform=ax.transAxes)
    ax.set_title(table.title, loc="left", fontweight="bold")


def _draw_monthly(figure: Figure, table: ChartTable) -> None:
    ax = figure.add_subplot()
    many = len(table.ticks) > 12
    labels = list(table.ticks) if many else [tick.replace(" ", "\n", 1) for tick in table.ticks]
    malicious = [m for _, _, m in table.rows]
    others = [total - m for _, total, m in table.rows]
    positions = list(range(len(labels)))
    ax.bar(positions, malicious, color=PRIMARY, label="Origine malveillante", zorder=2)
    ax.bar(positions, others, bottom=malicious, color=SECONDARY, label="Autres origines", zorder=2)
    if len(labels) <= 24:
        for x, (_, total, _) in zip(positions, table.rows):
            ax.annotate(
                fr.format_int(total),
                (x, total),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
            )
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, rotation=45 if many else 0, ha="right" if many else "center")
    ax.set_ylabel("Déclarations")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="y", color=GRID, zorder=0)
    ax.legend(frameon=False, loc="lower right", bbox_to_anchor=(1, 1), ncol=2)
    ax.set_title(table.title, loc="left", fontweight="bold")


def _draw_horizontal(figure: Figure, table: ChartTable, as_share: bool) -> None:
    ax = figure.add_subplot()
    rows = list(reversed(table.rows))  # barh draws bottom-up: first row on top
    values = [(share or 0) * 100 if as_share else count for _, count, share in rows]
    positions = list(range(len(rows)))
    ax.barh(positions, values, color=PRIMARY, zorder=2, height=0.6)
    ax.set_yticks(positions)
    ax.set_yticklabels([_wrap(label) for label, _, _ in rows])
    for y, value, (_, count, share) in zip(positions, values, rows):
        text = (
            f"{fr.format_share(share)} ({fr.format_int(count)})"
            if as_share
            else f"{fr.format_int(count)} ({fr.format_share(share)})"
        )
        ax.annotate(text, (value, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
    top = 100 if as_share else max(values + [1])
    ax.set_xlim(0, top * 1.25)
    if as_share:
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.set_xticklabels([f"{v}{fr.NARROW_NBSP}%" for v in (0, 25, 50, 75, 100)])
        ax.set_xlabel("Part des déclarations")
    else:
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("Déclarations")
    ax.grid(axis="x", color=GRID, zorder=0)
    ax.set_title(table.title, loc="left", fontweight="bold")


def _height(table: ChartTable) -> float:
    if table.kind == "monthly" or not table.rows:
        return 4.2
    lines = sum(len(_wrap(label).splitlines()) for label, *_ in table.rows)
    return 1.4 + 0.28 * lines + 0.12 * len(table.rows)


def _figure(table: ChartTable) -> Figure:
    figure = Figure(figsize=(WIDTH_IN, _height(table)), facecolor=BACKGROUND)
    FigureCanvasAgg(figure)
    total = sum(row[1] for row in table.rows)
    if not table.rows or not total:
        _draw_no_data(figure, table)
    elif table.kind == "monthly":
        _draw_monthly(figure, table)
    else:
        _draw_horizontal(figure, table, as_share=(table.kind == "shares"))
    figure.tight_layout()
    return figure


def _render(indicators: Dict[str, Any], chart_id: str, fmt: str, **options) -> bytes:
    table = chart_table(indicators, chart_id)
    buffer = io.BytesIO()
    with _LOCK, matplotlib.rc_context(_rc(chart_id)):
        figure = _figure(table)
        figure.savefig(buffer, format=fmt, facecolor=BACKGROUND, **options)
    return buffer.getvalue()


# --- Public API -------------------------------------------------------------------

_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
# matplotlib writes the generic family quoted ('sans-serif'), which CSS reads as
# a font name; give real fallbacks and the unquoted generic keyword instead.
_QUOTED_GENERIC = re.compile(r"'sans-serif'")
FONT_STACK = "'DejaVu Sans', Arial, Helvetica, sans-serif"


def _accessible(svg_text: str, table: ChartTable) -> str:
    """Drop prolog and metadata; add role, <title> and <desc> as first children."""
    svg_text = _METADATA.sub("", _PROLOG.sub("", svg_text, count=1), count=1)
    svg_text = _QUOTED_GENERIC.sub(FONT_STACK, svg_text)
    title_id, desc_id = f"{table.chart_id}-titre", f"{table.chart_id}-description"
    opening = _SVG_OPEN.search(svg_text).group(0)
    new_opening = (
        opening[:-1] + f' role="img" aria-labelledby={quoteattr(title_id + " " + desc_id)}>'
        f"\n <title id={quoteattr(title_id)}>{escape(table.title)}</title>"
        f"\n <desc id={quoteattr(desc_id)}>{escape(table.description)}</desc>"
    )
    return svg_text.replace(opening, new_opening, 1)


def svg(indicators: Dict[str, Any], chart_id: str) -> str:
    """The chart as SVG text, with <title> and <desc> for screen readers."""
    raw = _render(indicators, chart_id, "svg", metadata={"Date": None}).decode("utf-8")
    return _accessible(raw, chart_table(indicators, chart_id))


def png(indicators: Dict[str, Any], chart_id: str, dpi: int = PNG_DPI) -> bytes:
    """The chart as opaque RGB PNG bytes (for the PDF report: no alpha channel,
    which reportlab would embed as a second, soft-mask image)."""
    rgba = _render(indicators, chart_id, "png", dpi=dpi, metadata={"Software": None})
    buffer = io.BytesIO()
    PILImage.open(io.BytesIO(rgba)).convert("RGB").save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def all_svgs(indicators: Dict[str, Any]) -> Dict[str, str]:
    return {chart_id: svg(indicators, chart_id) for chart_id in CHART_IDS}


def chart_ids() -> List[str]:
    return list(CHART_IDS)
