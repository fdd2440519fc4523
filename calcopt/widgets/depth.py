"""Day 8: the gradient norm of every layer of a deep network at initialisation.

``GradientFlowExplorer``: choose the depth, the activation, the initialisation and the
architecture (plain, residual, batch norm); the per-layer norms ||dL/dW_l|| are recomputed
(PyTorch, float64, see ``calcopt.gradient_flow``) and the log-scale plot redrawn.
"""
import ipywidgets as widgets
import numpy as np

from ..gradient_flow import ACTIVATIONS, ARCHITECTURES, INITS, make_mlp, weight_grad_norms
from .base import Explorer, figure_widget, new_figure

MAX_DEPTH = 60


class GradientFlowExplorer(Explorer):
    """Day 8: per-layer gradient norms (layer 1 = next to the input) on log axes.

    The readout gives the ratio ||dL/dW_1|| / ||dL/dW_L|| (far below 1: the first layers
    barely learn; far above 1: they get the largest steps) and the largest norm (tiny: every
    layer's gradient has vanished, as with ReLU at a too small initialisation).
    """

    def __init__(self, depth=30, activation="relu", init="He normal", architecture="plain",
                 width=64, batch_size=128, seed=0):
        self.width, self.seed = width, seed
        self.X = np.random.default_rng(seed).normal(size=(batch_size, width))
        self.fig, self.ax = new_figure(figsize=(7, 3.8))
        self.line, = self.ax.semilogy([], [], "o-", color="tab:blue", markersize=3)
        self.ax.set(xlabel="layer l (1 = input side)", ylabel="||dL/dW_l||", xlim=(0, MAX_DEPTH + 1))
        self.readout = self.ax.text(0.02, 0.04, "", transform=self.ax.transAxes,
                                    family="monospace", fontsize="small")
        self.fig.tight_layout()

        self.depth_slider = widgets.IntSlider(value=depth, min=2, max=MAX_DEPTH,
                                              description="depth")
        self.activation_dropdown = widgets.Dropdown(options=list(ACTIVATIONS), value=activation,
                                                    description="activation")
        self.init_dropdown = widgets.Dropdown(options=list(INITS), value=init,
                                              description="init")
        self.architecture_dropdown = widgets.Dropdown(options=list(ARCHITECTURES),
                                                      value=architecture,
                                                      description="architecture")
        for control in (self.depth_slider, self.activation_dropdown, self.init_dropdown,
                        self.architecture_dropdown):
            control.observe(self._on_change, names="value")
        self.norms = None
        self.ratio = float("nan")
        self.update(depth, activation, init, architecture)

    def _on_change(self, change):
        self.update(self.depth_slider.value, self.activation_dropdown.value,
                    self.init_dropdown.value, self.architecture_dropdown.value)

    def update(self, depth, activation, init, architecture):
        """Recompute the norms for these settings; change the line's data and the limits only."""
        model = make_mlp(depth, self.width, activation, init, architecture, seed=self.seed)
        self.norms = weight_grad_norms(model, self.X)
        self.line.set_data(np.arange(1, depth + 1), self.norms)
        positive = self.norms[self.norms > 0]
        low, high = (positive.min(), positive.max()) if positive.size else (1e-300, 1.0)
        self.ax.set_ylim(min(low, 1e-3) / 3, max(high, 1.0) * 3)
        self.ratio = float(self.norms[0] / self.norms[-1]) if self.norms[-1] > 0 else float("nan")
        self.ax.set_title(f"{architecture}, {activation}, {init}, depth {depth}", fontsize="medium")
        self.readout.set_text(f"||dL/dW_1|| / ||dL/dW_L|| = {self.ratio:.2e}\n"
                              f"largest ||dL/dW_l|| = {self.norms.max():.2e}")
        self.fig.canvas.draw_idle()

    def widget(self):
        controls = widgets.VBox([
            widgets.HBox([self.depth_slider, self.activation_dropdown]),
            widgets.HBox([self.init_dropdown, self.architecture_dropdown])])
        return widgets.VBox([controls, figure_widget(self.fig)])
