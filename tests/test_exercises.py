"""Every exercise, as shipped, runs top to bottom and earns no point; its solution earns all.

Exercises are executed for real in the course kernel (nbclient), the way a student's
"Run All" would, except that execution continues after an error so that every check is seen.
Solutions are compared with their stored outputs by nbval (see pyproject.toml), and
tests/test_notebook_files.py checks that each stored check output is the pass line.
"""
from __future__ import annotations

import pytest
from nbclient import NotebookClient

from k2tf import notebooks

EXERCISES = sorted((notebooks.REPO_ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))


def _errors(cell):
    return [o for o in cell.outputs if o.output_type == "error"]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_unmodified_exercise_runs_and_fails_every_check(path, tmp_path):
    pytest.importorskip("nbclient")
    nb = notebooks.read(path)
    # Run in a scratch folder: an exercise must not need (or write) anything beside itself.
    client = NotebookClient(nb, timeout=300, kernel_name=notebooks.KERNEL_NAME, allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    checked = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("k2tf", {})
        errors = _errors(cell)
        if "answer" in meta:
            # The placeholder stops the cell, or, inside a function body, leaves a function
            # that stops when called (and the check rejects). Nothing else may fail.
            assert [e.ename for e in errors] in ([], ["NotAnswered"]), \
                f"answer cell {cell.id} failed with something else than its placeholder: {errors}"
            assert "k2tf.NotAnswered(" in cell.source
            if errors:
                assert "not answered yet" in errors[0].evalue
        elif "check" in meta:
            checked += 1
            assert [e.ename for e in errors] == ["CheckFailed"], f"check {meta['check']} did not fail"
            message = "\n".join(errors[0].traceback)
            assert message.startswith(f"✗ {meta['check']} failed — 0/{meta['points']} points")
            assert "Hint:" in message, "a failing check gives a hint"
            # A blank hand-in: each check says its own question, or the earlier one it builds
            # on, is not answered yet (never "`model` is not defined yet": see `defines=`).
            assert "not answered yet" in message, \
                f"{meta['check']} on a blank exercise should say what is not answered:\n{message}"
            assert "\x1b[" not in message and "Traceback" not in message, "short, plain message"
            assert not any("passed" in o.get("text", "") for o in cell.outputs)
        else:
            assert not errors, f"given cell {cell.id} failed: {errors}"
            assert not [o for o in cell.outputs if o.get("name") == "stderr"], f"stderr in {cell.id}"
    assert checked == len(nb.metadata.k2tf.questions)
