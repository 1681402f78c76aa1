"""Run one notebook in a fresh kernel and print, as JSON, how long it took and its peak memory.

``python -m k2tf.bench.execute_one NOTEBOOK [--kernel NAME] [--timeout S]``. The notebook
runs in its own folder, top to bottom, like "Run All" in JupyterLab (nothing is written
back). It is a process of its own so that ``getrusage(RUSAGE_CHILDREN)`` after the kernel has
been shut down and reaped is the peak resident memory of that one kernel (its largest
process: a kernel's own child processes are not added to it).

Printed: ``seconds`` (from asking for a kernel to the last cell's reply: what a student waits
for after "Restart Kernel and Run All"), ``total_seconds`` (with the kernel's shutdown), ``peak_mib``,
``cells`` (seconds per code cell, from nbclient's timing metadata) and ``error`` (the first
failing cell's error name, or null).
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _cell_seconds(cell) -> float | None:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    return round((_parse(end) - _parse(start)).total_seconds(), 3)


def run(path: Path, kernel: str, timeout: int) -> dict:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    error = None
    started_at = datetime.now(timezone.utc)
    started = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as failure:
        error = failure.ename or "CellExecutionError"
    total = time.perf_counter() - started
    replies = [_parse(c.metadata["execution"]["shell.execute_reply"]) for c in nb.cells
               if c.get("metadata", {}).get("execution", {}).get("shell.execute_reply")]
    seconds = (max(replies) - started_at).total_seconds() if replies else total
    usage = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak = usage / 2**20 if sys.platform == "darwin" else usage / 2**10  # bytes on macOS, KiB on Linux
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            cells.append({"index": index, "seconds": _cell_seconds(cell), "first_line": first[:80]})
    return {"seconds": round(seconds, 3), "total_seconds": round(total, 3), "peak_mib": round(peak, 1), "cells": cells, "error": error}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m k2tf.bench.execute_one")
    parser.add_argument("notebook")
    parser.add_argument("--kernel", default="k2tf")
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    print(json.dumps(run(Path(args.notebook).resolve(), args.kernel, args.timeout)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
