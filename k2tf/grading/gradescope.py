"""``k2tf gradescope NN_topic``: a Gradescope autograder that grades one exercise with ``k2tf grade``.

The zip follows Gradescope's autograder specification (gradescope-autograders.readthedocs.io,
"Autograder Specifications"; gradescope/autograder_samples, ``docs/specs.md``): ``setup.sh``
and ``run_autograder`` at its root. Gradescope unpacks the zip into ``/autograder/source``,
runs ``setup.sh`` once when it builds the image, copies ``run_autograder`` to
``/autograder/run_autograder``, and runs it for each submission with the student's files in
``/autograder/submission``; ``run_autograder`` must write ``/autograder/results/results.json``:
``score``, ``execution_time`` (seconds), ``output``, and ``tests``, each with ``name``,
``score``, ``max_score``, ``status`` (``passed`` or ``failed``), ``output`` and ``visibility``
(``hidden``, ``after_due_date``, ``after_published`` or ``visible``).

Inside the zip:

* ``setup.sh``: a Python the pins fit (3.11.5 to 3.13): the image's own, else 3.12 from apt or,
  on Ubuntu 22.04 (Gradescope's default base image), the deadsnakes PPA; then the course's pinned environment (``requirements.txt`` with
  ``constraints.txt``, as ``make setup``), the course package and its kernel, in
  ``/autograder/venv``;
* ``run_autograder``: ``python -m k2tf.grading.gradescope``, which grades the submitted notebook
  with the same grader as ``k2tf grade`` (a fresh, limited kernel; the notebook rebuilt from the
  solution) and writes ``results.json``: one test per question, then one per hidden check with
  the visibility the instructor chose (default ``after_published``: shown once grades are
  published);
* ``course/``: the ``k2tf`` package, the exercise's solution, the pin files, and the hidden
  checks (``--hidden``), which students never see.

``K2TF_AUTOGRADER_ROOT`` replaces ``/autograder`` (the tests run ``run_autograder`` on a
simulated tree), and ``K2TF_AUTOGRADER_PYTHON`` the Python that ``run_autograder`` uses.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from . import feedback as feedback_module
from . import outline as outline_module

ROOT_VARIABLE = "K2TF_AUTOGRADER_ROOT"
PYTHON_VARIABLE = "K2TF_AUTOGRADER_PYTHON"
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
CONFIG = "k2tf_autograder.json"
STUDENT = "student"  # one submission per container: whose it is, Gradescope knows

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder (k2tf gradescope wrote it).
# It installs the course's pinned packages, as `make setup` does, into $ROOT/venv, with a Python
# the pins fit: 3.11.5 to 3.13 (as `make setup` checks). Gradescope's default base image, Ubuntu
# 22.04, has none (its apt's python3.11 is a 3.11.0 release candidate): then Python 3.12 comes
# from apt where it has one (Ubuntu 24.04), else from the deadsnakes PPA.
# K2TF_SETUP_PICK_ONLY=1: only print the Python it would use (exit 3 if none fits), install nothing.
set -euo pipefail
ROOT="${K2TF_AUTOGRADER_ROOT:-/autograder}"
COURSE="$ROOT/source/course"
export DEBIAN_FRONTEND=noninteractive
FITS='import sys; sys.exit(not (3, 11, 5) <= sys.version_info[:3] < (3, 14))'
pick() {
  for p in python3.13 python3.12 python3.11 python3; do
    if command -v "$p" >/dev/null && "$p" -c "$FITS" 2>/dev/null; then command -v "$p"; return 0; fi
  done
  return 1
}
PY="$(pick || true)"
if [ -n "${K2TF_SETUP_PICK_ONLY:-}" ]; then
  [ -n "$PY" ] && { echo "$PY"; exit 0; }
  echo "no Python from 3.11.5 to 3.13 on PATH: setup.sh would install python3.12" >&2; exit 3
fi
if [ -z "$PY" ]; then
  apt-get update
  if ! apt-cache show python3.12 >/dev/null 2>&1; then  # Ubuntu 22.04: the deadsnakes PPA
    apt-get install -y --no-install-recommends software-properties-common
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update
  fi
  apt-get install -y --no-install-recommends python3.12 python3.12-venv
  PY=python3.12
fi
echo "k2tf autograder: $("$PY" --version) ($PY)"
if ! "$PY" -m venv "$ROOT/venv"; then  # Debian and Ubuntu ship venv apart
  rm -rf "$ROOT/venv"
  apt-get update && apt-get install -y --no-install-recommends "$(basename "$PY")-venv"
  "$PY" -m venv "$ROOT/venv"
fi
"$ROOT/venv/bin/python" -m pip install --quiet --disable-pip-version-check \\
  -r "$COURSE/requirements.txt" -c "$COURSE/constraints.txt"
"$ROOT/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$COURSE"
"$ROOT/venv/bin/k2tf" install-kernel
echo "k2tf autograder ready"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission (k2tf gradescope wrote it): it grades the notebook in
# $ROOT/submission with k2tf's grader and writes $ROOT/results/results.json.
ROOT="${K2TF_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${K2TF_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
exec "$PYTHON" -m k2tf.grading.gradescope --root "$ROOT"
"""

COURSE_FILES = ("pyproject.toml", "requirements.txt", "constraints.txt", "LICENSE")


def build(exercise: str, *, course_root: Path = Path(__file__).resolve().parents[2], out: Path,
          hidden_folder: Path | None = None, hidden_visibility: str = "after_published",
          cell_timeout: float | None = None, submission_timeout: float | None = None,
          memory: int | None = None) -> Path:
    """Write the autograder zip of ``exercise`` to ``out``; return its path.

    Raises ``ValueError`` for an exercise the course does not have, a bad visibility, or hidden
    checks that do not load.
    """
    from . import hidden as hidden_module
    from .submissions import course_exercises

    exercises = course_exercises(course_root)
    if exercise not in exercises:
        raise ValueError(f"no exercise {exercise!r}: choose from {', '.join(exercises)}")
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"--hidden-visibility {hidden_visibility}: choose from {', '.join(VISIBILITIES)}")
    hidden_files: list[Path] = []
    if hidden_folder is not None:
        if not Path(hidden_folder).is_dir():
            raise ValueError(f"--hidden {hidden_folder}: not a folder")
        hidden_module.load(Path(hidden_folder))  # fails here, not on Gradescope
        hidden_files = sorted(Path(hidden_folder).glob("*.py"))
    config = {"exercise": exercise, "hidden_visibility": hidden_visibility,
              "cell_timeout": cell_timeout, "submission_timeout": submission_timeout, "memory": memory,
              "hidden": bool(hidden_files)}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, data: bytes | str, mode: int = 0o644):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)

        add("setup.sh", SETUP_SH, 0o755)
        add("run_autograder", RUN_AUTOGRADER, 0o755)
        add(CONFIG, json.dumps(config, indent=1, sort_keys=True) + "\n")
        for name in COURSE_FILES:
            if (course_root / name).exists():
                add(f"course/{name}", (course_root / name).read_bytes())
        package = course_root / "k2tf"
        for path in sorted(package.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc"):
                add(f"course/{path.relative_to(course_root).as_posix()}", path.read_bytes())
        add(f"course/solutions/{exercise}.ipynb", (course_root / "solutions" / f"{exercise}.ipynb").read_bytes())
        lesson = course_root / "notebooks" / f"{exercise}.ipynb"
        if lesson.exists():  # its title names the lesson in feedback
            add(f"course/notebooks/{exercise}.ipynb", lesson.read_bytes())
        for path in hidden_files:
            add(f"hidden/{path.name}", path.read_bytes())
    out.write_bytes(buffer.getvalue())
    return out


# --- inside Gradescope's container ------------------------------------------------------------

def _choose(submission_folder: Path, exercise: str) -> tuple[bytes | None, str, str]:
    """``(notebook bytes, its name, what was chosen and why)`` from the student's files."""
    from .layouts import list_handins
    from .submissions import Submission, which_exercise

    try:
        handins = list_handins([submission_folder], [exercise]).handins
    except (OSError, ValueError) as error:
        return None, "", f"the submission cannot be read: {error}"
    if not handins:
        return None, "", f"no notebook (.ipynb) was submitted: submit {exercise}.ipynb"
    told = []
    for h in handins:
        s = which_exercise(Submission(STUDENT, h.file_name, h.origin, data=h.data or b""), [exercise],
                           h.exercise_by_name)
        told.append((h, s))
    named = [(h, s) for h, s in told if s.exercise == exercise and s.problem is None]
    if len(handins) == 1:
        h = handins[0]
        note = "" if named else f" (graded as {exercise}: it is the only notebook submitted)"
        return h.data, h.file_name, f"graded {h.file_name}{note}"
    pool = named or told
    h = max((x for x, _ in pool), key=lambda x: (x.exercise_by_name == exercise, x.time or 0))
    return h.data, h.file_name, (f"{len(handins)} notebooks were submitted; graded {h.file_name} "
                                 f"({'it is ' + exercise if named else 'the most recent'}); "
                                 f"the others were not graded")


def _test_output(q: dict, check: dict, outline: outline_module.Outline) -> str:
    if check["status"] == "passed":
        return ""
    if check["name"] == "check" and feedback_module.question_status(q) == "unanswered":
        text = (f"{q['question']} is not answered yet: its answer cell still holds the placeholder.\n"
                "Hint: replace the placeholder with your code, run the cell, then run the check below it.")
    else:
        problem, hint = feedback_module.split_message(check.get("message", ""))
        text = problem + (f"\nHint: {hint}" if hint else "")
    url, label = outline.lesson_link(q["question"])
    return f"{text}\nRead again: {label}".strip()


def results_json(result: dict, outline: outline_module.Outline, *, hidden_visibility: str,
                 seconds: float, chosen: str) -> dict:
    """Gradescope's ``results.json`` for one graded result (see the module's docstring)."""
    tests = []
    for q in result["questions"]:
        qo = outline.questions.get(q["question"])
        title = f"{q['question']} · {qo.title}" if qo else q["question"]
        checks = q.get("checks") or [{"name": "check", "points": q["points"], "max_points": q["max_points"],
                                      "status": q["status"], "message": q["message"]}]
        for check in checks:
            public = check["name"] == "check"
            tests.append({
                "name": title if public else f"{title} (hidden check {check['name']})",
                "score": check["points"], "max_score": check["max_points"],
                "status": "passed" if check["status"] == "passed" else "failed",
                "output": _test_output(q, check, outline) if result["status"] == "graded"
                else f"This notebook could not be graded: {result['message']}",
                "visibility": "visible" if public else hidden_visibility,
            })
    head = f"{outline_module.COURSE_TITLE} — {outline.title}: {result['score']}/{result['max_score']} points."
    lines = [head, chosen]
    if result["status"] == "error":
        lines.append(f"This notebook could not be graded: {result['message']}")
    lines += [n for n in result.get("notes", []) if n]
    return {"score": result["score"], "execution_time": int(round(seconds)),
            "output": "\n".join(line for line in lines if line), "stdout_visibility": "hidden",
            "tests": tests}


def _failure(seconds: float, why: str) -> dict:
    return {"score": 0, "execution_time": int(round(seconds)), "output": why,
            "stdout_visibility": "hidden", "tests": []}


def run_autograder(root: Path) -> dict:
    """Grade ``root/submission`` and write ``root/results/results.json``; return what was written."""
    from .judge import DEFAULT_CELL_TIMEOUT, DEFAULT_MEMORY, DEFAULT_SUBMISSION_TIMEOUT, Limits
    from .run import UsageError, grade

    started = time.monotonic()
    source = root / "source"
    results_path = root / "results" / "results.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        config = json.loads((source / CONFIG).read_text(encoding="utf-8"))
        exercise = config["exercise"]
        course = source / "course"
        outline = outline_module.read(course, exercise)
        data, name, chosen = _choose(root / "submission", exercise)
        if data is None:
            written = _failure(time.monotonic() - started, chosen)
        else:
            work = Path(tempfile.mkdtemp(prefix="k2tf-autograder-"))
            try:
                folder = work / "submission" / STUDENT
                folder.mkdir(parents=True)
                (folder / f"{exercise}.ipynb").write_bytes(data)
                limits = Limits(cell_timeout=config.get("cell_timeout") or DEFAULT_CELL_TIMEOUT,
                                submission_timeout=config.get("submission_timeout") or DEFAULT_SUBMISSION_TIMEOUT,
                                memory=int(config.get("memory") or DEFAULT_MEMORY))
                hidden = source / "hidden" if config.get("hidden") else None
                try:
                    grade([work / "submission"], out=work / "grades", jobs=1, limits=limits,
                          hidden_folder=hidden, course_root=course)
                except UsageError as error:
                    written = _failure(time.monotonic() - started, f"The notebook could not be graded: {error}")
                else:
                    result = json.loads((work / "grades" / ".results" / f"{STUDENT}__{exercise}.json")
                                        .read_text(encoding="utf-8"))
                    written = results_json(result, outline, hidden_visibility=config["hidden_visibility"],
                                           seconds=time.monotonic() - started, chosen=chosen)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except Exception as error:  # noqa: BLE001 - Gradescope must always get a results.json
        written = _failure(time.monotonic() - started,
                           f"The autograder failed ({type(error).__name__}: {error}); tell your instructor.")
    tmp = results_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(written, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, results_path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m k2tf.grading.gradescope",
                                     description="Grade Gradescope's /autograder/submission (run_autograder).")
    parser.add_argument("--root", default=os.environ.get(ROOT_VARIABLE, "/autograder"))
    args = parser.parse_args(argv)
    written = run_autograder(Path(args.root))
    print(f"k2tf autograder: {written['score']} points; results.json written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
