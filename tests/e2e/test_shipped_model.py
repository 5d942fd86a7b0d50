"""What the trained model file holds: the classifiers' weights in half precision, nothing else of
TensorFlow's (no checkpoint, no optimizer state)."""

import tarfile

import numpy as np
import pytest

from bot.nlu.classifiers import HALF_WEIGHTS
from tests.support.servers import MODEL


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
