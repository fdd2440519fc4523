"""The instructor report: which tests the class passes, and how the scores spread.

Written by ``make grade`` from the gradebook into ``<root>/report/``: ``report.md`` and the same
as ``report.html`` (everything named while grading, then the pass rate of every test cell, per
day) and ``scores.png`` (the distribution of total scores, one panel a day). The grades
themselves are in ``<root>/grades.csv``.
"""
from pathlib import Path

import matplotlib
import mistune

matplotlib.use("Agg")  # a file, never a window
import matplotlib.pyplot as plt  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402


def collect(db_url, skip=()):
    """{day: {"tests": {(notebook, cell): [passed, ...]}, "scores": [total, ...], "max": m}},
    leaving out the (student, day) pairs in ``skip``: submissions that could not be graded."""
    days = {}
    with Gradebook(db_url) as gradebook:
        for assignment in gradebook.assignments:
            day = days[assignment.name] = {"tests": {}, "scores": [], "max": assignment.max_score}
            for submission in assignment.submissions:
                if (submission.student.id, assignment.name) in skip:
                    continue
                day["scores"].append(submission.score)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.max_score:  # a graded test cell
                            key = (notebook.name, grade.name)
                            day["tests"].setdefault(key, []).append(grade.score >= grade.max_score)
    return days


def write(root, out_dir, problems=None, db_url=None, not_graded=None):
    """Write report.md, report.html and scores.png from the gradebook; returns report.md's path.

    problems: {(student, day): [lines]}, everything named while grading, listed in full;
    not_graded: {(student, day): [lines]}, submissions that could not be graded at all, left
    out of the statistics. db_url: the gradebook (default: ``<root>/gradebook.db``).
    """
    root, out_dir = Path(root), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    problems, not_graded = problems or {}, not_graded or {}
    days = collect(db_url or f"sqlite:///{root / 'gradebook.db'}", skip=set(not_graded))
    lines = ["# Grading report", ""]
    if problems:
        lines += ["## Problems", ""]
        lines += [f"- {line}" for key, found in sorted(problems.items()) for line in found]
        lines.append("")
    for day, data in days.items():
        lines += _day_section(day, data)
    lines += ["![Score distribution per day](scores.png)", ""]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines))
    _plot_scores(days, out_dir / "scores.png")
    (out_dir / "report.html").write_text(_html(lines))
    return path


def _day_section(day, data):
    scores = data["scores"]
    lines = [f"## {day}", "", f"{len(scores)} submissions graded; maximum score {data['max']:g}.", ""]
    if scores:
        lines += [f"Mean score {sum(scores) / len(scores):.2f}, "
                  f"full marks {sum(s >= data['max'] for s in scores)} of {len(scores)}.", "",
                  "| notebook | test | pass rate |", "|---|---|---|"]
        for (notebook, cell), passed in sorted(data["tests"].items()):
            lines.append(f"| {notebook} | {cell} | {sum(passed)}/{len(passed)} "
                         f"({100 * sum(passed) / len(passed):.0f}%) |")
        lines.append("")
    return lines


def _html(lines):
    """The markdown report as a standalone HTML page, by nbconvert's own markdown renderer."""
    body = mistune.create_markdown(plugins=["table"])("\n".join(lines))
    style = "body{font-family:sans-serif;max-width:60em;margin:auto}td,th{padding:2px 8px;border:1px solid #ccc}"
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Grading report</title>"
            f"<style>{style}</style></head><body>\n{body}</body></html>\n")


def _plot_scores(days, path):
    fig, axes = plt.subplots(1, max(1, len(days)), figsize=(4 * max(1, len(days)), 3), squeeze=False)
    for ax, (day, data) in zip(axes[0], days.items()):
        ax.hist(data["scores"], bins=10, range=(0, data["max"] or 1), color="tab:blue")
        ax.set_title(day)
        ax.set_xlabel("score")
        ax.set_ylabel("students")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
