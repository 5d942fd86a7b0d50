"""Values shown to the declarant: technical terms come with plain words."""

from actions.summary import format_value
from bot.core.french import lower_first


def test_technical_values_are_explained_where_they_are_shown():
    assert format_value("data_impact", ["integrite", "confidentialite"]) == (
        "Intégrité (données modifiées, chiffrées ou effacées), Confidentialité (données vues ou copiées par des tiers)"
    )
    assert format_value("care_impact", "mode_degrade") == "Mode dégradé (procédures papier ou de secours)"
    assert format_value("patient_endangerment", "averee") == "Avérée (un patient a subi un dommage)"


def test_plain_values_are_shown_as_they_are():
    assert format_value("care_impact", "aucun") == "Aucun"
    assert format_value("data_impact", []) == "aucun"


def test_a_label_inside_a_sentence_keeps_its_acronyms():
    assert lower_first("État de la prise en charge") == "état de la prise en charge"
    assert lower_first("API REST") == "API REST" and lower_first("OSE") == "OSE"
