"""Checks of exercise 06, called directly: honest answers pass, typical mistakes and cheats fail."""
from __future__ import annotations

import statistics
import time

import numpy as np
import pytest

from k2tf.checks import CheckFailed, run_check

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def model():
    return keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dense(10, activation="softmax")])


def honest_predict(model):
    @tf.function(input_signature=[tf.TensorSpec([None, 64], tf.float32)])
    def predict_classes(images):
        return tf.argmax(model(images, training=False), axis=1)
    return predict_classes


@tf.function
def collatz_steps(n):
    steps = tf.constant(0)
    while n > 1:
        n = tf.where(n % 2 == 0, n // 2, 3 * n + 1)
        steps += 1
    return steps


def counted():
    count = tf.Variable(0)

    @tf.function
    def counted_double(x):
        count.assign_add(1)
        return 2 * x
    return count, counted_double


@tf.function
def row_norms(x):
    return tf.sqrt(tf.reduce_sum(x**2, axis=1))


def median_time(fn, repeats, warmup):
    for _ in range(warmup):
        fn()
    durations = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations)


def honest(model):
    count, counted_double = counted()
    return {"model": model, "predict_classes": honest_predict(model), "collatz_steps": collatz_steps,
            "call_count": count, "counted_double": counted_double,
            "concrete_norms": row_norms.get_concrete_function(tf.TensorSpec([None, 3], tf.float32)),
            "median_time": median_time}


@pytest.mark.parametrize("qid", ["06.q1", "06.q2", "06.q3", "06.q4", "06.q5"])
def test_honest_answers_pass(qid, model):
    assert "passed" in run_check(qid, honest(model))


def fails(qid, message, model, **answers):
    with pytest.raises(CheckFailed, match=message):
        run_check(qid, {**honest(model), **answers})


def test_predict_classes_must_not_retrace(model):
    @tf.function
    def retraces(images):
        return tf.argmax(model(images, training=False), axis=1)

    @tf.function(reduce_retracing=True)
    def generalises_late(images):
        return tf.argmax(model(images, training=False), axis=1)

    fails("06.q1", "traced 5 times", model, predict_classes=retraces)
    fails("06.q1", "traced 2 times", model, predict_classes=generalises_late)
    fails("06.q1", "tf.function", model,
          predict_classes=lambda images: tf.argmax(model(images), axis=1))
    fails("06.q1", "shape", model, predict_classes=tf.function(
        lambda images: model(images), input_signature=[tf.TensorSpec([None, 64], tf.float32)]))


def test_collatz_must_loop_in_the_graph(model):
    @tf.function
    def python_loop(n):  # asks for n's value: there is none while tracing
        n = int(n.numpy())
        steps = 0
        while n > 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            steps += 1
        return steps

    @tf.function
    def off_by_one(n):
        return collatz_steps(n) + 1

    fails("06.q2", "raised", model, collatz_steps=python_loop)
    fails("06.q2", "expected", model, collatz_steps=off_by_one)


def test_counter_must_count_calls(model):
    python_counter = {"n": 0}
    plain_variable = tf.Variable(0)

    @tf.function
    def counts_traces(x):
        plain_variable.assign(plain_variable + 0)  # a variable, but never incremented per call
        python_counter["n"] += 1
        return 2 * x

    fails("06.q3", "tf.Variable", model, call_count=0)
    fails("06.q3", "every call", model, call_count=plain_variable, counted_double=counts_traces)


def test_concrete_function_mistakes(model):
    fails("06.q4", "concrete function", model, concrete_norms=row_norms)
    fresh = tf.function(row_norms.python_function)  # no general trace yet to reuse
    fails("06.q4", "any number of rows", model,
          concrete_norms=fresh.get_concrete_function(tf.TensorSpec([5, 3], tf.float32)))
    fails("06.q4", "float32", model,
          concrete_norms=fresh.get_concrete_function(tf.TensorSpec([None, 3], tf.float64)))


def test_median_time_mistakes(model):
    def mean_time(fn, repeats, warmup):
        for _ in range(warmup):
            fn()
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        return (time.perf_counter() - start) / repeats

    def no_warmup(fn, repeats, warmup):
        return median_time(fn, repeats + warmup, 0)

    def milliseconds(fn, repeats, warmup):
        return 1000 * median_time(fn, repeats, warmup)

    fails("06.q5", "median", model, median_time=mean_time)
    fails("06.q5", "median|7 were", model, median_time=no_warmup)
    fails("06.q5", "not seconds", model, median_time=milliseconds)
    fails("06.q5", "called fn", model, median_time=lambda fn, r, w: 0.01)


def test_errors_of_traced_functions_are_told_by_their_message():
    """TensorFlow opens a traced function's error with "in user code:" and a traceback; a
    failing check quotes the message that ends it."""
    from k2tf.checks.lesson06 import _error_line

    @tf.function
    def creates_a_variable_each_time(x):
        return tf.Variable(1.0) * x

    with pytest.raises(ValueError) as error:
        creates_a_variable_each_time(tf.constant(1.0))
    assert str(error.value).strip().startswith("in user code:")
    assert _error_line(error.value).startswith("tf.function only supports singleton tf.Variables")

    @tf.function
    def first_of(dataset):
        return next(iter(dataset))

    with pytest.raises(tf.errors.OutOfRangeError) as error:
        first_of(tf.data.Dataset.from_tensor_slices(tf.zeros([0])))
    assert _error_line(error.value) == "End of sequence"
    assert _error_line(TypeError("plain\nsecond line")) == "plain"


from answer_fixtures import fixture_tests  # noqa: E402
from answers.lesson06 import ANSWERS  # noqa: E402

test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell = \
    fixture_tests("06", ANSWERS)
