"""Find an establishment of the FINESS register from the words a person uses.

"CH de Dax", "hopital de vierzonn", "clinique st jean", "l'ehpad de Dax", "Dax":
names and towns are folded to one search key (no accents, the usual abbreviations
in one form), the database's own text search brings candidates (SQLite FTS5 with
``remove_diacritics``, PostgreSQL full-text search), and rapidfuzz ranks them.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import AbstractSet, Dict, FrozenSet, Iterable, List, Mapping, Sequence, Set, Tuple

from rapidfuzz import fuzz, process

from bot.core.fields import StructureType
from bot.core.register import CEDEX, Establishment

# Longest first: "centre hospitalier universitaire" before "centre hospitalier".
PHRASES: Sequence[Tuple[str, str]] = (
    ("centre hospitalier regional universitaire", "chu"),
    ("centre hospitalier universitaire", "chu"),
    ("centre hospitalier regional", "chu"),
    ("centre hospitalier intercommunal", "chi"),
    ("centre hospitalier specialise", "chs"),
    ("centre hospitalier departemental", "chd"),
    ("centre hospitalier", "ch"),
    ("hopital local", "hopital"),  # the former local hospitals, "HL" in the register
    ("groupe hospitalier", "gh"),
    ("groupement hospitalier", "gh"),
    ("hopital d instruction des armees", "hia"),
    ("etablissement d hebergement pour personnes agees dependantes", "ehpad"),
    ("maison de retraite", "ehpad"),
    ("laboratoire de biologie medicale", "laboratoire"),
    # the medico-social places by their long names, as the register writes most of them ("MAS ADAPEI80")
    ("maison d accueil specialisee", "mas"),
    ("maison d accueil specialise", "mas"),  # the register's spelling of a few ("... SPECIALISE, KOUROU")
    ("foyer d accueil medicalise", "fam"),
    ("institut medico educatif", "ime"),
    ("etablissement et service d aide par le travail", "esat"),
    ("etablissement et services d aide par le travail", "esat"),
    ("service de soins infirmiers a domicile", "ssiad"),
    ("hospitalisation a domicile", "had"),
    ("centre medico psychologique", "cmp"),
    # the SSR's names, long and since 2023, as the register writes most of them ("SSR VILLA NOTRE DAME")
    ("soins medicaux et de readaptation", "ssr"),
    ("soins de suite et de readaptation", "ssr"),
    ("soins de suite et readaptation", "ssr"),
    ("centre de lutte contre le cancer", "clcc"),
    ("assistance publique hopitaux de paris", "aphp"),
    ("assistance publique hopitaux de marseille", "aphm"),
    ("hospices civils de lyon", "hcl"),
    ("ap hp", "aphp"),
    ("ap hm", "aphm"),
)
ABBREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "ctre": "centre",
    "hop": "hopital",
    "hosto": "hopital",
    "hl": "hopital",
    "hopitaux": "hopital",
    "chr": "chu",
    "chru": "chu",
    "labo": "laboratoire",
    "lbm": "laboratoire",
    "clin": "clinique",
    "crlcc": "clcc",  # the register's "CRLCC PAUL STRAUSS", a centre (régional) de lutte contre le cancer
    "cl": "clinique",  # the register's own abbreviation ("CL PASTEUR")
    "polycl": "polyclinique",
    "polyclin": "polyclinique",
    "cds": "centre sante",  # the register's centre de santé ("CDS MUNICIPAL GENNEVILLIERS")
    # the register's short forms of care words ("CTRE DE REED.FONCTIONNELLE DE KERPAPE", "CTRE HOSP.")
    "reed": "reeducation",
    "reeduc": "reeducation",
    "readapt": "readaptation",
    "fonct": "fonctionnelle",
    "ctr": "centre",
    "hosp": "hospitalier",
    "hp": "hopital prive",  # "HP Claude Galien", as staff and the register write it
    "smr": "ssr",  # soins médicaux et de réadaptation, the SSR's name since 2023; the register's is SSR
    # numbers as people write them in a name, and the register ("CLINIQUE DES 2 CAPS", "les deux caps")
    **{
        str(n): word
        for n, word in enumerate(
            ("deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze"), start=2
        )
    },
    "cedex": "",
}
# Words that say what kind of place, not which one: they rank, they never find. Each belongs to
# a family, compared with the family of the establishment's structure type.
FAMILIES: Dict[str, Set[str]] = {
    # "psychiatrique": "Montperrin, l'hôpital psychiatrique d'Aix" names Montperrin
    "hopital": {"ch", "chu", "chi", "chs", "chd", "gh", "ght", "hia", "clcc", "hopital", "centre", "institut"}
    | {"psychiatrique"},
    "clinique": {"clinique", "polyclinique"},
    "ehpad": {"ehpad", "residence", "maison", "foyer"},
    "laboratoire": {"laboratoire", "biologie", "analyses", "medicale"},
    "radiotherapie": {"radiotherapie", "oncologie", "cancerologie"},
    "pharmacie": {"pharmacie"},
}
HOSPITAL_ACRONYMS = {"ch", "chu", "chi", "chs", "chd"}
# The FINESS categories each acronym names: CH(I, D) 355, CHU/CHR 101 and 106, CHS 292.
ACRONYM_CATEGORIES = {
    "ch": {"355"},
    "chi": {"355"},
    "chd": {"355"},
    "chu": {"101", "106"},
    "chs": {"292"},
}
# Kind words too vague to tell a family when a more precise one is there ("centre de radiothérapie").
VAGUE_KINDS = {"centre", "institut", "fondation", "groupe", "groupement", "hospitalier", "prive", "dialyse"}
FAMILY_WORDS = set().union(*FAMILIES.values())
KIND_WORDS = FAMILY_WORDS | VAGUE_KINDS
TYPE_FAMILIES: Dict[StructureType, Set[str]] = {
    StructureType.ETABLISSEMENT_SANTE_PUBLIC: {"hopital"},
    StructureType.HOPITAL_ARMEES: {"hopital"},
    StructureType.ETABLISSEMENT_SANTE_PRIVE: {"clinique", "hopital"},
    StructureType.ETABLISSEMENT_SANTE_PRIVE_NON_LUCRATIF: {"hopital", "clinique"},
    StructureType.CENTRE_RADIOTHERAPIE: {"radiotherapie", "hopital", "clinique"},
    StructureType.LABORATOIRE_BIOLOGIE_MEDICALE: {"laboratoire"},
    StructureType.ESMS: {"ehpad"},
    StructureType.AUTRE: {"pharmacie"},
}
# Main hospital sites (CH, CHR/CHU, former local hospital, CHS, armed forces) first when the
# words fit several places of a town.
MAIN_HOSPITAL_CATEGORIES = {"355", "101", "106", "292", "114"}
# The version of what ``search_key`` and ``document`` make of a name, and of what ``register`` reads
# from the files (the structure types): the table is loaded again when it changes.
INDEX_VERSION = "17"
STOP_WORDS = {
    "le", "la", "les", "l", "de", "du", "des", "d", "a", "au", "aux", "en", "et", "sur", "sous", "un", "une",
    "ici", "on", "est", "c", "ce", "je", "j", "suis", "nous", "sommes", "chez", "pour", "notre", "nos", "mon",
    "ma", "mes", "travaille", "appelle", "site", "bonjour", "dans", "l", "y", "qui",
    "rattache", "rattachee", "rattaches", "rattachees", "dependant", "depend",
}  # fmt: skip
CANDIDATES = 80
# Common words rank candidates but do not fetch them when rarer words are there ("Saint-Étienne"
# fetches by "etienne", "CMP Morlaix" by "morlaix"), which keeps each lookup to a few milliseconds:
# these, and every word in more than COMMON_COUNT of the register's names (``Register``).
COMMON_WORDS = frozenset(
    {"saint", "sainte", "saints", "notre", "dame", "grand", "val", "mont", "nord", "sud", "est", "ouest"}
)
COMMON_COUNT = 1000
WHOLE_NAME_SAID = 85.0
CLEAR = 85.0  # the best candidate, alone this far ahead, is the one
AHEAD = 5.0
SEVERAL = 82.0
MAX_CHOICES = 4
# Pharmacies (d'officine, propharmacies, mutualistes, minières) are out of CERT Santé's scope
# (spec/vocabulary.md): not in the search index, so never fetched nor offered for a name ("le site
# de Montpellier Antigone" of a lab is not "PHARMACIE ANTIGONE"), and the 21,282 of them never
# fill a lookup's candidates in place of the others; a FINESS number typed is still looked up.
OUT_OF_SCOPE_CATEGORIES = frozenset({"620", "627", "628", "629"})
# a lower best, far ahead of every other, is still offered alone: "Propara, le centre de rééducation
# neurologique à Montpellier" (79) has the words of no other place (48); the person confirms it
FAR_AHEAD_SCORE, FAR_AHEAD = 70.0, 25.0
NEARBY = re.compile(
    r"\b(?:vers|pres d[e']?|a cote d[e']?|pas loin d[e']?|non loin d[e']?|proche d[e']?)(?:\s+[a-z0-9]+){1,3}$"
)
# the place it belongs to, whose words its own name need not hold: "CMP adultes de Muret, rattaché au
# CH Gérard-Marchant" is the CMP of Muret; they count where a name holds them, and are not missed
PARENT = re.compile(r"\b(?:rattachee?s?|dependant|depend)\s+(?:a|au|aux|du|de|des|d)((?:\s+[a-z0-9]+){1,4})$")
SAID_SITE = re.compile(r"\bsites?\s+(?:de\s+|d\s+)?(?:l\s+|la\s+|le\s+)?([a-z0-9 ]+)")
FAR_GROUP_SCORE = 60.0  # a few close ones, offered as choices, far ahead of the rest
SISTER_SITES = 2 * AHEAD  # a site of the same legal entity this close is offered with the best
COMPLEMENT_WORDS = {"de", "du", "des", "d", "l"}
MIN_ACRONYM, MAX_ACRONYM = 3, 5  # words
OMITTED = 50.0
REGISTER_NAME_LENGTH = 38  # the register's short names are cut there
TRUNCATED = 90.0  # the score of a word the register cut short ("EUROMED" for "Euromédecine")
MIN_TRUNCATED = 6  # letters left by the cut


@dataclass(frozen=True)
class Omissible:
    """The words a name may leave out, which count half when it does: common words that seldom
    begin a name ("santé", "saint": "UNITE DIALYSE CARHAIX AUB" is the unit of "AUB Santé" at
    Carhaix), and a word of kind for a place of the type it names ("IME" for the "I.M.P. ESPOIR",
    not "SSIAD" for the hospital that runs it)."""

    words: FrozenSet[str] = frozenset()
    kinds: Mapping[str, str] = field(default_factory=dict)  # word -> structure type

    def allows(self, word: str, establishment: Establishment) -> bool:
        return word in self.words or self.kinds.get(word) == establishment.structure_type.value


@dataclass(frozen=True)
class Candidate:
    establishment: Establishment
    score: float
    # one site of a CHU named as a whole: its name or town holds words the person did not say
    # ("CHU Psychiatrie" for "CHU de Clermont-Ferrand", "Site de Trinité" for "CHU Martinique")
    one_site: bool = False


# A GHT (groupement hospitalier de territoire) is no establishment of the register: its name, up
# to the next separator or "site", does not tell which of its hospitals is meant.
TERRITORY_GROUP = re.compile(
    r"\b(?:ght|groupements?\s+hospitaliers?\s+de\s+territoire)\b.*?(?=[,;:()/]|\s-\s|\bsites?\b|$)", re.I
)


def without_territory_group(text: str) -> str:
    """ "GHT Rhône Nord Beaujolais Dombes, site de l'hôpital Nord-Ouest" -> ", site de l'hôpital
    Nord-Ouest"; the text itself when nothing else is left."""
    rest = TERRITORY_GROUP.sub(" ", text)
    return rest if query_words(rest)[0] else text


LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})  # "Sacré-Cœur": no accent to strip, two letters
LETTERS_THEN_DIGITS = re.compile(r"\b([a-z]{3,})(\d+)\b")
# "M. A. S. LES MANDINES", "E.H.P.A.D.": letters with dots are one word, as people type it ("MAS")
DOTTED_LETTERS = re.compile(r"\b[a-z](?:\.\s*[a-z]\b)+\.?")


@lru_cache(maxsize=4096)
def search_key(text: str) -> str:
    """Folded words, abbreviations in one form: "Hôpital St-Jean" -> "hopital saint jean"."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(LIGATURES))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = LETTERS_THEN_DIGITS.sub(r"\1 \2", folded)  # "ADAPEI80" is "Adapei 80"
    folded = DOTTED_LETTERS.sub(lambda m: re.sub(r"[^a-z]", "", m.group()) + " ", folded)
    folded = " " + re.sub(r"[^a-z0-9]+", " ", folded) + " "
    for phrase, short in PHRASES:
        folded = folded.replace(f" {phrase} ", f" {short} ")
    words = (ABBREVIATIONS.get(word, word) for word in folded.split())
    return " ".join(word for word in words if word)


def document(establishment: Establishment) -> str:
    """What the register's search index holds for one establishment (each word once): its names
    and town. Not its département: "atlantique" would fetch the 3,000 places of Loire-Atlantique.
    Nothing for a place out of scope."""
    if establishment.category in OUT_OF_SCOPE_CATEGORIES:
        return ""
    parts = (
        establishment.name,
        establishment.long_name or "",
        establishment.former_name or "",
        CEDEX.sub("", establishment.town),
    )
    return " ".join(dict.fromkeys(" ".join(search_key(p) for p in parts).split()))


def query_words(text: str) -> Tuple[List[str], List[str]]:
    """(words that name the place, words that say its kind, in the person's order)."""
    words = [w for w in search_key(text).split() if w not in STOP_WORDS and not w.isdigit()]
    return [w for w in words if w not in KIND_WORDS], [w for w in words if w in KIND_WORDS]


def fetching_words(names: Sequence[str], common: AbstractSet[str] = COMMON_WORDS) -> List[str]:
    """The words a lookup fetches candidates with (all of them when each is common)."""
    rare = [name for name in dict.fromkeys(names) if name not in common]
    return rare or list(dict.fromkeys(names))


def fts_any(words: Iterable[str]) -> str:
    """An FTS5 query for any of ``words`` (spelled as the register does, see ``Register.search``)."""
    return " OR ".join(f'"{word}"' for word in words)


def boosting_words(kinds: Iterable[str]) -> List[str]:
    """Kind words that raise a candidate in the database's ranking: "ch" raises the CHI and CHS
    too, and the hospitals named "hôpital" ("CH de Nevers" is "Hôpital Pierre Bérégovoy"), which
    "hôpital" raises in turn ("l'hôpital de Chartres" is "CH Chartres Louis Pasteur")."""
    said = set(kinds)
    hospitals = HOSPITAL_ACRONYMS | {"hopital"}
    return sorted(said | (hospitals if hospitals & said else set()))


def rank(text: str, found: Iterable[Tuple[Establishment, str]], omissible: Omissible = Omissible()) -> List[Candidate]:
    """Rank (establishment, its ``document``) pairs for what the person wrote."""
    names, kinds = query_words(text)
    if not names:
        return []
    whole = "chu" in kinds
    initials = acronyms(names)
    omissible = Omissible(omissible.words | _nearby(text), omissible.kinds)
    context = _Context(names, kinds, initials, omissible, _said_site(text), _parent(text))
    scored = [Candidate(e, _score(context, e, set(words.split())), whole and _unsaid(names, e)) for e, words in found]
    return sorted(scored, key=lambda c: (-c.score, len(c.establishment.name), c.establishment.finess))


def _parent(text: str) -> FrozenSet[str]:
    """ "CMP adultes de Muret, rattaché au CH Gérard-Marchant": the place it belongs to."""
    return _said_last(PARENT, text)


def _nearby(text: str) -> FrozenSet[str]:
    """ "HAD Caux Maritime, vers Dieppe": a town near the place, which its name need not hold (counts half)."""
    return _said_last(NEARBY, text)


def _said_last(pattern: re.Pattern, text: str) -> FrozenSet[str]:
    """The words other than kinds that ``pattern`` finds (its group, when it has one) at the end of the text."""
    said = pattern.search(search_key(text))
    return frozenset(said.group(said.lastindex or 0).split()) - KIND_WORDS if said else frozenset()


def choose(candidates: Sequence[Candidate]) -> List[Establishment]:
    """One establishment when the best is clear, up to four when several are close, none otherwise."""
    if not candidates:
        return []
    best = candidates[0].score
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    if SEVERAL > best >= FAR_AHEAD_SCORE and runner_up <= best - FAR_AHEAD:
        return [candidates[0].establishment]
    if best < SEVERAL:
        return _far_ahead_group(candidates)
    if best >= CLEAR and runner_up <= best - AHEAD:
        return [candidates[0].establishment, *_sister_sites(candidates)]
    close = [c.establishment for c in candidates if c.score >= max(SEVERAL, best - 2 * AHEAD)]
    return close[:MAX_CHOICES]


def _far_ahead_group(candidates: Sequence[Candidate]) -> List[Establishment]:
    """A few close places of one town, all far ahead of every other, are offered though none fits well: "ICANS,
    Institut de cancérologie Strasbourg Europe (Centre Paul-Strauss)" holds the words of two names of one centre,
    each register row having some of them (67 and 59, then 22); the person chooses, or answers none of them.
    Namesakes in several towns are no such group ("EHPAD Le Clos des Oliviers à Nîmes" is none of them)."""
    best = candidates[0].score
    group = [c for c in candidates[:MAX_CHOICES] if c.score >= best - 2 * AHEAD]
    rest = candidates[len(group)] if len(candidates) > len(group) else None
    towns = {c.establishment.display_town for c in group}
    if best < FAR_GROUP_SCORE or len(towns) > 1 or (rest is not None and rest.score > best - FAR_AHEAD):
        return []
    return [c.establishment for c in group]


def _sister_sites(candidates: Sequence[Candidate]) -> List[Establishment]:
    """Sites of the best one's legal entity nearly as close, when a CHU was named as a whole:
    "CHU de Clermont-Ferrand" fits its psychiatric site best by a few points, and its other
    hospitals almost as well; the person chooses among them, or the entity as a whole."""
    best = candidates[0]
    if not best.one_site:
        return []  # "CH de Dax" is the Centre Hospitalier de Dax, not its thermal hospital
    return [
        c.establishment
        for c in candidates[1:]
        if c.score >= best.score - SISTER_SITES and c.establishment.legal_finess == best.establishment.legal_finess
    ][: MAX_CHOICES - 1]


def acronyms(names: Sequence[str]) -> Dict[str, Tuple[str, ...]]:
    """The initials of each run of the person's words, as the register writes some names: "centre
    hospitalier Loire Vendée Océan" is "CH LVO"."""
    return {
        "".join(word[0] for word in names[start:end]): tuple(names[start:end])
        for start in range(len(names))
        for end in range(start + MIN_ACRONYM, min(len(names), start + MAX_ACRONYM) + 1)
    }


@dataclass(frozen=True)
class _Context:
    """What the person wrote, as every candidate is scored against it."""

    names: List[str]
    kinds: List[str]
    initials: Dict[str, Tuple[str, ...]]
    omissible: Omissible
    site: FrozenSet[str]  # the words after "site de", when the person named a site
    parent: FrozenSet[str] = frozenset()  # the words after "rattaché au"


def _said_site(text: str) -> FrozenSet[str]:
    """ "HPMB, site de Sallanches" -> {"sallanches"}: the site the person named."""
    said = SAID_SITE.search(search_key(text))
    return frozenset(said.group(1).split()) - STOP_WORDS - KIND_WORDS if said else frozenset()


def _initials_fit(word: str, establishment: Establishment) -> bool:
    """A group's acronym as its staff say it, for one of its sites named: "HPMB" (Hôpitaux du Pays du Mont-Blanc)
    for "HOPITAUX DU MONT BLANC SITE SALLANCHES", "CHIPS" for "CHI POISSY ST GERMAIN SITE DE POISSY": the
    initials of the words before "site" and the person's differ by one letter at most."""
    words = search_key(establishment.name).split()
    if "site" not in words[1:] or len(word) < 4:
        return False
    group = [w for w in words[: words.index("site", 1)] if w not in STOP_WORDS]
    letters = "".join(w if w in HOSPITAL_ACRONYMS else w[0] for w in group)
    short, long = sorted((word, letters), key=len)
    return (len(long) - len(short) <= 1 and short[0] == long[0] and _subsequence(short, long)) or _syllables_fit(
        word, group
    )


def _syllables_fit(word: str, group: Sequence[str]) -> bool:
    """ "CHANGE" for "CH ANNECY GENEVOIS": the acronym is the first letters of each word, in order, every word used."""
    if not group:
        return not word
    first = group[0]
    return any(
        word[:size] == first[:size] and _syllables_fit(word[size:], group[1:])
        for size in range(1, min(len(first), len(word)) + 1)
    )


def _subsequence(short: str, long: str) -> bool:
    rest = iter(long)
    return all(letter in rest for letter in short)


def _score(context: _Context, establishment: Establishment, words: Set[str]) -> float:
    names, kinds, initials, omissible = context.names, context.kinds, context.initials, context.omissible
    own, town = _own_words(establishment)
    names = _as_register_splits(names, establishment)
    abbreviated = {acronym for acronym in initials if acronym in words}
    names = [name for name in names if not any(name in initials[a] for a in abbreviated)] + sorted(abbreviated)
    site = frozenset() if "chu" in kinds else _site_words(establishment.name)
    if site and not _unsaid_site(site, context.site, establishment.name):
        # its site named, and its group by the acronym staff use: the words before "site" are said
        group = {name for name in names if name not in words and _initials_fit(name, establishment)}
        if group:
            names = [name for name in names if name not in group] + sorted(own - site - town)
    # Its département, added to a name ("CH de Dax, Landes"), neither finds nor misses: it is left
    # out for the places there, and counts as a missing word for the others. Alone, it names none
    # of them ("CH de Vienne" is not in Haute-Vienne).
    named = own | town | set(search_key(establishment.long_name or "").split())
    department = set(search_key(establishment.department_name).split()) - named
    placing = [name for name in names if name not in department and (name in words or name not in context.parent)]
    scores = [_word_score(name, words, omissible.allows(name, establishment)) for name in placing]
    found = sum(scores) / len(scores) if scores else 0.0
    if own - town and own | town <= set(names) and len(placing) > 1:
        # every word of its name and its town were said, with others the register does not hold
        # for it ("Synlab Barla, Nice"): nearly as good. Not a name that is only its town ("CHU
        # Montpellier"): "Labosud, site de Montpellier Antigone" names another place of the town.
        found = max(found, WHOLE_NAME_SAID)
    # a site's own words unsaid count twice: "CH de Manosque" is not its site at Forcalquier; a CHU
    # named as a whole is any of its sites ("CHU de Brest")
    extra = len(own - set(names) - town - site) + 2 * len(_unsaid_site(site, set(names), establishment.name))
    at_town = 4.0 if town and town <= set(names) else 0.0
    penalty = min(10.0, 5.0 * extra)
    return found - penalty + at_town + _kind_score(kinds, words, establishment) + _prior(establishment)


def _as_register_splits(names: List[str], establishment: Establishment) -> List[str]:
    """A word the register writes in two, where the name had an apostrophe: "rivage" for "RIV AGE"
    (Riv'Âge de Loire)."""
    register_words = search_key(f"{establishment.name} {establishment.long_name or ''}").split()
    pairs = {a + b: (a, b) for a, b in zip(register_words, register_words[1:])}
    return [part for name in names for part in (pairs[name] if name in pairs else (name,))]


def _own_words(establishment: Establishment) -> Tuple[Set[str], Set[str]]:
    """The words of its name that tell which one (no kind word), and those of its town."""
    own = {w for w in search_key(establishment.name).split() if w not in STOP_WORDS and w not in KIND_WORDS}
    town = set(search_key(CEDEX.sub("", establishment.town)).split()) - STOP_WORDS
    return own, town


@lru_cache(maxsize=4096)
def _site_words(name: str) -> FrozenSet[str]:
    """The words naming one site of a place ("CHI MANOSQUE SITE FORCALQUIER"): unsaid, they count
    as missing, its town though they are."""
    words = search_key(name).split()
    if "site" not in words[1:]:
        return frozenset()  # "SITE DE REMIRE MONTJOLY" is a whole name
    return frozenset(words[words.index("site", 1) + 1 :]) - STOP_WORDS - KIND_WORDS


def _unsaid_site(site: AbstractSet[str], said: AbstractSet[str], name: str) -> Set[str]:
    """The words of a site's name the person did not say; the last one, when the register cut the name
    to its 38 characters, said whole ("SITE ST JULIEN EN G" for "site de Saint-Julien-en-Genevois")."""
    cut = search_key(name).split()[-1] if len(name) >= REGISTER_NAME_LENGTH else None
    return {w for w in site if w not in said and not (w == cut and any(s.startswith(w) for s in said))}


def _unsaid(names: List[str], establishment: Establishment) -> bool:
    own, town = _own_words(establishment)
    return bool((own | town) - set(names))


def _word_score(name: str, words: Set[str], omissible: bool) -> float:
    """How well one of the person's words is found: a typo passes, a missing word counts nothing,
    or half when the name may leave it out."""
    if name in words:
        return 100.0
    if any(len(word) >= MIN_TRUNCATED and len(name) > len(word) + 1 and name.startswith(word) for word in words):
        return TRUNCATED  # names cut to the register's 38 characters, or abbreviated by it
    cutoff = 75 if len(name) > 5 else 85
    best = process.extractOne(name, words, scorer=fuzz.ratio, score_cutoff=cutoff)
    if best:
        return float(best[1])
    return OMITTED if omissible else 0.0


def _kind_score(kinds: List[str], words: Set[str], establishment: Establishment) -> float:
    """The first precise kind word is the head of the name: "l'EHPAD du CH de Dax" is an EHPAD."""
    if not kinds:
        return 0.0
    head = next((kind for kind in kinds if kind not in VAGUE_KINDS), kinds[0])
    families = [FAMILIES[family] for family in TYPE_FAMILIES.get(establishment.structure_type, set())]
    kin = next((family for family in families if head in family), None)
    if kin is None:
        if head in words and not _complement(head, establishment):
            return 5.0  # its name says so ("CTRE AZUREEN CANCEROLOGIE"), whatever its category
        # "fondation Lenval" tells no kind: only a precise kind that is not this place's lowers it
        return 0.0 if head in VAGUE_KINDS - FAMILY_WORDS else -20.0
    if head in HOSPITAL_ACRONYMS:
        # "CH de Rodez" is the hospital itself, not its family-planning centre nor a unit named after it
        if establishment.category in ACRONYM_CATEGORIES[head]:
            return 17.0 if _named_as_hospital(establishment) else 12.0
        return 3.0 if establishment.category in MAIN_HOSPITAL_CATEGORIES else -5.0
    if head == "hopital" and ("hopital" in words or establishment.category in MAIN_HOSPITAL_CATEGORIES):
        # "l'hôpital de Chartres" is one of the town's hospital sites, not its family-planning centre
        # and a hospital's school or unit ("IFSI de l'hôpital Nord-Ouest") less than the hospital
        return 8.0 if _named_as_hospital(establishment) else 5.0
    if head in words:
        return 5.0
    return 3.0 if (kin - VAGUE_KINDS) & words else 0.0  # "CHI de Mont-de-Marsan" for "CH Mont-de-Marsan"


def _complement(kind: str, establishment: Establishment) -> bool:
    """Whether its name holds the kind only after another noun: "IFSI de l'hôpital Nord-Ouest" is a
    school, not a hospital."""
    words = search_key(establishment.name).split()
    return kind in words and words.index(kind) > 0 and words[words.index(kind) - 1] in COMPLEMENT_WORDS


def _named_as_hospital(establishment: Establishment) -> bool:
    """Of a town's CH units ("USMP", "HJ CATTP CH Nevers"), the hospitals are those whose name
    begins with what they are ("CH Joseph Imbert", "Hôpital Pierre Bérégovoy")."""
    words = search_key(establishment.name).split()
    return bool(words) and (words[0] in HOSPITAL_ACRONYMS or words[0] == "hopital")


def _prior(establishment: Establishment) -> float:
    if establishment.category in MAIN_HOSPITAL_CATEGORIES:
        return 3.0
    return -8.0 if establishment.structure_type is StructureType.AUTRE else 0.0
