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
#: Where a notebook stores its widgets' state (``metadata.widgets``), and the output that shows one.
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


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

    The course kernel in the metadata; language info without the Python version; the state
    of the widgets its outputs show and of nothing else (:func:`shown_widget_state`); cell
    metadata limited to :data:`KEPT_CELL_METADATA`; every cell with an id.
    """
    nb = copy.deepcopy(nb)
    nb.nbformat, nb.nbformat_minor = 4, max(5, nb.get("nbformat_minor", 5))
    meta = nb.setdefault("metadata", nbformat.NotebookNode())
    widgets = shown_widget_state(nb)
    for key in list(meta):
        if key not in ("k2tf", "kernelspec", "language_info"):
            del meta[key]
    if widgets:
        meta["widgets"] = nbformat.from_dict({WIDGET_STATE: {
            "state": widgets, "version_major": 2, "version_minor": 0}})
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


def widget_views(nb: nbformat.NotebookNode) -> list[str]:
    """The model ids of the widgets the notebook's outputs show, in order."""
    return [output.data[WIDGET_VIEW]["model_id"]
            for cell in nb.cells if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if WIDGET_VIEW in output.get("data", {})]


def shown_widget_state(nb: nbformat.NotebookNode) -> dict:
    """The stored state (``metadata.widgets``) of the widgets the outputs show, with every
    widget they are made of (children, layouts, styles), by model id; nothing else.

    ``k2tf execute`` stores it (nbclient records the widgets' last state) so that JupyterLab
    draws the widgets when the notebook is opened, before any cell runs. Widgets no output
    shows any more (replaced, closed) are left out: they would only make the file bigger.
    """
    state = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    kept: dict = {}
    todo = [model_id for model_id in widget_views(nb) if model_id in state]
    while todo:
        model_id = todo.pop()
        if model_id in kept or model_id not in state:
            continue
        kept[model_id] = _without_defaults(state[model_id])
        todo.extend(_references(state[model_id]))
    return {model_id: kept[model_id] for model_id in sorted(kept)}


def _without_defaults(model: dict) -> dict:
    """A layout's state without its unset (``None``) properties: null is every layout
    property's default in JupyterLab's widget manager, and most of a layout is unset."""
    if model.get("model_name") != "LayoutModel":
        return model
    model = copy.deepcopy(model)
    model["state"] = {key: value for key, value in model["state"].items() if value is not None}
    return model


def _references(value) -> Iterator[str]:
    """The model ids a widget's state refers to (``"IPY_MODEL_<id>"`` strings, at any depth)."""
    if isinstance(value, str):
        if value.startswith("IPY_MODEL_"):
            yield value[len("IPY_MODEL_"):]
    elif isinstance(value, dict):
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _references(item)


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

    Returns the executed notebook (not written), with its widgets' state. Stops at the first error, like "Run All"
    in JupyterLab, raising ``nbclient.exceptions.CellExecutionError``; a cell tagged
    ``raises-exception`` may raise.
    """
    from nbclient import NotebookClient

    path = Path(path).resolve()
    nb = read(path)
    nb.metadata.pop("widgets", None)  # this run's widgets replace those of the last one
    # store_widget_state: the widgets' final state goes into the notebook's metadata, so that
    # JupyterLab draws them when the notebook is opened (normalize keeps the ones shown).
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, store_widget_state=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb
