"""Interactive explorers, one module per day.

Each explorer builds its figure once; moving a control calls a plain method (``update``)
that only changes the artists' data and asks for a redraw with ``draw_idle``. The method
can be called, and tested, without a browser.

``from calcopt.widgets import DescentExplorer`` imports only that explorer's module: some
of them need PyTorch, which a day that does not use it should not pay for.
"""
import importlib

from .base import Explorer, figure_widget, new_figure

EXPLORERS = {
    "TangentExplorer": "tangent",  # Day 1
    "GradientExplorer": "gradient",  # Day 2
    "DescentExplorer": "descent",  # Day 3
    "BackpropExplorer": "backprop",  # Day 4
    "SGDExplorer": "sgd",  # Day 5
    "OptimizerRace": "optimizers",  # Day 6
    "ScheduleExplorer": "schedules",  # Day 7
    "GradientFlowExplorer": "depth",  # Day 8
}

__all__ = ["Explorer", "figure_widget", "new_figure", *EXPLORERS]


def __getattr__(name):
    if name in EXPLORERS:
        return getattr(importlib.import_module(f".{EXPLORERS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
