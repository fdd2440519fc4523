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
  huge outputs costs nothing; more than ``HUGE_BYTES`` of them is named.
"""
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.utils import parse_utc

HUGE_BYTES = 5 << 20
NBGRADER_FILES = {"timestamp.txt"}  # written by nbgrader's collect and submit; not an extra file


@dataclass
class Submission:
    student: str
    day: str
    path: Path
    files: dict = field(default_factory=dict)  # expected notebook file name -> bytes to grade
    problems: list = field(default_factory=list)  # one line each
    gradable: bool = True
    timestamp: object = None  # from nbgrader's timestamp.txt, when the submission has one

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


def read_notebook(path):
    """(notebook, None) or (None, the reason it cannot be read)."""
    try:
        text = path.read_bytes().decode("utf-8")
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
    for student_dir in sorted(p for p in (Path(root) / "submitted").glob("*") if p.is_dir()):
        for day_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
            submission = Submission(student_dir.name, day_dir.name, day_dir)
            if day_dir.name in days:
                _collect(submission, days[day_dir.name], signatures)
            else:
                _unknown_day(submission, signatures)
            found.append(submission)
    return found


def _unknown_day(submission, signatures):
    submission.gradable = False
    hint = ""
    for path in sorted(submission.path.glob("*.ipynb")):
        nb, _ = read_notebook(path)
        owner = identify(nb, signatures) if nb else None
        if owner:
            hint = f"; its {path.name} belongs to {owner[0]}: move it to submitted/{submission.student}/{owner[0]}/"
            break
    submission.problems.append(f"{submission.path}: no assignment named {submission.day!r}, not graded{hint}")


def _read_timestamp(submission):
    path = submission.path / "timestamp.txt"
    if path.exists():
        try:
            submission.timestamp = parse_utc(path.read_text().strip())
        except Exception:  # unparseable: graded as if on time, and said so
            submission.problems.append(f"{path}: not a timestamp, ignored")


def _not_a_notebook(submission, path):
    """Whether ``path`` is no notebook to grade; an extra file of the student's is named."""
    if ".ipynb_checkpoints" in path.relative_to(submission.path).parts:
        return True  # Jupyter's autosaves
    if path.suffix == ".ipynb":
        return False
    if path.name not in NBGRADER_FILES:
        submission.problems.append(f"{path}: not a notebook of the assignment, ignored")
    return True


def _collect(submission, expected, signatures):
    _read_timestamp(submission)
    renamed, unreadable = [], set()
    for path in sorted(p for p in submission.path.rglob("*") if p.is_file()):
        if _not_a_notebook(submission, path):
            continue
        nb, reason = read_notebook(path)
        if nb is None:
            submission.problems.append(f"{path}: {reason}; scored 0")
            unreadable.add(path.name)
            continue
        owner = identify(nb, signatures)
        if path.stem in expected and owner in (None, (submission.day, path.stem)):
            _accept(submission, path, nb, path.name)
        elif owner and owner[0] == submission.day:
            renamed.append((path, nb, owner[1]))
        elif owner:
            submission.problems.append(
                f"{path}: a notebook of {owner[0]} ({owner[1]}.ipynb), not of {submission.day}; not graded here")
        else:
            submission.problems.append(f"{path}: not a notebook of {submission.day}, ignored")
    for path, nb, stem in renamed:
        target = f"{stem}.ipynb"
        if target in submission.files:
            submission.problems.append(f"{path}: a second copy of {target}, ignored")
        else:
            submission.problems.append(f"{path}: graded as {target}")
            _accept(submission, path, nb, target)
    for stem in expected:
        if f"{stem}.ipynb" not in submission.files and f"{stem}.ipynb" not in unreadable:
            submission.problems.append(f"{submission.path / (stem + '.ipynb')}: missing; scored 0")


def _accept(submission, path, nb, target):
    size = path.stat().st_size
    if size > HUGE_BYTES:
        submission.problems.append(
            f"{path}: {size / 2**20:.0f} MB, mostly outputs; outputs cleared before grading")
    submission.files[target] = nbformat.writes(clear_outputs(nb)).encode()
