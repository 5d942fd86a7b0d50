"""From one message (intent and entities) to candidate field values."""

from datetime import datetime, time, timedelta

import pytest

from actions.understanding import asks_what_it_means, is_correction, misread_answer, understand
from bot.core.paris_time import PARIS
from bot.nlu.components import IncidentFactsExtractor
from bot.nlu.incident_facts import extract_facts

# The day these tests' dates were written for ("ce matin" is 2026-12-06), at 14:00 Paris time as
# `make converse` plays: at another date or after midnight, "ce matin vers 6h" read against the wall
# clock no longer matches the dates written below.
NOW = datetime(2026, 12, 6, 14, 0, tzinfo=PARIS)


class _Frozen(datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW.astimezone(tz) if tz else NOW.replace(tzinfo=None)


@pytest.fixture(autouse=True)
def read_at_now(monkeypatch):
    monkeypatch.setattr("actions.understanding.datetime", _Frozen)
    monkeypatch.setattr("bot.nlu.components.datetime", _Frozen)


def msg(text, intent="inform", entities=()):
    return {"text": text, "intent": {"name": intent}, "entities": list(entities)}


def ent(field, value, start=0, end=1, role=None):
    e = {"entity": field, "value": value, "start": start, "end": end}
    if role:
        e["role"] = role
    return e


def test_opening_keeps_the_text_as_description_and_infers():
    found = understand(
        msg(
            "rançon, DPI HS, mode dégradé",
            "declare_incident",
            [ent("incident_type", "rancongiciel"), ent("affected_systems", "dpi"), ent("care_impact", "mode_degrade")],
        ),
        None,
        {},
    )
    assert found["description"] == "rançon, DPI HS, mode dégradé"
    assert found["origin"] == "malveillante"
    assert found["health_data_involved"] == "oui"
    assert found["patient_endangerment"] == "potentielle"
    assert found["data_impact"] == ["disponibilite"]  # locked: unavailable (the type)


def test_bare_request_has_no_description():
    assert "description" not in understand(msg("je veux déclarer un incident", "declare_incident"), None, {})


def test_two_dates_give_start_and_detection():
    text = "cliqué hier, depuis ce matin la boîte envoie du spam"
    found = understand(
        msg(
            text,
            "declare_incident",
            [
                ent("datetime", "2026-11-27T00:00:00+01:00", 7, 11),
                ent("datetime", "2026-11-28T08:00:00+01:00", 13, 27, "start"),
                ent("incident_type", "compromission_compte"),
            ],
        ),
        None,
        {},
    )
    assert found["started_at"].startswith("2026-11-27")
    assert found["detected_at"].startswith("2026-11-28T08")


def test_complaint_date_is_not_the_incident_date():
    text = "pc volé hier soir. plainte deposée ce matin"
    found = understand(
        msg(
            text,
            "declare_incident",
            [
                ent("datetime", "2026-11-27T20:00:00+01:00", 8, 17),
                ent("datetime", "2026-11-28T08:00:00+01:00", 34, 43),
                ent("incident_type", "vol_perte_materiel"),
            ],
        ),
        None,
        {},
    )
    assert found["detected_at"].startswith("2026-11-27T20")
    assert "started_at" not in found


def test_date_answers_the_pending_date_question():
    found = understand(msg("hier à 14h", entities=[ent("datetime", "2026-11-27T14:00:00+01:00")]), "started_at", {})
    assert found == {"started_at": "2026-11-27T14:00:00+01:00"}


def test_unrequested_date_is_ignored_unless_a_correction():
    e = [ent("datetime", "2026-11-28T12:00:00+01:00", 12, 15)]
    assert "detected_at" not in understand(
        msg("le DPO le sait à 12h", entities=e), "declarant_role", {"detected_at": "x"}
    )
    assert understand(msg("non, c'était à 12h", "deny", e), "confirmed", {})["detected_at"].startswith("2026-11-28T12")


def dates_of(text):
    from bot.nlu.components import FrenchDateExtractor

    return msg(text, entities=FrenchDateExtractor().entities(text))


@pytest.mark.parametrize(
    "text",
    [
        "ah non pardon en fait c hier soir vers 23h que la collegue a vu le message, pas ce matin",
        "en fait c'était pas ce matin mais hier soir vers 23h",
        "non pas ce matin, hier soir à 23h",
        "non dsl c hier soir vers 23h qu on l a vu pas ce matin",
    ],
)
def test_a_correction_sets_aside_the_date_it_denies(text):
    found = understand(dates_of(text), "confirmed", {"detected_at": "2026-12-05T06:00:00+01:00"})
    assert datetime.fromisoformat(found["detected_at"]).hour == 23
    assert "started_at" not in found


def test_a_negative_sentence_keeps_its_date():
    found = understand(dates_of("ça ne marche pas depuis hier 14h"), "detected_at", {})
    assert datetime.fromisoformat(found["detected_at"]).hour == 14


def test_a_question_that_starts_with_a_doubt_is_a_question():
    text = "je ne sais pas si c'est grave, on doit vraiment déclarer un simple appel ?"
    assert understand(msg(text, "faq"), "health_data_involved", {}) == {}
    said = understand(msg("je ne sais pas si des dossiers ont été lus", "faq"), "health_data_involved", {})
    assert said == {"health_data_involved": "inconnu"}


def test_it_is_over_answers_the_handling_question_only():
    assert understand(msg("c'est fini, rien ne s'est passé", "finish"), "handling_status", {}) == {
        "handling_status": "resolu"
    }
    account = understand(msg("c'est fini, tout est chiffré sur les serveurs", "declare_incident"), None, {})
    assert "handling_status" not in account


def test_yes_no_and_unknown_answers():
    assert understand(msg("oui", "affirm"), "is_ose", {}) == {"is_ose": "oui"}
    assert understand(msg("non", "deny"), "care_impact", {}) == {"care_impact": "aucun"}
    assert understand(msg("jsp", "dont_know"), "finess", {}) == {"finess": "inconnu"}
    assert understand(msg("oui", "affirm"), "confirmed", {}) == {"confirmed": True}
    assert understand(msg("non", "deny"), "confirmed", {}) == {}


def test_free_text_answer_even_when_misread():
    assert understand(msg("Jean-Luc Martin", "out_of_scope"), "declarant_name", {}) == {
        "declarant_name": "Jean-Luc Martin"
    }


def test_question_mid_form_is_not_an_answer():
    assert understand(msg("c'est quoi le délai ?", "help"), "declarant_phone", {}) == {}


def test_systems_accumulate():
    found = understand(
        msg("et la messagerie aussi", entities=[ent("affected_systems", "messagerie")]),
        "declarant_role",
        {"affected_systems": ["dpi"]},
    )
    assert found["affected_systems"] == ["dpi", "messagerie"]


def test_yes_no_words_whatever_the_intent():
    assert understand(msg("pas encore, le DPO s'en occupe"), "cnil_notified", {}) == {"cnil_notified": "prevue"}
    assert understand(msg("pas encore"), "complaint_filed", {}) == {"complaint_filed": "non"}  # not done, no plan said
    assert understand(msg("non"), "complaint_filed", {}) == {"complaint_filed": "non"}
    assert understand(msg("oui bien sûr"), "support_requested", {}) == {"support_requested": "oui"}


@pytest.mark.parametrize(
    "said, value",
    [
        ("Probablement, l'hébergeur sert une dizaine d'hôpitaux de la région", "oui"),
        ("sûrement, le même éditeur équipe tout le GHT", "oui"),
        ("sans doute, on partage le réseau avec l'EHPAD voisin", "oui"),
        ("très probablement", "oui"),
        ("probablement pas, c'est un poste isolé", "non"),
        ("sûrement pas", "non"),
    ],
)
def test_likely_is_a_yes_and_likely_not_a_no(said, value):
    assert understand(msg(said), "spread_risk", {}) == {"spread_risk": value}


@pytest.mark.parametrize(
    "said, value",
    [
        ("le compte de l'interne est désactivé depuis midi", "maitrise"),
        ("on a retiré le serveur du réseau et coupé le VPN", "maitrise"),
        ("l'éditeur a mis le poste en quarantaine", "maitrise"),
        ("le compte n'est pas encore désactivé", "en_cours"),  # not stopped yet
        ("personne n'a encore rien bloqué", "en_cours"),
        ("désactivé, mais l'éditeur cherche encore", "en_cours"),
    ],
)
def test_what_was_done_to_stop_it_says_it_is_under_control(said, value):
    assert understand(msg(said), "handling_status", {}).get("handling_status") == value
    # whatever intent NLU saw
    assert understand(msg(said, "nlu_fallback"), "handling_status", {}).get("handling_status") == value


@pytest.mark.parametrize(
    "field, said, value",
    [
        ("incident_type", "pas vraiment un virus je crois, notez autre", "autre"),
        ("handling_status", "l'éditeur n'a rien résolu encore, disons en cours", "en_cours"),
        ("care_impact", "pas d'arrêt des soins, mettez plutôt mode dégradé", "mode_degrade"),
    ],
)
def test_the_choice_the_person_tells_vigie_to_write_is_the_answer(field, said, value):
    read = msg(said, "inform", IncidentFactsExtractor().entities(said))  # "virus" is a type's word
    assert understand(read, field, {})[field] == value


@pytest.mark.parametrize(
    "said",
    ["les infirmières passent dans les chambres à la place de la télésurveillance", "on envoie les résultats par fax"],
)
def test_what_replaces_the_system_is_a_degraded_mode(said):
    read = msg(said, "inform", IncidentFactsExtractor().entities(said))
    assert understand(read, "care_impact", {})["care_impact"] == "mode_degrade"


@pytest.mark.parametrize(
    "said, value",
    [
        ("Non, toujours pas.", "non"),
        ("non, et ce n'est pas prévu pour le moment", "non"),
        ("on n'a pas déposé plainte", "non"),
        ("non, l'assurance décidera des suites", "non"),
        ("non, mais le directeur ira au commissariat demain", "prevue"),
        ("le chef de service dépose plainte ce soir", "prevue"),
        ("je passe à la brigade de gendarmerie cet après-midi", "prevue"),
        ("elle sera faite avant vendredi par la direction", "prevue"),
        ("un agent a déjà porté plainte et l'hôpital va le faire aussi", "prevue"),
        ("oui, déposée hier au commissariat central", "oui"),
        ("nous avons porté plainte à 9h", "oui"),
    ],
)
def test_a_complaint_done_planned_or_not(said, value):
    read = msg(said, "inform", IncidentFactsExtractor().entities(said))
    assert understand(read, "complaint_filed", {"origin": "malveillante"})["complaint_filed"] == value


def test_care_in_degraded_mode_tells_availability_only_where_the_type_leaves_it_open():
    slots = {"care_impact": "mode_degrade"}
    stolen = understand(msg("vol", "inform", [ent("incident_type", "vol_perte_materiel")]), "incident_type", slots)
    assert stolen["data_impact"] == ["confidentialite"]  # the tablet's data may be read: no outage said
    bug = understand(msg("bug", "inform", [ent("incident_type", "dysfonctionnement_logiciel")]), "incident_type", slots)
    assert "data_impact" not in bug  # stopped, or showing wrong values: asked
    broken = understand(msg("panne", "inform", [ent("incident_type", "panne_materielle")]), "incident_type", slots)
    assert broken["data_impact"] == ["disponibilite"]


@pytest.mark.parametrize(
    "said, systems",
    [
        ("le serveur de résultats d'analyses", {"laboratoire_sil"}),
        ("les deux serveurs biomédicaux de la radiothérapie", {"biomedical"}),
        ("les serveurs de fichiers", {"serveurs_infrastructure"}),
        ("l'ordinateur portable de la cadre", {"poste_de_travail"}),
        ("le téléphone portable d'astreinte", {"telephonie"}),
        ("l'appli de soins des usagers, sur la tablette", {"dpi"}),
        ("le dossier des résidents", {"dpi"}),
    ],
)
def test_the_systems_named_in_an_answer(said, systems):
    assert set(understand(msg(said, "inform"), "affected_systems", {})["affected_systems"]) == systems


@pytest.mark.parametrize(
    "field, said, value",
    [
        ("handling_status", "Maîtrisé : isolement fait, la liaison est rétablie, on surveille", "maitrise"),
        ("care_impact", "Mode dégradé en radiologie ; pas de déprogrammation à ce stade", "mode_degrade"),
        ("care_impact", "trois séances décalées à demain, le reste tourne sur papier", "interruption"),
        ("handling_status", "le réseau n'est toujours pas revenu", "en_cours"),
        ("structure_type", "Établissement de santé privé d'intérêt collectif, géré par une fondation", None),
        ("spread_risk", "nous ne le savons pas encore, l'analyse est en cours", "inconnu"),
    ],
)
def test_the_label_said_first_answers(field, said, value):
    read = msg(said, "inform", IncidentFactsExtractor().entities(said))
    got = understand(read, field, {}).get(field)
    if value is None:  # a label that begins a longer one is not taken for it
        assert got != "etablissement_sante_prive"
    else:
        assert got == value


def test_resuming_while_a_place_is_offered_refuses_no_place():
    slots = {"structure_name": "EHPAD Les Lilas", "structure_type": "esms"}
    said = "non finalement la direction est d'accord, on reprend"
    assert understand(msg(said, "resume_declaration"), "structure_match", slots) == {}


@pytest.mark.parametrize(
    "said, systems",
    [
        ("le serveur de télémaintenance du scanner et l'annuaire", {"serveurs_infrastructure", "annuaire_ad"}),
        ("le serveur TPS de la radiothérapie", {"biomedical"}),
    ],
)
def test_an_applications_server_with_the_lexicon(said, systems):
    read = msg(said, "inform", IncidentFactsExtractor().entities(said))
    assert set(understand(read, "affected_systems", {})["affected_systems"]) >= systems
    assert not ({"serveurs_infrastructure"} - systems) & set(
        understand(read, "affected_systems", {})["affected_systems"]
    )


def test_data_gone_or_out_of_reach_is_availability():
    for said in ("le planning a disparu de l'écran", "on n'arrive plus à ouvrir les ordonnances"):
        assert understand(msg(said, "inform"), "data_impact", {})["data_impact"] == ["disponibilite"]


def test_a_notification_in_hand_is_planned():
    said = "la DPO rédige la notification"
    assert understand(msg(said, "inform"), "cnil_notified", {})["cnil_notified"] == "prevue"
    undecided = "pas encore décidé, on attend l'avis du DPO"
    assert understand(msg(undecided, "inform"), "cnil_notified", {}).get("cnil_notified") != "prevue"


def test_a_choice_named_alone_answers_whatever_the_intent():
    assert understand(msg("potentielle", "faq"), "patient_endangerment", {}) == {"patient_endangerment": "potentielle"}
    assert understand(msg("c'est quoi une mise en danger potentielle ?", "faq"), "patient_endangerment", {}) == {}
    said = msg("potentiellement oui, les urgences travaillent sans dossier")
    assert understand(said, "patient_endangerment", {})["patient_endangerment"] == "potentielle"
    assert understand(msg("maîtrisée depuis ce matin"), "handling_status", {})["handling_status"] == "maitrise"


def test_a_cause_or_measures_answer_is_only_that_text():
    from tests.unit.test_declaration_form import message

    for field in ("cause", "measures_taken"):
        text = "un courriel piégé ouvert par un agent, le DPI a été coupé"
        assert understand(message(text), field, {}) == {field: text}


def test_an_unknown_word_read_as_an_unsure_request_still_answers_a_text_question():
    unsure = {"text": "hacktivisme", "intent": {"name": "goodbye", "confidence": 0.48}, "entities": []}
    assert understand(unsure, "cause", {}) == {"cause": "hacktivisme"}
    sure = {"text": "au revoir", "intent": {"name": "goodbye", "confidence": 0.97}, "entities": []}
    assert understand(sure, "cause", {}) == {}


def test_an_address_or_a_number_answers_its_pending_question_whatever_the_intent():
    """Answer first: an e-mail NLU knows no word of is read as the fallback, yet it is the answer."""
    assert understand(msg("p.lartigau@ch-exemple.fr", "nlu_fallback"), "declarant_email", {}) == {
        "declarant_email": "p.lartigau@ch-exemple.fr"
    }
    assert understand(msg("06 39 98 12 42", "out_of_scope"), "declarant_phone", {}) == {
        "declarant_phone": "06 39 98 12 42"
    }
    assert understand(msg("environ 1 200 dossiers", "faq"), "persons_affected", {}) == {
        "persons_affected": "environ 1 200 dossiers"
    }


def test_a_question_with_a_number_is_not_an_answer():
    assert understand(msg("on a 72 heures pour la CNIL ?", "faq"), "persons_affected", {}) == {}
    assert understand(msg("c'est quoi un mail valide", "faq"), "declarant_email", {}) == {}


def test_a_sure_out_of_scope_request_is_not_taken_for_a_name():
    message = {"text": "mets un réveil à 6h30", "intent": {"name": "out_of_scope", "confidence": 0.99}, "entities": []}
    assert understand(message, "declarant_name", {}) == {}
    unsure = {**message, "intent": {"name": "out_of_scope", "confidence": 0.5}, "text": "Jean Martin"}
    assert understand(unsure, "declarant_name", {}) == {"declarant_name": "Jean Martin"}


def test_an_answer_naming_a_choice_is_an_answer_whatever_the_intent():
    said = "comme je vous l'ai dit, mode dégradé papier aux urgences"
    found = understand(msg(said, "faq", [ent("care_impact", "mode_degrade", 24, 36)]), "care_impact", {})
    assert found["care_impact"] == "mode_degrade"
    said = "pas encore, la direction va le faire demain matin"
    assert understand(msg(said, "out_of_scope"), "complaint_filed", {})["complaint_filed"] == "prevue"
    assert understand(msg("oui, on a besoin d'aide", "faq"), "support_requested", {})["support_requested"] == "oui"
    said = "potentielle, pas de dommage constaté à ma connaissance"
    assert understand(msg(said, "faq"), "patient_endangerment", {})["patient_endangerment"] == "potentielle"


def test_a_hedged_no_answers_a_question_whose_no_is_a_choice():
    said = "je ne crois pas, les résidents ont eu leurs médicaments normalement avec le classeur papier"
    assert understand(msg(said, "faq"), "patient_endangerment", {})["patient_endangerment"] == "aucune"
    assert understand(msg("pas à ma connaissance", "faq"), "spread_risk", {})["spread_risk"] == "non"


def test_a_question_naming_a_choice_is_still_a_question():
    for said in (
        "le mode dégradé, ça compte comme impact ?",
        "est-ce que le mode dégradé compte",
        "c'est quoi un mode dégradé",
    ):
        assert understand(msg(said, "faq", [ent("care_impact", "mode_degrade")]), "care_impact", {}) == {}
    assert understand(msg("pourquoi vous demandez si on a besoin d'aide", "faq"), "support_requested", {}) == {}


def test_a_structure_named_by_its_kind_is_the_answer_even_read_as_out_of_scope():
    sure = {"text": "", "intent": {"name": "out_of_scope", "confidence": 0.97}, "entities": []}
    named = {**sure, "text": "HIA Clermont-Tonnerre, Brest"}
    assert understand(named, "structure_name", {})["structure_name"] == "HIA Clermont-Tonnerre, Brest"
    assert understand({**sure, "text": "mets un réveil à 6h30"}, "structure_name", {}) == {}


def test_none_answers_a_list_question_and_an_answer_read_as_the_faq_is_still_an_answer():
    said = msg("aucun chez nous, on vérifie d'où viennent les numéros", "faq")
    assert understand(said, "data_impact", {}) == {"data_impact": []}
    assert misread_answer(said, "data_impact") and misread_answer(msg("on a tout coupé", "out_of_scope"), "perimeter")
    assert not misread_answer(msg("c'est quoi l'intégrité ?", "faq"), "data_impact")
    assert not misread_answer(said, None)


def test_a_type_word_in_another_answer_never_changes_the_type_said():
    found = understand(
        msg("un serveur, par un compte VPN compromis", entities=[ent("incident_type", "compromission_compte")]),
        "perimeter",
        {"incident_type": "rancongiciel"},
    )
    assert "incident_type" not in found
    corrected = understand(
        msg("non, c'était un compte compromis", entities=[ent("incident_type", "compromission_compte")]),
        "perimeter",
        {"incident_type": "rancongiciel"},
    )
    assert corrected["incident_type"] == "compromission_compte"


@pytest.mark.parametrize(
    "said, effect",
    [
        ("on a ressorti le papier", "mode_degrade"),
        ("dégradé, les infirmières notent à la main", "mode_degrade"),
        ("le bloc est à l'arrêt, patients transférés", "interruption"),
        ("aucun transfert, mais tout se fait sur papier", "mode_degrade"),
        ("non, le service tourne normalement", "aucun"),
        ("pas d'impact pour les résidents", "aucun"),
        ("aucune idée pour l'instant", "inconnu"),  # not known, whatever intent NLU saw
    ],
)
def test_the_effect_on_care_in_the_words_people_use(said, effect):
    assert understand(msg(said), "care_impact", {}).get("care_impact") == effect


@pytest.mark.parametrize(
    "text, expected",
    [
        ("intégrité surtout, des comptes rendus ont été réécrits", ["integrite"]),
        ("on ne peut plus y accéder, et on craint qu'elles aient été copiées", ["confidentialite", "disponibilite"]),
        ("plus accessibles ; une copie reste à vérifier", ["disponibilite"]),
        ("pas de vol de données, seulement indisponibles", ["disponibilite"]),
    ],
)
def test_the_effect_on_data_is_read_from_the_answer_words(text, expected):
    assert sorted(understand(msg(text, "faq"), "data_impact", {})["data_impact"]) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("seulement le portable de la cadre", "poste"),
        ("quatre tablettes du service", "plusieurs_postes"),
        ("tout l'établissement", "ensemble_si"),
        ("les serveurs de la salle B", "plusieurs_serveurs"),
        ("tout se passe chez notre hébergeur", "prestataire"),
        ("juste moi, personne d'autre n'a cliqué", "poste"),
        ("que ma messagerie", "poste"),
    ],
)
def test_the_perimeter_is_read_from_the_answer_words(text, expected):
    assert understand(msg(text, "inform"), "perimeter", {})["perimeter"] == expected


def test_machines_counted_for_the_perimeter_are_not_systems_touched():
    found = understand(
        msg("deux postes du secrétariat", "inform", [ent("affected_systems", "poste_de_travail")]), "perimeter", {}
    )
    assert found == {"perimeter": "plusieurs_postes"}


@pytest.mark.parametrize(
    "incident_type, health_data",
    [("hameconnage", "non"), ("deni_de_service", "non"), ("acces_illegitime_interne", "oui"), ("rancongiciel", None)],
)
def test_some_types_say_whether_health_data_are_touched(incident_type, health_data):
    found = understand(msg("ce qui s'est passé", "declare_incident", [ent("incident_type", incident_type)]), None, {})
    assert found.get("health_data_involved") == health_data


def test_a_system_holding_health_data_wins_over_the_type():
    entities = [ent("incident_type", "deni_de_service"), ent("affected_systems", "dpi")]
    assert (
        understand(msg("le DPI ne répond plus", "declare_incident", entities), None, {})["health_data_involved"]
        == "oui"
    )


@pytest.mark.parametrize(
    "incident_type, data_impact",
    [("defiguration", ["integrite"]), ("deni_de_service", ["disponibilite"]), ("hameconnage", []), ("autre", None)],
)
def test_some_types_say_what_happened_to_the_data(incident_type, data_impact):
    found = understand(msg("ce qui s'est passé", "declare_incident", [ent("incident_type", incident_type)]), None, {})
    assert found.get("data_impact") == data_impact


def test_a_no_followed_by_a_new_fact_answers_the_question():
    """ "non, le prestataire va venir": the provider is new, not a correction; the no answers."""
    found = understand(
        msg("non, notre prestataire passera demain", "faq", [ent("provider_involved", "oui")]), "support_requested", {}
    )
    assert found == {"provider_involved": "oui", "support_requested": "non"}


def test_a_no_that_corrects_a_fact_answers_nothing():
    found = understand(
        msg("non, c'est le prestataire qui gère", "deny", [ent("provider_involved", "oui")]),
        "support_requested",
        {"provider_involved": "non"},
    )
    assert "support_requested" not in found


@pytest.mark.parametrize("text", ["non, il faut le faire ?", "oui. c'était obligatoire ?"])
def test_a_yes_or_no_then_a_question_is_the_answer(text):
    assert understand(msg(text, "faq"), "complaint_filed", {})["complaint_filed"] in ("oui", "non")


@pytest.mark.parametrize(
    "requested, text",
    [
        ("finess", "je ne l'ai pas ici, désolé"),
        ("declarant_phone", "pas sous la main"),
        ("spread_risk", "on ne sait pas encore, l'éditeur regarde"),
        ("data_impact", "je ne sais pas si quelque chose a été copié"),
    ],
)
def test_not_knowing_in_other_words_is_not_knowing(requested, text):
    assert understand(msg(text, "nlu_fallback"), requested, {}).get(requested) == "inconnu"


def test_a_message_nlu_cannot_place_while_a_question_is_pending_is_a_missed_answer():
    assert misread_answer(msg("toute la maison", "nlu_fallback"), "persons_affected")
    assert not misread_answer(msg("combien de temps pour la CNIL ?", "nlu_fallback"), "persons_affected")


def test_no_effect_on_care_and_no_care_system_puts_no_patient_in_danger():
    slots = {"affected_systems": ["messagerie"], "incident_type": "hameconnage"}
    assert understand(msg("aucun", "deny"), "care_impact", slots)["patient_endangerment"] == "aucune"
    with_lab = {"affected_systems": ["laboratoire_sil"], "incident_type": "erreur_humaine"}
    assert "patient_endangerment" not in understand(msg("aucun", "deny"), "care_impact", with_lab)
    unknown_systems = {"incident_type": "compromission_si"}
    assert "patient_endangerment" not in understand(msg("aucun", "deny"), "care_impact", unknown_systems)


def test_a_structure_met_in_a_later_answer_does_not_replace_the_declared_one():
    slots = {"structure_name": "CHU de Rennes", "declarant_role": "RSSI"}
    text = "oui, même campagne vue dans deux autres CH du GHT"
    found = understand(
        msg(text, "affirm", [ent("structure_name", "CH du GHT"), ent("declarant_role", "RSSI du GHT")]),
        "spread_risk",
        slots,
    )
    assert found.get("spread_risk") == "oui"
    assert "structure_name" not in found and "declarant_role" not in found


def test_an_answer_to_the_question_only_adds_the_other_facts_it_holds():
    slots = {"structure_type": "etablissement_sante_prive_non_lucratif", "perimeter": "ensemble_si"}
    entities = [
        ent("affected_systems", "serveurs_infrastructure"),
        ent("affected_systems", "laboratoire_sil"),
        ent("structure_type", "laboratoire_biologie_medicale"),
        ent("perimeter", "plusieurs_serveurs"),
        ent("care_impact", "mode_degrade"),
    ]
    found = understand(msg("les serveurs, le labo, l'accueil au papier", "inform", entities), "affected_systems", slots)
    assert set(found["affected_systems"]) == {"serveurs_infrastructure", "laboratoire_sil"}
    assert "structure_type" not in found and "perimeter" not in found  # known: kept
    assert found["care_impact"] == "mode_degrade"  # not known yet: added
    corrected = understand(msg("en fait plusieurs serveurs seulement", "inform", entities[3:4]), "care_impact", slots)
    assert corrected["perimeter"] == "plusieurs_serveurs"  # no answer to the question: a correction


def test_an_establishment_confirmed_from_the_register_keeps_its_name():
    confirmed = {
        "structure_name": "Centre Hospitalier d'Elbeuf les Feugrais",
        "finess": "760000463",
        "structure_match": "760000463",
    }
    text = "non, le support du GHT c'est le CHU de Rouen"
    named = msg(text, "inform", [ent("structure_name", "CHU de Rouen")])
    assert "structure_name" not in understand(named, "is_ose", confirmed)
    completing = {"structure_name": confirmed["structure_name"], "finess": "760000463"}  # the declaration reopened
    assert "structure_name" not in understand(named, "is_ose", completing)
    text_read = msg(text, "inform", IncidentFactsExtractor().entities(text))  # "CHU" says OSE: not of this one
    assert understand(text_read, "is_ose", completing)["is_ose"] == "non"
    planned = msg("non, mais c'est prévu demain", "deny", [ent("cnil_notified", "prevue")])
    assert understand(planned, "cnil_notified", {})["cnil_notified"] == "prevue"  # more than a bare "non"
    other = "Non, l'hôpital support de notre groupement est le CHR de Metz-Thionville."
    other_read = msg(other, "inform", IncidentFactsExtractor().entities(other))  # no OSE word: the no answers
    assert understand(other_read, "is_ose", confirmed)["is_ose"] == "non"
    # without a number either: the name said at the OSE question is the GHT support's
    declined = {**confirmed, "structure_match": "aucune", "finess": None}
    assert "structure_name" not in understand(named, "is_ose", declined)
    support = "Non : chez nous l'établissement support du GHT, c'est le CHU de Nantes."
    support_read = msg(support, "inform", IncidentFactsExtractor().entities(support))
    assert "structure_name" not in understand(support_read, "is_ose", declined)
    # a correction of the name still puts it right at another question
    fixed = msg("en fait c'est le CH de Bernay, pas Elbeuf", "inform", [ent("structure_name", "CH de Bernay")])
    assert understand(fixed, "care_impact", declined)["structure_name"] == "CH de Bernay"


def opening(text):
    return msg(text, "declare_incident", IncidentFactsExtractor().entities(text))


def test_a_chu_named_in_the_opening_is_an_ose_only_when_it_is_the_structure():
    mine = opening("Ici la DSI du CHU de Poitiers : la messagerie est bloquée depuis une heure")
    assert understand(mine, None, {})["is_ose"] == "oui"
    other = "Pour l'hôpital de Loches : plus de liaison avec le CHU de Tours depuis ce matin, on est en papier"
    assert "is_ose" not in understand(opening(other), None, {})
    said = "Clinique des Cèdres, nous sommes OSE ; nos échanges avec le CHU sont coupés"
    assert understand(opening(said), None, {})["is_ose"] == "oui"


@pytest.mark.parametrize("said", ["pareil", "en même temps", "au même moment, je pense", "idem"])
def test_a_start_at_the_same_moment_is_the_detection(said):
    slots = {"detected_at": "2026-12-03T07:30:00+01:00"}
    assert understand(msg(said), "started_at", slots) == {"started_at": "2026-12-03T07:30:00+01:00"}


def test_a_correction_still_replaces_the_structure():
    found = understand(
        msg("non, c'est le CH de Dax", "inform", [ent("structure_name", "CH de Dax")]),
        "spread_risk",
        {"structure_name": "CH de Pau"},
    )
    assert found["structure_name"] == "CH de Dax"


@pytest.mark.parametrize(
    "answer, systems",
    [
        ("tous les serveurs, dpi, labo, pacs", {"serveurs_infrastructure", "dpi", "laboratoire_sil", "pacs_ris"}),
        ("rien, juste le téléphone", {"telephonie"}),
        ("le site internet", {"site_internet"}),
        ("les ordinateurs du secrétariat et les sauvegardes", {"poste_de_travail", "sauvegardes"}),
    ],
)
def test_the_systems_question_reads_everyday_words(answer, systems):
    lexicon = [ent(f.field, f.value, f.start, f.end) for f in extract_facts(answer)]
    assert set(understand(msg(answer, entities=lexicon), "affected_systems", {})["affected_systems"]) == systems


@pytest.mark.parametrize(
    "answer, kind",
    [
        ("public", "etablissement_sante_public"),
        ("établissement public de santé", "etablissement_sante_public"),
        ("privée", "etablissement_sante_prive"),
        ("c'est un établissement privé à but lucratif", "etablissement_sante_prive"),
        ("privé à but non lucratif", "etablissement_sante_prive_non_lucratif"),
        ("non lucratif", "etablissement_sante_prive_non_lucratif"),
        ("une clinique à but non lucratif", "etablissement_sante_prive_non_lucratif"),
        ("un EHPAD public", "esms"),  # what it is, before who runs it
        ("service de soins infirmiers à domicile", "esms"),
        ("un CAMSP", "esms"),
        ("c'est une pharmacie d'officine", "autre"),
        ("un centre de santé municipal", "autre"),
        ("cabinet de radiologie", "autre"),
    ],
)
def test_the_structure_type_question_reads_status_and_kinds(answer, kind):
    lexicon = [ent(f.field, f.value, f.start, f.end) for f in extract_facts(answer)]
    assert understand(msg(answer, entities=lexicon), "structure_type", {})["structure_type"] == kind


@pytest.mark.parametrize(
    "field, answer, value",
    [
        ("origin", "non malveillante", "non_malveillante"),  # it was read "malveillante"
        ("origin", "pas une attaque d'après l'éditeur", "non_malveillante"),
        ("origin", "je ne pense pas que ce soit une attaque", "non_malveillante"),
        ("origin", "une erreur de manipulation", "non_malveillante"),
        ("origin", "c'est volontaire, un ancien salarié", "malveillante"),
        ("origin", "on ne sait pas encore si c'est malveillant", "indeterminee"),
        ("handling_status", "c'est réparé", "resolu"),
        ("handling_status", "contenu, les machines sont isolées", "maitrise"),
        ("handling_status", "on est dessus", "en_cours"),
        ("patient_endangerment", "possible, mais pas de dommage", "potentielle"),
        ("patient_endangerment", "personne n'a été mis en danger", "aucune"),
        ("care_impact", "les blocs sont arrêtés", "interruption"),
        ("provider_involved", "pas de prestataire", "non"),
        ("provider_involved", "notre infogérant", "oui"),
        ("support_requested", "volontiers", "oui"),
        ("support_requested", "pas besoin", "non"),
        ("is_ose", "je crois que oui", "oui"),
        ("is_ose", "il me semble que non", "non"),
        ("spread_risk", "bien sûr", "oui"),
        ("spread_risk", "bien sûr que non", "non"),
        ("cnil_notified", "à faire", "prevue"),
        ("perimeter", "l'hébergeur", "prestataire"),
        ("data_impact", "les trois", ["confidentialite", "disponibilite", "integrite"]),
    ],
)
def test_pending_questions_read_everyday_answers(field, answer, value):
    lexicon = [ent(f.field, f.value, f.start, f.end) for f in extract_facts(answer)]
    assert understand(msg(answer, entities=lexicon), field, {})[field] == value


def test_public_or_a_pharmacy_names_no_structure_outside_its_question():
    for text in ("le site public ne répond plus", "la pharmacie n'a plus accès au logiciel"):
        lexicon = [ent(f.field, f.value, f.start, f.end) for f in extract_facts(text)]
        assert "structure_type" not in understand(msg(text, "declare_incident", lexicon), None, {})


def test_a_question_is_never_a_name_whatever_the_intent():
    text = "on a combien de temps pour prévenir la CNIL ? je ne voudrais pas qu'on soit en retard"
    assert understand(msg(text, "inform"), "structure_name", {}) == {}
    assert understand(msg("Clinique du Parc, Lyon", "inform"), "structure_name", {}) == {
        "structure_name": "Clinique du Parc, Lyon"
    }


@pytest.mark.parametrize(
    "text",
    [
        "attendez, je ne suis pas sûr que ce soit à déclarer, j'annule",
        "bon, mon directeur dit que oui, on reprend la déclaration",
    ],
)
def test_a_request_is_never_a_name_or_a_function(text):
    for field in ("declarant_name", "declarant_role", "structure_name"):
        assert understand(msg(text, "affirm"), field, {}) == {}


def test_a_question_inside_a_message_is_not_misread_as_an_answer():
    text = "on a combien de temps pour prévenir la CNIL ? je ne voudrais pas qu'on soit en retard"
    assert not misread_answer(msg(text, "faq"), "structure_name")


def test_none_in_other_words_answers_a_list_question():
    assert understand(msg("aucun logiciel, juste un fichier Excel"), "affected_systems", {}) == {"affected_systems": []}


@pytest.mark.parametrize(
    "said",
    [
        "non, je ne l'ai pas en tête, désolée",
        "pas la",
        "non",
        "Je ne l'ai pas sous les yeux.",
        "non désolé, je n'ai pas ce numéro",
        "sais pas",
    ],
)
def test_not_having_the_number_at_hand_is_not_knowing_it_whatever_the_intent(said):
    for intent in ("deny", "inform", "affirm"):
        assert understand(msg(said, intent), "finess", {}) == {"finess": "inconnu"}


def test_a_bare_no_to_how_many_is_not_an_unknown():
    assert understand(msg("non", "deny"), "persons_affected", {}) != {"persons_affected": "inconnu"}


def test_a_no_then_the_number_is_the_number():
    assert understand(msg("non, c'est le 350005179", "deny"), "finess", {}) != {"finess": "inconnu"}


def test_news_told_at_the_name_question_is_not_the_name():
    text = "On vient de décider de transférer toutes les urgences au labo de l'hôpital, on n'en traite plus ici"
    found = understand(msg(text, entities=IncidentFactsExtractor().entities(text)), "structure_name", {})
    assert "structure_name" not in found
    assert understand(msg("on travaille à l'EHPAD de la Roseraie"), "structure_name", {}) == {
        "structure_name": "on travaille à l'EHPAD de la Roseraie"
    }


def test_an_interruption_at_the_name_question_is_not_the_name():
    text = "Pardon, un patient sonne, je dois arrêter là, je n'ai pas le temps."
    assert "structure_name" not in understand(msg(text), "structure_name", {})
    for named in ("Clinique du Parc, on a tout perdu cette nuit", "Ehpad Saint-Joseph, on est au Puy-en-Velay"):
        assert understand(msg(named), "structure_name", {}) == {"structure_name": named}


@pytest.mark.parametrize(
    "text", ["je me suis trompe, c'est 6h30", "Je me suis trompée : 6h30", "C’était hier", "PRÉCISION : 40 patients"]
)
def test_a_correction_is_read_with_or_without_accents(text):
    assert is_correction(text)


def opening_with_dates(text, *dated):
    """An opening whose dates (the words, their value) are placed where the text says them."""
    entities = [ent("datetime", value, text.index(words), text.index(words) + len(words)) for words, value in dated]
    return msg(text, "declare_incident", entities)


def test_a_backup_that_ran_and_an_appointment_are_not_the_incident():
    text = (
        "Les deux serveurs se sont arrêtés hier vers 2h, l'équipe les a trouvés figés à 7h30. "
        "La sauvegarde de 23h s'était pourtant terminée sans erreur, et les patients sont convoqués à 9h."
    )
    found = understand(
        opening_with_dates(
            text,
            ("hier vers 2h", "2026-11-27T02:00:00+01:00"),
            ("à 7h30", "2026-11-27T07:30:00+01:00"),
            ("de 23h", "2026-11-26T23:00:00+01:00"),
            ("à 9h", "2026-11-27T09:00:00+01:00"),
        ),
        None,
        {},
    )
    assert found["started_at"] == "2026-11-27T02:00:00+01:00"
    assert found["detected_at"] == "2026-11-27T07:30:00+01:00"


def test_the_date_said_with_a_word_of_noticing_is_the_detection():
    text = "Constaté à 7h que le logiciel ne répondait plus ; les urgences sont passées en mode papier à 8h."
    found = understand(
        opening_with_dates(text, ("à 7h", "2026-11-28T07:00:00+01:00"), ("à 8h", "2026-11-28T08:00:00+01:00")),
        None,
        {},
    )
    assert found["detected_at"] == "2026-11-28T07:00:00+01:00"
    assert "started_at" not in found  # nothing said before it was seen


@pytest.mark.parametrize(
    "text, misread",
    [
        ("le prestataire a rétabli la page mais cherche encore comment c'est arrivé", True),  # a statement: an answer
        ("trouvé ce matin, la page a été remise par l'agence", True),
        ("mets un réveil à 6h30", False),  # a request: out of scope, said so
        ("tu peux me donner la météo de demain", False),
        ("quelle heure est-il ?", False),
    ],
)
def test_with_a_question_pending_only_a_request_is_surely_out_of_scope(text, misread):
    message = {"text": text, "intent": {"name": "out_of_scope", "confidence": 0.99}, "entities": []}
    assert misread_answer(message, "handling_status") is misread


def test_an_answer_given_unsure_of_itself_with_a_question_mark_is_the_answer():
    text = "il a juste effacé le message, alors je dirais maîtrisé ?"
    message = {
        "text": text,
        "intent": {"name": "faq", "confidence": 0.9},
        "entities": [ent("handling_status", "maitrise", text.index("maîtrisé"), len(text) - 2)],
    }
    assert understand(message, "handling_status", {})["handling_status"] == "maitrise"
    asking = {"text": "c'est grave si c'est maîtrisé ?", "intent": {"name": "faq", "confidence": 0.9}}
    asking["entities"] = [ent("handling_status", "maitrise", 20, 28)]
    assert "handling_status" not in understand(asking, "handling_status", {})


def test_pas_typed_without_ne_keeps_the_date_outside_a_correction():
    text = "le dpi marche pas depuis 8h ce matin"
    found = understand(opening_with_dates(text, ("depuis 8h ce matin", "2026-11-28T08:00:00+01:00")), None, {})
    assert found["detected_at"] == "2026-11-28T08:00:00+01:00"


def said_with_dates(text, intent, *dated):
    """A message whose dates (words, value, has_time, rolling) are placed where the text says them;
    each occurrence of the same words is one date."""
    entities, start = [], {}
    for words, value, has_time, rolling in dated:
        at = text.index(words, start.get(words, 0))
        start[words] = at + len(words)
        entities.append(
            {
                **ent("datetime", value, at, at + len(words)),
                "additional_info": {"has_time": has_time, "rolling": rolling},
            }
        )
    return msg(text, intent, entities)


def read_opening(text, *dated):
    """What an opening message gives, its dates placed as ``said_with_dates`` places them."""
    return understand(said_with_dates(text, "declare_incident", *dated), None, {})


YESTERDAY_22H, YESTERDAY_18H40 = "2026-12-05T22:00:00+01:00", "2026-12-05T18:40:00+01:00"


def test_a_correction_puts_right_the_date_that_held_the_time_it_denies():
    text = (
        "Pardon, je corrige : le mail est arrivé hier à 18h40, pas à 22h. "
        "22h, c'est l'heure où un collègue l'a transféré à tout le monde pour prévenir."
    )
    message = said_with_dates(
        text,
        "inform",
        ("hier à 18h40", YESTERDAY_18H40, True, False),
        ("22h", YESTERDAY_22H, True, True),
        ("22h", YESTERDAY_22H, True, True),
    )
    slots = {"detected_at": "2026-12-06T07:00:00+01:00", "started_at": YESTERDAY_22H}
    found = understand(message, "care_impact", slots)
    assert found["started_at"] == YESTERDAY_18H40
    assert "detected_at" not in found


def test_a_time_explained_as_another_event_is_set_aside_and_shows_the_field_corrected():
    text = (
        "Je me suis trompée tout à l'heure : on s'en est aperçu à 7h20, quand la première aide-soignante "
        "est arrivée au bureau. 8h, c'est l'heure où j'ai appelé l'opérateur."
    )
    at_8 = "2026-12-06T08:00:00+01:00"
    message = said_with_dates(
        text,
        "inform",
        ("tout à l'heure", "2026-12-06T13:58:00+01:00", True, False),
        ("à 7h20", "2026-12-06T07:20:00+01:00", True, True),
        ("8h", at_8, True, True),
    )
    found = understand(message, "health_data_involved", {"detected_at": at_8, "started_at": at_8})
    assert found["detected_at"] == "2026-12-06T07:20:00+01:00"
    assert found["started_at"] == "2026-12-06T07:20:00+01:00"  # said as begun and seen at 8h


def test_a_day_that_dates_a_thing_is_not_when_the_incident_began():
    text = (
        "Depuis ce matin on n'a plus aucune connexion avec la Guadeloupe. On est passés au papier, "
        "mais on ne voit plus les prescriptions d'hier."
    )
    message = said_with_dates(
        text,
        "declare_incident",
        ("Depuis ce matin", "2026-12-06T00:00:00+01:00", False, False),
        ("hier", "2026-12-05T00:00:00+01:00", False, False),
    )
    found = understand(message, None, {})
    assert "started_at" not in found
    assert found["detected_day"]["text"] == "ce matin"
    attack = "l'attaque d'hier a chiffré les serveurs, constatée ce matin"
    message = said_with_dates(
        attack,
        "declare_incident",
        ("hier", "2026-12-05T00:00:00+01:00", False, False),
        ("ce matin", "2026-12-06T00:00:00+01:00", False, False),
    )
    assert understand(message, None, {})["started_at"] == "2026-12-05T00:00:00+01:00"


def test_a_time_of_the_next_sentence_is_not_joined_to_a_day_said_alone():
    text = (
        "Quand je suis arrivé ce matin à 7h45, j'ai trouvé dans ma messagerie une règle de transfert : "
        "tous mes messages partent vers une adresse extérieure depuis hier en fin d'après-midi. "
        "Notre prestataire informatique nous a rappelés à 8h15 et a supprimé la règle."
    )
    message = said_with_dates(
        text,
        "declare_incident",
        ("ce matin à 7h45", "2026-12-06T07:45:00+01:00", True, False),
        ("depuis hier en fin d'après-midi", "2026-12-05T17:00:00+01:00", False, False),
        ("à 8h15", "2026-12-06T08:15:00+01:00", True, True),
    )
    found = understand(message, None, {})
    assert found["detected_at"] == "2026-12-06T07:45:00+01:00"  # "quand je suis arrivé…, j'ai trouvé"
    assert found["started_at"] == "2026-12-05T00:00:00+01:00"  # "en fin d'après-midi": the day, no hour


def test_a_date_said_with_se_rendre_compte_is_the_detection():
    text = "On s'en est rendu compte à 7h, le prestataire a rappelé à 9h et l'a réparé."
    message = said_with_dates(
        text,
        "declare_incident",
        ("à 7h", "2026-12-06T07:00:00+01:00", True, True),
        ("à 9h", "2026-12-06T09:00:00+01:00", True, True),
    )
    assert understand(message, None, {})["detected_at"] == "2026-12-06T07:00:00+01:00"


@pytest.mark.parametrize(
    "text, day_words",
    [
        ("la mise à jour d'hier a planté le DPI, constaté ce matin", "hier"),
        ("l'équipe de cette nuit a trouvé l'écran de rançon, chiffré depuis hier", "cette nuit"),
    ],
)
def test_a_day_that_dates_the_cause_or_the_finding_still_counts(text, day_words):
    other = "ce matin" if "ce matin" in text else "depuis hier"
    message = said_with_dates(
        text,
        "declare_incident",
        (day_words, "2026-12-05T00:00:00+01:00", False, False),
        (other, "2026-12-06T00:00:00+01:00" if other == "ce matin" else "2026-12-04T00:00:00+01:00", False, False),
    )
    found = understand(message, None, {})
    assert "2026-12-05T00:00:00+01:00" in (found.get("started_at"), (found.get("detected_day") or {}).get("value"))


def test_a_time_of_the_next_sentence_that_fits_the_day_said_alone_is_on_that_day():
    text = (
        "On a fracturé ma voiture hier pendant ma tournée et la tablette a été volée. Je me suis garée à 14h "
        "devant chez une patiente et quand je suis ressortie à 14h30 la vitre était cassée."
    )
    day = (NOW - timedelta(days=1)).date()
    at = {hour: datetime.combine(day, time(*hour), PARIS).isoformat() for hour in ((0, 0), (14, 0), (14, 30))}
    message = said_with_dates(
        text,
        "declare_incident",
        ("hier", at[(0, 0)], False, False),
        ("à 14h", at[(14, 0)], True, True),
        ("à 14h30", at[(14, 30)], True, True),
    )
    found = understand(message, None, {})
    yesterday = day.isoformat()
    assert (found["detected_at"][:10], _clock_of(found["detected_at"])) == (yesterday, "14:30")
    assert (found["started_at"][:10], _clock_of(found["started_at"])) == (yesterday, "14:00")


def _clock_of(value):
    return datetime.fromisoformat(value).strftime("%H:%M")


def test_tout_a_l_heure_in_an_opening_is_still_when_it_was_seen():
    text = "J'ai vu tout à l'heure que le serveur de fichiers était chiffré, les sauvegardes depuis 8h aussi."
    message = said_with_dates(
        text,
        "declare_incident",
        ("tout à l'heure", "2026-12-06T13:40:00+01:00", True, False),
        ("depuis 8h", "2026-12-06T08:00:00+01:00", True, True),
    )
    assert understand(message, None, {})["detected_at"] == "2026-12-06T13:40:00+01:00"


def test_a_day_said_without_its_hour_is_kept_at_midnight_never_at_the_parsers_hour():
    found = read_opening(
        "Le serveur de la mairie a été chiffré cette nuit, on l'a vu ce matin à 7h10.",
        ("cette nuit", "2026-12-06T03:00:00+01:00", False, False),
        ("ce matin à 7h10", "2026-12-06T07:10:00+01:00", True, False),
    )
    assert found["detected_at"] == "2026-12-06T07:10:00+01:00"
    assert found["started_at"] == "2026-12-06T00:00:00+01:00"  # "cette nuit": not 3h
    day = {"value": "2026-12-06T00:00:00+01:00", "text": "ce matin"}
    answer = said_with_dates(
        "tôt ce matin, à la relève", "inform", ("ce matin", "2026-12-06T08:00:00+01:00", False, False)
    )
    assert understand(answer, "detected_at", {"detected_day": day}) == {"detected_at": "2026-12-06T00:00:00+01:00"}


def test_a_leading_no_to_another_question_does_not_make_its_dates_a_correction():
    text = "non, on m'a prêté un autre téléphone ce matin"
    message = said_with_dates(text, "deny", ("ce matin", "2026-12-06T08:00:00+01:00", False, False))
    slots = {"detected_at": "2026-12-05T17:00:00+01:00"}
    assert "detected_at" not in understand(message, "care_impact", slots)
    text = "non, c'était hier à 18h40"
    message = said_with_dates(text, "inform", ("hier à 18h40", YESTERDAY_18H40, True, False))
    assert understand(message, "care_impact", slots)["detected_at"] == YESTERDAY_18H40


def test_the_moment_the_incident_ended_is_neither_its_detection_nor_its_start():
    text = "L'application ne synchronisait plus. La synchronisation est revenue ce matin à 6h."
    found = read_opening(text, ("ce matin à 6h", "2026-12-06T06:00:00+01:00", True, False))
    assert "detected_at" not in found and "started_at" not in found


def test_a_correction_typed_at_the_structure_question_puts_the_dates_right():
    text = "je corrige, l operateur dit que ca a coupé vers 2h pas 3h, nous on l a vu a 3h10"
    message = said_with_dates(
        text,
        "inform",
        ("vers 2h", "2026-12-06T02:00:00+01:00", True, True),
        ("a 3h10", "2026-12-06T03:10:00+01:00", True, True),
    )
    slots = {"detected_at": "2026-12-06T03:00:00+01:00", "started_at": "2026-12-06T03:00:00+01:00"}
    found = understand(message, "structure_name", slots)
    assert found == {"detected_at": "2026-12-06T03:10:00+01:00", "started_at": "2026-12-06T02:00:00+01:00"}


def test_a_correction_that_says_where_the_person_was_is_not_the_structure_s_name():
    text = "correction : pas 7h, c etait 6h20 qd l equipe a ouvert le service, moi je suis arrivé a 7h"
    slots = {"detected_at": "2026-12-06T07:00:00+01:00"}
    found = understand(dates_of(text), "structure_name", slots)
    assert "structure_name" not in found
    assert found["detected_at"][11:16] == "06:20"


def test_a_call_made_after_the_detection_does_not_date_it():
    text = (
        "L'aide-soignante s'en est aperçue ce matin, à la relève de 6h45. "
        "Ça a coupé cette nuit entre 2h et 3h. J'ai appelé l'opérateur à 7h15."
    )
    found = read_opening(
        text,
        ("ce matin", "2026-12-06T08:00:00+01:00", False, False),
        ("6h45", "2026-12-06T06:45:00+01:00", True, True),
        ("cette nuit entre 2h et 3h", "2026-12-06T02:00:00+01:00", True, False),
        ("à 7h15", "2026-12-06T07:15:00+01:00", True, True),
    )
    assert (found["detected_at"], found["started_at"]) == ("2026-12-06T06:45:00+01:00", "2026-12-06T02:00:00+01:00")


def test_a_word_that_begins_like_a_word_of_noticing_is_not_one():
    text = (
        "à 2 h 30 cette nuit, l'infirmier de garde a constaté une note de rançon. "
        "Les premiers chiffrements remontent à 0h45 selon nos journaux."
    )
    found = read_opening(
        text,
        ("à 2 h 30 cette nuit", "2026-12-06T02:30:00+01:00", True, False),
        ("remontent à 0h45", "2026-12-06T00:45:00+01:00", True, True),
    )
    assert (found["detected_at"], found["started_at"]) == ("2026-12-06T02:30:00+01:00", "2026-12-06T00:45:00+01:00")


def test_what_the_pending_question_means_is_asked_with_any_wording():
    assert asks_what_it_means("aucune idée, pardon, qu'est-ce que ça veut dire ?", "is_ose")
    assert asks_what_it_means("qu'est-ce que ça signifie ?", "finess")
    assert not asks_what_it_means("qu'est-ce que je dois faire pour la rançon ?", "is_ose")


def test_a_chu_named_in_a_later_answer_does_not_make_the_structure_an_ose():
    text = "Interruption : le bloc est annulé, les urgences sont orientées vers le CHU."
    message = msg(text, "inform", [ent("is_ose", "oui", text.index("CHU"), text.index("CHU") + 3)])
    assert "is_ose" not in understand(message, "care_impact", {})
    said = "on est établissement support de GHT, donc OSE"
    assert understand(msg(said, "inform", [ent("is_ose", "oui")]), "care_impact", {})["is_ose"] == "oui"


def test_a_day_said_again_with_its_hour_in_the_same_answer_gives_the_hour():
    text = "ça dure depuis trois jours : le binaire a été déposé il y a trois jours aux alentours de 4h"
    message = said_with_dates(
        text,
        "inform",
        ("depuis trois jours", "2026-12-03T14:00:00+01:00", False, False),
        ("il y a trois jours aux alentours de 4h", "2026-12-03T04:00:00+01:00", True, False),
    )
    found = understand(message, "started_at", {"detected_at": "2026-12-06T06:15:00+01:00"})
    assert found["started_at"] == "2026-12-03T04:00:00+01:00"


def _opening_dates(text):
    message = dates_of(text)
    message["intent"] = {"name": "declare_incident"}
    found = understand(message, None, {})
    clock = lambda field: found[field][11:16] if field in found else None  # noqa: E731
    return clock("detected_at"), clock("started_at")


@pytest.mark.parametrize(
    "text, detected, started",
    [
        # a date alone before its comma belongs to the clause that follows
        ("Ce matin vers 6h, l'antivirus a signalé un ransomware. Le prestataire a été joint à 8h15.", "06:00", None),
        # someone told the person: the detection, not the later meeting or call-back
        (
            "L'infirmière de nuit m'a appelé à 4h20, le serveur était tombé à 4h. "
            "La cellule de crise s'est réunie à 8h.",
            "04:20",
            "04:00",
        ),
        ("Un collègue nous a montré les captures à 7h10. Le staff de 8h30 est reporté.", "07:10", None),
        ("Ce matin à 6h40 le logiciel ne répondait plus. L'éditeur nous a rappelés à 8h50.", "06:40", None),
        ("Le planning a sauté à 5h. Le technicien était venu à 7h pour autre chose.", "05:00", None),
        # the round of the day that dates the detection
        ("Chiffrement découvert à la prise de service de 6h, lancé vers 2h d'après les journaux.", "06:00", "02:00"),
        # being told is the detection only when no time is said with a word of noticing
        ("Le SIEM a levé une alerte à 5h10, l'astreinte a coupé le VPN à 5h30 et m'a appelé à 6h.", "05:10", None),
        (
            "Hier vers 18h j'ai transféré le fichier, le destinataire m'a rappelée ce matin vers 8h pour me le dire.",
            "08:00",
            "18:00",
        ),
        # a date alone between commas takes the verb of the clause before it
        (
            "L'hébergeur nous a prévenus au petit matin, vers 5h, que tout était coupé. La relève de 7h attend.",
            "05:00",
            None,
        ),
        # ...but not the verb of a long clause whose object the date dates
        (
            "le SOC nous remonte des connexions VPN avec le compte d'un interne, la nuit dernière entre 1h et 4h, "
            "puis des requêtes LDAP. Compte désactivé à 8h.",
            "08:00",
            "01:00",
        ),
        # an alarm that rang, a detection named by its noun: the detection, not a later measure or briefing
        (
            "Portail saturé : l'alarme de la supervision a sonné à 6 heures pile, le flot a commencé vers 5h. "
            "La direction fait un point presse à 9h.",
            "06:00",
            "05:00",
        ),
        (
            "Attaque DDoS : début à 03:52 selon l'opérateur, détection par notre sonde à 04:05, filtrage à 05:30.",
            "04:05",
            "03:52",
        ),
        # the only time said is another event's: no date of the incident, the detection is asked
        ("Je dois déclarer une fuite de données. Notre cellule de crise s'est réunie ce matin à 9h.", None, None),
        # the last time all was well is not the start
        ("Ce matin à 7h10 l'automate était en défaut. Hier soir, à 19h, tout fonctionnait normalement.", "07:10", None),
        # a date before a gerund clause takes the verb after it; a call to the ARS is another event
        (
            "Hier soir vers 21h10, en rentrant de garde, j'ai vu que le site affichait une revendication. "
            "L'ARS a été prévenue ce matin à 8h30.",
            "21:10",
            None,
        ),
        # someone informed us: the detection, not the meeting held since
        (
            "Il y a trois jours, à 10 heures, une patiente nous a informés que ses résultats circulaient. "
            "Une réunion de crise s'est tenue ce matin à 9 heures.",
            "10:00",
            None,
        ),
        # a site restored, an account blocked: measures taken after the detection
        ("Notre site a été défiguré vers 3h. Le site a été restauré ce matin à 8h.", "03:00", None),
        (
            "J'avais mon portable un peu avant 20h, à 21h il n'était plus dans mon sac. "
            "Le service informatique a bloqué mon compte ce matin à 8h.",
            "21:00",
            "20:00",
        ),
        # nothing noticed then is no detection: the latest time is
        (
            "Cette nuit à 3h15, l'EDR a mis le poste en quarantaine ; l'analyse lancée à 2h n'avait rien vu.",
            "03:15",
            "02:00",
        ),
        # a round named in words; the round before, when all worked, is no start; telling someone is no noticing
        (
            "Je l'ai vu à la ronde de trois heures ; à la ronde d'une heure tout marchait. "
            "J'ai prévenu le cadre de garde à 4 h.",
            "03:00",
            None,
        ),
        # a call we made afterwards, a visit that was due, a crisis cell held: other events
        ("Portable perdu hier. J'ai appelé l'opérateur ce matin à 7 h 30 pour bloquer la ligne.", None, None),
        ("Le site affiche une page pirate, un usager devait venir à 10 heures chercher un papier.", None, None),
        (
            "On l'a su hier vers 10h40 par un appel. Le traitement était parti hier à 05:00. "
            "Cellule ce matin à 9h, point prestataire à 13h.",
            "10:40",
            "05:00",
        ),
        ("La cellule SSI a alerté à 3h10 : le serveur de fichiers chiffre.", "03:10", None),
        # "remonte à" says when it began, "remonté par" who noticed it
        (
            "Selon la chronologie de l'EDR, l'exécution initiale remonte à hier à 22:14 ; "
            "l'EDR a mis le poste en quarantaine cette nuit à 3h20.",
            "03:20",
            "22:14",
        ),
        # an alarm is a detection; a task planned, a person met, a meal served as usual are other events
        ("La GTB a déclenché une alarme à 5h40, le technicien arrive vers 11h.", "05:40", None),
        ("Le pare-feu a signalé le poste à 2h50 ; la sauvegarde planifiée à 1h tournait.", "02:50", None),
        ("Virement frauduleux parti il y a trois jours. Nous avons rencontré la banque ce matin à 9h.", None, None),
        ("On a rencontré des problèmes d'accès au serveur ce matin à 7h50.", "07:50", None),
        ("Le réseau est tombé vers 4h. La distribution des médicaments de 8h s'est passée normalement.", "04:00", None),
        # the data that were hit are not an appointment: "les rendez-vous" after the date
        ("Vers 7h10 les secrétaires ont vu que les rendez-vous de la semaine avaient disparu.", "07:10", None),
    ],
)
def test_the_detection_among_the_times_of_other_events(text, detected, started):
    assert _opening_dates(text) == (detected, started)


def test_a_time_without_a_day_after_yesterday_s_time_is_of_yesterday():
    text = "Hier à 10h40 j'ai supprimé le dossier partagé par erreur. Je m'en suis aperçu à midi et quart."
    found = _opening_found(text)
    yesterday = (NOW - timedelta(days=1)).date().isoformat()
    assert found["detected_at"].startswith(f"{yesterday}T12:15")
    assert found["started_at"].startswith(f"{yesterday}T10:40")


def test_an_earlier_time_without_a_day_said_as_the_origin_is_of_that_day():
    text = (
        "Hier vers 17 h 30 l'antivirus a bloqué un ver sur le poste de la pharmacie. À l'origine, "
        "un courriel piégé ouvert vers 1 h du matin par l'interne de garde."
    )
    found = _opening_found(text)
    yesterday = (NOW - timedelta(days=1)).date().isoformat()
    assert found["detected_at"].startswith(f"{yesterday}T17:30")
    assert found["started_at"].startswith(f"{yesterday}T01:00")
    # an earlier time that is no origin keeps the day it has alone (today, unless 1 h is still to come)
    later = _opening_found("Hier vers 17 h 30 l'antivirus a bloqué un ver. Le technicien a rappelé vers 1 h du matin.")
    alone = dates_of("vers 1 h du matin")["entities"][0]["value"]
    assert alone in (later.get("detected_at"), later.get("started_at"))


def _opening_found(text):
    message = dates_of(text)
    message["intent"] = {"name": "declare_incident"}
    return understand(message, None, {})


def test_a_time_alone_that_puts_a_date_right_keeps_its_day():
    yesterday = (NOW - timedelta(days=1)).replace(hour=11, minute=50, second=0, microsecond=0)
    slots = {"started_at": yesterday.isoformat(), "detected_at": yesterday.replace(hour=12, minute=30).isoformat()}
    found = understand(dates_of("Non attendez, le mail est parti à 11h15, pas à 11h50."), "care_impact", slots)
    assert found["started_at"] == yesterday.replace(minute=15).isoformat()


def test_a_correction_typed_fast_at_the_structure_question_is_no_name():
    held = (NOW - timedelta(days=1)).replace(hour=22, minute=45, second=0, microsecond=0)
    slots = {"started_at": held.isoformat(), "detected_at": held.isoformat()}
    found = understand(dates_of("pardon c etait 22h15 pas 22h45, j ai relu les logs"), "structure_name", slots)
    assert "structure_name" not in found
    assert found["started_at"] == held.replace(minute=15).isoformat()


@pytest.mark.parametrize(
    "text", ["attends laisse tomber, les urgences m appellent", "re, c bon je reprends pour la fibre coupee"]
)
def test_leaving_off_for_a_moment_or_coming_back_is_no_name(text):
    assert "structure_name" not in understand(msg(text), "structure_name", {})


@pytest.mark.parametrize(
    "text", ["je corrige : c'était 6h20", "Je me corrige, 6h20", "corrigé : 6h20", "Petite correction, 6h20"]
)
def test_the_person_puts_a_fact_right(text):
    assert is_correction(text)


def test_news_of_a_fix_to_come_is_no_correction():
    text = "On vient de me dire que le chirurgien a reporté ce matin six interventions, le temps que l'éditeur corrige."
    assert not is_correction(text)


def test_of_the_dates_before_the_detection_the_one_said_to_begin_it_is_the_start():
    text = (
        "L'alerte est tombée ce matin à 6h10. La première connexion suspecte remonte à hier soir vers 23h. "
        "Le correctif qui manquait était publié depuis plus longtemps, il y a quinze jours."
    )
    found = understand(
        opening_with_dates(
            text,
            ("ce matin à 6h10", "2026-12-06T06:10:00+01:00"),
            ("hier soir vers 23h", "2026-12-05T23:00:00+01:00"),
            ("il y a quinze jours", "2026-11-21T00:00:00+01:00"),
        ),
        None,
        {},
    )
    assert found["detected_at"].startswith("2026-12-06T06:10")
    assert found["started_at"].startswith("2026-12-05T23:00")  # not the fix published two weeks ago


def test_a_no_with_the_care_impact_answers_the_danger_question_when_the_impact_was_unknown():
    text = "non, les soins ont été donnés normalement avec le classeur papier"
    found = understand(
        msg(text, "deny", IncidentFactsExtractor().entities(text)),
        "patient_endangerment",
        {
            "care_impact": "inconnu",
            "affected_systems": ["dpi"],
        },
    )
    assert found["patient_endangerment"] == "aucune"
    # a fact already known is put right, and the "non" answers nothing
    text = "non, je corrige : on est en mode dégradé papier"
    corrected = understand(
        msg(text, "deny", IncidentFactsExtractor().entities(text)),
        "patient_endangerment",
        {"care_impact": "interruption"},
    )
    assert corrected["care_impact"] == "mode_degrade" and corrected.get("patient_endangerment") != "aucune"


@pytest.mark.parametrize("intent", ["inform", "deny", "resume_declaration"])
def test_not_for_now_is_a_no_whatever_the_intent(intent):
    # "…continuent" once came out as a request to resume: the pending question's answer comes first
    said = "pas pour le moment, les consultations continuent normalement"
    assert understand(msg(said, intent), "care_impact", {}) == {"care_impact": "aucun"}
    assert understand(msg("pas à ce stade", intent), "complaint_filed", {}) == {"complaint_filed": "non"}


def test_a_unit_named_later_does_not_change_the_structure_s_type():
    slots = {"structure_type": "etablissement_sante_public", "region": "normandie", "care_impact": "mode_degrade"}
    text = "Nouveau : le serveur du labo s'est arrêté en surchauffe, le laboratoire de Monod passe en mode dégradé."
    found = understand(msg(text, entities=IncidentFactsExtractor().entities(text)), "support_requested", slots)
    assert "structure_type" not in found and found.get("perimeter") == "serveur"
    text = "Je corrige : nous sommes un laboratoire de biologie médicale"
    corrected = understand(msg(text, entities=IncidentFactsExtractor().entities(text)), "support_requested", slots)
    assert corrected["structure_type"] == "laboratoire_biologie_medicale"


def test_a_start_put_right_while_the_place_is_confirmed_stays_the_start():
    slots = {"detected_at": "2026-12-06T07:50:00+01:00", "started_at": "2026-12-04T23:00:00+01:00"}
    text = "Excusez-moi, erreur de ma part : le tout premier accès suspect date d'avant-hier à 21 h, pas 23 h."
    found = understand(dates_of(text), "structure_match", slots)
    assert found.get("started_at", "").startswith("2026-12-04T21:00") and "detected_at" not in found


@pytest.mark.parametrize(
    "requested, text, value",
    [
        ("health_data_involved", "jsp du tout, faudrait demander au service informatique", "inconnu"),
        ("incident_type", "je sais pas trop, un appareil inconnu branché dans le local", "autre"),
        ("spread_risk", "je ne sais pas, il faudrait voir avec le GHT", "inconnu"),
    ],
)
def test_i_do_not_know_said_first_to_a_choice_is_an_answer_whatever_the_intent(requested, text, value):
    assert understand(msg(text, "inform"), requested, {})[requested] == value


def opening_read(text):
    """An opening read with the real date extractor, at NOW (2026-12-06 14:00 Paris)."""
    message = dates_of(text)
    message["intent"] = {"name": "declare_incident"}
    return understand(message, None, {})


@pytest.mark.parametrize(
    "text",
    [
        "Plus de réseau au cabinet d'ophtalmologie. La consultation du docteur était à 9 h, elle a eu lieu.",
        "Le portail de prise de rendez-vous affiche une page pirate. J'ai une formation à 11 h, je regarde après.",
        "L'imprimante des étiquettes ne marche plus ; la livraison des repas est à 11 h 45, elle est arrivée.",
        "Le serveur d'impression est figé. L'infogérant doit passer à 15 h.",
    ],
)
def test_a_time_of_the_day_s_schedule_is_not_the_detection(text):
    assert "detected_at" not in opening_read(text)


def test_the_day_of_the_last_good_moment_is_not_the_start():
    text = "Ce matin à 7 h 10, la centrifugeuse du labo était en erreur. Hier soir au départ, à 19h, tout allait bien."
    found = opening_read(text)
    assert found["detected_at"] == "2026-12-06T07:10:00+01:00" and "started_at" not in found


def test_an_alarm_nobody_heard_is_not_when_it_was_noticed_the_call_that_told_us_is():
    text = (
        "Le veilleur m'a téléphoné à 5 h 10 : la salle serveur est inondée. "
        "L'alarme de la sonde a sonné à 4 h 35, mais personne ne l'a entendue."
    )
    found = opening_read(text)
    assert (found["detected_at"][11:16], found["started_at"][11:16]) == ("05:10", "04:35")


def test_a_part_of_the_day_said_without_its_day_is_of_the_day_said_before():
    text = (
        "Le pare-feu a bloqué hier des connexions vers un pays étranger, relevées par le prestataire dans "
        "la soirée, poste infecté identifié à 21 h 40."
    )
    assert opening_read(text)["detected_at"] == "2026-12-05T21:40:00+01:00"


def test_news_that_a_thing_is_down_is_told_at_the_place_s_confirmation():
    text = (
        "On m'apprend que la messagerie est tombée aussi. Personne ne peut plus envoyer de courriels depuis les unités."
    )
    message = msg(text, entities=IncidentFactsExtractor().entities(text))
    found = understand(message, "structure_match", {"structure_name": "EHPAD Les Lilas"})
    assert "messagerie" in found["affected_systems"] and "structure_match" not in found


@pytest.mark.parametrize(
    "field, text, value",
    [
        ("handling_status", "c'est toujours en panne, rien n'a été réparé", "en_cours"),
        ("handling_status", "le prestataire n'a pas encore corrigé", "en_cours"),
        ("perimeter", "tout le bâtiment B", "ensemble_si"),
        ("care_impact", "les prises en charge ont continué, seul l'accueil est gêné", "aucun"),
        ("care_impact", "rien n'a changé pour les résidents", "aucun"),
        ("care_impact", "trois scanners programmés ont été reportés à demain", "interruption"),
        ("care_impact", "les consultations continuent sur papier", "mode_degrade"),
        ("health_data_involved", "le fichier contient des ordonnances et des résultats de biologie, donc oui", "oui"),
        ("cnil_notified", "on attend l'avis du délégué, alors non", "non"),
        ("provider_involved", "c'est une société extérieure qui gère nos serveurs", "oui"),
        ("handling_status", "l'assureur instruit le dossier, ce n'est pas terminé", "en_cours"),
        ("handling_status", "le technicien est en train de remplacer la carte", "en_cours"),
        ("handling_status", "la messagerie ne fonctionne toujours pas", "en_cours"),
        ("handling_status", "c regle depuis midi", "resolu"),
        ("handling_status", "accès coupé et on surveille les journaux", "maitrise"),
        ("handling_status", "ça semble bon pour l'instant", "maitrise"),
    ],
)
def test_answers_in_everyday_words(field, text, value):
    assert understand(msg(text), field, {}).get(field) == value


@pytest.mark.parametrize(
    "field, text, expected",
    [
        ("detected_at", "vers 5 h 50… non pardon, je regarde le registre : 5 h 15", "2026-12-06T05:15:00+01:00"),
        ("detected_at", "hier à 9h, non je me trompe, à 10h", "2026-12-05T10:00:00+01:00"),  # the day said first
        ("detected_at", "il y a 4h, non plutôt 3h30", "2026-12-06T10:30:00+01:00"),  # a time ago, put right
        ("started_at", "cette nuit à 1h, non, plutôt vers 0h40", "2026-12-06T00:40:00+01:00"),
    ],
)
def test_an_answer_that_puts_itself_right_keeps_its_last_time(field, text, expected):
    assert understand(dates_of(text), field, {}).get(field) == expected


def test_waiting_words_are_not_a_no_then_a_verb():
    text = "Non attendez, je vérifie l'heure."
    assert "handling_status" not in understand(msg(text, entities=IncidentFactsExtractor().entities(text)), None, {})


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "la dernière version saine du fichier date d'hier 17 h, et la première modification suspecte "
            "est d'hier 22 h 10",
            "2026-12-05T22:10:00+01:00",
        ),
        ("le logiciel tournait normalement hier à 16h ; les erreurs ont suivi vers 19h", "2026-12-05T19:00:00+01:00"),
    ],
)
def test_when_it_began_is_not_the_last_moment_all_was_well(text, expected):
    assert understand(dates_of(text), "started_at", {}).get("started_at") == expected


def test_news_told_when_the_contact_is_asked_is_not_a_name():
    text = (
        "Point de situation : le chiffrement gagne aussi le serveur de messagerie. Les secrétaires "
        "n'ont plus de courriel, elles appellent les patients un par un."
    )
    found = understand(msg(text, entities=IncidentFactsExtractor().entities(text)), "declarant_name", {})
    assert "declarant_name" not in found and "declarant_role" not in found
    assert "messagerie" in found["affected_systems"]


def test_a_noticing_said_with_relever_is_the_detection_not_a_later_time():
    text = (
        "La qualiticienne a relevé l'erreur d'identité hier vers quinze heures dix en contrôlant les "
        "étiquettes ; le patient est sorti à 17 h."
    )
    assert opening_read(text)["detected_at"] == "2026-12-05T15:10:00+01:00"


@pytest.mark.parametrize(
    "text",
    [
        "Le serveur de prescription est tombé cette nuit. Les consultations de 8 h 15 se font sur papier.",
        "Le standard est coupé depuis cette nuit. Le technicien de l'opérateur est passé à 11 h.",
        "Le poste d'accueil affiche une rançon. L'informaticien de la mairie passe à 16h.",
        "La box est tombée. Les aides à domicile étaient parties en tournée à 7 h 30 sans leurs plannings.",
        "Le PC de l'infirmerie a été volé après la ronde de 22 h.",
    ],
)
def test_the_time_of_an_activity_or_of_a_visit_is_not_the_detection(text):
    assert "detected_at" not in opening_read(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("d'après le prestataire, une demi-heure avant qu'on s'en rende compte", "2026-12-06T05:30:00+01:00"),
        ("le routeur avait lâché environ deux heures plus tôt", "2026-12-06T04:00:00+01:00"),
        ("la sauvegarde avait échoué une heure avant, d'après les journaux", "2026-12-06T05:00:00+01:00"),
        ("Le patch a été poussé trois heures avant.", "2026-12-06T03:00:00+01:00"),
    ],
)
def test_a_start_said_as_how_long_before_the_detection(text, expected):
    slots = {"detected_at": "2026-12-06T06:00:00+01:00"}
    for intent in ("inform", "faq"):  # read as a question on the provider, it still answers
        assert understand(msg(text, intent), "started_at", slots).get("started_at") == expected


def test_a_colleague_who_noted_it_at_a_time_noticed_it_then():
    text = (
        "Plus de réseau depuis la nuit : l'aide-soignante l'a noté sur la feuille de transmission à 4 h 20, "
        "et moi on m'a appelé à 7 h 30 en arrivant."
    )
    assert opening_read(text)["detected_at"] == "2026-12-06T04:20:00+01:00"


def test_a_no_then_a_colon_answers_and_its_times_put_nothing_right():
    text = "Non : les liaisons avec le GHT sont coupées depuis 6h20 par précaution."
    found = understand(dates_of(text), "spread_risk", {"detected_at": "2026-12-06T05:00:00+01:00"})
    assert found == {"spread_risk": "non"}


def test_a_day_said_at_the_summary_does_not_erase_the_hour_held():
    text = "Point important : la direction déprogramme le bloc de cet après-midi, faute de dossier patient."
    slots = {"detected_at": "2026-12-06T03:20:00+01:00"}
    assert "detected_at" not in understand(dates_of(text), "confirmed", slots)


@pytest.mark.parametrize(
    "field, said, value",
    [
        ("support_requested", "euh je sais pas... oui, ça nous aiderait", "oui"),
        ("spread_risk", "aucune idée, non, on est isolés du GHT", "non"),
        ("support_requested", "je ne sais pas, non", "inconnu"),
        ("spread_risk", "je ne sais pas non plus", "inconnu"),
    ],
)
def test_a_doubt_then_a_yes_or_a_no_is_that_answer(field, said, value):
    """Lot 19 (dev-650, dev-671): "Je ne sais pas… oui" was stored as not known."""
    got = understand({"text": said, "intent": {"name": "dont_know", "confidence": 0.9}}, field, {})
    assert got.get(field) == value


@pytest.mark.parametrize(
    "field, said, value",
    [
        (
            "care_impact",
            "tout sur papier, et on annule les consultations de l'après-midi, donc interruption",
            "interruption",
        ),
        ("handling_status", "les sauvegardes sont remises, donc résolu", "resolu"),
        ("structure_type", "une association, donc privé non lucratif", "etablissement_sante_prive_non_lucratif"),
        ("structure_type", "privé d'intérêt collectif", "etablissement_sante_prive_non_lucratif"),
        ("structure_type", "privé", "etablissement_sante_prive"),
    ],
)
def test_the_choice_a_person_concludes_with_is_the_answer(field, said, value):
    """Lot 19 (dev-666): "PCA papier partout ; … déprogramme le bloc…, donc interruption" was "mode dégradé"."""
    assert understand({"text": said, "intent": {"name": "inform", "confidence": 0.9}}, field, {}).get(field) == value


def test_files_that_no_longer_open_are_unavailable_too():
    """Lot 19 (dev-641): "ne s'ouvrent plus et ils ont été modifiés" lost its unavailability."""
    said = "les documents ne s'ouvrent plus et certains ont été modifiés"
    got = understand({"text": said, "intent": {"name": "inform", "confidence": 0.9}}, "data_impact", {})
    assert sorted(got["data_impact"]) == ["disponibilite", "integrite"]
