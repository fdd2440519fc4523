"""`make release` reproduces the committed course/ and solutions/ exactly: no drift; it
rewrites only what changed; `checkday`'s time limits are options."""
import json
import os

import nbformat
import pytest

from calcopt.instructor import checkday, release
from conftest import REPO, SOURCES, scratch_course_root

DAY = "day01_derivatives"


def strip_outputs(nb):
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            cell["metadata"].pop("execution", None)
    nb["metadata"].pop("widgets", None)
    nb["metadata"].pop("language_info", None)  # filled in by the kernel that ran it
    nb["metadata"].pop(release.FINGERPRINT_KEY, None)  # covers the calcopt package too
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


# A release rewrites only what changed.

class Recorder:
    """Stands in for the kernel: marks every code cell as run, and counts the notebooks."""

    def __init__(self):
        self.executed = 0

    def __call__(self, nb, cwd, allow_errors=False):
        self.executed += 1
        for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), 1):
            cell.execution_count = count
        return nb


@pytest.fixture
def one_day(tmp_path, monkeypatch):
    """run(**options): release DAY from a scratch course root into scratch course/ and
    solutions/ with a recording kernel; returns the log."""
    root = scratch_course_root(tmp_path)
    kernel = Recorder()
    monkeypatch.setattr(release, "execute", kernel)

    def run(**options):
        log = []
        release.release(root, tmp_path / "course", tmp_path / "solutions", only=[DAY], log=log.append, **options)
        return log
    return root, tmp_path, kernel, run


def outputs(base):
    return [path for folder in ("course", "solutions") for path in sorted((base / folder).rglob("*"))
            if path.is_file()]


def age(paths):
    """Date every file at the epoch: a file written again gets the time of writing."""
    for path in paths:
        os.utime(path, ns=(0, 0))


@pytest.mark.slow
def test_a_day_whose_source_did_not_change_is_neither_executed_nor_rewritten_unless_forced(one_day):
    _, base, kernel, run = one_day
    run()
    assert kernel.executed == 1
    before = {path: path.read_bytes() for path in outputs(base)}
    age(before)
    log = run()
    assert kernel.executed == 1, "executed again although nothing changed"
    assert {path: path.read_bytes() for path in outputs(base)} == before
    assert all(path.stat().st_mtime_ns == 0 for path in before), "a file was written again"
    assert f"{DAY}: student notebooks unchanged" in log
    assert any("unchanged (same fingerprint), not rewritten" in line for line in log), log
    run(force=True)  # --force: executed and written all the same
    solution = base / "solutions" / DAY / "derivatives.ipynb"
    assert kernel.executed == 2 and solution.stat().st_mtime_ns != 0


@pytest.mark.slow
def test_a_changed_source_is_executed_and_written_again(one_day):
    root, base, kernel, run = one_day
    run()
    source = root / "source" / DAY / "derivatives.py"
    source.write_text(source.read_text() + "\n# %% [markdown]\n# A closing note.\n")
    run()
    assert kernel.executed == 2
    assert "A closing note." in (base / "solutions" / DAY / "derivatives.ipynb").read_text()
    assert "A closing note." in (base / "course" / DAY / "derivatives.ipynb").read_text()


@pytest.mark.slow
def test_a_solution_written_without_running_is_run_by_the_next_release(one_day):
    root, base, kernel, run = one_day
    release.main(["--root", str(root), "--course", str(base / "course"),
                  "--solutions", str(base / "solutions"), "--no-execute", DAY])
    assert kernel.executed == 0
    solution = nbformat.read(base / "solutions" / DAY / "derivatives.ipynb", as_version=4)
    assert solution.metadata[release.FINGERPRINT_KEY]["fingerprint"].startswith("sha256:")
    run()
    assert kernel.executed == 1
    run(run_solutions=False)  # an executed notebook of the same source is kept as it is
    assert kernel.executed == 1
    solution = nbformat.read(base / "solutions" / DAY / "derivatives.ipynb", as_version=4)
    assert all(cell.execution_count for cell in solution.cells if cell.cell_type == "code")


@pytest.mark.slow
def test_a_hand_edited_or_stray_file_in_course_is_put_right(one_day):
    root, base, _, run = one_day
    run()
    student = base / "course" / DAY / "derivatives.ipynb"
    student.write_text(student.read_text().replace("raise NotImplementedError()", "return 0"))
    (base / "course" / DAY / "notes.txt").write_text("mine")
    log = run()
    assert student.read_bytes() == (root / "release" / DAY / "derivatives.ipynb").read_bytes()
    assert not (base / "course" / DAY / "notes.txt").exists()
    assert f"{DAY}: student notebooks updated: derivatives.ipynb, notes.txt (removed)" in log


def test_the_fingerprint_follows_the_source_and_the_package_but_not_the_instructor_tools(tmp_path):
    source, package = tmp_path / "topic.py", tmp_path / "calcopt"
    (package / "instructor").mkdir(parents=True)
    source.write_text("# %%\nx = 1\n")
    (package / "plots.py").write_text("A = 1\n")
    (package / "instructor" / "grade.py").write_text("B = 1\n")
    first = release.fingerprint(source, package)
    (package / "instructor" / "grade.py").write_text("B = 2\n")
    assert release.fingerprint(source, package) == first
    (package / "plots.py").write_text("A = 2\n")
    second = release.fingerprint(source, package)
    assert second != first
    source.write_text("# %%\nx = 2\n")
    assert release.fingerprint(source, package) not in (first, second)


# checkday's time limits: defaults for a laptop, options for a busy machine.

def test_checkday_limits_default_to_45_and_5_seconds():
    args = checkday.arguments(["topic.py"], environ={})
    assert (args.limit, args.grade_cell_limit) == (45, 5)


def test_checkday_limits_come_from_the_options_or_the_environment():
    args = checkday.arguments(["topic.py", "--limit", "90", "--grade-cell-limit", "8"], environ={})
    assert (args.limit, args.grade_cell_limit) == (90, 8)
    assert checkday.arguments(["topic.py"], environ={checkday.LIMIT_VARIABLE: "120"}).limit == 120
    assert checkday.arguments(["topic.py", "--limit", "60"], environ={checkday.LIMIT_VARIABLE: "120"}).limit == 60
    with pytest.raises(SystemExit):
        checkday.arguments(["topic.py"], environ={checkday.LIMIT_VARIABLE: "soon"})


def test_checkday_judges_the_times_by_the_limits_given():
    seconds, grade_ids = {"a_tests": 6.0, "b_tests": 1.0}, ["a_tests", "b_tests"]
    assert checkday.timing_problems(seconds, 50, grade_ids) == [
        "grade cell a_tests took 6.0 s, over 5 s", "the full notebook took 50.0 s, over 45 s"]
    assert checkday.timing_problems(seconds, 50, grade_ids, limit=60, cell_limit=8) == []
