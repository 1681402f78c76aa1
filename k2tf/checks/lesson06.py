"""Checks for exercise 06 (graphs and tf.function)."""
from __future__ import annotations

import time

import numpy as np

from . import Answers, Fail, question
from .expect import as_array, as_number, is_instance


def _tf_function(answers: Answers, name: str):
    import tensorflow as tf

    value = answers[name]
    is_instance(value, tf.types.experimental.PolymorphicFunction, name, "a tf.function",
                hint="decorate the function with @tf.function (with arguments, if it needs them).")
    return value


def _call(name: str, fn, *args):
    from . import NotAnswered

    try:
        return fn(*args)
    except NotAnswered:
        raise
    except Exception as error:
        text = str(error).strip().splitlines()
        raise Fail(f"calling `{name}` raised {type(error).__name__}: {text[0] if text else ''}",
                   "call it in a cell of its own with a tensor input to see where it fails.") from None


@question("06.q1", points=3,
          checks="predict_classes is a tf.function that returns the model's classes for any "
                 "batch size and is traced once in all")
def _q1(answers: Answers) -> None:
    import tensorflow as tf

    fn = _tf_function(answers, "predict_classes")
    model = answers["model"]
    rng = np.random.default_rng(61)
    for batch_size in (3, 17, 64, 129):
        images = rng.uniform(0, 1, size=(batch_size, 64)).astype(np.float32)
        got = _call("predict_classes", fn, tf.constant(images))
        array = as_array(got, f"predict_classes(<{batch_size} images>)")
        if array.shape != (batch_size,):
            raise Fail(f"predict_classes returned shape {array.shape} for {batch_size} images; "
                       f"({batch_size},) was expected.", "one class per image: argmax over axis 1.")
        if not np.asarray(got).dtype.kind in "iu":
            raise Fail("predict_classes returned non-integer values.", "argmax gives integers.")
        expected = np.asarray(model(images, training=False)).argmax(axis=1)
        if not np.array_equal(array, expected):
            raise Fail(f"predict_classes disagrees with `model` on {int(np.sum(array != expected))} "
                       f"of {batch_size} images.", "use `model` on the whole batch.")
    traces = fn.experimental_get_tracing_count()
    if traces > 1:
        raise Fail(f"predict_classes has been traced {traces} times; once in all was asked for.",
                   "tell tf.function which inputs to expect, with `None` for the batch size.")


@question("06.q2", points=2,
          checks="collatz_steps returns the number of Collatz steps for int32 tensors, traced "
                 "once, with a loop in its graph")
def _q2(answers: Answers) -> None:
    import tensorflow as tf

    fn = _tf_function(answers, "collatz_steps")

    def reference(n):
        steps = 0
        while n > 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            steps += 1
        return steps

    for n in (1, 2, 6, 27, 97, 871):
        got = as_number(_call("collatz_steps", fn, tf.constant(n, tf.int32)), f"collatz_steps({n})")
        if got != reference(n):
            raise Fail(f"collatz_steps({n}) returned {got:g}; {reference(n)} was expected.",
                       "count one step per change of n, and stop when n is 1.")
    traces = fn.experimental_get_tracing_count()
    if traces > 1:
        raise Fail(f"collatz_steps was traced {traces} times for int32 scalars; once was asked for.",
                   "loop while a tensor condition holds, so AutoGraph makes it a graph loop "
                   "instead of unrolling it for each value.")
    concrete = fn.get_concrete_function(tf.TensorSpec([], tf.int32))
    types = {op.type for op in concrete.graph.get_operations()}
    if not any("While" in t for t in types):
        raise Fail("the traced graph of collatz_steps has no loop operation.",
                   "write the loop as `while <tensor condition>:` inside the tf.function.")


@question("06.q3", points=2,
          checks="counted_double doubles its input and adds 1 to the tf.Variable call_count on "
                 "every call")
def _q3(answers: Answers) -> None:
    import tensorflow as tf

    counter = answers["call_count"]
    is_instance(counter, tf.Variable, "call_count", "a tf.Variable",
                hint="a Python number changes only while the function is traced.")
    fn = _tf_function(answers, "counted_double")
    start = as_number(counter.numpy(), "call_count")
    values = np.random.default_rng(63).normal(size=(4, 3)).astype(np.float32)
    for i, row in enumerate(values, 1):
        got = _call("counted_double", fn, tf.constant(row))
        name = "counted_double(x)"
        array = as_array(got, name)
        if array.shape != row.shape or not np.allclose(array, 2 * row, atol=1e-6):
            raise Fail("counted_double(x) does not return 2 × x.", "return twice the input tensor.")
        now = as_number(counter.numpy(), "call_count")
        if now != start + i:
            raise Fail(f"after {i} call(s) call_count went from {start:g} to {now:g}; it should "
                       f"count every call.",
                       "update the variable with a TensorFlow operation inside the function, "
                       "which runs on every call.")


@question("06.q4", points=2,
          checks="concrete_norms is row_norms' concrete function for float32 matrices of any "
                 "number of rows and 3 columns")
def _q4(answers: Answers) -> None:
    import tensorflow as tf

    concrete = answers["concrete_norms"]
    is_instance(concrete, tf.types.experimental.ConcreteFunction, "concrete_norms",
                "a concrete function", hint="a tf.function gives one with get_concrete_function(...).")
    args, _ = concrete.structured_input_signature
    spec = args[0] if args else None
    if not isinstance(spec, tf.TensorSpec) or spec.dtype != tf.float32:
        raise Fail("concrete_norms does not take a float32 tensor.",
                   "describe the input with tf.TensorSpec(shape=..., dtype=tf.float32).")
    if spec.shape.as_list() != [None, 3]:
        raise Fail(f"concrete_norms takes tensors of shape {spec.shape}; any number of rows and "
                   "3 columns was asked for.", "`None` in a shape means any size.")
    x = np.random.default_rng(64).normal(size=(7, 3)).astype(np.float32)
    got = as_array(_call("concrete_norms", concrete, tf.constant(x)), "concrete_norms(x)")
    if got.shape != (7,) or not np.allclose(got, np.linalg.norm(x, axis=1), rtol=1e-5):
        raise Fail("concrete_norms does not compute row_norms.",
                   "get the concrete function from `row_norms` itself.")


@question("06.q5", points=2,
          checks="median_time calls fn warmup + repeats times and returns the median duration "
                 "of the timed calls, in seconds")
def _q5(answers: Answers) -> None:
    # A function whose durations are known: two slow first calls (like tracing), then timed
    # calls of 10 ms with two slow outliers. Only the median of the timed calls is ~10 ms: the
    # mean is 30 ms, and counting the warm-up calls moves the median to 60 ms.
    pattern = [0.12, 0.10, 0.01, 0.06, 0.01, 0.06, 0.01]
    calls = [0]

    def fn():
        index = calls[0]
        calls[0] += 1
        time.sleep(pattern[index] if index < len(pattern) else 0.01)

    got = as_number(answers.call("median_time", fn, 5, 2), "median_time(fn, repeats=5, warmup=2)")
    if calls[0] != 7:
        raise Fail(f"median_time(fn, repeats=5, warmup=2) called fn {calls[0]} times; 7 were "
                   "expected.", "warm-up calls first, then the timed calls, each once.")
    if got > 1:
        raise Fail(f"median_time returned {got:g} for calls of about 0.01 s: not seconds.",
                   "time.perf_counter() counts in seconds; return its differences unchanged.")
    if not 0.009 <= got <= 0.02:
        raise Fail(f"median_time returned {got:.3f} s for a function whose typical timed call "
                   "takes 0.010 s.", "skip the warm-up calls, time each call on its own and "
                   "take the median (statistics.median), not the mean.")
