"""The fingerprint of our NLU code, for Rasa's training cache.

Rasa reuses a component trained earlier (``.rasa/cache``) when the class's own source, its
settings and its inputs are unchanged (``calculate_fingerprint_key``), not when a module the
class calls has changed: after an edit of the lemma tables, of the incident-type features or
of a helper, ``make train`` put the old component into a model saved under the new code's key
(bot/model_cache.py). Each of our components adds the hash of the whole ``bot.nlu`` package,
which is also part of that key (the Makefile's training inputs).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional

PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def package_fingerprint(package: Path = PACKAGE) -> str:
    """Changes whenever a module of the package does."""
    digest = hashlib.sha256()
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


class PackageFingerprint:
    """Mixed into a Rasa component: retrained, or run again, when any of our NLU code changes."""

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return package_fingerprint()
