# %% [markdown]
# # Day 6, part 1: Momentum and Nesterov
#
# **Learning goals.** By the end of this notebook you can
# - write SGD with momentum and Nesterov's variant as in-place step functions
#   `(params, grads, state, hyper-parameters) -> (params, state)`;
# - show that the three momentum formulas in use (PyTorch's, the moving average, Keras's) are
#   one method with re-labelled hyper-parameters;
# - match `torch.optim.SGD` and `tf.keras.optimizers.SGD` step for step;
# - derive, for a quadratic with curvatures in $[\mu, L]$, the best learning rate and momentum,
#   and the rate $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ against descent's $(\kappa-1)/(\kappa+1)$;
#   and measure it.
#
# **Prerequisites.** Day 3 (gradient descent, $\eta < 2/L$, the condition number
# $\kappa = L/\mu$); Day 5 (SGD); eigenvalues of a $2 \times 2$ matrix.
# **Time to complete.** About 2 hours: 75 minutes to read and run the notebook, 45 minutes for
# the three exercises. Part 2
# (`adaptive.ipynb`) covers Adagrad, RMSprop, Adam and AdamW.
#
# | momentum | |
# |---|---|
# | what | $v \leftarrow \beta v + g$, $\ \theta \leftarrow \theta - \eta v$: a step along a running sum of gradients |
# | why | in a ravine the gradient zigzags across and barely points along; the sum cancels the zigzag and builds up speed along |
# | when | ill-conditioned losses ($\kappa \gg 1$), noisy gradients; the default for CNNs trained with SGD |
# | where | `optimizer.step()` of `torch.optim.SGD(momentum=0.9)`, `keras.optimizers.SGD(momentum=0.9)` |
# | who | Polyak (1964), the heavy ball; Nesterov (1983), the accelerated gradient |
# | how | one buffer the size of the parameters, updated in place |

# %% nbgrader={"grade_id": "setup", "locked": true}
from calcopt.checks import check_close, check_equal, check_true, check_type, expect, hidden_rng, rel_error
import numpy as np
import matplotlib.pyplot as plt
import torch
import tensorflow as tf
import keras
from calcopt.optimizers_demo import PROBLEMS, keras_trajectory, logistic_problem, race_path, torch_trajectory
from calcopt.plots import plot_contour_path

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
torch.manual_seed(0)

# %% [markdown]
# ## 1. Intuition: a heavy ball in a ravine
#
# Gradient descent is a ball with no mass: it goes where the slope points *now*. In a long,
# narrow valley the slope points mostly across the valley, so descent bounces from wall to
# wall and creeps along the floor. A heavy ball keeps its velocity: the across-components
# alternate in sign and cancel in the running sum, the along-components agree and add up.
# Below, $f(x) = \tfrac12(x_1^2 + 50 x_2^2)$, 60 steps each, both at their best settings (derived in
# §2.2). `race_path(problem, name, lr, beta, num_steps)` runs one `torch.optim` optimizer on one of
# the test problems and returns a pair `(path, diverged)`: `path` has one row per iterate, the start
# as row 0. `PROBLEMS[name]` is a 5-tuple `(f, grad, start, minimiser, (xlim, ylim))`.

# %%
f_ravine, grad_ravine, start_ravine, _, (xlim, ylim) = PROBLEMS["ravine"]
mu, L = 1.0, 50.0
ax = None
for name, lr, beta, color in [("GD", 2 / (L + mu), 0.0, "tab:gray"),
                              ("momentum", 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2,
                               ((np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))) ** 2, "tab:blue")]:
    path, _ = race_path("ravine", name, lr, beta, 60)
    print(f"{name:9s} lr = {lr:.4f}, beta = {beta:.3f}: f after 60 steps = {f_ravine(*path[-1]):.2e}")
    ax = plot_contour_path(f_ravine, path, ax=ax, xlim=xlim, ylim=ylim, label=name, color=color,
                           levels=np.geomspace(1e-3, 40, 15))
ax.set_aspect("auto")
plt.show()

# %% [markdown]
# ## 2. Theory
# ### 2.1 One method, three ways of writing it
# This course's convention is PyTorch's: with gradient $g_k = \nabla f(\theta_k)$,
# $$v_{k+1} = \beta v_k + g_k, \qquad \theta_{k+1} = \theta_k - \eta\, v_{k+1}, \qquad v_0 = 0.$$
# Two other forms are in use:
# - **the moving average** (the notes this course grew from, and many textbooks):
#   $u_{k+1} = \beta u_k + (1-\beta) g_k$, $\theta_{k+1} = \theta_k - \alpha u_{k+1}$. By
#   induction $u_k = (1-\beta) v_k$, so it is PyTorch's form with $\eta = \alpha(1-\beta)$: at
#   $\beta = 0.9$ the same `lr` means a step ten times smaller.
# - **Keras**: $m_{k+1} = \beta m_k - \eta g_k$, $\theta_{k+1} = \theta_k + m_{k+1}$. Here
#   $m_k = -\eta v_k$ exactly, as long as $\eta$ is constant (with a schedule the two differ:
#   Keras folds past learning rates into $m$, PyTorch applies today's to the whole sum).
#
# Unrolled, $v_{k+1} = \sum_{j \le k} \beta^{k-j} g_j$: for a constant gradient the step
# tends to $\eta g/(1-\beta)$, ten times descent's at $\beta = 0.9$.
#
# **First step.** All three start from a zero buffer, so PyTorch's first step is a plain
# descent step, $\eta g_0$. PyTorch's `dampening` $d$ makes the buffer update
# $v \leftarrow \beta v + (1 - d) g$, so $d = \beta$ looks like the moving average; but only from the
# second step on: on the first step the buffer is a copy of $g_0$, undamped. With `dampening=β`
# the buffer after $k$ steps exceeds the moving average's $u_k$ by $\beta^k g_0$ at every
# step (an excess that decays but is never zero): not the moving-average form (§6 shows the
# first steps).
#
# **Nesterov** evaluates the momentum step's look-ahead. In PyTorch's form:
# $v_{k+1} = \beta v_k + g_k$, $\theta_{k+1} = \theta_k - \eta\,(g_k + \beta v_{k+1})$; Keras's
# form is $m_{k+1} = \beta m_k - \eta g_k$, $\theta_{k+1} = \theta_k + \beta m_{k+1} - \eta g_k$,
# the same with $m = -\eta v$. Both are a change of variables of Nesterov's original
# $x_{k+1} = y_k - \eta \nabla f(y_k)$, $y_{k+1} = x_{k+1} + \beta(x_{k+1} - x_k)$ that stores the
# look-ahead point $y$ as the parameters $\theta$ (Bengio, Boulanger-Lewandowski and Pascanu, 2013;
# Sutskever et al., 2013 write it as $v \leftarrow \beta v - \eta\nabla f(\theta + \beta v)$, $\theta \leftarrow \theta + v$).
# Why: set $\theta_k = y_k$ and guess $x_{k+1} - x_k = -\eta v_{k+1}$. Then
# $x_{k+1} - x_k = y_k - \eta g_k - x_k = \beta(x_k - x_{k-1}) - \eta g_k = -\eta(\beta v_k + g_k) = -\eta v_{k+1}$
# (by induction, $x_0 = x_{-1}$, $v_0 = 0$), and $y_{k+1} = x_{k+1} - \beta\eta v_{k+1} = \theta_k - \eta(g_k + \beta v_{k+1})$:
# PyTorch's update. The cell below also checks it numerically.

# %%
def three_forms(grads, lr, beta):
    """Run the three momentum forms on the same sequence of gradients (independent of θ)."""
    theta_torch = theta_avg = theta_keras = 0.0
    v = u = m = 0.0
    alpha = lr / (1 - beta)
    for g in grads:
        v = beta * v + g
        theta_torch -= lr * v
        u = beta * u + (1 - beta) * g
        theta_avg -= alpha * u
        m = beta * m - lr * g
        theta_keras += m
    return theta_torch, theta_avg, theta_keras

grads_seq = rng.normal(size=50)
forms = three_forms(grads_seq, lr=0.1, beta=0.9)
np.testing.assert_allclose(forms[1:], [forms[0]] * 2, rtol=1e-12)
print("PyTorch, moving average, Keras:", forms)

def nesterov_two_forms(A, theta0, lr, beta, num_steps):
    """Nesterov's original (x, y) and PyTorch's form on 0.5 θᵀAθ: the paths of y and of θ."""
    x = y = theta0.copy()
    theta, v = theta0.copy(), np.zeros_like(theta0)
    ys, thetas = [y], [theta]
    for _ in range(num_steps):
        x_new = y - lr * (A @ y)
        x, y = x_new, x_new + beta * (x_new - x)
        g = A @ theta
        v = beta * v + g
        theta = theta - lr * (g + beta * v)
        ys.append(y)
        thetas.append(theta)
    return np.array(ys), np.array(thetas)

ys, thetas = nesterov_two_forms(np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([2.0, -3.0]), lr=0.1, beta=0.8, num_steps=30)
np.testing.assert_allclose(thetas, ys, rtol=1e-12, atol=1e-14)
print(f"Nesterov, 30 steps: original look-ahead points y_k against PyTorch's θ_k, largest |difference| {np.abs(thetas - ys).max():.1e}")


# %% [markdown]
# ### 2.2 The heavy ball on a quadratic
# On $f(\theta) = \tfrac12 \theta^\top A \theta$ with $A$'s eigenvalues in $[\mu, L]$, eliminate $v$:
# $\theta_{k+1} = \theta_k - \eta A\theta_k + \beta(\theta_k - \theta_{k-1})$. In $A$'s eigenbasis each
# coordinate (eigenvalue $\lambda$) follows
# $$\begin{pmatrix}\theta_{k+1}\\ \theta_k\end{pmatrix} = \underbrace{\begin{pmatrix}1 + \beta - \eta\lambda & -\beta\\ 1 & 0\end{pmatrix}}_{T_\lambda}\begin{pmatrix}\theta_k\\ \theta_{k-1}\end{pmatrix},$$
# and the rate is the largest spectral radius $\rho(T_\lambda)$ over the spectrum. When the roots of
# $z^2 - (1 + \beta - \eta\lambda) z + \beta$ are complex or repeated, their product $\beta$ gives both the
# modulus $\sqrt\beta$: the ball spirals in at rate $\sqrt\beta$ whatever $\lambda$. That is when the
# discriminant is $\le 0$:
# $$(1+\beta-\eta\lambda)^2 \le 4\beta \iff (1-\sqrt\beta)^2 \le \eta\lambda \le (1+\sqrt\beta)^2 \iff (1 - \sqrt{\eta\lambda})^2 \le \beta .$$
# It holds on all of $[\mu, L]$ when it holds at both ends. The smallest $\beta$ that allows it makes
# both ends tight, $1 - \sqrt{\eta\mu} = \sqrt\beta = \sqrt{\eta L} - 1$: adding the two gives
# $\sqrt\eta\,(\sqrt L + \sqrt\mu) = 2$, subtracting gives $2\sqrt\beta = \sqrt\eta\,(\sqrt L - \sqrt\mu)$ (Polyak 1964):
# $$\eta^\ast = \frac{4}{(\sqrt L + \sqrt\mu)^2}, \qquad \beta^\ast = \left(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\right)^2, \qquad \rho^\ast = \sqrt{\beta^\ast} = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1},$$
# against descent's best $\eta = 2/(L+\mu)$, rate $(\kappa-1)/(\kappa+1)$ (Day 3). A rate $\rho$ takes
# $-1/\ln\rho$ steps per factor $e$; the cell of §2.3 prints both for $\kappa = 100$.
# These are rates for quadratics; on a general smooth strongly convex function the heavy ball
# with these settings need not even converge (Lessard et al., 2016), while Nesterov's method
# keeps an accelerated $1 - 1/\sqrt\kappa$ guarantee.
#
# ### 2.3 The theory, measured
# A diagonal quadratic with eigenvalues spread over $[1, 100]$; the measured rate is
# $(\|\theta_{2K}\|/\|\theta_K\|)^{1/K}$ with $K = 400$ (at $\beta^\ast$ the extreme eigenvalues give a
# repeated root, so $\|\theta_k\| \sim k\rho^k$: the ratio over the second half removes most of
# that factor).

# %%
mu, L = 1.0, 100.0
kappa = L / mu
lams = np.concatenate([[mu, L], rng.uniform(mu, L, size=48)])
theta0 = rng.normal(size=lams.size)
K = 400

def measured_rate(lr, beta):
    theta, v, norms = theta0.copy(), np.zeros_like(theta0), [np.linalg.norm(theta0)]
    for _ in range(2 * K):
        v = beta * v + lams * theta
        theta = theta - lr * v
        norms.append(np.linalg.norm(theta))
    return (norms[2 * K] / norms[K]) ** (1 / K)

def spectral_radius(lr, beta):
    return max(np.abs(np.linalg.eigvals(np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]]))).max() for lam in lams)

rate_gd, rate_hb = (kappa - 1) / (kappa + 1), (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
lr_hb, beta_hb = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, rate_hb**2
print(f"kappa = {kappa:.0f}: rate {rate_hb:.3f} (heavy ball) against {rate_gd:.3f} (GD), i.e. "
      f"{-1 / np.log(rate_hb):.2f} against {-1 / np.log(rate_gd):.1f} steps per factor e "
      f"({np.log(10) / -np.log(rate_hb):.1f} against {np.log(10) / -np.log(rate_gd):.0f} per factor 10)")
for name, lr, beta, theory in [("GD", 2 / (L + mu), 0.0, rate_gd), ("heavy ball", lr_hb, beta_hb, rate_hb)]:
    meas = measured_rate(lr, beta)
    print(f"{name:10s} lr = {lr:.5f}, beta = {beta:.4f}: theory {theory:.4f}, max rho(T) {spectral_radius(lr, beta):.4f}, "
          f"measured {meas:.4f} ({abs(meas / theory - 1):.2%} off)")
    assert abs(meas / theory - 1) < 0.05

# %% [markdown]
# Both measured rates sit within 5 % of the theory (the printed gaps). Off the optimum: a
# larger $\beta$ makes every mode spiral at $\sqrt\beta$ (slower); a smaller $\beta$ lets the extreme modes
# leave the circle of radius $\sqrt\beta$ and the rate is set by them instead.

# %%
betas = np.linspace(0.0, 0.95, 96)
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(betas, [spectral_radius(lr_hb, b) for b in betas], label=r"$\max_\lambda \rho(T_\lambda)$ at $\eta^\ast$")
ax.plot(betas, np.sqrt(betas), "--", label=r"$\sqrt{\beta}$")
ax.axvline(beta_hb, color="gray", linewidth=0.8)
ax.axhline(rate_gd, color="tab:red", linewidth=0.8, label="GD's best rate")
ax.set(xlabel=r"$\beta$", ylabel="rate per step", ylim=(0.5, 1.05))
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# ## 3. From scratch, and the frameworks
# Pure Python first: lists of floats, one step function for both methods in this course's
# (PyTorch's) convention. The problem is logistic regression on scikit-learn's breast-cancer
# data (31 weights); `logistic_problem` gives a zero start and the gradient. The frameworks get
# the *same* NumPy gradient each step, so only the optimizers are compared:
# `torch_trajectory(make, x0, grad, num_steps)` takes a factory `lambda ps: torch.optim...(ps, ...)`,
# `keras_trajectory(optimizer, x0, grad, num_steps)` a fresh Keras optimizer; both return the path
# as an array with one row per iterate, the start `x0` as row 0.

# %%
def momentum_python(params, grads, velocity, lr, beta, nesterov=False):
    velocity = [beta * v + g for v, g in zip(velocity, grads)]
    steps = [g + beta * v for g, v in zip(grads, velocity)] if nesterov else velocity
    return [p - lr * s for p, s in zip(params, steps)], velocity

def python_trajectory(w0, grad, num_steps, **hyper):
    w, v, path = list(w0), [0.0] * len(w0), [list(w0)]
    for _ in range(num_steps):
        w, v = momentum_python(w, list(grad(np.array(w))), v, **hyper)
        path.append(w)
    return np.array(path)

w0, grad_logistic = logistic_problem(np.float64)
w0_32, grad_logistic_32 = logistic_problem(np.float32)
lr, beta, num_steps = 0.5, 0.875, 100  # both exact in float32 (see below)
for nesterov in (False, True):
    ours = python_trajectory(w0, grad_logistic, num_steps, lr=lr, beta=beta, nesterov=nesterov)
    make_torch = lambda ps: torch.optim.SGD(ps, lr=lr, momentum=beta, nesterov=nesterov)
    make_keras = lambda: keras.optimizers.SGD(learning_rate=lr, momentum=beta, nesterov=nesterov)
    t64, k64 = torch_trajectory(make_torch, w0, grad_logistic, num_steps), keras_trajectory(make_keras(), w0, grad_logistic, num_steps)
    t32, k32 = torch_trajectory(make_torch, w0_32, grad_logistic_32, num_steps), keras_trajectory(make_keras(), w0_32, grad_logistic_32, num_steps)
    np.testing.assert_allclose(t64, ours, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(k64, ours, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(t32, ours, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(k32, ours, rtol=1e-4, atol=1e-4)
    print(f"nesterov={nesterov}: 100 steps, largest |difference| to pure Python: float64 torch {np.abs(t64 - ours).max():.1e}, "
          f"keras {np.abs(k64 - ours).max():.1e}; float32 torch {np.abs(t32 - ours).max():.1e}, keras {np.abs(k32 - ours).max():.1e} "
          f"(weights up to {np.abs(ours).max():.1f})")

# %% [markdown]
# Tolerances: in float64 all three agree to `rtol=1e-10` (round-off of different operation
# orders, e.g. Keras's $m = -\eta v$ multiplies by $\eta$ before summing); in float32 to
# `rtol=atol=1e-4` against the float64 run (float32 has 7 digits, and 100 steps of a
# momentum sum amplify the rounding). One catch: even on float64 variables Keras rounds the
# learning rate (a float32 variable) **and the momentum** (cast from a Python float through a
# float32 tensor) to float32, so with `lr=0.1, momentum=0.9` it runs with
# 0.100000001490116 and 0.899999976158142. We chose `lr=0.5, β=0.875`, exact in binary. With
# 0.1 and 0.9 the gap to our run is of order $10^{-7}$, and it vanishes when our run uses the
# float32-rounded values:

# %%
k01 = keras_trajectory(keras.optimizers.SGD(learning_rate=0.1, momentum=0.9), w0, grad_logistic, 100)
ours01 = python_trajectory(w0, grad_logistic, 100, lr=0.1, beta=0.9)
ours01_f32 = python_trajectory(w0, grad_logistic, 100, lr=float(np.float32(0.1)), beta=float(np.float32(0.9)))
print(f"lr=0.1, beta=0.9, float64: Keras against pure Python, largest |difference| {np.abs(k01 - ours01).max():.1e}; "
      f"against pure Python with float32-rounded lr and beta {np.abs(k01 - ours01_f32).max():.1e}")
np.testing.assert_allclose(k01, ours01_f32, rtol=1e-10, atol=1e-12)

# %% [markdown]
# ## 4. The race: a ravine and Rosenbrock's valley
# Gradient descent, momentum and Nesterov, each run by `torch.optim` (`race_path`) from the
# same start. On the ravine $\tfrac12(x_1^2 + 50x_2^2)$ descent and the heavy ball use their best
# settings from §2.2; Nesterov its standard ones for strongly convex functions, $\eta = 1/L$,
# $\beta = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ (with the heavy ball's larger $\eta$, $\eta L \approx 3$, it
# diverges on this ravine: try it in part 2's explorer). Rosenbrock's $f = (1-x_1)^2 + 100(x_2 - x_1^2)^2$ is not
# convex: a curved, flat-bottomed valley with its minimum at $(1, 1)$; all use `lr = 1e-3` and
# $\beta = 0.9$: the largest eigenvalue of $f$'s Hessian at the start, printed below, is about 1500,
# so descent needs $\eta < 2/1500 \approx 1.3\cdot 10^{-3}$ there.

# %%
mu, L = 1.0, 50.0
lr_hb, beta_hb = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, ((np.sqrt(L) - 1) / (np.sqrt(L) + 1)) ** 2
settings = {"ravine": {"GD": (2 / (L + mu), 0.0), "momentum": (lr_hb, beta_hb),
                      "Nesterov": (1 / L, (np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1))},
            "Rosenbrock": {name: (1e-3, 0.9) for name in ("GD", "momentum", "Nesterov")}}
rosen_hessian = lambda x, y: np.array([[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200.0]])
lam_start = np.linalg.eigvalsh(rosen_hessian(*PROBLEMS["Rosenbrock"][2])).max()
print(f"Rosenbrock: largest Hessian eigenvalue at the start {lam_start:.0f}, so GD needs lr < 2/{lam_start:.0f} = {2 / lam_start:.2e}")
log_gaps = {}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
for ax, (problem, steps) in zip(axes, [("ravine", 80), ("Rosenbrock", 3000)]):
    f, _, _, x_star, (xlim, ylim) = PROBLEMS[problem]
    levels = np.geomspace(1e-2, f(xlim[0], ylim[0]), 15)
    for name, color in [("GD", "tab:gray"), ("momentum", "tab:blue"), ("Nesterov", "tab:green")]:
        path, diverged = race_path(problem, name, *settings[problem][name], steps)
        print(f"{problem:10s} {name:9s} after {steps} steps: f - min f = {f(*path[-1]) - f(*x_star):.2e}, at {path[-1]}")
        log_gaps[problem, name] = np.log((f(*path[-1]) - f(*x_star)) / (f(*path[0]) - f(*x_star)))
        if name == "GD":
            X, Y = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
            ax.contour(X, Y, f(X, Y), levels=levels, cmap="viridis", linewidths=0.6)
        ax.plot(path[:, 0], path[:, 1], ".-", color=color, markersize=2, linewidth=0.8, label=name)
    ax.plot(*x_star, "*", color="black", markersize=10)
    ax.set(title=f"{problem}, {steps} steps", xlim=xlim, ylim=ylim)
    ax.legend(fontsize="small")
plt.show()
rate_gd_50, rate_hb_50 = (L - mu) / (L + mu), (np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1)
print(f"ravine: ln(gap after 80 steps / gap at the start), heavy ball over GD: "
      f"{log_gaps['ravine', 'momentum'] / log_gaps['ravine', 'GD']:.1f}; theory ln(rho_HB) / ln(rho_GD) = "
      f"{np.log(rate_hb_50) / np.log(rate_gd_50):.1f}; sqrt(kappa) = {np.sqrt(L / mu):.1f}")

# %% [markdown]
# In the ravine the heavy ball gains, per step, about seven times as many orders of magnitude
# as descent, as the ratio of log-rates ($\approx \sqrt\kappa \approx 7$) predicts; over 80 steps the
# measured ratio (printed) is a little lower, since at $\beta^\ast$ the extreme modes have a
# repeated root and decay like $k\rho^k$ rather than $\rho^k$. In Rosenbrock's valley all three find the floor fast and
# then crawl along it; descent is still far from $(1, 1)$ after 3000 steps, while the two
# momentum methods, which build up speed along the floor, reach it (the printed gaps). The
# explorer in part 2 races all six of the day's optimizers with your own settings.
#
# ## 5. Exercises
# ### Exercise 1: the momentum step (2 points)
# **In place** (the same rule in both parts of the day): the results go into the arrays you were
# given, `params` and the state's arrays, never into new ones: do not assign a new array to
# `params` or to `state["velocity"]`, since the caller (an optimizer, a model) holds references
# to those arrays. Temporaries for intermediate values are allowed, and the fewer the faster (part
# 2, §8, measures it): `v *= beta`, `v += grads` and `np.multiply(v, beta, out=v)` write into `v`;
# `params -= lr * v` makes one temporary, `lr * v`, and writes into `params`.

# %% nbgrader={"grade_id": "momentum_step", "solution": true}
def momentum_step(params, grads, state, lr, beta):
    """One step of SGD with momentum, PyTorch's convention: v <- beta v + g; params <- params - lr v.

    params: float NumPy array of any shape (float32 or float64), updated IN PLACE.
    grads: NumPy array of the same shape (not modified).
    state: dict with key "velocity", a float array of params' shape and dtype (zeros before
      the first step), updated IN PLACE.
    lr, beta: floats.
    Returns (params, state): the same objects that were passed in, updated; params and the
      velocity keep their dtype.
    Raises ValueError if grads.shape != params.shape (even where NumPy would broadcast), before
      modifying anything.
    """
    ### BEGIN SOLUTION
    if grads.shape != params.shape:
        raise ValueError(f"grads has shape {grads.shape}, params {params.shape}")
    v = state["velocity"]
    np.multiply(v, beta, out=v)
    np.add(v, grads, out=v, casting="unsafe")
    params -= lr * v
    return params, state
    ### END SOLUTION

# %% nbgrader={"grade_id": "momentum_step_tests", "grade": true, "points": 2}
_p, _g = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]]), np.array([[0.5, 1.0, -2.0], [0.0, 4.0, 1.0]])
_state = {"velocity": np.array([[1.0, 0.0, -1.0], [2.0, 0.0, 0.0]])}
_buf = _state["velocity"]
_out = momentum_step(_p, _g, _state, 0.1, 0.9)
check_type("momentum_step(...) returns a tuple", _out, tuple)
check_true("momentum_step: state['velocity'] updated in place", _state["velocity"] is _buf,
           "write into the array state['velocity'] (v *= beta, v += grads); do not assign a new array to it")
check_true("momentum_step: params updated in place", _out[0] is _p, "return the params array you were given, updated in place")
check_true("momentum_step: state updated in place", _out[1] is _state, "return the state dict you were given")
check_close("momentum_step: velocity", _state["velocity"], np.array([[1.4, 1.0, -2.9], [1.8, 4.0, 1.0]]), rtol=1e-12)
check_close("momentum_step: params", _p, np.array([[0.86, -2.1, 0.79], [2.82, -0.4, -1.1]]), rtol=1e-12)
check_close("momentum_step: grads unchanged", _g, np.array([[0.5, 1.0, -2.0], [0.0, 4.0, 1.0]]), rtol=0.0)
_p32, _s32 = np.array([1.0, 2.0], dtype=np.float32), {"velocity": np.zeros(2, dtype=np.float32)}
momentum_step(_p32, np.array([1.0, 1.0], dtype=np.float32), _s32, 0.5, 0.9)
check_close("momentum_step keeps float32", _p32, np.array([0.5, 1.5]), dtype=np.float32)
check_close("momentum_step keeps the velocity float32", _s32["velocity"], np.array([1.0, 1.0]), dtype=np.float32)
_x, _v, _traj = np.array([2.0, -3.0]), {"velocity": np.zeros(2)}, []
for _ in range(30):  # heavy ball on 0.5 x^T A x against torch.optim.SGD
    momentum_step(_x, np.array([[3.0, 1.0], [1.0, 2.0]]) @ _x, _v, 0.1, 0.8)
    _traj.append(_x.copy())
_torch = torch_trajectory(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.8), np.array([2.0, -3.0]),
                          lambda x: np.array([[3.0, 1.0], [1.0, 2.0]]) @ x, 30)
check_close("momentum_step: 30 steps against torch.optim.SGD(momentum=0.8)", np.array(_traj), _torch[1:], rtol=1e-10, atol=1e-13)
_p = np.ones((2, 3))
try:
    momentum_step(_p, np.ones(3), {"velocity": np.zeros((2, 3))}, 0.1, 0.9)
    _raised = False
except ValueError:
    _raised = True
check_true("momentum_step raises ValueError on grads of shape (3,) against params (2, 3)", _raised,
           "expected a ValueError: compare the shapes yourself, NumPy would broadcast (3,) against (2, 3)")
check_close("momentum_step: params unchanged when it raises", _p, np.ones((2, 3)), rtol=0.0)
print("momentum_step: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(601)
for _trial in range(8):
    _shape = [(5,), (3, 4), (1,), (2, 3, 2)][_trial % 4]
    _p = test_rng.normal(size=_shape)
    _state = {"velocity": np.zeros(_shape)}
    _buf = _state["velocity"]
    _lr, _beta = float(test_rng.uniform(0.01, 0.5)), float(test_rng.uniform(0.0, 0.99))
    for _k in range(int(test_rng.integers(1, 6))):
        _g = test_rng.normal(scale=3.0, size=_shape)
        _g0 = _g.copy()
        _ret = momentum_step(_p, _g, _state, _lr, _beta)
    expect(f"momentum_step(trial {_trial}): velocity in place", _state["velocity"] is _buf)
    expect(f"momentum_step(trial {_trial}): params", _p, rtol=1e-9, atol=1e-12, dtype=np.float64)
    expect(f"momentum_step(trial {_trial}): velocity", _state["velocity"], rtol=1e-9, atol=1e-12)
    expect(f"momentum_step(trial {_trial}): grads unchanged", _g - _g0, atol=0.0)
    expect(f"momentum_step(trial {_trial}): in place", _ret[0] is _p and _ret[1] is _state)
_p, _state = np.zeros(4), {"velocity": np.zeros(4)}
momentum_step(_p, np.zeros(4), _state, 0.1, 0.9)
expect("momentum_step(zero gradient)", _p, atol=0.0)
_p, _state = np.array([1e6, -1e6]), {"velocity": np.array([1e5, 3.0])}
momentum_step(_p, np.array([-2e5, 7.0]), _state, 0.01, 0.5)
expect("momentum_step(large)", _p, rtol=1e-9)
_p, _state = np.array([1.0, -1.0, 2.0]), {"velocity": np.array([0.5, 0.5, -0.5])}
momentum_step(_p, np.array([1.0, 2.0, 3.0]), _state, 0.2, 0.0)
expect("momentum_step(beta = 0 is descent)", _p, rtol=1e-9)
_p32 = test_rng.normal(size=6).astype(np.float32)
_state = {"velocity": test_rng.normal(size=6).astype(np.float32)}
momentum_step(_p32, test_rng.normal(size=6).astype(np.float32), _state, 0.05, 0.9)
expect("momentum_step(float32)", _p32, rtol=1e-5, atol=1e-6, dtype=np.float32)
expect("momentum_step(float32): velocity", _state["velocity"], rtol=1e-5, atol=1e-6, dtype=np.float32)
for _gshape in [(3,), (1,), (2, 1), (3, 2)]:
    _p = np.ones((2, 3))
    try:
        momentum_step(_p, np.ones(_gshape), {"velocity": np.zeros((2, 3))}, 0.1, 0.9)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"momentum_step raises ValueError on grads {_gshape} against params (2, 3)", _raised)
    expect(f"momentum_step(grads {_gshape}): params unchanged", _p, atol=0.0)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2: the Nesterov step (2 points)

# %% nbgrader={"grade_id": "nesterov_step", "solution": true}
def nesterov_step(params, grads, state, lr, beta):
    """One step of Nesterov momentum, PyTorch's convention:
    v <- beta v + g; params <- params - lr (g + beta v)   (v the updated velocity).

    Same arguments, in-place updates (params and state["velocity"]), dtypes, return value and
    ValueError as momentum_step.
    """
    ### BEGIN SOLUTION
    if grads.shape != params.shape:
        raise ValueError(f"grads has shape {grads.shape}, params {params.shape}")
    v = state["velocity"]
    np.multiply(v, beta, out=v)
    np.add(v, grads, out=v, casting="unsafe")
    params -= lr * grads
    params -= (lr * beta) * v
    return params, state
    ### END SOLUTION

# %% nbgrader={"grade_id": "nesterov_step_tests", "grade": true, "points": 2}
_p, _g = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]]), np.array([[0.5, 1.0, -2.0], [0.0, 4.0, 1.0]])
_state = {"velocity": np.array([[1.0, 0.0, -1.0], [2.0, 0.0, 0.0]])}
_buf = _state["velocity"]
_out = nesterov_step(_p, _g, _state, 0.1, 0.9)
check_type("nesterov_step(...) returns a tuple", _out, tuple)
check_true("nesterov_step: state['velocity'] updated in place", _state["velocity"] is _buf,
           "write into the array state['velocity'] (v *= beta, v += grads); do not assign a new array to it")
check_true("nesterov_step: params updated in place", _out[0] is _p, "return the params array you were given, updated in place")
check_close("nesterov_step: velocity", _state["velocity"], np.array([[1.4, 1.0, -2.9], [1.8, 4.0, 1.0]]), rtol=1e-12)
check_close("nesterov_step: params", _p, np.array([[0.824, -2.19, 0.961], [2.838, -0.76, -1.19]]), rtol=1e-12)
_p32, _s32 = np.array([1.0, 2.0], dtype=np.float32), {"velocity": np.zeros(2, dtype=np.float32)}
nesterov_step(_p32, np.array([1.0, 1.0], dtype=np.float32), _s32, 0.5, 0.5)
check_close("nesterov_step keeps float32", _p32, np.array([0.25, 1.25]), dtype=np.float32)
check_close("nesterov_step keeps the velocity float32", _s32["velocity"], np.array([1.0, 1.0]), dtype=np.float32)
_x, _v, _traj = np.array([2.0, -3.0]), {"velocity": np.zeros(2)}, []
for _ in range(30):
    nesterov_step(_x, np.array([[3.0, 1.0], [1.0, 2.0]]) @ _x, _v, 0.1, 0.8)
    _traj.append(_x.copy())
_torch = torch_trajectory(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.8, nesterov=True), np.array([2.0, -3.0]),
                          lambda x: np.array([[3.0, 1.0], [1.0, 2.0]]) @ x, 30)
check_close("nesterov_step: 30 steps against torch.optim.SGD(nesterov=True)", np.array(_traj), _torch[1:], rtol=1e-10, atol=1e-13)
_p = np.ones((2, 3))
try:
    nesterov_step(_p, np.ones(3), {"velocity": np.zeros((2, 3))}, 0.1, 0.9)
    _raised = False
except ValueError:
    _raised = True
check_true("nesterov_step raises ValueError on grads of shape (3,) against params (2, 3)", _raised,
           "expected a ValueError: compare the shapes yourself, NumPy would broadcast (3,) against (2, 3)")
check_close("nesterov_step: params unchanged when it raises", _p, np.ones((2, 3)), rtol=0.0)
print("nesterov_step: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(602)
for _trial in range(8):
    _shape = [(5,), (3, 4), (1,), (2, 3, 2)][_trial % 4]
    _p = test_rng.normal(size=_shape)
    _state = {"velocity": np.zeros(_shape)}
    _buf = _state["velocity"]
    _lr, _beta = float(test_rng.uniform(0.01, 0.5)), float(test_rng.uniform(0.0, 0.99))
    for _k in range(int(test_rng.integers(1, 6))):
        _g = test_rng.normal(scale=3.0, size=_shape)
        _g0 = _g.copy()
        _ret = nesterov_step(_p, _g, _state, _lr, _beta)
    expect(f"nesterov_step(trial {_trial}): velocity in place", _state["velocity"] is _buf)
    expect(f"nesterov_step(trial {_trial}): params", _p, rtol=1e-9, atol=1e-12, dtype=np.float64)
    expect(f"nesterov_step(trial {_trial}): velocity", _state["velocity"], rtol=1e-9, atol=1e-12)
    expect(f"nesterov_step(trial {_trial}): grads unchanged", _g - _g0, atol=0.0)
    expect(f"nesterov_step(trial {_trial}): in place", _ret[0] is _p and _ret[1] is _state)
_p, _state = np.array([1e6, -1e6]), {"velocity": np.array([1e5, 3.0])}
nesterov_step(_p, np.array([-2e5, 7.0]), _state, 0.01, 0.5)
expect("nesterov_step(large)", _p, rtol=1e-9)
_p, _state = np.array([1.0, -1.0, 2.0]), {"velocity": np.array([0.5, 0.5, -0.5])}
nesterov_step(_p, np.array([1.0, 2.0, 3.0]), _state, 0.2, 0.0)
expect("nesterov_step(beta = 0 is descent)", _p, rtol=1e-9)
_p32 = test_rng.normal(size=6).astype(np.float32)
_state = {"velocity": test_rng.normal(size=6).astype(np.float32)}
nesterov_step(_p32, test_rng.normal(size=6).astype(np.float32), _state, 0.05, 0.9)
expect("nesterov_step(float32)", _p32, rtol=1e-5, atol=1e-6, dtype=np.float32)
expect("nesterov_step(float32): velocity", _state["velocity"], rtol=1e-5, atol=1e-6, dtype=np.float32)
for _gshape in [(3,), (1,), (2, 1), (3, 2)]:
    _p = np.ones((2, 3))
    try:
        nesterov_step(_p, np.ones(_gshape), {"velocity": np.zeros((2, 3))}, 0.1, 0.9)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"nesterov_step raises ValueError on grads {_gshape} against params (2, 3)", _raised)
    expect(f"nesterov_step(grads {_gshape}): params unchanged", _p, atol=0.0)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3: the frameworks reproduce the moving-average form (3 points)
# A colleague's run used the moving-average form $u \leftarrow \beta u + (1-\beta) g$,
# $\theta \leftarrow \theta - \alpha u$, $u_0 = 0$. Configure `torch.optim.SGD` and
# `keras.optimizers.SGD` so that they reproduce that trajectory: exactly in float64 for PyTorch,
# and for Keras up to its float32 rounding of the learning rate and the momentum (§3). Derive the
# settings from §2.1 (how do $u$ and PyTorch's $v$ relate? what does `dampening` do on the first
# step?). The check runs your optimizers itself; they must do their own updates (no method of
# theirs replaced). In a failure message, "index (k, i)" means step k, coordinate i.

# %% nbgrader={"grade_id": "framework_momentum", "solution": true}
def framework_momentum(alpha, beta, torch_params):
    """Framework optimizers equal to the moving-average heavy ball with step alpha and decay beta.

    alpha: float > 0; beta: float in [0, 1).
    torch_params: list of torch tensors (requires_grad=True) to hand to the torch optimizer.
    Returns (torch_optimizer, keras_optimizer): a torch.optim.SGD over torch_params and a
    keras.optimizers.SGD (not yet applied to any variable), both plain instances of those
    classes doing their own update.
    """
    ### BEGIN SOLUTION
    lr = alpha * (1 - beta)
    return (torch.optim.SGD(torch_params, lr=lr, momentum=beta),
            keras.optimizers.SGD(learning_rate=lr, momentum=beta))
    ### END SOLUTION

# %% nbgrader={"grade_id": "framework_momentum_tests", "grade": true, "points": 3}
def _moving_average_path(x0, grad, alpha, beta, num_steps):
    x, u, path = x0.copy(), np.zeros_like(x0), [x0.copy()]
    for _ in range(num_steps):
        u = beta * u + (1 - beta) * grad(x)
        x = x - alpha * u
        path.append(x.copy())
    return np.array(path)

def _own_update(_opts):
    """True if neither optimizer has a method replaced on the instance or a step hook."""
    return (not any(callable(_v) for _o in _opts for _v in vars(_o).values())
            and not _opts[0]._optimizer_step_pre_hooks and not _opts[0]._optimizer_step_post_hooks)

def _framework_paths(alpha, beta, x0, grad, num_steps):
    _opts = framework_momentum(alpha, beta, [torch.zeros(1, requires_grad=True)])
    check_type("framework_momentum(...)", _opts, tuple)
    check_type("framework_momentum(...)[0]", _opts[0], torch.optim.SGD)
    check_type("framework_momentum(...)[1]", _opts[1], keras.optimizers.SGD)
    check_true("framework_momentum: the optimizers do their own update", _own_update(_opts),
               "configure torch.optim.SGD and keras.optimizers.SGD with their arguments; do not replace their methods")
    _t = torch_trajectory(lambda ps: framework_momentum(alpha, beta, ps)[0], x0, grad, num_steps)
    _k = keras_trajectory(framework_momentum(alpha, beta, [torch.zeros(1, requires_grad=True)])[1], x0, grad, num_steps)
    return _t, _k

_A = np.array([[3.0, 1.0], [1.0, 2.0]])
_given = _moving_average_path(np.array([2.0, -3.0]), lambda x: _A @ x, 1.0, 0.75, 40)
_t, _k = _framework_paths(1.0, 0.75, np.array([2.0, -3.0]), lambda x: _A @ x, 40)
check_close("framework_momentum: torch trajectory (alpha 1, beta 0.75)", _t, _given, rtol=1e-10, atol=1e-13)
check_close("framework_momentum: keras trajectory (alpha 1, beta 0.75)", _k, _given, rtol=1e-10, atol=1e-13)
print("framework_momentum: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(603)
for _trial in range(3):
    _n = int(test_rng.integers(1, 5))
    _q = np.linalg.qr(test_rng.normal(size=(_n, _n)))[0]
    _Ah = _q @ np.diag(test_rng.uniform(0.5, 3.0, size=_n)) @ _q.T
    _alpha, _beta = float(test_rng.uniform(0.05, 0.5)), float(test_rng.uniform(0.3, 0.95))
    _t, _k = _framework_paths(_alpha, _beta, test_rng.normal(size=_n), lambda x, A=_Ah: A @ x + np.sin(x), 25)
    expect(f"framework_momentum(trial {_trial}): torch", _t, rtol=1e-9, atol=1e-12, dtype=np.float64)
    expect(f"framework_momentum(trial {_trial}): keras", _k, rtol=1e-6, atol=1e-8, dtype=np.float64)
    _opts = framework_momentum(_alpha, _beta, [torch.zeros(1, requires_grad=True)])
    _group = _opts[0].param_groups[0]
    expect(f"framework_momentum(trial {_trial}): own updates", _own_update(_opts))
    expect(f"framework_momentum(trial {_trial}): torch lr", float(_group["lr"]), rtol=1e-12)
    expect(f"framework_momentum(trial {_trial}): torch momentum", float(_group["momentum"]), rtol=1e-12)
    expect(f"framework_momentum(trial {_trial}): torch dampening", float(_group["dampening"]), atol=1e-12)
    expect(f"framework_momentum(trial {_trial}): torch nesterov", bool(_group["nesterov"]))
    expect(f"framework_momentum(trial {_trial}): torch weight_decay", float(_group["weight_decay"]), atol=1e-12)
    expect(f"framework_momentum(trial {_trial}): keras learning_rate", float(_opts[1].learning_rate), rtol=1e-6)
    expect(f"framework_momentum(trial {_trial}): keras momentum", float(_opts[1].momentum), rtol=1e-6)
    expect(f"framework_momentum(trial {_trial}): keras nesterov", bool(_opts[1].nesterov))
_t, _k = _framework_paths(0.5, 0.0, np.array([1.0, -1.0]), lambda x: 2 * x, 5)
expect("framework_momentum(beta = 0): torch", _t, rtol=1e-9)
expect("framework_momentum(beta = 0): keras", _k, rtol=1e-6)
_t, _k = _framework_paths(0.25, 0.5, np.array([1.5, -0.5], dtype=np.float32), lambda x: 2 * x, 10)
expect("framework_momentum(float32): torch", _t, rtol=1e-5, atol=1e-6, dtype=np.float32)
expect("framework_momentum(float32): keras", _k, rtol=1e-5, atol=1e-6, dtype=np.float32)
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Pitfalls and misconceptions
#
# **"Same lr, same momentum, same optimizer."** Only if the convention is the same: moving a
# recipe `lr=0.1, β=0.9` from the moving-average form to PyTorch's needs `lr=0.01`. Keras's
# form equals PyTorch's for a constant rate but not under a schedule (§2.1).
#
# **"`lr=α, dampening=β` gives the moving average."** PyTorch's buffer update with `dampening=β`
# is $v \leftarrow \beta v + (1-\beta) g$, the moving average's, but the first step takes the undamped
# gradient, and that surplus stays in the buffer: every step is too large, by $\alpha\beta^k g_0$ at
# step $k$ (§2.1). With a constant gradient $g = 1$, $\alpha = 1$, $\beta = 0.9$:

# %%
alpha_demo, beta_demo, num_demo = 1.0, 0.9, 5
x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
opt = torch.optim.SGD([x], lr=alpha_demo, momentum=beta_demo, dampening=beta_demo)
steps_damp, steps_avg, u = [], [], 0.0
for _ in range(num_demo):
    x.grad = torch.ones(1, dtype=torch.float64)
    before = x.item()
    opt.step()
    steps_damp.append(before - x.item())
    u = beta_demo * u + (1 - beta_demo) * 1.0
    steps_avg.append(alpha_demo * u)
excess = np.array(steps_damp) - np.array(steps_avg)
np.testing.assert_allclose(excess, alpha_demo * beta_demo ** np.arange(1, num_demo + 1), rtol=1e-12)
print(f"lr = α, dampening = β: first {num_demo} steps {np.round(steps_damp, 4)}")
print(f"moving average       : first {num_demo} steps {np.round(steps_avg, 4)}")
print(f"excess               : {np.round(excess, 4)} = α β^k")

# %% [markdown]
# **"Momentum always helps."** With $\beta$ too large for the learning rate the ball orbits:
# every mode spirals at $\sqrt\beta$ (§2.3), so $\beta = 0.99$ on the ravine is slower than
# $\beta^\ast$. With noisy gradients a large $\beta$ also averages noise over $1/(1-\beta)$ steps,
# which helps late in training and hurts when the landscape changes fast.
#
# **"Nesterov is always faster."** Its guarantee is for convex functions, with its own settings
# ($\eta \le 1/L$). On a quadratic the tuned heavy ball is at least as fast, and Nesterov run
# with the heavy ball's optimal $\eta$ (here $\eta L \approx 3$) diverges on the ravine.
#
# ## 7. Interview corner
#
# **Mid.** Write SGD with momentum. What does $\beta = 0.9$ do to the effective step?
# <details><summary>Answer</summary>
# $v \leftarrow \beta v + g$, $\theta \leftarrow \theta - \eta v$. For a steady gradient $v \to g/(1-\beta)$:
# ten times the step of plain SGD; along directions where the gradient flips sign the sum
# cancels.
# </details>
#
# **Senior.** Why is the best heavy-ball rate $(\sqrt\kappa - 1)/(\sqrt\kappa+1)$?
# <details><summary>Answer</summary>
# Each eigen-direction is a 2-D linear recurrence with characteristic polynomial
# $z^2 - (1+\beta-\eta\lambda)z + \beta$. With complex roots both have modulus $\sqrt\beta$; choose
# $\eta, \beta$ so that both ends $\mu$ and $L$ sit on the boundary of the complex region:
# $\eta = 4/(\sqrt L + \sqrt\mu)^2$, $\sqrt\beta = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)$. The number of steps
# then scales with $\sqrt\kappa$ instead of $\kappa$.
# </details>
#
# **Principal.** A team moves a recipe from Keras to PyTorch and the training diverges. What do
# you check first?
# <details><summary>Answer</summary>
# The conventions: momentum form (equal only for a constant lr), weight decay (Keras's
# `weight_decay` is decoupled, PyTorch SGD's is added to the gradient), epsilon placement for
# adaptive methods, defaults (Adagrad's initial accumulator, RMSprop's decay 0.9 against 0.99),
# the loss reduction (sum against mean scales the gradient), and the schedule's step unit. Then
# reproduce a few steps on one batch in both and compare numbers, not curves.
# </details>
#
# ## 8. Summary and further reading
#
# - Momentum: $v \leftarrow \beta v + g$, $\theta \leftarrow \theta - \eta v$; the moving average
#   is the same with $\eta = \alpha(1-\beta)$; Keras's $m = -\eta v$.
# - On quadratics the heavy ball at $\eta^\ast, \beta^\ast$ contracts at
#   $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$, measured above within 5 %.
# - Nesterov evaluates the gradient at the look-ahead; same state, same cost.
#
# **Further reading.** Polyak, "Some methods of speeding up the convergence of iteration
# methods" (1964). Nesterov, "A method for solving the convex programming problem with
# convergence rate $O(1/k^2)$" (1983). Sutskever, Martens, Dahl and Hinton, "On the importance
# of initialization and momentum in deep learning" (2013). Goh, "Why momentum really works",
# *Distill* (2017). Lessard, Recht and Packard, "Analysis and design of optimization algorithms
# via integral quadratic constraints" (2016). Next: part 2, adaptive methods.
