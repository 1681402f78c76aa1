"""Honest and wrong answers to every question, one module per lesson (see tests/answer_fixtures.py)."""
