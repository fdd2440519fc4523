"""nbgrader configuration of the course. The root is this folder; sources are the py:percent
files in source/<day>/, built into notebooks beside them by `make release`. The settings
themselves live in calcopt.instructor.config, shared with the grading workers."""
import os

from calcopt.instructor.config import course_config

c = get_config()  # noqa: F821 (provided by nbgrader)
c.merge(type(c)(course_config(os.path.dirname(os.path.abspath(__file__)))))
if os.environ.get("CALCOPT_DB"):  # `make grade DB=...`: kept off command lines
    c.CourseDirectory.db_url = os.environ["CALCOPT_DB"]
