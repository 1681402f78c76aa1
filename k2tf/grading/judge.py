"""Validate one rebuilt notebook with pytest and nbval, and turn what happened into a grade.

Each submission runs in a pytest subprocess of its own, which starts one fresh kernel
(:mod:`k2tf.grading.judge_plugin`). This module, in the grader's own process,

* gives that pytest a private folder (the rebuilt notebook, an empty ini file so the
  course's pytest settings do not apply) and the kernel a separate working folder;
* reads the plugin's events from a pipe — the only channel results travel on;
* enforces the wall-clock limit of the whole submission, killing pytest and the kernel;
* scores each question from the events: the points of the checks that passed.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # nbformat and the rebuild are imported when a notebook is judged (listing stays fast)
    from .rebuild import Rebuilt

#: Seconds one cell may run. The slowest honest cell of the course (training lesson 01's
#: model, about 10 s on a laptop CPU) with a wide margin for a slow, busy grading machine.
DEFAULT_CELL_TIMEOUT = 300
#: Seconds one whole submission may take, kernel start included.
DEFAULT_SUBMISSION_TIMEOUT = 900
#: Bytes of memory for one kernel (TensorFlow and lesson 01's model use about 0.6 GiB).
DEFAULT_MEMORY = 4 * 2**30

STATUS_ORDER = ("passed", "failed", "missing", "error", "timeout")

_running: set[subprocess.Popen] = set()  # pytest processes now grading (for stop_all)
_running_lock = threading.Lock()


def stop_all() -> None:
    """Kill every grading pytest and its kernel now (the grader was interrupted)."""
    with _running_lock:
        processes = list(_running)
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass


@dataclass
class Limits:
    cell_timeout: float = DEFAULT_CELL_TIMEOUT
    submission_timeout: float = DEFAULT_SUBMISSION_TIMEOUT
    memory: int = DEFAULT_MEMORY
    kernel_startup_timeout: float = 120


@dataclass
class QuestionResult:
    question: str
    points: int
    max_points: int
    status: str
    message: str = ""
    #: each check of the question (the public one, then hidden ones): name, points, status, message
    checks: list[dict] = field(default_factory=list)
    #: an answer cell of the question still raised the placeholder ``NotAnswered``
    unanswered: bool = False


@dataclass
class Judgement:
    questions: list[QuestionResult]
    problem: str | None = None  # the submission could not be graded at all
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def judge(rebuilt: Rebuilt, *, limits: Limits, hide: list[Path] = ()) -> Judgement:
    """Run the rebuilt notebook in a fresh, limited kernel and score every question."""
    import nbformat

    started = time.monotonic()
    private = Path(tempfile.mkdtemp(prefix="k2tf-judge-"))  # 0700: the grader's only
    workdir = Path(tempfile.mkdtemp(prefix="k2tf-kernel-"))
    events: list[dict] = []
    killed_for_time = False
    log = ""
    try:
        notebook = private / "submission.ipynb"
        nbformat.write(rebuilt.notebook, str(notebook))
        (private / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        read_end, write_end = os.pipe()
        command = [
            sys.executable, "-m", "pytest", str(notebook), "-q", "-c", str(private / "pytest.ini"),
            "--rootdir", str(private), "-p", "nbval.plugin", "-p", "k2tf.grading.judge_plugin",
            "-p", "no:cacheprovider", "--nbval", "--color=no",
            f"--nbval-cell-timeout={limits.cell_timeout:g}",
            f"--nbval-kernel-startup-timeout={limits.kernel_startup_timeout:g}",
            f"--k2tf-events-fd={write_end}", f"--k2tf-workdir={workdir}",
            f"--k2tf-memory={int(limits.memory)}", f"--k2tf-grader-pid={os.getpid()}",
        ]
        for folder in [private, *hide]:
            command.append(f"--k2tf-hide={Path(folder).resolve()}")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "JPY_"))}
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        with open(private / "pytest.log", "w+", encoding="utf-8") as out:
            process = subprocess.Popen(command, cwd=private, env=env, pass_fds=[write_end],
                                       stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            os.close(write_end)
            with _running_lock:
                _running.add(process)
            reader = threading.Thread(target=_read_events, args=(read_end, events), daemon=True)
            reader.start()
            try:
                process.wait(timeout=limits.submission_timeout)
            except subprocess.TimeoutExpired:
                killed_for_time = True
            finally:
                _stop(process, events)
                with _running_lock:
                    _running.discard(process)
            reader.join(timeout=10)
            out.seek(0)
            log = out.read()
    finally:
        shutil.rmtree(private, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)
    result = score(rebuilt, events, killed_for_time=killed_for_time, limits=limits, log=log)
    result.seconds = time.monotonic() - started
    return result


def _read_events(fd: int, events: list[dict]) -> None:
    with os.fdopen(fd, "r", encoding="utf-8", errors="replace") as stream:
        for line in stream:
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                continue


def _stop(process: subprocess.Popen, events: list[dict]) -> None:
    """Make sure pytest and its kernel are gone (the kernel also dies with pytest)."""
    pids = [e.get("pid") for e in events if e.get("event") == "kernel" and e.get("pid")]
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        process.wait()
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def score(rebuilt: Rebuilt, events: list[dict], *, killed_for_time: bool, limits: Limits,
          log: str = "") -> Judgement:
    """The grade of each question from the plugin's events (see the module's docstring)."""
    cells = [e for e in events if e.get("event") == "cell"]
    kernel = next((e for e in events if e.get("event") == "kernel"), None)
    notes: list[str] = []
    if kernel is None:
        why = next((e["message"] for e in cells if e.get("message")), None)
        if killed_for_time:
            why = f"the kernel did not start within the {limits.submission_timeout:g}-s limit"
        return Judgement([], problem=why or "the grading kernel could not start: "
                         + (_last_line(log) or "no reason given"))
    if not kernel.get("network_isolated"):
        notes.append("the kernel ran with network access (this system refused a network namespace)")
    guard = next((e for e in cells if e.get("role") == "guard"), None)
    if guard is None or guard["outcome"] != "passed":
        return Judgement([], problem="the grader could not prepare the kernel: "
                         + (guard or {}).get("message", "no reason given"))

    by_check = {(e.get("question"), e.get("check")): e for e in cells if e.get("role") == "check"}
    # a cell of the submission that timed out makes the next check's failure a timeout
    timed_out_before: dict[tuple, bool] = {}
    pending = False
    for e in cells:
        if e.get("role") == "check":
            timed_out_before[(e.get("question"), e.get("check"))] = pending
            pending = False
        elif e.get("outcome") == "timeout":
            pending = True
    time_message = (f"a cell ran longer than {limits.cell_timeout:g} s and was stopped "
                    "(an endless loop, or work too slow for the course)")
    # an answer cell that still raises the placeholder: the question was not answered
    unanswered = {e.get("question") for e in cells if e.get("role") == "answer"
                  and str(e.get("message", "")).startswith("NotAnswered")}
    results = []
    for qid, max_points in rebuilt.questions.items():
        points, statuses, messages, checks = 0, [], [], []
        for plan in [c for c in rebuilt.checks if c.question == qid]:
            e = by_check.get((qid, plan.name))
            if e is None:
                status = "timeout" if killed_for_time else "error"
                message = (f"not run: the submission ran past its {limits.submission_timeout:g}-s "
                           "limit" if killed_for_time else
                           "not run: grading stopped before this check")
            elif e["outcome"] == "passed":
                points += plan.points
                status, message = "passed", ""
            elif e["outcome"] == "timeout" or (timed_out_before.get((qid, plan.name))):
                status, message = "timeout", time_message
                if e["outcome"] == "dead" and e.get("message") and "time" not in e["message"]:
                    status, message = "error", e["message"]
            elif e["outcome"] == "dead":
                status, message = "error", e["message"]
            elif e["outcome"] == "failed":
                status, message = "failed", e.get("message", "")
            else:
                status, message = "error", e.get("message", "")
            if status == "timeout" and message == "timeout":
                message = time_message
            checks.append({"name": plan.name, "points": plan.points if status == "passed" else 0,
                           "max_points": plan.points, "status": status, "message": message})
            statuses.append(status)
            if message and message not in messages:
                messages.append(message)
        status = max(statuses, key=STATUS_ORDER.index) if statuses else "error"
        if not rebuilt.answered.get(qid, True) and status != "passed":
            status = "missing"
            messages.insert(0, f"the answer cell of {qid} is missing from the notebook")
        # or its check found the placeholder when it called the answer (a function's body)
        own_placeholder = any(c["name"] == "check" and re.search(
            rf"^{re.escape(qid)} is not answered yet\.", c["message"], re.M) for c in checks)
        results.append(QuestionResult(qid, points, max_points, status, "\n".join(messages), checks,
                                      (qid in unanswered or own_placeholder) and status != "passed"))
    return Judgement(results, notes=notes)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""
