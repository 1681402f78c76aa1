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


def _classifier_parts(seed=71):
    """Inputs and outputs of a small classifier with seeded, reproducible initial weights, an L2
    penalty, BatchNormalization and a seeded Dropout: a step that leaves the penalty out, or runs
    the model in the wrong mode, gives other numbers than Keras's own step."""
    import keras

    init = keras.initializers.GlorotUniform
    inputs = keras.Input(shape=(64,))
    hidden = keras.layers.Dense(16, activation="relu", kernel_initializer=init(seed=seed),
                                kernel_regularizer=keras.regularizers.L2(1e-3))(inputs)
    hidden = keras.layers.BatchNormalization()(hidden)
    hidden = keras.layers.Dropout(0.3, seed=seed + 2)(hidden)
    outputs = keras.layers.Dense(10, activation="softmax", kernel_initializer=init(seed=seed + 1))(hidden)
    return inputs, outputs


def _compile(model, learning_rate=1e-2, loss=None, metrics=("accuracy",), weighted_metrics=()):
    """Compile with loss and optimizer *objects*, so that a step may call ``self.loss`` too."""
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=loss if loss is not None else keras.losses.SparseCategoricalCrossentropy(),
                  metrics=list(metrics), weighted_metrics=list(weighted_metrics) or None)


def _sample_weights(y):
    """Weights that matter: some examples count 3 times, some not at all."""
    return np.select([y % 3 == 0, y % 3 == 1], [3.0, 0.0], 1.0).astype("float32")


_REFERENCES: dict = {}


def _reference(name: str, compute):
    """What Keras's own steps log on one of the check's set-ups, computed once per session: the
    set-ups are seeded, so the numbers never change (keyed by the dtype policy too, the one global
    setting that would change them)."""
    import keras

    key = (name, keras.mixed_precision.global_policy().name)
    if key not in _REFERENCES:
        _REFERENCES[key] = compute()
    return _REFERENCES[key]


def _train_and_evaluate(make, what: str, *, evaluate: bool = True) -> dict:
    """Train a classifier built by ``make`` on the check's digits, then (``evaluate``) evaluate it
    and fit one more epoch with validation data: what it logged, and what evaluate changed."""
    x, y, (x_val, y_val) = _digits()
    x_val, y_val = x_val[:256], y_val[:256]
    model = _run(f"{what}(inputs, outputs)", make, *_classifier_parts())
    _compile(model)
    result = {"history": _run(f"fit with your {what}", model.fit, x, y, epochs=2, batch_size=64,
                              shuffle=False, verbose=0).history}
    if evaluate:
        trainable = [v.numpy().copy() for v in model.trainable_variables]
        statistics = [v.numpy().copy() for v in model.non_trainable_variables]
        result["evaluated"] = _run(f"evaluate with your {what}", model.evaluate, x_val, y_val,
                                   batch_size=64, verbose=0, return_dict=True)
        result["updated"] = any(not np.array_equal(a, v.numpy())
                                for a, v in zip(trainable, model.trainable_variables))
        result["statistics"] = any(not np.array_equal(a, v.numpy())
                                   for a, v in zip(statistics, model.non_trainable_variables))
        result["validation"] = _run(f"fit with validation_data with your {what}", model.fit,
                                    x, y, epochs=1, batch_size=64, shuffle=False, verbose=0,
                                    validation_data=(x_val, y_val)).history
    return result


def _fit_like_keras(cls, what: str, *, evaluate: bool = True):
    """What ``cls`` logs on the check's classifier, and what a plain keras.Model logs."""
    import keras

    plain = _reference("classifier", lambda: _train_and_evaluate(keras.Model, "keras.Model"))
    return _train_and_evaluate(cls, what, evaluate=evaluate), plain


def _replica_devices() -> list[str] | None:
    """Two logical CPUs for a MirroredStrategy of two replicas, if the kernel has them (the
    exercise's setup cell makes them with k2tf.distributed.use_logical_cpus): None otherwise."""
    import tensorflow as tf

    cpus = tf.config.list_logical_devices("CPU")
    return [device.name for device in cpus[:2]] if len(cpus) >= 2 else None


def _dense_parts():
    """A classifier without BatchNormalization and Dropout (they see each replica's share of the
    batch), with a strong L2 penalty: under a strategy it trains like without one, and a step that
    adds the penalty by hand counts it once per replica."""
    import keras

    init = keras.initializers.GlorotUniform
    inputs = keras.Input(shape=(64,))
    hidden = keras.layers.Dense(16, activation="relu", kernel_initializer=init(seed=91),
                                kernel_regularizer=keras.regularizers.L2(0.05))(inputs)
    return inputs, keras.layers.Dense(10, activation="softmax", kernel_initializer=init(seed=92))(hidden)


def _fit_distributed(make, what: str, devices, *, weighted: bool = False) -> dict:
    """Fit a classifier built by ``make`` for one epoch, under a MirroredStrategy over ``devices``
    (None: without a strategy): what it logged, and its weights."""
    import tensorflow as tf

    x, y, _ = _digits(256)
    strategy = tf.distribute.MirroredStrategy(devices) if devices else tf.distribute.get_strategy()
    with strategy.scope():
        model = _run(f"{what}(inputs, outputs) inside strategy.scope()", make, *_dense_parts())
        _compile(model, weighted_metrics=("accuracy",) if weighted else ())
    history = _run(f"fit with your {what} under a MirroredStrategy", model.fit, x, y, epochs=1,
                   batch_size=64, shuffle=False, verbose=0,
                   sample_weight=_sample_weights(y) if weighted else None).history
    return {"history": history, "weights": [np.asarray(w) for w in model.get_weights()]}


_REPLICA_HINT = ("under a distribution strategy self.compute_loss divides the loss by the number of "
                 "replicas (their gradients are summed): multiply it by "
                 "tf.distribute.get_strategy().num_replicas_in_sync before you update the loss "
                 "tracker, as Keras's own train_step does.")


def _compare_distributed(cls, what: str, *, weighted: bool = False) -> None:
    """Under a MirroredStrategy of two replicas (when the kernel has two logical CPUs), ``cls``
    must train and log what a plain keras.Model logs."""
    import keras

    devices = _replica_devices()
    if devices is None:
        return
    # Keras's own step trains and logs the same with and without a strategy (up to round-off):
    # the reference runs without one, which is cheaper.
    name = "dense weighted" if weighted else "dense"
    plain = _reference(name, lambda: _fit_distributed(keras.Model, "keras.Model", None,
                                                      weighted=weighted))
    yours = _fit_distributed(cls, what, devices, weighted=weighted)
    if not all(a.shape == b.shape and np.allclose(a, b, rtol=1e-4, atol=1e-5)
               for a, b in zip(yours["weights"], plain["weights"])):
        raise Fail(f"under a MirroredStrategy of {len(devices)} replicas, your {what} trains other "
                   "weights than Keras's own step.",
                   "compute the loss with self.compute_loss: it divides the loss by the number of "
                   "replicas, so that the gradients the replicas sum are right.")
    logged, expected = yours["history"].get("loss"), plain["history"]["loss"]
    if logged is None:
        raise Fail("fit's history has no 'loss' under a MirroredStrategy.", _REPLICA_HINT)
    if np.allclose(np.multiply(logged, len(devices)), expected, rtol=1e-4, atol=1e-5):
        raise Fail(f"under a MirroredStrategy of {len(devices)} replicas fit logged the loss "
                   f"{np.round(logged, 4).tolist()}, {len(devices)} times less than Keras's own "
                   f"step logs ({np.round(expected, 4).tolist()}).", _REPLICA_HINT)
    close(logged, expected, f"the loss logged under a MirroredStrategy of {len(devices)} replicas",
          rtol=1e-4, atol=1e-5, hint=_REPLICA_HINT)


_TRAIN_HINT = ("the loss must include the regularisation losses (self.compute_loss(x=..., y=..., "
               "y_pred=...) adds them), the model must run with training=True inside the tape, "
               "and the gradients go to self.optimizer.apply.")


def _compare_training(history, expected_history, keys=("loss", "accuracy")):
    for key in keys:
        if key not in history:
            raise Fail(f"fit's history has no {key!r}: your train_step does not return it.",
                       "update every metric of self.metrics and return {m.name: m.result() ...}.")
        close(history[key], expected_history[key], f"the training {key} per epoch", rtol=1e-4,
              atol=1e-5, hint=_TRAIN_HINT)


@question("07.q1", points=3,
          checks="StepModel overrides train_step and test_step, and fit (validation included, and "
                 "under a MirroredStrategy of two replicas) and evaluate give the same numbers as "
                 "a plain keras.Model with a penalty, Dropout and BatchNormalization",
          defines=("StepModel",),
          fixed="StepModel is a keras.Model subclass, built as StepModel(inputs, outputs), that "
                "overrides train_step and test_step; fit and evaluate must log what a plain "
                "keras.Model logs with the same compile arguments, under a distribution strategy "
                "too.",
          verifies=("a keras.Model subclass that overrides train_step and test_step",
                    "fit's loss and accuracy per epoch equal a plain keras.Model's, on a model with "
                    "an L2 penalty, BatchNormalization and Dropout",
                    "evaluate leaves the weights and the BatchNormalization statistics unchanged",
                    "evaluate's loss and accuracy, and fit's val_loss and val_accuracy, equal a "
                    "plain keras.Model's",
                    "when the kernel has two logical CPUs (the exercise's setup cell makes them): "
                    "fit under a MirroredStrategy of two replicas (a model with a strong L2 "
                    "penalty) trains the weights of a plain keras.Model and logs its loss, not the "
                    "loss divided by the number of replicas"))
def _q1(answers: Answers) -> None:
    cls = _model_class(answers, "StepModel", steps=("train_step", "test_step"))
    yours, plain = _fit_like_keras(cls, "StepModel")
    _compare_training(yours["history"], plain["history"])
    test_hint = ("test_step runs the model with training=False (the model has Dropout and "
                 "BatchNormalization), computes the loss and updates the metrics only.")
    if yours["updated"]:
        raise Fail("evaluate changed the model's weights: your test_step updates the model.",
                   test_hint)
    if yours["statistics"]:
        raise Fail("evaluate changed the statistics of the model's BatchNormalization layer: your "
                   "test_step runs the model in training mode.", test_hint)
    evaluated, expected = yours["evaluated"], plain["evaluated"]
    for key in ("loss", "accuracy"):
        if key not in evaluated:
            raise Fail(f"evaluate returns no {key!r}: your test_step does not return it.",
                       "return the results of self.metrics from test_step too.")
        close(evaluated[key], expected[key], f"evaluate's {key}", rtol=1e-4, atol=1e-5,
              hint=test_hint)
    for key in ("val_loss", "val_accuracy"):
        if key not in yours["validation"]:
            raise Fail(f"fit's history has no {key!r} with validation data: your test_step does "
                       "not return it.", "return the results of self.metrics from test_step too.")
        close(yours["validation"][key], plain["validation"][key],
              f"fit's {key} on the validation data", rtol=1e-4, atol=1e-5, hint=test_hint)
    _compare_distributed(cls, "StepModel")


def _probabilities(n, classes, rng, sharpness=2.0):
    logits = rng.normal(size=(n, classes)) * sharpness
    return (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype("float32")


def _fixed_softmax_model(rng, features=8, classes=5, scale=1.0):
    """A one-layer softmax model with given weights (never trained: learning rate 0). Its layer
    starts from zeros, so that building it draws nothing from Keras's global random state (the
    notebook's next cells must see the same random numbers as without the check)."""
    import keras

    inputs = keras.Input(shape=(features,))
    model = keras.Model(inputs, keras.layers.Dense(classes, activation="softmax",
                                                   kernel_initializer="zeros")(inputs))
    model.set_weights([(rng.normal(size=(features, classes)) * scale).astype("float32"),
                       rng.normal(size=classes).astype("float32")])
    return model


@question("07.q2", points=2,
          checks="ConfidencePenaltyLoss is a keras Loss giving, per example, cross-entropy minus "
                 "beta times the entropy of the prediction, with sample weights, inside evaluate too",
          defines=("ConfidencePenaltyLoss",),
          fixed="ConfidencePenaltyLoss(beta=0.1) subclasses keras.losses.Loss; call returns one "
                "value per example, cross-entropy − beta × entropy, with probabilities clipped to "
                "[1e-7, 1].",
          verifies=("a keras.losses.Loss subclass",
                    "the mean value for beta 0.1 (default), 0.5 and 0, with a certain prediction "
                    "(clipping)",
                    "sample weights weigh each example (call returns one value per example)",
                    "compiled into a model, evaluate (a graph) reports the same loss"))
def _q2(answers: Answers) -> None:
    import keras

    cls = answers["ConfidencePenaltyLoss"]
    if not (isinstance(cls, type) and issubclass(cls, keras.losses.Loss)):
        raise Fail("`ConfidencePenaltyLoss` should be a subclass of keras.losses.Loss.",
                   "start with `class ConfidencePenaltyLoss(keras.losses.Loss):`.")
    rng = np.random.default_rng(72)

    def per_example(y, p, beta):
        clipped = np.clip(p.astype(np.float64), 1e-7, 1.0)
        cross_entropy = -np.log(clipped[np.arange(len(y)), y])
        entropy = -(clipped * np.log(clipped)).sum(axis=1)
        return cross_entropy - beta * entropy

    y = rng.integers(0, 5, size=9)
    p = _probabilities(9, 5, rng)
    p[0] = [1.0, 0.0, 0.0, 0.0, 0.0]  # a certain prediction: the clipping matters
    y[0] = 1
    hint = ("return one value per example from `call` (the base class averages them): the "
            "cross-entropy minus beta times −Σ p log p, with p clipped.")
    for beta, make in ((0.1, lambda: cls()), (0.5, lambda: cls(beta=0.5)), (0.0, lambda: cls(beta=0.0))):
        loss = _run(f"ConfidencePenaltyLoss({'' if beta == 0.1 else f'beta={beta}'})", make)
        got = as_number(_run("calling the loss", loss, y, p), f"the loss with beta={beta}")
        close(got, per_example(y, p, beta).mean(), f"the loss with beta={beta}",
              rtol=1e-4, atol=1e-5, hint=hint)
    weights = rng.uniform(0.0, 2.0, size=9).astype("float32")
    loss = _run("ConfidencePenaltyLoss(beta=0.5)", cls, beta=0.5)
    got = as_number(_run("calling the loss with sample_weight", loss, y, p, sample_weight=weights),
                    "the loss with sample_weight")
    close(got, np.mean(weights * per_example(y, p, 0.5)), "the loss with sample_weight",
          rtol=1e-4, atol=1e-5,
          hint="return one loss per example from `call`, not their mean: the base class weighs "
               "each example by its sample weight, then averages.")
    # Inside compile and evaluate, `call` runs in a graph.
    features = rng.normal(size=(48, 8)).astype("float32")
    labels = rng.integers(0, 5, size=48)
    model = _fixed_softmax_model(rng)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss=_run("ConfidencePenaltyLoss(beta=0.3)",
                                                                  cls, beta=0.3))
    evaluated = _run("model.evaluate with your loss compiled in", model.evaluate, features, labels,
                     batch_size=16, verbose=0)
    expected = per_example(labels, model.predict(features, verbose=0), 0.3).mean()
    close(as_number(evaluated, "evaluate's loss"), expected,
          "the loss evaluate reports with ConfidencePenaltyLoss(beta=0.3) compiled in",
          rtol=1e-4, atol=1e-5,
          hint="inside fit and evaluate, `call` receives symbolic tensors: use keras.ops (or tf) "
               "operations only, no NumPy.")


@question("07.q3", points=2,
          checks="MeanConfidence is a keras Metric averaging the largest probability over all "
                 "examples since the last reset, with a default and a given name, inside "
                 "evaluate too",
          defines=("MeanConfidence",),
          fixed="MeanConfidence(name='mean_confidence') subclasses keras.metrics.Metric; result() "
                "is the mean over all examples since the last reset of each example's largest "
                "probability.",
          verifies=("a keras.metrics.Metric subclass named 'mean_confidence' by default, and by "
                    "the name it is given",
                    "result() after batches of 3 and 8 examples: a mean over examples",
                    "reset_state starts again from nothing",
                    "compiled as a metric, evaluate (a graph) reports the same mean, twice"))
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
        raise Fail(f"MeanConfidence(name='confidence') is named {named.name!r}: it does not take "
                   "the given name.", "pass `name` on to super().__init__.")
    rng = np.random.default_rng(73)
    batches = [(rng.integers(0, 4, size=size), _probabilities(size, 4, rng)) for size in (3, 8)]
    for y, p in batches:
        _run("update_state", metric.update_state, y, p)
    expected = np.concatenate([p.max(axis=1) for _, p in batches]).mean()
    close(as_number(_run("result()", metric.result), "result()"), expected,
          "result() after batches of 3 and 8 examples", rtol=1e-5,
          hint="the mean of each example's largest probability: keep a running sum and a running "
               "count of examples, not a mean of batch means.")
    _run("reset_state", metric.reset_state)
    y, p = batches[0]
    _run("update_state", metric.update_state, y, p)
    close(as_number(_run("result()", metric.result), "result()"), p.max(axis=1).mean(),
          "result() after reset_state and one batch", rtol=1e-5,
          hint="reset_state must set every state variable back to zero.")
    # Compiled into a model, the metric is updated inside a graph, and reset by evaluate.
    features = rng.normal(size=(100, 8)).astype("float32")
    labels = rng.integers(0, 5, size=100)
    model = _fixed_softmax_model(rng, scale=0.7)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="sparse_categorical_crossentropy",
                  metrics=[_run("MeanConfidence()", cls)])
    expected = model.predict(features, verbose=0).max(axis=1).mean()
    for call in ("first", "second"):
        logs = _run("model.evaluate with your metric compiled in", model.evaluate, features,
                    labels, batch_size=32, verbose=0, return_dict=True)
        if "mean_confidence" not in logs:
            raise Fail(f"evaluate logged {sorted(logs)}, but no 'mean_confidence'.",
                       "give `name` a default value in __init__ and pass it to super().__init__.")
        close(as_number(logs["mean_confidence"], "the logged mean_confidence"), expected,
              f"the mean_confidence of the {call} evaluate (batches of 32, 32, 32 and 4)",
              rtol=1e-5, hint="inside fit and evaluate the metric runs in a graph: keep its state "
                              "in variables made with add_variable, update them with assign_add, "
                              "and count examples, not batches.")


def _confidence_probe(cls):
    """Train ``cls`` with learning rate 0 for three epochs, with known weights set at the start of
    each epoch; the confidence each epoch should log is then known exactly."""
    import keras

    rng = np.random.default_rng(74)
    features = rng.normal(size=(192, 8)).astype("float32")
    labels = rng.integers(0, 5, size=192)
    inputs = keras.Input(shape=(8,))
    model = _run("ConfidenceModel(inputs, outputs)", cls, inputs,
                 keras.layers.Dense(5, activation="softmax", kernel_initializer="zeros")(inputs))
    model.compile(optimizer=keras.optimizers.SGD(0.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    reference = _fixed_softmax_model(np.random.default_rng(0))
    weights, expected = [], []
    for scale in (0.3, 1.0, 3.0):  # ever sharper predictions, ever higher confidence
        reference.set_weights([(rng.normal(size=(8, 5)) * scale).astype("float32"),
                               rng.normal(size=5).astype("float32")])
        weights.append(reference.get_weights())
        expected.append(float(reference.predict(features, verbose=0).max(axis=1).mean()))

    class EpochWeights(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.model.set_weights(weights[epoch])

    history = _run("fit with your train_step", model.fit, features, labels, epochs=3,
                   batch_size=64, shuffle=False, verbose=0, callbacks=[EpochWeights()]).history
    return history, expected


@question("07.q4", points=3,
          checks="ConfidenceModel's train_step trains like Keras's own and logs 'confidence', the "
                 "mean largest probability of each epoch's predictions, beside the compiled loss "
                 "and accuracy",
          defines=("ConfidenceModel",),
          fixed="ConfidenceModel(inputs, outputs) is a keras.Model subclass whose train_step trains "
                "like StepModel's and logs, under 'confidence', a MeanConfidence of its own "
                "(created in __init__, not passed to compile) over each epoch's predictions.",
          verifies=("a keras.Model subclass that overrides train_step",
                    "fit logs 'loss', 'accuracy' and 'confidence'",
                    "'confidence' per epoch is the mean largest probability of that epoch's "
                    "predictions, with known weights each epoch: started afresh every epoch, "
                    "over the whole epoch",
                    "loss and accuracy per epoch equal a plain keras.Model's (penalty, Dropout, "
                    "BatchNormalization)"))
def _q4(answers: Answers) -> None:
    cls = _model_class(answers, "ConfidenceModel")
    try:
        history, expected = _confidence_probe(cls)
    except Fail:
        if "MeanConfidence" not in answers:  # say that 07.q3 comes first
            answers["MeanConfidence"]
        raise
    if "confidence" not in history:
        raise Fail(f"fit's history has {sorted(history)}, but no 'confidence'.",
                   "create MeanConfidence(name='confidence') in __init__, update it in train_step "
                   "and return its result under its name.")
    for key in ("loss", "accuracy"):
        if key not in history:
            raise Fail(f"fit's history has no {key!r}: the compiled metrics are missing.",
                       "update and return every metric of self.metrics.")
    values = as_array(history["confidence"], "history['confidence']")
    if values.shape != (3,):
        raise Fail(f"fit logged {values.size} values of 'confidence' for 3 epochs.",
                   "return the metric's result from train_step.")
    if not np.allclose(values, expected, rtol=1e-4, atol=1e-5):
        raise Fail(f"with weights the check sets at each epoch (and learning rate 0), the mean "
                   f"largest probability of each epoch is {np.round(expected, 4).tolist()}, but "
                   f"fit logged 'confidence' {np.round(values, 4).tolist()}.",
                   "fit resets the metrics of self.metrics at the start of every epoch: keep the "
                   "metric as an attribute of the model (made once, in __init__), and update it "
                   "with (y, y_pred) in every train_step.")
    yours, plain = _fit_like_keras(cls, "ConfidenceModel", evaluate=False)
    _compare_training(yours["history"], plain["history"])


def _copier(cls, loss, noise_stddev=0.5):
    """A model that copies its input and never learns (learning rate 0), fit for two epochs on
    images alone: its loss against the clean images measures the noise its train_step adds."""
    import keras

    x, _, _ = _digits(256)
    inputs = keras.Input(shape=(64,))
    outputs = keras.layers.Dense(64, kernel_initializer="identity", bias_initializer="zeros")(inputs)
    model = _run(f"DenoisingAutoencoder(inputs, outputs, noise_stddev={noise_stddev})", cls,
                 inputs, outputs, noise_stddev=noise_stddev)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss=loss)
    history = _run("fit(images)", model.fit, x, epochs=2, batch_size=64, shuffle=False, verbose=0)
    if "loss" not in history.history:
        raise Fail("fit's history has no 'loss'.", "return the results of self.metrics.")
    return history.history["loss"]


@question("07.q5", points=3,
          checks="DenoisingAutoencoder trains with fit(images) on inputs with fresh Gaussian noise "
                 "of the given size and the compiled loss (penalties included) against the clean "
                 "images",
          defines=("DenoisingAutoencoder",),
          fixed="DenoisingAutoencoder(inputs, outputs, noise_stddev=...) is a keras.Model subclass "
                "trained with fit(images); train_step adds Gaussian noise of that standard "
                "deviation, new at every step, and trains on the compiled loss (as compute_loss "
                "gives it) between the output and the clean images.",
          verifies=("a keras.Model subclass that overrides train_step",
                    "with noise_stddev=0 it trains exactly like a plain autoencoder fit on "
                    "(images, images), with an L2 penalty and Dropout",
                    "a model that copies its input, compiled with mean squared error: the loss is "
                    "noise_stddev² = 0.25 (Gaussian noise of that size, clean target)",
                    "compiled with mean absolute error: the loss is noise_stddev·√(2/π) ≈ 0.40 "
                    "(the compiled loss is used)",
                    "the loss differs between epochs (new noise at every step)"))
def _q5(answers: Answers) -> None:
    import keras

    cls = _model_class(answers, "DenoisingAutoencoder")
    x, _, _ = _digits(256)

    def autoencoder_parts():
        init = keras.initializers.GlorotUniform
        inputs = keras.Input(shape=(64,))
        code = keras.layers.Dense(16, activation="relu", kernel_initializer=init(seed=75),
                                  kernel_regularizer=keras.regularizers.L2(1e-3))(inputs)
        code = keras.layers.Dropout(0.2, seed=77)(code)
        return inputs, keras.layers.Dense(64, activation="sigmoid",
                                          kernel_initializer=init(seed=76))(code)

    # 1. Without noise, it must train exactly like a plain autoencoder fit on (x, x).
    model = _run("DenoisingAutoencoder(inputs, outputs, noise_stddev=0.0)", cls,
                 *autoencoder_parts(), noise_stddev=0.0)
    _compile(model, loss=keras.losses.MeanSquaredError(), metrics=())
    got = _run("fit(images)", model.fit, x, epochs=2, batch_size=64, shuffle=False, verbose=0).history

    def plain_autoencoder():
        plain = keras.Model(*autoencoder_parts())
        _compile(plain, loss=keras.losses.MeanSquaredError(), metrics=())
        return plain.fit(x, x, epochs=2, batch_size=64, shuffle=False, verbose=0).history

    expected = _reference("autoencoder", plain_autoencoder)
    if "loss" not in got:
        raise Fail("fit's history has no 'loss'.", "return the results of self.metrics.")
    close(got["loss"], expected["loss"], "the loss per epoch with noise_stddev=0", rtol=1e-4,
          atol=1e-6, hint="with noise_stddev=0 your step adds no noise and must train like fit on "
                          "(images, images): the loss from self.compute_loss against the clean "
                          "images (it adds the regularisation losses), the model run with "
                          "training=True, the gradients applied with self.optimizer.apply.")
    # 2. A model that copies its input, never updated: its loss against the clean images is the
    #    noise's mean squared value, noise_stddev² — and 0 if no noise reaches it or if the
    #    target is the noisy input. Fresh noise makes the two epochs differ.
    losses = _copier(cls, keras.losses.MeanSquaredError())
    if not 0.22 <= losses[0] <= 0.28:
        raise Fail(f"for a model that copies its input, with noise_stddev=0.5 and mean squared "
                   f"error, the loss is {losses[0]:.3f}; about 0.5² = 0.25 was expected.",
                   "add Gaussian noise of standard deviation noise_stddev to the inputs, and "
                   "compare the model's output with the clean images.")
    if abs(losses[1] - losses[0]) < 1e-7:
        raise Fail("the noise is the same at every step.",
                   "draw it with keras.random.normal and a keras.random.SeedGenerator created "
                   "in __init__, not a fixed integer seed.")
    # 3. Compiled with another loss, the same model must report that loss: E|noise| = σ·√(2/π).
    losses = _copier(cls, keras.losses.MeanAbsoluteError())
    expected_mae = 0.5 * np.sqrt(2 / np.pi)
    if not abs(losses[0] - expected_mae) <= 0.02:
        raise Fail(f"compiled with mean absolute error, a model that copies its input reports a "
                   f"loss of {losses[0]:.3f} for noise_stddev=0.5, where 0.5·√(2/π) ≈ "
                   f"{expected_mae:.3f} was expected: train_step does not use the compiled loss.",
                   "compute the loss with self.compute_loss (the loss given to compile), not a "
                   "loss of your own.")


def _weighted_run(make, what: str) -> dict:
    """Fit a classifier built by ``make`` without sample weights (one epoch), then with them (two
    epochs), compiled with `accuracy` both as a metric and as a weighted metric."""
    x, y, _ = _digits()
    model = _run(f"{what}(inputs, outputs)", make, *_classifier_parts(seed=81))
    _compile(model, weighted_metrics=("accuracy",))
    plain = _run(f"fit(x, y) with your {what}", model.fit, x, y, epochs=1, batch_size=64,
                 shuffle=False, verbose=0).history
    weighted = _run(f"fit(x, y, sample_weight=w) with your {what}", model.fit, x, y,
                    sample_weight=_sample_weights(y), epochs=2, batch_size=64, shuffle=False,
                    verbose=0).history
    return {"plain": plain, "weighted": weighted}


_WEIGHT_HINT = ("take the batch apart with x, y, sample_weight = "
                "keras.utils.unpack_x_y_sample_weight(data), and pass sample_weight to "
                "self.compute_loss and to the compiled metrics.")


@question("07.q6", points=3,
          checks="WeightedModel's train_step takes sample weights: fit with and without them, and "
                 "under a MirroredStrategy, logs what a plain keras.Model logs (loss, accuracy, "
                 "weighted accuracy)",
          defines=("WeightedModel",),
          fixed="WeightedModel(inputs, outputs) is a keras.Model subclass whose train_step takes "
                "(x, y) or (x, y, sample_weight) batches; fit with or without sample_weight must log "
                "what a plain keras.Model logs: the loss weighted, weighted_metrics weighted, "
                "metrics not.",
          verifies=("a keras.Model subclass that overrides train_step",
                    "fit(x, y) without weights logs the loss and accuracy of a plain keras.Model",
                    "fit(x, y, sample_weight=w), with weights 0, 1 and 3, logs the loss, accuracy "
                    "and weighted_accuracy of a plain keras.Model, epoch by epoch (penalty, Dropout, "
                    "BatchNormalization)",
                    "when the kernel has two logical CPUs: with sample weights under a "
                    "MirroredStrategy of two replicas, the weights and the logged loss of a plain "
                    "keras.Model"))
def _q6(answers: Answers) -> None:
    import keras

    cls = _model_class(answers, "WeightedModel")
    yours = _weighted_run(cls, "WeightedModel")
    plain = _reference("weighted", lambda: _weighted_run(keras.Model, "keras.Model"))
    for key in ("loss", "accuracy"):
        if key not in yours["plain"]:
            raise Fail(f"fit(x, y) logged no {key!r}.",
                       "update every metric of self.metrics and return their results.")
        close(yours["plain"][key], plain["plain"][key], f"the {key} of fit(x, y) without weights",
              rtol=1e-4, atol=1e-5, hint=_TRAIN_HINT)
    for key in ("loss", "accuracy", "weighted_accuracy"):
        if key not in yours["weighted"]:
            raise Fail(f"fit(x, y, sample_weight=w) logged {sorted(yours['weighted'])}, no {key!r}.",
                       "update the compiled metrics (self.metrics) and return their results: "
                       "weighted_metrics log as weighted_accuracy.")
    close(yours["weighted"]["loss"], plain["weighted"]["loss"],
          "the loss per epoch of fit(x, y, sample_weight=w)", rtol=1e-4, atol=1e-5,
          hint=_WEIGHT_HINT)
    close(yours["weighted"]["weighted_accuracy"], plain["weighted"]["weighted_accuracy"],
          "weighted_accuracy per epoch of fit(x, y, sample_weight=w)", rtol=1e-4, atol=1e-5,
          hint="pass the sample weights to the compiled metrics: metric.update_state(y, y_pred, "
               "sample_weight=sample_weight) for compile_metrics, or self.compute_metrics(x, y, "
               "y_pred, sample_weight).")
    close(yours["weighted"]["accuracy"], plain["weighted"]["accuracy"],
          "accuracy per epoch of fit(x, y, sample_weight=w)", rtol=1e-4, atol=1e-5,
          hint="metrics given as `metrics` in compile are not weighted; give the sample weights to "
               "the compiled metrics object as a whole, which knows which to weigh.")
    _compare_distributed(cls, "WeightedModel", weighted=True)


def _regression_probe(cls):
    """Fit ``cls`` (compiled with an optimizer only) with learning rate 0 for three epochs, with
    known weights set at the start of each epoch: the loss and mse each epoch should log are then
    known exactly. Batches of 64 and 64 and 64."""
    import keras

    rng = np.random.default_rng(77)
    features = rng.normal(size=(192, 4)).astype("float32")
    targets = (features @ rng.normal(size=(4, 1)) + rng.normal(size=(192, 1))).astype("float32")
    inputs = keras.Input(shape=(4,))
    model = _run("RobustRegressor(inputs, outputs)", cls, inputs,
                 keras.layers.Dense(1, kernel_initializer="zeros")(inputs))
    model.compile(optimizer=keras.optimizers.SGD(0.0))
    weights = [[(rng.normal(size=(4, 1)) * scale).astype("float32"),
                rng.normal(size=1).astype("float32")] for scale in (0.3, 1.0, 3.0)]
    expected = {"loss": [], "mse": []}
    for kernel, bias in weights:
        error = targets - (features @ kernel + bias)
        expected["loss"].append(float(np.mean(np.abs(error))))
        expected["mse"].append(float(np.mean(error ** 2)))

    class EpochWeights(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.model.set_weights(weights[epoch])

    history = _run("fit with your train_step", model.fit, features, targets, epochs=3,
                   batch_size=64, shuffle=False, verbose=0, callbacks=[EpochWeights()]).history
    return features, targets, history, expected


@question("07.q7", points=2,
          checks="RobustRegressor, compiled with an optimizer only, trains on the mean absolute "
                 "error and logs 'loss' and 'mse' from metrics of its own, reset every epoch",
          defines=("RobustRegressor",),
          fixed="RobustRegressor(inputs, outputs) is a keras.Model subclass compiled with an "
                "optimizer only; train_step minimises the mean absolute error of the batch and "
                "logs 'loss' (a keras.metrics.Mean of its own) and 'mse' (a "
                "keras.metrics.MeanSquaredError of its own), each epoch's mean.",
          verifies=("a keras.Model subclass that overrides train_step",
                    "with known weights each epoch (learning rate 0): 'loss' and 'mse' per epoch "
                    "are the mean absolute and squared errors of that epoch's predictions (the "
                    "metrics are reset every epoch and average the whole epoch)",
                    "with learning rate 0.05: the same weights and losses as a plain keras.Model "
                    "compiled with mean absolute error"))
def _q7(answers: Answers) -> None:
    import keras

    cls = _model_class(answers, "RobustRegressor")
    features, targets, history, expected = _regression_probe(cls)
    for key in ("loss", "mse"):
        if key not in history:
            raise Fail(f"fit's history has {sorted(history)}, but no {key!r}.",
                       "make keras.metrics.Mean(name='loss') and keras.metrics.MeanSquaredError("
                       "name='mse') in __init__, update them in train_step and return their "
                       "results by name.")
        values = as_array(history[key], f"history[{key!r}]")
        if values.shape != (3,) or not np.allclose(values, expected[key], rtol=1e-4, atol=1e-5):
            raise Fail(f"with weights the check sets at each epoch (and learning rate 0), the {key} "
                       f"of each epoch is {np.round(expected[key], 4).tolist()}, but fit logged "
                       f"{np.round(values, 4).tolist()}.",
                       "return each metric's result(), not the last batch's value; list your "
                       "metrics in the metrics property (or keep them as attributes of the model) "
                       "so that fit resets them every epoch, and never reset them in train_step."
                       if key == "loss" else
                       "update a keras.metrics.MeanSquaredError(name='mse') with (y, y_pred).")

    def train(make, what):
        inputs = keras.Input(shape=(4,))
        outputs = keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed=78))(inputs)
        model = _run(f"{what}(inputs, outputs)", make, inputs, outputs)
        if make is keras.Model:
            model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mean_absolute_error")
        else:
            model.compile(optimizer=keras.optimizers.SGD(0.05))
        history = _run(f"fit with your {what}", model.fit, features, targets, epochs=3,
                       batch_size=64, shuffle=False, verbose=0).history
        return history, [np.asarray(w) for w in model.get_weights()]

    history, weights = train(cls, "RobustRegressor")
    expected_history, expected_weights = _reference("regressor", lambda: train(keras.Model, "keras.Model"))
    hint = ("minimise the mean over the batch of |y − y_pred| (one number, e.g. ops.mean(ops.abs("
            "y - y_pred))), and apply its gradients with self.optimizer.apply.")
    for got, want in zip(weights, expected_weights):
        close(got, want, "the weights after 3 epochs with SGD(0.05)", rtol=1e-4, atol=1e-5,
              hint=hint)
    close(history["loss"], expected_history["loss"], "the loss per epoch with SGD(0.05)",
          rtol=1e-4, atol=1e-5, hint=hint)


def _label_probe(cls):
    """A classifier (BatchNormalization with statistics set to values of the check's, Dropout) and
    100 examples: what its predict gives on arrays and on a dataset of (x, y) batches, and what
    it should give."""
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(79)
    x, y, _ = _digits(100)
    model = _run("LabelModel(inputs, outputs)", cls, *_classifier_parts(seed=80))
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.moving_mean.assign(rng.normal(size=layer.moving_mean.shape).astype("float32"))
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, size=layer.moving_variance.shape)
                                         .astype("float32"))
    probabilities = np.asarray(model(x, training=False))
    expected = {"label": probabilities.argmax(axis=1), "probability": probabilities.max(axis=1)}
    first = _run("model.predict(x, batch_size=32)", model.predict, x, batch_size=32, verbose=0)
    pairs = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    second = _run("model.predict on a dataset of (x, y) batches", model.predict, pairs, verbose=0)
    return first, second, expected


@question("07.q8", points=2,
          checks="LabelModel's predict returns a dict of each example's predicted label (integers) "
                 "and its probability, in inference mode, from arrays and from (x, y) datasets",
          defines=("LabelModel",),
          fixed="LabelModel(inputs, outputs) is a keras.Model subclass for a classifier with "
                "probability outputs whose predict returns {'label': the most probable class, "
                "as integers, 'probability': its probability}, for arrays and for datasets of "
                "(x, y) batches.",
          verifies=("a keras.Model subclass that overrides predict_step",
                    "predict(x) in batches of 32 (the last one of 4) gives the labels and "
                    "probabilities of the model run with training=False (BatchNormalization with "
                    "set statistics, Dropout)",
                    "labels are integers",
                    "predict on a dataset of (x, y) batches gives the same"))
def _q8(answers: Answers) -> None:
    cls = _model_class(answers, "LabelModel", steps=("predict_step",))
    first, second, expected = _label_probe(cls)
    for what, result in (("predict(x)", first), ("predict on a dataset of (x, y) batches", second)):
        if not isinstance(result, dict) or set(result) != {"label", "probability"}:
            got = sorted(result) if isinstance(result, dict) else type(result).__name__
            raise Fail(f"{what} returned {got}; a dict with 'label' and 'probability' was "
                       "expected.", "return {'label': ..., 'probability': ...} from predict_step.")
        labels = np.asarray(result["label"])
        if labels.shape != expected["label"].shape:
            raise Fail(f"{what}['label'] has shape {labels.shape}; one label per example, "
                       f"{expected['label'].shape}, was expected.",
                       "take the argmax over the last axis, the classes.")
        if not np.issubdtype(labels.dtype, np.integer):
            raise Fail(f"{what}['label'] has dtype {labels.dtype}; integer labels were expected.",
                       "ops.argmax returns integers: do not cast them.")
        if not np.array_equal(labels, expected["label"]):
            raise Fail(f"{what} gives other labels than the model run with training=False, for "
                       f"{int(np.sum(labels != expected['label']))} of {labels.size} examples.",
                       "run the model with self(x, training=False) in predict_step (the model has "
                       "Dropout and BatchNormalization), and take the argmax over the classes.")
        close(result["probability"], expected["probability"], f"{what}['probability']",
              rtol=1e-5, atol=1e-6, hint="the probability of the predicted label: the largest "
                                         "probability of each example.")
