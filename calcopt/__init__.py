"""Helpers shared by the course notebooks.

- ``calcopt.checks``: self-checks that say clearly what is wrong.
- ``calcopt.plots``: plotting helpers (each names the day that teaches it).
- ``calcopt.widgets``: interactive explorers; callbacks are plain functions.
- ``calcopt.instructor``: release and grading tools (not needed by learners).

Nothing here solves a graded exercise.
"""
import os

# Quiet TensorFlow's start-up log before any notebook imports it: a line on stderr inside a
# graded cell reads as a failure. Its oneDNN notice ignores the log level and is silenced
# only by turning oneDNN's reordered (so slightly different) float arithmetic off, which
# also keeps TensorFlow's results reproducible against ours.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

__version__ = "0.1.0"
