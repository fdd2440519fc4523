"""Plotting helpers, each taught first on the day named in its docstring."""
import matplotlib.pyplot as plt
import numpy as np


def plot_error_vs_step(hs, errors, ax=None, orders=None, title="Error against step size"):
    """Log-log plot of error against step size h, one line per scheme (Day 1).

    hs: 1-D array of step sizes. errors: dict mapping a scheme's name to its errors at hs.
    orders: optional dict mapping a scheme's name to an order p; a dashed guide of slope p
    is drawn through that scheme's error at the largest h, so the eye can compare slopes.
    The y-axis spans the measured errors (zeros left out), not the guides.
    Returns the Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    hs = np.asarray(hs, dtype=float)
    measured = np.concatenate([np.ravel(np.asarray(err, dtype=float)) for err in errors.values()]
                              + [np.empty(0)])
    measured = measured[np.isfinite(measured) & (measured > 0)]
    for name, err in errors.items():
        line, = ax.loglog(hs, np.asarray(err, dtype=float), marker=".", label=name)
        if orders and name in orders:
            anchor = np.argmax(hs)
            guide = err[anchor] * (hs / hs[anchor]) ** orders[name]
            ax.loglog(hs, guide, linestyle="--", color=line.get_color(), alpha=0.5,
                      label=f"slope {orders[name]}")
    if measured.size:  # the guides may run far below the data; keep the data in view
        ax.set_ylim(measured.min() / 3, measured.max() * 3)
    ax.set_xlabel("step size h")
    ax.set_ylabel("absolute error")
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def plot_contours(ax, f, x_range=(-2.0, 2.0), y_range=(-2.0, 2.0), levels=15, num=200,
                  cmap="viridis"):
    """Contour lines of f(X, Y) over a num x num grid on ``ax`` (Day 2); returns the ContourSet.

    f must accept NumPy arrays X, Y of the same shape and return an array of that shape.
    """
    xs = np.linspace(*x_range, num)
    ys = np.linspace(*y_range, num)
    X, Y = np.meshgrid(xs, ys)
    contours = ax.contour(X, Y, f(X, Y), levels=levels, cmap=cmap, linewidths=0.8)
    ax.set_xlim(*x_range)
    ax.set_ylim(*y_range)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return contours


def plot_contour_path(f, path, ax=None, xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), levels=20,
                      label="descent path", color="tab:red", **line_kwargs):
    """Contours of ``f(X, Y)`` (vectorised over two grids) with ``path`` drawn on top (Day 3).

    path: array of shape (num_points, 2), the iterates in order; the first is marked with
    a square. Several paths can share an Axes: pass the ``ax`` returned by the first call
    (the contours are drawn only by the first). ``line_kwargs`` go to the path's ``plot``.
    Returns the Axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
        plot_contours(ax, f, xlim, ylim, levels=levels)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
    path = np.asarray(path, dtype=float)
    line_kwargs = {"markersize": 4, **line_kwargs}
    ax.plot(path[:, 0], path[:, 1], ".-", color=color, label=label, **line_kwargs)
    ax.plot(path[:1, 0], path[:1, 1], "s", color=color, markersize=6)
    ax.legend(fontsize="small", loc="upper right")
    return ax
