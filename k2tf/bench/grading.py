"""Benchmarks 2 and 4a: ``k2tf grade`` against plain execution, its ``--jobs``, and class size.

The submissions are made from the course's own exercises, as students hand them in: the
exercise with the solution's answers pasted into every answer cell ("full"), or into the first
half of them, the rest left unanswered ("half"). Two per exercise gives a batch of 24 that
spans the whole course.

The baseline is what an instructor could do without the grader: ``jupyter nbconvert
--execute --allow-errors`` on each submission, one after another, a process each (the
grader also starts a fresh process and kernel per submission). Its time is compared with
``k2tf grade --jobs 1`` on the same files in the same run; then ``--jobs 2`` and ``--jobs 4``.
Each grading run writes into a fresh output folder, so no stored result is reused.
"""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .. import notebooks
from ..release import answered


def submission(root: Path, exercise: str, kind: str):
    """The exercise with the solution's answers pasted in: every one (``full``) or half (``half``)."""
    nb = notebooks.read(root / "exercises" / f"{exercise}.ipynb")
    solution = notebooks.read(root / "solutions" / f"{exercise}.ipynb")
    questions = sorted(nb.metadata["k2tf"]["questions"])
    return answered(nb, solution, questions if kind == "full" else questions[: len(questions) // 2])


def make_batch(root: Path, folder: Path, plan: list[tuple[str, str]]) -> list[Path]:
    """Write one submission per ``(exercise, kind)`` of ``plan`` as ``folder/studentNN/EXERCISE.ipynb``.

    Each ends with a note of its student's own (a markdown cell, which grading ignores), so no two
    are the same bytes: the grader runs identical notebooks once, and a class is not that.
    """
    import nbformat

    paths = []
    for index, (exercise, kind) in enumerate(plan, start=1):
        path = folder / f"student{index:02d}" / f"{exercise}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nb = submission(root, exercise, kind)
        nb.cells.append(nbformat.v4.new_markdown_cell(f"Handed in by student{index:02d}."))
        notebooks.write(nb, path)
        paths.append(path)
    return paths


def course_plan(root: Path) -> list[tuple[str, str]]:
    """Two submissions (full and half) per exercise of the course."""
    exercises = [p.stem for p in sorted((root / "solutions").glob("[0-9][0-9]_*.ipynb"))]
    return [(exercise, kind) for exercise in exercises for kind in ("full", "half")]


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def nbconvert(paths: list[Path], out: Path, *, timeout: int = 300) -> dict:
    """Execute each submission with ``jupyter nbconvert --execute``, one after another."""
    seconds, failures = [], []
    started = time.perf_counter()
    for path in paths:
        one = time.perf_counter()
        done = subprocess.run([_bin("jupyter"), "nbconvert", "--to", "notebook", "--execute",
                               "--allow-errors", f"--ExecutePreprocessor.kernel_name={notebooks.KERNEL_NAME}",
                               f"--ExecutePreprocessor.timeout={timeout}",
                               "--output-dir", str(out / path.parent.name), str(path)],
                              capture_output=True, text=True)
        seconds.append(round(time.perf_counter() - one, 3))
        if done.returncode != 0:
            failures.append(f"{path.parent.name}/{path.name}: exit {done.returncode}")
    return {"wall_seconds": round(time.perf_counter() - started, 3), "seconds": seconds,
            "failures": failures}


def grade(folder: Path, out: Path, *, jobs: int, root: Path) -> dict:
    """``k2tf grade folder --out out --jobs N``: its wall time, per-submission times and scores."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "k2tf", "grade", str(folder), "--out", str(out),
                           "--jobs", str(jobs), "--root", str(root)],
                          capture_output=True, text=True)
    wall = round(time.perf_counter() - started, 3)
    per_submission = {}
    for stored in sorted((out / ".results").glob("*.json")):
        result = json.loads(stored.read_text(encoding="utf-8"))
        per_submission[result["key"]] = {"seconds": result.get("seconds"), "score": result["score"],
                                         "max_score": result["max_score"], "status": result["status"]}
    problems = []
    if done.returncode != 0:
        problems.append(f"k2tf grade exited {done.returncode}: {done.stderr.strip()[-300:]}")
    with open(out / "summary.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["status"] != "graded":
                problems.append(f"{row['student']} {row['exercise']}: {row['status']} {row['message'][:120]}")
    return {"jobs": jobs, "wall_seconds": wall, "submissions": per_submission, "problems": problems}


def run_batch(*, root: Path = notebooks.REPO_ROOT, plan: list[tuple[str, str]] | None = None,
              jobs: tuple[int, ...] = (1, 2, 4), repeats: int = 1, log=print) -> dict:
    """Benchmark 2: nbconvert vs ``k2tf grade`` on the batch, then the ``--jobs`` speed-ups."""
    plan = plan or course_plan(root)
    rounds = []
    with tempfile.TemporaryDirectory(prefix="k2tf-bench-grade-") as scratch:
        scratch = Path(scratch)
        for repeat in range(1, repeats + 1):
            subs = scratch / f"round{repeat}" / "submissions"
            paths = make_batch(root, subs, plan)
            log(f"  grading, round {repeat}/{repeats}: nbconvert --execute on {len(paths)} submissions")
            baseline = nbconvert(paths, scratch / f"round{repeat}" / "nbconvert")
            log(f"    {baseline['wall_seconds']:.0f} s")
            graded = []
            for n in jobs:
                log(f"  grading, round {repeat}/{repeats}: k2tf grade --jobs {n}")
                graded.append(grade(subs, scratch / f"round{repeat}" / f"grades-jobs{n}", jobs=n, root=root))
                log(f"    {graded[-1]['wall_seconds']:.0f} s"
                    + (f"; problems: {graded[-1]['problems']}" if graded[-1]["problems"] else ""))
            shutil.rmtree(scratch / f"round{repeat}")
            rounds.append({"nbconvert": baseline, "grade": graded,
                           "submissions": [f"{p.parent.name}/{p.stem}" for p in paths]})
    return {"plan": [list(item) for item in plan], "repeats": repeats, "rounds": rounds}


def run_scaling(*, root: Path = notebooks.REPO_ROOT, exercise: str = "05_custom_training_loop",
                sizes: tuple[int, ...] = (1, 5, 20, 50), jobs: int = 2, log=print) -> dict:
    """Benchmark 4a: grading time for a class of 1, 5, 20, 50 students handing in one exercise."""
    points = []
    with tempfile.TemporaryDirectory(prefix="k2tf-bench-class-") as scratch:
        scratch = Path(scratch)
        for size in sizes:
            plan = [(exercise, "full" if i % 2 == 0 else "half") for i in range(size)]
            subs = scratch / f"class{size}" / "submissions"
            make_batch(root, subs, plan)
            log(f"  grading scale: {size} submission(s) of {exercise}, --jobs {jobs}")
            result = grade(subs, scratch / f"class{size}" / "grades", jobs=jobs, root=root)
            log(f"    {result['wall_seconds']:.0f} s")
            shutil.rmtree(scratch / f"class{size}")
            points.append({"size": size, **result})
    return {"exercise": exercise, "jobs": jobs, "points": points}
