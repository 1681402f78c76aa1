"""One source of pins, the same for pip and conda, and a set-up that repeats nothing."""
from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

import pytest

from k2tf import notebooks

REPO = notebooks.REPO_ROOT
PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)==(?P<version>[^\s#;]+)")


def _pins(path):
    pins = {}
    for line in (REPO / path).read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[_canonical(match["name"])] = match["version"]
    return pins


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_direct_dependency_is_pinned_exactly_with_a_reason():
    lines = [line for line in (REPO / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    for line in lines:
        assert PIN.match(line), f"not an exact pin: {line!r}"
        assert "#" in line, f"say why it is here: {line!r}"
    names = set(_pins("requirements.txt"))
    for required in ("tensorflow", "keras", "tensorboard", "jupyterlab", "ipywidgets", "matplotlib",
                     "nbval", "pytest"):
        assert required in names


def test_the_lock_agrees_with_the_direct_pins():
    direct, locked = _pins("requirements.txt"), _pins("constraints.txt")
    for name, version in direct.items():
        assert locked.get(name) == version, f"{name}: requirements.txt {version}, constraints.txt {locked.get(name)}"


def test_environment_yml_installs_the_same_pins():
    """Conda users get the same versions: environment.yml installs requirements.txt with
    constraints.txt and pins nothing else but the Python version of pyproject.toml."""
    yaml = pytest.importorskip("yaml")  # in the lock through jupyter-events

    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert conda == ["python=3.11", "pip"], f"conda packages beyond python and pip: {conda}"
    assert pip == [{"pip": ["-r requirements.txt", "-c constraints.txt"]}]
    assert 'requires-python = ">=3.11,<3.12"' in (REPO / "pyproject.toml").read_text()


def test_installed_versions_are_the_locked_ones():
    assert sys.version_info[:2] == (3, 11)
    locked = _pins("constraints.txt")
    wrong = {}
    for dist in metadata.distributions():
        name = _canonical(dist.metadata["Name"])
        if name in locked and dist.version != locked[name]:
            wrong[name] = (dist.version, locked[name])
    assert not wrong, f"installed vs locked: {wrong} — run `make setup`"


@pytest.mark.skipif(not (REPO / ".venv").is_dir(), reason="runs where `make setup` made .venv")
def test_second_setup_installs_nothing():
    """After `make setup`, make has nothing to do; a changed pin file would make it reinstall."""
    up_to_date = subprocess.run(["make", "-q", "setup"], cwd=REPO)
    assert up_to_date.returncode == 0, "make setup would install again with nothing changed"
    dry = subprocess.run(["make", "-n", "setup", "SETUP_HASH=changed-pins"], cwd=REPO,
                         capture_output=True, text=True)
    assert "pip install" in dry.stdout, "a changed pin must reinstall"
