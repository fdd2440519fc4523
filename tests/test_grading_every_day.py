"""`make grade` end to end on every day of the course: a student who answers every exercise of
every notebook with the reference solutions gets full marks, day by day, through the real
pipeline (intake, answer keys with a secret seed, confined kernels, nbgrader's autograde and
feedback, the gradebook, grades.csv)."""
import csv

import nbformat
import pytest

from calcopt.instructor import grade, notebooks
from conftest import REPO, SOURCES, scratch_course_root

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = scratch_course_root(tmp_path_factory.mktemp("every-day"))
    for day, sources in SOURCES.items():
        for source in sources:
            student = nbformat.read(REPO / "course" / day / f"{source.stem}.ipynb", as_version=4)
            answers = notebooks.solution_answers(source)
            for cell in student.cells:
                if cell.id in answers:
                    cell.source = answers[cell.id]
            notebooks.write(student, root / "submitted" / "complete" / day / f"{source.stem}.ipynb")
    problems = grade.grade(root, settings={"timeout": 120}, log=lambda _: None)
    with open(root / "grades.csv", newline="") as file:
        rows = {row["assignment"]: row for row in csv.DictReader(file)}
    return problems, rows


@pytest.mark.parametrize("day", list(SOURCES))
def test_complete_work_gets_full_marks_on_every_day(graded, day):
    problems, rows = graded
    assert not problems.get(("complete", day)), problems.get(("complete", day))
    assert float(rows[day]["max_score"]) > 0
    assert float(rows[day]["score"]) == float(rows[day]["max_score"]), rows[day]
