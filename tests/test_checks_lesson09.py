"""Lesson 09's checks, called directly: honest answers pass, typical mistakes and cheats fail."""
from __future__ import annotations

import re

import pytest

import k2tf
from k2tf.checks import CheckFailed, run_check


@pytest.fixture(scope="module")
def tf_keras():
    k2tf.setup(quiet=False)
    import keras
    import tensorflow as tf

    return tf, keras


def test_q1_needs_the_assertions(tf_keras):
    tf, _ = tf_keras

    def honest(y_true, y_pred):
        tf.debugging.assert_shapes([(y_true, ("N",)), (y_pred, ("N",))])
        tf.debugging.assert_type(y_pred, tf.float32)
        return tf.reduce_mean(tf.square(y_true - y_pred))

    def no_dtype(y_true, y_pred):
        tf.debugging.assert_shapes([(y_true, ("N",)), (y_pred, ("N",))])
        return tf.reduce_mean(tf.square(y_true - tf.cast(y_pred, y_true.dtype)))

    def reshapes(y_true, y_pred):  # hides the bug instead of reporting it
        return tf.reduce_mean(tf.square(tf.reshape(y_true, [-1]) - tf.reshape(y_pred, [-1])))

    assert "passed" in run_check("09.q1", {"checked_mse": honest})
    with pytest.raises(CheckFailed, match="float64"):
        run_check("09.q1", {"checked_mse": no_dtype})
    with pytest.raises(CheckFailed, match=r"\(7, 1\)"):
        run_check("09.q1", {"checked_mse": reshapes})
    with pytest.raises(CheckFailed, match="mean squared error"):
        run_check("09.q1", {"checked_mse": lambda a, b: tf.constant(0.5)})


def _first_bad(tf, slots=slice(5, 8), last=False):
    from tensorflow.python.debug.lib.debug_events_reader import DebugDataReader

    def first_nonfinite_op(dump_root):
        with DebugDataReader(dump_root) as reader:
            reader.update()
            bad = [t for t in reader.graph_execution_traces() if any(t.debug_tensor_value[slots])]
            if bad:
                return (bad[-1] if last else bad[0]).op_type, (bad[-1] if last else bad[0]).op_name
        return None

    return first_nonfinite_op


def test_q2_compares_with_the_true_first_op(tf_keras):
    tf, _ = tf_keras
    assert "passed" in run_check("09.q2", {"first_nonfinite_op": _first_bad(tf)})
    # hard-coded answers: right for one program at most
    for cheat in [("Log", "Log"), ("RealDiv", "truediv"), ("Sqrt", "Sqrt")]:
        with pytest.raises(CheckFailed, match="not the first op"):
            run_check("09.q2", {"first_nonfinite_op": lambda root, c=cheat: c})
    # the last bad op instead of the first; NaN counted but not infinities
    with pytest.raises(CheckFailed, match="not the first op"):
        run_check("09.q2", {"first_nonfinite_op": _first_bad(tf, last=True)})
    with pytest.raises(CheckFailed, match="not the first op|returned None"):
        run_check("09.q2", {"first_nonfinite_op": _first_bad(tf, slots=slice(7, 8))})
    with pytest.raises(CheckFailed, match="tuple"):
        run_check("09.q2", {"first_nonfinite_op": lambda root: "Log"})


def test_q3_needs_the_op_type_and_checks_switched_off(tf_keras):
    tf, _ = tf_keras

    def honest(function, *args):
        tf.debugging.enable_check_numerics()
        try:
            function(*args)
        except tf.errors.InvalidArgumentError as error:
            return re.search(r'of (?:graph|eagerly-executing) op "(\w+)"', str(error))[1]
        finally:
            tf.debugging.disable_check_numerics()
        return None

    def left_on(function, *args):
        tf.debugging.enable_check_numerics()
        try:
            function(*args)
        except tf.errors.InvalidArgumentError as error:
            return re.search(r'of (?:graph|eagerly-executing) op "(\w+)"', str(error))[1]
        return None

    assert "passed" in run_check("09.q3", {"nonfinite_op_type": honest})
    with pytest.raises(CheckFailed, match="still on"):
        run_check("09.q3", {"nonfinite_op_type": left_on})
    with pytest.raises(CheckFailed, match="RealDiv"):
        run_check("09.q3", {"nonfinite_op_type": lambda f, *a: "Log"})
    tf.debugging.disable_check_numerics()


def test_q4_counts_traces(tf_keras):
    tf, _ = tf_keras

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.float32)])
    def honest(x, exponent):
        return x ** exponent

    @tf.function
    def retracing(x, exponent):
        return x ** exponent

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.float32)])
    def squares(x, exponent):
        return x ** 2.0

    assert "passed" in run_check("09.q4", {"power": honest})
    with pytest.raises(CheckFailed, match="retraces"):
        run_check("09.q4", {"power": retracing})
    with pytest.raises(CheckFailed, match="x \\*\\* exponent"):
        run_check("09.q4", {"power": squares})
    with pytest.raises(CheckFailed, match="not a tf.function"):
        run_check("09.q4", {"power": lambda x, e: x ** e})


def test_q5_the_given_buggy_function_fails_and_a_fix_passes(tf_keras):
    _, keras = tf_keras

    def train_buggy(model, x, y, epochs):  # as given in the exercise
        model.layers[0].trainable = False
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=5.0),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False))
        return model.fit(x, y, epochs=epochs, batch_size=64, verbose=0)

    def fixed(model, x, y, epochs, lr=1e-2, from_logits=True, freeze=False):
        model.layers[0].trainable = not freeze
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits))
        return model.fit(x, y, epochs=epochs, batch_size=64, verbose=0)

    assert "passed" in run_check("09.q5", {"train_fixed": fixed})
    with pytest.raises(CheckFailed):
        run_check("09.q5", {"train_fixed": train_buggy})
    with pytest.raises(CheckFailed, match="did not change"):
        run_check("09.q5", {"train_fixed": lambda *a: fixed(*a, freeze=True)})
    with pytest.raises(CheckFailed, match="what fit returns"):
        run_check("09.q5", {"train_fixed": lambda m, x, y, e: fixed(m.__class__.from_config(
            m.get_config()), x, y, e)})


from answer_fixtures import fixture_tests  # noqa: E402
from answers.lesson09 import ANSWERS  # noqa: E402

test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell = \
    fixture_tests("09", ANSWERS)
