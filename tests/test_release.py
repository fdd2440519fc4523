"""`make release` reproduces the committed course/ and solutions/ exactly: no drift."""
import json

import nbformat
import pytest

from calcopt.instructor import release
from conftest import REPO, SOURCES, scratch_course_root


def strip_outputs(nb):
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            cell["metadata"].pop("execution", None)
    nb["metadata"].pop("widgets", None)
    nb["metadata"].pop("language_info", None)  # filled in by the kernel that ran it
    return nb


def tree(directory):
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*")
                  if p.is_file() and ".ipynb_checkpoints" not in p.parts)


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    """A release into scratch directories, from a scratch copy of the course root."""
    base = tmp_path_factory.mktemp("release")
    root = scratch_course_root(base)
    (base / "course").mkdir()
    (base / "solutions").mkdir()
    release.release(root, base / "course", base / "solutions", run_solutions=False, log=lambda _: None)
    return base


def test_every_day_is_released():
    assert sorted(p.name for p in (REPO / "course").iterdir() if p.is_dir()) == sorted(SOURCES)
    assert sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir()) == sorted(SOURCES)


def test_student_notebooks_are_exactly_what_release_makes(fresh_release):
    committed, fresh = REPO / "course", fresh_release / "course"
    assert tree(committed) == tree(fresh)
    for name in tree(fresh):
        assert (committed / name).read_bytes() == (fresh / name).read_bytes(), (
            f"course/{name} differs from what `make release` makes from autograder/source: run it")


def test_solution_notebooks_are_what_release_makes_outputs_aside(fresh_release):
    committed, fresh = REPO / "solutions", fresh_release / "solutions"
    assert tree(committed) == tree(fresh)
    for name in tree(fresh):
        ours = strip_outputs(json.loads((committed / name).read_text()))
        theirs = strip_outputs(json.loads((fresh / name).read_text()))
        assert ours == theirs, f"solutions/{name} differs from its source: run `make release`"


@pytest.mark.parametrize("path", sorted((REPO / "solutions").rglob("*.ipynb")), ids=lambda p: p.parent.name)
def test_committed_solutions_were_executed_without_errors(path):
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code if cell.source.strip()), f"{path} was not executed"
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert not errors, f"{path} holds an error output: {errors[0].get('ename')}"


def test_student_notebooks_hold_no_answers():
    for path in (REPO / "course").rglob("*.ipynb"):
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, path
        assert "expect(" not in text, f"{path}: a hidden test (expect) is visible before grading"
        nb = nbformat.read(path, as_version=4)
        assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), path
