"""The decision guide of lesson 11: the pure logic, the article's list answered, and the form
driven without a browser."""
from __future__ import annotations

import dataclasses
from itertools import product
from pathlib import Path

import pytest

from k2tf import decision_guide
from k2tf.decision_guide import (BACKENDS, DEPLOYMENTS, LABELS, ROLES, VERDICTS, DecisionGuide,
                                 Recommendation, Selection, Situation, recommend, render,
                                 selection_list)

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def all_situations():
    for role, *flags in product(ROLES, *[(False, True)] * 6):
        for deployment, backend, weeks in product(DEPLOYMENTS, BACKENDS, (None, 8, 52)):
            yield Situation(role, *flags, deployment=deployment, backend=backend, weeks=weeks)


def test_every_situation_gets_a_reasoned_recommendation_and_an_existing_lesson():
    lessons = {path.stem for path in NOTEBOOKS.glob("*.ipynb")}
    for situation in all_situations():
        r = recommend(situation)
        assert isinstance(r, Recommendation) and r.text and r.reason
        assert r.lesson in lessons, r.lesson


# -- the five original fields keep their meaning --------------------------------------------

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


def test_the_original_fields_keep_their_order_and_the_recommendation_its_three_fields():
    ana = Situation("researcher", False, True, False, True)
    assert ana == Situation("researcher", first_week_with_python=False, needs_custom_loss=True,
                            needs_custom_loop=False, needs_several_devices=True)
    assert [f.name for f in dataclasses.fields(Situation)][:5] == [
        "role", "first_week_with_python", "needs_custom_loss", "needs_custom_loop",
        "needs_several_devices"]
    assert {"student", "researcher", "industry"} <= set(ROLES)
    advice = recommend(ana)
    # 11.q5 accepts a Recommendation rebuilt from these three fields, compared field by field
    assert [f.name for f in dataclasses.fields(Recommendation)] == ["text", "reason", "lesson"]
    assert advice == Recommendation(advice.text, advice.reason, advice.lesson)
    assert all(type(value) is str for value in dataclasses.astuple(advice))
    assert advice.lesson == "10_scaling_up" and "strategy" in advice.text
    assert advice != recommend(Situation("researcher"))


# -- the article's "which to select" list ---------------------------------------------------

EXPECTED = {  # key: (article_says, verdict, lesson)
    "select_phd": ("TensorFlow", "depends", "07_customizing_fit"),
    "select_more_features": ("Keras", "agree", "02_functional_and_subclassed_models"),
    "select_industry": ("TensorFlow", "half right", "03_training_with_fit"),
    "select_internship": ("Keras", "agree", "03_training_with_fit"),
    "select_teaching": ("Keras", "agree", "01_keras_in_ten_minutes"),
    "select_no_python": ("Keras", "half right", "01_keras_in_ten_minutes"),
}


def test_the_selection_list_answers_the_articles_six_rows_in_its_order():
    rows = selection_list()
    assert isinstance(rows, tuple) and all(isinstance(row, Selection) for row in rows)
    assert [row.key for row in rows] == list(EXPECTED)
    for row in rows:
        article_says, verdict, lesson = EXPECTED[row.key]
        assert (row.article_says, row.verdict, row.recommendation.lesson) == \
            (article_says, verdict, lesson), row.key
        assert row.recommendation == recommend(row.situation)
        assert row.verdict in VERDICTS and row.who and row.reason
        assert row.key in row.ledger_rows and all(type(r) is str for r in row.ledger_rows)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].verdict = "agree"


def by_key(key):
    return next(row for row in selection_list() if row.key == key)


def test_the_phd_row_depends_on_what_is_researched():
    phd = by_key("select_phd")
    assert phd.situation.role == "researcher"
    # new layers and losses stay in Keras; research on the loop itself goes down to a custom loop
    assert recommend(dataclasses.replace(phd.situation, needs_custom_loss=True)).lesson \
        == "07_customizing_fit"
    assert recommend(dataclasses.replace(phd.situation, needs_custom_loop=True)).lesson \
        == "05_custom_training_loop"
    assert "JAX" in phd.reason


def test_the_rows_reasons_cite_the_evidence():
    assert "keras.applications" in by_key("select_more_features").reason
    assert "download" in by_key("select_more_features").recommendation.reason
    industry = by_key("select_industry")
    assert "deployment" in industry.reason and "fit" in industry.reason
    assert "SavedModel" in industry.recommendation.text
    assert "Python" in by_key("select_no_python").recommendation.text
    assert by_key("select_internship").situation.weeks == 8
    assert "fit" in by_key("select_teaching").recommendation.text


# -- the axes the article misses ------------------------------------------------------------

@pytest.mark.parametrize("deployment, terms", [
    ("server", ("SavedModel", "model.export", "TF Serving")),
    ("mobile or edge", ("LiteRT",)),
    ("browser", ("TF.js",)),
])
def test_deployment_names_the_tensorflow_tool(deployment, terms):
    r = recommend(Situation("industry", deployment=deployment))
    assert all(term in r.text for term in terms), r.text
    assert r.lesson == recommend(Situation("industry")).lesson


def test_no_deployment_adds_nothing_and_another_backend_is_told_how_it_exports():
    assert "Deploy" not in recommend(Situation("industry")).text
    assert "jax2tf" in recommend(Situation("industry", deployment="server", backend="jax")).reason
    assert "TensorFlow backend" in recommend(
        Situation("industry", deployment="browser", backend="any")).reason


@pytest.mark.parametrize("situation, term", [
    (Situation(backend="jax"), "unchanged"),
    (Situation(backend="jax", needs_custom_loss=True), "stateless_call"),
    (Situation(backend="jax", needs_custom_loop=True), "jax.value_and_grad"),
    (Situation(backend="jax", needs_several_devices=True), "keras.distribution"),
    (Situation(backend="torch", needs_custom_loop=True), "loss.backward()"),
])
def test_another_backend_runs_the_same_keras_code_and_says_what_changes(situation, term):
    r = recommend(situation)
    tensorflow = recommend(dataclasses.replace(situation, backend="tensorflow"))
    assert r.lesson == tensorflow.lesson
    assert "Keras 3 runs the same model code" in r.reason
    assert term in r.text and term not in tensorflow.text


def test_several_machines_follow_lesson_10s_verdict_on_multi_worker_fit():
    machines = Situation("industry", several_machines=True)
    fails = recommend(machines, multi_worker_fit_works=False)
    assert "tf_keras" in fails.text and "own loop" in fails.text
    assert fails == recommend(machines)  # the known verdict on the pinned versions
    assert decision_guide.KNOWN_MULTI_WORKER_FIT_WORKS is False
    works = recommend(machines, multi_worker_fit_works=True)
    assert "fit" in works.text and "MultiWorkerMirroredStrategy" in works.text
    assert "tf_keras" not in works.text
    assert fails.lesson == works.lesson == "10_scaling_up"
    # one machine's devices do not depend on the multi-worker verdict
    one = Situation("industry", needs_several_devices=True)
    assert recommend(one, multi_worker_fit_works=False) == recommend(one, multi_worker_fit_works=True)


def test_a_time_budget_keeps_you_on_fit_unless_a_need_sends_you_lower():
    assert recommend(Situation("researcher", weeks=4)).lesson == "03_training_with_fit"
    assert recommend(Situation("researcher", weeks=52)).lesson == "07_customizing_fit"
    assert recommend(Situation("student", weeks=8, needs_custom_loop=True)).lesson \
        == "05_custom_training_loop"


@pytest.mark.parametrize("changes, message", [
    (dict(role="wizard"), "role must be one of"),
    (dict(deployment="moon"), "deployment must be one of"),
    (dict(backend="theano"), "backend must be one of"),
    (dict(weeks=0), "weeks must be"),
    (dict(weeks=2.5), "weeks must be"),
    (dict(weeks=True), "weeks must be"),
    (dict(several_machines="yes"), "several_machines must be True or False"),
    (dict(needs_custom_loss=1), "needs_custom_loss must be True or False"),
])
def test_invalid_values_are_refused_with_a_clear_message(changes, message):
    with pytest.raises(ValueError, match=message):
        Situation(**changes)


def test_an_invalid_multi_worker_verdict_is_refused():
    with pytest.raises(ValueError, match="multi_worker_fit_works"):
        recommend(Situation(), multi_worker_fit_works="no")


# -- the form -------------------------------------------------------------------------------

def test_the_form_has_descriptive_labels_and_updates_its_recommendation():
    pytest.importorskip("ipywidgets")
    guide = DecisionGuide()
    widget = guide.widget
    assert list(guide.controls) == [f.name for f in dataclasses.fields(Situation)]
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


@pytest.mark.parametrize("row", selection_list(), ids=lambda row: row.key)
def test_the_forms_controls_and_the_function_agree_on_every_row_of_the_list(row):
    pytest.importorskip("ipywidgets")
    guide = DecisionGuide(Situation("industry", several_machines=True, deployment="browser",
                                    backend="jax", weeks=52))
    guide.widget
    for name, control in guide.controls.items():
        control.value = getattr(row.situation, name)
    assert guide.situation == row.situation
    assert guide.result.value == render(recommend(row.situation))
    assert guide.recommendation == row.recommendation


def test_set_in_code_moves_the_controls_and_returns_what_recommend_returns():
    pytest.importorskip("ipywidgets")
    guide = DecisionGuide()
    guide.widget
    changes = dict(role="intern", weeks=5, deployment="mobile or edge", backend="jax",
                   several_machines=True)
    advice = guide.set(**changes)
    assert advice == recommend(Situation(**changes))
    assert {name: guide.controls[name].value for name in changes} == changes
    assert guide.controls["weeks"].label == "5 weeks"
    assert guide.result.value == render(advice)
    guide.set(weeks=None)
    assert guide.controls["weeks"].label == "no deadline"
    weeks = guide.controls["weeks"]
    weeks.index = [value for _, value in weeks.options].index(8)  # as the browser sets it
    assert guide.situation.weeks == 8
    weeks.index = 0
    assert guide.situation.weeks is None and weeks.label == "no deadline"
    with pytest.raises(ValueError):
        guide.set(role="wizard")
    assert guide.situation.role == "intern"


def test_the_form_passes_lesson_10s_verdict_on():
    guide = DecisionGuide(Situation("industry", several_machines=True), multi_worker_fit_works=True)
    assert guide.recommendation == recommend(guide.situation, multi_worker_fit_works=True)
    assert "tf_keras" not in guide.recommendation.text
