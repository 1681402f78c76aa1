"""Who handed in each notebook: the folder layouts ``k2tf grade`` reads, platforms' downloads included.

An instructor gets a class's notebooks in one of these shapes, and may give ``k2tf grade`` any
mix of folders, notebooks and zip archives of them (a zip reads as a folder of the same name;
a zip inside a zip too, once):

* **Canvas** "Download Submissions": loose files named
  ``lastfirst_[LATE_]userid_number_original-name[-N].ipynb``. Canvas writes
  ``[sortable name, "LATE" if late, user id]`` joined by ``_``, lower-cased with every
  non-word character removed, then ``_<attachment id>_<the file's display name>``
  (instructure/canvas-lms, ``app/models/content_zipper.rb``: ``get_filename``,
  ``add_upload_submission``, ``sanitize_file_name``). The user id is Canvas's own, the one its
  gradebook CSV calls ``ID``; the second number grows with each upload, so the higher one is the
  later hand-in; a ``-N`` after the original name is Canvas renaming a re-uploaded file.
* **Moodle** "Download all submissions": a folder per student,
  ``Full Name_<participant id>_assignsubmission_file[_]/`` (the student's files inside, in
  their own folders), or, with "download submissions in folders" off, loose files
  ``Full Name_<participant id>_assignsubmission_file_<name>``
  (moodle/moodle, ``mod/assign/classes/downloader.php``: ``get_student_prefix`` and
  ``load_submissionplugin_filelist``). The participant id is per assignment
  (``get_uniqueid_for_user``), the one Moodle's grading worksheet calls ``Participant N``; with
  blind marking every name is "Participant".
* **Gradescope** "Export Submissions": ``submission_metadata.yml`` beside one folder per
  submission (``submission_<id>/``); the file maps each folder to its ``:submitters:`` (``:name:``,
  ``:sid:``, ``:email:``) and ``:created_at:``. A group submission counts for every member.
* **The course's own layout**: ``<student>/<NN_topic>.ipynb``, the student being the *top*
  folder under the path given (so ``dave/Homework1/01_….ipynb`` is dave's), or a loose
  notebook named after its student: ``alice.ipynb``, ``alice_01_keras_in_ten_minutes.ipynb``.
  A notebook given by itself belongs to the folder it is in.

Editor copies (``-Copy1``, `` (1)``, `` - Copy``, `` copy``) and Canvas's ``-N`` are stripped
from a file name before it is compared with the exercises' names. Nothing here guesses: what
no rule names is returned as a problem, which stops the run with a listing (see
:mod:`k2tf.grading.run`).
"""
from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

LAYOUTS = ("auto", "canvas", "moodle", "gradescope", "folders", "files")

#: A notebook read from a zip may be at most this large (a zip bomb is not a notebook).
MAX_NOTEBOOK_BYTES = 64 * 2**20
#: A zip inside a zip may be at most this large, and zips nest at most this deep.
MAX_INNER_ZIP_BYTES = 512 * 2**20
MAX_ZIP_DEPTH = 2

CANVAS_NAME = re.compile(
    r"^(?P<name>.+?)_(?:(?P<late>late)_)?(?P<user>\d+)_(?P<number>\d+)_(?P<original>.+)$",
    re.IGNORECASE)
MOODLE_FOLDER = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assign(?P<kind>submission|feedback)_(?P<plugin>[a-z0-9]+)_?$")
MOODLE_FILE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_file_(?P<original>.+)$")
GRADESCOPE_METADATA = "submission_metadata.yml"
GRADESCOPE_FOLDER = re.compile(r"^submission_(?P<id>\d+)$")
EDITOR_COPY = re.compile(
    r"(?:-Copy\d*|\s*-\s*Copy(?:\s*\(\d+\))?|\s+copy(?:\s+\d+)?|\s*\(\d+\)|-\d+)$", re.IGNORECASE)
SKIPPED_FOLDERS = {".ipynb_checkpoints", "__MACOSX", "__pycache__", ".git"}


@dataclass
class HandIn:
    """One notebook handed in, and who handed it in as its layout says."""

    origin: str  # where it came from, for people: ``subs/canvas.zip!/smithjohn_1_2_00_welcome.ipynb``
    file_name: str  # its own file name
    layout: str  # canvas | moodle | gradescope | folders | files | given
    student: str  # as the layout names the student (Canvas: "smithjohn")
    platform_id: str | None = None  # Canvas user id, Moodle participant id, Gradescope sid or email
    email: str | None = None  # Gradescope gives it
    late: bool = False
    number: int | None = None  # the platform's submission number: higher is later
    copy: int = 0  # Canvas's -N on a re-uploaded file's name: higher is later
    time: float | None = None  # when it was handed in (Gradescope) or last modified (a file's time)
    time_is_platform: bool = False
    exercise_by_name: str | None = None  # the exercise its file name names, copies stripped
    student_folder: tuple[str, ...] = ()  # folders layout: the folders below the student's
    data: bytes | None = None
    read_problem: str | None = None  # it could not be read (the run goes on; its line says why)
    problem: str | None = None  # its student cannot be told (the run stops before grading)

    @property
    def how(self) -> str:
        """The layout, for a listing: ``canvas user 123, late``."""
        what = {"canvas": "Canvas user", "moodle": "Moodle participant", "gradescope": "Gradescope"}
        text = self.layout
        if self.layout in what and self.platform_id:
            text = f"{what[self.layout]} {self.platform_id}"
        if self.late:
            text += ", late"
        return text


@dataclass
class Ignored:
    origin: str
    why: str


@dataclass
class Listing:
    """What was found under the paths: the hand-ins, the files that are not notebooks."""

    handins: list[HandIn] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)


# --- reading folders and zips ----------------------------------------------------------------

@dataclass
class _Entry:
    container: str  # which folder or zip the path is relative to (an id)
    root_label: str  # that folder's name: the student of loose notebooks in it
    parts: tuple[str, ...]  # the path below it, zips counted as folders
    origin: str
    mtime: float | None
    data: bytes | None = None
    read_problem: str | None = None
    given: bool = False  # a notebook given by itself on the command line


@dataclass
class _Metadata:
    container: str
    folder: tuple[str, ...]
    origin: str
    data: bytes


class _Walker:
    def __init__(self):
        self.entries: list[_Entry] = []
        self.metadata: list[_Metadata] = []
        self.ignored: list[Ignored] = []

    def path(self, path: Path) -> None:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
        if path.is_dir():
            container = str(path.resolve())
            label = path.resolve().name
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS and not d.startswith("."))
                for name in sorted(files):
                    full = Path(folder) / name
                    self.file(full, container, label, full.relative_to(path).parts)
        elif path.suffix.lower() == ".zip":
            self.zip_file(path, str(path.resolve()), path.stem, (), depth=0, origin=str(path))
        else:
            self.file(path, str(path.resolve().parent), path.resolve().parent.name, (path.name,),
                      given=True)

    def file(self, full: Path, container: str, label: str, parts: tuple[str, ...], given=False) -> None:
        name = parts[-1]
        lower = name.lower()
        if name.startswith("._"):
            return  # macOS's shadow files
        try:
            mtime = full.stat().st_mtime
        except OSError:
            mtime = None
        if lower.endswith(".ipynb"):
            entry = _Entry(container, label, parts, str(full), mtime, given=given)
            try:
                entry.data = full.read_bytes()
            except OSError as error:
                entry.read_problem = f"the file cannot be read ({error.strerror})"
            self.entries.append(entry)
        elif lower.endswith(".zip"):
            self.zip_file(full, container, label, parts, depth=0, origin=str(full))
        elif name == GRADESCOPE_METADATA:
            try:
                self.metadata.append(_Metadata(container, parts[:-1], str(full), full.read_bytes()))
            except OSError as error:
                self.ignored.append(Ignored(str(full), f"cannot be read ({error.strerror})"))
        else:
            self.ignored.append(Ignored(str(full), "not a notebook"))

    def zip_file(self, source, container, label, parts, *, depth, origin) -> None:
        """Read a zip (a path, or bytes for a zip inside a zip) as a folder of its own name."""
        try:
            archive = zipfile.ZipFile(source if not isinstance(source, bytes) else io.BytesIO(source))
        except (zipfile.BadZipFile, OSError) as error:
            if not parts:  # given by itself: there is nothing to grade
                raise ValueError(f"{origin}: not a readable zip archive ({error})") from None
            entry = _Entry(container, label, parts, origin, None,
                           read_problem=f"not a readable zip archive ({error})")
            self.entries.append(entry)  # a line for it: someone handed it in
            return
        if not parts:  # the zip itself was given: its entries are below it
            container = f"{container}!"
        with archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                names = tuple(p for p in info.filename.replace("\\", "/").split("/") if p and p != ".")
                if info.is_dir() or not names or any(p in SKIPPED_FOLDERS or p.startswith(".")
                                                     for p in names[:-1]):
                    continue
                name = names[-1]
                lower = name.lower()
                inner = parts + names
                where = f"{origin}!/{'/'.join(names)}"
                if name.startswith("._") or name.startswith("."):
                    continue
                mtime = _zip_time(info)
                if lower.endswith(".ipynb"):
                    entry = _Entry(container, label, inner, where, mtime)
                    if info.file_size > MAX_NOTEBOOK_BYTES:
                        entry.read_problem = (f"the notebook is {info.file_size / 2**20:.0f} MiB, over the "
                                              f"{MAX_NOTEBOOK_BYTES // 2**20} MiB a notebook may have")
                    else:
                        try:
                            with archive.open(info) as handle:
                                entry.data = handle.read(MAX_NOTEBOOK_BYTES + 1)
                            if len(entry.data) > MAX_NOTEBOOK_BYTES:
                                entry.data, entry.read_problem = None, "the notebook is too large"
                        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as error:
                            entry.read_problem = f"it cannot be read from the zip ({error})"
                    self.entries.append(entry)
                elif lower.endswith(".zip"):
                    if depth + 1 >= MAX_ZIP_DEPTH or info.file_size > MAX_INNER_ZIP_BYTES:
                        self.ignored.append(Ignored(where, "a zip nested too deep, or too large, to read"))
                        continue
                    try:
                        with archive.open(info) as handle:
                            data = handle.read(MAX_INNER_ZIP_BYTES + 1)
                    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as error:
                        self.entries.append(_Entry(container, label, inner, where, mtime,
                                                   read_problem=f"it cannot be read from the zip ({error})"))
                        continue
                    self.zip_file(data, container, label, inner, depth=depth + 1, origin=where)
                elif name == GRADESCOPE_METADATA:
                    with archive.open(info) as handle:
                        self.metadata.append(_Metadata(container, inner[:-1], where,
                                                       handle.read(MAX_NOTEBOOK_BYTES)))
                else:
                    self.ignored.append(Ignored(where, "not a notebook"))


def _zip_time(info: zipfile.ZipInfo) -> float | None:
    try:
        return datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return None


# --- names -----------------------------------------------------------------------------------

def strip_copies(stem: str) -> str:
    """``00_welcome-Copy1`` → ``00_welcome``; also `` (1)``, `` - Copy``, `` copy 2``, ``-1``."""
    while True:
        shorter = EDITOR_COPY.sub("", stem)
        if shorter == stem or not shorter:
            return stem
        stem = shorter


def exercise_in_name(file_name: str, exercises: list[str]) -> tuple[str | None, str, str]:
    """The exercise a file name names, and what comes before and after it.

    ``alice_01_keras_in_ten_minutes-Copy1.ipynb`` → ``("01_keras_in_ten_minutes", "alice", "")``.
    """
    stem = strip_copies(file_name[:-6] if file_name.lower().endswith(".ipynb") else file_name)
    if stem in exercises:
        return stem, "", ""
    lowered = stem.lower()
    for exercise in sorted(exercises, key=len, reverse=True):
        match = re.search(r"(?:^|(?<=[_\-\s.]))" + re.escape(exercise.lower()) + r"(?=$|[_\-\s.])", lowered)
        if match:
            before = stem[:match.start()].strip("_-. ")
            after = strip_copies(stem[match.end():].strip("_-. ")).strip("_-. ")
            return exercise, before, after
    return None, stem, ""


def normalise(name: str) -> str:
    """A name compared loosely: case and everything but letters and digits ignored."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


# --- the layouts -----------------------------------------------------------------------------

def _gradescope_submissions(metadata: list[_Metadata], problems: list[Ignored]) -> dict:
    """``(container, folder parts) → [submitter info]`` from every ``submission_metadata.yml``."""
    import yaml

    found = {}
    for meta in metadata:
        try:
            data = yaml.safe_load(meta.data.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            problems.append(Ignored(meta.origin, f"Gradescope's metadata cannot be read: {error}"))
            continue
        if not isinstance(data, dict):
            problems.append(Ignored(meta.origin, "Gradescope's metadata is not a mapping of submissions"))
            continue
        for folder, info in data.items():
            info = info if isinstance(info, dict) else {}
            submitters = [s for s in info.get(":submitters", []) or [] if isinstance(s, dict)]
            created = info.get(":created_at")
            when = None
            if isinstance(created, datetime):
                when = (created if created.tzinfo else created.replace(tzinfo=timezone.utc)).timestamp()
            elif isinstance(created, str):
                try:
                    when = datetime.fromisoformat(created.replace(" UTC", "+00:00")).timestamp()
                except ValueError:
                    when = None
            number = GRADESCOPE_FOLDER.match(str(folder))
            found[(meta.container, meta.folder + (str(folder),))] = {
                "submitters": submitters, "time": when,
                "number": int(number["id"]) if number else None, "metadata": meta.origin}
    return found


def recognise(entries: list[_Entry], metadata: list[_Metadata], exercises: list[str],
              layout: str = "auto") -> tuple[list[HandIn], list[Ignored]]:
    """Name the student of every notebook found (see the module's docstring)."""
    if layout not in LAYOUTS:
        raise ValueError(f"no layout {layout!r}: choose from {', '.join(LAYOUTS)}")
    unreadable: list[Ignored] = []
    gradescope = _gradescope_submissions(metadata, unreadable)
    gradescope_roots = {(c, f[:-1]) for c, f in gradescope}
    handins: list[HandIn] = []
    folders_with_students: set[str] = set()
    for entry in entries:
        if len(entry.parts) >= 2 and not entry.given:
            folders_with_students.add(entry.container)

    def want(kind):
        return layout in ("auto", kind)

    for entry in entries:
        made: list[HandIn] = []
        # Gradescope: the notebook is inside a submission folder its metadata names
        if want("gradescope"):
            for (container, folder), info in gradescope.items():
                if container == entry.container and entry.parts[:len(folder)] == folder \
                        and len(entry.parts) > len(folder):
                    for submitter in info["submitters"] or [{}]:
                        sid = submitter.get(":sid")
                        email = submitter.get(":email")
                        made.append(_handin(entry, "gradescope", str(submitter.get(":name") or "?"),
                                            exercises, platform_id=str(sid) if sid not in (None, "") else email,
                                            email=email, number=info["number"], time=info["time"],
                                            time_is_platform=info["time"] is not None))
                    break
            if not made:
                inside = next((root for root in gradescope_roots if root[0] == entry.container
                               and entry.parts[:len(root[1])] == root[1]), None)
                if inside is not None:
                    made.append(_problem(entry, exercises, "it is in a Gradescope export but in no submission "
                                         f"folder its {GRADESCOPE_METADATA} names"))
        # Moodle: a folder on the way (or the file's own name) has Moodle's form
        if not made and want("moodle"):
            for part in entry.parts[:-1]:
                match = MOODLE_FOLDER.match(part[:-4] if part.lower().endswith(".zip") else part)
                if match:
                    if match["kind"] == "feedback":
                        break  # an instructor's feedback file, not a hand-in
                    made.append(_moodle(entry, match, exercises, entry.parts[-1]))
                    break
            else:
                match = MOODLE_FILE.match(entry.parts[-1])
                if match:
                    made.append(_moodle(entry, match, exercises, match["original"]))
        # Canvas: the file's name (or a zip it came in) has Canvas's form
        if not made and want("canvas"):
            found = _canvas_match(entry)
            if found is not None:
                match, original = found
                copy = re.search(r"-(\d+)$", original[:-6]) if original.lower().endswith(".ipynb") else None
                made.append(_handin(entry, "canvas", match["name"], exercises,
                                    platform_id=match["user"], late=bool(match["late"]),
                                    number=int(match["number"]), copy=int(copy[1]) if copy else 0,
                                    time=entry.mtime, name_for_exercise=original))
        if not made and layout in ("auto", "folders", "files"):
            made.append(_course_layout(entry, exercises, layout, entry.container in folders_with_students))
        if not made:
            made.append(_problem(entry, exercises, f"it is not in the form of a {layout} hand-in"))
        handins.extend(made)
    return handins, unreadable


def _canvas_match(entry: _Entry):
    name = entry.parts[-1]
    match = CANVAS_NAME.match(name)
    if match and name.lower().endswith(".ipynb"):
        return match, match["original"]
    for part in reversed(entry.parts[:-1]):  # a zip handed in on Canvas: its notebooks are the student's
        if part.lower().endswith(".zip"):
            match = CANVAS_NAME.match(part[:-4])
            if match:
                return match, name
    return None


def _handin(entry: _Entry, layout: str, student: str, exercises: list[str], *, platform_id=None,
            email=None, late=False, number=None, copy=0, time=None, time_is_platform=False,
            name_for_exercise: str | None = None, student_folder=()) -> HandIn:
    exercise, _, _ = exercise_in_name(name_for_exercise or entry.parts[-1], exercises)
    handin = HandIn(origin=entry.origin, file_name=entry.parts[-1], layout=layout, student=student.strip(),
                    platform_id=platform_id, email=email, late=late,
                    time=time if time is not None else entry.mtime,
                    time_is_platform=time_is_platform, exercise_by_name=exercise,
                    student_folder=tuple(student_folder), data=entry.data, read_problem=entry.read_problem)
    handin.number, handin.copy = number, copy
    return handin


def _moodle(entry: _Entry, match, exercises, name_for_exercise) -> HandIn:
    name = match["name"].strip()
    if name == "Participant":  # blind marking: the id is the only identity there is
        name = f"Participant {match['id']}"
    return _handin(entry, "moodle", name, exercises, platform_id=match["id"], time=entry.mtime,
                   name_for_exercise=name_for_exercise)


def _problem(entry: _Entry, exercises, why: str) -> HandIn:
    handin = _handin(entry, "?", "?", exercises)
    handin.problem = why
    return handin


def _course_layout(entry: _Entry, exercises: list[str], layout: str, has_student_folders: bool) -> HandIn:
    """``<student>/…/<notebook>`` or a loose notebook named after its student."""
    name = entry.parts[-1]
    exercise, before, after = exercise_in_name(name, exercises)
    if entry.given or (len(entry.parts) == 1 and layout != "files"):
        # a notebook by itself: named after its exercise, it is the folder's; else after its student
        if exercise is not None and not before and not after:
            handin = _handin(entry, "given" if entry.given else "folders", entry.root_label, exercises)
            if has_student_folders and not entry.given:
                handin.problem = (f"it lies beside student folders, so its student cannot be told (it would "
                                  f"be graded as student {entry.root_label!r}): move it into its student's "
                                  "folder")
            return handin
        if layout == "folders" and not entry.given:
            return _problem(entry, exercises, "a loose notebook where --layout folders expects student folders")
    if len(entry.parts) >= 2 and layout != "files" and not entry.given:
        top = entry.parts[0]
        student = top[:-4] if top.lower().endswith(".zip") else top
        return _handin(entry, "folders", student, exercises, student_folder=entry.parts[1:-1])
    # named after its student: alice.ipynb, alice_01_keras_in_ten_minutes.ipynb
    if exercise is None:
        return _handin(entry, "files", before, exercises)
    if before:
        return _handin(entry, "files", before, exercises)
    handin = _handin(entry, "files", "?", exercises)
    handin.problem = (f"its name says exercise {exercise} but not whose it is"
                      + (f" ({after!r} after the exercise's name is not read as a student)" if after else "")
                      + ": put it in a folder named after its student, or name it <student>_"
                      f"{exercise}.ipynb")
    return handin


def list_handins(paths: list[Path], exercises: list[str], layout: str = "auto") -> Listing:
    """Every notebook under ``paths`` (folders searched, zips read) and who handed it in.

    Raises ``FileNotFoundError`` for a path that does not exist and ``ValueError`` for an
    unknown layout.
    """
    walker = _Walker()
    for path in paths:
        walker.path(Path(path))
    handins, unreadable = recognise(walker.entries, walker.metadata, exercises, layout)
    return Listing(handins, walker.ignored + unreadable)
