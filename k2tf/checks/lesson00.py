"""Checks for exercise 00 (welcome): warm-up questions that teach how checks work."""
from __future__ import annotations

import numpy as np

from . import Answers, Fail, question
from .expect import as_array, close, is_instance


@question("00.q1", points=1,
          checks="celsius_to_fahrenheit converts numbers and NumPy arrays correctly",
          defines=("celsius_to_fahrenheit",),
          fixed="the name celsius_to_fahrenheit(celsius); F = C × 9/5 + 32; works on a number and "
                "on a NumPy array (element-wise); how it computes is free",
          verifies=("0, 100, −40 °C and a random temperature convert exactly (to 1e-5)",
                    "an array of 7 random temperatures converts element by element, same shape"))
def _q1(answers: Answers) -> None:
    rng = np.random.default_rng(1)
    for celsius in (0.0, 100.0, -40.0, float(rng.uniform(-50, 50))):
        got = answers.call("celsius_to_fahrenheit", celsius)
        close(got, celsius * 9 / 5 + 32, f"celsius_to_fahrenheit({celsius:g})",
              hint="water freezes at 32 °F and boils at 212 °F; F = C × 9/5 + 32.")
    temps = rng.uniform(-30, 45, size=7)
    got = answers.call("celsius_to_fahrenheit", temps)
    close(got, temps * 9 / 5 + 32, "celsius_to_fahrenheit(array of 7 temperatures)",
          hint="use arithmetic operators only (no `if`, no `math` functions), so NumPy can "
               "apply them to every element of an array at once.")


@question("00.q2", points=2,
          checks="first_tensor is a float32 tf.Tensor of shape (2, 3) holding 1…6 row by row",
          defines=("first_tensor",),
          fixed="the name first_tensor; a tf.Tensor (not a NumPy array, not a tf.Variable); "
                "dtype float32; shape (2, 3); values 1…6 row by row; how it is built is free",
          verifies=("it is a tf.Tensor and not a tf.Variable", "its dtype is float32",
                    "its shape is (2, 3)", "its values are [[1, 2, 3], [4, 5, 6]]"))
def _q2(answers: Answers) -> None:
    import tensorflow as tf

    value = answers["first_tensor"]
    if isinstance(value, tf.Variable):
        raise Fail("`first_tensor` is a tf.Variable; this question asks for a constant tensor.",
                   "a tf.Variable holds state that training changes; build a constant instead.")
    is_instance(value, tf.Tensor, "first_tensor", "a tf.Tensor",
                hint="NumPy arrays and lists are not TensorFlow tensors: look at `tf.constant`.")
    if value.dtype != tf.float32:
        raise Fail(f"`first_tensor` has dtype {value.dtype.name}; float32 was expected.",
                   "integers in Python give an int32 tensor: write 1.0 instead of 1, "
                   "or pass a dtype.")
    if tuple(value.shape) != (2, 3):
        raise Fail(f"`first_tensor` has shape {tuple(value.shape)}; (2, 3) was expected.",
                   "two rows of three numbers: a list of two lists.")
    close(value, np.arange(1, 7).reshape(2, 3), "first_tensor",
          hint="the first row is 1, 2, 3 and the second 4, 5, 6.")


@question("00.q3", points=1,
          checks="dense_parameter_count gives the number of weights of a Dense layer for any sizes",
          defines=("dense_parameter_count",),
          fixed="the name dense_parameter_count(n_inputs, n_units); returns one whole number; "
                "computing it by formula or by building a real layer is free",
          verifies=("the count (weights and biases) for 1×1, 64×10 and five random sizes up to 500",
                    "the result is a single number, not an array"))
def _q3(answers: Answers) -> None:
    rng = np.random.default_rng(3)
    pairs = [(1, 1), (64, 10)] + [tuple(int(n) for n in rng.integers(1, 500, size=2))
                                   for _ in range(5)]
    for n_inputs, n_units in pairs:
        got = answers.call("dense_parameter_count", n_inputs, n_units)
        value = as_array(got, f"dense_parameter_count({n_inputs}, {n_units})")
        expected = n_inputs * n_units + n_units
        if value.shape != () or value != expected:
            raise Fail(
                f"dense_parameter_count({n_inputs}, {n_units}) returned {got!r}; "
                f"that is not the number of parameters of such a layer.",
                "a Dense layer has one weight for each (input, unit) pair, and one bias per unit: "
                "lesson 00 prints a real layer's kernel and bias shapes and its count_params().",
            )


_Q4_SEEDS = (11, 12, 2026)
_GLOROT_LIMIT = float(np.sqrt(6 / (3 + 4)))  # Dense's default initializer, 3 inputs, 4 units


def _q4_kernel(answers: Answers, seed: int) -> np.ndarray:
    import keras

    name = f"initial_weights({seed})"
    got = answers.call("initial_weights", seed)
    if isinstance(got, keras.layers.Layer):
        raise Fail(f"`{name}` returned the layer itself; its initial kernel (weights) was asked for.",
                   "a built layer keeps its weights in `layer.kernel` (lesson 00 prints its shape): "
                   "return that, or its `.numpy()`.")
    if isinstance(got, (list, tuple)) and any(np.ndim(part) != 1 for part in got):
        raise Fail(f"`{name}` returned a {type(got).__name__} of {len(got)} things; one array, "
                   "the kernel, was expected.",
                   "return only `layer.kernel` (the bias is `layer.bias`).")
    value = as_array(got, name)
    if value.shape != (3, 4):
        raise Fail(f"`{name}` has shape {value.shape}; the kernel of a Dense(4) layer on inputs of "
                   "3 features has shape (3, 4).",
                   "build the layer with `layer.build((None, 3))` and return `layer.kernel` "
                   "(the bias is `layer.bias`).")
    if not np.all(np.isfinite(value)):
        raise Fail(f"`{name}` contains NaN or infinite values.")
    return value


def _draw_other_random_numbers() -> None:
    """What a notebook does between two runs of a model: it draws random numbers elsewhere."""
    import random

    import keras
    import tensorflow as tf

    random.random()
    np.random.random(5)
    tf.random.uniform([5])
    keras.random.uniform((5,))
    keras.layers.Dense(2).build((None, 2))


@question("00.q4", points=1,
          checks="initial_weights(seed) gives a fresh Dense layer's initial kernel, repeatable "
                 "for one seed and different for another",
          defines=("initial_weights",),
          fixed="the name initial_weights(seed); returns the initial kernel (not the layer, not "
                "the bias) of a new keras.layers.Dense(4) built for inputs of 3 features, as a "
                "NumPy array or a tensor of shape (3, 4), drawn by Keras's default initializer; "
                "how the function makes it repeatable is free",
          verifies=("the kernel has shape (3, 4) and holds random values (not one repeated "
                    "number) within the default initializer's range",
                    "the same seed gives exactly the same kernel again, after other random "
                    "numbers were drawn in between",
                    "three different seeds give three different kernels"))
def _q4(answers: Answers) -> None:
    import random

    saved = random.getstate(), np.random.get_state()
    try:
        _q4_check(answers)
    finally:  # leave the notebook's Python and NumPy random sequences as they were
        random.setstate(saved[0])
        np.random.set_state(saved[1])


def _q4_check(answers: Answers) -> None:
    seed = _Q4_SEEDS[0]
    first = _q4_kernel(answers, seed)
    if np.ptp(first) == 0:
        raise Fail(f"every weight of `initial_weights({seed})` is {first.flat[0]:g}: a layer's "
                   "initial weights are random numbers, not one constant.",
                   "keep the Dense layer's default initializer: it draws random weights.")
    if np.max(np.abs(first)) > _GLOROT_LIMIT + 1e-6:
        raise Fail(f"`initial_weights({seed})` holds {np.max(np.abs(first)):.3g}; a new Dense(4) "
                   f"layer on 3 inputs starts with weights within ±{_GLOROT_LIMIT:.3f}.",
                   "return the kernel of a new `keras.layers.Dense(4)` with its default "
                   "initializer, not random numbers of your own.")
    _draw_other_random_numbers()
    again = _q4_kernel(answers, seed)
    if not np.array_equal(first, again):
        raise Fail(f"`initial_weights({seed})` gave other numbers the second time (random numbers "
                   "were drawn elsewhere in between), so a run cannot be repeated.",
                   "seed inside the function, each time it is called, with its `seed`: lesson 00 "
                   "shows `k2tf.setup(seed=7)` restarting the random sequence, and that "
                   "`tf.random.set_seed` alone does not repeat a new layer's weights.")
    kernels = {seed: first}
    for other in _Q4_SEEDS[1:]:
        _draw_other_random_numbers()
        kernels[other] = _q4_kernel(answers, other)
    for i, a in enumerate(_Q4_SEEDS):
        for b in _Q4_SEEDS[i + 1:]:
            if np.array_equal(kernels[a], kernels[b]):
                raise Fail(f"`initial_weights({a})` and `initial_weights({b})` are identical: "
                           "the seed makes no difference.",
                           "use the function's argument `seed` to seed the random numbers, "
                           "not a number of your own.")
