"""Grading throughput: ``make grade`` against nbgrader's own serial ``nbgrader autograde``, on
the same machine, in one run, on the same submissions (``--students`` per day, every day of
the course, a mix of complete, blank and partly wrong work), and the overhead per notebook
over a bare nbclient execution of the same notebook.

    python -m bench.grading [--students 20] [--workers N]
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from calcopt.instructor import grade, notebooks
from calcopt.instructor.config import STOCK_CONFIG
from calcopt.instructor.release import (REPO, build_sources, copy_course_root, generate_assignment,
                                      run_nbgrader, tool_env)



def submissions(students):
    """{(student, day, file name): notebook}: complete, blank and partly wrong, in turn."""
    made = {}
    for source in sorted((REPO / "autograder" / "source").glob("*/*.py")):
        day = source.parent.name
        released = nbformat.read(REPO / "course" / day / f"{source.stem}.ipynb", as_version=4)
        answers = notebooks.solution_answers(source)
        for number in range(students):
            kind = number % 3
            chosen = answers if kind == 0 else {} if kind == 1 else dict(list(answers.items())[::2])
            nb = nbformat.from_dict(released)
            for cell in nb.cells:
                if cell.id in chosen:
                    cell.source = chosen[cell.id]
            made[(f"student{number:02d}", day, f"{source.stem}.ipynb")] = nb
    return made


def submit(root, made):
    for (student, day, name), nb in made.items():
        path = root / "submitted" / student / day / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)


def regrade_one(root, made, workers):
    """Seconds of a plain `make grade` after one student changed one notebook."""
    (student, day, name), nb = next(iter(made.items()))
    changed = nbformat.from_dict(nb)
    changed.cells.append(nbformat.v4.new_markdown_cell("A note added after submitting."))
    nbformat.write(changed, root / "submitted" / student / day / name)
    start = time.monotonic()
    lines = []
    grade.grade(root, workers=workers, log=lines.append)
    graded = [line for line in lines if " graded in " in line]
    if len(graded) != 1:
        sys.exit(f"a regrade after one change graded {len(graded)} submissions")
    return time.monotonic() - start


def bare_execution(made, repeat):
    """Seconds per notebook of NotebookClient alone on complete submissions, per day."""
    import os

    os.environ.update(tool_env())
    times = {}
    for (student, day, _), nb in made.items():
        if student != "student00":
            continue
        runs = []
        for _ in range(repeat):
            copy = nbformat.from_dict(nb)
            with tempfile.TemporaryDirectory() as cwd:
                start = time.monotonic()
                NotebookClient(copy, timeout=120, kernel_name="python3", allow_errors=True,
                               resources={"metadata": {"path": cwd}}).execute()
                runs.append(time.monotonic() - start)
        times[day] = statistics.median(runs)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    made = submissions(args.students)
    count = len(made)
    print(f"{count} notebooks: {args.students} students x {len({d for _, d, _ in made})} days")
    with tempfile.TemporaryDirectory(prefix="calcopt-bench-") as scratch:
        ours = copy_course_root(Path(scratch) / "ours")
        submit(ours, made)
        start = time.monotonic()
        grade.grade(ours, workers=args.workers, log=lambda line: None)
        ours_seconds = time.monotonic() - start
        start = time.monotonic()
        lines = []
        grade.grade(ours, workers=args.workers, log=lines.append, force=True)
        ours_warm = time.monotonic() - start
        regrade_seconds = regrade_one(ours, made, args.workers)
        in_worker = {}
        for line in lines:
            student = line.split("/", 1)[0]
            if " graded in " in line and int(student[len("student"):]) % 3 == 0:  # complete work
                day = line.split("/", 1)[1].split(":", 1)[0]
                in_worker.setdefault(day, []).append(float(line.split(" graded in ")[1].split(" s ")[0]))

        stock = copy_course_root(Path(scratch) / "stock", STOCK_CONFIG)
        submit(stock, made)
        start = time.monotonic()
        days = build_sources(stock)
        for day in days:
            generate_assignment(stock, day)
            result = run_nbgrader(["autograde", day, "--force"], stock)
            if result.returncode != 0:
                sys.exit(f"nbgrader autograde {day} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
        stock_seconds = time.monotonic() - start
        bare = bare_execution(made, repeat=2)

    per_notebook = {"make grade (answer keys built)": ours_seconds / count,
                    "make grade (answer keys cached)": ours_warm / count,
                    "nbgrader autograde, serial": stock_seconds / count}
    print("throughput (notebooks per minute, and as a multiple of serial nbgrader autograde):")
    for name, seconds in per_notebook.items():
        print(f"  {name:<34} {60 / seconds:6.1f} /min  {per_notebook['nbgrader autograde, serial'] / seconds:5.2f}x")
    bare_mean = statistics.mean(bare.values())
    print("bare nbclient execution of a complete notebook, median of 2, per day: "
          + ", ".join(f"{day} {seconds:.1f} s" for day, seconds in bare.items()))
    for day, seconds in sorted(in_worker.items()):
        print(f"  {day}: one submission in a worker, median {statistics.median(seconds):.1f} s "
              f"= {statistics.median(seconds) / bare[day]:.2f}x its bare execution")
    print(f"one changed submission among {count}: make grade took {regrade_seconds:.0f} s, "
          f"{regrade_seconds / ours_warm:.3f}x the full grade ({ours_warm:.0f} s); at the same pace a "
          f"class of 150 on every day would take {ours_warm / args.students * 150 / 60:.0f} min here")
    print(f"wall time per notebook over bare execution: make grade {per_notebook['make grade (answer keys cached)'] / bare_mean:.2f}x "
          f"(with {args.workers or 'one per core'} workers), nbgrader serial {per_notebook['nbgrader autograde, serial'] / bare_mean:.2f}x")


if __name__ == "__main__":
    main()
