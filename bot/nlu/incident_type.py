"""The incident type read from a whole description, not from a few key phrases.

A linear model over word and character n-grams (scikit-learn), trained on the
descriptions of ``data/incident_types/`` (written from the spec, apart from
the tests and the personas). It ranks the spec's types with probabilities;
the lexicon (``bot.nlu.lexicon``) stays the high-precision first pass, and the
form decides what to do with an unsure ranking (``actions.understanding``).
Pure scikit-learn: the Rasa component is in ``bot.nlu.components``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Sequence

import numpy as np
import skops.io as sio
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

TRAINING_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "incident_types"
TOP = 3
# Changes whenever the files written by ``save`` do, so that Rasa's cache retrains the component.
STORAGE_FORMAT = "skops+terms-1"
MODEL_FILE = "incident_type.skops"
# What the saved pipeline holds besides scikit-learn's own classes, all of them plain data.
TRUSTED_TYPES = {"scipy.sparse._csr.csr_matrix", "numpy.float64", "numpy.int64"}


@dataclass(frozen=True)
class Guess:
    type: str
    confidence: float


def read_examples(folder: Path = TRAINING_DIR) -> Dict[str, List[str]]:
    """type -> descriptions, from every ``*.yml`` of the folder (key ``incident_types``)."""
    examples: Dict[str, List[str]] = {}
    for path in sorted(folder.glob("*.yml")):
        for name, texts in (yaml.safe_load(path.read_text(encoding="utf-8")) or {})["incident_types"].items():
            examples.setdefault(name, []).extend(str(text) for text in texts)
    return examples


def fingerprint(folder: Path = TRAINING_DIR) -> str:
    """Changes whenever a training file does, so that Rasa retrains the component."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(seed: int = 42) -> Pipeline:
    words = TfidfVectorizer(strip_accents="unicode", ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    # character n-grams inside words survive typos and SMS spellings ("rancongiciel", "piratage")
    chars = TfidfVectorizer(strip_accents="unicode", analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    return Pipeline(
        [
            ("features", FeatureUnion([("words", words), ("chars", chars)])),
            ("model", LogisticRegression(C=20.0, max_iter=3000, random_state=seed)),
        ]
    )


def train(examples: Mapping[str, Sequence[str]], seed: int = 42) -> Pipeline:
    texts = [text for texts in examples.values() for text in texts]
    labels = [name for name, texts in examples.items() for _ in texts]
    return build(seed).fit(texts, labels)


def rank(model: Pipeline, text: str, top: int = TOP) -> List[Guess]:
    """The likeliest types for ``text``, best first."""
    if not text.strip():
        return []
    probabilities = model.predict_proba([text])[0]
    ranked = sorted(zip(model.classes_, probabilities), key=lambda pair: -pair[1])
    return [Guess(str(name), round(float(p), 4)) for name, p in ranked[:top]]


def _vectorizers(model: Pipeline) -> Dict[str, TfidfVectorizer]:
    return dict(model.named_steps["features"].transformer_list)


def save(model: Pipeline, folder: Path) -> None:
    """skops for the model, each vocabulary as an array of its terms beside it: skops writes a
    dict of 33,000 n-grams as 27 MB of JSON, read back in 6 s at every start."""
    vocabularies = {name: vec.vocabulary_ for name, vec in _vectorizers(model).items()}
    try:
        for name, vec in _vectorizers(model).items():
            terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
            np.save(folder / f"{name}.terms.npy", np.array(terms, dtype=str), allow_pickle=False)
            vec.vocabulary_ = {}
        sio.dump(model, folder / MODEL_FILE)
    finally:
        for name, vec in _vectorizers(model).items():
            vec.vocabulary_ = vocabularies[name]


def load(folder: Path) -> Pipeline:
    """The model ``save`` wrote; refuses a file holding types other than plain data."""
    path = folder / MODEL_FILE
    untrusted = set(sio.get_untrusted_types(file=path))
    if untrusted - TRUSTED_TYPES:
        raise ValueError(f"unexpected types in the incident-type model: {sorted(untrusted - TRUSTED_TYPES)}")
    model = sio.load(path, trusted=sorted(untrusted))
    for name, vec in _vectorizers(model).items():
        terms = np.load(folder / f"{name}.terms.npy", allow_pickle=False)
        vec.vocabulary_ = {str(term): index for index, term in enumerate(terms)}
    return model
