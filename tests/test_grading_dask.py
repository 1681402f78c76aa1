"""`k2tf grade` on Dask: a real `dask scheduler` and `dask worker` processes on loopback.

Each test starts its own scheduler and workers (killed at the end, whatever happens), grades
lesson 00 hand-ins with the real command, and compares with grading on this machine: the files
must be the same apart from when they were graded and how long it took. Workers killed, workers
with another course and a scheduler gone mid-run are in test_grading_dask_failures.py (a file of
their own, so that pytest-xdist's --dist loadfile can run the two halves on two workers).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import grading_fixtures as fx

pytest.importorskip("distributed")

REPO = fx.REPO
BIN = Path(sys.executable).parent
VOLATILE = ("graded_at", "seconds")  # when, and how long: the only fields allowed to differ


def _environment(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST")}
    env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
    env.update(extra)
    return env


class Cluster:
    """A scheduler and workers as separate process groups, so a test can kill each one."""

    def __init__(self, folder: Path):
        self.folder, self.processes = folder, {}
        self.file = folder / "scheduler.json"

    def start_scheduler(self) -> str:
        self.file.unlink(missing_ok=True)
        self._start("scheduler", ["dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(self.file)])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.file.exists():
                try:
                    return json.loads(self.file.read_text())["address"]
                except (ValueError, KeyError):
                    pass
            time.sleep(0.2)
        raise RuntimeError("the scheduler did not start: " + self.log("scheduler"))

    def start_worker(self, name: str, *, course: Path | None = None) -> None:
        env = _environment(PYTHONPATH=str(course)) if course else None
        self._start(name, ["dask", "worker", "--scheduler-file", str(self.file), "--name", name,
                           "--nthreads", "1", "--no-dashboard", "--memory-limit", "0"],
                    env=env, cwd=course)

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(scheduler_file=str(self.file), timeout=30) as client:
            client.wait_for_workers(count, timeout=120)

    def _start(self, name, command, env=None, cwd=None):
        log = open(self.folder / f"{name}.log", "w")
        self.processes[name] = subprocess.Popen(
            [str(BIN / command[0]), *command[1:]], stdout=log, stderr=subprocess.STDOUT,
            env=env or _environment(), cwd=cwd or self.folder, start_new_session=True)

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        process.wait()

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for name in list(self.processes):
            self.kill(name)


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    yield c
    c.stop()


def _write(folder: Path, handins: dict) -> Path:
    for relative, nb in handins.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fx.text(nb), encoding="utf-8")
    return folder


def _grade(*args, timeout=600, wait=True, cell_timeout=60):
    command = [sys.executable, "-m", "k2tf", "grade", *map(str, args), "--timeout", str(cell_timeout),
               "--memory", "2048"]
    if not wait:
        return subprocess.Popen(command, cwd=REPO, env=_environment(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=_environment(),
                          timeout=timeout)


def _finished(run: subprocess.Popen, timeout=600) -> subprocess.CompletedProcess:
    """A grading started with ``wait=False``, waited for: what ``_grade`` returns."""
    try:
        out, err = run.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        run.kill()
        run.communicate()
        raise
    return subprocess.CompletedProcess(run.args, run.returncode, out, err)


def _files(out: Path) -> dict[str, object]:
    """Every file the grader wrote, with the volatile fields of each result taken out."""
    files = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(out).as_posix()
        text = path.read_text(encoding="utf-8")
        if name.startswith(".results/"):
            data = json.loads(text)
            files[name] = {k: v for k, v in data.items() if k not in VOLATILE}
        elif name.endswith(".csv") or name.endswith(".html"):
            files[name] = _without_dates(text)
        else:
            files[name] = text
    return files


def _without_dates(text: str) -> str:
    import re

    return re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\dZ?( UTC)?", "<when>", text)


def _summary(out: Path) -> list[dict]:
    import csv

    with open(out / "summary.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


HANDINS = {
    "solved/00_welcome.ipynb": fx.solution("00_welcome"),
    "blank/00_welcome.ipynb": fx.exercise("00_welcome"),
    "partial/00_welcome.ipynb": fx.answered("00_welcome", {"00.q1", "00.q3"}),
    "exits/00_welcome.ipynb": fx.exits(),          # its kernel dies
    "bomb/00_welcome.ipynb": fx.memory_bomb(),     # eats memory until the limit
    "loop/00_welcome.ipynb": fx.endless_loop(),    # runs until the cell's time limit
    "cheat/00_welcome.ipynb": fx.pasted_outputs(),
}


@pytest.mark.slow
def test_a_cluster_grades_like_this_machine_and_its_worker_survives_hostile_hand_ins(tmp_path, cluster):
    subs = _write(tmp_path / "subs", HANDINS)
    # graded on this machine at the same time as on the cluster: the two runs share nothing but
    # the hand-ins (each its own output folder and kernels), and the endless loops' time limits
    # then run out together rather than one after the other
    local_run = _grade(subs, "--out", tmp_path / "local", "--jobs", "2", cell_timeout=30, wait=False)

    address = cluster.start_scheduler()
    cluster.start_worker("w1")  # one worker: it must survive the dying, greedy and endless kernels
    cluster.wait_for_workers(1)
    dask = _grade(subs, "--out", tmp_path / "dask", "--scheduler", address, cell_timeout=30)
    local = _finished(local_run)
    assert local.returncode == 0, local.stderr[-3000:]
    assert dask.returncode == 0, dask.stderr[-3000:]
    assert f"grading on Dask: 1 worker(s) of {address}" in dask.stderr
    assert _files(tmp_path / "dask") == _files(tmp_path / "local")
    rows = {r["student"]: r for r in _summary(tmp_path / "dask")}
    assert rows["solved"]["score"] == rows["solved"]["max_score"] and rows["blank"]["score"] == "0"
    assert rows["exits"]["status"] == rows["bomb"]["status"] == rows["loop"]["status"] == "graded"
    assert int(rows["loop"]["score"]) > 0  # its honest answers count; the endless one timed out
    assert "w1" in cluster.processes and cluster.processes["w1"].poll() is None  # still alive

    again = _grade(subs, "--out", tmp_path / "dask", "--scheduler", address, cell_timeout=30)  # nothing left
    assert again.returncode == 0
    assert again.stderr.count("kept from the previous run") == len(HANDINS)
    assert "grading on Dask" not in again.stderr  # no work, no cluster needed


@pytest.mark.slow
def test_cluster_local_grades_end_to_end(tmp_path):
    subs = _write(tmp_path / "subs", {k: v for k, v in HANDINS.items() if k.startswith(("solved", "blank", "partial"))})
    local_run = _grade(subs, "--out", tmp_path / "local", "--jobs", "2", wait=False)  # alongside
    dask = _grade(subs, "--out", tmp_path / "dask", "--cluster", "local:2")
    local = _finished(local_run)
    assert dask.returncode == 0, dask.stderr[-3000:]
    assert "grading on Dask: 2 worker(s) of tcp://127.0.0.1:" in dask.stderr
    assert local.returncode == 0, local.stderr[-3000:]
    assert _files(tmp_path / "dask") == _files(tmp_path / "local")


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subs = _write(tmp_path / "subs", {"solved/00_welcome.ipynb": fx.solution("00_welcome")})
    result = _grade(subs, "--out", tmp_path / "g", "--scheduler", f"tcp://127.0.0.1:{port}")
    assert result.returncode == 1
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--scheduler", "tcp://127.0.0.1:1", "--cluster", "local:2"], "not both"),
    (["--cluster", "local"], "write local:N"),
    (["--cluster", "remote:2"], "write local:N"),
    (["--cluster", "local:2", "--jobs", "2"], "--jobs is for grading on this machine"),
])
def test_bad_cluster_usage_exits_2(tmp_path, args, message):
    subs = _write(tmp_path / "subs", {"solved/00_welcome.ipynb": fx.solution("00_welcome")})
    result = _grade(subs, "--out", tmp_path / "g", *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_the_fingerprint_names_what_differs():
    from k2tf.grading.on_dask import course_fingerprint, differences

    here = course_fingerprint()
    assert here["k2tf"] and "solutions/05_custom_training_loop.ipynb" in here
    assert "k2tf/checks/lesson05.py" in here and here["tensorflow"] != "not installed"
    other = dict(here, keras="3.14.0")
    other.pop("solutions/00_welcome.ipynb")
    other["k2tf/checks/lesson05.py"] = "0" * 16
    said = differences(here, other)
    assert "keras 3.14.0 on the worker, " in said
    assert "solutions/00_welcome.ipynb missing on the worker" in said
    assert "k2tf/checks/lesson05.py differs" in said
