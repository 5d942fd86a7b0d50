"""What synthetic incidents look like: French text and the systems they hit.

Each incident type has one or more scenarios; a scenario keeps its
description, perimeter, systems, cause and measures consistent with each
other (a misdirected e-mail does not hit the servers). How often each type,
impact or answer occurs is in ``profile``, not here.

Description placeholders: {hour} ("3 h 40"), {systems} (labels of the
affected systems), {system} (the first one), {records} ("environ 1 200
dossiers"), {people} ("patients" or "résidents"), {agents} (a small count).
No person is ever named; impacts are counts, as the spec requires.
"""

from __future__ import annotations

import random
from typing import Dict, NamedTuple, Optional, Sequence, Tuple

from bot.core import french as fr
from bot.core import schema


class Scenario(NamedTuple):
    text: str
    perimeters: Tuple[str, ...]  # the first is the most likely
    systems: Tuple[str, ...]  # the first ones are the most likely
    causes: Tuple[Optional[str], ...]  # None: cause not given
    measures: Tuple[str, ...]
    system_count: Tuple[int, int] = (1, 2)


_RANSOM_SYSTEMS = (
    "serveurs_infrastructure",
    "annuaire_ad",
    "dpi",
    "messagerie",
    "sauvegardes",
    "poste_de_travail",
    "pacs_ris",
    "gestion_administrative",
    "laboratoire_sil",
    "rh_paie",
)
_RANSOM_MEASURES = (
    "Réseau coupé d'internet, serveurs isolés sans être éteints ; note de rançon et journaux conservés.",
    "Cellule de crise réunie, passage en procédures dégradées ; plainte en préparation.",
)
_ISOLATE = "Poste isolé du réseau sans être éteint ; preuves conservées."
_RESET = "Mot de passe réinitialisé, sessions fermées et double authentification activée."
_PROVIDER = "Prestataire appelé, intervention en cours ; procédures dégradées activées."

SCENARIOS: Dict[str, Tuple[Scenario, ...]] = {
    "rancongiciel": (
        Scenario(
            "Vers {hour}, l'équipe informatique a constaté le chiffrement de fichiers sur plusieurs "
            "serveurs ; une note de rançon s'affiche sur les postes. Systèmes touchés : {systems}.",
            ("ensemble_si", "plusieurs_serveurs"),
            _RANSOM_SYSTEMS,
            ("Accès VPN sans double authentification", "Courriel d'hameçonnage", None),
            _RANSOM_MEASURES,
            (3, 5),
        ),
        Scenario(
            "Des fichiers portent une extension inconnue et ne s'ouvrent plus ; une demande de rançon "
            "a été trouvée sur le partage réseau à {hour}. Systèmes inaccessibles : {systems}.",
            ("plusieurs_serveurs", "serveur"),
            _RANSOM_SYSTEMS,
            ("Compte administrateur compromis", None),
            _RANSOM_MEASURES,
            (2, 4),
        ),
    ),
    "compromission_compte": (
        Scenario(
            "Depuis {hour}, la boîte de messagerie d'un agent envoie des courriels d'hameçonnage à ses "
            "contacts ; le mot de passe a sans doute été saisi sur une fausse page.",
            ("poste",),
            ("messagerie",),
            ("Mot de passe saisi sur une fausse page", None),
            (_RESET,),
        ),
        Scenario(
            "Connexions VPN inhabituelles depuis l'étranger sur le compte d'un administrateur, détectées à {hour}.",
            ("plusieurs_postes", "serveur"),
            ("acces_distant_vpn", "annuaire_ad"),
            ("Mot de passe réutilisé", None),
            (_RESET, "Accès distants coupés, journaux conservés."),
        ),
    ),
    "hameconnage": (
        Scenario(
            "Campagne de courriels frauduleux imitant la DSI reçue par environ {agents} agents ; "
            "plusieurs ont cliqué sur le lien et saisi leurs identifiants.",
            ("plusieurs_postes",),
            ("messagerie",),
            ("Courriel d'hameçonnage",),
            ("Courriels supprimés des boîtes, mots de passe des agents concernés réinitialisés.",),
        ),
        Scenario(
            "Faux courriel de l'Assurance maladie reçu dans plusieurs services ; une pièce jointe piégée "
            "a été ouverte sur un poste vers {hour}.",
            ("poste", "plusieurs_postes"),
            ("messagerie", "poste_de_travail"),
            ("Pièce jointe piégée",),
            (_ISOLATE,),
        ),
    ),
    "compromission_si": (
        Scenario(
            "Le prestataire de supervision signale à {hour} des connexions suspectes sur un serveur "
            "exposé sur internet ; une porte dérobée a été trouvée.",
            ("serveur", "plusieurs_serveurs"),
            ("serveurs_infrastructure", "site_internet", "annuaire_ad"),
            ("Serveur exposé sur internet", None),
            ("Serveur isolé, image disque conservée pour l'enquête.",),
        ),
        Scenario(
            "Exploitation d'une vulnérabilité de la passerelle VPN : comptes inconnus créés et minage de "
            "cryptomonnaie constaté. Systèmes touchés : {systems}.",
            ("plusieurs_serveurs", "ensemble_si"),
            ("acces_distant_vpn", "serveurs_infrastructure", "annuaire_ad"),
            ("Vulnérabilité non corrigée de la passerelle VPN",),
            ("Passerelle VPN coupée, correctif appliqué, comptes inconnus supprimés.",),
            (2, 3),
        ),
    ),
    "logiciel_malveillant": (
        Scenario(
            "L'antivirus a détecté un cheval de Troie sur environ {agents} postes d'un service, après le "
            "branchement d'une clé USB personnelle.",
            ("plusieurs_postes",),
            ("poste_de_travail",),
            ("Clé USB infectée",),
            ("Postes isolés et réinstallés ; ports USB bloqués.",),
        ),
        Scenario(
            "Un ver se propage sur le réseau bureautique depuis {hour} ; plusieurs postes sont lents et "
            "émettent un trafic anormal.",
            ("plusieurs_postes", "plusieurs_serveurs"),
            ("poste_de_travail", "serveurs_infrastructure", "messagerie"),
            ("Pièce jointe piégée", None),
            ("Segment réseau isolé, analyse antivirale complète lancée.",),
        ),
    ),
    "fraude_usurpation": (
        Scenario(
            "Un faux fournisseur a demandé par courriel un changement de coordonnées bancaires ; "
            "le virement a été bloqué de justesse.",
            ("poste",),
            ("messagerie", "gestion_administrative"),
            ("Courriel frauduleux",),
            ("Banque prévenue, procédure de vérification par téléphone rappelée.",),
        ),
        Scenario(
            "Usurpation de l'identité du directeur par courriel pour demander un virement urgent au service financier.",
            ("poste",),
            ("messagerie",),
            ("Courriel frauduleux",),
            ("Service financier alerté, aucun virement effectué.",),
        ),
    ),
    "fuite_donnees": (
        Scenario(
            "Des extractions de données de {people} ont été publiées sur un forum ; {records} seraient concernés.",
            ("serveur", "prestataire"),
            ("dpi", "gestion_administrative"),
            ("Base mal protégée chez un prestataire", None),
            ("Accès révoqués, demande de retrait de la publication ; DPO saisi.",),
        ),
        Scenario(
            "Un prestataire signale qu'une base contenant des données de rendez-vous était accessible "
            "sur internet sans authentification.",
            ("prestataire", "site_internet"),
            ("site_internet", "gestion_administrative"),
            ("Base mal protégée chez un prestataire",),
            ("Base fermée par le prestataire ; DPO saisi.",),
        ),
    ),
    "vol_perte_materiel": (
        Scenario(
            "Vol d'un ordinateur portable non chiffré dans le véhicule d'un agent ; il contenait des "
            "fichiers de suivi des {people}.",
            ("poste",),
            ("poste_de_travail",),
            ("Vol",),
            ("Comptes de l'agent réinitialisés ; plainte déposée.",),
        ),
        Scenario(
            "Perte d'une clé USB contenant des plannings et des listes de {people}.",
            ("poste",),
            ("poste_de_travail",),
            ("Perte",),
            ("Recherches menées, agents sensibilisés.",),
        ),
    ),
    "deni_de_service": (
        Scenario(
            "Le site internet et le portail de prise de rendez-vous sont saturés par un afflux de "
            "requêtes depuis {hour}.",
            ("site_internet",),
            ("site_internet",),
            ("Attaque revendiquée par un groupe hacktiviste", None),
            ("Protection anti-DDoS activée chez l'hébergeur.",),
        ),
        Scenario(
            "Attaque par déni de service revendiquée sur les réseaux sociaux ; l'accès internet de la "
            "structure est coupé par intermittence.",
            ("ensemble_si",),
            ("reseau_telecom", "site_internet"),
            ("Attaque revendiquée par un groupe hacktiviste",),
            ("Opérateur sollicité pour filtrer le trafic.",),
        ),
    ),
    "acces_illegitime_interne": (
        Scenario(
            "Un agent a consulté sans motif des dossiers de {people} ({records}) ; l'anomalie a été "
            "repérée lors d'un contrôle des traces d'accès.",
            ("poste",),
            ("dpi",),
            ("Droits d'accès trop larges",),
            ("Habilitations de l'agent suspendues, direction et DPO informés.",),
        ),
    ),
    "defiguration": (
        Scenario(
            "La page d'accueil du site internet a été remplacée par un message revendicatif, constaté à {hour}.",
            ("site_internet",),
            ("site_internet",),
            ("Module du site internet non mis à jour", None),
            ("Site mis hors ligne, restauration d'une version saine.",),
        ),
    ),
    "panne_materielle": (
        Scenario(
            "Panne d'une baie de stockage à {hour} : {systems} indisponibles.",
            ("plusieurs_serveurs", "ensemble_si"),
            ("serveurs_infrastructure", "dpi", "pacs_ris", "laboratoire_sil"),
            ("Panne matérielle", "Fin de vie d'un équipement"),
            (_PROVIDER,),
            (2, 3),
        ),
        Scenario(
            "Défaillance d'un commutateur du cœur de réseau vers {hour} ; plusieurs services n'ont plus "
            "accès aux applications.",
            ("ensemble_si",),
            ("reseau_telecom", "telephonie"),
            ("Panne matérielle",),
            ("Commutateur remplacé par le matériel de secours.",),
        ),
    ),
    "dysfonctionnement_logiciel": (
        Scenario(
            "Après une mise à jour appliquée à {hour}, l'application ne démarre plus pour une partie "
            "des utilisateurs. Application concernée : {system}.",
            ("plusieurs_postes", "serveur"),
            ("dpi", "prescription_pharmacie", "gestion_administrative", "rh_paie", "regulation_samu"),
            ("Mise à jour défectueuse",),
            ("Retour à la version précédente demandé à l'éditeur.",),
            (1, 1),
        ),
        Scenario(
            "Anomalie de l'interface entre applications depuis {hour} : des résultats n'arrivent plus. "
            "Systèmes touchés : {systems}.",
            ("serveur",),
            ("laboratoire_sil", "dpi", "pacs_ris"),
            (None,),
            ("Éditeur sollicité ; résultats transmis par téléphone en attendant.",),
            (2, 2),
        ),
    ),
    "defaillance_prestataire": (
        Scenario(
            "L'hébergeur de nos applications subit une panne générale depuis {hour} ; d'autres "
            "structures clientes seraient touchées. Systèmes touchés : {systems}.",
            ("prestataire", "ensemble_si"),
            ("dpi", "messagerie", "gestion_administrative", "pacs_ris", "telephonie"),
            ("Panne chez le prestataire",),
            (_PROVIDER,),
            (1, 3),
        ),
        Scenario(
            "Le prestataire d'infogérance ne répond plus et les sauvegardes ne s'exécutent plus depuis "
            "plusieurs jours.",
            ("prestataire",),
            ("sauvegardes", "serveurs_infrastructure"),
            ("Défaillance du prestataire d'infogérance",),
            ("Mise en demeure du prestataire ; sauvegarde manuelle.",),
        ),
    ),
    "perte_lien_telecom": (
        Scenario(
            "Coupure de la fibre entre deux sites depuis {hour} après des travaux de voirie : téléphonie "
            "et accès aux applications perdus.",
            ("plusieurs_sites",),
            ("reseau_telecom", "telephonie"),
            ("Coupure de fibre lors de travaux",),
            ("Opérateur prévenu, bascule sur le lien 4G de secours.",),
            (2, 2),
        ),
        Scenario(
            "Panne chez l'opérateur : plus d'accès internet ni de téléphonie sur le site depuis {hour}.",
            ("ensemble_si",),
            ("reseau_telecom", "telephonie", "acces_distant_vpn"),
            ("Panne de l'opérateur",),
            ("Opérateur relancé, téléphones portables distribués aux services.",),
            (2, 3),
        ),
    ),
    "sinistre": (
        Scenario(
            "Coupure électrique et arrêt de la climatisation de la salle serveurs à {hour} ; les serveurs "
            "se sont arrêtés.",
            ("ensemble_si", "plusieurs_serveurs"),
            ("serveurs_infrastructure", "dpi"),
            ("Coupure électrique", "Panne de climatisation"),
            ("Redémarrage progressif des serveurs après retour du courant.",),
            (1, 2),
        ),
        Scenario(
            "Dégât des eaux dans le local technique ; plusieurs équipements réseau sont hors service.",
            ("plusieurs_sites", "ensemble_si"),
            ("reseau_telecom", "telephonie"),
            ("Dégât des eaux",),
            ("Équipements déplacés et remplacés ; procédures dégradées activées.",),
        ),
    ),
    "erreur_humaine": (
        Scenario(
            "Un courriel contenant une liste de {people} a été envoyé par erreur à un destinataire extérieur.",
            ("poste",),
            ("messagerie",),
            ("Erreur de destinataire",),
            ("Demande de suppression adressée au destinataire ; DPO saisi.",),
        ),
        Scenario(
            "Suppression par erreur d'un dossier partagé lors d'une opération de maintenance, à {hour}.",
            ("serveur",),
            ("serveurs_infrastructure",),
            ("Erreur de manipulation",),
            ("Restauration depuis les sauvegardes en cours.",),
        ),
    ),
    "autre": (
        Scenario(
            "Comportement anormal constaté depuis {hour}, sans cause identifiée à ce stade. "
            "Système concerné : {system}.",
            ("poste", "serveur"),
            ("autre", "dpi", "poste_de_travail"),
            (None,),
            ("Analyse en cours par l'équipe informatique.",),
            (1, 1),
        ),
    ),
}

# Systems a structure type does not run (no SAMU outside public hospitals...).
SYSTEMS_NOT_RUN: Dict[str, Tuple[str, ...]] = {
    "etablissement_sante_prive": ("regulation_samu",),
    "etablissement_sante_prive_non_lucratif": ("regulation_samu",),
    "esms": ("pacs_ris", "laboratoire_sil", "regulation_samu"),
    "laboratoire_biologie_medicale": ("pacs_ris", "regulation_samu", "prescription_pharmacie"),
    "centre_radiotherapie": ("laboratoire_sil", "regulation_samu"),
    "hopital_armees": ("regulation_samu",),
    "autre": ("pacs_ris", "laboratoire_sil", "regulation_samu"),
}


def pick_ranked(rng: random.Random, candidates: Sequence, count: int) -> list:
    """``count`` distinct candidates, the first ones more likely (weight 1/rank)."""
    pool = list(candidates)
    chosen = []
    while pool and len(chosen) < count:
        item = rng.choices(pool, weights=[1 / (rank + 1) for rank in range(len(pool))])[0]
        pool.remove(item)
        chosen.append(item)
    return chosen


def systems(scenario: Scenario, structure_type: str, rng: random.Random) -> list:
    excluded = SYSTEMS_NOT_RUN.get(structure_type, ())
    candidates = [s for s in scenario.systems if s not in excluded] or ["autre"]
    return pick_ranked(rng, candidates, rng.randint(*scenario.system_count))


def _system_label(key: str) -> str:
    return fr.lower_first(schema.AFFECTED_SYSTEMS[key])


def _records(persons: Optional[int], noun: str) -> str:
    if persons is None:
        return f"un nombre encore inconnu de {noun}"
    return f"environ {fr.format_int(persons)} {noun}"


def description(
    scenario: Scenario, system_keys: Sequence[str], hour: str, people: str, persons: Optional[int], rng: random.Random
) -> str:
    labels = [_system_label(key) for key in system_keys]
    return scenario.text.format(
        hour=hour,
        systems=", ".join(labels),
        system=labels[0],
        people=people,
        records=_records(persons, "dossiers"),
        agents=rng.choice((5, 8, 12, 20, 35, 60)),
    )
