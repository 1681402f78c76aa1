"""``k2tf bench``: run the benchmarks, keep their measurements, write the report.

``results.json`` keeps each benchmark's raw measurements with the machine they were taken on
and when; ``--only`` re-measures some benchmarks and keeps the others; ``--report`` only
rewrites the report (``REPORT.md``, figures, the README's headline block) from the file.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .. import notebooks
from . import grading, handins, lessons, machine, on_dask

SECTIONS = ("loops", "lessons", "grading", "scaling", "handins", "dask")


@dataclass
class Settings:
    """How much to measure. ``quick()`` is for the tests: it proves the code runs, no more."""

    lesson_runs: int = 3
    lesson_names: list[str] | None = None
    grading_plan: list[tuple[str, str]] | None = None  # None: two submissions per exercise
    grading_jobs: tuple[int, ...] = (1, 2, 4)
    grading_repeats: int = 2
    scaling_exercise: str = "05_custom_training_loop"
    scaling_sizes: tuple[int, ...] = (1, 5, 20, 50)
    loop_rounds: int = 7
    loop_epochs: int = 20
    loop_sizes: str = "1259,5000,20000,50000"
    loop_size_rounds: int = 3
    handins_size: int = 1000
    handins_repeats: int = 3
    dask_plan: list[tuple[str, str]] | None = None  # None: the grading batch (24 hand-ins)
    dask_repeats: int = 2  # a ratio within 10% needs more than one round on a shared machine
    dask_synthetic: int = 10_000
    quick: bool = False

    @classmethod
    def quick_settings(cls) -> "Settings":
        return cls(lesson_runs=1, lesson_names=["00_welcome"],
                   grading_plan=[("00_welcome", "full"), ("00_welcome", "half")], grading_jobs=(1, 2),
                   grading_repeats=1, scaling_exercise="00_welcome", scaling_sizes=(1, 2),
                   loop_rounds=1, loop_epochs=1, loop_sizes="256,512", loop_size_rounds=1,
                   handins_size=40, handins_repeats=1,
                   dask_plan=[("00_welcome", "full"), ("00_welcome", "half")], dask_repeats=1, dask_synthetic=200,
                   quick=True)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _loops(settings: Settings, device: str, log) -> dict:
    with tempfile.TemporaryDirectory(prefix="k2tf-bench-loops-") as scratch:
        out = Path(scratch) / "loops.json"
        command = [sys.executable, "-m", "k2tf.bench.loops", "--device", device, "--out", str(out),
                   "--rounds", str(settings.loop_rounds), "--epochs", str(settings.loop_epochs),
                   "--sizes", settings.loop_sizes, "--size-rounds", str(settings.loop_size_rounds)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
            for line in child.stdout:
                log(line.rstrip())
        if child.returncode != 0:
            raise RuntimeError(f"the loop benchmark ({device}) failed with exit status {child.returncode}")
        return json.loads(out.read_text(encoding="utf-8"))


def measure(section: str, settings: Settings, facts: dict, root: Path, log) -> dict:
    if section == "loops":
        data = {"cpu": _loops(settings, "cpu", log)}
        data["gpu"] = (_loops(settings, "gpu", log) if facts["gpus"]
                       else {"device": "gpu", "not_measured": "no GPU on this machine"})
        return data
    if section == "lessons":
        return lessons.run(root=root, runs=settings.lesson_runs, names=settings.lesson_names, log=log)
    if section == "grading":
        return grading.run_batch(root=root, plan=settings.grading_plan, jobs=settings.grading_jobs,
                                 repeats=settings.grading_repeats, log=log)
    if section == "scaling":
        jobs = max(1, round(facts["usable_cores"]))
        return grading.run_scaling(root=root, exercise=settings.scaling_exercise,
                                   sizes=settings.scaling_sizes, jobs=jobs, log=log)
    if section == "handins":
        return handins.run(root=root, size=settings.handins_size, repeats=settings.handins_repeats, log=log)
    if section == "dask":
        return on_dask.run(root=root, plan=settings.dask_plan, repeats=settings.dask_repeats,
                        synthetic=settings.dask_synthetic, log=log)
    raise ValueError(f"unknown benchmark {section!r}: choose from {', '.join(SECTIONS)}")


def bench(*, out: Path, only: list[str] | None = None, settings: Settings | None = None,
          root: Path = notebooks.REPO_ROOT, readme: Path | None = None, log=print) -> Path:
    """Measure ``only`` (default: every benchmark), store it in ``out/results.json``, write the report."""
    from .report import write_report

    settings = settings or Settings()
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.json"
    results = (json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists()
               else {"sections": {}})
    if results.get("quick") != settings.quick:  # never mix quick and full measurements
        results = {"sections": {}}
    results["quick"] = settings.quick
    quick_facts = None
    for section in only or SECTIONS:
        log(f"k2tf bench: {section} …")
        if settings.quick:  # only proves the benchmarks run: one look at the machine (a TensorFlow
            # import in a child process) serves them all
            quick_facts = quick_facts or machine.describe_in_child()
            facts = dict(quick_facts)
        else:
            facts = machine.describe_in_child()
        started = time.monotonic()
        data = measure(section, settings, facts, root, log)
        results["sections"][section] = {"machine": facts, "measured_at": _now(),
                                        "minutes": round((time.monotonic() - started) / 60, 1),
                                        "data": data}
        tmp = results_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, results_path)  # kept after each benchmark: an interrupted run loses one
    return write_report(results_path, readme=readme)
