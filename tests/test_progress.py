"""`k2tf progress`: a student's own saved exercises, graded as `k2tf grade` grades them.

Every test works on a scratch copy of the course (solutions/ and exercises/ under tmp_path),
never on the repository's exercises/.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import grading_fixtures as fx
from k2tf.progress import (ERROR, GRADED, KEPT, NOT_STARTED, SAVE_REMINDER, STORE, answered_questions,
                           format_progress, progress)

REPO = fx.REPO
WELCOME = "00_welcome"


@pytest.fixture
def course(tmp_path) -> Path:
    """A fresh clone's course: the released exercises, untouched."""
    root = tmp_path / "course"
    for folder in ("solutions", "exercises"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def _save(course: Path, nb) -> Path:
    path = course / "exercises" / f"{WELCOME}.ipynb"
    path.write_text(fx.text(nb), encoding="utf-8")
    return path


def _wrong_q1(nb):
    cell = fx._answer(nb, "00.q1")
    cell.source = "def celsius_to_fahrenheit(celsius):\n    return celsius * 2\n"
    return nb


def _by_name(rows):
    return {r.exercise: r for r in rows}


def test_a_fresh_clone_shows_every_exercise_not_started_without_grading(course):
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "k2tf", "progress", "--root", str(course)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    rows = progress(course)
    assert [r.exercise for r in rows] == [p.stem for p in sorted((course / "solutions").glob("*.ipynb"))]
    assert len(rows) == 12 and all(r.state == NOT_STARTED for r in rows)
    assert all(not q.answered and not q.passed for r in rows for q in r.questions)
    assert sum(1 for line in lines if line.endswith("not started")) == 12
    assert SAVE_REMINDER in result.stdout, "the reminder to save is always printed"
    assert str(course) not in result.stdout
    assert not (course / STORE).exists(), "nothing was graded, so nothing was kept"
    assert "grading" not in result.stderr
    # instant: no kernel was started (a graded exercise takes tens of seconds)
    assert time.monotonic() - started < 60


def test_answered_detection_follows_the_answer_cells(course):
    solution = fx.solution(WELCOME)
    assert answered_questions(fx.exercise(WELCOME), solution) == set()
    assert answered_questions(fx.answered(WELCOME, {"00.q2"}), solution) == {"00.q2"}
    assert answered_questions(_wrong_q1(fx.exercise(WELCOME)), solution) == {"00.q1"}


def test_answers_pass_then_are_kept_then_a_saved_change_is_regraded(course):
    path = _save(course, fx.answered(WELCOME))
    err = io.StringIO()
    first = _by_name(progress(course, stream_err=err))[WELCOME]
    assert first.state == GRADED and "grading exercises/00_welcome.ipynb" in err.getvalue()
    assert first.questions and all(q.answered and q.passed for q in first.questions)
    assert first.points == first.max_points == sum(fx._points(fx.solution(WELCOME)).values())
    others = [r for r in progress(course) if r.exercise != WELCOME]
    assert all(r.state == NOT_STARTED for r in others)

    kept_file = course / STORE / ".results" / f"you__{WELCOME}.json"
    assert kept_file.is_file()
    before = kept_file.stat().st_mtime_ns
    err = io.StringIO()
    second = _by_name(progress(course, stream_err=err))[WELCOME]
    assert second.state == KEPT, "the same saved bytes: the kept result, no grading run"
    assert err.getvalue() == "" and kept_file.stat().st_mtime_ns == before
    assert [(q.question, q.passed) for q in second.questions] == [(q.question, q.passed) for q in first.questions]

    _save(course, _wrong_q1(fx.answered(WELCOME)))  # the student changes q1 and saves
    assert path.read_bytes() != b""
    third = _by_name(progress(course, stream_err=io.StringIO()))[WELCOME]
    assert third.state == GRADED, "a changed file is graded again"
    q = {x.question: x for x in third.questions}
    assert q["00.q1"].answered and not q["00.q1"].passed and q["00.q1"].points == 0
    assert "wrong values" in q["00.q1"].message
    assert all(x.passed for k, x in q.items() if k != "00.q1")
    assert third.points == first.points - q["00.q1"].max_points


def test_a_wrong_answer_fails_and_unanswered_questions_stay_unanswered(course):
    _save(course, _wrong_q1(fx.exercise(WELCOME)))
    row = _by_name(progress(course, stream_err=io.StringIO()))[WELCOME]
    assert row.state == GRADED
    q = {x.question: x for x in row.questions}
    assert q["00.q1"].answered and not q["00.q1"].passed
    assert all(not x.answered and not x.passed for k, x in q.items() if k != "00.q1")
    assert row.points == 0
    table = format_progress(rows := progress(course), details=True)
    assert rows[0].state == KEPT
    line = next(x for x in table.splitlines() if x.startswith(WELCOME))
    assert line.split()[1:] == [f"0/{row.max_points}", "✗q1", "·q2", "·q3", "·q4"]
    assert "Hint:" in table and SAVE_REMINDER in table


def test_a_file_that_is_not_a_notebook_is_an_error_not_a_crash(course):
    (course / "exercises" / f"{WELCOME}.ipynb").write_text('{"cells": [', encoding="utf-8")
    row = _by_name(progress(course, stream_err=io.StringIO()))[WELCOME]
    assert row.state == ERROR and "not valid JSON" in row.message
    assert "not graded" in format_progress([row])
