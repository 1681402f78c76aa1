"""Checks for exercise 01 (Keras in ten minutes)."""
from __future__ import annotations

import numpy as np

from . import Answers, Fail, first_line, question
from .expect import as_array, as_number, history_of, is_instance

# The check measures the student's model on the course's own test split, never on the
# student's variables, so redefining x_test cannot change a grade.
_MIN_TEST_ACCURACY = 0.85


def _test_split():
    from ..data import load_digits

    return load_digits().test


def _dense_layers(model) -> list:
    """Every Dense layer of ``model``, looking inside nested models (functional or subclassed)."""
    import keras

    found, stack = [], list(getattr(model, "layers", []))
    while stack:
        layer = stack.pop(0)
        if isinstance(layer, keras.layers.Dense):
            found.append(layer)
        stack.extend(getattr(layer, "layers", []) if isinstance(layer, keras.Model) else [])
    return found


def _model(answers: Answers):
    import keras

    model = answers["model"]
    is_instance(model, keras.Model, "model", "a Keras model",
                hint="build it with `keras.Sequential([...])`, starting with `keras.Input(...)`.")
    return model


def _probabilities(model, images, what: str) -> np.ndarray:
    try:
        out = model(images, training=False)
    except Exception as error:  # noqa: BLE001 - the student's model: say how it failed
        raise Fail(f"`model` cannot take {what}: {type(error).__name__}: "
                   f"{str(error).strip().splitlines()[0] if str(error).strip() else ''}",
                   "the model takes a batch of digits of shape (n, 64): check what you gave "
                   "keras.Input.") from None
    return as_array(out, "model(images)")


@question("01.q1", points=2,
          checks="model is a digit classifier: (n, 64) pixels in, a hidden Dense layer, "
                 "10 probabilities out",
          defines=("model",),
          fixed="the name model; a Keras model (Sequential as in the lesson; functional or "
                "subclassed also accepted); input: a batch of shape (n, 64); output: shape (n, 10), "
                "probabilities; at least one hidden Dense layer; sizes and activations of hidden "
                "layers are free",
          verifies=("it is a keras.Model with at least two Dense layers (one hidden, one output)",
                    "on random batches of 1 and 5 digits it returns shape (n, 10)",
                    "each output row is ≥ 0 and sums to 1 (probabilities, not scores)"))
def _q1(answers: Answers) -> None:
    model = _model(answers)
    rng = np.random.default_rng(11)
    for n in (5, 1):
        probe = rng.uniform(0, 1, size=(n, 64)).astype("float32")
        out = _probabilities(model, probe, f"a batch of {n} digits of shape ({n}, 64)")
        if out.shape != (n, 10):
            raise Fail(f"for {n} digit(s) `model` gives outputs of shape {out.shape}; one output "
                       f"per digit class, ({n}, 10), was expected.",
                       "how many units does your last layer have? Does the model take (n, 64)?")
        if np.any(out < 0) or not np.allclose(out.sum(axis=1), 1.0, atol=1e-4):
            raise Fail("`model`'s outputs are not probabilities: they should be ≥ 0 and sum to 1 "
                       "for each image.", "which activation turns scores into probabilities?")
    dense = _dense_layers(model)
    if len(dense) < 2:
        raise Fail(f"`model` has {len(dense)} Dense layer(s); at least one hidden layer before the "
                   "output layer was asked for.", "add a Dense layer with a ReLU activation.")


def _validation_loss_matches(model, history) -> None:
    """``val_loss`` must be the model's loss on the validation split (at some epoch: the last,
    or the best one when a callback restored the best weights)."""
    from ..data import load_digits

    digits = load_digits()
    recorded = np.asarray(history.history["val_loss"], dtype=float)

    def loss_on(split) -> float:
        x, y = split
        result = model.evaluate(x, y, verbose=0, return_dict=True)
        return float(result["loss"])

    def matches(value: float) -> bool:
        return bool(np.any(np.isclose(recorded, value, rtol=2e-3, atol=1e-4)))

    if matches(loss_on(digits.validation)):
        return
    if matches(loss_on(digits.test)):
        raise Fail("`history`'s validation loss was computed on the test split.",
                   "the test split stays unseen until the end: give fit the validation split, "
                   "`validation_data=(x_val, y_val)`.")
    raise Fail("`history`'s validation loss is not the model's loss on the validation split "
               "(x_val, y_val).",
               "pass the validation split itself to fit with `validation_data=(x_val, y_val)`, "
               "rather than a slice of the training data.")


@question("01.q2", points=3,
          checks="model was compiled and trained with the validation split, its loss fell, and it "
                 f"reaches {_MIN_TEST_ACCURACY:.0%} accuracy on the test split",
          defines=("history",),
          fixed="history is what model.fit returned; at least 5 epochs on the training split; "
                "validation_data is the validation split (x_val, y_val); the accuracy metric; the "
                "optimizer, loss, batch size and number of epochs are free",
          verifies=("history belongs to model itself and has at least 5 epochs",
                    "its val_loss is the model's loss on the validation split, not on the test "
                    "split or a slice of the training data",
                    "the training loss went down",
                    f"the model classifies at least {_MIN_TEST_ACCURACY:.0%} of the test split "
                    "(measured by the check on the course's own test split)"))
def _q2(answers: Answers) -> None:
    model = _model(answers)
    history = history_of(answers, model)
    losses = history.history.get("loss", [])
    if len(losses) < 5:
        raise Fail(f"`history` records {len(losses)} epoch(s); at least 5 were asked for.",
                   "look at fit's `epochs` argument.")
    if "val_loss" not in history.history:
        raise Fail("`history` has no validation loss: the model was trained without validation data.",
                   "pass the validation split to fit with `validation_data=(x, y)`.")
    if not np.all(np.isfinite(losses)) or not losses[-1] < losses[0]:
        raise Fail(f"the training loss did not go down ({losses[0]:.3f} → {losses[-1]:.3f}).",
                   "check the loss you compiled with (labels here are integers 0–9), and the "
                   "learning rate.")
    _validation_loss_matches(model, history)
    x_test, y_test = _test_split()
    predictions = as_array(model.predict(x_test, verbose=0), "model.predict(x_test)")
    accuracy = float(np.mean(predictions.argmax(axis=1) == y_test))
    if accuracy < _MIN_TEST_ACCURACY:
        raise Fail(f"`model` classifies {accuracy:.1%} of the test digits correctly; at least "
                   f"{_MIN_TEST_ACCURACY:.0%} was asked for.",
                   "train for more epochs, or with a larger hidden layer.")


@question("01.q3", points=1,
          checks="test_accuracy is the accuracy model.evaluate reports on the test split",
          defines=("test_accuracy",),
          fixed="the name test_accuracy; a single number, the fraction (0–1) of the test split "
                "(x_test, y_test) that the trained model classifies correctly",
          verifies=("it is one number between 0 and 1 (not a percentage, not the loss)",
                    "it equals the trained model's accuracy on the course's test split (to 1e-4), "
                    "not on the validation split"))
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
          checks="predict_digits returns the most likely digit, as integers, for any batch of images",
          defines=("predict_digits",),
          fixed="the name predict_digits(images); images of shape (n, 64); returns n integers "
                "(a NumPy array, or a tensor), the digit the model finds most likely per image",
          verifies=("for batches of 1 and 17 test images it returns shape (n,)",
                    "the values are integers",
                    "each is the argmax of the model's own probabilities for that image"))
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
        kind = np.asarray(got.numpy() if hasattr(got, "numpy") else got).dtype.kind
        if kind not in "iu":
            raise Fail("predict_digits returned non-integer values; digits are integers.",
                       "`argmax` gives integer indices.")
        expected = model.predict(images, verbose=0).argmax(axis=1)
        if not np.array_equal(array, expected):
            raise Fail(f"predict_digits disagrees with `model` on {int(np.sum(array != expected))} "
                       f"of {size} images.", "use the model's predictions for `images`: one row "
                                             "per image.")


def _legend_entries(figure) -> list[tuple[object, str]]:
    """(legend handle, text) for every legend of the figure, on its axes or on the figure."""
    legends = [ax.get_legend() for ax in figure.axes if ax.get_legend() is not None]
    legends += list(getattr(figure, "legends", []))
    entries = []
    for legend in legends:
        handles = getattr(legend, "legend_handles", None) or getattr(legend, "legendHandles", [])
        entries += list(zip(handles, [t.get_text() for t in legend.get_texts()]))
    return entries


def _style(line) -> tuple:
    import matplotlib.colors as colors

    return (colors.to_hex(line.get_color()), line.get_linestyle(), str(line.get_marker()))


def _legend_label(line, entries) -> str | None:
    """The text the legend shows for ``line``: matched by its style, else by its own label."""
    same_style = [text for handle, text in entries
                  if hasattr(handle, "get_color") and hasattr(handle, "get_marker")
                  and _style(handle) == _style(line)]
    if len(same_style) == 1:
        return same_style[0]
    label = line.get_label()
    if label and not label.startswith("_") and label in [text for _, text in entries]:
        return label
    return None


@question("01.q5", points=2,
          checks="plot_curves(history) draws the training and validation loss per epoch, with a "
                 "title, axis labels and a legend that names each curve, and returns the figure",
          defines=("plot_curves",),
          fixed="the name plot_curves(history); draws history.history['loss'] and ['val_loss'] "
                "of the History it is given, per epoch, on one figure; returns the matplotlib "
                "Figure; the validation curve's legend label says 'val' or 'validation', the "
                "training curve's does not; colours, x values (0- or 1-based), axes or pyplot "
                "style, titles on the axes or the figure are free",
          verifies=("called on a made-up History it returns a matplotlib Figure",
                    "the figure has a line with exactly the loss values and one with the "
                    "val_loss values",
                    "a title (axes or figure), both axis labels, and a legend",
                    "the legend's label of each curve names the right curve (validation vs "
                    "training)"))
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
        figure.canvas.draw()  # legends and titles are laid out as a reader sees them
        plotted = []
        for ax in figure.axes:
            for line in ax.get_lines():
                plotted.append((ax, line, np.asarray(line.get_ydata(), dtype=float)))
        found = {}
        for key in ("loss", "val_loss"):
            wanted = np.asarray(made_up.history[key])
            matches = [(ax, line) for ax, line, y in plotted
                       if y.shape == wanted.shape and np.allclose(y, wanted)]
            if not matches:
                raise Fail(f"the figure has no line showing history.history[{key!r}] of the "
                           "History it was given.",
                           "plot one line per curve, with `ax.plot(...)`, from the `history` "
                           "argument.")
            found[key] = matches[0]
        suptitle = getattr(figure, "_suptitle", None)
        has_title = bool(suptitle is not None and suptitle.get_text().strip())
        for key, (ax, _) in found.items():
            if not (ax.get_title().strip() or has_title):
                raise Fail("the plot of the loss has no title.",
                           "use `ax.set_title(...)` (or `fig.suptitle(...)`).")
            if not ax.get_xlabel().strip() or not ax.get_ylabel().strip():
                raise Fail("an axis of the loss plot has no label.",
                           "label both axes: what is on x, and what is on y (with its unit, if any).")
        entries = _legend_entries(figure)
        if not entries:
            raise Fail("the loss plot has no legend, so a reader cannot tell the curves apart.",
                       "give each line a `label=` and call `ax.legend()`.")
        labels = {key: _legend_label(line, entries) for key, (_, line) in found.items()}
        for key, label in labels.items():
            if label is None or not label.strip():
                raise Fail(f"the legend has no entry for the {key} curve.",
                           "give each line a `label=` and call `ax.legend()` after plotting both.")
        if "val" not in labels["val_loss"].lower() or "val" in labels["loss"].lower():
            raise Fail(f"the legend labels the training curve {labels['loss']!r} and the "
                       f"validation curve {labels['val_loss']!r}: a reader cannot tell which is "
                       "which.", "check which data each `label=` is attached to.")
    finally:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)


# --- 01.q6: logits and from_logits=True ------------------------------------------------------


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _logits_model(answers: Answers):
    import keras

    model = answers["logits_model"]
    is_instance(model, keras.Model, "logits_model", "a Keras model",
                hint="build it like `model`, with `keras.Sequential([...])`, but end with a "
                     "Dense layer without activation.")
    return model


_LOGITS_HINT = ("end `logits_model` with `keras.layers.Dense(10)`, without activation: the loss "
                "applies the softmax when you compile with from_logits=True.")


def _outputs_are_logits(model, images) -> np.ndarray:
    try:
        out = model(images, training=False)
    except Exception as error:  # noqa: BLE001 - the student's model: say how it failed
        raise Fail(f"`logits_model` cannot take a batch of digits of shape {images.shape}: "
                   f"{type(error).__name__}: {first_line(error)}",
                   "the model takes a batch of digits of shape (n, 64): check what you gave "
                   "keras.Input.") from None
    logits = as_array(out, "logits_model(images)")
    n = len(images)
    if logits.shape != (n, 10):
        raise Fail(f"for {n} digits `logits_model` gives outputs of shape {logits.shape}; one "
                   f"logit per digit class, ({n}, 10), was expected.",
                   "how many units does your last layer have?")
    if not np.all(np.isfinite(logits)):
        raise Fail("`logits_model` gives NaN or infinite outputs.", "look at how it was trained.")
    if np.all(logits >= 0) and np.allclose(logits.sum(axis=1), 1.0, atol=1e-4):
        raise Fail("`logits_model` outputs probabilities (≥ 0, summing to 1), not logits: its "
                   "last layer applies a softmax.", _LOGITS_HINT)
    if np.all(logits >= 0):
        raise Fail("`logits_model`'s outputs are never negative: logits are any real numbers, so "
                   "its last layer must not have an activation.", _LOGITS_HINT)
    return logits


@question("01.q6", points=3,
          checks="logits_model ends in logits, is compiled with a loss that reads them as logits "
                 "(from_logits=True), is trained, and predict_probabilities turns its logits into "
                 "probabilities with a softmax",
          defines=("logits_model", "predict_probabilities"),
          fixed="the name logits_model: a Keras model taking (n, 64) and giving (n, 10) logits "
                "(no activation on the last layer); compiled with a sparse categorical "
                "cross-entropy that reads logits (from_logits=True); trained to classify 85% of "
                "the test split; the name predict_probabilities(images), returning (n, 10) "
                "probabilities, the softmax of logits_model's logits for `images`; hidden layers, "
                "optimizer, epochs, validation data and which softmax (keras.ops, tf.nn, "
                "keras.activations, a Softmax layer, NumPy) are free",
          verifies=("logits_model gives (n, 10) outputs on test digits and on random images",
                    "they are logits: some are negative (not probabilities, not a ReLU or sigmoid "
                    "output)",
                    "evaluated on 64 test digits in one batch, its compiled loss (less any "
                    "regularisation) is the cross-entropy of the softmax of its outputs, not of the "
                    "outputs read as probabilities",
                    f"the argmax of its logits is right for at least {_MIN_TEST_ACCURACY:.0%} of "
                    "the test split",
                    "predict_probabilities on batches of 1 and 17 images gives (n, 10) rows that "
                    "are ≥ 0, sum to 1 and equal the softmax of logits_model's logits (to 1e-5)"))
def _q6(answers: Answers) -> None:
    model = _logits_model(answers)
    x_test, y_test = _test_split()
    rng = np.random.default_rng(6)
    _outputs_are_logits(model, rng.uniform(0, 1, size=(16, 64)).astype("float32"))
    logits = _outputs_are_logits(model, x_test)

    # The compiled loss must read the outputs as logits: compare with the cross-entropy of
    # their softmax, computed here, on one batch of test digits.
    sample = rng.choice(len(x_test), size=64, replace=False)
    x, y = x_test[sample], y_test[sample]
    try:
        result = model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)
    except Exception as error:  # noqa: BLE001 - not compiled, or a loss that fails
        raise Fail(f"`logits_model.evaluate` raised {type(error).__name__}: {first_line(error)}",
                   "compile logits_model with a loss for integer labels that reads logits: "
                   "keras.losses.SparseCategoricalCrossentropy(from_logits=True).") from None
    penalties = sum(as_number(loss, "logits_model.losses") for loss in model.losses)
    loss = as_number(result.get("loss"), "the compiled loss") - penalties
    sample_logits = logits[sample]
    expected = float(-_log_softmax(sample_logits)[np.arange(len(y)), y].mean())
    if not np.isclose(loss, expected, rtol=2e-3, atol=1e-4):
        raise Fail(f"the loss logits_model was compiled with ({loss:.4f} on 64 test digits) is not "
                   f"the cross-entropy of the softmax of its outputs ({expected:.4f}): the loss "
                   "does not read the outputs as logits.",
                   "compile with keras.losses.SparseCategoricalCrossentropy(from_logits=True); "
                   "the default, from_logits=False, reads the outputs as probabilities.")
    accuracy = float(np.mean(logits.argmax(axis=1) == y_test))
    if accuracy < _MIN_TEST_ACCURACY:
        raise Fail(f"`logits_model` classifies {accuracy:.1%} of the test digits correctly; at "
                   f"least {_MIN_TEST_ACCURACY:.0%} was asked for.",
                   "train it with fit, as you trained `model`, for enough epochs.")

    for size in (1, 17):
        images = x_test[rng.choice(len(x_test), size=size, replace=False)]
        got = as_array(answers.call("predict_probabilities", images),
                       f"predict_probabilities(<{size} images>)")
        if got.shape != (size, 10):
            raise Fail(f"predict_probabilities returned shape {got.shape} for {size} image(s); "
                       f"10 probabilities per image, ({size}, 10), were expected.",
                       "return the probabilities themselves, not the predicted digit.")
        want_logits = as_array(model(images, training=False), "logits_model(images)")
        want = np.exp(_log_softmax(want_logits))
        if np.allclose(got, want_logits, atol=1e-5):
            raise Fail("predict_probabilities returns the logits themselves; probabilities were "
                       "asked for.", "apply keras.ops.softmax to the logits.")
        if np.any(got < 0) or not np.allclose(got.sum(axis=1), 1.0, atol=1e-5):
            raise Fail(f"the rows predict_probabilities returns for {size} image(s) are not "
                       "probabilities (≥ 0, each row summing to 1).",
                       "apply a softmax over the 10 classes of each image, the last axis: "
                       "keras.ops.softmax.")
        if not np.allclose(got, want, rtol=1e-4, atol=1e-5):
            raise Fail(f"predict_probabilities disagrees with the softmax of logits_model's "
                       f"logits for the same {size} image(s).",
                       "compute the logits of `images` (the argument) with logits_model, then "
                       "apply keras.ops.softmax.")
