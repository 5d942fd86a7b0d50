from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.validators import (
    DEPARTEMENT_REGION,
    InvalidValue,
    check_detected_at,
    check_started_at,
    normalize_email,
    normalize_finess,
    normalize_phone,
    parse_count,
    region_from_finess,
    region_from_phone,
)

PARIS = ZoneInfo("Europe/Paris")

# Real FINESS numbers (public FINESS / DREES data).
REAL_FINESS = {
    "750712184": "ile_de_france",  # AP-HP, entité juridique
    "330781196": "nouvelle_aquitaine",  # CHU de Bordeaux
    "750100125": "ile_de_france",  # Pitié-Salpêtrière (AP-HP)
    "130786049": "provence_alpes_cote_d_azur",  # AP-HM
    "690781810": "auvergne_rhone_alpes",  # Hospices civils de Lyon
    "010780195": "auvergne_rhone_alpes",  # Clinique Convert, Bourg-en-Bresse
}


# --- FINESS --------------------------------------------------------------


@pytest.mark.parametrize("finess", sorted(REAL_FINESS))
def test_real_finess_numbers_pass(finess):
    assert normalize_finess(finess) == finess


@pytest.mark.parametrize(
    "text", ["75 0 71218 4", "750 712 184", "750.712.184", "750-712-184", " 750712184 ", "75\u00a0071\u00a02184"]
)
def test_finess_accepts_separators(text):
    assert normalize_finess(text) == "750712184"


@pytest.mark.parametrize(
    "text", ["750712184 je crois", "c'est le 750 712 184", "FINESS : 750.712.184, normalement", "euh 750712184"]
)
def test_finess_is_read_among_words(text):
    assert normalize_finess(text) == "750712184"


def test_words_without_a_number_are_not_counted_as_characters():
    with pytest.raises(InvalidValue) as err:
        normalize_finess("il est sur le site de l'ARS je crois")
    assert "Je ne vois pas de numéro" in err.value.message and "j'en ai lu" not in err.value.message


def test_a_short_number_among_words_is_counted_alone():
    with pytest.raises(InvalidValue) as err:
        normalize_finess("je crois que c'est 75071218")
    assert "j'en ai lu 8" in err.value.message


@pytest.mark.parametrize(
    "altered",
    [
        "750712185",  # key changed
        "750712148",  # last two digits swapped
        "330781169",  # CHU de Bordeaux, last two swapped
        "130786048",  # AP-HM, key changed
        "690781811",  # HCL, key changed
        "750172184",  # AP-HP, two inner digits swapped
    ],
)
def test_altered_finess_numbers_fail_on_the_key(altered):
    with pytest.raises(InvalidValue) as err:
        normalize_finess(altered)
    assert "clé de contrôle" in err.value.message
    assert "Vérifiez les 9 caractères" in err.value.message


@pytest.mark.parametrize("text", ["75071218", "7507121840", "", None])
def test_finess_wrong_length(text):
    with pytest.raises(InvalidValue) as err:
        normalize_finess(text)
    assert "9 caractères" in err.value.message


@pytest.mark.parametrize("text", ["000000000", "960000001", "200000006", "2C0001238", "75071218X"])
def test_finess_bad_departement_or_characters(text):
    with pytest.raises(InvalidValue) as err:
        normalize_finess(text)
    assert "département" in err.value.message


# Real Corsican establishments of the FINESS register (CH ND la Miséricorde, Clinisud...).
@pytest.mark.parametrize("text", ["2A0000022", "2a 000 013 9", "2A0001236", "2B0001234"])
def test_finess_corsica_key_reads_the_letter_as_its_rank(text):
    assert normalize_finess(text) == text.replace(" ", "").upper()


@pytest.mark.parametrize("text", ["2A0000023", "2A0001238", "2B0001238", "2B0001230"])
def test_finess_corsica_wrong_key(text):
    with pytest.raises(InvalidValue) as err:
        normalize_finess(text)
    assert "clé de contrôle" in err.value.message


def test_invalid_value_is_a_value_error_with_message():
    with pytest.raises(ValueError) as err:
        normalize_finess("750712185")
    assert err.value.message == str(err.value)


# --- regions ---------------------------------------------------------------


@pytest.mark.parametrize("finess,region", sorted(REAL_FINESS.items()))
def test_region_of_real_finess(finess, region):
    assert region_from_finess(finess) == region


@pytest.mark.parametrize(
    "finess,region",
    [
        ("180000000", "centre_val_de_loire"),  # Cher (CH de Vierzon)
        ("2A0000022", "corse"),
        ("2B0001234", "corse"),
        ("970100057", "guadeloupe"),  # overseas FINESS numbers start with 970x
        ("970400116", "la_reunion"),
        ("980500078", "mayotte"),
        ("290000000", "bretagne"),
        ("440000000", "pays_de_la_loire"),
        ("570000000", "grand_est"),
        ("590000000", "hauts_de_france"),
        ("760000000", "normandie"),
        ("310000000", "occitanie"),
        ("210000000", "bourgogne_franche_comte"),
        ("640000000", "nouvelle_aquitaine"),
        ("971000000", "guadeloupe"),
        ("972000000", "martinique"),
        ("973000000", "guyane"),
        ("974000000", "la_reunion"),
        ("976000000", "mayotte"),
        ("750 712 184", "ile_de_france"),
    ],
)
def test_region_from_departement(finess, region):
    assert region_from_finess(finess) == region


@pytest.mark.parametrize("finess", ["975000000", "988000000", "200000000", "", None])
def test_region_unknown(finess):
    assert region_from_finess(finess) is None


def test_departement_table_is_complete():
    numeric = {f"{n:02d}" for n in range(1, 96) if n != 20}
    expected = numeric | {"2A", "2B", "971", "972", "973", "974", "976"}
    assert expected <= set(DEPARTEMENT_REGION)
    assert len(set(DEPARTEMENT_REGION.values())) == 18


# --- phone -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "0033 6 12 34 56 78"],
)
def test_french_mobile_forms(text):
    assert normalize_phone(text) == "+33612345678"


def test_french_landline():
    assert normalize_phone("02 48 52 33 33") == "+33248523333"


def test_international_number():
    assert normalize_phone("+32 2 555 12 12") == "+3225551212"


@pytest.mark.parametrize("text", ["12345", "06 12 34", "+33 1 23", "téléphone", "", None])
def test_invalid_phone(text):
    with pytest.raises(InvalidValue) as err:
        normalize_phone(text)
    assert "numéro de téléphone" in err.value.message


# --- e-mail ------------------------------------------------------------------


def test_email_domain_lowercased_local_part_kept():
    assert normalize_email("Jean.Dupont@CH-Vierzon.FR") == "Jean.Dupont@ch-vierzon.fr"


def test_email_trimmed():
    assert normalize_email("  rssi@chu-bordeaux.fr ") == "rssi@chu-bordeaux.fr"


@pytest.mark.parametrize("text", ["pas un mail", "a@b", "x@@y.fr", "dsi@", "", None])
def test_invalid_email(text):
    with pytest.raises(InvalidValue) as err:
        normalize_email(text)
    assert "adresse e-mail" in err.value.message


# --- counts ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("37", 37),
        ("environ 80 résidents", 80),
        ("les résultats de 37 patients", 37),
        ("1 200", 1200),
        ("1200", 1200),
        ("1.200", 1200),
        ("environ 1 200 dossiers", 1200),
        ("1 200 000 dossiers", 1_200_000),
        ("2 millions", 2_000_000),
        ("1,5 million", 1_500_000),
        ("une quarantaine", 40),
        ("une centaine de dossiers", 100),
        ("deux milliers", 2000),
        ("trente-sept", 37),
        ("trente sept patients", 37),
        ("vingt et un", 21),
        ("soixante-dix", 70),
        ("quatre-vingts", 80),
        ("quatre-vingt-dix-sept", 97),
        ("deux cents", 200),
        ("deux cent trente", 230),
        ("mille deux cent cinquante", 1250),
        ("trois mille", 3000),
        ("zéro", 0),
        (12, 12),
    ],
)
def test_parse_count(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["aucune idée", "quelques centaines", "", None, True])
def test_parse_count_not_understood(text):
    with pytest.raises(InvalidValue) as err:
        parse_count(text)
    assert "en chiffres" in err.value.message


@pytest.mark.parametrize("text", ["-5", "- 12 patients", -3])
def test_parse_count_negative(text):
    with pytest.raises(InvalidValue) as err:
        parse_count(text)
    assert "négatif" in err.value.message


@pytest.mark.parametrize("text", ["200 millions", "100000001", 10**9])
def test_parse_count_absurd(text):
    with pytest.raises(InvalidValue) as err:
        parse_count(text)
    assert "trop élevé" in err.value.message


@pytest.mark.parametrize("text", ["aucun", "Aucune.", "personne", "pas de patient touché", "nul"])
def test_none_is_a_count_of_zero(text):
    assert parse_count(text) == 0


@pytest.mark.parametrize("text", ["aucune idée", "personne ne le sait encore"])
def test_not_knowing_is_no_count(text):
    with pytest.raises(InvalidValue):
        parse_count(text)


def test_parse_count_upper_bound_is_accepted():
    assert parse_count("100 millions") == 100_000_000


# --- dates -------------------------------------------------------------------

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=PARIS)


def test_detected_in_the_past_is_accepted():
    tonight = datetime(2026, 11, 28, 3, 0, tzinfo=PARIS)
    assert check_detected_at(tonight, NOW) == tonight


def test_detected_within_tolerance_is_accepted():
    soon = NOW + timedelta(minutes=4)
    assert check_detected_at(soon, NOW) == soon


def test_detected_in_the_future_is_refused():
    with pytest.raises(InvalidValue) as err:
        check_detected_at(NOW + timedelta(minutes=6), NOW)
    assert "futur" in err.value.message


def test_detected_naive_datetime_is_paris_time():
    assert check_detected_at(datetime(2026, 11, 28, 9, 0), NOW) == datetime(2026, 11, 28, 9, 0)
    with pytest.raises(InvalidValue):
        check_detected_at(datetime(2026, 11, 28, 11, 0), NOW)


def test_detected_compares_across_offsets():
    utc_9h30 = datetime(2026, 11, 28, 9, 30, tzinfo=ZoneInfo("UTC"))  # 10:30 in Paris
    with pytest.raises(InvalidValue):
        check_detected_at(utc_9h30, NOW)


def test_detected_defaults_to_current_time():
    with pytest.raises(InvalidValue):
        check_detected_at(datetime.now(PARIS) + timedelta(days=1))


def test_started_before_detection_is_accepted():
    started = datetime(2026, 11, 27, 22, 0, tzinfo=PARIS)
    assert check_started_at(started, NOW) == started


def test_started_equal_to_detection_is_accepted():
    assert check_started_at(NOW, NOW) == NOW


def test_a_detection_without_its_hour_bounds_the_start_by_its_day_only():
    detected = datetime(2026, 11, 28, 0, 0, tzinfo=PARIS)  # "ce matin", the hour not said
    started = datetime(2026, 11, 28, 2, 0, tzinfo=PARIS)  # "cette nuit vers 2h"
    assert check_started_at(started, detected) == started
    with pytest.raises(InvalidValue):
        check_started_at(datetime(2026, 11, 29, 2, 0, tzinfo=PARIS), detected)


def test_started_unknown_stays_none():
    assert check_started_at(None, NOW) is None


def test_started_after_detection_is_refused():
    with pytest.raises(InvalidValue) as err:
        check_started_at(NOW + timedelta(hours=2), NOW)
    message = err.value.message
    assert "postérieur à sa détection" in message
    assert "28/11/2026 à 12 h 00" in message and "28/11/2026 à 10 h 00" in message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Marie Dupont, RSSI, marie.dupont@ch-exemple.fr, 06 12 34 56 78", "+33612345678"),
        ("02 48 52 33 33 poste 212", "+33248523333;ext=212"),
        ("0696 39 98 20", "+596696399820"),  # Martinique: its own country code
        ("0639 69 12 34", "+262639691234"),  # Mayotte
        ("06 39 98 12 42", "+33639981242"),  # ARCEP's range for fiction: metropolitan
        ("06 39 12 34 56", "+262639123456"),  # in no plan the library knows yet: Mayotte's prefix
        ("0694 39 98 11", "+594694399811"),  # Guyane's
        ("0596 51 38 47", "+596596513847"),  # Martinique's fixed line, a valid 05 pattern for the library
        ("0590 97 48 21", "+590590974821"),  # Guadeloupe's
        ("0262 45 12 34", "+262262451234"),  # La Réunion's
        ("05 56 79 56 79", "+33556795679"),  # Bordeaux: metropolitan
        ("07 00 12 34 56", "+33700123456"),  # ten French digits, in no plan yet, metropolitan: kept
    ],
)
def test_phone_inside_an_answer_or_overseas(text, expected):
    assert normalize_phone(text) == expected


@pytest.mark.parametrize(
    "stored, region",
    [
        ("+262639691234", "mayotte"),
        ("+594694399811", "guyane"),
        ("+33639123456", "mayotte"),  # stored under +33 by an older version: its prefix tells
        ("+33639981242", None),  # ARCEP's fiction range: metropolitan, as normalize_phone keeps it
        ("+33612345678", None),
    ],
)
def test_the_region_a_stored_number_tells_agrees_with_how_it_was_stored(stored, region):
    assert region_from_phone(stored) == region


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mon mail : Marie.Dupont@CH-Exemple.fr.", "Marie.Dupont@ch-exemple.fr"),
        ("Anziza Madi, secrétaire, anziza.madi@ch-exemple.fr, 0639 69 12 34", "anziza.madi@ch-exemple.fr"),
    ],
)
def test_email_inside_an_answer(text, expected):
    assert normalize_email(text) == expected


@pytest.mark.parametrize("text", ["pas de mail", "a@b", "je ne sais pas"])
def test_no_email_in_the_answer(text):
    with pytest.raises(InvalidValue):
        normalize_email(text)
