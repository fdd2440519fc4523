"""`make grade` end to end through real nbgrader: correct, blank and partly wrong submissions
get full, zero and partial marks, with feedback written; a broken notebook and one whose
kernel dies are named, and the others are graded all the same."""
import csv
import re

import nbformat
import pytest

from calcopt.instructor import grade, notebooks
from conftest import REPO, scratch_course_root

pytestmark = pytest.mark.slow

DAY = "day01_derivatives"
NOTEBOOK = "derivatives.ipynb"


def solution_sources(day):
    """{grade_id: solution code (markers removed)} for each exercise of the day."""
    source = next((REPO / "autograder" / "source" / day).glob("*.py"))
    nb = notebooks.to_solution(notebooks.read_source(source))
    raw = notebooks.read_source(source)
    return {cell.id: sol.source for cell, sol in zip(raw.cells, nb.cells)
            if cell.metadata.get("nbgrader", {}).get("solution")}


def student_notebook():
    return nbformat.read(REPO / "course" / DAY / NOTEBOOK, as_version=4)


def fill(nb, answers):
    for cell in nb.cells:
        if cell.id in answers:
            cell.source = answers[cell.id]
    return nb


def wrong(source):
    """The same function, answering 0.0 whatever it is given."""
    header = re.match(r"(?s)(.*?def \w+\(.*?\):\n(?:\s+\"\"\".*?\"\"\"\n)?)", source).group(1)
    return header + "    return 0.0\n"


def submit(root, student, nb=None, text=None):
    path = root / "submitted" / student / DAY / NOTEBOOK
    path.parent.mkdir(parents=True)
    if text is not None:
        path.write_text(text)
    else:
        nbformat.write(nb, path)


def points_of(grade_id):
    source = next((REPO / "autograder" / "source" / DAY).glob("*.py"))
    cell = next(c for c in notebooks.read_source(source).cells if c.id == f"{grade_id}_tests")
    return cell.metadata["nbgrader"]["points"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = scratch_course_root(tmp_path_factory.mktemp("grading"))
    answers = solution_sources(DAY)
    first = next(iter(answers))
    partly = dict(answers, **{first: wrong(answers[first])})
    submit(root, "correct", fill(student_notebook(), answers))
    submit(root, "blank", student_notebook())
    submit(root, "partly_wrong", fill(student_notebook(), partly))
    submit(root, "broken", text='{"cells": [')
    submit(root, "kernel_dies", fill(student_notebook(), {first: "import os\nos._exit(1)"}))
    submissions = grade.grade(root, log=lambda _: None)
    with open(root / "grades.csv") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    return root, submissions, rows, first


def test_one_row_per_student_with_nbgrader_export_columns(graded):
    _, _, rows, _ = graded
    assert sorted(rows) == ["blank", "broken", "correct", "kernel_dies", "partly_wrong"]
    assert {"assignment", "student_id", "raw_score", "score", "max_score"} <= set(next(iter(rows.values())))
    assert all(row["assignment"] == DAY for row in rows.values())


def test_correct_blank_and_partly_wrong_get_full_zero_and_partial_marks(graded):
    _, _, rows, first = graded
    max_score = float(rows["correct"]["max_score"])
    assert max_score > 0
    assert float(rows["correct"]["score"]) == max_score
    assert float(rows["blank"]["score"]) == 0.0
    assert float(rows["partly_wrong"]["score"]) == max_score - points_of(first)


def test_a_broken_submission_is_named_and_the_others_are_graded(graded):
    _, submissions, rows, _ = graded
    problems = {s.student: s.problems for s in submissions}
    assert problems["correct"] == problems["blank"] == problems["partly_wrong"] == []
    assert len(problems["broken"]) == 1 and "broken/day01_derivatives/derivatives.ipynb" in problems["broken"][0]
    assert "not a readable notebook" in problems["broken"][0]
    assert float(rows["broken"]["score"]) == 0.0


def test_a_kernel_that_dies_is_named_and_scores_zero(graded):
    _, submissions, rows, _ = graded
    problems = next(s.problems for s in submissions if s.student == "kernel_dies")
    assert len(problems) == 1 and "autograde kernel_dies/day01_derivatives failed" in problems[0]
    assert "Kernel died" in problems[0]
    assert float(rows["kernel_dies"]["score"]) == 0.0


def test_feedback_is_written_for_every_graded_submission(graded):
    root, _, _, first = graded
    for student in ["correct", "blank", "partly_wrong"]:
        html = (root / "feedback" / student / DAY / NOTEBOOK.replace(".ipynb", ".html")).read_text()
        assert "Score:" in html or "score" in html.lower()
    assert not (root / "feedback" / "broken").exists()
    assert not (root / "feedback" / "kernel_dies").exists()


def test_the_instructor_report_gives_pass_rates_and_a_score_plot(graded):
    root, _, _, first = graded
    report = (root / "report" / "report.md").read_text()
    assert "3 submissions graded" in report
    assert "- kernel_dies/day01_derivatives: autograde" in report
    assert "- broken/day01_derivatives:" in report
    # the wrongly answered exercise is passed by the correct submission only
    assert re.search(rf"\| {first}_tests \| 1/3 \(33%\) \|", report), report
    assert (root / "report" / "scores.png").stat().st_size > 1000
