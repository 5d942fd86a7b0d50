"""The persona driver (bench/converse.py): how it talks, clicks and scores."""

from datetime import datetime

import pytest

from bench import converse
from bench.converse import Persona, closest_button, date_matches, play, score
from bot.core.paris_time import PARIS

NOW = datetime(2026, 12, 3, 11, 0, tzinfo=PARIS)


class FakeVigie:
    """Asks ``questions`` in turn; a question ("...?") is answered and the pending one asked again;
    refuses the typed answers in ``refused`` (asks again, with buttons)."""

    def __init__(self, questions, refused=(), buttons=None):
        self.pending = list(questions)
        self.refused = dict(refused)
        self.buttons = buttons or []
        self.heard = []

    def say(self, text):
        self.heard.append(text)
        if len(self.heard) > 1 and self.pending and not text.endswith("?"):
            current = self.pending[0]
            if self.refused.get(current, 0) > 0 and not text.startswith("/"):
                self.refused[current] -= 1
                return [{"text": "Je n'ai pas compris.", "buttons": self.buttons}]
            self.pending.pop(0)
        if not self.pending:
            return [{"text": "Votre déclaration est enregistrée sous la référence SSI-2026-000042. Notez-la."}]
        return [{"text": f"Question {self.pending[0]} ?"}]

    def requested(self):
        return self.pending[0] if self.pending else None


def persona(**changes):
    base = dict(id="dev-x", opening="on a un virus", answers={"care_impact": "mode papier"}, expected={})
    return Persona(**{**base, **changes})


def test_a_persona_answers_each_question_and_reaches_the_reference():
    vigie = FakeVigie(["care_impact", "finess", "confirmed"])
    result = play(vigie.say, vigie.requested, persona())
    assert result.reference == "SSI-2026-000042"
    assert vigie.heard == ["on a un virus", "mode papier", "je ne sais pas", "oui"]
    assert result.questions == ["care_impact", "finess", "confirmed"] and not result.loops


class OfferingVigie(FakeVigie):
    """Gives the reference with the offer to complete now, then asks ``completion`` in turn."""

    def __init__(self, questions, completion):
        super().__init__(questions)
        self.completion, self.completing, self.accepted = list(completion), False, False

    def say(self, text):
        if self.completing:
            self.heard.append(text)
            if self.accepted:
                self.completion.pop(0)
            self.accepted = True  # the first message after the offer accepts it
            if not self.completion:
                return [{"text": "Le complément de la déclaration SSI-2026-000042 est enregistré."}]
            return [{"text": f"Question {self.completion[0]} ?"}]
        replies = super().say(text)
        if not self.pending:
            self.completing = True
            replies.append({"text": "Voulez-vous continuer ?", "buttons": [{"title": "Compléter maintenant"}]})
        return replies

    def requested(self):
        if self.completing:
            return self.completion[0] if self.completion else None
        return super().requested()


def test_after_the_reference_the_persona_completes_and_those_questions_count_apart():
    answers = {"care_impact": "mode papier", "complaint_filed": "plainte déposée ce matin"}
    vigie = OfferingVigie(["care_impact", "confirmed"], ["complaint_filed", "finess", "confirmed"])
    result = play(vigie.say, vigie.requested, persona(answers=answers))
    assert result.reference == "SSI-2026-000042" and result.questions == ["care_impact", "confirmed"]
    assert vigie.heard[3:] == ["oui", "plainte déposée ce matin", "je ne sais pas", "oui"]
    assert result.completion_questions == ["complaint_filed", "finess", "confirmed"] and result.completed


def test_an_answer_refused_twice_is_followed_by_the_closest_button():
    buttons = [{"title": "Aucun", "payload": "/a"}, {"title": "Mode dégradé (papier)", "payload": "/b"}]
    vigie = FakeVigie(["care_impact", "confirmed"], refused={"care_impact": 2}, buttons=buttons)
    result = play(vigie.say, vigie.requested, persona())
    assert vigie.heard[:4] == ["on a un virus", "mode papier", "mode papier", "/b"] and result.clicks == 1


def test_a_question_asked_over_and_over_is_a_loop_then_stuck():
    vigie = FakeVigie(["care_impact"], refused={"care_impact": 99})
    result = play(vigie.say, vigie.requested, persona())
    assert vigie.heard[1:] == ["mode papier", "mode papier", "je ne sais pas", "passer"]
    assert result.reference is None and result.loops == ["care_impact"]
    assert result.stuck == "care_impact asked 5 times in a row"


def test_script_events_fall_where_the_persona_says():
    script = [
        {"at_turn": 2, "say": "faut-il payer la rançon ?", "kind": "question"},
        {"field": "finess", "say": "c'est quoi le finess ?", "kind": "question"},
    ]
    vigie = FakeVigie(["care_impact", "finess", "confirmed"])
    play(vigie.say, vigie.requested, persona(script=script, answers={"care_impact": "aucun", "finess": "jsp"}))
    assert vigie.heard == [
        "on a un virus",
        "aucun",
        "faut-il payer la rançon ?",
        "c'est quoi le finess ?",
        "jsp",
        "oui",
    ]


def test_without_a_pending_question_the_person_asks_to_declare_once():
    result = play(lambda text: [{"text": "Bonjour !"}], lambda: None, persona())
    assert result.reference is None and result.stuck == "no question pending and no reference"


def test_closest_button_without_buttons_keeps_the_answer():
    assert closest_button([{"text": "?"}], "oui") == ("oui", 0)


@pytest.mark.parametrize(
    "want, got, ok",
    [
        ({"days_ago": 0, "time": "06:00"}, "2026-12-03T06:10:00+01:00", True),
        ({"days_ago": 0, "time": "06:00"}, "2026-12-03T08:00:00+01:00", False),
        ({"days_ago": 1, "time": None}, "2026-12-02T03:00:00+01:00", True),
        ({"days_ago": 1, "time": None}, "2026-12-03T03:00:00+01:00", False),
        ({"hours_ago": 2}, "2026-12-03T09:05:00+01:00", True),
        ({"hours_ago": 2}, "2026-12-03T08:00:00+01:00", False),
        (None, None, True),
        ({"days_ago": 0, "time": None}, None, False),
    ],
)
def test_dates_are_scored_on_what_the_person_said(want, got, ok):
    assert date_matches(want, got, NOW) is ok


def test_score_compares_each_expected_field_its_own_way():
    stored = {
        "structure_name": "Centre hospitalier de Dax",
        "incident_type": "rancongiciel",
        "affected_systems": ["pacs_ris", "dpi"],
        "declarant_email": "a.b@ch-exemple.fr",
        "declarant_role": "Administrateur de garde",
        "persons_affected": None,
        "declarant_phone": "+33558914212;ext=212",
    }
    expected = {
        "structure_name_hint": "dax",
        "incident_type": "rancongiciel",
        "affected_systems": ["dpi", "pacs_ris"],
        "declarant_email": "A.B@ch-exemple.fr",
        "declarant_role": "administrateur de garde",
        "persons_affected": 40,
        "declarant_phone": "+33558914212",
        "qualification": {"grave": True},
    }
    scores = score(stored, expected, NOW)
    assert {name: ok for name, (ok, _, _) in scores.items()} == {
        "structure_name_hint": True,
        "incident_type": True,
        "affected_systems": True,
        "declarant_email": True,
        "declarant_role": True,
        "persons_affected": False,
        "declarant_phone": True,  # the extension kept beside the number
    }
    assert not score({"declarant_phone": "+33558914213"}, {"declarant_phone": "+33558914212"}, NOW)["declarant_phone"][
        0
    ]


def test_the_corpus_loads_both_splits_with_unique_ids():
    dev, check = converse.load("dev"), converse.load("check")
    assert len(dev) >= 90 and len(check) >= 60
    ids = [p.id for p in dev + check]
    assert len(ids) == len(set(ids))


def test_check_results_keep_which_fields_failed_never_the_values():
    conversation = converse.Conversation("chk-001", mismatches={"incident_type": ("vol_perte_materiel", "autre")})
    assert converse.shown(conversation, "check")["mismatches"] == ["incident_type"]
    assert converse.shown(conversation, "dev")["mismatches"] == {"incident_type": ("vol_perte_materiel", "autre")}


def test_a_persona_confirms_its_own_establishment_and_only_it():
    one = [{"text": "Il s'agit bien de : Centre Hospitalier de Dax (FINESS 400000105, Dax, Landes) ?",
            "buttons": [{"title": "Oui", "payload": "/a"}, {"title": "Non", "payload": "/b"}]}]  # fmt: skip
    assert converse.recognise_own("CH de Dax", one) == "oui"
    assert converse.recognise_own("Clinique du Parc, Lyon", one) == "non"
    several = [{"text": "Lequel ?", "buttons": [
        {"title": "Centre Hospitalier de Dax (Dax, Landes)", "payload": "/dax"},
        {"title": "Hopital Thermal de Dax (Dax, Landes)", "payload": "/thermal"},
        {"title": "Aucune de celles-ci", "payload": "/none"}]}]  # fmt: skip
    assert converse.recognise_own("hôpital thermal de Dax", several) == "/thermal"
    assert converse.recognise_own("EHPAD Les Tilleuls à Vouziers", several) == "/none"
    # the person knows their region: a namesake of another one is not theirs
    assert converse.recognise_own("hôpital thermal de Dax", several, "nouvelle_aquitaine") == "/thermal"
    assert converse.recognise_own("hôpital thermal de Dax", several, "hauts_de_france") == "/none"
    assert converse.recognise_own("CH de Dax", one, "hauts_de_france") == "non"


def test_a_persona_gives_its_whole_contact_block_when_asked_for_it():
    answers = {"declarant_name": "Marie Dupont", "declarant_role": "RSSI", "declarant_email": "m.dupont@ch-exemple.fr"}
    persona = Persona("dev-x", "bonjour", answers, {})
    block = [{"text": "Donnez votre nom, votre fonction, votre e-mail et votre téléphone."}]
    declarant = converse.Declarant(persona)
    assert declarant.answer("declarant_name", block) == "Marie Dupont, RSSI, m.dupont@ch-exemple.fr"
    assert declarant.answer("declarant_name", [{"text": "Votre nom ?"}]) == "Marie Dupont"


def test_a_contact_given_at_once_is_said_once():
    said = "Luc Henry, cadre de nuit, l.henry@ehpad-exemple.fr, 06 11 22 33 44"
    fields = ("declarant_name", "declarant_role", "declarant_email", "declarant_phone")
    persona = Persona("dev-x", "bonjour", {field: said for field in fields}, {})
    block = [{"text": "Donnez votre nom, votre fonction, votre e-mail et votre téléphone."}]
    assert converse.Declarant(persona).answer("declarant_name", block) == said


def test_declarations_stored_without_a_region_are_counted():
    placed = converse.Conversation("p1", reference="SSI-2026-000001")
    lost = converse.Conversation("p2", reference="SSI-2026-000002", without_region=True)
    assert converse.summarise([placed, lost])["without_region"] == 1


def test_a_name_matches_whatever_its_punctuation():
    stored = {"structure_name": "Centre Hospitalier Yves le Foll (Saint Brieuc)", "declarant_role": "technicien info"}
    expected = {"structure_name_hint": "Saint-Brieuc", "declarant_role": "technicien informatique"}
    assert {name: ok for name, (ok, _, _) in score(stored, expected, NOW).items()} == {
        "structure_name_hint": True,
        "declarant_role": False,
    }


def test_every_persona_says_whether_it_names_a_real_establishment():
    real = converse.real_establishments()
    personas = converse.load("dev") + converse.load("check")
    annotated = converse.yaml.safe_load((converse.PERSONAS / "structures.yml").read_text(encoding="utf-8"))
    assert set(annotated) == {p.id for p in personas}
    assert all(p.establishment == real.get(p.id) for p in personas)
    assert all(len(n) == 9 for numbers in real.values() for n in numbers)


def test_the_structure_is_recognised_when_one_of_its_numbers_is_stored():
    named = converse.Conversation("p1", reference="SSI-2026-000001", structure_recognised=True)
    missed = converse.Conversation("p2", reference="SSI-2026-000002", structure_recognised=False)
    invented = converse.Conversation("p3", reference="SSI-2026-000003")
    summary = converse.summarise([named, missed, invented])
    assert summary["naming_a_real_establishment"] == 2 and summary["structure_recognised"] == 0.5


def test_a_persona_of_a_real_establishment_knows_it_by_its_number():
    numbers = ["830100574", "830000000"]  # the establishment, then its legal entity
    one = [{"text": "Il s'agit bien de : Hopital d'Instruction des Armees Sainte Anne (FINESS 830100574) ?",
            "buttons": [{"title": "Oui", "payload": '/inform{"structure_match": "830100574"}'},
                        {"title": "Non", "payload": '/inform{"structure_match": "aucune"}'}]}]  # fmt: skip
    assert converse.choose_own(numbers, one) == "oui"
    assert converse.choose_own(["130002827"], one) == "non"
    several = [{"text": "Lequel ?", "buttons": [
        {"title": "Tout l'établissement", "payload": "/m{830000000}"},
        {"title": "HIA Sainte Anne (Toulon)", "payload": "/m{830100574}"},
        {"title": "Aucune de celles-ci", "payload": "/none"}]}]  # fmt: skip
    assert converse.choose_own(numbers, several) == "/m{830100574}"
    assert converse.choose_own(["130002827"], several) == "/none"


def test_the_legal_entity_of_an_annotated_establishment_recognises_it_too():
    real = converse.real_establishments()
    assert real["dev-062"][:2] == ["510002447", "510004302"]  # CHU de Reims: two sites annotated
    assert "510000029" in real["dev-062"]  # and the CHU's legal entity, from the register


def test_a_legal_entity_number_typed_is_met_by_the_site_of_that_entity_confirmed():
    typed = {"finess": "510000029"}  # the CHU de Reims's legal entity, as a person typed it
    assert score({"finess": "510002447"}, typed, NOW)["finess"][0]  # one of its sites, annotated
    assert score({"finess": "510000029"}, typed, NOW)["finess"][0]
    assert not score({"finess": "080000615"}, typed, NOW)["finess"][0]  # another entity's site
    assert not score({"finess": "510000029"}, {"finess": "510002447"}, NOW)["finess"][0]  # a site typed


def test_asked_whether_to_cancel_the_persona_goes_on():
    """A scripted cancel brings "Voulez-vous vraiment annuler ?" with no form question pending:
    every persona came to declare, and clicks "Non, continuer"."""
    confirm = [
        {"title": "Oui, annuler", "payload": "/cancel"},
        {"title": "Non, continuer", "payload": "/resume_declaration"},
    ]
    state = {"paused": False}
    vigie = FakeVigie(["care_impact", "confirmed"])

    def say(text):
        if text == "j'annule":
            state["paused"] = True
            vigie.heard.append(text)
            return [{"text": "Voulez-vous vraiment annuler ?", "buttons": confirm}]
        if text == "/resume_declaration":
            state["paused"] = False
            vigie.heard.append(text)
            return [{"text": f"D'accord, on continue. Question {vigie.pending[0]} ?"}]
        return vigie.say(text)

    scripted = persona(script=[{"at_turn": 1, "say": "j'annule"}])
    result = play(say, lambda: None if state["paused"] else vigie.requested(), scripted)
    assert vigie.heard[:4] == ["on a un virus", "j'annule", "/resume_declaration", "mode papier"]
    assert result.reference == "SSI-2026-000042" and result.clicks == 1
