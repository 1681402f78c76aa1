"""Hand-ins as platforms deliver them, grades back in their formats, the class report, Gradescope.

The fast tests run the real ``k2tf grade --dry-run`` (it lists and names, runs no kernel) on
every layout, and on layouts it must refuse. The slow ones grade a simulated Canvas download
and a Moodle download of 30 students each with the real command (``--jobs 2``; most hand-ins
are lesson 00's exercise blank or half answered, and identical notebooks are run once), then
check names, scores, the exports against the platforms' import formats, the feedback pages, and
the report in Chromium; and run a Gradescope autograder's ``run_autograder`` on a simulated
``/autograder`` tree.
"""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import grading_fixtures as fx
import handin_fixtures as hx
from k2tf.grading import feedback, layouts, outline
from k2tf.grading.submissions import course_exercises
from test_grading import _environment

REPO = fx.REPO
K2TF = [sys.executable, "-m", "k2tf"]
EXERCISES = course_exercises(REPO)
EX = hx.EXERCISE
QUESTIONS_00 = len(fx._points(fx.solution(EX)))  # questions of lesson 00's exercise


def _k2tf(*args, timeout=120, env=None, cwd=REPO):
    return subprocess.run([*K2TF, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=env or _environment(), timeout=timeout)


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _dry(*paths, extra=()) -> subprocess.CompletedProcess:
    return _k2tf("grade", *paths, "--dry-run", *extra, timeout=120)


def _mapping(stdout: str) -> dict[tuple[str, str], list[str]]:
    """``(student, exercise) → [what happens, …]`` from the --dry-run table."""
    found: dict[tuple[str, str], list[str]] = {}
    for line in stdout.splitlines()[2:]:
        if not line.strip() or line.startswith(("…", "  ignored", "--dry-run")) or "hand-in(s)" in line:
            continue
        cells = re.split(r"\s{2,}", line.strip())
        found.setdefault((cells[0], cells[1]), []).append(cells[-1])
    return found


# --- every layout, named (no kernel) -------------------------------------------------------------

@pytest.fixture
def mixed(tmp_path) -> Path:
    """One folder holding each layout the issue names."""
    root = tmp_path / "handins"
    blank, half = hx.notebook_text("blank"), hx.notebook_text("q1")
    hx.write(root / "dave" / "Homework1" / f"{EX}.ipynb", half)          # a zip's extra folder
    hx.write(root / "erin" / f"{EX}-Copy1.ipynb", blank)                  # JupyterLab's copy
    hx.write(root / "fay" / f"{EX} (1).ipynb", blank)                     # a browser's second download
    hx.write(root / f"alice_{EX}.ipynb", half)                            # platform-style loose name
    hx.write(root / "bob.ipynb", blank)                                   # a loose notebook, its student's name
    hx.write(root / hx.canvas_file("Smith", "John", 12, 345, f"{EX}-1.ipynb", late=True), half)
    hx.write(root / hx.moodle_folder("Ann Lee", 77) / f"{EX}.ipynb", half)
    hx.write(root / hx.moodle_folder("Participant", 78) / f"{EX}.ipynb", blank)  # blind marking
    staging = tmp_path / "gradescope"
    hx.write(staging / "assignment_9_export" / "submission_metadata.yml",
             "submission_501:\n  :submitters:\n  - :name: Grace Hopper\n    :sid: '1906'\n"
             "    :email: grace@example.edu\n  :created_at: 2024-01-02 10:00:00.000000000 -08:00\n"
             "submission_502:\n  :submitters:\n  - :name: Hedy Lamarr\n    :sid: '1914'\n"
             "  - :name: Ivan Sutherland\n    :sid: '1938'\n  :created_at: 2024-01-02 11:00:00 -08:00\n")
    hx.write(staging / "assignment_9_export" / "submission_501" / "homework.ipynb", half)
    hx.write(staging / "assignment_9_export" / "submission_502" / f"{EX}.ipynb", blank)
    hx.zip_folder(staging, root / "assignment_9_export.zip")
    frank = tmp_path / "frank"
    hx.write(frank / "Homework1" / f"{EX}.ipynb", half)
    hx.zip_folder(frank, root / "frank.zip")                              # a student's own zip
    hx.write(root / "notes.txt", "not a notebook")
    return root


def test_dry_run_names_every_layout_and_writes_nothing(mixed, tmp_path):
    out = tmp_path / "grades"
    done = _dry(mixed, extra=("--out", out))
    assert done.returncode == 0, done.stderr + done.stdout
    found = _mapping(done.stdout)
    expected = {"dave", "erin", "fay", "alice", "bob", "smithjohn", "Ann Lee", "Participant 78",
                "Grace Hopper", "Hedy Lamarr", "Ivan Sutherland", "frank"}
    assert {student for student, _ in found} == expected, done.stdout
    assert all(exercise == EX for _, exercise in found), done.stdout
    assert all(what == ["grade"] for what in found.values()), done.stdout
    assert "Canvas user 12, late" in done.stdout and "Moodle participant 77" in done.stdout
    assert "Gradescope 1906" in done.stdout
    assert "notes.txt: not a notebook" in done.stdout and "nothing was graded" in done.stdout
    assert not out.exists(), "--dry-run writes nothing"


def test_the_listing_is_the_same_in_process_with_platform_details(mixed):
    listing = layouts.list_handins([mixed], EXERCISES)
    by = {h.student: h for h in listing.handins}
    assert by["smithjohn"].layout == "canvas" and by["smithjohn"].platform_id == "12" and by["smithjohn"].late
    assert by["Ann Lee"].layout == "moodle" and by["Ann Lee"].platform_id == "77"
    assert by["dave"].student_folder == ("Homework1",)
    assert by["Grace Hopper"].time_is_platform and by["Hedy Lamarr"].number == 502
    assert by["frank"].origin.endswith("frank.zip!/Homework1/00_welcome.ipynb")


@pytest.mark.parametrize("case", ["loose_beside_folders", "same_name_two_canvas_users", "no_student_in_name",
                                  "class_zip_inside", "forced_layout", "gradescope_unlisted", "same_time"])
def test_an_unknown_or_ambiguous_layout_stops_with_a_listing_and_a_fix(tmp_path, case):
    root = tmp_path / "handins"
    blank = hx.notebook_text("blank")
    extra = ()
    if case == "loose_beside_folders":
        hx.write(root / "alice" / f"{EX}.ipynb", blank)
        hx.write(root / f"{EX}.ipynb", blank)
        said = ["beside student folders", "would be graded as student 'handins'", "move it"]
    elif case == "same_name_two_canvas_users":
        hx.write(root / hx.canvas_file("Lee", "Ann", 1, 10, f"{EX}.ipynb"), blank)
        hx.write(root / hx.canvas_file("Lee", "Ann", 2, 11, f"{EX}.ipynb"), blank)
        said = ["2 different canvas ids (1, 2)", "'leeann'", "--roster"]
    elif case == "no_student_in_name":
        hx.write(root / f"{EX}_final.ipynb", blank)
        hx.write(root / "bob" / f"{EX}.ipynb", blank)
        said = ["not whose it is", "name it <student>_00_welcome.ipynb"]
    elif case == "class_zip_inside":
        staging = tmp_path / "class"
        hx.write(staging / "alice" / f"{EX}.ipynb", blank)
        hx.write(staging / "bob" / f"{EX}.ipynb", blank)
        hx.zip_folder(staging, root / "class.zip")
        said = ["sibling folders", "class/alice, class/bob", "give it as the PATH itself"]
    elif case == "forced_layout":
        hx.write(root / "alice" / f"{EX}.ipynb", blank)
        extra = ("--layout", "canvas")
        said = ["not in the form of a canvas hand-in", "drop --layout"]
    elif case == "gradescope_unlisted":
        hx.write(root / "export" / "submission_metadata.yml", "submission_1:\n  :submitters:\n  - :name: A B\n")
        hx.write(root / "export" / "submission_1" / f"{EX}.ipynb", blank)
        hx.write(root / "export" / "submission_2" / f"{EX}.ipynb", blank)
        said = ["in no submission folder its submission_metadata.yml names"]
    else:  # two copies of one exercise, and nothing to tell which is the later
        hx.write(root / "alice" / f"{EX}.ipynb", blank, mtime=1_700_000_000)
        hx.write(root / "alice" / "old" / f"{EX}.ipynb", hx.notebook_text("q1"), mtime=1_700_000_000)
        said = ["cannot be told", "remove the one that does not count"]
    done = _dry(root, extra=extra)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "nothing was graded" in done.stderr and "To fix it" in done.stderr, done.stderr
    assert "--layout" in done.stderr
    for text in said:
        assert text in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_two_hand_ins_name_both_places_and_the_rule_that_picks_one(tmp_path):
    root = tmp_path / "handins"
    old, new = hx.notebook_text("blank"), hx.notebook_text("q1")
    # Canvas: the higher number Canvas gave the upload is the later one, whatever the file times
    hx.write(root / "canvas" / hx.canvas_file("Lee", "Ann", 7, 200, f"{EX}-1.ipynb"), new, mtime=1_600_000_000)
    hx.write(root / "canvas" / hx.canvas_file("Lee", "Ann", 7, 150, f"{EX}.ipynb"), old, mtime=1_700_000_000)
    # a folder: the file modified last counts
    hx.write(root / "dave" / f"{EX}.ipynb", old, mtime=1_600_000_000)
    hx.write(root / "dave" / "Homework1" / f"{EX}.ipynb", new, mtime=1_700_000_000)
    done = _dry(root)
    assert done.returncode == 0, done.stderr
    found = _mapping(done.stdout)
    assert "grade" in found[("leeann", EX)] and "grade" in found[("dave", EX)]
    dropped = [line for line in done.stdout.splitlines() if "not graded:" in line]
    assert len(dropped) == 2, done.stdout
    canvas_line = next(line for line in dropped if "leeann" in line)
    assert "leeann_7_150_00_welcome.ipynb" in canvas_line and "the later Canvas upload counts" in canvas_line
    assert "leeann_7_200_00_welcome-1.ipynb is graded" in canvas_line
    dave_line = next(line for line in dropped if line.startswith("dave"))
    assert "dave/00_welcome.ipynb" in dave_line and "modification times" in dave_line
    assert "Homework1/00_welcome.ipynb is graded" in dave_line


def test_a_roster_names_students_and_one_it_lacks_stops_the_run(tmp_path):
    root = tmp_path / "handins"
    blank = hx.notebook_text("blank")
    hx.write(root / hx.canvas_file("Lovelace", "Ada", 4242, 1, f"{EX}.ipynb"), blank)
    hx.write(root / hx.moodle_folder("Alan Turing", 5) / f"{EX}.ipynb", blank)
    hx.write(root / "bl" / f"{EX}.ipynb", blank)
    roster = hx.write(tmp_path / "roster.csv", "name,canvas_id,email,aliases\nAda Lovelace,4242,ada@x.edu,\n"
                      "Alan M. Turing,,alan@x.edu,Alan Turing\nBarbara Liskov,,bl@x.edu,\n")
    done = _dry(root, extra=("--roster", roster))
    assert done.returncode == 0, done.stderr
    assert {s for s, _ in _mapping(done.stdout)} == {"Ada Lovelace", "Alan M. Turing", "Barbara Liskov"}
    hx.write(root / "zed" / f"{EX}.ipynb", blank)
    done = _dry(root, extra=("--roster", roster))
    assert done.returncode == 2 and "no row of roster.csv has its id or its name 'zed'" in done.stderr
    for bad, said in [("", "the file is empty"), ("email\nx@y\n", "no column names the students"),
                      ("name\nA\nA\n", "is also on line 2")]:
        hx.write(tmp_path / "bad.csv", bad)
        done = _dry(root, extra=("--roster", tmp_path / "bad.csv"))
        assert done.returncode == 2 and said in done.stderr, done.stderr


def test_bad_input_gets_a_clear_message(tmp_path):
    hx.write(tmp_path / "broken.zip", b"PK not really a zip")
    done = _dry(tmp_path / "broken.zip")
    assert done.returncode == 2 and "not a readable zip archive" in done.stderr
    root = tmp_path / "handins"
    hx.write(root / "alice" / "homework.zip", b"PK not really a zip")
    hx.write(root / "bob" / f"{EX}.ipynb", hx.notebook_text("blank"))
    done = _dry(root)
    assert done.returncode == 0, done.stderr
    assert "error: not a readable zip archive" in done.stdout  # alice's line says why; bob goes on
    assert ("bob", EX) in _mapping(done.stdout)
    done = _k2tf("grade", root, "--dry-run", "--export", "blackboard")
    assert done.returncode == 2 and "choose from canvas, moodle" in done.stderr


def test_the_readmes_example_folders_are_ignored_and_self_grading_says_save_first():
    folders = ["submissions", "grades", "my-grade", "gradescope"]
    files = [f"{folder}/some-file" for folder in folders]
    done = subprocess.run(["git", "check-ignore", *files], cwd=REPO, capture_output=True, text=True)
    assert done.stdout.split() == files
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for folder in folders:
        assert f"{folder}/" in readme
    assert "**save it**" in readme and "reaches the disk only when JupyterLab saves" in readme


def test_copies_and_names_are_read_as_students_write_them():
    assert layouts.strip_copies("00_welcome-Copy1") == "00_welcome"
    assert layouts.strip_copies("00_welcome (2)") == "00_welcome"
    assert layouts.strip_copies("00_welcome - Copy (3)") == "00_welcome"
    assert layouts.strip_copies("00_welcome copy 2") == "00_welcome"
    assert layouts.exercise_in_name("alice_01_keras_in_ten_minutes-Copy1.ipynb", EXERCISES) == \
        ("01_keras_in_ten_minutes", "alice", "")
    assert layouts.exercise_in_name("Homework1.ipynb", EXERCISES) == (None, "Homework1", "")


# --- feedback pages: what a student reads (no kernel) ----------------------------------------------

def _result(checks_q1, unanswered=False):
    q1 = {"question": "00.q1", "points": sum(c["points"] for c in checks_q1),
          "max_points": sum(c["max_points"] for c in checks_q1),
          "status": "passed" if all(c["status"] == "passed" for c in checks_q1) else "failed",
          "message": "\n".join(c["message"] for c in checks_q1 if c["message"]), "checks": checks_q1,
          "unanswered": unanswered}
    return {"key": "ada__00_welcome", "student": "Ada", "exercise": EX, "file": f"{EX}.ipynb",
            "score": q1["points"], "max_score": q1["max_points"], "status": "graded", "message": "",
            "questions": [q1], "notes": []}


def test_feedback_shows_each_question_once_with_its_hint_and_the_lesson_section():
    failing = "✗ 00.q1 failed — 0/1 points\nThe result for 100 °C is 180.0, not 212.0.\nHint: add 32."
    hidden = "✗ 00.q1 failed — 0/1 points\nA 2-D grid gives the wrong shape.\nHint: keep the shape."
    checks = [{"name": "check", "points": 0, "max_points": 1, "status": "failed", "message": failing},
              {"name": "grid", "points": 0, "max_points": 1, "status": "failed", "message": hidden}]
    shape = outline.read(REPO, EX)
    page = feedback.render(_result(checks), shape)
    assert "From Keras to TensorFlow" in page and "<h1>Exercise 00 · Warm-up</h1>" in page
    assert "00.q1</span> · A function that works on arrays" in page
    assert page.count("✗ failed") == 1 and "✗ 00.q1 failed" not in page, "one status per question"
    assert "The result for 100 °C is 180.0, not 212.0." in page and "<strong>Hint:</strong> add 32." in page
    assert "0/2 points" in page
    url, text = shape.lesson_link("00.q1")
    assert f'href="{url}"' in page and "#How-exercises-and-checks-work" in url
    assert "A 2-D grid gives the wrong shape." in page  # --hidden-feedback message (default)
    page = feedback.render(_result(checks), shape, hidden_feedback="points")
    assert "A 2-D grid" not in page and "An extra check your instructor added did not pass (0/1 point)" in page
    page = feedback.render(_result(checks), shape, hidden_feedback="hidden")
    assert "extra check" not in page and "A 2-D grid" not in page and "0/1 point<" in page
    assert "1 point more come from checks your instructor will publish" in page
    unanswered = feedback.render(_result([{**checks[0], "message": "✗ 00.q1 failed — 0/1 points\n"
                                          "`celsius_to_fahrenheit` is not defined yet.\nHint: run it."}],
                                         unanswered=True), shape)
    assert "not answered" in unanswered and "00.q1 is not answered yet" in unanswered
    assert "is not defined yet" not in unanswered, "an unanswered question says so, not what it lacks"


def test_every_question_has_a_lesson_section_that_exists():
    """The sections feedback pages link to are headings of the lessons (as the lessons are now)."""
    for exercise in EXERCISES:
        shape = outline.read(REPO, exercise)
        lesson = fx.notebooks.read(REPO / "notebooks" / f"{exercise}.ipynb")
        headings = {line.lstrip("#").strip() for cell in lesson.cells if cell.cell_type == "markdown"
                    for line in cell.source.splitlines() if line.startswith("##")}
        assert shape.title.startswith(f"Exercise {exercise[:2]}"), shape.title
        for qid, q in shape.questions.items():
            assert q.title and q.title != qid, f"{qid}: no title in its heading"
            if q.section is not None:
                assert q.section in headings, f"{qid}: lesson {exercise} has no section {q.section!r}"


# --- a class of 30, from Canvas and from Moodle, graded with the real command ----------------------

@pytest.fixture(scope="module")
def canvas_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("canvas")
    students = hx.class_of_30()
    download = hx.canvas_download(root, students)
    roster = hx.roster_csv(root / "roster.csv", students)
    out = root / "grades"
    started = time.monotonic()
    done = _k2tf("grade", download, "--roster", roster, "--out", out, "--jobs", 2, "--export", "canvas",
                 "--timeout", 120, timeout=900)
    return {"done": done, "out": out, "students": students, "seconds": time.monotonic() - started,
            "summary": {r["student"]: r for r in _rows(out / "summary.csv")}}


@pytest.fixture(scope="module")
def moodle_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("moodle")
    students = hx.class_of_30()
    download = hx.moodle_download(root, students)
    out = root / "grades"
    done = _k2tf("grade", download, "--out", out, "--jobs", 2, "--export", "moodle", "--timeout", 120,
                 timeout=900)
    return {"done": done, "out": out, "students": students,
            "summary": {r["student"]: r for r in _rows(out / "summary.csv")}}


def _expect_class(run, name_of):
    done = run["done"]
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]  # the broken one: exit 1
    summary = run["summary"]
    assert len(summary) == 30, sorted(summary)
    for s in run["students"]:
        row = summary[name_of(s)]
        assert row["exercise"] == EX
        if s.kind == "broken":
            assert row["status"] == "error" and "not valid JSON" in row["message"]
        else:
            assert (row["status"], int(row["score"]), int(row["max_score"])) == ("graded", s.score, hx.SCORES["full"]), \
                (s.name, s.kind, row)


@pytest.mark.slow
def test_a_canvas_download_of_30_is_graded_under_the_roster_names(canvas_class):
    _expect_class(canvas_class, lambda s: f"{s.last}, {s.first}")
    summary = canvas_class["summary"]
    for s in canvas_class["students"]:
        message = summary[f"{s.last}, {s.first}"]["message"]
        assert ("handed in late" in message) == s.late, (s.name, message)
        if s.resubmitted_from:
            assert "also handed in:" in message and "the later Canvas upload counts" in message


@pytest.mark.slow
def test_the_canvas_export_is_in_canvas_import_format(canvas_class):
    text = (canvas_class["out"] / "canvas.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    # gradebook_importer.rb: "Student", "ID", then SIS User ID and SIS Login ID, then "Section"
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[0][5:] == [EX]
    assert rows[1][0] == "Points Possible" and rows[1][5] == "5"
    by_name = {r[0]: r for r in rows[2:]}
    assert len(by_name) == 30
    for s in canvas_class["students"]:
        row = by_name[f"{s.last}, {s.first}"]
        assert row[1] == str(s.canvas_id) and row[2] == f"SIS{s.canvas_id}" and row[4] == "Section 1"
        assert row[5] == ("" if s.kind == "broken" else str(s.score)), "no zero for a file it could not grade"
    wide = _rows(canvas_class["out"] / "gradebook-wide.csv")
    assert list(wide[0]) == ["student", EX, "total"] and wide[0]["student"] == "Points possible"
    broken = next(s for s in canvas_class["students"] if s.kind == "broken")
    assert next(r for r in wide if r["student"] == f"{broken.last}, {broken.first}")[EX] == "error"


@pytest.mark.slow
def test_a_moodle_download_of_30_is_graded_under_moodle_names(moodle_class):
    _expect_class(moodle_class, lambda s: s.name)
    for s in moodle_class["students"]:
        if s.resubmitted_from:
            message = moodle_class["summary"][s.name]["message"]
            assert "also handed in: old_00_welcome.ipynb" in message and "modification times" in message


@pytest.mark.slow
def test_the_moodle_export_is_moodles_grading_worksheet(moodle_class):
    rows = _rows(moodle_class["out"] / "moodle" / f"{EX}-grading-worksheet.csv")
    # importgradeslib.php: the columns "Identifier" ("Participant N"), "Grade", "Last modified (grade)"
    assert {"Identifier", "Grade", "Last modified (grade)", "Feedback comments"} <= set(rows[0])
    by = {r["Identifier"]: r for r in rows}
    assert len(by) == 30
    for s in moodle_class["students"]:
        row = by[f"Participant {s.moodle_id}"]
        assert row["Full name"] == s.name
        assert row["Grade"] == ("" if s.kind == "broken" else str(s.score))
        assert row["Maximum Grade"] == "5"
    book = _rows(moodle_class["out"] / "moodle" / "gradebook.csv")
    assert list(book[0])[:4] == ["Full name", "Email address", "Username", "ID number"] and EX in book[0]
    assert "no email, username or ID number" in moodle_class["done"].stderr


@pytest.mark.slow
def test_feedback_pages_of_the_class(canvas_class):
    out = canvas_class["out"]
    s = next(s for s in canvas_class["students"] if s.kind == "q1")
    page = (out / "feedback" / f"{s.last}_{s.first}__{EX}.html").read_text(encoding="utf-8")
    assert "<h1>Exercise 00 · Warm-up</h1>" in page and "From Keras to TensorFlow" in page
    assert "00.q2</span> · Your first tensor" in page and "0/2 points" in page
    assert page.count('class="status"') == QUESTIONS_00 and "✗ 00.q" not in page
    assert "00.q2 is not answered yet" in page and "Read again:" in page
    assert "1/1 point" in page


@pytest.mark.slow
def test_the_report_opens_in_chromium_with_its_plot(canvas_class):
    out = canvas_class["out"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in report and "Score distribution" in report
    assert report.count('href="feedback/') >= 30
    assert "Timed out or broken" in report and "not valid JSON" in report
    conftest = _e2e_conftest()
    executable = conftest.find_chromium()
    if executable is None:
        conftest._unavailable(conftest.HOW_TO_GET_A_BROWSER)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=conftest.CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=conftest.VIEWPORT)
            page.goto((out / "report.html").as_uri())
            figure = page.locator("#score-distribution svg")
            assert figure.is_visible()
            box = figure.bounding_box()
            assert box["width"] > 300 and box["height"] > 100
            assert figure.locator("text=Score distribution").count() >= 1
            rows = page.locator("table.questions tbody tr")
            assert rows.count() == QUESTIONS_00
            assert "00.q1" in rows.nth(0).inner_text() and "%" in rows.nth(0).inner_text()
            page.screenshot(path=str(_artifacts() / "report.png"), full_page=True)
            assert page.locator("table.pages a").count() == 30
            page.locator("table.pages a").first.click()
            page.wait_for_load_state()
            assert "Exercise 00 · Warm-up" in page.title()
            assert page.locator("section.question").count() == QUESTIONS_00
        finally:
            browser.close()


def _artifacts() -> Path:
    folder = REPO / "artifacts" / "grading"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _e2e_conftest():
    """tests/e2e/conftest.py's way to find and launch the system Chromium, loaded by path."""
    spec = importlib.util.spec_from_file_location("k2tf_e2e_conftest", REPO / "tests" / "e2e" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- Gradescope: run_autograder on a simulated /autograder tree ---------------------------------

HIDDEN = '''
import numpy as np
from k2tf.grading.hidden import expect, hidden


@hidden("00.q1", points=1, checks="converts a 2-D grid of temperatures")
def grid(answers):
    got = answers.call("celsius_to_fahrenheit", np.zeros((3, 4)))
    expect.close(got, np.full((3, 4), 32.0), "celsius_to_fahrenheit(grid)")
'''
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def _check_results_json(data: dict) -> None:
    """The fields of Gradescope's results.json specification, with their types."""
    assert isinstance(data["score"], (int, float)) and isinstance(data["execution_time"], int)
    assert isinstance(data["output"], str) and isinstance(data["tests"], list)
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}, test
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITY
    if data["tests"]:
        assert sum(t["score"] for t in data["tests"]) == data["score"]


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    root = tmp_path_factory.mktemp("gradescope")
    hidden = hx.write(root / "hidden" / "lesson00.py", HIDDEN).parent
    zip_path = root / "00_welcome-autograder.zip"
    done = _k2tf("gradescope", EX, "--out", zip_path, "--hidden", hidden, "--timeout", 120)
    assert done.returncode == 0, done.stderr
    return zip_path


def test_the_autograder_zip_has_what_gradescope_needs(autograder, tmp_path):
    with zipfile.ZipFile(autograder) as archive:
        names = set(archive.namelist())
        assert {"setup.sh", "run_autograder", "course/requirements.txt", "course/constraints.txt",
                f"course/solutions/{EX}.ipynb", "course/k2tf/grading/run.py", "hidden/lesson00.py"} <= names
        for script in ("setup.sh", "run_autograder"):
            assert (archive.getinfo(script).external_attr >> 16) & 0o111, f"{script} is executable"
        setup = archive.read("setup.sh").decode()
        archive.extractall(tmp_path)
    assert "requirements.txt" in setup and "constraints.txt" in setup
    for script in ("setup.sh", "run_autograder"):
        assert subprocess.run(["bash", "-n", str(tmp_path / script)]).returncode == 0
    # setup.sh picks a Python the pins fit (3.11.5-3.13), and none older: this machine's
    # /usr/bin holds Debian 12's 3.11.2, which the pins do not fit
    picked = []
    for path in (os.environ["PATH"], "/usr/bin:/bin"):
        pick = subprocess.run(["bash", str(tmp_path / "setup.sh")], capture_output=True, text=True,
                              env={"PATH": path, "K2TF_SETUP_PICK_ONLY": "1"})
        if pick.returncode == 0:
            version = subprocess.run([pick.stdout.strip(), "-c", "import sys; print(sys.version_info[:3])"],
                                     capture_output=True, text=True, check=True).stdout
            assert (3, 11, 5) <= eval(version) < (3, 14), (pick.stdout, version)
        else:
            assert pick.returncode == 3 and "would install python3.12" in pick.stderr, pick.stderr
        picked.append(pick.returncode)
    old = [p for p in ("/usr/bin/python3", "/usr/bin/python3.11") if os.access(p, os.X_OK) and subprocess.run(
        [p, "-c", "import sys; sys.exit(sys.version_info[:3] >= (3, 11, 5))"]).returncode == 0]
    newer = [p for p in ("/usr/bin/python3.12", "/usr/bin/python3.13") if os.access(p, os.X_OK)]
    if old and not newer:  # only a too-old Python in /usr/bin (Debian 12 here): nothing is picked
        assert picked[1] == 3, "a Python older than 3.11.5 must not be picked"
    assert not any(n.endswith(".pyc") for n in names)
    done = _k2tf("gradescope", "99_nothing", "--out", tmp_path / "x.zip")
    assert done.returncode == 2 and "no exercise '99_nothing'" in done.stderr


def _run_autograder(zip_path: Path, tmp: Path, files: dict[str, str]) -> dict:
    root = tmp / "autograder"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    for name, text in files.items():
        hx.write(root / "submission" / name, text)
    env = _environment()
    env.update({"K2TF_AUTOGRADER_ROOT": str(root), "K2TF_AUTOGRADER_PYTHON": sys.executable})
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                          env=env, timeout=600, cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("kind, score, statuses", [
    ("full", 6, ["passed", "passed", "passed", "passed", "passed"]),
    ("q1", 2, ["passed", "passed", "failed", "failed", "failed"]),
    ("broken", 0, ["failed", "failed", "failed", "failed", "failed"]),
])
def test_run_autograder_writes_gradescope_results(autograder, tmp_path, kind, score, statuses):
    data = _run_autograder(autograder, tmp_path, {f"{EX}-Copy1.ipynb": hx.notebook_text(kind)})
    _check_results_json(data)
    assert data["score"] == score
    names = [t["name"] for t in data["tests"]]
    assert names == ["00.q1 · A function that works on arrays", "00.q1 · A function that works on arrays "
                     "(hidden check grid)", "00.q2 · Your first tensor", "00.q3 · Counting parameters",
                     "00.q4 · Make a run repeatable"]
    assert [t["status"] for t in data["tests"]] == statuses
    assert [t["visibility"] for t in data["tests"]] == ["visible", "after_published", "visible", "visible", "visible"]
    assert [t["max_score"] for t in data["tests"]] == [1, 1, 2, 1, 1]
    assert "Exercise 00 · Warm-up" in data["output"]
    if kind == "q1":
        assert "not answered yet" in data["tests"][2]["output"] and "Read again: Lesson 00" in data["tests"][2]["output"]
    if kind == "broken":
        assert "could not be graded" in data["output"] and "not valid JSON" in data["output"]


def test_run_autograder_without_a_notebook_still_writes_results(autograder, tmp_path):
    data = _run_autograder(autograder, tmp_path, {"answers.txt": "I forgot the notebook"})
    _check_results_json(data)
    assert data["score"] == 0 and "no notebook (.ipynb) was submitted" in data["output"]
