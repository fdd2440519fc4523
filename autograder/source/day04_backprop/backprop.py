# %% [markdown]
# # Day 4, part 2: Backpropagation through layers
#
# **Learning goals.** By the end of this notebook you can
# - derive and code the backward pass of a linear layer on a batch, in a stated layout, and
#   check it with a gradient check, PyTorch and TensorFlow;
# - show in code why linear layers without activations collapse into one;
# - train a two-layer network on real data with a backward pass written by hand, and match
#   the frameworks' gradients for the same weights;
# - compare numerical, symbolic and automatic differentiation in accuracy and cost, and say
#   why reverse mode wins for a scalar loss of many parameters; run forward mode for contrast;
# - spot and fix the classic PyTorch bug of gradients accumulating without `zero_grad()`.
#
# **Prerequisites.** Part 1 (`chain_rule.ipynb`): the chain rule, VJPs, the scalar engine.
# Matrix products; softmax and cross-entropy. **Time to complete.** About 2.5 to 3 hours.
#
# **Grading.** An exercise's points are all or nothing. Its hidden tests try every promise of
# its docstring (shapes, dtype, the inputs left unchanged, the errors raised, the edge cases
# named) on new inputs, so one promise missed costs the whole exercise. The visible checks
# after each exercise try each promise once: read their failure messages.
#
# | backpropagation through a layer | |
# |---|---|
# | what | given $\partial L/\partial Y$ for a layer's output, return $\partial L/\partial$ (its input and its parameters) |
# | why | a layer is a node of the graph acting on whole matrices; its VJP is two matrix products |
# | when | every training step of every network |
# | where | `loss.backward()` calls each layer's backward in reverse order; `optimizer.step()` then uses `.grad` |
# | who | Linnainmaa (1970) for the general method; Werbos (1974) proposed it for neural networks; Rumelhart, Hinton and Williams (1986) made it the standard for multilayer networks |
# | how | forward: store the inputs; backward: multiply the upstream gradient by the transposed weights and inputs |

# %% nbgrader={"grade_id": "setup", "locked": true}
import math
import time

import numpy as np
from calcopt.checks import check_close, check_equal, check_true, check_type, expect, hidden_rng, rel_error
import matplotlib.pyplot as plt
import sympy as sp
import tensorflow as tf
import torch
from sklearn.datasets import load_digits
from threadpoolctl import threadpool_limits

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # tensors here are tiny: one thread is faster than several competing
tf.random.set_seed(0)

# %% [markdown]
# ## 1. Intuition
# Part 1's engine worked one number at a time. A layer does the same arithmetic on a whole
# matrix, and its backward pass is the same chain rule, organised as matrix products: what a
# weight $W_{ik}$ contributes is the signal entering it ($X_{kj}$) times the blame coming back
# to its output ($\partial L / \partial Y_{ij}$), summed over the examples of the batch.
#
# ## 2. A linear layer on a batch
# **Layout (the one used in this notebook): one example per column.** $X \in \mathbb{R}^{d_{in} \times N}$,
# $W \in \mathbb{R}^{d_{out} \times d_{in}}$, $b \in \mathbb{R}^{d_{out}}$, and
# $Y = WX + b\,\mathbf{1}^\top \in \mathbb{R}^{d_{out} \times N}$. With the upstream gradient
# $G = \partial L/\partial Y$ (same shape as $Y$), from $Y_{ij} = \sum_k W_{ik}X_{kj} + b_i$:
# $$\frac{\partial L}{\partial W_{ik}} = \sum_j G_{ij} X_{kj}, \quad
# \frac{\partial L}{\partial b_i} = \sum_j G_{ij}, \quad
# \frac{\partial L}{\partial X_{kj}} = \sum_i W_{ik} G_{ij}
# \quad\Longleftrightarrow\quad
# \frac{\partial L}{\partial W} = G X^\top,\ \ \frac{\partial L}{\partial b} = G\mathbf{1},\ \ \frac{\partial L}{\partial X} = W^\top G.$$
# Each gradient has the shape of its variable, which is a quick check on any formula. The sum
# over $j$ is "paths add up" again: $W$ is used by every example of the batch.
#
# **The frameworks use one example per row.** PyTorch's `nn.Linear` computes
# $Y_r = X_r W^\top + b$ with $X_r = X^\top$ and the same $W$ ($d_{out} \times d_{in}$), so
# $\partial L/\partial W = G_r^\top X_r$ and $\partial L/\partial X_r = G_r W$; Keras's `Dense` stores
# $K = W^\top$ and computes $X_r K + b$, so $\partial L / \partial K = X_r^\top G_r$. These are the same
# numbers transposed; the checks below convert between layouts explicitly.
#
# ### Exercise 1: `linear_backward` (3 points)

# %% nbgrader={"grade_id": "linear_backward", "solution": true}
def linear_backward(X, W, dY):
    """Backward pass of Y = W X + b (one example per column).

    X: NumPy array of shape (d_in, N); W: shape (d_out, d_in); dY = dL/dY: shape (d_out, N).
    All three have the same dtype, float32 or float64; none is modified.
    Returns a tuple (dX, dW, db) of NumPy arrays of shapes (d_in, N), (d_out, d_in) and
    (d_out,), in that dtype.
    Raises ValueError when the shapes do not fit together: when X, W or dY is not 2-D, when
    W has not as many columns as X has rows, or when dY is not of shape (d_out, N). Check
    this yourself: some mismatches (W of shape (2, 5) with X of shape (3, 4)) raise nothing
    in the matrix products.
    """
    ### BEGIN SOLUTION
    if X.ndim != 2 or W.ndim != 2 or dY.ndim != 2 or W.shape[1] != X.shape[0] or dY.shape != (W.shape[0], X.shape[1]):
        raise ValueError(f"shapes do not fit: X {X.shape}, W {W.shape}, dY {dY.shape}")
    return W.T @ dY, dY @ X.T, dY.sum(axis=1)
    ### END SOLUTION

# %% nbgrader={"grade_id": "linear_backward_tests", "grade": true, "points": 3}
_X = np.array([[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0]])  # d_in = 2, N = 3
_W = np.array([[2.0, -1.0], [0.0, 1.0], [1.0, 1.0], [3.0, 0.0]])  # d_out = 4
_dY = np.arange(12.0).reshape(4, 3) - 5.0
_result = linear_backward(_X, _W, _dY)
check_type("linear_backward(...)", _result, tuple)
check_true("linear_backward(...)", len(_result) == 3, "expected a tuple (dX, dW, db)")
check_close("linear_backward: dX = W^T dY", _result[0], _W.T @ _dY, rtol=1e-12, dtype=np.float64)
check_close("linear_backward: dW = dY X^T", _result[1], _dY @ _X.T, rtol=1e-12, dtype=np.float64)
check_close("linear_backward: db = row sums of dY", _result[2], _dY.sum(axis=1), rtol=1e-12, dtype=np.float64)
_X32, _W32, _dY32 = _X.astype(np.float32), _W.astype(np.float32), _dY.astype(np.float32)
_result = linear_backward(_X32, _W32, _dY32)
check_close("linear_backward(float32): dW", _result[1], _dY @ _X.T, rtol=1e-6, dtype=np.float32)
check_close("linear_backward(float32): dX", _result[0], _W.T @ _dY, rtol=1e-6, dtype=np.float32)
check_close("linear_backward(float32): db", _result[2], _dY.sum(axis=1), rtol=1e-6, dtype=np.float32)
for _name, _a, _orig in (("X", _X32, _X), ("W", _W32, _W), ("dY", _dY32, _dY)):
    check_close(f"linear_backward must not modify {_name}", _a, _orig, rtol=0.0, dtype=np.float32)
for _name, _shapes in [("W transposed", ((2, 3), (2, 4), (4, 3))), ("W columns != X rows", ((3, 4), (2, 5), (2, 4))),
                       ("X 1-D", ((3,), (2, 3), (2, 1)))]:
    try:
        linear_backward(*(np.ones(_s) for _s in _shapes))
        _raised = False
    except ValueError:
        _raised = True
    check_true(f"linear_backward({_name}: shapes X, W, dY = {_shapes})", _raised, "expected a ValueError")
print("linear_backward: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(411)
def _expect_linear(name, result, rtol, atol, dtype):
    check_type(name, result, tuple)
    check_true(name, len(result) == 3, "expected a tuple (dX, dW, db)")
    for _part, _value in zip(("dX", "dW", "db"), result):
        expect(f"{name}: {_part}", _value, rtol=rtol, atol=atol, dtype=dtype)

for _trial in range(15):
    _din, _dout, _n = (int(k) for k in test_rng.integers(1, 7, size=3))
    _args = (test_rng.normal(size=(_din, _n)), test_rng.normal(size=(_dout, _din)), test_rng.normal(size=(_dout, _n)))
    _expect_linear(f"linear_backward(trial {_trial}, {_din}->{_dout}, N={_n})", linear_backward(*_args), 1e-10, 1e-12, np.float64)
_args = (test_rng.normal(size=(5, 1)), test_rng.normal(size=(3, 5)), test_rng.normal(size=(3, 1)))
_expect_linear("linear_backward(batch of one)", linear_backward(*_args), 1e-10, 1e-12, np.float64)
_args = (np.zeros((3, 4)), test_rng.normal(size=(2, 3)), np.zeros((2, 4)))
_expect_linear("linear_backward(zeros)", linear_backward(*_args), 0.0, 1e-300, np.float64)
_args = (1e100 * test_rng.normal(size=(3, 4)), test_rng.normal(size=(2, 3)), 1e100 * test_rng.normal(size=(2, 4)))
_expect_linear("linear_backward(large)", linear_backward(*_args), 1e-10, 0.0, np.float64)
_args = tuple(a.astype(np.float32) for a in (test_rng.normal(size=(4, 6)), test_rng.normal(size=(3, 4)), test_rng.normal(size=(3, 6))))
_copies = tuple(a.copy() for a in _args)
_expect_linear("linear_backward(float32)", linear_backward(*_args), 1e-5, 1e-5, np.float32)
for _name, _a, _c in zip(("X", "W", "dY"), _args, _copies):
    expect(f"linear_backward must not modify {_name}", _a - _c, rtol=0.0, atol=0.0, dtype=np.float32)
for _name, _shapes in [("W columns != X rows", ((3, 4), (2, 5), (2, 4))), ("dY rows != d_out", ((3, 4), (2, 3), (3, 4))),
                       ("dY columns != N", ((3, 4), (2, 3), (2, 5))), ("X 1-D", ((3,), (2, 3), (2, 1)))]:
    try:
        linear_backward(*(np.ones(s) for s in _shapes))
        _raised = False
    except ValueError:
        _raised = True
    expect(f"linear_backward({_name}) raises ValueError", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ### 2.1 Checked three ways
# A gradient check (Day 2: float64, central differences, $h = 10^{-5}$) on
# $L = \sum_{ij} R_{ij} Y_{ij}$ for a fixed random $R$, whose $\partial L/\partial Y$ is exactly $R$;
# then PyTorch's `nn.functional.linear` and a Keras `Dense` layer, in their row layouts.

# %%
d_in, d_out, N = 4, 3, 5
X, W, b = rng.normal(size=(d_in, N)), rng.normal(size=(d_out, d_in)), rng.normal(size=d_out)
R = rng.normal(size=(d_out, N))
loss_fn = lambda X, W, b: np.sum(R * (W @ X + b[:, None]))
dX, dW, db = linear_backward(X, W, R)

def central_gradient(f, A, h=1e-5):
    grad = np.zeros_like(A)
    for idx in np.ndindex(A.shape):
        E = np.zeros_like(A)
        E[idx] = h
        grad[idx] = (f(A + E) - f(A - E)) / (2 * h)
    return grad

for name, ours, numeric in [("dX", dX, central_gradient(lambda A: loss_fn(A, W, b), X)),
                            ("dW", dW, central_gradient(lambda A: loss_fn(X, A, b), W)),
                            ("db", db, central_gradient(lambda A: loss_fn(X, W, A), b))]:
    print(f"gradient check {name}: relative error {rel_error(ours, numeric):.1e}")
    np.testing.assert_allclose(ours, numeric, rtol=1e-7, atol=1e-9)

Xr = torch.tensor(X.T, requires_grad=True)  # PyTorch: one example per row, Y_r = X_r W^T + b
Wt, bt = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
torch.nn.functional.linear(Xr, Wt, bt).backward(torch.tensor(R.T))
np.testing.assert_allclose(Xr.grad.numpy().T, dX, rtol=1e-12)
np.testing.assert_allclose(Wt.grad.numpy(), dW, rtol=1e-12)
np.testing.assert_allclose(bt.grad.numpy(), db, rtol=1e-12)

dense = tf.keras.layers.Dense(d_out, dtype="float64")  # Keras: Y_r = X_r K + b with K = W^T
dense.build((None, d_in))
dense.kernel.assign(W.T)
dense.bias.assign(b)
Xr_tf = tf.constant(X.T)
with tf.GradientTape() as tape:
    tape.watch(Xr_tf)
    Y_tf = dense(Xr_tf)
gX, gK, gb = tape.gradient(Y_tf, [Xr_tf, dense.kernel, dense.bias], output_gradients=tf.constant(R.T))
np.testing.assert_allclose(gX.numpy().T, dX, rtol=1e-12)
np.testing.assert_allclose(gK.numpy().T, dW, rtol=1e-12)
np.testing.assert_allclose(gb.numpy(), db, rtol=1e-12)
print("linear_backward = PyTorch's nn.functional.linear = Keras Dense (after transposing layouts)")

# %% [markdown]
# ### 2.2 Linear layers without activations collapse into one
# $W_2(W_1X + b_1) + b_2 = (W_2W_1)X + (W_2b_1 + b_2)$: any stack of linear layers is one linear
# layer, whose weight has rank at most the narrowest width. Below, a 4 -> 8 -> 2 -> 5 stack: its
# one weight is $5 \times 4$ but has rank at most 2, the width of the bottleneck. Depth only
# helps with a nonlinearity between the layers. On XOR the best linear model (least squares) predicts 0.5 everywhere, and a
# three-layer linear stack, however trained, computes a linear function, so it can do no better.

# %%
W1, b1 = rng.normal(size=(8, 4)), rng.normal(size=8)
W2, b2 = rng.normal(size=(2, 8)), rng.normal(size=2)  # the bottleneck: width 2
W3, b3 = rng.normal(size=(5, 2)), rng.normal(size=5)
stack = W3 @ (W2 @ (W1 @ X + b1[:, None]) + b2[:, None]) + b3[:, None]
W_one, b_one = W3 @ W2 @ W1, W3 @ (W2 @ b1 + b2) + b3
np.testing.assert_allclose(stack, W_one @ X + b_one[:, None], rtol=1e-10)
print(f"three linear layers = one linear layer; its weight is {W_one.shape[0]} x {W_one.shape[1]} "
      f"with rank {np.linalg.matrix_rank(W_one)}")
X_xor, y_xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float), np.array([0.0, 1.0, 1.0, 0.0])
A_xor = np.column_stack([X_xor, np.ones(4)])
coef = np.linalg.lstsq(A_xor, y_xor, rcond=None)[0]
print("best linear fit to XOR predicts", A_xor @ coef, "; mean squared error", np.mean((A_xor @ coef - y_xor) ** 2))

# %% [markdown]
# ## 3. A two-layer network, forward and backward by hand
# On scikit-learn's handwritten digits (1797 images of $8 \times 8$ pixels, 10 classes, shipped
# inside the package), columns as examples:
# $$Z_1 = W_1X + b_1, \quad H = \tanh(Z_1), \quad Z_2 = W_2H + b_2, \quad
# P = \mathrm{softmax}(Z_2) \text{ (per column)}, \quad L = -\frac1N\sum_j \log P_{y_j j}.$$
# Backward, node by node (with $Y$ the $k \times N$ one-hot labels, $k$ the number of rows of
# $W_2$, and $d\tanh = 1 - \tanh^2$):
# $$\frac{\partial L}{\partial Z_2} = \frac{P - Y}{N}, \quad
# \frac{\partial L}{\partial W_2} = \frac{\partial L}{\partial Z_2} H^\top, \quad
# \frac{\partial L}{\partial H} = W_2^\top \frac{\partial L}{\partial Z_2}, \quad
# \frac{\partial L}{\partial Z_1} = \frac{\partial L}{\partial H} \odot (1 - H^2), \quad
# \frac{\partial L}{\partial W_1} = \frac{\partial L}{\partial Z_1} X^\top,$$
# and each bias gradient is the row sum of its $\partial L/\partial Z$. The first is the softmax and
# cross-entropy VJPs combined: the famous "prediction minus target". Compute the softmax as
# $\mathrm{softmax}(z - \max z)$: the same value, without overflow for large logits.
#
# ### Exercise 2: one training step (3 points)

# %% nbgrader={"grade_id": "two_layer_step", "solution": true}
def two_layer_step(params, X, y, lr):
    """One step of gradient descent on the two-layer tanh network's mean cross-entropy,
    forward and backward written by hand with NumPy only (no torch, no TensorFlow).

    params: dict with "W1" (h, d), "b1" (h,), "W2" (k, h), "b2" (k,), float64 arrays (not modified).
    The number of classes is k = W2.shape[0]; the labels need not cover every class.
    X: float64 array of shape (d, N), one example per column (N may be 1); y: int array of
    shape (N,), labels in 0..k-1; lr: float.
    Returns (new_params, loss): a new dict with the same keys, each param minus lr times its
    gradient (float64 arrays of the same shapes), and the loss before the step (a float).
    The loss and the new params must be finite for large logits: compute the log-softmax as
    (z - max z) - log(sum(exp(z - max z))), never log(softmax(z)).
    """
    ### BEGIN SOLUTION
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[1]
    H = np.tanh(W1 @ X + b1[:, None])
    Z2 = W2 @ H + b2[:, None]
    Z2 = Z2 - Z2.max(axis=0, keepdims=True)
    log_P = Z2 - np.log(np.exp(Z2).sum(axis=0, keepdims=True))
    loss = float(-log_P[y, np.arange(N)].mean())
    dZ2 = np.exp(log_P)
    dZ2[y, np.arange(N)] -= 1.0
    dZ2 /= N
    dZ1 = (W2.T @ dZ2) * (1 - H**2)
    grads = {"W1": dZ1 @ X.T, "b1": dZ1.sum(axis=1), "W2": dZ2 @ H.T, "b2": dZ2.sum(axis=1)}
    return {name: params[name] - lr * grads[name] for name in params}, loss
    ### END SOLUTION

# %% nbgrader={"grade_id": "two_layer_step_tests", "grade": true, "points": 3}
def _small_problem(seed, d=3, h=4, k=3, N=5, scale=1.0):
    r = np.random.default_rng(seed)
    params = {"W1": r.normal(size=(h, d)), "b1": r.normal(size=h), "W2": scale * r.normal(size=(k, h)), "b2": r.normal(size=k)}
    return params, r.normal(size=(d, N)), r.integers(0, k, size=N)

_params, _X, _y = _small_problem(0)
_new, _loss = two_layer_step(_params, _X, _y, 0.0)
check_type("two_layer_step(...)[1] (the loss)", _loss, (float, np.float64))
check_type("two_layer_step(...)[0] (the new params)", _new, dict)
_logits = _params["W2"] @ np.tanh(_params["W1"] @ _X + _params["b1"][:, None]) + _params["b2"][:, None]
_want = np.mean(np.log(np.exp(_logits).sum(axis=0)) - _logits[_y, np.arange(5)])
check_close("two_layer_step: the loss", _loss, _want, rtol=1e-12)
_tp = {k: torch.tensor(v, requires_grad=True) for k, v in _params.items()}  # PyTorch, row layout
_torch_loss = torch.nn.functional.cross_entropy(torch.tanh(torch.tensor(_X.T) @ _tp["W1"].T + _tp["b1"]) @ _tp["W2"].T + _tp["b2"], torch.tensor(_y))
_torch_loss.backward()
_new, _loss = two_layer_step(_params, _X, _y, 0.5)
check_close("two_layer_step(lr = 0.5): the loss before the step", _loss, _want, rtol=1e-12)
for _name in ("W1", "b1", "W2", "b2"):
    check_close(f"two_layer_step: new {_name} = {_name} - lr * (PyTorch's gradient)", _new[_name], _params[_name] - 0.5 * _tp[_name].grad.numpy(), rtol=1e-10, atol=1e-12, dtype=np.float64)
_params, _X, _y = _small_problem(1, scale=1000.0)
_new, _loss = two_layer_step(_params, _X, _y, 0.1)
check_true("two_layer_step(large logits)", bool(np.isfinite(_loss)) and all(bool(np.all(np.isfinite(v))) for v in _new.values()), "the loss or a parameter is not finite: subtract the max logit before exp")
_params, _X, _y = _small_problem(2, k=4, N=1)  # one example: only one of the 4 classes occurs
_tp = {k: torch.tensor(v, requires_grad=True) for k, v in _params.items()}
torch.nn.functional.cross_entropy(torch.tanh(torch.tensor(_X.T) @ _tp["W1"].T + _tp["b1"]) @ _tp["W2"].T + _tp["b2"], torch.tensor(_y)).backward()
_copies = {k: v.copy() for k, v in _params.items()}
_new, _loss = two_layer_step(_params, _X, _y, 0.5)
for _name in ("W1", "b1", "W2", "b2"):
    check_close(f"two_layer_step(batch of one, k = 4 classes): new {_name}", _new[_name], _copies[_name] - 0.5 * _tp[_name].grad.numpy(), rtol=1e-10, atol=1e-12, dtype=np.float64)
    check_close(f"two_layer_step must not modify params[{_name!r}]", _params[_name], _copies[_name], rtol=0.0, dtype=np.float64)
print("two_layer_step: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(412)
def _expect_step(name, params, X, y, lr):
    copies = {k: v.copy() for k, v in params.items()}
    with torch.no_grad():  # a step written with NumPy does not need autograd
        new, loss = two_layer_step(params, X, y, lr)
    check_type(f"{name}: params", new, dict)
    expect(f"{name}: loss", loss, rtol=1e-9, atol=1e-12)
    for key in ("W1", "b1", "W2", "b2"):
        expect(f"{name}: new {key}", new[key], rtol=1e-9, atol=1e-11, dtype=np.float64)
        expect(f"{name}: {key} not modified", params[key] - copies[key], rtol=0.0, atol=0.0, dtype=np.float64)

for _trial in range(10):
    _d, _h, _k, _N = (int(v) for v in test_rng.integers([1, 1, 2, 1], [6, 7, 6, 9]))
    _params, _X, _y = _small_problem(int(test_rng.integers(1 << 30)), _d, _h, _k, _N)
    _expect_step(f"two_layer_step(trial {_trial})", _params, _X, _y, float(test_rng.uniform(0.01, 2.0)))
_expect_step("two_layer_step(batch of one)", *_small_problem(int(test_rng.integers(1 << 30)), N=1), 0.3)
_expect_step("two_layer_step(lr = 0)", *_small_problem(int(test_rng.integers(1 << 30))), 0.0)
_expect_step("two_layer_step(large logits)", *_small_problem(int(test_rng.integers(1 << 30)), scale=500.0), 0.1)
_params, _X, _y = _small_problem(int(test_rng.integers(1 << 30)), k=4, N=6)
_expect_step("two_layer_step(every label the same)", _params, _X, np.zeros(6, dtype=int), 0.5)
### END HIDDEN TESTS

# %% [markdown]
# ### 3.1 Training on the digits
# 32 hidden units, full-batch descent with your step, 300 steps, on 1200 training images; then
# the accuracy on the 597 held out. (The pixels, 0 to 16, are scaled to $[0, 1]$.) The matrices
# are small, so NumPy's linear-algebra library is run on one thread (`threadpool_limits(1)`):
# several threads on matrices this size spend more time coordinating than computing, and
# on a busy machine they can make the loop ten times slower.

# %%
digits = load_digits()
order = rng.permutation(len(digits.target))
X_all, y_all = digits.data[order].T / 16.0, digits.target[order]
X_train, y_train, X_test, y_test = X_all[:, :1200], y_all[:1200], X_all[:, 1200:], y_all[1200:]
params = {"W1": rng.normal(scale=1 / 8, size=(32, 64)), "b1": np.zeros(32),
          "W2": rng.normal(scale=1 / np.sqrt(32), size=(10, 32)), "b2": np.zeros(10)}
params_start = {k: v.copy() for k, v in params.items()}
losses = []
start = time.perf_counter()
with threadpool_limits(1):
    for step in range(300):
        params, loss = two_layer_step(params, X_train, y_train, lr=0.5)
        losses.append(loss)
seconds = time.perf_counter() - start

def predict(params, X):
    return np.argmax(params["W2"] @ np.tanh(params["W1"] @ X + params["b1"][:, None]) + params["b2"][:, None], axis=0)

print(f"300 steps in {seconds:.2f} s; loss {losses[0]:.3f} -> {losses[-1]:.3f}; "
      f"test accuracy {np.mean(predict(params, X_test) == y_test):.1%}")
fig, ax = plt.subplots(figsize=(5, 3))
ax.semilogy(losses)
ax.set(xlabel="step", ylabel="training loss (cross-entropy)")
plt.show()

# %% [markdown]
# ### 3.2 The same gradients in PyTorch and TensorFlow
# For the starting weights, the gradient of your step (with `lr = 1` the step subtracts exactly
# the gradient) against `loss.backward()` and `tape.gradient`, each in its row layout.

# %%
new, _ = two_layer_step(params_start, X_train, y_train, lr=1.0)
ours = {k: params_start[k] - new[k] for k in params_start}

tp = {k: torch.tensor(v, requires_grad=True) for k, v in params_start.items()}
logits = torch.tanh(torch.tensor(X_train.T) @ tp["W1"].T + tp["b1"]) @ tp["W2"].T + tp["b2"]
torch.nn.functional.cross_entropy(logits, torch.tensor(y_train)).backward()

tfp = {k: tf.Variable(v) for k, v in params_start.items()}
with tf.GradientTape() as tape:
    logits = tf.tanh(X_train.T @ tf.transpose(tfp["W1"]) + tfp["b1"]) @ tf.transpose(tfp["W2"]) + tfp["b2"]
    loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y_train, logits, from_logits=True))
tf_grads = dict(zip(tfp, tape.gradient(loss, list(tfp.values()))))
for k in ours:
    np.testing.assert_allclose(ours[k], tp[k].grad.numpy(), rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(ours[k], tf_grads[k].numpy(), rtol=1e-9, atol=1e-14)
    print(f"{k}: relative error to PyTorch {rel_error(ours[k], tp[k].grad.numpy()):.1e}, to TensorFlow {rel_error(ours[k], tf_grads[k].numpy()):.1e}")

# %% [markdown]
# ## 4. Numerical, symbolic, automatic
# **Symbolic** differentiation (SymPy) manipulates formulas and returns an exact expression,
# but the expression can swell: written as a tree, a formula repeats every sub-expression it
# uses twice (the product rule doubles terms), because a tree cannot say "reuse this
# intermediate". Here $f_k = \tanh(f_{k-1}) \cdot f_{k-1}$, $f_0 = x$, a $k$-layer "network" of
# one unit. The table counts operations in $f_k$ and in `sp.diff`'s $f_k'$ as trees; in $f_k'$
# after `sp.cse` (common sub-expression elimination) has turned it back into a graph (the
# shared sub-expressions plus the reduced expression); and the nodes of the graph that
# PyTorch's reverse mode builds for $f_k'$ (`torch.autograd.grad(..., create_graph=True)`:
# the forward pass and the backward pass together):

# %%
x_sym = sp.Symbol("x")
f_sym = x_sym
def graph_nodes(grad_fn):
    """The number of nodes of a torch autograd graph reachable from grad_fn."""
    seen, stack = set(), [grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and node not in seen:
            seen.add(node)
            stack.extend(child for child, _ in node.next_functions)
    return len(seen)

swell = []
x_torch = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
f_torch = x_torch
print(" k   f_k (tree)   f_k' (tree)   f_k' after cse   autodiff graph of f_k'")
for k in range(1, 6):
    f_sym = sp.tanh(f_sym) * f_sym
    df_sym = sp.diff(f_sym, x_sym)
    shared, reduced = sp.cse(df_sym)
    ops_cse = sum(sp.count_ops(e) for _, e in shared) + sp.count_ops(reduced[0])
    f_torch = torch.tanh(f_torch) * f_torch
    (df_torch,) = torch.autograd.grad(f_torch, x_torch, create_graph=True)
    swell.append((sp.count_ops(f_sym), sp.count_ops(df_sym), ops_cse, graph_nodes(df_torch.grad_fn)))
    print(f"{k:2d}   {swell[-1][0]:10d}   {swell[-1][1]:11d}   {swell[-1][2]:14d}   {swell[-1][3]:22d}")
np.testing.assert_allclose(float(df_sym.subs(x_sym, 0.3)), df_torch.item(), rtol=1e-12)
increments = np.diff([row[3] for row in swell])
print(f"k = 1 -> {k}: tree of f_k' x{swell[-1][1] / swell[0][1]:.0f}, after cse x{swell[-1][2] / swell[0][2]:.0f}, "
      f"autodiff graph x{swell[-1][3] / swell[0][3]:.0f} (+{increments.min()} to +{increments.max()} nodes per layer)")

# %% [markdown]
# As a graph, $f_k$ has $2k$ operations; as a tree, which is what `sp.count_ops` counts, it
# doubles with each layer, because $f_{k-1}$ appears twice, and the tree of its derivative grows
# faster still (first two columns). The swell comes from the tree representation, not from
# differentiation itself (Laue, 2019): `sp.cse` recovers much of the sharing after the fact
# (third column), and reverse-mode autodiff shares it by construction: its graph grows by the
# same few nodes per layer (last column), so the backward pass costs a small constant times
# the forward pass, whatever $k$.
#
# **Numerical** differentiation needs $n + 1$ (forward) or $2n$ (central) evaluations of the loss
# for $n$ parameters, and in float64 its error is at best about $10^{-10}$ relative to the size
# of the gradient (Day 1).
# **Reverse-mode automatic** differentiation needs one forward and one backward pass, and is
# exact up to round-off. On the digits network ($n = 2410$ parameters, 100 examples):

# %%
Xb, yb = X_train[:, :100], y_train[:100]
keys = ["W1", "b1", "W2", "b2"]
sizes = [params_start[k].size for k in keys]
flat0 = np.concatenate([params_start[k].ravel() for k in keys])

def loss_flat(theta):
    parts = np.split(theta, np.cumsum(sizes)[:-1])
    p = {k: part.reshape(params_start[k].shape) for k, part in zip(keys, parts)}
    z = p["W2"] @ np.tanh(p["W1"] @ Xb + p["b1"][:, None]) + p["b2"][:, None]
    z = z - z.max(axis=0)
    return np.mean(np.log(np.exp(z).sum(axis=0)) - z[yb, np.arange(len(yb))])

with threadpool_limits(1):
    start = time.perf_counter()
    numeric = np.empty_like(flat0)
    for i in range(flat0.size):  # 2n evaluations of the loss
        e = np.zeros_like(flat0)
        e[i] = 1e-5
        numeric[i] = (loss_flat(flat0 + e) - loss_flat(flat0 - e)) / 2e-5
    t_numeric = time.perf_counter() - start
    start = time.perf_counter()
    new, _ = two_layer_step(params_start, Xb, yb, lr=1.0)
    t_backprop = time.perf_counter() - start
auto = np.concatenate([(params_start[k] - new[k]).ravel() for k in keys])
print(f"central differences: {2 * flat0.size} loss evaluations, {t_numeric:.2f} s")
print(f"backpropagation:     1 forward + 1 backward pass,  {t_backprop * 1e3:.2f} ms  "
      f"({t_numeric / t_backprop:.0f} times faster)")
norm_error = np.linalg.norm(numeric - auto) / np.linalg.norm(auto)
tiny = np.abs(auto) < 1e-6
print(f"relative error of the whole gradient ||numeric - auto|| / ||auto|| = {norm_error:.1e}; "
      f"largest absolute difference {np.max(np.abs(numeric - auto)):.1e} on entries up to {np.max(np.abs(auto)):.2f}")
print(f"entrywise, the largest relative difference is {rel_error(numeric, auto):.1e}: "
      f"{tiny.sum()} of the {auto.size} entries are below 1e-6 in size ({np.sum(auto == 0)} exactly 0)")
np.testing.assert_allclose(numeric, auto, rtol=0, atol=1e-8)

# %% [markdown]
# Read the error of the whole gradient vector, or the absolute error against the size of the
# largest entries: both are at the level Day 1 predicts. The entrywise relative difference
# is meaningless on entries that are nearly 0 (here, weights fed by pixels that are 0 in
# every image of the batch): the finite-difference round-off, about $10^{-10}$ in absolute
# terms, is then compared with a gradient that is itself that small or 0.
#
# **Why reverse mode wins here.** For $f: \mathbb{R}^n \to \mathbb{R}^m$, forward mode (and finite
# differences) gets one column of $J$ (a JVP) per pass: $n$ passes for the whole Jacobian.
# Reverse mode gets one row (a VJP) per pass: $m$ passes. A loss is scalar, $m = 1$, with $n$ in
# the millions: one backward pass, costing a small constant times the forward pass (the
# "cheap gradient principle"), against $n$. Forward mode wins when $n \ll m$ (a few inputs, many
# outputs), and needs no stored activations.
#
# **Forward mode in a few lines: dual numbers.** Carry $(a, \dot a)$, a value and its derivative
# along one chosen direction, through each operation: $(a, \dot a)(b, \dot b) = (ab, \dot a b + a\dot b)$.

# %%
class Dual:
    """A value and its derivative along one direction: forward-mode autodiff."""

    def __init__(self, value, dot):
        self.value, self.dot = value, dot

    def __add__(self, other):
        return Dual(self.value + other.value, self.dot + other.dot)

    def __mul__(self, other):
        return Dual(self.value * other.value, self.dot * other.value + self.value * other.dot)

    def tanh(self):
        t = np.tanh(self.value)
        return Dual(t, (1 - t**2) * self.dot)

def f_two(x, y):  # f(x, y) = tanh(x y) * x + y
    return (x * y).tanh() * x + y

out_x = f_two(Dual(0.7, 1.0), Dual(-1.2, 0.0))  # seed the direction e_x
out_y = f_two(Dual(0.7, 0.0), Dual(-1.2, 1.0))  # a second pass for e_y
_, jvp_x = torch.func.jvp(lambda x, y: torch.tanh(x * y) * x + y,
                          (torch.tensor(0.7, dtype=torch.float64), torch.tensor(-1.2, dtype=torch.float64)),
                          (torch.tensor(1.0, dtype=torch.float64), torch.tensor(0.0, dtype=torch.float64)))
xv, yv = 0.7, -1.2
df_dx = np.tanh(xv * yv) + xv * yv * (1 - np.tanh(xv * yv) ** 2)
np.testing.assert_allclose([out_x.dot, jvp_x.item()], df_dx, rtol=1e-14)
np.testing.assert_allclose(out_y.dot, xv**2 * (1 - np.tanh(xv * yv) ** 2) + 1, rtol=1e-14)
print(f"forward mode: df/dx = {out_x.dot:.12f} (dual numbers) = {jvp_x.item():.12f} (torch.func.jvp); "
      f"df/dy = {out_y.dot:.12f}: one pass per input")

# %% [markdown]
# The full gradient of a scalar function of $n$ inputs, both ways in PyTorch: forward mode
# (`torch.func.jvp`) seeded with each basis vector in turn, against one reverse pass
# (`torch.autograd.grad`, the VJP with $v = 1$). A counter records how often the function is
# evaluated.

# %%
n_in = 100
A_fr = torch.tensor(rng.normal(size=(50, n_in)) / np.sqrt(n_in))
calls = [0]

def f_scalar(theta):  # R^100 -> R
    calls[0] += 1
    return torch.sum(torch.tanh(A_fr @ torch.tanh(theta)) ** 2)

theta0 = torch.tensor(rng.normal(size=n_in))
theta_leaf = theta0.clone().requires_grad_()
torch.func.jvp(f_scalar, (theta0,), (theta0,))  # one untimed call of each: first calls pay set-up costs
torch.autograd.grad(f_scalar(theta_leaf), theta_leaf)
calls[0] = 0
start = time.perf_counter()
grad_forward = torch.stack([torch.func.jvp(f_scalar, (theta0,), (e,))[1] for e in torch.eye(n_in, dtype=torch.float64)])
t_forward, calls_forward = time.perf_counter() - start, calls[0]
calls[0] = 0
start = time.perf_counter()
(grad_reverse,) = torch.autograd.grad(f_scalar(theta_leaf), theta_leaf)  # one reverse pass
t_reverse, calls_reverse = time.perf_counter() - start, calls[0]
np.testing.assert_allclose(grad_forward.numpy(), grad_reverse.numpy(), rtol=1e-10, atol=1e-14)
assert (calls_forward, calls_reverse) == (n_in, 1)
print(f"n = {n_in}: forward mode {calls_forward} passes, {t_forward * 1e3:.1f} ms; "
      f"reverse mode {calls_reverse} forward + 1 backward pass, {t_reverse * 1e3:.2f} ms; same gradient")

# %% [markdown]
# ## 5. PyTorch accumulates `.grad` until `zero_grad()`
# `loss.backward()` **adds** the new gradient to each parameter's `.grad` (so that gradients from
# several backward calls, e.g. micro-batches, can be summed on purpose, Day 5). Forget
# `optimizer.zero_grad()` and step $k$ uses the sum of the last $k$ gradients. Fitting $y = wx$
# (as in Part 1, §3, on new data) with `torch.optim.SGD`, 100 steps at $\eta = 0.1$, with and
# without `zero_grad()`:

# %%
x_fit = torch.tensor(rng.uniform(-2, 2, size=20))
y_fit = 3.0 * x_fit + 0.3 * torch.tensor(rng.normal(size=20))
for zero in (True, False):
    w_fit = torch.zeros((), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w_fit], lr=0.1)
    ws = []
    for step in range(100):
        if zero:
            optimizer.zero_grad()
        loss = torch.mean((w_fit * x_fit - y_fit) ** 2)
        loss.backward()
        optimizer.step()
        ws.append(w_fit.item())
    losses_late = [torch.mean((w * x_fit - y_fit) ** 2).item() for w in ws[50:]]
    print(f"zero_grad() {'called   ' if zero else 'forgotten'}: over steps 50-100, w in [{min(ws[50:]):.3f}, {max(ws[50:]):.3f}], "
          f"loss in [{min(losses_late):.3g}, {max(losses_late):.3g}], mean loss {np.mean(losses_late):.3g}")
w_best = (torch.sum(x_fit * y_fit) / torch.sum(x_fit**2)).item()
curvature = 2 * torch.mean(x_fit**2).item()  # L''(w), the lambda of Day 3
print(f"minimum: w* = {w_best:.3f}, loss {torch.mean((w_best * x_fit - y_fit) ** 2).item():.3g}; "
      f"lr * L'' = {0.1 * curvature:.2f} (plain descent converges below 2)")

# %% [markdown]
# With `zero_grad()` the fit settles at $w^\ast$ and the loss at its minimum. Without it the
# step uses the sum of all gradients so far: heavy-ball momentum with $\beta = 1$, no friction
# (Day 6). The weight swings from one side of $w^\ast$ to the other and never settles: the loss
# passes through its minimum and climbs back up, its mean over the last 50 steps far above
# the minimum, from one missing line. On this quadratic, with $e_k = w_k - w^\ast$ and
# $\lambda = L''$, the update $w_{k+1} = w_k - \eta \sum_{j \le k} \nabla L(w_j)$ gives
# $e_{k+1} = (2 - \eta\lambda)\, e_k - e_{k-1}$, whose characteristic roots lie on the unit circle
# for $0 < \eta\lambda < 4$: an oscillation that neither decays nor grows. It would diverge
# only for $\eta\lambda > 4$, where plain descent ($\eta\lambda < 2$) already diverges; in a
# non-convex network the ever-growing accumulated gradient can also blow up. The fix is
# `optimizer.zero_grad()` (or `w.grad = None`) before each `backward()`.
#
# ## 6. Exercises in the frameworks
# A model's parameters, and their gradients, in each framework. A PyTorch `nn.Module` lists its
# parameters by name with `named_parameters()` ("weight", "bias", or "0.weight" for the first
# layer of a `Sequential`); after `backward()` each has a `.grad` of its own shape, until
# `model.zero_grad()` clears them. Labels for `cross_entropy` are an int64 tensor. A Keras
# model lists its variables in `trainable_variables`, and the tape returns one gradient per
# variable, in that order. Here for the sum of a layer's outputs:

# %%
layer = torch.nn.Linear(3, 2)
layer(torch.ones(4, 3)).sum().backward()
print({name: tuple(p.grad.shape) for name, p in layer.named_parameters()}, "labels dtype:", torch.tensor([0, 2, 1]).dtype)
dense_layer = tf.keras.layers.Dense(2)
with tf.GradientTape() as tape:
    out = tf.reduce_sum(dense_layer(tf.ones((4, 3))))
print([(v.path, tuple(g.shape)) for v, g in zip(dense_layer.trainable_variables, tape.gradient(out, dense_layer.trainable_variables))])

# %% [markdown]
# ### Exercise 3: parameter gradients with `torch.autograd` (2 points)
# The model is any `torch.nn.Module`, layers you have not derived included. The function may be
# called many times on the same model: each call must return the gradient of *that* batch.

# %% nbgrader={"grade_id": "torch_param_grads", "solution": true}
def torch_param_grads(model, X, y):
    """Gradients of the mean cross-entropy of model(X) against y, for every parameter.

    model: a torch.nn.Module mapping a float tensor of shape (N, d) to logits (N, k).
    X: NumPy array (N, d), of the model's dtype (float32 or float64); y: int array (N,).
    The loss is torch.nn.functional.cross_entropy(model(X), y) (mean over the batch).
    Returns a dict {parameter name (as in model.named_parameters()): NumPy array of that
    parameter's shape and dtype}. The model's parameters are not changed.
    """
    ### BEGIN SOLUTION
    model.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(torch.tensor(X)), torch.tensor(y, dtype=torch.long))
    loss.backward()
    return {name: p.grad.detach().numpy().copy() for name, p in model.named_parameters()}
    ### END SOLUTION

# %% nbgrader={"grade_id": "torch_param_grads_tests", "grade": true, "points": 2}
def _torch_model(seed, d, k, dtype):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(d, 6), torch.nn.LayerNorm(6), torch.nn.GELU(),
                               torch.nn.Linear(6, k)).to(dtype)

_model = _torch_model(0, 4, 3, torch.float64)
_X, _y = np.random.default_rng(0).normal(size=(5, 4)), np.array([0, 2, 1, 1, 0])
_got = torch_param_grads(_model, _X, _y)
check_type("torch_param_grads(...)", _got, dict)
check_equal("torch_param_grads(...): the keys", sorted(_got), sorted(n for n, _ in _model.named_parameters()))
_model.zero_grad()
torch.nn.functional.cross_entropy(_model(torch.tensor(_X)), torch.tensor(_y)).backward()
_want = {n: p.grad.numpy().copy() for n, p in _model.named_parameters()}
for _name in _want:
    check_close(f"torch_param_grads: {_name}", _got[_name], _want[_name], rtol=1e-10, atol=1e-13, dtype=np.float64)
_again = torch_param_grads(_model, _X, _y)
check_close("torch_param_grads called a second time (did .grad accumulate?)", _again["0.weight"], _want["0.weight"], rtol=1e-10, atol=1e-13, dtype=np.float64)
_got = torch_param_grads(_torch_model(0, 4, 3, torch.float32), _X.astype(np.float32), _y)  # the same weights, in float32
check_close("torch_param_grads(float32 model): 0.weight", _got["0.weight"], _want["0.weight"], rtol=1e-4, atol=1e-6, dtype=np.float32)
print("torch_param_grads: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(413)
for _trial in range(5):
    _d, _k, _N = (int(v) for v in test_rng.integers([1, 2, 1], [6, 5, 8]))
    _model = _torch_model(int(test_rng.integers(1 << 30)), _d, _k, torch.float64)
    _X, _y = test_rng.normal(size=(_N, _d)), test_rng.integers(0, _k, size=_N)
    _before = {n: p.detach().numpy().copy() for n, p in _model.named_parameters()}
    for _call in range(2):
        _got = torch_param_grads(_model, _X, _y)
        check_type(f"torch_param_grads(trial {_trial})", _got, dict)
        for _name in sorted(_before):
            expect(f"torch_param_grads(trial {_trial}, call {_call}): {_name}", _got[_name], rtol=1e-10, atol=1e-13, dtype=np.float64)
    for _name, _p in _model.named_parameters():
        expect(f"torch_param_grads(trial {_trial}) must not change {_name}", _p.detach().numpy() - _before[_name], rtol=0.0, atol=0.0)
_model = _torch_model(int(test_rng.integers(1 << 30)), 3, 4, torch.float32)
_X32, _y = test_rng.normal(size=(6, 3)).astype(np.float32), test_rng.integers(0, 4, size=6)
_got = torch_param_grads(_model, _X32, _y)
for _name in sorted(_got):
    expect(f"torch_param_grads(float32): {_name}", _got[_name], rtol=1e-4, atol=1e-5, dtype=np.float32)
_got = torch_param_grads(_model, _X32[:1], _y[:1])
expect("torch_param_grads(batch of one): 3.weight", _got["3.weight"], rtol=1e-4, atol=1e-5, dtype=np.float32)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 4: parameter gradients with `tf.GradientTape` (2 points)
# Use the function `tf.keras.losses.sparse_categorical_crossentropy` named in the docstring:
# the class `tf.keras.losses.SparseCategoricalCrossentropy` computes in float32 whatever the
# model's dtype, so it loses digits on a float64 model.

# %% nbgrader={"grade_id": "keras_param_grads", "solution": true}
def keras_param_grads(model, X, y):
    """Gradients of the mean cross-entropy of model(X) against y, with tf.GradientTape.

    model: a built tf.keras.Model mapping (N, d) to logits (N, k).
    X: NumPy array (N, d) of the model's dtype (float32 or float64); y: int array (N,).
    The loss is the batch mean of tf.keras.losses.sparse_categorical_crossentropy(y, logits,
    from_logits=True).
    Returns a list of NumPy arrays, one per variable in model.trainable_variables, in that
    order, each of the variable's shape and dtype. The model's variables are not changed.
    Call the model once (or twice): the gradients come from the tape, not finite differences.
    """
    ### BEGIN SOLUTION
    with tf.GradientTape() as tape:
        logits = model(X)
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
    return [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]
    ### END SOLUTION

# %% nbgrader={"grade_id": "keras_param_grads_tests", "grade": true, "points": 2}
class _Count(tf.keras.layers.Layer):  # passes its input through and counts the model's calls
    calls = 0

    def call(self, x):
        _Count.calls += 1
        return x

def _keras_model(seed, d, k, dtype):
    tf.keras.utils.set_random_seed(seed)
    return tf.keras.Sequential([tf.keras.Input((d,), dtype=dtype), _Count(dtype=dtype),
                                tf.keras.layers.Dense(6, activation="gelu", dtype=dtype),
                                tf.keras.layers.LayerNormalization(dtype=dtype),
                                tf.keras.layers.Dense(k, dtype=dtype)])

_model = _keras_model(0, 4, 3, "float64")
_X, _y = np.random.default_rng(0).normal(size=(5, 4)), np.array([0, 2, 1, 1, 0])
_Count.calls = 0
_got = keras_param_grads(_model, _X, _y)
check_true("keras_param_grads calls the model once or twice", 1 <= _Count.calls <= 2, f"the model was called {_Count.calls} times: take the gradients with the tape, not finite differences")
check_type("keras_param_grads(...)", _got, list)
check_equal("keras_param_grads(...): one gradient per variable", len(_got), len(_model.trainable_variables))
with tf.GradientTape() as _tape:
    _loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(_y, _model(_X), from_logits=True))
_wants = [g.numpy() for g in _tape.gradient(_loss, _model.trainable_variables)]
_first64 = _wants[0]
for _g, _want, _v in zip(_got, _wants, _model.trainable_variables):
    check_close(f"keras_param_grads: {_v.path}", _g, _want, rtol=1e-5, atol=1e-8, dtype=np.float64)
_model32 = _keras_model(0, 4, 3, "float32")
_model32.set_weights([w.astype(np.float32) for w in _model.get_weights()])  # the same weights, in float32
_got = keras_param_grads(_model32, _X.astype(np.float32), _y)
check_close("keras_param_grads(float32 model): first kernel", _got[0], _first64, rtol=1e-4, atol=1e-6, dtype=np.float32)
print("keras_param_grads: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(414)
for _trial in range(3):
    _d, _k, _N = (int(v) for v in test_rng.integers([1, 2, 1], [6, 5, 8]))
    _model = _keras_model(int(test_rng.integers(1 << 30)), _d, _k, "float64")
    _X, _y = test_rng.normal(size=(_N, _d)), test_rng.integers(0, _k, size=_N)
    _before = [v.numpy().copy() for v in _model.trainable_variables]
    _Count.calls = 0
    _got = keras_param_grads(_model, _X, _y)
    expect(f"keras_param_grads(trial {_trial}) calls the model once or twice", 1 <= _Count.calls <= 2)
    check_type(f"keras_param_grads(trial {_trial})", _got, list)
    check_equal(f"keras_param_grads(trial {_trial}): count", len(_got), len(_before))
    for _i, _g in enumerate(_got):
        expect(f"keras_param_grads(trial {_trial}): variable {_i}", _g, rtol=1e-5, atol=1e-8, dtype=np.float64)
    for _i, (_v, _b) in enumerate(zip(_model.trainable_variables, _before)):
        expect(f"keras_param_grads(trial {_trial}) must not change variable {_i}", _v.numpy() - _b, rtol=0.0, atol=0.0)
_model = _keras_model(int(test_rng.integers(1 << 30)), 3, 4, "float32")
_X32, _y = test_rng.normal(size=(6, 3)).astype(np.float32), test_rng.integers(0, 4, size=6)
for _i, _g in enumerate(keras_param_grads(_model, _X32, _y)):
    expect(f"keras_param_grads(float32): variable {_i}", _g, rtol=1e-4, atol=1e-5, dtype=np.float32)
expect("keras_param_grads(batch of one): last variable", keras_param_grads(_model, _X32[:1], _y[:1])[-1], rtol=1e-4, atol=1e-5, dtype=np.float32)
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Pitfalls and misconceptions
#
# **"$\partial L/\partial W = X^\top G$" or "$= G X^\top$": which one?** It depends on the layout; the
# shape decides. In this notebook's column layout $W$ is $d_{out} \times d_{in}$, so only
# $G X^\top$ ($d_{out} \times N$ times $N \times d_{in}$) has its shape. In Keras's row layout with
# kernel $K$ ($d_{in} \times d_{out}$), it is $X_r^\top G_r$. Test with non-square shapes: with
# square shapes a transposed formula still runs, and only the values, not the shapes, reveal
# it (and not even those if the test matrices happen to be symmetric).
#
# **"More linear layers make a more expressive model."** Without a nonlinearity between them
# they are one linear layer (§2.2).
#
# **"Numerical gradients are good enough for training."** They cost $2n$ loss evaluations
# (§4 prints both timings for 2410 parameters; a real network has millions) and
# carry truncation and round-off error. Use them to *check* a backward pass, in float64.
#
# **"`backward()` sets `.grad`."** It adds to it (§5). Call `optimizer.zero_grad()` every step.
#
# ## 8. Interview corner
#
# **Mid.** For $Y = WX + b$ with examples as columns, give $\partial L/\partial W$, $\partial L/\partial b$,
# $\partial L/\partial X$ from $G = \partial L/\partial Y$.
# <details><summary>Answer</summary>
# $G X^\top$, the row sums of $G$, and $W^\top G$. Each has the shape of its variable; in
# PyTorch's row layout the same numbers are $G_r^\top X_r$, the column sums, and $G_r W$.
# </details>
#
# **Mid.** After a refactor, your PyTorch training loss oscillates or stops decreasing, at a
# learning rate that used to work. First suspect?
# <details><summary>Answer</summary>
# A lost `optimizer.zero_grad()`: `backward()` accumulates into `.grad`, so each step uses the
# sum of all past gradients, momentum without friction (§5): the loss swings instead of
# settling, and in a non-convex network it may blow up. Others: a changed learning rate or
# loss scale (a sum instead of a mean), a sign error in a manual update, a missing
# `torch.no_grad()` around an in-place update.
# </details>
#
# **Senior.** Why is the gradient of softmax followed by cross-entropy simply $P - Y$?
# <details><summary>Answer</summary>
# $L = -z_y + \log\sum_c e^{z_c}$, so $\partial L/\partial z_c = \mathrm{softmax}(z)_c - [c = y]$. Fusing
# the two ops is also more stable: the log-sum-exp is computed with the max subtracted.
# </details>
#
# **Senior.** Forward mode or reverse mode: when each?
# <details><summary>Answer</summary>
# For $f: \mathbb{R}^n \to \mathbb{R}^m$, forward mode gives a JVP (a column of $J$) per pass,
# reverse mode a VJP (a row). A loss of millions of parameters ($m = 1$): reverse. Few inputs and
# many outputs, or a Jacobian-vector product for a Hessian-vector product (forward over
# reverse), or tight memory: forward.
# </details>
#
# **Principal.** A custom CUDA op has no backward. How do you ship it safely?
# <details><summary>Answer</summary>
# Write its backward (a `torch.autograd.Function` or `tf.custom_gradient`) as VJPs, test it with
# `torch.autograd.gradcheck` in float64 on small random non-square inputs (and `gradgradcheck`
# if second derivatives are needed), compare to a slow reference built from differentiable ops,
# and test edge cases (zeros, large values, a batch of one). Keep the test in CI: layouts and
# broadcasting regress silently.
# </details>
#
# ## 9. Summary and further reading
#
# - Linear layer, examples as columns: $\partial L/\partial W = G X^\top$, $\partial L/\partial b = G\mathbf{1}$,
#   $\partial L/\partial X = W^\top G$; the frameworks' row layouts transpose these.
# - A stack of linear layers is one linear layer; the nonlinearity is what depth buys.
# - A network's backward pass chains the layer VJPs; ours matches PyTorch and TensorFlow.
# - Numerical: $2n$ passes, approximate; symbolic: exact but swells as a tree; reverse-mode
#   automatic: exact up to round-off, and one backward pass for a scalar loss. Forward mode:
#   one pass per input direction.
# - `backward()` accumulates; `zero_grad()` every step.
#
# **Further reading.** Baydin et al., "Automatic differentiation in machine learning: a
# survey", *JMLR* (2018). Laue, "On the equivalence of automatic and symbolic
# differentiation", arXiv:1904.02990 (2019). Goodfellow, Bengio and Courville, *Deep Learning*, section 6.5. Zhang
# et al., *Dive into Deep Learning*, section 5.3 (forward and backward propagation). The PyTorch
# autograd notes ("Autograd mechanics"). Next: Day 5, stochastic gradient descent.
