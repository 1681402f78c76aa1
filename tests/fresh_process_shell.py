"""A lesson's answer fixtures, run in a Python process of their own (lesson 10 uses it).

:class:`answer_fixtures.LessonShell` runs a lesson's solution in the test process. That is
right for most lessons, but not for one that configures TensorFlow's devices: lesson 10
splits the CPU into two logical devices, which TensorFlow allows only before it initialises,
and under ``pytest -n 2 --dist loadfile`` one worker process runs several lessons' tests, so
another lesson may have initialised TensorFlow already (with one CPU, and with whatever
global state its answers left: eager functions, a dtype policy, a debugger dump). Then the
strategies of lesson 10 have one replica, or stop on another strategy's all-reduce.

:class:`FreshProcessShell` has the same ``check(question_id, answer)`` as ``LessonShell`` and
runs that very ``LessonShell`` in a child process started for it (``python
tests/fresh_process_shell.py LESSON WORKDIR [SHARED_PREFIX_QUESTION ...]``), one request at a
time over a pipe. Every request has a time limit: a child that does not answer in time is
killed (its log is quoted in the failure), and the next request starts a fresh one, so a test
never hangs.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

#: Seconds a child may take to start and answer one request.
DEFAULT_TIMEOUT_S = 300.0


class FreshProcessShell:
    """``LessonShell.check`` for one lesson, run in a child Python process."""

    def __init__(self, lesson: str, workdir: Path, share_prefix: tuple[str, ...] = (),
                 timeout: float = DEFAULT_TIMEOUT_S):
        self.lesson = lesson
        self.workdir = Path(workdir)
        self.share_prefix = tuple(share_prefix)
        self.timeout = timeout
        self.log = self.workdir / "child.log"
        self._process: subprocess.Popen | None = None
        self._buffer = b""

    def _start(self) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST")}
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(HERE), str(REPO), env.get("PYTHONPATH")) if p)
        env["MPLBACKEND"] = "Agg"
        # as in the course kernel, whose kernelspec sets these before TensorFlow loads; without
        # them `import tensorflow` sets TF_CPP_MIN_LOG_LEVEL=1 here (it imports JAX, which does)
        from k2tf.notebook_setup import QUIET_TF_ENV
        env.update(QUIET_TF_ENV)
        with open(self.log, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, str(Path(__file__)), self.lesson, str(self.workdir),
                 *self.share_prefix],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, cwd=REPO, env=env)
        self._buffer = b""
        return process

    def _log_tail(self, size: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-size:]
        except OSError:
            return "(no log)"

    def _ask(self, request: dict) -> dict:
        if self._process is None or self._process.poll() is not None:
            self._process = self._start()
        process = self._process
        process.stdin.write((json.dumps(request) + "\n").encode())
        process.stdin.flush()
        deadline = time.monotonic() + self.timeout
        fd = process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                self.close(kill=True)
                raise TimeoutError(f"no answer from the lesson {self.lesson} process in "
                                   f"{self.timeout:.0f} s; it was killed. Its log ends with:\n"
                                   f"{self._log_tail()}")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                code = process.wait()
                self._process = None
                raise RuntimeError(f"the lesson {self.lesson} process exited ({code}) without "
                                   f"answering. Its log ends with:\n{self._log_tail()}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def check(self, question_id: str, answer) -> str:
        """Like ``LessonShell.check``: the pass line, or raise ``CheckFailed`` as the check did."""
        from k2tf.checks import CheckFailed

        reply = self._ask({"question": question_id, "code": list(answer.code),
                           "prefix": {q: list(c) for q, c in answer.prefix.items()}})
        if reply["status"] == "passed":
            return reply["line"]
        if reply["status"] == "failed":
            raise CheckFailed(question_id, reply["points"], reply["problem"], reply["hint"])
        raise RuntimeError(f"running {question_id} in the lesson {self.lesson} process "
                           f"failed:\n{reply['error']}")

    def close(self, kill: bool = False) -> None:
        """Stop the child (if any): end its input and wait a little, then kill it (at once if
        ``kill``: a child that is stuck would not read its input)."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(timeout=0 if kill else 10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()


def _own_collective_keys(number: int) -> None:
    """Give the ``MirroredStrategy`` objects of answer ``number`` collective keys of their own.

    Every ``MirroredStrategy`` numbers its all-reduces from the same keys, and TensorFlow's
    runtime remembers a key's tensor shape for the life of the process: a second strategy
    whose model has other shapes then fails ("Shape mismatch in the collective instance
    100") and aborts every later collective. One student kernel rarely makes two; this
    process makes one per answer. TensorFlow's own tests separate them the same way, with
    the class attribute ``_collective_key_base``.
    """
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        tf.distribute.MirroredStrategy._collective_key_base = 1000 * number


def _serve(lesson: str, workdir: str, share_prefix: tuple[str, ...]) -> None:
    """The child: answer each request line on stdin with one JSON line on the original stdout."""
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # what the notebook's cells print goes to the log, not into the replies

    from answer_fixtures import Answer, LessonShell

    from k2tf.checks import CheckFailed

    shell = LessonShell(lesson, Path(workdir), share_prefix)
    for number, line in enumerate(sys.stdin, 1):
        request = json.loads(line)
        _own_collective_keys(number)
        answer = Answer(tuple(request["code"]), "", True, None,
                        {q: tuple(c) for q, c in request["prefix"].items()})
        try:
            reply = {"status": "passed", "line": shell.check(request["question"], answer)}
        except CheckFailed as failure:
            reply = {"status": "failed", "points": failure.points, "problem": failure.problem,
                     "hint": failure.hint}
        except BaseException:  # noqa: BLE001 (reported to the test, which fails with it)
            reply = {"status": "error", "error": traceback.format_exc()[-4000:]}
        replies.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2], tuple(sys.argv[3:]))
