"""What this machine gives the course: versions, devices, and whether data loads offline.

Lesson 00 prints it; so does ``k2tf doctor``.
"""
from __future__ import annotations

import os
import platform
from importlib import metadata


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def report() -> dict[str, str]:
    """A dict of facts, each a short string: versions, CPU cores, GPUs, offline data."""
    import tensorflow as tf

    from .data import load_digits

    gpus = tf.config.list_physical_devices("GPU")
    try:
        digits = load_digits()
        data = f"ok — {len(digits.train) + len(digits.validation) + len(digits.test)} digit images"\
               " loaded from the course's own files"
    except OSError as error:
        data = f"PROBLEM — {error}"
    return {
        "Python": platform.python_version(),
        "TensorFlow": tf.__version__,
        "Keras": _version("keras"),
        "Keras backend": os.environ.get("KERAS_BACKEND", "tensorflow"),
        "TensorBoard": _version("tensorboard"),
        "CPU cores": str(os.cpu_count()),
        "GPUs": ", ".join(g.name for g in gpus) if gpus else "none: lessons run on the CPU",
        "Offline data": data,
    }


def format_report(facts: dict[str, str]) -> str:
    width = max(len(k) for k in facts)
    return "\n".join(f"{key:<{width}}  {value}" for key, value in facts.items())
