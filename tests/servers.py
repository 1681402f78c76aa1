"""Servers the tests start for real (JupyterLab, TensorBoard): a port, waiting, stopping.

Each server runs in a process group of its own (``start_new_session=True``), so stopping it
also stops what it started (kernels, a ``%tensorboard``'s server in a kernel's group aside).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from typing import Callable

import pytest


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, *, deadline: float, what: str,
                       headers: dict[str, str] | None = None,
                       log: Callable[[], str] = lambda: "") -> None:
    """Return once ``url`` answers; fail the test if ``process`` exits or ``deadline`` (monotonic) passes."""
    while True:
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                state = (f"exited with status {process.returncode}" if process.poll() is not None
                         else "did not answer in time")
                pytest.fail(f"{what} did not start ({state}):\n{log()[-3000:]}")
            time.sleep(0.3)


def stop_group(process: subprocess.Popen, *, grace_s: float = 20) -> None:
    """SIGTERM the process's group, SIGKILL it after ``grace_s``, then SIGKILL any straggler."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace_s)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
