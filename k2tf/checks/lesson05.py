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
