"""Helpers shared by the course notebooks.

- ``calcopt.checks``: self-checks that say clearly what is wrong.
- ``calcopt.plots``: plotting helpers (each names the day that teaches it).
- ``calcopt.widgets``: interactive explorers; callbacks are plain functions.
- ``calcopt.instructor``: release and grading tools (not needed by learners).

Nothing here solves a graded exercise.
"""
import os

# Quiet TensorFlow's C++ start-up log before any notebook imports it: a line on stderr
# inside a graded cell would otherwise read as a failure.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
