"""nbgrader configuration of the course. The root is this folder; sources are the py:percent
files in source/<day>/, built into notebooks beside them by `make release`. The settings
themselves live in calcopt.instructor.config, shared with the grading workers."""
import os

from calcopt.instructor.config import course_config

ROOT = os.path.dirname(os.path.abspath(__file__))

c = get_config()  # noqa: F821 (provided by nbgrader)
c.merge(type(c)(course_config(ROOT)))
# The exchange that release_assignment, fetch, submit and collect go through: `make formgrader`
# creates exchange/ beside this folder; a class on a shared machine sets CALCOPT_EXCHANGE
# (for example /srv/nbgrader/exchange, which every student can write to).
c.Exchange.root = os.environ.get("CALCOPT_EXCHANGE") or os.path.join(os.path.dirname(ROOT), "exchange")
if os.environ.get("CALCOPT_DB"):  # `make grade DB=...`: kept off command lines
    c.CourseDirectory.db_url = os.environ["CALCOPT_DB"]
