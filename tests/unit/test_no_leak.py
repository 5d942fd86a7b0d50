"""Test data is never training data.

Every sentence the tests score (held-out NLU sets, the opening messages of
tests/data, the persona corpus of tests/personas) is compared, normalised for
case, accents, punctuation and spaces, with what the model and the extractors
learn from: the examples of data/ and the lexicon of bot/nlu/lexicon.py. A
sentence found there makes its figure meaningless, so the test fails and names
it; the fix is to remove it from data/ or the lexicon, never from the test set.
"""

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest
import yaml

from bot.nlu import lexicon

ROOT = Path(__file__).resolve().parents[2]
# Shorter answers ("je ne sais pas", "non, pas encore", "le site internet", a label of the spec)
# are formulas any two sets share; a sentence of six words or more is a person's own.
MIN_WORDS = 6
# Answers that name someone or something ("Délégué à la protection des données" is a title).
LABEL_FIELDS = {"structure_name", "finess", "declarant_name", "declarant_role", "declarant_email", "declarant_phone"}
ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def _read(path: Path):
    """libyaml's parser: the corpus is read in a second instead of ten."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _nlu_examples(path: Path) -> Iterator[str]:
    document = _read(path) or {}
    for block in document.get("nlu", []) or []:
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", line[2:])


@lru_cache(maxsize=1)
def training_sentences() -> Dict[str, str]:
    """Normalised -> file, for every training example of data/."""
    found: Dict[str, str] = {}
    for path in sorted((ROOT / "data").rglob("*.yml")):
        for example in _nlu_examples(path):
            found.setdefault(normalise(example), str(path.relative_to(ROOT)))
    return found


def _persona_sentences(path: Path) -> Iterator[str]:
    for persona in _read(path) or []:
        yield persona["opening"]
        answers = persona.get("answers") or {}
        yield from (str(answer) for field, answer in answers.items() if field not in LABEL_FIELDS)
        yield from (str(event["say"]) for event in persona.get("script") or [])


def _data_sentences(path: Path) -> Iterator[str]:
    document = _read(path) or {}
    for message in document.get("messages", []) or []:
        yield message["text"] if isinstance(message, dict) else str(message)
    for sentence in document.get("sentences", []) or []:
        yield sentence["text"] if isinstance(sentence, dict) else str(sentence)


@lru_cache(maxsize=1)
def test_sentences() -> Tuple[Tuple[str, str], ...]:
    """(sentence, file) for everything the tests and benchmarks score."""
    found: List[Tuple[str, str]] = []
    sources = [
        (sorted((ROOT / "tests" / "nlu").glob("*.yml")), _nlu_examples),
        (sorted((ROOT / "tests" / "data").glob("*.yml")), _data_sentences),
        (sorted((ROOT / "tests" / "personas").glob("*/*.yml")), _persona_sentences),  # dev/, check/
    ]
    for paths, reader in sources:
        for path in paths:
            found += [(sentence, str(path.relative_to(ROOT))) for sentence in reader(path)]
    return tuple((s, f) for s, f in found if len(normalise(s).split()) >= MIN_WORDS)


test_sentences.__test__ = False  # a helper, not a test


@lru_cache(maxsize=1)
def lexicon_phrases() -> Set[str]:
    """The literal word runs of the lexicon's patterns (what a pattern spells out)."""
    phrases: Set[str] = set()
    for value in vars(lexicon).values():
        for pattern in _patterns(value):
            for run in re.split(r"\\[bswdSWD]|[\\()\[\]{}?*+|^$.]", pattern):
                words = normalise(run)
                if len(words.split()) >= MIN_WORDS:
                    phrases.add(words)
    return phrases


def _patterns(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _patterns(item)


def test_the_sets_are_not_empty():
    assert len(test_sentences()) > 500
    assert len(training_sentences()) > 1000
    assert lexicon_phrases()


def test_no_test_sentence_is_a_training_example():
    training = training_sentences()
    leaks = [
        f"{file}: « {sentence} » is in {training[normalise(sentence)]}"
        for sentence, file in test_sentences()
        if normalise(sentence) in training
    ]
    assert not leaks, "test sentences copied into the training data:\n" + "\n".join(leaks)


def test_no_test_sentence_is_spelled_out_by_the_lexicon():
    phrases = lexicon_phrases()
    leaks = [f"{file}: « {sentence} »" for sentence, file in test_sentences() if normalise(sentence) in phrases]
    assert not leaks, "test sentences copied into bot/nlu/lexicon.py:\n" + "\n".join(leaks)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Un laboratoire d'analyses est-il tenu de signaler ?", "un laboratoire d analyses est il tenu de signaler"),
        ("  ÉCHEC   du   Réseau!! ", "echec du reseau"),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


def test_a_copied_sentence_is_caught(tmp_path):
    """The check itself can fail: a held-out sentence put into training data is found."""
    sentence, _ = test_sentences()[0]
    data = tmp_path / "data"
    data.mkdir()
    (data / "nlu.yml").write_text(
        yaml.safe_dump({"version": "3.1", "nlu": [{"intent": "x", "examples": f"- {sentence.upper()}\n"}]}),
        encoding="utf-8",
    )
    found = {normalise(e) for e in _nlu_examples(data / "nlu.yml")}
    assert normalise(sentence) in found
