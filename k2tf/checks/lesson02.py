"""Checks for exercise 02 (functional and subclassed models)."""
from __future__ import annotations

import numpy as np

from . import Answers, Fail, question
from .expect import as_array, as_number, history_of, is_instance

_CENTRE_WEIGHT = 0.25  # the loss weight 02.q5 asks for on the `centre` output
_MIN_DIGIT_ACCURACY = 0.80
_MAX_CENTRE_MAE = 0.30  # rows; always guessing the mean centre is off by about 0.33


def _two_headed_data(split):
    """The exercise's inputs and targets, computed here from the course's own data."""
    grid = split.x.reshape(-1, 8, 8)
    ink_per_row = grid.sum(axis=2)
    centre = ink_per_row @ np.arange(8, dtype=np.float32) / ink_per_row.sum(axis=1)
    return ({"image": split.x, "ink": grid.mean(axis=(1, 2))[:, None]},
            {"digit": split.y, "centre": centre[:, None].astype(np.float32)})


def _digits():
    from ..data import load_digits

    return load_digits()


def _graph_nodes(model):
    """(layer, node) for every call of a layer in ``model``'s own graph."""
    from ..plots import _layer_nodes

    return list(_layer_nodes(model))


def _functional(answers: Answers, name: str, what: str):
    import keras

    model = answers[name]
    is_instance(model, keras.Model, name, what,
                hint="wrap your graph with `keras.Model(inputs=..., outputs=...)`.")
    if isinstance(model, keras.Sequential) or not hasattr(model, "_nodes") \
            or not getattr(model, "inputs", None):
        raise Fail(f"`{name}` is not a functional model.",
                   "start from `keras.Input(...)` objects, call layers on them, and build the "
                   "model with `keras.Model(inputs, outputs)`.")
    return model


def _inputs_by_name(model, name, wanted: dict[str, int]):
    got = {t._keras_history.operation.name: tuple(t.shape) for t in model.inputs}
    if set(got) != set(wanted):
        raise Fail(f"`{name}` has inputs named {sorted(got)}; {sorted(wanted)} were asked for.",
                   "give each `keras.Input` a `name=`.")
    for key, size in wanted.items():
        if got[key] != (None, size):
            raise Fail(f"input {key!r} of `{name}` has shape {got[key]}; (None, {size}) was "
                       "expected.", "look at the shape you gave that keras.Input.")


def _outputs(model, name, inputs):
    out = model(inputs, training=False)
    if not isinstance(out, dict):
        raise Fail(f"`{name}` returns a {type(out).__name__}; a dict of outputs keyed by name "
                   "was expected.", "pass `outputs={'digit': ..., 'centre': ...}` to keras.Model.")
    return out


def _probe_inputs(n=6, seed=2):
    rng = np.random.default_rng(seed)
    image = rng.uniform(0, 1, size=(n, 64)).astype("float32")
    ink = rng.uniform(0.1, 0.5, size=(n, 1)).astype("float32")
    return {"image": image, "ink": ink}


@question("02.q1", points=3,
          checks="model is a functional model with inputs image (64) and ink (1), and outputs "
                 "digit (10 probabilities) and centre (1 value), and each output depends on "
                 "both inputs")
def _q1(answers: Answers) -> None:
    model = _functional(answers, "model", "a functional keras.Model")
    _inputs_by_name(model, "model", {"image": 64, "ink": 1})
    probe = _probe_inputs()
    out = _outputs(model, "model", probe)
    if set(out) != {"digit", "centre"}:
        raise Fail(f"`model`'s outputs are named {sorted(out)}; 'digit' and 'centre' were asked "
                   "for.", "name the outputs with the keys of the dict you pass as `outputs=`.")
    digit = as_array(out["digit"], "model(...)['digit']")
    centre = as_array(out["centre"], "model(...)['centre']")
    if digit.shape != (6, 10):
        raise Fail(f"output 'digit' has shape {digit.shape} for 6 images; (6, 10) was expected.",
                   "one probability per digit: 10 units.")
    if np.any(digit < 0) or not np.allclose(digit.sum(axis=1), 1.0, atol=1e-4):
        raise Fail("output 'digit' is not probabilities (≥ 0, summing to 1 for each image).",
                   "which activation turns scores into probabilities?")
    if centre.shape != (6, 1):
        raise Fail(f"output 'centre' has shape {centre.shape} for 6 images; (6, 1) was expected.",
                   "the centre is one number per image: 1 unit.")
    changed_ink = {"image": probe["image"], "ink": probe["ink"] + 2.0}
    changed_image = {"image": probe["image"][::-1].copy(), "ink": probe["ink"]}
    for label, inputs in (("ink", changed_ink), ("image", changed_image)):
        other = _outputs(model, "model", inputs)
        for key in ("digit", "centre"):
            if np.allclose(as_array(other[key], key), as_array(out[key], key), atol=1e-7):
                raise Fail(f"output {key!r} does not change when the {label} input changes: the "
                           f"{label} does not reach it.",
                           "merge the two branches (for example with keras.layers.Concatenate) "
                           "before the two output layers.")


@question("02.q2", points=2,
          checks="pair_model has inputs left and right (64 each), one layer shared by both, and "
                 "outputs one probability per pair")
def _q2(answers: Answers) -> None:
    pair_model = _functional(answers, "pair_model", "a functional keras.Model")
    _inputs_by_name(pair_model, "pair_model", {"left": 64, "right": 64})
    calls: dict[int, list] = {}
    for layer, _, node in _graph_nodes(pair_model):
        if type(layer).__name__ != "InputLayer":
            calls.setdefault(id(layer), []).append(node)
    if not any(len(nodes) >= 2 for nodes in calls.values()):
        raise Fail("no layer of `pair_model` is called on both images: nothing is shared.",
                   "create the encoder layer once, then call that same object on `left` and on "
                   "`right`.")
    rng = np.random.default_rng(5)
    pairs = {"left": rng.uniform(0, 1, (4, 64)).astype("float32"),
             "right": rng.uniform(0, 1, (4, 64)).astype("float32")}
    out = pair_model(pairs, training=False)
    if isinstance(out, dict):
        if len(out) != 1:
            raise Fail("`pair_model` should have one output.", "end with a single Dense unit.")
        out = next(iter(out.values()))
    p = as_array(out, "pair_model(pairs)")
    if p.shape != (4, 1):
        raise Fail(f"`pair_model` gives shape {p.shape} for 4 pairs; (4, 1) was expected.",
                   "end with one unit: the probability that the two digits are the same.")
    if np.any(p < 0) or np.any(p > 1):
        raise Fail("`pair_model`'s output is not a probability between 0 and 1.",
                   "which activation squashes one number into (0, 1)?")


def _feature_scale_class(answers: Answers):
    import keras

    cls = answers["FeatureScale"]
    if not (isinstance(cls, type) and issubclass(cls, keras.layers.Layer)):
        raise Fail("`FeatureScale` should be a class that subclasses keras.layers.Layer.",
                   "write `class FeatureScale(keras.layers.Layer):`.")
    for base in ("Dense", "EinsumDense", "Normalization", "Rescaling"):
        if issubclass(cls, getattr(keras.layers, base)):
            raise Fail(f"`FeatureScale` subclasses keras.layers.{base}; write its weights and "
                       "computation yourself from keras.layers.Layer.")
    return cls


def _make(cls, *args, **kwargs):
    try:
        return cls(*args, **kwargs)
    except Exception as error:  # the student's __init__ failed
        raise Fail(f"creating {cls.__name__}({', '.join([*map(repr, args), *(f'{k}={v!r}' for k, v in kwargs.items())])}) "
                   f"raised {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}",
                   "look at your __init__: it takes the argument, stores it, and passes **kwargs "
                   "on to super().__init__.") from None


def _call(layer, x, what):
    try:
        return as_array(layer(x), what)
    except Fail:
        raise
    except Exception as error:
        raise Fail(f"calling {what} raised {type(error).__name__}: "
                   f"{str(error).splitlines()[0] if str(error) else ''}",
                   "try your layer on a small array in a cell of its own.") from None


@question("02.q3", points=3,
          checks="FeatureScale creates one scale and one offset per feature in build (sized by "
                 "the input), computes inputs * scale + offset, starts at initial_scale, and "
                 "get_config/from_config rebuild an equivalent layer")
def _q3(answers: Answers) -> None:
    cls = _feature_scale_class(answers)
    rng = np.random.default_rng(3)
    layer = _make(cls, initial_scale=2.5)
    if layer.weights:
        raise Fail("`FeatureScale` has weights before it has seen an input.",
                   "create the weights in `build(self, input_shape)`, not in `__init__`: only "
                   "build knows how many features the input has.")
    for n_features in (7, 3):
        layer = _make(cls, initial_scale=2.5)
        x = rng.normal(size=(5, n_features)).astype("float32")
        y = _call(layer, x, f"FeatureScale(initial_scale=2.5) on {n_features} features")
        shapes = sorted(tuple(w.shape) for w in layer.weights)
        if shapes != [(n_features,), (n_features,)]:
            raise Fail(f"on inputs with {n_features} features, the layer has weights of shapes "
                       f"{shapes}; one scale and one offset per feature, [({n_features},), "
                       f"({n_features},)], were expected.",
                       "size the weights with `input_shape[-1]` inside build.")
        if y.shape != x.shape:
            raise Fail(f"the layer turns inputs of shape {x.shape} into shape {y.shape}; it "
                       "should keep the shape.")
        if not np.allclose(y, 2.5 * x, atol=1e-5):
            raise Fail("a new FeatureScale(initial_scale=2.5) does not compute 2.5 × inputs.",
                       "initialise the scales to initial_scale (keras.initializers.Constant) "
                       "and the offsets to zeros.")
    # Set made-up weights: the output must follow them.
    scale = rng.uniform(0.5, 2.0, size=7).astype("float32")
    offset = rng.normal(size=7).astype("float32")
    layer = _make(cls, initial_scale=1.0)
    x = rng.normal(size=(4, 7)).astype("float32")
    _call(layer, x, "FeatureScale on 7 features")
    trainable = [w for w in layer.weights if w.trainable]
    if len(trainable) != 2:
        raise Fail("the scale and the offset should both be trainable weights.",
                   "create them with self.add_weight(...), which makes trainable weights.")
    by_init = {}
    for w in layer.weights:  # the scale starts at 1.0 here, the offset at 0.0
        by_init["scale" if np.allclose(as_array(w.numpy(), "w"), 1.0) else "offset"] = w
    if set(by_init) != {"scale", "offset"}:
        raise Fail("with initial_scale=1.0, expected one weight of ones (scale) and one of zeros "
                   "(offset).", "initialise the offset with zeros.")
    by_init["scale"].assign(scale)
    by_init["offset"].assign(offset)
    y = _call(layer, x, "FeatureScale on 7 features")
    if not np.allclose(y, x * scale + offset, atol=1e-5):
        raise Fail("with its weights set to other values, the layer does not compute "
                   "inputs * scale + offset.", "compute the output from the weights in `call`.")
    original = _make(cls, initial_scale=0.75)
    try:
        config = original.get_config()
        rebuilt = cls.from_config(config)
    except Exception as error:
        raise Fail(f"get_config/from_config failed: {type(error).__name__}: "
                   f"{str(error).splitlines()[0] if str(error) else ''}",
                   "start from `super().get_config()` and add your __init__ arguments.") from None
    if "initial_scale" not in config:
        raise Fail("`get_config()` does not return initial_scale.",
                   "add every argument of __init__ to the dict that super().get_config() returns.")
    y = _call(rebuilt, x[:, :3], "a FeatureScale made from the config")
    if not np.allclose(y, 0.75 * x[:, :3], atol=1e-5):
        raise Fail("a layer made from FeatureScale(initial_scale=0.75)'s config does not start "
                   "at scale 0.75.", "return initial_scale from get_config under that name.")


@question("02.q4", points=2,
          checks="DigitClassifier(width) subclasses keras.Model, applies FeatureScale, a hidden "
                 "layer of `width` units and 10 softmax outputs, and trains")
def _q4(answers: Answers) -> None:
    import keras

    scale_cls = _feature_scale_class(answers)
    cls = answers["DigitClassifier"]
    if not (isinstance(cls, type) and issubclass(cls, keras.Model)):
        raise Fail("`DigitClassifier` should be a class that subclasses keras.Model.",
                   "write `class DigitClassifier(keras.Model):`.")
    if issubclass(cls, keras.Sequential) or cls.call is keras.Model.call:
        raise Fail("`DigitClassifier` should write its own `call`.",
                   "create the layers in __init__ and apply them in `call(self, inputs)`.")
    rng = np.random.default_rng(4)
    images = rng.uniform(0, 1, size=(5, 64)).astype("float32")
    for width in (8, 20):
        model = _make(cls, width)
        out = _call(model, images, f"DigitClassifier({width})")
        if out.shape != (5, 10):
            raise Fail(f"DigitClassifier({width}) gives shape {out.shape} for 5 images; (5, 10) "
                       "was expected.", "end with 10 units.")
        if np.any(out < 0) or not np.allclose(out.sum(axis=1), 1.0, atol=1e-4):
            raise Fail("DigitClassifier's outputs are not probabilities.",
                       "which activation turns scores into probabilities?")
        expected = 2 * 64 + (64 * width + width) + (width * 10 + 10)
        if model.count_params() != expected:
            raise Fail(f"DigitClassifier({width}) has {model.count_params()} parameters; "
                       f"FeatureScale on 64 pixels, a hidden layer of {width} units and 10 outputs "
                       f"have {expected}.", "use `width` for the hidden layer, and apply your "
                       "FeatureScale to the pixels first.")
        if not any(isinstance(layer, scale_cls) for layer in model._flatten_layers()):
            raise Fail("DigitClassifier does not use your FeatureScale layer.",
                       "create a FeatureScale() in __init__ and apply it first in call.")
    digits = _digits()
    model = _make(cls, 16)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    x, y = digits.train.x[:400], digits.train.y[:400]
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    losses = history.history["loss"]
    if not losses[-1] < losses[0]:
        raise Fail("a fresh DigitClassifier(16) did not learn: its loss did not fall in 3 epochs.",
                   "check that call applies every layer in order to its input.")


@question("02.q5", points=3,
          checks="model was compiled with a loss per output, accuracy on digit and mae on centre, "
                 f"loss weights 1.0 (digit) and {_CENTRE_WEIGHT} (centre), was trained, and "
                 "predicts both outputs better than a guess")
def _q5(answers: Answers) -> None:
    import keras

    model = _functional(answers, "model", "a functional keras.Model")
    history = history_of(answers, model)
    logs = history.history
    for key, hint in (("digit_loss", "give `loss=` a dict with one loss per output name."),
                      ("centre_loss", "give `loss=` a dict with one loss per output name."),
                      ("digit_accuracy", "give `metrics=` a dict: {'digit': [...], 'centre': [...]}."),
                      ("centre_mae", "give `metrics=` a dict: {'digit': [...], 'centre': [...]}.")):
        if key not in logs:
            raise Fail(f"the history has no {key!r} (it has {sorted(logs)}).", hint)
    if "val_loss" not in logs:
        raise Fail("the model was trained without validation data.",
                   "pass `validation_data=(x_val, y_val)` to fit.")
    if not logs["loss"][-1] < logs["loss"][0]:
        raise Fail("the total loss did not go down during training.",
                   "check the losses: integer labels for digit, a number for centre.")
    x_test, y_test = _two_headed_data(_digits().test)
    n = len(y_test["digit"])
    try:  # one batch: the total loss is then exactly the weighted sum of the output losses
        result = model.evaluate(x_test, y_test, batch_size=n, verbose=0, return_dict=True)
    except Exception as error:
        raise Fail(f"model.evaluate on the test split raised {type(error).__name__}: "
                   f"{str(error).splitlines()[0] if str(error) else ''}",
                   "compile the model with losses named after its outputs.") from None
    total = as_number(result["loss"], "loss")
    digit_loss = as_number(result["digit_loss"], "digit_loss")
    centre_loss = as_number(result["centre_loss"], "centre_loss")
    if not np.isclose(total, digit_loss + _CENTRE_WEIGHT * centre_loss, rtol=1e-3, atol=1e-5):
        raise Fail(f"the total loss ({total:.4f}) is not 1.0 × digit loss + {_CENTRE_WEIGHT} × "
                   f"centre loss ({digit_loss:.4f} + {_CENTRE_WEIGHT} × {centre_loss:.4f}).",
                   "set the loss weights with `loss_weights=` in compile.")
    predictions = model.predict(x_test, batch_size=n, verbose=0)
    digit = as_array(predictions["digit"], "predicted digit").argmax(axis=1)
    accuracy = float(np.mean(digit == y_test["digit"]))
    if accuracy < _MIN_DIGIT_ACCURACY:
        raise Fail(f"`model` reads {accuracy:.1%} of the test digits correctly; at least "
                   f"{_MIN_DIGIT_ACCURACY:.0%} was asked for.", "train for more epochs.")
    centre = as_array(predictions["centre"], "predicted centre")
    mae = float(np.mean(np.abs(centre - y_test["centre"])))
    if mae > _MAX_CENTRE_MAE:
        raise Fail(f"`model`'s centre is off by {mae:.2f} rows on average on the test split; at "
                   f"most {_MAX_CENTRE_MAE} was asked for (guessing the mean is off by about "
                   "0.33).", "train for more epochs, and check the centre's loss: a regression "
                   "loss such as mean squared error.")
