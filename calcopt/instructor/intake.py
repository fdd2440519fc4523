"""Find the submissions and decide, file by file, what can be graded.

Submissions arrive as ``<root>/submitted/<student>/<day>/<notebook>.ipynb``. Anything else is
named in one line and handled so that the rest is graded:
- a folder that is not a day of the course: not graded (the line says which day its
  notebooks belong to, when they belong to one);
- a file that is not valid notebook JSON, or not UTF-8: that notebook scores 0;
- a notebook under another name (``derivatives-Copy1.ipynb``) whose cells are this day's:
  graded as the notebook it is, when that one is missing;
- a notebook of another day: not graded here, named;
- any other file: ignored, named;
- outputs are cleared before grading (nbgrader would clear them anyway), so a notebook full of
  huge outputs costs nothing; more than ``HUGE_BYTES`` of them is named;
- a file over ``MAX_BYTES`` is refused before it is read: that notebook scores 0;
- a symbolic link, anywhere (a student folder, a day folder, a notebook): named, never
  followed, so nobody is graded on a classmate's notebook and no file elsewhere is read;
- a student folder whose name is not a ``SAFE_NAME`` (a comma or a line break would forge rows
  of grades.csv and lines of the report): named, and nobody is graded under it.
Paths in these lines are quoted when they hold anything but plain printable characters.
"""
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.utils import parse_utc

HUGE_BYTES = 5 << 20
MAX_BYTES = 100 << 20  # a bigger file is refused before it is read
# A student's folder name becomes a row of grades.csv and a folder of feedback: letters,
# digits and . _ - @ + only, starting with a letter or digit (no spreadsheet formula).
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
# Written by nbgrader's submit and collect (the exchange): not a student's extra files.
NBGRADER_FILES = {"timestamp.txt", "submission_secret.txt"}


@dataclass
class Submission:
    student: str
    day: str
    path: Path
    files: dict = field(default_factory=dict)  # expected notebook file name -> bytes to grade
    problems: list = field(default_factory=list)  # one line each
    gradable: bool = True
    timestamp: object = None  # from nbgrader's timestamp.txt, when the submission has one
    nbgrader_files: dict = field(default_factory=dict)  # NBGRADER_FILES present: name -> bytes

    @property
    def name(self):
        return f"{self.student}/{self.day}"


def grade_ids(nb):
    return {cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")}


def day_signatures(source_root, days):
    """{(day, notebook stem): grade ids} of the built source notebooks, to recognise a
    notebook whatever its file name."""
    signatures = {}
    for day in days:
        for path in sorted((Path(source_root) / day).glob("*.ipynb")):
            signatures[(day, path.stem)] = grade_ids(nbformat.read(path, as_version=4))
    return signatures


def identify(nb, signatures):
    """The (day, notebook) whose cells ``nb`` carries the most of, or None."""
    ids = grade_ids(nb)
    best = max(signatures, key=lambda k: len(ids & signatures[k]), default=None)
    return best if best is not None and ids & signatures[best] else None


def read_regular_file(path, max_bytes=None):
    """The bytes of ``path`` if it is a regular file (not a link, a device or a pipe) of at most
    ``max_bytes``; None otherwise. A link is never followed, not even at the last step."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or (max_bytes is not None and info.st_size > max_bytes):
        os.close(fd)
        return None
    with os.fdopen(fd, "rb") as file:
        return file.read()


def shown(path):
    """A path as it may appear in a one-line report: as it is when every character is plain
    (no line break, comma or control character could forge a line or a column), else quoted."""
    text = str(path)
    return text if text.isprintable() and "," not in text else repr(text)


def read_notebook(path):
    """(notebook, None) or (None, the reason it cannot be read)."""
    size = path.lstat().st_size
    if size > MAX_BYTES:
        return None, f"{size / 2**20:.0f} MB, over the {MAX_BYTES >> 20} MB a notebook may have"
    data = read_regular_file(path, MAX_BYTES)
    if data is None:
        return None, "not a regular file"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, f"not UTF-8 text (byte {error.start})"
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # JSON and schema errors alike mean "cannot grade"
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return None, f"not a valid notebook ({reason[:200]})"
    return nb, None


def clear_outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def find_submissions(root, days, signatures):
    """Every ``submitted/<student>/<day>/`` folder, each with the files to grade and the
    problems found. ``days``: {day: [notebook stems]}."""
    found = []
    for student_dir in _entries(Path(root) / "submitted", found):
        if not SAFE_NAME.fullmatch(student_dir.name):
            found.append(_refused(student_dir, "not a safe student name (letters, digits and . _ - @ + "
                                  "only, starting with a letter or digit); nobody graded under it"))
            continue
        for day_dir in _entries(student_dir, found):
            submission = Submission(student_dir.name, day_dir.name, day_dir)
            if day_dir.name in days:
                _collect(submission, days[day_dir.name], signatures)
            else:
                _unknown_day(submission, signatures)
            found.append(submission)
    return found


def _entries(folder, found):
    """The sub-folders of ``folder``, sorted; a link in their place is refused, not followed."""
    folders = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.is_symlink():
            found.append(_refused(path, "a symbolic link, not followed; nothing graded through it"))
        elif path.is_dir():
            folders.append(path)
    return folders


def _refused(path, reason):
    submission = Submission(shown(path), "", path, gradable=False)
    submission.problems.append(f"{shown(path)}: {reason}")
    return submission


def _unknown_day(submission, signatures):
    submission.gradable = False
    hint = ""
    for path in sorted(submission.path.glob("*.ipynb")):
        nb, _ = read_notebook(path)
        owner = identify(nb, signatures) if nb else None
        if owner:
            hint = f"; its {shown(path.name)} belongs to {owner[0]}: move it to submitted/{submission.student}/{owner[0]}/"
            break
    submission.problems.append(f"{shown(submission.path)}: no assignment named {submission.day!r}, not graded{hint}")


def _keep_nbgrader_files(submission):
    """nbgrader's own files, kept for the feedback folder, where ``release_feedback`` reads them."""
    for name in sorted(NBGRADER_FILES):
        content = read_regular_file(submission.path / name, 1 << 12)
        if content is not None:
            submission.nbgrader_files[name] = content


def _read_timestamp(submission):
    path = submission.path / "timestamp.txt"
    if path.exists() or path.is_symlink():
        try:
            submission.timestamp = parse_utc(read_regular_file(path, 1 << 10).decode().strip())
        except Exception:  # unparseable: graded as if on time, and said so
            submission.problems.append(f"{shown(path)}: not a timestamp, ignored")


def _not_a_notebook(submission, path):
    """Whether ``path`` is no notebook to grade; an extra file of the student's is named."""
    if ".ipynb_checkpoints" in path.relative_to(submission.path).parts:
        return True  # Jupyter's autosaves
    if path.suffix == ".ipynb":
        return False
    if path.name not in NBGRADER_FILES:
        submission.problems.append(f"{shown(path)}: not a notebook of the assignment, ignored")
    return True


def _collect(submission, expected, signatures):
    _read_timestamp(submission)
    _keep_nbgrader_files(submission)
    renamed, unreadable = [], set()
    for path in _files_within(submission):
        if _not_a_notebook(submission, path):
            continue
        nb, reason = read_notebook(path)
        if nb is None:
            submission.problems.append(f"{shown(path)}: {reason}; scored 0")
            unreadable.add(path.name)
            continue
        owner = identify(nb, signatures)
        if path.stem in expected and owner in (None, (submission.day, path.stem)):
            _accept(submission, path, nb, path.name)
        elif owner and owner[0] == submission.day:
            renamed.append((path, nb, owner[1]))
        elif owner:
            submission.problems.append(
                f"{shown(path)}: a notebook of {owner[0]} ({owner[1]}.ipynb), not of {submission.day}; not graded here")
        else:
            submission.problems.append(f"{shown(path)}: not a notebook of {submission.day}, ignored")
    for path, nb, stem in renamed:
        target = f"{stem}.ipynb"
        if target in submission.files:
            submission.problems.append(f"{shown(path)}: a second copy of {target}, ignored")
        else:
            submission.problems.append(f"{shown(path)}: graded as {target}")
            _accept(submission, path, nb, target)
    for stem in expected:
        if f"{stem}.ipynb" not in submission.files and f"{stem}.ipynb" not in unreadable:
            submission.problems.append(f"{shown(submission.path / (stem + '.ipynb'))}: missing; scored 0")


def _files_within(submission):
    """Every regular file under the submission's folder; links are named, never followed."""
    files = []
    for folder, dirs, names in os.walk(submission.path):  # does not descend into linked folders
        for name in sorted(dirs + names):
            path = Path(folder) / name
            if path.is_symlink():
                submission.problems.append(f"{shown(path)}: a symbolic link, not followed")
            elif name in names:
                files.append(path)
    return sorted(files)


def _accept(submission, path, nb, target):
    size = path.stat().st_size
    if size > HUGE_BYTES:
        submission.problems.append(
            f"{shown(path)}: {size / 2**20:.0f} MB, mostly outputs; outputs cleared before grading")
    submission.files[target] = nbformat.writes(clear_outputs(nb)).encode()
