"""Where lessons write their logs, and reading those logs back in code.

Lessons 08 (TensorBoard) and 09 (debugging) write TensorBoard event files and TFDBG
Debugger V2 dumps. This module gives them:

* a log root per lesson (:func:`lesson_log_root`), or a temporary one for exercises and
  checks (:func:`temporary_log_root`), a fresh folder per run (:func:`fresh_run_dir`) and a
  clean place for a Debugger V2 dump (:func:`fresh_debugger_dump`);
* names that are safe to print (:func:`shown`): relative, never a machine path;
* what a run folder holds, read the way TensorBoard reads it (:func:`read_summaries`,
  :func:`read_scalars`, :func:`summary_tags`, :func:`runs_under`), so you see the numbers
  without a browser, and a profile read the way TensorBoard's Profile dashboard reads it
  (:func:`input_pipeline_analysis`);
* TensorBoard inside JupyterLab wherever the lab is served (:func:`show_tensorboard`): a
  server over a log root, reached through the lab's own address, that stops with the kernel;
  and the TensorBoard servers running over a log root, whoever started them
  (:func:`tensorboard_servers`, :func:`stop_tensorboard`).

Reading a Debugger V2 dump is taught step by step in lesson 09 with TensorFlow's own
``DebugDataReader``; nothing here does it for you.
"""
from __future__ import annotations

import atexit
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: Where every lesson's logs go, beside notebooks/ at the course's root (ignored by git).
LOGS_FOLDER = "logs"

_TEMPORARY: list[tempfile.TemporaryDirectory] = []


def lesson_log_root(lesson: str) -> Path:
    """The folder lesson ``lesson`` (e.g. ``"08_tensorboard"``) writes its logs under.

    It is ``logs/<lesson>`` at the course's root. A notebook runs in its own folder
    (``notebooks/``), so the path returned is relative to it: ``../logs/<lesson>``. Point
    ``tensorboard --logdir`` at the same folder from a terminal at the course's root with
    ``tensorboard --logdir logs/<lesson>``.
    """
    return Path("..") / LOGS_FOLDER / lesson


def fresh_lesson_log_root(lesson: str) -> Path:
    """:func:`lesson_log_root`, emptied and created: call it once, in the lesson's first cells.

    Running a lesson from the top then always starts from no logs, so what it writes (and
    what it lists) is the same on every run, whatever earlier runs left behind; a cell run
    again replaces its own run folder (:func:`fresh_run_dir`).
    """
    root = lesson_log_root(lesson)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    return root


def temporary_log_root(prefix: str = "k2tf-logs-") -> Path:
    """A new empty folder for logs that nobody needs to keep (exercises, checks).

    It is deleted when the Python process ends. Print names relative to it, never the
    folder itself (its absolute path changes on every run).
    """
    folder = tempfile.TemporaryDirectory(prefix=prefix)
    _TEMPORARY.append(folder)
    return Path(folder.name)


@atexit.register
def _remove_temporary_roots() -> None:
    for folder in _TEMPORARY:
        folder.cleanup()


def fresh_run_dir(root: str | Path, run: str) -> Path:
    """``root/run``, emptied if it exists, created if it does not.

    Call it at the start of the cell that writes a run, so running the cell again gives the
    same logs rather than a second set appended to the first.
    """
    path = Path(root) / run
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def fresh_debugger_dump(root: str | Path) -> Path:
    """``root``, created if needed, without the files of an earlier Debugger V2 dump in it.

    TensorBoard's Debugger V2 plugin reads one dump, written directly in the folder it is
    given with ``--logdir`` (not in a sub-folder, unlike every other dashboard), and a
    folder must hold one dump only. So lesson 09 dumps at its log root itself, beside the
    run folders of the other dashboards, and clears the previous dump first.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("tfdbg_events.*"):
        if old.is_file():
            old.unlink()
    return root


def shown(path: str | Path, root: str | Path | None = None) -> str:
    """A name for ``path`` that is safe to print: relative to ``root`` when given, else
    relative to the course's root for paths under ``../`` (``logs/08_tensorboard/fit``)."""
    path = Path(path)
    if root is not None:
        return Path(os.path.relpath(path, root)).as_posix()
    parts = path.parts
    while parts and parts[0] == "..":
        parts = parts[1:]
    return Path(*parts).as_posix() if parts else "."


def _event_files(run_dir: Path) -> list[Path]:
    return sorted(p for p in Path(run_dir).glob("events.out.tfevents.*") if p.is_file())


def runs_under(root: str | Path) -> list[str]:
    """The runs under ``root`` as TensorBoard lists them: every folder that holds event
    files, relative to ``root``, sorted (``"fit/train"``, ``"fit/validation"``, …)."""
    root = Path(root)
    found = {p.parent for p in root.rglob("events.out.tfevents.*") if p.is_file()}
    return sorted(Path(os.path.relpath(p, root)).as_posix() for p in found)


@dataclass(frozen=True)
class Summary:
    """One value written by ``tf.summary``: its plugin (``"scalars"``, ``"histograms"``,
    ``"images"``, ``"graph_run_metadata_graph"``, ``"hparams"``…), tag, step and value."""

    plugin: str
    tag: str
    step: int
    value: Any


def read_summaries(run_dir: str | Path) -> list[Summary]:
    """Every summary in the event files of one run folder (not its sub-folders), in the
    order they were written, read with TensorBoard's own ``EventAccumulator``.

    Scalars come back as floats, histograms as arrays of ``[left, right, count]`` rows,
    images as arrays of ``[width, height, png, png, …]`` byte strings.
    """
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.util import tensor_util

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"no run folder {shown(run_dir)}")
    accumulator = event_accumulator.EventAccumulator(
        str(run_dir), size_guidance={event_accumulator.TENSORS: 0})
    accumulator.Reload()
    found: list[tuple[float, int, Summary]] = []
    for tag in accumulator.Tags()[event_accumulator.TENSORS]:
        plugin = accumulator.SummaryMetadata(tag).plugin_data.plugin_name
        for order, event in enumerate(accumulator.Tensors(tag)):
            value = tensor_util.make_ndarray(event.tensor_proto)
            if plugin == "scalars":
                value = float(np.asarray(value).reshape(()))
            found.append((event.wall_time, order, Summary(plugin, tag, int(event.step), value)))
    found.sort(key=lambda item: (item[0], item[1]))
    return [summary for _, _, summary in found]


def summary_tags(run_dir: str | Path) -> dict[str, list[str]]:
    """The tags of one run folder by plugin: ``{"scalars": [...], "histograms": [...]}``,
    each list sorted."""
    tags: dict[str, set[str]] = {}
    for summary in read_summaries(run_dir):
        tags.setdefault(summary.plugin, set()).add(summary.tag)
    return {plugin: sorted(names) for plugin, names in sorted(tags.items())}


def read_scalars(run_dir: str | Path) -> dict[str, list[tuple[int, float]]]:
    """The scalars of one run folder: ``{tag: [(step, value), ...]}``, steps in order."""
    scalars: dict[str, list[tuple[int, float]]] = {}
    for summary in read_summaries(run_dir):
        if summary.plugin == "scalars":
            scalars.setdefault(summary.tag, []).append((summary.step, summary.value))
    return {tag: sorted(values) for tag, values in sorted(scalars.items())}


@dataclass(frozen=True)
class InputPipelineAnalysis:
    """What TensorBoard's Profile dashboard shows in its *Input Pipeline Analyzer* for a profile."""

    steps: int  #: steps the profile marks (0: no step markers, so no step time)
    step_ms: float  #: their mean duration, in milliseconds
    input_ms: float  #: mean time per step spent waiting for input, in milliseconds
    conclusion: str  #: the analyzer's own sentence
    stages: dict[str, float]  #: each stage of the input pipeline → its own time (ms), largest first
    warnings: tuple[str, ...]  #: what the analyzer warns about (a missing step marker, say)

    @property
    def input_share(self) -> float:
        """The fraction of the step time spent waiting for input (NaN without step markers)."""
        return self.input_ms / self.step_ms if self.step_ms > 0 else float("nan")


def input_pipeline_analysis(run_dir: str | Path) -> InputPipelineAnalysis:
    """The Input Pipeline Analyzer's tables for the last profile recorded under ``run_dir``.

    ``tf.profiler.experimental.start(run_dir)`` … ``stop()`` writes a profile to
    ``run_dir/plugins/profile/<date_time>/<host>.xplane.pb``; TensorBoard's Profile dashboard
    (the ``xprof`` package) turns it into tables. This calls the same converter, so the numbers
    are the dashboard's.
    """
    found = sorted(Path(run_dir).glob("plugins/profile/*/*.xplane.pb"))
    if not found:
        raise FileNotFoundError(f"no profile under {shown(run_dir)}: record one with "
                                "tf.profiler.experimental.start(log_dir) … stop()")
    from xprof.convert import raw_to_tool_data

    last = [str(path) for path in found if path.parent == found[-1].parent]
    data, _ = raw_to_tool_data.xspace_to_tool_data(last, "input_pipeline_analyzer", {})
    tables = json.loads(data)
    summary = tables[1]["p"]
    stages = {row["c"][0]["v"]: float(row["c"][4]["v"]) for row in tables[2]["rows"]}
    warnings = tuple(row["c"][1]["v"] for row in tables[4]["rows"]) if len(tables) > 4 else ()
    return InputPipelineAnalysis(
        steps=len(tables[1]["rows"]), step_ms=float(summary["steptime_ms_average"]),
        input_ms=float(summary["infeed_time_ms_avg"]), conclusion=summary["input_conclusion"],
        stages=dict(sorted(stages.items(), key=lambda item: -item[1])), warnings=warnings)


@dataclass(frozen=True)
class TensorBoardServer:
    """A TensorBoard server running on this machine: its port, process id and log folder."""

    port: int
    pid: int
    logdir: Path


def _alive(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)  # our own child: reap it if it has exited
        if done:
            return False
    except ChildProcessError:  # not our child (or already reaped)
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but someone else's
        return True
    return True


def tensorboard_servers(logdir: str | Path | None = None) -> list[TensorBoardServer]:
    """The TensorBoard servers running on this machine (those serving ``logdir`` only, when
    given), as TensorBoard's own records of them (``tensorboard.manager``) list them."""
    from tensorboard import manager

    wanted = Path(logdir).resolve() if logdir is not None else None
    servers = []
    for info in manager.get_all():
        if not _alive(int(info.pid)):  # a record left by a server that was killed
            continue
        try:
            key = json.loads(base64.b64decode(info.cache_key))
            folder = Path(key["working_directory"], info.logdir).resolve()
        except (ValueError, KeyError, TypeError):
            folder = Path(info.logdir).resolve()
        if wanted is None or folder == wanted:
            servers.append(TensorBoardServer(int(info.port), int(info.pid), folder))
    return sorted(servers, key=lambda s: s.port)


def stop_tensorboard(logdir: str | Path, timeout: float = 10.0) -> int:
    """Stop every TensorBoard server serving ``logdir`` (those :func:`show_tensorboard` or
    ``%tensorboard`` started over it) and wait until they are gone; return how many were
    stopped."""
    stopping = []
    for server in tensorboard_servers(logdir):
        try:
            os.kill(server.pid, signal.SIGTERM)  # TensorBoard exits cleanly on SIGTERM
            stopping.append(server.pid)
        except (ProcessLookupError, PermissionError):  # gone already, or not ours to stop
            pass
    stopped = len(stopping)
    deadline = time.monotonic() + timeout
    while stopping and time.monotonic() < deadline:
        stopping = [pid for pid in stopping if _alive(pid)]
        time.sleep(0.05)
    for pid in stopping:  # still there after the timeout
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return stopped


#: How tall the TensorBoard frame is on screen, in pixels: the tab bar, the run list and a
#: row of charts fit without scrolling inside the frame.
TENSORBOARD_FRAME_HEIGHT = 900
#: The narrowest width, in CSS pixels, TensorBoard is laid out at in the frame. Narrower,
#: its tab bar hides the last dashboards behind a scroll arrow (lesson 08's seven dashboards
#: needed 1150 px, measured in Chromium; its eight, with Text, 1285: at 1240 the HParams tab
#: is drawn under the "Inactive" menu). A notebook is narrower than that in a 1280-pixel
#: browser window with the file browser open (828 px), so the dashboard is laid out at this
#: width and drawn smaller to fit (tabs at 9.0 px there); with room to spare it is drawn at
#: full size. A ninth dashboard would not fit at a readable size: lesson 08's profiles have a
#: log root, and a TensorBoard, of their own.
TENSORBOARD_LAYOUT_WIDTH = 1285
TENSORBOARD_START_TIMEOUT_S = 90.0

# The servers this kernel started, by log folder; they stop when the kernel does.
_STARTED: dict[Path, subprocess.Popen] = {}

# Run in the new process before it becomes TensorBoard: ask Linux to SIGTERM it when the
# kernel dies, however it dies (a restart kills the kernel outright, so no atexit runs then),
# and give up if the kernel is already gone. The setting survives the exec into TensorBoard.
_DIE_WITH_THE_KERNEL = """\
import ctypes, os, signal, sys
kernel = int(sys.argv[1])
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except (OSError, AttributeError, TypeError):  # not Linux: the kernel's atexit still stops it
    pass
if os.getppid() != kernel:
    sys.exit(0)
os.execv(sys.executable, [sys.executable, "-m", "tensorboard.main", *sys.argv[2:]])
"""


def _served_by(pid: int) -> TensorBoardServer | None:
    from tensorboard import manager

    for info in manager.get_all():
        if int(info.pid) == pid:
            return TensorBoardServer(int(info.port), pid, Path(info.logdir))
    return None


def start_tensorboard(logdir: str | Path,
                      timeout: float = TENSORBOARD_START_TIMEOUT_S) -> TensorBoardServer:
    """A TensorBoard server over ``logdir`` that this kernel started: the one already running,
    else a new one.

    It listens on this machine's loopback interface only, on a free port, so nobody reaches
    it but through JupyterLab (:func:`show_tensorboard`). It is this environment's own
    TensorBoard (``python -m tensorboard.main``; ``PATH`` plays no part), and it stops when
    the kernel that started it shuts down or restarts, or with :func:`stop_tensorboard`.
    """
    folder = Path(logdir).resolve()
    running = _STARTED.get(folder)
    if running is not None and running.poll() is None:
        server = _served_by(running.pid)
        if server is not None:
            return server
        running.terminate()  # alive but no longer serving (its record is gone): replace it
        running.wait()
    output = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-c", _DIE_WITH_THE_KERNEL, str(os.getpid()),
         "--logdir", str(folder), "--host", "127.0.0.1", "--port", "0"],
        stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    _STARTED[folder] = process
    deadline = time.monotonic() + timeout
    while (server := _served_by(process.pid)) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            state = (f"exited with status {process.returncode}" if process.poll() is not None
                     else f"did not start serving in {timeout:.0f} s")
            process.kill()
            process.wait()
            output.seek(0)
            said = output.read().decode(errors="replace").strip()[-2000:]
            raise RuntimeError(f"TensorBoard over {shown(folder)} {state}" +
                               (f":\n{said}" if said else ""))
        time.sleep(0.1)
    output.close()  # TensorBoard's own messages are not the student's business once it serves
    return server


@atexit.register
def _stop_started_servers() -> None:
    for process in _STARTED.values():
        if process.poll() is None:
            process.terminate()
    for process in _STARTED.values():
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _base_url_guess() -> str:
    """The lab's base URL as the kernel can know it: JupyterHub tells its servers (and their
    kernels) in ``JUPYTERHUB_SERVICE_PREFIX``; a lab of your own serves at ``/``."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    return prefix if prefix.endswith("/") else prefix + "/"


class TensorBoardFrame:
    """TensorBoard in a notebook's output, served through JupyterLab: what
    :func:`show_tensorboard` displays.

    The frame's address is the lab's own, ``<lab>/proxy/<port>/`` (jupyter-server-proxy), so
    it works wherever the browser reaches the lab (this machine, a server, JupyterHub), signed
    in as the lab is; the lab's base URL is read in the browser from the page itself."""

    def __init__(self, server: TensorBoardServer, logdir: str | Path,
                 height: int = TENSORBOARD_FRAME_HEIGHT,
                 layout_width: int = TENSORBOARD_LAYOUT_WIDTH):
        self.server, self.logdir = server, logdir
        self.height, self.layout_width = height, layout_width

    def _repr_html_(self) -> str:
        # The address is set by the script only, once the server answers as the one over this
        # log folder: the stored output of a notebook opened later (its kernel, and so its
        # server, gone) says so instead of showing an error page, or whatever else took the port.
        frame = f"tensorboard-through-the-lab-{uuid.uuid4().hex[:12]}"
        return f"""\
<div class="k2tf-tensorboard">
  <p>TensorBoard over <code>{shown(self.logdir)}</code>, served through this lab
     (<a id="{frame}-link" target="_blank" rel="noopener">open it in a tab of its
     own</a>). It stops when this notebook's kernel shuts down or restarts.</p>
  <p id="{frame}-gone" style="display: none;"><b>This TensorBoard is not running any more</b>
     (it stopped with the kernel that started it): run this cell again.</p>
  <div id="{frame}-box" style="position: relative; width: 100%; height: {self.height}px;
       overflow: hidden; border: 1px solid var(--jp-border-color2, #ccc);">
    <iframe id="{frame}" title="TensorBoard" style="position: absolute; left: 0; top: 0;
            border: 0; transform-origin: 0 0;" width="100%" height="{self.height}"></iframe>
  </div>
  <script>
    (function () {{
      let base = {json.dumps(_base_url_guess())};
      const config = document.getElementById("jupyter-config-data");  // JupyterLab's page
      try {{ base = JSON.parse(config.textContent).baseUrl || base; }} catch (e) {{}}
      const url = new URL(base.replace(/\\/?$/, "/") + "proxy/{self.server.port}/",
                          window.location);
      const box = document.getElementById("{frame}-box");
      const frame = document.getElementById("{frame}");
      // Lay TensorBoard out at least {self.layout_width} px wide, drawn smaller to fit the box.
      const fit = () => {{
        if (!box.clientWidth) return;  // not laid out (a hidden tab): nothing to fit yet
        const scale = Math.min(1, box.clientWidth / {self.layout_width});
        frame.style.width = box.clientWidth / scale + "px";
        frame.style.height = {self.height} / scale + "px";
        frame.style.transform = scale < 1 ? "scale(" + scale + ")" : "";
      }};
      new ResizeObserver(fit).observe(box);
      fit();
      fetch(new URL("data/environment", url), {{credentials: "same-origin"}})
        .then(reply => reply.ok ? reply.json() : null)
        .catch(() => null)
        .then(environment => {{
          const folder = String(environment && environment.data_location);
          if (folder.endsWith({json.dumps(shown(self.logdir))})) {{
            document.getElementById("{frame}-link").href = url;
            frame.src = url;
          }} else {{
            box.style.display = "none";
            document.getElementById("{frame}-gone").style.display = "";
          }}
        }});
    }})();
  </script>
</div>"""

    def __repr__(self) -> str:
        return (f"TensorBoard over {shown(self.logdir)}: open this notebook in JupyterLab to "
                "see it")


def show_tensorboard(logdir: str | Path, height: int = TENSORBOARD_FRAME_HEIGHT,
                     layout_width: int = TENSORBOARD_LAYOUT_WIDTH) -> None:
    """Show TensorBoard over ``logdir`` in the notebook, as lesson 08 does.

    Starts a TensorBoard server over ``logdir`` (or reuses the one this kernel started,
    :func:`start_tensorboard`) and shows it in a frame ``height`` pixels tall, with a link
    that opens it in a browser tab of its own. The frame is as wide as the notebook;
    TensorBoard is laid out at least ``layout_width`` pixels wide in it (so its tab bar
    shows every dashboard by name), and drawn smaller when the notebook is narrower. The frame is served through JupyterLab at
    ``<lab>/proxy/<port>/``, so it works wherever you reach the lab, unlike ``%tensorboard``,
    whose frame points your browser at the server's own port on the lab's machine. The
    server stops when the kernel shuts down or restarts; :func:`stop_tensorboard` stops it
    by hand, and calling this again brings it back.
    """
    from IPython.display import display

    display(TensorBoardFrame(start_tensorboard(logdir), logdir, height, layout_width))


class captured_tensorflow_warnings:
    """A context manager that collects the warnings TensorFlow logs through Python's logging
    (``tf.get_logger()``), such as the retracing warning, instead of printing them.

    ``k2tf.setup()`` keeps TensorFlow's logger at ERROR; inside the ``with`` block it is at
    WARNING, and each message lands in the list the block receives::

        with captured_tensorflow_warnings() as messages:
            ...
        print(len(messages))
    """

    def __enter__(self) -> list[str]:
        import logging

        import tensorflow as tf

        self.messages: list[str] = []
        messages = self.messages

        class _Collect(logging.Handler):
            def emit(self, record):
                messages.append(record.getMessage())

        self._logger = tf.get_logger()
        self._saved = (self._logger.level, self._logger.handlers[:], self._logger.propagate)
        self._logger.handlers = [_Collect(logging.WARNING)]
        self._logger.propagate = False
        self._logger.setLevel(logging.WARNING)
        return messages

    def __exit__(self, *exc) -> None:
        level, handlers, propagate = self._saved
        self._logger.setLevel(level)
        self._logger.handlers = handlers
        self._logger.propagate = propagate
