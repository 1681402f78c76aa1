"""Checks for exercise 10 (scaling up).

Distribution is checked with ``MirroredStrategy`` on this process's logical CPUs only: graders
run kernels without a network (not even loopback), so no check starts worker processes. The
multi-worker question is about ``TF_CONFIG``, checked as plain data.
"""
from __future__ import annotations

import json

import numpy as np

from . import Answers, Fail, question
from .expect import as_array, as_number, history_of, is_instance


def _dataset_ops(dataset) -> list[str]:
    """The names of the tf.data operations of ``dataset``'s pipeline, source first."""
    import tensorflow as tf

    graph = tf.compat.v1.GraphDef.FromString(dataset._as_serialized_graph().numpy())
    return [node.op for node in graph.node if node.op.endswith(("Dataset", "DatasetV2", "DatasetV3"))]


@question("10.q1", points=3,
          checks="make_pipeline preprocesses with a parallel map, caches the result so the "
                 "preprocessing runs once over two epochs, batches in order and prefetches")
def _q1(answers: Answers) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(101)
    n, batch_size = 23, 5
    x = rng.normal(size=(n, 3)).astype("float32")
    y = rng.integers(0, 4, size=n)
    calls = tf.Variable(0)

    def preprocess(xi, yi):
        calls.assign_add(1)
        return 2.0 * xi + 1.0, yi

    dataset = answers.call("make_pipeline", x, y, preprocess, batch_size)
    is_instance(dataset, tf.data.Dataset, "make_pipeline(...)", "a tf.data.Dataset",
                hint="start from `tf.data.Dataset.from_tensor_slices((x, y))`.")
    for epoch in (1, 2):
        batches = list(dataset)
        sizes = [int(tf.shape(b[0])[0]) for b in batches]
        expected_sizes = [batch_size] * (n // batch_size) + [n % batch_size]
        if sizes != expected_sizes:
            raise Fail(f"the pipeline gives batches of sizes {sizes}; for {n} examples in batches "
                       f"of {batch_size}, {expected_sizes} was expected.",
                       "batch with `batch_size`, keep the last, smaller batch, and do not shuffle.")
        xs = np.concatenate([as_array(b[0], "a batch of x") for b in batches])
        ys = np.concatenate([as_array(b[1], "a batch of y") for b in batches])
        if not np.allclose(xs, 2.0 * x + 1.0, atol=1e-5) or not np.array_equal(ys, y):
            raise Fail(f"in epoch {epoch}, the pipeline's examples are not `preprocess(x, y)` "
                       "of the given examples, in their order.",
                       "map the `preprocess` function you are given over the examples, and do "
                       "not shuffle them.")
    if int(calls.numpy()) != n:
        raise Fail(f"over two epochs, `preprocess` ran {int(calls.numpy())} times for {n} examples; "
                   "a cached pipeline runs it once per example.",
                   "add `cache()` after the map, so the second epoch reads the stored results.")
    ops = _dataset_ops(dataset)
    if not any(op.startswith("ParallelMapDataset") for op in ops):
        raise Fail("the pipeline maps `preprocess` on one example at a time.",
                   "look at map's `num_parallel_calls` argument.")
    if "PrefetchDataset" not in ops:
        raise Fail("the pipeline does not prepare the next batches while the model trains.",
                   "which tf.data method overlaps preparing and training?")


@question("10.q2", points=2,
          checks="build_mixed_model builds a model that computes in float16 with float32 weights "
                 "and outputs, and leaves the global policy at float32")
def _q2(answers: Answers) -> None:
    import keras

    keras.mixed_precision.set_global_policy("float32")
    try:
        model = answers.call("build_mixed_model", 7, 4)
        policy_after = keras.mixed_precision.global_policy().name
    finally:
        keras.mixed_precision.set_global_policy("float32")
    is_instance(model, keras.Model, "build_mixed_model(7, 4)", "a Keras model")
    if policy_after != "float32":
        raise Fail(f"after build_mixed_model, the global policy is {policy_after!r}; it should be "
                   "back to 'float32'.", "set it back in a `finally:` block.")
    if not model.built or model.inputs is None or tuple(model.inputs[0].shape) != (None, 7):
        shape = None if not model.inputs else tuple(model.inputs[0].shape)
        raise Fail(f"build_mixed_model(7, 4) takes inputs of shape {shape}; (None, 7) was expected.",
                   "use `input_dim` in keras.Input.")
    halves = [layer for layer in model.layers
              if layer.compute_dtype == "float16" and layer.variable_dtype == "float32"]
    if not halves:
        raise Fail("no layer of the model computes in float16 with float32 weights: it was not "
                   "built under mixed precision.",
                   "set the global policy to 'mixed_float16' before creating the layers.")
    probe = np.random.default_rng(102).normal(size=(3, 7)).astype("float32")
    out = model(probe, training=False)
    if tuple(out.shape) != (3, 4):
        raise Fail(f"build_mixed_model(7, 4) gives outputs of shape {tuple(out.shape)} for 3 "
                   "examples; (3, 4) was expected.", "use `classes` for the last layer.")
    if str(out.dtype).replace("<dtype: '", "").rstrip("'>") != "float32":
        raise Fail(f"the model's outputs are {out.dtype}; they should be float32, so that the "
                   "loss is computed in full precision.",
                   "give the last layer `dtype='float32'`.")


def _replicas_available() -> int:
    import tensorflow as tf

    return len(tf.config.list_logical_devices("CPU")) + len(tf.config.list_logical_devices("GPU"))


@question("10.q3", points=2,
          checks="strategy is a MirroredStrategy over the logical devices, mirrored_model was "
                 "built in its scope (mirrored weights) and trained with fit, and its loss fell")
def _q3(answers: Answers) -> None:
    import keras
    import tensorflow as tf

    strategy = answers["strategy"]
    is_instance(strategy, tf.distribute.MirroredStrategy, "strategy",
                "a tf.distribute.MirroredStrategy")
    wanted = min(2, _replicas_available())
    if strategy.num_replicas_in_sync < wanted:
        raise Fail(f"`strategy` has {strategy.num_replicas_in_sync} replica(s); this kernel has "
                   f"{wanted} devices to mirror on.",
                   "create it without arguments, or list both logical CPUs.")
    model = answers["mirrored_model"]
    is_instance(model, keras.Model, "mirrored_model", "a Keras model")
    weights = model.trainable_variables
    if not weights or not all(isinstance(getattr(w, "value", None), tf.distribute.DistributedValues)
                              for w in weights):
        raise Fail("the weights of `mirrored_model` are not mirrored: it was built outside the "
                   "strategy's scope.",
                   "create and compile the model inside `with strategy.scope():`.")
    history = history_of(answers, model, "mirrored_history")
    losses = history.history.get("loss", [])
    if len(losses) < 2 or not losses[-1] < losses[0]:
        raise Fail(f"`mirrored_history` records the losses {np.round(losses, 3).tolist()}; at "
                   "least 2 epochs with a falling loss were expected.",
                   "train for a few epochs with a small learning rate.")


@question("10.q4", points=3,
          checks="make_train_step's step, run on a distributed batch, returns the global batch's "
                 "mean squared error and applies the same update as one device would")
def _q4(answers: Answers) -> None:
    import keras
    import tensorflow as tf

    devices = [d.name for d in tf.config.list_logical_devices("CPU")][:2]
    # its own reduction, without collective ops: a second strategy using collectives in the same
    # process can collide with the student's (TensorFlow 2.21 reuses collective instance keys)
    strategy = tf.distribute.MirroredStrategy(
        devices, cross_device_ops=tf.distribute.ReductionToOneDevice())
    replicas = strategy.num_replicas_in_sync
    rng = np.random.default_rng(104)
    global_batch = 8
    x = rng.normal(size=(global_batch, 3)).astype("float32")
    y = rng.normal(size=(global_batch, 1)).astype("float32")
    kernel = rng.normal(size=(3, 1)).astype("float32")
    bias = np.array([0.3], dtype="float32")
    learning_rate = 0.1
    with strategy.scope():
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
        model.layers[0].set_weights([kernel, bias])
        optimizer = keras.optimizers.SGD(learning_rate)
    batch = next(iter(strategy.experimental_distribute_dataset(
        tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch))))

    error = x @ kernel + bias - y
    expected_loss = float(np.mean(error**2))
    expected_kernel = kernel - learning_rate * (2 / global_batch) * x.T @ error
    expected_bias = bias - learning_rate * (2 / global_batch) * error.sum(axis=0)

    step = answers.call("make_train_step", strategy, model, optimizer, global_batch)
    if not callable(step):
        raise Fail("make_train_step(...) should return a function that takes a batch.")
    try:
        loss = step(batch)
    except Exception as error:  # noqa: BLE001 (the student's code failed: say how)
        raise Fail(f"running the step on a distributed batch raised {type(error).__name__}: "
                   f"{str(error).strip().splitlines()[0] if str(error).strip() else ''}",
                   "the batch is a pair (x, y) of per-replica values: pass it to "
                   "`strategy.run(replica_step, args=batch)`.") from None
    loss = as_number(loss, "the step's loss")
    if not np.isclose(loss, expected_loss, rtol=1e-4):
        ratio = loss / expected_loss if expected_loss else float("nan")
        hint = ("each replica should average its loss over the *global* batch, and the replicas' "
                "losses be summed." if np.isclose(ratio * replicas, 1, rtol=1e-3)
                or np.isclose(ratio, replicas, rtol=1e-3)
                else "compute the mean squared error of the model's predictions.")
        raise Fail(f"the step returned the loss {loss:.4f}; the mean squared error of the global "
                   f"batch before the update is {expected_loss:.4f}.", hint)
    new_kernel, new_bias = model.layers[0].get_weights()
    if np.allclose(new_kernel, kernel):
        raise Fail("the step did not change the model's weights.",
                   "apply the gradients with the optimizer inside the replica step.")
    if not (np.allclose(new_kernel, expected_kernel, atol=1e-5)
            and np.allclose(new_bias, expected_bias, atol=1e-5)):
        raise Fail("the step changed the weights, but not as one step of SGD on the global "
                   "batch's mean loss would.",
                   "use `tf.nn.compute_average_loss(per_example, global_batch_size=...)`: the "
                   "replicas' gradients are summed.")


@question("10.q5", points=2,
          checks="make_tf_config gives each worker the whole cluster and its own task, as "
                 "JSON-ready data, and rejects an index outside the cluster")
def _q5(answers: Answers) -> None:
    rng = np.random.default_rng(105)
    size = 3
    addresses = [f"10.{rng.integers(0, 255)}.0.{rng.integers(1, 255)}:{rng.integers(2000, 9000)}"
                 for _ in range(size)]
    given = list(addresses)
    for index in range(size):
        config = answers.call("make_tf_config", given, index)
        if not isinstance(config, dict):
            raise Fail(f"make_tf_config returned a {type(config).__name__}; a dict was expected "
                       "(json.dumps turns it into the TF_CONFIG text).")
        try:
            config = json.loads(json.dumps(config))
        except (TypeError, ValueError):
            raise Fail("make_tf_config's result cannot be written as JSON.",
                       "use only dicts, lists, strings and ints.") from None
        expected = {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": index}}
        if config.get("cluster") != expected["cluster"]:
            raise Fail(f"for worker {index}, the cluster is {config.get('cluster')}; every worker "
                       "should see all the addresses, in order, under the job name 'worker'.")
        if config.get("task") != expected["task"]:
            raise Fail(f"for worker {index}, the task is {config.get('task')}.",
                       "the task names the job type and this worker's index.")
    if given != addresses:
        raise Fail("make_tf_config changed the list of addresses it was given.")
    make_tf_config = answers["make_tf_config"]
    try:
        make_tf_config(given, size)
    except ValueError:
        pass
    except Exception as error:  # noqa: BLE001 (any other error is the wrong kind)
        raise Fail(f"make_tf_config(addresses, {size}) for a cluster of {size} workers raised "
                   f"{type(error).__name__}; ValueError was expected.") from None
    else:
        raise Fail(f"make_tf_config(addresses, {size}) for a cluster of {size} workers did not "
                   "raise ValueError.", "valid indices are 0 to len(addresses) - 1.")
