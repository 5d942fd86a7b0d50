"""The field registry: one entry per field of a declaration (shared/spec/declaration.md).

Everything the code needs to know about a field lives in its entry: its type and
allowed values (``str`` enums whose values are the spec's strings, so JSON is
unchanged), French label, blocks, whether it is required, how an answer to its
question is read, its normaliser, whether the form asks it, whether a
completion reopens it. The form, the summary, storage, the API, the admin
pages and the domain check (``tests/unit/test_domain_registry.py``) read it
from here.

Adding a field: one entry in ``REGISTRY``, one migration, training examples;
the domain test then says which slot, response or action is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Mapping, Optional, Tuple, Type, TypeVar

from bot.core import names
from bot.core.validators import normalize_email, normalize_finess, normalize_phone, parse_count

# The value of a field the declarant does not know (spec: every enumeration accepts it); it is
# listed in `unknown_fields` when the field is required, to be completed later.
UNKNOWN = "inconnu"
UNKNOWN_LABEL = "Inconnu, à compléter"


C = TypeVar("C", bound="Choice")


class Choice(str, Enum):
    """A value of the spec; ``str`` so that it compares and serialises as the spec's string."""

    label: str

    def __new__(cls, value: str, label: str) -> "Choice":
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def of(cls: Type[C], value: str) -> C:
        """The member whose value is ``value`` (ValueError otherwise)."""
        return cls(value)  # type: ignore[call-arg]  # Enum's lookup by value, not __new__

    @classmethod
    def labels(cls) -> Dict[str, str]:
        """Value -> French label, in the spec's order."""
        return {member.value: member.label for member in cls}


class StructureType(Choice):
    ETABLISSEMENT_SANTE_PUBLIC = ("etablissement_sante_public", "Établissement de santé public")
    ETABLISSEMENT_SANTE_PRIVE = ("etablissement_sante_prive", "Établissement de santé privé")
    ETABLISSEMENT_SANTE_PRIVE_NON_LUCRATIF = (
        "etablissement_sante_prive_non_lucratif",
        "Établissement de santé privé non lucratif (ESPIC)",
    )
    HOPITAL_ARMEES = ("hopital_armees", "Hôpital d'instruction des armées")
    LABORATOIRE_BIOLOGIE_MEDICALE = ("laboratoire_biologie_medicale", "Laboratoire de biologie médicale")
    CENTRE_RADIOTHERAPIE = ("centre_radiotherapie", "Centre de radiothérapie")
    ESMS = ("esms", "Établissement ou service médico-social (ESMS)")
    AUTRE = ("autre", "Autre")
    INCONNU = ("inconnu", UNKNOWN_LABEL)


class Region(Choice):
    AUVERGNE_RHONE_ALPES = ("auvergne_rhone_alpes", "Auvergne-Rhône-Alpes")
    BOURGOGNE_FRANCHE_COMTE = ("bourgogne_franche_comte", "Bourgogne-Franche-Comté")
    BRETAGNE = ("bretagne", "Bretagne")
    CENTRE_VAL_DE_LOIRE = ("centre_val_de_loire", "Centre-Val de Loire")
    CORSE = ("corse", "Corse")
    GRAND_EST = ("grand_est", "Grand Est")
    HAUTS_DE_FRANCE = ("hauts_de_france", "Hauts-de-France")
    ILE_DE_FRANCE = ("ile_de_france", "Île-de-France")
    NORMANDIE = ("normandie", "Normandie")
    NOUVELLE_AQUITAINE = ("nouvelle_aquitaine", "Nouvelle-Aquitaine")
    OCCITANIE = ("occitanie", "Occitanie")
    PAYS_DE_LA_LOIRE = ("pays_de_la_loire", "Pays de la Loire")
    PROVENCE_ALPES_COTE_D_AZUR = ("provence_alpes_cote_d_azur", "Provence-Alpes-Côte d'Azur")
    GUADELOUPE = ("guadeloupe", "Guadeloupe")
    GUYANE = ("guyane", "Guyane")
    MARTINIQUE = ("martinique", "Martinique")
    LA_REUNION = ("la_reunion", "La Réunion")
    MAYOTTE = ("mayotte", "Mayotte")
    INCONNU = ("inconnu", UNKNOWN_LABEL)


class YesNoUnknown(Choice):
    OUI = ("oui", "Oui")
    NON = ("non", "Non")
    INCONNU = ("inconnu", "Je ne sais pas")


class YesNo(Choice):
    OUI = ("oui", "Oui")
    NON = ("non", "Non")
    INCONNU = ("inconnu", UNKNOWN_LABEL)


class YesNoPlanned(Choice):
    OUI = ("oui", "Oui")
    NON = ("non", "Non")
    PREVUE = ("prevue", "Prévue")
    INCONNU = ("inconnu", UNKNOWN_LABEL)


class Origin(Choice):
    MALVEILLANTE = ("malveillante", "Malveillante")
    NON_MALVEILLANTE = ("non_malveillante", "Non malveillante")
    INDETERMINEE = ("indeterminee", "Indéterminée")


class DataImpact(Choice):
    DISPONIBILITE = ("disponibilite", "Disponibilité")
    INTEGRITE = ("integrite", "Intégrité")
    CONFIDENTIALITE = ("confidentialite", "Confidentialité")


_AVAILABILITY = frozenset({DataImpact.DISPONIBILITE})
_CONFIDENTIALITY = frozenset({DataImpact.CONFIDENTIALITE})
_NO_DATA: FrozenSet[DataImpact] = frozenset()


class IncidentType(Choice):
    """The spec's taxonomy, with what each type implies: its ``origin``; what it does to data by
    its definition (``data_impact``: None when it depends, empty when nothing: a phishing e-mail no
    one answered); whether it touches health data (``health_data``: None when it depends)."""

    origin: Origin
    data_impact: Optional[FrozenSet[DataImpact]]
    health_data: Optional[YesNoUnknown]

    def __new__(
        cls,
        value: str,
        label: str,
        origin: Origin = Origin.INDETERMINEE,
        data_impact: Optional[FrozenSet[DataImpact]] = None,
        health_data: Optional[YesNoUnknown] = None,
    ) -> "IncidentType":
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.origin = origin
        member.data_impact = data_impact
        member.health_data = health_data
        return member

    RANCONGICIEL = ("rancongiciel", "Rançongiciel (ransomware)", Origin.MALVEILLANTE, _AVAILABILITY)
    COMPROMISSION_SI = ("compromission_si", "Compromission du système d'information (intrusion)", Origin.MALVEILLANTE)
    COMPROMISSION_COMPTE = ("compromission_compte", "Compromission de compte", Origin.MALVEILLANTE)
    HAMECONNAGE = ("hameconnage", "Hameçonnage (phishing)", Origin.MALVEILLANTE, _NO_DATA, YesNoUnknown.NON)
    FUITE_DONNEES = ("fuite_donnees", "Fuite de données", Origin.MALVEILLANTE, _CONFIDENTIALITY)
    VOL_PERTE_MATERIEL = ("vol_perte_materiel", "Vol ou perte de matériel", Origin.MALVEILLANTE, _CONFIDENTIALITY)
    DENI_DE_SERVICE = (
        "deni_de_service",
        "Déni de service (DDoS)",
        Origin.MALVEILLANTE,
        _AVAILABILITY,
        YesNoUnknown.NON,
    )
    DEFIGURATION = (
        "defiguration",
        "Défiguration de site internet",
        Origin.MALVEILLANTE,
        frozenset({DataImpact.INTEGRITE}),
        YesNoUnknown.NON,
    )
    FRAUDE_USURPATION = ("fraude_usurpation", "Fraude ou usurpation d'identité", Origin.MALVEILLANTE, _NO_DATA)
    LOGICIEL_MALVEILLANT = (
        "logiciel_malveillant",
        "Logiciel malveillant (virus, ver, cheval de Troie)",
        Origin.MALVEILLANTE,
    )
    ACCES_ILLEGITIME_INTERNE = (
        "acces_illegitime_interne",
        "Accès illégitime interne",
        Origin.MALVEILLANTE,
        _CONFIDENTIALITY,
        YesNoUnknown.OUI,  # records read without reason
    )
    PANNE_MATERIELLE = ("panne_materielle", "Panne matérielle", Origin.NON_MALVEILLANTE, _AVAILABILITY)
    DYSFONCTIONNEMENT_LOGICIEL = ("dysfonctionnement_logiciel", "Dysfonctionnement logiciel", Origin.NON_MALVEILLANTE)
    DEFAILLANCE_PRESTATAIRE = (
        "defaillance_prestataire",
        "Défaillance d'un prestataire",
        Origin.NON_MALVEILLANTE,
        _AVAILABILITY,
    )
    PERTE_LIEN_TELECOM = (
        "perte_lien_telecom",
        "Perte de lien télécom",
        Origin.NON_MALVEILLANTE,
        _AVAILABILITY,
        YesNoUnknown.NON,
    )
    SINISTRE = ("sinistre", "Sinistre (incendie, inondation, électricité, climatisation)", Origin.NON_MALVEILLANTE)
    ERREUR_HUMAINE = ("erreur_humaine", "Erreur humaine", Origin.NON_MALVEILLANTE)
    AUTRE = ("autre", "Autre", Origin.INDETERMINEE)


class Perimeter(Choice):
    POSTE = ("poste", "Un poste de travail")
    PLUSIEURS_POSTES = ("plusieurs_postes", "Plusieurs postes de travail")
    SERVEUR = ("serveur", "Un serveur")
    PLUSIEURS_SERVEURS = ("plusieurs_serveurs", "Plusieurs serveurs")
    ENSEMBLE_SI = ("ensemble_si", "L'ensemble du système d'information")
    PLUSIEURS_SITES = ("plusieurs_sites", "Plusieurs sites")
    PRESTATAIRE = ("prestataire", "Un prestataire")
    SITE_INTERNET = ("site_internet", "Le site internet")
    INCONNU = ("inconnu", UNKNOWN_LABEL)


class AffectedSystem(Choice):
    DPI = ("dpi", "Dossier patient informatisé (DPI)")
    PACS_RIS = ("pacs_ris", "Imagerie (PACS / RIS)")
    LABORATOIRE_SIL = ("laboratoire_sil", "Laboratoire (SIL)")
    PRESCRIPTION_PHARMACIE = ("prescription_pharmacie", "Prescription et pharmacie")
    MESSAGERIE = ("messagerie", "Messagerie")
    ANNUAIRE_AD = ("annuaire_ad", "Annuaire (Active Directory)")
    ACCES_DISTANT_VPN = ("acces_distant_vpn", "Accès distant (VPN)")
    TELEPHONIE = ("telephonie", "Téléphonie")
    RESEAU_TELECOM = ("reseau_telecom", "Réseau et télécoms")
    SITE_INTERNET = ("site_internet", "Site internet")
    GESTION_ADMINISTRATIVE = ("gestion_administrative", "Gestion administrative des patients")
    RH_PAIE = ("rh_paie", "Ressources humaines et paie")
    BIOMEDICAL = ("biomedical", "Équipements biomédicaux")
    REGULATION_SAMU = ("regulation_samu", "Régulation SAMU")
    SERVEURS_INFRASTRUCTURE = ("serveurs_infrastructure", "Serveurs et infrastructure")
    SAUVEGARDES = ("sauvegardes", "Sauvegardes")
    POSTE_DE_TRAVAIL = ("poste_de_travail", "Postes de travail")
    AUTRE = ("autre", "Autre")


class HandlingStatus(Choice):
    EN_COURS = ("en_cours", "En cours de traitement")
    MAITRISE = ("maitrise", "Maîtrisé")
    RESOLU = ("resolu", "Résolu")
    INCONNU = ("inconnu", UNKNOWN_LABEL)


class CareImpact(Choice):
    AUCUN = ("aucun", "Aucun")
    MODE_DEGRADE = ("mode_degrade", "Mode dégradé")
    INTERRUPTION = ("interruption", "Interruption d'activité")
    INCONNU = ("inconnu", UNKNOWN_LABEL)


class PatientEndangerment(Choice):
    AUCUNE = ("aucune", "Aucune")
    POTENTIELLE = ("potentielle", "Potentielle")
    AVEREE = ("averee", "Avérée")
    INCONNU = ("inconnu", UNKNOWN_LABEL)


class Status(Choice):
    BROUILLON = ("brouillon", "Brouillon")
    SOUMISE = ("soumise", "Soumise")
    TRANSMISE = ("transmise", "Transmise")
    COMPLETEE = ("completee", "Complétée")


class Channel(Choice):
    WEB = ("web", "Page web de Vigie")
    SLACK = ("slack", "Slack")
    TEAMS = ("teams", "Teams")
    REST = ("rest", "API REST")
    SHELL = ("shell", "Terminal")


class Authority(Choice):
    CNIL = ("CNIL", "CNIL")
    ANSSI = ("ANSSI", "ANSSI")
    PLAINTE = ("plainte", "Dépôt de plainte")
    ANSM = ("ANSM", "ANSM")
    CERT_SANTE = ("CERT Santé", "CERT Santé")


# Plain words for the values whose label is a technical term, shown beside it to the declarant
# (the summary, acknowledgements): "Intégrité (données modifiées, chiffrées ou effacées)".
PLAIN_WORDS: Dict[str, Dict[str, str]] = {
    "care_impact": {
        "mode_degrade": "procédures papier ou de secours",
        "interruption": "déprogrammations, transferts",
    },
    "patient_endangerment": {
        "potentielle": "des soins auraient pu être affectés",
        "averee": "un patient a subi un dommage",
    },
    "data_impact": {
        "disponibilite": "données ou services inaccessibles",
        "integrite": "données modifiées, chiffrées ou effacées",
        "confidentialite": "données vues ou copiées par des tiers",
    },
    "origin": {"indeterminee": "on ne sait pas encore si c'est un acte malveillant"},
}


class Qualification(str, Enum):
    GRAVE = "grave"
    SIGNIFICATIF = "significatif"
    NON_REQUIS = "non_requis"


# --- What a field is ---------------------------------------------------------------


class Kind(Enum):
    TEXT = "text"
    CHOICE = "choice"  # one value of ``choices``
    CHOICES = "choices"  # a list of values of ``choices``
    DATETIME = "datetime"  # ISO 8601, Europe/Paris
    INTEGER = "integer"


class SpecBlock(Enum):
    """The blocks of the spec (A to E) and of the official form."""

    STRUCTURE = "A. Structure"
    DECLARANT = "B. Déclarant"
    INCIDENT = "C. Incident"
    IMPACTS = "D. Impacts"
    FOLLOW_UP = "E. Causes et suites"


class SummaryBlock(Enum):
    """The blocks of the summary read in the chat, in their order."""

    INCIDENT = "L'incident"
    IMPACTS = "Les impacts"
    STRUCTURE = "La structure"
    DECLARANT = "Le déclarant"
    FOLLOW_UP = "Suites"


class Reading(Enum):
    """How an answer to the field's question is read when no entity carries it."""

    CHOICE = "choice"  # a button, a label, yes/no, "je ne sais pas"
    FREE_TEXT = "free_text"  # the message itself (a name, a description)
    TEXT_ONLY = "text_only"  # the message itself, and its words are no facts about the incident
    RAW_TEXT = "raw_text"  # the message itself, for the normaliser to say what is wrong with it
    DATE = "date"  # a date entity


Slots = Mapping[str, Any]


def always(slots: Slots) -> bool:
    return True


@dataclass(frozen=True)
class Field:
    """Everything about one field of the spec."""

    name: str
    label: str
    block: SpecBlock
    kind: Kind
    summary: SummaryBlock
    reading: Reading
    # Position within its summary block.
    summary_rank: int = 0
    choices: Optional[Type[Choice]] = None
    required: bool = False
    # Position in the declaration form's questions, and when it is asked (None: never asked there).
    ask_rank: Optional[int] = None
    asked_when: Callable[[Slots], bool] = always
    # The value that follows from other fields when the person gave none (None: nothing follows).
    follows: Optional[Callable[[Slots], Optional[str]]] = None
    # "Je ne sais pas" to its question skips it (fields without an `inconnu` value).
    skippable: bool = False
    # What "je ne sais pas" stores when the choices have no `inconnu` (None: nothing, listed as unknown).
    not_known: Optional[str] = None
    # Position among the questions of "mon incident est-il grave ?" (None: not asked there).
    seriousness_rank: Optional[int] = None
    # Position among the questions a completion may reopen (None: never reopened); required
    # fields sent as unknown come first.
    completion_rank: Optional[int] = None
    # Has an `utter_explain_<name>` response, said after two failed answers.
    explained: bool = False
    # Repeated in "J'ai noté" acknowledgements (long texts the user just typed are not).
    acknowledged: bool = True
    # Free text in which patient identifiers are masked.
    masked: bool = False
    # Turns what the user typed into the stored value; raises InvalidValue with a French message.
    normalise: Optional[Callable[[Any], Any]] = None
    max_length: Optional[int] = None
    # Database column (migrations define it; bot/core/models.py builds it from here):
    # VARCHAR of this length (choices: 16 unless said), else TEXT; indexed for the list filters.
    column_length: Optional[int] = None
    indexed: bool = False

    @property
    def values(self) -> Dict[str, str]:
        """Allowed value -> French label (empty for fields without choices)."""
        return self.choices.labels() if self.choices else {}

    @property
    def ask_action(self) -> str:
        return f"action_ask_{self.name}"

    @property
    def ask_response(self) -> str:
        return f"utter_ask_{self.name}"

    @property
    def explain_response(self) -> str:
        return f"utter_explain_{self.name}" if self.explained else "utter_explain_generic"


def _public_or_unknown(slots: Slots) -> bool:
    return slots.get("structure_type") in (StructureType.ETABLISSEMENT_SANTE_PUBLIC, None)


def _not_ose(slots: Slots) -> Optional[str]:
    """Only public health establishments are designated OSE (the GHT support hospitals, the spec):
    for any other known type of structure, the question is not asked and the answer is no."""
    return None if _public_or_unknown(slots) else YesNoUnknown.NON.value


def _malicious(slots: Slots) -> bool:
    return slots.get("origin") == Origin.MALVEILLANTE


def _health_data(slots: Slots) -> bool:
    return slots.get("health_data_involved") == YesNoUnknown.OUI


def _personal_data(slots: Slots) -> bool:
    return _health_data(slots) or DataImpact.CONFIDENTIALITE in (slots.get("data_impact") or [])


DESCRIPTION_MAX_LENGTH = 2000
FINESS_LENGTH = 9

_S, _B, _C, _D, _E = SpecBlock
_SUMMARY = SummaryBlock

# In the spec's order (blocks A to E).
REGISTRY: Tuple[Field, ...] = (
    # A. Structure
    Field(
        "structure_name",
        "Nom de la structure",
        _S,
        Kind.TEXT,
        _SUMMARY.STRUCTURE,
        Reading.FREE_TEXT,
        summary_rank=1,
        required=True,
        ask_rank=70,
        normalise=names.clean_structure_name,
        completion_rank=-7,
    ),
    Field(
        "finess",
        "Numéro FINESS",
        _S,
        Kind.TEXT,
        _SUMMARY.STRUCTURE,
        Reading.RAW_TEXT,
        summary_rank=3,
        skippable=True,  # a number typed anywhere (the region question invites it) is read and looked up
        completion_rank=14,
        explained=True,
        normalise=normalize_finess,
        column_length=9,
    ),
    Field(
        "structure_type",
        "Type de structure",
        _S,
        Kind.CHOICE,
        _SUMMARY.STRUCTURE,
        Reading.CHOICE,
        summary_rank=2,
        choices=StructureType,
        required=True,
        ask_rank=80,
        column_length=64,
        indexed=True,
        completion_rank=-6,
    ),
    Field(
        "region",
        "Région",
        _S,
        Kind.CHOICE,
        _SUMMARY.STRUCTURE,
        Reading.CHOICE,
        summary_rank=4,
        choices=Region,
        ask_rank=85,  # asked only when neither the register nor the FINESS number gave it
        skippable=True,
        explained=True,
        acknowledged=False,
        column_length=64,
        indexed=True,
    ),
    Field(
        "is_ose",
        "Opérateur de services essentiels (OSE)",
        _S,
        Kind.CHOICE,
        _SUMMARY.STRUCTURE,
        Reading.CHOICE,
        summary_rank=5,
        choices=YesNoUnknown,
        asked_when=_public_or_unknown,
        follows=_not_ose,
        skippable=True,
        explained=True,  # "qu'est-ce que ça veut dire ?": the term is explained, then asked again
        completion_rank=2,
    ),
    # B. Declarant
    Field(
        "declarant_name",
        "Nom du déclarant",
        _B,
        Kind.TEXT,
        _SUMMARY.DECLARANT,
        Reading.FREE_TEXT,
        summary_rank=1,
        required=True,
        ask_rank=110,
        explained=True,
        normalise=names.clean_person_name,
        completion_rank=-5,
    ),
    Field(
        "declarant_role",
        "Fonction du déclarant",
        _B,
        Kind.TEXT,
        _SUMMARY.DECLARANT,
        Reading.FREE_TEXT,
        summary_rank=2,
        required=True,
        ask_rank=120,
        normalise=names.clean_short_text,
        completion_rank=-4,
    ),
    Field(
        "declarant_email",
        "Adresse e-mail du déclarant",
        _B,
        Kind.TEXT,
        _SUMMARY.DECLARANT,
        Reading.RAW_TEXT,
        summary_rank=3,
        required=True,
        ask_rank=130,
        explained=True,
        normalise=normalize_email,
        completion_rank=-3,
    ),
    Field(
        "declarant_phone",
        "Téléphone du déclarant",
        _B,
        Kind.TEXT,
        _SUMMARY.DECLARANT,
        Reading.RAW_TEXT,
        summary_rank=4,
        required=True,
        ask_rank=140,
        explained=True,
        normalise=normalize_phone,
        column_length=32,
        completion_rank=-2,
    ),
    # C. Incident
    Field(
        "detected_at",
        "Date de détection",
        _C,
        Kind.DATETIME,
        _SUMMARY.INCIDENT,
        Reading.DATE,
        summary_rank=3,
        required=True,
        ask_rank=30,
        explained=True,
        completion_rank=-11,
    ),
    Field(
        "started_at",
        "Date de début de l'incident",
        _C,
        Kind.DATETIME,
        _SUMMARY.INCIDENT,
        Reading.DATE,
        summary_rank=4,
        completion_rank=11,
        explained=True,
    ),
    Field(
        "incident_type",
        "Type d'incident",
        _C,
        Kind.CHOICE,
        _SUMMARY.INCIDENT,
        Reading.CHOICE,
        summary_rank=1,
        choices=IncidentType,
        required=True,
        not_known="autre",  # the type stays "autre" until CERT Santé qualifies it
        ask_rank=20,
        column_length=64,
        indexed=True,
        seriousness_rank=1,
        completion_rank=-12,
    ),
    Field(
        "origin",
        "Origine",
        _C,
        Kind.CHOICE,
        _SUMMARY.INCIDENT,
        Reading.CHOICE,
        summary_rank=2,
        choices=Origin,
        acknowledged=False,
        column_length=32,
    ),
    Field(
        "description",
        "Description",
        _C,
        Kind.TEXT,
        _SUMMARY.INCIDENT,
        Reading.FREE_TEXT,
        summary_rank=5,
        required=True,
        ask_rank=10,
        explained=True,
        acknowledged=False,
        masked=True,
        max_length=DESCRIPTION_MAX_LENGTH,
    ),
    Field(
        "perimeter",
        "Périmètre touché",
        _C,
        Kind.CHOICE,
        _SUMMARY.INCIDENT,
        Reading.CHOICE,
        summary_rank=7,
        choices=Perimeter,
        completion_rank=9,
        column_length=32,
    ),
    Field(
        "affected_systems",
        "Systèmes touchés",
        _C,
        Kind.CHOICES,
        _SUMMARY.INCIDENT,
        Reading.CHOICE,
        summary_rank=6,
        choices=AffectedSystem,
        completion_rank=10,
    ),
    Field(
        "provider_involved",
        "Prestataire impliqué",
        _C,
        Kind.CHOICE,
        _SUMMARY.INCIDENT,
        Reading.CHOICE,
        summary_rank=8,
        choices=YesNoUnknown,
        completion_rank=4,
    ),
    Field(
        "handling_status",
        "État de la prise en charge",
        _C,
        Kind.CHOICE,
        _SUMMARY.INCIDENT,
        Reading.CHOICE,
        summary_rank=9,
        choices=HandlingStatus,
        completion_rank=1,
    ),
    Field(
        "measures_taken",
        "Mesures prises",
        _C,
        Kind.TEXT,
        _SUMMARY.INCIDENT,
        Reading.TEXT_ONLY,
        summary_rank=10,
        completion_rank=12,
        acknowledged=False,
        masked=True,
    ),
    # D. Impacts
    Field(
        "care_impact",
        "Impact sur l'activité",
        _D,
        Kind.CHOICE,
        _SUMMARY.IMPACTS,
        Reading.CHOICE,
        summary_rank=1,
        choices=CareImpact,
        required=True,
        ask_rank=40,
        seriousness_rank=2,
        completion_rank=-10,
    ),
    Field(
        "patient_endangerment",
        "Mise en danger de patients",
        _D,
        Kind.CHOICE,
        _SUMMARY.IMPACTS,
        Reading.CHOICE,
        summary_rank=2,
        choices=PatientEndangerment,
        required=True,
        ask_rank=50,
        seriousness_rank=3,
        completion_rank=-9,
    ),
    Field(
        "data_impact",
        "Impact sur les données",
        _D,
        Kind.CHOICES,
        _SUMMARY.IMPACTS,
        Reading.CHOICE,
        summary_rank=4,
        choices=DataImpact,
        completion_rank=6,
    ),
    Field(
        "health_data_involved",
        "Données de santé concernées",
        _D,
        Kind.CHOICE,
        _SUMMARY.IMPACTS,
        Reading.CHOICE,
        summary_rank=3,
        choices=YesNoUnknown,
        required=True,
        ask_rank=60,
        completion_rank=-8,
        seriousness_rank=4,
    ),
    Field(
        "persons_affected",
        "Nombre de personnes concernées",
        _D,
        Kind.INTEGER,
        _SUMMARY.IMPACTS,
        Reading.RAW_TEXT,
        summary_rank=5,
        skippable=True,  # the CNIL and the official form need it
        completion_rank=5,
        explained=True,
        normalise=lambda v: v if isinstance(v, int) else parse_count(str(v)),
    ),
    Field(
        "spread_risk",
        "Risque de propagation",
        _D,
        Kind.CHOICE,
        _SUMMARY.IMPACTS,
        Reading.CHOICE,
        summary_rank=6,
        choices=YesNoUnknown,
        completion_rank=3,
        seriousness_rank=5,
    ),
    # E. Cause and follow-up
    Field(
        "cause",
        "Cause",
        _E,
        Kind.TEXT,
        _SUMMARY.INCIDENT,
        Reading.TEXT_ONLY,
        summary_rank=11,
        completion_rank=13,
        acknowledged=False,
        masked=True,
    ),
    Field(
        "support_requested",
        "Accompagnement du CERT Santé demandé",
        _E,
        Kind.CHOICE,
        _SUMMARY.FOLLOW_UP,
        Reading.CHOICE,
        summary_rank=1,
        choices=YesNo,
        required=True,
        ask_rank=150,
        completion_rank=-1,
    ),
    Field(
        "complaint_filed",
        "Plainte déposée",
        _E,
        Kind.CHOICE,
        _SUMMARY.FOLLOW_UP,
        Reading.CHOICE,
        summary_rank=2,
        choices=YesNoPlanned,
        asked_when=_malicious,
        skippable=True,
        completion_rank=7,
    ),
    Field(
        "cnil_notified",
        "Notification à la CNIL",
        _E,
        Kind.CHOICE,
        _SUMMARY.FOLLOW_UP,
        Reading.CHOICE,
        summary_rank=3,
        choices=YesNoPlanned,
        asked_when=_personal_data,
        skippable=True,
        completion_rank=8,
    ),
)

# Fields computed by the system, never asked, in the spec's order, with their labels.
COMPUTED: Dict[str, str] = {
    "reference": "Référence",
    "qualification": "Qualification",
    "obligations": "Obligations",
    "status": "Statut",
    "channel": "Canal",
    "created_at": "Créée le",
    "submitted_at": "Soumise le",
    "updated_at": "Mise à jour le",
    "pii_masked": "Identifiants masqués",
    "unknown_fields": "À compléter",
}

BY_NAME: Dict[str, Field] = {field.name: field for field in REGISTRY}


def field(name: str) -> Field:
    return BY_NAME[name]


def named(names_: List[str]) -> Iterator[Field]:
    return (BY_NAME[name] for name in names_)


def of_kind(*kinds: Kind) -> List[Field]:
    return [f for f in REGISTRY if f.kind in kinds]


def asked(slots: Slots) -> List[str]:
    """The declaration form's questions for what is known so far, in their order."""
    ranked = sorted((f for f in REGISTRY if f.ask_rank is not None), key=lambda f: f.ask_rank or 0)
    return [f.name for f in ranked if f.asked_when(slots)]


def seriousness() -> List[str]:
    """The criteria asked by the seriousness check, in its order."""
    ranked = sorted((f for f in REGISTRY if f.seriousness_rank is not None), key=lambda f: f.seriousness_rank or 0)
    return [f.name for f in ranked]


def completable() -> List[str]:
    """The fields a completion may reopen, in the order it asks them."""
    ranked = sorted((f for f in REGISTRY if f.completion_rank is not None), key=lambda f: f.completion_rank or 0)
    return [f.name for f in ranked]


def summary_blocks() -> List[Tuple[str, List[str]]]:
    """The chat summary's blocks and their fields."""
    return [
        (block.value, [f.name for f in sorted(REGISTRY, key=lambda f: f.summary_rank) if f.summary is block])
        for block in SummaryBlock
    ]


def spec_blocks() -> List[Tuple[SpecBlock, List[str]]]:
    return [(block, [f.name for f in REGISTRY if f.block is block]) for block in SpecBlock]


def with_what_follows(values: Slots) -> Dict[str, Any]:
    """The values, with what follows from them in the fields the person left empty (the summary
    shows it, the declaration stores it)."""
    filled = dict(values)
    for entry in REGISTRY:
        if entry.follows is not None and filled.get(entry.name) is None:
            filled[entry.name] = entry.follows(filled)
    return filled
