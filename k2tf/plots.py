"""Plots the lessons share: training curves and images with their labels.

Taught in lesson 01; used again in lessons 03, 05 and 07.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from matplotlib.ticker import MaxNLocator


def plot_history(history: Any, metrics: Sequence[str] | None = None, *, title: str = "Training curves"):
    """Plot each metric of a Keras ``History`` (or a dict of lists) per epoch, training next to
    validation, one panel per metric. Returns the matplotlib ``Figure``.

    ``metrics`` chooses the panels (default: every metric without a ``val_`` prefix, loss first).
    """
    import matplotlib.pyplot as plt

    logs = history.history if hasattr(history, "history") else dict(history)
    metrics = _metrics(logs, metrics)
    if not metrics:
        raise ValueError("nothing to plot: the history holds no metric")
    missing = [name for name in metrics if name not in logs]
    if missing:
        raise KeyError(f"not in the history: {', '.join(missing)}")
    return draw_history(plt.figure(figsize=(4.2 * len(metrics), 3.4)), logs, metrics, title=title)


def _metrics(logs: dict, metrics: Sequence[str] | None) -> list[str]:
    """``metrics``, or every metric of ``logs`` without a ``val_`` prefix, loss first."""
    if metrics is not None:
        return list(metrics)
    return sorted((k for k in logs if not k.startswith("val_")), key=lambda k: (k != "loss", k))


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


def draw_history(figure: Any, history: Any, metrics: Sequence[str] | None = None, *,
                 title: str = "Training curves", epochs: int | None = None):
    """Draw :func:`plot_history`'s panels onto an existing matplotlib ``figure``, cleared first.

    For plots redrawn while a model trains (:class:`k2tf.callbacks.LivePlot`, lesson 03's
    explorer in :mod:`k2tf.widgets`): the figure can be a plain ``matplotlib.figure.Figure``
    that pyplot does not know, so the notebook never shows a stale copy of it. ``epochs``
    fixes the x-axis to the planned number of epochs, so the curves grow from left to right.
    Returns ``figure``.
    """
    logs = history.history if hasattr(history, "history") else dict(history)
    metrics = _metrics(logs, metrics)
    figure.clear()
    axes = figure.subplots(1, max(1, len(metrics)), squeeze=False)[0]
    for ax, name in zip(axes, metrics):
        values = logs.get(name, [])
        ax.plot(np.arange(1, len(values) + 1), values, marker="o", markersize=3, label="training")
        if f"val_{name}" in logs:
            val = logs[f"val_{name}"]
            ax.plot(np.arange(1, len(val) + 1), val, marker="o", markersize=3, label="validation")
        if epochs:
            ax.set_xlim(0.5, epochs + 0.5)
        ax.set_title(name.replace("_", " "))
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.set_ylabel(name.replace("_", " "))
        ax.legend()
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def figure_png(figure: Any) -> bytes:
    """The PNG image of a matplotlib ``figure`` (what a notebook would show), as bytes."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _layer_nodes(model: Any):
    """(layer, node index, node) for every call of a layer that belongs to ``model``'s graph."""
    from keras.src.ops.function import make_node_key  # the key Functional uses for its nodes

    in_graph = getattr(model, "_nodes", None)
    for layer in _operations(model):
        for index, node in enumerate(layer._inbound_nodes):
            if in_graph is not None and make_node_key(layer, index) not in in_graph:
                continue  # a call of the layer in another model
            yield layer, index, node


def _operations(model: Any) -> list[Any]:
    """The layers of ``model``, and the ``keras.ops`` calls of a functional model (such as
    ``keras.ops.abs(x)``), which are steps of its graph too but not in ``model.layers``."""
    import keras

    if isinstance(model, keras.Sequential) or not hasattr(model, "operations"):
        return list(model.layers)
    return list(model.operations)


def layer_graph(model: Any) -> tuple[list[Any], list[tuple[str, str]]]:
    """The graph of layers of a functional (or Sequential) Keras model.

    Returns ``(layers, edges)``: the layers in the model's order (inputs included) and the
    edges ``(from_layer_name, to_layer_name)`` along which tensors flow, each once. A shared
    layer is one entry in ``layers`` with edges from each of its callers. Lesson 02.
    """
    import keras

    if isinstance(model, keras.Sequential):
        layers = list(model.layers)  # a Sequential model lists no InputLayer
        edges = [(a.name, b.name) for a, b in zip(layers, layers[1:])]
        return layers, edges
    layers = _operations(model)
    edges: list[tuple[str, str]] = []
    for layer, _, node in _layer_nodes(model):
        for tensor in node.input_tensors:
            source = tensor._keras_history.operation
            if source is None:
                continue
            edge = (source.name, layer.name)
            if edge not in edges:
                edges.append(edge)
    return layers, edges


def _layer_description(model: Any, layer: Any) -> tuple[str, int]:
    """``"Dense (None, 32)"`` for ``layer``, and how many times ``model`` calls it."""
    own = [node for owner, _, node in _layer_nodes(model) if owner is layer]
    shape = None
    if own and own[0].outputs:
        shape = tuple(own[0].outputs[0].shape)
    elif getattr(layer, "output", None) is not None:
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):
            shape = None
    text = type(layer).__name__ + (f" {shape}" if shape is not None else "")
    return text, max(1, len(own))


def layer_graph_text(model: Any) -> str:
    """A text rendering of the graph of layers: one line per layer, with its class, output
    shape and the layers that feed it. Works everywhere (no Graphviz needed). Lesson 02."""
    layers, edges = layer_graph(model)
    rows = []
    for layer in layers:
        text, calls = _layer_description(model, layer)
        sources = [a for a, b in edges if b == layer.name]
        if sources:
            fed = "← " + ", ".join(sources)
        else:
            fed = "(input)" if type(layer).__name__ == "InputLayer" else "← the model's input"
        shared = f"  [shared: called {calls}×]" if calls > 1 else ""
        rows.append((layer.name, text, fed + shared))
    name_width = max(len(r[0]) for r in rows)
    text_width = max(len(r[1]) for r in rows)
    return "\n".join(f"{a:<{name_width}}  {b:<{text_width}}  {c}" for a, b, c in rows)


def plot_layer_graph(model: Any, *, title: str | None = None):
    """Draw the graph of layers of a Keras model with matplotlib: one box per layer (name,
    class, output shape), arrows where tensors flow, inputs at the top.

    The course's offline stand-in for ``keras.utils.plot_model``, which needs the Graphviz
    system package. A shared layer is drawn once, with an arrow from each of its callers.
    Returns the ``Figure``. Lesson 02.
    """
    import matplotlib.pyplot as plt

    layers, edges = layer_graph(model)
    names = [layer.name for layer in layers]
    depth = {name: 0 for name in names}
    for _ in names:  # longest path from an input; the graph is acyclic, so this settles
        for a, b in edges:
            depth[b] = max(depth[b], depth[a] + 1)
    for name in names:  # an input that feeds a deep layer only sits just above it
        targets = [depth[b] for a, b in edges if a == name]
        if targets and not any(b == name for _, b in edges):
            depth[name] = min(targets) - 1
    rows: dict[int, list[str]] = {}
    for name in names:
        rows.setdefault(depth[name], []).append(name)
    rows = {row: rows[key] for row, key in enumerate(sorted(rows))}
    n_rows, n_cols = len(rows), max(len(r) for r in rows.values())
    fig, ax = plt.subplots(figsize=(max(4.8, 2.9 * n_cols), 0.2 + 1.05 * n_rows))
    position = {}
    for row, members in rows.items():
        for i, name in enumerate(members):
            position[name] = ((i + 0.5) * n_cols / len(members), n_rows - 1 - row)
    for a, b in edges:
        (xa, ya), (xb, yb) = position[a], position[b]
        ax.annotate("", xy=(xb, yb + 0.24), xytext=(xa, ya - 0.24),
                    arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.2, shrinkA=0, shrinkB=0))
    by_name = {layer.name: layer for layer in layers}
    for name, (x, y) in position.items():
        text, calls = _layer_description(model, by_name[name])
        kind = type(by_name[name]).__name__
        colour = "#dbe9f6" if kind == "InputLayer" else ("#fde2c8" if calls > 1 else "#eeeeee")
        label = f"{name}\n{text}" + (f"\nshared: called {calls}×" if calls > 1 else "")
        ax.text(x, y, label, ha="center", va="center", fontsize=9,
                bbox=dict(boxstyle="round,pad=0.35", facecolor=colour, edgecolor="0.4"))
    ax.set_xlim(-0.1, n_cols + 0.1)
    ax.set_ylim(-0.6, n_rows - 0.4)
    ax.axis("off")
    ax.set_title(title or f"Graph of layers of “{model.name}” (data flows downwards)")
    fig.tight_layout()
    return fig
