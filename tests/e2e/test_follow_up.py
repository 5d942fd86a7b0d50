"""Following up a declaration through the REST channel, as a declarant does:
complete it later (reopened questions, pass, finish, summary, complement
stored and forwarded), and ask where it stands from another conversation,
which first needs the declarant's e-mail."""

import uuid

from tests.support.declarant import PERSONA, RICH_OPENING, converse
from tests.support.stack import wait_until

ANSWERS = {
    "handling_status": "c'est maîtrisé",
    "measures_taken": "postes isolés du réseau, mots de passe réinitialisés, éditeur prévenu",
    "cause": "un courriel piégé ouvert par un agent des admissions",
}


def texts(replies) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def declared(vigie) -> tuple:
    sender = f"suivi-{uuid.uuid4().hex[:8]}"
    reference, _ = converse(
        lambda text: vigie.say(sender, text), lambda: vigie.tracker(sender)["slots"]["requested_slot"], RICH_OPENING, {}
    )
    assert reference
    return sender, reference


def requested(vigie, sender):
    return vigie.tracker(sender)["slots"]["requested_slot"]


def test_a_declaration_is_completed_later_and_forwarded_as_a_complement(vigie):
    sender, reference = declared(vigie)
    said = texts(vigie.say(sender, f"je veux compléter {reference}"))
    assert f"Complétons la déclaration {reference}" in said
    asked = []
    for _ in range(12):
        field = requested(vigie, sender)
        if field not in ANSWERS:
            break
        asked.append(field)
        said = texts(vigie.say(sender, ANSWERS[field]))
    assert asked[:3] == ["handling_status", "measures_taken", "cause"]
    if requested(vigie, sender) != "confirmed":
        said = texts(vigie.say(sender, "je ne sais pas"))  # passes one question
        said = texts(vigie.say(sender, "c'est tout"))
    assert requested(vigie, sender) == "confirmed"
    assert f"Voici ce que vous ajoutez à la déclaration {reference}" in said
    assert "- Cause : un courriel piégé ouvert par un agent des admissions" in said
    said = texts(vigie.say(sender, "oui"))
    assert f"Le complément de la déclaration {reference} est enregistré (3 informations)" in said

    stored = vigie.declaration(reference)
    assert stored["status"] == "completee" and stored["handling_status"] == "maitrise"
    assert stored["cause"] == ANSWERS["cause"] and stored["declarant_name"] == PERSONA["declarant_name"]
    stored = wait_until(
        lambda: (d := vigie.declaration(reference))["transmission"]["state"] == "transmise" and d,
        60,
        what="the complement forwarded",
    )
    assert stored["transmission"]["kind"] == "complement"
    assert "(son dernier complément) a été transmise" in texts(vigie.say(sender, f"où en est {reference} ?"))


def test_another_conversation_needs_the_declarants_email(vigie):
    _, reference = declared(vigie)
    stranger = f"autre-{uuid.uuid4().hex[:8]}"
    said = texts(vigie.say(stranger, f"où en est {reference} ?"))
    assert "indiquez l'adresse e-mail du déclarant" in said and "transmise" not in said
    said = texts(vigie.say(stranger, "quelqu.un@ailleurs.fr"))
    assert "Je ne trouve pas de déclaration sous cette référence avec cette adresse" in said
    said = texts(vigie.say(stranger, PERSONA["declarant_email"]))
    assert f"La déclaration {reference}" in said and "Déclaration faite par le canal API REST" in said

    unknown = texts(vigie.say(f"autre-{uuid.uuid4().hex[:8]}", "où en est SSI-2026-999999 ?"))
    assert "indiquez l'adresse e-mail du déclarant" in unknown  # the same answer: nothing tells it does not exist


def test_three_wrong_addresses_end_the_check(vigie):
    _, reference = declared(vigie)
    stranger = f"curieux-{uuid.uuid4().hex[:8]}"
    vigie.say(stranger, f"je veux compléter {reference}")
    for attempt in range(3):
        said = texts(vigie.say(stranger, f"essai{attempt}@ailleurs.fr"))
    assert "Je ne trouve pas de déclaration" in said
    assert vigie.tracker(stranger)["active_loop"] in ({}, None)
    assert requested(vigie, stranger) is None and vigie.declaration(reference)["status"] != "completee"
