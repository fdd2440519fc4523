"""Day 5: mini-batch stochastic gradient descent on the contours of a least-squares loss.

- ``SGDExplorer``: sliders for the batch size, the learning rate, the number of epochs and
  the sampling seed; the noisy mini-batch path is redrawn on the contours of the full loss,
  next to the full-batch path, as the sliders move.
"""
import ipywidgets as widgets
import numpy as np

from .base import Explorer, figure_widget, new_figure

DIVERGED_ABOVE = 1e3  # a weight beyond this counts as diverged and the path stops there


def make_problem(n=64, seed=0):
    """A two-weight least-squares problem L(w) = mean((X w - y)^2), X of shape (n, 2) with
    correlated columns (elliptic contours), y = X w_true + noise. Returns (X, y, w_true)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)) @ np.array([[1.0, 0.0], [0.6, 0.5]])
    w_true = np.array([1.0, -0.5])
    y = X @ w_true + 0.5 * rng.normal(size=n)
    return X, y, w_true


class SGDExplorer(Explorer):
    """Day 5: mini-batch SGD, w <- w - lr * (2/B) X_B^T (X_B w - y_B), on a 2-weight problem.

    Each epoch visits every example once, in a fresh order drawn from
    ``np.random.default_rng(seed)``; the last batch of an epoch may be smaller. The dashed
    path is full-batch descent with the same learning rate and the same number of epochs
    (one update per epoch), the dot the least-squares solution.
    """

    def __init__(self, batch_size=8, lr=0.05, num_epochs=3, seed=0, w0=(-1.5, 1.5)):
        self.X, self.y, _ = make_problem()
        self.n = len(self.y)
        self.w0 = np.asarray(w0, dtype=float)
        self.w_star = np.linalg.lstsq(self.X, self.y, rcond=None)[0]
        self.fig, self.ax = new_figure(figsize=(5.5, 4.5))
        W1, W2 = np.meshgrid(np.linspace(-2.5, 3.0, 120), np.linspace(-2.5, 2.5, 120))
        grid = np.stack([W1.ravel(), W2.ravel()], axis=1)
        Z = np.mean((grid @ self.X.T - self.y) ** 2, axis=1).reshape(W1.shape)
        self.ax.contour(W1, W2, Z, levels=np.geomspace(Z.min() + 1e-3, Z.max(), 14),
                        cmap="viridis", linewidths=0.7)
        self.ax.plot(*self.w_star, "o", color="black", label="minimum")
        self.full_path, = self.ax.plot([], [], "s--", color="tab:blue", markersize=3,
                                       linewidth=1, label="full batch")
        self.path, = self.ax.plot([], [], ".-", color="tab:red", markersize=3, linewidth=0.7,
                                  label="mini-batch")
        self.readout = self.ax.text(0.02, 0.02, "", transform=self.ax.transAxes,
                                    family="monospace", fontsize="small")
        self.ax.set(xlim=(-2.5, 3.0), ylim=(-2.5, 2.5), xlabel="$w_1$", ylabel="$w_2$")
        self.ax.legend(fontsize="small", loc="upper right")
        self.fig.tight_layout()

        self.batch_slider = widgets.IntSlider(value=batch_size, min=1, max=self.n,
                                              description="batch size")
        self.lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.05,
                                                description="lr", readout_format=".3f")
        self.epochs_slider = widgets.IntSlider(value=num_epochs, min=1, max=20,
                                               description="epochs")
        self.seed_slider = widgets.IntSlider(value=seed, min=0, max=20, description="seed")
        for control in (self.batch_slider, self.lr_slider, self.epochs_slider, self.seed_slider):
            control.observe(self._on_change, names="value")
        self.status = ""
        self.update(batch_size, lr, num_epochs, seed)

    def _on_change(self, change):
        self.update(self.batch_slider.value, self.lr_slider.value, self.epochs_slider.value,
                    self.seed_slider.value)

    def loss(self, w):
        """The full loss mean((X w - y)^2) at w of shape (2,)."""
        return float(np.mean((self.X @ w - self.y) ** 2))

    def _run(self, batch_size, lr, num_epochs, seed):
        """The iterates of mini-batch SGD (all updates), and whether it diverged."""
        rng = np.random.default_rng(seed)
        w = self.w0.copy()
        ws = [w]
        for _ in range(num_epochs):
            order = rng.permutation(self.n)
            for start in range(0, self.n, batch_size):
                idx = order[start:start + batch_size]
                Xb, yb = self.X[idx], self.y[idx]
                w = w - lr * (2.0 / len(idx)) * Xb.T @ (Xb @ w - yb)
                if not np.all(np.abs(w) <= DIVERGED_ABOVE):  # also catches inf and nan
                    return np.array(ws), True
                ws.append(w)
        return np.array(ws), False

    def update(self, batch_size, lr, num_epochs, seed):
        """Rerun both paths for these settings and redraw them; never rebuilds the figure."""
        path, diverged = self._run(batch_size, lr, num_epochs, seed)
        full, full_diverged = self._run(self.n, lr, num_epochs, seed)
        self.path.set_data(path[:, 0], path[:, 1])
        self.full_path.set_data(full[:, 0], full[:, 1])
        num_updates = len(path) - 1
        if diverged:
            self.status = "mini-batch path diverged"
        else:
            self.status = (f"{num_updates} updates, loss {self.loss(path[-1]):.3f} "
                           f"(minimum {self.loss(self.w_star):.3f})")
        full_text = "diverged" if full_diverged else f"{self.loss(full[-1]):.3f}"
        self.readout.set_text(f"B = {batch_size}, lr = {lr:.3f}\n{self.status}\n"
                              f"full batch, {num_epochs} updates: loss {full_text}")
        self.fig.canvas.draw_idle()

    @property
    def path_w(self):
        """The mini-batch iterates as drawn, shape (num_updates + 1, 2)."""
        return np.column_stack(self.path.get_data()).astype(float)

    def widget(self):
        controls = widgets.VBox([widgets.HBox([self.batch_slider, self.lr_slider]),
                                 widgets.HBox([self.epochs_slider, self.seed_slider])])
        return widgets.VBox([controls, figure_widget(self.fig)])
