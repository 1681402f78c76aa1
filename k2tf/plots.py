"""Plots the lessons share: training curves and images with their labels.

Taught in lesson 01; used again in lessons 03, 05 and 07.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def plot_history(history: Any, metrics: Sequence[str] | None = None, *, title: str = "Training curves"):
    """Plot each metric of a Keras ``History`` (or a dict of lists) per epoch, training next to
    validation, one panel per metric. Returns the matplotlib ``Figure``.

    ``metrics`` chooses the panels (default: every metric without a ``val_`` prefix, loss first).
    """
    import matplotlib.pyplot as plt

    logs = history.history if hasattr(history, "history") else dict(history)
    if metrics is None:
        metrics = [k for k in logs if not k.startswith("val_")]
        metrics.sort(key=lambda k: (k != "loss", k))
    if not metrics:
        raise ValueError("nothing to plot: the history holds no metric")
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.4), squeeze=False)
    for ax, name in zip(axes[0], metrics):
        values = logs[name]
        epochs = np.arange(1, len(values) + 1)
        ax.plot(epochs, values, marker="o", markersize=3, label="training")
        if f"val_{name}" in logs:
            ax.plot(epochs, logs[f"val_{name}"], marker="o", markersize=3, label="validation")
        ax.set_title(name.replace("_", " "))
        ax.set_xlabel("epoch")
        ax.set_ylabel(name.replace("_", " "))
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_images(images: np.ndarray, labels: Sequence[Any] | None = None,
                predictions: Sequence[Any] | None = None, *, columns: int = 8,
                title: str | None = None):
    """Show small grey-scale images in a grid, each titled with its label (and prediction).

    A prediction that differs from its label is shown in red. ``images`` may be flat (64
    values for the course's 8×8 digits) or 2-D. Returns the ``Figure``.
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    n = len(images)
    if n == 0:
        raise ValueError("no images to show")
    side = int(round(np.sqrt(images[0].size)))
    rows = int(np.ceil(n / columns))
    fig, axes = plt.subplots(rows, min(columns, n), figsize=(1.1 * min(columns, n), 1.3 * rows + 0.4),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i].reshape(side, side), cmap="gray_r", interpolation="nearest")
        parts, colour = [], "black"
        if labels is not None:
            parts.append(f"label {labels[i]}")
        if predictions is not None:
            parts.append(f"pred {predictions[i]}")
            if labels is not None and labels[i] != predictions[i]:
                colour = "crimson"
        if parts:
            ax.set_title("\n".join(parts), fontsize=8, color=colour)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
