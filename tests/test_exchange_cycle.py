"""A class's whole cycle through nbgrader's exchange, with `make grade` as the grading engine.

The instructor releases Day 3 through the exchange; three students fetch it, answer it and
submit (bob after the due date); the instructor collects and runs `make grade`, grades the
written answer by hand with a comment (as formgrader does, in the gradebook), rebuilds the
feedback and releases it; each student fetches theirs. Then carol submits again and a second
`make grade` grades only her new submission.
"""
import csv
import os
import subprocess
import sys
import time
from datetime import datetime, timezone

import nbformat
import pytest
from nbgrader.api import Gradebook

from calcopt.instructor import feedback, grade, gradebook
from calcopt.instructor.release import run_nbgrader, tool_env
from conftest import scratch_course_root
from submissions import solution_sources, wrong

pytestmark = pytest.mark.slow

DAY, NOTEBOOK = "day03_convexity", "convexity"
WRITTEN = "max_stable_lr_explained"
COMMENT = "Right about 2/L; say why the smallest eigenvalue sets the speed."
STUDENTS = ("alice", "bob", "carol")


def nbgrader(args, cwd, **env):
    """An nbgrader command as a student or the instructor runs it, in ``cwd``."""
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, capture_output=True,
                          text=True, env={**tool_env(), **env})
    assert done.returncode == 0, f"nbgrader {' '.join(args)}:\n{done.stdout}{done.stderr}"
    return done


def instructor(args, root):
    done = run_nbgrader(args, root)
    assert done.returncode == 0, f"nbgrader {' '.join(args)}:\n{done.stdout}{done.stderr}"


class Student:
    def __init__(self, name, homes, exchange):
        self.name, self.home = name, homes / name
        self.home.mkdir(parents=True)
        (self.home / "nbgrader_config.py").write_text(
            f"c = get_config()\nc.CourseDirectory.course_id = 'calcopt'\n"
            f"c.Exchange.root = {str(exchange)!r}\n")
        self.env = {"HOME": str(self.home), "JUPYTER_DATA_DIR": str(self.home / ".jupyter-data")}

    def run(self, *args):
        return nbgrader([*args, "--student", self.name], self.home, **self.env)

    def fetch(self):
        nbgrader(["fetch_assignment", DAY], self.home, **self.env)

    def answer(self, written, wrong_first_exercise=False):
        path = self.home / DAY / f"{NOTEBOOK}.ipynb"
        nb = nbformat.read(path, as_version=4)
        answers = dict(solution_sources(DAY), **{WRITTEN: written})
        if wrong_first_exercise:
            answers["gradient_descent"] = wrong(answers["gradient_descent"])
        for cell in nb.cells:
            if cell.id in answers:
                cell.source = answers[cell.id]
        nbformat.write(nb, path)

    def submit(self):
        self.run("submit", DAY)

    def feedback_page(self):
        self.run("fetch_feedback", DAY)
        pages = sorted((self.home / DAY / "feedback").glob(f"*/{NOTEBOOK}.html"))
        assert pages, f"{self.name} received no feedback"
        return pages[-1].read_text()


def set_due_date(root, when):
    with Gradebook(gradebook.default_url(root), "calcopt") as book:
        book.update_or_create_assignment(DAY, duedate=when)


def grade_by_hand(root, student, score, comment):
    """What a grader does in formgrader: a score for the written answer, and a comment on it."""
    with Gradebook(gradebook.default_url(root), "calcopt") as book:
        written = book.find_grade(WRITTEN, NOTEBOOK, DAY, student)
        written.manual_score, written.needs_manual_grade = score, False
        book.find_comment(WRITTEN, NOTEBOOK, DAY, student).manual_comment = comment
        book.db.commit()


def rows(root):
    with open(root / "grades.csv", newline="") as file:
        return {row["student_id"]: row for row in csv.DictReader(file)}


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cycle")
    root = scratch_course_root(tmp)
    exchange = tmp / "exchange"
    exchange.mkdir(mode=0o777)
    with open(root / "nbgrader_config.py", "a") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n'
                     "c.CollectApp.check_owner = False  # one machine user plays every student\n")
    os.environ["CALCOPT_EXCHANGE"] = str(exchange)
    try:
        yield run_cycle(root, tmp, exchange)
    finally:
        os.environ.pop("CALCOPT_EXCHANGE", None)


def run_cycle(root, tmp, exchange):
    grade.build_sources(root, only=[DAY])
    instructor(["generate_assignment", DAY, "--force"], root)
    instructor(["release_assignment", DAY, "--force"], root)
    students = {name: Student(name, tmp / "homes", exchange) for name in STUDENTS}
    for student in students.values():
        student.fetch()
    students["alice"].answer("Along the top eigenvector the factor is 1 - lr L ...")
    students["carol"].answer("", wrong_first_exercise=True)
    students["bob"].answer("I do not know.")
    for name in ("alice", "carol"):
        students[name].submit()
    time.sleep(1.1)  # nbgrader's timestamps: the due date falls strictly between
    set_due_date(root, datetime.now(timezone.utc).replace(tzinfo=None))
    time.sleep(1.1)
    students["bob"].submit()
    instructor(["collect", DAY], root)

    first_log, started = [], time.monotonic()
    first = grade.grade(root, settings={"timeout": 120}, log=first_log.append)
    first_seconds = time.monotonic() - started
    grade_by_hand(root, "alice", 1.5, COMMENT)
    feedback.main(["--root", str(root), "--day", DAY])  # make feedback DAY=...
    alice_feedback = (root / "feedback" / "alice" / DAY / f"{NOTEBOOK}.html").read_bytes()
    instructor(["release_feedback", DAY], root)
    grades = rows(root)
    pages = {name: student.feedback_page() for name, student in students.items()}

    students["carol"].answer("The top eigenvalue caps the step.")  # now right, and late
    students["carol"].submit()
    instructor(["collect", "--update", DAY], root)
    second_log, started = [], time.monotonic()
    second = grade.grade(root, settings={"timeout": 120}, log=second_log.append)
    second_seconds = time.monotonic() - started
    print(f"\nexchange cycle: first make grade {first_seconds:.0f} s for {len(STUDENTS)} submissions, "
          f"second {second_seconds:.0f} s for the one that changed")
    return {"root": root, "grades": grades, "first": first, "second": second, "first_log": first_log,
            "second_log": second_log, "pages": pages, "alice_feedback": alice_feedback}


def graded_in(log):
    return sorted(line.split(":")[0] for line in log if ": graded in " in line)


def test_every_student_is_graded_once_and_the_written_answer_waits_for_a_grader(cycle):
    assert graded_in(cycle["first_log"]) == [f"{name}/{DAY}" for name in STUDENTS]
    report = (cycle["root"] / "report" / "report.md").read_text()
    assert "manual" in report.lower() and WRITTEN in report


def test_the_late_penalty_and_the_hand_given_score_are_in_grades_csv(cycle):
    grades = cycle["grades"]
    alice, bob, carol = (grades[name] for name in STUDENTS)
    assert float(alice["late_submission_penalty"]) == 0.0
    assert float(alice["score"]) == float(alice["max_score"]) - 2 + 1.5  # 1.5 of the written 2
    assert float(bob["raw_score"]) > 0 and float(bob["late_submission_penalty"]) == float(bob["raw_score"])
    assert float(bob["score"]) == 0.0
    assert float(carol["late_submission_penalty"]) == 0.0 and float(carol["score"]) < float(alice["score"])


def test_each_student_gets_back_feedback_with_the_penalty_score_and_comment(cycle):
    pages = cycle["pages"]
    assert COMMENT in pages["alice"] and "1.5" in pages["alice"]
    assert COMMENT not in pages["bob"] and COMMENT not in pages["carol"]
    assert "Late submission penalty" in pages["bob"] and "Late submission penalty" not in pages["alice"]
    for page in pages.values():
        assert "(hidden tests: not shown)" in page and "hidden_rng(" not in page


def test_a_second_make_grade_grades_only_the_submission_that_changed(cycle):
    assert graded_in(cycle["second_log"]) == [f"carol/{DAY}"]
    root = cycle["root"]
    # alice's hand-given score and the feedback built from it are kept
    assert (root / "feedback" / "alice" / DAY / f"{NOTEBOOK}.html").read_bytes() == cycle["alice_feedback"]
    with Gradebook(gradebook.default_url(root), "calcopt") as book:
        assert book.find_grade(WRITTEN, NOTEBOOK, DAY, "alice").manual_score == 1.5
    carol = rows(root)["carol"]  # right this time (the written answer not graded yet), and late
    assert float(carol["raw_score"]) == float(carol["max_score"]) - 2
    assert float(carol["late_submission_penalty"]) == float(carol["raw_score"])
    assert cycle["first"] == cycle["second"] == {}
