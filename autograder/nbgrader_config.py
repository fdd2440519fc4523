"""nbgrader configuration of the course. The root is this folder; sources are the py:percent
files in source/<day>/, built into notebooks beside them by `make release`."""
import os

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, Execute,
                                    IgnorePattern, LimitOutput, SaveAutoGrades)

from calcopt.instructor.notebooks import CODE_STUB
from calcopt.instructor.preprocessors import WarningsAreNotFailures

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "calcopt"
# The .py sources are the files people edit; students receive only the built notebooks.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.py"]

# A test cell a student deleted is restored and graded, instead of silently losing its points.
c.OverwriteCells.add_missing_cells = True

c.ClearSolutions.code_stub = CODE_STUB

# Each test cell runs in well under 5 s on a laptop; a minute allows for a slow machine
# and for the imports of PyTorch and TensorFlow in the first cells.
c.Execute.timeout = 60

c.Autograde.autograde_preprocessors = [
    Execute,
    WarningsAreNotFailures,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
