"""The FINESS register of establishments, read from the DREES open-data files.

Source : FINESS, extraction du 08/01/2021 (et liste des hôpitaux 2025), DREES /
data.gouv.fr, Licence Ouverte Etalab 2.0 (``ATTRIBUTION`` below, shown in the
README and the admin pages).

The files stay in ``../shared/data/finess/`` (or wherever an operator keeps a
newer extraction); ``bot.core.register_store`` loads them into the application
database. Here: one ``Establishment`` per FINESS ET number, the 2025 hospital
list adding long names and the hospitals opened or renamed since 2021, and the
documented mapping from FINESS categories to the spec's structure types.
"""

import csv
import gzip
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from bot.core.fields import Region, StructureType
from bot.core.validators import DEPARTEMENT_REGION

ATTRIBUTION = (
    "Source : FINESS, extraction du 08/01/2021 (et liste des hôpitaux 2025), "
    "DREES / data.gouv.fr, Licence Ouverte Etalab 2.0."
)
NATIONAL_FILE = "etablissements-2021-01-08.csv.gz"
HOSPITALS_FILE = "hopitaux-2025.csv.gz"

# INSEE region codes (2016 regions) of the register -> the spec's regions.
INSEE_REGIONS = {
    "11": Region.ILE_DE_FRANCE,
    "24": Region.CENTRE_VAL_DE_LOIRE,
    "27": Region.BOURGOGNE_FRANCHE_COMTE,
    "28": Region.NORMANDIE,
    "32": Region.HAUTS_DE_FRANCE,
    "44": Region.GRAND_EST,
    "52": Region.PAYS_DE_LA_LOIRE,
    "53": Region.BRETAGNE,
    "75": Region.NOUVELLE_AQUITAINE,
    "76": Region.OCCITANIE,
    "84": Region.AUVERGNE_RHONE_ALPES,
    "93": Region.PROVENCE_ALPES_COTE_D_AZUR,
    "94": Region.CORSE,
    "01": Region.GUADELOUPE,
    "02": Region.MARTINIQUE,
    "03": Region.GUYANE,
    "04": Region.LA_REUNION,
    "06": Region.MAYOTTE,
}
# FINESS writes the overseas départements 9A...9F; Saint-Pierre-et-Miquelon (9E) has no ARS
# region of the spec.
FINESS_OVERSEAS = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9F": "976"}

# --- FINESS category -> the spec's structure type ----------------------------------
# Hospitals of the armed forces by category; biology laboratories by category group;
# every social and medico-social category group (4xxx: EHPAD, disability, child
# welfare...) is an ESMS; other health establishments by their public-service status
# (codesph: 1 public; 2, 3, 6, 7 private non-profit; 0 or 9 private); a health
# establishment whose name says radiotherapy is a radiotherapy centre, and so is an
# oncology or cancer centre among the equipment sites (group 1205). Everything else
# (pharmacies, training institutes...) is "autre", and so is a blood transfusion site: the EFS
# is a public body of the State, neither a hospital nor a private establishment in law.
ARMED_FORCES_CATEGORIES = {"114", "115"}
TRANSFUSION_GROUP = "3401"
LABORATORY_GROUPS = {"3101"}
NON_PROFIT_STATUS = {"2", "3", "6", "7"}
EQUIPMENT_GROUP = "1205"  # Autres Etablissements Relevant de la Loi Hospitalière
# Catch-all categories of that group (GCS de moyens, "Autre Etablissement Loi Hospitalière",
# "Entité Ayant Autorisation"): imaging, radiotherapy, dialysis sites under any name
# ("CENTRE JEAN BERNARD"); their type is a default that what the person said beats.
CATCH_ALL_CATEGORIES = {"695", "696", "698", "699"}
CANCER_CENTRE = re.compile(r"\b(?:ONCO|CANCERO)")
IMAGING = re.compile(r"\b(?:IRM|SCANNER|TEP|IMAGERIE|GCS|GIE)\b")
# Hospitals and clinics (11, 12) and the other health institutions of the register (34: birth
# centres, aesthetic surgery...). Not the centres de santé, PMI and dispensaries (22): they are not
# établissements de santé in law, they are "autre".
HEALTH_GROUP_PREFIXES = ("11", "12", "34")
PUBLIC_STATUS_LABEL = "Etablissement public de santé"
NON_PROFIT_STATUS_LABELS = ("intérêt collectif", "non lucratif")


def structure_type_for(category: str, group: str, status: str, name: str) -> StructureType:
    if category in ARMED_FORCES_CATEGORIES:
        return StructureType.HOPITAL_ARMEES
    if group in LABORATORY_GROUPS:
        return StructureType.LABORATOIRE_BIOLOGIE_MEDICALE
    if group.startswith("4"):
        return StructureType.ESMS
    if not group.startswith(HEALTH_GROUP_PREFIXES) or group == TRANSFUSION_GROUP:
        return StructureType.AUTRE
    if _radiotherapy(group, name):
        return StructureType.CENTRE_RADIOTHERAPIE
    if status == "1":
        return StructureType.ETABLISSEMENT_SANTE_PUBLIC
    if status in NON_PROFIT_STATUS:
        return StructureType.ETABLISSEMENT_SANTE_PRIVE_NON_LUCRATIF
    return StructureType.ETABLISSEMENT_SANTE_PRIVE


def _radiotherapy(group: str, name: str) -> bool:
    """ "CENTRE DE RADIOTHÉRAPIE", "CTRE ONCO ST JEAN (RADIOTHE)"; and among the equipment sites of
    group 1205, the oncology and cancer centres ("CTRE AZUREEN CANCEROLOGIE"), not their scanners."""
    folded = unicodedata.normalize("NFKD", name.upper()).encode("ascii", "ignore").decode()
    if "RADIOTH" in folded:
        return True
    return group == EQUIPMENT_GROUP and bool(CANCER_CENTRE.search(folded)) and not IMAGING.search(folded)


def _status_code(label: str) -> str:
    """The 2025 list gives the status as a label only."""
    if label == PUBLIC_STATUS_LABEL:
        return "1"
    return "6" if any(part in label for part in NON_PROFIT_STATUS_LABELS) else "0"


@dataclass(frozen=True)
class Establishment:
    finess: str
    legal_finess: str
    name: str  # the register's short name, upper case ("CH DE FLEYRIAT")
    long_name: Optional[str]  # from the 2025 list ("CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT")
    town: str
    postcode: str
    department: str  # INSEE code ("01", "2A", "974")
    department_name: str
    region: Optional[Region]
    category: str
    category_label: str
    structure_type: StructureType
    # the 2021 name when the 2025 list renamed it ("CENTRE GUILLAUME LE CONQUERANT SCM GRH"):
    # its words are searched (register_search.document), it is never shown nor kept in its own
    # column: not part of what the establishment is (compare=False)
    former_name: Optional[str] = field(default=None, compare=False)

    @property
    def type_is_default(self) -> bool:
        return self.category in CATCH_ALL_CATEGORIES

    @property
    def display_name(self) -> str:
        return pretty_name(self.long_name or self.name)

    @property
    def display_town(self) -> str:
        town = CEDEX.sub("", self.town).strip()
        return pretty_name(SAINTS.sub(lambda m: "SAINTE" if m[1].upper() == "STE" else "SAINT", town))

    @property
    def name_and_town(self) -> str:
        """ "Centre Hospitalier Yves le Foll (Saint Brieuc)": the town unless the name says it."""
        folded = re.sub(r"\W+", " ", self.display_name.lower())
        town = re.sub(r"\W+", " ", self.display_town.lower())
        return self.display_name if town in folded else f"{self.display_name} ({self.display_town})"


def department_code(finess_department: str) -> str:
    return FINESS_OVERSEAS.get(finess_department, finess_department)


def region_of(department: str) -> Optional[Region]:
    region = DEPARTEMENT_REGION.get(department)
    return Region.of(region) if region else None


def read_register(directory: Path) -> Iterator[Establishment]:
    """Every establishment of the two files, the 2025 list's name and category winning."""
    national = _read(directory / NATIONAL_FILE)
    hospitals = {row["nofinesset"]: row for row in _read(directory / HOSPITALS_FILE)}
    categories = {row["libcategetab"]: (row["categetab"], row["categagretab"]) for row in national}
    seen = set()
    for row in national:
        seen.add(row["nofinesset"])
        yield _from_national(row, hospitals.get(row["nofinesset"]))
    for finess, row in hospitals.items():
        if finess not in seen:
            yield _from_hospital_list(row, categories)


def fingerprint(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in (NATIONAL_FILE, HOSPITALS_FILE):
        digest.update((directory / name).read_bytes())
    return digest.hexdigest()


def _read(path: Path) -> List[Dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter=";")
        return [{k: _unquoted((v or "").strip()) for k, v in row.items()} for row in rows]


def _unquoted(value: str) -> str:
    """The extraction quoted some names twice: '"MAS ""LES PASSEREAUX"" - ALENCON"' reads
    'MAS "LES PASSEREAUX" - ALENCON'."""
    if len(value) > 1 and value[0] == value[-1] == '"':
        return value[1:-1].replace('""', '"')
    return value


def _from_national(row: Dict[str, str], hospital: Optional[Dict[str, str]]) -> Establishment:
    department = department_code(row["departement"])
    name = (hospital or {}).get("rs_courte") or row["rs"]
    return Establishment(
        finess=row["nofinesset"],
        legal_finess=row["nofinessej"],
        name=name,
        long_name=(hospital or {}).get("rs_longue") or None,
        town=row["ville"],
        postcode=row["code_postal"],
        department=department,
        department_name=row["libdepartement"],
        region=INSEE_REGIONS.get(row["region_code"]) or region_of(department),
        category=row["categetab"],
        category_label=row["libcategetab"],
        structure_type=structure_type_for(
            row["categetab"], row["categagretab"], row["codesph"], " ".join([name, row["rs"], *_long(hospital)])
        ),
        former_name=row["rs"] if row["rs"] != name else None,
    )


def _long(hospital: Optional[Dict[str, str]]) -> List[str]:
    return [hospital["rs_longue"]] if hospital and hospital.get("rs_longue") else []


def _from_hospital_list(row: Dict[str, str], categories: Dict[str, Tuple[str, str]]) -> Establishment:
    department = department_code(row["departement_code"])
    postcode, _, town = row["ville_cp"].partition(" ")
    category, group = categories.get(row["categorie_libelle"], ("", "1205"))
    status = _status_code(row["statut_juridique_lib"])
    return Establishment(
        finess=row["nofinesset"],
        legal_finess=row["nofinessej"],
        name=row["rs_courte"],
        long_name=row["rs_longue"] or None,
        town=town,
        postcode=postcode,
        department=department,
        department_name=row["departement_nom"],
        region=region_of(department),
        category=category,
        category_label=row["categorie_libelle"],
        structure_type=structure_type_for(category, group, status, " ".join([row["rs_courte"], *_long(row)])),
    )


# --- Names as people read them -------------------------------------------------------

# "CEDEX 9", and its ends cut by the register's town field ("VILLEFRANCHE SUR SAONE CED")
CEDEX = re.compile(r"\s+(?:CEDEX(?:\s+\d+)?|CEDE|CED|CE)$", re.IGNORECASE)
SAINTS = re.compile(r"\b(STE?)\b", re.IGNORECASE)
_KEEP_UPPER = {"CH", "CHU", "CHR", "CHRU", "CHI", "CHS", "CHD", "GH", "GHT", "EHPAD", "SSR", "HAD", "USLD", "AP-HP"}
_KEEP_UPPER |= {"AP", "HP", "HM", "HCL", "CMP", "MAS", "FAM", "IME", "ESAT", "SAMU", "CLCC", "LBM", "SA", "SAS"}
_SMALL = {"DE", "DU", "DES", "LA", "LE", "LES", "ET", "EN", "SUR", "SOUS", "AUX", "AU", "D", "L"}


def pretty_name(name: str) -> str:
    """ "CH DE MONT-DE-MARSAN" -> "CH de Mont-De-Marsan": readable, abbreviations kept."""
    words = []
    for index, word in enumerate(name.split()):
        parts = []
        for part in re.split(r"([-'\"])", word):
            upper = part.upper()
            if upper in _KEEP_UPPER or not part.isalpha():
                parts.append(upper if upper in _KEEP_UPPER else part)
            elif upper in _SMALL and index > 0 and parts[-1:] != ['"']:  # 'MAS "Les Passereaux"'
                parts.append(part.lower())
            else:
                parts.append(part.capitalize())
        words.append("".join(parts))
    return " ".join(words)
