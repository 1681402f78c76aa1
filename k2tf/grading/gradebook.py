"""What the grader writes: ``gradebook.csv``, ``summary.csv``, ``feedback/*.html``.

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
import html
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
        write_atomically(self.results_folder / f"{result['key']}.json",
                         json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        self.write_feedback(result)

    def write_tables(self, results: list[dict]) -> None:
        """``gradebook.csv`` and ``summary.csv`` for ``results`` (sorted by student, exercise)."""
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
            summary_writer.writerow([r["student"], r["exercise"], r["score"], r["max_score"],
                                     r["status"], r["graded_at"], clean(r["message"])])
        write_atomically(self.folder / "gradebook.csv", book.getvalue())
        write_atomically(self.folder / "summary.csv", summary.getvalue())

    def write_feedback(self, r: dict) -> None:
        """``feedback/<student>__<exercise>.html``: each question, its points and message."""
        e = html.escape
        rows = []
        for q in r["questions"]:
            message = clean(q["message"])
            rows.append(
                f'<tr class="{e(q["status"])}"><td>{e(q["question"])}</td>'
                f'<td>{e(q["status"])}</td><td>{q["points"]}/{q["max_points"]}</td>'
                f"<td><pre>{e(message)}</pre></td></tr>")
        notes = "".join(f"<li>{e(clean(n))}</li>" for n in r.get("notes", []))
        problem = (f'<p class="problem">This notebook could not be graded: {e(clean(r["message"]))}</p>'
                   if r["status"] == "error" else "")
        page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{e(r["exercise"])} — {e(r["student"])}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .4rem; text-align: left; vertical-align: top; }}
pre {{ white-space: pre-wrap; margin: 0; font-family: inherit; }}
tr.passed td:nth-child(2) {{ color: #1a7f37; }}
tr.failed td:nth-child(2), tr.error td:nth-child(2), tr.timeout td:nth-child(2),
tr.missing td:nth-child(2) {{ color: #cf222e; }}
.problem {{ color: #cf222e; }}
</style></head>
<body>
<h1>{e(r["exercise"])}</h1>
<p>Student: <strong>{e(r["student"])}</strong> · Score: <strong>{r["score"]}/{r["max_score"]}</strong></p>
{problem}
<table>
<thead><tr><th>Question</th><th>Status</th><th>Points</th><th>What the check said</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
{f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""}
<p><small>Run each check cell in your notebook to see the same messages while you work.</small></p>
</body>
</html>
"""
        write_atomically(self.folder / "feedback" / f"{r['key']}.html", page)
