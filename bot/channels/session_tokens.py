"""The widget's conversation tokens: ``<id>.<expiry>.<signature>``, HMAC-signed with
``VIGIE_WEB_SECRET``. Rasa's socket.io channel issues them (``bot.channels.web``); the
web app checks them too, for the files a conversation adds (``bot.web.attachments``).
No Rasa import here: the web app loads this module."""

import base64
import hashlib
import hmac
import re
import time
from typing import Any, Callable, Optional

TOKEN_LIFETIME = 24 * 3600
SESSION_ID = re.compile(r"^[0-9a-f]{32}$")


class SessionTokens:
    """Server-signed tokens naming a conversation: ``<id>.<expiry>.<signature>``."""

    def __init__(self, secret: bytes, lifetime: int = TOKEN_LIFETIME, clock: Callable[[], float] = time.time):
        self._secret, self._lifetime, self._clock = secret, lifetime, clock

    def _signature(self, session_id: str, expiry: str) -> str:
        digest = hmac.new(self._secret, f"vigie_web|{session_id}|{expiry}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self, session_id: str) -> str:
        expiry = str(int(self._clock()) + self._lifetime)
        return f"{session_id}.{expiry}.{self._signature(session_id, expiry)}"

    def verify(self, token: Any) -> Optional[str]:
        """The conversation id the token names, or None (forged, altered, expired, malformed)."""
        if not isinstance(token, str) or len(token) > 200 or token.count(".") != 2:
            return None
        session_id, expiry, signature = token.split(".")
        if not SESSION_ID.match(session_id) or not expiry.isdigit():
            return None
        if not hmac.compare_digest(signature, self._signature(session_id, expiry)):
            return None
        if int(expiry) < self._clock():
            return None
        return session_id
