"""Day 7: learning-rate schedules, and what they do to the loss of noisy gradient descent.

- ``torch_lrs``: the rate at steps 0, 1, ..., num_steps - 1 of a schedule, read from a real
  ``torch.optim.lr_scheduler`` driving a real optimizer (step 0 is the first update).
- ``noisy_quadratic_losses``: SGD on f(x) = a x² / 2 with Gaussian gradient noise under a
  given sequence of rates, on a fixed draw of the noise, so that schedules can be compared.
- ``expected_quadratic_losses``: the same run's loss in expectation over the noise, exactly,
  from the recursion of the mean and the variance of x_t.
- ``ScheduleExplorer``: pick a schedule, slide its peak rate, its final fraction and its
  warmup; the rate and the loss over the steps are redrawn as the sliders move.
"""
import ipywidgets as widgets
import numpy as np
import torch
from torch.optim import lr_scheduler

from .base import Explorer, figure_widget, new_figure

SCHEDULES = ("constant", "step", "exponential", "1/t", "linear warmup", "warmup + cosine",
             "one-cycle")
DIVERGED_ABOVE = 1e6  # a loss beyond this counts as diverged; the curve stops there


def _scheduler(name, optimizer, num_steps, final_fraction, warmup_steps):
    """The torch scheduler for ``name``; every decaying schedule ends near final_fraction * lr."""
    warmup_steps = int(min(max(warmup_steps, 1), num_steps - 1))
    if name == "constant":
        return lr_scheduler.LambdaLR(optimizer, lambda t: 1.0)
    if name == "step":  # three drops, at a quarter, half and three quarters of the run
        return lr_scheduler.StepLR(optimizer, step_size=max(num_steps // 4, 1),
                                   gamma=final_fraction ** (1 / 3))
    if name == "exponential":
        return lr_scheduler.ExponentialLR(optimizer, gamma=final_fraction ** (1 / num_steps))
    if name == "1/t":
        k = (1 / final_fraction - 1) / num_steps
        return lr_scheduler.LambdaLR(optimizer, lambda t: 1 / (1 + k * t))
    if name == "linear warmup":
        return lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=warmup_steps)
    if name == "warmup + cosine":  # the closed form of the notebook, Section 2
        span = num_steps - warmup_steps
        return lr_scheduler.LambdaLR(optimizer, lambda t: (
            0.01 + 0.99 * t / warmup_steps if t < warmup_steps else
            final_fraction + (1 - final_fraction) * (1 + np.cos(np.pi * min(t - warmup_steps, span) / span)) / 2))
    if name == "one-cycle":
        base = optimizer.param_groups[0]["lr"]
        return lr_scheduler.OneCycleLR(optimizer, max_lr=base, total_steps=num_steps,
                                       pct_start=max(warmup_steps / num_steps, 1.5 / num_steps),
                                       final_div_factor=1 / (25 * final_fraction))
    raise ValueError(f"unknown schedule {name!r}; choose from {SCHEDULES}")


def torch_lrs(name, lr, num_steps, final_fraction=0.01, warmup_steps=10):
    """The rates used by updates 0 .. num_steps - 1 (a float64 array of length num_steps),
    read from torch's scheduler: record the rate, ``optimizer.step()``, ``scheduler.step()``."""
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=lr, momentum=0.9)  # one-cycle also cycles momentum
    scheduler = _scheduler(name, optimizer, num_steps, final_fraction, warmup_steps)
    lrs = np.empty(num_steps)
    for t in range(num_steps):
        lrs[t] = optimizer.param_groups[0]["lr"]
        optimizer.step()
        if t < num_steps - 1:  # OneCycleLR refuses a step past its last one
            scheduler.step()
    return lrs


def noisy_quadratic_losses(lrs, curvature=1.0, noise=1.0, x0=3.0, seed=0):
    """Losses a x_t² / 2 of x_{t+1} = x_t - lr_t (a x_t + noise * z_t), z_t ~ N(0, 1) drawn
    from ``seed``; an array of length len(lrs) + 1 (the start first), cut short when the
    loss passes DIVERGED_ABOVE."""
    z = np.random.default_rng(seed).normal(size=len(lrs))
    x, losses = float(x0), [0.5 * curvature * x0**2]
    for lr, zt in zip(lrs, z):
        x -= lr * (curvature * x + noise * zt)
        loss = 0.5 * curvature * x * x
        if not loss <= DIVERGED_ABOVE:
            break
        losses.append(loss)
    return np.array(losses)


def expected_quadratic_losses(lrs, curvature=1.0, noise=1.0, x0=3.0):
    """E[a x_t² / 2] for the run of ``noisy_quadratic_losses`` (x_0 = x0 fixed), exactly: with
    m_t = E[x_t] and v_t = Var[x_t], m_{t+1} = (1 - a lr_t) m_t and
    v_{t+1} = (1 - a lr_t)² v_t + lr_t² noise², and E[a x_t² / 2] = a (m_t² + v_t) / 2.
    A float64 array of length len(lrs) + 1 (the start first)."""
    m, v, out = float(x0), 0.0, [0.5 * curvature * x0**2]
    for lr in lrs:
        m, v = (1 - curvature * lr) * m, (1 - curvature * lr) ** 2 * v + (lr * noise) ** 2
        out.append(0.5 * curvature * (m * m + v))
    return np.array(out)


class ScheduleExplorer(Explorer):
    """Day 7: a schedule's rate (left) and the loss of noisy SGD under it (right).

    The loss is SGD on a x² / 2 with gradient noise (a = 1, so any rate above 2 diverges);
    the same noise for every setting, so two schedules differ only by their rates. The
    readout gives the mean loss over the last tenth of the run: the noise floor a schedule
    reaches.
    """

    def __init__(self, schedule="warmup + cosine", lr=0.5, final_fraction=0.01, warmup_steps=20,
                 num_steps=200, noise=1.0):
        self.noise = noise
        self.fig, (self.ax_lr, self.ax_loss) = new_figure(ncols=2, figsize=(8.5, 3.5))
        self.lr_line, = self.ax_lr.plot([], [], color="tab:blue")
        self.ax_lr.set(xlabel="step t (0 = first update)", ylabel="learning rate", yscale="log")
        self.loss_line, = self.ax_loss.semilogy([], [], color="tab:red", linewidth=0.8)
        self.ax_loss.set(xlabel="step t", ylabel="loss a x² / 2", ylim=(1e-6, 1e3))
        self.readout = self.ax_loss.text(0.97, 0.97, "", transform=self.ax_loss.transAxes,
                                         ha="right", va="top", family="monospace",
                                         fontsize="small")
        self.fig.tight_layout()

        self.schedule_dropdown = widgets.Dropdown(options=list(SCHEDULES), value=schedule,
                                                  description="schedule")
        self.lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0.5, step=0.01,
                                                description="peak lr", readout_format=".3f")
        self.fraction_slider = widgets.FloatLogSlider(value=final_fraction, base=10, min=-4,
                                                      max=0, step=0.1, description="final/peak",
                                                      readout_format=".4f")
        self.warmup_slider = widgets.IntSlider(value=warmup_steps, min=1, max=100,
                                               description="warmup")
        self.steps_slider = widgets.IntSlider(value=num_steps, min=20, max=500, step=10,
                                              description="steps")
        for control in (self.schedule_dropdown, self.lr_slider, self.fraction_slider,
                        self.warmup_slider, self.steps_slider):
            control.observe(self._on_change, names="value")
        self.lrs = self.losses = None
        self.final_loss = float("nan")
        self.update(schedule, lr, final_fraction, warmup_steps, num_steps)

    def _on_change(self, change):
        self.update(self.schedule_dropdown.value, self.lr_slider.value,
                    self.fraction_slider.value, self.warmup_slider.value,
                    self.steps_slider.value)

    def update(self, schedule, lr, final_fraction, warmup_steps, num_steps):
        """Recompute the rates (from torch) and the losses; change the artists' data only."""
        self.lrs = torch_lrs(schedule, lr, num_steps, final_fraction, warmup_steps)
        self.losses = noisy_quadratic_losses(self.lrs, noise=self.noise)
        steps = np.arange(num_steps)
        self.lr_line.set_data(steps, self.lrs)
        self.ax_lr.set_xlim(0, num_steps)
        self.ax_lr.set_ylim(self.lrs.min() / 2, self.lrs.max() * 2)
        self.ax_lr.set_title(schedule, fontsize="medium")
        self.loss_line.set_data(np.arange(len(self.losses)), self.losses)
        self.ax_loss.set_xlim(0, num_steps)
        diverged = len(self.losses) < num_steps + 1
        tail = self.losses[-max(num_steps // 10, 1):]
        self.final_loss = float("inf") if diverged else float(tail.mean())
        text = "diverged" if diverged else f"mean loss, last 10%: {self.final_loss:.2e}"
        self.readout.set_text(f"{text}\nlr at the end: {self.lrs[-1]:.2e}")
        self.fig.canvas.draw_idle()

    def widget(self):
        controls = widgets.VBox([
            widgets.HBox([self.schedule_dropdown, self.steps_slider]),
            widgets.HBox([self.lr_slider, self.fraction_slider, self.warmup_slider])])
        return widgets.VBox([controls, figure_widget(self.fig)])
