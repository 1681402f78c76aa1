"""`k2tf bench`: the benchmarks run, and their report says what was measured, honestly.

No test here judges a speed (speeds are measured by `make bench`, never asserted): the quick
run proves each benchmark works end to end on tiny sizes; the report tests prove the committed
report is what the code writes from the committed measurements, and that a missed target is
reported as missed, with its reason.
"""
from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from k2tf import notebooks
from k2tf.bench import report
from k2tf.bench.stats import quartiles, spread
from test_grading import _environment

REPO = notebooks.REPO_ROOT
COMMITTED = REPO / "benchmarks" / "results.json"
PNG = b"\x89PNG\r\n\x1a\n"


def _k2tf(*args, **kwargs):
    # the grader it runs starts pytest itself: not with this test session's xdist variables
    return subprocess.run([sys.executable, "-m", "k2tf", *args], capture_output=True, text=True,
                          env=_environment(), **kwargs)


def test_spread_states_median_range_and_count():
    assert spread([3, 1, 2]).format(unit="s") == "2.0 s (1.0–3.0, n=3)"
    assert spread([1.25, 1.5]).format(".2f", "×") == "1.38× (1.25–1.50, n=2)"
    assert spread([7]).format() == "7.0 (n=1)"
    assert quartiles([1, 2, 3, 4, 5]) == (2.0, 3.0, 4.0)
    with pytest.raises(ValueError):
        spread([])


def test_quick_bench_runs_every_benchmark_and_writes_the_report(tmp_path):
    readme_before = (REPO / "README.md").read_text(encoding="utf-8")
    done = _k2tf("bench", "--quick", "--out", str(tmp_path), timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["quick"] is True
    sections = results["sections"]
    assert set(sections) == {"loops", "lessons", "grading", "scaling", "handins", "dask"}
    for section in sections.values():
        facts = section["machine"]
        assert facts["cpu"] and facts["usable_cores"] > 0 and facts["memory_gib"] > 0
        assert facts["tensorflow"].startswith("2.")

    # lessons: the floors, the lesson and its solution, each with a time, a peak and its cells
    runs = {f"{n['kind']}/{n['name']}": n["runs"] for n in sections["lessons"]["data"]["notebooks"]}
    assert set(runs) == {"floor/kernel start", "floor/kernel start + import tensorflow",
                         "notebooks/00_welcome", "solutions/00_welcome"}
    for name, measured in runs.items():
        (run,) = measured
        assert run["error"] is None, name
        assert 0 < run["seconds"] <= run["total_seconds"] and run["peak_mib"] > 10, name
    assert runs["floor/kernel start + import tensorflow"][0]["peak_mib"] > \
        runs["floor/kernel start"][0]["peak_mib"], "importing TensorFlow shows in the kernel's memory"
    assert any(c["first_line"] == "import k2tf" for c in runs["notebooks/00_welcome"][0]["cells"])

    # grading: both ways ran on both submissions; the grader graded them as it should
    (round_,) = sections["grading"]["data"]["rounds"]
    assert len(round_["nbconvert"]["seconds"]) == 2 and not round_["nbconvert"]["failures"]
    assert [g["jobs"] for g in round_["grade"]] == [1, 2]
    for graded in round_["grade"]:
        assert not graded["problems"]
        scores = {k: (r["score"], r["max_score"]) for k, r in graded["submissions"].items()}
        full, half = scores["student01__00_welcome"], scores["student02__00_welcome"]
        assert full[0] == full[1] > half[0] > 0, scores
        assert all(r["seconds"] > 0 for r in graded["submissions"].values())
    assert [p["size"] for p in sections["scaling"]["data"]["points"]] == [1, 2]
    assert sections["handins"]["data"]["found"] == [[40, 40]]
    (dask_round,) = sections["dask"]["data"]["rounds"]
    assert set(dask_round) == {"jobs1", "jobs2", "dask1", "dask2"}
    for name, graded in dask_round.items():
        assert not graded["problems"] and len(graded["seconds"]) == 2, name
    assert sections["dask"]["data"]["record"]["size"] == 200

    # loops: every way of training measured, on the CPU; the GPU measured or said not to be
    loops = sections["loops"]["data"]
    assert set(loops["cpu"]["speed"]["variants"]) == set(report_variants())
    assert all(v["steps_per_second"][0] > 0 for v in loops["cpu"]["speed"]["variants"].values())
    gpus = sections["loops"]["machine"]["gpus"]
    assert ("speed" in loops["gpu"]) if gpus else loops["gpu"]["not_measured"]

    text = (tmp_path / "REPORT.md").read_text(encoding="utf-8")
    for heading in ("## The machine", "## Targets", "## 1. Lessons", "## 2. Grading",
                    "## 3. Training loops", "## 4. Scaling", "### On a GPU", "## 5. Hand-ins",
                    "## 6. Grading on Dask"):
        assert heading in text
    assert "`--quick` measurements" in text
    if not gpus:
        assert "Not measured: no GPU on this machine" in text
    for figure in ("lessons.png", "grading.png", "loops.png"):
        assert f"]({figure})" in text
        assert (tmp_path / figure).read_bytes()[:8] == PNG
    assert (REPO / "README.md").read_text(encoding="utf-8") == readme_before, \
        "a quick run never touches the README's numbers"

    # --report rewrites the same report from results.json alone
    (tmp_path / "REPORT.md").unlink()
    again = _k2tf("bench", "--report", "--out", str(tmp_path), timeout=300)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "REPORT.md").read_text(encoding="utf-8") == text


def report_variants():
    from k2tf.bench.loops import VARIANTS

    return VARIANTS


def test_bench_says_what_is_wrong_with_its_arguments(tmp_path):
    done = _k2tf("bench", "--only", "lessons,speed")
    assert done.returncode == 2 and "no benchmark speed" in done.stderr
    done = _k2tf("bench", "--quick")
    assert done.returncode == 2 and "--quick needs --out" in done.stderr
    done = _k2tf("bench", "--report", "--out", str(tmp_path))
    assert done.returncode == 2 and "run `k2tf bench` first" in done.stderr


def _committed() -> dict:
    assert COMMITTED.exists(), "benchmarks/results.json is committed with the report (make bench)"
    return json.loads(COMMITTED.read_text(encoding="utf-8"))


def test_the_committed_report_is_written_from_the_committed_measurements():
    text, block, _ = report.render(_committed())
    assert (REPO / "benchmarks" / "REPORT.md").read_text(encoding="utf-8") == text, \
        "REPORT.md differs from what results.json gives: run `k2tf bench --report`, never edit it"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert block in readme, "the README's headline numbers are not the report's: run `k2tf bench --report`"
    assert not _committed().get("quick"), "the course's report holds full measurements"
    for figure in ("lessons.png", "grading.png", "loops.png"):
        assert (REPO / "benchmarks" / figure).read_bytes()[:8] == PNG


def test_the_committed_measurements_cover_what_the_issue_asks():
    sections = _committed()["sections"]
    lessons = sections["lessons"]["data"]
    names = {(n["kind"], n["name"]) for n in lessons["notebooks"]}
    for folder in ("notebooks", "solutions"):
        for path in (REPO / folder).glob("[0-9][0-9]_*.ipynb"):
            assert (folder, path.stem) in names, f"{folder}/{path.name} was not measured"
    assert lessons["runs"] >= 3
    grading = sections["grading"]["data"]
    assert len(grading["plan"]) >= 20
    assert {g["jobs"] for r in grading["rounds"] for g in r["grade"]} == {1, 2, 4}
    assert [p["size"] for p in sections["scaling"]["data"]["points"]] == [1, 5, 20, 50]
    assert len(sections["loops"]["data"]["cpu"]["sizes"]["sizes"]) >= 3
    assert sections["handins"]["data"]["size"] >= 1000 and sections["handins"]["data"]["repeats"] >= 3


def test_the_handins_benchmark_lists_a_small_class():
    """Benchmark 5 on 20 hand-ins: every one found, each its own student, both ways timed."""
    from k2tf.bench import handins

    data = handins.run(size=20, repeats=1, log=lambda line: None)
    assert data["found"] == [[20, 20]]
    assert data["command_seconds"][0] > data["plan_seconds"][0] > 0
    section = {"data": data}
    facts = report.handin_facts(section)
    assert facts["size"] == 20 and facts["command"].n == 1


def test_a_missed_target_is_reported_as_missed_with_its_reason():
    results = copy.deepcopy(_committed())
    sections = results["sections"]
    for entry in sections["lessons"]["data"]["notebooks"]:
        if entry["kind"] == "notebooks" and entry["name"].startswith("03"):
            for run in entry["runs"]:
                run["seconds"] += 100
    for round_ in sections["grading"]["data"]["rounds"]:
        grades = {g["jobs"]: g for g in round_["grade"]}
        grades[1]["wall_seconds"] = round_["nbconvert"]["wall_seconds"] * 1.5
        grades[2]["wall_seconds"] = grades[1]["wall_seconds"] / 1.2
    variants = sections["loops"]["data"]["cpu"]["speed"]["variants"]
    variants["tf.function loop (lesson 05)"]["steps_per_second"] = [
        0.5 * v for v in variants["fit"]["steps_per_second"]]
    text, _, _ = report.render(results)
    targets = text.split("## Targets", 1)[1].split("\n## ", 1)[0]
    assert targets.count("**missed**") == 4, targets
    assert "**Target missed:** notebooks/03_" in text and "slowest cell" in text
    assert "**Target missed:** the grader's fixed cost per submission" in text
    assert "**Target missed:** with two submissions at once" in text
    assert "**Target missed:** a step of the loop took" in text
    # and the committed measurements themselves: every missed target has its reason
    text, _, _ = report.render(_committed())
    targets = text.split("## Targets", 1)[1].split("\n## ", 1)[0]
    assert text.count("**Target missed:**") >= targets.count("**missed**")
