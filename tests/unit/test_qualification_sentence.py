"""The verdict said after sending (actions/summary.py), in correct French."""

import pytest

from actions.summary import qualification_sentence


@pytest.mark.parametrize(
    "grave, significatif, said",
    [
        (True, True, "l'incident est grave et significatif :"),
        (True, False, "l'incident est grave :"),
        (False, True, "l'incident est significatif :"),
        (False, False, "l'incident n'est ni grave ni significatif au sens des critères :"),  # was "est ni"
    ],
)
def test_the_verdict(grave, significatif, said):
    sentence = qualification_sentence({"grave": grave, "significatif": significatif, "reasons": ["une raison"]})
    assert sentence == f"D'après ces éléments, {said}\n- une raison"
