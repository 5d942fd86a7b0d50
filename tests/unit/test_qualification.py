from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.french import format_datetime_fr
from bot.core.qualification import (
    CERT_DONE,
    CERT_ON_CALL,
    R_DEGRADED,
    R_ENDANGER_ACTUAL,
    R_ENDANGER_POTENTIAL,
    R_INTERRUPTION,
    R_MALICIOUS,
    R_NEITHER,
    R_OSE,
    R_PROVIDER,
    R_SAMU,
    R_SPREAD,
    cert_sentence,
    format_obligation_fr,
    french_public_holidays,
    is_working_hours,
    obligations,
    origin_for_type,
    qualify,
    still_to_do,
)

PARIS = ZoneInfo("Europe/Paris")

# --- scenarios from shared/examples/scenarios.md --------------------------

S1_RANSOMWARE_VIERZON = {
    "structure_name": "CH de Vierzon",
    "finess": "180000000",
    "incident_type": "rancongiciel",
    "origin": None,
    "detected_at": "2026-11-28T03:00:00+01:00",  # Saturday, "cette nuit vers 3h"
    "affected_systems": ["annuaire_ad", "serveurs_infrastructure", "dpi", "pacs_ris", "poste_de_travail"],
    "care_impact": "mode_degrade",
    "patient_endangerment": "potentielle",
    "data_impact": ["disponibilite", "integrite", "confidentialite"],
    "health_data_involved": "oui",
    "spread_risk": "oui",
    "is_ose": "inconnu",
    "support_requested": "oui",
}

S2_PHISHING_EHPAD = {
    "incident_type": "compromission_compte",
    "detected_at": "2026-11-24T08:30:00+01:00",
    "affected_systems": ["messagerie"],
    "care_impact": "aucun",
    "patient_endangerment": "aucune",
    "data_impact": ["confidentialite"],
    "health_data_involved": "oui",
    "spread_risk": "oui",
}

S3_STOLEN_LAPTOP_HAD = {
    "incident_type": "vol_perte_materiel",
    "detected_at": "2026-11-23T20:00:00+01:00",
    "affected_systems": ["poste_de_travail"],
    "care_impact": "aucun",
    "patient_endangerment": "aucune",
    "data_impact": ["confidentialite"],
    "health_data_involved": "oui",
    "spread_risk": "non",
    "complaint_filed": "oui",
}

S5_MISDIRECTED_LAB_EMAIL = {
    "structure_type": "laboratoire_biologie_medicale",
    "incident_type": "erreur_humaine",
    "detected_at": "2026-11-30T06:00:00+01:00",  # Monday
    "affected_systems": ["messagerie", "laboratoire_sil"],
    "care_impact": "aucun",
    "patient_endangerment": "aucune",
    "data_impact": ["confidentialite"],
    "health_data_involved": "oui",
    "persons_affected": 37,
    "spread_risk": "non",
    "support_requested": "non",
}

S6_SAN_FAILURE_CLINIC = {
    "incident_type": "panne_materielle",
    "detected_at": "2026-11-25T14:00:00+01:00",
    "affected_systems": ["serveurs_infrastructure", "dpi", "prescription_pharmacie"],
    "provider_involved": "oui",
    "care_impact": "mode_degrade",
    "patient_endangerment": "potentielle",
    "data_impact": ["disponibilite"],
    "health_data_involved": "oui",
    "spread_risk": "non",
}

S8_VPN_ACCOUNT_CHU = {
    "incident_type": "compromission_compte",
    "detected_at": "2026-11-26T08:00:00+01:00",
    "started_at": "2026-11-26T01:00:00+01:00",
    "affected_systems": ["acces_distant_vpn", "annuaire_ad"],
    "is_ose": "oui",
    "care_impact": "aucun",
    "patient_endangerment": "aucune",
    "data_impact": ["confidentialite"],
    "health_data_involved": "inconnu",
}

S11_SAMU_FIBRE_CUT = {
    "incident_type": "perte_lien_telecom",
    "detected_at": "2026-11-26T09:40:00+01:00",  # Thursday
    "affected_systems": ["regulation_samu", "telephonie", "reseau_telecom"],
    "provider_involved": "oui",
    "care_impact": "interruption",
    "patient_endangerment": "potentielle",
    "data_impact": ["disponibilite"],
    "health_data_involved": "non",
    "spread_risk": None,
}

S15_SAAS_EDITOR_EHPAD = {
    "incident_type": "defaillance_prestataire",
    "origin": "indeterminee",
    "detected_at": "2026-11-27T07:00:00+01:00",
    "affected_systems": ["dpi", "prescription_pharmacie"],
    "provider_involved": "oui",
    "care_impact": "mode_degrade",
    "patient_endangerment": "potentielle",
    "data_impact": ["disponibilite"],
    "health_data_involved": "oui",
    "spread_risk": "oui",
}

BLOCKED_PHISHING = {
    "incident_type": "hameconnage",
    "detected_at": "2026-11-24T10:00:00+01:00",
    "affected_systems": ["messagerie"],
    "care_impact": "aucun",
    "patient_endangerment": "aucune",
    "data_impact": [],
    "health_data_involved": "non",
    "spread_risk": "non",
    "is_ose": "non",
    "provider_involved": "non",
}


def authorities(decl):
    return [ob["authority"] for ob in obligations(decl)]


def obligation(decl, authority):
    return next(ob for ob in obligations(decl) if ob["authority"] == authority)


# --- origin ----------------------------------------------------------------


@pytest.mark.parametrize(
    "incident_type,origin",
    [
        ("rancongiciel", "malveillante"),
        ("hameconnage", "malveillante"),
        ("vol_perte_materiel", "malveillante"),
        ("acces_illegitime_interne", "malveillante"),
        ("fraude_usurpation", "malveillante"),
        ("deni_de_service", "malveillante"),
        ("panne_materielle", "non_malveillante"),
        ("erreur_humaine", "non_malveillante"),
        ("defaillance_prestataire", "non_malveillante"),
        ("perte_lien_telecom", "non_malveillante"),
        ("sinistre", "non_malveillante"),
        ("autre", "indeterminee"),
        (None, "indeterminee"),
        ("inconnu", "indeterminee"),
    ],
)
def test_origin_for_type(incident_type, origin):
    assert origin_for_type(incident_type) == origin


# --- qualification of the scenarios ----------------------------------------


def test_s1_ransomware_is_grave_and_significatif():
    result = qualify(S1_RANSOMWARE_VIERZON)
    assert result["grave"] is True and result["significatif"] is True
    assert R_ENDANGER_POTENTIAL in result["reasons"]
    assert R_DEGRADED in result["reasons"]
    assert R_MALICIOUS in result["reasons"]
    assert "Des données de santé sont atteintes dans leur confidentialité et leur intégrité." in result["reasons"]
    assert R_SPREAD in result["reasons"]
    assert R_NEITHER not in result["reasons"]


def test_s1_without_spread_risk_is_grave_only():
    result = qualify({**S1_RANSOMWARE_VIERZON, "spread_risk": "non"})
    assert (result["grave"], result["significatif"]) == (True, False)


def test_s2_compromised_mailbox_grave_and_significatif():
    result = qualify(S2_PHISHING_EHPAD)
    assert (result["grave"], result["significatif"]) == (True, True)
    assert result["reasons"] == [
        "Des données de santé sont atteintes dans leur confidentialité.",
        R_SPREAD,
    ]


def test_s3_stolen_laptop_grave_not_significatif():
    result = qualify(S3_STOLEN_LAPTOP_HAD)
    assert (result["grave"], result["significatif"]) == (True, False)


def test_s5_misdirected_email_grave_not_significatif():
    result = qualify(S5_MISDIRECTED_LAB_EMAIL)
    assert result == {
        "grave": True,
        "significatif": False,
        "reasons": ["Des données de santé sont atteintes dans leur confidentialité."],
    }


def test_s6_hardware_failure_grave_not_significatif():
    result = qualify(S6_SAN_FAILURE_CLINIC)
    assert (result["grave"], result["significatif"]) == (True, False)
    assert result["reasons"] == [R_ENDANGER_POTENTIAL, R_DEGRADED]
    assert R_MALICIOUS not in result["reasons"]  # not malicious
    assert R_PROVIDER not in result["reasons"]  # its provider does not serve others here


def test_s8_compromised_vpn_account_is_significatif_as_ose():
    result = qualify(S8_VPN_ACCOUNT_CHU)
    assert result["significatif"] is True
    assert result["reasons"] == [R_OSE]


def test_s8_becomes_grave_when_systems_are_made_unavailable():
    result = qualify({**S8_VPN_ACCOUNT_CHU, "data_impact": ["confidentialite", "disponibilite"]})
    assert result["grave"] is True
    assert R_MALICIOUS in result["reasons"]


def test_s11_samu_fibre_cut_grave_and_significatif():
    result = qualify(S11_SAMU_FIBRE_CUT)
    assert (result["grave"], result["significatif"]) == (True, True)
    assert R_SAMU in result["reasons"]
    assert R_INTERRUPTION in result["reasons"]
    assert R_ENDANGER_POTENTIAL in result["reasons"]
    assert R_SPREAD not in result["reasons"]  # spread_risk unknown


def test_s15_saas_editor_outage_grave_and_significatif():
    result = qualify(S15_SAAS_EDITOR_EHPAD)
    assert (result["grave"], result["significatif"]) == (True, True)
    assert R_PROVIDER in result["reasons"] and R_SPREAD in result["reasons"]
    assert R_MALICIOUS not in result["reasons"]  # origin indeterminee


def test_blocked_phishing_nobody_clicked_is_neither():
    result = qualify(BLOCKED_PHISHING)
    assert result == {"grave": False, "significatif": False, "reasons": [R_NEITHER]}
    assert "pas obligatoire" in R_NEITHER and "recommandée en cas de doute" in R_NEITHER


# --- individual criteria ----------------------------------------------------


def test_actual_endangerment():
    result = qualify({"patient_endangerment": "averee"})
    assert result["grave"] is True and result["reasons"] == [R_ENDANGER_ACTUAL]


def test_health_data_integrity_only():
    result = qualify({"health_data_involved": "oui", "data_impact": ["integrite"]})
    assert result["reasons"] == ["Des données de santé sont atteintes dans leur intégrité."]


def test_health_data_availability_alone_is_not_grave():
    result = qualify(
        {
            "health_data_involved": "oui",
            "data_impact": ["disponibilite"],
            "incident_type": "panne_materielle",
            "care_impact": "aucun",
            "patient_endangerment": "aucune",
        }
    )
    assert result["grave"] is False


def test_confidentiality_without_health_data_is_not_grave():
    result = qualify(
        {"health_data_involved": "non", "data_impact": ["confidentialite"], "incident_type": "erreur_humaine"}
    )
    assert result["grave"] is False


def test_malicious_deduced_from_type_with_unavailability():
    result = qualify({"incident_type": "deni_de_service", "data_impact": ["disponibilite"]})
    assert result["grave"] is True and result["reasons"] == [R_MALICIOUS]


def test_same_unavailability_not_malicious_is_not_grave():
    result = qualify({"incident_type": "panne_materielle", "data_impact": ["disponibilite"]})
    assert result["grave"] is False


def test_explicit_origin_overrides_type():
    assert qualify({"incident_type": "autre", "origin": "malveillante", "data_impact": ["integrite"]})["grave"] is True
    assert (
        qualify({"incident_type": "logiciel_malveillant", "origin": "indeterminee", "data_impact": ["integrite"]})[
            "grave"
        ]
        is False
    )


def test_malicious_with_care_impact():
    result = qualify({"incident_type": "compromission_si", "care_impact": "interruption"})
    assert result["reasons"] == [R_INTERRUPTION, R_MALICIOUS]


def test_provider_with_defaillance_prestataire_is_significatif():
    result = qualify({"incident_type": "defaillance_prestataire", "provider_involved": "oui", "spread_risk": "inconnu"})
    assert result["significatif"] is True and result["reasons"] == [R_PROVIDER]


def test_provider_alone_is_not_significatif():
    result = qualify({"incident_type": "panne_materielle", "provider_involved": "oui", "spread_risk": "non"})
    assert result["significatif"] is False


def test_empty_declaration_is_neither_and_lists_unknowns():
    result = qualify({})
    assert (result["grave"], result["significatif"]) == (False, False)
    assert result["reasons"][0] == R_NEITHER
    assert result["reasons"][1] == (
        "Certains éléments sont encore inconnus (impact sur l'activité, mise en danger "
        "des patients, données de santé concernées) : la qualification pourra évoluer."
    )


def test_none_values_are_unknown():
    result = qualify({key: None for key in S1_RANSOMWARE_VIERZON})
    assert (result["grave"], result["significatif"]) == (False, False)


# --- obligations --------------------------------------------------------------


def test_s5_obligations_cert_and_cnil_72h():
    obs = obligations(S5_MISDIRECTED_LAB_EMAIL)
    assert [ob["authority"] for ob in obs] == ["CERT Santé", "CNIL"]
    assert obs[0]["due_by"] is None and "sans délai" in obs[0]["why"]
    assert obs[1]["due_by"] == "2026-12-03T06:00:00+01:00"
    assert "72 heures" in obs[1]["why"]


def test_s5_cnil_line_in_french():
    line = format_obligation_fr(obligation(S5_MISDIRECTED_LAB_EMAIL, "CNIL"))
    assert line.startswith("CNIL : avant le jeudi 3 décembre 2026 à 6 h 00 — Violation de données")


def test_s5_cnil_already_notified_is_omitted():
    assert authorities({**S5_MISDIRECTED_LAB_EMAIL, "cnil_notified": "oui"}) == ["CERT Santé"]
    assert "CNIL" in authorities({**S5_MISDIRECTED_LAB_EMAIL, "cnil_notified": "prevue"})


def test_s1_obligations_at_night_on_call():
    obs = obligations(S1_RANSOMWARE_VIERZON)
    assert [ob["authority"] for ob in obs] == ["CERT Santé", "CNIL", "plainte"]
    assert "astreinte" in obs[0]["why"] and "sans délai" in obs[0]["why"]
    assert obs[1]["due_by"] == "2026-12-01T03:00:00+01:00"
    assert format_obligation_fr(obs[1]).startswith("CNIL : avant le mardi 1er décembre 2026 à 3 h 00")


def test_s1_with_ose_and_complaint_filed():
    decl = {**S1_RANSOMWARE_VIERZON, "is_ose": "oui", "complaint_filed": "oui"}
    assert authorities(decl) == ["CERT Santé", "CNIL", "ANSSI"]
    assert "ANSSI" in obligation(decl, "ANSSI")["why"]


def test_complaint_planned_is_still_reminded():
    assert "plainte" in authorities({**S1_RANSOMWARE_VIERZON, "complaint_filed": "prevue"})


def test_s11_during_working_hours_no_on_call_no_cnil_no_complaint():
    obs = obligations(S11_SAMU_FIBRE_CUT)
    assert [ob["authority"] for ob in obs] == ["CERT Santé"]
    assert "astreinte" not in obs[0]["why"]


def test_s11_on_a_sunday_night_mentions_on_call():
    decl = {**S11_SAMU_FIBRE_CUT, "detected_at": "2026-11-29T23:15:00+01:00"}
    assert "astreinte" in obligation(decl, "CERT Santé")["why"]


def test_on_call_only_when_care_already_degraded():
    decl = {**S5_MISDIRECTED_LAB_EMAIL, "detected_at": "2026-11-29T23:15:00+01:00"}
    assert "astreinte" not in obligation(decl, "CERT Santé")["why"]


def test_s8_ose_obligations():
    assert authorities(S8_VPN_ACCOUNT_CHU) == ["CERT Santé", "ANSSI", "plainte"]


def test_s3_complaint_already_filed():
    assert authorities(S3_STOLEN_LAPTOP_HAD) == ["CERT Santé", "CNIL"]


def test_s15_no_complaint_when_origin_indeterminate():
    assert authorities(S15_SAAS_EDITOR_EHPAD) == ["CERT Santé", "CNIL"]


def test_biomedical_device_adds_ansm():
    decl = {
        "incident_type": "logiciel_malveillant",
        "affected_systems": ["biomedical"],
        "detected_at": "2026-11-24T10:00:00+01:00",
    }
    assert authorities(decl) == ["CERT Santé", "plainte", "ANSM"]
    assert "ANSM" in obligation(decl, "ANSM")["why"]


def test_blocked_phishing_obligations():
    assert authorities(BLOCKED_PHISHING) == ["CERT Santé", "plainte"]


def test_cnil_without_detection_date_has_no_deadline():
    decl = {**S5_MISDIRECTED_LAB_EMAIL, "detected_at": None}
    assert obligation(decl, "CNIL")["due_by"] is None
    assert format_obligation_fr(obligation(decl, "CNIL")).startswith("CNIL — ")


def test_cnil_deadline_is_72_real_hours_across_dst():
    decl = {**S5_MISDIRECTED_LAB_EMAIL, "detected_at": "2026-03-27T10:00:00+01:00"}
    assert obligation(decl, "CNIL")["due_by"] == "2026-03-30T11:00:00+02:00"


def test_detected_at_in_utc_is_read():
    decl = {**S5_MISDIRECTED_LAB_EMAIL, "detected_at": "2026-11-30T05:00:00Z"}
    assert obligation(decl, "CNIL")["due_by"] == "2026-12-03T06:00:00+01:00"


def test_format_without_deadline():
    line = format_obligation_fr(obligation(S1_RANSOMWARE_VIERZON, "plainte"))
    assert line.startswith("Plainte — Acte malveillant : déposez plainte")
    assert format_obligation_fr(obligations({})[0]) == f"CERT Santé et ARS — {CERT_DONE}"


# --- French dates and working hours -------------------------------------------


@pytest.mark.parametrize(
    "moment,expected",
    [
        (datetime(2026, 12, 3, 6, 0, tzinfo=PARIS), "jeudi 3 décembre 2026 à 6 h 00"),
        (datetime(2026, 2, 1, 14, 30, tzinfo=PARIS), "dimanche 1er février 2026 à 14 h 30"),
        (datetime(2026, 8, 15, 23, 5, tzinfo=PARIS), "samedi 15 août 2026 à 23 h 05"),
    ],
)
def test_format_datetime_fr(moment, expected):
    assert format_datetime_fr(moment) == expected


@pytest.mark.parametrize(
    "moment,expected",
    [
        (datetime(2026, 11, 26, 9, 0), True),  # Thursday 9:00
        (datetime(2026, 11, 26, 17, 59), True),
        (datetime(2026, 11, 26, 8, 59), False),
        (datetime(2026, 11, 26, 18, 0), False),
        (datetime(2026, 11, 28, 11, 0), False),  # Saturday
        (datetime(2026, 7, 14, 11, 0), False),  # Tuesday, Fête nationale
        (datetime(2026, 4, 6, 11, 0), False),  # Easter Monday
        (datetime(2026, 5, 14, 11, 0), False),  # Ascension
    ],
)
def test_is_working_hours(moment, expected):
    assert is_working_hours(moment.replace(tzinfo=PARIS)) is expected


def test_public_holidays_2026():
    holidays = french_public_holidays(2026)
    assert len(holidays) == 11
    assert datetime(2026, 5, 25).date() in holidays  # Whit Monday


def test_each_obligation_says_where_to_go_and_the_declaration_is_never_to_be_made_again():
    lines = [format_obligation_fr(ob) for ob in obligations(S1_RANSOMWARE_VIERZON)]
    assert "n'avez pas à la refaire sur le portail" in lines[0]
    assert "notifications.cnil.fr" in lines[1]
    assert "17cyber.gouv.fr" in lines[2]


def test_the_on_call_line_is_given_with_where_it_is_published_only_when_it_applies():
    night = {**S1_RANSOMWARE_VIERZON, "care_impact": "mode_degrade", "detected_at": "2026-11-26T03:00:00+01:00"}
    day = {**night, "detected_at": "2026-11-26T11:00:00+01:00"}
    assert cert_sentence(obligations(night)) == CERT_DONE + CERT_ON_CALL
    assert cert_sentence(obligations(night)).endswith("https://www.cyberveille-sante.gouv.fr.")
    assert "https://www.cyberveille-sante.gouv.fr" in cert_sentence(obligations(night))
    assert cert_sentence(obligations(day)) == CERT_DONE
    assert [ob["authority"] for ob in still_to_do(obligations(night))] == ["CNIL", "plainte"]
