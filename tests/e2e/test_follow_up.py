"""Following up a declaration through the REST channel, as a declarant does:
complete it later (reopened questions, pass, finish, summary, complement
stored and forwarded), and ask where it stands from another conversation,
which first needs the declarant's e-mail."""

import uuid

from tests.support.declarant import PERSONA, RICH_OPENING, converse
from tests.support.stack import wait_until

ANSWERS = {
    "handling_status": "c'est maîtrisé",
    "is_ose": "non",
    "complaint_filed": "plainte déposée ce matin au commissariat",
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


def answer_until_the_summary(vigie, sender) -> tuple:
    """Answers each reopened question from ANSWERS, passes the others ("passer", as the button does;
    "je ne sais pas" would store them as not known): (fields asked, last replies)."""
    asked, said = [], ""
    for _ in range(20):
        field = requested(vigie, sender)
        if field in (None, "confirmed"):
            break
        asked.append(field)
        said = texts(vigie.say(sender, ANSWERS.get(field, "passer")))
    return asked, said


def test_a_declaration_is_completed_later_and_forwarded_as_a_complement(vigie):
    sender, reference = declared(vigie)
    said = texts(vigie.say(sender, f"je veux compléter {reference}"))
    assert f"Complétons la déclaration {reference}" in said
    asked, said = answer_until_the_summary(vigie, sender)
    assert asked[0] == "handling_status" and set(ANSWERS) <= set(asked)
    assert asked.index("measures_taken") < asked.index("cause")
    assert requested(vigie, sender) == "confirmed"
    assert f"Voici ce que vous ajoutez à la déclaration {reference}" in said
    assert "- Cause : un courriel piégé ouvert par un agent des admissions" in said
    said = texts(vigie.say(sender, "oui"))
    assert f"Le complément de la déclaration {reference} est enregistré (5 informations)" in said

    stored = vigie.declaration(reference)
    assert stored["status"] == "completee" and stored["handling_status"] == "maitrise"
    assert stored["cause"] == ANSWERS["cause"] and stored["declarant_name"] == PERSONA["declarant_name"]
    assert (stored["is_ose"], stored["complaint_filed"]) == ("non", "oui")
    stored = wait_until(
        lambda: (d := vigie.declaration(reference))["transmission"]["state"] == "transmise" and d,
        60,
        what="the complement forwarded",
    )
    assert stored["transmission"]["kind"] == "complement"
    assert "(son dernier complément) a été transmise" in texts(vigie.say(sender, f"où en est {reference} ?"))


def test_a_typed_yes_to_the_offer_completes_the_declaration_at_once(vigie):
    sender, reference = declared(vigie)
    assert vigie.tracker(sender)["slots"]["completion_offer"] == reference
    said = texts(vigie.say(sender, "oui"))
    assert f"Complétons la déclaration {reference}" in said and requested(vigie, sender) == "handling_status"
    vigie.say(sender, "c'est résolu, tout est reparti")
    said = texts(vigie.say(sender, "terminer"))
    assert requested(vigie, sender) == "confirmed" and "État de la prise en charge : Résolu" in said
    said = texts(vigie.say(sender, "oui"))
    assert f"Le complément de la déclaration {reference} est enregistré (1 information)" in said
    stored = vigie.declaration(reference)
    assert stored["status"] == "completee" and stored["handling_status"] == "resolu"


def test_no_to_the_offer_leaves_the_declaration_as_sent(vigie):
    sender, reference = declared(vigie)
    said = texts(vigie.say(sender, "non merci"))
    assert f"La déclaration {reference} est transmise telle quelle" in said
    tracker = vigie.tracker(sender)
    assert tracker["slots"]["completion_offer"] is None and not (tracker["active_loop"] or {}).get("name")
    assert vigie.declaration(reference)["status"] in ("soumise", "transmise")


def test_another_conversation_needs_the_declarants_email(vigie):
    _, reference = declared(vigie)
    stranger = f"autre-{uuid.uuid4().hex[:8]}"
    said = texts(vigie.say(stranger, f"où en est {reference} ?"))
    assert "indiquez l'adresse e-mail du déclarant" in said and "transmise" not in said
    said = texts(vigie.say(stranger, "quelqu.un@ailleurs.fr"))
    assert "Je ne trouve pas de déclaration sous cette référence avec cette adresse" in said
    said = texts(vigie.say(stranger, PERSONA["declarant_email"]))
    assert f"La déclaration {reference}" in said and "Déclaration faite depuis : API REST" in said

    unknown = texts(vigie.say(f"autre-{uuid.uuid4().hex[:8]}", "où en est SSI-2026-999999 ?"))
    assert "indiquez l'adresse e-mail du déclarant" in unknown  # the same answer: nothing tells it does not exist


def test_three_wrong_addresses_end_the_check_and_asking_again_does_not_reset_it(vigie):
    _, reference = declared(vigie)
    stranger = f"curieux-{uuid.uuid4().hex[:8]}"
    vigie.say(stranger, f"je veux compléter {reference}")
    for attempt in range(3):
        said = texts(vigie.say(stranger, f"essai{attempt}@ailleurs.fr"))
    assert "Trop d'adresses e-mail erronées" in said and "réessayez dans 1 minute" in said
    assert vigie.tracker(stranger)["active_loop"] in ({}, None)
    assert requested(vigie, stranger) is None and vigie.declaration(reference)["status"] != "completee"
    # the attack run's way round: ask again, from another conversation, then give the right address
    other = f"curieux-{uuid.uuid4().hex[:8]}"
    said = texts(vigie.say(other, f"je veux compléter {reference}"))
    assert "Trop d'adresses e-mail erronées" in said and requested(vigie, other) is None
    said = texts(vigie.say(other, PERSONA["declarant_email"]))
    assert requested(vigie, other) is None and "Complétons" not in said
