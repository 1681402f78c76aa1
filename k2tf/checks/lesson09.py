"""Checks for exercise 09 (debugging).

Checks run the student's code on programs, data and folders of their own: buggy programs
whose first bad op the check knows because it chose the inputs, and a fresh model to train.
"""
from __future__ import annotations

import numpy as np

from . import Answers, Fail, question
from .expect import as_number


def _placeholder(error: BaseException) -> bool:
    """Whether ``error`` is an exercise's placeholder (looked up now: the grader swaps it in)."""
    from . import NotAnswered

    return isinstance(error, NotAnswered)


def _raises(function, *args) -> BaseException | None:
    try:
        function(*args)
    except Exception as error:  # noqa: BLE001  (any error counts as "stopped")
        if _placeholder(error):
            raise
        return error
    return None


def _mse_value(what: str, function, y_true, y_pred) -> None:
    try:
        got = function(y_true, y_pred)
    except Exception as error:  # noqa: BLE001
        if _placeholder(error):
            raise
        text = str(error).strip().splitlines()
        raise Fail(f"{what}, checked_mse raised {type(error).__name__}: "
                   f"{text[0] if text else '(no message)'}",
                   "two float32 vectors of the same length are a valid input: compute the "
                   "mean squared error after the assertions.") from None
    got = as_number(got, "checked_mse(y_true, y_pred)")
    expected = float(np.mean((np.asarray(y_true, np.float64) - np.asarray(y_pred, np.float64))
                             ** 2))
    if abs(got - expected) > 1e-5 * max(1.0, expected):
        raise Fail(f"{what}, checked_mse does not return the mean squared error of the two "
                   "vectors.", "average the squared differences.")


@question("09.q1", points=2,
          checks="checked_mse returns the mean squared error of two float32 vectors of the same "
                 "length and raises on a (n, 1) prediction or target, vectors of different "
                 "lengths, or a float64 prediction, also inside a tf.function",
          defines=("checked_mse",),
          fixed="checked_mse(y_true, y_pred) returns the mean squared error; it raises unless "
                "both have shape (N,) with the same N and y_pred is float32, also when called "
                "inside a tf.function whose signature leaves N unknown",
          verifies=("the mean squared error of two float32 vectors (two lengths)",
                    "an error for a (7, 1) prediction, a (7, 1) target, both (7, 1)",
                    "an error for a prediction or target of length 1 beside 7 (would broadcast)",
                    "an error for a float64 prediction, with a float32 or a float64 target",
                    "inside a tf.function with signature [None], [None]: the value for equal "
                    "lengths, an error for lengths 7 and 1"))
def _q1(answers: Answers) -> None:
    import tensorflow as tf

    function = answers["checked_mse"]
    if not callable(function):
        raise Fail("`checked_mse` should be a function.")
    rng = np.random.default_rng(91)
    y_true = rng.normal(size=7).astype("float32")
    y_pred = rng.normal(size=7).astype("float32")
    for n in (7, 3):
        _mse_value(f"on two float32 vectors of length {n}", function,
                   tf.constant(y_true[:n]), tf.constant(y_pred[:n]))
    t, p = tf.constant(y_true), tf.constant(y_pred)
    cases = [
        ("a prediction of shape (7, 1)", t, tf.constant(y_pred[:, None]),
         "both must have shape (N,)"),
        ("a target of shape (7, 1)", tf.constant(y_true[:, None]), p,
         "the target, too, must have shape (N,)"),
        ("a target and a prediction both of shape (7, 1)", tf.constant(y_true[:, None]),
         tf.constant(y_pred[:, None]), "both must be vectors, not just of one shape"),
        ("a prediction of length 1 beside a target of length 7", t, tf.constant(y_pred[:1]),
         "both must have the same length N"),
        ("a target of length 1 beside a prediction of length 7", tf.constant(y_true[:1]), p,
         "both must have the same length N"),
        ("a float64 prediction", t, tf.constant(y_pred, dtype=tf.float64),
         "y_pred must be float32"),
        ("a float64 prediction and a float64 target", tf.constant(y_true, dtype=tf.float64),
         tf.constant(y_pred, dtype=tf.float64), "y_pred must be float32, whatever y_true is"),
    ]
    for what, a, b, why in cases:
        if _raises(function, a, b) is None:
            raise Fail(f"checked_mse accepted {what} without raising an error ({why}).",
                       "state what you expect with tf.debugging assertions before computing.")
    vectors = tf.TensorSpec([None], tf.float32)
    graph = tf.function(function, input_signature=[vectors, vectors], jit_compile=False)
    _mse_value("inside a tf.function whose signature leaves the length unknown",
               graph, t, p)
    if _raises(graph, t, tf.constant(y_pred[:1])) is None:
        raise Fail("inside a tf.function whose signature leaves the length unknown, checked_mse "
                   "accepted a prediction of length 1 beside a target of length 7.",
                   "a Python test of `.shape` sees only unknown lengths while tracing; a "
                   "tf.debugging assertion becomes an op that checks the values when the "
                   "graph runs.")


def _dump_program(dump_root: str, start: float) -> None:
    """Run a small buggy tf.function under Debugger V2: first on a good input, then on ``start``."""
    import tensorflow as tf

    tf.debugging.experimental.disable_dump_debug_info()  # in case the notebook left it on
    writer = tf.debugging.experimental.enable_dump_debug_info(
        dump_root, tensor_debug_mode="FULL_HEALTH", circular_buffer_size=-1)
    try:
        @tf.function(jit_compile=False)  # a new function: traced, so instrumented, after enabling
        def chain(x):
            # named ops: an op's name differs from its type, so a swapped pair shows
            u = tf.math.log(x, name="logarithm")      # x = 0: -inf
            v = tf.sqrt(u, name="root")               # 0 < x < 1: NaN
            w = tf.math.divide(1.0, v, name="inverse")  # x = 1: +inf
            return tf.reduce_sum(w * 2.0 + 1.0)

        chain(tf.constant([4.0, 3.0, 2.0]))  # every value finite
        chain(tf.constant([3.0, start, 2.0]))
        writer.FlushNonExecutionFiles()
        writer.FlushExecutionFiles()
    finally:
        tf.debugging.experimental.disable_dump_debug_info()


@question("09.q2", points=3,
          checks="first_nonfinite_op reads a Debugger V2 dump and returns the type and name of the "
                 "first op in graph execution that produced an infinity or a NaN",
          defines=("first_nonfinite_op",),
          fixed="first_nonfinite_op(dump_root) returns (op_type, op_name) of the first graph "
                "execution trace of a FULL_HEALTH dump whose output holds -inf, +inf or NaN",
          verifies=("a pair of two strings (op type, op name) is returned",
                    "each of three dumps, where the first bad op is a -inf (Log), a NaN (Sqrt) "
                    "or a +inf (RealDiv), gives that op: every case is probed, in a fixed order; "
                    "the ops are named unlike their types, so a swapped pair fails",
                    "a good run of the same function before the bad one does not count"))
def _q2(answers: Answers) -> None:
    from ..logs import temporary_log_root

    # (input that goes bad, the op where it first goes bad, what it outputs): each op is first
    # once, and each kind of non-finite value (NaN, +inf, -inf) starts the trouble once; all
    # three are tried, always in this order
    scenarios = [(0.5, ("Sqrt", "root"), "a NaN"), (1.0, ("RealDiv", "inverse"), "+inf"),
                 (0.0, ("Log", "logarithm"), "-inf")]
    for start, expected, kind in scenarios:
        dump_root = temporary_log_root("k2tf-check-09q2-")
        _dump_program(str(dump_root), start)
        got = answers.call("first_nonfinite_op", str(dump_root))
        hint = ("call reader.update(), go through reader.graph_execution_traces() in order and "
                "look at the -inf, +inf and NaN counts of each debug_tensor_value.")
        if got is None:
            raise Fail(f"on a dump of the check's own program, where the first bad value is "
                       f"{kind}, first_nonfinite_op returned None: it found no op at all.", hint)
        if not (isinstance(got, (tuple, list)) and len(got) == 2
                and all(isinstance(s, str) for s in got)):
            raise Fail(f"first_nonfinite_op returned {type(got).__name__} {got!r:.60}; a tuple "
                       "(op type, op name) of two strings was expected.",
                       "return the `op_type` and `op_name` of the trace you found.")
        if tuple(got) != expected:
            raise Fail(f"on a dump of the check's own program, where the first bad value is "
                       f"{kind}, first_nonfinite_op returned {tuple(got)}, which is not the first "
                       "op that produced an infinity or a NaN.", hint)


@question("09.q3", points=2,
          checks="nonfinite_op_type runs a function with enable_check_numerics, returns the type of "
                 "the op it stopped at (None if none), and switches the checks off again",
          defines=("nonfinite_op_type",),
          fixed="nonfinite_op_type(function, *args) calls function(*args) (a tf.function or plain "
                "eager code) with numeric checks on; returns the op type as a str, or None; "
                "checks are off when it returns",
          verifies=("the op type for tf.functions whose first non-finite op is RealDiv or Sqrt "
                    "(two arguments passed on)",
                    "the op type for eager code whose first non-finite op is Log",
                    "None for a function whose values stay finite",
                    "numeric checks are off again after every call, whatever it returned"))
def _q3(answers: Answers) -> None:
    import tensorflow as tf

    @tf.function(jit_compile=False)
    def divide(x):
        return tf.reduce_sum(x / (x - x) + 1.0)

    @tf.function(jit_compile=False)
    def fine(x):
        return tf.reduce_sum(tf.sqrt(x) + 1.0)

    @tf.function(jit_compile=False)
    def root(x, shift):
        return tf.reduce_sum(tf.sqrt(x - shift) * 2.0)

    def eager_log(x):  # plain eager code, no tf.function
        return tf.reduce_sum(tf.math.log(x - x) * 2.0)

    x = tf.constant([1.0, 2.0, 3.0])
    probes = [("a tf.function whose first non-finite op is 'RealDiv'", divide, (x,), "RealDiv"),
              ("a tf.function whose values stay finite", fine, (x,), None),
              ("a tf.function of two arguments whose first non-finite op is 'Sqrt'", root,
               (x, tf.constant(10.0)), "Sqrt"),
              ("eager code (no tf.function) whose first non-finite op is 'Log'", eager_log, (x,),
               "Log")]
    try:
        for what, function, args, expected in probes:
            got = answers.call("nonfinite_op_type", function, *args)
            if got != expected or type(got) is not type(expected):
                raise Fail(f"for {what}, nonfinite_op_type returned {got!r:.60}.",
                           "enable the checks before calling, pass the arguments on, catch "
                           "tf.errors.InvalidArgumentError, and take the op type from its "
                           "message, for graph and eager ops alike (None when nothing is "
                           "raised).")
            if _raises(lambda: tf.math.log(tf.constant(0.0))) is not None:
                raise Fail(f"after nonfinite_op_type returned for {what}, numeric checks were "
                           "still on.",
                           "switch them off in every case, for instance in a `finally:` block.")
    finally:
        tf.debugging.disable_check_numerics()


@question("09.q4", points=2,
          checks="power is a tf.function that returns x ** exponent and traces at most twice over "
                 "calls with nine Python float exponents and three vector lengths",
          defines=("power",),
          fixed="power(x, exponent) is a tf.function, x a float32 vector of any length, exponent "
                "a Python float; it returns x ** exponent and traces at most twice",
          verifies=("power is a tf.function",
                    "it returns x ** exponent elementwise for lengths 3, 5 and 8",
                    "it traces at most 2 new graphs over 9 calls with different exponents and "
                    "lengths"))
def _q4(answers: Answers) -> None:
    import tensorflow as tf

    power = answers["power"]
    if not hasattr(power, "experimental_get_tracing_count"):
        raise Fail("`power` is not a tf.function.", "decorate it with @tf.function(...).")
    before = power.experimental_get_tracing_count()
    rng = np.random.default_rng(94)
    for length in (3, 5, 8):
        x = rng.uniform(0.5, 2.0, size=length).astype("float32")
        for exponent in rng.uniform(0.5, 3.0, size=3):
            got = answers.call("power", tf.constant(x), float(exponent))
            if np.shape(got) != (length,) or not np.allclose(np.asarray(got), x ** exponent,
                                                               rtol=1e-4):
                raise Fail("power(x, exponent) does not return x ** exponent.",
                           "compute the power of each element of x.")
    traced = power.experimental_get_tracing_count() - before
    if traced > 2:
        raise Fail(f"power traced {traced} graphs for 9 calls with different Python floats and "
                   "3 lengths: it retraces for new exponents or lengths.",
                   "tell tf.function what kind of inputs to expect, so a new value is not a new "
                   "signature (an input_signature, or converting to tensors first).")


@question("09.q5", points=3,
          checks="train_fixed trains a fresh digit classifier (logits output) with fit: finite "
                 "losses, a loss that reads the outputs as logits and at least halves, every "
                 "layer's weights change, and at least 85% of held-out digits are classified "
                 "correctly",
          defines=("train_fixed",),
          fixed="train_fixed(model, x, y, epochs) compiles and fits the model it is given for "
                "`epochs` epochs and returns what fit returns; optimizer, learning rate and batch "
                "size are free",
          verifies=("it returns the History of fitting the model given, with `epochs` epochs",
                    "every epoch's loss is finite",
                    "the compiled loss is the cross-entropy of the model's outputs read as logits "
                    "(model.evaluate agrees with it on held-out digits)",
                    "every layer's weights change",
                    "the loss at least halves from the first epoch to the last",
                    "at least 85% of held-out digits are classified correctly"))
def _q5(answers: Answers) -> None:
    import keras

    from ..data import load_digits

    digits = load_digits(seed=5)  # another split than the notebook's
    x, y = digits.train
    init = keras.initializers.GlorotUniform
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(32, activation="relu", kernel_initializer=init(seed=95)),
        keras.layers.Dense(10, kernel_initializer=init(seed=96)),
    ])
    before = [w.numpy().copy() for w in model.weights]
    epochs = 8
    history = answers.call("train_fixed", model, x, y, epochs)
    if not isinstance(history, keras.callbacks.History) or history.model is not model:
        raise Fail("train_fixed should return what fit returns for the model it was given.",
                   "keep `return model.fit(...)`, on the `model` argument itself.")
    losses = np.asarray(history.history.get("loss", []), dtype=float)
    if len(losses) != epochs:
        raise Fail(f"asked for {epochs} epochs, train_fixed trained for {len(losses)} epochs.",
                   "pass the `epochs` argument on to fit.")
    if not np.all(np.isfinite(losses)):
        raise Fail("the training loss is not a finite number at every epoch.",
                   "a loss that reaches NaN or inf: look at the learning rate and at how the loss "
                   "reads the model's outputs.")
    x_test, y_test = digits.test
    logits = model.predict(x_test, verbose=0)
    cross_entropy = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(
        y_test, logits))
    try:
        compiled = model.evaluate(x_test, y_test, verbose=0, return_dict=True)["loss"]
    except Exception:  # noqa: BLE001  (the student's loss cannot evaluate: say what it should be)
        compiled = float("nan")
    if not abs(compiled - cross_entropy) <= 1e-3 * max(1.0, cross_entropy):
        raise Fail("the loss the model was compiled with is not the cross-entropy of its "
                   "outputs read as logits (the model's last layer has no softmax).",
                   "does the loss know that the model outputs logits?")
    for layer in model.layers:
        for weight in layer.weights:
            old = before[[w.path for w in model.weights].index(weight.path)]
            if np.array_equal(old, weight.numpy()):
                raise Fail(f"the weights `{weight.path}` did not change: that layer did not train.",
                           "look for a layer that was frozen.")
    if not losses[-1] < 0.5 * losses[0]:
        raise Fail(f"the loss did not go down enough ({losses[0]:.3f} → {losses[-1]:.3f}).",
                   "look at the optimizer's learning rate: too high jumps around, too low "
                   "crawls.")
    accuracy = float(np.mean(logits.argmax(axis=1) == y_test))
    if accuracy < 0.85:
        raise Fail(f"the trained model classifies {accuracy:.1%} of held-out digits correctly; at "
                   "least 85% was expected.", "check every setting of compile, not just one.")


def _q6_batch(rng, n: int, features: int) -> np.ndarray:
    """Examples with their own means and spreads (0.5 to 3); from 3 examples on, the middle one
    has all its features equal."""
    x = rng.normal(rng.uniform(-2.0, 2.0, (n, 1)), rng.uniform(0.5, 3.0, (n, 1)), (n, features))
    if n >= 3:
        x[n // 2] = 1.5
    return x.astype("float32")


def _q6_expected(x: np.ndarray) -> np.ndarray:
    x = x.astype("float64")
    centred = x - x.mean(axis=1, keepdims=True)
    deviation = x.std(axis=1, keepdims=True)
    return np.divide(centred, deviation, out=np.zeros_like(centred), where=deviation > 0)


def _q6_run(where: str, function, *args):
    import re

    try:
        return function(*args)
    except Exception as error:  # noqa: BLE001
        if _placeholder(error):
            raise
        lines = [re.sub(r"\x1b\[[0-9;]*m|\{\{function_node [^}]*\}\}\s*|\s*\[Op:[^\]]*\]", "", line)
                 .strip() for line in str(error).splitlines()]
        lines = [line for line in lines if line and not line.startswith(("File ", "[[", "Exception "))]
        said = next((line for line in lines if "shape" in line.lower()), lines[0] if lines else "")
        raise Fail(f"{where}, StandardiseFixed raised {type(error).__name__}: "
                   f"{said or '(no message)'}",
                   "compile a model with run_eagerly=True to see the shapes inside call; inside "
                   "predict and fit, call gets symbolic tensors: use tf or keras.ops, not NumPy.") \
            from None


def _q6_compare(where: str, got, x: np.ndarray) -> None:
    got = np.asarray(got)
    if got.shape != x.shape:
        raise Fail(f"{where}, StandardiseFixed returned shape {got.shape} for a batch of shape "
                   f"{x.shape}.", "return one value for each input value.")
    constant = np.ptp(x, axis=1) == 0
    wrong = ~np.all(np.isclose(got, _q6_expected(x), rtol=5e-3, atol=5e-3), axis=1)
    if wrong[constant].any() and not wrong[~constant].any():
        what = "became NaN or inf" if not np.all(np.isfinite(got[constant])) else \
            "did not become zeros"
        raise Fail(f"{where}, an example whose features are all equal {what}.",
                   "its deviation is 0: avoid dividing by 0 (a where, divide_no_nan, or a small "
                   "epsilon).")
    if wrong.any():
        raise Fail(f"{where}, a batch of shape {x.shape}: {int(wrong.sum())} of {len(x)} examples "
                   "are not scaled to mean 0 and standard deviation 1 over their own features.",
                   "compute each example's mean and deviation over its features (axis 1), kept "
                   "as a column (batch, 1) so they line up with the examples.")


@question("09.q6", points=2,
          checks="StandardiseFixed is a Keras layer that scales each example to mean 0 and "
                 "standard deviation 1 over its own features, maps an example whose features "
                 "are equal to zeros, and does so eagerly, inside predict and inside fit, for any "
                 "batch size",
          defines=("StandardiseFixed",),
          fixed="StandardiseFixed() is a keras.layers.Layer subclass called on float32 batches "
                "(batch, features); each example minus its mean over its features, divided by "
                "its population standard deviation; an example whose features are all equal "
                "gives zeros; any batch size and number of features; how it is computed and how "
                "it avoids dividing by zero (an epsilon of at most 1e-3 allowed) are free",
          verifies=("StandardiseFixed is a subclass of keras.layers.Layer",
                    "an example's result does not change with the rest of its batch",
                    "eagerly, on batches of 32×64, 64×64 (as many examples as features), 5×3 "
                    "and 1×7, every example is standardised over its own features",
                    "an example whose features are all equal becomes zeros, not NaN",
                    "inside predict (a graph), 40 examples in batches of 16, the same",
                    "a model with it trains with fit in batches of 16, with finite losses"))
def _q6(answers: Answers) -> None:
    import keras

    layer_class = answers["StandardiseFixed"]
    if not (isinstance(layer_class, type) and issubclass(layer_class, keras.layers.Layer)):
        raise Fail("`StandardiseFixed` is not a Keras layer class.",
                   "define `class StandardiseFixed(keras.layers.Layer):` with a `call` method.")
    rng = np.random.default_rng(96)
    x = _q6_batch(rng, 32, 64)
    layer = _q6_run("creating StandardiseFixed()", layer_class)
    alone = np.asarray(_q6_run("called eagerly on one example", layer, x[3:4]))
    within = np.asarray(_q6_run("called eagerly on a batch of 32", layer, x))
    if alone.shape == (1, 64) and within.shape == x.shape and \
            not np.allclose(alone[0], within[3], rtol=5e-3, atol=5e-3):
        raise Fail("the result for an example changes with the other examples in its batch.",
                   "standardise each example over its own features, not each feature over the "
                   "batch.")
    for n, features in [(32, 64), (64, 64), (5, 3), (1, 7)]:
        x = _q6_batch(rng, n, features)
        where = f"eagerly, on a batch of {n}×{features}"
        _q6_compare(where, _q6_run(where, layer_class(), x), x)

    x = _q6_batch(rng, 40, 12)
    where = "inside predict (a graph), in batches of 16"
    model = _q6_run(where, lambda: keras.Sequential([keras.Input(shape=(12,)), layer_class()]))
    _q6_compare(where, _q6_run(where, lambda: model.predict(x, batch_size=16, verbose=0)), x)

    keras.utils.set_random_seed(97)
    where = "inside fit, in batches of 16"

    def fit():
        classifier = keras.Sequential([keras.Input(shape=(12,)), layer_class(),
                                       keras.layers.Dense(3)])
        classifier.compile(optimizer="adam", loss="mse")
        targets = np.random.default_rng(98).normal(size=(40, 3)).astype("float32")
        return classifier.fit(x, targets, batch_size=16, epochs=2, verbose=0).history["loss"]

    losses = _q6_run(where, fit)
    if not np.all(np.isfinite(losses)):
        raise Fail(f"{where}, the loss was not finite: {np.round(losses, 3).tolist()}.",
                   "an example whose features are all equal must give zeros, not NaN.")
