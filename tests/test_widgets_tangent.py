"""TangentExplorer (Day 1): its callbacks are plain methods, driven here without a browser."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from calcopt.widgets import TangentExplorer  # noqa: E402


@pytest.fixture
def explorer():
    return TangentExplorer(np.sin, np.cos, x0=1.0, h=0.5)


def test_tangent_slope_is_the_derivative(explorer):
    assert explorer.tangent_slope == pytest.approx(np.cos(1.0), rel=1e-12)


def test_update_moves_point_and_tangent(explorer):
    before_tangent = [a.copy() for a in map(np.asarray, explorer.tangent.get_data())]
    explorer.update(-2.0, 0.5)
    x, y = map(np.asarray, explorer.point.get_data())
    assert x[0] == pytest.approx(-2.0) and y[0] == pytest.approx(np.sin(-2.0))
    after_tangent = list(map(np.asarray, explorer.tangent.get_data()))
    assert not np.allclose(before_tangent[0], after_tangent[0])
    assert not np.allclose(before_tangent[1], after_tangent[1])
    assert explorer.tangent_slope == pytest.approx(np.cos(-2.0), rel=1e-12)
    # The tangent passes through the point.
    xs, ys = after_tangent
    assert np.interp(-2.0, xs, ys) == pytest.approx(np.sin(-2.0), abs=1e-12)


@pytest.mark.parametrize("x0, h", [(1.0, 0.5), (-0.3, 1e-2), (2.5, 1e-6)])
def test_secant_slope_is_the_forward_difference(explorer, x0, h):
    explorer.update(x0, h)
    forward = (np.sin(x0 + h) - np.sin(x0)) / h
    assert explorer.secant_slope == pytest.approx(forward, rel=1e-9)
    x, y = map(np.asarray, explorer.second_point.get_data())
    assert x[0] == pytest.approx(x0 + h) and y[0] == pytest.approx(np.sin(x0 + h))


def test_secant_turns_into_tangent(explorer):
    gaps = []
    for h in (1.0, 0.1, 0.01, 0.001):
        explorer.update(0.7, h)
        gaps.append(abs(explorer.secant_slope - explorer.tangent_slope))
    assert all(b < a for a, b in zip(gaps, gaps[1:]))


def test_sliders_drive_update_without_rebuilding(explorer):
    fig, lines, texts = explorer.fig, list(explorer.ax.lines), list(explorer.ax.texts)
    draws = []
    explorer.fig.canvas.draw_idle = lambda *a, **k: draws.append(1)
    explorer.x_slider.value = -1.5
    explorer.h_slider.value = 1e-3
    assert len(draws) == 2
    x, _ = map(np.asarray, explorer.point.get_data())
    assert x[0] == pytest.approx(-1.5)
    assert explorer.secant_slope == pytest.approx((np.sin(-1.5 + 1e-3) - np.sin(-1.5)) / 1e-3,
                                                  rel=1e-9)
    assert explorer.fig is fig and list(explorer.ax.lines) == lines \
        and list(explorer.ax.texts) == texts


def test_readout_reports_both_errors(explorer):
    explorer.update(1.0, 1e-2)
    text = explorer.readout.get_text()
    assert "forward error" in text and "central error" in text
    forward = abs((np.sin(1.01) - np.sin(1.0)) / 1e-2 - np.cos(1.0))
    assert f"{forward:.2e}" in text


def test_widget_holds_sliders_and_figure(explorer):
    box = explorer.widget()
    sliders = box.children[0].children
    assert explorer.x_slider in sliders and explorer.h_slider in sliders
    assert explorer.h_slider.min == -12  # down to h = 1e-12, where round-off shows


def test_figure_is_not_in_pyplots_list(explorer):
    # A later `%matplotlib inline` cell shows and closes every figure pyplot knows of; the
    # live explorer must not be among them.
    import matplotlib.pyplot as plt
    assert explorer.fig.number not in plt.get_fignums()
    plt.close("all")
    explorer.update(0.5, 0.1)
    assert explorer.secant_slope == pytest.approx((np.sin(0.6) - np.sin(0.5)) / 0.1, rel=1e-9)
