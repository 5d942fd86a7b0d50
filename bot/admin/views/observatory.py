"""The observatory: the ANS annual report's indicators for any period, from the
stored declarations, with charts, their tables, a PDF report and a CSV.

The data are either the real declarations or the synthetic (demonstration)
ones, never both: each comes from its own store.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Dict, List, Optional

from aiohttp import web

from bot.admin import audit, context, filters
from bot.admin.middlewares import error_page
from bot.admin.templating import render
from bot.admin.views.exports import BOM
from bot.core.paris_time import PARIS
from bot.observatory import charts, indicators, report, tables

REAL, SYNTHETIC = "reelles", "synthetiques"
SOURCES = {REAL: "Déclarations réelles", SYNTHETIC: "Données synthétiques de démonstration"}
# An SVG shown as an image runs no script; it only needs its own inline styles.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@dataclass
class ObservatoryQuery:
    since: str
    until: str
    source: str
    errors: List[str] = field(default_factory=list)

    @property
    def values(self) -> Dict[str, str]:
        return {"since": self.since, "until": self.until, "source": self.source}


def parse_query(params, today: date) -> ObservatoryQuery:
    """Period (default: this calendar year) and source, with French errors."""
    dates = filters.parse_list_query({key: params.get(key, "") for key in ("since", "until")})
    query = ObservatoryQuery(
        since=dates.filters.get("since", date(today.year, 1, 1).isoformat()),
        until=dates.filters.get("until", date(today.year, 12, 31).isoformat()),
        source=(params.get("source") or REAL).strip(),
        errors=list(dates.errors),
    )
    if query.source not in SOURCES:
        query.errors.append(f"Source inconnue « {query.source} » : déclarations réelles ou synthétiques.")
        query.source = REAL
    return query


def _store(request: web.Request, source: str):
    settings = context.admin(request)
    return settings.store if source == REAL else settings.demo_store


async def _indicators(request: web.Request, query: ObservatoryQuery) -> Optional[Dict[str, Any]]:
    store = _store(request, query.source)
    if store is None:
        return None
    items = await asyncio.to_thread(store.all_matching, {"since": query.since, "until": query.until})
    return indicators.compute(items, query.since, query.until)


def _query(request: web.Request) -> ObservatoryQuery:
    return parse_query(request.query, context.now(request).astimezone(PARIS).date())


async def observatory_page(request: web.Request) -> web.Response:
    query = _query(request)
    page = {"query": query, "sources": SOURCES, "figures": [], "charts": [], "synthetic": query.source == SYNTHETIC}
    if query.errors:
        return render(request, "observatory.html", status=400, **page)
    computed = await _indicators(request, query)
    if computed is None:
        query.errors.append("Aucune base de données synthétiques n'est configurée (VIGIE_DEMO_DATABASE_URL).")
        return render(request, "observatory.html", status=404, **page)
    page.update(
        period=computed["period"]["label"],
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
    name = f"observatoire-{query.since}-{query.until}{'-synthetique' if query.source == SYNTHETIC else ''}"
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
