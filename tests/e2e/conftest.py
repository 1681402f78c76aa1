"""Fixtures for the browser tests: a real JupyterLab server and a real Chromium.

* The browser is the operating system's Chromium (Debian: ``apt-get install chromium``;
  ``make browser`` installs it when it can), driven by Playwright's Python package. Playwright's
  own browser download needs the internet, so it is never used. Without a browser the tests
  skip and say how to get one; under CI (``CI`` set) they fail instead, so CI cannot pass
  without running them.
* ``course_lab`` serves a scratch copy of ``notebooks/`` and ``exercises/``: running cells in a
  browser makes JupyterLab save notebooks and makes lessons write logs, and neither may touch
  the repository. It starts ``jupyter lab`` with the flags of the Makefile's ``lab`` target;
  ``make_lab`` starts ``make lab HEADLESS=1`` itself, over the repository, for a test that
  only opens a notebook.
* Every server runs in its own process group with its own runtime, settings and workspaces
  folders (a student's saved layout must not leak into a test, nor a test's into theirs), and
  is stopped, whole group, whatever happens. The token never appears in a URL or a log: the
  browser signs in through the login form, as on a server.
* Screenshots go to ``artifacts/e2e/`` (git-ignored); ``K2TF_GALLERY=DIR`` also writes small
  copies for the README's gallery (``make gallery``).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from servers import free_port, stop_group, wait_until_serving

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
ARTIFACTS = REPO / "artifacts" / "e2e"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
SERVER_START_TIMEOUT_S = 120
VIEWPORT = {"width": 1280, "height": 800}
HOW_TO_GET_A_BROWSER = (
    "no Chromium found for the browser tests: run `make browser` (as root it runs "
    "`apt-get install chromium`; otherwise install your system's chromium package), or set "
    "K2TF_CHROMIUM=/path/to/chromium")


def find_chromium() -> str | None:
    """The system Chromium: ``$K2TF_CHROMIUM``, else the first known name on ``PATH``."""
    explicit = os.environ.get("K2TF_CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return next((found for name in BROWSER_NAMES if (found := shutil.which(name))), None)


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests)", pytrace=False)
    pytest.skip(reason)


class Lab:
    """A running JupyterLab: its base URL, token, root folder and log."""

    def __init__(self, base: str, token: str, root: Path, log_path: Path):
        self.base, self.token, self.root, self.log_path = base, token, root, log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def api(self, method: str, route: str):
        request = urllib.request.Request(f"{self.base}/api/{route}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            body = reply.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        for session in self.api("GET", "sessions"):
            self.api("DELETE", f"sessions/{session['id']}")


@contextmanager
def _serve(command: list[str], *, port: int, cwd: Path, scratch: Path, root: Path,
           host: str = "127.0.0.1"):
    """Run a JupyterLab ``command`` that serves on ``host``:``port``; yield a :class:`Lab`."""
    token = secrets.token_hex(16)
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST")}
    env.update({
        "PATH": f"{VENV_BIN}:{env.get('PATH', '')}",
        "JUPYTER_TOKEN": token,
        "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(scratch / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(scratch / "workspaces"),
    })
    log_path = scratch / f"lab-{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own process group: kernels too
    base = f"http://{host}:{port}"
    lab = Lab(base, token, root, log_path)
    try:
        wait_until_serving(f"{base}/api/status", process, what="JupyterLab", log=lab.log,
                           deadline=time.monotonic() + SERVER_START_TIMEOUT_S,
                           headers={"Authorization": f"token {token}"})
        yield lab
    finally:
        stop_group(process)
        assert token not in lab.log(), "the token must never be written to the server's log"


def _stop_processes_under(folder: Path) -> None:
    """Stop what lessons started in ``folder`` and left behind: a ``%tensorboard`` server runs
    in its kernel's process group, not the server's. Found by its working folder, by pid."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            inside = Path(os.readlink(entry / "cwd")).is_relative_to(folder)
        except OSError:  # gone, or not ours to look at
            continue
        if inside:
            try:
                os.kill(int(entry.name), signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory) -> Path:
    """A scratch copy of the course's student-facing folders: what the browser runs and saves."""
    root = tmp_path_factory.mktemp("course")
    for folder in ("notebooks", "exercises", "solutions"):  # solutions: k2tf progress grades with them
        shutil.copytree(REPO / folder, root / folder,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return root


@pytest.fixture(scope="module")
def course_lab(browser, course_copy, tmp_path_factory):  # noqa: ARG001 - no browser, no server
    """JupyterLab over the scratch copy, with the Makefile's ``lab`` flags (headless)."""
    scratch = tmp_path_factory.mktemp("course-lab")
    port = free_port()
    command = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--ServerApp.root_dir={course_copy}",
               "--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb?file-browser-path=/"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    # as `make lab` does: stored widgets render only in trusted notebooks (trust is kept by
    # content, in the user's Jupyter data folder, so the scratch copies count as the lessons)
    subprocess.run([str(VENV_BIN / "jupyter"), "trust", *map(str, sorted(course_copy.glob("notebooks/*.ipynb")))],
                   check=True, capture_output=True)
    try:
        with _serve(command, port=port, cwd=course_copy, scratch=scratch, root=course_copy) as lab:
            yield lab
    finally:
        _stop_processes_under(course_copy)


@pytest.fixture(autouse=True)
def _no_kernel_outlives_its_test(request):
    """Shut down the kernels a test started (a running lesson would slow the next test)."""
    labs = [request.getfixturevalue(name) for name in ("course_lab", "make_lab")
            if name in request.fixturenames]  # set up first, so torn down after this
    yield
    for lab in labs:
        lab.shutdown_kernels()


@pytest.fixture
def make_lab(browser, tmp_path):  # noqa: ARG001 - no browser, no server
    """``make lab HEADLESS=1 PORT=<free>`` over the repository itself, exactly as documented."""
    port = free_port()
    with _serve(["make", "--no-print-directory", "lab", "HEADLESS=1", f"PORT={port}"],
                port=port, cwd=REPO, scratch=tmp_path, root=REPO) as lab:
        yield lab


@pytest.fixture(scope="module")
def browser():
    """The system Chromium, headless, driven by Playwright; closed at the end of the module."""
    executable = find_chromium()
    if executable is None:
        _unavailable(HOW_TO_GET_A_BROWSER)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the `playwright` package is missing: run `make setup`")
    for stale in ARTIFACTS.glob("FAILED-*.png"):  # from an earlier run: not this one's
        stale.unlink()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request):
    """A fresh browser context (no cookies, no storage) and its page, closed after the test.
    A failed test leaves a screenshot of where it stopped: artifacts/e2e/FAILED-<test>.png."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"))
            except Exception:  # noqa: BLE001 - a lost screenshot must not hide the failure
                pass
        context.close()


@pytest.fixture(scope="session")
def screenshots():
    """``shoot(page, name, gallery_too=True)``: save a screenshot under artifacts/e2e/ and, when
    ``K2TF_GALLERY`` names a folder and ``gallery_too`` is true, a small copy there for the README."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    gallery = os.environ.get("K2TF_GALLERY")

    def shoot(page, name: str, gallery_too: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path))
        if gallery and gallery_too:
            _gallery_copy(path, Path(gallery) / f"{name}.png")
        return path

    return shoot


GALLERY_MAX_BYTES = 60_000


def _gallery_copy(source: Path, target: Path, width: int = 800) -> None:
    """A small copy for the README: scaled down and palette-reduced to at most 60 KB."""
    from PIL import Image

    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        image = image.convert("RGB")
        small = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    for colors in (128, 64, 32, 16):
        small.quantize(colors=colors, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
        if target.stat().st_size <= GALLERY_MAX_BYTES:
            return
    raise AssertionError(f"{target} is over {GALLERY_MAX_BYTES} bytes even with 16 colours")
