"""Make a course notebook behave: seeds, determinism, quiet TensorFlow, readable plots.

Every lesson, solution and exercise starts with::

    import k2tf
    k2tf.setup()

What you get:

* the same random numbers on every run (Python, NumPy, TensorFlow and Keras are seeded),
* deterministic TensorFlow ops, so a lesson shows the same numbers each time it runs,
* no TensorFlow log lines in your cell outputs (they go to a log file you can read with
  :func:`tensorflow_log`),
* readable matplotlib defaults.

Lesson 00 explains what each of these does and why.
"""
from __future__ import annotations

import atexit
import os
import random
import sys
import tempfile
import warnings
from pathlib import Path

#: The seed every lesson uses unless it asks for another.
DEFAULT_SEED = 42

# Environment read by TensorFlow's C++ runtime when it loads: must be set before
# `import tensorflow`.
#  - TF_CPP_MIN_LOG_LEVEL=3 drops INFO/WARNING/ERROR lines that respect it.
#  - TF_ENABLE_ONEDNN_OPTS=0 keeps CPU results identical across x86 CPUs (oneDNN picks
#    kernels by CPU model, so stored notebook outputs would differ between machines).
#    On the small models of this course the speed difference is within noise.
QUIET_TF_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    # absl's own verbosity for the C++ logs that ignore TF_CPP_MIN_LOG_LEVEL
    "TF_CPP_MAX_VLOG_LEVEL": "-1",
}

_native_stderr_log: Path | None = None


def _log_path() -> Path:
    base = Path(os.environ.get("K2TF_LOG_DIR") or Path(tempfile.gettempdir()) / "k2tf-logs")
    base.mkdir(parents=True, exist_ok=True)
    return base / f"native-stderr-{os.getpid()}.log"


def redirect_native_stderr() -> Path:
    """Send the process's native stderr (file descriptor 2) to a log file.

    TensorFlow's C++ core writes its log lines (absl) straight to file descriptor 2, and
    Jupyter's kernel forwards that descriptor into the output of whatever cell is running.
    Some of those lines are printed before any setting can silence them, so the only
    reliable way to keep them out of a student's outputs is to point the descriptor
    somewhere else. Python's own ``sys.stderr`` (warnings, tracebacks) is not affected.

    Returns the log file's path; calling it again is harmless.
    """
    global _native_stderr_log
    if _native_stderr_log is not None:
        return _native_stderr_log
    path = _log_path()
    sys.stderr.flush()
    original = os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 2)
    os.close(fd)
    # Put descriptor 2 back when the process exits. In a Jupyter kernel it was the pipe that
    # ipykernel watches, and ipykernel's own exit handler (registered earlier, so run later)
    # wakes its watcher thread by writing to descriptor 2 and then waits for that thread:
    # left pointing at the log file, a kernel that had imported TensorFlow hung for 2.5 s on
    # every shutdown or restart, until it was sent SIGTERM.
    atexit.register(os.dup2, original, 2)
    _native_stderr_log = path
    return path


def tensorflow_log() -> str:
    """Return what TensorFlow's C++ core logged in this kernel (empty if nothing).

    The course keeps those lines out of your cell outputs; this is where to read them
    when you want to (lesson 09 does, while debugging).
    """
    if _native_stderr_log is None or not _native_stderr_log.exists():
        return ""
    return _native_stderr_log.read_text(errors="replace")


def _in_ipython_kernel() -> bool:
    return "ipykernel" in sys.modules and type(sys.stdout).__module__.startswith("ipykernel")


def quiet_tensorflow(*, native: bool | None = None) -> None:
    """Import TensorFlow and Keras without any log line reaching the output.

    ``native`` redirects file descriptor 2 (see :func:`redirect_native_stderr`); by default
    it does so only inside a Jupyter kernel, where those lines would land in a cell's output.
    """
    for key, value in QUIET_TF_ENV.items():
        os.environ.setdefault(key, value)
    if native is None:
        native = _in_ipython_kernel()
    if native:
        redirect_native_stderr()

    import logging

    import tensorflow as tf  # noqa: F401  (imported here so its import is silent)

    tf.get_logger().setLevel(logging.ERROR)
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:  # absl is a TensorFlow dependency; be safe anyway
        pass
    # Keras prints a UserWarning with the full path of its source file for some calls that
    # lessons make on purpose (a tf.data.Dataset with shuffle=True, for instance). Keep them
    # short: a warning still shows, but as one line without machine paths.
    warnings.formatwarning = _short_warning


def _short_warning(message, category, filename, lineno, line=None):  # noqa: ARG001
    return f"{category.__name__}: {message}\n"


class DeterminismAlreadyOn(RuntimeError):
    """``deterministic=False`` was asked for in a process where op determinism is already on."""


def op_determinism_enabled() -> bool:
    """Whether TensorFlow's op determinism is on in this process.

    TensorFlow exports only ``tf.config.experimental.enable_op_determinism()``; the query
    (and a ``disable``) live in its private ``tensorflow.python.framework.config``, which Keras
    itself reads to decide whether XLA may be used.
    """
    from tensorflow.python.framework import config as tf_config

    return bool(tf_config.is_op_determinism_enabled())


def seed_everything(seed: int = DEFAULT_SEED, *, deterministic: bool = True) -> None:
    """Seed Python, NumPy, TensorFlow and Keras, and ask TensorFlow for deterministic ops.

    ``deterministic=False`` leaves op determinism off, which only works while it has never been
    turned on in this process: TensorFlow offers no public way to turn it off again (and kernels
    and traced functions made while it was on keep their deterministic choices). Once it is on,
    ``deterministic=False`` raises :class:`DeterminismAlreadyOn` before changing anything,
    rather than silently staying deterministic: restart the kernel and make
    ``k2tf.setup(deterministic=False)`` its first call.
    """
    import numpy as np

    if not deterministic and op_determinism_enabled():
        raise DeterminismAlreadyOn(
            "op determinism is already on in this kernel (an earlier k2tf.setup() turned it on), "
            "and TensorFlow has no public way to turn it off again. To run without it, restart the kernel and "
            "make k2tf.setup(deterministic=False) the first call; nothing was changed.")
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)  # seeds Python, NumPy and the backend (TensorFlow)
    if deterministic:
        tf.config.experimental.enable_op_determinism()


#: Matplotlib settings every lesson's plots use: readable on a laptop screen and in print.
PLOT_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "legend.frameon": False,
    "font.size": 11,
    "image.cmap": "viridis",
    # the course never leaves figures open on purpose; don't nag when a loop draws many
    "figure.max_open_warning": 0,
}


def style_plots() -> None:
    """Apply :data:`PLOT_STYLE` to matplotlib."""
    import matplotlib as mpl

    mpl.rcParams.update(PLOT_STYLE)


def setup(seed: int = DEFAULT_SEED, *, deterministic: bool = True, quiet: bool = True) -> None:
    """The one call at the top of every course notebook.

    Imports TensorFlow silently, seeds every random number generator with ``seed``, turns on
    deterministic ops, and styles plots. Call it again with another seed to start a fresh
    random sequence.

    ``deterministic=False`` keeps op determinism off, trading repeatable last digits for speed.
    It works only as the first ``k2tf.setup`` of a fresh kernel (or process): once determinism
    is on, TensorFlow cannot turn it off, so ``deterministic=False`` then raises
    :class:`DeterminismAlreadyOn` and changes nothing.
    """
    if quiet:
        quiet_tensorflow()
    seed_everything(seed, deterministic=deterministic)
    style_plots()
