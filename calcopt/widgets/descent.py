"""Day 3: gradient descent on a 1-D landscape, and paths drawn on contour plots.

- ``DescentExplorer``: sliders for the learning rate, the start point and the number of
  steps, and a choice of function (the bowl x² or the bumpy x⁴ - 2x² + x); the descent path
  is redrawn on the curve, and f(x_k) - min f against k beside it, as the sliders move.
"""
import ipywidgets as widgets
import numpy as np

from .base import Explorer, figure_widget, new_figure

# Critical points of x⁴ - 2x² + x: the roots of 4x³ - 4x + 1, in increasing order
# (global minimum, local maximum, local minimum).
_QUARTIC_CRITICAL = np.sort(np.roots([4.0, 0.0, -4.0, 1.0]).real)


def _quartic(x):
    return x**4 - 2 * x**2 + x


# name -> (f, df, global minimum value, the x that separates the basins or None)
FUNCTIONS = {
    "x²": (lambda x: x**2, lambda x: 2 * x, 0.0, None),
    "x⁴ - 2x² + x": (_quartic, lambda x: 4 * x**3 - 4 * x + 1,
                     float(_quartic(_QUARTIC_CRITICAL[0])), float(_QUARTIC_CRITICAL[1])),
}

DIVERGED_ABOVE = 1e6  # |x| beyond this counts as diverged and the path stops there
_GAP_FLOOR = 1e-16    # smallest gap drawn on the log axis
_SAME = 1e-6          # a last gap more than this relative margin above the first counts as growing


class DescentExplorer(Explorer):
    """Day 3: gradient descent x_{k+1} = x_k - lr * f'(x_k) on a curve.

    Left: the curve and the path (dots joined in order, so oscillation shows as a zigzag).
    Right: the gap f(x_k) - min f on a log scale against k: a straight falling line is
    linear convergence, a rising one divergence, a flat one no progress (lr = 2/L on x²
    bounces between x0 and -x0 forever; on the quartic, a path trapped in the local basin or
    creeping off the local maximum). The readout names the regime.
    """

    def __init__(self, function="x²", lr=0.1, x0=2.0, num_steps=30, x_range=(-2.0, 2.0)):
        self.x_range = x_range
        self.fig, (self.ax, self.ax_gap) = new_figure(ncols=2, figsize=(8, 3.5))
        self.curve, = self.ax.plot([], [], color="black")
        self.path, = self.ax.plot([], [], ".-", color="tab:red", markersize=5, linewidth=0.8)
        self.start, = self.ax.plot([], [], "s", color="tab:red")
        self.readout = self.ax.text(0.03, 0.97, "", transform=self.ax.transAxes, va="top",
                                    family="monospace", fontsize="small")
        self.ax.set_xlim(*x_range)
        self.ax.set_xlabel("x")
        self.gap, = self.ax_gap.semilogy([], [], ".-", color="tab:red", markersize=4)
        self.ax_gap.set_xlabel("step k")
        self.ax_gap.set_ylabel("f(x_k) - min f")
        self.ax_gap.set_ylim(_GAP_FLOOR, 1e8)
        self.fig.tight_layout()

        self.function_dropdown = widgets.Dropdown(options=list(FUNCTIONS), value=function,
                                                  description="f(x)")
        self.lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0.1, step=0.01,
                                                description="lr", readout_format=".3f")
        self.x0_slider = widgets.FloatSlider(value=x0, min=x_range[0], max=x_range[1],
                                             step=0.01, description="x0")
        # at least 2 steps: a bounce shows only as a return to x0
        self.steps_slider = widgets.IntSlider(value=num_steps, min=2, max=100, description="steps")
        for control in (self.function_dropdown, self.lr_slider, self.x0_slider, self.steps_slider):
            control.observe(self._on_change, names="value")
        self._function = None
        self.status = ""
        self.update(function, lr, x0, num_steps)

    def _on_change(self, change):
        self.update(self.function_dropdown.value, self.lr_slider.value, self.x0_slider.value,
                    self.steps_slider.value)

    def _path(self, df, x0, lr, num_steps):
        """Iterates of plain gradient descent, stopped early once |x| passes DIVERGED_ABOVE."""
        xs = [float(x0)]
        for _ in range(num_steps):
            x = xs[-1] - lr * df(xs[-1])
            if not abs(x) <= DIVERGED_ABOVE:  # also catches inf and nan
                return xs, True
            xs.append(x)
        return xs, False

    def _show_function(self, function):
        f = FUNCTIONS[function][0]
        xs = np.linspace(*self.x_range, 400)
        ys = f(xs)
        self.curve.set_data(xs, ys)
        span = np.ptp(ys)
        self.ax.set_ylim(ys.min() - 0.1 * span, ys.max() + 0.3 * span)
        self.ax.set_title(f"f(x) = {function}", fontsize="medium")
        self._function = function

    def update(self, function, lr, x0, num_steps):
        """Run num_steps of descent on ``function`` from x0 with rate lr; redraw."""
        if function != self._function:
            self._show_function(function)
        f, df, f_min, ridge = FUNCTIONS[function]
        xs, diverged = self._path(df, x0, lr, num_steps)
        xs = np.array(xs)
        ys = f(xs)
        self.path.set_data(xs, ys)
        self.start.set_data(xs[:1], ys[:1])
        self.gap.set_data(np.arange(len(xs)), np.maximum(ys - f_min, _GAP_FLOOR))
        self.ax_gap.set_xlim(0, num_steps)
        self.status = self._regime(xs, ys - f_min, diverged, ridge)
        self.readout.set_text(f"lr = {lr:.3f}\nx_{len(xs) - 1} = {xs[-1]: .4g}\n{self.status}")
        self.fig.canvas.draw_idle()

    @staticmethod
    def _regime(xs, gaps, diverged, ridge):
        """A short name for what the path does: diverging, or converging (monotone or
        oscillating), and on a bumpy curve which basin it ends in."""
        if diverged or gaps[-1] > gaps[0] * (1 + _SAME):
            return "diverging"
        if len(xs) > 1 and np.all(xs == xs[0]):
            return "not moving: a critical point"
        if len(xs) > 2 and np.allclose(xs[2:], xs[:-2], rtol=1e-9, atol=0.0):
            # a two-point cycle x0, x1, x0, x1, ...: |1 - lr f''| = 1 (lr = 2/L on x²). A flat gap
            # alone is no sign of it: a path creeping off the quartic's local maximum has one too.
            return "not converging: bouncing forever"
        steps = np.diff(xs)
        zigzag = len(steps) > 1 and bool(np.any(steps[1:] * steps[:-1] < 0))
        label = "oscillating" if zigzag else "monotone"
        if ridge is not None:
            basin = "global" if xs[-1] < ridge else "local"
            return f"{label}, {basin} minimum's basin"
        return f"{label}, {'slow' if gaps[-1] > 1e-2 * gaps[0] else 'converging'}"

    @property
    def path_x(self):
        """The iterates as drawn (read back from the artist)."""
        return np.asarray(self.path.get_xdata(), dtype=float)

    def widget(self):
        controls = widgets.VBox([widgets.HBox([self.function_dropdown, self.steps_slider]),
                                 widgets.HBox([self.lr_slider, self.x0_slider])])
        return widgets.VBox([controls, figure_widget(self.fig)])
