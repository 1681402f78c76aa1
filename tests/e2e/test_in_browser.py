"""The course in a real JupyterLab, in a real browser, used the way a student uses it.

One module, so that pytest-xdist (``--dist loadfile``) keeps every browser test on one worker,
sharing one Chromium and one JupyterLab server. Each step leaves a screenshot in
``artifacts/e2e/``. See conftest.py for the server and the browser.
"""
from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import time
from pathlib import Path

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="run `make setup`").expect

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

KERNEL_DISPLAY_NAME = "k2tf (Python 3, TensorFlow)"
KERNEL_START_MS = 90_000
TRAINING_MS = 180_000
NEWS_PROMPT_WINDOW_MS = 5_000
TRACKED = ("notebooks", "exercises", "solutions")


def _tracked_status() -> str:
    # Tracked files only: a course author may be adding notebooks while the tests run.
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", *TRACKED],
                          cwd=REPO,
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module", autouse=True)
def repository_untouched():
    """Nothing a browser does in these tests may change a tracked course file."""
    before = _tracked_status()
    yield
    assert _tracked_status() == before, "the browser tests changed files in the repository"


# ---- what a student does, in JupyterLab's own terms --------------------------------------

def sign_in(page, lab, path: str) -> None:
    """Sign in with the token through the login form (never in a URL), then open ``path``."""
    page.goto(f"{lab.base}/login?next=/{path.lstrip('/')}")
    page.locator("#password_input").fill(lab.token)
    page.locator("#password_input").press("Enter")
    page.wait_for_url(re.compile(r"/lab"))


def open_notebook(page, lab, path: str, workspace: str | None = None, url: str | None = None):
    """Open ``path`` from its lab URL (or from ``url``), in a workspace of its own when
    ``workspace`` is named so that tabs an earlier test opened do not come back; check that it
    starts the course kernel with no dialog, and wait until that kernel is idle. Returns the
    notebook's panel."""
    prefix = f"lab/workspaces/{workspace}" if workspace else "lab"
    sign_in(page, lab, url if url is not None else f"{prefix}/tree/{path}")
    # The notebook is the widget of the current tab that bears its name; every helper below
    # works on that widget only (window.__e2ePanel), whatever else the workspace shows.
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current",
                       has_text=path.rsplit("/", 1)[-1]).first
    panel_id = tab.get_attribute("data-id", timeout=KERNEL_START_MS)
    page.evaluate("id => { window.__e2ePanel = id; }", panel_id)
    panel = page.locator(f"[id='{panel_id}']")
    panel.locator(".jp-Notebook .jp-Cell").first.wait_for()
    kernel = panel.locator("[data-jp-item-name='kernelName']").first
    # Either the course kernel's name shows, or a dialog asks which kernel to use.
    kernel.filter(has_text=KERNEL_DISPLAY_NAME).or_(page.locator(".jp-Dialog")).first.wait_for(
        timeout=KERNEL_START_MS)
    no_dialog(page)
    expect(kernel).to_have_text(KERNEL_DISPLAY_NAME)
    expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle")).to_have_count(
        1, timeout=KERNEL_START_MS)
    return panel


def arm(page) -> None:
    """Start watching the notebook's prompts: :func:`wait_done` then knows that a run began."""
    page.evaluate("""() => {
        window.__e2eRunSeen = false;
        const panel = document.getElementById(window.__e2ePanel);
        const seen = () => [...panel.querySelectorAll('.jp-InputArea-prompt')]
            .some(p => p.textContent.includes('*'));
        if (window.__e2eObserver) window.__e2eObserver.disconnect();
        window.__e2eObserver = new MutationObserver(() => {
            if (seen()) window.__e2eRunSeen = true;
        });
        window.__e2eObserver.observe(panel, {subtree: true, childList: true, characterData: true});
    }""")


def wait_done(page, timeout: int = TRAINING_MS) -> None:
    """Wait until the run started after :func:`arm` is over: no cell queued or running, and
    the kernel idle."""
    page.wait_for_function(
        """() => {
            if (!window.__e2eRunSeen) return false;
            const panel = document.getElementById(window.__e2ePanel);
            const busy = [...panel.querySelectorAll('.jp-InputArea-prompt')]
                .some(p => p.textContent.includes('*'));
            const status = [...document.querySelectorAll('.jp-StatusBar-Widget')]
                .some(w => w.textContent.includes('| Idle'));
            return !busy && status;
        }""", timeout=timeout, polling=250)


def no_dialog(page) -> None:
    dialogs = page.locator(".jp-Dialog")
    assert dialogs.count() == 0, f"a dialog is open: {dialogs.first.inner_text()!r}"


def no_notification(page) -> None:
    """No toast on screen, and none waiting behind the status bar's bell (its count is 0)."""
    toasts = page.locator(".Toastify__toast")
    assert toasts.count() == 0, f"a notification pops up: {toasts.all_inner_texts()}"
    expect(page.locator(".jp-Notification-Status-Text")).to_have_text("0")


def menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def cell(panel, index: int):
    return panel.locator(".jp-Cell").nth(index)


def cell_with(panel, text: str, code: bool = False) -> int:
    """The index of the first cell whose source holds ``text`` (lessons change; ids do not);
    of the first code cell when ``code``."""
    # JupyterLab renders the cells of a long notebook lazily: on a slow machine a cell far down
    # has no editor text yet when the notebook opens, so look again for up to a minute
    deadline = time.monotonic() + 60
    while True:
        index = panel.evaluate(
            """(panel, [text, code]) => [...panel.querySelectorAll('.jp-Cell')].findIndex(
                c => (!code || c.classList.contains('jp-CodeCell'))
                     && (c.querySelector('.jp-InputArea-editor')?.textContent || '').includes(text))""",
            [text, code])
        if index >= 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert index >= 0, f"no cell holds {text!r}"
    return index


def run_cell(page, panel, index: int, timeout: int = TRAINING_MS):
    """Select cell ``index``, run it with Shift+Enter, wait until it is done. Returns the cell."""
    target = cell(panel, index)
    target.scroll_into_view_if_needed()
    target.locator(".jp-InputArea-prompt").click()
    arm(page)
    page.keyboard.press("Shift+Enter")
    wait_done(page, timeout)
    return target


def no_error_output(panel) -> None:
    """No cell shows an error, a warning or a log line (all render as stderr in JupyterLab)."""
    errors = panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, f"error or log output: {errors.all_text_contents()}"


def show(locator) -> None:
    """Scroll ``locator`` to the middle of the notebook, for the screenshot."""
    locator.evaluate("el => el.scrollIntoView({block: 'center'})")


def image_is_drawn(image) -> bool:
    """True when an ``<img>`` output holds a PNG that is loaded and not a blank canvas."""
    from PIL import Image

    drawn = image.evaluate("img => img.complete && img.naturalWidth > 0 && img.naturalHeight > 0")
    source = image.get_attribute("src") or ""
    if not drawn or not source.startswith("data:image/png;base64,"):
        return False
    with Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))) as png:
        colours = png.convert("L").getcolors(maxcolors=1 << 16)
    return colours is None or len(colours) > 20  # a plot has axes, text and curves


# ---- the tests -----------------------------------------------------------------------------

def test_welcome_opens_on_the_course_kernel_without_a_dialog(make_lab, page, screenshots):
    """`make lab` as documented; the lab URL opens the welcome notebook on the course kernel,
    with no kernel dialog and no news notification."""
    # The server's own address, as a student types it: it lands on the welcome notebook.
    open_notebook(page, make_lab, "notebooks/00_welcome.ipynb", url="/")
    assert page.url.endswith("/lab/tree/notebooks/00_welcome.ipynb"), page.url
    # Absence needs a window: with JupyterLab's defaults, the news question pops up within
    # about 4 s of the page loading (checked by hand by reverting the course's setting).
    page.wait_for_timeout(NEWS_PROMPT_WINDOW_MS)
    no_dialog(page)
    no_notification(page)
    # Opened, not edited: JupyterLab must not see a change (it would ask "save changes?" on
    # close and autosave the tracked notebook) — the kernel describes its language exactly
    # as the notebook stores it.
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
    expect(tab).not_to_have_class(re.compile(r"\bjp-mod-dirty\b"))
    screenshots(page, "00-welcome-opens-on-the-course-kernel")


def test_lesson_01_runs_in_the_browser_and_draws_its_training_curves(course_lab, page, screenshots):
    panel = open_notebook(page, course_lab, "notebooks/01_keras_in_ten_minutes.ipynb", "lesson-01")
    arm(page)
    menu(page, "Run", "Run All Cells")
    wait_done(page)
    no_dialog(page)
    no_error_output(panel)
    curves = cell(panel, cell_with(panel, "plot_history(history"))
    curves.scroll_into_view_if_needed()
    image = curves.locator(".jp-OutputArea-output img").first
    expect(image).to_be_visible()
    assert image_is_drawn(image), "the training-curve plot is blank or did not load"
    show(image)
    screenshots(page, "01-training-curves-rendered")


def test_lesson_03_explorer_retrains_when_a_slider_moves(course_lab, page, screenshots):
    panel = open_notebook(page, course_lab, "notebooks/03_training_with_fit.ipynb", "lesson-03")
    run_cell(page, panel, cell_with(panel, "k2tf.setup()"))  # every import of the lesson
    explorer = run_cell(page, panel, cell_with(panel, "explorer = TrainingExplorer("))
    status = explorer.get_by_text(re.compile(r"^run 1: .*→"))
    expect(status).to_be_visible(timeout=TRAINING_MS)
    plot = explorer.locator(".jp-OutputArea-output img").first
    expect(plot).to_be_visible()
    assert image_is_drawn(plot), "the explorer's plot is blank"
    first_plot = plot.get_attribute("src")
    show(explorer)
    screenshots(page, "03-explorer-first-run", gallery_too=False)

    epochs = explorer.locator(".widget-slider", has_text="epochs").locator(".noUi-handle")
    epochs.focus()
    page.keyboard.press("ArrowLeft")  # 10 → 9 epochs; the slider reports on release (no drag)
    status = explorer.get_by_text(re.compile(r"^run 2: .*9 epochs.*→"))
    expect(status).to_be_visible(timeout=TRAINING_MS)
    expect(plot).not_to_have_attribute("src", first_plot)
    assert image_is_drawn(plot), "the redrawn plot is blank"
    no_error_output(panel)
    show(explorer)
    screenshots(page, "03-explorer-after-moving-a-slider")


def test_lesson_03_explorer_shows_its_stored_run_then_the_run_it_trains(course_lab, page, screenshots):
    """Opened, with no cell run, the explorer draws its sliders and its plot from the widget
    state stored with the lesson (not a line of text); after Run All, whose later
    ``explorer.run(Settings(learning_rate=0.3, ...))`` trains again, the learning-rate slider
    shows the rate that the status line and the curves are for."""
    import shutil

    lesson = "notebooks/03_training_with_fit.ipynb"
    # As first opened: the stored lesson, whatever an earlier test's lab may have saved.
    shutil.copyfile(REPO / lesson, course_lab.root / lesson)
    # JupyterLab draws a widget output only in a trusted notebook (a widget view is not a
    # "safe" output): `make lab`, and the course_lab fixture, trust the lessons first.
    panel = open_notebook(page, course_lab, lesson, "lesson-03-opened")
    page.wait_for_function(  # the lesson's cells are still being attached when the kernel is idle
        """text => [...document.getElementById(window.__e2ePanel).querySelectorAll('.jp-Cell')]
            .some(c => (c.querySelector('.jp-InputArea-editor')?.textContent || '').includes(text))""",
        arg="explorer = TrainingExplorer(")
    explorer = cell(panel, cell_with(panel, "explorer = TrainingExplorer("))
    show(explorer)
    sliders = explorer.locator(".widget-slider")
    expect(sliders).to_have_count(4)
    rate = sliders.filter(has_text="learning rate").locator(".widget-readout")
    status = explorer.get_by_text(re.compile(r"^run \d+: learning rate (\S+) · .*→"))
    expect(status).to_be_visible()
    plot = explorer.locator(".jp-OutputArea-output img").first
    expect(plot).to_be_visible()
    assert image_is_drawn(plot), "the stored plot is blank"
    assert explorer.locator(".jp-OutputArea").get_by_text("TrainingExplorer(").count() == 0, \
        "the text fallback shows"
    stored = re.search(r"learning rate (\S+) ·", status.inner_text()).group(1)
    expect(rate).to_have_text(stored)
    # Nothing ran: no prompt shows a run, the kernel has executed nothing.
    assert panel.locator(".jp-InputArea-prompt", has_text="*").count() == 0
    show(explorer)
    screenshots(page, "03-explorer-opened-from-the-stored-state", gallery_too=False)

    arm(page)
    menu(page, "Run", "Run All Cells")
    wait_done(page, timeout=2 * TRAINING_MS)
    no_dialog(page)
    no_error_output(panel)
    status = explorer.get_by_text(re.compile(r"^run 2: learning rate 0\.3 · .*→"))
    expect(status).to_be_visible()  # run 1 from the cell, run 2 from explorer.run(...)
    expect(rate).to_have_text("0.3")
    assert image_is_drawn(plot), "the explorer's plot is blank"
    show(explorer)
    screenshots(page, "03-explorer")


def test_lesson_08_tensorboard_frame_loads_its_dashboard(course_lab, page, screenshots):
    panel = open_notebook(page, course_lab, "notebooks/08_tensorboard.ipynb", "lesson-08")
    index = cell_with(panel, "show_tensorboard(LOG_ROOT)")
    target = cell(panel, index)
    target.scroll_into_view_if_needed()
    target.locator(".jp-InputArea-prompt").click()
    arm(page)
    menu(page, "Run", "Run All Above Selected Cell")
    wait_done(page)
    run_cell(page, panel, index)
    no_error_output(panel)
    frame_element = target.locator("iframe[title=TensorBoard]")
    expect(frame_element).to_be_visible()
    assert re.fullmatch(rf"{re.escape(course_lab.base)}/proxy/\d+/", frame_element.get_attribute("src"))
    frame = target.frame_locator("iframe[title=TensorBoard]")
    expect(frame.get_by_text("fit/train", exact=True).first).to_be_visible(timeout=60_000)
    frame_element.evaluate("el => el.scrollIntoView({block: 'start'})")
    screenshots(page, "08-tensorboard-in-jupyterlab")


def test_exercise_check_fails_with_a_hint_then_passes(course_lab, page, screenshots):
    solution = json.loads((REPO / "solutions" / "00_welcome.ipynb").read_text())
    source = next("".join(c["source"]) for c in solution["cells"]
                  if "def celsius_to_fahrenheit" in "".join(c["source"]))
    answer = "".join(line for line in source.splitlines(True)
                     if "### " not in line)  # what a student writes: no solution markers
    panel = open_notebook(page, course_lab, "exercises/00_welcome.ipynb", "exercise-00")
    answer_cell = cell_with(panel, "def celsius_to_fahrenheit")
    check_cell = cell_with(panel, 'k2tf.check("00.q1"')
    run_cell(page, panel, cell_with(panel, "k2tf.setup()"))
    run_cell(page, panel, answer_cell)
    check = run_cell(page, panel, check_cell)
    expect(check.locator(".jp-OutputArea-output")).to_contain_text("✗ 00.q1 failed")
    expect(check.locator(".jp-OutputArea-output")).to_contain_text("Hint:")
    show(check)
    screenshots(page, "exercise-check-fails-with-a-hint")

    editor = cell(panel, answer_cell).locator(".cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(answer)  # a paste: one edit, no auto-indent
    expect(cell(panel, answer_cell).locator(".jp-InputArea-editor")).to_contain_text(
        answer.strip().splitlines()[-1].strip())
    run_cell(page, panel, answer_cell)
    check = run_cell(page, panel, check_cell)
    expect(check.locator(".jp-OutputArea-output")).to_have_text(re.compile("✓ 00.q1 passed — 1/1 points"))
    show(check)
    screenshots(page, "exercise-check-passes")
    no_notification(page)



def focus_tab(page, path: str):
    """Bring the tab of the notebook at ``path`` to the front and make it the one the helpers
    above work on; returns its panel."""
    tab = page.locator(f"#jp-main-dock-panel .lm-TabBar-tab[title*='Path: {path}']").first
    tab.click()
    panel_id = tab.get_attribute("data-id")
    page.evaluate("id => { window.__e2ePanel = id; }", panel_id)
    return page.locator(f"[id='{panel_id}']")


def test_progress_counts_an_answer_once_the_browser_has_saved_it(course_lab, page, screenshots):
    """A student answers 00.q1 in the exercise and runs it: 00_welcome's progress cell says
    "not started" until the notebook is saved (the grader reads the disk), then shows the
    question passing, graded as `k2tf grade` does."""
    import shutil

    exercise = "exercises/00_welcome.ipynb"
    shutil.copyfile(REPO / exercise, course_lab.root / exercise)  # as released, whatever ran before
    shutil.rmtree(course_lab.root / "grades", ignore_errors=True)
    solution = json.loads((REPO / "solutions" / "00_welcome.ipynb").read_text())
    source = next("".join(c["source"]) for c in solution["cells"]
                  if "def celsius_to_fahrenheit" in "".join(c["source"]))
    answer = "".join(line for line in source.splitlines(True) if "### " not in line)

    def look(welcome, expected):
        shown = run_cell(page, welcome, cell_with(welcome, "show_progress()", code=True))
        expect(shown.locator(".jp-OutputArea-output")).to_contain_text(expected, timeout=TRAINING_MS)
        return shown

    welcome = open_notebook(page, course_lab, "notebooks/00_welcome.ipynb", "progress")
    run_cell(page, welcome, cell_with(welcome, "k2tf.setup()", code=True))
    look(welcome, re.compile(r"00_welcome\s+–\s+not started"))

    # The course map opens the exercise; the student answers q1 and runs it, without saving.
    link = welcome.get_by_role("link", name="exercise 00", exact=True)
    link.scroll_into_view_if_needed()
    link.click()
    page.locator(f"#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current[title*='Path: {exercise}']").wait_for(
        timeout=KERNEL_START_MS)
    tab = page.locator(f"#jp-main-dock-panel .lm-TabBar-tab[title*='Path: {exercise}']")
    panel = focus_tab(page, exercise)
    panel.locator(".jp-Notebook .jp-Cell").first.wait_for()
    expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle")).to_have_count(1, timeout=KERNEL_START_MS)
    answer_cell = cell_with(panel, "def celsius_to_fahrenheit")
    run_cell(page, panel, cell_with(panel, "k2tf.setup()", code=True))
    cell(panel, answer_cell).locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(answer)
    run_cell(page, panel, answer_cell)
    check = run_cell(page, panel, cell_with(panel, 'k2tf.check("00.q1"'))
    expect(check.locator(".jp-OutputArea-output")).to_contain_text("✓ 00.q1 passed")
    expect(tab).to_have_class(re.compile(r"\bjp-mod-dirty\b"))  # run, not saved

    # Back in the welcome notebook: nothing is saved, so nothing counts yet.
    welcome = focus_tab(page, "notebooks/00_welcome.ipynb")
    shown = look(welcome, re.compile(r"00_welcome\s+–\s+not started"))
    expect(shown.locator(".jp-OutputArea-output")).to_contain_text("save (Ctrl+S)")

    # Saved: the same cell now grades the exercise and shows q1 passing.
    focus_tab(page, exercise)
    menu(page, "File", "Save Notebook")
    expect(tab).not_to_have_class(re.compile(r"\bjp-mod-dirty\b"))
    assert answer.strip().splitlines()[-1].strip() in (course_lab.root / exercise).read_text()
    welcome = focus_tab(page, "notebooks/00_welcome.ipynb")
    shown = look(welcome, re.compile(r"00_welcome\s+\d+/5\s+✓q1"))
    no_error_output(welcome)
    show(shown)
    screenshots(page, "00-progress", gallery_too=False)
