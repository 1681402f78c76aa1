"""The hyperparameter explorer (k2tf.widgets) and the live training plot (k2tf.callbacks.LivePlot),
driven without a browser: change a control, and one training runs and one figure is redrawn."""
from __future__ import annotations

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
    explorer = TrainingExplorer(train=fake_train, settings=Settings(epochs=3))
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
    live = LivePlot()
    history = model.fit(x, y, validation_data=(x, y), epochs=3, verbose=0, callbacks=[live])
    assert live.redraws == 3
    loss_axes = [ax for ax in live.figure.axes if ax.get_title() == "loss"][0]
    assert any(np.allclose(line.get_ydata(), history.history["val_loss"])
               for line in loss_axes.get_lines())
    every = LivePlot(every=2)
    model.fit(x, y, epochs=5, verbose=0, callbacks=[every])
    assert every.redraws == 3, "epochs 2, 4 and the last one"
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0)
    early = LivePlot(every=10)
    model.fit(x, y, epochs=20, verbose=0, callbacks=[stopper, early])
    assert early.redraws == 1, "a run stopped early still ends on its final curves"
    assert _pyplot_figures() == before
