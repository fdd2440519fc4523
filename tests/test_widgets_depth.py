"""Day 8's explorer: per-layer gradient norms from PyTorch, redrawn without rebuilding the figure."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from calcopt.gradient_flow import (ACTIVATIONS, ARCHITECTURES, INITS, make_mlp,  # noqa: E402
                                   state_norms, weight_grad_norms)
from calcopt.widgets.depth import GradientFlowExplorer  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture
def explorer():
    e = GradientFlowExplorer(depth=10, activation="relu", init="He normal", architecture="plain")
    yield e
    plt.close(e.fig)


def count_draws(e):
    calls = []
    e.fig.canvas.draw_idle = lambda *args, **kwargs: calls.append(1)
    return calls


def test_norms_match_a_numpy_backward_pass():
    model = make_mlp(5, 8, "tanh", "Xavier normal", "plain", seed=3)
    X = np.random.default_rng(0).normal(size=(6, 8))
    v = torch.randn(8, generator=torch.Generator().manual_seed(1), dtype=torch.float64).numpy()
    Ws = [layer.weight.detach().numpy() for layer in model.linears]
    hs = [X]
    for W in Ws:
        hs.append(np.tanh(hs[-1] @ W.T))
    delta, want = np.tile(v / 6, (6, 1)), []
    for W, h_in, h_out in zip(Ws[::-1], hs[-2::-1], hs[:0:-1]):
        g = delta * (1 - h_out**2)
        want.append(np.linalg.norm(g.T @ h_in))
        delta = g @ W
    np.testing.assert_allclose(weight_grad_norms(model, X), want[::-1], rtol=1e-10)


@pytest.mark.parametrize("init, variance", [("N(0, 1/fan_in)", 1 / 64), ("Xavier normal", 1 / 64),
                                            ("He normal", 2 / 64), ("torch default", 1 / 192)])
def test_inits_have_their_variance(init, variance):
    model = make_mlp(20, 64, "relu", init, "plain", seed=0)
    w = np.concatenate([layer.weight.detach().numpy().ravel() for layer in model.linears])
    assert w.var() == pytest.approx(variance, rel=0.03)  # 81920 draws: standard error < 0.5%


def test_sigmoid_vanishes_and_residual_helps():
    X = np.random.default_rng(0).normal(size=(64, 32))
    plain = weight_grad_norms(make_mlp(30, 32, "sigmoid", "Xavier normal", "plain"), X)
    residual = weight_grad_norms(make_mlp(30, 32, "sigmoid", "Xavier normal", "residual"), X)
    assert plain[0] / plain[-1] < 1e-12
    assert residual[0] / residual[-1] > 1e-3


def test_unknown_choices_raise():
    with pytest.raises(ValueError):
        make_mlp(3, 4, "gelu")
    with pytest.raises(ValueError):
        make_mlp(3, 4, init="orthogonal")
    with pytest.raises(ValueError):
        make_mlp(3, 4, architecture="dense")


def test_update_only_changes_data(explorer):
    calls = count_draws(explorer)
    fig, lines = explorer.fig, list(explorer.ax.lines)
    figures = plt.get_fignums()
    explorer.update(40, "sigmoid", "Xavier normal", "plain")
    assert len(explorer.line.get_xdata()) == 40 and explorer.ratio < 1e-10
    assert "e-" in explorer.readout.get_text()
    explorer.update(5, "tanh", "torch default", "batch norm")
    assert len(explorer.line.get_ydata()) == 5
    assert explorer.fig is fig and list(explorer.ax.lines) == lines
    assert plt.get_fignums() == figures
    assert len(calls) == 2


def test_controls_drive_update(explorer):
    calls = count_draws(explorer)
    explorer.depth_slider.value = 12
    explorer.activation_dropdown.value = "sigmoid"
    explorer.init_dropdown.value = "torch default"
    explorer.architecture_dropdown.value = "residual"
    assert len(explorer.norms) == 12 and len(calls) == 4
    assert explorer.ax.get_title() == "residual, sigmoid, torch default, depth 12"


def test_every_choice_runs(explorer):
    for act in ACTIVATIONS:
        for init in INITS:
            for arch in ARCHITECTURES:
                explorer.update(4, act, init, arch)
                assert np.all(np.isfinite(explorer.norms)) and np.all(explorer.norms > 0)


def test_state_norms_match_the_probe_loss_and_the_weight_gradients():
    X = np.random.default_rng(3).normal(size=(8, 6))
    model = make_mlp(4, 6, "tanh", "Xavier normal", "residual", seed=2)
    h, g = state_norms(model, X)
    assert h.shape == g.shape == (5,)
    np.testing.assert_allclose(h[0], np.linalg.norm(X), rtol=1e-12)
    v = torch.randn(6, generator=torch.Generator().manual_seed(1), dtype=torch.float64).numpy()
    np.testing.assert_allclose(g[-1], np.linalg.norm(v) / np.sqrt(8), rtol=1e-12)  # dL/dh_L = v / N per row
    with torch.no_grad():
        np.testing.assert_allclose(h[-1], model(torch.tensor(X)).norm().item(), rtol=1e-12)
    np.testing.assert_allclose(weight_grad_norms(model, X), weight_grad_norms(model, X), rtol=0)  # no state left behind
