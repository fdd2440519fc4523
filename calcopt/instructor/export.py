"""``grades.csv`` for the course: nbgrader's CSV export, without the days nobody submitted.

nbgrader's ``CsvExportPlugin`` writes a row for every student and every assignment in the
gradebook, so each day released but not yet due shows every student with 0. This exporter
writes the same columns, the same way, for the days with at least one submission; a student
who did not submit one of those days still gets a row with 0, as nbgrader gives it.

    nbgrader export --to grades.csv --exporter=calcopt.instructor.export.SubmittedDaysCsvExport
"""
from nbgrader.plugins import CsvExportPlugin

# No assignment has an empty name: the filter that lets none through when nothing was submitted.
NO_ASSIGNMENT = ""


class SubmittedDaysCsvExport(CsvExportPlugin):
    """nbgrader's CSV export of the assignments with at least one submission (and among
    them, those named by ``--assignment``, if any)."""

    def export(self, gradebook):
        submitted = [a.name for a in gradebook.assignments
                     if a.submissions and (not self.assignment or a.name in self.assignment)]
        self.assignment = submitted or [NO_ASSIGNMENT]
        super().export(gradebook)
