"""What every admin handler needs: the store, the clock, settings, the request's user."""

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Optional, Tuple

from aiohttp import web

from bot.admin.passwords import Passwords
from bot.admin.sessions import Identity
from bot.client_address import client_address
from bot.core.storage import DeclarationStore
from bot.settings import Network


@dataclass(frozen=True)
class AdminContext:
    store: DeclarationStore
    passwords: Passwords
    clock: Callable[[], datetime]
    secure_cookies: bool
    # Origin the browser shows (scheme://host[:port]); None = the request's own.
    public_origin: Optional[str]
    # Synthetic (demonstration) declarations for the observatory; None = none configured.
    demo_store: Optional[DeclarationStore] = None
    # Reverse proxies whose X-Forwarded-For is believed (VIGIE_TRUSTED_PROXIES).
    trusted_proxies: Tuple[Network, ...] = ()


CONTEXT_KEY = web.AppKey("admin_context", AdminContext)
IDENTITY_KEY = "admin_identity"


def admin(request: web.Request) -> AdminContext:
    return request.config_dict[CONTEXT_KEY]


def now(request: web.Request) -> datetime:
    return admin(request).clock()


def identity(request: web.Request) -> Optional[Identity]:
    return request.get(IDENTITY_KEY)


def client_ip(request: web.Request) -> Optional[str]:
    return client_address(request, admin(request).trusted_proxies)


def require_admin(request: web.Request) -> Identity:
    """The user, if administrateur; otherwise 403 (a French page, see middlewares)."""
    user = identity(request)
    if user is None or not user.is_admin:
        raise web.HTTPForbidden(reason="role")
    return user


def mount_prefix(request: web.Request) -> str:
    """Where the admin app is mounted ("/admin"): the path of its cookies."""
    return str(request.app.router["index"].url_for()).rstrip("/") or "/"
