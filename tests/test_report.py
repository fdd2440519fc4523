"""The instructor report and grades.csv: days in syllabus order, none that nobody submitted;
late submissions, pending manual grades and failed tests named; whole students on the plot."""
import csv

import pytest
from nbgrader.api import Gradebook

from calcopt.instructor import report
from calcopt.instructor.config import COURSE_ID
from calcopt.instructor.release import run_nbgrader, tool_env
from conftest import scratch_course_root

EXPORTER = "--exporter=calcopt.instructor.export.SubmittedDaysCsvExport"
# Added out of syllabus order, day02 due first (nbgrader lists assignments by due date);
# nobody submits day03.
DAYS = {
    "day03_convexity": ("convexity", "2026-12-01 12:00:00", {"newton_tests": 2}),
    "day02_gradients": ("gradients", "2026-11-10 12:00:00", {"gradient_tests": 2}),
    "day01_derivatives": ("derivatives", "2026-11-20 12:00:00",
                          {"forward_tests": 2, "central_tests": 3, "explain": 1}),
}
MANUAL = {"explain"}  # a written answer: graded by a person in formgrader


@pytest.fixture(scope="module", autouse=True)
def alembic_on_path():
    """A new gradebook asks ``alembic`` (by name) for its schema version: this interpreter's
    bin comes first on PATH, as under `make test`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", tool_env()["PATH"])
        yield


def add_submission(gradebook, day, student, scores, timestamp, penalty=None):
    """``scores``: {cell: points, or None while the cell waits for a manual grade}."""
    notebook = DAYS[day][0]
    gradebook.add_submission(day, student, timestamp=timestamp)
    for cell, score in scores.items():
        grade = gradebook.find_grade(cell, notebook, day, student)
        if cell in MANUAL:
            grade.manual_score, grade.needs_manual_grade = score, score is None
        else:
            grade.auto_score, grade.needs_manual_grade = score, False
    gradebook.find_submission_notebook(notebook, day, student).late_submission_penalty = penalty
    gradebook.db.commit()


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    """A gradebook of three days, built once for the module (the report only reads it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('gradebook') / 'gradebook.db'}"
    with Gradebook(url, COURSE_ID) as gradebook:
        for day, (notebook, due, cells) in DAYS.items():
            gradebook.add_assignment(day, duedate=due)
            gradebook.add_notebook(notebook, day)
            for cell, points in cells.items():
                gradebook.add_grade_cell(cell, notebook, day, max_score=points,
                                         cell_type="markdown" if cell in MANUAL else "code")
        for student in ("alice", "bob", "carol"):
            gradebook.add_student(student)
        add_submission(gradebook, "day01_derivatives", "alice",
                       {"forward_tests": 2, "central_tests": 3, "explain": 1}, "2026-11-20 11:00:00")
        add_submission(gradebook, "day01_derivatives", "bob",  # 2 h 5 min late, explain ungraded
                       {"forward_tests": 0, "central_tests": 3, "explain": None}, "2026-11-20 14:05:00",
                       penalty=1.0)
        add_submission(gradebook, "day02_gradients", "alice", {"gradient_tests": 1}, "2026-11-10 09:00:00")
        add_submission(gradebook, "day02_gradients", "carol", {"gradient_tests": 2}, "2026-11-10 09:00:00")
    return url


@pytest.fixture(scope="module")
def written(db_url, tmp_path_factory):
    """report.md's and report.html's text."""
    out = tmp_path_factory.mktemp("report")
    path = report.write(out, out / "report", db_url=db_url)
    return path.read_text(), (out / "report" / "report.html").read_text()


def section(markdown, title):
    """The text of the section ``## title``, up to the next one."""
    return markdown.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_days_come_in_syllabus_order_and_a_day_nobody_submitted_is_left_out(written):
    markdown, html = written
    assert markdown.index("## day01_derivatives") < markdown.index("## day02_gradients")
    assert "day03_convexity" not in markdown and "day03_convexity" not in html
    assert "2 submissions graded; maximum score 6." in section(markdown, "day01_derivatives")


def test_late_submissions_say_how_late_and_the_penalty(written):
    late = section(written[0], "Late submissions")
    assert "| bob | day01_derivatives | 2 h 5 min | 1 |" in late
    assert "alice" not in late and "carol" not in late


def test_pending_manual_grades_are_listed_and_not_counted_as_failures(written):
    markdown = written[0]
    pending = section(markdown, "Pending manual grades")
    assert "1 cell in 1 submission waits for a manual grade" in pending
    assert "| bob | day01_derivatives | 1 | derivatives/explain |" in pending
    # alice's graded answer passed; bob's waits: neither a fail nor part of the rate
    assert "| derivatives | explain | 1/1 (100%) | 1 |" in section(markdown, "day01_derivatives")
    assert "| derivatives | forward_tests | 1/2 (50%) | 0 |" in section(markdown, "day01_derivatives")
    assert "explain" not in section(markdown, "Failed tests per student")


def test_each_students_failed_tests_are_listed_per_day(written):
    failed = section(written[0], "Failed tests per student")
    assert "| alice | day02_gradients | gradients/gradient_tests (1/2) |" in failed
    assert "| bob | day01_derivatives | derivatives/forward_tests (0/2) |" in failed
    assert "carol" not in failed and "| alice | day01_derivatives" not in failed
    assert "<td>gradients/gradient_tests (1/2)</td>" in written[1]


def test_the_plot_has_a_panel_per_day_submitted_counting_whole_students(db_url, tmp_path, monkeypatch):
    figures = []
    monkeypatch.setattr(report.plt, "close", figures.append)
    report.write(tmp_path, tmp_path / "report", db_url=db_url)
    [figure] = figures
    assert [ax.get_title() for ax in figure.axes] == ["day01_derivatives", "day02_gradients"]
    for ax in figure.axes:
        assert all(float(tick).is_integer() for tick in ax.get_yticks()), ax.get_yticks()
    assert (tmp_path / "report" / "scores.png").stat().st_size > 1000


def test_a_day_whose_only_submissions_could_not_be_graded_is_left_out(db_url, tmp_path):
    not_graded = {("alice", "day02_gradients"): ["unreadable"], ("carol", "day02_gradients"): ["unreadable"]}
    markdown = report.write(tmp_path, tmp_path / "report", db_url=db_url, not_graded=not_graded).read_text()
    assert "day02_gradients" not in markdown and "## day01_derivatives" in markdown


def test_an_empty_gradebook_gives_a_report_saying_so(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with Gradebook(url, COURSE_ID) as gradebook:
        gradebook.add_assignment("day01_derivatives")
    markdown = report.write(tmp_path, tmp_path / "report", db_url=url).read_text()
    assert "No submission was graded." in markdown and "## day01" not in markdown
    assert (tmp_path / "report" / "scores.png").exists()


def test_durations_read_as_people_say_them():
    assert [report._duration(s) for s in (40, 720, 3600, 7500, 86400, 97200)] == [
        "40 s", "12 min", "1 h", "2 h 5 min", "1 d", "1 d 3 h"]


def read_csv(path):
    with open(path, newline="") as file:
        return list(csv.reader(file))


@pytest.mark.slow
def test_grades_csv_is_nbgraders_export_without_the_days_nobody_submitted(db_url, tmp_path):
    root = scratch_course_root(tmp_path)
    ours = run_nbgrader(["export", "--to", str(tmp_path / "ours.csv"), EXPORTER], root, db_url=db_url)
    stock = run_nbgrader(["export", "--to", str(tmp_path / "stock.csv")], root, db_url=db_url)
    assert ours.returncode == 0 and stock.returncode == 0, ours.stderr + stock.stderr
    [header, *rows], [stock_header, *stock_rows] = read_csv(tmp_path / "ours.csv"), read_csv(tmp_path / "stock.csv")
    assert header == stock_header
    assert sorted(rows) == sorted(row for row in stock_rows if row[0] != "day03_convexity")
    assert {(row[0], row[3]) for row in rows} == {
        (day, student) for day in ("day01_derivatives", "day02_gradients")
        for student in ("alice", "bob", "carol")}  # a student who did not submit a day: 0
    carol = next(row for row in rows if row[:1] == ["day01_derivatives"] and row[3] == "carol")
    assert float(carol[header.index("score")]) == 0.0


@pytest.mark.slow
def test_grades_csv_with_no_submission_has_only_the_header(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with Gradebook(url, COURSE_ID) as gradebook:
        gradebook.add_assignment("day01_derivatives")
        gradebook.add_student("alice")
    root = scratch_course_root(tmp_path)
    result = run_nbgrader(["export", "--to", str(tmp_path / "grades.csv"), EXPORTER], root, db_url=url)
    assert result.returncode == 0, result.stderr
    [header] = read_csv(tmp_path / "grades.csv")
    assert header[:4] == ["assignment", "duedate", "timestamp", "student_id"]
