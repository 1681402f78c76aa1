"""The checks that follow each exercise question.

A check cell in an exercise notebook reads::

    k2tf.check("01.q2", points=3)

It looks up the names the question asked you to define in your notebook, tests what they
*do* (shapes, values on fresh inputs, that training lowers the loss, …) and then either
prints one line::

    ✓ 01.q2 passed — 3/3 points

or stops with a short message that says what is wrong and gives a hint, without giving the
answer away. Lesson 00 walks through it.

Checks for lesson NN live in ``k2tf/checks/lessonNN.py``; each is a function decorated
with :func:`question` that receives an :class:`Answers` view of your notebook's names.
"""
from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass
from typing import Any, Callable

QUESTION_ID = re.compile(r"^(?P<lesson>\d\d)\.q(?P<number>[1-9]\d*)$")


class NotAnswered(Exception):
    """Raised by the placeholder that stands where your answer goes in an exercise."""

    def __init__(self, question_id: str):
        self.question_id = question_id
        super().__init__(
            f"{question_id} is not answered yet: replace this placeholder with your answer, "
            f"then run the cell again."
        )

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        return [f"NotAnswered: {self}"]


class CheckFailed(AssertionError):
    """A check did not pass. Its message says what is wrong and how to look for the fix."""

    def __init__(self, question_id: str, points: int, problem: str, hint: str | None):
        self.question_id = question_id
        self.points = points
        self.problem = problem
        self.hint = hint
        lines = [f"✗ {question_id} failed — 0/{points} points", problem]
        if hint:
            lines.append(f"Hint: {hint}")
        super().__init__("\n".join(lines))

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


class Fail(Exception):
    """Raised inside a question's check: what is wrong, and a hint for the fix."""

    def __init__(self, problem: str, hint: str | None = None):
        super().__init__(problem)
        self.problem = problem
        self.hint = hint


@dataclass(frozen=True)
class Question:
    """A graded question: its id (``"01.q2"``), points, what it checks, and the check itself.

    ``defines`` are the names the question's answer creates (a later question that reads one
    of them says which question to answer first); ``fixed`` says what the question text fixes
    (names, shapes, return types, data) and ``verifies`` what the check tests, one item each,
    for ``k2tf questions --detail``.
    """

    id: str
    points: int
    checks: str
    run: Callable[["Answers"], None]
    defines: tuple[str, ...] = ()
    fixed: str = ""
    verifies: tuple[str, ...] = ()


_REGISTRY: dict[str, Question] = {}


def question(question_id: str, *, points: int, checks: str, defines: tuple[str, ...] = (),
             fixed: str = "", verifies: tuple[str, ...] = ()) -> Callable:
    """Register the decorated function as the check of ``question_id``.

    ``checks`` says in one sentence what is tested; ``fixed`` what the question leaves the
    student no choice about; ``verifies`` each thing the check tests. They are shown to
    instructors (``k2tf questions --detail``), never the check's source. ``defines`` lists the
    names the answer creates.
    """
    if not QUESTION_ID.match(question_id):
        raise ValueError(f"question ids look like '01.q2', not {question_id!r}")
    if points < 1:
        raise ValueError("a question is worth at least 1 point")
    if isinstance(defines, str) or isinstance(verifies, str):
        raise TypeError("defines and verifies are tuples of strings")

    def register(function: Callable[[Answers], None]) -> Callable[[Answers], None]:
        if question_id in _REGISTRY:
            raise ValueError(f"question {question_id} is registered twice")
        _REGISTRY[question_id] = Question(question_id, points, checks, function, tuple(defines),
                                          fixed, tuple(verifies))
        return function

    return register


def defined_by(name: str, lesson: str) -> str | None:
    """The question of ``lesson`` whose answer defines ``name``, if one does."""
    for q in _REGISTRY.values():
        if q.id.startswith(f"{lesson}.") and name in q.defines:
            return q.id
    return None


def get_question(question_id: str) -> Question:
    """The registered :class:`Question` with this id (importing its lesson's checks)."""
    match = QUESTION_ID.match(question_id)
    if not match:
        raise ValueError(f"question ids look like '01.q2', not {question_id!r}")
    module = f"{__name__}.lesson{match['lesson']}"
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name != module:
            raise
    try:
        return _REGISTRY[question_id]
    except KeyError:
        raise KeyError(f"there is no question {question_id} in this course") from None


def all_questions(lesson: str | None = None) -> list[Question]:
    """Every registered question (of one lesson, e.g. ``"01"``), in order."""
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("lesson"):
            importlib.import_module(f"{__name__}.{info.name}")
    found = [q for q in _REGISTRY.values() if lesson is None or q.id.startswith(f"{lesson}.")]
    return sorted(found, key=lambda q: (q.id[:2], int(q.id[4:])))


_MISSING = object()


class Answers:
    """Read-only access to the names a student defined, for a question's check.

    ``answers["model"]`` returns the value or fails with a message that says the name is not
    defined yet, so a check never shows a bare ``NameError``.
    """

    def __init__(self, namespace: dict[str, Any], question_id: str):
        self._namespace = namespace
        self.question_id = question_id

    def __getitem__(self, name: str) -> Any:
        value = self._namespace.get(name, _MISSING)
        if value is _MISSING:
            source = defined_by(name, self.question_id[:2])
            if source is not None and source != self.question_id:
                raise Fail(
                    f"`{name}` is not defined: {source} defines it, and it is not answered yet "
                    f"(or its cell has not been run), so {self.question_id} cannot be checked.",
                    f"answer {source} first and run its cell, then run this question's answer "
                    "cell and this check again.",
                )
            if source == self.question_id:
                raise Fail(
                    f"`{name}` is not defined yet: {source} is not answered yet, or its answer "
                    "cell has not been run.",
                    "write your answer in the cell above, run it, then run this check again.",
                )
            raise Fail(
                f"`{name}` is not defined yet.",
                "run your answer cell above this check, then run this check again.",
            )
        return value

    def __contains__(self, name: str) -> bool:
        return name in self._namespace

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the student's function ``name``; turn anything it raises into a clear failure."""
        function = self[name]
        if not callable(function):
            raise Fail(f"`{name}` should be a function, but it is a {type(function).__name__}.")
        try:
            return function(*args, **kwargs)
        except NotAnswered:
            raise
        except Fail:
            raise
        except Exception as error:  # the student's code failed: say how, briefly
            raise Fail(
                f"calling `{name}` raised {type(error).__name__}: {first_line(error)}",
                "run your function on a small example in a cell of its own to see where it fails.",
            ) from None


def first_line(error: BaseException) -> str:
    """The first line of an error's message, for a one-line failure (``(no message)`` if none)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else "(no message)"


def run_check(question_id: str, namespace: dict[str, Any], points: int | None = None) -> str:
    """Run one question's check against ``namespace``; return the success line or raise.

    Raises :class:`CheckFailed` when the answer is missing, wrong, or the student's code
    fails while it is checked. ``points``, when given, must match the registered points (the
    check cell states them, so a mismatch is an error in the course, not in the answer).
    """
    q = get_question(question_id)
    if points is not None and points != q.points:
        raise ValueError(
            f"check cell of {question_id} says {points} points, the course says {q.points}; "
            "run `k2tf release` after fixing the solution notebook"
        )
    try:
        q.run(Answers(namespace, question_id))
    except NotAnswered as error:
        if error.question_id != question_id:
            raise CheckFailed(
                question_id, q.points,
                f"{error.question_id} is not answered yet, so {question_id} cannot be checked.",
                f"answer {error.question_id} first and run its cell, then run this question's "
                "answer cell and this check again.",
            ) from None
        raise CheckFailed(
            question_id, q.points, f"{error.question_id} is not answered yet.",
            "replace the placeholder `raise k2tf.NotAnswered(...)` with your code.",
        ) from None
    except Fail as failure:
        raise CheckFailed(question_id, q.points, failure.problem, failure.hint) from None
    return f"✓ {question_id} passed — {q.points}/{q.points} points"


def check(question_id: str, points: int | None = None) -> None:
    """Check your answer to ``question_id``: print a ✓ line, or stop with what is wrong.

    Call it from the check cell after each question; it reads the names your notebook
    defined.
    """
    namespace = sys._getframe(1).f_globals  # the notebook's namespace (the caller's globals)
    # One write, not print(): print writes the line and its newline separately, and a kernel
    # may flush between the two, storing the output in two pieces.
    sys.stdout.write(run_check(question_id, namespace, points) + "\n")
