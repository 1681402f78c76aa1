"""Loaded by the course's Jupyter kernel at start (see ``k2tf install-kernel``).

It keeps TensorFlow's native log lines out of cell outputs even in a notebook that imports
TensorFlow before calling :func:`k2tf.setup`, and it makes the kernel describe its language
exactly as the course's notebooks store it (:data:`k2tf.notebook_meta.LANGUAGE_INFO`, without the
Python version): JupyterLab copies the kernel's description into a notebook it opens, so any
difference marked every lesson as changed the moment it opened, asked "save your changes?" on
close and autosaved tracked notebooks. Load it in another kernel with
``%load_ext k2tf.ipython_extension``.
"""
from __future__ import annotations

import os

from .notebook_setup import QUIET_TF_ENV, redirect_native_stderr


def load_ipython_extension(ipython) -> None:  # IPython's extension protocol
    for key, value in QUIET_TF_ENV.items():
        os.environ.setdefault(key, value)
    redirect_native_stderr()
    _describe_language_as_stored(ipython)


def _describe_language_as_stored(ipython) -> None:
    from .notebook_meta import LANGUAGE_INFO

    kernel = getattr(ipython, "kernel", None)  # None in a terminal IPython
    if kernel is not None and hasattr(kernel, "language_info"):
        kernel.language_info = {**kernel.language_info, **LANGUAGE_INFO}
        kernel.language_info.pop("version", None)
