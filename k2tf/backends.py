"""The same Keras model on two backends: :func:`run_on` and :func:`run_both` (lesson 11, exercise 11).

Keras 3 runs one model code on TensorFlow, JAX or PyTorch. The backend is chosen when Keras is
imported (``KERAS_BACKEND``) and cannot change in a running kernel, so each run happens in a
Python process of its own: this kernel's Python, with ``KERAS_BACKEND`` set, given the source of
a ``build_model()`` function. The child trains that model on the course's digits (bundled, no
download) with a fixed seed and reports the test accuracy and the seconds of every epoch.

The two processes of :func:`run_both` run at the same time, one per core, so that a slow minute
on a busy machine touches both alike; epoch times are compared by their medians, after the
first epoch (which traces and compiles) is left out.

Example::

    def build_model():
        model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    runs = run_both(build_model)        # {"tensorflow": BackendRun(...), "jax": BackendRun(...)}
    print(compare(runs))
"""
from __future__ import annotations

import inspect
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["BACKENDS", "BackendRun", "compare", "run_both", "cell_source", "exception_line", "run_functions", "run_on",
           "source_of"]

#: The backends this course installs (PyTorch's is not installed: ~700 MB for one comparison).
BACKENDS = ("tensorflow", "jax")

#: What the child process runs: the student's source, then a seeded fit and an evaluation.
_CHILD = '''
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras
import numpy as np
from k2tf.data import load_digits

_spec = json.loads(sys.stdin.readline())  # on stdin, not argv: the code below cannot read it back
_token = _spec.pop("token")
keras.utils.set_random_seed(_spec["seed"])
_namespace = {"keras": keras, "np": np, "numpy": np}
exec(compile(_spec["source"], "<build_model>", "exec"), _namespace)
_digits = load_digits()
(_x, _y), (_xt, _yt) = _digits.train, _digits.test


class _EpochClock(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        _seconds.append(time.perf_counter() - self.start)


for _function in _spec["functions"]:
    keras.utils.set_random_seed(_spec["seed"])
    if not callable(_namespace.get(_function)):
        raise NameError(f"the source defines no function {_function}()")
    _model = _namespace[_function]()
    if not isinstance(_model, keras.Model):
        raise TypeError(f"{_function}() returned {type(_model).__name__}, not a Keras model")
    _seconds = []
    _history = _model.fit(_x, _y, batch_size=_spec["batch_size"], epochs=_spec["epochs"],
                          verbose=0, shuffle=True, callbacks=[_EpochClock()])
    _scores = _model.evaluate(_xt, _yt, verbose=0, return_dict=True)
    _accuracy = next((v for k, v in _scores.items() if "acc" in k), None)
    if _accuracy is None:  # compiled without an accuracy metric: measure it from the predictions
        _accuracy = float(np.mean(np.argmax(_model.predict(_xt, verbose=0), axis=-1) == _yt))
    print(f"K2TF-RESULT-{_token} " + json.dumps({
        "function": _function, "backend": keras.config.backend(), "accuracy": float(_accuracy),
        "epoch_seconds": _seconds, "final_loss": float(_history.history["loss"][-1]),
        "parameters": int(_model.count_params())}), flush=True)
'''


@dataclass(frozen=True)
class BackendRun:
    """One training run of ``build_model()`` on one backend, as the child process reported it."""

    backend: str
    accuracy: float | None = None
    epoch_seconds: tuple[float, ...] = ()
    final_loss: float | None = None
    parameters: int | None = None
    error: str | None = None  #: the child's last error line, when it failed
    log: str = field(default="", repr=False)  #: what the child printed to stderr

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def seconds_per_epoch(self) -> float | None:
        """The median of the timed epochs, the first (tracing, compiling) left out."""
        timed = self.epoch_seconds[1:] or self.epoch_seconds
        return statistics.median(timed) if timed else None

    @property
    def spread(self) -> tuple[float, float] | None:
        timed = self.epoch_seconds[1:] or self.epoch_seconds
        return (min(timed), max(timed)) if timed else None


def source_of(build_model: Callable | str) -> str:
    """The source of ``build_model`` (a function defined in a notebook cell or a file), or the
    string itself; it must define ``build_model`` and may use ``keras`` and ``np``, which the
    child imports for it (anything else it imports itself)."""
    if isinstance(build_model, str):
        return textwrap.dedent(build_model)
    if getattr(build_model, "__name__", None) != "build_model":
        raise ValueError("pass the function named build_model (or its source as a string)")
    try:
        return textwrap.dedent(inspect.getsource(build_model))
    except (OSError, TypeError) as error:
        raise ValueError(f"the source of build_model cannot be read ({error}): define it with "
                         "`def` in a cell or a file, not with exec or a lambda") from None


def cell_source(fn: Callable) -> str:
    """The whole source of the notebook cell (or file) that defined the function ``fn``: a cell
    can define a class and the functions that use it, and a class's own source cannot be read
    back in a notebook kernel on Python 3.11."""
    import linecache

    filename = fn.__code__.co_filename
    lines = linecache.getlines(filename)
    if not lines:
        raise ValueError(f"the source of {fn.__name__} cannot be read: define it in a cell or a file")
    return "".join(lines)


def _command(backend: str, source: str, *, functions: tuple[str, ...], epochs: int,
             batch_size: int, seed: int):
    if backend not in ("tensorflow", "jax", "torch", "numpy"):
        raise ValueError(f"backend must be one of tensorflow, jax, torch, numpy; not {backend!r}")
    spec = json.dumps({"source": source, "functions": list(functions), "epochs": epochs,
                       "batch_size": batch_size, "seed": seed, "token": secrets.token_hex(8)})
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3",
           # one core per child: two run at once on a 2-core machine, and neither borrows
           "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false",
           "TF_NUM_INTEROP_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1",
           "OMP_NUM_THREADS": "1", "JAX_PLATFORMS": "cpu"}
    return [sys.executable, "-c", _CHILD], env, spec


#: The line of a traceback that names the exception: ``NameError: …``, ``jax.errors.X: …``.
_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Exit|Interrupt)\b:?")


def exception_line(log: str) -> str | None:
    """The last line of ``log`` that names an exception (``NameError: name 'HIDDEN' is not
    defined``), not TensorFlow's log lines nor the notes Keras prints after it; None if none."""
    named = [line.strip() for line in log.splitlines() if _EXCEPTION_LINE.match(line.strip())]
    return named[-1] if named else None


def _error_line(log: str, returncode: int | None) -> str:
    lines = [line.strip() for line in log.strip().splitlines() if line.strip()]
    return (exception_line(log) or (lines[-1] if lines else f"exit status {returncode}"))[:300]


def _finish(backend: str, process: subprocess.Popen, spec: str, functions: tuple[str, ...],
            timeout: float) -> dict[str, BackendRun]:
    token = json.loads(spec)["token"]
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        failed = BackendRun(backend, error=f"did not finish within {timeout:.0f} s", log=err)
        return {function: failed for function in functions}
    runs = {}
    marker = f"K2TF-RESULT-{token} "
    for line in out.splitlines():
        if line.startswith(marker):
            data = json.loads(line[len(marker):])
            runs[data["function"]] = BackendRun(
                backend, data["accuracy"], tuple(data["epoch_seconds"]), data["final_loss"],
                data["parameters"], log=err)
    if len(runs) < len(functions):
        failed = BackendRun(backend, error=_error_line(err, process.returncode), log=err)
        runs.update({function: failed for function in functions if function not in runs})
    return runs


def run_on(backend: str, build_model: Callable | str, *, epochs: int = 6, batch_size: int = 32,
           seed: int = 0, timeout: float = 180) -> BackendRun:
    """Train ``build_model()`` on the digits under ``backend``, in a new process of this Python."""
    return run_both(build_model, (backend,), epochs=epochs, batch_size=batch_size, seed=seed,
                    timeout=timeout)[backend]


def run_both(build_model: Callable | str, backends: tuple[str, ...] = BACKENDS, *, epochs: int = 6,
             batch_size: int = 32, seed: int = 0, timeout: float = 180) -> dict[str, BackendRun]:
    """Train ``build_model()`` once per backend, the processes side by side; runs by backend."""
    return run_functions(build_model, ("build_model",), backends, epochs=epochs,
                         batch_size=batch_size, seed=seed, timeout=timeout)["build_model"]


def run_functions(source: Callable | str, functions: tuple[str, ...],
                  backends: tuple[str, ...] = BACKENDS, *, epochs: int = 6, batch_size: int = 32,
                  seed: int = 0, timeout: float = 180) -> dict[str, dict[str, BackendRun]]:
    """Like :func:`run_both` for several model-building functions of one source (each run in
    turn in the same process per backend, each seeded alike): runs by function, then backend."""
    source = source_of(source)
    processes = {}
    for backend in backends:
        command, env, spec = _command(backend, source, functions=tuple(functions), epochs=epochs,
                                      batch_size=batch_size, seed=seed)
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
        process.stdin.write(spec + "\n")  # every child starts now, not when its result is read
        process.stdin.close()
        process.stdin = None  # so that communicate() does not flush the closed pipe
        processes[backend] = (process, spec)
    finished = {backend: _finish(backend, process, spec, tuple(functions), timeout)
                for backend, (process, spec) in processes.items()}
    return {function: {backend: finished[backend][function] for backend in backends}
            for function in functions}


def compare(runs: dict[str, BackendRun], tolerance: float = 0.03) -> str:
    """A table of the runs and whether their accuracies agree within ``tolerance``."""
    lines = [f"{'backend':11s} {'test accuracy':>13s} {'s/epoch (median, range)':>30s}"]
    for run in runs.values():
        if not run.ok:
            lines.append(f"{run.backend:11s} failed: {run.error}")
            continue
        low, high = run.spread
        lines.append(f"{run.backend:11s} {run.accuracy:13.1%} "
                     f"{run.seconds_per_epoch:12.3f} ({low:.3f}–{high:.3f})")
    good = [run for run in runs.values() if run.ok]
    if len(good) == len(runs) >= 2:
        gap = max(r.accuracy for r in good) - min(r.accuracy for r in good)
        verdict = ("agree" if gap <= tolerance else "do not agree")
        lines.append(f"accuracies {verdict} within {tolerance:.0%} (gap {gap:.1%})")
    return "\n".join(lines)
