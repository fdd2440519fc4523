"""Day 7's explorer: its rates come from torch's schedulers, its callback only changes data."""
import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from calcopt.widgets.schedules import (SCHEDULES, ScheduleExplorer,  # noqa: E402
                                       expected_quadratic_losses, noisy_quadratic_losses,
                                       torch_lrs)


@pytest.fixture
def explorer():
    e = ScheduleExplorer(schedule="warmup + cosine", lr=0.5, final_fraction=0.01,
                         warmup_steps=20, num_steps=200)
    yield e
    plt.close(e.fig)


def count_draws(e):
    calls = []
    e.fig.canvas.draw_idle = lambda *args, **kwargs: calls.append(1)
    return calls


@pytest.mark.parametrize("name", SCHEDULES)
def test_every_schedule_starts_and_ends_where_it_should(name):
    lrs = torch_lrs(name, 0.5, 100, final_fraction=0.01, warmup_steps=10)
    assert lrs.shape == (100,) and np.all(np.isfinite(lrs)) and np.all(lrs > 0)
    if name in ("constant", "linear warmup"):
        assert lrs[-1] == pytest.approx(0.5)
    else:
        assert lrs[-1] < 0.05 and lrs.max() == pytest.approx(0.5)


def test_known_values():
    np.testing.assert_allclose(torch_lrs("step", 1.0, 8, final_fraction=0.125),
                               [1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125], rtol=1e-12)
    np.testing.assert_allclose(torch_lrs("exponential", 1.0, 4, final_fraction=0.0625),
                               0.5 ** np.arange(4), rtol=1e-12)
    np.testing.assert_allclose(torch_lrs("1/t", 1.0, 4, final_fraction=0.5), 1 / (1 + np.arange(4) / 4),
                               rtol=1e-12)
    warm = torch_lrs("warmup + cosine", 1.0, 10, final_fraction=0.1, warmup_steps=4)
    np.testing.assert_allclose(warm[:5], [0.01, 0.2575, 0.505, 0.7525, 1.0], rtol=1e-12)
    t = np.arange(4, 10)
    np.testing.assert_allclose(warm[4:], 0.1 + 0.45 * (1 + np.cos(np.pi * (t - 4) / 6)), rtol=1e-12)


def test_noisy_quadratic_is_sgd_with_the_given_noise():
    lrs = np.array([0.1, 0.2, 0.3])
    z = np.random.default_rng(0).normal(size=3)
    x, want = 3.0, [4.5]
    for lr, zt in zip(lrs, z):
        x -= lr * (x + zt)
        want.append(0.5 * x * x)
    np.testing.assert_allclose(noisy_quadratic_losses(lrs), want, rtol=1e-12)


def test_divergence_is_cut_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses = noisy_quadratic_losses(np.full(500, 3.0))
    assert len(losses) < 501 and np.all(np.isfinite(losses))


def test_update_only_changes_data(explorer):
    calls = count_draws(explorer)
    fig, lines = explorer.fig, list(explorer.ax_lr.lines) + list(explorer.ax_loss.lines)
    figures = plt.get_fignums()
    explorer.update("one-cycle", 1.0, 0.001, 30, 300)
    explorer.update("step", 0.1, 0.1, 5, 50)
    assert explorer.fig is fig
    assert list(explorer.ax_lr.lines) + list(explorer.ax_loss.lines) == lines
    assert plt.get_fignums() == figures
    assert len(calls) == 2
    xs, ys = explorer.lr_line.get_data()
    np.testing.assert_allclose(ys, torch_lrs("step", 0.1, 50, 0.1, 5), rtol=1e-12)


def test_decay_lowers_the_noise_floor(explorer):
    explorer.update("constant", 0.5, 0.01, 20, 200)
    constant = explorer.final_loss
    explorer.update("warmup + cosine", 0.5, 0.01, 20, 200)
    assert explorer.final_loss < constant / 5


def test_too_large_a_rate_diverges(explorer):
    explorer.update("constant", 3.0, 0.01, 20, 200)
    assert explorer.final_loss == float("inf")
    assert "diverged" in explorer.readout.get_text()


def test_sliders_drive_update(explorer):
    calls = count_draws(explorer)
    explorer.schedule_dropdown.value = "exponential"
    assert explorer.ax_lr.get_title() == "exponential"
    explorer.lr_slider.value = 0.1
    assert explorer.lr_line.get_ydata()[0] == pytest.approx(0.1)
    explorer.steps_slider.value = 100
    assert len(explorer.lr_line.get_xdata()) == 100
    explorer.fraction_slider.value = 0.1
    explorer.warmup_slider.value = 5
    assert len(calls) == 5


def test_widget_holds_controls_and_canvas(explorer):
    box = explorer.widget()
    assert isinstance(box, widgets.VBox) and len(box.children) == 2


def test_expected_losses_match_the_average_over_seeds_and_the_floor():
    lrs = 0.5 / (1 + np.arange(60) / 2)
    mean = np.mean([noisy_quadratic_losses(lrs, seed=s) for s in range(4000)], axis=0)
    exact = expected_quadratic_losses(lrs)
    assert exact.shape == (61,) and exact[0] == 4.5
    np.testing.assert_allclose(mean, exact, rtol=0.08)
    floor = expected_quadratic_losses(np.full(200, 0.5))[-1]
    assert floor == pytest.approx(0.5 / (2 * (2 - 0.5)), rel=1e-9)  # eta sigma^2 / (2 (2 - a eta))


def test_warmup_cosine_ends_at_the_final_fraction():
    lrs = torch_lrs("warmup + cosine", 2.0, 50, final_fraction=0.1, warmup_steps=10)
    assert lrs[10] == pytest.approx(2.0) and lrs[0] == pytest.approx(0.02)
    assert lrs[-1] == pytest.approx(0.2 + 0.9 * (1 + np.cos(np.pi * 39 / 40)), rel=1e-12)
