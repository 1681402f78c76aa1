"""Every exercise, with every answer of its solution pasted in, earns full marks from `k2tf grade`.

The grader runs checks from a private copy of the `k2tf` package, so a check that compares
a student's object with a class of the course (lesson 11's `Situation`) must accept the class
as students import it: this test once caught 11.q5 failing every correct answer under the
grader while it passed in the notebook. Its own file, so xdist runs it beside test_grading.py.
"""
from __future__ import annotations

import csv
import subprocess
import sys

import grading_fixtures as fx
from k2tf.grading.submissions import course_exercises
from test_grading import _environment

EXERCISES = course_exercises(fx.REPO)


def test_every_exercise_fully_answered_earns_full_marks(tmp_path):
    subs, out = tmp_path / "submissions", tmp_path / "grades"
    for name in EXERCISES:
        path = subs / "student" / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fx.text(fx.answered(name)), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "k2tf", "grade", str(subs), "--out", str(out),
                           "--jobs", "2"], capture_output=True, text=True, env=_environment(),
                          cwd=fx.REPO, timeout=1200)
    assert done.returncode == 0, done.stderr[-2000:]
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["exercise"] for r in rows} == set(EXERCISES)
    lost = [f"{r['question']}: {r['message']}" for r in rows if r["points"] != r["max_points"]]
    assert not lost, "\n".join(lost)
