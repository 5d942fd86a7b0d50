"""DIET and the response selector, saved without the optimizer's state.

Rasa saves each TensorFlow model with everything Keras tracks, the Adam optimizer's two
moment estimates per weight included: three fifths of the model file, used only to go
on training. Loading never reads them (``RasaModel.load`` compiles a new optimizer and
takes one step before restoring the weights), and Vigie never fine-tunes a shipped
model, so these components leave the optimizer out of the checkpoint. The weights, and
so every prediction, are the same.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Type

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.nlu.selectors.response_selector import DIET2BOW, DIET2DIET, ResponseSelector
from rasa.utils.tensorflow.models import RasaModel

# Rasa's check looks for its own class only; this one is a response selector too.
warnings.filterwarnings("ignore", message="You have defined training data with examples for training a response")


class _WithoutOptimizer:
    def _trackable_children(self, save_type: str = "checkpoint", **kwargs: Any) -> Dict[str, Any]:
        children = super()._trackable_children(save_type, **kwargs)  # type: ignore[misc]
        children.pop("optimizer", None)
        return children


class _DIET(_WithoutOptimizer, DIET):
    pass


class _DIET2BOW(_WithoutOptimizer, DIET2BOW):
    pass


class _DIET2DIET(_WithoutOptimizer, DIET2DIET):
    pass


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class CompactDIETClassifier(DIETClassifier):
    """Rasa's DIETClassifier, saved without the optimizer."""

    @staticmethod
    def model_class() -> Type[RasaModel]:
        return _DIET


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CompactResponseSelector(ResponseSelector):
    """Rasa's ResponseSelector, saved without the optimizer."""

    @staticmethod
    def model_class(use_text_as_label: bool) -> Type[RasaModel]:
        return _DIET2DIET if use_text_as_label else _DIET2BOW
