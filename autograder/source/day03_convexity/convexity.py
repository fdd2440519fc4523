# %% [markdown]
# # Day 3: Convexity and the optimization landscape
#
# **Learning goals.** By the end of today you can
# - tell convex sets and functions from non-convex ones: by the definition, by Jensen's
#   inequality, and by the Hessian test;
# - classify a critical point as a minimum, a maximum or a saddle from its Hessian's eigenvalues;
# - write gradient descent from scratch and match it exactly with PyTorch and TensorFlow;
# - predict from the curvature which learning rates converge, oscillate or diverge ($\eta < 2/L$);
# - say how noise, momentum and a small perturbation get descent out of a local minimum or
#   off a saddle;
# - take a Newton step, and say why large networks are not trained with Newton's method;
# - solve an equality-constrained problem with a Lagrange multiplier.
#
# **Prerequisites.** Day 1 (derivatives) and Day 2 (gradients, the Hessian); eigenvalues of a
# symmetric matrix; NumPy.
#
# **Time to complete.** About 3 hours: 1.5 reading and running, 1.5 for the exercises.
#
# | | gradient descent |
# |---|---|
# | what | $x_{k+1} = x_k - \eta\,\nabla f(x_k)$ |
# | why | $-\nabla f$ is the direction of steepest descent (Day 2) |
# | when | a differentiable loss with too many parameters for a closed-form answer |
# | where | inside every `optimizer.step()` of PyTorch and Keras |
# | who | Cauchy (1847), for the orbits of celestial bodies |
# | how | this notebook |

# %% nbgrader={"grade_id": "setup", "locked": true}
from calcopt.checks import check_close, check_true, check_type
import numpy as np
import matplotlib.pyplot as plt
from calcopt.widgets.descent import plot_contour_path

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Intuition: a ball in a bowl, a ball on a bumpy landscape
#
# Put a ball anywhere in a bowl and let it roll: it ends at the bottom, and there is only one
# bottom. That is a **convex** landscape: every place that looks lowest nearby is lowest
# everywhere. Now put it on a bumpy landscape, $f(x) = x^4 - 2x^2 + x$: started on the right,
# it settles in the shallow dip and never learns that a deeper valley lies to the left.
# Gradient descent is that ball without momentum: it only feels the slope where it stands.

# %%
f_quartic = lambda x: x**4 - 2 * x**2 + x
df_quartic = lambda x: 4 * x**3 - 4 * x + 1
d2f_quartic = lambda x: 12 * x**2 - 4

xs = np.linspace(-2, 2, 300)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3))
ax1.plot(xs, xs**2, color="black")
ax1.plot([0], [0], "o", color="tab:red", markersize=10)
ax1.set_title("convex: one bottom")
ax2.plot(xs, f_quartic(xs), color="black")
crit = np.sort(np.roots([4, 0, -4, 1]).real)  # the roots of f'(x) = 4x³ - 4x + 1
ax2.plot(crit[[0, 2]], f_quartic(crit[[0, 2]]), "o", color="tab:red", markersize=10)
ax2.set_title("non-convex: a global and a local minimum")
plt.show()

# %% [markdown]
# ## 2. Theory
#
# ### 2.1 Convex sets
# A set $C \subseteq \mathbb{R}^n$ is **convex** when the segment between any two of its points
# stays inside: $x, y \in C,\ \theta \in [0, 1] \Rightarrow \theta x + (1-\theta) y \in C$.
# A disk is convex; a ring (annulus) is not. We test the definition on random pairs.

# %%
def in_disk(p):
    return np.linalg.norm(p, axis=-1) <= 1.0

def in_ring(p):
    r = np.linalg.norm(p, axis=-1)
    return (0.5 <= r) & (r <= 1.0)

def segment_violations(inside, num_pairs=2000):
    """Fraction of random pairs in the set whose random convex combination leaves it."""
    pts = rng.uniform(-1, 1, size=(20 * num_pairs, 2))
    pts = pts[inside(pts)][: 2 * num_pairs].reshape(num_pairs, 2, 2)
    theta = rng.uniform(0, 1, size=(num_pairs, 1))
    mix = theta * pts[:, 0] + (1 - theta) * pts[:, 1]
    return np.mean(~inside(mix))

print(f"disk: {segment_violations(in_disk):.3f} of segments leave the set")
print(f"ring: {segment_violations(in_ring):.3f} of segments leave the set")

# %% [markdown]
# ### 2.2 Convex functions and Jensen's inequality
# $f$ is **convex** when its chord lies above its graph:
# $$f(\theta x + (1-\theta) y) \le \theta f(x) + (1-\theta) f(y), \qquad \theta \in [0, 1].$$
# It is **strictly convex** when the inequality is strict for $x \ne y$, $\theta \in (0,1)$, and
# **$\mu$-strongly convex** when $f(x) - \tfrac{\mu}{2}\|x\|^2$ is still convex. A line is convex
# but not strictly; $x^4$ is strictly but not strongly convex; $x^2$ is 2-strongly convex.
#
# **Jensen's inequality** extends the chord to any average: for a random variable $X$,
# $f(\mathbb{E}[X]) \le \mathbb{E}[f(X)]$. Check it on samples: the gap
# $\mathbb{E}[f(X)] - f(\mathbb{E}[X])$ is never negative for a convex $f$, and the quartic
# breaks it.

# %%
samples = rng.normal(size=(1000, 50))  # 1000 random variables, 50 equally likely values each
for name, f in [("exp", np.exp), ("x^2", np.square), ("|x|", np.abs), ("x^4-2x^2+x", f_quartic)]:
    gap = f(samples).mean(axis=1) - f(samples.mean(axis=1))
    print(f"{name:12s} smallest E[f(X)] - f(E[X]) = {gap.min(): .4f}")

# %% [markdown]
# ### 2.3 The second-derivative and Hessian tests
# For a twice-differentiable $f$: convex $\iff f''(x) \ge 0$ everywhere (in 1-D), and
# convex $\iff$ the Hessian $H(x) = \nabla^2 f(x)$ is positive semidefinite everywhere
# (all eigenvalues $\ge 0$). At a **critical point**, $\nabla f(x^\ast) = 0$, the eigenvalues of
# the symmetric matrix $H(x^\ast)$ decide:
#
# | eigenvalues of $H(x^\ast)$ | the critical point is |
# |---|---|
# | all $> 0$ | a strict local minimum |
# | all $< 0$ | a strict local maximum |
# | some $> 0$ and some $< 0$ | a saddle point |
# | otherwise (a zero, the rest of one sign) | degenerate: the test cannot tell |
#
# The last row is real. $x^2 + y^4$ and $x^2 + y^3$ both have Hessian
# $\mathrm{diag}(2, 0)$ at the origin; the first has a minimum there, the second does not.

# %%
hessians_at_origin = {
    "x^2 + y^2": np.diag([2.0, 2.0]),
    "-x^2 - y^2": np.diag([-2.0, -2.0]),
    "x^2 - y^2": np.diag([2.0, -2.0]),
    "x^2 + y^4": np.diag([2.0, 0.0]),
    "x^2 + y^3": np.diag([2.0, 0.0]),
    "x^2 + 3xy + y^2": np.array([[2.0, 3.0], [3.0, 2.0]]),
}
for name, H in hessians_at_origin.items():
    print(f"{name:16s} eigenvalues {np.linalg.eigvalsh(H)}")

# %% [markdown]
# The last one looks like a bowl term by term, yet its eigenvalues have both signs: a saddle.
# In 1-D the test reads off $f''$. The quartic's critical points are the roots of
# $f'(x) = 4x^3 - 4x + 1$:

# %%
for x in crit:
    print(f"x = {x: .5f}   f(x) = {f_quartic(x): .5f}   f''(x) = {d2f_quartic(x): .4f}")

# %% [markdown]
# Left to right: the global minimum ($f'' > 0$), a local maximum ($f'' < 0$), and the local
# minimum that traps the ball ($f'' > 0$, higher $f$).
#
# ### 2.4 Gradient descent on a quadratic: why $\eta < 2/L$
# On $f(x) = \tfrac12 x^\top A x$ with $A$ symmetric positive definite, the gradient is $Ax$ and
# descent is linear: $x_{k+1} = (I - \eta A)\,x_k$. In the eigenbasis of $A$ each coordinate is
# multiplied by $1 - \eta\lambda_i$ at every step, so descent converges from every start iff
# $$|1 - \eta \lambda_i| < 1 \ \text{for all } i \iff 0 < \eta < \frac{2}{L}, \qquad L = \lambda_{\max}(A).$$
# $L$ is the **smoothness constant**, the largest curvature. In 1-D, $f(x) = x^2$ has $L = 2$ and
# the multiplier is $1 - 2\eta$:
#
# | $\eta$ | multiplier $1 - 2\eta$ | regime |
# |---|---|---|
# | $0 < \eta < 1/2$ | in $(0, 1)$ | monotone; slow when $\eta$ is tiny |
# | $\eta = 1/2 = 1/L$ | $0$ | one step to the minimum |
# | $1/2 < \eta < 1$ | in $(-1, 0)$ | oscillating, converging |
# | $\eta > 1 = 2/L$ | below $-1$ | oscillating, diverging: $\eta = 1.1$ gives $10 \to -12 \to 14.4 \to \dots$ |
#
# The slowest coordinate sets the pace; the best fixed rate is $\eta = 2/(L + \mu)$, with
# $\mu = \lambda_{\min}$, which contracts by $(\kappa - 1)/(\kappa + 1)$ per step, $\kappa = L/\mu$.
#
# ### 2.5 Newton's method
# Minimise the local quadratic model $f(x) + \nabla f^\top d + \tfrac12 d^\top H d$ instead of taking a
# small step: $d = -H^{-1}\nabla f$, so $x_{k+1} = x_k - H(x_k)^{-1} \nabla f(x_k)$ (solve
# $H d = -\nabla f$; never form $H^{-1}$). On a quadratic the model is exact, so **one step lands
# on the minimum**. Near a minimum with $H \succ 0$ the error squares at every step
# (quadratic convergence), while gradient descent's error shrinks by a constant factor (linear).
#
# ### 2.6 Lagrange multipliers
# To minimise $f(x)$ subject to $g(x) = b$: at the optimum the level set of $f$ touches the
# constraint surface, so their normals are parallel, $\nabla f(x^\ast) = \lambda \nabla g(x^\ast)$.
# Equivalently, $(x^\ast, \lambda)$ is a stationary point of the Lagrangian
# $\mathcal{L}(x, \lambda) = f(x) - \lambda (g(x) - b)$. The multiplier is a price:
# $\lambda = \mathrm{d} f^\ast / \mathrm{d} b$, how much the best value moves per unit of constraint.
#
# **By hand.** Minimise $f(x, y) = x^2 + 2y^2$ subject to $x + y = 3$. Then
# $(2x, 4y) = \lambda (1, 1)$ gives $x = \lambda/2$, $y = \lambda/4$; the constraint
# $3\lambda/4 = 3$ gives $\lambda = 4$, so $x^\ast = (2, 1)$ and $f^\ast = 6$.
# With $m$ linear constraints $Ax = b$ and $f(x) = \tfrac12 x^\top Q x + c^\top x$, the same
# conditions read $Qx + c = A^\top \lambda$ and $Ax = b$: a linear system in $(x, \lambda)$.
#
# We check the hand solution without using it: walk along the line, $(x, y) = (t, b - t)$, with
# 1-D gradient descent, then differentiate the best value in $b$ numerically.

# %%
def best_on_line(b, num_steps=200, lr=0.1):
    """min of x^2 + 2y^2 on x + y = b, by descent on t where (x, y) = (t, b - t)."""
    t = 0.0
    for _ in range(num_steps):
        t -= lr * (2 * t - 4 * (b - t))  # d/dt [t^2 + 2 (b - t)^2]
    return np.array([t, b - t]), t**2 + 2 * (b - t) ** 2

x_star, f_star = best_on_line(3.0)
h = 1e-4
lam_numeric = (best_on_line(3.0 + h)[1] - best_on_line(3.0 - h)[1]) / (2 * h)
grad_f = np.array([2 * x_star[0], 4 * x_star[1]])
print("x* =", x_star, " f* =", round(f_star, 10), " df*/db =", round(lam_numeric, 6))
print("grad f(x*) =", grad_f, "= lambda * grad g, grad g = (1, 1)")
np.testing.assert_allclose(x_star, [2.0, 1.0], rtol=1e-10)
np.testing.assert_allclose(lam_numeric, 4.0, rtol=1e-6)

# %%
X, Y = np.meshgrid(np.linspace(-1, 4, 200), np.linspace(-1.5, 3, 200))
fig, ax = plt.subplots(figsize=(5, 4))
ax.contour(X, Y, X**2 + 2 * Y**2, levels=[1, 3, f_star, 12, 20], cmap="viridis")
ax.plot([-1, 4], [4, -1], color="black", label="x + y = 3")
ax.quiver(*x_star, *(grad_f / 4), angles="xy", scale_units="xy", scale=1, color="tab:red",
          label=r"$\nabla f(x^*) = \lambda \nabla g$")
ax.plot(*x_star, "o", color="tab:red")
ax.set_aspect("equal")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# ## 3. Gradient descent from scratch
#
# ### 3.1 Pure Python, 1-D: four learning rates on $x^2$ from 10

# %%
def df_square(x):
    return 2 * x

for lr in (0.01, 0.3, 0.9, 1.1):
    x = 10.0
    path = [x]
    for _ in range(5):
        x = x - lr * df_square(x)
        path.append(x)
    print(f"lr = {lr:4}:  " + " -> ".join(f"{v:.4g}" for v in path))

# %% [markdown]
# $\eta = 1.1$ reproduces $10 \to -12 \to 14.4$: each step overshoots the minimum by more than
# it started. Over more steps the four regimes separate cleanly on a log scale:

# %%
fig, ax = plt.subplots(figsize=(6, 4))
for lr, label in [(0.01, "too small"), (0.3, "right"), (0.9, "oscillating"), (1.1, "diverging")]:
    x, path = 10.0, [10.0]
    for _ in range(40):
        x -= lr * df_square(x)
        path.append(x)
    ax.semilogy(np.abs(path), ".-", label=f"lr = {lr} ({label})")
ax.set_xlabel("step k")
ax.set_ylabel("|x_k|")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# ### 3.2 NumPy, 2-D: an elongated bowl on contours
# $f(x) = \tfrac12 x^\top A x$ with $A$ built from its eigenvalues $\mu = 1$ and $L = 10$,
# rotated by 30°, so $2/L = 0.2$ is known by construction. The vectorised loop is the scalar one
# with arrays.

# %%
angle = np.pi / 6
R = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
A_bowl = R @ np.diag([1.0, 10.0]) @ R.T
f_bowl = lambda X, Y: 0.5 * (A_bowl[0, 0] * X**2 + 2 * A_bowl[0, 1] * X * Y + A_bowl[1, 1] * Y**2)

ax = None
for lr, color in [(0.05, "tab:blue"), (0.18, "tab:orange"), (0.201, "tab:red")]:
    x = np.array([-1.8, 1.2])
    path = [x]
    for _ in range(25):
        x = x - lr * (A_bowl @ x)
        path.append(x)
    path = np.array(path)
    print(f"lr = {lr}: |x_25| = {np.linalg.norm(path[-1]):.3g}")
    ax = plot_contour_path(f_bowl, path, ax=ax, label=f"lr = {lr}", color=color)
plt.show()

# %% [markdown]
# Below $2/L$ the path zigzags across the narrow direction and still slides down the long one;
# just above, the zigzag grows. Now the theorem on many random quadratics (seeded): for each,
# run 500 steps at 95% and at 105% of $2/L$.

# %%
num_problems, n = 200, 5
Qs = np.linalg.qr(rng.normal(size=(num_problems, n, n)))[0]  # random orthogonal bases
eigs = rng.uniform(0.5, 20.0, size=(num_problems, n))       # the eigenvalues, known
As = Qs @ (eigs[:, :, None] * np.swapaxes(Qs, 1, 2))
L = eigs.max(axis=1)
for factor in (0.95, 1.05):
    lr = factor * 2 / L
    x = rng.normal(size=(num_problems, n))
    start = np.linalg.norm(x, axis=1)
    for _ in range(500):
        x = x - lr[:, None] * np.einsum("pij,pj->pi", As, x)
    ratio = np.linalg.norm(x, axis=1) / start
    print(f"lr = {factor} * 2/L: {np.mean(ratio < 1e-6):.0%} converged, "
          f"{np.mean(ratio > 1e6):.0%} diverged")

# %% [markdown]
# ### 3.3 The local-minimum trap, and two ways out
# Plain descent on $x^4 - 2x^2 + x$ from $x_0 = 2$ stops in the local minimum. Two changes can
# carry it over the bump: **noise** in the gradient (as in stochastic gradient descent), here
# shrinking to zero over the run, and **momentum**, the heavy ball
# $v \leftarrow \beta v + f'(x)$, $x \leftarrow x - \eta v$ (PyTorch's convention; Day 6).

# %%
num_steps, lr = 2000, 0.01
x_plain = 2.0
x_momentum, v = 2.0, 0.0
x_momentum_big, v_big = 2.0, 0.0  # the same ball with three times the step
x_noisy = np.full(200, 2.0)  # 200 independent noisy runs at once
for k in range(num_steps):
    x_plain -= lr * df_quartic(x_plain)
    v = 0.9 * v + df_quartic(x_momentum)
    x_momentum -= lr * v
    v_big = 0.9 * v_big + df_quartic(x_momentum_big)
    x_momentum_big -= 3 * lr * v_big
    sigma = 8.0 * (1 - k / num_steps)
    x_noisy -= lr * (df_quartic(x_noisy) + sigma * rng.normal(size=x_noisy.shape))
print(f"plain descent ends at     x = {x_plain:.4f}")
print(f"momentum (beta 0.9) ends at x = {x_momentum:.4f}")
print(f"momentum, lr x 3, ends at   x = {x_momentum_big:.4f}")
print(f"noisy descent: {np.mean(x_noisy < crit[1]):.0%} of 200 runs end left of the bump, "
      f"in the global minimum's basin")

# %% [markdown]
# Neither is a guarantee: the same momentum with a larger step stops on the wrong side, and
# noise that never shrinks keeps the ball moving. They change the odds, not the landscape.
#
# ### 3.4 Escaping a saddle point
# $f(x, y) = x^2 + \tfrac14 y^4 - \tfrac12 y^2$ has a saddle at the origin (Hessian
# $\mathrm{diag}(2, -1)$) and minima at $(0, \pm 1)$. Started exactly on the $x$-axis, descent
# never sees the downhill direction $y$; a perturbation of $10^{-6}$ is enough, because near the
# saddle $y$ grows by a factor $1 + \eta$ per step.

# %%
grad_saddle = lambda p: np.array([2 * p[0], p[1] ** 3 - p[1]])
f_saddle = lambda X, Y: X**2 + Y**4 / 4 - Y**2 / 2
ax = None
for y0, color in [(0.0, "tab:blue"), (1e-6, "tab:red")]:
    p = np.array([1.5, y0])
    path = [p]
    for _ in range(200):
        p = p - 0.1 * grad_saddle(p)
        path.append(p)
    print(f"start y0 = {y0:g}: ends at {path[-1]}, |grad| = {np.linalg.norm(grad_saddle(p)):.1e}")
    ax = plot_contour_path(f_saddle, np.array(path), ax=ax, label=f"y0 = {y0:g}", color=color,
                           xlim=(-1.6, 1.6), ylim=(-1.4, 1.4))
plt.show()

# %% [markdown]
# Both runs end with a tiny gradient; only one is at a minimum. A small gradient says
# "flat here", not "done".
#
# ### 3.5 Newton against gradient descent
# In 1-D the Newton step is $x - f'(x)/f''(x)$. On a quadratic it is exact in one step:

# %%
f_q, df_q, d2f_q = (lambda x: 3 * (x - 2) ** 2 + 1), (lambda x: 6 * (x - 2)), (lambda x: 6.0)
for x0 in (-7.0, 0.5, 40.0):
    print(f"x0 = {x0:5}: one Newton step -> {x0 - df_q(x0) / d2f_q(x0)}")

# %% [markdown]
# On the quartic, from $x_0 = -2$, both methods head for the global minimum. The table shows
# the error $|x_k - x^\ast|$ and the ratios that define the two rates.

# %%
x_min = crit[0]
for _ in range(3):  # polish the root of the cubic to machine precision
    x_min -= df_quartic(x_min) / d2f_quartic(x_min)
x_newton = x_gd = -2.0
errors = []
for k in range(8):
    errors.append((abs(x_newton - x_min), abs(x_gd - x_min)))
    x_newton -= df_quartic(x_newton) / d2f_quartic(x_newton)
    x_gd -= 0.05 * df_quartic(x_gd)
print(" k   Newton error   e_k/e_(k-1)^2    GD error   e_k/e_(k-1)")
for k, (en, eg) in enumerate(errors):
    quad = en / errors[k - 1][0] ** 2 if k and en > 0 else float("nan")
    lin = eg / errors[k - 1][1] if k else float("nan")
    print(f"{k:2d}   {en:12.3e}   {quad:13.3f}   {eg:9.3e}   {lin:9.3f}")
print(f"GD's predicted ratio |1 - lr f''(x*)| = {abs(1 - 0.05 * d2f_quartic(x_min)):.3f}")

# %% [markdown]
# Newton's digits double each step until round-off; descent gains a fixed fraction per step.
# Two catches. Newton heads for *any* critical point: started at $0.35$ it climbs to the local
# maximum. And at scale it is unaffordable, as the cost printed below shows.

# %%
x = 0.35
for _ in range(20):
    x -= df_quartic(x) / d2f_quartic(x)
print(f"Newton from 0.35 converges to {x:.5f}, where f'' = {d2f_quartic(x):.3f} < 0 (a maximum)")
for num_params in (1e3, 1e6, 1e9):
    hessian_bytes = num_params**2 * 4  # float32 entries
    print(f"n = {num_params:.0e}: Hessian {hessian_bytes / 1e9:.1e} GB, "
          f"solve ~ {num_params**3 / 3:.1e} flops per step")

# %% [markdown]
# A network with $10^9$ weights would need a Hessian of $n^2$ entries and an $O(n^3)$ solve
# each step. Practical second-order ideas keep only a cheap piece of curvature
# (Hessian-vector products, block or Kronecker-factored approximations). Adam's per-weight
# scaling uses squared *gradients*, not the Hessian (Day 6).
#
# ### 3.6 A 3-D loss surface: linear regression in $(w, b)$
# Fit $\hat y = w x + b$ by mean squared error $\mathcal{L}(w, b) = \frac1N \sum_i (w x_i + b - y_i)^2$.
# By hand: with residuals $r_i = w x_i + b - y_i$,
# $\partial \mathcal{L}/\partial w = \frac2N \sum_i r_i x_i$ and
# $\partial \mathcal{L}/\partial b = \frac2N \sum_i r_i$. The Hessian,
# $2\begin{pmatrix}\overline{x^2} & \bar x \\ \bar x & 1\end{pmatrix}$, does not depend on
# $(w, b)$ and is positive semidefinite, so this loss is a convex bowl.

# %%
from mpl_toolkits.mplot3d import Axes3D  # noqa: F401  (registers the 3-D projection)

x_data = rng.uniform(-1, 1, size=30)
y_data = 2.0 * x_data + 1.0 + 0.2 * rng.normal(size=30)

def mse(w, b):
    return np.mean((np.multiply.outer(w, x_data) + np.asarray(b)[..., None] - y_data) ** 2, axis=-1)

wb = np.array([-2.0, -1.5])
path = [wb]
for _ in range(40):
    r = wb[0] * x_data + wb[1] - y_data
    wb = wb - 0.3 * np.array([2 * np.mean(r * x_data), 2 * np.mean(r)])
    path.append(wb)
path = np.array(path)
H_mse = 2 * np.array([[np.mean(x_data**2), np.mean(x_data)], [np.mean(x_data), 1.0]])
print("Hessian eigenvalues:", np.linalg.eigvalsh(H_mse), " final (w, b):", path[-1])

W, B = np.meshgrid(np.linspace(-3, 5, 60), np.linspace(-2.5, 3.5, 60))
fig = plt.figure(figsize=(6, 4))
ax = fig.add_subplot(projection="3d")
ax.plot_surface(W, B, mse(W, B), cmap="viridis", alpha=0.6, linewidth=0)
ax.plot(path[:, 0], path[:, 1], mse(path[:, 0], path[:, 1]), ".-", color="tab:red", zorder=5)
ax.set_xlabel("w")
ax.set_ylabel("b")
ax.set_zlabel("loss")
plt.show()

# %% [markdown]
# ## 4. The frameworks: the same loop in PyTorch and TensorFlow
# One quadratic, $f(x) = \tfrac12 x^\top A x - b^\top x$, one start, one learning rate, 15 steps,
# five ways. Our NumPy loop is the reference; the others must agree **in code**.

# %%
import os
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # quiet start-up note; tensors here are tiny
import torch
import tensorflow as tf

A = np.array([[3.0, 1.0], [1.0, 2.0]])
b = np.array([1.0, -1.0])
x0, lr, num_steps = np.array([2.0, -3.0]), 0.2, 15

x, traj_numpy = x0.copy(), [x0.copy()]
for _ in range(num_steps):
    x = x - lr * (A @ x - b)
    traj_numpy.append(x)
traj_numpy = np.array(traj_numpy)

# %% [markdown]
# PyTorch, by hand: autograd fills `x.grad`; the update must not be recorded by autograd
# (`torch.no_grad()`), and the gradient must be zeroed, since `backward()` *adds* to `x.grad`.

# %%
A_t, b_t = torch.tensor(A), torch.tensor(b)
f_torch = lambda x: 0.5 * x @ A_t @ x - b_t @ x

x = torch.tensor(x0, requires_grad=True)
traj = [x.detach().numpy().copy()]
for _ in range(num_steps):
    f_torch(x).backward()
    with torch.no_grad():
        x -= lr * x.grad
    x.grad.zero_()
    traj.append(x.detach().numpy().copy())
np.testing.assert_allclose(np.array(traj), traj_numpy, rtol=1e-12)

x = torch.tensor(x0, requires_grad=True)
optimizer = torch.optim.SGD([x], lr=lr)
traj = [x.detach().numpy().copy()]
for _ in range(num_steps):
    optimizer.zero_grad()
    f_torch(x).backward()
    optimizer.step()  # x <- x - lr * x.grad
    traj.append(x.detach().numpy().copy())
np.testing.assert_allclose(np.array(traj), traj_numpy, rtol=1e-12)
print("PyTorch (manual and torch.optim.SGD) equal to NumPy")

# %% [markdown]
# TensorFlow: a `tf.Variable`, a `GradientTape` that records $f$, then `assign_sub` or a Keras
# optimizer. Keras keeps the learning rate as a float32 variable, so in float64 it agrees to
# float32 precision of the rate, not bit for bit; the gap is printed below.

# %%
A_tf, b_tf = tf.constant(A), tf.constant(b)
f_tf = lambda x: 0.5 * tf.tensordot(x, tf.linalg.matvec(A_tf, x), 1) - tf.tensordot(b_tf, x, 1)

x = tf.Variable(x0)
traj = [x.numpy().copy()]
for _ in range(num_steps):
    with tf.GradientTape() as tape:
        loss = f_tf(x)
    x.assign_sub(lr * tape.gradient(loss, x))
    traj.append(x.numpy().copy())
np.testing.assert_allclose(np.array(traj), traj_numpy, rtol=1e-12)

x = tf.Variable(x0)
optimizer = tf.keras.optimizers.SGD(learning_rate=lr)
traj = [x.numpy().copy()]
for _ in range(num_steps):
    with tf.GradientTape() as tape:
        loss = f_tf(x)
    optimizer.apply_gradients([(tape.gradient(loss, x), x)])
    traj.append(x.numpy().copy())
np.testing.assert_allclose(np.array(traj), traj_numpy, rtol=1e-6)
print("TensorFlow (assign_sub and keras SGD) equal to NumPy; largest keras relative gap:",
      f"{np.max(np.abs(np.array(traj) - traj_numpy) / np.abs(traj_numpy)):.1e}")

# %% [markdown]
# ## 5. Explore
# Move the learning rate across $2/L$ on $x^2$ ($L = 2$) and watch monotone descent turn
# into a zigzag, then into divergence. On $x^4 - 2x^2 + x$, move the start across the bump and
# find a learning rate large enough to jump it but not so large that the run blows up (the
# curvature near $x = \pm 2$ is much larger than at the minima). The right panel shows the gap
# $f(x_k) - \min f$: a straight falling line is linear convergence; a flat one, a trap.

# %%
# %matplotlib widget
from calcopt.widgets.descent import DescentExplorer

DescentExplorer(function="x²", lr=0.1, x0=1.5, num_steps=30)

# %% [markdown]
# ## 6. Exercises
# Each exercise is one function; the cell after it checks it. Read the docstring: it fixes the
# shapes and dtypes the checks expect.
#
# ### Exercise 1: gradient descent (3 points)

# %% nbgrader={"grade_id": "gradient_descent", "solution": true}
def gradient_descent(grad, x0, lr, num_steps):
    """Run num_steps of gradient descent x_{k+1} = x_k - lr * grad(x_k) from x0.

    grad: function from a point to its gradient (same shape as the point).
    x0: a number (int or float), or a 1-D NumPy array of shape (n,). It is not modified.
    lr: float, the learning rate. num_steps: int >= 0.
    Returns the trajectory, x0 first, as a NumPy array:
      - shape (num_steps + 1,) when x0 is a number; shape (num_steps + 1, n) for an array;
      - dtype float32 when x0 is a float32 array, float64 otherwise.
    """
    ### BEGIN SOLUTION
    scalar = np.ndim(x0) == 0
    dtype = np.float32 if (not scalar and np.asarray(x0).dtype == np.float32) else np.float64
    x = np.array(x0, dtype=dtype)
    traj = np.empty((num_steps + 1,) + x.shape, dtype=dtype)
    traj[0] = x
    for k in range(num_steps):
        traj[k + 1] = traj[k] - lr * np.asarray(grad(traj[k]))
    return traj
    ### END SOLUTION

# %% nbgrader={"grade_id": "gradient_descent_tests", "grade": true, "points": 3}
traj = gradient_descent(lambda x: 2 * x, 10.0, 1.1, 3)
check_type("gradient_descent(x^2 from 10)", traj, np.ndarray)
check_close("gradient_descent(x^2 from 10, lr 1.1, 3 steps)", traj, np.array([10.0, -12.0, 14.4, -17.28]))
traj = gradient_descent(lambda x: np.array([2.0, 20.0]) * x, np.array([1.0, 1.0]), 0.05, 2)
check_close("gradient_descent(x^2 + 10y^2 from (1, 1))", traj, np.array([[1.0, 1.0], [0.9, 0.0], [0.81, 0.0]]), atol=1e-15)
print("gradient_descent: visible checks passed")
### BEGIN HIDDEN TESTS
_dq = lambda x: 4 * x**3 - 4 * x + 1  # the quartic's derivative

def _ref_gd(grad, x0, lr, num_steps):
    scalar = np.ndim(x0) == 0
    dtype = np.float32 if (not scalar and np.asarray(x0).dtype == np.float32) else np.float64
    out = np.empty((num_steps + 1,) + np.shape(x0), dtype=dtype)
    out[0] = x0
    for k in range(num_steps):
        out[k + 1] = out[k] - lr * np.asarray(grad(out[k]))
    return out

_rng = np.random.default_rng(301)
for _trial in range(20):
    _n = int(_rng.integers(1, 6))
    _lam = _rng.uniform(0.1, 5.0, size=_n)
    _x0 = _rng.normal(scale=3.0, size=_n)
    _lr = float(_rng.uniform(0.01, 1.9 / _lam.max()))
    _steps = int(_rng.integers(0, 30))
    _got = gradient_descent(lambda x, lam=_lam: lam * x, _x0.copy(), _lr, _steps)
    _closed = _x0 * (1 - _lr * _lam) ** np.arange(_steps + 1)[:, None]  # closed form
    check_close(f"gradient_descent(trial {_trial})", _got, _closed, rtol=1e-9, atol=1e-12, dtype=np.float64)
# zero steps, a scalar, a negative start, an int start
check_close("gradient_descent(0 steps)", gradient_descent(lambda x: 2 * x, np.array([1.0, 2.0]), 0.1, 0), np.array([[1.0, 2.0]]))
check_close("gradient_descent(scalar, 0 steps)", gradient_descent(lambda x: 2 * x, 3.0, 0.1, 0), np.array([3.0]))
check_close("gradient_descent(negative start)", gradient_descent(_dq, -2.0, 0.01, 25), _ref_gd(_dq, -2.0, 0.01, 25), rtol=1e-12)
check_close("gradient_descent(int start)", gradient_descent(lambda x: 2 * x, 5, 0.25, 4), 5.0 * 0.5 ** np.arange(5), dtype=np.float64)
# n = 1 keeps its axis; large values; a non-quadratic gradient
check_close("gradient_descent(n = 1)", gradient_descent(lambda x: 2 * x, np.array([4.0]), 0.25, 3), np.array([[4.0], [2.0], [1.0], [0.5]]))
check_close("gradient_descent(large)", gradient_descent(lambda x: 2 * x, np.array([1e150, -3e150]), 0.1, 5), np.array([1e150, -3e150]) * 0.8 ** np.arange(6)[:, None], rtol=1e-12)
_grad = lambda x: np.sin(x) + 0.1 * x**3
_x0 = _rng.normal(size=4)
check_close("gradient_descent(sin + cubic)", gradient_descent(_grad, _x0, 0.1, 12), _ref_gd(_grad, _x0, 0.1, 12), rtol=1e-12)
# float32 in, float32 out; float64 start not modified in place
_x32 = np.array([1.5, -0.5], dtype=np.float32)
check_close("gradient_descent(float32)", gradient_descent(lambda x: 2 * x, _x32, 0.1, 10), _ref_gd(lambda x: 2 * x, _x32, 0.1, 10), rtol=1e-5, dtype=np.float32)
_x0 = np.array([1.0, -2.0, 3.0])
gradient_descent(lambda x: 2 * x, _x0, 0.1, 5)
check_close("gradient_descent must not modify x0", _x0, np.array([1.0, -2.0, 3.0]))
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2: classify a critical point (2 points)

# %% nbgrader={"grade_id": "classify_critical_point", "solution": true}
def classify_critical_point(hessian, tol=1e-8):
    """Classify a critical point from its Hessian, by the signs of the eigenvalues.

    hessian: symmetric NumPy array of shape (n, n), float32 or float64 (work in float64).
    tol: an eigenvalue with |lambda| <= tol counts as zero.
    Returns a str: "minimum" (all eigenvalues > tol), "maximum" (all < -tol), "saddle"
    (at least one > tol and one < -tol), otherwise "degenerate".
    """
    ### BEGIN SOLUTION
    eigenvalues = np.linalg.eigvalsh(np.asarray(hessian, dtype=np.float64))
    positive, negative = np.any(eigenvalues > tol), np.any(eigenvalues < -tol)
    if positive and negative:
        return "saddle"
    if np.all(eigenvalues > tol):
        return "minimum"
    if np.all(eigenvalues < -tol):
        return "maximum"
    return "degenerate"
    ### END SOLUTION

# %% nbgrader={"grade_id": "classify_critical_point_tests", "grade": true, "points": 2}
def check_label(name, got, expected):
    check_type(name, got, str)
    check_true(name, got == expected, f"expected {expected!r}, got {got!r}")

for _H, _label in [(np.diag([2.0, 3.0]), "minimum"), (np.diag([-1.0, -2.0]), "maximum"),
                   (np.diag([1.0, -1.0]), "saddle"), (np.diag([2.0, 0.0]), "degenerate")]:
    check_label(f"classify_critical_point({_H.tolist()})", classify_critical_point(_H), _label)
print("classify_critical_point: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(302)
def _rotated(eigenvalues, dtype=np.float64):
    q = np.linalg.qr(_rng.normal(size=(len(eigenvalues), len(eigenvalues))))[0]
    h = q @ np.diag(eigenvalues) @ q.T
    return ((h + h.T) / 2).astype(dtype)

def _ref_label(eigenvalues, tol=1e-8):
    e = np.asarray(eigenvalues, dtype=float)
    if (e > tol).any() and (e < -tol).any():
        return "saddle"
    if (e > tol).all():
        return "minimum"
    if (e < -tol).all():
        return "maximum"
    return "degenerate"

for _trial in range(30):
    _n = int(_rng.integers(1, 7))
    _e = _rng.uniform(0.1, 10.0, size=_n) * _rng.choice([-1.0, 1.0, 1.0], size=_n)
    if _trial % 5 == 0:
        _e[0] = 0.0
    check_label(f"classify_critical_point(trial {_trial}, eigenvalues {np.round(_e, 2).tolist()})",
                classify_critical_point(_rotated(_e)), _ref_label(_e))
check_label("classify_critical_point([[5]])", classify_critical_point(np.array([[5.0]])), "minimum")
check_label("classify_critical_point([[-3]])", classify_critical_point(np.array([[-3.0]])), "maximum")
check_label("classify_critical_point([[0]])", classify_critical_point(np.array([[0.0]])), "degenerate")
check_label("classify_critical_point(zeros 3x3)", classify_critical_point(np.zeros((3, 3))), "degenerate")
check_label("classify_critical_point([[2, 3], [3, 2]])", classify_critical_point(np.array([[2.0, 3.0], [3.0, 2.0]])), "saddle")
check_label("classify_critical_point(eig 1, -1, 0)", classify_critical_point(_rotated([1.0, -1.0, 0.0])), "saddle")
check_label("classify_critical_point(eig -1, -2, 0)", classify_critical_point(_rotated([-1.0, -2.0, 0.0])), "degenerate")
check_label("classify_critical_point(eig 1e-12, 1)", classify_critical_point(np.diag([1e-12, 1.0])), "degenerate")
check_label("classify_critical_point(eig -1e-3, 1)", classify_critical_point(np.diag([-1e-3, 1.0])), "saddle")
check_label("classify_critical_point(large)", classify_critical_point(_rotated([1e6, 3e5, 2e6])), "minimum")
check_label("classify_critical_point(large saddle)", classify_critical_point(_rotated([1e6, -3e5])), "saddle")
check_label("classify_critical_point(float32)", classify_critical_point(_rotated([-2.0, -0.5, -1.0], np.float32)), "maximum")
check_label("classify_critical_point(float32 degenerate)", classify_critical_point(np.diag([3.0, 0.0]).astype(np.float32)), "degenerate")
check_label("classify_critical_point(tol)", classify_critical_point(np.diag([1e-3, 1.0]), tol=1e-2), "degenerate")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3: one Newton step (2 points)

# %% nbgrader={"grade_id": "newton_step", "solution": true}
def newton_step(grad, hess, x):
    """One Newton step x - H(x)^{-1} grad(x), computed with a linear solve (no inverse).

    grad, hess: functions giving the gradient and the Hessian at a point.
    x: a float, or a 1-D NumPy array of shape (n,).
      - float x: grad(x) and hess(x) are floats; return the float x - grad(x) / hess(x).
      - array x: grad(x) has shape (n,), hess(x) shape (n, n); return an array of shape (n,).
    """
    ### BEGIN SOLUTION
    if np.ndim(x) == 0:
        return float(x - grad(x) / hess(x))
    return x - np.linalg.solve(hess(x), grad(x))
    ### END SOLUTION

# %% nbgrader={"grade_id": "newton_step_tests", "grade": true, "points": 2}
_x1 = newton_step(lambda x: 6 * (x - 2), lambda x: 6.0, 5.0)
check_type("newton_step on 3(x-2)^2 (a float)", _x1, (float, np.float64))
check_close("newton_step on 3(x-2)^2 from 5", _x1, 2.0, rtol=1e-12)
_A = np.array([[3.0, 1.0], [1.0, 2.0]])
_b = np.array([1.0, -1.0])
_x1 = newton_step(lambda x: _A @ x - _b, lambda x: _A, np.array([5.0, -7.0]))
check_close("newton_step on a 2-D quadratic lands on the minimum", _x1, np.array([0.6, -0.8]), rtol=1e-12)
print("newton_step: visible checks passed")
### BEGIN HIDDEN TESTS
_dq = lambda x: 4 * x**3 - 4 * x + 1
_d2q = lambda x: 12 * x**2 - 4
_rng = np.random.default_rng(303)
for _trial in range(20):
    _n = int(_rng.integers(1, 7))
    _q = np.linalg.qr(_rng.normal(size=(_n, _n)))[0]
    _A = _q @ np.diag(_rng.uniform(0.5, 10.0, size=_n)) @ _q.T
    _xs = _rng.normal(scale=5.0, size=_n)  # the minimiser, known by construction
    _b = _A @ _xs
    _x0 = _rng.normal(scale=10.0, size=_n)
    check_close(f"newton_step(quadratic trial {_trial}, n={_n})",
                newton_step(lambda x, A=_A, b=_b: A @ x - b, lambda x, A=_A: A, _x0), _xs, rtol=1e-8, atol=1e-9)
# a non-quadratic: f(x, y) = x^4 + x y + (1 + y)^2, reference step by the 2x2 formula
_g = lambda p: np.array([4 * p[0] ** 3 + p[1], p[0] + 2 * (1 + p[1])])
_H = lambda p: np.array([[12 * p[0] ** 2, 1.0], [1.0, 2.0]])
for _p in (np.array([1.0, -2.0]), np.array([-0.7, 0.4])):
    _h, _gg = _H(_p), _g(_p)
    _det = _h[0, 0] * _h[1, 1] - _h[0, 1] * _h[1, 0]
    _step = np.array([_h[1, 1] * _gg[0] - _h[0, 1] * _gg[1], -_h[1, 0] * _gg[0] + _h[0, 0] * _gg[1]]) / _det
    check_close(f"newton_step(x^4 + xy + (1+y)^2 at {_p.tolist()})", newton_step(_g, _H, _p), _p - _step, rtol=1e-12)
# scalars: negative start, the quartic, a maximum; n = 1; large values; float32 start
check_close("newton_step(quartic at -2)", newton_step(_dq, _d2q, -2.0), -2.0 + 23.0 / 44.0, rtol=1e-12)
check_close("newton_step(quartic at 0.35)", newton_step(_dq, _d2q, 0.35), 0.35 - _dq(0.35) / _d2q(0.35), rtol=1e-12)
check_close("newton_step(n = 1)", newton_step(lambda x: 4 * (x - 3), lambda x: np.array([[4.0]]), np.array([-8.0])), np.array([3.0]), rtol=1e-12)
check_close("newton_step(large)", newton_step(lambda x: 1e6 * (x - 1e8), lambda x: np.diag([1e6, 1e6]), np.array([-5e8, 3e8])), np.array([1e8, 1e8]), rtol=1e-10)
_A2 = np.diag([2.0, 5.0])
check_close("newton_step(float32 start)", newton_step(lambda x: _A2 @ x, lambda x: _A2, np.array([1.0, 2.0], dtype=np.float32)), np.zeros(2), atol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 4: the largest stable learning rate (1 point)

# %% nbgrader={"grade_id": "max_stable_lr", "solution": true}
def max_stable_lr(A):
    """The supremum of the learning rates for which gradient descent on f(x) = 0.5 x^T A x
    converges from every start: 2 / L, with L the largest eigenvalue of A.

    A: symmetric positive definite NumPy array of shape (n, n), float32 or float64.
    Returns a float.
    """
    ### BEGIN SOLUTION
    return float(2.0 / np.linalg.eigvalsh(np.asarray(A, dtype=np.float64)).max())
    ### END SOLUTION

# %% nbgrader={"grade_id": "max_stable_lr_tests", "grade": true, "points": 1}
_lr = max_stable_lr(np.diag([1.0, 10.0]))
check_type("max_stable_lr(diag(1, 10))", _lr, (float, np.float64))
check_close("max_stable_lr(diag(1, 10))", _lr, 0.2, rtol=1e-12)
check_close("max_stable_lr([[2]])", max_stable_lr(np.array([[2.0]])), 1.0, rtol=1e-12)
print("max_stable_lr: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(304)
for _trial in range(20):
    _n = int(_rng.integers(1, 9))
    _e = _rng.uniform(0.1, 50.0, size=_n)
    _q = np.linalg.qr(_rng.normal(size=(_n, _n)))[0]
    _A = _q @ np.diag(_e) @ _q.T
    check_close(f"max_stable_lr(trial {_trial}, n={_n})", max_stable_lr((_A + _A.T) / 2), 2 / _e.max(), rtol=1e-9)
# not the largest diagonal entry, not the trace: [[2, 3], [3, 2]] + 2I has eigenvalues 1 and 7
check_close("max_stable_lr([[4, 3], [3, 4]])", max_stable_lr(np.array([[4.0, 3.0], [3.0, 4.0]])), 2 / 7, rtol=1e-12)
check_close("max_stable_lr(large)", max_stable_lr(np.diag([3e8, 1e3, 5e7])), 2 / 3e8, rtol=1e-12)
check_close("max_stable_lr(small)", max_stable_lr(np.diag([1e-6, 4e-6])), 5e5, rtol=1e-12)
check_close("max_stable_lr(float32)", max_stable_lr(np.array([[4.0, 3.0], [3.0, 4.0]], dtype=np.float32)), 2 / 7, rtol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 5: a constrained optimum with Lagrange multipliers (3 points)
# Minimise $\tfrac12 x^\top Q x + c^\top x$ subject to $Ax = b$. Use the conditions of §2.6.

# %% nbgrader={"grade_id": "constrained_optimum", "solution": true}
def constrained_optimum(Q, c, A, b):
    """Minimise 0.5 x^T Q x + c^T x subject to A x = b, with Lagrange multipliers.

    Q: (n, n) symmetric positive definite; c: (n,); A: (m, n) with full row rank, m <= n;
    b: (m,). All float64 NumPy arrays.
    Returns a tuple (x, lam) of float64 arrays, x of shape (n,) and lam of shape (m,), with
    Q x + c = A^T lam and A x = b (the gradient of f is lam times the constraint normals;
    the Lagrangian is f(x) - lam^T (A x - b)).
    """
    ### BEGIN SOLUTION
    n, m = Q.shape[0], A.shape[0]
    kkt = np.block([[Q, -A.T], [A, np.zeros((m, m))]])
    solution = np.linalg.solve(kkt, np.concatenate([-c, b]))
    return solution[:n], solution[n:]
    ### END SOLUTION

# %% nbgrader={"grade_id": "constrained_optimum_tests", "grade": true, "points": 3}
_result = constrained_optimum(np.diag([2.0, 4.0]), np.zeros(2), np.array([[1.0, 1.0]]), np.array([3.0]))
check_type("constrained_optimum(...) returns", _result, tuple)
check_true("constrained_optimum(...)", len(_result) == 2, "expected a tuple (x, lam)")
check_close("x* for x^2 + 2y^2 on x + y = 3", _result[0], np.array([2.0, 1.0]), rtol=1e-12)
check_close("lambda for x^2 + 2y^2 on x + y = 3", _result[1], np.array([4.0]), rtol=1e-12)
print("constrained_optimum: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(305)
def _check_co(name, Q, c, A, b, x_expected, lam_expected, rtol=1e-8, atol=1e-10):
    result = constrained_optimum(Q, c, A, b)
    check_type(name, result, tuple)
    check_true(name, len(result) == 2, "expected a tuple (x, lam)")
    check_close(f"{name}: x", result[0], x_expected, rtol=rtol, atol=atol, dtype=np.float64)
    check_close(f"{name}: lam", result[1], lam_expected, rtol=rtol, atol=atol, dtype=np.float64)

for _trial in range(20):
    _n = int(_rng.integers(2, 7))
    _m = int(_rng.integers(1, _n))
    _q = np.linalg.qr(_rng.normal(size=(_n, _n)))[0]
    _Q = _q @ np.diag(_rng.uniform(0.5, 10.0, size=_n)) @ _q.T
    _Q = (_Q + _Q.T) / 2
    _A = _rng.normal(size=(_m, _n))
    _xs, _ls = _rng.normal(size=_n), _rng.normal(size=_m)  # the answer, chosen first
    _check_co(f"constrained_optimum(trial {_trial}, n={_n}, m={_m})", _Q, _A.T @ _ls - _Q @ _xs, _A, _A @ _xs, _xs, _ls)
# n = m = 1: the constraint alone fixes x; then lam from Q x + c = a lam
_check_co("constrained_optimum(n = m = 1)", np.array([[2.0]]), np.array([1.0]), np.array([[4.0]]), np.array([-2.0]), np.array([-0.5]), np.array([0.0]))
# a negative multiplier, and the constraint passing through the unconstrained minimum (lam = 0)
_check_co("constrained_optimum(x^2 + y^2 on x + y = -2)", 2 * np.eye(2), np.zeros(2), np.array([[1.0, 1.0]]), np.array([-2.0]), np.array([-1.0, -1.0]), np.array([-2.0]))
_check_co("constrained_optimum(lam = 0)", 2 * np.eye(3), np.array([-2.0, 0.0, 0.0]), np.array([[0.0, 1.0, 0.0]]), np.array([0.0]), np.array([1.0, 0.0, 0.0]), np.array([0.0]))
# large values
_check_co("constrained_optimum(large)", 2e6 * np.eye(2), np.zeros(2), np.array([[1.0, 1.0]]), np.array([2e3]), np.array([1e3, 1e3]), np.array([2e9]), rtol=1e-9)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6: a PyTorch optimizer matching your descent (2 points)

# %% nbgrader={"grade_id": "torch_sgd_trajectory", "solution": true}
def torch_sgd_trajectory(f, x0, lr, num_steps):
    """Gradient descent on f with torch.optim.SGD (no momentum), recording every iterate.

    f: function from a torch tensor of shape (n,) to a 0-d torch tensor, written with torch ops.
    x0: 1-D NumPy array of shape (n,), float32 or float64 (not modified).
    Returns a NumPy array of shape (num_steps + 1, n), x0 first, with the dtype of x0.
    """
    ### BEGIN SOLUTION
    x = torch.tensor(x0, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    traj = [x.detach().numpy().copy()]
    for _ in range(num_steps):
        optimizer.zero_grad()
        f(x).backward()
        optimizer.step()
        traj.append(x.detach().numpy().copy())
    return np.array(traj)
    ### END SOLUTION

# %% nbgrader={"grade_id": "torch_sgd_trajectory_tests", "grade": true, "points": 2}
_traj = torch_sgd_trajectory(lambda x: (x**2).sum(), np.array([1.0, -2.0]), 0.25, 3)
check_type("torch_sgd_trajectory(...)", _traj, np.ndarray)
check_close("torch_sgd_trajectory(sum x^2, lr 0.25)", _traj, np.array([[1.0, -2.0], [0.5, -1.0], [0.25, -0.5], [0.125, -0.25]]), dtype=np.float64)
print("torch_sgd_trajectory: visible checks passed")
### BEGIN HIDDEN TESTS
_dq = lambda x: 4 * x**3 - 4 * x + 1

def _ref_gd2(grad, x0, lr, num_steps):
    out = [np.array(x0, dtype=np.float64)]
    for _ in range(num_steps):
        out.append(out[-1] - lr * grad(out[-1]))
    return np.array(out)

_rng = np.random.default_rng(306)
for _trial in range(6):
    _n = int(_rng.integers(1, 5))
    _q = np.linalg.qr(_rng.normal(size=(_n, _n)))[0]
    _Anp = _q @ np.diag(_rng.uniform(0.5, 4.0, size=_n)) @ _q.T
    _At = torch.tensor(_Anp)
    _x0 = _rng.normal(size=_n)
    _lr, _steps = float(_rng.uniform(0.01, 0.1)), int(_rng.integers(0, 15))
    _got = torch_sgd_trajectory(lambda x, At=_At: 0.5 * x @ At @ x + torch.cosh(x).sum(), _x0.copy(), _lr, _steps)
    _want = _ref_gd2(lambda x, A=_Anp: A @ x + np.sinh(x), _x0, _lr, _steps)
    check_close(f"torch_sgd_trajectory(trial {_trial})", _got, _want, rtol=1e-10, atol=1e-12, dtype=np.float64)
check_close("torch_sgd_trajectory(0 steps)", torch_sgd_trajectory(lambda x: (x**2).sum(), np.array([3.0]), 0.1, 0), np.array([[3.0]]))
check_close("torch_sgd_trajectory(n = 1, negative start)", torch_sgd_trajectory(lambda x: (x**4 - 2 * x**2 + x).sum(), np.array([-2.0]), 0.01, 10), _ref_gd2(_dq, np.array([-2.0]), 0.01, 10), rtol=1e-12)
check_close("torch_sgd_trajectory(large)", torch_sgd_trajectory(lambda x: (x**2).sum(), np.array([1e100, -1e100]), 0.1, 4), np.array([1e100, -1e100]) * 0.8 ** np.arange(5)[:, None], rtol=1e-12)
_x32 = np.array([1.5, -0.5, 2.0], dtype=np.float32)
check_close("torch_sgd_trajectory(float32)", torch_sgd_trajectory(lambda x: (x**2).sum(), _x32, 0.1, 8), _x32.astype(np.float64) * 0.8 ** np.arange(9)[:, None], rtol=1e-5, dtype=np.float32)
check_close("torch_sgd_trajectory must not modify x0", _x32, np.array([1.5, -0.5, 2.0]))
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 7: a Keras optimizer matching your descent (2 points)

# %% nbgrader={"grade_id": "keras_sgd_trajectory", "solution": true}
def keras_sgd_trajectory(f, x0, lr, num_steps):
    """Gradient descent on f with tf.keras.optimizers.SGD and tf.GradientTape.

    f: function from a tf.Variable of shape (n,) to a 0-d tensor, written with tf ops.
    x0: 1-D NumPy array of shape (n,), float32 or float64 (not modified).
    Returns a NumPy array of shape (num_steps + 1, n), x0 first, with the dtype of x0.
    (Keras stores the learning rate in float32, so a float64 run agrees with NumPy closely,
    not bit for bit; the checks allow for that.)
    """
    ### BEGIN SOLUTION
    x = tf.Variable(x0)
    optimizer = tf.keras.optimizers.SGD(learning_rate=lr)
    traj = [x.numpy().copy()]
    for _ in range(num_steps):
        with tf.GradientTape() as tape:
            loss = f(x)
        optimizer.apply_gradients([(tape.gradient(loss, x), x)])
        traj.append(x.numpy().copy())
    return np.array(traj)
    ### END SOLUTION

# %% nbgrader={"grade_id": "keras_sgd_trajectory_tests", "grade": true, "points": 2}
_traj = keras_sgd_trajectory(lambda x: tf.reduce_sum(x**2), np.array([1.0, -2.0]), 0.25, 3)
check_type("keras_sgd_trajectory(...)", _traj, np.ndarray)
check_close("keras_sgd_trajectory(sum x^2, lr 0.25)", _traj, np.array([[1.0, -2.0], [0.5, -1.0], [0.25, -0.5], [0.125, -0.25]]), dtype=np.float64)
print("keras_sgd_trajectory: visible checks passed")
### BEGIN HIDDEN TESTS
_dq = lambda x: 4 * x**3 - 4 * x + 1

def _ref_gd3(grad, x0, lr, num_steps):
    out = [np.array(x0, dtype=np.float64)]
    for _ in range(num_steps):
        out.append(out[-1] - lr * grad(out[-1]))
    return np.array(out)

_rng = np.random.default_rng(307)
for _trial in range(5):
    _n = int(_rng.integers(1, 5))
    _q = np.linalg.qr(_rng.normal(size=(_n, _n)))[0]
    _Anp = _q @ np.diag(_rng.uniform(0.5, 4.0, size=_n)) @ _q.T
    _x0 = _rng.normal(size=_n)
    _lr, _steps = float(_rng.uniform(0.01, 0.1)), int(_rng.integers(0, 12))
    _f = lambda x, A=tf.constant(_Anp): 0.5 * tf.tensordot(x, tf.linalg.matvec(A, x), 1) + tf.reduce_sum(tf.cosh(x))
    _want = _ref_gd3(lambda x, A=_Anp: A @ x + np.sinh(x), _x0, _lr, _steps)
    check_close(f"keras_sgd_trajectory(trial {_trial})", keras_sgd_trajectory(_f, _x0.copy(), _lr, _steps), _want, rtol=1e-6, atol=1e-9, dtype=np.float64)
check_close("keras_sgd_trajectory(0 steps)", keras_sgd_trajectory(lambda x: tf.reduce_sum(x**2), np.array([3.0]), 0.1, 0), np.array([[3.0]]))
check_close("keras_sgd_trajectory(n = 1, negative start)", keras_sgd_trajectory(lambda x: tf.reduce_sum(x**4 - 2 * x**2 + x), np.array([-2.0]), 0.01, 10), _ref_gd3(_dq, np.array([-2.0]), 0.01, 10), rtol=1e-6)
check_close("keras_sgd_trajectory(large)", keras_sgd_trajectory(lambda x: tf.reduce_sum(x**2), np.array([1e100, -1e100]), 0.25, 4), np.array([1e100, -1e100]) * 0.5 ** np.arange(5)[:, None], rtol=1e-12)
_x32 = np.array([1.5, -0.5, 2.0], dtype=np.float32)
check_close("keras_sgd_trajectory(float32)", keras_sgd_trajectory(lambda x: tf.reduce_sum(x**2), _x32, 0.1, 8), _x32.astype(np.float64) * 0.8 ** np.arange(9)[:, None], rtol=1e-5, dtype=np.float32)
check_close("keras_sgd_trajectory must not modify x0", _x32, np.array([1.5, -0.5, 2.0]))
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Pitfalls and misconceptions
#
# **"The learning rate should be 0.01."** There is no universal value: the stable range is
# $(0, 2/L)$ and $L$ depends on the problem and on the scale of the data. The same 0.01 for
# 100 steps on $500x^2$ ($L = 1000$) and on $0.0005x^2$ ($L = 0.001$):

# %%
for a in (500.0, 0.0005):
    x = 1.0
    for _ in range(100):
        x -= 0.01 * 2 * a * x
    print(f"f = {a} x^2: 2/L = {2 / (2 * a):g}, after 100 steps of lr 0.01 x = {x:.4g}")

# %% [markdown]
# One blows up, the other has barely moved. Estimate the curvature (or run a learning-rate
# range test, Day 7) instead of copying a number.
#
# **"A zero gradient means a minimum."** $x^3$ has $f'(0) = 0$ and no minimum there;
# $x^2 - y^2$ has a saddle; §3.4 showed descent parked on one, its gradient all but zero.
#
# **"Convex means one minimiser."** Convex guarantees every local minimum is global, not that
# it is unique. $f(x) = \max(|x| - 1, 0)^2$ is convex with a flat bottom: descent ends at a
# different minimiser from each start, all with $f = 0$. Strict convexity gives uniqueness,
# and strictly convex does not need $f'' > 0$: $x^4$ is strictly convex with $f''(0) = 0$.

# %%
df_flat = lambda x: 2 * np.sign(x) * max(abs(x) - 1, 0.0)
for x_start in (3.0, -2.5, 0.4):
    x = x_start
    for _ in range(200):
        x -= 0.1 * df_flat(x)
    print(f"from {x_start:5}: ends at x = {x: .4f}, f = {max(abs(x) - 1, 0.0) ** 2:.1e}")

# %% [markdown]
# **"Deep networks get stuck in bad local minima."** In many dimensions a critical point needs
# *every* Hessian eigenvalue positive to be a minimum. For random symmetric matrices (a toy
# model of a Hessian, not a proof about networks), the share that is positive definite falls
# fast with the dimension; most critical points of such a landscape are saddles.

# %%
# %matplotlib inline
dims, shares = range(1, 9), []
for n in dims:
    G = rng.normal(size=(20000, n, n))
    eig_min = np.linalg.eigvalsh((G + np.swapaxes(G, 1, 2)) / 2)[:, 0]
    shares.append(np.mean(eig_min > 0))
    print(f"n = {n}: {shares[-1]:.4f} of random symmetric matrices are positive definite")
fig, ax = plt.subplots(figsize=(5, 3))
ax.semilogy(dims, np.maximum(shares, 1 / 20000), "o-")
ax.set_xlabel("dimension n")
ax.set_ylabel("share positive definite")
plt.show()

# %% [markdown]
# **"`backward()` computes the gradient."** It *adds* it to `.grad`. Forget `zero_grad()` and
# the step uses the sum of all past gradients:

# %%
x = torch.tensor(x0, requires_grad=True)
for _ in range(3):
    f_torch(x).backward()
    with torch.no_grad():
        x -= lr * x.grad  # no x.grad.zero_(): gradients pile up
print("without zero_grad:", x.detach().numpy(), " with it:", traj_numpy[3])

# %% [markdown]
# **"Newton's method is always better."** It converges fast near a minimum, but it is drawn to
# maxima and saddles too (§3.5) and costs $O(n^3)$ per step; damping, line searches and trust
# regions are what make it usable.
#
# ## 8. Interview corner
#
# **Mid.** Gradient descent on $f(x) = x^2$ from $x_0 = 10$ with $\eta = 1.1$: what happens?
# <details><summary>Answer</summary>
# Each step multiplies $x$ by $1 - 2\eta = -1.2$: $10 \to -12 \to 14.4 \to -17.28$, growing
# with alternating sign. The stable range is $0 < \eta < 2/L = 1$; $\eta = 0.5$ reaches the
# minimum in one step.
# </details>
#
# **Mid.** The gradient is zero at a point. Is it a minimum? How do you tell?
# <details><summary>Answer</summary>
# Not necessarily: it may be a maximum or a saddle. Look at the Hessian's eigenvalues: all
# positive, a strict local minimum; all negative, a maximum; mixed signs, a saddle; a zero
# eigenvalue with the rest of one sign, the test is inconclusive ($x^2 + y^4$ against
# $x^2 + y^3$). If the function is convex, any critical point is a global minimum.
# </details>
#
# **Mid.** Why is linear regression's squared loss convex in $(w, b)$ while a two-layer
# network's is not?
# <details><summary>Answer</summary>
# The prediction is linear in $(w, b)$, so the loss is a convex quadratic with Hessian
# $\tfrac2N X^\top X \succeq 0$. In a network the weights multiply each other; swapping two hidden
# units gives the same loss, so there are several separate minima, and a convex function's
# minimisers form one convex set: the midpoint of two swapped solutions is usually worse.
# </details>
#
# **Senior.** Prove that gradient descent on a positive definite quadratic converges iff
# $0 < \eta < 2/L$. Which fixed $\eta$ is fastest?
# <details><summary>Answer</summary>
# $x_{k+1} - x^\ast = (I - \eta A)(x_k - x^\ast)$; in $A$'s eigenbasis each component scales by
# $1 - \eta\lambda_i$, so convergence from every start needs $|1 - \eta\lambda_i| < 1$ for all
# $i$, i.e. $0 < \eta < 2/\lambda_{\max}$. The rate is $\max_i |1 - \eta\lambda_i|$, minimised
# when $1 - \eta\mu = -(1 - \eta L)$: $\eta = 2/(L + \mu)$, rate $(\kappa - 1)/(\kappa + 1)$.
# </details>
#
# **Senior.** Are saddle points a problem for gradient descent?
# <details><summary>Answer</summary>
# Exactly on the stable manifold of a strict saddle, descent converges to it (§3.4); from a
# random start that set has measure zero, and noise or a small perturbation escapes. The
# practical cost is time: near the saddle the escaping component grows only by
# $1 + \eta|\lambda_{\min}|$ per step, so flat saddles cause long plateaus. Perturbed gradient
# descent escapes in a number of steps polylogarithmic in the dimension (Jin et al., 2017).
# </details>
#
# **Senior.** Newton against gradient descent: convergence, cost and failure modes.
# <details><summary>Answer</summary>
# Newton is quadratically convergent near a nondegenerate minimum and affine-invariant (no
# learning rate to tune on a quadratic); descent is linear with rate set by $\kappa$. Newton
# needs the Hessian ($n^2$ memory) and a solve ($O(n^3)$), and with an indefinite Hessian it
# steps toward saddles and maxima; remedies are damping ($H + \lambda I$), line search, trust
# regions, or quasi-Newton (BFGS, L-BFGS) that build curvature from gradients.
# </details>
#
# **Principal.** A team proposes a second-order optimizer for a model with $10^9$ parameters.
# What do you ask, and what can work?
# <details><summary>Answer</summary>
# The exact Newton step is out ($10^{18}$ Hessian entries). Ask what they approximate and what
# it costs per step in memory, compute and communication, and compare wall-clock (and energy)
# to a target loss against a tuned AdamW or SGD with momentum baseline. What works at scale:
# Hessian-vector products (about the cost of a second backward pass) inside conjugate
# gradient, and structured preconditioners such as K-FAC or Shampoo that keep per-layer
# Kronecker factors. Adam is not one of these: its denominator is a running RMS of gradients,
# not curvature.
# </details>
#
# **Principal.** How would you choose a learning rate for a new architecture without a large
# grid search?
# <details><summary>Answer</summary>
# The stable rate is set by the curvature, so measure it: estimate the top Hessian eigenvalue
# (sharpness) by power iteration on Hessian-vector products, or run a learning-rate range test
# (one short run with a growing rate; Day 7). Full-batch training often drives the sharpness up
# to about $2/\eta$ and hovers there ("edge of stability", Cohen et al., 2021), so the rate and
# the curvature adapt to each other; warmup helps early, when the curvature is high. One range
# test costs a fraction of a grid search's compute and energy.
# </details>
#
# ## 9. Summary and further reading
#
# - Convex function: chord above the graph, $f(\mathbb{E}X) \le \mathbb{E} f(X)$, Hessian
#   positive semidefinite everywhere; then every local minimum is global.
# - At a critical point the Hessian's eigenvalues classify it: minimum, maximum, saddle, or
#   degenerate (the test is silent).
# - Gradient descent $x \leftarrow x - \eta\nabla f$ on a quadratic converges iff
#   $0 < \eta < 2/L$; the rate depends on the condition number $\kappa = L/\mu$.
# - Non-convex landscapes have local minima and saddles; noise, momentum and perturbations
#   change which basin descent ends in.
# - Newton's method: one step on a quadratic, quadratic convergence near a minimum, but an
#   $n^2$ Hessian, an $O(n^3)$ solve, and attraction to any critical point.
# - Lagrange multipliers: $\nabla f = \lambda \nabla g$ at a constrained optimum; $\lambda$ is the
#   sensitivity of the optimal value to the constraint.
#
# **Further reading.** S. Boyd and L. Vandenberghe, *Convex Optimization* (2004), chapters 2–3
# and 9–10, free online. J. Nocedal and S. Wright, *Numerical Optimization* (2006), chapters 2–3
# and 6. I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning* (2016), sections 4.3 and 8.2.
# Y. Dauphin et al., "Identifying and attacking the saddle point problem in high-dimensional
# non-convex optimization" (2014). C. Jin et al., "How to escape saddle points efficiently"
# (2017). G. Goh, "Why momentum really works", *Distill* (2017).
#
# Next: Day 4, the chain rule and backpropagation.
