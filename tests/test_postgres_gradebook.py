"""nbgrader's gradebook on a real PostgreSQL server, given only its SQLAlchemy URL: what one
connection records and commits, a later one reads back, and two open at once see each other's
committed rows. The server is started here (tests/postgres.py) and removed afterwards."""
import os
import sys

import pytest
from nbgrader.api import Gradebook

from postgres import missing, running_postgres

COURSE = "calcopt"


@pytest.fixture(scope="module")
def gradebook_url(tmp_path_factory):
    problem = missing()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}. .ci/run installs Debian's postgresql")
        pytest.skip(problem)
    with running_postgres(tmp_path_factory.mktemp("postgres")) as url:
        yield url


@pytest.fixture(autouse=True)
def alembic_on_path(monkeypatch):
    """A new gradebook asks ``alembic`` (by name) for its schema version: this interpreter's
    bin comes first on PATH, as under `make test`."""
    monkeypatch.setenv("PATH", f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}")


def test_a_grade_recorded_in_one_gradebook_is_read_back_by_the_next(gradebook_url):
    with Gradebook(gradebook_url, course_id=COURSE) as gradebook:
        assert gradebook.engine.dialect.name == "postgresql"
        gradebook.add_assignment("day1")
        gradebook.add_notebook("derivatives", "day1")
        gradebook.add_grade_cell("test_slope", "derivatives", "day1", max_score=2, cell_type="code")
        gradebook.add_student("ada", first_name="Ada", last_name="Lovelace")
        gradebook.add_submission("day1", "ada")
        grade = gradebook.find_grade("test_slope", "derivatives", "day1", "ada")
        grade.auto_score = 1.5
        gradebook.db.commit()

    with Gradebook(gradebook_url, course_id=COURSE) as gradebook:
        grade = gradebook.find_grade("test_slope", "derivatives", "day1", "ada")
        assert grade.auto_score == 1.5
        assert grade.max_score == 2
        assert grade.score == 1.5
        assert gradebook.find_submission("day1", "ada").score == 1.5
        assert gradebook.find_student("ada").last_name == "Lovelace"


def test_two_gradebooks_open_at_once_see_each_others_committed_rows(gradebook_url):
    with Gradebook(gradebook_url, course_id=COURSE) as first, \
            Gradebook(gradebook_url, course_id=COURSE) as second:
        first.add_student("grace", first_name="Grace", last_name="Hopper")
        assert second.find_student("grace").first_name == "Grace"
        second.add_assignment("day2")
        assert first.find_assignment("day2").name == "day2"
        assert {"grace"} <= {student.id for student in first.students} & \
            {student.id for student in second.students}
