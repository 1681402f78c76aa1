"""Hidden checks: extra checks per question that an instructor keeps from students.

``k2tf grade --hidden DIR`` reads every ``DIR/*.py``. A hidden-check file looks like a
lesson's check file (``k2tf/checks/lessonNN.py``)::

    from k2tf.grading.hidden import Fail, expect, hidden

    @hidden("00.q1", points=1, checks="converts a whole 2-D grid of temperatures")
    def grid(answers):
        values = answers.call("celsius_to_fahrenheit", np.zeros((3, 4)))
        expect.close(values, np.full((3, 4), 32.0), "celsius_to_fahrenheit(grid)")

Each hidden check becomes one more check cell after the question's own check, in the
notebook the grader validates; its points add to the question's. Students never see its
source: the feedback shows the question, the points and the failure message only.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..checks import Answers, CheckFailed, Fail, NotAnswered, QUESTION_ID
from ..checks import expect  # noqa: F401  (re-exported for hidden-check files)

__all__ = ["Answers", "Fail", "HiddenCheck", "expect", "hidden", "load", "pass_line", "run_hidden"]


@dataclass(frozen=True)
class HiddenCheck:
    question: str
    name: str
    points: int
    checks: str
    run: Callable[[Answers], None]


_REGISTRY: dict[tuple[str, str], HiddenCheck] = {}


def hidden(question_id: str, *, points: int, checks: str = "") -> Callable:
    """Register the decorated function as a hidden check of ``question_id``."""
    if not QUESTION_ID.match(question_id):
        raise ValueError(f"question ids look like '01.q2', not {question_id!r}")
    if points < 1:
        raise ValueError("a hidden check is worth at least 1 point")

    def register(function):
        key = (question_id, function.__name__)
        if key in _REGISTRY:
            raise ValueError(f"hidden check {function.__name__} of {question_id} is defined twice")
        _REGISTRY[key] = HiddenCheck(question_id, function.__name__, points, checks, function)
        return function

    return register


def pass_line(question_id: str, name: str, points: int) -> str:
    """The one line a hidden check prints when it passes (the grader stores it as expected)."""
    return f"✓ {question_id} hidden check {name} passed — {points}/{points} points"


def run_hidden(question_id: str, name: str, namespace: dict) -> str:
    """Run one hidden check; return its pass line or raise :class:`CheckFailed`."""
    check = _REGISTRY[(question_id, name)]
    try:
        check.run(Answers(namespace, question_id))
    except NotAnswered as error:
        raise CheckFailed(question_id, check.points, f"{error.question_id} is not answered yet.",
                          "replace the placeholder `raise k2tf.NotAnswered(...)` with your code.") from None
    except Fail as failure:
        raise CheckFailed(question_id, check.points, failure.problem, failure.hint) from None
    return pass_line(question_id, name, check.points)


def load(folder: Path) -> tuple[list[HiddenCheck], dict[str, str]]:
    """The hidden checks in ``folder`` (in file and definition order) and their sources.

    Raises ``ValueError`` with the file's name when a file cannot be loaded.
    """
    sources: dict[str, str] = {}
    found: list[HiddenCheck] = []
    _REGISTRY.clear()  # a second load (another grading run in this process) starts afresh
    for path in sorted(Path(folder).glob("*.py")):
        source = path.read_text(encoding="utf-8")
        before = set(_REGISTRY)
        namespace = {"__name__": f"k2tf_hidden_{path.stem}", "__file__": path.name}
        try:
            exec(compile(source, path.name, "exec"), namespace)  # noqa: S102
        except Exception as error:
            raise ValueError(f"hidden checks {path.name}: {type(error).__name__}: {error}") from None
        new = [key for key in _REGISTRY if key not in before]
        found.extend(_REGISTRY[key] for key in new)
        sources[path.name] = source
    return found, sources
