"""A real TensorBoard server over the logs lessons 08 and 09 write, asked through its HTTP API.

The lessons are run for real (nbclient, course kernel) from a copy in a scratch folder, so
their log roots (``../logs/<lesson>`` seen from ``notebooks/``) land in that folder. Then one
``tensorboard`` process per lesson is started on a free loopback port — the Debugger V2 plugin
reads only the dump written directly in its ``--logdir`` — and the test asks each server what
a student's browser would: the scalar, histogram and image tags and the op graph of lesson
08, and the Debugger V2 run of lesson 09 with its infinity/NaN alert. The servers are always
stopped, whole process group, whatever happens.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from servers import free_port, stop_group, wait_until_serving

from k2tf import notebooks

pytestmark = pytest.mark.slow

LESSONS = ("08_tensorboard", "09_debugging")
STARTUP_TIMEOUT_S = 60


def _get(port: int, route: str, **params) -> object:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{route}{query}", timeout=10) as reply:
        body = reply.read().decode("utf-8")
    return json.loads(body) if reply.headers.get_content_type() == "application/json" else body


@contextmanager
def tensorboard_server(logdir: Path, scratch: Path):
    """A TensorBoard server over ``logdir`` on a free loopback port; yields the port."""
    binary = Path(sys.executable).parent / "tensorboard"  # the course environment's own
    port = free_port()
    log = open(scratch / f"tensorboard-{port}.log", "wb")
    process = subprocess.Popen(
        [str(binary), "--logdir", str(logdir), "--port", str(port), "--host", "127.0.0.1",
         "--load_fast=false"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,  # its own process group
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    try:
        yield port, process
    finally:
        stop_group(process, grace_s=10)
        log.close()


def _wait_until_ready(port: int, process: subprocess.Popen, deadline: float) -> None:
    wait_until_serving(f"http://127.0.0.1:{port}/data/runs", process, deadline=deadline,
                       what=f"tensorboard on port {port}")


@pytest.fixture(scope="module")
def lesson_logs(tmp_path_factory):
    """Run lessons 08 and 09 from a scratch copy of notebooks/; return the scratch root."""
    root = tmp_path_factory.mktemp("tensorboard-server")
    (root / "notebooks").mkdir()
    for lesson in LESSONS:
        shutil.copy(notebooks.REPO_ROOT / "notebooks" / f"{lesson}.ipynb", root / "notebooks")
        notebooks.execute(root / "notebooks" / f"{lesson}.ipynb", timeout=300)
    return root


def test_tensorboard_serves_what_the_lessons_logged(lesson_logs):
    logs = lesson_logs / "logs"
    assert (logs / "08_tensorboard" / "fit" / "train").is_dir(), "lesson 08 wrote no fit run"
    assert list((logs / "09_debugging").glob("tfdbg_events.*")), "lesson 09 wrote no dump"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    with tensorboard_server(logs / "08_tensorboard", lesson_logs) as (port08, process08), \
            tensorboard_server(logs / "09_debugging", lesson_logs) as (port09, process09):
        _wait_until_ready(port08, process08, deadline)
        _wait_until_ready(port09, process09, deadline)

        # Lesson 08: the runs, their scalars and histograms, the images and the op graph.
        runs = _get(port08, "data/runs")
        for run in ("fit/train", "fit/validation", "loop", "graph"):
            assert run in runs, f"run {run} not served: {runs}"
        assert any(run.startswith("sweep/") for run in runs)
        scalars = _get(port08, "data/plugin/scalars/tags")
        assert {"epoch_loss", "epoch_accuracy"} <= set(scalars["fit/train"])
        assert {"epoch_loss", "epoch_accuracy"} <= set(scalars["fit/validation"])
        assert {"loss", "epoch_accuracy"} <= set(scalars["loop"])
        histograms = _get(port08, "data/plugin/histograms/tags")
        assert "digits/hidden/kernel/histogram" in histograms["fit/train"]
        assert "digits/hidden/kernel" in histograms["loop"]
        series = _get(port08, "data/plugin/scalars/scalars", run="fit/train", tag="epoch_loss")
        assert [step for _, step, _ in series] == list(range(8))
        images = _get(port08, "data/plugin/images/tags")
        assert "training digits" in images["loop"]
        graphs = _get(port08, "data/plugin/graphs/info")
        assert graphs["graph"]["tags"]["train_step"]["op_graph"] is True
        graph = _get(port08, "data/plugin/graphs/graph", run="graph", tag="train_step")
        assert 'op: "MatMul"' in graph and 'op: "Relu"' in graph
        hparams_runs = [run for run in runs if run.startswith("sweep")]
        assert len(hparams_runs) >= 4

        # Lesson 09: the Debugger V2 run, and its alert at the op that produced -inf.
        debugger_runs = _get(port09, "data/plugin/debugger-v2/runs")
        assert list(debugger_runs) == ["__default_debugger_run__"]
        alerts = {}
        while time.monotonic() < deadline:  # the plugin reads the dump in the background
            alerts = _get(port09, "data/plugin/debugger-v2/alerts",
                          run="__default_debugger_run__", begin=0, end=-1)
            if alerts.get("num_alerts"):
                break
            time.sleep(0.5)
        assert alerts.get("num_alerts", 0) >= 1, f"no alert served: {alerts}"
        first = alerts["alerts"][0]
        assert first["alert_type"] == "InfNanAlert"
        assert first["op_type"] == "Log", first
        assert first["num_neg_inf"] > 0
        # the silent-bug runs are served beside the dump
        assert {"silent_bug/train", "fixed/train"} <= set(_get(port09, "data/runs"))
    for process in (process08, process09):
        assert process.poll() is not None, "a tensorboard server is still running"
