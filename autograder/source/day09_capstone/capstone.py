# %% [markdown]
# # Day 9: Capstone: a network trained with your own optimizer, equal to the frameworks
#
# **Learning goals.** By the end of today you can
# - write, compactly and from memory, every piece of a modern training loop: the forward and
#   backward pass of a two-layer network, Adam, a warmup-plus-cosine schedule and clipping by
#   global norm;
# - compose them into a `train` function that reaches over 95 % test accuracy on real data in
#   about a second on a CPU;
# - configure PyTorch and Keras to run *the same* training, and show in code that the loss
#   curves agree, with a stated tolerance and the reason for it;
# - say, for each line of a training loop, which idea of the course it rests on.
#
# **Prerequisites.** Days 1 to 7, and Day 8 (initialization). You may paste your earlier
# answers: every exercise below has the signature and convention of the day it comes from.
# **Time to complete.** About 2 hours and a half: about an hour and a half on the exercises
# written from scratch (under an hour if you paste and adapt your answers of Days 4 to 7).
# The first code cell can take half a minute: it imports PyTorch and TensorFlow and makes
# their slow first calls once.
#
# **Grading.** An exercise's points are all or nothing. Its hidden tests try every promise of
# its docstring (shapes, dtype, the inputs left unchanged, the errors raised, the edge cases
# named) on new inputs, so one promise missed costs the whole exercise. The visible checks
# after each exercise try each promise once: read their failure messages.
#
# | the training loop | |
# |---|---|
# | what | repeat: take a mini-batch, compute the loss and its gradient, clip it, step each weight with Adam at the scheduled rate |
# | why | each piece fixes one failure: backprop makes the gradient cheap, mini-batches make steps cheap, Adam evens out the weights' scales, warmup and cosine tame the start and the end, clipping stops a rare huge gradient |
# | when | this is, to first order, how networks from a digit classifier to a language model are trained |
# | where | `loss.backward()`, `clip_grad_norm_`, `optimizer.step()`, `scheduler.step()`; in Keras, `model.fit` runs the same steps |
# | who | the pieces: Rumelhart, Hinton & Williams (1986), Robbins & Monro (1951), Kingma & Ba (2015), Loshchilov & Hutter (2017, cosine), Goyal et al. (2017, warmup), Pascanu et al. (2013, clipping) |
# | how | about twenty lines of NumPy, below, that you write |

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
from calcopt.capstone import digits_split, init_params, keras_mlp, torch_mlp
from calcopt.optimizers_demo import torch_trajectory

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # a small network: one thread is faster than several fighting over the cores
KEYS = ("W1", "b1", "W2", "b2")
_warm = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))  # the frameworks' slow first calls, made here once
_warm.grad = torch.ones(2, dtype=torch.float64)
torch.optim.Adam([_warm]).step()
keras.optimizers.Adam(global_clipnorm=1.0).apply_gradients([(tf.ones(2, tf.float64), tf.Variable(tf.zeros(2, tf.float64)))])
CONFIG = dict(num_epochs=12, batch_size=32, lr_max=0.02, warmup_steps=20, max_norm=1.0, start_factor=0.05)  # Section 4

# %% [markdown]
# ## 1. Intuition: one loop, eight ideas
# Training is a walk downhill in the dark (Day 3), on a landscape of millions of dimensions,
# where each step's direction is measured on a handful of examples (Day 5), computed by the
# chain rule run backwards (Day 4), rescaled weight by weight (Day 6), sized by a schedule and
# capped when it is wild (Day 7), starting from weights whose scale keeps the signal alive
# (Day 8). Today you write every piece again, in a few lines each, put them together and hold
# the result against PyTorch and TensorFlow.
#
# ## 2. The problem and the model
# scikit-learn's handwritten digits (1797 images of $8 \times 8$ pixels, shipped inside the
# package): 1400 for training, 397 held out. Day 4's layout, **one example per column**:
# $X \in \mathbb{R}^{64 \times N}$. The network is Day 4's:
# $$H = \tanh(W_1 X + b_1), \quad Z = W_2 H + b_2, \quad
# L = -\frac1N \sum_j \log \mathrm{softmax}(Z_{:,j})_{y_j},$$
# with $W_1 \in \mathbb{R}^{h \times 64}$, $W_2 \in \mathbb{R}^{10 \times h}$, Xavier-uniform initial weights
# (Day 8's rule for tanh: $U(-a, a)$, $a = \sqrt{6/(\text{fan}_{in} + \text{fan}_{out})}$) and zero biases.

# %%
X_train, y_train, X_test, y_test = digits_split(1400, seed=0)
params0 = init_params(64, 64, 10, seed=0)
print("X_train", X_train.shape, "X_test", X_test.shape, {k: v.shape for k, v in params0.items()})
print("training labels per class:", np.bincount(y_train))

# %% [markdown]
# ## 3. The pieces, once more (exercises)
# ### Exercise 1: forward and backward (3 points)
# The backward pass of Day 4 (Exercise 2 there took one step; here return the loss and the
# gradients themselves). With $P = \mathrm{softmax}(Z)$ and $Y$ the one-hot labels:
# $\partial L/\partial Z = (P - Y)/N$, $\partial L/\partial W_2 = (\partial L/\partial Z) H^\top$,
# $\partial L/\partial Z_1 = (W_2^\top \partial L/\partial Z) \odot (1 - H^2)$,
# $\partial L/\partial W_1 = (\partial L/\partial Z_1) X^\top$, bias gradients the row sums.

# %% nbgrader={"grade_id": "mlp_loss_and_grads", "solution": true}
def mlp_loss_and_grads(params, X, y):
    """Mean cross-entropy of the two-layer tanh network and its gradients (Day 4's layout).

    params: dict with "W1" (h, d), "b1" (h,), "W2" (k, h), "b2" (k,): float64 arrays, not modified.
    X: float64 array (d, N), one example per column; y: int array (N,), labels in 0..k-1.
    Returns (loss, grads): loss a float (the mean over the batch); grads a new dict with the
    same keys, each a float64 array of its parameter's shape. Finite for large logits:
    compute the log-softmax as (z - max z) - log(sum(exp(z - max z))).
    """
    ### BEGIN SOLUTION
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[1]
    H = np.tanh(W1 @ X + b1[:, None])
    Z = W2 @ H + b2[:, None]
    Z = Z - Z.max(axis=0, keepdims=True)
    log_P = Z - np.log(np.exp(Z).sum(axis=0, keepdims=True))
    loss = float(-log_P[y, np.arange(N)].mean())
    dZ = np.exp(log_P)
    dZ[y, np.arange(N)] -= 1.0
    dZ /= N
    dZ1 = (W2.T @ dZ) * (1 - H**2)
    return loss, {"W1": dZ1 @ X.T, "b1": dZ1.sum(axis=1), "W2": dZ @ H.T, "b2": dZ.sum(axis=1)}
    ### END SOLUTION

# %% nbgrader={"grade_id": "mlp_loss_and_grads_tests", "grade": true, "points": 3}
def _small_mlp(seed, d=5, h=4, k=3, N=6, scale=1.0):
    r = np.random.default_rng(seed)
    params = {"W1": r.normal(size=(h, d)), "b1": r.normal(size=h), "W2": scale * r.normal(size=(k, h)), "b2": r.normal(size=k)}
    return params, r.normal(size=(d, N)), r.integers(0, k, size=N)

_params, _X, _y = _small_mlp(0)
_copies = {k: v.copy() for k, v in _params.items()}
_result = mlp_loss_and_grads(_params, _X, _y)
check_type("mlp_loss_and_grads(...)", _result, tuple)
check_type("mlp_loss_and_grads(...)[0] (the loss)", _result[0], (float, np.float64))
check_type("mlp_loss_and_grads(...)[1] (the gradients)", _result[1], dict)
_model = torch_mlp(_params)
_torch_loss = torch.nn.functional.cross_entropy(_model(torch.tensor(_X.T)), torch.tensor(_y))
_torch_loss.backward()
check_close("mlp_loss_and_grads: the loss against PyTorch", _result[0], _torch_loss.item(), rtol=1e-12)
for _key, _p in zip(KEYS, _model.parameters()):
    check_close(f"mlp_loss_and_grads: {_key} against PyTorch's .grad", _result[1][_key], _p.grad.numpy(), rtol=1e-9, atol=1e-13, dtype=np.float64)
    check_close(f"mlp_loss_and_grads must not modify {_key}", _params[_key], _copies[_key], rtol=0.0)
_result = mlp_loss_and_grads(*_small_mlp(1, scale=1000.0))
check_true("mlp_loss_and_grads(large logits)", bool(np.isfinite(_result[0])) and all(bool(np.all(np.isfinite(g))) for g in _result[1].values()),
           "the loss or a gradient is not finite: subtract the max logit before exp")
print("mlp_loss_and_grads: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(901)
def _expect_mlp(name, params, X, y):
    copies = {k: v.copy() for k, v in params.items()}
    loss, grads = mlp_loss_and_grads(params, X, y)
    expect(f"{name}: loss", loss, rtol=1e-9, atol=1e-12)
    for key in KEYS:
        expect(f"{name}: d{key}", grads[key], rtol=1e-8, atol=1e-12, dtype=np.float64)
        expect(f"{name}: {key} not modified", params[key] - copies[key], rtol=0.0, atol=0.0)

for _trial in range(10):
    _d, _h, _k, _N = (int(v) for v in test_rng.integers([1, 1, 2, 1], [7, 7, 6, 9]))
    _expect_mlp(f"mlp_loss_and_grads(trial {_trial})", *_small_mlp(int(test_rng.integers(1 << 30)), _d, _h, _k, _N))
_expect_mlp("mlp_loss_and_grads(batch of one)", *_small_mlp(int(test_rng.integers(1 << 30)), N=1))
_expect_mlp("mlp_loss_and_grads(large logits)", *_small_mlp(int(test_rng.integers(1 << 30)), scale=500.0))
_params, _X, _y = _small_mlp(int(test_rng.integers(1 << 30)), k=4, N=7)
_expect_mlp("mlp_loss_and_grads(one label only)", _params, _X, np.full(7, 2))
### END HIDDEN TESTS

# %% [markdown]
# PyTorch is one oracle; central differences in float64 (Day 1, Day 2) are another that needs no
# framework: $(L(\theta + h e_i) - L(\theta - h e_i))/2h$ with $h = 10^{-5}$, for every bias and 30
# random entries of each weight matrix, on 50 digits, compared as vectors:
# $\lVert g - g_{num}\rVert / (\lVert g\rVert + \lVert g_{num}\rVert)$ (entry by entry would divide by the exact
# zeros of weights fed by pixels that are always 0).

# %%
def central_difference_check(params, X, y, h=1e-5, per_matrix=30, seed=0):
    r, exact, numeric = np.random.default_rng(seed), mlp_loss_and_grads(params, X, y)[1], []
    for key in KEYS:
        entries = list(np.ndindex(params[key].shape))
        if params[key].ndim == 2:
            entries = [entries[i] for i in r.choice(len(entries), per_matrix, replace=False)]
        for e in entries:
            plus, minus = {k: v.copy() for k, v in params.items()}, {k: v.copy() for k, v in params.items()}
            plus[key][e] += h
            minus[key][e] -= h
            numeric.append((exact[key][e], (mlp_loss_and_grads(plus, X, y)[0] - mlp_loss_and_grads(minus, X, y)[0]) / (2 * h)))
    return np.array(numeric)

_pairs = central_difference_check(params0, X_train[:, :50], y_train[:50])
_err = np.linalg.norm(_pairs[:, 0] - _pairs[:, 1]) / (np.linalg.norm(_pairs[:, 0]) + np.linalg.norm(_pairs[:, 1]))
print(f"{len(_pairs)} partial derivatives against central differences: relative error of the vector {_err:.1e} (asserted below 1e-7)")
assert _err < 1e-7

# %% [markdown]
# ### Exercise 2: Adam (2 points)
# Day 6's `adam_step`, PyTorch's convention ($\epsilon$ added to $\sqrt{\hat v}$), in place.

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
    state["m"] *= beta1
    state["m"] += (1 - beta1) * grads
    state["v"] *= beta2
    state["v"] += (1 - beta2) * grads * grads
    params -= lr * (state["m"] / (1 - beta1**t)) / (np.sqrt(state["v"] / (1 - beta2**t)) + eps)
    return params, state
    ### END SOLUTION

# %% nbgrader={"grade_id": "adam_step_tests", "grade": true, "points": 2}
_p, _g = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]]), np.array([[0.5, -1.0, 2.0], [0.0, 4.0, -0.25]])
_g0 = _g.copy()
_state = {"m": np.zeros((2, 3)), "v": np.zeros((2, 3)), "step": 0}
_bufs = (_state["m"], _state["v"])
_out = adam_step(_p, _g, _state, 0.1, 0.9, 0.999, 1e-12)
check_type("adam_step(...) returns a tuple", _out, tuple)
check_true("adam_step: params updated in place", _out[0] is _p and _out[1] is _state, "return the params and state you were given, updated in place")
check_true("adam_step: state['m'] and state['v'] updated in place", _state["m"] is _bufs[0] and _state["v"] is _bufs[1],
           "update the state's arrays in place (m *= beta1; m += ...), do not bind new arrays to state['m'] or state['v']")
check_close("adam_step: first step is lr * sign(g)", _p, np.array([[0.9, -1.9, 0.4], [3.0, -0.1, -0.9]]), rtol=1e-10)
check_equal("adam_step: state['step'] after one step", _state["step"], 1)
check_close("adam_step must not modify grads", _g, _g0, rtol=0.0)
_A = np.array([[3.0, 1.0], [1.0, 2.0]])
_x, _s, _traj = np.array([2.0, -3.0]), {"m": np.zeros(2), "v": np.zeros(2), "step": 0}, []
for _ in range(60):
    adam_step(_x, _A @ _x + 1.0, _s, 0.05, 0.8, 0.99, 1e-3)
    _traj.append(_x.copy())
_torch = torch_trajectory(lambda ps: torch.optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-3), np.array([2.0, -3.0]), lambda x: _A @ x + 1.0, 60)
check_close("adam_step: 60 steps against torch.optim.Adam", np.array(_traj), _torch[1:], rtol=1e-8, atol=1e-11)
_p32 = np.array([1.0, 2.0], dtype=np.float32)
adam_step(_p32, np.array([3.0, -0.5], dtype=np.float32), {"m": np.zeros(2, np.float32), "v": np.zeros(2, np.float32), "step": 0}, 0.5, 0.9, 0.999, 0.0)
check_close("adam_step keeps float32", _p32, np.array([0.5, 2.5]), rtol=1e-6, dtype=np.float32)
_p, _state = np.array([1.0, 2.0, 3.0]), {"m": np.zeros(3), "v": np.zeros(3), "step": 0}
try:
    adam_step(_p, np.ones((3, 1)), _state, 0.1, 0.9, 0.999, 1e-8)
    _raised = False
except ValueError:
    _raised = True
check_true("adam_step(params (3,), grads (3, 1)) raises ValueError", _raised, "expected a ValueError: compare grads.shape with params.shape (NumPy would broadcast)")
check_true("adam_step: nothing modified before the ValueError", _state["step"] == 0 and not _state["m"].any() and not _state["v"].any()
           and bool(np.all(_p == np.array([1.0, 2.0, 3.0]))), "check the shapes before modifying params or the state")
print("adam_step: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(902)
for _trial in range(6):
    _shape = [(5,), (3, 4), (1,)][_trial % 3]
    _p = test_rng.normal(size=_shape)
    _state = {"m": np.zeros(_shape), "v": np.zeros(_shape), "step": 0}
    _lr, _b1, _b2 = float(test_rng.uniform(0.001, 0.1)), float(test_rng.uniform(0.0, 0.95)), float(test_rng.uniform(0.9, 0.9999))
    _eps = float(10.0 ** test_rng.uniform(-10, -3))
    for _k in range(int(test_rng.integers(1, 8))):
        adam_step(_p, test_rng.normal(scale=3.0, size=_shape), _state, _lr, _b1, _b2, _eps)
    expect(f"adam_step(trial {_trial}): params", _p, rtol=1e-9, atol=1e-12, dtype=np.float64)
    expect(f"adam_step(trial {_trial}): m", _state["m"], rtol=1e-9, atol=1e-12)
    expect(f"adam_step(trial {_trial}): v", _state["v"], rtol=1e-9, atol=1e-12)
    expect(f"adam_step(trial {_trial}): step", _state["step"])
_p, _state = np.array([1.0, 2.0, 3.0]), {"m": np.array([0.1, -0.2, 0.0]), "v": np.array([0.01, 0.04, 1e-6]), "step": 50}
adam_step(_p, np.array([1e-4, 1e3, -2.0]), _state, 0.01, 0.9, 0.999, 1e-8)
expect("adam_step(at step 51, mixed scales)", _p, rtol=1e-9)
_p32 = test_rng.normal(size=6).astype(np.float32)
_state = {"m": np.zeros(6, np.float32), "v": np.zeros(6, np.float32), "step": 0}
for _k in range(3):
    adam_step(_p32, test_rng.normal(size=6).astype(np.float32), _state, 0.01, 0.9, 0.999, 1e-8)
expect("adam_step(float32)", _p32, rtol=1e-5, atol=1e-6, dtype=np.float32)
expect("adam_step(float32): m", _state["m"], rtol=1e-5, atol=1e-6, dtype=np.float32)
for _name, _gshape in [("grads (1,) for params (3,)", (1,)), ("grads (3, 3) for params (3,)", (3, 3))]:
    _p, _state = np.array([1.0, 2.0, 3.0]), {"m": np.zeros(3), "v": np.zeros(3), "step": 0}
    _bufs = (_state["m"], _state["v"])
    try:
        adam_step(_p, np.ones(_gshape), _state, 0.1, 0.9, 0.999, 1e-8)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"adam_step({_name}) raises ValueError", _raised)
    expect(f"adam_step({_name}): params and state unchanged", np.concatenate([_p, _state["m"], _state["v"], [_state["step"]]]), rtol=0.0, atol=0.0)
_p, _state = test_rng.normal(size=4), {"m": np.zeros(4), "v": np.zeros(4), "step": 0}
_bufs = (_state["m"], _state["v"])
adam_step(_p, test_rng.normal(size=4), _state, 0.01, 0.9, 0.999, 1e-8)
expect("adam_step: state's arrays are the same objects after a step", _state["m"] is _bufs[0] and _state["v"] is _bufs[1])
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3: the schedule (1 point)
# Day 7's `warmup_cosine_lr`: linear warmup over $W$ steps, then a half cosine to `lr_min` at
# $t = T$, then `lr_min`.

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
    return lr_min + (lr_max - lr_min) * (1.0 + math.cos(math.pi * (t - warmup_steps) / (total_steps - warmup_steps))) / 2
    ### END SOLUTION

# %% nbgrader={"grade_id": "warmup_cosine_lr_tests", "grade": true, "points": 1}
def torch_rates(make_scheduler, lr, num_steps):
    """The rate PyTorch's optimizer uses at steps 0, 1, ..., num_steps - 1 (Day 7)."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler, rates = make_scheduler(optimizer), []
    for _t in range(num_steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(rates)

_sched = torch.optim.lr_scheduler
_torch = torch_rates(lambda o: _sched.SequentialLR(o, [_sched.LinearLR(o, start_factor=0.1, total_iters=4),
                                                      _sched.CosineAnnealingLR(o, T_max=16, eta_min=0.05)], milestones=[4]), 0.9, 21)
check_type("warmup_cosine_lr(0, ...)", warmup_cosine_lr(0, 0.9, 4, 20, 0.05, 0.1), (float, np.float64))
check_close("warmup_cosine_lr(t, 0.9, 4, 20, 0.05, 0.1), t = 0..20, against SequentialLR",
            np.array([warmup_cosine_lr(_t, 0.9, 4, 20, 0.05, 0.1) for _t in range(21)]), _torch, rtol=1e-9)
check_close("warmup_cosine_lr past T", warmup_cosine_lr(np.int64(25), 0.9, 4, 20, 0.05, 0.1), 0.05, rtol=1e-12)
check_close("warmup_cosine_lr(t, 1.0, 0, 8) (no warmup), t = 0, 4, 8", np.array([warmup_cosine_lr(_t, 1.0, 0, 8) for _t in (0, 4, 8)]),
            np.array([1.0, 0.5, 0.0]), rtol=1e-12, atol=1e-15)
try:
    warmup_cosine_lr(0, 1.0, 10, 10)
    _raised = False
except ValueError:
    _raised = True
check_true("warmup_cosine_lr(0, 1.0, 10, 10)", _raised, "expected ValueError when total_steps <= warmup_steps")
print("warmup_cosine_lr: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(903)
for _trial in range(8):
    _w = int(test_rng.integers(0, 30))
    _T = _w + int(test_rng.integers(1, 200))
    _lmax = float(test_rng.uniform(1e-3, 3.0))
    _lmin, _f = float(test_rng.uniform(0.0, 0.5)) * _lmax, float(test_rng.uniform(0.0, 1.0))
    _steps = np.concatenate([[0, max(_w - 1, 0), _w, _w + 1, _T - 1, _T, _T + 1, 2 * _T], test_rng.integers(0, _T + 20, size=12)])
    expect(f"warmup_cosine_lr(trial {_trial})", np.array([warmup_cosine_lr(int(_s), _lmax, _w, _T, _lmin, _f) for _s in _steps]), rtol=1e-9, atol=1e-12 * _lmax)
expect("warmup_cosine_lr(no warmup, defaults)", np.array([warmup_cosine_lr(_s, 1.0, 0, 8) for _s in range(10)]), rtol=1e-9, atol=1e-12)
for _name, _args in [("T = W", (0, 1.0, 5, 5)), ("T < W", (0, 1.0, 5, 3))]:
    try:
        warmup_cosine_lr(*_args)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"warmup_cosine_lr({_name}) raises ValueError", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 4: clipping by global norm (1 point)
# Day 7's `clip_by_global_norm`, PyTorch's convention (the $10^{-6}$ of `clip_grad_norm_`).

# %% nbgrader={"grade_id": "clip_by_global_norm", "solution": true}
def clip_by_global_norm(grads, max_norm):
    """Scale all gradients by one factor so that their global norm is at most about max_norm.

    grads: list of NumPy float arrays (float32 or float64, any shapes, at least one); not modified.
    max_norm: float > 0.
    total_norm = sqrt(sum over all arrays of the sum of their squared entries), computed in
    float64; every array is multiplied by min(1, max_norm / (total_norm + 1e-6)), as
    torch.nn.utils.clip_grad_norm_ does.
    Returns a tuple (clipped, total_norm): clipped is a new list of new arrays, each with the
    shape and dtype of its input (cast back: an np.float64 scalar promotes float32 arrays to
    float64); total_norm is a float (the norm before clipping).
    """
    ### BEGIN SOLUTION
    total = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads)))
    scale = min(1.0, max_norm / (total + 1e-6))
    return [(g * scale).astype(g.dtype) for g in grads], total
    ### END SOLUTION

# %% nbgrader={"grade_id": "clip_by_global_norm_tests", "grade": true, "points": 1}
_grads = [np.array([3.0, 4.0]), np.array([[0.0, 12.0], [0.0, 0.0]])]
_result = clip_by_global_norm(_grads, 6.5)
check_type("clip_by_global_norm(...)", _result, tuple)
check_true("clip_by_global_norm(...)", len(_result) == 2 and type(_result[0]) is list, "expected a tuple (list of arrays, float)")
check_close("clip_by_global_norm(norms 5 and 12, 6.5): total_norm", _result[1], 13.0, rtol=1e-12)
_tparams = [torch.nn.Parameter(torch.zeros(_g.shape, dtype=torch.float64)) for _g in _grads]
for _p, _g in zip(_tparams, _grads):
    _p.grad = torch.tensor(_g)
torch.nn.utils.clip_grad_norm_(_tparams, 6.5)
for _i in range(2):
    check_close(f"clip_by_global_norm(...)[0][{_i}] against clip_grad_norm_", _result[0][_i], _tparams[_i].grad.numpy(), rtol=1e-12, dtype=np.float64)
check_close("clip_by_global_norm must not modify its input", _grads[1], np.array([[0.0, 12.0], [0.0, 0.0]]), rtol=0.0)
_g32 = np.array([0.3, -0.4, 0.7], dtype=np.float32)
_small = clip_by_global_norm([_g32[:2]], 1.0)
check_close("clip_by_global_norm(float32): total_norm computed in float64", clip_by_global_norm([_g32], 10.0)[1],
            math.sqrt(sum(float(_v) ** 2 for _v in _g32)), rtol=1e-12)
check_close("clip_by_global_norm(norm 0.5 < 1): unchanged, float32 kept", _small[0][0], np.array([0.3, -0.4]), rtol=1e-7, dtype=np.float32)
_in = [np.array([0.3, -0.4]), np.array([0.1])]
_out = clip_by_global_norm(_in, 1.0)[0]
check_true("clip_by_global_norm(norm below max_norm): new list, new arrays", _out is not _in and all(_o is not _i for _o, _i in zip(_out, _in)),
           "return new arrays even when nothing is clipped (g * 1.0 or g.copy()), not the caller's")
print("clip_by_global_norm: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(904)
def _expect_clip(name, grads, max_norm, dtype=np.float64):
    copies = [g.copy() for g in grads]
    clipped, total = clip_by_global_norm(grads, max_norm)
    expect(f"{name}: new arrays", all(c is not g for c, g in zip(clipped, grads)))
    expect(f"{name}: total_norm", total, rtol=1e-9)
    for i, g in enumerate(clipped):
        expect(f"{name}: clipped[{i}]", g, rtol=1e-9 if dtype == np.float64 else 1e-6, atol=1e-12, dtype=dtype)
        expect(f"{name}: input {i} not modified", grads[i] - copies[i], rtol=0.0, atol=0.0)

for _trial in range(8):
    _grads = [test_rng.normal(scale=test_rng.uniform(0.1, 10), size=tuple(test_rng.integers(1, 5, size=int(test_rng.integers(1, 4))))) for _ in range(int(test_rng.integers(1, 5)))]
    _total = np.sqrt(sum(np.sum(g**2) for g in _grads))
    _expect_clip(f"clip_by_global_norm(trial {_trial})", _grads, float(_total * test_rng.choice([0.1, 0.5, 0.9, 1.5])))
_expect_clip("clip_by_global_norm(all zero)", [np.zeros(3), np.zeros((2, 2))], 1.0)
_expect_clip("clip_by_global_norm(float32)", [np.array([[1.5, -2.0], [0.5, 4.0]], dtype=np.float32), np.array([3.0, -1.0], dtype=np.float32)], 2.0, np.float32)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 5: the training loop (3 points)
# Compose the four pieces. The order of the data is Day 5's, the loop's lines are:
# ```
# rng = np.random.default_rng(seed)                    # once, before the first epoch
# for each epoch:  order = rng.permutation(N)           # Day 5: a new shuffle per epoch
#     for each batch idx = order[i:i + batch_size]:     # the last, shorter batch is kept
#         loss, grads = mlp_loss_and_grads(...)         # Day 4
#         clipped, _ = clip_by_global_norm([dW1, db1, dW2, db2], max_norm)   # Day 7
#         lr = warmup_cosine_lr(t, lr_max, warmup_steps, T, lr_min, start_factor)   # Day 7
#         adam_step(each param, its clipped gradient, its own state, lr, ...)  # Day 6
# ```
# with $t = 0, 1, \dots$ the number of updates made so far and
# $T = $ `num_epochs * ceil(N / batch_size)` the number of updates in all. The checks below call
# your `train`, which calls your Exercises 1 to 4: make their checks pass first, since a wrong
# piece costs points here too (the visible check compares with a PyTorch loop that uses none of them).

# %% nbgrader={"grade_id": "train", "solution": true}
def train(params, X, y, num_epochs, batch_size, lr_max, warmup_steps, max_norm, seed=0,
          beta1=0.9, beta2=0.999, eps=1e-8, lr_min=0.0, start_factor=0.0):
    """Train the two-layer tanh network with Adam, warmup-plus-cosine and global-norm clipping.

    params: dict "W1" (h, d), "b1" (h,), "W2" (k, h), "b2" (k,) of float64 arrays: the initial
      weights (not modified). X: float64 (d, N), one example per column; y: int (N,).
    num_epochs, batch_size, warmup_steps, seed: ints (num_epochs >= 1, batch_size >= 1,
      num_epochs * ceil(N / batch_size) > warmup_steps >= 0); lr_max, max_norm, beta1, beta2,
      eps, lr_min, start_factor: floats.
    The loop: rng = np.random.default_rng(seed) once; each epoch, order = rng.permutation(N) and
    the batches are its consecutive slices of batch_size (the last one may be shorter). At
    update t = 0, 1, ..., T - 1, with T = num_epochs * ceil(N / batch_size):
      loss, grads = mlp_loss_and_grads(params, X[:, idx], y[idx]);
      clip the four gradients together with clip_by_global_norm(..., max_norm);
      lr = warmup_cosine_lr(t, lr_max, warmup_steps, T, lr_min, start_factor);
      adam_step on each of the four parameters, each with its own state (m, v zeros, step 0
      at the start), with lr, beta1, beta2, eps.
    Returns (trained, losses): trained a new dict of float64 arrays with params' keys and shapes;
    losses a float64 array of shape (T,), the mini-batch loss at each update, before the update.
    """
    ### BEGIN SOLUTION
    params = {key: np.array(params[key], dtype=np.float64) for key in KEYS}
    states = {key: {"m": np.zeros_like(params[key]), "v": np.zeros_like(params[key]), "step": 0} for key in KEYS}
    N = X.shape[1]
    total_steps = num_epochs * math.ceil(N / batch_size)
    rng = np.random.default_rng(seed)
    losses = []
    for epoch in range(num_epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            idx = order[start:start + batch_size]
            loss, grads = mlp_loss_and_grads(params, X[:, idx], y[idx])
            clipped, _ = clip_by_global_norm([grads[key] for key in KEYS], max_norm)
            lr = warmup_cosine_lr(len(losses), lr_max, warmup_steps, total_steps, lr_min, start_factor)
            for key, grad in zip(KEYS, clipped):
                adam_step(params[key], grad, states[key], lr, beta1, beta2, eps)
            losses.append(loss)
    return params, np.array(losses)
    ### END SOLUTION

# %% nbgrader={"grade_id": "train_tests", "grade": true, "points": 3}
def torch_train(params, X, y, num_epochs, batch_size, lr_max, warmup_steps, max_norm, seed=0, start_factor=0.05,
                beta1=0.9, beta2=0.999, eps=1e-8, lr_min=0.0):
    """The same training in PyTorch (row layout): nn.Linear weights copied from params,
    torch.optim.Adam, SequentialLR(LinearLR, CosineAnnealingLR), clip_grad_norm_."""
    model, N = torch_mlp(params), X.shape[1]
    total = num_epochs * math.ceil(N / batch_size)
    opt = torch.optim.Adam(model.parameters(), lr=lr_max, betas=(beta1, beta2), eps=eps)
    sched = torch.optim.lr_scheduler
    scheduler = sched.SequentialLR(opt, [sched.LinearLR(opt, start_factor=start_factor, total_iters=warmup_steps),
                                         sched.CosineAnnealingLR(opt, T_max=total - warmup_steps, eta_min=lr_min)], milestones=[warmup_steps])
    Xr, yr, batch_rng, losses = torch.from_numpy(X.T.copy()), torch.from_numpy(np.asarray(y)), np.random.default_rng(seed), []
    for _epoch in range(num_epochs):
        order = batch_rng.permutation(N)
        for start in range(0, N, batch_size):
            idx = torch.from_numpy(order[start:start + batch_size])
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(Xr[idx]), yr[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            opt.step()
            scheduler.step()
            losses.append(loss.item())
    return {key: p.detach().numpy().copy() for key, p in zip(KEYS, model.parameters())}, np.array(losses)

_params, _X, _y = _small_mlp(2, d=5, h=4, k=3, N=10)
_copies = {k: v.copy() for k, v in _params.items()}
_result = train(_params, _X, _y, 3, 4, 0.1, 2, 0.5, seed=3, start_factor=0.05)
check_type("train(...)", _result, tuple)
check_type("train(...)[1] (the losses)", _result[1], np.ndarray)
check_equal("train(N=10, batch_size=4, 3 epochs): number of losses", _result[1].shape, (9,))
_want = torch_train(_params, _X, _y, 3, 4, 0.1, 2, 0.5, seed=3, start_factor=0.05)
check_close("train: the losses against PyTorch (same weights, same batches)", _result[1], _want[1], rtol=1e-9, dtype=np.float64)
for _key in KEYS:
    check_close(f"train: the trained {_key} against PyTorch", _result[0][_key], _want[0][_key], rtol=1e-8, atol=1e-11, dtype=np.float64)
    check_close(f"train must not modify the initial {_key}", _params[_key], _copies[_key], rtol=0.0)
_other = dict(seed=4, beta1=0.7, beta2=0.95, eps=1e-2, lr_min=0.03, start_factor=0.3)
_result = train(_params, _X, _y, 3, 3, 0.1, 3, 0.8, **_other)
_want = torch_train(_params, _X, _y, 3, 3, 0.1, 3, 0.8, **_other)
check_close("train(beta1=0.7, beta2=0.95, eps=1e-2, lr_min=0.03): the losses against PyTorch", _result[1], _want[1], rtol=1e-9, dtype=np.float64)
for _key in KEYS:
    check_close(f"train(beta1=0.7, beta2=0.95, eps=1e-2, lr_min=0.03): the trained {_key}", _result[0][_key], _want[0][_key], rtol=1e-8, atol=1e-11, dtype=np.float64)
print("train: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(905)
def _expect_train(name, params, X, y, *args, **kwargs):
    trained, losses = train(params, X, y, *args, **kwargs)
    expect(f"{name}: losses", losses, rtol=1e-7, atol=1e-10, dtype=np.float64)
    for key in KEYS:
        expect(f"{name}: trained {key}", trained[key], rtol=1e-6, atol=1e-9, dtype=np.float64)

for _trial in range(5):
    _d, _h, _k, _N = (int(v) for v in test_rng.integers([2, 2, 2, 5], [7, 6, 5, 25]))
    _params, _X, _y = _small_mlp(int(test_rng.integers(1 << 30)), _d, _h, _k, _N)
    _b, _e = int(test_rng.integers(1, _N + 3)), int(test_rng.integers(1, 4))
    _T = _e * math.ceil(_N / _b)
    _expect_train(f"train(trial {_trial})", _params, _X, _y, _e, _b, float(test_rng.uniform(0.01, 0.2)), int(test_rng.integers(0, _T)),
                  float(test_rng.uniform(0.05, 3.0)), seed=int(test_rng.integers(1000)), beta1=float(test_rng.uniform(0.5, 0.95)),
                  beta2=float(test_rng.uniform(0.9, 0.999)), eps=float(10.0 ** test_rng.uniform(-10, -4)),
                  lr_min=float(test_rng.uniform(0, 0.01)), start_factor=float(test_rng.uniform(0, 1)))
_expect_train("train(batch of one, clipping always on)", *_small_mlp(int(test_rng.integers(1 << 30)), N=5), 2, 1, 0.05, 3, 0.01, seed=5)
_expect_train("train(one batch of everything, no warmup)", *_small_mlp(int(test_rng.integers(1 << 30)), N=8), 4, 50, 0.1, 0, 100.0, seed=6)
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Training on the digits, with a progress bar
# The configuration: 64 hidden units, batches of 32, 12 epochs (528 updates), `lr_max = 0.02`,
# 20 warmup steps from `start_factor = 0.05`, cosine down to 0, clipping at global norm 1.
# Three initial weights and batch orders (seeds 0, 1, 2), each trained with your `train`:

# %%
print(CONFIG)  # set in the setup cell
updates_per_epoch = math.ceil(X_train.shape[1] / CONFIG["batch_size"])

def predict(params, X):
    return np.argmax(params["W2"] @ np.tanh(params["W1"] @ X + params["b1"][:, None]) + params["b2"][:, None], axis=0)

runs = {}
for seed in tqdm(range(3), desc="training"):
    start = time.perf_counter()
    trained, losses = train(init_params(64, 64, 10, seed=seed), X_train, y_train, seed=seed, **CONFIG)
    runs[seed] = (trained, losses, time.perf_counter() - start)
for seed, (trained, losses, seconds) in runs.items():
    test_acc, train_acc = np.mean(predict(trained, X_test) == y_test), np.mean(predict(trained, X_train) == y_train)
    assert test_acc > 0.95 and train_acc > test_acc
    print(f"seed {seed}: {len(losses)} updates in {seconds:.2f} s, last-epoch mean loss {losses[-updates_per_epoch:].mean():.4f}, "
          f"test accuracy {test_acc:.2%}, training accuracy {train_acc:.2%}")
fig, ax = plt.subplots(figsize=(6, 3))
for seed, (_, losses, _) in runs.items():
    ax.semilogy(losses, lw=0.7, label=f"seed {seed}")
ax.set(xlabel="update t", ylabel="mini-batch loss")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# Every seed passes 95 % on the 397 held-out digits (asserted) in about a second of NumPy. The curve is
# noisy because each point is the loss of one batch of 32 (Day 5); it flattens as the cosine
# brings the rate to zero (Day 7).
#
# ### The held-out accuracy (2 points)
# The grader calls your `train` with the 1400 training digits and new initial weights and batch
# orders it chooses, checks the trained weights and losses (your `train` must be the loop
# specified above, trained on exactly the data it is passed), then measures the accuracy on the
# 397 held-out digits, which are never passed to your `train`. It should be at least 95 %.

# %% nbgrader={"grade_id": "heldout_accuracy_tests", "grade": true, "points": 2}
_Xtr, _ytr, _Xte, _yte = digits_split(1400, seed=0)
_trained, _losses = train(init_params(64, 64, 10, seed=0), _Xtr, _ytr, **CONFIG)
check_type("train(...)[0] (the trained weights)", _trained, dict)
_acc = float(np.mean(np.argmax(_trained["W2"] @ np.tanh(_trained["W1"] @ _Xte + _trained["b1"][:, None]) + _trained["b2"][:, None], axis=0) == _yte))
check_true("held-out accuracy (seed 0) >= 0.95", _acc >= 0.95, f"the accuracy on the held-out digits is {_acc:.2%}")
print(f"held-out accuracy, seed 0: {_acc:.2%}")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(906)
_seed = int(test_rng.integers(1, 1 << 30))
_trained, _losses = train(init_params(64, 64, 10, seed=_seed), _Xtr.copy(), _ytr.copy(), seed=_seed + 1, **CONFIG)
_acc = float(np.mean(np.argmax(_trained["W2"] @ np.tanh(_trained["W1"] @ _Xte + _trained["b1"][:, None]) + _trained["b2"][:, None], axis=0) == _yte))
expect("held-out accuracy >= 0.95", bool(_acc >= 0.95))
expect("digits run: losses", _losses, rtol=1e-6, atol=1e-9, dtype=np.float64)
for _key in KEYS:
    expect(f"digits run: trained {_key}", _trained[_key], rtol=1e-6, atol=1e-9, dtype=np.float64)
### END HIDDEN TESTS

# %% [markdown]
# ## 5. The frameworks: the same training, the same loss curve
# ### 5.1 PyTorch
# `nn.Linear` stores $W$ as we do ($d_{out} \times d_{in}$) and computes $X_r W^\top + b$ on rows
# $X_r = X^\top$; `torch_mlp` copies our initial weights in. The schedule is PyTorch's own
# `SequentialLR(LinearLR, CosineAnnealingLR)` (Day 7), the clipping `clip_grad_norm_` (Day 7),
# the optimizer `torch.optim.Adam` (Day 6); the batches are ours (the same `rng.permutation`).
# The function `torch_train` sits in the test cell of Exercise 5 (it is the visible check).

# %%
run_config = dict(CONFIG, num_epochs=3)  # 132 updates: enough to see the curves, quick to run
ours_params, ours = train(params0, X_train, y_train, seed=0, **run_config)
torch_params, torch_losses = torch_train(params0, X_train, y_train, seed=0, **run_config)
np.testing.assert_allclose(torch_losses, ours, rtol=1e-9)
for key in KEYS:
    np.testing.assert_allclose(torch_params[key], ours_params[key], rtol=1e-7, atol=1e-10)
print(f"PyTorch: {len(ours)} losses, largest relative difference {rel_error(torch_losses, ours):.1e}; "
      f"weights after training: largest |difference| {max(np.abs(torch_params[k] - ours_params[k]).max() for k in KEYS):.1e}")

# %% [markdown]
# ### 5.2 TensorFlow and Keras: where they cannot match exactly
# Keras's `Dense` stores the kernel $K = W^\top$; `keras_mlp` sets it. The Keras optimizer takes
# the schedule (`CosineDecay` with `warmup_target`, Day 7) and the clipping
# (`global_clipnorm`, Day 7) as arguments. Differences remain, all conventions, not bugs:
# - **Adam's $\epsilon$ (Day 6).** Keras adds $\hat\epsilon$ to $\sqrt{v}$ and folds the bias correction into the
#   rate, which is PyTorch's update with $\epsilon_t = \hat\epsilon/\sqrt{1-\beta_2^t}$, a value that changes
#   with $t$: no constant setting of Keras's `epsilon` reproduces PyTorch's $\epsilon = 10^{-8}$. The
#   difference matters where $\sqrt{\hat v}$ is not much larger than $\epsilon$: weights fed by pixels
#   that are almost always 0.
# - **float32 betas in the bias correction.** Keras casts $\beta_1, \beta_2$ through float32 when it
#   computes $1 - \beta^t$ (the moments $m, v$ themselves use the float64 betas): $\beta_2 = 0.999$
#   becomes the nearest float32, which shifts $1 - \beta_2^t$ by a small relative amount at every step
#   (printed below).
# - **A float32 schedule.** `CosineDecay` computes the rate in float32; near the end, where the rate
#   goes to 0, $1 + \cos$ loses digits to cancellation, so the relative difference grows there.
# - **Clipping.** Keras scales by $c/\max(\lVert g\rVert, c)$, without PyTorch's $10^{-6}$.
#
# So we measure: Keras against our loop with $\epsilon = 10^{-8}$; both again with $\epsilon = 10^{-14}$,
# where $\epsilon$'s place no longer matters; and both again with betas that are exact in float32
# (`float(np.float32(0.9))`, `float(np.float32(0.999))`), where the bias correction agrees too. Each step
# is a `tf.function` (a compiled graph) around a `GradientTape`. The "relative difference" printed is
# the course's `rel_error`, $|a-b|/(|a|+|b|)$, about half the $|a-b|/|b|$ that `assert_allclose`'s
# `rtol` bounds.

# %%
def keras_train(params, X, y, num_epochs, batch_size, lr_max, warmup_steps, max_norm, seed=0, start_factor=0.05,
                eps=1e-8, beta1=0.9, beta2=0.999):
    """The same training in Keras (row layout, float64 weights): Adam, CosineDecay with warmup, global_clipnorm."""
    model, N = keras_mlp(params), X.shape[1]
    total = num_epochs * math.ceil(N / batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(start_factor * lr_max, total - warmup_steps, alpha=0.0,
                                                      warmup_target=lr_max, warmup_steps=warmup_steps)
    optimizer = keras.optimizers.Adam(learning_rate=schedule, beta_1=beta1, beta_2=beta2, epsilon=eps, global_clipnorm=max_norm)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")  # float32 by default

    @tf.function
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss

    Xr, batch_rng, losses = X.T.copy(), np.random.default_rng(seed), []
    for _epoch in range(num_epochs):
        order = batch_rng.permutation(N)
        for start in range(0, N, batch_size):
            idx = order[start:start + batch_size]
            losses.append(float(step(tf.constant(Xr[idx]), tf.constant(y[idx]))))
    return np.array(losses), schedule

keras_losses, keras_schedule = keras_train(params0, X_train, y_train, seed=0, **run_config)
gap = rel_error(keras_losses, ours)
np.testing.assert_allclose(keras_losses, ours, rtol=1e-3)
_, ours_tiny = train(params0, X_train, y_train, seed=0, eps=1e-14, **run_config)
keras_tiny, _ = keras_train(params0, X_train, y_train, seed=0, eps=1e-14, **run_config)
gap_tiny = rel_error(keras_tiny, ours_tiny)
np.testing.assert_allclose(keras_tiny, ours_tiny, rtol=1e-4)
assert gap_tiny < gap
b1_32, b2_32 = float(np.float32(0.9)), float(np.float32(0.999))  # betas exactly representable in float32
_, ours_b32 = train(params0, X_train, y_train, seed=0, eps=1e-14, beta1=b1_32, beta2=b2_32, **run_config)
keras_b32, _ = keras_train(params0, X_train, y_train, seed=0, eps=1e-14, beta1=b1_32, beta2=b2_32, **run_config)
gap_b32 = rel_error(keras_b32, ours_b32)
assert gap_b32 < 1e-6
T_run = len(ours)
ours_rates = np.array([warmup_cosine_lr(t, CONFIG["lr_max"], CONFIG["warmup_steps"], T_run, 0.0, CONFIG["start_factor"]) for t in range(T_run)])
keras_rates = np.array([float(keras_schedule(t)) for t in range(T_run)])
rate_gap = np.abs(keras_rates - ours_rates) / ours_rates
bias_shift = abs((1 - b2_32) / (1 - 0.999) - 1)  # relative change of 1 - beta2^t at t = 1
logits = ours_params["W2"] @ np.tanh(ours_params["W1"] @ X_train + ours_params["b1"][:, None]) + ours_params["b2"][:, None]
loss64 = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")(y_train, logits.T))
loss32 = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y_train, logits.T))
print(f"Keras against ours, eps = 1e-8:  largest relative difference {gap:.1e} (asserted below 1e-3)")
print(f"Keras against ours, eps = 1e-14: largest relative difference {gap_tiny:.1e} ({gap_tiny / gap:.2f} of the first; asserted smaller)")
print(f"   and with float32-exact betas:  largest relative difference {gap_b32:.1e} (asserted below 1e-6)")
print(f"float32 beta2 = {b2_32!r}: 1 - beta2 shifted by {bias_shift:.1e} relative")
print(f"Keras's float32 schedule: relative difference {rate_gap[:T_run - 10].max():.1e} up to t = {T_run - 11}, "
      f"{rate_gap[:-1].max():.1e} over all t < {T_run - 1}")
print(f"the loss computed in float32 instead of float64 (trained weights, all training digits): {abs(loss32 - loss64) / loss64:.1e} relative")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3))
ax1.plot(ours, lw=2.5, color="lightgray", label="ours (NumPy)")
ax1.plot(torch_losses, lw=0.8, label="PyTorch")
ax1.plot(keras_losses, lw=0.8, ls="--", label="Keras")
ax1.set(xlabel="update t", ylabel="mini-batch loss", title="three implementations, one curve")
ax1.legend(fontsize="small")
with np.errstate(divide="ignore"):
    ax2.semilogy(np.abs(torch_losses - ours) / ours, ".", ms=3, label="PyTorch, eps 1e-8")
    ax2.semilogy(np.abs(keras_losses - ours) / ours, ".", ms=3, label="Keras, eps 1e-8")
    ax2.semilogy(np.abs(keras_tiny - ours_tiny) / ours_tiny, ".", ms=3, label="Keras, eps 1e-14")
    ax2.semilogy(np.abs(keras_b32 - ours_b32) / ours_b32, ".", ms=3, label="Keras, eps 1e-14, float32 betas")
ax2.set(xlabel="update t", ylabel="relative difference to ours", title="how close")
ax2.legend(fontsize="small")
plt.show()

# %% [markdown]
# PyTorch agrees with our loop to round-off (asserted to `rtol=1e-9`): it is the same
# arithmetic in a different order. Keras, with the same $\epsilon = 10^{-8}$, agrees to the first
# printed difference, asserted below $10^{-3}$; with $\epsilon = 10^{-14}$ on both sides the difference
# shrinks (by the printed fraction), so $\epsilon$'s place is a large part of it. It does not vanish:
# most of what remains is the float32 betas in Keras's bias correction, because with betas exact in
# float32 on both sides the difference falls below $10^{-6}$ (asserted). The rest is Keras's float32
# schedule and its clipping without the $10^{-6}$. The loss itself is not the cause: computing it in
# float32 (Keras's default unless `dtype="float64"`) changes it by the last printed amount, far below
# these gaps. The printed numbers are this run's. (Keras's Adam cannot be configured to PyTorch's
# $\epsilon$; to match it exactly one would write the update with `tf` operations, as our NumPy
# loop does.)
#
# ## 6. Exercises with the frameworks
# ### Exercise 6: PyTorch's optimizer and schedule (2 points)
# Package Day 7's construction as a function: `torch.optim.Adam` with the given betas and
# $\epsilon$, and a built-in scheduler (or `LambdaLR`) whose rate at update $t$ is
# `warmup_cosine_lr(t, ...)` with `lr_min = 0`. `torch_train` (in the check of Exercise 5) builds
# one for fixed settings; yours must hold for every $W \ge 1$, $T > W$ and `start_factor`. The
# check compares the rates with the formula written out and the trajectory with `torch.optim.Adam`
# fed those rates.

# %% nbgrader={"grade_id": "torch_optimizer", "solution": true}
def torch_optimizer(parameters, lr_max, warmup_steps, total_steps, start_factor, beta1=0.9, beta2=0.999, eps=1e-8):
    """torch.optim.Adam over parameters and a PyTorch LR scheduler that reproduce adam_step with
    warmup_cosine_lr(t, lr_max, warmup_steps, total_steps, 0.0, start_factor) at steps t = 0..T-1,
    when the loop calls optimizer.step() then scheduler.step() once per update.

    parameters: an iterable of torch parameters. warmup_steps >= 1 and total_steps > warmup_steps:
    ints; start_factor in (0, 1] (PyTorch's LinearLR rejects 0). Returns (optimizer, scheduler): a torch.optim.Adam and a
    torch.optim.lr_scheduler scheduler (built-in, or LambdaLR).
    """
    ### BEGIN SOLUTION
    optimizer = torch.optim.Adam(parameters, lr=lr_max, betas=(beta1, beta2), eps=eps)
    sched = torch.optim.lr_scheduler
    scheduler = sched.SequentialLR(optimizer, [sched.LinearLR(optimizer, start_factor=start_factor, total_iters=warmup_steps),
                                               sched.CosineAnnealingLR(optimizer, T_max=total_steps - warmup_steps)],
                                   milestones=[warmup_steps])
    return optimizer, scheduler
    ### END SOLUTION

# %% nbgrader={"grade_id": "torch_optimizer_tests", "grade": true, "points": 2}
def _torch_optimizer_run(lr_max, W, T, f, betas, eps, grad_seed, num_steps):
    """Trajectory of one parameter (3,) fed fixed gradients, and the rates used."""
    r = np.random.default_rng(grad_seed)
    x = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64))
    out = torch_optimizer([x], lr_max, W, T, f, *betas, eps)
    check_type("torch_optimizer(...)", out, tuple)
    check_type("torch_optimizer(...)[0]", out[0], torch.optim.Adam)
    optimizer, scheduler = out
    check_true("torch_optimizer(...)[1] is a torch LR scheduler", isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler), "expected a torch.optim.lr_scheduler scheduler")
    path, rates = [], []
    for _t in range(num_steps):
        x.grad = torch.tensor(r.normal(scale=2.0, size=3))
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
        path.append(x.detach().numpy().copy())
    return np.array(path), np.array(rates)

_path, _rates = _torch_optimizer_run(0.3, 3, 12, 0.2, (0.8, 0.99), 1e-6, 0, 12)
_t = np.arange(12)  # lr_max 0.3, W = 3, T = 12, start_factor 0.2, written out
_want_rates = np.where(_t < 3, 0.3 * (0.2 + 0.8 * _t / 3), 0.15 * (1 + np.cos(np.pi * (_t - 3) / 9)))
check_close("torch_optimizer: the rates at t = 0..11", _rates, _want_rates, rtol=1e-9, atol=1e-15)
_x = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64))
_opt = torch.optim.Adam([_x], lr=0.3, betas=(0.8, 0.99), eps=1e-6)
_lam = torch.optim.lr_scheduler.LambdaLR(_opt, lambda t: _want_rates[min(t, 11)] / 0.3)
_r, _mine = np.random.default_rng(0), []
for _k in range(12):
    _x.grad = torch.tensor(_r.normal(scale=2.0, size=3))
    _opt.step()
    _lam.step()
    _mine.append(_x.detach().numpy().copy())
check_close("torch_optimizer: 12 steps against torch.optim.Adam fed the written-out rates", _path, np.array(_mine), rtol=1e-8, atol=1e-12)
print("torch_optimizer: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(907)
for _trial in range(4):
    _W = int(test_rng.integers(1, 10))
    _T = _W + int(test_rng.integers(1, 30))
    _args = (float(test_rng.uniform(0.01, 1.0)), _W, _T, float(test_rng.uniform(0.01, 1.0)),
             (float(test_rng.uniform(0.5, 0.95)), float(test_rng.uniform(0.9, 0.9999))), float(10.0 ** test_rng.uniform(-10, -4)))
    _path, _rates = _torch_optimizer_run(*_args, int(test_rng.integers(1000)), _T)
    expect(f"torch_optimizer(trial {_trial}): rates", _rates, rtol=1e-9, atol=1e-15)
    expect(f"torch_optimizer(trial {_trial}): trajectory", _path, rtol=1e-8, atol=1e-12)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 7: Keras's optimizer (2 points)
# The Keras optimizer for the same loop: Adam with the warmup-plus-cosine schedule as a Keras
# schedule and clipping by *global* norm (not `clipnorm`, which clips each variable alone, Day 7).
# `keras_train` in §5.2 builds one for fixed settings; yours passes every argument on (betas,
# $\hat\epsilon$, the norm). The check compares the rates with the formula written out and the
# trajectory with Keras's Adam written out in NumPy.

# %% nbgrader={"grade_id": "keras_optimizer", "solution": true}
def keras_optimizer(lr_max, warmup_steps, total_steps, start_factor, max_norm, beta1=0.9, beta2=0.999, eps=1e-7):
    """A keras.optimizers.Adam whose learning rate at its iteration t = 0, 1, ... is
    warmup_cosine_lr(t, lr_max, warmup_steps, total_steps, 0.0, start_factor) (to float32
    precision) and which clips the gradients of all variables together to global norm max_norm.
    beta1, beta2, eps are Keras's beta_1, beta_2, epsilon (Keras's epsilon-hat convention).

    warmup_steps >= 1, total_steps > warmup_steps: ints; lr_max, start_factor, max_norm: floats.
    Returns a keras.optimizers.Adam (a new one).
    """
    ### BEGIN SOLUTION
    schedule = keras.optimizers.schedules.CosineDecay(start_factor * lr_max, total_steps - warmup_steps, alpha=0.0,
                                                      warmup_target=lr_max, warmup_steps=warmup_steps)
    return keras.optimizers.Adam(learning_rate=schedule, beta_1=beta1, beta_2=beta2, epsilon=eps, global_clipnorm=max_norm)
    ### END SOLUTION

# %% nbgrader={"grade_id": "keras_optimizer_tests", "grade": true, "points": 2}
def _keras_optimizer_run(lr_max, W, T, f, max_norm, betas, eps, grad_seed, num_steps):
    """Two float64 variables fed fixed gradients: their values and the rates, step by step."""
    optimizer = keras_optimizer(lr_max, W, T, f, max_norm, *betas, eps)
    check_type("keras_optimizer(...)", optimizer, keras.optimizers.Adam)
    r = np.random.default_rng(grad_seed)
    variables = [tf.Variable(np.array([1.0, -2.0, 0.5])), tf.Variable(np.array([[0.3], [-0.1]]))]
    path, rates = [], []
    for _t in range(num_steps):
        rates.append(float(optimizer.learning_rate))
        grads = [tf.constant(r.normal(scale=2.0, size=3)), tf.constant(r.normal(scale=0.1, size=(2, 1)))]
        optimizer.apply_gradients(zip(grads, variables))
        path.append(np.concatenate([v.numpy().ravel() for v in variables]))
    return np.array(path), np.array(rates)

_path, _rates = _keras_optimizer_run(0.3, 3, 10, 0.2, 1.0, (0.8, 0.99), 1e-3, 0, 12)
_t = np.arange(12)  # lr_max 0.3, W = 3, T = 10, start_factor 0.2, written out; 0 past T
_want_rates = np.where(_t < 3, 0.3 * (0.2 + 0.8 * _t / 3), np.where(_t <= 10, 0.15 * (1 + np.cos(np.pi * (_t - 3) / 7)), 0.0))
check_close("keras_optimizer: the rates at t = 0..11", _rates, _want_rates, rtol=1e-6, atol=1e-9)
_r = np.random.default_rng(0)
_vars, _mine = [np.array([1.0, -2.0, 0.5]), np.array([[0.3], [-0.1]])], []
_ms, _vs = [np.zeros(3), np.zeros((2, 1))], [np.zeros(3), np.zeros((2, 1))]
for _t in range(12):
    _gs = [_r.normal(scale=2.0, size=3), _r.normal(scale=0.1, size=(2, 1))]
    _norm = math.sqrt(sum(float(np.sum(_g**2)) for _g in _gs))
    _gs = [_g * 1.0 / max(_norm, 1.0) for _g in _gs]  # Keras's global clipping
    _lr = _want_rates[_t] * math.sqrt(1 - 0.99 ** (_t + 1)) / (1 - 0.8 ** (_t + 1))
    for _i in range(2):  # Keras's Adam: epsilon-hat, the correction folded into the rate
        _ms[_i] = 0.8 * _ms[_i] + 0.2 * _gs[_i]
        _vs[_i] = 0.99 * _vs[_i] + 0.01 * _gs[_i] ** 2
        _vars[_i] = _vars[_i] - _lr * _ms[_i] / (np.sqrt(_vs[_i]) + 1e-3)
    _mine.append(np.concatenate([_v.ravel() for _v in _vars]))
check_close("keras_optimizer: 12 steps against Keras's Adam written out in NumPy", _path, np.array(_mine), rtol=1e-5, atol=1e-7)
print("keras_optimizer: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(908)
for _trial in range(2):
    _W = int(test_rng.integers(1, 6))
    _T = _W + int(test_rng.integers(1, 8))
    _args = (float(test_rng.uniform(0.01, 1.0)), _W, _T, float(test_rng.uniform(0.01, 1.0)), float(test_rng.uniform(0.1, 3.0)),
             (float(test_rng.uniform(0.5, 0.95)), float(test_rng.uniform(0.9, 0.999))), float(10.0 ** test_rng.uniform(-8, -4)))
    _path, _rates = _keras_optimizer_run(*_args, int(test_rng.integers(1000)), _T + 2)
    expect(f"keras_optimizer(trial {_trial}): rates", _rates, rtol=1e-6, atol=1e-9)
    expect(f"keras_optimizer(trial {_trial}): trajectory", _path, rtol=1e-5, atol=1e-7)
### END HIDDEN TESTS

# %% [markdown]
# ## 7. A map of the course: each line of the loop, and the day it comes from
#
# | line of the training loop | idea | day |
# |---|---|---|
# | `params = init_params(64, 64, 10, seed)` | initial weights scaled by fan-in and fan-out, so that signals and gradients neither vanish nor explode | Day 8 (initialization) |
# | `H = tanh(W1 @ X + b1)`, `Z = W2 @ H + b2` | a nonlinearity between the layers, or the two collapse into one | Day 4 |
# | `log_P = (Z - max Z) - log(sum(exp(...)))` | the loss, computed stably; the loss is not the metric (accuracy is measured apart) | Day 4, Day 7 |
# | `dZ = (P - Y) / N`, `dW2 = dZ @ H.T`, `dW1 = dZ1 @ X.T` | derivatives of each elementary function ($\tanh' = 1 - \tanh^2$); the gradient as the vector of partial derivatives; the chain rule run backwards, layer VJPs $G X^\top$ and $W^\top G$ | Day 1, Day 2, Day 4 |
# | checking `mlp_loss_and_grads` against central differences and PyTorch | a gradient check: central differences in float64, relative error; autodiff as a second oracle | Day 1, Day 2, Day 4 |
# | `order = rng.permutation(N)`; `idx = order[i:i + batch_size]` | mini-batches: an unbiased, noisy gradient; more updates per pass | Day 5 |
# | `clip_by_global_norm(grads, max_norm)` | one scale for all gradients caps a rare huge step, keeps the direction | Day 7, Day 8 |
# | `lr = warmup_cosine_lr(t, ...)` | a learning rate that converges needs $\eta < 2/L$; warmup while the curvature is unknown, cosine decay to average out the noise at the end | Day 3, Day 7 |
# | `adam_step(params[k], g, states[k], lr, ...)` | the descent step $\theta \leftarrow \theta - \eta\,\cdot$ (direction); momentum and a per-weight scale, with bias correction | Day 3, Day 6 |
# | `np.mean(predict(trained, X_test) == y_test)` | held-out data, the metric that matters, measured apart from the loss | Day 7 |
# | `assert_allclose(torch_losses, ours)` | every algorithm checked against the frameworks in code, with its convention named | Days 1 to 8 |
#
# ## 8. Pitfalls and misconceptions
#
# **"Same hyper-parameters, same optimizer."** Keras's `Adam(epsilon=1e-8)` and PyTorch's
# `Adam(eps=1e-8)` are different optimizers: the printed gap in §5.2 is the proof, and it
# shrinks with $\epsilon \to 0$ (what remains is mostly Keras's float32 betas in the bias correction).
# Name the convention before comparing runs across frameworks.
#
# **"`clipnorm` is global clipping."** In Keras it clips each variable alone; `global_clipnorm`
# is `clip_grad_norm_` (up to the $10^{-6}$). Per-variable clipping turns the direction.
#
# **"The schedule steps once per epoch."** Here, and in most warmup-plus-cosine recipes, the
# rate changes at every *update*: $T$ counts updates, `scheduler.step()` goes after each
# `optimizer.step()`. Stepping it per epoch with $T$ in updates never leaves the warmup here: after
# 12 epochs the counter is at most 11, below $W = 20$, so the rate never reaches its peak (printed below).

# %%
_T_all = CONFIG["num_epochs"] * math.ceil(X_train.shape[1] / CONFIG["batch_size"])
_per_epoch = [warmup_cosine_lr(e, CONFIG["lr_max"], CONFIG["warmup_steps"], _T_all, 0.0, CONFIG["start_factor"]) for e in range(CONFIG["num_epochs"])]
print(f"stepped once per epoch: the largest rate is {max(_per_epoch):.4f}, {max(_per_epoch) / CONFIG['lr_max']:.0%} of lr_max = {CONFIG['lr_max']}")

# %% [markdown]
#
# **"A loss curve that matches means the model is right."** Two implementations with the same
# bug match each other. That is why the gradients were first checked against an independent
# oracle (central differences in float64, §3, and autodiff) and the test accuracy is measured on
# data the training code never saw.
#
# **"A lower training loss is better."** In §4, every seed's training accuracy (printed, close to
# 100 %) is above its test accuracy (asserted): the gap, not the training loss, says how well the
# model generalises.
#
# ## 9. Interview corner
#
# **Mid.** In what order do `zero_grad`, `backward`, `clip_grad_norm_`, `optimizer.step` and
# `scheduler.step` go, and why?
# <details><summary>Answer</summary>
# `zero_grad` (gradients accumulate, Day 4), forward and `backward`, `clip_grad_norm_` (it must see
# the full gradient before the step uses it), `optimizer.step()` (which reads the current rate),
# then `scheduler.step()` (which sets the rate for the next update). Moving the scheduler before
# the optimizer shifts the whole schedule by one step and PyTorch warns about it.
# </details>
#
# **Senior.** Your PyTorch and JAX reimplementations of a model train to different losses from
# the same initial weights. How do you find out why?
# <details><summary>Answer</summary>
# Remove randomness (same weights, same batch order, no dropout), then compare step by step:
# the loss at step 0 (the forward pass), the gradients at step 0 (against a float64 gradient
# check), the first optimizer update with a constant rate, then the schedule, then clipping. The
# first step that differs names the culprit; common ones are $\epsilon$'s place in Adam, decoupled
# or L2 weight decay, the schedule's step counter starting at 0 or 1, and per-variable against
# global clipping. Use float64 to separate convention differences from round-off.
# </details>
#
# **Principal.** A training run of a large model diverges after a week. What do you set up
# before the next run so that it is diagnosable and cheaper?
# <details><summary>Answer</summary>
# Log the global gradient norm before clipping, the clipping fraction, per-layer gradient and
# update norms, the learning rate, and Adam's $\sqrt{\hat v}$ statistics; checkpoint often enough to
# restart before the spike with a different data order. Re-run a small proxy model with the same
# recipe and a learning-rate range test (Day 7) instead of a grid search; check warmup length,
# $\beta_2$ and $\epsilon$ (too small an $\epsilon$ with tiny $\hat v$ makes huge steps), and the initial
# scales (Day 8). Budget compute for these checks: they cost far less than a lost week.
# </details>
#
# ## 10. Summary and further reading
#
# - A modern training loop is about twenty lines: a forward and backward pass (Day 4), a shuffle
#   and slices (Day 5), global-norm clipping and a warmup-plus-cosine rate (Day 7), Adam (Day 6),
#   from a sensible initialization (Day 8).
# - Written from scratch, it matches PyTorch to round-off, and Keras up to Keras's $\epsilon$
#   convention, its float32 betas in the bias correction and its float32 schedule, shown and
#   measured in code.
# - It reaches over 95 % on held-out digits in about a second on a CPU.
#
# **Further reading.** Karpathy, "A recipe for training neural networks" (2019). Goyal et al.,
# "Accurate, large minibatch SGD: training ImageNet in 1 hour" (2017), for warmup. Loshchilov and
# Hutter, "SGDR: stochastic gradient descent with warm restarts" (ICLR 2017). Zhang et al.,
# *Dive into Deep Learning*, chapters 5 and 12. The PyTorch documentation of `torch.optim` and the
# Keras documentation of `keras.optimizers`: read the update formulas, not only the argument names.
