"""Patient identifiers never enter: a declaration naming a patient, played through the REST
channel as a user would (test_teams_e2e.py and test_slack_e2e.py play it through theirs),
then searched for everywhere Vigie keeps something: the conversation (Rasa's tracker), the
stored declaration, the database file (declarations, outbox), the receipt (page and PDF), the
authority's copy and what every server process logged."""

import json
import re
import urllib.request
import uuid
from pathlib import Path

from tests.support.declarant import PERSONA, converse
from tests.support.privacy import OPENING, TOLD, assert_found_nowhere
from tests.unit.test_receipts import flat, pdf_pages

RECEIPT_LINK = re.compile(r"https?://\S+/recu/[^\s.]+\S*")


def test_patient_identifiers_are_masked_at_the_door_and_stored_nowhere(vigie):
    sender = f"privacy-{uuid.uuid4().hex[:12]}"
    said: list = []

    def say(text: str) -> list:
        replies = vigie.say(sender, text)
        said.extend(reply.get("text") or "" for reply in replies)
        return replies

    reference, _ = converse(say, lambda: vigie.tracker(sender)["slots"].get("requested_slot"), OPENING, PERSONA)
    assert said[0].startswith(TOLD)
    assert sum("Par précaution" in text for text in said) == 1

    stored = vigie.declaration(reference)
    assert stored["pii_masked"] >= 3 and "[NIR masqué]" in stored["description"]
    assert_found_nowhere(
        {
            "conversation": json.dumps(vigie.tracker(sender), ensure_ascii=False),
            "declaration": json.dumps(stored, ensure_ascii=False),
            "database": _database_text(vigie.env["DATABASE_URL"]),
            "logs": vigie.log_path.read_text(encoding="utf-8", errors="replace"),
            "replies": "\n".join(said),
            **_receipt(said),
            "authority": json.dumps(vigie.delivered_for(reference), ensure_ascii=False),
        }
    )


def test_no_user_text_in_the_logs(vigie):
    """The structure's name and a phrase typed by the person: in the conversation, never in a log."""
    sender = f"privacy-{uuid.uuid4().hex[:12]}"
    phrase = "zorglub quintessence"
    vigie.say(sender, f"rançongiciel au centre hospitalier de Vierzon, tout est chiffré, {phrase}")
    vigie.say(sender, "/\n/restart {declarant_email}")
    assert phrase in json.dumps(vigie.tracker(sender), ensure_ascii=False)
    logs = vigie.log_path.read_text(encoding="utf-8", errors="replace")
    assert phrase not in logs and "{declarant_email}" not in logs


def _receipt(said: list) -> dict:
    """The receipt's page and PDF, opened by the links the chat gave."""
    links = sorted({link.rstrip(".") for text in said for link in RECEIPT_LINK.findall(text)})
    page = next(link for link in links if ".pdf?" not in link)
    pdf = next(link for link in links if ".pdf?" in link)
    with urllib.request.urlopen(page) as reply:
        html = reply.read().decode("utf-8")
    with urllib.request.urlopen(pdf) as reply:
        pdf_text = "\n".join(pdf_pages(reply.read()))
    # What is searched is really the receipt, with the masked description in it.
    assert "[NIR masqué]" in html and "[NIR masqué]" in flat(pdf_text)
    return {"receipt page": html, "receipt PDF": pdf_text}


def _database_text(url: str) -> str:
    assert url.startswith("sqlite:///"), "the e2e stack keeps its declarations in SQLite"
    return Path(url.removeprefix("sqlite:///")).read_bytes().decode("utf-8", errors="replace")
