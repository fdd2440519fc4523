"""`make grade` end to end through real nbgrader: honest work gets exactly its marks, every
kind of bad input is named in one line and costs only its own notebook, feedback and the
report are written, and grading twice gives the same gradebook."""
import csv
import re

import nbformat
import pytest
from nbgrader.api import Gradebook

from calcopt.instructor import grade
from conftest import scratch_course_root
from submissions import (DAY, NOTEBOOK, exercise_ids, fill, points_of, solution_sources,
                         student_notebook, submit, wrong)

pytestmark = pytest.mark.slow

SETTINGS = {"timeout": 60}
TIMESTAMP = "2026-11-20 10:00:00.000000 UTC"  # as nbgrader's collect writes it


def read_grades(root):
    with open(root / "grades.csv") as f:
        return {(row["student_id"], row["assignment"]): row for row in csv.DictReader(f)}


def cell_scores(root, student, day=DAY):
    """{grade cell: score} of one submission, read from the gradebook."""
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(NOTEBOOK[:-6], day, student)
        return {g.name: g.score for g in notebook.grades}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = scratch_course_root(tmp_path_factory.mktemp("grading"))
    answers = solution_sources()
    first, second = exercise_ids()[:2]
    correct = fill(student_notebook(), answers)
    submit(root, "correct", correct)
    submit(root, "blank", student_notebook())
    submit(root, "partly_wrong", fill(student_notebook(), dict(answers, **{first: wrong(answers[first])})))
    submit(root, "broken", text='{"cells": [')
    accented = fill(student_notebook(), answers)
    accented.cells.insert(0, nbformat.v4.new_markdown_cell("D\u00e9riv\u00e9es"))
    submit(root, "latin1", text=nbformat.writes(accented).encode("latin-1"))
    submit(root, "renamed", correct, name="derivatives-Copy1.ipynb")
    submit(root, "extra_file", correct)
    (root / "submitted" / "extra_file" / DAY / "notes.txt").write_text("my notes")
    (root / "submitted" / "extra_file" / DAY / "timestamp.txt").write_text(TIMESTAMP)
    submit(root, "wrong_folder", correct, day="day1")
    submit(root, "other_day", student_notebook("day02_gradients"), name="gradients.ipynb")
    huge = fill(student_notebook(), answers)
    huge.cells[0].outputs = [nbformat.v4.new_output("stream", text="x" * (6 << 20))]
    huge.cells[0].cell_type, huge.cells[0].execution_count = "code", None
    submit(root, "huge_outputs", huge)
    submit(root, "dies_midway", fill(student_notebook(), dict(answers, **{second: "import os\nos._exit(1)"})))
    problems = grade.grade(root, settings=SETTINGS, log=lambda _: None)
    return root, problems, read_grades(root), first, second


def test_one_row_per_student_and_day_with_nbgrader_export_columns(graded):
    root, _, rows, _, _ = graded
    students = {student for student, _ in rows}
    assert students == {"correct", "blank", "partly_wrong", "broken", "latin1", "renamed",
                        "extra_file", "huge_outputs", "dies_midway", "other_day"}
    assert {"assignment", "student_id", "raw_score", "score", "max_score"} <= set(next(iter(rows.values())))
    assert all(day == DAY for _, day in rows)


def test_honest_work_gets_exactly_its_marks(graded):
    _, _, rows, first, _ = graded
    full = float(rows[("correct", DAY)]["max_score"])
    assert full == sum(points_of(g) for g in exercise_ids())
    assert float(rows[("correct", DAY)]["score"]) == full
    assert float(rows[("blank", DAY)]["score"]) == 0.0
    assert float(rows[("partly_wrong", DAY)]["score"]) == full - points_of(first)


def problem_lines(problems, student, day=DAY):
    return problems.get((student, day), [])


def test_unreadable_notebooks_score_zero_and_are_named_by_file(graded):
    _, problems, rows, _, _ = graded
    for student, reason in [("broken", "not a valid notebook"), ("latin1", "not UTF-8 text")]:
        [line] = problem_lines(problems, student)
        assert f"{student}/{DAY}/{NOTEBOOK}: {reason}" in line and "scored 0" in line
        assert float(rows[(student, DAY)]["score"]) == 0.0


def test_a_renamed_notebook_is_recognised_by_its_cells_and_graded(graded):
    _, problems, rows, _, _ = graded
    [line] = problem_lines(problems, "renamed")
    assert line.endswith(f"derivatives-Copy1.ipynb: graded as {NOTEBOOK}")
    assert float(rows[("renamed", DAY)]["score"]) == float(rows[("renamed", DAY)]["max_score"])


def test_extra_files_are_named_and_ignored_and_nbgraders_timestamp_is_kept(graded):
    _, problems, rows, _, _ = graded
    [line] = problem_lines(problems, "extra_file")
    assert "notes.txt: not a notebook of the assignment, ignored" in line
    assert float(rows[("extra_file", DAY)]["score"]) == float(rows[("extra_file", DAY)]["max_score"])
    assert rows[("extra_file", DAY)]["timestamp"].startswith("2026-11-20 10:00:00")
    assert rows[("correct", DAY)]["timestamp"] == ""


def test_a_wrong_day_folder_is_named_with_where_it_belongs(graded):
    _, problems, rows, _, _ = graded
    [line] = problem_lines(problems, "wrong_folder", "day1")
    assert "no assignment named 'day1'" in line and f"belongs to {DAY}" in line
    assert not any(student == "wrong_folder" for student, _ in rows)


def test_a_notebook_of_another_day_is_named_and_not_graded_here(graded):
    _, problems, rows, _, _ = graded
    lines = problem_lines(problems, "other_day")
    assert any("gradients.ipynb: a notebook of day02_gradients" in line for line in lines)
    assert any(f"{NOTEBOOK}: missing; scored 0" in line for line in lines)
    assert float(rows[("other_day", DAY)]["score"]) == 0.0


def test_huge_outputs_are_named_cleared_and_the_work_graded(graded):
    _, problems, rows, _, _ = graded
    [line] = problem_lines(problems, "huge_outputs")
    assert "MB, mostly outputs; outputs cleared before grading" in line
    assert float(rows[("huge_outputs", DAY)]["score"]) == float(rows[("huge_outputs", DAY)]["max_score"])


def test_a_kernel_that_dies_keeps_the_points_earned_before(graded):
    root, problems, rows, first, second = graded
    lines = problem_lines(problems, "dies_midway")
    assert any("kernel died" in line and "exit code 1" in line for line in lines), lines
    scores = cell_scores(root, "dies_midway")
    assert scores[f"{first}_tests"] == points_of(first)
    assert all(score == 0 for cell, score in scores.items() if cell != f"{first}_tests")


def test_feedback_is_written_for_every_graded_submission(graded):
    root, _, _, _, _ = graded
    for student in ["correct", "blank", "partly_wrong", "renamed", "dies_midway"]:
        html = (root / "feedback" / student / DAY / NOTEBOOK.replace(".ipynb", ".html")).read_text()
        assert "Score:" in html or "score" in html.lower()
    assert not (root / "feedback" / "broken").exists()


def test_the_instructor_report_gives_problems_pass_rates_and_a_score_plot(graded):
    root, _, rows, first, _ = graded
    report = (root / "report" / "report.md").read_text()
    assert f"{len(rows)} submissions graded" in report
    assert f"broken/{DAY}/{NOTEBOOK}: not a valid notebook" in report
    passed = sum(float(cell_scores(root, s)[f"{first}_tests"]) == points_of(first) for s, _ in rows)
    assert re.search(rf"\| {first}_tests \| {passed}/{len(rows)} ", report), report
    html = (root / "report" / "report.html").read_text()
    assert "<table>" in html and f"<td>{first}_tests</td>" in html and 'src="scores.png"' in html
    assert (root / "report" / "scores.png").stat().st_size > 1000


def test_grading_twice_gives_the_same_grades_without_duplicates(tmp_path):
    root = scratch_course_root(tmp_path)
    submit(root, "correct", fill(student_notebook(), solution_sources()))
    submit(root, "broken", text="{")
    grade.grade(root, settings=SETTINGS, log=lambda _: None)
    first = read_grades(root)
    grade.grade(root, settings=SETTINGS, log=lambda _: None)
    assert read_grades(root) == first
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        assert len(gradebook.find_assignment(DAY).submissions) == 2
        assert gradebook.find_submission(DAY, "correct").score == float(first[("correct", DAY)]["max_score"])
