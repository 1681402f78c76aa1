"""Class downloads as Canvas, Moodle and Gradescope deliver them, made from lesson 00's exercise.

File and folder names follow each platform's own code (see k2tf/grading/layouts.py): Canvas
``lastfirst_[LATE_]userid_number_original-name[-N].ipynb``, Moodle
``Full Name_<participant id>_assignsubmission_file_/…``, Gradescope ``submission_metadata.yml``
beside ``submission_<id>/`` folders. The notebooks come from tests/grading_fixtures.py: blank,
partly answered or solved exercises.
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import grading_fixtures as fx

EXERCISE = "00_welcome"
#: what each kind of hand-in earns on lesson 00 (5 points: q1 1, q2 2, q3 1, q4 1)
SCORES = {"blank": 0, "q1": 1, "q1q3": 2, "full": 5}


def notebook_text(kind: str, signature: str | None = None) -> str:
    """Lesson 00's exercise: ``blank``, ``q1`` / ``q1q3`` answered, or ``full``; ``broken`` is not JSON.

    ``signature`` adds a scratch cell, so the bytes (and the grading run) are that student's own.
    """
    if kind == "broken":
        return '{"cells": [ this is not json'
    nb = {"blank": lambda: fx.exercise(EXERCISE), "q1": lambda: fx.answered(EXERCISE, {"00.q1"}),
          "q1q3": lambda: fx.answered(EXERCISE, {"00.q1", "00.q3"}),
          "full": lambda: fx.answered(EXERCISE)}[kind]()
    if signature:
        import nbformat

        nb.cells.append(nbformat.v4.new_code_cell(f"# handed in by {signature}\nsignature = {signature!r}"))
    return fx.text(nb)


def canvas_file(last: str, first: str, user: int, number: int, original: str, late: bool = False,
                late_word: str = "LATE") -> str:
    """Canvas's name for an uploaded file (instructure/canvas-lms, content_zipper.rb)."""
    name = "".join(ch for ch in f"{last}{first}".lower() if ch.isalnum())
    return f"{name}_{late_word + '_' if late else ''}{user}_{number}_{original}"


def moodle_folder(full_name: str, participant: int, trailing: bool = True) -> str:
    """Moodle's folder for a student's files (moodle/moodle, mod/assign/classes/downloader.php)."""
    return f"{full_name}_{participant}_assignsubmission_file" + ("_" if trailing else "")


def write(path: Path, text: str | bytes, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def zip_folder(folder: Path, target: Path) -> Path:
    """Zip ``folder``'s contents (not the folder itself), keeping each file's time."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


@dataclass
class Student:
    first: str
    last: str
    kind: str  # what the hand-in that counts earns: blank, q1, q1q3, full, broken
    canvas_id: int = 0
    moodle_id: int = 0
    late: bool = False
    file_name: str = f"{EXERCISE}.ipynb"  # as the student named it
    resubmitted_from: str | None = None  # an earlier hand-in's kind, which must not count
    nested: str | None = None  # Moodle: a folder of the student's own inside theirs
    in_zip: bool = False  # Moodle: the student handed in a zip of their notebook
    signed: bool = False  # bytes of their own (a scratch cell with their name)
    extra: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def lastfirst(self) -> str:
        return "".join(ch for ch in f"{self.last}{self.first}".lower() if ch.isalnum())

    @property
    def score(self) -> int | None:
        return SCORES.get(self.kind)


FIRST = ["Ada", "Alan", "Barbara", "Claude", "Donald", "Edsger", "Frances", "Grace", "Hedy", "Ivan",
         "John", "Katherine", "Leslie", "Margaret", "Niklaus", "Ole", "Peter", "Radia", "Shafi", "Tim",
         "Ursula", "Vint", "Whitfield", "Xiaoyun", "Yukihiro", "Zhores", "Anita", "Bjarne", "Cynthia", "Dennis"]
LAST = ["Lovelace", "Turing", "Liskov", "Shannon", "Knuth", "Dijkstra", "Allen", "Hopper", "Lamarr", "Sutherland",
        "McCarthy", "Johnson", "Lamport", "Hamilton", "Wirth", "Dahl", "Naur", "Perlman", "Goldwasser", "Lee",
        "Franklin", "Cerf", "Diffie", "Wang", "Matsumoto", "Alferov", "Borg", "Stroustrup", "Dwork", "Ritchie"]


def class_of_30() -> list[Student]:
    """30 students: most blank or half answered, some late, some resubmitted, some misnamed."""
    kinds = ["blank"] * 12 + ["q1"] * 9 + ["q1q3"] * 5 + ["full"] * 3 + ["broken"]
    students = []
    for i, kind in enumerate(kinds):
        s = Student(FIRST[i], LAST[i], kind, canvas_id=5000 + i, moodle_id=800 + 7 * i)
        students.append(s)
    # late ones, and resubmissions whose earlier upload must not count
    for i in (1, 13, 22):
        students[i].late = True
    for i in (14, 15, 23):
        students[i].resubmitted_from = "blank"
    # misnamed: what students do to a file name
    names = {2: "Homework1.ipynb", 3: f"{EXERCISE} (1).ipynb", 16: f"{EXERCISE}-Copy1.ipynb",
             24: f"{EXERCISE} - Copy.ipynb", 17: f"my_{EXERCISE}.ipynb"}
    for i, name in names.items():
        students[i].file_name = name
    for i in (26, 27, 28):
        students[i].signed = True  # the full ones are each their own work
    students[18].nested = "Homework1"
    students[19].in_zip = True
    return students


def canvas_download(folder: Path, students: list[Student]) -> Path:
    """A Canvas "Download Submissions" zip of the class: loose files with Canvas's names."""
    staging = folder / "canvas-staging"
    number = 90000
    for s in students:
        number += 17
        if s.resubmitted_from:  # an earlier upload: a lower number, an older time
            write(staging / canvas_file(s.last, s.first, s.canvas_id, number, s.file_name, s.late),
                  notebook_text(s.resubmitted_from))
            number += 17
            original = s.file_name[:-6] + "-1.ipynb"  # Canvas renames a re-upload of the same name
        else:
            original = s.file_name
        write(staging / canvas_file(s.last, s.first, s.canvas_id, number, original, s.late,
                                    late_word="LATE" if s.canvas_id % 2 else "late"),
              notebook_text(s.kind, s.name if s.signed else None))
    write(staging / "readme.txt", "Canvas puts nothing like this in, but a teaching assistant might")
    return zip_folder(staging, folder / "course-homework-1-submissions.zip")


def moodle_download(folder: Path, students: list[Student]) -> Path:
    """Moodle's "Download all submissions" zip of the class: a folder per student."""
    staging = folder / "moodle-staging"
    old, new = 1_700_000_000, 1_700_100_000
    for index, s in enumerate(students):
        home = staging / moodle_folder(s.name, s.moodle_id, trailing=index % 2 == 0)
        inside = home / s.nested if s.nested else home
        if s.resubmitted_from:  # two notebooks in their folder: the newer one counts
            write(inside / f"old_{EXERCISE}.ipynb", notebook_text(s.resubmitted_from), mtime=old)
        text = notebook_text(s.kind, s.name if s.signed else None)
        if s.in_zip:
            inner = folder / f"inner-{s.moodle_id}"
            write(inner / "work" / s.file_name, text, mtime=new)
            zip_folder(inner, home / "my-work.zip")
        else:
            write(inside / s.file_name, text, mtime=new)
    write(staging / moodle_folder(students[0].name, students[0].moodle_id).replace("file", "onlinetext")
          / "onlinetext.html", "<p>see my notebook</p>")
    return zip_folder(staging, folder / "COURSE-Homework 1-42.zip")


def roster_csv(path: Path, students: list[Student]) -> Path:
    """A roster with each student's Canvas id and SIS ids, as Canvas's gradebook export has them."""
    lines = ["Student,ID,SIS User ID,SIS Login ID,Section,Email"]
    for s in students:
        lines.append(f'"{s.last}, {s.first}",{s.canvas_id},SIS{s.canvas_id},{s.first.lower()}{s.canvas_id},'
                     f"Section 1,{s.first.lower()}@example.edu")
    return write(path, "\n".join(lines) + "\n")
