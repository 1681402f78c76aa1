"""Shared test set-up.

Fixtures shared by the tests; hooks for every run (notebooks included) are in the root
conftest.py.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def venv_bin() -> Path:
    """The bin folder of the environment running the tests (the course's .venv under make test)."""
    return VENV_BIN


@pytest.fixture
def clean_env() -> dict[str, str]:
    """The environment for subprocesses, without variables that would change their behaviour."""
    env = dict(os.environ)
    for key in ("PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST"):
        env.pop(key, None)
    env["PATH"] = f"{VENV_BIN}:{env.get('PATH', '')}"
    return env
