"""French dates and times, resolved against a fixed reference time in Paris."""

from datetime import datetime, timezone

import pytest

from bot.nlu.french_dates import PARIS, find_dates

NOW = datetime(2026, 11, 28, 15, 20, tzinfo=PARIS)  # a Saturday afternoon
EARLY = datetime(2026, 11, 28, 2, 30, tzinfo=PARIS)  # inside the night
MORNING = datetime(2026, 11, 28, 7, 0, tzinfo=PARIS)


def fmt(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


POSITIVE = [
    # (text, expected "YYYY-MM-DD HH:MM", has_time, is_start), now = Saturday 2026-11-28 15:20
    # --- a time alone: today, or yesterday when later than now
    ("panne de la baie SAN à 14h, le DPI est down", "2026-11-28 14:00", True, False),
    ("à 14h", "2026-11-28 14:00", True, False),
    ("a 14h", "2026-11-28 14:00", True, False),
    ("à 14 h", "2026-11-28 14:00", True, False),
    ("à 14h30", "2026-11-28 14:30", True, False),
    ("à 14 h 30", "2026-11-28 14:30", True, False),
    ("vers 14:30", "2026-11-28 14:30", True, False),
    ("à 14H", "2026-11-28 14:00", True, False),
    ("le PACS ne répond plus vers 9h40", "2026-11-28 09:40", True, False),
    ("vers 9h15 les imprimantes ont sorti des pages de rançon", "2026-11-28 09:15", True, False),
    # --- "les" before the hour after an approximation
    ("ce matin vers les 7 heures, en arrivant", "2026-11-28 07:00", True, False),
    ("aux alentours des 7h le serveur a redémarré", "2026-11-28 07:00", True, False),
    ("sur les 9h30 les appels ont commencé", "2026-11-28 09:30", True, False),
    ("il y a trois quarts d'heure, par l'alerte", "2026-11-28 14:35", True, False),
    ("il y a 3/4 d'heure", "2026-11-28 14:35", True, False),
    ("ya 3 quarts d'heure, un patient nous l'a montré", "2026-11-28 14:35", True, False),
    # --- a time that names a round of the day ("de" is not a duration there)
    ("l'aide-soignante l'a vu à la relève de 6h45", "2026-11-28 06:45", True, False),
    ("écran bleu aux alentours de 7h en réa", "2026-11-28 07:00", True, False),
    ("sur les coups de 11h", "2026-11-28 11:00", True, False),
    ("le disque a lâché sur le coup de 4h du matin", "2026-11-28 04:00", True, False),
    ("tout s'est arrêté sur le coup de minuit", "2026-11-28 00:00", True, False),
    ("autour de 10h le wifi a coupé", "2026-11-28 10:00", True, False),
    ("vers 3h le serveur de messagerie a redémarré", "2026-11-28 03:00", True, False),
    ("la première connexion date de 0h50", "2026-11-28 00:50", True, False),
    ("le premier chiffrement remonte à 2h10", "2026-11-28 02:10", True, False),
    ("à 16h", "2026-11-27 16:00", True, False),  # later than now: yesterday
    ("à midi", "2026-11-28 12:00", True, False),
    ("à midi et demi le standard a sauté", "2026-11-28 12:30", True, False),
    # minutes in words after an hour in words
    ("ce matin, à huit heures vingt, le site ne répondait plus", "2026-11-28 08:20", True, False),
    ("vers onze heures vingt-cinq", "2026-11-28 11:25", True, False),
    ("à sept heures cinquante selon l'hébergeur", "2026-11-28 07:50", True, False),
    # "13h passées": a little after 13h, the minutes not said
    ("hier à 13h passées, un patient nous l'a signalé", "2026-11-27 13:00", True, False),
    ("hier, en tout début d'après-midi, à 13 h 40", "2026-11-27 13:40", True, False),
    # the round of a time ("le tour de 5h", "celui de 4h") is no duration
    ("c'était pendant le tour de 5h", "2026-11-28 05:00", True, False),
    ("à minuit", "2026-11-28 00:00", True, False),
    ("à 3h du matin", "2026-11-28 03:00", True, False),
    ("à deux heures du matin", "2026-11-28 02:00", True, False),
    ("vers 9h du soir", "2026-11-27 21:00", True, False),
    ("14h : le DPI est down", "2026-11-28 14:00", True, False),
    ("- 14h10 les écrans deviennent noirs", "2026-11-28 14:10", True, False),
    ("le badge a été refusé 13:05 au bloc", "2026-11-28 13:05", True, False),
    # --- hier, avant-hier, aujourd'hui and their abbreviations
    ("hier", "2026-11-27 00:00", False, False),
    ("la boîte mail a été piratée hier", "2026-11-27 00:00", False, False),
    ("hier soir", "2026-11-27 20:00", False, False),
    ("hier soir vers 22h30 le firewall a lâché", "2026-11-27 22:30", True, False),
    ("hier soir à 23h", "2026-11-27 23:00", True, False),
    ("hier soir à 9h", "2026-11-27 21:00", True, False),
    ("hier matin", "2026-11-27 08:00", False, False),
    ("hier après-midi", "2026-11-27 15:00", False, False),
    ("hier apres midi", "2026-11-27 15:00", False, False),
    ("hier ap-m", "2026-11-27 15:00", False, False),
    ("hier aprem vers 16h", "2026-11-27 16:00", True, False),
    ("hier midi", "2026-11-27 12:00", True, False),  # noon is a time
    ("hier à 14h", "2026-11-27 14:00", True, False),
    ("hier a 14h30", "2026-11-27 14:30", True, False),
    ("hier vers 9 h", "2026-11-27 09:00", True, False),
    ("hier 18h le VPN est tombé", "2026-11-27 18:00", True, False),
    ("à 23h hier soir", "2026-11-27 23:00", True, False),
    ("hier en fin de journée", "2026-11-27 18:00", False, False),
    ("en fin de journée d'hier", "2026-11-27 18:00", False, False),
    ("hier dans la journée", "2026-11-27 00:00", False, False),
    ("avant-hier", "2026-11-26 00:00", False, False),
    ("avant hier à 10h", "2026-11-26 10:00", True, False),
    ("avant-hier soir", "2026-11-26 20:00", False, False),
    ("aujourd'hui", "2026-11-28 00:00", False, False),
    ("aujourd’hui vers 13h", "2026-11-28 13:00", True, False),
    ("ajd à 10h", "2026-11-28 10:00", True, False),
    ("auj vers 11h", "2026-11-28 11:00", True, False),
    ("aujourdhui", "2026-11-28 00:00", False, False),
    ("aujourd'hui à 18h", "2026-11-28 00:00", False, False),  # hour to come: only the day
    ("constaté ce jour vers 10h", "2026-11-28 10:00", True, False),
    ("nous avons relevé ce jour une connexion", "2026-11-28 00:00", False, False),
    # --- parts of today
    ("ce matin", "2026-11-28 08:00", False, False),
    ("ce matin vers 7h", "2026-11-28 07:00", True, False),
    ("à 8h ce matin", "2026-11-28 08:00", True, False),
    ("depuis ce matin 7h impossible de se connecter", "2026-11-28 07:00", True, True),
    ("depuis ce matin plus de mails", "2026-11-28 08:00", False, True),
    ("ce midi", "2026-11-28 12:00", True, False),
    ("ce mat vers 6h", "2026-11-28 06:00", True, False),
    ("vu ce mat en arrivant", "2026-11-28 08:00", False, False),
    # --- minutes before the hour
    ("à 8h moins 10", "2026-11-28 07:50", True, False),
    ("vu à la prise de service de 7h", "2026-11-28 07:00", True, False),
    ("la relève de 6h avait rien vu", "2026-11-28 06:00", True, False),
    ("à huit heures moins cinq", "2026-11-28 07:55", True, False),
    ("vers 7h moins 20 ce matin", "2026-11-28 06:40", True, False),
    ("à 6h moins vingt-cinq", "2026-11-28 05:35", True, False),
    ("à 6h moins vingt cinq", "2026-11-28 05:35", True, False),
    ("cet après-midi", "2026-11-28 15:00", False, False),
    ("cet apres-midi le logiciel de labo a planté", "2026-11-28 15:00", False, False),
    ("cet aprem vers 14h", "2026-11-28 14:00", True, False),
    ("dans la matinée", "2026-11-28 08:00", False, False),
    ("en fin de matinée", "2026-11-28 11:00", False, False),
    ("ce soir", "2026-11-28 15:20", False, False),  # evening to come: now
    # --- nights
    ("bjr, cette nuit vers 3h les postes des urgences ont affiché un msg de rancon", "2026-11-28 03:00", True, False),
    ("cette nuit", "2026-11-28 03:00", False, False),
    ("cette nuit à 23h", "2026-11-27 23:00", True, False),
    ("vers 3h30 cette nuit", "2026-11-28 03:30", True, False),
    ("dans la nuit, le SIH a été chiffré", "2026-11-28 03:00", False, False),
    ("la nuit dernière", "2026-11-28 03:00", False, False),
    ("la nuit derniere entre 1h et 4h", "2026-11-28 01:00", True, True),
    ("entre 1h et 4h cette nuit", "2026-11-28 01:00", True, True),
    ("dans la nuit de samedi à dimanche", "2026-11-22 03:00", False, False),
    ("dans la nuit de samedi à dimanche vers 2h", "2026-11-22 02:00", True, False),
    ("dans la nuit du jeudi au vendredi", "2026-11-27 03:00", False, False),
    ("dans la nuit du 2 au 3 novembre", "2026-11-03 03:00", False, False),
    ("dans la nuit d'hier à aujourd'hui", "2026-11-28 03:00", False, False),
    ("avant-hier dans la nuit, première connexion", "2026-11-26 23:00", False, False),  # the day named
    ("hier dans la nuit", "2026-11-27 23:00", False, False),
    ("dans la nuit d'hier", "2026-11-27 23:00", False, False),
    ("hier dans la nuit vers 2h", "2026-11-28 02:00", True, False),  # the night's hours: its morning
    ("avant-hier dans la nuit vers 23h", "2026-11-26 23:00", True, False),
    ("tout à l'heure vers 9h", "2026-11-28 09:00", True, False),  # the time, not now
    ("dans la nuit de hier à aujourd'hui, vers 3h", "2026-11-28 03:00", True, False),
    ("ce matin un peu avant 9h", "2026-11-28 09:00", True, False),  # about 9h
    ("juste après 14h", "2026-11-28 14:00", True, False),
    ("il y a une dizaine de jours", "2026-11-18 00:00", False, False),
    ("il y a une vingtaine de minutes", "2026-11-28 15:00", True, False),
    ("on s'en est rendu compte il y a une petite heure", "2026-11-28 14:20", True, False),
    ("il y a une bonne demi-heure", "2026-11-28 14:50", True, False),
    ("ça fait un petit quart d'heure", "2026-11-28 15:05", True, True),  # since then
    ("il y a deux bonnes heures", "2026-11-28 13:20", True, False),
    ("les premiers accès remontent à une quinzaine de jours", "2026-11-13 00:00", False, True),
    ("les premiers chiffrements remontent à 0h45", "2026-11-28 00:45", True, False),  # a time, not 45 minutes ago
    # --- relative
    ("il y a deux heures", "2026-11-28 13:20", True, False),
    # a word of measure before the number, and "voici" for "il y a"
    ("il y a un peu plus de deux heures", "2026-11-28 13:20", True, False),
    ("il y a à peine trois heures", "2026-11-28 12:20", True, False),
    ("ça fait bien une heure", "2026-11-28 14:20", True, True),
    ("ça fait maintenant 1h50 environ", "2026-11-28 13:30", True, True),
    ("voici quatre heures environ, le standard nous a alertés", "2026-11-28 11:20", True, False),
    # the same time ago said again to the minute: not the clock time 1 h 40 of the night
    ("il y a un peu moins de deux heures, 1 h 40, un patient a appelé", "2026-11-28 13:40", True, False),
    ("il y a 2h", "2026-11-28 13:20", True, False),
    ("il y a 2 heures", "2026-11-28 13:20", True, False),
    ("il y a 30 min", "2026-11-28 14:50", True, False),
    ("il y a une heure et demie", "2026-11-28 13:50", True, False),
    ("il y a une heure trois quarts", "2026-11-28 13:35", True, False),
    ("ça fait deux heures trois quarts que le réseau est tombé", "2026-11-28 12:35", True, True),
    ("ya une dizaine d heures", "2026-11-28 05:20", True, False),  # "d'heures" typed without its apostrophe
    ("ya trois quarts d heure", "2026-11-28 14:35", True, False),
    ("ça fait maintenant à peu près six heures", "2026-11-28 09:20", True, True),  # two words of measure
    ("le vol remonterait à environ trois semaines", "2026-11-07 00:00", False, True),  # when it began
    ("les premiers messages datent de 3h12", "2026-11-28 03:12", True, False),
    ("le réveil du poste de soins marque quatre heures vingt", "2026-11-28 04:20", True, False),  # a clock read
    # a time to the minute with "à peu près" after it is a time; a duration is said so ("a duré")
    ("le chef de poste l'a vu, 5h40 a peu pres", "2026-11-28 05:40", True, False),
    ("il y a 1h30", "2026-11-28 13:50", True, False),
    ("il y a une demi-heure", "2026-11-28 14:50", True, False),
    ("il y a environ dix minutes", "2026-11-28 15:10", True, False),
    ("ya 2h le standard a planté", "2026-11-28 13:20", True, False),
    ("il y a 3 jours", "2026-11-25 00:00", False, False),
    ("il y a trois jours vers 14h", "2026-11-25 14:00", True, False),
    ("il y a une semaine", "2026-11-21 00:00", False, False),
    ("il y a un mois", "2026-10-28 00:00", False, False),
    ("maintenant", "2026-11-28 15:20", True, False),
    ("Là maintenant !", "2026-11-28 15:20", True, False),
    ("à l'instant", "2026-11-28 15:20", True, False),
    ("tout à l'heure le lecteur de badge a bipé", "2026-11-28 15:20", True, False),
    # --- durations that say when something began
    ("le serveur rame depuis 2h déjà", "2026-11-28 13:20", True, True),
    ("depuis plus de 4h plus de réseau", "2026-11-28 11:20", True, True),
    ("depuis deux heures les mails partent en spam", "2026-11-28 13:20", True, True),
    ("depuis 30 min plus rien ne s'imprime", "2026-11-28 14:50", True, True),
    ("ça fait 3 jours que le PACS rame", "2026-11-25 00:00", False, True),
    # --- absolute dates
    ("le 03/11 à 9h15", "2026-11-03 09:15", True, False),
    ("à 9h15 le 03/11", "2026-11-03 09:15", True, False),
    ("le 03/11", "2026-11-03 00:00", False, False),
    ("03/11/2026", "2026-11-03 00:00", False, False),
    ("3/11/26", "2026-11-03 00:00", False, False),
    ("03/11/2026 09:15", "2026-11-03 09:15", True, False),
    ("le 03.11.2026", "2026-11-03 00:00", False, False),
    ("le 25/12", "2025-12-25 00:00", False, False),  # later than now: last year
    ("le 3 novembre", "2026-11-03 00:00", False, False),
    ("le 3 décembre", "2025-12-03 00:00", False, False),
    ("3 novembre 2026", "2026-11-03 00:00", False, False),
    ("le 1er novembre vers 8h", "2026-11-01 08:00", True, False),
    ("3 nov.", "2026-11-03 00:00", False, False),
    ("le lundi 2 novembre", "2026-11-02 00:00", False, False),
    ("le 12 mars 2025 à 8h", "2025-03-12 08:00", True, False),
    ("le 12 mars", "2026-03-12 00:00", False, False),
    ("2026-11-03 09:15", "2026-11-03 09:15", True, False),
    ("2026-11-03T09:15:00Z", "2026-11-03 10:15", True, False),
    ("2026-11-03", "2026-11-03 00:00", False, False),
    # --- weekdays and weekends
    ("lundi dernier", "2026-11-23 00:00", False, False),
    ("lundi dernier à 14h", "2026-11-23 14:00", True, False),
    ("lundi", "2026-11-23 00:00", False, False),
    ("samedi", "2026-11-28 00:00", False, False),  # today's weekday: today
    ("samedi dernier", "2026-11-21 00:00", False, False),  # never today
    ("lundi de la semaine dernière", "2026-11-16 00:00", False, False),
    ("depuis vendredi", "2026-11-27 00:00", False, True),
    ("samedi matin", "2026-11-28 08:00", False, False),
    ("samedi soir", "2026-11-21 20:00", False, False),  # tonight is still to come
    ("vendredi soir", "2026-11-27 20:00", False, False),
    ("mercredi 14h", "2026-11-25 14:00", True, False),
    ("jeudi vers 17h", "2026-11-26 17:00", True, False),
    ("vendredi dans la nuit", "2026-11-27 23:00", False, False),  # the day they named
    ("dans la soirée de vendredi", "2026-11-27 20:00", False, False),
    ("ce WE", "2026-11-28 00:00", False, False),
    ("ce w-e", "2026-11-28 00:00", False, False),
    ("ce week-end", "2026-11-28 00:00", False, False),
    ("le week-end dernier", "2026-11-21 00:00", False, False),
    ("le WE dernier", "2026-11-21 00:00", False, False),
    # --- beginnings
    ("depuis 9h le serveur ne répond plus", "2026-11-28 09:00", True, True),
    ("à partir de 8h30", "2026-11-28 08:30", True, True),
    ("dès 8h les urgences sont passées en mode dégradé", "2026-11-28 08:00", True, True),
    ("depuis 3h du matin", "2026-11-28 03:00", True, True),
    ("depuis hier 18h", "2026-11-27 18:00", True, True),
    ("depuis le 03/11", "2026-11-03 00:00", False, True),
    ("à partir d'hier soir", "2026-11-27 20:00", False, True),
    ("l'attaque a commencé hier vers 23h", "2026-11-27 23:00", True, True),
    ("début de la panne : 14h30", "2026-11-28 14:30", True, True),
    ("entre 1h et 4h", "2026-11-28 01:00", True, True),
    ("entre 22h et 2h", "2026-11-27 22:00", True, True),
    ("de 9h à 11h le réseau a coupé", "2026-11-28 09:00", True, True),
    ("entre 1 et 4h du matin", "2026-11-28 01:00", True, True),
    ("hier entre 14h et 16h", "2026-11-27 14:00", True, True),
    # --- minutes in words after midnight and noon, numbers of days in two words
    ("le détecteur a sonné cette nuit à minuit quarante", "2026-11-28 00:40", True, False),
    ("la caméra montre la fumée dès minuit cinq", "2026-11-28 00:05", True, True),
    ("le local a chauffé depuis minuit et quart environ", "2026-11-28 00:15", True, True),
    # an hour past 6 made approximate is when it began ("depuis 2h environ" stays two hours)
    ("la liaison est coupée depuis 8 h 05 environ", "2026-11-28 08:05", True, True),
    ("plus de réseau depuis 11h à peu près", "2026-11-28 11:00", True, True),
    ("ça ne répond plus depuis 2h environ", "2026-11-28 13:20", True, True),
    ("la messagerie est tombée à midi vingt-cinq", "2026-11-28 12:25", True, False),
    ("le faux RIB est arrivé il y a vingt-trois jours", "2026-11-05 00:00", False, False),
    ("le premier courriel date d'il y a trente et un jours", "2026-10-28 00:00", False, False),
    # --- "juste avant minuit" is the end of that day; a clock said after it says it more precisely
    ("le disque a lâché hier juste avant minuit", "2026-11-27 23:59", True, False),
    ("la requête est partie avant-hier peu avant minuit, 23:56 d'après les journaux", "2026-11-26 23:56", True, False),
    # --- a time that names one event of the day, after a definite article
    ("au branchement des dialysés de 6h15 plus rien ne marchait", "2026-11-28 06:15", True, False),
    ("lors de la distribution des médicaments de 8h10, écran noir", "2026-11-28 08:10", True, False),
]


@pytest.mark.parametrize("text, expected, has_time, is_start", POSITIVE)
def test_resolves(text, expected, has_time, is_start):
    found = find_dates(text, NOW)
    assert len(found) == 1, found
    assert fmt(found[0].value) == expected
    assert (found[0].has_time, found[0].is_start) == (has_time, is_start)
    assert found[0].value.tzinfo is not None


SPANS = [
    ("hier soir vers 22h30 le firewall a lâché", "hier soir vers 22h30"),
    ("bjr, cette nuit vers 3h les postes ont affiché un msg de rancon", "cette nuit vers 3h"),
    ("voir la nuit de samedi à dimanche, les sauvegardes", "la nuit de samedi à dimanche"),
    ("envoyé le 03/11 à 9h15 par le fournisseur", "le 03/11 à 9h15"),
    ("la nuit dernière entre 1h et 4h", "la nuit dernière entre 1h et 4h"),
    ("depuis ce matin 7h impossible de se connecter", "depuis ce matin 7h"),
    ("l'attaque a commencé hier vers 23h", "hier vers 23h"),
    ("lundi dernier à 14h le DPI a gelé", "lundi dernier à 14h"),
    ("Le PACS est HS depuis 2h déjà.", "depuis 2h déjà"),
    ("relevé 3 nov. au soir", "3 nov. au soir"),
]


@pytest.mark.parametrize("text, span", SPANS)
def test_matched_text(text, span):
    (match,) = find_dates(text, NOW)
    assert match.text == span == text[match.start : match.end]


AT_OTHER_TIMES = [
    # (now, text, expected, has_time)
    (EARLY, "cette nuit", "2026-11-28 00:00", False),  # the night in progress
    (EARLY, "cette nuit vers 1h", "2026-11-28 01:00", True),
    (EARLY, "vers 3h cette nuit", "2026-11-27 03:00", True),  # 03:00 today is to come
    (EARLY, "la nuit dernière", "2026-11-27 03:00", False),
    (EARLY, "cette nuit à 23h", "2026-11-27 23:00", True),
    (EARLY, "ce soir", "2026-11-27 20:00", False),
    (EARLY, "à 14h", "2026-11-27 14:00", True),
    (EARLY, "samedi matin", "2026-11-21 08:00", False),
    (EARLY, "dans la nuit de vendredi à samedi", "2026-11-28 00:00", False),
    (EARLY, "il y a 2h", "2026-11-28 00:30", True),
    (EARLY, "à minuit", "2026-11-28 00:00", True),
    (MORNING, "ce matin", "2026-11-28 07:00", False),  # 08:00 is to come: now
    (MORNING, "ce matin vers 7h", "2026-11-28 07:00", True),
    (MORNING, "à 8h", "2026-11-27 08:00", True),
    (MORNING, "cette nuit", "2026-11-28 03:00", False),
    (MORNING, "la nuit dernière", "2026-11-28 03:00", False),
    (MORNING, "samedi matin", "2026-11-28 07:00", False),
    (MORNING, "ce soir", "2026-11-28 07:00", False),
]


@pytest.mark.parametrize("now, text, expected, has_time", AT_OTHER_TIMES)
def test_resolves_at_other_times(now, text, expected, has_time):
    (match,) = find_dates(text, now)
    assert (fmt(match.value), match.has_time) == (expected, has_time)


NEGATIVE = [
    "ce matériel est neuf",
    "une coupure de 2h moins 10 min",
    "au CHS de Sevrey (l'EPSM 71 maintenant), audit terminé",
    "plus rien ne marche maintenant",
    "je suis le RSSI",
    "mars est une planète",
    "en mars on a changé de logiciel",
    "les rdv de mai sont perdus",
    "bonsoir, le réseau est lent",
    "soirées et week-ends",
    "le service est ouvert H24",
    "la h2 du bâtiment",
    "appelez le 06 12 34 56 78",
    "+33 6 12 34 56 78",
    "appelez le 06.12.34.56.78",
    "finess 750712184",
    "37 patients concernés",
    "environ 80 résidents",
    "la version v2.3 du DPI",
    "version 2.3.10 du logiciel",
    "l'IP 10.12.12.25 est bannie",
    "la CNIL doit être prévenue dans les 72 h",
    "à déclarer sous 72h",
    "un service ouvert 24h/24",
    "on a attendu pendant 2h",
    "pendant 1h30 plus de réseau",
    "la panne a duré 2h30",
    "durée : 2h",
    "le DPI est down depuis 4h",  # 04:00 or four hours? say nothing
    "le SAMU a 2 h de retard",
    "une garde de 12h",
    "une coupure de 2h30 au total",
    "vers les urgences du CHU",
    "sur les 12h de garde",
    "un poste de 12h30 en réanimation",
    "plus de 3h sans réseau",
    "on relance toutes les 2h",
    "3/4 des postes sont touchés",
    "une note de 10/10",
    "le 15 est prévenu",
    "le fichier hiérarchique est corrompu",
    "rendez-vous lundi prochain",
    "on relance demain à 14h",  # a future day keeps its hour from being read alone
    "on a deux heures pour répondre",
    "on a 2h pour répondre",
    "le 3 décembre 2026",  # the day is still to come: no past reading
    "une dizaine de patients touchés",
    "à régler avant 9h",  # a deadline, not an approximate time
    "le délai de 12h est dépassé",  # a duration named as such
    "pendant la coupure de 3h les soins ont continué",
    "le serveur a redémarré au bout de 2h",
    "la sauvegarde de 23h est saine",  # an event's round hour: not read as a time of the incident
    "la bascule a duré 1h20 environ",
    "une interruption de 3h15 à peu près",
    "c'est trois heures de travail perdues",
    "aucune anomalie relevée à ce jour",  # "so far", not "today"
    "rien n'a été exfiltré jusqu'à ce jour",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_not_a_date(text):
    assert find_dates(text, NOW) == []


def test_two_expressions_in_one_message():
    found = find_dates("la nuit dernière entre 1h et 4h, puis compte désactivé à 8h", NOW)
    assert [(fmt(m.value), m.is_start) for m in found] == [("2026-11-28 01:00", True), ("2026-11-28 08:00", False)]
    assert [m.text for m in found] == ["la nuit dernière entre 1h et 4h", "à 8h"]


def test_start_and_detection_in_one_message():
    found = find_dates("cliqué hier, depuis ce matin la boîte envoie du spam", NOW)
    assert [(m.text, fmt(m.value), m.has_time, m.is_start) for m in found] == [
        ("hier", "2026-11-27 00:00", False, False),
        ("depuis ce matin", "2026-11-28 08:00", False, True),
    ]


@pytest.mark.parametrize(
    "text",
    ["un dégât des eaux survenu cette nuit vers 1h", "la coupure s'est produite vers 1h", "ca s est produit vers 1h"],
)
def test_when_it_happened_is_when_it_began(text):
    (match,) = find_dates(text, NOW)
    assert (fmt(match.value), match.is_start) == ("2026-11-28 01:00", True)


# The cases of invented precision: a time only when the person gave one.
@pytest.mark.parametrize(
    "text, expected, has_time, is_start",
    [
        ("cette nuit", "2026-11-28 03:00", False, False),
        ("ce matin", "2026-11-28 08:00", False, False),
        ("depuis 6h ce matin", "2026-11-28 06:00", True, True),
        ("vers 6h ce matin", "2026-11-28 06:00", True, False),
        ("avant-hier soir", "2026-11-26 20:00", False, False),
        ("il y a deux heures", "2026-11-28 13:20", True, False),
        ("depuis 5h du matin le DPI rame", "2026-11-28 05:00", True, True),
        # the small hours of the day named, not of the next one ("samedi nuit" starts on saturday)
        ("les accès datent d'il y a quatre jours, en fin de nuit", "2026-11-24 05:00", False, False),
        ("hier en fin de nuit", "2026-11-27 05:00", False, False),
        ("au petit matin", "2026-11-28 07:00", False, False),
        ("avant-hier au petit matin", "2026-11-26 07:00", False, False),
    ],
)
def test_no_invented_precision(text, expected, has_time, is_start):
    (match,) = find_dates(text, NOW)
    assert (fmt(match.value), match.has_time, match.is_start) == (expected, has_time, is_start)


@pytest.mark.parametrize(
    "text",
    [
        "la patiente née le 12/03/1950 a vu son dossier consulté",
        "Mme X, date de naissance : 1er mars 1960, son dossier est sorti",
        "DDN 03/04/1987 dans le mail envoyé au mauvais destinataire",
        "patient né en 1962",
    ],
)
def test_a_date_of_birth_is_never_an_incident_date(text):
    assert find_dates(text, NOW) == []


def test_offsets_point_into_the_original_text():
    text = "Bonjour, hier à 14h30 le PACS était HS"
    (match,) = find_dates(text, NOW)
    assert (match.start, match.end) == (9, 21)
    assert text[match.start : match.end] == "hier à 14h30" == match.text


def test_now_in_another_timezone_and_with_seconds():
    now = datetime(2026, 11, 28, 14, 20, 45, tzinfo=timezone.utc)  # 15:20:45 in Paris
    (match,) = find_dates("maintenant", now)
    assert match.value == NOW and match.value.tzinfo == PARIS


def test_empty_text():
    assert find_dates("", NOW) == []


def test_values_are_past_and_whole_minutes():
    texts = [t for t, *_ in POSITIVE] + [t for _, t, *_ in AT_OTHER_TIMES]
    for now in (NOW, EARLY, MORNING):
        for text in texts:
            for match in find_dates(text, now):
                assert match.value <= now, (text, now)
                assert (match.value.second, match.value.microsecond) == (0, 0)
                assert match.value.utcoffset() == match.value.astimezone(PARIS).utcoffset()


@pytest.mark.parametrize(
    "text, rolling",
    [("vers 9h", True), ("16h30 :", True), ("hier vers 9h", False), ("ce matin à 6h", False), ("il y a 2h", False)],
)
def test_a_time_with_no_day_of_its_own_is_marked_rolling(text, rolling):
    assert [m.rolling for m in find_dates(text, NOW)] == [rolling]


def test_a_time_set_aside_is_read_too():
    # the correction needs both to know which time it puts right; "pas 2 h de panne" stays a duration
    found = find_dates("c'était à 9 h, pas 11 h", NOW)
    assert [fmt(m.value) for m in found] == ["2026-11-28 09:00", "2026-11-28 11:00"]
    assert find_dates("il n'y a pas eu 2 h de panne", NOW) == []


def test_a_round_named_with_its_hour_in_words_is_a_time():
    found = find_dates("vu pendant la ronde de quatre heures", NOW)
    assert [fmt(m.value) for m in found] == ["2026-11-28 04:00"]
    assert find_dates("la coupure a duré quatre heures", NOW) == []
