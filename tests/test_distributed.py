"""k2tf.distributed: TF_CONFIG as data, free ports, and worker processes that never outlive a call."""
from __future__ import annotations

import json
import os
import sys

import pytest

from k2tf import distributed


def gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_tf_config_gives_every_worker_the_cluster_and_its_task():
    addresses = ["127.0.0.1:1111", "127.0.0.1:2222"]
    configs = [distributed.tf_config(addresses, i) for i in range(2)]
    assert [c["task"] for c in configs] == [{"type": "worker", "index": 0}, {"type": "worker", "index": 1}]
    assert all(c["cluster"] == {"worker": addresses} for c in configs)
    assert json.loads(json.dumps(configs[1])) == configs[1]
    with pytest.raises(ValueError):
        distributed.tf_config(addresses, 2)


def test_free_ports_are_distinct_and_bindable():
    import socket

    ports = distributed.free_ports(3)
    assert len(set(ports)) == 3
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_only_marked_lines_come_back():
    code = "import os; print('K2TF hello ' + str(len(os.environ['TF_CONFIG']) > 0)); print('noise')"
    results = distributed.run_workers(2, command=[sys.executable, "-c", code], timeout=30)
    assert [r.lines for r in results] == [("hello True",), ("hello True",)]
    assert all(r.ok and gone(r.pid) for r in results)


def test_a_worker_that_hangs_is_killed_at_the_timeout():
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('K2TF up', flush=True); time.sleep(60)"
    results = distributed.run_workers(2, command=[sys.executable, "-c", code], timeout=2)
    assert all(r.timed_out and not r.ok for r in results)
    assert [r.lines for r in results] == [("up",), ("up",)]
    assert all(gone(r.pid) for r in results)


def test_two_real_workers_train_in_sync():
    pytest.importorskip("tensorflow")
    results = distributed.run_workers(2, epochs=2, timeout=120)
    assert all(r.ok for r in results), results
    assert all(gone(r.pid) for r in results)
    for r in results:
        assert r.lines[0] == f"worker {r.index}: 2 replicas in sync (one per worker process)"
        assert r.lines[-1] == f"worker {r.index} done"
    # synchronous training: both workers end with the same model, hence the same loss line
    assert results[0].lines[2].split(":")[1] == results[1].lines[2].split(":")[1]


def test_a_failing_worker_stops_its_peers_at_once():
    import time

    code = ("import json, os, sys, time; i = json.loads(os.environ['TF_CONFIG'])['task']['index']; "
            "sys.exit(3) if i == 1 else time.sleep(60)")
    start = time.monotonic()
    results = distributed.run_workers(2, command=[sys.executable, "-c", code], timeout=60)
    assert time.monotonic() - start < 20
    assert results[1].returncode == 3 and not results[0].ok and not results[0].timed_out
    assert all(gone(r.pid) for r in results)


def test_loopback_is_detected():
    assert distributed.loopback_works() in (True, False)
