"""Every day, run as the learner and the grader would."""
import pytest

from calcopt.instructor import checkday, notebooks
from calcopt.instructor.release import run_nbgrader
from conftest import REPO, SOURCE_FILES, SOURCES, source_id

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("source", SOURCE_FILES, ids=source_id)
def test_full_notebook_runs_and_every_test_cell_passes_hidden_tests_included(source, tmp_path):
    # The source holds the solutions and the hidden tests; a failing cell raises here.
    problems, seconds, total = checkday.check_source(source, tmp_path)
    assert not problems


@pytest.mark.parametrize("source", SOURCE_FILES, ids=source_id)
def test_student_notebook_fails_every_graded_test(source):
    student = REPO / "course" / source.parent.name / source.with_suffix(".ipynb").name
    # As the README says to run it: the first cell loads PyTorch and TensorFlow, which on a busy
    # machine takes longer than nbgrader's default 30 s.
    result = run_nbgrader(["validate", "--invert", "--Execute.timeout=300", str(student)], student.parent)
    assert "Success! The notebook does not pass any tests." in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("day", list(SOURCES))
def test_each_day_grades_numpy_pytorch_and_tensorflow_work(day):
    # Per day: a day split into two notebooks may grade PyTorch in one and TensorFlow in the other.
    solutions, tests = [], []
    for source in SOURCES[day]:
        nb = notebooks.read_source(source)
        solutions += [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
        tests += checkday.grade_cells(nb)
    assert len(solutions) >= 4 and len(tests) >= 4
    assert any("torch." in s for s in solutions), f"{day}: no exercise is written with PyTorch"
    assert any("tf." in s or "keras." in s for s in solutions), f"{day}: no exercise is written with TensorFlow"
    for cell in tests:
        assert "### BEGIN HIDDEN TESTS" in cell.source, f"{day}: {cell.id} has no hidden tests"
