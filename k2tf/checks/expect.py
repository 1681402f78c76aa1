"""Small, strict helpers for writing checks.

They accept only real numbers, NumPy arrays and TensorFlow tensors, and compare copies
converted to plain float64 arrays, so an answer cannot pass by being an object that claims
to equal anything (an ``__eq__`` that always returns ``True``, an ``ndarray`` subclass whose
``__array_function__`` answers ``np.allclose`` itself) or by being a string that looks like
a number.
"""
from __future__ import annotations

import numbers
import sys
from typing import Any

import numpy as np

from . import Fail


_NUMBERS = ("give the value itself: a Python number, a NumPy array or a tensor of numbers "
            "(not text, not a list of mixed things); print it in a cell of its own to see what "
            "it is.")


def _is_tensor(value: Any) -> bool:
    module = type(value).__module__
    return module.startswith(("tensorflow", "keras")) and hasattr(value, "numpy")


def as_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a float64 NumPy array, if it is a number, an array, a tensor or a list of numbers."""
    if isinstance(value, (bool, np.bool_)):
        raise Fail(f"`{name}` is a boolean ({value}); a number was expected.", _NUMBERS)
    if _is_tensor(value):
        value = value.numpy()
    if isinstance(value, numbers.Real) or isinstance(value, np.generic):
        value = np.asarray(value)
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value)
        except ValueError:
            raise Fail(f"`{name}` is a ragged list; a rectangular array was expected.",
                       _NUMBERS) from None
    if not isinstance(value, np.ndarray):
        raise Fail(
            f"`{name}` is a {type(value).__name__}; a number, NumPy array or tf.Tensor was expected.",
            _NUMBERS,
        )
    if value.dtype.kind not in "biuf":
        raise Fail(f"`{name}` holds values of type {value.dtype}; numbers were expected.", _NUMBERS)
    # np.array (subok=False) copies into a plain ndarray: a subclass that overrides
    # __array_function__ or comparisons cannot answer np.allclose or == for itself.
    return np.array(value, dtype=np.float64)


def as_number(value: Any, name: str) -> float:
    """``value`` as a Python float, if it is a single real number (or a 0-d array or tensor)."""
    array = as_array(value, name)
    if array.size != 1:
        raise Fail(f"`{name}` has shape {array.shape}; a single number was expected.",
                   "reduce it to one value (a mean, a sum, or one element), as the question asks.")
    return float(array.reshape(()))


def close(actual: Any, expected: Any, name: str, *, rtol: float = 1e-5, atol: float = 1e-6,
          hint: str | None = None) -> None:
    """Fail unless ``actual`` has ``expected``'s shape and values within tolerance."""
    a = as_array(actual, name)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        raise Fail(f"`{name}` has shape {a.shape}; shape {e.shape} was expected.", hint)
    if not np.all(np.isfinite(a)):
        raise Fail(f"`{name}` contains NaN or infinite values.", hint)
    if not np.allclose(a, e, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(a - e))) if a.size else 0.0
        raise Fail(f"`{name}` has the right shape but wrong values (off by up to {worst:.3g}).", hint)


def course_kinds(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    """``kinds`` and, for a class of the course's package, the same class as students import it.

    The grader runs checks from a private copy of the ``k2tf`` package (so that student code
    cannot patch them): there ``Situation`` is ``<private>.decision_guide.Situation``, while
    the student's object is a ``k2tf.decision_guide.Situation``. Both are accepted; a class
    that merely shares the name is not.
    """
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    own = __name__.split(".")[0]  # "k2tf", or the private copy's name inside the grader
    found = list(kinds)
    for kind in kinds:
        module = getattr(kind, "__module__", "")
        if own != "k2tf" and module.startswith(own + "."):
            public = sys.modules.get("k2tf" + module[len(own):])
            counterpart = getattr(public, kind.__qualname__, None) if public else None
            if isinstance(counterpart, type):
                found.append(counterpart)
    return tuple(found)


def is_instance(value: Any, kinds: type | tuple[type, ...], name: str, what: str,
                hint: str | None = None) -> None:
    """Fail unless ``value`` is an instance of ``kinds``; ``what`` names the expected kind."""
    if not isinstance(value, course_kinds(kinds)):
        raise Fail(f"`{name}` should be {what}, but it is a {type(value).__module__}."
                   f"{type(value).__qualname__}.", hint)


def history_of(answers, model, name: str = "history"):
    """The student's ``History`` from training ``model`` itself (what ``model.fit`` returned)."""
    import keras

    history = answers[name]
    is_instance(history, keras.callbacks.History, name, "what `model.fit(...)` returns",
                hint=f"write `{name} = model.fit(...)`.")
    if history.model is not model:
        raise Fail(f"`{name}` belongs to another model than `model`.",
                   "train `model` itself, and keep what that call to fit returns.")
    return history
