"""Interactive explorers, one module per day.

Each explorer builds its figure once; moving a slider calls a plain method (``update``)
that only changes the artists' data and asks for a redraw with ``draw_idle``. The method
can be called, and tested, without a browser.
"""
from .base import Explorer, figure_widget, new_figure
from .tangent import TangentExplorer  # Day 1
from .gradient import GradientExplorer  # Day 2
from .descent import DescentExplorer  # Day 3

__all__ = ["Explorer", "figure_widget", "new_figure", "TangentExplorer", "GradientExplorer", "DescentExplorer"]
