"""Day 6's explorer: its callback reruns the race without rebuilding the figure."""
import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from calcopt.optimizers_demo import PROBLEMS, race_path  # noqa: E402
from calcopt.widgets.optimizers import OptimizerRace  # noqa: E402


@pytest.fixture
def race():
    e = OptimizerRace(problem="ravine", lr=0.02, beta=0.9, num_steps=50,
                      racing=("GD", "momentum"))
    yield e
    plt.close(e.fig)


def count_draws(e):
    calls = []
    e.fig.canvas.draw_idle = lambda *args, **kwargs: calls.append(1)
    return calls


def test_gd_path_is_gradient_descent_on_the_ravine(race):
    start = PROBLEMS["ravine"][2]
    k = np.arange(51)[:, None]
    expected = start * (1 - 0.02 * np.array([1.0, 50.0])) ** k
    np.testing.assert_allclose(race.path_of("GD"), expected, rtol=1e-12, atol=1e-15)


def test_momentum_path_is_the_heavy_ball(race):
    grad = PROBLEMS["ravine"][1]
    x, v = PROBLEMS["ravine"][2].copy(), np.zeros(2)
    path = [x.copy()]
    for _ in range(50):
        v = 0.9 * v + grad(x)
        x = x - 0.02 * v
        path.append(x.copy())
    np.testing.assert_allclose(race.path_of("momentum"), np.array(path), rtol=1e-12, atol=1e-15)


def test_unticked_optimizers_draw_nothing_and_ticking_adds_a_path(race):
    assert race.path_of("Adam").shape == (0, 2)
    race.checkboxes["Adam"].value = True
    assert race.path_of("Adam").shape == (51, 2)
    race.checkboxes["GD"].value = False
    assert race.path_of("GD").shape == (0, 2)
    assert set(race.final_gaps) == {"momentum", "Adam"}


def test_divergence_is_cut_and_reported(race):
    race.update("ravine", 0.5, 0.9, 100, ("GD",))  # 0.5 > 2/L = 0.04
    assert race.final_gaps["GD"] == np.inf
    assert "diverged" in race.readout.get_text()
    assert np.all(np.isfinite(race.path_of("GD")))


def test_momentum_beats_gd_in_the_ravine_and_adam_walks_rosenbrock(race):
    race.update("ravine", 0.0614, 0.566, 100, ("GD", "momentum"))  # momentum's best pair
    assert race.final_gaps["momentum"] < 1e-6 * race.final_gaps["GD"]
    path, diverged = race_path("Rosenbrock", "Adam", 0.05, 0.9, 300)
    assert not diverged and len(path) == 301


def test_update_only_changes_data(race):
    calls = count_draws(race)
    fig, lines = race.fig, list(race.ax.lines) + list(race.ax_gap.lines)
    figures = plt.get_fignums()
    race.update("Rosenbrock", 0.001, 0.9, 80, ("GD", "Adam"))
    race.update("ravine", 0.01, 0.5, 20, ("Nesterov",))
    assert race.fig is fig
    assert list(race.ax.lines) + list(race.ax_gap.lines) == lines
    assert plt.get_fignums() == figures
    assert len(calls) == 2


def test_sliders_drive_update(race):
    calls = count_draws(race)
    race.lr_slider.value = 0.01
    np.testing.assert_allclose(race.path_of("GD")[1], PROBLEMS["ravine"][2] * [0.99, 0.5])
    race.steps_slider.value = 30
    assert race.path_of("GD").shape == (31, 2)
    race.problem_dropdown.value = "Rosenbrock"
    assert "Rosenbrock" in race.ax.get_title()
    np.testing.assert_allclose(race.path_of("GD")[0], PROBLEMS["Rosenbrock"][2])
    assert len(calls) == 3


def test_widget_holds_controls_and_canvas(race):
    box = race.widget()
    assert isinstance(box, widgets.VBox)
    assert len(box.children) == 3
