"""Build submissions as students would: the released notebook, some exercises answered."""
import re

import nbformat

from calcopt.instructor import notebooks
from conftest import REPO

DAY = "day01_derivatives"
NOTEBOOK = "derivatives.ipynb"


def source_notebook(day=DAY):
    return notebooks.read_source(next((REPO / "autograder" / "source" / day).glob("*.py")))


def solution_sources(day=DAY):
    """{solution cell id: solution code (markers removed)}, in notebook order."""
    return notebooks.solution_answers(next((REPO / "autograder" / "source" / day).glob("*.py")))


def student_notebook(day=DAY):
    return nbformat.read(next((REPO / "course" / day).glob("*.ipynb")), as_version=4)


def fill(nb, answers):
    for cell in nb.cells:
        if cell.id in answers:
            cell.source = answers[cell.id]
    return nb


def wrong(source):
    """The same function, answering 0.0 whatever it is given."""
    header = re.match(r"(?s)(.*?def \w+\(.*?\):\n(?:\s+\"\"\".*?\"\"\"\n)?)", source).group(1)
    return header + "    return 0.0\n"


def first_right_rest_wrong(day=DAY):
    """Answers with the first exercise right and every other one wrong."""
    answers = solution_sources(day)
    first = next(iter(answers))
    return {cell: (code if cell == first else wrong(code)) for cell, code in answers.items()}


def with_cell_after_setup(nb, code):
    """``nb`` with a cell of ``code`` right after the setup cell (the first code cell)."""
    index = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code") + 1
    nb.cells.insert(index, nbformat.v4.new_code_cell(code))
    return nb


def submit(root, student, nb=None, text=None, day=DAY, name=NOTEBOOK):
    path = root / "submitted" / student / day / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if text is not None:
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    else:
        nbformat.write(nb, path)
    return path


def points_of(grade_id, day=DAY):
    cell = next(c for c in source_notebook(day).cells if c.id == f"{grade_id}_tests")
    return cell.metadata["nbgrader"]["points"]


def exercise_ids(day=DAY):
    return list(solution_sources(day))
