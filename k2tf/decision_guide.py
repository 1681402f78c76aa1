"""Keras or TensorFlow, for *your* work: the decision guide of lesson 11.

:func:`recommend` is the whole logic, a pure function from a :class:`Situation` to a
:class:`Recommendation` (what to use, why, and the lesson to read), so it can be read and tested
without a browser. :func:`selection_list` answers, row by row, the popular article's "which to
select" list with the guide's recommendation and a verdict. :class:`DecisionGuide` is the
ipywidgets form that lesson 11 shows: describe your situation and the recommendation updates as
you click.

Since Keras 3 is TensorFlow's own high-level API (and also runs on JAX and PyTorch), "Keras or
TensorFlow" mostly means *how far down the stack*: ``fit`` (lesson 03), then ``train_step``
overridden (lesson 07), then your own loop with ``tf.GradientTape`` (lesson 05). The axes the
article misses are where TensorFlow itself matters: deployment, the backend, a time budget, and
several machines.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

#: Who you are, as the form offers it.
ROLES = ("student", "researcher", "industry", "intern", "teacher")
#: Where the trained model has to run.
DEPLOYMENTS = ("none", "server", "mobile or edge", "browser")
#: The Keras 3 backend you want ("any": no preference).
BACKENDS = ("tensorflow", "jax", "torch", "any")
#: A time budget of at most this many weeks (about three months) is a short one.
SHORT_BUDGET_WEEKS = 13
#: Whether Keras ``fit`` trains under ``MultiWorkerMirroredStrategy`` with two or more workers.
#: Measured by lesson 10 on the pinned versions (Keras 3.15.1: it fails, keras-team/keras#20585,
#: tensorflow/tensorflow#72388); lesson 10 recomputes it, and passes its own verdict to
#: :func:`recommend` (``multi_worker_fit_works=``) instead of trusting this constant forever.
KNOWN_MULTI_WORKER_FIT_WORKS = False

_CHOICES = {"role": ROLES, "deployment": DEPLOYMENTS, "backend": BACKENDS}


@dataclass(frozen=True)
class Situation:
    """What you are working on, in the terms of the guide.

    The first five fields are the guide's original ones (positional, in this order); the others
    are the axes the article's list misses, with defaults that change nothing.
    """

    role: str = "student"
    first_week_with_python: bool = False  # new to Python (also: "I don't even know Python")
    needs_custom_loss: bool = False
    needs_custom_loop: bool = False
    needs_several_devices: bool = False  # several GPUs (or other devices) on one machine
    several_machines: bool = False  # training across machines (multi-worker)
    feature_extraction: bool = False  # features from a pretrained model
    deployment: str = "none"
    backend: str = "tensorflow"
    weeks: int | None = None  # the time budget; None: no deadline

    def __post_init__(self):
        for name, choices in _CHOICES.items():
            if getattr(self, name) not in choices:
                raise ValueError(f"{name} must be one of {choices}, not {getattr(self, name)!r}")
        for field in fields(self):
            value = getattr(self, field.name)
            # field.type is the annotation as written ("bool"): annotations are postponed here
            if field.type == "bool" and not isinstance(value, bool):
                raise ValueError(f"{field.name} must be True or False, not {value!r}")
        weeks = self.weeks
        if weeks is not None and (type(weeks) is not int or weeks < 1):
            raise ValueError(f"weeks must be a whole number of weeks (1 or more) or None for no "
                             f"deadline, not {self.weeks!r}")


@dataclass(frozen=True)
class Recommendation:
    """What to use (``text``), why (``reason``), and the lesson to read (``lesson``)."""

    text: str
    reason: str
    lesson: str


# How each step down the stack is written on another backend than TensorFlow.
_BACKEND_CHANGES = {
    ("jax", "fit"): "the same Keras model code and fit run unchanged on JAX",
    ("jax", "step"): "a train_step override is written per backend: on JAX it is a pure function "
                     "of the state (stateless_call and jax.value_and_grad), not lesson 07's "
                     "GradientTape step",
    ("jax", "loop"): "the loop uses jax.value_and_grad with model.stateless_call instead of "
                     "tf.GradientTape, and jax.jit instead of tf.function",
    ("jax", "distribute"): "keras.distribution (DataParallel, ModelParallel) replaces "
                           "tf.distribute, so lesson 10's TensorFlow verdicts do not apply",
    ("torch", "fit"): "the same Keras model code and fit run on PyTorch (this course runs only "
                      "TensorFlow and JAX)",
    ("torch", "step"): "a train_step override computes gradients with torch autograd "
                       "(loss.backward()) instead of GradientTape",
    ("torch", "loop"): "the loop computes gradients with torch autograd (loss.backward()) "
                       "instead of tf.GradientTape",
    ("torch", "distribute"): "PyTorch's own distributed training replaces tf.distribute",
}
_DEPLOY = {
    "server": "model.export(path) writes a SavedModel that TF Serving serves.",
    "mobile or edge": "convert the model with LiteRT (formerly TensorFlow Lite) for phones and "
                      "edge devices; Keras 3.15 writes it with model.export(path, format='litert').",
    "browser": "model.export(path) writes a SavedModel; the TF.js converter "
               "(tensorflowjs_converter) turns it into a model that runs in the browser.",
}


def _down_the_stack(s: Situation, multi_worker_fit_works: bool) -> tuple[str, str, str, str]:
    """(level, text, reason, lesson): how far down the stack to go. The first rule that applies
    wins, most basic need first."""
    if s.first_week_with_python:
        return ("fit", "Python basics first (variables, functions, lists, NumPy), then Keras: "
                "Sequential, compile, fit.",
                "Keras is Python too: without the basics every error message is a wall. Then fit "
                "gives a working model in ten lines, and nothing you learn there is lost when you "
                "go lower.", "01_keras_in_ten_minutes")
    if s.several_machines and not multi_worker_fit_works:
        return ("distribute", "Across machines: your own loop with strategy.run under "
                "MultiWorkerMirroredStrategy, or tf_keras (Keras 2, TF_USE_LEGACY_KERAS=1) with fit.",
                "Lesson 10 found that Keras 3 fit fails under MultiWorkerMirroredStrategy with two "
                "or more workers (keras-team/keras#20585), while a custom loop and tf_keras work; "
                "lesson 10 recomputes this verdict on your versions.", "10_scaling_up")
    if s.several_machines:
        return ("distribute", "Keras fit inside a MultiWorkerMirroredStrategy scope.",
                "Lesson 10 found that fit trains across workers on these versions; distribution "
                "is a TensorFlow strategy around Keras code, not a different library.",
                "10_scaling_up")
    if s.needs_several_devices:
        return ("distribute", "Keras fit inside a tf.distribute strategy scope; your own loop "
                "with strategy.run when fit cannot do it.",
                "Distribution is a TensorFlow strategy around Keras code, not a different "
                "library: on one machine fit trains under MirroredStrategy on all its devices.",
                "10_scaling_up")
    if s.needs_custom_loop:
        return ("loop", "A custom training loop: tf.GradientTape, an optimizer and tf.function, "
                "with a Keras model inside.",
                "When the loop itself changes (several optimizers, unusual schedules, research on "
                "training), write it; Keras layers, losses and metrics still do the rest.",
                "05_custom_training_loop")
    if s.needs_custom_loss:
        return ("step", "Keras with your own loss function passed to compile, or train_step "
                "overridden.",
                "A custom loss does not need a custom loop: fit takes any function of (y_true, "
                "y_pred), and train_step gives you the whole step while keeping callbacks and "
                "distribution.", "07_customizing_fit")
    if s.feature_extraction:
        return ("fit", "Keras: a pretrained model from keras.applications as a feature "
                "extractor; the functional API gives you any intermediate layer's output.",
                "Features from a pretrained model are a few lines of Keras; note that the weights "
                "download at run time, which this course never does.",
                "02_functional_and_subclassed_models")
    if s.role == "intern" or (s.weeks is not None and s.weeks <= SHORT_BUDGET_WEEKS):
        return ("fit", "Keras fit with callbacks, checkpoints and TensorBoard; go lower only when "
                "a need forces you.",
                "On a time budget fit gets a working, monitored model fastest, and it is no slower: "
                "fit runs a tf.function loop, the same engine as a hand-written graph loop.",
                "03_training_with_fit")
    if s.role == "researcher":
        return ("step", "Keras models with train_step overridden where you experiment; your own "
                "loop when you research the training algorithm itself.",
                "New layers, losses and models are Keras (you keep fit's logging, callbacks and "
                "distribution); only research on the loop itself needs a custom loop, in "
                "TensorFlow or JAX, and Keras 3 lets you pick the backend.", "07_customizing_fit")
    if s.role == "industry":
        return ("fit", "Keras fit with a tf.data pipeline, callbacks, checkpoints and TensorBoard.",
                "fit runs its steps in a TensorFlow graph, the engine of a hand-written loop, and it "
                "streams a tf.data dataset of any size; the engineering is in the input pipeline "
                "and in monitoring.", "03_training_with_fit")
    if s.role == "teacher":
        return ("fit", "Keras fit first, then down the stack: train_step, your own loop, graphs "
                "and debuggers, in this course's order.",
                "Students get results in the first hour, and each step down reuses what they "
                "learned: Keras 3 is TensorFlow's own high-level API.", "01_keras_in_ten_minutes")
    return ("fit", "Keras fit, then the lessons that go down the stack.",
            "Start where results come quickly; learn the TensorFlow underneath when you need it — "
            "it is the same library.", "01_keras_in_ten_minutes")


def recommend(situation: Situation, multi_worker_fit_works: bool | None = None) -> Recommendation:
    """The guide's advice for ``situation``: how far down the stack to go, then what the backend
    and the deployment add.

    ``multi_worker_fit_works`` is lesson 10's verdict on Keras fit under
    ``MultiWorkerMirroredStrategy``; ``None`` takes :data:`KNOWN_MULTI_WORKER_FIT_WORKS`.
    """
    if multi_worker_fit_works is None:
        multi_worker_fit_works = KNOWN_MULTI_WORKER_FIT_WORKS
    if not isinstance(multi_worker_fit_works, bool):
        raise ValueError(f"multi_worker_fit_works must be True, False or None, "
                         f"not {multi_worker_fit_works!r}")
    level, text, reason, lesson = _down_the_stack(situation, multi_worker_fit_works)
    backend = situation.backend
    if backend in ("jax", "torch"):
        name = {"jax": "JAX", "torch": "PyTorch"}[backend]
        text += f" On {name} (KERAS_BACKEND={backend}): {_BACKEND_CHANGES[backend, level]}."
        reason += (" Keras 3 runs the same model code on TensorFlow, JAX and PyTorch (lesson 11 "
                   "trains it on TensorFlow and JAX); only what is written below Keras changes.")
    if situation.deployment != "none":
        text += f" Deploy: {_DEPLOY[situation.deployment]}"
        reason += (" Deployment is TensorFlow's real advantage: SavedModel, TF Serving, LiteRT and "
                   "TF.js. With the TensorFlow backend model.export() writes a SavedModel")
        reason += {"tensorflow": ".",
                   "any": ", so pick the TensorFlow backend.",
                   "jax": "; on JAX it goes through jax2tf, so check the export on your versions.",
                   "torch": "; on PyTorch export goes another way (ONNX or torch.export), so "
                            "check it on your versions."}[backend]
    return Recommendation(text, reason, lesson)


@dataclass(frozen=True)
class Selection:
    """One row of the article's "which to select" list, answered by the guide.

    ``key`` is lesson 11's ledger row id; ``article_says`` is the article's choice ("TensorFlow"
    or "Keras"); ``situation`` models the person and ``recommendation`` is
    ``recommend(situation)``; ``verdict`` ("agree", "disagree", "depends", "half right") judges
    the article's choice against it, for the ``reason`` given; ``ledger_rows`` are the ids of
    lesson 11's ledger rows that hold the evidence.
    """

    key: str
    who: str
    article_says: str
    situation: Situation
    recommendation: Recommendation
    verdict: str
    reason: str
    ledger_rows: tuple[str, ...] = ()


VERDICTS = ("agree", "disagree", "depends", "half right")

# The article's list, in its order: (key, who, article_says, situation, verdict, reason, rows).
_ARTICLE_LIST = (
    ("select_phd", "You are a Ph.D. student", "TensorFlow", Situation("researcher"), "depends",
     "It depends on what you research: new layers, losses or models are Keras (custom layers, "
     "losses, train_step); research on the training algorithm itself needs your own loop, with "
     "TensorFlow's GradientTape or JAX, whose backend Keras 3 leaves free.",
     ("select_phd", "quick_vs_research", "backends")),
    ("select_more_features", "You want to use deep learning to get more features", "Keras",
     Situation(feature_extraction=True), "agree",
     "The phrase is vague, but read either way (feature extraction, or more capabilities) Keras "
     "covers it: pretrained models in keras.applications, any intermediate layer through the "
     "functional API, and all of TensorFlow underneath.",
     ("select_more_features", "architecture", "backends")),
    ("select_industry", "You work in industry", "TensorFlow",
     Situation("industry", deployment="server"), "half right",
     "TensorFlow's real advantage in industry is deployment (SavedModel, TF Serving, LiteRT, "
     "TF.js), but you still train with Keras: fit runs its steps in a tf.function, the engine of a "
     "hand-written loop, streams any tf.data dataset, and TensorBoard works for both.",
     ("select_industry", "performance", "dataset_size", "tfdbg_vs_tensorboard")),
    ("select_internship", "You have just started a 2-month internship", "Keras",
     Situation("intern", weeks=8), "agree",
     "On a two-month budget fit gets a working, monitored model fastest, on the same TensorFlow "
     "engine as a hand-written graph loop; go lower only when needed.",
     ("select_internship", "quick_vs_research", "performance")),
    ("select_teaching", "You want to give practice work to students", "Keras",
     Situation("teacher"), "agree",
     "Keras fit first, then down the stack (train_step, your own loop, graphs, debuggers): each "
     "step reuses the last, since Keras 3 is TensorFlow's own high-level API.",
     ("select_teaching", "backends", "quick_vs_research")),
    ("select_no_python", "You don't even know Python", "Keras",
     Situation(first_week_with_python=True), "half right",
     "Keras is Python too, so the first step is Python basics; after them Keras fit is the right "
     "start, as the article says.",
     ("select_no_python", "python_vs_syntax")),
)


def selection_list() -> tuple[Selection, ...]:
    """The article's "which to select" list, row by row in its order, each with the guide's
    recommendation for that person and the verdict on the article's choice."""
    return tuple(Selection(key, who, says, situation, recommend(situation), verdict, reason, rows)
                 for key, who, says, situation, verdict, reason, rows in _ARTICLE_LIST)


#: The form's labels: what each control asks, in words.
LABELS = {
    "role": "I am a",
    "first_week_with_python": "I am new to Python (or don't know it yet)",
    "needs_custom_loss": "I need a loss function of my own",
    "needs_custom_loop": "I need to change the training loop itself",
    "needs_several_devices": "I need to train on several GPUs of one machine",
    "several_machines": "I need to train across several machines",
    "feature_extraction": "I want features from a pretrained model",
    "deployment": "the model must run on",
    "backend": "Keras backend",
    "weeks": "time budget",
}
#: The time budgets the form offers, in weeks (None: no deadline).
WEEK_BUDGETS = (("no deadline", None), ("1 week", 1), ("2 weeks", 2), ("1 month", 4),
                ("2 months", 8), ("3 months", 13), ("6 months", 26), ("1 year", 52))


def render(recommendation: Recommendation) -> str:
    """The recommendation as the HTML the form shows."""
    return (f"<b>Use:</b> {recommendation.text}<br><b>Why:</b> {recommendation.reason}<br>"
            f"<b>Read:</b> <code>notebooks/{recommendation.lesson}.ipynb</code>")


class DecisionGuide:
    """The decision guide as a form: a control for each field of :class:`Situation`, and the
    recommendation, which updates as you click.

    ``multi_worker_fit_works`` is lesson 10's verdict, passed on to :func:`recommend`.
    """

    def __init__(self, situation: Situation = Situation(),
                 multi_worker_fit_works: bool | None = None):
        self.situation = situation
        self.multi_worker_fit_works = multi_worker_fit_works
        self._widget = None
        self._syncing = False  # True while the form's controls are set from the situation
        self.controls: dict = {}
        self.result = None

    @property
    def recommendation(self) -> Recommendation:
        return recommend(self.situation, self.multi_worker_fit_works)

    def set(self, **changes) -> Recommendation:
        """Change the situation (as the form's controls do) and return the new recommendation."""
        self.situation = replace(self.situation, **changes)
        if self.result is not None:
            self._show()
        return self.recommendation

    def _show(self):
        """Put the situation into the controls (without their events) and its recommendation
        into the result."""
        self._syncing = True
        try:
            for name, control in self.controls.items():
                value = getattr(self.situation, name)
                if name == "weeks" and value not in [v for _, v in control.options]:
                    control.options = _week_options(value)
                control.value = value
                if name == "weeks" and value is None:
                    # a Dropdown whose value becomes None selects no option (ipywidgets 8), even
                    # when None is an option's value: select "no deadline" by its index
                    control.index = [v for _, v in control.options].index(None)
        finally:
            self._syncing = False
        self.result.value = render(self.recommendation)

    def _changed(self, name, change):
        if not self._syncing:
            self.set(**{name: change["new"]})

    @property
    def widget(self):
        if self._widget is None:
            import ipywidgets as w

            style = {"description_width": "initial"}
            for field in fields(Situation):
                name, label = field.name, LABELS[field.name]
                value = getattr(self.situation, name)
                if field.type == "bool":
                    control = w.Checkbox(value=value, description=label, indent=False,
                                         layout=w.Layout(width="auto"))
                elif name == "weeks":
                    options = _week_options(value)
                    control = w.Dropdown(options=options, description=label, style=style,
                                         index=[v for _, v in options].index(value))
                elif name == "deployment":
                    control = w.Dropdown(options=DEPLOYMENTS, value=value, description=label,
                                         style=style)
                else:
                    control = w.ToggleButtons(options=_CHOICES[name], value=value,
                                              description=label, style=style)
                control.observe(lambda change, name=name: self._changed(name, change),
                                names="value")
                self.controls[name] = control
            self.result = w.HTML(render(self.recommendation))
            header = w.HTML("<b>Keras or TensorFlow?</b> Describe your situation; the "
                            "recommendation below updates as you click.")
            self._widget = w.VBox([header, *self.controls.values(), self.result])
        return self._widget

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = f"DecisionGuide({self.situation})"
        return bundle


def _week_options(weeks: int | None) -> list[tuple[str, int | None]]:
    """The form's time budgets, with ``weeks`` among them when it is none of the usual ones."""
    options = list(WEEK_BUDGETS)
    if weeks not in [v for _, v in options]:
        options.append((f"{weeks} weeks", weeks))
        options.sort(key=lambda option: -1 if option[1] is None else option[1])
    return options
