"""What ``make grade`` shows while it works and when it ends."""
import sys
import time

from nbgrader.api import Gradebook

from .config import COURSE_ID


def _duration(seconds):
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


class Progress:
    """One line: a bar, graded, failed, remaining and the time left at the pace so far.
    Redrawn in place on a terminal; one line per submission in a log file."""

    def __init__(self, total, stream=None):
        self.total, self.done, self.failed = total, 0, 0
        self.start = time.monotonic()
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()

    def line(self):
        elapsed = time.monotonic() - self.start
        left = self.total - self.done
        eta = _duration(elapsed / self.done * left) if self.done else "?"
        filled = 20 * self.done // max(1, self.total)
        return (f"[{'#' * filled}{'.' * (20 - filled)}] {self.done}/{self.total} done, "
                f"{self.failed} failed, {left} remaining, about {eta} left")

    def advance(self, failed=False):
        self.done += 1
        self.failed += failed
        self.stream.write(("\r" if self.live else "") + self.line() + ("" if self.live else "\n"))
        self.stream.flush()

    def finish(self):
        if self.live:
            self.stream.write("\n")
        self.stream.write(f"graded {self.done} submissions in {_duration(time.monotonic() - self.start)}\n")


def summary_table(db_url, times, problems):
    """A plain-text table of every submission in the gradebook: score, time, notes."""
    rows = [("student", "day", "score", "max", "seconds", "notes")]
    with Gradebook(db_url, COURSE_ID) as gradebook:
        for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
            for submission in sorted(assignment.submissions, key=lambda s: s.student.id):
                key = (submission.student.id, assignment.name)
                seconds = f"{times[key]:.1f}" if key in times else "-"
                rows.append((key[0], key[1], f"{submission.score:g}", f"{submission.max_score:g}",
                             seconds, str(len(problems.get(key, [])) or "")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
