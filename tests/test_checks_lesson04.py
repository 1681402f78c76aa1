"""Checks of exercise 04, called directly: honest answers pass, typical mistakes and cheats fail."""
from __future__ import annotations

import numpy as np
import pytest

from k2tf.checks import CheckFailed, run_check

tf = pytest.importorskip("tensorflow")


def standardize(x):
    x = tf.cast(tf.convert_to_tensor(x), tf.float32)
    return (x - tf.reduce_mean(x, axis=0)) / tf.math.reduce_std(x, axis=0)


def descend(variable, gradient, learning_rate):
    variable.assign_sub(learning_rate * gradient)


def derivative(f, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x)


def second_derivative(f, x):
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        first = inner.gradient(y, x)
    return outer.gradient(first, x)


def fit_linear(x, y, steps, learning_rate):
    x, y = tf.constant(x, tf.float32), tf.constant(y, tf.float32)
    w, b, losses = tf.Variable(tf.zeros([x.shape[1]])), tf.Variable(0.0), []
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((tf.reduce_sum(x * w, axis=1) + b - y) ** 2)
        gw, gb = tape.gradient(loss, [w, b])
        w.assign_sub(learning_rate * gw)
        b.assign_sub(learning_rate * gb)
        losses.append(float(loss))
    return w, b, losses


def bump_slope(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * tf.exp(-(x**2))
    return tape.gradient(y, x)


def squares_gradient(values):
    v = tf.Variable(values, dtype=tf.float32)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v**2)
    return tape.gradient(y, v)


class Line:
    def __init__(self):
        self.w = tf.Variable(0.0)
        self.b = tf.Variable(0.0)

    def __call__(self, x):
        return self.w * x + self.b


def train_step(line, x, y, learning_rate):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((line(x) - y) ** 2)
    grad_w, grad_b = tape.gradient(loss, [line.w, line.b])
    line.w.assign_sub(learning_rate * grad_w)
    line.b.assign_sub(learning_rate * grad_b)
    return loss


HONEST = {"standardize": standardize, "descend": descend, "derivative": derivative,
          "second_derivative": second_derivative, "fit_linear": fit_linear,
          "bump_slope": bump_slope, "squares_gradient": squares_gradient, "Line": Line,
          "train_step": train_step}


@pytest.mark.parametrize("qid", ["04.q1", "04.q2", "04.q3", "04.q4", "04.q5", "04.q6"])
def test_honest_answers_pass(qid):
    assert "passed" in run_check(qid, HONEST)


def fails(qid, message, **answers):
    with pytest.raises(CheckFailed, match=message):
        run_check(qid, {**HONEST, **answers})


def test_standardize_mistakes():
    fails("04.q1", "tf.Tensor", standardize=lambda x: (x - np.mean(x, 0)) / np.std(x, 0))
    fails("04.q1", "float32", standardize=lambda x: tf.cast(standardize(x), tf.float64))
    fails("04.q1", "wrong values", standardize=lambda x: tf.transpose(standardize(tf.transpose(x))))
    # n − 1 in the standard deviation
    fails("04.q1", "n − 1", standardize=lambda x: standardize(x) * np.sqrt(
        (np.shape(x)[0] - 1) / np.shape(x)[0]))


def test_descend_must_change_the_variable_in_place():
    def rebinds(variable, gradient, learning_rate):
        variable = variable - learning_rate * gradient  # noqa: F841

    fails("04.q2", "still holds its old value", descend=rebinds)
    fails("04.q2", "wrong values",
          descend=lambda v, g, lr: v.assign_add(lr * g))


def test_derivative_mistakes_and_cheats():
    def unwatched(f, x):
        with tf.GradientTape() as tape:
            y = f(x)
        return tape.gradient(y, x)

    def finite_difference(f, x):
        h = 1e-2
        return (f(x + h) - f(x - h)) / (2 * h)

    fails("04.q3", "None", derivative=unwatched)
    fails("04.q3", "wrong values|GradientTape", derivative=finite_difference)
    fails("04.q3", "wrong values", derivative=lambda f, x: f(x))
    fails("04.q4", "wrong values", second_derivative=derivative)
    fails("04.q4", "None", second_derivative=lambda f, x: None)


def test_repairs_that_still_fail():
    class FrozenBias(Line):
        def __init__(self):
            self.w = tf.Variable(0.0)
            self.b = tf.Variable(0.0, trainable=False)

    def rebinds(line, x, y, learning_rate):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((line(x) - y) ** 2)
        grad_w, grad_b = tape.gradient(loss, [line.w, line.b])
        line.w = line.w - learning_rate * grad_w
        line.b = line.b - learning_rate * grad_b
        return loss

    fails("04.q6", "None", bump_slope=lambda x: None)
    fails("04.q6", r"exp\(−x²\)", bump_slope=lambda x: tf.exp(-(x**2)))
    fails("04.q6", "None", squares_gradient=lambda values: None)
    fails("04.q6", "integers", squares_gradient=lambda values: 2 * tf.constant(values))
    fails("04.q6", "None", Line=FrozenBias)
    fails("04.q6", "no longer the variable", train_step=rebinds)


def test_fit_linear_mistakes_and_cheats():
    def closed_form(x, y, steps, learning_rate):  # the right answer without gradient descent
        design = np.hstack([x, np.ones((len(x), 1))])
        sol = np.linalg.lstsq(design, y, rcond=None)[0]
        losses = [float(np.mean(y**2))] + [0.1] * (steps - 1)
        return tf.Variable(sol[:-1].astype("float32")), tf.Variable(float(sol[-1])), losses

    def too_few_steps(x, y, steps, learning_rate):
        return fit_linear(x, y, max(1, steps // 10), learning_rate)

    fails("04.q5", "the losses", fit_linear=closed_form)
    fails("04.q5", "shape", fit_linear=too_few_steps)
    fails("04.q5", "tf.Variable",
          fit_linear=lambda *a: tuple(v.numpy() if i < 2 else v for i, v in enumerate(fit_linear(*a))))
    fails("04.q5", "three things", fit_linear=lambda *a: fit_linear(*a)[:2])


from answer_fixtures import fixture_tests  # noqa: E402
from answers.lesson04 import ANSWERS  # noqa: E402

test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell = \
    fixture_tests("04", ANSWERS)
