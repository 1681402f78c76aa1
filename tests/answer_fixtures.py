"""Honest and wrong answers to every question, run through the real checks.

A check judges what an answer *does*. For each question a lesson keeps, in
``tests/answers/lessonNN.py``, answers written differently from the solution that must pass
(:func:`honest`) and the mistakes students really make that must fail (:func:`wrong`), each
with what makes it different or wrong. ``tests/test_checks_lessonNN.py`` turns them into
tests with :func:`fixture_tests`:

* every answer runs in one IPython shell per lesson (one TensorFlow import, the way one
  kernel runs a notebook), in a child process of its own that ends with the lesson's test
  module (tests/fresh_process_shell.py): the solution notebook's cells run in order up to the
  question, with the question's answer regions replaced by the fixture's code, then the real
  check runs on the resulting names;
* a sample per lesson goes through ``k2tf grade`` end to end: one hand-in with the first
  honest answer of every question but the last (full marks for each), and the first wrong
  answer of the last question (no point for it).

An answer's ``code`` replaces the question's solution regions (``### BEGIN SOLUTION`` …
``### END SOLUTION``) in order; a question with several regions takes a tuple of strings.
The lines around the regions (a ``def`` line, a ``print`` after) stay the solution's, as they
do in the exercise a student gets. Code is dedented, then indented like the region it fills.
"""
from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from k2tf import notebooks, release

REPO = notebooks.REPO_ROOT


@dataclass(frozen=True)
class Answer:
    """One answer to one question: ``code`` for its solution region(s), and why it is kept."""

    code: tuple[str, ...]
    why: str
    honest: bool
    match: str | None = None  # wrong answers: a regex the check's message must match
    prefix: dict[str, tuple[str, ...]] = field(default_factory=dict)  # other questions' answers

    @property
    def label(self) -> str:
        return ("honest: " if self.honest else "wrong: ") + self.why


def _code(code: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return (code,) if isinstance(code, str) else tuple(code)


def honest(code, why: str, *, prefix: dict | None = None) -> Answer:
    """An answer the check must accept. ``prefix`` replaces earlier questions' answers too."""
    return Answer(_code(code), why, True, None,
                  {q: _code(c) for q, c in (prefix or {}).items()})


def wrong(code, why: str, *, match: str, prefix: dict | None = None) -> Answer:
    """An answer the check must reject, with a message matching the regex ``match``."""
    return Answer(_code(code), why, False, match,
                  {q: _code(c) for q, c in (prefix or {}).items()})


def fill_regions(source: str, codes: tuple[str, ...], where: str) -> str:
    """``source`` (a solution answer cell) with its solution regions replaced by ``codes``."""
    out: list[str] = []
    inside = None
    index = 0
    for line in source.splitlines():
        begin, end = release.BEGIN.match(line), release.END.match(line)
        if begin:
            inside = begin["indent"]
        elif end:
            if index >= len(codes):
                raise ValueError(f"{where}: the cell has more solution regions than the answer "
                                 f"gives ({len(codes)})")
            body = textwrap.dedent(codes[index]).strip("\n")
            out.extend(inside + part if part.strip() else "" for part in body.splitlines())
            if not body.strip():
                out.append(inside + "pass")
            index += 1
            inside = None
        elif inside is None:
            out.append(line)
    if index != len(codes):
        raise ValueError(f"{where}: the answer gives {len(codes)} region(s), the cell has {index}")
    return "\n".join(out)


def _lesson_notebook(lesson: str) -> tuple[str, object]:
    paths = sorted((REPO / "solutions").glob(f"{lesson}_*.ipynb"))
    assert len(paths) == 1, f"one solution notebook for lesson {lesson}, found {paths}"
    return paths[0].stem, notebooks.read(paths[0])


def _answer_cells(nb) -> dict[str, list]:
    cells: dict[str, list] = {}
    for cell in nb.cells:
        qid = cell.metadata.get("k2tf", {}).get("answer")
        if qid:
            cells.setdefault(qid, []).append(cell)
    return cells


def _split(codes: tuple[str, ...], cells: list, qid: str) -> list[tuple[str, ...]]:
    """The answer's regions, shared out over the question's answer cells in order."""
    counts = [sum(bool(release.BEGIN.match(line)) for line in c.source.splitlines()) for c in cells]
    if len(codes) != sum(counts):
        raise ValueError(f"{qid}: the answer gives {len(codes)} region(s); the solution's answer "
                         f"cells have {sum(counts)}")
    parts, start = [], 0
    for count in counts:
        parts.append(codes[start:start + count])
        start += count
    return parts


def answered_sources(nb, answers: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Cell id → source, for the answer cells of the questions in ``answers``."""
    sources = {}
    cells = _answer_cells(nb)
    for qid, codes in answers.items():
        if qid not in cells:
            raise ValueError(f"the solution has no answer cell for {qid}")
        for cell, part in zip(cells[qid], _split(codes, cells[qid], qid)):
            sources[cell.id] = fill_regions(cell.source, part, f"{qid} cell {cell.id}")
    return sources


class LessonShell:
    """One in-process IPython shell that runs a lesson's solution with answers swapped in."""

    def __init__(self, lesson: str, workdir: Path, share_prefix: tuple[str, ...] = ()):
        from IPython.core.interactiveshell import InteractiveShell

        self.lesson = lesson
        self.name, self.nb = _lesson_notebook(lesson)
        self.workdir = workdir
        self.shell = InteractiveShell.instance()
        self.share_prefix = set(share_prefix)
        self._snapshots: dict[str, dict] = {}

    def _first_answer_index(self, question_id: str) -> int:
        return next(i for i, cell in enumerate(self.nb.cells)
                    if cell.metadata.get("k2tf", {}).get("answer") == question_id)

    def namespace(self, question_id: str, answers: dict[str, tuple[str, ...]]) -> dict:
        """A namespace in which every code cell before ``question_id``'s check cell ran in order
        (earlier check cells skipped), with the answer cells of ``answers`` swapped in.

        Fresh each time, unless the lesson lists ``question_id`` in ``share_prefix``: then the
        solution's cells before the question run once, and each answer starts from a shallow copy
        of that namespace. Only for questions whose answers never change what earlier answers
        made (a model trained in an earlier question is read, not trained again).
        """
        start = 0
        if question_id in self.share_prefix and set(answers) == {question_id}:
            start = self._first_answer_index(question_id)
            if question_id not in self._snapshots:
                self._run_cells(self.nb.cells[:start], question_id, {}, fresh=True)
                self._snapshots[question_id] = dict(self.shell.user_ns)
            self.shell.reset(new_session=False)
            self.shell.user_ns.update(self._snapshots[question_id])
            return self._run_cells(self.nb.cells[start:], question_id, answers, fresh=False)
        return self._run_cells(self.nb.cells, question_id, answers, fresh=True)

    def _run_cells(self, cells, question_id: str, answers, *, fresh: bool) -> dict:
        sources = answered_sources(self.nb, answers)
        if fresh:
            self.shell.reset(new_session=False)
        old = os.getcwd()
        os.chdir(self.workdir)
        try:
            for cell in cells:
                if cell.cell_type != "code":
                    continue
                meta = cell.metadata.get("k2tf", {})
                if meta.get("check") == question_id:
                    return self.shell.user_ns
                if "check" in meta:
                    continue
                source = sources.get(cell.id, cell.source)
                result = self.shell.run_cell(source, store_history=False, silent=True)
                error = result.error_before_exec or result.error_in_exec
                if error is not None and meta.get("answer") not in answers:
                    raise AssertionError(f"{self.name}: cell {cell.id} (given, or the solution's "
                                         f"answer) failed: {type(error).__name__}: {error}")
                # an answer's own cell may fail: its check must then say so (a wrong answer)
        finally:
            os.chdir(old)
        if cells and cells[-1] is self.nb.cells[-1]:
            raise AssertionError(f"{self.name} has no check cell for {question_id}")
        return self.shell.user_ns

    def check(self, question_id: str, answer: Answer) -> str:
        """Run the real check of ``question_id`` on ``answer``: the pass line, or raise CheckFailed."""
        from k2tf.checks import run_check

        namespace = self.namespace(question_id, {**answer.prefix, question_id: answer.code})
        old = os.getcwd()
        os.chdir(self.workdir)
        try:
            return run_check(question_id, namespace)
        finally:
            os.chdir(old)
            import matplotlib.pyplot as plt

            plt.close("all")


def cases(answers: dict[str, list[Answer]]) -> list:
    out = []
    for qid, items in answers.items():
        for n, answer in enumerate(items, 1):
            kind = "honest" if answer.honest else "wrong"
            out.append(pytest.param(qid, answer, id=f"{qid}-{kind}{n}"))
    return out


def coverage_problems(lesson: str, answers: dict[str, list[Answer]], minimum: int = 3) -> list[str]:
    """What the fixtures of a lesson lack: every question needs ``minimum`` honest and wrong."""
    from k2tf.checks import all_questions

    problems = []
    for q in all_questions(lesson):
        items = answers.get(q.id, [])
        n_honest = sum(a.honest for a in items)
        n_wrong = len(items) - n_honest
        if n_honest < minimum or n_wrong < minimum:
            problems.append(f"{q.id}: {n_honest} honest and {n_wrong} wrong answers "
                            f"(at least {minimum} of each)")
    unknown = set(answers) - {q.id for q in all_questions(lesson)}
    problems += [f"{qid}: no such question" for qid in sorted(unknown)]
    return problems


def submission(lesson: str, answers: dict[str, tuple[str, ...]]):
    """The lesson's exercise as a student hands it in, with ``answers`` in its answer cells;
    questions not in ``answers`` get the solution's answer."""
    name, solution = _lesson_notebook(lesson)
    exercise = notebooks.read(REPO / "exercises" / f"{name}.ipynb")
    nb = release.answered(exercise, solution)
    sources = answered_sources(solution, answers)
    for cell in nb.cells:
        if cell.id in sources:
            cell.source = sources[cell.id]
    return name, nb


def grade(submissions: dict[str, object], tmp_path: Path) -> list[dict]:
    """Grade ``{student: (exercise name, notebook)}`` with the real ``k2tf grade``; its rows."""
    import nbformat

    subs, out = tmp_path / "submissions", tmp_path / "grades"
    for student, (name, nb) in submissions.items():
        path = subs / student / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(nbformat.writes(nb, version=4), encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    done = subprocess.run([sys.executable, "-m", "k2tf", "grade", str(subs), "--out", str(out),
                           "--jobs", "2"], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def fixture_tests(lesson: str, answers: dict[str, list[Answer]], *,
                  share_prefix: tuple[str, ...] = ()):
    """The tests of a lesson's fixtures: ``test_answer`` (each answer through its check),
    ``test_every_question_has_fixtures`` and ``test_graded_sample`` (``k2tf grade``).

    ``share_prefix``: questions whose answers only read what earlier answers made, so the
    solution's cells before them run once for all their answers (see LessonShell.namespace).
    """

    @pytest.fixture(scope="module")
    def lesson_shell(tmp_path_factory):
        # In a child process of its own, gone at the end of the module: a worker that ran one
        # lesson's answers in process ran the next lesson's ~1.75x slower (measured: lesson 08's
        # fixtures 88 s alone, 154 s after lesson 07's in the same process), and a lesson that
        # sets up devices (07, 10) needs a TensorFlow that no other lesson initialised.
        from fresh_process_shell import FreshProcessShell

        shell = FreshProcessShell(lesson, tmp_path_factory.mktemp(f"answers{lesson}"), share_prefix)
        yield shell
        shell.close()

    @pytest.mark.parametrize("question_id, answer", cases(answers))
    def test_answer(lesson_shell, question_id, answer):
        from k2tf.checks import CheckFailed

        if answer.honest:
            try:
                lesson_shell.check(question_id, answer)
            except CheckFailed as failure:
                pytest.fail(f"an honest answer ({answer.why}) was refused:\n{failure}")
        else:
            try:
                line = lesson_shell.check(question_id, answer)
            except CheckFailed as failure:
                assert re.search(answer.match, str(failure)), \
                    f"refused, but not for the expected reason /{answer.match}/:\n{failure}"
                assert "Hint:" in str(failure), "a failing check gives a hint"
            else:
                pytest.fail(f"a wrong answer ({answer.why}) was accepted: {line}")

    def test_every_question_has_fixtures():
        assert not coverage_problems(lesson, answers), "\n".join(coverage_problems(lesson, answers))

    def test_graded_sample(tmp_path):
        """One hand-in through the real grader: the first honest answer of every question but
        the last, and the first wrong answer of the last question (the last question alone
        loses its points)."""
        from k2tf.checks import all_questions

        questions = all_questions(lesson)
        last = questions[-1]
        bad = next(a for a in answers[last.id] if not a.honest)
        chosen: dict[str, tuple[str, ...]] = dict(bad.prefix)
        for q in questions[:-1]:
            first = next(a for a in answers[q.id] if a.honest)
            chosen.update({**first.prefix, **chosen})
            chosen[q.id] = first.code
        chosen[last.id] = bad.code
        rows = grade({"sample": submission(lesson, chosen)}, tmp_path)
        points = {r["question"]: (int(r["points"]), int(r["max_points"]), r["message"]) for r in rows}
        assert set(points) == {q.id for q in questions}, points
        for q in questions[:-1]:
            got, most, message = points[q.id]
            assert got == most, f"k2tf grade refused the first honest answer of {q.id}: {message}"
        got, most, message = points[last.id]
        assert got == 0, f"k2tf grade accepted a wrong answer to {last.id} ({bad.why})"

    return test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell
