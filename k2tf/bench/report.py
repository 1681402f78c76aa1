"""``benchmarks/REPORT.md``, its figures and the README's headline block, from ``results.json``.

Everything here is computed from the stored measurements: run ``k2tf bench --report`` after
changing this file and the report follows. The test suite renders the committed
``results.json`` and compares it with the committed report and README block, so neither can
be edited by hand.
"""
from __future__ import annotations

import json
import statistics
from pathlib import Path

from .stats import quartiles, spread

TARGET_HANDIN_SECONDS = 5.0

# issues 16 and 17: every lesson and solution of 00-10 under 30 s on 2 cores; issue 18: lesson 11,
# which measures every claim of the Keras-or-TensorFlow article, under 60 s
TARGET_LESSON_SECONDS = 30.0
TARGET_LAST_LESSON_SECONDS = 60.0


def lesson_target(name: str) -> float:
    """Seconds a lesson or solution called ``name`` may take on 2 cores."""
    return TARGET_LAST_LESSON_SECONDS if name.startswith("11_") else TARGET_LESSON_SECONDS
TARGET_GRADER_OVERHEAD = 1.15
TARGET_JOBS2_SPEEDUP = 1.6
TARGET_DASK_VS_JOBS = 0.90  # Dask with 2 workers at least 90% of --jobs 2's throughput
PAPER_CORES = (8, 32, 128)
PAPER_SUBMISSIONS = 10_000
TARGET_LOOP_RATIO = 0.90
LOOP = "tf.function loop (lesson 05)"
EAGER = "eager loop"
README_BEGIN = "<!-- k2tf bench headline: written by `k2tf bench --report`, not by hand -->"
README_END = "<!-- end of k2tf bench headline -->"


def _fmt(value: float, fmt: str = ".1f") -> str:
    return f"{value:{fmt}}"


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


# --- what each benchmark's measurements say ------------------------------------------------

def lesson_facts(section: dict) -> dict:
    data = section["data"]
    rows = []
    for entry in data["notebooks"]:
        runs = [r for r in entry["runs"] if r["seconds"] is not None and not r["error"]]
        errors = sorted({r["error"] for r in entry["runs"] if r["error"]})
        row = {"kind": entry["kind"], "name": entry["name"], "errors": errors}
        if runs:
            row["seconds"] = spread(r["seconds"] for r in runs)
            row["peak_mib"] = spread(r["peak_mib"] for r in runs)
            median_run = min(runs, key=lambda r: abs(r["seconds"] - row["seconds"].median))
            cells = [c for c in median_run["cells"] if c["seconds"] is not None]
            row["slowest"] = max(cells, key=lambda c: c["seconds"]) if cells else None
        rows.append(row)
    floors = {r["name"]: r for r in rows if r["kind"] == "floor"}
    course = [r for r in rows if r["kind"] != "floor"]
    timed = [r for r in course if "seconds" in r]
    over = [r for r in timed if r["seconds"].median > lesson_target(r["name"])]
    failed = [r for r in course if r["errors"] or "seconds" not in r]
    stops = [r["total_seconds"] - r["seconds"] for e in data["notebooks"] if e["kind"] != "floor"
             for r in e["runs"] if r["seconds"] is not None and "total_seconds" in r]
    return {"rows": rows, "floors": floors, "course": course, "over": over, "failed": failed,
            "shutdown": spread(stops) if stops else None,
            "slowest": max(timed, key=lambda r: r["seconds"].median) if timed else None,
            # the notebook nearest to (or furthest over) its own target: lesson 11 has 60 s
            "worst": (max(timed, key=lambda r: r["seconds"].median / lesson_target(r["name"]))
                      if timed else None),
            "runs": data["runs"]}


def grading_facts(section: dict) -> dict:
    data = section["data"]
    rounds = data["rounds"]
    by_jobs: dict[int, list[float]] = {}
    overheads, speedups, ratios, extra, problems = [], {}, [], [], []
    per_exercise: dict[str, dict[str, list[float]]] = {}
    full_marks = [0, 0]
    for round_ in rounds:
        base = round_["nbconvert"]
        grades = {g["jobs"]: g for g in round_["grade"]}
        for jobs, g in grades.items():
            by_jobs.setdefault(jobs, []).append(g["wall_seconds"])
            problems += g["problems"]
        problems += base["failures"]
        one = grades[min(grades)]
        overheads.append(one["wall_seconds"] / base["wall_seconds"])
        for jobs, g in grades.items():
            if jobs != min(grades):
                speedups.setdefault(jobs, []).append(one["wall_seconds"] / g["wall_seconds"])
        for label, nb_seconds in zip(round_["submissions"], base["seconds"]):
            student, exercise = label.split("/")
            result = one["submissions"].get(f"{student}__{exercise}")
            if not result or result["seconds"] is None:
                continue
            ratios.append(result["seconds"] / nb_seconds)
            extra.append(result["seconds"] - nb_seconds)
            kind = dict((f"student{i:02d}", k) for i, (_, k) in enumerate(data["plan"], start=1)).get(student)
            cell = per_exercise.setdefault(exercise, {"nbconvert": [], "grader": []})
            cell["nbconvert"].append(nb_seconds)
            cell["grader"].append(result["seconds"])
            if kind == "full":
                full_marks[1] += 1
                full_marks[0] += result["score"] == result["max_score"]
    n = len(data["plan"])
    per_job_seconds = {}
    for jobs in by_jobs:
        seconds = [r["seconds"] for round_ in rounds for g in round_["grade"] if g["jobs"] == jobs
                   for r in g["submissions"].values() if r["seconds"] is not None]
        per_job_seconds[jobs] = spread(seconds)
    return {
        "submissions": n, "repeats": data["repeats"],
        "nbconvert": spread(r["nbconvert"]["wall_seconds"] for r in rounds),
        "grade": {jobs: spread(v) for jobs, v in sorted(by_jobs.items())},
        "per_minute": {jobs: spread(n * 60 / s for s in v) for jobs, v in sorted(by_jobs.items())},
        "nbconvert_per_minute": spread(n * 60 / r["nbconvert"]["wall_seconds"] for r in rounds),
        "overhead": spread(overheads), "speedup": {j: spread(v) for j, v in sorted(speedups.items())},
        "ratio_quartiles": quartiles(ratios) if ratios else None,
        "extra": spread(extra) if extra else None, "per_exercise": per_exercise,
        "per_submission_seconds": per_job_seconds, "full_marks": full_marks, "problems": problems,
    }


def scaling_facts(section: dict) -> dict:
    data = section["data"]
    points = []
    for p in data["points"]:
        seconds = [r["seconds"] for r in p["submissions"].values() if r["seconds"] is not None]
        points.append({"size": p["size"], "wall": p["wall_seconds"],
                       "per_submission": spread(seconds) if seconds else None,
                       "per_minute": p["size"] * 60 / p["wall_seconds"], "problems": p["problems"]})
    return {"exercise": data["exercise"], "jobs": data["jobs"], "points": points}


def handin_facts(section: dict) -> dict:
    data = section["data"]
    return {"size": data["size"], "repeats": data["repeats"], "command": spread(data["command_seconds"]),
            "plan": spread(data["plan_seconds"]), "found": data["found"]}


def dask_facts(section: dict) -> dict:
    """Throughput of each way, Dask's overhead per task, and the client's cost per result."""
    data = section["data"]
    n = data["submissions"]
    ways = {}
    for name in ("jobs1", "jobs2", "dask1", "dask2"):
        walls = [r[name]["wall_seconds"] for r in data["rounds"]]
        ways[name] = {"wall": spread(walls), "per_minute": spread([n * 60 / w for w in walls]),
                      "problems": [p for r in data["rounds"] for p in r[name]["problems"]]}
    ratio = spread([r["jobs2"]["wall_seconds"] / r["dask2"]["wall_seconds"] for r in data["rounds"]])
    overhead = {w: spread([(r[f"dask{w}"]["wall_seconds"] - r[f"jobs{w}"]["wall_seconds"]) * w / n
                           for r in data["rounds"]]) for w in (1, 2)}
    task = spread([s for r in data["rounds"] for s in r["jobs1"]["seconds"] if s is not None])
    return {"n": n, "repeats": data["repeats"], "ways": ways, "ratio": ratio, "overhead": overhead,
            "task": task, "record": data["record"]}


def loop_facts(section: dict, device: str = "cpu") -> dict | None:
    data = section["data"].get(device, {})
    if "speed" not in data:
        return None
    variants = data["speed"]["variants"]
    rounds = data["speed"]["rounds"]
    fit = variants["fit"]["steps_per_second"]
    rows = {}
    for name, v in variants.items():
        rows[name] = {"rate": spread(v["steps_per_second"]), "warmup": spread(v["warmup_seconds"]),
                      "ratio": spread(v["steps_per_second"][i] / fit[i] for i in range(rounds))}
    sizes = data["sizes"]
    by_size = {name: {int(size): spread(values) for size, values in per.items()}
               for name, per in sizes["variants"].items()}
    return {"speed": data["speed"], "rows": rows, "sizes": sizes, "by_size": by_size}


# --- figures ---------------------------------------------------------------------------------

def _figure_lessons(facts: dict, path: Path) -> None:
    import matplotlib.pyplot as plt

    names = sorted({r["name"] for r in facts["course"]})
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(11, 0.42 * len(names) + 1.8), sharey=True)
    for offset, kind, color in ((-0.2, "notebooks", "#4C72B0"), (0.2, "solutions", "#DD8452")):
        rows = {r["name"]: r for r in facts["course"] if r["kind"] == kind and "seconds" in r}
        ys = [i + offset for i, n in enumerate(names) if n in rows]
        for ax, key in ((ax_t, "seconds"), (ax_m, "peak_mib")):
            med = [rows[n][key].median for n in names if n in rows]
            err = [[rows[n][key].median - rows[n][key].low for n in names if n in rows],
                   [rows[n][key].high - rows[n][key].median for n in names if n in rows]]
            ax.barh(ys, med, height=0.38, xerr=err, color=color, capsize=2,
                    label="lesson" if kind == "notebooks" else "solution")
    for label, style in (("kernel start", ":"), ("kernel start + import tensorflow", "--")):
        floor = facts["floors"].get(label)
        if floor and "seconds" in floor:
            ax_t.axvline(floor["seconds"].median, color="black", linestyle=style, linewidth=1,
                         label=f"floor: {label}")
            ax_m.axvline(floor["peak_mib"].median, color="black", linestyle=style, linewidth=1)
    if facts["slowest"] and facts["slowest"]["seconds"].high > TARGET_LESSON_SECONDS * 0.5:
        ax_t.axvline(TARGET_LESSON_SECONDS, color="red", linewidth=1,
                     label=f"target: {TARGET_LESSON_SECONDS:.0f} s (lesson 11: {TARGET_LAST_LESSON_SECONDS:.0f} s)")
    ax_t.set_yticks(range(len(names)), names)
    ax_t.invert_yaxis()
    ax_t.set_xlabel("seconds in a fresh kernel (median, bar: min–max)")
    ax_m.set_xlabel("peak memory of the kernel, MiB")
    handles, labels = ax_t.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    fig.suptitle("Running each notebook top to bottom")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _figure_grading(g: dict, s: dict | None, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3 if s else 2, figsize=(14 if s else 10, 4))
    labels = ["nbconvert\n--execute"] + [f"k2tf grade\n--jobs {j}" for j in g["grade"]]
    values = [g["nbconvert"]] + list(g["grade"].values())
    ax = axes[0]
    ax.bar(range(len(values)), [v.median for v in values],
           yerr=[[v.median - v.low for v in values], [v.high - v.median for v in values]],
           color=["#999999"] + ["#4C72B0"] * len(g["grade"]), capsize=3)
    for i, v in enumerate(values):
        ax.text(i, v.median, f"{g['submissions'] * 60 / v.median:.1f}/min", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(values)), labels, fontsize=8)
    ax.set_ylabel(f"seconds for {g['submissions']} submissions")
    ax.set_title("One batch, four ways")
    ax = axes[1]
    exercises = sorted(g["per_exercise"])
    ratios = [[gr / nb for gr, nb in zip(g["per_exercise"][e]["grader"], g["per_exercise"][e]["nbconvert"])]
              for e in exercises]
    ax.boxplot(ratios, vert=False)
    ax.set_yticks(range(1, len(exercises) + 1), [e[:2] for e in exercises])
    ax.axvline(1.0, color="black", linewidth=1)
    ax.axvline(TARGET_GRADER_OVERHEAD, color="red", linewidth=1, linestyle="--", label="target: 1.15")
    ax.set_xlabel("grader ÷ nbconvert, per submission")
    ax.set_ylabel("exercise")
    ax.invert_yaxis()
    ax.legend(fontsize=8)
    ax.set_title("Overhead per submission (--jobs 1)")
    if s:
        ax = axes[2]
        sizes = [p["size"] for p in s["points"]]
        walls = [p["wall"] for p in s["points"]]
        ax.plot(sizes, walls, "o-", label=f"k2tf grade --jobs {s['jobs']}")
        per = [p["per_submission"].median for p in s["points"] if p["per_submission"]]
        if per:
            ideal = statistics.median(per) / s["jobs"]
            ax.plot(sizes, [n * ideal for n in sizes], ":", color="gray",
                    label="size × median submission ÷ jobs")
        ax.set_xlabel(f"submissions of {s['exercise']}")
        ax.set_ylabel("seconds")
        ax.set_title("A bigger class")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _figure_loops(loops: dict, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, (ax, ax_s) = plt.subplots(1, 2, figsize=(13, 4.2))
    names = list(loops["rows"])
    ratio = [loops["rows"][n]["ratio"] for n in names]
    ax.barh(range(len(names)), [r.median for r in ratio],
            xerr=[[r.median - r.low for r in ratio], [r.high - r.median for r in ratio]],
            color=["#999999"] + ["#4C72B0"] * (len(names) - 1), capsize=3)
    for i, n in enumerate(names):
        ax.text(ratio[i].high, i, f"  {loops['rows'][n]['rate'].median:.0f} steps/s", va="center", fontsize=8)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.axvline(TARGET_LOOP_RATIO, color="red", linewidth=1, linestyle="--", label="target for the loop: 0.9")
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("speed ÷ speed of fit in the same round (median, bar: min–max)")
    ax.set_xlim(0, max(r.high for r in ratio) * 1.35)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Steps per second, CPU")
    for n in names:
        sizes = sorted(loops["by_size"][n])
        med = [loops["by_size"][n][k].median for k in sizes]
        err = [[m - loops["by_size"][n][k].low for m, k in zip(med, sizes)],
               [loops["by_size"][n][k].high - m for m, k in zip(med, sizes)]]
        ax_s.errorbar(sizes, med, yerr=err, marker="o", capsize=2, label=n)
    ax_s.set_xscale("log")
    ax_s.set_yscale("log")
    from matplotlib.ticker import NullFormatter

    ax_s.xaxis.set_minor_formatter(NullFormatter())
    ax_s.set_xticks(loops["sizes"]["sizes"], [f"{n:,}" for n in loops["sizes"]["sizes"]])
    ax_s.set_xlabel("training samples")
    ax_s.set_ylabel(f"seconds for {loops['sizes']['epochs']} epochs, warm-up included")
    ax_s.legend(fontsize=7)
    ax_s.set_title("Training time against dataset size, CPU")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


# --- the text ----------------------------------------------------------------------------------

def _machine_lines(facts: dict) -> list[str]:
    gpus = ", ".join(facts["gpus"]) or "none"
    return [
        "| | |", "|---|---|",
        f"| CPU | {facts['cpu']} |",
        f"| cores | {facts['usable_cores']:g} usable ({facts['logical_cpus']} logical CPUs) |",
        f"| memory | {facts['memory_gib']} GiB |",
        f"| system | {facts['os']}, Python {facts['python']} |",
        f"| TensorFlow | {facts['tensorflow']} ({facts['tensorflow_build']} build), Keras {facts['keras']} |",
        f"| GPU | {gpus} |",
    ]


def _same_machine(a: dict, b: dict) -> bool:
    keys = ("cpu", "usable_cores", "memory_gib", "tensorflow", "gpus")
    return all(a.get(k) == b.get(k) for k in keys)


def render(results: dict) -> tuple[str, str, dict]:
    """The report's Markdown, the README's headline block, and the figures to draw."""
    sections = results["sections"]
    figures: dict[str, tuple] = {}
    out: list[str] = ["# Benchmarks", ""]
    out.append("Written by `make bench` (`k2tf bench`) from the measurements in "
               "[`results.json`](results.json); `k2tf bench --report` rewrites it. Do not edit it by hand. "
               "The speeds here are measured, never asserted by a test.")
    if results.get("quick"):
        out += ["", "**These are `--quick` measurements: they prove the benchmarks run, nothing more.**"]
    out.append("")
    first = next(iter(sections.values()), None)
    if first is None:
        return "\n".join(out + ["Nothing measured yet: run `make bench`."]) + "\n", "", figures
    newest = max(sections.values(), key=lambda s: s["measured_at"])
    out += ["## The machine", ""] + _machine_lines(newest["machine"]) + [""]
    when = ", ".join(f"{name} {s['measured_at']} ({s['minutes']:g} min)" for name, s in sections.items())
    out.append(f"Measured: {when}. Load average when each started: "
               + ", ".join(f"{name} {s['machine']['load_average'][0]:g}" for name, s in sections.items()) + ".")
    for name, s in sections.items():
        if not _same_machine(s["machine"], newest["machine"]):
            out.append(f"\n**{name} was measured on another machine:** {s['machine']['cpu']}, "
                       f"{s['machine']['usable_cores']:g} cores, TensorFlow {s['machine']['tensorflow']}.")
    cores = newest["machine"]["usable_cores"]
    if cores != 2:
        out.append(f"\nThe targets are set for 2 CPU cores; this machine has {cores:g}.")
    out.append("")

    targets: list[str] = []
    headline: list[str] = []
    body: list[str] = []

    lf = lesson_facts(sections["lessons"]) if "lessons" in sections else None
    gf = grading_facts(sections["grading"]) if "grading" in sections else None
    sf = scaling_facts(sections["scaling"]) if "scaling" in sections else None
    loops = loop_facts(sections["loops"]) if "loops" in sections else None
    hf = handin_facts(sections["handins"]) if "handins" in sections else None
    df = dask_facts(sections["dask"]) if "dask" in sections else None

    # 1. lessons
    body += ["## 1. Lessons: how long a student waits", ""]
    if lf:
        figures["lessons.png"] = (_figure_lessons, lf)
        floor = lf["floors"].get("kernel start + import tensorflow")
        start = lf["floors"].get("kernel start")
        body += [f"Each notebook runs top to bottom in a fresh course kernel, as \"Run All\" does, "
                 f"{lf['runs']} time(s), round by round; median and (min–max). Peak memory is the "
                 "kernel's largest process (its resident set at its highest). The floor is a notebook "
                 "that only starts a kernel, or only imports TensorFlow: no lesson can beat it.", "",
                 "![lessons](lessons.png)", "",
                 "| notebook | lesson | solution | peak MiB (lesson / solution) | slowest cell of the lesson |",
                 "|---|---|---|---|---|"]
        for label, f in (("kernel start", start), ("kernel start + import tensorflow", floor)):
            if f and "seconds" in f:
                body.append(f"| *floor: {label}* | {f['seconds'].format(unit='s')} | | "
                            f"{f['peak_mib'].median:.0f} | |")
        by = {(r["kind"], r["name"]): r for r in lf["course"]}
        for name in sorted({r["name"] for r in lf["course"]}):
            lesson, solution = by.get(("notebooks", name)), by.get(("solutions", name))

            def cell(r):
                if r is None:
                    return "–"
                if "seconds" not in r or r["errors"]:
                    return "failed: " + ", ".join(r["errors"] or ["no run finished"])
                return r["seconds"].format(unit="s")

            mem = " / ".join(f"{r['peak_mib'].median:.0f}" if r and "peak_mib" in r else "–"
                             for r in (lesson, solution))
            slow = lesson.get("slowest") if lesson else None
            slow_text = (f"{slow['seconds']:.1f} s: `{slow['first_line'].replace('|', '/')[:60]}`"
                         if slow else "–")
            body.append(f"| {name} | {cell(lesson)} | {cell(solution)} | {mem} | {slow_text} |")
        body.append("")
        if lf["shutdown"]:
            body += [f"A time here ends with the last cell's reply, which is what a student waits for; "
                     f"stopping the kernel afterwards took a further {lf['shutdown'].format('.2f', 's')}.", ""]
        worst = lf["slowest"]
        if worst:
            ok = not lf["over"] and not lf["failed"]
            nearest = lf["worst"]
            line = (f"| every lesson and solution under {TARGET_LESSON_SECONDS:.0f} s on 2 cores (lesson 11 "
                    f"{TARGET_LAST_LESSON_SECONDS:.0f} s) | furthest over or nearest its target: "
                    f"{nearest['kind']}/{nearest['name']}, {nearest['seconds'].format(unit='s')} "
                    f"(target {lesson_target(nearest['name']):.0f} s) | {_met(ok)} |")
            targets.append(line)
            if not ok:
                why = [f"{r['kind']}/{r['name']} took {r['seconds'].median:.0f} s; its slowest cell "
                       f"(`{(r.get('slowest') or {}).get('first_line', '?')}`) took "
                       f"{(r.get('slowest') or {}).get('seconds', 0):.0f} s" for r in lf["over"]]
                why += [f"{r['kind']}/{r['name']} did not finish: {', '.join(r['errors'])}" for r in lf["failed"]]
                body += ["**Target missed:** " + "; ".join(why) + ".", ""]
            total = sum(r["seconds"].median for r in lf["course"] if r["kind"] == "notebooks" and "seconds" in r)
            headline.append(f"- **Lessons:** the slowest notebook runs in {worst['seconds'].median:.0f} s "
                            f"({worst['kind']}/{worst['name']}), all twelve lessons in {total / 60:.1f} min; "
                            + (f"the floor (kernel + `import tensorflow`) is {floor['seconds'].median:.1f} s."
                               if floor and "seconds" in floor else ""))
    else:
        body += ["Not measured yet: run `k2tf bench --only lessons`.", ""]

    # 2. grading
    body += ["## 2. Grading: how long an instructor waits", ""]
    if gf:
        figures["grading.png"] = (_figure_grading, gf, sf)
        body += [f"A batch of {gf['submissions']} submissions made from the course's exercises (for each "
                 "exercise, one with every answer of the solution pasted in and one with only the first "
                 "half answered), graded by `k2tf grade` into a fresh output folder, against "
                 "`jupyter nbconvert --execute --allow-errors` on each submission one after another "
                 f"(a process and kernel each, as the grader uses), in the same run; {gf['repeats']} "
                 "round(s); median and (min–max).", "",
                 "![grading](grading.png)", "",
                 "| | seconds for the batch | submissions per minute | seconds per submission |",
                 "|---|---|---|---|",
                 f"| `nbconvert --execute`, one after another | {gf['nbconvert'].format(unit='s')} | "
                 f"{gf['nbconvert_per_minute'].format()} | |"]
        for jobs, sp in gf["grade"].items():
            body.append(f"| `k2tf grade --jobs {jobs}` | {sp.format(unit='s')} | {gf['per_minute'][jobs].format()} | "
                        f"{gf['per_submission_seconds'][jobs].format(unit='s')} |")
        body.append("")
        q1, q2, q3 = gf["ratio_quartiles"] or (float("nan"),) * 3
        line = (f"- Overhead of the grader (`--jobs 1` ÷ nbconvert, whole batch): {gf['overhead'].format('.3f', '×')}. "
                f"Per submission the ratio has median {q2:.3f} (quartiles {q1:.3f}–{q3:.3f}).")
        extra = gf["extra"]
        if extra and extra.median < 0:
            stop = lf["shutdown"].median if lf and lf["shutdown"] else None
            line += (f" The grader took {-extra.median:.2f} s less per submission (range "
                     f"{-extra.high:.2f}–{-extra.low:.2f} s), although it also starts a process (pytest) "
                     "and a kernel for each, rebuilds the notebook from the solution and loads a private "
                     "copy of the checks: nbconvert waits for each kernel to shut down gracefully"
                     + (f" ({stop:.2f} s, section 1)" if stop else "")
                     + ", while nbval, which the grader drives, stops its kernel at once.")
        elif extra:
            line += (f" The grader adds {extra.format('.2f', 's')} per submission: its pytest process, the "
                     "notebook rebuilt from the solution, the sandbox and the private copy of the checks.")
        body.append(line)
        for jobs, sp in gf["speedup"].items():
            body.append(f"- `--jobs {jobs}` is {sp.format('.2f', '×')} as fast as `--jobs 1`; a submission then "
                        f"takes {gf['per_submission_seconds'][jobs].median:.1f} s instead of "
                        f"{gf['per_submission_seconds'][min(gf['grade'])].median:.1f} s, because the kernels share the cores.")
        fm = gf["full_marks"]
        body.append(f"- Sanity: {fm[0]} of {fm[1]} fully answered submissions got full marks"
                    + (f"; problems: {'; '.join(gf['problems'][:5])}" if gf["problems"] else "; every submission was graded") + ".")
        body += ["", "| exercise | nbconvert s per submission | grader s per submission |", "|---|---|---|"]
        for exercise in sorted(gf["per_exercise"]):
            e = gf["per_exercise"][exercise]
            body.append(f"| {exercise} | {spread(e['nbconvert']).format(unit='s')} | {spread(e['grader']).format(unit='s')} |")
        body.append("")
        ok = gf["overhead"].median <= TARGET_GRADER_OVERHEAD
        targets.append(f"| grader within 15% of plain execution | {gf['overhead'].format('.3f', '×')} | {_met(ok)} |")
        if not ok:
            more = (gf["grade"][min(gf["grade"])].median - gf["nbconvert"].median) / gf["submissions"]
            plain = gf["nbconvert"].median / gf["submissions"]
            body += [f"**Target missed:** the grader's fixed cost per submission: {more:.1f} s more than "
                     f"plain execution, {more / plain:.0%} of a plain run's {plain:.1f} s (its pytest process, "
                     "the rebuilt notebook, the sandbox and the private copy of the checks weigh most on "
                     "short notebooks).", ""]
        if 2 in gf["speedup"]:
            sp = gf["speedup"][2]
            ok = sp.median >= TARGET_JOBS2_SPEEDUP
            targets.append(f"| `--jobs 2` at least 1.6× `--jobs 1` on 2 cores | {sp.format('.2f', '×')} | {_met(ok)} |")
            if not ok:
                p1, p2 = gf["per_submission_seconds"][1].median, gf["per_submission_seconds"][2].median
                body += [f"**Target missed:** with two submissions at once each took {p2:.1f} s instead of "
                         f"{p1:.1f} s ({p2 / p1:.2f}×): two kernels, each with TensorFlow's thread pools as wide "
                         "as the machine, share its cores, and the grader's own work (starting pytest, kernels, "
                         "TensorFlow imports) competes with them.", ""]
            headline.append(f"- **Grading:** {gf['submissions']} submissions: `k2tf grade` takes "
                            f"{gf['overhead'].median:.2f}× the time of plain `nbconvert --execute`; `--jobs 2` is "
                            f"{sp.median:.2f}× as fast as `--jobs 1` "
                            f"({gf['per_minute'][2].median:.1f} submissions per minute).")
    else:
        body += ["Not measured yet: run `k2tf bench --only grading`.", ""]

    # 3. loops
    body += ["## 3. Training loops: is what the course teaches as fast as `fit`?", ""]
    if loops:
        sp = loops["speed"]
        figures["loops.png"] = (_figure_loops, loops)
        body += [f"Lesson 05's model (64-64-10) and data ({sp['samples']} digit images, batches of {sp['batch']}, "
                 f"{sp['steps_per_epoch']} steps an epoch), one `tf.data` pipeline for every way; a fresh model "
                 f"each time, one warm-up epoch (tracing, compiling), then {sp['epochs']} epochs timed. "
                 f"{sp['rounds']} rounds; a ratio is taken within a round. Course settings (`k2tf.setup()`: "
                 "deterministic ops) except where the name says otherwise: Keras turns `jit_compile=True` off "
                 "while op determinism is on, so XLA is measured with it off, beside `fit` with it off.", "",
                 "![loops](loops.png)", "",
                 "| way of training | steps per second | ÷ fit | warm-up epoch |", "|---|---|---|---|"]
        for name, row in loops["rows"].items():
            body.append(f"| {name} | {row['rate'].format('.0f')} | {row['ratio'].format('.2f')} | "
                        f"{row['warmup'].format('.2f', 's')} |")
        widest = max(loops["rows"], key=lambda n: loops["rows"][n]["rate"].high / loops["rows"][n]["rate"].low)
        w = loops["rows"][widest]["rate"]
        if w.n > 1:
            body.append(f"\nRound to round, `{widest}` varied most ({w.low:.0f}–{w.high:.0f} steps/s, "
                        f"{w.high / w.low:.1f}× apart); the ratios to `fit` carry that spread.")
        body.append("")
        loop, eager = loops["rows"][LOOP]["ratio"], loops["rows"][EAGER]["ratio"]
        ok = loop.median >= TARGET_LOOP_RATIO
        targets.append(f"| the `tf.function` loop within 10% of `fit` (at least 0.9×) | {loop.format('.2f', '×')} | {_met(ok)} |")
        if not ok:
            fit_us = 1e6 / loops["rows"]["fit"]["rate"].median
            loop_us = 1e6 / loops["rows"][LOOP]["rate"].median
            body += [f"**Target missed:** a step of the loop took {loop_us:.0f} µs against {fit_us:.0f} µs in "
                     "`fit`: the loop calls its `tf.function` from Python once a batch and reads each loss "
                     "back as a float (lesson 05 keeps them), which waits for the step to finish.", ""]
        ok = eager.median < 1
        targets.append(f"| the eager loop shown slower than `fit` | {eager.format('.2f', '×')} | {_met(ok)} |")
        xla = loops["rows"].get("fit, jit_compile=True")
        headline.append(f"- **Loops (CPU):** lesson 05's `tf.function` loop runs at {loop.median:.2f}× the steps per "
                        f"second of `fit`, the eager loop at {eager.median:.2f}×"
                        + (f", XLA at {xla['ratio'].median:.2f}×." if xla else "."))
        body += ["### On a GPU", ""]
        gpu = loop_facts(sections["loops"], "gpu")
        if gpu:
            body += ["| way of training | steps per second | ÷ fit |", "|---|---|---|"]
            for name, row in gpu["rows"].items():
                body.append(f"| {name} | {row['rate'].format('.0f')} | {row['ratio'].format('.2f')} |")
        else:
            reason = sections["loops"]["data"].get("gpu", {}).get("not_measured", "no GPU")
            body.append(f"Not measured: {reason}. `make bench` on a machine with a GPU measures the same "
                        "loops there as well.")
        body.append("")
    else:
        body += ["Not measured yet: run `k2tf bench --only loops`.", ""]

    # 4. scaling
    body += ["## 4. Scaling: a bigger class, a bigger dataset", ""]
    if sf:
        body += [f"A class of N students each hands in {sf['exercise']} (every other one half answered), "
                 f"graded with `--jobs {sf['jobs']}` (one per core); the third panel of the grading figure.", "",
                 "| submissions | seconds | submissions per minute | seconds per submission |", "|---|---|---|---|"]
        for p in sf["points"]:
            per = p["per_submission"].format(unit="s") if p["per_submission"] else "–"
            body.append(f"| {p['size']} | {p['wall']:.0f} | {p['per_minute']:.1f} | {per} |")
        if any(p["problems"] for p in sf["points"]):
            body.append("\nProblems: " + "; ".join(x for p in sf["points"] for x in p["problems"])[:500])
        big = sf["points"][-1]
        body.append("")
        if len(sf["points"]) >= 2:
            a, b = sf["points"][-2], sf["points"][-1]
            body += [f"From {a['size']} to {b['size']} submissions each extra submission added "
                     f"{(b['wall'] - a['wall']) / (b['size'] - a['size']):.1f} s; {b['size']} took "
                     f"{b['wall'] / 60:.1f} min in all ({b['wall'] / b['size']:.1f} s each).", ""]
        headline.append(f"- **A class of {big['size']}** handing in {sf['exercise']} is graded in "
                        f"{big['wall'] / 60:.1f} min with `--jobs {sf['jobs']}`.")
    if loops:
        sizes = loops["sizes"]
        body += [f"Training time for {sizes['epochs']} epochs from a fresh model, warm-up included, against the "
                 "number of training samples (the digits repeated with a little noise); median (min–max) of "
                 f"{sizes['rounds']} round(s), seconds; the second panel of the loops figure.", "",
                 "| way of training | " + " | ".join(f"{n} samples" for n in sizes["sizes"]) + " |",
                 "|---|" + "---|" * len(sizes["sizes"])]
        for name, per in loops["by_size"].items():
            body.append(f"| {name} | " + " | ".join(per[n].format('.2f') for n in sizes["sizes"]) + " |")
        body.append("")
    if not sf and not loops:
        body += ["Not measured yet.", ""]

    # 5. hand-ins
    body += ["## 5. Hand-ins: listing a class and naming each student", ""]
    if hf:
        body += [f"A class of {hf['size']} hand-ins as instructors download them (half a Canvas submissions "
                 "zip, half a Moodle folder per student), listed and mapped to students and exercises by "
                 f"`k2tf grade DIR --dry-run`; {hf['repeats']} round(s), median and (min–max).", "",
                 "| | seconds |", "|---|---|",
                 f"| `k2tf grade --dry-run`, the whole command | {hf['command'].format('.2f', 's')} |",
                 f"| the listing and mapping step alone (`plan`) | {hf['plan'].format('.2f', 's')} |", ""]
        ok = hf["command"].median < TARGET_HANDIN_SECONDS
        targets.append(f"| listing and mapping {hf['size']:,} hand-ins under {TARGET_HANDIN_SECONDS:.0f} s | "
                       f"{hf['command'].format('.2f', 's')} | {_met(ok)} |")
        if not ok:
            body += [f"**Target missed:** the dry run took {hf['command'].median:.1f} s, of which the listing "
                     f"itself {hf['plan'].median:.1f} s; the rest is Python starting and importing.", ""]
        headline.append(f"- **Hand-ins:** listing and mapping {hf['size']:,} hand-ins (Canvas and Moodle "
                        f"downloads) takes {hf['command'].median:.1f} s (`k2tf grade --dry-run`).")
    else:
        body += ["Not measured yet: run `k2tf bench --only handins`.", ""]

    # 6. Dask
    body += ["## 6. Grading on Dask", ""]
    if df:
        labels = {"jobs1": "`--jobs 1`", "jobs2": "`--jobs 2`", "dask1": "Dask, 1 worker",
                  "dask2": "Dask, 2 workers"}
        body += [f"The same {df['n']} hand-ins (two per exercise) graded on this machine and on a Dask cluster "
                 "on this machine (`dask scheduler` and single-threaded `dask worker` processes on loopback, "
                 f"`k2tf grade --scheduler`), each into a fresh folder; {df['repeats']} round(s), median and "
                 "(min–max). A Dask worker grades exactly as `--jobs` does: one fresh sandboxed kernel per hand-in.",
                 "", "| way | wall time | hand-ins a minute |", "|---|---|---|"]
        for name, way in df["ways"].items():
            body.append(f"| {labels[name]} | {way['wall'].format('.0f', 's')} | {way['per_minute'].format('.1f')} |")
        body += ["", f"Dask with 2 workers ÷ `--jobs 2` (throughput): {df['ratio'].format('.2f', '×')}. Dask's overhead "
                 f"per hand-in (its wall time minus the local one of the same parallelism, per hand-in a worker "
                 f"graded): {df['overhead'][1].format('.2f', 's')} with 1 worker, "
                 f"{df['overhead'][2].format('.2f', 's')} with 2. One hand-in takes "
                 f"{df['task'].format('.1f', 's')} of a core (`--jobs 1`, per hand-in).", ""]
        problems = [p for way in df["ways"].values() for p in way["problems"]]
        if problems:
            body += ["**Problems:** " + "; ".join(problems[:5]), ""]
        rec = df["record"]
        per_result = rec["filing_seconds"] / rec["size"]
        body += ["### On paper: a term's hand-ins", "",
                 f"The client (the instructor's machine) plans, then files every result itself: filing "
                 f"{rec['size']:,} synthetic results (stored result, feedback page, the class tables every "
                 f"2 s) took {rec['filing_seconds']:.1f} s, {1000 * per_result:.2f} ms a result, and the report "
                 f"and tables at the end {rec['finish_seconds']:.1f} s. From the measured "
                 f"{df['task'].median:.1f} s of a core per hand-in:", "",
                 f"| worker cores | {PAPER_SUBMISSIONS:,} hand-ins take | results reach the client | "
                 "the client's writer busy |", "|---|---|---|---|"]
        for cores in PAPER_CORES:
            hours = PAPER_SUBMISSIONS * df["task"].median / cores / 3600
            rate = cores / df["task"].median
            body.append(f"| {cores} | {hours:.1f} h | {rate:.1f} a second | {100 * rate * per_result:.1f}% |")
        body += ["", "Dask's own cost per hand-in is the overhead measured above; the writer's share is the last "
                 "column. The estimate assumes workers as fast as this machine's cores, one hand-in per core at a "
                 "time, and leaves out starting the workers.", ""]
        ok = df["ratio"].median >= TARGET_DASK_VS_JOBS
        targets.append(f"| Dask with 2 workers within 10% of `--jobs 2` | {df['ratio'].format('.2f', '×')} | "
                       f"{_met(ok)} |")
        headline.append(f"- **Grading on Dask:** 2 workers grade at {df['ratio'].median:.2f}× the speed of "
                        f"`--jobs 2` on the same machine; the client files a result in {1000 * per_result:.1f} ms.")
    else:
        body += ["Not measured yet: run `k2tf bench --only dask`.", ""]

    out += ["## Targets", "", "Set for 2 CPU cores; reported, not asserted.", "",
            "| target | measured | |", "|---|---|---|"] + targets + [""] + body
    out += ["## Reproduce", "", "```", "make bench                    # every benchmark, then this report",
            "k2tf bench --only loops       # one benchmark again, the others kept",
            "k2tf bench --report           # this report again from results.json", "```", ""]
    block = "\n".join([README_BEGIN] + headline + [README_END])
    return "\n".join(out), block, figures


def write_report(results_path: Path, *, readme: Path | None = None, figures: bool = True) -> Path:
    """Write ``REPORT.md`` (and its figures) beside ``results_path``; update ``readme``'s block."""
    results = json.loads(results_path.read_text(encoding="utf-8"))
    text, block, drawings = render(results)
    folder = results_path.parent
    (folder / "REPORT.md").write_text(text, encoding="utf-8")
    if figures:
        import matplotlib

        matplotlib.use("Agg")
        for name, (draw, *args) in drawings.items():
            draw(*args, folder / name)
    if readme is not None and readme.exists():
        update_readme(readme, block)
    return folder / "REPORT.md"


def update_readme(readme: Path, block: str) -> bool:
    """Replace the headline block in ``readme``; True when the file changed."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(README_BEGIN), text.find(README_END)
    if start < 0 or end < 0:
        return False
    new = text[:start] + block + text[end + len(README_END):]
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text
