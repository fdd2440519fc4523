"""Day 2: the gradient on a contour map, and the directional derivative grad f . v.

``GradientExplorer`` shows a point on the contour plot of f(x, y), the gradient arrow there,
the level curve's tangent (perpendicular to the gradient) and a unit vector v turned by an
angle slider; a second panel plots the directional derivative grad f . v against the angle,
a cosine that peaks at |grad f| when v points along grad f. That panel's y axis is fixed (it
fits the largest |grad f| on the map), so the cosine visibly flattens near a minimum.

"""
import ipywidgets as widgets
import numpy as np

from ..plots import plot_contours
from .base import Explorer, figure_widget, new_figure


class GradientExplorer(Explorer):
    """Day 2: pick a point (x0, y0) on the contour map of f and a direction angle; see the
    gradient there and the directional derivative grad f . v along the unit vector v.

    f(X, Y) is vectorised over NumPy arrays (for the contours); grad(x, y) returns the two
    partial derivatives (df/dx, df/dy) at a point. Angles are in degrees, counter-clockwise
    from the x axis. After ``update`` the attributes ``gradient`` (shape (2,)), ``direction``
    (the unit vector v, shape (2,)) and ``slope`` (grad f . v, a float) hold what is drawn.
    """

    def __init__(self, f, grad, x_range=(-2.0, 2.0), y_range=(-2.0, 2.0), x0=1.0, y0=0.5,
                 angle=0.0, label="f(x, y)"):
        self.f, self.grad = f, grad
        self.fig, (self.ax, self.ax_slope) = new_figure(ncols=2, figsize=(8, 3.6),
                                                        layout="constrained",
                                                        width_ratios=[1.0, 1.1])

        # Left: the map, drawn once. Arrow lengths are in data units: the gradient is scaled
        # so that the steepest gradient on a coarse grid is 0.3 of the map's width.
        plot_contours(self.ax, f, x_range, y_range)
        self.ax.set_title(f"contours of {label}", fontsize="medium")
        X, Y = np.meshgrid(np.linspace(*x_range, 41), np.linspace(*y_range, 41))
        gx, gy = (np.asarray(g, dtype=float) for g in grad(X, Y))
        max_norm = float(np.max(np.hypot(gx, gy)))
        self.arrow_length = 0.3 * (x_range[1] - x_range[0])
        self.arrow_scale = self.arrow_length / max(max_norm, 1e-12)
        arrow = dict(angles="xy", scale_units="xy", scale=1, width=0.012, zorder=3)
        # The gradient arrow is drawn over v's (zorder): it is never longer, so both stay visible.
        self.grad_arrow = self.ax.quiver([x0], [y0], [0.0], [0.0], color="tab:red",
                                         label="grad f (scaled)", **{**arrow, "zorder": 3.5})
        self.v_arrow = self.ax.quiver([x0], [y0], [0.0], [0.0], color="tab:blue",
                                      label="unit direction v", **arrow)
        self.level_tangent, = self.ax.plot([], [], color="black", linestyle="--", linewidth=1,
                                           label="level curve's tangent")
        self.point, = self.ax.plot([], [], "o", color="black", markersize=5, zorder=4)
        self.ax.legend(loc="upper left", fontsize="x-small", framealpha=0.9)

        # Right: grad f . v as v turns through a full circle, on a fixed scale: the largest
        # |grad f| on the map fits, so moving the point shows the cosine grow and shrink.
        self.thetas = np.linspace(0.0, 360.0, 361)
        self.curve, = self.ax_slope.plot(self.thetas, np.zeros_like(self.thetas),
                                         color="tab:blue")
        self.upper = self.ax_slope.axhline(0.0, color="tab:red", linestyle=":", linewidth=1)
        self.lower = self.ax_slope.axhline(0.0, color="tab:red", linestyle=":", linewidth=1)
        self.ax_slope.axhline(0.0, color="grey", linewidth=0.5)
        self.grad_angle = self.ax_slope.axvline(0.0, color="tab:red", linewidth=1)
        self.marker, = self.ax_slope.plot([], [], "o", color="tab:blue")
        self.ax_slope.set_xlim(0.0, 360.0)
        self.slope_bound = 1.1 * max_norm if max_norm > 0 else 1.0
        self.ax_slope.set_ylim(-self.slope_bound, self.slope_bound)
        self.ax_slope.set_xticks([0, 90, 180, 270, 360])
        self.ax_slope.set_xlabel("angle of v (degrees)")
        self.ax_slope.set_ylabel("grad f . v")
        self.readout = self.ax_slope.set_title("", family="monospace", fontsize="x-small",
                                               loc="left")

        self.x_slider = widgets.FloatSlider(value=x0, min=x_range[0], max=x_range[1],
                                            step=0.05, description="x0")
        self.y_slider = widgets.FloatSlider(value=y0, min=y_range[0], max=y_range[1],
                                            step=0.05, description="y0")
        self.angle_slider = widgets.FloatSlider(value=angle, min=0.0, max=360.0, step=1.0,
                                                description="angle of v")
        for slider in (self.x_slider, self.y_slider, self.angle_slider):
            slider.observe(self._on_slider, names="value")
        self.ascent_button = widgets.Button(description="v along +grad f")
        self.descent_button = widgets.Button(description="v along -grad f")
        self.ascent_button.on_click(lambda _: self.align(+1))
        self.descent_button.on_click(lambda _: self.align(-1))
        self.update(x0, y0, angle)

    def _on_slider(self, change):
        self.update(self.x_slider.value, self.y_slider.value, self.angle_slider.value)

    def update(self, x0, y0, angle):
        """Move the point to (x0, y0) and turn v to ``angle`` degrees: set the artists' data,
        then ``draw_idle``. Nothing is created or removed, and the axes' limits stay fixed."""
        g = np.asarray(self.grad(x0, y0), dtype=float).reshape(2)
        norm = float(np.hypot(*g))
        rad = np.deg2rad(angle)
        v = np.array([np.cos(rad), np.sin(rad)])
        self.gradient, self.direction, self.slope = g, v, float(g @ v)

        self.point.set_data([x0], [y0])
        for arrow, (u, w) in ((self.grad_arrow, self.arrow_scale * g),
                              (self.v_arrow, self.arrow_length * v)):
            arrow.set_offsets([[x0, y0]])
            arrow.set_UVC([u], [w])
        if norm > 0:  # the tangent of the level curve is perpendicular to the gradient
            t = 0.6 * self.arrow_length * np.array([-g[1], g[0]]) / norm
            self.level_tangent.set_data([x0 - t[0], x0 + t[0]], [y0 - t[1], y0 + t[1]])
        else:  # a stationary point: no gradient, no level-curve direction
            self.level_tangent.set_data([], [])

        rads = np.deg2rad(self.thetas)
        self.curve.set_ydata(g[0] * np.cos(rads) + g[1] * np.sin(rads))
        self.upper.set_ydata([norm, norm])
        self.lower.set_ydata([-norm, -norm])
        grad_deg = float(np.rad2deg(np.arctan2(g[1], g[0])) % 360.0)
        self.grad_angle.set_xdata([grad_deg, grad_deg])
        self.grad_angle.set_visible(norm > 0)
        self.marker.set_data([angle], [self.slope])
        between = (angle - grad_deg + 180.0) % 360.0 - 180.0
        self.readout.set_text(
            f"grad f = ({g[0]: .3f}, {g[1]: .3f})   |grad f| = {norm:.3f}\n"
            f"v      = ({v[0]: .3f}, {v[1]: .3f})   angle to grad f = {between: .0f} deg\n"
            f"grad f . v = {self.slope: .3f}   (max {norm:.3f} along grad f)")
        self.fig.canvas.draw_idle()

    def align(self, sign=1):
        """Turn v along +grad f (sign = 1) or -grad f (sign = -1) through the angle slider."""
        gx, gy = sign * self.gradient
        if gx == 0 and gy == 0:
            return
        self.angle_slider.value = round(float(np.rad2deg(np.arctan2(gy, gx)) % 360.0), 6)

    def widget(self):
        return widgets.VBox([
            widgets.HBox([self.x_slider, self.y_slider]),
            widgets.HBox([self.angle_slider, self.ascent_button, self.descent_button]),
            figure_widget(self.fig)])
