"""UnknownWordsFallback: a short message with no trained word loses its intent's confidence."""

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.unknown_words import UnknownWordsFallback, is_unknown, words

TRAINING = ["Je veux déclarer un incident", "rançongiciel sur les serveurs", "oui", "Marie Dupont"]


def tokenised(texts):
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    messages = [Message.build(text=text) for text in texts]
    tokenizer.process(messages)
    return messages


@pytest.fixture
def component(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("unknown_words")
    context = ExecutionContext(graph_schema=None, model_id="test")
    trained = UnknownWordsFallback.create({"max_tokens": 6}, storage, resource, context)
    trained.train(TrainingData(training_examples=tokenised(TRAINING)))
    return UnknownWordsFallback.load({"max_tokens": 6}, storage, resource, context)


def confidence_after(component, text, entities=()):
    [message] = tokenised([text])
    message.set("intent", {"name": "deny", "confidence": 0.97})
    message.set("entities", list(entities))
    component.process([message])
    return message.get("intent")["confidence"]


def test_the_vocabulary_is_kept_folded_in_the_model(component):
    assert {"declarer", "rancongiciel", "dupont"} <= component.vocabulary


@pytest.mark.parametrize("text", ["asdf qsdf", "blabla truc", "zorglub flux capacitor"])
def test_unknown_words_lose_their_confidence(component, text):
    assert confidence_after(component, text) == 0.0


@pytest.mark.parametrize("text", ["OUI", "déclarer une panne", "Rançongiciel !", "un deux trois quatre cinq six sept"])
def test_known_or_long_messages_keep_it(component, text):
    assert confidence_after(component, text) == 0.97


def test_a_message_with_a_fact_found_keeps_it(component):
    assert confidence_after(component, "zorglub", [{"entity": "incident_type", "value": "autre"}]) == 0.97


def test_words_ignore_numbers_and_punctuation():
    [message] = tokenised(["le 03/11 à 9h15 ?!"])
    assert words(message.get("text_tokens")) == ["le"]
    assert not is_unknown([], {"x"}, 6)
