"""French dates and times as hospital staff type them, resolved in Europe/Paris.

`find_dates(text, now)` returns the expressions found, in text order, each
resolved against `now`. They describe the past (when an incident was
detected or began), so every reading is the most recent one not after `now`:
- a time alone ("à 14h", "vers 9h40") is today, or yesterday if later than now;
- a weekday alone is the last such day (today included, "lundi dernier" not);
- a day and month without a year is this year, or last year if later than now.
Parts of the day carry an approximate hour: "ce matin" 08:00, "ce midi"
12:00, "cet après-midi" 15:00, "ce soir" 20:00, "cette nuit" 03:00 of the
night that ended this morning (00:00 of the night in progress before 06:00).
An explicit hour wins: "hier soir à 23h", "cette nuit vers 3h".
"depuis", "à partir de", "a commencé", and the first bound of "entre 1h et 4h"
mark the start of something (`is_start`).
Not dates: durations ("pendant 2h", "depuis 4h" for hours up to 6, "72 h",
"24h/24"), phone and FINESS numbers, counts, "mars" without a day.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import List, Optional, Tuple
from zoneinfo import ZoneInfo

from bot.nlu.text import fold

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    text: str
    value: datetime
    has_time: bool
    is_start: bool


WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = {"janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5,
          "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "sep": 9, "octobre": 10,
          "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12}
NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
           "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
           "seize": 16, "dix-sept": 17, "dix-huit": 18, "dix-neuf": 19, "vingt": 20, "trente": 30,
           "quarante": 40, "quarante-cinq": 45, "cinquante": 50}
PARTS = {"matin": 8, "midi": 12, "apres-midi": 15, "apres midi": 15, "aprem": 15, "ap-m": 15, "am": 15,
         "soir": 20, "soiree": 20, "nuit": 3}

_WD = "|".join(WEEKDAYS)
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUM = r"\d+|" + "|".join(sorted(NUMBERS, key=len, reverse=True))
_PART = r"matin(?:ee)?|midi|apres[- ]midi|aprem|ap-m|soir(?:ee)?|nuit"

# A day, possibly with a part of it. Group names tell how to resolve.
_DAY = re.compile(
    r"(?P<rel>avant[- ]hier|hier|aujourd'?hui|auj\b|ajd\b)(?:\s+(?:en\s+|dans\s+l'|a\s+l'|au\s+)?(?P<relpart>" + _PART + r"))?"
    r"|(?P<this>ce\s+|cet\s+|cette\s+)(?P<thispart>" + _PART + r")(?:\s+derniere)?"
    r"|(?P<lastnight>la\s+nuit\s+derniere)"
    r"|dans\s+la\s+nuit\s+d[eu]\s+(?P<nightfrom>" + _WD + r")\s+(?:a|au)\s+(?P<nightto>" + _WD + r")"
    r"|(?P<we>(?:ce|le)\s+(?:week-?end|we|w-e|weekend)(?:\s+dernier)?)"
    r"|(?P<wd>" + _WD + r")(?P<wdlast>\s+dernier)?(?:\s+(?P<wdpart>" + _PART + r"))?(?P<wdlast2>\s+dernier)?"
    r"|(?P<iso>(?P<iy>20\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d))"
    r"|(?P<dm>(?P<dd>[0-3]?\d)/(?P<dmm>[01]?\d)(?:/(?P<dy>(?:20)?\d\d))?)(?![/\d])"
    r"|(?P<named>(?P<nd>[0-3]?\d|1er)\s+(?P<nm>" + _MONTH + r")\.?(?:\s+(?P<ny>20\d\d))?)(?![a-z])"
)
_CLOCK = r"(?P<h>[01]?\d|2[0-3])\s?(?:h|:)(?:\s?(?P<m>[0-5]\d))?(?![\d/])"
_TIME = re.compile(
    r"(?P<between>entre\s+)?(?P<prep>a\s+partir\s+de\s+|depuis\s+|vers\s+|aux\s+alentours\s+de\s+|autour\s+de\s+"
    r"|a\s+|des\s+|sur\s+les\s+coups\s+de\s+)?"
    r"(?:" + _CLOCK + r"(?:\s+du\s+(?P<ampart>matin|soir))?|(?P<noon>midi|minuit))"
    r"(?(between)\s+et\s+(?:[01]?\d|2[0-3])\s?(?:h|:)(?:\s?[0-5]\d)?)"
)
_AGO = re.compile(
    r"il\s+y\s+a\s+(?:environ\s+|a\s+peu\s+pres\s+|~)?(?P<n>" + _NUM + r")\s*"
    r"(?P<unit>heures?|h\b|minutes?|mins?\b|jours?|semaines?)(?P<half>\s+et\s+demie?)?"
)
_NOW = re.compile(r"\b(?:maintenant|a\s+l'instant|tout\s+a\s+l'heure)\b")
_START_CUE = re.compile(r"(?:depuis|a\s+partir\s+d[eu']|a\s+commence|a\s+debute|debut(?:e|ant)?|entre)\s*$")
_DURATION_BEFORE = re.compile(r"(?:pendant|dans\s+les|sous|en\s+moins\s+de|plus\s+de|moins\s+de|de|les|en|apres|h)\s*$")
_JOIN = re.compile(r"^\s*(?:,\s*)?(?:vers|a|aux\s+alentours\s+de|autour\s+de|des|sur\s+les\s+coups\s+de|,)?\s*$")


def find_dates(text: str, now: datetime) -> List[DateMatch]:
    now = now.astimezone(PARIS).replace(second=0, microsecond=0)
    folded = fold(text)
    found: List[DateMatch] = []
    taken: List[Tuple[int, int]] = []
    candidates = _combined(folded, now) + _agos(folded, now) + _nows(folded, now)
    for match in sorted(candidates, key=lambda c: c[0] - c[1]):  # longest first
        start, end, value, has_time, is_start = match
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        found.append(DateMatch(start, end, text[start:end], value, has_time, is_start))
    return sorted(found, key=lambda m: m.start)


def _is_start(folded: str, start: int) -> bool:
    return bool(_START_CUE.search(folded[max(0, start - 20):start]))


def _combined(folded: str, now: datetime) -> list:
    """Days and times, joined when they follow each other ("hier soir à 23h")."""
    days = [m for m in _DAY.finditer(folded) if _word_bounded(folded, m)]
    times = [m for m in _TIME.finditer(folded) if _word_bounded(folded, m) and _is_clock(folded, m)]
    results, used_times = [], set()
    for day in days:
        partner = _adjacent_time(folded, day, times)
        start, end = day.start(), day.end()
        clock = None
        if partner is not None:
            used_times.add(partner.start())
            start, end = min(start, partner.start()), max(end, partner.end())
            clock = _clock(partner)
        value, has_time = _resolve_day(day, clock, now)
        if value is not None:
            is_start = _is_start(folded, start) or bool(partner and (partner.group("prep") or "").startswith(("depuis", "a partir")))
            results.append((start, end, value, has_time, is_start or bool(partner and partner.group("between"))))
    for tm in times:
        if tm.start() in used_times:
            continue
        value = _latest_at(now, now.date(), _clock(tm))
        prep = tm.group("prep") or ""
        is_start = bool(tm.group("between")) or prep.startswith(("depuis", "a partir")) or _is_start(folded, tm.start())
        results.append((tm.start(), tm.end(), value, True, is_start))
    return results


def _word_bounded(folded: str, match: "re.Match[str]") -> bool:
    before = folded[match.start() - 1] if match.start() else " "
    after = folded[match.end()] if match.end() < len(folded) else " "
    return not (before.isalnum() or before in "+/.") and not (after.isalnum() or after in "/")


def _is_clock(folded: str, tm: "re.Match[str]") -> bool:
    """Tell "à 14h" (a time) from "pendant 2h", "72 h", "24h/24" or "depuis 4h" (durations)."""
    if tm.group("noon"):
        return True
    hour = int(tm.group("h"))
    prep = (tm.group("prep") or "").strip()
    if folded[tm.end():tm.end() + 1] == "/" or re.match(r"\s*(?:/|sur\s+24)", folded[tm.end():]):
        return False
    if not prep and _DURATION_BEFORE.search(folded[max(0, tm.start() - 15):tm.start()]):
        return False
    if prep == "depuis" and hour <= 6 and not tm.group("m") and not tm.group("ampart"):
        return False  # "down depuis 4h": for four hours, most likely
    if not tm.group("m") and re.match(r"\s*(?:de\b|d')", folded[tm.end():]):
        return False  # "2h de retard"
    return True


def _clock(tm: "re.Match[str]") -> time:
    if tm.group("noon"):
        return time(12) if tm.group("noon") == "midi" else time(0)
    hour, minute = int(tm.group("h")), int(tm.group("m") or 0)
    if tm.group("ampart") == "soir" and hour < 12:
        hour += 12
    return time(hour, minute)


def _adjacent_time(folded: str, day: "re.Match[str]", times: list) -> Optional["re.Match[str]"]:
    for tm in times:
        if tm.start() >= day.end() and _JOIN.match(folded[day.end():tm.start()]) and tm.start() - day.end() <= 25:
            return tm
        if tm.end() <= day.start() and day.start() - tm.end() <= 3 and not folded[tm.end():day.start()].strip(" ,"):
            return tm
    return None


def _resolve_day(day: "re.Match[str]", clock: Optional[time], now: datetime) -> Tuple[Optional[datetime], bool]:
    today = now.date()
    g = day.groupdict()
    if g["rel"]:
        rel = g["rel"].replace(" ", "-")
        offset = 2 if rel.startswith("avant") else 1 if rel == "hier" else 0
        return _on(today - timedelta(days=offset), g["relpart"], clock, now, step=0 if offset else 1)
    if g["this"]:
        if _part_hour(g["thispart"]) == 3:
            return _night(today, clock, now), True
        return _on(today, g["thispart"], clock, now, step=1)
    if g["lastnight"]:
        return _night(today, clock, now), True
    if g["nightfrom"]:
        sunday = _last_weekday(today, WEEKDAYS.index(g["nightto"]), allow_today=True)
        return _at(sunday, clock or time(3)), True
    if g["we"]:
        return _at(_last_weekday(today, 5, allow_today=False if "dernier" in g["we"] else True), clock), clock is not None
    if g["wd"]:
        last = bool(g["wdlast"] or g["wdlast2"])
        day_date = _last_weekday(today, WEEKDAYS.index(g["wd"]), allow_today=not last)
        return _on(day_date, g["wdpart"], clock, now, step=7)
    return _absolute(g, clock, now)


def _absolute(g: dict, clock: Optional[time], now: datetime) -> Tuple[Optional[datetime], bool]:
    try:
        if g["iso"]:
            day = date(int(g["iy"]), int(g["im"]), int(g["id"]))
        elif g["dm"]:
            year = int(g["dy"]) if g["dy"] else None
            year = year + 2000 if year is not None and year < 100 else year
            day = _past_date(int(g["dd"]), int(g["dmm"]), year, now)
        else:
            day_num = 1 if g["nd"] == "1er" else int(g["nd"])
            day = _past_date(day_num, MONTHS[g["nm"]], int(g["ny"]) if g["ny"] else None, now)
    except ValueError:
        return None, False
    return _at(day, clock), clock is not None


def _past_date(day: int, month: int, year: Optional[int], now: datetime) -> date:
    if year is not None:
        return date(year, month, day)
    candidate = date(now.year, month, day)
    return candidate if candidate <= now.date() else date(now.year - 1, month, day)


def _part_hour(part: Optional[str]) -> Optional[int]:
    if not part:
        return None
    key = part.replace("matinee", "matin").replace("soiree", "soir")
    return PARTS.get(key, PARTS.get(key.replace("-", " ")))


def _on(day: date, part: Optional[str], clock: Optional[time], now: datetime, step: int) -> Tuple[datetime, bool]:
    """A day with an optional part of it and an optional clock time.

    `step` is how many days back the same words mean when the reading is
    later than now: 1 for "ce matin", 7 for "samedi soir", 0 for "hier".
    """
    hour = _part_hour(part)
    if clock is None and hour is None:
        return _at(day, None), False
    if clock is None:
        value = _at(day, time(hour))
        if value > now and step == 1:  # "ce soir" said at 19:00: now
            return now, True
    else:
        if hour is not None and hour >= 15 and clock.hour < 12:
            clock = time(clock.hour + 12, clock.minute)  # "hier soir à 9h" is 21:00
        value = _at(day, clock)
    while value > now and step:
        value -= timedelta(days=step)
    return value, True


def _night(today: date, clock: Optional[time], now: datetime) -> datetime:
    """The last night: the one that ended this morning, or the one in progress."""
    if clock is None:
        return _at(today, time(3)) if now.hour >= 6 else _at(today, time(0))
    night_date = today - timedelta(days=1) if clock.hour >= 12 else today
    value = _at(night_date, clock)
    return value if value <= now else value - timedelta(days=1)


def _last_weekday(today: date, weekday: int, allow_today: bool) -> date:
    delta = (today.weekday() - weekday) % 7
    if delta == 0 and not allow_today:
        delta = 7
    return today - timedelta(days=delta)


def _latest_at(now: datetime, day: date, clock: time) -> datetime:
    value = _at(day, clock)
    return value if value <= now else value - timedelta(days=1)


def _at(day: date, clock: Optional[time]) -> datetime:
    return datetime.combine(day, clock or time(0), tzinfo=PARIS)


def _agos(folded: str, now: datetime) -> list:
    results = []
    for m in _AGO.finditer(folded):
        raw = m.group("n")
        n = int(raw) if raw.isdigit() else NUMBERS[raw]
        unit = m.group("unit")
        minutes = {"h": 60, "m": 1, "j": 1440, "s": 10080}[unit[0]] * n
        if m.group("half") and unit[0] == "h":
            minutes += 30
        value = now - timedelta(minutes=minutes)
        if unit[0] in "js":
            value = _at(value.date(), None)
        results.append((m.start(), m.end(), value, unit[0] in "hm", _is_start(folded, m.start())))
    return results


def _nows(folded: str, now: datetime) -> list:
    return [(m.start(), m.end(), now, True, False) for m in _NOW.finditer(folded)]
