"""Several devices and several processes on one machine (lesson 10).

* :func:`use_logical_cpus` splits this machine's CPU into logical devices, so that
  ``tf.distribute.MirroredStrategy`` has more than one replica to mirror a model on.
* :func:`tf_config` builds the ``TF_CONFIG`` that tells one worker process of a
  ``MultiWorkerMirroredStrategy`` cluster who its peers are and which one it is.
* :func:`run_workers` starts a small cluster of worker processes on loopback (127.0.0.1), each
  training the same small model under ``MultiWorkerMirroredStrategy``, waits for
  them with a timeout, and always stops them. It returns only the workers' deterministic summary
  lines and what they measured (:class:`WorkerResult`: did ``fit`` work, with which error, which
  losses); their TensorFlow logs go to a log file in a temporary folder, never to your notebook.
  ``run_workers(2, keras="tf_keras")`` trains with Keras 2's ``fit`` instead
  (``TF_USE_LEGACY_KERAS=1``), the way out while Keras 3's ``fit`` fails on several workers.

The worker program itself is :mod:`k2tf.distributed_worker`, shipped with the package.
"""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

#: Lines a worker prints on stdout that are meant for the notebook start with this marker;
#: everything else a worker writes is a log.
REPORT_PREFIX = "K2TF "

#: Lines that carry what a worker measured, as one JSON object each, start with this marker;
#: :class:`WorkerResult` reads them (``fit_ok``, ``fit_error``, ...) and never prints them.
DATA_PREFIX = "K2TF_DATA "

#: The Keras a worker trains with: ``"keras"`` is Keras 3 (the course's Keras); ``"tf_keras"`` is
#: Keras 2, which TensorFlow's ``tf.keras`` becomes when ``TF_USE_LEGACY_KERAS=1`` is set before
#: TensorFlow is imported.
KERAS_CHOICES = ("keras", "tf_keras")

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


def short_error(error: BaseException | str, limit: int = 300) -> str:
    """An exception's meaningful line: ``"Type: message"`` without the data it dumps.

    TensorFlow's messages often print a whole tensor (``PerReplica:{ 0: <tf.Tensor ...
    numpy=array([[...]])> }``) or the graph node an op belongs to; what the message says is in its
    first and last lines, so the lines between them become ``…`` and a ``for '{{node ...}}'``
    tail is dropped. Anything still longer than ``limit`` characters is cut with ``…``.
    """
    if isinstance(error, BaseException):
        kind, text = type(error).__name__, str(error)
    else:
        kind, text = "", str(error)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    text = f"{lines[0]}…{lines[-1]}" if len(lines) > 1 else (lines[0] if lines else "")
    text = re.split(r"\s+for '\{\{node ", text)[0]
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return f"{kind}: {text}" if kind else text


@dataclass(frozen=True)
class WorkerResult:
    """What one worker process reported.

    ``lines`` are its summary lines, to print. ``data`` is what it measured, merged from its
    ``K2TF_DATA`` lines; the properties below read it (``None`` where the worker did not say,
    for instance ``fit_ok`` when it was not asked to try ``fit``).
    """

    index: int
    returncode: int | None
    lines: tuple[str, ...]
    timed_out: bool = False
    pid: int | None = None
    data: dict = field(default_factory=dict, hash=False)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def keras_version(self) -> str | None:
        """The version of the Keras the worker trained with (Keras 3, or tf_keras's Keras 2)."""
        return self.data.get("keras_version")

    @property
    def fit_ok(self) -> bool | None:
        """Whether ``fit`` trained under ``MultiWorkerMirroredStrategy`` in this worker."""
        return self.data.get("fit_ok")

    @property
    def fit_error(self) -> str | None:
        """``fit``'s error as ``"Type: message"``, shortened by :func:`short_error`."""
        return self.data.get("fit_error")

    @property
    def fit_error_in(self) -> str | None:
        """The Keras function the error came from (the innermost Keras frame), e.g.
        ``"TensorFlowTrainer._maybe_symbolic_build"``."""
        return self.data.get("fit_error_in")

    @property
    def fit_losses(self) -> tuple[float, ...] | None:
        """The loss after each epoch of ``fit``, where it worked."""
        losses = self.data.get("fit_losses")
        return tuple(losses) if losses is not None else None

    @property
    def loop_losses(self) -> tuple[float, ...] | None:
        """The loss after each epoch the custom training loop trained in this run."""
        losses = self.data.get("loop_losses")
        return tuple(losses) if losses is not None else None

    @property
    def loop_epochs(self) -> tuple[int, ...] | None:
        """The numbers of those epochs (from 1; after a resume, the epochs left)."""
        epochs = self.data.get("loop_epochs")
        return tuple(epochs) if epochs is not None else None

    @property
    def resumed_from_epoch(self) -> int | None:
        """With checkpoints: the epoch the worker's latest checkpoint had reached (0: none)."""
        return self.data.get("resumed_from_epoch")

    @property
    def weights_sha256(self) -> str | None:
        """A digest of the custom loop's final weights, to compare two runs bit for bit."""
        return self.data.get("weights_sha256")


def _worker_env(config: dict, log_dir: Path, keras: str = "keras") -> dict:
    from .notebook_setup import QUIET_TF_ENV

    env = dict(os.environ)
    env.update(QUIET_TF_ENV)
    # read when TensorFlow is imported: tf.keras is then tf_keras (Keras 2) instead of Keras 3
    env.pop("TF_USE_LEGACY_KERAS", None)
    if keras == "tf_keras":
        env["TF_USE_LEGACY_KERAS"] = "1"
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
                keras: str = "keras", timeout: float = DEFAULT_TIMEOUT_S,
                log_dir: str | os.PathLike | None = None,
                checkpoint_dir: str | os.PathLike | None = None,
                lose_worker: tuple[int, int] | None = None,
                command: list[str] | None = None) -> list[WorkerResult]:
    """Train one small model under ``MultiWorkerMirroredStrategy`` in ``num_workers``
    processes talking over 127.0.0.1; return each worker's report.

    Each worker first tries Keras 3's ``fit`` (``try_fit``) and reports what happened (the
    result's ``fit_ok`` and ``fit_error``: the real error, shortened), then trains with the custom
    training loop of lesson 10 (``strategy.run`` and ``strategy.reduce``). With
    ``keras="tf_keras"`` each worker instead trains with the ``fit`` of Keras 2 (tf_keras, through
    ``tf.keras`` with ``TF_USE_LEGACY_KERAS=1`` set in its environment) and nothing else.

    Each worker gets its own ``TF_CONFIG`` (same cluster, its own index). The call waits at most
    ``timeout`` seconds for all of them together; any worker still running then, or when
    anything goes wrong, is terminated (killed if it does not stop), so no process outlives
    the call. If one worker fails, the others are stopped at once rather than left waiting for
    it. ``command`` replaces the worker program (the tests use it). Workers' logs (stderr) go
    to ``worker-<i>.log`` in ``log_dir`` (a temporary folder by default, deleted afterwards).

    With ``checkpoint_dir``, the custom loop restores the latest checkpoint there (model,
    optimizer, epoch reached) and saves one after every epoch: run the cluster again with the
    same folder and it resumes. ``lose_worker=(i, n)`` makes worker ``i`` exit abruptly (status
    17) once epoch ``n`` is saved, as a worker whose machine goes away; the others are then
    stopped, as a cluster manager would before restarting the job.
    """
    import time

    if keras not in KERAS_CHOICES:
        raise ValueError(f"keras must be one of {KERAS_CHOICES}, not {keras!r}")
    if (checkpoint_dir is not None or lose_worker is not None) and keras != "keras":
        raise ValueError("checkpoints and a lost worker are for the custom loop (keras='keras')")
    if lose_worker is not None and checkpoint_dir is None:
        raise ValueError("lose_worker needs a checkpoint_dir to resume from")
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
                                    "--epochs", str(epochs), "--keras", keras]
                                   + (["--try-fit"] if try_fit else [])
                                   + (["--checkpoint-dir", str(Path(checkpoint_dir).resolve())]
                                      if checkpoint_dir is not None else [])
                                   + (["--die-after-epoch", str(lose_worker[1])]
                                      if lose_worker is not None and lose_worker[0] == index
                                      else []))
                processes.append(subprocess.Popen(
                    args,
                    stdin=subprocess.DEVNULL, stdout=outf, stderr=err,
                    env=_worker_env(tf_config(addresses, index), logs, keras),
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
            data = {}
            for line in text.splitlines():
                if line.startswith(DATA_PREFIX):
                    try:
                        data.update(json.loads(line[len(DATA_PREFIX):]))
                    except json.JSONDecodeError:  # cut short by a kill: its lines say enough
                        pass
            results.append(WorkerResult(index, process.returncode, lines, index in timed_out,
                                        process.pid, data))
        return results
