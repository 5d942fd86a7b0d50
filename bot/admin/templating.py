"""Jinja2 templates of the admin pages (autoescaped), rendered into aiohttp responses."""

from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlencode

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.admin import context, display
from bot.core.register import ATTRIBUTION

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
# Nav entries: (route name, label, administrateur only).
NAV = [
    ("declarations", "Déclarations", False),
    ("observatory", "Observatoire", False),
    ("audit", "Journal d'audit", True),
    ("users", "Utilisateurs", True),
]


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        datetime_fr=display.datetime_fr,
        datetime_short=display.datetime_short,
        number_fr=display.number_fr,
        yes_no=display.yes_no,
    )
    env.globals["register_attribution"] = ATTRIBUTION  # the FINESS licence asks for it where the data is used
    return env


ENVIRONMENT_KEY = web.AppKey("admin_templates", Environment)


def url(request: web.Request, name: str, query: Optional[dict] = None, **parts: str) -> str:
    """Path of the admin route ``name`` (with the mount prefix), plus a query string."""
    path = str(request.app.router[name].url_for(**parts))
    query = {key: value for key, value in (query or {}).items() if value not in (None, "")}
    return f"{path}?{urlencode(query)}" if query else path


def _nav(request: web.Request) -> list:
    user = context.identity(request)
    if user is None:
        return []
    current = request.match_info.route.name
    return [
        {"url": url(request, name), "label": label, "current": name == current}
        for name, label, admin_only in NAV
        if user.is_admin or not admin_only
    ]


def render(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    """HTML response from ``template`` with the values every page uses."""
    env = request.config_dict[ENVIRONMENT_KEY]
    user = context.identity(request)
    page = env.get_template(template).render(
        user=user,
        nav=_nav(request),
        csrf_token=user.csrf_token if user else values.pop("csrf_token", ""),
        stylesheet=url(request, "static", filename="admin.css"),
        url=lambda name, query=None, **parts: url(request, name, query, **parts),
        **values,
    )
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8")
