"""Day 1: the derivative as the slope of the tangent."""
import ipywidgets as widgets
import numpy as np

from .base import Explorer, figure_widget, new_figure


class TangentExplorer(Explorer):
    """Day 1: a point on y = f(x), its tangent (slope f'(x0)) and the forward-difference
    secant through x0 and x0 + h. Sliders move x0 and log10(h); the secant turns into the
    tangent as h shrinks, and the readout shows how far their slopes are apart, for the
    forward and the central difference. The h slider reaches down to 1e-12, where round-off
    makes both errors grow again."""

    def __init__(self, f, df, x_range=(-3.0, 3.0), x0=1.0, h=0.5, label="f(x)"):
        self.f, self.df = f, df
        xs = np.linspace(*x_range, 400)
        ys = f(xs)
        self.fig, self.ax = new_figure(figsize=(6, 4))
        self.ax.plot(xs, ys, color="black", label=label)
        span = np.ptp(ys)
        self.ax.set_ylim(ys.min() - 0.2 * span, ys.max() + 0.2 * span)
        self.ax.set_xlim(*x_range)
        self.tangent, = self.ax.plot([], [], color="tab:blue", label="tangent, slope f'(x0)")
        self.secant, = self.ax.plot([], [], color="tab:orange", linestyle="--",
                                    label="secant, slope (f(x0+h) - f(x0)) / h")
        self.point, = self.ax.plot([], [], "o", color="tab:blue")
        self.second_point, = self.ax.plot([], [], "o", color="tab:orange", markersize=4)
        self.readout = self.ax.text(0.02, 0.97, "", transform=self.ax.transAxes, va="top",
                                    family="monospace", fontsize="small")
        self.ax.legend(loc="lower right", fontsize="small")
        self.x_slider = widgets.FloatSlider(value=x0, min=x_range[0], max=x_range[1], step=0.01,
                                            description="x0")
        self.h_slider = widgets.FloatLogSlider(value=h, base=10, min=-12, max=0, step=0.1,
                                               description="h", readout_format=".1e")
        self.x_slider.observe(self._on_slider, names="value")
        self.h_slider.observe(self._on_slider, names="value")
        self.update(x0, h)

    def _on_slider(self, change):
        self.update(self.x_slider.value, self.h_slider.value)

    def update(self, x0, h):
        """Move the point to x0 and the secant's second point to x0 + h; redraw."""
        y0 = self.f(x0)
        y1 = self.f(x0 + h)
        slope = self.df(x0)
        secant_slope = (y1 - y0) / h
        central_slope = (y1 - self.f(x0 - h)) / (2 * h)
        half = 0.35 * np.ptp(self.ax.get_xlim())
        xs = np.array([x0 - half, x0 + half])
        self.tangent.set_data(xs, y0 + slope * (xs - x0))
        self.secant.set_data(xs, y0 + secant_slope * (xs - x0))
        self.point.set_data([x0], [y0])
        self.second_point.set_data([x0 + h], [y1])
        self.readout.set_text(f"f'(x0)          = {slope: .8f}\n"
                              f"forward secant  = {secant_slope: .8f}\n"
                              f"|forward error| = {abs(secant_slope - slope):.2e}\n"
                              f"|central error| = {abs(central_slope - slope):.2e}")
        self.fig.canvas.draw_idle()

    @property
    def tangent_slope(self):
        """Slope of the tangent line as drawn (read back from the artist)."""
        xs, ys = self.tangent.get_data()
        return (ys[1] - ys[0]) / (xs[1] - xs[0])

    @property
    def secant_slope(self):
        """Slope of the secant line as drawn (read back from the artist)."""
        xs, ys = self.secant.get_data()
        return (ys[1] - ys[0]) / (xs[1] - xs[0])

    def widget(self):
        return widgets.VBox([widgets.HBox([self.x_slider, self.h_slider]),
                             figure_widget(self.fig)])
