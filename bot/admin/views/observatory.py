"""The observatory: the ANS annual report's indicators for any period, region
and structure type, from the stored declarations, with charts, their tables, a
PDF report and a CSV (each limited to the same period, region and structure type).

The data are either the real declarations or the synthetic (demonstration)
ones, never both: each comes from its own store. A page that would be empty
after a change of source, or with the default period, shows the latest year
that has declarations instead, and says so; an empty period asked for stays,
with a link to that year.
"""

import asyncio
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web

from bot.admin import audit, context, filters
from bot.admin.middlewares import error_page
from bot.admin.templating import render
from bot.admin.views.exports import BOM
from bot.core.paris_time import PARIS
from bot.core.storage import DeclarationStore
from bot.observatory import charts, indicators, report, tables
from bot.observatory.scope import Scope

REAL, SYNTHETIC = "reelles", "synthetiques"
SOURCES = {REAL: "Déclarations réelles", SYNTHETIC: "Données synthétiques de démonstration"}
# "Aucune déclaration {kind} du … au …".
SOURCE_KINDS = {REAL: "réelle", SYNTHETIC: "synthétique de démonstration"}
# The form's hidden field: the source the page showed, to tell a change of source.
SHOWN_SOURCE = "source_affichee"
SCOPE_KEYS = ("region", "structure_type")
# An SVG shown as an image runs no script; it only needs its own inline styles.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@dataclass
class ObservatoryQuery:
    since: str
    until: str
    source: str
    region: str = ""
    structure_type: str = ""
    period_given: bool = True  # since or until was in the query
    source_changed: bool = False  # the form switched from the other source
    errors: List[str] = field(default_factory=list)

    @property
    def values(self) -> Dict[str, str]:
        """What the links repeat (empty filters left out)."""
        pairs = {
            "since": self.since,
            "until": self.until,
            "source": self.source,
            "region": self.region,
            "structure_type": self.structure_type,
        }
        return {key: value for key, value in pairs.items() if value}

    @property
    def scope(self) -> Scope:
        return Scope(region=self.region or None, structure_type=self.structure_type or None)

    def for_year(self, year: int) -> "ObservatoryQuery":
        return replace(self, since=date(year, 1, 1).isoformat(), until=date(year, 12, 31).isoformat())


def parse_query(params, today: date) -> ObservatoryQuery:
    """Period (default: this calendar year), source, region and structure type, with French errors."""
    parsed = filters.parse_list_query({key: params.get(key, "") for key in ("since", "until", *SCOPE_KEYS)})
    query = ObservatoryQuery(
        since=parsed.filters.get("since", date(today.year, 1, 1).isoformat()),
        until=parsed.filters.get("until", date(today.year, 12, 31).isoformat()),
        source=(params.get("source") or REAL).strip(),
        region=parsed.filters.get("region", ""),
        structure_type=parsed.filters.get("structure_type", ""),
        period_given=any((params.get(key) or "").strip() for key in ("since", "until")),
        errors=list(parsed.errors),
    )
    if not parsed.errors and query.since > query.until:
        query.errors.append("La date de début de période doit précéder la date de fin.")
    if query.source not in SOURCES:
        query.errors.append(f"Source inconnue « {query.source} » : déclarations réelles ou synthétiques.")
        query.source = REAL
    shown = (params.get(SHOWN_SOURCE) or "").strip()
    query.source_changed = shown in SOURCES and shown != query.source
    return query


def _store(request: web.Request, source: str) -> Optional[DeclarationStore]:
    settings = context.admin(request)
    return settings.store if source == REAL else settings.demo_store


async def _compute(store: DeclarationStore, query: ObservatoryQuery) -> Dict[str, Any]:
    wanted = {"since": query.since, "until": query.until, **query.scope.filters}
    items = await asyncio.to_thread(store.all_matching, wanted)
    return indicators.compute(items, query.since, query.until, query.scope)


async def _indicators(request: web.Request, query: ObservatoryQuery) -> Optional[Dict[str, Any]]:
    store = _store(request, query.source)
    if store is None:
        return None
    return await _compute(store, query)


def _query(request: web.Request) -> ObservatoryQuery:
    return parse_query(request.query, context.now(request).astimezone(PARIS).date())


async def _latest_year(store: DeclarationStore, scope: Scope) -> Optional[int]:
    """The Paris year of the newest declaration within ``scope``, None when there is none."""
    newest = await asyncio.to_thread(store.list, scope.filters, 1, 0)
    moment = indicators.submission_instant(newest[0]) if newest else None
    return moment.astimezone(PARIS).year if moment else None


@dataclass
class EmptyPeriod:
    """Why the page shows what it shows when the asked period has no declaration."""

    notice: str
    # Another period to offer: (link text, query values), when the page did not move there itself.
    suggestion: Optional[Tuple[str, Dict[str, str]]] = None


async def _fill_empty_period(
    store: DeclarationStore, query: ObservatoryQuery, computed: Dict[str, Any]
) -> Tuple[ObservatoryQuery, Dict[str, Any], EmptyPeriod]:
    """After a change of source or with the default period, the latest year with declarations
    replaces an empty period; a period asked for stays, with a link to that year."""
    kind = SOURCE_KINDS[query.source]
    where = "" if query.scope.is_everything else " pour ce périmètre"
    empty = f"Aucune déclaration {kind} {computed['period']['label']}{where}"
    year = await _latest_year(store, query.scope)
    if year is None:
        return query, computed, EmptyPeriod(f"Aucune déclaration {kind}{where}, quelle que soit la période.")
    moved = query.for_year(year)
    if (moved.since, moved.until) == (query.since, query.until):
        return query, computed, EmptyPeriod(f"{empty}.")
    if query.source_changed or not query.period_given:
        notice = f"{empty} : la période affichée est l'année {year}, la plus récente qui en compte."
        return moved, await _compute(store, moved), EmptyPeriod(notice)
    link = f"Afficher l'année {year}, la plus récente qui compte des déclarations"
    return query, computed, EmptyPeriod(f"{empty}.", (link, moved.values))


def _form_page(query: ObservatoryQuery) -> Dict[str, Any]:
    return {
        "query": query,
        "sources": SOURCES,
        "shown_source_field": SHOWN_SOURCE,
        "labels": filters.FORM_LABELS,
        "choices": {key: filters.ENUM_CHOICES[key] for key in SCOPE_KEYS},
        "figures": [],
        "charts": [],
        "synthetic": query.source == SYNTHETIC,
        "empty_period": None,
    }


async def observatory_page(request: web.Request) -> web.Response:
    query = _query(request)
    page = _form_page(query)
    if query.errors:
        return render(request, "observatory.html", status=400, **page)
    store = _store(request, query.source)
    if store is None:
        query.errors.append("Aucune base de données synthétiques n'est configurée (VIGIE_DEMO_DATABASE_URL).")
        return render(request, "observatory.html", status=404, **page)
    computed = await _compute(store, query)
    if computed["total"] == 0:
        query, computed, page["empty_period"] = await _fill_empty_period(store, query, computed)
    page.update(
        query=query,
        period=computed["period"]["label"],
        scope=query.scope.label_fr(),
        total=computed["total"],
        figures=tables.headline_figures(computed),
        charts=[tables.chart_table(computed, chart_id) for chart_id in charts.chart_ids()],
    )
    return render(request, "observatory.html", **page)


async def chart_svg(request: web.Request) -> web.Response:
    chart_id = request.match_info["chart"]
    query = _query(request)
    if chart_id not in charts.chart_ids() or query.errors:
        raise web.HTTPNotFound()
    computed = await _indicators(request, query)
    if computed is None:
        raise web.HTTPNotFound()
    svg = await asyncio.to_thread(charts.svg, computed, chart_id)
    return web.Response(
        text=svg, content_type="image/svg+xml", charset="utf-8", headers={"Content-Security-Policy": SVG_POLICY}
    )


async def _download(request: web.Request, output: str):
    """(query, indicators) after writing the download to the audit log."""
    query = _query(request)
    if query.errors:
        return query, None
    computed = await _indicators(request, query)
    if computed is not None:
        settings = context.admin(request)
        await asyncio.to_thread(
            audit.write,
            settings.store,
            settings.clock(),
            audit.EXPORT,
            login=context.identity(request).login,
            ip=context.client_ip(request),
            details={"format": output, "observatoire": query.values, "lignes": computed["total"]},
        )
    return query, computed


def _attachment(query: ObservatoryQuery, extension: str) -> Dict[str, str]:
    scope = "".join(f"-{value}" for value in query.scope.filters.values())
    name = f"observatoire-{query.since}-{query.until}{scope}{'-synthetique' if query.source == SYNTHETIC else ''}"
    return {"Content-Disposition": f'attachment; filename="{name}.{extension}"'}


async def report_pdf(request: web.Request) -> web.Response:
    query, computed = await _download(request, "pdf")
    if computed is None:
        return error_page(request, 400 if query.errors else 404, " ".join(query.errors))
    pdf = await asyncio.to_thread(
        report.build_report, computed, synthetic=query.source == SYNTHETIC, generated_at=context.now(request)
    )
    return web.Response(body=pdf, content_type="application/pdf", headers=_attachment(query, "pdf"))


async def indicators_csv(request: web.Request) -> web.Response:
    query, computed = await _download(request, "csv")
    if computed is None:
        return error_page(request, 400 if query.errors else 404, " ".join(query.errors))
    return web.Response(
        text=BOM + report.indicators_csv(computed),
        content_type="text/csv",
        charset="utf-8",
        headers=_attachment(query, "csv"),
    )


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/observatoire", observatory_page, name="observatory")
    router.add_get("/observatoire/graphiques/{chart}.svg", chart_svg, name="observatory_chart")
    router.add_get("/observatoire/rapport.pdf", report_pdf, name="observatory_pdf")
    router.add_get("/observatoire/indicateurs.csv", indicators_csv, name="observatory_csv")
