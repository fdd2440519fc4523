"""``make grade``: grade every submission present and write grades, feedback and a report.

Submissions arrive in nbgrader's layout, ``<root>/submitted/<student>/<day>/<notebook>.ipynb``.
The steps, in order:
1. build the day's sources and ``nbgrader generate_assignment`` it, so the gradebook knows
   the day's cells and points;
2. for each submission: register the student, check every notebook parses, then
   ``nbgrader autograde`` and ``nbgrader generate_feedback`` (feedback HTML lands in
   ``<root>/feedback/<student>/<day>/``);
3. ``nbgrader export`` to ``<root>/grades.csv``: one row per student and day;
4. the instructor report: pass rate per test and the score distribution, in ``<root>/report/``.

A submission that cannot be graded is named with the reason, and the others are graded all
the same: the command still exits 0 once grades.csv is written.
"""
import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import report
from .release import REPO, build_sources, generate_assignment, run_nbgrader


@dataclass
class Submission:
    student: str
    day: str
    path: Path
    problems: list = field(default_factory=list)

    @property
    def name(self):
        return f"{self.student}/{self.day}"


def find_submissions(root, days):
    """Every ``submitted/<student>/<day>/`` directory; unknown days are reported, not graded."""
    found = []
    for student_dir in sorted(p for p in (Path(root) / "submitted").glob("*") if p.is_dir()):
        for day_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
            submission = Submission(student_dir.name, day_dir.name, day_dir)
            if day_dir.name not in days:
                submission.problems.append(f"{day_dir}: no assignment named {day_dir.name!r}")
            found.append(submission)
    return found


def unreadable_notebooks(submission):
    """Problems with the submitted notebooks themselves, each naming the file."""
    problems = []
    notebooks = sorted(submission.path.glob("*.ipynb"))
    if not notebooks:
        problems.append(f"{submission.path}: no notebook submitted")
    for path in notebooks:
        try:
            nbformat.validate(nbformat.read(path, as_version=4))
        except Exception as error:  # JSON, schema and encoding errors all mean "cannot grade"
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            problems.append(f"{path}: not a readable notebook ({reason})")
    return problems


def _last_error(text):
    """The last line of nbgrader's output that names an error, or else its last line."""
    lines = text.strip().splitlines() or ["no output"]
    errors = [line for line in lines if "[ERROR]" in line or "Error" in line]
    return (errors or lines)[-1].strip()


def grade_submission(root, submission):
    """Autograde one submission and write its feedback; problems go on the submission."""
    run_nbgrader(["db", "student", "add", submission.student], root)
    submission.problems += unreadable_notebooks(submission)
    args = [submission.day, "--student", submission.student, "--force"]
    for step in ("autograde", "generate_feedback"):
        if submission.problems:
            return
        result = run_nbgrader([step, *args], root)
        if result.returncode != 0:
            submission.problems.append(
                f"{step} {submission.name} failed: {_last_error(result.stdout + result.stderr)}")


def grade(root, log=print):
    """Grade everything present under ``root``; returns the submissions with their problems."""
    root = Path(root)
    days = build_sources(root)
    submissions = find_submissions(root, days)
    for day in sorted({s.day for s in submissions if s.day in days}):
        generate_assignment(root, day)
    for submission in submissions:
        if not submission.problems:
            log(f"grading {submission.name}")
            grade_submission(root, submission)
    result = run_nbgrader(["export", "--to", "grades.csv"], root)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader export failed:\n{result.stdout}{result.stderr}")
    not_graded = {(s.student, s.day): s.problems for s in submissions if s.problems}
    report.write(root, root / "report", not_graded)
    return submissions


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=REPO / "autograder", type=Path, help="nbgrader course root")
    args = parser.parse_args(argv)
    submissions = grade(args.root)
    failed = [s for s in submissions if s.problems]
    print(f"graded {len(submissions) - len(failed)} of {len(submissions)} submissions; "
          f"grades in {args.root / 'grades.csv'}, report in {args.root / 'report'}")
    for submission in failed:
        for problem in submission.problems:
            print(f"NOT GRADED {submission.name}: {problem}", file=sys.stderr)


if __name__ == "__main__":
    main()
