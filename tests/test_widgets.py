"""The hyperparameter explorer (k2tf.widgets) and the live training plot (k2tf.callbacks.LivePlot),
driven without a browser: change a control, and one training runs and one figure is redrawn."""
from __future__ import annotations

import time

import numpy as np
import pytest

import k2tf


@pytest.fixture(scope="module", autouse=True)
def _setup():
    k2tf.setup(quiet=False)
    import matplotlib

    matplotlib.use("Agg")


def fake_train(settings, callbacks):
    """A stand-in for training: made-up curves that depend on the settings, in no time."""
    history = {}
    for epoch in range(settings.epochs):
        logs = {"loss": 1.0 / (epoch + 1) + settings.learning_rate,
                "val_loss": 1.2 / (epoch + 1) + settings.learning_rate,
                "accuracy": 1 - 1.0 / (epoch + 2), "val_accuracy": 1 - 1.2 / (epoch + 2)}
        for key, value in logs.items():
            history.setdefault(key, []).append(value)
        for callback in callbacks:
            callback.on_epoch_end(epoch, logs)
    return history


def _pyplot_figures():
    import matplotlib.pyplot as plt

    return plt.get_fignums()


def test_run_trains_and_returns_the_history_without_a_widget():
    from k2tf.widgets import Settings, TrainingExplorer

    explorer = TrainingExplorer(train=fake_train)
    history = explorer.run(Settings(learning_rate=0.01, epochs=4))
    assert explorer.runs == 1 and len(history["loss"]) == 4
    assert explorer.settings.learning_rate == 0.01
    assert "val accuracy" in explorer.summary()
    # the figure shows the returned numbers, with titles and labels
    loss_axes = [ax for ax in explorer.figure.axes if ax.get_title() == "loss"]
    assert loss_axes and loss_axes[0].get_xlabel() == "epoch"
    lines = [np.asarray(line.get_ydata()) for line in loss_axes[0].get_lines()]
    assert any(np.allclose(y, history["loss"]) for y in lines)
    assert explorer.figure._suptitle.get_text()


def test_changing_a_control_retrains_and_redraws_one_figure():
    from k2tf.widgets import Settings, TrainingExplorer

    before = _pyplot_figures()
    explorer = TrainingExplorer(train=fake_train, settings=Settings(epochs=3), min_seconds=0)
    widget = explorer.widget  # first use: trains once, so the explorer opens on a plot
    assert explorer.runs == 1
    assert len(explorer.output.outputs) == 1
    assert "image/png" in explorer.output.outputs[0]["data"]
    descriptions = {control.description for control in explorer.controls.values()}
    assert descriptions == {"learning rate", "batch size", "epochs", "hidden units"}
    assert all(c.continuous_update is False for c in explorer.controls.values()), \
        "a drag would start a run per pixel"

    drawn = []
    original = explorer._draw
    explorer._draw = lambda logs: (drawn.append(len(logs.get("loss", []))), original(logs))
    explorer.controls["learning_rate"].value = 0.01
    assert explorer.runs == 2 and explorer.settings.learning_rate == pytest.approx(0.01)
    assert drawn == [1, 2, 3, 3], "a redraw after each epoch, and one at the end"
    explorer.controls["epochs"].value = 5
    explorer.controls["width"].value = 8
    explorer.controls["batch_size"].value = 64
    assert explorer.runs == 5
    assert explorer.settings.epochs == 5 and explorer.settings.width == 8 \
        and explorer.settings.batch_size == 64
    assert len(explorer.history["loss"]) == 5
    assert len(explorer.output.outputs) == 1, "one figure, replaced, never stacked"
    assert not any(c.disabled for c in explorer.controls.values()), "controls enabled again"
    assert _pyplot_figures() == before, "the explorer draws on its own figure, not pyplot's"
    assert widget is explorer.widget


def test_display_text_is_one_stable_line():
    from k2tf.widgets import Settings, TrainingExplorer

    explorer = TrainingExplorer(train=fake_train, settings=Settings(epochs=2, width=16))
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == ("TrainingExplorer(learning_rate=0.001, batch_size=32, "
                                    "epochs=2, width=16)")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert explorer.runs == 1
    explorer._repr_mimebundle_()
    assert explorer.runs == 1, "displaying again does not retrain"


def test_a_run_already_made_is_shown_without_training_again():
    from k2tf.widgets import Settings, TrainingExplorer

    explorer = TrainingExplorer(train=fake_train, settings=Settings(epochs=2))
    explorer.run()
    explorer.widget
    assert explorer.runs == 1 and len(explorer.output.outputs) == 1


def test_default_training_uses_the_settings():
    from k2tf.widgets import Settings, train_digits

    history = train_digits(Settings(learning_rate=0.01, batch_size=128, epochs=2, width=8))
    assert len(history.history["loss"]) == 2 and "val_accuracy" in history.history
    assert history.model.layers[0].units == 8
    assert history.params["steps"] == int(np.ceil(1259 / 128))


def test_live_plot_redraws_one_figure_per_epoch():
    import keras

    from k2tf.callbacks import LivePlot

    before = _pyplot_figures()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 4)).astype("float32"), rng.integers(0, 3, 64)
    live = LivePlot(min_seconds=0)
    history = model.fit(x, y, validation_data=(x, y), epochs=3, verbose=0, callbacks=[live])
    assert live.redraws == 3
    loss_axes = [ax for ax in live.figure.axes if ax.get_title() == "loss"][0]
    assert any(np.allclose(line.get_ydata(), history.history["val_loss"])
               for line in loss_axes.get_lines())
    every = LivePlot(every=2, min_seconds=0)
    model.fit(x, y, epochs=5, verbose=0, callbacks=[every])
    assert every.redraws == 3, "epochs 2, 4 and the last one"
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0)
    early = LivePlot(every=10, min_seconds=0)
    model.fit(x, y, epochs=20, verbose=0, callbacks=[stopper, early])
    assert early.redraws == 1, "a run stopped early still ends on its final curves"
    assert _pyplot_figures() == before


def test_fast_epochs_redraw_at_most_every_min_seconds_and_always_end_on_the_last():
    import keras

    from k2tf.callbacks import LivePlot
    from k2tf.widgets import Settings, TrainingExplorer

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 4)).astype("float32"), rng.integers(0, 3, 64)
    # an hour between redraws: only the first epoch (something to see at once) and the last
    slow = LivePlot(min_seconds=3600)
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[slow])
    assert slow.redraws == 2
    loss_axes = [ax for ax in slow.figure.axes if ax.get_title() == "loss"][0]
    assert any(np.allclose(line.get_ydata(), history.history["loss"]) for line in loss_axes.get_lines())
    # the default keeps a redraw per epoch when epochs are slower than half a second
    paced = LivePlot()
    pause = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: time.sleep(0.6))
    model.fit(x, y, epochs=3, verbose=0, callbacks=[pause, paced])
    assert paced.redraws == 3

    explorer = TrainingExplorer(train=fake_train, settings=Settings(epochs=5), min_seconds=3600)
    drawn = []
    original = explorer._draw
    explorer._draw = lambda logs: (drawn.append(len(logs.get("loss", []))), original(logs))
    explorer.run()
    assert drawn == [1, 5], "the first epoch at once, then the final curves"

    # with Keras's fit (which tells callbacks the planned epochs) the last epoch is drawn once
    real = TrainingExplorer(settings=Settings(epochs=3, width=4, batch_size=256), min_seconds=0)
    drawn.clear()
    original_real = real._draw
    real._draw = lambda logs: (drawn.append(len(logs.get("loss", []))), original_real(logs))
    real.run()
    assert drawn == [1, 2, 3]


# ---- the sliders tell the truth ---------------------------------------------------------------

def _shown(explorer) -> dict:
    """What each slider shows: its readout label (SelectionSlider) or its value."""
    return {name: getattr(control, "label", None) or str(control.value)
            for name, control in explorer.controls.items()}


def test_run_moves_the_sliders_to_its_settings_and_trains_once():
    from k2tf.widgets import Settings, TrainingExplorer

    explorer = TrainingExplorer(train=fake_train, settings=Settings(epochs=3))
    explorer.widget
    assert explorer.runs == 1
    explorer.run(Settings(learning_rate=0.3, batch_size=64, epochs=4, width=8))
    assert explorer.runs == 2, "moving the sliders must not start another training"
    assert _shown(explorer) == {"learning_rate": "0.3", "batch_size": "64", "epochs": "4",
                                "width": "8"}
    assert "learning rate 0.3 · batch size 64 · 4 epochs · 8 hidden units" in explorer.status.value
    assert len(explorer.history["loss"]) == 4
    # Values no slider offers are added to it, shown as they are (never rounded to a neighbour).
    explorer.run(Settings(learning_rate=0.00177828, batch_size=100, epochs=40, width=12))
    assert explorer.runs == 3
    assert _shown(explorer) == {"learning_rate": "0.00177828", "batch_size": "100",
                                "epochs": "40", "width": "12"}
    assert explorer.controls["learning_rate"].value == 0.00177828
    assert "learning rate 0.00177828 ·" in explorer.status.value
    # The sliders still train when a student moves one, once per move.
    explorer.controls["learning_rate"].value = 0.01
    assert explorer.runs == 4 and explorer.settings.learning_rate == 0.01
    assert _shown(explorer)["learning_rate"] == "0.01" and "learning rate 0.01 ·" in explorer.status.value


def test_the_learning_rate_slider_offers_only_round_values():
    import ipywidgets

    from k2tf.widgets import Settings, TrainingExplorer

    explorer = TrainingExplorer(train=fake_train, settings=Settings(epochs=2))
    explorer.widget
    slider = explorer.controls["learning_rate"]
    assert isinstance(slider, ipywidgets.SelectionSlider), "a FloatLogSlider lands between round values"
    labels = [label for label, _ in slider.options]
    assert labels == ["0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1"]
    for label, value in slider.options:
        assert float(f"{value:.1g}") == value and float(label) == value, (label, value)
    # a log scale: each step multiplies the rate by about 3
    values = [value for _, value in slider.options]
    assert all(2.9 < b / a < 3.4 for a, b in zip(values, values[1:]))
    for index in range(len(values)):  # every stop a student can land on trains with a round rate
        slider.index = index
        assert f"learning rate {labels[index]} ·" in explorer.status.value


def _title_box_inside_png(figure):
    """The suptitle's bounding box and the PNG's size, both in the PNG's pixels."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    from k2tf.plots import figure_png

    with Image.open(io.BytesIO(figure_png(figure))) as png:
        width, height = png.size
    canvas = FigureCanvasAgg(figure)  # the same dpi as the PNG (savefig.dpi is the figure's)
    canvas.draw()
    box = figure._suptitle.get_window_extent(canvas.get_renderer())
    return box, width, height


@pytest.mark.parametrize("settings", [
    dict(learning_rate=3e-4, batch_size=256, epochs=30, width=128),  # the longest on the sliders
    dict(learning_rate=0.00177828, batch_size=256, epochs=100, width=1024),  # off the sliders
])
def test_the_plot_title_is_not_clipped(settings):
    from k2tf.notebook_setup import style_plots
    from k2tf.widgets import Settings, TrainingExplorer

    style_plots()  # the lessons' fonts and dpi, set by k2tf.setup()
    explorer = TrainingExplorer(train=fake_train)
    explorer.run(Settings(**settings))
    title = explorer.figure._suptitle.get_text()
    assert f"learning rate {settings['learning_rate']:g}" in title and f"{settings['width']} hidden" in title
    box, width, height = _title_box_inside_png(explorer.figure)
    assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height, \
        f"title {title!r} at {box} is clipped by the {width}×{height} image"
    for ax in explorer.figure.axes:  # and the title does not run into the panels below it
        assert box.y0 >= ax.title.get_window_extent(explorer.figure.canvas.get_renderer()).y1


# ---- the state stored with lesson 03 -----------------------------------------------------------

LESSON_03 = "notebooks/03_training_with_fit.ipynb"


def test_shown_widget_state_keeps_the_shown_widgets_and_what_they_are_made_of():
    import nbformat

    from k2tf import notebooks

    def model(name, **state):
        return {"model_name": name, "model_module": "@jupyter-widgets/controls",
                "model_module_version": "2.0.0", "state": state}

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("w", outputs=[nbformat.v4.new_output(
        "display_data", data={notebooks.WIDGET_VIEW: {"model_id": "box", "version_major": 2,
                                                      "version_minor": 0},
                              "text/plain": "VBox()"})])]
    nb.metadata.widgets = {notebooks.WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {
        "box": model("VBoxModel", children=["IPY_MODEL_slider"], layout="IPY_MODEL_layout"),
        "slider": model("IntSliderModel", value=3, style="IPY_MODEL_style"),
        "style": model("SliderStyleModel"),
        "layout": model("LayoutModel", width="100%", height=None),
        "replaced": model("IntSliderModel", value=1),  # no output shows it any more
    }}}
    kept = notebooks.normalize(nb).metadata.widgets[notebooks.WIDGET_STATE]["state"]
    assert set(kept) == {"box", "slider", "style", "layout"}
    assert kept["layout"]["state"] == {"width": "100%"}, "unset layout properties are left out"
    nb.cells[0].outputs = []
    assert "widgets" not in notebooks.normalize(nb).metadata, "no widget shown, no state"


def test_lesson_03_stores_the_explorers_state_with_its_final_run(repo):
    import base64
    import json
    import re

    from k2tf import notebooks

    path = repo / LESSON_03
    nb = notebooks.read(path)
    state = nb.metadata.widgets[notebooks.WIDGET_STATE]["state"]
    explorer = next(c for c in nb.cells if c.get("id") == "explorer")
    views = [o.data[notebooks.WIDGET_VIEW]["model_id"] for o in explorer.outputs
             if notebooks.WIDGET_VIEW in o.get("data", {})]
    assert len(views) == 1 and views[0] in state, "the explorer's output has no stored state"
    assert views == notebooks.widget_views(nb), "state for the explorer only"
    # Every model the explorer refers to is stored, and nothing else.
    assert set(state) == set(notebooks.shown_widget_state(nb)) and all(
        ref in state for model in state.values() for ref in notebooks._references(model))
    by_name: dict[str, list[dict]] = {}
    for model in state.values():
        by_name.setdefault(model["model_name"], []).append(model["state"])
    (output,) = by_name["OutputModel"]
    (image,) = [o["data"]["image/png"] for o in output["outputs"]]
    assert [o["output_type"] for o in output["outputs"]] == ["display_data"], \
        "the plot and nothing else: no log line or warning captured with it"
    assert base64.b64decode(image).startswith(b"\x89PNG\r\n\x1a\n")
    # The final state is the run of the later explorer.run(Settings(...)) cell: sliders,
    # status line and plot all describe it.
    later = next(c for c in nb.cells if "explorer.run(Settings(" in c.source)
    rate = re.search(r"learning_rate=([0-9.e-]+)", later.source).group(1)
    (status,) = [s["value"] for s in by_name["LabelModel"]]
    assert f"learning rate {float(rate):g} ·" in status and "→" in status
    sliders = {s["description"]: s for s in by_name["SelectionSliderModel"]}
    learning_rate = sliders["learning rate"]
    assert learning_rate["_options_labels"][learning_rate["index"]] == f"{float(rate):g}"
    for name, value in re.findall(r"(batch_size|width)=(\d+)", later.source):
        slider = sliders[{"batch_size": "batch size", "width": "hidden units"}[name]]
        assert slider["_options_labels"][slider["index"]] == value
    (epochs,) = by_name["IntSliderModel"]
    assert f"epochs={epochs['value']}" in later.source
    # Small: the PNG is most of it.
    assert len(json.dumps(state)) < len(image) + 40_000
