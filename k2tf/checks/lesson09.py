"""Checks for exercise 09 (debugging).

Checks run the student's code on programs, data and folders of their own: buggy programs
whose first bad op the check knows because it chose the inputs, and a fresh model to train.
"""
from __future__ import annotations

import numpy as np

from . import Answers, Fail, question
from .expect import as_number


def _raises(function, *args) -> BaseException | None:
    try:
        function(*args)
    except Exception as error:  # noqa: BLE001  (any error counts as "stopped")
        return error
    return None


@question("09.q1", points=2,
          checks="checked_mse returns the mean squared error of two float32 vectors of the same "
                 "length and raises on a (n, 1) prediction, a (n, 1) target or a float64 prediction")
def _q1(answers: Answers) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(91)
    y_true = rng.normal(size=7).astype("float32")
    y_pred = rng.normal(size=7).astype("float32")
    got = as_number(answers.call("checked_mse", tf.constant(y_true), tf.constant(y_pred)),
                    "checked_mse(y_true, y_pred)")
    if abs(got - float(np.mean((y_true - y_pred) ** 2))) > 1e-5:
        raise Fail("checked_mse does not return the mean squared error of two vectors.",
                   "average the squared differences.")
    cases = [
        ("a prediction of shape (7, 1)", tf.constant(y_true), tf.constant(y_pred[:, None])),
        ("a target of shape (7, 1)", tf.constant(y_true[:, None]), tf.constant(y_pred)),
        ("a float64 prediction", tf.constant(y_true), tf.constant(y_pred, dtype=tf.float64)),
    ]
    function = answers["checked_mse"]
    for what, a, b in cases:
        if _raises(function, a, b) is None:
            raise Fail(f"checked_mse accepted {what} without raising an error.",
                       "state what you expect with tf.debugging assertions before computing.")


def _dump_program(dump_root: str, start: float) -> None:
    """Run a small buggy tf.function under Debugger V2: first on a good input, then on ``start``."""
    import tensorflow as tf

    tf.debugging.experimental.disable_dump_debug_info()  # in case the notebook left it on
    writer = tf.debugging.experimental.enable_dump_debug_info(
        dump_root, tensor_debug_mode="FULL_HEALTH", circular_buffer_size=-1)
    try:
        @tf.function(jit_compile=False)  # a new function: traced, so instrumented, after enabling
        def chain(x):
            u = tf.math.log(x)           # x = 0: -inf
            v = tf.sqrt(u)               # 0 < x < 1: NaN
            w = 1.0 / v                  # x = 1: +inf
            return tf.reduce_sum(w * 2.0 + 1.0)

        chain(tf.constant([4.0, 3.0, 2.0]))  # every value finite
        chain(tf.constant([3.0, start, 2.0]))
        writer.FlushNonExecutionFiles()
        writer.FlushExecutionFiles()
    finally:
        tf.debugging.experimental.disable_dump_debug_info()


@question("09.q2", points=3,
          checks="first_nonfinite_op reads a Debugger V2 dump and returns the type and name of the "
                 "first op in graph execution that produced an infinity or a NaN")
def _q2(answers: Answers) -> None:
    from ..logs import temporary_log_root

    # (input that goes bad, the op where it first goes bad): chosen so each op is first once
    scenarios = [(0.5, ("Sqrt", "Sqrt")), (1.0, ("RealDiv", "truediv")), (0.0, ("Log", "Log"))]
    order = np.random.default_rng(92).permutation(len(scenarios))
    for index in order[:2]:
        start, expected = scenarios[index]
        dump_root = temporary_log_root("k2tf-check-09q2-")
        _dump_program(str(dump_root), start)
        got = answers.call("first_nonfinite_op", str(dump_root))
        if not (isinstance(got, tuple) and len(got) == 2 and all(isinstance(s, str) for s in got)):
            raise Fail(f"first_nonfinite_op returned {type(got).__name__} {got!r:.60}; a tuple "
                       "(op type, op name) of two strings was expected.",
                       "return `(trace.op_type, trace.op_name)` of the trace you found.")
        if got != expected:
            raise Fail(f"on a dump of the check's own program, first_nonfinite_op returned {got}, "
                       "which is not the first op that produced an infinity or a NaN.",
                       "go through reader.graph_execution_traces() in order and look at the "
                       "-inf, +inf and NaN counts of each debug_tensor_value.")


@question("09.q3", points=2,
          checks="nonfinite_op_type runs a function with enable_check_numerics, returns the type of "
                 "the op it stopped at (None if none), and switches the checks off again")
def _q3(answers: Answers) -> None:
    import tensorflow as tf

    @tf.function(jit_compile=False)
    def divide(x):
        return tf.reduce_sum(x / (x - x) + 1.0)

    @tf.function(jit_compile=False)
    def fine(x):
        return tf.reduce_sum(tf.sqrt(x) + 1.0)

    @tf.function(jit_compile=False)
    def root(x):
        return tf.reduce_sum(tf.sqrt(x - 10.0) * 2.0)

    x = tf.constant([1.0, 2.0, 3.0])
    try:
        for function, expected in [(divide, "RealDiv"), (fine, None), (root, "Sqrt")]:
            got = answers.call("nonfinite_op_type", function, x)
            if got != expected:
                raise Fail(f"for a function whose first non-finite op is {expected!r}, "
                           f"nonfinite_op_type returned {got!r:.60}.",
                           "enable the checks before calling, catch tf.errors.InvalidArgumentError, "
                           "and take the op type from its message (None when nothing is raised).")
        error = _raises(lambda: tf.math.log(tf.constant(0.0)))
        if error is not None:
            raise Fail("after nonfinite_op_type returned, numeric checks were still on.",
                       "switch them off in every case, for instance in a `finally:` block.")
    finally:
        tf.debugging.disable_check_numerics()


@question("09.q4", points=2,
          checks="power is a tf.function that returns x ** exponent and traces at most twice over "
                 "calls with six Python float exponents and two vector lengths")
def _q4(answers: Answers) -> None:
    import tensorflow as tf

    power = answers["power"]
    if not hasattr(power, "experimental_get_tracing_count"):
        raise Fail("`power` is not a tf.function.", "decorate it with @tf.function(...).")
    before = power.experimental_get_tracing_count()
    rng = np.random.default_rng(94)
    for length in (3, 5):
        x = rng.uniform(0.5, 2.0, size=length).astype("float32")
        for exponent in rng.uniform(0.5, 3.0, size=3):
            got = answers.call("power", tf.constant(x), float(exponent))
            if np.shape(got) != (length,) or not np.allclose(np.asarray(got), x ** exponent,
                                                               rtol=1e-4):
                raise Fail("power(x, exponent) does not return x ** exponent.",
                           "compute the power of each element of x.")
    traced = power.experimental_get_tracing_count() - before
    if traced > 2:
        raise Fail(f"power traced {traced} graphs for 6 calls with different Python floats: it "
                   "retraces for every new exponent.",
                   "tell tf.function what kind of inputs to expect, so a new value is not a new "
                   "signature (an input_signature, or converting to tensors first).")


@question("09.q5", points=3,
          checks="train_fixed trains a fresh digit classifier (logits output) with fit: finite "
                 "losses, the loss at least halves, every layer's weights change, and at least 85% "
                 "of held-out digits are classified correctly")
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
    history = answers.call("train_fixed", model, x, y, 8)
    if not isinstance(history, keras.callbacks.History) or history.model is not model:
        raise Fail("train_fixed should return what fit returns for the model it was given.",
                   "keep `return model.fit(...)`.")
    losses = np.asarray(history.history.get("loss", []), dtype=float)
    if len(losses) < 2 or not np.all(np.isfinite(losses)):
        raise Fail("the training loss is not a finite number at every epoch.",
                   "a loss that reaches NaN or inf: look at the learning rate and at how the loss "
                   "reads the model's outputs.")
    if not losses[-1] < 0.5 * losses[0]:
        raise Fail(f"the loss did not go down enough ({losses[0]:.3f} → {losses[-1]:.3f}).",
                   "does the loss know that the model outputs logits? does every layer train?")
    for layer in model.layers:
        for weight in layer.weights:
            old = before[[w.path for w in model.weights].index(weight.path)]
            if np.array_equal(old, weight.numpy()):
                raise Fail(f"the weights `{weight.path}` did not change: that layer did not train.",
                           "look for a layer that was frozen.")
    x_test, y_test = digits.test
    accuracy = float(np.mean(model.predict(x_test, verbose=0).argmax(axis=1) == y_test))
    if accuracy < 0.85:
        raise Fail(f"the trained model classifies {accuracy:.1%} of held-out digits correctly; at "
                   "least 85% was expected.", "check every setting of compile, not just one.")
