"""``report.html``: the class at a glance, for the instructor.

For each exercise: the distribution of scores (a plot, drawn into the page as SVG, so the file
stands alone), each question's pass rate and how many did not answer it, and the most common
things its check found with how many students got each; then the hand-ins that timed out or
could not be graded, and a link to every feedback page. Written at the end of every run, from
the same results as the CSV files; it holds no time stamp, so grading the same hand-ins again
gives the same page.
"""
from __future__ import annotations

import html
import io
from collections import Counter

from .feedback import question_status, split_message
from .outline import COURSE_TITLE, Outline

TOP_FINDINGS = 3


def finding(q: dict) -> str:
    """What a question's check found, in one line, to count alike failures together."""
    if question_status(q) == "unanswered":
        return "not answered"
    if q["status"] == "missing":
        return "its answer cell is missing from the notebook"
    checks = q.get("checks") or [{"status": q["status"], "message": q["message"]}]
    for c in checks:
        if c["status"] != "passed":
            problem, _ = split_message(c.get("message", ""))
            line = next((x for x in problem.splitlines() if x.strip()), "") or c["status"]
            return line if len(line) <= 160 else line[:157] + "…"
    return q["status"]


def _svg(by_exercise: dict[str, list[int]], maximum: dict[str, int], titles: dict[str, str]) -> str:
    """Histograms of the scores, one panel per exercise, as an inline SVG."""
    import matplotlib
    from matplotlib.figure import Figure

    names = sorted(by_exercise)
    if not names:
        return ""
    with matplotlib.rc_context({"svg.hashsalt": "k2tf-report", "svg.fonttype": "none"}):
        fig = Figure(figsize=(7.5, 2.4 * len(names)), layout="constrained")
        axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
        for ax, name in zip(axes, names):
            top = maximum.get(name, max(by_exercise[name] or [0]))
            counts = Counter(by_exercise[name])
            xs = list(range(0, top + 1))
            ax.bar(xs, [counts.get(x, 0) for x in xs], color="#4c72b0", width=0.8)
            ax.set_xticks(xs)
            ax.set_xlim(-0.6, top + 0.6)
            ax.set_title(f"{titles.get(name, name)}: scores of {len(by_exercise[name])} graded hand-ins")
            ax.set_xlabel(f"score (points out of {top})")
            ax.set_ylabel("students")
            ax.yaxis.get_major_locator().set_params(integer=True)
        fig.suptitle("Score distribution")
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    svg = out.getvalue()
    return svg[svg.index("<svg"):]


def render(results: list[dict], outlines: dict[str, Outline], notes: dict[str, list[str]] | None = None) -> str:
    """The report's HTML for ``results`` (the stored results of one output folder)."""
    e = html.escape
    notes = notes or {}
    results = sorted(results, key=lambda r: (r["exercise"], r["student"], r["key"]))
    graded = [r for r in results if r["status"] == "graded"]
    exercises = sorted({r["exercise"] for r in results if r["exercise"] in outlines})
    students = sorted({r["student"] for r in results})
    scores: dict[str, list[int]] = {}
    maximum: dict[str, int] = {}
    for r in graded:
        scores.setdefault(r["exercise"], []).append(r["score"])
        maximum[r["exercise"]] = max(maximum.get(r["exercise"], 0), r["max_score"])
    titles = {x: outlines[x].title for x in exercises}
    parts = [f"<p class=\"course\">{e(COURSE_TITLE)}</p>", "<h1>Class report</h1>",
             f"<p>{len(students)} student(s), {len(results)} hand-in(s): {len(graded)} graded, "
             f"{len(results) - len(graded)} could not be graded.</p>"]
    svg = _svg({x: scores[x] for x in scores if x in titles}, maximum, titles)
    if svg:
        parts += ['<figure id="score-distribution">', svg,
                  "<figcaption>How many students got each score, per exercise.</figcaption></figure>"]
    for exercise in exercises:
        outline = outlines[exercise]
        rows = [r for r in graded if r["exercise"] == exercise]
        parts.append(f'<h2 id="{e(exercise)}">{e(outline.title)}</h2>')
        if not rows:
            parts.append("<p>No hand-in of this exercise could be graded.</p>")
            continue
        mean = sum(r["score"] for r in rows) / len(rows)
        parts.append(f"<p>{len(rows)} graded; mean score {mean:.1f} of {maximum.get(exercise, 0)}.</p>")
        parts.append('<table class="questions"><thead><tr><th>question</th><th>passed</th>'
                     "<th>not answered</th><th>most common findings (students)</th></tr></thead><tbody>")
        qids = list(outline.questions) or sorted({q["question"] for r in rows for q in r["questions"]})
        for qid in qids:
            qs = [q for r in rows for q in r["questions"] if q["question"] == qid]
            if not qs:
                continue
            passed = sum(q["status"] == "passed" for q in qs)
            unanswered = sum(question_status(q) == "unanswered" for q in qs)
            found = Counter(finding(q) for q in qs if q["status"] != "passed" and question_status(q) != "unanswered")
            top = "".join(f"<li>{e(text)} <span class=\"count\">({n})</span></li>"
                          for text, n in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_FINDINGS])
            rate = passed / len(qs)
            title = outline.questions[qid].title if qid in outline.questions else ""
            parts.append(
                f'<tr><td><span class="qid">{e(qid)}</span> {e(title)}</td>'
                f'<td class="rate"><span class="bar" style="width:{rate * 6:.2f}rem"></span> '
                f"{passed}/{len(qs)} ({rate:.0%})</td><td>{unanswered}</td>"
                f"<td><ul>{top}</ul></td></tr>")
        parts.append("</tbody></table>")
    trouble = []
    for r in results:
        if r["status"] == "error":
            trouble.append((r, "could not be graded: " + r["message"]))
            continue
        bad = [q for q in r["questions"] if q["status"] in ("timeout", "error")]
        if bad:
            trouble.append((r, "; ".join(f"{q['question']} {q['status']}: {finding(q)}" for q in bad)))
    parts.append('<h2 id="trouble">Timed out or broken</h2>')
    if trouble:
        parts.append("<table><thead><tr><th>student</th><th>exercise</th><th>what happened</th></tr></thead><tbody>")
        for r, why in trouble:
            parts.append(f'<tr><td><a href="feedback/{e(r["key"])}.html">{e(r["student"])}</a></td>'
                         f"<td>{e(r['exercise'])}</td><td>{e(why)}</td></tr>")
        parts.append("</tbody></table>")
    else:
        parts.append("<p>None: every hand-in ran to its end within its time limits.</p>")
    parts.append('<h2 id="feedback">Feedback pages</h2><table class="pages"><thead><tr><th>student</th>'
                 + "".join(f"<th>{e(x)}</th>" for x in sorted({r['exercise'] for r in results}))
                 + "</tr></thead><tbody>")
    columns = sorted({r["exercise"] for r in results})
    by = {}
    for r in results:
        by.setdefault((r["student"], r["exercise"]), []).append(r)
    for student in students:
        cells = []
        for x in columns:
            links = [f'<a href="feedback/{e(r["key"])}.html">'
                     + (f"{r['score']}/{r['max_score']}" if r["status"] == "graded" else "error") + "</a>"
                     for r in by.get((student, x), [])]
            cells.append("<td>" + " ".join(links) + "</td>")
        parts.append(f"<tr><td>{e(student)}</td>{''.join(cells)}</tr>")
    parts.append("</tbody></table>")
    who = {r["key"]: f"{r['student']} · {r['exercise']}" for r in results}
    listed = [(who.get(key, key), n) for key, ns in sorted(notes.items()) for n in ns]
    if listed:
        parts.append('<h2 id="notes">From the listing</h2><ul>'
                     + "".join(f"<li>{e(name)}: {e(n)}</li>" for name, n in sorted(listed)) + "</ul>")
    body = "\n".join(parts)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Class report — {e(COURSE_TITLE)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }}
.course {{ color: #57606a; margin: 0; }}
table {{ border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }}
td, th {{ border-bottom: 1px solid #d0d7de; padding: .35rem; text-align: left; vertical-align: top; }}
td ul {{ margin: 0; padding-left: 1.1rem; }}
.qid {{ font-family: ui-monospace, monospace; }}
.bar {{ display: inline-block; height: .7rem; background: #1a7f37; vertical-align: middle; }}
.count {{ color: #57606a; }}
figure svg {{ max-width: 100%; height: auto; }}
</style></head>
<body>
{body}
</body>
</html>
"""
