"""Keras callbacks the lessons share.

Keras's own progress bar (``verbose=1`` or ``2``) prints how long each step took, which
changes on every run; the course trains with ``verbose=0`` and :class:`EpochSummary` instead.
"""
from __future__ import annotations

import keras


class EpochSummary(keras.callbacks.Callback):
    """Print one line per epoch (or every ``every`` epochs) with the metrics, rounded.

    The line never contains a timing, so a notebook that trains shows the same output on
    every run. Lesson 01 introduces it; lesson 03 writes one like it by hand.
    """

    def __init__(self, every: int = 1, digits: int = 3):
        super().__init__()
        self.every = max(1, int(every))
        self.digits = digits
        self._epochs = None

    def on_train_begin(self, logs=None):
        self._epochs = self.params.get("epochs") if self.params else None

    def on_epoch_end(self, epoch, logs=None):
        number = epoch + 1
        last = self._epochs is not None and number == self._epochs
        if number % self.every and not last:
            return
        total = f"/{self._epochs}" if self._epochs else ""
        shown = " — ".join(f"{k} {v:.{self.digits}f}" for k, v in sorted((logs or {}).items(),
                                                                          key=_metric_order))
        print(f"epoch {number:>3}{total} — {shown}")


def _metric_order(item):
    key = item[0]
    base = key[4:] if key.startswith("val_") else key
    return (key.startswith("val_"), base != "loss", base)
