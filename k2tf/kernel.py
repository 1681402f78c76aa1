"""Install the course's Jupyter kernel and JupyterLab settings into the virtual environment.

``make setup`` runs ``k2tf install-kernel``. The kernel:

* runs this environment's Python, so the course's pinned packages are the ones imported,
* puts the environment's ``bin`` first on ``PATH``, so ``%tensorboard`` finds the
  ``tensorboard`` command without the student touching ``PATH``,
* loads :mod:`k2tf.ipython_extension`, which keeps TensorFlow's native log lines out of
  cell outputs.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .notebooks import KERNEL_DISPLAY_NAME, KERNEL_NAME
from .notebook_setup import QUIET_TF_ENV

#: JupyterLab defaults a new student should not have to change: no pop-up asking to fetch
#: news or check for updates (the course runs offline). Kernel choice needs no setting:
#: every notebook names the course kernel in its metadata.
LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"},
}


def kernel_spec(prefix: Path | None = None) -> dict:
    prefix = Path(prefix or sys.prefix)
    python = Path(sys.executable) if prefix == Path(sys.prefix) else prefix / "bin" / "python"
    return {
        "argv": [str(python), "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
                 "-f", "{connection_file}",
                 "--InteractiveShellApp.extensions=k2tf.ipython_extension"],
        "display_name": KERNEL_DISPLAY_NAME,
        "language": "python",
        "env": {"PATH": f"{prefix / 'bin'}:${{PATH}}", **QUIET_TF_ENV},
        "metadata": {"debugger": True},
    }


def _write_if_changed(path: Path, data: dict) -> bool:
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return True


def install(prefix: Path | None = None) -> list[Path]:
    """Write the kernel spec and JupyterLab overrides under ``prefix`` (default: this
    environment). Returns the files that changed; running it twice changes nothing."""
    prefix = Path(prefix or sys.prefix)
    changed = []
    kernel_json = prefix / "share" / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json"
    if _write_if_changed(kernel_json, kernel_spec(prefix)):
        changed.append(kernel_json)
    overrides = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    if _write_if_changed(overrides, LAB_OVERRIDES):
        changed.append(overrides)
    return changed
