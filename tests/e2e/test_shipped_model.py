"""What the trained model file holds: the classifiers' weights in half precision, nothing else of
TensorFlow's (no checkpoint, no optimizer state)."""

import asyncio
import tarfile

import numpy as np
import pytest
import tensorflow as tf
from rasa.utils.tensorflow.models import RasaModel

from bot.nlu.classifiers import HALF_WEIGHTS, _HalfWeights
from bot.nlu_report import load_examples
from tests.support.servers import MODEL, ROOT

SENTENCES = [ROOT / "tests" / "nlu" / "intents_test.yml", ROOT / "tests" / "nlu" / "faq_test.yml"]


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first (make test does it).")
    folder = tmp_path_factory.mktemp("model")
    with tarfile.open(MODEL) as archive:
        archive.extractall(folder, filter="data")
    return folder


def test_diet_and_the_response_selector_keep_their_weights_alone_in_half_precision(model_folder):
    saved = sorted(model_folder.rglob(f"*{HALF_WEIGHTS}"))
    names = {path.parent.name.rstrip("0123456789").rsplit(".", 1)[-1] for path in saved}
    assert names == {"CompactDIETClassifier", "CompactResponseSelector"}
    assert not list(model_folder.rglob("*.tf_model.index"))  # no TensorFlow checkpoint left
    for path in saved:
        with np.load(path) as weights:
            arrays = [weights[name] for name in weights.files]
        assert sum(a.size for a in arrays) > 1_000_000  # the weights are there
        assert {a.dtype for a in arrays if a.dtype.kind == "f"} == {np.dtype(np.float16)}


def _parse_all(texts):
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))

    async def parse():
        return [await agent.parse_message(text) for text in texts]

    return [_predicted(parsed) for parsed in asyncio.run(parse())]


def _predicted(parsed):
    answer = parsed.get("response_selector", {}).get("faq", {}).get("response", {})
    ranking = [(i["name"], round(i["confidence"], 4)) for i in parsed["intent_ranking"][:3]]
    return ranking, answer.get("utter_action"), round(answer.get("confidence") or 0.0, 4)


def test_loading_takes_no_training_step_and_predicts_as_rasas_own_loading(monkeypatch):
    """Built by one prediction instead of Rasa's training step (15 s and hundreds of MB saved):
    the same weights, the same intents and FAQ answers with the same confidences."""
    texts = [text for path in SENTENCES for text, _ in load_examples([path])[:40]]

    def no_training(*args, **kwargs):
        raise AssertionError("the model was trained one step to be loaded")

    with monkeypatch.context() as patched:
        patched.setattr(tf.keras.Model, "fit", no_training)
        ours = _parse_all(texts)
    monkeypatch.setattr(_HalfWeights, "load", classmethod(lambda cls, *a, **k: RasaModel.load.__func__(cls, *a, **k)))
    assert ours == _parse_all(texts)
