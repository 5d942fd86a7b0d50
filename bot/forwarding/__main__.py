"""``python -m bot.forwarding``: the outbox worker, until SIGTERM or Ctrl-C.

Settings: DATABASE_URL, VIGIE_AUTHORITY_URL (required), VIGIE_AUTHORITY_TOKEN,
VIGIE_OUTBOX_MAX_ATTEMPTS, VIGIE_OUTBOX_BASE_DELAY, VIGIE_OUTBOX_MAX_DELAY,
VIGIE_OUTBOX_TIMEOUT (seconds).
"""

import asyncio
import logging
import os
import signal
import sys

import aiohttp

from actions.outbox import Outbox
from actions.storage import DeclarationStore
from bot.forwarding.worker import Forwarder, Settings


def settings_from_env(env=os.environ) -> Settings:
    url = env.get("VIGIE_AUTHORITY_URL", "").strip()
    if not url:
        raise SystemExit("VIGIE_AUTHORITY_URL manque : l'adresse de réception de l'autorité est requise.")
    try:
        return Settings(
            url=url,
            token=env.get("VIGIE_AUTHORITY_TOKEN") or None,
            max_attempts=int(env.get("VIGIE_OUTBOX_MAX_ATTEMPTS", Settings.max_attempts)),
            base_delay=float(env.get("VIGIE_OUTBOX_BASE_DELAY", Settings.base_delay)),
            max_delay=float(env.get("VIGIE_OUTBOX_MAX_DELAY", Settings.max_delay)),
            timeout=float(env.get("VIGIE_OUTBOX_TIMEOUT", Settings.timeout)),
        )
    except ValueError as error:
        raise SystemExit(f"Réglage de transmission invalide : {error}") from None


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
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(main())
