# %% [markdown]
# # Day 2: Gradients
#
# **Learning goals.** By the end of this notebook you can
# - compute partial derivatives by hand and numerically, and assemble them into the gradient;
# - compute a directional derivative $\nabla f \cdot v$, and prove and show that $-\nabla f$ is
#   the direction of steepest descent;
# - read a gradient field drawn over contour lines;
# - check an analytic gradient against central differences, and catch a bug with it;
# - compute Jacobians and Hessians numerically, with `torch.autograd` and with
#   `tf.GradientTape`, and check that they agree.
#
# **Prerequisites.** Day 1 (central differences, truncation against round-off error); vectors
# and the dot product, $a\cdot b = \lVert a\rVert\,\lVert b\rVert\cos\varphi$; NumPy arrays.
# The multivariable chain rule and Taylor expansion are explained where they are used;
# eigenvalues and Newton's method (Day 3) and reverse-mode automatic differentiation (Day 4)
# are only named here.
#
# **Time to complete.** About 3 hours 15 minutes: 1 h 30 min of reading and running, 1 h 45 min
# of exercises (what learners took, not what the author guessed).

# %% nbgrader={"grade_id": "setup", "locked": true}
import math
import time

import numpy as np
from calcopt.checks import check_close, check_true, check_type, expect, hidden_rng, rel_error
import matplotlib.pyplot as plt
import tensorflow as tf
import torch

from calcopt.plots import plot_contours, plot_error_vs_step
from calcopt.widgets import GradientExplorer

rng = np.random.default_rng(0)
torch.manual_seed(0)
tf.random.set_seed(0)
# %matplotlib inline

# %% [markdown]
# ## 1. Intuition: a blindfolded walk downhill
#
# You stand on a hillside in thick fog and want to reach the valley. You cannot see the
# valley, but you can feel the ground under your feet: step a little east and you feel how
# much it rises or falls; step a little north, the same. Those two slopes are the **partial
# derivatives**. Together they tell you the slope in *every* direction, and in particular the
# direction where the ground falls fastest. Take a small step that way, feel again, repeat.
#
# Our landscape for the day is $f(x, y) = x^2 + 3y^2 + \sin(xy)$. The same formula serves
# NumPy, `math`, PyTorch and TensorFlow: only the `sin` changes, so we pass the library in.

# %%
def f(x, y, lib=np):
    """The running example f(x, y) = x² + 3y² + sin(xy); lib provides sin (np, math, torch, tf)."""
    return x**2 + 3 * y**2 + lib.sin(x * y)


def grad_f(x, y):
    """Its gradient, by hand (derived in section 2): (2x + y cos(xy), 6y + x cos(xy))."""
    return np.array([2 * x + y * np.cos(x * y), 6 * y + x * np.cos(x * y)])


fig, ax = plt.subplots(figsize=(6, 4))
plot_contours(ax, f)
point = np.array([-1.8, 1.6])
path = [point]
for _ in range(40):
    point = point - 0.05 * grad_f(*point)  # a small step against the slope
    path.append(point)
path = np.array(path)
ax.plot(path[:, 0], path[:, 1], ".-", color="tab:red", label="the blindfolded walk")
ax.legend(loc="lower left", fontsize="small")
plt.show()
print(f"f at the start: {f(*path[0]):.3f}; after {len(path) - 1} steps: {f(*path[-1]):.5f}")

# %% [markdown]
# The walk crosses the contour lines at right angles, and its steps shrink as the ground
# flattens. Day 3 turns this walk into gradient descent; today is about the slope itself.
#
# ## 2. Theory
#
# **Partial derivative.** For $f:\mathbb{R}^n\to\mathbb{R}$, hold every coordinate but one
# fixed and differentiate: $\dfrac{\partial f}{\partial x_i}(x) =
# \lim_{h\to 0} \dfrac{f(x + h e_i) - f(x)}{h}$, where $e_i$ is the $i$-th unit vector.
#
# **Gradient.** The vector of all partials,
# $\nabla f(x) = \left(\frac{\partial f}{\partial x_1}, \dots, \frac{\partial f}{\partial x_n}\right)$.
# For our $f$, hold $y$ fixed and use the chain rule on $\sin(xy)$, whose inner derivative
# is $y$: $\partial f/\partial x = 2x + y\cos(xy)$; likewise $\partial f/\partial y = 6y + x\cos(xy)$.
#
# **Directional derivative.** The slope along a unit vector $v$ is
# $D_v f(x) = \lim_{t\to 0} \frac{f(x + tv) - f(x)}{t}$. Walk along $x + tv$: coordinate $i$
# changes at rate $v_i$, and each change adds slope $\frac{\partial f}{\partial x_i}v_i$. That is
# the multivariable chain rule: if $f$ is differentiable at $x$ (continuous partial derivatives
# suffice), $g(t) = f(x + tv)$ has $g'(0) = \sum_i \frac{\partial f}{\partial x_i} v_i$, so
# $$D_v f(x) = \nabla f(x)\cdot v .$$
# Partial derivatives alone are not enough: $x^2y/(x^2+y^2)$, set to 0 at the origin, has both
# partials 0 there, yet slope $1/(2\sqrt2)$ along the diagonal $v = (1, 1)/\sqrt2$.
#
# **Steepest descent.** For a unit vector $v$ at angle $\varphi$ to $\nabla f$,
# $\nabla f\cdot v = \lVert\nabla f\rVert\cos\varphi$, between $-\lVert\nabla f\rVert$ and
# $+\lVert\nabla f\rVert$. In $n$ dimensions the same bound is Cauchy–Schwarz,
# $|a\cdot b| \le \lVert a\rVert\,\lVert b\rVert$: for every unit vector $v$,
# $$-\lVert\nabla f\rVert = -\lVert\nabla f\rVert\,\lVert v\rVert \;\le\; \nabla f\cdot v
# \;\le\; \lVert\nabla f\rVert\,\lVert v\rVert = \lVert\nabla f\rVert,$$
# and, when $\nabla f \ne 0$, equality on the right exactly for $v = \nabla f/\lVert\nabla f\rVert$
# and on the left exactly for $v = -\nabla f/\lVert\nabla f\rVert$. So the slope is largest,
# $+\lVert\nabla f\rVert$, along $\nabla f$ and most negative, $-\lVert\nabla f\rVert$, along
# $-\nabla f$: **$-\nabla f$ is the direction of steepest descent**. (Where $\nabla f = 0$ every
# direction has slope 0, and there is no steepest one.) Along a contour $f$ does not change, so
# $\nabla f\cdot v = 0$ for $v$ tangent to it: the gradient is perpendicular to the level curves.
#
# **Jacobian.** For $F:\mathbb{R}^n\to\mathbb{R}^m$, the $m\times n$ matrix
# $J_{ij} = \partial F_i/\partial x_j$: row $i$ is $\nabla F_i$, column $j$ is the directional
# derivative of $F$ along $e_j$. It is the best linear approximation:
# $F(x + d) \approx F(x) + J d$.
#
# **Hessian.** For scalar $f$, the $n\times n$ matrix $H_{ij} = \partial^2 f/\partial x_i\partial x_j$,
# the Jacobian of the gradient. If the second partials are continuous, $H$ is symmetric
# (Schwarz's theorem), and $f(x + d) \approx f(x) + \nabla f\cdot d + \tfrac12 d^\top H d$: the
# one-variable Taylor expansion $g(1) \approx g(0) + g'(0) + \tfrac12 g''(0)$ of
# $g(t) = f(x + td)$, whose derivatives are $g'(0) = \nabla f\cdot d$ and $g''(0) = d^\top H d$
# (the chain rule, twice).
#
# **Gradient check.** Compare an analytic gradient $a$ with central differences $b$,
# $b_i = \frac{f(x + he_i) - f(x - he_i)}{2h}$ (error $O(h^2)$, Day 1), in float64 with
# $h \approx 10^{-5}$, by the relative error $\dfrac{|a_i - b_i|}{\max(10^{-8}, |a_i| + |b_i|)}$,
# largest over $i$. The floor $10^{-8}$ keeps two tiny numbers from looking far apart; it does
# not cover the check's own error (round-off about $\varepsilon|f|/h$, truncation about
# $h^2|\partial^3 f/\partial x_i^3|/6$) where a component of the gradient is zero (section 3).
#
# ## 3. From scratch
#
# ### Pure Python
#
# Two partial derivatives by central differences, at a point we will study all day.

# %%
def partials(f, x, y, h=1e-5):
    """Central-difference partial derivatives (df/dx, df/dy) of f(x, y) at (x, y)."""
    dfdx = (f(x + h, y) - f(x - h, y)) / (2 * h)
    dfdy = (f(x, y + h) - f(x, y - h)) / (2 * h)
    return dfdx, dfdy


def f_math(x, y):
    return f(x, y, math)


x0, y0 = 1.2, -0.7
numerical = partials(f_math, x0, y0)
by_hand = grad_f(x0, y0)
print(f"central differences: ({numerical[0]:.10f}, {numerical[1]:.10f})")
print(f"by hand:             ({by_hand[0]:.10f}, {by_hand[1]:.10f})")

# %% [markdown]
# ### Vectorised NumPy
#
# The same `partials` works on whole arrays: NumPy evaluates `f` at every point of a grid in
# one call. Compare with a Python loop over the same grid.

# %%
xs = np.linspace(-2, 2, 201)
X, Y = np.meshgrid(xs, xs)

start = time.perf_counter()
loop = [[partials(f_math, x, y) for x in xs.tolist()] for y in xs.tolist()]
seconds_loop = time.perf_counter() - start

start = time.perf_counter()
GX, GY = partials(f, X, Y)
seconds_numpy = time.perf_counter() - start

exact = grad_f(X, Y)
print(f"{X.size} points: loop {seconds_loop * 1e3:.0f} ms, NumPy {seconds_numpy * 1e3:.1f} ms "
      f"({seconds_loop / seconds_numpy:.0f} times faster)")
print(f"largest error against the hand-derived gradient: "
      f"{max(np.abs(GX - exact[0]).max(), np.abs(GY - exact[1]).max()):.1e}")
print(f"loop and NumPy agree to {np.abs(np.array(loop) - np.stack([GX, GY], axis=-1)).max():.1e}")

# %% [markdown]
# ### The gradient field
#
# Draw $\nabla f$ as an arrow at each point of a coarse grid, over the contours.

# %%
fig, ax = plt.subplots(figsize=(6, 4))
plot_contours(ax, f)
Xq, Yq = np.meshgrid(np.linspace(-2, 2, 15), np.linspace(-2, 2, 15))
U, V = grad_f(Xq, Yq)
ax.quiver(Xq, Yq, U, V, color="tab:red", angles="xy")
ax.set_title("the gradient field of f", fontsize="medium")
plt.show()

# %% [markdown]
# Every arrow points uphill, across its contour at a right angle; the arrows are long where
# the contours are close together (steep ground) and vanish at the minimum.
#
# ### Directional derivatives, and the steepest way down
#
# First, $\nabla f\cdot v$ is the slope along $v$: compare it with a central difference along
# $v$. Then the race: a thousand random unit directions against $-\nabla f/\lVert\nabla f\rVert$.

# %%
p0, g0 = np.array([x0, y0]), grad_f(x0, y0)
v = np.array([np.cos(np.deg2rad(-45)), np.sin(np.deg2rad(-45))])  # unit vector at -45 degrees in the plane
t = 1e-5
print(f"central difference along v: {(f(*(p0 + t * v)) - f(*(p0 - t * v))) / (2 * t):.8f}")
print(f"grad f . v:                 {g0 @ v:.8f} ({'uphill' if g0 @ v > 0 else 'downhill'} along v)")

directions = rng.normal(size=(1000, 2))
directions /= np.linalg.norm(directions, axis=1, keepdims=True)  # unit vectors
slopes = directions @ g0
steepest = -g0 / np.linalg.norm(g0)
print(f"steepest of 1000 random directions: {slopes.min():.6f}")
print(f"along -grad f / |grad f|:           {steepest @ g0:.6f}   (-|grad f| = {-np.linalg.norm(g0):.6f})")
print(f"random directions that beat it:     {int(np.sum(slopes < steepest @ g0))}")

# %% [markdown]
# No random direction wins, as Cauchy–Schwarz promised; the best of a thousand only comes
# close, because one of them happens to point nearly along $-\nabla f$.
#
# ### A gradient check that catches a bug
#
# Below, a hand-derived gradient with a planted bug: the chain rule's inner derivative $x$
# of $\sin(xy)$ is missing from $\partial f/\partial y$.

# %%
def grad_f_buggy(x, y):
    return np.array([2 * x + y * np.cos(x * y), 6 * y + np.cos(x * y)])  # bug: x missing


numerical = np.array(partials(f, x0, y0))  # float64, h = 1e-5
print(f"relative error, correct gradient: {rel_error(grad_f(x0, y0), numerical):.1e}")
print(f"relative error, buggy gradient:   {rel_error(grad_f_buggy(x0, y0), numerical):.1e}")

# %% [markdown]
# A rule of thumb in float64 with $h = 10^{-5}$, when $f$ and *every component* of $\nabla f$
# are of order one: below about $10^{-7}$ the gradient is right; above about $10^{-4}$, look
# for a bug; in between, check again at other points. The correct gradient sits far below the
# line, the buggy one far above.
#
# The rule assumes that the check's own error is small against every component. Component $i$
# of a central difference carries a round-off of about $\varepsilon|f|/h$ (Day 1) and a
# truncation error of about $h^2|\partial^3 f/\partial x_i^3|/6$, so its relative error is up to
# about $\varepsilon|f|/(h\,|\partial f/\partial x_i|)$ plus
# $h^2|\partial^3 f/\partial x_i^3|/(12|\partial f/\partial x_i|)$, whatever the gradient's
# correctness: the smallest component sets the largest error. Where a component is zero, only
# the floor $10^{-8}$ is left in the denominator, and the check's own error, about $10^{-11}$
# when $f$ and its third derivatives are of order one, becomes a relative error of about
# $10^{-3}$. Two correct gradients checked where the rule does not hold: $f + 10^6$ (a constant
# that changes nothing but $|f|$) near the minimum, where the gradient is small, and $f$ itself
# where $\partial f/\partial x = 0$:

# %%
near_min = (2e-3, -1e-3)
f_offset = lambda x, y: 1e6 + f(x, y)  # noqa: E731  the same gradient as f
noise = np.finfo(float).eps * abs(f_offset(*near_min)) / (1e-5 * np.abs(grad_f(*near_min)).min())
print(f"relative error, correct gradient of f + 1e6 at {near_min}: "
      f"{rel_error(grad_f(*near_min), partials(f_offset, *near_min)):.1e}; "
      f"predicted round-off, up to eps |f| / (h min_i |df/dx_i|) = {noise:.1e}")
print(f"the same gradient checked on f itself there: {rel_error(grad_f(*near_min), partials(f, *near_min)):.1e}")
x_flat = -0.45
for _ in range(5):  # Newton's method on df/dx(x, 1) = 2x + cos x = 0
    x_flat -= (2 * x_flat + math.cos(x_flat)) / (2 - math.sin(x_flat))
print(f"correct gradient at ({x_flat:.4f}, 1.0), where df/dx = {grad_f(x_flat, 1.0)[0]:.0e}: "
      f"relative error {rel_error(grad_f(x_flat, 1.0), partials(f, x_flat, 1.0)):.1e}")
b_flat = partials(f, x_flat, 1.0)[0]  # the central difference of a zero df/dx: the check's own error
truncation = 1e-5**2 / 6 * -math.cos(x_flat)  # (h²/6) d³f/dx³, where d³f/dx³ = -y³ cos(xy), y = 1
print(f"there the central difference of df/dx is {b_flat:.1e}: truncation (h²/6) d³f/dx³ = {truncation:.1e}, "
      f"round-off the rest ({b_flat - truncation:.1e}); over the floor 1e-8: {abs(b_flat) / 1e-8:.1e}")

# %% [markdown]
# Both correct gradients land in the "bug" range. Near the minimum of $f + 10^6$ the error stays
# below the predicted round-off $\varepsilon|f|/(h\,\min_i|\partial f/\partial x_i|)$, an upper
# estimate, as round-off should. Where $\partial f/\partial x = 0$ that prediction is infinite
# and tells nothing: the central difference there is the check's own error, truncation and
# round-off together, about $2\cdot 10^{-11}$, and the floor turns it into $2\cdot 10^{-3}$.
# Compare with the check's own predicted error, not with a fixed threshold; or remove large
# constants, and check at random points, where no component of the gradient is zero.
#
# ### Jacobian and Hessian, numerically
#
# A vector function $F(x, y) = (x^2y,\; 5x + \sin y,\; e^x y)$ from $\mathbb{R}^2$ to
# $\mathbb{R}^3$ has a $3\times 2$ Jacobian. Each column is a central difference along one
# axis.

# %%
def F(x, y, lib=np):
    """F(x, y) = (x²y, 5x + sin y, eˣ y), from R² to R³."""
    return lib.stack([x**2 * y, 5 * x + lib.sin(y), lib.exp(x) * y])


def jacobian_F(x, y):
    """By hand: row i is the gradient of F_i."""
    return np.array([[2 * x * y, x**2], [5.0, np.cos(y)], [np.exp(x) * y, np.exp(x)]])


h = 1e-5
J_num = np.column_stack([(F(x0 + h, y0) - F(x0 - h, y0)) / (2 * h),
                         (F(x0, y0 + h) - F(x0, y0 - h)) / (2 * h)])
np.testing.assert_allclose(J_num, jacobian_F(x0, y0), rtol=1e-8, atol=1e-10)
print(J_num)

# %% [markdown]
# The Hessian of $f$ is the Jacobian of $\nabla f$. By hand,
# $H = \begin{pmatrix} 2 - y^2\sin(xy) & \cos(xy) - xy\sin(xy)\\
# \cos(xy) - xy\sin(xy) & 6 - x^2\sin(xy)\end{pmatrix}$; for example, the product rule on the
# $x\cos(xy)$ of $\partial f/\partial y$ gives
# $\partial^2 f/\partial x\,\partial y = \cos(xy) + x\cdot(-y\sin(xy))$. Numerically: central
# differences of the gradient, one column per axis.

# %%
def hessian_f(x, y):
    c, s = np.cos(x * y), np.sin(x * y)
    return np.array([[2 - y**2 * s, c - x * y * s], [c - x * y * s, 6 - x**2 * s]])


H_num = np.column_stack([(grad_f(x0 + h, y0) - grad_f(x0 - h, y0)) / (2 * h),
                         (grad_f(x0, y0 + h) - grad_f(x0, y0 - h)) / (2 * h)])
np.testing.assert_allclose(H_num, hessian_f(x0, y0), rtol=1e-7, atol=1e-9)
print(H_num)
cos_xy, sin_xy = np.cos(x0 * y0), np.sin(x0 * y0)
f_xyyy = -3 * x0**2 * cos_xy + x0**3 * y0 * sin_xy  # fourth derivatives, by hand
f_xxxy = -3 * y0**2 * cos_xy + y0**3 * x0 * sin_xy
print(f"H01 - H10 = {H_num[0, 1] - H_num[1, 0]:.2e}; its truncation part "
      f"(h²/6)(f_xyyy - f_xxxy) = {h**2 / 6 * (f_xyyy - f_xxxy):.2e}")
eigenvalues = np.linalg.eigvalsh(hessian_f(x0, y0))
print(f"eigenvalues of H: {eigenvalues.round(4)}, all positive: {bool(np.all(eigenvalues > 0))}")

# %% [markdown]
# The exact Hessian is symmetric; this numerical one is not quite: $H_{01}$ differentiates
# $\partial f/\partial x$ along $y$ and $H_{10}$ differentiates $\partial f/\partial y$ along $x$, two
# different central differences, whose truncation errors differ,
# $\tfrac{h^2}{6}\partial^4 f/\partial x\,\partial y^3$ against
# $\tfrac{h^2}{6}\partial^4 f/\partial x^3\partial y$, and so do their round-off errors. At
# $h = 10^{-5}$ the truncation part is nearly all of the printed asymmetry. Positive
# eigenvalues mean that $f$ curves upward in every direction at this point (Day 3 explains why,
# and builds on it).
#
# ## 4. The frameworks
#
# Reverse-mode automatic differentiation (Day 4 builds an engine for it) records the operations
# that compute $f$, then runs back through them once to compute a gradient exactly (to round-off)
# at the cost of a few evaluations of $f$, whatever $n$. Forward mode carries one directional
# derivative along with the computation instead. A Jacobian takes one reverse pass per output
# (or one forward pass per input); a Hessian is the Jacobian of the gradient.
#
# **PyTorch**: `torch.autograd.functional.jacobian` and `hessian`, in float64.

# %%
p_torch = torch.tensor([x0, y0], dtype=torch.float64)
J_torch = torch.autograd.functional.jacobian(lambda p: F(p[0], p[1], torch), p_torch).numpy()
H_torch = torch.autograd.functional.hessian(lambda p: f(p[0], p[1], torch), p_torch).numpy()

np.testing.assert_allclose(J_torch, jacobian_F(x0, y0), rtol=1e-12, atol=1e-14)
np.testing.assert_allclose(H_torch, hessian_f(x0, y0), rtol=1e-12, atol=1e-14)
np.testing.assert_allclose(J_torch, J_num, rtol=1e-8, atol=1e-10)
np.testing.assert_allclose(H_torch, H_num, rtol=1e-7, atol=1e-9)
print("PyTorch's Jacobian and Hessian agree with ours")

# %% [markdown]
# **TensorFlow**: a `GradientTape` records the operations; `tape.jacobian` gives the
# Jacobian. For the Hessian, nest two tapes: the inner one computes the gradient while the
# outer one records that computation, then differentiates it.

# %%
p_tf = tf.constant([x0, y0], dtype=tf.float64)
with tf.GradientTape() as tape:
    tape.watch(p_tf)
    out = F(p_tf[0], p_tf[1], tf)
J_tf = tape.jacobian(out, p_tf).numpy()

with tf.GradientTape() as outer:
    outer.watch(p_tf)
    with tf.GradientTape() as inner:
        inner.watch(p_tf)
        value = f(p_tf[0], p_tf[1], tf)
    g_tf = inner.gradient(value, p_tf)  # recorded by the outer tape
H_tf = outer.jacobian(g_tf, p_tf).numpy()

np.testing.assert_allclose(J_tf, J_torch, rtol=1e-12, atol=1e-14)
np.testing.assert_allclose(H_tf, H_torch, rtol=1e-12, atol=1e-14)
np.testing.assert_allclose(g_tf.numpy(), grad_f(x0, y0), rtol=1e-12)
print("TensorFlow agrees with PyTorch and with our hand derivation")

# %% [markdown]
# ## 5. Explore
#
# Move the point with the `x0`, `y0` sliders and turn the unit vector $v$ with the angle
# slider. The red arrow is $\nabla f$, the dashed line the contour's tangent; the right panel
# plots $\nabla f\cdot v$ for every angle, with a dot at the current one. Try:
# - turn $v$ until the dot reaches the top of the cosine: where does $v$ point? (the buttons
#   do it for you);
# - turn $v$ along the dashed tangent: what is $\nabla f\cdot v$ there?
# - move the point towards the minimum near the origin: what happens to the cosine's height
#   (the panel's scale stays fixed: it fits the largest $\lVert\nabla f\rVert$ on the map), to the
#   readout's $\lVert\nabla f\rVert$, and to the red arrow?

# %%
# %matplotlib widget
explorer = GradientExplorer(f, grad_f, x0=x0, y0=y0, angle=0.0)
explorer

# %% [markdown]
# The slope along $v$ is $\lVert\nabla f\rVert\cos\varphi$, $\varphi$ the angle between $v$ and
# $\nabla f$: largest along $\nabla f$, zero along the contour, most negative along $-\nabla f$.
# Near the minimum $\lVert\nabla f\rVert$ shrinks towards 0 and the cosine flattens with it:
# every direction is almost level there.
#
# ## 6. Exercises
#
# Each exercise is one function; the cell after it checks it. Work in float64.
#
# ### Exercise 1: the numerical gradient (2 points)
#
# Generalise `partials` to $n$ variables: component $i$ is
# $\frac{f(x + he_i) - f(x - he_i)}{2h}$, with the step `h` as given for every component,
# whatever the size of $x_i$. Start from a float64 *copy* of $x$
# (`np.array(x, dtype=np.float64)`): `np.asarray` makes no copy of a float64 array, and
# stepping `x[i]` in place and undoing it changes the caller's $x$ by round-off
# ($1.2 + h - 2h + h$ is not $1.2$ in float64).

# %% nbgrader={"grade_id": "numerical_gradient", "solution": true}
def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of a scalar function f at the point x.

    f: a function of a NumPy array of shape (n,) returning a real number.
    x: the point, array-like of n real numbers (any real dtype); x is not modified.
    h: the step, a float.
    Returns: np.ndarray of shape (n,), dtype float64; component i is
        (f(x + h e_i) - f(x - h e_i)) / (2h), computed in float64.
    """
    ### BEGIN SOLUTION
    x = np.array(x, dtype=np.float64)  # a float64 copy: the caller's x is left alone
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad
    ### END SOLUTION


# %% nbgrader={"grade_id": "numerical_gradient_tests", "grade": true, "points": 2}
_g = numerical_gradient(lambda p: p[0] ** 2 + 3 * p[1], np.array([1.0, 2.0]))
check_type("numerical_gradient(...)", _g, np.ndarray)
check_close("numerical_gradient of x0² + 3 x1 at (1, 2)", _g, np.array([2.0, 3.0]), rtol=1e-8,
            dtype=np.float64)
check_close("numerical_gradient of sum(sin(x)) at (0, 1, 2)",
            numerical_gradient(lambda p: np.sum(np.sin(p)), np.array([0.0, 1.0, 2.0])),
            np.cos(np.array([0.0, 1.0, 2.0])), rtol=1e-8)
_xi = np.array([1, 2])  # integer x: the steps must not be truncated
check_close("numerical_gradient of x0² + 3 x1 at the integer point (1, 2)",
            numerical_gradient(lambda p: p[0] ** 2 + 3 * p[1], _xi), np.array([2.0, 3.0]), rtol=1e-8, dtype=np.float64)
check_close("numerical_gradient must not modify x", _xi, np.array([1.0, 2.0]), rtol=0.0)
_x64 = np.array([1.2, -0.7])  # float64 x: converting it makes no copy, so a step added in place would show
numerical_gradient(lambda p: p[0] ** 2 + 3 * p[1], _x64)
check_close("numerical_gradient must not modify a float64 x (x was changed: work on a float64 copy)", _x64,
            np.array([1.2, -0.7]), rtol=0.0)
_x32 = np.array([0.1, 0.7], dtype=np.float32)
check_close("numerical_gradient of sum(sin x) at a float32 point, computed in float64",
            numerical_gradient(lambda p: np.sum(np.sin(p)), _x32), np.cos(_x32.astype(np.float64)), rtol=1e-9,
            dtype=np.float64)
check_close("numerical_gradient of x³ at [1.0] with h=0.1: (1.1³ - 0.9³) / 0.2 = 3.01",
            numerical_gradient(lambda p: p[0] ** 3, [1.0], h=0.1), np.array([3.01]), rtol=1e-9, dtype=np.float64)
check_close("numerical_gradient of x³ at [3.0] with h=0.1: 27 + h² = 27.01 "
            "(the step is h itself, not h scaled by |x_i|)",
            numerical_gradient(lambda p: p[0] ** 3, [3.0], h=0.1), np.array([27.01]), rtol=1e-9, dtype=np.float64)
print("numerical_gradient: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = hidden_rng(201)
for _n in (1, 2, 5, 10):
    _A, _b = _rng.normal(size=(_n, _n)), _rng.normal(size=_n)
    _fun = lambda p, A=_A, b=_b: 0.5 * p @ A @ p + b @ p + np.sum(np.sin(p))  # noqa: E731
    for _x in (np.zeros(_n), _rng.normal(size=_n), -1.0 - np.abs(_rng.normal(size=_n)),
               1e3 * _rng.normal(size=_n), _rng.normal(size=_n).astype(np.float32),
               _rng.integers(-3, 4, size=_n)):
        _scale = max(1.0, float(np.abs(_x).max())) ** 2  # f, and its round-off, grow like |x|²
        expect(f"numerical_gradient, n={_n}, x={_x[:3]} ({_x.dtype})", numerical_gradient(_fun, _x),
               rtol=1e-7, atol=1e-8 * _scale, dtype=np.float64)
        expect("numerical_gradient must not modify x", _x, rtol=0.0, atol=0.0)
expect("numerical_gradient of x³ at [1.0] (a list) with h=1e-3",
       numerical_gradient(lambda p: p[0] ** 3, [1.0], h=1e-3), rtol=1e-9)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2: the directional derivative (1 point)
#
# Given the gradient, return the slope along the direction of `v`: normalise `v` first, into
# a new array (`v / length`, not `v /= length`: `np.asarray` makes no copy of a float64 array,
# so that would change the caller's `v`). A zero `v` has no direction: raise `ValueError`;
# a short `v`, such as $(10^{-9}, 0)$, still has one.

# %% nbgrader={"grade_id": "directional_derivative", "solution": true}
def directional_derivative(grad, v):
    """The slope grad . v / |v| along the direction of v.

    grad: the gradient of f at a point, array-like of shape (n,).
    v: a direction, array-like of shape (n,), of any nonzero length.
    grad and v are not modified.
    Returns: a float (Python float or np.float64), computed in float64.
    Raises: ValueError if v is the zero vector.
    """
    ### BEGIN SOLUTION
    grad = np.asarray(grad, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    length = np.linalg.norm(v)
    if length == 0:
        raise ValueError("the zero vector has no direction")
    return float(grad @ v / length)
    ### END SOLUTION


# %% nbgrader={"grade_id": "directional_derivative_tests", "grade": true, "points": 1}
_d = directional_derivative(np.array([3.0, 4.0]), np.array([1.0, 0.0]))
check_type("directional_derivative(...)", _d, (float, np.float64))
check_close("directional_derivative((3, 4), (1, 0))", _d, 3.0, rtol=1e-12)
_gr, _v = np.array([3.0, 4.0]), np.array([2.0, 0.0])
check_close("directional_derivative((3, 4), (2, 0)): normalise v",
            directional_derivative(_gr, _v), 3.0, rtol=1e-12)
check_close("directional_derivative must not modify v (normalise into a new array)", _v, np.array([2.0, 0.0]),
            rtol=0.0)
check_close("directional_derivative must not modify grad", _gr, np.array([3.0, 4.0]), rtol=0.0)
check_close("directional_derivative([3, 4], [1, -1]) with int lists", directional_derivative([3, 4], [1, -1]),
            -1 / np.sqrt(2), rtol=1e-12)
try:
    directional_derivative(np.array([1.0, 2.0]), np.zeros(2))
    _raised = False
except ValueError:
    _raised = True
check_true("directional_derivative(grad, zero vector)", _raised, "expected a ValueError for the zero vector")
check_close("directional_derivative((3, 4), (1e-9, 0)): a short v is not the zero vector "
            "(only an exact zero raises)",
            directional_derivative(np.array([3.0, 4.0]), np.array([1e-9, 0.0])), 3.0, rtol=1e-12)
_g32, _v32 = np.array([0.1, 0.7], dtype=np.float32), np.array([0.3, -0.9], dtype=np.float32)
check_close("directional_derivative of float32 arrays, computed in float64", directional_derivative(_g32, _v32),
            float(_g32.astype(np.float64) @ _v32.astype(np.float64) / np.linalg.norm(_v32.astype(np.float64))),
            rtol=1e-12)
print("directional_derivative: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = hidden_rng(202)
for _n in (1, 2, 3, 8):
    for _gr, _v in ((_rng.normal(size=_n), _rng.normal(size=_n)), (np.zeros(_n), _rng.normal(size=_n)),
                    (_rng.normal(size=_n), 1e-6 * _rng.normal(size=_n)),
                    (1e3 * _rng.normal(size=_n), -1e6 * np.abs(_rng.normal(size=_n))),
                    (_rng.normal(size=_n).astype(np.float32), _rng.normal(size=_n).astype(np.float32))):
        _got = directional_derivative(_gr, _v)
        check_type("directional_derivative(...)", _got, (float, np.float64))
        expect(f"directional_derivative, n={_n}, grad={_gr[:3]}, v={_v[:3]}", _got, rtol=1e-10,
               atol=1e-12 * max(1.0, float(np.abs(_gr).max())))
        expect("directional_derivative must not modify v", _v, rtol=0.0, atol=0.0)
        expect("directional_derivative must not modify grad", _gr, rtol=0.0, atol=0.0)
expect("directional_derivative([1, 2], [0, 5])", directional_derivative([1, 2], [0, 5]), rtol=1e-12)
try:
    directional_derivative(np.array([1.0, 2.0]), np.zeros(2))
    _raised = False
except ValueError:
    _raised = True
expect("directional_derivative(grad, zero vector) raised ValueError", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3: the gradient check (2 points)
#
# Return the relative error of section 2 between a claimed gradient and central differences.
# You may call your `numerical_gradient` (if you do, make sure it passes its own checks first)
# and `rel_error` (imported from `calcopt.checks`; it already takes the largest over $i$).
# Evaluate `grad_f` at a float64 copy of the point too: a float32 `grad_f(x)` carries float32
# round-off, far above what the check should measure.

# %% nbgrader={"grade_id": "gradient_check", "solution": true}
def gradient_check(f, grad_f, x):
    """Relative error between a claimed gradient and central differences at x.

    f: a scalar function of a NumPy array of shape (n,).
    grad_f: its claimed gradient, a function of the same array returning shape (n,).
    x: the point, array-like of n real numbers (any real dtype); work in float64.
    Returns: a float, the largest over i of |a_i - b_i| / max(1e-8, |a_i| + |b_i|), where
        a = grad_f(x) and b is the central-difference gradient of f at x with h = 1e-5.
    """
    ### BEGIN SOLUTION
    x = np.array(x, dtype=np.float64)
    return rel_error(grad_f(x.copy()), numerical_gradient(f, x))
    ### END SOLUTION


# %% nbgrader={"grade_id": "gradient_check_tests", "grade": true, "points": 2}
_cube = lambda p: np.sum(p ** 3)  # noqa: E731
_e = gradient_check(_cube, lambda p: 3 * p ** 2, np.array([1.0, -2.0, 0.5]))
check_type("gradient_check(...)", _e, (float, np.float64))
check_close("gradient_check of a correct gradient (a relative error below 1e-7)", _e, 0.0, atol=1e-7)
check_close("gradient_check of 2x² as the gradient of x³ (|3 - 2| / (3 + 2))",
            gradient_check(_cube, lambda p: 2 * p ** 2, np.array([1.0, -2.0, 0.5])), 0.2, rtol=1e-6)
# The floor: a true gradient of 1e-10 claimed as 0 gives 1e-10 / max(1e-8, 1e-10) = 0.01, not 1.
check_close("gradient_check of 1e-10 * sum(x) claimed as zero: the floor 1e-8",
            gradient_check(lambda p: 1e-10 * np.sum(p), lambda p: np.zeros_like(p), np.array([0.3, -0.2])), 0.01, rtol=1e-3)
# The step: on sum(x³) at 0.01 the central difference is 3x² + h², so the error is h² / (6x²) = 1/6 * 1e-6.
check_close("gradient_check of sum(x³) at x = (0.01, 0.01): the step h = 1e-5",
            gradient_check(_cube, lambda p: 3 * p ** 2, np.array([0.01, 0.01])), 1e-6 / 6, rtol=1e-3)
check_close("gradient_check at the integer point (1, -2)",
            gradient_check(_cube, lambda p: 2 * p ** 2, np.array([1, -2])), 0.2, rtol=1e-6)
check_close("gradient_check of sum(sin x) at a float32 point: grad_f evaluated in float64",
            gradient_check(lambda p: np.sum(np.sin(p)), np.cos, np.array([0.3, -1.1, 2.0], dtype=np.float32)),
            0.0, atol=1e-9)
print("gradient_check: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = hidden_rng(203)
for _n in (1, 3, 6):
    _A, _b = _rng.normal(size=(_n, _n)), _rng.normal(size=_n)
    _fun = lambda p, A=_A, b=_b: 0.5 * p @ A @ p + b @ p + np.sum(np.cos(p))  # noqa: E731
    _grads = [lambda p, A=_A, b=_b: 0.5 * (A + A.T) @ p + b - np.sin(p),  # correct
              lambda p, A=_A, b=_b: A @ p + b - np.sin(p),  # bug: A not symmetrised
              lambda p, A=_A, b=_b: 0.5 * (A + A.T) @ p + b + np.sin(p),  # bug: sign
              lambda p, A=_A: 0.5 * (A + A.T) @ p - np.sin(p)]  # bug: b forgotten
    for _x in (_rng.normal(size=_n), -1.0 - np.abs(_rng.normal(size=_n)), 20 * _rng.normal(size=_n),
               _rng.normal(size=_n).astype(np.float32)):
        for _k, _gf in enumerate(_grads):
            _got = gradient_check(_fun, _gf, _x)
            check_type("gradient_check(...)", _got, (float, np.float64))
            if _k == 0 or (_k == 1 and _n == 1):  # a 1x1 matrix is symmetric: no bug then
                expect(f"gradient_check, correct gradient, n={_n}, x dtype {_x.dtype} "
                       "(work in float64 with h = 1e-5)", _got, rtol=0.0, atol=1e-6)
            else:
                expect(f"gradient_check, planted bug {_k}, n={_n}", _got, rtol=1e-5)
for _k, _x in enumerate((0.01 * (1 + _rng.uniform(size=3)), 0.003 * (1 + _rng.uniform(size=2)))):  # pins h = 1e-5
    expect(f"gradient_check of sum(x³) at small x ({_k}), h = 1e-5", gradient_check(
        lambda p: np.sum(p ** 3), lambda p: 3 * p ** 2, _x), rtol=1e-3)
for _k, _c in enumerate((1e-10, 3e-11, -4e-10)):  # pins the floor 1e-8
    expect(f"gradient_check of a tiny gradient ({_k}) claimed as zero: the floor 1e-8", gradient_check(
        lambda p, c=_c: c * np.sum(p), lambda p: np.zeros_like(p), _rng.normal(size=3)), rtol=1e-3)
for _k in range(3):  # a float32 point and a grad_f that keeps float32: evaluate it in float64
    expect(f"gradient_check at a float32 point ({_k}): grad_f evaluated in float64", gradient_check(
        lambda p: np.sum(np.sin(p)), np.cos, _rng.normal(size=4).astype(np.float32)), rtol=0.0, atol=1e-9)
expect("gradient_check at the zero vector", gradient_check(
    lambda p: np.sum(p ** 4 + p ** 2), lambda p: 4 * p ** 3 + 2 * p, np.zeros(3)), rtol=0.0, atol=1e-10)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 4: the numerical Jacobian (2 points)
#
# For $F:\mathbb{R}^n\to\mathbb{R}^m$, column $j$ of the Jacobian is
# $\frac{F(x + he_j) - F(x - he_j)}{2h}$.

# %% nbgrader={"grade_id": "jacobian", "solution": true}
def jacobian(F, x, h=1e-5):
    """Central-difference Jacobian of a vector function F at the point x.

    F: a function of a NumPy array of shape (n,) returning an array of shape (m,).
    x: the point, array-like of n real numbers (any real dtype); x is not modified.
    h: the step, a float.
    Returns: np.ndarray of shape (m, n), dtype float64, J[i, j] ~ dF_i/dx_j, computed in float64.
    """
    ### BEGIN SOLUTION
    x = np.array(x, dtype=np.float64)
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = h
        columns.append((np.asarray(F(x + step), dtype=np.float64)
                        - np.asarray(F(x - step), dtype=np.float64)) / (2 * h))
    return np.column_stack(columns)
    ### END SOLUTION


# %% nbgrader={"grade_id": "jacobian_tests", "grade": true, "points": 2}
_A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
_J = jacobian(lambda p: _A @ p, np.array([0.3, -1.0, 2.0]))
check_type("jacobian(...)", _J, np.ndarray)
check_close("jacobian of x -> A x is A, shape (2, 3)", _J, _A, rtol=1e-8, atol=1e-8, dtype=np.float64)
_F = lambda p, lib: lib.stack([p[0] ** 2 * p[1], 5 * p[0] + lib.sin(p[1]), lib.exp(p[0]) * p[1]])  # noqa: E731
check_close("jacobian of (x²y, 5x + sin y, eˣy) against torch.autograd.functional.jacobian",
            jacobian(lambda p: _F(p, np), np.array([0.4, -1.3])),
            torch.autograd.functional.jacobian(lambda p: _F(p, torch), torch.tensor([0.4, -1.3],
                                               dtype=torch.float64)).numpy(), rtol=1e-7, atol=1e-9)
_xi = np.array([1, -2])  # integer x: the steps must not be truncated to 0
check_close("jacobian of (x²y, 5x + sin y, eˣy) at the integer point (1, -2)", jacobian(lambda p: _F(p, np), _xi),
            np.array([[2 * 1 * -2, 1.0], [5.0, np.cos(-2.0)], [np.e * -2, np.e]]), rtol=1e-7, atol=1e-9, dtype=np.float64)
check_close("jacobian must not modify x", _xi, np.array([1.0, -2.0]), rtol=0.0)
_x64 = np.array([1.2, -0.7])  # float64 x: converting it makes no copy, so a step added in place would show
jacobian(lambda p: _F(p, np), _x64)
check_close("jacobian must not modify a float64 x (x was changed: work on a float64 copy)", _x64,
            np.array([1.2, -0.7]), rtol=0.0)
_x32 = np.array([0.4, -1.3], dtype=np.float32)
check_close("jacobian at a float32 point, computed in float64", jacobian(lambda p: _F(p, np), _x32),
            torch.autograd.functional.jacobian(lambda p: _F(p, torch), torch.tensor(_x32.astype(np.float64))).numpy(),
            rtol=1e-7, atol=1e-9, dtype=np.float64)
check_close("jacobian of sin(x) at 0 with h=0.1: sin(0.1) / 0.1", jacobian(np.sin, np.zeros(1), h=0.1),
            np.array([[math.sin(0.1) / 0.1]]), rtol=1e-12, dtype=np.float64)
check_close("jacobian of sin(x) at 3 with h=0.1: cos(3) sin(0.1) / 0.1 "
            "(the step is h itself, not h scaled by |x_i|)",
            jacobian(np.sin, np.array([3.0]), h=0.1), np.array([[math.cos(3.0) * math.sin(0.1) / 0.1]]), rtol=1e-9,
            dtype=np.float64)
print("jacobian: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = hidden_rng(204)
for _m, _n in ((1, 1), (1, 4), (3, 1), (2, 5), (6, 3)):
    _A, _B = _rng.normal(size=(_m, _n)), _rng.normal(size=(_m, _n))
    _Fr = lambda p, A=_A, B=_B: A @ np.sin(p) + B @ p ** 2  # noqa: E731
    for _x in (np.zeros(_n), _rng.normal(size=_n), -1.0 - np.abs(_rng.normal(size=_n)),
               100 * _rng.normal(size=_n), _rng.normal(size=_n).astype(np.float32),
               _rng.integers(-3, 4, size=_n)):
        _scale = max(1.0, float(np.abs(_x).max())) ** 2  # F, and its round-off, grow like |x|²
        expect(f"jacobian, m={_m}, n={_n}, x={_x[:3]} ({_x.dtype})", jacobian(_Fr, _x),
               rtol=1e-7, atol=1e-8 * _scale, dtype=np.float64)
        expect("jacobian must not modify x", _x, rtol=0.0, atol=0.0)
_A, _B = _rng.normal(size=(2, 3)), _rng.normal(size=(2, 3))
expect("jacobian with h=1e-2 (the step argument is used)", jacobian(
    lambda p: _A @ np.sin(p) + _B @ p ** 2, _rng.normal(size=3), h=1e-2), rtol=1e-9, atol=1e-12, dtype=np.float64)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 5: the numerical Hessian (2 points)
#
# Use the four-point formula, exact for quadratics up to round-off:
# $$H_{ij} \approx \frac{f(x + he_i + he_j) - f(x + he_i - he_j) - f(x - he_i + he_j)
# + f(x - he_i - he_j)}{4h^2}.$$
# Round-off now grows like $\varepsilon|f|/h^2$; balancing it with the $O(h^2)$ truncation gives
# the larger step $h \approx \varepsilon^{1/4} \approx 10^{-4}$. For $i = j$ the formula is the
# second difference with step $2h$, $\frac{f(x+2he_i) - 2f(x) + f(x-2he_i)}{4h^2}$; the
# three-point second difference with step $h$, $\frac{f(x+he_i) - 2f(x) + f(x-he_i)}{h^2}$, is
# also accepted: it has a quarter of the truncation error and four times the round-off, so at
# $h = 10^{-4}$, where round-off dominates, it is somewhat less accurate. Either way the step is
# `h` itself, on the diagonal too. Compute each pair $i \le j$ once and mirror it: that halves
# the work and makes `H` exactly symmetric. Computed twice, $H_{ij}$ and $H_{ji}$ subtract the
# same four values in different orders, which can round differently where the values are far
# apart relative to their size (near a zero of $f$, for instance).

# %% nbgrader={"grade_id": "hessian", "solution": true}
def hessian(f, x, h=1e-4):
    """Finite-difference Hessian of a scalar function f at the point x.

    f: a function of a NumPy array of shape (n,) returning a real number.
    x: the point, array-like of n real numbers (any real dtype); work in float64.
    h: the step, a float.
    Returns: np.ndarray of shape (n, n), dtype float64, H[i, j] ~ d²f/dx_i dx_j,
        symmetric: H[i, j] == H[j, i].
    """
    ### BEGIN SOLUTION
    x = np.array(x, dtype=np.float64)
    steps = h * np.eye(x.size)
    H = np.zeros((x.size, x.size))
    for i in range(x.size):
        for j in range(i, x.size):
            H[i, j] = (f(x + steps[i] + steps[j]) - f(x + steps[i] - steps[j])
                       - f(x - steps[i] + steps[j]) + f(x - steps[i] - steps[j])) / (4 * h * h)
            H[j, i] = H[i, j]
    return H
    ### END SOLUTION


# %% nbgrader={"grade_id": "hessian_tests", "grade": true, "points": 2}
_H = hessian(lambda p: p[0] ** 2 + 3 * p[0] * p[1] + 2 * p[1] ** 2, np.array([0.5, -1.0]))
check_type("hessian(...)", _H, np.ndarray)
check_close("hessian of x² + 3xy + 2y²", _H, np.array([[2.0, 3.0], [3.0, 4.0]]), rtol=1e-5, atol=1e-5,
            dtype=np.float64)
check_close("hessian must be symmetric: H - H.T", _H - _H.T, np.zeros((2, 2)), rtol=0.0, atol=0.0)
check_close("hessian of x² + 3xy + 2y² at the integer point (1, -2)",
            hessian(lambda p: p[0] ** 2 + 3 * p[0] * p[1] + 2 * p[1] ** 2, np.array([1, -2])),
            np.array([[2.0, 3.0], [3.0, 4.0]]), rtol=1e-5, atol=1e-5, dtype=np.float64)
_f = lambda p, lib: p[0] ** 2 + 3 * p[1] ** 2 + lib.sin(p[0] * p[1])  # noqa: E731
check_close("hessian of x² + 3y² + sin(xy) against torch.autograd.functional.hessian",
            hessian(lambda p: _f(p, np), np.array([1.2, -0.7])),
            torch.autograd.functional.hessian(lambda p: _f(p, torch), torch.tensor(
                [1.2, -0.7], dtype=torch.float64)).numpy(), rtol=1e-5, atol=1e-5)
_x32 = np.array([1.2, -0.7], dtype=np.float32)
check_close("hessian at a float32 point, computed in float64", hessian(lambda p: _f(p, np), _x32),
            torch.autograd.functional.hessian(lambda p: _f(p, torch), torch.tensor(_x32.astype(np.float64))).numpy(),
            rtol=1e-5, atol=1e-5, dtype=np.float64)
# x sin(y) at (0, pi): the diagonal is 0 in every formula, the four-point H01 is cos(pi) sin(h) / h.
_d = math.sin(0.1) / 0.1
check_close("hessian of x sin(y) at (0, pi) with h=0.1: H01 = -sin(h) / h "
            "(the step is h itself, not h scaled by |x_i|)",
            hessian(lambda p: p[0] * np.sin(p[1]), np.array([0.0, math.pi]), h=0.1),
            np.array([[0.0, -_d], [-_d, 0.0]]), rtol=1e-9, atol=1e-12, dtype=np.float64)
# sum(cos x) at 0 with h=0.3: the four-point diagonal is (2cos(0.6) - 2)/0.36 = -0.9704, the three-point
# one (2cos(0.3) - 2)/0.09 = -0.9925, both accepted; a diagonal that ignores h gives -1.0000.
check_close("hessian of sum(cos x) at 0 with h=0.3: the diagonal uses the step h (-0.9704 or -0.9925, not -1)",
            np.diag(hessian(lambda p: np.sum(np.cos(p)), np.zeros(2), h=0.3)), np.full(2, -0.98145), rtol=0.0,
            atol=0.0125)
# Here H01 and H10, each computed on its own, subtract four values of f of both signs in different
# orders, which round differently: only the mirrored pair is exactly equal.
_H = hessian(lambda p: p[0] - 5 * p[1] + p[0] * p[1], np.zeros(2))
check_close("hessian must be exactly symmetric, H[i, j] == H[j, i] (compute i <= j and mirror): H - H.T "
            "for x - 5y + xy at (0, 0)", _H - _H.T, np.zeros((2, 2)), rtol=0.0, atol=0.0)
print("hessian: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = hidden_rng(205)
for _n in (1, 2, 4, 7):
    _A, _c = _rng.normal(size=(_n, _n)), 0.3 * _rng.normal(size=_n)
    _fr = lambda p, A=_A, c=_c: 0.5 * p @ A @ p + np.sum(np.cos(p)) + np.exp(c @ p)  # noqa: E731
    for _x in (np.zeros(_n), _rng.normal(size=_n), -1.0 - np.abs(_rng.normal(size=_n)),
               4 * _rng.normal(size=_n), _rng.normal(size=_n).astype(np.float32)):
        _got = hessian(_fr, _x)
        check_type("hessian(...)", _got, np.ndarray)
        # Round-off grows like eps * (the size of f's terms) / h²; a three-point diagonal has 4 times
        # the four-point formula's, and both must pass.
        _xd = _x.astype(np.float64)
        _scale = max(1.0, abs(0.5 * _xd @ _A @ _xd) + _n + float(np.exp(_c @ _xd)))
        expect(f"hessian, n={_n}, x={_x[:3]} ({_x.dtype})", _got, rtol=1e-5, atol=1e-5 + 4e-7 * _scale,
               dtype=np.float64)
        expect(f"hessian must be symmetric, n={_n}: H - H.T", _got - _got.T, rtol=0.0, atol=1e-12)
_A3, _c3 = _rng.normal(size=(3, 3)), _rng.choice([-1.0, 1.0], size=3) * (1 + _rng.uniform(size=3))
_got = hessian(lambda p: 0.5 * p @ _A3 @ p + np.exp(_c3 @ p), 0.5 * _rng.normal(size=3), h=1e-2)
check_type("hessian(...)", _got, np.ndarray)  # off the diagonal only: both diagonal formulas are right
expect("hessian with h=1e-2 (the step argument is used), off the diagonal", _got[np.triu_indices(3, 1)],
       rtol=1e-7, atol=1e-9, dtype=np.float64)
for _k in range(8):  # f(0) = 0 and a steep linear part: the four values differ in sign, and only
    _w, _B = 20 * _rng.normal(size=3), _rng.normal(size=(3, 3))  # mirroring makes H exactly symmetric
    _got = hessian(lambda p, w=_w, B=_B: w @ p + 0.5 * p @ B @ p + np.sin(p[0] * p[1]), np.zeros(3))
    expect(f"hessian must be exactly symmetric where f = 0 ({_k}): H - H.T", _got - _got.T, rtol=0.0, atol=0.0)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6: the gradient with PyTorch (2 points)
#
# Make a float64 tensor with `requires_grad=True`, evaluate `f`, call `.backward()` and read
# `.grad`; hand back a NumPy array.

# %% nbgrader={"grade_id": "torch_gradient", "solution": true}
def torch_gradient(f, x):
    """The gradient of a scalar PyTorch function at a NumPy point, by autograd.

    f: a function of a torch tensor of shape (n,) and dtype float64 returning a 0-d tensor,
       written with torch operations.
    x: the point, a NumPy array of shape (n,), any real dtype.
    Returns: np.ndarray of shape (n,), dtype float64, the gradient of f at x.
    """
    ### BEGIN SOLUTION
    point = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    f(point).backward()
    return point.grad.numpy()
    ### END SOLUTION


# %% nbgrader={"grade_id": "torch_gradient_tests", "grade": true, "points": 2}
_g = torch_gradient(lambda t: (t ** 2).sum(), np.array([1.0, 2.0, 3.0]))
check_type("torch_gradient(...)", _g, np.ndarray)
check_close("torch_gradient of sum(x²) at (1, 2, 3)", _g, np.array([2.0, 4.0, 6.0]), rtol=1e-12,
            dtype=np.float64)
_p = np.array([1.2, -0.7])
check_close("torch_gradient of x² + 3y² + sin(xy) at (1.2, -0.7)",
            torch_gradient(lambda t: t[0] ** 2 + 3 * t[1] ** 2 + torch.sin(t[0] * t[1]), _p),
            np.array([2 * _p[0] + _p[1] * np.cos(_p[0] * _p[1]), 6 * _p[1] + _p[0] * np.cos(_p[0] * _p[1])]),
            rtol=1e-12)
check_close("torch_gradient of sum(x³) at the integer point (1, -2): float64",
            torch_gradient(lambda t: (t ** 3).sum(), np.array([1, -2])), np.array([3.0, 12.0]), rtol=1e-12, dtype=np.float64)
_x32 = np.array([0.1, 0.7], dtype=np.float32)
check_close("torch_gradient of sum(sin x) at a float32 point, computed in float64",
            torch_gradient(lambda t: torch.sin(t).sum(), _x32), np.cos(_x32.astype(np.float64)), rtol=1e-12, dtype=np.float64)
# At the kink of relu autograd uses PyTorch's convention relu'(0) = 0; a central difference gives 0.5.
check_close("torch_gradient of sum(relu x) at 0 must come from autograd (relu'(0) = 0 by PyTorch's convention)",
            torch_gradient(lambda t: torch.relu(t).sum(), np.zeros(2)), np.zeros(2), atol=0.0, dtype=np.float64)
print("torch_gradient: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = hidden_rng(206)
for _n in (1, 3, 8):
    _A, _b = _rng.normal(size=(_n, _n)), _rng.normal(size=_n)
    _ft = lambda t, A=torch.tensor(_A), b=torch.tensor(_b): 0.5 * t @ A @ t + b @ t + torch.sin(t).sum()  # noqa: E731
    for _x in (np.zeros(_n), _rng.normal(size=_n), -1.0 - np.abs(_rng.normal(size=_n)),
               1e3 * _rng.normal(size=_n), _rng.normal(size=_n).astype(np.float32),
               _rng.integers(-3, 4, size=_n)):
        _got = torch_gradient(_ft, _x)
        check_type("torch_gradient(...)", _got, np.ndarray)
        expect(f"torch_gradient, n={_n}, x={_x[:3]} ({_x.dtype})", _got, rtol=1e-10,
               atol=1e-12 * max(1.0, float(np.abs(_x).max())), dtype=np.float64)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 7: a Hessian-vector product with TensorFlow (3 points)
#
# Curvature probes (power iteration, Lanczos) and Newton–CG methods (Newton's method is Day 3's)
# need only $Hv$, not $H$: with $n$ parameters $H$ has $n^2$ entries, while $Hv$ costs about two
# gradients. The trick: $Hv = \nabla_x\left(\nabla f(x)\cdot v\right)$: $v$ does not depend on
# $x$, and the gradient of $\nabla f\cdot v$ is $H^\top v = Hv$ ($H$ is symmetric for twice
# continuously differentiable $f$). Compute the gradient on an inner tape, its dot product with
# $v$ under an outer tape (inside its `with` block), and differentiate that scalar with the
# outer tape: reverse mode over reverse mode. (Pearlmutter's original trick is forward over
# reverse, `tf.autodiff.ForwardAccumulator` around the tape; both give the same $Hv$.) The
# checks include $n = 20\,000$, where $H$ alone would take 3.2 GB.

# %% nbgrader={"grade_id": "tf_hessian_vector_product", "solution": true}
def tf_hessian_vector_product(f, x, v):
    """H(x) v, the Hessian of f at x times v, with two nested tf.GradientTape; H is never formed.

    f: a function of a tf.Tensor of shape (n,) and dtype float64 returning a scalar tensor,
       written with TensorFlow operations.
    x, v: NumPy arrays of shape (n,), any real dtype; v is used as given (not normalised).
    Returns: np.ndarray of shape (n,), dtype float64.
    Must work for n in the tens of thousands, where the n x n Hessian would not fit in memory.
    When the gradient does not depend on x (a linear f) the outer tape finds no path back to
    x; ask it for zeros then: unconnected_gradients=tf.UnconnectedGradients.ZERO. Take the dot
    product with v inside the outer tape's with block: computed after it, it is not recorded,
    and ZERO turns that mistake into an all-zero answer.
    """
    ### BEGIN SOLUTION
    x = tf.constant(np.asarray(x, dtype=np.float64))
    v = tf.constant(np.asarray(v, dtype=np.float64))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            value = f(x)
        grad_dot_v = tf.reduce_sum(inner.gradient(value, x) * v)
    hv = outer.gradient(grad_dot_v, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return hv.numpy()
    ### END SOLUTION


# %% nbgrader={"grade_id": "tf_hessian_vector_product_tests", "grade": true, "points": 3}
_hv = tf_hessian_vector_product(lambda t: tf.reduce_sum(t ** 2), np.array([1.0, -2.0, 0.5]),
                                np.array([1.0, 2.0, 3.0]))
check_type("tf_hessian_vector_product(...)", _hv, np.ndarray)
check_close("tf_hessian_vector_product of sum(x²): H = 2I, so Hv = 2v (all zeros? then the dot product "
            "with v was computed outside the outer tape's with block)", _hv, np.array([2.0, 4.0, 6.0]),
            rtol=1e-12, dtype=np.float64)
_p, _w = np.array([1.2, -0.7]), np.array([0.3, 1.0])
check_close("tf_hessian_vector_product of x² + 3y² + sin(xy) against torch.autograd.functional.hvp",
            tf_hessian_vector_product(lambda t: t[0] ** 2 + 3 * t[1] ** 2 + tf.sin(t[0] * t[1]), _p, _w),
            torch.autograd.functional.hvp(lambda t: t[0] ** 2 + 3 * t[1] ** 2 + torch.sin(t[0] * t[1]),
                                          torch.tensor(_p), torch.tensor(_w))[1].numpy(),
            rtol=1e-10, atol=1e-12)
check_close("tf_hessian_vector_product of a linear f is zero",
            tf_hessian_vector_product(lambda t: tf.reduce_sum(3.0 * t), np.ones(3), np.array([1.0, 2.0, 3.0])), np.zeros(3), atol=1e-15)
_big = np.linspace(-1.0, 1.0, 20000)  # H would hold 4e8 numbers (3.2 GB): it must not be formed
check_close("tf_hessian_vector_product of sum(cos x) for n = 20000 (H = diag(-cos x))",
            tf_hessian_vector_product(lambda t: tf.reduce_sum(tf.cos(t)), _big, np.ones(20000)), -np.cos(_big),
            rtol=1e-12, atol=1e-15)
_c, _x32 = tf.constant([1.0, 2.0], dtype=tf.float64), np.array([0.1, 0.7], dtype=np.float32)
check_close("tf_hessian_vector_product of sum(c x³) at float32 x, integer v (H = diag(6 c x)), in float64",
            tf_hessian_vector_product(lambda t: tf.reduce_sum(_c * t ** 3), _x32, np.array([1, -2])),
            6 * np.array([1.0, 2.0]) * _x32.astype(np.float64) * np.array([1.0, -2.0]), rtol=1e-12, dtype=np.float64)
print("tf_hessian_vector_product: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = hidden_rng(207)
for _n in (1, 3, 6):
    _A, _c = _rng.normal(size=(_n, _n)), 0.3 * _rng.normal(size=_n)
    _ft = lambda t, A=tf.constant(_A), c=tf.constant(_c): (  # noqa: E731
        0.5 * tf.tensordot(t, tf.linalg.matvec(A, t), 1) + tf.reduce_sum(tf.cos(t))
        + tf.exp(tf.tensordot(c, t, 1)))
    for _x, _v in ((np.zeros(_n), _rng.normal(size=_n)), (_rng.normal(size=_n), _rng.normal(size=_n)),
                   (-1.0 - np.abs(_rng.normal(size=_n)), 1e3 * _rng.normal(size=_n)),
                   (_rng.normal(size=_n).astype(np.float32), _rng.normal(size=_n).astype(np.float32))):
        expect(f"tf_hessian_vector_product, n={_n}, x={_x[:3]} ({_x.dtype})",
               tf_hessian_vector_product(_ft, _x, _v), rtol=1e-10,
               atol=1e-12 * max(1.0, float(np.abs(_v).max())), dtype=np.float64)
_xbig = _rng.normal(size=25000)
expect("tf_hessian_vector_product, n = 25000 (H is never formed)", tf_hessian_vector_product(
    lambda t: tf.reduce_sum(tf.sin(t)) + 0.5 * tf.reduce_sum(t[1:] * t[:-1]), _xbig, _rng.normal(size=25000)),
    rtol=1e-10, atol=1e-12, dtype=np.float64)
_b = tf.constant([1.0, -2.0, 3.0], dtype=tf.float64)
expect("tf_hessian_vector_product of a linear f is zero", tf_hessian_vector_product(
    lambda t: tf.tensordot(_b, t, 1), np.ones(3), np.array([1.0, 2.0, 3.0])), rtol=0.0, atol=1e-15,
    dtype=np.float64)
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Pitfalls and misconceptions
#
# **"The gradient check failed, so my gradient is wrong."** Not if you checked in float32.
# Sweep the step $h$ of the check in both precisions.

# %%
# %matplotlib inline
def check_error(h, dtype):
    """Relative error of central differences (in dtype, step h) against the exact gradient."""
    x, y, step = dtype(x0), dtype(y0), dtype(h)
    return rel_error(np.array(partials(f, x, y, step), dtype=np.float64), grad_f(x0, y0))


hs = np.logspace(-12, -1, 23)
errors = {"float64": [check_error(h, np.float64) for h in hs],
          "float32": [check_error(h, np.float32) for h in hs]}
ax = plot_error_vs_step(hs, errors, title="Gradient check: relative error against h")
ax.set_ylabel("relative error")
plt.show()
for name, errs in errors.items():
    best = int(np.argmin(errs))
    print(f"{name}: error {check_error(1e-5, getattr(np, name)):.1e} at h = 1e-5, "
          f"best {errs[best]:.1e} at h = {hs[best]:.0e}")

# %% [markdown]
# In float32 the check at $h = 10^{-5}$ reports an error in the "bug" range for a correct
# gradient, and even its best step stays far above float64's. In either precision a step far
# below the best drowns in round-off (left) and one far above it in truncation error (right).
# Check in float64 with $h \approx 10^{-5}$.
#
# **Checking at a convenient point; forgetting to normalise $v$.** At $x = 1$ the missing
# factor $x$ in `grad_f_buggy` is invisible: check at random points. And $\nabla f\cdot v$ is
# the slope only for a unit $v$: doubling $v$ doubles the "slope", so a race between
# unnormalised directions is won by a long vector pointing roughly downhill, not by the
# steepest direction:

# %%
print(f"buggy gradient checked at (1.0, 0.5):  {rel_error(grad_f_buggy(1.0, 0.5), partials(f, 1.0, 0.5)):.1e}")
print(f"buggy gradient checked at ({x0}, {y0}): {rel_error(grad_f_buggy(x0, y0), partials(f, x0, y0)):.1e}")
print(f"grad f . v = {g0 @ v:.4f}; grad f . (2v) = {g0 @ (2 * v):.4f}, the same direction")
raw = rng.normal(size=(1000, 2))  # the race again, the directions left unnormalised
winner = raw[np.argmin(raw @ g0)]
off = np.degrees(np.arccos(-winner @ g0 / (np.linalg.norm(winner) * np.linalg.norm(g0))))
print(f"unnormalised race: the winner is {np.linalg.norm(winner):.2f} long (median "
      f"{np.median(np.linalg.norm(raw, axis=1)):.2f}) and {off:.1f} degrees off -grad f")

# %% [markdown]
# **"The negative gradient points to the minimum."** Only on a round bowl. On the
# ill-conditioned bowl $x^2 + 25y^2$ (one direction much steeper than the other: its curvatures
# are 2 and 50) the gradient is dominated by the steep $y$ direction.

# %%
def bowl(x, y):
    return x**2 + 25 * y**2


q = np.array([4.0, 1.0])
down = -np.array([2 * q[0], 50 * q[1]])  # -grad of the bowl at q
to_min = -q  # the minimum is at the origin
angle = np.degrees(np.arccos(down @ to_min / (np.linalg.norm(down) * np.linalg.norm(to_min))))
fig, ax = plt.subplots(figsize=(6, 4))
plot_contours(ax, bowl, (-5, 5), (-2, 2), levels=12)
for d, color, label in ((down, "tab:red", "-grad f"), (to_min, "tab:blue", "towards the minimum")):
    ax.quiver(*q, *(1.8 * d / np.linalg.norm(d)), color=color, angles="xy", scale_units="xy",
              scale=1, label=label)
ax.plot(0, 0, "k*")
ax.legend(loc="lower left", fontsize="small")
plt.show()
print(f"angle between -grad f and the direction to the minimum: {angle:.1f} degrees")

# %% [markdown]
# Steepest descent is a *local* statement about the slope, not a pointer to the valley floor;
# on such a bowl gradient descent zig-zags, and Newton's method (Day 3) and momentum (Day 6)
# are the remedies.
#
# **More misconceptions, corrected.**
# - *The gradient is a direction in the 3-D picture of the graph.* It lives in the input space
#   (the plane of the contour map), perpendicular to the contours.
# - *$\lVert\nabla f\rVert$ is how far to step.* It is a rate, the change of $f$ per unit
#   length; how far to step is the learning rate's job.
# - *A zero gradient means a minimum.* It means a stationary point: a minimum, a maximum or a
#   saddle ($x^2 - y^2$ at the origin). The Hessian tells them apart when it is nonsingular
#   (Day 3).
#
# ## 8. Interview corner
#
# **Mid level**
#
# 1. Why does gradient descent step along $-\nabla f$?
#
# <details><summary>Answer</summary>
#
# The slope along a unit vector $v$ is $\nabla f\cdot v \ge -\lVert\nabla f\rVert$
# (Cauchy–Schwarz), with equality, when $\nabla f \ne 0$, only for
# $v = -\nabla f/\lVert\nabla f\rVert$: for a small enough step no direction decreases $f$
# faster.
# </details>
#
# 2. How do you check a hand-written gradient?
#
# <details><summary>Answer</summary>
#
# At a few random points, against central differences in float64 with $h\approx 10^{-5}$, by
# the relative error $|a-b|/\max(10^{-8}, |a|+|b|)$: when $f$ and every component of the
# gradient are of order one, about $10^{-7}$ or less is right and above $10^{-4}$ is a bug;
# otherwise compare with the check's own error, round-off up to about
# $\varepsilon|f|/(h\min_i|\partial f/\partial x_i|)$ plus truncation (a zero component reads as
# a large relative error). Avoid kinks (ReLU at 0) and special points such as 0 and 1.
# </details>
#
# **Senior level**
#
# 3. Why central differences rather than forward, and how do you choose $h$?
#
# <details><summary>Answer</summary>
#
# Central differences have truncation error $O(h^2)$ against $O(h)$, and round-off
# $O(\varepsilon/h)$ in both. Balancing $h^2$ with $\varepsilon/h$ gives
# $h\sim\varepsilon^{1/3}\approx 6\cdot 10^{-6}$ in float64 (scaled by $|x|$ when $x$ is large).
# In float32, $\varepsilon^{1/3}\approx 5\cdot 10^{-3}$ and the best error is still poor.
# </details>
#
# 4. A full numerical gradient costs $2n$ evaluations. How do you check a model with $10^8$
#    parameters?
#
# <details><summary>Answer</summary>
#
# Check directional derivatives: for a few random unit vectors $v$ compare
# $\frac{f(x+hv) - f(x-hv)}{2h}$ with $\nabla f\cdot v$ from backprop, two evaluations each. A
# wrong gradient shows in almost every random direction, but diluted: the discrepancy relative
# to $\nabla f\cdot v$ is about $\lVert\text{error}\rVert/\lVert\nabla f\rVert$, so a bug in a
# small layer can hide in the noise. Add a random subset of coordinates
# per layer, on a small batch, in float64, with dropout and other randomness fixed. For a
# Jacobian, remember reverse mode costs one pass per output and forward mode one per input.
# </details>
#
# **Principal level**
#
# 5. Why don't we train large models with Newton's method, and what is the Hessian used for?
#
# <details><summary>Answer</summary>
#
# With $n$ parameters the Hessian has $n^2$ entries and a Newton step costs $O(n^3)$; away from
# a minimum it is often indefinite too. What scales are Hessian-vector products at the cost of
# a small multiple of a gradient: Pearlmutter's trick is forward-over-reverse (a
# forward-mode derivative of the gradient along $v$); Exercise 7 gets the same $Hv$
# reverse-over-reverse. They drive conjugate-gradient Newton steps (truncated Newton; Martens's
# Hessian-free optimization uses the same trick with the positive semidefinite Gauss–Newton
# matrix in place of $H$, damped by $\lambda I$ to be positive definite, as CG requires) and
# Lanczos estimates of the largest eigenvalue (sharpness; on a quadratic with positive definite
# Hessian, gradient descent with a fixed step $\eta$ converges from every start exactly when
# $0 < \eta < 2/\lambda_{\max}$). K-FAC takes another route: no Hessian-vector
# products, but a Kronecker-factored approximation of the Fisher information built from layer
# inputs and back-propagated gradients. Adam's second moment is a running average of squared
# gradients, not the Hessian's diagonal.
# </details>
#
# 6. Is $-\nabla f$ *the* steepest descent direction?
#
# <details><summary>Answer</summary>
#
# Only for the Euclidean norm. Steepest descent minimises $\nabla f\cdot d$ over
# $\lVert d\rVert\le 1$, and the answer depends on the norm: for
# $\lVert d\rVert_P = \sqrt{d^\top P d}$, $P$ symmetric positive definite, it is along
# $-P^{-1}\nabla f$ (Newton's direction for $P = H$ when $H$ is positive definite, the natural
# gradient for $P$ the Fisher information); for the $\ell_\infty$ norm it
# is $-\operatorname{sign}(\nabla f)$, the idea behind signSGD. Choosing the geometry is
# choosing the optimizer: that is what preconditioning does.
# </details>
#
# ## 9. Summary and further reading
#
# - The gradient collects the partial derivatives; the slope along a unit $v$ is
#   $\nabla f\cdot v$, largest along $\nabla f$, smallest along $-\nabla f$, zero along a contour.
# - Gradient checks: float64, central differences, $h\approx 10^{-5}$, relative error with a
#   $10^{-8}$ floor, at random points.
# - The Jacobian stacks the outputs' gradients; the Hessian is the Jacobian of the gradient.
#   `torch.autograd.functional` and `tf.GradientTape` agree with the hand derivation to
#   round-off, and with central differences to within their $O(h^2)$ error.
# - $-\nabla f$ is the steepest direction locally, not the way to the minimum.
#
# Further reading: Goodfellow, Bengio and Courville, *Deep Learning*, section 4.3; Nocedal and
# Wright, *Numerical Optimization*, chapter 8 (finite differences); the CS231n notes on
# gradient checks; Baydin et al., "Automatic differentiation in machine learning: a survey"
# (JMLR, 2018); Pearlmutter, "Fast exact multiplication by the Hessian" (Neural Computation,
# 1994); the PyTorch `torch.autograd.functional` and TensorFlow "Advanced automatic
# differentiation" guides.
#
# Next, Day 3: convexity, and the walk downhill as an algorithm.
