"""Reading, normalising, writing and executing the course's notebooks.

Notebooks are stored normalised (STYLE.md, "Notebooks are normalised in git"): stable JSON,
the course kernel named in their metadata, no timing or machine-specific metadata. ``k2tf
format`` applies it; the tests fail on a notebook that is not normalised.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Iterator

import nbformat

from .notebook_meta import KERNEL_DISPLAY_NAME, KERNEL_NAME, KERNELSPEC, LANGUAGE_INFO  # noqa: F401

#: Cell metadata kept in the repository; anything else (timings, collapsed state) is dropped.
KEPT_CELL_METADATA = ("k2tf", "tags", "editable", "deletable", "jupyter")
NOTEBOOK_NAME = re.compile(r"^(?P<number>\d\d)_(?P<topic>[a-z0-9_]+)\.ipynb$")

REPO_ROOT = Path(__file__).resolve().parent.parent
COURSE_FOLDERS = ("notebooks", "solutions", "exercises")


def read(path: str | Path) -> nbformat.NotebookNode:
    """Read a notebook (nbformat 4) from ``path``."""
    return nbformat.read(str(path), as_version=4)


def dumps(nb: nbformat.NotebookNode) -> str:
    """The notebook as the exact text the repository stores."""
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def write(nb: nbformat.NotebookNode, path: str | Path) -> bool:
    """Write ``nb`` normalised to ``path``; return whether the file changed."""
    path = Path(path)
    text = dumps(normalize(nb))
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def normalize(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` in the course's stored form.

    The course kernel in the metadata; language info without the Python version; no widget
    state; cell metadata limited to :data:`KEPT_CELL_METADATA`; every cell with an id.
    """
    nb = copy.deepcopy(nb)
    nb.nbformat, nb.nbformat_minor = 4, max(5, nb.get("nbformat_minor", 5))
    meta = nb.setdefault("metadata", nbformat.NotebookNode())
    for key in list(meta):
        if key not in ("k2tf", "kernelspec", "language_info"):
            del meta[key]
    meta["kernelspec"] = nbformat.NotebookNode(KERNELSPEC)
    meta["language_info"] = nbformat.from_dict(LANGUAGE_INFO)
    for index, cell in enumerate(nb.cells):
        if not cell.get("id"):
            cell["id"] = f"cell-{index:03d}"
        cell.metadata = nbformat.NotebookNode(
            {k: v for k, v in cell.get("metadata", {}).items() if k in KEPT_CELL_METADATA})
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") in ("display_data", "execute_result"):
                    output.setdefault("metadata", nbformat.NotebookNode())
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    return nb


def clear_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without outputs or execution counts."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def course_notebooks(root: Path = REPO_ROOT, folders=COURSE_FOLDERS) -> Iterator[Path]:
    """Every course notebook under ``root``, folder by folder, in lesson order."""
    for folder in folders:
        yield from sorted((root / folder).glob("[0-9][0-9]_*.ipynb"))


def execute(path: str | Path, *, timeout: int = 600, kernel_name: str = KERNEL_NAME) -> nbformat.NotebookNode:
    """Run the notebook at ``path`` top to bottom in a fresh course kernel, in its own folder.

    Returns the executed notebook (not written). Stops at the first error, like "Run All"
    in JupyterLab, raising ``nbclient.exceptions.CellExecutionError``; a cell tagged
    ``raises-exception`` may raise.
    """
    from nbclient import NotebookClient

    path = Path(path).resolve()
    nb = read(path)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb
