"""Checks of exercise 10, called directly: honest answers pass, typical mistakes and cheats fail."""
from __future__ import annotations

import numpy as np
import pytest

from k2tf.checks import CheckFailed, run_check

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from k2tf import distributed  # noqa: E402

# Two logical CPUs if TensorFlow has not initialised its devices yet in this test process;
# the checks accept whatever this process has.
REPLICAS = distributed.use_logical_cpus(2)


def failure(question_id, namespace):
    with pytest.raises(CheckFailed) as info:
        run_check(question_id, namespace)
    return str(info.value)


# 10.q1 ---------------------------------------------------------------------------------------

def pipeline(cache=True, parallel=True, prefetch=True, shuffle=False, apply=True):
    def make_pipeline(x, y, preprocess, batch_size):
        dataset = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            dataset = dataset.shuffle(len(x), seed=1)
        if apply:
            dataset = dataset.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE if parallel else None)
        if cache:
            dataset = dataset.cache()
        dataset = dataset.batch(batch_size)
        return dataset.prefetch(tf.data.AUTOTUNE) if prefetch else dataset
    return {"make_pipeline": make_pipeline}


def test_q1_honest_pipeline_passes():
    assert run_check("10.q1", pipeline(), points=3) == "✓ 10.q1 passed — 3/3 points"


@pytest.mark.parametrize("mistake, message", [
    ({"cache": False}, "ran 46 times for 23 examples"),
    ({"parallel": False}, "one example at a time"),
    ({"prefetch": False}, "prepare the next batches"),
    ({"shuffle": True}, "not `preprocess(x, y)`"),
    ({"apply": False}, "not `preprocess(x, y)`"),
])
def test_q1_mistakes_fail(mistake, message):
    assert message in failure("10.q1", pipeline(**mistake))


def test_q1_not_a_dataset_fails():
    assert "tf.data.Dataset" in failure("10.q1", {"make_pipeline": lambda x, y, p, b: [(x, y)]})


# 10.q2 ---------------------------------------------------------------------------------------

def mixed(policy="mixed_float16", reset=True, out_dtype="float32"):
    def build_mixed_model(input_dim, classes):
        keras.mixed_precision.set_global_policy(policy)
        model = keras.Sequential([keras.Input(shape=(input_dim,)), keras.layers.Dense(8),
                                  keras.layers.Dense(classes, dtype=out_dtype)])
        if reset:
            keras.mixed_precision.set_global_policy("float32")
        return model
    return {"build_mixed_model": build_mixed_model}


def test_q2_honest_model_passes():
    assert run_check("10.q2", mixed(), points=2) == "✓ 10.q2 passed — 2/2 points"
    assert keras.mixed_precision.global_policy().name == "float32"


@pytest.mark.parametrize("mistake, message", [
    ({"policy": "float32"}, "not built under mixed precision"),
    ({"reset": False}, "should be back to 'float32'"),
    ({"out_dtype": None}, "should be float32"),
])
def test_q2_mistakes_fail(mistake, message):
    assert message in failure("10.q2", mixed(**mistake))
    assert keras.mixed_precision.global_policy().name == "float32", "the check resets the policy"


# 10.q3 ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def strategy():
    return tf.distribute.MirroredStrategy()


def regressor():
    model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return model


def regression_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32")
    return x, (x @ np.linspace(-1, 1, 8)).astype("float32")[:, None]


def test_q3_honest_answer_passes_and_outside_scope_fails(strategy):
    x, y = regression_data()
    with strategy.scope():
        model = regressor()
    history = model.fit(x, y, batch_size=64, epochs=3, verbose=0)
    namespace = {"strategy": strategy, "mirrored_model": model, "mirrored_history": history}
    assert run_check("10.q3", namespace, points=2) == "✓ 10.q3 passed — 2/2 points"

    outside = regressor()
    outside_history = outside.fit(x, y, batch_size=64, epochs=3, verbose=0)
    assert "built outside the strategy's scope" in failure(
        "10.q3", {"strategy": strategy, "mirrored_model": outside, "mirrored_history": outside_history})
    assert "belongs to another model" in failure(
        "10.q3", {"strategy": strategy, "mirrored_model": model, "mirrored_history": outside_history})


def test_q3_other_strategies_fail():
    assert "MirroredStrategy" in failure("10.q3", {"strategy": tf.distribute.get_strategy()})
    assert "not defined" in failure("10.q3", {})


# 10.q4 ---------------------------------------------------------------------------------------

def step_maker(scaling="global", update=True, reduce=True):
    def make_train_step(strategy, model, optimizer, global_batch_size):
        mse = keras.losses.MeanSquaredError(reduction=None)

        def replica_step(x, y):
            with tf.GradientTape() as tape:
                per_example = mse(y, model(x, training=True))
                if scaling == "global":
                    loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch_size)
                else:
                    loss = tf.reduce_mean(per_example)  # the per-replica mean: a classic mistake
            if update:
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply(grads, model.trainable_variables)
            return loss

        @tf.function
        def step(batch):
            per_replica = strategy.run(replica_step, args=batch)
            return strategy.reduce("SUM", per_replica, axis=None) if reduce else per_replica
        return step
    return {"make_train_step": make_train_step}


def test_q4_honest_step_passes():
    assert run_check("10.q4", step_maker(), points=3) == "✓ 10.q4 passed — 3/3 points"


@pytest.mark.skipif(REPLICAS < 2, reason="a per-replica mean is only wrong with several replicas")
def test_q4_per_replica_mean_fails():
    assert "global" in failure("10.q4", step_maker(scaling="local"))


def test_q4_mistakes_fail():
    assert "did not change the model's weights" in failure("10.q4", step_maker(update=False))
    if REPLICAS >= 2:
        assert "PerReplica" in failure("10.q4", step_maker(reduce=False))
    assert "should return a function" in failure("10.q4", {"make_train_step": lambda *a: 0.5})


# 10.q5 ---------------------------------------------------------------------------------------

def test_q5_honest_and_course_versions_pass():
    assert run_check("10.q5", {"make_tf_config": distributed.tf_config}, points=2) \
        == "✓ 10.q5 passed — 2/2 points"


class AlwaysEqual(dict):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


def test_q5_mistakes_and_cheats_fail():
    def no_check(addresses, index):
        return {"cluster": {"worker": list(addresses)}, "task": {"type": "worker", "index": index}}

    def chief_only(addresses, index):
        return {"cluster": {"worker": list(addresses)}, "task": {"type": "worker", "index": 0}}

    def own_address_only(addresses, index):
        if index >= len(addresses):
            raise ValueError(index)
        return {"cluster": {"worker": [addresses[index]]}, "task": {"type": "worker", "index": 0}}

    def mutating(addresses, index):
        if index >= len(addresses):
            raise ValueError(index)
        addresses.sort()
        return {"cluster": {"worker": list(addresses)}, "task": {"type": "worker", "index": index}}

    def as_text(addresses, index):
        return '{"cluster": {}}'

    def always_equal(addresses, index):
        if index >= len(addresses):
            raise ValueError(index)
        return AlwaysEqual(cluster=AlwaysEqual(), task=AlwaysEqual())

    assert "did not raise ValueError" in failure("10.q5", {"make_tf_config": no_check})
    assert "for worker 1, the task" in failure("10.q5", {"make_tf_config": chief_only})
    assert "all the addresses" in failure("10.q5", {"make_tf_config": own_address_only})
    assert "a dict was expected" in failure("10.q5", {"make_tf_config": as_text})
    assert "the cluster is" in failure("10.q5", {"make_tf_config": always_equal})
    message = failure("10.q5", {"make_tf_config": mutating})
    assert "changed the list" in message or "the cluster is" in message
