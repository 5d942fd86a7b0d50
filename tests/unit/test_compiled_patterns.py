"""spaCy's French word pattern, kept compiled from one start to the next (bot/nlu/compiled_patterns.py)."""

import re

import numpy as np
import pytest

from bot.nlu import compiled_patterns
from bot.nlu.tokenizer import PIPELINE, _french

pytestmark = pytest.mark.skipif(not compiled_patterns.SUPPORTED, reason="CPython 3.10's re internals")

SENTENCES = [
    "L'EHPAD n'a plus d'accès au DPI depuis aujourd'hui",
    "le sous-traitant a entr'ouvert le pare-feu, peut-être vers 3h",
    "Rendez-vous sur https://exemple.fr/alerte?id=3 : est-ce grave ?",
]


def words(nlp, texts=SENTENCES):
    return [[(t.text, t.idx) for t in nlp(text.lower())] for text in texts]


@pytest.fixture(scope="module")
def french_words():
    return _french().tokenizer.token_match.__self__


def test_a_small_pattern_comes_back_the_same_and_re_compile_finds_it(tmp_path):
    text = r"(?iu)^(?P<avant>sous|entre)[-'](?P<mot>[a-zé]+)$|^\d{1,2}h\d{0,2}$"
    path, original = tmp_path / "p.npz", re.compile(text)
    assert compiled_patterns.save(path, original)
    assert path.stat().st_mode & 0o777 == 0o644  # an image's service user reads what its build wrote
    re.purge()
    preloaded = compiled_patterns.preload(path)
    assert preloaded == original and preloaded is not original and re.compile(text) is preloaded
    assert preloaded.match("Sous-traitant").group("mot") == "traitant"
    assert preloaded.groupindex == {"avant": 1, "mot": 2}


def test_spacy_loads_the_preloaded_pattern_and_splits_words_as_before(tmp_path, french_words):
    spacy = pytest.importorskip("spacy")
    path = compiled_patterns.cache_file(tmp_path, "fr")
    assert compiled_patterns.save(path, french_words)
    re.purge()
    preloaded = compiled_patterns.preload(path)
    assert preloaded == french_words
    fresh = spacy.load(PIPELINE, exclude=["parser", "ner", "lemmatizer", "morphologizer", "tagger"])
    assert fresh.tokenizer.token_match.__self__ is preloaded
    assert words(fresh) == words(_french())


def test_a_damaged_or_missing_file_costs_the_compile_not_a_different_pattern(tmp_path):
    text = r"(?iu)^a[-']b+$"
    path = tmp_path / "p.npz"
    assert compiled_patterns.save(path, re.compile(text))
    with np.load(path) as stored:
        fields = {name: stored[name] for name in stored.files}
    fields["code"] = fields["code"].copy()
    fields["code"][-3] ^= 1
    np.savez(path, **fields)
    re.purge()
    assert compiled_patterns.preload(path) is None
    assert compiled_patterns.preload(tmp_path / "absent.npz") is None
    path.write_bytes(b"not numpy")
    assert compiled_patterns.preload(path) is None
    assert compiled_patterns.save(path, re.compile(text))
    path.write_bytes(path.read_bytes()[:200])  # a file cut short: a zip archive without its end
    assert compiled_patterns.preload(path) is None
    assert re.compile(text).match("a-bb")


def test_an_unwritable_cache_directory_is_no_error(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert not compiled_patterns.save(blocked / "sub" / "p.npz", re.compile("a+"))
