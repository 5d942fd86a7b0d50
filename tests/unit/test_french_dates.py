"""French dates and times, resolved against a fixed reference time in Paris."""

from datetime import datetime

import pytest

from bot.nlu.french_dates import PARIS, find_dates

NOW = datetime(2026, 11, 28, 15, 20, tzinfo=PARIS)  # a Saturday afternoon
EARLY = datetime(2026, 11, 28, 2, 30, tzinfo=PARIS)
MORNING = datetime(2026, 11, 28, 7, 0, tzinfo=PARIS)

POSITIVE = [
    # (text, expected "YYYY-MM-DD HH:MM", has_time, is_start)
    ("bjr, cette nuit vers 3h les postes ont affiché un msg de rancon", "2026-11-28 03:00", True, False),
    ("panne de la baie SAN à 14h, le DPI est down", "2026-11-28 14:00", True, False),
    ("à 14h", "2026-11-28 14:00", True, False),
    ("a 14h", "2026-11-28 14:00", True, False),
    ("à 14 h", "2026-11-28 14:00", True, False),
    ("à 14h30", "2026-11-28 14:30", True, False),
    ("à 14 h 30", "2026-11-28 14:30", True, False),
    ("vers 14:30", "2026-11-28 14:30", True, False),
    ("à 14H", "2026-11-28 14:00", True, False),
    ("vers 9h40", "2026-11-28 09:40", True, False),
    ("aux alentours de 7h", "2026-11-28 07:00", True, False),
    ("sur les coups de 11h", "2026-11-28 11:00", True, False),
    ("à 16h", "2026-11-27 16:00", True, False),  # later than now: yesterday
    ("à midi", "2026-11-28 12:00", True, False),
    ("à minuit", "2026-11-28 00:00", True, False),
    ("hier soir", "2026-11-27 20:00", True, False),
    ("hier soir vers 22h30", "2026-11-27 22:30", True, False),
    ("hier soir à 23h", "2026-11-27 23:00", True, False),
    ("hier soir à 9h", "2026-11-27 21:00", True, False),
    ("hier matin", "2026-11-27 08:00", True, False),
    ("hier après-midi", "2026-11-27 15:00", True, False),
    ("hier apres midi", "2026-11-27 15:00", True, False),
    ("hier ap-m", "2026-11-27 15:00", True, False),
    ("hier à 14h", "2026-11-27 14:00", True, False),
    ("hier a 14h30", "2026-11-27 14:30", True, False),
    ("hier vers 9 h", "2026-11-27 09:00", True, False),
    ("hier", "2026-11-27 00:00", False, False),
    ("avant-hier", "2026-11-26 00:00", False, False),
    ("avant hier à 10h", "2026-11-26 10:00", True, False),
    ("aujourd'hui", "2026-11-28 00:00", False, False),
    ("ajd à 10h", "2026-11-28 10:00", True, False),
    ("ce matin", "2026-11-28 08:00", True, False),
    ("ce matin vers 7h", "2026-11-28 07:00", True, False),
    ("depuis ce matin 7h impossible de se connecter", "2026-11-28 07:00", True, True),
    ("ce midi", "2026-11-28 12:00", True, False),
    ("cet après-midi", "2026-11-28 15:00", True, False),
    ("cet aprem vers 14h", "2026-11-28 14:00", True, False),
    ("cette nuit", "2026-11-28 03:00", True, False),
    ("cette nuit à 23h", "2026-11-27 23:00", True, False),
    ("vers 3h30 cette nuit", "2026-11-28 03:30", True, False),
    ("la nuit dernière", "2026-11-28 03:00", True, False),
    ("la nuit derniere entre 1h et 4h", "2026-11-28 01:00", True, True),
    ("dans la nuit de samedi à dimanche", "2026-11-22 03:00", True, False),
    ("dans la nuit du jeudi au vendredi", "2026-11-27 03:00", True, False),
    ("il y a deux heures", "2026-11-28 13:20", True, False),
    ("il y a 2h", "2026-11-28 13:20", True, False),
    ("il y a 2 heures", "2026-11-28 13:20", True, False),
    ("il y a 30 min", "2026-11-28 14:50", True, False),
    ("il y a une heure et demie", "2026-11-28 13:50", True, False),
    ("il y a environ dix minutes", "2026-11-28 15:10", True, False),
    ("il y a 3 jours", "2026-11-25 00:00", False, False),
    ("il y a une semaine", "2026-11-21 00:00", False, False),
    ("le 03/11 à 9h15", "2026-11-03 09:15", True, False),
    ("le 03/11", "2026-11-03 00:00", False, False),
    ("03/11/2026", "2026-11-03 00:00", False, False),
    ("3/11/26", "2026-11-03 00:00", False, False),
    ("le 25/12", "2025-12-25 00:00", False, False),  # later than now: last year
    ("le 3 novembre", "2026-11-03 00:00", False, False),
    ("le 1er novembre vers 8h", "2026-11-01 08:00", True, False),
    ("3 nov.", "2026-11-03 00:00", False, False),
    ("le 12 mars 2025 à 8h", "2025-03-12 08:00", True, False),
    ("2026-11-03 09:15", "2026-11-03 09:15", True, False),
    ("lundi dernier", "2026-11-23 00:00", False, False),
    ("lundi dernier à 14h", "2026-11-23 14:00", True, False),
    ("lundi", "2026-11-23 00:00", False, False),
    ("depuis vendredi", "2026-11-27 00:00", False, True),
    ("samedi matin", "2026-11-28 08:00", True, False),
    ("samedi dernier", "2026-11-21 00:00", False, False),
    ("vendredi soir", "2026-11-27 20:00", True, False),
    ("jeudi vers 17h", "2026-11-26 17:00", True, False),
    ("ce WE", "2026-11-28 00:00", False, False),
    ("le week-end dernier", "2026-11-21 00:00", False, False),
    ("depuis 9h le serveur ne répond plus", "2026-11-28 09:00", True, True),
    ("à partir de 8h30", "2026-11-28 08:30", True, True),
    ("depuis 3h du matin", "2026-11-28 03:00", True, True),
    ("vers 9h du soir", "2026-11-27 21:00", True, False),
    ("maintenant", "2026-11-28 15:20", True, False),
    ("à l'instant", "2026-11-28 15:20", True, False),
]


@pytest.mark.parametrize("text, expected, has_time, is_start", POSITIVE)
def test_resolves(text, expected, has_time, is_start):
    found = find_dates(text, NOW)
    assert len(found) == 1, found
    assert found[0].value.strftime("%Y-%m-%d %H:%M") == expected
    assert (found[0].has_time, found[0].is_start) == (has_time, is_start)
    assert found[0].value.tzinfo is not None


NEGATIVE = [
    "je suis le RSSI",
    "mars est une planète",
    "en mars on a changé de logiciel",
    "appelez le 06 12 34 56 78",
    "+33 6 12 34 56 78",
    "finess 750712184",
    "37 patients concernés",
    "environ 80 résidents",
    "la version v2.3 du DPI",
    "la CNIL doit être prévenue dans les 72 h",
    "un service ouvert 24h/24",
    "on a attendu pendant 2h",
    "le DPI est down depuis 4h",
    "le SAMU a 2 h de retard",
    "une garde de 12h",
    "plus de 3h sans réseau",
    "soirées et week-ends",
    "la h2 du bâtiment",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_not_a_date(text):
    assert find_dates(text, NOW) == []


def test_two_expressions_in_one_message():
    found = find_dates("la nuit dernière entre 1h et 4h, puis compte désactivé à 8h", NOW)
    assert [(m.value.hour, m.is_start) for m in found] == [(1, True), (8, False)]
    assert found[0].text == "la nuit dernière entre 1h et 4h"


def test_offsets_point_into_the_original_text():
    text = "Bonjour, hier à 14h30 le PACS était HS"
    (match,) = find_dates(text, NOW)
    assert text[match.start:match.end] == "hier à 14h30" == match.text


def test_night_in_progress():
    assert find_dates("cette nuit", EARLY)[0].value == datetime(2026, 11, 28, 0, 0, tzinfo=PARIS)
    assert find_dates("vers 3h cette nuit", EARLY)[0].value == datetime(2026, 11, 27, 3, 0, tzinfo=PARIS)


def test_early_morning_times_stay_in_the_past():
    assert find_dates("à 8h", MORNING)[0].value == datetime(2026, 11, 27, 8, 0, tzinfo=PARIS)
    assert find_dates("ce matin", MORNING)[0].value <= MORNING
    assert find_dates("ce soir", MORNING)[0].value <= MORNING


def test_nothing_is_in_the_future():
    texts = [t for t, *_ in POSITIVE]
    for now in (NOW, EARLY, MORNING):
        for text in texts:
            for match in find_dates(text, now):
                assert match.value <= now, (text, now)
