"""Every day's solution notebook in a real JupyterLab page (headless Chromium): run from the
Run menu, no error output anywhere, every widget rendered, and every control of every explorer
(each slider, dropdown, checkbox, button...) changes the figure drawn in the page.

One JupyterLab server, one browser and one JupyterLab page for the module; the notebooks
(every solutions/dayNN_*/*.ipynb present) are opened one after another from File > Open from
Path, each with a kernel of its own, and closed with it after. A failure leaves a screenshot in
tests/screenshots/ (git-ignored)."""
import time

import nbformat
import pytest

import browser
from browser import notebook_id
from conftest import SOURCES

pytestmark = [pytest.mark.slow, pytest.mark.browser]
NOTEBOOKS = browser.released_notebooks("solutions")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    browser.require_chromium()
    root = tmp_path_factory.mktemp("solutions-lab") / "root"
    for path in NOTEBOOKS:  # a copy without outputs: whatever the page shows, this run made
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        target = root / path.relative_to(browser.REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
    with browser.jupyterlab(root) as base, browser.chromium() as chromium:
        yield base, chromium


def test_every_day_has_its_solution_notebooks():
    expected = {f"{day}/{source.stem}" for day, sources in SOURCES.items() for source in sources}
    assert sorted(map(notebook_id, NOTEBOOKS)) == sorted(expected)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=notebook_id)
def test_solution_runs_in_the_page_and_every_control_redraws_its_figure(lab, notebook):
    base, chromium = lab
    name = notebook_id(notebook)
    path = notebook.relative_to(browser.REPO).as_posix()
    with browser.notebook_page(chromium, base, f"solutions-{name}") as page:
        started = time.monotonic()
        browser.open_notebook(page, base, path)
        opened = time.monotonic()
        seconds, state = browser.run_all_from_menu(page, what=name)
        nb = browser.save(page, base, path)
        errors = [f"{name}, {browser.cell_label(nb, i)}: {ename}: {evalue}"
                  for i, ename, evalue, _ in browser.errors_of(nb)]
        assert not errors, "\n".join(errors)
        not_run = [browser.cell_label(nb, i) for i in state["code"] if i not in state["run"]]
        assert not not_run, f"{name}: cells not run by Run All: {not_run}"
        unsaved = [browser.cell_label(nb, i) for i in state["code"] if nb.cells[i].execution_count is None]
        assert not unsaved, f"{name}: the notebook saved from the page has no execution count in {unsaved}"
        stderr = [f"{name}, {browser.cell_label(nb, i)}: stderr {text[:300]!r}" for i, text in browser.stderr_of(nb)]
        assert not stderr, "\n".join(stderr)
        widget_count, widget_problems = browser.rendered_widget_problems(page)
        assert widget_count == len(browser.widget_outputs(nb)), \
            f"{name}: {len(browser.widget_outputs(nb))} widget outputs in the notebook, {widget_count} in the page"
        assert not widget_problems, "\n".join(
            f"{name}: widget output {i} not rendered: {what}" for i, what in widget_problems)
        ran = time.monotonic()
        control_failures, moved = browser.check_every_control(page, name, nb)
        print(f"\n{name}: opened {opened - started:.1f} s, run-all {seconds:.1f} s, "
              f"{widget_count} widget outputs, {moved} controls moved in {time.monotonic() - ran:.1f} s")
        assert not control_failures, "\n".join(control_failures)
