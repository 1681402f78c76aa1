"""A student clicks through the course: the welcome notebook's map links every lesson and
exercise, each notebook ends with links to what comes next, and no relative link is broken.

Links are relative markdown links, which JupyterLab opens in a new tab
(``[exercise](../exercises/03_training_with_fit.ipynb)`` from ``notebooks/``).
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from k2tf import notebooks

REPO = notebooks.REPO_ROOT
LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((REPO / "solutions").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((REPO / "exercises").glob("[0-9][0-9]_*.ipynb"))
COURSE = LESSONS + SOLUTIONS + EXERCISES
# [text](target) — not images (![...]) — and <a href="target">
MARKDOWN_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
HTML_LINK = re.compile(r"<a\s[^>]*href=\"(?P<target>[^\"]+)\"")
# a pointer written as text, not as a link: **`exercises/03_x.ipynb`** or `notebooks/03_x.ipynb`
CODE_POINTER = re.compile(r"(?<!\[)`(?:notebooks|exercises|solutions)/\d\d_[a-z0-9_]+\.ipynb`(?!\]\()")


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _markdown(path: Path) -> list[str]:
    return [c.source for c in notebooks.read(path).cells if c.cell_type == "markdown"]


def links(text: str) -> list[str]:
    """Every link target in markdown ``text``."""
    return [m["target"] for m in MARKDOWN_LINK.finditer(text)] + [m["target"] for m in HTML_LINK.finditer(text)]


def local_targets(path: Path, text: str) -> set[Path]:
    """The files that the relative links of ``text`` (in notebook ``path``) open."""
    out = set()
    for target in links(text):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path:  # a web address or an anchor on the page
            continue
        out.add((path.parent / unquote(parts.path)).resolve())
    return out


def test_links_are_read_as_a_browser_reads_them():
    here = REPO / "notebooks" / "00_welcome.ipynb"
    text = ("[Lesson 03 — Training with fit](03_training_with_fit.ipynb) and "
            "[exercise](../exercises/03_training_with_fit.ipynb), ![a plot](plot.png), "
            "[docs](https://keras.io/guides/) [top](#The-map) **`exercises/04_x.ipynb`**")
    assert local_targets(here, text) == {REPO / "notebooks" / "03_training_with_fit.ipynb",
                                         REPO / "exercises" / "03_training_with_fit.ipynb"}
    assert CODE_POINTER.findall(text) == ["`exercises/04_x.ipynb`"]
    assert CODE_POINTER.findall("[`exercises/04_x.ipynb`](../exercises/04_x.ipynb)") == []


def test_the_welcome_map_links_every_lesson_and_every_exercise():
    welcome = REPO / "notebooks" / "00_welcome.ipynb"
    (course_map,) = [text for text in _markdown(welcome) if text.startswith("## The map")]
    linked = local_targets(welcome, course_map)
    wanted = {p.resolve() for p in LESSONS + EXERCISES}
    assert len(LESSONS) == len(EXERCISES) == 12
    assert wanted <= linked, f"not linked from the map: {sorted(_id(p) for p in wanted - linked)}"
    # one row per lesson, in order, each with its lesson and its exercise
    rows = re.findall(r"^\| (\d\d) \|(.*)$", course_map, re.M)
    assert [number for number, _ in rows] == [f"{n:02d}" for n in range(12)]
    for (number, row), lesson in zip(rows, LESSONS):
        assert f"]({lesson.name})" in row and f"](../exercises/{lesson.name})" in row, number


def _next_targets(path: Path) -> set[Path]:
    """What the last cell of ``path`` must link to."""
    number = int(path.name[:2])
    last = len(LESSONS) - 1
    lesson = {int(p.name[:2]): p for p in LESSONS}
    if number == last:
        return {lesson[0]}  # the end of the course: back to the course map
    if path.parent.name == "notebooks" and number < 10:
        return {REPO / "exercises" / path.name, lesson[number + 1]}
    return {lesson[number + 1]}


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS + EXERCISES, ids=_id)
def test_each_notebook_ends_with_links_to_what_comes_next(path):
    markdown = _markdown(path)
    last = markdown[-1]
    assert last.startswith(("## Summary", "## Next", "## Done?")), last[:40]
    wanted = {p.resolve() for p in _next_targets(path)}
    missing = wanted - local_targets(path, last)
    assert not missing, f"the last cell does not link {sorted(_id(p) for p in missing)} (run /tmp/k2/next_links.py)"
    assert not CODE_POINTER.findall(last), f"pointers left as text, not links: {CODE_POINTER.findall(last)}"


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_each_lesson_links_its_exercise(path):
    """Lessons 10 and 11 point to their exercise in their summary, before "## Next"."""
    exercise = (REPO / "exercises" / path.name).resolve()
    assert any(exercise in local_targets(path, text) for text in _markdown(path))


@pytest.mark.parametrize("path", COURSE, ids=_id)
def test_every_relative_link_opens_a_file_of_the_course(path):
    broken = []
    for text in _markdown(path):
        for target in local_targets(path, text):
            if not target.is_file() or not target.is_relative_to(REPO):
                broken.append(str(target.relative_to(REPO) if target.is_relative_to(REPO) else target))
    assert not broken, f"links to no file: {broken}"
