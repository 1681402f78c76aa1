"""Checks for exercise 11 (Keras vs TensorFlow, measured)."""
from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

from . import Answers, Fail, first_line, question
from .expect import as_array, as_number, is_instance


# 11.q1 ---------------------------------------------------------------------------------------

def _stream(answers: Answers, n_batches: int, batch_size: int, features: int, seed: int):
    import tensorflow as tf

    call = f"make_stream({n_batches}, {batch_size}, {features}, {seed})"
    dataset = answers.call("make_stream", n_batches, batch_size, features, seed)
    is_instance(dataset, tf.data.Dataset, call, "a tf.data.Dataset",
                hint="the lesson streams batches with tf.data.Dataset.from_generator.")
    return dataset, call


def _read(dataset, call: str, most: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Up to ``most`` + 1 batches of ``dataset`` as float arrays, checked to be float32 pairs."""
    try:
        elements = list(dataset.take(most + 1))
    except Exception as error:  # noqa: BLE001 (the student's generator failed: say how)
        text = str(error).strip()
        raise Fail(f"reading {call} raised {type(error).__name__}: "
                   f"{text.splitlines()[0][:200] if text else ''}",
                   "iterate over your dataset in a cell of its own to see where it fails.") from None
    batches = []
    for element in elements:
        if not (isinstance(element, (tuple, list)) and len(element) == 2):
            raise Fail(f"{call} gives elements that are not pairs (x, y).",
                       "yield `x, y` from the generator.")
        for value, name in zip(element, ("x", "y")):
            dtype = getattr(value, "dtype", None)
            if dtype is None or getattr(dtype, "name", str(dtype)) != "float32":
                raise Fail(f"{call} gives {name} of type {getattr(dtype, 'name', dtype)}; float32 "
                           "was expected.", "declare float32 in the dataset's signature.")
        try:
            batches.append((as_array(element[0], "a batch of x"),
                            as_array(element[1], "a batch of y")))
        except Fail as failure:
            raise Fail(failure.problem, "yield NumPy arrays of numbers.") from None
    return batches


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(np.array_equal(x1, x2) and np.array_equal(y1, y2)
                                    for (x1, y1), (x2, y2) in zip(a, b))


@question("11.q1", points=3,
          checks="make_stream streams n_batches batches (x, y) from a generator, lazily (a billion "
                 "batches cost nothing until read), normal x reproducible per seed and per pass, y "
                 "the sum of each row of x, both float32",
          defines=("make_stream",),
          fixed="make_stream(n_batches, batch_size, features, seed) returns a tf.data.Dataset of "
                "n_batches pairs: x (batch_size, features) normal from a NumPy generator seeded "
                "with seed, y (batch_size,) the row sums, float32; every pass the same; lazy.",
          verifies=("make_stream(5, 4, 3, 7) gives exactly 5 pairs: float32 x (4, 3), y (4,) the "
                    "row sums of x",
                    "a second pass, and a second call with seed 7, give the same batches",
                    "consecutive batches differ; seed 8 gives other batches, not seed 7's shifted "
                    "by one",
                    "5,120 draws have a mean near 0 and a standard deviation near 1",
                    "a million-batch stream allocates next to no memory before its first batch",
                    "make_stream(10**9, ...) returns and gives its first batches in seconds, and "
                    "does not claim another size than 10**9"))
def _q1(answers: Answers) -> None:
    import tensorflow as tf

    small, call = _stream(answers, 5, 4, 3, 7)
    first = _read(small, call, 5)
    if len(first) != 5:
        raise Fail(f"{call} gave {'more than 5' if len(first) > 5 else len(first)} batches; "
                   "5 were expected.", "yield exactly `n_batches` batches.")
    for x, y in first:
        if x.shape != (4, 3) or y.shape != (4,):
            raise Fail(f"{call} gives batches x {x.shape}, y {y.shape}; x (4, 3) and y (4,) "
                       "were expected.", "y holds one number per row of x: a vector.")
        if not np.allclose(y, x.sum(axis=1), atol=1e-4):
            raise Fail("y is not the sum of each row of x.", "sum x over its features.")
    if not _same(_read(small, call, 5), first):
        raise Fail(f"a second pass over the same dataset ({call}) gave other batches: every "
                   "epoch would see other data.",
                   "create the seeded NumPy generator inside the generator function, so that "
                   "each pass starts from the seed.")
    again, _ = _stream(answers, 5, 4, 3, 7)
    if not _same(_read(again, call, 5), first):
        raise Fail("the same seed gave different data.",
                   "seed a NumPy generator with `seed` inside the generator function.")
    if any(np.array_equal(a[0], b[0]) for a, b in zip(first, first[1:])):
        raise Fail("every batch is the same: the stream does not go on from batch to batch.",
                   "seed the NumPy generator once per pass, then draw each batch from it.")
    other_stream, other_call = _stream(answers, 5, 4, 3, 8)
    other = _read(other_stream, other_call, 5)
    if other and np.array_equal(other[0][0], first[0][0]):
        raise Fail("different seeds gave the same data.", "use the `seed` argument.")
    if other and np.array_equal(other[0][0], first[1][0]):
        raise Fail("the batches of seed 8 are those of seed 7, one batch later: the stream makes "
                   "a new NumPy generator for every batch.",
                   "seed one NumPy generator with `seed`, and draw every batch from it.")
    sample_stream, sample_call = _stream(answers, 40, 16, 8, 11)
    draws = np.concatenate([x.ravel() for x, _ in _read(sample_stream, sample_call, 40)])
    if draws.size < 2 or abs(draws.mean()) > 0.1 or not 0.9 < draws.std() < 1.1:
        raise Fail(f"x does not look drawn from a normal distribution: {draws.size} draws have "
                   f"mean {draws.mean():.2f} and standard deviation {draws.std():.2f} (0 and 1 "
                   "were expected).", "draw x with the NumPy generator's `normal`.")

    # Laziness. A million batches made up front would take at least 46 MB: measured with
    # tracemalloc before the billion-batch call, which such an answer would never finish.
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    try:
        million, million_call = _stream(answers, 10**6, 4, 3, 7)
        _read(million, million_call, 0)
        peak_mb = (tracemalloc.get_traced_memory()[1] - base) / 2**20
    finally:
        if not tracing:
            tracemalloc.stop()
    if peak_mb > 16:
        raise Fail(f"make_stream(10**6, 4, 3, 7) took {peak_mb:.0f} MB of memory before its first "
                   "batch: it makes the data all at once.",
                   "make each batch in a generator, only when it is asked for.")
    start = time.perf_counter()
    huge, huge_call = _stream(answers, 10**9, 4, 3, 7)
    head = _read(huge, huge_call, 2)
    if time.perf_counter() - start > 10:
        raise Fail(f"{huge_call} took seconds before its first batches: it builds the data up "
                   "front.", "make each batch in a generator, only when it is asked for.")
    size = int(huge.cardinality())
    if size == int(tf.data.INFINITE_CARDINALITY) or (size >= 0 and size != 10**9):
        raise Fail(f"{huge_call} has {'endless' if size < 0 else size} batches; 10**9 were "
                   "expected.", "yield exactly `n_batches` batches, made by a generator.")
    if len(head) != 3 or not np.array_equal(head[0][0], first[0][0]):
        raise Fail(f"{huge_call} does not start with the batches of {call}.",
                   "the number of batches should not change the stream.")


# 11.q2 ---------------------------------------------------------------------------------------

@question("11.q2", points=3,
          checks="steps_per_second calls the step on every batch, leaves the warm-up calls out of "
                 "the timing and out of the count, and returns timed steps per second",
          defines=("steps_per_second",),
          fixed="steps_per_second(step, batches, warmup) calls step(batch) once per batch, in "
                "order; the first warmup calls untimed; returns timed steps / seconds they took.",
          verifies=("step is called once for each of 11 batches, in order",
                    "with 3 slow warm-up calls and 8 timed ones of unequal length, the result is "
                    "at most the 8 timed steps over the time the step itself took in them",
                    "and at least 8 over the time from the end of the warm-up to the return"))
def _q2(answers: Answers) -> None:
    warmup = 3
    seconds = [0.05] * warmup + [0.002, 0.002, 0.002, 0.014] * 2  # warm-up calls trace: slow
    timed = len(seconds) - warmup
    batches = [("batch", i) for i in range(len(seconds))]
    calls, spans = [], []

    def step(batch):
        enter = time.perf_counter()
        calls.append(batch)
        time.sleep(seconds[min(len(calls), len(seconds)) - 1])
        spans.append((enter, time.perf_counter()))

    result = answers.call("steps_per_second", step, batches, warmup)
    try:
        result = as_number(result, "steps_per_second(...)")
    except Fail as failure:
        raise Fail(failure.problem, "return one number: the timed steps per second.") from None
    returned = time.perf_counter()
    if calls != batches:
        raise Fail(f"the step was called {len(calls)} times for {len(batches)} batches, or not "
                   "with the batches in order.",
                   "call `step(batch)` once for each batch, the warm-up batches included.")
    busy = sum(end - enter for enter, end in spans[warmup:])  # the timed steps themselves
    since_warmup = returned - spans[warmup - 1][1]  # from the last warm-up call to the return
    most, least = timed / busy, timed / since_warmup
    if result > 1.03 * most:
        raise Fail(f"steps_per_second returned {result:.1f}, but the {timed} timed steps ran at "
                   f"{most:.1f} steps per second at most: the warm-up steps seem counted, or "
                   "the seconds are not the time that passed.",
                   "divide the number of timed steps (all but the warm-up ones) by the seconds "
                   "they took, measured with time.perf_counter().")
    if result < 0.97 * least:
        raise Fail(f"steps_per_second returned {result:.1f}, but the {timed} timed steps ran at "
                   f"{least:.1f} steps per second at least: the warm-up calls seem timed, or the "
                   "result is not steps per second.",
                   "start the clock after the first `warmup` calls, and divide the number of "
                   "timed steps by the seconds they took.")


# 11.q3 ---------------------------------------------------------------------------------------

def _read_summaries(folder: str) -> tuple[dict[int, float], set[str], list[str]]:
    """The scalars tagged 'loss' by step, every tag seen, and the kinds 'loss' was written as."""
    import tensorflow as tf
    from tensorflow.core.util import event_pb2

    values, tags, kinds = {}, set(), []
    for root, _, files in os.walk(folder):
        for name in sorted(files):
            if "tfevents" not in name:
                continue
            for record in tf.data.TFRecordDataset(os.path.join(root, name)):
                event = event_pb2.Event.FromString(record.numpy())
                for value in event.summary.value:
                    tags.add(value.tag)
                    if value.tag != "loss":
                        continue
                    kind = value.WhichOneof("value")
                    plugin = value.metadata.plugin_data.plugin_name
                    if kind == "simple_value":
                        values[event.step] = float(value.simple_value)
                    elif kind == "tensor" and plugin in ("scalars", ""):
                        array = tf.make_ndarray(value.tensor)
                        if array.size == 1 and array.dtype.kind == "f":
                            values[event.step] = float(array.reshape(()))
                        else:
                            kinds.append(plugin or "tensor")
                    else:
                        kinds.append(plugin or kind)
    return values, tags, kinds


@question("11.q3", points=2,
          checks="log_losses writes each loss as the scalar 'loss' at its step, in TensorBoard "
                 "event files under the given folder",
          defines=("log_losses",),
          fixed="log_losses(folder, losses) writes the scalar 'loss' = losses[i] at step i to "
                "TensorBoard event files under folder (subfolders allowed).",
          verifies=("event files under the folder (at any depth) hold scalars tagged 'loss'",
                    "at exactly the steps 0 to 5 for 6 random losses",
                    "with the given values"))
def _q3(answers: Answers) -> None:
    losses = np.round(np.random.default_rng(113).uniform(0.1, 3.0, size=6), 4).tolist()
    with tempfile.TemporaryDirectory() as folder:
        answers.call("log_losses", folder, list(losses))
        logged, tags, kinds = _read_summaries(folder)
    if not logged:
        if kinds:
            raise Fail(f"'loss' was written as a {kinds[0]} summary, not as a scalar.",
                       "log each value with tf.summary.scalar.")
        seen = f" (found the tags {sorted(tags)})" if tags else ""
        raise Fail(f"no scalar named 'loss' was found in event files under the folder{seen}.",
                   "create a writer with tf.summary.create_file_writer(folder) and log with "
                   "tf.summary.scalar('loss', ...) inside `with writer.as_default():`.")
    expected = dict(enumerate(losses))
    if sorted(logged) != sorted(expected):
        raise Fail(f"losses were logged at steps {sorted(logged)}; steps 0 to {len(losses) - 1} "
                   "were expected.", "pass `step=` to tf.summary.scalar: losses[i] at step i.")
    if not all(abs(logged[k] - expected[k]) < 1e-4 for k in expected):
        raise Fail("the logged values are not the losses given, at their steps.",
                   "log losses[i] itself at step i.")


# 11.q4 ---------------------------------------------------------------------------------------

@question("11.q4", points=2,
          checks="backend_command gives a command and environment that run code in a new Python "
                 "process under the chosen Keras backend, without changing this kernel",
          defines=("backend_command",),
          fixed="backend_command(backend, code) returns a pair (command, env) for "
                "subprocess.run(command, env=env): this kernel's Python runs code; env is this "
                "kernel's environment with KERAS_BACKEND=backend; os.environ unchanged.",
          verifies=("os.environ is the same after the call (with KERAS_BACKEND set there to "
                    "'tensorflow' during the check)",
                    "the result is a pair; the command a list or tuple of strings",
                    "env sets KERAS_BACKEND to the backend asked for ('numpy', then 'jax') and "
                    "keeps every other variable of this kernel",
                    "running it (with a PATH that leads to no Python) executes a three-line "
                    "program with both kinds of quotes, prints the backend, and runs in this "
                    "kernel's Python environment (sys.prefix)"))
def _q4(answers: Answers) -> None:
    original = dict(os.environ)
    # A kernel may have a backend of its own: the child's must still be the one asked for.
    os.environ["KERAS_BACKEND"] = "tensorflow"
    kernel_env = dict(os.environ)
    token = f"run-{np.random.default_rng(114).integers(10**6)}"
    code = (f'import os, sys\nprint("{token}", os.environ["KERAS_BACKEND"])\n'
            "print('prefix', sys.prefix)")
    try:
        results = [(backend, answers.call("backend_command", backend, code))
                   for backend in ("numpy", "jax")]
        changed = dict(os.environ) != kernel_env
    finally:
        os.environ.clear()
        os.environ.update(original)
    if changed:
        raise Fail("backend_command changed this kernel's environment.",
                   "build a new dict for the child process: {**os.environ, ...}.")
    for backend, result in results:
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise Fail("backend_command should return a pair (command, env).",
                       "return two values: `return command, env`.")
        command, env = result
        if not (isinstance(command, (list, tuple)) and command
                and all(isinstance(c, str) for c in command)):
            raise Fail("the command should be a list (or tuple) of strings, like "
                       "[sys.executable, '-c', code].",
                       "subprocess.run takes the program and its arguments as a list.")
        if not hasattr(env, "get") or env.get("KERAS_BACKEND") != backend:
            raise Fail(f"for backend {backend!r}, the environment sets KERAS_BACKEND to "
                       f"{env.get('KERAS_BACKEND') if hasattr(env, 'get') else None!r}.",
                       "set KERAS_BACKEND to the `backend` asked for.")
        lost = sorted((k for k, v in kernel_env.items() if k != "KERAS_BACKEND" and env.get(k) != v),
                      key=lambda k: (k not in ("PATH", "HOME"), k))
        if lost:
            raise Fail(f"the environment lost or changed this kernel's variables "
                       f"({', '.join(lost[:3])}{', …' if len(lost) > 3 else ''}).",
                       "start from a copy of os.environ.")
    command, env = results[0][1]
    with tempfile.TemporaryDirectory() as folder:
        # PATH leads to no Python here: only the kernel's own interpreter may run the code,
        # not whichever `python` the PATH of this machine happens to find first.
        try:
            done = subprocess.run(list(command), env={**env, "PATH": folder}, capture_output=True,
                                  text=True, timeout=60, cwd=folder)
        except (OSError, ValueError, TypeError, subprocess.TimeoutExpired) as error:
            raise Fail(f"running the command failed: {type(error).__name__}.",
                       "start the command with the path of this kernel's own Python (not a name "
                       "looked up on the PATH), and try `subprocess.run(command, env=env)` in a "
                       "cell of its own.") from None
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or lines[:1] != [f"{token} numpy"]:
        raise Fail("running the command did not run the given code with the backend set "
                   f"(it printed {done.stdout.strip()[:60]!r}).",
                   "pass the code itself to Python: [sys.executable, '-c', code].")
    if lines[1:2] != [f"prefix {sys.prefix}"]:
        raise Fail("the command runs another Python than this kernel's (another environment, "
                   "without this kernel's packages).",
                   "use the path of this kernel's own Python, which the sys module knows.")


# 11.q5 ---------------------------------------------------------------------------------------

@question("11.q5", points=2,
          checks="ana describes Ana's situation field by field, and ana_advice is the guide's "
                 "recommendation for it",
          defines=("ana", "ana_advice"),
          fixed="ana is a k2tf.decision_guide.Situation for Ana's description; ana_advice is "
                "the Recommendation the guide gives for it.",
          verifies=("ana is a Situation",
                    "its fields: researcher, not first week, custom loss, no custom loop, "
                    "several devices",
                    "ana_advice is a Recommendation equal, field by field, to recommend(ana)"))
def _q5(answers: Answers) -> None:
    from ..decision_guide import Recommendation, Situation, recommend

    ana = answers["ana"]
    is_instance(ana, Situation, "ana", "a k2tf.decision_guide.Situation",
                hint="create it with Situation(...), as the lesson does.")
    wrong = [name for name, value in (("role", "researcher"), ("first_week_with_python", False),
                                      ("needs_custom_loss", True), ("needs_custom_loop", False),
                                      ("needs_several_devices", True))
             if getattr(ana, name) != value]
    if wrong:
        raise Fail(f"`ana` does not match Ana's description in: {', '.join(wrong)}.",
                   "read the description again, one field of Situation at a time.")
    advice = answers["ana_advice"]
    is_instance(advice, Recommendation, "ana_advice", "what recommend(...) returns",
                hint="keep the whole recommendation, not only its text.")
    expected = recommend(Situation(**{f: getattr(ana, f) for f in ana.__dataclass_fields__}))
    # compared field by field, each of the same plain type (inside the grader `expected` is
    # the checker's private class, so the dataclasses' own == would never hold)
    given, wanted = dataclasses.astuple(advice), dataclasses.astuple(expected)
    if len(given) != len(wanted) or not all(type(a) is type(b) and b == a for a, b in zip(given, wanted)):
        raise Fail("`ana_advice` is not the guide's recommendation for `ana`.",
                   "call recommend with Ana's situation.")


# 11.q6 ---------------------------------------------------------------------------------------

#: What 11.q6 asks of build_model after run_both's 6 epochs (batch 32, seed 0), measured with
#: Keras 3.15, TF 2.21, JAX 0.10 on 2 CPU cores, seeds 0-2, accuracy on tensorflow / jax:
#: honest models pass with margin: the lesson's Dense(32, relu) + softmax with Adam 87.4/85.9 %
#: at seed 0 (85.5-89.2 % over seeds), Dense(64) 89.6-91.1 %, two ReLU layers 92.6-94.1 %,
#: Dense(64, tanh) with RMSprop 89.2-91.8 %, SGD(0.1) 88.1-90.7 %; their gaps 0-2.2 points at
#: seed 0 (4.4 at most over seeds). Weak or wrong models fail: no hidden layer 79.6/81.4 %, a
#: 16-unit layer 74.3-84.8 %, a softmax fed to a from_logits=True loss 87.4/75.1 % (TensorFlow's
#: Keras undoes the softmax, JAX's does not), raw scores without from_logits 5.9-14.9 %.
ACCURACY_NEEDED = 0.82
AGREEMENT_TOLERANCE = 0.06


def _error_line(run) -> str:
    """The exception a failed run stopped with: its log's last exception line, else its error."""
    from ..backends import exception_line

    text = exception_line(run.log or "") or run.error or "it stopped without a message"
    return text if len(text) <= 240 else text[:237] + "…"


def _failure_hint(backend: str, error: str, source: str, other_ok: bool) -> str:
    mentions_tf = re.search(r"\btf\.|\btensorflow\b", source) is not None
    if error.startswith("NameError"):
        name = re.search(r"name '([^']+)'", error)
        name = f"`{name[1]}`" if name else "it"
        return (f"each backend runs only the source of build_model, in a new Python process that "
                f"has `keras` and `np` and nothing else from this notebook: import or define "
                f"{name} inside build_model.")
    if "not a Keras model" in error:
        return "build_model should return the compiled Keras model it builds."
    if "compile()" in error or "must call `compile" in error:
        return "call model.compile(...) inside build_model, before you return the model."
    if error.startswith(("ModuleNotFoundError", "ImportError")):
        return "use only keras (keras.layers, keras.ops, …) and np, which every backend has."
    if error.startswith("did not finish"):
        return "keep the model small: a few dense layers train on the digits in seconds."
    if backend != "tensorflow" and other_ok:
        return ("it runs on TensorFlow only: " if not mentions_tf else
                "it calls TensorFlow (`tf.…`), which works on TensorFlow only: ") + \
            ("use keras.ops (keras.ops.relu, keras.ops.sum, …), keras.activations or "
             "keras.layers, which run on every backend.")
    if mentions_tf:
        return ("use keras.ops, keras.activations and keras.layers instead of tf.… calls: they "
                "run on every backend.")
    return ("run `runs = run_both(build_model)` in a cell: `runs[backend].log` holds what the "
            "failed process printed.")


def _accuracy_hint(source: str) -> str:
    compact = re.sub(r"\s+", "", source)
    softmax = "softmax" in compact
    if "from_logits=True" in compact and softmax:
        return ("a loss with from_logits=True expects raw scores (logits), but the model ends in "
                "a softmax: TensorFlow's Keras quietly undoes that softmax, JAX's does not. End "
                "the model with Dense(10) for from_logits=True, or keep the softmax and a loss "
                "without it.")
    if not softmax and "from_logits=True" not in compact:
        return ("if the last layer gives raw scores (no softmax), the loss needs "
                "from_logits=True; otherwise end with a softmax.")
    return ("in 6 epochs it has to learn faster: a hidden layer of 32 units or more with a ReLU, or "
            "keras.optimizers.Adam(learning_rate=0.01).")


@question("11.q6", points=2,
          checks="build_model builds a compiled Keras model that trains on the digits unchanged "
                 "under the TensorFlow and the JAX backend, each in a process of its own, to "
                 f"{ACCURACY_NEEDED:.0%} test accuracy or more, the two within "
                 f"{AGREEMENT_TOLERANCE:.0%} of each other",
          defines=("build_model",),
          fixed="build_model() takes no argument and returns a compiled Keras model for 64 "
                "features and integer labels 0-9; it uses only keras and np, with everything "
                "else it needs imported or defined inside it (each backend's process gets only "
                "its source).",
          verifies=("build_model is a function whose source can be read (written with def in a "
                    "cell)",
                    "run_both trains it (6 epochs, batch 32, seed 0) under TensorFlow and under "
                    "JAX, each in a new process: both runs finish (the failing backend and its "
                    "error are named)",
                    f"test accuracy at least {ACCURACY_NEEDED:.0%} on each backend",
                    f"the two accuracies differ by at most {AGREEMENT_TOLERANCE:.0%}"))
def _q6(answers: Answers) -> None:
    from ..backends import BACKENDS, run_both, source_of

    build_model = answers["build_model"]
    if not callable(build_model):
        raise Fail(f"`build_model` should be a function, but it is a {type(build_model).__name__}.",
                   "write `def build_model():` that builds, compiles and returns the model.")
    try:
        source = source_of(build_model)
    except ValueError:
        raise Fail("the source of `build_model` cannot be read, and each backend's process "
                   "needs it.", "write it with `def build_model():` in a code cell, not as a "
                   "lambda, a partial or a model object.") from None
    try:
        runs = run_both(source, BACKENDS, timeout=150)
    except Exception as error:  # noqa: BLE001 (no child could start: say so, don't crash)
        raise Fail(f"the backends' processes could not start: {type(error).__name__}: "
                   f"{first_line(error)}", "run this check again; if it fails again, ask your "
                   "instructor.") from None
    for backend in BACKENDS:
        run = runs[backend]
        if not run.ok:
            error = _error_line(run)
            others = [r for b, r in runs.items() if b != backend]
            other_ok = bool(others) and all(r.ok for r in others)
            where = (f"on the {backend} backend only" if other_ok else f"on the {backend} backend")
            raise Fail(f"build_model failed {where}: {error}",
                       _failure_hint(backend, error, source, other_ok))
    accuracies = {backend: runs[backend].accuracy for backend in BACKENDS}
    if any(not isinstance(a, float) or not np.isfinite(a) for a in accuracies.values()):
        raise Fail(f"the runs reported no test accuracy ({accuracies}).",
                   "compile the model with metrics=['accuracy'] and a loss for integer labels.")
    shown = ", ".join(f"{a:.1%} on {b}" for b, a in accuracies.items())
    low = [b for b, a in accuracies.items() if a < ACCURACY_NEEDED]
    if low:
        raise Fail(f"after 6 epochs the test accuracy is {shown}; at least "
                   f"{ACCURACY_NEEDED:.0%} is needed on each backend.",
                   _accuracy_hint(source))
    gap = max(accuracies.values()) - min(accuracies.values())
    if gap > AGREEMENT_TOLERANCE:
        raise Fail(f"the backends do not agree: test accuracy {shown}, a gap of {gap:.1%} (at "
                   f"most {AGREEMENT_TOLERANCE:.0%} was expected).",
                   "the same model should learn as well on both; a large gap means it depends on "
                   "its random start: " + _accuracy_hint(source))


# 11.q7 ---------------------------------------------------------------------------------------

def _runs(*accuracies, failed: tuple[str, ...] = ()) -> dict:
    from ..backends import BackendRun

    names = ("tensorflow", "jax", "torch")
    runs = {name: BackendRun(name, accuracy, (0.1, 0.1), 0.5, 1000)
            for name, accuracy in zip(names, accuracies)}
    for name in failed:
        runs[name] = BackendRun(name, error="NameError: name 'HIDDEN' is not defined")
    return runs


@question("11.q7", points=1,
          checks="backends_agree(runs, tolerance) is True exactly when every run succeeded and "
                 "the largest gap between their test accuracies is at most tolerance",
          defines=("backends_agree",),
          fixed="backends_agree(runs, tolerance) takes a dict backend → BackendRun (at least one "
                "run) and returns a bool: True when no run failed (error is None) and "
                "max accuracy − min accuracy ≤ tolerance.",
          verifies=("two runs inside, exactly at, and over the tolerance (0.0625, 0.25, 0): "
                    "True, True, False",
                    "three runs: the gap between the highest and the lowest counts, whatever "
                    "their order, not the gap between the first two",
                    "a run that failed (accuracy None, error set) gives False without raising, "
                    "also when the other runs agree",
                    "a single successful run gives True; a single failed one False",
                    "the result is a bool (True or False), not a number"))
def _q7(answers: Answers) -> None:
    probes = [  # binary fractions: a gap "exactly at" the tolerance is exact in floats
        ("two runs 0.875 and 0.85, tolerance 0.0625", _runs(0.875, 0.85), 0.0625, True),
        ("two runs 0.75 and 0.875, tolerance 0.0625", _runs(0.75, 0.875), 0.0625, False),
        ("two runs 0.75 and 0.875, tolerance 0.25", _runs(0.75, 0.875), 0.25, True),
        ("two runs 0.875 and 0.8125, tolerance 0.0625 (a gap of exactly 0.0625)",
         _runs(0.875, 0.8125), 0.0625, True),
        ("two equal runs 0.9 and 0.9, tolerance 0 (a gap of exactly 0)", _runs(0.9, 0.9), 0.0,
         True),
        ("two runs 0.9 and 0.875, tolerance 0", _runs(0.9, 0.875), 0.0, False),
        ("three runs 0.875, 0.875 and 0.75, tolerance 0.0625", _runs(0.875, 0.875, 0.75), 0.0625,
         False),
        ("three runs 0.75, 0.8125 and 0.875, tolerance 0.0625 (each neighbour within it)",
         _runs(0.75, 0.8125, 0.875), 0.0625, False),
        ("three runs 0.75, 0.8125 and 0.875, tolerance 0.125", _runs(0.75, 0.8125, 0.875), 0.125,
         True),
        ("two runs, jax failed (accuracy None), tolerance 0.0625",
         _runs(0.875, failed=("jax",)), 0.0625, False),
        ("three runs, two at 0.875 and tensorflow failed, tolerance 0.0625",
         {**_runs(0.5, 0.875, 0.875), **_runs(failed=("tensorflow",))}, 0.0625, False),
        ("one run 0.875, tolerance 0.0625", _runs(0.875), 0.0625, True),
        ("one run that failed, tolerance 0.0625", _runs(failed=("tensorflow",)), 0.0625, False),
    ]
    for what, runs, tolerance, expected in probes:
        try:
            result = answers.call("backends_agree", dict(runs), tolerance)
        except Fail as failure:
            if "failed" not in what:
                raise
            raise Fail(f"{failure.problem} (for {what})",
                       "a failed run has no accuracy (None) and its error set: look at run.ok "
                       "(or run.error) before you read run.accuracy.") from None
        if type(result) not in (bool, np.bool_):
            raise Fail(f"backends_agree returned a {type(result).__name__} for {what}; True or "
                       "False was expected.",
                       "return the comparison itself, e.g. `return gap <= tolerance`.")
        if bool(result) != expected:
            if "failed" in what:
                hint = ("a failed run has error set (run.ok is False) and no accuracy: the runs "
                        "agree only if none failed.")
            elif "three" in what:
                hint = ("compare the highest accuracy with the lowest, over all the runs, not "
                        "the first two or neighbours.")
            elif "exactly" in what:
                hint = "a gap equal to the tolerance still agrees: at most, not less than."
            else:
                hint = "use the `tolerance` given, and the gap between the accuracies."
            raise Fail(f"backends_agree returned {bool(result)} for {what}; {expected} was "
                       "expected.", hint)
