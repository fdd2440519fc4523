# %% [markdown]
# # Day 1: Derivatives
#
# **Learning goals.** After this notebook you can
# - state the limit definition of the derivative and read it as the slope of a tangent;
# - compute forward, backward and central differences, in pure Python and in vectorised NumPy;
# - measure their orders of error from data and find the best step $h$ for each;
# - get the same derivative from `torch.autograd` and `tf.GradientTape`, checked in code;
# - avoid the classic traps: $h$ too small, float32, kinks, gradients that accumulate.
#
# **Prerequisites.** Python (functions, `lambda`) and NumPy (arrays, broadcasting, `np.polyfit`
# for a least-squares line), school algebra with logarithms ($\log(ab) = \log a + \log b$), and a
# few facts of calculus, recalled in the refresher below (Taylor's formula, the product and chain
# rules, a minimum where the derivative is zero); a first calculus course helps. The words *loss*,
# *weight* and *learning rate* are used as in any introduction to machine learning. **Time to
# complete.** About 2 to 2½ hours: 60 to 75 minutes to read and run, 50 to 60 for the exercises
# (what a learner took, not what the author guessed).

# %% nbgrader={"grade_id": "setup", "locked": true}
import math

import numpy as np
# check_*: the self-checks after each exercise; expect and hidden_rng serve the hidden tests run at grading.
from calcopt.checks import check_close, check_true, check_type, expect, hidden_rng, rel_error

import matplotlib.pyplot as plt
import tensorflow as tf
import torch

from calcopt.plots import plot_error_vs_step
from calcopt.widgets import TangentExplorer

rng = np.random.default_rng(0)
torch.manual_seed(0)
tf.random.set_seed(0)
EPS = np.finfo(np.float64).eps  # float64 machine epsilon: the gap between 1.0 and the next float
print(f"PyTorch {torch.__version__}, TensorFlow {tf.__version__}, float64 eps = {EPS:.3e}")

# %% [markdown]
# ## What, why, when, where
#
# - **What.** The derivative $f'(x)$ is the rate of change of $f$ at $x$: output change per
#   unit of input change, for a vanishingly small change.
# - **Why.** For a loss $L(w)$, the sign of $L'(w)$ says which way to move the weight $w$ to
#   lower the loss, and its size how sensitive the loss is to $w$.
# - **When.** At every training step, for every parameter; together they form the gradient (Day 2,
#   where $L'(w)$ becomes the partial derivative $\partial L/\partial w$).
# - **Where.** `loss.backward()` computes $L'(w)$ into `w.grad`; `optimizer.step()` uses it. For
#   plain SGD (*stochastic gradient descent*: gradient descent on a random part of the data at each
#   step, Day 5) the step is $w \leftarrow w - \text{lr}\cdot L'(w)$, with `lr` the learning rate.
#
# **A short history.** Newton ("fluxions", 1660s) and Leibniz (published 1684, with the $dy/dx$
# we still write) invented calculus independently; Cauchy and Weierstrass made the limit rigorous
# in the 19th century. Computers first differentiated by finite differences, today's topic.
# Automatic differentiation followed: it applies the chain rule, operation by operation, to the
# program that computes $f$. Forward mode (Wengert, 1964) carries derivatives along with the values
# from the input to the output; reverse mode (Linnainmaa, 1970) records the operations, then carries
# derivatives back from the output to every input (Day 4 builds it). Backpropagation, popularised
# by Rumelhart, Hinton and Williams (1986), is reverse mode on a neural network. Theano (2007),
# TensorFlow (2015) and PyTorch (2016) made it routine: you write $f$, the framework derives $f'$.
#
# ## Intuition: zoom in until the curve is straight
#
# Zoom in on a smooth curve and it looks more and more like a straight line, the **tangent**; its
# slope is the derivative. A **secant** through $x_0$ and $x_0 + h$ has slope "rise over run";
# as $h$ shrinks, the secant turns into the tangent.

# %%
# %matplotlib inline
x0, xs = 1.0, np.linspace(-0.5, 2.5, 200)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(xs, np.sin(xs), color="black", label="sin(x)")
for h in (1.2, 0.6, 0.2):
    slope = (np.sin(x0 + h) - np.sin(x0)) / h
    ax.plot(xs, np.sin(x0) + slope * (xs - x0), "--", label=f"secant, h = {h}: slope {slope:.3f}")
ax.plot(xs, np.sin(x0) + np.cos(x0) * (xs - x0), lw=2, label=f"tangent: slope cos(1) = {np.cos(x0):.3f}")
ax.plot([x0], [np.sin(x0)], "ko")
ax.set_ylim(-0.6, 1.6)
ax.legend(fontsize="small", loc="lower right")
ax.set_title("Secants turn into the tangent as h shrinks");

# %% [markdown]
# ## Theory
#
# **Refresher: the facts used below.** The derivatives $\sin' = \cos$, $\cos' = -\sin$,
# $\exp' = \exp$ and $\big(\log(1 + x)\big)' = 1/(1 + x)$. The *product rule*
# $(uv)' = u'v + uv'$ and the *chain rule* $\big(u(w(x))\big)' = u'(w(x))\,w'(x)$ (for example
# $(e^{-x^2/4})' = e^{-x^2/4}\cdot(-x/2)$). At a minimum of a differentiable function, away from the
# ends of its interval, the derivative is zero. *Taylor's formula*: if $f$ has $k$ continuous
# derivatives near $x$, $f(x + h) = f(x) + h f'(x) + \tfrac{h^2}{2} f''(x) + \dots +
# \tfrac{h^{k-1}}{(k-1)!} f^{(k-1)}(x) + O(h^k)$ as $h \to 0$: near $x$, $f$ is a polynomial in $h$
# up to a remainder of order $h^k$. Here $f^{(k)}$ is the $k$-th derivative ($f'''' = f^{(4)}$), and
# $g(h) = O(h^k)$ means $|g(h)| \le C|h|^k$ for some constant $C$ and all small $h$.
#
# $f$ is **differentiable** at $x$ when the limit below exists (as a finite number), and the limit
# is $f'(x)$:
# $$f'(x) = \lim_{h \to 0} \frac{f(x+h) - f(x)}{h}.$$
# A computer cannot take the limit; it stops at a small $h > 0$. The forward, backward and
# central differences are
# $$D_+ f = \frac{f(x+h) - f(x)}{h}, \qquad D_- f = \frac{f(x) - f(x-h)}{h}, \qquad
# D_0 f = \frac{f(x+h) - f(x-h)}{2h}.$$
# For $f$ with five continuous derivatives near $x$, Taylor's formula (where $f, f', \dots$ stand
# for their values at $x$),
# $f(x \pm h) = f \pm h f' + \tfrac{h^2}{2} f'' \pm \tfrac{h^3}{6} f''' + \tfrac{h^4}{24} f'''' + O(h^5)$,
# gives their **truncation error**:
# $$D_\pm f = f' \pm \tfrac{h}{2} f'' + O(h^2), \qquad D_0 f = f' + \tfrac{h^2}{6} f''' + O(h^4).$$
# $D_\pm$ are *first order* (error $\propto h$ when $f''(x) \ne 0$). In $f(x+h) - f(x-h)$ the even
# terms, $h^2$ and $h^4$ included, cancel; dividing the $O(h^5)$ remainder by $2h$ leaves $O(h^4)$.
# So $D_0$ is *second order* (error $\propto h^2$ when $f'''(x) \ne 0$), for the same two
# evaluations of $f$.
#
# **Round-off.** Float64 stores each value of $f$ with a relative error of order
# $\varepsilon = 2^{-52}$: the computed $f(x + h)$ and $f(x)$ are each off by up to about
# $\varepsilon|f|$. Subtracting two nearly equal values cancels their leading digits but keeps their
# absolute errors (*catastrophic cancellation*): up to $2\varepsilon|f|$ of error in a difference
# that is itself tiny. Dividing by $h$ magnifies it into $2\varepsilon|f|/h$ for $D_\pm$, and by
# $2h$ into $\varepsilon|f|/h$ for $D_0$: errors that *grow* as $h$ shrinks.
#
# **The best step** balances the two. Add them, and set $dE/dh = 0$ (the refresher's minimum):
# $$E_+(h) \approx \tfrac{h}{2}|f''| + \tfrac{2\varepsilon|f|}{h},\quad
#   \tfrac{|f''|}{2} - \tfrac{2\varepsilon|f|}{h^2} = 0 \;\Rightarrow\;
#   h_+^* = 2\sqrt{\varepsilon |f| / |f''|} \sim \sqrt{\varepsilon};$$
# $$E_0(h) \approx \tfrac{h^2}{6}|f'''| + \tfrac{\varepsilon|f|}{h},\quad
#   \tfrac{h}{3}|f'''| - \tfrac{\varepsilon|f|}{h^2} = 0 \;\Rightarrow\;
#   h_0^* = \big(3\varepsilon |f| / |f'''|\big)^{1/3} \sim \varepsilon^{1/3},$$
# with best errors $E_+(h_+^*) = 2\sqrt{\varepsilon|f f''|} \sim \sqrt\varepsilon$ and
# $E_0(h_0^*) \sim \varepsilon^{2/3}$. These scalings assume $f''(x) \ne 0$ (for $D_0$,
# $f'''(x) \ne 0$), with $|f|$ and its derivatives of comparable size and $|x|$ of order one.
# Rounding $x \pm h$ to a float adds an error of up to about $\varepsilon|x f'(x)|/(2h)$ (the step
# taken is not quite $h$), which is why practical codes scale the step with $x$:
# $h \approx \sqrt\varepsilon\,\max(1, |x|)$ for $D_\pm$, $\varepsilon^{1/3}\max(1, |x|)$ for $D_0$.
# On log-log axes a power law $E = C h^p$ is a straight line of slope $p$
# ($\log E = \log C + p \log h$), so the orders can be read off a plot.
#
# ## From scratch: pure Python
#
# The limit definition, literally, for $f = \exp$ at $x_0 = 1$, where $f'(1) = e$:

# %%
def f(x):
    return math.exp(x)


x0 = 1.0
print(f"{'h':>7} {'forward':>18} {'central':>18} {'fwd error':>10} {'ctr error':>10}")
for k in range(1, 8):
    h = 10.0 ** -k
    fwd, ctr = (f(x0 + h) - f(x0)) / h, (f(x0 + h) - f(x0 - h)) / (2 * h)
    print(f"{h:7.0e} {fwd:18.15f} {ctr:18.15f} {abs(fwd - math.e):10.2e} {abs(ctr - math.e):10.2e}")

# %% [markdown]
# Each tenfold cut of $h$ cuts the forward error about tenfold and the central one about a
# hundredfold, until, in the last rows, the central error stops improving: round-off.
#
# ## Vectorised NumPy: error against $h$, from data
#
# NumPy evaluates all step sizes at once: 151 values of $h$ from $10^{-15}$ to $1$.

# %%
hs = np.logspace(-15, 0, 151)
errors = {
    "forward": np.abs((np.exp(1.0 + hs) - np.exp(1.0)) / hs - math.e),
    "backward": np.abs((np.exp(1.0) - np.exp(1.0 - hs)) / hs - math.e),
    "central": np.abs((np.exp(1.0 + hs) - np.exp(1.0 - hs)) / (2 * hs) - math.e),
}
# One curve is ragged near its minimum (lucky cancellations): its argmin is luck. A robust
# estimate: at each h, the median relative error over 200 points x0 drawn in [0.5, 1.5].
x0s = rng.uniform(0.5, 1.5, size=(200, 1))  # one point per row; broadcast against one h per column


def typical_error(scheme, hs, dtype=np.float64):
    """Median over the points x0s of the relative error of exp'(x0) by a scheme, at each h in hs."""
    x, h = x0s.astype(dtype), hs.astype(dtype)
    if scheme == "forward":
        d = (np.exp(x + h) - np.exp(x)) / h
    elif scheme == "backward":
        d = (np.exp(x) - np.exp(x - h)) / h
    else:
        d = (np.exp(x + h) - np.exp(x - h)) / (2 * h)
    exact = np.exp(x.astype(np.float64))  # exp' = exp, at the points actually used
    return np.median(np.abs(d.astype(np.float64) / exact - 1), axis=0)


typical = {name: typical_error(name, hs) for name in errors}
best_h = {name: hs[np.argmin(t)] for name, t in typical.items()}
best_err = {name: t.min() for name, t in typical.items()}
ax = plot_error_vs_step(hs, errors, orders={"forward": 1, "central": 2},
                        title="Error of exp'(1) against h, float64")
forward_line = next(line for line in ax.get_lines() if line.get_label() == "forward")
forward_line.set(linestyle="none", marker="o", markerfacecolor="none", markersize=6, zorder=3)  # rings round backward
ax.legend(fontsize="small")
for name in ("forward", "central"):
    ax.axvline(best_h[name], color="gray", lw=0.8, ls=":")

# %% [markdown]
# Right to left: at large $h$ the lines are straight, with the slopes of the dashed guides
# (truncation). The forward and backward errors are almost the same size at every $h$, so the
# forward ones are drawn as rings around the backward dots. Below the best $h$ (dotted: where the
# median error over the 200 points is smallest) the lines turn and climb, ragged, as round-off
# takes over. The same, measured: least-squares slopes in log-log space over the truncation range
# ($100\times$ the best $h$ up to $0.1$) and the round-off range (below $h^*/100$).

# %%
def fitted_slope(name, lo, hi):
    mask = (hs >= lo) & (hs <= hi)
    return np.polyfit(np.log(hs[mask]), np.log(errors[name][mask]), 1)[0]


theory_h = {"forward": 2 * np.sqrt(EPS), "central": (3 * EPS) ** (1 / 3)}  # for exp, |f| = |f'| = |f''| = |f'''|
theory_err = {"forward": theory_h["forward"] / 2 + 2 * EPS / theory_h["forward"],  # relative: E(h*) / |f'|
              "central": theory_h["central"] ** 2 / 6 + EPS / theory_h["central"]}
for name in ("forward", "backward", "central"):
    print(f"{name:8}: slope {fitted_slope(name, 100 * best_h[name], 0.1):5.2f} (truncation), "
          f"{fitted_slope(name, 1e-14, best_h[name] / 100):5.2f} (round-off); "
          f"best h = {best_h[name]:.1e}, typical relative error there {best_err[name]:.1e} "
          f"(luckiest point of the x0 = 1 curve {errors[name].min() / math.e:.1e})")
for name in ("forward", "central"):
    print(f"{name:8}: theory h* = {theory_h[name]:.1e}, E(h*)/|f'| = {theory_err[name]:.1e}; measured / theory: "
          f"h {best_h[name] / theory_h[name]:.2f}, error {best_err[name] / theory_err[name]:.2f}")
print(f"a round-off 6 times below the bound predicts h ratios {6 ** -0.5:.2f} (forward) "
      f"and {6 ** (-1 / 3):.2f} (central); neighbouring steps h of the grid: a factor {hs[1] / hs[0]:.2f} apart")
print(f"sqrt(eps) = {np.sqrt(EPS):.1e}, eps**(1/3) = {EPS ** (1 / 3):.1e}; digits gained by central "
      f"over forward at their best: {np.log10(best_err['forward'] / best_err['central']):.1f}")

# %% [markdown]
# The code prints truncation slopes close to 1 (forward, backward) and 2 (central), round-off
# slopes close to $-1$, and best steps near $\sqrt\varepsilon$ (forward) and $\varepsilon^{1/3}$
# (central), about half the theory's $h^*$ (explained below). The luckiest point of one ragged
# curve flatters the scheme; the median over many points is what a step of that size typically
# gives. Compared with the theory, the measured best steps are somewhat smaller and the errors
# about a tenth (the ratios printed), because the theory charges each value of $f$ a full
# $\varepsilon|f|$, a generous bound. A correctly rounded value is off by at most $\varepsilon|f|/2$;
# if two such errors behave like independent uniform ones (a model, not a theorem), they differ on
# average by $\varepsilon|f|/3$. That is a round-off 6 times below the bound, and it moves the
# balance point by $6^{-1/2}$ (forward) and $6^{-1/3}$ (central), printed next to the measured
# ratios. Read the agreement only to the grid's resolution: neighbouring steps $h$ are a factor
# $10^{0.1} \approx 1.26$ apart (printed), so a measured best step is known to about that factor.
# The errors shrink further because the theory adds truncation and round-off as if they never
# cancelled, while the round-off has either sign. The last line is how many more correct digits the central difference gives at
# its best, for the same cost.
#
# ## The frameworks: one derivative, four ways
#
# Take $g(x) = \sin(x)\, e^{-x^2/4}$; by the product and chain rules
# $g'(x) = \big(\cos x - \tfrac{x}{2}\sin x\big) e^{-x^2/4}$. We compute $g'$ on a grid by central
# differences in pure Python (a loop) and in NumPy (one expression), then with `torch.autograd`
# and `tf.GradientTape`, which need no $h$.
#
# - PyTorch: `requires_grad=True` asks PyTorch to record the operations done on a tensor;
#   `y.backward()` then runs the chain rule back through them and stores $dy/dx$ in `x.grad`.
# - TensorFlow: operations run inside `with tf.GradientTape() as tape:` are recorded, on the
#   tensors the tape watches (variables are watched by themselves, a constant only after
#   `tape.watch(x)`); `tape.gradient(y, x)` then gives $dy/dx$.
#
# A framework differentiates a *scalar*. **The sum trick:** for an elementwise $g$, output $j$
# depends on input $j$ only, so $\partial\big(\sum_j g(x_j)\big)/\partial x_i = g'(x_i)$: the
# derivative at every point in one backward pass.

# %%
def g_np(x):
    return np.sin(x) * np.exp(-x**2 / 4)


def dg(x):  # by hand
    return (np.cos(x) - x / 2 * np.sin(x)) * np.exp(-x**2 / 4)


def g_py(x):  # one float at a time
    return math.sin(x) * math.exp(-x * x / 4)


xs, h = np.linspace(-3, 3, 13), 1e-5
d_python = np.array([(g_py(x + h) - g_py(x - h)) / (2 * h) for x in xs.tolist()])  # one point at a time
d_numpy = (g_np(xs + h) - g_np(xs - h)) / (2 * h)                                   # whole array at once

x_torch = torch.tensor(xs, dtype=torch.float64, requires_grad=True)  # record what is done to x_torch
(torch.sin(x_torch) * torch.exp(-x_torch**2 / 4)).sum().backward()  # the sum trick
d_torch = x_torch.grad.numpy()

x_tf = tf.constant(xs, dtype=tf.float64)
with tf.GradientTape() as tape:
    tape.watch(x_tf)  # a constant is recorded only when watched
    y_tf = tf.sin(x_tf) * tf.exp(-x_tf**2 / 4)
d_tf = tape.gradient(y_tf, x_tf).numpy()  # gradient of the sum of y_tf

np.testing.assert_allclose(d_torch, dg(xs), rtol=1e-12, atol=1e-15)
np.testing.assert_allclose(d_tf, d_torch, rtol=1e-12, atol=1e-15)
np.testing.assert_allclose(d_numpy, d_torch, rtol=0, atol=1e-9)
np.testing.assert_allclose(d_python, d_numpy, rtol=0, atol=1e-10)
for name, d in [("python", d_python), ("numpy", d_numpy), ("torch", d_torch), ("tf", d_tf)]:
    print(f"{name:6}: max |error| against the hand derivative = {np.abs(d - dg(xs)).max():.1e}")

# %% [markdown]
# The frameworks agree with the hand derivative to rounding; the finite differences are off by
# about what the error plot shows for $h = 10^{-5}$.
#
# **The derivative in one training step.** Fit $\hat y = wx$ to one example with the loss
# $L(w) = (wx - y)^2$. By hand, $L'(w) = 2(wx - y)\,x$; `backward()` finds the same number and SGD's
# `optimizer.step()` moves $w$ to $w - \text{lr}\cdot L'(w)$. `optimizer.zero_grad()` comes first,
# because `backward()` *adds* into `w.grad` (pitfall 4 below shows why that matters).

# %%
x_data, y_data, w0, lr = 2.0, 3.0, 0.5, 0.1


def loss(w):  # a float or a tensor
    return (w * x_data - y_data) ** 2


dloss_by_hand = 2 * (w0 * x_data - y_data) * x_data
dloss_central = (loss(w0 + 1e-5) - loss(w0 - 1e-5)) / 2e-5
w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
optimizer = torch.optim.SGD([w], lr=lr)
optimizer.zero_grad()  # empties w.grad: backward() adds into it (pitfall 4)
loss(w).backward()  # w.grad = dL/dw
optimizer.step()    # w <- w - lr * w.grad
np.testing.assert_allclose([w.grad.item(), dloss_central], dloss_by_hand, rtol=1e-9)
np.testing.assert_allclose(w.item(), w0 - lr * dloss_by_hand, rtol=1e-12)
print(f"dL/dw by hand {dloss_by_hand}, central {dloss_central:.10f}, autograd {w.grad.item()}; "
      f"w after one step {w.item()}")

# %% [markdown]
# ## Explore: the tangent
#
# Move $x_0$ and $h$ (log scale, $10^{-12}$ to $1$); the readout shows $f'(x_0)$, the secant's
# slope and the errors of the forward and central differences. Try:
# 1. at $x_0 = 1$, shrink $h$ from $1$ to $10^{-3}$: per decade, the forward error drops about
#    tenfold, the central about a hundredfold;
# 2. still at $x_0 = 1$, go on down to $10^{-12}$: both errors grow again (round-off). At $x_0 = 0$
#    they would not: there $\sin h$ rounds to exactly $h$ and $\sin 0 = 0$ has no error to cancel;
# 3. put $x_0$ at $0$ or near $\pm\pi$, where $\sin'' = 0$: the forward error collapses to the size of
#    the central one, since its leading term $\tfrac{h}{2} f''$ vanishes and $\tfrac{h^2}{6} f'''$ is
#    left. Just off those points the two terms can partly cancel, and forward may even beat central.

# %%
# %matplotlib widget
explorer = TangentExplorer(np.sin, np.cos, x_range=(-4.0, 4.0), x0=1.0, h=0.5, label="sin(x)")
explorer

# %% [markdown]
# ## Exercises
#
# Replace `raise NotImplementedError()` with your code, then run the check cell below it. More
# tests, on other inputs, run at grading.
#
# ### Exercise 1: forward difference (1 point)

# %% nbgrader={"grade_id": "forward_difference", "solution": true}
def forward_difference(f, x, h):
    """Forward difference (f(x + h) - f(x)) / h.

    f: a function of one real variable, elementwise when x is an array.
    x: a float, or a NumPy array of any shape; left unchanged. h: a nonzero float, either sign.
    Returns: a float (a Python float or a NumPy float64) for a float x; for an array x, a new
    array of x's shape (float64 for a float64 x).
    """
    ### BEGIN SOLUTION
    return (f(x + h) - f(x)) / h
    ### END SOLUTION


# %% nbgrader={"grade_id": "forward_difference_tests", "grade": true, "points": 1}
check_close("forward_difference(x**2, 1.0, 0.1)", forward_difference(lambda x: x**2, 1.0, 0.1), 2.1, rtol=1e-12)
check_type("forward_difference(math.sin, 0.5, 1e-3)", forward_difference(math.sin, 0.5, 1e-3), (float, np.float64))
check_close("forward_difference(x**2, [0, 1, 2], 0.5)",
            forward_difference(np.square, np.array([0.0, 1.0, 2.0]), 0.5), np.array([0.5, 2.5, 4.5]), rtol=1e-12)
x_arr = np.linspace(-1, 1, 6).reshape(2, 3)
check_close("forward_difference(x**2, 2x3 array, 0.1)", forward_difference(np.square, x_arr, 0.1),
            2 * np.linspace(-1, 1, 6).reshape(2, 3) + 0.1, rtol=1e-12, atol=1e-15, dtype=np.float64)
check_close("forward_difference changed its input x: it must be left unchanged", x_arr,
            np.linspace(-1, 1, 6).reshape(2, 3), rtol=0)
check_close("forward_difference(x**2, 1.0, -0.1): a negative h steps to the left",
            forward_difference(lambda x: x**2, 1.0, -0.1), 1.9, rtol=1e-12)
check_close("forward_difference(x**2, 1.0, 2**-40): a tiny h must be used as given (1 + h is a float here, "
            "so the result is exactly 2)", forward_difference(lambda x: x**2, 1.0, 2.0**-40), 2.0, rtol=1e-12)
print("forward_difference: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(101)
for _ in range(40):
    a, b, c, d = map(float, test_rng.normal(size=4))
    x, h = float(test_rng.uniform(-5, 5)), float(10 ** test_rng.uniform(-4, 0))
    expect(f"forward_difference(cubic, {x:.4f}, {h:.2e})",
           forward_difference(lambda t: ((a * t + b) * t + c) * t + d, x, h), rtol=1e-8, atol=1e-8)
square = lambda t: t * t  # noqa: E731
for label, fn, x, h, rtol, dtype in [
        ("sin, zero", math.sin, 0.0, 1e-3, 1e-9, None),
        ("x**2, negative x", square, -2.0, 0.25, 1e-9, None),
        ("x**2, large x", square, 1e6, 1.0, 1e-9, None),
        ("x**2, negative h", square, 1.0, -0.1, 1e-9, None),
        ("x**2, float32 array", square, np.array([1.0, 2.0], np.float32), 0.25, 1e-6, None),
        ("x**2, batch of one", square, np.array([3.0]), 0.5, 1e-9, np.float64),
        ("exp, 2-D zeros", np.exp, np.zeros((2, 3)), 1e-2, 1e-9, np.float64)]:
    expect(f"forward_difference({label})", forward_difference(fn, x, h), rtol=rtol, dtype=dtype)
x_t = test_rng.uniform(-3, 3, size=20)
expect("forward_difference(sin, random array)", forward_difference(np.sin, x_t, 0.1), rtol=1e-9, atol=1e-12,
       dtype=np.float64)
expect("forward_difference must leave x unchanged", x_t, rtol=0, atol=0, dtype=np.float64)
for h in (2.0**-40, -(2.0**-40)):  # a tiny step, taken as given (1 +- h is exact: every correct answer agrees)
    expect(f"forward_difference(exp, 1.0, {h:.1e}): a tiny h is used as given", forward_difference(math.exp, 1.0, h),
           rtol=1e-9)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2: central difference (1 point)

# %% nbgrader={"grade_id": "central_difference", "solution": true}
def central_difference(f, x, h):
    """Central difference (f(x + h) - f(x - h)) / (2 h).

    f: a function of one real variable, elementwise when x is an array.
    x: a float, or a NumPy array of any shape; left unchanged. h: a nonzero float, either sign.
    Returns: a float (a Python float or a NumPy float64) for a float x; for an array x, a new
    array of x's shape (float64 for a float64 x).
    """
    ### BEGIN SOLUTION
    return (f(x + h) - f(x - h)) / (2 * h)
    ### END SOLUTION


# %% nbgrader={"grade_id": "central_difference_tests", "grade": true, "points": 1}
check_close("central_difference(x**3, 2.0, 0.1)", central_difference(lambda x: x**3, 2.0, 0.1), 12.01, rtol=1e-12)
check_close("central_difference(x**2 + 3x, 1.5, 0.5), exact on a quadratic",
            central_difference(lambda x: x**2 + 3 * x, 1.5, 0.5), 6.0, rtol=1e-12)
check_type("central_difference(math.sin, 0.5, 1e-3)", central_difference(math.sin, 0.5, 1e-3), (float, np.float64))
check_close("central_difference(x**2, [0, 1, 2], 0.5)", central_difference(np.square, np.array([0.0, 1.0, 2.0]), 0.5),
            np.array([0.0, 2.0, 4.0]), rtol=1e-12, atol=1e-15)
x_arr = np.linspace(-1, 1, 6).reshape(2, 3)
check_close("central_difference(x**2, 2x3 array, 0.1)", central_difference(np.square, x_arr, 0.1),
            2 * np.linspace(-1, 1, 6).reshape(2, 3), rtol=1e-12, atol=1e-15, dtype=np.float64)
check_close("central_difference changed its input x: it must be left unchanged", x_arr,
            np.linspace(-1, 1, 6).reshape(2, 3), rtol=0)
check_close("central_difference(x**3, 2.0, -0.1): a negative h gives the same as h = 0.1",
            central_difference(lambda x: x**3, 2.0, -0.1), 12.01, rtol=1e-12)
check_close("central_difference(x**3, 1.0, 2**-40): a tiny h must be used as given (1 +- h are floats here, "
            "so the result is exactly 3)", central_difference(lambda x: x * x * x, 1.0, 2.0**-40), 3.0, rtol=1e-12)
print("central_difference: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(202)
for _ in range(40):
    a, b, c, d = map(float, test_rng.normal(size=4))
    x, h = float(test_rng.uniform(-5, 5)), float(10 ** test_rng.uniform(-4, 0))
    expect(f"central_difference(cubic, {x:.4f}, {h:.2e})",
           central_difference(lambda t: ((a * t + b) * t + c) * t + d, x, h), rtol=1e-8, atol=1e-8)
square = lambda t: t * t  # noqa: E731
for label, fn, x, h, rtol, dtype in [
        ("sin, zero", math.sin, 0.0, 1e-3, 1e-9, None),
        ("x**2, negative x", square, -2.0, 0.25, 1e-9, None),
        ("x**2, large x", square, 1e6, 1.0, 1e-9, None),
        ("x**3, negative h", lambda t: t**3, 1.0, -0.1, 1e-9, None),
        ("x**2, float32 array", square, np.array([1.0, 2.0], np.float32), 0.25, 1e-6, None),
        ("x**2, batch of one", square, np.array([3.0]), 0.5, 1e-9, np.float64)]:
    expect(f"central_difference({label})", central_difference(fn, x, h), rtol=rtol, dtype=dtype)
x_t = test_rng.uniform(-3, 3, size=(4, 5))
expect("central_difference(sin, random 4x5 array)", central_difference(np.sin, x_t, 0.1), rtol=1e-9, atol=1e-12,
       dtype=np.float64)
expect("central_difference must leave x unchanged", x_t, rtol=0, atol=0, dtype=np.float64)
for h in (2.0**-40, -(2.0**-40)):  # a tiny step, taken as given (1 +- h is exact: every correct answer agrees)
    expect(f"central_difference(exp, 1.0, {h:.1e}): a tiny h is used as given", central_difference(math.exp, 1.0, h),
           rtol=1e-9)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3: the derivative on a whole grid (2 points)
#
# The central difference at every point of an array, **without a Python loop**: call `f` on
# whole arrays. Work in float64 whatever the input dtype: float32's round-off,
# $\varepsilon_{32}|f|/h$, is $2^{29}$ times float64's (pitfall 2 below shows what that costs). You
# may call your `central_difference` from Exercise 2.

# %% nbgrader={"grade_id": "derivative_on_grid", "solution": true}
def derivative_on_grid(f, xs, h=1e-5):
    """Central-difference derivative of an elementwise NumPy function f at every point of xs.

    f: elementwise on arrays (np.sin, lambda x: x**2, ...), called on whole arrays only.
    xs: a NumPy array of any shape and real dtype (float32, float64, int); left unchanged.
    h: a positive float. Returns: a new float64 array of the shape of xs.
    """
    ### BEGIN SOLUTION
    xs = np.asarray(xs, dtype=np.float64)
    return (f(xs + h) - f(xs - h)) / (2 * h)
    ### END SOLUTION


# %% nbgrader={"grade_id": "derivative_on_grid_tests", "grade": true, "points": 2}
grid = np.linspace(-3, 3, 7)
check_type("derivative_on_grid(np.sin, grid)", derivative_on_grid(np.sin, grid), np.ndarray)
check_close("derivative_on_grid(np.sin, grid)", derivative_on_grid(np.sin, grid), np.cos(grid),
            rtol=1e-9, atol=1e-9, dtype=np.float64)
check_close("derivative_on_grid(np.sin, float32 grid)", derivative_on_grid(np.sin, grid.astype(np.float32)),
            np.cos(grid.astype(np.float32).astype(np.float64)), rtol=1e-9, atol=1e-9, dtype=np.float64)
calls, grid2d = [], np.linspace(-1, 1, 12).reshape(3, 4)
counted_sin = lambda x: calls.append(np.shape(x)) or np.sin(x)  # noqa: E731
check_close("derivative_on_grid(np.sin, 3x4 grid)", derivative_on_grid(counted_sin, grid2d), np.cos(grid2d),
            rtol=1e-9, atol=1e-9, dtype=np.float64)
check_true("derivative_on_grid", len(calls) <= 4 and all(math.prod(s) >= grid2d.size for s in calls),
           "call f a few times on the whole array, not once per point")
check_close("derivative_on_grid(x**3, [1, 2], h=0.5): uses h (the central difference is 3x² + h²)",
            derivative_on_grid(lambda x: x**3, np.array([1.0, 2.0]), 0.5), np.array([3.25, 12.25]), rtol=1e-12)
check_close("derivative_on_grid(x**3, [0.01, 0.1]) with the default h: 3x² + h² for h = 1e-5",
            derivative_on_grid(lambda x: x**3, np.array([0.01, 0.1])), np.array([3e-4, 3e-2]) + 1e-10, rtol=1e-8)
ints = np.array([-2, 0, 3])
check_close("derivative_on_grid(x**2, int grid): float64", derivative_on_grid(np.square, ints), np.array([-4.0, 0.0, 6.0]),
            rtol=1e-8, atol=1e-9, dtype=np.float64)
check_close("derivative_on_grid changed its int input xs: it must be left unchanged", ints,
            np.array([-2.0, 0.0, 3.0]), rtol=0)
check_close("derivative_on_grid changed its float64 input xs (the 3x4 grid): it must be left unchanged", grid2d,
            np.linspace(-1, 1, 12).reshape(3, 4), rtol=0)
x_ref = torch.tensor(grid, requires_grad=True)
torch.tanh(x_ref).sum().backward()
check_close("derivative_on_grid(np.tanh, grid) against torch.autograd", derivative_on_grid(np.tanh, grid),
            x_ref.grad.numpy(), rtol=1e-8, atol=1e-9)
print("derivative_on_grid: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(303)
for shape in [(50,), (4, 5), (2, 3, 4), (1,), (1, 1)]:
    a, b, c, d = map(float, test_rng.normal(size=4))
    xs_t = test_rng.uniform(-5, 5, size=shape)
    cubic = lambda t: ((a * t + b) * t + c) * t + d  # noqa: E731
    for h, got in [(1e-5, derivative_on_grid(cubic, xs_t)), (1e-3, derivative_on_grid(cubic, xs_t, 1e-3))]:
        expect(f"derivative_on_grid(cubic, shape {shape}, h={h})", got, rtol=1e-8, atol=1e-7, dtype=np.float64)
    expect(f"derivative_on_grid must not change xs (shape {shape})", xs_t, rtol=0, atol=0, dtype=np.float64)
cube = lambda t: t**3  # noqa: E731
xs32, ints, large = test_rng.uniform(-3, 3, size=50).astype(np.float32), -np.arange(1, 6), np.array([1e3, -1e3, 5e2])
for label, fn, xs_t, rtol in [
        ("np.exp, float32", np.exp, xs32, 1e-8),
        ("np.sin, zeros", np.sin, np.zeros(5), 1e-9),
        ("x**2, negative ints", np.square, ints, 1e-8),
        ("x**2, large", np.square, large, 1e-6)]:
    expect(f"derivative_on_grid({label})", derivative_on_grid(fn, xs_t), rtol=rtol, atol=1e-9, dtype=np.float64)
xs_t = test_rng.uniform(-0.1, 0.1, size=30)  # x**3 near 0: the truncation h**2 is large against 3x**2, round-off tiny
expect("derivative_on_grid(x**3, small random xs): the default step h = 1e-5", derivative_on_grid(cube, xs_t),
       rtol=1e-10, atol=1e-16, dtype=np.float64)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 4: the order of a scheme, from data (2 points)
#
# Fit the line $\log E = \log C + p \log h$ by least squares over **all** the points and return
# its slope $p$ (any log base gives the same $p$).

# %% nbgrader={"grade_id": "error_order", "solution": true}
def error_order(hs, errors):
    """Least-squares slope p of log(errors) against log(hs).

    hs: 1-D NumPy array of n >= 2 distinct positive steps (float32 or float64), in any order.
    errors: 1-D NumPy array of n positive errors, errors[i] measured at hs[i].
    Returns: p as a Python float or a NumPy float64 (E ~ C h**p: p = 1 for a first-order scheme,
    2 for second order).
    """
    ### BEGIN SOLUTION
    u = np.log(np.asarray(hs, dtype=np.float64))
    v = np.log(np.asarray(errors, dtype=np.float64))
    return float(np.polyfit(u, v, 1)[0])
    ### END SOLUTION


# %% nbgrader={"grade_id": "error_order_tests", "grade": true, "points": 2}
hs_check = np.logspace(-4, -1, 7)
check_type("error_order(hs, 3 h**2)", error_order(hs_check, 3.0 * hs_check**2), (float, np.float64))
check_close("error_order(hs, 3 h**2)", error_order(hs_check, 3.0 * hs_check**2), 2.0, rtol=1e-9)
check_close("error_order(hs, 0.5 h)", error_order(hs_check, 0.5 * hs_check), 1.0, rtol=1e-9)
# Least squares over all points gives 1.8 here; a line through the two end points would give 2.0.
check_close("error_order([1e-4, 1e-3, 1e-2, 1e-1], [1e-8, 1e-5, 1e-5, 1e-2])",
            error_order(np.array([1e-4, 1e-3, 1e-2, 1e-1]), np.array([1e-8, 1e-5, 1e-5, 1e-2])), 1.8, rtol=1e-9)
perm = np.array([3, 0, 5, 1, 6, 2, 4])
check_close("error_order, the same points shuffled (hs in any order, errors[i] with hs[i])",
            error_order(hs_check[perm], 3.0 * hs_check[perm]**2), 2.0, rtol=1e-9)
check_close("error_order, two float32 points", error_order(np.array([0.1, 0.01], np.float32),
            np.array([2e-3, 2e-5], np.float32)), 2.0, rtol=1e-5)
hs_fit = np.logspace(-3, -1, 9)  # truncation range: measured orders of the schemes on exp at 1
check_close("error_order, forward difference of exp at 1", error_order(
    hs_fit, np.abs((np.exp(1 + hs_fit) - math.e) / hs_fit - math.e)), 1.0, rtol=0.02)
check_close("error_order, central difference of exp at 1", error_order(
    hs_fit, np.abs((np.exp(1 + hs_fit) - np.exp(1 - hs_fit)) / (2 * hs_fit) - math.e)), 2.0, rtol=0.02)
print("error_order: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(404)
for _ in range(30):
    n = int(test_rng.integers(2, 40))
    hs_t = 10 ** test_rng.uniform(-10, 0, size=n)
    errs = 10 ** test_rng.uniform(-3, 3) * hs_t ** test_rng.uniform(-2, 4) * np.exp(test_rng.normal(0, 0.3, n))
    got = error_order(hs_t, errs)
    check_type("error_order(random data)", got, (float, np.float64))
    expect(f"error_order(random data, n={n})", got, rtol=1e-9, atol=1e-12)
hs_t = np.logspace(-12, -6, 13)
hs32 = np.logspace(-3, 0, 10).astype(np.float32)
errs32 = (0.7 * hs32.astype(np.float64) ** 2 * np.exp(test_rng.normal(0, 0.2, 10))).astype(np.float32)
for label, hs_r, errs_r, rtol in [
        ("round-off eps/h", hs_t, 2.2e-16 / hs_t, 1e-9),
        ("constant errors", hs_t, np.full(13, 0.25), 1e-9),
        ("large errors", hs_t, 1e12 * hs_t**3, 1e-9),
        ("two points", np.array([0.1, 0.01]), np.array([2e-3, 3e-5]), 1e-9),
        ("float32 inputs", hs32, errs32, 1e-5)]:
    expect(f"error_order({label})", error_order(hs_r, errs_r), rtol=rtol, atol=1e-9)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 5: the derivative with PyTorch (3 points)
#
# Use `torch.autograd` and the sum trick of the frameworks section,
# $\partial\big(\sum_j f(x_j)\big)/\partial x_i = f'(x_i)$: one float64 tensor that requires grad
# (write `dtype=torch.float64`: `torch.tensor` of a float32 array is a float32 tensor), one backward
# pass, back to NumPy. A tensor made afresh on each call starts with an empty `.grad`, so nothing
# carries over between calls (pitfall 4 shows what happens otherwise). An answer that bypasses
# autograd (a finite difference, say) fails the checks.

# %% nbgrader={"grade_id": "torch_derivative", "solution": true}
def torch_derivative(f, xs):
    """Derivative of an elementwise torch function f at every point of xs, by torch.autograd.

    f: elementwise on tensors (torch.sin, lambda t: t**3 - 2*t, ...).
    xs: a NumPy array of any shape, float32 or float64.
    Returns: f'(xs) computed in float64, as a NumPy float64 array of the shape of xs. Calling it
    twice gives the same answer (no gradient carries over between calls).
    """
    ### BEGIN SOLUTION
    x = torch.tensor(np.asarray(xs, dtype=np.float64), requires_grad=True)
    (grad,) = torch.autograd.grad(f(x).sum(), x)
    return grad.detach().numpy()
    ### END SOLUTION


# %% nbgrader={"grade_id": "torch_derivative_tests", "grade": true, "points": 3}
grid = np.linspace(-2, 2, 9)
check_type("torch_derivative(torch.sin, grid)", torch_derivative(torch.sin, grid), np.ndarray)
check_close("torch_derivative(torch.sin, grid)", torch_derivative(torch.sin, grid), np.cos(grid),
            rtol=1e-12, atol=1e-15, dtype=np.float64)
check_close("torch_derivative(torch.sin, float32 grid), in float64 at the float32 points",
            torch_derivative(torch.sin, grid.astype(np.float32)), np.cos(grid.astype(np.float32).astype(np.float64)),
            rtol=1e-12, atol=1e-15, dtype=np.float64)
check_close("torch_derivative(t**3, grid)", torch_derivative(lambda t: t**3, grid), 3 * grid**2, rtol=1e-12, atol=1e-15)
check_close("torch_derivative(t**2, 2x2 grid), called a second time", (torch_derivative(lambda t: t**2, grid[:4].reshape(2, 2)),
            torch_derivative(lambda t: t**2, grid[:4].reshape(2, 2)))[1], 2 * grid[:4].reshape(2, 2), rtol=1e-12, atol=1e-15)
check_close("torch_derivative(torch.relu, [-1, 0, 2]): autograd's convention relu'(0) = 0 "
            "(a central difference gives 0.5: use autograd)",
            torch_derivative(torch.relu, np.array([-1.0, 0.0, 2.0])), np.array([0.0, 0.0, 1.0]), rtol=0, atol=0,
            dtype=np.float64)
print("torch_derivative: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(505)
for shape in [(30,), (2, 3), (1,), (1, 1), (2, 2, 2)]:
    a, b, c, d = map(float, test_rng.normal(size=4))
    xs_t = test_rng.uniform(-4, 4, size=shape)
    expect(f"torch_derivative(cubic, shape {shape})", torch_derivative(lambda t: ((a * t + b) * t + c) * t + d, xs_t),
           rtol=1e-11, atol=1e-12, dtype=np.float64)
xs_t, xs32 = test_rng.uniform(-3, 3, size=20), test_rng.uniform(-3, 3, size=25).astype(np.float32)
edge, one = np.array([0.0, -1.5, 30.0, -30.0]), np.array([1.0])
for label, fn, xs_r in [
        ("sin(t) exp(-t**2/4)", lambda t: torch.sin(t) * torch.exp(-t**2 / 4), xs_t),
        ("tanh, zero/negative/large", torch.tanh, edge),
        ("exp, large", torch.exp, edge),
        ("tanh, float32", torch.tanh, xs32),
        ("exp, batch of one, first call", torch.exp, one),
        ("exp, batch of one, second call", torch.exp, one),
        ("sin(t) + detached t**2: autograd sees sin only", lambda t: torch.sin(t) + (t**2).detach(), xs_t),
        ("relu at 0 and around", torch.relu, np.array([0.0, -2.0, 3.0, 0.0]))]:
    expect(f"torch_derivative({label})", torch_derivative(fn, xs_r), rtol=1e-11, atol=1e-13, dtype=np.float64)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6: the derivative with TensorFlow (3 points)
#
# The same with `tf.GradientTape`: `watch` the input, and `tape.gradient` of a non-scalar
# target differentiates its sum. `tf.constant(xs, dtype=tf.float64)` converts a float32 array to
# float64. As in Exercise 5, an answer that bypasses the tape fails the checks.

# %% nbgrader={"grade_id": "tf_derivative", "solution": true}
def tf_derivative(f, xs):
    """Derivative of an elementwise TensorFlow function f at every point of xs, by tf.GradientTape.

    f: elementwise on tensors (tf.sin, lambda t: t**3 - 2*t, ...).
    xs: a NumPy array of any shape, float32 or float64.
    Returns: f'(xs) computed in float64, as a NumPy float64 array of the shape of xs.
    """
    ### BEGIN SOLUTION
    x = tf.constant(np.asarray(xs, dtype=np.float64))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(f(x))
    return tape.gradient(y, x).numpy()
    ### END SOLUTION


# %% nbgrader={"grade_id": "tf_derivative_tests", "grade": true, "points": 3}
grid = np.linspace(-2, 2, 9)
check_type("tf_derivative(tf.sin, grid)", tf_derivative(tf.sin, grid), np.ndarray)
check_close("tf_derivative(tf.sin, grid)", tf_derivative(tf.sin, grid), np.cos(grid),
            rtol=1e-12, atol=1e-15, dtype=np.float64)
check_close("tf_derivative(tf.sin, float32 grid), in float64 at the float32 points",
            tf_derivative(tf.sin, grid.astype(np.float32)), np.cos(grid.astype(np.float32).astype(np.float64)),
            rtol=1e-12, atol=1e-15, dtype=np.float64)
check_close("tf_derivative(t**3, grid)", tf_derivative(lambda t: t**3, grid), 3 * grid**2, rtol=1e-12, atol=1e-15)
check_close("tf_derivative(t**2, 2x2 grid)", tf_derivative(lambda t: t**2, grid[:4].reshape(2, 2)), 2 * grid[:4].reshape(2, 2),
            rtol=1e-12, atol=1e-15, dtype=np.float64)
x_ref = torch.tensor(grid, requires_grad=True)
torch.tanh(x_ref).sum().backward()
check_close("tf_derivative(tf.tanh, grid) against torch.autograd", tf_derivative(tf.tanh, grid), x_ref.grad.numpy(),
            rtol=1e-12, atol=1e-15)
check_close("tf_derivative(tf.nn.relu, [-1, 0, 2]): the tape's convention relu'(0) = 0 "
            "(a central difference gives 0.5: use the tape)",
            tf_derivative(tf.nn.relu, np.array([-1.0, 0.0, 2.0])), np.array([0.0, 0.0, 1.0]), rtol=0, atol=0,
            dtype=np.float64)
print("tf_derivative: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(606)
for shape in [(30,), (2, 3), (1,), (1, 1), (2, 2, 2)]:
    a, b, c, d = map(float, test_rng.normal(size=4))
    xs_t = test_rng.uniform(-4, 4, size=shape)
    expect(f"tf_derivative(cubic, shape {shape})", tf_derivative(lambda t: ((a * t + b) * t + c) * t + d, xs_t),
           rtol=1e-11, atol=1e-12, dtype=np.float64)
xs_t, xs32 = test_rng.uniform(-3, 3, size=20), test_rng.uniform(-3, 3, size=25).astype(np.float32)
edge = np.array([0.0, -1.5, 30.0, -30.0])
for label, fn, xs_r in [
        ("sin(t) exp(-t**2/4)", lambda t: tf.sin(t) * tf.exp(-t**2 / 4), xs_t),
        ("tanh, zero/negative/large", tf.tanh, edge),
        ("exp, large", tf.exp, edge),
        ("tanh, float32", tf.tanh, xs32),
        ("exp, batch of one", tf.exp, np.array([1.0])),
        ("sin(t) + stop_gradient(t**2): the tape sees sin only", lambda t: tf.sin(t) + tf.stop_gradient(t**2), xs_t),
        ("relu at 0 and around", tf.nn.relu, np.array([0.0, -2.0, 3.0, 0.0]))]:
    expect(f"tf_derivative({label})", tf_derivative(fn, xs_r), rtol=1e-11, atol=1e-13, dtype=np.float64)
### END HIDDEN TESTS

# %% [markdown]
# ## Pitfalls and misconceptions
#
# **1. "The smaller $h$, the better."** No: below the best $h$ the error grows like
# $\varepsilon|f|/h$. Catastrophic cancellation up close, with $h = 10^{-13}$: $f(1+h)$ and $f(1)$
# share their leading digits, and their difference is a whole number of units in the last place
# of $f(1)$ (the gap between neighbouring floats there; their number is printed below): about three
# correct digits. Even the step is not the one asked for, since $1 + h$ is rounded to a float.

# %%
h = 1e-13
upper, lower = math.exp(1.0 + h), math.exp(1.0)
step = (1.0 + h) - 1.0                 # the step actually taken: 1 + h is rounded to a float
true_diff = math.e * math.expm1(step)  # e^(1 + step) - e, computed without cancellation
print(f"f(1 + h)   = {upper:.17f}\nf(1)       = {lower:.17f}")
plain = abs((upper - lower) - true_diff) / abs(true_diff)  # a plain relative error: these numbers are tiny
ulps = (upper - lower) / np.spacing(lower)
print(f"difference = {upper - lower:.6e}, true {true_diff:.6e}, relative error {plain:.1e}: "
      f"{ulps:.0f} units in the last place of f(1), so about {math.log10(ulps):.1f} digits")
print(f"(the floored rel_error, |a - b| / max(1e-8, |a| + |b|), would say {rel_error(upper - lower, true_diff):.1e}: "
      f"its floor swamps numbers far below 1e-8)")
print(f"step (1 + h) - 1 = {step:.6e} instead of {h:.0e}, relative error {abs(step - h) / h:.1e}")
print(f"difference / step taken = {(upper - lower) / step:.6f} (cancellation alone), "
      f"difference / h = {(upper - lower) / h:.6f} (both errors, partly cancelling), exact {math.e:.6f}")

# %% [markdown]
# **2. float32.** Its $\varepsilon = 2^{-23}$ is $2^{29}$ times float64's: the best step is larger
# and the best error far worse. Run numerical gradient checks in float64 (the course standard:
# central differences, $h \approx 10^{-5}$, relative error). The plot keeps the colours of the
# first one; float32 is dashed, with crosses.

# %%
# %matplotlib inline
eps32, hs = float(np.finfo(np.float32).eps), np.logspace(-12, 0, 121)
x32, h32 = np.float32(1.0), hs.astype(np.float32)
errors32 = {
    "forward, float64": np.abs((np.exp(1.0 + hs) - np.exp(1.0)) / hs - math.e),
    "central, float64": np.abs((np.exp(1.0 + hs) - np.exp(1.0 - hs)) / (2 * hs) - math.e),
    "forward, float32": np.abs(((np.exp(x32 + h32) - np.exp(x32)) / h32).astype(np.float64) - math.e),
    "central, float32": np.abs(((np.exp(x32 + h32) - np.exp(x32 - h32)) / (2 * h32)).astype(np.float64) - math.e),
}
ax = plot_error_vs_step(hs, errors32, title="exp'(1): float32 against float64")
for line in ax.get_lines():  # forward blue and central green, as above; float32 dashed with crosses, on top
    scheme, dtype = line.get_label().split(", ")
    line.set(color="tab:blue" if scheme == "forward" else "tab:green")
    if dtype == "float32":
        line.set(linestyle="--", marker="x", markersize=4)
ax.legend(fontsize="small")
for name in ("forward", "central"):
    for dtype in (np.float32, np.float64):
        t = typical_error(name, hs, dtype)
        print(f"{name}, {dtype.__name__}: best h = {hs[np.argmin(t)]:.1e}, typical relative error {t.min():.1e}")
print(f"float32: sqrt(eps) = {math.sqrt(eps32):.1e}, eps**(1/3) = {eps32 ** (1 / 3):.1e}")
zero_fwd = hs[np.exp(x32 + h32) == np.exp(x32)].max()  # the largest h where the float32 difference is exactly 0
zero_ctr = hs[np.exp(x32 + h32) == np.exp(x32 - h32)].max()
print(f"float32 difference exactly 0 up to h = {zero_fwd:.1e} (forward), {zero_ctr:.1e} (central); "
      f"eps32/2 = {eps32 / 2:.1e}, eps32/4 = {eps32 / 4:.1e}")

# %% [markdown]
# The printed best steps in float32 sit near $\sqrt{\varepsilon_{32}}$ and
# $\varepsilon_{32}^{1/3}$, and the best float32 error is orders of magnitude above float64's. At
# large $h$ the float32 crosses lie on the float64 lines: there truncation, not round-off, sets
# the error. For $h$ below about $\varepsilon_{32}/2$, $1 + h$ rounds to $1$ (and $1 - h$ does
# below $\varepsilon_{32}/4$): the difference is exactly zero and the error is $e$ itself (the flat
# left end; last line printed). If the forward curve stays flat beyond $\varepsilon_{32}/2$, as it
# may, $1 + h$ is there the float just above $1$, but NumPy's float32 `exp`, accurate to about one
# unit in the last place rather than correctly rounded, returns the same float for it as for $1$.
# Where exactly the flat part ends can differ from one CPU to another.
#
# **The relative error of a gradient check** is $|a - b| / \max(10^{-8}, |a| + |b|)$: the floor
# keeps two values that are both nearly zero from looking far apart, and is meant for values of
# order one. For quantities far below $10^{-8}$ (pitfall 1's differences) it reads as tiny
# whatever they are: use the plain $|a - b|/|b|$. And since round-off grows like
# $\varepsilon|f|/h$, no fixed threshold on it fits every function. Here is the same correct
# derivative, $\cos 1$, checked on $\sin x + C$ with $h = 10^{-5}$: the constant $C$ changes
# nothing but $|f|$.

# %%
for C in (0.0, 1e4, 1e8, 1e10):
    num = ((math.sin(1 + 1e-5) + C) - (math.sin(1 - 1e-5) + C)) / 2e-5  # (sin x + C)' = cos x, whatever C
    print(f"|f| = {abs(math.sin(1) + C):7.1e}: rel_error of a correct derivative {rel_error(num, math.cos(1)):.1e}, "
          f"round-off eps |f| / (h (|a| + |b|)) = {EPS * abs(math.sin(1) + C) / (1e-5 * 2 * math.cos(1)):.1e}")

# %% [markdown]
# With $|f| = 10^8$ a correct derivative lands above $10^{-4}$, and with $|f| = 10^{10}$ above
# $10^{-2}$, where the usual rule of thumb says "look for a bug". Compare the relative error with
# the round-off $\varepsilon|f|/(h(|a|+|b|))$, not with a fixed threshold (Day 2 meets the same
# thing in a gradient check).
#
# **3. "Continuous means differentiable."** $|x|$ is continuous, but at $0$ its one-sided slopes
# are $+1$ and $-1$: no derivative. The central difference averages them to $0$, which looks like
# an answer and is not one. At such a kink of a convex function, a *subgradient* is any slope
# between the one-sided ones, here any number in $[-1, 1]$ (the set of them is the
# *subdifferential*). For kinked built-in operations such as `abs` and `relu`, the frameworks return
# one of the one-sided slopes or a value between them, by convention (0 for `abs` at 0, first line;
# likewise ReLU$'(0) = 0$): a choice, not a derivative, and not the same choice everywhere
# (`maximum(x, 0)` is ReLU under another name, second line). For *combinations* the chain
# rule applied to those choices need not give a subgradient, nor the derivative:
# $\mathrm{relu}(x) - \mathrm{relu}(-x) = x$ has derivative 1 everywhere, yet autodiff returns
# $0 - 0 = 0$ at 0 (third line). Near a kink, finite differences whose $x \pm h$ straddles it are
# wrong too (last line).

# %%
h = 1e-6
t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
torch.abs(t).backward()
v = tf.constant(0.0, dtype=tf.float64)
with tf.GradientTape() as tape:
    tape.watch(v)
    y = tf.abs(v)
print(f"|x| at 0: forward {(abs(h) - 0) / h:+.1f}, backward {(0 - abs(-h)) / h:+.1f}, "
      f"central {(abs(h) - abs(-h)) / (2 * h):+.1f}, torch {t.grad.item():+.1f}, tf {tape.gradient(y, v).numpy():+.1f}")
slopes = []
for torch_fn, tf_fn in [(torch.relu, tf.nn.relu), (lambda t: torch.maximum(t, torch.zeros_like(t)),
                                                  lambda v: tf.maximum(v, tf.zeros_like(v)))]:
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    torch_fn(t).backward()
    with tf.GradientTape() as tape:
        tape.watch(v)
        y = tf_fn(v)
    slopes += [t.grad.item(), tape.gradient(y, v).numpy()]
print("relu(x) and maximum(x, 0), one function, at 0: torch {:+.1f} and {:+.1f}, tf {:+.1f} and {:+.1f}".format(
    slopes[0], slopes[2], slopes[1], slopes[3]))
t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
(torch.relu(t) - torch.relu(-t)).backward()
with tf.GradientTape() as tape:
    tape.watch(v)
    y = tf.nn.relu(v) - tf.nn.relu(-v)
print(f"relu(x) - relu(-x) = x at 0 (true slope 1): torch {t.grad.item():+.1f}, tf {tape.gradient(y, v).numpy():+.1f}")
print(f"|x| at 2e-7 (true slope 1): central difference with h = 1e-6 gives {(abs(2e-7 + h) - abs(2e-7 - h)) / (2 * h):.2f}")

# %% [markdown]
# **4. PyTorch adds into `.grad`.** Each `backward()` *adds* its gradient to `w.grad`; without
# `optimizer.zero_grad()` every step would use the sum of all past gradients (Day 4 shows the bug
# in a training loop). A tensor made afresh, as in Exercise 5, starts with `w.grad = None`.

# %%
w = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
seen = []
for _ in range(3):
    (w**2).backward()  # d(w^2)/dw = 6 each time
    seen.append(w.grad.item())
w.grad = None  # what optimizer.zero_grad() does
(w**2).backward()
np.testing.assert_allclose(seen + [w.grad.item()], [6.0, 12.0, 18.0, 6.0])
print(f"w.grad after 1, 2, 3 backward calls: {seen}; after zeroing and one more: {w.grad.item()}")

# %% [markdown]
# **5. "Autodiff is a finite difference with a tiny $h$", or "symbolic algebra".** Neither.
# Autodiff applies the chain rule to the operations actually run, on numbers: no step, so no
# truncation error; and no symbolic expression for $f'$ is built or simplified: the derivative is
# evaluated on numbers, operation by operation (Day 4 builds an engine). It is not free of
# round-off, though: it runs floating-point arithmetic like any code, and the derivative code can
# cancel too. $\frac{d}{dx}[\log(1 + x) - x] = \frac{1}{1+x} - 1$, which autodiff computes
# literally; at $x = 10^{-10}$ both terms are nearly 1 and their difference, about $-10^{-10}$, has
# a relative error hundreds of millions of times $\varepsilon$ (second line): about half of
# float64's digits are gone. Writing `log1p(x)` instead of `log(1 + x)` does not help (last line):
# its derivative, $1/(1+x)$, still meets the $-1$. The exact form $-x/(1+x)$ has no subtraction.

# %%
x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
torch.exp(x).backward()
print(f"relative error of exp'(1): best central difference {best_err['central']:.1e} (typical), "
      f"autograd {abs(x.grad.item() - math.e) / math.e:.1e}")
exact = -1e-10 / (1 + 1e-10)
for name, log_1p in [("log(1 + x) - x", lambda t: torch.log(1 + t)), ("log1p(x) - x", torch.log1p)]:
    x = torch.tensor(1e-10, dtype=torch.float64, requires_grad=True)
    (log_1p(x) - x).backward()
    print(f"d/dx [{name}] at 1e-10: autograd {x.grad.item():.10e}, exact {exact:.10e}, "
          f"relative error {abs(x.grad.item() - exact) / abs(exact):.1e} "
          f"= {abs(x.grad.item() - exact) / abs(exact) / EPS:.1e} eps")

# %% [markdown]
# ## Interview corner
#
# The principal-level answers reach beyond this course in places (low-precision training, memory,
# derivative-free methods): skim them, and look up what you need.
#
# **Mid.** *Why is the central difference more accurate than the forward one, and what does it cost?*
# <details><summary>Answer</summary>
# In $f(x+h) - f(x-h)$ the even Taylor terms cancel: error $\tfrac{h^2}{6}f'''$ (second order)
# against $\tfrac{h}{2}f''$ (first order). Both take two evaluations; for a gradient in $n$
# variables forward needs $n+1$ (it reuses $f(x)$), central $2n$.
# </details>
#
# **Mid.** *You shrink $h$ and the finite-difference derivative gets worse. Why?*
# <details><summary>Answer</summary>
# Round-off: the subtraction cancels the common leading digits of $f(x+h)$ and $f(x)$, leaving
# rounding noise $\sim\varepsilon|f|$, which division by $h$ amplifies to $\sim\varepsilon|f|/h$.
# The total error is smallest near $\sqrt\varepsilon$ (forward) or $\varepsilon^{1/3}$ (central),
# for $x$, $f$ and its derivatives of order one.
# </details>
#
# **Senior.** *How do you verify a hand-written backward pass?*
# <details><summary>Answer</summary>
# A gradient check in float64: central differences with $h \approx 10^{-5}$ on a few random
# inputs, relative error $|a-b|/\max(10^{-8}, |a|+|b|)$; for values of order one, below about
# $10^{-7}$ is healthy and above about $10^{-4}$ calls for a look for a bug (when $|f| \gg |f'|$,
# round-off, $\sim\varepsilon|f|/h$, raises the healthy level: see the check on $\sin x + C$
# above). Turn off randomness (dropout) and keep inputs away from kinks (ReLU at 0).
# </details>
#
# **Senior.** *Numerical, symbolic, automatic differentiation: when does each win?*
# <details><summary>Answer</summary>
# Numerical: works on any black box, but needs $O(n)$ evaluations and keeps only half to two
# thirds of the digits. Symbolic: exact formulas, but expressions swell and need closed forms.
# Automatic: no truncation error, only the round-off of the arithmetic it runs (which can
# cancel, pitfall 5), on programs built from differentiable operations, away from kinks;
# reverse mode gives the whole gradient of a scalar loss for a small constant multiple of one
# forward pass, whatever $n$: hence deep learning.
# </details>
#
# **Principal.** *Training moves to bfloat16. What changes for derivatives and their checks?*
# <details><summary>Answer</summary>
# $\varepsilon$ is $2^{-7}$ (bfloat16) or $2^{-10}$ (float16): finite differences are useless
# there, so gradient checks stay in float64 on a small model. Training keeps float32 master
# weights; float16's narrow range needs loss scaling so small gradients do not underflow to 0.
# </details>
#
# **Principal.** *When is reverse-mode autodiff the wrong tool?*
# <details><summary>Answer</summary>
# Few inputs and many outputs (forward mode is cheaper: one pass per input direction, a
# Jacobian-vector product); memory-bound activations (checkpointing stores fewer of them and
# recomputes the rest, trading compute for memory); black-box or non-differentiable steps
# (simulators, discrete choices), where zeroth-order estimates, built from values of $f$ only
# (finite differences, SPSA's random simultaneous perturbations, evolution strategies), remain.
# For a function analytic near $x$, real on the real axis, and coded with complex-safe operations
# (no `abs`, no comparisons; a library may compute `x**3` as $e^{3\log x}$, which goes wrong for
# $x < 0$, while `x*x*x` does not), the complex step $\operatorname{Im} f(x+ih)/h$ has no
# subtraction, hence no cancellation, even at $h = 10^{-20}$.
# </details>
#
# ## Summary
#
# - $f'(x) = \lim_{h\to0} (f(x+h) - f(x))/h$, the slope of the tangent. Forward and backward
#   differences are first order, the central difference second order.
# - Round-off grows like $\varepsilon|f|/h$; the best step balances it against truncation, near
#   $\sqrt\varepsilon$ (forward) and $\varepsilon^{1/3}$ (central) for $x$, $f$ and its derivatives
#   of order one. Error against $h$ on log-log axes shows both regimes, and its slopes are the
#   orders.
# - `torch.autograd` and `tf.GradientTape` have no step and no truncation error (round-off and
#   conventions at kinks remain); finite differences in float64 remain the independent check. In
#   training, `loss.backward()` computes the derivatives, `optimizer.step()` uses them, and
#   PyTorch adds them up until `zero_grad()`.
#
# **Next:** Day 2, many variables: partial derivatives and the gradient.
#
# **Further reading.** J. Nocedal and S. Wright, *Numerical Optimization* (2nd ed., 2006), ch. 8
# (§8.1: finite differences and the choice of $h$); N. J. Higham, *Accuracy and Stability of
# Numerical Algorithms* (2nd ed., SIAM, 2002), ch. 1-2 (cancellation, a statistical view of
# rounding errors); W. Squire and G. Trapp, "Using complex variables to estimate derivatives of
# real functions", *SIAM Review* 40 (1998); S. Kakade and J. Lee, "Provably correct automatic
# subdifferentiation for qualified programs", NeurIPS 2018 (autodiff at kinks);
# A. Griewank and A. Walther, *Evaluating Derivatives* (2nd ed., SIAM, 2008); A. G. Baydin et al.,
# "Automatic differentiation in machine learning: a survey", *JMLR* 18 (2018); D. Goldberg, "What
# every computer scientist should know about floating-point arithmetic", *ACM Computing Surveys*
# 23 (1991); the PyTorch autograd and TensorFlow `GradientTape` tutorials.
