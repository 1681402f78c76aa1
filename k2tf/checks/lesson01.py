"""Checks for exercise 01 (Keras in ten minutes)."""
from __future__ import annotations

import numpy as np

from . import Answers, Fail, question
from .expect import as_array, as_number, history_of, is_instance

# The check measures the student's model on the course's own test split, never on the
# student's variables, so redefining x_test cannot change a grade.
_MIN_TEST_ACCURACY = 0.85


def _test_split():
    from ..data import load_digits

    return load_digits().test


def _model(answers: Answers):
    import keras

    model = answers["model"]
    is_instance(model, keras.Sequential, "model", "a keras.Sequential model",
                hint="build it with `keras.Sequential([...])`, starting with `keras.Input(...)`.")
    return model


@question("01.q1", points=2,
          checks="model is a Sequential digit classifier: 64 inputs, a hidden layer, 10 softmax outputs")
def _q1(answers: Answers) -> None:
    import keras

    model = _model(answers)
    if not model.built or model.inputs is None:
        raise Fail("`model` does not know the shape of its input yet.",
                   "start the list of layers with `keras.Input(shape=...)`: one image is 64 numbers.")
    input_shape = tuple(model.inputs[0].shape)
    if input_shape != (None, 64):
        raise Fail(f"`model` takes inputs of shape {input_shape}; digits here are vectors of 64 "
                   "pixels, so (None, 64) was expected.", "look at the shape you gave keras.Input.")
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if len(dense) < 2:
        raise Fail(f"`model` has {len(dense)} Dense layer(s); at least one hidden layer before the "
                   "output layer was asked for.", "add a Dense layer with a ReLU activation.")
    output_shape = tuple(model.outputs[0].shape)
    if output_shape != (None, 10):
        raise Fail(f"`model` gives outputs of shape {output_shape}; one output per digit, "
                   "(None, 10), was expected.", "how many units does your last layer have?")
    probe = np.random.default_rng(11).uniform(0, 1, size=(5, 64)).astype("float32")
    out = as_array(model(probe, training=False), "model(images)")
    if np.any(out < 0) or not np.allclose(out.sum(axis=1), 1.0, atol=1e-4):
        raise Fail("`model`'s outputs are not probabilities: they should be ≥ 0 and sum to 1 "
                   "for each image.", "which activation turns scores into probabilities?")


@question("01.q2", points=3,
          checks="model was compiled and trained with validation data, its loss fell, and it "
                 f"reaches {_MIN_TEST_ACCURACY:.0%} accuracy on the test split")
def _q2(answers: Answers) -> None:
    import keras

    model = _model(answers)
    history = history_of(answers, model)
    losses = history.history.get("loss", [])
    if len(losses) < 5:
        raise Fail(f"`history` records {len(losses)} epoch(s); at least 5 were asked for.",
                   "look at fit's `epochs` argument.")
    if "val_loss" not in history.history:
        raise Fail("`history` has no validation loss: the model was trained without validation data.",
                   "pass the validation split to fit with `validation_data=(x, y)`.")
    if not losses[-1] < losses[0]:
        raise Fail(f"the training loss did not go down ({losses[0]:.3f} → {losses[-1]:.3f}).",
                   "check the loss you compiled with: labels here are integers 0–9.")
    x_test, y_test = _test_split()
    predictions = as_array(model.predict(x_test, verbose=0), "model.predict(x_test)")
    accuracy = float(np.mean(predictions.argmax(axis=1) == y_test))
    if accuracy < _MIN_TEST_ACCURACY:
        raise Fail(f"`model` classifies {accuracy:.1%} of the test digits correctly; at least "
                   f"{_MIN_TEST_ACCURACY:.0%} was asked for.",
                   "train for more epochs, or with a larger hidden layer.")


@question("01.q3", points=1,
          checks="test_accuracy is the accuracy model.evaluate reports on the test split")
def _q3(answers: Answers) -> None:
    model = _model(answers)
    value = as_number(answers["test_accuracy"], "test_accuracy")
    x_test, y_test = _test_split()
    predictions = as_array(model.predict(x_test, verbose=0), "model.predict(x_test)")
    expected = float(np.mean(predictions.argmax(axis=1) == y_test))
    if not 0.0 <= value <= 1.0:
        raise Fail(f"`test_accuracy` is {value:g}; an accuracy is a fraction between 0 and 1.",
                   "model.evaluate returns the loss first, then each metric you compiled with.")
    if abs(value - expected) > 1e-4:
        raise Fail(f"`test_accuracy` ({value:.4f}) is not the accuracy of `model` on the test "
                   "split.", "evaluate the trained model on x_test and y_test, after training.")


@question("01.q4", points=2,
          checks="predict_digits returns the most likely digit, as integers, for any batch of images")
def _q4(answers: Answers) -> None:
    model = _model(answers)
    x_test, _ = _test_split()
    rng = np.random.default_rng(4)
    for size in (1, 17):
        images = x_test[rng.choice(len(x_test), size=size, replace=False)]
        got = answers.call("predict_digits", images)
        array = as_array(got, f"predict_digits(<{size} images>)")
        if array.shape != (size,):
            raise Fail(f"predict_digits returned shape {array.shape} for {size} image(s); one "
                       f"digit per image, shape ({size},), was expected.",
                       "the model gives 10 probabilities per image: keep the index of the largest.")
        if np.asarray(got).dtype.kind not in "iu":
            raise Fail("predict_digits returned non-integer values; digits are integers.",
                       "`argmax` gives integer indices.")
        expected = model.predict(images, verbose=0).argmax(axis=1)
        if not np.array_equal(array, expected):
            raise Fail(f"predict_digits disagrees with `model` on {int(np.sum(array != expected))} "
                       f"of {size} images.", "use the model's predictions: one row per image.")


@question("01.q5", points=2,
          checks="plot_curves(history) draws training and validation loss per epoch, with a "
                 "title, axis labels and a legend, and returns the figure")
def _q5(answers: Answers) -> None:
    import keras
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    # A made-up history, so the plot must show the numbers it is given.
    made_up = keras.callbacks.History()
    made_up.epoch = list(range(4))
    made_up.history = {"loss": [2.0, 1.1, 0.7, 0.5], "val_loss": [2.1, 1.3, 0.9, 0.8],
                       "accuracy": [0.3, 0.6, 0.8, 0.9], "val_accuracy": [0.3, 0.5, 0.7, 0.8]}
    before = set(plt.get_fignums())
    try:
        figure = answers.call("plot_curves", made_up)
        is_instance(figure, Figure, "plot_curves(history)", "a matplotlib Figure",
                    hint="create it with `fig, ax = plt.subplots()` and end with `return fig`.")
        plotted = []
        for ax in figure.axes:
            for line in ax.get_lines():
                plotted.append((ax, np.asarray(line.get_ydata(), dtype=float)))
        for key in ("loss", "val_loss"):
            wanted = np.asarray(made_up.history[key])
            matches = [ax for ax, y in plotted if y.shape == wanted.shape and np.allclose(y, wanted)]
            if not matches:
                raise Fail(f"the figure has no line showing history.history[{key!r}].",
                           "plot one line per curve, with `ax.plot(...)`.")
            ax = matches[0]
            if not ax.get_title().strip():
                raise Fail("the plot of the loss has no title.", "use `ax.set_title(...)`.")
            if not ax.get_xlabel().strip() or not ax.get_ylabel().strip():
                raise Fail("an axis of the loss plot has no label.",
                           "label both axes: what is on x, and what is on y (with its unit, if any).")
            if ax.get_legend() is None:
                raise Fail("the loss plot has no legend, so a reader cannot tell the curves apart.",
                           "give each line a `label=` and call `ax.legend()`.")
    finally:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)
