"""The README stays true: a newcomer follows it literally."""
from __future__ import annotations

import re

from k2tf import notebooks
from k2tf.cli import build_parser

REPO = notebooks.REPO_ROOT
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_course_map_links_exactly_the_lessons_in_the_repository():
    linked = set(re.findall(r"\]\((notebooks/\d\d_[a-z0-9_]+\.ipynb)\)", README))
    present = {f"notebooks/{p.name}" for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert linked == present, "link each lesson in the README's map once it exists (and only then)"
    rows = re.findall(r"^\| (\d\d) \|", README, re.M)
    assert rows == [f"{n:02d}" for n in range(12)], "the map lists all twelve lessons in order"


def test_every_make_target_the_readme_names_exists():
    makefile = (REPO / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z]+):", makefile, re.M))
    named = set(re.findall(r"`make ([a-z]+)", README)) | set(re.findall(r"^make ([a-z]+)", README, re.M))
    assert named and named <= targets, f"README names missing targets: {named - targets}"


def test_every_k2tf_command_the_readme_names_exists():
    parser = build_parser()
    commands = set(next(a for a in parser._actions if a.dest == "command").choices)
    named = set(re.findall(r"\bk2tf ([a-z][a-z-]+)", README))
    assert named and named <= commands, f"README names missing commands: {named - commands}"


def test_the_files_the_readme_names_exist():
    for path in ("environment.yml", "requirements.txt", "constraints.txt", "LICENSE", ".ci/run",
                 "k2tf/data/README.md", "k2tf/grading/hidden.py", "notebooks/00_welcome.ipynb"):
        assert path in README and (REPO / path).exists(), path
