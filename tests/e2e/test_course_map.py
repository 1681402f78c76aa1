"""A student clicks through the course: `make lab` lands on the welcome notebook with the file
browser at the course's root, and the course map's links open lessons and exercises in tabs.

Runs `make lab HEADLESS=1` over the repository (conftest's ``make_lab``): it only opens
notebooks, and checks that nothing it opens is changed on disk.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="run `make setup`").expect

REPO = Path(__file__).resolve().parents[2]
LAB_START_MS = 90_000
EXERCISE = "02_functional_and_subclassed_models.ipynb"

pytestmark = pytest.mark.slow


def _status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--", "notebooks", "exercises"], cwd=REPO,
                          capture_output=True, text=True, check=True).stdout


def _listing(page) -> list[str]:
    items = page.locator("#filebrowser .jp-DirListing-content .jp-DirListing-itemText")
    return [name.strip() for name in items.all_inner_texts()]


def test_the_lab_opens_at_the_course_root_and_the_map_opens_an_exercise(make_lab, page, screenshots):
    before = _status()
    # The server's own address, as a student types it; the token goes through the login form.
    page.goto(f"{make_lab.base}/login?next=/")
    page.locator("#password_input").fill(make_lab.token)
    page.locator("#password_input").press("Enter")
    page.wait_for_url(re.compile(r"/lab"))
    welcome_tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current", has_text="00_welcome.ipynb")
    welcome_tab.wait_for(timeout=LAB_START_MS)
    panel = page.locator(f"[id='{welcome_tab.get_attribute('data-id')}']")
    # JupyterLab then names the open notebook in the address bar, as for any notebook
    expect(page).to_have_url(re.compile(r"/lab/tree/notebooks/00_welcome\.ipynb$"))

    # The file browser shows the course's folders, not the inside of notebooks/.
    browser = page.locator("#filebrowser")
    expect(browser).to_be_visible()
    expect(browser.locator(".jp-DirListing-item[title^='Name: exercises']")).to_have_count(1, timeout=LAB_START_MS)
    listing = _listing(page)
    assert {"notebooks", "exercises"} <= set(listing), listing
    assert "00_welcome.ipynb" not in listing, f"the file browser opened inside notebooks/: {listing}"

    # The course map: every lesson and every exercise is a link.
    link = panel.get_by_role("link", name="exercise 02", exact=True)
    link.evaluate("el => el.scrollIntoView({block: 'center'})")
    expect(link).to_be_visible()
    expect(panel.get_by_role("link", name=re.compile(r"^exercise \d\d$"))).to_have_count(12)
    screenshots(page, "00-course-map", gallery_too=True)

    link.click()
    exercise_tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current", has_text=EXERCISE)
    exercise_tab.wait_for(timeout=LAB_START_MS)
    # The tab holds the exercise (exercises/), not the lesson of the same number.
    expect(exercise_tab).to_have_attribute("title", re.compile(rf"Path: exercises/{re.escape(EXERCISE)}"))
    expect(page).to_have_url(re.compile(rf"/lab/tree/exercises/{re.escape(EXERCISE)}$"))
    exercise = page.locator(f"[id='{exercise_tab.get_attribute('data-id')}']")
    expect(exercise.locator(".jp-Cell").first).to_be_visible(timeout=LAB_START_MS)
    expect(exercise.locator(".jp-RenderedMarkdown h1").first).to_contain_text("02")
    # Both notebooks stay open, each in its own tab, and neither is changed.
    expect(page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="00_welcome.ipynb")).to_have_count(1)
    expect(exercise_tab).not_to_have_class(re.compile(r"\bjp-mod-dirty\b"))
    assert _status() == before, "opening notebooks changed files in the repository"
