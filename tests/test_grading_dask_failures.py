"""`k2tf grade` on Dask when a worker or the scheduler goes away, or a worker has another course.

The second half of test_grading_dask.py (a file of its own, so that pytest-xdist's --dist
loadfile can run the two halves on two workers), with its scheduler, workers and helpers: each
test starts its own cluster of real `dask scheduler` and `dask worker` processes on loopback, as
it kills or replaces some of them.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

import grading_fixtures as fx

pytest.importorskip("distributed")

from test_grading_dask import (  # noqa: E402, F401  (cluster: the per-test fixture, used by name)
    HANDINS, REPO, _files, _finished, _grade, _summary, _write, cluster)


@pytest.mark.slow
def test_a_worker_killed_mid_hand_in_loses_and_duplicates_nothing(tmp_path, cluster):
    slow = fx.answered("00_welcome")
    fx.prepend(slow, "00.q2", "import time\ntime.sleep(20)")  # long enough to be caught running
    handins = {"slow/00_welcome.ipynb": slow, **{k: v for k, v in HANDINS.items() if k.startswith(("solved", "blank"))}}
    subs = _write(tmp_path / "subs", handins)
    address = cluster.start_scheduler()
    cluster.start_worker("w1")
    cluster.start_worker("w2")
    cluster.wait_for_workers(2)
    run = _grade(subs, "--out", tmp_path / "dask", "--scheduler", address, wait=False)
    local_run = _grade(subs, "--out", tmp_path / "local", "--jobs", "2", wait=False)  # alongside

    from distributed import Client

    killed = None
    with Client(address, timeout=30) as client:
        deadline = time.monotonic() + 240
        while killed is None and time.monotonic() < deadline:
            for worker, tasks in client.processing().items():
                info = client.scheduler_info()["workers"].get(worker, {})
                if tasks and info.get("name") in cluster.processes:
                    time.sleep(4)  # well inside the grading of a hand-in (its kernel has started)
                    killed = info["name"]
                    cluster.kill(killed)
                    break
            time.sleep(0.3)
    assert killed, "no worker was ever seen grading"
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err[-3000:]
    rows = _summary(tmp_path / "dask")
    assert sorted(r["student"] for r in rows) == ["blank", "slow", "solved"]  # each exactly once
    assert all(r["status"] == "graded" for r in rows)
    results = sorted(p.name for p in (tmp_path / "dask" / ".results").iterdir())
    assert results == ["blank__00_welcome.json", "slow__00_welcome.json", "solved__00_welcome.json"]
    local = _finished(local_run)
    assert local.returncode == 0, local.stderr[-3000:]
    assert _files(tmp_path / "dask") == _files(tmp_path / "local")


def _other_course(folder: Path) -> Path:
    """A copy of the course whose lesson-00 checks differ by one comment."""
    shutil.copytree(REPO / "k2tf", folder / "k2tf", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "solutions", folder / "solutions")
    checks = folder / "k2tf" / "checks" / "lesson00.py"
    checks.write_text(checks.read_text() + "\n# an instructor's local change\n")
    return folder


@pytest.mark.slow
def test_a_worker_with_another_course_gets_no_work_and_is_named(tmp_path, cluster):
    subs = _write(tmp_path / "subs", {k: v for k, v in HANDINS.items() if k.startswith(("solved", "blank"))})
    other = _other_course(tmp_path / "other")
    address = cluster.start_scheduler()
    cluster.start_worker("stale", course=other)
    cluster.wait_for_workers(1)

    alone = _grade(subs, "--out", tmp_path / "refused", "--scheduler", address)
    assert alone.returncode == 1
    assert "no worker of the Dask scheduler" in alone.stderr
    assert "k2tf/checks/lesson00.py differs" in alone.stderr
    assert not (tmp_path / "refused" / ".results").exists() or \
        not list((tmp_path / "refused" / ".results").iterdir())  # nothing graded with other checks

    cluster.start_worker("good")
    cluster.wait_for_workers(2)
    mixed = _grade(subs, "--out", tmp_path / "dask", "--scheduler", address)
    assert mixed.returncode == 0, mixed.stderr[-3000:]
    assert "has another course and gets no work: k2tf/checks/lesson00.py differs" in mixed.stderr
    assert "grading on Dask: 1 worker(s)" in mixed.stderr
    assert sorted(r["student"] for r in _summary(tmp_path / "dask")) == ["blank", "solved"]


@pytest.mark.slow
def test_the_scheduler_gone_mid_run_keeps_what_was_graded_and_the_rerun_finishes(tmp_path, cluster):
    slow = fx.answered("00_welcome")
    fx.prepend(slow, "00.q2", "import time\ntime.sleep(30)")
    subs = _write(tmp_path / "subs", {"solved/00_welcome.ipynb": fx.solution("00_welcome"),
                                      "slow/00_welcome.ipynb": slow})
    out = tmp_path / "dask"
    address = cluster.start_scheduler()
    cluster.start_worker("w1")
    cluster.start_worker("w2")
    cluster.wait_for_workers(2)
    run = _grade(subs, "--out", out, "--scheduler", address, wait=False)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (out / ".results" / "solved__00_welcome.json").exists():
        time.sleep(0.3)
    cluster.kill("scheduler")
    _, err = run.communicate(timeout=120)
    assert run.returncode == 1
    assert "went away mid-run" in err and "run the same command again" in err
    assert "Traceback" not in err
    assert [r["student"] for r in _summary(out)] == ["solved"]  # what was graded is kept

    cluster.stop()
    address = cluster.start_scheduler()
    cluster.start_worker("w3")
    cluster.wait_for_workers(1)
    rerun = _grade(subs, "--out", out, "--scheduler", address)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert rerun.stderr.count("kept from the previous run") == 1
    assert sorted(r["student"] for r in _summary(out)) == ["slow", "solved"]
