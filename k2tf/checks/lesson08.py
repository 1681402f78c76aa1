"""Checks for exercise 08 (TensorBoard).

Every check runs the student's function on a model, data and log folder of its own (a fresh
temporary folder) and then reads the event files it wrote, the way TensorBoard reads them.
What is checked is what those files hold (the values, the steps), not which API wrote them.
"""
from __future__ import annotations

import numpy as np

from . import Answers, Fail, question
from .expect import is_instance


def _tiny_model(seed: int, n_classes: int = 3):
    import keras

    # seeded initializers: the check's own weights, without touching the notebook's seeds
    return keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(8, activation="relu",
                           kernel_initializer=keras.initializers.GlorotUniform(seed=seed)),
        keras.layers.Dense(n_classes,
                           kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 1)),
    ])


def _tiny_data(seed: int, n: int, n_classes: int = 3):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, size=(n, 64)).astype("float32")
    y = rng.integers(0, n_classes, size=n).astype("int64")
    return x, y


def _flush_writers() -> None:
    """Flush every summary writer still open.

    A writer buffers events and writes them out every few seconds or when it is closed; one
    a student keeps open (the default writer, or one a callback holds) would show them in
    TensorBoard a little later, so the check flushes them all before reading the files.
    """
    import gc

    import tensorflow as tf

    for value in gc.get_objects():
        if isinstance(value, tf.summary.SummaryWriter):
            try:
                value.flush()
            except Exception:  # noqa: BLE001  (a closed writer: nothing left to flush)
                pass


def _summaries(run_dir, what: str):
    from ..logs import read_summaries

    if not run_dir.is_dir() or not any(run_dir.glob("events.out.tfevents.*")):
        raise Fail(f"{what} wrote no event file in the folder it was given.",
                   "write into the `log_dir` argument itself (not a folder of your own choice).")
    return read_summaries(run_dir)


def _series(log_dir, plugin: str) -> dict[tuple[str, str], list]:
    """(run, tag) → the summaries of ``plugin`` in every run under ``log_dir``, by step."""
    from ..logs import read_summaries, runs_under

    found: dict[tuple[str, str], list] = {}
    for run in runs_under(log_dir):
        for summary in read_summaries(log_dir / run):
            if summary.plugin == plugin:
                found.setdefault((run, summary.tag), []).append(summary)
    return {key: sorted(values, key=lambda s: s.step) for key, values in found.items()}


def _one_per_epoch(values: list, epochs: int) -> bool:
    steps = [s.step for s in values]
    return len(steps) == epochs and all(a < b for a, b in zip(steps, steps[1:]))


def _shows(histogram, values: np.ndarray) -> bool:
    """Whether a histogram (rows of [left, right, count]) counts exactly ``values``."""
    buckets = np.asarray(histogram, dtype=np.float64)
    if buckets.ndim != 2 or buckets.shape[1] != 3 or not len(buckets):
        return False
    tolerance = 1e-6 * max(1.0, float(np.max(np.abs(values))))
    return (int(round(buckets[:, 2].sum())) == values.size
            and abs(buckets[0, 0] - values.min()) <= tolerance
            and abs(buckets[-1, 1] - values.max()) <= tolerance)


@question("08.q1", points=2,
          checks="make_tensorboard_callback(log_dir) returns a Keras callback that writes under "
                 "log_dir, after every epoch of fit, every metric of that epoch (training and "
                 "validation) as a scalar and a histogram of every trainable weight",
          defines=("make_tensorboard_callback",),
          fixed="make_tensorboard_callback(log_dir) returns a Keras callback; under log_dir (in "
                "it or in run folders below it) one scalar per metric of fit's logs and one "
                "histogram per trainable weight, once per epoch; tags, runs and how are free",
          verifies=("what it returns is a Keras callback, and fit runs with it",
                    "event files are written under the log_dir given",
                    "each metric fit reports (loss, accuracy, val_loss, val_accuracy) appears as "
                    "a scalar with one value per epoch, equal to fit's history",
                    "each trainable weight appears as a histogram with one value per epoch, "
                    "counting that weight's values at the end of that epoch"))
def _q1(answers: Answers) -> None:
    import keras

    from ..logs import runs_under, temporary_log_root

    log_dir = temporary_log_root("k2tf-check-08q1-")
    callback = answers.call("make_tensorboard_callback", str(log_dir))
    is_instance(callback, keras.callbacks.Callback, "make_tensorboard_callback(log_dir)",
                "a Keras callback", hint="return a callback object that fit accepts.")
    model = _tiny_model(81)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    x, y = _tiny_data(81, 64)
    epochs = 3
    snapshots: list[list[np.ndarray]] = []  # each trainable weight, at the end of each epoch
    keep = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(
        [v.numpy().copy() for v in model.trainable_variables]))
    try:
        history = model.fit(x[:48], y[:48], validation_data=(x[48:], y[48:]), epochs=epochs,
                            batch_size=16, verbose=0, callbacks=[callback, keep])
    except Exception as error:  # noqa: BLE001  (the student's callback failed inside fit)
        message = str(error).strip().splitlines()
        raise Fail(f"fit failed with your callback: {type(error).__name__}: "
                   f"{message[0] if message else '(no message)'}",
                   "train a small model with it in a cell of its own to see where it fails."
                   ) from None
    _flush_writers()
    if not runs_under(log_dir):
        raise Fail("the callback wrote no event file under the folder it was given.",
                   "write into the `log_dir` argument (or folders inside it), not a folder "
                   "of your own choice.")

    scalars = _series(log_dir, "scalars")
    for metric, expected in history.history.items():
        if not any(_one_per_epoch(values, epochs)
                   and np.allclose([s.value for s in values], expected, rtol=1e-4, atol=1e-6)
                   for values in scalars.values()):
            raise Fail(f"after {epochs} epochs with validation data, the logs hold no scalar with "
                       f"the value of `{metric}` for each epoch, one value per epoch at "
                       "increasing steps.",
                       "log every metric fit passes at the end of an epoch (its `logs`), "
                       "training and validation, with the epoch as the step.")

    histograms = _series(log_dir, "histograms")
    for index, variable in enumerate(model.trainable_variables):
        if not any(_one_per_epoch(values, epochs)
                   and all(_shows(s.value, snapshots[epoch][index])
                           for epoch, s in enumerate(values))
                   for values in histograms.values()):
            raise Fail(f"after {epochs} epochs, the logs hold no histogram of the weight "
                       f"`{variable.path}` for each epoch showing its values at the end of that "
                       "epoch.",
                       "every trainable weight needs a histogram after every epoch: how often "
                       "Keras's callback writes them is one of its arguments; in a callback of "
                       "your own, write them when an epoch ends.")


# 08.q2's probe: logits whose arg-max follows tables the check chose, whatever the optimizer.
# The model counts the updates of its weights it has seen; in "phase" p = updates // batches
# per epoch (so during epoch p, and right after epoch p - 1) the class it predicts for an
# input is the arg-max of that input's features 3p, 3p + 1, 3p + 2, by a margin trainable
# weights cannot overturn in a few steps. So the check knows the accuracy of every epoch.
_PHASES, _PER_EPOCH, _BATCH, _CLASSES, _MARGIN = 3, 3, 16, 3, 20.0
# right answers per batch, in each phase: accuracies 18/48, 30/48, 36/48 overall, and a last
# batch that differs from the whole epoch, so neither the last batch nor a metric never reset
# gives an epoch's value
_RIGHT_PER_BATCH = ((3, 6, 9), (10, 7, 13), (12, 14, 10))


def _phased_model(seed: int):
    import keras
    import tensorflow as tf

    class PhasedProbe(keras.Model):
        def __init__(self):
            super().__init__(name="probe")
            init = keras.initializers.RandomUniform(-0.1, 0.1, seed=seed)
            self.head = keras.layers.Dense(_CLASSES, kernel_initializer=init, name="head")
            # plain tf.Variables: bookkeeping Keras does not list among the model's weights
            self._seen_kernel = tf.Variable(tf.zeros((8, _CLASSES)), trainable=False)
            self._seen_bias = tf.Variable(tf.zeros((_CLASSES,)), trainable=False)
            self._updates = tf.Variable(0, dtype=tf.int64, trainable=False)

        def start(self):
            self._seen_kernel.assign(self.head.kernel.value)
            self._seen_bias.assign(self.head.bias.value)
            self._updates.assign(0)

        def call(self, inputs):
            kernel, bias = self.head.kernel.value, self.head.bias.value
            changed = tf.logical_or(tf.reduce_any(tf.not_equal(kernel, self._seen_kernel)),
                                    tf.reduce_any(tf.not_equal(bias, self._seen_bias)))
            self._updates.assign_add(tf.cast(changed, tf.int64))
            self._seen_kernel.assign(kernel)
            self._seen_bias.assign(bias)
            phase = tf.minimum(self._updates // _PER_EPOCH, _PHASES - 1)
            scores = tf.reshape(inputs[:, :_PHASES * _CLASSES], (-1, _PHASES, _CLASSES))
            chosen = tf.argmax(tf.gather(scores, phase, axis=1), axis=-1)
            return _MARGIN * tf.one_hot(chosen, _CLASSES) + self.head(inputs[:, 16:24])

    model = PhasedProbe()
    model.head.build((None, 8))
    model(np.zeros((1, 64), dtype="float32"))  # builds the model
    model.start()
    return model


def _phased_data(seed: int):
    """48 inputs (3 batches of 16) in [0, 1], labels, and the class predicted in each phase."""
    rng = np.random.default_rng(seed)
    n = _PER_EPOCH * _BATCH
    x = rng.uniform(0.0, 1.0, size=(n, 64)).astype("float32")
    y = rng.integers(0, _CLASSES, size=n).astype("int64")
    predicted = np.zeros((_PHASES, n), dtype="int64")
    for phase, per_batch in enumerate(_RIGHT_PER_BATCH):
        for batch, right in enumerate(per_batch):
            rows = np.arange(batch * _BATCH, (batch + 1) * _BATCH)
            hits = rng.permutation(rows)[:right]
            guess = (y[rows] + rng.integers(1, _CLASSES, size=_BATCH)) % _CLASSES  # wrong
            guess[np.isin(rows, hits)] = y[rows][np.isin(rows, hits)]
            predicted[phase, rows] = guess
    for phase in range(_PHASES):  # features 3p..3p+2: highest at the predicted class
        block = rng.uniform(0.0, 0.6, size=(n, _CLASSES))
        block[np.arange(n), predicted[phase]] = rng.uniform(0.8, 1.0, size=n)
        x[:, phase * _CLASSES:(phase + 1) * _CLASSES] = block
    return x, y, predicted


def _decoded_images(value) -> np.ndarray:
    import tensorflow as tf

    return np.stack([tf.io.decode_png(png, channels=1).numpy() for png in value[2:]])


@question("08.q2", points=3,
          checks="train_and_log trains a model in a custom loop and writes, in log_dir, the loss "
                 "after every batch (steps 1, 2, ...), the training accuracy and a histogram of "
                 "every weight after every epoch (steps 0, 1, ...), and the first 4 inputs as "
                 "images",
          defines=("train_and_log",),
          fixed="train_and_log(model, dataset, epochs, log_dir); in log_dir itself: scalar `loss` "
                "at steps 1, 2, ... (that batch's cross-entropy on logits); scalar `accuracy` at "
                "step = epoch (the epoch's training accuracy); histograms tagged variable.path at "
                "step = epoch; image `inputs` at step 0 (the first 4 inputs, 8×8); optimizer free",
          verifies=("the model's weights change (it trains)",
                    "`loss` is written at steps 1..6 for 3 batches × 2 epochs, and the first is "
                    "the cross-entropy of the first batch before any update",
                    "`accuracy` is written at steps 0 and 1, equal to the fraction of the epoch's "
                    "examples classified right, counted batch by batch as it trains (before or "
                    "after each update) or measured on the training data once the epoch is over: "
                    "not the last batch's, not a running value never reset, not in percent (the "
                    "check's model predicts classes the check chose for each epoch, whatever the "
                    "optimizer)",
                    "one histogram per trainable variable per epoch, tagged with its .path, the "
                    "last one counting the final weights",
                    "one image summary `inputs` at step 0 holding the first 4 inputs as 8×8 "
                    "pictures"))
def _q2(answers: Answers) -> None:
    import keras
    import tensorflow as tf

    from ..logs import temporary_log_root

    model = _phased_model(82)
    x, y, predicted = _phased_data(82)
    first_loss = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(
        y[:_BATCH], model(x[:_BATCH])))
    before = [v.numpy().copy() for v in model.trainable_variables]
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(_BATCH)  # 3 batches per epoch
    log_dir = temporary_log_root("k2tf-check-08q2-")
    answers.call("train_and_log", model, dataset, 2, str(log_dir))
    _flush_writers()
    if all(np.array_equal(b, v.numpy()) for b, v in zip(before, model.trainable_variables)):
        raise Fail("train_and_log did not change the model's weights: it does not train.",
                   "apply the gradients with the optimizer after every batch.")
    summaries = _summaries(log_dir, "train_and_log")

    losses = [s for s in summaries if s.plugin == "scalars" and s.tag == "loss"]
    steps = [s.step for s in losses]
    if steps != list(range(1, 7)):
        raise Fail(f"with 3 batches per epoch and 2 epochs, the scalar `loss` should be written at "
                   f"steps 1 to 6, one per batch; it was written at steps {steps}.",
                   "count the batches you have trained on, and write the loss after each one.")
    if not np.all(np.isfinite([s.value for s in losses])) or abs(losses[0].value - first_loss) > \
            1e-4 * max(1.0, abs(first_loss)):
        raise Fail("the first `loss` written is not the loss of the first batch "
                   "(the mean sparse categorical cross-entropy of the model's logits, before the "
                   "update).",
                   "write the loss your training step computed, for the batch it trained on.")

    accuracy = [s for s in summaries if s.plugin == "scalars" and s.tag == "accuracy"]
    if [s.step for s in accuracy] != [0, 1]:
        raise Fail(f"the scalar `accuracy` should be written once per epoch, at steps 0 and 1; it "
                   f"was written at steps {[s.step for s in accuracy]}.",
                   "write it after the loop over the batches, with the epoch as its step.")
    # right[p, b]: examples of batch b the model classifies right in phase p. While training on
    # epoch e the model is in phase e; after the update of batch b of epoch e, in phase
    # (e * batches + b + 1) // batches; once epoch e is over, in phase e + 1.
    right = (predicted == y).reshape(_PHASES, _PER_EPOCH, _BATCH).sum(axis=2)
    n = _PER_EPOCH * _BATCH
    while_training = [right[e].sum() / n for e in range(2)]
    after_each_update = [sum(right[(e * _PER_EPOCH + b + 1) // _PER_EPOCH, b]
                             for b in range(_PER_EPOCH)) / n for e in range(2)]
    after_the_epoch = [right[e + 1].sum() / n for e in range(2)]
    got = [s.value for s in accuracy]
    if not any(np.allclose(got, expected, atol=1e-4)
               for expected in (while_training, after_each_update, after_the_epoch)):
        raise Fail(f"the scalar `accuracy` reads {np.round(got, 4).tolist()}, which is not the "
                   "training accuracy of each epoch (the fraction of that epoch's examples the "
                   "model classified right).",
                   "count every example of the epoch, start afresh each epoch, compare the "
                   "arg-max of the logits with the labels, and write a fraction.")

    for variable in model.trainable_variables:
        histograms = [s for s in summaries if s.plugin == "histograms" and s.tag == variable.path]
        if [s.step for s in histograms] != [0, 1]:
            raise Fail(f"there should be a histogram tagged `{variable.path}` (the variable's "
                       "`.path`) for each epoch, at steps 0 and 1.",
                       "after each epoch, write one histogram per trainable variable.")
        if not _shows(histograms[-1].value, variable.numpy()):
            raise Fail(f"the last histogram of `{variable.path}` does not show that variable's "
                       "values after training.", "write the variable itself, after the epoch.")

    images = [s for s in summaries if s.plugin == "images" and s.tag == "inputs"]
    if [s.step for s in images] != [0]:
        raise Fail("there should be one image summary tagged `inputs`, at step 0.",
                   "write it once, before (or during) the first batch.")
    value = images[0].value
    if len(value) - 2 != 4 or (value[0], value[1]) != (b"8", b"8"):
        raise Fail("the image summary `inputs` should hold 4 images of 8×8 pixels.",
                   "reshape the first 4 inputs to (4, 8, 8, 1) and keep up to 4 outputs.")
    pixels = _decoded_images(value).astype(np.float64)
    expected = np.round(x[:4].reshape(4, 8, 8, 1) * 255.0)
    if np.max(np.abs(pixels - expected)) > 2.0:
        raise Fail("the image summary `inputs` does not show the first 4 inputs of the first "
                   "batch.", "write the batch's own first 4 images, reshaped to 8×8 pixels.")


@question("08.q3", points=2,
          checks="export_graph(function, example, log_dir, name) writes the op graph of a "
                 "not-yet-traced tf.function, traced on example, into log_dir (under tag name at "
                 "step 0)",
          defines=("export_graph",),
          fixed="export_graph(function, example, log_dir, name) logs the op graph of function "
                "traced on example into log_dir itself: with trace_export under the tag `name` "
                "at step 0, or with tf.summary.graph",
          verifies=("the function is traced (called) by export_graph; with trace_export, while "
                    "trace_on records (not before)",
                    "log_dir holds one graph: tagged `name` at step 0 (trace_export) or a "
                    "graph event (tf.summary.graph)",
                    "the graph written is the one of the function given (its own ops)"))
def _q3(answers: Answers) -> None:
    import tensorflow as tf
    from tensorflow.core.protobuf import config_pb2

    from ..logs import temporary_log_root

    calls = []  # one entry per trace: whether a trace_on recording was on at that moment

    @tf.function
    def probe(x):  # ops no lesson function uses, so the graph must be this one's
        calls.append(_recording())
        return tf.math.cumsum(tf.nn.softplus(x)) * 3.0

    log_dir = temporary_log_root("k2tf-check-08q3-")
    try:
        answers.call("export_graph", probe, tf.constant([0.5, -1.0, 2.0]), str(log_dir),
                     "probe_graph")
    finally:
        tf.summary.trace_off()  # in case the answer left recording on
    _flush_writers()
    if not calls:
        raise Fail("export_graph never called the function, so no graph was traced.",
                   "recording starts with trace_on; the graph is recorded while the function is "
                   "traced, which happens on its first call.")
    summaries = _summaries(log_dir, "export_graph")
    graphs = [s for s in summaries if s.plugin == "graph_run_metadata_graph"]
    written = _graph_defs(log_dir)  # tf.summary.graph writes a graph event, without tag
    if not graphs and written:
        ops = set()
        for graph in written:
            ops.update(_ops(graph))
    else:
        if [(s.tag, s.step) for s in graphs] != [("probe_graph", 0)]:
            raise Fail(f"expected one graph tagged `probe_graph` at step 0; found "
                       f"{[(s.tag, s.step) for s in graphs] or 'none'}.",
                       "export with the `name` you are given, at step 0.")
        if not any(calls):
            raise Fail("export_graph traced the function before recording started: a graph is "
                       "recorded while the function is traced, and a function is traced once, "
                       "on its first call.",
                       "start recording with trace_on first, then make the function's first "
                       "call.")
        metadata = config_pb2.RunMetadata.FromString(graphs[0].value.item())
        ops = set()
        for function_graph in metadata.function_graphs:
            ops.update(_ops(function_graph.pre_optimization_graph))
    if not {"Cumsum", "Softplus"} <= ops:
        raise Fail("the graph written is not the graph of the function you were given.",
                   "call the function you are given, between trace_on and trace_export.")


def _recording() -> bool:
    """Whether tf.summary.trace_on is recording now (TensorFlow keeps no public flag)."""
    from tensorflow.python.ops import summary_ops_v2

    return getattr(summary_ops_v2, "_current_trace_context", True) is not None


def _graph_defs(log_dir) -> list:
    from tensorboard.backend.event_processing import event_file_loader

    graphs = []
    for path in sorted(log_dir.glob("events.out.tfevents.*")):
        for event in event_file_loader.EventFileLoader(str(path)).Load():
            if event.HasField("graph_def"):
                from tensorflow.core.framework import graph_pb2

                graphs.append(graph_pb2.GraphDef.FromString(event.graph_def))
    return graphs


def _ops(graph) -> set[str]:
    ops = {node.op for node in graph.node}
    for library_function in graph.library.function:
        ops.update(node.op for node in library_function.node_def)
    return ops


@question("08.q4", points=2,
          checks="log_trial(run_dir, hparams, val_accuracy) records a trial's hyperparameters "
                 "with hp.hparams and its val_accuracy as a scalar in run_dir",
          defines=("log_trial",),
          fixed="log_trial(run_dir, hparams, val_accuracy): in run_dir itself, the trial's "
                "hyperparameters for the HParams dashboard and the scalar `val_accuracy` (any "
                "step)",
          verifies=("run_dir holds the scalar `val_accuracy` with the value given",
                    "run_dir records hyperparameters for the HParams dashboard (hp.hparams)",
                    "the values recorded are the ones given, numbers and strings alike"))
def _q4(answers: Answers) -> None:
    import tensorflow as tf  # noqa: F401  (TensorBoard's readers need it loaded)
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.plugins.hparams import api as hp
    from tensorboard.plugins.hparams import metadata

    from ..logs import temporary_log_root

    rng = np.random.default_rng(84)
    rate = float(rng.choice([0.003, 0.03, 0.3]))
    layers = int(rng.integers(2, 9))
    optimizer = str(rng.choice(["adam", "sgd", "rmsprop"]))
    accuracy = float(np.round(rng.uniform(0.5, 0.99), 4))
    hparams = {hp.HParam("rate", hp.Discrete([0.003, 0.03, 0.3])): rate,
               hp.HParam("layers", hp.IntInterval(1, 10)): layers,
               hp.HParam("optimizer", hp.Discrete(["adam", "sgd", "rmsprop"])): optimizer}
    run_dir = temporary_log_root("k2tf-check-08q4-") / "trial"
    run_dir.mkdir()
    answers.call("log_trial", str(run_dir), hparams, accuracy)
    _flush_writers()
    summaries = _summaries(run_dir, "log_trial")
    scalars = [s for s in summaries if s.plugin == "scalars" and s.tag == "val_accuracy"]
    if not scalars or any(abs(s.value - accuracy) > 1e-6 for s in scalars):
        raise Fail("the run does not hold the scalar `val_accuracy` with the value given.",
                   "write `val_accuracy` with tf.summary.scalar, in the trial's run folder.")
    reader = event_accumulator.EventAccumulator(
        str(run_dir), size_guidance={event_accumulator.TENSORS: 0})
    reader.Reload()
    tag = metadata.SESSION_START_INFO_TAG
    if tag not in reader.Tags()[event_accumulator.TENSORS]:
        raise Fail("the run records no hyperparameters for the HParams dashboard.",
                   "record them with `hp.hparams(...)` while the run's writer is the default.")
    info = metadata.parse_session_start_info_plugin_data(
        reader.SummaryMetadata(tag).plugin_data.content)
    recorded = {name: getattr(value, value.WhichOneof("kind"))
                for name, value in info.hparams.items()}
    given = {"rate": rate, "layers": layers, "optimizer": optimizer}
    if recorded != given:
        raise Fail(f"the run records the hyperparameters {recorded}, not the ones given "
                   f"({given}).",
                   "pass the `hparams` argument itself to hp.hparams.")


@question("08.q5", points=2,
          checks="best_trial(sweep_dir, metric) reads the event files under sweep_dir and names "
                 "the run whose last value of the scalar metric is the highest",
          defines=("best_trial",),
          fixed="best_trial(sweep_dir, metric) returns a str: the run's folder relative to "
                "sweep_dir whose value of the scalar `metric` at its last step is the highest; "
                "runs without it are skipped",
          verifies=("it returns a str naming a run relative to sweep_dir",
                    "it compares the value at the last step (not the peak, first, mean, or "
                    "lowest)",
                    "it reads the scalar named by `metric`, not another tag",
                    "runs without the metric, and an event file at sweep_dir's root, are "
                    "skipped"))
def _q5(answers: Answers) -> None:
    import os

    import tensorflow as tf

    from ..logs import temporary_log_root

    sweep = temporary_log_root("k2tf-check-08q5-")
    names = [f"trial_{i}" for i in np.random.default_rng(85).permutation(5)]
    best = names[2]
    # The best run ends highest but starts lowest; the others peak and start higher, average
    # higher, and hold a higher value of another tag: only the last value picks the best.
    for rank, name in enumerate(names):
        writer = tf.summary.create_file_writer(str(sweep / name))
        with writer.as_default():
            values = [0.1, 0.2, 0.8] if name == best else [0.95, 0.9, 0.3 + 0.1 * rank]
            for step, value in enumerate(values):
                tf.summary.scalar("score", value, step=step)
            tf.summary.scalar("other", 10.0 if name != best else 0.0, step=2)
        writer.close()
    for folder, write in ((sweep / "notes", lambda: tf.summary.text("about", "no metric", step=0)),
                          (sweep, lambda: tf.summary.scalar("other", 99.0, step=0))):
        writer = tf.summary.create_file_writer(str(folder))  # runs without the metric
        with writer.as_default():
            write()
        writer.close()
    got = answers.call("best_trial", str(sweep), "score")
    if not isinstance(got, str):
        raise Fail(f"best_trial returned a {type(got).__name__}; the name of a run (a str) was "
                   "expected.", "return the run's folder name relative to sweep_dir.")
    if os.path.normpath(got) != best:
        if os.path.normpath(got) == os.path.normpath(str(sweep / best)):
            raise Fail("best_trial returned the full path of the best run, not its name.",
                       "return the run's folder name relative to sweep_dir.")
        raise Fail("best_trial did not name the run whose last value of the metric is the highest.",
                   "read every run's scalars, keep the value at the last step of `metric`, and "
                   "compare those.")


class _TableReader:
    """The rows of the first HTML table in a page: header cells, then each body row's cells."""

    def __init__(self, page: str):
        from html.parser import HTMLParser

        self.header: list[str] = []
        self.rows: list[list[str]] = []
        state = {"table": 0, "row": None, "cell": None, "head": False}
        reader = self

        class _Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                if tag == "table":
                    state["table"] += 1
                elif state["table"] == 1 and tag == "tr":
                    state["row"] = []
                elif state["table"] == 1 and tag in ("td", "th") and state["row"] is not None:
                    state["cell"], state["head"] = [], tag == "th"

            def handle_endtag(self, tag):
                if tag in ("td", "th") and state["cell"] is not None:
                    state["row"].append("".join(state["cell"]).strip())
                    state["cell"] = None
                elif tag == "tr" and state["row"] is not None:
                    if state["head"] and not reader.header and not reader.rows:
                        reader.header = state["row"]
                    else:
                        reader.rows.append(state["row"])
                    state["row"] = None
                elif tag == "table":
                    state["table"] += 1  # past the first table: ignore the rest

            def handle_data(self, data):
                if state["cell"] is not None:
                    state["cell"].append(data)

        self.found = "<table" in page
        _Parser().feed(page)


def _same_value(shown: str, value) -> bool:
    """Whether a table cell shows ``value``: the same string, or the same number."""
    shown = shown.strip()
    if isinstance(value, str):
        return shown == value
    try:
        return bool(np.isclose(float(shown), float(value), rtol=1e-6, atol=0.0))
    except ValueError:
        return False


@question("08.q6", points=2,
          checks="log_run_notes(log_dir, config, notes) writes in log_dir the text `config` at "
                 "step 0, a Markdown table of the settings TensorBoard renders as a table, and "
                 "the text `notes` at steps 0, 1, ... holding each note unchanged",
          defines=("log_run_notes",),
          fixed="log_run_notes(log_dir, config, notes): in log_dir itself, with tf.summary.text, "
                "`config` at step 0 (one string: a Markdown table, a header row then one row per "
                "setting, name then value) and `notes` at step i holding notes[i]; header words, "
                "extra columns, row order, number formats that keep the value, writers are free",
          verifies=("log_dir holds text summaries (the Text dashboard's plugin)",
                    "`config` is written once, at step 0, as one string",
                    "TensorBoard's own Markdown renderer turns it into a table with one row per "
                    "setting: the setting's name in the first column, its value (the same "
                    "string, or the same number) in the second",
                    "`notes` is written once per note, at steps 0, 1, 2, each note unchanged"))
def _q6(answers: Answers) -> None:
    import warnings

    import tensorflow as tf  # noqa: F401  (TensorBoard's readers need it loaded)

    from ..logs import temporary_log_root

    rng = np.random.default_rng(86)
    config = {"learning rate": float(rng.choice([0.003, 0.025, 0.0015])),  # 2 decimals lose it
              "hidden units": int(rng.integers(4, 65)),
              "optimizer": str(rng.choice(["rmsprop", "sgd", "adamw"])),
              "batch size": int(rng.choice([16, 32, 48]))}
    notes = [f"epoch 1: loss {rng.uniform(1, 2):.3f}, still falling",
             "epoch 2: accuracy **up** — keep going",
             f"epoch 3: stopped early (patience {int(rng.integers(2, 5))})"]
    log_dir = temporary_log_root("k2tf-check-08q6-")
    answers.call("log_run_notes", str(log_dir), dict(config), list(notes))
    _flush_writers()
    summaries = _summaries(log_dir, "log_run_notes")
    texts = [s for s in summaries if s.plugin == "text"]
    if not texts:
        raise Fail("log_dir holds no text summary, so the Text dashboard shows nothing.",
                   "write the texts with tf.summary.text while a writer on log_dir is the "
                   "default.")

    configs = [s for s in texts if s.tag == "config"]
    if [s.step for s in configs] != [0]:
        raise Fail(f"expected one text `config` at step 0; found it at steps "
                   f"{[s.step for s in configs] or 'none'}.",
                   "write the table once, with the tag `config` and step=0.")
    value = np.asarray(configs[0].value)
    if value.size != 1:
        raise Fail(f"the text `config` holds {value.size} strings; one string holding a Markdown "
                   "table was expected.", "join the table's lines into one string with \"\\n\".")
    markdown = value.reshape(-1)[0]
    markdown = markdown.decode() if isinstance(markdown, bytes) else str(markdown)
    with warnings.catch_warnings():  # the sanitizer TensorBoard vendors warns it is deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        from tensorboard import plugin_util  # the Text dashboard's own Markdown renderer

        page = plugin_util.markdown_to_safe_html(markdown)
    table = _TableReader(page)
    if not table.found:
        raise Fail("TensorBoard shows the text `config` as plain text, not as a table: it is not "
                   "a Markdown table.",
                   "a header row, then a separator row such as `|---|---|`, then one row per "
                   "setting, each cell between `|`.")
    if len(table.rows) != len(config):
        raise Fail(f"the `config` table has {len(table.rows)} row(s) below its header; "
                   f"{len(config)} settings were given: one row per setting was expected.",
                   "a header row first, then one row for each setting: its name, then its value.")
    shown_rows = {row[0]: row[1] if len(row) > 1 else "" for row in table.rows if row}
    if set(shown_rows) != set(config):
        raise Fail(f"the first column of the `config` table reads {sorted(shown_rows)}, not the "
                   f"names of the settings given ({sorted(config)}).",
                   "put each setting's name in the first column, its value in the second.")
    for name, given in config.items():
        if not _same_value(shown_rows[name], given):
            raise Fail(f"the `config` table shows `{name}` as {shown_rows[name]!r}, not its value "
                       f"{given!r}.",
                       "show each value in full (str(value) does), not rounded.")

    written = sorted((s for s in texts if s.tag == "notes"), key=lambda s: s.step)
    if [s.step for s in written] != list(range(len(notes))):
        raise Fail(f"with {len(notes)} notes, the text `notes` should be written at steps "
                   f"0 to {len(notes) - 1}, one note per step; it was written at steps "
                   f"{[s.step for s in written]}.",
                   "write notes[i] on its own, with step=i (enumerate counts from 0).")
    for index, (summary, note) in enumerate(zip(written, notes)):
        got = np.asarray(summary.value).reshape(-1)
        got = [g.decode() if isinstance(g, bytes) else str(g) for g in got]
        if got != [note]:
            raise Fail(f"the text `notes` at step {index} reads {got if len(got) != 1 else got[0]!r}"
                       f", not the note given ({note!r}).",
                       "write each note as it is, one string per step.")


def _profiler_running() -> bool:
    """Stop a profiler left running (it writes its profile then); say whether there was one."""
    import tensorflow as tf

    try:
        tf.profiler.experimental.stop()
    except tf.errors.UnavailableError:
        return False
    return True


@question("08.q7", points=2,
          checks="profile_steps records a profile in log_dir in which the Input Pipeline Analyzer "
                 "counts one step per batch, each step including the wait for its batch",
          defines=("profile_steps",),
          fixed="profile_steps(dataset, train_step, log_dir, steps) takes the first `steps` "
                "batches of dataset in order, calls train_step(batch) once on each, and records a "
                "profile in log_dir in which each step is marked, fetching its batch included; "
                "the profiler is stopped when it returns. The marker's name and how the profiler "
                "is started and stopped are free",
          verifies=("train_step is called once per batch, on the dataset's first `steps` batches "
                    "in order (7, then 5)",
                    "the profiler is not left running",
                    "a profile is written under log_dir",
                    "the Input Pipeline Analyzer counts exactly `steps` steps",
                    "with batches that take 40 ms to make and a step that takes almost none, the "
                    "analyzer finds the steps waiting for input at least half of the time"))
def _q7(answers: Answers) -> None:
    import time

    import tensorflow as tf

    from ..logs import input_pipeline_analysis, temporary_log_root

    def slow(value):
        time.sleep(0.02)
        return value

    for steps in (7, 5):
        start = 100 * steps
        dataset = tf.data.Dataset.range(start, start + 2 * steps + 6).map(
            lambda i: tf.numpy_function(slow, [i], tf.int64)).batch(2)
        total = tf.Variable(0, dtype=tf.int64)
        add = tf.function(lambda batch: total.assign_add(tf.reduce_sum(batch)), jit_compile=False)
        add(tf.constant([0, 0], tf.int64))  # traced before the student's profile
        seen = []

        def train_step(batch):
            seen.append([int(value) for value in np.asarray(batch)])
            return add(batch)

        log_dir = temporary_log_root("k2tf-check-08-")
        try:
            answers.call("profile_steps", dataset, train_step, str(log_dir), steps)
        finally:
            left_running = _profiler_running()
        expected = [[start + 2 * k, start + 2 * k + 1] for k in range(steps)]
        if seen != expected:
            raise Fail(f"asked for {steps} steps, train_step was called {len(seen)} times"
                       + ("" if len(seen) != steps else ", not on the dataset's first batches in "
                          "order") + ".",
                       "take the first `steps` batches of the dataset and call train_step once on "
                       "each.")
        if left_running:
            raise Fail("the profiler was still running when profile_steps returned.",
                       "stop it (tf.profiler.experimental.stop()) before returning: the profile "
                       "is written when it stops.")
        try:
            analysis = input_pipeline_analysis(log_dir)
        except FileNotFoundError:
            raise Fail("no profile was written in log_dir.",
                       "start the profiler with the log_dir you are given.") from None
        if analysis.steps != steps:
            marked = f"{analysis.steps} step" + ("" if analysis.steps == 1 else "s")
            raise Fail(f"the profile marks {marked} for {steps} calls of train_step.",
                       "mark each step with tf.profiler.experimental.Trace(name, step_num=step, "
                       "_r=1), one per batch." if analysis.steps == 0 else
                       "one step marker per batch: a Trace(..., step_num=step, _r=1) around each.")
        if not analysis.input_share >= 0.5:
            raise Fail(f"the batches take 40 ms to make, yet the analyzer finds the marked steps "
                       f"waiting for input {analysis.input_share:.0%} of the time: fetching the "
                       "batch is not inside the step.",
                       "get the next batch inside the step marker (next(iterator) within the "
                       "`with` block), or the wait for it is not counted.")
