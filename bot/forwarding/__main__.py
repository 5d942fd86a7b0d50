"""``python -m bot.forwarding``: the outbox worker, until SIGTERM or Ctrl-C.

Settings: DATABASE_URL, VIGIE_AUTHORITY_URL (required), VIGIE_AUTHORITY_TOKEN,
VIGIE_OUTBOX_MAX_ATTEMPTS, VIGIE_OUTBOX_BASE_DELAY, VIGIE_OUTBOX_MAX_DELAY,
VIGIE_OUTBOX_TIMEOUT (seconds).
"""

import asyncio
import logging
import signal
import sys
from typing import Mapping, Optional

import aiohttp

from bot import private_logs
from bot.core.outbox import Outbox
from bot.core.storage import DeclarationStore
from bot.forwarding.worker import Forwarder, Settings
from bot.settings import Settings as AppSettings
from bot.settings import SettingsError


def settings_from_env(env: Optional[Mapping[str, str]] = None) -> Settings:
    try:
        settings = AppSettings.from_env(env)
    except SettingsError as error:
        raise SystemExit(f"Réglage de transmission invalide : {error}") from None
    if not settings.authority_url:
        raise SystemExit("VIGIE_AUTHORITY_URL manque : l'adresse de réception de l'autorité est requise.")
    return Settings(
        url=settings.authority_url,
        token=settings.authority_token or None,
        max_attempts=settings.outbox_max_attempts,
        base_delay=settings.outbox_base_delay,
        max_delay=settings.outbox_max_delay,
        timeout=settings.outbox_timeout,
        attachments_dir=settings.attachments_dir,
    )


async def main() -> None:
    settings = settings_from_env()
    store = DeclarationStore()
    outbox = Outbox(store, lease_seconds=2 * settings.timeout + 30)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with aiohttp.ClientSession() as session:
            await Forwarder(outbox, settings, session).run_forever(stop)
    finally:
        store.dispose()


if __name__ == "__main__":
    private_logs.install()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(main())
