"""Qualification (grave / significatif) and reminders of other obligations.

Pure Python, no Rasa import. ``decl`` is a dict that uses the field names and
enumeration values of the data contract (shared/spec/declaration.md); a
missing key or None means "unknown".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from bot.core import schema
from bot.core.french import format_datetime_fr
from bot.core.paris_time import PARIS, as_paris, parse_paris

ORIGINS = tuple(schema.ORIGINS)

CNIL_DELAY = timedelta(hours=72)
WORKDAY_START_HOUR, WORKDAY_END_HOUR = 9, 18

# --- reasons (French, shown to the user and stored) ----------------------

R_ENDANGER_POTENTIAL = "Des soins ont pu être mis en danger (mise en danger potentielle)."
R_ENDANGER_ACTUAL = "Un patient a subi un préjudice (mise en danger avérée)."
R_DEGRADED = "L'activité de la structure fonctionne en mode dégradé."
R_INTERRUPTION = "L'activité de la structure est interrompue (déprogrammation, transferts ou délestage)."
R_HEALTH_DATA = "Des données de santé sont atteintes dans leur {what}."
R_MALICIOUS = "Un acte malveillant a rendu des systèmes indisponibles ou a altéré ou fait perdre des données."
R_SPREAD = (
    "L'incident peut s'étendre à d'autres structures ou toucher l'organisation "
    "territoriale, régionale ou nationale des soins."
)
R_OSE = "La structure est opérateur de services essentiels (OSE)."
R_SAMU = "Le SI de régulation du SAMU est touché."
R_PROVIDER = "Un prestataire qui sert d'autres structures est en cause."
R_NEITHER = (
    "D'après les éléments connus, aucun critère de gravité ni de signification n'est "
    "rempli : la déclaration n'est pas obligatoire, mais elle reste recommandée en cas "
    "de doute. C'est vous qui décidez."
)
R_UNKNOWN = "Certains éléments sont encore inconnus ({fields}) : la qualification pourra évoluer."

_UNKNOWN_LABELS = {
    "care_impact": "impact sur l'activité",
    "patient_endangerment": "mise en danger des patients",
    "health_data_involved": "données de santé concernées",
}


def origin_for_type(incident_type: str | None) -> str:
    """Origin implied by the taxonomy: malveillante, non_malveillante or indeterminee."""
    return schema.INCIDENT_TYPE_ORIGIN.get(incident_type or "", "indeterminee")


def effective_origin(decl: dict) -> str:
    """The origin the user gave, otherwise the one implied by the incident type."""
    origin = decl.get("origin")
    if origin in ORIGINS:
        return origin
    return origin_for_type(decl.get("incident_type"))


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


# --- grave ---------------------------------------------------------------


def _endangerment_reasons(decl: dict) -> list[str]:
    level = decl.get("patient_endangerment")
    if level == "potentielle":
        return [R_ENDANGER_POTENTIAL]
    if level == "averee":
        return [R_ENDANGER_ACTUAL]
    return []


def _care_reasons(decl: dict) -> list[str]:
    impact = decl.get("care_impact")
    if impact == "mode_degrade":
        return [R_DEGRADED]
    if impact == "interruption":
        return [R_INTERRUPTION]
    return []


def _health_data_reasons(decl: dict) -> list[str]:
    if decl.get("health_data_involved") != "oui":
        return []
    impacts = _as_list(decl.get("data_impact"))
    parts = [
        label for key, label in (("confidentialite", "confidentialité"), ("integrite", "intégrité")) if key in impacts
    ]
    if not parts:
        return []
    return [R_HEALTH_DATA.format(what=" et leur ".join(parts))]


def _malicious_reasons(decl: dict) -> list[str]:
    if effective_origin(decl) != "malveillante":
        return []
    impacts = _as_list(decl.get("data_impact"))
    hit_data = "disponibilite" in impacts or "integrite" in impacts
    hit_care = decl.get("care_impact") in ("mode_degrade", "interruption")
    return [R_MALICIOUS] if hit_data or hit_care else []


def grave_reasons(decl: dict) -> list[str]:
    return _endangerment_reasons(decl) + _care_reasons(decl) + _health_data_reasons(decl) + _malicious_reasons(decl)


# --- significatif --------------------------------------------------------


def _provider_serves_others(decl: dict) -> bool:
    if decl.get("provider_involved") != "oui":
        return False
    return decl.get("spread_risk") == "oui" or decl.get("incident_type") == "defaillance_prestataire"


def significatif_reasons(decl: dict) -> list[str]:
    reasons = []
    if decl.get("spread_risk") == "oui":
        reasons.append(R_SPREAD)
    if decl.get("is_ose") == "oui":
        reasons.append(R_OSE)
    if "regulation_samu" in _as_list(decl.get("affected_systems")):
        reasons.append(R_SAMU)
    if _provider_serves_others(decl):
        reasons.append(R_PROVIDER)
    return reasons


def _unknown_reason(decl: dict) -> list[str]:
    missing = [label for key, label in _UNKNOWN_LABELS.items() if decl.get(key) in (None, "", "inconnu")]
    return [R_UNKNOWN.format(fields=", ".join(missing))] if missing else []


def qualify(decl: dict) -> dict:
    """{"grave": bool, "significatif": bool, "reasons": [French sentences]}."""
    grave = grave_reasons(decl)
    significatif = significatif_reasons(decl)
    reasons = grave + significatif
    if not reasons:
        reasons = [R_NEITHER] + _unknown_reason(decl)
    return {"grave": bool(grave), "significatif": bool(significatif), "reasons": reasons}


# --- time helpers --------------------------------------------------------


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month = (h + leap - 7 * m + 114) // 31
    day = (h + leap - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def french_public_holidays(year: int) -> set[date]:
    """National public holidays (metropolitan list)."""
    fixed = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
    easter = _easter(year)
    movable = {easter + timedelta(days=n) for n in (1, 39, 50)}  # lundi, Ascension, Pentecôte
    return {date(year, m, d) for m, d in fixed} | movable


def is_working_hours(moment: datetime) -> bool:
    """Monday-Friday 9:00-18:00 Paris time, public holidays excluded."""
    local = as_paris(moment)
    if local.weekday() >= 5 or local.date() in french_public_holidays(local.year):
        return False
    return WORKDAY_START_HOUR <= local.hour < WORKDAY_END_HOUR


# --- obligations ---------------------------------------------------------

WHY_CERT = (
    "Déclarez l'incident à CERT Santé (ANS) et à votre ARS sans délai, avec ce que vous "
    "savez maintenant ; vous compléterez la déclaration ensuite."
)
WHY_CERT_ON_CALL = (
    " Détecté hors des heures ouvrées de CERT Santé (9 h-18 h en semaine), cet incident "
    "impose déjà un fonctionnement dégradé : appelez aussi la ligne d'astreinte de CERT Santé."
)
WHY_CNIL = (
    "Violation de données personnelles (RGPD, art. 33) : notifiez la CNIL dans les 72 heures "
    "après en avoir pris connaissance, sauf si le risque pour les personnes est improbable ; "
    "votre DPO l'évalue et l'inscrit au registre des violations. Si le risque est élevé, "
    "informez aussi les personnes concernées (art. 34)."
)
WHY_ANSSI = (
    "Votre structure est opérateur de services essentiels : déclarez aussi l'incident à l'ANSSI, en plus de CERT Santé."
)
WHY_COMPLAINT = (
    "Acte malveillant : déposez plainte (police, gendarmerie ou 17Cyber) avant de "
    "réinstaller les machines, en conservant les preuves."
)
WHY_ANSM = "Un dispositif médical ou son logiciel est concerné : signalez-le aussi à l'ANSM (matériovigilance)."


def _cert_obligation(decl: dict, detected: datetime | None) -> dict:
    why = WHY_CERT
    degraded = decl.get("care_impact") in ("mode_degrade", "interruption")
    if degraded and detected is not None and not is_working_hours(detected):
        why += WHY_CERT_ON_CALL
    return {"authority": "CERT Santé", "due_by": None, "why": why}


def _cnil_applies(decl: dict) -> bool:
    if decl.get("cnil_notified") == "oui" or decl.get("health_data_involved") != "oui":
        return False
    impacts = set(_as_list(decl.get("data_impact")))
    return bool(impacts & {"confidentialite", "integrite", "disponibilite"})


def _cnil_obligation(detected: datetime | None) -> dict:
    if detected is None:
        return {"authority": "CNIL", "due_by": None, "why": WHY_CNIL}
    # Add real elapsed hours (in UTC): wall-clock arithmetic would be off across DST.
    due = (detected.astimezone(timezone.utc) + CNIL_DELAY).astimezone(PARIS)
    return {"authority": "CNIL", "due_by": due.isoformat(), "why": WHY_CNIL}


def obligations(decl: dict) -> list[dict]:
    """Reminders: CERT Santé always, then CNIL, ANSSI, plainte, ANSM when they apply."""
    detected = parse_paris(decl.get("detected_at"))
    result = [_cert_obligation(decl, detected)]
    if _cnil_applies(decl):
        result.append(_cnil_obligation(detected))
    if decl.get("is_ose") == "oui":
        result.append({"authority": "ANSSI", "due_by": None, "why": WHY_ANSSI})
    if effective_origin(decl) == "malveillante" and decl.get("complaint_filed") != "oui":
        result.append({"authority": "plainte", "due_by": None, "why": WHY_COMPLAINT})
    if "biomedical" in _as_list(decl.get("affected_systems")):
        result.append({"authority": "ANSM", "due_by": None, "why": WHY_ANSM})
    return result


# --- French formatting (no dependency on the system locale) --------------

AUTHORITY_LABELS = {"plainte": "Plainte"}
# The declaration to CERT Santé and the ARS is the one Vigie forwards: saying where else to make it
# would have people declare twice. The portal is the fallback when forwarding fails (actions/status.py).
CERT_DONE = (
    "Vigie transmet votre déclaration à CERT Santé et à votre ARS : vous n'avez pas à la refaire "
    "sur le portail de signalement."
)
# guidance.md gives no number for the on-call line: where it is published.
ON_CALL_PAGE = "https://www.cyberveille-sante.gouv.fr"
CERT_ON_CALL = (
    " L'incident impose déjà un fonctionnement dégradé hors des heures ouvrées de CERT Santé "
    "(9 h-18 h en semaine) : appelez aussi sa ligne d'astreinte, dont les coordonnées sont publiées "
    f"sur {ON_CALL_PAGE}."
)
PORTAL = (
    "le portail signalement-sante.gouv.fr, espace professionnel, « Cybersécurité / Incident de sécurité des "
    "systèmes d'information »"
)
# Where each other obligation is fulfilled (guidance.md, "Where" and "Sources").
WHERE = {
    "CNIL": "téléservice notifications.cnil.fr, avec votre DPO",
    "plainte": "commissariat, gendarmerie ou 17cyber.gouv.fr",
    "ANSSI": "CERT-FR, l'équipe de l'ANSSI : cert.ssi.gouv.fr",
    "ANSM": "matériovigilance sur signalement-sante.gouv.fr",
}


def cert_sentence(obligations_: list[dict]) -> str:
    """What the declaration to CERT Santé still asks of the person, once Vigie forwards it."""
    on_call = any(ob["authority"] == "CERT Santé" and WHY_CERT_ON_CALL in ob.get("why", "") for ob in obligations_)
    return CERT_DONE + (CERT_ON_CALL if on_call else "")


def still_to_do(obligations_: list[dict]) -> list[dict]:
    """The obligations besides the declaration Vigie forwards."""
    return [ob for ob in obligations_ if ob["authority"] != "CERT Santé"]


def format_obligation_fr(ob: dict) -> str:
    """One line for the user: "CNIL : avant le jeudi 3 décembre 2026 à 6 h 00 — ..."."""
    if ob["authority"] == "CERT Santé":
        return f"CERT Santé et ARS — {cert_sentence([ob])}"
    label = AUTHORITY_LABELS.get(ob["authority"], ob["authority"])
    due = parse_paris(ob.get("due_by"))
    where = f" Où : {WHERE[ob['authority']]}." if ob["authority"] in WHERE else ""
    if due is None:
        return f"{label} — {ob['why']}{where}"
    return f"{label} : avant le {format_datetime_fr(due)} — {ob['why']}{where}"
