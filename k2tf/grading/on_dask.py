"""Grade on a Dask cluster: ``k2tf grade --scheduler tcp://HOST:PORT`` or ``--cluster local:N``.

The second executor of :mod:`k2tf.grading.run` (the first is a local pool of threads, each
running one sandboxed kernel). Everything else is the same code: :func:`~k2tf.grading.run.plan`
and :func:`~k2tf.grading.run.prepare` run on the instructor's machine (the client), which stays
the only writer of the output folder (:class:`~k2tf.grading.run.Recorder`), so a rerun after an
interruption grades only what is missing, as for local grading.

What travels, and what does not:

* Each piece of work (one rebuilt notebook) is one Dask task. It carries the rebuilt notebook
  (the student's answers inside the solution's cells, hidden checks included), the limits and the
  course's fingerprint; never the course itself.
* A worker grades with the course *installed on it* (``pip install -e`` of the same clone, or the
  same release): the check cells import its ``k2tf``. So every task carries the fingerprint of the
  client's course (:func:`course_fingerprint`: the k2tf version, every file of the ``k2tf``
  package a kernel or the judge runs (:data:`CLIENT_ONLY` aside), every solution, and the versions of the engines a grade depends on). Before grading,
  the client asks every worker for its own fingerprint and sends work only to workers whose
  course matches, naming for the others what differs; a worker that joins later and differs
  refuses the task itself (:class:`CourseMismatch`), and the run reports it instead of grading
  with other solutions or checks.
* A worker judges a task exactly as ``--jobs`` does (:func:`k2tf.grading.judge.judge`: a fresh
  kernel under the sandbox's limits, no network), one task at a time per worker thread.

Faults: a worker that dies mid-task is Dask's business (the scheduler runs the task on another
worker; the client records each submission once, when its result arrives). A task that killed
:data:`ALLOWED_FAILURES` workers in a row is recorded as an error of that hand-in. A scheduler
that cannot be reached, or goes away mid-run, ends the run with :class:`ClusterError`: every
result recorded so far is kept and the same command grades the rest.

Each worker needs: Linux (the sandbox's namespaces), the course's pinned environment
(``make setup``) and the same course version as the client. See the README, "Grading on a
cluster".
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Iterator

from . import judge as judge_module

#: How many times a task may kill its worker and be run again before the hand-in is recorded as an
#: error (Dask's ``distributed.scheduler.allowed-failures``; set here for ``--cluster local:N``, and
#: by the scheduler's own configuration for ``--scheduler``, where Dask's default is 3 too).
ALLOWED_FAILURES = 3
#: The engines a grade depends on besides the course itself: a worker with another version of
#: one of them could score the same answer differently.
ENGINES = ("tensorflow", "keras", "numpy", "nbval", "nbclient", "ipykernel")
#: Parts of the package that only the client runs (listing hand-ins, filing results, the report,
#: the benchmarks): a worker may differ there and still grade alike. Everything else of ``k2tf``
#: (the checks, the helpers lessons and answers import, the judge) must be the same.
CLIENT_ONLY = ("bench/", "grading/run.py", "grading/layouts.py", "grading/roster.py", "grading/exports.py",
               "grading/feedback.py", "grading/outline.py", "grading/report.py", "grading/gradebook.py",
               "grading/gradescope.py", "grading/submissions.py", "cli.py", "__main__.py")
#: Seconds to wait for a scheduler before saying it cannot be reached.
CONNECT_TIMEOUT = 15


class ClusterError(RuntimeError):
    """The cluster cannot grade (unreachable, gone mid-run, no worker with this course)."""


class CourseMismatch(RuntimeError):
    """Raised on a worker whose installed course differs from the client's (message: what)."""


def _course_root() -> Path:
    from .run import COURSE_ROOT

    return COURSE_ROOT


def course_fingerprint(course_root: Path | None = None) -> dict[str, str]:
    """What a grade depends on, name by name: ``{"k2tf": version, "k2tf/checks/lesson05.py":
    digest, "solutions/05_custom_training_loop.ipynb": digest, "tensorflow": version, ...}``.

    ``course_root`` holds ``solutions/`` (default: the installed course's folder); the ``k2tf``
    package is always the one this process imports, since that is what a kernel here imports.
    """
    from .. import __version__

    package = Path(__file__).resolve().parent.parent
    root = Path(course_root) if course_root is not None else _course_root()
    items = {"k2tf": __version__}
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if "__pycache__" in path.parts or relative.startswith(CLIENT_ONLY):
            continue
        items["k2tf/" + relative] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    for path in sorted((root / "solutions").glob("*.ipynb")):
        items["solutions/" + path.name] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    for name in ENGINES:
        try:
            items[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            items[name] = "not installed"
    return items


def differences(expected: dict[str, str], found: dict[str, str], *, limit: int = 6) -> str:
    """``"solutions/05_….ipynb differs, k2tf/checks/lesson05.py missing, keras 3.15.1 vs 3.14.0"``."""
    said = []
    for name in sorted(set(expected) | set(found)):
        want, have = expected.get(name), found.get(name)
        if want == have:
            continue
        if have is None:
            said.append(f"{name} missing on the worker")
        elif want is None:
            said.append(f"{name} only on the worker")
        elif "/" in name:
            said.append(f"{name} differs")
        else:
            said.append(f"{name} {have} on the worker, {want} here")
    more = f" and {len(said) - limit} more" if len(said) > limit else ""
    return ", ".join(said[:limit]) + more


def worker_fingerprint() -> dict[str, str]:
    """The fingerprint of the course installed where this runs (called on each worker)."""
    return course_fingerprint()


def judge_task(rebuilt, limits: judge_module.Limits, hide: list[Path], expected: dict[str, str]):
    """One Dask task: refuse when this worker's course differs, else judge as ``--jobs`` does.

    Returns ``(judgement, seconds, worker address)``.
    """
    found = worker_fingerprint()
    if found != expected:
        raise CourseMismatch(f"this worker's course differs from the one grading: {differences(expected, found)}")
    started = time.perf_counter()
    judgement = judge_module.judge(rebuilt, limits=limits, hide=[p for p in hide if Path(p).exists()])
    try:
        from distributed import get_worker

        address = get_worker().address
    except Exception:  # run outside a worker (tests call it directly)
        address = "local"
    return judgement, round(time.perf_counter() - started, 3), address


@dataclass
class Refused:
    """A piece of work no worker would grade: reported, never recorded as a grade."""

    work: object
    why: str


def parse_cluster(text: str) -> int:
    """``local:N`` → N (worker processes of a LocalCluster)."""
    kind, _, count = text.partition(":")
    if kind != "local" or not count.isdigit() or int(count) < 1:
        raise ValueError(f"--cluster {text}: write local:N, N the number of worker processes (local:2)")
    return int(count)


class DaskExecutor:
    """Judges work on a Dask cluster; used as a context manager around one grading run.

    ``scheduler`` is an address (``tcp://host:8786``) of a running cluster; ``local_workers`` starts a
    :class:`distributed.LocalCluster` of that many single-threaded worker processes for the run.
    """

    def __init__(self, *, scheduler: str | None = None, local_workers: int | None = None,
                 course_root: Path | None = None, stream_err=None):
        self.scheduler, self.local_workers = scheduler, local_workers
        self.expected = course_fingerprint(course_root)
        self.stream_err = stream_err
        self.client = self.cluster = None
        self.workers: list[str] = []
        self.refused: list[Refused] = []
        self.dashboard: str | None = None

    # -- connecting -----------------------------------------------------------------------------
    def __enter__(self) -> "DaskExecutor":
        import dask
        from distributed import Client, LocalCluster

        # Dask logs every lost connection with a traceback; this run says what went wrong itself
        for name in ["distributed"] + [n for n in logging.root.manager.loggerDict if n.startswith("distributed.")]:
            logging.getLogger(name).setLevel(logging.CRITICAL)
        if self.local_workers:
            # one task at a time per worker process (each task is a kernel of its own); no memory
            # limit from Dask: the sandbox limits each kernel, which Dask would not count anyway
            with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
                self.cluster = LocalCluster(n_workers=self.local_workers, threads_per_worker=1,
                                            processes=True, dashboard_address=":0", memory_limit=0)
            address = self.cluster.scheduler_address
        else:
            address = self.scheduler
        try:
            self.client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as error:
            self.close()
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {error}. Is it running "
                               f"(`dask scheduler`), and is the address right?") from None
        self.address = address
        self.dashboard = self._dashboard()
        return self

    def _dashboard(self) -> str | None:
        try:
            services = self.client.scheduler_info().get("services", {})
        except Exception:
            return None
        if "dashboard" not in services:
            return None
        # the scheduler serves the address even without bokeh (then every page is a 404): show the
        # link only when the dashboard itself answers
        import urllib.request

        link = self.client.dashboard_link
        try:
            with urllib.request.urlopen(link, timeout=3) as reply:
                return link if reply.status == 200 else None
        except Exception:
            return None

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.close(timeout=5)
            except Exception:  # the scheduler may be gone already
                pass
            self.client = None
        if self.cluster is not None:
            try:
                self.cluster.close(timeout=10)
            except Exception:
                pass
            self.cluster = None

    def __exit__(self, *exc) -> None:
        self.close()

    def check_workers(self) -> list[str]:
        """The workers whose course matches; says what differs on the others. At least one must."""
        if self.local_workers:
            self.client.wait_for_workers(self.local_workers, timeout=120)
        elif not self.client.scheduler_info().get("workers"):
            try:
                self.client.wait_for_workers(1, timeout=60)
            except (TimeoutError, OSError):
                raise ClusterError(f"the Dask scheduler at {self.address} has no worker: start one "
                                   f"with `dask worker {self.address}` where the course is installed") from None
        try:
            found = self.client.run(worker_fingerprint, on_error="return")
        except Exception as error:
            raise ClusterError(f"the Dask scheduler at {self.address} stopped answering: {error}") from None
        good, said = [], []
        for address, fingerprint in sorted(found.items()):
            if isinstance(fingerprint, BaseException):
                said.append(f"worker {address} cannot tell its course ({type(fingerprint).__name__}: "
                            f"{fingerprint}): is k2tf installed there?")
            elif fingerprint != self.expected:
                said.append(f"worker {address} has another course and gets no work: "
                            f"{differences(self.expected, fingerprint)}")
            else:
                good.append(address)
        for line in said:
            self._say(line)
        if not good:
            raise ClusterError(f"no worker of the Dask scheduler at {self.address} has this course "
                               f"(k2tf {self.expected['k2tf']}, the same solutions, checks and engines): "
                               + "; ".join(said))
        self.workers = good
        return good

    def _say(self, line: str) -> None:
        if self.stream_err is not None:
            self.stream_err.write(f"note: {line}\n")
            self.stream_err.flush()

    # -- running --------------------------------------------------------------------------------
    def execute(self, work: list, *, limits: judge_module.Limits, hide: list[Path]
                ) -> Iterator[tuple[object, judge_module.Judgement, float | None]]:
        """Like :func:`k2tf.grading.run.execute`: yield ``(work, judgement, seconds)`` as each ends.

        Work that no worker would grade (a course mismatch) is not yielded: it is in
        :attr:`refused`. Raises :class:`ClusterError` when the scheduler goes away.
        """
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        if not work:
            return
        futures = {}
        for index, w in enumerate(work):
            future = self.client.submit(judge_task, w.rebuilt, limits, [str(p) for p in hide], self.expected,
                                        key=f"k2tf-grade-{index}-{id(w):x}", pure=False,
                                        workers=self.workers, allow_other_workers=False)
            futures[future] = w
        pending = set(futures)
        try:
            for future in as_completed(list(futures), loop=self.client.loop):
                w = futures[future]
                pending.discard(future)
                if future.status == "finished":
                    judgement, seconds, _ = future.result()
                    yield w, judgement, seconds
                    continue
                if future.status == "cancelled" or self.client.status not in ("running", "connecting"):
                    raise ClusterError(self._gone())
                error = future.exception()
                if isinstance(error, CourseMismatch):
                    self.refused.append(Refused(w, str(error)))
                elif isinstance(error, KilledWorker):
                    yield w, judge_module.Judgement(
                        [], problem="every Dask worker that took this hand-in died while grading it (out of "
                                    "memory, or killed), each time Dask ran it again: it was not graded"), None
                elif _lost_scheduler(error):
                    raise ClusterError(self._gone())
                else:
                    yield w, judge_module.Judgement(
                        [], problem=f"the grader failed: {type(error).__name__}: {error}"), None
        except BaseException:
            for future in pending:
                try:
                    future.cancel()
                except Exception:
                    pass
            raise

    def _gone(self) -> str:
        return (f"the Dask scheduler at {self.address} went away mid-run (or this machine lost it): "
                f"every result received so far is recorded; run the same command again to grade the rest")


def _lost_scheduler(error: BaseException) -> bool:
    from distributed.comm.core import CommClosedError

    return isinstance(error, (CommClosedError, OSError, TimeoutError)) or type(error).__name__ in (
        "FutureCancelledError", "CancelledError")
