"""One worker of the ``MultiWorkerMirroredStrategy`` cluster that lesson 10 starts.

Run by :func:`k2tf.distributed.run_workers` as ``python -m k2tf.distributed_worker`` with a
``TF_CONFIG`` in its environment. It trains a small regression model under the strategy and
prints a few deterministic lines starting with ``K2TF `` on stdout, and what it measured as JSON
on lines starting with ``K2TF_DATA ``; everything else (TensorFlow's logs, tracebacks) goes to
stderr, which the parent sends to a log file.

* ``--keras keras`` (the default): with ``--try-fit``, try Keras 3's ``fit`` and report what
  happened (the real error, shortened, and the Keras function it came from); then train with the
  custom training loop of lesson 10.
* ``--keras tf_keras``: train with the ``fit`` of Keras 2 (the tf_keras package), which is what
  ``tf.keras`` is when ``TF_USE_LEGACY_KERAS=1`` is set before TensorFlow is imported.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import traceback
from pathlib import Path

from .distributed import DATA_PREFIX, KERAS_CHOICES, REPORT_PREFIX, short_error


def report(text: str) -> None:
    print(REPORT_PREFIX + text, flush=True)


def report_data(**values) -> None:
    print(DATA_PREFIX + json.dumps(values), flush=True)


def keras_function_raising(error: BaseException) -> str | None:
    """The innermost Keras function in ``error``'s traceback (``Class.method``), if any."""
    found = None
    for frame, _ in traceback.walk_tb(error.__traceback__):
        parts = Path(frame.f_code.co_filename).parts
        if ("keras" in parts or "tf_keras" in parts) and frame.f_code.co_name != "error_handler":
            found = frame.f_code.co_qualname
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--try-fit", action="store_true", help="try Keras 3's model.fit first and report")
    parser.add_argument("--keras", choices=KERAS_CHOICES, default="keras",
                        help="train with Keras 3 (fit tried, then a custom loop) or with tf_keras's fit")
    parser.add_argument("--checkpoint-dir", default=None,
                        help="custom loop: restore the latest checkpoint there, save one per epoch")
    parser.add_argument("--die-after-epoch", type=int, default=None,
                        help="custom loop: exit abruptly (status 17) once this epoch is saved, "
                             "as a worker whose machine is lost")
    args = parser.parse_args(argv)
    if args.keras == "tf_keras":
        # read once, when TensorFlow is imported (quiet_tensorflow imports it): tf.keras becomes
        # tf_keras. run_workers sets it in the environment already; a worker run by hand needs it.
        os.environ["TF_USE_LEGACY_KERAS"] = "1"

    from .notebook_setup import quiet_tensorflow, seed_everything

    quiet_tensorflow(native=False)
    seed_everything(0)
    import numpy as np
    import tensorflow as tf

    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    replicas = strategy.num_replicas_in_sync
    report(f"worker {index}: {replicas} replica{'s' if replicas != 1 else ''} in sync "
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

    if args.keras == "tf_keras":
        train_with_tf_keras_fit(strategy, dataset, args.epochs, index)
        report(f"worker {index} done")
        return 0

    import keras

    def make_model():
        return keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation="relu"),
                                 keras.layers.Dense(1)])

    report_data(keras_version=keras.__version__)
    # 1. fit. Keras 3.15 on TensorFlow 2.21 cannot run fit under MultiWorkerMirroredStrategy on
    # two or more workers: before the first step its TensorFlow trainer reduces the whole first
    # (x, y) batch with strategy.reduce (_maybe_symbolic_build); one worker hands such a
    # structure back as it is, several send it to a collective all-reduce, which cannot make one
    # tensor of it. The failure is at once and on every worker alike (and past it, the step's
    # scalar logs are reduced along axis 0: keras-team/keras#20585, tensorflow/tensorflow#72388).
    # Report what happens rather than assume it, so that the lesson sees the day Keras fixes it.
    if args.try_fit:
        with strategy.scope():
            model = make_model()
            model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
        # Keras hides its own frames from tracebacks; keep them, to name the function that failed
        keras.config.disable_traceback_filtering()
        try:
            history = model.fit(dataset, epochs=args.epochs, verbose=0, shuffle=False)
        except Exception as error:  # noqa: BLE001 (what fails, and how, is the report)
            traceback.print_exc()  # the whole story, in the worker's log file
            message, where = short_error(error), keras_function_raising(error)
            report_data(fit_ok=False, fit_error=message, fit_error_in=where)
            report(f"worker {index}: fit fails under MultiWorkerMirroredStrategy in Keras "
                   f"{keras.__version__}: {message}")
            if where:
                report(f"worker {index}: (raised in Keras's {where})")
        else:
            losses = [float(loss) for loss in history.history["loss"]]
            report_data(fit_ok=True, fit_error=None, fit_error_in=None, fit_losses=losses)
            report(f"worker {index}: fit works in Keras {keras.__version__}, "
                   f"loss {losses[0]:.3f} -> {losses[-1]:.3f}")

    # 2. The custom training loop of lesson 10. Seeded again: its model starts from the same
    # weights whether fit was tried before it or not.
    seed_everything(0)
    with strategy.scope():
        model = make_model()
        optimizer = keras.optimizers.SGD(0.05)
        optimizer.build(model.trainable_variables)  # its variables exist before a restore
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

    # Fault tolerance for a hand-written loop: a checkpoint of the model, the optimizer and the
    # epoch reached, saved after every epoch; a restarted cluster resumes from the latest. Every
    # worker saves (saving may need them all); only the chief (worker 0) writes where the
    # checkpoints are kept, the others write to a folder of their own and delete it.
    first_epoch, manager = 0, None
    if args.checkpoint_dir:
        epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
        checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, epoch=epoch)
        chief_dir = Path(args.checkpoint_dir)
        write_dir = chief_dir if index == 0 else chief_dir / f"worker-{index}-scratch"
        manager = tf.train.CheckpointManager(checkpoint, str(write_dir), max_to_keep=2)
        latest = tf.train.latest_checkpoint(str(chief_dir))
        if latest:
            checkpoint.restore(latest).assert_consumed()
            first_epoch = int(epoch.numpy())
        report_data(resumed_from_epoch=first_epoch)
        report(f"worker {index}: " + (f"resumed after epoch {first_epoch}" if latest
                                      else "no checkpoint yet, starts from epoch 1"))

    losses, epochs_trained = [], []
    for epoch_number in range(first_epoch + 1, args.epochs + 1):
        total, steps = 0.0, 0
        for batch in distributed:
            total += float(train_step(batch))
            steps += 1
        losses.append(total / steps)
        epochs_trained.append(epoch_number)
        report_data(loop_losses=losses, loop_epochs=epochs_trained)
        if manager is not None:
            epoch.assign(epoch_number)
            manager.save(checkpoint_number=epoch_number)
            if index != 0:
                shutil.rmtree(write_dir, ignore_errors=True)
            # every worker has saved once this all-reduce returns (it needs them all)
            strategy.reduce("SUM", strategy.run(lambda: tf.constant(1.0)), axis=None)
            if epoch_number == args.die_after_epoch:
                report(f"worker {index}: lost after saving epoch {epoch_number}")
                os._exit(17)  # no cleanup, no goodbye: as a machine that goes away
    weights = np.concatenate([np.ravel(w.numpy()) for w in model.weights])
    report_data(weights_sha256=hashlib.sha256(weights.astype("<f4").tobytes()).hexdigest())
    if len(losses) == 1:
        report(f"worker {index}: custom loop, loss {losses[0]:.3f} in epoch {epochs_trained[0]}")
    elif losses:
        report(f"worker {index}: custom loop, loss {losses[0]:.3f} -> {losses[-1]:.3f} "
               f"in epochs {epochs_trained[0]}-{epochs_trained[-1]}")
    report(f"worker {index} done")
    return 0


def train_with_tf_keras_fit(strategy, dataset, epochs: int, index: int) -> None:
    """Keras 2's fit under the strategy: the same model, reached as ``tf.keras``."""
    import tensorflow as tf

    keras2 = tf.keras  # tf_keras, because TF_USE_LEGACY_KERAS=1 was set before TensorFlow's import
    if not keras2.__name__.startswith("tf_keras"):
        message = (f"tf.keras is {keras2.__name__}, not tf_keras: set TF_USE_LEGACY_KERAS=1 before "
                   f"TensorFlow is imported, with tf_keras installed")
        report_data(fit_ok=False, fit_error=message, fit_error_in=None)
        report(f"worker {index}: {message}")
        return
    import tf_keras

    version = tf_keras.__version__
    report_data(keras_version=version)
    with strategy.scope():
        model = keras2.Sequential([keras2.Input(shape=(8,)), keras2.layers.Dense(16, activation="relu"),
                                   keras2.layers.Dense(1)])
        model.compile(optimizer=keras2.optimizers.SGD(0.05), loss="mse")
    try:
        history = model.fit(dataset, epochs=epochs, verbose=0)
    except Exception as error:  # noqa: BLE001 (what fails, and how, is the report)
        traceback.print_exc()
        message = short_error(error)
        report_data(fit_ok=False, fit_error=message, fit_error_in=keras_function_raising(error))
        report(f"worker {index}: tf_keras {version} fit fails under MultiWorkerMirroredStrategy: {message}")
        return
    losses = [float(loss) for loss in history.history["loss"]]
    report_data(fit_ok=True, fit_error=None, fit_error_in=None, fit_losses=losses)
    report(f"worker {index}: tf_keras {version} (TF_USE_LEGACY_KERAS=1): fit works, "
           f"loss {losses[0]:.3f} -> {losses[-1]:.3f} after {len(losses)} epochs")


def exit_at_once(code: int) -> None:
    """End the worker now that everything it reports is written and flushed.

    A normal interpreter exit of a ``MultiWorkerMirroredStrategy`` worker spends seconds in
    TensorFlow's native teardown (no Python frame left; measured here: 3.5-4 s of wall time and
    1.7 s of CPU per worker, more than the whole training), which every cluster run of lesson 10
    would wait for. Its checkpoints are already on disk (``CheckpointManager.save`` returns once
    written) and its last collective has finished on every worker, so nothing is lost.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_at_once(main())
