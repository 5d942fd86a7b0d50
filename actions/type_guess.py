"""The incident type guessed from the description, and the question that checks an unsure guess.

The classifier's ranking (``bot.nlu.components.TYPE_RANKING``) is read here.
A sure ranking gives the type (before the lexicon's words, which it beat on the
dev personas), and the summary shows it like every fact understood; an unsure
one, when the lexicon found nothing either, gives the two or three likeliest
types, offered as buttons ("Il me semble qu'il s'agit de…"), never a silent
"autre".
"""

from typing import Any, Dict, List, Optional

from actions.buttons import DONT_KNOW
from bot.core import fields as registry

GUESSES = "incident_type_guesses"  # [] once the person said none of them
TYPE_RANKING = "incident_type_ranking"  # bot.nlu.components.TYPE_RANKING, without importing Rasa
# Tuned on the dev personas' openings and descriptions (bench/type_classifier.py): above SURE
# the top type was right 96 % of the time; below LIKELY a type is not worth a button.
SURE = 0.5
LIKELY = 0.12
MAX_GUESSES = 3
GUESS_AHEAD = 0.1  # an answer in words takes the guess it makes this much likelier than the others
OTHER = "autre"
ANOTHER = "Aucun de ceux-ci"


def from_ranking(message: Dict[str, Any]) -> Dict[str, Any]:
    """{"incident_type": …} when the ranking is sure, {GUESSES: […]} when it is not, else {}."""
    ranking = [r for r in message.get(TYPE_RANKING) or [] if r.get("name") in registry.IncidentType.labels()]
    if not ranking:
        return {}
    if float(ranking[0]["confidence"]) >= SURE and ranking[0]["name"] != OTHER:
        return {"incident_type": ranking[0]["name"]}
    # "autre" is never a guess: what the model knows least ("je ne sais pas" reads as it)
    likely = [r["name"] for r in ranking[:MAX_GUESSES] if float(r["confidence"]) >= LIKELY and r["name"] != OTHER]
    return {GUESSES: likely} if likely else {}


def read_answer(text_intent: Optional[str], slots: Dict[str, Any], message: Dict[str, Any]) -> Dict[str, Any]:
    """ "oui" takes the only guess; "non" (or "aucun de ceux-ci") asks with the whole list; words
    ("une panne de notre opérateur de téléphonie") take the guess they make clearly likeliest."""
    guesses = slots.get(GUESSES) or []
    if not guesses:
        return {}
    if text_intent == "affirm" and len(guesses) == 1:
        return {"incident_type": guesses[0]}
    if text_intent == "deny":
        return {GUESSES: []}
    if len(guesses) < 2:
        return {}  # one guess is confirmed by "oui", not by words that rank it likely
    said = {r.get("name"): float(r.get("confidence") or 0.0) for r in message.get(TYPE_RANKING) or []}
    ranked = sorted(guesses, key=lambda guess: -said.get(guess, 0.0))
    best, runner_up = said.get(ranked[0], 0.0), said.get(ranked[1], 0.0)
    if best >= LIKELY and best - runner_up >= GUESS_AHEAD:
        return {"incident_type": ranked[0]}
    return {}


def question(slots: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The question offering the guesses, or None to ask with the whole list."""
    guesses = slots.get(GUESSES) or []
    if not guesses:
        return None
    labels = registry.IncidentType.labels()
    if len(guesses) == 1:
        only = guesses[0]
        return {
            "text": f"Il me semble qu'il s'agit de : {labels[only]}. Est-ce bien cela ?",
            "buttons": [
                {"title": "Oui", "payload": _payload(only)},
                {"title": "Non, un autre type", "payload": "/deny"},
                DONT_KNOW,
            ],
        }
    buttons: List[Dict[str, str]] = [{"title": labels[g], "payload": _payload(g)} for g in guesses]
    return {
        "text": "Il me semble qu'il s'agit de l'un de ces types d'incident. Lequel est le bon ?",
        "buttons": buttons + [{"title": ANOTHER, "payload": "/deny"}, DONT_KNOW],
    }


def _payload(value: str) -> str:
    return '/inform{"incident_type": "%s"}' % value
