"""Find French date/time expressions in incident reports and resolve them.

Pure Python (no Rasa): ``find_dates(text, now)`` returns non-overlapping
``DateMatch`` objects in text order.  Matching is done on ``fold(text)``
(lower-cased, accents stripped, one character per character), so offsets
point into the original and "apres-midi", "a 14h", "deja" work.

Spans
    A span covers the expression with its own prepositions, Duckling style:
    "à 14h", "vers 3h", "le 03/11 à 9h15", "depuis hier", "entre 1h et 4h".
    Verbs that mark a beginning ("a commencé", "début de la panne") set
    ``is_start`` but stay outside the span.  Overlaps: the longest wins.

Resolution (reference ``now`` converted to Europe/Paris, floored to the
minute).  Reports describe the past, so every value is <= now:

* Rolling expressions take the most recent past reading: a bare time
  ("à 14h") is today, else yesterday; a weekday ("lundi", "depuis vendredi",
  "samedi soir") is the most recent such day, today included ("lundi
  dernier" excludes today); a day/month without year is this year, else last
  year; "cette nuit à 5h" at 02:30 is the previous night.
* Fixed anchors (aujourd'hui, hier, avant-hier, ce matin, ce WE, il y a N
  jours, a date with its year) have one reading.  With an explicit hour in
  the future ("aujourd'hui à 18h" at 15:20) only the day is kept
  (has_time=False); a date whose day itself is in the future yields nothing.
* Parts of day carry an approximate hour, which is not a time the person
  gave (has_time=False: the form asks the hour): matin 08:00, après-midi
  15:00, soir 20:00, nuit 03:00 of the night's morning; midi is noon, a
  time ("hier midi" 12:00, has_time=True)
  (début/milieu/fin refine them, e.g. "en fin de journée" 18:00).  When that
  hour is still to come on the current day and the part has begun (or the day
  is fixed, as in "ce matin" at 07:00), the value is ``now``; for the night in
  progress (now before 03:00) it is 00:00 today.  "ce soir" said before 06:00
  means yesterday evening.  "journée" alone gives no hour.
* Nights: "cette nuit" / "dans la nuit" is the night ending this morning;
  a night named by its day with no hour ("hier dans la nuit", "avant-hier
  dans la nuit", "vendredi dans la nuit") keeps that day: 23:00 of it,
  has_time=False, so that the day kept is the one the person said;
  "la nuit dernière" is the same, except before 06:00 where it is the previous
  night.  "la nuit de samedi à dimanche" (or "samedi nuit") ends on the most
  recent Sunday, 03:00.  Hours in a night: 0-6h belong to its morning, 7-11h
  are read as evening (+12) and later hours belong to the evening before:
  "cette nuit à 23h" -> yesterday 23:00.
* An explicit hour beats the part of day: "ce matin vers 7h" -> 07:00, "hier
  soir à 11h" -> yesterday 23:00.  "du matin"/"du soir"/"de l'après-midi"
  after an hour are honoured.
* Weekend: "ce WE" is the most recent Saturday (today included), "le
  week-end dernier" the Saturday before the current weekend; has_time=False.
* Relative: "il y a 2h / 30 min / une heure et demie" -> now minus the
  duration; "il y a 3 jours / une semaine / un mois" -> that day,
  has_time=False.  "à l'instant", "tout à l'heure" -> now; "maintenant" only
  as a whole answer (in a sentence it tells a state: "ça ne marche plus maintenant").
  "depuis N jours/minutes", "ça fait 2h (que)" -> now minus the duration,
  is_start=True.
* "depuis 9h" is the clock time 09:00 (is_start), and so is an hour past 6 made
  approximate ("depuis 9 h 10 environ").  "depuis 4h" is ambiguous
  (since 04:00, or for four hours?): with an hour up to 6, no minutes and no
  part of day after it ("du matin", "ce matin"), it gives no match.  With a duration cue it is now minus the
  duration (is_start): a word number ("depuis deux heures"), a qualifier
  before ("plus de", "au moins", "environ"...) or a cue after ("déjà", "de
  temps", "maintenant", "d'affilée"...), e.g. "depuis 4h déjà".
* "entre 1h et 4h" / "de 22h à 2h" -> one match valued at the first bound,
  is_start=True.  "depuis", "à partir de", "à compter de", "dès" -> is_start.

A date right after "né(e) le", "date de naissance" or "DDN" is a patient's, never
reported.

Noise guards: a bare hour needs a preposition, minutes, a day next to it
("hier 14h") or to open a clause ("14h : DPI down"); hours after duration
words ("pendant", "en", "sous", "dans les", "de", "durée :") or before
"de"/"d'"/"/" are durations, not times ("72 h", "2h de panne", "24h/24").
"03/11" without year needs "le"/"du"/"au", a weekday or an attached time.
Month names need a day number ("mars" alone is the planet).
"""

from __future__ import annotations

import calendar
import re
import zoneinfo
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

from bot.nlu.text import fold

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    text: str
    value: datetime
    has_time: bool
    is_start: bool
    rolling: bool = False  # a time with no day of its own ("vers 9h"): today if past, else yesterday


# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

_UNITS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
}  # fmt: skip
_TEENS = {
    "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
    "dix-sept": 17, "dix-huit": 18, "dix-neuf": 19,
}  # fmt: skip
_TENS = {"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50}


def _compound_numbers() -> dict:
    """1 to 59 in words: "vingt-trois jours", "il y a trente et un jours" ("vingt et un" is written with or without
    hyphens; _number and the patterns read a space as a hyphen)."""
    numbers = {**_UNITS, **_TEENS, **_TENS}
    for ten, tens in _TENS.items():
        numbers[f"{ten}-et-un"] = numbers[f"{ten}-et-une"] = tens + 1
        numbers.update({f"{ten}-{unit}": tens + n for unit, n in _UNITS.items() if n > 1})
    return numbers


_NUMBERS = _compound_numbers()
# "une dizaine de jours": about ten
_APPROX_NUMBERS = {
    "dizaine": 10,
    "douzaine": 12,
    "quinzaine": 15,
    "vingtaine": 20,
    "trentaine": 30,
    "quarantaine": 40,
    "cinquantaine": 50,
    "centaine": 100,
}
_APPROX_NUM = "|".join(_APPROX_NUMBERS)
_WORD_NUM = "|".join(w.replace("-", "[- ]") for w in sorted(_NUMBERS, key=len, reverse=True))

_WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_WD = "|".join(_WEEKDAYS)

_MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))

# part -> {qualifier: default hour}; the night's hours follow _night_clock.
_PART_HOURS = {
    "matin": {None: 8, "debut": 7, "milieu": 10, "fin": 11},
    "midi": {None: 12},
    "aprem": {None: 15, "debut": 14, "milieu": 15, "fin": 17},
    "soir": {None: 20, "debut": 19, "milieu": 21, "fin": 22},
    "nuit": {None: 3, "debut": 23, "milieu": 3, "fin": 5},
    "journee": {None: None, "debut": 8, "milieu": 12, "fin": 18},
}
# hour from which a part of the current day is considered begun
_PART_BEGINS = {"matin": 5, "midi": 11, "aprem": 12, "soir": 17, "journee": 0}

_PART_WORD = r"matinee|matin|apres[- ]?midi|aprem|ap[-.]?m|midi|soiree|soir|nuit"

# --------------------------------------------------------------------------
# Regular expressions (applied to the normalised text)
# --------------------------------------------------------------------------

_HOUR = r"(?:[01]?\d|2[0-3])"
# "moins le quart", "moins 10", "moins cinq": minutes before the hour
_FRAC = r"et\s+demie?|et\s+quart|moins\s+(?:le\s+quart|quart|(?:[1-5]\d|[1-9])(?![\d\s]*h)|dix|cinq|vingt(?:[- ]cinq)?)"
# "huit heures vingt": minutes said in words after an hour said in words
_MINUTE_WORDS = {word: n for word, n in _NUMBERS.items() if n >= 5}
_MINUTE_WORD = "|".join(w.replace("-", "[- ]") for w in sorted(_MINUTE_WORDS, key=len, reverse=True))
_SUFFIX = r"du\s+mat(?:in)?|de\s+l'apres[- ]?midi|de\s+l'aprem|du\s+soir|de\s+la\s+nuit"


def _clock_pattern(t: str) -> str:
    return rf"""(?:
        (?<![\w.,:/'])(?P<h{t}>{_HOUR})\s?(?:heures?|h)
            (?:\s?(?P<m{t}>[0-5]\d)(?:\s?(?:min|mn))?|\s+(?P<f{t}>{_FRAC}))?
      | (?<![\w.,:/'])(?P<hc{t}>{_HOUR}):(?P<mc{t}>[0-5]\d)(?::[0-5]\d)?
      | (?<![\w'-])(?P<hw{t}>{_WORD_NUM})\s+heures?(?:\s+(?P<fw{t}>{_FRAC})|\s+(?P<mw{t}>{_MINUTE_WORD}))?
      | (?<![\w'-])(?P<n{t}>midi|minuit)(?:\s+(?P<fn{t}>{_FRAC})|\s+(?P<mn{t}>{_MINUTE_WORD}))?
    )
    (?:\s+(?P<s{t}>{_SUFFIX}))?
    (?:\s+passee?s?)?  # "à 13h passées": a little after 13h, the minutes not said
    (?![\w/:])"""


_APPROX_PREPS = (
    r"vers(?:\s+les)?|aux\s+alentours\s+de?s?|autour\s+de?s?|aux\s+environs\s+de?s?|sur\s+les?\s+coups?\s+de"
    r"|sur\s+les"  # "vers les 7 heures", "aux alentours des 7h", "sur les 7h"
    r"|(?:un\s+)?peu\s+(?:avant|apres)|juste\s+(?:avant|apres)"  # "un peu avant 9h" is about 9h
)
# "la première connexion date de 0h50": when it happened ("une coupure de 2h" stays a duration)
_REMONTE_A = r"remont(?:e|ent|ait|aient|erait|eraient)\s+a"  # "ça remonte à 3h", "ça remonterait à 2 jours"
_DATING_PREPS = rf"dat(?:e|ent|ait|aient|ant)\s+de|{_REMONTE_A}"
_START_PREPS = r"depuis|a\s+partir\s+de|a\s+compter\s+de|des"
_TIME_RE = re.compile(
    rf"(?:(?<![\w'])(?P<prep>a|{_APPROX_PREPS}|{_DATING_PREPS}|{_START_PREPS})\s+)?{_clock_pattern('')}",
    re.X,
)
_RANGE_RE = re.compile(
    rf"""(?<![\w'])(?:(?P<rp>entre|de|du|depuis)\s+)?
    (?:{_clock_pattern("1")}|(?<![\w.,:/'])(?P<hb>{_HOUR}))
    \s*(?:et|a|au|jusqu'a|-)\s*
    {_clock_pattern("2")}""",
    re.X,
)

_QUAL = (
    r"(?:un\s+peu\s+)?(?:plus|moins)\s+de|au\s+moins|pres\s+de|pas\s+loin\s+de|presque|bientot|environ"
    r"|a\s+peu\s+pres|deja|quasiment|a\s+peine|tout\s+juste|juste|bien|maintenant"
)
# "une petite heure", "une bonne demi-heure", "un petit quart d'heure": about that long
_ABOUT = r"(?:petite?|bonne?|bon)s?"
_DURATION = rf"""(?:(?P<qual>(?:{_QUAL})(?:\s+(?:{_QUAL}))?)\s+)?
    (?:
        (?P<demi>une\s+(?:{_ABOUT}\s+)?demi[- ]?heure)
      | (?P<quart>un\s+(?:{_ABOUT}\s+)?quart\s+(?:d'\s*|d\s+)heure)
      | (?P<tquart>(?:(?:trois|3)\s+quarts?|3/4)\s+(?:d'\s*|d\s+)heure)
      | (?:une\s+)?(?P<approx>{_APPROX_NUM})\s+(?:de\s+|d'\s*|d\s+)(?P<aunit>heures?|minutes?|jours?|semaines?|mois)
      | (?<![\w.,:/])(?P<n>\d{{1,3}}|{_WORD_NUM})\s*(?:{_ABOUT}\s+)?
        (?P<unit>heures?|hrs?|h|minutes?|mins?|mn|jours?|j|semaines?|sem|mois)
        (?:\s?(?P<dm>[0-5]\d)(?:\s?(?:min|mn))?|\s+et\s+(?P<frac>demie?|quart)|\s+(?P<fq>trois\s+quarts))?
    )(?![\w/])"""
_DUR_CUE = (
    r"deja|de\s+temps|d'affilee|maintenant|non[- ]?stop|en\s+continu"
    r"|sans\s+interruption|environ|a\s+peu\s+pres|au\s+moins"
)
# "il y a dix jours"; "ça remonte à une dizaine de jours" is when it began
_AGO_RE = re.compile(rf"(?<![\w'])(?:(?:il\s*)?y\s*a|voici|(?P<dating>{_REMONTE_A}))\s+{_DURATION}", re.X)
# "il y a un peu plus de deux heures, 2 h 10": the same time ago, to the minute
_AGO_RESTATED = re.compile(r"[\s,(:]{1,4}(?:soit\s+|exactement\s+)?(?P<h>\d{1,2})\s?h\s?(?P<m>[0-5]\d)(?![\w/])")
RESTATED_WITHIN = 30  # minutes between the duration said in words and the one in figures
_SINCE_RE = re.compile(
    rf"(?<![\w'])(?:depuis|(?:ca|cela)\s+fait|voila)\s+{_DURATION}"
    rf"(?P<post>\s+(?:{_DUR_CUE})(?!\w))?(?:\s+que(?!\w))?",
    re.X,
)
_NOW_RE = re.compile(r"(?<![\w'])(?:maintenant|a\s+l'instant|tout\s+a\s+l'heure)(?!\w)")
_NOW_ALONE = re.compile(r"\W*(?:(?:la|juste)\s+)?maintenant(?:\s+meme)?\W*$")
_TIME_AFTER = re.compile(rf"[\s,]*(?:(?:{_APPROX_PREPS}|a|des)\s+)?\d")

# "à ce jour", "jusqu'à ce jour" say "so far", not "today" ("aucune fuite constatée à ce jour")
_TODAY_RE = re.compile(r"(?<![\w'])(?:aujourd'?\s?hui|auj|ajd|aujd|ajrd|(?<!\ba\s)ce\s+jour(?!\s*-?\s*la(?!\w)))(?!\w)")
_YESTERDAY_RE = re.compile(r"(?<!\w)(?P<before>avant[- ]?)?hier(?!\w)")
_WEEKDAY_RE = re.compile(
    rf"""(?<![\w'])(?:(?:le|ce)\s+)?(?P<wd>{_WD})
    (?:\s+(?P<last>dernier|passe|(?P<week>de\s+la\s+semaine\s+(?:derniere|passee))))?
    (?!\w)(?!\s+(?:prochain|qui\s+vient))""",
    re.X,
)
# Future days resolve to nothing but keep their span, so that the "à 14h" of
# "demain à 14h" is not read as a past time.
_FUTURE_RE = re.compile(rf"(?<![\w'])(?:(?:apres[- ]?)?demain|(?:{_WD})\s+(?:prochain|qui\s+vient))(?!\w)")
_WEEKEND_RE = re.compile(
    r"""(?<![\w'])(?:(?P<det>ce|le|du|pendant\s+le|au\s+cours\s+du)\s+)?
    (?:week[- ]?end|w\.?[- ]?e\.?)(?:\s+(?P<last>dernier|passe))?(?!\w)""",
    re.X,
)
_NUM_DATE_RE = re.compile(
    rf"""(?<![\w'])(?:(?P<det>le|du|au)\s+)?(?:(?P<wd>{_WD})\s+)?
    (?<![\w.,:/-])(?P<d>[0-3]?\d)(?P<sep>[/.-])(?P<mo>[01]?\d)
    (?:(?P=sep)(?P<y>\d{{4}}|\d{{2}}))?(?!\w|[/.:-]\d)""",
    re.X,
)
_NAME_DATE_RE = re.compile(
    rf"""(?<![\w'])(?:(?:le|du|au)\s+)?(?:(?:{_WD})\s+)?
    (?<![\w.,:/])(?P<d>1er|premier|[0-3]?\d)\s+(?P<mon>{_MONTH})(?![\w])\.?
    (?:\s+(?P<y>\d{{4}})(?!\w))?""",
    re.X,
)
_ISO_RE = re.compile(
    r"""(?<![\w.:/-])(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})
    (?:(?:t|\s+)(?P<h>\d{2}):(?P<mi>\d{2})(?::\d{2}(?:\.\d+)?)?
       (?P<tz>z|[+-]\d{2}:?\d{2})?)?(?![\w:]|[.-]\d)""",
    re.X,
)
_NIGHT_OF_RE = re.compile(
    rf"""(?<![\w'])(?:(?:dans|pendant|durant|au\s+cours\s+de)\s+)?la\s+nuit\s+
    (?:
        (?:de|du)\s+(?P<wd1>{_WD})(?:\s+(?:a|au)\s+(?P<wd2>{_WD}))?
      | (?:d'|de\s+)(?P<yest>avant[- ]?hier|hier)(?P<to>\s+(?:a|au)\s+(?:aujourd'?\s?hui|hier))?
      | du\s+(?P<d1>1er|[0-3]?\d)\s+au\s+(?P<d2>1er|[0-3]?\d)
        (?:\s+(?P<mon>{_MONTH})\.?|/(?P<mo>[01]?\d))(?:\s+(?P<y>\d{{4}}))?
    )(?!\w)""",
    re.X,
)
_TODAY_PART_RE = re.compile(
    rf"""(?<![\w'])(?:
        (?:ce|cet|cette)\s+(?P<p1>{_PART_WORD}|mat)
      | (?:dans|pendant|durant|au\s+cours\s+de)\s+(?:la\s+|l')
        (?P<p2>matinee|apres[- ]?midi|aprem|soiree|nuit|journee)
      | en\s+(?P<p3>matinee|soiree)
      | (?:en\s+|au\s+)?(?:(?:tout|tres)\s+)?(?P<q>debut|fin|milieu)\s+(?:de\s+(?:la\s+)?|d')
        (?P<p4>matinee|apres[- ]?midi|aprem|soiree|nuit|journee)
      | au\s+(?P<early>petit)\s+(?P<p5>matin)
      | (?:(?:la|cette)\s+)?(?P<last>nuit\s+(?:derniere|passee)|derniere\s+nuit)
    )(?!\w)""",
    re.X,
)
_BARE_PART_RE = re.compile(
    rf"""(?<![\w'])(?P<pre>
        (?:dans|pendant|durant|au\s+cours\s+de)\s+(?:la\s+|l')
      | en\s+|au\s+
      | (?:en\s+|au\s+)?(?:(?:tout|tres)\s+)?(?P<q>debut|fin|milieu)\s+(?:de\s+(?:la\s+)?|d')
      | au\s+(?P<early>petit)\s+(?=matin)
    )?(?P<p>{_PART_WORD}|mat|journee)(?!\w)""",
    re.X,
)

# Context guards for a time written without preposition.
_PRE_DURATION = re.compile(
    r"(?<![\w'])(?:pendant|durant|dure|duree|en|sous|dans|les|toutes|chaque|plus\s+de"
    r"|moins\s+de|pres\s+de|environ|au\s+moins|de|pour|sur|fait|max|maximum|presque"
    r"|quasiment|delai)\s*[:=]?\s*$|d'\s*$"
)
# "la relève de 6h45", "la visite de 9h", "pas celui de 4h": a time that names a round of the day, not a duration
_ROUND_OF = re.compile(
    r"(?<!\w)(?:releve|visite|tournee|tour|celui|celle|ronde|transmissions?|reunion|staff|equipe"
    r"|prise de (?:service|poste))\s+de\s*$"
)
# "au branchement des patients de 6h15": a definite article names one event of the day, where "une coupure de 1h30"
# is a duration; the nouns of durations stay durations ("le délai de 12h", "au bout de 2h")
_EVENT_OF = re.compile(
    r"(?<![\w'])(?:le|la|les|au|aux|l')\s*"
    r"(?!(?:delai|duree|coupure|panne|arret|interruption|attente|retard|indisponibilite|temps|periode|plage|fenetre"
    r"|bout|cours|suite|journee|garde|nuit|semaine|total|maximum|minimum)s?\b)[a-z]+"
    r"(?:\s+(?:des|du|de\s+la|de\s+l'|d')\s*[a-z]+)?\s+de\s*$"
)
# "c'est une heure cinq", "il était deux heures": a clock read, not a duration
_CLOCK_SAID = re.compile(r"(?<![\w'])(?:c'est|c'etait|il est|il etait|indique|marque|affiche)\s*$")
_NAMED_HOUR = re.compile(r"\b(?:minuit|midi)\b")
_VERB_A = re.compile(r"(?<![\w'])(?:on|il|elle|qui|ca|cela|ne|n'y)\s*$")  # "on a 2h pour..."
_POST_ALWAYS = re.compile(r"\s*(?:/|de\s|d'(?!apres))")
_POST_DURATION = re.compile(rf"\s+(?:{_DUR_CUE}|plus\s+tard)(?!\w)")
# "depuis 9 h 10 environ": an hour past 6, made approximate, is when it began, not nine hours of it
# ("depuis 2h environ" is a duration; "depuis 10h d'affilée" too)
_POST_APPROX = re.compile(r"\s+(?:environ|a\s+peu\s+pres)(?!\w)")
LATE_SINCE_HOUR = 7
# "à 21 h, pas 23 h": a time set aside is a time too, so that the correction knows which one it puts right
_DENIED = re.compile(r"(?:\bpas|\bnon|\bplutot que|\bau lieu de)\s*$")
_CLAUSE_START = re.compile(r"(?:^|[\n.!?;•*>(]|(?:^|\s)-)\s*$")
_DASHES = str.maketrans("‐‑‒–—", "-----")
_GAP = re.compile(r"[\s,]{0,4}")
_PART_OF = re.compile(r"[\s,]{0,4}|\s+de\s+|\s+d'")  # "dans l'après-midi de lundi"
_BIRTH_CUE = re.compile(r"(?:\bnee?s?|\bnaissance|\bddn)\W*(?:(?:le|en|du)\s+)?$")
_PART_AFTER = re.compile(r"\s+(?:(?:ce|cette|hier|du|de\s+la|dans\s+la|la)\s+)?(?:matin|nuit|soir)\b")
_START_CUE = re.compile(r"(?<![\w'])(?:depuis\s+|a\s+partir\s+(?:de\s+|d')|a\s+compter\s+(?:de\s+|d')|des\s+)$")
# "a commencé vers 2h", "survenu cette nuit vers 1h", "s'est produite hier": when it began
_VERB_CUE = re.compile(r"(?<!\w)(?:commenc|debut|demarr|surven|s'?\s*est\s+produi)\w*(?:\s+[^\s.,;!?]+){0,4}?[\s:,]*$")

# --------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cand:
    start: int
    end: int
    kind: str  # "day", "part" (day + part), "bare" (part word), "time", "full", "point"
    days: tuple[date, ...] = ()  # candidate days, most recent first (nights: morning day)
    fixed: bool = True  # False: may step back to an earlier reading
    part: tuple[str, str | None] | None = None
    clock: tuple[int, int, bool] | None = None  # hour, minute, hour already final
    is_start: bool = False
    weak: bool = False  # only valid when combined with a day or a time
    prefixed: bool = False  # bare part with a preposition: may precede its day
    named_night: bool = False  # "hier dans la nuit": a night named by the day it starts
    value: datetime | None = None
    has_time: bool = True


def _squash(s: str | None) -> str | None:
    return re.sub(r"\s+", " ", s) if s else s


def _number(s: str) -> int:
    return int(s) if s.isdigit() else _NUMBERS[re.sub(r"[\s-]+", "-", s)]


def _part_key(word: str) -> str:
    if word.startswith("mat"):
        return "matin"
    if word.startswith("ap"):
        return "aprem"
    if word.startswith("soir"):
        return "soir"
    return word  # midi, nuit, journee


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _last_weekday(today: date, weekday: int) -> date:
    return today - timedelta(days=(today.weekday() - weekday) % 7)


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _year_readings(today: date, month: int, day: int, year: str | None) -> tuple[date, ...]:
    if year:
        y = int(year) + (2000 if len(year) == 2 else 0)
        found = _safe_date(y, month, day)
        return (found,) if found else ()
    # four years back so that "le 29/02" still finds its leap year
    readings = (_safe_date(y, month, day) for y in range(today.year, today.year - 5, -1))
    return tuple(d for d in readings if d)[:2]


def _minus_months(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


# ---- clocks ---------------------------------------------------------------


def _parse_clock(m: re.Match, t: str = "") -> tuple[int, int, bool] | None:
    g = lambda name: m.group(name + t)  # noqa: E731
    frac = g("f") or g("fw") or g("fn")
    if g("h") is not None:
        hour, minute = int(g("h")), int(g("m") or 0)
    elif g("hc") is not None:
        hour, minute = int(g("hc")), int(g("mc"))
    elif g("hw") is not None:
        hour, minute = _number(g("hw")), _number(g("mw")) if g("mw") else 0
    else:
        hour, minute = (12 if g("n") == "midi" else 0), _number(g("mn")) if g("mn") else 0
    if frac:
        frac = _squash(frac)
        if frac.startswith("moins"):
            before = frac.split(None, 1)[1].removeprefix("le ")  # "quart", "10", "vingt cinq"
            hour, minute = (hour - 1) % 24, 60 - (15 if before == "quart" else _number(before.replace(" ", "-")))
        else:
            minute = 30 if "demi" in frac else 15
    if hour > 23:
        return None
    suffix = g("s")
    if suffix and ("soir" in suffix or "apres" in suffix) and 1 <= hour < 12:
        hour += 12
    final = bool(suffix) and "nuit" not in suffix
    return hour, minute, final


def _has_minutes(m: re.Match, t: str = "") -> bool:
    return any(m.group(n + t) for n in ("m", "mc", "mw", "f", "fw", "fn", "mn"))


def _time_cands(norm: str) -> list[_Cand]:
    out = []
    for m in _TIME_RE.finditer(norm):
        prep = _squash(m.group("prep"))
        clock = _parse_clock(m)
        if clock is None or not _time_context_ok(
            norm, m.start(), m.end(), prep, _has_minutes(m), clock[0] >= LATE_SINCE_HOUR
        ):
            continue
        if (
            m.group("hw")
            and not m.group("s")
            and prep in (None, "depuis")
            and not _names_a_round(norm, m.start())
            and not (prep is None and _CLOCK_SAID.search(norm, max(0, m.start() - 15), m.start()))
        ):
            continue  # "deux heures" is a duration unless "à/vers deux heures" or "la ronde de deux heures"
        if m.group("n") == "minuit" and prep and prep.endswith("avant") and not _has_minutes(m):
            clock = (23, 59, True)  # "hier juste avant minuit": the end of that day, not its first minute
        strong = bool(prep or _has_minutes(m) or m.group("s") or _names_a_round(norm, m.start())) or (
            m.group("n") is None and _CLAUSE_START.search(norm, 0, m.start()) is not None
        )
        strong = strong or _DENIED.search(norm, max(0, m.start() - 15), m.start()) is not None
        if (
            prep == "depuis"
            and clock[0] <= 6
            and not (_has_minutes(m) or m.group("s") or _PART_AFTER.match(norm, m.end()))
        ):
            continue  # "down depuis 4h": four hours or 04:00? Ambiguous, say nothing ("depuis 4h ce matin" is 04:00).
        is_start = prep in ("depuis", "a partir de", "a compter de", "des")
        out.append(_Cand(m.start(), m.end(), "time", clock=clock, is_start=is_start, weak=not strong, fixed=False))
    return out


def _time_context_ok(
    norm: str, start: int, end: int, prep: str | None, precise: bool = False, late: bool = False
) -> bool:
    if _POST_ALWAYS.match(norm, end):
        return False
    if prep == "a" and _VERB_A.search(norm, max(0, start - 10), start):
        return False
    if (
        prep in (None, "depuis")
        and _POST_DURATION.match(norm, end)
        and not (prep == "depuis" and late and _POST_APPROX.match(norm, end))
        and not _NAMED_HOUR.search(norm, start, end)
        and not (prep is None and precise)  # "6h10 à peu près" is a time ("a duré 2h10 environ" is not: _PRE_DURATION)
    ):
        return False  # "depuis 2h environ" is a duration, "depuis minuit et quart environ" never is
    before = norm[max(0, start - 25) : start]
    return prep is not None or not _PRE_DURATION.search(before) or _names_a_round(norm, start, precise)


def _names_a_round(norm: str, start: int, precise: bool = False) -> bool:
    """The time at ``start`` names a round of the day: "la relève de 6h45", "la prise de service de 7h"; or, to the
    minute, another moment of the day ("au branchement des patients de 6h15"; "la sauvegarde de 23h" stays out)."""
    return _ROUND_OF.search(norm, max(0, start - 25), start) is not None or (
        precise and _EVENT_OF.search(norm, max(0, start - 45), start) is not None
    )


def _range_cands(norm: str) -> list[_Cand]:
    out = []
    for m in _RANGE_RE.finditer(norm):
        rp = m.group("rp")
        second = _parse_clock(m, "2")
        if m.group("hb") is not None:
            if not rp:
                continue
            first = (int(m.group("hb")), 0, False)
        else:
            first = _parse_clock(m, "1")
        if first is None or second is None or _POST_ALWAYS.match(norm, m.end()):
            continue
        if not m.group("s1") and second[2] and first[0] < 12 and second[0] >= 12:
            first = (first[0] + 12, first[1], True)  # "de 8h à 10h du soir"
        elif not m.group("s1") and second[2]:
            first = (first[0], first[1], True)
        out.append(_Cand(m.start(), m.end(), "time", clock=first, is_start=True, fixed=False))
    return out


# ---- days -----------------------------------------------------------------


def _day_cands(norm: str, now: datetime) -> list[_Cand]:
    today = now.date()
    out = []
    for m in _TODAY_RE.finditer(norm):
        out.append(_Cand(m.start(), m.end(), "day", days=(today,)))
    for m in _YESTERDAY_RE.finditer(norm):
        back = 2 if m.group("before") else 1
        out.append(_Cand(m.start(), m.end(), "day", days=(today - timedelta(back),)))
    for m in _WEEKDAY_RE.finditer(norm):
        out.append(_weekday_cand(m, today))
    for m in _FUTURE_RE.finditer(norm):
        out.append(_Cand(m.start(), m.end(), "day", days=(today + timedelta(7),)))
    for m in _WEEKEND_RE.finditer(norm):
        if m.group("det") or m.group("last"):
            out.append(_weekend_cand(m, today))
    for m in _NUM_DATE_RE.finditer(norm):
        cand = _num_date_cand(m, today)
        if cand:
            out.append(cand)
    for m in _NAME_DATE_RE.finditer(norm):
        d = 1 if m.group("d") in ("1er", "premier") else int(m.group("d"))
        days = _year_readings(today, _MONTHS[m.group("mon")], d, m.group("y"))
        if days:
            out.append(_Cand(m.start(), m.end(), "day", days=days, fixed=bool(m.group("y"))))
    for m in _ISO_RE.finditer(norm):
        cand = _iso_cand(m)
        if cand:
            out.append(cand)
    for m in _AGO_RE.finditer(norm):
        if m.group("dating") and _duration(m)[0] == "minutes":
            continue  # "les chiffrements remontent à 0h45" is the clock time (_time_cands)
        out.append(_ago_cand(m, norm, now))
    return out


def _weekday_cand(m: re.Match, today: date) -> _Cand:
    wd = _WEEKDAYS.index(m.group("wd"))
    if m.group("week"):
        monday = today - timedelta(today.weekday() + 7)
        return _Cand(m.start(), m.end(), "day", days=(monday + timedelta(wd),))
    d0 = _last_weekday(today, wd)
    if m.group("last") and d0 == today:
        d0 -= timedelta(7)
    return _Cand(m.start(), m.end(), "day", days=(d0, d0 - timedelta(7)), fixed=False)


def _weekend_cand(m: re.Match, today: date) -> _Cand:
    saturday = _last_weekday(today, 5)
    in_weekend = today.weekday() >= 5
    if m.group("last") and in_weekend:
        saturday -= timedelta(7)
    return _Cand(m.start(), m.end(), "day", days=(saturday,))


def _num_date_cand(m: re.Match, today: date) -> _Cand | None:
    year = m.group("y")
    if m.group("sep") != "/" and len(year or "") != 4:
        return None  # "v2.3", "2.3.10", "1-2": dots and dashes only with a 4-digit year
    days = _year_readings(today, int(m.group("mo")), int(m.group("d")), year)
    if not days:
        return None
    weak = not (year or m.group("det") or m.group("wd"))
    return _Cand(m.start(), m.end(), "day", days=days, fixed=bool(year), weak=weak)


def _iso_cand(m: re.Match) -> _Cand | None:
    day = _safe_date(int(m.group("y")), int(m.group("mo")), int(m.group("d")))
    if day is None:
        return None
    if m.group("h") is None:
        return _Cand(m.start(), m.end(), "day", days=(day,))
    hour, minute = int(m.group("h")), int(m.group("mi"))
    if hour > 23 or minute > 59:
        return None
    value = datetime(day.year, day.month, day.day, hour, minute, tzinfo=_iso_tz(m.group("tz")))
    return _Cand(m.start(), m.end(), "point", value=value.astimezone(PARIS))


def _iso_tz(tz: str | None):
    if not tz:
        return PARIS
    if tz == "z":
        return timezone.utc
    sign = 1 if tz[0] == "+" else -1
    digits = tz[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


# ---- durations ------------------------------------------------------------


def _duration(m: re.Match) -> tuple[str, int]:
    """('minutes' | 'days' | 'months', amount)."""
    if m.group("demi"):
        return "minutes", 30
    if m.group("quart"):
        return "minutes", 15
    if m.group("tquart"):
        return "minutes", 45
    if m.group("approx"):
        n, unit = _APPROX_NUMBERS[m.group("approx")], m.group("aunit")
    else:
        n, unit = _number(_squash(m.group("n"))), m.group("unit")
    if unit == "mois":
        return "months", n
    if unit.startswith("j"):
        return "days", n
    if unit.startswith("s"):
        return "days", 7 * n
    if unit.startswith("h"):
        frac = m.group("frac")
        # "une heure et demie", "et quart", "une heure trois quarts"
        extra = int(m.group("dm") or 0) or (
            30 if frac and "demi" in frac else 15 if frac else 45 if m.group("fq") else 0
        )
        return "minutes", 60 * n + extra
    return "minutes", n


def _ago_value(kind: str, amount: int, now: datetime) -> tuple[datetime, bool]:
    if kind == "minutes":
        utc = now.astimezone(timezone.utc) - timedelta(minutes=amount)
        return utc.astimezone(PARIS), True
    day = now.date() - timedelta(amount) if kind == "days" else _minus_months(now.date(), amount)
    return _at(day, 0), False


def _ago_cand(m: re.Match, norm: str, now: datetime) -> _Cand:
    kind, amount = _duration(m)
    end = m.end()
    restated = _AGO_RESTATED.match(norm, end) if kind == "minutes" else None
    if restated:
        precise = 60 * int(restated.group("h")) + int(restated.group("m"))
        if abs(precise - amount) <= RESTATED_WITHIN:
            amount, end = precise, restated.end()
    value, has_time = _ago_value(kind, amount, now)
    began = bool(m.group("dating"))
    if has_time:
        return _Cand(m.start(), end, "point", value=value, is_start=began)
    return _Cand(m.start(), m.end(), "day", days=(value.date(),), is_start=began)


def _since_cands(norm: str, now: datetime) -> list[_Cand]:
    out = []
    for m in _SINCE_RE.finditer(norm):
        kind, amount = _duration(m)
        clock_like = (
            kind == "minutes"
            and m.group("n")
            and m.group("n").isdigit()
            and m.group("unit").startswith("h")
            and int(m.group("n")) <= 23
            and not m.group("qual")
            and (
                not m.group("post")
                or (int(m.group("n")) >= LATE_SINCE_HOUR and _POST_APPROX.match(m.group("post")) is not None)
            )
            and norm[m.start() : m.start() + 6] == "depuis"
        )
        if clock_like:
            continue  # "depuis 4h" is the clock time, see _time_cands
        value, has_time = _ago_value(kind, amount, now)
        out.append(_Cand(m.start(), m.end(), "point", value=value, has_time=has_time, is_start=True))
    for m in _NOW_RE.finditer(norm):
        if m.group().startswith("maintenant") and not _NOW_ALONE.match(norm):
            continue  # "l'EPSM 71 maintenant", "plus rien ne marche maintenant": a state, not when
        if not _TIME_AFTER.match(norm, m.end()):  # "tout à l'heure vers 9h" is 9h
            out.append(_Cand(m.start(), m.end(), "point", value=now))
    return out


# ---- parts of day ---------------------------------------------------------


def _part_cands(norm: str, now: datetime) -> list[_Cand]:
    today, yesterday = now.date(), now.date() - timedelta(1)
    out = []
    for m in _TODAY_PART_RE.finditer(norm):
        if m.group("last"):
            nights = (today, yesterday) if now.hour >= 6 else (yesterday, yesterday - timedelta(1))
            out.append(_Cand(m.start(), m.end(), "part", days=nights, fixed=False, part=("nuit", None)))
            continue
        key = _part_key(m.group("p1") or m.group("p2") or m.group("p3") or m.group("p4") or m.group("p5"))
        if key == "nuit":
            days, fixed = (today, yesterday), False
        else:
            evening_past = key == "soir" and now.hour < 6
            days, fixed = ((yesterday if evening_past else today),), True
        out.append(_Cand(m.start(), m.end(), "part", days=days, fixed=fixed, part=(key, _qualifier(m))))
    for m in _NIGHT_OF_RE.finditer(norm):
        cand = _night_of_cand(m, today)
        if cand:
            out.append(cand)
    for m in _BARE_PART_RE.finditer(norm):
        out.append(
            _Cand(
                m.start(), m.end(), "bare", part=(_part_key(m.group("p")), _qualifier(m)), prefixed=bool(m.group("pre"))
            )
        )
    return out


def _qualifier(m: re.Match) -> str | None:
    """ "début", "milieu" or "fin" of a part of the day; "au petit matin" is its beginning."""
    return "debut" if m.group("early") else m.group("q")


def _night_of_cand(m: re.Match, today: date) -> _Cand | None:
    span = (m.start(), m.end(), "part")
    if m.group("yest"):
        morning = today - timedelta(1 if m.group("yest").startswith("avant") else 0)
        return _Cand(*span, days=(morning,), part=("nuit", None), named_night=not m.group("to"))
    if m.group("wd1"):
        wd = _WEEKDAYS.index(m.group("wd2") or m.group("wd1"))
        wd = wd if m.group("wd2") else (wd + 1) % 7
        morning = _last_weekday(today, wd)
        return _Cand(*span, days=(morning, morning - timedelta(7)), fixed=False, part=("nuit", None))
    month = _MONTHS[m.group("mon")] if m.group("mon") else int(m.group("mo"))
    day = 1 if m.group("d2") == "1er" else int(m.group("d2"))
    days = _year_readings(today, month, day, m.group("y"))
    if not days:
        return None
    return _Cand(*span, days=days, fixed=bool(m.group("y")), part=("nuit", None))


# --------------------------------------------------------------------------
# Combination
# --------------------------------------------------------------------------


def _adjacent(norm: str, end: int, start: int, gap: re.Pattern = _GAP) -> bool:
    return start >= end and gap.fullmatch(norm, end, start) is not None


def _with_part(day: _Cand, bare: _Cand) -> _Cand:
    days = day.days
    night = bare.part[0] == "nuit"
    # "samedi nuit": the night that starts on saturday; "il y a cinq jours, en fin de nuit" is the
    # small hours of that day
    if night and bare.part[1] != "fin":
        days = tuple(d + timedelta(1) for d in days)
    return replace(
        day,
        start=min(day.start, bare.start),
        end=max(day.end, bare.end),
        kind="part",
        part=bare.part,
        days=days,
        weak=False,
        named_night=night,
    )


def _with_time(anchor: _Cand, time: _Cand) -> _Cand:
    return replace(
        anchor,
        start=min(anchor.start, time.start),
        end=max(anchor.end, time.end),
        kind="full",
        clock=time.clock,
        is_start=anchor.is_start or time.is_start,
        weak=False,
    )


def _combine(norm: str, atoms: list[_Cand]) -> list[_Cand]:
    days = [a for a in atoms if a.kind == "day"]
    bares = [a for a in atoms if a.kind == "bare"]
    times = [a for a in atoms if a.kind == "time"]
    anchors = days + [a for a in atoms if a.kind == "part"]
    anchors += [_with_part(d, b) for d in days for b in bares if _adjacent(norm, d.end, b.start)]
    anchors += [
        _with_part(d, b) for b in bares for d in days if b.prefixed and _adjacent(norm, b.end, d.start, _PART_OF)
    ]
    combos = [_with_time(a, t) for a in anchors for t in times if _adjacent(norm, a.end, t.start)]
    combos += [_with_time(a, t) for t in times for a in anchors if _adjacent(norm, t.end, a.start)]
    combos += [_with_time(c, t) for c in combos for t in times if _adjacent(norm, c.end, t.start) and _restates(c, t)]
    return [c for c in atoms + anchors + combos if c.kind != "bare" and not c.weak]


def _restates(said: _Cand, time: _Cand) -> bool:
    """A clock right after a dated time and within the hour of it says it more precisely: "avant-hier juste avant
    minuit, 23:58 dans les logs"."""
    minutes = lambda c: c.clock[0] * 60 + c.clock[1]  # noqa: E731
    gap = abs(minutes(said) - minutes(time))
    return min(gap, 24 * 60 - gap) <= 60


def _add_cues(norm: str, cand: _Cand) -> _Cand:
    cue = _START_CUE.search(norm, max(0, cand.start - 20), cand.start)
    if cue:
        cand = replace(cand, start=cue.start(), is_start=True)
    if not cand.is_start and _VERB_CUE.search(norm, max(0, cand.start - 80), cand.start):
        cand = replace(cand, is_start=True)
    return cand


# --------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------


def _night_clock(morning: date, hour: int, minute: int, final: bool) -> datetime:
    if hour >= 12:
        return _at(morning - timedelta(1), hour, minute)
    if hour >= 7 and not final:
        return _at(morning - timedelta(1), hour + 12, minute)
    return _at(morning, hour, minute)


def _day_clock(day: date, clock: tuple[int, int, bool], part: str | None) -> datetime:
    hour, minute, final = clock
    if not final and part in ("aprem", "soir") and 1 <= hour < 12:
        hour += 12
    if not final and part == "soir" and hour == 0:  # "hier soir à minuit"
        return _at(day + timedelta(1), 0, minute)
    return _at(day, hour, minute)


def _part_default(c: _Cand, day: date, now: datetime) -> tuple[datetime, bool] | None:
    key, qualifier = c.part
    hour = _PART_HOURS[key].get(qualifier, _PART_HOURS[key][None])
    if hour is None:
        return (_at(day, 0), False) if day <= now.date() else None
    if key == "nuit" and c.named_night and qualifier is None:
        evening = _at(day - timedelta(1), 23)  # the day they named, not the night's morning
        return (evening, False) if evening <= now else None
    value = _night_clock(day, hour, 0, True) if key == "nuit" else _at(day, hour)
    if value <= now:
        return value, key == "midi" and qualifier is None  # "hier midi" is noon, a time they gave
    if day != now.date():
        return None
    if key == "nuit":
        return _at(day, 0), False  # the night in progress
    if c.fixed or now.hour >= _PART_BEGINS[key]:
        return now, False
    return None


def _on_day(c: _Cand, day: date, now: datetime) -> tuple[datetime, bool] | None:
    part = c.part[0] if c.part else None
    if c.clock:
        if part == "nuit":
            value = _night_clock(day, *c.clock)
        else:
            value = _day_clock(day, c.clock, part)
        return (value, True) if value <= now else None
    if part:
        return _part_default(c, day, now)
    return (_at(day, 0), False) if day <= now.date() else None


def _resolve(c: _Cand, now: datetime) -> tuple[datetime, bool] | None:
    if c.kind == "point":
        return (c.value, c.has_time) if c.value <= now else None
    today = now.date()
    days = c.days or (today, today - timedelta(1))
    for day in days:
        found = _on_day(c, day, now)
        if found:
            return found
    if c.fixed and c.clock and days[0] <= today:
        return _at(days[0], 0), False  # explicit hour still to come: keep the day
    return None


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def _select(cands: list[_Cand]) -> list[_Cand]:
    chosen: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (c.start - c.end, c.start)):
        if all(c.end <= o.start or c.start >= o.end for o in chosen):
            chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


def find_dates(text: str, now: datetime) -> list[DateMatch]:
    """Date/time expressions of ``text`` resolved against ``now`` (see module doc)."""
    now = now.astimezone(PARIS) if now.tzinfo else now.replace(tzinfo=PARIS)
    now = now.replace(second=0, microsecond=0)
    norm = fold(text).translate(_DASHES)
    atoms = (
        _time_cands(norm)
        + _range_cands(norm)
        + _day_cands(norm, now)
        + _part_cands(norm, now)
        + _since_cands(norm, now)
    )
    cands = [_add_cues(norm, c) for c in _combine(norm, atoms)]
    matches = []
    # Unresolvable candidates (a future date) still take their span, so that a
    # fragment such as "à 9h" of "le 3/12/2030 à 9h" is not reported alone.
    for c in _select(cands):
        if _BIRTH_CUE.search(norm, max(0, c.start - 30), c.start):
            continue  # a patient's date of birth is never a date of the incident
        resolved = _resolve(c, now)
        if resolved:
            value, has_time = resolved
            rolling = c.kind == "time"
            matches.append(DateMatch(c.start, c.end, text[c.start : c.end], value, has_time, c.is_start, rolling))
    return matches
