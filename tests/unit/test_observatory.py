"""Observatory indicators, chart tables, charts (SVG/PNG), PDF report and CSV.

Everything is checked on a small hand-built set of declarations whose
expected figures are worked out by hand in the comments.
"""

import csv
import io
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from bot.core import french as fr
from bot.core import schema
from bot.observatory import charts, indicators, report, tables
from bot.observatory.indicators import compute, percentile, row
from bot.observatory.period import make_period
from bot.observatory.scope import Scope
from bot.pdf_style import CONTENT_WIDTH

ROOT = Path(__file__).resolve().parents[2]
UTC = timezone.utc
SVG_NS = "{http://www.w3.org/2000/svg}"
NNBSP = "\u202f"
SINCE, UNTIL = "2025-01-01", "2025-03-31"


def decl(**overrides):
    """A declaration as DeclarationStore returns it (only what indicators read varies)."""
    base = {
        "reference": "SSI-2025-000001",
        "structure_name": "CH de Vierzon",
        "finess": "180000028",
        "structure_type": "etablissement_sante_public",
        "region": "centre_val_de_loire",
        "incident_type": "rancongiciel",
        "origin": "malveillante",
        "detected_at": "2025-01-10T03:00:00+01:00",
        "data_impact": ["disponibilite", "integrite"],
        "care_impact": "mode_degrade",
        "patient_endangerment": "potentielle",
        "support_requested": "oui",
        "qualification": {"grave": True, "significatif": False, "reasons": []},
        "status": "soumise",
        "created_at": "2025-01-10T09:00:00+01:00",
        "submitted_at": "2025-01-10T09:00:00+01:00",
        "transmission": None,
    }
    base.update(overrides)
    if "submitted_at" in overrides and "created_at" not in overrides:
        base["created_at"] = overrides["submitted_at"]
    return base


# In the period 2025-01-01 .. 2025-03-31 (Paris): D1..D7. Delays in hours in brackets.
D1 = decl()  # January, same day [6]
D2 = decl(  # same structure as D1 (name only, FINESS known from D1); January 31 late evening [3.5]
    reference="SSI-2025-000002",
    structure_name="ch de  VIERZON",
    finess=None,
    incident_type="panne_materielle",
    origin="non_malveillante",
    data_impact=["disponibilite"],
    care_impact="interruption",
    patient_endangerment="aucune",
    support_requested="non",
    detected_at="2025-01-31T20:00:00+01:00",
    submitted_at="2025-01-31T23:30:00+01:00",
    qualification={"grave": True, "significatif": True, "reasons": []},
)
D3 = decl(  # 2025-02-28 23:30 UTC is March 1st in Paris; origin implied by the type [26.5]
    reference="SSI-2025-000003",
    structure_name="EHPAD Les Tilleuls",
    finess=None,
    structure_type="esms",
    region=None,
    incident_type="hameconnage",
    origin=None,
    data_impact=[],
    care_impact="aucun",
    patient_endangerment="aucune",
    support_requested="non",
    detected_at="2025-02-27T22:00:00+01:00",
    submitted_at="2025-02-28T23:30:00Z",
    qualification={"grave": False, "significatif": False, "reasons": []},
)
D4 = decl(  # same structure as D3 (normalised name); the day after detection, within 24 h [12.5]
    reference="SSI-2025-000004",
    structure_name="  Ehpad les Tilleuls ",
    finess=None,
    structure_type="esms",
    region=None,
    incident_type="compromission_compte",
    origin="indeterminee",
    data_impact=None,
    care_impact="mode_degrade",
    patient_endangerment="averee",
    support_requested="oui",
    detected_at="2025-03-09T22:00:00+01:00",
    submitted_at="2025-03-10T10:30:00+01:00",
    qualification=None,
)
D5 = decl(  # unknown incident type, no detection date; 2024-12-31 23:30 UTC is January 1st in Paris
    reference="SSI-2025-000005",
    structure_name="Laboratoire Bio Centre",
    finess="750712184",
    structure_type="laboratoire_biologie_medicale",
    region="ile_de_france",
    incident_type="type_obsolete",
    origin="malveillante",
    data_impact=["confidentialite"],
    care_impact="aucun",
    patient_endangerment=None,
    support_requested="oui",
    detected_at=None,
    submitted_at="2024-12-31T23:30:00Z",
    qualification={"grave": False, "significatif": True, "reasons": []},
)
D6 = decl(  # unknown structure type and region; 23:59 CEST on March 31st [3 h 59 = 3.98333]
    reference="SSI-2025-000006",
    structure_name="Clinique du Parc",
    finess="690781810",
    structure_type="clinique",
    region="atlantide",
    incident_type="erreur_humaine",
    origin="non_malveillante",
    data_impact=["confidentialite", "integrite"],
    care_impact="aucun",
    patient_endangerment="aucune",
    support_requested="non",
    detected_at="2025-03-31T20:00:00+02:00",
    submitted_at="2025-03-31T21:59:00Z",
    qualification={"grave": True, "significatif": False, "reasons": []},
)
D7 = decl(  # across the spring DST change: 2 h on the wall clock, 1 h in fact [1]
    reference="DEMO-2025-000007",
    structure_name="CHU de Bordeaux",
    finess="330781196",
    region="nouvelle_aquitaine",
    incident_type="defaillance_prestataire",
    origin="non_malveillante",
    data_impact=["disponibilite"],
    care_impact="mode_degrade",
    patient_endangerment="potentielle",
    support_requested="non",
    detected_at="2025-03-30T01:30:00+01:00",
    submitted_at="2025-03-30T03:30:00+02:00",
    qualification={"grave": True, "significatif": True, "reasons": []},
)
OUTSIDE = [
    decl(reference="SSI-2025-000008", submitted_at="2025-03-31T22:30:00Z"),  # April 1st 00:30 in Paris
    decl(reference="SSI-2024-000009", submitted_at="2024-12-31T22:59:00Z"),  # December 31st 23:59 in Paris
    decl(reference=None, status="brouillon", submitted_at=None, created_at="2025-02-01T10:00:00+01:00"),
]
DATA = [D1, D2, D3, D4, D5, D6, D7] + OUTSIDE


@pytest.fixture(scope="module")
def ind():
    return compute(DATA, SINCE, UNTIL)


@pytest.fixture(scope="module")
def empty():
    return compute([], SINCE, UNTIL)


def counts(rows):
    return {r["key"]: r["count"] for r in rows}


def shares(rows):
    return {r["key"]: r["share"] for r in rows}


# --- Indicators -------------------------------------------------------------------------


def test_period_and_totals(ind):
    assert ind["period"] == {
        "since": "2025-01-01",
        "until": "2025-03-31",
        "label": "du 1er janvier 2025 au 31 mars 2025",
    }
    assert ind["total"] == 7
    assert ind["synthetic_count"] == 1


def test_distinct_structures_by_finess_then_normalised_name(ind):
    # 180000028 (D1, and D2 by its name), "ehpad les tilleuls" (D3, D4), 750712184, 690781810, 330781196.
    assert ind["structures"] == {"count": 5, "declarations_without_finess": 3}


def test_a_name_with_two_finess_numbers_stays_a_name_of_its_own():
    data = [decl(finess="180000028"), decl(finess="180000036"), decl(finess=None)]
    assert compute(data, SINCE, UNTIL)["structures"]["count"] == 3


def test_split_by_structure_type_counts_unknown_values_apart(ind):
    got = counts(ind["by_structure_type"])
    assert got == {
        "etablissement_sante_public": 3,
        "etablissement_sante_prive": 0,
        "etablissement_sante_prive_non_lucratif": 0,
        "hopital_armees": 0,
        "laboratoire_biologie_medicale": 1,
        "centre_radiotherapie": 0,
        "esms": 2,
        "autre": 0,
        "valeur_inconnue": 1,
    }
    assert shares(ind["by_structure_type"])["etablissement_sante_public"] == pytest.approx(3 / 7)
    assert row(ind["by_structure_type"], "esms")["label"] == "Établissement ou service médico-social (ESMS)"
    assert sum(r["share"] for r in ind["by_structure_type"]) == pytest.approx(1)


def test_split_by_region_with_missing_and_unknown(ind):
    got = {k: v for k, v in counts(ind["by_region"]).items() if v}
    assert got == {
        "centre_val_de_loire": 2,
        "ile_de_france": 1,
        "nouvelle_aquitaine": 1,
        "non_renseigne": 2,
        "valeur_inconnue": 1,
    }
    assert len(ind["by_region"]) == 18 + 2
    assert row(ind["by_region"], "non_renseigne") == {
        "key": "non_renseigne",
        "label": "Non renseigné",
        "count": 2,
        "share": pytest.approx(2 / 7),
    }


def test_origin_falls_back_on_the_incident_type(ind):
    assert counts(ind["origin"]["rows"]) == {"malveillante": 3, "non_malveillante": 3, "indeterminee": 1}
    assert ind["origin"]["malicious_count"] == 3
    assert ind["origin"]["malicious_share"] == pytest.approx(3 / 7)


def test_incident_types_with_french_labels(ind):
    got = {k: v for k, v in counts(ind["by_incident_type"]).items() if v}
    assert got == {
        "rancongiciel": 1,
        "panne_materielle": 1,
        "hameconnage": 1,
        "compromission_compte": 1,
        "erreur_humaine": 1,
        "defaillance_prestataire": 1,
        "valeur_inconnue": 1,
    }
    assert row(ind["by_incident_type"], "rancongiciel")["label"] == "Rançongiciel (ransomware)"
    assert len(ind["by_incident_type"]) == 18 + 1


def test_data_impact_shares_separately(ind):
    assert counts(ind["data_impact"]) == {
        "confidentialite": 2,
        "integrite": 2,
        "disponibilite": 3,
        "aucun": 1,
        "non_renseigne": 1,
    }
    assert shares(ind["data_impact"])["disponibilite"] == pytest.approx(3 / 7)
    assert [r["label"] for r in ind["data_impact"][:3]] == ["Confidentialité", "Intégrité", "Disponibilité"]


def test_care_impact_and_patient_endangerment(ind):
    assert counts(ind["care_impact"]) == {"aucun": 3, "mode_degrade": 3, "interruption": 1}
    assert counts(ind["patient_endangerment"]) == {"aucune": 3, "potentielle": 2, "averee": 1, "non_renseigne": 1}
    assert shares(ind["patient_endangerment"])["averee"] == pytest.approx(1 / 7)


def test_support_and_qualification(ind):
    assert ind["support_requested"] == {"count": 3, "share": pytest.approx(3 / 7)}
    assert ind["qualification"] == {
        "grave": {"count": 4, "share": pytest.approx(4 / 7)},
        "significatif": {"count": 3, "share": pytest.approx(3 / 7)},
        "neither": {"count": 2, "share": pytest.approx(2 / 7)},  # D3, and D4 without qualification
    }


def test_delay_from_detection_to_declaration(ind):
    # Known for 6 declarations: 1, 3.5, 3.98333, 6, 12.5, 26.5 hours (D5 has no detection date).
    delay = ind["delay"]
    assert delay["known"] == 6
    assert delay["median_hours"] == pytest.approx((239 / 60 + 6) / 2)
    assert delay["mean_hours"] == pytest.approx((1 + 3.5 + 239 / 60 + 6 + 12.5 + 26.5) / 6)
    assert delay["p80_hours"] == pytest.approx(12.5)
    assert delay["same_day"] == {"count": 4, "share": pytest.approx(4 / 6)}  # D1, D2, D6, D7
    assert delay["within_24h"] == {"count": 5, "share": pytest.approx(5 / 6)}  # all but D3


def test_delay_is_measured_in_real_time_across_the_autumn_dst_change():
    # 02:30 CEST then 02:30 CET the same night: one hour, not zero.
    item = decl(detected_at="2025-10-26T02:30:00+02:00", submitted_at="2025-10-26T02:30:00+01:00")
    got = compute([item], "2025-10-01", "2025-10-31")["delay"]
    assert got["median_hours"] == pytest.approx(1.0)
    assert got["same_day"]["count"] == 1


def test_a_declaration_cannot_precede_its_detection():
    item = decl(detected_at="2025-01-10T09:04:00+01:00", submitted_at="2025-01-10T09:00:00+01:00")
    assert compute([item], SINCE, UNTIL)["delay"]["median_hours"] == 0.0


def test_percentile_interpolates_linearly():
    assert percentile([1, 2, 3, 4, 5], 0.8) == pytest.approx(4.2)
    assert percentile([10], 0.8) == 10
    assert percentile([], 0.8) is None


def test_monthly_trend_in_paris_months_with_empty_months(ind):
    assert ind["monthly"] == [
        {"month": "2025-01", "label": "janvier 2025", "short_label": "janv. 2025", "count": 3, "malicious": 2},
        {"month": "2025-02", "label": "février 2025", "short_label": "févr. 2025", "count": 0, "malicious": 0},
        {"month": "2025-03", "label": "mars 2025", "short_label": "mars 2025", "count": 4, "malicious": 1},
    ]


def test_period_bounds_as_datetimes_are_both_included():
    since = datetime(2025, 1, 10, 9, 0, tzinfo=UTC).astimezone()  # D1 is 08:00 UTC
    until = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)
    assert compute(DATA, until, until)["total"] == 1
    assert compute(DATA, since, "2025-01-31")["total"] == 1  # D2 only (D1 is before 09:00 UTC)


def test_empty_period_has_no_division_by_zero(empty):
    assert empty["total"] == 0 and empty["structures"] == {"count": 0, "declarations_without_finess": 0}
    assert all(r["share"] is None for r in empty["by_structure_type"] + empty["by_region"] + empty["data_impact"])
    assert empty["origin"]["malicious_share"] is None
    assert empty["support_requested"] == {"count": 0, "share": None}
    assert empty["delay"] == {
        "known": 0,
        "median_hours": None,
        "mean_hours": None,
        "p80_hours": None,
        "same_day": {"count": 0, "share": None},
        "within_24h": {"count": 0, "share": None},
    }
    assert [m["count"] for m in empty["monthly"]] == [0, 0, 0]


def test_a_reversed_period_is_refused():
    with pytest.raises(ValueError, match="précède"):
        compute([], "2025-03-31", "2025-01-01")


# --- Scope: one region, one structure type -----------------------------------------------


def test_a_region_scope_counts_only_that_region(ind):
    centre = compute(DATA, SINCE, UNTIL, Scope(region="centre_val_de_loire"))
    assert centre["total"] == 2  # D1, D2 (D3, D4 have no region; the other regions are elsewhere)
    assert counts(centre["by_incident_type"])["rancongiciel"] == 1
    assert {k: v for k, v in counts(centre["by_region"]).items() if v} == {"centre_val_de_loire": 2}
    assert centre["scope"] == {
        "region": "centre_val_de_loire",
        "structure_type": None,
        "label": "région « Centre-Val de Loire », tous les types de structure",
    }
    assert ind["scope"]["label"] == "toutes les régions, tous les types de structure"


def test_region_and_structure_type_scopes_combine():
    assert compute(DATA, SINCE, UNTIL, Scope(structure_type="esms"))["total"] == 2  # D3, D4
    both = compute(DATA, SINCE, UNTIL, Scope(region="centre_val_de_loire", structure_type="esms"))
    assert both["total"] == 0
    assert both["scope"]["label"] == (
        "région « Centre-Val de Loire », type de structure « Établissement ou service médico-social (ESMS) »"
    )


@pytest.mark.parametrize(
    "options, message",
    [({"region": "atlantide"}, "Région : valeur inconnue « atlantide »"), ({"structure_type": "x"}, "Type de")],
)
def test_a_scope_refuses_values_outside_the_spec(options, message):
    with pytest.raises(ValueError, match=message):
        Scope(**options)


def test_periods_span_whole_paris_days_and_months():
    period = make_period(date(2024, 11, 15), "2025-02-01")
    assert period.months() == [(2024, 11), (2024, 12), (2025, 1), (2025, 2)]
    assert period.start == datetime(2024, 11, 14, 23, 0, tzinfo=UTC)
    assert period.end == datetime(2025, 2, 1, 23, 0, tzinfo=UTC)


# --- Chart tables -------------------------------------------------------------------------


def test_every_chart_has_a_table(ind):
    assert list(tables.all_tables(ind)) == list(tables.CHART_IDS) == charts.chart_ids()
    assert len(tables.CHART_IDS) == 7


def test_bar_tables_are_sorted_and_formatted_in_french(ind):
    table = tables.chart_table(ind, "structure_types")
    assert table.headers == ["Type de structure", "Déclarations", "Part"]
    assert [r[:2] for r in table.rows] == [
        ("Établissement de santé public", 3),
        ("Établissement ou service médico-social (ESMS)", 2),
        ("Laboratoire de biologie médicale", 1),
        ("Valeur non reconnue", 1),
    ]
    assert table.display_rows()[0] == ["Établissement de santé public", "3", f"42,9{NNBSP}%"]
    assert "Établissement de santé public : 3 (42,9" in table.description


def test_ordinal_tables_keep_their_order_and_zeros(empty, ind):
    assert [r[:2] for r in tables.chart_table(ind, "care_impact").rows] == [
        ("Aucun", 3),
        ("Mode dégradé", 3),
        ("Interruption d'activité", 1),
    ]
    assert [r[0] for r in tables.chart_table(ind, "patient_endangerment").rows] == [
        "Aucune",
        "Potentielle",
        "Avérée",
        "Non renseigné",
    ]


def test_monthly_table_and_description(ind):
    table = tables.chart_table(ind, "monthly_trend")
    assert table.rows == (("janvier 2025", 3, 2), ("février 2025", 0, 0), ("mars 2025", 4, 1))
    assert table.ticks == ("janv. 2025", "févr. 2025", "mars 2025")
    assert "7 déclarations dont 3 d'origine malveillante" in table.description
    assert "février 2025 : 0 dont 0 malveillante" in table.description


def test_data_impact_table_shows_the_three_criteria(ind):
    table = tables.chart_table(ind, "data_impact")
    assert [r[:2] for r in table.rows] == [("Confidentialité", 2), ("Intégrité", 2), ("Disponibilité", 3)]


def test_tables_of_an_empty_period_say_so(empty):
    table = tables.chart_table(empty, "incident_types")
    assert table.rows == ()
    assert table.description == "Aucune déclaration du 1er janvier 2025 au 31 mars 2025."


def test_unknown_chart_is_refused(ind):
    with pytest.raises(ValueError, match="inconnu"):
        tables.chart_table(ind, "camembert")


def test_headline_figures(ind, empty):
    figures = dict(tables.headline_figures(ind))
    assert figures["Déclarations"] == "7"
    assert figures["Structures déclarantes distinctes"] == "5"
    assert figures["Origine malveillante"] == f"3 (42,9{NNBSP}%)"
    assert figures["Mise en danger de patients (potentielle ou avérée)"] == f"3 (42,9{NNBSP}%)"
    assert figures["Délai médian entre détection et déclaration"] == "5,0\u00a0h"
    assert figures["Déclarées dans les 24 heures"] == f"83,3{NNBSP}%"
    assert dict(tables.headline_figures(empty))["Délai moyen"] == fr.MISSING


def test_french_number_formats():
    assert fr.format_int(1234567) == f"1{NNBSP}234{NNBSP}567"
    assert fr.format_share(0.4832) == f"48,3{NNBSP}%"
    assert fr.format_hours(0.5) == "30\u00a0min" and fr.format_hours(72) == "3,0\u00a0jours"
    assert fr.plural(1, "déclaration") == "1 déclaration" and fr.plural(2, "déclaration") == "2 déclarations"


# --- Charts ---------------------------------------------------------------------------------


def _texts(svg_text):
    root = ET.fromstring(svg_text)
    return root, [t.text or "" for t in root.iter(f"{SVG_NS}text")]


@pytest.mark.parametrize("chart_id", tables.CHART_IDS)
def test_svg_is_valid_accessible_and_carries_the_figures(ind, chart_id):
    svg_text = charts.svg(ind, chart_id)
    table = tables.chart_table(ind, chart_id)
    root, texts = _texts(svg_text)
    assert root.tag == f"{SVG_NS}svg" and root.get("role") == "img"
    title, desc = list(root)[:2]
    assert (title.tag, title.text) == (f"{SVG_NS}title", table.title)
    assert (desc.tag, desc.text) == (f"{SVG_NS}desc", table.description)
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert not svg_text.startswith("<?xml") and "<metadata>" not in svg_text
    assert "'sans-serif'" not in svg_text and "sans-serif" in svg_text
    assert len(svg_text) < 40_000
    assert table.title in texts
    for label, count, third in table.rows:
        expected = {
            "bars": f"{fr.format_int(count)} ({fr.format_share(third)})",
            "shares": f"{fr.format_share(third)} ({fr.format_int(count)})",
            "monthly": fr.format_int(count),
        }[table.kind]
        assert expected in texts, (label, expected)


def test_monthly_svg_shows_each_total_and_the_legend(ind):
    _, texts = _texts(charts.svg(ind, "monthly_trend"))
    assert {"3", "0", "4", "Origine malveillante", "Autres origines"} <= set(texts)


def test_bar_svg_labels_counts_with_shares(ind):
    _, texts = _texts(charts.svg(ind, "incident_types"))
    assert f"1 (14,3{NNBSP}%)" in texts
    _, texts = _texts(charts.svg(ind, "data_impact"))
    assert f"42,9{NNBSP}% (3)" in texts


def test_svg_of_an_empty_period(empty):
    root, texts = _texts(charts.svg(empty, "regions"))
    assert charts.NO_DATA_TEXT in texts
    assert list(root)[1].text == "Aucune déclaration du 1er janvier 2025 au 31 mars 2025."


def test_svg_is_deterministic_and_ids_differ_between_charts(ind):
    first = charts.svg(ind, "care_impact")
    assert first == charts.svg(ind, "care_impact")
    ids = lambda text: set(re.findall(r'id="([^"]+)"', text))  # noqa: E731
    clip_ids = lambda text: {i for i in ids(text) if re.fullmatch(r"p[0-9a-f]{10}", i)}  # noqa: E731
    assert clip_ids(first) and not clip_ids(first) & clip_ids(charts.svg(ind, "patient_endangerment"))


def test_png_bytes(ind):
    data = charts.png(ind, "regions")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == int(charts.WIDTH_IN * charts.PNG_DPI) and height > 300
    assert data[25] == 2  # colour type RGB: no alpha channel


def test_colours_have_enough_contrast():
    assert charts.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21)
    assert charts.contrast_ratio(charts.TEXT, charts.BACKGROUND) >= 4.5
    for colour in charts.PALETTE:
        assert charts.contrast_ratio(colour, charts.BACKGROUND) >= 3
    assert charts.contrast_ratio(charts.PRIMARY, charts.SECONDARY) >= 3  # stacked bars touch


def test_charts_never_load_pyplot():
    code = (
        "import sys; from bot.observatory import charts, indicators; "
        "charts.all_svgs(indicators.compute([], '2025-01-01', '2025-01-31')); "
        "print('matplotlib.pyplot' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- PDF report -------------------------------------------------------------------------------

_PDF_STRING = re.compile(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj")


def pdf_text(pdf: bytes) -> str:
    """Text shown by an uncompressed reportlab PDF (strings drawn with Tj)."""

    def unescape(raw: bytes) -> str:
        raw = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), raw)
        raw = re.sub(rb"\\(.)", rb"\1", raw)
        return raw.decode("cp1252")

    return "\n".join(unescape(m.group(1)) for m in _PDF_STRING.finditer(pdf))


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def page_streams(pdf: bytes):
    """The content stream of each page, in order."""
    contents = [int(n) for n in re.findall(rb"/Contents (\d+) 0 R", pdf)]
    objects = dict(re.findall(rb"\n(\d+) 0 obj\n(.*?)endobj", pdf, re.S))
    return [objects[str(n).encode()] for n in contents]


@pytest.fixture(scope="module")
def synthetic_pdf(ind):
    return report.build_report(ind, synthetic=True, generated_at=datetime(2026, 1, 5, tzinfo=UTC), compress=False)


def test_pdf_has_the_title_period_headline_and_tables(synthetic_pdf):
    assert synthetic_pdf.startswith(b"%PDF")
    text = pdf_text(synthetic_pdf)
    flat = " ".join(text.split())  # paragraphs wrap
    assert report.TITLE in flat
    assert "Période : du 1er janvier 2025 au 31 mars 2025." in flat
    assert "Structures déclarantes distinctes" in text
    # U+202F is not in WinAnsi: pdf_text gives a no-break space, which reportlab draws as a space.
    assert "Origine malveillante\n3 (42,9 %)" in text
    assert "\u202f" not in text
    assert "Rançongiciel (ransomware)" in text and "Établissement ou service médico-social (ESMS)" in text
    assert synthetic_pdf.count(b"/Subtype /Image") == len(tables.CHART_IDS)


def test_pdf_marks_every_page_as_synthetic_and_names_the_source(synthetic_pdf):
    pages = page_streams(synthetic_pdf)
    assert len(pages) == page_count(synthetic_pdf) > 1
    for stream in pages:
        text = pdf_text(stream)
        assert text.count(report.SYNTHETIC_MARK) >= 2  # banner and watermark
        assert "Source : déclarations d'incidents enregistrées dans Vigie, extraites le 5 janvier 2026." in text


def test_pdf_footer_lines_are_apart_and_count_the_pages(synthetic_pdf):
    pages = page_streams(synthetic_pdf)
    total = len(pages)
    for number, stream in enumerate(pages, 1):
        lines = pdf_text(stream).split("\n")
        assert f"Données synthétiques de démonstration — page {number} sur {total}" in lines
        assert "Périmètre : toutes les régions, tous les types de structure." in lines
        assert not any("démonstrationPage" in line or "démonstration.Page" in line for line in lines)


def test_every_footer_line_fits_the_page_width_even_for_the_longest_scope():
    def width(scope):
        return max(
            stringWidth(line, report.FOOTER_FONT, report.FOOTER_SIZE)
            for line in report.footer_lines("30 septembre 2026", scope.label_fr(), True, 999, 999)
        )

    longest = Scope(region="provence_alpes_cote_d_azur", structure_type="etablissement_sante_prive_non_lucratif")
    assert width(longest) <= CONTENT_WIDTH
    assert width(Scope()) <= CONTENT_WIDTH


def test_pdf_of_a_region_names_it_on_the_first_page_and_in_every_footer(ind):
    region = compute(DATA, SINCE, UNTIL, Scope(region="centre_val_de_loire"))
    pdf = report.build_report(region, generated_at=datetime(2026, 1, 5, tzinfo=UTC), compress=False)
    scope = "Périmètre : région « Centre-Val de Loire », tous les types de structure."
    pages = page_streams(pdf)
    assert " ".join(pdf_text(pages[0]).split()).count(scope) == 2  # under the period, and in the footer
    assert all(scope in pdf_text(stream).split("\n") for stream in pages)
    assert f"Page {len(pages)} sur {len(pages)}" in pdf_text(pages[-1])
    assert report.SYNTHETIC_MARK not in pdf_text(pdf)


def test_pdf_of_real_data_is_not_marked(ind):
    real = {**ind, "synthetic_count": 0}
    pdf = report.build_report(real, compress=False)
    assert report.SYNTHETIC_MARK not in pdf_text(pdf)
    assert "enregistrées dans Vigie" in pdf_text(pdf)


def test_pdf_is_marked_whenever_a_synthetic_declaration_is_counted(ind):
    assert ind["synthetic_count"] == 1
    assert report.SYNTHETIC_MARK in pdf_text(report.build_report(ind, synthetic=False, compress=False))


def test_pdf_of_an_empty_period(empty):
    pdf = report.build_report(empty, compress=False)
    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF") and "Aucune déclaration du 1er janvier 2025 au 31 mars 2025." in text


def test_compressed_pdf_is_smaller(ind, synthetic_pdf):
    compressed = report.build_report(ind, synthetic=True, generated_at=datetime(2026, 1, 5, tzinfo=UTC))
    assert compressed.startswith(b"%PDF") and len(compressed) < len(synthetic_pdf)


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_is_flat_with_french_headers(ind):
    rows = list(csv.reader(io.StringIO(report.indicators_csv(ind))))
    assert rows[0] == ["Rubrique", "Code", "Libellé", "Valeur", "Part (%)"]
    by_key = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert by_key[("Période", "debut")] == ["Début de la période", "2025-01-01", ""]
    assert by_key[("Synthèse", "declarations")] == ["Déclarations", "7", ""]
    assert by_key[("Type d'incident", "rancongiciel")] == ["Rançongiciel (ransomware)", "1", "14.29"]
    assert by_key[("Région", "non_renseigne")] == ["Non renseigné", "2", "28.57"]
    assert by_key[("Délai de déclaration", "mediane_heures")] == ["Délai médian (heures)", "4.99", ""]
    assert by_key[("Délai de déclaration", "sous_24h")] == ["Déclarées dans les 24 heures", "5", "83.33"]
    assert by_key[("Déclarations malveillantes par mois", "2025-01")] == ["janvier 2025", "2", ""]
    assert by_key[("Qualification", "ni_l_un_ni_l_autre")] == ["Ni grave ni significatif", "2", "28.57"]
    assert all(len(r) == 5 for r in rows)


def test_csv_names_its_scope(ind):
    everything = list(csv.reader(io.StringIO(report.indicators_csv(ind))))
    assert ["Périmètre", "region", "Région", "Toutes", ""] in everything
    scoped = compute(DATA, SINCE, UNTIL, Scope(region="centre_val_de_loire", structure_type="esms"))
    rows = list(csv.reader(io.StringIO(report.indicators_csv(scoped))))
    assert ["Périmètre", "region", "Région", "Centre-Val de Loire", ""] in rows
    assert [
        "Périmètre",
        "structure_type",
        "Type de structure",
        "Établissement ou service médico-social (ESMS)",
        "",
    ] in rows
    assert ["Synthèse", "declarations", "Déclarations", "0", ""] in rows


def test_csv_of_an_empty_period_leaves_undefined_shares_blank(empty):
    rows = list(csv.reader(io.StringIO(report.indicators_csv(empty))))
    by_key = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert by_key[("Origine", "malveillante")] == ["Malveillante", "0", ""]
    assert by_key[("Délai de déclaration", "moyenne_heures")] == ["Délai moyen (heures)", "", ""]


def test_indicators_module_exposes_share_helper():
    assert indicators.share(1, 4) == 0.25 and indicators.share(3, 0) is None


def test_values_not_known_when_declared_get_their_own_row_only_when_present():
    rows = indicators.breakdown(["aucun", "inconnu", "inconnu", None], schema.CARE_IMPACT)
    assert [(r["key"], r["count"]) for r in rows] == [
        ("aucun", 1),
        ("mode_degrade", 0),
        ("interruption", 0),
        ("inconnu", 2),
        ("non_renseigne", 1),
    ]
    assert "inconnu" not in [r["key"] for r in indicators.breakdown(["aucun"], schema.CARE_IMPACT)]
