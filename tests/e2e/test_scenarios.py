"""The eight example incidents of ../shared/examples/scenarios.md, end to end.

Each conversation opens with the example's first message, then answers what
the assistant asks (read from `requested_slot` in the tracker), the way the
declarant would, until the reference is given; the stored declaration is then
read back through the declarations API.
"""

import re
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from bot.nlu.french_dates import PARIS
from tests.support.declarant import PERSONA, converse

SCENARIOS_FILE = Path(__file__).resolve().parents[3] / "shared" / "examples" / "scenarios.md"


def openings() -> dict:
    text = SCENARIOS_FILE.read_text(encoding="utf-8")
    return {m.group(1): m.group(2) for m in re.finditer(r"\*\*(S\d+):[^*]*\*\*\n> \"(.*)\"", text)}


CASES = {
    "S1": (
        {"finess": "180000028", "support_requested": "oui"},
        {
            "incident_type": "rancongiciel",
            "origin": "malveillante",
            "care_impact": "interruption",
            "patient_endangerment": "potentielle",
            "health_data_involved": "oui",
            "structure_type": "etablissement_sante_public",
            "structure_name": "CH de Vierzon",
            "support_requested": "oui",
            "grave": True,
            "significatif": True,
            "authorities": {"CERT Santé", "plainte", "CNIL"},
            "systems": {"dpi", "pacs_ris"},
        },
    ),
    "S2": (
        {"patient_endangerment": "non, aucun risque pour les résidents"},
        {
            "incident_type": "compromission_compte",
            "origin": "malveillante",
            "health_data_involved": "oui",
            "structure_type": "esms",
            "patient_endangerment": "aucune",
            "grave": True,
            "significatif": True,
            "authorities": {"CERT Santé", "plainte", "CNIL"},
            "systems": {"messagerie"},
        },
    ),
    "S3": (
        {
            "structure_name": "HAD du Pays de Retz",
            "structure_type": "établissement de santé privé",
            "care_impact": "aucun impact sur les soins",
            "patient_endangerment": "aucune",
        },
        {
            "incident_type": "vol_perte_materiel",
            "origin": "malveillante",
            "complaint_filed": "oui",
            "health_data_involved": "oui",
            "grave": True,
            "significatif": False,
            "authorities": {"CERT Santé", "CNIL"},
            "data_impact": {"confidentialite"},
        },
    ),
    "S5": (
        {"structure_name": "Laboratoire BioSud", "care_impact": "aucun", "patient_endangerment": "aucune"},
        {
            "incident_type": "erreur_humaine",
            "origin": "non_malveillante",
            "persons_affected": 37,
            "structure_type": "laboratoire_biologie_medicale",
            "grave": True,
            "significatif": False,
            "authorities": {"CERT Santé", "CNIL"},
        },
    ),
    "S6": (
        {},
        {
            "incident_type": "panne_materielle",
            "care_impact": "mode_degrade",
            "patient_endangerment": "potentielle",
            "structure_type": "etablissement_sante_prive",
            "structure_name": "Clinique St Joseph",
            "grave": True,
            "significatif": False,
            "detected_hour": 14,
            "systems": {"dpi", "prescription_pharmacie"},
        },
    ),
    "S8": (
        {
            "structure_name": "CHU de Nantes",
            "care_impact": "aucun pour l'instant",
            "patient_endangerment": "aucune",
            "health_data_involved": "je ne sais pas",
            "support_requested": "oui",
        },
        {
            "incident_type": "compromission_compte",
            "origin": "malveillante",
            "is_ose": "oui",
            "support_requested": "oui",
            "significatif": True,
            "detected_hour": 8,
            "started_hour": 1,
            "authorities": {"CERT Santé", "ANSSI", "plainte"},
            "systems": {"acces_distant_vpn", "annuaire_ad"},
        },
    ),
    "S11": (
        {"structure_name": "CH de Pau", "health_data_involved": "non", "patient_endangerment": "potentielle"},
        {
            "incident_type": "perte_lien_telecom",
            "origin": "non_malveillante",
            "care_impact": "interruption",
            "health_data_involved": "non",
            "grave": True,
            "significatif": True,
            "detected_hour": 9,
            "systems": {"regulation_samu", "telephonie"},
        },
    ),
    "S15": (
        {"structure_name": "EHPAD Les Glycines", "structure_type": "c'est un EHPAD"},
        {
            "incident_type": "defaillance_prestataire",
            "care_impact": "mode_degrade",
            "structure_type": "esms",
            "patient_endangerment": "potentielle",
            "grave": True,
            "significatif": True,
            "detected_hour": 7,
        },
    ),
}


def declare(vigie, opening: str, answers: dict):
    sender = f"e2e-{uuid.uuid4().hex[:12]}"
    return converse(
        lambda text: vigie.say(sender, text),
        lambda: vigie.tracker(sender)["slots"].get("requested_slot"),
        opening,
        answers,
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_incident_is_declared(vigie, name):
    answers, expected = CASES[name]
    reference, questions = declare(vigie, openings()[name], {**PERSONA, **answers})
    print(f"{name}: {len(questions)} questions: {questions}")
    stored = vigie.declaration(reference)
    assert stored["reference"] == reference and stored["status"] in ("soumise", "transmise")
    assert stored["channel"] == "rest"
    for field in (
        "incident_type",
        "origin",
        "care_impact",
        "patient_endangerment",
        "health_data_involved",
        "structure_type",
        "structure_name",
        "support_requested",
        "complaint_filed",
        "is_ose",
        "persons_affected",
    ):
        if field in expected:
            assert stored[field] == expected[field], field
    for flag in ("grave", "significatif"):
        if flag in expected:
            assert stored["qualification"][flag] is expected[flag], (flag, stored["qualification"])
    if "authorities" in expected:
        assert {o["authority"] for o in stored["obligations"]} == expected["authorities"]
    if "systems" in expected:
        assert expected["systems"] <= set(stored["affected_systems"])
    if "data_impact" in expected:
        assert expected["data_impact"] <= set(stored["data_impact"])
    detected = datetime.fromisoformat(stored["detected_at"])
    assert detected <= datetime.now(PARIS)
    # "ce matin à 7h" means 7h only once 7h has passed: before, Vigie refuses a future time, and
    # S8's "désactivé à 8h" read between 6h and 8h is yesterday's 8h, earlier than "la nuit dernière".
    hour_passed = datetime.now(PARIS).hour > expected.get("detected_hour", -1)
    if "detected_hour" in expected and hour_passed:
        assert detected.hour == expected["detected_hour"]
    if "started_hour" in expected and hour_passed:
        assert int(stored["started_at"][11:13]) == expected["started_hour"]
    assert stored["declarant_phone"] == "+33612345678"
    assert stored["description"]


def test_a_structure_named_in_the_opening_is_never_asked_for_its_finess_type_or_region(vigie):
    """Issue 15's promise, through the REST channel: the register gives the number, the type and
    the region of "le CH de Dax" once the person says "oui" to it."""
    opening = (
        "Bonjour, ici le CH de Dax : un rançongiciel a chiffré les serveurs de fichiers, "
        "les urgences sont passées en mode dégradé papier."
    )
    reference, questions = declare(vigie, opening, PERSONA)
    assert "structure_match" in questions
    assert not {"finess", "structure_type", "region", "structure_name"} & set(questions), questions
    stored = vigie.declaration(reference)
    assert (stored["finess"], stored["structure_type"], stored["region"]) == (
        "400000105",
        "etablissement_sante_public",
        "nouvelle_aquitaine",
    )
