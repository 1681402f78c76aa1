"""``k2tf progress``: where you stand across the twelve exercises.

For each exercise it reads *your saved notebook* in ``exercises/`` and says, question by
question, what you have answered and what passes. It grades exactly as ``k2tf grade`` does
(:mod:`k2tf.grading`: your answers are put into the solution's cells and run top to bottom in a
fresh, limited kernel), so the points it shows are the points your instructor's grader gives.

Two things keep it quick:

* an exercise whose answer cells are all still the released placeholders is "not started" and
  is not run at all (a fresh clone's progress takes a fraction of a second);
* each graded result is kept under ``grades/.progress/`` (git-ignored) with the grader's own
  fingerprint of everything it depends on (your notebook's bytes, the solution, the checks'
  and the grader's code, the limits), so asking again is instant until one of those changes.

It reads the files on disk: JupyterLab must save a notebook (Ctrl+S) before a change counts.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .grading import gradebook as gradebook_module
from .grading import judge as judge_module
from .grading.run import COURSE_ROOT, Plan, Planned, Settings, _result, execute, prepare
from .grading.submissions import Submission, course_exercises, which_exercise
from .release import replace_solution_regions

#: Where graded results are kept, under the course root (``/grades/`` is git-ignored).
STORE = Path("grades") / ".progress"
#: The name results are filed under (one student: you).
STUDENT = "you"
SAVE_REMINDER = ("Progress reads the notebooks saved on disk: in JupyterLab, save (Ctrl+S) "
                 "before a change counts.")

NOT_STARTED, GRADED, KEPT, MISSING, ERROR = "not started", "graded", "kept", "missing", "error"


@dataclass
class QuestionProgress:
    question: str  # "01.q2"
    max_points: int
    answered: bool  # its answer cells differ from the released placeholders
    passed: bool = False
    points: int = 0
    message: str = ""  # why it fails, as the grader says it


@dataclass
class ExerciseProgress:
    exercise: str  # "01_keras_in_ten_minutes"
    #: ``not started`` (nothing answered: not run), ``graded`` (run now), ``kept`` (a result
    #: kept from an earlier look at the same bytes), ``missing`` (no saved notebook),
    #: ``error`` (the notebook could not be graded: ``message`` says why)
    state: str
    questions: list[QuestionProgress] = field(default_factory=list)
    message: str = ""

    @property
    def points(self) -> int:
        return sum(q.points for q in self.questions)

    @property
    def max_points(self) -> int:
        return sum(q.max_points for q in self.questions)


def _lines(source: str) -> list[str]:
    lines = [line.rstrip() for line in source.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _questions(solution: dict) -> tuple[dict[str, int], dict[str, tuple[str, str]]]:
    """``({question: points}, {answer cell id: (question, released source)})`` of a solution."""
    points: dict[str, int] = {}
    released: dict[str, tuple[str, str]] = {}
    for index, cell in enumerate(solution.get("cells", [])):
        meta = cell.get("metadata", {}).get("k2tf", {})
        if cell.get("cell_type") != "code" or not isinstance(meta, dict):
            continue
        if "check" in meta:
            points[meta["check"]] = points.get(meta["check"], 0) + int(meta.get("points", 0))
        if "answer" in meta:
            released[cell.get("id")] = (meta["answer"], replace_solution_regions(
                _source(cell), meta["answer"], f"cell {index}"))
    return points, released


def answered_questions(notebook: dict, solution: dict) -> set[str]:
    """The questions whose answer cells in ``notebook`` are no longer the released placeholders.

    An answer cell is found by its id (as released) or by its ``k2tf.answer`` metadata (a cell
    copied or re-made); one whose cell is gone counts as not answered.
    """
    _, released = _questions(solution)
    placeholder: dict[str, list[list[str]]] = {}
    for qid, source in released.values():
        placeholder.setdefault(qid, []).append(_lines(source))
    answered = set()
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("k2tf", {})
        qid = released.get(cell.get("id"), (None,))[0]
        if qid is None and isinstance(meta, dict) and isinstance(meta.get("answer"), str):
            qid = meta["answer"]
        if qid in placeholder and _lines(_source(cell)) not in placeholder[qid]:
            answered.add(qid)
    return answered


def progress(course_root: Path | None = None, *, jobs: int = 1, limits: judge_module.Limits | None = None,
             stream_err: TextIO | None = None) -> list[ExerciseProgress]:
    """Where you stand in each exercise of the course at ``course_root`` (default: this course).

    Reads ``exercises/NN_topic.ipynb`` as saved on disk; grades the started ones that changed
    since the last look (``jobs`` at a time), keeps the rest. ``stream_err`` (default: stderr)
    hears which exercise is being graded, since that takes a while.
    """
    root = Path(course_root) if course_root is not None else COURSE_ROOT
    stream_err = sys.stderr if stream_err is None else stream_err
    limits = limits or judge_module.Limits()
    store = root / STORE
    book = gradebook_module.Gradebook(store)
    exercises = course_exercises(root)
    solutions = {name: root / "solutions" / f"{name}.ipynb" for name in exercises}

    found: dict[str, ExerciseProgress] = {}
    started: list[tuple[Planned, dict[str, int], set[str]]] = []
    for name in exercises:
        solution = json.loads(solutions[name].read_text(encoding="utf-8"))
        points, _ = _questions(solution)
        path = root / "exercises" / f"{name}.ipynb"
        blank = [QuestionProgress(qid, p, answered=False) for qid, p in points.items()]
        if not path.is_file():
            found[name] = ExerciseProgress(name, MISSING, blank, f"no exercises/{path.name}")
            continue
        data = path.read_bytes()
        try:
            notebook = json.loads(data.decode("utf-8"))
            answered = answered_questions(notebook, solution)
        except (UnicodeDecodeError, ValueError, AttributeError, TypeError):
            notebook, answered = None, None  # not a readable notebook: the grader says why
        if answered is not None and not answered:
            found[name] = ExerciseProgress(name, NOT_STARTED, blank)
            continue
        submission = which_exercise(Submission(student=STUDENT, file=path.name, origin=str(path), data=data),
                                    exercises, name)
        started.append((Planned(submission), points, answered or set()))

    if started:
        plan = Plan([p for p, _, _ in started], dropped=[], ignored=[], problems=[], identities={},
                    exercises=exercises)
        settings = Settings(limits=limits, hidden_checks=[], hidden_sources={}, course_root=root,
                            solutions=solutions, hide=[store.resolve()])
        known, reused, work = prepare(plan, settings, book)
        results: dict[str, tuple[dict, str]] = {}
        for key, result in known.items():
            results[key] = (result, KEPT if key in reused else GRADED)
            if key not in reused:
                book.store(result)
        for w in work:
            stream_err.write("grading " + ", ".join(f"exercises/{item.submission.file}" for item, _ in w.members)
                             + " in a fresh kernel, as `k2tf grade` does…\n")
            stream_err.flush()
        for w, judgement, _seconds in execute(work, jobs=jobs, limits=limits, hide=settings.hide):
            for item, print_ in w.members:
                result = _result(item.submission, item.key, print_, w.rebuilt, judgement)
                book.store(result)
                results[item.key] = (result, GRADED)
        for planned, points, answered in started:
            result, state = results[planned.key]
            name = planned.submission.exercise
            found[name] = _from_result(name, result, state, points, answered)
    return [found[name] for name in exercises]


def _from_result(name: str, result: dict, state: str, points: dict[str, int], answered: set[str]) -> ExerciseProgress:
    rows = {q["question"]: q for q in result.get("questions", [])}
    questions = []
    for qid, max_points in points.items():
        row = rows.get(qid, {})
        passed = row.get("status") == "passed"
        questions.append(QuestionProgress(
            qid, int(row.get("max_points", max_points)), answered=qid in answered and not row.get("unanswered"),
            passed=passed, points=int(row.get("points", 0)),
            message="" if passed else gradebook_module.clean(row.get("message", ""))))
    if result.get("status") == "error":
        return ExerciseProgress(name, ERROR, questions,
                                gradebook_module.clean(result.get("message", "")))
    return ExerciseProgress(name, state, questions)


def _mark(q: QuestionProgress) -> str:
    return "✓" if q.passed else ("✗" if q.answered else "·")


def format_progress(rows: list[ExerciseProgress], *, details: bool = False) -> str:
    """A table for people: one line per exercise, each question marked ✓ passes, ✗ answered
    but fails, · not answered; ``details`` adds why each answered question fails."""
    width = max(len(r.exercise) for r in rows) if rows else 10
    lines = [f"{'exercise':<{width}}  {'points':>6}  questions (✓ passes, ✗ fails, · not answered)"]
    for r in rows:
        if r.state in (NOT_STARTED, MISSING):
            score = "–"
        else:
            score = f"{r.points}/{r.max_points}"
        marks = " ".join(f"{_mark(q)}{q.question.split('.', 1)[-1]}" for q in r.questions)
        label = {NOT_STARTED: "not started", MISSING: r.message, ERROR: "not graded: " + r.message}.get(r.state)
        lines.append(f"{r.exercise:<{width}}  {score:>6}  " + (label if label else marks))
        if details and r.state in (GRADED, KEPT):
            for q in r.questions:
                if q.answered and not q.passed and q.message:
                    # the check's own words, without its "✗ … failed — 0/N points" line
                    why = [line for line in q.message.strip().splitlines()
                           if line.strip() and not line.startswith("✗ ")] or [q.message.strip()]
                    lines += [f"{'':<{width}}          {q.question}: {why[0]}"]
                    lines += [f"{'':<{width}}          {'':<{len(q.question)}}  {line}" for line in why[1:]]
    done = [r for r in rows if r.state in (GRADED, KEPT)]
    total = sum(r.max_points for r in rows)
    lines.append("")
    lines.append(f"{sum(r.points for r in done)}/{total} points; {len(done)} of {len(rows)} exercises started.")
    lines.append(SAVE_REMINDER)
    return "\n".join(lines)


def _course_of_this_notebook() -> Path:
    """The course the running notebook belongs to: the kernel's folder (``notebooks/``) or the
    one above it, when it holds ``exercises/`` and ``solutions/``; else the installed course."""
    here = Path.cwd().resolve()
    for folder in (here, here.parent):
        if (folder / "exercises").is_dir() and (folder / "solutions").is_dir():
            return folder
    return COURSE_ROOT


def show_progress(course_root: Path | None = None) -> None:
    """Print your progress (the cell in ``notebooks/00_welcome.ipynb`` calls this) for the
    course this notebook is in. What it is grading goes to stdout too: in a notebook, stderr
    reads as an error."""
    root = Path(course_root) if course_root is not None else _course_of_this_notebook()
    if root.resolve() != COURSE_ROOT.resolve():
        print(f"the course in {root}")  # a copy of the course: say which one is read
    print(format_progress(progress(root, stream_err=sys.stdout)))
