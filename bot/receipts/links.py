"""Capability links to a declaration's receipt.

Whoever holds the link may read that one declaration's receipt until it
expires; nothing else. The token is ``<expiry>.<signature>``: the expiry in
Unix seconds and an HMAC-SHA256 over ``vigie_receipt|<reference>|<expiry>``,
in unpadded urlsafe base64. The action server makes the links right after a
submission; the web app checks them. Both read ``VIGIE_RECEIPT_SECRET`` and
``VIGIE_PUBLIC_ORIGIN``.
"""

import base64
import hashlib
import hmac
import time
from typing import Mapping, Optional
from urllib.parse import quote, urlsplit

from bot.settings import Settings

DOMAIN = b"vigie_receipt"
VALIDITY_SECONDS = 7 * 24 * 3600
# Far beyond any real expiry; bounds the work spent on a hostile token.
MAX_EXPIRY_DIGITS = 12
SIGNATURE_LENGTH = 43  # 32 bytes in unpadded base64


def _message(reference: str, expires_at: int) -> bytes:
    return b"|".join((DOMAIN, reference.encode("utf-8"), str(expires_at).encode("ascii")))


def _signature(reference: str, secret: bytes, expires_at: int) -> str:
    digest = hmac.new(secret, _message(reference, expires_at), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _check_inputs(reference, secret) -> bool:
    return (
        isinstance(reference, str)
        and bool(reference)
        and "|" not in reference
        and isinstance(secret, bytes)
        and bool(secret)
    )


def receipt_token(reference: str, secret: bytes, expires_at: int) -> str:
    """The token that opens ``reference``'s receipt until ``expires_at`` (Unix seconds)."""
    if not _check_inputs(reference, secret):
        raise ValueError("reference: non-empty text without '|'; secret: non-empty bytes")
    if isinstance(expires_at, bool) or not isinstance(expires_at, int) or not 0 < expires_at < 10**MAX_EXPIRY_DIGITS:
        raise ValueError("expires_at: positive integer (Unix seconds)")
    return f"{expires_at}.{_signature(reference, secret, expires_at)}"


def verify_receipt_token(token, reference, secret, now) -> bool:
    """True only for an unexpired token made with ``secret`` for ``reference``.

    Any malformed input (wrong type, shape, encoding) is False, never an exception."""
    if not isinstance(token, str) or not _check_inputs(reference, secret):
        return False
    if isinstance(now, bool) or not isinstance(now, (int, float)):
        return False
    expiry, dot, given = token.partition(".")
    if not dot or not (expiry.isascii() and expiry.isdigit()) or len(expiry) > MAX_EXPIRY_DIGITS:
        return False
    if str(int(expiry)) != expiry:  # one spelling per token: no leading zeros
        return False
    if not given.isascii() or len(given) != SIGNATURE_LENGTH:
        return False
    expected = _signature(reference, secret, int(expiry))
    # Compare before looking at the expiry: the time taken says nothing about the signature.
    valid = hmac.compare_digest(expected.encode("ascii"), given.encode("ascii"))
    return valid and now < int(expiry)


def secret_from_env(env: Optional[Mapping[str, str]] = None) -> Optional[bytes]:
    """``VIGIE_RECEIPT_SECRET`` as bytes, or None when it is missing or blank."""
    value = Settings.from_env(env).receipt_secret
    return value.encode("utf-8") if value else None


def _origin(env: Optional[Mapping[str, str]]) -> Optional[str]:
    value = Settings.from_env(env).public_origin.rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
        return None
    return value


def receipt_urls(
    reference: str, env: Optional[Mapping[str, str]] = None, now: Optional[float] = None
) -> Optional[dict]:
    """{"page": ..., "pdf": ...}: absolute links to the receipt, valid 7 days from ``now``.

    None when ``VIGIE_PUBLIC_ORIGIN`` or ``VIGIE_RECEIPT_SECRET`` is missing (or the
    origin is not an http(s) origin)."""
    secret, origin = secret_from_env(env), _origin(env)
    if secret is None or origin is None:
        return None
    expires_at = int(time.time() if now is None else now) + VALIDITY_SECONDS
    token = receipt_token(reference, secret, expires_at)
    path = f"{origin}/recu/{quote(reference, safe='')}"
    return {"page": f"{path}?t={token}", "pdf": f"{path}.pdf?t={token}"}
