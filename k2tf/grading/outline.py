"""What feedback pages, the class report and Gradescope show about an exercise.

An exercise's outline is read from its solution notebook: its title (the notebook's H1,
``# Exercise 01 · Keras in ten minutes``), and each question's id, title and points from its
heading, ``## 01.q2 · Compile and train (3 points)`` (the points of the check cell count when
the two disagree). :data:`LESSON_SECTIONS` says which section of the lesson teaches each
question; a feedback page links there.
"""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

COURSE_TITLE = "From Keras to TensorFlow"
QUESTION_HEADING = re.compile(
    r"^##\s+(?P<id>\d\d\.q\d+)\s*·\s*(?P<title>.+?)\s*\((?P<points>\d+)\s+points?\)\s*$", re.M)
#: Where a student who lost points on a question reads again: ``make lab``'s JupyterLab.
DEFAULT_LESSON_URL = "http://127.0.0.1:8888/lab/tree/notebooks/"

#: The section of the lesson that teaches each question (its heading, as in the lesson).
LESSON_SECTIONS = {
    "00.q1": "How exercises and checks work",
    "00.q2": "Two things you will use in the warm-up",
    "00.q3": "Two things you will use in the warm-up",
    "00.q4": "What `k2tf.setup()` did",
    "01.q1": "Build a model",
    "01.q2": "Compile",
    "01.q3": "Evaluate",
    "01.q4": "Predict",
    "01.q5": "Training curves",
    "01.q6": "Logits and `from_logits=True`",
    "02.q1": "The functional API: layers called like functions",
    "02.q2": "Shared layers: one set of weights, used twice",
    "02.q3": "A layer of your own",
    "02.q4": "A model of your own",
    "02.q5": "Train a model with two outputs",
    "03.q1": "`EarlyStopping` and `ModelCheckpoint`",
    "03.q2": "A learning-rate schedule",
    "03.q3": "Write your own callback",
    "03.q4": "Save and load",
    "03.q5": "Explore hyperparameters",
    "03.q6": "Weigh the examples: `class_weight` and `sample_weight`",
    "03.q7": "Resume training: `initial_epoch`",
    "03.q8": "Give `fit` a `tf.data.Dataset`",
    "03.q9": "From Keras to TensorFlow's formats",
    "04.q1": "Broadcasting",
    "04.q2": "Variables",
    "04.q3": "Gradients with `tf.GradientTape`",
    "04.q4": "A second derivative",
    "04.q5": "A linear model fit by hand",
    "04.q6": "Why is my gradient `None`?",
    "05.q1": "The input pipeline: `tf.data`",
    "05.q2": "Regularisation and early stopping",
    "05.q3": "The pieces: loss, optimizer, metrics",
    "05.q4": "A training step",
    "05.q5": "Regularisation and early stopping",
    "05.q6": "Gradient clipping",
    "05.q7": "Checkpoint and resume",
    "06.q1": "`input_signature` and `reduce_retracing`",
    "06.q2": "AutoGraph: `if` and `for` on tensors",
    "06.q3": "Side effects: `print` vs `tf.print`",
    "06.q4": "Concrete functions and the traced graph",
    "06.q5": "Speed: eager, graph, XLA",
    "06.q6": "Python values are frozen at trace time",
    "06.q7": "A `for` over a dataset",
    "06.q8": "Variables: created once",
    "07.q1": "Override `train_step`",
    "07.q2": "A custom loss",
    "07.q3": "A custom metric",
    "07.q4": "What is in `self.metrics`",
    "07.q5": "Beyond classification: a denoising autoencoder",
    "07.q6": "Sample weights in your step",
    "07.q7": "A loss tracker of your own, and the `metrics` property",
    "07.q8": "Override `predict_step`",
    "08.q1": "Logs from `fit`: the Keras callback",
    "08.q2": "Summaries from your own training loop",
    "08.q3": "The graph of a `tf.function`",
    "08.q4": "A hyperparameter sweep",
    "08.q5": "The same numbers, read in code",
    "08.q6": "Summaries from your own training loop",
    "08.q7": "The Profiler: is training waiting for data?",
    "09.q1": "Shape and dtype bugs, caught early",
    "09.q2": "Second tool: Debugger V2 (TFDBG)",
    "09.q3": "First tool: `enable_check_numerics`",
    "09.q4": "Retracing warnings",
    "09.q5": "A training run that goes to NaN",
    "09.q6": "When `fit` fails: `run_eagerly=True`",
    "10.q1": "Where the time goes: the input pipeline",
    "10.q2": "Mixed precision",
    "10.q3": "Several devices: `MirroredStrategy`",
    "10.q4": "Several devices: `MirroredStrategy`",
    "10.q5": "Several machines: `MultiWorkerMirroredStrategy`",
    "10.q6": "Files: TFRecord and `interleave`",
    "10.q7": "One input pipeline per worker: `distribute_datasets_from_function`",
    "11.q1": '9 · "Keras is usually used for small datasets" — "TensorFlow for large datasets"',
    "11.q2": '11 · "Keras can be used for low-performance models" — "TensorFlow for high-performance models"',
    "11.q3": '4 · "Keras uses another debug tool such as TFDBG" — "TensorFlow: TensorBoard for debugging"',
    "11.q4": ('1 · "Keras runs on top of TensorFlow, CNTK and Theano" — "TensorFlow offers high- and '
              'low-level APIs"'),
    "11.q5": '13 · "Which to select"',
    "11.q6": ('1 · "Keras runs on top of TensorFlow, CNTK and Theano" — "TensorFlow offers high- and '
              'low-level APIs"'),
    "11.q7": ('1 · "Keras runs on top of TensorFlow, CNTK and Theano" — "TensorFlow offers high- and '
              'low-level APIs"'),
}


@dataclass(frozen=True)
class QuestionOutline:
    id: str
    title: str
    points: int
    section: str | None  # the lesson section that teaches it


@dataclass
class Outline:
    exercise: str  # NN_topic
    title: str  # "Exercise 01 · Keras in ten minutes"
    lesson_title: str  # "01 · Keras in ten minutes"
    questions: dict[str, QuestionOutline] = field(default_factory=dict)

    def lesson_link(self, question: str | None, base: str = DEFAULT_LESSON_URL) -> tuple[str, str]:
        """``(url, text)`` of the lesson section that teaches ``question`` (the lesson, if none)."""
        q = self.questions.get(question) if question else None
        section = q.section if q else None
        url = f"{base.rstrip('/')}/{self.exercise}.ipynb"
        text = f"Lesson {self.lesson_title}"
        if section:
            url += "#" + urllib.parse.quote(anchor(section), safe="-_.·")
            text += f" › {plain(section)}"
        return url, text


def plain(markdown: str) -> str:
    """A heading's text as rendered: no backticks, no emphasis."""
    text = re.sub(r"`([^`]*)`", r"\1", markdown)
    return re.sub(r"\*{1,2}([^*]+)\*{1,2}", r"\1", text).strip()


def anchor(heading: str) -> str:
    """The id JupyterLab gives a rendered heading: its text, spaces made dashes."""
    return plain(heading).replace(" ", "-")


def _h1(nb) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return plain(line[2:])
    return None


def read(course_root: Path, exercise: str) -> Outline:
    """The outline of ``exercise`` from ``solutions/`` (and its lesson's title from ``notebooks/``)."""
    import nbformat

    solution_path = course_root / "solutions" / f"{exercise}.ipynb"
    lesson_path = course_root / "notebooks" / f"{exercise}.ipynb"
    outline = Outline(exercise, exercise, exercise)
    try:
        solution = nbformat.read(str(solution_path), as_version=4)
    except Exception:  # noqa: BLE001 - an unreadable solution is reported by the grader itself
        return outline
    outline.title = _h1(solution) or exercise
    try:
        outline.lesson_title = _h1(nbformat.read(str(lesson_path), as_version=4)) or exercise
    except Exception:  # noqa: BLE001 - a course without lesson notebooks (Gradescope's zip)
        outline.lesson_title = exercise.replace("_", " ", 1)
    points = {c.metadata["k2tf"]["check"]: int(c.metadata["k2tf"].get("points", 0)) for c in solution.cells
              if c.cell_type == "code" and "check" in c.metadata.get("k2tf", {})}
    for cell in solution.cells:
        if cell.cell_type != "markdown":
            continue
        for match in QUESTION_HEADING.finditer(cell.source):
            qid = match["id"]
            outline.questions[qid] = QuestionOutline(qid, plain(match["title"]),
                                                     points.get(qid, int(match["points"])),
                                                     LESSON_SECTIONS.get(qid))
    for qid, p in points.items():  # a question without the usual heading still has a line
        outline.questions.setdefault(qid, QuestionOutline(qid, qid, p, LESSON_SECTIONS.get(qid)))
    return outline
