"""pytest set-up for every test run, including runs of single notebooks.

* Kernels started by tests see what a student's kernel sees. ipykernel stops forwarding
  native stderr (where TensorFlow's C++ log lines go) into cell outputs when
  ``PYTEST_CURRENT_TEST`` is in its environment, and every kernel started under pytest,
  nbval's included, inherits that variable: a test would then never see the log noise it
  is meant to catch. So for the test session the course kernel's spec is copied, launched
  through ``env -u PYTEST_CURRENT_TEST``, into a folder put first on ``JUPYTER_PATH``.
* The closing summary says how many notebook cells were executed and compared.

(Each notebook's cells share one kernel and must run in order in one process: the Makefile
runs pytest-xdist with `--dist loadfile`, which keeps every file on one worker.)
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile

_kernel_dir: str | None = None


def pytest_configure(config):  # noqa: ARG001
    global _kernel_dir
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    from k2tf.notebooks import KERNEL_NAME

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        return  # not set up: tests that need the kernel fail and say so
    _kernel_dir = tempfile.mkdtemp(prefix="k2tf-test-kernels-")
    target = os.path.join(_kernel_dir, "kernels", KERNEL_NAME)
    os.makedirs(target)
    data = spec.to_dict()
    if data["argv"][:3] != ["env", "-u", "PYTEST_CURRENT_TEST"]:
        data["argv"] = ["env", "-u", "PYTEST_CURRENT_TEST", *data["argv"]]
    with open(os.path.join(target, "kernel.json"), "w") as file:
        json.dump(data, file)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (_kernel_dir, os.environ.get("JUPYTER_PATH")) if p)


def pytest_unconfigure(config):  # noqa: ARG001
    if _kernel_dir:
        shutil.rmtree(_kernel_dir, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    cells, failed, notebooks = 0, 0, set()
    for outcome in ("passed", "failed", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            path = str(getattr(report, "fspath", ""))
            if path.endswith(".ipynb") and report.when == "call":
                cells += 1
                failed += outcome != "passed"
                notebooks.add(path)
    if cells:
        terminalreporter.write_line(
            f"nbval: executed {cells} notebook cells in {len(notebooks)} notebooks and compared "
            f"their outputs with the stored ones ({failed} failed)")
