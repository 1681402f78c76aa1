"""Lesson 08's TensorBoard when the lab is reached over the network, as on a class's server.

``make lab HEADLESS=1 HOST=0.0.0.0`` serves the lab on the machine's network addresses; a
student's browser on another machine reaches it at ``http://SERVER:PORT``. A frame that points
the browser at TensorBoard's own port on that machine (``%tensorboard``) then shows a broken
page: TensorBoard listens on loopback only. Here JupyterLab listens on this machine's first
non-loopback IPv4 address only, and Chromium uses that address, so nothing can reach a server
through loopback by accident: lesson 08, Run All, and its TensorBoard frame must show the
dashboards and the lesson's runs, served under the lab's own origin, after the run is over.
Then the kernel is shut down, and the TensorBoard server it started must be gone.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest


expect = pytest.importorskip("playwright.sync_api", reason="run `make setup`").expect

from test_in_browser import (arm, cell, menu, no_error_output, open_notebook,  # noqa: E402
                             wait_done)

pytestmark = pytest.mark.slow

E2E = Path(__file__).resolve().parent
LESSON = "notebooks/08_tensorboard.ipynb"
BOARD_CELL = "show_tensorboard(LOG_ROOT)"
FRAME = "iframe[title=TensorBoard]"
# Run All of lesson 08 trains a few small models and starts TensorBoard: minutes on a shared CPU.
RUN_ALL_MS = 420_000
TENSORBOARD_MS = 90_000
REOPEN_MS = 90_000  # a reload: the lab restores its layout and opens the notebook again
# Runs the lesson writes, as TensorBoard lists them; the sweep adds sweep/<trial> runs.
LESSON_RUNS = ("fit/train", "fit/validation", "loop", "graph")
# TensorBoard's dashboards for what the lesson logs: each tab must show by name in the frame.
TABS = ("Time Series", "Scalars", "Images", "Graphs", "Distributions", "Histograms", "Text",
        "HParams")
MIN_READABLE_PX = 9  # the tabs' letters as drawn on screen


@pytest.fixture(scope="module")
def e2e(request):
    """tests/e2e/conftest.py, the module pytest loaded (its helpers, without a second copy)."""
    return request.config.pluginmanager.get_plugin(str(E2E / "conftest.py"))


def first_network_address() -> str | None:
    """This machine's first IPv4 address other than loopback (``hostname -I``'s order, as
    the Makefile's ``lab`` target prints it), else the one its default route leaves from."""
    try:
        listed = subprocess.run(["hostname", "-I"], capture_output=True, text=True,
                                timeout=10).stdout.split()
    except (OSError, subprocess.SubprocessError):
        listed = []
    for address in listed:
        if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", address) and not address.startswith("127."):
            return address
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # a UDP "connect" only picks a route; nothing is sent
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def free_port_on(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def code_cell_with(panel, text: str) -> int:
    """The index of the first code cell whose source holds ``text`` (the prose names it too)."""
    index = panel.evaluate(
        """(panel, text) => [...panel.querySelectorAll('.jp-Cell')].findIndex(
            c => c.classList.contains('jp-CodeCell') &&
                 (c.querySelector('.jp-InputArea-editor')?.textContent || '').includes(text))""",
        text)
    assert index >= 0, f"no code cell holds {text!r}"
    return index


def tensorboards_under(folder: Path) -> list[int]:
    """The TensorBoard processes running in ``folder`` (the kernels' working folders)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            inside = Path(os.readlink(entry / "cwd")).is_relative_to(folder)
            command = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # gone, or not ours to look at
            continue
        if inside and b"tensorboard.main" in command and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def network_lab(e2e, browser, course_copy, tmp_path_factory):  # noqa: ARG001 - no browser, no lab
    """JupyterLab over the scratch course, listening on this machine's network address only,
    started as ``make lab HEADLESS=1 HOST=<address>`` starts it."""
    address = first_network_address()
    if address is None:
        e2e._unavailable("this machine has no IPv4 address but loopback: the lab cannot be "
                         "reached over the network here")
    scratch = tmp_path_factory.mktemp("network-lab")
    port = free_port_on(address)
    command = [str(e2e.VENV_BIN / "jupyter"), "lab", "--no-browser", f"--ip={address}",
               f"--port={port}", f"--ServerApp.root_dir={course_copy}",
               "--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb?file-browser-path=/"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    try:
        with e2e._serve(command, port=port, cwd=course_copy, scratch=scratch, root=course_copy,
                        host=address) as lab:
            yield lab
            try:
                lab.shutdown_kernels()
            except OSError:
                pass
    finally:
        e2e._stop_processes_under(course_copy)


def test_lab_on_the_network_is_not_on_loopback(network_lab):
    """The control for the test below: what the browser reaches, it reaches over the network."""
    port = urlsplit(network_lab.base).port
    with socket.socket() as sock, pytest.raises(OSError):
        sock.settimeout(5)
        sock.connect(("127.0.0.1", port))


def test_lesson_08_tensorboard_through_the_lab_after_run_all(network_lab, page, screenshots):
    lab = network_lab
    panel = open_notebook(page, lab, LESSON, "lesson-08-on-the-network")
    arm(page)
    menu(page, "Run", "Run All Cells")
    wait_done(page, RUN_ALL_MS)
    no_error_output(panel)

    # After Run All, the TensorBoard server still runs: reload the frame, then read it.
    board = cell(panel, code_cell_with(panel, BOARD_CELL))
    board.scroll_into_view_if_needed()  # the notebook renders the cells in view only
    frame_element = board.locator(FRAME)
    expect(frame_element).to_be_visible()
    src = frame_element.get_attribute("src")
    assert src, "the TensorBoard frame has no address"
    origin = urlsplit(lab.base)
    address = urlsplit(src)
    assert (address.scheme, address.netloc) == (origin.scheme, origin.netloc), \
        f"the frame {src} is not served under the lab's origin {lab.base}"
    assert re.fullmatch(r"/proxy/\d+/", address.path), f"not through the lab's proxy: {src}"
    link = board.get_by_role("link", name="open it in a tab of its own")
    assert link.get_attribute("href") == src
    frame_element.element_handle().content_frame().evaluate("() => location.reload()")

    frame = board.frame_locator(FRAME)
    for run in LESSON_RUNS:  # the Time Series dashboard lists every run beside its charts
        expect(frame.get_by_text(run, exact=True).first).to_be_visible(timeout=TENSORBOARD_MS)
    runs = frame_element.element_handle().content_frame().evaluate(
        "() => fetch('data/runs').then(reply => reply.json())")  # as the browser, signed in
    assert set(LESSON_RUNS) <= set(runs) and any(r.startswith("sweep/") for r in runs), runs

    # Readable: the frame fills the notebook's width and is tall; TensorBoard's tab bar shows
    # every dashboard of the lesson by name (no scroll arrow), in letters of a readable size.
    frame_element.evaluate("el => el.scrollIntoView({block: 'start'})")
    box, output = frame_element.bounding_box(), board.locator(".jp-OutputArea").bounding_box()
    assert box["height"] >= 800 and box["width"] >= output["width"] * 0.8, (box, output)
    tab_bar = frame_element.element_handle().content_frame().evaluate(
        """names => {
            const tabs = [...document.querySelectorAll('[role=tab]')];
            const arrows = [...document.querySelectorAll('.mat-mdc-tab-header-pagination')];
            return {
                width: window.innerWidth,
                arrows: arrows.filter(a => getComputedStyle(a).display !== 'none').length,
                tabs: Object.fromEntries(names.map(name => {
                    const tab = tabs.find(t => t.textContent.trim().toLowerCase() === name);
                    const r = tab && tab.getBoundingClientRect();
                    // what is drawn at the tab's right end: the tab, or something over it
                    const top = r && document.elementFromPoint(r.right - 3, (r.top + r.bottom) / 2);
                    return [name, r && r.width ? {left: r.left, right: r.right,
                        font: parseFloat(getComputedStyle(tab.querySelector('*') || tab).fontSize),
                        covered: !(top && tab.contains(top))}
                        : null];
                })),
            };
        }""", [tab.lower() for tab in TABS])
    scale = box["width"] / tab_bar["width"]
    assert tab_bar["arrows"] == 0, f"the tab bar scrolls: {tab_bar}, frame box {box}"
    for name, tab in tab_bar["tabs"].items():
        assert tab is not None and 0 <= tab["left"] < tab["right"] <= tab_bar["width"], \
            f"tab {name!r} not shown: {tab_bar}"
        assert not tab["covered"], f"tab {name!r} is drawn under something else: {tab_bar}"
        assert tab["font"] * scale >= MIN_READABLE_PX, f"tab {name!r} drawn too small: {tab_bar}, {box}"
    screenshots(page, "08-tensorboard-through-the-lab", gallery_too=True)

    # The server belongs to the kernel: shut the kernel down, and it is gone.
    menu(page, "File", "Save Notebook")  # for the second look below
    expect(page.locator(".jp-mod-dirty")).to_have_count(0)
    started = tensorboards_under(lab.root)
    assert len(started) == 1, f"expected the lesson's one TensorBoard, found pids {started}"
    lab.shutdown_kernels()
    deadline = time.monotonic() + 20
    while tensorboards_under(lab.root) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not tensorboards_under(lab.root), "TensorBoard outlived the kernel that started it"

    # Opened again later, the saved output says its server is gone, instead of an error page.
    page.reload()
    board = page.locator(".jp-NotebookPanel .jp-CodeCell", has_text=BOARD_CELL).first
    board.scroll_into_view_if_needed(timeout=REOPEN_MS)
    expect(board.get_by_text("This TensorBoard is not running any more")).to_be_visible()
    expect(board.locator(FRAME)).to_be_hidden()
