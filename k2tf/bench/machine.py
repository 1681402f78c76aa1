"""The machine a benchmark ran on: CPU, cores, memory, TensorFlow's build, GPUs, load.

``describe()`` imports TensorFlow, so ``k2tf bench`` calls it in a child process
(``python -m k2tf.bench.machine`` prints it as JSON) and keeps its own process free of
TensorFlow's threads and memory while it times other programs.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from ..environment import _version


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def usable_cores() -> float:
    """Cores this process may use: its CPU affinity, lowered by a cgroup CPU quota if any."""
    cores = float(len(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else float(os.cpu_count() or 1)
    quota = _read("/sys/fs/cgroup/cpu.max").split()
    if len(quota) == 2 and quota[0] != "max":
        cores = min(cores, int(quota[0]) / int(quota[1]))
    return cores


def memory_bytes() -> int:
    """Memory this process may use: the machine's, lowered by a cgroup limit if any."""
    total = 0
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            total = int(line.split()[1]) * 1024
    limit = _read("/sys/fs/cgroup/memory.max").strip()
    if limit.isdigit():
        total = min(total, int(limit)) if total else int(limit)
    return total


def describe() -> dict:
    """Facts about this machine and the course's TensorFlow, as plain JSON-able values."""
    from ..notebook_setup import quiet_tensorflow

    quiet_tensorflow(native=True)
    import tensorflow as tf

    build = tf.sysconfig.get_build_info()
    gpus = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        gpus.append(details.get("device_name", device.name))
    return {
        "cpu": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cores": usable_cores(),
        "memory_gib": round(memory_bytes() / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "tensorflow_build": ("CUDA " + str(build.get("cuda_version")) if build.get("is_cuda_build")
                             else "CPU only (no CUDA)"),
        "keras": _version("keras"),
        "gpus": gpus,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def describe_in_child(python: str = sys.executable) -> dict:
    """:func:`describe` run in a fresh Python process."""
    done = subprocess.run([python, "-m", "k2tf.bench.machine"], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


if __name__ == "__main__":
    print(json.dumps(describe()))
