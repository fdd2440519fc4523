"""Check one day's source the way the tests do, without touching the course root.

    python -m calcopt.instructor.checkday autograder/source/day01_derivatives/derivatives.py

1. The source notebook (solutions and hidden tests in) runs top to bottom; no grade cell
   prints to stderr; the time of the whole run and of the slowest grade cells is shown, and
   must stay within the limits: 45 s in all (``--limit``, or ``$CALCOPT_NOTEBOOK_SECONDS``
   on a machine busy with other work) and 5 s per grade cell (``--grade-cell-limit``).
2. The student view (solutions and hidden tests stripped, as nbgrader does) runs with
   errors allowed, and every grade cell fails.
"""
import argparse
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

from . import notebooks
from .release import execute

# The defaults of --grade-cell-limit and --limit: what a laptop's CPU must manage.
GRADE_CELL_SECONDS = 5
NOTEBOOK_SECONDS = 45
LIMIT_VARIABLE = "CALCOPT_NOTEBOOK_SECONDS"  # overrides NOTEBOOK_SECONDS as --limit's default


def student_view(nb):
    """Solutions replaced by the stub and hidden tests removed, as generate_assignment does."""
    nb = nbformat.from_dict(nb)
    resources = {}
    nb, resources = ClearSolutions(code_stub=notebooks.CODE_STUB).preprocess(nb, resources)
    nb, resources = ClearHiddenTests().preprocess(nb, resources)
    return nb


def run(nb, cwd, allow_errors=False):
    """Execute in a fresh kernel; returns (notebook, seconds per cell id, total seconds)."""
    start = time.perf_counter()
    execute(nb, cwd, allow_errors=allow_errors)
    total = time.perf_counter() - start
    return nb, {cell.id: _cell_seconds(cell) for cell in nb.cells if cell.cell_type == "code"}, total


def _cell_seconds(cell):
    timing = cell.metadata.get("execution", {})
    began, ended = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (began and ended):
        return 0.0
    return (_parse_time(ended) - _parse_time(began)).total_seconds()


def _parse_time(stamp):
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def grade_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code" and utils.is_grade(cell)]


def failed(cell):
    """True when a cell raised (its outputs hold an error)."""
    return any(output.output_type == "error" for output in cell.outputs)


def stderr_text(cell):
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr")


def check_source(path, workdir):
    """Problems found in the full notebook (empty when all is well), the timings and total."""
    nb, seconds, total = run(notebooks.read_source(path), workdir)
    problems = [f"grade cell {cell.id} wrote to stderr: {stderr_text(cell)[:300]}"
                for cell in grade_cells(nb) if stderr_text(cell)]
    return problems, seconds, total


def check_student(path, workdir):
    """Grade cells of the student view that did not fail (empty when all fail)."""
    nb, _, _ = run(student_view(notebooks.read_source(path)), workdir, allow_errors=True)
    return [cell.id for cell in grade_cells(nb) if not failed(cell)]


def arguments(argv=None, environ=None):
    """The command line: the source and the time limits, in seconds."""
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    try:
        limit = float(environ.get(LIMIT_VARIABLE) or NOTEBOOK_SECONDS)
    except ValueError:
        parser.error(f"${LIMIT_VARIABLE} must be a number of seconds, not {environ[LIMIT_VARIABLE]!r}")
    parser.add_argument("--limit", type=float, metavar="SECONDS", default=limit,
                        help=f"the full notebook's time limit (default: ${LIMIT_VARIABLE}, "
                             f"else {NOTEBOOK_SECONDS})")
    parser.add_argument("--grade-cell-limit", type=float, metavar="SECONDS", default=GRADE_CELL_SECONDS,
                        help=f"each grade cell's time limit (default: {GRADE_CELL_SECONDS})")
    return parser.parse_args(argv)


def timing_problems(seconds, total, grade_ids, limit=NOTEBOOK_SECONDS, cell_limit=GRADE_CELL_SECONDS):
    """The time limits broken, one line each (empty when all is well)."""
    problems = [f"grade cell {g} took {seconds[g]:.1f} s, over {cell_limit:g} s"
                for g in grade_ids if seconds.get(g, 0) > cell_limit]
    if total > limit:
        problems.append(f"the full notebook took {total:.1f} s, over {limit:g} s")
    return problems


def main(argv=None):
    args = arguments(argv)
    nb = notebooks.read_source(args.source)
    grade_ids = [cell.id for cell in grade_cells(nb)]
    with tempfile.TemporaryDirectory() as workdir:
        try:
            problems, seconds, total = check_source(args.source, workdir)
        except Exception as error:  # the cell's traceback is in the message
            print(f"FAIL: the full notebook does not run:\n{error}")
            return 1
        print(f"full notebook ran in {total:.1f} s (limit {args.limit:g} s)")
        for grade_id in sorted(grade_ids, key=lambda g: -seconds.get(g, 0))[:5]:
            print(f"  grade cell {grade_id}: {seconds.get(grade_id, 0):.2f} s")
        problems += timing_problems(seconds, total, grade_ids, args.limit, args.grade_cell_limit)
        for problem in problems:
            print(f"FAIL: {problem}")
        passing = check_student(args.source, workdir)
        if passing:
            print(f"FAIL: these grade cells pass in the student view: {passing}")
        else:
            print(f"student view: all {len(grade_ids)} grade cells fail, as they should")
    ok = not problems and not passing
    print("OK" if ok else "NOT OK")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
