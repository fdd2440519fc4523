"""The instructor report: which tests the class passes, who is late, what waits for a human.

Written by ``make grade`` from the gradebook into ``<root>/report/``: ``report.md`` and the same
as ``report.html`` and ``scores.png`` (the distribution of total scores, one panel a day). The
report holds, in order: everything named while grading; the late submissions (how late, the
penalty applied); the cells waiting for a manual grade; per day, the pass rate of every test
cell; each student's failed tests. Days come in syllabus order, and a day nobody submitted is
left out. The grades themselves are in ``<root>/grades.csv``.
"""
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import mistune

matplotlib.use("Agg")  # a file, never a window
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402


@dataclass(frozen=True)
class Cell:
    """One graded cell of one submission."""
    notebook: str
    name: str
    score: float
    max_score: float
    pending: bool  # waits for a manual grade: neither passed nor failed yet

    @property
    def passed(self):
        return not self.pending and self.score >= self.max_score

    @property
    def label(self):
        return f"{self.notebook}/{self.name}"


@dataclass
class Submission:
    """One student's submission of one day, as the gradebook holds it."""
    student: str
    day: str
    score: float
    seconds_late: float = 0.0
    penalty: float = 0.0
    cells: list = field(default_factory=list)


def collect(db_url, skip=()):
    """{day: {"max": maximum score, "submissions": [Submission, ...]}}, days in syllabus order
    (by name), leaving out the (student, day) pairs in ``skip`` (submissions that could not
    be graded) and every day left with no submission."""
    days = {}
    with Gradebook(db_url) as gradebook:
        for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
            submissions = [_submission(s, assignment.name) for s in assignment.submissions
                           if (s.student.id, assignment.name) not in skip]
            if submissions:
                days[assignment.name] = {"max": assignment.max_score,
                                         "submissions": sorted(submissions, key=lambda s: s.student)}
    return days


def _submission(submission, day):
    cells = [Cell(notebook.name, grade.name, grade.score or 0.0, grade.max_score,
                  bool(grade.needs_manual_grade))
             for notebook in submission.notebooks for grade in notebook.grades if grade.max_score]
    return Submission(submission.student.id, day, submission.score,
                      submission.total_seconds_late, submission.late_submission_penalty or 0.0,
                      sorted(cells, key=lambda c: (c.notebook, c.name)))


def write(root, out_dir, problems=None, db_url=None, not_graded=None):
    """Write report.md, report.html and scores.png from the gradebook; returns report.md's path.

    problems: {(student, day): [lines]}, everything named while grading, listed in full;
    not_graded: {(student, day): [lines]}, submissions that could not be graded at all, left
    out of the statistics. db_url: the gradebook (default: ``<root>/gradebook.db``).
    """
    root, out_dir = Path(root), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    days = collect(db_url or f"sqlite:///{root / 'gradebook.db'}", skip=set(not_graded or {}))
    lines = render(days, problems or {})
    path = out_dir / "report.md"
    path.write_text("\n".join(lines))
    _plot_scores(days, out_dir / "scores.png")
    (out_dir / "report.html").write_text(_html(lines))
    return path


def render(days, problems):
    """The report's markdown lines, from ``collect``'s days and the problems named."""
    submissions = [s for data in days.values() for s in data["submissions"]]
    lines = ["# Grading report", ""]
    if problems:
        lines += ["## Problems", ""]
        lines += [f"- {line}" for _, found in sorted(problems.items()) for line in found]
        lines.append("")
    if not days:
        lines += ["No submission was graded.", ""]
    lines += _late_section(submissions)
    lines += _pending_section(submissions)
    for day, data in days.items():
        lines += _day_section(day, data)
    lines += _failed_section(submissions)
    lines += ["![Score distribution per day](scores.png)", ""]
    return lines


def _table(header, rows, empty="None."):
    """A markdown table, or ``empty`` when there are no rows."""
    if not rows:
        return [empty, ""]
    return ([f"| {' | '.join(header)} |", "|" + "---|" * len(header)]
            + [f"| {' | '.join(str(value) for value in row)} |" for row in rows] + [""])


def _by_student(submissions):
    """Submissions by student, then day in syllabus order."""
    return sorted(submissions, key=lambda s: (s.student, s.day))


def _late_section(submissions):
    rows = [(s.student, s.day, _duration(s.seconds_late), f"{s.penalty:g}")
            for s in _by_student(submissions) if s.seconds_late > 0]
    return ["## Late submissions", ""] + _table(("student", "day", "late by", "penalty (points)"), rows)


def _pending_section(submissions):
    rows = []
    for s in _by_student(submissions):
        pending = [cell.label for cell in s.cells if cell.pending]
        if pending:
            rows.append((s.student, s.day, len(pending), ", ".join(pending)))
    lines = ["## Pending manual grades", ""]
    if rows:
        cells = sum(row[2] for row in rows)
        lines += [f"{_count(cells, 'cell')} in {_count(len(rows), 'submission')} "
                  f"{'waits' if cells == 1 else 'wait'} for a manual grade (formgrader); "
                  "a cell counts in no pass rate until graded.", ""]
    return lines + _table(("student", "day", "pending", "cells"), rows)


def _failed_section(submissions):
    rows = []
    for s in _by_student(submissions):
        failed = [f"{cell.label} ({cell.score:g}/{cell.max_score:g})"
                  for cell in s.cells if not cell.pending and not cell.passed]
        if failed:
            rows.append((s.student, s.day, ", ".join(failed)))
    return (["## Failed tests per student", ""]
            + _table(("student", "day", "tests without full points"), rows, "None: every test passed."))


def _day_section(day, data):
    scores = [s.score for s in data["submissions"]]
    return [f"## {day}", "",
            f"{len(scores)} submissions graded; maximum score {data['max']:g}.", "",
            f"Mean score {sum(scores) / len(scores):.2f}, "
            f"full marks {sum(s >= data['max'] for s in scores)} of {len(scores)}.", ""
            ] + _table(("notebook", "test", "pass rate", "pending"), _pass_rates(data["submissions"]))


def _pass_rates(submissions):
    """A row per test cell: passed of those graded (a cell waiting for a manual grade is
    neither), and how many wait."""
    cells = {}
    for submission in submissions:
        for cell in submission.cells:
            cells.setdefault((cell.notebook, cell.name), []).append(cell)
    rows = []
    for (notebook, name), graded in sorted(cells.items()):
        decided = [cell for cell in graded if not cell.pending]
        passed = sum(cell.passed for cell in decided)
        rate = f"{passed}/{len(decided)} ({100 * passed / len(decided):.0f}%)" if decided else "-"
        rows.append((notebook, name, rate, len(graded) - len(decided)))
    return rows


def _count(number, noun):
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _duration(seconds):
    """A delay for people: ``2 d 3 h``, ``1 h 5 min``, ``12 min``, ``40 s``."""
    seconds = int(round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{seconds} s"


def _html(lines):
    """The markdown report as a standalone HTML page, by nbconvert's own markdown renderer."""
    body = mistune.create_markdown(plugins=["table"])("\n".join(lines))
    style = "body{font-family:sans-serif;max-width:60em;margin:auto}td,th{padding:2px 8px;border:1px solid #ccc}"
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Grading report</title>"
            f"<style>{style}</style></head><body>\n{body}</body></html>\n")


def _plot_scores(days, path):
    """One histogram a day submitted, students counted in whole numbers."""
    fig, axes = plt.subplots(1, max(1, len(days)), figsize=(4 * max(1, len(days)), 3), squeeze=False)
    for ax, (day, data) in zip(axes[0], days.items()):
        ax.hist([s.score for s in data["submissions"]], bins=10, range=(0, data["max"] or 1),
                color="tab:blue")
        ax.set_title(day)
        ax.set_xlabel("score")
        ax.set_ylabel("students")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if not days:
        axes[0][0].set_title("no submissions")
        axes[0][0].set_axis_off()
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
