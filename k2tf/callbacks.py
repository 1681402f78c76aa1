"""Keras callbacks the lessons share.

Keras's own progress bar (``verbose=1`` or ``2``) prints how long each step took, which
changes on every run; the course trains with ``verbose=0`` and :class:`EpochSummary` instead.
"""
from __future__ import annotations

import time

import keras


def redraw_due(last: float | None, min_seconds: float) -> bool:
    """Whether a redraw is due: none yet, or at least ``min_seconds`` since the last one."""
    return last is None or time.monotonic() - last >= min_seconds


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


class LivePlot(keras.callbacks.Callback):
    """Training curves that redraw in the notebook at the end of every epoch (or every
    ``every`` epochs), training next to validation, one panel per metric.

    Drawing a figure costs about as much as an epoch of a small model, so a redraw is
    skipped while less than ``min_seconds`` have passed since the last one (first and last
    epochs are always drawn): fast epochs update the plot twice a second instead of
    doubling the training time. ``min_seconds=0`` draws every ``every`` epochs.

    The plot is *one* output that is replaced in place (an IPython display handle), so a
    long run never stacks figures. A notebook executed without a browser (``nbval``,
    ``nbclient``, the grader) records that single output too, holding the final curves; the
    per-epoch updates are messages such tools may ignore, so a stored notebook stays the same
    from run to run. Outside a notebook nothing is drawn; ``figure`` always holds the latest
    curves. Lesson 03 introduces it; lessons 05 and 07 use it again.
    """

    def __init__(self, metrics=None, *, every: int = 1, title: str = "Training curves (live)",
                 figsize=(8.4, 3.4), min_seconds: float = 0.5):
        super().__init__()
        from matplotlib.figure import Figure

        self.metrics = list(metrics) if metrics is not None else None
        self.every = max(1, int(every))
        self.min_seconds = float(min_seconds)
        self._last_redraw = None  # time.monotonic() when the last redraw ended
        self.title = title
        # a Figure pyplot does not know: the notebook never shows a second, stale copy of it
        self.figure = Figure(figsize=figsize)
        self.logs: dict[str, list[float]] = {}
        self.redraws = 0
        self._drawn_epochs = 0
        self._handle = None
        self._epochs = None

    def on_train_begin(self, logs=None):
        self.logs = {}
        self.redraws = 0
        self._drawn_epochs = 0
        self._last_redraw = None
        self._handle = None
        self._epochs = self.params.get("epochs") if self.params else None

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            if key == "learning_rate":
                continue
            self.logs.setdefault(key, []).append(float(value))
        last = self._epochs is not None and epoch + 1 == self._epochs
        if last or ((epoch + 1) % self.every == 0 and redraw_due(self._last_redraw, self.min_seconds)):
            self._redraw()

    def on_train_end(self, logs=None):
        seen = len(next(iter(self.logs.values()), []))
        if seen and seen != self._drawn_epochs:  # stopped early between two redraws: show the last epoch
            self._redraw()

    def _redraw(self):
        from .plots import draw_history

        metrics = self.metrics
        if metrics is not None:
            metrics = [m for m in metrics if m in self.logs]
        draw_history(self.figure, self.logs, metrics, title=self.title, epochs=self._epochs)
        self.redraws += 1
        self._drawn_epochs = len(next(iter(self.logs.values()), []))
        self._show()
        self._last_redraw = time.monotonic()

    def _show(self):
        from IPython import get_ipython
        from IPython.display import Image, display

        from .plots import figure_png

        if get_ipython() is None:  # a plain Python process: keep the figure, draw nothing
            return
        image = Image(data=figure_png(self.figure), format="png")
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)
