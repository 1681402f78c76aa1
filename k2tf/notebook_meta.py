"""What the course's notebooks say about their kernel, in a module that imports nothing.

The course kernel reads :data:`LANGUAGE_INFO` as it starts (:mod:`k2tf.ipython_extension`);
keeping it here, away from :mod:`k2tf.notebooks` and its ``nbformat`` (0.8 s to import),
keeps that start fast.
"""
from __future__ import annotations

KERNEL_NAME = "k2tf"
KERNEL_DISPLAY_NAME = "k2tf (Python 3, TensorFlow)"
KERNELSPEC = {"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY_NAME, "language": "python"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
