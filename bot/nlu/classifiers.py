"""DIET and the response selector, saved as their weights alone, in half precision.

Rasa saves each TensorFlow model as a checkpoint of everything Keras tracks, the Adam
optimizer's two moment estimates per weight included: three fifths of the model file,
used only to go on training. Loading never reads them (``RasaModel.load`` compiles a new
optimizer and takes one step before restoring the weights), and Vigie never fine-tunes a
shipped model. These components save only the weights, as 16-bit floats in a compressed
numpy file (half the size again; the 0/1 masks of the sparse layers compress to almost
nothing), and restore them as the 32-bit floats TensorFlow computes with. Rounding the
weights to 16 bits moves a confidence by a few thousandths at most (bench/shipped_model.py
measures the accuracy of each setting). A model saved by Rasa's own checkpoint still loads.

Loading builds the network with one prediction, not with Rasa's one training step: tracing
the training graph (gradients, optimizer) for nothing took 15 of the 31 seconds the model
took to load, and its memory stayed held.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional, Type

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.nlu.selectors.response_selector import DIET2BOW, DIET2DIET, ResponseSelector
from rasa.shared.nlu.constants import TEXT
from rasa.utils.tensorflow.constants import SEQUENCE, SEQUENCE_LENGTH
from rasa.utils.tensorflow.model_data import FeatureArray, RasaModelData
from rasa.utils.tensorflow.models import RasaModel

from bot.nlu.source import PackageFingerprint

# Rasa's check looks for its own class only; this one is a response selector too.
warnings.filterwarnings("ignore", message="You have defined training data with examples for training a response")


HALF_WEIGHTS = ".half.npz"
# A batch is as long as its longest message: a few long descriptions made most batches
# three to five times the length of the median message, and training that much slower.
MAX_TOKENS = "max_tokens"


class _HalfWeights:
    """``save`` and ``load_weights`` of a RasaModel, with the weights alone in half precision."""

    weights: List[Any]
    prepared_for_prediction: bool
    _run_eagerly: Any

    @classmethod
    def load(
        cls,
        model_file_name: str,
        model_data_example: RasaModelData,
        predict_data_example: Optional[RasaModelData] = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if finetune_mode or predict_data_example is None or not _half_file(model_file_name).exists():
            return super().load(  # type: ignore[misc]
                model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
            )
        model = cls(*args, **kwargs)
        traced = model._run_eagerly
        model._run_eagerly = True  # one eager prediction creates the weights; nothing is traced
        model.run_inference(predict_data_example)  # type: ignore[attr-defined]
        model.load_weights(model_file_name)
        model._run_eagerly = traced
        # the labels' embeddings were computed from the random weights: again, from the loaded ones
        model.prepared_for_prediction = False
        model.run_inference(predict_data_example)  # type: ignore[attr-defined]  # traced once, as Rasa does
        return model

    def save(self, model_file_name: str, overwrite: bool = True) -> None:
        arrays = {f"w{i}": _half(variable.numpy()) for i, variable in enumerate(self.weights)}
        np.savez_compressed(_half_file(model_file_name), **arrays)

    def load_weights(self, filepath: Any, *args: Any, **kwargs: Any) -> Any:
        saved = _half_file(filepath)
        if not saved.exists():  # Rasa's own checkpoint (an older model, a training checkpoint)
            return super().load_weights(filepath, *args, **kwargs)  # type: ignore[misc]
        with np.load(saved) as stored:
            values = [stored[f"w{i}"] for i in range(len(stored.files))]
        shapes = [tuple(variable.shape) for variable in self.weights]
        if shapes != [value.shape for value in values]:
            raise ValueError(f"{saved}: the saved weights do not fit this model")
        for variable, value in zip(self.weights, values):
            variable.assign(value.astype(variable.dtype.as_numpy_dtype))
        return None


def _half_file(model_file_name: Any) -> Path:
    """Where the weights of Rasa's ``<component>.tf_model`` are kept."""
    return Path(f"{model_file_name}{HALF_WEIGHTS}")


def _half(array: np.ndarray) -> np.ndarray:
    return array.astype(np.float16) if array.dtype == np.float32 else array


class _DIET(_HalfWeights, DIET):
    pass


class _DIET2BOW(_HalfWeights, DIET2BOW):
    pass


class _DIET2DIET(_HalfWeights, DIET2DIET):
    pass


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class CompactDIETClassifier(PackageFingerprint, DIETClassifier):
    """Rasa's DIETClassifier, saved as its weights in half precision; with ``max_tokens``, it
    reads each message's first words one by one and the whole message as one bag of words."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**DIETClassifier.get_default_config(), MAX_TOKENS: None}

    @staticmethod
    def model_class() -> Type[RasaModel]:
        return _DIET

    def _create_model_data(self, *args: Any, **kwargs: Any) -> RasaModelData:
        model_data = super()._create_model_data(*args, **kwargs)
        limit = self.component_config.get(MAX_TOKENS)
        if limit and model_data.get(TEXT, SEQUENCE):
            first_tokens(model_data, int(limit))
        return model_data


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CompactResponseSelector(PackageFingerprint, ResponseSelector):
    """Rasa's ResponseSelector, saved as its weights in half precision."""

    @staticmethod
    def model_class(use_text_as_label: bool) -> Type[RasaModel]:
        return _DIET2DIET if use_text_as_label else _DIET2BOW


def first_tokens(model_data: RasaModelData, limit: int) -> None:
    """Keep the token features of each message's first ``limit`` tokens; the sentence features
    (the whole message) are kept whole."""
    sequences = model_data.data[TEXT][SEQUENCE]
    model_data.data[TEXT][SEQUENCE] = [_first_rows(features, limit) for features in sequences]
    model_data.add_lengths(TEXT, SEQUENCE_LENGTH, TEXT, SEQUENCE)


def _first_rows(features: FeatureArray, limit: int) -> FeatureArray:
    rows = np.empty(len(features), dtype=object)
    for i, matrix in enumerate(features):
        if matrix.shape[0] <= limit:
            rows[i] = matrix
        elif scipy.sparse.issparse(matrix):
            rows[i] = matrix.tocsr()[:limit].tocoo()
        else:
            rows[i] = matrix[:limit]
    return FeatureArray(rows, number_of_dimensions=features.number_of_dimensions)
