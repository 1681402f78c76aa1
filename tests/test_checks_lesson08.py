"""Lesson 08's checks, called directly: honest answers pass, typical mistakes and cheats fail."""
from __future__ import annotations

import pytest

import k2tf
from k2tf.checks import CheckFailed, run_check


@pytest.fixture(scope="module")
def tf_keras():
    k2tf.setup(quiet=False)
    import keras
    import tensorflow as tf

    return tf, keras


def _callback(keras, **kwargs):
    return lambda log_dir: keras.callbacks.TensorBoard(log_dir=log_dir, **kwargs)


def test_q1_needs_histograms_in_the_given_folder(tf_keras, tmp_path):
    tf, keras = tf_keras
    assert "passed" in run_check("08.q1", {"make_tensorboard_callback": _callback(keras, histogram_freq=1)})
    with pytest.raises(CheckFailed, match="histogram"):
        run_check("08.q1", {"make_tensorboard_callback": _callback(keras)})
    elsewhere = str(tmp_path / "mine")
    with pytest.raises(CheckFailed, match="no event file"):
        run_check("08.q1", {"make_tensorboard_callback":
                            lambda log_dir: keras.callbacks.TensorBoard(elsewhere, histogram_freq=1)})
    with pytest.raises(CheckFailed, match="no event file"):  # a callback that logs nothing
        run_check("08.q1", {"make_tensorboard_callback": lambda log_dir: keras.callbacks.History()})
    with pytest.raises(CheckFailed, match="a Keras callback"):
        run_check("08.q1", {"make_tensorboard_callback": lambda log_dir: log_dir})


def _train_and_log(tf, keras, *, loss_step_offset=1, hist_tag=lambda v: v.path, images=4,
                   log_loss_after_update=False):
    def train_and_log(model, dataset, epochs, log_dir):
        optimizer = keras.optimizers.Adam(1e-2)
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        step = 0
        with tf.summary.create_file_writer(log_dir).as_default():
            for epoch in range(epochs):
                accuracy = keras.metrics.SparseCategoricalAccuracy()
                for x, y in dataset:
                    if step == 0 and images:
                        tf.summary.image("inputs", tf.reshape(x[:images], (-1, 8, 8, 1)), step=0,
                                         max_outputs=images)
                    with tf.GradientTape() as tape:
                        logits = model(x, training=True)
                        loss = loss_fn(y, logits)
                    grads = tape.gradient(loss, model.trainable_variables)
                    optimizer.apply(grads, model.trainable_variables)
                    if log_loss_after_update:
                        loss = loss_fn(y, model(x))
                    tf.summary.scalar("loss", loss, step=step + loss_step_offset)
                    step += 1
                    accuracy.update_state(y, logits)
                tf.summary.scalar("accuracy", accuracy.result(), step=epoch)
                for v in model.trainable_variables:
                    tf.summary.histogram(hist_tag(v), v, step=epoch)

    return train_and_log


def test_q2_reads_tags_and_steps_of_the_custom_loop(tf_keras):
    tf, keras = tf_keras
    assert "passed" in run_check("08.q2", {"train_and_log": _train_and_log(tf, keras)})
    cases = {
        "steps 1 to 6": dict(loss_step_offset=0),  # loss at steps 0..5
        "`.path`": dict(hist_tag=lambda v: v.name),
        "4 images": dict(images=2),
        "loss of the first batch": dict(log_loss_after_update=True),
    }
    for message, kwargs in cases.items():
        with pytest.raises(CheckFailed, match=message):
            run_check("08.q2", {"train_and_log": _train_and_log(tf, keras, **kwargs)})
    with pytest.raises(CheckFailed, match="does not train"):
        run_check("08.q2", {"train_and_log": lambda *args: None})


def test_q3_needs_the_graph_of_the_given_function(tf_keras):
    tf, _ = tf_keras

    def honest(function, example, log_dir, name):
        tf.summary.trace_on(graph=True)
        function(example)
        with tf.summary.create_file_writer(log_dir).as_default():
            tf.summary.trace_export(name=name, step=0)

    def other_graph(function, example, log_dir, name):  # traced before recording started
        function(example)
        tf.summary.trace_on(graph=True)
        tf.function(lambda x: x * 2)(example)
        with tf.summary.create_file_writer(log_dir).as_default():
            tf.summary.trace_export(name=name, step=0)

    def never_called(function, example, log_dir, name):
        with tf.summary.create_file_writer(log_dir).as_default():
            tf.summary.scalar(name, 1.0, step=0)

    # Wrong answers first: once a probe with the same definition has been recorded, TensorFlow
    # may record a later identical one that was traced before trace_on.
    with pytest.raises(CheckFailed, match="before recording started|not the graph of the function"):
        run_check("08.q3", {"export_graph": other_graph})
    with pytest.raises(CheckFailed, match="never called"):
        run_check("08.q3", {"export_graph": never_called})
    assert "passed" in run_check("08.q3", {"export_graph": honest})


def test_q4_needs_the_hparams_record(tf_keras):
    tf, _ = tf_keras
    from tensorboard.plugins.hparams import api as hp

    def honest(run_dir, hparams, val_accuracy):
        with tf.summary.create_file_writer(run_dir).as_default():
            hp.hparams(hparams)
            tf.summary.scalar("val_accuracy", val_accuracy, step=1)

    def scalar_only(run_dir, hparams, val_accuracy):
        with tf.summary.create_file_writer(run_dir).as_default():
            tf.summary.scalar("val_accuracy", val_accuracy, step=1)

    def made_up(run_dir, hparams, val_accuracy):
        with tf.summary.create_file_writer(run_dir).as_default():
            hp.hparams({name: 0.1 for name in hparams})
            tf.summary.scalar("val_accuracy", val_accuracy, step=1)

    assert "passed" in run_check("08.q4", {"log_trial": honest})
    with pytest.raises(CheckFailed, match="no hyperparameters"):
        run_check("08.q4", {"log_trial": scalar_only})
    with pytest.raises(CheckFailed, match="not the ones given"):
        run_check("08.q4", {"log_trial": made_up})


def test_q5_wants_the_last_value_not_the_peak(tf_keras):
    from k2tf.logs import read_scalars, runs_under

    def best(sweep_dir, metric, pick=lambda values: values[-1][1]):
        scores = {}
        for run in runs_under(sweep_dir):
            scalars = read_scalars(f"{sweep_dir}/{run}")
            if metric in scalars:
                scores[run] = pick(scalars[metric])
        return max(scores, key=scores.get)

    assert "passed" in run_check("08.q5", {"best_trial": best})
    with pytest.raises(CheckFailed, match="last value"):
        run_check("08.q5", {"best_trial": lambda d, m: best(d, m, pick=lambda v: max(x for _, x in v))})
    with pytest.raises(CheckFailed, match="a str"):
        run_check("08.q5", {"best_trial": lambda d, m: 3})


def test_q6_reads_the_text_as_tensorboard_renders_it(tf_keras):
    tf, _ = tf_keras

    def notes_writer(table_of, note_steps=lambda notes: enumerate(notes)):
        def log_run_notes(log_dir, config, notes):
            with tf.summary.create_file_writer(log_dir).as_default():
                tf.summary.text("config", table_of(config), step=0)
                for step, note in note_steps(notes):
                    tf.summary.text("notes", note, step=step)
        return log_run_notes

    def table(config, separator="|---|---|\n"):
        return "| setting | value |\n" + separator + "\n".join(
            f"| {name} | {value} |" for name, value in config.items())

    assert "passed" in run_check("08.q6", {"log_run_notes": notes_writer(table)})
    cases = {
        "not a Markdown table": notes_writer(lambda config: table(config, separator="")),
        "one row per setting": notes_writer(lambda config: table(dict(list(config.items())[1:]))),
        "first column": notes_writer(lambda config: table({k.upper(): v for k, v in config.items()})),
        "not its value": notes_writer(lambda config: table({k: 1 for k in config})),
        "steps": notes_writer(table, note_steps=lambda notes: enumerate(notes, start=1)),
        "not the note given": notes_writer(table, note_steps=lambda notes: enumerate(
            n.upper() for n in notes)),
    }
    for message, answer in cases.items():
        with pytest.raises(CheckFailed, match=message):
            run_check("08.q6", {"log_run_notes": answer})
    with pytest.raises(CheckFailed, match="no event file"):
        run_check("08.q6", {"log_run_notes": lambda *args: None})


from answer_fixtures import fixture_tests  # noqa: E402
from answers.lesson08 import ANSWERS  # noqa: E402

# Each question's answer makes its own models and run folders and only reads earlier ones (08.q5
# reads 08.q4's sweep): the solution's cells before each runs once for all its answers.
test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell = \
    fixture_tests("08", ANSWERS, share_prefix=("08.q2", "08.q3", "08.q4", "08.q5", "08.q6"))
