"""Checks for exercise 06 (graphs and tf.function)."""
from __future__ import annotations

import statistics
import time

import numpy as np

from . import Answers, Fail, NotAnswered, first_line, question
from .expect import as_array, as_number, is_instance


def _tf_function(answers: Answers, name: str):
    import tensorflow as tf

    value = answers[name]
    is_instance(value, tf.types.experimental.PolymorphicFunction, name, "a tf.function",
                hint="decorate the function with @tf.function (with arguments, if it needs them).")
    return value


def _error_line(error: BaseException) -> str:
    """The line of an error that says what went wrong.

    TensorFlow opens the errors of a traced function with "in user code:" or "Graph execution
    error:" and a traceback; the message itself comes last, before the node names.
    """
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    if not lines or lines[0] not in ("in user code:", "Graph execution error:"):
        return first_line(error)
    told = [line for line in lines[1:]
            if not line.startswith(("File ", "[[", "Detected at node")) and not line.endswith(":")]
    if not told:
        return first_line(error)
    message = told[-1]
    prefix = f"{type(error).__name__}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def _call(name: str, fn, *args, what: str = "", hint: str | None = None):
    try:
        return fn(*args)
    except (NotAnswered, Fail):
        raise
    except Exception as error:  # noqa: BLE001 - the student's code: say how it failed
        raise Fail(f"calling `{name}`{what} raised {type(error).__name__}: {_error_line(error)}",
                   hint or "call it in a cell of its own with a tensor input to see where it "
                           "fails.") from None


def _number(value, name: str, hint: str) -> float:
    try:
        return as_number(value, name)
    except Fail as failure:
        raise Fail(failure.problem, hint) from None


def _graph_ops(concrete) -> set[str]:
    """The operation types of a concrete function's graph and of the functions it calls."""
    graph_def = concrete.graph.as_graph_def()
    ops = {node.op for node in graph_def.node}
    for function in graph_def.library.function:
        ops |= {node.op for node in function.node_def}
    return ops


@question("06.q1", points=3,
          checks="predict_classes is a tf.function that returns the model's classes, in "
                 "inference mode, for any batch size and is traced once in all",
          defines=("predict_classes",),
          fixed="the name predict_classes; a tf.function; input: a float32 tensor of shape "
                "(batch size, 64); output: integer classes of shape (batch size,) from `model` in "
                "inference mode; traced once in all for every batch size; how is free",
          verifies=("it is a tf.function",
                    "float32 batches of 1, 3, 17, 64 and 129 random images are accepted",
                    "each returns integers of shape (batch size,) equal to the argmax of "
                    "model(images, training=False) (the model has Dropout, so training mode fails)",
                    "its own tracing count (experimental_get_tracing_count) is at most 1 after "
                    "the notebook's call and all of these"))
def _q1(answers: Answers) -> None:
    import tensorflow as tf

    fn = _tf_function(answers, "predict_classes")
    model = answers["model"]
    rng = np.random.default_rng(61)
    for batch_size in (3, 17, 1, 64, 129):
        images = rng.uniform(0, 1, size=(batch_size, 64)).astype(np.float32)
        got = _call("predict_classes", fn, tf.constant(images),
                    what=f" on a float32 batch of shape ({batch_size}, 64)",
                    hint="it must accept float32 batches of any size: `None` in a shape means "
                         "any size.")
        name = f"predict_classes(<{batch_size} images>)"
        array = as_array(got, name)
        if array.shape != (batch_size,):
            raise Fail(f"predict_classes returned shape {array.shape} for {batch_size} images; "
                       f"({batch_size},) was expected.", "one class per image: the most likely of "
                                                         "the 10, for each row.")
        if np.asarray(got).dtype.kind not in "iu":
            raise Fail("predict_classes returned non-integer values.",
                       "a class is an integer index, as argmax gives it.")
        expected = np.asarray(model(images, training=False)).argmax(axis=1)
        if not np.array_equal(array, expected):
            raise Fail(f"predict_classes disagrees with `model` on {int(np.sum(array != expected))} "
                       f"of {batch_size} images.",
                       "use `model` itself on the whole batch, the way it predicts (not the way it "
                       "trains: its Dropout layer is then off).")
    traces = fn.experimental_get_tracing_count()
    if traces > 1:
        raise Fail(f"predict_classes has been traced {traces} times; once in all was asked for.",
                   "tell tf.function which inputs to expect, with `None` for the batch size.")


def _collatz(n: int) -> int:
    steps = 0
    while n > 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


@question("06.q2", points=2,
          checks="collatz_steps returns the number of Collatz steps for int32 tensors, traced "
                 "once, with a loop in its graph",
          defines=("collatz_steps",),
          fixed="the name collatz_steps; a tf.function; input: an int32 scalar tensor n ≥ 1; "
                "output: a scalar tensor, the number of steps to reach 1; traced once for all n, "
                "with a graph loop; how the loop is written is free",
          verifies=("it is a tf.function",
                    "its graph for int32 scalars (with the functions it calls) holds a While "
                    "loop: an unrolled Python loop or tf.py_function fails",
                    "the right count for n = 1, 2, 6, 27, 97, 871 and three seeded random n "
                    "below 5000, given as int32 scalar tensors",
                    "its own tracing count is at most 1 after those calls"))
def _q2(answers: Answers) -> None:
    import tensorflow as tf

    fn = _tf_function(answers, "collatz_steps")
    value_hint = ("inside a tf.function n has no value while tracing: test and change it with "
                  "tensor operations, and keep its dtype (// keeps integers).")
    concrete = _call("collatz_steps.get_concrete_function", fn.get_concrete_function,
                     tf.TensorSpec([], tf.int32), what=" for int32 scalars", hint=value_hint)
    if not any("While" in op for op in _graph_ops(concrete)):
        raise Fail("the traced graph of collatz_steps has no loop operation.",
                   "write the loop as `while <tensor condition>:` (or `for` over tf.range) "
                   "inside the tf.function, with TensorFlow operations: a Python range loop is "
                   "unrolled, and Python code run from the graph is not a graph loop.")
    drawn = np.random.default_rng(62).integers(3, 5000, size=3).tolist()
    for n in [1, 2, 6, 27, 97, 871] + drawn:
        result = _call("collatz_steps", fn, tf.constant(n, tf.int32),
                       what=f" on tf.constant({n}, tf.int32)", hint=value_hint)
        got = _number(result, f"collatz_steps({n})", "return the number of steps as a scalar.")
        if got != _collatz(n):
            raise Fail(f"collatz_steps({n}) returned {got:g}; {_collatz(n)} was expected.",
                       "count one step per change of n, and stop when n is 1.")
    traces = fn.experimental_get_tracing_count()
    if traces > 1:
        raise Fail(f"collatz_steps was traced {traces} times for int32 scalars; once was asked for.",
                   "loop while a tensor condition holds, so AutoGraph makes it a graph loop "
                   "instead of unrolling it for each value.")


@question("06.q3", points=2,
          checks="counted_double doubles its input and adds 1 to the integer variable call_count "
                 "on every call, traced or not",
          defines=("call_count", "counted_double"),
          fixed="the names call_count (an integer tf.Variable starting at 0) and counted_double "
                "(a tf.function: float32 tensor of any shape in, twice it out, call_count + 1 on "
                "every call)",
          verifies=("call_count is a tf.Variable (a keras.Variable is accepted) of an integer dtype",
                    "counted_double is a tf.function",
                    "6 calls on float32 tensors of shapes (3,), (3,), (2, 2), (), (2, 2), (3,) "
                    "each return 2·x",
                    "call_count grows by exactly 1 at each call, whether it traced or not"))
def _q3(answers: Answers) -> None:
    import keras
    import tensorflow as tf

    counter = answers["call_count"]
    is_instance(counter, (tf.Variable, keras.Variable), "call_count", "a tf.Variable",
                hint="a Python number changes only while the function is traced; a variable "
                     "changes on every call, with its assign methods.")
    if np.asarray(counter.numpy()).dtype.kind not in "iu":
        raise Fail(f"call_count holds {np.asarray(counter.numpy()).dtype} values; an integer "
                   "counter was asked for.", "tf.Variable(0) holds an int32.")
    fn = _tf_function(answers, "counted_double")
    start = as_number(counter.numpy(), "call_count")
    rng = np.random.default_rng(63)
    for i, shape in enumerate([(3,), (3,), (2, 2), (), (2, 2), (3,)], 1):
        x = rng.normal(size=shape).astype(np.float32)
        got = _call("counted_double", fn, tf.constant(x),
                    what=f" on a float32 tensor of shape {shape}",
                    hint="it takes float32 tensors of any shape.")
        array = as_array(got, "counted_double(x)")
        if array.shape != x.shape or not np.allclose(array, 2 * x, atol=1e-6):
            raise Fail("counted_double(x) does not return 2 × x.", "return twice the input tensor.")
        now = as_number(counter.numpy(), "call_count")
        if now != start + i:
            raise Fail(f"after {i} call(s) by the check call_count went from {start:g} to {now:g}; "
                       "it should grow by one at every call.",
                       "update the variable with a TensorFlow operation inside the function, "
                       "which runs on every call, not from Python values, which are read only "
                       "while tracing.")


@question("06.q4", points=2,
          checks="concrete_norms is row_norms' concrete function for float32 matrices of any "
                 "number of rows and 3 columns",
          defines=("concrete_norms",),
          fixed="the name concrete_norms; a concrete function of row_norms for float32 inputs "
                "of shape (None, 3): any number of rows, exactly 3 columns",
          verifies=("it is a ConcreteFunction",
                    "its one input is a float32 TensorSpec of shape (None, 3): a fixed number of "
                    "rows, another number or any number of columns, an unknown rank or another "
                    "dtype fails",
                    "on matrices of 7 and 1 rows it returns the norm of each row"))
def _q4(answers: Answers) -> None:
    import tensorflow as tf

    concrete = answers["concrete_norms"]
    is_instance(concrete, tf.types.experimental.ConcreteFunction, "concrete_norms",
                "a concrete function", hint="a tf.function gives one with get_concrete_function(...).")
    specs = [s for s in tf.nest.flatten(concrete.structured_input_signature)
             if isinstance(s, tf.TensorSpec)]
    if len(specs) != 1 or specs[0].dtype != tf.float32:
        raise Fail("concrete_norms does not take one float32 tensor.",
                   "describe the input with tf.TensorSpec(shape=..., dtype=tf.float32).")
    shape = specs[0].shape
    if shape.rank is None or shape.as_list() != [None, 3]:
        raise Fail(f"concrete_norms takes tensors of shape {shape}; any number of rows and "
                   "exactly 3 columns was asked for.",
                   "a concrete function accepts only its signature's shape: `None` in a shape "
                   "means any size, a number that size only.")
    rng = np.random.default_rng(64)
    for rows in (7, 1):
        x = rng.normal(size=(rows, 3)).astype(np.float32)
        got = as_array(_call("concrete_norms", concrete, tf.constant(x)), "concrete_norms(x)")
        if got.shape != (rows,) or not np.allclose(got, np.linalg.norm(x, axis=1), rtol=1e-5):
            raise Fail("concrete_norms does not compute row_norms.",
                       "get the concrete function from `row_norms` itself.")


# How long the calls of the check's function sleep, in seconds: two slow first calls (like
# tracing), then timed calls whose median (0.04 s) differs from their mean (0.064 s), from the
# fastest (0.02 s), and from the median with the warm-up calls counted (0.10 s). The check
# also times each call itself and compares the answer with the median of those real
# durations, so a busy machine that stretches every sleep does not fail an honest answer.
_WARMUP = [0.15, 0.12]
_TIMED = [0.04, 0.12, 0.02, 0.10, 0.04]


@question("06.q5", points=2,
          checks="median_time calls fn warmup + repeats times and returns the median duration "
                 "of the timed calls, in seconds",
          defines=("median_time",),
          fixed="the name median_time(fn, repeats, warmup); warmup untimed calls first, then "
                "repeats timed calls, each timed on its own with a wall clock; returns their "
                "median, in seconds; which wall clock is free",
          verifies=("fn is called exactly warmup + repeats times (7 for warmup=2, repeats=5)",
                    "the result is one number in seconds",
                    "it is the median of the timed calls' real durations (about 0.04 s) within "
                    "5 ms + 5%, not their mean (0.064 s), the fastest call (0.02 s), a median "
                    "with the warm-up calls (0.10 s) or of cumulative times",
                    "CPU time (time.process_time), near 0 for a sleeping call, fails"))
def _q5(answers: Answers) -> None:
    pattern = _WARMUP + _TIMED
    durations: list[float] = []

    def fn():
        start = time.perf_counter()
        time.sleep(pattern[len(durations)] if len(durations) < len(pattern) else 0.04)
        durations.append(time.perf_counter() - start)

    result = answers.call("median_time", fn, len(_TIMED), len(_WARMUP))
    got = _number(result, "median_time(fn, repeats=5, warmup=2)",
                  "return one number: the median of the durations.")
    if len(durations) != len(pattern):
        raise Fail(f"median_time(fn, repeats=5, warmup=2) called fn {len(durations)} times; 7 "
                   "were expected.", "warm-up calls first, then the timed calls, each once.")
    if got > 1:
        raise Fail(f"median_time returned {got:g} for calls that take under 0.2 s: not seconds.",
                   "time.perf_counter() counts in seconds; return its differences unchanged.")
    timed = durations[len(_WARMUP):]
    said = ", ".join(f"{t:.3f}" for t in timed)
    if got < min(timed) / 2:
        raise Fail(f"median_time returned {got:.3f} s for a function whose timed calls lasted "
                   f"{said} s.",
                   "measure wall-clock time around each call (time.perf_counter); CPU time "
                   "(time.process_time) does not count the time spent waiting.")
    median = statistics.median(timed)
    if abs(got - median) > 0.005 + 0.05 * median:
        raise Fail(f"median_time returned {got:.3f} s for a function whose timed calls lasted "
                   f"{said} s (after 2 slower warm-up calls).",
                   "skip the warm-up calls, time each call on its own and take the median "
                   "(statistics.median), not the mean or the fastest.")


def _variable(value, name: str):
    """``value`` if it is a float32 variable (tf.Variable or keras.Variable), else fail."""
    import keras
    import tensorflow as tf

    is_instance(value, (tf.Variable, keras.Variable), name, "a tf.Variable",
                hint="a Python number read inside a tf.function is copied into the graph when "
                     "it is traced; a tf.Variable is read each time the graph runs.")
    dtype = np.asarray(value.numpy()).dtype
    if dtype != np.float32:
        raise Fail(f"{name} holds {dtype} values; a float32 variable was asked for.",
                   "tf.Variable(2.0) holds a float32.")
    return value


def _softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits / temperature
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


@question("06.q6", points=2,
          checks="soften reads the variable temperature each time it runs: the check assigns "
                 "temperatures of its choice and soften follows them without tracing again",
          defines=("temperature", "soften"),
          fixed="the names temperature (a float32 tf.Variable; a keras.Variable is accepted) and "
                "soften (a tf.function: float32 logits in, softmax(logits / temperature) over the "
                "last axis out, for the value temperature holds at the call); how is free",
          verifies=("temperature is a tf.Variable or a keras.Variable of dtype float32",
                    "soften is a tf.function",
                    "after each of the temperatures 1, 0.25, 4, 1 and 2.5, assigned by the check, "
                    "soften on the same 6 random logits returns softmax(logits / temperature)",
                    "the same for a batch of 3 rows of 4 logits (a softmax per row) at two "
                    "temperatures",
                    "assigning a new temperature traces no new graph (its tracing count does not "
                    "grow while only the temperature changes)",
                    "temperature holds its own value again after the check"))
def _q6(answers: Answers) -> None:
    import tensorflow as tf

    temperature = _variable(answers["temperature"], "temperature")
    fn = _tf_function(answers, "soften")
    original = temperature.numpy()
    rng = np.random.default_rng(66)
    hint = ("divide by the variable itself inside the function: a Python number read there (a "
            "copy of its value made outside the function) is frozen into the graph when it is "
            "traced.")
    try:
        for shape, temperatures in (((6,), (1.0, 0.25, 4.0, 1.0, 2.5)), ((3, 4), (0.5, 3.0))):
            logits = rng.normal(scale=2.0, size=shape).astype(np.float32)
            traced, outputs = None, []
            for t in temperatures:
                temperature.assign(t)
                got = as_array(_call("soften", fn, tf.constant(logits),
                                     what=f" on float32 logits of shape {shape}",
                                     hint="soften takes float32 logits of any shape; read the "
                                          "variable inside it, without converting it to a "
                                          "Python number."), "soften(logits)")
                if got.shape != logits.shape:
                    raise Fail(f"soften returned shape {got.shape} for logits of shape {shape}.",
                               "return the softmax of the logits, the same shape as they are.")
                now = fn.experimental_get_tracing_count()
                if traced is not None and now > traced:
                    raise Fail("soften was traced again when only the temperature changed.",
                               "read the variable inside the function: the graph then reads its "
                               "current value, and one graph serves every temperature.")
                traced = now
                outputs.append((t, got))
            wrong = [t for t, got in outputs
                     if not np.allclose(got, _softmax(logits, t), rtol=1e-4, atol=1e-6)]
            if not wrong:
                continue
            said = ", ".join(f"{t:g}" for t in temperatures)
            if all(np.allclose(got, outputs[0][1], rtol=1e-6, atol=1e-7) for _, got in outputs):
                raise Fail(f"soften returns the same values on logits of shape {shape} whatever "
                           f"temperature the check assigns ({said}): it still uses the "
                           "temperature it read when it was traced.", hint)
            raise Fail(f"with temperature set to {wrong[0]:g} by the check, soften on logits of "
                       f"shape {shape} does not return softmax(logits / {wrong[0]:g}).",
                       "divide the logits by the temperature, then take the softmax over the "
                       "last axis.")
    finally:
        temperature.assign(original)


def _loop_ops(concrete) -> set[str]:
    return {op for op in _graph_ops(concrete) if op == "ReduceDataset" or "While" in op}


@question("06.q7", points=2,
          checks="dataset_sum sums every number of a tf.data.Dataset in the graph, for datasets "
                 "of any length, traced once per kind of element",
          defines=("dataset_sum",),
          fixed="the name dataset_sum; a tf.function; input: a tf.data.Dataset whose elements "
                "are float32 scalars, or float32 vectors (batches) of any length; output: a "
                "float32 scalar, the sum of every number in it, 0 for an empty dataset; the loop "
                "over the dataset runs in the graph; how it is written (a for loop over the "
                "dataset, Dataset.reduce, an iterator) is free",
          verifies=("it is a tf.function",
                    "its graph for a dataset of float32 scalars holds a loop over the dataset "
                    "(a ReduceDataset or a While operation)",
                    "the right sum for datasets of 0, 1, 7 and 40 random float32 scalars and for "
                    "a filtered dataset of unknown length",
                    "the right sum for 30 numbers in batches of 4 and of 7 (a smaller last "
                    "batch) and for an empty batched dataset",
                    "at most one trace for all the datasets of scalars and one for all the "
                    "batched ones, whatever their lengths"))
def _q7(answers: Answers) -> None:
    import tensorflow as tf

    fn = _tf_function(answers, "dataset_sum")
    rng = np.random.default_rng(67)

    def scalars(n):
        return tf.data.Dataset.from_tensor_slices(rng.normal(size=n).astype(np.float32))

    concrete = _call("dataset_sum.get_concrete_function", fn.get_concrete_function, scalars(3),
                     what=" for a dataset of float32 scalars",
                     hint="loop over the dataset inside the function with `for x in dataset:`.")
    if not _loop_ops(concrete):
        raise Fail("the traced graph of dataset_sum has no loop over the dataset.",
                   "write `for x in dataset:` inside the tf.function (AutoGraph makes it a "
                   "graph loop), or use the dataset's reduce method.")
    start = fn.experimental_get_tracing_count()
    filtered = (tf.data.Dataset.range(20).map(lambda i: tf.cast(i, tf.float32) / 4)
                .filter(lambda x: x % 1 > 0.3))
    numbers = rng.normal(size=30).astype(np.float32)
    empty = tf.data.Dataset.from_tensor_slices(np.zeros(0, np.float32))
    probes = [("scalars", f"{n} float32 scalar{'' if n == 1 else 's'}", scalars(n))
              for n in (0, 1, 7, 40)]
    probes += [("scalars", "float32 scalars filtered (length unknown in advance)", filtered),
               ("batches", "30 float32 numbers in batches of 4",
                tf.data.Dataset.from_tensor_slices(numbers).batch(4)),
               ("batches", "30 float32 numbers in batches of 7",
                tf.data.Dataset.from_tensor_slices(numbers).batch(7)),
               ("batches", "an empty dataset in batches of 5", empty.batch(5))]
    for kind, what, dataset in probes:
        expected = float(sum(float(x) for x in dataset.unbatch()) if kind == "batches"
                         else sum(float(x) for x in dataset))
        got = _number(_call("dataset_sum", fn, dataset, what=f" on a dataset of {what}",
                            hint="accept any dataset of float32 scalars or batches: start the "
                                 "total at a float32 zero and add the sum of each element "
                                 "(tf.reduce_sum)."),
                      f"dataset_sum(<{what}>)", "return the total as a float32 scalar.")
        if not np.isclose(got, expected, rtol=1e-5, atol=1e-4):
            raise Fail(f"dataset_sum on a dataset of {what} returned {got:.4f}; "
                       f"{expected:.4f} was expected.",
                       "add up every number of every element, from the first element to the "
                       "last (an empty dataset sums to 0).")
    traces = fn.experimental_get_tracing_count() - start
    if traces > 2:
        raise Fail(f"dataset_sum was traced {traces} times for datasets of two kinds of "
                   "elements (scalars, batches) and several lengths.",
                   "pass the dataset itself to the function and loop over it there: the length "
                   "of a dataset is not part of its signature.")


@question("06.q8", points=2,
          checks="RunningSum().add, a tf.function, keeps a running total in a variable each "
                 "instance creates once, with the shape of its first input",
          defines=("RunningSum",),
          fixed="the name RunningSum, a class whose instances are made with RunningSum(); their "
                "method add(x), a tf.function, adds the float32 tensor x to the instance's "
                "running total and returns the total so far (x's shape); the total lives in a "
                "variable created once per instance, on the first call, with that call's shape; "
                "how the class is written (tf.Module, a Keras layer, a plain class) is free",
          verifies=("RunningSum() makes an instance whose add is a tf.function",
                    "three instances, called 3, 4 and 2 times with random float32 tensors of "
                    "shapes (2,), (2, 3) and (), return the running total after each call",
                    "the instances keep separate totals: the first, called again after the "
                    "others, goes on from its own total",
                    "each instance creates at least one variable, in its constructor or its "
                    "first call (a variable created again later is refused by tf.function "
                    "itself, and the call fails)"))
def _q8(answers: Answers) -> None:
    import tensorflow as tf

    cls = answers["RunningSum"]
    if not isinstance(cls, type):
        raise Fail(f"RunningSum should be a class, but it is a {type(cls).__name__}.",
                   "write `class RunningSum(...):` with an `add` method.")
    created: list[str] = []

    def counting(next_creator, **kwargs):
        created.append(kwargs.get("name") or "variable")
        return next_creator(**kwargs)

    rng = np.random.default_rng(68)
    once = ("create the variable with the shape of the first x, and only once: keep it in an "
            "attribute that starts as None and create it only while it is still None (when its "
            "first call creates a variable, a tf.function traces that call twice, and only the "
            "first trace may create it).")
    plans = [("first", (2,), 3), ("second", (2, 3), 4), ("third", (), 2)]
    instances = []
    with tf.variable_creator_scope(counting):
        for which, shape, calls in plans + [("first", (2,), 1)]:
            if len(instances) < len(plans):
                before = len(created)
                instance = _call("RunningSum", cls, what="()",
                                 hint="RunningSum() takes no argument: the shape of the total "
                                      "comes from the first call of add.")
                add = getattr(instance, "add", None)
                is_instance(add, tf.types.experimental.PolymorphicFunction, "RunningSum().add",
                            "a tf.function", hint="decorate the method with @tf.function.")
                state = {"instance": instance, "total": np.zeros(shape, np.float32),
                         "created": before, "calls": 0}
                instances.append(state)
            else:
                state = instances[0]
            for _ in range(calls):
                x = rng.normal(size=shape).astype(np.float32)
                got = as_array(_call(f"the {which} RunningSum's add", state["instance"].add,
                                     tf.constant(x), what=f" on a float32 tensor of shape {shape}",
                                     hint=once), "add(x)")
                state["calls"] += 1
                state["total"] = state["total"] + x
                n = state["calls"]
                if got.shape != tuple(shape):
                    raise Fail(f"the {which} RunningSum's add returned shape {got.shape} for "
                               f"inputs of shape {shape}.",
                               "create the variable with the shape of the first x, and return "
                               "its value.")
                if not np.allclose(got, state["total"], atol=1e-5):
                    if n == 1 and np.allclose(got, 0):
                        raise Fail(f"the {which} RunningSum's add returned zeros on its first "
                                   "call: the total before x was added.",
                                   "add x to the variable first, then return its value.")
                    if n == 1:
                        raise Fail(f"the {which} RunningSum's add did not return x on its first "
                                   "call: a new instance must start from a total of zero.",
                                   "give each instance its own variable (an attribute of self, "
                                   "not of the class), created with zeros.")
                    raise Fail(f"after {n} calls with tensors of shape {shape}, the {which} "
                               "RunningSum's add did not return the sum of its inputs so far"
                               + (" (after other instances were used)." if n > calls else "."),
                               "add x to the instance's own variable with assign_add, then "
                               "return the variable's value: a Python attribute changes only "
                               "while tracing.")
                if n == 1 and len(created) == state["created"]:
                    raise Fail(f"the {which} RunningSum keeps its total without a variable of "
                               "its own.", "create a tf.Variable with the shape of the first "
                                           "x, once per instance.")
