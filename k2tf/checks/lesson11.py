"""Checks for exercise 11 (Keras vs TensorFlow, measured)."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from . import Answers, Fail, question
from .expect import as_array, as_number, is_instance


@question("11.q1", points=3,
          checks="make_stream streams batches from a generator, lazily (a billion batches cost "
                 "nothing until read), reproducibly per seed, with y the sum of each row of x")
def _q1(answers: Answers) -> None:
    import tensorflow as tf

    start = time.perf_counter()
    huge = answers.call("make_stream", 10**9, 4, 3, 7)
    if time.perf_counter() - start > 5:
        raise Fail("make_stream(10**9, ...) took seconds before yielding anything: it builds the "
                   "data up front.", "make each batch in a generator, only when it is asked for.")
    is_instance(huge, tf.data.Dataset, "make_stream(...)", "a tf.data.Dataset",
                hint="look at tf.data.Dataset.from_generator.")
    if int(huge.cardinality()) >= 0:
        raise Fail(f"the dataset knows its size ({int(huge.cardinality())} batches): it was built "
                   "from data held in memory, not streamed.", "use tf.data.Dataset.from_generator.")
    first = list(huge.take(3))
    for x, y in first:
        xa, ya = as_array(x, "a batch of x"), as_array(y, "a batch of y")
        if xa.shape != (4, 3) or ya.shape not in ((4,), (4, 1)):
            raise Fail(f"make_stream(n, 4, 3, seed) gives batches x {xa.shape}, y {ya.shape}; "
                       "x (4, 3) and y (4,) were expected.")
        if not np.allclose(ya.reshape(-1), xa.sum(axis=1), atol=1e-4):
            raise Fail("y is not the sum of each row of x.")
    again = [as_array(x, "x") for x, _ in answers.call("make_stream", 5, 4, 3, 7)]
    if len(again) != 5:
        raise Fail(f"make_stream(5, 4, 3, seed) gave {len(again)} batches; 5 were expected.")
    if not np.allclose(again[0], as_array(first[0][0], "x")):
        raise Fail("the same seed gave different data.", "seed a NumPy generator inside the "
                   "generator function, so each pass starts from the same seed.")
    other = as_array(next(iter(answers.call("make_stream", 5, 4, 3, 8)))[0], "x")
    if np.allclose(other, again[0]):
        raise Fail("different seeds gave the same data.", "use the `seed` argument.")
    repeat = [as_array(x, "x") for x, _ in answers.call("make_stream", 5, 4, 3, 7)]
    if not all(np.allclose(a, b) for a, b in zip(again, repeat)) or np.allclose(again[0], again[1]):
        raise Fail("the batches are not a fresh random sequence per stream.",
                   "draw each batch from the same seeded generator, one after the other.")


@question("11.q2", points=3,
          checks="steps_per_second calls the step on every batch, leaves the warm-up calls out of "
                 "the timing, and returns timed steps per second")
def _q2(answers: Answers) -> None:
    calls = []

    def step(batch):
        calls.append(batch)
        time.sleep(0.25 if len(calls) == 1 else 0.01)  # the first call traces: slow

    batches = [("batch", i) for i in range(11)]
    result = as_number(answers.call("steps_per_second", step, batches, 1), "steps_per_second(...)")
    if calls != batches:
        raise Fail(f"the step was called {len(calls)} times for {len(batches)} batches, or not "
                   "with the batches in order.", "call `step(batch)` once for each batch.")
    if result < 40:
        raise Fail(f"steps_per_second returned {result:.1f} for a step that takes 10 ms after a "
                   "slow first call: the warm-up call seems to be timed.",
                   "start the clock after the first `warmup` calls, and count only the steps after it.")
    if result > 110:
        raise Fail(f"steps_per_second returned {result:.1f} for a step that takes 10 ms: about 100 "
                   "(less on a busy machine) was expected.",
                   "divide the number of timed steps by the seconds they took.")


def _read_scalars(folder: str) -> dict[int, float]:
    import tensorflow as tf
    from tensorflow.core.util import event_pb2

    values = {}
    for path in tf.io.gfile.glob(os.path.join(folder, "**", "*tfevents*")) + \
            tf.io.gfile.glob(os.path.join(folder, "*tfevents*")):
        for record in tf.data.TFRecordDataset(path):
            event = event_pb2.Event.FromString(record.numpy())
            for value in event.summary.value:
                if value.tag == "loss":
                    values[event.step] = float(tf.make_ndarray(value.tensor))
    return values


@question("11.q3", points=2,
          checks="log_losses writes each loss as the scalar 'loss' at its step, in TensorBoard "
                 "event files under the given folder")
def _q3(answers: Answers) -> None:
    losses = np.round(np.random.default_rng(113).uniform(0.1, 3.0, size=6), 4).tolist()
    with tempfile.TemporaryDirectory() as folder:
        answers.call("log_losses", folder, losses)
        logged = _read_scalars(folder)
    if not logged:
        raise Fail("no scalar named 'loss' was found in event files under the folder.",
                   "create a writer with tf.summary.create_file_writer(folder) and log with "
                   "tf.summary.scalar('loss', ...) inside `with writer.as_default():`.")
    expected = dict(enumerate(losses))
    if sorted(logged) != sorted(expected):
        raise Fail(f"losses were logged at steps {sorted(logged)}; steps 0 to {len(losses) - 1} "
                   "were expected.", "pass `step=` to tf.summary.scalar.")
    if not all(abs(logged[k] - expected[k]) < 1e-4 for k in expected):
        raise Fail("the logged values are not the losses given, at their steps.")


@question("11.q4", points=2,
          checks="backend_command gives a command and environment that run code in a new Python "
                 "process under the chosen Keras backend, without changing this kernel")
def _q4(answers: Answers) -> None:
    before = dict(os.environ)
    token = f"run-{np.random.default_rng(114).integers(10**6)}"
    result = answers.call("backend_command", "numpy",
                          f"import os; print('{token}', os.environ['KERAS_BACKEND'])")
    if dict(os.environ) != before:
        os.environ.clear()
        os.environ.update(before)
        raise Fail("backend_command changed this kernel's environment.",
                   "build a new dict for the child process: {**os.environ, ...}.")
    if not (isinstance(result, tuple) and len(result) == 2):
        raise Fail("backend_command should return a pair (command, env).")
    command, env = result
    if not (isinstance(command, list) and all(isinstance(c, str) for c in command)):
        raise Fail("the command should be a list of strings, like [sys.executable, '-c', code].")
    if not isinstance(env, dict) or env.get("KERAS_BACKEND") != "numpy":
        raise Fail("the environment does not set KERAS_BACKEND to the backend asked for.")
    if env.get("PATH") != os.environ.get("PATH"):
        raise Fail("the environment lost this kernel's variables (PATH, for example).",
                   "start from a copy of os.environ.")
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise Fail(f"running the command failed: {type(error).__name__}.") from None
    if done.returncode != 0 or done.stdout.strip() != f"{token} numpy":
        raise Fail("running the command did not run the given code with the backend set "
                   f"(it printed {done.stdout.strip()[:60]!r}).",
                   "run the code with this kernel's Python: [sys.executable, '-c', code].")
    if command[0] != sys.executable:
        raise Fail("the command does not use this kernel's Python (sys.executable).")


@question("11.q5", points=2,
          checks="ana describes Ana's situation field by field, and ana_advice is the guide's "
                 "recommendation for it")
def _q5(answers: Answers) -> None:
    from ..decision_guide import Recommendation, Situation, recommend

    ana = answers["ana"]
    is_instance(ana, Situation, "ana", "a k2tf.decision_guide.Situation")
    wrong = [name for name, value in (("role", "researcher"), ("first_week_with_python", False),
                                      ("needs_custom_loss", True), ("needs_custom_loop", False),
                                      ("needs_several_devices", True))
             if getattr(ana, name) != value]
    if wrong:
        raise Fail(f"`ana` does not match Ana's description in: {', '.join(wrong)}.",
                   "read the description again, one field of Situation at a time.")
    advice = answers["ana_advice"]
    is_instance(advice, Recommendation, "ana_advice", "what recommend(...) returns")
    expected = recommend(Situation(**{f: getattr(ana, f) for f in ana.__dataclass_fields__}))
    # compared field by field, each of the same plain type (inside the grader `expected` is
    # the checker's private class, so the dataclasses' own == would never hold)
    given, wanted = dataclasses.astuple(advice), dataclasses.astuple(expected)
    if len(given) != len(wanted) or not all(type(a) is type(b) and b == a for a, b in zip(given, wanted)):
        raise Fail("`ana_advice` is not the guide's recommendation for `ana`.",
                   "call recommend with Ana's situation.")
