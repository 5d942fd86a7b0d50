"""The address of the client behind a request, for limits and the audit log: the
connection's own, or behind a trusted proxy (``VIGIE_TRUSTED_PROXIES``) the last address of
``X-Forwarded-For`` that is not a trusted proxy (a client may write the header's start)."""

import ipaddress
from typing import Optional, Sequence, Tuple

from aiohttp import web

from bot.settings import Network


def client_address(request: web.Request, proxies: Tuple[Network, ...]) -> Optional[str]:
    return behind_proxies(request.remote, request.headers.getall("X-Forwarded-For", []), proxies)


def behind_proxies(address: Optional[str], forwarded: Sequence[str], proxies: Tuple[Network, ...]) -> Optional[str]:
    """``address``: the connection's peer; ``forwarded``: the ``X-Forwarded-For`` values."""
    if not proxies or not _within(address, proxies):
        return address
    hops = [hop.strip() for value in forwarded for hop in value.split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _within(hop, proxies):
            return hop if _is_address(hop) else address
    return address


def _is_address(text: Optional[str]) -> bool:
    try:
        ipaddress.ip_address(text or "")
    except ValueError:
        return False
    return True


def _within(text: Optional[str], networks: Tuple[Network, ...]) -> bool:
    if not _is_address(text):
        return False
    address = ipaddress.ip_address(text or "")
    return any(address in network for network in networks)
