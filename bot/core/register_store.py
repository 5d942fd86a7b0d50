"""The FINESS register in the application database: loading and lookups.

``python -m bot.core.register_store load [DIRECTORY]`` loads the files of
DIRECTORY (by default ``VIGIE_FINESS_DIR``, else ``../shared/data/finess``) into
the database of ``DATABASE_URL``; loading files already loaded does nothing,
newer files replace the table in one transaction.
"""

import argparse
import hashlib
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from rapidfuzz import fuzz, process
from sqlalchemy import delete, insert, select, text
from sqlalchemy.engine import Connection, Engine

from bot.core import register_search
from bot.core.fields import Region, StructureType
from bot.core.models import EstablishmentRow, RegisterSource
from bot.core.paris_time import UTC
from bot.core.register import CEDEX, Establishment, fingerprint, read_register, region_of
from bot.core.register_search import Candidate
from bot.core.validators import DEPARTEMENT_REGION

SOURCE = "finess"
BATCH = 5000
SPELLING_CUTOFF = 80
PLACE_CUTOFF = 88
# The short names people give the regions ("PACA", "hdf").
REGION_SHORT_NAMES = {
    "ara": Region.AUVERGNE_RHONE_ALPES,
    "aura": Region.AUVERGNE_RHONE_ALPES,
    "bfc": Region.BOURGOGNE_FRANCHE_COMTE,
    "cvl": Region.CENTRE_VAL_DE_LOIRE,
    "hdf": Region.HAUTS_DE_FRANCE,
    "idf": Region.ILE_DE_FRANCE,
    "naq": Region.NOUVELLE_AQUITAINE,
    "paca": Region.PROVENCE_ALPES_COTE_D_AZUR,
    "pdl": Region.PAYS_DE_LA_LOIRE,
}
# The regions before 2016, whose names people still give ("Nord-Pas-de-Calais", "Picardie").
FORMER_REGIONS = {
    "nord pas calais": Region.HAUTS_DE_FRANCE,
    "picardie": Region.HAUTS_DE_FRANCE,
    "aquitaine": Region.NOUVELLE_AQUITAINE,
    "limousin": Region.NOUVELLE_AQUITAINE,
    "poitou charentes": Region.NOUVELLE_AQUITAINE,
    "languedoc roussillon": Region.OCCITANIE,
    "midi pyrenees": Region.OCCITANIE,
    "alsace": Region.GRAND_EST,
    "lorraine": Region.GRAND_EST,
    "champagne ardenne": Region.GRAND_EST,
    "bourgogne": Region.BOURGOGNE_FRANCHE_COMTE,
    "franche comte": Region.BOURGOGNE_FRANCHE_COMTE,
    "haute normandie": Region.NORMANDIE,
    "basse normandie": Region.NORMANDIE,
    "rhone alpes": Region.AUVERGNE_RHONE_ALPES,
    "auvergne": Region.AUVERGNE_RHONE_ALPES,
}
# "Nord (59)", "nord pas de calais, dans le 59": each part names the place
PLACE_PARTS = re.compile(r"[,;()/]|\bet\b")
POSTCODE = re.compile(r"\b\d{5}\b")
# Words around a place's name in an answer ("c'est dans le département des Landes").
PLACE_NOISE = register_search.STOP_WORDS | {"departement", "region", "ville", "commune", "dans", "pres", "vers", "c"}
HEAD_COUNT = 100  # names a word begins, from which it says a kind of place
MAX_WORDS = 8  # of a place's name; more is a sentence, not a name
ALL_WORDS_UNBOOSTED = 20  # places with every rare word but not the kind word, fetched before the rest
TABLE = EstablishmentRow.__table__


@dataclass(frozen=True)
class Vocabulary:
    """The register's words: to spell a person's words as the register does ("veirzon" ->
    "vierzon"), and to tell the common ones (in more than ``COMMON_COUNT`` names)."""

    known: FrozenSet[str]
    by_initial: Dict[str, List[str]]
    everything: List[str]
    common: FrozenSet[str]
    omissible: register_search.Omissible

    @classmethod
    def of(cls, rows: Iterable[Tuple[str, str]]) -> "Vocabulary":
        """From (search text, structure type) pairs."""
        counts: Counter = Counter()
        heads: Dict[str, Counter] = {}
        for words, structure_type in rows:
            split = words.split()
            counts.update(set(split))
            if split:
                heads.setdefault(split[0], Counter())[structure_type] += 1
        everything = sorted(counts)
        by_initial: Dict[str, List[str]] = {}
        for word in everything:
            by_initial.setdefault(word[0], []).append(word)
        common = {word for word, count in counts.items() if count > register_search.COMMON_COUNT}
        common |= register_search.COMMON_WORDS
        # a word that begins many names says a kind of place ("SSIAD", "EHPAD", "IME"): the type most have
        kinds = {word: types.most_common(1)[0][0] for word, types in heads.items() if sum(types.values()) > HEAD_COUNT}
        omissible = register_search.Omissible(frozenset(common - set(kinds)), kinds)
        return cls(frozenset(counts), by_initial, everything, frozenset(common), omissible)

    def spelled(self, word: str) -> str:
        """``word`` as the register spells it (itself if it has it): the closest word of the same
        initial first, which is where a typo's correction almost always is (a whole scan took
        up to 17 ms), then any word."""
        if word in self.known or len(word) < 4:
            return word
        for candidates in (self.by_initial.get(word[0], []), self.everything):
            match = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=SPELLING_CUTOFF)
            if match:
                return match[0]
        return word


@dataclass(frozen=True)
class LoadResult:
    rows: int
    changed: bool


class Register:
    """Lookups in the register table of one database."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self._vocabulary: Optional[Vocabulary] = None
        self._place_regions: Optional[Dict[str, Region]] = None
        self._name_like: Optional[FrozenSet[str]] = None

    def is_loaded(self) -> bool:
        with self.engine.connect() as connection:
            return (
                connection.execute(select(RegisterSource.rows).where(RegisterSource.name == SOURCE)).first() is not None
            )

    def load(self, directory: Path) -> LoadResult:
        """Load the files, unless the same files were loaded into the same index already."""
        digest = hashlib.sha256(f"{fingerprint(directory)} {register_search.INDEX_VERSION}".encode()).hexdigest()
        with self.engine.begin() as connection:
            known = connection.execute(select(RegisterSource.sha256, RegisterSource.rows)).first()
            if known and known.sha256 == digest:
                return LoadResult(known.rows, changed=False)
            rows = self._replace(connection, read_register(directory))
            connection.execute(delete(RegisterSource))
            loaded_at = datetime.now(UTC)
            values = {"name": SOURCE, "sha256": digest, "rows": rows, "loaded_at": loaded_at}
            connection.execute(insert(RegisterSource), values)
        self._vocabulary = self._place_regions = self._name_like = None
        return LoadResult(rows, changed=True)

    def by_finess(self, finess: str) -> Optional[Establishment]:
        with self.engine.connect() as connection:
            row = connection.execute(select(TABLE).where(TABLE.c.finess == finess)).first()
        return _establishment(row) if row else None

    def of_legal_entity(self, legal_finess: str) -> List[Establishment]:
        query = select(TABLE).where(TABLE.c.legal_finess == legal_finess).order_by(TABLE.c.finess)
        with self.engine.connect() as connection:
            return [_establishment(row) for row in connection.execute(query)]

    def search(self, words: str) -> List[Candidate]:
        """Candidates for what a person called their structure, best first."""
        words = register_search.without_territory_group(words)
        names, kinds = register_search.query_words(words)
        if not names:
            return []
        vocabulary = self._words_of_register()
        spelling = {name: vocabulary.spelled(name) for name in names}
        spelled = list(spelling.values())
        # a kind typed with a typo ("EHAPD") is a kind once spelled: it raises, it does not fetch
        names = [word for word in spelled if word not in register_search.KIND_WORDS]
        kinds = [*kinds, *(word for word in spelled if word in register_search.KIND_WORDS)]
        if not names:
            return []
        fetch = register_search.fetching_words(names, vocabulary.common)
        common = [name for name in dict.fromkeys(names) if name not in fetch]
        with self.engine.connect() as connection:
            if self.sqlite:
                rows = list(self._fts(connection, fetch, common, kinds))
            else:
                rows = list(self._words(connection, fetch, common, kinds))
        # ranked as if typed without the typos, in the person's order ("EHAPD du CH de Dax")
        words = " ".join(spelling.get(word, word) for word in register_search.search_key(words).split())
        found = ((_establishment(row), row.search_text) for row in rows)
        return register_search.rank(words, found, vocabulary.omissible)

    def find(self, words: str) -> List[Establishment]:
        """The establishment meant (one), the close ones (up to four), or none."""
        return register_search.choose(self.search(words))

    def region_of_place(self, words: str) -> Optional[Region]:
        """The region of a place a person names: a region, a département (name or number) or a town."""
        key = _place_key(words)
        if not key:
            return None
        department = key.upper().replace(" ", "")
        if department in DEPARTEMENT_REGION or (department.isdigit() and department.zfill(2) in DEPARTEMENT_REGION):
            return region_of(department if department in DEPARTEMENT_REGION else department.zfill(2))
        postcode = POSTCODE.search(key)
        if postcode:
            return region_of(_postcode_department(postcode.group()))
        places = self._places()
        if key in places:
            return places[key]
        said = {REGION_SHORT_NAMES[w] for w in key.split() if w in REGION_SHORT_NAMES}
        if len(said) == 1:
            return said.pop()  # "hdf nord", "IDF, le 93"
        if key in FORMER_REGIONS:
            return FORMER_REGIONS[key]
        parts = [part for part in PLACE_PARTS.split(words) if _place_key(part)]
        if len(parts) > 1:
            regions = {self.region_of_place(part) for part in parts} - {None}
            if len(regions) == 1:
                return regions.pop()
        match = process.extractOne(key, list(places), scorer=fuzz.ratio, score_cutoff=PLACE_CUTOFF)
        return places[match[0]] if match else self.region_in_name(words)

    def region_in_name(self, name: str) -> Optional[Region]:
        """The region of the town a structure's name ends with or names after "à", "de"…
        ("EHPAD Les Charmilles à Amiens", "Synlab Barla, Nice"): places named exactly, a place
        inside a longer one left out ("Brive" in "Brive-la-Gaillarde"); the one that ends the
        name when they are in two regions, else none (the question is asked)."""
        words, after_marker = _place_words(name)
        places, name_like = self._places(), self._name_like_towns()

        def placeable(start: int, end: int) -> bool:
            key = " ".join(words[start:end])
            return key in places and (key not in name_like or end - start > 1 and after_marker[start])

        spans = [(start, end) for start, end in _spans(len(words)) if placeable(start, end)]
        widest = [(a, b) for a, b in spans if not any(c <= a and b <= d and (c, d) != (a, b) for c, d in spans)]
        placed = [(a, b) for a, b in widest if b == len(words) or after_marker[a]]
        regions = {places[" ".join(words[a:b])] for a, b in placed}
        last = [places[" ".join(words[a:b])] for a, b in placed if b == len(words)]
        if len(regions) > 1 and last:
            return last[0]
        return regions.pop() if len(regions) == 1 else None

    def warm_up(self) -> None:
        """Read what lookups keep in memory (places, words of names, the register's vocabulary)
        once, before the first person needs it: about three seconds."""
        self._places()
        self._name_like_towns()
        self._words_of_register()

    def _name_like_towns(self) -> FrozenSet[str]:
        """Places that more establishments hold in their name, elsewhere, than are in the place:
        "Croix" in "Croix-Rouge", "Rue" in street names, and the saints of "Clinique Saint-Jean"
        or "Hôpital Saint-Vincent-de-Paul", which are also towns: not read as the town of a name."""
        if self._name_like is None:
            places = self._places()
            in_names: Counter = Counter()
            in_town: Counter = Counter()
            with self.engine.connect() as connection:
                query = select(TABLE.c.name, TABLE.c.town, TABLE.c.department_name)
                for name, town, department_name in connection.execute(query):
                    town_key = _place_key(CEDEX.sub("", town or ""))
                    in_town.update([town_key, _place_key(department_name or "")])
                    in_names.update(set(register_search.search_key(name or "").split()) - set(town_key.split()))
                    in_names.update(_places_named(_place_key(name or "").split(), places) - {town_key})
            regions = {_place_key(region.label) for region in Region}
            self._name_like = frozenset(
                word for word in in_names if in_names[word] >= in_town[word] and word not in regions
            )
        return self._name_like

    def _places(self) -> Dict[str, Region]:
        """Search key of each region, département and town -> its region (towns of one name in two
        regions are left out: the question is asked again rather than guessed)."""
        if self._place_regions is None:
            regions: Dict[str, Set[str]] = {}
            query = select(TABLE.c.town, TABLE.c.department_name, TABLE.c.region).distinct()
            with self.engine.connect() as connection:
                for town, department_name, region in connection.execute(query):
                    for place in (CEDEX.sub("", town), department_name):
                        regions.setdefault(_place_key(place), set()).add(region or "")
            places = {
                key: Region.of(next(iter(found)))
                for key, found in regions.items()
                if len(found) == 1 and "" not in found
            }
            places.update({_place_key(region.label): region for region in Region if region is not Region.INCONNU})
            self._place_regions = places
        return self._place_regions

    def _words_of_register(self) -> "Vocabulary":
        if self._vocabulary is None:
            with self.engine.connect() as connection:
                rows = connection.execute(select(TABLE.c.search_text, TABLE.c.structure_type))
                self._vocabulary = Vocabulary.of((row.search_text, row.structure_type) for row in rows)
        return self._vocabulary

    @staticmethod
    def _fts(connection: Connection, fetch: Sequence[str], common: Sequence[str], kinds: Sequence[str]) -> Iterable:
        """The places having one of the rare words, those with one of the kind words first: as
        PostgreSQL's query, without ranking the thousands of places that only share the kind
        ("ehpad"), which took most of a lookup's time. Common words raise the places having them."""
        found = register_search.fts_any(fetch)
        if common:
            found = f"({found}) AND ({register_search.fts_any([*fetch, *common])})"
        boost = register_search.fts_any(register_search.boosting_words(kinds))
        # The places having every rare word come first, a few without the kind word among them:
        # "labo Cerballiance de Saint-Pierre" is "CERBALLIANCE SAINT PIERRE", which the eighty
        # "LBM CERBALLIANCE …" that "labo" raises had hidden.
        every = " AND ".join(f'"{word}"' for word in fetch) if len(fetch) > 1 else None
        # then those with two of them: "ICANS … Strasbourg … Paul-Strauss" is "CRLCC PAUL STRAUSS - ICANS",
        # which the eighty places of Strasbourg with the kind word "centre" had hidden
        pairs = " OR ".join(f'("{a}" AND "{b}")' for a, b in combinations(fetch, 2)) if len(fetch) > 2 else None
        queries: List[Tuple[str, int]] = []
        for words in filter(None, (every, pairs, found)):
            if boost:
                queries.append((f"({words}) AND ({boost})", register_search.CANDIDATES))
            unboosted = f"({words}) NOT ({boost})" if boost else words
            queries.append((unboosted, ALL_WORDS_UNBOOSTED if words is not found else register_search.CANDIDATES))
        rows: Dict[str, Any] = {}
        for query, limit in queries:
            for row in connection.execute(
                text(
                    "SELECT e.* FROM establishments_fts f JOIN establishments e ON e.finess = f.finess "
                    "WHERE establishments_fts MATCH :query ORDER BY f.rank LIMIT :limit"
                ),
                {"query": query, "limit": limit},
            ):
                rows.setdefault(row.finess, row)
            if len(rows) >= register_search.CANDIDATES:
                break
        return list(rows.values())[: register_search.CANDIDATES]

    @staticmethod
    def _words(connection: Connection, fetch: Sequence[str], common: Sequence[str], kinds: Sequence[str]) -> Iterable:
        """PostgreSQL's full-text search over the folded words (``simple``: no stemming), the
        common and kind words raising the places that have them; the same query as SQLite's FTS5."""
        found = " | ".join(fetch[:MAX_WORDS])
        rank = " | ".join([*fetch[:MAX_WORDS], *common[:MAX_WORDS], *register_search.boosting_words(kinds)])
        query = (
            "SELECT * FROM establishments WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', :fetch) "
            "ORDER BY ts_rank(to_tsvector('simple', search_text), to_tsquery('simple', :rank)) DESC LIMIT :limit"
        )
        return connection.execute(text(query), {"fetch": found, "rank": rank, "limit": register_search.CANDIDATES})

    def _replace(self, connection: Connection, establishments: Iterable[Establishment]) -> int:
        connection.execute(delete(TABLE))
        if self.sqlite:
            connection.execute(text("DELETE FROM establishments_fts"))
        count, batch = 0, []
        for establishment in establishments:
            batch.append(_row(establishment))
            if len(batch) == BATCH:
                count += self._insert(connection, batch)
                batch = []
        return count + (self._insert(connection, batch) if batch else 0)

    def _insert(self, connection: Connection, rows: List[dict]) -> int:
        connection.execute(insert(TABLE), rows)
        if self.sqlite:
            connection.execute(
                text("INSERT INTO establishments_fts (finess, search_text) VALUES (:finess, :search_text)"),
                [{"finess": r["finess"], "search_text": r["search_text"]} for r in rows],
            )
        return len(rows)


# Words before a town in a structure's name: "à Amiens", "de Rennes", "aux Abymes", "d'Aurillac".
PLACE_MARKERS = {"a", "au", "aux", "de", "d", "du", "des", "sur", "en", "lez"}
ARTICLES = {"l", "la", "le", "les"}
PLACE_SEPARATOR = re.compile(r"\s*(?:[,(/]|\s[-–]\s)\s*")  # "Clinique de l'Union, Saint-Jean": a place follows
CARDINAL_POINTS = {"nord", "sud", "est", "ouest", "centre"}


def _place_words(name: str) -> Tuple[List[str], List[bool]]:
    """The words of a name that may be a place (no kind nor noise word), and for each whether it
    follows a marker ("à", "de la"...)."""
    words: List[str] = []
    after_marker: List[bool] = []
    marked = False
    for word in register_search.search_key(PLACE_SEPARATOR.sub(" a ", name)).split():
        if word in CARDINAL_POINTS:  # "Tours Nord", "Hôpital Sud": a part of the town, not the Nord
            marked = False
            continue
        if word in PLACE_MARKERS or word in ARTICLES and marked:
            marked = marked or word in PLACE_MARKERS
            continue
        if word not in PLACE_NOISE and word not in register_search.KIND_WORDS:
            words.append(word)
            after_marker.append(marked)
        marked = False
    return words, after_marker


def _places_named(words: List[str], places: Dict[str, Region]) -> Set[str]:
    """The places of more than one word that a name's words hold ("saint jean", "saint vincent paul")."""
    keys = (" ".join(words[start:end]) for start, end in _spans(len(words), smallest=2))
    return {key for key in keys if key in places}


def _spans(count: int, smallest: int = 1) -> Iterator[Tuple[int, int]]:
    """(start, end) of every run of ``smallest`` to MAX_WORDS words among ``count``, longest first."""
    for size in range(min(MAX_WORDS, count), smallest - 1, -1):
        for start in range(count - size + 1):
            yield start, start + size


def _postcode_department(postcode: str) -> str:
    """ "40100" -> "40", "97600" -> "976", "20000" -> "2A" (the two Corsican ones share a region)."""
    if postcode.startswith("97"):
        return postcode[:3]
    return "2A" if postcode.startswith("20") else postcode[:2]


def _place_key(words: str) -> str:
    return " ".join(w for w in register_search.search_key(words).split() if w not in PLACE_NOISE)


def _row(establishment: Establishment) -> dict:
    return {
        "finess": establishment.finess,
        "legal_finess": establishment.legal_finess,
        "name": establishment.name,
        "long_name": establishment.long_name,
        "town": establishment.town,
        "postcode": establishment.postcode,
        "department": establishment.department,
        "department_name": establishment.department_name,
        "region": establishment.region.value if establishment.region else None,
        "category": establishment.category,
        "category_label": establishment.category_label,
        "structure_type": establishment.structure_type.value,
        "search_text": register_search.document(establishment),
    }


def _establishment(row) -> Establishment:
    return Establishment(
        finess=row.finess,
        legal_finess=row.legal_finess,
        name=row.name,
        long_name=row.long_name,
        town=row.town,
        postcode=row.postcode,
        department=row.department,
        department_name=row.department_name,
        region=Region.of(row.region) if row.region else None,
        category=row.category,
        category_label=row.category_label,
        structure_type=StructureType.of(row.structure_type),
    )


def main(argv: Optional[List[str]] = None) -> int:
    from bot.core.storage import DeclarationStore
    from bot.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m bot.core.register_store")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="load the FINESS files of a directory into DATABASE_URL")
    load.add_argument("directory", nargs="?", type=Path, default=None)
    args = parser.parse_args(argv)
    directory = args.directory or Settings.from_env().finess_dir
    if not directory.is_dir():
        print(
            f"Répertoire FINESS introuvable ({directory}) : Vigie demandera le numéro FINESS, le type et la région "
            "au lieu de reconnaître l'établissement. Indiquez le dossier avec VIGIE_FINESS_DIR.",
            file=sys.stderr,
        )
        return 0
    store = DeclarationStore()
    store.migrate()
    result = Register(store.engine).load(directory)
    verb = "chargé" if result.changed else "déjà à jour"
    print(f"Répertoire FINESS {verb} : {result.rows} établissements ({directory}).")
    store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
