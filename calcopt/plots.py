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
