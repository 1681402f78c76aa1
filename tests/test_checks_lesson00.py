"""Exercise 00's checks on honest answers written differently and on typical mistakes
(tests/answers/lesson00.py), in-process and, for a sample, through `k2tf grade`."""
from __future__ import annotations

from answer_fixtures import fixture_tests
from answers.lesson00 import ANSWERS

test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell = \
    fixture_tests("00", ANSWERS)


# --- k2tf.setup(deterministic=...), which lesson 00 explains ---------------------------------

_DETERMINISM_SCRIPT = r"""
import json, random
import k2tf
from k2tf.notebook_setup import DeterminismAlreadyOn, op_determinism_enabled
import tensorflow as tf

seen = {"public_disable": hasattr(tf.config.experimental, "disable_op_determinism")}
k2tf.setup(deterministic=False)                      # first call of a fresh process: honoured
seen["off_first"] = op_determinism_enabled()
k2tf.setup(seed=3, deterministic=False)              # still off: may be repeated
seen["off_again"] = op_determinism_enabled()
k2tf.setup(seed=5)                                   # the default turns it on
seen["on"] = op_determinism_enabled()
state = random.getstate()
try:
    k2tf.setup(seed=9, deterministic=False)          # cannot be honoured any more
    seen["refused"] = None
except DeterminismAlreadyOn as error:
    seen["refused"] = str(error)
seen["still_on"] = op_determinism_enabled()
seen["seeds_untouched"] = random.getstate() == state
print("K2TF " + json.dumps(seen))
"""


def test_setup_deterministic_false_only_before_determinism_is_on():
    """`deterministic=False` works as the first call of a fresh process; after determinism is
    on it raises (TensorFlow has no public way back) and changes nothing."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _DETERMINISM_SCRIPT], capture_output=True,
                          text=True, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("K2TF ")]
    assert done.returncode == 0 and lines, done.stderr[-2000:]
    seen = json.loads(lines[-1][5:])
    assert seen["public_disable"] is False
    assert seen["off_first"] is False and seen["off_again"] is False
    assert seen["on"] is True and seen["still_on"] is True
    assert seen["refused"] and "restart the kernel" in seen["refused"]
    assert seen["seeds_untouched"] is True
