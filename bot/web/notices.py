"""The service's notices: accessibility statement (``/accessibilite``), legal
notice (``/mentions-legales``) and privacy notice (``/confidentialite``),
linked from the chat page's footer. Who runs the instance comes from the
settings (``VIGIE_OPERATOR``…); what is kept and for how long from the same
settings the code obeys (``VIGIE_RETENTION_DAYS``)."""

import logging
from typing import Tuple

from aiohttp import web

from bot.core.register import ATTRIBUTION
from bot.settings import Settings
from bot.web.documents import POLICY, TEMPLATES

logger = logging.getLogger(__name__)

NOTICES: Tuple[Tuple[str, str, str], ...] = (
    ("/accessibilite", "accessibilite.html", "Accessibilité : non conforme"),
    ("/mentions-legales", "mentions_legales.html", "Mentions légales"),
    ("/confidentialite", "confidentialite.html", "Données personnelles"),
)
TITLES = {
    "/accessibilite": "Déclaration d'accessibilité",
    "/mentions-legales": "Mentions légales",
    "/confidentialite": "Données personnelles et confidentialité",
}
UNSET = "non renseigné pour ce service"
OPERATOR_VARIABLES = ("VIGIE_OPERATOR", "VIGIE_OPERATOR_CONTACT", "VIGIE_DPO_CONTACT", "VIGIE_HOSTING")
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
SETTINGS_KEY = web.AppKey("notice_settings", Settings)


def footer_links() -> Tuple[Tuple[str, str], ...]:
    return tuple((path, label) for path, _, label in NOTICES)


def render(path: str, settings: Settings) -> str:
    template = next(name for notice, name, _ in NOTICES if notice == path)
    return TEMPLATES.get_template(f"notices/{template}").render(
        title=TITLES[path],
        current=path,
        notices=footer_links(),
        operator=settings,
        unset=UNSET,
        retention_days=settings.retention_days,
        register_attribution=ATTRIBUTION,
    )


def _page(path: str):
    async def page(request: web.Request) -> web.Response:
        html = render(path, request.app[SETTINGS_KEY])
        return web.Response(text=html, content_type="text/html", charset="utf-8", headers=HEADERS)

    return page


def add_notices(app: web.Application, settings: Settings) -> None:
    missing = [name for name, value in zip(OPERATOR_VARIABLES, _operator_values(settings)) if not value]
    if missing:
        logger.warning("Mentions légales incomplètes : %s non renseignés.", ", ".join(missing))
    app[SETTINGS_KEY] = settings
    for path, _, _ in NOTICES:
        app.router.add_get(path, _page(path))


def _operator_values(settings: Settings) -> Tuple[str, ...]:
    return (settings.operator, settings.operator_contact, settings.dpo_contact, settings.hosting)
