"""k2tf — the package of the course "From Keras to TensorFlow".

What a notebook uses:

* :func:`setup` — the one call at the top of every notebook (seeds, quiet TensorFlow, plots).
* :func:`check` and :class:`NotAnswered` — exercise check cells and answer placeholders.
* :mod:`k2tf.data` — data sets that ship with the course.
* :mod:`k2tf.plots` — plots the lessons share.
"""
from .checks import CheckFailed, NotAnswered, check
from .notebook_setup import DEFAULT_SEED, setup, tensorflow_log

__version__ = "0.1.0"

__all__ = ["CheckFailed", "DEFAULT_SEED", "NotAnswered", "check", "setup", "tensorflow_log",
           "__version__"]
