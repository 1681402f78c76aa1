"""The course kernel and k2tf.setup() in real Jupyter kernels: nothing but what a cell prints.

TensorFlow's C++ core writes log lines to file descriptor 2 as it loads, some of them before
any setting can silence them; Jupyter forwards that descriptor into the running cell's
output. These tests run real kernels and look at every output they produce.
"""
from __future__ import annotations

import json
import os
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from k2tf import kernel, notebooks


def _run(cells, kernel_name, env_dir=None, monkeypatch=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    NotebookClient(nb, timeout=300, kernel_name=kernel_name).execute()
    return [cell.outputs for cell in nb.cells]


def _streams(outputs):
    return [(o.name, o.text) for cell in outputs for o in cell if o.output_type == "stream"]


def test_native_stderr_goes_to_the_log_a_student_can_read():
    cells = ["import os, time\nos.write(2, b'native line\\n')\ntime.sleep(1)",
             "import k2tf\nprint('native line' in k2tf.tensorflow_log())"]
    outputs = _run(cells, notebooks.KERNEL_NAME)
    assert _streams(outputs) == [("stdout", "True\n")]


def test_course_kernel_imports_tensorflow_silently():
    outputs = _run(["import tensorflow as tf\nprint(tf.__version__)",
                    "import keras\nimport k2tf\nprint(len(k2tf.tensorflow_log()) > 0)"],
                   notebooks.KERNEL_NAME)
    import tensorflow as tf

    assert _streams(outputs) == [("stdout", f"{tf.__version__}\n"), ("stdout", "True\n")], \
        "TensorFlow's native log lines went to the log file, not to the cell"


@pytest.fixture
def plain_kernel(tmp_path, monkeypatch):
    """A kernel of this environment *without* the course's extension or environment variables,
    like a student's own Jupyter: only k2tf.setup() can keep TensorFlow quiet there."""
    spec = tmp_path / "kernels" / "plain-k2tf-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        # env -u: see the root conftest.py (ipykernel hides native stderr under pytest)
        "argv": ["env", "-u", "PYTEST_CURRENT_TEST", sys.executable, "-m", "ipykernel_launcher",
                 "-f", "{connection_file}"],
        "display_name": "plain", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", f"{tmp_path}:{os.environ.get('JUPYTER_PATH', '')}")
    for variable in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "TF_CPP_MAX_VLOG_LEVEL"):
        monkeypatch.delenv(variable, raising=False)
    return "plain-k2tf-test"


def test_setup_alone_quiets_tensorflow_seeds_and_styles(plain_kernel):
    cells = [
        "import k2tf\nk2tf.setup()\nimport numpy as np\nimport tensorflow as tf\nimport matplotlib as mpl",
        "print(np.random.rand(), float(tf.random.uniform([])))\n"
        "k2tf.setup()\n"
        "print(np.random.rand(), float(tf.random.uniform([])))",
        "print(mpl.rcParams['axes.grid'], mpl.rcParams['axes.spines.top'])",
    ]
    outputs = _run(cells, plain_kernel)
    streams = _streams(outputs)
    assert [name for name, _ in streams] == ["stdout"] * 2, f"unexpected output: {streams}"
    first, second = streams[0][1].splitlines()
    assert first == second, "setup() again restarts the same random sequence"
    assert streams[1][1] == "True False\n"


def test_setup_without_tensorflow_quiet_leaves_the_log_visible(plain_kernel):
    """The control experiment: without k2tf, the log lines do reach the cell."""
    # ipykernel forwards file descriptor 2 from a thread: give it a moment before the cell ends
    outputs = _run(["import time\nimport tensorflow\ntime.sleep(2)"], plain_kernel)
    stderr = "".join(text for name, text in _streams(outputs) if name == "stderr")
    assert stderr, "TensorFlow printed nothing on import: the quiet tests above prove nothing"


def test_installed_kernel_points_into_this_environment(tmp_path):
    spec = kernel.kernel_spec()
    assert spec["argv"][0] == sys.executable
    assert spec["env"]["PATH"].startswith(f"{sys.prefix}/bin:")  # %tensorboard finds the binary
    assert "--InteractiveShellApp.extensions=k2tf.ipython_extension" in spec["argv"]
    written = kernel.install(tmp_path)
    assert len(written) == 2 and kernel.install(tmp_path) == [], "installing twice changes nothing"
    overrides = json.loads((tmp_path / "share/jupyter/lab/settings/overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_course_kernel_exits_cleanly_when_asked_after_tensorflow():
    """Asked to shut down, a course kernel that imported TensorFlow exits by itself (status 0).

    Regression: setup() points descriptor 2 at a log file, and ipykernel's exit handler wakes
    its stderr watcher by writing to descriptor 2; the kernel then hung until the manager
    sent SIGTERM (status -15) on every shutdown and restart.
    """
    from jupyter_client.manager import KernelManager

    # The manager's default patience (5 s, then SIGTERM) is shorter than a loaded 2-core machine
    # needs to unload TensorFlow (CI saw -15 there); a hang is still caught, after 60 s.
    manager = KernelManager(kernel_name=notebooks.KERNEL_NAME, shutdown_wait_time=60.0)
    manager.start_kernel()
    process = manager.provisioner.process  # the kernel's Popen (kept: the manager drops it)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        reply = client.execute_interactive("import k2tf\nk2tf.setup()\nimport tensorflow as tf\n"
                                           "print(float(tf.reduce_sum(tf.ones(3))))",
                                           timeout=120, output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)
    assert process.wait(timeout=90) == 0, f"the kernel was killed (exit status {process.returncode})"


def test_course_kernel_starts_without_importing_nbformat():
    """The extension every course kernel loads at start stays light (no nbformat, no TensorFlow)."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", "import sys, k2tf.ipython_extension; "
                           "print(sorted({'nbformat', 'tensorflow'} & set(sys.modules)))"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
