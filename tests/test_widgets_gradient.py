"""The Day 2 explorer's callback, without a browser: it moves the artists it built and
reads back the numbers the notebook teaches (grad f . v peaks at |grad f| along grad f)."""
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from calcopt.plots import plot_contours  # noqa: E402
from calcopt.widgets.gradient import GradientExplorer  # noqa: E402


def f(x, y):
    return x**2 + 3 * y**2 + np.sin(x * y)


def grad_f(x, y):
    return np.array([2 * x + y * np.cos(x * y), 6 * y + x * np.cos(x * y)])


@pytest.fixture
def explorer():
    return GradientExplorer(f, grad_f, x0=1.0, y0=0.5, angle=30.0)


def artist_counts(ex):
    return [(len(ax.lines), len(ax.collections), len(ax.texts)) for ax in ex.fig.axes]


def test_update_moves_the_point_and_the_gradient_arrow(explorer):
    explorer.update(-0.7, 1.2, 45.0)
    assert explorer.point.get_data()[0][0] == pytest.approx(-0.7)
    assert explorer.point.get_data()[1][0] == pytest.approx(1.2)
    np.testing.assert_allclose(explorer.grad_arrow.get_offsets()[0], [-0.7, 1.2])
    drawn = np.array([explorer.grad_arrow.U[0], explorer.grad_arrow.V[0]])
    np.testing.assert_allclose(drawn, explorer.arrow_scale * grad_f(-0.7, 1.2), rtol=1e-12)
    np.testing.assert_allclose(explorer.gradient, grad_f(-0.7, 1.2), rtol=1e-12)


def test_v_is_a_unit_vector_at_the_slider_angle(explorer):
    explorer.update(0.3, -0.4, 120.0)
    v = explorer.direction
    assert np.hypot(*v) == pytest.approx(1.0)
    assert np.rad2deg(np.arctan2(v[1], v[0])) == pytest.approx(120.0)
    drawn = np.array([explorer.v_arrow.U[0], explorer.v_arrow.V[0]])
    np.testing.assert_allclose(drawn, explorer.arrow_length * v, atol=1e-12)


@pytest.mark.parametrize("x0, y0", [(1.0, 0.5), (-1.5, 0.2), (0.4, -1.8)])
def test_directional_derivative_peaks_along_the_gradient(explorer, x0, y0):
    g = grad_f(x0, y0)
    norm = np.hypot(*g)
    along = np.rad2deg(np.arctan2(g[1], g[0]))
    explorer.update(x0, y0, along % 360)
    assert explorer.slope == pytest.approx(norm, rel=1e-12)
    explorer.update(x0, y0, (along + 180) % 360)
    assert explorer.slope == pytest.approx(-norm, rel=1e-12)
    explorer.update(x0, y0, (along + 90) % 360)
    assert explorer.slope == pytest.approx(0.0, abs=1e-12)
    # The curve on the right panel is grad f . v for every angle; its maximum is |grad f|.
    assert explorer.curve.get_ydata().max() == pytest.approx(norm, rel=1e-4)
    assert explorer.upper.get_ydata()[0] == pytest.approx(norm)


def test_slope_panel_keeps_its_scale_so_the_cosine_shrinks_near_the_minimum(explorer):
    # The notebook asks what happens to the cosine's height as the point nears the minimum:
    # the y axis must stay put for the answer (it flattens) to show.
    explorer.update(1.2, -0.7, 0.0)
    limits, far = explorer.ax_slope.get_ylim(), np.abs(explorer.curve.get_ydata()).max()
    explorer.update(0.05, 0.0, 0.0)
    near = np.abs(explorer.curve.get_ydata()).max()
    assert explorer.ax_slope.get_ylim() == limits
    assert near < 0.05 * far
    assert limits[1] >= np.hypot(*grad_f(2.0, -2.0))  # the steepest corner of the map fits
    assert explorer.grad_arrow.get_zorder() > explorer.v_arrow.get_zorder()


def test_readout_shows_the_slope(explorer):
    explorer.update(1.0, 0.5, 0.0)
    assert f"grad f . v = {grad_f(1.0, 0.5)[0]: .3f}" in explorer.readout.get_text()


def test_level_tangent_is_perpendicular_to_the_gradient(explorer):
    explorer.update(0.8, -0.3, 10.0)
    xs, ys = explorer.level_tangent.get_data()
    direction = np.array([xs[1] - xs[0], ys[1] - ys[0]])
    assert direction @ grad_f(0.8, -0.3) == pytest.approx(0.0, abs=1e-12)


def test_sliders_call_update_and_redraw_without_new_artists(explorer, monkeypatch):
    calls = []
    monkeypatch.setattr(explorer.fig.canvas, "draw_idle", lambda *a, **k: calls.append(1))
    before = artist_counts(explorer)
    explorer.x_slider.value = -1.0
    explorer.y_slider.value = 1.5
    explorer.angle_slider.value = 200.0
    assert len(calls) == 3
    assert explorer.point.get_data()[0][0] == pytest.approx(-1.0)
    assert explorer.point.get_data()[1][0] == pytest.approx(1.5)
    assert explorer.direction[0] == pytest.approx(np.cos(np.deg2rad(200.0)))
    assert artist_counts(explorer) == before


def test_align_buttons_turn_v_along_plus_and_minus_gradient(explorer):
    explorer.update(1.2, -0.6, 0.0)
    explorer.x_slider.value, explorer.y_slider.value = 1.2, -0.6
    norm = np.hypot(*grad_f(1.2, -0.6))
    explorer.descent_button.click()
    assert explorer.slope == pytest.approx(-norm, rel=1e-9)
    explorer.ascent_button.click()
    assert explorer.slope == pytest.approx(norm, rel=1e-9)


def test_stationary_point_warns_nothing_and_draws(explorer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.update(0.0, 0.0, 90.0)
        explorer.align(-1)  # no direction to align with: nothing happens
        explorer.fig.canvas.draw()
    assert explorer.slope == 0.0
    assert len(explorer.level_tangent.get_xdata()) == 0
    assert not explorer.grad_angle.get_visible()


def test_figure_is_not_tracked_by_pyplot(explorer):
    # A later `%matplotlib inline` cell shows and closes every figure pyplot tracks.
    from matplotlib._pylab_helpers import Gcf
    assert all(m.canvas.figure is not explorer.fig for m in Gcf.get_all_fig_managers())


def test_plot_contours_sets_the_view():
    from matplotlib.figure import Figure
    ax = Figure().subplots()
    plot_contours(ax, f, (-1.0, 2.0), (-0.5, 0.5), levels=5, num=30)
    assert ax.get_xlim() == (-1.0, 2.0)
    assert ax.get_ylim() == (-0.5, 0.5)
