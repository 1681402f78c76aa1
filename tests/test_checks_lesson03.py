"""Exercise 03's checks: honest answers pass; typical mistakes and shortcuts fail, saying why."""
from __future__ import annotations

from pathlib import Path

import pytest

import k2tf
from k2tf.checks import CheckFailed, run_check


@pytest.fixture(scope="module")
def keras():
    k2tf.setup(quiet=False)
    import keras

    return keras


def _callbacks(keras, *, patience=3, restore=True, best_only=True, monitor="val_loss"):
    def make_callbacks(folder):
        return [keras.callbacks.EarlyStopping(monitor=monitor, patience=patience,
                                              restore_best_weights=restore),
                keras.callbacks.ModelCheckpoint(Path(folder) / "best.keras", monitor="val_loss",
                                                save_best_only=best_only)]
    return make_callbacks


def test_q1_early_stopping_and_checkpoint(keras):
    assert "passed" in run_check("03.q1", {"make_callbacks": _callbacks(keras)})
    cases = {"8 epochs after": dict(patience=8),
             "weights of the last epoch": dict(restore=False),
             "does not hold the model of the best epoch": dict(best_only=False),
             "did not stop": dict(monitor="loss")}
    for message, kwargs in cases.items():
        with pytest.raises(CheckFailed, match=message):
            run_check("03.q1", {"make_callbacks": _callbacks(keras, **kwargs)})
    with pytest.raises(CheckFailed, match="no file best.keras"):
        run_check("03.q1", {"make_callbacks": lambda folder: _callbacks(keras)(folder)[:1]})


def test_q2_schedule(keras):
    def schedule(epoch, learning_rate):
        return float(learning_rate if epoch < 3 else learning_rate / 2)

    assert "passed" in run_check("03.q2", {"schedule": schedule})
    hard_coded = lambda epoch, learning_rate: 0.01 if epoch < 3 else 0.005  # noqa: E731
    with pytest.raises(CheckFailed, match="was expected"):
        run_check("03.q2", {"schedule": hard_coded})
    compounding_twice = lambda epoch, lr: float(lr if epoch < 3 else lr * 0.5 ** (epoch - 2))  # noqa: E731
    with pytest.raises(CheckFailed, match="was expected"):
        run_check("03.q2", {"schedule": compounding_twice})
    import tensorflow as tf
    with pytest.raises(CheckFailed, match="Python float"):
        run_check("03.q2", {"schedule": lambda epoch, lr: tf.constant(lr)})


def _stopper(keras, *, always=False, never=False):
    class StopAtAccuracy(keras.callbacks.Callback):
        def __init__(self, target):
            super().__init__()
            self.target = target
            self.stopped_epoch = None

        def on_train_begin(self, logs=None):
            self.stopped_epoch = None

        def on_epoch_end(self, epoch, logs=None):
            if never:
                return
            if always or logs["val_accuracy"] >= self.target:
                self.stopped_epoch = epoch
                self.model.stop_training = True

    return StopAtAccuracy


def test_q3_custom_callback_in_played_runs(keras):
    assert "passed" in run_check("03.q3", {"StopAtAccuracy": _stopper(keras)})
    with pytest.raises(CheckFailed, match="never reached the target|before"):
        run_check("03.q3", {"StopAtAccuracy": _stopper(keras, always=True)})
    with pytest.raises(CheckFailed, match="went on"):
        run_check("03.q3", {"StopAtAccuracy": _stopper(keras, never=True)})
    with pytest.raises(CheckFailed, match="raised|should be None"):
        run_check("03.q3", {"StopAtAccuracy": type("S", (keras.callbacks.EarlyStopping,), {})})


def test_q4_save_and_reload(keras):
    def save_and_reload(model, folder):
        model.save(Path(folder) / "m.keras")
        return keras.models.load_model(Path(folder) / "m.keras")

    def copy_weights(model, other, folder):
        model.save_weights(Path(folder) / "m.weights.h5")
        other.load_weights(Path(folder) / "m.weights.h5")

    ns = {"save_and_reload": save_and_reload, "copy_weights": copy_weights}
    assert "passed" in run_check("03.q4", ns)

    def same_object(model, folder):
        model.save(Path(folder) / "m.keras")
        return model

    with pytest.raises(CheckFailed, match="same model object"):
        run_check("03.q4", {**ns, "save_and_reload": same_object})

    def whole_model(model, other, folder):
        model.save(Path(folder) / "m.keras")
        model.save_weights(Path(folder) / "m.weights.h5")
        other.set_weights(model.get_weights())

    with pytest.raises(CheckFailed, match="whole model"):
        run_check("03.q4", {**ns, "copy_weights": whole_model})
    with pytest.raises(CheckFailed, match="does not predict like"):
        run_check("03.q4", {**ns, "copy_weights": lambda m, o, f: m.save_weights(Path(f) / "w.weights.h5")})


def test_q5_train_small(keras):
    from k2tf.data import load_digits

    digits = load_digits()

    def train_small(settings, callbacks, width=None):
        model = keras.Sequential([keras.Input((64,)),
                                  keras.layers.Dense(width or settings.width, activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(keras.optimizers.Adam(settings.learning_rate),
                      "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model.fit(*digits.train, validation_data=tuple(digits.validation),
                         epochs=settings.epochs, batch_size=settings.batch_size, verbose=0,
                         callbacks=list(callbacks))

    assert "passed" in run_check("03.q5", {"train_small": train_small})
    with pytest.raises(CheckFailed, match="units"):
        run_check("03.q5", {"train_small": lambda s, c: train_small(s, c, width=32)})
    with pytest.raises(CheckFailed, match="never ran"):
        run_check("03.q5", {"train_small": lambda s, c: train_small(s, [])})


# ---- more answers, straight against the checks -----------------------------------------
# MORE_ANSWERS (tests/answers/lesson03.py) run without the notebook's demonstrations: the
# setup cell once, then only the definitions (def, class, import) of the answer cell with the
# answer swapped in. The same assertions as the notebook-run fixtures below, at a fraction of
# their time.
import ast  # noqa: E402
import re  # noqa: E402

from answer_fixtures import answered_sources, cases  # noqa: E402
from answers.lesson03 import MORE_ANSWERS  # noqa: E402

from k2tf import notebooks  # noqa: E402


def _definitions(source: str):
    tree = ast.parse(source)
    tree.body = [node for node in tree.body if isinstance(
        node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))]
    return compile(tree, "<answer cell>", "exec")


@pytest.fixture(scope="module")
def solution_setup(keras):
    nb = notebooks.read(next((notebooks.REPO_ROOT / "solutions").glob("03_*.ipynb")))
    namespace: dict = {}
    setup = next(c for c in nb.cells if c.cell_type == "code")
    exec(compile(setup.source, "<setup cell>", "exec"), namespace)
    yield nb, namespace
    namespace["scratch"].cleanup()


@pytest.mark.parametrize("question_id, answer", cases(MORE_ANSWERS))
def test_more_answers(solution_setup, question_id, answer, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an answer that writes to the working folder writes here
    nb, setup = solution_setup
    namespace = dict(setup)
    for source in answered_sources(nb, {question_id: answer.code}).values():
        exec(_definitions(source), namespace)
    if answer.honest:
        try:
            run_check(question_id, namespace)
        except CheckFailed as failure:
            pytest.fail(f"an honest answer ({answer.why}) was refused:\n{failure}")
    else:
        with pytest.raises(CheckFailed) as failure:
            run_check(question_id, namespace)
        assert re.search(answer.match, str(failure.value)), \
            f"refused, but not for the expected reason /{answer.match}/:\n{failure.value}"
        assert "Hint:" in str(failure.value)


from answer_fixtures import fixture_tests  # noqa: E402
from answers.lesson03 import ANSWERS  # noqa: E402

# The checks of 03.q2-q9 drive the answer with probes of their own and only read the names it
# defines: the solution's cells before each question (its demo fits) run once for its answers.
test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell = \
    fixture_tests("03", ANSWERS, share_prefix=("03.q2", "03.q3", "03.q4", "03.q5", "03.q6",
                                        "03.q7", "03.q8", "03.q9"))
