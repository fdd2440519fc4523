"""Building notebooks from py:percent sources."""
import pytest

from calcopt.instructor import notebooks

SOURCE = '''# %% [markdown]
# # A day

# %% nbgrader={"grade_id": "setup", "locked": true}
import math

# %% nbgrader={"grade_id": "double", "solution": true}
def double(x):
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION

# %% nbgrader={"grade_id": "double_tests", "grade": true, "points": 2}
assert double(1) == 2
### BEGIN HIDDEN TESTS
assert double(3) == 6
### END HIDDEN TESTS
'''


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "day.py"
    path.write_text(SOURCE)
    return path


def test_short_metadata_is_completed_to_nbgraders_schema(source):
    nb = notebooks.read_source(source)
    setup, solution, tests = (cell.metadata["nbgrader"] for cell in nb.cells[1:])
    assert setup == {"grade": False, "grade_id": "setup", "locked": True, "schema_version": 3,
                     "solution": False, "task": False}
    assert solution["solution"] and not solution["locked"] and not solution["grade"]
    assert tests["grade"] and tests["locked"] and tests["points"] == 2


def test_ids_are_stable_so_a_rebuild_reproduces_the_file(source):
    first, second = notebooks.read_source(source), notebooks.read_source(source)
    assert [c.id for c in first.cells] == ["cell-000", "setup", "double", "double_tests"]
    assert first == second


def test_solution_view_keeps_solutions_and_drops_markers_hidden_tests_and_metadata(source):
    nb = notebooks.to_solution(notebooks.read_source(source))
    code = "\n".join(cell.source for cell in nb.cells)
    assert "return 2 * x" in code and "double(1) == 2" in code
    assert "BEGIN" not in code and "double(3)" not in code
    assert all("nbgrader" not in cell.metadata for cell in nb.cells)


@pytest.mark.parametrize("line, message", [
    ('# %% nbgrader={"solution": true}', "needs a grade_id"),
    ('# %% nbgrader={"grade_id": "t", "grade": true}', "needs points"),
])
def test_bad_metadata_is_reported_with_the_file_and_cell(tmp_path, line, message):
    path = tmp_path / "bad.py"
    path.write_text(f"# %%\nx = 1\n\n{line}\ny = 2\n")
    with pytest.raises(notebooks.SourceError, match=rf"bad.py, cell 2: .*{message}"):
        notebooks.read_source(path)


def test_a_grade_id_used_twice_is_an_error(tmp_path):
    path = tmp_path / "twice.py"
    path.write_text('# %% nbgrader={"grade_id": "a", "locked": true}\nx = 1\n\n'
                    '# %% nbgrader={"grade_id": "a", "locked": true}\ny = 2\n')
    with pytest.raises(notebooks.SourceError, match="used twice"):
        notebooks.read_source(path)
