"""What every explorer shares.

Each explorer builds its figure once; moving a slider calls a plain method (``update``)
that only changes the artists' data and asks for a redraw with ``draw_idle``. The method
can be called, and tested, without a browser.
"""
import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib._pylab_helpers import Gcf


class Explorer:
    """The part every explorer shares: shown in a notebook as its ``widget()`` (controls
    and the live figure), which each explorer lays out itself."""

    def widget(self):
        raise NotImplementedError

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget())


def figure_widget(fig):
    """The widget that shows ``fig``: the ipympl canvas itself under ``%matplotlib widget``,
    otherwise an Output that shows a static copy (enough for a kernel without a front end)."""
    if isinstance(fig.canvas, widgets.DOMWidget):
        fig.canvas.header_visible = False
        fig.canvas.toolbar_visible = False
        return fig.canvas
    from IPython.display import display
    out = widgets.Output()
    with out:
        display(fig)
    return out


def new_figure(**kwargs):
    """A figure that is not shown on creation: the explorer places its canvas itself.

    The figure is also taken off pyplot's list of open figures (as ipympl does for a figure
    it has shown): otherwise the next ``%matplotlib inline`` cell would show it again as a
    static picture and then close it, killing the live widget, and so would
    ``plt.close("all")``. The figure stays alive as long as the explorer holds it.
    """
    with plt.ioff():
        fig, axes = plt.subplots(**kwargs)
    Gcf.figs.pop(fig.number, None)
    return fig, axes
