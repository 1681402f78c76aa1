"""The grader's pytest plugin: reports each cell nbval runs, from inside the pytest process.

:mod:`k2tf.grading.judge` runs ``pytest --nbval -p k2tf.grading.judge_plugin`` on the
rebuilt notebook. This plugin

* starts the kernel through :mod:`k2tf.grading.sandbox` (limits, no network, its own
  folder) over Unix sockets, with the course kernel's command and environment;
* records each cell's **execute_reply status**, which nbval ignores: a check passes only if
  nbval found its output equal to the stored one *and* the kernel replied ``ok`` — a notebook
  that hides its errors (``set_custom_exc``, a replaced ``showtraceback``) still replies
  ``error``;
* waits for replies in short slices and checks the kernel is alive between them, so a dead
  kernel (``os._exit``, killed for memory) is noticed at once, not after the cell timeout;
* kills the kernel when its resident memory passes the limit (a watchdog thread);
* dies with the grader (``PR_SET_PDEATHSIG``): a grader killed mid-run, such as a Dask worker,
  leaves no pytest grading on for nobody (the kernel dies with this process in turn);
* writes one JSON line per cell to a pipe inherited from the grader (``--k2tf-events-fd``).
  The kernel does not inherit that pipe, and this process makes itself non-dumpable so the
  kernel cannot open it through ``/proc`` either: results never come from what the
  student's code printed or wrote.
"""
from __future__ import annotations

import ctypes
import json
import os
import re
import signal
import sys
import threading
import time
from queue import Empty

import pytest

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
PR_SET_DUMPABLE = 4
PR_SET_PDEATHSIG = 1


class KernelDied(RuntimeError):
    pass


def pytest_addoption(parser):
    group = parser.getgroup("k2tf grader")
    group.addoption("--k2tf-events-fd", type=int, default=None)
    group.addoption("--k2tf-workdir", default=None)
    group.addoption("--k2tf-memory", type=int, default=0)
    group.addoption("--k2tf-hide", action="append", default=[])
    group.addoption("--k2tf-grader-pid", type=int, default=None)


def pytest_configure(config):
    fd = config.getoption("k2tf_events_fd")
    if fd is None:
        return
    try:
        ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0)
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    grader = config.getoption("k2tf_grader_pid")
    if grader is not None and os.getppid() != grader:  # the grader died before the line above
        os._exit(1)
    judge = Judge(os.fdopen(fd, "w", buffering=1, encoding="utf-8"),
                  config.getoption("k2tf_workdir"), config.getoption("k2tf_memory"),
                  config.getoption("k2tf_hide"))
    judge.patch_nbval()
    config.pluginmanager.register(judge, "k2tf_judge")


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _same_namespace(pid: int, kind: str) -> bool | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/{kind}") == os.readlink(f"/proc/self/ns/{kind}")
    except OSError:
        return None


class Judge:
    def __init__(self, events, workdir, memory, hide):
        self.events = events
        self.workdir = workdir
        self.memory = memory
        self.hide = hide
        self.kernel = None  # nbval's RunningKernel
        self.pid = None
        self.died = None  # why the kernel died, once it did
        self.started = time.monotonic()

    def emit(self, **event):
        self.events.write(json.dumps(event, ensure_ascii=False) + "\n")
        self.events.flush()

    # --- the kernel ------------------------------------------------------------------------
    def patch_nbval(self):
        import nbval.kernel as nbval_kernel

        judge = self

        def start_new_kernel(startup_timeout=60, kernel_name="python", **kwargs):
            return judge.start_kernel(startup_timeout, kwargs.get("stderr"))

        def await_reply(kernel, msg_id, timeout=None):
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                left = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
                if left <= 0:
                    raise Empty
                try:
                    msg = kernel.get_message(stream="shell", timeout=left)
                except Empty:
                    if not kernel.km.is_alive():
                        judge.died = judge.died or "crash"
                        raise KernelDied(judge.death_message()) from None
                    continue
                if msg["parent_header"].get("msg_id") == msg_id:
                    kernel.k2tf_reply = msg["content"]
                    if msg["content"].get("status") == "aborted":
                        raise RuntimeError("Kernel aborted execution request")
                    return

        nbval_kernel.start_new_kernel = start_new_kernel
        nbval_kernel.RunningKernel.await_reply = await_reply

    def start_kernel(self, startup_timeout, stderr):
        from jupyter_client.kernelspec import KernelSpec
        from jupyter_client.manager import KernelManager

        from ..kernel import kernel_spec

        spec = kernel_spec()
        ipc = os.path.join(self.workdir, ".kernel")
        os.makedirs(ipc, exist_ok=True)
        home = self.workdir
        for sub in ("tmp", ".config/matplotlib"):
            os.makedirs(os.path.join(home, sub), exist_ok=True)
        argv = [sys.executable, "-m", "k2tf.grading.sandbox", "--workdir", self.workdir,
                "--memory", str(self.memory)]
        for folder in self.hide:
            argv += ["--hide", folder]
        argv += ["--", *spec["argv"]]
        km = KernelManager(transport="ipc", ip=os.path.join(ipc, "k"),
                           connection_file=os.path.join(ipc, "connection.json"))
        km._kernel_spec = KernelSpec(argv=argv, display_name="k2tf grader", language="python",
                                     env=spec["env"])
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("PYTEST", "JPY_", "K2TF_"))}
        env.update(HOME=home, TMPDIR=os.path.join(home, "tmp"), K2TF_LOG_DIR=os.path.join(home, "tmp"),
                   MPLCONFIGDIR=os.path.join(home, ".config/matplotlib"), MPLBACKEND="agg",
                   PYTHONDONTWRITEBYTECODE="1", IPYTHONDIR=os.path.join(home, ".ipython"))
        env["PATH"] = f"{os.path.dirname(sys.executable)}:{env.get('PATH', '')}"
        km.start_kernel(cwd=self.workdir, env=env, stderr=stderr)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=startup_timeout)
        except RuntimeError:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            raise
        self.pid = km.provisioner.pid if km.provisioner else None
        self.emit(event="kernel", pid=self.pid, seconds=round(time.monotonic() - self.started, 2),
                  network_isolated=_same_namespace(self.pid, "net") is False,
                  own_user=_uid(self.pid) != os.getuid())
        if self.memory:
            threading.Thread(target=self.watch_memory, args=(km,), daemon=True).start()
        return km, kc

    def watch_memory(self, km):
        # RLIMIT_DATA (set by the sandbox) stops most bombs with a MemoryError the kernel
        # survives; resident memory also counts the libraries (TensorFlow: ~0.5 GiB), so the
        # watchdog only acts above the limit plus that margin
        threshold = self.memory + 2**30
        while km.is_alive():
            if _rss(self.pid) > threshold:
                self.died = "memory"
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except OSError:
                    pass
                return
            time.sleep(0.2)

    def death_message(self):
        if self.died == "memory":
            return f"the kernel used more than {self.memory / 2**30:.1f} GiB of memory and was stopped"
        if self.died == "timeout":
            return "the kernel was stopped after a cell ran past the time limit"
        return "the kernel stopped (it crashed, ran out of memory, or the code ended the process)"

    # --- each cell -------------------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        kernel = getattr(item.parent, "kernel", None)
        if kernel is not None:
            kernel.k2tf_reply = None
        started = time.monotonic()
        yield
        item.k2tf_seconds = time.monotonic() - started

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        yield
        if not hasattr(item, "cell"):
            return
        info = dict(item.cell.metadata.get("k2tf_grader", {}))
        if call.when == "setup" and call.excinfo is not None:
            self.emit(event="cell", index=item.cell_num, outcome="error", **info,
                      message=f"the kernel could not start: {_exception_line(call.excinfo.value)}")
        if call.when != "call":
            return
        outcome, message = self.judge_cell(item, call.excinfo)
        self.emit(event="cell", index=item.cell_num, outcome=outcome, message=message,
                  seconds=round(getattr(item, "k2tf_seconds", 0.0), 2), **info)

    def judge_cell(self, item, excinfo):
        kernel = item.parent.kernel
        reply = getattr(kernel, "k2tf_reply", None) if kernel is not None else None
        error = next((o for o in (item.test_outputs or []) if o.get("output_type") == "error"), None)
        if excinfo is None:
            if reply is None or reply.get("status") != "ok":
                return "failed", ("the cell ended with an error that the notebook hid from its "
                                  "output (errors must not be hidden)")
            return "passed", ""
        exc = excinfo.value
        text = str(exc)
        if isinstance(exc, KernelDied) or "Kernel dead" in text:
            if self.died is None and item.parent.timed_out:
                self.died = "timeout"
            return ("timeout" if self.died == "timeout" else "dead"), self.death_message()
        if "Timeout" in text or "timed out" in text.lower():
            if kernel is None or not kernel.is_alive():
                self.died = "timeout"
            return "timeout", "timeout"
        if error is not None:
            if error.get("ename") == "KeyboardInterrupt" and item.parent.timed_out:
                return "timeout", "timeout"
            return "failed", _error_message(error)
        if "Cell outputs differ" in text:
            return "failed", ("the check's output was not its pass line: something else was "
                              "printed or displayed while it ran")
        return "error", _exception_line(exc)

    def pytest_sessionfinish(self, session):
        self.emit(event="done", seconds=round(time.monotonic() - self.started, 2))


def _uid(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except (OSError, TypeError):
        pass
    return os.getuid()


def _exception_line(exc) -> str:
    text = ANSI.sub("", str(exc)).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


def _error_message(error) -> str:
    """What a failing cell says, without its traceback (which would show check source)."""
    ename, evalue = error.get("ename", ""), ANSI.sub("", error.get("evalue", "")).strip()
    if ename == "CheckFailed":
        return evalue
    return f"{ename}: {evalue}" if evalue else ename
