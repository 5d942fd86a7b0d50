"""What every channel (REST, web, Teams, Slack) shares.

- One turn: say first that patient identifiers were masked, if any were (at
  the door, ``user_text``); hand the message to Rasa; a failure is logged by
  its type only (never the text) and answered politely by the channel; a turn
  in which Rasa said nothing (it swallows a failed custom action) gets ``NO_REPLY``.
- Which outgoing URLs are acceptable: https, or http on loopback for tests.
- The outgoing HTTP policy: sessions never use ``trust_env``, which would also
  send ``~/.netrc`` credentials to whoever the URL names; a proxy named by
  ``HTTPS_PROXY``/``HTTP_PROXY`` is still honoured, per request, through
  ``proxy_for`` (``NO_PROXY`` and loopback go direct), as hospital networks
  often require.
"""

from __future__ import annotations

import enum
import ipaddress
import logging
import urllib.request
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import urlsplit

import aiohttp
from rasa.core.channels.channel import UserMessage

from bot.core.pii import masked_notice

logger = logging.getLogger(__name__)

UNAVAILABLE = (
    "Je ne peux pas traiter votre message pour le moment. Rien de ce que vous avez déjà "
    "confirmé n'est perdu : réessayez dans une minute. Si l'incident est majeur, appelez "
    "directement CERT Santé."
)
NO_REPLY = (
    "Je n'ai pas pu terminer cette étape : un service de Vigie ne répond pas. Rien de ce que vous "
    "avez confirmé n'est perdu : renvoyez votre dernier message dans un instant."
)
MAX_URL_LENGTH = 2048


class Turn(enum.Enum):
    ANSWERED = "answered"
    SILENT = "silent"  # Rasa said nothing: tell the user with NO_REPLY
    FAILED = "failed"  # Rasa failed: tell the user with UNAVAILABLE (or the channel's form of it)


async def run_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    sent: Callable[[], int],
    channel: str,
    masked: int = 0,
) -> Turn:
    """Hand ``message`` to Rasa; ``sent()`` counts what the output channel has sent."""
    try:
        if masked:
            await message.output_channel.send_text_message(message.sender_id, masked_notice(masked))
        before = sent()
        await on_new_message(message)
    except Exception as error:  # noqa: BLE001 - any failure: a polite answer, no text in the log
        logger.error("%s message handling failed: %s", channel, type(error).__name__)
        return Turn.FAILED
    return Turn.ANSWERED if sent() > before else Turn.SILENT


def is_loopback(host: Optional[str]) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def usable_url(url: object) -> bool:
    """An absolute https URL (http only on loopback, for tests), without
    credentials, query or fragment."""
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return False
    if parts.username or parts.password or parts.query or parts.fragment or not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname))


def proxy_for(url: str) -> Optional[str]:
    """The proxy named by HTTPS_PROXY/HTTP_PROXY for ``url``, unless NO_PROXY or loopback."""
    parts = urlsplit(url)
    if not parts.hostname or is_loopback(parts.hostname) or urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies().get(parts.scheme)


def outgoing_session() -> aiohttp.ClientSession:
    """The HTTP session of a channel's outgoing calls (see the module's docstring)."""
    return aiohttp.ClientSession(trust_env=False)
