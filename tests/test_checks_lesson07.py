"""Checks of exercise 07, called directly: honest answers pass, typical mistakes and cheats fail."""
from __future__ import annotations

import numpy as np
import pytest

from k2tf.checks import CheckFailed, run_check

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
ops = keras.ops

# Two logical CPUs, as the exercise's setup cell makes them, so that the checks also run the
# steps under a MirroredStrategy of two replicas. TensorFlow takes this only before its first
# tensor: at import, before any test runs.
from k2tf.distributed import use_logical_cpus  # noqa: E402

LOGICAL_CPUS = use_logical_cpus(2)


class StepModel(keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
        return self.update_metrics(loss, y, y_pred)

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        return self.update_metrics(self.compute_loss(x=x, y=y, y_pred=y_pred, training=False), y, y_pred)

    def update_metrics(self, loss, y, y_pred):
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss * replicas)
            else:
                metric.update_state(y, y_pred)
        return {metric.name: metric.result() for metric in self.metrics}


class LogsScaledLoss(StepModel):
    def update_metrics(self, loss, y, y_pred):
        for metric in self.metrics:
            metric.update_state(loss) if metric.name == "loss" else metric.update_state(y, y_pred)
        return {metric.name: metric.result() for metric in self.metrics}


class ForgetsRegularisation(StepModel):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = keras.losses.sparse_categorical_crossentropy(y, y_pred)
            loss = ops.mean(loss)
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
        return self.update_metrics(loss, y, y_pred)


class OnlyTrainStep(keras.Model):
    train_step = StepModel.train_step
    update_metrics = StepModel.update_metrics


class ConfidencePenaltyLoss(keras.losses.Loss):
    def __init__(self, beta=0.1, name="confidence_penalty"):
        super().__init__(name=name)
        self.beta = beta

    def call(self, y_true, y_pred):
        p = ops.clip(y_pred, 1e-7, 1.0)
        labels = ops.cast(ops.reshape(y_true, [-1]), "int32")
        cross_entropy = -ops.sum(ops.one_hot(labels, ops.shape(p)[-1]) * ops.log(p), axis=-1)
        return cross_entropy - self.beta * (-ops.sum(p * ops.log(p), axis=-1))


class PlusEntropy(ConfidencePenaltyLoss):
    def call(self, y_true, y_pred):  # the wrong sign
        p = ops.clip(y_pred, 1e-7, 1.0)
        return super().call(y_true, y_pred) + 2 * self.beta * (-ops.sum(p * ops.log(p), axis=-1))


class MeanConfidence(keras.metrics.Metric):
    def __init__(self, name="mean_confidence", **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        confidence = ops.max(y_pred, axis=-1)
        self.total.assign_add(ops.sum(confidence))
        self.count.assign_add(ops.cast(ops.shape(confidence)[0], "float32"))

    def result(self):
        return ops.divide_no_nan(self.total, self.count)

    def reset_state(self):
        self.total.assign(0.0)
        self.count.assign(0.0)


class MeanOfBatchMeans(MeanConfidence):
    def update_state(self, y_true, y_pred, sample_weight=None):
        self.total.assign_add(ops.mean(ops.max(y_pred, axis=-1)))
        self.count.assign_add(1.0)


class NeverResets(MeanConfidence):
    def reset_state(self):
        pass


class ConfidenceModel(StepModel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.confidence = MeanConfidence(name="confidence")


class NoConfidence(StepModel):
    pass


class DenoisingAutoencoder(keras.Model):
    def __init__(self, *args, noise_stddev=0.25, fixed_seed=False, noisy_target=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.noise_stddev = noise_stddev
        self.seed = 3 if fixed_seed else keras.random.SeedGenerator(7)
        self.noisy_target = noisy_target

    def train_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        noisy = x + keras.random.normal(ops.shape(x), stddev=self.noise_stddev, seed=self.seed)
        with tf.GradientTape() as tape:
            restored = self(noisy, training=True)
            loss = self.compute_loss(x=noisy, y=noisy if self.noisy_target else x, y_pred=restored)
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
        for metric in self.metrics:
            metric.update_state(loss) if metric.name == "loss" else metric.update_state(x, restored)
        return {metric.name: metric.result() for metric in self.metrics}


def variant(**options):
    class Variant(DenoisingAutoencoder):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **{**kwargs, **options})
    return Variant


class WeightedModel(StepModel):
    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
        self.metrics[0].update_state(loss * tf.distribute.get_strategy().num_replicas_in_sync)
        return self.compute_metrics(x, y, y_pred, sample_weight)


class RobustRegressor(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mse = keras.metrics.MeanSquaredError(name="mse")

    @property
    def metrics(self):
        return [self.loss_tracker, self.mse]

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = ops.mean(ops.abs(y - y_pred))
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
        self.loss_tracker.update_state(loss)
        self.mse.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class LabelModel(keras.Model):
    def predict_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        p = self(x, training=False)
        return {"label": ops.argmax(p, axis=-1), "probability": ops.max(p, axis=-1)}


HONEST = {"StepModel": StepModel, "ConfidencePenaltyLoss": ConfidencePenaltyLoss,
          "MeanConfidence": MeanConfidence, "ConfidenceModel": ConfidenceModel,
          "DenoisingAutoencoder": DenoisingAutoencoder, "WeightedModel": WeightedModel,
          "RobustRegressor": RobustRegressor, "LabelModel": LabelModel}


def test_two_logical_cpus_for_the_strategy_checks():
    assert LOGICAL_CPUS >= 2, "TensorFlow's devices were initialised before this module's import"


@pytest.mark.parametrize("qid", ["07.q1", "07.q2", "07.q3", "07.q4", "07.q5", "07.q6", "07.q7",
                                 "07.q8"])
def test_honest_answers_pass(qid):
    assert "passed" in run_check(qid, HONEST)


def fails(qid, message, **answers):
    with pytest.raises(CheckFailed, match=message):
        run_check(qid, {**HONEST, **answers})


def test_step_model_mistakes():
    fails("07.q1", "regularisation", StepModel=ForgetsRegularisation)
    fails("07.q1", "does not override `test_step`", StepModel=OnlyTrainStep)
    fails("07.q1", "subclass of keras.Model", StepModel=object)
    fails("07.q1", "2 times less", StepModel=LogsScaledLoss)


def test_loss_and_metric_mistakes():
    fails("07.q2", "wrong values", ConfidencePenaltyLoss=PlusEntropy)
    fails("07.q2", "keras.losses.Loss", ConfidencePenaltyLoss=lambda beta=0.1: None)
    fails("07.q3", "running sum", MeanConfidence=MeanOfBatchMeans)
    fails("07.q3", "reset_state", MeanConfidence=NeverResets)


def test_confidence_model_must_log_its_metric():
    fails("07.q4", "no 'confidence'", ConfidenceModel=NoConfidence)


def test_confidence_model_without_07_q3_says_so():
    class UsesMissingMetric(StepModel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            raise NameError("name 'MeanConfidence' is not defined")

    answers = {name: value for name, value in HONEST.items() if name != "MeanConfidence"}
    with pytest.raises(CheckFailed, match="07.q3 defines it"):
        run_check("07.q4", {**answers, "ConfidenceModel": UsesMissingMetric})


def test_denoising_mistakes():
    fails("07.q5", "0.25 was expected", DenoisingAutoencoder=variant(noisy_target=True))
    fails("07.q5", "same at every step", DenoisingAutoencoder=variant(fixed_seed=True))
    fails("07.q5", "does not override", DenoisingAutoencoder=NoConfidence.__base__.__base__)


from answer_fixtures import fixture_tests  # noqa: E402
from answers.lesson07 import ANSWERS  # noqa: E402

# Each question's answer defines its own class and only reads earlier ones (07.q4 builds on
# StepModel and MeanConfidence, 07.q6 on StepModel, 07.q8's demo reads 07.q1's model): the solution's cells before each run once for all its answers.
test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell = \
    fixture_tests("07", ANSWERS, share_prefix=("07.q1", "07.q2", "07.q3", "07.q4", "07.q5",
                                                 "07.q6", "07.q7", "07.q8"))
