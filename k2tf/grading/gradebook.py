"""What the grader writes: ``gradebook.csv``, ``summary.csv``, ``feedback/*.html``.

(The feedback pages are made by :mod:`k2tf.grading.feedback`, the class report by
:mod:`k2tf.grading.report`, the platforms' files by :mod:`k2tf.grading.exports`.)

Only the grader's own process writes here, one finished submission at a time, each file
replaced atomically (written beside, then renamed), so an interrupted run leaves every file
whole. Each finished submission's result is also kept in ``.results/<key>.json`` with a
fingerprint of what produced it (the submission's bytes, the solution, the hidden checks,
the grader's and the checks' code, the limits): the next run reuses a result whose
fingerprint still matches and grades the rest. That is how an interrupted run finishes, and
why grading the same inputs again gives the same files.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
GRADEBOOK_COLUMNS = ["student", "exercise", "question", "points", "max_points", "status", "message"]
SUMMARY_COLUMNS = ["student", "exercise", "score", "max_score", "status", "graded_at", "message"]


def clean(text: str) -> str:
    """Text safe to show a student: no ANSI codes, no carriage returns."""
    return ANSI.sub("", text or "").replace("\r", "")


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; these files are for people
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def fingerprint(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class Gradebook:
    """The output folder: stored results, and the files made from them."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.results_folder = self.folder / ".results"

    def stored(self, key: str, print_: str) -> dict | None:
        """The stored result of ``key`` if it was made from the same inputs (fingerprint)."""
        path = self.results_folder / f"{key}.json"
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return result if isinstance(result, dict) and result.get("fingerprint") == print_ else None

    def store(self, result: dict) -> None:
        """Keep ``result`` for the next run (its page is written by the caller, with its outline)."""
        write_atomically(self.results_folder / f"{result['key']}.json",
                         json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False) + "\n")

    def write_tables(self, results: list[dict], notes: dict[str, list[str]] | None = None) -> None:
        """``gradebook.csv`` and ``summary.csv`` for ``results`` (sorted by student, exercise).

        ``notes`` adds, per result key, what the listing found (a later hand-in kept, a late one)
        to the summary's message."""
        notes = notes or {}
        results = sorted(results, key=lambda r: (r["student"], r["exercise"], r["key"]))
        book, summary = io.StringIO(), io.StringIO()
        book_writer = csv.writer(book, lineterminator="\n")
        summary_writer = csv.writer(summary, lineterminator="\n")
        book_writer.writerow(GRADEBOOK_COLUMNS)
        summary_writer.writerow(SUMMARY_COLUMNS)
        for r in results:
            for q in r["questions"]:
                book_writer.writerow([r["student"], r["exercise"], q["question"], q["points"],
                                      q["max_points"], q["status"], clean(q["message"])])
            message = "; ".join(m for m in [*notes.get(r["key"], []), r["message"]] if m)
            summary_writer.writerow([r["student"], r["exercise"], r["score"], r["max_score"],
                                     r["status"], r["graded_at"], clean(message)])
        write_atomically(self.folder / "gradebook.csv", book.getvalue())
        write_atomically(self.folder / "summary.csv", summary.getvalue())

    def write_feedback(self, r: dict, outline=None, *, hidden_feedback: str = "message",
                       lesson_url: str | None = None, notes: list[str] | None = None) -> None:
        """``feedback/<student>__<exercise>.html`` (see :mod:`k2tf.grading.feedback`)."""
        from . import feedback
        from .outline import DEFAULT_LESSON_URL

        write_atomically(self.folder / "feedback" / f"{r['key']}.html",
                         feedback.render(r, outline, hidden_feedback=hidden_feedback,
                                         lesson_url=lesson_url or DEFAULT_LESSON_URL, notes=notes))
