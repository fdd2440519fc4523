"""What was graded, and from what: so that ``make grade`` regrades only what changed.

Once a submission is graded, ``<root>/grading-state/<student>/<day>.json`` records a fingerprint
of everything its grade depends on: the submitted notebooks and nbgrader's timestamp, the day's
built notebooks (its source), the course's hidden seed, the grading settings, the grader's own
code and the versions of the packages that grade. A later run skips a submission whose
fingerprint is unchanged and whose grades are still in the gradebook, and names again the
problems found when it was graded. Delete the folder (or pass ``--force``) to regrade all.
"""
import hashlib
import json
from importlib import metadata
from pathlib import Path

from .. import checks

FOLDER = "grading-state"
GRADER = Path(__file__).resolve().parent
PACKAGES = ("nbgrader", "nbclient", "numpy", "torch", "tensorflow-cpu", "keras")
# Modules that write reports or help authors: changing them changes no score.
NOT_GRADING = {"report.py", "progress.py", "checkday.py", "tryanswer.py", "feedback.py", "release.py"}


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def grader_digest():
    """The grader's code, ``calcopt.checks`` and the grading packages' versions, hashed once."""
    digest = hashlib.sha256()
    modules = [p for p in sorted(GRADER.glob("*.py")) if p.name not in NOT_GRADING]
    for path in modules + [Path(checks.__file__)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for package in PACKAGES:
        digest.update(f"{package}=={_version(package)}".encode())
    return digest.hexdigest()


def fingerprint(submission, day_notebooks, hidden_seed, settings, grader):
    """One digest of what the grade of ``submission`` depends on."""
    digest = hashlib.sha256(grader.encode())
    digest.update(json.dumps({"seed": hidden_seed, "settings": settings}, sort_keys=True).encode())
    for path in sorted(map(Path, day_notebooks)):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for name, content in sorted(submission.files.items()):
        digest.update(b"submitted " + name.encode() + b"\0" + content)
    digest.update(submission.nbgrader_files.get("timestamp.txt", b""))
    return digest.hexdigest()


def _path(root, student, day):
    return Path(root) / FOLDER / student / f"{day}.json"


def load(root, student, day):
    """{"fingerprint": ..., "problems": [...]} recorded for this submission, or None."""
    try:
        return json.loads(_path(root, student, day).read_text())
    except (OSError, ValueError):
        return None


def save(root, student, day, digest, problems):
    path = _path(root, student, day)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"fingerprint": digest, "problems": list(problems)}))


def forget(root, student, day):
    """A submission that failed to grade is graded again on the next run."""
    _path(root, student, day).unlink(missing_ok=True)
