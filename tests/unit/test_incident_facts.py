"""The rule-based reader of incident facts, on realistic French messages."""

import pytest

from bot.nlu.incident_facts import extract_facts
from bot.nlu.text import fold


def facts(text):
    found = {}
    for fact in extract_facts(text):
        found.setdefault(fact.field, []).append(fact.value)
    return found


def test_fold_keeps_offsets():
    text = "Rançon à l’hôpital"
    assert fold(text) == "rancon a l'hopital"
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tous les fichiers sont chiffrés et il y a une note de rançon", "rancongiciel"),
        ("on s'est pris un ransomware lockbit", "rancongiciel"),
        ("la secrétaire a tapé son mdp sur un faux site, sa boîte envoie du spam", "compromission_compte"),
        ("reçu un mail de phishing, personne n'a cliqué", "hameconnage"),
        ("le portable du Dr X a été volé dans sa voiture", "vol_perte_materiel"),
        ("coupure fibre depuis ce matin, plus d'internet", "perte_lien_telecom"),
        ("départ de feu dans le local technique", "sinistre"),
        ("résultats envoyés au mauvais destinataire", "erreur_humaine"),
        ("panne du serveur de fichiers", "panne_materielle"),
        ("site internet saturé par une attaque DDoS", "deni_de_service"),
        ("notre page d'accueil a été modifiée, defacement", "defiguration"),
        ("un faux RIB fournisseur a été envoyé à la compta", "fraude_usurpation"),
        ("l'antivirus a détecté un trojan sur un poste", "logiciel_malveillant"),
        # a password stealer on a workstation is malware; the passwords it stole, used, an account compromise
        ("un infostealer tournait sur le pc de la secrétaire", "logiciel_malveillant"),
        ("un courriel qui imitait celui de la mutuelle demandait de se connecter", "hameconnage"),
        ("l'EDR a mis en quarantaine un exécutable inconnu", "logiciel_malveillant"),
        ("ses identifiants volés par un infostealer servent au VPN", "compromission_compte"),
        ("consultation abusive du dossier d'une célébrité par un agent", "acces_illegitime_interne"),
        ("mise à jour ratée du logiciel de bloc", "dysfonctionnement_logiciel"),
        ("le logiciel hébergé chez l'éditeur est indisponible", "defaillance_prestataire"),
    ],
)
def test_incident_type(text, expected):
    assert facts(text)["incident_type"] == [expected]


def test_ambiguous_attack_gives_no_type():
    assert "incident_type" not in facts("on a subi une attaque")


def test_water_leak_is_not_a_data_leak():
    assert facts("fuite d'eau dans la salle serveur")["incident_type"] == ["sinistre"]


@pytest.mark.parametrize(
    "text, kind",
    [
        ("l'hôpital privé de Marne-la-Vallée ne peut plus facturer", "etablissement_sante_prive"),
        ("hôpital à but non lucratif, le serveur de fichiers est chiffré", "etablissement_sante_prive_non_lucratif"),
        ("ici l'établissement public de santé mentale de la Marne", "etablissement_sante_public"),
        ("au centre de santé municipal les postes sont bloqués", "autre"),
        ("le centre de santé mentale a perdu sa messagerie", None),
        ("notre SSIAD n'a plus accès aux plannings", "esms"),
        ("l'hôpital de Dax n'a plus de DPI", "etablissement_sante_public"),
        ("l'intranet de l'hôpital Saint-Vincent-de-Paul est défiguré", None),  # public or ESPIC alike
    ],
)
def test_structure_type(text, kind):
    assert facts(text).get("structure_type", [None]) == [kind]


def test_rich_opening_message():
    found = facts(
        "bjr, ici ladmin de garde du CH de Vierzon. cette nuit vers 3h les postes des urgences ont "
        "affiché un msg de rancon. DPI et PACS inaccessibles, on est en mode dégradé papier. "
        "on a besoin d'aide svp"
    )
    assert found["structure_name"] == ["CH de Vierzon"]
    assert found["structure_type"] == ["etablissement_sante_public"]
    assert found["declarant_role"] == ["administrateur de garde"]
    assert {"dpi", "pacs_ris", "poste_de_travail"} <= set(found["affected_systems"])
    assert found["care_impact"] == ["mode_degrade"]
    assert found["support_requested"] == ["oui"]
    assert "disponibilite" in found["data_impact"]


def test_contacts_and_counts():
    found = facts(
        "Marie Dupont, marie.dupont@ch-vierzon.fr, 06 12 34 56 78, finess 18 000 002 8, environ 1 200 dossiers"
    )
    assert found["declarant_email"] == ["marie.dupont@ch-vierzon.fr"]
    assert found["declarant_phone"] == ["06 12 34 56 78"]
    assert found["finess"] == ["18 000 002 8"]
    assert found["persons_affected"] == [1200]


def test_international_phone():
    assert facts("joignable au +33 6 12 34 56 78")["declarant_phone"] == ["+33 6 12 34 56 78"]


def test_role_needs_first_person():
    """ "la secrétaire a cliqué": the secretary is the victim, not the declarant."""
    assert "declarant_role" not in facts("la secretaire a cliqué sur un lien")
    assert facts("je suis RSSI du GHT")["declarant_role"] == ["RSSI"]


def test_structure_names():
    assert facts("à l'EHPAD Les Tilleuls ce matin")["structure_name"] == ["EHPAD Les Tilleuls"]
    assert facts("Clinique St Joseph: panne")["structure_name"] == ["Clinique St Joseph"]
    assert "structure_name" not in facts("au CHU on a un souci")
    # a group's acronym, then the site: the name people give it
    assert facts("chiffrement en cours aux HPMB, site de Sallanches, depuis 3h")["structure_name"] == [
        "HPMB, site de Sallanches"
    ]
    assert "structure_name" not in facts("le VPN, site de secours, ne répond plus")
    # the site of a named group is part of its name; a website is not a site
    assert facts("au Centre hospitalier de Cornouaille, site de Quimperlé, le DPI est coupé")["structure_name"] == [
        "Centre hospitalier de Cornouaille, site de Quimperlé"
    ]
    assert facts("la Clinique des Cèdres, site Internet piraté")["structure_name"] == ["Clinique des Cèdres"]


def test_measures_and_cause():
    found = facts("coupure fibre suite à des travaux sur la voirie. on a basculé sur le centre voisin")
    assert found["cause"] == ["coupure fibre suite à des travaux sur la voirie"]
    assert found["measures_taken"] == ["on a basculé sur le centre voisin"]


def test_complaint_and_cnil():
    assert facts("plainte déposée ce matin au commissariat")["complaint_filed"] == ["oui"]
    assert facts("on va porter plainte demain")["complaint_filed"] == ["prevue"]
    assert facts("la CNIL a été notifiée hier")["cnil_notified"] == ["oui"]


@pytest.mark.parametrize(
    "text, perimeter",
    [
        ("la baie SAN du site nord ne répond plus", "plusieurs_serveurs"),
        ("propagation vers trois serveurs du domaine", "plusieurs_serveurs"),
        ("le serveur de la pharmacie a planté", "serveur"),
    ],
)
def test_a_storage_array_is_several_servers(text, perimeter):
    assert facts(text)["perimeter"] == [perimeter]


def test_a_retirement_home_is_medico_social():
    assert facts("le site internet de notre maison de retraite a été modifié")["structure_type"] == ["esms"]


def test_chu_is_ose():
    assert facts("au CHU de Nantes")["is_ose"] == ["oui"]


@pytest.mark.parametrize(
    "text, ose",
    [
        ("la clinique est OSE depuis l'an dernier", True),
        ("oui, nous sommes ose", True),
        ("je n'ose plus toucher au serveur", False),
        ("la secrétaire n'ose pas redémarrer son poste", False),
        ("j'ose à peine rallumer le PC", False),
    ],
)
def test_ose_is_the_acronym_not_the_verb(text, ose):
    assert ("is_ose" in facts(text)) is ose


@pytest.mark.parametrize(
    "text, touched, not_touched",
    [
        ("le serveur d'analyses du laboratoire ne répond plus", set(), {"serveurs_infrastructure"}),
        ("la baie qui porte tous nos serveurs a lâché", {"serveurs_infrastructure"}, set()),
        ("panne du serveur de fichiers partagés", {"serveurs_infrastructure"}, set()),
        ("notre site internet affiche une autre page", {"site_internet"}, {"reseau_telecom"}),
        ("l'interface était ouverte depuis internet", set(), {"reseau_telecom"}),
        ("plus d'internet depuis la coupure", {"reseau_telecom"}, set()),
        ("un dossier supprimé sur le partage réseau du service", set(), {"reseau_telecom"}),
        ("joignable au poste 4521 toute la nuit", set(), {"poste_de_travail"}),
        ("le logiciel de soins de l'unité est bloqué", {"dpi"}, set()),
        ("la comptable a fait le virement demandé", {"gestion_administrative"}, set()),
        ("les lignes téléphoniques du standard sont muettes", {"telephonie"}, set()),
    ],
)
def test_systems_named_and_not(text, touched, not_touched):
    found = set(facts(text).get("affected_systems", []))
    assert touched <= found
    assert not (not_touched & found)


@pytest.mark.parametrize(
    "text, field, value, found",
    [
        ("aucune fuite à ce stade, les serveurs sont juste éteints", "data_impact", "confidentialite", False),
        ("pas de rançon demandée, c'est une panne", "incident_type", "rancongiciel", False),
        ("non, il n'y a jamais eu de divulgation des fichiers", "incident_type", "fuite_donnees", False),
        ("sans aucune exfiltration vue dans les journaux", "data_impact", "confidentialite", False),
        ("on n'a plus d'accès au logiciel", "data_impact", "disponibilite", True),
        ("des données ont fuité sur un forum", "data_impact", "confidentialite", True),
    ],
)
def test_negated_words_are_no_facts_but_what_is_missing_is(text, field, value, found):
    assert (value in facts(text).get(field, [])) is found


@pytest.mark.parametrize(
    "text, perimeter",
    [
        ("nos trois sites sont touchés", "plusieurs_sites"),
        ("c'est pareil sur les autres sites", "plusieurs_sites"),
        ("deux sites ont perdu le réseau", "plusieurs_sites"),
        ("toute la clinique est sans réseau", "ensemble_si"),
        ("tout l'établissement est touché", "ensemble_si"),
    ],
)
def test_sites_and_the_whole_structure_as_people_count_them(text, perimeter):
    assert facts(text)["perimeter"] == [perimeter]


def test_websites_are_no_sites_of_the_structure():
    assert "perimeter" not in facts("nos deux sites internet sont défigurés")


@pytest.mark.parametrize(
    "text",
    [
        "le poste d'un agent de l'un de nos sites",
        "l'agence fait les sites d'autres clients",
        "la panne risque de s'étendre à tout l'hôpital",
    ],
)
def test_one_site_and_a_fear_are_no_perimeter_of_their_own(text):
    assert facts(text).get("perimeter", []) in ([], ["poste"])


@pytest.mark.parametrize(
    "text",
    [
        "le serveur branché aux générateurs d'hémodialyse ne démarre plus",
        "le serveur connecté aux appareils de ventilation ne répond plus",
        "deux pousse-seringues affichent une erreur",
    ],
)
def test_the_devices_of_care_and_their_server_are_biomedical(text):
    systems = facts(text)["affected_systems"]
    assert "biomedical" in systems and "serveurs_infrastructure" not in systems


def test_lot_19_words_read_as_people_mean_them():
    """Lot 19 (dev): a tablet is a workstation, "réglé" is resolved, "rien de volé" is no theft."""
    assert facts("seulement la tablette du service")["affected_systems"] == ["poste_de_travail"]
    assert facts("c'est réglé depuis midi")["handling_status"] == ["resolu"]
    assert "handling_status" not in facts("règle de pare-feu supprimée par erreur sur le VPN")
    assert "incident_type" not in facts("rien de volé après vérification, les portes se sont juste ouvertes")


def test_what_the_editor_says_is_no_provider_failure_unless_it_says_where():
    assert "incident_type" not in facts("une session distante inconnue, et l'éditeur dit que ce n'était pas lui")
    assert facts("le dossier de soins ne marche plus, l'éditeur dit que c'est chez eux")["incident_type"] == [
        "defaillance_prestataire"
    ]
