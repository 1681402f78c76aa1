"""Checks of exercise 11, called directly: honest answers pass, typical mistakes and cheats fail."""
from __future__ import annotations

import os
import sys
import time

import numpy as np
import pytest

from k2tf.checks import CheckFailed, run_check
from k2tf.decision_guide import Situation, recommend

tf = pytest.importorskip("tensorflow")


@pytest.fixture(autouse=True)
def _environment_restored():
    """A wrong answer to 11.q4 sets KERAS_BACKEND in this process (its answer cell runs before
    the check): put the environment back, so that no later test in this worker sees it."""
    before = dict(os.environ)
    yield
    if dict(os.environ) != before:
        os.environ.clear()
        os.environ.update(before)


def failure(question_id, namespace):
    with pytest.raises(CheckFailed) as info:
        run_check(question_id, namespace)
    return str(info.value)


# 11.q1 ---------------------------------------------------------------------------------------

def stream_maker(lazy=True, reseed=True, use_seed=True, target="sum"):
    def make_stream(n_batches, batch_size, features, seed):
        def batches():
            rng = np.random.default_rng(seed if use_seed else 0)
            for _ in range(n_batches):
                if not reseed:
                    rng = np.random.default_rng(seed)
                x = rng.normal(size=(batch_size, features)).astype("float32")
                yield x, (x.sum(axis=1) if target == "sum" else x.mean(axis=1))
        spec = (tf.TensorSpec((batch_size, features), tf.float32), tf.TensorSpec((batch_size,), tf.float32))
        if lazy:
            return tf.data.Dataset.from_generator(batches, output_signature=spec)
        xs, ys = zip(*batches())
        return tf.data.Dataset.from_tensor_slices((np.stack(xs), np.stack(ys)))
    return {"make_stream": make_stream}


def test_q1_honest_stream_passes():
    assert run_check("11.q1", stream_maker(), points=3) == "✓ 11.q1 passed — 3/3 points"


def test_q1_mistakes_fail():
    assert "different seeds gave the same data" in failure("11.q1", stream_maker(use_seed=False))
    assert "every batch is the same" in failure("11.q1", stream_maker(reseed=False))
    assert "not the sum" in failure("11.q1", stream_maker(target="mean"))


def test_q1_in_memory_data_fails_fast():
    # a version that builds every batch up front; the check must stop it rather than wait
    def eager_but_capped(n_batches, batch_size, features, seed):
        return stream_maker(lazy=False)["make_stream"](min(n_batches, 50), batch_size, features, seed)
    assert "10**9 were expected" in failure("11.q1", {"make_stream": eager_but_capped})


# 11.q2 ---------------------------------------------------------------------------------------

def honest_steps_per_second(step, batches, warmup):
    for batch in batches[:warmup]:
        step(batch)
    start = time.perf_counter()
    for batch in batches[warmup:]:
        step(batch)
    return (len(batches) - warmup) / (time.perf_counter() - start)


def test_q2_honest_measurement_passes():
    assert run_check("11.q2", {"steps_per_second": honest_steps_per_second}, points=3) \
        == "✓ 11.q2 passed — 3/3 points"


def test_q2_mistakes_and_cheats_fail():
    def timed_warmup(step, batches, warmup):
        start = time.perf_counter()
        for batch in batches:
            step(batch)
        return len(batches) / (time.perf_counter() - start)

    def skips_batches(step, batches, warmup):
        return honest_steps_per_second(step, batches[:3], warmup)

    def seconds_per_step(step, batches, warmup):
        return 1 / honest_steps_per_second(step, batches, warmup)

    assert "warm-up calls seem timed" in failure("11.q2", {"steps_per_second": timed_warmup})
    assert "called 3 times" in failure("11.q2", {"steps_per_second": skips_batches})
    assert "warm-up" in failure("11.q2", {"steps_per_second": seconds_per_step})
    assert "at most" in failure("11.q2", {"steps_per_second": lambda s, b, w: [s(x) for x in b] and 1e6})


# 11.q3 ---------------------------------------------------------------------------------------

def test_q3_honest_logging_passes_and_mistakes_fail():
    def log_losses(folder, losses, shift=0, tag="loss"):
        writer = tf.summary.create_file_writer(folder)
        with writer.as_default():
            for step, loss in enumerate(losses):
                tf.summary.scalar(tag, loss, step=step + shift)
        writer.close()

    assert run_check("11.q3", {"log_losses": log_losses}, points=2) == "✓ 11.q3 passed — 2/2 points"
    assert "steps" in failure("11.q3", {"log_losses": lambda f, l: log_losses(f, l, shift=1)})
    assert "no scalar named 'loss'" in failure("11.q3", {"log_losses": lambda f, l: log_losses(f, l, tag="Loss")})
    assert "no scalar named 'loss'" in failure("11.q3", {"log_losses": lambda f, l: None})


# 11.q4 ---------------------------------------------------------------------------------------

def test_q4_honest_command_passes():
    def backend_command(backend, code):
        return [sys.executable, "-c", code], {**os.environ, "KERAS_BACKEND": backend}
    assert run_check("11.q4", {"backend_command": backend_command}, points=2) == "✓ 11.q4 passed — 2/2 points"


def test_q4_mistakes_fail_and_the_kernel_environment_is_restored():
    def sets_own_env(backend, code):
        os.environ["KERAS_BACKEND"] = backend
        return [sys.executable, "-c", code], dict(os.environ)

    def bare_env(backend, code):
        return [sys.executable, "-c", code], {"KERAS_BACKEND": backend}

    def wrong_code(backend, code):
        return [sys.executable, "-c", "print('numpy')"], {**os.environ, "KERAS_BACKEND": backend}

    before = dict(os.environ)
    assert "changed this kernel's environment" in failure("11.q4", {"backend_command": sets_own_env})
    assert dict(os.environ) == before
    assert "lost or changed this kernel's variables" in failure("11.q4", {"backend_command": bare_env})
    assert "a pair" in failure("11.q4", {"backend_command": lambda b, c: "python -c"})
    assert "did not run the given code" in failure("11.q4", {"backend_command": wrong_code})


# 11.q5 ---------------------------------------------------------------------------------------

def test_q5_honest_answer_passes_and_mistakes_fail():
    ana = Situation("researcher", needs_custom_loss=True, needs_several_devices=True)
    assert run_check("11.q5", {"ana": ana, "ana_advice": recommend(ana)}, points=2) \
        == "✓ 11.q5 passed — 2/2 points"
    student = Situation("student", needs_custom_loss=True, needs_several_devices=True)
    assert "role" in failure("11.q5", {"ana": student, "ana_advice": recommend(student)})
    assert "not the guide's recommendation" in failure(
        "11.q5", {"ana": ana, "ana_advice": recommend(Situation("researcher"))})
    assert "Situation" in failure("11.q5", {"ana": {"role": "researcher"}, "ana_advice": None})



# 11.q6 ---------------------------------------------------------------------------------------
# Its fixtures (tests/answers/lesson11.py) run the real backends; these tests need none.

def test_q6_refuses_what_no_process_could_run():
    assert "should be a function" in failure("11.q6", {"build_model": 3})
    assert "cannot be read" in failure("11.q6", {"build_model": lambda: None})


def test_q6_names_the_exception_a_failed_run_stopped_with():
    from k2tf.backends import BackendRun
    from k2tf.checks.lesson11 import _error_line, _failure_hint

    log = ("I0000 00:00:1.5 cudart_stub.cc:31] Could not find cuda drivers\n"
           "Traceback (most recent call last):\n  File \"<string>\", line 28, in <module>\n"
           "RuntimeError: Unable to automatically build the model.\nException encountered:\n"
           "Arguments received by Sequential.call():\n  • inputs=jnp.ndarray(shape=(32, 64))\n")
    run = BackendRun("jax", error="Arguments received by Sequential.call():", log=log)
    assert _error_line(run) == "RuntimeError: Unable to automatically build the model."
    assert _error_line(BackendRun("jax", error="did not finish within 150 s")) \
        == "did not finish within 150 s"
    assert "`HIDDEN` inside build_model" in _failure_hint(
        "tensorflow", "NameError: name 'HIDDEN' is not defined", "", False)
    assert "keras.ops" in _failure_hint("jax", "RuntimeError: x", "tf.nn.relu(t)", True)


# 11.q7 ---------------------------------------------------------------------------------------

def test_q7_honest_answer_passes_and_mistakes_fail():
    def agree(runs, tolerance, strict=False, skip_failed=False):
        good = [r for r in runs.values() if r.ok]
        if len(good) < len(runs) and not skip_failed:
            return False
        gap = max(r.accuracy for r in good) - min(r.accuracy for r in good)
        return gap < tolerance if strict else gap <= tolerance

    assert run_check("11.q7", {"backends_agree": agree}, points=1) == "✓ 11.q7 passed — 1/1 points"
    assert "exactly" in failure("11.q7", {"backends_agree": lambda r, t: agree(r, t, strict=True)})
    assert "failed" in failure("11.q7", {"backends_agree": lambda r, t: agree(r, t, skip_failed=True)})
    assert "True or False" in failure("11.q7", {"backends_agree": lambda r, t: "yes"})
    assert "True or False" in failure("11.q7", {"backends_agree": lambda r, t: 1})


from answer_fixtures import fixture_tests  # noqa: E402
from answers.lesson11 import ANSWERS  # noqa: E402

# 11.q2 to 11.q7 only read what earlier answers made: the solution's cells before each of them
# (the stream, the speed measurement, 11.q6's run on both backends) run once for all its answers.
test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell = \
    fixture_tests("11", ANSWERS, share_prefix=("11.q2", "11.q3", "11.q4", "11.q5", "11.q6", "11.q7"))
