"""Checks for exercise 05 (the custom training loop)."""
from __future__ import annotations

import numpy as np

from . import Answers, Fail, question
from .expect import as_array, as_number, close, is_instance

_MIN_TEST_ACCURACY = 0.90
_STEPS = 300
_TETHER_PENALTY = 0.05  # L2 factor on the probe's tether weight (see _probe_model)


def _digits():
    from ..data import load_digits

    return load_digits()


def _seeded_model(regularizer=None, hidden=64):
    """The lesson's model, with initial weights fixed by seeds (the global RNG is left alone)."""
    import keras

    init = keras.initializers.GlorotUniform
    return keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(hidden, activation="relu", kernel_regularizer=regularizer,
                           kernel_initializer=init(seed=51)),
        keras.layers.Dense(10, activation="softmax", kernel_regularizer=regularizer,
                           kernel_initializer=init(seed=52)),
    ])


def _penalised_model():
    """A small model with several penalties of different kinds (L2 and L1, kernel and bias)."""
    import keras

    init = keras.initializers
    return keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(32, activation="relu", kernel_regularizer=keras.regularizers.L2(3e-3),
                           kernel_initializer=init.GlorotUniform(seed=53)),
        keras.layers.Dense(10, activation="softmax", kernel_regularizer=keras.regularizers.L1(1e-3),
                           bias_regularizer=keras.regularizers.L2(2e-2),
                           kernel_initializer=init.GlorotUniform(seed=54),
                           bias_initializer=init.RandomNormal(stddev=0.5, seed=55)),
    ])


def _tether_layer():
    """A layer that leaves its input unchanged and holds one weight, 1.0 at first, that only its
    L2 penalty in ``model.losses`` can move: a loop that trains on that penalty moves it, a loop
    that leaves ``model.losses`` out never does."""
    import keras

    class Tether(keras.layers.Layer):
        def build(self, input_shape):
            self.tether = self.add_weight(
                shape=(), initializer="ones", name="tether",
                regularizer=keras.regularizers.L2(_TETHER_PENALTY))

        def call(self, inputs):
            return inputs + 0.0 * self.tether

        def compute_output_shape(self, input_shape):
            return input_shape

    return Tether(name="tether")


def _probe_model():
    """The lesson's model with BatchNormalization, Dropout and a penalty, so that a loop that does
    not run the model in training mode, or leaves ``model.losses`` out, shows it."""
    import keras

    init = keras.initializers.GlorotUniform
    return keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(64, activation="relu", kernel_initializer=init(seed=51)),
        keras.layers.BatchNormalization(),
        keras.layers.Dropout(0.2, seed=56),
        keras.layers.Dense(10, activation="softmax", kernel_initializer=init(seed=52)),
        _tether_layer(),
    ])


def _nearest_mean_model(x, y):
    """A fixed, untrained model that classifies most digits right (softmax over distances to
    the class means), so accuracy and loss are both informative. Its BatchNormalization (moving
    statistics 0 and 1, so the identity when not training) and Dropout change its output when
    it runs in training mode."""
    import keras

    means = np.stack([x[y == k].mean(axis=0) for k in range(10)])
    scale = 8.0
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.BatchNormalization(epsilon=1e-6),
        keras.layers.Dropout(0.5, seed=57),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.layers[-1].set_weights([(scale * means.T).astype("float32"),
                                  (-0.5 * scale * (means**2).sum(axis=1)).astype("float32")])
    return model


def _cross_entropy(y, probabilities):
    p = np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1.0)
    return float(np.mean(-np.log(p)))


# --- 05.q1 -------------------------------------------------------------------------------------

def _epoch(dataset, n):
    """One epoch of ``dataset`` as (images, labels) NumPy arrays per batch; fails on a data set that
    does not end."""
    batches = []
    try:
        for element in dataset:
            if len(batches) > n:
                raise Fail("an epoch of the data set never ends: it gave more batches than there "
                           "are examples.", "do not repeat the data set: the training loop decides "
                           "how many epochs it runs.")
            images, labels = element
            batches.append((np.asarray(images), np.asarray(labels)))
    except (TypeError, ValueError):
        raise Fail("the data set's elements are not (images, labels) pairs.",
                   "make it from the pair (x, y).") from None
    return batches


def _prefetches_batches(dataset) -> bool:
    """Whether a prefetch step comes after the batch step (walking the pipeline up from its end)."""
    step = dataset
    for _ in range(100):
        name = type(step).__name__
        if "Prefetch" in name:
            return True
        if "Batch" in name:
            return False
        step = getattr(step, "_input_dataset", None)
        if step is None:
            return False
    return False


@question("05.q1", points=2,
          checks="make_dataset yields (images, labels) batches of the asked size, keeps every "
                 "example, shuffles whole examples over the whole data set with the seed, "
                 "reshuffles each epoch and prefetches batches",
          defines=("make_dataset",),
          fixed="make_dataset(x, y, batch_size, seed) returns a finite tf.data.Dataset of "
                "(images, labels) batches; the last batch may be smaller; a shuffle over the whole "
                "data set, reproducible with seed, new each epoch; batches prefetched.",
          verifies=("a tf.data.Dataset whose epoch ends (not repeated)",
                    "batches of batch_size, the last one smaller (2003 examples, batches of 8)",
                    "every example exactly once per epoch, with its own label",
                    "examples shuffled, not whole batches",
                    "the first 200 examples of an epoch reach the last 200 of the data (a buffer "
                    "of less than 80% of the data cannot)",
                    "a new order each epoch; the same order for the same seed, another for "
                    "another seed",
                    "a prefetch step after the batch step"))
def _q1(answers: Answers) -> None:
    import tensorflow as tf

    n, batch_size, head = 2003, 8, 200
    x = np.repeat(np.arange(n, dtype=np.float32)[:, None], 4, axis=1)  # row i holds i
    y = np.arange(n, dtype=np.int64)
    dataset = answers.call("make_dataset", x, y, batch_size, 7)
    is_instance(dataset, tf.data.Dataset, "make_dataset(...)", "a tf.data.Dataset",
                hint="start from tf.data.Dataset.from_tensor_slices((x, y)).")
    if int(dataset.cardinality()) == int(tf.data.INFINITE_CARDINALITY):
        raise Fail("the data set repeats forever: an epoch never ends.",
                   "do not repeat the data set: the training loop decides how many epochs it runs.")

    first = _epoch(dataset, n)
    if not first:
        raise Fail("the data set is empty.", "make it from the pair (x, y).")
    sizes = [len(b) for _, b in first]
    expected_sizes = [batch_size] * (n // batch_size) + [n % batch_size]
    if sorted(sizes) != sorted(expected_sizes):
        shown = sizes if len(sizes) < 8 else sizes[:3] + ["…"] + sizes[-3:]
        raise Fail(f"for {n} examples and batch_size={batch_size} the batches hold {shown} "
                   f"examples; {n // batch_size} batches of {batch_size} and a last one of "
                   f"{n % batch_size} were expected.", "batch after shuffling, and keep the last batch.")
    labels = np.concatenate([b.reshape(-1) for _, b in first])
    images = np.concatenate([a.reshape(len(a), -1)[:, 0] for a, _ in first])
    if sorted(labels.tolist()) != list(range(n)) or not np.array_equal(images, labels):
        raise Fail(f"one epoch of the data set does not hold each of the {n} examples exactly "
                   "once, with its own label.",
                   "shuffle whole (image, label) examples and keep every one of them.")
    if np.array_equal(labels, y):
        raise Fail("the examples come in their original order: they are not shuffled.",
                   "add a shuffle step to the pipeline.")
    if sizes != expected_sizes or all(
            np.array_equal(np.sort(b), np.arange(b.min(), b.min() + len(b))) for _, b in first):
        raise Fail("the batches hold consecutive examples of the data, in a shuffled order: the "
                   "pipeline shuffles whole batches, not examples.",
                   "shuffle the examples first, then batch them.")
    if labels[:head].max() < n - head:
        raise Fail(f"the first {head} examples of an epoch all come from the first "
                   f"{labels[:head].max() + 1} of the {n} examples: the shuffle does not draw "
                   "from the whole data set.",
                   "the shuffle buffer decides how far an example can move: a buffer as large "
                   "as the data set shuffles it perfectly.")
    second = np.concatenate([b.reshape(-1) for _, b in _epoch(dataset, n)])
    if np.array_equal(second, labels):
        raise Fail("the second epoch has the same order as the first: the data set is not "
                   "reshuffled each epoch.", "look at the shuffle step's options, and at any "
                   "step after it that replays its first pass.")
    again = answers.call("make_dataset", x, y, batch_size, 7)
    again = np.concatenate([b.reshape(-1) for _, b in _epoch(again, n)])
    if not np.array_equal(again, labels):
        raise Fail("two data sets made with the same seed give different orders.",
                   "pass `seed` to the shuffle step.")
    other = answers.call("make_dataset", x, y, batch_size, 8)
    other = np.concatenate([b.reshape(-1) for _, b in _epoch(other, n)])
    if np.array_equal(other, labels):
        raise Fail("data sets made with different seeds give the same order.",
                   "pass `seed` to the shuffle step.")
    if not _prefetches_batches(dataset):
        raise Fail("the data set does not prefetch batches: no prefetch step follows the batch "
                   "step.", "prefetching is the last step of the pipeline, after batch.")


# --- 05.q2 -------------------------------------------------------------------------------------

def _is_tensor(value) -> bool:
    import tensorflow as tf

    return isinstance(value, (tf.Tensor, tf.Variable))


@question("05.q2", points=2,
          checks="total_loss is the mean sparse categorical cross-entropy plus every "
                 "regularisation penalty of the model, as a tensor the tape can differentiate",
          defines=("total_loss",),
          fixed="total_loss(model, y_true, y_pred) returns a scalar tensor: the batch's mean sparse "
                "categorical cross-entropy of probabilities plus every penalty in model.losses.",
          verifies=("the value on a model without penalties: the mean cross-entropy",
                    "the value on a model with L2 and L1 penalties on kernels and a bias: the "
                    "cross-entropy plus their sum",
                    "a tensor whose gradients with respect to the weights are those of that sum"))
def _q2(answers: Answers) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(52)
    y = rng.integers(0, 10, size=12)
    logits = rng.normal(size=(12, 10))
    probabilities = (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype(np.float32)
    cross_entropy = _cross_entropy(y, probabilities)
    plain = _seeded_model()
    got = as_number(answers.call("total_loss", plain, y, probabilities), "total_loss(<model>, …)")
    close(got, cross_entropy, "total_loss of a model without regularisation", rtol=1e-4,
          hint="the mean over the batch of the sparse categorical cross-entropy of probabilities "
               "(they are probabilities, not logits).")
    penalised = _penalised_model()
    penalty = float(sum(float(p) for p in penalised.losses))
    got = as_number(answers.call("total_loss", penalised, y, probabilities),
                    "total_loss(<regularised model>, …)")
    close(got, cross_entropy + penalty, "total_loss of a regularised model", rtol=1e-4,
          hint="a regularised model keeps one penalty per regularised weight in `model.losses`: "
               "add every one of them to the cross-entropy.")

    # Under a tape, on the model's own predictions: the loss must carry the gradients.
    images = rng.uniform(size=(12, 64)).astype(np.float32)
    with tf.GradientTape(persistent=True) as tape:
        predicted = penalised(images)
        result = answers.call("total_loss", penalised, y, predicted)
        expected = tf.reduce_mean(-tf.math.log(tf.clip_by_value(
            tf.gather(predicted, y, batch_dims=1), 1e-7, 1.0))) + tf.add_n(penalised.losses)
    if not _is_tensor(result):
        raise Fail(f"total_loss returned a {type(result).__name__}; a scalar tensor was expected, "
                   "so that a GradientTape can differentiate it.",
                   "compute it with Keras or TensorFlow operations only, without float(...) or "
                   ".numpy().")
    variables = penalised.trainable_variables
    gradients = tape.gradient(result, variables)
    if any(g is None for g in gradients):
        raise Fail("no gradient flows from total_loss to some of the model's weights: a "
                   "GradientTape cannot train the model with it.",
                   "compute it with Keras or TensorFlow operations only, from y_pred and "
                   "`model.losses`.")
    for got_gradient, want, variable in zip(gradients, tape.gradient(expected, variables), variables):
        close(got_gradient, want, f"the gradient of total_loss with respect to {variable.path}",
              rtol=1e-3, atol=1e-6, hint="the gradient follows the value: the mean cross-entropy "
                                         "plus the sum of `model.losses`.")


# --- 05.q3 -------------------------------------------------------------------------------------

@question("05.q3", points=2,
          checks="evaluate returns the loss averaged over examples and the accuracy of a model "
                 "with Dropout and BatchNormalization run in inference mode, on a batched data "
                 "set with a smaller last batch, the same on every call",
          defines=("evaluate",),
          fixed="evaluate(model, dataset) runs model in inference mode on every batch and returns "
                "(loss, accuracy): the cross-entropy averaged over all examples and the accuracy, "
                "as two numbers; accumulation is free.",
          verifies=("the accuracy and the loss of a model with Dropout and BatchNormalization "
                    "(training mode would change both)",
                    "the loss averaged over examples, with a last batch of 13 of 269",
                    "a second call gives the same numbers (no state kept between calls)"))
def _q3(answers: Answers) -> None:
    import tensorflow as tf

    digits = _digits()
    model = _nearest_mean_model(*digits.train)
    norm = model.layers[0]
    x, y = digits.validation  # 269 examples: batches of 64 leave a last batch of 13
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(64)
    probabilities = model.predict(x, batch_size=len(x), verbose=0)
    expected = (_cross_entropy(y, probabilities), float(np.mean(probabilities.argmax(1) == y)))
    for call in ("first", "second"):
        result = answers.call("evaluate", model, dataset)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Fail("evaluate should return two numbers: the loss and the accuracy.",
                       "end with `return loss, accuracy`.")
        loss = as_number(result[0], "the loss evaluate returns")
        accuracy = as_number(result[1], "the accuracy evaluate returns")
        if np.any(norm.moving_mean.numpy() != 0) or np.any(norm.moving_variance.numpy() != 1):
            raise Fail("evaluate ran the model in training mode: the statistics of its "
                       "BatchNormalization layer changed (and its Dropout dropped units).",
                       "run the model with training=False.")
        if call == "first":
            close(accuracy, expected[1], "the accuracy of the first call", atol=1e-4,
                  hint="the accuracy is the fraction of all examples whose class of highest "
                       "probability is their label, as keras.metrics.SparseCategoricalAccuracy "
                       "accumulates it over batches (a mean of batch accuracies gives the small "
                       "last batch too much weight).")
            close(loss, expected[0], "the loss of the first call", rtol=1e-4,
                  hint="the last batch is smaller than the others: weight each batch's mean loss "
                       "by its number of examples (or average per-example losses).")
        else:
            for value, want, what in ((accuracy, expected[1], "accuracy"), (loss, expected[0], "loss")):
                close(value, want, f"the {what} of the second call (the first was right)",
                      rtol=1e-4, atol=1e-6,
                      hint="start from fresh metrics (or reset them) at each call.")


# --- 05.q4 -------------------------------------------------------------------------------------

@question("05.q4", points=4,
          checks=f"train_loop takes exactly the asked number of batches, runs the model in "
                 f"training mode, trains on the loss with model.losses and, with {_STEPS} steps "
                 f"on a fresh model, reaches {_MIN_TEST_ACCURACY:.0%} test accuracy",
          defines=("train_loop",),
          fixed=f"train_loop(model, dataset, steps) trains the uncompiled model with a "
                f"GradientTape, any Keras optimizer and the loss of total_loss, model in training "
                f"mode, on exactly `steps` batches of a repeating data set, and returns the "
                f"`steps` batch losses; {_STEPS} steps must reach {_MIN_TEST_ACCURACY:.0%} test "
                f"accuracy.",
          verifies=("stops after `steps` batches of a data set that repeats forever",
                    "returns one finite loss per step",
                    "changes the model's weights",
                    "runs the model in training mode (its BatchNormalization statistics move)",
                    "trains on model.losses too (a weight that only its penalty moves moves)",
                    "the loss goes down",
                    f"the test accuracy after {_STEPS} steps is at least "
                    f"{_MIN_TEST_ACCURACY:.0%}"))
def _q4(answers: Answers) -> None:
    import tensorflow as tf

    digits = _digits()
    x, y = digits.train
    drawn = [0]
    order = np.random.default_rng(54).permutation(np.tile(np.arange(len(x)), 20))
    limit = _STEPS + 64  # a loop that never stops ends here, and the check says so

    def batches():
        for start in range(0, limit * 32, 32):
            drawn[0] += 1
            index = order[start:start + 32]
            yield x[index], y[index]

    dataset = tf.data.Dataset.from_generator(
        batches, output_signature=(tf.TensorSpec((None, 64), tf.float32),
                                   tf.TensorSpec((None,), tf.int64)))
    model = _probe_model()
    before = [w.copy() for w in model.get_weights()]
    norm = model.layers[1]
    tether = model.layers[-1].tether
    losses = answers.call("train_loop", model, dataset, _STEPS)
    values = as_array(losses, "the list train_loop returns")
    if drawn[0] >= limit:
        raise Fail("train_loop did not stop: it drew every batch the check could give.",
                   "take exactly `steps` batches from the data set, which repeats forever.")
    if values.shape != (_STEPS,):
        raise Fail(f"train_loop returned {values.size} losses for steps={_STEPS}; one per step "
                   "was expected.", "append each step's loss, and take exactly `steps` batches.")
    if drawn[0] > _STEPS + 16:  # prefetching may draw a few batches ahead
        raise Fail(f"train_loop drew {drawn[0]} batches for {_STEPS} steps.",
                   "take exactly `steps` batches: `dataset.take(steps)`.")
    if not np.all(np.isfinite(values)):
        raise Fail("some losses are NaN or infinite.", "try a smaller learning rate.")
    if all(np.array_equal(a, b) for a, b in zip(before, model.get_weights())):
        raise Fail("the model's weights did not change: train_loop did not train the model it "
                   "was given.", "apply the gradients to `model.trainable_variables`.")
    if np.array_equal(norm.moving_mean.numpy(), np.zeros(norm.moving_mean.shape)):
        raise Fail("the check's model has a BatchNormalization layer, and its statistics never "
                   "moved: train_loop did not run the model in training mode.",
                   "call the model with training=True inside the tape.")
    if not values[-30:].mean() < values[:30].mean():
        raise Fail("the loss did not go down during training.",
                   "check the sign of the update and the loss you differentiate.")
    x_test, y_test = digits.test
    correct = int(np.sum(model.predict(x_test, verbose=0).argmax(axis=1) == y_test))
    if correct < _MIN_TEST_ACCURACY * len(y_test):
        raise Fail(f"after train_loop the model classifies {correct} of the {len(y_test)} test "
                   f"digits correctly ({correct / len(y_test):.2%}); at least "
                   f"{_MIN_TEST_ACCURACY:.0%} was asked for.",
                   f"{_STEPS} steps are few: try a larger learning rate.")
    # After the accuracy: a tiny learning rate moves no weight far, penalty or not.
    if abs(float(tether.numpy()) - 1.0) < 0.02:
        raise Fail("the check's model has a weight that only its regularisation penalty can move, "
                   "and it did not move: the loss train_loop differentiates leaves out "
                   "`model.losses`.",
                   "differentiate your total_loss: the cross-entropy plus `model.losses`, computed "
                   "inside the tape.")


# --- 05.q5 -------------------------------------------------------------------------------------

def _stops(losses, patience) -> bool:
    """The reference: the last `patience` epochs did not go strictly below the best before them."""
    return len(losses) > patience and min(losses[-patience:]) >= min(losses[:-patience])


def _stop_cases():
    """Hand-picked cases (every branch, ties, a long slow descent), then random ones with ties."""
    cases = [
        ([], 2), ([0.5], 1), ([1.0, 0.9], 2), ([3.0, 2.0, 1.0], 1),
        ([1.0, 0.9, 0.95, 0.96], 2), ([1.0, 0.9, 0.95, 0.96], 3), ([1.0, 0.9, 0.9, 0.9], 2),
        ([1.0, 0.9, 0.95, 0.89], 2), ([0.4, 0.9, 0.8, 0.7, 0.6, 0.5], 5),
        ([0.4, 0.9, 0.8, 0.7, 0.6, 0.3], 5), ([1.0, 0.9, 0.95], 2), ([0.5, 0.5], 1),
    ]
    rng = np.random.default_rng(55)
    for _ in range(300):
        length, patience = int(rng.integers(0, 9)), int(rng.integers(1, 5))
        cases.append(([round(float(v), 1) for v in rng.integers(1, 8, size=length) / 10], patience))
    return cases


@question("05.q5", points=2,
          checks="should_stop says True exactly when the last `patience` epochs did not improve "
                 "on the best earlier validation loss",
          defines=("should_stop",),
          fixed="should_stop(val_losses, patience) returns True or False: True when none of the "
                "last `patience` losses is strictly below the best loss before them, False when "
                "there are `patience` losses or fewer.",
          verifies=("hand-picked cases: too few epochs, equal losses, a slow descent that never "
                    "beats an early best",
                    "300 random cases with ties, against the definition",
                    "returns a bool, and leaves the list unchanged"))
def _q5(answers: Answers) -> None:
    for losses, patience in _stop_cases():
        given = list(losses)
        got = answers.call("should_stop", given, patience)
        expected = _stops(losses, patience)
        if not isinstance(got, (bool, np.bool_)):
            raise Fail(f"should_stop returned a {type(got).__name__}; True or False was expected.",
                       "return the result of a comparison.")
        if given != losses:
            raise Fail("should_stop changed the list of losses it was given.",
                       "read val_losses without sorting or editing it.")
        if bool(got) != expected:
            raise Fail(f"should_stop({losses}, patience={patience}) returned {bool(got)}; "
                       f"{expected} was expected.",
                       "compare the best of the last `patience` losses with the best of the "
                       "earlier ones; an equal loss is no improvement.")


# --- 05.q6 -------------------------------------------------------------------------------------

def _clip_probe():
    """A small model with BatchNormalization, Dropout (seeded: two probes draw the same masks at
    their first training call) and a penalty; every weight fixed by seeds."""
    import keras

    init = keras.initializers
    return keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(16, activation="relu", kernel_initializer=init.GlorotUniform(seed=61)),
        keras.layers.BatchNormalization(),
        keras.layers.Dropout(0.5, seed=62),
        keras.layers.Dense(10, activation="softmax", kernel_initializer=init.GlorotUniform(seed=63),
                           kernel_regularizer=keras.regularizers.L2(1e-2)),
    ])


def _sgd(model):
    """Plain gradient descent, built for ``model`` (so that a step compiled with tf.function never
    has to create the optimizer's variables)."""
    import keras

    optimizer = keras.optimizers.SGD(learning_rate=0.5)
    optimizer.build(model.trainable_variables)
    return optimizer


def _reference_step(x, y, max_norm, clip):
    """The check's own step on a fresh probe: the weights after it, the loss, and the gradients'
    norms (global, then each variable's) before clipping."""
    import keras
    import tensorflow as tf

    model = _clip_probe()
    optimizer = _sgd(model)
    with tf.GradientTape() as tape:
        probabilities = model(x, training=True)
        loss = keras.losses.SparseCategoricalCrossentropy()(y, probabilities) + tf.add_n(model.losses)
    gradients = tape.gradient(loss, model.trainable_variables)
    norms = (float(tf.linalg.global_norm(gradients)), [float(tf.norm(g)) for g in gradients])
    if clip == "global":
        gradients, _ = tf.clip_by_global_norm(gradients, max_norm)
    elif clip == "each":
        gradients = [tf.clip_by_norm(g, max_norm) for g in gradients]
    optimizer.apply(gradients, model.trainable_variables)
    return [v.numpy() for v in model.variables], float(loss), norms


def _same(weights, reference, rtol=1e-5, atol=1e-7) -> bool:
    return all(np.allclose(a, b, rtol=rtol, atol=atol) for a, b in zip(weights, reference))


@question("05.q6", points=2,
          checks="clipped_step runs the model in training mode (Dropout active, BatchNormalization "
                 "statistics updated), differentiates total_loss, clips the gradients by their "
                 "global norm only when it exceeds max_norm, and updates the weights with the "
                 "given optimizer",
          defines=("clipped_step",),
          fixed="clipped_step(model, optimizer, x, y, max_norm): one step on the batch in training "
                "mode, the loss of total_loss, gradients scaled together so that their global norm "
                "is at most max_norm, applied by the given optimizer; returns the loss. Clipping "
                "in the step or by the optimizer is free.",
          verifies=("the weights after one step on a model with Dropout, BatchNormalization and a "
                    "penalty equal those of the check's step (same Dropout seed): a max_norm the "
                    "gradients stay under (no change), a tiny one, and one between the largest "
                    "variable's norm and the global norm (only global clipping acts)",
                    "BatchNormalization's moving statistics updated by the step",
                    "the returned loss is the batch's loss, penalties included"))
def _q6(answers: Answers) -> None:
    digits = _digits()
    x, y = digits.train
    x, y = x[:64], y[:64]
    _, _, (global_norm, norms) = _reference_step(x, y, 1.0, None)
    cases = (("above the gradients' global norm", 10 * global_norm),
             ("far below the global norm", global_norm / 20),
             ("between the largest variable's norm and the global norm",
              (max(norms) + global_norm) / 2))
    for what, max_norm in cases:
        model = _clip_probe()
        optimizer = _sgd(model)
        norm = model.layers[1]
        before = [v.numpy().copy() for v in model.trainable_variables]
        loss = answers.call("clipped_step", model, optimizer, x, y, max_norm)
        where = f"with max_norm {what} ({max_norm:.3g}, global norm {global_norm:.3g})"
        if all(np.array_equal(a, v.numpy()) for a, v in zip(before, model.trainable_variables)):
            raise Fail(f"clipped_step did not change the model's weights {where}.",
                       "apply the (clipped) gradients with the optimizer you are given: "
                       "optimizer.apply(gradients, model.trainable_variables).")
        if np.array_equal(norm.moving_mean.numpy(), np.zeros(norm.moving_mean.shape)):
            raise Fail("the check's model has a BatchNormalization layer, and its moving "
                       "statistics did not move: clipped_step did not run the model in training "
                       "mode.", "call the model with training=True inside the tape.")
        weights = [v.numpy() for v in model.variables]
        expected, expected_loss, _ = _reference_step(x, y, max_norm, "global")
        loss = as_number(loss, "the loss clipped_step returns")
        close(loss, expected_loss, f"the loss clipped_step returns {where}", rtol=1e-5,
              hint="return the loss of the batch before the update: your total_loss of the model's "
                   "predictions in training mode (cross-entropy plus model.losses).")
        if _same(weights, expected):
            continue
        if _same(weights, _reference_step(x, y, max_norm, None)[0]):
            raise Fail(f"{where}, the weights after clipped_step are those of a step without "
                       "clipping.", "clip the gradients with tf.clip_by_global_norm(gradients, "
                       "max_norm), or give the optimizer global_clipnorm.")
        if _same(weights, _reference_step(x, y, max_norm, "each")[0]):
            raise Fail(f"{where}, clipped_step clipped each variable's gradient by its own norm "
                       "(what clipnorm does), not all of them by their global norm.",
                       "scale all the gradients by one factor: tf.clip_by_global_norm, or the "
                       "optimizer's global_clipnorm.")
        raise Fail(f"{where}, the weights after clipped_step differ from those of a step whose "
                   "gradients are clipped by their global norm.",
                   "one forward pass in training mode, the gradients of total_loss, "
                   "tf.clip_by_global_norm(gradients, max_norm), then optimizer.apply; clip only "
                   "the gradients, leave the loss and the weights alone.")


# --- 05.q7 -------------------------------------------------------------------------------------

_RESUME_STEPS = 12  # the check stops the loop after this many steps, then asks for as many more
_RESUME_EXAMPLES = 320  # 10 batches of 32 per epoch: the run crosses epochs, each reshuffled


def _recorder_layer():
    """A layer that drops the last input column, the example's index, after recording (in training
    mode) the index of the first example of the batch: after a run, the position in the data
    where it ended."""
    import keras

    class Recorder(keras.layers.Layer):
        def build(self, input_shape):
            self.last_seen = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                             name="last_seen")

        def call(self, inputs, training=None):
            if training:
                self.last_seen.assign(inputs[0, -1])
            return inputs[:, :-1]

        def compute_output_shape(self, input_shape):
            return (*input_shape[:-1], input_shape[-1] - 1)

    return Recorder(name="recorder")


def _resume_probe(seed):
    """The lesson's classifier with BatchNormalization and a penalty, no Dropout; its initial
    weights drawn from ``seed``."""
    import keras

    init = keras.initializers.GlorotUniform
    return keras.Sequential([
        keras.Input(shape=(65,)),
        _recorder_layer(),
        keras.layers.Dense(32, activation="relu", kernel_initializer=init(seed=seed)),
        keras.layers.BatchNormalization(),
        keras.layers.Dense(10, activation="softmax", kernel_initializer=init(seed=seed + 1),
                           kernel_regularizer=keras.regularizers.L2(1e-3)),
    ])


def _resume_dataset():
    """A shuffled, repeating data set of digits, each with its index as a last column; the same at
    every call (seeded)."""
    import tensorflow as tf

    x, y = _digits().train
    x, y = x[:_RESUME_EXAMPLES], y[:_RESUME_EXAMPLES]
    x = np.concatenate([x, np.arange(len(x), dtype=np.float32)[:, None]], axis=1)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=71)
    return dataset.batch(32).repeat().prefetch(tf.data.AUTOTUNE)


def _resume_run(answers, directory, steps, seed, what):
    import keras

    model = _resume_probe(seed)
    optimizer = keras.optimizers.Adam(learning_rate=3e-3)
    losses = answers.call("train_resumable", model, optimizer, _resume_dataset(), steps, str(directory))
    return model, optimizer, as_array(losses, f"the losses train_resumable returns ({what})")


@question("05.q7", points=3,
          checks="train_resumable, stopped after some steps and started again with new objects, "
                 "ends with the same losses, weights and optimizer state as an uninterrupted run, "
                 "to the last bit",
          defines=("train_resumable",),
          fixed="train_resumable(model, optimizer, dataset, steps, directory) trains in training "
                "mode on total_loss until its step counter reaches steps (counting earlier runs), "
                "restores the latest checkpoint of directory at its start, saves one before it "
                "returns, and returns the losses of the steps it ran. How and how often it saves, "
                "and how it keeps the data position, are free.",
          verifies=(f"an uninterrupted run of {2 * _RESUME_STEPS} steps from an empty folder "
                    f"returns {2 * _RESUME_STEPS} losses and trains in training mode",
                    f"a run stopped after {_RESUME_STEPS} steps, then started with a new model "
                    "(other initial weights), optimizer and data set, runs the steps left and no "
                    "more (the step counter was restored)",
                    "the optimizer's state was restored (its iterations count the steps of both "
                    "runs)",
                    "the data continued where it stopped (the last batch is the uninterrupted "
                    "run's)",
                    "every loss and every variable of the model equal the uninterrupted run's, "
                    "to the last bit"))
def _q7(answers: Answers) -> None:
    import tempfile
    from pathlib import Path

    n = _RESUME_STEPS
    with tempfile.TemporaryDirectory(prefix="k2tf-check05-") as scratch:
        scratch = Path(scratch)
        (scratch / "whole").mkdir()
        (scratch / "stopped").mkdir()
        whole, whole_optimizer, whole_losses = _resume_run(answers, scratch / "whole", 2 * n, 81,
                                                           "uninterrupted")
        if whole_losses.shape != (2 * n,):
            raise Fail(f"called with steps={2 * n} and an empty directory, train_resumable "
                       f"returned {whole_losses.size} losses; one per step ({2 * n}) was expected.",
                       "train until the step counter reaches `steps`, and return the loss of each "
                       "step this call ran.")
        if not np.all(np.isfinite(whole_losses)):
            raise Fail("some losses are NaN or infinite.", "try a smaller learning rate.")
        norm = whole.layers[2]
        if np.array_equal(norm.moving_mean.numpy(), np.zeros(norm.moving_mean.shape)):
            raise Fail("the check's model has a BatchNormalization layer, and its statistics never "
                       "moved: train_resumable did not run the model in training mode.",
                       "call the model with training=True inside the tape.")

        _, _, first = _resume_run(answers, scratch / "stopped", n, 81, "the first part")
        if first.shape != (n,):
            raise Fail(f"called with steps={n} and an empty directory, train_resumable returned "
                       f"{first.size} losses; {n} were expected.",
                       "train until the step counter reaches `steps`.")
        if not any((scratch / "stopped").iterdir()):
            raise Fail("train_resumable left its directory empty: it saved no checkpoint.",
                       "save a tf.train.Checkpoint in `directory` before returning (a "
                       "tf.train.CheckpointManager does it with manager.save()).")
        # "Killed": everything is built again, the model with other initial weights.
        resumed, optimizer, second = _resume_run(answers, scratch / "stopped", 2 * n, 91,
                                                 "after the restart")
    if second.size == 2 * n:
        raise Fail(f"stopped after {n} steps and started again with steps={2 * n}, "
                   f"train_resumable ran {2 * n} steps: it did not restore its step counter "
                   "(or nothing at all) from the checkpoint.",
                   "keep the step counter in a tf.Variable that the checkpoint holds, restore the "
                   "latest checkpoint at the start, and train while the counter is below `steps`.")
    if second.size != n:
        raise Fail(f"stopped after {n} steps and started again with steps={2 * n}, "
                   f"train_resumable ran {second.size} steps; the {n} left were expected.",
                   "train while the restored step counter is below `steps`.")
    iterations = int(optimizer.iterations.numpy())
    if iterations != 2 * n:
        raise Fail(f"after the restart, the optimizer you were given counts {iterations} "
                   f"iterations, not {2 * n}: its state (its step count and Adam's moving "
                   "averages) was not restored from the checkpoint.",
                   "put the optimizer in the tf.train.Checkpoint with the model and the step "
                   "counter.")
    if resumed.layers[0].last_seen.numpy() != whole.layers[0].last_seen.numpy():
        raise Fail("after the restart, train_resumable did not take the batches the "
                   "uninterrupted run took: the position in the data was not restored (it started "
                   "the data set over).",
                   "put the iterator you draw the batches from, iter(dataset), in the "
                   "tf.train.Checkpoint.")
    if not np.array_equal(np.concatenate([first, second]), whole_losses):
        raise Fail(f"the losses of the run stopped after {n} steps and resumed differ from those "
                   f"of the uninterrupted run (from step {n + 1} on, by up to "
                   f"{np.max(np.abs(second - whole_losses[n:])):.3g}): the model's weights were "
                   "not restored.", "put the model in the tf.train.Checkpoint, and restore it "
                   "before the first step.")
    for got, want in zip(resumed.variables, whole.variables):
        if not np.array_equal(got.numpy(), want.numpy()):
            raise Fail(f"after the resumed run, the model's `{want.name}` differs from the "
                       "uninterrupted run's.",
                       "put the model in the tf.train.Checkpoint, and restore it before the first "
                       "step.")
