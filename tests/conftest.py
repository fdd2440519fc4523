"""Shared fixtures: where the course lives, its days, and a scratch copy of the course root."""
import os
from pathlib import Path

from calcopt.instructor import notebooks
from calcopt.instructor.release import copy_course_root

REPO = Path(__file__).resolve().parents[1]
AUTOGRADER = REPO / "autograder"
SOURCES = notebooks.source_files(AUTOGRADER / "source")
SOURCE_FILES = [path for paths in SOURCES.values() for path in paths]

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def source_id(path):
    return f"{path.parent.name}/{path.stem}"

# A scratch copy of the course root, for release and grading tests.
scratch_course_root = copy_course_root
