"""``k2tf release``: write each exercise notebook from its solution.

A solution notebook marks what students must write with a solution region in an answer
cell::

    ### BEGIN SOLUTION  build the model
    model = keras.Sequential([...])
    ### END SOLUTION

The exercise keeps the cell (same id, same metadata) with the region replaced by a prompt
and a placeholder that stops with a clear message when run::

    # YOUR ANSWER to 01.q1: build the model
    raise k2tf.NotAnswered("01.q1")

Each question has an answer cell (metadata ``{"k2tf": {"answer": "01.q1"}}``) and, after
it, one locked check cell (``{"k2tf": {"check": "01.q1", "points": 2}}``) whose source
calls ``k2tf.check("01.q1", points=2)``. :func:`lint` enforces all of this.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import notebooks

BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*(?P<prompt>.*?)\s*$")
END = re.compile(r"^[ \t]*### END SOLUTION\s*$")
CHECK_CALL = re.compile(r'^k2tf\.check\("(?P<id>\d\d\.q\d+)", points=(?P<points>\d+)\)\s*$', re.M)


class ReleaseError(ValueError):
    """A solution notebook breaks the exercise format; the message says where and how."""


@dataclass
class QuestionCells:
    answers: list[str] = field(default_factory=list)  # cell ids
    check: str | None = None
    points: int | None = None


def replace_solution_regions(source: str, question_id: str, where: str) -> str:
    """Replace each solution region of ``source`` by a prompt and a ``NotAnswered`` placeholder."""
    out: list[str] = []
    inside = None
    for number, line in enumerate(source.splitlines(), 1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if inside is not None:
                raise ReleaseError(f"{where}: line {number}: a solution region starts inside another")
            inside = begin
        elif end:
            if inside is None:
                raise ReleaseError(f"{where}: line {number}: END SOLUTION without BEGIN SOLUTION")
            indent, prompt = inside["indent"], inside["prompt"]
            out.append(f"{indent}# YOUR ANSWER to {question_id}" + (f": {prompt}" if prompt else ""))
            out.append(f'{indent}raise k2tf.NotAnswered("{question_id}")')
            inside = None
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise ReleaseError(f"{where}: a solution region is never closed with ### END SOLUTION")
    return "\n".join(out)


def has_solution_region(source: str) -> bool:
    return any(BEGIN.match(line) for line in source.splitlines())


def lint(nb: nbformat.NotebookNode, name: str) -> dict[str, QuestionCells]:
    """Check that solution notebook ``nb`` (file name ``name``) follows the exercise format.

    Returns its questions in order. Raises :class:`ReleaseError` listing every problem.
    """
    from .checks import get_question

    problems: list[str] = []
    match = notebooks.NOTEBOOK_NAME.match(name)
    if not match:
        raise ReleaseError(f"{name}: solution notebooks are named NN_topic.ipynb")
    lesson = match["number"]
    questions: dict[str, QuestionCells] = {}
    seen_ids: set[str] = set()
    for index, cell in enumerate(nb.cells):
        where = f"{name}: cell {index} ({cell.get('id')})"
        if cell.get("id") in seen_ids or not cell.get("id"):
            problems.append(f"{where}: cell ids must be present and unique")
        seen_ids.add(cell.get("id"))
        meta = cell.metadata.get("k2tf", {})
        region = has_solution_region(cell.source)
        if cell.cell_type != "code":
            if region:
                problems.append(f"{where}: solution regions belong in code cells")
            continue
        if "answer" in meta:
            qid = meta["answer"]
            if not region:
                problems.append(f"{where}: answer cell of {qid} has no ### BEGIN SOLUTION region")
            q = questions.setdefault(qid, QuestionCells())
            if q.check is not None:
                problems.append(f"{where}: answer cell of {qid} comes after its check cell")
            q.answers.append(cell.id)
        elif region:
            problems.append(f"{where}: a solution region outside an answer cell "
                            "(add metadata k2tf.answer)")
        if "check" in meta:
            qid, points = meta["check"], meta.get("points")
            calls = CHECK_CALL.findall(cell.source)
            if calls != [(qid, str(points))]:
                problems.append(f"{where}: a check cell's source must call "
                                f'k2tf.check("{qid}", points={points}) once, matching its metadata')
            if cell.metadata.get("editable") is not False or cell.metadata.get("deletable") is not False:
                problems.append(f"{where}: check cells are locked (editable and deletable false)")
            q = questions.setdefault(qid, QuestionCells())
            if q.check is not None:
                problems.append(f"{where}: {qid} has a second check cell")
            q.check, q.points = cell.id, points
            try:
                registered = get_question(qid)
                if registered.points != points:
                    problems.append(f"{where}: {qid} is worth {registered.points} points in "
                                    f"k2tf.checks but {points} here")
            except (KeyError, ValueError) as error:
                problems.append(f"{where}: {error}")
    for qid, q in questions.items():
        if not qid.startswith(f"{lesson}."):
            problems.append(f"{name}: question {qid} does not belong to lesson {lesson}")
        if not q.answers:
            problems.append(f"{name}: {qid} has a check cell but no answer cell")
        if q.check is None:
            problems.append(f"{name}: {qid} has no check cell")
    if not questions:
        problems.append(f"{name}: no graded question")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != notebooks.KERNEL_NAME:
        problems.append(f"{name}: kernelspec is {kernel!r}, not the course kernel "
                        f"{notebooks.KERNEL_NAME!r}")
    if problems:
        raise ReleaseError("\n".join(problems))
    return questions


def make_exercise(solution: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The exercise notebook for solution ``solution`` (file name ``name``)."""
    questions = lint(solution, name)
    nb = notebooks.clear_outputs(notebooks.normalize(solution))
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("k2tf", {})
        if "answer" in meta:
            cell.source = replace_solution_regions(cell.source, meta["answer"],
                                                   f"{name}: cell {index}")
        if "check" in meta:
            cell.metadata["editable"] = False
            cell.metadata["deletable"] = False
    match = notebooks.NOTEBOOK_NAME.match(name)
    nb.metadata["k2tf"] = nbformat.from_dict({
        "kind": "exercise",
        "exercise": name[: -len(".ipynb")],
        "lesson": match["number"],
        "questions": {qid: q.points for qid, q in questions.items()},
    })
    return notebooks.normalize(nb)


def answered(exercise: nbformat.NotebookNode, solution: nbformat.NotebookNode,
             questions=None) -> nbformat.NotebookNode:
    """``exercise`` as a student hands it in: the solution's answer cells pasted in for
    ``questions`` (default: every question), the others left as released. A new notebook.

    The grader's tests and ``k2tf bench`` make their submissions with it.
    """
    nb = copy.deepcopy(exercise)
    sources = {cell.id: cell.source for cell in solution.cells}
    for cell in nb.cells:
        qid = cell.metadata.get("k2tf", {}).get("answer")
        if qid is not None and (questions is None or qid in questions):
            cell.source = sources[cell.id]
    return nb


@dataclass
class ReleaseResult:
    written: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)


def release(root: Path = notebooks.REPO_ROOT, *, check_only: bool = False) -> ReleaseResult:
    """Write (or, with ``check_only``, compare) ``exercises/`` from ``solutions/``."""
    root = Path(root).resolve()
    result = ReleaseResult()
    solutions = sorted((root / "solutions").glob("[0-9][0-9]_*.ipynb"))
    (root / "exercises").mkdir(exist_ok=True)
    errors, made = [], []
    for path in solutions:  # make every exercise first: a broken solution writes nothing
        try:
            solution = notebooks.read(path)
        except Exception as error:  # not JSON, not a notebook: say so, don't crash
            errors.append(f"{path.name}: cannot be read as a notebook ({type(error).__name__}: "
                          f"{str(error).splitlines()[0] if str(error) else ''})")
            continue
        try:
            made.append((root / "exercises" / path.name, make_exercise(solution, path.name)))
        except ReleaseError as error:
            errors.append(str(error))
    if errors:
        raise ReleaseError("\n".join(errors))
    for target, exercise in made:
        text = notebooks.dumps(exercise)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            result.unchanged.append(target)
        elif check_only:
            result.stale.append(target)
        else:
            target.write_text(text, encoding="utf-8")
            result.written.append(target)
    names = {p.name for p in solutions}
    result.orphans = [p for p in sorted((root / "exercises").glob("*.ipynb")) if p.name not in names]
    return result
