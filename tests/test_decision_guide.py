"""The decision guide of lesson 11: the pure logic, and the form driven without a browser."""
from __future__ import annotations

from itertools import product
from pathlib import Path

import pytest

from k2tf.decision_guide import (LABELS, ROLES, DecisionGuide, Recommendation, Situation,
                                 recommend)

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def all_situations():
    for role, *flags in product(ROLES, *[(False, True)] * 4):
        yield Situation(role, *flags)


def test_every_situation_gets_a_reasoned_recommendation_and_an_existing_lesson():
    for situation in all_situations():
        r = recommend(situation)
        assert isinstance(r, Recommendation) and r.text and r.reason
        assert list(NOTEBOOKS.glob(f"{r.lesson}.ipynb")), r.lesson


@pytest.mark.parametrize("situation, lesson", [
    (Situation(first_week_with_python=True, needs_several_devices=True), "01_keras_in_ten_minutes"),
    (Situation("industry", needs_several_devices=True, needs_custom_loop=True), "10_scaling_up"),
    (Situation("researcher", needs_custom_loop=True, needs_custom_loss=True), "05_custom_training_loop"),
    (Situation("student", needs_custom_loss=True), "07_customizing_fit"),
    (Situation("researcher"), "07_customizing_fit"),
    (Situation("industry"), "03_training_with_fit"),
    (Situation("student"), "01_keras_in_ten_minutes"),
])
def test_the_first_rule_that_applies_wins(situation, lesson):
    assert recommend(situation).lesson == lesson


def test_an_unknown_role_is_refused():
    with pytest.raises(ValueError):
        Situation("wizard")


def test_the_form_has_descriptive_labels_and_updates_its_recommendation():
    pytest.importorskip("ipywidgets")
    guide = DecisionGuide()
    widget = guide.widget
    assert set(guide.controls) == set(LABELS)
    assert all(c.description == LABELS[name] for name, c in guide.controls.items())
    assert "01_keras_in_ten_minutes" in guide.result.value
    guide.controls["role"].value = "industry"
    assert "03_training_with_fit" in guide.result.value
    guide.controls["needs_several_devices"].value = True
    assert guide.situation == Situation("industry", needs_several_devices=True)
    assert "10_scaling_up" in guide.result.value
    assert widget is guide.widget
    assert guide._repr_mimebundle_()["text/plain"].startswith("DecisionGuide(")
