"""The persona corpus (tests/personas) played against Vigie, the way people talk.

``make converse`` (``python -m bench converse [--split dev|check]``) starts Vigie as
``make run`` does (on free ports, a scratch database, the fake authority: nothing
reaches a real one) and plays every persona through the REST channel. A persona
answers the pending question (``requested_slot``) from its ``answers``, says its
script events where they fall, clicks the closest button when a typed answer was
refused twice, and says "je ne sais pas" when it has no answer. The stored
declaration is then read back through the API and compared with ``expected``.

Once the reference is given, Vigie offers to complete the declaration now (the fields the
spec does not require before sending); the persona says "oui" and answers those questions
the same way, then the stored declaration is scored. Questions are counted up to the
reference (the figure the targets are about) and after it, apart.

Reported per persona and per split: reference reached, turns, questions, loops (the
same question three times in a row), accuracy per field, the incident-type confusion
matrix. The check split is only ever scored: never read its mismatches to change the
training data or the lexicon (tests/personas/README.md).
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import sys
import time
import unicodedata
import uuid
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from datetime import time as clock_time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import yaml

from bench.common import MODEL, REAL_START, ROOT, log, median, wait_for_model
from bench.servers import VigieStack
from bot.core.paris_time import PARIS
from bot.core.register import read_register
from bot.settings import DEFAULT_FINESS_DIR

PERSONAS = ROOT / "tests" / "personas"
SPLITS = ("dev", "check")
# The receipt sentence only: help texts show an example reference ("compléter SSI-2026-000123").
REFERENCE = re.compile(r"enregistrée sous la référence (SSI-\d{4}-\d{6,})\b")
MAX_TURNS = 45
MAX_COMPLETION_TURNS = 25
# The offer made with the reference (actions/submission.py's OFFER_BUTTONS).
COMPLETION_OFFER = "Compléter maintenant"
DONT_KNOW = "je ne sais pas"
GO_ON = "/resume_declaration"  # the payload of "Non, continuer"
RESTART = "je veux déclarer un incident"
PLAYED_AT = clock_time(14, 0)  # Paris time the personas are played at (at_a_fixed_hour)
SMOKE_PERSONAS = 3
DATE_TOLERANCE = timedelta(minutes=15)
TEXT_FIELDS = ("declarant_name", "declarant_role")
SCORED_EXACT = (
    "finess",
    "structure_type",
    "region",
    "is_ose",
    "incident_type",
    "origin",
    "perimeter",
    "provider_involved",
    "handling_status",
    "care_impact",
    "patient_endangerment",
    "health_data_involved",
    "spread_risk",
    "support_requested",
    "complaint_filed",
    "cnil_notified",
    "persons_affected",
)
SCORED_SETS = ("affected_systems", "data_impact")
DATES = ("detected_at", "started_at")


@dataclass
class Persona:
    id: str
    opening: str
    answers: Dict[str, Any]
    expected: Dict[str, Any]
    script: List[Dict[str, Any]] = field(default_factory=list)
    # the FINESS numbers that recognise the real establishment the persona names (structures.yml)
    establishment: Optional[List[str]] = None

    @classmethod
    def from_yaml(cls, raw: Dict[str, Any], establishment: Optional[List[str]] = None) -> "Persona":
        return cls(
            raw["id"],
            raw["opening"],
            raw.get("answers") or {},
            raw.get("expected") or {},
            raw.get("script") or [],
            establishment,
        )


@dataclass
class Conversation:
    persona: str
    reference: Optional[str] = None
    turns: int = 0
    questions: List[str] = field(default_factory=list)
    # asked after the reference, in the completion the persona accepted
    completion_questions: List[str] = field(default_factory=list)
    completed: bool = False
    loops: List[str] = field(default_factory=list)
    clicks: int = 0
    stuck: Optional[str] = None
    started_at: str = ""
    expected_type: Optional[str] = None
    stored_type: Optional[str] = None
    fields: Dict[str, bool] = field(default_factory=dict)
    # expected fields left empty although never asked: not collected rather than misunderstood
    not_collected: List[str] = field(default_factory=list)
    mismatches: Dict[str, Tuple[Any, Any]] = field(default_factory=dict)
    # stored with no region (or "inconnu"): the ARS of its region cannot find it (issue 15)
    without_region: bool = False
    # for a persona naming a real establishment: whether its FINESS number was stored (issue 15)
    structure_recognised: Optional[bool] = None


def load(split: str) -> List[Persona]:
    real = real_establishments()
    personas: List[Persona] = []
    for path in sorted((PERSONAS / split).glob("*.yml")):
        raws = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or []  # libyaml: 10 times quicker
        personas += [Persona.from_yaml(raw, real.get(raw["id"])) for raw in raws]
    return personas


@lru_cache(maxsize=1)
def _listed() -> Dict[str, List[str]]:
    """persona id -> the FINESS ET numbers of tests/personas/structures.yml (annotated from the
    personas and the register only)."""
    annotations = yaml.safe_load((PERSONAS / "structures.yml").read_text(encoding="utf-8")) or {}
    return {pid: [str(n) for n in a["finess"]] for pid, a in annotations.items() if a.get("real")}


@lru_cache(maxsize=1)  # the register is read once, for both splits and both uses
def _from_register() -> Tuple[Dict[str, str], Dict[str, str]]:
    """FINESS ET -> its legal entity (EJ), and a département's name as Vigie shows it (folded) -> the
    spec's region value."""
    entities: Dict[str, str] = {}
    departments: Dict[str, str] = {}
    for e in read_register(DEFAULT_FINESS_DIR):
        if e.legal_finess:
            entities[e.finess] = e.legal_finess
        if e.region is not None and e.department_name:
            departments[_words(e.department_name).strip()] = e.region.value
    return entities, departments


@lru_cache(maxsize=1)
def legal_entities() -> Dict[str, str]:
    """FINESS ET -> its legal entity (EJ), for the establishments of structures.yml."""
    wanted = {n for numbers in _listed().values() for n in numbers}
    return {finess: entity for finess, entity in _from_register()[0].items() if finess in wanted}


def real_establishments() -> Dict[str, List[str]]:
    """persona id -> the FINESS numbers that recognise the real establishment it names: those of
    structures.yml and the legal entity (EJ) they belong to, a FINESS the spec accepts as well."""
    entity = legal_entities()
    return {
        pid: list(dict.fromkeys([*numbers, *(entity[n] for n in numbers if n in entity)]))
        for pid, numbers in _listed().items()
    }


# --- Playing one persona ----------------------------------------------------------


class Declarant:
    """One persona in one conversation: what it says next, given what Vigie said."""

    def __init__(self, persona: Persona):
        self.persona = persona
        self.by_turn = {int(e["at_turn"]): str(e["say"]) for e in persona.script if "at_turn" in e}
        self.by_field = {str(e["field"]): str(e["say"]) for e in persona.script if "field" in e}

    def scripted(self, reply_number: int) -> Optional[str]:
        return self.by_turn.pop(reply_number, None)

    def answer(self, requested: str, replies: Optional[list] = None) -> str:
        if requested in self.by_field:
            return self.by_field.pop(requested)
        if requested in ("confirmed", "completion_form_confirmed"):
            return "oui"
        if requested == "structure_match":
            if self.persona.establishment:
                return choose_own(self.persona.establishment, replies or [])
            answers, expected = self.persona.answers, self.persona.expected
            own = f"{answers.get('structure_name') or ''} {expected.get('structure_name_hint') or ''}"
            return recognise_own(own, replies or [], expected.get("region"))
        if requested == "declarant_name" and asks_contact_block(replies or []):
            # a persona with contact_at_once holds the same message under the four keys: said once
            given = dict.fromkeys(str(self.persona.answers.get(f) or "") for f in CONTACT_BLOCK)
            return ", ".join(g for g in given if g and fold(g) != fold(DONT_KNOW)) or DONT_KNOW
        value = self.persona.answers.get(requested)
        return DONT_KNOW if value in (None, "") else str(value)


def play(say: Callable[[str], list], requested_slot: Callable[[], Optional[str]], persona: Persona) -> Conversation:
    result = Conversation(persona.id, started_at=datetime.now(PARIS).isoformat(timespec="seconds"))
    declarant = Declarant(persona)
    replies, restarted, repeats = say(persona.opening), False, 0
    for reply_number in range(1, MAX_TURNS + 1):
        result.turns = reply_number
        found = REFERENCE.search(_text(replies))
        if found:
            result.reference = found.group(1)
            complete(say, requested_slot, declarant, replies, result)
            return result
        scripted = declarant.scripted(reply_number)
        if scripted is not None:
            replies = say(scripted)
            continue
        requested = requested_slot()
        going_on = [b for b in _buttons(replies) if b.get("payload") == GO_ON]
        if requested is None and going_on:
            # asked "voulez-vous (toujours) annuler ?": every persona came to declare, and goes on
            replies = say(GO_ON)
            result.clicks += 1
            continue
        if requested is None:
            if restarted:
                result.stuck = "no question pending and no reference"
                return result
            replies, restarted = say(RESTART), True
            continue
        repeats = repeats + 1 if result.questions and result.questions[-1] == requested else 1
        result.questions.append(requested)
        if repeats == 3:
            result.loops.append(requested)
        if repeats >= 5:
            result.stuck = f"{requested} asked {repeats} times in a row"
            return result
        message, clicked = insist(declarant.answer(requested, replies), repeats, replies)
        result.clicks += clicked
        replies = say(message)
    result.stuck = f"no reference after {MAX_TURNS} replies"
    return result


def complete(
    say: Callable[[str], list],
    requested_slot: Callable[[], Optional[str]],
    declarant: Declarant,
    replies: list,
    result: Conversation,
) -> None:
    """After the reference: accept the offer to complete now, answer until the complement is sent."""
    if not any(b.get("title") == COMPLETION_OFFER for b in _buttons(replies)):
        return
    replies, repeats = say("oui"), 0
    for _ in range(MAX_COMPLETION_TURNS):
        requested = requested_slot()
        if requested is None:
            result.completed = "complément" in _text(replies)
            return
        asked = result.completion_questions
        repeats = repeats + 1 if asked and asked[-1] == requested else 1
        asked.append(requested)
        if repeats == 3:
            result.loops.append(requested)
        if repeats >= 5:
            return
        message, clicked = insist(declarant.answer(requested, replies), repeats, replies)
        result.clicks += clicked
        replies = say(message)


def insist(answer: str, repeats: int, replies: list) -> Tuple[str, int]:
    """What a person says when the same question comes back: their answer twice, then the
    closest button, or "je ne sais pas" and "passer" when there is none."""
    if repeats < 3:
        return answer, 0
    if _buttons(replies):
        return closest_button(replies, answer)
    return (DONT_KNOW if repeats == 3 else "passer"), 0


def _text(replies: list) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies)


# Words of a structure's name that do not tell which one it is.
GENERIC_WORDS = {
    "centre", "hospitalier", "hospitaliere", "hopital", "clinique", "polyclinique", "ehpad", "residence",
    "laboratoire", "groupe", "site", "saint", "sainte", "prive", "public", "intercommunal", "universitaire",
    "regional", "des", "les", "du", "de", "la", "le", "chu", "chi", "chs",
}  # fmt: skip


CONTACT_BLOCK = ("declarant_name", "declarant_role", "declarant_email", "declarant_phone")


def asks_contact_block(replies: list) -> bool:
    """Whether the question asks for name, function, e-mail and telephone at once: a person then
    gives the four in one message."""
    text = fold(_text(replies))
    return all(word in text for word in ("nom", "fonction", "e-mail", "telephone"))


def choose_own(numbers: List[str], replies: list) -> str:
    """What a person working at a real establishment answers when asked to confirm it: they know
    it when they see it (its FINESS, one of `numbers`, is in the button's payload)."""
    buttons = _buttons(replies)
    titles = [str(b.get("title") or "") for b in buttons]
    rank = {n: i for i, n in enumerate(numbers)}  # an establishment before its legal entity
    mine = sorted(
        (b for b in buttons if any(n in str(b.get("payload")) for n in numbers)),
        key=lambda b: min(rank[n] for n in numbers if n in str(b.get("payload"))),
    )
    if titles[:2] == ["Oui", "Non"]:
        return "oui" if any(b is buttons[0] for b in mine) else "non"
    if mine:
        return str(mine[0]["payload"])
    return next((str(b["payload"]) for b in buttons if b.get("title") == "Aucune de celles-ci"), "non")


def recognise_own(own_name: str, replies: list, region: Optional[str] = None) -> str:
    """What a person answers when asked to confirm their establishment: "oui" when the one offered
    is theirs (it has most of the telling words of their name and town, and lies in their region), else
    "non"; among several, the button of theirs, else "Aucune de celles-ci". A nurse of a "clinique du
    Parc" in the Nord never takes the one of the Hérault."""
    buttons = _buttons(replies)
    titles = [str(b.get("title") or "") for b in buttons]
    if titles[:2] == ["Oui", "Non"]:
        text = _text(replies)
        return "oui" if _same_place(own_name, text) and _in_region(text, region) else "non"
    offered = [b for b in buttons if b.get("title") != "Aucune de celles-ci" and _in_region(str(b["title"]), region)]
    best = max(offered, key=lambda b: _likeness(own_name, str(b.get("title"))), default=None)
    if best is not None and _same_place(own_name, str(best.get("title"))):
        return str(best["payload"])
    return next((str(b["payload"]) for b in buttons if b.get("title") == "Aucune de celles-ci"), "non")


def _in_region(offered: str, region: Optional[str]) -> bool:
    """Whether the place offered ("Clinique du Parc (Nantes, Loire Atlantique)") may be in the person's
    region: its département, the last name in its brackets, is in that region or unknown."""
    bracket = re.findall(r"\(([^()]*)\)", offered)
    department = _words(bracket[-1].split(",")[-1]).strip() if bracket and region else ""
    found = _from_register()[1].get(department)
    return found is None or found == region


def _likeness(own_name: str, offered: str) -> float:
    """The share of the telling words of the person's name found in what is offered."""
    telling = [w for w in re.findall(r"[a-z0-9]+", fold(own_name)) if len(w) > 2 and w not in GENERIC_WORDS]
    words = set(re.findall(r"[a-z0-9]+", fold(offered)))
    return sum(w in words for w in telling) / len(telling) if telling else 0.0


def _same_place(own_name: str, offered: str) -> bool:
    """A person recognises their establishment by most of its telling words (its town included)."""
    return _likeness(own_name, offered) >= 0.75


def _buttons(replies: list) -> List[dict]:
    return [b for r in replies for b in (r.get("buttons") or [])]


def closest_button(replies: list, answer: str) -> Tuple[str, int]:
    """The payload of the button whose title is closest to what the person meant, or the answer itself."""
    buttons = _buttons(replies)
    if not buttons:
        return answer, 0
    wanted = fold(answer)
    best = max(buttons, key=lambda b: difflib.SequenceMatcher(None, wanted, fold(b.get("title", ""))).ratio())
    return str(best.get("payload") or best.get("title")), 1


def _words(text: str) -> str:
    """The words of a name, whatever the punctuation: "Saint-Brieuc" is in "(Saint Brieuc)"."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", fold(text))) + " "


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


# --- Scoring ------------------------------------------------------------------------


def score(stored: Optional[Dict[str, Any]], expected: Dict[str, Any], started_at: datetime) -> Dict[str, Tuple]:
    """field -> (ok, expected, stored) for every expected field that is scored."""
    stored = stored or {}
    scores: Dict[str, Tuple] = {}
    for name, want in expected.items():
        got = stored.get("structure_name" if name == "structure_name_hint" else name)
        ok = _matches(name, want, got, started_at)
        if ok is not None:
            scores[name] = (ok, want, got)
    return scores


def _matches(name: str, want: Any, got: Any, started_at: datetime) -> Optional[bool]:
    if name == "finess":
        # the legal entity's number typed, Vigie offers its establishments (issue 15): the site the
        # person confirms is theirs (the spec accepts an ET or an EJ; the ET says more)
        return got == want or (got is not None and legal_entities().get(got) == want)
    if name in SCORED_EXACT:
        return got == want
    if name in SCORED_SETS:
        return set(got or []) == set(want or [])
    if name in ("structure_name_hint", *TEXT_FIELDS):
        return bool(got) and _words(want) in _words(got)
    if name == "declarant_email":
        return str(got or "").lower() == str(want).lower()
    if name == "declarant_phone":
        # the number; Vigie keeps an extension ("poste 212") as RFC 3966's ";ext=212" (issue 15)
        return str(got or "").split(";ext=")[0] == want
    if name in DATES:
        return date_matches(want, got, started_at)
    return None  # qualification, unknown_fields, traps: scored elsewhere or not yet


def date_matches(want: Optional[dict], got: Optional[str], started_at: datetime) -> bool:
    if not want:
        return got is None
    if not got:
        return False
    stored = datetime.fromisoformat(got).astimezone(PARIS)
    if "hours_ago" in want:
        return abs(stored - (started_at - timedelta(hours=float(want["hours_ago"])))) <= DATE_TOLERANCE
    day = (started_at - timedelta(days=int(want["days_ago"]))).date()
    if stored.date() != day:
        return False
    if want.get("time") is None:
        return True
    hour, minute = (int(part) for part in str(want["time"]).split(":"))
    return abs(stored - stored.replace(hour=hour, minute=minute, second=0, microsecond=0)) <= DATE_TOLERANCE


# --- The benchmark ------------------------------------------------------------------


def at_a_fixed_hour(argv: List[str]) -> Optional[List[str]]:
    """The command that plays the personas as at 14:00 Paris time of today, with libfaketime
    (Debian's ``faketime``), or None when it is missing or already in use. The personas say
    "ce matin vers 8h" and "hier soir": played at 1:00, their expected dates lie in the future,
    and a figure would depend on the hour of the run."""
    if os.environ.get("FAKETIME") or not shutil.which("faketime"):
        return None
    paris = datetime.now(PARIS).replace(hour=PLAYED_AT.hour, minute=PLAYED_AT.minute, second=0, microsecond=0)
    utc = paris.astimezone(timezone.utc)
    started = f"{REAL_START}={datetime.now(timezone.utc).isoformat(timespec='seconds')}"  # the results' real date
    return [
        "env",
        "TZ=UTC",
        # the wall clock only: asyncio's and TensorFlow's waits read the monotonic clock, and a
        # faked one once left Rasa never answering
        "FAKETIME_DONT_FAKE_MONOTONIC=1",
        started,
        "faketime",
        "-f",
        f"@{utc:%Y-%m-%d %H:%M:%S}",
        sys.executable,
        "-m",
        "bench",
        *argv,
    ]


def run(workdir: Path, smoke: bool, splits: Tuple[str, ...] = SPLITS) -> dict:
    chosen = {split: load(split)[: SMOKE_PERSONAS if smoke else None] for split in splits}
    with VigieStack(workdir / "vigie", wait_for_model(MODEL)) as stack:
        stack.start()
        client = stack.client()
        results = {split: [one(client, persona) for persona in personas] for split, personas in chosen.items()}
    local = datetime.now(PARIS)
    if os.environ.get("FAKETIME"):
        note: Optional[str] = f"played as at {PLAYED_AT:%H:%M} Paris time (libfaketime), whatever the hour of the run"
    else:
        note = None if local.hour >= 10 else "played before 10:00 Paris time: some expected times lay in the future"
    return {
        "note": note,
        "splits": {split: summarise(conversations) for split, conversations in results.items()},
        "conversations": {split: [shown(c, split) for c in conversations] for split, conversations in results.items()},
    }


def shown(conversation: Conversation, split: str) -> dict:
    """What the results file keeps: for the check split, which fields failed, never the values."""
    kept = asdict(conversation)
    if split == "check":
        kept["mismatches"] = sorted(conversation.mismatches)
    return kept


def one(client, persona: Persona) -> Conversation:
    sender = f"persona-{uuid.uuid4().hex[:12]}"
    began = datetime.now(PARIS)
    conversation = play(
        lambda text: client.say(sender, text),
        lambda: client.tracker(sender)["slots"].get("requested_slot"),
        persona,
    )
    stored = client.declaration(conversation.reference) if conversation.reference else None
    scores = score(stored, persona.expected, began)
    conversation.expected_type = persona.expected.get("incident_type")
    conversation.stored_type = (stored or {}).get("incident_type")
    conversation.fields = {name: ok for name, (ok, _, _) in scores.items()}
    conversation.not_collected = sorted(
        name
        for name, (ok, _, got) in scores.items()
        if not ok
        and got in (None, [])
        and name not in conversation.questions + conversation.completion_questions
        and name != "structure_name_hint"
    )
    conversation.mismatches = {name: (want, got) for name, (ok, want, got) in scores.items() if not ok}
    conversation.without_region = stored is not None and stored.get("region") in (None, "inconnu")
    if persona.establishment and stored is not None:
        conversation.structure_recognised = stored.get("finess") in persona.establishment
    log(
        f"{persona.id}: {conversation.reference or 'NO REFERENCE'} after {len(conversation.questions)} questions"
        f"{', stuck: ' + conversation.stuck if conversation.stuck else ''}"
    )
    time.sleep(0.05)
    return conversation


def summarise(conversations: List[Conversation]) -> dict:
    done = [c for c in conversations if c.reference]
    per_field: Dict[str, List[bool]] = defaultdict(list)
    for conversation in done:
        for name, ok in conversation.fields.items():
            per_field[name].append(ok)
    cells = [ok for oks in per_field.values() for ok in oks]
    collected = [ok for c in done for name, ok in c.fields.items() if name not in c.not_collected]
    return {
        "personas": len(conversations),
        "reached_reference": len(done),
        "stuck": {c.persona: c.stuck for c in conversations if not c.reference},
        "with_loop": sum(1 for c in conversations if c.loops),
        "without_region": sum(1 for c in done if c.without_region),
        "naming_a_real_establishment": sum(1 for c in done if c.structure_recognised is not None),
        "structure_recognised": _share([c.structure_recognised for c in done if c.structure_recognised is not None]),
        "questions_median": median([len(c.questions) for c in done]),
        "questions_max": max((len(c.questions) for c in done), default=None),
        # after the reference, for the personas who completed their declaration then
        "completed": sum(1 for c in done if c.completed),
        "completion_questions_median": median([len(c.completion_questions) for c in done if c.completion_questions]),
        "turns_median": median([c.turns for c in done]),
        "clicks": sum(c.clicks for c in conversations),
        "field_accuracy": round(sum(cells) / len(cells), 3) if cells else None,
        # the same without the expected fields Vigie neither asked nor stored
        "collected_accuracy": round(sum(collected) / len(collected), 3) if collected else None,
        "not_collected": round(1 - len(collected) / len(cells), 3) if cells else None,
        "per_field": {name: round(sum(oks) / len(oks), 3) for name, oks in sorted(per_field.items())},
        "per_field_counts": {name: len(oks) for name, oks in sorted(per_field.items())},
        "incident_type_confusion": confusion(conversations),
    }


def _share(oks: List[bool]) -> Optional[float]:
    return round(sum(oks) / len(oks), 3) if oks else None


def confusion(conversations: List[Conversation]) -> Dict[str, Dict[str, int]]:
    """expected type -> {stored type: count}; a persona without a declaration counts as "(aucune)"."""
    matrix: Dict[str, Counter] = defaultdict(Counter)
    for conversation in conversations:
        if conversation.expected_type:
            matrix[conversation.expected_type][conversation.stored_type or "(aucune)"] += 1
    return {want: dict(row) for want, row in sorted(matrix.items())}
