"""`k2tf grade`, tested with submissions that pass, fail and cheat (tests/grading_fixtures.py).

The slow tests grade one batch of submissions with the real command (`--jobs 2`), then
assert each row. The fast tests check identification and the rebuilt notebook without a
kernel.
"""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

import grading_fixtures as fx
from k2tf.grading import rebuild as rebuild_module
from k2tf.grading.submissions import course_exercises, identify

REPO = fx.REPO
K2TF = [sys.executable, "-m", "k2tf"]
EXERCISES = course_exercises(REPO)
POINTS_01 = sum(fx._points(fx.solution("01_keras_in_ten_minutes")).values())  # 01.q1 alone is worth 2


def _write(folder: Path, relative: str, content) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(fx.text(content), encoding="utf-8")
    return path


def _environment() -> dict[str, str]:
    """The environment for the grader (module-scoped tests cannot use conftest's clean_env)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    return env


def _grade(*args, env=None, timeout=900):
    return subprocess.run([*K2TF, "grade", *map(str, args)], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=timeout)


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --- the batch --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    clean_env = _environment()
    root = tmp_path_factory.mktemp("grading")
    subs, out = root / "submissions", root / "grades"
    w = lambda rel, nb: _write(subs, rel, nb)  # noqa: E731
    w("solved/00_welcome.ipynb", fx.solution("00_welcome"))
    w("solved/01_keras_in_ten_minutes.ipynb", fx.solution("01_keras_in_ten_minutes"))
    w("blank/00_welcome.ipynb", fx.exercise("00_welcome"))
    w("partial/00_welcome.ipynb", fx.answered("00_welcome", {"00.q1", "00.q3"}))
    w("partial/01_keras_in_ten_minutes.ipynb", fx.answered("01_keras_in_ten_minutes", {"01.q1"}))
    w("loose.ipynb", fx.answered("00_welcome", {"00.q2"}))
    cheats = {"printcheck": fx.check_replaced_by_print(), "pasted": fx.pasted_outputs(),
              "deleted": fx.checks_deleted(), "markers": fx.markers_and_tags(),
              "customexc": fx.custom_exc(), "showtb": fx.showtraceback_replaced(),
              "patchcheck": fx.check_patched(), "patchrun": fx.run_check_patched(),
              "patchprint": fx.print_patched(), "alwayseq": fx.always_equal(),
              "extracheat": fx.extra_cells_exercise()}
    for student, nb in cheats.items():
        w(f"{student}/00_welcome.ipynb", nb)
    w("loop/00_welcome.ipynb", fx.endless_loop())
    w("bomb/00_welcome.ipynb", fx.memory_bomb())
    w("exits/00_welcome.ipynb", fx.exits())
    w("killer/00_welcome.ipynb", fx.kills_parent())
    w("writer/00_welcome.ipynb", fx.writes_output(str(out)))
    w("moved/00_welcome.ipynb", fx.reordered_solution())
    w("extra/00_welcome.ipynb", fx.extra_cells_solution())
    w("wronglesson/00_welcome.ipynb", fx.other_lesson_under_wrong_name())
    w("notjson/00_welcome.ipynb", "{ this is not json")
    w("notnotebook/00_welcome.ipynb", json.dumps({"hello": "world"}))
    w("empty/00_welcome.ipynb", "")
    w("notes.ipynb", nbformat.v4.new_notebook())
    # some of the same submissions graded from scratch into a folder of their own, by a run of
    # its own at the same time (nothing stored by one run is there for the other):
    # test_a_fresh_regrade_gives_the_same_files compares the two
    fresh_subs, fresh_out = root / "fresh-submissions", root / "fresh-grades"
    for student in FRESH:
        _write(fresh_subs, f"{student}/00_welcome.ipynb", (subs / student / "00_welcome.ipynb").read_bytes())
    fresh = subprocess.Popen([*K2TF, "grade", str(fresh_subs), "--out", str(fresh_out), "--jobs", "2",
                              "--timeout", "60", "--memory", "2048"], cwd=REPO, env=clean_env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    try:
        result = _grade(subs, "--out", out, "--jobs", 2, "--timeout", 60, "--memory", 2048,
                        env=clean_env)
        seconds = time.monotonic() - started
        fresh_stdout, fresh_stderr = fresh.communicate(timeout=600)
    finally:
        if fresh.poll() is None:
            fresh.kill()
            fresh.communicate()
    summary = {(r["student"], r["exercise"]): r for r in _rows(out / "summary.csv")}
    book = {(r["student"], r["exercise"], r["question"]): r for r in _rows(out / "gradebook.csv")}
    return {"result": result, "out": out, "subs": subs, "summary": summary, "book": book,
            "seconds": seconds, "env": clean_env,
            "fresh": {"result": subprocess.CompletedProcess(fresh.args, fresh.returncode, fresh_stdout,
                                                            fresh_stderr), "out": fresh_out}}


FRESH = ("solved", "blank", "partial", "printcheck")  # graded again from scratch, see the batch


def score(batch, student, exercise="00_welcome"):
    row = batch["summary"][(student, exercise)]
    return int(row["score"]), int(row["max_score"]), row["status"]




@pytest.mark.slow
def test_exit_status_table_and_files(batch):
    result = batch["result"]
    assert result.returncode == 1, result.stderr  # some files could not be graded at all
    assert "graded" in result.stderr and "student" in result.stdout
    assert len(batch["summary"]) == 29
    assert (batch["out"] / "feedback" / "solved__00_welcome.html").exists()


@pytest.mark.slow
def test_solutions_earn_full_marks_and_exercises_zero(batch):
    assert score(batch, "solved") == (5, 5, "graded")
    assert score(batch, "solved", "01_keras_in_ten_minutes") == (POINTS_01, POINTS_01, "graded")
    assert score(batch, "blank") == (0, 5, "graded")


@pytest.mark.slow
def test_partly_solved_earns_exactly_what_it_solved(batch):
    assert score(batch, "partial") == (2, 5, "graded")
    statuses = {q: batch["book"][("partial", "00_welcome", q)]["status"] for q in ("00.q1", "00.q2", "00.q3")}
    assert statuses == {"00.q1": "passed", "00.q2": "failed", "00.q3": "passed"}
    assert score(batch, "partial", "01_keras_in_ten_minutes") == (2, POINTS_01, "graded")
    assert score(batch, "loose") == (2, 5, "graded")  # a loose notebook: the student is its stem


@pytest.mark.slow
@pytest.mark.parametrize("student", ["printcheck", "pasted", "deleted", "markers", "customexc",
                                     "showtb", "patchcheck", "patchrun", "patchprint", "alwayseq",
                                     "extracheat"])
def test_cheats_earn_nothing(batch, student):
    assert score(batch, student) == (0, 5, "graded")


@pytest.mark.slow
def test_cheating_code_is_flagged_for_an_instructor(batch):
    for student in ("customexc", "showtb", "patchcheck"):
        assert "flagged" in batch["summary"][(student, "00_welcome")]["message"]


@pytest.mark.slow
def test_harmful_submissions_are_graded_and_harm_no_one(batch):
    book = batch["book"]
    q = lambda student, qid: book[(student, "00_welcome", qid)]  # noqa: E731
    # endless loop: stopped, reported as a timeout; the rest of the notebook still graded
    assert q("loop", "00.q2")["status"] == "timeout"
    assert score(batch, "loop") == (2, 5, "graded")
    # memory bomb: fails with MemoryError under the limit, the kernel survives
    assert q("bomb", "00.q2")["status"] in ("failed", "error")
    assert score(batch, "bomb")[0] == 2
    # os._exit: the kernel is gone; the questions after it are errors, what came before counts
    assert score(batch, "exits") == (1, 5, "graded")
    assert q("exits", "00.q2")["status"] == "error" and q("exits", "00.q3")["status"] == "error"
    # killing its parent: graded with what it had earned, the run went on
    assert score(batch, "killer")[0] == 1
    assert q("killer", "00.q3")["status"] == "error"
    # writing into the output folder: refused (the folder is hidden from the kernel)
    assert score(batch, "writer") == (2, 5, "graded")
    assert not (batch["out"] / "forged.txt").exists()
    assert "forged" not in (batch["out"] / "summary.csv").read_text()
    # the others in the same run are unaffected
    assert score(batch, "solved") == (5, 5, "graded")


@pytest.mark.slow
def test_bad_files_get_a_clear_line_and_the_run_goes_on(batch):
    s = batch["summary"]
    assert s[("notjson", "00_welcome")]["status"] == "error"
    assert s[("notjson", "00_welcome")]["max_score"] == "5"
    assert "not valid JSON" in s[("notjson", "00_welcome")]["message"]
    assert "not a Jupyter notebook" in s[("notnotebook", "00_welcome")]["message"]
    assert "empty" in s[("empty", "00_welcome")]["message"]
    wrong = s[("wronglesson", "01_keras_in_ten_minutes")]
    assert wrong["status"] == "error" and "named 00_welcome.ipynb" in wrong["message"]
    assert "not a course exercise" in s[("notes", "notes.ipynb")]["message"]


@pytest.mark.slow
def test_moved_and_added_cells_are_graded_in_the_exercise_order(batch):
    assert score(batch, "moved") == (5, 5, "graded")
    assert "moved" in batch["summary"][("moved", "00_welcome")]["message"]
    assert score(batch, "extra") == (5, 5, "graded")
    assert "of your own" in batch["summary"][("extra", "00_welcome")]["message"]


@pytest.mark.slow
def test_feedback_shows_messages_but_no_check_source_and_no_ansi(batch):
    for page in (batch["out"] / "feedback").glob("*.html"):
        content = page.read_text(encoding="utf-8")
        assert "\x1b[" not in content
        assert "run_check" not in content and "answers.call" not in content
        assert "_k2tf_grader" not in content
    blank = (batch["out"] / "feedback" / "blank__00_welcome.html").read_text(encoding="utf-8")
    assert "00.q1 is not answered yet" in blank and "0/5" in blank
    assert "✗" in batch["book"][("blank", "00_welcome", "00.q2")]["message"]


@pytest.mark.slow
def test_grading_again_gives_the_same_files(batch):
    out = batch["out"]
    before = {p: p.read_bytes() for p in [out / "gradebook.csv", out / "summary.csv",
                                          *sorted((out / "feedback").glob("*.html"))]}
    again = _grade(batch["subs"], "--out", out, "--jobs", 2, "--timeout", 60, "--memory", 2048,
                   env=batch["env"], timeout=600)  # 2 busy cores
    assert again.returncode == 1
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.slow
def test_a_fresh_regrade_gives_the_same_files(batch):
    """Not from stored results: the same submissions graded from scratch into a new folder (by a
    run of their own, beside the batch's)."""
    again, out = batch["fresh"]["result"], batch["fresh"]["out"]
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in (out / ".results").iterdir()) == \
        sorted(f"{student}__00_welcome.json" for student in FRESH)
    for student in FRESH:
        fresh = {r["question"]: r for r in _rows(out / "gradebook.csv") if r["student"] == student}
        first = {q: r for (s, e, q), r in batch["book"].items() if s == student and e == "00_welcome"}
        assert fresh == first
        row = next(r for r in _rows(out / "summary.csv") if r["student"] == student)
        old = batch["summary"][(student, "00_welcome")]
        assert {k: v for k, v in row.items() if k != "graded_at"} == \
            {k: v for k, v in old.items() if k != "graded_at"}
        page = f"{student}__00_welcome.html"
        assert (out / "feedback" / page).read_bytes() == (batch["out"] / "feedback" / page).read_bytes()


# --- hidden checks and resuming an interrupted run ----------------------------------------

HIDDEN = '''
import numpy as np
from k2tf.grading.hidden import Fail, expect, hidden


@hidden("00.q1", points=1, checks="converts a 2-D grid of temperatures")
def grid(answers):
    got = answers.call("celsius_to_fahrenheit", np.zeros((3, 4)))
    expect.close(got, np.full((3, 4), 32.0), "celsius_to_fahrenheit(grid)")
    SECRET_HIDDEN_SOURCE_MARKER = 1
'''


@pytest.mark.slow
def test_hidden_checks_count_and_interrupted_runs_resume(tmp_path, clean_env):
    subs, out, hidden = tmp_path / "subs", tmp_path / "grades", tmp_path / "hidden"
    _write(hidden, "lesson00.py", HIDDEN)
    _write(subs, "a/00_welcome.ipynb", fx.solution("00_welcome"))
    _write(subs, "b/00_welcome.ipynb", fx.exercise("00_welcome"))
    _write(subs, "c/00_welcome.ipynb", fx.answered("00_welcome", {"00.q1"}))
    command = [*K2TF, "grade", str(subs), "--out", str(out), "--hidden", str(hidden), "--jobs", "1"]
    process = subprocess.Popen(command, cwd=REPO, env=clean_env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # stop it hard once the first submission is written
        if (out / "summary.csv").exists() and len(_rows(out / "summary.csv")) >= 1:
            break
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    first = _rows(out / "summary.csv")
    assert 1 <= len(first) < 3
    finished = subprocess.run(command, cwd=REPO, env=clean_env, capture_output=True, text=True,
                              timeout=300)
    assert finished.returncode == 0, finished.stderr
    summary = {r["student"]: r for r in _rows(out / "summary.csv")}
    assert (int(summary["a"]["score"]), int(summary["a"]["max_score"])) == (6, 6)
    assert (int(summary["b"]["score"]), int(summary["b"]["max_score"])) == (0, 6)
    assert (int(summary["c"]["score"]), int(summary["c"]["max_score"])) == (2, 6)
    for row in first:  # what was written before the interruption was kept as it was
        assert summary[row["student"]] == row
    for page in (out / "feedback").glob("*.html"):
        assert "SECRET_HIDDEN_SOURCE_MARKER" not in page.read_text(encoding="utf-8")


def test_bad_usage_exits_2(tmp_path, clean_env):
    assert _grade(tmp_path / "missing", env=clean_env, timeout=60).returncode == 2
    assert _grade(tmp_path, env=clean_env, timeout=60).returncode == 2  # nothing to grade
    assert _grade(tmp_path, "--jobs", "0", env=clean_env, timeout=60).returncode == 2


# --- without a kernel ---------------------------------------------------------------------

def test_identifies_exercise_from_metadata_then_file_name(tmp_path):
    loose = _write(tmp_path, "dana.ipynb", fx.exercise("01_keras_in_ten_minutes"))
    s = identify(loose, EXERCISES)
    assert (s.student, s.exercise, s.problem) == ("dana", "01_keras_in_ten_minutes", None)
    solution = _write(tmp_path, "eve/00_welcome.ipynb", fx.solution("00_welcome"))
    s = identify(solution, EXERCISES)
    assert (s.student, s.exercise, s.problem) == ("eve", "00_welcome", None)
    stranger = _write(tmp_path, "frank.ipynb", nbformat.v4.new_notebook())
    assert "not a course exercise" in identify(stranger, EXERCISES).problem


def test_rebuilt_notebook_takes_only_answers_from_the_submission():
    nb = fx.markers_and_tags()
    fx.prepend(nb, "00.q1", "x = 1")
    rebuilt = rebuild_module.rebuild(fx.solution("00_welcome"), "00_welcome", nb,
                                     private_name="_k2tf_grader_test")
    cells = rebuilt.notebook.cells
    assert cells[0].metadata["k2tf_grader"]["role"] == "guard"
    solution_checks = [c for c in fx.solution("00_welcome").cells if "check" in c.metadata.get("k2tf", {})]
    checks = [c for c in cells if c.metadata["k2tf_grader"]["role"] == "check"]
    assert [c.outputs for c in checks] == [c.outputs for c in solution_checks]
    assert all("_k2tf_grader_test" in c.source for c in checks)
    for cell in cells:
        assert "tags" not in cell.metadata
        assert "NBVAL" not in cell.source
        if cell.metadata["k2tf_grader"]["role"] != "check":
            assert cell.outputs == [] and cell.execution_count is None
    answer = next(c for c in cells if c.metadata["k2tf_grader"].get("question") == "00.q1"
                  and c.metadata["k2tf_grader"]["role"] == "answer")
    assert answer.source.startswith("x = 1")


def test_answer_regions_are_found_between_the_fixed_lines():
    solution = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\nprint(f(1))"
    student = "def f(x):\n    y = x + 1\n    return y\nprint(f(1))"
    assert rebuild_module.answer_source(solution, student) == (student, True)
    edited = "def g(x):\n    return x\nprint(g(1))"
    assert rebuild_module.answer_source(solution, edited) == (edited, False)
