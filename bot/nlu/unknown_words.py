"""A Rasa NLU component that lowers the intent's confidence when a short
message has no word the assistant was ever trained on ("asdf qsdf", "blabla
truc"), so that the FallbackClassifier after it offers the "vouliez-vous
dire..." choices. DIET alone scores such messages confidently: its char
n-grams always find some intent.

The vocabulary is every token of the training data (folded: lower case, no
accents), kept in the model. A message where one of our extractors found a
fact, or with more than ``max_tokens`` words, is left alone.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Set, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.source import PackageFingerprint
from bot.nlu.text import fold

VOCABULARY_FILE = "vocabulary.json"
WORD = re.compile(r"^[a-z][a-z'-]+$")


def words(tokens) -> List[str]:
    """The folded alphabetic words of a tokenised message (2 letters or more)."""
    folded = (fold(token.text) for token in tokens or [])
    return [word for word in folded if WORD.match(word)]


def is_unknown(message_words: List[str], vocabulary: Set[str], max_tokens: int) -> bool:
    return 0 < len(message_words) <= max_tokens and not any(word in vocabulary for word in message_words)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnknownWordsFallback(PackageFingerprint, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"max_tokens": 6}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: Optional[Set[str]] = None,
    ):
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary or set()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> GraphComponent:
        with model_storage.read_from(resource) as directory:
            vocabulary = set(json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8")))
        return cls(config, model_storage, resource, vocabulary)

    def train(self, training_data: TrainingData) -> Resource:
        self.vocabulary = {
            word for example in training_data.training_examples for word in words(example.get(TOKENS_NAMES[TEXT]))
        }
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(
                json.dumps(sorted(self.vocabulary), ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT)
            if not intent or message.get(ENTITIES):
                continue
            if is_unknown(words(message.get(TOKENS_NAMES[TEXT])), self.vocabulary, self._config["max_tokens"]):
                message.set(INTENT, {**intent, "confidence": 0.0}, add_to_output=True)
        return messages
