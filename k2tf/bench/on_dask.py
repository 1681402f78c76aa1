"""Benchmark 6: grading on Dask against grading on this machine, and the client's cost at scale.

Two measurements:

* The batch of benchmark 2 (two hand-ins per exercise, 24 in all) graded four ways in one round:
  ``k2tf grade --jobs 1`` and ``--jobs 2`` on this machine, then on a Dask cluster of 1 and of 2
  single-threaded workers (a real ``dask scheduler`` and ``dask worker`` processes on loopback,
  started for the round and stopped after it). Each run writes into a fresh folder, so nothing is
  reused. From it: throughput, and Dask's overhead per task (its wall time minus the local one of
  the same parallelism, spread over the hand-ins each worker graded).
* The client's single writer: :class:`k2tf.grading.run.Recorder` filing 10,000 synthetic results
  (feedback page, stored result, the CSV files), as on a cluster large enough to grade a term's
  hand-ins. It must keep up with the workers; the report says at how many cores it would not.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .. import notebooks
from .grading import course_plan, make_batch

SYNTHETIC = 10_000


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _grade(folder: Path, out: Path, root: Path, *args: str) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "k2tf", "grade", str(folder), "--out", str(out),
                           "--root", str(root), *args], capture_output=True, text=True)
    wall = round(time.perf_counter() - started, 3)
    seconds = [json.loads(p.read_text(encoding="utf-8")).get("seconds")
               for p in sorted((out / ".results").glob("*.json"))]
    problems = [] if done.returncode == 0 else [f"exit {done.returncode}: {done.stderr.strip()[-300:]}"]
    return {"args": list(args), "wall_seconds": wall, "seconds": seconds, "problems": problems}


class _Cluster:
    """``dask scheduler`` and N ``dask worker`` processes on loopback, stopped on exit."""

    def __init__(self, folder: Path, workers: int):
        self.folder, self.workers, self.processes = folder, workers, []

    def __enter__(self) -> str:
        from distributed import Client

        scheduler_file = self.folder / "scheduler.json"
        self._start([_bin("dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(scheduler_file)])
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.3)
        for i in range(self.workers):
            self._start([_bin("dask"), "worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1",
                         "--no-dashboard", "--memory-limit", "0", "--name", f"bench{i}"])
        with Client(scheduler_file=str(scheduler_file), timeout=30) as client:
            client.wait_for_workers(self.workers, timeout=120)
            return client.scheduler.address

    def _start(self, command):
        self.processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                               cwd=self.folder, start_new_session=True))

    def __exit__(self, *exc):
        for process in reversed(self.processes):
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def record_cost(size: int = SYNTHETIC) -> dict:
    """Seconds the client takes to file ``size`` results, and the same per result."""
    from ..grading import gradebook as gradebook_module
    from ..grading import outline as outline_module
    from ..grading.run import Plan, Recorder

    with tempfile.TemporaryDirectory(prefix="k2tf-bench-record-") as scratch:
        book = gradebook_module.Gradebook(Path(scratch) / "grades")
        book.folder.mkdir(parents=True)
        plan = Plan(planned=[], dropped=[], ignored=[], problems=[], identities={}, exercises=[])
        outlines = {"05_custom_training_loop": outline_module.read(notebooks.REPO_ROOT, "05_custom_training_loop")}
        recorder = Recorder(book, plan, outlines, hidden_feedback="message",
                            lesson_url=outline_module.DEFAULT_LESSON_URL)
        started = time.perf_counter()
        for i in range(size):
            recorder.add(_synthetic(i))
        filed = time.perf_counter() - started
        started = time.perf_counter()
        recorder.finish([])
        finished = time.perf_counter() - started
    return {"size": size, "filing_seconds": round(filed, 3), "finish_seconds": round(finished, 3),
            "per_result_ms": round(1000 * filed / size, 3)}


def _synthetic(i: int) -> dict:
    questions = [{"question": f"05.q{q}", "points": (i + q) % 3, "max_points": 2,
                  "status": "passed" if (i + q) % 3 == 2 else "failed",
                  "message": "" if (i + q) % 3 == 2 else "the loss was expected to fall",
                  "checks": [{"name": "check", "points": (i + q) % 3, "max_points": 2,
                              "status": "passed" if (i + q) % 3 == 2 else "failed", "message": ""}],
                  "unanswered": False} for q in range(1, 6)]
    return {"key": f"student{i:05d}__05_custom_training_loop", "student": f"student{i:05d}",
            "exercise": "05_custom_training_loop", "file": "05_custom_training_loop.ipynb",
            "score": sum(q["points"] for q in questions), "max_score": 10, "status": "graded",
            "message": "", "questions": questions, "notes": [], "graded_at": "2026-12-01T00:00:00Z",
            "fingerprint": f"{i:016x}"}


def run(*, root: Path = notebooks.REPO_ROOT, plan: list[tuple[str, str]] | None = None, repeats: int = 1,
        synthetic: int = SYNTHETIC, log=print) -> dict:
    """Benchmark 6 (see the module's docstring)."""
    plan = plan or course_plan(root)
    rounds = []
    with tempfile.TemporaryDirectory(prefix="k2tf-bench-dask-") as scratch:
        scratch = Path(scratch)
        for repeat in range(1, repeats + 1):
            here = scratch / f"round{repeat}"
            subs = here / "submissions"
            make_batch(root, subs, plan)
            runs = {}
            for jobs in (1, 2):
                log(f"  dask, round {repeat}/{repeats}: k2tf grade --jobs {jobs} on {len(plan)} hand-ins")
                runs[f"jobs{jobs}"] = _grade(subs, here / f"jobs{jobs}", root, "--jobs", str(jobs))
                log(f"    {runs[f'jobs{jobs}']['wall_seconds']:.0f} s")
            for workers in (1, 2):
                log(f"  dask, round {repeat}/{repeats}: k2tf grade --scheduler (dask, {workers} worker(s))")
                folder = here / f"cluster{workers}"
                folder.mkdir()
                with _Cluster(folder, workers) as address:
                    runs[f"dask{workers}"] = _grade(subs, here / f"dask{workers}", root, "--scheduler", address)
                log(f"    {runs[f'dask{workers}']['wall_seconds']:.0f} s")
            for name, result in runs.items():
                if result["problems"]:
                    log(f"    problems in {name}: {result['problems']}")
            shutil.rmtree(here, ignore_errors=True)
            rounds.append(runs)
    log(f"  dask: the client filing {synthetic:,} synthetic results")
    record = record_cost(synthetic)
    log(f"    {record['filing_seconds']:.1f} s ({record['per_result_ms']:.2f} ms a result)")
    return {"submissions": len(plan), "repeats": repeats, "rounds": rounds, "record": record}
