"""Checks for exercise 04 (tensors, variables and automatic differentiation)."""
from __future__ import annotations

import numpy as np

from . import Answers, Fail, NotAnswered, question
from .expect import as_array, close, is_instance

_TAPE_HINT = ("a tape records trainable variables by itself, a constant only after "
              "`tape.watch(x)`, and only TensorFlow operations run inside its `with` block "
              "(going through NumPy or .numpy() breaks the record).")


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
                 "(population) standard deviation 1, for integer and float inputs, arrays and tensors",
          defines=("standardize",),
          fixed="the name standardize(x); input: a 2-D NumPy array or tensor of any numeric dtype; "
                "output: a float32 tf.Tensor of the same shape, each column with mean 0 and the "
                "standard deviation that divides by n equal to 1; how it is computed is free",
          verifies=("on an int64 array, a float64 array with columns of very different scales, an "
                    "int32 tensor and a float32 tensor it returns a tf.Tensor",
                    "of dtype float32",
                    "equal to (x − column mean) / column standard deviation (divided by n), "
                    "within 1e-4",
                    "a result that divides by n − 1 is named as such"))
def _q1(answers: Answers) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(41)
    inputs = {
        "an int64 NumPy array of shape (30, 4)": rng.integers(-20, 50, size=(30, 4)),
        "a float64 NumPy array of shape (50, 2)": rng.normal(5.0, 3.0, size=(50, 2)) * [1.0, 100.0],
        "an int32 tensor of shape (12, 3)": tf.constant(rng.integers(0, 9, size=(12, 3)), tf.int32),
        "a float32 tensor of shape (9, 5)": tf.constant(rng.normal(-2.0, 0.5, size=(9, 5)),
                                                        tf.float32),
    }
    for what, x in inputs.items():
        got = answers.call("standardize", x)
        name = f"standardize(<{what}>)"
        is_instance(got, tf.Tensor, name, "a tf.Tensor",
                    hint="TensorFlow operations (tf.cast, tf.reduce_mean, …) return tensors; "
                         "a NumPy result can be turned into one with tf.convert_to_tensor.")
        if got.dtype != tf.float32:
            raise Fail(f"{name} has dtype {got.dtype.name}; float32 was expected.",
                       "cast to float32, with tf.cast.")
        values = np.asarray(x, dtype=np.float64)
        expected = (values - values.mean(axis=0)) / values.std(axis=0)
        array = as_array(got, name)
        sample = (values - values.mean(axis=0)) / values.std(axis=0, ddof=1)
        if array.shape == sample.shape and np.allclose(array, sample, rtol=1e-4, atol=1e-4):
            raise Fail(f"{name}: each column has the standard deviation that divides by n − 1 "
                       "equal to 1; the question asks for the one that divides by n.",
                       "tf.math.reduce_std divides by n.")
        close(array, expected, name, rtol=1e-4, atol=1e-4,
              hint="each column separately (reduce along axis 0), with the mean and standard "
                   "deviation of floats, not integers.")


@question("04.q2", points=2,
          checks="descend moves the given tf.Variable or keras.Variable by -learning_rate × "
                 "gradient, in place",
          defines=("descend",),
          fixed="the name descend(variable, gradient, learning_rate); variable: a tf.Variable or "
                "a Keras layer's keras.Variable, changed in place by −learning_rate × gradient; "
                "the return value is free",
          verifies=("the very variable passed in holds the new value afterwards (rebinding a "
                    "name or updating a copy fails)",
                    "the new value is old − learning_rate × gradient, for two learning rates and "
                    "for a vector and a matrix tf.Variable",
                    "for a Dense layer's kernel (a keras.Variable): the kernel holds the new "
                    "value and the layer computes with it"))
def _q2(answers: Answers) -> None:
    import keras
    import tensorflow as tf

    in_place = ("change the variable itself with one of its assign methods; "
                "`variable = …` only rebinds a local name, and a new variable is a copy.")
    rng = np.random.default_rng(42)
    for shape, learning_rate in (((3,), 0.1), ((2, 4), 0.03)):
        start = rng.normal(size=shape).astype(np.float32)
        gradient = rng.normal(size=shape).astype(np.float32)
        variable = tf.Variable(start)
        answers.call("descend", variable, tf.constant(gradient), learning_rate)
        now = variable.numpy()
        if np.allclose(now, start):
            raise Fail("after descend(variable, …) the variable passed in still holds its old value.",
                       in_place)
        close(now, start - learning_rate * gradient,
              f"the variable of shape {shape} after descend(…, learning_rate={learning_rate})",
              rtol=1e-5, hint="a step of gradient descent goes against the gradient, scaled by "
                              "the learning rate, from the variable's current value.")
    # A Keras layer's weight is a keras.Variable, not a tf.Variable: the same assign methods
    # move it, and the layer computes with the moved value.
    layer = keras.layers.Dense(2, kernel_initializer=keras.initializers.RandomNormal(seed=7))
    layer.build((None, 3))
    start = layer.kernel.numpy().copy()
    gradient = rng.normal(size=start.shape).astype(np.float32)
    answers.call("descend", layer.kernel, tf.constant(gradient), 0.05)
    name = "a Dense layer's kernel (a keras.Variable) after descend(layer.kernel, …, 0.05)"
    if np.allclose(layer.kernel.numpy(), start):
        raise Fail(f"{name} still holds its old value.",
                   "a keras.Variable has the same assign methods as a tf.Variable. " + in_place)
    close(layer.kernel.numpy(), start - 0.05 * gradient, name, rtol=1e-5, atol=1e-6,
          hint="a step of gradient descent goes against the gradient, scaled by the learning "
               "rate, from the variable's current value.")
    inputs = rng.normal(size=(4, 3)).astype(np.float32)
    close(layer(inputs), inputs @ (start - 0.05 * gradient) + layer.bias.numpy(),
          "the layer's output after descend(layer.kernel, …)", rtol=1e-4, atol=1e-5,
          hint="move the layer's own variable in place, so that the layer computes with it.")


def _stop_gradient_product(power: int):
    """t**power * stop_gradient(t): its values are t**(power + 1), but a tape treats the
    stopped factor as a constant, so only a tape finds the derivatives the check expects."""
    import tensorflow as tf

    return lambda t: t**power * tf.stop_gradient(t)


@question("04.q3", points=3,
          checks="derivative(f, x) uses a GradientTape on a constant x and returns f' at each "
                 "element, for several functions and shapes",
          defines=("derivative",),
          fixed="the name derivative(f, x); f: element-wise function of one tensor; x: a float32 "
                "constant tensor of any shape; output: f' at each element, x's shape, from a "
                "GradientTape",
          verifies=("tf.sin, t**3 and t·exp(t) on x of shapes (5,), (2, 3), () and (4,): "
                    "values within 1e-4 of the exact derivative, with x's shape",
                    "f(t) = t · stop_gradient(t): the result is what a tape records (x), not the "
                    "derivative of f's values (2x), so finite differences fail",
                    "None (nothing recorded) is reported with what a tape watches"))
def _q3(answers: Answers) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(43)
    cases = [
        ("tf.sin", tf.sin, np.cos, (5,)),
        ("lambda t: t**3", lambda t: t**3, lambda v: 3 * v**2, (2, 3)),
        ("lambda t: t**3", lambda t: t**3, lambda v: 3 * v**2, ()),
        ("lambda t: t * tf.exp(t)", lambda t: t * tf.exp(t), lambda v: (1 + v) * np.exp(v), (4,)),
    ]
    for label, f, f_prime, shape in cases:
        x = rng.uniform(-2, 2, size=shape).astype(np.float32)
        got = answers.call("derivative", f, tf.constant(x))
        name = f"derivative({label}, <x of shape {shape}>)"
        array = _tensor_result(got, name, shape)
        close(array, f_prime(x.astype(np.float64)), name, rtol=1e-4, atol=1e-4,
              hint="the derivative of tf.reduce_sum(f(x)) with respect to x, or of f(x) itself.")
    # f(t) = t · stop_gradient(t) has the values of t², but a tape treats the stopped factor as
    # a constant: the tape's derivative is t, differences of f's values give 2t.
    x = rng.uniform(0.5, 2, size=(6,)).astype(np.float32) * rng.choice([-1, 1], size=6)
    label = "derivative(lambda t: t * tf.stop_gradient(t), <x of shape (6,)>)"
    got = answers.call("derivative", _stop_gradient_product(1), tf.constant(x))
    array = _tensor_result(got, label, (6,))
    if np.allclose(array, 2 * x, rtol=1e-3, atol=1e-3):
        raise Fail(f"{label} returned 2·x, the slope of f's values; a GradientTape treats "
                   "tf.stop_gradient(t) as a constant and records x.",
                   "compute it with `tape.gradient(...)`, not from differences of f's values.")
    close(array, x, label, rtol=1e-4, atol=1e-4,
          hint="compute it with `tape.gradient(...)`: a tape treats tf.stop_gradient(t) as a "
               "constant.")


@question("04.q4", points=2,
          checks="second_derivative(f, x) returns f'' at each element, as nested tapes record it",
          defines=("second_derivative",),
          fixed="the name second_derivative(f, x); f and x as in 04.q3; output: f'' at each "
                "element, x's shape, from nested tapes",
          verifies=("tf.sin, t**3 and t**4 − t on x of shapes (5,), (2, 3) and (4,): values "
                    "within 1e-4 of the exact second derivative",
                    "f(t) = t² · stop_gradient(t): the result is what nested tapes record (2x); "
                    "finite differences of f (6x) or of the tape's first derivative (4x) fail",
                    "None (the outer tape recorded nothing) is reported with how to nest tapes"))
def _q4(answers: Answers) -> None:
    import tensorflow as tf

    nest_hint = ("nest the tapes: the inner tape's gradient call must run inside the outer "
                 "tape's `with` block, both watch x, and the first derivative stays a tensor.")
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
        if got is None:
            raise Fail(f"{name} returned None: the outer tape recorded nothing that links the "
                       "first derivative to `x`.", nest_hint)
        array = _tensor_result(got, name, shape)
        close(array, f_second(x.astype(np.float64)), name, rtol=1e-4, atol=1e-4,
              hint="differentiate the first derivative again: " + nest_hint)
    # f(t) = t² · stop_gradient(t) has the values of t³: nested tapes give 2t; a second
    # difference of f's values gives 6t, a difference of the tape's first derivative (2t²) 4t.
    x = rng.uniform(0.5, 2, size=(6,)).astype(np.float32) * rng.choice([-1, 1], size=6)
    label = "second_derivative(lambda t: t**2 * tf.stop_gradient(t), <x of shape (6,)>)"
    got = answers.call("second_derivative", _stop_gradient_product(2), tf.constant(x))
    if got is None:
        raise Fail(f"{label} returned None.", nest_hint)
    array = _tensor_result(got, label, (6,))
    for factor in (6, 4):
        if np.allclose(array, factor * x, rtol=1e-3, atol=1e-3):
            raise Fail(f"{label} returned {factor}·x, not 2·x, what nested tapes record: "
                       "finite differences do not see that a tape treats tf.stop_gradient(t) as "
                       "a constant.", "compute both derivatives with tapes, one nested in the "
                                      "other, not from differences of values.")
    close(array, 2 * x, label, rtol=1e-4, atol=1e-4,
          hint="compute both derivatives with tapes, one nested in the other.")


def _gradient_descent(x: np.ndarray, y: np.ndarray, steps: int, learning_rate: float):
    """The reference: gradient descent on the mean squared error from zeros, in float64."""
    x, y = x.astype(np.float64), y.astype(np.float64)
    w, b, losses = np.zeros(x.shape[1]), 0.0, []
    for _ in range(steps):
        error = x @ w + b - y
        losses.append(np.mean(error**2))
        w = w - learning_rate * 2 * x.T @ error / len(x)
        b = b - learning_rate * 2 * error.mean()
    return w, b, np.array(losses)


def _call_fit_linear(answers: Answers, *args):
    function = answers["fit_linear"]
    try:
        return function(*args)
    except (NotAnswered, Fail):
        raise
    except Exception as error:  # noqa: BLE001 - the student's code: say how it failed
        text = str(error).strip().splitlines()
        problem = f"calling `fit_linear` raised {type(error).__name__}: {text[0] if text else ''}"
        if "NoneType" in str(error) or "None" in (text[0] if text else ""):
            raise Fail(problem, "a gradient came back None. " + _TAPE_HINT + " Integer "
                                "variables have no gradient either.") from None
        raise Fail(problem, "run it on a small example in a cell of its own to see where it "
                            "fails.") from None


@question("04.q5", points=3,
          checks="fit_linear runs exactly `steps` steps of gradient descent on the mean squared "
                 "error from zeros, returns variables and the loss before each step's update, "
                 "and follows gradient descent step by step",
          defines=("fit_linear",),
          fixed="the name fit_linear(x, y, steps, learning_rate); w, b start at 0; exactly "
                "`steps` updates of −learning_rate × gradient of the mean squared error; returns "
                "w (a variable of shape (d,)), b (a scalar variable) and the `steps` losses, each "
                "computed before its step's update; dtype and the container of the losses free",
          verifies=("it returns three things: w and b are tf.Variables (keras.Variables accepted) "
                    "of shapes (d,) and ()",
                    "the losses: one per step, finite, the first is mean(y²) (zeros, before the "
                    "update, a mean and not a sum or a half)",
                    "every loss matches float64 gradient descent on the check's data (200 "
                    "points, 3 features, a bias of 1.5) within 0.2%",
                    "w and b after the last step match it within 1e-3"))
def _q5(answers: Answers) -> None:
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(45)
    x = rng.uniform(-2, 2, size=(200, 3)).astype(np.float32)
    y = (x @ np.array([1.5, -2.0, 0.7]) + 1.5 + rng.normal(0, 0.3, size=200)).astype(np.float32)
    steps, learning_rate = 60, 0.1
    result = _call_fit_linear(answers, x, y, steps, learning_rate)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise Fail("fit_linear should return three things: w, b and the losses.",
                   "end with `return w, b, losses`.")
    w, b, losses = result
    variables = (tf.Variable, keras.Variable)
    is_instance(w, variables, "w", "a tf.Variable", hint="the weights are model state.")
    is_instance(b, variables, "b", "a tf.Variable", hint="the bias is model state too.")
    if tuple(w.shape) != (3,) or tuple(b.shape) != ():
        raise Fail(f"for 3 features, w has shape {tuple(w.shape)} and b {tuple(b.shape)}; "
                   "(3,) and () were expected.", "one weight per feature, one bias.")
    loss_values = as_array(losses, "losses")
    if loss_values.shape != (steps,):
        raise Fail(f"`losses` has shape {loss_values.shape} for steps={steps}; one loss per step "
                   f"was expected.", "run exactly `steps` steps and keep the loss once in each.")
    if not np.all(np.isfinite(loss_values)):
        raise Fail("`losses` contains NaN or infinite values: the descent diverged.",
                   "the loss is the mean of the squared errors, and each step subtracts "
                   "learning_rate × gradient.")
    w_best, b_best, expected = _gradient_descent(x, y, steps, learning_rate)
    close(loss_values[0], expected[0], "the first loss", rtol=1e-3,
          hint="start from w = 0 and b = 0, record each step's loss before its update, and "
               "take the mean of the squared errors.")
    close(loss_values, expected, "the losses", rtol=2e-3, atol=1e-5,
          hint="each step computes the mean squared error of x · w + b (shape (n,), like y), "
               "then moves w and b by −learning_rate × gradient, once.")
    close(np.append(as_array(w.numpy(), "w"), as_array(b.numpy(), "b")),
          np.append(w_best, b_best), "the learned w and b", rtol=0, atol=1e-3,
          hint="return the variables you updated, after the last step.")


_NONE_HINT = ("a gradient is None when the tape recorded no path from the source to the target: "
              "NumPy inside the tape, an integer dtype, a variable with trainable=False, a name "
              "rebound to a tensor, or a tensor not watched (the lesson's *Why is my gradient `None`?*).")


def _call_repaired(answers: Answers, name: str, *args, hint: str = _NONE_HINT):
    """Call the student's ``name``; a failure that comes from a None gradient says so."""
    function = answers[name]
    if not callable(function):
        raise Fail(f"`{name}` should be a function, but it is a {type(function).__name__}.")
    try:
        return function(*args)
    except (NotAnswered, Fail):
        raise
    except Exception as error:  # noqa: BLE001 - the student's code: say how it failed
        text = str(error).strip().splitlines()
        line = text[0] if text else "(no message)"
        problem = f"calling `{name}` raised {type(error).__name__}: {line}"
        if "None" in line:
            raise Fail(problem + " — a gradient came back None.", hint) from None
        raise Fail(problem, "run it on a small example in a cell of its own to see where it "
                            "fails.") from None


def _dtype_kind(value) -> str:
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value).dtype.kind


def _check_bump_slope(answers: Answers) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(46)
    # x = 0 and x = ±1/√2 are where a slope with exp(−x²) held constant (a NumPy factor)
    # agrees with the true one, or where the true one is 0; the other points tell them apart.
    inputs = [np.array([0.0, 0.5, -0.5, 1.0, -1.5, 2.0]),
              rng.uniform(-2, 2, size=(2, 3)),
              np.array(1.3),
              rng.uniform(0.3, 2, size=(4,)) * rng.choice([-1, 1], size=4)]
    for x in inputs:
        x = x.astype(np.float32)
        name = f"bump_slope(<x of shape {x.shape}>)"
        got = _call_repaired(answers, "bump_slope", tf.constant(x))
        if got is None:
            raise Fail(f"{name} returned None: the tape recorded nothing that links "
                       "x · exp(−x²) to x.",
                       "a constant is watched only after `tape.watch(x)`, inside the `with` "
                       "block and before it is used; and the tape records TensorFlow "
                       "operations only (NumPy is a constant to it).")
        array = as_array(got, name)
        if array.shape != x.shape:
            raise Fail(f"{name} has shape {array.shape}; the shape of `x`, {x.shape}, was "
                       "expected.", "the gradient of a sum of values over all elements has one "
                                    "value per element.")
        x64 = x.astype(np.float64)
        if np.allclose(array, np.exp(-x64**2), rtol=1e-3, atol=1e-4) and x.size > 1:
            raise Fail(f"{name} returned exp(−x²): the slope of x · exp(−x²) as if exp(−x²) "
                       "were a constant, which it is to the tape when NumPy computes it.",
                       "compute exp(−x²) with a TensorFlow operation (tf.exp or keras.ops.exp) "
                       "on the tensor, inside the tape, not with np.exp on x.numpy().")
        close(array, (1 - 2 * x64**2) * np.exp(-x64**2), name, rtol=1e-4, atol=1e-5,
              hint="the derivative is (1 − 2x²) · exp(−x²); compute x · exp(−x²) with "
                   "TensorFlow operations inside a tape that watches x.")


def _check_squares_gradient(answers: Answers) -> None:
    integers = ("a variable made from whole numbers is int32, which has no gradient; a cast "
                "inside the tape or after it comes too late: create it with a float dtype.")
    for values in ([3, -1, 4], [0, 7], [12], [-5, 2, 9, 1, 6]):
        name = f"squares_gradient({values})"
        got = _call_repaired(answers, "squares_gradient", list(values), hint=integers)
        if got is None:
            raise Fail(f"{name} returned None: the tape recorded no path from v to sum(v²).",
                       integers)
        array = as_array(got, name)
        if _dtype_kind(got) != "f":
            raise Fail(f"{name} holds integers; a floating-point gradient was expected.", integers)
        close(array, 2.0 * np.array(values), name, rtol=1e-6, atol=1e-6,
              hint="the gradient of sum(v²) is 2·v, one value per element of `values`.")


def _check_line(answers: Answers) -> None:
    import keras
    import tensorflow as tf

    in_place = ("move the variables Line() created in place, with assign_sub (or assign), "
                "and keep them: `line.w = …` rebinds the attribute, and what assign_sub returns "
                "is a stand-in, not the variable.")
    rng = np.random.default_rng(47)
    for learning_rate, steps in ((0.1, 4), (0.03, 3)):
        x = rng.uniform(-2, 2, size=20).astype(np.float32)
        y = (1.7 * x - 0.8 + rng.normal(0, 0.2, size=20)).astype(np.float32)
        try:
            line = answers["Line"]()
        except (NotAnswered, Fail):
            raise
        except Exception as error:  # noqa: BLE001 - the student's code
            raise Fail(f"calling `Line()` raised {type(error).__name__}: {error}",
                       "run `Line()` in a cell of its own to see where it fails.") from None
        held = {}
        for attribute in ("w", "b"):
            variable = getattr(line, attribute, None)
            label = f"Line().{attribute}"
            is_instance(variable, (tf.Variable, keras.Variable), label, "a tf.Variable",
                        hint="model state lives in variables, so that it can change in place.")
            if tuple(variable.shape) != () or _dtype_kind(variable) != "f":
                raise Fail(f"{label} has shape {tuple(variable.shape)} and dtype "
                           f"{np.asarray(variable.numpy()).dtype}; a scalar float variable was "
                           "expected.", "a variable made from a whole number is int32, which "
                                        "has no gradient: start it at 0.0.")
            close(variable.numpy(), 0.0, f"{label} before training", atol=0,
                  hint="both variables start at 0.")
            held[attribute] = variable
        # float64 gradient descent from zeros: the loss before each step, w and b after it
        w, b = 0.0, 0.0
        x64, y64 = x.astype(np.float64), y.astype(np.float64)
        for step in range(1, steps + 1):
            error = w * x64 + b - y64
            expected_loss = np.mean(error**2)
            w, b = (w - learning_rate * 2 * np.mean(error * x64),
                    b - learning_rate * 2 * np.mean(error))
            loss = _call_repaired(answers, "train_step", line, tf.constant(x), tf.constant(y),
                                  learning_rate)
            where = f"after step {step} of train_step(line, x, y, {learning_rate})"
            for attribute, variable in held.items():
                now = getattr(line, attribute, None)
                if now is not variable:
                    raise Fail(f"{where}, line.{attribute} is no longer the variable Line() "
                               f"created but an object of type {type(now).__name__}.", in_place)
            close(loss, expected_loss, f"the loss train_step returned at step {step}", rtol=1e-4,
                  atol=1e-6, hint="return the mean squared error computed inside the tape, "
                                  "before the update.")
            if step == 1 and held["b"].numpy() == 0.0:
                raise Fail(f"{where}, line.b is still 0: it did not move.",
                           "a tape watches trainable variables only: a variable created with "
                           "trainable=False gets a None gradient, and skipping that gradient "
                           "leaves it where it was. Create b trainable (the default), or watch it.")
            close(np.array([held["w"].numpy(), held["b"].numpy()]), [w, b],
                  f"the variables w and b Line() created, {where}", rtol=1e-4, atol=1e-5,
                  hint="each step moves w and b once by −learning_rate × gradient of the mean "
                       "squared error. " + in_place)


@question("04.q6", points=4,
          checks="the repaired bump_slope, squares_gradient, Line and train_step give the right "
                 "gradients (never None) and move the model's own variables in place",
          defines=("bump_slope", "squares_gradient", "Line", "train_step"),
          fixed="the names bump_slope(x), squares_gradient(values), Line() and "
                "train_step(line, x, y, learning_rate), their arguments and results, and "
                "Line.__call__ (w · x + b); how each body is repaired is free",
          verifies=("bump_slope on float32 constants of shapes (6,), (2, 3), () and (4,): not "
                    "None, x's shape, within 1e-4 of (1 − 2x²)·exp(−x²); a slope with exp(−x²) "
                    "left in NumPy (exp(−x²)) is named as such",
                    "squares_gradient on four lists of whole numbers: not None, a floating-point "
                    "tensor equal to 2·values",
                    "Line(): w and b are scalar float tf.Variables (keras.Variables accepted) "
                    "at 0",
                    "train_step for 4 steps at learning rate 0.1 and 3 at 0.03 on the check's "
                    "data: each returned loss is the one before the update, the very variables "
                    "Line() created are still line.w and line.b and match float64 gradient "
                    "descent after every step (b that never moves is named)"))
def _q6(answers: Answers) -> None:
    _check_bump_slope(answers)
    _check_squares_gradient(answers)
    _check_line(answers)
