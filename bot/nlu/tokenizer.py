"""Words for the NLU pipeline: spaCy's French tokenizer, without a trained pipeline.

Rasa's ``SpacyNLP`` ran the whole of ``fr_core_news_sm`` on every message (tagger,
lemmatizer, named entities) and loaded it twice, once per graph node: about 400 MB of
the Rasa process and a fifth of each parse, when the pipeline only used the words and
their lemmas. The tokenizer rules of spaCy's French (elisions as in "l'ehpad", hyphens,
abbreviations) are the same without the model. The action server keeps the model for
what needs it (names, ``bot.core.language``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message


@lru_cache(maxsize=1)
def _french_tokenizer() -> Any:
    import spacy

    return spacy.blank("fr").tokenizer


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class FrenchTokenizer(Tokenizer):
    """Lower-cased words, as ``SpacyNLP`` (``case_sensitive: false``) and ``SpacyTokenizer`` gave them."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy"]

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        if not text:
            return []
        words = _french_tokenizer()(text.lower())
        return self._apply_token_pattern([Token(word.text, word.idx) for word in words if word.text.strip()])
