"""Checks for exercise 10 (scaling up).

Distribution is checked with ``MirroredStrategy`` on this process's logical CPUs only: graders
run kernels without a network (not even loopback), so no check starts worker processes. The
multi-worker question is about ``TF_CONFIG``, checked as plain data.

Every probe is tiny: on some CPUs (oneDNN with AMX or AVX512-FP16) float16 arithmetic is
orders of magnitude slower than float32, so 10.q2 only builds models and runs 3 examples.
"""
from __future__ import annotations

import json
import re

import numpy as np

from . import Answers, Fail, first_line, question
from .expect import as_array, as_number, history_of, is_instance

_DATASET_OP = re.compile(r"Dataset(V\d)?$")


def _with_hint(convert, value, name: str, hint: str):
    """``convert(value, name)`` (as_array, as_number), failing with ``hint`` if it fails."""
    try:
        return convert(value, name)
    except Fail as failure:
        raise Fail(failure.problem, failure.hint or hint) from None


# 10.q1 ---------------------------------------------------------------------------------------

def _pipeline(dataset) -> tuple[list, dict]:
    """The tf.data operations of ``dataset``, source first, and every node of its graph by name."""
    import tensorflow as tf

    graph = tf.compat.v1.GraphDef.FromString(dataset._as_serialized_graph().numpy())
    nodes = {node.name: node for node in graph.node}
    chain = []
    ends = [node for node in graph.node if node.op == "_Retval"]
    name = ends[0].input[0] if ends and ends[0].input else None
    while name is not None:
        node = nodes.get(name.split(":")[0].lstrip("^"))
        if node is None or not _DATASET_OP.search(node.op):
            break
        chain.append(node)
        name = node.input[0] if node.input else None
    return chain[::-1], nodes


def _constant(nodes: dict, name: str):
    """The value of the constant node ``name`` feeds in, or None if it is not a constant."""
    import tensorflow as tf

    node = nodes.get(name.split(":")[0].lstrip("^"))
    if node is None or node.op != "Const":
        return None
    return tf.make_ndarray(node.attr["value"].tensor)


@question("10.q1", points=3,
          checks="make_pipeline maps preprocess in parallel, caches so that preprocess runs once "
                 "per example over two epochs, batches in order and prefetches batches",
          defines=("make_pipeline",),
          fixed="make_pipeline(x, y, preprocess, batch_size) returns a tf.data.Dataset of batches "
                "of preprocess(x_i, y_i) (one example each) in the order of x and y, the last "
                "batch smaller if need be; parallel map, cache, prefetch after batch.",
          verifies=("the result is a tf.data.Dataset that ends (no repeat)",
                    "two epochs give batches of 5, 5, 5, 5, 3 of preprocess(x_i, y_i), in order",
                    "preprocess runs once per example over two epochs (cached after the map), "
                    "and on examples, not on batches",
                    "every map runs parallel calls (AUTOTUNE or at least 2), deterministic",
                    "a prefetch with a non-zero buffer comes after the batch"))
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
    if int(dataset.cardinality()) == int(tf.data.INFINITE_CARDINALITY):
        raise Fail("the pipeline never ends: one pass over it should give each batch once.",
                   "leave out `repeat()`: `fit` starts a new pass for every epoch.")
    for epoch in (1, 2):
        try:
            batches = list(dataset)
        except Exception as error:  # noqa: BLE001 (the student's pipeline failed: say how)
            raise Fail(f"reading the pipeline raised {type(error).__name__} in epoch {epoch}.",
                       "iterate over your pipeline in a cell of its own to see where it "
                       "fails.") from None
        if not all(isinstance(b, (tuple, list)) and len(b) == 2 for b in batches):
            raise Fail("the pipeline's batches are not pairs (x, y).",
                       "map `preprocess` over the pairs of `from_tensor_slices((x, y))`.")
        sizes = [int(tf.shape(b[0])[0]) for b in batches]
        expected_sizes = [batch_size] * (n // batch_size) + [n % batch_size]
        if sizes != expected_sizes:
            raise Fail(f"the pipeline gives batches of sizes {sizes}; for {n} examples in batches "
                       f"of {batch_size}, {expected_sizes} was expected.",
                       "batch with `batch_size`, keep the last, smaller batch, and do not shuffle.")
        pair_hint = "return the pairs that `preprocess` gives, batched."
        xs = np.concatenate([_with_hint(as_array, b[0], "a batch of x", pair_hint) for b in batches])
        ys = np.concatenate([_with_hint(as_array, b[1], "a batch of y", pair_hint) for b in batches])
        if (xs.shape != x.shape or not np.allclose(xs, 2.0 * x + 1.0, atol=1e-5)
                or not np.array_equal(ys, y)):
            raise Fail(f"in epoch {epoch}, the pipeline's examples are not `preprocess(x, y)` "
                       "of the given examples, in their order.",
                       "map the `preprocess` function you are given over the examples, and do "
                       "not shuffle them.")
    if int(calls.numpy()) in (len(expected_sizes), 2 * len(expected_sizes)):
        raise Fail(f"`preprocess` ran {int(calls.numpy())} times for {len(expected_sizes)} batches "
                   f"of {n} examples: it was mapped over batches, not examples.",
                   "map it before batching: it takes one example at a time.")
    if int(calls.numpy()) != n:
        raise Fail(f"over two epochs, `preprocess` ran {int(calls.numpy())} times for {n} examples; "
                   "a cached pipeline runs it once per example.",
                   "add `cache()` after the map, so the second epoch reads the stored results.")
    chain, nodes = _pipeline(dataset)
    maps = [node for node in chain if "MapDataset" in node.op]
    for node in maps:
        if not node.op.startswith("ParallelMap"):
            raise Fail("the pipeline maps `preprocess` on one example at a time.",
                       "look at map's `num_parallel_calls` argument.")
        parallel = _constant(nodes, node.input[-1])
        if parallel is not None and int(parallel) in (0, 1):
            raise Fail(f"the map runs `num_parallel_calls={int(parallel)}`: one call at a time, "
                       "which is a sequential map.",
                       "let tf.data choose how many calls run at once (the lesson shows how), "
                       "or give a number above 1.")
        if node.attr["deterministic"].s == b"false":
            raise Fail("the map is allowed to return examples out of order "
                       "(`deterministic=False`); the question asks for them in their order.",
                       "leave `deterministic` at its default.")
    batch_at = [i for i, node in enumerate(chain) if "BatchDataset" in node.op]
    prefetches = [(i, node) for i, node in enumerate(chain) if node.op == "PrefetchDataset"
                  and _constant(nodes, node.input[1]) != 0]
    if not prefetches:
        raise Fail("the pipeline does not prepare the next batches while the model trains.",
                   "which tf.data method overlaps preparing and training?")
    if batch_at and not any(i > batch_at[-1] for i, _ in prefetches):
        raise Fail("the pipeline prefetches before `batch`: it prepares single examples, and "
                   "each batch is still put together only when it is asked for.",
                   "prefetch the batches: put it after `batch`.")


# 10.q2 ---------------------------------------------------------------------------------------

def _layers_of(model) -> list:
    """Every layer inside ``model``, nested models' layers included."""
    found = []
    for layer in getattr(model, "layers", []):
        found.append(layer)
        if getattr(layer, "layers", None):
            found.extend(_layers_of(layer))
    return found


def _dtype_name(dtype) -> str:
    import keras

    try:
        return keras.backend.standardize_dtype(dtype)
    except Exception:  # noqa: BLE001 (anything odd is shown as it is)
        return str(dtype)


def _mixed_model_output(answers: Answers, input_dim: int, classes: int):
    import keras

    model = answers.call("build_mixed_model", input_dim, classes)
    is_instance(model, keras.Model, f"build_mixed_model({input_dim}, {classes})", "a Keras model",
                hint="return the model you build.")
    probe = np.random.default_rng(102).normal(size=(3, input_dim)).astype("float32")
    try:
        out = model(probe, training=False)
    except Exception as error:  # noqa: BLE001 (the student's model failed: say how)
        raise Fail(f"calling build_mixed_model({input_dim}, {classes}) on 3 examples of "
                   f"{input_dim} numbers raised {type(error).__name__}.",
                   "the model's input size is `input_dim`, not a fixed number.") from None
    if tuple(out.shape) != (3, classes):
        raise Fail(f"build_mixed_model({input_dim}, {classes}) gives outputs of shape "
                   f"{tuple(out.shape)} for 3 examples; (3, {classes}) was expected.",
                   "the input size is `input_dim` and the last layer has `classes` units.")
    return model, out


@question("10.q2", points=2,
          checks="build_mixed_model builds a model that computes in float16 with float32 weights "
                 "and outputs, and leaves the global policy at float32, even when building fails",
          defines=("build_mixed_model",),
          fixed="build_mixed_model(input_dim, classes) returns a Keras model from input_dim numbers "
                "to classes scores; mixed_float16; float32 outputs; the global policy back to "
                "float32 afterwards, also when building raises.",
          verifies=("the result is a Keras model; on 3 examples of 7 (and of 5) numbers it gives "
                    "(3, 4) (and (3, 2)) float32 outputs",
                    "after it returns, the global policy is float32",
                    "after build_mixed_model(7, -1) raises, the global policy is float32",
                    "a layer with weights computes in float16, none keeps float16 or bfloat16 "
                    "weights or computes in bfloat16"))
def _q2(answers: Answers) -> None:
    import keras

    keras.mixed_precision.set_global_policy("float32")
    try:
        model, out = _mixed_model_output(answers, 7, 4)
        policy_after = keras.mixed_precision.global_policy().name
        if policy_after != "float32":
            raise Fail(f"after build_mixed_model returns, the global policy is {policy_after!r}; "
                       "it should be back to 'float32'.",
                       "set it back once the model is built.")
        try:
            answers["build_mixed_model"](7, -1)  # a Dense layer of -1 units: building fails
        except Exception:  # noqa: BLE001 (the failure is the point)
            pass
        policy_after_failure = keras.mixed_precision.global_policy().name
    finally:
        keras.mixed_precision.set_global_policy("float32")
    if policy_after_failure != "float32":
        raise Fail(f"when building the model fails (build_mixed_model(7, -1) asks for -1 classes), "
                   f"the global policy stays {policy_after_failure!r}: the rest of the notebook "
                   "would run in that policy.",
                   "the lesson sets the policy back in a `finally:` block.")
    weighted = [layer for layer in _layers_of(model) if layer.weights]
    for layer in weighted:
        if _dtype_name(layer.variable_dtype) != "float32":
            raise Fail(f"the layer {layer.name!r} keeps its weights in "
                       f"{_dtype_name(layer.variable_dtype)}: small updates would be rounded away.",
                       "use the 'mixed_float16' policy, which computes in float16 and keeps "
                       "float32 weights.")
        if _dtype_name(layer.compute_dtype) == "bfloat16":
            raise Fail(f"the layer {layer.name!r} computes in bfloat16; the question asks for "
                       "float16.", "use the 'mixed_float16' policy.")
    if not any(_dtype_name(layer.compute_dtype) == "float16" for layer in weighted):
        raise Fail("no layer of the model computes in float16 with float32 weights: it was not "
                   "built under mixed precision.",
                   "set the policy to 'mixed_float16' before creating the layers.")
    if _dtype_name(out.dtype) != "float32":
        raise Fail(f"the model's outputs are {_dtype_name(out.dtype)}; they should be float32, so "
                   "that the loss is computed in full precision.",
                   "give the last layer `dtype='float32'`.")
    keras.mixed_precision.set_global_policy("float32")
    try:
        _, other = _mixed_model_output(answers, 5, 2)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    if _dtype_name(other.dtype) != "float32":
        raise Fail("build_mixed_model(5, 2) gives outputs that are not float32.",
                   "give the last layer `dtype='float32'`.")


# 10.q3 ---------------------------------------------------------------------------------------

def _replicas_available() -> int:
    import tensorflow as tf

    return len(tf.config.list_logical_devices("CPU")) + len(tf.config.list_logical_devices("GPU"))


@question("10.q3", points=2,
          checks="strategy is a MirroredStrategy over the logical devices, mirrored_model was "
                 "built in its scope (mirrored weights), compiled with the mean squared error and "
                 "trained with fit on x_reg, y_reg, and its loss fell",
          defines=("strategy", "mirrored_model", "mirrored_history"),
          fixed="names strategy, mirrored_model (8 inputs, 1 output), mirrored_history; a "
                "MirroredStrategy over both logical CPUs; mean squared error; fit on x_reg, y_reg "
                "for at least 2 epochs.",
          verifies=("strategy is a tf.distribute.MirroredStrategy with as many replicas as "
                    "devices (2)",
                    "mirrored_model's weights are mirrored (built inside strategy.scope())",
                    "it maps 8 numbers to 1",
                    "its compiled loss (regularisation apart) is the mean squared error",
                    "mirrored_history is what fit returned for this model: at least 2 epochs, "
                    "the loss falls",
                    "its mean squared error on x_reg, y_reg now is no worse than its last "
                    "training loss (it was trained on that data)"))
def _q3(answers: Answers) -> None:
    import keras
    import tensorflow as tf

    strategy = answers["strategy"]
    is_instance(strategy, tf.distribute.MirroredStrategy, "strategy",
                "a tf.distribute.MirroredStrategy", hint="the lesson creates one in a single line.")
    wanted = min(2, _replicas_available())
    if strategy.num_replicas_in_sync < wanted:
        raise Fail(f"`strategy` has {strategy.num_replicas_in_sync} replica(s); this kernel has "
                   f"{wanted} devices to mirror on.",
                   "create it without arguments, or list both logical CPUs.")
    model = answers["mirrored_model"]
    is_instance(model, keras.Model, "mirrored_model", "a Keras model",
                hint="build it with the Keras API, inside the strategy's scope.")
    weights = model.trainable_variables
    if not weights or not all(isinstance(getattr(w, "value", None), tf.distribute.DistributedValues)
                              for w in weights):
        raise Fail("the weights of `mirrored_model` are not mirrored: it was built outside the "
                   "strategy's scope.",
                   "create and compile the model inside `with strategy.scope():`.")
    probe_x = np.random.default_rng(103).normal(size=(16, 8)).astype("float32")
    probe_y = np.random.default_rng(104).normal(size=(16, 1)).astype("float32")
    try:
        predictions = _with_hint(as_array, model(probe_x, training=False),
                                 "mirrored_model's output", "end the model with one unit.")
    except Fail:
        raise
    except Exception as error:  # noqa: BLE001 (the student's model failed: say how)
        raise Fail(f"calling `mirrored_model` on 16 examples of 8 numbers raised "
                   f"{type(error).__name__}.", "the model takes the 8 columns of x_reg.") from None
    if predictions.shape not in ((16, 1), (16,)):
        raise Fail(f"`mirrored_model` gives outputs of shape {predictions.shape} for 16 examples; "
                   "(16, 1) was expected.", "end the model with one unit.")
    try:
        total = float(model.compute_loss(x=probe_x, y=probe_y,
                                         y_pred=tf.constant(predictions.reshape(-1, 1), tf.float32)))
        regularisation = float(sum(float(loss) for loss in model.losses))
    except Exception as error:  # noqa: BLE001 (not compiled, or compiled oddly)
        raise Fail(f"the loss of `mirrored_model` could not be computed ({type(error).__name__}).",
                   "compile the model inside the strategy's scope, with a loss.") from None
    expected = float(np.mean((predictions.reshape(-1, 1) - probe_y) ** 2))
    if not np.isclose(total - regularisation, expected, rtol=1e-3, atol=1e-5):
        raise Fail("`mirrored_model` was not compiled with the mean squared error as its loss.",
                   "pass the mean squared error as the loss to compile.")
    history = history_of(answers, model, "mirrored_history")
    losses = history.history.get("loss", [])
    if len(losses) < 2 or not losses[-1] < losses[0]:
        raise Fail(f"`mirrored_history` records the losses {np.round(losses, 3).tolist()}; at "
                   "least 2 epochs with a falling loss were expected.",
                   "train for a few epochs with a small learning rate.")
    x_reg, y_reg = answers["x_reg"], answers["y_reg"]
    fitted = as_array(model(x_reg, training=False), "mirrored_model's output").reshape(-1, 1)
    error_now = float(np.mean((fitted - as_array(y_reg, "y_reg").reshape(-1, 1)) ** 2))
    if not error_now <= max(1.5 * losses[-1], losses[-1] + 0.1):
        raise Fail(f"the mean squared error of `mirrored_model` on x_reg, y_reg is {error_now:.3f}, "
                   f"far above its last training loss ({losses[-1]:.3f}): it was not trained on "
                   "x_reg and y_reg.", "fit it on `x_reg, y_reg`.")


# 10.q4 ---------------------------------------------------------------------------------------

def _mode_recorder():
    """A Keras layer that passes its input through and records the ``training`` it was called with."""
    import keras

    class TrainingModeRecorder(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.modes = []

        def call(self, inputs, training=None):
            self.modes.append(training)
            return inputs

    return TrainingModeRecorder()


@question("10.q4", points=3,
          checks="make_train_step's step, run on distributed batches, returns each global batch's "
                 "mean squared error and applies the same updates as one device would, calling "
                 "the model in training mode",
          defines=("make_train_step",),
          fixed="make_train_step(strategy, model, optimizer, global_batch_size) returns step(batch) "
                "for a batch of strategy.experimental_distribute_dataset; one update; returns the "
                "global batch's mean squared error before the update, one number.",
          verifies=("the result is callable",
                    "on two batches of 8 over 2 replicas, each call returns the global batch's mean "
                    "squared error before its update",
                    "the weights after each call are those of one SGD step on the global batch's "
                    "mean loss",
                    "the model is called with training=True"))
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
    x = rng.normal(size=(2 * global_batch, 3)).astype("float32")
    y = rng.normal(size=(2 * global_batch, 1)).astype("float32")
    kernel = rng.normal(size=(3, 1)).astype("float32")
    bias = np.array([0.3], dtype="float32")
    learning_rate = 0.1
    recorder = _mode_recorder()
    with strategy.scope():
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1), recorder])
        model.layers[0].set_weights([kernel, bias])
        optimizer = keras.optimizers.SGD(learning_rate)
    recorder.modes.clear()  # building the model called it once, symbolically
    batches = iter(strategy.experimental_distribute_dataset(
        tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch)))

    step = answers.call("make_train_step", strategy, model, optimizer, global_batch)
    if not callable(step):
        raise Fail("make_train_step(...) should return a function that takes a batch.",
                   "define `step(batch)` inside make_train_step and return it.")
    for number in (1, 2):
        part = slice((number - 1) * global_batch, number * global_batch)
        error = x[part] @ kernel + bias - y[part]
        expected_loss = float(np.mean(error**2))
        old_kernel = kernel
        kernel = kernel - learning_rate * (2 / global_batch) * x[part].T @ error
        bias = bias - learning_rate * (2 / global_batch) * error.sum(axis=0)
        try:
            loss = step(next(batches))
        except Exception as failure:  # noqa: BLE001 (the student's code failed: say how)
            text = str(failure).strip()
            raise Fail(f"running the step on a distributed batch raised {type(failure).__name__}: "
                       f"{text.splitlines()[0] if text else ''}",
                       "the batch is a pair (x, y) of per-replica values: pass it to "
                       "`strategy.run(replica_step, args=batch)`.") from None
        if isinstance(loss, tf.distribute.DistributedValues):
            raise Fail("the step returns one loss per replica (a PerReplica value), not one number.",
                       "combine the replicas' losses with `strategy.reduce`.")
        loss = _with_hint(as_number, loss, "the step's loss",
                          "return the global batch's loss as one number (a scalar tensor).")
        if not np.isclose(loss, expected_loss, rtol=1e-4):
            ratio = loss / expected_loss if expected_loss else float("nan")
            hint = ("each replica should average its loss over the *global* batch, and the "
                    "replicas' losses be summed." if np.isclose(ratio * replicas, 1, rtol=1e-3)
                    or np.isclose(ratio, replicas, rtol=1e-3)
                    else "compute the mean squared error of the model's predictions on the batch, "
                         "before applying the gradients.")
            raise Fail(f"on batch {number}, the step returned the loss {loss:.4f}; the mean squared "
                       f"error of the global batch before the update is {expected_loss:.4f}.", hint)
        new_kernel, new_bias = model.layers[0].get_weights()
        if np.allclose(new_kernel, old_kernel):
            raise Fail("the step did not change the model's weights.",
                       "apply the gradients with the optimizer inside the replica step.")
        if not (np.allclose(new_kernel, kernel, atol=1e-5) and np.allclose(new_bias, bias, atol=1e-5)):
            raise Fail(f"on batch {number}, the step changed the weights, but not as one step of SGD "
                       "on the global batch's mean loss would.",
                       "use `tf.nn.compute_average_loss(per_example, global_batch_size=...)`: the "
                       "replicas' gradients are summed.")
    if not recorder.modes or not all(mode is True for mode in recorder.modes):
        raise Fail("the step calls the model without `training=True`: layers such as Dropout "
                   "and BatchNormalization would compute as in inference.",
                   "call the model as the lesson's training steps do.")


# 10.q5 ---------------------------------------------------------------------------------------

@question("10.q5", points=2,
          checks="make_tf_config gives each worker the whole cluster and its own task, as "
                 "JSON-ready data, and rejects an index outside the cluster",
          defines=("make_tf_config",),
          fixed="make_tf_config(addresses, index) returns a dict {'cluster': {'worker': addresses}, "
                "'task': {'type': 'worker', 'index': index}}; ValueError for an index that is not "
                "0 .. len(addresses) - 1; written without k2tf.distributed.",
          verifies=("for clusters of 3 and 1 workers at random addresses, every index gives a "
                    "dict that survives json.dumps",
                    "its cluster is all the addresses, in order, under 'worker'",
                    "its task is {'type': 'worker', 'index': index}",
                    "the caller's list is not changed",
                    "index len(addresses) and -1 raise ValueError"))
def _q5(answers: Answers) -> None:
    rng = np.random.default_rng(105)
    for size in (3, 1):
        addresses = [f"10.{rng.integers(0, 255)}.0.{rng.integers(1, 255)}:{rng.integers(2000, 9000)}"
                     for _ in range(size)]
        given = list(addresses)
        for index in range(size):
            config = answers.call("make_tf_config", given, index)
            if not isinstance(config, dict):
                raise Fail(f"make_tf_config returned a {type(config).__name__}; a dict was expected "
                           "(json.dumps turns it into the TF_CONFIG text).",
                           "return the dict itself, not its JSON text.")
            try:
                config = json.loads(json.dumps(config))
            except (TypeError, ValueError):
                raise Fail("make_tf_config's result cannot be written as JSON.",
                           "use only dicts, lists, strings and ints.") from None
            expected = {"cluster": {"worker": addresses},
                        "task": {"type": "worker", "index": index}}
            if config.get("cluster") != expected["cluster"]:
                raise Fail(f"for worker {index} of {size}, the cluster is {config.get('cluster')}; "
                           "every worker should see all the addresses, in order, under the job "
                           "name 'worker'.", "use the `addresses` you are given, all of them.")
            if config.get("task") != expected["task"]:
                raise Fail(f"for worker {index} of {size}, the task is {config.get('task')}.",
                           "the task names the job type and this worker's index.")
        if given != addresses:
            raise Fail("make_tf_config changed the list of addresses it was given.",
                       "copy the list instead of changing it.")
        make_tf_config = answers["make_tf_config"]
        for index in (size, -1):
            try:
                make_tf_config(given, index)
            except ValueError:
                continue
            except Exception as error:  # noqa: BLE001 (any other error is the wrong kind)
                raise Fail(f"make_tf_config(addresses, {index}) for a cluster of {size} workers "
                           f"raised {type(error).__name__}; ValueError was expected.",
                           "check the index yourself and raise ValueError.") from None
            raise Fail(f"make_tf_config(addresses, {index}) for a cluster of {size} workers did not "
                       "raise ValueError.",
                       "valid indices are 0 to len(addresses) - 1; Python would read -1 as the "
                       "last one, but it names no worker.")


# 10.q6 ---------------------------------------------------------------------------------------

_FEATURES = 8  # floats per example in 10.q6's records, as the question fixes


def _write_shards(folder, x, y, sizes) -> list[str]:
    """TFRecord files of ``tf.train.Example`` records {"x": 8 floats, "y": one int64}, the
    i-th file holding the next ``sizes[i]`` examples, in order; their paths."""
    import tensorflow as tf

    paths, start = [], 0
    for number, size in enumerate(sizes):
        path = str(folder / f"probe-{number}.tfrecord")
        with tf.io.TFRecordWriter(path) as writer:
            for i in range(start, start + size):
                feature = {"x": tf.train.Feature(float_list=tf.train.FloatList(value=x[i])),
                           "y": tf.train.Feature(int64_list=tf.train.Int64List(value=[int(y[i])]))}
                writer.write(tf.train.Example(features=tf.train.Features(feature=feature))
                             .SerializeToString())
        paths.append(path)
        start += size
    return paths


def _parse_error_text(error: Exception) -> str:
    """The meaningful part of a tf.data error's first line (``Key: y.  Data types don't match…``),
    without the iterator and function names TensorFlow puts before it."""
    line = first_line(error)
    found = re.search(r"(Key: .*|Feature: .*)", line)
    if found:
        return found[1]
    return re.sub(r"^\{\{[^}]*\}\}\s*", "", line)[:200]


def _epoch_of_examples(dataset, epoch: int, x, y) -> tuple[list[int], list, list[int]]:
    """One pass over the student's ``dataset``: the indices of the examples it gives, in order,
    and the batches as sets of indices; fails on anything the question rules out."""
    import tensorflow as tf

    n = len(x)
    # one pass holds at most len(y) batches: read one more, so that a pass that never ends (a
    # repeat() its cardinality cannot show, after a filter or from a generator) fails, not hangs
    try:
        batches = list(dataset.take(len(y) + 1))
    except Exception as error:  # noqa: BLE001 (the student's pipeline failed: say how)
        if epoch == 2 and isinstance(error, tf.errors.NotFoundError):
            raise Fail("the second epoch read the TFRecord files again (the check had moved them "
                       "away after the first epoch): the examples are not cached.",
                       "add `cache()` after reading the files, so that later epochs read the "
                       "stored examples.") from None
        raise Fail(f"reading the pipeline raised {type(error).__name__} in epoch {epoch}: "
                   f"{_parse_error_text(error)}",
                   "each record holds 'x' (8 float32) and 'y' (one int64): describe them with "
                   "`tf.io.FixedLenFeature([8], tf.float32)` and `tf.io.FixedLenFeature([], "
                   "tf.int64)`.") from None
    if not all(isinstance(b, (tuple, list)) and len(b) == 2 for b in batches):
        raise Fail("the pipeline's batches are not pairs (x, y).",
                   "return `(features['x'], features['y'])` from your parse function, not the "
                   "dict that parsing gives.")
    by_row = {x[i].tobytes(): i for i in range(n)}
    order, groups, sizes = [], [], []
    for xb, yb in batches:
        if not (isinstance(xb, tf.Tensor) and isinstance(yb, tf.Tensor)):
            raise Fail(f"a batch holds a {type(xb).__name__} and a {type(yb).__name__}; two dense "
                       "tensors were expected.",
                       "use `tf.io.FixedLenFeature`, which gives dense tensors (VarLenFeature "
                       "gives sparse ones).")
        if xb.dtype != tf.float32 or len(xb.shape) != 2 or xb.shape[1] != _FEATURES:
            raise Fail(f"a batch of x has dtype {xb.dtype.name} and shape {tuple(xb.shape)}; "
                       f"float32 of shape (batch, {_FEATURES}) was expected.",
                       f"parse 'x' with `tf.io.FixedLenFeature([{_FEATURES}], tf.float32)`.")
        if not yb.dtype.is_integer or len(yb.shape) != 1:
            raise Fail(f"a batch of y has dtype {yb.dtype.name} and shape {tuple(yb.shape)}; "
                       "integers of shape (batch,) were expected.",
                       "parse 'y' with `tf.io.FixedLenFeature([], tf.int64)`: one number per "
                       "example, without an axis of length 1.")
        if xb.shape[0] != yb.shape[0]:
            raise Fail(f"a batch has {xb.shape[0]} x and {yb.shape[0]} y.",
                       "batch the pairs (x, y) together.")
        rows, labels = xb.numpy(), yb.numpy()
        indices = []
        for row, label in zip(rows, labels):
            index = by_row.get(np.asarray(row, dtype=np.float32).tobytes())
            if index is None:
                raise Fail(f"in epoch {epoch}, the pipeline gives an x that is in none of the "
                           "files' records.",
                           "return the parsed 'x' of each record, unchanged (and a "
                           "`cache(filename)` left by an earlier run replays that run's "
                           "examples: cache in memory, or to a new file).")
            if int(label) != int(y[index]):
                raise Fail(f"in epoch {epoch}, an x comes with the label {int(label)}, but its "
                           f"record says {int(y[index])}: x and y no longer belong together.",
                           "parse x and y from the same record, in one function, and shuffle "
                           "the pairs, never x and y apart.")
            indices.append(index)
        order.extend(indices)
        groups.append(frozenset(indices))
        sizes.append(len(indices))
    return order, groups, sizes


@question("10.q6", points=3,
          checks="make_file_pipeline reads every TFRecord file it is given, parses x and y, "
                 "caches so that the files are read once, and shuffles after the cache so that "
                 "each epoch gives every example once, in a new order, in batches",
          defines=("make_file_pipeline",),
          fixed="make_file_pipeline(filenames, batch_size) returns a tf.data.Dataset of batches "
                "(x, y): x float32 (batch, 8), y integers (batch,), from records {'x': 8 floats, "
                "'y': one int64}; every example once per epoch; the last batch smaller if need "
                "be; the files read only in the first epoch; a new order of examples each epoch. "
                "Free: interleave or not, cycle length, where to parse, the shuffle buffer.",
          verifies=("the result is a tf.data.Dataset that ends (no repeat)",
                    "on 3 files of 6, 9 and 7 records, batch size 4: batches of 4, 4, 4, 4, 4, 2, "
                    "x float32 (batch, 8), y integers (batch,)",
                    "every example of every file exactly once per epoch, each x with its own y",
                    "the files are moved away after the first epoch, and the second epoch still "
                    "gives every example once (cached)",
                    "the two epochs give the examples in different orders, and not the same "
                    "batches in another order (shuffled after the cache, before the batch)"))
def _q6(answers: Answers) -> None:
    import shutil
    import tempfile
    from pathlib import Path

    import tensorflow as tf

    rng = np.random.default_rng(106)
    sizes = (6, 9, 7)
    n, batch_size = sum(sizes), 4
    x = rng.normal(size=(n, _FEATURES)).astype("float32")
    y = rng.integers(0, 5, size=n)
    with tempfile.TemporaryDirectory(prefix="k2tf-check-shards-") as folder:
        shards = Path(folder) / "shards"
        shards.mkdir()
        paths = _write_shards(shards, x, y, sizes)
        dataset = answers.call("make_file_pipeline", list(paths), batch_size)
        is_instance(dataset, tf.data.Dataset, "make_file_pipeline(...)", "a tf.data.Dataset",
                    hint="start from the file names: `tf.data.Dataset.from_tensor_slices("
                         "filenames)`.")
        if int(dataset.cardinality()) == int(tf.data.INFINITE_CARDINALITY):
            raise Fail("the pipeline never ends: one pass over it should give each example once.",
                       "leave out `repeat()`: each epoch starts a new pass.")
        epochs = []
        for epoch in (1, 2):
            order, groups, got_sizes = _epoch_of_examples(dataset, epoch, x, y)
            counts = np.bincount(order, minlength=n) if order else np.zeros(n, int)
            if (counts == 0).any() or (counts > 1).any():
                starts = np.cumsum((0,) + sizes[:-1])
                files_read = [f for f, (s, size) in enumerate(zip(starts, sizes))
                              if counts[s:s + size].any()]
                if len(files_read) < len(sizes):
                    raise Fail(f"in epoch {epoch}, the pipeline gives records of "
                               f"{len(files_read)} of the {len(sizes)} files it was given.",
                               "read every file of `filenames`, not only the first.")
                raise Fail(f"in epoch {epoch}, the pipeline gives {len(order)} examples for {n} "
                           f"records: {int((counts == 0).sum())} missing, "
                           f"{int((counts > 1).sum())} more than once.",
                           "each epoch should give every record exactly once: no `repeat`, no "
                           "`take`, and `drop_remainder` left at False.")
            expected_sizes = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size
                                                                 else [])
            if got_sizes != expected_sizes and sorted(got_sizes) == sorted(expected_sizes):
                raise Fail(f"the pipeline gives batches of sizes {got_sizes}: the smaller, last "
                           "batch comes out of place, so whole batches were shuffled, and the "
                           "same examples always train together.",
                           "shuffle the examples before `batch`, not the batches after it.")
            if got_sizes != expected_sizes:
                raise Fail(f"the pipeline gives batches of sizes {got_sizes}; for {n} examples in "
                           f"batches of {batch_size}, {expected_sizes} was expected.",
                           "batch the examples once, with `batch_size`, at the end.")
            epochs.append((order, groups))
            if epoch == 1:  # from now on, only a cache can give the examples
                shutil.move(str(shards), str(Path(folder) / "moved-away"))
    (first, first_groups), (second, second_groups) = epochs
    if first == second:
        starts = np.cumsum((0,) + sizes[:-1])
        position = {index: p for p, index in enumerate(first)}
        in_file_order = all(position[i] < position[i + 1] for s, size in zip(starts, sizes)
                            for i in range(s, s + size - 1))
        if in_file_order:
            raise Fail("both epochs give the examples in the same order, each file's records in "
                       "the order they were written: the examples are not shuffled.",
                       "shuffle the examples after `cache()` (shuffling the file names alone "
                       "does not change the order within a file, and a cache after it replays it).")
        raise Fail("both epochs give the examples in the same shuffled order: the order of the "
                   "first epoch was frozen.",
                   "shuffle after `cache()`: a shuffle before the cache runs once, and the cache "
                   "replays its order in every epoch (and leave `reshuffle_each_iteration` at "
                   "True).")
    if sorted(first_groups, key=min) == sorted(second_groups, key=min):
        raise Fail("both epochs give the same batches, only in another order: the pipeline "
                   "shuffles whole batches, so the same examples always train together.",
                   "shuffle the examples before `batch`, not the batches after it.")


# 10.q7 ---------------------------------------------------------------------------------------

# (input pipelines, replicas in sync, global batch): two workers of one replica each, one
# machine of two replicas (MirroredStrategy), two workers of two replicas each, three workers
_Q7_CLUSTERS = ((2, 2, 6), (1, 2, 6), (2, 4, 8), (3, 3, 6))


def _pipeline_epoch(dataset, label: str, by_row: dict, y) -> list[list[int]]:
    """One pass over one input pipeline's ``dataset``: each batch as the indices of its examples."""
    import tensorflow as tf

    # one pass holds at most len(y) batches: read one more, so that a pass that never ends (a
    # repeat() its cardinality cannot show, after a filter or from a generator) fails, not hangs
    try:
        batches = list(dataset.take(len(y) + 1))
    except Exception as error:  # noqa: BLE001 (the student's pipeline failed: say how)
        raise Fail(f"reading {label} raised {type(error).__name__}: "
                   f"{first_line(error)[:200]}",
                   "build the dataset from `x` and `y` with `tf.data.Dataset.from_tensor_slices"
                   "((x, y))`.") from None
    if len(batches) > len(y):
        raise Fail(f"{label} gives more than {len(y)} batches of {len(y)} examples: one pass over "
                   "it does not end, and one pass should be one epoch.",
                   "leave out `repeat()`: each epoch starts a new pass.")
    result = []
    for batch in batches:
        if not (isinstance(batch, (tuple, list)) and len(batch) == 2
                and all(isinstance(part, tf.Tensor) for part in batch)):
            raise Fail(f"{label} gives elements that are not pairs of tensors (x, y).",
                       "keep the pairs `(x, y)` that `from_tensor_slices((x, y))` gives.")
        xb, yb = (part.numpy() for part in batch)
        if xb.ndim != 2 or yb.ndim != 1 or len(xb) != len(yb):
            raise Fail(f"{label} gives a batch of x of shape {xb.shape} with y of shape "
                       f"{yb.shape}; batches (batch, features) and (batch,) were expected.",
                       "batch the examples, once, with `batch`.")
        indices = []
        for row, label_value in zip(xb, yb):
            index = by_row.get(np.asarray(row, dtype=np.float32).tobytes())
            if index is None or int(label_value) != int(y[index]):
                raise Fail(f"{label} gives an example that is not one of the pairs (x[i], y[i]) "
                           "it was given.",
                           "keep each x with its own y, unchanged.")
            indices.append(index)
        result.append(indices)
    return result


@question("10.q7", points=2,
          checks="make_dataset_fn's function gives each input pipeline its own share of the "
                 "examples, in per-replica batches, for any number of pipelines and replicas",
          defines=("make_dataset_fn",),
          fixed="make_dataset_fn(x, y, global_batch_size) returns dataset_fn(input_context), "
                "which returns a tf.data.Dataset of batches (x, y) for the pipeline "
                "input_context describes: the pipelines together give every example exactly once "
                "per epoch, none given by two; batches of global_batch_size divided by the "
                "replicas in sync, a pipeline's last batch smaller if need be; it ends. Free: how "
                "the examples are split (shard before or after batching, or another way), their "
                "order, shuffling (the same on every pipeline), prefetching.",
          verifies=("for input contexts of 2 pipelines and 2 replicas, 1 and 2, 2 and 4, 3 and 3, "
                    "each pipeline's dataset ends",
                    "in each of two epochs, the pipelines together give every example (x, y) "
                    "exactly once, none in two pipelines",
                    "every batch holds global_batch_size / replicas examples, only a pipeline's "
                    "last batch fewer",
                    "through a real MirroredStrategy over two logical CPUs "
                    "(distribute_datasets_from_function), a global batch gives each replica its "
                    "per-replica batch"))
def _q7(answers: Answers) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(107)
    n = 26
    x = rng.normal(size=(n, 3)).astype("float32")
    y = rng.integers(0, 5, size=n)
    by_row = {x[i].tobytes(): i for i in range(n)}
    for pipelines, replicas, global_batch in _Q7_CLUSTERS:
        dataset_fn = answers.call("make_dataset_fn", x, y, global_batch)
        if not callable(dataset_fn):
            raise Fail("make_dataset_fn(...) should return a function that takes an input context.",
                       "define `dataset_fn(input_context)` inside make_dataset_fn and return it.")
        per_replica = global_batch // replicas
        where = (f"with {pipelines} input pipeline{'s' if pipelines > 1 else ''} and {replicas} "
                 f"replicas in sync (global batch {global_batch})")
        datasets = []
        for pipeline in range(pipelines):
            context = tf.distribute.InputContext(num_input_pipelines=pipelines,
                                                 input_pipeline_id=pipeline,
                                                 num_replicas_in_sync=replicas)
            try:
                dataset = dataset_fn(context)
            except Exception as error:  # noqa: BLE001 (the student's function failed: say how)
                raise Fail(f"{where}, dataset_fn(input_context) for pipeline {pipeline} raised "
                           f"{type(error).__name__}: {first_line(error)[:200]}",
                           "read what you need from the input context: `num_input_pipelines`, "
                           "`input_pipeline_id`, `get_per_replica_batch_size(...)`.") from None
            is_instance(dataset, tf.data.Dataset, f"dataset_fn(input_context) {where}",
                        "a tf.data.Dataset", hint="return the dataset itself.")
            if int(dataset.cardinality()) == int(tf.data.INFINITE_CARDINALITY):
                raise Fail(f"{where}, pipeline {pipeline}'s dataset never ends: one pass over it "
                           "should be one epoch.",
                           "leave out `repeat()`: each epoch starts a new pass.")
            datasets.append(dataset)
        for epoch in (1, 2):
            epochs = [_pipeline_epoch(dataset, f"pipeline {pipeline} {where}", by_row, y)
                      for pipeline, dataset in enumerate(datasets)]
            counts = np.zeros(n, int)
            for batches in epochs:
                for indices in batches:
                    counts[indices] += 1
            if (counts != 1).any():
                seen_by = [sorted({i for indices in batches for i in indices}) for batches in epochs]
                shared = set(seen_by[0]).intersection(*seen_by[1:]) if pipelines > 1 else set()
                if pipelines > 1 and len(shared) == n:
                    raise Fail(f"{where}, every pipeline gives all {n} examples: the pipelines "
                               "do not share the work, each worker would train on everything.",
                               "give each pipeline its own part: `shard(num_input_pipelines, "
                               "input_pipeline_id)`.")
                hint = ("every example belongs to one pipeline: split by `num_input_pipelines` "
                        "and `input_pipeline_id` from the input context (not by the number of "
                        "replicas), and keep the last, smaller batch (`drop_remainder` left at "
                        "False)."
                        if (counts == 0).any() and not (counts > 1).any()
                        else "split the examples into one part per input pipeline, the same way "
                             "on every pipeline (a shuffle before the split must use the same seed "
                             "everywhere, or the parts overlap); keep every example "
                             "(`drop_remainder` left at False).")
                raise Fail(f"{where}, in epoch {epoch} the pipelines together give "
                           f"{int(counts.sum())} examples for {n}: {int((counts == 0).sum())} "
                           f"missing, {int((counts > 1).sum())} given more than once.", hint)
            for pipeline, batches in enumerate(epochs):
                sizes = [len(indices) for indices in batches]
                if any(size != per_replica for size in sizes[:-1]) or (sizes and sizes[-1] > per_replica):
                    raise Fail(f"{where}, pipeline {pipeline} gives batches of {sizes}; batches of "
                               f"{per_replica} (the global batch divided by the {replicas} replicas, "
                               "only the last one smaller) were expected.",
                               "batch with `input_context.get_per_replica_batch_size("
                               "global_batch_size)`: the strategy does not batch this dataset "
                               "again.")

    # the same function through a real strategy: one pipeline, two replicas on this machine
    devices = [d.name for d in tf.config.list_logical_devices("CPU")][:2]
    if len(devices) < 2:
        return  # lesson 10 splits the CPU before TensorFlow starts; without it, the contexts suffice
    strategy = tf.distribute.MirroredStrategy(
        devices, cross_device_ops=tf.distribute.ReductionToOneDevice())
    dataset_fn = answers.call("make_dataset_fn", x, y, 6)
    try:
        first = next(iter(strategy.distribute_datasets_from_function(dataset_fn)))
    except Exception as error:  # noqa: BLE001 (the student's function failed: say how)
        raise Fail("strategy.distribute_datasets_from_function(dataset_fn) on a MirroredStrategy "
                   f"over two logical CPUs raised {type(error).__name__}: "
                   f"{first_line(error)[:200]}",
                   "return a tf.data.Dataset of batches (x, y) from dataset_fn.") from None
    shares = strategy.experimental_local_results(first[0])
    if [int(share.shape[0]) for share in shares] != [3, 3]:
        raise Fail("through distribute_datasets_from_function on two replicas with a global batch "
                   f"of 6, the replicas got {[int(s.shape[0]) for s in shares]} examples; 3 each "
                   "were expected.",
                   "batch with `input_context.get_per_replica_batch_size(global_batch_size)`.")
