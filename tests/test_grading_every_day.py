"""`make grade` end to end on every day of the course: a student who answers every exercise of
every notebook with the reference solutions gets full marks, day by day, through the real
pipeline (intake, answer keys with a secret seed, confined kernels, nbgrader's autograde and
feedback, the gradebook, grades.csv)."""
import csv

import nbformat
import pytest

from nbgrader.api import Gradebook

from calcopt.instructor import grade, gradebook, notebooks
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
    with Gradebook(gradebook.default_url(root)) as book:
        pending = {(a.name, g.name) for a in book.assignments for s in a.submissions
                   for nb in s.notebooks for g in nb.grades if g.needs_manual_grade}
    return problems, rows, pending


def written_answers(day):
    """{grade id: points} of the day's cells graded by hand (Markdown cells with points)."""
    return {cell.id: cell.metadata["nbgrader"]["points"] for source in SOURCES[day]
            for cell in notebooks.read_source(source).cells
            if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("grade")}


@pytest.mark.parametrize("day", list(SOURCES))
def test_complete_work_gets_full_marks_on_every_day(graded, day):
    problems, rows, pending = graded
    written = written_answers(day)
    assert not problems.get(("complete", day)), problems.get(("complete", day))
    assert float(rows[day]["max_score"]) > 0
    assert float(rows[day]["score"]) == float(rows[day]["max_score"]) - sum(written.values()), rows[day]
    assert {grade_id for d, grade_id in pending if d == day} == set(written)
