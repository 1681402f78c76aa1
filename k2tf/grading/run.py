"""``k2tf grade``: grade every submission under some paths, N at a time.

What an instructor gets (see :mod:`k2tf.grading.gradebook` for the files): a progress bar
on stderr while it works, a table on stdout at the end, and an exit status of 0 when every
submission was graded (whatever the scores), 1 when some could not be graded at all (they
are in the summary with status ``error`` and why).
"""
from __future__ import annotations

import secrets
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from .. import notebooks
from . import gradebook as gradebook_module
from . import hidden as hidden_module
from . import judge as judge_module
from .rebuild import RebuildError, rebuild
from .submissions import Submission, course_exercises, find, identify


class UsageError(ValueError):
    """Bad usage: the message says what to change."""


def _code_version() -> str:
    """A fingerprint of the code a grade depends on: the grader and the course's checks."""
    package = Path(__file__).resolve().parent.parent
    files = sorted(package.glob("grading/*.py")) + sorted(package.glob("checks/*.py"))
    return gradebook_module.fingerprint(*[p.read_bytes() for p in files])


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Progress:
    """A one-line text progress bar on stderr (a line per submission when not a terminal)."""

    def __init__(self, total: int, stream: TextIO = sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.started = time.monotonic()

    def step(self, label: str) -> None:
        self.done += 1
        width = 24
        filled = width * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (width - filled)
        line = (f"[{bar}] {self.done}/{self.total} graded "
                f"({time.monotonic() - self.started:.0f} s)  {label}")
        if self.tty:
            self.stream.write("\r\x1b[2K" + line[:150])
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _error_result(submission: Submission, key: str, message: str, print_: str,
                  questions: dict[str, int] | None = None) -> dict:
    rows = [{"question": q, "points": 0, "max_points": p, "status": "error", "message": message}
            for q, p in (questions or {}).items()]
    return {"key": key, "student": submission.student,
            "exercise": submission.exercise or submission.path.name,
            "file": submission.path.name, "score": 0,
            "max_score": sum((questions or {}).values()), "status": "error", "message": message,
            "questions": rows, "notes": [], "graded_at": _now(), "fingerprint": print_}


def grade(paths: list[Path], *, out: Path = Path("grades"), jobs: int = 1,
          limits: judge_module.Limits | None = None, hidden_folder: Path | None = None,
          course_root: Path = notebooks.REPO_ROOT, stream_out: TextIO = sys.stdout,
          stream_err: TextIO = sys.stderr) -> int:
    """Grade the notebooks under ``paths`` into ``out``; return the exit status (0 or 1).

    Raises :class:`UsageError` for bad usage (a missing path, nothing to grade, a broken
    hidden-check folder).
    """
    limits = limits or judge_module.Limits()
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    try:
        files = find(paths)
    except FileNotFoundError as error:
        raise UsageError(str(error)) from None
    if not files:
        raise UsageError("no notebook (.ipynb) found under " + ", ".join(map(str, paths)))
    hidden_checks, hidden_sources = [], {}
    if hidden_folder is not None:
        if not Path(hidden_folder).is_dir():
            raise UsageError(f"--hidden {hidden_folder}: not a folder")
        try:
            hidden_checks, hidden_sources = hidden_module.load(Path(hidden_folder))
        except ValueError as error:
            raise UsageError(str(error)) from None
    exercises = course_exercises(course_root)
    solutions = {name: (course_root / "solutions" / f"{name}.ipynb") for name in exercises}
    out = Path(out)
    book = gradebook_module.Gradebook(out)
    hide = [out.resolve()] + ([Path(hidden_folder).resolve()] if hidden_folder else [])
    out.mkdir(parents=True, exist_ok=True)
    code = _code_version()
    settings = f"{limits.cell_timeout}|{limits.submission_timeout}|{limits.memory}"
    hidden_print = gradebook_module.fingerprint(*[f"{k}\0{v}" for k, v in sorted(hidden_sources.items())])

    submissions: list[Submission] = []
    seen: dict[str, Path] = {}
    for path in files:
        submission = identify(path, exercises)
        if submission.key in seen and submission.problem is None:
            submission.problem = (f"a second notebook of {submission.exercise} for "
                                  f"{submission.student} ({path.name}); only "
                                  f"{seen[submission.key].name} is graded")
        key = submission.key
        n = 2
        while key in seen:  # two files of one student and exercise: both listed, apart
            key = f"{submission.key}__{n}"
            n += 1
        seen[key] = path
        submission.notes.append(key)  # remembered below as the key
        submissions.append(submission)

    results: dict[str, dict] = {}
    reused: set[str] = set()
    work: list[tuple[Submission, str, str, object]] = []
    for submission in submissions:
        key = submission.notes.pop()
        solution_bytes = solutions[submission.exercise].read_bytes() if submission.exercise in solutions else b""
        print_ = gradebook_module.fingerprint(submission.data, solution_bytes, hidden_print, code, settings,
                                              submission.student, submission.path.name)
        stored = book.stored(key, print_)
        if stored is not None:
            results[key] = stored
            reused.add(key)
            continue
        if submission.problem is not None:
            questions = None
            if submission.exercise in solutions:
                questions = _question_points(solutions[submission.exercise], hidden_checks, submission.exercise)
            results[key] = _error_result(submission, key, submission.problem, print_, questions)
            book.store(results[key])
            continue
        private_name = f"_k2tf_grader_{secrets.token_hex(8)}"
        solution = notebooks.read(solutions[submission.exercise])
        try:
            rebuilt = rebuild(solution, submission.exercise, submission.notebook,
                              private_name=private_name,
                              hidden=[h for h in hidden_checks if h.question[:2] == submission.exercise[:2]],
                              hidden_sources=hidden_sources)
        except RebuildError as error:
            questions = _question_points(solutions[submission.exercise], hidden_checks, submission.exercise)
            results[key] = _error_result(submission, key, str(error), print_, questions)
            book.store(results[key])
            continue
        work.append((submission, key, print_, rebuilt))

    progress = Progress(len(submissions), stream_err)
    for key in results:
        r = results[key]
        progress.step(f"{r['student']} {r['exercise']}: "
                      + ("kept from the previous run" if key in reused else r["status"]))
    if results:
        book.write_tables(list(results.values()))

    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_timed_judge, rebuilt, limits=limits, hide=hide):
                       (submission, key, print_, rebuilt)
                       for submission, key, print_, rebuilt in work}
            try:
                for future in as_completed(futures):
                    submission, key, print_, rebuilt = futures[future]
                    try:
                        judgement, seconds = future.result()
                    except Exception as error:  # a bug or a system failure: say so, go on
                        judgement, seconds = judge_module.Judgement([], problem=f"the grader failed: "
                                                                    f"{type(error).__name__}: {error}"), None
                    result = _result(submission, key, print_, rebuilt, judgement)
                    result["seconds"] = seconds  # kept in .results/ only: `k2tf bench` reads it
                    results[key] = result
                    book.store(result)
                    book.write_tables(list(results.values()))
                    progress.step(f"{result['student']} {result['exercise']}: "
                                  f"{result['score']}/{result['max_score']}")
            except KeyboardInterrupt:
                for future in futures:
                    future.cancel()
                judge_module.stop_all()
                stream_err.write("\ninterrupted: every result written so far is kept; run the same "
                                 "command again to grade the rest\n")
                raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    book.write_tables(list(results.values()))
    _print_table(list(results.values()), stream_out, out)
    return 1 if any(r["status"] == "error" for r in results.values()) else 0


def _timed_judge(rebuilt, **kwargs):
    """The judgement of one submission and the wall-clock seconds it took."""
    started = time.perf_counter()
    judgement = judge_module.judge(rebuilt, **kwargs)
    return judgement, round(time.perf_counter() - started, 3)


def _raise_interrupt(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt


def _question_points(solution_path: Path, hidden_checks, exercise: str) -> dict[str, int]:
    from ..release import lint

    try:
        questions = lint(notebooks.read(solution_path), solution_path.name)
    except Exception:
        return {}
    points = {qid: q.points for qid, q in questions.items()}
    for h in hidden_checks:
        if h.question in points:
            points[h.question] += h.points
    return points


def _result(submission: Submission, key: str, print_: str, rebuilt, judgement) -> dict:
    if judgement.problem is not None:
        result = _error_result(submission, key, judgement.problem, print_, rebuilt.questions)
        result["notes"] = rebuilt.notes + judgement.notes
        return result
    questions = [{"question": q.question, "points": q.points, "max_points": q.max_points,
                  "status": q.status, "message": q.message} for q in judgement.questions]
    notes = rebuilt.notes + judgement.notes
    return {"key": key, "student": submission.student, "exercise": submission.exercise,
            "file": submission.path.name,
            "score": sum(q["points"] for q in questions),
            "max_score": sum(q["max_points"] for q in questions),
            "status": "graded", "message": "; ".join(notes), "questions": questions,
            "notes": notes, "graded_at": _now(), "fingerprint": print_}


def _print_table(results: list[dict], stream: TextIO, out: Path) -> None:
    results = sorted(results, key=lambda r: (r["student"], r["exercise"], r["key"]))
    rows = [("student", "exercise", "score", "status")] + [
        (r["student"], r["exercise"], f"{r['score']}/{r['max_score']}",
         r["status"] if r["status"] != "error" else "error: " + r["message"][:70])
        for r in results]
    widths = [max(len(str(row[i])) for row in rows) for i in range(3)]
    for index, row in enumerate(rows):
        stream.write("  ".join(str(c).ljust(w) for c, w in zip(row, widths)) + "  " + row[3] + "\n")
        if index == 0:
            stream.write("  ".join("-" * w for w in widths) + "  " + "-" * 6 + "\n")
    errors = sum(r["status"] == "error" for r in results)
    stream.write(f"\n{len(results)} submission(s) in {out}/summary.csv, gradebook.csv and "
                 f"feedback/; {errors} could not be graded\n")
    stream.flush()
