"""The structure recognised in the FINESS register, and confirmed by the declarant.

A structure's name ("CH de Dax", in the opening or as an answer) is looked up in
the register; one clear match is offered for confirmation ("Il s'agit bien du
Centre Hospitalier de Dax… ?"), several close ones as buttons. A confirmed match
fills the official name, the FINESS number, the structure type and the region,
so none of them is asked. A typed FINESS number is looked up too.
"""

import logging
import re
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, TypeVar

from rapidfuzz import fuzz
from sqlalchemy.exc import SQLAlchemyError

from actions.buttons import DONT_KNOW
from bot.core.fields import UNKNOWN, StructureType
from bot.core.register import Establishment
from bot.core.register_search import search_key
from bot.core.register_store import Register
from bot.core.storage import DeclarationStore
from bot.nlu.text import fold

logger = logging.getLogger(__name__)
T = TypeVar("T")
MATCH = "structure_match"
CANDIDATES = "structure_candidates"
NONE = "aucune"
NO_ONE = re.compile(
    r"^\s*(?:non|nan|aucun\w*(?:\s+(?:de|d'entre|des)\s*(?:celles?|ceux|eux|elles|ces|la|les|deux|trois|quatre|[2-5])"
    r"(?:[- ]?(?:ci|la|là))?"
    r"(?:\s+(?:propositions?|[ée]tablissements?|structures?|choix|liste))?)?"
    r"|ni l'un\w* ni l'autre|pas (?:du tout|ca|ça|celui|celle))\b[\s,.;:!-]*",
    re.I,
)  # "aucune de celles-ci", typed rather than clicked, is the button, not a name "de celles-ci"
# The name read in the opening that the register did not give (or not the one offered): asked
# once more, with its town; "je ne sais pas" keeps it.
UNFOUND = "structure_name_unfound"
# The establishments offered and refused ("Non", "aucune de celles-ci", another name): never offered again.
DECLINED = "structure_declined"
NAME_AGAIN = (
    "Pour retrouver « {name} » dans le répertoire FINESS des établissements, pouvez-vous me donner "
    "son nom complet, avec sa ville ? Par exemple « Clinique Saint-Jean, Lyon ». "
    "Si vous ne savez pas, répondez « je ne sais pas » : je garde « {name} »."
)
WHOLE = re.compile(r"\b(?:tout|toute|ensemble|entier|enti[eè]re|tous les sites|entit[eé]|global)\b", re.I)
NAMING = 70  # how close typed words must be to one of the offered names
LOWER_CASE_NAME = re.compile(
    r"(?<![\w-])(?P<name>(?:hopital|hosto|clinique|polyclinique|ehpad|centre hospitalier|chu|chi|chs|ch|labo"
    r"|laboratoire|ssiad|had|mas|fam|ime|esat|epsm|ssr)\s+(?:de la |de l'|de l |de |d'|du |des )?"
    r"(?P<town>[a-z][a-z'-]{2,}(?:[ -](?:sur|en|les|la|le|de|du|saint|st|ste)[ -][a-z][a-z'-]+)?))"
)
DENIED_PLACE = re.compile(
    r"[\s,;(-]+(?:et |mais |non |surtout )?pas (?:l'|l |le |la |les |au |aux |a |celui|celle|un |une )"
)
NOT_TOWNS = {"jour", "semaine", "nuit", "proximite", "reference", "garde", "secteur", "ville"}


@lru_cache(maxsize=1)
def register() -> Register:
    return Register(DeclarationStore().engine)


def _consulted(lookup: Callable[[Register], T], otherwise: T) -> T:
    """A lookup in the register; when the register cannot be read (not loaded, database down),
    the declaration goes on without it: the questions are asked as usual."""
    try:
        return lookup(register())
    except SQLAlchemyError as error:
        logger.warning("FINESS register unavailable (%s): structure questions asked as usual.", type(error).__name__)
        return otherwise


def candidates_for(name: str) -> List[str]:
    """FINESS numbers to offer for what the person called their structure (none: ask as usual)."""
    return _consulted(lambda r: [e.finess for e in r.find(name)], [])


def offered(slots: Dict[str, Any]) -> List[Establishment]:
    found = (by_finess(finess) for finess in slots.get(CANDIDATES) or [])
    return [e for e in found if e is not None]


def yes_to_several(message: Dict[str, Any], slots: Dict[str, Any]) -> bool:
    """ "Oui" to a list of establishments: the person saw theirs, but did not say which."""
    return (message.get("intent") or {}).get("name") == "affirm" and len(slots.get(CANDIDATES) or []) > 1


def needs_confirmation(slots: Dict[str, Any]) -> bool:
    return bool(slots.get(CANDIDATES)) and not slots.get(MATCH)


def place(establishment: Establishment) -> str:
    """ "Dax, Landes" ."""
    return f"{establishment.display_town}, {establishment.department_name.title()}"


def question(slots: Dict[str, Any]) -> Dict[str, Any]:
    """The message asking which establishment it is, with its buttons."""
    found = offered(slots)
    if len(found) == 1:
        only = found[0]
        return {
            "text": f"Il s'agit bien de : {only.display_name} (FINESS {only.finess}, {place(only)}) ?",
            "buttons": [
                {"title": "Oui", "payload": _payload(only.finess)},
                {"title": "Non", "payload": _payload(NONE)},
            ],
        }
    buttons = [{"title": f"{e.display_name} ({place(e)})", "payload": _payload(e.finess)} for e in found]
    legal = shared_legal_entity(found)
    if legal:
        whole = f"Tout l'établissement : {slots.get('structure_name') or 'l’entité'} (FINESS juridique {legal})"
        buttons.insert(0, {"title": whole, "payload": _payload(legal)})
    return {
        "text": "J'ai trouvé plusieurs établissements proches dans le répertoire FINESS. Lequel est le vôtre ?",
        "buttons": buttons + [{"title": "Aucune de celles-ci", "payload": _payload(NONE)}],
    }


def read_answer(message: Dict[str, Any], slots: Dict[str, Any]) -> Dict[str, Any]:
    """The answer to the confirmation: an offered FINESS, ``aucune``, or another name to look up."""
    chosen = next((e.get("value") for e in message.get("entities") or [] if e.get("entity") == MATCH), None)
    if chosen:
        return {MATCH: str(chosen)}
    intent = (message.get("intent") or {}).get("name")
    text = (message.get("text") or "").strip()
    found = offered(slots)
    if intent == "affirm" and len(found) == 1:
        return {MATCH: found[0].finess}
    negated = NO_ONE.match(text) is not None
    legal = shared_legal_entity(found)
    if legal and not negated and WHOLE.search(text):
        return {MATCH: legal}
    named = _named(text, found)
    if named and not negated:
        return {MATCH: named.finess}
    rest = NO_ONE.sub("", text, count=1).strip()
    names_one = any(e.get("entity") == "structure_name" for e in message.get("entities") or [])
    if (negated or names_one) and len(rest.split()) >= 2 and intent not in ("affirm", "dont_know"):
        return {"structure_name": rest}  # "non, c'est le CH de Mont-de-Marsan": looked up again
    if intent in ("deny", "dont_know") or negated:
        return {MATCH: NONE}
    return {}


def name_again(before: Dict[str, Any], after: Dict[str, Any], asked_before: bool, declined: bool) -> Dict[str, Any]:
    """The slots that ask the name once more, when it was read in another message (the opening)
    and the register gave nothing for it, or the person said none of the offered ones was theirs:
    their own answer to the name question, with the town, is what the register is searched best with."""
    name = after.get("structure_name")
    if asked_before or after.get(UNFOUND) or not name or after.get("finess"):
        return {}
    unfound = name != before.get("structure_name") and not after.get(CANDIDATES) and not after.get(MATCH)
    if not (declined or unfound) or not _consulted(lambda r: r.is_loaded(), False):
        return {}  # without the register, its questions are asked as usual
    return {"structure_name": None, UNFOUND: name, CANDIDATES: None, MATCH: None}


def name_kept(requested: Optional[str], slots: Dict[str, Any]) -> Dict[str, Any]:
    """No new name given when asked again ("je ne sais pas", or words not understood): the one
    read before is kept."""
    kept = slots.get(UNFOUND)
    if requested != "structure_name" or not kept or slots.get("structure_name") not in (None, UNKNOWN):
        return {}
    return {"structure_name": kept}


def name_question(slots: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    kept = slots.get(UNFOUND)
    if not kept or slots.get("structure_name"):
        return None
    return {"text": NAME_AGAIN.format(name=kept), "buttons": [DONT_KNOW]}


def refused(requested: Optional[str], before: Dict[str, Any], after: Dict[str, Any]) -> Optional[List[str]]:
    """The numbers refused so far, when this answer to the offer refused it: "non", "aucune", or
    another name given instead ("non, c'est le SSIAD…"); None when nothing was refused."""
    offered_before = before.get(CANDIDATES) or []
    if requested != MATCH or not offered_before or after.get(MATCH) not in (None, NONE):
        return None
    if after.get(MATCH) != NONE and after.get("structure_name") == before.get("structure_name"):
        return None  # not understood, or a question: the offer stands
    return sorted(set(before.get(DECLINED) or []) | set(offered_before))


def not_refused(found: List[str], slots: Dict[str, Any]) -> List[str]:
    refused_ones = set(slots.get(DECLINED) or [])
    return [finess for finess in found if finess not in refused_ones]


def shared_legal_entity(found: List[Establishment]) -> Optional[str]:
    """The legal entity (EJ) of several sites offered together: "CHU de Nantes" as a whole is
    declared under it, which the spec allows."""
    legal = {e.legal_finess for e in found}
    return legal.pop() if len(found) > 1 and len(legal) == 1 else None


def apply(answer: str, slots: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The slots a confirmed answer fills (None: not one of the offered establishments)."""
    if answer == NONE:
        return {MATCH: NONE, CANDIDATES: None}
    found = offered(slots)
    legal = shared_legal_entity(found)
    if legal and answer == legal:
        site = found[0]
        return {
            MATCH: answer,
            CANDIDATES: None,
            "finess": legal,
            "structure_type": site.structure_type.value,
            "region": site.region.value if site.region else None,
        }
    if answer not in (slots.get(CANDIDATES) or []):
        return None
    establishment = by_finess(answer)
    if establishment is None:
        return None
    return {
        MATCH: answer,
        CANDIDATES: None,
        "structure_name": establishment.name_and_town,
        "finess": establishment.finess,
        "structure_type": structure_type(establishment, slots),
        "region": establishment.region.value if establishment.region else None,
    }


def structure_type(establishment: Establishment, slots: Dict[str, Any]) -> str:
    """The register's type, unless it is only the default of a catch-all category and the person
    said theirs ("notre centre de radiothérapie" for the register's "CENTRE JEAN BERNARD")."""
    said = slots.get("structure_type")
    return said if said and establishment.type_is_default else establishment.structure_type.value


def confirmed_text(establishment: Establishment, kind: str) -> str:
    region = f", région {establishment.region.label}" if establishment.region else ""
    if kind == establishment.structure_type.value:
        told = f"Le type de structure ({establishment.structure_type.label.lower()}) et la région viennent"
        told += " du répertoire FINESS"
    else:
        told = f"La région vient du répertoire FINESS et le type de structure ({StructureType(kind).label.lower()}),"
        told += " de ce que vous m'avez dit"
    return (
        f"C'est noté : {establishment.display_name}, FINESS {establishment.finess}{region}. "
        f"{told} : je ne vous les demande pas."
    )


def legal_entity_text(filled: Dict[str, Any]) -> str:
    return (
        f"C'est noté : l'établissement dans son ensemble, FINESS juridique {filled['finess']}. "
        "Le type de structure et la région viennent du répertoire FINESS : je ne vous les demande pas."
    )


def by_finess(finess: str) -> Optional[Establishment]:
    return _consulted(lambda r: r.by_finess(finess), None)


def region_of_place(words: str) -> Optional[str]:
    region = _consulted(lambda r: r.region_of_place(words), None)
    return region.value if region else None


def warm_up() -> None:
    """Read the register's places and words once, before the first person needs them (the words
    alone took a third of a second on the first lookup)."""
    _consulted(lambda r: r.warm_up(), None)


def region_in_name(name: str) -> Optional[str]:
    region = _consulted(lambda r: r.region_in_name(name), None)
    return region.value if region else None


def without_denied(text: str) -> str:
    """The name without the place the person sets aside after it: "la polyclinique du Cotentin à
    Cherbourg, pas l'hôpital public" is the clinic (and says nothing of a public hospital)."""
    found = DENIED_PLACE.search(fold(text))
    return text[: found.start()].rstrip(" ,;-") if found and found.start() > 0 else text


def named_in_lower_case(text: str) -> Optional[str]:
    """ "plus d'internet a l hopital de kourou": a kind of structure and a town the register knows,
    typed without capitals (the opening's reading wants a capital to see a name)."""
    folded = fold(text)
    for match in LOWER_CASE_NAME.finditer(folded):
        if match.group("town").split()[0] in NOT_TOWNS:
            continue
        name = text[match.start("name") : match.end("name")]
        if region_in_name(name):
            return name
    return None


def sites_of(legal_finess: str) -> List[Establishment]:
    return _consulted(lambda r: r.of_legal_entity(legal_finess), [])


def _named(text: str, found: List[Establishment]) -> Optional[Establishment]:
    """ "celui de Dax", "le site du Lanot": the offered establishment the words name best."""
    if not text or not found:
        return None
    scored = sorted(((fuzz.token_set_ratio(text, e.display_name), e) for e in found), key=lambda s: -s[0])
    best_score, best = scored[0]
    if best_score < NAMING or (len(scored) > 1 and scored[1][0] >= best_score):
        return _in_town(text, found)
    return best


def _in_town(text: str, found: List[Establishment]) -> Optional[Establishment]:
    """ "celle d'Angoulême": the one offered establishment whose town the words name. A town
    that is also in an offered name ("Clinique Saint Joseph" in Saint-Joseph) tells nothing."""
    said, names = _words(text), " | ".join(_words(e.display_name) for e in found)
    towns = [(e, _words(e.display_town)) for e in found]
    named = [e for e, town in towns if town in said and town not in names]
    return named[0] if len(named) == 1 else None


def _words(text: str) -> str:
    return f" {search_key(text)} "


def _payload(value: str) -> str:
    return f'/inform{{"{MATCH}": "{value}"}}'
