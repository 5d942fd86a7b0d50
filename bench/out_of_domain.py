"""Out-of-domain rejection: unrelated sentences must not start a declaration.

Each sentence of tests/data/out_of_domain.yml is sent through the REST channel in a
fresh conversation; a declaration is started when, after it, the tracker's active loop
is ``declaration_form`` or ``seriousness_form``.
"""

import uuid
from collections import Counter
from pathlib import Path
from typing import Dict, List

import yaml

from bench.common import ROOT

SENTENCES_FILE = ROOT / "tests" / "data" / "out_of_domain.yml"
DECLARATION_LOOPS = {"declaration_form", "seriousness_form"}


def load(path: Path = SENTENCES_FILE) -> List[Dict[str, str]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["sentences"]


def declaration_started(tracker: dict) -> bool:
    return ((tracker or {}).get("active_loop") or {}).get("name") in DECLARATION_LOOPS


def run(vigie, sentences: List[Dict[str, str]]) -> dict:
    """``vigie``: tests/e2e/conftest.py's client (``say``, ``tracker``) of a running stack."""
    started, intents = [], Counter()
    for sentence in sentences:
        sender = f"bench-ood-{uuid.uuid4().hex[:12]}"
        vigie.say(sender, sentence["text"])
        tracker = vigie.tracker(sender)
        intents[((tracker.get("latest_message") or {}).get("intent") or {}).get("name")] += 1
        if declaration_started(tracker):
            started.append({**sentence, "loop": tracker["active_loop"]["name"]})
    n = len(sentences)
    return {
        "sentences": n,
        "declarations_started": len(started),
        "rejected_share": round((n - len(started)) / n, 4) if n else None,
        "started": started,
        "intents": dict(intents.most_common()),
    }
