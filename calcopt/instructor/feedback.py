"""Feedback from the course gradebook: hand-given scores, comments and late penalties included.

``make grade`` writes each student's feedback as it grades, from the autograder's scores. A
submission whose gradebook entry holds more (a score or comment given in formgrader, extra
credit, a late penalty) gets its feedback built again here from the gradebook, as
``nbgrader generate_feedback`` builds it, with the course's feedback preprocessors (hidden
tests not shown). After grading by hand in formgrader:

    make feedback [DAY=day03_convexity] [STUDENT=alice]

(which also writes grades.csv again), then ``nbgrader release_feedback <day>`` in ``autograder/`` hands it to the students.
"""
import argparse
import os
import sys
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from . import gradebook
from .config import course_config
from .release import REPO, tool_env


def from_gradebook(root, db_url, pairs, log=print):
    """Build the feedback of each (student, day) in ``pairs`` from the gradebook at ``db_url``,
    into ``<root>/feedback/<student>/<day>/``; returns {(student, day): error} for failures."""
    os.environ.update(tool_env())
    config = Config(course_config(root))
    config.CourseDirectory.db_url = db_url
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    failed = {}
    for student, day in sorted(pairs):
        outcome = api.generate_feedback(day, student, force=True)
        if outcome["success"]:
            log(f"{student}/{day}: feedback from the gradebook")
        else:
            text = (outcome.get("error") or outcome.get("log") or "no output").strip()
            failed[(student, day)] = text.splitlines()[-1]
    return failed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=REPO / "autograder", type=Path, help="nbgrader course root")
    parser.add_argument("--day", action="append", help="only this day (may be repeated)")
    parser.add_argument("--student", action="append", help="only this student (may be repeated)")
    args = parser.parse_args(argv)
    db_url = os.environ.get("CALCOPT_DB") or gradebook.default_url(args.root)
    pairs = {(student, day) for student, day in gradebook.graded(db_url)
             if (not args.day or day in args.day) and (not args.student or student in args.student)
             and (args.root / "autograded" / student / day).is_dir()}
    if not pairs:
        sys.exit("no graded submission matches: run `make grade` first")
    failed = from_gradebook(args.root, db_url, pairs)
    for (student, day), error in sorted(failed.items()):
        print(f"NOTE {student}/{day}: feedback failed ({error})", file=sys.stderr)
    gradebook.export_grades(args.root, db_url)
    print(f"feedback for {len(pairs) - len(failed)} submissions in {args.root / 'feedback'}, "
          f"grades in {args.root / 'grades.csv'}")


if __name__ == "__main__":
    main()
