"""`make grade` honours the course's due dates and late-penalty setting as `nbgrader autograde`
does, the same way on every run, and keeps what nbgrader's later steps need."""
import csv

import pytest

from calcopt.instructor import grade
from calcopt.instructor.release import run_nbgrader
from conftest import scratch_course_root
from submissions import DAY, fill, solution_sources, student_notebook, submit

pytestmark = pytest.mark.slow

DUE = "2026-11-20 12:00:00 UTC"


def submit_at(root, student, when):
    path = submit(root, student, fill(student_notebook(), solution_sources()))
    (path.parent / "timestamp.txt").write_text(when)
    (path.parent / "submission_secret.txt").write_text("written by nbgrader submit")


@pytest.fixture(scope="module")
def graded_twice(tmp_path_factory):
    root = scratch_course_root(tmp_path_factory.mktemp("late"))
    with open(root / "nbgrader_config.py", "a") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    added = run_nbgrader(["db", "assignment", "add", DAY, f"--duedate={DUE}"], root)
    assert added.returncode == 0, added.stderr
    submit_at(root, "on_time", "2026-11-20 11:59:00.000000 UTC")
    submit_at(root, "late", "2026-11-20 12:30:00.000000 UTC")
    runs = []
    for _ in range(2):
        problems = grade.grade(root, settings={"timeout": 60}, log=lambda _: None)
        with open(root / "grades.csv", newline="") as file:
            runs.append({row["student_id"]: row for row in csv.DictReader(file)})
    return root, problems, runs


def test_a_late_submission_gets_the_courses_penalty_and_an_on_time_one_none(graded_twice):
    _, _, runs = graded_twice
    for rows in runs:  # the same on every run
        assert float(rows["on_time"]["score"]) == float(rows["on_time"]["max_score"]) > 0
        assert float(rows["on_time"]["late_submission_penalty"]) == 0.0
        assert float(rows["late"]["raw_score"]) == float(rows["late"]["max_score"])
        assert float(rows["late"]["late_submission_penalty"]) == float(rows["late"]["raw_score"])
        assert float(rows["late"]["score"]) == 0.0


def test_nbgraders_own_files_are_not_extra_files_and_feedback_can_be_released(graded_twice):
    root, problems, _ = graded_twice
    assert not problems, problems
    for student in ("on_time", "late"):
        assert (root / "feedback" / student / DAY / "timestamp.txt").exists()
    exchange = root / "exchange"
    exchange.mkdir(mode=0o777, exist_ok=True)
    exchange.chmod(0o777)  # nbgrader's exchange is writable by everyone in the course
    released = run_nbgrader(["release_feedback", DAY, "--Exchange.root", str(root / "exchange"),
                             "--CourseDirectory.root", str(root)], root)
    assert released.returncode == 0, released.stdout + released.stderr
