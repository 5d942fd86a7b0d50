"""The incident type from a whole description: the classifier, and how the form uses its ranking."""

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import type_guess
from actions.declaration_form import ASK_ACTIONS, ValidateDeclarationForm
from bot.core import fields as registry
from bot.nlu import incident_type
from bot.nlu.components import TYPE_RANKING, FrenchDateExtractor, IncidentFactsExtractor

DOMAIN = yaml.safe_load(open("domain.yml", encoding="utf-8"))
SLOTS = {name: None for name in DOMAIN["slots"]}


@pytest.fixture(scope="module")
def model():
    return incident_type.train(incident_type.read_examples())


def test_the_training_descriptions_cover_every_type_with_enough_examples():
    examples = incident_type.read_examples()
    assert set(examples) == set(registry.IncidentType.labels())
    assert all(len(set(texts)) >= 60 for texts in examples.values())


@pytest.mark.parametrize(
    "text, expected",
    [
        ("on nous a volé le portable du médecin dans sa voiture", "vol_perte_materiel"),
        ("le fournisseur du logiciel de paie est en panne chez lui depuis ce matin", "defaillance_prestataire"),
        ("une infirmière regarde les dossiers de ses voisins sans raison", "acces_illegitime_interne"),
        ("incendie dans le local technique, la salle serveur a été arrosée", "sinistre"),
    ],
)
def test_a_plain_description_ranks_its_type_among_the_first(model, text, expected):
    assert expected in [guess.type for guess in incident_type.rank(model, text)]


def test_the_saved_model_ranks_as_the_trained_one_and_holds_no_dict_of_n_grams(model, tmp_path):
    incident_type.save(model, tmp_path)
    text = "le portable du cadre de santé a été volé dans sa voiture"
    assert incident_type.rank(incident_type.load(tmp_path), text) == incident_type.rank(model, text)
    assert (tmp_path / incident_type.MODEL_FILE).stat().st_size < 8_000_000  # 32 MB with the dicts
    assert model.named_steps["features"].transformer_list[0][1].vocabulary_  # the model kept them


def test_the_ranking_is_best_first_and_never_empty_for_words(model):
    ranking = incident_type.rank(model, "le serveur ne répond plus")
    assert len(ranking) == incident_type.TOP
    assert [g.confidence for g in ranking] == sorted((g.confidence for g in ranking), reverse=True)
    assert incident_type.rank(model, "   ") == []


def test_a_sure_ranking_gives_the_type_an_unsure_one_the_likeliest():
    sure = [{"name": "sinistre", "confidence": 0.9}, {"name": "panne_materielle", "confidence": 0.05}]
    assert type_guess.from_ranking({"incident_type_ranking": sure}) == {"incident_type": "sinistre"}
    unsure = [
        {"name": "panne_materielle", "confidence": 0.4},
        {"name": "sinistre", "confidence": 0.3},
        {"name": "autre", "confidence": 0.01},
    ]
    assert type_guess.from_ranking({"incident_type_ranking": unsure}) == {
        type_guess.GUESSES: ["panne_materielle", "sinistre"]
    }
    assert type_guess.from_ranking({}) == {}


def test_the_question_offers_the_guesses_then_the_whole_list():
    asked = type_guess.question({type_guess.GUESSES: ["panne_materielle", "sinistre"]})
    assert asked["text"].startswith("Il me semble qu'il s'agit")
    titles = [b["title"] for b in asked["buttons"]]
    assert titles[:2] == [registry.IncidentType.labels()[t] for t in ("panne_materielle", "sinistre")]
    assert type_guess.ANOTHER in titles and "Je ne sais pas" in titles
    one = type_guess.question({type_guess.GUESSES: ["sinistre"]})
    assert "Est-ce bien cela ?" in one["text"] and [b["title"] for b in one["buttons"]][0] == "Oui"
    assert type_guess.question({type_guess.GUESSES: []}) is None


def _message(text, intent, ranking):
    entities = IncidentFactsExtractor().entities(text) + FrenchDateExtractor().entities(text)
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities,
        "incident_type_ranking": ranking,
    }


async def _turn(slots, text, intent="inform", ranking=None):
    tracker = Tracker(
        "test",
        {**SLOTS, "submission_key": "k", **slots},
        _message(text, intent, ranking or []),
        [],
        False,
        None,
        {"name": "declaration_form"},
        "action_listen",
    )
    events = await ValidateDeclarationForm().run(CollectingDispatcher(), tracker, DOMAIN)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


UNSURE = [{"name": "defaillance_prestataire", "confidence": 0.45}, {"name": "panne_materielle", "confidence": 0.4}]


async def test_a_description_without_type_words_gets_the_likeliest_types_offered():
    values = await _turn({"requested_slot": "description"}, "chez l'hébergeur tout est tombé", ranking=UNSURE)
    assert values["description"] == "chez l'hébergeur tout est tombé"
    assert values[type_guess.GUESSES] == ["defaillance_prestataire", "panne_materielle"]
    assert values["requested_slot"] == "incident_type"
    dispatcher = CollectingDispatcher()
    slots = {**SLOTS, **values}
    tracker = Tracker("test", slots, {}, [], False, None, {"name": "declaration_form"}, "action_listen")
    ask = next(action for action in ASK_ACTIONS if action.field == "incident_type")
    await ask().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[-1]["text"].startswith("Il me semble qu'il s'agit")


async def test_a_guess_clicked_a_no_brings_the_whole_list_without_counting_a_miss():
    pending = {"requested_slot": "incident_type", type_guess.GUESSES: ["defaillance_prestataire", "panne_materielle"]}
    values = await _turn(pending, "aucun de ceux-ci", "deny")
    assert values[type_guess.GUESSES] == []
    assert values["requested_slot"] == "incident_type"
    assert not values.get("invalid_attempts")
    values = await _turn({**pending, type_guess.GUESSES: ["defaillance_prestataire"]}, "oui", "affirm")
    assert values["incident_type"] == "defaillance_prestataire"
    assert values["origin"] == "non_malveillante"


async def test_words_at_the_guesses_take_the_guess_they_make_clearly_likeliest():
    pending = {"requested_slot": "incident_type", type_guess.GUESSES: ["perte_lien_telecom", "defaillance_prestataire"]}
    leaning = [
        {"name": "perte_lien_telecom", "confidence": 0.49},
        {"name": "defaillance_prestataire", "confidence": 0.32},
    ]
    values = await _turn(pending, "une panne de notre opérateur de téléphonie", ranking=leaning)
    assert values["incident_type"] == "perte_lien_telecom"
    torn = [{"name": "perte_lien_telecom", "confidence": 0.41}, {"name": "defaillance_prestataire", "confidence": 0.38}]
    values = await _turn(pending, "une panne chez eux", ranking=torn)
    assert not values.get("incident_type")
    assert values["requested_slot"] == "incident_type"


async def test_words_never_confirm_a_single_guess_nor_outweigh_a_type_named():
    leaning = [{"name": "compromission_compte", "confidence": 0.45}, {"name": "autre", "confidence": 0.2}]
    one = {"requested_slot": "incident_type", type_guess.GUESSES: ["compromission_compte"]}
    text = "je dirais « autre » : c'est un compte oublié, pas une attaque constatée"
    assert (await _turn(one, text, ranking=leaning)).get("incident_type") == "autre"
    two = {**one, type_guess.GUESSES: ["compromission_compte", "compromission_si"]}
    assert (await _turn(two, text, ranking=leaning)).get("incident_type") == "autre"


async def test_a_sure_ranking_at_the_type_question_is_the_answer():
    sure = [{"name": "sinistre", "confidence": 0.93}]
    values = await _turn({"requested_slot": "incident_type"}, "la clim de la salle a lâché, 45 degrés", ranking=sure)
    assert values["incident_type"] == "sinistre"


async def test_a_sure_classifier_comes_before_the_lexicon_an_unsure_one_after():
    sure = [{"name": "hameconnage", "confidence": 0.8}]
    text = "un faux mail de la DRH qui demande de cliquer pour voir sa fiche de paie, personne n'a cliqué"
    values = await _turn({"requested_slot": "description"}, text, ranking=sure)
    assert values["incident_type"] == "hameconnage"
    values = await _turn({"requested_slot": "description"}, "rançongiciel sur les serveurs", ranking=UNSURE)
    assert values["incident_type"] == "rancongiciel" and not values.get(type_guess.GUESSES)


async def test_a_clicked_type_is_never_overridden():
    sure = [{"name": "panne_materielle", "confidence": 0.99}]
    values = await _turn({"requested_slot": "incident_type"}, "Sinistre", ranking=sure)
    assert values["incident_type"] == "sinistre"


def _parsed(text, intent, ranking):
    from rasa.shared.nlu.training_data.message import Message

    return Message(data={"text": text, "intent": {"name": intent, "confidence": 0.3}, TYPE_RANKING: ranking})


@pytest.mark.parametrize(
    "text, intent, ranking, expected",
    [
        (
            "intrusion en cours via faille fortinet, on coupe tout",
            "nlu_fallback",
            [("compromission_si", 0.9)],
            "declare_incident",
        ),
        ("bonjour, la salle serveur a pris feu", "greet", [("sinistre", 0.8)], "declare_incident"),
        ("est-ce qu'une panne de courant se déclare ?", "nlu_fallback", [("sinistre", 0.9)], "nlu_fallback"),
        ("je ne sais pas", "nlu_fallback", [("autre", 0.9)], "nlu_fallback"),
        ("le serveur fait un bruit", "nlu_fallback", [("panne_materielle", 0.4)], "nlu_fallback"),
        ("rançon demandée, on paye ?", "faq", [("rancongiciel", 0.95)], "faq"),
        ("phishing non cliqué, faut déclarer", "faq", [("hameconnage", 0.95)], "faq"),
        (
            "Inondation du local technique du bâtiment B après l'orage de la nuit, "
            "les deux serveurs de fichiers sont hors tension depuis ce matin",
            "faq",
            [("sinistre", 0.9)],
            "declare_incident",
        ),
    ],
)
def test_a_plain_description_the_intents_missed_starts_a_declaration(text, intent, ranking, expected):
    from bot.nlu.components import DescribedIncident

    message = _parsed(text, intent, [{"name": n, "confidence": c} for n, c in ranking])
    DescribedIncident(DescribedIncident.get_default_config()).process([message])
    assert message.get("intent")["name"] == expected


def _read(text, intent, ranking):
    """A message as the pipeline leaves it before DescribedIncident: intent, ranking and the
    rule-based extractors' entities."""
    from bot.nlu.components import FrenchDateExtractor, IncidentFactsExtractor

    message = _parsed(text, intent, [{"name": n, "confidence": c} for n, c in ranking])
    entities = IncidentFactsExtractor().entities(text) + FrenchDateExtractor().entities(text)
    message.set("entities", entities)
    return message


@pytest.mark.parametrize(
    "text, ranking, starts, asked",
    [
        # an account of one's own incident, with a question: the declaration starts, the question is kept
        (
            "notre serveur de messagerie est chiffré depuis cette nuit, est-ce que ça se déclare ?",
            [("rancongiciel", 0.6)],
            True,
            True,
        ),
        ("Clinique des Lilas : un rançongiciel bloque les postes de l'accueil, on fait quoi ?", [], True, True),
        # an account that is no question, with a type the classifier is not sure of
        (
            "Ici l'EHPAD du Val : intrusion sur le poste de la comptable constatée ce matin",
            [("autre", 0.4)],
            True,
            False,
        ),
        # a long account that asks nothing, of a type the classifier cannot tell, with a when and what it touched
        (
            "Je vous signale qu'un accès non autorisé a été relevé hier soir sur le serveur de l'imagerie "
            "de la clinique du Parc, depuis le compte d'un prestataire que nous n'avons pas sollicité.",
            [("autre", 0.3)],
            True,
            False,
        ),
        # the same length, a statement that asks about the scheme, touching nothing of the person's own
        (
            "Je souhaiterais connaître le délai dont dispose une clinique pour déclarer un incident "
            "de sécurité à l'ARS et à CERT Santé après l'avoir constaté.",
            [("autre", 0.3)],
            False,
            False,
        ),
        # a question about the scheme, even naming a type: the FAQ
        ("est-ce qu'un rançongiciel doit être déclaré à l'ARS et à l'ANSSI ?", [("rancongiciel", 0.9)], False, False),
        ("combien de temps a-t-on pour déclarer une fuite de données ?", [("fuite_donnees", 0.9)], False, False),
    ],
)
def test_an_account_of_ones_own_incident_read_as_the_faq_starts_a_declaration(text, ranking, starts, asked):
    from bot.nlu.components import ASKED, DescribedIncident

    message = _read(text, "faq", ranking)
    DescribedIncident(DescribedIncident.get_default_config()).process([message])
    assert (message.get("intent")["name"] == "declare_incident") is starts
    assert bool(message.get(ASKED)) is asked


@pytest.mark.parametrize(
    "topic, starts",
    [("faq/liberaux_pharmacies", False), ("faq/apres_declaration", True), ("faq/obligation_declarer", True)],
)
def test_no_declaration_starts_where_the_answer_says_none_is_due_here(topic, starts):
    """ "Notre officine de Vire a un rançongiciel depuis ce matin, on déclare ?": a pharmacy does not
    declare to CERT Santé; its answer says where to go, no declaration follows it. The topic chosen
    decides nothing else (it was "après la déclaration" for a defaced site's account)."""
    from bot.nlu.components import DescribedIncident

    text = "Notre officine de Vire a un rançongiciel sur le poste du comptoir depuis ce matin, on déclare ?"
    message = _read(text, "faq", [("rancongiciel", 0.9)])
    message.set("response_selector", {"faq": {"response": {"intent_response_key": topic}}})
    DescribedIncident(DescribedIncident.get_default_config()).process([message])
    assert (message.get("intent")["name"] == "declare_incident") is starts


@pytest.mark.parametrize("topic, starts", [("faq/liberaux_pharmacies", False), ("faq/delai_declaration", True)])
def test_a_long_account_of_a_structure_that_declares_elsewhere_keeps_its_answer(topic, starts):
    """The long account of a type the classifier cannot tell follows the same exclusions as the others."""
    from bot.nlu.components import DescribedIncident

    text = (
        "Notre officine de Vire vous signale que le poste du comptoir et le logiciel de délivrance "
        "sont inaccessibles depuis ce matin, sans explication pour l'instant."
    )
    message = _read(text, "faq", [("autre", 0.3)])
    message.set("response_selector", {"faq": {"response": {"intent_response_key": topic}}})
    DescribedIncident(DescribedIncident.get_default_config()).process([message])
    assert (message.get("intent")["name"] == "declare_incident") is starts


@pytest.mark.parametrize(
    "text",
    [
        "Ce matin tout le secrétariat de la clinique des Pins a reçu un faux mail, personne n'a cliqué, on déclare ?",
        "On a envoyé notre déclaration hier soir pour le rançongiciel du CH de Lure, qui va nous rappeler ?",
    ],
)
def test_no_declaration_starts_for_a_bait_nobody_took_or_one_already_made(text):
    from bot.nlu.components import DescribedIncident

    message = _read(text, "faq", [("hameconnage", 0.9)])
    DescribedIncident(DescribedIncident.get_default_config()).process([message])
    assert message.get("intent")["name"] == "faq"
