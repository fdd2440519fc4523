"""Store what the workers graded in the course gradebook: one writer, nbgrader's own API.

The gradebook is SQLite in the course root by default, or any SQLAlchemy URL nbgrader
accepts (PostgreSQL for many graders at once). Storing a submission again replaces its
scores, so grading twice gives the same gradebook, without duplicates.
"""
import warnings
from pathlib import Path

from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from .config import COURSE_ID

# nbgrader 0.9.6 trips SQLAlchemy 2's autoflush warnings on every submission; harmless.
warnings.filterwarnings("ignore", category=SAWarning)


def default_url(root):
    return f"sqlite:///{Path(root).resolve() / 'gradebook.db'}"


def store(db_url, student, day, grades=None, comments=None, timestamp=None):
    """Record a submission of ``day`` by ``student`` with the workers' scores; any notebook
    or cell missing from ``grades`` scores 0 (a notebook that was missing or unreadable).
    ``timestamp``: when it was submitted, so that nbgrader can tell a late one."""
    grades, comments = grades or {}, comments or {}
    with Gradebook(db_url, COURSE_ID) as gradebook:
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(
            day, student, **({"timestamp": timestamp} if timestamp else {}))
        for notebook in submission.notebooks:
            scores = grades.get(notebook.name, {})
            for grade in notebook.grades:
                score, needs_manual = scores.get(grade.name, (0.0, False))
                grade.auto_score, grade.needs_manual_grade = score, needs_manual
            for comment in notebook.comments:
                comment.auto_comment = comments.get(notebook.name, {}).get(comment.name)
        gradebook.db.commit()
