"""What the trained model file holds: the classifiers' weights, not their optimizer's state."""

import tarfile

import pytest

from tests.support.servers import MODEL


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first (make test does it).")
    folder = tmp_path_factory.mktemp("model")
    with tarfile.open(MODEL) as archive:
        archive.extractall(folder, filter="data")
    return sorted(folder.rglob("*.tf_model.index"))


def test_diet_and_the_response_selector_are_saved_without_the_optimizer(checkpoints):
    import tensorflow as tf

    names = {path.parent.name.rstrip("0123456789").rsplit(".", 1)[-1] for path in checkpoints}
    assert names == {"CompactDIETClassifier", "CompactResponseSelector"}
    for path in checkpoints:
        variables = [name for name, _ in tf.train.list_variables(str(path).removesuffix(".index"))]
        assert any("_tf_layers" in name for name in variables)  # the weights are there
        assert not [name for name in variables if "optimizer/" in name]  # "model/optimizer/_variables/9/…"
