"""One worker of the ``MultiWorkerMirroredStrategy`` cluster that lesson 10 starts.

Run by :func:`k2tf.distributed.run_workers` as ``python -m k2tf.distributed_worker`` with a
``TF_CONFIG`` in its environment. It trains a small regression model with ``fit`` under the
strategy and prints a few deterministic lines starting with ``K2TF `` on stdout; everything
else (TensorFlow's logs) goes to stderr, which the parent sends to a log file.
"""
from __future__ import annotations

import argparse
import json
import os

from .distributed import REPORT_PREFIX


def report(text: str) -> None:
    print(REPORT_PREFIX + text, flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--try-fit", action="store_true", help="try model.fit first and report")
    args = parser.parse_args(argv)

    from .notebook_setup import quiet_tensorflow, seed_everything

    quiet_tensorflow(native=False)
    seed_everything(0)
    import keras
    import numpy as np
    import tensorflow as tf

    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    report(f"worker {index}: {strategy.num_replicas_in_sync} replicas in sync "
           f"(one per worker process)")

    # The same data on every worker; the strategy shards it so that each worker trains on
    # its own half of every global batch.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 8)).astype("float32")
    y = (x @ np.linspace(-1, 1, 8) + 0.5).astype("float32")[:, None]
    global_batch = 64
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch).with_options(options)

    def make_model():
        return keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation="relu"),
                                 keras.layers.Dense(1)])

    # 1. fit. Keras 3.15 on TensorFlow 2.21 cannot run fit under MultiWorkerMirroredStrategy
    # (it reduces a whole (x, y) batch across workers before the first step, which fails at
    # once and on every worker alike); report what happens rather than assume it.
    if args.try_fit:
        with strategy.scope():
            model = make_model()
            model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
        try:
            history = model.fit(dataset, epochs=args.epochs, verbose=0, shuffle=False)
            losses = history.history["loss"]
            report(f"worker {index}: fit works, loss {losses[0]:.3f} -> {losses[-1]:.3f}")
        except Exception as error:  # noqa: BLE001 (the type is the report)
            report(f"worker {index}: fit under MultiWorkerMirroredStrategy fails in Keras "
                   f"{keras.__version__} ({type(error).__name__})")

    # 2. The custom training loop of lesson 10, unchanged: it works on any strategy.
    with strategy.scope():
        model = make_model()
        optimizer = keras.optimizers.SGD(0.05)
    loss_fn = keras.losses.MeanSquaredError(reduction=None)
    distributed = strategy.experimental_distribute_dataset(dataset)

    @tf.function
    def train_step(batch):
        def replica_step(xb, yb):
            with tf.GradientTape() as tape:
                per_example = loss_fn(yb, model(xb, training=True))
                loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply(grads, model.trainable_variables)
            return loss
        per_replica = strategy.run(replica_step, args=batch)
        return strategy.reduce("SUM", per_replica, axis=None)

    losses = []
    for _ in range(args.epochs):
        total, steps = 0.0, 0
        for batch in distributed:
            total += float(train_step(batch))
            steps += 1
        losses.append(total / steps)
    report(f"worker {index}: custom loop, loss {losses[0]:.3f} -> {losses[-1]:.3f} "
           f"after {len(losses)} epochs")
    report(f"worker {index} done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
