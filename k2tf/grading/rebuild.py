"""The notebook the grader validates, rebuilt from the solution and a submission.

Everything that decides a grade comes from the solution notebook: its cells in its order,
the check cells, their metadata, nbval markers and tags, stored outputs and execution
counts. From the submission come only

* the student's **answer regions**: the lines an answer cell's ``### BEGIN/END SOLUTION``
  region stands for, found between the cell's fixed lines (when the student changed those
  fixed lines too, the whole answer cell is used, and a note says so);
* the student's own **scratch cells** (code cells the exercise does not have), kept after the
  course cell they followed, so helper code still runs; they are run, never compared, and
  nothing in them can become a check.

Outputs, tags, metadata and nbval comment markers of the submission are dropped. Only check
cells keep a stored output, so only check cells are compared by nbval. A grader-owned first
cell (:mod:`k2tf.grading.in_kernel`) runs before any student code, and each check cell calls
the grader's private checker instead of the public ``k2tf.check``.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..release import BEGIN, CHECK_CALL, END, lint
from .hidden import HiddenCheck, pass_line

#: nbval's comment markers (nbval.plugin.comment_markers); a line that is one is dropped
#: from student code.
NBVAL_MARKERS = ("PYTEST_VALIDATE_IGNORE_OUTPUT", "NBVAL_IGNORE_OUTPUT", "NBVAL_CHECK_OUTPUT",
                 "NBVAL_RAISES_EXCEPTION", "NBVAL_SKIP")

#: Code an honest answer has no reason to contain: it reaches into the kernel's error
#: display, the checker or the process. It is not refused (the grade stands on the
#: checks), but the feedback lists it so an instructor can read that answer.
SUSPICIOUS = {
    "set_custom_exc": r"\bset_custom_exc\b",
    "showtraceback": r"\b_?showtraceback\b",
    "a patched k2tf": r"\bk2tf(\.\w+)+\s*=[^=]",
    "builtins": r"\b__builtins__\b|\bbuiltins\b",
    "frame inspection": r"\b_getframe\b|\binspect\.(currentframe|stack)\b|\bf_globals\b|\bf_locals\b",
    "gc.get_objects": r"\bget_objects\b|\bget_referrers\b",
    "sys.modules": r"\bsys\.modules\b",
    "AST or input transformers": r"\b(ast_transformers|input_transformers_\w+|register_transformer)\b",
    "IPython events": r"\bevents\.register\b",
    "ctypes": r"\bctypes\b",
    "os._exit": r"\bos\._exit\b",
    "os.kill": r"\bos\.kill(pg)?\b",
    "the grader's private modules": r"_k2tf_grader",
    "trace hooks": r"\bsettrace\b|\bsetprofile\b",
}


class RebuildError(ValueError):
    """The submission cannot be graded against its solution; the message says why."""


@dataclass
class CheckPlan:
    question: str
    name: str  # "check" for the public check, else the hidden check's name
    points: int


@dataclass
class Rebuilt:
    notebook: nbformat.NotebookNode
    questions: dict[str, int]  # question id -> max points (public + hidden)
    checks: list[CheckPlan]
    answered: dict[str, bool]  # question id -> the submission has its answer cell
    notes: list[str] = field(default_factory=list)


def _strip_markers(source: str) -> str:
    lines = []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") and stripped.lstrip("#").strip() in NBVAL_MARKERS:
            continue
        lines.append(line)
    return "\n".join(lines)


def _segments(source: str) -> tuple[list[list[str]], int]:
    """The fixed lines of a solution answer cell: the runs of lines outside its regions."""
    fixed: list[list[str]] = [[]]
    regions = 0
    inside = False
    for line in source.splitlines():
        if BEGIN.match(line):
            inside = True
            regions += 1
        elif END.match(line):
            inside = False
            fixed.append([])
        elif not inside:
            fixed[-1].append(line.rstrip())
    return fixed, regions


def answer_source(solution_source: str, student_source: str) -> tuple[str, bool]:
    """The answer cell to run: the solution's fixed lines around the student's regions.

    Returns ``(source, matched)``; ``matched`` is False when the student's cell no longer
    contains the fixed lines in order, in which case the whole student cell is used.
    """
    fixed, _ = _segments(solution_source)
    lines = [line.rstrip() for line in student_source.splitlines()]
    first, last, middle = fixed[0], fixed[-1], fixed[1:-1]
    if len(fixed) == 1 or lines[: len(first)] != first or \
            (last and lines[len(lines) - len(last):] != last) or len(lines) < len(first) + len(last):
        return student_source, False
    position = len(first)
    end = len(lines) - len(last)
    regions: list[list[str]] = []
    for chunk in middle:
        found = None
        for start in range(position, end - len(chunk) + 1):
            if lines[start:start + len(chunk)] == chunk:
                found = start
                break
        if found is None:
            return student_source, False
        regions.append(student_source.splitlines()[position:found])
        position = found + len(chunk)
    regions.append(student_source.splitlines()[position:end])
    out = list(first)
    for region, chunk in zip(regions, middle + [last]):
        out.extend(region)
        out.extend(chunk)
    return "\n".join(out), True


def suspicious(source: str) -> list[str]:
    return [name for name, pattern in SUSPICIOUS.items() if re.search(pattern, source)]


def guard_source(private_name: str, hidden_sources: dict[str, str]) -> str:
    in_kernel = Path(__file__).with_name("in_kernel.py")
    package = Path(__file__).resolve().parent.parent
    return (
        "# k2tf grader: load the grader's own checker before any code of the submission runs\n"
        "def _k2tf_grader_guard():\n"
        "    import importlib.util, sys\n"
        f"    spec = importlib.util.spec_from_file_location({private_name!r}, {str(in_kernel)!r})\n"
        "    module = importlib.util.module_from_spec(spec)\n"
        "    sys.modules[spec.name] = module\n"
        "    spec.loader.exec_module(module)\n"
        f"    module.install({str(package)!r}, {private_name!r}, {hidden_sources!r})\n"
        "_k2tf_grader_guard()\n"
        "del _k2tf_grader_guard"
    )


def _code_cell(source: str, role: str, **info) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata = nbformat.NotebookNode({"k2tf_grader": {"role": role, **info}})
    cell.outputs = []
    cell.execution_count = None
    return cell


def rebuild(solution: nbformat.NotebookNode, exercise: str, submission: nbformat.NotebookNode,
            *, private_name: str, hidden: list[HiddenCheck] = (),
            hidden_sources: dict[str, str] | None = None) -> Rebuilt:
    """The notebook to validate for ``submission`` of ``exercise`` (see the module's docstring).

    Raises :class:`RebuildError` when the solution is unusable (not executed) or the
    submission answers another exercise's questions.
    """
    questions = lint(solution, exercise + ".ipynb")
    solution_ids = {cell.id for cell in solution.cells}
    answer_of = {cell.id: cell.metadata["k2tf"]["answer"] for cell in solution.cells
                 if cell.cell_type == "code" and "answer" in cell.metadata.get("k2tf", {})}
    notes: list[str] = []

    # --- what the submission holds, in its own order -------------------------------------
    student_cells = [c for c in submission.cells if c.get("cell_type") == "code"]
    student_answer: dict[str, str] = {}  # solution answer cell id -> student source
    known_order: list[str] = []
    after: dict[str | None, list[str]] = {}  # solution cell id (None: top) -> scratch sources
    last_known: str | None = None
    foreign = set()
    by_question: dict[str, list[str]] = {}
    for cell_id, qid in answer_of.items():
        by_question.setdefault(qid, []).append(cell_id)
    for cell in student_cells:
        cell_id = cell.get("id")
        meta = cell.get("metadata", {}).get("k2tf", {})
        meta = meta if isinstance(meta, dict) else {}
        target = None
        if cell_id in answer_of and cell_id not in student_answer:
            target = cell_id
        elif isinstance(meta.get("answer"), str):
            qid = meta["answer"]
            if qid not in questions:
                foreign.add(qid)
            free = [i for i in by_question.get(qid, []) if i not in student_answer]
            target = free[0] if free else None
        if target is not None:
            student_answer[target] = cell.source
            known_order.append(target)
            last_known = target
        elif cell_id in solution_ids:
            known_order.append(cell_id)
            last_known = cell_id
        elif "check" in meta:
            continue  # a copy of a check cell is never run as the student's code
        else:
            after.setdefault(last_known, []).append(_strip_markers(cell.source))
    if foreign and not student_answer:
        raise RebuildError(f"the notebook answers questions {', '.join(sorted(foreign))}, not those "
                           f"of {exercise} ({', '.join(questions)})")
    order = [cell.id for cell in solution.cells if cell.id in set(known_order)]
    if known_order != order:
        notes.append("cells were moved: the notebook was graded in the exercise's order")
    scratch = sum(len(v) for v in after.values())
    if scratch:
        notes.append(f"{scratch} cell(s) of your own were run with your answers (they are never graded)")

    # --- the notebook to validate ------------------------------------------------------
    cells = [_code_cell(guard_source(private_name, hidden_sources or {}), "guard")]
    hidden_by_question: dict[str, list[HiddenCheck]] = {}
    for check in hidden:
        hidden_by_question.setdefault(check.question, []).append(check)
    checks: list[CheckPlan] = []
    max_points = {qid: q.points for qid, q in questions.items()}
    answered = {qid: False for qid in questions}
    flagged: set[str] = set()

    def add_scratch(anchor):
        for source in after.get(anchor, []):
            flagged.update(suspicious(source))
            cells.append(_code_cell(source, "scratch"))

    add_scratch(None)
    for cell in solution.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("k2tf", {})
        if "check" in meta:
            qid = meta["check"]
            if cell.execution_count is None or not cell.outputs:
                raise RebuildError(f"the solution's check cell of {qid} has no stored output: run "
                                   "`make outputs` on the solution before grading")
            call = CHECK_CALL.search(cell.source)
            source = CHECK_CALL.sub(
                f'__import__("sys").modules[{private_name!r}].check("{call["id"]}", {call["points"]})',
                cell.source)
            graded = copy.deepcopy(cell)
            graded.source = source
            graded.metadata["k2tf_grader"] = {"role": "check", "question": qid, "check": "check",
                                              "points": int(meta["points"])}
            cells.append(graded)
            checks.append(CheckPlan(qid, "check", int(meta["points"])))
            for extra in hidden_by_question.pop(qid, []):
                hidden_cell = _code_cell(
                    f'__import__("sys").modules[{private_name!r}].check_hidden({qid!r}, {extra.name!r})',
                    "check", question=qid, check=extra.name, points=extra.points)
                hidden_cell.execution_count = cell.execution_count
                hidden_cell.outputs = [nbformat.v4.new_output(
                    "stream", name="stdout", text=pass_line(qid, extra.name, extra.points) + "\n")]
                cells.append(hidden_cell)
                checks.append(CheckPlan(qid, extra.name, extra.points))
                max_points[qid] += extra.points
        elif cell.id in answer_of:
            qid = answer_of[cell.id]
            if cell.id in student_answer:
                answered[qid] = True
                source, matched = answer_source(cell.source, student_answer[cell.id])
                if not matched:
                    notes.append(f"the fixed lines of an answer cell of {qid} were changed: the "
                                 "whole cell was graded")
                flagged.update(suspicious(source))
            else:
                source = _exercise_source(cell.source, qid)
            cells.append(_code_cell(_strip_markers(source), "answer", question=qid))
        else:
            cells.append(_code_cell(cell.source, "course", source_cell=cell.id))
        add_scratch(cell.id)
    if hidden_by_question:
        raise RebuildError(f"hidden checks name questions that {exercise} does not have: "
                           f"{', '.join(sorted(hidden_by_question))}")
    for qid, present in answered.items():
        if not present:
            notes.append(f"the answer cell of {qid} is missing from the notebook")
    if flagged:
        notes.append("flagged for an instructor to read: your code uses "
                     + ", ".join(sorted(flagged)))
    nb = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(solution.metadata))
    nb.metadata["k2tf"] = {"kind": "graded", "exercise": exercise}
    return Rebuilt(nb, max_points, checks, answered, notes)


def _exercise_source(solution_source: str, question_id: str) -> str:
    from ..release import replace_solution_regions

    return replace_solution_regions(solution_source, question_id, "solution")
