"""Keras or TensorFlow, for *your* work: the decision guide of lesson 11.

:func:`recommend` is the whole logic, a pure function from a :class:`Situation` to a
:class:`Recommendation` (what to use, why, and the lesson to read), so it can be read and tested
without a browser. :class:`DecisionGuide` is the ipywidgets form that lesson 11 shows: describe
your situation and the recommendation updates as you click.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

#: Who you are, as the form offers it.
ROLES = ("student", "researcher", "industry")


@dataclass(frozen=True)
class Situation:
    """What you are working on, in the terms of the guide."""

    role: str = "student"
    first_week_with_python: bool = False
    needs_custom_loss: bool = False
    needs_custom_loop: bool = False
    needs_several_devices: bool = False

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {self.role!r}")


@dataclass(frozen=True)
class Recommendation:
    """What to use (``text``), why (``reason``), and the lesson to read (``lesson``)."""

    text: str
    reason: str
    lesson: str


def recommend(situation: Situation) -> Recommendation:
    """The guide's advice for ``situation``. The first rule that applies wins, most basic need first."""
    if situation.first_week_with_python:
        return Recommendation(
            "Keras: Sequential, compile, fit.",
            "Learn Python and the ideas of training first; fit gives a working model in ten "
            "lines, and nothing you learn there is lost when you go lower.",
            "01_keras_in_ten_minutes")
    if situation.needs_several_devices:
        return Recommendation(
            "Keras fit inside a tf.distribute strategy scope; your own loop with strategy.run "
            "when fit cannot do it.",
            "Distribution is a TensorFlow strategy around Keras code, not a different library; "
            "across machines (MultiWorkerMirroredStrategy) today's Keras fit fails, so use a "
            "custom loop there.",
            "10_scaling_up")
    if situation.needs_custom_loop:
        return Recommendation(
            "A custom training loop: tf.GradientTape, an optimizer and tf.function, with a Keras "
            "model inside.",
            "When the loop itself changes (several optimizers, unusual schedules, research on "
            "training), write it; Keras layers, losses and metrics still do the rest.",
            "05_custom_training_loop")
    if situation.needs_custom_loss:
        return Recommendation(
            "Keras with your own loss function passed to compile, or train_step overridden.",
            "A custom loss does not need a custom loop: fit takes any function of (y_true, "
            "y_pred), and train_step gives you the whole step while keeping callbacks and "
            "distribution.",
            "07_customizing_fit")
    if situation.role == "researcher":
        return Recommendation(
            "Keras models with train_step overridden where you experiment.",
            "You keep fit's logging, callbacks and distribution, and change only the part you "
            "study; go down to a custom loop when the step is not enough.",
            "07_customizing_fit")
    if situation.role == "industry":
        return Recommendation(
            "Keras fit with a tf.data pipeline, callbacks, checkpoints and TensorBoard.",
            "fit compiles to a TensorFlow graph and is as fast as a hand-written loop; the "
            "engineering is in the input pipeline and in monitoring.",
            "03_training_with_fit")
    return Recommendation(
        "Keras fit, then the lessons that go down the stack.",
        "Start where results come quickly; learn the TensorFlow underneath when you need it — "
        "it is the same library.",
        "01_keras_in_ten_minutes")


#: The form's labels: what each control asks, in words.
LABELS = {
    "role": "I am a",
    "first_week_with_python": "this is my first week with Python",
    "needs_custom_loss": "I need a loss function of my own",
    "needs_custom_loop": "I need to change the training loop itself",
    "needs_several_devices": "I need to train on several GPUs or machines",
}


def render(recommendation: Recommendation) -> str:
    """The recommendation as the HTML the form shows."""
    return (f"<b>Use:</b> {recommendation.text}<br><b>Why:</b> {recommendation.reason}<br>"
            f"<b>Read:</b> <code>notebooks/{recommendation.lesson}.ipynb</code>")


class DecisionGuide:
    """The decision guide as a form: a role, four check boxes, and the recommendation."""

    def __init__(self, situation: Situation = Situation()):
        self.situation = situation
        self._widget = None
        self.controls: dict = {}
        self.result = None

    @property
    def recommendation(self) -> Recommendation:
        return recommend(self.situation)

    def set(self, **changes) -> Recommendation:
        """Change the situation (as the form's controls do) and return the new recommendation."""
        self.situation = replace(self.situation, **changes)
        if self.result is not None:
            self.result.value = render(self.recommendation)
        return self.recommendation

    @property
    def widget(self):
        if self._widget is None:
            import ipywidgets as w

            style = {"description_width": "initial"}
            layout = w.Layout(width="auto")
            self.controls = {"role": w.ToggleButtons(options=ROLES, value=self.situation.role,
                                                     description=LABELS["role"], style=style)}
            for field in fields(Situation)[1:]:
                self.controls[field.name] = w.Checkbox(
                    value=getattr(self.situation, field.name), description=LABELS[field.name],
                    indent=False, layout=layout)
            for name, control in self.controls.items():
                control.observe(lambda change, name=name: self.set(**{name: change["new"]}),
                                names="value")
            self.result = w.HTML(render(self.recommendation))
            header = w.HTML("<b>Keras or TensorFlow?</b> Describe your situation; the "
                            "recommendation below updates as you click.")
            self._widget = w.VBox([header, *self.controls.values(), self.result])
        return self._widget

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = f"DecisionGuide({self.situation})"
        return bundle
