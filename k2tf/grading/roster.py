"""``--roster roster.csv``: the names an instructor wants, and each student's ids on the platforms.

A roster is a CSV file with a header row. One column names the student (``name``, or
``student``, or ``first name`` and ``last name``); the others, all optional, say how the
platforms know them::

    name,canvas_id,sis_user_id,sis_login_id,section,email,username,id_number,sid,aliases
    Ada Lovelace,4242,S001,ada,Section 1,ada@example.edu,ada,0001,12345,lovelace;ada_l

* ``canvas_id`` (or ``id``): the Canvas user id in Canvas's download names and gradebook;
  ``sis_user_id``, ``sis_login_id``, ``section``: copied into the Canvas export;
* ``email``, ``username``, ``id_number``: how Moodle's grade import finds the student;
* ``sid``: the student id Gradescope's export carries (its ``email`` is matched too);
* ``aliases``: other names the student hands in under (folder names, the name a platform
  shows), separated by ``;``.

Column names ignore case, spaces, dashes and underscores, so Canvas's own gradebook export
(``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``) and Moodle's (``First
name``, ``Last name``, ``Email address``, ``ID number``, ``Username``) work as rosters as they
are. A hand-in belongs to the row whose id it carries, else to the row whose name or alias is
its name (``smithjohn`` is John Smith's: Canvas writes names last name first, squeezed);
a hand-in no row claims, or two rows claim, stops the run and is listed.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .layouts import HandIn, normalise

COLUMNS = {
    "name": ("name", "student", "fullname", "studentname"),
    "first": ("firstname", "givenname"),
    "last": ("lastname", "surname", "familyname"),
    "canvas_id": ("canvasid", "id", "canvasuserid"),
    "sis_user_id": ("sisuserid",),
    "sis_login_id": ("sisloginid",),
    "section": ("section",),
    "email": ("email", "emailaddress"),
    "username": ("username", "login"),
    "id_number": ("idnumber",),
    "sid": ("sid", "gradescopesid", "studentid"),
    "aliases": ("aliases", "alias", "othernames"),
}


class RosterError(ValueError):
    """The roster cannot be used; the message says which line and why."""


@dataclass
class Student:
    """One row of the roster."""

    name: str
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    email: str = ""
    username: str = ""
    id_number: str = ""
    sid: str = ""
    aliases: list[str] = field(default_factory=list)
    line: int = 0

    def names(self) -> set[str]:
        """Every loose form of the names this student may hand in under."""
        found = {normalise(self.name)} | {normalise(a) for a in self.aliases}
        words = [normalise(w) for w in self.name.replace(",", " ").split() if normalise(w)]
        for turn in range(len(words)):  # "John Smith" is also Canvas's "smithjohn"
            found.add("".join(words[turn:] + words[:turn]))
        for handle in (self.username, self.email.split("@")[0] if self.email else ""):
            if handle:
                found.add(normalise(handle))
        return found - {""}


class Roster:
    def __init__(self, students: list[Student], source: str = "roster"):
        self.students = students
        self.source = source
        self._by_name: dict[str, list[Student]] = {}
        for student in students:
            for name in student.names():
                self._by_name.setdefault(name, []).append(student)

    def find(self, handin: HandIn) -> tuple[Student | None, str | None]:
        """The roster row of ``handin``, or ``None`` and why not."""
        ids = []
        if handin.platform_id:
            if handin.layout == "canvas":
                ids = [s for s in self.students if s.canvas_id and s.canvas_id == handin.platform_id]
            elif handin.layout == "gradescope":
                ids = [s for s in self.students if (s.sid and s.sid == handin.platform_id)
                       or (s.email and handin.email and s.email.casefold() == handin.email.casefold())]
        if len(ids) == 1:
            return ids[0], None
        if len(ids) > 1:
            return None, (f"{len(ids)} rows of {self.source} carry its id {handin.platform_id} (lines "
                          + ", ".join(str(s.line) for s in ids) + ")")
        rows = self._by_name.get(normalise(handin.student), [])
        unique = list({id(s): s for s in rows}.values())
        if len(unique) == 1:
            return unique[0], None
        if len(unique) > 1:
            return None, (f"its name {handin.student!r} fits {len(unique)} rows of {self.source} (lines "
                          + ", ".join(str(s.line) for s in unique) + "): give each an id or an alias")
        return None, f"no row of {self.source} has its id or its name {handin.student!r}: add one"


def _key(header: str) -> str:
    return "".join(ch for ch in header.casefold() if ch.isalnum())


def read(path: Path) -> Roster:
    """Read a roster CSV (see the module's docstring). Raises :class:`RosterError`."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise RosterError(f"--roster {path}: cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise RosterError(f"--roster {path}: not UTF-8 text (save it as CSV UTF-8)") from None
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text.strip() else ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = list(reader)
    if not rows:
        raise RosterError(f"--roster {path}: the file is empty")
    header = [_key(h) for h in rows[0]]
    where: dict[str, int] = {}
    for field_name, names in COLUMNS.items():
        for index, column in enumerate(header):
            if column in names and field_name not in where:
                where[field_name] = index
    if "name" not in where and not ("first" in where and "last" in where):
        raise RosterError(f"--roster {path}: no column names the students (name, student, or first name "
                          f"and last name); the header is {', '.join(rows[0])}")
    students: list[Student] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(field_name):
            index = where.get(field_name)
            return row[index].strip() if index is not None and index < len(row) else ""

        name = cell("name") or " ".join(p for p in (cell("first"), cell("last")) if p)
        if "pointspossible" in _key(name):
            continue  # Canvas's export: the row of each assignment's points
        if not name:
            raise RosterError(f"--roster {path}, line {number}: no name")
        if name in seen:
            raise RosterError(f"--roster {path}, line {number}: {name!r} is also on line {seen[name]}; "
                              "a name is how grades are filed, so each must be different")
        seen[name] = number
        students.append(Student(
            name=name, canvas_id=cell("canvas_id"), sis_user_id=cell("sis_user_id"),
            sis_login_id=cell("sis_login_id"), section=cell("section"), email=cell("email"),
            username=cell("username"), id_number=cell("id_number"), sid=cell("sid"),
            aliases=[a.strip() for a in cell("aliases").split(";") if a.strip()], line=number))
    if not students:
        raise RosterError(f"--roster {path}: no student in it")
    return Roster(students, source=Path(path).name)
