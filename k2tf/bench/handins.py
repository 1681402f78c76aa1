"""Benchmark 5: how long ``k2tf grade`` takes to list a class's hand-ins and say whose each is.

Before it grades anything, the grader walks the folders and zips it is given, names each
student from the platform's layout, reads every notebook's metadata to tell its exercise, and
resolves hand-ins of one student and exercise (:func:`k2tf.grading.run.plan`). This measures
that step on a class of N hand-ins as instructors download them: half a Canvas "Download
Submissions" zip (loose files named ``lastfirst_userid_number_name.ipynb``), half a Moodle
"Download all submissions" folder (a folder per student), each a copy of an exercise notebook.
Two numbers: the whole command ``k2tf grade DIR --dry-run`` (what the instructor waits for,
Python's start included) and the step itself, timed in this process.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from .. import notebooks

TARGET_SECONDS = 5.0


def make_class(root: Path, folder: Path, size: int, exercise: str = "00_welcome") -> int:
    """Write ``size`` hand-ins of ``exercise`` under ``folder``; return how many students."""
    data = (root / "exercises" / f"{exercise}.ipynb").read_bytes()
    folder.mkdir(parents=True, exist_ok=True)
    canvas = size // 2
    with zipfile.ZipFile(folder / "canvas-submissions.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(canvas):
            archive.writestr(f"student{i:04d}canvas_{10000 + i}_{500000 + i}_{exercise}.ipynb", data)
    for i in range(size - canvas):
        home = folder / "moodle" / f"Student {i:04d} Moodle_{20000 + i}_assignsubmission_file_"
        home.mkdir(parents=True)
        (home / f"{exercise}.ipynb").write_bytes(data)
    return size


def run(*, root: Path = notebooks.REPO_ROOT, size: int = 1000, repeats: int = 3, log=print) -> dict:
    """Time ``k2tf grade --dry-run`` and :func:`~k2tf.grading.run.plan` on a class of ``size``."""
    from ..grading.run import plan
    from ..grading.submissions import course_exercises

    command_seconds, plan_seconds, found = [], [], []
    with tempfile.TemporaryDirectory(prefix="k2tf-bench-handins-") as scratch:
        folder = Path(scratch) / "downloads"
        make_class(root, folder, size)
        exercises = course_exercises(root)
        for repeat in range(1, repeats + 1):
            log(f"  hand-ins, round {repeat}/{repeats}: k2tf grade --dry-run on {size} hand-ins")
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "k2tf", "grade", str(folder), "--dry-run",
                                   "--root", str(root)], capture_output=True, text=True)
            command_seconds.append(round(time.perf_counter() - started, 3))
            if done.returncode != 0:
                raise RuntimeError(f"k2tf grade --dry-run failed: {done.stderr[-500:]}")
            counted = re.search(r"^(\d+) hand-in\(s\) of (\d+) student\(s\)", done.stdout, re.M)
            found.append([int(counted[1]), int(counted[2])] if counted else None)
            started = time.perf_counter()
            planned = plan([folder], exercises)
            plan_seconds.append(round(time.perf_counter() - started, 3))
            log(f"    {command_seconds[-1]:.2f} s (the listing itself: {plan_seconds[-1]:.2f} s)")
            if len(planned.planned) != size or planned.problems:
                raise RuntimeError(f"{len(planned.planned)} of {size} hand-ins planned, "
                                   f"{len(planned.problems)} problems")
        shutil.rmtree(folder, ignore_errors=True)
    return {"size": size, "repeats": repeats, "command_seconds": command_seconds,
            "plan_seconds": plan_seconds, "found": found, "target_seconds": TARGET_SECONDS}
