"""Checks for exercise 03 (training with fit)."""
from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np

from . import Answers, Fail, question
from .expect import as_array, as_number, is_instance


def _digits():
    from ..data import load_digits

    return load_digits()


def _small_model(width=16, learning_rate=1e-3, seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(64,)),
                              keras.layers.Dense(width, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else "(no message)"


# ---- 03.q1 ----------------------------------------------------------------------------
# A scripted run: the check plays fit's part, so the result never depends on training noise.
# The validation loss is best at epoch 3 (index 2), then only gets worse.
_SCRIPTED_VAL_LOSS = [1.0, 0.8, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6]


@question("03.q1", points=3,
          checks="make_callbacks(folder) returns callbacks that, in a scripted run whose "
                 "validation loss is best at epoch 3, stop training within 5 epochs of it, put "
                 "back the best epoch's weights, and save that epoch's model to folder/best.keras")
def _q1(answers: Answers) -> None:
    import keras

    with tempfile.TemporaryDirectory(prefix="k2tf-check-03q1-") as name:
        folder = Path(name)
        callbacks = answers.call("make_callbacks", folder)
        if not isinstance(callbacks, (list, tuple)) or not all(
                isinstance(c, keras.callbacks.Callback) for c in callbacks):
            raise Fail("make_callbacks should return a list of Keras callbacks.",
                       "return `[keras.callbacks.EarlyStopping(...), keras.callbacks.ModelCheckpoint(...)]`.")
        model = _small_model(width=4)
        # one real step builds the optimizer, so best.keras holds its state and reloads cleanly
        model.fit(np.zeros((4, 64), "float32"), np.zeros(4, "int64"), epochs=1, verbose=0)
        epochs = len(_SCRIPTED_VAL_LOSS)
        for callback in callbacks:
            callback.set_model(model)
            callback.set_params({"epochs": epochs, "steps": 1, "verbose": 0})
            callback.on_train_begin()
        stopped_at = None
        for epoch, val_loss in enumerate(_SCRIPTED_VAL_LOSS):
            # The weights "learned" in this epoch are all equal to epoch + 1.
            model.set_weights([np.full(w.shape, epoch + 1.0, "float32") for w in model.get_weights()])
            for callback in callbacks:
                callback.on_epoch_begin(epoch)
            logs = {"loss": 0.5 / (epoch + 1), "val_loss": val_loss, "accuracy": 0.9,
                    "val_accuracy": 0.9}
            for callback in callbacks:
                callback.on_epoch_end(epoch, dict(logs))
            if model.stop_training:
                stopped_at = epoch
                break
        for callback in callbacks:
            callback.on_train_end()
        if stopped_at is None:
            raise Fail("in a run whose validation loss is best at epoch 3 and then only rises, "
                       f"your callbacks did not stop training in {epochs} epochs.",
                       "use keras.callbacks.EarlyStopping watching 'val_loss', with a patience "
                       "of at most 5.")
        if stopped_at > 2 + 5:
            raise Fail(f"training stopped at epoch {stopped_at + 1}, more than 5 epochs after the "
                       "best one (epoch 3).", "lower the patience to 5 or less.")
        if stopped_at <= 2:
            raise Fail(f"training stopped at epoch {stopped_at + 1}, while the validation loss was "
                       "still improving.", "watch 'val_loss', where lower is better.")
        restored = model.get_weights()[0].ravel()[0]
        if not np.isclose(restored, 3.0):
            raise Fail("after training, the model keeps the weights of the last epoch, not of the "
                       "best one (epoch 3).", "EarlyStopping can restore the best weights: "
                       "look at its arguments.")
        saved = folder / "best.keras"
        if not saved.exists():
            found = sorted(p.name for p in folder.iterdir())
            raise Fail(f"no file best.keras was written in the folder (found: {found or 'nothing'}).",
                       "use keras.callbacks.ModelCheckpoint with the path `folder / 'best.keras'`.")
        try:
            best = keras.models.load_model(saved)
        except Exception as error:
            raise Fail(f"best.keras cannot be loaded: {type(error).__name__}: {_first_line(error)}",
                       "save the whole model (the default of ModelCheckpoint with a .keras path).") from None
        if not np.isclose(best.get_weights()[0].ravel()[0], 3.0):
            raise Fail("best.keras does not hold the model of the best epoch (epoch 3).",
                       "save only when the validation loss improves: save_best_only=True, "
                       "monitoring 'val_loss'.")


# ---- 03.q2 ----------------------------------------------------------------------------
def _expected_rate(epoch: int, rate: float) -> float:
    return rate if epoch < 3 else rate * 0.5


@question("03.q2", points=2,
          checks="schedule(epoch, learning_rate) keeps the rate for epochs 0-2 and halves it "
                 "from epoch 3 on, and drives the learning rate of a real fit that way")
def _q2(answers: Answers) -> None:
    import keras

    rng = np.random.default_rng(7)
    for epoch in (0, 1, 2, 3, 4, 9):
        rate = float(rng.uniform(1e-4, 0.1))
        got = answers.call("schedule", epoch, rate)
        if not isinstance(got, (float, np.floating)) or isinstance(got, bool):
            raise Fail(f"schedule({epoch}, {rate:.4g}) returned a {type(got).__name__}; Keras "
                       "needs a Python float.", "return a float, computed from the arguments.")
        value = as_number(got, f"schedule({epoch}, {rate:.4g})")
        want = _expected_rate(epoch, rate)
        if not math.isclose(value, want, rel_tol=1e-6):
            raise Fail(f"schedule({epoch}, {rate:.4g}) returned {value:.4g}; {want:.4g} was "
                       "expected.", "the rate given to schedule is the current one: keep it "
                       "during epochs 0, 1 and 2, and halve it at every epoch after that.")
    digits = _digits()
    model = _small_model(width=8, learning_rate=0.02)
    history = model.fit(digits.train.x[:256], digits.train.y[:256], epochs=6, batch_size=64,
                        verbose=0,
                        callbacks=[keras.callbacks.LearningRateScheduler(answers["schedule"])])
    rates = history.history.get("learning_rate", [])
    want = [0.02, 0.02, 0.02, 0.01, 0.005, 0.0025]
    if not np.allclose(rates, want, rtol=1e-5):
        raise Fail(f"in a 6-epoch fit starting at 0.02, the rates were {np.round(rates, 5).tolist()}; "
                   f"{want} were expected.", "halve the rate you are given from epoch 3 on.")


# ---- 03.q3 ----------------------------------------------------------------------------
def _fit_with(callback, epochs, seed=3):
    digits = _digits()
    model = _small_model(width=16, learning_rate=3e-3, seed=seed)
    x, y = digits.train.x[:600], digits.train.y[:600]
    try:
        history = model.fit(x, y, validation_data=tuple(digits.validation), epochs=epochs,
                            batch_size=32, verbose=0, callbacks=[callback])
    except Exception as error:
        raise Fail(f"fit with your callback raised {type(error).__name__}: {_first_line(error)}",
                   "the metrics of the epoch are in `logs`, the model in `self.model`.") from None
    return history


@question("03.q3", points=3,
          checks="StopAtAccuracy(target), during real fits, stops training at the end of the "
                 "first epoch whose validation accuracy reaches target, records that epoch in "
                 "stopped_epoch, and never stops a run that does not reach it")
def _q3(answers: Answers) -> None:
    import keras

    cls = answers["StopAtAccuracy"]
    if not (isinstance(cls, type) and issubclass(cls, keras.callbacks.Callback)):
        raise Fail("`StopAtAccuracy` should be a class that subclasses keras.callbacks.Callback.",
                   "write `class StopAtAccuracy(keras.callbacks.Callback):`.")
    if issubclass(cls, keras.callbacks.EarlyStopping):
        raise Fail("`StopAtAccuracy` subclasses EarlyStopping; write its on_epoch_end yourself.")
    for target in (0.6, 0.85):
        try:
            callback = cls(target)
        except Exception as error:
            raise Fail(f"StopAtAccuracy({target}) raised {type(error).__name__}: {_first_line(error)}",
                       "the constructor takes the target accuracy.") from None
        history = _fit_with(callback, epochs=20)
        val = history.history["val_accuracy"]
        reached = [i for i, a in enumerate(val) if a >= target]
        ran = len(val)
        if not reached:
            raise Fail(f"with target {target}, training stopped after {ran} epochs although the "
                       "validation accuracy never reached the target.",
                       "stop only when logs['val_accuracy'] >= target.")
        first = reached[0]
        if first != ran - 1:
            raise Fail(f"with target {target}, the validation accuracy reached it at epoch "
                       f"{first + 1}, but training went on until epoch {ran}.",
                       "in on_epoch_end, set self.model.stop_training = True as soon as the "
                       "target is reached.")
        stopped = getattr(callback, "stopped_epoch", "missing")
        if stopped is None or stopped == "missing" or not isinstance(stopped, (int, np.integer)) \
                or int(stopped) != first:
            raise Fail(f"with target {target}, training stopped at epoch index {first}, but "
                       f"callback.stopped_epoch is {stopped!r}.",
                       "store the (0-based) epoch number you stop at in self.stopped_epoch.")
    callback = cls(1.01)  # never reached
    history = _fit_with(callback, epochs=4)
    if len(history.history["val_accuracy"]) != 4:
        raise Fail("with a target that is never reached (1.01), training stopped early.",
                   "stop only when the target is reached.")
    if getattr(callback, "stopped_epoch", "missing") is not None:
        raise Fail("with a target that is never reached, stopped_epoch should stay None.",
                   "set self.stopped_epoch = None when training begins (on_train_begin).")


# ---- 03.q4 ----------------------------------------------------------------------------
@question("03.q4", points=3,
          checks="save_and_reload writes a .keras file and returns an independent copy that "
                 "predicts the same and keeps its optimizer; copy_weights saves a .weights.h5 "
                 "file and loads it into another model of the same architecture")
def _q4(answers: Answers) -> None:
    import keras

    digits = _digits()
    probe = np.random.default_rng(9).uniform(0, 1, size=(12, 64)).astype("float32")
    model = _small_model(width=12, seed=5)
    model.fit(digits.train.x[:128], digits.train.y[:128], epochs=1, batch_size=32, verbose=0)
    expected = model.predict(probe, verbose=0)
    with tempfile.TemporaryDirectory(prefix="k2tf-check-03q4-") as name:
        folder = Path(name)
        reloaded = answers.call("save_and_reload", model, folder)
        is_instance(reloaded, keras.Model, "save_and_reload(model, folder)", "a Keras model",
                    hint="return what keras.models.load_model gives back.")
        files = sorted(p.name for p in folder.iterdir())
        if not any(f.endswith(".keras") for f in files):
            raise Fail(f"save_and_reload wrote no .keras file in the folder (found: {files or 'nothing'}).",
                       "save the whole model with model.save(folder / 'something.keras').")
        if reloaded is model:
            raise Fail("save_and_reload returned the same model object, not a reloaded copy.",
                       "load the file you saved with keras.models.load_model.")
        if not np.allclose(as_array(reloaded.predict(probe, verbose=0), "predictions"), expected,
                           atol=1e-6):
            raise Fail("the reloaded model does not predict what the original predicts.",
                       "save after training, and load the file you saved.")
        if reloaded.optimizer is None or int(reloaded.optimizer.iterations) != int(model.optimizer.iterations):
            raise Fail("the reloaded model lost its optimizer's state.",
                       "save the whole model in the .keras format, not only its weights.")
        for f in folder.iterdir():
            f.unlink()
        fresh = keras.models.clone_model(model)
        answers.call("copy_weights", model, fresh, folder)
        files = sorted(p.name for p in folder.iterdir())
        if not any(f.endswith(".weights.h5") for f in files):
            raise Fail(f"copy_weights wrote no .weights.h5 file in the folder (found: {files or 'nothing'}).",
                       "save with model.save_weights(folder / 'something.weights.h5').")
        if any(f.endswith(".keras") for f in files):
            raise Fail("copy_weights saved the whole model; only the weights were asked for.",
                       "use save_weights and load_weights.")
        if not np.allclose(as_array(fresh.predict(probe, verbose=0), "predictions"), expected,
                           atol=1e-6):
            raise Fail("after copy_weights, the other model does not predict like the original.",
                       "load the saved weights into the other model with load_weights.")


# ---- 03.q5 ----------------------------------------------------------------------------
@question("03.q5", points=2,
          checks="train_small(settings, callbacks) trains a fresh digit classifier with the "
                 "settings' learning rate, batch size, epochs and width, with validation data, "
                 "passing the callbacks to fit, and returns the History")
def _q5(answers: Answers) -> None:
    import keras

    from ..widgets import Settings

    class Spy(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.seen = {"params": dict(self.params), "model": self.model,
                         "rate": float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))}
            self.epochs = []

        def on_epoch_end(self, epoch, logs=None):
            self.epochs.append(dict(logs or {}))

    n_train = len(_digits().train)
    models = []
    for settings in (Settings(learning_rate=0.005, batch_size=64, epochs=3, width=8),
                     Settings(learning_rate=0.02, batch_size=16, epochs=2, width=24)):
        spy = Spy()
        history = answers.call("train_small", settings, [spy])
        is_instance(history, keras.callbacks.History, "train_small(...)",
                    "the History that model.fit returns", hint="return what fit returns.")
        if not hasattr(spy, "seen"):
            raise Fail("the callbacks given to train_small never ran.",
                       "pass them to fit: `callbacks=callbacks`.")
        if len(spy.epochs) != settings.epochs:
            raise Fail(f"with settings.epochs = {settings.epochs}, training ran {len(spy.epochs)} "
                       "epochs.", "use settings.epochs.")
        if "val_loss" not in spy.epochs[-1]:
            raise Fail("train_small trains without validation data.",
                       "pass validation_data to fit.")
        steps = spy.seen["params"].get("steps")
        if steps != math.ceil(n_train / settings.batch_size):
            raise Fail(f"with settings.batch_size = {settings.batch_size}, an epoch had {steps} "
                       "steps: the batch size was not used.",
                       "pass batch_size to fit; train on the whole training split.")
        if not math.isclose(spy.seen["rate"], settings.learning_rate, rel_tol=1e-5):
            raise Fail(f"the optimizer's learning rate was {spy.seen['rate']:.4g}, not "
                       f"settings.learning_rate = {settings.learning_rate}.",
                       "create the optimizer with learning_rate=settings.learning_rate.")
        model = spy.seen["model"]
        dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
        if not dense or dense[0].units != settings.width:
            raise Fail(f"with settings.width = {settings.width}, the first hidden layer has "
                       f"{dense[0].units if dense else 'no'} units.", "use settings.width.")
        if any(model is other for other in models):
            raise Fail("train_small trained the same model object twice.",
                       "build a fresh model inside train_small each time it is called.")
        models.append(model)
