"""A learner who restarts the kernel and runs only the setup cell and the exercises (their
answers, then each check cell) gets no NameError or ImportError: every import and definition a
graded cell needs is in the setup cell or the exercise itself. One fresh kernel per notebook,
running only those cells (the reference solutions and hidden tests in), in notebook order."""
import pytest

from calcopt.instructor import notebooks
from calcopt.instructor.release import execute
from conftest import SOURCE_FILES, source_id

pytestmark = pytest.mark.slow

MISSING = ("NameError", "UnboundLocalError", "ImportError", "ModuleNotFoundError")


def setup_and_exercises(path):
    """The full notebook of ``path`` cut down to its setup, solution and grade cells."""
    nb = notebooks.read_source(path)
    nb.cells = [cell for cell in nb.cells if cell.cell_type == "code" and (
        cell.id == "setup" or cell.metadata.get("nbgrader", {}).get("solution")
        or cell.metadata.get("nbgrader", {}).get("grade"))]
    return nb


def test_cut_down_notebook_keeps_setup_first_and_every_exercise():
    for path in SOURCE_FILES:
        nb = setup_and_exercises(path)
        assert nb.cells and nb.cells[0].id == "setup", f"{source_id(path)}: no setup cell first"
        assert any(cell.metadata["nbgrader"].get("grade") for cell in nb.cells), source_id(path)


@pytest.mark.parametrize("path", SOURCE_FILES, ids=source_id)
def test_setup_cell_and_exercises_alone_raise_no_name_or_import_error(path, tmp_path):
    nb = setup_and_exercises(path)
    execute(nb, tmp_path, allow_errors=True)
    missing = [f"{cell.id}: {out.ename}: {out.evalue}" for cell in nb.cells for out in cell.outputs
               if out.output_type == "error" and out.ename in MISSING]
    assert not missing, f"{source_id(path)}, run as setup + exercises only:\n" + "\n".join(missing)
