"""Checks of exercise 10: honest answers pass, typical mistakes and cheats fail.

Questions 10.q3 and 10.q4 need two logical CPU devices, which TensorFlow grants only before it
initialises; under `pytest -n 2 --dist loadfile` another lesson's tests may already have
initialised it in this process. So the answer fixtures (tests/answers/lesson10.py) run in a
fresh child process of their own (tests/fresh_process_shell.py), with a time limit per answer,
and the direct tests here only call the checks that need no distribution strategy.
"""
from __future__ import annotations

import numpy as np
import pytest

from k2tf.checks import CheckFailed, run_check

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from fresh_process_shell import FreshProcessShell  # noqa: E402

from k2tf import distributed  # noqa: E402


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
        try:
            return keras.Sequential([keras.Input(shape=(input_dim,)), keras.layers.Dense(8),
                                     keras.layers.Dense(classes, dtype=out_dtype)])
        finally:
            if reset:
                keras.mixed_precision.set_global_policy("float32")
    return {"build_mixed_model": build_mixed_model}


def test_q2_honest_model_passes():
    assert run_check("10.q2", mixed(), points=2) == "✓ 10.q2 passed — 2/2 points"
    assert keras.mixed_precision.global_policy().name == "float32"


@pytest.mark.parametrize("mistake, message", [
    ({"policy": "float32"}, "not built under mixed precision"),
    ({"reset": False}, "should be back to 'float32'"),
    ({"out_dtype": None}, "outputs are float16"),
])
def test_q2_mistakes_fail(mistake, message):
    assert message in failure("10.q2", mixed(**mistake))
    assert keras.mixed_precision.global_policy().name == "float32", "the check resets the policy"


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
    assert "for worker 1 of 3, the task" in failure("10.q5", {"make_tf_config": chief_only})
    assert "all the addresses" in failure("10.q5", {"make_tf_config": own_address_only})
    assert "a dict was expected" in failure("10.q5", {"make_tf_config": as_text})
    assert "the cluster is" in failure("10.q5", {"make_tf_config": always_equal})
    message = failure("10.q5", {"make_tf_config": mutating})
    assert "changed the list" in message or "the cluster is" in message


# The fresh process ----------------------------------------------------------------------------

def test_a_process_that_does_not_answer_in_time_is_killed(tmp_path):
    from answer_fixtures import honest

    shell = FreshProcessShell("10", tmp_path, timeout=0.5)  # not even time to import TensorFlow
    with pytest.raises(TimeoutError, match="was killed"):
        shell.check("10.q5", honest("pass", "any answer"))
    assert shell._process is None, "the child is gone; the next answer starts a fresh one"


@pytest.fixture(scope="module", autouse=True)
def _answers_run_in_a_fresh_process(lesson_shell, tmp_path_factory):
    """This module's lesson shell checks each answer in a child process (started on first use)."""
    fresh = FreshProcessShell("10", tmp_path_factory.mktemp("fresh10"),
                              share_prefix=tuple(sorted(lesson_shell.share_prefix)))
    lesson_shell.check = fresh.check  # this module's shell only; other lessons' are untouched
    yield
    fresh.close()


from answer_fixtures import fixture_tests  # noqa: E402
from answers.lesson10 import ANSWERS  # noqa: E402

# 10.q4 to 10.q7 only read what earlier answers made (10.q3 trains for seconds under a
# MirroredStrategy): the solution's cells before them run once for all their answers.
test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell = \
    fixture_tests("10", ANSWERS, share_prefix=("10.q4", "10.q5", "10.q6", "10.q7"))
