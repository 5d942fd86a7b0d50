"""The patient-identifier declaration every channel's privacy test plays, and the search
for its identifiers in what Vigie kept."""

from typing import Mapping

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
