"""Checks for exercise 08 (TensorBoard).

Every check runs the student's function on a model, data and log folder of its own (a fresh
temporary folder) and then reads the event files it wrote, the way TensorBoard reads them.
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


def _summaries(run_dir, what: str):
    from ..logs import read_summaries

    if not run_dir.is_dir() or not any(run_dir.glob("events.out.tfevents.*")):
        raise Fail(f"{what} wrote no event file in the folder it was given.",
                   "write into the `log_dir` argument itself (not a folder of your own choice).")
    return read_summaries(run_dir)


def _steps(summaries, plugin: str, tag: str) -> list[int]:
    return [s.step for s in summaries if s.plugin == plugin and s.tag == tag]


@question("08.q1", points=2,
          checks="make_tensorboard_callback(log_dir) returns a Keras TensorBoard callback that "
                 "writes per-epoch scalars and weight histograms for training and validation "
                 "into log_dir")
def _q1(answers: Answers) -> None:
    import keras

    from ..logs import temporary_log_root

    log_dir = temporary_log_root("k2tf-check-08q1-")
    callback = answers.call("make_tensorboard_callback", str(log_dir))
    is_instance(callback, keras.callbacks.TensorBoard, "make_tensorboard_callback(log_dir)",
                "a keras.callbacks.TensorBoard callback",
                hint="return `keras.callbacks.TensorBoard(...)`.")
    model = _tiny_model(81)
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = _tiny_data(81, 40)
    model.fit(x[:32], y[:32], validation_data=(x[32:], y[32:]), epochs=2, batch_size=16,
              verbose=0, callbacks=[callback])
    train = _summaries(log_dir / "train", "the callback")
    if _steps(train, "scalars", "epoch_loss") != [0, 1]:
        raise Fail("after 2 epochs, the run `train` does not hold the loss of each epoch.",
                   "let the callback log to the folder it is given.")
    if not (log_dir / "validation").is_dir():
        raise Fail("the callback wrote no `validation` run although fit had validation data.")
    for variable in model.trainable_variables:
        tag = f"{variable.path}/histogram"
        if _steps(train, "histograms", tag) != [0, 1]:
            raise Fail(f"after 2 epochs, the run `train` does not hold a histogram of "
                       f"`{variable.path}` for each epoch.",
                       "how often the callback writes histograms is one of its arguments.")


@question("08.q2", points=3,
          checks="train_and_log trains a model in a custom loop and writes, in log_dir, the loss "
                 "after every batch (steps 1, 2, ...), the accuracy and a histogram of every "
                 "weight after every epoch (steps 0, 1, ...), and the first 4 inputs as images")
def _q2(answers: Answers) -> None:
    import keras

    from ..logs import temporary_log_root

    model = _tiny_model(82)
    x, y = _tiny_data(82, 48)
    first_loss = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(
        y[:16], model(x[:16], training=False)))
    before = [v.numpy().copy() for v in model.trainable_variables]
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)  # 3 batches per epoch
    log_dir = temporary_log_root("k2tf-check-08q2-")
    answers.call("train_and_log", model, dataset, 2, str(log_dir))
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
            1e-3 * max(1.0, abs(first_loss)):
        raise Fail("the first `loss` written is not the loss of the first batch "
                   "(sparse categorical cross-entropy on the model's logits).",
                   "write the loss your training step computed, for the batch it trained on.")

    accuracy = [s for s in summaries if s.plugin == "scalars" and s.tag == "accuracy"]
    if [s.step for s in accuracy] != [0, 1]:
        raise Fail(f"the scalar `accuracy` should be written once per epoch, at steps 0 and 1; it "
                   f"was written at steps {[s.step for s in accuracy]}.",
                   "write it after the loop over the batches, with the epoch as its step.")
    if not all(0.0 <= s.value <= 1.0 for s in accuracy):
        raise Fail("the scalar `accuracy` is not a fraction between 0 and 1.",
                   "a Keras accuracy metric's `result()` is one.")

    for variable in model.trainable_variables:
        histograms = [s for s in summaries if s.plugin == "histograms" and s.tag == variable.path]
        if [s.step for s in histograms] != [0, 1]:
            raise Fail(f"there should be a histogram tagged `{variable.path}` (the variable's "
                       "`.path`) for each epoch, at steps 0 and 1.",
                       "after each epoch, write one histogram per trainable variable.")
        buckets = np.asarray(histograms[-1].value, dtype=np.float64)
        values = variable.numpy()
        if int(round(buckets[:, 2].sum())) != values.size or buckets[0, 0] > values.min() + 1e-6 \
                or buckets[-1, 1] < values.max() - 1e-6:
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


@question("08.q3", points=2,
          checks="export_graph(function, example, log_dir, name) writes the op graph of a "
                 "not-yet-traced tf.function, traced on example, under tag name at step 0")
def _q3(answers: Answers) -> None:
    import tensorflow as tf
    from tensorflow.core.protobuf import config_pb2

    from ..logs import temporary_log_root

    calls = []

    @tf.function
    def probe(x):  # ops no lesson function uses, so the graph must be this one's
        calls.append(1)
        return tf.math.cumsum(tf.nn.softplus(x)) * 3.0

    log_dir = temporary_log_root("k2tf-check-08q3-")
    answers.call("export_graph", probe, tf.constant([0.5, -1.0, 2.0]), str(log_dir), "probe_graph")
    tf.summary.trace_off()  # in case the answer left recording on
    if not calls:
        raise Fail("export_graph never called the function, so no graph was traced.",
                   "recording starts with trace_on; the graph is recorded while the function is "
                   "traced, which happens on its first call.")
    summaries = _summaries(log_dir, "export_graph")
    graphs = [s for s in summaries if s.plugin == "graph_run_metadata_graph"]
    if [(s.tag, s.step) for s in graphs] != [("probe_graph", 0)]:
        raise Fail(f"expected one graph tagged `probe_graph` at step 0; found "
                   f"{[(s.tag, s.step) for s in graphs] or 'none'}.",
                   "export with the `name` you are given, at step 0.")
    metadata = config_pb2.RunMetadata.FromString(graphs[0].value.item())
    ops = set()
    for function_graph in metadata.function_graphs:
        graph = function_graph.pre_optimization_graph
        ops.update(node.op for node in graph.node)
        for library_function in graph.library.function:
            ops.update(node.op for node in library_function.node_def)
    if not {"Cumsum", "Softplus"} <= ops:
        raise Fail("the graph written is not the graph of the function you were given.",
                   "call the function you are given, between trace_on and trace_export.")


@question("08.q4", points=2,
          checks="log_trial(run_dir, hparams, val_accuracy) records a trial's hyperparameters "
                 "with hp.hparams and its val_accuracy as a scalar in run_dir")
def _q4(answers: Answers) -> None:
    import tensorflow as tf  # noqa: F401  (TensorBoard's readers need it loaded)
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.plugins.hparams import api as hp
    from tensorboard.plugins.hparams import metadata

    from ..logs import temporary_log_root

    rng = np.random.default_rng(84)
    rate = float(rng.choice([0.003, 0.03, 0.3]))
    layers = int(rng.integers(2, 9))
    accuracy = float(np.round(rng.uniform(0.5, 0.99), 4))
    hparams = {hp.HParam("rate", hp.Discrete([0.003, 0.03, 0.3])): rate,
               hp.HParam("layers", hp.IntInterval(1, 10)): layers}
    run_dir = temporary_log_root("k2tf-check-08q4-") / "trial"
    run_dir.mkdir()
    answers.call("log_trial", str(run_dir), hparams, accuracy)
    summaries = _summaries(run_dir, "log_trial")
    scalars = [s for s in summaries if s.plugin == "scalars" and s.tag == "val_accuracy"]
    if len(scalars) != 1 or abs(scalars[0].value - accuracy) > 1e-6:
        raise Fail("the run does not hold one scalar `val_accuracy` with the value given.",
                   "write `val_accuracy` with tf.summary.scalar, once.")
    reader = event_accumulator.EventAccumulator(
        str(run_dir), size_guidance={event_accumulator.TENSORS: 0})
    reader.Reload()
    tag = metadata.SESSION_START_INFO_TAG
    if tag not in reader.Tags()[event_accumulator.TENSORS]:
        raise Fail("the run records no hyperparameters for the HParams dashboard.",
                   "record them with `hp.hparams(...)` while the run's writer is the default.")
    info = metadata.parse_session_start_info_plugin_data(
        reader.SummaryMetadata(tag).plugin_data.content)
    recorded = {name: value.number_value for name, value in info.hparams.items()}
    if recorded != {"rate": rate, "layers": layers}:
        raise Fail(f"the run records the hyperparameters {recorded}, not the ones given.",
                   "pass the `hparams` argument itself to hp.hparams.")


@question("08.q5", points=2,
          checks="best_trial(sweep_dir, metric) reads the event files under sweep_dir and names "
                 "the run whose last value of the scalar metric is the highest")
def _q5(answers: Answers) -> None:
    import tensorflow as tf

    from ..logs import temporary_log_root

    rng = np.random.default_rng(85)
    sweep = temporary_log_root("k2tf-check-08q5-")
    names = [f"trial_{i}" for i in rng.permutation(5)]
    last = dict(zip(names, rng.uniform(0.2, 0.8, size=5)))
    best = max(last, key=last.get)
    for name in names:
        writer = tf.summary.create_file_writer(str(sweep / name))
        with writer.as_default():
            # earlier steps peak higher than the end: the *last* value is what counts
            tf.summary.scalar("score", last[name] + (0.5 if name != best else 0.0), step=0)
            tf.summary.scalar("score", last[name], step=1)
            tf.summary.scalar("other", 10.0 if name != best else 0.0, step=1)
        writer.close()
    writer = tf.summary.create_file_writer(str(sweep / "notes"))
    with writer.as_default():
        tf.summary.text("about", "a run without the metric", step=0)
    writer.close()
    got = answers.call("best_trial", str(sweep), "score")
    if not isinstance(got, str):
        raise Fail(f"best_trial returned a {type(got).__name__}; the name of a run (a str) was "
                   "expected.", "return the run's folder name relative to sweep_dir.")
    if got != best:
        raise Fail("best_trial did not name the run whose last value of the metric is the highest.",
                   "read every run's scalars, keep the value at the last step of `metric`, and "
                   "compare those.")
