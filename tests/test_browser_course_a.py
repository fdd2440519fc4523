"""Every day's student notebook in a real JupyterLab page (headless Chromium), exercises
unanswered, half of them here (the 1st, 3rd, 5th... of the sorted list; the others in
test_browser_course_b.py, so that the two halves run side by side); nbgrader's Validate button.

- Run from the Run menu, every cell: the only errors are the exercises' own
  NotImplementedError (raised inside an exercise's function, in the check cell after it or in
  a teaching cell that calls it), a failed check in a grade cell, and a NameError of a name an
  exercise's solution, or a cell that failed legitimately before, would have bound. Every grade
  cell fails. The widgets before or between the exercises render.
- The Validate button of the notebook toolbar, on an untouched copy of the first day's
  student notebook, lists every graded test as failed.

One JupyterLab server (rooted at a scratch course root), one browser and one JupyterLab page
for the module (tests/browser.py, ``student_lab``): each notebook is opened from File > Open
from Path and closed with its kernel after. A failure leaves a screenshot in tests/screenshots/."""
import pytest

import browser
from browser import notebook_id
from conftest import SOURCES

pytestmark = [pytest.mark.slow, pytest.mark.browser]
ALL = browser.released_notebooks("course")
NOTEBOOKS = browser.every_other(ALL, 0)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with browser.student_lab(tmp_path_factory.mktemp("course-lab-a")) as running:
        yield running


def test_every_day_of_the_course_has_its_student_notebooks():
    """The two halves together are every student notebook of every day of autograder/source."""
    expected = {f"{day}/{source.stem}" for day, sources in SOURCES.items() for source in sources}
    halves = [notebook_id(p) for which in (0, 1) for p in browser.every_other(ALL, which)]
    assert sorted(halves) == sorted(expected), f"released: {sorted(halves)}, sources: {sorted(expected)}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=notebook_id)
def test_student_notebook_fails_only_where_an_exercise_is_unanswered(lab, notebook):
    browser.check_student_notebook(lab, notebook)


def test_validate_button_reports_every_failing_check(lab):
    browser.check_validate_button(lab, ALL[0])
