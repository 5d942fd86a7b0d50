"""Cross-site request forgery defences for every POST of the admin pages.

1. The request must come from the admin pages' own origin. Pages are served with
   ``Referrer-Policy: no-referrer``, under which browsers send ``Origin: null`` on
   same-origin form posts, so Fetch Metadata (``Sec-Fetch-Site``) is checked
   first, then a real ``Origin``, then ``Referer``; a request with none is refused.
2. The form's hidden ``csrf`` field must equal the session's token (the login
   form: the pre-session cookie's value, double submit).
"""

import hmac
import secrets
from typing import Optional

from aiohttp import web
from yarl import URL

FIELD = "csrf"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: Optional[str], given: Optional[str]) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def expected_origin(request: web.Request, public_origin: Optional[str]) -> str:
    return (public_origin or f"{request.scheme}://{request.host}").rstrip("/").lower()


def _origin_of(url: str) -> Optional[str]:
    try:
        parsed = URL(url)
    except ValueError:
        return None
    if not parsed.scheme or not parsed.host:
        return None
    return str(parsed.origin()).lower()


def same_origin(request: web.Request, public_origin: Optional[str]) -> bool:
    expected = expected_origin(request, public_origin)
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site != "same-origin":
        return False
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return _origin_of(origin) == expected
    referer = request.headers.get("Referer")
    if referer:
        return _origin_of(referer) == expected
    return site == "same-origin"
