"""Cleaning of the free-text answers that name someone or something (pure Python)."""

import re
from typing import Any

from bot.core.validators import InvalidValue

_LEADING_FILLERS = re.compile(
    r"^(?:(?:oui|non|alors|euh|bonjour|bjr)[ ,]+)?(?:je suis|je m'appelle|moi c'est|c'est|mon nom est|"
    r"il s'agit d[ue]|il s'agit de l'|nous sommes|on est)?\s*(?:le |la |l'|un |une )?",
    re.I,
)


def clean_short_text(value: Any) -> str:
    text = _strip_fillers(value)
    if not text or len(text) > 120:
        raise InvalidValue("Répondez en quelques mots, par exemple « RSSI » ou « cadre de santé ».")
    return text


def clean_person_name(value: Any) -> str:
    text = _strip_fillers(value)
    text = re.split(r"[,;\n]| et (?:mon|ma)\b|\s\S+@\S+|\s(?:\+|0)\d", text)[0].strip(" .")
    words = text.split()
    if not words or len(words) > 6 or re.search(r"[\d@?!]", text):
        raise InvalidValue(
            "Je n'ai pas reconnu un nom. Indiquez votre prénom et votre nom, par exemple « Marie Dupont »."
        )
    return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words)


def clean_structure_name(value: Any) -> str:
    text = _strip_fillers(value).strip(" .")
    if len(text) < 2 or len(text) > 150:
        raise InvalidValue("Indiquez le nom de la structure, par exemple « CH de Vierzon » ou « EHPAD Les Tilleuls ».")
    return text[0].upper() + text[1:]


def _strip_fillers(value: Any) -> str:
    return _LEADING_FILLERS.sub("", str(value or "").strip(), count=1).strip()
