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
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Sequence

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

TRAINING_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "incident_types"
TOP = 3
# Changes whenever the files written by ``save`` do, so that Rasa's cache retrains the component.
STORAGE_FORMAT = "arrays-1"
MODEL_FILE = "incident_type.npz"


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
    """Plain arrays in one numpy file, no pickle: each vectorizer's settings, terms (in the order
    of their columns) and weights, and the classifier's coefficients. skops, used before, imports
    every scikit-learn estimator to vet a file's types: 4 of the 12 s the model took to load."""
    arrays: Dict[str, np.ndarray] = {}
    for name, vec in _vectorizers(model).items():
        arrays[f"{name}.settings"] = np.array(json.dumps(_settings(vec)))
        arrays[f"{name}.terms"] = np.array(sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__), dtype=str)
        arrays[f"{name}.idf"] = vec.idf_
    classifier = model.named_steps["model"]
    arrays.update(classes=classifier.classes_.astype(str), coef=classifier.coef_, intercept=classifier.intercept_)
    np.savez_compressed(folder / MODEL_FILE, **arrays)


def load(folder: Path) -> Pipeline:
    """The model ``save`` wrote, ready to rank (it cannot be trained further)."""
    model = build()
    with np.load(folder / MODEL_FILE, allow_pickle=False) as saved:
        for name, vec in _vectorizers(model).items():
            settings = json.loads(str(saved[f"{name}.settings"]))
            vec.set_params(**{k: tuple(v) if isinstance(v, list) else v for k, v in settings.items()})
            vec.vocabulary_ = {str(term): column for column, term in enumerate(saved[f"{name}.terms"])}
            vec.fixed_vocabulary_ = False
            vec.idf_ = saved[f"{name}.idf"]
        classifier = model.named_steps["model"]
        classifier.classes_ = saved["classes"]
        classifier.coef_, classifier.intercept_ = saved["coef"], saved["intercept"]
        classifier.n_features_in_ = classifier.coef_.shape[1]
    return model


def _settings(vec: TfidfVectorizer) -> Dict[str, object]:
    """What shapes a vectorizer's columns (analyzer, n-grams, accents, weighting), as JSON."""
    return {k: v for k, v in vec.get_params().items() if isinstance(v, (str, int, float, bool, tuple)) or v is None}
