"""Lesson 11's ledger: every claim of the "Keras vs TensorFlow" article, what we did, what came out.

The article (reproduced in :data:`ARTICLE_TABLE`, :data:`ARTICLE_SELECTION` and
:data:`ARTICLE_INTRODUCTION`) compares Keras and TensorFlow in eleven rows, tells six kinds of
people which to pick, and claims a few checkable things in its introduction. Lesson 11 gives each
of those 20 claims a row: the claim as the article states it, what we did (an experiment the
student runs, or a dated, sourced fact kept in :mod:`k2tf.ledger_facts`), the result, a verdict
and the caveat.

The experiments are functions here, so that the lesson, the tests and the checks run the same
code: each returns a :class:`Finding` whose verdict is computed from what it measured, never
written in advance. Speed comparisons go through :func:`k2tf.speed.compare` (warm-up, repeats,
median and spread, a noise band, a positive control); the memory experiment has its own positive
control (a known 60 MB allocation it must notice).

Example::

    ledger = Ledger()
    ledger.record("written_in", written_in())
    ledger            # the table, in a notebook
    ledger.missing()  # the rows still without a result
"""
from __future__ import annotations

import ast
import html
import inspect
import os
import statistics
import textwrap
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = ["ARTICLE_INTRODUCTION", "ARTICLE_SELECTION", "ARTICLE_TABLE", "Finding", "Ledger",
           "Row", "ROW_IDS", "VERDICTS", "beginner_message"]

#: The verdicts a row can get. "depends" rows say on what in their result.
VERDICTS = ("true", "true but outdated", "partly true", "depends", "false")

#: The article's table, as published: (row id, the Keras column, the TensorFlow column).
ARTICLE_TABLE = (
    ("backends", "a high-level API running on top of TensorFlow, CNTK and Theano",
     "a framework that offers both high- and low-level APIs"),
    ("python_vs_syntax", "easy to use if you know Python",
     "you need to learn the syntax of various TensorFlow functions"),
    ("quick_vs_research", "perfect for quick implementations",
     "ideal for deep learning research, complex networks"),
    ("tfdbg_vs_tensorboard", "uses another API debug tool such as TFDBG",
     "you can use TensorBoard visualization tools for debugging"),
    ("authors", "started by François Chollet from a project, developed by a group of people",
     "developed by the Google Brain team"),
    ("written_in", "written in Python, a wrapper for Theano, TensorFlow and CNTK",
     "written mostly in C++, CUDA and Python"),
    ("architecture", "a simple architecture that is readable and concise", "not very easy to use"),
    ("debugging_need", "very rarely a need to debug simple networks", "quite challenging to debug"),
    ("dataset_size", "usually used for small datasets",
     "used for high-performance models and large datasets"),
    ("community", "community support is minimal", "backed by a large community of tech companies"),
    ("performance", "can be used for low-performance models", "used for high-performance models"),
)

#: The article's "which to select" list: (row id, who, what it picks).
ARTICLE_SELECTION = (
    ("select_phd", "a Ph.D. student", "TensorFlow"),
    ("select_more_features", "you want to use deep learning to get more features", "Keras"),
    ("select_industry", "you work in industry", "TensorFlow"),
    ("select_internship", "you have just started a 2-month internship", "Keras"),
    ("select_teaching", "you want to give practice work to students", "Keras"),
    ("select_no_python", "you don't even know Python", "Keras"),
)

#: The article's introduction, where it claims something checkable: (row id, the claim).
ARTICLE_INTRODUCTION = (
    ("intro_devices", "TensorFlow runs on CPUs, GPUs and mobile devices"),
    ("intro_wrappers", "TensorFlow has wrappers in C++ and Java"),
    ("intro_keras_on_theano", "Keras runs on top of Theano or TensorFlow"),
)

#: Every row, in the order the lesson's table shows them.
ROW_IDS = tuple(r[0] for r in ARTICLE_TABLE + ARTICLE_INTRODUCTION + ARTICLE_SELECTION)


def claim_of(row_id: str) -> str:
    """The article's words for ``row_id`` (both columns for a table row)."""
    for rid, keras_side, tf_side in ARTICLE_TABLE:
        if rid == row_id:
            return f"Keras: {keras_side} | TensorFlow: {tf_side}"
    for rid, who, pick in ARTICLE_SELECTION:
        if rid == row_id:
            return f"{who[0].upper()}{who[1:]} → {pick}"
    for rid, claim in ARTICLE_INTRODUCTION:
        if rid == row_id:
            return claim
    raise KeyError(f"no ledger row {row_id!r}; the rows are {', '.join(ROW_IDS)}")


@dataclass(frozen=True)
class Finding:
    """What one experiment (or one set of facts) found: ``result`` and the ``verdict`` it leads to."""

    did: str
    result: str
    verdict: str
    caveat: str = ""
    data: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {self.verdict!r}")

    def __str__(self) -> str:
        text = f"{self.result}\nverdict: {self.verdict}"
        return f"{text} ({self.caveat})" if self.caveat else text


@dataclass(frozen=True)
class Row:
    """One line of the ledger."""

    id: str
    claim: str
    did: str
    result: str
    verdict: str
    caveat: str

    def __str__(self) -> str:
        return f"{self.result}\nverdict: {self.verdict}" + (f" ({self.caveat})" if self.caveat else "")


def beginner_message(error: BaseException, limit: int = 150) -> str:
    """The line of an error message a beginner should read: the first that names a shape (a
    digit), without TensorFlow's ``{{function_node …}}`` prefix."""
    import re

    lines = [re.sub(r"^\{\{[^}]*\}\}\s*", "", line).strip() for line in str(error).splitlines()]
    lines = [line for line in lines if line]
    chosen = next((line for line in lines if re.search(r"\d", line)), lines[0] if lines else "")
    return chosen[:limit]


class Ledger:
    """The 20 rows, filled one experiment at a time; shows itself as a table in a notebook."""

    def __init__(self):
        self._rows: dict[str, Row] = {}

    def record(self, row_id: str, finding: Finding) -> Row:
        row = Row(row_id, claim_of(row_id), finding.did, finding.result, finding.verdict,
                  finding.caveat)
        self._rows[row_id] = row
        return row

    def rows(self) -> tuple[Row, ...]:
        """The recorded rows, in the article's order."""
        return tuple(self._rows[r] for r in ROW_IDS if r in self._rows)

    def missing(self) -> list[str]:
        return [r for r in ROW_IDS if r not in self._rows]

    def counts(self) -> dict[str, int]:
        """How many rows got each verdict."""
        return {v: sum(row.verdict == v for row in self._rows.values()) for v in VERDICTS}

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><td>{html.escape(row.claim)}</td><td>{html.escape(row.result)}</td>"
            f"<td><b>{html.escape(row.verdict)}</b></td><td>{html.escape(row.caveat)}</td></tr>"
            for row in self.rows())
        return ("<table><thead><tr><th style='text-align:left'>the article says</th>"
                "<th style='text-align:left'>we found</th><th>verdict</th>"
                "<th style='text-align:left'>caveat</th></tr></thead>"
                f"<tbody style='text-align:left'>{cells}</tbody></table>")

    def __repr__(self) -> str:
        lines = [f"{row.id:22s} {row.verdict:18s} {row.result}" for row in self.rows()]
        missing = self.missing()
        if missing:
            lines.append(f"({len(missing)} rows not recorded yet: {', '.join(missing)})")
        return "\n".join(lines)


# --- sizes of code: what a style asks a student to learn -------------------------------------

@dataclass(frozen=True)
class CodeSize:
    """How much a piece of code asks of its reader."""

    lines: int  #: non-blank lines that are not comments or the docstring
    api_names: tuple[str, ...]  #: distinct library names it uses (tf.X, keras.X, ...)

    @property
    def concepts(self) -> int:
        return len(self.api_names)


def code_size(fn_or_source: Callable | str | list, libraries: tuple[str, ...] = ("tf", "keras")
              ) -> CodeSize:
    """Lines and distinct library names (``tf.GradientTape``, ``keras.layers.Dense``) of a function
    (or of a list of functions and sources together: their lines added, their names merged).

    A name is a dotted attribute chain that starts at one of ``libraries``, cut after its
    first capitalised part or function (``tf.keras.layers.Dense(…)`` counts as
    ``tf.keras.layers.Dense``); methods called on objects (``tape.gradient``) are not counted:
    they belong to a name already counted.
    """
    if isinstance(fn_or_source, (list, tuple)):
        parts = [code_size(part, libraries) for part in fn_or_source]
        return CodeSize(sum(p.lines for p in parts),
                        tuple(sorted({name for p in parts for name in p.api_names})))
    source = fn_or_source if isinstance(fn_or_source, str) else inspect.getsource(fn_or_source)
    source = textwrap.dedent(source)
    tree = ast.parse(source)
    docstrings = {node.body[0].value.lineno for node in ast.walk(tree)
                  if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module)) and node.body
                  and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)
                  and isinstance(node.body[0].value.value, str)}
    lines = sum(1 for number, line in enumerate(source.splitlines(), 1)
                if line.strip() and not line.strip().startswith("#") and number not in docstrings)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain, inner = [node.attr], node.value
            while isinstance(inner, ast.Attribute):
                chain.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id in libraries:
                parts = [inner.id, *reversed(chain)]
                names.add(".".join(parts))
    # keep the longest chains only: tf.keras.layers.Dense, not also tf.keras and tf.keras.layers
    longest = {n for n in names if not any(other.startswith(n + ".") for other in names)}
    return CodeSize(lines, tuple(sorted(longest)))


# --- what the installed packages are made of --------------------------------------------------

def package_bytes(package: str) -> dict[str, int]:
    """Bytes of Python source (``.py``) and of compiled code (``.so``) in an installed package."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"{package} is not installed here")
    totals = {"python": 0, "compiled": 0, "other": 0}
    for folder in spec.submodule_search_locations:
        for root, _, files in os.walk(folder):
            for name in files:
                size = os.path.getsize(os.path.join(root, name))
                kind = ("python" if name.endswith(".py") else
                        "compiled" if name.endswith(".so") or ".so." in name else "other")
                totals[kind] += size
    return totals


def keras_backends() -> tuple[str, ...]:
    """The backends the installed Keras ships code for (its ``keras/src/backend`` folders)."""
    import keras

    folder = Path(keras.__file__).parent / "src" / "backend"
    return tuple(sorted(p.name for p in folder.iterdir()
                        if p.is_dir() and (p / "__init__.py").exists() and p.name != "common"))


def written_in() -> Finding:
    """Keras "written in Python, a wrapper for Theano, TensorFlow and CNTK"; TensorFlow "C++,
    CUDA and Python": measured from the installed packages."""
    import tensorflow as tf

    keras_code, tf_code = package_bytes("keras"), package_bytes("tensorflow")
    keras_python = keras_code["python"] / max(1, keras_code["python"] + keras_code["compiled"])
    tf_compiled = tf_code["compiled"] / max(1, tf_code["python"] + tf_code["compiled"])
    backends = keras_backends()
    cuda = tf.test.is_built_with_cuda()
    result = (f"keras: {keras_code['python'] / 2**20:.1f} MB of .py, "
              f"{keras_code['compiled'] / 2**20:.1f} MB compiled ({keras_python:.0%} Python); "
              f"backends shipped: {', '.join(backends)}. tensorflow: "
              f"{tf_code['compiled'] / 2**20:.0f} MB compiled, {tf_code['python'] / 2**20:.0f} MB "
              f".py ({tf_compiled:.0%} compiled); built with CUDA: {cuda}")
    gone = [b for b in ("theano", "cntk") if b not in backends]
    python_true = keras_python > 0.95
    tf_true = tf_compiled > 0.5 and cuda
    verdict = ("true but outdated" if python_true and tf_true and gone else
               "true" if python_true and tf_true else "partly true")
    return Finding(
        "measured the bytes of .py and compiled .so files in the installed keras and "
        "tensorflow packages, and listed Keras's backend folders",
        result, verdict,
        f"{' and '.join(gone) or 'nothing'} gone from Keras's backends: Keras 3 wraps "
        f"{', '.join(b for b in backends if b != 'numpy')} (numpy for inference only); the "
        "compiled share of TensorFlow is C++ and CUDA kernels in its .so files",
        {"keras": keras_code, "tensorflow": tf_code, "backends": backends, "cuda": cuda})


# --- memory: does fit hold a dataset, or stream it? -------------------------------------------

def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_growth_mb(fn: Callable[[], object], interval: float = 0.002) -> float:
    """How far this process's resident memory rose above its level at the start while ``fn`` ran
    (sampled every ``interval`` seconds by a thread; Linux)."""
    start = _rss_bytes()
    peak = [start]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        fn()
    finally:
        peak[0] = max(peak[0], _rss_bytes())
        done.set()
        sampler.join()
    return (peak[0] - start) / 2**20


def allocate(mb: int, hold: float = 0.05) -> Callable[[], None]:
    """A positive control for :func:`peak_growth_mb`: allocates and touches ``mb`` MB, holds it
    ``hold`` seconds, frees it."""
    def control():
        block = np.ones(mb * 2**20 // 8)  # np.ones writes every page: they are resident
        time.sleep(hold)
        del block
    return control


def write_tfrecords(path: str | Path, n_batches: int, batch: int = 512, features: int = 64,
                    seed: int = 0) -> int:
    """A file of ``n_batches`` serialized float32 batches (x, y = sum of x's first 8 columns);
    returns its size in bytes."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for _ in range(n_batches):
            x = rng.normal(size=(batch, features)).astype("float32")
            y = x[:, :8].sum(axis=1, keepdims=True)
            writer.write(tf.io.serialize_tensor(np.concatenate([x, y], axis=1)).numpy())
    return os.path.getsize(path)


def read_tfrecords(path: str | Path, features: int = 64):
    """The file of :func:`write_tfrecords` as a dataset of (x, y) batches, read as it goes."""
    import tensorflow as tf

    def parse(record):
        xy = tf.ensure_shape(tf.io.parse_tensor(record, tf.float32), (None, features + 1))
        return xy[:, :features], xy[:, features:]

    return tf.data.TFRecordDataset(str(path)).map(parse).prefetch(2)


def _median_range(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} MB ({min(values):.0f}–{max(values):.0f})"


def dataset_size(folder: str | Path, n_batches: int = 160, repeats: int = 5) -> Finding:
    """Keras "usually used for small datasets": stream a file of ``n_batches`` batches (128 KB
    each) through ``fit`` while measuring this process's memory, ``repeats`` times in rounds with
    two controls: a known 60 MB allocation (positive: it must be seen) and the same batches kept
    in a list (what holding the data costs)."""
    import keras
    import tensorflow as tf

    path = Path(folder) / "stream.tfrecord"
    size_mb = write_tfrecords(path, n_batches) / 2**20
    data = read_tfrecords(path)
    cardinality = int(data.cardinality())
    model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    grew = {"control": [], "fit": [], "list": []}
    with warnings.catch_warnings():
        # Keras warns when a dataset of unknown size ends ("ran out of data"): that is how it
        # learns the size of a stream, not a problem here
        warnings.filterwarnings("ignore", message=".*ran out of data", category=UserWarning)
        model.fit(data.take(4), epochs=1, verbose=0, shuffle=False)  # warm-up: tracing, buffers
        for _ in range(repeats):
            grew["control"].append(peak_growth_mb(allocate(60)))
            grew["fit"].append(peak_growth_mb(
                lambda: model.fit(data, epochs=1, verbose=0, shuffle=False)))
            grew["list"].append(peak_growth_mb(lambda: [b for b in data.as_numpy_iterator()]))
    control_seen = statistics.median(grew["control"]) >= 0.8 * 60
    streamed = max(grew["fit"]) < size_mb / 4
    unknown = cardinality == int(tf.data.UNKNOWN_CARDINALITY)
    result = (f"fit read a {size_mb:.0f} MB TFRecord file (its size unknown to tf.data: "
              f"{unknown}); over {repeats} rounds, memory rose by {_median_range(grew['fit'])} "
              f"during fit, by {_median_range(grew['list'])} when the same batches were kept in "
              f"a list, and by {_median_range(grew['control'])} for the 60 MB control "
              "(median, range)")
    if not control_seen:
        verdict, caveat = "depends", "the control was not seen: this measurement cannot tell"
    elif streamed:
        verdict = "false"
        caveat = ("dataset size is a property of the input pipeline: fit streams any tf.data "
                  "dataset, from files on disk or in the cloud, one batch at a time")
    else:
        verdict, caveat = "true", "memory grew with the data: fit held it"
    return Finding("wrote a TFRecord file of float32 batches on disk, trained with fit from "
                   "tf.data.TFRecordDataset, and sampled this process's resident memory every "
                   f"2 ms, {repeats} rounds; controls: a 60 MB allocation, the batches kept in a "
                   "list", result, verdict, caveat,
                   {"file_mb": size_mb, "grew_mb": grew, "fit_mb": max(grew["fit"]),
                    "list_mb": statistics.median(grew["list"]),
                    "control_mb": statistics.median(grew["control"]), "unknown_cardinality": unknown})


# --- two ways of writing the same classifier -------------------------------------------------

def accuracy(predict: Callable, x, y) -> float:
    """The share of ``x`` whose highest output is the label in ``y``."""
    return float(np.mean(np.argmax(np.asarray(predict(x)), axis=-1) == np.asarray(y)))


def quick_vs_research(ways: dict[str, Callable], sources: dict[str, list], data, *,
                      epochs: int = 10, tolerance: float = 0.03, repeats: int = 5,
                      seeds: tuple[int, ...] = (0, 1, 2),
                      timed_also: dict[str, Callable] | None = None) -> Finding:
    """Keras "perfect for quick implementations", TensorFlow "ideal for research": the same
    classifier written each way (``ways``: name → ``way(x, y)`` returning ``(train_epoch,
    predict)``; the first is Keras's), trained ``epochs`` epochs each; accuracy, lines and
    library names (of the code in ``sources``), and the seconds of an epoch, compared (with the
    ways of ``timed_also``, timed only)."""
    import keras

    from . import speed

    (x, y), (x_test, y_test) = data
    trained, scores, sizes = {}, {name: [] for name in ways}, {}
    for seed in seeds:  # the same seeds for both ways
        for name, way in ways.items():
            keras.utils.set_random_seed(seed)
            train_epoch, predict = way(x, y)
            for _ in range(epochs):
                train_epoch()
            trained[name] = train_epoch  # the last seed's model is the one timed
            scores[name].append(accuracy(predict, x_test, y_test))
    for name in ways:
        sizes[name] = code_size(sources[name])
    keras_name, tf_name = list(ways)
    for name, way in (timed_also or {}).items():  # timed only, for example another input path
        trained[name] = way(x, y)[0]
    timing = speed.compare(trained, baseline=keras_name,
                           positive_control=speed.repeated(trained[keras_name], 2),
                           warmup=1, repeats=repeats, work=1, work_unit="epochs")
    medians = {name: statistics.median(values) for name, values in scores.items()}
    same = abs(medians[keras_name] - medians[tf_name]) <= tolerance
    shorter = sizes[keras_name].lines < sizes[tf_name].lines
    def spread(name):
        return (f"{medians[name]:.1%} median test accuracy ({min(scores[name]):.1%}–"
                f"{max(scores[name]):.1%} over {len(seeds)} seeds)")

    result = (f"{keras_name}: {sizes[keras_name].lines} lines, {sizes[keras_name].concepts} library "
              f"names, {spread(keras_name)}; {tf_name}: {sizes[tf_name].lines} lines, "
              f"{sizes[tf_name].concepts} names, {spread(tf_name)}; time per epoch: {tf_name} "
              f"{timing.verdict(tf_name)}"
              + "".join(f"; {name}: {timing.verdict(name)}" for name in timed_also or {}))
    verdict = "partly true" if same and shorter else "false" if same else "depends"
    caveat = ("both reach the same accuracy: Keras is quicker to write; writing the step yourself "
              "is for research on training itself (lesson 05), and train_step (lesson 07) sits "
              "between; complex networks are built from Keras layers either way"
              if same else f"the accuracies differ by more than {tolerance:.0%}: compare again")
    return Finding(f"trained the same classifier written with Keras fit and with TensorFlow "
                   f"alone (tf.Module, tf.Variable, tf.GradientTape), {epochs} epochs each, "
                   f"with {len(seeds)} seeds; "
                   "counted lines and library names; timed an epoch, "
                   f"{repeats} repeats with a positive control", result, verdict, caveat,
                   {"accuracy": medians, "accuracies": scores, "sizes": sizes, "timing": timing})


def python_vs_syntax(sizes: dict[str, CodeSize], messages: dict[str, str]) -> Finding:
    """Keras "easy if you know Python", TensorFlow "syntax to learn": the names each way asks a
    student to learn (from :func:`quick_vs_research`) and the error a beginner meets in each
    (``messages``: way → the message of the same shape mistake)."""
    (keras_name, keras_size), (tf_name, tf_size) = sizes.items()
    named = {way: ("64" in text and "63" in text) for way, text in messages.items()}
    result = (f"{keras_name} asks for {keras_size.concepts} library names "
              f"({', '.join(keras_size.api_names)}); {tf_name} for {tf_size.concepts} "
              f"({', '.join(tf_size.api_names)}). The same shape mistake: "
              + "; ".join(f"{way} says {text!r}" for way, text in messages.items()))
    more = tf_size.concepts > keras_size.concepts
    verdict = "partly true" if more else "false"
    caveat = ("both are Python libraries, and TensorFlow's high-level API is Keras itself; the "
              "low level has more names to learn, and the errors of both name the shapes "
              if more and all(named.values()) else
              "both are Python libraries; the low level does not ask for more names here")
    return Finding("counted the distinct library names each way uses, and made the same shape "
                   "mistake (63 features for 64) in each", result, verdict, caveat,
                   {"names": {k: v.api_names for k, v in sizes.items()}, "messages": messages})


def architecture(sources: dict[str, list]) -> Finding:
    """Keras "a simple architecture that is readable and concise", TensorFlow "not very easy to
    use": the lines that define the model alone, each way (``sources``: way → its model code)."""
    sizes = {way: code_size(items).lines for way, items in sources.items()}
    (keras_name, keras_lines), (tf_name, tf_lines) = sizes.items()
    verdict = "partly true" if keras_lines < tf_lines else "false"
    return Finding(
        "counted the lines that define the same two-layer model, as Keras layers and as a "
        "tf.Module of tf.Variables",
        f"the model is {keras_lines} lines with Keras layers, {tf_lines} as a tf.Module",
        verdict,
        "readability is not measured by lines alone; the TensorFlow way shows every weight and "
        "operation, which is why research code uses it — and Keras layers work inside a "
        "tf.Module or a custom loop too", {"lines": sizes})


def debugging_need(data, *, epochs: int = 6, seeds: tuple[int, ...] = (0, 1, 2)) -> Finding:
    """Keras "very rarely a need to debug simple networks": a simple network, trained on labels
    shuffled apart from their images (a real bug: x and y shuffled separately), beside the same
    network on the right labels (the positive control: it learns); once per seed."""
    import keras
    import tensorflow as tf

    (x, y), (x_test, y_test) = data
    names = ("right labels", "labels shuffled apart from x")
    results = {name: [] for name in names}
    errors = {name: None for name in names}

    def network():
        return keras.Sequential([keras.Input(shape=(x.shape[1],)),
                                 keras.layers.Dense(32, activation="relu"),
                                 keras.layers.Dense(10, activation="softmax")])

    # One model trains every run, from fresh weights each time: plain SGD keeps no state
    # between steps, and the training step is traced once, not once per run.
    model = network()
    model.compile(optimizer=keras.optimizers.SGD(0.2), loss="sparse_categorical_crossentropy")
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        fresh = network().get_weights()
        shuffled = np.random.default_rng(seed + 1).permutation(y)
        for name, labels in zip(names, (y, shuffled)):
            model.set_weights(fresh)
            batches = tf.data.Dataset.from_tensor_slices((x, labels)).shuffle(len(x)).batch(32)
            try:
                model.fit(batches, epochs=epochs, verbose=0, shuffle=False)
            except Exception as error:  # noqa: BLE001 (what Keras raised is the result)
                errors[name] = type(error).__name__
            results[name].append(accuracy(lambda v: model(v), x_test, y_test))
    control, bug = results[names[0]], results[names[1]]
    control_works = min(control) > 0.8
    silent = errors[names[1]] is None and max(bug) < 0.3
    result = (f"over {len(seeds)} seeds, right labels: {min(control):.0%}–{max(control):.0%} test "
              f"accuracy; labels shuffled apart from x: {min(bug):.0%}–{max(bug):.0%} (chance is "
              f"10%), and Keras raised {errors[names[1]] or 'nothing'}")
    verdict = ("false" if control_works and silent else
               "depends" if not control_works else "true")
    return Finding(f"trained one simple Keras network {epochs} epochs on the right labels and on "
                   f"labels shuffled apart from the images, with {len(seeds)} seeds", result,
                   verdict,
                   "simple networks have bugs that raise nothing; TensorFlow 2 runs eagerly, so "
                   "you debug either with print and pdb, or in graphs with "
                   "tf.config.run_functions_eagerly(True) and Debugger V2 (lesson 09)",
                   {"accuracy": results, "errors": errors})


# --- speed: fit and a hand-written loop at growing sizes --------------------------------------

def performance(sizes: tuple[tuple[int, int], ...] = ((2048, 64), (8192, 512)), *,
                batch: int = 256, repeats: int = 6) -> Finding:
    """Keras "for low-performance models", TensorFlow "for high-performance": one model and one
    ``tf.data`` pipeline, trained an epoch at a time by ``fit`` and by a ``tf.function`` loop, at
    growing sizes (``sizes``: examples and hidden units); and eagerly at the smallest."""
    import keras
    import tensorflow as tf

    from . import speed

    def make_model(width):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(shape=(64,)),
                                  keras.layers.Dense(width, activation="relu"),
                                  keras.layers.Dense(10)])
        model.compile(optimizer="adam",
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model

    def hand_loop(width, data, compiled):
        model = make_model(width)

        def step(x, y):
            with tf.GradientTape() as tape:
                loss = model.compute_loss(y=y, y_pred=model(x, training=True))
            model.optimizer.apply(tape.gradient(loss, model.trainable_variables),
                                  model.trainable_variables)
            return loss

        step = tf.function(step) if compiled else step

        def epoch():
            for x, y in data:
                step(x, y)
        return epoch

    def fit_epoch(model, data):
        return lambda: model.fit(data, epochs=1, verbose=0, shuffle=False)

    rng = np.random.default_rng(0)
    rows, comparisons = [], {}
    fit_model = None
    for n, width in sizes:
        x = rng.normal(size=(n, 64)).astype("float32")
        y = rng.integers(0, 10, size=n)
        data = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch).cache()
        fit_model = make_model(width)
        candidates = {"fit": fit_epoch(fit_model, data),
                      "tf.function loop": hand_loop(width, data, compiled=True)}
        if (n, width) == sizes[0]:
            eager_model = make_model(width)
            eager_model.compile(optimizer="adam", loss=eager_model.loss, run_eagerly=True)
            candidates["eager loop"] = hand_loop(width, data, compiled=False)
            candidates["fit, run_eagerly=True"] = fit_epoch(eager_model, data)
        steps = -(-n // batch)
        comparisons[(n, width)] = speed.compare(
            candidates, baseline="fit", positive_control=speed.repeated(candidates["fit"], 2),
            warmup=1, repeats=repeats, work=steps, work_unit="steps")
        rows.append(f"{n:,} examples, {width} hidden units ({steps} steps): tf.function loop "
                    f"{comparisons[(n, width)].verdict('tf.function loop')}")
    smallest, largest = comparisons[sizes[0]], comparisons[sizes[-1]]
    rows.append(f"at the smallest, the eager loop: {smallest.verdict('eager loop')}, fit with "
                f"run_eagerly=True: {smallest.verdict('fit, run_eagerly=True')}")
    # fit's train_function is a small Python function around a tf.function that runs the steps
    same_engine = any(isinstance(cell.cell_contents, tf.types.experimental.PolymorphicFunction)
                      for cell in fit_model.train_function.__closure__ or ())
    detected = all(c.control_detected for c in comparisons.values())
    eager_slow = smallest.slower("eager loop") and smallest.slower("fit, run_eagerly=True")
    if not detected:
        verdict, caveat = "depends", "a positive control was missed: the machine was too noisy to tell"
    elif not largest.faster("tf.function loop") and eager_slow:
        verdict = "false"
        caveat = ("fit runs its steps in a tf.function, the same engine as the hand loop; what "
                  "it adds per step (callbacks, logs) can show on a tiny model and fades as the "
                  "model grows. What is slow is eager execution, in either API; performance comes "
                  "from graphs, the input pipeline and the hardware (lesson 10)")
    else:
        verdict, caveat = "partly true", "a hand-written loop was measurably faster at the largest size"
    return Finding(f"trained the same model and tf.data pipeline one epoch at a time with fit and "
                   "with a hand-written tf.function loop at "
                   + " and ".join(f"{n:,} examples × {w} hidden units" for n, w in sizes)
                   + f", {repeats} repeats each with a positive control (fit twice); and eagerly, "
                   "by hand and by fit(run_eagerly=True)",
                   "; ".join(rows) + f"; fit runs its steps in a tf.function: {same_engine}",
                   verdict, caveat, {"comparisons": comparisons, "same_engine": same_engine})


# --- debugging tools: Debugger V2 and TensorBoard on the same bug ------------------------------

def tfdbg_vs_tensorboard(folder: str | Path) -> Finding:
    """Keras "uses TFDBG", TensorFlow "uses TensorBoard": one bug (a log of negative numbers in a
    Keras model trained by fit), looked at with TensorBoard's scalars and with Debugger V2;
    and the legacy TFDBG, tried on today's code."""
    import keras
    import tensorflow as tf
    from tensorflow.python.debug.lib.debug_events_reader import DebugDataReader

    from .logs import read_scalars

    folder = Path(folder)
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")  # half are negative
    y = np.zeros((64, 1), "float32")

    def model_with(log_of):
        keras.utils.set_random_seed(0)
        inputs = keras.Input(shape=(4,))
        logged = keras.layers.Lambda(log_of, name="log_of_inputs")(inputs)
        model = keras.Model(inputs, keras.layers.Dense(1)(logged))
        model.compile(optimizer="sgd", loss="mse")
        return model

    def buggy_model():  # the log of inputs of which half are negative
        return model_with(keras.ops.log)

    def clean_model():  # the negative control: the log of |x| + 1 is never NaN
        return model_with(lambda v: keras.ops.log(keras.ops.abs(v) + 1))

    # TensorBoard: the loss, as the Keras callback logs it
    buggy_model().fit(x, y, epochs=2, batch_size=32, verbose=0,
                      callbacks=[keras.callbacks.TensorBoard(str(folder / "tensorboard"))])
    losses = read_scalars(folder / "tensorboard" / "train").get("epoch_loss", [])
    tensorboard_saw = [value for _, value in losses]

    def first_bad_op(make_model, dump):
        """Debugger V2: every op's health while the model trains one step; the first op whose
        output held an infinity or a NaN."""
        dump_writer = tf.debugging.experimental.enable_dump_debug_info(
            str(dump), tensor_debug_mode="CURT_HEALTH", circular_buffer_size=-1)
        try:
            make_model().fit(x[:32], y[:32], epochs=1, batch_size=32, verbose=0)
            dump_writer.FlushNonExecutionFiles()  # events wait in buffers until flushed
            dump_writer.FlushExecutionFiles()
        finally:
            tf.debugging.experimental.disable_dump_debug_info()
        with DebugDataReader(str(dump)) as reader:
            reader.update()
            for trace in reader.graph_execution_traces():
                # CURT_HEALTH: [tensor id, 1.0 if any inf or nan]
                if trace.debug_tensor_value and trace.debug_tensor_value[1] > 0:
                    return trace.op_type
        return None

    first_bad = first_bad_op(buggy_model, folder / "debugger_v2")
    clean_bad = first_bad_op(clean_model, folder / "debugger_v2_clean")
    # the legacy TFDBG wraps a tf.compat.v1.Session; fit and tf.function never create one
    from tensorflow.python.client import session as v1_session
    from tensorflow.python.debug.wrappers import local_cli_wrapper
    wraps_session = issubclass(local_cli_wrapper.LocalCLIDebugWrapperSession,
                               v1_session.SessionInterface)
    no_session = tf.compat.v1.get_default_session() is None
    legacy = (f"its wrapper is a tf.compat.v1 Session interface: {wraps_session}; a Session "
              f"during fit: {not no_session}")
    nan_loss = bool(tensorboard_saw) and all(np.isnan(v) for v in tensorboard_saw)
    result = (f"TensorBoard's scalars showed the loss as {tensorboard_saw[0] if tensorboard_saw else 'nothing'} "
              f"(no op named); Debugger V2 named the first op whose output held a NaN: "
              f"{first_bad} (and none in the same model without the bug: {clean_bad is None}); the legacy TFDBG on today's code: {legacy}")
    both_work = nan_loss and first_bad == "Log" and clean_bad is None
    verdict = "false" if both_work else "depends"
    caveat = ("both tools are TensorFlow's and work on Keras models and plain TensorFlow code "
              "alike; TensorBoard shows that something went wrong, Debugger V2 (shown in "
              "TensorBoard) where; TFDBG is the TensorFlow 1 debugger, still shipped for "
              "tf.compat.v1 sessions only (lesson 09)" if both_work else
              "one of the tools did not see the bug here: look at the result")
    return Finding("trained a Keras model with a log of negative inputs by fit, with the "
                   "TensorBoard callback, then under Debugger V2 (CURT_HEALTH), and read both; "
                   "the same model without the bug under Debugger V2 as a control",
                   result, verdict, caveat,
                   {"tensorboard": tensorboard_saw, "first_bad_op": first_bad,
                    "clean_first_bad_op": clean_bad, "legacy": legacy})


# --- the introduction's claims ----------------------------------------------------------------

def devices() -> Finding:
    """"TensorFlow runs on CPUs, GPUs and mobile": the devices here, whether this build has CUDA
    kernels, and a small Keras model converted to LiteRT (TensorFlow Lite's new name) and run by
    its interpreter, its outputs compared with the model's."""
    import contextlib
    import io

    import keras
    import tensorflow as tf

    cpus = len(tf.config.list_physical_devices("CPU"))
    gpus = len(tf.config.list_physical_devices("GPU"))
    cuda = tf.test.is_built_with_cuda()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(2)])
    x = np.random.default_rng(0).normal(size=(1, 8)).astype("float32")
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        # the converter prints the temporary folder it exports to; the interpreter warns that it
        # moves to the ai_edge_litert package (the caveat says so)
        warnings.simplefilter("ignore")
        flatbuffer = tf.lite.TFLiteConverter.from_keras_model(model).convert()
        interpreter = tf.lite.Interpreter(model_content=flatbuffer)
        interpreter.allocate_tensors()
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
        interpreter.invoke()
        lite = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    same = bool(np.allclose(lite, np.asarray(model(x)), atol=1e-5))
    result = (f"{cpus} CPU and {gpus} GPU devices here; this TensorFlow build has CUDA kernels: "
              f"{cuda}; a Keras model converted to a {len(flatbuffer):,}-byte LiteRT flatbuffer "
              f"gave the model's outputs in the LiteRT interpreter: {same}")
    verdict = "true" if cpus and cuda and same else "partly true"
    return Finding("listed the devices, asked the build for CUDA, and converted and ran a model "
                   "with LiteRT (tf.lite)", result, verdict,
                   "a GPU needs the NVIDIA driver and CUDA libraries at run time (none here); "
                   "mobile means LiteRT, whose interpreter now ships as the ai_edge_litert "
                   "package (tf.lite.Interpreter warns that it moves there)",
                   {"cpus": cpus, "gpus": gpus, "cuda": cuda, "litert_same": same})


def wrappers() -> Finding:
    """"TensorFlow has wrappers in C++ and Java": the C and C++ headers in the installed package,
    and the dated facts on TensorFlow Java."""
    import tensorflow as tf

    from .ledger_facts import facts_for

    include = Path(tf.__file__).parent / "include" / "tensorflow"
    c_api = (include / "c" / "c_api.h").exists()
    cc_headers = sum(1 for _ in (include / "cc").rglob("*.h")) if (include / "cc").is_dir() else 0
    facts = {f.key: f for f in facts_for("intro_wrappers")}
    java = facts.get("tfjava_latest_release")
    result = (f"the installed tensorflow has the C API header (c_api.h): {c_api}, and "
              f"{cc_headers} C++ API headers (tensorflow/cc)"
              + (f"; {java.statement}" if java else ""))
    verdict = "true" if c_api and cc_headers and java else "partly true"
    return Finding("looked for the C and C++ API headers in the installed package; dated facts "
                   "on TensorFlow Java (k2tf/ledger_facts.py)", result, verdict,
                   "Java is TensorFlow Java, kept by the community's SIG JVM, not Google's core "
                   "team; Python is where TensorFlow's training APIs and Keras live",
                   {"c_api": c_api, "cc_headers": cc_headers})


def from_facts(row: str) -> Finding:
    """The "authors" and "community" rows, from the dated facts and the installed packages'
    metadata."""
    import importlib.metadata

    from .ledger_facts import facts_for

    facts = facts_for(row)
    if not facts:
        raise ValueError(f"no facts kept for the row {row!r}")
    statements = " ".join(f.statement for f in facts)
    dates = sorted({f.as_of for f in facts})
    if row == "authors":
        keras_author = importlib.metadata.metadata("keras").get("Author-email") or ""
        merged = any(f.key == "google_brain_merged" for f in facts)
        first = any(f.key == "keras_first_commit" for f in facts)
        verdict = "true but outdated" if merged and first else "partly true"
        caveat = ("Chollet started Keras in 2015 and a large group develops it (the package's "
                  f"author is now {keras_author.split('<')[0].strip() or 'the Keras team'}); "
                  "Google Brain no longer exists: it became part of Google DeepMind in 2023")
    elif row == "community":
        contributors = {f.key: f.value for f in facts}
        recent = contributors.get("keras_contributors_12m")
        verdict = "false" if isinstance(recent, int) and recent > 50 else "depends"
        caveat = ("Keras's community is large, not minimal; and Keras is TensorFlow's own "
                  "high-level API, so the two communities largely overlap")
    else:
        raise ValueError(f"the row {row!r} is not made of facts")
    return Finding(f"dated facts counted from public git histories and release pages "
                   f"({', '.join(dates)}), kept in k2tf/ledger_facts.py", statements, verdict,
                   caveat, {"facts": facts})


def backends(runs: dict, tolerance: float = 0.03, ways_agree: bool | None = None) -> Finding:
    """Keras "on top of TensorFlow, CNTK and Theano", TensorFlow "high- and low-level APIs": the
    same model trained on each installed backend (``runs`` from :func:`k2tf.backends.run_both`),
    and whether one layer written four ways gave one result (``ways_agree``)."""
    ran = [name for name, run in runs.items() if run.ok]
    shipped = keras_backends()
    gaps = [run.accuracy for run in runs.values() if run.ok]
    agree = len(gaps) >= 2 and max(gaps) - min(gaps) <= tolerance
    result = (f"the same model trained on {', '.join(ran) or 'no backend'} "
              + (f"with test accuracies {', '.join(f'{runs[n].accuracy:.1%}' for n in ran)} "
                 f"({'within' if agree else 'not within'} {tolerance:.0%})" if ran else "")
              + f"; Keras {_keras_version()} ships backends {', '.join(shipped)}"
              + ("" if ways_agree is None else
                 f"; one dense layer as a Keras layer, keras.ops, tf ops and tf.raw_ops gave one "
                 f"result: {ways_agree}"))
    from .ledger_facts import facts_for

    gone = not {"theano", "cntk"} & set(shipped)
    verdict = ("true but outdated" if gone and agree and ways_agree is not False else
               "partly true")
    history = " ".join(f.statement for f in facts_for("backends"))
    return Finding("trained one model, data and seed under KERAS_BACKEND=tensorflow and =jax, "
                   "each in its own process; wrote one layer four ways; a dated fact on "
                   "Keras's history", result, verdict,
                   f"{history} Keras 3 runs on TensorFlow, JAX and PyTorch again. TensorFlow "
                   "does offer both levels, and its high level is Keras itself (tf.keras)",
                   {"runs": runs})


def keras_on_theano(runs: dict) -> Finding:
    """The introduction's "Keras runs on top of Theano or TensorFlow", from the same runs."""
    ran = [name for name, run in runs.items() if run.ok]
    shipped = keras_backends()
    verdict = "true but outdated" if "tensorflow" in ran and "theano" not in shipped else "partly true"
    return Finding("the two-backend run of the first row", f"ran on {', '.join(ran)}; Theano is "
                   f"{'not ' if 'theano' not in shipped else ''}among Keras's backends",
                   verdict, "TensorFlow yes; Theano no longer: Keras 2.2.5 was the last release "
                   "to support it; Keras 3 has JAX and PyTorch instead")


def selection(key: str) -> Finding:
    """One row of the article's "which to select" list, answered by the decision guide."""
    from .decision_guide import selection_list

    rows = {s.key: s for s in selection_list()}
    if key not in rows:
        raise KeyError(f"no selection row {key!r}")
    row = rows[key]
    verdict = {"agree": "true", "disagree": "false", "depends": "depends",
               "half right": "partly true"}[row.verdict]
    return Finding(f"asked the decision guide for {row.who}",
                   f"the guide says: {row.recommendation.text} "
                   f"(notebooks/{row.recommendation.lesson}.ipynb)", verdict, row.reason,
                   {"selection": row})


def _keras_version() -> str:
    import keras
    return keras.__version__
