"""Grades back where the class lives: a wide gradebook, and Canvas's and Moodle's import files.

Written from the graded results, every run (``k2tf grade`` writes the wide one always, the
others with ``--export canvas`` / ``--export moodle``). A score is left empty where a student
handed nothing in, and also where a hand-in could not be graded: the grader never posts a zero
for its own failure to read a file (``summary.csv`` says why, and the command lists them).

* ``gradebook-wide.csv``: one row per student, one column per exercise, then the total; a
  ``Points possible`` row first. Cells of hand-ins that could not be graded say ``error``.
* ``canvas.csv``: Canvas's gradebook import (Grades → Import). Canvas reads a header row whose
  first cells are ``Student``, ``ID``, then ``SIS User ID`` and ``SIS Login ID``, then
  ``Section``, then one column per assignment, and an optional ``Points Possible`` row; it finds
  each student by ``ID`` (the Canvas user id of its download's file names, or the roster's
  ``canvas_id``), then by the SIS ids, then by name (instructure/canvas-lms,
  ``app/models/gradebook_importer.rb``: ``row_has_student_headers?``, ``update_column_count``,
  ``process_student``, ``process_pp``). An assignment column whose title is not one of the
  course's assignments is offered as a new assignment on Canvas's import page: name each
  column after your Canvas assignment (``Title`` or ``Title (id)``) or match it there.
* ``moodle/<exercise>-grading-worksheet.csv``: Moodle's assignment grading worksheet
  (Assignment → View all submissions → Upload grading worksheet). Moodle reads the columns
  ``Identifier`` (``Participant <id>``, the participant id of the download's folder names),
  ``Grade`` and ``Last modified (grade)``, and a feedback column named after the feedback
  plugin (``Feedback comments``) (moodle/moodle,
  ``mod/assign/feedback/offline/importgradeslib.php``). Only students who came from a Moodle
  download of that exercise have a participant id.
* ``moodle/gradebook.csv``: Moodle's gradebook import (Grades → Import → CSV file), one column
  per exercise; Moodle asks which column identifies the user (``Email address``, ``Username``
  or ``ID number``, from the roster) and which grade item each column fills
  (moodle/moodle, ``grade/import/csv``).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .gradebook import clean, write_atomically

EXPORTS = ("canvas", "moodle")


@dataclass
class Identity:
    """How the platforms know one student (from their downloads and the roster)."""

    name: str
    roster: object | None = None  # a roster.Student
    canvas_ids: set[str] = field(default_factory=set)
    moodle: dict[str, str] = field(default_factory=dict)  # exercise → participant id
    gradescope: set[str] = field(default_factory=set)


def _csv(rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _table(results: list[dict]):
    students = sorted({r["student"] for r in results})
    exercises = sorted({r["exercise"] for r in results if r["status"] != "error" or r["max_score"]})
    by = {(r["student"], r["exercise"]): r for r in results}
    maximum = {}
    for r in results:
        if r["exercise"] in exercises and r["max_score"]:
            maximum[r["exercise"]] = max(maximum.get(r["exercise"], 0), r["max_score"])
    return students, exercises, by, maximum


def _score(r: dict | None):
    if r is None or r["status"] == "error":
        return ""
    return r["score"]


def wide(folder: Path, results: list[dict]) -> Path:
    """``gradebook-wide.csv``: a row per student, a column per exercise, and the total."""
    students, exercises, by, maximum = _table(results)
    rows = [["student", *exercises, "total"],
            ["Points possible", *[maximum.get(x, "") for x in exercises], sum(maximum.values())]]
    for student in students:
        cells = []
        for x in exercises:
            r = by.get((student, x))
            cells.append("error" if r is not None and r["status"] == "error" else _score(r))
        rows.append([student, *cells, sum(c for c in cells if isinstance(c, int))])
    write_atomically(folder / "gradebook-wide.csv", _csv(rows))
    return folder / "gradebook-wide.csv"


def canvas(folder: Path, results: list[dict], identities: dict[str, Identity]) -> tuple[Path, list[str]]:
    """``canvas.csv`` in Canvas's gradebook-import format; and what the instructor should know."""
    students, exercises, by, maximum = _table(results)
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *exercises],
            ["Points Possible", "", "", "", "", *[maximum.get(x, "") for x in exercises]]]
    no_id, two_ids = [], []
    for student in students:
        who = identities.get(student, Identity(student))
        roster = who.roster
        ids = sorted(who.canvas_ids | ({roster.canvas_id} if roster is not None and roster.canvas_id else set()))
        if not ids:
            no_id.append(student)
        if len(ids) > 1:
            two_ids.append(f"{student} ({', '.join(ids)})")
        rows.append([student, ids[0] if len(ids) == 1 else "",
                     getattr(roster, "sis_user_id", ""), getattr(roster, "sis_login_id", ""),
                     getattr(roster, "section", ""), *[_score(by.get((student, x))) for x in exercises]])
    notes = []
    if no_id:
        notes.append(f"canvas.csv: {len(no_id)} student(s) have no Canvas user id (not from a Canvas download, "
                     f"no canvas_id in a roster): Canvas will look them up by SIS id or name: "
                     + ", ".join(no_id[:10]) + (" …" if len(no_id) > 10 else ""))
    if two_ids:
        notes.append("canvas.csv: several Canvas user ids for one name, left empty: " + "; ".join(two_ids))
    path = folder / "canvas.csv"
    write_atomically(path, _csv(rows))
    return path, notes


def _comments(r: dict) -> str:
    parts = [f"{q['question']} {q['status']} ({q['points']}/{q['max_points']})" for q in r["questions"]]
    return f"k2tf grade: {r['score']}/{r['max_score']}. " + "; ".join(parts)


def moodle(folder: Path, results: list[dict], identities: dict[str, Identity]) -> tuple[list[Path], list[str]]:
    """Moodle's grading worksheets (one per exercise) and gradebook import; notes for the instructor."""
    students, exercises, by, maximum = _table(results)
    written, notes = [], []
    for exercise in exercises:
        rows = [["Identifier", "Full name", "Email address", "Grade", "Maximum Grade",
                 "Last modified (grade)", "Feedback comments"]]
        for student in students:
            who = identities.get(student)
            r = by.get((student, exercise))
            if who is None or exercise not in who.moodle or r is None:
                continue
            rows.append([f"Participant {who.moodle[exercise]}", student,
                         getattr(who.roster, "email", ""), _score(r), maximum.get(exercise, ""),
                         r["graded_at"].replace("T", " ").replace("Z", " UTC"),
                         clean(_comments(r)) if r["status"] != "error" else ""])
        if len(rows) > 1:
            path = folder / "moodle" / f"{exercise}-grading-worksheet.csv"
            write_atomically(path, _csv(rows))
            written.append(path)
    rows = [["Full name", "Email address", "Username", "ID number", *exercises]]
    unknown = []
    for student in students:
        roster = (identities.get(student) or Identity(student)).roster
        email, username, number = (getattr(roster, k, "") for k in ("email", "username", "id_number"))
        if not (email or username or number):
            unknown.append(student)
        rows.append([student, email, username, number, *[_score(by.get((student, x))) for x in exercises]])
    path = folder / "moodle" / "gradebook.csv"
    write_atomically(path, _csv(rows))
    written.append(path)
    if unknown:
        notes.append(f"moodle/gradebook.csv: {len(unknown)} student(s) have no email, username or ID number "
                     "(a roster gives them), which Moodle's grade import needs to find them: "
                     + ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else ""))
    return written, notes
