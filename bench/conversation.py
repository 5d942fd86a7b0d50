"""Conversation cost: how many questions Vigie asks before a declaration is complete.

A simulated declarant (tests/support/declarant.py's ``converse``, through
tests/e2e/test_scenarios.py's ``declare``) answers from its persona and each scenario's
answers (``CASES``) on the openings of scenarios.md, through the REST channel. A question
is one ``requested_slot`` the declarant had to answer, the final confirmation included.
"""

import time
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from bench.common import MODEL, ROOT, log, median, wait_for_model
from bench.servers import VigieStack
from tests.e2e.test_scenarios import CASES, declare, openings
from tests.support.declarant import PERSONA, RICH_OPENING

RICH_NAME = "RICH_OPENING"
# Openings that say what happened, when, where (the structure by its name) and the effect
# on care: declarant.py's RICH_OPENING, S1 (CH de Vierzon, 3h, ransomware, degraded mode)
# and S6 (Clinique St Joseph, 14h, SAN failure, degraded mode). Chosen from the texts, not
# from what Vigie understands of them.
RICH = (RICH_NAME, "S1", "S6")
TARGET_QUESTIONS = 8
SMOKE_SCENARIOS = ("S1", RICH_NAME)
# The name question invites e-mail and telephone in the same message; this declarant
# takes up the offer. Reported beside the target, which is measured without it.
CONTACT_AT_ONCE = {
    "declarant_name": f"{PERSONA['declarant_name']}, {PERSONA['declarant_email']}, {PERSONA['declarant_phone']}"
}


def form_fields() -> List[str]:
    """The declaration form's ``required_slots`` in domain.yml: every field it may ask."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain["forms"]["declaration_form"]["required_slots"]


def scenarios() -> Dict[str, tuple]:
    """name -> (opening, answers): scenarios.md's eight, and declarant.py's rich opening."""
    texts = openings()
    chosen = {name: (texts[name], {**PERSONA, **answers}) for name, (answers, _) in CASES.items()}
    chosen[RICH_NAME] = (RICH_OPENING, dict(PERSONA))
    return chosen


def run(workdir: Path, smoke: bool) -> dict:
    chosen = scenarios()
    if smoke:
        chosen = {name: chosen[name] for name in SMOKE_SCENARIOS}
    with VigieStack(workdir / "vigie", wait_for_model(MODEL)) as stack:
        stack.start()
        client = stack.client()
        runs = {name: one(client, name, opening, answers) for name, (opening, answers) in sorted(chosen.items())}
        at_once = {
            name: one(client, f"{name} (contact at once)", *contact_at_once(chosen[name]))
            for name in RICH
            if name in chosen
        }
    fields = form_fields()
    return {
        "form_required_slots": len(fields),
        "form_fields": fields,
        "rich_subset": list(RICH),
        "target_questions": TARGET_QUESTIONS,
        "scenarios": runs,
        "summary": {
            "scenarios_md": summary({k: v for k, v in runs.items() if k != RICH_NAME}, len(fields)),
            "rich": summary({k: v for k, v in runs.items() if k in RICH}, len(fields)),
            "rich_contact_at_once": summary(at_once, len(fields)),
        },
        "contact_at_once": at_once,
    }


def contact_at_once(scenario: tuple) -> tuple:
    opening, answers = scenario
    return opening, {**answers, **CONTACT_AT_ONCE}


def one(client, name: str, opening: str, answers: dict) -> dict:
    log(f"declaring {name}")
    began = time.monotonic()
    try:
        reference, questions = declare(client, opening, answers)
        failure = None
    except (AssertionError, pytest.fail.Exception) as error:
        reference, questions, failure = None, None, str(error).splitlines()[0][:300]
    return {
        "reference": reference,
        "questions": questions,
        "count": len(questions) if questions is not None else None,
        "failure": failure,
        "seconds": round(time.monotonic() - began, 2),
        "local_time": time.strftime("%H:%M"),
    }


def summary(runs: Dict[str, dict], fields: int) -> dict:
    counts = [r["count"] for r in runs.values() if r["reference"]]
    return {
        "scenarios": len(runs),
        "completed": len(counts),
        "failed": sorted(k for k, r in runs.items() if not r["reference"]),
        "median_questions": median(counts),
        "max_questions": max(counts) if counts else None,
        "median_share_of_form": round(median(counts) / fields, 3) if counts else None,
    }
