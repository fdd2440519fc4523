"""nbgrader preprocessors of the course, added to nbgrader's own in ``nbgrader_config.py``."""
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor


class WarningsAreNotFailures(NbGraderPreprocessor):
    """nbgrader gives a grade cell no points if it printed anything to stderr, so a correct
    answer that triggers a harmless warning would fail. Relabel stderr in grade cells as
    stdout: the text stays in the feedback, and only a raised error fails the test.
    Runs after Execute and before SaveAutoGrades."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output["name"] = "stdout"
        return cell, resources
