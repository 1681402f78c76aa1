"""Checks for exercise 04 (tensors, variables and automatic differentiation)."""
from __future__ import annotations

import numpy as np

from . import Answers, Fail, question
from .expect import as_array, close, is_instance

_TAPE_HINT = ("a tape records variables by itself, but a constant only after "
              "`tape.watch(x)`, inside the `with` block.")


def _tensor_result(value, name: str, shape: tuple) -> np.ndarray:
    if value is None:
        raise Fail(f"{name} returned None: the tape recorded nothing that links the result to `x`.",
                   _TAPE_HINT)
    array = as_array(value, name)
    if array.shape != shape:
        raise Fail(f"{name} has shape {array.shape}; the shape of `x`, {shape}, was expected.",
                   "the gradient of a sum of f over all elements has one value per element.")
    return array


@question("04.q1", points=2,
          checks="standardize returns a float32 tf.Tensor whose columns have mean 0 and "
                 "standard deviation 1, for integer and float inputs, arrays and tensors")
def _q1(answers: Answers) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(41)
    inputs = {
        "an int64 NumPy array of shape (30, 4)": rng.integers(-20, 50, size=(30, 4)),
        "a float64 NumPy array of shape (50, 2)": rng.normal(5.0, 3.0, size=(50, 2)) * [1.0, 100.0],
        "an int32 tensor of shape (12, 3)": tf.constant(rng.integers(0, 9, size=(12, 3)), tf.int32),
    }
    for what, x in inputs.items():
        got = answers.call("standardize", x)
        name = f"standardize(<{what}>)"
        is_instance(got, tf.Tensor, name, "a tf.Tensor",
                    hint="use TensorFlow operations (tf.cast, tf.reduce_mean, …) rather than NumPy.")
        if got.dtype != tf.float32:
            raise Fail(f"{name} has dtype {got.dtype.name}; float32 was expected.",
                       "cast the input to float32 first, with tf.cast.")
        values = np.asarray(x, dtype=np.float64)
        expected = (values - values.mean(axis=0)) / values.std(axis=0)
        close(got, expected, name, rtol=1e-4, atol=1e-4,
              hint="each column separately (reduce along axis 0), and the standard deviation "
                   "divides by n, not n − 1.")


@question("04.q2", points=2,
          checks="descend moves the given tf.Variable by -learning_rate × gradient, in place")
def _q2(answers: Answers) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(42)
    start = rng.normal(size=3).astype(np.float32)
    gradient = rng.normal(size=3).astype(np.float32)
    for learning_rate in (0.1, 0.03):
        variable = tf.Variable(start)
        answers.call("descend", variable, tf.constant(gradient), learning_rate)
        now = variable.numpy()
        if np.allclose(now, start):
            raise Fail("after descend(variable, …) the variable still holds its old value.",
                       "change the variable itself with one of its assign methods; "
                       "`variable = …` only rebinds a local name.")
        close(now, start - learning_rate * gradient,
              f"the variable after descend(…, learning_rate={learning_rate})", rtol=1e-5,
              hint="a step of gradient descent goes against the gradient, scaled by the learning rate.")


def _fake_gradient_identity():
    """f(x) = x, whose gradient is declared to be cos(x): only a GradientTape sees cos(x)."""
    import tensorflow as tf

    @tf.custom_gradient
    def identity_with_cos_gradient(x):
        def grad(upstream):
            return upstream * tf.cos(x)

        return tf.identity(x), grad

    return identity_with_cos_gradient


@question("04.q3", points=3,
          checks="derivative(f, x) uses a GradientTape on a constant x and returns f' at each "
                 "element, for several functions and shapes")
def _q3(answers: Answers) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(43)
    cases = [
        ("tf.sin", tf.sin, np.cos, (5,)),
        ("lambda t: t**3", lambda t: t**3, lambda v: 3 * v**2, (2, 3)),
        ("lambda t: t * tf.exp(t)", lambda t: t * tf.exp(t), lambda v: (1 + v) * np.exp(v), (4,)),
    ]
    for label, f, f_prime, shape in cases:
        x = rng.uniform(-2, 2, size=shape).astype(np.float32)
        got = answers.call("derivative", f, tf.constant(x))
        name = f"derivative({label}, <x of shape {shape}>)"
        array = _tensor_result(got, name, shape)
        close(array, f_prime(x.astype(np.float64)), name, rtol=1e-4, atol=1e-4,
              hint="the derivative of tf.reduce_sum(f(x)) with respect to x, or of f(x) itself.")
    # A function whose gradient is declared by hand: a finite difference cannot see it.
    x = rng.uniform(-2, 2, size=(6,)).astype(np.float32)
    got = answers.call("derivative", _fake_gradient_identity(), tf.constant(x))
    array = _tensor_result(got, "derivative(<a function with a custom gradient>, x)", (6,))
    if not np.allclose(array, np.cos(x), atol=1e-4):
        raise Fail("derivative does not return the gradient a GradientTape records.",
                   "compute it with `tape.gradient(...)`, not from differences of f's values.")


@question("04.q4", points=2,
          checks="second_derivative(f, x) returns f'' at each element with nested tapes")
def _q4(answers: Answers) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(44)
    cases = [
        ("tf.sin", tf.sin, lambda v: -np.sin(v), (5,)),
        ("lambda t: t**3", lambda t: t**3, lambda v: 6 * v, (2, 3)),
        ("lambda t: t**4 - t", lambda t: t**4 - t, lambda v: 12 * v**2, (4,)),
    ]
    for label, f, f_second, shape in cases:
        x = rng.uniform(-2, 2, size=shape).astype(np.float32)
        got = answers.call("second_derivative", f, tf.constant(x))
        name = f"second_derivative({label}, <x of shape {shape}>)"
        array = _tensor_result(got, name, shape)
        close(array, f_second(x.astype(np.float64)), name, rtol=1e-3, atol=1e-3,
              hint="an outer tape must record the inner tape's gradient call; both watch x.")


@question("04.q5", points=3,
          checks="fit_linear runs exactly `steps` steps of gradient descent from zeros with a tape, "
                 "returns tf.Variables and the loss of each step, and reaches the best line")
def _q5(answers: Answers) -> None:
    import tensorflow as tf

    from ..data import make_regression

    x, y, _, _ = make_regression(n_samples=150, n_features=3, noise=0.3, seed=45)
    steps, learning_rate = 150, 0.05
    result = answers.call("fit_linear", x, y, steps, learning_rate)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise Fail("fit_linear should return three things: w, b and the list of losses.",
                   "end with `return w, b, losses`.")
    w, b, losses = result
    is_instance(w, tf.Variable, "w", "a tf.Variable", hint="the weights are model state.")
    is_instance(b, tf.Variable, "b", "a tf.Variable", hint="the bias is model state too.")
    if tuple(w.shape) != (3,) or tuple(b.shape) != ():
        raise Fail(f"for 3 features, w has shape {tuple(w.shape)} and b {tuple(b.shape)}; "
                   "(3,) and () were expected.", "one weight per feature, one bias.")
    loss_values = as_array(losses, "losses")
    if loss_values.shape != (steps,):
        raise Fail(f"`losses` has shape {loss_values.shape} for steps={steps}; one loss per step "
                   f"was expected.", "append the loss once in each step.")
    close(loss_values[0], np.mean(y.astype(np.float64) ** 2), "the first loss", rtol=1e-3,
          hint="start from w = 0 and b = 0 and record the loss before the first update.")
    design = np.hstack([x, np.ones((len(x), 1))]).astype(np.float64)
    best = np.linalg.lstsq(design, y.astype(np.float64), rcond=None)[0]
    close(np.append(w.numpy(), b.numpy()), best, "the learned w and b", rtol=0, atol=0.02,
          hint="the loss is the mean of the squared errors; subtract learning_rate × gradient.")
    # One step from zeros has a known result: w = lr · 2/n · xᵀy, b = lr · 2 · mean(y).
    w1, b1, _ = answers.call("fit_linear", x, y, 1, learning_rate)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    one_step = np.append(learning_rate * 2 / len(x) * x64.T @ y64, learning_rate * 2 * y64.mean())
    close(np.append(as_array(w1, "w"), as_array(b1, "b")), one_step,
          "w and b after fit_linear(x, y, steps=1, …)", rtol=1e-3, atol=1e-5,
          hint="one step means one gradient computed at zero and one update of each variable.")
