"""``feedback/<student>__<exercise>.html``: the page a student gets for one exercise.

It shows the course's and the exercise's titles, then each question under its own title with
its points and one status: passed, failed, not answered, answer cell missing, error, or timed
out. A question that lost points shows what its check found and the check's hint (the line
``✗ 01.q2 failed — 0/3 points`` a check prints is not repeated: the status says it), and a
link to the lesson section that teaches it. Hidden checks (``--hidden``) are shown as the
instructor chooses (``--hidden-feedback``): ``message`` shows what a failing one found,
``points`` only that it failed and its points, ``hidden`` leaves them off the page (the page
then counts the public checks' points and says more are to come).
"""
from __future__ import annotations

import html
import re

from .outline import COURSE_TITLE, DEFAULT_LESSON_URL, Outline

HIDDEN_FEEDBACK = ("message", "points", "hidden")
FAIL_LINE = re.compile(r"^✗ \S+ failed — \d+/\d+ points?$")
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
STATUS_TEXT = {"passed": "✓ passed", "failed": "✗ failed", "unanswered": "not answered",
               "missing": "answer cell missing", "error": "error", "timeout": "timed out"}


def clean(text: str) -> str:
    """Text safe to show a student: no ANSI codes, no carriage returns."""
    return ANSI.sub("", text or "").replace("\r", "")


def split_message(message: str) -> tuple[str, str | None]:
    """A check's message as ``(what it found, its hint)``, without the ``✗ … failed`` line."""
    lines = [line for line in clean(message).splitlines() if not FAIL_LINE.match(line.strip())]
    hint = None
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].startswith("Hint: "):
            hint = "\n".join([lines[index][len("Hint: "):]] + lines[index + 1:]).strip()
            lines = lines[:index]
            break
    return "\n".join(lines).strip(), hint


def question_status(q: dict) -> str:
    """One status for a question: ``unanswered`` when its answer is still the placeholder."""
    if q["status"] == "failed" and q.get("unanswered"):
        return "unanswered"
    return q["status"]


def _points(n: int) -> str:
    return f"{n} point" if n == 1 else f"{n} points"


def shown_question(q: dict, mode: str) -> dict:
    """What the page shows of a question under ``--hidden-feedback mode``: status, points, findings."""
    checks = q.get("checks") or [{"name": "check", "points": q["points"], "max_points": q["max_points"],
                                  "status": q["status"], "message": q["message"]}]
    public = [c for c in checks if c["name"] == "check"]
    hidden = [c for c in checks if c["name"] != "check"]
    status = question_status(q)
    points, max_points = q["points"], q["max_points"]
    findings: list[tuple[str, str, str | None]] = []  # (label, what it found, hint)
    if status == "unanswered":
        findings.append(("", f"{q['question']} is not answered yet: its answer cell still holds the "
                             f"placeholder `raise k2tf.NotAnswered(\"{q['question']}\")`.",
                         "replace the placeholder with your code, run the cell, then run the check below it."))
    else:
        for c in public:
            if c["status"] != "passed" and c["message"]:
                problem, hint = split_message(c["message"])
                findings.append(("", problem, hint))
    if mode == "hidden" and hidden:
        points = sum(c["points"] for c in public)
        max_points = sum(c["max_points"] for c in public)
        if public and status not in ("unanswered", "missing"):
            status = max((c["status"] for c in public), key=lambda s: _ORDER.index(s) if s in _ORDER else 0)
    elif status != "unanswered":
        for c in hidden:
            if c["status"] == "passed":
                continue
            if mode == "message":
                problem, hint = split_message(c["message"])
                findings.append(("An extra check your instructor added: ", problem, hint))
            else:
                findings.append(("", f"An extra check your instructor added did not pass "
                                     f"(0/{_points(c['max_points'])}).", None))
    if not findings and status not in ("passed",) and q.get("message"):
        problem, hint = split_message(q["message"])
        findings.append(("", problem, hint))
    return {"status": status, "points": points, "max_points": max_points, "findings": findings,
            "hidden_points": sum(c["max_points"] for c in hidden) if mode == "hidden" else 0}


_ORDER = ("passed", "failed", "missing", "error", "timeout")


def render(r: dict, outline: Outline | None = None, *, hidden_feedback: str = "message",
           lesson_url: str = DEFAULT_LESSON_URL, notes: list[str] | None = None) -> str:
    """The feedback page of result ``r`` (see the module's docstring)."""
    e = html.escape
    title = outline.title if outline else r["exercise"]
    shown = [(q, shown_question(q, hidden_feedback)) for q in r["questions"]]
    score = sum(s["points"] for _, s in shown) if shown else r["score"]
    max_score = sum(s["max_points"] for _, s in shown) if shown else r["max_score"]
    held_back = sum(s["hidden_points"] for _, s in shown)
    unanswered = [q["question"] for q, s in shown if s["status"] == "unanswered"]
    counts: dict[str, int] = {}
    for _, s in shown:
        counts[s["status"]] = counts.get(s["status"], 0) + 1
    sections = []
    for q, s in shown:
        qo = outline.questions.get(q["question"]) if outline else None
        heading = f'<span class="qid">{e(q["question"])}</span>' + (f" · {e(qo.title)}" if qo else "")
        body = [f'<p class="result"><span class="status">{e(STATUS_TEXT.get(s["status"], s["status"]))}</span>'
                f' · <span class="points">{s["points"]}/{_points(s["max_points"])}</span></p>']
        for label, problem, hint in s["findings"]:
            if problem:
                body.append(f'<p class="found">{e(label)}{e(problem)}</p>')
            if hint:
                body.append(f'<p class="hint"><strong>Hint:</strong> {e(hint)}</p>')
        earlier = [u for u in unanswered if u < q["question"]]
        if s["status"] == "failed" and earlier and any("not defined" in p for _, p, _ in s["findings"]):
            body.append(f'<p class="found">{", ".join(e(u) for u in earlier)} '
                        f'{"is" if len(earlier) == 1 else "are"} not answered yet: this question may need '
                        "what they define.</p>")
        if s["status"] != "passed" and outline is not None:
            url, text = outline.lesson_link(q["question"], lesson_url)
            body.append(f'<p class="lesson">Read again: <a href="{e(url)}">{e(text)}</a></p>')
        sections.append(f'<section class="question {e(s["status"])}" id="q{e(q["question"])}">\n'
                        f"<h2>{heading}</h2>\n" + "\n".join(body) + "\n</section>")
    all_notes = [n for n in (notes or []) + list(r.get("notes", [])) if n]
    notes_html = "".join(f"<li>{e(clean(n))}</li>" for n in all_notes)
    problem = (f'<p class="problem">This notebook could not be graded: {e(clean(r["message"]))}</p>'
               if r["status"] == "error" else "")
    tally = ", ".join(f"{n} {STATUS_TEXT.get(status, status).lstrip('✓✗ ')}"
                      for status, n in sorted(counts.items(), key=lambda kv: _TALLY.index(kv[0])
                                              if kv[0] in _TALLY else 99))
    later = (f'<p class="held">{_points(held_back).capitalize()} more come from checks your instructor '
             "will publish with your grade.</p>" if held_back else "")
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{e(title)} — {e(r["student"])}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }}
.course {{ color: #57606a; margin: 0; }}
h1 {{ margin-top: .2rem; }}
section.question {{ border-top: 1px solid #d0d7de; padding: .3rem 0 .6rem; }}
section.question h2 {{ font-size: 1.1rem; margin: .6rem 0 .2rem; }}
.qid {{ font-family: ui-monospace, monospace; }}
.result {{ margin: .2rem 0; }}
.passed .status {{ color: #1a7f37; }}
.failed .status, .error .status, .timeout .status, .missing .status {{ color: #cf222e; }}
.unanswered .status {{ color: #9a6700; }}
.found, .hint {{ white-space: pre-wrap; margin: .3rem 0; }}
.problem {{ color: #cf222e; }}
</style></head>
<body>
<p class="course">{e(COURSE_TITLE)}</p>
<h1>{e(title)}</h1>
<p>Student: <strong>{e(r["student"])}</strong> · Score: <strong>{score}/{max_score}</strong>{f" · {e(tally)}" if tally else ""}</p>
{later}
{problem}
{chr(10).join(sections)}
{f"<h2>Notes</h2><ul>{notes_html}</ul>" if notes_html else ""}
<p><small>Run each check cell in your notebook to see the same messages while you work. To grade
your notebook yourself, save it first (the browser does not write what you run to disk), then run
<code>k2tf grade</code> on the file.</small></p>
</body>
</html>
"""


_TALLY = ("passed", "failed", "unanswered", "missing", "error", "timeout")
