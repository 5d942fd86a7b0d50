"""The contact block in one answer, through the form's validation action."""

import pytest

from actions.contact import read_contact
from actions.summary import format_value
from bot.core.validators import normalize_phone
from bot.nlu.components import IncidentFactsExtractor
from tests.unit.test_declaration_form import turn

ASKED = {"requested_slot": "declarant_name", "submission_key": "k", "structure_name": "CH de Vierzon"}


async def test_name_function_email_and_phone_in_one_message():
    values, _ = await turn(
        ASKED, "Julien Marchand, technicien informatique de garde, julien.marchand@ch-x.fr, 06 12 34 56 78"
    )
    assert values["declarant_name"] == "Julien Marchand"
    assert values["declarant_role"] == "technicien informatique de garde"
    assert values["declarant_email"] == "julien.marchand@ch-x.fr"
    assert values["declarant_phone"] == "+33612345678"
    assert values["requested_slot"] not in ("declarant_role", "declarant_email", "declarant_phone")


@pytest.mark.parametrize(
    "said,name,role",
    [
        ("Marie Dupont RSSI 0612345678 marie.dupont@ch-exemple.fr", "Marie Dupont", "RSSI"),
        ("Claire Morel\ndirectrice des soins\nclaire.morel@ehpad-exemple.fr", "Claire Morel", "directrice des soins"),
        ("je suis Paul Martin, cadre de santé, tel 02 40 00 00 00 poste 212", "Paul Martin", "cadre de santé"),
        # "au" (as in "joignable au 06…") is no longer cut from the start of a first name
        ("Augustin Perret, RSSI, 06 12 34 56 78", "Augustin Perret", "RSSI"),
        ("Ici Aude Marchal, cadre de santé, joignable au 02 40 00 00 00", "Aude Marchal", "cadre de santé"),
    ],
)
async def test_any_order_and_layout(said, name, role):
    values, _ = await turn(ASKED, said)
    assert (values["declarant_name"], values["declarant_role"]) == (name, role)


async def test_only_what_is_missing_is_asked_after():
    values, _ = await turn({**ASKED, "description": "rançongiciel"}, "jean dupont")
    assert values["declarant_name"] == "Jean Dupont"
    assert "declarant_role" not in values and "declarant_email" not in values


async def test_a_question_at_the_name_prompt_is_not_a_name():
    values, _ = await turn(ASKED, "attendez, est-ce qu'on doit payer la rançon ?", "faq")
    assert values == {}


def test_an_extension_stays_with_the_number_and_is_not_a_workstation():
    text = "Julien Marchand, technicien informatique, j.marchand@ch-x.fr, 03 53 01 80 58 poste 212"
    entities = IncidentFactsExtractor().entities(text)
    assert not any(e["entity"] in ("affected_systems", "perimeter") for e in entities)
    found = read_contact(text, entities)
    assert normalize_phone(found["declarant_phone"]) == "+33353018058;ext=212"
    assert format_value("declarant_phone", "+33353018058;ext=212") == "+33353018058 poste 212"


@pytest.mark.parametrize(
    "said",
    [
        "Pardonnez-moi, je me suis trompé de numéro de téléphone : c'est le 03 20 00 00 00",
        "Mon numéro direct c'est le 03 20 00 00 00",
    ],
)
async def test_a_correction_of_the_number_gives_no_name_nor_function(said):
    """dev personas: "Pardonnez-moi" became the declarant's name, the rest of the sentence the function."""
    values, _ = await turn(ASKED, said)
    assert values.get("declarant_name") is None and values.get("declarant_role") is None
    assert values["declarant_phone"] == "+33320000000"


async def test_news_at_the_name_prompt_is_not_a_name():
    """dev-385: "l'incident est résolu" became the declarant's name."""
    said = "Mise à jour : le service est revenu, deux autres SAMU étaient touchés. L'incident est résolu."
    values, _ = await turn(ASKED, said)
    assert values.get("declarant_name") is None and values.get("declarant_role") is None


@pytest.mark.parametrize(
    "said, name, role",
    [
        ("Claire Vidal, responsable achats et logistique", "Claire Vidal", "responsable achats et logistique"),
        ("ingénieur biomédical et sécurité, Hugo Lambert", "Hugo Lambert", "ingénieur biomédical et sécurité"),
        ("Hugo Lambert et je suis DSI", "Hugo Lambert", "DSI"),
        ("Paul Martin, DSI du GHT Grand Est", "Paul Martin", "DSI du GHT Grand Est"),
    ],
)
def test_and_within_a_function_keeps_it_whole(said, name, role):
    assert read_contact(said, []) == {"declarant_name": name, "declarant_role": role}


async def test_a_remark_at_the_contact_question_is_no_name_and_its_news_is_kept():
    """dev-667 (lot 19, out of sample): "ah" became the declarant's name, the other sites were lost."""
    said = "oh et on vient d'apprendre que les deux autres sites sont touchés aussi, c'est pareil là-bas"
    values, _ = await turn(ASKED, said)
    assert values.get("declarant_name") is None and values.get("declarant_role") is None
    assert values.get("perimeter") == "plusieurs_sites"


def test_a_word_that_starts_a_remark_is_no_name():
    assert read_contact("bon, alors", []) == {}
    assert read_contact("ah, c'est pareil là-bas", []) == {}
    said = "jean dupont, je suis de garde ce soir, jean.dupont@ch-x.fr"
    assert read_contact(said, [])["declarant_name"] == "jean dupont"
    assert read_contact("Ben Martin, RSSI", []) == {"declarant_name": "Ben Martin", "declarant_role": "RSSI"}
