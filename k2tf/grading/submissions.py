"""Finding submissions and telling which exercise each one answers.

A submission is ``<student>/<NN_topic>.ipynb`` (the student is the folder's name) or a loose
notebook such as ``alice.ipynb`` (the student is the file's stem). Which exercise it answers
is read from the notebook's own metadata, written by ``k2tf release``
(``metadata.k2tf.exercise``); when that is absent (a solution notebook, a notebook saved by
another tool) the file's name decides. A notebook that is neither is reported as not being a
course exercise: the grader never guesses.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .. import notebooks

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Submission:
    """One notebook handed in: who, which exercise, and why it cannot be graded (if so)."""

    path: Path
    student: str
    exercise: str | None = None
    problem: str | None = None  # set when the file cannot be graded at all
    notebook: nbformat.NotebookNode | None = None
    data: bytes = b""
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """``<student>__<exercise>``: the name of its feedback page and stored result."""
        what = self.exercise or self.path.name
        return f"{safe_name(self.student)}__{safe_name(what)}"


def safe_name(text: str) -> str:
    return SAFE_NAME.sub("_", text).strip("._") or "_"


def course_exercises(course_root: Path) -> list[str]:
    """The exercises of the course: ``NN_topic`` of every notebook in ``solutions/``."""
    return [p.stem for p in sorted((course_root / "solutions").glob("[0-9][0-9]_*.ipynb"))]


def find(paths: list[Path]) -> list[Path]:
    """Every notebook under ``paths`` (files as given, folders searched), sorted, no duplicates.

    Raises ``FileNotFoundError`` for a path that does not exist.
    """
    found: dict[Path, None] = {}
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
        if path.is_dir():
            for notebook in sorted(path.rglob("*.ipynb")):
                if ".ipynb_checkpoints" not in notebook.parts and notebook.is_file():
                    found[notebook.resolve()] = None
        else:
            found[path.resolve()] = None
    return sorted(found)


def student_of(path: Path) -> str:
    """``alice/01_topic.ipynb`` → ``alice``; a loose ``alice.ipynb`` → ``alice``."""
    if notebooks.NOTEBOOK_NAME.match(path.name):
        return path.parent.name
    return path.stem


def identify(path: Path, exercises: list[str]) -> Submission:
    """Read ``path`` and say which exercise it answers, or why it cannot be graded."""
    submission = Submission(path=path, student=student_of(path))
    # until the notebook's own metadata says otherwise, its name tells (so a broken file
    # still gets a line under the right exercise)
    submission.exercise = path.stem if path.stem in exercises else None
    try:
        submission.data = path.read_bytes()
    except OSError as error:
        submission.problem = f"the file cannot be read ({error.strerror})"
        return submission
    if not submission.data.strip():
        submission.problem = "the file is empty: it is not a notebook"
        return submission
    try:
        raw = json.loads(submission.data.decode("utf-8"))
    except UnicodeDecodeError:
        submission.problem = "the file is not text (not UTF-8): it is not a notebook"
        return submission
    except json.JSONDecodeError as error:
        submission.problem = (f"the file is not valid JSON (line {error.lineno}, column "
                              f"{error.colno}: {error.msg}): it is not a notebook, or it was cut short")
        return submission
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list) or "nbformat" not in raw:
        submission.problem = "the file is JSON but not a Jupyter notebook (no cells, no nbformat)"
        return submission
    try:
        nb = nbformat.reads(submission.data.decode("utf-8"), as_version=4)
    except Exception as error:  # nbformat raises several kinds for malformed notebooks
        submission.problem = f"the notebook cannot be read: {type(error).__name__}: {error}"
        return submission
    submission.notebook = nb
    meta = nb.metadata.get("k2tf", {}) if isinstance(nb.metadata.get("k2tf"), dict) else {}
    said = meta.get("exercise")
    by_name = path.stem if path.stem in exercises else None
    if said is not None and said not in exercises:
        submission.problem = (f"the notebook says it is exercise {said!r}, which this course does "
                              f"not have (exercises: {', '.join(exercises)})")
    elif said is None and by_name is None:
        submission.exercise = None
        submission.problem = (f"not a course exercise: the notebook carries no exercise metadata "
                              f"(written by `k2tf release`) and its name {path.name} is not one of "
                              f"the exercises ({', '.join(e + '.ipynb' for e in exercises)})")
    elif said and by_name and said != by_name:
        submission.exercise = said
        submission.problem = (f"the file is named {path.name} but holds exercise {said} "
                              f"(lesson {said[:2]}): submit each exercise under its own name")
    else:
        submission.exercise = said or by_name
        lesson = meta.get("lesson")
        if lesson is not None and str(lesson) != submission.exercise[:2]:
            submission.problem = (f"the notebook's metadata says lesson {lesson} but exercise "
                                  f"{submission.exercise}: it was edited by hand")
    return submission
