"""The ``k2tf`` command: what instructors and course authors run in a terminal."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__


def _cmd_release(args) -> int:
    from .release import ReleaseError, release

    try:
        result = release(Path(args.root), check_only=args.check)
    except ReleaseError as error:
        print(f"k2tf release: the solutions break the exercise format:\n{error}", file=sys.stderr)
        return 1
    for path in result.written:
        print(f"wrote exercises/{path.name}")
    for path in result.orphans:
        print(f"warning: {path.name} has no solution in solutions/ (not written by release)",
              file=sys.stderr)
    if args.check:
        if result.stale:
            for path in result.stale:
                print(f"out of date: exercises/{path.name}", file=sys.stderr)
            print("run `k2tf release` (or `make release`) and commit the result", file=sys.stderr)
            return 1
        print(f"exercises/ is up to date with solutions/ ({len(result.unchanged)} notebooks)")
    elif not result.written:
        print(f"exercises/ was already up to date ({len(result.unchanged)} notebooks)")
    return 0


def _cmd_format(args) -> int:
    from . import notebooks

    paths = [Path(p) for p in args.paths] or list(notebooks.course_notebooks(Path(args.root)))
    bad = []
    for path in paths:
        nb = notebooks.read(path)
        text = notebooks.dumps(notebooks.normalize(nb))
        if path.read_text(encoding="utf-8") != text:
            bad.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
                print(f"normalised {path}")
    if args.check and bad:
        for path in bad:
            print(f"not normalised: {path}", file=sys.stderr)
        print("run `k2tf format` (or `make format`)", file=sys.stderr)
        return 1
    return 0


def _cmd_execute(args) -> int:
    from nbclient.exceptions import CellExecutionError

    from . import notebooks

    status = 0
    for name in args.paths:
        path = Path(name)
        print(f"executing {path} …", flush=True)
        try:
            nb = notebooks.execute(path, timeout=args.timeout)
        except CellExecutionError as error:
            print(f"{path}: a cell failed, nothing written:\n{error}", file=sys.stderr)
            status = 1
            continue
        notebooks.write(nb, path)
        print(f"stored outputs of {path}")
    return status


def _cmd_doctor(args) -> int:  # noqa: ARG001
    from .environment import format_report, report
    from .notebook_setup import quiet_tensorflow

    quiet_tensorflow(native=True)
    facts = report()
    print(format_report(facts))
    return 0 if not facts["Offline data"].startswith("PROBLEM") else 1


def _cmd_install_kernel(args) -> int:
    from .kernel import install

    for path in install(Path(args.prefix) if args.prefix else None):
        print(f"wrote {path}")
    return 0


def _cmd_questions(args) -> int:
    from .checks import all_questions

    for q in all_questions(args.lesson):
        print(f"{q.id:<7} {q.points} pt  {q.checks}")
        if args.detail:
            import textwrap

            def show(label: str, text: str) -> None:
                print(textwrap.fill(text, width=100, initial_indent=f"        {label:<9}",
                                    subsequent_indent=" " * 17))

            if q.defines:
                show("defines:", ", ".join(q.defines))
            if q.fixed:
                show("fixed:", q.fixed)
            for item in q.verifies:
                show("checks:", item)
            print()
    return 0


def _cmd_grade(args) -> int:
    from .grading.judge import Limits
    from .grading.run import UsageError, grade

    limits = Limits(cell_timeout=args.timeout, submission_timeout=args.submission_timeout,
                    memory=int(args.memory * 2**20))
    exports = [x.strip() for value in args.export for x in value.split(",") if x.strip()]
    try:
        return grade([Path(p) for p in args.paths], out=Path(args.out), jobs=args.jobs or 1,
                     limits=limits, hidden_folder=Path(args.hidden) if args.hidden else None,
                     course_root=Path(args.root).resolve(),
                     roster_path=Path(args.roster) if args.roster else None, layout=args.layout,
                     dry_run=args.dry_run, exports=exports, hidden_feedback=args.hidden_feedback,
                     lesson_url=args.lesson_url, scheduler=args.scheduler, cluster=args.cluster)
    except UsageError as error:
        print(f"k2tf grade: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _cmd_progress(args) -> int:
    from .progress import format_progress, progress

    print(format_progress(progress(Path(args.root).resolve(), jobs=args.jobs), details=args.details))
    return 0


def _cmd_gradescope(args) -> int:
    from .grading.gradescope import build

    out = Path(args.out) if args.out else Path("gradescope") / f"{args.exercise}-autograder.zip"
    try:
        path = build(args.exercise, course_root=Path(args.root).resolve(), out=out,
                     hidden_folder=Path(args.hidden) if args.hidden else None,
                     hidden_visibility=args.hidden_visibility, cell_timeout=args.timeout,
                     submission_timeout=args.submission_timeout,
                     memory=int(args.memory * 2**20) if args.memory else None)
    except ValueError as error:
        print(f"k2tf gradescope: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path}: on Gradescope, create a Programming Assignment, choose the Ubuntu 22.04 "
          "base image and upload this zip as its autograder")
    return 0


def _cmd_bench(args) -> int:
    from .bench.main import SECTIONS, Settings, bench
    from .bench.report import write_report
    from .notebooks import REPO_ROOT

    out = Path(args.out) if args.out else REPO_ROOT / "benchmarks"
    # the README's headline numbers follow the course's own report, never a --quick one
    readme = REPO_ROOT / "README.md" if out.resolve() == (REPO_ROOT / "benchmarks").resolve() else None
    if args.report:
        if not (out / "results.json").exists():
            print(f"k2tf bench: no {out / 'results.json'} yet: run `k2tf bench` first", file=sys.stderr)
            return 2
        print(f"wrote {write_report(out / 'results.json', readme=readme)}")
        return 0
    only = [s.strip() for s in args.only.split(",")] if args.only else None
    unknown = sorted(set(only or []) - set(SECTIONS))
    if unknown:
        print(f"k2tf bench: no benchmark {', '.join(unknown)}; choose from {', '.join(SECTIONS)}",
              file=sys.stderr)
        return 2
    settings = Settings.quick_settings() if args.quick else Settings()
    if args.quick and readme is not None:
        print("k2tf bench: --quick needs --out DIR (the course's report keeps full measurements)",
              file=sys.stderr)
        return 2
    report = bench(out=out, only=only, settings=settings, readme=readme,
                   log=lambda line: print(line, flush=True))
    print(f"wrote {report}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="k2tf",
        description="Tools of the course \"From Keras to TensorFlow\": release exercises from "
                    "solutions, check the environment, keep notebooks tidy.",
    )
    parser.add_argument("--version", action="version", version=f"k2tf {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("release", help="write exercises/ from solutions/ (--check: only compare)")
    p.add_argument("--check", action="store_true",
                   help="exit 1 if exercises/ is out of date; write nothing")
    p.add_argument("--root", default=".", help="the course's folder (default: here)")
    p.set_defaults(run=_cmd_release)

    p = sub.add_parser("format", help="normalise course notebooks (--check: only compare)")
    p.add_argument("paths", nargs="*", help="notebooks (default: every course notebook)")
    p.add_argument("--check", action="store_true", help="exit 1 if any notebook is not normalised")
    p.add_argument("--root", default=".", help="the course's folder (default: here)")
    p.set_defaults(run=_cmd_format)

    p = sub.add_parser("execute", help="run notebooks in a fresh course kernel and store their outputs")
    p.add_argument("paths", nargs="+", help="notebooks to run")
    p.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    p.set_defaults(run=_cmd_execute)

    p = sub.add_parser("doctor", help="check this machine: versions, devices, offline data")
    p.set_defaults(run=_cmd_doctor)

    p = sub.add_parser("install-kernel", help="install the course's Jupyter kernel (make setup runs it)")
    p.add_argument("--prefix", help="environment to install into (default: this one)")
    p.set_defaults(run=_cmd_install_kernel)

    p = sub.add_parser("questions", help="list graded questions, their points and what they check")
    p.add_argument("lesson", nargs="?", help="a lesson number such as 01 (default: all)")
    p.add_argument("--detail", action="store_true",
                   help="also say, per question, the names it defines, what the question fixes "
                        "and each thing its check verifies")
    p.set_defaults(run=_cmd_questions)

    from .grading.judge import DEFAULT_CELL_TIMEOUT, DEFAULT_MEMORY, DEFAULT_SUBMISSION_TIMEOUT

    p = sub.add_parser(
        "bench", help="measure how fast lessons run, the grader grades and the loops train",
        description="Run the benchmarks (lessons, grading, training loops, scaling, hand-ins, grading "
                    "on Dask) and write benchmarks/REPORT.md, its figures and the README's headline "
                    "numbers. Takes about an hour on 2 cores; the machine should be otherwise idle.")
    p.add_argument("--only", metavar="NAMES",
                   help="comma-separated benchmarks to measure again (loops, lessons, grading, scaling, "
                        "handins, dask); "
                        "the others are kept from results.json")
    p.add_argument("--report", action="store_true",
                   help="measure nothing: rewrite the report from results.json")
    p.add_argument("--quick", action="store_true",
                   help="tiny sizes that prove the benchmarks run (with --out); the numbers mean nothing")
    p.add_argument("--out", metavar="DIR", help="folder for results.json and the report (default: benchmarks/)")
    p.set_defaults(run=_cmd_bench)

    from .grading.exports import EXPORTS
    from .grading.feedback import HIDDEN_FEEDBACK
    from .grading.gradescope import VISIBILITIES
    from .grading.layouts import LAYOUTS
    from .grading.outline import DEFAULT_LESSON_URL

    p = sub.add_parser(
        "grade", help="grade submitted exercise notebooks into a gradebook and feedback pages",
        description="Grade notebooks: each submission is run alone in a fresh, limited kernel "
                    "against its solution. Reads folders, notebooks and zips, as Canvas, Moodle and "
                    "Gradescope deliver them or as <student>/<NN_topic>.ipynb. Writes gradebook.csv, "
                    "gradebook-wide.csv, summary.csv, report.html and "
                    "feedback/<student>__<exercise>.html under --out. Exit status: 0 when every "
                    "submission was graded, 1 when some could not be, 2 on bad usage or hand-ins "
                    "whose student cannot be told (they are listed).")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="a notebook, a zip, or a folder searched for notebooks and zips: a platform's "
                        "download, <student>/<NN_topic>.ipynb or <student>.ipynb")
    p.add_argument("--dry-run", action="store_true",
                   help="print who handed in which exercise, from where, and what would be graded; "
                        "grade and write nothing")
    p.add_argument("--roster", metavar="CSV",
                   help="a roster: the names to file grades under and each student's platform ids "
                        "(columns name, canvas_id, sis_user_id, sis_login_id, section, email, username, "
                        "id_number, sid, aliases; see k2tf/grading/roster.py)")
    p.add_argument("--layout", choices=LAYOUTS, default="auto",
                   help="how hand-ins are laid out (default: auto, each file by its own form)")
    p.add_argument("--export", action="append", default=[], metavar="PLATFORM",
                   help=f"also write the grades in a platform's import format: {', '.join(EXPORTS)} "
                        "(repeat, or separate with commas)")
    p.add_argument("--hidden-feedback", choices=HIDDEN_FEEDBACK, default="message",
                   help="what feedback pages show of hidden checks: what a failing one found "
                        "(message, default), only its points (points), or nothing (hidden)")
    p.add_argument("--lesson-url", default=DEFAULT_LESSON_URL, metavar="URL",
                   help="where feedback pages link for the lesson section of each question "
                        f"(default: make lab's JupyterLab, {DEFAULT_LESSON_URL})")
    p.add_argument("--out", default="grades", metavar="DIR", help="output folder (default: grades/)")
    p.add_argument("--jobs", type=_positive_int, default=None, metavar="N",
                   help="grade N submissions at once on this machine (default 1)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="grade on a running Dask cluster (`dask scheduler`, `dask worker` where the "
                        "course is installed); this machine only plans and writes the gradebook")
    p.add_argument("--cluster", metavar="local:N",
                   help="start a Dask cluster of N worker processes on this machine for this run")
    p.add_argument("--timeout", type=_positive_float, default=DEFAULT_CELL_TIMEOUT, metavar="SECONDS",
                   help=f"seconds one cell may run (default {DEFAULT_CELL_TIMEOUT})")
    p.add_argument("--submission-timeout", type=_positive_float, default=DEFAULT_SUBMISSION_TIMEOUT,
                   metavar="SECONDS",
                   help=f"seconds one whole submission may take (default {DEFAULT_SUBMISSION_TIMEOUT})")
    p.add_argument("--memory", type=_positive_float, default=DEFAULT_MEMORY / 2**20, metavar="MIB",
                   help=f"memory for one kernel in MiB (default {DEFAULT_MEMORY // 2**20})")
    p.add_argument("--hidden", metavar="DIR", help="folder of hidden checks (*.py) students never see")
    p.add_argument("--root", default=str(Path(__file__).resolve().parent.parent),
                   help="the course's folder, holding solutions/ (default: this course)")
    p.set_defaults(run=_cmd_grade)

    p = sub.add_parser(
        "progress", help="where you stand: each exercise's questions answered and passing",
        description="Grade your saved notebooks in exercises/ the way `k2tf grade` does and show, "
                    "for each exercise, which questions are answered and which pass. An exercise "
                    "you have not touched is not run; a result is kept (grades/.progress/) until "
                    "its notebook changes. It reads the files on disk: save in JupyterLab (Ctrl+S) "
                    "first.")
    p.add_argument("--details", action="store_true", help="also say why each failing answer fails")
    p.add_argument("--jobs", type=_positive_int, default=1, metavar="N",
                   help="grade N exercises at once (default 1)")
    p.add_argument("--root", default=str(Path(__file__).resolve().parent.parent),
                   help="the course's folder, holding exercises/ and solutions/ (default: this course)")
    p.set_defaults(run=_cmd_progress)

    p = sub.add_parser(
        "gradescope", help="build a Gradescope autograder zip that grades one exercise",
        description="Write a Gradescope autograder (setup.sh, run_autograder and the course) that "
                    "grades an exercise with the same grader as k2tf grade and reports each question "
                    "as a test in Gradescope's results.json.")
    p.add_argument("exercise", metavar="NN_topic", help="the exercise, such as 00_welcome")
    p.add_argument("--out", metavar="ZIP", help="where to write it (default: gradescope/NN_topic-autograder.zip)")
    p.add_argument("--hidden", metavar="DIR", help="folder of hidden checks (*.py) to grade with")
    p.add_argument("--hidden-visibility", choices=VISIBILITIES, default="after_published",
                   help="when students see the hidden checks' tests (default: after_published)")
    p.add_argument("--timeout", type=_positive_float, default=None, metavar="SECONDS",
                   help=f"seconds one cell may run (default {DEFAULT_CELL_TIMEOUT})")
    p.add_argument("--submission-timeout", type=_positive_float, default=None, metavar="SECONDS",
                   help=f"seconds one submission may take (default {DEFAULT_SUBMISSION_TIMEOUT})")
    p.add_argument("--memory", type=_positive_float, default=None, metavar="MIB",
                   help=f"memory for the kernel in MiB (default {DEFAULT_MEMORY // 2**20})")
    p.add_argument("--root", default=str(Path(__file__).resolve().parent.parent),
                   help="the course's folder, holding solutions/ (default: this course)")
    p.set_defaults(run=_cmd_gradescope)
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
