"""Checks for exercise 02 (functional and subclassed models).

Each check tries the student's model or class on inputs of its own and judges what it does:
outputs are read by name whether the model returns a dict or a list of named outputs, a
shared layer must hold the weights that describe each image, a custom layer may store its
weights in any shape that holds one value per feature, and the trained model is measured
with Keras's own `evaluate` (so any spelling of a metric, and any regulariser, is fine).
"""
from __future__ import annotations

import numpy as np

from . import Answers, Fail, first_line, question
from .expect import as_array, as_number, history_of, is_instance

_CENTRE_WEIGHT = 0.25  # the loss weight 02.q5 asks for on the `centre` output
_MIN_DIGIT_ACCURACY = 0.80
_MAX_CENTRE_MAE = 0.30  # rows; always guessing the mean centre is off by about 0.33

_NAME_INPUTS = ("name each input: with `keras.Input(..., name=...)`, or as the keys of a dict "
                "passed as `inputs=`.")
_NAME_OUTPUTS = ("name each output: as the keys of a dict passed as `outputs=`, or with `name=` "
                 "on the layer that computes it.")


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


def _named_inputs(model) -> dict:
    """The model's input tensors by the name a dict of data must use: the keys of a dict of
    inputs, or the names of the `keras.Input` tensors of a list."""
    struct = model.input
    if isinstance(struct, dict):
        return dict(struct)
    tensors = struct if isinstance(struct, (list, tuple)) else [struct]
    return {t.name: t for t in tensors}


def _inputs_by_name(model, name, wanted: dict[str, int]) -> dict:
    got = _named_inputs(model)
    if set(got) != set(wanted):
        raise Fail(f"`{name}` has inputs named {sorted(got)}; {sorted(wanted)} were asked for.",
                   _NAME_INPUTS)
    for key, size in wanted.items():
        shape = tuple(got[key].shape)
        if shape != (None, size):
            raise Fail(f"input {key!r} of `{name}` has shape {shape}; (None, {size}) was "
                       "expected.", "look at the shape you gave that keras.Input.")
    return got


def _by_name(model, out) -> dict:
    """A model's outputs keyed by output name, whether it returns a dict, a list or a tensor."""
    if isinstance(out, dict):
        return dict(out)
    names = list(model.output_names)
    if isinstance(out, (list, tuple)):
        return dict(zip(names, out))
    return {names[0] if names else "output": out}


def _run(model, name, inputs) -> dict:
    try:
        out = model(inputs, training=False)
    except Exception as error:
        raise Fail(f"calling `{name}` on a dict of inputs raised {type(error).__name__}: "
                   f"{first_line(error)}", _NAME_INPUTS) from None
    return _by_name(model, out)


def _probe_grid(n=16, seed=2):
    """Images and inks to combine: pixels as given, reversed, negative and large, and more
    ink, negative ink and none, so that a ReLU off for one probe is on for another."""
    rng = np.random.default_rng(seed)
    image = rng.uniform(0, 1, size=(n, 64)).astype("float32")
    ink = rng.uniform(0.1, 0.5, size=(n, 1)).astype("float32")
    images = [image, image[::-1].copy(), -4.0 * image, 4.0 * image]
    inks = [ink, ink + 2.0, -3.0 - ink, np.zeros_like(ink)]
    return images, inks


def _outputs_grid(model, images, inks) -> list[list[dict]]:
    """``grid[i][j]``: the outputs (by name, as arrays) for images[i] with inks[j]."""
    return [[{k: as_array(v, f"model(...)[{k!r}]")
              for k, v in _run(model, "model", {"image": im, "ink": nk}).items()}
             for nk in inks] for im in images]


def _depends(grid, key: str, on: str) -> bool:
    """Whether output ``key`` changes when only the ``on`` input ("image" or "ink") changes."""
    rows, cols = len(grid), len(grid[0])
    pairs = ([((i, j), (i, 0)) for i in range(rows) for j in range(1, cols)] if on == "ink" else
             [((i, j), (0, j)) for i in range(1, rows) for j in range(cols)])
    return any(not np.allclose(grid[a][b][key], grid[c][d][key], rtol=0, atol=1e-7)
               for (a, b), (c, d) in pairs)


def _centre_range(model, images, inks) -> float:
    """The largest |centre| on the probes with every trainable weight made 10 times larger,
    then −10 times: an output that a sigmoid or tanh squashes stays within 1, any other grows
    (the sign flip wakes up ReLUs that the first factor left off)."""
    saved = [w.numpy() for w in model.trainable_weights]
    largest = 0.0
    try:
        for factor in (10.0, -10.0):
            for w, value in zip(model.trainable_weights, saved):
                w.assign(value * factor)
            grid = _outputs_grid(model, images, inks)
            largest = max(largest, *(float(np.max(np.abs(cell["centre"])))
                                     for row in grid for cell in row))
    finally:
        for w, value in zip(model.trainable_weights, saved):
            w.assign(value)
    return largest


@question("02.q1", points=3,
          defines=("model",),
          fixed="`model` is a functional keras.Model with inputs named image (shape (None, 64)) "
                "and ink (shape (None, 1)) and outputs named digit (10 probabilities) and centre "
                "(1 number, a height of 0 to 7 rows); names by dict keys or by the inputs' and "
                "output layers' name=; both outputs depend on both inputs; layers, sizes and "
                "where to merge are free.",
          verifies=("model is a functional keras.Model (not Sequential, not subclassed)",
                    "inputs named image and ink, of shapes (None, 64) and (None, 1)",
                    "outputs named digit and centre, returned as a dict or as a list of named "
                    "outputs",
                    "digit: shape (n, 10), probabilities (≥ 0, rows sum to 1)",
                    "centre: shape (n, 1), not squashed into [-1, 1] (a sigmoid or tanh fails)",
                    "each output changes when only the image changes and when only the ink "
                    "changes (probes of both signs and sizes, so a ReLU cannot hide it)"),
          checks="model is a functional model with inputs image (64) and ink (1), and outputs "
                 "digit (10 probabilities) and centre (1 value), and each output depends on "
                 "both inputs")
def _q1(answers: Answers) -> None:
    model = _functional(answers, "model", "a functional keras.Model")
    _inputs_by_name(model, "model", {"image": 64, "ink": 1})
    images, inks = _probe_grid()
    n = len(inks[0])
    out = _run(model, "model", {"image": images[0], "ink": inks[0]})
    if set(out) != {"digit", "centre"}:
        raise Fail(f"`model`'s outputs are named {sorted(out)}; 'digit' and 'centre' were asked "
                   "for.", _NAME_OUTPUTS)
    digit = as_array(out["digit"], "model(...)['digit']")
    centre = as_array(out["centre"], "model(...)['centre']")
    if digit.shape != (n, 10):
        raise Fail(f"output 'digit' has shape {digit.shape} for {n} images; ({n}, 10) was "
                   "expected.", "one probability per digit: 10 units.")
    if np.any(digit < 0) or not np.allclose(digit.sum(axis=1), 1.0, atol=1e-4):
        raise Fail("output 'digit' is not probabilities (≥ 0, summing to 1 for each image).",
                   "which activation turns scores into probabilities?")
    if centre.shape != (n, 1):
        raise Fail(f"output 'centre' has shape {centre.shape} for {n} images; ({n}, 1) was "
                   "expected.", "the centre is one number per image: 1 unit.")
    grid = _outputs_grid(model, images, inks)
    for key in ("digit", "centre"):
        for label in ("ink", "image"):
            if not _depends(grid, key, label):
                raise Fail(f"output {key!r} does not change when the {label} input changes: the "
                           f"{label} does not reach it.",
                           "merge the two branches (for example with keras.layers.Concatenate) "
                           "before the layers that compute the two outputs.")
    if _centre_range(model, images, inks) <= 1.5:
        raise Fail("output 'centre' stays between -1 and 1 whatever the inputs and weights: its "
                   "activation squashes it, so it can never say a height of 2 to 7 rows.",
                   "the centre is a number, not a probability: which activation leaves a Dense "
                   "layer's output as it is?")


# --- 02.q2: a shared layer ----------------------------------------------------------------


def _graph_nodes(model):
    """(layer, node index, node) for every call of a layer in ``model``'s own graph."""
    from ..plots import _layer_nodes

    return list(_layer_nodes(model))


def _has_weights(operation) -> bool:
    return bool(getattr(operation, "trainable_weights", None))


def _origins(model):
    """For each call of a layer in ``model``'s graph: (layer, the model inputs it reads, whether
    a layer with weights lies between those inputs and this call)."""
    memo: dict[int, tuple[frozenset, bool]] = {}

    def origin(tensor) -> tuple[frozenset, bool]:
        key = id(tensor)
        if key not in memo:
            history = getattr(tensor, "_keras_history", None)
            if history is None:
                memo[key] = (frozenset(), False)
            else:
                operation, index, _ = history
                node = operation._inbound_nodes[index]
                if not node.input_tensors:  # a keras.Input
                    memo[key] = (frozenset({key}), False)
                else:
                    sources, weighted = set(), _has_weights(operation)
                    for t in node.input_tensors:
                        s, w = origin(t)
                        sources |= s
                        weighted = weighted or w
                    memo[key] = (frozenset(sources), weighted)
        return memo[key]

    calls = []
    for layer, _, node in _graph_nodes(model):
        if not node.input_tensors:
            continue
        sources, before = set(), False
        for t in node.input_tensors:
            s, w = origin(t)
            sources |= s
            before = before or w
        calls.append((layer, frozenset(sources), before))
    return calls


def _shared_encoder(model, left, right) -> None:
    """Fail unless the first layer with weights that each image meets is one layer, called on
    each image on its own."""
    only_left, only_right = frozenset({id(left)}), frozenset({id(right)})
    calls = _origins(model)
    first = {side: {id(layer): layer for layer, sources, before in calls
                    if sources == side and not before and _has_weights(layer)}
             for side in (only_left, only_right)}
    if set(first[only_left]) & set(first[only_right]):
        return
    by_side: dict[int, set] = {}
    names = {}
    for layer, sources, _ in calls:
        if sources in (only_left, only_right):
            by_side.setdefault(id(layer), set()).add(sources)
            names[id(layer)] = layer
    shared = [names[k] for k, sides in by_side.items() if len(sides) == 2]
    weighted = [layer for layer in shared if _has_weights(layer)]
    if weighted:
        raise Fail(f"`pair_model` shares {weighted[0].name!r}, but before it each image goes "
                   "through its own layer with weights: the two images are described by "
                   "different weights.",
                   "let the first layer with weights that each image meets be the shared one: "
                   "create it once, call it on `left` and on `right`.")
    if shared:
        raise Fail(f"the layer called on both images, {shared[0].name!r} "
                   f"({type(shared[0]).__name__}), has no weights: the images are still "
                   "described by different weights.",
                   "share the encoder itself, the layer with weights (such as a Dense layer): "
                   "create it once and call it on `left` and on `right`.")
    together = any(sources == only_left | only_right and not before and _has_weights(layer)
                   for layer, sources, before in calls)
    if together:
        raise Fail("the images reach their first layer with weights together, in one call: "
                   "no layer describes each image on its own, so nothing is shared.",
                   "call the encoder twice: once on `left`, once on `right`, then compare the "
                   "two results.")
    raise Fail("no layer with weights of `pair_model` is called on both images: nothing is "
               "shared.",
               "create the encoder layer once, then call that same object on `left` and on "
               "`right`.")


def _one_output(pair_model, out, n):
    if isinstance(out, dict):
        out = list(out.values())
    if isinstance(out, (list, tuple)):
        if len(out) != 1:
            raise Fail(f"`pair_model` has {len(out)} outputs; one was asked for.",
                       "end with a single output: the probability that the digits are the same.")
        out = out[0]
    p = as_array(out, "pair_model(pairs)")
    if p.shape not in ((n, 1), (n,)):
        raise Fail(f"`pair_model` gives shape {p.shape} for {n} pairs; one probability per "
                   f"pair, ({n}, 1), was expected.",
                   "end with one unit: the probability that the two digits are the same.")
    return p.reshape(n)


@question("02.q2", points=2,
          defines=("pair_model",),
          fixed="`pair_model` is a functional model with inputs named left and right (64 each); "
                "the first layer with weights that each image meets is one layer object called "
                "on each image; one output, a probability per pair; the same probability when "
                "the two images are swapped; the encoder, which symmetric comparison (|a − b|, "
                "(a − b)², a · b, a cosine…) and the layers after it are free.",
          verifies=("pair_model is functional, with inputs left and right of shape (None, 64)",
                    "one output of shape (n, 1) with values in [0, 1], also on inputs far "
                    "outside the pixels' range (a bare score fails)",
                    "the output changes when the left image changes and when the right image "
                    "changes",
                    "the first layer with weights on each image's path is the same layer, "
                    "called separately on left and on right (a shared weightless layer, a "
                    "shared layer above two encoders, or one call on both images stuck "
                    "together fail)",
                    "swapping left and right leaves every probability unchanged (to 1e-5): a "
                    "shared encoder followed by Concatenate, or a - b without a symmetric "
                    "function, fails"),
          checks="pair_model has inputs left and right (64 each), one encoder layer with weights "
                 "shared by both images, and outputs one probability per pair that depends on "
                 "both and does not change when the two images are swapped")
def _q2(answers: Answers) -> None:
    pair_model = _functional(answers, "pair_model", "a functional keras.Model")
    inputs = _inputs_by_name(pair_model, "pair_model", {"left": 64, "right": 64})
    rng = np.random.default_rng(5)
    n = 48
    left = rng.uniform(0, 1, (n, 64)).astype("float32")
    right = rng.uniform(0, 1, (n, 64)).astype("float32")
    left[n // 2:] *= 20.0  # far outside the pixels' range: a bare score grows out of [0, 1]
    right[n // 2:] *= -20.0

    def predict(a, b):
        try:
            out = pair_model({"left": a, "right": b}, training=False)
        except Exception as error:
            raise Fail(f"calling `pair_model` on a dict of pairs raised {type(error).__name__}: "
                       f"{first_line(error)}", _NAME_INPUTS) from None
        return _one_output(pair_model, out, n)

    p = predict(left, right)
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise Fail("`pair_model`'s output is not a probability between 0 and 1 for every pair.",
                   "which activation squashes one number into (0, 1)?")
    other = rng.uniform(0, 1, (n, 64)).astype("float32")
    for side, moved in (("left", predict(other, right)), ("right", predict(left, other))):
        if np.allclose(moved, p, rtol=0, atol=1e-7):
            raise Fail(f"the output does not change when the {side} image changes: the {side} "
                       "image does not reach it.",
                       "call the encoder on `left` and on `right`, and compare the two results.")
    _shared_encoder(pair_model, inputs["left"], inputs["right"])
    swapped = predict(right, left)
    if not np.allclose(swapped, p, rtol=1e-4, atol=1e-5):
        worst = float(np.max(np.abs(swapped - p)))
        raise Fail(f"`pair_model` answers differently when the two images are swapped (by up to "
                   f"{worst:.3g}): the encoder is shared, but the comparison after it depends on "
                   "which image comes first.",
                   "compare the two descriptions with a function that ignores their order, such "
                   "as the absolute difference |a − b|; a Concatenate gives each side its own "
                   "weights in the next layer.")


# --- 02.q3: a layer of your own --------------------------------------------------------------


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
        arguments = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
        raise Fail(f"creating {cls.__name__}({arguments}) raised {type(error).__name__}: "
                   f"{first_line(error)}",
                   "look at your __init__: it takes the argument, stores it, and passes **kwargs "
                   "(such as name=) on to super().__init__.") from None


def _call(layer, x, what):
    try:
        return as_array(layer(x), what)
    except Fail:
        raise
    except Exception as error:
        raise Fail(f"calling {what} raised {type(error).__name__}: {first_line(error)}",
                   "try your layer on a small array in a cell of its own, with a few features "
                   "and then with another number of features.") from None


def _two_weights(layer, n_features):
    """The layer's (scale, offset) weights, after a first call on ``n_features`` features."""
    weights = list(layer.weights)
    trainable = list(layer.trainable_weights)
    if len(weights) != 2:
        raise Fail(f"on inputs with {n_features} features the layer has {len(weights)} weight(s) "
                   "that Keras tracks; two were expected: a scale and an offset.",
                   "create both in build with self.add_weight(...), and keep each on `self`.")
    if len(trainable) != 2:
        raise Fail("the scale and the offset should both be trainable weights: training "
                   "cannot change the others.",
                   "self.add_weight(...) makes trainable weights unless you ask otherwise.")
    sizes = [int(np.prod(w.shape)) for w in weights]
    if sizes != [n_features, n_features]:
        shapes = [tuple(w.shape) for w in weights]
        raise Fail(f"on inputs with {n_features} features, the layer has weights of shapes "
                   f"{shapes}; one scale and one offset per feature ({n_features} values each) "
                   "were expected.", "size the weights with `input_shape[-1]` inside build.")
    return weights


def _learns(cls, rng) -> None:
    """A model made of one FeatureScale learns a per-feature scale and offset with fit."""
    import keras

    scale = np.array([2.0, -1.0, 0.5, 3.0], dtype="float32")
    offset = np.array([1.0, 0.0, -1.0, 2.0], dtype="float32")
    x = rng.normal(size=(256, 4)).astype("float32")
    model = keras.Sequential([keras.Input(shape=(4,)), _make(cls, initial_scale=1.0)])
    try:
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
        losses = model.fit(x, x * scale + offset, epochs=5, batch_size=64, shuffle=False,
                           verbose=0).history["loss"]
    except Exception as error:
        raise Fail(f"training a model made of one FeatureScale raised {type(error).__name__}: "
                   f"{first_line(error)}",
                   "compute the output in `call` with operations on tensors (keras.ops or "
                   "* and +), not with NumPy or Python numbers taken from the weights.") from None
    if not losses[-1] < 0.05 * losses[0]:
        raise Fail(f"a model made of one FeatureScale did not learn a scale and an offset per "
                   f"feature (its loss went from {losses[0]:.3g} to {losses[-1]:.3g}).",
                   "compute the output from the weights in `call`, so that training can change "
                   "them.")


@question("02.q3", points=3,
          defines=("FeatureScale",),
          fixed="FeatureScale(initial_scale=1.0, activation=None, **kwargs) subclasses "
                "keras.layers.Layer; build creates two trainable weights, a scale and an offset, "
                "each with one value per feature of the input (shape (n,) or (1, n)); scales "
                "start at initial_scale, offsets at 0; call returns activation(inputs * scale + "
                "offset), activation given by name or as a function, None for none; the layer "
                "survives saving (its config as JSON and back), its name and activation "
                "included; how get_config stores the activation (a name, a serialized object) "
                "and whether from_config is written are free.",
          verifies=("FeatureScale subclasses keras.layers.Layer (not Dense or another ready-made "
                    "layer)",
                    "a new layer has no weights before its first call",
                    "on 7 and on 3 features: two trainable weights of one value per feature, "
                    "output of the input's shape, equal to initial_scale × inputs at first",
                    "with its weights set to other values, the output is inputs * scale + offset",
                    "a model made of the layer learns a scale and an offset per feature with fit",
                    "with activation=keras.activations.tanh it computes tanh(initial_scale × "
                    "inputs); get_config works (Keras cannot record a function by itself) and "
                    "holds initial_scale",
                    "its config saved as JSON and loaded back with keras.saving (as a .keras file "
                    "does) makes a layer with the same name, initial scale and activation"),
          checks="FeatureScale creates one scale and one offset per feature in build (sized by "
                 "the input), computes activation(inputs * scale + offset), starts at "
                 "initial_scale, learns, and its config, saved and loaded back, rebuilds the same "
                 "layer, a function activation included")
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
        _two_weights(layer, n_features)
        if y.shape != x.shape:
            raise Fail(f"the layer turns inputs of shape {x.shape} into shape {y.shape}; it "
                       "should keep the shape.")
        if not np.allclose(y, 2.5 * x, atol=1e-5):
            raise Fail("a new FeatureScale(initial_scale=2.5) does not compute 2.5 × inputs.",
                       "initialise the scales to initial_scale (keras.initializers.Constant) "
                       "and the offsets to zeros.")
    # Set made-up weights: the output must follow them.
    n_features = 7
    scale = rng.uniform(0.5, 2.0, size=n_features).astype("float32")
    offset = rng.normal(size=n_features).astype("float32")
    layer = _make(cls, initial_scale=1.5)
    x = rng.normal(size=(4, n_features)).astype("float32")
    _call(layer, x, f"FeatureScale on {n_features} features")
    by_start = {}
    for w in _two_weights(layer, n_features):  # the scale starts at 1.5 here, the offset at 0
        start = as_array(w.numpy(), "weight")
        by_start["scale" if np.allclose(start, 1.5) else
                 "offset" if np.allclose(start, 0.0) else "other"] = w
    if set(by_start) != {"scale", "offset"}:
        raise Fail("with initial_scale=1.5, one weight should start at 1.5 everywhere (the "
                   "scale) and one at 0 (the offset).",
                   "initialise the offset with zeros and the scale with initial_scale.")
    by_start["scale"].assign(scale.reshape(tuple(by_start["scale"].shape)))
    by_start["offset"].assign(offset.reshape(tuple(by_start["offset"].shape)))
    y = _call(layer, x, f"FeatureScale on {n_features} features")
    if not np.allclose(y, x * scale + offset, atol=1e-5):
        raise Fail("with its weights set to other values, the layer does not compute "
                   "inputs * scale + offset.", "compute the output from the weights in `call`.")
    _learns(cls, rng)
    _round_trip(cls, x[:, :3])


def _round_trip(cls, x) -> None:
    """FeatureScale(initial_scale=0.75, activation=tanh, name=...) computes tanh(0.75 x), and
    survives what saving a model does to it: its config written as JSON, read back, and turned
    into a layer again (keras.saving's serialize/deserialize, as in a .keras file)."""
    import json

    import keras

    try:
        original = cls(initial_scale=0.75, activation=keras.activations.tanh, name="probe_scale")
    except Exception as error:
        raise Fail("creating FeatureScale(initial_scale=0.75, activation=keras.activations.tanh, "
                   f"name='probe_scale') raised {type(error).__name__}: {first_line(error)}",
                   "let __init__ take `activation=None` (keras.activations.get turns a name or a "
                   "function into the function) and pass **kwargs, such as name=, on to "
                   "super().__init__.") from None
    if original.name != "probe_scale":
        raise Fail(f"FeatureScale(initial_scale=0.75, name='probe_scale') is named "
                   f"{original.name!r}: __init__ does not pass the name on.",
                   "pass **kwargs on to super().__init__(**kwargs).")
    expected = np.tanh(0.75 * x)
    y = _call(original, x, "FeatureScale(initial_scale=0.75, activation=keras.activations.tanh)")
    if not np.allclose(y, expected, atol=1e-5):
        raise Fail("a new FeatureScale(initial_scale=0.75, activation=keras.activations.tanh) "
                   "does not compute tanh(0.75 × inputs): it does not apply its activation.",
                   "apply the activation to inputs * scale + offset in `call`, as SimpleDense "
                   "does.")
    try:
        config = original.get_config()
    except NotImplementedError:
        raise Fail("get_config raised NotImplementedError for a FeatureScale made with "
                   "activation=keras.activations.tanh: Keras records plain arguments (numbers, "
                   "strings) by itself, but not a function, so FeatureScale needs a get_config "
                   "of its own.",
                   "write get_config: start from super().get_config() and add initial_scale and "
                   "the activation (keras.activations.serialize gives its name).") from None
    except Exception as error:
        raise Fail(f"get_config raised {type(error).__name__}: {first_line(error)}",
                   "start from `super().get_config()` and add your __init__ arguments.") from None
    if not isinstance(config, dict) or "initial_scale" not in config:
        raise Fail("`get_config()` does not return initial_scale.",
                   "add every argument of __init__ to the dict that super().get_config() returns.")
    try:  # what saving a model to a .keras file, then loading it, does to the layer
        text = json.dumps(keras.saving.serialize_keras_object(original))
    except Exception as error:
        raise Fail(f"the layer's config cannot be saved as a .keras file saves it (JSON): "
                   f"{type(error).__name__}: {first_line(error)}",
                   "return only numbers, strings and configs from get_config: "
                   "keras.activations.serialize turns the activation into its name.") from None
    try:
        rebuilt = keras.saving.deserialize_keras_object(
            json.loads(text), custom_objects={cls.__name__: cls})
    except Exception as error:
        raise Fail(f"making the layer again from its saved config raised {type(error).__name__}: "
                   f"{first_line(error)}",
                   "__init__ must accept every key get_config returns: keras.activations.get "
                   "turns the activation's name back into the function.") from None
    if getattr(rebuilt, "name", None) != "probe_scale":
        raise Fail(f"a layer made from the config of FeatureScale(name='probe_scale') is named "
                   f"{getattr(rebuilt, 'name', None)!r}: its config lost the layer's name.",
                   "start from the dict that `super().get_config()` returns, and add "
                   "initial_scale to it.")
    y = _call(rebuilt, x, "a FeatureScale made from the saved config")
    if np.allclose(y, 0.75 * x, atol=1e-5):
        raise Fail("a layer made from the saved config of FeatureScale(initial_scale=0.75, "
                   "activation=keras.activations.tanh) applies no activation: its config lost "
                   "the activation.", "return the activation from get_config too "
                   "(keras.activations.serialize gives its name).")
    if not np.allclose(y, expected, atol=1e-5):
        raise Fail("a layer made from the saved config of FeatureScale(initial_scale=0.75, "
                   "activation=keras.activations.tanh) does not compute tanh(0.75 × inputs): "
                   "its config lost initial_scale or the activation.",
                   "return initial_scale and the activation from get_config, under the names "
                   "__init__ takes.")


# --- 02.q4: a model of your own --------------------------------------------------------------


def _log_ratios(model, x, width):
    """log p_k − log p_0 for each image: the output layer's scores, up to a constant per row."""
    p = _call(model, x, f"DigitClassifier({width})")
    logs = np.log(np.clip(p, 1e-30, None))
    return logs - logs[:, :1]


def _hidden_is_relu(cls, width, rng) -> None:
    """A fresh model (biases and offsets at 0) with ReLU hidden units is positively
    homogeneous, g(2x) = 2 g(x), and not linear, g(x) + g(−x) ≠ 0."""
    model = _make(cls, width)
    x = rng.uniform(-1, 1, size=(32, 64)).astype("float32")
    g, g2, g_minus = (_log_ratios(model, v, width) for v in (x, 2 * x, -x))
    size = float(np.max(np.abs(g))) + 1e-12
    if float(np.max(np.abs(g + g_minus))) < 1e-4 * size:
        raise Fail(f"DigitClassifier({width}) is linear up to its softmax: its hidden layer "
                   "applies no activation, so it is no better than no hidden layer.",
                   "give the hidden Dense layer the ReLU activation the question asks for.")
    if float(np.max(np.abs(g2 - 2 * g))) > 1e-2 * size:
        raise Fail(f"the hidden units of DigitClassifier({width}) are not ReLU units: doubling "
                   "an input does not double the scores, as it does with ReLU, no bias, and "
                   "FeatureScale's offsets at 0 in a new model.",
                   "use the ReLU activation on the hidden layer, and apply the layers in the "
                   "order the question gives.")


@question("02.q4", points=2,
          defines=("DigitClassifier",),
          fixed="DigitClassifier(width) subclasses keras.Model and applies in call, in this "
                "order, a FeatureScale (02.q3) to the 64 pixels, a Dense layer of `width` ReLU "
                "units and a Dense layer of 10 softmax outputs, nothing else; attribute names, "
                "how activations are applied and the FeatureScale's initial scale are free.",
          verifies=("DigitClassifier subclasses keras.Model and writes its own call",
                    "for widths 8 and 20: outputs of shape (n, 10) that are probabilities",
                    "64·2 + (64·width + width) + (width·10 + 10) parameters, and a FeatureScale "
                    "among its layers",
                    "the hidden units are ReLU: a new model's scores are not linear in the "
                    "input, and double when the input doubles",
                    "a new DigitClassifier(16) lowers its loss in 3 epochs of fit"),
          checks="DigitClassifier(width) subclasses keras.Model, applies FeatureScale, a hidden "
                 "layer of `width` ReLU units and 10 softmax outputs, and trains")
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
    _hidden_is_relu(cls, 12, rng)
    digits = _digits()
    model = _make(cls, 16)
    x, y = digits.train.x[:400], digits.train.y[:400]
    try:  # a few large batches: what counts is that fit can run call and the loss falls
        model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
        losses = model.fit(x, y, epochs=3, batch_size=100, verbose=0).history["loss"]
    except Exception as error:
        raise Fail(f"training a new DigitClassifier(16) with fit raised {type(error).__name__}: "
                   f"{first_line(error)}",
                   "write `call` with layers and keras.ops, so that fit can run it.") from None
    if not losses[-1] < losses[0]:
        raise Fail("a fresh DigitClassifier(16) did not learn: its loss did not fall in 3 epochs.",
                   "check that call applies every layer in order to its input.")


# --- 02.q5: train with a loss per output ---------------------------------------------------


def _evaluate(model, x, y, what):
    n = len(y["digit"])
    try:  # one batch: the total loss is then exactly the weighted sum of the output losses
        return model.evaluate(x, y, batch_size=n, verbose=0, return_dict=True)
    except Exception as error:
        raise Fail(f"model.evaluate on {what} raised {type(error).__name__}: "
                   f"{first_line(error)}",
                   "compile `model` with a loss per output name, and train it on the data as "
                   "given (integer labels for digit).") from None


def _metric_close(result: dict, output: str, value: float) -> bool:
    return any(np.isclose(as_number(v, k), value, rtol=1e-3, atol=1e-4)
               for k, v in result.items() if k.startswith(output + "_") and k != output + "_loss")


@question("02.q5", points=3,
          defines=("history",),
          fixed="`model` (02.q1) compiled with a loss per output, accuracy as the metric of digit "
                "and the mean absolute error as the metric of centre (any spelling), loss weights "
                "1.0 (digit) and 0.25 (centre), trained on x_train, y_train as given with "
                "validation_data=(x_val, y_val); `history` is what fit returned; 80% test "
                "accuracy and a centre within 0.30 rows; optimizer, epochs, batch size, callbacks "
                "and regularisers are free.",
          verifies=("history is what model.fit returned, for `model` itself",
                    "on the test split in one batch: total loss − model.losses (regularisers) "
                    "= 1.0 × digit loss + 0.25 × centre loss",
                    "the digit loss is the cross-entropy of the predicted probabilities",
                    "some digit metric equals the accuracy and some centre metric equals the mean "
                    "absolute error, whatever their names",
                    "val_loss in the history matches the model's loss on x_val, y_val at one of "
                    "the epochs (not the training data, not validation_split)",
                    "the training loss fell",
                    f"test accuracy ≥ {_MIN_DIGIT_ACCURACY:.0%} and centre MAE ≤ "
                    f"{_MAX_CENTRE_MAE} rows"),
          checks="model was compiled with a loss per output, accuracy on digit and mae on centre, "
                 f"loss weights 1.0 (digit) and {_CENTRE_WEIGHT} (centre), was trained with the "
                 "validation data, and predicts both outputs better than a guess")
def _q5(answers: Answers) -> None:
    model = _functional(answers, "model", "a functional keras.Model")
    history = history_of(answers, model)
    logs = history.history
    digits = _digits()
    x_test, y_test = _two_headed_data(digits.test)
    n = len(y_test["digit"])
    result = _evaluate(model, x_test, y_test, "the test split")
    for key in ("loss", "digit_loss", "centre_loss"):
        if key not in result:
            raise Fail(f"evaluating `model` gives no {key!r} (it gives {sorted(result)}).",
                       "give `loss=` a dict with one loss per output name, and outputs named "
                       "'digit' and 'centre' (02.q1).")
    total = as_number(result["loss"], "loss")
    digit_loss = as_number(result["digit_loss"], "digit_loss")
    centre_loss = as_number(result["centre_loss"], "centre_loss")
    penalties = sum(as_number(loss, "model.losses") for loss in model.losses)
    weighted = digit_loss + _CENTRE_WEIGHT * centre_loss
    if not np.isclose(total - penalties, weighted, rtol=1e-3, atol=1e-5):
        extra = f" (after taking away {penalties:.4f} of regularisation)" if penalties else ""
        raise Fail(f"the total loss{extra}, {total - penalties:.4f}, is not 1.0 × digit loss + "
                   f"{_CENTRE_WEIGHT} × centre loss ({digit_loss:.4f} + {_CENTRE_WEIGHT} × "
                   f"{centre_loss:.4f} = {weighted:.4f}).",
                   "set the loss weights with `loss_weights=` in compile, by output name with a "
                   "dict (a list follows the order of `model.output_names`).")
    try:  # one call in inference mode, as predict would make, without tracing a function
        predictions = _by_name(model, model(x_test, training=False))
    except Exception as error:
        raise Fail(f"calling `model` on the test split raised {type(error).__name__}: "
                   f"{first_line(error)}", "run model.predict on x_val in a cell of your own.") \
            from None
    probabilities = as_array(predictions["digit"], "predicted digit")
    centre = as_array(predictions["centre"], "predicted centre")
    labels = np.asarray(y_test["digit"]).astype(int)
    p = probabilities / probabilities.sum(axis=1, keepdims=True)
    cross_entropy = float(np.mean(-np.log(np.clip(p[np.arange(n), labels], 1e-7, 1.0))))
    if not np.isclose(digit_loss, cross_entropy, rtol=2e-3, atol=1e-4):
        raise Fail(f"the loss of 'digit' ({digit_loss:.4f} on the test split) is not the "
                   f"cross-entropy of the predicted probabilities ({cross_entropy:.4f}).",
                   "the digit output gives probabilities and the labels are integers 0–9: "
                   "which loss of lesson 02 fits that, with its default arguments?")
    accuracy = float(np.mean(probabilities.argmax(axis=1) == labels))
    mae = float(np.mean(np.abs(centre.reshape(n) - y_test["centre"].reshape(n))))
    if not _metric_close(result, "digit", accuracy):
        raise Fail(f"no metric of 'digit' is its accuracy ({accuracy:.4f} on the test split; the "
                   f"model reports {sorted(k for k in result if k.startswith('digit_'))}).",
                   "give `metrics=` a dict keyed by output name, with accuracy for 'digit'.")
    if not _metric_close(result, "centre", mae):
        raise Fail(f"no metric of 'centre' is its mean absolute error ({mae:.4f} rows on the test "
                   f"split; the model reports "
                   f"{sorted(k for k in result if k.startswith('centre_'))}).",
                   "give `metrics=` a dict keyed by output name, with the mean absolute error "
                   "(\"mae\") for 'centre'.")
    if "val_loss" not in logs:
        raise Fail("the model was trained without validation data: the history has no "
                   "'val_loss'.", "pass `validation_data=(x_val, y_val)` to fit.")
    x_val, y_val = _two_headed_data(digits.validation)
    val_now = as_number(_evaluate(model, x_val, y_val, "the validation split")["loss"], "loss")
    if not any(np.isclose(v, val_now, rtol=1e-3, atol=1e-5) for v in logs["val_loss"]):
        raise Fail(f"the history's 'val_loss' (last {logs['val_loss'][-1]:.4f}) was not measured "
                   f"on the validation split: `model` has a loss of {val_now:.4f} there.",
                   "pass `validation_data=(x_val, y_val)` to fit (not the training data, not "
                   "validation_split), and keep what that last call to fit returns.")
    if len(logs["loss"]) > 1 and not logs["loss"][-1] < logs["loss"][0]:
        raise Fail("the total loss did not go down during training.",
                   "check the losses: integer labels for digit, a number for centre.")
    if accuracy < _MIN_DIGIT_ACCURACY:
        raise Fail(f"`model` reads {accuracy:.1%} of the test digits correctly; at least "
                   f"{_MIN_DIGIT_ACCURACY:.0%} was asked for.", "train for more epochs.")
    if mae > _MAX_CENTRE_MAE:
        raise Fail(f"`model`'s centre is off by {mae:.2f} rows on average on the test split; at "
                   f"most {_MAX_CENTRE_MAE} was asked for (guessing the mean is off by about "
                   "0.33).", "train for more epochs, and check the centre's loss: a regression "
                   "loss such as mean squared error.")
