"""Several devices and several processes on one machine (lesson 10).

* :func:`use_logical_cpus` splits this machine's CPU into logical devices, so that
  ``tf.distribute.MirroredStrategy`` has more than one replica to mirror a model on.
* :func:`tf_config` builds the ``TF_CONFIG`` that tells one worker process of a
  ``MultiWorkerMirroredStrategy`` cluster who its peers are and which one it is.
* :func:`run_workers` starts a small cluster of worker processes on loopback (127.0.0.1), each
  training the same small model under ``MultiWorkerMirroredStrategy``, waits for
  them with a timeout, and always stops them. It returns only the workers' deterministic summary
  lines; their TensorFlow logs go to a log file in a temporary folder, never to your notebook.

The worker program itself is :mod:`k2tf.distributed_worker`, shipped with the package.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Lines a worker prints on stdout that are meant for the notebook start with this marker;
#: everything else a worker writes is a log.
REPORT_PREFIX = "K2TF "

#: Seconds the whole cluster may take before its workers are killed.
DEFAULT_TIMEOUT_S = 120.0


def use_logical_cpus(count: int = 2) -> int:
    """Split the first physical CPU into ``count`` logical devices; return how many there are.

    TensorFlow accepts this only before it has initialised its devices (before the first
    tensor or model is created); call it right after ``k2tf.setup()``. If the devices are
    already initialised, nothing changes and the current number of logical CPUs is returned,
    so a lesson still runs (``MirroredStrategy`` works with one replica too).
    """
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)])
    except RuntimeError:  # "Virtual devices cannot be modified after being initialized"
        pass
    return len(tf.config.list_logical_devices("CPU"))


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` distinct TCP ports that are free on ``host`` right now (the OS picks them)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def loopback_works(timeout: float = 2.0) -> bool:
    """Whether a TCP connection to 127.0.0.1 succeeds here (some sandboxes run without one)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            with socket.create_connection(server.getsockname(), timeout=timeout):
                return True
    except OSError:
        return False


def tf_config(addresses: list[str], index: int) -> dict:
    """The ``TF_CONFIG`` of worker ``index`` in a cluster of workers at ``addresses``.

    Every worker gets the same ``cluster`` (all addresses, in the same order) and its own
    ``task``; ``json.dumps`` of the result is what goes into the ``TF_CONFIG`` variable.
    """
    if not 0 <= index < len(addresses):
        raise ValueError(f"index {index} is not one of the {len(addresses)} workers")
    return {"cluster": {"worker": list(addresses)}, "task": {"type": "worker", "index": index}}


@dataclass(frozen=True)
class WorkerResult:
    """What one worker process reported."""

    index: int
    returncode: int | None
    lines: tuple[str, ...]
    timed_out: bool = False
    pid: int | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def _worker_env(config: dict, log_dir: Path) -> dict:
    from .notebook_setup import QUIET_TF_ENV

    env = dict(os.environ)
    env.update(QUIET_TF_ENV)
    env["TF_CONFIG"] = json.dumps(config)
    env["KERAS_BACKEND"] = "tensorflow"
    env["CUDA_VISIBLE_DEVICES"] = ""  # the lesson is about CPUs; never grab a GPU
    env["K2TF_LOG_DIR"] = str(log_dir)
    # a proxy must never see collective traffic meant for 127.0.0.1
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(key, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def _stop_all(processes: list[subprocess.Popen], grace: float = 5.0) -> None:
    """Terminate every process still running, wait up to ``grace`` seconds, then kill."""
    import time

    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + grace
    for process in running:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def run_workers(num_workers: int = 2, *, epochs: int = 3, try_fit: bool = True,
                timeout: float = DEFAULT_TIMEOUT_S,
                log_dir: str | os.PathLike | None = None,
                command: list[str] | None = None) -> list[WorkerResult]:
    """Train one small model under ``MultiWorkerMirroredStrategy`` in ``num_workers``
    processes talking over 127.0.0.1; return each worker's report.

    Each worker first tries ``fit`` (``try_fit``) and reports whether it works, then trains
    with the custom training loop of lesson 10 (``strategy.run`` and ``strategy.reduce``).

    Each worker gets its own ``TF_CONFIG`` (same cluster, its own index). The call waits at most
    ``timeout`` seconds for all of them together; any worker still running then, or when
    anything goes wrong, is terminated (killed if it does not stop), so no process outlives
    the call. If one worker fails, the others are stopped at once rather than left waiting for
    it. ``command`` replaces the worker program (the tests use it). Workers' logs (stderr) go
    to ``worker-<i>.log`` in ``log_dir`` (a temporary folder by default, deleted afterwards).
    """
    import time

    if command is None and not loopback_works():
        raise RuntimeError("this machine has no working loopback network (127.0.0.1), which "
                           "the workers need to talk to each other; run this on a normal machine")
    addresses = [f"127.0.0.1:{port}" for port in free_ports(num_workers)]
    with tempfile.TemporaryDirectory(prefix="k2tf-workers-") as tmp:
        logs = Path(log_dir) if log_dir is not None else Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        processes: list[subprocess.Popen] = []
        outputs: list[Path] = []
        handles = []
        try:
            for index in range(num_workers):
                out = logs / f"worker-{index}.out"
                err = open(logs / f"worker-{index}.log", "wb")
                outf = open(out, "wb")
                handles += [err, outf]
                outputs.append(out)
                args = command or ([sys.executable, "-m", "k2tf.distributed_worker",
                                    "--epochs", str(epochs)] + (["--try-fit"] if try_fit else []))
                processes.append(subprocess.Popen(
                    args,
                    stdin=subprocess.DEVNULL, stdout=outf, stderr=err,
                    env=_worker_env(tf_config(addresses, index), logs),
                    cwd=str(Path(__file__).resolve().parent.parent),
                ))
            deadline = time.monotonic() + timeout
            timed_out = set()
            while True:
                codes = [process.poll() for process in processes]
                if all(code is not None for code in codes) or any(codes):
                    break  # all done, or one failed: its peers would wait for it forever
                if time.monotonic() > deadline:
                    timed_out = {i for i, code in enumerate(codes) if code is None}
                    break
                time.sleep(0.05)
        finally:
            # on a timeout, an error, or a KeyboardInterrupt: no worker outlives the call
            _stop_all(processes)
            for handle in handles:
                handle.close()
        results = []
        for index, (process, out) in enumerate(zip(processes, outputs)):
            text = out.read_text(errors="replace") if out.exists() else ""
            lines = tuple(line[len(REPORT_PREFIX):] for line in text.splitlines()
                          if line.startswith(REPORT_PREFIX))
            results.append(WorkerResult(index, process.returncode, lines, index in timed_out,
                                        process.pid))
        return results
