"""Guidance through the REST channel: questions, mid-form questions, the
seriousness check, out-of-scope input and the fallback, as a user meets them."""

import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.core.paris_time import PARIS

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
# Paraphrases never trained on (5 per topic). Two trainings of the same data and
# seed measured 92.4 % and 90.6 % of 170 (TensorFlow on CPU is not bit-reproducible),
# so the thresholds leave that noise, not a topic that is no longer understood.
FAQ_ACCURACY_THRESHOLD = 0.85
TOPIC_ACCURACY_THRESHOLD = 0.4  # a topic with fewer than 2 of its 5 paraphrases right fails
OUT_OF_SCOPE = [
    "mets un réveil à 6h30",
    "il va pleuvoir demain à Lille ?",
    "joue du jazz",
    "réserve une table pour deux ce soir",
]


def new_sender() -> str:
    return f"g-{uuid.uuid4().hex[:12]}"


def texts(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def faq_answer(topic: str) -> str:
    return DOMAIN["responses"][f"utter_faq/{topic}"][0]["text"]


def paraphrases():
    data = yaml.safe_load((ROOT / "tests" / "nlu" / "faq_test.yml").read_text(encoding="utf-8"))
    for block in data["nlu"]:
        topic = block["intent"].split("/", 1)[1]
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                yield topic, line.strip()[2:]


def state(vigie, sender):
    tracker = vigie.tracker(sender)
    return tracker["slots"].get("requested_slot"), (tracker.get("active_loop") or {}).get("name")


def test_questions_about_the_scheme_are_answered(vigie):
    results, misses = {}, []
    for topic, question in paraphrases():
        ok = faq_answer(topic) in texts(vigie.say(new_sender(), question))
        results.setdefault(topic, []).append(ok)
        if not ok:
            misses.append(f"{topic}: {question}")
    answers = [ok for oks in results.values() for ok in oks]
    accuracy = sum(answers) / len(answers)
    print(f"FAQ held-out accuracy through REST: {accuracy:.1%} ({len(answers)} questions); misses: {misses}")
    assert accuracy >= FAQ_ACCURACY_THRESHOLD, misses
    weak = {t: f"{sum(oks)}/{len(oks)}" for t, oks in results.items() if sum(oks) / len(oks) < TOPIC_ACCURACY_THRESHOLD}
    assert not weak, (weak, misses)


def test_a_question_asked_with_ones_own_incident_is_answered_and_the_declaration_starts(vigie):
    """Told as a question, an account of one's own incident is not lost to the FAQ: the answer comes
    first (without "décrivez-moi l'incident": it just was), then what was understood of it."""
    sender = new_sender()
    replies = texts(
        vigie.say(
            sender,
            "Bonjour, à la clinique du Parc de Saint-Lô les postes de l'accueil affichent une demande de rançon, "
            "constatée hier soir à 22h, est-ce qu'on doit vraiment déclarer ça ?",
        )
    )
    assert "Voici ce que j'ai compris" in replies and "Rançongiciel" in replies
    assert "crivez-moi" not in replies
    pending, loop = state(vigie, sender)
    assert loop == "declaration_form" and pending not in (None, "description")
    stored = vigie.tracker(sender)["slots"]
    assert stored["description"].startswith("Bonjour, à la clinique du Parc")
    yesterday = (datetime.now(PARIS) - timedelta(days=1)).date().isoformat()
    assert stored["detected_at"].startswith(f"{yesterday}T22:00")


def test_question_mid_form_then_the_form_resumes(vigie):
    sender = new_sender()
    vigie.say(
        sender, "vol d'un pc portable de l'EHPAD Les Lilas hier soir vers 22h, il contient des dossiers de résidents"
    )
    pending, loop = state(vigie, sender)
    assert loop == "declaration_form" and pending
    replies = texts(vigie.say(sender, "faut-il payer la rançon ?"))
    assert faq_answer("payer_rancon") in replies
    assert state(vigie, sender) == (pending, "declaration_form")
    ask = DOMAIN["responses"][f"utter_ask_{pending}"][0]["text"]
    assert replies.endswith(ask)


def test_seriousness_check_then_a_prefilled_declaration(vigie):
    sender = new_sender()
    replies = texts(vigie.say(sender, "mon incident est-il grave ?"))
    assert "critères" in replies
    answers = {
        "incident_type": "un rançongiciel",
        "care_impact": "mode dégradé",
        "patient_endangerment": "potentielle",
        "health_data_involved": "oui",
        "spread_risk": "non",
    }
    for _ in range(8):
        pending, loop = state(vigie, sender)
        if loop is None:
            break
        replies = texts(vigie.say(sender, answers[pending]))
    assert "grave" in replies and "Déclarer maintenant" not in replies  # the button title is not text
    vigie.say(sender, "/declare_incident")
    asked = []
    for _ in range(3):
        pending, loop = state(vigie, sender)
        asked.append(pending)
        vigie.say(sender, "cette nuit vers 3h les serveurs ont été chiffrés, rançon demandée")
    assert loop == "declaration_form"
    assert not set(asked) & {"care_impact", "patient_endangerment", "health_data_involved"}
    assert vigie.tracker(sender)["slots"]["care_impact"] == "mode_degrade"


@pytest.mark.parametrize("sentence", OUT_OF_SCOPE)
def test_out_of_scope_never_starts_a_declaration(vigie, sentence):
    sender = new_sender()
    assert "uniquement" in texts(vigie.say(sender, sentence))
    assert state(vigie, sender) == (None, None)


def test_out_of_scope_at_every_step_keeps_the_form(vigie):
    sender = new_sender()
    vigie.say(sender, "panne du serveur de fichiers du CH de Pau à 14h, mode dégradé")
    for answer in ("je ne sais pas", "non", "Jean Martin", "DSI", "jean.martin@ch-pau.fr", "05 59 00 00 00"):
        pending, loop = state(vigie, sender)
        if pending in (None, "confirmed"):
            break
        assert "uniquement" in texts(vigie.say(sender, OUT_OF_SCOPE[0]))
        assert state(vigie, sender) == (pending, loop)
        vigie.say(sender, answer)


@pytest.mark.parametrize("unclear", ["blabla truc", "asdf qsdf", "zorglub flux capacitor"])
def test_unclear_input_gets_choices_and_no_form(vigie, unclear):
    sender = new_sender()
    replies = vigie.say(sender, unclear)
    offered = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert "Vouliez-vous dire" in texts(replies)
    assert "Autre chose" in offered and len(offered) >= 2
    assert state(vigie, sender)[0] is None
