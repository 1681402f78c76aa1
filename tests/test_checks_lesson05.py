"""Checks of exercise 05, called directly: honest answers pass, typical mistakes and cheats fail."""
from __future__ import annotations

import numpy as np
import pytest

from k2tf.checks import CheckFailed, run_check

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def make_dataset(x, y, batch_size, seed):
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def total_loss(model, y_true, y_pred):
    return keras.losses.SparseCategoricalCrossentropy()(y_true, y_pred) + sum(model.losses)


def evaluate(model, dataset):
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    mean, accuracy = keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy()
    for x, y in dataset:
        p = model(x, training=False)
        mean.update_state(loss_fn(y, p), sample_weight=tf.shape(x)[0])
        accuracy.update_state(y, p)
    return float(mean.result()), float(accuracy.result())


def train_loop(model, dataset, steps, learning_rate=3e-3):
    optimizer = keras.optimizers.Adam(learning_rate)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = total_loss(model, y, model(x, training=True))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        return loss

    return [float(step(x, y)) for x, y in dataset.take(steps)]


def should_stop(val_losses, patience):
    return len(val_losses) > patience and min(val_losses[-patience:]) >= min(val_losses[:-patience])


def clipped_step(model, optimizer, x, y, max_norm):
    with tf.GradientTape() as tape:
        loss = total_loss(model, y, model(x, training=True))
    gradients, _ = tf.clip_by_global_norm(tape.gradient(loss, model.trainable_variables), max_norm)
    optimizer.apply(gradients, model.trainable_variables)
    return loss


def train_resumable(model, optimizer, dataset, steps, directory):
    step = tf.Variable(0, dtype=tf.int64)
    batches = iter(dataset)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, step=step, data=batches)
    manager = tf.train.CheckpointManager(checkpoint, directory, max_to_keep=2)
    checkpoint.restore(manager.latest_checkpoint)
    losses = []
    while int(step) < steps:
        x, y = next(batches)
        with tf.GradientTape() as tape:
            loss = total_loss(model, y, model(x, training=True))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        losses.append(float(loss))
        step.assign_add(1)
    manager.save()
    return losses


HONEST = {"make_dataset": make_dataset, "total_loss": total_loss, "evaluate": evaluate,
          "train_loop": train_loop, "should_stop": should_stop, "clipped_step": clipped_step,
          "train_resumable": train_resumable}


@pytest.mark.parametrize("qid", ["05.q1", "05.q2", "05.q3", "05.q4", "05.q5", "05.q6", "05.q7"])
def test_honest_answers_pass(qid):
    assert "passed" in run_check(qid, HONEST)


def fails(qid, message, **answers):
    with pytest.raises(CheckFailed, match=message):
        run_check(qid, {**HONEST, **answers})


def test_dataset_mistakes():
    def pipeline(shuffle=True, reshuffle=True, seeded=True, drop=False, prefetch=True, small_buffer=False):
        def make(x, y, batch_size, seed):
            ds = tf.data.Dataset.from_tensor_slices((x, y))
            if shuffle:
                ds = ds.shuffle(4 if small_buffer else len(x), seed=seed if seeded else None,
                                reshuffle_each_iteration=reshuffle)
            ds = ds.batch(batch_size, drop_remainder=drop)
            return ds.prefetch(2) if prefetch else ds
        return make

    fails("05.q1", "not shuffled", make_dataset=pipeline(shuffle=False))
    fails("05.q1", "not reshuffled", make_dataset=pipeline(reshuffle=False))
    fails("05.q1", "same seed give different", make_dataset=pipeline(seeded=False))
    fails("05.q1", "keep the last batch", make_dataset=pipeline(drop=True))
    fails("05.q1", "prefetch", make_dataset=pipeline(prefetch=False))
    fails("05.q1", "tf.data.Dataset", make_dataset=lambda x, y, b, s: list(zip(x, y)))
    fails("05.q1", "whole data set", make_dataset=pipeline(small_buffer=True))


def test_total_loss_must_include_the_penalties():
    fails("05.q2", "regularised model",
          total_loss=lambda m, y, p: keras.losses.SparseCategoricalCrossentropy()(y, p))
    fails("05.q2", "without regularisation", total_loss=lambda m, y, p: tf.constant(2.3))


def test_evaluate_mistakes():
    def unweighted(model, dataset):  # the mean of batch means: the small last batch counts too much
        losses, right, n = [], 0, 0
        for x, y in dataset:
            p = model(x, training=False)
            losses.append(float(keras.losses.SparseCategoricalCrossentropy()(y, p)))
            right += int(np.sum(np.argmax(p, 1) == y.numpy()))
            n += len(y)
        return float(np.mean(losses)), right / n

    shared_accuracy = keras.metrics.SparseCategoricalAccuracy()

    def never_reset(model, dataset):
        loss, _ = evaluate(model, dataset)
        for x, y in dataset:
            shared_accuracy.update_state(y, model(x, training=False))
        return loss, float(shared_accuracy.result()) * 0.999 if shared_accuracy.count > 300 else \
            float(shared_accuracy.result())

    fails("05.q3", "weight each batch", evaluate=unweighted)
    fails("05.q3", "second call", evaluate=never_reset)
    fails("05.q3", "two numbers", evaluate=lambda m, d: evaluate(m, d)[0])


def test_train_loop_mistakes():
    def too_many_steps(model, dataset, steps):
        return train_loop(model, dataset, steps * 2)[:steps]

    def no_training(model, dataset, steps):
        return [2.3] * steps

    fails("05.q4", "drew|did not stop", train_loop=too_many_steps)
    fails("05.q4", "weights did not change", train_loop=no_training)
    fails("05.q4", "at least 90%",
          train_loop=lambda m, d, s: train_loop(m, d, s, learning_rate=1e-5))


def test_should_stop_mistakes():
    fails("05.q5", "was expected", should_stop=lambda losses, p: len(losses) > p and
          losses[-1] > losses[-2])
    fails("05.q5", "True or False", should_stop=lambda losses, p: "no")
    # an improvement must be strict
    fails("05.q5", "was expected", should_stop=lambda losses, p: len(losses) > p and
          min(losses[-p:]) > min(losses[:-p]))


from answer_fixtures import fixture_tests  # noqa: E402
from answers.lesson05 import ANSWERS  # noqa: E402

# Each question's answer defines its own function and only reads earlier ones (05.q4, 05.q6 and
# 05.q7 call 05.q2's total_loss): the solution's cells before each run once for all its answers.
test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell = \
    fixture_tests("05", ANSWERS, share_prefix=("05.q1", "05.q2", "05.q3", "05.q4", "05.q5",
                                               "05.q6", "05.q7"))
