"""A real TensorBoard server over the logs lessons 08 and 09 write, asked through its HTTP API.

The lessons are run for real (nbclient, course kernel) from a copy in a scratch folder, so
their log roots (``../logs/<lesson>`` seen from ``notebooks/``) land in that folder. Then one
``tensorboard`` process per lesson is started on a free loopback port — the Debugger V2 plugin
reads only the dump written directly in its ``--logdir`` — and the test asks each server what
a student's browser would: the scalar, histogram and image tags and the op graph of lesson
08 and its profiles in the Profile dashboard, and the Debugger V2 run of lesson 09 with its
infinity/NaN alert. The servers are always
stopped, whole process group, whatever happens.

Lesson 08 shows TensorBoard with ``k2tf.logs.show_tensorboard``: the last tests run it in a
real course kernel and check that the server it starts serves the logs on loopback only, is
reused, stops by hand, and stops with the kernel however the kernel ends (shut down, or
killed as a restart kills it).
"""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
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
from k2tf.logs import stop_tensorboard

pytestmark = pytest.mark.slow

LESSONS = ("08_tensorboard", "09_debugging")
STARTUP_TIMEOUT_S = 60


def _get(port: int, route: str, **params) -> object:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{route}{query}", timeout=60) as reply:
        body = reply.read()
        if reply.headers.get("Content-Encoding") == "gzip":  # the profile plugin compresses
            body = gzip.decompress(body)
        body = body.decode("utf-8")
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
    yield root
    stop_tensorboard(root / "logs" / "08_tensorboard")  # whatever a failed test left running


def test_tensorboard_serves_what_the_lessons_logged(lesson_logs):
    logs = lesson_logs / "logs"
    assert (logs / "08_tensorboard" / "fit" / "train").is_dir(), "lesson 08 wrote no fit run"
    assert list((logs / "09_debugging").glob("tfdbg_events.*")), "lesson 09 wrote no dump"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    with tensorboard_server(logs / "08_tensorboard", lesson_logs) as (port08, process08), \
            tensorboard_server(logs / "09_debugging", lesson_logs) as (port09, process09), \
            tensorboard_server(logs / "08_tensorboard_profiles", lesson_logs) as (port_p, process_p):
        _wait_until_ready(port08, process08, deadline)
        _wait_until_ready(port09, process09, deadline)
        _wait_until_ready(port_p, process_p, deadline)

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

        # Lesson 08's profiles, in their own log root, in the Profile dashboard (the xprof
        # plugin): the runs, the tools, and the Input Pipeline Analyzer's verdict and stages.
        profile_runs = _get(port_p, "data/plugin/profile/runs")
        for run in ("profile_per_example", "profile_per_batch", "profile_fit"):
            assert any(served.startswith(f"{run}/") for served in profile_runs), profile_runs
        slow_run = next(served for served in profile_runs
                        if served.startswith("profile_per_example/"))
        tools = _get(port_p, "data/plugin/profile/run_tools", run=slow_run)
        assert "input_pipeline_analyzer" in tools and "trace_viewer@" in tools, tools
        (xplane,) = (logs / "08_tensorboard_profiles" / "profile_per_example").glob(
            "plugins/profile/*/*.xplane.pb")
        tables = _get(port_p, "data/plugin/profile/data", run=slow_run,
                      tag="input_pipeline_analyzer", host=xplane.name.removesuffix(".xplane.pb"))
        assert len(tables[1]["rows"]) == 32, "one row per step the lesson marked"
        assert "input-bound" in tables[1]["p"]["input_conclusion"]
        stages = {row["c"][0]["v"] for row in tables[2]["rows"]}
        assert "Iterator::Root::BatchV2::Map" in stages, stages

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


# ---- the lesson's own server: started by the kernel, stopped with it ----------------------

@contextmanager
def course_kernel():
    """A course kernel (the one lessons run in), shut down at the end if still running."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name=notebooks.KERNEL_NAME,
                                       cwd=str(notebooks.REPO_ROOT / "notebooks"))
    try:
        yield manager, client
    finally:
        client.stop_channels()
        if manager.is_alive():
            manager.shutdown_kernel(now=True)


def _run(client, code: str) -> list[dict]:
    """Run ``code`` in the kernel; return its outputs (fail on an error)."""
    outputs = []
    reply = client.execute_interactive(code, timeout=STARTUP_TIMEOUT_S * 2,
                                       output_hook=lambda msg: outputs.append(msg))
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    assert reply["content"]["status"] == "ok", errors
    return outputs


def _shown_port(outputs: list[dict]) -> int:
    """The port of the TensorBoard that ``show_tensorboard`` showed, read from its frame."""
    html = next(m["content"]["data"]["text/html"] for m in outputs
                if m["msg_type"] == "display_data")
    assert '"proxy/' in html and "logs/08_tensorboard" in html, html
    return int(re.search(r'"proxy/(\d+)/"', html)[1])


def _tensorboard_pid(port: int) -> int:
    from tensorboard import manager

    return next(int(info.pid) for info in manager.get_all() if info.port == port)


def _gone(pid: int, within_s: float = 20) -> bool:
    """Whether process ``pid`` has exited, waiting up to ``within_s`` (0: look once)."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":  # exited, not yet reaped by its parent
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def _network_address() -> str | None:
    try:
        listed = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    except OSError:
        return None
    return next((a for a in listed if re.fullmatch(r"\d+(\.\d+){3}", a)
                 and not a.startswith("127.")), None)


SHOW = "from k2tf.logs import show_tensorboard\nshow_tensorboard(LOG_ROOT)"


def test_show_tensorboard_serves_on_loopback_and_stops_with_the_kernel(lesson_logs):
    setup = f"LOG_ROOT = {str(lesson_logs / 'logs' / '08_tensorboard')!r}"
    with course_kernel() as (manager, client):
        _run(client, setup)
        port = _shown_port(_run(client, SHOW))
        pid = _tensorboard_pid(port)
        runs = _get(port, "data/runs")
        assert {"fit/train", "fit/validation", "loop", "graph"} <= set(runs), runs
        address = _network_address()
        if address is not None:  # nobody reaches it but through the lab's proxy
            with pytest.raises(OSError):
                urllib.request.urlopen(f"http://{address}:{port}/data/runs", timeout=5)
        assert _shown_port(_run(client, SHOW)) == port, "a second call must reuse the server"
        _run(client, "import time; time.sleep(2)")  # another cell: the server keeps serving
        assert _get(port, "data/runs") == runs
        assert not _gone(pid, within_s=0), "the server stopped before its kernel did"
        manager.shutdown_kernel(now=False)  # what JupyterLab's "Shut Down Kernel" asks
        assert _gone(pid), "TensorBoard outlived the kernel that started it"


def test_show_tensorboard_stops_when_the_kernel_is_killed_or_by_hand(lesson_logs):
    setup = (f"LOG_ROOT = {str(lesson_logs / 'logs' / '08_tensorboard')!r}\n"
             "from k2tf.logs import stop_tensorboard, tensorboard_servers")
    with course_kernel() as (manager, client):
        _run(client, setup)
        first = _tensorboard_pid(_shown_port(_run(client, SHOW)))
        stopped = _run(client, "print(stop_tensorboard(LOG_ROOT), len(tensorboard_servers(LOG_ROOT)))")
        assert [m["content"]["text"] for m in stopped if m["msg_type"] == "stream"] == ["1 0\n"]
        assert _gone(first, within_s=0)
        second = _tensorboard_pid(_shown_port(_run(client, SHOW)))  # brought back
        assert second != first and not _gone(second, within_s=0)
        # A restart, or a kernel that crashes, ends with SIGKILL: no atexit runs in the kernel.
        os.kill(manager.provisioner.process.pid, signal.SIGKILL)
        assert _gone(second), "TensorBoard outlived a killed kernel"
