"""Telling which exercise each hand-in answers.

Who handed a notebook in is the layout's business (:mod:`k2tf.grading.layouts`). Which
exercise it answers is read from the notebook's own metadata, written by ``k2tf release``
(``metadata.k2tf.exercise``); when that is absent (a solution notebook, a notebook saved by
another tool) its file name decides, editor copies (``-Copy1``, `` (1)``) stripped. A
notebook that is neither is reported as not being a course exercise: the grader never guesses.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .layouts import HandIn, list_handins

if TYPE_CHECKING:
    import nbformat

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Submission:
    """One notebook to grade: who, which exercise, and why it cannot be graded (if so)."""

    student: str
    file: str  # the notebook's file name
    origin: str  # where it came from (a path, or a zip and the path inside it)
    exercise: str | None = None
    problem: str | None = None  # set when the file cannot be graded at all
    data: bytes = b""
    handin: HandIn | None = None
    notes: list[str] = field(default_factory=list)
    _notebook: nbformat.NotebookNode | None = None

    @property
    def key(self) -> str:
        """``<student>__<exercise>``: the name of its feedback page and stored result."""
        what = self.exercise or self.file
        return f"{safe_name(self.student)}__{safe_name(what)}"

    @property
    def path(self) -> Path:
        return Path(self.origin)

    @property
    def notebook(self) -> nbformat.NotebookNode | None:
        """The notebook, read in full (on first use); sets :attr:`problem` when it cannot be."""
        if self._notebook is None and self.problem is None:
            import nbformat

            try:
                self._notebook = nbformat.reads(self.data.decode("utf-8"), as_version=4)
            except Exception as error:  # nbformat raises several kinds for malformed notebooks
                self.problem = f"the notebook cannot be read: {type(error).__name__}: {error}"
        return self._notebook


def safe_name(text: str) -> str:
    return SAFE_NAME.sub("_", text).strip("._") or "_"


def course_exercises(course_root: Path) -> list[str]:
    """The exercises of the course: ``NN_topic`` of every notebook in ``solutions/``."""
    return [p.stem for p in sorted((course_root / "solutions").glob("[0-9][0-9]_*.ipynb"))]


def which_exercise(submission: Submission, exercises: list[str], by_name: str | None) -> Submission:
    """Read the notebook's metadata and say which exercise it answers, or why it cannot be graded.

    ``by_name`` is the exercise its file name names (or ``None``). Only the JSON is parsed here
    (fast, for listing a class); :attr:`Submission.notebook` reads the whole notebook later.
    """
    name = submission.file
    # until the notebook's own metadata says otherwise, its name tells (so a broken file
    # still gets a line under the right exercise)
    submission.exercise = by_name
    data = submission.data
    if not data.strip():
        submission.problem = "the file is empty: it is not a notebook"
        return submission
    try:
        raw = json.loads(data.decode("utf-8"))
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
    metadata = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
    meta = metadata.get("k2tf") if isinstance(metadata.get("k2tf"), dict) else {}
    said = meta.get("exercise")
    if said is not None and said not in exercises:
        submission.problem = (f"the notebook says it is exercise {said!r}, which this course does "
                              f"not have (exercises: {', '.join(exercises)})")
    elif said is None and by_name is None:
        submission.exercise = None
        submission.problem = (f"not a course exercise: the notebook carries no exercise metadata "
                              f"(written by `k2tf release`) and its name {name} is not one of "
                              f"the exercises ({', '.join(e + '.ipynb' for e in exercises)})")
    elif said and by_name and said != by_name:
        submission.exercise = said
        submission.problem = (f"the file is named {name} but holds exercise {said} "
                              f"(lesson {said[:2]}): submit each exercise under its own name")
    else:
        submission.exercise = said or by_name
        lesson = meta.get("lesson")
        if lesson is not None and str(lesson) != submission.exercise[:2]:
            submission.problem = (f"the notebook's metadata says lesson {lesson} but exercise "
                                  f"{submission.exercise}: it was edited by hand")
    return submission


def from_handin(handin: HandIn, student: str, exercises: list[str]) -> Submission:
    """The :class:`Submission` of a hand-in filed under ``student``, its exercise told."""
    submission = Submission(student=student, file=handin.file_name, origin=handin.origin,
                            data=handin.data or b"", handin=handin)
    if handin.read_problem is not None:
        submission.exercise = handin.exercise_by_name
        submission.problem = handin.read_problem
        return submission
    return which_exercise(submission, exercises, handin.exercise_by_name)


def identify(path: Path, exercises: list[str]) -> Submission:
    """Read the notebook at ``path`` (given by itself) and say who handed it in and which exercise."""
    (handin,) = list_handins([Path(path)], exercises).handins
    submission = from_handin(handin, handin.student, exercises)
    submission.notebook  # noqa: B018 - read in full now, as the grader will
    return submission
