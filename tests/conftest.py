"""Shared fixtures: where the course lives, its days, and a scratch copy of the course root."""
import os
import shutil
from pathlib import Path

from calcopt.instructor import notebooks

REPO = Path(__file__).resolve().parents[1]
AUTOGRADER = REPO / "autograder"
SOURCES = notebooks.source_files(AUTOGRADER / "source")
SOURCE_FILES = [path for paths in SOURCES.values() for path in paths]

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def source_id(path):
    return f"{path.parent.name}/{path.stem}"


def scratch_course_root(parent, parents=False):
    """A scratch nbgrader course root under ``parent`` holding the real config and sources,
    so that release and grading tests never touch the real gradebook."""
    root = parent / "autograder"
    root.mkdir(parents=parents)
    shutil.copy(AUTOGRADER / "nbgrader_config.py", root)
    shutil.copytree(AUTOGRADER / "source", root / "source",
                    ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    return root
