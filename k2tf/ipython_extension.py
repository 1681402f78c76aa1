"""Loaded by the course's Jupyter kernel at start (see ``k2tf install-kernel``).

It keeps TensorFlow's native log lines out of cell outputs even in a notebook that imports
TensorFlow before calling :func:`k2tf.setup`. Load it in another kernel with
``%load_ext k2tf.ipython_extension``.
"""
from __future__ import annotations

import os

from .notebook_setup import QUIET_TF_ENV, redirect_native_stderr


def load_ipython_extension(ipython) -> None:  # noqa: ARG001  (IPython's extension protocol)
    for key, value in QUIET_TF_ENV.items():
        os.environ.setdefault(key, value)
    redirect_native_stderr()
