"""Day 5's explorer: its callback redraws the mini-batch path without rebuilding the figure."""
import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from calcopt.widgets.sgd import SGDExplorer  # noqa: E402


@pytest.fixture
def explorer():
    e = SGDExplorer(batch_size=8, lr=0.05, num_epochs=3, seed=0)
    yield e
    plt.close(e.fig)


def count_draws(e):
    calls = []
    e.fig.canvas.draw_idle = lambda *args, **kwargs: calls.append(1)
    return calls


def test_number_of_updates_keeps_the_last_partial_batch(explorer):
    explorer.update(10, 0.05, 2, 0)  # 64 examples: 6 full batches and one of 4, per epoch
    assert len(explorer.path_w) == 2 * 7 + 1
    np.testing.assert_allclose(explorer.path_w[0], explorer.w0)


def test_path_is_minibatch_sgd_in_the_stated_order(explorer):
    explorer.update(16, 0.1, 1, 3)
    X, y = explorer.X, explorer.y
    order = np.random.default_rng(3).permutation(len(y))
    w = explorer.w0.copy()
    for k, start in enumerate(range(0, len(y), 16)):
        idx = order[start:start + 16]
        w = w - 0.1 * 2 / len(idx) * X[idx].T @ (X[idx] @ w - y[idx])
        np.testing.assert_allclose(explorer.path_w[k + 1], w, rtol=1e-12)


def test_full_batch_is_deterministic_gradient_descent(explorer):
    explorer.update(5, 0.1, 4, 7)
    X, y = explorer.X, explorer.y
    w = explorer.w0.copy()
    for _ in range(4):
        w = w - 0.1 * 2 / len(y) * X.T @ (X @ w - y)
    np.testing.assert_allclose(np.column_stack(explorer.full_path.get_data())[-1], w, rtol=1e-12)


def test_small_batches_wander_more_than_large_ones(explorer):
    def spread(batch_size):  # distance to the minimum over the last 10 updates, 5 seeds
        out = []
        for seed in range(5):
            explorer.update(batch_size, 0.3, 30, seed)
            out.append(np.linalg.norm(explorer.path_w[-10:] - explorer.w_star, axis=1).mean())
        return np.mean(out)
    assert spread(1) > 5 * spread(32)


def test_divergence_stops_quietly(explorer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.update(1, 1.0, 20, 0)
    assert "diverged" in explorer.status
    assert np.all(np.isfinite(explorer.path_w))


def test_update_only_changes_data_and_sliders_drive_it(explorer):
    calls = count_draws(explorer)
    fig, lines, figures = explorer.fig, list(explorer.ax.lines), plt.get_fignums()
    explorer.batch_slider.value = 64
    assert len(explorer.path_w) == 3 + 1  # one update per epoch
    explorer.lr_slider.value = 0.02
    explorer.epochs_slider.value = 5
    explorer.seed_slider.value = 2
    assert explorer.fig is fig and list(explorer.ax.lines) == lines
    assert plt.get_fignums() == figures
    assert len(calls) == 4
    assert "B = 64" in explorer.readout.get_text()


def test_widget_holds_controls_and_canvas(explorer):
    box = explorer.widget()
    assert isinstance(box, widgets.VBox) and len(box.children) == 2
