"""Grade one submission in a working copy of its own: the unit of work of ``make grade``.

``grade_one(task)`` runs in a worker process (local, or on a Dask worker elsewhere). It needs
nothing from the course folder: the task carries the submitted files, the day's gradebook
template (a small SQLite file made by ``nbgrader generate_assignment``) and the answer key. In a
scratch course root it runs nbgrader's own autograde (cells restored from the template,
checksums, execution, ``SaveAutoGrades``) and generate_feedback, with the course's
preprocessors, and returns the scores, the graded notebooks and the feedback, for the parent
to store in the real gradebook. The kernel sees only its notebook's folder.
"""
import json
import os
import socket
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from .config import course_config
from .intake import read_regular_file
from .sandbox import private_process

# nbgrader 0.9.6 trips SQLAlchemy 2's autoflush warnings on every submission; harmless.
warnings.filterwarnings("ignore", category=SAWarning)


@dataclass
class Task:
    student: str
    day: str
    files: dict  # name -> bytes, the notebooks to grade under their expected names
    template: bytes  # SQLite gradebook holding the day's assignment
    keys: dict  # notebook name -> answer key
    settings: dict = field(default_factory=dict)  # GradingExecute options (timeout, memory_bytes)

    @property
    def name(self):
        return f"{self.student}/{self.day}"


@dataclass
class Result:
    student: str
    day: str
    grades: dict = field(default_factory=dict)  # notebook -> cell -> (auto_score, needs_manual_grade)
    comments: dict = field(default_factory=dict)  # notebook -> cell -> auto_comment
    autograded: dict = field(default_factory=dict)  # relative path -> bytes
    feedback: dict = field(default_factory=dict)  # relative path -> bytes
    incidents: list = field(default_factory=list)  # one line each: what went wrong, where
    seconds: float = 0.0
    worker: str = ""  # host:pid of the process that graded it


def grade_one(task):
    """Autograde and write feedback for one submission; raises RuntimeError with nbgrader's
    own error when nbgrader itself fails."""
    start = time.monotonic()
    private_process()  # a worker's environment may hold the gradebook's password
    with tempfile.TemporaryDirectory(prefix="calcopt-grade-") as scratch:
        root = Path(scratch)
        api = _scratch_course(root, task)
        for step in (api.autograde, api.generate_feedback):
            outcome = step(task.day, task.student, force=True)
            if not outcome["success"]:
                raise RuntimeError(f"{step.__name__} {task.name}: {_last_line(outcome)}")
        result = Result(task.student, task.day)
        _read_scores(root, task, result)
        result.autograded = _files(root / "autograded" / task.student / task.day, "*.ipynb")
        result.feedback = _files(root / "feedback" / task.student / task.day, "*.html")
        result.incidents = _incidents(root / "incidents.jsonl")
    result.seconds = time.monotonic() - start
    result.worker = f"{socket.gethostname()}:{os.getpid()}"
    return result


def _scratch_course(root, task):
    (root / "gradebook.db").write_bytes(task.template)
    (root / "source" / task.day).mkdir(parents=True)
    submitted = root / "submitted" / task.student / task.day
    submitted.mkdir(parents=True)
    for name, content in task.files.items():
        (submitted / name).write_bytes(content)
    (root / "keys").mkdir()
    for notebook, key in task.keys.items():
        (root / "keys" / f"{notebook}.json").write_text(json.dumps(key))
    config = Config(course_config(root))
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"  # never the course's
    config.GradingExecute.incident_file = str(root / "incidents.jsonl")
    config.VerifyOutsideKernel.key_dir = str(root / "keys")
    for option, value in task.settings.items():
        setattr(config.GradingExecute, option, value)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _read_scores(root, task, result):
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(task.day, task.student)
        for notebook in submission.notebooks:
            result.grades[notebook.name] = {
                grade.name: (grade.auto_score, grade.needs_manual_grade) for grade in notebook.grades}
            result.comments[notebook.name] = {
                comment.name: comment.auto_comment for comment in notebook.comments}


def _files(directory, pattern):
    """The graded notebooks or the feedback pages: regular files only, never through a link."""
    files = {}
    for path in sorted(directory.glob(pattern)):
        content = read_regular_file(path)
        if content is not None:
            files[path.name] = content
    return files


def _incidents(path):
    if not path.exists():
        return []
    lines = []
    for line in path.read_text().splitlines():
        event = json.loads(line)
        where = event["grade_id"] or (f"cell {event['cell'] + 1}" if event["cell"] is not None else "start")
        lines.append(f"{event['kind']} in {where}: {event['detail']}")
    return lines


def _last_line(outcome):
    text = (outcome.get("error") or outcome.get("log") or "no output").strip()
    return text.splitlines()[-1]

