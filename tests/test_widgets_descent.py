"""Day 3's explorer: its callback redraws the descent path without rebuilding the figure."""
import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from calcopt.plots import plot_contour_path  # noqa: E402
from calcopt.widgets.descent import DIVERGED_ABOVE, FUNCTIONS, DescentExplorer  # noqa: E402

QUARTIC = "x⁴ - 2x² + x"


@pytest.fixture
def explorer():
    e = DescentExplorer(function="x²", lr=0.1, x0=2.0, num_steps=30)
    yield e
    plt.close(e.fig)


def count_draws(e):
    calls = []
    e.fig.canvas.draw_idle = lambda *args, **kwargs: calls.append(1)
    return calls


def test_path_is_gradient_descent_on_x_squared(explorer):
    explorer.update("x²", 0.1, 2.0, 10)
    np.testing.assert_allclose(explorer.path_x, 2.0 * 0.8 ** np.arange(11), rtol=1e-12)
    xs, ys = explorer.path.get_data()
    np.testing.assert_allclose(ys, np.asarray(xs) ** 2, rtol=1e-12)


def test_lr_above_one_flips_sign_and_grows(explorer):
    explorer.update("x²", 1.1, 2.0, 3)
    np.testing.assert_allclose(explorer.path_x, [2.0, -2.4, 2.88, -3.456], rtol=1e-12)
    assert explorer.status == "diverging"


@pytest.mark.parametrize("lr, expected", [(0.001, "monotone, slow"),
                                          (0.3, "monotone, converging"),
                                          (0.9, "oscillating, converging"),
                                          (1.05, "diverging")])
def test_regimes_are_named(explorer, lr, expected):
    explorer.update("x²", lr, 1.5, 40)
    assert explorer.status == expected
    assert expected.split(",")[0] in explorer.readout.get_text()


@pytest.mark.parametrize("lr", [1.0, 10 ** (-3 + 300 * 0.01)])  # 2/L, as typed and as the log slider gives it
def test_lr_two_over_L_bounces_forever(explorer, lr):
    explorer.update("x²", lr, 1.5, 40)
    np.testing.assert_allclose(np.abs(explorer.path_x), 1.5, rtol=1e-9)
    assert explorer.status == "not converging: bouncing forever"
    assert "slow" not in explorer.status


def test_start_on_a_critical_point_does_not_move(explorer):
    explorer.update("x²", 0.3, 0.0, 10)
    assert explorer.status == "not moving: a critical point"


def test_quartic_basins(explorer):
    explorer.update(QUARTIC, 0.01, 2.0, 100)
    assert explorer.status.endswith("local minimum's basin")
    assert abs(explorer.path_x[-1] - 0.8376) < 5e-3
    explorer.update(QUARTIC, 0.01, -2.0, 100)
    assert explorer.status.endswith("global minimum's basin")
    assert abs(explorer.path_x[-1] + 1.1072) < 5e-3


def test_divergence_stops_without_warnings_and_stays_finite(explorer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow RuntimeWarning would fail here
        explorer.update(QUARTIC, 1.2, 2.0, 100)
    assert explorer.status == "diverging"
    xs, ys = explorer.path.get_data()
    gx, gy = explorer.gap.get_data()
    for values in (xs, ys, gx, gy):
        assert np.all(np.isfinite(values))
    assert np.max(np.abs(xs)) <= DIVERGED_ABOVE
    assert len(xs) < 101


def test_update_only_changes_data(explorer):
    calls = count_draws(explorer)
    fig, lines = explorer.fig, list(explorer.ax.lines) + list(explorer.ax_gap.lines)
    figures = plt.get_fignums()
    explorer.update(QUARTIC, 0.05, -1.5, 50)
    explorer.update("x²", 0.5, 1.0, 5)
    assert explorer.fig is fig
    assert list(explorer.ax.lines) + list(explorer.ax_gap.lines) == lines
    assert plt.get_fignums() == figures
    assert len(calls) == 2


def test_function_selector_swaps_the_curve(explorer):
    explorer.function_dropdown.value = QUARTIC
    xs, ys = explorer.curve.get_data()
    np.testing.assert_allclose(ys, FUNCTIONS[QUARTIC][0](np.asarray(xs)), rtol=1e-12)
    assert QUARTIC in explorer.ax.get_title()
    assert explorer.ax.get_ylim()[0] < np.min(ys)


def test_sliders_drive_update(explorer):
    calls = count_draws(explorer)
    explorer.lr_slider.value = 0.5  # one step lands on the minimum of x²
    np.testing.assert_allclose(explorer.path_x[:3], [2.0, 0.0, 0.0], atol=1e-12)
    explorer.x0_slider.value = -1.0
    assert explorer.path_x[0] == pytest.approx(-1.0)
    explorer.steps_slider.value = 7
    assert len(explorer.path_x) == 8
    assert explorer.gap.get_xdata()[-1] == 7
    assert len(calls) == 3


def test_widget_holds_controls_and_canvas(explorer):
    box = explorer.widget()
    assert isinstance(box, widgets.VBox)
    assert len(box.children) == 2


def test_plot_contour_path_draws_the_given_path():
    path = np.array([[1.0, 1.0], [0.5, -0.4], [0.2, 0.1]])
    ax = plot_contour_path(lambda X, Y: X**2 + 3 * Y**2, path)
    line = ax.lines[0]
    np.testing.assert_allclose(np.column_stack(line.get_data()), path)
    ax = plot_contour_path(None, path * 2, ax=ax, label="second")
    assert len(ax.lines) == 4
    plt.close(ax.figure)


@pytest.mark.parametrize("lr", [0.001, 0.01, 0.03])
@pytest.mark.parametrize("x0", [0.27, 0.84])  # beside the local maximum, beside the local minimum
def test_slow_quartic_paths_are_not_called_bouncing(explorer, lr, x0):
    explorer.update(QUARTIC, lr, x0, 30)
    assert explorer.status == "monotone, local minimum's basin"


def test_steps_slider_starts_at_two(explorer):
    assert explorer.steps_slider.min == 2
