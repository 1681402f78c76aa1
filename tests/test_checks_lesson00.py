"""Exercise 00's checks on honest answers written differently and on typical mistakes
(tests/answers/lesson00.py), in-process and, for a sample, through `k2tf grade`."""
from __future__ import annotations

from answer_fixtures import fixture_tests
from answers.lesson00 import ANSWERS

test_answer, test_every_question_has_fixtures, test_graded_sample, lesson_shell = \
    fixture_tests("00", ANSWERS)
