"""The nbgrader configuration of the course, in one place: ``autograder/nbgrader_config.py``
loads it for the course root, and each grading worker for its scratch copy of one submission."""
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, GetGrades,
                                    IgnorePattern, LimitOutput, SaveAutoGrades)

from .notebooks import CODE_STUB
from .preprocessors import (GradingExecute, HideHiddenTests, SafeOutputs, VerifyOutsideKernel,
                            WarningsAreNotFailures)

COURSE_ID = "calcopt"

# The order matters: the checks are judged and stderr relabelled before the points are saved.
AUTOGRADE_PREPROCESSORS = [
    GradingExecute,
    VerifyOutsideKernel,
    WarningsAreNotFailures,
    SafeOutputs,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]


def course_config(root):
    """nbgrader settings for the course root ``root``, as a nested dict."""
    return {
        "CourseDirectory": {
            "root": str(root),
            "course_id": COURSE_ID,
            # The .py sources are the files people edit; students receive only the notebooks.
            "ignore": [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.py"],
        },
        # A test cell a student deleted is restored and graded instead of losing its points.
        "OverwriteCells": {"add_missing_cells": True},
        "ClearSolutions": {"code_stub": CODE_STUB},
        # Each test cell runs in well under 5 s on a laptop; a minute allows for a slow
        # machine and for the imports of PyTorch and TensorFlow in the first cells.
        "GradingExecute": {"timeout": 60},
        "Autograde": {"autograde_preprocessors": AUTOGRADE_PREPROCESSORS},
        # Students' feedback: no hidden test's code, inputs or values (nbgrader shows them).
        "GenerateFeedback": {"preprocessors": [HideHiddenTests, GetGrades, CSSHTMLHeaderPreprocessor]},
        # Feedback pages and formgrader clean what a submission wrote, where their templates
        # let them (the outputs); SafeOutputs cleaned the rest when grading.
        "HTMLExporter": {"sanitize_html": True},
    }


# nbgrader as it comes, for comparing our grades and speed with its own: only what the course
# root needs to be a root (its id, the .py sources left out, deleted test cells restored).
STOCK_CONFIG = f"""
c = get_config()
c.CourseDirectory.course_id = "{COURSE_ID}"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.py"]
c.OverwriteCells.add_missing_cells = True
c.ClearSolutions.code_stub = {CODE_STUB!r}
c.Execute.timeout = 60
"""
