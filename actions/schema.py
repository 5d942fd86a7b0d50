"""Data contract of a declaration (see shared/spec/declaration.md).

Identifiers are the spec's ASCII snake_case values; each enumeration maps a
value to the French label shown to users. Other modules (forms, storage, API,
exports) import these constants instead of repeating the lists.
"""

from typing import Dict, List

# --- Enumerations: value -> French label -----------------------------------

STRUCTURE_TYPES: Dict[str, str] = {
    "etablissement_sante_public": "Établissement de santé public",
    "etablissement_sante_prive": "Établissement de santé privé",
    "etablissement_sante_prive_non_lucratif": "Établissement de santé privé non lucratif (ESPIC)",
    "hopital_armees": "Hôpital d'instruction des armées",
    "laboratoire_biologie_medicale": "Laboratoire de biologie médicale",
    "centre_radiotherapie": "Centre de radiothérapie",
    "esms": "Établissement ou service médico-social (ESMS)",
    "autre": "Autre",
}

REGIONS: Dict[str, str] = {
    "auvergne_rhone_alpes": "Auvergne-Rhône-Alpes",
    "bourgogne_franche_comte": "Bourgogne-Franche-Comté",
    "bretagne": "Bretagne",
    "centre_val_de_loire": "Centre-Val de Loire",
    "corse": "Corse",
    "grand_est": "Grand Est",
    "hauts_de_france": "Hauts-de-France",
    "ile_de_france": "Île-de-France",
    "normandie": "Normandie",
    "nouvelle_aquitaine": "Nouvelle-Aquitaine",
    "occitanie": "Occitanie",
    "pays_de_la_loire": "Pays de la Loire",
    "provence_alpes_cote_d_azur": "Provence-Alpes-Côte d'Azur",
    "guadeloupe": "Guadeloupe",
    "guyane": "Guyane",
    "martinique": "Martinique",
    "la_reunion": "La Réunion",
    "mayotte": "Mayotte",
}

YES_NO_UNKNOWN: Dict[str, str] = {"oui": "Oui", "non": "Non", "inconnu": "Je ne sais pas"}
YES_NO: Dict[str, str] = {"oui": "Oui", "non": "Non"}
YES_NO_PLANNED: Dict[str, str] = {"oui": "Oui", "non": "Non", "prevue": "Prévue"}

MALICIOUS_INCIDENT_TYPES: Dict[str, str] = {
    "rancongiciel": "Rançongiciel (ransomware)",
    "compromission_si": "Compromission du système d'information (intrusion)",
    "compromission_compte": "Compromission de compte",
    "hameconnage": "Hameçonnage (phishing)",
    "fuite_donnees": "Fuite de données",
    "vol_perte_materiel": "Vol ou perte de matériel",
    "deni_de_service": "Déni de service (DDoS)",
    "defiguration": "Défiguration de site internet",
    "fraude_usurpation": "Fraude ou usurpation d'identité",
    "logiciel_malveillant": "Logiciel malveillant (virus, ver, cheval de Troie)",
    "acces_illegitime_interne": "Accès illégitime interne",
}

NON_MALICIOUS_INCIDENT_TYPES: Dict[str, str] = {
    "panne_materielle": "Panne matérielle",
    "dysfonctionnement_logiciel": "Dysfonctionnement logiciel",
    "defaillance_prestataire": "Défaillance d'un prestataire",
    "perte_lien_telecom": "Perte de lien télécom",
    "sinistre": "Sinistre (incendie, inondation, électricité, climatisation)",
    "erreur_humaine": "Erreur humaine",
}

INCIDENT_TYPES: Dict[str, str] = {
    **MALICIOUS_INCIDENT_TYPES,
    **NON_MALICIOUS_INCIDENT_TYPES,
    "autre": "Autre",
}

ORIGINS: Dict[str, str] = {
    "malveillante": "Malveillante",
    "non_malveillante": "Non malveillante",
    "indeterminee": "Indéterminée",
}

# Default origin implied by each incident type.
INCIDENT_TYPE_ORIGIN: Dict[str, str] = {
    **{key: "malveillante" for key in MALICIOUS_INCIDENT_TYPES},
    **{key: "non_malveillante" for key in NON_MALICIOUS_INCIDENT_TYPES},
    "autre": "indeterminee",
}

PERIMETERS: Dict[str, str] = {
    "poste": "Un poste de travail",
    "plusieurs_postes": "Plusieurs postes de travail",
    "serveur": "Un serveur",
    "plusieurs_serveurs": "Plusieurs serveurs",
    "ensemble_si": "L'ensemble du système d'information",
    "plusieurs_sites": "Plusieurs sites",
    "prestataire": "Un prestataire",
    "site_internet": "Le site internet",
}

AFFECTED_SYSTEMS: Dict[str, str] = {
    "dpi": "Dossier patient informatisé (DPI)",
    "pacs_ris": "Imagerie (PACS / RIS)",
    "laboratoire_sil": "Laboratoire (SIL)",
    "prescription_pharmacie": "Prescription et pharmacie",
    "messagerie": "Messagerie",
    "annuaire_ad": "Annuaire (Active Directory)",
    "acces_distant_vpn": "Accès distant (VPN)",
    "telephonie": "Téléphonie",
    "reseau_telecom": "Réseau et télécoms",
    "site_internet": "Site internet",
    "gestion_administrative": "Gestion administrative des patients",
    "rh_paie": "Ressources humaines et paie",
    "biomedical": "Équipements biomédicaux",
    "regulation_samu": "Régulation SAMU",
    "serveurs_infrastructure": "Serveurs et infrastructure",
    "sauvegardes": "Sauvegardes",
    "poste_de_travail": "Postes de travail",
    "autre": "Autre",
}

HANDLING_STATUSES: Dict[str, str] = {
    "en_cours": "En cours de traitement",
    "maitrise": "Maîtrisé",
    "resolu": "Résolu",
}

CARE_IMPACT: Dict[str, str] = {
    "aucun": "Aucun",
    "mode_degrade": "Mode dégradé",
    "interruption": "Interruption d'activité",
}

PATIENT_ENDANGERMENT: Dict[str, str] = {
    "aucune": "Aucune",
    "potentielle": "Potentielle",
    "averee": "Avérée",
}

DATA_IMPACT: Dict[str, str] = {
    "disponibilite": "Disponibilité",
    "integrite": "Intégrité",
    "confidentialite": "Confidentialité",
}

STATUSES: Dict[str, str] = {
    "brouillon": "Brouillon",
    "soumise": "Soumise",
    "transmise": "Transmise",
    "completee": "Complétée",
}

CHANNELS: Dict[str, str] = {
    "web": "Web",
    "slack": "Slack",
    "teams": "Teams",
    "rest": "API REST",
    "shell": "Terminal",
}

AUTHORITIES: Dict[str, str] = {
    "CNIL": "CNIL",
    "ANSSI": "ANSSI",
    "plainte": "Dépôt de plainte",
    "ANSM": "ANSM",
    "CERT Santé": "CERT Santé",
}

# --- Fields ------------------------------------------------------------------

# Fields collected from the declarant, in the spec's order (blocks A to E).
FIELDS: List[str] = [
    # A. Structure
    "structure_name",
    "finess",
    "structure_type",
    "region",
    "is_ose",
    # B. Declarant
    "declarant_name",
    "declarant_role",
    "declarant_email",
    "declarant_phone",
    # C. Incident
    "detected_at",
    "started_at",
    "incident_type",
    "origin",
    "description",
    "perimeter",
    "affected_systems",
    "provider_involved",
    "handling_status",
    "measures_taken",
    # D. Impacts
    "care_impact",
    "patient_endangerment",
    "data_impact",
    "health_data_involved",
    "persons_affected",
    "spread_risk",
    # E. Cause and follow-up
    "cause",
    "support_requested",
    "complaint_filed",
    "cnil_notified",
]

# Fields computed by the system, never asked, in the spec's order.
COMPUTED_FIELDS: List[str] = [
    "reference",
    "qualification",
    "obligations",
    "status",
    "channel",
    "created_at",
    "submitted_at",
    "updated_at",
    "pii_masked",
]

REQUIRED_FIELDS: List[str] = [
    "structure_name",
    "structure_type",
    "declarant_name",
    "declarant_role",
    "declarant_email",
    "declarant_phone",
    "detected_at",
    "incident_type",
    "description",
    "care_impact",
    "patient_endangerment",
    "health_data_involved",
    "support_requested",
]

# Single-valued enumerated fields -> allowed values.
ENUM_FIELDS: Dict[str, Dict[str, str]] = {
    "structure_type": STRUCTURE_TYPES,
    "region": REGIONS,
    "is_ose": YES_NO_UNKNOWN,
    "incident_type": INCIDENT_TYPES,
    "origin": ORIGINS,
    "perimeter": PERIMETERS,
    "provider_involved": YES_NO_UNKNOWN,
    "handling_status": HANDLING_STATUSES,
    "care_impact": CARE_IMPACT,
    "patient_endangerment": PATIENT_ENDANGERMENT,
    "health_data_involved": YES_NO_UNKNOWN,
    "spread_risk": YES_NO_UNKNOWN,
    "support_requested": YES_NO,
    "complaint_filed": YES_NO_PLANNED,
    "cnil_notified": YES_NO_PLANNED,
}

# Multi-valued enumerated fields (stored as JSON lists) -> allowed values.
LIST_FIELDS: Dict[str, Dict[str, str]] = {
    "affected_systems": AFFECTED_SYSTEMS,
    "data_impact": DATA_IMPACT,
}

DATETIME_FIELDS: List[str] = ["detected_at", "started_at"]
INTEGER_FIELDS: List[str] = ["persons_affected"]
TEXT_FIELDS: List[str] = [
    name
    for name in FIELDS
    if name not in ENUM_FIELDS
    and name not in LIST_FIELDS
    and name not in DATETIME_FIELDS
    and name not in INTEGER_FIELDS
]

DESCRIPTION_MAX_LENGTH = 2000
FINESS_LENGTH = 9

# Field name -> French label, for summaries and error messages.
FIELD_LABELS: Dict[str, str] = {
    "structure_name": "Nom de la structure",
    "finess": "Numéro FINESS",
    "structure_type": "Type de structure",
    "region": "Région",
    "is_ose": "Opérateur de services essentiels (OSE)",
    "declarant_name": "Nom du déclarant",
    "declarant_role": "Fonction du déclarant",
    "declarant_email": "Adresse e-mail du déclarant",
    "declarant_phone": "Téléphone du déclarant",
    "detected_at": "Date de détection",
    "started_at": "Date de début de l'incident",
    "incident_type": "Type d'incident",
    "origin": "Origine",
    "description": "Description",
    "perimeter": "Périmètre touché",
    "affected_systems": "Systèmes touchés",
    "provider_involved": "Prestataire impliqué",
    "handling_status": "État de la prise en charge",
    "measures_taken": "Mesures prises",
    "care_impact": "Impact sur l'activité",
    "patient_endangerment": "Mise en danger de patients",
    "data_impact": "Impact sur les données",
    "health_data_involved": "Données de santé concernées",
    "persons_affected": "Nombre de personnes concernées",
    "spread_risk": "Risque de propagation",
    "cause": "Cause",
    "support_requested": "Accompagnement du CERT Santé demandé",
    "complaint_filed": "Plainte déposée",
    "cnil_notified": "Notification à la CNIL",
    "reference": "Référence",
    "qualification": "Qualification",
    "obligations": "Obligations",
    "status": "Statut",
    "channel": "Canal",
    "created_at": "Créée le",
    "submitted_at": "Soumise le",
    "updated_at": "Mise à jour le",
    "pii_masked": "Identifiants masqués",
}
