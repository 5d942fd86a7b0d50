"""A request about the conversation that ends a message is read as that request."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import ExplicitRequests
from bot.nlu.requests import explicit_request


@pytest.mark.parametrize(
    "text, said",
    [
        ("je me demande si une coupure de courant compte vraiment, j'annule", "cancel"),
        ("ma cheffe pense que ça ne se déclare pas. Bon, on arrête là", "cancel"),
        ("laissez tomber", "cancel"),
        ("c'est bon, on a l'accord de la direction, on reprend la déclaration", "resume_declaration"),
        ("oui, je continue", "resume_declaration"),
        ("reprenons.", "resume_declaration"),
        ("bon si ca sert a rien j arrete la", "cancel"),  # typed without the apostrophe
    ],
)
def test_a_request_at_the_end_of_a_message(text, said):
    assert explicit_request(text) == said


@pytest.mark.parametrize(
    "text",
    [
        "j'annule les rendez-vous de l'après-midi",
        "on a dû tout arrêter en urgence",
        "le chiffrement continue sur les serveurs",
        "je continue à chercher le numéro",
        "on reprend les dossiers papier",
        "j arrete le serveur de fichiers tout de suite",
    ],
)
def test_the_same_words_in_an_account_are_not_a_request(text):
    assert explicit_request(text) is None


def parsed(text, intent):
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9}})
    ExplicitRequests().process([message])
    return message.get("intent")["name"]


def test_the_request_replaces_what_the_classifier_read():
    assert parsed("pas sûr que ce soit à déclarer, j'annule", "faq") == "cancel"
    assert parsed("la direction est d'accord, on reprend la déclaration", "nlu_fallback") == "resume_declaration"


def test_a_payload_and_a_described_incident_keep_their_intent():
    assert parsed("/cancel", "cancel") == "cancel"
    assert parsed("rançongiciel sur les postes, on arrête", "declare_incident") == "declare_incident"
    assert parsed("/inform", "inform") == "inform"
