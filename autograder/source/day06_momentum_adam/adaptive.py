# %% [markdown]
# # Day 6, part 2: Adagrad, RMSprop, Adam, AdamW
#
# **Learning goals.** By the end of this notebook you can
# - write RMSprop, Adam (with bias correction) and AdamW as in-place NumPy step functions;
# - say where PyTorch and Keras differ (where $\epsilon$ sits, initial accumulators, AdamW's
#   decay) and reproduce each framework step for step;
# - explain what bias correction buys on the first steps, and measure optimizer state in bytes;
# - say what Adam is (a per-weight rescaling by a running RMS of gradients) and is not (a
#   curvature or Newton method), and show a problem where it fails and SGD with momentum does not;
# - show that an optimizer step is memory-bound, and time it.
#
# **Prerequisites.** Part 1 (`momentum.ipynb`); Day 3 (Newton's method, conditioning).
# **Time to complete.** About 2.5 hours: 100 minutes to read and run the notebook, 50 minutes
# for the three exercises.
#
# **Notation.** $\alpha$ here is RMSprop's decay (PyTorch's argument `alpha`), not the step size of
# part 1's moving-average form.
#
# | adaptive methods | |
# |---|---|
# | what | a per-weight step $\eta\, \hat m / (\sqrt{\hat v} + \epsilon)$, $v$ a running average of squared gradients |
# | why | one learning rate cannot suit weights whose gradients differ by orders of magnitude (rare features, layers of different scale) |
# | when | transformers, embeddings, sparse features; the default when tuning time is short |
# | where | `torch.optim.Adam/AdamW/RMSprop/Adagrad`, `keras.optimizers.*` |
# | who | Duchi, Hazan & Singer (2011) Adagrad; Hinton (2012, Coursera lecture 6e) RMSprop; Kingma & Ba (2015) Adam; Reddi, Kale & Kumar (2018) Adam's non-convergence, AMSGrad; Loshchilov & Hutter (2019) AdamW |
# | how | two buffers the size of the parameters (Adam), updated in place, elementwise |

# %% nbgrader={"grade_id": "setup", "locked": true}
from calcopt.checks import check_close, check_equal, check_true, check_type, expect, hidden_rng, rel_error
import math
import time
import numpy as np
import matplotlib.pyplot as plt
import torch
import tensorflow as tf
import keras
from tqdm.auto import tqdm
from calcopt.optimizers_demo import keras_state_bytes, keras_trajectory, logistic_problem, torch_state_bytes, torch_trajectory

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
torch.manual_seed(0)

# %% [markdown]
# ## 1. Intuition: one step size per weight
# Momentum (part 1) still uses one learning rate for every weight. If one weight's gradients
# are a thousand times smaller than another's (a rare word's embedding, a feature that is
# mostly zero), a rate safe for the large ones barely moves the small ones. Adaptive methods
# divide each weight's step by a running size of *its own* gradients, so every weight moves at
# a comparable pace.
#
# ## 2. Theory (this course's convention: PyTorch's), and where Keras differs
# With $g$ the gradient, all operations elementwise, $t = 1, 2, \dots$:
#
# | method | state | update |
# |---|---|---|
# | Adagrad | $G \leftarrow G + g^2$ ($G_0 = 0$) | $\theta \leftarrow \theta - \eta\, g / (\sqrt{G} + \epsilon)$ |
# | RMSprop | $v \leftarrow \alpha v + (1-\alpha) g^2$ | $\theta \leftarrow \theta - \eta\, g / (\sqrt{v} + \epsilon)$ |
# | Adam | $m \leftarrow \beta_1 m + (1-\beta_1) g$, $v \leftarrow \beta_2 v + (1-\beta_2) g^2$ | $\hat m = m/(1-\beta_1^t)$, $\hat v = v/(1-\beta_2^t)$, $\theta \leftarrow \theta - \eta\, \hat m/(\sqrt{\hat v} + \epsilon)$ |
# | AdamW | as Adam | $\theta \leftarrow \theta(1 - \eta\lambda)$, then the Adam step |
#
# Adagrad sums forever, so for gradients of roughly constant size its steps shrink like
# $1/\sqrt t$: good for convex problems and rare
# features (a weight that seldom sees a gradient keeps a small $G$ and a large step), too
# timid for long non-convex training. RMSprop replaces the sum by a leaky average; Adam adds
# momentum on top and corrects both averages for their zero start. AdamW decays the weights
# directly instead of adding $\lambda\theta$ to the gradient, where Adam's division would shrink
# the decay of weights with large gradients.
#
# Keras 3 (as installed, the code below checks each line):
# - **Adagrad**: $\theta \leftarrow \theta - \eta g/\sqrt{G + \epsilon}$ ($\epsilon$ *inside* the root,
#   default $10^{-7}$) and `initial_accumulator_value=0.1` by default (PyTorch: 0, $\epsilon = 10^{-10}$ outside).
# - **RMSprop**: $\epsilon$ inside the root, decay `rho=0.9` (PyTorch `alpha=0.99`, $\epsilon = 10^{-8}$ outside).
# - **Adam**: bias correction folded into the rate,
#   $\theta \leftarrow \theta - \eta\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\, m/(\sqrt{v} + \hat\epsilon)$: the same as
#   PyTorch's with $\epsilon = \hat\epsilon/\sqrt{1-\beta_2^t}$, which changes with $t$ ("epsilon hat",
#   default $10^{-7}$; PyTorch $10^{-8}$).
# - **AdamW**: the same decoupled decay $\theta \leftarrow \theta - \eta\lambda\theta$ before the step;
#   default $\lambda = 0.004$ (PyTorch 0.01). Every Keras optimizer accepts `weight_decay` in this
#   decoupled form; PyTorch's `SGD`, `Adam`, `RMSprop`, `Adagrad` add $\lambda\theta$ to the gradient
#   by default (`torch.optim.Adam(..., decoupled_weight_decay=True)` is AdamW). PyTorch's Adagrad
#   also has an `lr_decay` $\delta$ (default 0): step $t$ uses $\eta/(1 + (t-1)\delta)$.
# - Keras keeps the learning rate in a float32 variable and starts Adagrad's accumulator from a
#   float32 constant, so both are rounded to float32 even for float64 weights (part 1 showed the
#   rate, and the momentum, for SGD); our Keras-convention run below starts its Adagrad
#   accumulator at `float32(0.1)` = 0.10000000149 for that reason. Adam's betas are rounded only
#   inside the bias-correction powers $\beta^t$ (the moment updates use the exact $1 - \beta$), and
#   RMSprop's `rho` is not rounded.
#
# ### 2.1 What bias correction buys
# $m$ and $v$ start at zero, so early on they underestimate: after $t$ steps of a constant
# gradient $g$, $m_t = (1-\beta_1^t) g$ and $v_t = (1-\beta_2^t) g^2$. Dividing by those factors makes
# the first step exactly $\eta$ in size. Without correction the step is
# $\eta(1-\beta_1^t)/\sqrt{1-\beta_2^t}$: with $\beta_2 = 0.999$ the second moment is underestimated far
# more than the first, and the early steps are *too large*, not too small.

# %%
t = np.arange(1, 5001)
b1, b2 = 0.9, 0.999
uncorrected = (1 - b1**t) / np.sqrt(1 - b2**t)  # step / lr for a constant gradient, eps = 0
print(f"uncorrected step / lr: t=1 {uncorrected[0]:.2f}, largest {uncorrected.max():.2f} at t={t[uncorrected.argmax()]}, "
      f"t=1000 {uncorrected[999]:.2f}, t=5000 {uncorrected[-1]:.3f}; corrected: 1 at every t")
fig, ax = plt.subplots(figsize=(6, 3))
ax.semilogx(t, uncorrected, label="no bias correction")
ax.semilogx(t, np.ones_like(t), label="with bias correction")
ax.set(xlabel="step t", ylabel="step size / lr (constant gradient)")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# The uncorrected steps are several times too large for the first few hundred steps, exactly
# when the weights are random and the loss is steep; with the correction the first step is
# $\eta$, whatever the scale of $g$.
#
# ## 3. From scratch, and the frameworks, for 100 steps
# Pure Python first (lists of floats), with switches for Keras's conventions, then the
# frameworks on logistic regression (breast-cancer data, 31 weights), all fed the same NumPy
# gradient. The hyper-parameters are chosen exact in binary (`lr = 2**-7`, $\beta_1 = 0.875$,
# $\beta_2 = 1 - 2^{-10}$, RMSprop's decay $1 - 2^{-7}$, $\epsilon = 2^{-20}$, $\lambda = 2^{-3}$) so that Keras's float32 rounding of them
# does not blur the comparison.

# %%
def adagrad_python(w, g, G, lr, eps, eps_inside=False):
    G = [a + gi * gi for a, gi in zip(G, g)]
    denom = [math.sqrt(a + eps) if eps_inside else math.sqrt(a) + eps for a in G]
    return [wi - lr * gi / d for wi, gi, d in zip(w, g, denom)], G

def rmsprop_python(w, g, v, lr, alpha, eps, eps_inside=False):
    v = [alpha * a + (1 - alpha) * gi * gi for a, gi in zip(v, g)]
    denom = [math.sqrt(a + eps) if eps_inside else math.sqrt(a) + eps for a in v]
    return [wi - lr * gi / d for wi, gi, d in zip(w, g, denom)], v

def adam_python(w, g, state, lr, b1, b2, eps, wd=0.0, eps_hat=False):
    m, v, t = state
    t += 1
    w = [wi - lr * wd * wi for wi in w]  # AdamW's decay (wd = 0: Adam)
    m = [b1 * a + (1 - b1) * gi for a, gi in zip(m, g)]
    v = [b2 * a + (1 - b2) * gi * gi for a, gi in zip(v, g)]
    c1, c2 = 1 - b1**t, 1 - b2**t
    if eps_hat:  # Keras: eps added to sqrt(v), correction folded into the rate
        w = [wi - lr * math.sqrt(c2) / c1 * a / (math.sqrt(b) + eps) for wi, a, b in zip(w, m, v)]
    else:
        w = [wi - lr * (a / c1) / (math.sqrt(b / c2) + eps) for wi, a, b in zip(w, m, v)]
    return w, (m, v, t)

def python_trajectory(step, state, w0, grad, num_steps, **hyper):
    w, path = list(w0), [list(w0)]
    for _ in range(num_steps):
        w, state = step(w, list(grad(np.array(w))), state, **hyper)
        path.append(w)
    return np.array(path)

n = 31
lr, b1, b2, eps, wd, num_steps = 2.0**-7, 0.875, 1 - 2.0**-10, 2.0**-20, 2.0**-3, 100
rho = 1 - 2.0**-7  # RMSprop's decay
zeros = [0.0] * n
cases = {  # name: (ours for torch, ours for keras, torch factory, keras factory)
    "Adagrad": ((adagrad_python, zeros, dict(lr=lr, eps=eps)),
                (adagrad_python, [float(np.float32(0.1))] * n, dict(lr=lr, eps=eps, eps_inside=True)),
                lambda ps: torch.optim.Adagrad(ps, lr=lr, eps=eps), lambda: keras.optimizers.Adagrad(learning_rate=lr, epsilon=eps)),
    "RMSprop": ((rmsprop_python, zeros, dict(lr=lr, alpha=rho, eps=eps)),
                (rmsprop_python, zeros, dict(lr=lr, alpha=rho, eps=eps, eps_inside=True)),
                lambda ps: torch.optim.RMSprop(ps, lr=lr, alpha=rho, eps=eps), lambda: keras.optimizers.RMSprop(learning_rate=lr, rho=rho, epsilon=eps)),
    "Adam": ((adam_python, (zeros, zeros, 0), dict(lr=lr, b1=b1, b2=b2, eps=eps)),
             (adam_python, (zeros, zeros, 0), dict(lr=lr, b1=b1, b2=b2, eps=eps, eps_hat=True)),
             lambda ps: torch.optim.Adam(ps, lr=lr, betas=(b1, b2), eps=eps),
             lambda: keras.optimizers.Adam(learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps)),
    "AdamW": ((adam_python, (zeros, zeros, 0), dict(lr=lr, b1=b1, b2=b2, eps=eps, wd=wd)),
              (adam_python, (zeros, zeros, 0), dict(lr=lr, b1=b1, b2=b2, eps=eps, wd=wd, eps_hat=True)),
              lambda ps: torch.optim.AdamW(ps, lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd),
              lambda: keras.optimizers.AdamW(learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps, weight_decay=wd)),
}
problems = {dtype: logistic_problem(dtype) for dtype in (np.float64, np.float32)}
ours = {}
for name, ((step_t, s_t, h_t), (step_k, s_k, h_k), make_torch, make_keras) in tqdm(cases.items(), desc="parity"):
    w0, grad = problems[np.float64]
    ref_t = python_trajectory(step_t, s_t, w0, grad, num_steps, **h_t)
    ref_k = python_trajectory(step_k, s_k, w0, grad, num_steps, **h_k)
    ours[name] = ref_t
    gaps = []
    for dtype, rtol, atol in [(np.float64, 1e-8, 1e-10), (np.float32, 1e-4, 1e-4)]:
        w0, grad = problems[dtype]
        t_path = torch_trajectory(make_torch, w0, grad, num_steps)
        k_path = keras_trajectory(make_keras(), w0, grad, num_steps)
        np.testing.assert_allclose(t_path, ref_t, rtol=rtol, atol=atol)
        np.testing.assert_allclose(k_path, ref_k, rtol=rtol, atol=atol)
        gaps.append(f"{np.dtype(dtype).name} torch {np.abs(t_path - ref_t).max():.0e}, keras {np.abs(k_path - ref_k).max():.0e}")
    print(f"{name:8s} 100 steps, largest |difference| to ours: " + "; ".join(gaps) +
          f"; PyTorch's and Keras's conventions differ by {np.abs(ref_t - ref_k).max():.1e}")
w0, grad = problems[np.float64]
smallest_g = min(np.abs(grad(w)).min() for w in ours["RMSprop"])
print(f"eps = {eps:.1e}, sqrt(eps) = {math.sqrt(eps):.1e}; the smallest |g_i| along the RMSprop run is {smallest_g:.1e}; "
      f"weights up to {np.abs(ours['RMSprop']).max():.2f}")

# %% [markdown]
# Every framework equals our pure-Python run under its own convention: to `rtol=1e-8,
# atol=1e-10` in float64 (the first steps agree to the last digit or two; dividing by
# $\sqrt v$, which is small where the gradient changes sign, amplifies the round-off of a
# different operation order over 100 steps) and `rtol=atol=1e-4` in float32 (the float32 runs
# against our float64 one). The last
# column is how far apart the two conventions land after 100 steps with the *same* arguments:
# for Adagrad it is Keras's initial accumulator of 0.1 (and $\epsilon$'s place), for the others only
# $\epsilon$'s place. Outside the root $\epsilon$ competes with $|g|$; inside, with $g^2$, so it matters
# as soon as $|g| \lesssim \sqrt\epsilon$, which is much larger than $\epsilon$. Here $\sqrt\epsilon \approx 10^{-3}$ and
# some gradients come down to that size and below (printed): RMSprop's two conventions end visibly apart,
# while Adam's and AdamW's gaps are small because Keras's $\epsilon$ is outside the root too (it only
# moves through the bias correction). With gradients of size $10^{-6}$ and default settings the
# placement decides the step:

# %%
tiny = lambda w: np.full(3, 1e-6)
w_start = np.zeros(3)
t_adam = torch_trajectory(lambda ps: torch.optim.Adam(ps, lr=1e-3), w_start, tiny, 10)[-1, 0]
k_adam = keras_trajectory(keras.optimizers.Adam(learning_rate=1e-3), w_start, tiny, 10)[-1, 0]
t_rms = torch_trajectory(lambda ps: torch.optim.RMSprop(ps, lr=1e-3), w_start, tiny, 10)[-1, 0]
k_rms = keras_trajectory(keras.optimizers.RMSprop(learning_rate=1e-3), w_start, tiny, 10)[-1, 0]
print(f"10 steps, gradient 1e-6, defaults: Adam torch {t_adam:.3e}, keras {k_adam:.3e}; RMSprop torch {t_rms:.3e}, keras {k_rms:.3e}")
print(f"Keras Adam's effective eps at t = 1: 1e-7 / sqrt(1 - 0.999) = {1e-7 / math.sqrt(1e-3):.1e}; "
      f"PyTorch's Adam moved {t_adam / k_adam:.1f} times as far as Keras's, PyTorch's RMSprop {t_rms / k_rms:.0f} times as far")

# %% [markdown]
# With tiny gradients Keras's RMSprop ($\sqrt{v + 10^{-7}} \approx 3\cdot 10^{-4}$ dominates
# $|g| = 10^{-6}$) barely moves, and Keras's Adam ($\hat\epsilon$ acts like $3\cdot 10^{-6}$ at $t = 1$)
# takes smaller steps than PyTorch's (the ratios are printed). Neither is wrong; they are
# different optimizers with the same name.
#
# ### 3.1 Adagrad and rare features
# A linear model (noise-free targets, squared loss) where feature 1 is non-zero in 2 % of the
# samples, trained with mini-batches of 10: on most steps feature 1's gradient is exactly zero,
# and its curvature is about 50 times smaller than feature 0's. A rate safe for feature 0 moves
# feature 1 slowly; Adagrad divides each weight's step by the root of *its own* summed squared
# gradients, which stays small for the rare feature. Each method is run at nine learning rates on
# the same batches (a NumPy loop in PyTorch's convention, §2, all rates at once), 200 steps from 0.

# %%
X_sp = np.column_stack([rng.normal(size=2000), rng.normal(size=2000) * (rng.uniform(size=2000) < 0.02)])
w_true = np.array([1.0, -2.0])
y_sp = X_sp @ w_true
lrs = np.geomspace(0.03, 3.0, 9)

def rare_feature_run(adagrad, num_steps=200, batch=10, seed=1):
    """Mini-batch SGD or Adagrad (PyTorch's convention, eps = 1e-10) from w = 0, one run per rate
    in lrs, all on the same batches. Returns the final |w - w_true|, shape (len(lrs), 2), and the
    share of steps on which feature 1's gradient is exactly zero."""
    batch_rng = np.random.default_rng(seed)
    W, G_sum, zero_steps = np.zeros((len(lrs), 2)), np.zeros((len(lrs), 2)), 0
    for _ in range(num_steps):
        idx = batch_rng.integers(0, len(y_sp), size=batch)
        Xb, yb = X_sp[idx], y_sp[idx]
        zero_steps += not Xb[:, 1].any()
        G = (W @ Xb.T - yb) @ Xb / batch  # one gradient per row of W
        if adagrad:
            G_sum += G**2
            G = G / (np.sqrt(G_sum) + 1e-10)
        W -= lrs[:, None] * G
    return np.abs(W - w_true), zero_steps / num_steps

with np.errstate(all="ignore"):  # SGD diverges at the largest rate
    err_sgd, zero_share = rare_feature_run(adagrad=False)
    err_ada, _ = rare_feature_run(adagrad=True)
curvature = (X_sp**2).mean(axis=0)
print(f"feature 1 is non-zero in {np.mean(X_sp[:, 1] != 0):.1%} of the samples; its gradient is exactly zero on "
      f"{zero_share:.0%} of the steps; its curvature is {curvature[1] / curvature[0]:.3f} times feature 0's")
print("     lr   SGD |w0 err|  |w1 err|   Adagrad |w0 err|  |w1 err|")
for lr_, e_sgd, e_ada in zip(lrs, err_sgd, err_ada):
    print(f"{lr_:7.3f}   {e_sgd[0]:9.1e} {e_sgd[1]:9.1e}   {e_ada[0]:13.1e} {e_ada[1]:9.1e}")
assert np.all(err_ada[:, 1] < np.nan_to_num(err_sgd[:, 1], nan=np.inf)), "Adagrad's error on the rare weight is not smaller"
for name, err in [("SGD", err_sgd), ("Adagrad", err_ada)]:
    good = lrs[np.nan_to_num(err.max(axis=1), nan=np.inf) < 1e-3]
    print(f"{name:8s}: both errors below 1e-3 at {len(good)} of the {len(lrs)} rates"
          + (f", lr from {good.min():.2f} to {good.max():.2f}" if len(good) else ""))

# %% [markdown]
# Tuned, SGD also fits both weights, but only in a narrow band of rates just below where it
# diverges (the largest rate); Adagrad fits both over a wide band, and at each rate where both
# converge its error on the rare weight is smaller (the table). On a full batch the same effect
# is plain diagonal preconditioning of an ill-conditioned quadratic; with mini-batches it is also
# what keeps the rare weight's step large on the few steps where its gradient is not zero.
#
# ## 4. Optimizer state, in bytes, from the frameworks' own state
# One step of each optimizer on a $1000 \times 1000$ linear layer with bias (1,001,000 float32
# weights, 4.0 MB), then the bytes of the state the framework itself keeps (step counters left out).

# %%
layer = torch.nn.Linear(1000, 1000)
dense = keras.layers.Dense(1000)
dense.build((None, 1000))
param_bytes = sum(p.nbytes for p in layer.parameters())
setups = {"SGD": (lambda ps: torch.optim.SGD(ps, lr=0.1), lambda: keras.optimizers.SGD(0.1)),
          "SGD + momentum": (lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), lambda: keras.optimizers.SGD(0.1, momentum=0.9)),
          "RMSprop": (lambda ps: torch.optim.RMSprop(ps), lambda: keras.optimizers.RMSprop()),
          "Adam": (lambda ps: torch.optim.Adam(ps), lambda: keras.optimizers.Adam()),
          "AdamW": (lambda ps: torch.optim.AdamW(ps), lambda: keras.optimizers.AdamW())}
state_ratio = {}
for name, (make_torch, make_keras) in setups.items():
    opt = make_torch(layer.parameters())
    for p in layer.parameters():
        p.grad = torch.ones_like(p)
    opt.step()
    k_opt = make_keras()
    k_opt.build(dense.trainable_variables)
    t_bytes, k_bytes = torch_state_bytes(opt), keras_state_bytes(k_opt)
    state_ratio[name] = t_bytes / param_bytes
    print(f"{name:15s} torch state {t_bytes / 1e6:5.1f} MB, keras {k_bytes / 1e6:5.1f} MB: {t_bytes / param_bytes:.0f}x the weights")
assert [state_ratio[k] for k in ("SGD", "SGD + momentum", "Adam")] == [0, 1, 2]

# %% [markdown]
# SGD keeps nothing, momentum one buffer, Adam two: for a 7-billion-parameter model in float32
# that is 0, 28 and 56 GB on top of the 28 GB of weights (and the gradients). This is why
# memory-lean optimizers (Adafactor's factored second moment, 8-bit states) exist.
#
# ## 5. What Adam is, and what it is not
# Adam multiplies each weight's step by $1/(\sqrt{\hat v} + \epsilon)$, where $\hat v$ is a running mean
# of *squared gradients*: a **diagonal rescaling by a running RMS of gradients**. It is not
# Newton's method, nor in general an estimate of the curvature, although it is sometimes
# described as one (the notes this course grew from say it "scales by curvature"). What is true:
# $\hat v$ is a running mean of the *uncentred* second moment of the gradients, i.e. the diagonal of
# the empirical Fisher matrix; for a likelihood loss near the optimum of a well-specified model,
# with per-example (mini-batch) gradients, the Fisher approximates the Hessian (the Gauss-Newton
# argument). Even then Adam divides by its *square root*, an $H^{-1/2}$-like scaling, not Newton's
# $H^{-1}$. In a full-batch run like the one below there is no Fisher to speak of: $\hat v$ is a
# running mean of the squared full gradients along the path, and those mix curvature with the
# distance to the minimum. Newton divides by the
# Hessian, $d = -H^{-1}g$; for $f = \tfrac12\sum_i \lambda_i \theta_i^2$ that is a step of $g_i/\lambda_i$.
# Adam's scale $|g_i| = \lambda_i|\theta_i|$ mixes curvature with the distance to the minimum. On
# $\tfrac12(x^2 + 100y^2)$ from $(100, 1)$ the two gradients are equal, so Adam scales both
# coordinates alike although their curvatures differ a hundredfold:

# %%
theta = np.array([100.0, 1.0])
lams_ = np.array([1.0, 100.0])
g0 = lams_ * theta
print(f"gradient {g0}; Newton's step {g0 / lams_}; Adam's first step (lr = 1) {g0 / np.sqrt(g0**2)}")
for scale in (1.0, 1000.0):
    path = torch_trajectory(lambda ps: torch.optim.Adam(ps, lr=0.5), theta, lambda w: scale * lams_ * w, 100)
    print(f"loss scaled by {scale:6.0f}: Adam after 100 steps at {path[-1]}")

# %% [markdown]
# Scaling the loss by 1000 leaves Adam's path unchanged (it divides the scale out), a
# property it shares with Newton; but unlike Newton its steps are of size about $\eta$ per
# coordinate whatever the curvature: $x$, a hundred times flatter than $y$ and a hundred times
# farther away, is still far from 0 after 100 steps of at most about 0.5. Why not real Newton
# at scale? A Hessian of $n^2$ entries ($4\cdot 10^{18}$ bytes for $n = 10^9$ in float32) and an
# $O(n^3)$ solve per step; Adam costs $2n$ numbers and $O(n)$ work.
#
# ### 5.1 When Adam loses to SGD with momentum
# Reddi, Kale and Kumar (2018) built a convex online problem on which Adam converges to the
# *worst* point: $\theta \in [-1, 1]$, loss $C\theta$ on every third step and $-\theta$ on the others
# ($C = 3$). The average loss $\tfrac{C-2}{3}\theta$ is minimised at $\theta = -1$. With
# $\beta_1 = 0$, $\beta_2 = 1/(1+C^2)$ and $\eta_t = 0.5/\sqrt t$ (`online_run` sets this rate for every
# optimizer at every step, whatever `lr` it was built with), Adam's rare large gradient $C$ is
# divided by a $\sqrt v$ it has itself inflated, while the two small gradients $-1$ that follow see
# a $v$ that has already decayed, so each $-1$ step is nearly as large as the $C$ step and the
# drift goes the wrong way. AMSGrad (keep the running maximum of $v$) and SGD with momentum
# both find $-1$.

# %%
def online_run(make, C=3.0, num_steps=3000):
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = make([x])
    for t in range(1, num_steps + 1):
        for group in opt.param_groups:
            group["lr"] = 0.5 / math.sqrt(t)
        x.grad = torch.tensor([C if t % 3 == 1 else -1.0], dtype=torch.float64)
        opt.step()
        with torch.no_grad():
            x.clamp_(-1.0, 1.0)  # projection onto [-1, 1]
    return x.item()

beta2_bad = 1 / (1 + 3.0**2)
finals = {"Adam": online_run(lambda ps: torch.optim.Adam(ps, betas=(0.0, beta2_bad))),
          "AMSGrad": online_run(lambda ps: torch.optim.Adam(ps, betas=(0.0, beta2_bad), amsgrad=True)),
          "SGD + momentum": online_run(lambda ps: torch.optim.SGD(ps, lr=0.5, momentum=0.9))}
for name, x_end in finals.items():
    print(f"{name:15s} ends at theta = {x_end:+.3f}, average loss {(3.0 - 2) / 3 * x_end:+.3f} (best -0.333)")

# %% [markdown]
# The same failure mode, milder, appears in practice when informative gradients are rare and
# large: Adam's short memory ($\beta_2$) forgets them. A larger $\beta_2$ (0.999) or AMSGrad
# mitigates it. Separately, on image classifiers tuned SGD with momentum often generalises
# better than Adam (Wilson et al., 2017): mostly an empirical finding, though they also construct
# a problem on which adaptive methods provably generalise worse; it is not a law for every task.
#
# ## 6. Explore: race the optimizers
# Tick optimizers, slide the learning rate and $\beta$ (momentum, RMSprop's decay, Adam's
# $\beta_1$), switch between the ravine and Rosenbrock. Things to try: the same `lr=0.02` for
# everyone on the ravine (GD crawls, Adam's steps of size about lr cross it); Rosenbrock with
# `lr=0.001` (momentum's speed along the floor) and then `lr=0.05` (only the adaptive methods
# survive, since their steps are bounded by about lr per coordinate). The explorer needs the
# `ipympl` package (installed with the course) for `%matplotlib widget`.

# %%
# %matplotlib widget
from calcopt.widgets.optimizers import OptimizerRace

OptimizerRace(problem="ravine", lr=0.02, beta=0.9, num_steps=150, racing=("GD", "momentum", "Adam"))

# %% [markdown]
# ## 7. Exercises
# **In place**, as in part 1: the results go into the arrays you were given, `params` and the
# state's arrays (`state["square_avg"]`, `state["m"]`, `state["v"]`), never into new ones: do not
# assign a new array to any of them. Temporaries for intermediate values are allowed, and the
# fewer the faster (§8 times your Adam against a naive one). For example, with one temporary `tmp`:
# `np.sqrt(v, out=tmp)`, `tmp += eps`, `np.divide(grads, tmp, out=tmp)`. A shape mismatch raises
# `ValueError` before anything is modified.
#
# ### Exercise 1: the RMSprop step (2 points)

# %% nbgrader={"grade_id": "rmsprop_step", "solution": true}
def rmsprop_step(params, grads, state, lr, alpha, eps):
    """One RMSprop step, PyTorch's convention:
    v <- alpha v + (1 - alpha) g^2;  params <- params - lr g / (sqrt(v) + eps).

    params: float NumPy array of any shape (float32 or float64), updated IN PLACE.
    grads: NumPy array of the same shape (not modified).
    state: dict with key "square_avg", a float array of params' shape and dtype (zeros before
      the first step), updated IN PLACE.
    lr, alpha, eps: floats.
    Returns (params, state): the same objects that were passed in; params and the state's arrays
      keep their dtype.
    Raises ValueError if grads.shape != params.shape (even where NumPy would broadcast), before
      modifying anything.
    """
    ### BEGIN SOLUTION
    if grads.shape != params.shape:
        raise ValueError(f"grads has shape {grads.shape}, params {params.shape}")
    v = state["square_avg"]
    tmp = np.multiply(grads, grads)
    tmp *= 1 - alpha
    v *= alpha
    v += tmp
    np.sqrt(v, out=tmp)
    tmp += eps
    np.divide(grads, tmp, out=tmp)
    tmp *= lr
    params -= tmp
    return params, state
    ### END SOLUTION

# %% nbgrader={"grade_id": "rmsprop_step_tests", "grade": true, "points": 2}
_p, _g = np.array([[1.0, -2.0], [0.5, 3.0], [0.0, 1.0]]), np.array([[2.0, -1.0], [0.0, 4.0], [1.0, -3.0]])
_state = {"square_avg": np.array([[1.0, 0.0], [4.0, 1.0], [0.0, 2.0]])}
_buf = _state["square_avg"]
_out = rmsprop_step(_p, _g, _state, 0.1, 0.75, 0.0)
check_true("rmsprop_step: state['square_avg'] updated in place", _state["square_avg"] is _buf,
           "write into the array state['square_avg'] (v *= alpha, v += ...); do not assign a new array to it")
check_type("rmsprop_step(...) returns a tuple", _out, tuple)
check_true("rmsprop_step: params updated in place", _out[0] is _p, "return the params array you were given, updated in place")
check_true("rmsprop_step: state updated in place", _out[1] is _state, "return the state dict you were given")
check_close("rmsprop_step: square_avg", _state["square_avg"], np.array([[1.75, 0.25], [3.0, 4.75], [0.25, 3.75]]), rtol=1e-12)
check_close("rmsprop_step: params", _p, np.array([[1.0 - 0.2 / np.sqrt(1.75), -1.8], [0.5, 3.0 - 0.4 / np.sqrt(4.75)], [-0.2, 1.0 + 0.3 / np.sqrt(3.75)]]), rtol=1e-12)
_p32, _s32 = np.array([1.0, 2.0], dtype=np.float32), {"square_avg": np.zeros(2, dtype=np.float32)}
rmsprop_step(_p32, np.array([1.0, -1.0], dtype=np.float32), _s32, 0.5, 0.75, 0.0)
check_close("rmsprop_step keeps float32", _p32, np.array([0.0, 3.0]), rtol=1e-6, dtype=np.float32)
check_close("rmsprop_step keeps square_avg float32", _s32["square_avg"], np.array([0.25, 0.25]), rtol=1e-6, dtype=np.float32)
_p, _g, _state = np.array([1.0, -1.0, 0.5]), np.array([0.01, 0.002, -0.02]), {"square_avg": np.array([1e-4, 0.0, 4e-4])}
rmsprop_step(_p, _g, _state, 0.1, 0.5, 1e-2)  # v becomes [1e-4, 2e-6, 4e-4]: sqrt(v) is comparable to eps
check_close("rmsprop_step with eps = 1e-2 and small gradients (check where eps goes: outside the root)", _p,
            np.array([1.0, -1.0, 0.5]) - 0.1 * _g / (np.sqrt([1e-4, 2e-6, 4e-4]) + 1e-2), rtol=1e-12)
_A = np.array([[3.0, 1.0], [1.0, 2.0]])
_x, _s, _traj = np.array([2.0, -3.0]), {"square_avg": np.zeros(2)}, []
for _ in range(30):
    rmsprop_step(_x, _A @ _x, _s, 0.05, 0.9, 1e-8)
    _traj.append(_x.copy())
_torch = torch_trajectory(lambda ps: torch.optim.RMSprop(ps, lr=0.05, alpha=0.9, eps=1e-8), np.array([2.0, -3.0]), lambda x: _A @ x, 30)
check_close("rmsprop_step: 30 steps against torch.optim.RMSprop", np.array(_traj), _torch[1:], rtol=1e-9, atol=1e-12)
_p = np.ones((2, 3))
try:
    rmsprop_step(_p, np.ones(3), {"square_avg": np.zeros((2, 3))}, 0.1, 0.9, 1e-8)
    _raised = False
except ValueError:
    _raised = True
check_true("rmsprop_step raises ValueError on grads of shape (3,) against params (2, 3)", _raised,
           "expected a ValueError: compare the shapes yourself, NumPy would broadcast (3,) against (2, 3)")
check_close("rmsprop_step: params unchanged when it raises", _p, np.ones((2, 3)), rtol=0.0)
print("rmsprop_step: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(611)
for _trial in range(8):
    _shape = [(5,), (3, 4), (1,), (2, 3, 2)][_trial % 4]
    _p = test_rng.normal(size=_shape)
    _state = {"square_avg": np.zeros(_shape)}
    _bufs = (_state["square_avg"],)
    _lr, _alpha, _eps = float(test_rng.uniform(0.001, 0.1)), float(test_rng.uniform(0.5, 0.999)), float(10.0 ** test_rng.uniform(-10, -2))
    for _k in range(int(test_rng.integers(1, 6))):
        _g = test_rng.normal(scale=3.0, size=_shape)
        _g0 = _g.copy()
        _ret = rmsprop_step(_p, _g, _state, _lr, _alpha, _eps)
    expect(f"rmsprop_step(trial {_trial}): params", _p, rtol=1e-9, atol=1e-12, dtype=np.float64)
    expect(f"rmsprop_step(trial {_trial}): square_avg", _state["square_avg"], rtol=1e-9, atol=1e-12)
    expect(f"rmsprop_step(trial {_trial}): grads unchanged", _g - _g0, atol=0.0)
    expect(f"rmsprop_step(trial {_trial}): in place", _ret[0] is _p and _ret[1] is _state and _state["square_avg"] is _bufs[0])
_p, _state = np.array([1.0, -1.0]), {"square_avg": np.zeros(2)}
rmsprop_step(_p, np.zeros(2), _state, 0.1, 0.9, 1e-8)
expect("rmsprop_step(zero gradient, zero state)", _p, atol=0.0)
_p, _state = np.array([1.0, -1.0, 2.0]), {"square_avg": np.array([1e-12, 1e6, 0.0])}
rmsprop_step(_p, np.array([1e-6, 1e3, -1e-9]), _state, 0.01, 0.99, 1e-3)
expect("rmsprop_step(mixed scales, eps 1e-3)", _p, rtol=1e-9)
_p32 = test_rng.normal(size=6).astype(np.float32)
_state = {"square_avg": test_rng.uniform(0.1, 2.0, size=6).astype(np.float32)}
rmsprop_step(_p32, test_rng.normal(size=6).astype(np.float32), _state, 0.01, 0.9, 1e-8)
expect("rmsprop_step(float32)", _p32, rtol=1e-5, atol=1e-6, dtype=np.float32)
expect("rmsprop_step(float32): square_avg", _state["square_avg"], rtol=1e-5, atol=1e-7, dtype=np.float32)
for _gshape in [(3,), (1,), (2, 1), (3, 2)]:
    _p = np.ones((2, 3))
    try:
        rmsprop_step(_p, np.ones(_gshape), {"square_avg": np.zeros((2, 3))}, 0.1, 0.9, 1e-8)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"rmsprop_step raises ValueError on grads {_gshape} against params (2, 3)", _raised)
    expect(f"rmsprop_step(grads {_gshape}): params unchanged", _p, atol=0.0)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2: the Adam step, with bias correction (3 points)

# %% nbgrader={"grade_id": "adam_step", "solution": true}
def adam_step(params, grads, state, lr, beta1, beta2, eps):
    """One Adam step, PyTorch's convention (eps added to sqrt of the corrected v):
    t <- t + 1; m <- beta1 m + (1 - beta1) g; v <- beta2 v + (1 - beta2) g^2;
    params <- params - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps).

    params: float NumPy array of any shape (float32 or float64), updated IN PLACE.
    grads: NumPy array of the same shape (not modified).
    state: dict with keys "m" and "v" (float arrays of params' shape and dtype, zeros before the
      first step, updated IN PLACE) and "step" (int, the number of steps taken so far, 0 at first).
    lr, beta1, beta2, eps: floats.
    Returns (params, state): the same objects that were passed in; params and the state's arrays
      keep their dtype.
    Raises ValueError if grads.shape != params.shape (even where NumPy would broadcast), before
      modifying anything.
    """
    ### BEGIN SOLUTION
    if grads.shape != params.shape:
        raise ValueError(f"grads has shape {grads.shape}, params {params.shape}")
    state["step"] += 1
    t = state["step"]
    m, v = state["m"], state["v"]
    tmp = np.multiply(grads, 1 - beta1)
    m *= beta1
    m += tmp
    np.multiply(grads, grads, out=tmp)
    tmp *= 1 - beta2
    v *= beta2
    v += tmp
    np.sqrt(v, out=tmp)
    tmp *= 1 / math.sqrt(1 - beta2**t)
    tmp += eps
    np.divide(m, tmp, out=tmp)
    tmp *= lr / (1 - beta1**t)
    params -= tmp
    return params, state
    ### END SOLUTION

# %% nbgrader={"grade_id": "adam_step_tests", "grade": true, "points": 3}
_p, _g = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]]), np.array([[0.5, -1.0, 2.0], [0.0, 4.0, -0.25]])
_state = {"m": np.zeros((2, 3)), "v": np.zeros((2, 3)), "step": 0}
_bufs = _state["m"], _state["v"]
_out = adam_step(_p, _g, _state, 0.1, 0.9, 0.999, 1e-12)
check_true("adam_step: state['m'] and state['v'] updated in place", _state["m"] is _bufs[0] and _state["v"] is _bufs[1],
           "write into the arrays state['m'] and state['v'] (m *= beta1, m += ...); do not assign new arrays to them")
check_type("adam_step(...) returns a tuple", _out, tuple)
check_true("adam_step: params updated in place", _out[0] is _p, "return the params array you were given, updated in place")
check_true("adam_step: state updated in place", _out[1] is _state, "return the state dict you were given")
check_equal("adam_step: state['step'] after one step", _state["step"], 1)
check_close("adam_step: the first step is lr * sign(g) (bias correction)", _p, np.array([[0.9, -1.9, 0.4], [3.0, -0.1, -0.9]]), rtol=1e-10)
check_close("adam_step: m", _state["m"], 0.1 * _g, rtol=1e-12)
check_close("adam_step: v", _state["v"], 0.001 * _g**2, rtol=1e-12)
_p32, _s32 = np.array([1.0, 2.0], dtype=np.float32), {"m": np.zeros(2, np.float32), "v": np.zeros(2, np.float32), "step": 0}
adam_step(_p32, np.array([3.0, -0.5], dtype=np.float32), _s32, 0.5, 0.9, 0.999, 0.0)
check_close("adam_step keeps float32", _p32, np.array([0.5, 2.5]), rtol=1e-6, dtype=np.float32)
check_close("adam_step keeps m float32", _s32["m"], np.array([0.3, -0.05]), rtol=1e-6, dtype=np.float32)
check_close("adam_step keeps v float32", _s32["v"], np.array([0.009, 0.00025]), rtol=1e-5, dtype=np.float32)
_p, _g = np.array([1.0, -1.0, 0.5]), np.array([0.01, -0.002, 0.5])
adam_step(_p, _g, {"m": np.zeros(3), "v": np.zeros(3), "step": 0}, 0.1, 0.9, 0.999, 1e-2)  # first step: sqrt(v_hat) = |g|
check_close("adam_step with eps = 1e-2 and small gradients (check where eps goes: added to sqrt of the corrected v)", _p,
            np.array([1.0, -1.0, 0.5]) - 0.1 * _g / (np.abs(_g) + 1e-2), rtol=1e-10)
_A = np.array([[3.0, 1.0], [1.0, 2.0]])
_x, _s, _traj = np.array([2.0, -3.0]), {"m": np.zeros(2), "v": np.zeros(2), "step": 0}, []
for _ in range(100):
    adam_step(_x, _A @ _x, _s, 0.05, 0.8, 0.99, 1e-8)
    _traj.append(_x.copy())
_torch = torch_trajectory(lambda ps: torch.optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-8), np.array([2.0, -3.0]), lambda x: _A @ x, 100)
check_close("adam_step: 100 steps against torch.optim.Adam", np.array(_traj), _torch[1:], rtol=1e-8, atol=1e-11)
_p = np.ones((2, 3))
try:
    adam_step(_p, np.ones(3), {"m": np.zeros((2, 3)), "v": np.zeros((2, 3)), "step": 0}, 0.1, 0.9, 0.999, 1e-8)
    _raised = False
except ValueError:
    _raised = True
check_true("adam_step raises ValueError on grads of shape (3,) against params (2, 3)", _raised,
           "expected a ValueError: compare the shapes yourself, NumPy would broadcast (3,) against (2, 3)")
check_close("adam_step: params unchanged when it raises", _p, np.ones((2, 3)), rtol=0.0)
print("adam_step: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(612)
for _trial in range(8):
    _shape = [(5,), (3, 4), (1,), (2, 3, 2)][_trial % 4]
    _p = test_rng.normal(size=_shape)
    _state = {"m": np.zeros(_shape), "v": np.zeros(_shape), "step": 0}
    _bufs = _state["m"], _state["v"]
    _lr, _b1, _b2 = float(test_rng.uniform(0.001, 0.1)), float(test_rng.uniform(0.0, 0.95)), float(test_rng.uniform(0.9, 0.9999))
    _eps = float(10.0 ** test_rng.uniform(-10, -3))
    for _k in range(int(test_rng.integers(1, 8))):
        _g = test_rng.normal(scale=3.0, size=_shape)
        _g0 = _g.copy()
        _ret = adam_step(_p, _g, _state, _lr, _b1, _b2, _eps)
    expect(f"adam_step(trial {_trial}): params", _p, rtol=1e-9, atol=1e-12, dtype=np.float64)
    expect(f"adam_step(trial {_trial}): m", _state["m"], rtol=1e-9, atol=1e-12)
    expect(f"adam_step(trial {_trial}): v", _state["v"], rtol=1e-9, atol=1e-12)
    expect(f"adam_step(trial {_trial}): step", _state["step"])
    expect(f"adam_step(trial {_trial}): grads unchanged", _g - _g0, atol=0.0)
    expect(f"adam_step(trial {_trial}): in place", _ret[0] is _p and _ret[1] is _state and _state["m"] is _bufs[0] and _state["v"] is _bufs[1])
_p, _state = np.array([1.0, -1.0]), {"m": np.zeros(2), "v": np.zeros(2), "step": 0}
adam_step(_p, np.zeros(2), _state, 0.1, 0.9, 0.999, 1e-8)
expect("adam_step(zero gradient)", _p, atol=0.0)
_p, _state = np.array([1.0, 2.0, 3.0]), {"m": np.array([0.1, -0.2, 0.0]), "v": np.array([0.01, 0.04, 1e-6]), "step": 50}
adam_step(_p, np.array([1e-4, 1e3, -2.0]), _state, 0.01, 0.9, 0.999, 1e-8)
expect("adam_step(at step 51, mixed scales)", _p, rtol=1e-9)
_p, _state = np.array([1.0, 2.0, 3.0]), {"m": np.array([1e-3, -2e-3, 0.0]), "v": np.array([1e-6, 4e-6, 1e-8]), "step": 3}
adam_step(_p, np.array([2e-3, -1e-3, 1e-4]), _state, 0.01, 0.9, 0.99, 1e-2)
expect("adam_step(eps 1e-2 against small gradients)", _p, rtol=1e-9)
_p32 = test_rng.normal(size=6).astype(np.float32)
_state = {"m": np.zeros(6, np.float32), "v": np.zeros(6, np.float32), "step": 0}
for _k in range(3):
    adam_step(_p32, test_rng.normal(size=6).astype(np.float32), _state, 0.01, 0.9, 0.999, 1e-8)
expect("adam_step(float32)", _p32, rtol=1e-5, atol=1e-6, dtype=np.float32)
expect("adam_step(float32): m", _state["m"], rtol=1e-5, atol=1e-7, dtype=np.float32)
expect("adam_step(float32): v", _state["v"], rtol=1e-5, atol=1e-8, dtype=np.float32)
for _gshape in [(3,), (1,), (2, 1), (3, 2)]:
    _p = np.ones((2, 3))
    try:
        adam_step(_p, np.ones(_gshape), {"m": np.zeros((2, 3)), "v": np.zeros((2, 3)), "step": 0}, 0.1, 0.9, 0.999, 1e-8)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"adam_step raises ValueError on grads {_gshape} against params (2, 3)", _raised)
    expect(f"adam_step(grads {_gshape}): params unchanged", _p, atol=0.0)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3: the AdamW step (2 points)
# Decoupled weight decay, PyTorch's and Keras's form: shrink the weights by $1 - \eta\lambda$, then
# take the Adam step with the gradient as given (the decay does *not* enter $m$ or $v$). You may
# call your `adam_step`.

# %% nbgrader={"grade_id": "adamw_step", "solution": true}
def adamw_step(params, grads, state, lr, beta1, beta2, eps, weight_decay):
    """One AdamW step: params <- params (1 - lr weight_decay), then adam_step with the same
    arguments. Same in-place contract (params, state["m"], state["v"]), dtypes, return value and
    state as adam_step; raises ValueError on a shape mismatch before modifying anything (the
    decay included)."""
    ### BEGIN SOLUTION
    if grads.shape != params.shape:
        raise ValueError(f"grads has shape {grads.shape}, params {params.shape}")
    params *= 1 - lr * weight_decay
    return adam_step(params, grads, state, lr, beta1, beta2, eps)
    ### END SOLUTION

# %% nbgrader={"grade_id": "adamw_step_tests", "grade": true, "points": 2}
_p, _g = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]]), np.array([[0.5, -1.0, 2.0], [0.0, 4.0, -0.25]])
_state = {"m": np.zeros((2, 3)), "v": np.zeros((2, 3)), "step": 0}
_bufs = _state["m"], _state["v"]
_out = adamw_step(_p, _g, _state, 0.1, 0.9, 0.999, 1e-12, 0.5)
check_true("adamw_step: state['m'] and state['v'] updated in place", _state["m"] is _bufs[0] and _state["v"] is _bufs[1],
           "write into the arrays state['m'] and state['v']; do not assign new arrays to them")
check_type("adamw_step(...) returns a tuple", _out, tuple)
check_true("adamw_step: params updated in place", _out[0] is _p, "return the params array you were given, updated in place")
check_close("adamw_step: decay, then lr * sign(g)", _p, np.array([[0.85, -1.8, 0.375], [2.85, -0.1, -0.85]]), rtol=1e-10)
check_close("adamw_step: the decay does not enter m", _state["m"], 0.1 * _g, rtol=1e-12)
_A = np.array([[3.0, 1.0], [1.0, 2.0]])
_x, _s, _traj = np.array([2.0, -3.0]), {"m": np.zeros(2), "v": np.zeros(2), "step": 0}, []
for _ in range(100):
    adamw_step(_x, _A @ _x + 1.0, _s, 0.05, 0.8, 0.99, 1e-8, 0.3)
    _traj.append(_x.copy())
_torch = torch_trajectory(lambda ps: torch.optim.AdamW(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-8, weight_decay=0.3),
                          np.array([2.0, -3.0]), lambda x: _A @ x + 1.0, 100)
check_close("adamw_step: 100 steps against torch.optim.AdamW", np.array(_traj), _torch[1:], rtol=1e-8, atol=1e-11)
_p32, _s32 = np.array([1.0, 2.0], dtype=np.float32), {"m": np.zeros(2, np.float32), "v": np.zeros(2, np.float32), "step": 0}
adamw_step(_p32, np.array([3.0, -0.5], dtype=np.float32), _s32, 0.5, 0.9, 0.999, 0.0, 0.5)
check_close("adamw_step keeps float32", _p32, np.array([0.25, 2.0]), rtol=1e-6, dtype=np.float32)
check_close("adamw_step keeps m and v float32", np.concatenate([_s32["m"], _s32["v"]]), np.array([0.3, -0.05, 0.009, 0.00025]),
            rtol=1e-5, dtype=np.float32)
_p, _state = np.ones((2, 3)), {"m": np.zeros((2, 3)), "v": np.zeros((2, 3)), "step": 0}
try:
    adamw_step(_p, np.ones(3), _state, 0.1, 0.9, 0.999, 1e-8, 0.5)
    _raised = False
except ValueError:
    _raised = True
check_true("adamw_step raises ValueError on grads of shape (3,) against params (2, 3)", _raised,
           "expected a ValueError: compare the shapes yourself, NumPy would broadcast (3,) against (2, 3)")
check_close("adamw_step: params unchanged when it raises (no decay either)", _p, np.ones((2, 3)), rtol=0.0)
print("adamw_step: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(613)
for _trial in range(8):
    _shape = [(5,), (3, 4), (1,), (2, 3, 2)][_trial % 4]
    _p = test_rng.normal(size=_shape)
    _state = {"m": np.zeros(_shape), "v": np.zeros(_shape), "step": 0}
    _bufs = _state["m"], _state["v"]
    _lr, _b1, _b2 = float(test_rng.uniform(0.001, 0.1)), float(test_rng.uniform(0.0, 0.95)), float(test_rng.uniform(0.9, 0.9999))
    _eps, _wd = float(10.0 ** test_rng.uniform(-10, -3)), float(test_rng.uniform(0.0, 1.0))
    for _k in range(int(test_rng.integers(1, 8))):
        _g = test_rng.normal(scale=3.0, size=_shape)
        _g0 = _g.copy()
        _ret = adamw_step(_p, _g, _state, _lr, _b1, _b2, _eps, _wd)
    expect(f"adamw_step(trial {_trial}): params", _p, rtol=1e-9, atol=1e-12, dtype=np.float64)
    expect(f"adamw_step(trial {_trial}): m", _state["m"], rtol=1e-9, atol=1e-12)
    expect(f"adamw_step(trial {_trial}): v", _state["v"], rtol=1e-9, atol=1e-12)
    expect(f"adamw_step(trial {_trial}): grads unchanged", _g - _g0, atol=0.0)
    expect(f"adamw_step(trial {_trial}): in place", _ret[0] is _p and _ret[1] is _state and _state["m"] is _bufs[0] and _state["v"] is _bufs[1])
_p, _state = np.array([1.0, -4.0]), {"m": np.zeros(2), "v": np.zeros(2), "step": 0}
adamw_step(_p, np.zeros(2), _state, 0.1, 0.9, 0.999, 1e-8, 0.5)
expect("adamw_step(zero gradient: decay only)", _p, rtol=1e-12)
_p, _state = np.array([1.0, -1.0]), {"m": np.zeros(2), "v": np.zeros(2), "step": 0}
adamw_step(_p, np.array([0.3, -2.0]), _state, 0.1, 0.9, 0.999, 1e-8, 0.0)
expect("adamw_step(weight_decay 0 is Adam)", _p, rtol=1e-9)
_p32 = test_rng.normal(size=6).astype(np.float32)
_state = {"m": np.zeros(6, np.float32), "v": np.zeros(6, np.float32), "step": 0}
for _k in range(3):
    adamw_step(_p32, test_rng.normal(size=6).astype(np.float32), _state, 0.01, 0.9, 0.999, 1e-8, 0.1)
expect("adamw_step(float32)", _p32, rtol=1e-5, atol=1e-6, dtype=np.float32)
expect("adamw_step(float32): m", _state["m"], rtol=1e-5, atol=1e-7, dtype=np.float32)
expect("adamw_step(float32): v", _state["v"], rtol=1e-5, atol=1e-8, dtype=np.float32)
for _gshape in [(3,), (1,), (2, 1), (3, 2)]:
    _p, _state = np.ones((2, 3)), {"m": np.zeros((2, 3)), "v": np.zeros((2, 3)), "step": 0}
    try:
        adamw_step(_p, np.ones(_gshape), _state, 0.1, 0.9, 0.999, 1e-8, 0.5)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"adamw_step raises ValueError on grads {_gshape} against params (2, 3)", _raised)
    expect(f"adamw_step(grads {_gshape}): params unchanged", _p, atol=0.0)
    expect(f"adamw_step(grads {_gshape}): step unchanged", _state["step"])
### END HIDDEN TESTS

# %% [markdown]
# ## 8. An optimizer step is memory-bound
# An Adam step does about a dozen arithmetic operations per weight but must read the weights,
# the gradient, $m$ and $v$ and write back the weights, $m$ and $v$: at least 7 arrays' worth of
# memory traffic. With 10 million float32 weights that is 280 MB per step, and a CPU core does
# the arithmetic far faster than memory delivers it: the step's time is set by the bytes
# moved. Below: your in-place `adam_step`, a naive NumPy Adam (a new array for every
# intermediate), and `torch.optim.Adam` with `foreach` (one kernel per operation over all
# tensors) and `fused` (one pass doing everything per element), a few steps each (best time).
# Every variant runs on one core (NumPy does; PyTorch is limited to one thread here), and the
# yardstick is one core's bandwidth measured in the same cell with `a += b` on arrays of the
# same size (3 arrays of traffic: read `a` and `b`, write `a`). For each variant we count its
# *array transfers*, a read or a write of one 40 MB array: 7 is the minimum; a NumPy operation
# such as `m *= beta1` costs 2, `m += tmp` 3. Counted from the code: 30 for a step written as in
# the solution (13 operations; count yours), 33 for the naive one, 18 for PyTorch's `foreach`
# (7 kernels), 7 for `fused`. The figures are this machine's, just now: on a busy machine they
# vary from run to run, so read them as ratios. The cell allocates about 300 MB and takes some
# seconds.

# %%
def naive_adam(p, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), m, v

def best_time(step, repeat=2):
    step()  # warm up (first touch of the state's pages)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)

n_big = 10_000_000
p_np = rng.standard_normal(n_big, dtype=np.float32)
g_np = rng.standard_normal(n_big, dtype=np.float32)
array_bytes = p_np.nbytes
a_np = np.ones_like(p_np)
bandwidth = 3 * array_bytes / best_time(lambda: np.add(a_np, g_np, out=a_np))  # bytes per second, one core
del a_np
transfers = {"your in-place NumPy adam_step": 30, "naive NumPy Adam": 33,
             "torch.optim.Adam(foreach=True)": 18, "torch.optim.Adam(fused=True)": 7}
timings = {}
state_np = {"m": np.zeros_like(p_np), "v": np.zeros_like(p_np), "step": 0}
timings["your in-place NumPy adam_step"] = best_time(lambda: adam_step(p_np, g_np, state_np, 1e-3, 0.9, 0.999, 1e-8))
del state_np
naive = {"p": p_np.copy(), "m": np.zeros_like(p_np), "v": np.zeros_like(p_np), "t": 0}
def naive_step():
    naive["t"] += 1
    naive["p"], naive["m"], naive["v"] = naive_adam(naive["p"], g_np, naive["m"], naive["v"], naive["t"])
timings["naive NumPy Adam"] = best_time(naive_step)
del naive
p_t = torch.from_numpy(p_np.copy()).requires_grad_()
p_t.grad = torch.from_numpy(g_np)
torch_threads = torch.get_num_threads()
torch.set_num_threads(1)  # one core, like NumPy and like the yardstick
try:
    for flavour in ("foreach", "fused"):
        try:
            opt = torch.optim.Adam([p_t], lr=1e-3, **{flavour: True})
            timings[f"torch.optim.Adam({flavour}=True)"] = best_time(opt.step)
        except (RuntimeError, ValueError) as err:
            print(f"torch.optim.Adam({flavour}=True) is not supported on this build: {err}")
        opt = None
finally:
    torch.set_num_threads(torch_threads)
transfer_time = array_bytes / bandwidth  # seconds per array transfer
bound = 7 * transfer_time
print(f"one core's bandwidth, measured now with a += b: {bandwidth / 1e9:.1f} GB/s, i.e. {transfer_time * 1e3:.1f} ms per "
      f"transfer of a {array_bytes / 1e6:.0f} MB array; an Adam step on {n_big:,} float32 weights moves at least 7 arrays: "
      f"{bound * 1e3:.0f} ms")
for name, seconds in timings.items():
    print(f"{name:32s} {seconds * 1e3:6.1f} ms = {seconds / bound:4.1f}x the 7-transfer bound; {transfers[name]:2d} transfers "
          f"= {transfers[name] / 7:4.1f}x the bound (measured / counted {seconds / (transfers[name] * transfer_time):.2f})")
print(f"the naive NumPy Adam takes {timings['naive NumPy Adam'] / timings['your in-place NumPy adam_step']:.1f}x "
      f"the time of your in-place one")
del p_np, g_np, p_t, opt

# %% [markdown]
# Read the ratios. `fused` reads and writes each array once; its last column (time over counted
# transfers times the time of one transfer) is the one closest to 1: that step costs what its
# memory traffic costs. The variants that make one pass per operation pay for every pass, so
# their times rank like their transfer counts, and they take longer than the count alone
# predicts (last column above 1): some passes (a square root, a division) cost more per element
# than the yardstick's add, and the naive version also
# allocates a new 40 MB array per intermediate, whose fresh pages the system must zero on first
# touch. None of this is
# arithmetic: an Adam step is a dozen flops per 28 bytes, far below what a core can compute in
# the time memory takes to deliver them. Unlimited, PyTorch uses several cores and, since one
# core seldom saturates the memory bus, can run faster than these one-core figures. On a GPU the
# same holds, with bandwidths of 1-3 TB/s.
#
# ## 9. Pitfalls and misconceptions
#
# **"Adam's denominator is the curvature."** It is the root of a running mean of squared
# gradients (§5): diagonal, blind to the Hessian's off-diagonal structure, and in a full-batch
# run a memory of $|g|$ along the path. Only for likelihood losses near a well-specified optimum does the mean of squared
# per-example gradients (the empirical Fisher) approximate the Hessian's diagonal, and even then
# Adam divides by its square root, not by the curvature itself as Newton does.
#
# **"Weight decay and L2 regularisation are the same."** For SGD (constant rate) yes, up to a
# rescaling of $\lambda$. For Adam no: an L2 term's gradient is divided by $\sqrt{\hat v}$, so weights
# with large gradients are decayed less. That is why AdamW exists; `torch.optim.Adam(weight_decay=…)`
# is L2, `torch.optim.AdamW` is decoupled, and Keras's `weight_decay` is always decoupled.
#
# **"$\epsilon$ is only for numerical safety."** It sets a floor on the denominator and so a
# ceiling of $\eta|g|/\epsilon$ on the step of weights whose gradients are tiny; its place (inside or
# outside the root, corrected or not) changes the optimizer when gradients are small (§3).
#
# **"Adagrad is obsolete."** Its ever-growing sum makes it slow on long non-convex runs, but
# for convex problems with sparse features it is still a strong, nearly tuning-free choice.
#
# ## 10. Interview corner
#
# **Mid.** Why does Adam need bias correction?
# <details><summary>Answer</summary>
# $m$ and $v$ start at zero, so after $t$ steps they are the true averages times $1-\beta_1^t$ and
# $1-\beta_2^t$. Dividing restores the scale; without it the early steps of Adam with
# $\beta_2 = 0.999$ are several times too large (§2.1).
# </details>
#
# **Senior.** AdamW against Adam with L2: what changes and when does it matter?
# <details><summary>Answer</summary>
# With L2, $\lambda\theta$ joins the gradient and is divided by $\sqrt{\hat v} + \epsilon$: weights with large
# gradient history are barely decayed. AdamW shrinks every weight by $1-\eta\lambda$ outside the
# adaptive step, so the decay is uniform: decoupled from the adaptive scaling (Loshchilov &
# Hutter, 2019). It is still multiplied by $\eta$ in PyTorch and Keras, so changing the learning
# rate (or its schedule) changes the effective decay $\eta\lambda$. Only the paper's own
# parametrisation, $\theta \leftarrow \theta - \eta_t(\alpha\,\hat m/(\sqrt{\hat v} + \epsilon) + \lambda\theta)$, separates the
# decay from the learning rate $\alpha$ (both still follow the schedule multiplier $\eta_t$). It matters whenever regularisation matters,
# e.g. for generalisation of large transformers.
# </details>
#
# **Principal.** Your 7-billion-parameter model does not fit on the accelerators with AdamW.
# What are the options, and their costs?
# <details><summary>Answer</summary>
# The state is 2x the weights (56 GB in float32) plus float32 master weights under mixed
# precision. Options: shard the optimizer state across data-parallel workers (ZeRO / FSDP),
# keep the states in 8 bits (block-wise quantised Adam), factor the second moment (Adafactor:
# row and column statistics instead of a full $v$), drop momentum or use an optimizer with one
# state (Lion, SGD with momentum), or offload the state to CPU memory (paying PCIe bandwidth,
# since the step is memory-bound). Validate each against the baseline's loss curve.
# </details>
#
# ## 11. Summary and further reading
#
# - Adagrad sums squared gradients (rare features get large steps); RMSprop averages them;
#   Adam adds momentum and bias correction; AdamW decouples the decay.
# - PyTorch and Keras differ in $\epsilon$'s place, Adagrad's initial accumulator, default decays
#   and decay rates; each equals our code under its own convention for 100 steps.
# - State: SGD none, momentum 1x, Adam 2x the weights. A step is memory-bound.
# - Adam is a diagonal rescaling by the RMS of gradients, not a curvature method, and can fail
#   to converge (Reddi et al.); AMSGrad and SGD with momentum do not on that problem.
#
# **Further reading.** Duchi, Hazan and Singer, "Adaptive subgradient methods" (JMLR 2011).
# Hinton, Srivastava and Swersky, *Neural Networks for Machine Learning*, lecture 6e (2012).
# Kingma and Ba, "Adam: a method for stochastic optimization" (ICLR 2015). Reddi, Kale and
# Kumar, "On the convergence of Adam and beyond" (ICLR 2018). Loshchilov and Hutter, "Decoupled
# weight decay regularization" (ICLR 2019). Wilson et al., "The marginal value of adaptive
# gradient methods in machine learning" (NeurIPS 2017). Next: Day 7, learning-rate schedules.
