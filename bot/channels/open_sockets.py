"""How many widget sockets each client address holds open, and a cap on it.

An attack run opened 200 conversations at once from one address, and another person's
"bonjour" went from 0.03 s to 4-6 s. The cap (``VIGIE_WEB_SOCKETS_PER_ADDRESS``, 50 by
default: a hospital's staff may share one address behind its NAT) refuses the sockets past
it until others close. Behind the trusted proxies of ``VIGIE_TRUSTED_PROXIES`` the address
is read from ``X-Forwarded-For``."""

from collections import defaultdict
from typing import Any, Dict, Mapping, Optional, Set, Tuple

from bot.client_address import behind_proxies
from bot.settings import Network

TOO_MANY = (
    "Trop de conversations Vigie sont ouvertes depuis votre réseau. Fermez les onglets de Vigie "
    "dont vous n'avez plus besoin : la connexion sera retentée dans 30 secondes."
)


class OpenSockets:
    def __init__(self, limit: int, proxies: Tuple[Network, ...] = ()):
        self.limit, self.proxies = limit, proxies
        self._by_address: Dict[str, Set[str]] = defaultdict(set)
        self._address_of: Dict[str, str] = {}

    def address(self, environ: Mapping[str, Any]) -> str:
        request = environ.get("sanic.request")  # engine.io's environ says 127.0.0.1 for everyone
        peer: Optional[str] = getattr(request, "ip", None) or environ.get("REMOTE_ADDR")
        forwarded = [environ["HTTP_X_FORWARDED_FOR"]] if environ.get("HTTP_X_FORWARDED_FOR") else []
        return behind_proxies(peer, forwarded, self.proxies) or "?"

    def admit(self, sid: str, address: str) -> bool:
        """Count the socket in, or False when its address already holds ``limit`` of them."""
        held = self._by_address[address]
        if sid not in held and len(held) >= self.limit:
            if not held:
                del self._by_address[address]
            return False
        held.add(sid)
        self._address_of[sid] = address
        return True

    def release(self, sid: str) -> None:
        address = self._address_of.pop(sid, None)
        if address is None:
            return
        held = self._by_address[address]
        held.discard(sid)
        if not held:
            del self._by_address[address]

    def held(self, address: str) -> int:
        return len(self._by_address.get(address, ()))
