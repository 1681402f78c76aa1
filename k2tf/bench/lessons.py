"""Benchmark 1: each lesson and solution run in a fresh kernel, against the floor.

Every notebook runs ``runs`` times, round by round (each round runs every notebook once, so a
slow minute on the machine touches them all alike), each time in a fresh kernel and a fresh
copy of the course's folder layout (``<tmp>/notebooks/NAME.ipynb``: lessons write their logs
to ``../logs`` as they do in the course). The floor is what no notebook can beat here: a
notebook whose only cell is ``pass`` (starting and stopping a kernel) and one whose only cell
is ``import tensorflow``.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from .. import notebooks

FLOORS = {
    "kernel start": "pass",
    "kernel start + import tensorflow": "import tensorflow",
}


def _floor_notebook(folder: Path, name: str, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nb.metadata["kernelspec"] = dict(notebooks.KERNELSPEC)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def measure_once(path: Path, *, kernel: str = notebooks.KERNEL_NAME, timeout: int = 600) -> dict:
    """Run ``path`` once in a fresh kernel, in a scratch copy of the course's layout."""
    with tempfile.TemporaryDirectory(prefix="k2tf-bench-") as scratch:
        copy = Path(scratch) / "notebooks" / path.name
        copy.parent.mkdir()
        shutil.copyfile(path, copy)
        done = subprocess.run([sys.executable, "-m", "k2tf.bench.execute_one", str(copy),
                               "--kernel", kernel, "--timeout", str(timeout)],
                              capture_output=True, text=True, cwd=scratch)
    if done.returncode != 0:
        return {"seconds": None, "peak_mib": None, "cells": [],
                "error": f"the runner failed: {done.stderr.strip().splitlines()[-1:]}"}
    return json.loads(done.stdout)


def run(*, root: Path = notebooks.REPO_ROOT, runs: int = 3, names: list[str] | None = None,
        log=print) -> dict:
    """Measure the floors and every lesson and solution (``names`` limits which), ``runs`` times."""
    targets: list[tuple[str, str, Path]] = []
    with tempfile.TemporaryDirectory(prefix="k2tf-bench-floor-") as floor_folder:
        for label, source in FLOORS.items():
            targets.append(("floor", label, _floor_notebook(Path(floor_folder), label.replace(" ", "_")
                                                              .replace("+", "and"), source)))
        for folder in ("notebooks", "solutions"):
            for path in sorted((root / folder).glob("[0-9][0-9]_*.ipynb")):
                if names is None or path.stem in names:
                    targets.append((folder, path.stem, path))
        results = {f"{kind}/{name}": {"kind": kind, "name": name, "runs": []} for kind, name, _ in targets}
        for round_ in range(1, runs + 1):
            for kind, name, path in targets:
                measured = measure_once(path)
                results[f"{kind}/{name}"]["runs"].append(measured)
                seconds = measured["seconds"]
                log(f"  lessons, round {round_}/{runs}: {kind}/{name}: "
                    + (f"{seconds:.1f} s, {measured['peak_mib']:.0f} MiB" if seconds is not None else "failed")
                    + (f" (error: {measured['error']})" if measured["error"] else ""))
    return {"runs": runs, "notebooks": list(results.values())}
