"""The instructor report: which tests the class passes, and how the scores spread.

Written by ``make grade`` from the gradebook into ``<root>/report/``: ``report.md`` (pass rate
per test cell, per day) and ``scores.png`` (the distribution of total scores, one panel a day).
"""
from pathlib import Path

import matplotlib

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


def write(root, out_dir, not_graded=None):
    """Write report.md and scores.png for the gradebook in ``root``; returns the report's path.

    not_graded: {(student, day): [reasons]} for submissions that could not be graded; they
    are listed with their reasons and left out of the statistics.
    """
    root, out_dir = Path(root), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    not_graded = not_graded or {}
    days = collect(f"sqlite:///{root / 'gradebook.db'}", skip=set(not_graded))
    lines = ["# Grading report", ""]
    if not_graded:
        lines += ["## Not graded", ""]
        lines += [f"- {student}/{day}: {reason}" for (student, day), reasons in sorted(not_graded.items())
                  for reason in reasons]
        lines.append("")
    for day, data in days.items():
        scores = data["scores"]
        lines += [f"## {day}", "",
                  f"{len(scores)} submissions graded; maximum score {data['max']:g}.", ""]
        if scores:
            lines += [f"Mean score {sum(scores) / len(scores):.2f}, "
                      f"full marks {sum(s >= data['max'] for s in scores)} of {len(scores)}.", "",
                      "| notebook | test | pass rate |", "|---|---|---|"]
            for (notebook, cell), passed in sorted(data["tests"].items()):
                lines.append(f"| {notebook} | {cell} | {sum(passed)}/{len(passed)} "
                             f"({100 * sum(passed) / len(passed):.0f}%) |")
            lines.append("")
    lines += ["![Score distribution](scores.png)", ""]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines))
    _plot_scores(days, out_dir / "scores.png")
    return path


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
