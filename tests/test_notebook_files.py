"""What the stored notebooks contain: the shape of every lesson, the course kernel, normalised
JSON, and no output a student should never see (log lines, stderr, machine paths)."""
from __future__ import annotations

import json
import re

import pytest

from k2tf import notebooks
from k2tf.release import make_exercise

REPO = notebooks.REPO_ROOT
LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((REPO / "solutions").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((REPO / "exercises").glob("[0-9][0-9]_*.ipynb"))
ALL = LESSONS + SOLUTIONS + EXERCISES

# What must never appear in a stored output.
TF_LOG_LINE = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ \S+\.(cc|h):\d+\]", re.M)
NOISE = re.compile(r"absl::InitializeLog|oneDNN custom operations|cuda drivers|cuDNN|"
                   r"computation placer|TF_ENABLE_ONEDNN_OPTS|rebuild TensorFlow", re.I)
MACHINE_PATH = re.compile(r"(/root/|/home/\w|/Users/\w|/tmp/|/work/|site-packages|\.venv|"
                          r"[A-Z]:\\\\)")
TIMING = re.compile(r"\b\d+(\.\d+)?\s?(ms|µs|us)/step\b|\bETA\b")


def _id(path):
    return f"{path.parent.name}/{path.name}"


def output_texts(nb):
    """(cell id, output kind, text) for every text-like part of every stored output."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            kind = output["output_type"]
            if kind == "stream":
                yield cell.id, f"stream:{output['name']}", output["text"]
            elif kind == "error":
                yield cell.id, "error", "\n".join([output["ename"], output["evalue"], *output["traceback"]])
            else:
                for mime, data in output.get("data", {}).items():
                    if mime.startswith("text/") or mime.endswith("json"):
                        yield cell.id, mime, data if isinstance(data, str) else json.dumps(data)


def test_every_lesson_has_its_solution_and_exercise():
    lessons = {p.name for p in LESSONS}
    assert lessons, "no lesson found"
    assert {p.name for p in SOLUTIONS} == lessons
    assert {p.name for p in EXERCISES} == lessons
    for path in ALL:
        assert notebooks.NOTEBOOK_NAME.match(path.name), f"{_id(path)}: name must be NN_topic.ipynb"


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_opens_on_the_course_kernel_and_is_normalised(path):
    nb = notebooks.read(path)
    assert nb.metadata.kernelspec.name == notebooks.KERNEL_NAME, "JupyterLab would ask for a kernel"
    assert "version" not in nb.metadata.get("language_info", {}), "machine-specific metadata"
    assert path.read_text(encoding="utf-8") == notebooks.dumps(notebooks.normalize(nb)), \
        f"{_id(path)} is not normalised: run `k2tf format`"


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=_id)
def test_stored_outputs_are_clean(path):
    nb = notebooks.read(path)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code_cells), f"{_id(path)}: store outputs with `make outputs`"
    for cell_id, kind, text in output_texts(nb):
        where = f"{_id(path)} cell {cell_id} ({kind})"
        assert kind != "stream:stderr", f"{where}: stderr output: {text[:200]!r}"
        assert kind != "error", f"{where}: stored error: {text[:200]!r}"
        assert not TF_LOG_LINE.search(text) and not NOISE.search(text), f"{where}: log line: {text[:200]!r}"
        assert not MACHINE_PATH.search(text), f"{where}: machine path: {MACHINE_PATH.search(text)[0]!r}"
        assert not TIMING.search(text), f"{where}: a timing that changes on every run"


@pytest.mark.parametrize("path", EXERCISES, ids=_id)
def test_exercises_store_no_outputs(path):
    nb = notebooks.read(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"cell {cell.id} has output"


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=_id)
def test_lesson_shape(path):
    """Title and goal, what you will learn (lessons), setup with every import, summary, next."""
    nb = notebooks.read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "an H1 title first"
    assert "**Goal:**" in first.source, "a one-line goal under the title"
    h1 = [c for c in nb.cells if c.cell_type == "markdown" and re.match(r"^# ", c.source, re.M)]
    assert len(h1) == 1, "exactly one H1 title"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source.startswith("import k2tf\nk2tf.setup()"), "the first code cell sets up"
    for cell in code[1:]:
        assert not re.search(r"^(import|from) \S+", cell.source, re.M), \
            f"cell {cell.id}: imports belong in the setup cell"
    headings = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    if path.parent.name == "notebooks":
        for heading in ("## What you will learn", "## Setup", "## Summary", "## Next"):
            assert heading in headings, f"missing section {heading!r}"
        assert f"exercises/{path.name}" in headings, "the lesson points to its exercise"


@pytest.mark.parametrize("path", SOLUTIONS, ids=_id)
def test_solution_checks_store_their_pass_line(path):
    """The stored output of each check cell is what the grader compares against."""
    nb = notebooks.read(path)
    checks = [c for c in nb.cells if "check" in c.metadata.get("k2tf", {})]
    assert checks
    for cell in checks:
        meta = cell.metadata.k2tf
        expected = f"✓ {meta.check} passed — {meta.points}/{meta.points} points\n"
        assert [(o.output_type, o.get("text")) for o in cell.outputs] == [("stream", expected)]


@pytest.mark.parametrize("path", SOLUTIONS, ids=_id)
def test_exercise_is_the_release_of_its_solution(path):
    exercise = REPO / "exercises" / path.name
    made = notebooks.dumps(make_exercise(notebooks.read(path), path.name))
    assert exercise.read_text(encoding="utf-8") == made, "run `k2tf release`"
    solution_ids = [c.id for c in notebooks.read(path).cells]
    assert [c.id for c in notebooks.read(exercise).cells] == solution_ids, "cell ids must match"


@pytest.mark.parametrize("path", SOLUTIONS, ids=_id)
def test_every_objective_is_graded(path):
    """At least 2 questions for the warm-up, 3 for a lesson, each graded by a registered check."""
    from k2tf.checks import all_questions

    lesson = path.name[:2]
    nb = notebooks.read(path)
    ids = [c.metadata.k2tf.check for c in nb.cells if "check" in c.metadata.get("k2tf", {})]
    assert len(ids) >= (2 if lesson == "00" else 3)
    assert ids == [q.id for q in all_questions(lesson)], "every registered question has a check cell"
