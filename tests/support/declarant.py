"""A simulated declarant: answers each question the assistant asks (read from
`requested_slot`) from a persona, the way a person would."""

import re
from typing import Callable, List, Optional, Tuple

import pytest

REFERENCE = re.compile(r"\bSSI-\d{4}-\d{6,}\b")
MAX_TURNS = 25
RICH_OPENING = (
    "Bonjour, ici le RSSI du CH de Vierzon. Cette nuit vers 3h un rançongiciel a chiffré nos serveurs, "
    "le DPI et le PACS sont inaccessibles, les urgences sont en mode dégradé papier."
)

# What the declarant answers when asked; a scenario may override some answers.
PERSONA = {
    # true at any hour the suite runs ("ce matin vers 7h" lies in the future before 7h)
    "detected_at": "il y a une demi-heure environ",
    "care_impact": "aucun impact sur les soins pour l'instant",
    "patient_endangerment": "non, aucun patient en danger",
    "declarant_name": "Marie Dupont",
    "declarant_role": "RSSI",
    "declarant_email": "marie.dupont@exemple-sante.fr",
    "declarant_phone": "06 12 34 56 78",
    "structure_match": "oui",
    "finess": "je ne sais pas",
    "is_ose": "non",
    "support_requested": "non",
    "complaint_filed": "c'est prévu",
    "cnil_notified": "pas encore, le DPO s'en occupe",
    "confirmed": "oui",
}


def converse(
    say: Callable[[str], list],
    requested_slot: Callable[[], Optional[str]],
    opening: str,
    answers: dict,
    stop_at: Optional[str] = None,
) -> Tuple[Optional[str], List[str]]:
    """(reference, questions asked). With ``stop_at``, stops when that question
    is pending, before answering it, and returns no reference."""
    replies = say(opening)
    questions: List[str] = []
    for _ in range(MAX_TURNS):
        text = "\n".join(r.get("text", "") for r in replies)
        found = REFERENCE.search(text)
        if found:
            return found.group(), questions
        requested = requested_slot()
        assert requested, f"no question pending and no reference; last replies: {text}"
        if requested == stop_at:
            return None, questions
        questions.append(requested)
        if questions[-3:] == [requested] * 3:
            pytest.fail(f"asked {requested} three times; last replies: {text}")
        replies = say(answers.get(requested, PERSONA.get(requested, "je ne sais pas")))
    pytest.fail(f"no reference after {MAX_TURNS} turns; questions: {questions}")
