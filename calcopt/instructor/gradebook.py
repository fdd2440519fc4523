"""Store what the workers graded in the course gradebook: one writer, nbgrader's own API.

The gradebook is SQLite in the course root by default, or any SQLAlchemy URL nbgrader
accepts (PostgreSQL for many graders at once). Storing a submission again replaces its
scores, so grading twice gives the same gradebook, without duplicates.
"""
import warnings
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.plugins import LateSubmissionPlugin
from sqlalchemy.exc import SAWarning
from traitlets.config.loader import PyFileConfigLoader
from traitlets.utils.importstring import import_item

from .config import COURSE_ID
from .release import run_nbgrader

# nbgrader 0.9.6 trips SQLAlchemy 2's autoflush warnings on every submission; harmless.
warnings.filterwarnings("ignore", category=SAWarning)


def default_url(root):
    return f"sqlite:///{Path(root).resolve() / 'gradebook.db'}"


def late_plugin(root):
    """The course's late-submission plugin, configured by ``<root>/nbgrader_config.py``
    (``AssignLatePenalties.plugin_class``, ``LateSubmissionPlugin.penalty_method``), as
    ``nbgrader autograde`` would use it."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    plugin_class = config.AssignLatePenalties.get("plugin_class", LateSubmissionPlugin)
    if isinstance(plugin_class, str):
        plugin_class = import_item(plugin_class)
    return plugin_class(config=config)


def store(db_url, student, day, grades=None, comments=None, timestamp=None, late=None):
    """Record a submission of ``day`` by ``student`` with the workers' scores; any notebook
    or cell missing from ``grades`` scores 0 (a notebook that was missing or unreadable).
    ``timestamp``: when it was submitted, so that nbgrader can tell a late one; ``late``: the
    course's late-submission plugin, which sets each notebook's penalty from the gradebook's
    due date as ``nbgrader autograde`` does (and the same way on every run)."""
    grades, comments = grades or {}, comments or {}
    with Gradebook(db_url, COURSE_ID) as gradebook:
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(
            day, student, **({"timestamp": timestamp} if timestamp else {}))
        for notebook in submission.notebooks:
            scores = grades.get(notebook.name, {})
            for grade in notebook.grades:
                score, needs_manual = scores.get(grade.name, (0.0, False))
                # As nbgrader's SaveAutoGrades: a hand-given score is kept, and looked at
                # again when the work it judged is graded again.
                grade.auto_score = score
                grade.needs_manual_grade = needs_manual or grade.manual_score is not None
            for comment in notebook.comments:
                comment.auto_comment = comments.get(notebook.name, {}).get(comment.name)
        gradebook.db.flush()
        gradebook.db.expire_all()  # the scores just written, summed again by the database
        _assign_penalties(late, student, submission)
        gradebook.db.commit()


def graded(db_url):
    """{(student, day)} of the submissions the gradebook holds."""
    with Gradebook(db_url, COURSE_ID) as gradebook:
        return {(s.student.id, a.name) for a in gradebook.assignments for s in a.submissions}


def refresh_penalties(db_url, pairs, late):
    """Late penalties of the submissions ``pairs`` ((student, day)) set again from the
    gradebook's due dates and the course's plugin: a due date moved since they were graded
    counts, though they are not graded again. Returns the pairs whose penalty changed."""
    changed = set()
    with Gradebook(db_url, COURSE_ID) as gradebook:
        for student, day in pairs:
            if _assign_penalties(late, student, gradebook.find_submission(day, student)):
                changed.add((student, day))
        gradebook.db.commit()
    return changed


def _assign_penalties(late, student, submission):
    """Set each notebook's penalty; True when one of them changed."""
    changed = False
    for notebook in submission.notebooks:
        penalty = _penalty(late, student, submission, notebook)
        changed |= penalty != notebook.late_submission_penalty
        notebook.late_submission_penalty = penalty
    return changed


def written_by_hand(db_url, pairs):
    """The submissions among ``pairs`` whose gradebook holds what a grader wrote (a manual
    score, a comment, extra credit) or a late penalty: their feedback must come from the
    gradebook, not from the autograder alone."""
    found = set()
    with Gradebook(db_url, COURSE_ID) as gradebook:
        for student, day in pairs:
            for notebook in gradebook.find_submission(day, student).notebooks:
                if (notebook.late_submission_penalty
                        or any(g.manual_score is not None or g.extra_credit for g in notebook.grades)
                        or any(c.manual_comment for c in notebook.comments)):
                    found.add((student, day))
    return found


def _penalty(late, student, submission, notebook):
    """nbgrader's AssignLatePenalties rule: None when on time, else the plugin's penalty,
    kept between 0 and the notebook's score."""
    if late is None or not submission.total_seconds_late > 0:
        return None
    penalty = late.late_submission_penalty(student, notebook.score, submission.total_seconds_late)
    return None if penalty is None else min(max(penalty, 0), notebook.score)


def export_grades(root, db_url):
    """``<root>/grades.csv`` from the gradebook, one row per submission of a day someone
    submitted, by nbgrader's export with the course's exporter."""
    export = run_nbgrader(["export", "--to", "grades.csv",
                           "--exporter=calcopt.instructor.export.SubmittedDaysCsvExport"], root, db_url=db_url)
    if export.returncode != 0:
        raise RuntimeError(f"nbgrader export failed:\n{export.stdout}{export.stderr}")
