# %% [markdown]
# # Day 8, part 2: Exploding gradients: recurrences, the spectral radius, clipping
#
# **Learning goals.** By the end of this notebook you can
# - predict from the spectral radius $\rho(W)$ whether $h_t = W h_{t-1}$, and its gradient, grows
#   or shrinks, and say when the prediction needs care (non-normal matrices);
# - state Pascanu et al.'s conditions for vanishing and exploding gradients in a tanh RNN;
# - compute the gradient through a recurrence in NumPy, PyTorch and TensorFlow, checked equal;
# - train a small recurrent network whose gradient explodes, and fix it with clipping by
#   global norm, the same in PyTorch (`clip_grad_norm_`) and Keras (`global_clipnorm`).
#
# **Prerequisites.** Part 1 (`vanishing`); PyTorch autograd and `tf.GradientTape` (Day 1);
# Keras models and optimizers (Day 7); Day 7 (`clip_by_global_norm`: PyTorch's rule
# $g \leftarrow g \min(1, c/(\lVert g\rVert + 10^{-6}))$); eigenvalues of a square matrix.
# **Time to complete.** About 1.5 hours, half of it on the exercises.
#
# | | the spectral-radius test | clipping by global norm |
# |---|---|---|
# | what | $\rho(W) = \max_i \lvert\lambda_i(W)\rvert$: below 1 the recurrence decays, above 1 it grows | rescale all gradients together when their joint norm exceeds $c$ |
# | why | $h_T = W^T h_0$ and $\partial L/\partial h_0 = (W^\top)^T \partial L/\partial h_T$: both behave like $\rho^T$ | one step on a cliff of the loss can throw the weights far away |
# | when | designing or initialising a recurrent network (orthogonal init: $\rho = 1$) | recurrent networks, transformers, any run with loss spikes |
# | where | before training, on the recurrent weight matrix | between `loss.backward()` and `optimizer.step()`; Keras: `global_clipnorm=` |
# | who | Hochreiter (1991); Bengio, Simard & Frasconi (1994) | Pascanu, Mikolov & Bengio (2013) |
# | how | `np.abs(np.linalg.eigvals(W)).max()` | $g \leftarrow g \cdot c / \max(\lVert g\rVert, c)$ |

# %% nbgrader={"grade_id": "setup", "locked": true}
from calcopt.checks import check_close, check_equal, check_true, check_type, expect, hidden_rng
import numpy as np
import matplotlib.pyplot as plt
import torch
import tensorflow as tf
import keras
from tqdm.auto import tqdm

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # small networks: one thread is faster than several fighting over the cores

# %% [markdown]
# ## 1. Intuition: compound interest
# A scalar recurrence $h_t = w\, h_{t-1}$ gives $h_t = w^t h_0$: $0.9^{50} \approx 0.005$,
# $1.1^{50} \approx 117$. A recurrent network applies the *same* matrix at every step, so its
# signal, and the gradient that flows back through time, behave like powers of that matrix:
# a long sequence is a very deep network with tied weights.
#
# ## 2. Theory
# **Linear recurrence.** $h_t = W h_{t-1}$ gives $h_T = W^T h_0$ (here $W^T$ is the $T$-th power). If
# $W = V \Lambda V^{-1}$ is diagonalisable, $h_T = V \Lambda^T V^{-1} h_0$, and the component along the
# eigenvalue of largest modulus dominates: $\lVert h_T\rVert \approx C \rho(W)^T$ for a generic $h_0$.
# For any square $W$, $\lVert W^T\rVert^{1/T} \to \rho(W)$ (Gelfand's formula), so
# - $\rho(W) < 1$: $h_T \to 0$ geometrically, for every $h_0$;
# - $\rho(W) > 1$: $\lVert h_T\rVert$ grows geometrically for almost every $h_0$;
# - $\rho(W) = 1$: neither (bounded for an orthogonal $W$; it can grow polynomially with a
#   Jordan block).
#
# **The gradient** of a loss of $h_T$ goes back through the transposes:
# $\partial L/\partial h_0 = (W^\top)^T\, \partial L/\partial h_T$, and $\rho(W^\top) = \rho(W)$: the same test
# decides whether gradients through time vanish or explode.
#
# **Asymptotic, not uniform.** $\rho$ says nothing about the first steps when $W$ is not normal:
# $\lVert W^t\rVert$ can grow for a while even with $\rho < 1$ (the spectral norm
# $\lVert W\rVert_2 \ge \rho(W)$ bounds one step).
#
# **A tanh RNN**, $h_t = \tanh(W h_{t-1} + U x_t)$, has Jacobians
# $\partial h_t/\partial h_{t-1} = \operatorname{diag}(\tanh'(\cdot))\, W$ with $0 < \tanh' \le 1$. Pascanu,
# Mikolov & Bengio (2013) use only this bound on the activation's derivative,
# $\lvert\phi'\rvert \le \gamma$ ($\gamma = 1$ for tanh, $1/4$ for sigmoid): each Jacobian has norm at most
# $\gamma \lVert W\rVert_2$, so if the largest singular value $\lVert W\rVert_2 < 1/\gamma$ the long-term gradients
# vanish (a sufficient condition), and $\lVert W\rVert_2 > 1/\gamma$ is necessary for them to explode: the
# threshold is 1 for tanh, $4 = 1/\max\sigma'$ for sigmoid. The converse does not hold:
# $\lVert W\rVert_2 > 1/\gamma$ allows explosion, it does not cause it (saturated units have $\phi' \approx 0$).
# Pascanu et al. relate the rare, sudden explosions seen in training to sharp "cliffs" of the
# loss, which they link to bifurcations of the recurrence's dynamics.

# %%
def orthogonal(n, seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    return q * np.sign(np.diag(r))

n, T = 32, 60
h0 = rng.normal(size=n)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
for target, color in [(0.9, "tab:blue"), (1.0, "tab:green"), (1.1, "tab:red")]:
    G = rng.normal(size=(n, n))
    W = target * G / np.abs(np.linalg.eigvals(G)).max()  # a random (non-normal) matrix with rho = target
    norms = [np.linalg.norm(np.linalg.matrix_power(W, t) @ h0) for t in range(T + 1)]
    rho = np.abs(np.linalg.eigvals(W)).max()
    ax1.semilogy(norms, color=color, label=f"rho = {rho:.2f}, ||W||_2 = {np.linalg.norm(W, 2):.2f}")
    ax1.semilogy(norms[10] * rho ** (np.arange(T + 1) - 10.0), ":", color=color)
    print(f"rho = {rho:.2f}: ||h_60|| / ||h_0|| = {norms[-1] / norms[0]:.2e}, rho^60 = {rho**60:.2e}")
ax1.set(xlabel="t", ylabel="||h_t||", title="h_t = W h_{t-1} (dotted: slope rho^t)")
ax1.legend(fontsize="small")
W_nn = np.array([[0.9, 5.0], [0.0, 0.9]])  # rho = 0.9, but far from normal
norms_nn = np.array([np.linalg.norm(np.linalg.matrix_power(W_nn, t), 2) for t in range(T + 1)])
ax2.semilogy(norms_nn, color="black")
ax2.axhline(1.0, color="gray", lw=0.8)
ax2.set(xlabel="t", ylabel="||W^t||_2", title="rho = 0.9, non-normal: growth first")
plt.show()
print(f"non-normal W: rho = 0.9, ||W||_2 = {np.linalg.norm(W_nn, 2):.2f}; largest ||W^t||_2 = {norms_nn.max():.1f} at t = {int(np.argmax(norms_nn))}; "
      f"||W^t||_2 > 1 up to t = {int(np.nonzero(norms_nn > 1)[0].max())}, ||W^60||_2 = {norms_nn[60]:.3f}")

# %% [markdown]
# The measured growth over 60 steps follows $\rho^{60}$ up to a constant factor $C$, which depends
# on how much of $h_0$ lies along the eigenvectors of the largest eigenvalues (and on how far $W$
# is from normal). At $\rho = 1$ the prediction is "neither growth nor decay", so the printed
# ratio is that constant alone, here below 1: the components along the smaller eigenvalues have
# died out. The
# non-normal matrix has $\rho = 0.9$, yet $\lVert W^t\rVert_2$ keeps growing for several steps, to a peak
# well above even $\lVert W\rVert_2$, and stays above 1 for dozens of steps (printed) before the
# decay $\rho^t$ takes over: the test is about the long run.
#
# ## 3. The gradient through time, three ways
# $L = c^\top h_T$ with $h_T = W^T h_0$; from scratch $\partial L/\partial h_0 = (W^\top)^T c$ ($T$ products with
# $W^\top$, Day 4's $\partial L/\partial X = W^\top\,\partial L/\partial Y$ applied $T$ times). PyTorch and TensorFlow
# unroll the loop and differentiate it.

# %%
W = 1.05 * orthogonal(8, seed=1)  # rho = ||W||_2 = 1.05
h0, c = rng.normal(size=8), rng.normal(size=8)
T = 40
grad_numpy = c.copy()
for _ in range(T):
    grad_numpy = W.T @ grad_numpy

h = torch.tensor(h0, requires_grad=True)
state = h
for _ in range(T):
    state = torch.tensor(W) @ state
(torch.tensor(c) @ state).backward()

h_tf = tf.Variable(h0)
with tf.GradientTape() as tape:
    state = h_tf[:, None]
    for _ in range(T):
        state = tf.constant(W) @ state
    loss = tf.reduce_sum(tf.constant(c)[:, None] * state)
grad_tf = tape.gradient(loss, h_tf).numpy()
np.testing.assert_allclose(h.grad.numpy(), grad_numpy, rtol=1e-10)
np.testing.assert_allclose(grad_tf, grad_numpy, rtol=1e-10)
print(f"||dL/dh_0|| / ||c|| = {np.linalg.norm(grad_numpy) / np.linalg.norm(c):.4f} = 1.05^40 = {1.05**40:.4f}  (NumPy = PyTorch = TensorFlow)")

# %% [markdown]
# ## 4. Clipping in a small recurrent network
# A ReLU RNN (`torch.nn.RNN(nonlinearity="relu", bias=False)`, 16 units) reads a sequence of 30 numbers
# and predicts their mean through a linear head, trained by SGD on the mean squared error.
# Its recurrent matrix starts at $1.5\times$ an orthogonal one ($\rho = 1.5$): ReLU does not saturate,
# so nothing stops the growth ($1.5^{30} \approx 2 \cdot 10^5$). Same seeds, with and without clipping by
# global norm at $c = 1$ (`torch.nn.utils.clip_grad_norm_`, Day 7's rule), SGD with $\eta = 0.05$.

# %%
seq_len, hidden, batch_size = 30, 16, 32
X_seq = rng.normal(size=(400, seq_len, 1)).astype(np.float32)
y_seq = X_seq.mean(axis=1)


class MeanRNN(torch.nn.Module):
    def __init__(self, rho=1.5, seed=0):
        super().__init__()
        torch.manual_seed(seed)
        self.rnn = torch.nn.RNN(1, hidden, nonlinearity="relu", batch_first=True, bias=False)
        self.head = torch.nn.Linear(hidden, 1)
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(torch.tensor(rho * orthogonal(hidden, seed), dtype=torch.float32))

    def forward(self, x):
        return self.head(self.rnn(x)[0][:, -1])


def train_rnn(max_norm, num_steps=150, lr=0.05):
    model = MeanRNN()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses, grad_norms = [], []
    X_t, y_t = torch.tensor(X_seq), torch.tensor(y_seq)
    for step in range(num_steps):
        idx = slice((step * batch_size) % 384, (step * batch_size) % 384 + batch_size)
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X_t[idx]), y_t[idx])
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm if max_norm else float("inf"))
        optimizer.step()
        losses.append(loss.item())
        grad_norms.append(norm.item())
        if not np.isfinite(losses[-1]):
            break  # nothing left to learn from
    return np.array(losses), np.array(grad_norms)


runs = {label: train_rnn(c) for label, c in tqdm([("no clipping", None), ("clip at 1", 1.0)], desc="training")}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.3))
for label, (losses, grad_norms) in runs.items():
    ax1.semilogy(losses, label=label)
    ax2.semilogy(grad_norms, label=label)
    finite = np.isfinite(losses)
    print(f"{label:12s} first gradient norm {grad_norms[0]:.2e}; "
          + (f"mean loss over the last 12 steps (one pass over the data): {losses[-12:].mean():.3e}" if finite.all()
             else f"loss {losses[0]:.2e} at step 0, NaN/inf from step {int(np.argmin(finite))} (training stopped)"))
print(f"baseline, always predicting 0: mean of y^2 = {np.mean(y_seq**2):.3e}")
ax1.set(xlabel="step", ylabel="training loss")
ax2.set(xlabel="step", ylabel="global gradient norm (before clipping)")
ax1.legend()
plt.show()

# %% [markdown]
# Without clipping the first gradient norm is huge (printed) and the loss is not finite from
# step 1 on (steps are counted from 0). With clipping every step is at most $\eta c$ long
# ($\eta = 0.05$, $c = 1$): training stays finite, and after 150 steps the mean loss over the last
# pass is well below the baseline of always predicting 0 (both printed). Clipping changes the step's length, never its direction.
#
# **The same run in Keras.** A `SimpleRNN(activation="relu")` computes
# $h_t = \mathrm{relu}(x_t K + h_{t-1} R + b)$ (rows layout): $K$ = `weight_ih.T`, $R$ = `weight_hh.T`.
# Our RNN has no bias on purpose: PyTorch's `nn.RNN` holds two, `bias_ih` and `bias_hh`, whose
# gradients are equal, so its global norm counts that gradient twice where Keras's single
# `b = bias_ih + bias_hh` counts it once; and even without clipping the runs would differ, since
# the effective bias $b_{ih} + b_{hh}$ gets two SGD updates per step in PyTorch ($2\eta g$) against
# one in Keras. `keras.optimizers.SGD(global_clipnorm=1.0)` scales by
# $c/\max(\lVert g\rVert, c)$, PyTorch by $\min(1, c/(\lVert g\rVert + 10^{-6}))$: equal up to a relative
# $10^{-6}$. Three clipped steps, all four weight tensors compared:

# %%
torch_model = MeanRNN()
keras_model = keras.Sequential([keras.Input((seq_len, 1)), keras.layers.SimpleRNN(hidden, activation="relu", use_bias=False), keras.layers.Dense(1)])
p = {k: v.detach().numpy() for k, v in torch_model.state_dict().items()}
keras_model.set_weights([p["rnn.weight_ih_l0"].T, p["rnn.weight_hh_l0"].T, p["head.weight"].T, p["head.bias"]])
t_opt = torch.optim.SGD(torch_model.parameters(), lr=0.05)
k_opt = keras.optimizers.SGD(learning_rate=0.05, global_clipnorm=1.0)
for step in range(3):
    xb, yb = X_seq[step * 32:(step + 1) * 32], y_seq[step * 32:(step + 1) * 32]
    t_opt.zero_grad()
    torch.nn.functional.mse_loss(torch_model(torch.tensor(xb)), torch.tensor(yb)).backward()
    torch.nn.utils.clip_grad_norm_(torch_model.parameters(), 1.0)
    t_opt.step()
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((keras_model(xb) - yb) ** 2)
    k_opt.apply_gradients(zip(tape.gradient(loss, keras_model.trainable_variables), keras_model.trainable_variables))
np.testing.assert_allclose(keras_model.layers[0].get_weights()[0], torch_model.rnn.weight_ih_l0.detach().numpy().T, rtol=1e-4, atol=1e-5)
np.testing.assert_allclose(keras_model.layers[0].get_weights()[1], torch_model.rnn.weight_hh_l0.detach().numpy().T, rtol=1e-4, atol=1e-5)
np.testing.assert_allclose(keras_model.layers[1].get_weights()[0], torch_model.head.weight.detach().numpy().T, rtol=1e-4, atol=1e-5)
np.testing.assert_allclose(keras_model.layers[1].get_weights()[1], torch_model.head.bias.detach().numpy(), rtol=1e-4, atol=1e-5)
print("3 clipped SGD steps: Keras weights = PyTorch weights (to float32 round-off)")

# %% [markdown]
# ## 5. Exercises
# ### Exercise 1: the spectral-radius test (2 points)

# %% nbgrader={"grade_id": "spectral_radius_test", "solution": true}
def spectral_radius_test(W, tol=1e-3):
    """The spectral radius of W and what it predicts for h_t = W h_{t-1} (and its gradient).

    W: square NumPy array (n, n), n >= 1, real (integer, float32 or float64); not modified.
    tol: float >= 0.
    rho = max over the eigenvalues lambda of W (complex ones included) of |lambda|.
    label: "vanishing" if rho < 1 - tol, "exploding" if rho > 1 + tol, "neutral" otherwise.
    Returns a tuple (rho, label): rho a Python float, label a str.
    Raises ValueError when W is not a square 2-D array.
    """
    ### BEGIN SOLUTION
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] == 0:
        raise ValueError(f"W must be a square matrix, got shape {W.shape}")
    rho = float(np.abs(np.linalg.eigvals(W.astype(np.float64))).max())
    if rho < 1 - tol:
        return rho, "vanishing"
    if rho > 1 + tol:
        return rho, "exploding"
    return rho, "neutral"
    ### END SOLUTION

# %% nbgrader={"grade_id": "spectral_radius_test_tests", "grade": true, "points": 2}
_rot = np.array([[0.0, -1.1], [1.1, 0.0]])  # eigenvalues +-1.1i: no real eigenvalue above 1
_result = spectral_radius_test(_rot)
check_type("spectral_radius_test(...)", _result, tuple)
check_true("spectral_radius_test(...)", len(_result) == 2, "expected a tuple (rho, label)")
check_type("spectral_radius_test(rotation x 1.1): rho", _result[0], float)
check_close("spectral_radius_test(rotation x 1.1): rho (complex eigenvalues)", _result[0], 1.1, rtol=1e-10)
check_equal("spectral_radius_test(rotation x 1.1): label", _result[1], "exploding")
_nn = np.array([[0.5, 10.0], [0.0, 0.5]])
check_equal("spectral_radius_test([[0.5, 10], [0, 0.5]]) (rho, not the norm)", spectral_radius_test(_nn), (0.5, "vanishing"))
check_equal("spectral_radius_test(-1.5 I) (the modulus)", spectral_radius_test(-1.5 * np.eye(3))[1], "exploding")
check_equal("spectral_radius_test(integer identity)", spectral_radius_test(np.eye(2, dtype=int)), (1.0, "neutral"))
check_equal("spectral_radius_test(diag(1.0005), tol=1e-3)", spectral_radius_test(np.diag([0.2, 1.0005]))[1], "neutral")
check_equal("spectral_radius_test(diag(1.0005), tol=1e-4)", spectral_radius_test(np.diag([0.2, 1.0005]), tol=1e-4)[1], "exploding")
check_equal("spectral_radius_test(diag(1, -0.5), tol=0): rho = 1 exactly is neutral", spectral_radius_test(np.diag([1.0, -0.5]), tol=0.0)[1], "neutral")
check_equal("spectral_radius_test(diag(0.5, 0), tol=0.5): rho = 1 - tol exactly is neutral", spectral_radius_test(np.diag([0.5, 0.0]), tol=0.5)[1], "neutral")
check_close("spectral_radius_test must not modify W", _nn, np.array([[0.5, 10.0], [0.0, 0.5]]), rtol=0.0)
try:
    spectral_radius_test(np.ones((2, 3)))
    _raised = False
except ValueError:
    _raised = True
check_true("spectral_radius_test(2 x 3)", _raised, "expected a ValueError")
print("spectral_radius_test: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(811)
def _expect_srt(name, W, **kwargs):
    result = spectral_radius_test(W, **kwargs)
    check_true(name, type(result) is tuple and len(result) == 2, "expected a tuple (rho, label)")
    expect(f"{name}: rho", result[0], rtol=1e-8, atol=1e-12)
    expect(f"{name}: label", result[1])

for _trial in range(10):
    _n = int(test_rng.integers(1, 9))
    _G = test_rng.normal(size=(_n, _n))
    _target = float(test_rng.choice([0.3, 0.9, 0.9995, 1.0, 1.0004, 1.1, 2.5]))
    _W = _target * _G / np.abs(np.linalg.eigvals(_G)).max()
    _expect_srt(f"spectral_radius_test(trial {_trial}, n={_n}, rho about {_target})", _W)
_Q = np.linalg.qr(test_rng.normal(size=(5, 5)))[0]
_expect_srt("spectral_radius_test(orthogonal)", _Q)
_expect_srt("spectral_radius_test(0.9 orthogonal, tol=0.2)", 0.9 * _Q, tol=0.2)
_expect_srt("spectral_radius_test(1 x 1, negative)", np.array([[-0.7]]))
_expect_srt("spectral_radius_test(nilpotent, large entries)", np.array([[0.0, 1e6], [0.0, 0.0]]))
_expect_srt("spectral_radius_test(zero matrix)", np.zeros((3, 3)))
_expect_srt("spectral_radius_test(rotation by 30 degrees x 0.95)", 0.95 * np.array([[np.cos(0.5236), -np.sin(0.5236)], [np.sin(0.5236), np.cos(0.5236)]]))
_expect_srt("spectral_radius_test(float32)", np.array([[0.0, 2.0], [-2.0, 0.1]], dtype=np.float32))
_expect_srt("spectral_radius_test(integers)", np.array([[2, 1], [1, 2]]))
_expect_srt("spectral_radius_test(tol = 0, exactly 1)", np.diag([1.0, -0.5]), tol=0.0)
for _name, _bad in [("3-D", np.ones((2, 2, 2))), ("1-D", np.ones(3)), ("3 x 2", np.ones((3, 2)))]:
    try:
        spectral_radius_test(_bad)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"spectral_radius_test raises ValueError ({_name})", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2: a clipped training step in TensorFlow (3 points)
# One SGD step on a Keras model with clipping by global norm, written with `tf.GradientTape`
# (or a Keras optimizer configured to do exactly this). Clip the *global* norm of all
# gradients together, not each tensor on its own (that is Keras's `clipnorm`, not `global_clipnorm`).

# %% nbgrader={"grade_id": "keras_clipped_step", "solution": true}
def keras_clipped_step(model, x, y, lr, max_norm):
    """One clipped SGD step on the mean squared error, updating model's weights in place.

    model: a built keras.Model (float32). x, y: NumPy float32 arrays, a batch of inputs and of
    targets of the shape model(x) returns. lr, max_norm: floats > 0.
    loss = tf.reduce_mean((model(x) - y) ** 2); g = its gradients for model.trainable_variables;
    norm = sqrt(sum of all squared entries of all g); every g is multiplied by
    max_norm / max(norm, max_norm) (Keras's and tf.clip_by_global_norm's rule; Day 7's
    min(1, max_norm / (norm + 1e-6)) is accepted too: the checks allow a relative 1e-4);
    then every variable w <- w - lr * g. The norm may be 0 (a perfect fit): then nothing
    moves, and nothing may be divided by it.
    Returns norm (before clipping) as a Python float.
    """
    ### BEGIN SOLUTION
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    clipped, norm = tf.clip_by_global_norm(grads, max_norm)
    for w, g in zip(model.trainable_variables, clipped):
        w.assign_sub(lr * g)
    return float(norm)
    ### END SOLUTION

# %% nbgrader={"grade_id": "keras_clipped_step_tests", "grade": true, "points": 3}
def _rnn_model(seed, units=4, steps=6):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((steps, 2)), keras.layers.SimpleRNN(units, activation="relu"), keras.layers.Dense(3)])

def _reference_step(model, x, y, lr, max_norm):  # the docstring's rule on the same model, by hand
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = [g.numpy().astype(np.float64) for g in tape.gradient(loss, model.trainable_variables)]
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [w.numpy() - lr * g * max_norm / max(norm, max_norm) for w, g in zip(model.trainable_variables, grads)], norm

_r = np.random.default_rng(88)
_x = (3 * _r.normal(size=(5, 6, 2))).astype(np.float32)
_y = _r.normal(size=(5, 3)).astype(np.float32)
for _max_norm in (0.5, 1e6):
    _m = _rnn_model(1)  # the same start for both thresholds
    _want, _want_norm = _reference_step(_m, _x, _y, 0.1, _max_norm)
    _norm = keras_clipped_step(_m, _x, _y, 0.1, _max_norm)
    check_type(f"keras_clipped_step(max_norm={_max_norm:g}): the norm", _norm, float)
    check_close(f"keras_clipped_step(max_norm={_max_norm:g}): the norm before clipping", _norm, _want_norm, rtol=1e-4)
    for _i, (_w, _v) in enumerate(zip(_m.trainable_variables, _want)):
        check_close(f"keras_clipped_step(max_norm={_max_norm:g}): weight {_i} ({_w.name}) after the step", _w.numpy(), _v, rtol=1e-4, atol=1e-6)
_m, _x_copy = _rnn_model(2), _x.copy()
keras_clipped_step(_m, _x, _y, 0.1, 0.5)
check_close("keras_clipped_step must not modify x", _x, _x_copy, rtol=0.0)
_y_fit = _m(_x).numpy()  # a perfect fit: the gradient is exactly zero
_w_before = [_w.numpy().copy() for _w in _m.trainable_variables]
check_close("keras_clipped_step(zero gradient): the norm", keras_clipped_step(_m, _x, _y_fit, 0.1, 1.0), 0.0, atol=1e-6)
check_close("keras_clipped_step(zero gradient): weights unchanged", _m.trainable_variables[1].numpy(), _w_before[1], rtol=1e-6, atol=1e-7)
print("keras_clipped_step: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(812)
for _trial in range(3):
    _units, _steps, _batch = int(test_rng.integers(2, 6)), int(test_rng.integers(1, 8)), int(test_rng.integers(1, 6))
    _m = _rnn_model(int(test_rng.integers(0, 2**31)), _units, _steps)
    _x = (test_rng.uniform(0.5, 4) * test_rng.normal(size=(_batch, _steps, 2))).astype(np.float32)
    _y = test_rng.normal(size=(_batch, 3)).astype(np.float32)
    _lr, _max_norm = float(test_rng.uniform(0.01, 0.3)), float(test_rng.choice([0.05, 0.3, 1.0, 1e3]))
    _norm = keras_clipped_step(_m, _x, _y, _lr, _max_norm)
    check_type(f"keras_clipped_step(trial {_trial}): the norm", _norm, float)
    expect(f"keras_clipped_step(trial {_trial}, max_norm={_max_norm:g}): the norm", _norm, rtol=1e-4)
    for _i, _w in enumerate(_m.trainable_variables):
        expect(f"keras_clipped_step(trial {_trial}, units={_units}, steps={_steps}, batch={_batch}): weight {_i}", _w.numpy(), rtol=1e-4, atol=1e-6)
_m = _rnn_model(int(test_rng.integers(0, 2**31)))
_x = test_rng.normal(size=(4, 6, 2)).astype(np.float32)
_y = _m(_x).numpy()  # a perfect fit: zero gradient, nothing moves
expect("keras_clipped_step(zero gradient): the norm", keras_clipped_step(_m, _x, _y, 0.1, 1.0), atol=1e-6)
expect("keras_clipped_step(zero gradient): weights unchanged", _m.trainable_variables[1].numpy(), rtol=1e-6, atol=1e-7)
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Pitfalls and misconceptions
# **"$\rho(W) < 1$ means the signal only shrinks."** Only in the long run: the non-normal
# example of Section 2 has $\rho = 0.9$ and $\lVert W^t\rVert_2$ grows for several steps first (printed there). Within a few steps the
# spectral norm $\lVert W\rVert_2$ is the bound that holds.
#
# **"Clipping fixes vanishing gradients."** It only shortens long steps; a vanishing gradient
# needs architecture (gating as in LSTM/GRU, residual paths) or initialisation (orthogonal).
#
# **"`clipnorm` and `global_clipnorm` are the same."** Keras's `clipnorm` clips every tensor on
# its own and changes the direction of the update; `global_clipnorm` (and PyTorch's
# `clip_grad_norm_`) scales all of them by one factor (Day 7).
#
# **"Clip before `backward()`."** There is nothing to clip yet: clip between `loss.backward()`
# and `optimizer.step()`, and after unscaling when using mixed-precision loss scaling.
#
# ## 7. Interview corner
#
# **Mid.** Why do gradients explode in RNNs, and what do you do about it?
# <details><summary>Answer</summary>
# Backpropagation through time multiplies the same Jacobian $\operatorname{diag}(\phi')W$ once per step; if its
# growth factor exceeds 1 the gradient grows geometrically with the sequence length. Clip
# the global gradient norm (Pascanu et al., 2013), initialise $W$ orthogonal, and consider
# gated cells.
# </details>
#
# **Senior.** The spectral radius of the recurrent matrix is 0.95. Can the gradient still explode?
# <details><summary>Answer</summary>
# Asymptotically a linear recurrence decays, but a non-normal $W$ can amplify by a large factor
# for many steps first ($\lVert W^t\rVert_2$ can rise above $\lVert W\rVert_2$ and stay above 1 for dozens of
# steps, as in Section 2); with a nonlinearity and inputs,
# Pascanu et al.'s condition is about the largest singular value: $\lVert W\rVert_2 < 1$ (tanh) rules
# explosion out, $\rho < 1$ does not.
# </details>
#
# **Principal.** Your large model shows occasional loss spikes. What is your clipping policy,
# and what do you monitor?
# <details><summary>Answer</summary>
# Log the global gradient norm every step (before clipping) and set the threshold from its
# running distribution (often around 1.0 for transformers with AdamW), clip by global norm
# (consistent across data-parallel shards after the all-reduce), count how often it triggers
# (clipping most steps means the learning rate is too high), and look at spikes with the data
# that caused them. Clipping treats the symptom: also check warmup, the initialisation scale
# and normalisation.
# </details>
#
# ## 8. Summary and further reading
#
# - $h_t = W h_{t-1}$ and its gradient behave like $\rho(W)^t$ in the long run; non-normal $W$
#   can grow transiently even when $\rho < 1$.
# - tanh RNN: $\lVert W\rVert_2 < 1$ is sufficient for vanishing, $> 1$ necessary (not sufficient) for
#   exploding (4 instead of 1 for sigmoid).
# - Clipping by global norm bounds the step without changing its direction; PyTorch's
#   `clip_grad_norm_` and Keras's `global_clipnorm` agree up to a $10^{-6}$ epsilon.
#
# **Further reading.** Hochreiter, "Untersuchungen zu dynamischen neuronalen Netzen" (1991).
# Bengio, Simard & Frasconi, "Learning long-term dependencies with gradient descent is
# difficult" (1994). Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent
# neural networks" (2013). Saxe, McClelland & Ganguli, "Exact solutions to the nonlinear
# dynamics of learning in deep linear neural networks" (2014, orthogonal initialisation).
# Hochreiter & Schmidhuber, "Long short-term memory" (1997). Next: Day 9, the capstone.
