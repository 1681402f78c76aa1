"""``k2tf grade``: grade every hand-in under some paths, N at a time.

Three steps, kept apart so that another executor (a Dask cluster: :mod:`k2tf.grading.on_dask`)
replaces the middle one and nothing else:

* :func:`plan` lists the hand-ins (:mod:`~k2tf.grading.layouts`), names each student (the
  layout, or ``--roster``), tells each exercise, keeps the latest of two hand-ins of one student
  and exercise (saying which and why), and stops with a listing when it cannot tell: it reads
  files, runs nothing. ``--dry-run`` prints it and ends there.
* :func:`prepare` turns the plan into work: what a previous run already graded is kept (same
  inputs, same fingerprint), the rest is rebuilt against its solution. Identical notebooks are
  run once.
* :func:`execute` judges each piece of work, N at a time, and :class:`Recorder` files each
  result as it comes (``.results/``, feedback page, CSV files) and, at the end, the class
  report and the exports.

What an instructor gets (see :mod:`k2tf.grading.gradebook` for the files): a progress bar on
stderr while it works, a table on stdout at the end, and an exit status of 0 when every hand-in
was graded (whatever the scores), 1 when some could not be graded at all (they are in the
summary with status ``error`` and why), 2 on bad usage or a layout it cannot read.
"""
from __future__ import annotations

import secrets
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, TextIO

from . import exports as exports_module
from . import feedback as feedback_module
from . import gradebook as gradebook_module
from . import judge as judge_module
from . import on_dask
from . import outline as outline_module
from . import roster as roster_module
from .layouts import LAYOUTS, HandIn, list_handins
from .submissions import Submission, course_exercises, from_handin, safe_name

# nbformat, the rebuild and the checks are imported where a notebook is graded: listing a class
# (``--dry-run``) imports none of them, and takes a fraction of a second.
COURSE_ROOT = Path(__file__).resolve().parent.parent.parent


class UsageError(ValueError):
    """Bad usage: the message says what to change."""


class LayoutError(UsageError):
    """The hand-ins cannot all be named: the message lists what was found and how to fix it."""


def _code_version() -> str:
    """A fingerprint of the code a grade depends on: the grader and the course's checks."""
    package = Path(__file__).resolve().parent.parent
    files = sorted(package.glob("grading/*.py")) + sorted(package.glob("checks/*.py"))
    return gradebook_module.fingerprint(*[p.read_bytes() for p in files])


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


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


# --- 1. plan: who handed in what --------------------------------------------------------------

@dataclass
class Planned:
    """One hand-in to grade, and the hand-ins of the same student and exercise it won over."""

    submission: Submission
    notes: list[str] = field(default_factory=list)  # for people: late, later hand-in kept, …

    @property
    def key(self) -> str:
        return self.submission.key


@dataclass
class Problem:
    handin: HandIn
    why: str
    fix: str


@dataclass
class Plan:
    planned: list[Planned]
    dropped: list[tuple[Submission, str]]  # (hand-in not graded, why)
    ignored: list  # layouts.Ignored
    problems: list[Problem]
    identities: dict[str, exports_module.Identity]
    exercises: list[str]

    @property
    def notes(self) -> dict[str, list[str]]:
        return {p.key: p.notes for p in self.planned if p.notes}


FIX_ROSTER = "give --roster roster.csv with each student's id (canvas_id, sid) or name, so each is told apart"
FIX_ADD_ROW = "add a row for each to the roster (an alias column takes other names they use)"


def plan(paths: list[Path], exercises: list[str], *, roster: roster_module.Roster | None = None,
         layout: str = "auto") -> Plan:
    """Who handed in what, and what will be graded (see the module's docstring).

    Raises ``FileNotFoundError`` for a missing path and ``ValueError`` for an unknown layout or
    an unreadable zip given by itself. Problems that stop the run are in :attr:`Plan.problems`.
    """
    listing = list_handins(paths, exercises, layout)
    problems: list[Problem] = []
    identities: dict[str, exports_module.Identity] = {}
    submissions: list[Submission] = []
    for handin in listing.handins:
        if handin.problem is not None:
            fix = ("drop --layout, or choose the layout these files have" if "not in the form" in handin.problem
                   else "move or rename the file as it says")
            problems.append(Problem(handin, handin.problem, fix))
            continue
        name, row = handin.student, None
        if roster is not None:
            row, why = roster.find(handin)
            if row is None:
                problems.append(Problem(handin, why, FIX_ADD_ROW))
                continue
            name = row.name
        if not name or name == "?":
            problems.append(Problem(handin, "the layout gives no name", "rename the file or its folder"))
            continue
        submission = from_handin(handin, name, exercises)
        submissions.append(submission)
        who = identities.setdefault(name, exports_module.Identity(name))
        who.roster = row or who.roster
        if handin.layout == "canvas" and handin.platform_id:
            who.canvas_ids.add(handin.platform_id)
        if handin.layout == "moodle" and handin.platform_id and submission.exercise:
            who.moodle[submission.exercise] = handin.platform_id
        if handin.layout == "gradescope" and handin.platform_id:
            who.gradescope.add(handin.platform_id)

    # one name, two people: two platform ids behind one name (Moodle's ids are per assignment)
    ids: dict[tuple, dict[str, list[Submission]]] = {}
    for s in submissions:
        h = s.handin
        if h.layout in ("canvas", "gradescope") and h.platform_id:
            ids.setdefault((s.student, h.layout), {}).setdefault(h.platform_id, []).append(s)
        elif h.layout == "moodle" and h.platform_id:
            ids.setdefault((s.student, h.layout, s.exercise), {}).setdefault(h.platform_id, []).append(s)
    clashing: set[int] = set()
    for (student, layout_name, *_), by_id in ids.items():
        if len(by_id) > 1:
            for platform_id, group in by_id.items():
                for s in group:
                    clashing.add(id(s))
                    problems.append(Problem(s.handin, f"{len(by_id)} different {layout_name} ids "
                                            f"({', '.join(sorted(by_id))}) hand in as {student!r}",
                                            FIX_ROSTER if roster is None else
                                            "give these students their ids (canvas_id, sid) in the roster"))
    # two names, one file name: feedback pages and results are filed by a name made safe
    safe: dict[str, set[str]] = {}
    for s in submissions:
        safe.setdefault(safe_name(s.student), set()).add(s.student)
    for s in submissions:
        names = safe[safe_name(s.student)]
        if len(names) > 1 and id(s) not in clashing:
            clashing.add(id(s))
            problems.append(Problem(s.handin, "the names " + " and ".join(repr(n) for n in sorted(names))
                                    + f" would share the file name {safe_name(s.student)!r}",
                                    "give them different names with --roster"))
    submissions = [s for s in submissions if id(s) not in clashing]

    # two hand-ins of one student and one exercise: the latest counts, said so
    by_key: dict[str, list[Submission]] = {}
    for s in submissions:
        by_key.setdefault(s.key, []).append(s)
    planned: list[Planned] = []
    dropped: list[tuple[Submission, str]] = []
    for key, group in by_key.items():
        if len(group) == 1:
            chosen, rule = group[0], None
        else:
            chosen, rule, problem = _latest(group)
            if problem is not None:
                for s in group:
                    problems.append(Problem(s.handin, problem[0], problem[1]))
                continue
        notes = []
        h = chosen.handin
        if h.late:
            notes.append(f"handed in late ({h.how})")
        for other in group:
            if other is not chosen:
                dropped.append((other, f"not graded: {rule}; {chosen.origin} is graded"))
                notes.append(f"also handed in: {_inside(other)}, not graded: {rule}")
        planned.append(Planned(chosen, notes))
    planned.sort(key=lambda p: (p.submission.student, p.submission.exercise or p.submission.file, p.key))
    for name in [n for n in identities if not any(p.submission.student == n for p in planned)]:
        del identities[name]
    return Plan(planned, dropped, listing.ignored, problems, identities, exercises)


def _inside(s: Submission) -> str:
    """Where a hand-in came from, without the folder that was graded (pages must not depend on it)."""
    h = s.handin
    if h is not None and h.layout == "folders":
        return "/".join((*h.student_folder, s.file))
    return s.file


def _latest(group: list[Submission]):
    """``(chosen, the rule in words, None)`` or ``(None, None, (why, fix))`` when it cannot tell.

    The latest hand-in counts, by the platform's own order: Canvas numbers each upload (the
    higher number is the later), Gradescope dates each submission; otherwise the files'
    modification times (kept in zips too) decide.
    """
    handins = [s.handin for s in group]
    kinds = {h.layout for h in handins}
    if kinds == {"folders"}:
        depths = {len(h.student_folder) for h in handins}
        parents = {h.student_folder for h in handins}
        if len(depths) == 1 and len(parents) > 1:
            where = ", ".join("/".join((group[0].student, *h.student_folder)) for h in handins)
            return None, None, (
                f"the same exercise in sibling folders ({where}): is {group[0].student!r} one student, or "
                "a class whose folders are students?",
                "if it is a class's zip or folder, give it as the PATH itself; otherwise remove the copy "
                "that does not count")
    if kinds == {"canvas"} and all(h.number is not None for h in handins):
        order = [(h.number, h.copy) for h in handins]
        best = max(order)
        rule = "the later Canvas upload counts (Canvas numbers each upload; the highest number is the latest)"
        tie = "Canvas gave both the same number"
    elif kinds == {"gradescope"} and all(h.time_is_platform for h in handins):
        order = [h.time for h in handins]
        best = max(order)
        rule = f"the later Gradescope submission counts ({_when(best)})"
        tie = f"Gradescope dates both {_when(best)}"
    elif all(h.time is not None for h in handins):
        order = [h.time for h in handins]
        best = max(order)
        rule = f"the later one counts, by the files' modification times ({_when(best)})"
        tie = f"both files were last modified at {_when(best)}"
    else:
        return None, None, ("two hand-ins of the same exercise with nothing to order them by",
                            "remove the one that does not count")
    if order.count(best) > 1:
        return None, None, (f"two hand-ins of the same exercise, and {tie}: which one counts cannot be told",
                            "remove the one that does not count")
    return group[order.index(best)], rule, None


# --- the listing, for --dry-run and for a layout that stops the run -------------------------------

def _rows(p: Plan, problems_only: bool = False) -> list[tuple[str, str, str, str, str]]:
    rows = []
    if not problems_only:
        for item in p.planned:
            s = item.submission
            state = "error: " + s.problem if s.problem else "grade"
            rows.append((s.student, s.exercise or "?", s.origin, s.handin.how if s.handin else "", state))
        for s, why in p.dropped:
            rows.append((s.student, s.exercise or "?", s.origin, s.handin.how if s.handin else "", why))
    for problem in p.problems:
        h = problem.handin
        rows.append((h.student if h.student != "?" else "?", h.exercise_by_name or "?", h.origin, h.how,
                     "✗ " + problem.why))
    return sorted(rows, key=lambda r: (r[0], r[1], r[2]))


def format_plan(p: Plan, *, limit: int | None = None) -> str:
    """The student → exercise mapping as a table: who, which exercise, from where, how, what happens."""
    rows = _rows(p)
    shown = rows if limit is None or len(rows) <= limit else [r for r in rows if r[4].startswith("✗")]
    header = ("student", "exercise", "hand-in", "layout", "what happens")
    widths = [min(40, max(len(str(r[i])) for r in [header, *shown])) for i in range(4)]
    lines = ["  ".join(str(c)[:w].ljust(w) for c, w in zip(header, widths)) + "  " + header[4],
             "  ".join("-" * w for w in widths) + "  " + "-" * 12]
    for r in shown:
        lines.append("  ".join(_fit(str(c), w).ljust(w) for c, w in zip(r, widths)) + "  " + r[4])
    if len(shown) < len(rows):
        lines.append(f"… and {len(rows) - len(shown)} more that can be graded (run with --dry-run to see them all)")
    students = {item.submission.student for item in p.planned}
    errors = sum(1 for item in p.planned if item.submission.problem)
    lines.append("")
    lines.append(f"{len(p.planned)} hand-in(s) of {len(students)} student(s) to grade"
                 + (f" ({errors} cannot be graded: the reason is in its line)" if errors else "")
                 + (f"; {len(p.dropped)} not graded (a later one of the same student and exercise is)"
                    if p.dropped else "")
                 + (f"; {len(p.ignored)} file(s) ignored" if p.ignored else ""))
    for ignored in p.ignored[:20]:
        lines.append(f"  ignored: {ignored.origin}: {ignored.why}")
    if len(p.ignored) > 20:
        lines.append(f"  … and {len(p.ignored) - 20} more ignored")
    return "\n".join(lines)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]


def layout_error(p: Plan) -> LayoutError:
    fixes = list(dict.fromkeys(problem.fix for problem in p.problems))
    text = (f"cannot tell who handed in {len(p.problems)} notebook(s), so nothing was graded. "
            "What was found, and how each would be named:\n\n" + format_plan(p, limit=60)
            + "\n\nTo fix it:\n" + "\n".join(f"  - {fix}" for fix in fixes)
            + "\n  - or choose the layout with --layout (" + ", ".join(LAYOUTS[1:]) + ")")
    return LayoutError(text)


# --- 2. prepare: what needs grading -------------------------------------------------------------

@dataclass
class Work:
    """One notebook to judge, and every hand-in with the same bytes (they get its judgement)."""

    rebuilt: object  # rebuild.Rebuilt
    members: list[tuple[Planned, str]]  # (hand-in, its fingerprint)


@dataclass
class Settings:
    limits: judge_module.Limits
    hidden_checks: list
    hidden_sources: dict
    course_root: Path
    solutions: dict[str, Path]
    hide: list[Path]


def _error_result(submission: Submission, key: str, message: str, print_: str,
                  checks: list[tuple[str, str, int]] | None = None) -> dict:
    """The result of a hand-in that could not be graded: every check of every question an error.

    ``checks`` are ``(question, check name, points)``: the public check ``check`` and hidden ones.
    """
    rows: dict[str, dict] = {}
    for qid, name, points in checks or []:
        row = rows.setdefault(qid, {"question": qid, "points": 0, "max_points": 0, "status": "error",
                                    "message": message, "checks": [], "unanswered": False})
        row["max_points"] += points
        row["checks"].append({"name": name, "points": 0, "max_points": points, "status": "error",
                              "message": message})
    return {"key": key, "student": submission.student,
            "exercise": submission.exercise or submission.file,
            "file": submission.file, "score": 0,
            "max_score": sum(r["max_points"] for r in rows.values()), "status": "error", "message": message,
            "questions": list(rows.values()), "notes": [], "graded_at": _now(), "fingerprint": print_}


def prepare(p: Plan, settings: Settings, book: gradebook_module.Gradebook) -> tuple[dict[str, dict], set[str], list[Work]]:
    """``(results already known, keys kept from a previous run, work to judge)``."""
    from .. import notebooks
    from .rebuild import RebuildError, rebuild

    code = _code_version()
    limits = settings.limits
    run_settings = f"{limits.cell_timeout}|{limits.submission_timeout}|{limits.memory}"
    hidden_print = gradebook_module.fingerprint(*[f"{k}\0{v}" for k, v in sorted(settings.hidden_sources.items())])
    results: dict[str, dict] = {}
    reused: set[str] = set()
    work: dict[str, Work] = {}
    for item in p.planned:
        submission, key = item.submission, item.key
        solution_path = settings.solutions.get(submission.exercise)
        solution_bytes = solution_path.read_bytes() if solution_path else b""
        content = gradebook_module.fingerprint(submission.data, solution_bytes, hidden_print, code, run_settings)
        print_ = gradebook_module.fingerprint(submission.data, solution_bytes, hidden_print, code, run_settings,
                                              submission.student, submission.file)
        stored = book.stored(key, print_)
        if stored is not None:
            results[key] = stored
            reused.add(key)
            continue
        if content in work and submission.problem is None:
            work[content].members.append((item, print_))
            continue
        if submission.problem is None:
            submission.notebook  # noqa: B018 - read in full: sets the problem of a malformed one
        questions = _question_checks(solution_path, settings.hidden_checks) if solution_path else None
        if submission.problem is not None:
            results[key] = _error_result(submission, key, submission.problem, print_, questions)
            continue
        solution = notebooks.read(solution_path)
        try:
            rebuilt = rebuild(solution, submission.exercise, submission.notebook,
                              private_name=f"_k2tf_grader_{secrets.token_hex(8)}",
                              hidden=[h for h in settings.hidden_checks if h.question[:2] == submission.exercise[:2]],
                              hidden_sources=settings.hidden_sources)
        except RebuildError as error:
            results[key] = _error_result(submission, key, str(error), print_, questions)
            continue
        work[content] = Work(rebuilt, [(item, print_)])
    return results, reused, list(work.values())


def _question_checks(solution_path: Path, hidden_checks) -> list[tuple[str, str, int]]:
    """``(question, check, points)`` of every check of the solution's questions, hidden ones after."""
    from .. import notebooks
    from ..release import lint

    try:
        questions = lint(notebooks.read(solution_path), solution_path.name)
    except Exception:
        return []
    checks = []
    for qid, q in questions.items():
        checks.append((qid, "check", q.points))
        checks += [(qid, h.name, h.points) for h in hidden_checks if h.question == qid]
    return checks


# --- 3. execute: judge each piece of work ---------------------------------------------------------

def _timed_judge(rebuilt, **kwargs):
    """The judgement of one submission and the wall-clock seconds it took."""
    started = time.perf_counter()
    judgement = judge_module.judge(rebuilt, **kwargs)
    return judgement, round(time.perf_counter() - started, 3)


def execute(work: list[Work], *, jobs: int, limits: judge_module.Limits, hide: list[Path]
            ) -> Iterator[tuple[Work, judge_module.Judgement, float | None]]:
    """Judge each piece of work in a fresh, limited kernel, ``jobs`` at a time; yield as each ends.

    This is the step another executor replaces: it needs only the rebuilt notebook, the limits
    and the folders to hide, and gives back a :class:`~k2tf.grading.judge.Judgement`.
    """
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_timed_judge, w.rebuilt, limits=limits, hide=hide): w for w in work}
        try:
            for future in as_completed(futures):
                w = futures[future]
                try:
                    judgement, seconds = future.result()
                except Exception as error:  # a bug or a system failure: say so, go on
                    judgement, seconds = judge_module.Judgement(
                        [], problem=f"the grader failed: {type(error).__name__}: {error}"), None
                yield w, judgement, seconds
        except BaseException:
            for future in futures:
                future.cancel()
            judge_module.stop_all()
            raise


def _result(submission: Submission, key: str, print_: str, rebuilt, judgement) -> dict:
    if judgement.problem is not None:
        result = _error_result(submission, key, judgement.problem, print_,
                               [(c.question, c.name, c.points) for c in rebuilt.checks])
        result["notes"] = rebuilt.notes + judgement.notes
        return result
    questions = [{"question": q.question, "points": q.points, "max_points": q.max_points,
                  "status": q.status, "message": q.message, "checks": q.checks,
                  "unanswered": q.unanswered} for q in judgement.questions]
    notes = rebuilt.notes + judgement.notes
    return {"key": key, "student": submission.student, "exercise": submission.exercise,
            "file": submission.file,
            "score": sum(q["points"] for q in questions),
            "max_score": sum(q["max_points"] for q in questions),
            "status": "graded", "message": "; ".join(notes), "questions": questions,
            "notes": notes, "graded_at": _now(), "fingerprint": print_}


# --- 4. record: the files an instructor reads --------------------------------------------------

class Recorder:
    """Files each result as it comes; the report and the exports at the end.

    Each result's own files (``.results/``, its feedback page) are written at once. The class
    tables (``summary.csv``, ``gradebook.csv``) hold every result, so rewriting them for each one
    costs a time that grows with the class (10,000 hand-ins took minutes of the writer's time for
    nothing): they are rewritten at most every :attr:`TABLES_EVERY` seconds while results come,
    and always at the end and on an interruption.
    """

    TABLES_EVERY = 2.0

    def __init__(self, book: gradebook_module.Gradebook, p: Plan, outlines: dict[str, outline_module.Outline],
                 *, hidden_feedback: str, lesson_url: str):
        self.book, self.plan, self.outlines = book, p, outlines
        self.hidden_feedback, self.lesson_url = hidden_feedback, lesson_url
        self.notes = p.notes
        self.results: dict[str, dict] = {}
        self._tables_written = float("-inf")

    def page(self, result: dict) -> None:
        self.book.write_feedback(result, self.outlines.get(result["exercise"]),
                                 hidden_feedback=self.hidden_feedback, lesson_url=self.lesson_url,
                                 notes=self.notes.get(result["key"]))

    def add(self, result: dict, *, store: bool = True, tables: bool = True) -> None:
        self.results[result["key"]] = result
        if store:
            self.book.store(result)
        self.page(result)
        if tables and time.monotonic() - self._tables_written >= self.TABLES_EVERY:
            self.tables()

    def tables(self) -> None:
        self.book.write_tables(list(self.results.values()), self.notes)
        self._tables_written = time.monotonic()

    def finish(self, exports: list[str]) -> list[str]:
        """The CSV files, the class report and the exports; returns notes for the instructor."""
        results = list(self.results.values())
        folder = self.book.folder
        self.tables()
        from . import report as report_module

        exports_module.wide(folder, results)
        gradebook_module.write_atomically(folder / "report.html",
                                          report_module.render(results, self.outlines, self.notes))
        said = []
        if "canvas" in exports:
            _, notes = exports_module.canvas(folder, results, self.plan.identities)
            said += notes
        if "moodle" in exports:
            _, notes = exports_module.moodle(folder, results, self.plan.identities)
            said += notes
        errors = [r for r in results if r["status"] == "error"]
        if exports and errors:
            said.append(f"{len(errors)} hand-in(s) could not be graded: their scores are left empty in the "
                        "exports (summary.csv says why)")
        return said


def grade(paths: list[Path], *, out: Path = Path("grades"), jobs: int = 1,
          limits: judge_module.Limits | None = None, hidden_folder: Path | None = None,
          course_root: Path = COURSE_ROOT, stream_out: TextIO = sys.stdout,
          stream_err: TextIO = sys.stderr, roster_path: Path | None = None, layout: str = "auto",
          dry_run: bool = False, exports: list[str] | None = None, hidden_feedback: str = "message",
          lesson_url: str = outline_module.DEFAULT_LESSON_URL, scheduler: str | None = None,
          cluster: str | None = None) -> int:
    """Grade the notebooks under ``paths`` into ``out``; return the exit status (0 or 1).

    ``jobs`` submissions at once on this machine; or, with ``scheduler`` (``tcp://host:port``) or
    ``cluster`` (``local:N``), on a Dask cluster (:mod:`k2tf.grading.on_dask`), into the same files.
    Raises :class:`UsageError` for bad usage (a missing path, nothing to grade, a broken hidden
    check folder or roster) and :class:`LayoutError` when it cannot tell who handed in what.
    """
    limits = limits or judge_module.Limits()
    exports = list(exports or [])
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if scheduler and cluster:
        raise UsageError("give --scheduler (a running Dask cluster) or --cluster local:N, not both")
    if (scheduler or cluster) and jobs != 1:
        raise UsageError("--jobs is for grading on this machine; on Dask, the workers (and their "
                         "threads) set how many submissions are graded at once")
    local_workers = None
    if cluster:
        try:
            local_workers = on_dask.parse_cluster(cluster)
        except ValueError as error:
            raise UsageError(str(error)) from None
    unknown = sorted(set(exports) - set(exports_module.EXPORTS))
    if unknown:
        raise UsageError(f"--export {', '.join(unknown)}: choose from {', '.join(exports_module.EXPORTS)}")
    if hidden_feedback not in feedback_module.HIDDEN_FEEDBACK:
        raise UsageError(f"--hidden-feedback {hidden_feedback}: choose from "
                         f"{', '.join(feedback_module.HIDDEN_FEEDBACK)}")
    roster = None
    if roster_path is not None:
        try:
            roster = roster_module.read(Path(roster_path))
        except roster_module.RosterError as error:
            raise UsageError(str(error)) from None
    exercises = course_exercises(course_root)
    try:
        p = plan([Path(x) for x in paths], exercises, roster=roster, layout=layout)
    except (FileNotFoundError, ValueError) as error:
        raise UsageError(str(error)) from None
    if not p.planned and not p.problems:
        raise UsageError("no notebook (.ipynb) found under " + ", ".join(map(str, paths)))
    if p.problems:
        raise layout_error(p)
    if dry_run:
        stream_out.write(format_plan(p) + "\n\n--dry-run: nothing was graded, nothing was written.\n")
        stream_out.flush()
        return 0
    hidden_checks, hidden_sources = [], {}
    if hidden_folder is not None:
        from . import hidden as hidden_module

        if not Path(hidden_folder).is_dir():
            raise UsageError(f"--hidden {hidden_folder}: not a folder")
        try:
            hidden_checks, hidden_sources = hidden_module.load(Path(hidden_folder))
        except ValueError as error:
            raise UsageError(str(error)) from None
    out = Path(out)
    book = gradebook_module.Gradebook(out)
    settings = Settings(limits=limits, hidden_checks=hidden_checks, hidden_sources=hidden_sources,
                        course_root=course_root,
                        solutions={name: course_root / "solutions" / f"{name}.ipynb" for name in exercises},
                        hide=[out.resolve()] + ([Path(hidden_folder).resolve()] if hidden_folder else []))
    out.mkdir(parents=True, exist_ok=True)
    for note in (n for item in p.planned for n in item.notes if n.startswith("also handed in")):
        stream_err.write(f"note: {note}\n")
    outlines = {x: outline_module.read(course_root, x) for x in
                sorted({item.submission.exercise for item in p.planned if item.submission.exercise in exercises})}
    recorder = Recorder(book, p, outlines, hidden_feedback=hidden_feedback, lesson_url=lesson_url)
    known, reused, work = prepare(p, settings, book)
    progress = Progress(len(p.planned), stream_err)
    for key, result in known.items():
        recorder.add(result, store=key not in reused, tables=False)
        progress.step(f"{result['student']} {result['exercise']}: "
                      + ("kept from the previous run" if key in reused else result["status"]))
    if known:
        recorder.tables()

    dask = None
    if (scheduler or local_workers) and work:
        try:
            dask = on_dask.DaskExecutor(scheduler=scheduler, local_workers=local_workers,
                                        course_root=course_root, stream_err=stream_err).__enter__()
            workers = dask.check_workers()
        except on_dask.ClusterError as error:
            if dask is not None:
                dask.close()
            stream_err.write(f"k2tf grade: {error}\n")
            return 1
        stream_err.write(f"grading on Dask: {len(workers)} worker(s) of {dask.address}"
                         + (f"; dashboard: {dask.dashboard}" if dask.dashboard else "") + "\n")
        stream_err.flush()
        runner = dask.execute(work, limits=limits, hide=settings.hide)
    else:
        runner = execute(work, jobs=jobs, limits=limits, hide=settings.hide)

    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        try:
            for w, judgement, seconds in runner:
                for item, print_ in w.members:
                    result = _result(item.submission, item.key, print_, w.rebuilt, judgement)
                    result["seconds"] = seconds  # kept in .results/ only: `k2tf bench` reads it
                    recorder.add(result)
                    progress.step(f"{result['student']} {result['exercise']}: "
                                  f"{result['score']}/{result['max_score']}")
        except KeyboardInterrupt:
            recorder.tables()
            stream_err.write("\ninterrupted: every result written so far is kept; run the same "
                             "command again to grade the rest\n")
            raise
        except on_dask.ClusterError as error:
            recorder.tables()
            stream_err.write(f"\nk2tf grade: {error}\n")
            return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
        if dask is not None:
            dask.close()
    for note in recorder.finish(exports):
        stream_err.write(f"note: {note}\n")
    results = list(recorder.results.values())
    _print_table(results, stream_out, out, exports)
    refused = dask.refused if dask is not None else []
    if refused:
        stream_err.write(f"k2tf grade: {sum(len(r.work.members) for r in refused)} hand-in(s) not graded: "
                         f"the worker that took them refused ({refused[0].why}); grade them with workers "
                         f"that have this course: run the same command again\n")
    return 1 if refused or any(r["status"] == "error" for r in results) else 0


def _raise_interrupt(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt


def _print_table(results: list[dict], stream: TextIO, out: Path, exports: list[str] = ()) -> None:
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
    extra = "".join(f", {x}.csv" if x == "canvas" else ", moodle/" for x in exports)
    stream.write(f"\n{len(results)} submission(s) in {out}/summary.csv, gradebook.csv, gradebook-wide.csv"
                 f"{extra}, report.html and feedback/; {errors} could not be graded\n")
    stream.flush()
