"""Rasa NLU components wrapping our French extractors.

Both are rule-based and need no training. Entities are named after the fields
of the declaration spec and carry the spec's values, so the action server can
use them as they are. Dates are resolved against the time the message is
parsed, in Europe/Paris.
"""

from __future__ import annotations

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

from bot.nlu.french_dates import PARIS, find_dates
from bot.nlu.incident_facts import extract_facts


class _RuleExtractor(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls()

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
                "additional_info": {"has_time": match.has_time},
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
