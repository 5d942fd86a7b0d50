"""Rasa NLU components wrapping our French extractors.

The extractors are rule-based and need no training. Entities are named after
the fields of the declaration spec and carry the spec's values, so the action
server can use them as they are. Dates are resolved against the time the
message is parsed, in Europe/Paris. The incident-type classifier is trained on
its own descriptions (``data/incident_types/``) and adds a ranking of types.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import incident_type
from bot.nlu.french_dates import PARIS, find_dates
from bot.nlu.incident_facts import extract_facts
from bot.nlu.requests import explicit_request
from bot.nlu.source import PackageFingerprint
from bot.nlu.text import fold, is_question

# The ranking of incident types in the parse data (and in the tracker's latest message).
TYPE_RANKING = "incident_type_ranking"
# Set on a message read as the FAQ that starts a declaration instead: whether it asked a question
# (the form answers it first, with the FAQ's answer).
ASKED = "asked_with_an_account"


class _Configless(PackageFingerprint, GraphComponent):
    """A component with no settings and nothing trained: created as it is."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls()


class _RuleExtractor(_Configless, EntityExtractorMixin):
    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            entities = self.add_extractor_name(self.entities(text))
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages

    def entities(self, text: str) -> List[Dict[Text, Any]]:
        raise NotImplementedError


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class FrenchDateExtractor(_RuleExtractor):
    """Emits `datetime` entities (ISO 8601, Europe/Paris); role `start` for "depuis ..."."""

    def entities(self, text: str, now: Optional[datetime] = None) -> List[Dict[Text, Any]]:
        now = now or datetime.now(PARIS)
        found = []
        for match in find_dates(text, now):
            entity = {
                "entity": "datetime",
                "start": match.start,
                "end": match.end,
                "value": match.value.isoformat(),
                "confidence_entity": 1.0,
                "additional_info": {"has_time": match.has_time, "rolling": match.rolling},
            }
            if match.is_start:
                entity["role"] = "start"
            found.append(entity)
        return found


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class IncidentFactsExtractor(_RuleExtractor):
    """Emits one entity per fact of the declaration found in the text."""

    def entities(self, text: str) -> List[Dict[Text, Any]]:
        return [
            {
                "entity": fact.field,
                "start": fact.start,
                "end": fact.end,
                "value": fact.value,
                "confidence_entity": 1.0,
            }
            for fact in extract_facts(text)
        ]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IncidentTypeClassifier(PackageFingerprint, GraphComponent):
    """Ranks the spec's incident types for every message (``incident_type_ranking``)."""

    def __init__(self, model_storage: ModelStorage, resource: Resource, model: Any = None) -> None:
        self._storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        # its training data is not Rasa's
        return f"{super().fingerprint_addon(config)}-{incident_type.fingerprint()}-{incident_type.STORAGE_FORMAT}"

    def train(self, training_data: TrainingData) -> Resource:
        self._model = incident_type.train(incident_type.read_examples())
        with self._storage.write_to(self._resource) as folder:
            incident_type.save(self._model, folder)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> GraphComponent:
        with model_storage.read_from(resource) as folder:
            return cls(model_storage, resource, incident_type.load(folder))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text and self._model is not None:
                ranking = [{"name": g.type, "confidence": g.confidence} for g in incident_type.rank(self._model, text)]
                message.set(TYPE_RANKING, ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ExplicitRequests(_Configless):
    """ "…, j'annule" and "on reprend la déclaration" at the end of a message are that request
    (bot/nlu/requests.py), whatever the classifier read in the words before; a button's payload and
    a described incident ("ransomware, on arrête") keep their intent."""

    KEPT = ("declare_incident",)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get("intent") or {}).get("name")
            request = None if text.startswith("/") or intent in self.KEPT else explicit_request(text)
            if request and request != intent:
                message.set("intent", {"name": request, "confidence": 1.0}, add_to_output=True)
        return messages


def _kinds_said(message: Message) -> set:
    """The kinds of entity the extractors found in the message ("datetime", "perimeter"…)."""
    return {entity.get("entity") for entity in message.get(ENTITIES) or []}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class DescribedIncident(PackageFingerprint, GraphComponent):
    """A message that plainly describes an incident starts (or feeds) a declaration, even when the
    intent classifier did not recognise it ("intrusion en cours via faille fortinet, on coupe
    tout" fell back): placed after the fallback, it turns a fallback, an out-of-scope or a
    greeting into ``declare_incident`` when the incident-type ranking is sure and the message
    asks nothing. A long account that asks nothing is a description even when it was read as the
    FAQ ("Dégât des eaux dans la salle serveur…", taken for the FAQ on patient identifiers), and
    so is an account of one's own incident asked as a question ("notre hébergeur est en panne
    depuis ce matin, on doit déclarer ?"): the form gives the FAQ's answer first. Questions about
    the scheme keep their answers alone."""

    REPLACED = ("nlu_fallback", "out_of_scope", "greet")
    # Words from which a message read as the FAQ may be a description: 2 of the 317 FAQ examples
    # of data/faq.yml that are not questions are this long, and neither has a sure type.
    LONG_ACCOUNT = 15
    # A message read as the FAQ that tells an incident of the person's own, even as a question
    # ("…, faut déclarer ?", "RSSI des HUS, je déclare pour le NHC. Rançongiciel en cours…"):
    # a type (the lexicon's, or the classifier's ranking this sure) and a when or a where. Its
    # question is answered by the form, before what it understood (``ASKED``).
    OWN_ACCOUNT_WORDS = 8
    OWN_ACCOUNT_TYPE = 0.5
    CONCRETE = ("datetime", "structure_name", "structure_type")
    # A long account that asks nothing, with a when or a where and what it touched, is a
    # description whatever the type ranking says ("Madame, Monsieur, je vous informe qu'une
    # connexion non autorisée a été établie sur le serveur…, constaté hier"): the type is asked.
    TOUCHED = ("affected_systems", "perimeter", "care_impact", "data_impact", "patient_endangerment")
    # No declaration is due here (a pharmacy, a private practice): the question keeps its answer alone
    NOT_DECLARED_HERE = ("faq/liberaux_pharmacies",)
    # Nor when one was already made, or when nobody took the bait (the answer says it is not declared)
    NO_NEW_DECLARATION = re.compile(
        r"\b(?:envoye|fait|depose|transmis|rempli)\w* (?:notre|ma|une|la) (?:premiere )?declaration"
        r"|\b(?:j'ai|nous avons|on a) (?:deja )?declare|\bdeja declare"
        r"|\b(?:personne n'a|sans|pas|n'a pas|n'ont pas) (?:encore )?clique"
    )

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # 0.7: none of the out-of-scope or greeting examples of data/ reach it; 56 of the 95 dev
        # persona openings do
        return {"threshold": 0.7}

    def __init__(self, config: Dict[str, Any]) -> None:
        self._threshold = float(config["threshold"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get("intent") or {}
            ranking = message.get(TYPE_RANKING) or []
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue
            if intent.get("name") == "faq" and self._own_account(message, text, ranking):
                message.set("intent", {"name": "declare_incident", "confidence": 1.0}, add_to_output=True)
                message.set(ASKED, is_question(text), add_to_output=True)
                continue
            if intent.get("name") == "faq" and self._long_account(message, text):
                message.set("intent", {"name": "declare_incident", "confidence": 1.0}, add_to_output=True)
                continue
            replaced = intent.get("name") in self.REPLACED or (
                intent.get("name") == "faq" and len(text.split()) >= self.LONG_ACCOUNT
            )
            if not replaced or not ranking or is_question(text):
                continue
            best = ranking[0]
            if best["name"] != "autre" and best["confidence"] >= self._threshold:
                message.set(
                    "intent", {"name": "declare_incident", "confidence": best["confidence"]}, add_to_output=True
                )
        return messages

    def _long_account(self, message: Message, text: str) -> bool:
        if len(text.split()) < self.LONG_ACCOUNT or is_question(text) or not self._declarable(message, text):
            return False
        said = _kinds_said(message)
        return bool(said & set(self.CONCRETE)) and bool(said & set(self.TOUCHED))

    def _declarable(self, message: Message, text: str) -> bool:
        """Neither a structure that declares elsewhere nor a declaration already made or not due."""
        selector = (message.get("response_selector") or {}).get("faq") or {}
        if (selector.get("response") or {}).get("intent_response_key") in self.NOT_DECLARED_HERE:
            return False
        return not self.NO_NEW_DECLARATION.search(fold(text))

    def _own_account(self, message: Message, text: str, ranking: List[Dict[str, Any]]) -> bool:
        if not self._declarable(message, text):
            return False
        said = _kinds_said(message)
        sure = bool(ranking) and ranking[0]["name"] != "autre" and ranking[0]["confidence"] >= self.OWN_ACCOUNT_TYPE
        typed = "incident_type" in said or sure
        return typed and bool(said & set(self.CONCRETE)) and len(text.split()) >= self.OWN_ACCOUNT_WORDS
