"""The patient-identifier declaration every channel's privacy test plays, and the search
for its identifiers in what Vigie kept."""

import json
from typing import List, Mapping

from tests.support.stack import Stack, wait_until

OPENING = (
    "Bonjour, le dossier de la patiente Jeanne Lemoine (NIR 2 85 05 78 006 084 00, née le 12/03/1950) "
    "a été consulté hier par un agent qui n'avait rien à y faire, au CH de Vierzon. "
    "On pense que d'autres dossiers ont été ouverts."
)
# What must be found nowhere: the name, the NIR (its key is wrong: masked because it is labelled)
# and the date of birth, in the forms they were typed.
IDENTIFIERS = ("Lemoine", "Jeanne", "2 85 05 78 006 084 00", "285057800608400", "12/03/1950")
TOLD = "Par précaution, j'ai masqué 3 identifiants de patient"


def assert_found_nowhere(places: Mapping[str, str]) -> None:
    """``places``: where -> everything kept there, as text."""
    for place, text in places.items():
        assert text, f"nothing read from {place}: the search would pass on nothing"
        for identifier in IDENTIFIERS:
            assert identifier not in text, (place, identifier)


def assert_kept_nowhere_in(stack: Stack, sender: str, reference: str, said: List[str]) -> None:
    """The search in a production-like stack (Teams, Slack): the conversation's events, the
    database, every log, what was said, and the authority's copy once it has arrived."""
    wait_until(
        lambda: any(d.get("reference") == reference for d in stack.received()["deliveries"]),
        60,
        what="the authority's copy",
    )
    places = {
        "conversation": stack.conversation_text(sender),
        "database": stack.database_text(),
        "logs": stack.logs(),
        "replies": "\n".join(said),
        "authority": json.dumps(stack.received(), ensure_ascii=False),
    }
    assert_found_nowhere(places)
    # what was searched is really this declaration: its structure is there
    assert all("Vierzon" in places[place] for place in ("conversation", "database", "authority"))
