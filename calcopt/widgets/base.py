"""What every explorer shares.

Each explorer builds its figure once; moving a slider calls a plain method (``update``)
that only changes the artists' data and asks for a redraw with ``draw_idle``. The method
can be called, and tested, without a browser.
"""
import ipywidgets as widgets
import matplotlib.pyplot as plt


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
    """A figure that is not shown on creation: the explorer places its canvas itself."""
    with plt.ioff():
        return plt.subplots(**kwargs)
