"""Deliver outbox messages to the authority's intake endpoint.

Each claimed message is POSTed with its ``Idempotency-Key``. Success marks it
``transmise``; a transient failure (network, timeout, 5xx, 408, 429) schedules
a retry with exponential backoff and jitter; a permanent refusal (other 4xx)
or the last allowed attempt moves it to the dead letter (``echec``) with an
alert in the logs. Logs carry references and statuses, never declaration text.
"""

import asyncio
import base64
import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, Optional

import aiohttp

from bot.core.outbox import Claim, Outbox, now_utc

logger = logging.getLogger("vigie.forwarding")

TRANSIENT_STATUSES = {408, 425, 429}


@dataclass(frozen=True)
class Settings:
    url: str
    token: Optional[str] = None
    max_attempts: int = 8
    base_delay: float = 2.0
    max_delay: float = 600.0
    timeout: float = 15.0
    poll_interval: float = 1.0
    batch_size: int = 10
    attachments_dir: Optional[Path] = None


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    error: str = ""
    permanent: bool = False
    receipt: Optional[str] = None
    retry_after: Optional[float] = None


def retry_delay(attempts: int, settings: Settings, rng: random.Random = random) -> float:
    """Exponential backoff with jitter: between half and all of base * 2^(n-1), capped."""
    ceiling = min(settings.max_delay, settings.base_delay * 2 ** max(attempts - 1, 0))
    return rng.uniform(ceiling / 2, ceiling)


def _retry_after(value: Optional[str]) -> Optional[float]:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


async def _receipt(response: aiohttp.ClientResponse) -> Optional[str]:
    try:
        body = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return None
    return str(body.get("receipt")) if isinstance(body, dict) and body.get("receipt") else None


class Forwarder:
    def __init__(self, outbox: Outbox, settings: Settings, session: aiohttp.ClientSession):
        self.outbox = outbox
        self.settings = settings
        self.http = session

    def body(self, claim: Claim) -> Dict[str, Any]:
        """The payload; for a file, its content (base64) in place of its name on disk."""
        if claim.kind != "piece_jointe":
            return claim.payload
        attachment = dict(claim.payload["attachment"])
        stored_name = str(attachment.pop("stored_name"))
        if self.settings.attachments_dir is None or not stored_name.isalnum():
            raise FileNotFoundError(stored_name)
        data = (self.settings.attachments_dir / stored_name).read_bytes()
        attachment["content_base64"] = base64.b64encode(data).decode("ascii")
        return {**claim.payload, "attachment": attachment}

    async def post(self, claim: Claim) -> Outcome:
        try:
            body = await asyncio.to_thread(self.body, claim)
        except OSError:
            return Outcome(False, "pièce jointe introuvable sur le disque", permanent=True)
        headers = {"Idempotency-Key": claim.idempotency_key}
        if self.settings.token:
            headers["Authorization"] = f"Bearer {self.settings.token}"
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout)
        try:
            async with self.http.post(self.settings.url, json=body, headers=headers, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return Outcome(True, receipt=await _receipt(response))
                error = f"HTTP {response.status}"
                permanent = 400 <= response.status < 500 and response.status not in TRANSIENT_STATUSES
                return Outcome(False, error, permanent, retry_after=_retry_after(response.headers.get("Retry-After")))
        except asyncio.TimeoutError:
            return Outcome(False, f"délai dépassé ({self.settings.timeout:g} s)")
        except aiohttp.ClientError as error:
            return Outcome(False, f"réseau : {type(error).__name__}")

    async def deliver(self, claim: Claim) -> Outcome:
        outcome = await self.post(claim)
        if outcome.delivered:
            await asyncio.to_thread(self.outbox.mark_delivered, claim.id, outcome.receipt)
            logger.info("declaration %s forwarded (%s, attempt %d)", claim.reference, claim.kind, claim.attempts)
            return outcome
        if outcome.permanent or claim.attempts >= self.settings.max_attempts:
            await asyncio.to_thread(self.outbox.mark_failed, claim.id, outcome.error, None)
            logger.error(
                "ALERTE transmission : la déclaration %s n'a pas pu être transmise après %d tentative(s) "
                "(%s) ; elle est en échec et attend une intervention.",
                claim.reference,
                claim.attempts,
                outcome.error,
            )
            return outcome
        delay = max(retry_delay(claim.attempts, self.settings), outcome.retry_after or 0.0)
        retry_at = now_utc() + timedelta(seconds=delay)
        await asyncio.to_thread(self.outbox.mark_failed, claim.id, outcome.error, retry_at)
        logger.warning(
            "declaration %s not forwarded (%s), attempt %d, next in %.0f s",
            claim.reference,
            outcome.error,
            claim.attempts,
            delay,
        )
        return outcome

    async def run_once(self) -> int:
        """Deliver what is due now; return how many messages were tried."""
        claims = await asyncio.to_thread(self.outbox.claim_due, self.settings.batch_size)
        await asyncio.gather(*(self.deliver(claim) for claim in claims))
        return len(claims)

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                tried = await self.run_once()
            except Exception as error:  # noqa: BLE001 - database down: keep the worker alive
                logger.error("outbox unavailable: %s", type(error).__name__)
                tried = 0
            if tried == 0:
                try:
                    await asyncio.wait_for(stop.wait(), self.settings.poll_interval)
                except asyncio.TimeoutError:
                    pass
