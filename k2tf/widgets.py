"""Interactive widgets for the lessons.

:class:`TrainingExplorer` (lesson 03): sliders for the learning rate, the batch size, the
number of epochs and the width of a small model; each change trains the model again and
redraws its training curves, live, epoch by epoch, in one figure.

The logic lives in plain methods (:meth:`TrainingExplorer.run` trains and returns the
history) so that it can be used and tested without a browser; :attr:`TrainingExplorer.widget`
only wires the sliders to it.
"""
from __future__ import annotations

import base64
import time
from dataclasses import asdict, dataclass, replace
from typing import Any, Callable

import keras

from .callbacks import redraw_due

#: The values each slider offers. Small on purpose: every run takes seconds on a laptop CPU.
#: The learning rates are round steps on a log scale (about ×3 each), from too small to learn
#: in ten epochs to too large to learn at all.
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
BATCH_SIZES = (8, 16, 32, 64, 128, 256)
WIDTHS = (2, 4, 8, 16, 32, 64, 128)
MAX_EPOCHS = 30


@dataclass(frozen=True)
class Settings:
    """The hyperparameters the explorer lets you change."""

    learning_rate: float = 1e-3
    batch_size: int = 32
    epochs: int = 10
    width: int = 32

    def describe(self) -> str:
        return (f"learning rate {self.learning_rate:g} · batch size {self.batch_size} · "
                f"{self.epochs} epochs · {self.width} hidden units")

    def heading(self) -> str:
        """:meth:`describe` on two lines, short enough for a plot's title."""
        return (f"learning rate {self.learning_rate:g} · batch size {self.batch_size}\n"
                f"{self.epochs} epochs · {self.width} hidden units")


def train_digits(settings: Settings, callbacks=(), *, seed: int = 0) -> keras.callbacks.History:
    """Train a fresh one-hidden-layer digit classifier with ``settings``; return its History.

    The model is ``Dense(width, relu) → Dense(10, softmax)`` on the course's digits, with
    Adam at ``settings.learning_rate``, validated on the validation split. Every run starts
    from the same random seed, so two runs differ only by the settings you changed.
    """
    from .data import load_digits

    digits = load_digits()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(settings.width, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=settings.learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    # validation in batches of 256 whatever the training batch: the same loss, fewer steps
    return model.fit(*digits.train, validation_data=tuple(digits.validation),
                     epochs=settings.epochs, batch_size=settings.batch_size,
                     validation_batch_size=256, verbose=0, callbacks=list(callbacks))


class _EachEpoch(keras.callbacks.Callback):
    """Calls ``redraw(logs so far)`` at the end of an epoch, unless the last redraw ended
    less than ``min_seconds`` ago (a redraw costs about an epoch of the explorer's model:
    drawing every epoch would double a run). The last planned epoch is left to the explorer,
    which draws the final curves itself."""

    def __init__(self, redraw: Callable[[dict[str, list[float]]], None], min_seconds: float):
        super().__init__()
        self.redraw = redraw
        self.min_seconds = min_seconds
        self.logs: dict[str, list[float]] = {}
        self._last = None

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.logs.setdefault(key, []).append(float(value))
        planned = (self.params or {}).get("epochs")
        if epoch + 1 != planned and redraw_due(self._last, self.min_seconds):
            self.redraw(self.logs)
            self._last = time.monotonic()


class TrainingExplorer:
    """Train a small model with settings you pick, and watch its training curves.

    ``train(settings, callbacks)`` trains a fresh model and returns its ``History`` (or a
    dict of per-epoch lists); it must pass ``callbacks`` to ``fit``. By default it is
    :func:`train_digits`. Use it without a browser::

        explorer = TrainingExplorer()
        history = explorer.run(Settings(learning_rate=0.01))

    or display :attr:`widget` (or the explorer itself) in a notebook: each slider you move
    trains again and redraws the curves in one figure, epoch by epoch.
    """

    #: The description of each control: stable, because tests and browsers find them by it.
    DESCRIPTIONS = {"learning_rate": "learning rate", "batch_size": "batch size",
                    "epochs": "epochs", "width": "hidden units"}

    def __init__(self, train: Callable[..., Any] | None = None, settings: Settings | None = None,
                 *, title: str = "Training curves", min_seconds: float = 0.5):
        from matplotlib.figure import Figure

        self.train = train or train_digits
        self.settings = settings or Settings()
        self.title = title
        #: the least time between two redraws while a run trains (the end is always drawn)
        self.min_seconds = min_seconds
        self.history: dict[str, list[float]] = {}
        self.runs = 0  # how many trainings have run: tests and curious students read it
        # One figure for the explorer's whole life, unknown to pyplot: it is redrawn in
        # place and never shown twice.
        self.figure = Figure(figsize=(8.4, 3.4))
        self.output = None
        self.status = None
        self.controls: dict[str, Any] = {}
        self._widget = None
        self._showing = False  # True while run() moves the sliders: no training on that

    # ---- the logic: no browser needed -------------------------------------------------
    def run(self, settings: Settings | None = None) -> dict[str, list[float]]:
        """Train with ``settings`` (default: the current ones), redrawing as epochs end
        (at most every ``min_seconds``) and after the last.

        The sliders move to ``settings`` first (without starting another run), so that the
        sliders, the status line and the curves always describe the same run. Returns the
        history as a dict of per-epoch lists (``loss``, ``val_loss``, ...).
        """
        if settings is not None:
            self.settings = settings
        self._show_settings()
        self.runs += 1
        self._set_status(f"run {self.runs}: training… ({self.settings.describe()})")
        redraw = _EachEpoch(self._draw, self.min_seconds)
        result = self.train(self.settings, [redraw])
        history = getattr(result, "history", result)
        if not isinstance(history, dict) or not history:
            raise TypeError("train(settings, callbacks) must return a History or a dict of lists")
        self.history = {k: [float(v) for v in values] for k, values in history.items()}
        self._draw(self.history)
        self._set_status(f"run {self.runs}: {self.summary()}")
        return self.history

    def summary(self) -> str:
        """One line about the last run: its settings and its final validation metrics."""
        if not self.history:
            return "not trained yet"
        finals = [f"{key.replace('_', ' ')} {values[-1]:.3f}" for key, values
                  in sorted(self.history.items()) if key.startswith("val_")]
        return f"{self.settings.describe()} → " + (", ".join(finals) or "no validation data")

    def _draw(self, logs: dict[str, list[float]]) -> None:
        from .plots import draw_history, figure_png

        shown = {k: v for k, v in logs.items() if k != "learning_rate"}
        # Two lines: the settings on one line with the title are wider than the figure.
        draw_history(self.figure, shown, title=f"{self.title} — {self.settings.heading()}",
                     epochs=self.settings.epochs)
        if self.output is not None:
            # Replace the Output's content in one step: no stacked figures, no flicker, and
            # nothing printed to the cell (what a stored notebook records stays the same).
            png = base64.b64encode(figure_png(self.figure)).decode("ascii")
            self.output.outputs = ({"output_type": "display_data", "metadata": {},
                                    "data": {"image/png": png,
                                             "text/plain": f"<training curves, run {self.runs}>"}},)

    def _set_status(self, text: str) -> None:
        if self.status is not None:
            self.status.value = text

    # ---- the widget: sliders wired to run() ---------------------------------------------
    @property
    def widget(self):
        """The explorer's widget, built on first use with a first plot: the last run's curves,
        or those of a run made now if there was none."""
        if self._widget is None:
            self._widget = self._build()
            if self.history:
                self._draw(self.history)
                self._set_status(f"run {self.runs}: {self.summary()}")
            else:
                self.run()
        return self._widget

    def _build(self):
        import ipywidgets as w

        style = {"description_width": "initial"}
        s = self.settings
        self.controls = {
            # Round values on a log scale: a FloatLogSlider lands between them (0.00177828).
            "learning_rate": w.SelectionSlider(
                options=_labelled(_with(LEARNING_RATES, s.learning_rate)), value=s.learning_rate,
                description=self.DESCRIPTIONS["learning_rate"], continuous_update=False,
                style=style),
            "batch_size": w.SelectionSlider(
                options=_labelled(_with(BATCH_SIZES, s.batch_size)), value=s.batch_size,
                description=self.DESCRIPTIONS["batch_size"], continuous_update=False, style=style),
            "epochs": w.IntSlider(
                value=s.epochs, min=1, max=max(MAX_EPOCHS, s.epochs),
                description=self.DESCRIPTIONS["epochs"], continuous_update=False, style=style),
            "width": w.SelectionSlider(
                options=_labelled(_with(WIDTHS, s.width)), value=s.width,
                description=self.DESCRIPTIONS["width"], continuous_update=False, style=style),
        }
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.status = w.Label(value="", layout=w.Layout(width="100%"))
        self.output = w.Output(layout=w.Layout(min_height="280px"))
        header = w.HTML("<b>Training explorer</b>: move a slider and the digit classifier "
                        "trains again; its curves redraw as it trains.")
        return w.VBox([header, w.HBox(list(self.controls.values())[:2]),
                       w.HBox(list(self.controls.values())[2:]), self.status, self.output])

    def _show_settings(self) -> None:
        """Move the sliders to :attr:`settings` (a value a slider lacks is added to it),
        without the observers starting a run."""
        if not self.controls:
            return
        offered = {"learning_rate": LEARNING_RATES, "batch_size": BATCH_SIZES, "width": WIDTHS}
        self._showing = True
        try:
            for name, control in self.controls.items():
                value = getattr(self.settings, name)
                if name in offered:
                    options = _labelled(_with(offered[name], value))
                    if tuple(control.options) != options:
                        control.options = options
                elif name == "epochs":
                    control.max = max(MAX_EPOCHS, value)
                control.value = value
        finally:
            self._showing = False

    def _on_change(self, change) -> None:
        if self._showing:
            return  # run() is showing its settings, not a student asking for a run
        values = {name: control.value for name, control in self.controls.items()}
        for control in self.controls.values():
            control.disabled = True  # one run at a time: the kernel trains, the sliders wait
        try:
            self.run(replace(self.settings, **values))
        finally:
            for control in self.controls.values():
                control.disabled = False

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        # The widget's own text is the repr of every slider; one stable line reads better.
        bundle["text/plain"] = f"TrainingExplorer({', '.join(f'{k}={v!r}' for k, v in asdict(self.settings).items())})"
        return bundle


def _with(options: tuple[float, ...], value: float) -> tuple[float, ...]:
    """``options`` with ``value`` added in order: a slider shows the value it trains with."""
    return tuple(sorted(set(options) | {value}))


def _labelled(options: tuple[float, ...]) -> tuple[tuple[str, float], ...]:
    """``(label, value)`` pairs for a SelectionSlider: each value written the way
    :meth:`Settings.describe` writes it, so the slider and the status line read alike."""
    return tuple((f"{value:g}", value) for value in options)
