"""From a day's py:percent source to the notebooks nbgrader and learners read.

A source cell carries short nbgrader metadata on its ``# %%`` line, for example
``# %% nbgrader={"grade_id": "forward_difference", "solution": true}`` or
``# %% nbgrader={"grade_id": "forward_difference_tests", "grade": true, "points": 2}``;
``complete_nbgrader_metadata`` fills in the rest of nbgrader's schema, so the sources stay
short and every cell's role is still explicit.
"""
import re
from pathlib import Path

import jupytext
import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
NBGRADER_SCHEMA_VERSION = 3
# What a learner sees in place of a solution (nbgrader_config.py gives nbgrader the same).
CODE_STUB = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)
HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?",
                          re.MULTILINE | re.DOTALL)


class SourceError(ValueError):
    """A source file that cannot become a notebook; the message names the file and cell."""


def complete_nbgrader_metadata(short, where):
    """Expand a source cell's short nbgrader metadata to nbgrader's full schema."""
    meta = {"grade": False, "solution": False, "locked": False, "task": False}
    meta.update(short)
    if "grade_id" not in meta:
        raise SourceError(f"{where}: an nbgrader cell needs a grade_id")
    if meta["grade"] and "points" not in meta:
        raise SourceError(f"{where}: graded cell {meta['grade_id']!r} needs points")
    if meta["grade"] and not meta["solution"]:
        meta["locked"] = True  # a test cell is always locked and restored at grading
    meta["schema_version"] = NBGRADER_SCHEMA_VERSION
    return dict(sorted(meta.items()))


def read_source(path):
    """Read a py:percent source into a notebook with full nbgrader metadata and stable ids."""
    path = Path(path)
    try:
        nb = jupytext.read(path, fmt="py:percent")
    except Exception as error:  # jupytext raises many kinds; all mean the same here
        raise SourceError(f"{path}: cannot be read as a py:percent notebook: {error}") from error
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    seen = set()
    for index, cell in enumerate(nb.cells):
        where = f"{path}, cell {index + 1}"
        short = cell.metadata.get("nbgrader")
        cell.metadata = {}
        if short is not None:
            cell.metadata["nbgrader"] = complete_nbgrader_metadata(short, where)
        # Ids from the grade_id or the position: a rebuild must reproduce the file exactly.
        cell.id = short["grade_id"] if short else f"cell-{index:03d}"
        if cell.id in seen:
            raise SourceError(f"{where}: grade_id {cell.id!r} is used twice")
        seen.add(cell.id)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def to_solution(nb):
    """The self-study view: solutions in, solution markers and hidden tests out, no
    nbgrader metadata (nothing is locked for a learner reading the answers)."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type == "code":
            source = HIDDEN_TESTS.sub("", cell.source)
            cell.source = SOLUTION_MARKERS.sub("", source).rstrip("\n")
    return nb


def solution_answers(path):
    """{solution cell id: its solution code, markers removed} of the source ``path``, in
    notebook order: what a student who solved every exercise would have written."""
    raw = read_source(path)
    solved = to_solution(read_source(path))
    return {cell.id: answer.source for cell, answer in zip(raw.cells, solved.cells)
            if cell.metadata.get("nbgrader", {}).get("solution")}


def write(nb, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def source_files(source_dir):
    """Each day's sources, as {day: [paths]}, days in syllabus order."""
    days = {}
    for day_dir in sorted(p for p in Path(source_dir).iterdir() if p.is_dir()):
        sources = sorted(day_dir.glob("*.py"))
        if sources:
            days[day_dir.name] = sources
    return days
