"""`k2tf release`: exercises generated from solutions, and the lint that keeps the format."""
from __future__ import annotations

import shutil
import subprocess

import nbformat
import pytest

from k2tf import notebooks
from k2tf.release import ReleaseError, lint, make_exercise, release, replace_solution_regions


def test_region_becomes_prompt_and_placeholder_keeping_indentation():
    source = ("def f(x):\n    ### BEGIN SOLUTION  double it\n    y = 2 * x\n    return y\n"
              "    ### END SOLUTION\n\nprint(f(2))")
    assert replace_solution_regions(source, "03.q1", "t") == (
        'def f(x):\n    # YOUR ANSWER to 03.q1: double it\n    raise k2tf.NotAnswered("03.q1")\n'
        "\nprint(f(2))")


def test_two_regions_in_one_cell():
    source = "### BEGIN SOLUTION\na = 1\n### END SOLUTION\nx = 0\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION"
    out = replace_solution_regions(source, "03.q2", "t")
    assert out.count("raise k2tf.NotAnswered") == 2 and "x = 0" in out and "a = 1" not in out


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\na = 1", "never closed"),
    ("a = 1\n### END SOLUTION", "without BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
])
def test_broken_regions_are_reported(source, message):
    with pytest.raises(ReleaseError, match=message):
        replace_solution_regions(source, "03.q1", "cell 4")


def _solution():
    return notebooks.read(notebooks.REPO_ROOT / "solutions" / "00_welcome.ipynb")


def test_exercise_keeps_ids_locks_checks_and_drops_answers_and_outputs():
    solution = _solution()
    exercise = make_exercise(solution, "00_welcome.ipynb")
    assert [c.id for c in exercise.cells] == [c.id for c in solution.cells]
    assert exercise.metadata.k2tf == {"kind": "exercise", "exercise": "00_welcome", "lesson": "00",
                                      "questions": {"00.q1": 1, "00.q2": 2, "00.q3": 1, "00.q4": 1}}
    text = notebooks.dumps(exercise)
    assert "BEGIN SOLUTION" not in text and "* 9 / 5" not in text and "tf.constant([[1.0" not in text
    for cell in exercise.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        if "check" in cell.metadata.get("k2tf", {}):
            assert cell.metadata.editable is False and cell.metadata.deletable is False


@pytest.mark.parametrize("break_it, message", [
    (lambda nb: nb.cells.remove(next(c for c in nb.cells if c.metadata.get("k2tf", {}).get("check") == "00.q2")),
     "00.q2 has no check cell"),
    (lambda nb: next(c for c in nb.cells if c.metadata.get("k2tf", {}).get("check") == "00.q1")
     .metadata.k2tf.update(points=3), "match"),
    (lambda nb: next(c for c in nb.cells if c.metadata.get("k2tf", {}).get("check") == "00.q1")
     .metadata.update(editable=True), "locked"),
    (lambda nb: next(c for c in nb.cells if c.metadata.get("k2tf", {}).get("answer") == "00.q1")
     .metadata.pop("k2tf"), "outside an answer cell"),
    (lambda nb: nb.metadata.kernelspec.update(name="python3"), "course kernel"),
    (lambda nb: nb.cells.append(nbformat.v4.new_code_cell("x", id=nb.cells[0].id)), "unique"),
])
def test_lint_names_each_mistake(break_it, message):
    nb = _solution()
    break_it(nb)
    with pytest.raises(ReleaseError, match=message):
        lint(nb, "00_welcome.ipynb")


def test_questions_must_belong_to_their_lesson():
    with pytest.raises(ReleaseError, match="does not belong to lesson 07"):
        lint(_solution(), "07_welcome.ipynb")


@pytest.fixture
def course_copy(tmp_path):
    root = tmp_path / "course"
    for folder in ("solutions", "exercises"):
        shutil.copytree(notebooks.REPO_ROOT / folder, root / folder)
    return root


def test_release_check_notices_a_stale_exercise_and_release_fixes_it(course_copy, venv_bin):
    k2tf = str(venv_bin / "k2tf")
    ok = subprocess.run([k2tf, "release", "--check", "--root", str(course_copy)],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    solution = course_copy / "solutions" / "00_welcome.ipynb"
    nb = notebooks.read(solution)
    nb.cells[0].source += "\n\nA new sentence in the solution."
    notebooks.write(nb, solution)
    stale = subprocess.run([k2tf, "release", "--check", "--root", str(course_copy)],
                           capture_output=True, text=True)
    assert stale.returncode == 1 and "out of date: exercises/00_welcome.ipynb" in stale.stderr
    fixed = subprocess.run([k2tf, "release", "--root", str(course_copy)], capture_output=True, text=True)
    assert fixed.returncode == 0 and "wrote exercises/00_welcome.ipynb" in fixed.stdout
    assert release(course_copy, check_only=True).stale == []


def test_release_check_of_the_repository_passes(repo, venv_bin):
    result = subprocess.run([str(venv_bin / "k2tf"), "release", "--check", "--root", str(repo)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_release_refuses_a_broken_solution_and_writes_nothing(course_copy, venv_bin):
    solution = course_copy / "solutions" / "00_welcome.ipynb"
    solution.write_text(solution.read_text().replace("### END SOLUTION", "", 1))
    before = (course_copy / "exercises" / "00_welcome.ipynb").read_text()
    result = subprocess.run([str(venv_bin / "k2tf"), "release", "--root", str(course_copy)],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "never closed" in result.stderr
    assert (course_copy / "exercises" / "00_welcome.ipynb").read_text() == before
