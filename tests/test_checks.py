"""The check API and the course's question checks, called directly (no notebook)."""
from __future__ import annotations

import re

import numpy as np
import pytest

import k2tf
from k2tf.checks import CheckFailed, Fail, NotAnswered, all_questions, get_question, run_check
from k2tf.checks.expect import as_array, as_number, close


class AlwaysEqual:
    """A cheat: claims to equal anything."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


def test_pass_line_is_one_deterministic_line():
    ns = {"celsius_to_fahrenheit": lambda c: c * 9 / 5 + 32}
    assert run_check("00.q1", ns) == "✓ 00.q1 passed — 1/1 points"
    assert run_check("00.q1", ns, points=1) == "✓ 00.q1 passed — 1/1 points"


def test_check_prints_the_pass_line(capsys):
    def celsius_to_fahrenheit(c):
        return c * 1.8 + 32

    globals()["celsius_to_fahrenheit"] = celsius_to_fahrenheit
    try:
        k2tf.check("00.q1", points=1)
    finally:
        del globals()["celsius_to_fahrenheit"]
    assert capsys.readouterr().out == "✓ 00.q1 passed — 1/1 points\n"


def test_missing_name_says_not_defined_with_a_hint():
    with pytest.raises(CheckFailed) as info:
        run_check("00.q1", {})
    text = str(info.value)
    assert text.startswith("✗ 00.q1 failed — 0/1 points")
    assert "`celsius_to_fahrenheit` is not defined yet" in text and "Hint:" in text
    assert info.value._render_traceback_() == text.splitlines()


def test_placeholder_counts_as_not_answered():
    def celsius_to_fahrenheit(c):
        raise NotAnswered("00.q1")

    with pytest.raises(CheckFailed, match="not answered yet"):
        run_check("00.q1", {"celsius_to_fahrenheit": celsius_to_fahrenheit})


def test_students_exception_is_reported_briefly():
    with pytest.raises(CheckFailed, match=r"raised ZeroDivisionError: division by zero"):
        run_check("00.q1", {"celsius_to_fahrenheit": lambda c: 1 / 0})


def test_wrong_points_in_a_check_cell_is_a_course_error():
    with pytest.raises(ValueError, match="says 5 points"):
        run_check("00.q1", {"celsius_to_fahrenheit": lambda c: c}, points=5)


def test_an_object_equal_to_everything_passes_nothing():
    with pytest.raises(CheckFailed, match="AlwaysEqual"):
        run_check("00.q1", {"celsius_to_fahrenheit": lambda c: AlwaysEqual()})
    with pytest.raises(CheckFailed):
        run_check("00.q2", {"first_tensor": AlwaysEqual()})
    with pytest.raises(CheckFailed):
        run_check("00.q3", {"dense_parameter_count": lambda a, b: AlwaysEqual()})
    for cheat in (AlwaysEqual(), np.array([AlwaysEqual()], dtype=object), "3.0", True):
        with pytest.raises(Fail):
            as_number(cheat, "x")


class Liar(np.ndarray):
    """A cheat: an array that answers every NumPy function (np.allclose, np.all...) with True."""

    def __array_function__(self, func, types, args, kwargs):
        return True

    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)


def test_an_array_subclass_that_lies_passes_nothing():
    wrong = lambda c: np.asarray(c, dtype=float).view(Liar)  # returns Celsius unchanged
    with pytest.raises(CheckFailed, match="wrong values"):
        run_check("00.q1", {"celsius_to_fahrenheit": wrong})
    with pytest.raises(CheckFailed):
        run_check("00.q3", {"dense_parameter_count": lambda a, b: np.asarray(0).view(Liar)})
    assert type(as_array(np.zeros(2).view(Liar), "x")) is np.ndarray


def test_a_hard_coded_result_fails_where_a_computation_is_asked_for():
    # Right for the example in lesson 00 (4 inputs, 3 units), wrong for any other size.
    with pytest.raises(CheckFailed, match="not the number of parameters"):
        run_check("00.q3", {"dense_parameter_count": lambda n_inputs, n_units: 15})
    # Right for single numbers only, with an `if` that NumPy cannot apply to arrays.
    def scalar_only(c):
        return c * 9 / 5 + 32 if c > -1000 else 0.0
    with pytest.raises(CheckFailed, match="array"):
        run_check("00.q1", {"celsius_to_fahrenheit": scalar_only})


def test_first_tensor_check_explains_each_mistake():
    import tensorflow as tf

    cases = {
        "NumPy": (np.arange(1, 7, dtype=np.float32).reshape(2, 3), "tf.constant"),
        "int": (tf.constant([[1, 2, 3], [4, 5, 6]]), "float32 was expected"),
        "shape": (tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), "(2, 3) was expected"),
        "values": (tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]]), "wrong values"),
        "variable": (tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), "tf.Variable"),
    }
    for name, (value, message) in cases.items():
        with pytest.raises(CheckFailed, match=re.escape(message)):
            run_check("00.q2", {"first_tensor": value})
    assert "passed" in run_check("00.q2", {"first_tensor": tf.constant([[1.0, 2, 3], [4, 5, 6]])})


def test_expect_helpers_accept_real_numbers_only():
    import tensorflow as tf

    assert as_number(tf.constant(2.5), "x") == 2.5
    assert as_number(np.float32(1.5), "x") == 1.5
    assert as_array([[1, 2], [3, 4]], "x").shape == (2, 2)
    close(tf.constant([1.0, 2.0]), [1.0, 2.0], "x")
    with pytest.raises(Fail, match="NaN"):
        close(np.array([np.nan]), [1.0], "x")
    with pytest.raises(Fail, match="shape"):
        close(np.ones(3), np.ones(2), "x")


def test_registry_lists_each_lesson_in_order():
    ids = [q.id for q in all_questions()]
    assert ids[:3] == ["00.q1", "00.q2", "00.q3"]
    for lesson in sorted({q.id[:2] for q in all_questions()}):
        ids = [q.id for q in all_questions(lesson)]
        assert ids == [f"{lesson}.q{i}" for i in range(1, len(ids) + 1)], "numbered from q1, in order"
    assert all(q.checks and q.points >= 1 for q in all_questions())
    with pytest.raises(KeyError, match="no question 00.q9"):
        get_question("00.q9")
    with pytest.raises(ValueError):
        get_question("q1")


@pytest.fixture(scope="module")
def trained():
    """A model trained the way exercise 01's solution does, and its history (a few seconds)."""
    import keras

    from k2tf.data import load_digits

    k2tf.setup(quiet=False)
    digits = load_digits()
    model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(*digits.train, validation_data=tuple(digits.validation), epochs=12,
                        verbose=0)
    return model, history, digits


def test_lesson01_checks_pass_honest_answers_and_fail_shortcuts(trained):
    import keras

    model, history, digits = trained
    x_test, y_test = digits.test
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    ns = {"model": model, "history": history, "test_accuracy": accuracy,
          "predict_digits": lambda images: model.predict(images, verbose=0).argmax(axis=1)}
    for q in ("01.q1", "01.q2", "01.q3", "01.q4"):
        assert "passed" in run_check(q, ns)

    # a plausible accuracy typed in by hand
    with pytest.raises(CheckFailed, match="not the accuracy"):
        run_check("01.q3", {**ns, "test_accuracy": 0.97 if abs(accuracy - 0.97) > 1e-3 else 0.9})
    # predictions as floats, or of the wrong shape
    with pytest.raises(CheckFailed, match="non-integer"):
        run_check("01.q4", {**ns, "predict_digits": lambda im: model.predict(im, verbose=0).argmax(1) * 1.0})
    with pytest.raises(CheckFailed, match="shape"):
        run_check("01.q4", {**ns, "predict_digits": lambda im: model.predict(im, verbose=0)})
    # a history of another (untrained) model
    other = keras.models.clone_model(model)
    with pytest.raises(CheckFailed, match="another model"):
        run_check("01.q2", {**ns, "model": other})
    # a model with no hidden layer, or without softmax
    flat = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(CheckFailed, match="hidden layer"):
        run_check("01.q1", {"model": flat})
    logits = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(8, activation="relu"),
                               keras.layers.Dense(10)])
    with pytest.raises(CheckFailed, match="probabilities"):
        run_check("01.q1", {"model": logits})


def test_lesson01_plot_check_needs_the_plotted_numbers_and_labels():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def good(history):
        fig, ax = plt.subplots()
        ax.plot(history.history["loss"], label="training")
        ax.plot(history.history["val_loss"], label="validation")
        ax.set(title="Loss", xlabel="epoch", ylabel="loss")
        ax.legend()
        return fig

    def no_labels(history):
        fig = good(history)
        fig.axes[0].set_xlabel("")
        return fig

    def fixed_numbers(history):  # draws a curve that looks right but ignores its argument
        fig, ax = plt.subplots()
        ax.plot([2.3, 1.0, 0.5, 0.3], label="training")
        ax.set(title="Loss", xlabel="epoch", ylabel="loss")
        ax.legend()
        return fig

    before = plt.get_fignums()
    assert "passed" in run_check("01.q5", {"plot_curves": good})
    with pytest.raises(CheckFailed, match="axis"):
        run_check("01.q5", {"plot_curves": no_labels})
    with pytest.raises(CheckFailed, match="no line showing"):
        run_check("01.q5", {"plot_curves": fixed_numbers})
    assert plt.get_fignums() == before, "the check closes the figures it made"


def test_course_kinds_is_the_class_itself_outside_the_grader():
    from k2tf.checks.expect import course_kinds
    from k2tf.decision_guide import Situation

    assert course_kinds(Situation) == (Situation,)
    assert course_kinds((int, Situation)) == (int, Situation)


def _assigned_names(source: str) -> set[str]:
    """Names a cell binds at its top level (assignments, defs, classes, imports, for, with)."""
    import ast

    names: set[str] = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return names
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def test_every_question_says_what_it_fixes_checks_and_defines():
    """`k2tf questions --detail` has something to show for every question, and each name a
    question says it defines is bound by that question's answer cells in the solution."""
    from k2tf import notebooks

    answer_sources: dict[str, str] = {}
    for path in sorted((notebooks.REPO_ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")):
        for cell in notebooks.read(path).cells:
            qid = cell.metadata.get("k2tf", {}).get("answer")
            if qid:
                answer_sources[qid] = answer_sources.get(qid, "") + "\n" + cell.source
    problems = []
    for q in all_questions():
        if not q.fixed.strip():
            problems.append(f"{q.id}: no `fixed=` (what the question text fixes)")
        if not q.verifies:
            problems.append(f"{q.id}: no `verifies=` (what the check tests)")
        if not q.defines:
            problems.append(f"{q.id}: no `defines=` (the names its answer creates)")
        missing = set(q.defines) - _assigned_names(answer_sources.get(q.id, ""))
        if missing:
            problems.append(f"{q.id}: defines {sorted(missing)}, which its answer cells never bind")
    assert not problems, "\n".join(problems)


def test_questions_detail_lists_fixed_and_checked(venv_bin):
    import subprocess

    done = subprocess.run([str(venv_bin / "k2tf"), "questions", "00", "--detail"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("00.q1   1 pt  celsius_to_fahrenheit converts")
    assert any(line.strip().startswith("fixed:   the name celsius_to_fahrenheit") for line in lines)
    assert sum(line.strip().startswith("checks:") for line in lines) >= 3
    assert any(line.strip() == "defines: first_tensor" for line in lines)


def test_an_unanswered_prerequisite_is_named():
    """A blank hand-in: a check that reads a name of an earlier question says which question
    to answer first, not that a variable is missing."""
    with pytest.raises(CheckFailed) as info:
        run_check("01.q3", {})
    text = str(info.value)
    assert "01.q1 defines it" in text and "01.q3 cannot be checked" in text
    assert "Hint: answer 01.q1 first" in text



def test_a_placeholder_of_an_earlier_question_is_named():
    """A check that calls a function of an earlier, unanswered question says so."""
    from k2tf import checks

    @checks.question("98.q2", points=1, checks="calls 98.q1's function", defines=("g",),
                     fixed="-", verifies=("-",))
    def _later(answers):
        answers.call("f", 1)

    def f(x):
        raise NotAnswered("98.q1")

    try:
        with pytest.raises(CheckFailed) as info:
            run_check("98.q2", {"f": f})
    finally:
        del checks._REGISTRY["98.q2"]
    assert "98.q1 is not answered yet, so 98.q2 cannot be checked." in str(info.value)
    assert "Hint: answer 98.q1 first" in str(info.value)
