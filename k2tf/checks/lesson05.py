"""Checks for exercise 05 (the custom training loop)."""
from __future__ import annotations

import numpy as np

from . import Answers, Fail, question
from .expect import as_array, as_number, close, is_instance

_MIN_TEST_ACCURACY = 0.90
_STEPS = 300


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


def _nearest_mean_model(x, y):
    """A fixed, untrained model that classifies most digits right (softmax over distances to
    the class means), so accuracy and loss are both informative."""
    import keras

    means = np.stack([x[y == k].mean(axis=0) for k in range(10)])
    scale = 8.0
    model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(10, activation="softmax")])
    model.layers[0].set_weights([(scale * means.T).astype("float32"),
                                 (-0.5 * scale * (means**2).sum(axis=1)).astype("float32")])
    return model


def _cross_entropy(y, probabilities):
    p = np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1.0)
    return float(np.mean(-np.log(p)))


@question("05.q1", points=2,
          checks="make_dataset yields (images, labels) batches of the asked size, keeps every "
                 "example, shuffles with the seed, reshuffles each epoch and prefetches")
def _q1(answers: Answers) -> None:
    import tensorflow as tf

    n, batch_size = 53, 8
    x = np.repeat(np.arange(n, dtype=np.float32)[:, None], 4, axis=1)  # row i holds i
    y = np.arange(n, dtype=np.int64)
    dataset = answers.call("make_dataset", x, y, batch_size, 7)
    is_instance(dataset, tf.data.Dataset, "make_dataset(...)", "a tf.data.Dataset",
                hint="start from tf.data.Dataset.from_tensor_slices((x, y)).")

    def epoch(ds):
        try:
            batches = [(np.asarray(a), np.asarray(b)) for a, b in ds]
        except (TypeError, ValueError):
            raise Fail("the data set's elements are not (images, labels) pairs.",
                       "make it from the pair (x, y).") from None
        return batches

    first = epoch(dataset)
    sizes = [len(b) for _, b in first]
    expected_sizes = [batch_size] * (n // batch_size) + [n % batch_size]
    if sizes != expected_sizes:
        raise Fail(f"for 53 examples and batch_size=8 the batches hold {sizes} examples; "
                   f"{expected_sizes} was expected.", "batch after shuffling, and keep the last batch.")
    labels = np.concatenate([b for _, b in first])
    images = np.concatenate([a for a, _ in first])
    if sorted(labels.tolist()) != list(range(n)) or not np.array_equal(images[:, 0], labels):
        raise Fail("one epoch of the data set does not hold every example exactly once, with its "
                   "own label.", "shuffle whole examples, with a buffer as large as the data set.")
    if np.array_equal(labels, y):
        raise Fail("the examples come in their original order: they are not shuffled.",
                   "add a shuffle step to the pipeline.")
    second = np.concatenate([b for _, b in epoch(dataset)])
    if np.array_equal(second, labels):
        raise Fail("the second epoch has the same order as the first: the data set is not "
                   "reshuffled each epoch.", "look at the shuffle step's options.")
    again = np.concatenate([b for _, b in epoch(answers.call("make_dataset", x, y, batch_size, 7))])
    if not np.array_equal(again, labels):
        raise Fail("two data sets made with the same seed give different orders.",
                   "pass `seed` to the shuffle step.")
    other = np.concatenate([b for _, b in epoch(answers.call("make_dataset", x, y, batch_size, 8))])
    if np.array_equal(other, labels):
        raise Fail("data sets made with different seeds give the same order.",
                   "pass `seed` to the shuffle step.")
    if "Prefetch" not in type(dataset).__name__:
        raise Fail("the data set does not end with a prefetch step.",
                   "prefetching is the last step of the pipeline.")


@question("05.q2", points=2,
          checks="total_loss is the mean sparse categorical cross-entropy plus the model's "
                 "regularisation penalties")
def _q2(answers: Answers) -> None:
    import keras

    rng = np.random.default_rng(52)
    y = rng.integers(0, 10, size=12)
    logits = rng.normal(size=(12, 10))
    probabilities = (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype(np.float32)
    cross_entropy = _cross_entropy(y, probabilities)
    plain = _seeded_model()
    got = as_number(answers.call("total_loss", plain, y, probabilities), "total_loss(<model>, …)")
    close(got, cross_entropy, "total_loss of a model without regularisation", rtol=1e-4,
          hint="the mean over the batch of the sparse categorical cross-entropy of probabilities.")
    l2 = 3e-3
    regularized = _seeded_model(regularizer=keras.regularizers.L2(l2))
    penalty = l2 * sum(float(np.sum(layer.kernel.numpy() ** 2)) for layer in regularized.layers)
    got = as_number(answers.call("total_loss", regularized, y, probabilities),
                    "total_loss(<regularised model>, …)")
    close(got, cross_entropy + penalty, "total_loss of a regularised model", rtol=1e-4,
          hint="a regularised model keeps its penalties in `model.losses`.")


@question("05.q3", points=2,
          checks="evaluate returns the loss averaged over examples and the accuracy of a model "
                 "on a batched data set, the same on every call")
def _q3(answers: Answers) -> None:
    import tensorflow as tf

    digits = _digits()
    model = _nearest_mean_model(*digits.train)
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
        if not isinstance(result[0], float) or not isinstance(result[1], float):
            raise Fail("evaluate should return Python floats.", "convert each result with float(...).")
        close(accuracy, expected[1], f"the accuracy of the {call} call", atol=1e-4,
              hint="update the accuracy metric with each batch and reset it (or make a new one) "
                   "for each call.")
        close(loss, expected[0], f"the loss of the {call} call", rtol=1e-4,
              hint="the last batch is smaller than the others: weight each batch's mean loss by "
                   "its number of examples (or average per-example losses).")


@question("05.q4", points=4,
          checks=f"train_loop takes exactly the asked number of batches from a repeating data set "
                 f"and, with {_STEPS} steps on a fresh model, reaches {_MIN_TEST_ACCURACY:.0%} "
                 f"test accuracy")
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
    model = _seeded_model()
    before = [w.copy() for w in model.get_weights()]
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
    if not values[-30:].mean() < values[:30].mean():
        raise Fail("the loss did not go down during training.",
                   "check the sign of the update and the loss you differentiate.")
    x_test, y_test = digits.test
    accuracy = float(np.mean(model.predict(x_test, verbose=0).argmax(axis=1) == y_test))
    if accuracy < _MIN_TEST_ACCURACY:
        raise Fail(f"after train_loop the model classifies {accuracy:.1%} of the test digits "
                   f"correctly; at least {_MIN_TEST_ACCURACY:.0%} was asked for.",
                   "300 steps are few: a larger learning rate than Adam's default may help.")


@question("05.q5", points=2,
          checks="should_stop says True exactly when the last `patience` epochs did not improve "
                 "on the best earlier validation loss")
def _q5(answers: Answers) -> None:
    cases = [
        ([], 2, False),
        ([0.5], 1, False),
        ([1.0, 0.9], 2, False),
        ([3.0, 2.0, 1.0], 1, False),
        ([1.0, 0.9, 0.95, 0.96], 2, True),
        ([1.0, 0.9, 0.95, 0.96], 3, False),
        ([1.0, 0.9, 0.9, 0.9], 2, True),
        ([1.0, 0.9, 0.95, 0.89], 2, False),
        ([0.4, 0.9, 0.8, 0.7, 0.6, 0.5], 5, True),
        ([0.4, 0.9, 0.8, 0.7, 0.6, 0.3], 5, False),
    ]
    for losses, patience, expected in cases:
        got = answers.call("should_stop", list(losses), patience)
        if not isinstance(got, (bool, np.bool_)):
            raise Fail(f"should_stop returned a {type(got).__name__}; True or False was expected.",
                       "return the result of a comparison.")
        if bool(got) != expected:
            raise Fail(f"should_stop({losses}, patience={patience}) returned {bool(got)}; "
                       f"{expected} was expected.",
                       "compare the best of the last `patience` losses with the best of the "
                       "earlier ones; an equal loss is no improvement.")
