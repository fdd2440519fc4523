"""Grade other answers to a day's exercises as the grader would, without a course root:
to check that a wrong answer loses points and a correct alternative keeps them.

    python -m calcopt.instructor.tryanswer autograder/source/day01_derivatives/derivatives.py \\
        forward_difference=wrong_forward.py [other_id=file.py ...]

Each FILE replaces the solution cell of that grade id (the whole cell: the function with its
body). The notebook, with the hidden tests, runs in a confined grading kernel; every grade
cell is then judged against the answer key of the reference solution, outside the kernel,
exactly as ``make grade`` does. Prints one line per grade cell: its points, or why it lost them.
"""
import argparse
import sys
import tempfile
from pathlib import Path

from traitlets.config import Config

from . import assignments, notebooks, verify
from .config import course_config
from .preprocessors import GradingExecute


def try_answers(source, answers, hidden_seed=""):
    """{grade cell id: (points earned, points, problem or None)} for ``answers``
    ({solution cell id: code}) in place of the reference solutions of ``source``."""
    nb = notebooks.read_source(source)
    unknown = set(answers) - {cell.id for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("solution")}
    if unknown:
        raise SystemExit(f"{source}: no solution cell {sorted(unknown)}")
    with tempfile.TemporaryDirectory(prefix="calcopt-try-") as scratch:
        reference = Path(scratch) / f"{Path(source).stem}.ipynb"
        notebooks.write(nb, reference)
        key = assignments.answer_key(reference, hidden_seed=hidden_seed)
        for cell in nb.cells:
            if cell.id in answers:
                cell.source = answers[cell.id]
        executor = GradingExecute(config=Config(course_config(scratch)), hidden_seed=hidden_seed)
        executor.preprocess(nb, {"metadata": {"path": scratch}})
    failures = verify.apply_key(nb, key)
    results = {}
    for cell in verify.grade_cells(nb):
        grade_id, points = cell.metadata["nbgrader"]["grade_id"], cell.metadata["nbgrader"]["points"]
        errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
        problem = failures.get(grade_id) or (errors[0] if errors else None)
        results[grade_id] = (0 if problem else points, points, problem)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("answers", nargs="+", metavar="GRADE_ID=FILE")
    args = parser.parse_args(argv)
    answers = {}
    for item in args.answers:
        grade_id, _, path = item.partition("=")
        answers[grade_id] = Path(path).read_text()
    for grade_id, (earned, points, problem) in try_answers(args.source, answers).items():
        print(f"{grade_id}: {earned}/{points}" + (f"  ({problem[:300]})" if problem else ""))


if __name__ == "__main__":
    sys.exit(main())
