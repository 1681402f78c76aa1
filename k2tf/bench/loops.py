"""Benchmarks 3 and 4b: one model, one dataset, five ways to train it, in steps per second.

The model and data are lesson 05's: a 64-64-10 multilayer perceptron on the course's digits
(``x_train``: 1,259 images, batches of 32 from a shuffled ``tf.data`` pipeline), Adam, sparse
categorical cross-entropy, under the course's own settings (``k2tf.setup()``: seeded,
deterministic ops). The same dataset object feeds every way of training:

- ``fit``: ``model.compile(..., jit_compile=False)`` then ``model.fit`` (the Keras way);
- ``fit, deterministic ops off``: the same without op determinism;
- ``fit, jit_compile=True``: the same with XLA. Keras quietly turns XLA off while op
  determinism is on (``keras.src.trainers.trainer.model_supports_jit``), as it is in every
  lesson, so this variant and the one before it run with determinism off: comparing them
  shows XLA's own effect, comparing the first two shows what determinism costs;
- ``train_step overridden``: lesson 07's ``keras.Model`` subclass with its own ``train_step``,
  trained by ``fit``;
- ``tf.function loop``: lesson 05's loop: a ``@tf.function`` step called from a Python ``for``
  loop over the dataset, the loss of each step read back as a float;
- ``eager loop``: the same loop without ``tf.function``.

Benchmark 3: each way trains a fresh model for one warm-up epoch (tracing and compiling;
timed separately), then ``epochs`` epochs timed: steps per second. ``rounds`` rounds, each
timing every way once, in order, and the ratio to ``fit`` is taken within a round.

Benchmark 4b: the time to train a fresh model for two epochs, warm-up included (what a
student waits for), on datasets of several sizes (the digits, repeated with a little noise).

Run as ``python -m k2tf.bench.loops [--device cpu|gpu] ...``; it prints JSON. ``k2tf bench``
runs it in a child process so that TensorFlow never lives in the benchmark's own process.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

VARIANTS = ["fit", "fit, deterministic ops off", "fit, jit_compile=True",
            "train_step overridden (lesson 07)", "tf.function loop (lesson 05)", "eager loop"]
#: Keras turns ``jit_compile=True`` off (with a warning) while op determinism is on, as it is
#: in every lesson: these variants run with it off, and the other variants with it on.
NONDETERMINISTIC = {"fit, deterministic ops off", "fit, jit_compile=True"}
BATCH = 32


def _data(size: int | None, seed: int = 0):
    import numpy as np

    from ..data import load_digits

    x, y = load_digits().train
    x, y = x.astype("float32"), y.astype("int64")
    if size is None:
        return x, y
    rng = np.random.default_rng(seed)
    index = np.arange(size) % len(x)
    noise = rng.normal(scale=0.05, size=(size, x.shape[1])).astype("float32")
    return x[index] + noise * (index >= len(x))[:, None], y[index]


def _dataset(x, y):
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=1)
    return data.batch(BATCH).prefetch(tf.data.AUTOTUNE)


def _layers():
    import keras

    inputs = keras.Input(shape=(64,))
    hidden = keras.layers.Dense(64, activation="relu")(inputs)
    return inputs, keras.layers.Dense(10, activation="softmax")(hidden)


def _trainer(variant: str, dataset):
    """A fresh model for ``variant`` and a function that trains it ``epochs`` epochs."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    from tensorflow.python.framework import config as tf_config  # no public "disable"

    if variant in NONDETERMINISTIC:
        tf_config.disable_op_determinism()
    else:
        tf_config.enable_op_determinism()
    loss = keras.losses.SparseCategoricalCrossentropy()
    if variant.startswith("fit") or variant.startswith("train_step"):
        if variant.startswith("train_step"):
            class StepModel(keras.Model):
                def train_step(self, data):
                    x, y = data
                    with tf.GradientTape() as tape:
                        y_pred = self(x, training=True)
                        batch_loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
                    gradients = tape.gradient(batch_loss, self.trainable_variables)
                    self.optimizer.apply(gradients, self.trainable_variables)
                    for metric in self.metrics:
                        metric.update_state(batch_loss)
                    return {metric.name: metric.result() for metric in self.metrics}

            model = StepModel(*_layers())
        else:
            model = keras.Model(*_layers())
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss,
                      jit_compile=variant == "fit, jit_compile=True")

        def train(epochs: int) -> None:
            model.fit(dataset, epochs=epochs, verbose=0)

        return train

    model = keras.Model(*_layers())
    optimizer = keras.optimizers.Adam(1e-3)

    def step(x, y):
        with tf.GradientTape() as tape:
            batch_loss = loss(y, model(x, training=True))
        gradients = tape.gradient(batch_loss, model.trainable_variables)
        optimizer.apply(gradients, model.trainable_variables)
        return batch_loss

    if variant.startswith("tf.function"):
        step = tf.function(step)

    def train(epochs: int) -> None:
        for _ in range(epochs):
            [float(step(x, y)) for x, y in dataset]  # lesson 05 keeps each step's loss as a float

    return train


def steps_per_second(*, rounds: int, epochs: int, log=None) -> dict:
    """Benchmark 3: warm-up seconds and steps/s of every variant, ``rounds`` times."""
    x, y = _data(None)
    dataset = _dataset(x, y)
    steps = -(-len(x) // BATCH)
    results = {variant: {"warmup_seconds": [], "steps_per_second": []} for variant in VARIANTS}
    _trainer("fit", dataset)(1)  # the process's first training pays one-off costs: not measured
    for round_ in range(1, rounds + 1):
        for variant in VARIANTS:
            train = _trainer(variant, dataset)
            started = time.perf_counter()
            train(1)
            warmup = time.perf_counter() - started
            started = time.perf_counter()
            train(epochs)
            rate = steps * epochs / (time.perf_counter() - started)
            results[variant]["warmup_seconds"].append(round(warmup, 4))
            results[variant]["steps_per_second"].append(round(rate, 2))
            if log:
                log(f"  loops, round {round_}/{rounds}: {variant}: {rate:.0f} steps/s")
    return {"samples": len(x), "batch": BATCH, "steps_per_epoch": steps, "epochs": epochs,
            "rounds": rounds, "variants": results}


def dataset_scaling(*, sizes: list[int], rounds: int, epochs: int = 2, log=None) -> dict:
    """Benchmark 4b: seconds to train a fresh model ``epochs`` epochs, warm-up included, per size."""
    results = {variant: {str(size): [] for size in sizes} for variant in VARIANTS}
    for round_ in range(1, rounds + 1):
        for size in sizes:
            dataset = _dataset(*_data(size))
            for variant in VARIANTS:
                train = _trainer(variant, dataset)
                started = time.perf_counter()
                train(epochs)
                seconds = time.perf_counter() - started
                results[variant][str(size)].append(round(seconds, 4))
                if log:
                    log(f"  loops by size, round {round_}/{rounds}: {size} samples, {variant}: {seconds:.2f} s")
    return {"sizes": sizes, "epochs": epochs, "batch": BATCH, "rounds": rounds, "variants": results}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m k2tf.bench.loops")
    parser.add_argument("--device", choices=["cpu", "gpu"], default="cpu")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--sizes", default="1259,5000,20000,50000")
    parser.add_argument("--size-rounds", type=int, default=3)
    parser.add_argument("--out", required=True, help="JSON file the results are written to")
    args = parser.parse_args(argv)
    if args.device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = ""  # the CPU figures stay CPU figures on a GPU machine
    import warnings

    import k2tf
    from k2tf.notebook_setup import quiet_tensorflow

    sys.stderr = os.fdopen(os.dup(2), "w", buffering=1)  # Python's errors still reach the terminal
    quiet_tensorflow(native=True)  # TensorFlow's C++ log lines go to a log file, not the terminal
    k2tf.setup()
    warnings.simplefilter("ignore")  # fit's note that a tf.data dataset is not reshuffled
    import tensorflow as tf

    log = lambda line: print(line, flush=True)  # noqa: E731
    out = Path(args.out)
    if args.device == "gpu" and not tf.config.list_physical_devices("GPU"):
        out.write_text(json.dumps({"device": "gpu", "not_measured": "no GPU visible to TensorFlow"}))
        return 0
    with tf.device("/GPU:0" if args.device == "gpu" else "/CPU:0"):
        speed = steps_per_second(rounds=args.rounds, epochs=args.epochs, log=log)
        sizes = dataset_scaling(sizes=[int(s) for s in args.sizes.split(",")], rounds=args.size_rounds,
                                log=log)
    out.write_text(json.dumps({"device": args.device, "speed": speed, "sizes": sizes}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
