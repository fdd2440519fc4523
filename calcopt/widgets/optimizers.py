"""Day 6: a race of optimizers on a ravine or on Rosenbrock's valley, drawn on contours.

- ``OptimizerRace``: tick the optimizers to race (GD, momentum, Nesterov, Adagrad, RMSprop,
  Adam), slide the learning rate and beta (the momentum, RMSprop's decay, Adam's beta1) and
  the number of steps; each path is computed by ``torch.optim`` itself
  (``calcopt.optimizers_demo.race_path``) and redrawn on the contours.
"""
import ipywidgets as widgets
import numpy as np

from ..optimizers_demo import OPTIMIZERS, PROBLEMS, race_path
from .base import Explorer, figure_widget, new_figure

COLORS = dict(zip(OPTIMIZERS, ["tab:gray", "tab:blue", "tab:green", "tab:purple", "tab:orange",
                               "tab:red"]))
_GAP_FLOOR = 1e-16


class OptimizerRace(Explorer):
    """Day 6: the optimizers of the day race from the same start with the same lr and beta.

    Left: the contours and each ticked optimizer's path. Right: f(x_k) - min f on a log
    scale. The readout gives each optimizer's final gap (or "diverged").
    """

    def __init__(self, problem="ravine", lr=0.02, beta=0.9, num_steps=150,
                 racing=("GD", "momentum", "Adam")):
        self.fig, (self.ax, self.ax_gap) = new_figure(ncols=2, figsize=(9, 3.8))
        self.contours = None
        self.paths, self.gaps = {}, {}
        for name in OPTIMIZERS:
            self.paths[name], = self.ax.plot([], [], ".-", color=COLORS[name], markersize=2,
                                             linewidth=1, label=name)
            self.gaps[name], = self.ax_gap.semilogy([], [], color=COLORS[name], label=name)
        self.minimum, = self.ax.plot([], [], "*", color="black", markersize=10)
        self.ax_gap.set(xlabel="step k", ylabel="f(x_k) - min f", ylim=(_GAP_FLOOR, 1e4))
        self.ax_gap.legend(fontsize="x-small", loc="lower left")
        self.readout = self.ax_gap.text(0.98, 0.97, "", transform=self.ax_gap.transAxes,
                                        va="top", ha="right", family="monospace",
                                        fontsize="x-small")
        self.fig.tight_layout()

        self.problem_dropdown = widgets.Dropdown(options=list(PROBLEMS), value=problem,
                                                 description="problem")
        self.checkboxes = {name: widgets.Checkbox(value=name in racing, description=name,
                                                  indent=False, layout={"width": "100px"})
                           for name in OPTIMIZERS}
        self.lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-4, max=0, step=0.05,
                                                description="lr", readout_format=".4f")
        self.beta_slider = widgets.FloatSlider(value=beta, min=0.0, max=0.99, step=0.01,
                                               description="beta")
        self.steps_slider = widgets.IntSlider(value=num_steps, min=10, max=500, step=10,
                                              description="steps")
        for control in (self.problem_dropdown, self.lr_slider, self.beta_slider,
                        self.steps_slider, *self.checkboxes.values()):
            control.observe(self._on_change, names="value")
        self._problem = None
        self.final_gaps = {}
        self.update(problem, lr, beta, num_steps, racing)

    def _on_change(self, change):
        racing = tuple(name for name, box in self.checkboxes.items() if box.value)
        self.update(self.problem_dropdown.value, self.lr_slider.value, self.beta_slider.value,
                    self.steps_slider.value, racing)

    def _show_problem(self, problem):
        f, _, _, minimiser, (xlim, ylim) = PROBLEMS[problem]
        if self.contours is not None:
            self.contours.remove()
        X, Y = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
        Z = f(X, Y)
        levels = np.geomspace(max(Z.min(), 1e-3), Z.max(), 20)
        self.contours = self.ax.contour(X, Y, Z, levels=levels, cmap="viridis", linewidths=0.6)
        self.ax.set(xlim=xlim, ylim=ylim, xlabel="$x_1$", ylabel="$x_2$")
        self.ax.set_title(problem, fontsize="medium")
        self.minimum.set_data(minimiser[:1], minimiser[1:])
        self._problem = problem

    def update(self, problem, lr, beta, num_steps, racing):
        """Run each optimizer in ``racing`` for num_steps on ``problem``; redraw the paths."""
        if problem != self._problem:
            self._show_problem(problem)
        f, _, _, minimiser, _ = PROBLEMS[problem]
        f_min = float(f(*minimiser))
        self.final_gaps = {}
        lines = []
        for name in OPTIMIZERS:
            if name not in racing:
                self.paths[name].set_data([], [])
                self.gaps[name].set_data([], [])
                continue
            path, diverged = race_path(problem, name, lr, beta, num_steps)
            gap = np.maximum(f(path[:, 0], path[:, 1]) - f_min, _GAP_FLOOR)
            self.paths[name].set_data(path[:, 0], path[:, 1])
            self.gaps[name].set_data(np.arange(len(gap)), gap)
            self.final_gaps[name] = np.inf if diverged else float(gap[-1])
            lines.append(f"{name:9s} " + ("diverged" if diverged else f"{gap[-1]:.1e}"))
        self.ax_gap.set_xlim(0, num_steps)
        self.readout.set_text("\n".join(lines))
        self.fig.canvas.draw_idle()

    def path_of(self, name):
        """The drawn path of ``name`` as an array of shape (k, 2) (empty if not racing)."""
        xs, ys = self.paths[name].get_data()
        return np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])

    def widget(self):
        boxes = widgets.HBox(list(self.checkboxes.values()))
        sliders = widgets.HBox([self.problem_dropdown, self.lr_slider, self.beta_slider,
                                self.steps_slider], layout={"flex_flow": "row wrap"})
        return widgets.VBox([boxes, sliders, figure_widget(self.fig)])
