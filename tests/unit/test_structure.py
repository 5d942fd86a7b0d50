"""The structure recognised in the FINESS register, turn by turn through the form's
validation action, with the real register loaded in SQLite."""

import pytest

from actions import structure
from actions.declaration_form import MATCH_NOT_UNDERSTOOD, NOT_RECOGNISED
from actions.understanding import understand
from bot.core.register_store import Register
from bot.core.storage import DeclarationStore
from bot.settings import DEFAULT_FINESS_DIR
from tests.unit.test_declaration_form import turn

KNOWN = {
    "requested_slot": "structure_name",
    "submission_key": "k",
    "description": "rançongiciel",
    "incident_type": "rancongiciel",
    "origin": "malveillante",
    "detected_at": "2026-12-03T03:00:00+01:00",
    "care_impact": "mode_degrade",
    "patient_endangerment": "potentielle",
    "health_data_involved": "oui",
    "persons_affected": 1200,
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    store = DeclarationStore(f"sqlite:///{tmp_path_factory.mktemp('register') / 'vigie.db'}")
    store.migrate()
    register = Register(store.engine)
    register.load(DEFAULT_FINESS_DIR)
    yield register
    store.dispose()


@pytest.fixture(autouse=True)
def with_register(loaded, monkeypatch):
    monkeypatch.setattr(structure, "register", lambda: loaded)


async def answer(slots, text, intent="inform"):
    values, said = await turn(slots, text, intent)
    return {**slots, **values}, said


async def test_a_clear_match_is_confirmed_and_fills_finess_type_and_region():
    slots, _ = await answer(KNOWN, "ici le CH de Dax")
    assert slots["structure_candidates"] == ["400000105"]
    assert slots["requested_slot"] == "structure_match"
    question = structure.question(slots)
    assert question["text"] == "Il s'agit bien de : Centre Hospitalier de Dax (FINESS 400000105, Dax, Landes) ?"
    assert [b["title"] for b in question["buttons"]] == ["Oui", "Non"]
    slots, said = await answer(slots, "oui", "affirm")
    assert (slots["finess"], slots["structure_type"], slots["region"]) == (
        "400000105",
        "etablissement_sante_public",
        "nouvelle_aquitaine",
    )
    assert slots["structure_name"] == "Centre Hospitalier de Dax"
    assert said[0].startswith("C'est noté : Centre Hospitalier de Dax, FINESS 400000105, région Nouvelle-Aquitaine.")
    assert slots["requested_slot"] == "declarant_name"  # never the FINESS, the type or the region


async def test_several_close_places_are_buttons_and_one_is_chosen_by_its_name():
    slots, _ = await answer(KNOWN, "Dax")
    assert 2 <= len(slots["structure_candidates"]) <= 4
    buttons = structure.question(slots)["buttons"]
    assert buttons[-1]["title"] == "Aucune de celles-ci"
    assert "Centre Hospitalier de Dax (Dax, Landes)" in [b["title"] for b in buttons]
    slots, _ = await answer(slots, "le centre hospitalier", "inform")
    assert slots["finess"] == "400000105"


async def test_yes_to_several_places_asks_which_once_then_takes_the_one_named():
    slots, _ = await answer(KNOWN, "Dax")
    slots, said = await answer(slots, "oui", "affirm")
    assert slots["requested_slot"] == "structure_match" and not slots.get("structure_match")
    assert said == [
        "Plusieurs établissements portent ce nom : lequel est le vôtre ? Choisissez-le dans la liste ou "
        "écrivez sa ville ; « Aucune de celles-ci » s'il n'y est pas."
    ]
    slots, _ = await answer(slots, "le centre hospitalier", "inform")
    assert slots["finess"] == "400000105" and slots["region"] == "nouvelle_aquitaine"


async def test_yes_twice_to_several_places_goes_on_with_the_name_said():
    slots, _ = await answer(KNOWN, "ici la Clinique St Joseph")
    assert len(slots["structure_candidates"]) > 1
    slots, _ = await answer(slots, "oui", "affirm")
    slots, said = await answer(slots, "oui oui", "affirm")
    assert slots["structure_match"] == "aucune" and slots["structure_name"]
    assert slots["requested_slot"] != "structure_match"  # never a third time


@pytest.mark.parametrize("typed", ["celle d'Angoulême", "angouleme", "la clinique à Angoulême"])
async def test_yes_to_several_places_then_the_town_typed_chooses_it(typed):
    slots, _ = await answer(KNOWN, "ici la Clinique St Joseph")
    slots, _ = await answer(slots, "oui", "affirm")
    slots, _ = await answer(slots, typed, "inform")
    assert slots["finess"] == "160000170" and slots["region"] == "nouvelle_aquitaine"


async def test_a_town_that_is_also_in_the_names_offered_chooses_nothing():
    slots, _ = await answer(KNOWN, "ici la Clinique St Joseph")
    offered = structure.offered(slots)
    assert "Saint Joseph" in [e.display_town for e in offered]  # La Réunion's
    assert structure._in_town("notre Clinique Saint Joseph", offered) is None
    assert structure._in_town("à Trélazé", offered).finess == "490000262"


async def test_none_of_them_then_the_usual_questions():
    slots, _ = await answer(KNOWN, "CH de Vierzon")
    slots, _ = await answer(slots, "non", "deny")
    assert slots["structure_match"] == "aucune"
    assert slots["structure_name"] == "CH de Vierzon"
    # the type is said by "CH", the region by Vierzon; the FINESS waits for the completion
    assert slots["region"] == "centre_val_de_loire"
    assert slots["requested_slot"] == "declarant_name"


@pytest.mark.parametrize(
    "typed",
    ["Aucune de celles-ci", "aucune de ces propositions", "aucun d'entre eux", "aucune des deux", "aucun des 4"],
)
async def test_none_of_them_typed_is_the_button_not_a_name(typed):
    slots, _ = await answer(KNOWN, "Dax")
    slots, _ = await answer(slots, typed, "deny")
    assert slots["structure_match"] == "aucune" and slots["structure_name"] == "Dax"


async def test_a_saint_naming_an_establishment_is_not_read_as_a_town():
    slots, said = await answer(KNOWN, "hôpital Saint-Vincent-de-Paul")
    slots, said = await answer(slots, "non", "deny")
    assert slots["structure_match"] == "aucune" and not slots.get("region")  # not Saint-Vincent-de-Paul, Landes
    assert slots["requested_slot"] in ("structure_type", "region")


@pytest.mark.parametrize(
    "name, region",
    [
        ("Clinique Saint-Jean", None),  # a saint, not Saint-Jean (Haute-Garonne)
        ("Clinique de l'Union, Saint-Jean", "occitanie"),  # after a comma, the town
        ("Hôpital Saint-Joseph Saint-Luc, Lyon 7e", "auvergne_rhone_alpes"),
        ("CH de Saint-Malo", "bretagne"),
        ("ch saint malo", "bretagne"),
        ("EHPAD de Saint-Jean-de-Luz", "nouvelle_aquitaine"),
    ],
)
def test_the_town_of_a_name(loaded, name, region):
    found = loaded.region_in_name(name)
    assert (found.value if found else None) == region


async def test_the_town_in_a_name_the_register_lacks_gives_the_region_and_says_it():
    slots, said = await answer(KNOWN, "Résidence Zorglub à Amiens")
    assert not slots.get("structure_candidates")
    assert slots["region"] == "hauts_de_france"
    assert "Je note la région Hauts-de-France, d'après le nom de la ville" in " ".join(said)
    assert slots["requested_slot"] != "region"


async def test_no_with_another_name_looks_it_up_again():
    slots, _ = await answer(KNOWN, "CH de Vierzon")
    slots, _ = await answer(slots, "non, c'est le centre hospitalier de Dax", "deny")
    assert slots["structure_candidates"] == ["400000105"]
    assert slots["requested_slot"] == "structure_match"


async def test_a_name_the_register_lacks_is_asked_as_usual_with_the_region():
    slots, _ = await answer(KNOWN, "Clinique Zorglub du Plateau")
    assert not slots.get("structure_candidates")
    assert slots["structure_type"] == "etablissement_sante_prive"  # said by the name
    assert slots["requested_slot"] == "region"
    slots, _ = await answer(slots, "dans les Landes", "inform")
    assert slots["region"] == "nouvelle_aquitaine"


async def test_a_typed_finess_names_its_establishment():
    slots, said = await answer({**KNOWN, "requested_slot": "finess", "structure_name": "le CH"}, "400 000 105")
    assert slots["finess"] == "400000105"
    assert slots["structure_type"] == "etablissement_sante_public" and slots["region"] == "nouvelle_aquitaine"
    assert said[0] == "Ce numéro FINESS est celui de : Centre Hospitalier de Dax (Dax, Landes)."


async def test_a_legal_entity_number_offers_its_establishments():
    legal = structure.register().by_finess("400000105").legal_finess
    sites = structure.register().of_legal_entity(legal)
    slots, said = await answer({**KNOWN, "requested_slot": "finess", "structure_name": "le CH"}, legal)
    assert slots["finess"] == legal
    assert "entité juridique" in said[0]
    if len(sites) <= 4:
        assert slots["requested_slot"] == "structure_match"


async def test_a_valid_number_absent_from_the_register_is_kept():
    slots, said = await answer({**KNOWN, "requested_slot": "finess", "structure_name": "le CH"}, "400999991")
    assert slots["finess"] == "400999991"
    assert "absent du répertoire de janvier 2021" in said[0]
    assert slots["region"] == "nouvelle_aquitaine"


def test_a_button_payload_names_the_establishment_chosen():
    slots = {structure.CANDIDATES: ["400000105", "400010559"]}
    message = {
        "text": "",
        "intent": {"name": "inform"},
        "entities": [{"entity": "structure_match", "value": "400010559"}],
    }
    assert structure.read_answer(message, slots) == {structure.MATCH: "400010559"}
    assert structure.apply("400010559", slots)["structure_type"] == "esms"
    assert structure.apply("750712184", slots) is None  # not one of those offered


async def test_sites_of_one_legal_entity_offer_the_entity_as_a_whole():
    slots, _ = await answer(KNOWN, "CHU de Rennes")
    found = structure.offered(slots)
    legal = structure.shared_legal_entity(found)
    assert legal == "350005179"  # the CHRU of Rennes, the legal entity of its sites
    first = structure.question(slots)["buttons"][0]
    assert first["title"] == "Tout l'établissement : CHU de Rennes (FINESS juridique 350005179)"
    slots, said = await answer(slots, "tout l'établissement")
    assert (slots["finess"], slots["region"], slots["structure_name"]) == ("350005179", "bretagne", "CHU de Rennes")
    assert "FINESS juridique 350005179" in said[0]


async def test_a_request_out_of_scope_or_a_question_is_not_taken_for_a_name():
    slots, _ = await answer(KNOWN, "CH de Vierzon")
    values, _ = await turn(slots, "mets un réveil à 6h30", "out_of_scope")
    assert values == {}
    values, _ = await turn(slots, "c'est quoi le FINESS ?", "faq")
    assert values == {}
    slots, said = await answer(slots, "bof je sais plus trop", "inform")
    assert slots["structure_match"] == "aucune" and slots["structure_name"] == "CH de Vierzon"


async def test_pas_du_tout_is_a_no_even_among_the_sites_of_one_entity():
    slots, _ = await answer(KNOWN, "CHU de Rennes")
    slots, _ = await answer(slots, "pas du tout", "deny")
    assert slots["structure_match"] == "aucune" and not slots.get("finess")


def test_a_structure_holding_a_town_of_the_register_is_a_name_even_read_as_out_of_scope():
    sure = {"text": "ESAT Les Ateliers du Cotentin à Cherbourg", "intent": {"name": "out_of_scope", "confidence": 0.97}}
    assert understand({**sure, "entities": []}, "structure_name", {}) == {
        "structure_name": "ESAT Les Ateliers du Cotentin à Cherbourg"
    }
    assert understand({**sure, "text": "Mets un réveil à 6h30", "entities": []}, "structure_name", {}) == {}


async def test_a_radiotherapy_centre_under_a_catch_all_category_keeps_the_type_said():
    slots = {**KNOWN, "structure_type": "centre_radiotherapie"}  # "notre centre de radiothérapie" in the opening
    slots, _ = await answer(slots, "Centre Jean Bernard au Mans")
    assert slots["structure_candidates"] == ["720014729"]
    slots, said = await answer(slots, "oui", "affirm")
    assert (slots["finess"], slots["structure_type"], slots["region"]) == (
        "720014729",
        "centre_radiotherapie",
        "pays_de_la_loire",
    )
    assert "le type de structure (centre de radiothérapie), de ce que vous m'avez dit" in said[0].lower()


async def test_a_hospital_confirmed_takes_the_register_type_over_the_words():
    slots = {**KNOWN, "structure_type": "etablissement_sante_prive"}
    slots, _ = await answer(slots, "ici le CH de Dax")
    slots, _ = await answer(slots, "oui", "affirm")
    assert slots["structure_type"] == "etablissement_sante_public"


async def test_the_whole_answer_is_looked_up_before_the_name_read_in_it():
    slots, _ = await answer(KNOWN, "Fondation Hopale, Institut Calot à Berck")
    assert slots["structure_candidates"] == ["620000026"]  # the Institut Calot, not the ESAT Fondation Hopale


async def test_a_correction_while_an_establishment_is_offered_puts_the_fact_right_and_asks_again():
    slots, _ = await answer({**KNOWN, "persons_affected": 37}, "ici le CH de Dax")
    slots, _ = await answer(slots, "je corrige : c'est 39 dossiers, pas 37, l'audit vient d'être complété")
    assert slots["persons_affected"] == 39
    assert slots["structure_candidates"] == ["400000105"] and not slots.get("structure_match")
    assert slots["requested_slot"] == "structure_match"


OPENING_KNOWN = {key: value for key, value in KNOWN.items() if key != "requested_slot"}


async def test_a_name_read_in_the_opening_that_the_register_lacks_is_asked_once_with_its_town():
    slots, _ = await answer(
        {}, "Rançongiciel à la Clinique des Hirondelles Bleues cette nuit, tout est chiffré", "declare_incident"
    )
    assert slots["structure_name"] is None and slots["structure_name_unfound"] == "Clinique des Hirondelles Bleues"
    slots = {**OPENING_KNOWN, **{k: v for k, v in slots.items() if v is not None}, "requested_slot": "structure_name"}
    asked = structure.name_question(slots)
    assert asked["text"].startswith("Pour retrouver « Clinique des Hirondelles Bleues » dans le répertoire FINESS")
    slots, said = await answer(slots, "je ne sais pas", "dont_know")
    assert slots["structure_name"] == "Clinique des Hirondelles Bleues"  # kept, not lost
    assert said[0] == "D'accord, je garde « Clinique des Hirondelles Bleues » comme nom de la structure."
    assert slots["requested_slot"] != "structure_name"  # asked once, never again


async def test_none_of_them_for_a_name_read_in_the_opening_asks_the_name_with_its_town():
    slots, _ = await answer(OPENING_KNOWN, "c'est au CH de Vierzon, je précise", "inform")
    assert slots["structure_candidates"] and slots["requested_slot"] == "structure_match"
    slots, _ = await answer(slots, "non", "deny")
    assert slots["structure_name_unfound"] == "CH de Vierzon"
    assert slots["requested_slot"] == "structure_name"
    slots, _ = await answer(slots, "Centre hospitalier Jacques Coeur à Bourges", "inform")
    assert slots["structure_name"] == "Centre hospitalier Jacques Coeur à Bourges"
    assert slots["structure_candidates"] and slots["requested_slot"] == "structure_match"


async def test_an_answer_not_understood_at_the_match_is_no_decline_the_name_stays():
    slots, _ = await answer(OPENING_KNOWN, "c'est au CH de Vierzon, je précise", "inform")
    slots, said = await answer(slots, 'Inform{"confirmed": true}', "inform")
    assert said == [MATCH_NOT_UNDERSTOOD]  # asked once more
    assert slots["structure_candidates"] and slots.get("structure_match") is None
    assert slots["requested_slot"] == "structure_match"
    slots, said = await answer(slots, 'Inform{"confirmed": true}', "inform")
    assert said == [NOT_RECOGNISED]  # then the usual questions, never a third time
    assert slots["structure_match"] == "aucune" and slots["structure_name"] == "CH de Vierzon"
    assert not slots.get("structure_name_unfound") and slots["requested_slot"] != "structure_name"


def test_a_structure_typed_without_capitals_in_the_opening_is_read_when_the_register_knows_its_town():
    text = "plus d internet ni de telephone a l hopital de kourou depuis cette nuit vers 3h du matin"
    assert understand({"text": text, "intent": {"name": "declare_incident"}}, None, {})["structure_name"] == (
        "hopital de kourou"
    )
    for text in ("le serveur de l'hôpital de jour est en panne", "la clinique de garde ne répond plus"):
        assert "structure_name" not in understand({"text": text, "intent": {"name": "declare_incident"}}, None, {})


async def test_a_place_set_aside_after_the_name_is_neither_looked_up_nor_read():
    slots, _ = await answer(KNOWN, "la polyclinque du cotentin a cherbourg, pas l hopital public hein")
    assert slots["structure_candidates"] == ["500002357"]
    assert slots.get("structure_type") in (None, "etablissement_sante_prive")
    assert structure.without_denied("CH de Boulogne-sur-Mer, Pas-de-Calais") == "CH de Boulogne-sur-Mer, Pas-de-Calais"


async def test_an_establishment_refused_is_never_offered_again():
    read = {**KNOWN, "structure_name": "hôpital de Vierzon", "requested_slot": "structure_match"}
    slots, _ = await answer({**read, "structure_candidates": ["180000200"]}, "non", "deny")
    assert slots["structure_declined"] == ["180000200"] and slots["requested_slot"] == "structure_name"
    slots, _ = await answer(slots, "CH de Vierzon")  # the name asked again, the same place said
    assert not slots.get("structure_candidates") and slots["requested_slot"] != "structure_match"


async def test_news_told_at_the_match_question_is_kept_and_the_match_asked_again():
    slots, _ = await answer(OPENING_KNOWN, "c'est au CH de Vierzon, je précise", "inform")
    assert slots["structure_candidates"] and slots["requested_slot"] == "structure_match"
    news = "Autre chose : le rançongiciel a gagné le bloc, les interventions sont déprogrammées et on transfère au CHU"
    slots, _ = await answer(slots, news, "inform")
    assert slots["care_impact"] == "interruption"  # what it told is kept, not the CHU it names
    assert slots.get("is_ose") is None
    assert slots["structure_candidates"] and slots.get("structure_match") is None  # the place is not refused
    assert slots["requested_slot"] == "structure_match"


async def test_news_naming_a_unit_in_a_later_sentence_at_the_match_question_is_news():
    slots, _ = await answer(OPENING_KNOWN, "c'est au CH de Vierzon, je précise", "inform")
    news = (
        "Du nouveau : le serveur du laboratoire vient de tomber lui aussi, dans la même salle. "
        "Le labo de Vierzon passe au rendu des résultats par téléphone."
    )
    slots, _ = await answer(slots, news, "inform")
    assert slots["perimeter"] == "serveur"  # what it told is kept, not the unit it names
    assert slots["structure_candidates"] and slots.get("structure_match") is None
    assert slots["requested_slot"] == "structure_match"
    # a yes said first answers the question, whatever follows
    slots, _ = await answer(slots, "Oui. " + news, "affirm")
    assert slots["structure_match"] not in (None, "aucune") and slots["requested_slot"] != "structure_match"


async def test_news_told_at_the_name_question_is_kept_and_the_name_asked_again():
    news = "Petite mise à jour : le chiffrement a gagné le bloc, les interventions du jour sont toutes déprogrammées"
    slots, _ = await answer(KNOWN, news, "inform")
    assert slots.get("structure_name") is None and slots["care_impact"] == "interruption"
    assert slots["requested_slot"] == "structure_name"
