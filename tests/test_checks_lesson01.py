"""Exercise 01's checks on honest answers written differently and on typical mistakes
(tests/answers/lesson01.py), in-process and, for a sample, through `k2tf grade`."""
from __future__ import annotations

from answer_fixtures import fixture_tests
from answers.lesson01 import ANSWERS

# 01.q3-q5 only read the model trained in 01.q2, and 01.q6 builds its own: the solution's cells
# before each run once for all its answers
test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell = \
    fixture_tests("01", ANSWERS, share_prefix=("01.q3", "01.q4", "01.q5", "01.q6"))
