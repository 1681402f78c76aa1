"""Checks for exercise 03 (training with fit).

The checks judge what callbacks and functions *do*. For callbacks they play training runs
whose metrics they choose, calling the hooks the way ``fit`` does (through Keras's own
``CallbackList``), so that every case of the question shows and nothing depends on training
noise; functions that train are called for real, on the course's digits.
"""
from __future__ import annotations

import hashlib
import math
import numbers
import tempfile
from pathlib import Path

import numpy as np

from . import Answers, Fail, NotAnswered, first_line, question
from .expect import as_array, as_number, is_instance

_MISSING = object()


def _digits():
    from ..data import load_digits

    return load_digits()


def _probe_model(width=4, learning_rate=1e-3, seed=0, layers=()):
    """A small compiled digit classifier, built, with its optimizer built: no training."""
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(64,)),
                              keras.layers.Dense(width, activation="relu"),
                              *layers,
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.optimizer.build(model.trainable_variables)
    # Build the compiled metrics, as the first step of fit does: callbacks in mode "auto" read
    # from them whether a metric such as accuracy should go up or down.
    x = np.zeros((2, 64), "float32")
    model.compute_metrics(x, np.zeros(2, "int64"), model(x), sample_weight=None)
    return model



def _epochs(n: int) -> str:
    return f"{n} epoch" + ("" if n == 1 else "s")


class _Run:
    """Plays one training run for ``callbacks`` the way ``fit`` calls them.

    Keras's own ``CallbackList`` calls the hooks (``on_train_begin``, ``on_epoch_begin``, the
    batch hooks, ``on_epoch_end`` with the epoch's ``logs``, ``on_train_end``); ``before_epoch``
    may change the model before an epoch's hooks, as training would. Training stops when a
    callback sets ``model.stop_training``, as in ``fit``.
    """

    def __init__(self, model, callbacks, epoch_logs, *, steps=2, before_epoch=None,
                 after_epoch=None, on_begin=None):
        self.model, self.callbacks, self.epoch_logs = model, list(callbacks), epoch_logs
        self.steps, self.before_epoch, self.after_epoch = steps, before_epoch, after_epoch
        self.on_begin = on_begin
        self.ran = 0  # epochs run

    def play(self, what: str) -> None:
        import keras

        try:
            hooks = keras.callbacks.CallbackList(self.callbacks, add_history=True, model=self.model,
                                                 epochs=len(self.epoch_logs), steps=self.steps,
                                                 verbose=0)
            self.model.stop_training = False
            hooks.on_train_begin()
            if self.on_begin is not None:
                self.on_begin()
            logs = {}
            for epoch, logs in enumerate(self.epoch_logs):
                if self.before_epoch is not None:
                    self.before_epoch(epoch)
                hooks.on_epoch_begin(epoch)
                for step in range(self.steps):
                    hooks.on_train_batch_begin(step)
                    hooks.on_train_batch_end(step, {"loss": logs["loss"],
                                                    "accuracy": logs["accuracy"]})
                    if self.model.stop_training:
                        break
                hooks.on_epoch_end(epoch, dict(logs))
                self.ran = epoch + 1
                if self.after_epoch is not None:
                    self.after_epoch(epoch)
                if self.model.stop_training:
                    break
            hooks.on_train_end(dict(logs))
        except (Fail, NotAnswered):
            raise
        except Exception as error:
            raise Fail(f"{what} raised {type(error).__name__} during training: "
                       f"{first_line(error)}",
                       "the epoch's metrics are in `logs` (a dict), the model in `self.model`.") \
                from None


# ---- 03.q1 ----------------------------------------------------------------------------
# A scripted run: the check plays fit's part, so the result never depends on training noise.
# The validation loss reaches new lows at epochs 0, 1, 2 and 5 (0-based; the last one only
# 0.005 lower), has a two-epoch bump in between (3 and 4), and only rises after epoch 5. With
# a patience of 3, training stops at the end of epoch 8 and the best epoch is 5. A patience of
# 2 stops at the bump (epoch 4), one of 4 or 5 at epoch 9 or 10; a min_delta above 0.005 stops
# at epoch 5. The training loss always falls and the validation accuracy peaks at epoch 9, so
# watching either of them shows.
_VAL_LOSS = [1.0, 0.8, 0.6, 0.62, 0.61, 0.595, 0.6, 0.62, 0.64, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95,
             1.0]
_VAL_ACCURACY = [0.5, 0.6, 0.7, 0.72, 0.74, 0.76, 0.78, 0.8, 0.82, 0.84, 0.84, 0.83, 0.83, 0.82,
                 0.82, 0.81]
_PATIENCE = 3
_NEW_LOWS = [e for e, v in enumerate(_VAL_LOSS) if v < min(_VAL_LOSS[:e], default=math.inf)]


def _last_low(epoch: int) -> int:
    return max(e for e in _NEW_LOWS if e <= epoch)


_BEST = _last_low(len(_VAL_LOSS) - 1)  # 5


def _weights_value(model) -> float:
    return float(model.get_weights()[0].ravel()[0])


def _digest(path: Path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


@question("03.q1", points=3, defines=("make_callbacks",),
          checks="make_callbacks(folder) returns callbacks that, in a scripted run, stop after "
                 "exactly 3 epochs without a new low of val_loss, put back the best epoch's "
                 "weights, and save the whole model to folder/best.keras at each new low only",
          fixed="make_callbacks(folder) with folder a pathlib.Path returns a list of callbacks; "
                "patience 3 on val_loss (any decrease counts), best weights restored, the "
                "whole model saved to folder / 'best.keras' at each new low and only then",
          verifies=("a list (or tuple) of keras.callbacks.Callback objects",
                    "in a run with a 2-epoch bump then a small new low, training stops exactly 3 "
                    "epochs after the last new low of val_loss (patience 2, 4, 5, min_delta, "
                    "monitoring loss or val_accuracy all show)",
                    "the model ends with the weights of the best epoch",
                    "best.keras is written at every new low of val_loss and at no other epoch",
                    "best.keras loads with keras.models.load_model and holds the best epoch's "
                    "model"))
def _q1(answers: Answers) -> None:
    import keras

    with tempfile.TemporaryDirectory(prefix="k2tf-check-03q1-") as name:
        folder = Path(name)
        callbacks = answers.call("make_callbacks", folder)
        if not isinstance(callbacks, (list, tuple)) or not callbacks or not all(
                isinstance(c, keras.callbacks.Callback) for c in callbacks):
            raise Fail(f"make_callbacks should return a list of Keras callbacks, not "
                       f"{type(callbacks).__name__} {callbacks!r:.80}.",
                       "return a list of callback objects, such as those of keras.callbacks.")
        model = _probe_model(width=4)
        saved = folder / "best.keras"
        written = []  # the epochs at whose end best.keras changed
        last = [None]

        def learn(epoch):  # the weights "learned" in epoch e are all equal to e + 1
            model.set_weights([np.full(w.shape, epoch + 1.0, "float32") for w in model.get_weights()])

        def look(epoch):
            digest = _digest(saved)
            if digest != last[0]:
                written.append(epoch)
                last[0] = digest

        logs = [{"loss": 0.5 / (e + 1), "accuracy": 0.9, "val_loss": v, "val_accuracy": a}
                for e, (v, a) in enumerate(zip(_VAL_LOSS, _VAL_ACCURACY))]
        run = _Run(model, callbacks, logs, before_epoch=learn, after_epoch=look)
        run.play("one of your callbacks")
        epochs = len(_VAL_LOSS)
        if not model.stop_training:
            raise Fail(f"in a run whose validation loss reaches its lowest value at epoch {_BEST + 1} "
                       f"and then only rises, your callbacks did not stop training in {epochs} "
                       "epochs.", "stop with keras.callbacks.EarlyStopping, watching the "
                       "validation loss ('val_loss').")
        stopped = run.ran - 1
        wait = stopped - _last_low(stopped)
        if wait == 0:
            raise Fail(f"training stopped at the end of epoch {stopped + 1}, where the validation "
                       "loss had just reached a new low (a small one, but any decrease is an "
                       "improvement).", "watch 'val_loss', where lower is better, and count every "
                       "decrease as an improvement.")
        if wait < _PATIENCE:
            raise Fail(f"training stopped at the end of epoch {stopped + 1}, after only "
                       f"{_epochs(wait)} without a new low of the validation loss; it should go on "
                       f"until {_PATIENCE} epochs in a row bring none.",
                       "the patience of early stopping is the number of epochs without "
                       "improvement it waits for: use the question's.")
        if wait > _PATIENCE:
            raise Fail(f"training stopped at the end of epoch {stopped + 1}, {_epochs(wait)} after "
                       f"the last new low of the validation loss (epoch {_last_low(stopped) + 1}); "
                       f"it should stop after {_PATIENCE} epochs without a new low.",
                       "the patience of early stopping is the number of epochs without "
                       "improvement it waits for: use the question's, and watch 'val_loss'.")
        restored = _weights_value(model)
        if not np.isclose(restored, _BEST + 1.0):
            which = ("the last epoch" if np.isclose(restored, stopped + 1.0)
                     else f"epoch {restored:g}" if float(restored).is_integer() and restored > 0
                     else "no epoch of the run")
            raise Fail(f"after training, the model holds the weights of {which}, not those of the "
                       f"best epoch ({_BEST + 1}).", "EarlyStopping can put back the best weights: "
                       "look at its arguments.")
        if not saved.exists():
            found = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
            raise Fail(f"no file best.keras was written in the folder (found: {found or 'nothing'}).",
                       "use keras.callbacks.ModelCheckpoint with the path `folder / 'best.keras'`.")
        lows = [e for e in _NEW_LOWS if e <= stopped]
        if written != lows:
            extra = [e + 1 for e in written if e not in lows]
            missed = [e + 1 for e in lows if e not in written]
            problem = (f"best.keras was also written at epoch(s) {extra}, where the validation loss "
                       "was no new low" if extra else
                       f"best.keras was not written at epoch(s) {missed}, where the validation "
                       "loss reached a new low")
            raise Fail(f"{problem}: best.keras does not hold the model of the best epoch at every "
                       "moment.", "save only when the validation loss improves: save_best_only, "
                       "monitoring 'val_loss'.")
        try:
            best = keras.models.load_model(saved)
        except Exception as error:
            raise Fail(f"best.keras cannot be loaded: {type(error).__name__}: {first_line(error)}",
                       "save the whole model (what ModelCheckpoint does with a .keras path).") \
                from None
        if not np.isclose(_weights_value(best), _BEST + 1.0):
            raise Fail(f"best.keras does not hold the model of the best epoch ({_BEST + 1}).",
                       "save only when the validation loss improves: save_best_only, monitoring "
                       "'val_loss'.")


# ---- 03.q2 ----------------------------------------------------------------------------
def _expected_rate(epoch: int, rate: float) -> float:
    return rate if epoch < 3 else rate * 0.5


_KERAS_FLOATS = (float, np.float32, np.float64)  # what LearningRateScheduler accepts


@question("03.q2", points=2, defines=("schedule",),
          checks="schedule(epoch, learning_rate) keeps the given rate for epochs 0-2 and halves "
                 "it from epoch 3 on, returns a float, and drives a LearningRateScheduler that way",
          fixed="schedule(epoch, learning_rate) returns a float: the given rate at epochs 0-2, "
                "half the given rate from epoch 3 on",
          verifies=("called with random rates at epochs 0, 1, 2, 3, 4, 6 and 9, it returns the "
                    "given rate, then half of it (hard-coded rates, off-by-one epochs, "
                    "compounding twice, remembering the first rate all show)",
                    "it returns a float Keras accepts (float, NumPy float32/float64)",
                    "in keras.callbacks.LearningRateScheduler over 7 epochs from 0.02, the "
                    "optimizer's rate is 0.02, 0.02, 0.02, 0.01, 0.005, 0.0025, 0.00125"))
def _q2(answers: Answers) -> None:
    import keras

    rng = np.random.default_rng(7)
    for epoch in (0, 1, 2, 3, 4, 6, 9):
        rate = float(rng.uniform(1e-4, 0.1))
        got = answers.call("schedule", epoch, rate)
        if not isinstance(got, _KERAS_FLOATS):
            raise Fail(f"schedule({epoch}, {rate:.4g}) returned a value of type "
                       f"{type(got).__name__}; Keras needs a float.",
                       "return a Python float, computed from the arguments.")
        value = as_number(got, f"schedule({epoch}, {rate:.4g})")
        want = _expected_rate(epoch, rate)
        if not math.isclose(value, want, rel_tol=1e-6):
            raise Fail(f"schedule({epoch}, {rate:.4g}) returned {value:.4g}; {want:.4g} was "
                       "expected.", "the rate given to schedule is the current one: return it "
                       "unchanged during epochs 0, 1 and 2, and half of it at every epoch after.")
    model = _probe_model(learning_rate=0.02)
    scheduler = keras.callbacks.LearningRateScheduler(answers["schedule"])
    want = [0.02, 0.02, 0.02, 0.01, 0.005, 0.0025, 0.00125]
    logs = [{"loss": 1.0, "accuracy": 0.5}] * len(want)
    rates = []

    def read(epoch):
        rates.append(float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)))

    _Run(model, [scheduler], logs, after_epoch=read).play("LearningRateScheduler(schedule)")
    if not np.allclose(rates, want, rtol=1e-5):
        raise Fail(f"in a {len(want)}-epoch run starting at 0.02, LearningRateScheduler(schedule) "
                   f"set the rates {np.round(rates, 6).tolist()}; {want} were expected.",
                   "the rate given to schedule is the current one: halve it at every epoch from "
                   "epoch 3 on, and keep it before.")


# ---- 03.q3 ----------------------------------------------------------------------------
# Scripted runs: (target, validation accuracies, training accuracies, expected stop or None).
# Runs 1-3 reuse one StopAtAccuracy object. Run 1 reaches the target at epoch 2, then dips; the
# training accuracy is above the target from the start. Run 2 never reaches it. Run 3 reaches
# it at epoch 0. Run 4 (a new object) reaches a different target exactly (equal) at epoch 2.
_Q3_RUNS = [
    (0.8, [0.5, 0.7, 0.85, 0.75, 0.9, 0.95, 0.97, 0.98],
     [0.82, 0.88, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99], 2),
    (0.8, [0.3, 0.45, 0.6, 0.7, 0.79], [0.85, 0.9, 0.93, 0.95, 0.97], None),
    (0.8, [0.85, 0.6, 0.9, 0.95], [0.86, 0.9, 0.93, 0.95], 0),
    (0.6, [0.2, 0.45, 0.6, 0.65, 0.7, 0.9], [0.61, 0.7, 0.75, 0.8, 0.85, 0.9], 2),
]


def _answer_class(answers: Answers, name: str, question_id: str):
    if name not in answers:
        raise Fail(f"`{name}` is not defined: {question_id} is not answered yet (or its cell has "
                   "not been run).", "write the class in the answer cell, run it, then run this "
                   "check again.")
    return answers[name]


@question("03.q3", points=3, defines=("StopAtAccuracy",),
          checks="StopAtAccuracy(target) stops at the end of the first epoch whose val_accuracy "
                 "is at least target, keeps that epoch in stopped_epoch (None when each run "
                 "begins and if never reached), also when one object is reused for several fits",
          fixed="StopAtAccuracy(target) subclasses keras.callbacks.Callback; it stops at the end "
                "of the first epoch with logs['val_accuracy'] >= target; stopped_epoch is None "
                "at the start of every run, the 0-based epoch it stopped at, or None",
          verifies=("a subclass of keras.callbacks.Callback, created with the target",
                    "in scripted runs it stops at the first epoch whose val_accuracy reaches the "
                    "target (above it, or exactly equal), not on the training accuracy",
                    "it never stops a run that does not reach the target",
                    "stopped_epoch is None when training begins, the 0-based epoch it stopped at, "
                    "and None after a run that never reaches the target",
                    "one object reused for three runs in a row (reached, not reached, reached at "
                    "once) starts each run afresh",
                    "a second object with another target"))
def _q3(answers: Answers) -> None:
    import keras

    cls = _answer_class(answers, "StopAtAccuracy", "03.q3")
    if not (isinstance(cls, type) and issubclass(cls, keras.callbacks.Callback)):
        raise Fail("`StopAtAccuracy` should be a class that subclasses keras.callbacks.Callback.",
                   "write `class StopAtAccuracy(keras.callbacks.Callback):`.")
    model = _probe_model(width=4)
    callback = None
    for run, (target, val, acc, stop) in enumerate(_Q3_RUNS):
        if run in (0, 3):
            try:
                callback = cls(target)
            except (Fail, NotAnswered):
                raise
            except Exception as error:
                raise Fail(f"StopAtAccuracy({target}) raised {type(error).__name__}: "
                           f"{first_line(error)}", "the constructor takes the target accuracy.") \
                    from None
        again = run in (1, 2)
        where = (f"in a second fit with the same StopAtAccuracy({target})" if run == 1 else
                 f"in a third fit with the same StopAtAccuracy({target})" if run == 2 else
                 f"with StopAtAccuracy({target})")
        at_begin = []
        logs = [{"loss": 1.0 - a, "accuracy": a, "val_loss": 1.2 - v, "val_accuracy": v}
                for v, a in zip(val, acc)]
        played = _Run(model, [callback], logs,
                      on_begin=lambda c=callback: at_begin.append(getattr(c, "stopped_epoch",
                                                                          _MISSING)))
        played.play("your callback")
        begun = at_begin[0] if at_begin else None
        if begun is not None:
            shown = "not set" if begun is _MISSING else repr(begun)
            if again:
                raise Fail(f"{where}: when that fit begins, stopped_epoch is {shown}, left over "
                           "from the previous fit; it should be None whenever training begins.",
                           "a callback object can serve several fits: set stopped_epoch back "
                           "in the method Keras calls when each training run begins.")
            raise Fail(f"{where}: when training begins, stopped_epoch is {shown}; it should be "
                       "None.", "set stopped_epoch to None in the method Keras calls when "
                       "training begins.")
        ran = played.ran
        seen = ", ".join(f"{v:g}" for v in val[:ran])
        if stop is None:
            if ran < len(val):
                raise Fail(f"{where}, training stopped after {_epochs(ran)} although the "
                           f"validation accuracy never reached {target} (it was {seen}).",
                           "stop only when logs['val_accuracy'] >= the target.")
        elif ran - 1 < stop:
            raise Fail(f"{where}, training stopped at the end of epoch index {ran - 1}, before the "
                       f"validation accuracy reached the target (it was {seen}).",
                       "compare the validation accuracy, logs['val_accuracy'], with the target "
                       "given to the constructor.")
        elif ran - 1 > stop:
            equal = val[stop] == target
            raise Fail(f"{where}, the validation accuracy reached the target at epoch index {stop} "
                       f"({val[stop]:g}{' = ' if equal else ' ≥ '}{target}), but training went on "
                       f"until epoch index {ran - 1}" + (" (at least the target includes equal to "
                                                          "it)." if equal else "."),
                       "in on_epoch_end, set self.model.stop_training = True as soon as "
                       "logs['val_accuracy'] is at least the target given to the constructor.")
        stopped = getattr(callback, "stopped_epoch", _MISSING)
        shown = "not set" if stopped is _MISSING else repr(stopped)
        if stop is None:
            if stopped is not None:
                raise Fail(f"{where}, the target was never reached, but stopped_epoch is {shown}; "
                           "it should stay None.", "change stopped_epoch only in the epoch where "
                           "you stop training.")
        elif (stopped is _MISSING or isinstance(stopped, (bool, np.bool_))
              or not isinstance(stopped, numbers.Real) or stopped != stop):
            raise Fail(f"{where}, training stopped at the end of epoch index {stop}, but "
                       f"stopped_epoch is {shown}.", "store the epoch number on_epoch_end "
                       "receives (0-based, as Keras counts) in self.stopped_epoch.")


# ---- 03.q4 ----------------------------------------------------------------------------
def _q4_model():
    """A digit classifier with BatchNormalization and Dropout, with weights and moving
    statistics as if trained and an optimizer that has taken 7 steps (no training needed)."""
    import keras

    model = _probe_model(width=12, seed=5, layers=(keras.layers.BatchNormalization(),
                                                   keras.layers.Dropout(0.25)))
    rng = np.random.default_rng(11)
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") if "variance" in v.path
                       else rng.normal(0, 0.5, w.shape).astype("float32")
                       for v, w in zip(model.weights, model.get_weights())])
    model.optimizer.iterations.assign(7)
    return model


def _predict(model, x, name):
    try:
        out = model(x, training=False)
    except Exception as error:
        raise Fail(f"{name} cannot predict: {type(error).__name__}: {first_line(error)}",
                   "return a Keras model.") from None
    return as_array(out, f"the predictions of {name}")


def _files(folder: Path, suffix: str) -> list[Path]:
    return sorted(p for p in folder.rglob(f"*{suffix}"))


@question("03.q4", points=3, defines=("save_and_reload", "copy_weights"),
          checks="save_and_reload writes a .keras file in folder and returns an independent "
                 "loaded copy that predicts the same and keeps the optimizer's state; "
                 "copy_weights writes a .weights.h5 file (no .keras) and loads all the weights "
                 "into the other model, leaving the original unchanged",
          fixed="save_and_reload(model, folder) returns the model loaded from a .keras file it "
                "saved in folder; copy_weights(model, other, folder) saves model's weights to a "
                ".weights.h5 file in folder and loads them into other (file names free)",
          verifies=("on a model with BatchNormalization and Dropout whose optimizer took 7 steps",
                    "save_and_reload returns a Keras model, not the same object, and leaves a "
                    ".keras file in folder that loads into the same model",
                    "the copy predicts the same, keeps optimizer.iterations, has its own "
                    "optimizer, and does not change when the original does",
                    "copy_weights leaves a .weights.h5 file and no .keras file in folder",
                    "after copy_weights, the other model predicts the same (BatchNormalization "
                    "statistics included) and the original is unchanged"))
def _q4(answers: Answers) -> None:
    import keras

    model = _q4_model()
    probe = np.random.default_rng(9).uniform(0, 1, size=(16, 64)).astype("float32")
    expected = _predict(model, probe, "the model")
    original = model.get_weights()
    with tempfile.TemporaryDirectory(prefix="k2tf-check-03q4-") as name:
        folder = Path(name)
        reloaded = answers.call("save_and_reload", model, folder)
        is_instance(reloaded, keras.Model, "save_and_reload(model, folder)", "a Keras model",
                    hint="return what keras.models.load_model gives back.")
        if reloaded is model:
            raise Fail("save_and_reload returned the same model object, not a reloaded copy.",
                       "load the file you saved with keras.models.load_model, and return that.")
        files = _files(folder, ".keras")
        if not files:
            found = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
            raise Fail(f"save_and_reload wrote no .keras file in the folder (found: "
                       f"{found or 'nothing'}).", "save the whole model with model.save, to a "
                       "path in `folder` that ends in .keras.")
        if not np.allclose(_predict(reloaded, probe, "the reloaded model"), expected, atol=1e-6):
            raise Fail("the model save_and_reload returns does not predict what the original "
                       "predicts.", "load the file you saved, and return the loaded model.")
        optimizer = getattr(reloaded, "optimizer", None)
        if optimizer is None or int(optimizer.iterations) != 7:
            raise Fail("the reloaded model lost its optimizer's state (it cannot go on training "
                       "where the original stopped).", "save the whole model in the .keras "
                       "format, and load it with its compile settings (the default).")
        if optimizer is model.optimizer:
            raise Fail("the reloaded model shares the original's optimizer object: it is no "
                       "independent copy.", "return the model keras.models.load_model gives back.")
        model.set_weights([np.zeros_like(w) for w in original])
        unchanged = np.allclose(_predict(reloaded, probe, "the reloaded model"), expected, atol=1e-6)
        model.set_weights(original)
        if not unchanged:
            raise Fail("the model save_and_reload returns changes when the original changes: it "
                       "shares its weights, it is no reloaded copy.",
                       "return the model keras.models.load_model gives back.")
        if not any(np.allclose(_predict(keras.models.load_model(f), probe, f.name), expected,
                               atol=1e-6) for f in files):
            raise Fail("no .keras file in the folder holds the model (loaded, it predicts "
                       "differently).", "save the model itself with model.save(path).")

    with tempfile.TemporaryDirectory(prefix="k2tf-check-03q4-") as name:
        folder = Path(name)
        other = keras.models.clone_model(model)  # same architecture, new weights
        answers.call("copy_weights", model, other, folder)
        if not _files(folder, ".weights.h5"):
            found = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
            raise Fail(f"copy_weights wrote no .weights.h5 file in the folder (found: "
                       f"{found or 'nothing'}).", "save with model.save_weights, to a path in "
                       "`folder` that ends in .weights.h5.")
        if _files(folder, ".keras"):
            raise Fail("copy_weights saved the whole model; only the weights were asked for.",
                       "use save_weights and load_weights.")
        if not all(np.array_equal(a, b) for a, b in zip(model.get_weights(), original)):
            raise Fail("copy_weights changed the weights of `model`; it should only copy them "
                       "to `other`.", "save the weights of `model`, and load them into `other`.")
        if not np.allclose(_predict(other, probe, "the other model"), expected, atol=1e-6):
            trainable = all(np.array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
                            for a, b in zip(other.trainable_weights, model.trainable_weights))
            raise Fail("after copy_weights, the other model does not predict like the original"
                       + (": its BatchNormalization statistics (non-trainable weights) were not "
                          "copied." if trainable else "."),
                       "load the saved weights into `other` itself (the model you were given) "
                       "with load_weights.")


# ---- 03.q5 ----------------------------------------------------------------------------
# The first trains for real, long enough that the losses on the three splits differ clearly;
# the second is stopped as fit starts. Neither uses a default of make_model, fit or Settings.
_Q5_SETTINGS = (dict(learning_rate=0.02, batch_size=64, epochs=2, width=8),
                dict(learning_rate=0.005, batch_size=128, epochs=3, width=24))
_RELU_PROBE = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]], dtype="float32")


def _all_layers(model):
    """The layers of ``model``, nested models opened, in order."""
    import keras

    found = []
    for layer in getattr(model, "layers", []):
        if isinstance(layer, keras.Model) or (hasattr(layer, "layers") and layer.layers):
            found.extend(_all_layers(layer))
        else:
            found.append(layer)
    return found


def _activation_kind(function) -> str:
    """'relu', 'linear' or 'other', by what the activation function does to a few numbers."""
    import keras

    try:
        out = np.asarray(keras.ops.convert_to_numpy(function(_RELU_PROBE)), dtype="float64")
    except Exception:
        return "other"
    if out.shape != _RELU_PROBE.shape:
        return "other"
    if np.allclose(out, np.maximum(_RELU_PROBE, 0), atol=1e-6):
        return "relu"
    if np.allclose(out, _RELU_PROBE, atol=1e-6):
        return "linear"
    return "other"


def _affine_in_inputs(model, x) -> bool:
    """Whether the model's log-odds are affine in its inputs: true of a model whose hidden
    layer has no activation (softmax of an affine function), false of a ReLU network."""
    rng = np.random.default_rng(3)
    a = x[rng.choice(len(x), 16, replace=False)]
    b = x[rng.choice(len(x), 16, replace=False)]
    outs = [np.asarray(as_array(model(p, training=False), "the model's output"), dtype="float64")
            for p in (a, b, (a + b) / 2)]
    if all(np.all(o > 0) and np.allclose(o.sum(axis=-1), 1, atol=1e-3) for o in outs):
        outs = [np.log(o) for o in outs]  # probabilities: their logarithms are the logits
    d = [o - o[:, :1] for o in outs]
    return bool(np.max(np.abs(d[2] - (d[0] + d[1]) / 2)) < 1e-3)


def _check_architecture(model, settings) -> None:
    import keras

    try:  # a subclassed model builds its layers on its first call
        model(_digits().validation.x[:2], training=False)
    except Exception as error:
        raise Fail(f"the model cannot predict a batch of digits: {type(error).__name__}: "
                   f"{first_line(error)}", "build input (64 pixels) → Dense → Dense(10).") \
            from None
    layers = _all_layers(model)
    dense = [layer for layer in layers if isinstance(layer, keras.layers.Dense)]
    # which Dense layer is the hidden one: the one on the 64 inputs that feeds the other
    chains = [(a, b) for a in dense for b in dense if a is not b
              and a.kernel.shape[0] == 64 and b.kernel.shape[0] == a.units] \
        if len(dense) == 2 else []
    if len(chains) != 1:
        raise Fail(f"the model has {len(dense)} Dense layer(s); one hidden Dense layer on the 64 "
                   "inputs, feeding one Dense output layer, was expected.",
                   "build input → Dense(settings.width, ReLU) → Dense(10).")
    hidden, output = chains[0]
    if hidden.units != settings.width:
        raise Fail(f"with settings.width = {settings.width}, the hidden layer has {hidden.units} "
                   "units.", "use settings.width for the hidden layer.")
    if output.units != 10:
        raise Fail(f"the output layer has {output.units} units; there are 10 digits.",
                   "end with a Dense layer of 10 units.")
    kind = _activation_kind(hidden.activation)
    if kind == "other":
        raise Fail("the hidden layer's activation is not ReLU.",
                   "give the hidden Dense layer the ReLU activation.")
    if kind == "linear":
        # ReLU as a layer of its own, or applied in call(): only what the model does can tell
        between = (layers[layers.index(hidden) + 1:layers.index(output)]
                   if layers.index(output) > layers.index(hidden) else [])
        kinds = [_activation_kind(lambda x, f=f: f(x, training=False)) for f in between
                 if not f.weights]
        if "relu" in kinds:
            return
        if "other" in kinds:
            raise Fail("the activation after the hidden layer is not ReLU.",
                       "give the hidden Dense layer the ReLU activation.")
        if _affine_in_inputs(model, _digits().validation.x):
            raise Fail("the hidden layer has no activation: the model is linear (a softmax "
                       "regression), not a network with a ReLU hidden layer.",
                       "give the hidden Dense layer the ReLU activation.")


def _is_adam(optimizer) -> bool:
    import keras

    return isinstance(optimizer, keras.optimizers.Adam) and not isinstance(
        optimizer, keras.optimizers.AdamW)


@question("03.q5", points=2, defines=("train_small",),
          checks="train_small(settings, callbacks) trains a fresh 64 → Dense(width, ReLU) → "
                 "Dense(10) classifier with Adam at the settings' rate, on the whole training "
                 "split, with the settings' epochs and batch size, the validation split as "
                 "validation data, verbose=0 and the callbacks, and returns the History",
          fixed="train_small(settings, callbacks) builds a new model (one hidden Dense layer of "
                "settings.width ReLU units, 10 outputs), compiles it with Adam at "
                "settings.learning_rate, fits it on x_train/y_train with validation_data "
                "(x_val, y_val), settings.epochs, settings.batch_size, verbose=0, callbacks, "
                "and returns the History; output activation, loss form and metrics are free",
          verifies=("called with settings of the check's (other rates, batch sizes, epochs "
                    "and widths than the defaults), it trains and returns the History of fit",
                    "called again with other settings (stopped as fit starts), it builds a new "
                    "model that follows the new settings",
                    "the callbacks ran, for settings.epochs epochs, with verbose 0",
                    "an epoch has ceil(1259 / batch_size) batches: the whole training split",
                    "the last val_loss is the model's loss on the validation split (not the "
                    "test split, the training data or a held-out part)",
                    "the optimizer is Adam at settings.learning_rate",
                    "two Dense layers: settings.width units on the 64 inputs, then 10; a ReLU "
                    "after the hidden one (as activation, a layer, or in call(); a linear model "
                    "shows)",
                    "a new model at each call"))
def _q5(answers: Answers) -> None:
    import keras

    from ..widgets import Settings

    class Seen(Exception):
        """Raised by the spy to end a call of train_small once the model is built."""

    class Spy(keras.callbacks.Callback):
        def __init__(self, abort=False):
            super().__init__()
            self.abort = abort

        def on_train_begin(self, logs=None):
            optimizer = self.model.optimizer
            self.seen = {"params": dict(self.params or {}), "model": self.model,
                         "optimizer": optimizer,
                         "rate": float(keras.ops.convert_to_numpy(optimizer.learning_rate))}
            self.epochs, self.batches = [], 0
            if self.abort or self.seen["params"].get("verbose", 0) != 0:
                raise Seen()  # enough seen (and no progress bar printed into the check)

        def on_train_batch_end(self, batch, logs=None):
            if not self.epochs:
                self.batches += 1

        def on_epoch_end(self, epoch, logs=None):
            self.epochs.append(dict(logs or {}))

    def train(settings, spy):
        function = answers["train_small"]
        if not callable(function):
            raise Fail(f"`train_small` should be a function, but it is a {type(function).__name__}.")
        try:
            return function(settings, [spy])
        except Seen:
            return None
        except (Fail, NotAnswered):
            raise
        except Exception as error:
            raise Fail(f"calling `train_small` raised {type(error).__name__}: {first_line(error)}",
                       "run your function on a small example in a cell of its own to see where "
                       "it fails.") from None

    def common(settings, spy, steps):
        if not hasattr(spy, "seen"):
            raise Fail("the callbacks given to train_small never ran.",
                       "pass them to fit: `callbacks=callbacks`.")
        params = spy.seen["params"]
        if params.get("epochs") != settings.epochs:
            raise Fail(f"with settings.epochs = {settings.epochs}, fit was asked for "
                       f"{params.get('epochs')} epochs.", "pass epochs=settings.epochs to fit.")
        if params.get("verbose", 0) != 0:
            raise Fail(f"fit ran with verbose={params.get('verbose')!r}: it prints a progress bar "
                       "into the explorer.", "pass verbose=0 to fit.")
        expected = math.ceil(n_train / settings.batch_size)
        if steps is not None and steps != expected:
            raise Fail(f"with settings.batch_size = {settings.batch_size}, an epoch had {steps} "
                       f"steps; on the whole training split ({n_train} digits) it has {expected}.",
                       "train on x_train and y_train, all of them, with "
                       "batch_size=settings.batch_size.")
        optimizer = spy.seen["optimizer"]
        if not _is_adam(optimizer):
            raise Fail(f"the optimizer is {type(optimizer).__name__}; the question asks for Adam.",
                       "compile with keras.optimizers.Adam.")
        if not math.isclose(spy.seen["rate"], settings.learning_rate, rel_tol=1e-5):
            raise Fail(f"the optimizer's learning rate was {spy.seen['rate']:.4g}, not "
                       f"settings.learning_rate = {settings.learning_rate}.",
                       "create the optimizer with learning_rate=settings.learning_rate.")
        _check_architecture(spy.seen["model"], settings)

    digits = _digits()
    n_train = len(digits.train.x)
    # The first call trains for real; the second stops as soon as fit starts (the spy raises),
    # which is enough to see a new model, its layers, its optimizer and fit's settings.
    first, second = (Settings(**values) for values in _Q5_SETTINGS)
    spy = Spy()
    history = train(first, spy)
    if not hasattr(spy, "seen"):
        raise Fail("the callbacks given to train_small never ran.",
                   "pass them to fit: `callbacks=callbacks`.")
    verbose = spy.seen["params"].get("verbose", 0)
    if verbose != 0:
        raise Fail(f"fit ran with verbose={verbose!r}: it prints a progress bar into the explorer.",
                   "pass verbose=0 to fit.")
    is_instance(history, keras.callbacks.History, "train_small(...)",
                "the History that model.fit returns", hint="return what fit returns.")
    if len(spy.epochs) != first.epochs:
        raise Fail(f"with settings.epochs = {first.epochs}, training ran "
                   f"{_epochs(len(spy.epochs))}.", "pass epochs=settings.epochs to fit.")
    common(first, spy, spy.batches)
    model = spy.seen["model"]
    if "val_loss" not in spy.epochs[-1]:
        raise Fail("train_small trains without validation data.",
                   "pass the validation split to fit: validation_data=(x_val, y_val).")
    try:
        on_validation = model.evaluate(*digits.validation, batch_size=first.batch_size,
                                       verbose=0, return_dict=True)["loss"]
    except Exception as error:
        raise Fail(f"the trained model cannot be evaluated: {type(error).__name__}: "
                   f"{first_line(error)}", "compile the model with a loss.") from None
    if not math.isclose(spy.epochs[-1]["val_loss"], on_validation, rel_tol=1e-4, abs_tol=1e-5):
        raise Fail(f"the last val_loss, {spy.epochs[-1]['val_loss']:.4f}, is not the model's loss "
                   f"on the validation split ({on_validation:.4f}): it was computed on other data.",
                   "pass the validation split to fit: validation_data=(x_val, y_val).")
    again = Spy(abort=True)
    train(second, again)
    if hasattr(again, "seen") and again.seen["model"] is model:
        raise Fail("train_small trained the same model object twice.",
                   "build a new model inside train_small each time it is called.")
    common(second, again, again.seen["params"].get("steps") if hasattr(again, "seen") else None)


# ---- 03.q6 ----------------------------------------------------------------------------
# Label sets the check chooses: two classes (one rare), ten classes of different sizes,
# classes missing in between (1, 3 and 4 never occur, 0 neither in the last), unsorted.
def _q6_label_sets():
    rng = np.random.default_rng(6)
    sets = [("2 classes, 90 and 10 examples", np.array([0] * 90 + [1] * 10)),
            ("10 classes of 3 to 30 examples", np.repeat(np.arange(10), [30, 3, 12, 5, 20, 8, 17,
                                                                         4, 25, 9])),
            ("the classes 0, 2 and 5 only", np.array([0] * 12 + [2] * 4 + [5] * 24)),
            ("the classes 3 and 7 only", np.array([7] * 6 + [3] * 18))]
    return [(what, rng.permutation(labels).astype("int64")) for what, labels in sets]


def _integral(key) -> bool:
    return isinstance(key, (numbers.Integral, np.integer)) and not isinstance(key, (bool, np.bool_))


def _positive_finite(value) -> bool:
    return (isinstance(value, (numbers.Real, np.floating, np.integer))
            and not isinstance(value, (bool, np.bool_)) and math.isfinite(float(value))
            and float(value) > 0)


@question("03.q6", points=2, defines=("balanced_class_weight", "balanced_sample_weight"),
          checks="balanced_class_weight(labels) returns a dict with an int key for each class "
                 "present and weights inversely proportional to the class counts, which fit "
                 "accepts; balanced_sample_weight(labels) gives the same weighting per example",
          fixed="balanced_class_weight(labels) -> {class: weight} with exactly the classes that "
                "occur, weight * count equal for all classes; balanced_sample_weight(labels) -> "
                "a float array, one weight per label, weight * count of its class constant; the "
                "scale of the weights is free",
          verifies=("on 2 classes (90/10), 10 classes (3 to 30 each), classes missing in between "
                    "and a set without class 0, all shuffled",
                    "a dict with integer keys: every class present, no absent class (np.bincount "
                    "over all class numbers shows), positive finite weights",
                    "weight times count is the same for every class (frequencies instead of "
                    "inverse frequencies, a rare class weighted by a constant, both show)",
                    "fit with the dict (SGD with rate 0) logs the mean of weight times "
                    "per-example loss",
                    "the per-example weights: one float per label, in order, each class's total "
                    "the same"))
def _q6(answers: Answers) -> None:
    import keras

    for what, labels in _q6_label_sets():
        classes, counts = np.unique(labels, return_counts=True)
        given = labels.copy()
        weights = answers.call("balanced_class_weight", given)
        if not isinstance(weights, dict):
            raise Fail(f"balanced_class_weight returned a {type(weights).__name__}, not a dict.",
                       "return a dict from each class to its weight: {class: weight, ...}.")
        bad = [k for k in weights if not _integral(k)]
        if bad:
            raise Fail(f"for labels with {what}, the dict has the key {bad[0]!r} "
                       f"({type(bad[0]).__name__}); fit needs the integer class labels as keys.",
                       "use the labels themselves as keys, as integers: int(label).")
        keys = sorted(int(k) for k in weights)
        if set(keys) - set(classes.tolist()):
            extra = sorted(set(keys) - set(classes.tolist()))
            raise Fail(f"for labels with {what}, the dict has keys for classes that never occur: "
                       f"{extra}.", "give weights only to the classes that occur in labels.")
        missing = sorted(set(classes.tolist()) - set(keys))
        if missing:
            raise Fail(f"for labels with {what}, the dict has no weight for the class(es) "
                       f"{missing}: fit would count them with weight 1.",
                       "give a weight to every class that occurs in labels.")
        values = {int(k): v for k, v in weights.items()}
        if not all(_positive_finite(v) for v in values.values()):
            raise Fail(f"for labels with {what}, the weights are not all positive finite numbers: "
                       f"{values}.", "each weight is a positive number computed from its class's "
                       "count.")
        totals = np.array([float(values[int(c)]) * n for c, n in zip(classes, counts)])
        if not np.allclose(totals, totals[0], rtol=1e-6):
            shown = {int(c): f"{n} examples, weight {float(values[int(c)]):.4g}"
                     for c, n in zip(classes, counts)}
            raise Fail(f"for labels with {what}, the classes do not weigh the same in total "
                       f"(count times weight): {shown}.", "make each weight inversely "
                       "proportional to its class's count: a class 10 times rarer counts 10 "
                       "times as much.")
        if not np.array_equal(given, labels):
            raise Fail("balanced_class_weight changed the labels it was given.",
                       "count the labels without sorting or changing the array itself.")

        per_example = answers.call("balanced_sample_weight", labels.copy())
        array = as_array(per_example, "balanced_sample_weight(labels)")
        if array.shape != labels.shape:
            raise Fail(f"for {len(labels)} labels with {what}, balanced_sample_weight returned "
                       f"an array of shape {array.shape}; one weight per label was expected.",
                       "return one weight for each label, in the order of the labels.")
        if not (np.all(np.isfinite(array)) and np.all(array > 0)):
            raise Fail(f"for labels with {what}, some weights of balanced_sample_weight are not "
                       "positive finite numbers.", "each example's weight is its class's weight.")
        wanted = totals[0] / counts[np.searchsorted(classes, labels)]
        if not np.allclose(array / wanted, (array / wanted)[0], rtol=1e-6):
            raise Fail(f"for labels with {what}, the weights of balanced_sample_weight are not "
                       "those of each example's class, inversely proportional to its count (or "
                       "not in the order of the labels).", "give each example the weight of its "
                       "class, in the order of the labels.")

    # Keras takes the dict: one epoch of one batch at learning rate 0 logs the weighted loss.
    what, labels = _q6_label_sets()[2]
    weights = answers.call("balanced_class_weight", labels.copy())
    keras.utils.set_random_seed(6)
    x = np.random.default_rng(16).normal(size=(len(labels), 4)).astype("float32")
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(6, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0),
                  loss="sparse_categorical_crossentropy")
    per_loss = keras.ops.convert_to_numpy(keras.losses.sparse_categorical_crossentropy(
        labels, model.predict(x, verbose=0)))
    want = float(np.mean([float(weights[k]) for k in labels.tolist()] * per_loss))
    try:
        logged = model.fit(x, labels, batch_size=len(labels), epochs=1, verbose=0,
                           class_weight=weights).history["loss"][0]
    except Exception as error:
        raise Fail(f"fit refused the dict of balanced_class_weight: {type(error).__name__}: "
                   f"{first_line(error)}", "return a plain dict of integer labels to numbers.") \
            from None
    if not math.isclose(logged, want, rel_tol=1e-4):
        raise Fail(f"fit with class_weight=balanced_class_weight(labels) logged the loss "
                   f"{logged:.5g}, not the weighted mean {want:.5g}.",
                   "use the labels themselves as keys, as integers.")


# ---- 03.q7 ----------------------------------------------------------------------------
_Q7_DONE, _Q7_TOTAL, _Q7_STEPS_DONE = 3, 5, 57


def _q7_rate(epoch, learning_rate):  # the rate of each epoch follows from the epoch alone
    return 0.01 * 0.5 ** epoch


@question("03.q7", points=2, defines=("resume",),
          checks="resume(path, done, total, callbacks) loads the whole model from path and "
                 "trains it on the training split for the epochs done..total-1, numbered so, "
                 "starting from the saved weights and optimizer step, and returns the History",
          fixed="resume(path, done, total, callbacks) loads path with its optimizer state, "
                "fits on x_train, y_train with verbose=0 and the callbacks for epochs "
                "done..total-1 in batches of 32 and returns the History; shuffling and "
                "validation data free",
          verifies=("a .keras file of a model whose optimizer took 57 steps, resumed from 3 to 5",
                    "callbacks see exactly epochs 3 and 4 (numbering from 0, all 5 epochs, or "
                    "no epoch show), and a LearningRateScheduler sets the rates of epochs 3 and 4",
                    "training starts from the saved weights and the saved optimizer step "
                    "(compiling again or rebuilding from weights shows)",
                    "on the whole training split in batches of 32 (40 steps), verbose=0",
                    "returns the History of the resumed run"))
def _q7(answers: Answers) -> None:
    import keras

    class Watch(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.params_seen = dict(self.params or {})
            self.start_step = int(self.model.optimizer.iterations)
            self.start_weights = [np.array(w) for w in self.model.get_weights()]
            self.epochs, self.rates, self.batches = [], [], 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epochs.append(int(epoch))
            self.batches = 0

        def on_train_batch_end(self, batch, logs=None):
            self.batches += 1

        def on_epoch_end(self, epoch, logs=None):
            self.rates.append(float(keras.ops.convert_to_numpy(
                self.model.optimizer.learning_rate)))

    model = _probe_model(width=6, learning_rate=0.01, seed=7)
    rng = np.random.default_rng(17)
    model.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])
    model.optimizer.iterations.assign(_Q7_STEPS_DONE)
    saved = model.get_weights()
    watch = Watch()
    with tempfile.TemporaryDirectory(prefix="k2tf-check-03q7-") as name:
        path = Path(name) / "interrupted.keras"
        model.save(path)
        history = answers.call("resume", path, _Q7_DONE, _Q7_TOTAL,
                               [keras.callbacks.LearningRateScheduler(_q7_rate), watch])
    if not hasattr(watch, "epochs"):
        raise Fail("the callbacks given to resume never ran.",
                   "pass them to fit: `callbacks=callbacks`.")
    want = list(range(_Q7_DONE, _Q7_TOTAL))
    seen = watch.epochs
    where = f"resuming a run of {_Q7_TOTAL} epochs after {_Q7_DONE}"
    if seen != want:
        if not seen:
            hint = ("fit's epochs is the number of the last epoch plus one (the run's total), "
                    "not how many are left.")
        elif seen[0] == 0:
            hint = "tell fit where the run stands: initial_epoch."
        else:
            hint = "run from initial_epoch=done up to epochs=total."
        raise Fail(f"{where}, the callbacks saw the epochs {seen or 'none'}; the epochs "
                   f"{want} were expected.", hint)
    rates = [_q7_rate(e, None) for e in want]
    if not np.allclose(watch.rates, rates, rtol=1e-5):
        raise Fail(f"{where}, a LearningRateScheduler set the rates {watch.rates}, not {rates}.",
                   "pass the callbacks to fit as they are.")
    verbose = watch.params_seen.get("verbose", 0)
    if verbose != 0:
        raise Fail(f"fit ran with verbose={verbose!r}.", "pass verbose=0 to fit.")
    if watch.start_step != _Q7_STEPS_DONE:
        raise Fail(f"the resumed training started at optimizer step {watch.start_step}, not at "
                   f"the saved model's step {_Q7_STEPS_DONE}: the optimizer's state was lost.",
                   "load the whole model with keras.models.load_model and do not compile it "
                   "again: the .keras file holds the optimizer.")
    if not all(np.array_equal(a, b) for a, b in zip(watch.start_weights, saved)):
        raise Fail("the resumed training did not start from the saved weights.",
                   "load the model from path with keras.models.load_model, and train that model.")
    n_train = len(_digits().train.x)
    steps = watch.params_seen.get("steps")
    if steps != math.ceil(n_train / 32) or watch.batches != steps:
        raise Fail(f"an epoch of the resumed training had {watch.batches} steps; one pass over "
                   f"the training split ({n_train} digits) in batches of 32 has "
                   f"{math.ceil(n_train / 32)}.", "train on x_train and y_train, all of them, "
                   "with batch_size=32.")
    is_instance(history, keras.callbacks.History, "resume(...)",
                "the History that model.fit returns", hint="return what fit returns.")
    if list(history.epoch) != want:
        raise Fail(f"the History returned numbers the epochs {list(history.epoch)}, not {want}.",
                   "return the History of the fit that resumes training.")


# ---- 03.q8 ----------------------------------------------------------------------------
_Q8_N, _Q8_BATCH = 203, 16


def _q8_arrays():
    x = np.stack([np.arange(_Q8_N), np.arange(_Q8_N) * 0.5, np.ones(_Q8_N)], axis=1)
    return x.astype("float32"), (np.arange(_Q8_N) % 5).astype("int64")


def _q8_pass(dataset, what):
    """The ids (first input column) of one pass, batch by batch, with the labels checked."""
    batches = []
    try:
        for element in dataset:
            if not isinstance(element, (tuple, list)) or len(element) != 2:
                raise Fail(f"{what}: an element of the data set is not an (inputs, labels) pair.",
                           "make the data set from the pair: from_tensor_slices((x, y)).")
            xb, yb = (part.numpy() if hasattr(part, "numpy") else np.asarray(part)
                      for part in element)
            if xb.ndim != 2:
                raise Fail(f"{what}: an element's inputs have the shape {xb.shape}: one example, "
                           "not a batch.", "batch the data set: .batch(batch_size).")
            ids = np.rint(xb[:, 0]).astype(int)
            if yb.shape != (len(ids),) or not np.array_equal(yb, ids % 5):
                raise Fail(f"{what}: the labels in a batch are not those of its inputs.",
                           "keep each example's inputs and label together: shuffle the pairs "
                           "of one data set made from (x, y).")
            batches.append(ids)
            if sum(len(b) for b in batches) > 3 * _Q8_N:
                break
    except Fail:
        raise
    except Exception as error:
        raise Fail(f"{what}: iterating over the data set raised {type(error).__name__}: "
                   f"{first_line(error)}", "build it with tf.data.Dataset.from_tensor_slices.") \
            from None
    return batches


@question("03.q8", points=2, defines=("make_dataset",),
          checks="make_dataset(x, y, batch_size, shuffle) returns a finite tf.data.Dataset of "
                 "(inputs, labels) batches with every example once per pass, in order or "
                 "shuffled anew each pass across batches, that fit trains on",
          fixed="make_dataset(x, y, batch_size, shuffle) returns a tf.data.Dataset of (x, y) "
                "batches of batch_size (last may be smaller), every example once per pass; "
                "shuffle=True: a new order each pass, examples (not batches) shuffled with a "
                "buffer as large as the data; shuffle=False: the arrays' order",
          verifies=("203 examples in batches of 16 (and 50): a tf.data.Dataset, finite (no "
                    "repeat), elements (inputs, labels) with the labels of their inputs",
                    "every example exactly once per pass, batches of batch_size (the last "
                    "smaller; drop_remainder shows)",
                    "shuffle=False keeps the order; shuffle=True changes it, anew at every pass, "
                    "across batches (batching before shuffling shows), with a full buffer",
                    "fit trains on it: one step per batch"))
def _q8(answers: Answers) -> None:
    import keras
    import tensorflow as tf

    x, y = _q8_arrays()
    for batch_size in (_Q8_BATCH, 50):
        sizes = [batch_size] * (_Q8_N // batch_size) + [_Q8_N % batch_size]
        for shuffle in (False, True):
            what = (f"make_dataset(x, y, {batch_size}, shuffle={shuffle}) on {_Q8_N} examples")
            dataset = answers.call("make_dataset", x.copy(), y.copy(), batch_size, shuffle)
            is_instance(dataset, tf.data.Dataset, what, "a tf.data.Dataset",
                        hint="build it with tf.data.Dataset.from_tensor_slices((x, y)).")
            if int(dataset.cardinality()) == int(tf.data.INFINITE_CARDINALITY):
                raise Fail(f"{what} repeats forever: an epoch of fit would never end.",
                           "do not repeat the data set: fit starts a new pass at each epoch.")
            passes = [_q8_pass(dataset, what) for _ in range(2 if shuffle else 1)]
            for batches in passes:
                ids = np.concatenate(batches) if batches else np.array([], int)
                if sorted(ids.tolist()) != list(range(_Q8_N)):
                    raise Fail(f"{what}: one pass yields {len(ids)} examples, not each of the "
                               f"{_Q8_N} exactly once.", "batch without dropping the last, "
                               "smaller batch, and do not repeat the data set.")
                in_order = {frozenset(range(i, min(i + batch_size, _Q8_N)))
                            for i in range(0, _Q8_N, batch_size)}
                if shuffle and all(frozenset(b.tolist()) in in_order for b in batches) and \
                        not np.array_equal(ids, np.arange(_Q8_N)):
                    raise Fail(f"{what}: each batch holds the same neighbouring examples as "
                               "without shuffling: whole batches are shuffled, not the examples.",
                               "shuffle before batching.")
                if [len(b) for b in batches] != sizes:
                    raise Fail(f"{what}: the batches hold {[len(b) for b in batches]} examples; "
                               f"batches of {batch_size} (the last one smaller) were expected.",
                               "batch the data set with batch_size.")
            first = np.concatenate(passes[0])
            if not shuffle:
                if not np.array_equal(first, np.arange(_Q8_N)):
                    raise Fail(f"{what}: the examples do not come in the order of the arrays.",
                               "shuffle only when shuffle is True.")
                continue
            if np.array_equal(first, np.arange(_Q8_N)):
                raise Fail(f"{what}: the examples come in the order of the arrays.",
                           "shuffle the data set when shuffle is True: .shuffle(len(x)).")
            second = np.concatenate(passes[1])
            if np.array_equal(first, second):
                raise Fail(f"{what}: two passes (two epochs) yield the examples in the same "
                           "order.", "let the data set shuffle anew at each pass (the default "
                           "of .shuffle).")
            if all(b.max() < _Q8_N // 2 for b in (passes[0][0], passes[1][0])):
                raise Fail(f"{what}: in two passes, the first batch never held an example from "
                           "the second half of the arrays: the shuffle buffer is too small to "
                           "mix all the data.", "give .shuffle a buffer as large as the data: "
                           "len(x).")
    dataset = answers.call("make_dataset", x.copy(), y.copy(), _Q8_BATCH, True)
    keras.utils.set_random_seed(8)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(5, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    try:
        history = model.fit(dataset, epochs=1, verbose=0, shuffle=False)
    except Exception as error:
        raise Fail(f"fit cannot train on the data set of make_dataset: {type(error).__name__}: "
                   f"{first_line(error)}", "return the batched data set of (x, y) pairs.") \
            from None
    if history.params.get("steps") != math.ceil(_Q8_N / _Q8_BATCH):
        raise Fail(f"fit took {history.params.get('steps')} steps per epoch on the data set, "
                   f"not one per batch ({math.ceil(_Q8_N / _Q8_BATCH)}).",
                   "batch the data set with batch_size.")


# ---- 03.q9 ----------------------------------------------------------------------------
# Five features on very different scales (so that one mean and variance for all of them, no
# standardising, or statistics of other data all show), a model with BatchNormalization and
# Dropout (inference mode matters) and three classes.
_Q9_MEAN = np.array([100.0, -3.0, 0.5, 2000.0, 10.0])
_Q9_STD = np.array([15.0, 0.2, 1.0, 300.0, 4.0])


def _q9_model():
    import keras

    keras.utils.set_random_seed(9)
    model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.Dropout(0.5),
                              keras.layers.Dense(3, activation="softmax")])
    rng = np.random.default_rng(19)
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") if "variance" in v.path
                       else rng.normal(0, 0.6, w.shape).astype("float32")
                       for v, w in zip(model.weights, model.get_weights())])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


@question("03.q9", points=3, defines=("export_raw",),
          checks="export_raw(model, x_raw, path) returns a Keras model taking raw rows that "
                 "standardises each feature with x_raw's statistics before model, and exports "
                 "it as a SavedModel to path whose serving_default signature takes raw float32 "
                 "rows of any batch size and predicts the same",
          fixed="export_raw(model, x_raw, path) returns the raw-input Keras model and exports it "
                "as a SavedModel into the folder path; standardisation per feature with the "
                "mean and variance of x_raw, inside the model (how is free)",
          verifies=("a model with BatchNormalization and Dropout, 5 features on very different "
                    "scales",
                    "the returned Keras model predicts, on raw rows, what model predicts on rows "
                    "standardised with x_raw's mean and standard deviation (no adapt, one "
                    "statistic for all features, exporting model itself show)",
                    "path is a SavedModel folder (a .keras file or model.save show) that "
                    "tf.saved_model.load reads",
                    "its serving_default signature takes one float32 input of shape (None, 5) "
                    "and returns the same predictions on raw rows"))
def _q9(answers: Answers) -> None:
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(29)
    x_raw = (rng.normal(size=(300, 5)) * _Q9_STD + _Q9_MEAN).astype("float32")
    probe = (rng.normal(size=(7, 5)) * _Q9_STD + _Q9_MEAN).astype("float32")
    model = _q9_model()
    mean, std = x_raw.astype("float64").mean(axis=0), x_raw.astype("float64").std(axis=0)
    expected = keras.ops.convert_to_numpy(model((probe - mean) / std, training=False))
    hint_norm = ("put a keras.layers.Normalization layer, adapted on x_raw (one mean and "
                 "variance per feature), before model.")
    with tempfile.TemporaryDirectory(prefix="k2tf-check-03q9-") as name:
        path = Path(name) / "served"
        returned = answers.call("export_raw", model, x_raw.copy(), path)
        is_instance(returned, keras.Model, "export_raw(model, x_raw, path)", "a Keras model",
                    hint="return the Keras model that takes raw rows.")
        if returned is model:
            raise Fail("export_raw returned `model` itself, which takes standardised rows.",
                       "return a new model: the standardisation, then model.")
        got = _predict(returned, probe, "the model export_raw returns")
        if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-4, atol=1e-5):
            raise Fail("on raw rows, the model export_raw returns does not predict what `model` "
                       "predicts on the same rows standardised with the mean and standard "
                       "deviation of each feature of x_raw.", hint_norm)
        if not (path.is_dir() and (path / "saved_model.pb").is_file()):
            found = sorted(str(p.relative_to(path.parent)) for p in path.parent.rglob("*"))
            raise Fail(f"no SavedModel folder was written at `path` (found: {found or 'nothing'}).",
                       "export the raw-input model with its export method, to `path` itself.")
        try:
            loaded = tf.saved_model.load(str(path))
        except Exception as error:
            raise Fail(f"tf.saved_model.load cannot read the folder: {type(error).__name__}: "
                       f"{first_line(error)}", "export the model with model.export(path).") \
                from None
        signature = getattr(loaded, "signatures", {}).get("serving_default")
        if signature is None:
            raise Fail("the SavedModel has no serving_default signature.",
                       "export the model with model.export(path).")
        inputs = signature.structured_input_signature[1]
        specs = list(inputs.values())
        if len(specs) != 1 or specs[0].dtype != tf.float32 or \
                specs[0].shape.as_list() != [None, 5]:
            raise Fail(f"the serving signature takes {inputs}; one float32 input of shape "
                       "(None, 5), raw rows in a batch of any size, was expected.",
                       "export a model whose input is keras.Input(shape=(number of features,)).")
        try:
            out = signature(**{next(iter(inputs)): tf.constant(probe)})
        except Exception as error:
            raise Fail(f"calling the serving signature on raw rows raised {type(error).__name__}: "
                       f"{first_line(error)}", "export the raw-input model.") from None
        served = next(iter(out.values())) if isinstance(out, dict) else out
        served = served.numpy() if hasattr(served, "numpy") else np.asarray(served)
        if served.shape != expected.shape or not np.allclose(served, expected, rtol=1e-4,
                                                             atol=1e-5):
            raise Fail("the SavedModel's serving signature, given raw rows, does not predict "
                       "what `model` predicts on the rows standardised: it was exported without "
                       "the standardisation, or with other statistics.",
                       "export the model you return, the one with the standardisation inside.")
