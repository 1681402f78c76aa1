"""One source of pins, the same for pip and conda, and a set-up that repeats nothing."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata

import pytest

from k2tf import notebooks

REPO = notebooks.REPO_ROOT
PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)==(?P<version>[^\s#;]+)")
# The Pythons one set of pins serves, each at the oldest release it is claimed from (soupsieve
# 4.1.3 needs 3.11.5); the Makefile, pyproject.toml and the README say the same.
SUPPORTED = ("3.11.5", "3.12", "3.13")
# Not supported, and why: numpy 2.4.6 and matplotlib 3.11.2 (direct pins), ipython 9, tornado 6.6,
# pillow 13 and contourpy 1.3.3 need 3.11. TensorFlow 2.21 itself has 3.10 wheels.
UNSUPPORTED = ("3.10",)
REQUIRES_PYTHON = 'requires-python = ">=3.11.5,<3.14"'


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
    assert REQUIRES_PYTHON in (REPO / "pyproject.toml").read_text()


def test_the_makefile_and_the_readme_name_the_supported_pythons():
    makefile, readme = (REPO / "Makefile").read_text(), (REPO / "README.md").read_text()
    assert "sys.exit(not (3, 11, 5) <= sys.version_info[:3] < (3, 14))" in makefile
    assert "PYTHONS  ?= python3.11 python3.12 python3.13 python3" in makefile
    for version in ("3.11", "3.12", "3.13"):
        assert f"python{version}" in readme, f"the README should say how to start with {version}"


def _resolve(version):
    """Resolve requirements.txt with constraints.txt for another Python without installing: pip
    reads the same index as `make setup`, takes wheels only, and reports what it would install."""
    with tempfile.TemporaryDirectory() as target:
        report = f"{target}/report.json"
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--disable-pip-version-check",
             "--ignore-installed", "--only-binary=:all:", "--python-version", version,
             "--target", f"{target}/site", "--report", report,  # pip needs --target with --python-version
             "-r", "requirements.txt", "-c", "constraints.txt"],
            cwd=REPO, capture_output=True, text=True, timeout=900)
        lines = [line for line in done.stderr.splitlines() if "is ignored" not in line]
        if done.returncode:
            return None, "\n".join(lines[-15:])
        return json.loads(open(report).read()), ""


@pytest.fixture(scope="module")
def resolutions():
    versions = SUPPORTED + UNSUPPORTED
    with ThreadPoolExecutor(len(versions)) as pool:  # network-bound: all at once
        return dict(zip(versions, pool.map(_resolve, versions)))


@pytest.mark.slow
@pytest.mark.parametrize("version", SUPPORTED)
def test_the_pins_resolve_on_every_supported_python(resolutions, version):
    report, error = resolutions[version]
    assert report is not None, f"the pins do not resolve on Python {version}:\n{error}"
    resolved = {_canonical(item["metadata"]["name"]): item["metadata"]["version"] for item in report["install"]}
    locked = _pins("constraints.txt")
    assert resolved["tensorflow"] == "2.21.0"
    # `pip freeze` (make lock) leaves out pip's own tools, which tensorflow and tensorboard require
    unpinned = sorted(set(resolved) - set(locked) - {"pip", "setuptools", "wheel"})
    assert not unpinned, f"Python {version} installs packages constraints.txt does not pin: {unpinned}"
    assert all(resolved[name] == locked[name] for name in resolved if name in locked)


@pytest.mark.slow
@pytest.mark.parametrize("version", UNSUPPORTED)
def test_the_pins_do_not_resolve_on_unsupported_pythons(resolutions, version):
    """If this fails, the pins now serve this Python too: add it to SUPPORTED, the Makefile,
    pyproject.toml and the README."""
    report, error = resolutions[version]
    assert report is None and "numpy" in error, error


def test_setup_without_a_supported_python_says_which_it_needs(tmp_path):
    done = subprocess.run(["make", "-s", "setup", f"VENV={tmp_path}/venv", "PYTHONS=no-such-python3"],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode != 0 and not (tmp_path / "venv").exists()
    assert "the course needs Python 3.11 (3.11.5 or later), 3.12 or 3.13" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_setup_picks_a_supported_python(tmp_path):
    dry = subprocess.run(["make", "-n", "setup", f"VENV={tmp_path}/venv"], cwd=REPO, capture_output=True, text=True)
    python = re.search(r"creating \S+ with (\S+) ", dry.stdout)[1]
    version = subprocess.run([python, "-c", "import sys; print(sys.version_info[:3])"],
                             capture_output=True, text=True).stdout
    assert (3, 11, 5) <= tuple(int(n) for n in re.findall(r"\d+", version)) < (3, 14)


def test_installed_versions_are_the_locked_ones():
    assert (3, 11, 5) <= sys.version_info[:3] < (3, 14)
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
