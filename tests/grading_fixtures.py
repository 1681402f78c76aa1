"""Submissions that pass, fail and cheat, made from the course's own exercises.

Each builder returns notebook text (or raw bytes for broken files). They are built at test
time from ``solutions/`` and ``exercises/`` (never stored as .ipynb in tests/, where nbval
would collect them) so they follow the course as it changes.
"""
from __future__ import annotations

import copy

import nbformat

from k2tf import notebooks, release

REPO = notebooks.REPO_ROOT
PASS_LINE = "✓ {qid} passed — {points}/{points} points"


def solution(name: str) -> nbformat.NotebookNode:
    return notebooks.read(REPO / "solutions" / f"{name}.ipynb")


def exercise(name: str) -> nbformat.NotebookNode:
    return notebooks.read(REPO / "exercises" / f"{name}.ipynb")


def answered(name: str, questions: set[str] | None = None) -> nbformat.NotebookNode:
    """The exercise with the solution's answer cells pasted in for ``questions`` (default: all)."""
    return release.answered(exercise(name), solution(name), questions)


def _cells(nb, kind):
    return [c for c in nb.cells if kind in c.metadata.get("k2tf", {})]


def _answer(nb, qid):
    return next(c for c in _cells(nb, "answer") if c.metadata["k2tf"]["answer"] == qid)


def _points(nb):
    return {c.metadata["k2tf"]["check"]: c.metadata["k2tf"]["points"] for c in _cells(nb, "check")}


def prepend(nb, qid, code):
    cell = _answer(nb, qid)
    cell.source = code + "\n" + cell.source
    return nb


def text(nb) -> str:
    return nbformat.writes(nb, version=4)


# --- cheats on lesson 00: every one starts from the unanswered exercise -----------------

def check_replaced_by_print():
    nb = exercise("00_welcome")
    for cell in _cells(nb, "check"):
        meta = cell.metadata["k2tf"]
        cell.source = f'print("{PASS_LINE.format(qid=meta["check"], points=meta["points"])}")'
    return nb


def pasted_outputs():
    nb = exercise("00_welcome")
    for n, cell in enumerate(_cells(nb, "check"), 1):
        meta = cell.metadata["k2tf"]
        cell.outputs = [nbformat.v4.new_output(
            "stream", name="stdout", text=PASS_LINE.format(qid=meta["check"], points=meta["points"]) + "\n")]
        cell.execution_count = n
    return nb


def checks_deleted():
    nb = exercise("00_welcome")
    nb.cells = [c for c in nb.cells if "check" not in c.metadata.get("k2tf", {})]
    return nb


def markers_and_tags():
    nb = exercise("00_welcome")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata["tags"] = ["raises-exception", "nbval-ignore-output", "nbval-skip"]
            cell.source = "# NBVAL_SKIP\n# NBVAL_IGNORE_OUTPUT\n# NBVAL_RAISES_EXCEPTION\n" + cell.source
    return nb


def custom_exc():
    nb = exercise("00_welcome")
    return prepend(nb, "00.q1", (
        "def _pretend(shell, etype, value, tb, tb_offset=None):\n"
        "    qid = getattr(value, 'question_id', '00.q1'); p = getattr(value, 'points', 1)\n"
        "    print(f'✓ {qid} passed — {p}/{p} points')\n"
        "get_ipython().set_custom_exc((BaseException,), _pretend)"))


def showtraceback_replaced():
    nb = exercise("00_welcome")
    return prepend(nb, "00.q1", (
        "def _quiet(*args, **kwargs):\n"
        "    import sys\n"
        "    value = sys.exc_info()[1]\n"
        "    qid = getattr(value, 'question_id', '00.q1'); p = getattr(value, 'points', 1)\n"
        "    print(f'✓ {qid} passed — {p}/{p} points')\n"
        "ip = get_ipython()\n"
        "ip.showtraceback = _quiet\n"
        "ip._showtraceback = lambda *a, **k: None\n"
        "type(ip).showtraceback = _quiet"))


def check_patched():
    nb = exercise("00_welcome")
    return prepend(nb, "00.q1", (
        "k2tf.check = lambda qid, points=None: print(f'✓ {qid} passed — {points}/{points} points')"))


def run_check_patched():
    nb = exercise("00_welcome")
    return prepend(nb, "00.q1", (
        "import k2tf.checks\n"
        "k2tf.checks.run_check = lambda qid, ns, points=None: f'✓ {qid} passed — {points}/{points} points'"))


def print_patched():
    nb = exercise("00_welcome")
    return prepend(nb, "00.q1", (
        "import builtins, sys\n"
        "_real_print = builtins.print\n"
        "def _print(*args, **kwargs):\n"
        "    _real_print('✓ 00.q1 passed — 1/1 points')\n"
        "builtins.print = _print\n"
        "class _Out:\n"
        "    def write(self, s): sys.__stdout__.write(s)\n"
        "    def flush(self): pass\n"
        "import k2tf.checks\n"
        "k2tf.checks.CheckFailed._render_traceback_ = lambda self: ['✓ 00.q1 passed — 1/1 points']"))


def always_equal():
    nb = exercise("00_welcome")
    always = (
        "class Anything(float):\n"
        "    def __eq__(self, other): return True\n"
        "    def __ne__(self, other): return False\n"
        "    __hash__ = float.__hash__\n"
        "class AnyObject:\n"
        "    shape = (2, 3)\n"
        "    dtype = 'float32'\n"
        "    def __eq__(self, other): return True\n"
        "    def __ne__(self, other): return False\n"
        "    def __array__(self, *a, **k):\n"
        "        raise TypeError('no')\n")
    for qid, code in {
        "00.q1": always + "def celsius_to_fahrenheit(celsius):\n    return AnyObject()",
        "00.q2": "first_tensor = AnyObject()",
        "00.q3": "def dense_parameter_count(n_inputs, n_units):\n    return AnyObject()",
    }.items():
        _answer(nb, qid).source = code
    return nb


# --- harm: each answers 00.q1 honestly, then misbehaves in 00.q2 ------------------------

def _harm(code: str, answer_q3: bool = True):
    nb = answered("00_welcome", {"00.q1", "00.q3"} if answer_q3 else {"00.q1"})
    _answer(nb, "00.q2").source = code
    return nb


def endless_loop():
    return _harm("while True:\n    pass")


def memory_bomb():
    return _harm("blocks = []\nwhile True:\n    blocks.append(bytearray(2**28))")


def exits():
    return _harm("import os\nos._exit(3)")


def kills_parent():
    return _harm("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nimport time\ntime.sleep(30)")


def writes_output(out_dir: str):
    return _harm(
        "import os, pathlib\n"
        f"out = pathlib.Path({out_dir!r})\n"
        "for name in ('gradebook.csv', 'summary.csv', 'forged.txt', '.results/x.json'):\n"
        "    try:\n"
        "        (out / name).write_text('forged,100')\n"
        "    except OSError as error:\n"
        "        print('could not write', name, type(error).__name__)")


# --- order and extra cells -------------------------------------------------------------

def reordered_solution():
    nb = solution("00_welcome")
    answers = _cells(nb, "answer")
    last = answers[-1]
    nb.cells.remove(last)
    nb.cells.insert(1, last)  # the answer to the last question first, right after the setup
    return nb


def extra_cells_exercise():
    nb = exercise("00_welcome")
    extra = [nbformat.v4.new_code_cell(f'print("{PASS_LINE.format(qid="00.q1", points=1)}")'),
             nbformat.v4.new_code_cell('k2tf.check("00.q2", points=2)')]
    for cell in extra:
        cell.metadata["tags"] = ["raises-exception"]
        cell.metadata["k2tf"] = {"check": "00.q2", "points": 2}
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="✓ 00.q2 passed — 2/2 points\n")]
        cell.execution_count = 9
    nb.cells[3:3] = extra
    return nb


def extra_cells_solution():
    nb = solution("00_welcome")
    helper = nbformat.v4.new_code_cell("def helper(x):\n    return x * 9 / 5 + 32")
    nb.cells.insert(1, helper)
    _answer(nb, "00.q1").source = "def celsius_to_fahrenheit(celsius):\n    return helper(celsius)"
    return nb


def other_lesson_under_wrong_name():
    return exercise("01_keras_in_ten_minutes")


def copy_nb(nb):
    return copy.deepcopy(nb)
