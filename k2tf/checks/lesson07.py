"""Checks for exercise 07 (customizing fit)."""
from __future__ import annotations

import numpy as np

from . import Answers, Fail, NotAnswered, question
from .expect import as_array, as_number, close


def _run(what: str, function, *args, **kwargs):
    """Run the student's code (a constructor, fit, evaluate…); turn an error into a clear failure."""
    try:
        return function(*args, **kwargs)
    except (NotAnswered, Fail):
        raise
    except Exception as error:
        text = str(error).strip().splitlines()
        raise Fail(f"{what} raised {type(error).__name__}: {text[0] if text else '(no message)'}",
                   "run the same call in a cell of your own to see where it fails.") from None


def _model_class(answers: Answers, name: str, *, steps=("train_step",)):
    import keras

    cls = answers[name]
    if not (isinstance(cls, type) and issubclass(cls, keras.Model)):
        raise Fail(f"`{name}` should be a subclass of keras.Model.",
                   f"start with `class {name}(keras.Model):`.")
    for step in steps:
        if getattr(cls, step) is getattr(keras.Model, step):
            raise Fail(f"`{name}` does not override `{step}`.", f"define `def {step}(self, data):`.")
    return cls


def _digits(n=512):
    from ..data import load_digits

    digits = load_digits()
    x, y = digits.train
    return x[:n], y[:n], digits.validation


def _classifier_parts(seed=71, regularize=False):
    """Inputs and outputs of a small classifier with seeded, reproducible initial weights."""
    import keras

    init = keras.initializers.GlorotUniform
    inputs = keras.Input(shape=(64,))
    hidden = keras.layers.Dense(16, activation="relu", kernel_initializer=init(seed=seed),
                                kernel_regularizer=keras.regularizers.L2(1e-3) if regularize else None)(inputs)
    outputs = keras.layers.Dense(10, activation="softmax", kernel_initializer=init(seed=seed + 1))(hidden)
    return inputs, outputs


def _compile(model, learning_rate=1e-2, loss="sparse_categorical_crossentropy", metrics=("accuracy",)):
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=list(metrics))


@question("07.q1", points=3,
          checks="StepModel overrides train_step and test_step, and fit and evaluate give the same "
                 "numbers as a plain keras.Model, regularisation included")
def _q1(answers: Answers) -> None:
    import keras

    cls = _model_class(answers, "StepModel", steps=("train_step", "test_step"))
    x, y, (x_val, y_val) = _digits()
    x_val, y_val = x_val[:256], y_val[:256]
    results = {}
    for label, make in (("yours", lambda parts: cls(*parts)), ("plain", lambda parts: keras.Model(*parts))):
        model = _run("StepModel(inputs, outputs)", make, _classifier_parts(regularize=True))
        _compile(model)
        history = _run("fit with your train_step", model.fit, x, y, epochs=2, batch_size=64,
                       shuffle=False, verbose=0)
        evaluated = _run("evaluate with your test_step", model.evaluate, x_val, y_val,
                         batch_size=64, verbose=0, return_dict=True)
        results[label] = (history.history, evaluated)
    (history, evaluated), (expected_history, expected_evaluated) = results["yours"], results["plain"]
    for key in ("loss", "accuracy"):
        if key not in history:
            raise Fail(f"fit's history has no {key!r}: your train_step does not return it.",
                       "update every metric of self.metrics and return {m.name: m.result() ...}.")
        close(history[key], expected_history[key], f"the training {key} per epoch", rtol=1e-4,
              atol=1e-5, hint="the loss must come from self.compute_loss(x=..., y=..., y_pred=...), "
                              "which includes the regularisation losses; apply the gradients with "
                              "self.optimizer.apply.")
    for key in ("loss", "accuracy"):
        if key not in evaluated:
            raise Fail(f"evaluate returns no {key!r}: your test_step does not return it.",
                       "return the results of self.metrics from test_step too.")
        close(evaluated[key], expected_evaluated[key], f"evaluate's {key}", rtol=1e-4, atol=1e-5,
              hint="test_step runs the model with training=False and updates the metrics only.")


@question("07.q2", points=2,
          checks="ConfidencePenaltyLoss is a keras Loss giving the mean of cross-entropy minus "
                 "beta times the entropy of the prediction")
def _q2(answers: Answers) -> None:
    import keras

    cls = answers["ConfidencePenaltyLoss"]
    if not (isinstance(cls, type) and issubclass(cls, keras.losses.Loss)):
        raise Fail("`ConfidencePenaltyLoss` should be a subclass of keras.losses.Loss.",
                   "start with `class ConfidencePenaltyLoss(keras.losses.Loss):`.")
    rng = np.random.default_rng(72)
    y = rng.integers(0, 5, size=9)
    logits = rng.normal(size=(9, 5)) * 2
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    p[0] = [1.0, 0.0, 0.0, 0.0, 0.0]  # a certain prediction: the clipping matters
    y[0] = 1
    clipped = np.clip(p, 1e-7, 1.0)
    cross_entropy = -np.log(clipped[np.arange(len(y)), y])
    entropy = -(clipped * np.log(clipped)).sum(axis=1)
    for beta, make in ((0.1, lambda: cls()), (0.5, lambda: cls(beta=0.5)), (0.0, lambda: cls(beta=0.0))):
        loss = _run(f"ConfidencePenaltyLoss({'' if beta == 0.1 else f'beta={beta}'})", make)
        got = as_number(_run("calling the loss", loss, y, p.astype("float32")),
                        f"the loss with beta={beta}")
        close(got, np.mean(cross_entropy - beta * entropy), f"the loss with beta={beta}",
              rtol=1e-4, atol=1e-5,
              hint="return one value per example from `call` (the base class averages them): the "
                   "cross-entropy minus beta times −Σ p log p, with p clipped.")


@question("07.q3", points=2,
          checks="MeanConfidence is a keras Metric averaging the largest probability over all "
                 "examples since the last reset, with a default and a given name")
def _q3(answers: Answers) -> None:
    import keras

    cls = answers["MeanConfidence"]
    if not (isinstance(cls, type) and issubclass(cls, keras.metrics.Metric)):
        raise Fail("`MeanConfidence` should be a subclass of keras.metrics.Metric.",
                   "start with `class MeanConfidence(keras.metrics.Metric):`.")
    metric = _run("MeanConfidence()", cls)
    if metric.name != "mean_confidence":
        raise Fail(f"MeanConfidence() is named {metric.name!r}; 'mean_confidence' was expected.",
                   "give `name` a default value in __init__ and pass it to super().__init__.")
    named = _run("MeanConfidence(name='confidence')", cls, name="confidence")
    if named.name != "confidence":
        raise Fail("MeanConfidence(name='confidence') does not take the given name.",
                   "pass `name` on to super().__init__.")
    rng = np.random.default_rng(73)
    batches = []
    for size in (3, 8):
        logits = rng.normal(size=(size, 4)) * 2
        batches.append((rng.integers(0, 4, size=size),
                        (np.exp(logits) / np.exp(logits).sum(1, keepdims=True)).astype("float32")))
    for y, p in batches:
        _run("update_state", metric.update_state, y, p)
    expected = np.concatenate([p.max(axis=1) for _, p in batches]).mean()
    close(as_number(metric.result(), "result()"), expected,
          "result() after batches of 3 and 8 examples", rtol=1e-5,
          hint="keep a running sum and a running count of examples, not a mean of batch means.")
    _run("reset_state", metric.reset_state)
    y, p = batches[0]
    _run("update_state", metric.update_state, y, p)
    close(as_number(metric.result(), "result()"), p.max(axis=1).mean(),
          "result() after reset_state and one batch", rtol=1e-5,
          hint="reset_state must set every state variable back to zero.")


@question("07.q4", points=3,
          checks="ConfidenceModel's train_step logs its own MeanConfidence metric 'confidence' "
                 "every epoch of a real fit, beside the compiled loss and accuracy")
def _q4(answers: Answers) -> None:
    cls = _model_class(answers, "ConfidenceModel")
    metric_class = answers["MeanConfidence"]
    x, y, _ = _digits()
    model = _run("ConfidenceModel(inputs, outputs)", cls, *_classifier_parts(seed=74))
    _compile(model)
    history = _run("fit with your train_step", model.fit, x, y, epochs=3, batch_size=64,
                   verbose=0).history
    if "confidence" not in history:
        raise Fail(f"fit's history has {sorted(history)}, but no 'confidence'.",
                   "create MeanConfidence(name='confidence') in __init__ (an attribute of the "
                   "model), update it in train_step and return its result.")
    for key in ("loss", "accuracy"):
        if key not in history:
            raise Fail(f"fit's history has no {key!r}: the compiled metrics are missing.",
                       "update and return every metric of self.metrics.")
    ours = [m for m in model.metrics if m.name == "confidence"]
    if not ours or not isinstance(ours[0], metric_class):
        raise Fail("the model's `metrics` property has no MeanConfidence named 'confidence', so "
                   "fit does not reset it each epoch.",
                   "assign the metric to an attribute of the model in __init__.")
    values = as_array(history["confidence"], "history['confidence']")
    if values.shape != (3,) or np.any(values <= 0.1) or np.any(values > 1.0):
        raise Fail(f"the logged confidence {np.round(values, 3).tolist()} is not the mean largest "
                   "probability per epoch (between 0.1 and 1 for 10 classes).",
                   "update the metric with (y, y_pred) in every train_step.")
    if not values[-1] > values[0]:
        raise Fail("the logged confidence did not grow while the model learned.",
                   "update the metric with the predictions of each step.")
    losses = history["loss"]
    if not losses[-1] < losses[0]:
        raise Fail("the loss did not go down: the model did not train.",
                   "compute the loss, its gradients, and apply them as in StepModel.")


@question("07.q5", points=3,
          checks="DenoisingAutoencoder trains with fit(images) on inputs with fresh Gaussian noise "
                 "of the given size and the compiled loss against the clean images")
def _q5(answers: Answers) -> None:
    import keras

    cls = _model_class(answers, "DenoisingAutoencoder")
    x, _, _ = _digits(256)

    def autoencoder_parts():
        init = keras.initializers.GlorotUniform
        inputs = keras.Input(shape=(64,))
        code = keras.layers.Dense(16, activation="relu", kernel_initializer=init(seed=75))(inputs)
        return inputs, keras.layers.Dense(64, activation="sigmoid",
                                          kernel_initializer=init(seed=76))(code)

    # 1. Without noise, it must train exactly like a plain autoencoder fit on (x, x).
    model = _run("DenoisingAutoencoder(inputs, outputs, noise_stddev=0.0)", cls,
                 *autoencoder_parts(), noise_stddev=0.0)
    _compile(model, loss="mse", metrics=())
    got = _run("fit(images)", model.fit, x, epochs=2, batch_size=64, shuffle=False, verbose=0).history
    plain = keras.Model(*autoencoder_parts())
    _compile(plain, loss="mse", metrics=())
    expected = plain.fit(x, x, epochs=2, batch_size=64, shuffle=False, verbose=0).history
    if "loss" not in got:
        raise Fail("fit's history has no 'loss'.", "return the results of self.metrics.")
    close(got["loss"], expected["loss"], "the loss per epoch with noise_stddev=0", rtol=1e-4,
          atol=1e-6, hint="compute the loss with self.compute_loss against the clean images, and "
                          "apply the gradients with self.optimizer.apply.")
    # 2. A model that copies its input, never updated (learning rate 0): its loss against the
    #    clean images is the mean squared noise, noise_stddev² — and 0 if no noise reaches it or
    #    if the target is the noisy input. Fresh noise makes the two epochs differ.
    inputs = keras.Input(shape=(64,))
    outputs = keras.layers.Dense(64, kernel_initializer="identity", bias_initializer="zeros")(inputs)
    copier = _run("DenoisingAutoencoder(inputs, outputs, noise_stddev=0.5)", cls, inputs, outputs,
                  noise_stddev=0.5)
    copier.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    losses = _run("fit(images)", copier.fit, x, epochs=2, batch_size=64, shuffle=False,
                  verbose=0).history["loss"]
    if not 0.2 <= losses[0] <= 0.3:
        raise Fail(f"for a model that copies its input, with noise_stddev=0.5, the loss is "
                   f"{losses[0]:.3f}; about 0.5² = 0.25 was expected.",
                   "add noise of standard deviation noise_stddev to the inputs, and compare the "
                   "model's output with the clean images.")
    if abs(losses[1] - losses[0]) < 1e-7:
        raise Fail("the noise is the same at every step.",
                   "draw it with keras.random.normal and a keras.random.SeedGenerator created "
                   "in __init__, not a fixed integer seed.")
