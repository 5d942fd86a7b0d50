"""DIET and the response selector save their weights alone, in half precision, and load them back."""

import numpy as np
import pytest
import tensorflow as tf

from bot.nlu.classifiers import HALF_WEIGHTS, _HalfWeights


class Tiny(_HalfWeights, tf.keras.Model):
    """A Keras model with a dense layer and a 0/1 mask, like DIET's sparse layers."""

    def __init__(self, units: int = 3):
        super().__init__()
        self.dense = tf.keras.layers.Dense(units)
        self.mask = tf.Variable(np.array([1.0, 0.0, 1.0], dtype=np.float32), trainable=False)

    def call(self, inputs):
        return self.dense(inputs) * self.mask


def built(units: int = 3) -> Tiny:
    model = Tiny(units)
    model(tf.ones((1, 4)))
    return model


def test_the_weights_come_back_within_half_precision(tmp_path):
    saved = built()
    saved.dense.kernel.assign(np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32))
    path = str(tmp_path / "Model.tf_model")
    saved.save(path)
    assert (tmp_path / f"Model.tf_model{HALF_WEIGHTS}").exists()
    assert not list(tmp_path.glob("*.index"))  # no TensorFlow checkpoint, no optimizer state

    loaded = built()
    loaded.load_weights(path)
    np.testing.assert_allclose(loaded.dense.kernel.numpy(), saved.dense.kernel.numpy(), rtol=1e-3, atol=1e-4)
    assert loaded.dense.kernel.dtype == tf.float32
    np.testing.assert_array_equal(loaded.mask.numpy(), [1.0, 0.0, 1.0])
    inputs = tf.constant([[0.5, -1.0, 2.0, 0.1]])
    np.testing.assert_allclose(loaded(inputs).numpy(), saved(inputs).numpy(), atol=1e-2)


def test_weights_of_another_shape_are_refused(tmp_path):
    path = str(tmp_path / "Model.tf_model")
    built(units=3).save(path)
    other = Tiny(units=5)
    other.mask = tf.Variable(np.ones(5, dtype=np.float32), trainable=False)
    other(tf.ones((1, 4)))
    with pytest.raises(ValueError, match="do not fit"):
        other.load_weights(path)


def test_a_model_saved_by_rasas_own_checkpoint_still_loads(tmp_path):
    saved = built()
    path = str(tmp_path / "Old.tf_model")
    tf.keras.Model.save_weights(saved, path, save_format="tf")
    loaded = built()
    loaded.load_weights(path)
    np.testing.assert_array_equal(loaded.dense.kernel.numpy(), saved.dense.kernel.numpy())


def test_only_the_first_tokens_are_read_one_by_one_the_sentence_stays_whole():
    import scipy.sparse
    from rasa.shared.nlu.constants import TEXT
    from rasa.utils.tensorflow.constants import SENTENCE, SEQUENCE, SEQUENCE_LENGTH
    from rasa.utils.tensorflow.model_data import FeatureArray, RasaModelData

    from bot.nlu.classifiers import first_tokens

    def arrays(*lengths, sparse=True):
        rows = np.empty(len(lengths), dtype=object)
        for i, length in enumerate(lengths):
            matrix = np.arange(length * 3, dtype=np.float32).reshape(length, 3)
            rows[i] = scipy.sparse.coo_matrix(matrix) if sparse else matrix
        return FeatureArray(rows, number_of_dimensions=3)

    data = RasaModelData()
    data.add_features(TEXT, SEQUENCE, [arrays(2, 7, 4), arrays(2, 7, 4, sparse=False)])
    data.add_features(TEXT, SENTENCE, [arrays(1, 1, 1)])
    data.add_lengths(TEXT, SEQUENCE_LENGTH, TEXT, SEQUENCE)

    first_tokens(data, 4)

    sparse, dense = data.get(TEXT, SEQUENCE)
    assert [m.shape[0] for m in sparse] == [2, 4, 4] == [m.shape[0] for m in dense]
    assert sparse.is_sparse and not dense.is_sparse
    np.testing.assert_array_equal(sparse[1].toarray(), np.arange(12).reshape(4, 3))
    np.testing.assert_array_equal(dense[1], np.arange(12).reshape(4, 3))
    assert list(data.get(TEXT, SEQUENCE_LENGTH)[0]) == [2, 4, 4]
    assert [m.shape[0] for m in data.get(TEXT, SENTENCE)[0]] == [1, 1, 1]
