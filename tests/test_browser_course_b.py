"""Every day's student notebook in a real JupyterLab page (headless Chromium), exercises
unanswered, the other half (the 2nd, 4th, 6th... of the sorted list; see
test_browser_course_a.py for what is checked); formgrader.

- Each student notebook run from the Run menu, every cell: the only errors are those an
  unanswered exercise explains, every grade cell fails, the widgets render.
- Formgrader, served from a scratch copy of the course root, lists every day of source/.

One JupyterLab server (rooted at a scratch course root), one browser and one JupyterLab page
for the module (tests/browser.py, ``student_lab``): each notebook is opened from File > Open
from Path and closed with its kernel after. A failure leaves a screenshot in tests/screenshots/."""
import pytest

import browser
from browser import notebook_id

pytestmark = [pytest.mark.slow, pytest.mark.browser]
NOTEBOOKS = browser.every_other(browser.released_notebooks("course"), 1)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with browser.student_lab(tmp_path_factory.mktemp("course-lab-b")) as running:
        yield running


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=notebook_id)
def test_student_notebook_fails_only_where_an_exercise_is_unanswered(lab, notebook):
    browser.check_student_notebook(lab, notebook)


def test_formgrader_lists_the_courses_assignments(lab):
    browser.check_formgrader(lab)
