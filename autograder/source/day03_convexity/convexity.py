# %% [markdown]
# # Day 3: Convexity and the optimization landscape
#
# **Learning goals.** By the end of today you can
# - tell convex sets and functions from non-convex ones: by definition, by Jensen's
#   inequality, by the Hessian test;
# - classify a critical point as a minimum, a maximum or a saddle from its Hessian;
# - write gradient descent from scratch and match it exactly with PyTorch and TensorFlow;
# - predict from the curvature which learning rates converge, oscillate or diverge;
# - get descent out of a local minimum or off a saddle with noise, momentum or a perturbation;
# - take a Newton step, and say why large networks are not trained with Newton's method;
# - solve an equality-constrained problem with a Lagrange multiplier.
#
# **Prerequisites.** Day 1 (derivatives), Day 2 (gradients, the Hessian); eigenvalues of a
# symmetric matrix; NumPy. **Time to complete.** About 4 to 5 hours: 1 h 45 min to 2 h 15 min
# to read and run, 2 h 15 min to 2 h 45 min for the exercises; half an hour to an hour more if
# eigenvalues and eigenvectors are rusty.
#
# | gradient descent | |
# |---|---|
# | what | $x_{k+1} = x_k - \eta\,\nabla f(x_k)$, with learning rate $\eta$ (`lr`) |
# | why | $-\nabla f$ is the direction of steepest descent (Day 2) |
# | when | a differentiable loss with too many parameters for a closed-form answer |
# | where | inside every `optimizer.step()` of PyTorch and Keras |
# | who | Cauchy (1847), for the orbits of celestial bodies |

# %% nbgrader={"grade_id": "setup", "locked": true}
from calcopt.checks import check_close, check_equal, check_true, check_type, expect, hidden_rng, rel_error
import numpy as np
import matplotlib.pyplot as plt
import tensorflow as tf
import torch
from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook
from mpl_toolkits.mplot3d import Axes3D  # noqa: F401  (registers the 3-D projection)

from calcopt.plots import plot_contour_path
from calcopt.widgets.descent import DescentExplorer

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
torch.manual_seed(0)
tf.random.set_seed(0)
# The optimizers' first step loads more of each framework (seconds): done once here.
_w = torch.zeros(1, requires_grad=True)
_w.sum().backward()
torch.optim.SGD([_w], lr=0.1).step()
_ = tf.keras.optimizers.SGD(0.1).apply_gradients([(tf.zeros(1), tf.Variable(tf.zeros(1)))])

# %% [markdown]
# ## 1. Intuition: a ball in a bowl, a ball on a bumpy landscape
#
# Put a ball anywhere in a bowl and it rolls to the bottom, and there is only one bottom: a
# **convex** landscape, where every point that looks lowest nearby is lowest everywhere. On
# the bumpy $f(x) = x^4 - 2x^2 + x$, a ball started on the right settles in the shallow dip and
# never learns of the deeper valley on the left. Gradient descent is that ball without
# momentum: it only feels the slope where it stands.

# %%
f_quartic = lambda x: x**4 - 2 * x**2 + x
df_quartic = lambda x: 4 * x**3 - 4 * x + 1
d2f_quartic = lambda x: 12 * x**2 - 4
crit = np.sort(np.roots([4, 0, -4, 1]).real)  # the roots of f'(x) = 4x³ - 4x + 1

xs = np.linspace(-2, 2, 300)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3))
ax1.plot(xs, xs**2, color="black")
ax1.plot([0], [0], "o", color="tab:red", markersize=10)
ax1.set_title("convex: one bottom")
ax2.plot(xs, f_quartic(xs), color="black")
ax2.plot(crit[[0, 2]], f_quartic(crit[[0, 2]]), "o", color="tab:red", markersize=10)
ax2.set_title("non-convex: a global and a local minimum")
plt.show()

# %% [markdown]
# ## 2. Theory
# ### 2.1 Convex sets and convex functions
# A set $C$ is **convex** when the segment between any two of its points stays inside:
# $x, y \in C,\ \theta \in [0, 1] \Rightarrow \theta x + (1-\theta) y \in C$. A disk is; a ring is not.

# %%
def leaves_set(radius_min, num_pairs=4000):
    """Share of random pairs in the ring radius_min <= |p| <= 1 whose random mix leaves it."""
    inside = lambda p: (radius_min <= np.linalg.norm(p, axis=-1)) & (np.linalg.norm(p, axis=-1) <= 1)
    pts = rng.uniform(-1, 1, size=(40 * num_pairs, 2))
    pts = pts[inside(pts)][: 2 * num_pairs].reshape(num_pairs, 2, 2)
    theta = rng.uniform(0, 1, size=(num_pairs, 1))
    return np.mean(~inside(theta * pts[:, 0] + (1 - theta) * pts[:, 1]))

print(f"disk: {leaves_set(0.0):.3f} of segments leave the set; ring: {leaves_set(0.5):.3f}")

# %% [markdown]
# A function is **convex** when every chord lies above its graph,
# $f(\theta x + (1-\theta) y) \le \theta f(x) + (1-\theta) f(y)$ for $\theta \in [0, 1]$;
# **strictly convex** when the inequality is strict for $x \ne y$, $0 < \theta < 1$; and
# **$\mu$-strongly convex** when $f(x) - \tfrac{\mu}{2}\|x\|^2$ is still convex. A line is convex
# but not strictly; $x^4$ is strictly but not strongly convex; $x^2$ is 2-strongly convex.
#
# **Jensen's inequality** extends the chord to any average: $f(\mathbb{E}[X]) \le \mathbb{E}[f(X)]$.
# On 1000 random variables with 50 equally likely values each (each row of `samples` below is
# one variable $X$, uniform over its 50 values), the smallest gap
# $\mathbb{E}[f(X)] - f(\mathbb{E}[X])$ is never negative for a convex $f$; the quartic breaks it.

# %%
samples = rng.normal(size=(1000, 50))
for name, f in [("exp", np.exp), ("x^2", np.square), ("|x|", np.abs), ("x^4-2x^2+x", f_quartic)]:
    gap = f(samples).mean(axis=1) - f(samples.mean(axis=1))
    print(f"{name:12s} smallest E[f(X)] - f(E[X]) = {gap.min(): .4f}")

# %% [markdown]
# ### 2.2 The second-derivative and Hessian tests
# For twice-differentiable $f$: convex $\iff$ $f'' \ge 0$ everywhere (1-D) $\iff$ the Hessian
# $H(x)$ is positive semidefinite everywhere (all eigenvalues $\ge 0$, written $H \succeq 0$;
# **positive definite**, $H \succ 0$, when all are $> 0$; negative definite, $H \prec 0$, when all
# are $< 0$). At a **critical point**,
# $\nabla f(x^\ast) = 0$, the eigenvalues of the symmetric $H(x^\ast)$ decide:
#
# | eigenvalues of $H(x^\ast)$ | all $> 0$ | all $< 0$ | some $> 0$, some $< 0$ | otherwise (a zero, the rest of one sign) |
# |---|---|---|---|---|
# | the point is | a strict local minimum | a strict local maximum | a saddle | degenerate: the test cannot tell |
#
# The last column is real: $x^2 + y^4$ and $x^2 + y^3$ share the Hessian $\mathrm{diag}(2, 0)$
# at the origin; the first has a minimum there, the second does not.

# %%
hessians_at_origin = {
    "x^2 + y^2": np.diag([2.0, 2.0]), "-x^2 - y^2": np.diag([-2.0, -2.0]),
    "x^2 - y^2": np.diag([2.0, -2.0]), "x^2 + y^4": np.diag([2.0, 0.0]),
    "x^2 + y^3": np.diag([2.0, 0.0]), "x^2 + 3xy + y^2": np.array([[2.0, 3.0], [3.0, 2.0]]),
}
for name, H in hessians_at_origin.items():
    print(f"{name:16s} eigenvalues {np.linalg.eigvalsh(H)}")
print("\nthe quartic's critical points:")
for x in crit:
    print(f"x = {x: .5f}   f(x) = {f_quartic(x): .5f}   f''(x) = {d2f_quartic(x): .4f}")

# %% [markdown]
# $x^2 + 3xy + y^2$ looks like a bowl term by term, yet its eigenvalues have both signs: a
# saddle. The quartic has, left to right, the global minimum ($f'' > 0$), a local maximum
# ($f'' < 0$) and the local minimum that traps the ball ($f'' > 0$, higher $f$).
#
# ### 2.3 Gradient descent on a quadratic: why $\eta < 2/L$
# On $f(x) = \tfrac12 x^\top A x$, $A$ symmetric positive definite, the gradient is $Ax$ and
# $x_{k+1} = (I - \eta A)\,x_k$. Write $A = Q \Lambda Q^\top$, the columns $q_i$ of the orthogonal
# $Q$ its eigenvectors and $\Lambda = \mathrm{diag}(\lambda_i)$, and change variables to
# $z = Q^\top x$, the coordinates of $x$ in the eigenbasis. Then
# $z_{k+1} = Q^\top (I - \eta Q \Lambda Q^\top)\, Q z_k = (I - \eta \Lambda)\, z_k$: each coordinate is
# multiplied by $1 - \eta\lambda_i$ at each step, on its own, $z_{i,k} = (1 - \eta\lambda_i)^k z_{i,0}$.
# So descent converges from every start iff
# $$|1 - \eta \lambda_i| < 1 \ \text{for all } i \iff 0 < \eta < \frac{2}{L}, \qquad L = \lambda_{\max}(A),$$
# the **smoothness constant** (the largest curvature). On $f(x) = x^2$, $L = 2$ and the
# multiplier is $1 - 2\eta$: for $\eta < 1/2$ descent is monotone (slow when $\eta$ is tiny);
# $\eta = 1/L$ lands in one step; $1/2 < \eta < 1$ oscillates and converges; $\eta = 2/L = 1$ bounces
# between $x_0$ and $-x_0$ forever (multiplier $-1$); $\eta > 2/L$ oscillates and diverges ($\eta = 1.1$: $10 \to -12 \to 14.4 \to \dots$). The best fixed rate
# is $\eta = 2/(L + \mu)$, with $\mu = \lambda_{\min}$ (for this $f$ the strong-convexity constant
# of §2.1), contracting by $(\kappa - 1)/(\kappa + 1)$ per step, where $\kappa = L/\mu$ is the
# **condition number** of $A$.
#
# ### 2.4 Newton's method
# Take the stationary point of the local quadratic model $m(d) = f(x) + \nabla f^\top d + \tfrac12 d^\top H d$,
# where $\nabla m = \nabla f + H d = 0$: $d = -H^{-1}\nabla f$ ($H$ invertible), so
# $x_{k+1} = x_k - H(x_k)^{-1} \nabla f(x_k)$ (solve $H d = -\nabla f$; never form $H^{-1}$). When
# $H \succ 0$ that point is the model's unique minimum and $d$ is a descent direction
# ($\nabla f^\top d = -\nabla f^\top H^{-1} \nabla f < 0$ when $\nabla f \ne 0$); with $H$ indefinite
# it is a saddle of the model and $d$ may point uphill; with $H \prec 0$ it is the model's maximum
# and $d$ points uphill whenever $\nabla f \ne 0$ (§3.5); at a critical point, $d = 0$. On a
# quadratic with $H \succ 0$ the model is exact: **one step lands on the minimum** (on any
# quadratic with $H$ invertible, on its only critical point). Near a minimum with
# $H(x^\ast) \succ 0$ and a Lipschitz-continuous Hessian, started close enough, the error is
# squared up to a constant at each step, $e_{k+1} \le C e_k^2$ (quadratic convergence); descent's
# shrinks by a constant factor (linear).
#
# ### 2.5 Lagrange multipliers
# To minimise $f(x)$ subject to $g(x) = b$: at the optimum the level set of $f$ touches the
# constraint, so, where $\nabla g(x^\ast) \ne 0$, their normals are parallel (a gradient is normal
# to its function's level set, Day 2), $\nabla f(x^\ast) = \lambda \nabla g(x^\ast)$; $(x^\ast, \lambda)$
# is a stationary point of $\mathcal{L}(x, \lambda) = f(x) - \lambda (g(x) - b)$. The multiplier
# is a price: $\lambda = \mathrm{d} f^\ast / \mathrm{d} b$. (Where $x^\ast$ and $\lambda$ move smoothly
# with $b$, $f^\ast(b) = \mathcal{L}(x^\ast(b), \lambda(b); b)$, and since $\mathcal{L}$ is stationary in
# $x$ and $\lambda$ only its explicit dependence on $b$ is left: $\partial \mathcal{L}/\partial b = \lambda$.)
#
# **By hand.** Minimise $x^2 + 2y^2$ subject to $x + y = 3$: $(2x, 4y) = \lambda (1, 1)$ gives
# $x = \lambda/2$, $y = \lambda/4$, and $3\lambda/4 = 3$ gives $\lambda = 4$, $x^\ast = (2, 1)$,
# $f^\ast = 6$. With constraints $Ax = b$ ($A$ with full row rank) and
# $f(x) = \tfrac12 x^\top Q x + c^\top x$ ($Q \succ 0$, as in Exercise 5) the same conditions read
# $Qx + c = A^\top \lambda$, $Ax = b$: stacked, one linear system in $(x, \lambda)$,
# $$\begin{pmatrix} Q & -A^\top \\ A & 0 \end{pmatrix} \begin{pmatrix} x \\ \lambda \end{pmatrix}
# = \begin{pmatrix} -c \\ b \end{pmatrix}$$
# (`np.block` assembles such a matrix from its blocks). The sign of $\lambda$ comes from writing
# $\mathcal{L} = f - \lambda^\top (g - b)$; books that write $f + \lambda^\top (g - b)$ get $-\lambda$.
#
# A check that does not use the hand solution: walk along the line, $(x, y) = (t, b - t)$, with
# 1-D descent, then differentiate the best value in $b$ by central differences.

# %%
def best_on_line(b, num_steps=200, lr=0.1):
    """min of x^2 + 2y^2 on x + y = b, by descent on t where (x, y) = (t, b - t)."""
    t = 0.0
    for _ in range(num_steps):
        t -= lr * (2 * t - 4 * (b - t))  # d/dt [t^2 + 2 (b - t)^2]
    return np.array([t, b - t]), t**2 + 2 * (b - t) ** 2

x_star, f_star = best_on_line(3.0)
lam_numeric = (best_on_line(3.0 + 1e-4)[1] - best_on_line(3.0 - 1e-4)[1]) / 2e-4
grad_f = np.array([2 * x_star[0], 4 * x_star[1]])
print(f"x* = {x_star}, f* = {f_star:.10f}, df*/db = {lam_numeric:.6f}, grad f(x*) = {grad_f}")
np.testing.assert_allclose(x_star, [2.0, 1.0], rtol=1e-10)
np.testing.assert_allclose(lam_numeric, 4.0, rtol=1e-6)

X, Y = np.meshgrid(np.linspace(-1, 4, 200), np.linspace(-1.5, 3, 200))
fig, ax = plt.subplots(figsize=(5, 4))
ax.contour(X, Y, X**2 + 2 * Y**2, levels=[1, 3, f_star, 12, 20], cmap="viridis")
ax.plot([-1, 4], [4, -1], color="black", label="x + y = 3")
ax.quiver(*x_star, *(grad_f / 4), angles="xy", scale_units="xy", scale=1, color="tab:red",
          label=r"$\nabla f(x^*) = \lambda \nabla g$ (scaled)")
ax.plot(*x_star, "o", color="tab:red")
ax.set_aspect("equal")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# ## 3. Gradient descent from scratch
# ### 3.1 Pure Python, 1-D: four learning rates on $x^2$ from 10

# %%
def df_square(x):
    return 2 * x

paths = {}
for lr in (0.01, 0.3, 0.9, 1.1):
    x = 10.0
    paths[lr] = [x]
    for _ in range(40):
        x = x - lr * df_square(x)
        paths[lr].append(x)
    print(f"lr = {lr:4}:  " + " -> ".join(f"{v:.4g}" for v in paths[lr][:6]) + " ...")

fig, ax = plt.subplots(figsize=(6, 4))
for (lr, path), label in zip(paths.items(), ["too small", "right", "oscillating", "diverging"]):
    ax.semilogy(np.abs(path), ".-", label=f"lr = {lr} ({label})")
ax.set_xlabel("step k")
ax.set_ylabel("|x_k|")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# $\eta = 1.1$ gives $10 \to -12 \to 14.4$: each step overshoots the minimum by more than it
# started from. On the log scale the four regimes are four straight lines, slopes $\log|1 - 2\eta|$.
#
# ### 3.2 NumPy, 2-D: an elongated bowl on contours
# $f(x) = \tfrac12 x^\top A x$ with $A$ built from its eigenvalues $\mu = 1$, $L = 10$ and a 30°
# rotation, so $2/L = 0.2$ by construction. The vectorised loop is the scalar one with arrays.

# %%
angle = np.pi / 6
R = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
A_bowl = R @ np.diag([1.0, 10.0]) @ R.T
f_bowl = lambda X, Y: 0.5 * (A_bowl[0, 0] * X**2 + 2 * A_bowl[0, 1] * X * Y + A_bowl[1, 1] * Y**2)
ax = None
for lr, color in [(0.02, "tab:blue"), (0.1, "tab:green"), (0.19, "tab:orange")]:
    x = np.array([-1.8, 1.2])
    path = [x]
    for _ in range(30):
        x = x - lr * (A_bowl @ x)
        path.append(x)
    print(f"lr = {lr}: |x_30| = {np.linalg.norm(path[-1]):.3g}")
    ax = plot_contour_path(f_bowl, np.array(path), ax=ax, label=f"lr = {lr}", color=color)
plt.show()

# %% [markdown]
# Near $2/L$ the path zigzags across the narrow valley; too small a rate crawls along it. Now
# the theorem on 200 random quadratics (seeded, eigenvalues chosen so $L$ is known): 500
# steps at 95% and at 105% of $2/L$.

# %%
num_problems, n = 200, 5
Qs = np.linalg.qr(rng.normal(size=(num_problems, n, n)))[0]  # random orthogonal bases
eigs = rng.uniform(0.5, 20.0, size=(num_problems, n))
As = Qs @ (eigs[:, :, None] * np.swapaxes(Qs, 1, 2))
for factor in (0.95, 1.05):
    lr = factor * 2 / eigs.max(axis=1)
    x = x_start = rng.normal(size=(num_problems, n))
    for _ in range(500):
        x = x - lr[:, None] * np.einsum("pij,pj->pi", As, x)  # As[p] @ x[p] for every problem p
    ratio = np.linalg.norm(x, axis=1) / np.linalg.norm(x_start, axis=1)
    print(f"lr = {factor} * 2/L: {np.mean(ratio < 1e-6):.0%} converged, {np.mean(ratio > 1e6):.0%} diverged")

# %% [markdown]
# ### 3.3 The local-minimum trap, and two ways out
# Plain descent on the quartic from $x_0 = 2$ stops in the local minimum. **Noise** in the
# gradient (as in stochastic descent), shrinking over the run, or **momentum**, the heavy ball
# $v \leftarrow \beta v + f'(x)$, $x \leftarrow x - \eta v$ (PyTorch's convention, Day 6), can carry
# it over the bump.

# %%
num_steps, lr = 2000, 0.01
x_plain, x_mom, v, x_mom3, v3 = 2.0, 2.0, 0.0, 2.0, 0.0
x_noisy = np.full(200, 2.0)  # 200 independent noisy runs at once
for k in range(num_steps):
    x_plain -= lr * df_quartic(x_plain)
    v = 0.9 * v + df_quartic(x_mom)
    x_mom -= lr * v
    v3 = 0.9 * v3 + df_quartic(x_mom3)
    x_mom3 -= 3 * lr * v3  # the same ball, three times the step
    x_noisy -= lr * (df_quartic(x_noisy) + 8.0 * (1 - k / num_steps) * rng.normal(size=200))
print(f"plain: x = {x_plain:.4f};  momentum: x = {x_mom:.4f};  momentum, 3 x lr: x = {x_mom3:.4f}")
print(f"noisy: {np.mean(x_noisy < crit[1]):.0%} of 200 runs end in the global minimum's basin")

# %% [markdown]
# Neither is a guarantee (the larger step lands on the wrong side): they change the odds,
# not the landscape.
#
# ### 3.4 Escaping a saddle point
# $f(x, y) = x^2 + \tfrac14 y^4 - \tfrac12 y^2$ has a saddle at the origin (Hessian
# $\mathrm{diag}(2, -1)$) and minima at $(0, \pm 1)$. Started on the $x$-axis, descent never sees
# the downhill direction $y$ (the gradient's $y$-component is exactly 0 there); a nudge of $10^{-6}$
# is enough, since near the saddle $y_{k+1} \approx (1 + \eta)\,y_k$ (the Hessian's eigenvalue $-1$).

# %%
grad_saddle = lambda p: np.array([2 * p[0], p[1] ** 3 - p[1]])
f_saddle = lambda X, Y: X**2 + Y**4 / 4 - Y**2 / 2
ax = None
for y0, color, width in [(0.0, "tab:blue", 5), (1e-6, "tab:red", 1.5)]:
    p = np.array([1.5, y0])
    path = [p]
    for _ in range(200):
        p = p - 0.1 * grad_saddle(p)
        path.append(p)
    print(f"y0 = {y0:g}: ends at {p}, |grad| = {np.linalg.norm(grad_saddle(p)):.1e}")
    ax = plot_contour_path(f_saddle, np.array(path), ax=ax, label=f"y0 = {y0:g}", color=color,
                           xlim=(-1.6, 1.6), ylim=(-1.4, 1.4), linewidth=width, alpha=0.7)
plt.show()

# %% [markdown]
# Both runs end with a tiny gradient; only one is at a minimum.
#
# ### 3.5 Newton against gradient descent
# In 1-D the Newton step is $x - f'(x)/f''(x)$. On a quadratic, one step is exact; on the
# quartic from $x_0 = -2$ the table compares the errors $e_k = |x_k - x^\ast|$ and the ratios that
# define quadratic ($e_k / e_{k-1}^2$, which tends to $|f'''(x^\ast) / (2 f''(x^\ast))|$) and linear
# ($e_k / e_{k-1}$, which tends to $|1 - \eta f''(x^\ast)|$) convergence; both limits are printed below it.

# %%
f_q, df_q, d2f_q = (lambda x: 3 * (x - 2) ** 2 + 1), (lambda x: 6 * (x - 2)), (lambda x: 6.0)
print("one Newton step on 3(x - 2)^2 + 1:", [x0 - df_q(x0) / d2f_q(x0) for x0 in (-7.0, 0.5, 40.0)])

x_min = crit[0]
for _ in range(3):  # polish the root to machine precision
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
print(f"Newton's limit of e_k/e_(k-1)^2, |f'''(x*) / (2 f''(x*))| = {abs(24 * x_min / (2 * d2f_quartic(x_min))):.3f}")

# %% [markdown]
# Newton's correct digits double each step until round-off; descent gains a fixed factor. Two
# catches: Newton heads for *any* critical point (from $0.35$ it climbs to the local maximum),
# and at scale it is unaffordable.

# %%
x = 0.35
for _ in range(20):
    x -= df_quartic(x) / d2f_quartic(x)
print(f"Newton from 0.35 ends at {x:.5f}, where f'' = {d2f_quartic(x):.3f} < 0: a maximum")
for num_params in (1e3, 1e6, 1e9):
    print(f"n = {num_params:.0e}: float32 Hessian {num_params**2 * 4 / 1e9:.1e} GB, "
          f"Cholesky solve ~ {num_params**3 / 3:.1e} flops per step")

# %% [markdown]
# The Hessian has $n^2$ entries and the solve costs $O(n^3)$. Practical second-order ideas keep
# a cheap piece of the curvature (Hessian-vector products, block or Kronecker-factored
# approximations). Adam's per-weight scaling uses a running mean of squared *gradients*, not the
# Hessian's diagonal (Day 6).
#
# ### 3.6 A 3-D loss surface: linear regression in $(w, b)$
# Fit $\hat y = w x + b$ by $\mathcal{L}(w, b) = \frac1N \sum_i (w x_i + b - y_i)^2$. By hand, with
# residuals $r_i = w x_i + b - y_i$: $\partial \mathcal{L}/\partial w = \frac2N \sum_i r_i x_i$ and
# $\partial \mathcal{L}/\partial b = \frac2N \sum_i r_i$. The Hessian
# $2\begin{pmatrix}\overline{x^2} & \bar x \\ \bar x & 1\end{pmatrix}$ is constant and positive
# semidefinite, so the loss is a convex bowl.

# %%
x_data = rng.uniform(-1, 1, size=30)
y_data = 2.0 * x_data + 1.0 + 0.2 * rng.normal(size=30)
# the loss on a whole grid of (w, b) at once: np.multiply.outer(w, x_data)[..., i] = w * x_data[i]
mse = lambda w, b: np.mean((np.multiply.outer(w, x_data) + np.asarray(b)[..., None] - y_data) ** 2, axis=-1)

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
ax.set(xlabel="w", ylabel="b", zlabel="loss")
plt.show()

# %% [markdown]
# ## 4. The frameworks: the same loop in PyTorch and TensorFlow
# One quadratic $f(x) = \tfrac12 x^\top A x - b^\top x$, one start, 15 steps; the NumPy loop
# is the reference and the others must agree **in code**. Here the frameworks compute the
# gradient and we apply the update by hand; the frameworks' own optimizers,
# `torch.optim.SGD` and `tf.keras.optimizers.SGD`, are Exercises 6 and 7, checked against this
# same trajectory. In PyTorch, autograd fills `x.grad`; the update must not be recorded
# (inside `torch.no_grad()`: outside it, PyTorch refuses an in-place change of a leaf tensor that
# requires grad), and the gradient must be zeroed, because `backward()` *adds* to `x.grad`.
# To record an iterate, `x.detach().numpy().copy()`: `.numpy()` refuses a tensor that requires
# grad, hence `detach()`; the array it returns shares the tensor's memory (as `torch.from_numpy(a)`
# shares `a`'s), hence `copy()`, or the next in-place update would change the recorded iterate.

# %%
A, b = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0])
x0, lr, num_steps = np.array([2.0, -3.0]), 0.2, 15
x, traj_numpy = x0.copy(), [x0.copy()]
for _ in range(num_steps):
    x = x - lr * (A @ x - b)
    traj_numpy.append(x)
traj_numpy = np.array(traj_numpy)

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
print("PyTorch autograd, update by hand: equal to NumPy")

# %% [markdown]
# TensorFlow: a `tf.Variable`, a `GradientTape` that records $f$, then `assign_sub`.

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
print("TensorFlow GradientTape, update by hand: equal to NumPy")

# %% [markdown]
# ## 5. Explore
# On $x^2$ ($L = 2$), move the learning rate across $1/L$ and $2/L$: monotone descent turns into a
# zigzag, then into divergence. On $x^4 - 2x^2 + x$, move the start across the bump, and look for
# a rate large enough to jump it but small enough not to blow up (the curvature near
# $x = \pm 2$ is far larger than at the minima). The right panel is the gap $f(x_k) - \min f$: a
# falling straight line is linear convergence; a flat one, no progress (the trap of the local
# basin on the quartic, or the bounce at $\mathrm{lr} = 2/L$ on $x^2$).

# %%
# %matplotlib widget
DescentExplorer(function="x²", lr=0.1, x0=1.5, num_steps=30)

# %% [markdown]
# ## 6. Exercises
# One function each; the cell after it checks it. The docstring fixes the shapes and dtypes.
#
# ### Exercise 1: gradient descent (3 points)

# %% nbgrader={"grade_id": "gradient_descent", "solution": true}
def gradient_descent(grad, x0, lr, num_steps):
    """Run num_steps of gradient descent x_{k+1} = x_k - lr * grad(x_k) from x0.

    grad: function from a point to its gradient (same shape as the point).
    x0: a Python number (int or float), or a 1-D NumPy array of shape (n,); it is not modified.
    lr: float, the learning rate. num_steps: int >= 0.
    Returns the trajectory, x0 first, as a NumPy array of shape (num_steps + 1,) when x0 is
    a number and (num_steps + 1, n) when it is an array; dtype float32 when x0 is a float32
    array (even when grad returns float64 or lr is a np.float64), float64 otherwise.
    """
    ### BEGIN SOLUTION
    dtype = np.float32 if np.ndim(x0) == 1 and np.asarray(x0).dtype == np.float32 else np.float64
    traj = np.empty((num_steps + 1,) + np.shape(x0), dtype=dtype)
    traj[0] = x0
    for k in range(num_steps):
        traj[k + 1] = traj[k] - lr * np.asarray(grad(traj[k]))
    return traj
    ### END SOLUTION

# %% nbgrader={"grade_id": "gradient_descent_tests", "grade": true, "points": 3}
_traj = gradient_descent(lambda x: 2 * x, 10.0, 1.1, 3)
check_type("gradient_descent(...)", _traj, np.ndarray)
check_close("gradient_descent(x^2 from 10, lr 1.1, 3 steps)", _traj, np.array([10.0, -12.0, 14.4, -17.28]))
_traj = gradient_descent(lambda x: np.array([2.0, 20.0]) * x, np.array([1.0, 1.0]), 0.05, 2)
check_close("gradient_descent(x^2 + 10y^2 from (1, 1), lr 0.05)", _traj, np.array([[1.0, 1.0], [0.9, 0.0], [0.81, 0.0]]), atol=1e-15)
check_close("gradient_descent(x^2 from the int 5, lr 0.25): float64, not truncated", gradient_descent(lambda x: 2 * x, 5, 0.25, 2),
            np.array([5.0, 2.5, 1.25]), dtype=np.float64)
check_close("gradient_descent(x^2 from the int array [5, -3], lr 0.25)", gradient_descent(lambda x: 2 * x, np.array([5, -3]), 0.25, 1),
            np.array([[5.0, -3.0], [2.5, -1.5]]), dtype=np.float64)
_x32 = np.array([1.5, -0.5], dtype=np.float32)
_traj = gradient_descent(lambda x: 2 * x, _x32, 0.25, 1)
check_close("gradient_descent must not modify x0 (float32)", _x32, np.array([1.5, -0.5]), rtol=0.0)
check_close("gradient_descent(float32 start): float32 out", _traj, np.array([[1.5, -0.5], [0.75, -0.25]]), dtype=np.float32)
check_close("gradient_descent(float32 start, grad returning float64, lr a np.float64): still float32 out",
            gradient_descent(lambda x: np.array([2.0, 4.0]) * x, np.array([1.5, -0.5], dtype=np.float32), np.float64(0.25), 1),
            np.array([[1.5, -0.5], [0.75, 0.0]]), dtype=np.float32)
_x64 = np.array([1.0, -2.0])
gradient_descent(lambda x: 2 * x, _x64, 0.1, 2)
check_close("gradient_descent must not modify x0 (float64)", _x64, np.array([1.0, -2.0]), rtol=0.0)
check_close("gradient_descent(0 steps)", gradient_descent(lambda x: 2 * x, 3.0, 0.1, 0), np.array([3.0]))
print("gradient_descent: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = hidden_rng(301)
for _trial in range(20):  # diagonal quadratics, grad = lam * x
    _n = int(_rng.integers(1, 6))
    _lam, _x0 = _rng.uniform(0.1, 5.0, size=_n), _rng.normal(scale=3.0, size=_n)
    _lr, _steps = float(_rng.uniform(0.01, 1.9 / _lam.max())), int(_rng.integers(0, 30))
    _got = gradient_descent(lambda x, lam=_lam: lam * x, _x0.copy(), _lr, _steps)
    expect(f"gradient_descent(trial {_trial})", _got, rtol=1e-9, atol=1e-12, dtype=np.float64)
_cases = [  # (name, grad, x0, lr, num_steps)
    ("0 steps", lambda x: 2 * x, np.array([1.0, 2.0]), 0.1, 0),
    ("scalar, 0 steps", lambda x: 2 * x, 3.0, 0.1, 0),
    ("int start", lambda x: 2 * x, 5, 0.25, 4),
    ("int array start", lambda x: np.array([2.0, 6.0]) * x, np.array([7, -3]), 0.1, 4),
    ("negative start", lambda x: 2 * x, -4.0, 0.25, 2),
    ("n = 1", lambda x: 2 * x, np.array([4.0]), 0.25, 3),
    ("large", lambda x: 2 * x, np.array([1e150, -3e150]), 0.1, 5),
    ("quartic from -2", lambda x: 4 * x**3 - 4 * x + 1, -2.0, 0.01, 2),
]
for _name, _grad, _x0, _lr, _steps in _cases:
    expect(f"gradient_descent({_name})", gradient_descent(_grad, _x0, _lr, _steps), rtol=1e-9, atol=1e-12, dtype=np.float64)
_x32 = np.array([1.5, -0.5], dtype=np.float32)
expect("gradient_descent(float32)", gradient_descent(lambda x: 2 * x, _x32, 0.1, 10), rtol=1e-5, atol=1e-6, dtype=np.float32)
expect("gradient_descent must not modify x0 (float32)", _x32, rtol=0.0, atol=0.0, dtype=np.float32)
expect("gradient_descent(float32 start, grad returning float64)",
       gradient_descent(lambda x: np.array([2.0, 3.0, 4.0]) * x, np.array([1.5, -0.5, 2.0], dtype=np.float32), 0.1, 5),
       rtol=1e-5, atol=1e-6, dtype=np.float32)
expect("gradient_descent(float32 start, lr a np.float64)",
       gradient_descent(lambda x: 2 * x, np.array([1.5, -0.5], dtype=np.float32), np.float64(0.1), 5),
       rtol=1e-5, atol=1e-6, dtype=np.float32)
_x0 = np.array([1.0, -2.0, 3.0])
gradient_descent(lambda x: 2 * x, _x0, 0.1, 5)
expect("gradient_descent must not modify x0", _x0, rtol=0.0, atol=0.0, dtype=np.float64)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2: classify a critical point (2 points)

# %% nbgrader={"grade_id": "classify_critical_point", "solution": true}
def classify_critical_point(hessian, tol=1e-8):
    """Classify a critical point by the signs of its Hessian's eigenvalues.

    hessian: symmetric NumPy array of shape (n, n), float32 or float64.
    tol: an eigenvalue with |lambda| <= tol counts as zero (tol is absolute: not scaled by
        the size of the matrix or of its eigenvalues).
    Returns a str: "minimum" (all eigenvalues > tol), "maximum" (all < -tol), "saddle"
    (at least one > tol and one < -tol), otherwise "degenerate".
    """
    ### BEGIN SOLUTION
    eigenvalues = np.linalg.eigvalsh(np.asarray(hessian, dtype=np.float64))
    if np.all(eigenvalues > tol):
        return "minimum"
    if np.all(eigenvalues < -tol):
        return "maximum"
    if np.any(eigenvalues > tol) and np.any(eigenvalues < -tol):
        return "saddle"
    return "degenerate"
    ### END SOLUTION

# %% nbgrader={"grade_id": "classify_critical_point_tests", "grade": true, "points": 2}
for _H, _label in [(np.diag([2.0, 3.0]), "minimum"), (np.diag([-1.0, -2.0]), "maximum"),
                   (np.diag([1.0, -1.0]), "saddle"), (np.diag([2.0, 0.0]), "degenerate"),
                   (np.array([[2.0, 3.0], [3.0, 2.0]]), "saddle"),  # positive diagonal, eigenvalues 5 and -1
                   (np.array([[1.0, 2.0], [2.0, 4.0]]), "degenerate"),  # eigenvalues 5 and 0
                   (np.array([[-2.0, 1.0], [1.0, -2.0]], dtype=np.float32), "maximum"),
                   (np.diag([1.0, -1.0, 0.0]), "saddle"),  # a zero eigenvalue does not stop a saddle
                   (np.diag([-1.0, 0.0]), "degenerate"),  # negative and zero: the test cannot tell
                   (np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]), "saddle")]:  # eigenvalues 2, -1, -1
    check_equal(f"classify_critical_point({_H.tolist()})", classify_critical_point(_H), _label)
check_equal("classify_critical_point(diag(1e-3, 1), tol=1e-2)", classify_critical_point(np.diag([1e-3, 1.0]), tol=1e-2), "degenerate")
check_equal("classify_critical_point(diag(0.25, 1), tol=0.25): |lambda| = tol counts as zero",
            classify_critical_point(np.diag([0.25, 1.0]), tol=0.25), "degenerate")
check_equal("classify_critical_point(diag(1e-3, 1e6)): tol is absolute, not scaled by the largest eigenvalue",
            classify_critical_point(np.diag([1e-3, 1e6])), "minimum")
print("classify_critical_point: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = hidden_rng(302)
def _rotated(eigenvalues, dtype=np.float64):  # a symmetric matrix with these eigenvalues
    q = np.linalg.qr(_rng.normal(size=(len(eigenvalues), len(eigenvalues))))[0]
    h = q @ np.diag(eigenvalues) @ q.T
    return ((h + h.T) / 2).astype(dtype)

def _random_hessian(trial, n):  # eigenvalue signs mixed, or all alike every third trial; a zero every fifth
    signs = _rng.choice([-1.0, 1.0], size=n) if trial % 3 else np.full(n, _rng.choice([-1.0, 1.0]))
    e = _rng.uniform(0.1, 10.0, size=n) * signs
    if trial % 5 == 0:
        e[0] = 0.0
    return _rotated(e)

for _trial in range(30):
    _n = int(_rng.integers(1, 7))
    expect(f"classify_critical_point(trial {_trial}, n={_n})", classify_critical_point(_random_hessian(_trial, _n)))
for _name, _H in [
        ("[[5]]", np.array([[5.0]])), ("[[-3]]", np.array([[-3.0]])),
        ("[[0]]", np.array([[0.0]])), ("zeros 3x3", np.zeros((3, 3))),
        ("[[2, 3], [3, 2]]", np.array([[2.0, 3.0], [3.0, 2.0]])),
        ("rotated 3x3 with a zero eigenvalue, (i)", _rotated([1.0, -1.0, 0.0])),
        ("rotated 3x3 with a zero eigenvalue, (ii)", _rotated([-1.0, -2.0, 0.0])),
        ("diag(1e-12, 1)", np.diag([1e-12, 1.0])), ("diag(-1e-3, 1)", np.diag([-1e-3, 1.0])),
        ("large 3x3", _rotated([1e6, 3e5, 2e6])), ("large 2x2", _rotated([1e6, -3e5])),
        ("float32 3x3", _rotated([-2.0, -0.5, -1.0], np.float32)),
        ("float32 diag(3, 0)", np.diag([3.0, 0.0]).astype(np.float32))]:
    expect(f"classify_critical_point({_name})", classify_critical_point(_H))
expect("classify_critical_point(diag(1e-3, 1), tol=1e-2)", classify_critical_point(np.diag([1e-3, 1.0]), tol=1e-2))
expect("classify_critical_point(diag(-0.5, 2), tol=0.5)", classify_critical_point(np.diag([-0.5, 2.0]), tol=0.5))
expect("classify_critical_point(rotated, eigenvalues 1e6 and -1e-4)", classify_critical_point(_rotated([1e6, -1e-4])))
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3: one Newton step (2 points)

# %% nbgrader={"grade_id": "newton_step", "solution": true}
def newton_step(grad, hess, x):
    """One Newton step x - H(x)^{-1} grad(x).

    grad, hess: functions giving the gradient and the Hessian at a point.
    x: a float, or a 1-D NumPy array of shape (n,); it is not modified.
      - float x: grad(x) and hess(x) are floats; return the float x - grad(x) / hess(x).
      - array x: grad(x) has shape (n,), hess(x) shape (n, n); return an array of shape (n,).
    Advice: solve H(x) d = -grad(x) with np.linalg.solve rather than forming the inverse (§2.4).
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
_A, _b = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0])
_x = np.array([5.0, -7.0])
_x1 = newton_step(lambda x: _A @ x - _b, lambda x: _A, _x)
check_close("newton_step must not modify x", _x, np.array([5.0, -7.0]), rtol=0.0)
check_close("newton_step on a 2-D quadratic lands on the minimum", _x1, np.array([0.6, -0.8]), rtol=1e-12)
print("newton_step: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = hidden_rng(303)
for _trial in range(20):  # random quadratics 0.5 x^T A x - b^T x, from a random start
    _n = int(_rng.integers(1, 7))
    _q = np.linalg.qr(_rng.normal(size=(_n, _n)))[0]
    _A = _q @ np.diag(_rng.uniform(0.5, 10.0, size=_n)) @ _q.T
    _b = _rng.normal(scale=20.0, size=_n)
    _got = newton_step(lambda x, A=_A, b=_b: A @ x - b, lambda x, A=_A: A, _rng.normal(scale=10.0, size=_n))
    expect(f"newton_step(quadratic, trial {_trial}, n={_n})", _got, rtol=1e-8, atol=1e-9)
# f(x, y) = x^4 + x y + (1 + y)^2
_g = lambda p: np.array([4 * p[0] ** 3 + p[1], p[0] + 2 * (1 + p[1])])
_H = lambda p: np.array([[12 * p[0] ** 2, 1.0], [1.0, 2.0]])
for _p in (np.array([1.0, -2.0]), np.array([-0.7, 0.4])):
    expect(f"newton_step(x^4 + xy + (1+y)^2 at {_p.tolist()})", newton_step(_g, _H, _p), rtol=1e-9, atol=1e-12)
_dq, _d2q = (lambda x: 4 * x**3 - 4 * x + 1), (lambda x: 12 * x**2 - 4)
expect("newton_step(quartic at -2)", newton_step(_dq, _d2q, -2.0), rtol=1e-9)
expect("newton_step(quartic at 0.35)", newton_step(_dq, _d2q, 0.35), rtol=1e-9)
expect("newton_step(n = 1)", newton_step(lambda x: 4 * (x - 3), lambda x: np.array([[4.0]]), np.array([-8.0])), rtol=1e-9)
expect("newton_step(large)", newton_step(lambda x: 1e6 * (x - 1e8), lambda x: np.diag([1e6, 1e6]), np.array([-5e8, 3e8])), rtol=1e-9)
expect("newton_step(float32 start)", newton_step(lambda x: np.array([2.0, 5.0]) * x, lambda x: np.diag([2.0, 5.0]), np.array([1.0, 2.0], dtype=np.float32)), atol=1e-6)
_x = _rng.normal(size=3)
_x_before = _x.copy()
newton_step(lambda x: 2 * x, lambda x: 2 * np.eye(3), _x)
expect("newton_step must not modify x", _x - _x_before, rtol=0.0, atol=0.0, dtype=np.float64)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 4: the largest stable learning rate (1 point)

# %% nbgrader={"grade_id": "max_stable_lr", "solution": true}
def max_stable_lr(A):
    """2 / L, with L the largest eigenvalue of A: gradient descent on f(x) = 0.5 x^T A x
    converges from every start exactly when 0 < lr < max_stable_lr(A).

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
check_close("max_stable_lr([[4, 3], [3, 4]]): L = 7 is an eigenvalue, not a diagonal entry",
            max_stable_lr(np.array([[4.0, 3.0], [3.0, 4.0]])), 2 / 7, rtol=1e-12)
_lr32 = max_stable_lr(np.array([[4.0, 3.0], [3.0, 4.0]], dtype=np.float32))
check_type("max_stable_lr(float32 [[4, 3], [3, 4]]): a float, whatever the dtype of A", _lr32, (float, np.float64))
check_close("max_stable_lr(float32 [[4, 3], [3, 4]])", _lr32, 2 / 7, rtol=1e-6)
print("max_stable_lr: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = hidden_rng(304)
def _spd(n):  # a random symmetric positive definite matrix, eigenvalues in [0.1, 50]
    e = _rng.uniform(0.1, 50.0, size=n)
    q = np.linalg.qr(_rng.normal(size=(n, n)))[0]
    a = q @ np.diag(e) @ q.T
    return (a + a.T) / 2

for _trial in range(20):
    _n = int(_rng.integers(1, 9))
    expect(f"max_stable_lr(trial {_trial}, n={_n})", max_stable_lr(_spd(_n)), rtol=1e-9)
# [[4, 3], [3, 4]]: the answer is neither from the largest diagonal entry nor from the trace
expect("max_stable_lr([[4, 3], [3, 4]])", max_stable_lr(np.array([[4.0, 3.0], [3.0, 4.0]])), rtol=1e-9)
expect("max_stable_lr(large)", max_stable_lr(np.diag([3e8, 1e3, 5e7])), rtol=1e-9)
expect("max_stable_lr(small)", max_stable_lr(np.diag([1e-6, 4e-6])), rtol=1e-9)
expect("max_stable_lr(float32)", max_stable_lr(np.array([[4.0, 3.0], [3.0, 4.0]], dtype=np.float32)), rtol=1e-5)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 4b: why $2/L$, in words (written answer, 2 points, graded by hand)
# Gradient descent with a fixed learning rate on $f(x) = \tfrac12 x^\top A x$, $A$ symmetric
# positive definite with eigenvalues $\mu = \lambda_{\min} \le \dots \le \lambda_{\max} = L$.
# In about six to ten sentences, in the cell below:
# 1. why a learning rate above $2/L$ diverges from almost every start (from all starts but a set
#    of zero volume, such as a line in the plane): which starts do not?
# 2. what happens at exactly $\mathrm{lr} = 2/L$;
# 3. why the largest eigenvalue limits the step while the smallest sets the speed.
#
# *Hint:* write the update in the eigenvector basis of $A$ (§2.3).

# %% [markdown] nbgrader={"grade_id": "max_stable_lr_explained", "solution": true, "grade": true, "points": 2}
# *Model answer.* In the orthonormal eigenvector basis of $A$, $x = \sum_i z_i q_i$, the update
# $x \leftarrow x - \mathrm{lr}\,Ax$ acts on each coordinate alone:
# $z_i \leftarrow (1 - \mathrm{lr}\,\lambda_i)\, z_i$, so $z_i^{(k)} = (1 - \mathrm{lr}\,\lambda_i)^k z_i^{(0)}$.
# A coordinate shrinks exactly when $|1 - \mathrm{lr}\,\lambda_i| < 1$, that is
# $0 < \mathrm{lr} < 2/\lambda_i$, and the tightest of these conditions is the one for $\lambda_{\max} = L$.
# (1) Above $2/L$ the factor along the top eigenvector has modulus $|1 - \mathrm{lr}\,L| > 1$: that
# coordinate grows geometrically with alternating sign, from every start with $z_{\max}^{(0)} \ne 0$.
# The starts that do not diverge are exactly those with no component along any eigenvector whose
# $\lambda_i > 2/\mathrm{lr}$ (they converge if they have none along $\lambda_i = 2/\mathrm{lr}$
# either): a subspace of lower dimension that contains $x^\ast = 0$, a set of measure zero.
# (2) At exactly $2/L$ the factor is $-1$: that coordinate flips sign forever with constant size,
# while the coordinates with $\lambda_i < L$ shrink, so from every start with $P x_0 \ne 0$ ($P$ the
# orthogonal projection on the eigenvectors of $L$) the iterates approach the two-point cycle
# $\pm P x_0$, neither converging nor diverging.
# (3) The rate is the largest factor, $\max(|1 - \mathrm{lr}\,\mu|, |1 - \mathrm{lr}\,L|)$. Whatever
# stable rate is chosen, the factor along the bottom eigenvector is at least
# $1 - \mathrm{lr}\,\mu > 1 - 2\mu/L = 1 - 2/\kappa$, close to 1 when the condition number
# $\kappa = L/\mu$ is large: no fixed rate needs fewer than about $\kappa/2$ steps per factor $e$ of
# progress (about $\kappa$ at $\mathrm{lr} = 1/L$, and a factor $(\kappa - 1)/(\kappa + 1)$ per step at
# the best rate $2/(L + \mu)$, §2.3). Near $2/L$ the top coordinate is the slow one instead. $L$ caps
# the step, $\mu$ sets the pace.
#
# *For the grader* (2 points, in halves). **1** for the eigenbasis argument: each eigen-coordinate
# is multiplied by $1 - \mathrm{lr}\,\lambda_i$ at every step, so it shrinks iff
# $|1 - \mathrm{lr}\,\lambda_i| < 1$; the binding condition is $\lambda = L$; above $2/L$ the top
# coordinate grows geometrically with alternating sign unless the start has no component along it.
# "Orthogonal to the top eigenvector(s)" for the starts that do not diverge is right whenever $L$
# is the only eigenvalue above $2/\mathrm{lr}$ (a rate just above $2/L$) and costs nothing. Give ½
# of this point if one of these is missing: the eigenbasis reason for
# $|1 - \mathrm{lr}\,\lambda_i| < 1$, or the right exceptional starts; 0 if both are. **½** for
# exactly $2/L$: factor $-1$, a bounded oscillation that neither converges nor diverges. **½** for
# the speed: the bottom factor $1 - \mathrm{lr}\,\mu > 1 - 2/\kappa$ stays near 1, so $\mu$ (through
# $\kappa = L/\mu$) sets the pace. "The step is too big" without the factor
# $1 - \mathrm{lr}\,\lambda_i$ earns nothing. Do not take off for length.

# %% [markdown]
# ### Exercise 5: a constrained optimum with Lagrange multipliers (3 points)
# Minimise $\tfrac12 x^\top Q x + c^\top x$ subject to $Ax = b$, with the conditions of §2.5.

# %% nbgrader={"grade_id": "constrained_optimum", "solution": true}
def constrained_optimum(Q, c, A, b):
    """Minimise 0.5 x^T Q x + c^T x subject to A x = b, with Lagrange multipliers.

    Q: (n, n) symmetric positive definite; c: (n,); A: (m, n) with full row rank, m <= n;
    b: (m,). All float64 NumPy arrays.
    Returns a tuple (x, lam) of float64 arrays, x of shape (n,) and lam of shape (m,), with
    Q x + c = A^T lam and A x = b (the Lagrangian is f(x) - lam^T (A x - b)).
    """
    ### BEGIN SOLUTION
    n, m = Q.shape[0], A.shape[0]
    kkt = np.block([[Q, -A.T], [A, np.zeros((m, m))]])
    solution = np.linalg.solve(kkt, np.concatenate([-c, b]))
    return solution[:n], solution[n:]
    ### END SOLUTION

# %% nbgrader={"grade_id": "constrained_optimum_tests", "grade": true, "points": 3}
def check_optimum(name, result, x_want, lam_want, rtol=1e-8, atol=1e-10):
    check_type(name, result, tuple)
    check_true(name, len(result) == 2, "expected a tuple (x, lam)")
    check_close(f"{name}: x", result[0], x_want, rtol=rtol, atol=atol, dtype=np.float64)
    check_close(f"{name}: lam", result[1], lam_want, rtol=rtol, atol=atol, dtype=np.float64)

check_optimum("x^2 + 2y^2 on x + y = 3", constrained_optimum(np.diag([2.0, 4.0]), np.zeros(2), np.array([[1.0, 1.0]]), np.array([3.0])),
              np.array([2.0, 1.0]), np.array([4.0]))
# c != 0: x^2 + 2y^2 - 2x + 2y on x + y = 3; by hand (2x - 2, 4y + 2) = lam (1, 1) gives x* = (8/3, 1/3), lam = 10/3
check_optimum("x^2 + 2y^2 - 2x + 2y on x + y = 3", constrained_optimum(np.diag([2.0, 4.0]), np.array([-2.0, 2.0]),
              np.array([[1.0, 1.0]]), np.array([3.0])), np.array([8 / 3, 1 / 3]), np.array([10 / 3]))
# a non-diagonal Q, two constraints in three variables
_Q3 = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
_A3, _b3, _c3 = np.array([[1.0, 1.0, 1.0], [1.0, -1.0, 2.0]]), np.array([1.0, -2.0]), np.array([1.0, -1.0, 0.5])
_x3, _lam3 = constrained_optimum(_Q3, _c3, _A3, _b3)
check_close("constrained_optimum (3 variables, 2 constraints): A x = b", _A3 @ _x3, _b3, rtol=1e-10, atol=1e-12)
check_close("constrained_optimum (3 variables, 2 constraints): Q x + c - A^T lam = 0", _Q3 @ _x3 + _c3 - _A3.T @ _lam3,
            np.zeros(3), rtol=0.0, atol=1e-10)
print("constrained_optimum: visible checks passed")
### BEGIN HIDDEN TESTS
def _expect_optimum(name, result, rtol, atol):
    check_type(name, result, tuple)
    check_true(name, len(result) == 2, "expected a tuple (x, lam)")
    expect(f"{name}: x", result[0], rtol=rtol, atol=atol, dtype=np.float64)
    expect(f"{name}: lam", result[1], rtol=rtol, atol=atol, dtype=np.float64)

_rng = hidden_rng(305)
for _trial in range(20):
    _n = int(_rng.integers(2, 7))
    _m = int(_rng.integers(1, _n))
    _q = np.linalg.qr(_rng.normal(size=(_n, _n)))[0]
    _Q = _q @ np.diag(_rng.uniform(0.5, 10.0, size=_n)) @ _q.T
    _Q, _A = (_Q + _Q.T) / 2, _rng.normal(size=(_m, _n))
    _c, _b = _rng.normal(scale=3.0, size=_n), _rng.normal(scale=3.0, size=_m)
    _expect_optimum(f"constrained_optimum(trial {_trial}, n={_n}, m={_m})", constrained_optimum(_Q, _c, _A, _b), rtol=1e-8, atol=1e-10)
for _name, _args in [
        ("n = m = 1", (np.array([[2.0]]), np.array([1.0]), np.array([[4.0]]), np.array([-2.0]))),
        ("negative b", (2 * np.eye(2), np.zeros(2), np.array([[1.0, 1.0]]), np.array([-2.0]))),
        ("constraint on a coordinate c does not touch", (2 * np.eye(3), np.array([-2.0, 0.0, 0.0]), np.array([[0.0, 1.0, 0.0]]), np.array([0.0]))),
        ("large", (2e6 * np.eye(2), np.zeros(2), np.array([[1.0, 1.0]]), np.array([2e3])))]:
    _expect_optimum(f"constrained_optimum({_name})", constrained_optimum(*_args), rtol=1e-8, atol=1e-10)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6: a PyTorch optimizer matching your descent (2 points)
# Section 4 updated `x` by hand. Let `torch.optim.SGD` do it: it owns the update
# (`optimizer.step()`), including its momentum buffer, and the clearing of gradients
# (`optimizer.zero_grad()`). Pass `momentum` and `dampening` on to it unchanged. `dampening`
# shrinks the gradient's share of the momentum buffer: PyTorch's buffer is the gradient itself at
# the first step, then $\mathrm{buf} \leftarrow \beta\,\mathrm{buf} + (1 - \mathrm{dampening})\,g$, and
# the step is $x \leftarrow x - \eta\,\mathrm{buf}$ (Day 6). The checks use a nonzero `dampening`;
# with a constant rate and no dampening, PyTorch's convention and the textbook
# $v \leftarrow \beta v - \eta g$, $x \leftarrow x + v$ give the same iterates. The checks also watch
# the steps `torch.optim` takes and how far each one moves `x`, so an update written by hand in
# place of `optimizer.step()` loses the points, however exactly it copies it. With `momentum=0`
# it is plain descent, and the check holds your trajectory to Section 4's NumPy one.

# %% nbgrader={"grade_id": "torch_sgd_trajectory", "solution": true}
def torch_sgd_trajectory(f, x0, lr, num_steps, momentum=0.0, dampening=0.0):
    """Descent on f with torch.optim.SGD(lr=lr, momentum=momentum, dampening=dampening),
    recording every iterate.

    f: function from a torch tensor of shape (n,) to a 0-d tensor, written with torch ops.
    x0: 1-D NumPy array of shape (n,), float32 or float64 (not modified).
    lr, momentum, dampening: floats, handed to torch.optim.SGD as they are.
    Returns a NumPy array of shape (num_steps + 1, n), x0 first, with the dtype of x0.
    """
    ### BEGIN SOLUTION
    x = torch.tensor(x0, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr, momentum=momentum, dampening=dampening)
    traj = [x.detach().numpy().copy()]
    for _ in range(num_steps):
        optimizer.zero_grad()
        f(x).backward()
        optimizer.step()
        traj.append(x.detach().numpy().copy())
    return np.array(traj)
    ### END SOLUTION

# %% nbgrader={"grade_id": "torch_sgd_trajectory_tests", "grade": true, "points": 2}
_x0 = np.array([1.0, -2.0])
_traj = torch_sgd_trajectory(lambda x: (x**2).sum(), _x0, 0.25, 3)
check_close("torch_sgd_trajectory must not modify x0", _x0, np.array([1.0, -2.0]), rtol=0.0)
check_type("torch_sgd_trajectory(...)", _traj, np.ndarray)
check_close("torch_sgd_trajectory(sum x^2, lr 0.25)", _traj, np.array([[1.0, -2.0], [0.5, -1.0], [0.25, -0.5], [0.125, -0.25]]), dtype=np.float64)
_A, _b, _x0 = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0]), np.array([2.0, -3.0])
_section4 = [_x0.copy()]  # Section 4's NumPy trajectory: 15 steps at lr 0.2
for _ in range(15):
    _section4.append(_section4[-1] - 0.2 * (_A @ _section4[-1] - _b))
_fq = lambda x: 0.5 * x @ torch.tensor(_A) @ x - torch.tensor(_b) @ x  # noqa: E731
check_close("torch_sgd_trajectory(Section 4's quadratic)", torch_sgd_trajectory(_fq, _x0, 0.2, 15), np.array(_section4), rtol=1e-12)
# sum x^2 (gradient 2x) with lr 0.25, momentum 0.5, dampening 0.5, worked by hand: buf = 2, 1.5, 0.875, 0.34375
# times x0, and x = 1, 0.5, 0.125, -0.09375, -0.1796875 times x0 (all exact in binary)
_by_hand = np.outer([1.0, 0.5, 0.125, -0.09375, -0.1796875], [1.0, -2.0])
check_close("torch_sgd_trajectory(sum x^2, lr 0.25, momentum 0.5, dampening 0.5): PyTorch's momentum",
            torch_sgd_trajectory(lambda x: (x**2).sum(), np.array([1.0, -2.0]), 0.25, 4, momentum=0.5, dampening=0.5),
            _by_hand, rtol=1e-12, atol=1e-14, dtype=np.float64)
_steps_seen, _moved = [], []  # every torch.optim step taken during a call, and how far it moved x
def _before_step(opt, args, kwargs):
    _steps_seen.append((type(opt).__name__, opt.param_groups[0]["lr"], opt.param_groups[0].get("momentum"), opt.param_groups[0].get("dampening")))
    _moved.append(opt.param_groups[0]["params"][0].detach().clone())
def _after_step(opt, args, kwargs):
    _moved[-1] = (opt.param_groups[0]["params"][0].detach() - _moved[-1]).numpy()
_hooks = [register_optimizer_step_pre_hook(_before_step), register_optimizer_step_post_hook(_after_step)]
try:
    _traj = torch_sgd_trajectory(_fq, _x0, 0.05, 5, momentum=0.9, dampening=0.5)
finally:
    for _hook in _hooks:
        _hook.remove()
check_true("torch_sgd_trajectory takes its steps with torch.optim.SGD",
           _steps_seen == [("SGD", 0.05, 0.9, 0.5)] * 5,
           "expected 5 calls of torch.optim.SGD(lr=0.05, momentum=0.9, dampening=0.5).step(), one per step")
check_close("torch_sgd_trajectory: x moves only inside optimizer.step() (each step's move, against your trajectory's)",
            np.array(_moved), np.diff(_traj, axis=0), rtol=1e-9, atol=1e-12)
_x32 = np.array([1.0, -2.0], dtype=np.float32)
_traj = torch_sgd_trajectory(lambda x: (x**2).sum(), _x32, 0.25, 4, momentum=0.5, dampening=0.5)
check_close("torch_sgd_trajectory must not modify x0 (float32)", _x32, np.array([1.0, -2.0]), rtol=0.0)
check_close("torch_sgd_trajectory(float32 start, momentum 0.5, dampening 0.5): float32 out", _traj, _by_hand,
            rtol=1e-6, dtype=np.float32)
print("torch_sgd_trajectory: visible checks passed")
### BEGIN HIDDEN TESTS
_rng = hidden_rng(306)
for _trial in range(6):  # f = 0.5 x^T A x + sum cosh(x); momentum and dampening from the third trial on
    _n = int(_rng.integers(1, 5))
    _q = np.linalg.qr(_rng.normal(size=(_n, _n)))[0]
    _Anp = _q @ np.diag(_rng.uniform(0.5, 4.0, size=_n)) @ _q.T
    _x0, _lr, _steps = _rng.normal(size=_n), float(_rng.uniform(0.01, 0.1)), int(_rng.integers(2, 15))
    _mom, _damp = (float(_rng.uniform(0.5, 0.95)), float(_rng.uniform(0.2, 0.8))) if _trial >= 2 else (0.0, 0.0)
    _got = torch_sgd_trajectory(lambda x, A=torch.tensor(_Anp): 0.5 * x @ A @ x + torch.cosh(x).sum(), _x0.copy(), _lr, _steps,
                                momentum=_mom, dampening=_damp)
    expect(f"torch_sgd_trajectory(trial {_trial}, momentum {_mom:.2f}, dampening {_damp:.2f})", _got, rtol=1e-9, atol=1e-12, dtype=np.float64)
_steps_seen, _moved = [], []
_hooks = [register_optimizer_step_pre_hook(_before_step), register_optimizer_step_post_hook(_after_step)]
try:
    torch_sgd_trajectory(lambda x: (x**2).sum(), np.array([1.0, -2.0]), 0.1, 7, momentum=0.8, dampening=0.3)
finally:
    for _hook in _hooks:
        _hook.remove()
expect("torch_sgd_trajectory: its torch.optim.SGD steps (class, lr, momentum, dampening)",
       np.array([[float(s[0] == "SGD"), *s[1:]] for s in _steps_seen], dtype=np.float64).reshape(-1, 4), rtol=0.0, atol=0.0, dtype=np.float64)
expect("torch_sgd_trajectory: how far each optimizer.step() moved x", np.array(_moved, dtype=np.float64).reshape(-1, 2),
       rtol=1e-9, atol=1e-12, dtype=np.float64)
expect("torch_sgd_trajectory(0 steps)", torch_sgd_trajectory(lambda x: (x**2).sum(), np.array([3.0]), 0.1, 0), rtol=1e-9, dtype=np.float64)
expect("torch_sgd_trajectory(n = 1, quartic from -2, momentum 0.9)",
       torch_sgd_trajectory(lambda x: (x**4 - 2 * x**2 + x).sum(), np.array([-2.0]), 0.01, 10, momentum=0.9), rtol=1e-9, dtype=np.float64)
expect("torch_sgd_trajectory(momentum 0.9, dampening 0.9)",
       torch_sgd_trajectory(lambda x: (x**2).sum(), np.array([1.0, -2.0]), 0.1, 6, momentum=0.9, dampening=0.9), rtol=1e-9, dtype=np.float64)
expect("torch_sgd_trajectory(large)", torch_sgd_trajectory(lambda x: (x**2).sum(), np.array([1e100, -1e100]), 0.1, 4), rtol=1e-9, dtype=np.float64)
_x32 = np.array([1.5, -0.5, 2.0], dtype=np.float32)
expect("torch_sgd_trajectory(float32)", torch_sgd_trajectory(lambda x: (x**2).sum(), _x32, 0.1, 8, momentum=0.5, dampening=0.5),
       rtol=1e-5, atol=1e-6, dtype=np.float32)
expect("torch_sgd_trajectory must not modify x0", _x32, rtol=0.0, atol=0.0, dtype=np.float32)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 7: a Keras optimizer matching your descent (2 points)
# The same with `tf.keras.optimizers.SGD(learning_rate=lr, momentum=momentum)`: the tape gives
# the gradient, and `optimizer.apply_gradients` takes (gradient, variable) pairs. Keras keeps
# the learning rate in a float32 variable (0.2 becomes the float32 nearest to it), so even a
# float64 run differs from the same update written in float64 NumPy: by about $10^{-8}$ relative
# without momentum (the check below prints the gap, in `rel_error`'s $|a - b|/(|a| + |b|)$, which
# halves it), more with it. The checks compare with Keras's own optimizer, closely, and read its
# step counter (`optimizer.iterations`) and its momentum buffer: an update written by hand in place
# of the optimizer's loses the points.

# %% nbgrader={"grade_id": "keras_sgd_trajectory", "solution": true}
def keras_sgd_trajectory(f, x0, lr, num_steps, momentum=0.0):
    """Descent on f with tf.keras.optimizers.SGD(learning_rate=lr, momentum=momentum) and
    tf.GradientTape.

    f: function from a tf.Variable of shape (n,) to a 0-d tensor, written with tf ops.
    x0: 1-D NumPy array of shape (n,), float32 or float64 (not modified).
    lr, momentum: floats, handed to the Keras optimizer as they are.
    Returns a NumPy array of shape (num_steps + 1, n), x0 first, with the dtype of x0.
    """
    ### BEGIN SOLUTION
    x = tf.Variable(x0)
    optimizer = tf.keras.optimizers.SGD(learning_rate=lr, momentum=momentum)
    traj = [x.numpy().copy()]
    for _ in range(num_steps):
        with tf.GradientTape() as tape:
            loss = f(x)
        optimizer.apply_gradients([(tape.gradient(loss, x), x)])
        traj.append(x.numpy().copy())
    return np.array(traj)
    ### END SOLUTION

# %% nbgrader={"grade_id": "keras_sgd_trajectory_tests", "grade": true, "points": 2}
_x0 = np.array([1.0, -2.0])
_traj = keras_sgd_trajectory(lambda x: tf.reduce_sum(x**2), _x0, 0.25, 3)
check_close("keras_sgd_trajectory must not modify x0", _x0, np.array([1.0, -2.0]), rtol=0.0)
check_type("keras_sgd_trajectory(...)", _traj, np.ndarray)
check_close("keras_sgd_trajectory(sum x^2, lr 0.25)", _traj, np.array([[1.0, -2.0], [0.5, -1.0], [0.25, -0.5], [0.125, -0.25]]), dtype=np.float64)
_A, _b, _x0 = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0]), np.array([2.0, -3.0])
_section4 = [_x0.copy()]  # Section 4's NumPy trajectory: 15 steps at lr 0.2
for _ in range(15):
    _section4.append(_section4[-1] - 0.2 * (_A @ _section4[-1] - _b))
_f = lambda x: 0.5 * tf.tensordot(x, tf.linalg.matvec(tf.constant(_A), x), 1) - tf.tensordot(tf.constant(_b), x, 1)  # noqa: E731
_got = keras_sgd_trajectory(_f, _x0, 0.2, 15)
check_close("keras_sgd_trajectory(Section 4's quadratic) against NumPy", _got, np.array(_section4), rtol=1e-6)
# sum x^2 (gradient 2x) with lr 0.25 and momentum 0.75, worked by hand in Keras's convention
# m = 0.75 m - 0.25 g, x = x + m: m = -0.5, -0.625, -0.40625, -0.0390625 times x0, and
# x = 1, 0.5, -0.125, -0.53125, -0.5703125 times x0 (all exact in binary, float32 included)
check_close("keras_sgd_trajectory(sum x^2, lr 0.25, momentum 0.75)",
            keras_sgd_trajectory(lambda x: tf.reduce_sum(x**2), np.array([1.0, -2.0]), 0.25, 4, momentum=0.75),
            np.outer([1.0, 0.5, -0.125, -0.53125, -0.5703125], [1.0, -2.0]), rtol=1e-12, atol=1e-14, dtype=np.float64)
_made = []
def _record_variable(next_creator, **kwargs):  # every tf.Variable made during a call, the optimizer's own included
    _made.append(next_creator(**kwargs))
    return _made[-1]
with tf.variable_creator_scope(_record_variable):
    _traj = keras_sgd_trajectory(_f, _x0, 0.1, 5, momentum=0.9)
check_true("keras_sgd_trajectory takes its steps with a Keras optimizer",
           [int(v.numpy()) for v in _made if v.name.split("/")[-1].startswith("iteration")] == [5],
           "expected one Keras optimizer whose step counter (optimizer.iterations) reads 5 after 5 steps")
_buffers = [v.numpy() for v in _made if v.name.split("/")[-1].endswith("momentum:0")]
check_true("keras_sgd_trajectory: the Keras optimizer keeps the momentum", len(_buffers) == 1,
           "expected one momentum buffer, made by the Keras optimizer")
check_close("keras_sgd_trajectory: the Keras optimizer's momentum buffer is the last step", _buffers[0], _traj[-1] - _traj[-2],
            rtol=1e-9, atol=1e-12)
_x32 = np.array([1.5, -0.5], dtype=np.float32)
_traj = keras_sgd_trajectory(lambda x: tf.reduce_sum(x**2), _x32, 0.25, 1)
check_close("keras_sgd_trajectory must not modify x0 (float32)", _x32, np.array([1.5, -0.5]), rtol=0.0)
check_close("keras_sgd_trajectory(float32 start): float32 out", _traj, np.array([[1.5, -0.5], [0.75, -0.25]]), rtol=1e-6, dtype=np.float32)
print(f"keras_sgd_trajectory: visible checks passed; largest relative gap to NumPy {rel_error(_got, np.array(_section4)):.1e}")
### BEGIN HIDDEN TESTS
_rng = hidden_rng(307)
for _trial in range(3):  # f = 0.5 x^T A x + sum cosh(x); momentum from the second trial on
    _n = int(_rng.integers(1, 5))
    _q = np.linalg.qr(_rng.normal(size=(_n, _n)))[0]
    _Anp = _q @ np.diag(_rng.uniform(0.5, 4.0, size=_n)) @ _q.T
    _x0, _lr, _steps = _rng.normal(size=_n), float(_rng.uniform(0.01, 0.1)), int(_rng.integers(2, 12))
    _mom = float(_rng.uniform(0.5, 0.95)) if _trial else 0.0
    _f = lambda x, A=tf.constant(_Anp): 0.5 * tf.tensordot(x, tf.linalg.matvec(A, x), 1) + tf.reduce_sum(tf.cosh(x))  # noqa: E731
    expect(f"keras_sgd_trajectory(trial {_trial}, momentum {_mom:.2f})", keras_sgd_trajectory(_f, _x0.copy(), _lr, _steps, momentum=_mom),
           rtol=1e-11, atol=1e-13, dtype=np.float64)
_made = []
with tf.variable_creator_scope(_record_variable):
    keras_sgd_trajectory(lambda x: tf.reduce_sum(x**2), np.array([1.0, -2.0]), 0.1, 7, momentum=0.8)
expect("keras_sgd_trajectory: steps counted by the Keras optimizer's own iteration variable",
       np.array(sorted(int(v.numpy()) for v in _made if v.name.split("/")[-1].startswith("iteration")), dtype=np.float64),
       rtol=0.0, atol=0.0, dtype=np.float64)
expect("keras_sgd_trajectory: the Keras optimizer's momentum buffers after 7 steps",
       np.concatenate([np.zeros(0)] + [v.numpy().ravel() for v in _made if v.name.split("/")[-1].endswith("momentum:0")]),
       rtol=1e-9, atol=1e-12, dtype=np.float64)
expect("keras_sgd_trajectory(0 steps)", keras_sgd_trajectory(lambda x: tf.reduce_sum(x**2), np.array([3.0]), 0.1, 0), rtol=1e-9, dtype=np.float64)
expect("keras_sgd_trajectory(n = 1, quartic from -2, momentum 0.9)",
       keras_sgd_trajectory(lambda x: tf.reduce_sum(x**4 - 2 * x**2 + x), np.array([-2.0]), 0.01, 10, momentum=0.9),
       rtol=1e-11, atol=1e-13, dtype=np.float64)
expect("keras_sgd_trajectory(large)", keras_sgd_trajectory(lambda x: tf.reduce_sum(x**2), np.array([1e100, -1e100]), 0.25, 4), rtol=1e-9, dtype=np.float64)
_x32 = np.array([1.5, -0.5, 2.0], dtype=np.float32)
expect("keras_sgd_trajectory(float32)", keras_sgd_trajectory(lambda x: tf.reduce_sum(x**2), _x32, 0.1, 8, momentum=0.5), rtol=1e-5, atol=1e-6, dtype=np.float32)
expect("keras_sgd_trajectory must not modify x0", _x32, rtol=0.0, atol=0.0, dtype=np.float32)
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Pitfalls and misconceptions
#
# **"The learning rate should be 0.01."** No value is universal: the stable range is
# $(0, 2/L)$, and $L$ depends on the problem and the scale of the data. The same 0.01 for 100
# steps on $500x^2$ and on $0.0005x^2$:

# %%
for a in (500.0, 0.0005):
    x = 1.0
    for _ in range(100):
        x -= 0.01 * 2 * a * x
    print(f"f = {a} x^2: 2/L = {2 / (2 * a):g}; after 100 steps of lr 0.01, x = {x:.4g}")

# %% [markdown]
# One blows up, the other has barely moved. Estimate the curvature, or run a learning-rate
# range test (Day 7), instead of copying a number.
#
# **"A zero gradient means a minimum."** $x^3$ has $f'(0) = 0$ and no minimum there; $x^2 - y^2$
# has a saddle; in §3.4 descent parked on one with its gradient all but zero.
#
# **"Convex means one minimiser."** Convexity makes every local minimum global, not unique.
# $f(x) = \max(|x| - 1, 0)^2$ is convex with a flat bottom: descent ends at a different
# minimiser from each start. Strict convexity gives uniqueness, and does not need $f'' > 0$:
# $x^4$ is strictly convex with $f''(0) = 0$.

# %%
df_flat = lambda x: 2 * np.sign(x) * max(abs(x) - 1, 0.0)
for x_start in (3.0, -2.5, 0.4):
    x = x_start
    for _ in range(200):
        x -= 0.1 * df_flat(x)
    print(f"from {x_start:5}: ends at x = {x: .4f}, f = {max(abs(x) - 1, 0.0) ** 2:.1e}")

# %% [markdown]
# **"Deep networks get stuck in bad local minima."** In many dimensions a minimum needs *every*
# Hessian eigenvalue positive. Among random symmetric matrices (a toy model of a Hessian, not a
# proof about networks) the share that is positive definite falls fast with the dimension, so
# most critical points of such a landscape are saddles.

# %%
# %matplotlib inline
dims = np.arange(1, 6)
shares = []
for n in dims:
    G = rng.normal(size=(100000, n, n))
    shares.append(np.mean(np.linalg.eigvalsh((G + np.swapaxes(G, 1, 2)) / 2)[:, 0] > 0))
print("share positive definite by dimension:", dict(zip(dims.tolist(), np.round(shares, 4).tolist())))
fig, ax = plt.subplots(figsize=(5, 3))
ax.semilogy(dims, shares, "o-")
ax.set(xlabel="dimension n", ylabel="share positive definite", xticks=dims)
plt.show()

# %% [markdown]
# **"`backward()` computes the gradient."** It *adds* it to `.grad`. Forget to zero it and each
# step uses the sum of all past gradients: a heavy ball with no friction, which circles the
# minimum instead of settling. Section 4's problem, 15 steps each way, distance to the minimum:

# %%
x_opt = np.linalg.solve(A, b)
x = torch.tensor(x0, requires_grad=True)
dist_bug = [np.linalg.norm(x0 - x_opt)]
for _ in range(num_steps):
    f_torch(x).backward()
    with torch.no_grad():
        x -= lr * x.grad  # no x.grad.zero_(): the gradients pile up
    dist_bug.append(np.linalg.norm(x.detach().numpy() - x_opt))
dist_ok = np.linalg.norm(traj_numpy - x_opt, axis=1)
for k in (0, 5, 10, 15):
    print(f"step {k:2d}: |x_k - x*| without zero_grad {dist_bug[k]:.2e}, with it {dist_ok[k]:.2e}")
print(f"steps 10 to 15, smallest distance: without zero_grad {min(dist_bug[10:]):.2e}, "
      f"with it {dist_ok[10:].min():.2e} ({min(dist_bug[10:]) / dist_ok[10:].min():.0f} times smaller)")
eta_lambda = lr * np.linalg.eigvalsh(A)
moduli = [np.abs(np.roots([1.0, -(2 - el), 1.0])) for el in eta_lambda]  # roots of r^2 - (2 - eta lambda) r + 1
print(f"eta * lambda_i = {eta_lambda}: the error's multipliers have moduli {np.concatenate(moduli)}")

# %% [markdown]
# With zeroing the distance shrinks by a roughly constant factor per step; without it, it swings
# up and down and stays many times larger (printed above). Summing every past gradient is
# momentum with $\beta = 1$, no friction: along each eigenvector of $A$, with eigenvalue
# $\lambda$, the error obeys $e_{k+1} = (2 - \eta\lambda)\,e_k - e_{k-1}$, whose multipliers, the
# roots of $r^2 - (2 - \eta\lambda)\,r + 1 = 0$, multiply to 1 and are complex conjugates when
# $0 < \eta\lambda < 4$: both have modulus exactly 1 (printed above), so the iteration circles the
# minimum forever and never converges.
#
# **"Newton's method is always better."** Fast near a minimum, but drawn to maxima and saddles
# (§3.5), and $O(n^3)$ per step.
#
# ## 8. Interview corner
#
# **Mid.** Gradient descent on $x^2$ from 10 with $\eta = 1.1$: what happens, and why?
# <details><summary>Answer</summary>
# Each step multiplies $x$ by $1 - 2\eta = -1.2$: $10 \to -12 \to 14.4 \to -17.28$, growing with
# alternating sign. Stability needs $0 < \eta < 2/L = 1$; $\eta = 0.5$ lands in one step.
# </details>
#
# **Mid.** The gradient is zero at a point. Is it a minimum?
# <details><summary>Answer</summary>
# Not necessarily. Hessian eigenvalues all positive: a strict local minimum; all negative: a
# maximum; mixed: a saddle; a zero with the rest of one sign: the test cannot tell
# ($x^2 + y^4$ against $x^2 + y^3$). For a convex function any critical point is a global minimum.
# </details>
#
# **Senior.** Show that descent on a positive definite quadratic converges iff $0 < \eta < 2/L$.
# Which fixed $\eta$ is fastest?
# <details><summary>Answer</summary>
# $x_{k+1} - x^\ast = (I - \eta A)(x_k - x^\ast)$; in $A$'s eigenbasis each component scales by
# $1 - \eta\lambda_i$, so convergence from every start needs $|1 - \eta\lambda_i| < 1$ for all $i$.
# The rate $\max_i |1 - \eta\lambda_i|$ is smallest when $1 - \eta\mu = -(1 - \eta L)$:
# $\eta = 2/(L + \mu)$, rate $(\kappa - 1)/(\kappa + 1)$.
# </details>
#
# **Senior.** Are saddle points a problem for gradient descent?
# <details><summary>Answer</summary>
# For $f$ twice continuously differentiable with an $L$-Lipschitz gradient and a fixed step
# $\eta < 1/L$, the starts from which descent converges to a strict saddle (one with a negative
# Hessian eigenvalue) form a set of measure zero, zero volume (Lee et al., 2016, for isolated
# saddles; Panageas and Piliouras, 2017, in general): a start drawn from any distribution with a
# density avoids them with probability 1, and noise or a small perturbation escapes (§3.4).
# Degenerate saddles (no negative eigenvalue) carry no such guarantee. The real cost is time: the
# escaping component grows by only $1 + \eta|\lambda_{\min}|$ per step, so flat saddles make long
# plateaus. With a Lipschitz Hessian as well, perturbed descent reaches an
# $\varepsilon$-second-order stationary point in $\tilde O(1/\varepsilon^2)$ steps, the dimension
# entering only polylogarithmically (Jin et al., 2017).
# </details>
#
# **Principal.** A team proposes a second-order optimizer for a model with $10^9$ parameters.
# What do you ask, and what can work?
# <details><summary>Answer</summary>
# Exact Newton is out ($10^{18}$ Hessian entries, an $O(n^3)$ solve). Ask what curvature they
# approximate and its cost per step in memory, compute and communication, and compare
# wall-clock and energy to a target loss against tuned AdamW or SGD with momentum. What works:
# Hessian-vector products (a small constant multiple of a gradient's cost, Pearlmutter 1994)
# inside conjugate gradient (Hessian-free optimization), and structured preconditioners. These
# differ in *what* they precondition with: Adam (diagonal) and Shampoo (one Kronecker factor per
# side of each weight matrix) both use second moments of the gradients, $\sum G G^\top$ and
# $\sum G^\top G$ in Shampoo's case, $G$ the gradient as a matrix; K-FAC approximates the Fisher
# information by Kronecker factors of layer inputs and back-propagated gradients. Gradient second
# moments (the empirical Fisher) relate to curvature only under assumptions: they approach the
# Fisher only when the model's predictions match the data, and the Fisher equals the
# Gauss-Newton matrix for a negative log-likelihood whose network outputs are the natural
# parameters of an exponential family (logits with softmax cross-entropy), which approximates the
# Hessian near a well-fitting optimum. None of the three is the Hessian.
# </details>
#
# **Principal.** How do you choose a learning rate for a new architecture without a big grid
# search?
# <details><summary>Answer</summary>
# The stable rate is set by the curvature, so measure it: the top Hessian eigenvalue by power
# iteration on Hessian-vector products, or a learning-rate range test (Day 7). Full-batch
# training tends to raise the sharpness (that top eigenvalue) to about $2/\eta$ and hover there
# ("edge of stability", Cohen et al., 2021), and warmup helps while the curvature is high. One
# range test costs a fraction of a grid search's compute and energy.
# </details>
#
# ## 9. Summary and further reading
#
# - Convex: chords above the graph, $f(\mathbb{E}X) \le \mathbb{E}f(X)$, Hessian positive
#   semidefinite; every local minimum is then global.
# - At a critical point the Hessian's eigenvalues say minimum, maximum, saddle, or degenerate.
# - Descent on a positive definite quadratic converges from every start iff $0 < \eta < 2/L$; its
#   speed depends on the condition number $\kappa = L/\mu$.
# - Non-convex landscapes have local minima and saddles; noise, momentum and perturbations
#   change which basin descent ends in.
# - Newton: exact in one step on a positive definite quadratic, quadratic convergence near a
#   minimum with $H \succ 0$ (Hessian Lipschitz, start close enough); but an $n^2$
#   Hessian, an $O(n^3)$ solve, and attraction to any critical point.
# - Lagrange: $\nabla f = \lambda \nabla g$ at a constrained optimum where $\nabla g \ne 0$;
#   $\lambda = \mathrm{d}f^\ast/\mathrm{d}b$.
#
# **Further reading.** Boyd and Vandenberghe, *Convex Optimization* (2004), chapters 2, 3, 9
# and 10 (free online). Nocedal and Wright, *Numerical Optimization* (2006), chapters 2, 3, 7
# (Newton-CG, Hessian-free), 12 (Lagrange multipliers) and 16 (the linear system of Exercise 5).
# Goodfellow, Bengio and Courville, *Deep Learning* (2016), sections 4.3 and 8.2. Dauphin et al.,
# "Identifying and attacking the saddle point problem in high-dimensional non-convex
# optimization" (2014). Lee et al., "Gradient descent only converges to minimizers" (2016).
# Panageas and Piliouras, "Gradient descent only converges to minimizers: non-isolated critical
# points and invariant regions" (2017). Jin et al., "How to escape saddle points efficiently"
# (2017). Cohen et al., "Gradient descent on neural networks typically occurs at the edge of
# stability" (2021). Goh, "Why momentum really works", *Distill* (2017). Next: Day 4, the chain
# rule and backpropagation.
