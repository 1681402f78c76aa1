"""Answers to exercise 08's questions: honest ones written differently, and typical mistakes."""
from dataclasses import replace

from answer_fixtures import honest, wrong

# 08.q1's second region (train `fit_model` with the callback), as the solution writes it
FIT = '''
fit_dir = fresh_run_dir(LOG_ROOT, "fit")
fit_model = make_model()
fit_model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
fit_model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=2, batch_size=128,
              verbose=0, callbacks=[make_tensorboard_callback(str(fit_dir))])
'''

# a hand-written callback: every metric of the epoch as a scalar, every trainable weight as a
# histogram, one run in log_dir itself
CUSTOM_CALLBACK = '''
class SummaryCallback(keras.callbacks.Callback):
    def __init__(self, folder):
        super().__init__()
        self.writer = tf.summary.create_file_writer(folder)

    def on_epoch_end(self, epoch, logs=None):
        with self.writer.as_default():
            for name, value in (logs or {}).items():
                tf.summary.scalar(name, value, step=epoch)
            for weight in self.model.trainable_weights:
                tf.summary.histogram(weight.path, weight, step=epoch)

    def on_train_end(self, logs=None):
        self.writer.flush()

return SummaryCallback(log_dir)
'''

# a hand-written callback with a `train` and a `validation` run, like Keras's own
TWO_RUNS_CALLBACK = '''
import os


class TwoRuns(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.writers = {run: tf.summary.create_file_writer(os.path.join(log_dir, run))
                        for run in ("train", "validation")}

    def on_epoch_end(self, epoch, logs=None):
        for name, value in logs.items():
            run = "validation" if name.startswith("val_") else "train"
            with self.writers[run].as_default(step=epoch):
                tf.summary.scalar("epoch_" + name.removeprefix("val_"), value)
        with self.writers["train"].as_default(step=epoch):
            for layer in self.model.layers:
                for weight in layer.trainable_weights:
                    tf.summary.histogram(f"{layer.name}/{weight.name}", weight)

    def on_train_end(self, logs=None):
        for writer in self.writers.values():
            writer.close()

return TwoRuns()
'''

# the custom callback, with one mistake swapped in
WRONG_CALLBACK = '''
class SummaryCallback(keras.callbacks.Callback):
    def __init__(self, folder):
        super().__init__()
        self.writer = tf.summary.create_file_writer(folder)

    def on_epoch_{when}(self, epoch, logs=None):
        with self.writer.as_default():
            for name, value in {scalars}:
                tf.summary.scalar(name, value, step=epoch)
            for weight in {weights}:
                tf.summary.histogram(weight.path, weight, step=epoch)

    def on_train_end(self, logs=None):
        self.writer.flush()

return SummaryCallback(log_dir)
'''


def _wrong_callback(when="end", scalars="(logs or {}).items()",
                    weights="self.model.trainable_weights"):
    return WRONG_CALLBACK.format(when=when, scalars=scalars, weights=weights)


# 08.q2: the solution's loop with one piece changed at a time
LOOP = '''
optimizer = {optimizer}
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
writer = tf.summary.create_file_writer(log_dir)
step = 0
with writer.as_default():
    {accuracy_outside}
    for epoch in range(epochs):
        {accuracy_inside}
        for images, labels in dataset:
            if step == 0:
                tf.summary.image("inputs", {images}, step=0{image_options})
            with tf.GradientTape() as tape:
                logits = model(images, training=True)
                loss = loss_fn(labels, logits)
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(gradients, model.trainable_variables))
            step += 1
            tf.summary.scalar("loss", {loss}, step={loss_step})
            {update}
        tf.summary.scalar("accuracy", {result}, step=epoch)
        for variable in model.trainable_variables:
            tf.summary.histogram({tag}, variable, step=epoch)
'''

LOOP_DEFAULTS = dict(
    optimizer="keras.optimizers.SGD(learning_rate=0.1)",
    accuracy_outside="",
    accuracy_inside="accuracy = keras.metrics.SparseCategoricalAccuracy()",
    images="tf.reshape(images[:4], (4, 8, 8, 1))", image_options=", max_outputs=4",
    loss="loss", loss_step="step",
    update="accuracy.update_state(labels, logits)",
    result="accuracy.result()",
    tag="variable.path",
)


def _loop(**changes):
    return LOOP.format(**{**LOOP_DEFAULTS, **changes})


# 08.q7's second region, as the solution writes it; answers that leave no profile to read (or
# the profiler running) take one that does not read it, as a student's cell would then fail.
Q7_RUN = '''
profile_dir = fresh_run_dir(LOG_ROOT, "profile")
profile_steps(slow_batches, train_one_batch, str(profile_dir), 8)
analysis = input_pipeline_analysis(profile_dir)
print("steps marked:", analysis.steps,
      "· waiting for input more than half the time:", analysis.input_share > 0.5)
'''
Q7_BARE = 'print("not profiled here")'

ANSWERS = {
    "08.q1": [
        honest(("return keras.callbacks.TensorBoard(log_dir, histogram_freq=1, write_graph=False)",
                FIT),
               "the Keras callback, log_dir given positionally, no graph"),
        honest((CUSTOM_CALLBACK, FIT),
               "a hand-written callback: tf.summary scalars and histograms in one run"),
        honest((TWO_RUNS_CALLBACK, FIT),
               "a hand-written callback with train and validation runs, tags of its own"),
        honest(('''
class WithHistograms(keras.callbacks.TensorBoard):
    def __init__(self, folder):
        super().__init__(log_dir=folder, histogram_freq=1, update_freq="epoch",
                         profile_batch=0)

return WithHistograms(log_dir)
''', FIT), "a subclass of the Keras callback"),
        honest(("""
writer = tf.summary.create_file_writer(log_dir)  # never closed: the check flushes it
callback = keras.callbacks.LambdaCallback()


def log_epoch(epoch, logs):
    with writer.as_default(step=epoch):
        for name, value in logs.items():
            tf.summary.scalar(name, value)
        for weight in callback.model.weights:
            tf.summary.histogram(weight.name + "_" + str(id(weight)), weight)


callback.on_epoch_end = log_epoch
return callback
""", FIT), "a LambdaCallback whose writer is never closed, tags made up"),
        wrong(("return keras.callbacks.TensorBoard(log_dir=log_dir)", FIT),
              "no histogram_freq: no histograms", match="histogram"),
        wrong(("return keras.callbacks.TensorBoard(log_dir=log_dir, histogram_freq=2)", FIT),
              "histograms every other epoch only", match="histogram"),
        wrong(('return keras.callbacks.TensorBoard(log_dir="logs/fit", histogram_freq=1)', FIT),
              "logs to a folder of its own instead of log_dir", match="no event file"),
        wrong((_wrong_callback(scalars='[("loss", logs["loss"])]'), FIT),
              "a hand-written callback that logs the training loss only",
              match="`accuracy`|`val_"),
        wrong((_wrong_callback(when="begin", scalars="[]"), FIT),
              "histograms of the weights before each epoch, and no metrics",
              match="metric|histogram"),
        wrong(('''
writer = tf.summary.create_file_writer(log_dir)


class Scalars(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        with writer.as_default():
            for name, value in logs.items():
                tf.summary.scalar(name, value, step=0)
            for weight in self.model.trainable_weights:
                tf.summary.histogram(weight.path, weight, step=0)

return Scalars()
''', FIT), "every epoch written at step 0", match="step|epoch"),
    ],
    "08.q2": [
        honest(_loop(), "SGD, apply_gradients, the Keras metric"),
        honest('''
optimizer = keras.optimizers.RMSprop(learning_rate=1e-3)
writer = tf.summary.create_file_writer(log_dir)
batches_done = 0
for epoch in range(epochs):
    correct, seen = 0, 0
    for images, labels in dataset:
        with writer.as_default():
            if batches_done == 0:
                pictures = tf.expand_dims(tf.reshape(images, (-1, 8, 8)), -1)
                tf.summary.image("inputs", pictures, step=0, max_outputs=4)
        with tf.GradientTape() as tape:
            logits = model(images, training=True)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=labels, logits=logits))
        optimizer.apply(tape.gradient(loss, model.trainable_variables),
                        model.trainable_variables)
        batches_done += 1
        logits = model(images)  # predictions of the updated model
        predicted = tf.argmax(logits, axis=1, output_type=labels.dtype)
        correct += int(tf.reduce_sum(tf.cast(predicted == labels, tf.int32)))
        seen += int(tf.size(labels))
        with writer.as_default():
            tf.summary.scalar("loss", loss, step=batches_done)
    with writer.as_default():
        tf.summary.scalar("accuracy", correct / seen, step=epoch)
        for variable in model.trainable_variables:
            tf.summary.histogram(variable.path, variable.numpy(), step=epoch)
writer.close()
''', "counts right predictions by hand after each update, tf.nn loss, a writer per block"),
        honest('''
optimizer = keras.optimizers.Adam(1e-3)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
accuracy = keras.metrics.SparseCategoricalAccuracy()


@tf.function
def train_step(images, labels):
    with tf.GradientTape() as tape:
        logits = model(images, training=True)
        loss = loss_fn(labels, logits)
    optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                  model.trainable_variables))
    accuracy.update_state(labels, logits)
    return loss


writer = tf.summary.create_file_writer(log_dir)
writer.set_as_default()
first = next(iter(dataset))[0]
tf.summary.image("inputs", tf.reshape(first[:4], [4, 8, 8, 1]), step=0, max_outputs=4)
step = tf.Variable(0, dtype=tf.int64)
for epoch in range(epochs):
    accuracy.reset_state()
    for images, labels in dataset:
        loss = train_step(images, labels)
        step.assign_add(1)
        tf.summary.scalar("loss", loss, step=step)
    tf.summary.scalar("accuracy", accuracy.result(), step=epoch)
    for variable in model.trainable_variables:
        tf.summary.histogram(variable.path, variable, step=epoch)
''', "a tf.function step that updates the metric, reset_state, set_as_default, image first"),
        honest('''
optimizer = keras.optimizers.Adam(learning_rate=1e-2)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
writer = tf.summary.create_file_writer(log_dir)
step = 0
with writer.as_default():
    for epoch in range(epochs):
        for images, labels in dataset:
            if step == 0:
                pictures = tf.cast(tf.reshape(images * 255, (-1, 8, 8, 1)), tf.uint8)
                tf.summary.image("inputs", pictures, step=0, max_outputs=4)
            with tf.GradientTape() as tape:
                loss = loss_fn(labels, model(images, training=True))
            optimizer.apply(tape.gradient(loss, model.trainable_variables),
                            model.trainable_variables)
            step += 1
            tf.summary.scalar("loss", loss, step=step)
        # the accuracy of the epoch, measured on the training data after the epoch
        accuracy = keras.metrics.SparseCategoricalAccuracy()
        for images, labels in dataset:
            accuracy.update_state(labels, model(images, training=False))
        tf.summary.scalar("accuracy", accuracy.result(), step=epoch)
        for variable in model.trainable_variables:
            tf.summary.histogram(variable.path, variable, step=epoch)
''', "the accuracy measured on the training data once the epoch is over, uint8 images"),
        wrong(_loop(accuracy_outside="accuracy = keras.metrics.SparseCategoricalAccuracy()",
                    accuracy_inside="pass"),
              "the accuracy metric is never reset: epoch 1 averages both epochs",
              match="accuracy"),
        wrong(_loop(accuracy_inside="pass",
                    update="accuracy = keras.metrics.SparseCategoricalAccuracy()"
                           "(labels, logits)",
                    result="accuracy"),
              "the accuracy of the epoch's last batch only", match="accuracy"),
        wrong(_loop(accuracy_inside="accuracy = keras.metrics.Accuracy()"),
              "keras.metrics.Accuracy compares labels with raw logits",
              match="accuracy|raised"),
        wrong(_loop(loss_step="step - 1"), "loss steps start at 0", match="steps 1 to 6"),
        wrong(_loop(accuracy_inside="accuracy = keras.metrics.SparseCategoricalAccuracy()\n"
                                    "        step = 0"),
              "the batch counter restarts every epoch", match="steps 1 to 6"),
        wrong(_loop(loss="loss_fn(labels, model(images))"),
              "the loss after the update, not the loss the step trained on",
              match="loss of the first batch"),
        wrong(_loop(image_options=""),
              "max_outputs left at its default (3 images)", match="4 images"),
        wrong(_loop(images="tf.reshape(images[-4:], (4, 8, 8, 1))"),
              "the last 4 images of the batch", match="inputs"),
    ],
    "08.q3": [
        honest('''
writer = tf.summary.create_file_writer(log_dir)
with writer.as_default():
    tf.summary.trace_on(graph=True, profiler=False)
    function(example)
    tf.summary.trace_export(name=name, step=0)
writer.close()
''', "writer opened first, recording inside it"),
        honest('''
with tf.summary.create_file_writer(log_dir).as_default(step=0):
    tf.summary.trace_on(graph=True, profiler=False)
    function(example)
    tf.summary.trace_export(name)
''', "the step from as_default"),
        honest('''
concrete = function.get_concrete_function(tf.convert_to_tensor(example))
with tf.summary.create_file_writer(log_dir).as_default():
    tf.summary.graph(concrete.graph)
''', "tf.summary.graph of the concrete function (no tag)"),
        honest('''
tf.summary.trace_on(graph=True)
result = function(tf.constant(example))
writer = tf.summary.create_file_writer(log_dir)
writer.set_as_default()
tf.summary.trace_export(name=name, step=0)
writer.flush()
''', "set_as_default, example converted first"),
        wrong('''
function(example)
tf.summary.trace_on(graph=True)
function(example)
with tf.summary.create_file_writer(log_dir).as_default():
    tf.summary.trace_export(name=name, step=0)
''', "traced once before recording starts", match="before recording started"),
        wrong('''
tf.summary.trace_on(graph=True)
tf.function(lambda x: x * 2.0)(example)
with tf.summary.create_file_writer(log_dir).as_default():
    tf.summary.trace_export(name=name, step=0)
''', "records another function's graph", match="never called|not the graph"),
        wrong('''
tf.summary.trace_on(graph=True)
function(example)
with tf.summary.create_file_writer(log_dir).as_default():
    tf.summary.trace_export(name="graph", step=0)
''', "a tag of its own", match="probe_graph"),
        wrong('''
tf.summary.trace_on(graph=True)
function.get_concrete_function(example)
with tf.summary.create_file_writer(log_dir).as_default():
    tf.summary.trace_export(name=name, step=0)
''', "traced with get_concrete_function but never run: no graph is recorded",
              match="not the graph"),
        wrong('''
tf.summary.trace_on(graph=True)
function(example)
tf.summary.trace_export(name=name, step=0)
''', "no default writer: nothing is written", match="no event file"),
    ],
    "08.q4": [
        honest('''
with tf.summary.create_file_writer(run_dir).as_default():
    hp.hparams(hparams, trial_id="trial")
    tf.summary.scalar("val_accuracy", val_accuracy, step=0)
''', "a trial id, step 0"),
        honest('''
writer = tf.summary.create_file_writer(run_dir)
with writer.as_default(step=3):
    tf.summary.scalar("val_accuracy", tf.constant(val_accuracy))
    hp.hparams({h.name: value for h, value in hparams.items()})
writer.close()
''', "hyperparameters keyed by name, scalar first, step from as_default"),
        honest('''
writer = tf.summary.create_file_writer(str(run_dir))
with writer.as_default():
    hp.hparams_config(hparams=list(hparams), metrics=[hp.Metric("val_accuracy")])
    hp.hparams(dict(hparams))
    tf.summary.scalar(name="val_accuracy", data=float(val_accuracy), step=1)
writer.flush()
''', "a config in the trial's run too"),
        wrong('''
with tf.summary.create_file_writer(run_dir).as_default():
    tf.summary.scalar("val_accuracy", val_accuracy, step=1)
''', "the scalar only", match="no hyperparameters"),
        wrong('''
with tf.summary.create_file_writer(run_dir).as_default():
    hp.hparams(hparams)
''', "the hyperparameters only", match="val_accuracy"),
        wrong('''
with tf.summary.create_file_writer(run_dir).as_default():
    hp.hparams({h: 0.01 for h in hparams})
    tf.summary.scalar("val_accuracy", val_accuracy, step=1)
''', "made-up values", match="not the ones given"),
        wrong('''
with tf.summary.create_file_writer(run_dir).as_default():
    hp.hparams_config(hparams=list(hparams), metrics=[hp.Metric("val_accuracy")])
    tf.summary.scalar("val_accuracy", val_accuracy, step=1)
''', "hparams_config (the sweep's declaration) instead of the trial's values",
              match="no hyperparameters"),
        wrong('''
with tf.summary.create_file_writer(run_dir).as_default():
    hp.hparams({h: float(v) for h, v in hparams.items()})
    tf.summary.scalar("val_accuracy", val_accuracy, step=1)
''', "every value turned into a float", match="not the ones given|raised"),
    ],
    "08.q5": [
        honest('''
import os

from tensorboard.backend.event_processing import event_accumulator

best, best_value = None, None
for run in runs_under(sweep_dir):
    reader = event_accumulator.EventAccumulator(
        os.path.join(sweep_dir, run), size_guidance={event_accumulator.TENSORS: 0})
    reader.Reload()
    if metric not in reader.Tags()["tensors"]:
        continue
    events = sorted(reader.Tensors(metric), key=lambda e: e.step)
    value = float(tf.make_ndarray(events[-1].tensor_proto))
    if best_value is None or value > best_value:
        best, best_value = run, value
return best
''', "EventAccumulator directly, sorted by step"),
        honest('''
import glob
import os

last = {}
for path in glob.glob(os.path.join(sweep_dir, "**", "events.out.tfevents.*"), recursive=True):
    run = os.path.relpath(os.path.dirname(path), sweep_dir)
    for record in tf.data.TFRecordDataset(path):
        event = tf.compat.v1.Event.FromString(record.numpy())
        for value in event.summary.value:
            if value.tag == metric:
                number = float(tf.make_ndarray(value.tensor))
                if run not in last or event.step >= last[run][0]:
                    last[run] = (event.step, number)
return max(last, key=lambda run: last[run][1])
''', "event files parsed with TFRecordDataset"),
        honest('''
best = None
for run in runs_under(sweep_dir):
    values = [s for s in read_summaries(f"{sweep_dir}/{run}")
              if s.plugin == "scalars" and s.tag == metric]
    if values:
        value = max(values, key=lambda s: s.step).value
        if best is None or value > best[1]:
            best = (run, value)
return best[0]
''', "read_summaries, the summary with the largest step"),
        wrong('''
scores = {}
for run in runs_under(sweep_dir):
    scalars = read_scalars(f"{sweep_dir}/{run}")
    if metric in scalars:
        scores[run] = max(value for _, value in scalars[metric])
return max(scores, key=scores.get)
''', "the peak value instead of the last", match="last value"),
        wrong('''
scores = {}
for run in runs_under(sweep_dir):
    scalars = read_scalars(f"{sweep_dir}/{run}")
    if metric in scalars:
        scores[run] = scalars[metric][0][1]
return max(scores, key=scores.get)
''', "the first value", match="last value"),
        wrong('''
scores = {}
for run in runs_under(sweep_dir):
    scalars = read_scalars(f"{sweep_dir}/{run}")
    for tag, values in scalars.items():
        scores[run] = values[-1][1]
return max(scores, key=scores.get)
''', "the last scalar of any tag, not the metric", match="last value"),
        wrong('''
scores = {}
for run in runs_under(sweep_dir):
    scalars = read_scalars(f"{sweep_dir}/{run}")
    if metric in scalars:
        scores[f"{sweep_dir}/{run}"] = scalars[metric][-1][1]
return max(scores, key=scores.get)
''', "the run's full path instead of its name", match="name"),
        wrong('''
scores = {}
for run in runs_under(sweep_dir):
    scores[run] = read_scalars(f"{sweep_dir}/{run}")[metric][-1][1]
return max(scores, key=scores.get)
''', "fails on a run without the metric", match="raised"),
    ],
    "08.q6": [
        honest('''
lines = ["setting | value", ":-- | --:"]  # no outer pipes, aligned columns
lines += [f"{name} | `{value}`" for name, value in sorted(config.items())]
writer = tf.summary.create_file_writer(log_dir)
with writer.as_default():
    tf.summary.text("config", "\\n".join(lines), step=0)
for epoch, note in enumerate(notes):
    with writer.as_default(step=epoch):
        tf.summary.text("notes", tf.constant(note))
writer.flush()
''', "no outer pipes, values in backticks, rows sorted, the step from as_default"),
        honest('''
header = "| name | value | type |\\n| --- | --- | --- |\\n"
rows = "".join(f"| {name} | {value!s} | {type(value).__name__} |\\n"
               for name, value in config.items())
with tf.summary.create_file_writer(log_dir).as_default():
    for step, text in enumerate(notes):
        tf.summary.text(name="notes", data=text, step=step)
    tf.summary.text(name="config", data=header + rows, step=0)
''', "an extra column, notes first, writer never closed (the check flushes it)"),
        honest('''
table = ["|setting|value|", "|:---:|:---:|"]
for name in config:
    value = config[name]
    table.append(f"|**{name}**|{value:g}|" if isinstance(value, (int, float))
                 else f"|**{name}**|{value}|")
writer = tf.summary.create_file_writer(log_dir)
step = 0
for note in notes:
    with writer.as_default():
        if step == 0:
            tf.summary.text("config", "\\n".join(table) + "\\n", step=0)
        tf.summary.text("notes", note, step=step)
    step += 1
writer.close()
''', "names in bold, numbers written with :g, a counter of its own"),
        wrong('''
with tf.summary.create_file_writer(log_dir).as_default():
    tf.summary.text("config", str(config), step=0)
    for epoch, note in enumerate(notes):
        tf.summary.text("notes", note, step=epoch)
''', "the dict printed as it is, not a table", match="not a Markdown table"),
        wrong('''
table = "| setting | value |\\n" + "\\n".join(
    f"| {name} | {value} |" for name, value in config.items())
with tf.summary.create_file_writer(log_dir).as_default():
    tf.summary.text("config", table, step=0)
    for epoch, note in enumerate(notes):
        tf.summary.text("notes", note, step=epoch)
''', "no separator row under the header: TensorBoard shows plain text",
              match="not a Markdown table"),
        wrong('''
names = " | ".join(config)
values = " | ".join(str(value) for value in config.values())
rule = " | ".join("---" for _ in config)
with tf.summary.create_file_writer(log_dir).as_default():
    tf.summary.text("config", f"| {names} |\\n| {rule} |\\n| {values} |", step=0)
    for epoch, note in enumerate(notes):
        tf.summary.text("notes", note, step=epoch)
''', "the table transposed: names in the header, values in one row",
              match="one row per setting"),
        wrong('''
table = "| setting | value |\\n|---|---|\\n" + "\\n".join(
    f"| {name} | {value:.2f} |" if isinstance(value, float) else f"| {name} | {value} |"
    for name, value in config.items())
with tf.summary.create_file_writer(log_dir).as_default():
    tf.summary.text("config", table, step=0)
    for epoch, note in enumerate(notes):
        tf.summary.text("notes", note, step=epoch)
''', "floats rounded to 2 decimals: the learning rate reads 0.00",
              match="not its value"),
        wrong('''
table = "| setting | value |\\n|---|---|\\n" + "\\n".join(
    f"| {name} | {value} |" for name, value in config.items())
with tf.summary.create_file_writer(log_dir).as_default():
    tf.summary.text("config", table, step=0)
    for epoch, note in enumerate(notes, start=1):
        tf.summary.text("notes", note, step=epoch)
''', "notes numbered from 1, like the epochs they describe", match="steps"),
        wrong('''
table = "| setting | value |\\n|---|---|\\n" + "\\n".join(
    f"| {name} | {value} |" for name, value in config.items())
with tf.summary.create_file_writer(log_dir).as_default():
    tf.summary.text("config", table, step=0)
    tf.summary.text("notes", notes, step=0)
''', "every note in one summary at step 0", match="steps"),
        wrong('''
import os

table = "| setting | value |\\n|---|---|\\n" + "\\n".join(
    f"| {name} | {value} |" for name, value in config.items())
with tf.summary.create_file_writer(os.path.join(log_dir, "notes")).as_default():
    tf.summary.text("config", table, step=0)
    for epoch, note in enumerate(notes):
        tf.summary.text("notes", note, step=epoch)
''', "a run folder of its own inside log_dir", match="no event file"),
    ],
    "08.q7": [
        honest(('''
batches = iter(dataset)
tf.profiler.experimental.start(log_dir)
try:
    for step in range(steps):
        with tf.profiler.experimental.Trace("train", step_num=step, _r=1):
            train_step(next(batches))
finally:
    tf.profiler.experimental.stop()
''', Q7_RUN), "start/stop in a try/finally, next() inside the marker"),
        honest(('''
iterator = iter(dataset.take(steps))
with tf.profiler.experimental.Profile(log_dir):
    for number in range(steps):
        with tf.profiler.experimental.Trace("step", step_num=number, _r=1):
            batch = next(iterator)
            train_step(batch)
''', Q7_RUN), "the Profile context manager, another marker name, take() then next()"),
        honest(('''
options = tf.profiler.experimental.ProfilerOptions(host_tracer_level=2, python_tracer_level=0)
tf.profiler.experimental.start(log_dir, options=options)
iterator = iter(dataset)
step = 0
while step < steps:
    with tf.profiler.experimental.Trace("train_step", step_num=step, _r=1):
        train_step(iterator.get_next())
    step += 1
tf.profiler.experimental.stop()
''', Q7_RUN), "profiler options, a while loop, iterator.get_next()"),
        wrong(('''
tf.profiler.experimental.start(log_dir)
for step, batch in enumerate(dataset.take(steps)):
    with tf.profiler.experimental.Trace("train", step_num=step, _r=1):
        train_step(batch)
tf.profiler.experimental.stop()
''', Q7_RUN), "the batch fetched by the for loop, outside the marker",
              match="not inside the step"),
        wrong(('''
batches = iter(dataset)
tf.profiler.experimental.start(log_dir)
for step in range(steps):
    with tf.profiler.experimental.Trace("train", step_num=step):
        train_step(next(batches))
tf.profiler.experimental.stop()
''', Q7_RUN), "a Trace without _r=1: not a step marker", match="marks 0 steps"),
        wrong(('''
tf.profiler.experimental.start(log_dir)
for batch in dataset.take(steps):
    train_step(batch)
tf.profiler.experimental.stop()
''', Q7_RUN), "no step markers at all", match="marks 0 steps"),
        wrong(('''
batches = iter(dataset)
tf.profiler.experimental.start(log_dir)
with tf.profiler.experimental.Trace("train", step_num=0, _r=1):
    for step in range(steps):
        train_step(next(batches))
tf.profiler.experimental.stop()
''', Q7_RUN), "one marker around the whole loop", match="marks 1 step "),
        wrong(('''
batches = iter(dataset)
tf.profiler.experimental.start(log_dir)
for step in range(steps):
    with tf.profiler.experimental.Trace("train", step_num=step, _r=1):
        train_step(next(batches))
''', Q7_BARE), "the profiler never stopped", match="still running"),
        wrong(('''
batches = iter(dataset)
tf.profiler.experimental.start(str(LOG_ROOT))
for step in range(steps):
    with tf.profiler.experimental.Trace("train", step_num=step, _r=1):
        train_step(next(batches))
tf.profiler.experimental.stop()
''', Q7_BARE), "the notebook's LOG_ROOT instead of log_dir", match="no profile"),
        wrong(('''
batches = iter(dataset)
tf.profiler.experimental.start(log_dir)
for step in range(steps + 1):
    with tf.profiler.experimental.Trace("train", step_num=step, _r=1):
        train_step(next(batches))
tf.profiler.experimental.stop()
''', Q7_RUN), "one step too many", match="called 8 times|called 6 times"),
    ],
}

# The solution's second region of 08.q2 to 08.q6 (the cell's own run of the function), kept
# as the solution writes it.
SECOND_REGION = {
    "08.q2": '''
loop_dir = fresh_run_dir(LOG_ROOT, "loop")
train_and_log(make_model(), tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(128), 2,
              str(loop_dir))
''',
    "08.q3": '''
graph_dir = fresh_run_dir(LOG_ROOT, "graph")
export_graph(normalise, x_train[:8], str(graph_dir), "normalise")
''',
    "08.q4": '''
with tf.summary.create_file_writer(str(sweep_dir)).as_default():
    hp.hparams_config(hparams=[HP_LEARNING_RATE], metrics=[hp.Metric("val_accuracy")])
for learning_rate in HP_LEARNING_RATE.domain.values:
    trial_model = make_model()
    trial_model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    trial_model.fit(x_train, y_train, epochs=2, batch_size=128, verbose=0)
    val_accuracy = float(np.mean(np.argmax(trial_model(x_val), axis=1) == y_val))
    log_trial(str(sweep_dir / f"lr_{learning_rate:g}"), {HP_LEARNING_RATE: learning_rate},
              val_accuracy)
''',
    "08.q5": 'print("best trial:", best_trial(sweep_dir, "val_accuracy"))',
    "08.q6": '''
notes_dir = fresh_run_dir(LOG_ROOT, "notes")
log_run_notes(str(notes_dir), {"hidden units": 32, "optimizer": "adam", "learning rate": 0.001},
              ["epoch 1: loss still falling", "epoch 2: accuracy above 0.8"])
''',
}
for _qid, _second in SECOND_REGION.items():
    ANSWERS[_qid] = [replace(a, code=a.code + (_second,)) for a in ANSWERS[_qid]]
