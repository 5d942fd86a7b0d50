"""The admin pages as an aiohttp sub-application.

Mount it in the main app::

    from bot.admin import create_admin_app
    app.add_subapp("/admin", create_admin_app(store))

``store`` is the ``DeclarationStore`` of the real declarations, already migrated
(migration 0005 creates the users, sessions and audit tables). Keep
``secure_cookies=True`` everywhere but plain-http tests and development on
127.0.0.1. Behind a reverse proxy that terminates TLS, pass ``public_origin``
("https://vigie.example.fr") so the CSRF origin check compares with what the
browser shows; the audit log and the login throttling use the client's address,
from ``X-Forwarded-For`` only when the connection comes from one of
``trusted_proxies`` (VIGIE_TRUSTED_PROXIES).

``demo_store`` holds the synthetic declarations the observatory can show
instead of the real ones (``DeclarationStore(synthetic=True)``).
"""

from datetime import datetime
from typing import Callable, Optional, Tuple

from aiohttp import web
from argon2 import PasswordHasher

from bot.admin import middlewares
from bot.admin.context import CONTEXT_KEY, AdminContext
from bot.admin.passwords import Passwords
from bot.admin.templating import ENVIRONMENT_KEY, STATIC_DIR, build_environment
from bot.admin.views import audit_log, declarations, exports, login, observatory, user_management
from bot.core.paris_time import utc_now
from bot.core.storage import DeclarationStore
from bot.settings import Network

# Forms are small; exports are GETs.
MAX_REQUEST_BYTES = 64 * 1024


def create_admin_app(
    store: DeclarationStore,
    *,
    secure_cookies: bool = True,
    clock: Callable[[], datetime] = utc_now,
    password_hasher: Optional[PasswordHasher] = None,
    public_origin: Optional[str] = None,
    demo_store: Optional[DeclarationStore] = None,
    trusted_proxies: Tuple[Network, ...] = (),
) -> web.Application:
    """Sub-application to mount at ``/admin``.

    ``clock`` returns the current aware UTC datetime (sessions, throttling, audit);
    ``password_hasher`` defaults to argon2-cffi's recommended argon2id parameters."""
    app = web.Application(
        middlewares=[
            middlewares.security_headers,
            middlewares.error_pages,
            middlewares.require_session,
            middlewares.check_csrf,
        ],
        client_max_size=MAX_REQUEST_BYTES,
    )
    app[CONTEXT_KEY] = AdminContext(
        store=store,
        passwords=Passwords(password_hasher),
        clock=clock,
        secure_cookies=secure_cookies,
        public_origin=public_origin.rstrip("/") if public_origin else None,
        demo_store=demo_store,
        trusted_proxies=trusted_proxies,
    )
    app[ENVIRONMENT_KEY] = build_environment()
    _add_routes(app.router)
    return app


def _add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/", declarations.index, name="index")
    # The mount prefix itself ("/admin", no slash) resolves here.
    router.add_get("", declarations.index, name="root")
    router.add_get("/connexion", login.login_form, name="login")
    router.add_post("/connexion", login.login_submit, name="login_submit")
    router.add_post("/deconnexion", login.logout, name="logout")
    router.add_get("/declarations", declarations.declarations_list, name="declarations")
    # Before the detail: "{reference}" alone would also match "SSI-2026-000001.pdf".
    router.add_get("/declarations/{reference}.pdf", declarations.declaration_pdf, name="declaration_pdf")
    router.add_get("/declarations/{reference}", declarations.declaration_detail, name="declaration")
    router.add_get(
        "/declarations/{reference}/pieces-jointes/{number:[0-9]+}", declarations.attachment_file, name="attachment"
    )
    router.add_get("/export.csv", exports.export_csv, name="export_csv")
    router.add_get("/export-tableur.csv", exports.export_spreadsheet, name="export_spreadsheet")
    router.add_get("/export.json", exports.export_json, name="export_json")
    router.add_get("/journal", audit_log.audit_page, name="audit")
    router.add_get("/utilisateurs", user_management.users_page, name="users")
    router.add_post("/utilisateurs", user_management.create_user, name="user_create")
    router.add_post("/utilisateurs/{login}/role", user_management.change_role, name="user_role")
    router.add_post("/utilisateurs/{login}/desactiver", user_management.disable_user, name="user_disable")
    router.add_post("/utilisateurs/{login}/reactiver", user_management.enable_user, name="user_enable")
    observatory.add_routes(router)
    router.add_static("/static", STATIC_DIR, name="static")
