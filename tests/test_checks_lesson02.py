"""Exercise 02's checks: honest answers pass; typical mistakes and shortcuts fail, saying why."""
from __future__ import annotations

import numpy as np
import pytest

import k2tf
from k2tf.checks import CheckFailed, run_check


@pytest.fixture(scope="module")
def keras():
    k2tf.setup(quiet=False)
    import keras

    return keras


def _two_headed(keras, *, use_ink=True):
    image = keras.Input(shape=(64,), name="image")
    ink = keras.Input(shape=(1,), name="ink")
    x = keras.layers.Dense(32, activation="relu")(image)
    if use_ink:
        x = keras.layers.Concatenate()([x, ink])
    hidden = keras.layers.Dense(32, activation="relu")(x)
    return keras.Model({"image": image, "ink": ink},
                       {"digit": keras.layers.Dense(10, activation="softmax", name="digit")(hidden),
                        "centre": keras.layers.Dense(1, name="centre")(hidden)})


def test_q1_two_inputs_two_outputs(keras):
    assert "passed" in run_check("02.q1", {"model": _two_headed(keras)})
    with pytest.raises(CheckFailed, match="ink does not reach"):
        run_check("02.q1", {"model": _two_headed(keras, use_ink=False)})
    seq = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(CheckFailed, match="not a functional model"):
        run_check("02.q1", {"model": seq})


def _pair(keras, shared=True):
    left, right = keras.Input((64,), name="left"), keras.Input((64,), name="right")
    a = keras.layers.Dense(8, activation="relu")
    b = a if shared else keras.layers.Dense(8, activation="relu")
    out = keras.layers.Dense(1, activation="sigmoid")(keras.ops.abs(a(left) - b(right)))
    return keras.Model({"left": left, "right": right}, out)


def test_q2_needs_one_layer_called_twice(keras):
    assert "passed" in run_check("02.q2", {"pair_model": _pair(keras)})
    with pytest.raises(CheckFailed, match="nothing is shared"):
        run_check("02.q2", {"pair_model": _pair(keras, shared=False)})


def _feature_scale(keras, *, in_init=False, config=True, ignore_weights=False):
    class FeatureScale(keras.layers.Layer):
        def __init__(self, initial_scale=1.0, activation=None, **kwargs):
            super().__init__(**kwargs)
            self.initial_scale = initial_scale
            self.activation = keras.activations.get(activation)
            if in_init:  # a fixed size, chosen without seeing the input
                self.scale = self.add_weight(shape=(7,), initializer="ones")
                self.offset = self.add_weight(shape=(7,), initializer="zeros")

        def build(self, input_shape):
            if in_init:
                return
            init = keras.initializers.Constant(self.initial_scale)
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer=init)
            self.offset = self.add_weight(shape=(input_shape[-1],), initializer="zeros")

        def call(self, inputs):
            if ignore_weights:
                return self.activation(inputs * self.initial_scale)
            return self.activation(inputs * self.scale + self.offset)

        def get_config(self):
            base = super().get_config()
            return {**base, "initial_scale": self.initial_scale,
                    "activation": keras.activations.serialize(self.activation)} if config else base

    return FeatureScale


def test_q3_feature_scale_behaviour(keras):
    assert "passed" in run_check("02.q3", {"FeatureScale": _feature_scale(keras)})
    with pytest.raises(CheckFailed, match="before it has seen an input"):
        run_check("02.q3", {"FeatureScale": _feature_scale(keras, in_init=True)})
    with pytest.raises(CheckFailed, match="does not return initial_scale"):
        run_check("02.q3", {"FeatureScale": _feature_scale(keras, config=False)})
    with pytest.raises(CheckFailed, match="weights set to other values"):
        run_check("02.q3", {"FeatureScale": _feature_scale(keras, ignore_weights=True)})

    class NotMine(keras.layers.Dense):
        pass

    with pytest.raises(CheckFailed, match="subclasses keras.layers.Dense"):
        run_check("02.q3", {"FeatureScale": NotMine})


def test_q4_digit_classifier(keras):
    FeatureScale = _feature_scale(keras)

    class DigitClassifier(keras.Model):
        def __init__(self, width, **kwargs):
            super().__init__(**kwargs)
            self.scale = FeatureScale()
            self.hidden = keras.layers.Dense(width, activation="relu")
            self.out = keras.layers.Dense(10, activation="softmax")

        def call(self, inputs):
            return self.out(self.hidden(self.scale(inputs)))

    class FixedWidth(DigitClassifier):  # ignores `width`
        def __init__(self, width, **kwargs):
            super().__init__(32, **kwargs)

    ns = {"FeatureScale": FeatureScale}
    assert "passed" in run_check("02.q4", {**ns, "DigitClassifier": DigitClassifier})
    with pytest.raises(CheckFailed, match="parameters"):
        run_check("02.q4", {**ns, "DigitClassifier": FixedWidth})
    with pytest.raises(CheckFailed, match="subclasses keras.Model"):
        run_check("02.q4", {**ns, "DigitClassifier": lambda width: None})


@pytest.fixture(scope="module")
def trained(keras):
    from k2tf.checks.lesson02 import _two_headed_data
    from k2tf.data import load_digits

    digits = load_digits()
    x, y = _two_headed_data(digits.train)
    xv, yv = _two_headed_data(digits.validation)

    def train(weights, epochs):
        model = _two_headed(keras)
        model.compile(keras.optimizers.Adam(3e-3),
                      loss={"digit": "sparse_categorical_crossentropy", "centre": "mse"},
                      metrics={"digit": ["accuracy"], "centre": ["mae"]}, loss_weights=weights)
        return model, model.fit(x, y, validation_data=(xv, yv), epochs=epochs, verbose=0)

    return train


def test_q5_multi_output_training(keras, trained):
    model, history = trained({"digit": 1.0, "centre": 0.25}, epochs=8)
    assert "passed" in run_check("02.q5", {"model": model, "history": history})
    unweighted, history = trained(None, epochs=1)  # refused before its accuracy is measured
    with pytest.raises(CheckFailed, match="loss weights"):
        run_check("02.q5", {"model": unweighted, "history": history})
    with pytest.raises(CheckFailed, match="another model"):
        run_check("02.q5", {"model": _two_headed(keras), "history": history})


from answer_fixtures import fixture_tests  # noqa: E402
from answers.lesson02 import ANSWERS  # noqa: E402

test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell = \
    fixture_tests("02", ANSWERS)
