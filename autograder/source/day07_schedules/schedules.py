# %% [markdown]
# # Day 7, part 1: Learning-rate schedules
#
# **Learning goals.** By the end of this notebook you can
# - write the common schedules as functions of the step: constant, step decay, exponential,
#   1/t, linear warmup, cosine with warmup, one-cycle;
# - state the step convention exactly (step 0 is the first update) and prove it in code;
# - build each one with `torch.optim.lr_scheduler` and with `keras.optimizers.schedules`, equal
#   to your own at every step, and say where Keras has no counterpart (one-cycle);
# - explain with numbers why a rate that decays lowers the noise floor of stochastic descent.
#
# **Prerequisites.** Day 3 (gradient descent, the stable range $0 < \eta < 2/L$), Day 5 (SGD
# and gradient noise), Day 6 (optimizers in `torch.optim` and Keras). **Time to complete.**
# About 2 hours, half of it on the exercises. Part 2 (`stable_training`) covers the range test,
# clipping and early stopping.
#
# | a learning-rate schedule | |
# |---|---|
# | what | a function $t \mapsto \eta_t$ from the integer step to the rate used by that update |
# | why | a large rate travels fast but leaves a noise floor $\propto \eta$; a small one settles but crawls |
# | when | every run longer than a few hundred steps; warmup for large batches and for Adam-type optimizers |
# | where | `scheduler.step()` after `optimizer.step()` in PyTorch; the optimizer calls `schedule(iterations)` in Keras |
# | who | step decay in the classic ImageNet recipes; cosine: Loshchilov & Hutter (2017, SGDR); warmup: Goyal et al. (2017); one-cycle: Smith (2017, 2018), PyTorch's default shape from fastai |
# | how | multiply the base rate by a factor that depends only on $t$ (and the run's length) |

# %% nbgrader={"grade_id": "setup", "locked": true}
from calcopt.checks import check_close, check_equal, check_true, check_type, expect, hidden_rng
import math
import numpy as np
import matplotlib.pyplot as plt
import torch
from torch.optim import lr_scheduler
import tensorflow as tf
import keras

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # small models: one thread is faster than several fighting over the cores


def torch_rates(make_scheduler, lr, num_steps):
    """PyTorch's rates at steps 0..num_steps-1: record the rate, optimizer.step(), scheduler.step()."""
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=lr, momentum=0.9)  # momentum: OneCycleLR cycles it
    scheduler = make_scheduler(optimizer)
    rates = []
    for t in range(num_steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if t < num_steps - 1:
            scheduler.step()
    return np.array(rates)


def keras_rates(schedule, num_steps):
    """A Keras schedule called at t = 0..num_steps-1."""
    return np.array([float(schedule(t)) for t in range(num_steps)])

# %% [markdown]
# ## 1. Intuition: travel fast, then settle
#
# With noisy gradients (Day 5), SGD does not stop at the minimum: it jitters around it, and the
# size of the jitter grows with the rate. On $f(x) = \tfrac12 a x^2$ with gradient noise of
# variance $\sigma^2$, SGD at a constant rate $\eta$ settles at a mean loss of about
# $\tfrac{a}{2}\,\mathbb{E}[x^2] = \tfrac{a}{2}\cdot\frac{\eta\sigma^2}{a(2 - a\eta)}$ (for $0 < a\eta < 2$):
# proportional to $\eta$ when $\eta$ is small. A large rate travels fast and settles high; a
# small one settles low but slowly. A rate that starts large and decays can do both. On this
# problem ($a = 1$, $\sigma = 1$, $x_0 = 3$, 400 steps) the expected loss can be computed exactly:
# $m_t = \mathbb{E}[x_t]$ and $v_t = \mathrm{Var}[x_t]$ obey $m_{t+1} = (1 - a\eta_t)\,m_t$ and
# $v_{t+1} = (1 - a\eta_t)^2 v_t + \eta_t^2\sigma^2$, and $\mathbb{E}[f(x_t)] = \tfrac{a}{2}(m_t^2 + v_t)$.
# One run is one draw of the noise (thin lines); the thick lines are the expectation, and the
# printed numbers are expectations, not luck of one seed. The decaying schedule is the $1/t$ decay
# $\eta_t = 0.5/(1 + t/2)$.

# %%
from calcopt.widgets.schedules import expected_quadratic_losses, noisy_quadratic_losses

num_steps, t = 400, np.arange(400)
runs = {
    "constant 0.5": np.full(num_steps, 0.5),
    "constant 0.02": np.full(num_steps, 0.02),
    "1/t: 0.5 / (1 + t/2)": 0.5 / (1 + t / 2),
}
fig, ax = plt.subplots(figsize=(6, 3.5))
final = {}  # expected loss, averaged over the last 40 steps
for name, lrs in runs.items():
    expected_loss = expected_quadratic_losses(lrs)
    average_of_runs = np.mean([noisy_quadratic_losses(lrs, seed=s)[-40:].mean() for s in range(200)])
    final[name] = expected_loss[-40:].mean()
    line, = ax.semilogy(expected_loss, linewidth=2, label=name)
    ax.semilogy(noisy_quadratic_losses(lrs), linewidth=0.5, alpha=0.5, color=line.get_color())
    print(f"{name:21s} last 40 steps: expected loss {final[name]:.2e} (mean of 200 runs {average_of_runs:.2e})")
constants = np.geomspace(1e-3, 1.0, 301)
best_constant = [expected_quadratic_losses(np.full(num_steps, eta))[-40:].mean() for eta in constants]
i_best = int(np.argmin(best_constant))
print(f"best constant rate (scanned): {constants[i_best]:.4f}, expected loss {best_constant[i_best]:.2e}")
print(f"predicted floor at constant 0.5: {0.5 * 1.0 / (2 * (2 - 0.5)):.2e}")
assert final["1/t: 0.5 / (1 + t/2)"] < best_constant[i_best] < final["constant 0.02"] < final["constant 0.5"]
ax.set(xlabel="step", ylabel="loss", title="SGD on x²/2, gradient noise σ = 1: expected (thick), one run (thin)")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# The large constant rate arrives first and stays on its floor, the predicted one. The small
# constant rate takes a few hundred steps to arrive, then settles on a much lower floor (the floor
# is proportional to $\eta$ for small $\eta$). The $1/t$ decay falls as fast as the large rate in the
# first steps, then keeps falling: it ends below both, and below the best constant rate
# for this run length (the scan above; the ordering is asserted in code). This is a fact about
# this quadratic and these 400 steps. Deep networks are not quadratics: the quadratic shows the
# mechanism, and proves nothing about them.
#
# ## 2. Theory: the schedules, and the step convention
#
# **Convention (one for the whole course).** $\eta_t$ is the rate used by update number $t$,
# counting from $t = 0$: the first `optimizer.step()` uses $\eta_0$. Equivalently $t$ is the
# number of updates already made. PyTorch: building the scheduler sets $\eta_0$; each
# iteration does `optimizer.step()` then `scheduler.step()`, so after $t$ calls of
# `scheduler.step()` the optimizer holds $\eta_t$. Keras: the optimizer evaluates
# `schedule(optimizer.iterations)`, and `iterations` is 0 during the first `apply_gradients`.
# A schedule here is a function of an integer $t \ge 0$ returning a float.
#
# With base (peak) rate $\eta_0$ or $\eta_{\max}$, run length $T$ and warmup length $W$:
#
# | schedule | $\eta_t$ | PyTorch | Keras |
# |---|---|---|---|
# | constant | $\eta_0$ | no scheduler (`ConstantLR` is *not* this: see the pitfalls, Section 7) | a float |
# | step decay | $\eta_0\,\gamma^{\lfloor t/s \rfloor}$ | `StepLR(step_size=s, gamma=γ)` | `ExponentialDecay(η0, s, γ, staircase=True)` |
# | exponential | $\eta_0\,\gamma^{t}$ | `ExponentialLR(gamma=γ)` | `ExponentialDecay(η0, 1, γ)` |
# | 1/t | $\eta_0 / (1 + k\,t/d)$ | `LambdaLR(lambda t: 1/(1 + k*t/d))` | `InverseTimeDecay(η0, d, k)` |
# | linear warmup | $\eta_0\,(f + (1-f)\min(t, W)/W)$ | `LinearLR(start_factor=f, total_iters=W)` | `PolynomialDecay(f·η0, W, η0, power=1)` |
# | cosine with warmup | warmup as above, then $\eta_{\min} + (\eta_{\max}-\eta_{\min})\tfrac{1 + \cos(\pi (t-W)/(T-W))}{2}$ for $W \le t \le T$, $\eta_{\min}$ after | `LinearLR`, then `CosineAnnealingLR`, joined by `SequentialLR` (Exercise 6; equal for $t \le T$ only: past $T$ the cosine climbs back, Section 7) | `CosineDecay` with its `warmup_*` arguments (Exercise 7) |
# | one-cycle | warm up from $\eta_{\max}/d$ to $\eta_{\max}$, anneal to $\eta_{\max}/(d\,d_f)$ | `OneCycleLR` | none |
#
# **One-cycle.** Smith's original (2017, 2018) is piecewise *linear* in three phases: up from a
# small rate to the peak, back down, then a short final decay far below the start. PyTorch's
# `OneCycleLR` default follows the fastai library instead: two phases, each a half cosine.
# It is defined in three pieces.
#
# - The cosine step from $a$ to $b$, at the fraction $p \in [0, 1]$ of the way:
#   $\mathrm{ann}(a, b, p) = b + \tfrac{a-b}{2}(1 + \cos \pi p)$.
# - Up: from $\eta_{\max}/d$ (`div_factor`, $d = 25$) to $\eta_{\max}$, reached at the
#   *fractional* step $P = \texttt{pct\_start}\cdot T - 1$:
#   $\eta_t = \mathrm{ann}(\eta_{\max}/d,\ \eta_{\max},\ t/P)$ for $t \le P$.
# - Down: from $\eta_{\max}$ to $\eta_{\max}/(d\,d_f)$ (`final_div_factor`, $d_f = 10^4$):
#   $\eta_t = \mathrm{ann}(\eta_{\max},\ \eta_{\max}/(d\,d_f),\ (t-P)/(T-1-P))$ for $P < t \le T-1$.
#
# The updates use $t = 0, \dots, T-1$. The usual loop calls `scheduler.step()` after every update,
# so it makes $T$ calls: the $T$-th is still accepted (it sets a rate no update uses, and that rate
# climbs back up along the cosine), and the $(T+1)$-th raises `ValueError` (shown below).
# `three_phase=True` is closer to Smith's shape: phases end at steps $P$, $2\,\texttt{pct\_start}\,T - 2$
# and $T - 1$ (up to $\eta_{\max}$, back down to $\eta_{\max}/d$, then the final anneal), still with
# cosine pieces unless `anneal_strategy="linear"`. By default `OneCycleLR` also cycles momentum the
# opposite way (0.95 down to 0.85 and back).
#
# ## 3. From scratch: constant and one-cycle
# The decays and the cosine are your exercises (Section 6). Here the two that are not.

# %%
def constant_lr(step, lr0):
    return float(lr0)


def ann_cos(start, end, pct):
    return end + (start - end) / 2 * (1 + math.cos(math.pi * pct))


def one_cycle_lr(step, max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    """PyTorch's OneCycleLR (two phases, cosine annealing) at step 0 <= step <= total_steps - 1."""
    initial, peak = max_lr / div_factor, pct_start * total_steps - 1
    final = initial / final_div_factor
    if step <= peak:
        return ann_cos(initial, max_lr, step / peak)
    return ann_cos(max_lr, final, (step - peak) / (total_steps - 1 - peak))


print("one-cycle, T = 10:", np.round([one_cycle_lr(t, 1.0, 10) for t in range(10)], 6))

# torch: T calls of scheduler.step() are accepted, the (T+1)-th raises
_opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
_one_cycle = lr_scheduler.OneCycleLR(_opt, max_lr=1.0, total_steps=10)
for call in range(1, 12):
    _opt.step()
    try:
        _one_cycle.step()
    except ValueError as error:
        print(f"call {call} of scheduler.step() raises ValueError: {error}")
        break
    if call >= 9:
        print(f"after call {call} of scheduler.step(): rate {_opt.param_groups[0]['lr']:.3g}")

# %% [markdown]
# **The step convention, proved.** Give the optimizers a loss whose gradient is 1 at every
# step ($L(w) = w$): then each update subtracts exactly the rate it used, and the rates can be
# read off the parameter. Both frameworks, exponential decay $\eta_t = 0.5^t$:

# %%
def rates_used_torch(make_scheduler, lr, num_steps):
    """The rate each update applied, read from the parameter's change under L(w) = w."""
    w = torch.nn.Parameter(torch.zeros((), dtype=torch.float64))
    optimizer = torch.optim.SGD([w], lr=lr)
    scheduler = make_scheduler(optimizer)
    values = [0.0]
    for _ in range(num_steps):
        optimizer.zero_grad()
        w.backward()  # dL/dw = 1
        optimizer.step()
        scheduler.step()
        values.append(w.item())
    return -np.diff(values)


def rates_used_keras(schedule, num_steps):
    w = tf.Variable(0.0)
    optimizer = keras.optimizers.SGD(learning_rate=schedule)
    values = [0.0]
    for _ in range(num_steps):
        optimizer.apply_gradients([(tf.constant(1.0), w)])
        values.append(float(w.numpy()))
    return -np.diff(values)


expected = 0.5 ** np.arange(5)
used_torch = rates_used_torch(lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.5), 1.0, 5)
used_keras = rates_used_keras(keras.optimizers.schedules.ExponentialDecay(1.0, 1, 0.5), 5)
np.testing.assert_allclose(used_torch, expected, rtol=1e-15)
np.testing.assert_allclose(used_keras, expected, rtol=1e-6)
print("rates used by updates 0..4:", used_torch, "(torch) and", used_keras, "(Keras): eta_0 first")

# %% [markdown]
# ## 4. The frameworks, equal at every step
# Two helpers of the setup cell read the rates. `torch_rates` records `param_groups[0]["lr"]`,
# then calls `optimizer.step()` and `scheduler.step()`. `keras_rates` calls a Keras schedule
# directly at $t = 0, 1, \dots$ (it returns float32, so the match is to about $10^{-7}$). Each row is asserted in code. The cosine here has
# no warmup; with a warmup (the cosine starting at $t = W$) it is Exercises 5 to 7.

# %%
ks = keras.optimizers.schedules
T, W, lr_max, lr_min, f0 = 60, 10, 0.8, 0.02, 0.1
t = np.arange(T)
table = {  # name: (torch rates, Keras rates or None, the formula)
    "step decay": (torch_rates(lambda o: lr_scheduler.StepLR(o, step_size=15, gamma=0.3), lr_max, T),
                   keras_rates(ks.ExponentialDecay(lr_max, 15, 0.3, staircase=True), T),
                   lr_max * 0.3 ** (t // 15)),
    "exponential": (torch_rates(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.95), lr_max, T),
                    keras_rates(ks.ExponentialDecay(lr_max, 1, 0.95), T), lr_max * 0.95**t),
    "1/t": (torch_rates(lambda o: lr_scheduler.LambdaLR(o, lambda s: 1 / (1 + 0.5 * s / 4)), lr_max, T),
            keras_rates(ks.InverseTimeDecay(lr_max, 4, 0.5), T), lr_max / (1 + 0.5 * t / 4)),
    "linear warmup": (torch_rates(lambda o: lr_scheduler.LinearLR(o, start_factor=f0, total_iters=W), lr_max, T),
                      keras_rates(ks.PolynomialDecay(f0 * lr_max, W, lr_max, power=1.0), T),
                      lr_max * (f0 + (1 - f0) * np.minimum(t, W) / W)),
    "cosine, no warmup": (  # over the whole run: T_max = decay_steps = T; eta_min a rate, alpha a fraction
        torch_rates(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=T, eta_min=lr_min), lr_max, T),
        keras_rates(ks.CosineDecay(lr_max, T, alpha=lr_min / lr_max), T),
        lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * t / T)) / 2),
    "one-cycle": (torch_rates(lambda o: lr_scheduler.OneCycleLR(o, max_lr=lr_max, total_steps=T), lr_max, T),
                  None, np.array([one_cycle_lr(s, lr_max, T) for s in t])),
}
fig, ax = plt.subplots(figsize=(7, 3.5))
for name, (torch_r, keras_r, formula) in table.items():
    np.testing.assert_allclose(torch_r, formula, rtol=1e-12)
    if keras_r is not None:
        np.testing.assert_allclose(keras_r, formula, rtol=2e-6)
    gap = "no Keras counterpart" if keras_r is None else f"Keras gap {np.max(np.abs(keras_r / formula - 1)):.1e}"
    print(f"{name:20s} torch gap {np.max(np.abs(torch_r / formula - 1)):.1e}, {gap}")
    ax.plot(t, formula, label=name)
ax.set(xlabel="step t (0 = first update)", ylabel="learning rate")
ax.legend(fontsize="small", ncols=2)
plt.show()

# %% [markdown]
# Step decay also has a second Keras form, `PiecewiseConstantDecay(boundaries, values)`, which
# uses `values[0]` while $t \le$ `boundaries[0]`: the boundaries are $s-1, 2s-1, \dots$, not
# $s, 2s, \dots$. And one-cycle has no Keras schedule: write it as a `LearningRateSchedule`
# subclass, or pass it as a plain function of the step to a callback.

# %%
piecewise_right = keras_rates(ks.PiecewiseConstantDecay([14, 29, 44], [lr_max * 0.3**k for k in range(4)]), T)
piecewise_naive = keras_rates(ks.PiecewiseConstantDecay([15, 30, 45], [lr_max * 0.3**k for k in range(4)]), T)
np.testing.assert_allclose(piecewise_right, table["step decay"][2], rtol=1e-6)
print("boundaries 15, 30, 45 differ from StepLR at steps",
      np.flatnonzero(~np.isclose(piecewise_naive, table["step decay"][2])))

# %% [markdown]
# ## 5. Explore
# Pick a schedule and slide the peak rate, the final rate as a fraction of the peak, and the
# warmup. The rates come from PyTorch's schedulers; the loss is the noisy quadratic of
# Section 1 ($a = 1$, so a rate above 2 diverges), on one draw of the noise. Try: a constant rate, then `warmup + cosine`
# with the same peak (the floor drops); a final fraction of 1 (no decay) against $10^{-3}$;
# a peak of 2.5 with a warmup of 1, 20 and 100 steps. All three diverge: the curvature here is
# the same at every step, so a rate above $2/a$ is unstable whenever it is used, and warmup only
# delays the divergence (below). Warmup helps when the curvature is higher early in training
# than later (the warmup pitfall in Section 7), which a fixed quadratic cannot show.

# %%
from calcopt.widgets.schedules import torch_lrs

for warmup in (1, 20, 100):
    _losses = noisy_quadratic_losses(torch_lrs("warmup + cosine", 2.5, 200, 0.01, warmup))
    print(f"peak 2.5, warmup {warmup:3d}: the loss passes 1e6 at step {len(_losses)} of 200")

# %%
# %matplotlib widget
from calcopt.widgets.schedules import ScheduleExplorer

ScheduleExplorer(schedule="warmup + cosine", lr=0.5, final_fraction=0.01, warmup_steps=20, num_steps=200)

# %% [markdown]
# ## 6. Exercises
# Each schedule is a function of the integer step $t \ge 0$ (a Python or NumPy integer),
# returning a Python float or `np.float64`; step 0 is the first update (Section 2). The checks
# compare with PyTorch and Keras at every step.
#
# ### Exercise 1: step decay (1 point)

# %% nbgrader={"grade_id": "step_decay_lr", "solution": true}
def step_decay_lr(step, lr0, step_size, gamma):
    """Step decay: lr0 * gamma ** floor(step / step_size) (torch StepLR, Keras staircase).

    step: int >= 0 (Python or NumPy integer), the number of updates already made.
    lr0: float > 0. step_size: int >= 1. gamma: float in (0, 1].
    Returns a float (Python float or np.float64).
    """
    ### BEGIN SOLUTION
    return lr0 * gamma ** (int(step) // int(step_size))
    ### END SOLUTION

# %% nbgrader={"grade_id": "step_decay_lr_tests", "grade": true, "points": 1}
_torch = torch_rates(lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 0.4, 10)
_mine = [step_decay_lr(_t, 0.4, 3, 0.5) for _t in range(10)]
check_type("step_decay_lr(0, 0.4, 3, 0.5)", _mine[0], (float, np.float64))
check_close("step_decay_lr(t, 0.4, 3, 0.5) for t = 0..9 against StepLR", np.array(_mine), _torch, rtol=1e-12)
check_close("step_decay_lr(np.int64(7), 2.0, 2, 0.1)", step_decay_lr(np.int64(7), 2.0, 2, 0.1), 2e-3, rtol=1e-12)
print("step_decay_lr: visible checks passed", flush=True)
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(701)
for _trial in range(12):
    _lr0, _s, _g = float(test_rng.uniform(1e-4, 2.0)), int(test_rng.integers(1, 40)), float(test_rng.uniform(0.05, 1.0))
    _steps = np.concatenate([test_rng.integers(0, 400, size=15), [0, _s - 1, _s, 2 * _s - 1, 2 * _s]])
    expect(f"step_decay_lr(trial {_trial})", np.array([step_decay_lr(int(_k), _lr0, _s, _g) for _k in _steps]), rtol=1e-9)
expect("step_decay_lr(step_size 1)", np.array([step_decay_lr(_k, 1.0, 1, 0.5) for _k in range(6)]), rtol=1e-9)
expect("step_decay_lr(gamma 1)", np.array([step_decay_lr(_k, 0.3, 4, 1.0) for _k in range(9)]), rtol=1e-9)
expect("step_decay_lr(numpy step)", float(step_decay_lr(np.int64(25), 0.7, 5, 0.8)), rtol=1e-9)
expect("step_decay_lr(large step)", float(step_decay_lr(10**6, 1.0, 1000, 0.9)), rtol=1e-9, atol=1e-300)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2: exponential decay (1 point)

# %% nbgrader={"grade_id": "exponential_lr", "solution": true}
def exponential_lr(step, lr0, gamma):
    """Exponential decay: lr0 * gamma ** step (torch ExponentialLR, Keras ExponentialDecay
    with decay_steps=1).

    step: int >= 0 (Python or NumPy integer). lr0: float > 0. gamma: float in (0, 1].
    Returns a float (Python float or np.float64).
    """
    ### BEGIN SOLUTION
    return lr0 * gamma ** int(step)
    ### END SOLUTION

# %% nbgrader={"grade_id": "exponential_lr_tests", "grade": true, "points": 1}
_torch = torch_rates(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9), 0.3, 12)
_mine = [exponential_lr(_t, 0.3, 0.9) for _t in range(12)]
check_type("exponential_lr(0, 0.3, 0.9)", _mine[0], (float, np.float64))
check_close("exponential_lr(t, 0.3, 0.9) for t = 0..11 against ExponentialLR", np.array(_mine), _torch, rtol=1e-12)
_keras = keras_rates(keras.optimizers.schedules.ExponentialDecay(0.3, 1, 0.9), 12)
check_close("exponential_lr(t, 0.3, 0.9) against Keras ExponentialDecay", np.array(_mine), _keras, rtol=1e-6)
print("exponential_lr: visible checks passed", flush=True)
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(702)
for _trial in range(10):
    _lr0, _g = float(test_rng.uniform(1e-4, 2.0)), float(test_rng.uniform(0.8, 1.0))
    _steps = np.concatenate([[0, 1], test_rng.integers(0, 500, size=10)])
    expect(f"exponential_lr(trial {_trial})", np.array([exponential_lr(int(_k), _lr0, _g) for _k in _steps]), rtol=1e-9)
expect("exponential_lr(gamma 1)", float(exponential_lr(50, 0.2, 1.0)), rtol=1e-9)
expect("exponential_lr(numpy step)", float(exponential_lr(np.int64(13), 1.5, 0.7)), rtol=1e-9)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3: inverse-time (1/t) decay (1 point)
# Keras's convention, with a time unit `decay_steps`: $\eta_t = \eta_0 / (1 + k\,t/d)$.

# %% nbgrader={"grade_id": "inverse_time_lr", "solution": true}
def inverse_time_lr(step, lr0, decay_rate, decay_steps):
    """1/t decay: lr0 / (1 + decay_rate * step / decay_steps) (Keras InverseTimeDecay,
    staircase=False; torch LambdaLR with that factor).

    step: int >= 0 (Python or NumPy integer). lr0: float > 0. decay_rate: float >= 0.
    decay_steps: int >= 1. Returns a float (Python float or np.float64).
    """
    ### BEGIN SOLUTION
    return lr0 / (1.0 + decay_rate * int(step) / decay_steps)
    ### END SOLUTION

# %% nbgrader={"grade_id": "inverse_time_lr_tests", "grade": true, "points": 1}
_keras = keras_rates(keras.optimizers.schedules.InverseTimeDecay(0.5, 4, 0.3), 15)
_mine = [inverse_time_lr(_t, 0.5, 0.3, 4) for _t in range(15)]
check_type("inverse_time_lr(0, 0.5, 0.3, 4)", _mine[0], (float, np.float64))
check_close("inverse_time_lr(t, 0.5, 0.3, 4) for t = 0..14 against Keras InverseTimeDecay", np.array(_mine), _keras, rtol=1e-6)
check_close("inverse_time_lr(np.int64(10), 1.0, 1.0, 5)", inverse_time_lr(np.int64(10), 1.0, 1.0, 5), 1 / 3, rtol=1e-12)
print("inverse_time_lr: visible checks passed", flush=True)
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(703)
for _trial in range(10):
    _lr0, _k, _d = float(test_rng.uniform(1e-3, 2.0)), float(test_rng.uniform(0.0, 3.0)), int(test_rng.integers(1, 50))
    _steps = np.concatenate([[0, _d - 1, _d, _d + 1], test_rng.integers(0, 1000, size=10)])
    expect(f"inverse_time_lr(trial {_trial})", np.array([inverse_time_lr(int(_s), _lr0, _k, _d) for _s in _steps]), rtol=1e-9)
expect("inverse_time_lr(decay_rate 0)", float(inverse_time_lr(100, 0.25, 0.0, 3)), rtol=1e-9)
expect("inverse_time_lr(large step)", float(inverse_time_lr(10**7, 1.0, 2.0, 1)), rtol=1e-9)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 4: linear warmup (1 point)
# PyTorch's `LinearLR` convention (with `end_factor=1`): the factor goes linearly from
# `start_factor` at $t = 0$ to 1 at $t = W$, and stays there.

# %% nbgrader={"grade_id": "linear_warmup_lr", "solution": true}
def linear_warmup_lr(step, lr0, warmup_steps, start_factor):
    """Linear warmup: lr0 * (start_factor + (1 - start_factor) * min(step, warmup_steps) / warmup_steps).

    step: int >= 0 (Python or NumPy integer). lr0: float > 0, the rate reached at step
    warmup_steps and kept after it. warmup_steps: int >= 1. start_factor: float in [0, 1].
    Returns a float (Python float or np.float64).
    """
    ### BEGIN SOLUTION
    return lr0 * (start_factor + (1.0 - start_factor) * min(int(step), warmup_steps) / warmup_steps)
    ### END SOLUTION

# %% nbgrader={"grade_id": "linear_warmup_lr_tests", "grade": true, "points": 1}
_torch = torch_rates(lambda o: lr_scheduler.LinearLR(o, start_factor=0.2, total_iters=5), 0.6, 9)
_mine = [linear_warmup_lr(_t, 0.6, 5, 0.2) for _t in range(9)]
check_type("linear_warmup_lr(0, 0.6, 5, 0.2)", _mine[0], (float, np.float64))
check_close("linear_warmup_lr(t, 0.6, 5, 0.2) for t = 0..8 against LinearLR", np.array(_mine), _torch, rtol=1e-12)
check_close("linear_warmup_lr(np.int64(1), 1.0, 4, 0.0)", linear_warmup_lr(np.int64(1), 1.0, 4, 0.0), 0.25, rtol=1e-12)
print("linear_warmup_lr: visible checks passed", flush=True)
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(704)
for _trial in range(10):
    _lr0, _w, _f = float(test_rng.uniform(1e-3, 2.0)), int(test_rng.integers(1, 60)), float(test_rng.uniform(0.0, 1.0))
    _steps = np.concatenate([[0, _w - 1, _w, _w + 1, 3 * _w], test_rng.integers(0, 150, size=10)])
    expect(f"linear_warmup_lr(trial {_trial})", np.array([linear_warmup_lr(int(_s), _lr0, _w, _f) for _s in _steps]), rtol=1e-9, atol=1e-15)
expect("linear_warmup_lr(warmup 1)", np.array([linear_warmup_lr(_s, 0.5, 1, 0.1) for _s in range(3)]), rtol=1e-9)
expect("linear_warmup_lr(start_factor 1)", np.array([linear_warmup_lr(_s, 0.5, 7, 1.0) for _s in range(9)]), rtol=1e-9)
expect("linear_warmup_lr(start_factor 0, step 0)", float(linear_warmup_lr(0, 0.5, 7, 0.0)), atol=1e-15)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 5: cosine with linear warmup (2 points)
# The schedule of Section 2: warmup from `start_factor * lr_max` to `lr_max` over $W$ steps,
# then a half cosine from `lr_max` at $t = W$ to `lr_min` at $t = T$, then `lr_min` (as Keras
# does; PyTorch's `CosineAnnealingLR` would climb back up, see the pitfalls).

# %% nbgrader={"grade_id": "warmup_cosine_lr", "solution": true}
def warmup_cosine_lr(step, lr_max, warmup_steps, total_steps, lr_min=0.0, start_factor=0.0):
    """Cosine decay with linear warmup, at the integer step t = step:
      t < W:       lr_max * (start_factor + (1 - start_factor) * t / W)
      W <= t <= T: lr_min + (lr_max - lr_min) * (1 + cos(pi * (t - W) / (T - W))) / 2
      t > T:       lr_min
    with W = warmup_steps (int >= 0; 0 means no warmup) and T = total_steps (int > W).

    step: int >= 0 (Python or NumPy integer). lr_max > 0, 0 <= lr_min <= lr_max, and
    start_factor in [0, 1]: floats. Returns a float (Python float or np.float64).
    Raises ValueError if total_steps <= warmup_steps.
    """
    ### BEGIN SOLUTION
    if total_steps <= warmup_steps:
        raise ValueError("total_steps must exceed warmup_steps")
    t = int(step)
    if t < warmup_steps:
        return lr_max * (start_factor + (1.0 - start_factor) * t / warmup_steps)
    if t > total_steps:
        return float(lr_min)
    progress = (t - warmup_steps) / (total_steps - warmup_steps)
    return lr_min + (lr_max - lr_min) * (1.0 + math.cos(math.pi * progress)) / 2
    ### END SOLUTION

# %% nbgrader={"grade_id": "warmup_cosine_lr_tests", "grade": true, "points": 2}
check_type("warmup_cosine_lr(0, ...)", warmup_cosine_lr(0, 0.9, 4, 20, 0.05, 0.1), (float, np.float64))
# no warmup (W = 0): PyTorch's CosineAnnealingLR up to T, Keras's CosineDecay past it
_torch = torch_rates(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=12, eta_min=0.05), 0.9, 13)
check_close("warmup_cosine_lr(t, 0.9, 0, 12, 0.05) for t = 0..12 against CosineAnnealingLR",
            np.array([warmup_cosine_lr(_t, 0.9, 0, 12, 0.05) for _t in range(13)]), _torch, rtol=1e-9)
_keras = keras_rates(keras.optimizers.schedules.CosineDecay(0.9, 12, alpha=0.05 / 0.9), 17)
check_close("warmup_cosine_lr(t, 0.9, 0, 12, 0.05) for t = 0..16 (past T) against Keras CosineDecay",
            np.array([warmup_cosine_lr(_t, 0.9, 0, 12, 0.05) for _t in range(17)]), _keras, rtol=1e-6)
# with warmup, against the formula of the docstring, past T included
_want = np.array([0.9 * (0.1 + 0.9 * _t / 4) for _t in range(4)]
                 + [0.05 + 0.85 * (1 + math.cos(math.pi * (_t - 4) / 16)) / 2 for _t in range(4, 21)] + [0.05] * 5)
check_close("warmup_cosine_lr(t, 0.9, 4, 20, 0.05, 0.1) for t = 0..25",
            np.array([warmup_cosine_lr(_t, 0.9, 4, 20, lr_min=0.05, start_factor=0.1) for _t in range(26)]), _want, rtol=1e-9)
check_close("warmup_cosine_lr(np.int64(6), 1.0, 3, 11, 0.2, 0.3)", warmup_cosine_lr(np.int64(6), 1.0, 3, 11, 0.2, 0.3),
            0.2 + 0.4 * (1 + math.cos(math.pi * 3 / 8)), rtol=1e-9)
_raised = False
try:
    warmup_cosine_lr(0, 1.0, 10, 10)
except ValueError:
    _raised = True
check_true("warmup_cosine_lr(0, 1.0, 10, 10)", _raised, "expected ValueError when total_steps <= warmup_steps")
print("warmup_cosine_lr: visible checks passed", flush=True)
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(705)
for _trial in range(10):
    _w, _T = int(test_rng.integers(0, 30)), 0
    _T = _w + int(test_rng.integers(1, 200))
    _lmax = float(test_rng.uniform(1e-3, 3.0))
    _lmin, _f = float(test_rng.uniform(0.0, 0.5)) * _lmax, float(test_rng.uniform(0.0, 1.0))
    _steps = np.concatenate([[0, max(_w - 1, 0), _w, _w + 1, _T - 1, _T, _T + 1, 2 * _T], test_rng.integers(0, _T + 20, size=12)])
    expect(f"warmup_cosine_lr(trial {_trial})", np.array([warmup_cosine_lr(int(_s), _lmax, _w, _T, _lmin, _f) for _s in _steps]), rtol=1e-9, atol=1e-12 * _lmax)
expect("warmup_cosine_lr(no warmup, defaults)", np.array([warmup_cosine_lr(_s, 1.0, 0, 8) for _s in range(10)]), rtol=1e-9, atol=1e-12)
expect("warmup_cosine_lr(T = W + 1)", np.array([warmup_cosine_lr(_s, 2.0, 5, 6, 0.1, 0.5) for _s in range(9)]), rtol=1e-9, atol=1e-12)
expect("warmup_cosine_lr(numpy step)", float(warmup_cosine_lr(np.int64(7), 1.0, 3, 11, 0.2, 0.3)), rtol=1e-9)
for _name, _args in [("T = W", (0, 1.0, 5, 5)), ("T < W", (0, 1.0, 5, 3)), ("W = 0, T = 0", (0, 1.0, 0, 0))]:
    try:
        warmup_cosine_lr(*_args)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"warmup_cosine_lr({_name}) raises ValueError", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6: the same schedule with PyTorch's schedulers (2 points)
# Return a scheduler attached to `optimizer` (whose learning rate is already `lr_max`) such
# that after $t$ calls of `scheduler.step()` the optimizer holds `warmup_cosine_lr(t, ...)`.
# Build it from `torch.optim.lr_scheduler`'s own classes, combined as you like, but not from
# `LambdaLR` or `MultiplicativeLR`, nor from a class of your own: the exercise is to read the
# arguments of the built-in schedules. Watch the units:
# `CosineAnnealingLR`'s `eta_min` is a rate, `LinearLR`'s `start_factor` a factor, and the
# cosine's clock starts at the milestone. `start_factor` must be $> 0$ here (Exercises 5 and 7
# accept 0) because `LinearLR` rejects 0:

# %%
try:
    lr_scheduler.LinearLR(torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0), start_factor=0.0)
except ValueError as error:
    print("LinearLR(start_factor=0.0) raises ValueError:", error)

# %% nbgrader={"grade_id": "torch_warmup_cosine", "solution": true}
def torch_warmup_cosine(optimizer, warmup_steps, total_steps, lr_min, start_factor):
    """A torch.optim.lr_scheduler.LRScheduler on `optimizer` giving warmup_cosine_lr.

    optimizer: a torch.optim optimizer with one param group whose lr is lr_max.
    warmup_steps: int >= 1; total_steps: int > warmup_steps; lr_min: float in [0, lr_max];
    start_factor: float in (0, 1].
    Returns the scheduler; for 0 <= t <= total_steps, after t calls of scheduler.step()
    (each after an optimizer.step()) optimizer.param_groups[0]["lr"] equals
    warmup_cosine_lr(t, lr_max, warmup_steps, total_steps, lr_min, start_factor).
    The scheduler, and every scheduler inside it (SequentialLR, ChainedScheduler), is an
    instance of a class of torch.optim.lr_scheduler other than LambdaLR and MultiplicativeLR.
    """
    ### BEGIN SOLUTION
    warmup = lr_scheduler.LinearLR(optimizer, start_factor=start_factor, end_factor=1.0,
                                   total_iters=warmup_steps)
    cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps - warmup_steps, eta_min=lr_min)
    return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[warmup_steps])
    ### END SOLUTION

# %% nbgrader={"grade_id": "torch_warmup_cosine_tests", "grade": true, "points": 2}
def _drive_torch(lr_max, warmup_steps, total_steps, lr_min, start_factor):
    """The optimizer's rate after t = 0..total_steps scheduler steps, and the scheduler."""
    param = torch.nn.Parameter(torch.zeros(2))
    optimizer = torch.optim.SGD([param], lr=lr_max)
    scheduler = torch_warmup_cosine(optimizer, warmup_steps, total_steps, lr_min, start_factor)
    rates = []
    for _ in range(total_steps + 1):
        rates.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    return np.array(rates), scheduler


def _builtin_only(scheduler):
    """True if the scheduler and those inside it are torch's own classes, LambdaLR and
    MultiplicativeLR excepted."""
    cls = type(scheduler)
    if (cls.__module__ != "torch.optim.lr_scheduler" or getattr(lr_scheduler, cls.__name__, None) is not cls
            or cls is lr_scheduler.LambdaLR or cls is lr_scheduler.MultiplicativeLR):
        return False
    return all(_builtin_only(inner) for inner in getattr(scheduler, "_schedulers", []))

_rates, _sched = _drive_torch(0.9, 4, 20, 0.05, 0.1)
check_true("torch_warmup_cosine(...) returns a torch scheduler",
           isinstance(_sched, torch.optim.lr_scheduler.LRScheduler), f"got {type(_sched).__name__}")
check_true("torch_warmup_cosine(...) uses torch's own schedulers", _builtin_only(_sched),
           "build it from torch.optim.lr_scheduler's classes, without LambdaLR, MultiplicativeLR or a class of your own")
_want = np.array([0.9 * (0.1 + 0.9 * _t / 4) for _t in range(4)]
                 + [0.05 + 0.85 * (1 + math.cos(math.pi * (_t - 4) / 16)) / 2 for _t in range(4, 21)])
check_close("torch_warmup_cosine(lr_max 0.9, W 4, T 20, lr_min 0.05, start 0.1): rates t = 0..20", _rates, _want, rtol=1e-9)
print("torch_warmup_cosine: visible checks passed", flush=True)
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(706)
for _trial in range(6):
    _w = int(test_rng.integers(1, 20))
    _T = _w + int(test_rng.integers(1, 60))
    _lmax = float(test_rng.uniform(1e-3, 3.0))
    _lmin, _f = float(test_rng.uniform(0.0, 0.5)) * _lmax, float(test_rng.uniform(0.01, 1.0))
    _rates, _sched = _drive_torch(_lmax, _w, _T, _lmin, _f)
    expect(f"torch_warmup_cosine(trial {_trial}) is a scheduler", isinstance(_sched, torch.optim.lr_scheduler.LRScheduler))
    expect(f"torch_warmup_cosine(trial {_trial}) uses torch's own schedulers", _builtin_only(_sched))
    expect(f"torch_warmup_cosine(trial {_trial})", _rates, rtol=1e-9, atol=1e-12 * _lmax)
expect("torch_warmup_cosine(W 1, T 2)", _drive_torch(1.0, 1, 2, 0.0, 0.5)[0], rtol=1e-9, atol=1e-12)
expect("torch_warmup_cosine(lr_min 0)", _drive_torch(0.3, 3, 9, 0.0, 0.2)[0], rtol=1e-9, atol=1e-12)
expect("torch_warmup_cosine(start_factor 1)", _drive_torch(0.3, 3, 9, 0.01, 1.0)[0], rtol=1e-9, atol=1e-12)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 7: the same schedule in Keras (2 points)
# Return a Keras `CosineDecay` schedule equal to `warmup_cosine_lr` at every step, past
# `total_steps` included. (A `LearningRateSchedule` subclass of your own that computes the
# formula with Python floats, `int(step)` and `math.cos`, works when called with an integer,
# and fails inside `model.fit`, where the step is a symbolic tensor. The exercise is to read
# `CosineDecay`'s arguments exactly.) Its arguments:
# `initial_learning_rate` is where the warmup *starts*, `decay_steps` counts the steps *after*
# the warmup, and `alpha` is a *fraction* of the peak.

# %% nbgrader={"grade_id": "keras_warmup_cosine", "solution": true}
def keras_warmup_cosine(lr_max, warmup_steps, total_steps, lr_min, start_factor):
    """A keras.optimizers.schedules.CosineDecay equal to warmup_cosine_lr.

    lr_max: float > 0. warmup_steps: int >= 1. total_steps: int > warmup_steps.
    lr_min: float in [0, lr_max]. start_factor: float in [0, 1].
    Returns the schedule, an instance of keras.optimizers.schedules.CosineDecay;
    float(schedule(t)) equals, to float32 precision,
    warmup_cosine_lr(t, lr_max, warmup_steps, total_steps, lr_min, start_factor) for every t >= 0.
    """
    ### BEGIN SOLUTION
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=start_factor * lr_max, decay_steps=total_steps - warmup_steps,
        alpha=lr_min / lr_max, warmup_target=lr_max, warmup_steps=warmup_steps)
    ### END SOLUTION

# %% nbgrader={"grade_id": "keras_warmup_cosine_tests", "grade": true, "points": 2}
_sched = keras_warmup_cosine(0.9, 4, 20, 0.05, 0.1)
check_true("keras_warmup_cosine(...) returns a Keras CosineDecay",
           isinstance(_sched, keras.optimizers.schedules.CosineDecay), f"got {type(_sched).__name__}")
_want = np.array([0.9 * (0.1 + 0.9 * _t / 4) for _t in range(4)]
                 + [0.05 + 0.85 * (1 + math.cos(math.pi * (_t - 4) / 16)) / 2 for _t in range(4, 21)] + [0.05] * 5)
check_close("keras_warmup_cosine(0.9, 4, 20, 0.05, 0.1) at t = 0..25", keras_rates(_sched, 26), _want, rtol=2e-6, atol=1e-8)
_opt = keras.optimizers.SGD(learning_rate=_sched)  # the optimizer must accept it
_w = tf.Variable(0.0)
_opt.apply_gradients([(tf.constant(1.0), _w)])
check_close("the first update of SGD with keras_warmup_cosine(...) moves w by lr_0", -float(_w.numpy()), 0.09, rtol=1e-6)
print("keras_warmup_cosine: visible checks passed", flush=True)
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(707)
for _trial in range(5):
    _w = int(test_rng.integers(1, 15))
    _T = _w + int(test_rng.integers(1, 40))
    _lmax = float(test_rng.uniform(0.01, 3.0))
    _lmin, _f = float(test_rng.uniform(0.0, 0.5)) * _lmax, float(test_rng.uniform(0.0, 1.0))
    _sched = keras_warmup_cosine(_lmax, _w, _T, _lmin, _f)
    expect(f"keras_warmup_cosine(trial {_trial}) is a CosineDecay", isinstance(_sched, keras.optimizers.schedules.CosineDecay))
    _steps = list(range(0, _T + 3)) + [2 * _T + 5]
    expect(f"keras_warmup_cosine(trial {_trial})", np.array([float(_sched(_s)) for _s in _steps]), rtol=2e-6, atol=1e-7 * _lmax)
_sched = keras_warmup_cosine(2.0, 1, 2, 0.0, 0.0)
expect("keras_warmup_cosine(W 1, T 2, start 0, min 0)", np.array([float(_sched(_s)) for _s in range(5)]), rtol=2e-6, atol=1e-7)
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Pitfalls and misconceptions
#
# **`ConstantLR` is not a constant schedule.** It multiplies the rate by `factor` (default
# 1/3) for `total_iters` (default 5) steps, then restores it:

# %%
print("ConstantLR(defaults):", torch_rates(lambda o: lr_scheduler.ConstantLR(o), 0.9, 8))

# %% [markdown]
# **`CosineAnnealingLR` does not stop at `T_max`.** It follows the cosine back up (period
# $2\,T_{\max}$); Keras's `CosineDecay` stays at its floor. Run it past its end and the rate
# climbs again:

# %%
_cos = torch_rates(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.01), 1.0, 21)
_kc = keras_rates(keras.optimizers.schedules.CosineDecay(1.0, 10, alpha=0.01), 21)
print("torch at t = 10, 15, 20:", _cos[[10, 15, 20]], "  Keras:", _kc[[10, 15, 20]])

# %% [markdown]
# **Stepping in the wrong unit.** `T_max`, `step_size` and `total_steps` count calls of
# `scheduler.step()`. Call it once per epoch with `T_max` set to the number of batches and the
# cosine barely moves; call it per batch with `step_size` set in epochs and the rate collapses
# within the first epoch. `OneCycleLR` counts batches: its `total_steps` is the number of
# updates, and the call of `scheduler.step()` after `total_steps` of them raises `ValueError` (Section 2).
#
# **Calling `scheduler.step()` before `optimizer.step()`.** The first update then uses
# $\eta_1$, not $\eta_0$ (with warmup, that skips the smallest rate), and PyTorch warns:

# %%
import warnings

_opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
_sched = lr_scheduler.ExponentialLR(_opt, gamma=0.5)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    _sched.step()  # the wrong order
    _opt.step()
print(f"the rate of the first update: {_opt.param_groups[0]['lr']} instead of 1.0")
for w in caught:
    print(f"{w.category.__name__}: {str(w.message)[:110]}...")

# %% [markdown]
#
# **Off by one at the boundaries.** `PiecewiseConstantDecay` switches after `boundaries[i]`,
# not at it (Section 4); a step decay written as `(step + 1) // s` drops one step early.
#
# **"Warmup is only for transformers."** Goyal et al. (2017) used 5 epochs of linear warmup to
# train ResNet-50 with SGD at batch 8192 (the rate scaled linearly with the batch). Without
# warmup, their large-rate run trained worse early and ended about a point of error higher;
# it did not diverge. Why warmup helps is a later reading, not theirs: the curvature (sharpness) is often
# highest at the start and falls during training, so a rate that is stable later is too large
# at first (Gilmer et al. 2021; Kalra & Barkeshli 2023). Adam-type optimizers use warmup too:
# their second-moment estimate is built from few gradients in the first steps.
#
# ## 8. Interview corner
#
# **Mid.** Your PyTorch cosine schedule's rate goes *up* again after some epochs. Why?
# <details><summary>Answer</summary>
# `CosineAnnealingLR` is periodic: past `T_max` it follows the cosine back up. Either
# `T_max` is shorter than the run (often epochs against batches), or the scheduler keeps being
# stepped after its end. Set `T_max` to the number of `scheduler.step()` calls the run makes.
# </details>
#
# **Mid.** What does "step 0" mean for a schedule, in PyTorch and in Keras?
# <details><summary>Answer</summary>
# The first update. PyTorch sets $\eta_0$ when the scheduler is built and `scheduler.step()`
# after each `optimizer.step()` moves to $\eta_{t+1}$; Keras evaluates the schedule at
# `optimizer.iterations`, which is 0 during the first `apply_gradients`.
# </details>
#
# **Senior.** Why does a decaying rate reach a lower loss than the best constant rate with
# stochastic gradients?
# <details><summary>Answer</summary>
# With noisy gradients SGD at a constant rate settles into a stationary spread around the
# minimum whose size grows with $\eta$ (on a quadratic, a mean excess loss
# $\approx \eta\sigma^2/4$ for small $a\eta$). A large $\eta$ is fast but has a high floor; a small
# one a low floor but is slow. Decaying gets both; the classical Robbins-Monro conditions
# $\sum \eta_t = \infty$, $\sum \eta_t^2 < \infty$ (e.g. $1/t$) give convergence.
# </details>
#
# **Senior.** When do you need warmup, and how long?
# <details><summary>Answer</summary>
# When the peak rate is large relative to the early curvature: large-batch SGD with the
# linear scaling rule (Goyal et al. 2017: 5 epochs), Adam/AdamW on transformers (a few hundred
# to a few thousand steps, often 1-10% of the run). Diagnose with the loss spiking or diverging
# in the first steps; the length is a hyperparameter, usually not sensitive.
# </details>
#
# **Principal.** A team reports that one-cycle trains their model in a third of the epochs.
# What do you check before adopting it everywhere?
# <details><summary>Answer</summary>
# That the baseline was tuned as hard (its peak rate, its schedule) and the comparison is at
# equal compute; the variance over seeds; that the gain holds at the target batch size and
# with their optimizer (one-cycle also cycles momentum, which interacts with Adam's $\beta_1$);
# the final metric, not the training loss. Smith's "super-convergence" was shown on specific
# architectures and data; a cosine with warmup, tuned, is often as good.
# </details>
#
# ## 9. Summary and further reading
#
# - A schedule is a function of the number of updates already made: step 0 is the first update.
# - Step, exponential and 1/t decay, linear warmup and cosine with warmup have exact
#   counterparts in `torch.optim.lr_scheduler` and `keras.optimizers.schedules`; one-cycle has
#   none in Keras. Read the arguments' units: factors against rates, steps against epochs,
#   boundaries inclusive.
# - With noisy gradients the floor of the loss scales with the rate: decay to settle.
#
# **Further reading.** Loshchilov & Hutter, "SGDR: Stochastic gradient descent with warm
# restarts" (ICLR 2017). Goyal et al., "Accurate, large minibatch SGD: training ImageNet in 1
# hour" (2017). Smith, "Cyclical learning rates for training neural networks" (WACV 2017) and
# Smith & Topin, "Super-convergence" (2018). Howard & Gugger, "Fastai: a layered API for deep
# learning" (Information, 2020), whose one-cycle PyTorch's default follows. Gilmer et al., "A loss
# curvature perspective on training instability in deep learning" (2021), and Kalra & Barkeshli,
# "Phase diagram of early training dynamics in deep neural networks" (NeurIPS 2023), on
# warmup and early curvature. Robbins & Monro, "A stochastic approximation
# method" (1951). The PyTorch `torch.optim.lr_scheduler` and Keras `optimizers.schedules`
# documentation. Next: part 2, `stable_training`.
