"""What each chart shows, as data: title, text summary, table (no matplotlib here).

The page shows ``ChartTable.display_rows()`` next to each chart, the SVG
carries ``title`` and ``description`` for screen readers, and the PDF prints
the same table under the PNG.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Tuple

from bot.core import french as fr
from bot.observatory.indicators import MISSING_KEY, NO_DATA_IMPACT_KEY, share

# Column kinds: how a cell is formatted.
TEXT, COUNT, SHARE = "text", "count", "share"


@dataclass(frozen=True)
class ChartTable:
    chart_id: str
    title: str
    description: str
    columns: Tuple[Tuple[str, str], ...]  # (French header, kind)
    rows: Tuple[Tuple[Any, ...], ...]  # raw values: label first, then numbers
    kind: str  # how charts.py draws it: "monthly", "bars" or "shares"
    ticks: Tuple[str, ...] = ()  # short axis labels, one per row, when labels are long

    @property
    def headers(self) -> List[str]:
        return [header for header, _ in self.columns]

    def display_rows(self) -> List[List[str]]:
        """Rows formatted in French ("1 234", "48,3 %")."""
        return [[_format(value, kind) for value, (_, kind) in zip(item, self.columns)] for item in self.rows]


def _format(value: Any, kind: str) -> str:
    if kind == COUNT:
        return fr.format_int(value)
    if kind == SHARE:
        return fr.format_share(value)
    return str(value)


def _period(ind: Dict[str, Any]) -> str:
    return ind["period"]["label"]


def _of_declarations(total: int) -> str:
    """ "des 12 déclarations", "de la déclaration"."""
    return "de la déclaration" if total == 1 else f"des {fr.plural(total, 'déclaration')}"


def _no_data(ind: Dict[str, Any]) -> str:
    return f"Aucune déclaration {_period(ind)}."


def _bar_items(rows: List[Dict[str, Any]]) -> str:
    return " ; ".join(f"{r['label']} : {fr.format_int(r['count'])} ({fr.format_share(r['share'])})" for r in rows)


def _sorted_nonzero(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Rows with at least one declaration, most frequent first (stable on ties)."""
    return sorted((r for r in rows if r["count"]), key=lambda r: -r["count"])


def _bars(
    chart_id: str,
    title: str,
    header: str,
    subject: str,
    rows: List[Dict[str, Any]],
    ind: Dict[str, Any],
    ordinal: bool = False,
) -> ChartTable:
    """Categories most frequent first; an ordinal scale keeps its order and its zeros."""
    shown = list(rows) if ordinal else _sorted_nonzero(rows)
    if ind["total"]:
        order = "" if ordinal else ", de la plus à la moins fréquente"
        description = (
            f"Répartition {_of_declarations(ind['total'])} {_period(ind)} {subject}{order} : {_bar_items(shown)}."
        )
    else:
        description = _no_data(ind)
    return ChartTable(
        chart_id,
        title,
        description,
        ((header, TEXT), ("Déclarations", COUNT), ("Part", SHARE)),
        tuple((r["label"], r["count"], r["share"]) for r in shown),
        "bars",
    )


def monthly_trend(ind: Dict[str, Any]) -> ChartTable:
    months = ind["monthly"]
    if ind["total"]:
        items = " ; ".join(
            f"{m['label']} : {fr.format_int(m['count'])} dont {fr.plural(m['malicious'], 'malveillante')}"
            for m in months
        )
        description = (
            f"Déclarations par mois {_period(ind)}, {fr.plural(ind['total'], 'déclaration')} "
            f"dont {fr.format_int(ind['origin']['malicious_count'])} d'origine malveillante. {items}."
        )
    else:
        description = _no_data(ind)
    return ChartTable(
        "monthly_trend",
        "Déclarations par mois",
        description,
        (("Mois", TEXT), ("Déclarations", COUNT), ("Dont malveillantes", COUNT)),
        tuple((m["label"], m["count"], m["malicious"]) for m in months),
        "monthly",
        tuple(m["short_label"] for m in months),
    )


def incident_types(ind: Dict[str, Any]) -> ChartTable:
    return _bars(
        "incident_types",
        "Déclarations par type d'incident",
        "Type d'incident",
        "par type d'incident",
        ind["by_incident_type"],
        ind,
    )


def structure_types(ind: Dict[str, Any]) -> ChartTable:
    return _bars(
        "structure_types",
        "Déclarations par type de structure",
        "Type de structure",
        "par type de structure",
        ind["by_structure_type"],
        ind,
    )


def regions(ind: Dict[str, Any]) -> ChartTable:
    return _bars("regions", "Déclarations par région", "Région", "par région", ind["by_region"], ind)


def care_impact(ind: Dict[str, Any]) -> ChartTable:
    return _bars(
        "care_impact",
        "Impact sur l'activité de la structure",
        "Impact sur l'activité",
        "selon l'impact sur l'activité",
        ind["care_impact"],
        ind,
        ordinal=True,
    )


def patient_endangerment(ind: Dict[str, Any]) -> ChartTable:
    return _bars(
        "patient_endangerment",
        "Mise en danger de patients",
        "Mise en danger",
        "selon la mise en danger de patients",
        ind["patient_endangerment"],
        ind,
        ordinal=True,
    )


def data_impact(ind: Dict[str, Any]) -> ChartTable:
    """Confidentiality, integrity, availability: one share each (they overlap)."""
    rows = [r for r in ind["data_impact"] if r["key"] not in (NO_DATA_IMPACT_KEY, MISSING_KEY)]
    if ind["total"]:
        description = (
            f"Part {_of_declarations(ind['total'])} {_period(ind)} ayant un impact sur les données, "
            f"par critère (une déclaration peut en toucher plusieurs) : {_bar_items(rows)}."
        )
    else:
        description = _no_data(ind)
    return ChartTable(
        "data_impact",
        "Impact sur les données (confidentialité, intégrité, disponibilité)",
        description,
        (("Critère", TEXT), ("Déclarations", COUNT), ("Part", SHARE)),
        tuple((r["label"], r["count"], r["share"]) for r in rows),
        "shares",
    )


CHARTS: Dict[str, Callable[[Dict[str, Any]], ChartTable]] = {
    "monthly_trend": monthly_trend,
    "incident_types": incident_types,
    "structure_types": structure_types,
    "regions": regions,
    "data_impact": data_impact,
    "care_impact": care_impact,
    "patient_endangerment": patient_endangerment,
}
CHART_IDS = tuple(CHARTS)


def chart_table(indicators: Dict[str, Any], chart_id: str) -> ChartTable:
    if chart_id not in CHARTS:
        raise ValueError(f"Graphique inconnu « {chart_id} ».")
    return CHARTS[chart_id](indicators)


def all_tables(indicators: Dict[str, Any]) -> Dict[str, ChartTable]:
    """For each chart, in display order, its table."""
    return {chart_id: build(indicators) for chart_id, build in CHARTS.items()}


# --- Headline figures ---------------------------------------------------------------


def _count_and_share(item: Dict[str, Any]) -> str:
    return f"{fr.format_int(item['count'])} ({fr.format_share(item['share'])})"


def headline_figures(ind: Dict[str, Any]) -> List[Tuple[str, str]]:
    """(French label, formatted value) pairs for the top of the page and the PDF."""
    care = {r["key"]: r for r in ind["care_impact"]}
    endangered = [r for r in ind["patient_endangerment"] if r["key"] in ("potentielle", "averee")]
    endangered_count = sum(r["count"] for r in endangered)
    ransomware = next(r for r in ind["by_incident_type"] if r["key"] == "rancongiciel")
    delay = ind["delay"]
    return [
        ("Déclarations", fr.format_int(ind["total"])),
        ("Structures déclarantes distinctes", fr.format_int(ind["structures"]["count"])),
        (
            "Origine malveillante",
            _count_and_share({"count": ind["origin"]["malicious_count"], "share": ind["origin"]["malicious_share"]}),
        ),
        ("Rançongiciels", fr.format_int(ransomware["count"])),
        ("Incidents graves", _count_and_share(ind["qualification"]["grave"])),
        ("Incidents significatifs", _count_and_share(ind["qualification"]["significatif"])),
        ("Activité en mode dégradé", _count_and_share(care["mode_degrade"])),
        ("Interruption d'activité", _count_and_share(care["interruption"])),
        (
            "Mise en danger de patients (potentielle ou avérée)",
            _count_and_share({"count": endangered_count, "share": share(endangered_count, ind["total"])}),
        ),
        ("Accompagnement du CERT Santé demandé", _count_and_share(ind["support_requested"])),
        ("Délai médian entre détection et déclaration", fr.format_hours(delay["median_hours"])),
        ("Délai moyen", fr.format_hours(delay["mean_hours"])),
        ("80 % des déclarations faites en moins de", fr.format_hours(delay["p80_hours"])),
        ("Déclarées le jour de la détection", fr.format_share(delay["same_day"]["share"])),
        ("Déclarées dans les 24 heures", fr.format_share(delay["within_24h"]["share"])),
    ]
