"""Every day's student notebook in a real JupyterLab page (headless Chromium), exercises
unanswered; nbgrader's Validate button; formgrader.

- Run from the Run menu, every cell: the only errors are the exercises' own
  NotImplementedError (raised inside an exercise's function, in the check cell after it or in
  a teaching cell that calls it), a failed check in a grade cell, and a NameError of a name an
  exercise's solution, or a cell that failed legitimately before, would have bound. The widgets
  before or between the exercises render. JupyterLab stops a run-all at the first error (as
  the kernel's stop_on_error asks); so that every cell is run, as a learner running cell after
  cell would, the test's copy tags each cell "raises-exception" (the notebook's sources and
  nbgrader metadata are unchanged).
- The Validate button of the notebook toolbar, on an untouched copy of the first day's
  student notebook, lists every graded test as failed.
- Formgrader, served from a scratch copy of the course root, lists every day of source/.

One JupyterLab server (rooted at the scratch course root) and one browser for the module.
Screenshots: tests/screenshots/ (git-ignored)."""
import time
from pathlib import Path

import nbformat
import pytest

import browser
from browser import notebook_id
from calcopt.instructor.release import copy_course_root

# Not in `make test` (its budget): `make test-browser` runs it.
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.course_browser]
NOTEBOOKS = browser.released_notebooks("course")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    browser.require_chromium()
    root = copy_course_root(tmp_path_factory.mktemp("course-lab"))
    # Validate runs nbgrader's Execute preprocessor, whose defaults (a 30 s cell, 4 s for the
    # outputs after a reply) a setup cell importing PyTorch and TensorFlow overruns on a busy
    # machine. The scratch root's config (the server's cwd, where Validate reads it) waits
    # longer; the course's autograder/nbgrader_config.py is left as it is.
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(f"\n# Added by {Path(__file__).name} for the test server's Validate button.\n"
                     f"c.Execute.timeout = {int(browser.RUN_ALL_TIMEOUT_S)}\n"
                     f"c.Execute.iopub_timeout = {int(browser.RUN_ALL_TIMEOUT_S)}\n"
                     f"c.Execute.startup_timeout = {int(browser.RUN_ALL_TIMEOUT_S)}\n")
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        untouched = root / "validate" / path.relative_to(browser.REPO)
        untouched.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, untouched)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
                tags = cell.metadata.setdefault("tags", [])
                if "raises-exception" not in tags:
                    tags.append("raises-exception")
        target = root / "run" / path.relative_to(browser.REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
    with browser.jupyterlab(root, cwd=root) as base, browser.chromium() as chromium:
        yield base, chromium, root


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=notebook_id)
def test_student_notebook_fails_only_where_an_exercise_is_unanswered(lab, notebook):
    base, chromium, root = lab
    name = notebook_id(notebook)
    path = f"run/{notebook.relative_to(browser.REPO).as_posix()}"
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    try:
        started = time.monotonic()
        browser.open_notebook(page, base, path)
        opened = time.monotonic()
        seconds, state = browser.run_all_from_menu(page, what=f"{name} (student)")
        print(f"\n{name} (student): opened {opened - started:.1f} s, run-all {seconds:.1f} s")
        nb = browser.save(page, base, path)
        widget_count, widget_problems = browser.rendered_widget_problems(page)
    finally:
        shot = browser.screenshot(page, f"course-{name}")
        page.close()
        browser.shutdown_kernels(base)
    solution = nbformat.read(browser.REPO / "solutions" / notebook.relative_to(browser.REPO / "course"),
                             as_version=4)
    not_run = [browser.cell_label(nb, i) for i in state["code"]
               if i not in state["run"] or nb.cells[i].execution_count is None]
    assert not not_run, f"{name} (student): cells not run by Run All: {not_run}\nscreenshot: {shot}"
    wrong = browser.illegitimate_student_errors(nb, solution)
    assert not wrong, "\n".join(
        f"{name} (student), {browser.cell_label(nb, i)}: {ename}: {evalue} (last frame in {where or '?'}), "
        "not explained by an unanswered exercise" for i, ename, evalue, where in wrong) + f"\nscreenshot: {shot}"
    graded = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade")
              and c.cell_type == "code"]
    failed = {i for i, *_ in browser.errors_of(nb)}
    passing = [browser.cell_label(nb, i) for i in graded if i not in failed]
    assert not passing, f"{name} (student): graded cells that pass with nothing answered: {passing}"
    assert widget_count == len(browser.widget_outputs(nb))
    assert not widget_problems, "\n".join(
        f"{name} (student): widget output {i} not rendered: {what}" for i, what in widget_problems)


def test_validate_button_reports_every_failing_check(lab):
    base, chromium, root = lab
    notebook = NOTEBOOKS[0]
    name = notebook_id(notebook)
    path = f"validate/{notebook.relative_to(browser.REPO).as_posix()}"
    graded = [c for c in nbformat.read(notebook, as_version=4).cells
              if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    try:
        browser.open_notebook(page, base, path, kernel=False)  # Validate starts a kernel of its own
        started = time.monotonic()
        page.locator(".jp-NotebookPanel-toolbar .validate-button").click()
        message = page.locator(".jp-Dialog #validation-message")
        message.wait_for(timeout=int(browser.RUN_ALL_TIMEOUT_S * 1000))
        title = page.locator(".jp-Dialog .jp-Dialog-header").inner_text()
        text = message.inner_text()
        print(f"\n{name}: Validate answered in {time.monotonic() - started:.1f} s")
    finally:
        browser.screenshot(page, f"validate-{name}")
        page.close()
        browser.shutdown_kernels(base)
    assert text.count("The following cell failed:") == len(graded), f"{name}: {title}\n{text[:2000]}"
    for cell in graded:  # each failing check is shown by its source
        assert cell.source.splitlines()[0].strip() in text


def test_formgrader_lists_the_courses_assignments(lab):
    base, chromium, root = lab
    days = sorted(p.name for p in (root / "source").iterdir() if p.is_dir())
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{base}/formgrader/manage_assignments?token={browser.TOKEN}")
        table = page.locator("#main-table")
        for day in days:
            table.get_by_text(day, exact=True).first.wait_for(timeout=60_000)
        listed = table.inner_text()
    finally:
        browser.screenshot(page, "formgrader")
        page.close()
    missing = [day for day in days if day not in listed]
    assert not missing, f"formgrader does not list {missing}:\n{listed[:2000]}"
