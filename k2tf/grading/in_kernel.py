"""The grader's code inside the kernel that runs a submission.

The grader puts one cell of its own at the top of the notebook it validates, before any
code of the submission. That cell loads this file under a private, per-run module name and
calls :func:`install`, which

* loads a second, private copy of the ``k2tf`` package (its checks, their helpers), so an
  answer cell that replaces ``k2tf.check``, ``k2tf.checks.run_check`` or anything else in the
  public package changes nothing the grader uses;
* saves the pristine state a check depends on: every builtin (``print``, ``isinstance``,
  ``__import__`` …), ``sys.stdout``/``sys.stderr``/``sys.displayhook``/``sys.excepthook``, and
  IPython's error display (``showtraceback``, ``set_custom_exc`` handlers), input and AST
  transformers and event callbacks;
* loads the instructor's hidden checks, whose source the grader passes inline (the kernel
  cannot read the hidden folder).

Each check cell of the validated notebook then calls :func:`check` (or
:func:`check_hidden`) of the private module, which first restores that saved state, runs
the check with the submission's output captured (what the student's code prints while it is
being checked cannot forge or spoil the check's own line), and prints the one pass line or
raises the check's failure.

Residual risk, stated plainly: the submission runs in this same Python process, so code
written *against this grader* — one that walks ``gc``/frames to reach these private
modules, or replaces ipykernel's request handling so that a check cell never runs — is not
stopped here. The grader outside the kernel still requires, for every check, the reply
status ``ok`` and exactly the stored pass line, and it flags answers that use such
machinery for an instructor to read (see :mod:`k2tf.grading.rebuild`).
"""
from __future__ import annotations

import builtins
import importlib.util
import io
import sys
import types

_state: dict = {}

#: IPython shell attributes a submission could replace to hide or fake a check's result.
_SHELL_ATTRIBUTES = ("showtraceback", "_showtraceback", "showsyntaxerror", "showindentationerror",
                     "CustomTB", "custom_exceptions", "run_cell", "run_cell_async",
                     "run_ast_nodes", "run_code", "transform_cell", "transform_ast",
                     "set_custom_exc", "display_pub", "displayhook", "InteractiveTB",
                     "SyntaxTB")
_SHELL_LISTS = ("ast_transformers", "input_transformers_cleanup", "input_transformers_post")
_SYS_ATTRIBUTES = ("stdout", "stderr", "displayhook", "excepthook")


def _load_private_package(package_dir: str, name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(
        name, f"{package_dir}/__init__.py", submodule_search_locations=[package_dir])
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


def install(package_dir: str, private_name: str, hidden_sources: dict[str, str]) -> None:
    """Save the pristine state and load the private checker (runs before any student code)."""
    import k2tf.checks as public_checks  # the public package, untouched at this point

    shell = get_ipython()  # noqa: F821  (IPython's global in a kernel)
    package = _load_private_package(package_dir, private_name + "_k2tf")
    checks = importlib.import_module(private_name + "_k2tf.checks")
    # A placeholder in an answer raises the *public* NotAnswered; the private checker must
    # recognise it, so a missing answer reads the same as when the student runs the check.
    checks.NotAnswered = public_checks.NotAnswered
    checks.all_questions()  # import every lesson's checks now, while nothing is patched
    hidden = importlib.import_module(private_name + "_k2tf.grading.hidden")
    public_name = "k2tf.grading.hidden"
    previous = sys.modules.get(public_name)
    sys.modules[public_name] = hidden  # hidden checks import k2tf.grading.hidden: the private one
    try:
        for file_name, source in sorted(hidden_sources.items()):
            module = types.ModuleType(f"{private_name}_hidden_{file_name}")
            module.__file__ = file_name
            exec(compile(source, file_name, "exec"), module.__dict__)  # noqa: S102
    finally:
        if previous is None:
            sys.modules.pop(public_name, None)
        else:
            sys.modules[public_name] = previous
    _state.update(
        package=package, checks=checks, hidden=hidden, shell=shell,
        namespace=shell.user_ns,
        builtins=dict(vars(builtins)),
        sys={name: getattr(sys, name) for name in _SYS_ATTRIBUTES},
        shell_attributes={name: getattr(shell, name) for name in _SHELL_ATTRIBUTES
                          if hasattr(shell, name)},
        shell_lists={name: list(getattr(shell, name)) for name in _SHELL_LISTS
                     if hasattr(shell, name)},
        events={event: list(callbacks) for event, callbacks in shell.events.callbacks.items()},
        StringIO=io.StringIO,
    )


def _restore() -> None:
    """Put back everything :func:`install` saved (what a submission may have replaced)."""
    vars(builtins).update(_state["builtins"])
    for name, value in _state["sys"].items():
        setattr(sys, name, value)
    sys.settrace(None)
    sys.setprofile(None)
    shell = _state["shell"]
    for name, value in _state["shell_attributes"].items():
        try:
            setattr(shell, name, value)
        except Exception:  # a read-only trait; the saved value is still the one in use
            pass
    for name, value in _state["shell_lists"].items():
        getattr(shell, name)[:] = value
    for event, callbacks in _state["events"].items():
        shell.events.callbacks[event] = list(callbacks)


def _run(run, line_if_passed: str | None = None) -> None:
    _restore()
    captured = _state["StringIO"]()
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = captured  # what the answer prints while checked is not the check's
    try:
        line = run()
    finally:
        sys.stdout, sys.stderr = stdout, stderr
        _restore()
    sys.stdout.write((line_if_passed or line) + "\n")  # one write: one output piece


def check(question_id: str, points: int) -> None:
    """A public check, run by the private checker against the notebook's names."""
    checks = _state["checks"]
    _run(lambda: checks.run_check(question_id, _state["namespace"], points))


def check_hidden(question_id: str, name: str) -> None:
    """One of the instructor's hidden checks of ``question_id``."""
    hidden = _state["hidden"]
    _run(lambda: hidden.run_hidden(question_id, name, _state["namespace"]))
