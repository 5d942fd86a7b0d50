"""A synthetic population of French health structures, with valid FINESS numbers.

Names are plausible ("CH de Vierzon", "EHPAD Les Tilleuls (Dole)"), built from
real town names; the FINESS numbers are random (département of the town,
valid check key) and may by chance match real ones. Declarants are obviously
fictitious ("Camille Démo"), with addresses under the reserved ``.example``
domain and telephone numbers in the 01 99 00 block that ARCEP keeps for
fiction.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from functools import lru_cache
from typing import Dict, List, NamedTuple, Tuple

from bot.core.validators import finess_key, normalize_finess, region_from_finess
from bot.observatory import profile

# Département -> towns (real towns; CHU cities are starred).
_TOWNS = """
01 Bourg-en-Bresse, Oyonnax, Belley
02 Saint-Quentin, Laon, Soissons, Château-Thierry
03 Moulins, Montluçon, Vichy
04 Digne-les-Bains, Manosque
05 Gap, Briançon
06 *Nice, Cannes, Grasse, Antibes
07 Privas, Aubenas, Annonay
08 Charleville-Mézières, Sedan
09 Foix, Pamiers
10 Troyes, Romilly-sur-Seine
11 Carcassonne, Narbonne, Castelnaudary
12 Rodez, Millau, Villefranche-de-Rouergue
13 *Marseille, Aix-en-Provence, Arles, Martigues, Aubagne, Salon-de-Provence
14 *Caen, Lisieux, Bayeux
15 Aurillac, Saint-Flour
16 Angoulême, Cognac
17 La Rochelle, Saintes, Rochefort, Royan
18 Bourges, Vierzon, Saint-Amand-Montrond
19 Tulle, Brive-la-Gaillarde, Ussel
21 *Dijon, Beaune, Montbard
22 Saint-Brieuc, Lannion, Dinan, Guingamp
23 Guéret, Aubusson
24 Périgueux, Bergerac, Sarlat-la-Canéda
25 *Besançon, Pontarlier, Montbéliard
26 Valence, Montélimar, Romans-sur-Isère
27 Évreux, Vernon, Bernay
28 Chartres, Dreux, Châteaudun
29 *Brest, Quimper, Morlaix, Landerneau
2A Ajaccio, Porto-Vecchio
2B Bastia, Corte
30 *Nîmes, Alès, Bagnols-sur-Cèze
31 *Toulouse, Saint-Gaudens, Muret
32 Auch, Condom
33 *Bordeaux, Libourne, Arcachon, Langon
34 *Montpellier, Béziers, Sète, Lodève
35 *Rennes, Saint-Malo, Fougères, Vitré, Redon
36 Châteauroux, Issoudun, Le Blanc
37 *Tours, Amboise, Chinon, Loches
38 *Grenoble, Vienne, Voiron, Bourgoin-Jallieu
39 Lons-le-Saunier, Dole, Saint-Claude
40 Mont-de-Marsan, Dax
41 Blois, Vendôme, Romorantin-Lanthenay
42 *Saint-Étienne, Roanne, Montbrison
43 Le Puy-en-Velay, Yssingeaux
44 *Nantes, Saint-Nazaire, Châteaubriant
45 *Orléans, Montargis, Gien, Pithiviers
46 Cahors, Figeac
47 Agen, Villeneuve-sur-Lot, Marmande
48 Mende
49 *Angers, Cholet, Saumur
50 Saint-Lô, Cherbourg-en-Cotentin, Avranches, Coutances
51 *Reims, Châlons-en-Champagne, Épernay
52 Chaumont, Langres, Saint-Dizier
53 Laval, Mayenne, Château-Gontier
54 *Nancy, Lunéville, Briey
55 Bar-le-Duc, Verdun
56 Vannes, Lorient, Pontivy, Ploërmel
57 *Metz, Thionville, Sarreguemines, Forbach
58 Nevers, Cosne-Cours-sur-Loire, Decize
59 *Lille, Roubaix, Tourcoing, Valenciennes, Dunkerque, Douai, Cambrai, Maubeuge
60 Beauvais, Compiègne, Creil, Senlis
61 Alençon, Argentan, Flers, L'Aigle
62 Arras, Lens, Boulogne-sur-Mer, Calais, Béthune
63 *Clermont-Ferrand, Riom, Issoire, Thiers
64 Pau, Bayonne, Oloron-Sainte-Marie
65 Tarbes, Lourdes, Lannemezan
66 Perpignan, Prades
67 *Strasbourg, Haguenau, Sélestat, Saverne
68 Colmar, Mulhouse, Guebwiller
69 *Lyon, Villefranche-sur-Saône, Givors
70 Vesoul, Lure, Gray
71 Mâcon, Chalon-sur-Saône, Le Creusot, Autun, Paray-le-Monial
72 Le Mans, La Flèche, Sablé-sur-Sarthe
73 Chambéry, Albertville, Aix-les-Bains
74 Annecy, Thonon-les-Bains, Annemasse, Sallanches
75 *Paris
76 *Rouen, Le Havre, Dieppe, Fécamp, Elbeuf
77 Melun, Meaux, Fontainebleau, Provins, Coulommiers
78 Versailles, Poissy, Mantes-la-Jolie, Rambouillet
79 Niort, Bressuire, Parthenay
80 *Amiens, Abbeville, Péronne
81 Albi, Castres, Lavaur
82 Montauban, Moissac
83 Toulon, Hyères, Draguignan, Fréjus, Brignoles
84 Avignon, Carpentras, Cavaillon, Orange
85 La Roche-sur-Yon, Les Sables-d'Olonne, Fontenay-le-Comte, Challans
86 *Poitiers, Châtellerault, Loudun
87 *Limoges, Saint-Junien, Saint-Yrieix-la-Perche
88 Épinal, Saint-Dié-des-Vosges, Remiremont, Neufchâteau
89 Auxerre, Sens, Avallon, Joigny
90 Belfort
91 Évry-Courcouronnes, Corbeil-Essonnes, Étampes, Longjumeau, Arpajon
92 Nanterre, Boulogne-Billancourt, Clamart, Suresnes, Colombes
93 Saint-Denis, Montreuil, Aulnay-sous-Bois, Bobigny, Montfermeil
94 Créteil, Villejuif, Vitry-sur-Seine, Saint-Maurice, Villeneuve-Saint-Georges
95 Pontoise, Argenteuil, Gonesse, Eaubonne, Beaumont-sur-Oise
971 *Pointe-à-Pitre, Basse-Terre, Les Abymes
972 *Fort-de-France, Le Lamentin, Trinité
973 Cayenne, Saint-Laurent-du-Maroni, Kourou
974 *Saint-Pierre, Saint-Paul, Saint-Benoît, Le Port
976 Mamoudzou, Dzaoudzi
"""

# Towns with a military hospital (hôpital d'instruction des armées).
_ARMY_TOWNS = ("Clamart", "Marseille", "Toulon", "Bordeaux", "Metz", "Lyon", "Brest")

_SAINTS = (
    "Saint-Joseph",
    "Sainte-Marie",
    "Saint-Jean",
    "Saint-Vincent",
    "Saint-Louis",
    "Sainte-Anne",
    "Saint-Michel",
    "Saint-Martin",
    "Saint-Augustin",
    "Saint-Roch",
    "Sainte-Thérèse",
    "Saint-François",
)
_PLACES = (
    "du Parc",
    "des Cèdres",
    "du Val",
    "de la Croix Blanche",
    "des Lilas",
    "du Pont",
    "Bel Air",
    "des Sources",
    "du Littoral",
    "de l'Europe",
    "des Tilleuls",
    "du Château",
    "de la Vallée",
    "des Pins",
)
_RESIDENCES = (
    "Les Tilleuls",
    "Les Glycines",
    "Les Magnolias",
    "La Roseraie",
    "Les Charmilles",
    "Le Clos Fleuri",
    "Les Hortensias",
    "Les Myosotis",
    "Les Lavandes",
    "Les Bruyères",
    "Les Églantines",
    "Le Val Fleuri",
    "Les Marronniers",
    "Les Peupliers",
    "Les Acacias",
    "Les Jonquilles",
    "La Source",
    "Le Belvédère",
    "Les Coquelicots",
    "Les Jardins d'Automne",
)

# Name patterns by structure type ({t}: town, {de_t}: "de <town>" with elision,
# {s}: saint, {p}: place, {r}: residence).
_PATTERNS: Dict[str, Tuple[str, ...]] = {
    "etablissement_sante_public": (
        "CH {de_t}",
        "Centre hospitalier spécialisé {de_t}",
        "Hôpital de proximité {de_t}",
        "EPSM {de_t}",
    ),
    "etablissement_sante_prive": (
        "Clinique {s} ({t})",
        "Polyclinique {p} ({t})",
        "Clinique {p} ({t})",
        "Hôpital privé {p} ({t})",
    ),
    "etablissement_sante_prive_non_lucratif": (
        "Centre de réadaptation {p} ({t})",
        "Institut {s} ({t})",
        "Centre médical {p} ({t})",
        "Fondation hospitalière {s} ({t})",
    ),
    "esms": (
        "EHPAD {r} ({t})",
        "EHPAD {r} ({t})",
        "EHPAD {r} ({t})",
        "MAS {p} ({t})",
        "FAM {r} ({t})",
        "IME {p} ({t})",
        "ESAT {p} ({t})",
        "SSIAD {de_t}",
    ),
    "laboratoire_biologie_medicale": (
        "Laboratoire de biologie médicale {p} ({t})",
        "Laboratoire d'analyses médicales {de_t}",
    ),
    "centre_radiotherapie": ("Centre de radiothérapie {de_t}", "Institut de radiothérapie {p} ({t})"),
    "hopital_armees": ("Hôpital d'instruction des armées {de_t}",),
    "autre": ("Centre de santé {de_t}", "Centre de dialyse {p} ({t})", "GCS e-santé {de_t}"),
}
_CHU_PATTERNS = ("CHU {de_t}", "Hôpital {s} – CHU {de_t}", "Centre hospitalier spécialisé {de_t}")

_FIRST_NAMES = (
    "Camille",
    "Dominique",
    "Claude",
    "Alix",
    "Sacha",
    "Morgan",
    "Charlie",
    "Lou",
    "Noa",
    "Eden",
    "Maxime",
    "Andréa",
    "Ange",
    "Loïs",
    "Swann",
    "Gaël",
    "Yaël",
    "Louison",
    "Elie",
    "Marion",
)
_ROLES: Dict[str, Tuple[Tuple[str, float], ...]] = {
    "hospital": (
        ("RSSI", 0.35),
        ("DSI", 0.25),
        ("Directeur de garde", 0.10),
        ("Administrateur de garde", 0.10),
        ("DPO", 0.10),
        ("Ingénieur système", 0.10),
    ),
    "esms": (
        ("Directeur", 0.50),
        ("Cadre de santé", 0.20),
        ("Responsable administratif", 0.20),
        ("Référent informatique", 0.10),
    ),
    "other": (("Directeur", 0.40), ("Responsable qualité", 0.25), ("Responsable informatique", 0.35)),
}
FICTION_PHONE_PREFIX = "+3319900"  # 01 99 00 xx xx


class Town(NamedTuple):
    name: str
    departement: str
    chu: bool


class Declarant(NamedTuple):
    name: str
    role: str
    email: str
    phone: str


class Structure(NamedTuple):
    name: str
    structure_type: str
    finess: str
    region: str
    town: str
    is_ose: str
    declarants: Tuple[Declarant, ...]


def towns() -> List[Town]:
    result = []
    for line in _TOWNS.strip().splitlines():
        departement, names = line.split(" ", 1)
        for name in names.split(", "):
            result.append(Town(name.lstrip("*"), departement, name.startswith("*")))
    return result


# --- FINESS -----------------------------------------------------------------------


def make_finess(departement: str, rng: random.Random) -> str:
    """A FINESS number of the département with a valid key."""
    body = "0" + "".join(str(rng.randrange(10)) for _ in range(8 - len(departement) - 1))
    return normalize_finess(departement + body + finess_key(departement + body))


# --- Names ------------------------------------------------------------------------


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:40].strip("-")


def of_town(town: str) -> str:
    """ "de Vierzon", "d'Évreux", "du Mans", "des Abymes", "de La Rochelle"."""
    if town.startswith("Le "):
        return "du " + town[3:]
    if town.startswith("Les "):
        return "des " + town[4:]
    if town[0] in "AEIOUYÉÈÂÎ" or town.startswith("Hy"):  # h muet of Hyères
        return "d'" + town
    return "de " + town


def _candidate_names(structure_type: str, rng: random.Random) -> List[Tuple[str, Town]]:
    candidates = []
    for town in towns():
        if structure_type == "hopital_armees" and town.name not in _ARMY_TOWNS:
            continue
        patterns = (
            _CHU_PATTERNS
            if (town.chu and structure_type == "etablissement_sante_public")
            else _PATTERNS[structure_type]
        )
        for pattern in patterns:
            name = pattern.format(
                t=town.name,
                de_t=of_town(town.name),
                s=rng.choice(_SAINTS),
                p=rng.choice(_PLACES),
                r=rng.choice(_RESIDENCES),
            )
            candidates.append((name, town))
    # Repeated patterns (EHPAD, the most common ESMS) give several names per town.
    return list(dict(candidates).items())


def _is_ose(structure_type: str, name: str, rng: random.Random) -> str:
    if structure_type != "etablissement_sante_public" or "spécialisé" in name or "proximité" in name:
        return "non"
    if "CHU" in name:
        return "oui"
    return "oui" if rng.random() < profile.OSE_SHARE_PUBLIC_NON_CHU else "non"


def _role_group(structure_type: str) -> str:
    if structure_type in profile.HOSPITAL_TYPES or structure_type == "hopital_armees":
        return "hospital"
    return "esms" if structure_type == "esms" else "other"


def _declarants(name: str, structure_type: str, rng: random.Random) -> Tuple[Declarant, ...]:
    roles = _ROLES[_role_group(structure_type)]
    result = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        role = rng.choices([r for r, _ in roles], weights=[w for _, w in roles])[0]
        result.append(
            Declarant(
                name=f"{rng.choice(_FIRST_NAMES)} Démo",
                role=role,
                email=f"{slug(role)}@{slug(name)}.example",
                phone=f"{FICTION_PHONE_PREFIX}{rng.randrange(10000):04d}",
            )
        )
    return tuple(result)


# --- Population -------------------------------------------------------------------


def population_size(expected_count: float, distinct_ratio: float) -> int:
    """Size P such that drawing ``expected_count`` declarations uniformly among P
    structures gives ``distinct_ratio`` distinct ones: P(1 - e^(-N/P)) = ratio x N."""
    low, high = 1.0, 1e6
    for _ in range(100):
        middle = (low + high) / 2
        distinct = middle * (1 - math.exp(-expected_count / middle))
        low, high = (middle, high) if distinct < distinct_ratio * expected_count else (low, middle)
    return round(high)


def _type_population(structure_type: str, size: int, rng: random.Random, used: set) -> List[Structure]:
    candidates = _candidate_names(structure_type, rng)
    chosen = rng.sample(candidates, min(size, len(candidates)))
    result = []
    for name, town in chosen:
        finess = make_finess(town.departement, rng)
        while finess in used:
            finess = make_finess(town.departement, rng)
        used.add(finess)
        result.append(
            Structure(
                name,
                structure_type,
                finess,
                region_from_finess(finess),
                town.name,
                _is_ose(structure_type, name, rng),
                _declarants(name, structure_type, rng),
            )
        )
    return result


@lru_cache(maxsize=8)
def population(seed: int) -> Dict[str, Tuple[Structure, ...]]:
    """Structures by type; the same for a seed whatever the period, so that a
    structure may declare again another year."""
    rng = random.Random(f"{seed}:population")
    expected = sum(profile.ANNUAL_COUNT_RANGE) / 2
    size = population_size(expected, profile.DISTINCT_STRUCTURE_RATIO)
    used: set = set()
    return {
        structure_type: tuple(_type_population(structure_type, max(1, round(size * share)), rng, used))
        for structure_type, share in profile.STRUCTURE_TYPE_SHARES.items()
    }
