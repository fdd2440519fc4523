# %% [markdown]
# # Day 5, part 2: Gradient accumulation and data-parallel training
#
# **Learning goals.** By the end of this part you can
# - split a large batch into micro-batches and recover its gradient exactly (to round-off),
#   in NumPy, in PyTorch (loss scaled by the number of steps) and in TensorFlow;
# - average shard gradients with an all-reduce, weighted when the shards differ in size;
# - run a real two-process all-reduce with `torch.distributed` and check it against NumPy.
#
# **Prerequisites.** Part 1 (mini-batch SGD). **Time to complete.** About 1 to 1.25 hours,
# half of it on the exercises.
#
# | gradient accumulation and data parallelism | |
# |---|---|
# | what | the gradient of a batch as the weighted average of the gradients of its pieces |
# | why | a batch too large for one device's memory (accumulate over time) or one device's speed (split over devices) |
# | when | large models, large batches, many accelerators |
# | where | `loss = loss / accum_steps; loss.backward()` without `zero_grad()` in between; `DistributedDataParallel`, whose backward ends with an all-reduce |
# | who | data-parallel SGD: Dean et al. (2012), Goyal et al. (2017); ring all-reduce from high-performance computing (Patarasuk and Yuan, 2009), brought to deep learning by Baidu (2017) and Horovod (Sergeev and Del Balso, 2018) |
# | how | each piece's mean gradient, weighted by its share of the examples, summed |

# %% nbgrader={"grade_id": "setup", "locked": true}
from calcopt.checks import check_close, check_equal, check_true, check_type, expect, hidden_rng, rel_error
import numpy as np
import torch
import tensorflow as tf
from sklearn.datasets import load_diabetes
from calcopt.sgd import gloo_allreduce_mean, standardized

np.set_printoptions(precision=4, suppress=True)
torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)  # tiny tensors: one thread is fastest
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Theory: a mean of means, weighted
# The loss of a batch $B$ of $n$ examples is a mean, $L_B = \frac1n\sum_{i\in B}\ell_i$. Cut $B$
# into pieces $B_1, \dots, B_K$ of sizes $n_1, \dots, n_K$ ($\sum_k n_k = n$). Grouping the sum,
# $$\nabla L_B = \frac1n \sum_{k=1}^K \sum_{i \in B_k} \nabla \ell_i = \sum_{k=1}^K \frac{n_k}{n}\, \nabla L_{B_k}.$$
# This is an identity, not an approximation: only the order of the additions changes, so in
# float64 the two agree to round-off ($\sim 10^{-15}$ relative). With equal pieces,
# $n_k/n = 1/K$: the plain average, which is why PyTorch code divides each micro-batch loss
# by the number of accumulation steps before `backward()`. With unequal pieces the plain
# average is wrong: it over-weights the examples of the small pieces.
#
# - **Gradient accumulation**: the pieces are processed one after the other on one device,
#   and the gradients are summed in place; one optimizer step per large batch.
# - **Data parallelism**: $K$ devices each hold a copy of $w$ and a **shard** of the batch;
#   an **all-reduce** sums the weighted gradients and gives every device the same result, so
#   all copies take the same step and stay identical.
#
# The identity needs a loss that is a mean over independent examples, with the weights $n_k/n$
# counted in the units of that mean. What breaks it in practice:
# - **a mean over tokens**: with sequences of different lengths, each micro-batch's loss is a
#   mean over its own token count, so the pieces must be weighted by token counts, not divided
#   by $K$ (the gradient-accumulation bug fixed in Hugging Face's trainers in 2024: the same
#   lesson as unequal shards);
# - **losses that couple the examples of a batch**: batch normalisation (statistics per
#   micro-batch) and contrastive losses with in-batch negatives (each micro-batch sees fewer
#   negatives);
# - **per-micro-batch side effects**: gradient clipping applied to each micro-batch instead of
#   to the accumulated gradient, or a learning-rate scheduler stepped per micro-batch.
#
# Dropout is not on the list: each micro-batch draws its own masks from the same distribution,
# so the accumulated gradient is still an exact mean, of a different random draw than one big
# batch would make (the random stream differs, not the arithmetic).

# %% [markdown]
# ## 2. From scratch: accumulation in NumPy
# Linear regression on the diabetes data (part 1, §3.1), at a fixed random $w$. A batch of 128
# in 4 micro-batches of 32, then a batch of 100 in micro-batches of 32, 32, 32 and 4.

# %%
diabetes = load_diabetes()
X = np.column_stack([standardized(diabetes.data), np.ones(len(diabetes.target))])
y = standardized(diabetes.target[:, None])[:, 0]
w = rng.normal(size=X.shape[1])

def mse_grad(w, X, y):
    return 2 / len(y) * X.T @ (X @ w - y)

batch = rng.permutation(len(y))[:128]
big = mse_grad(w, X[batch], y[batch])
accumulated = np.zeros_like(w)
for piece in np.split(batch, 4):
    accumulated += mse_grad(w, X[piece], y[piece]) / 4
np.testing.assert_allclose(accumulated, big, rtol=1e-12, atol=1e-15)
print(f"128 = 4 x 32: relative error {rel_error(accumulated, big):.1e}")

batch = batch[:100]
big = mse_grad(w, X[batch], y[batch])
pieces = [batch[s:s + 32] for s in range(0, 100, 32)]
weighted = sum(len(p) / 100 * mse_grad(w, X[p], y[p]) for p in pieces)
plain = sum(mse_grad(w, X[p], y[p]) for p in pieces) / len(pieces)
np.testing.assert_allclose(weighted, big, rtol=1e-12, atol=1e-15)
print(f"100 = 32 + 32 + 32 + 4: weighted {rel_error(weighted, big):.1e}, plain average {rel_error(plain, big):.1e}")

# %% [markdown]
# ## 3. PyTorch: `backward()` accumulates
# `loss.backward()` *adds* to `.grad` (the forgotten-`zero_grad()` bug of Day 4, part 2, §5 is
# the feature here). Divide
# each micro-batch loss by the number of steps $K$ and the sum is the mean-loss gradient of
# the whole batch. Forget the division and the gradient is $K$ times too large, which with
# SGD silently multiplies the learning rate by $K$.

# %%
X_t, y_t = torch.tensor(X), torch.tensor(y)
batch = rng.permutation(len(y))[:128]
big = mse_grad(w, X[batch], y[batch])
num_steps = 4
w_t = torch.tensor(w, requires_grad=True)
for piece in np.split(batch, num_steps):
    loss = torch.mean((X_t[piece] @ w_t - y_t[piece]) ** 2)
    (loss / num_steps).backward()
np.testing.assert_allclose(w_t.grad.numpy(), big, rtol=1e-12, atol=1e-15)

w_bug = torch.tensor(w, requires_grad=True)
for piece in np.split(batch, num_steps):
    torch.mean((X_t[piece] @ w_bug - y_t[piece]) ** 2).backward()  # not divided by num_steps
print(f"scaled: equal to the big batch; unscaled: {np.linalg.norm(w_bug.grad.numpy()) / np.linalg.norm(big):.6f} times too large")

# %% [markdown]
# ## 4. TensorFlow: one tape per micro-batch
# A `GradientTape` returns a fresh gradient each time, so we sum them ourselves and hand the
# sum to `apply_gradients` once. (Keras 3 optimizers also take a `gradient_accumulation_steps`
# argument that averages the gradients of that many `apply_gradients` calls and steps on the
# last; writing the sum shows the arithmetic.)

# %%
w_tf = tf.Variable(w)
X_tf, y_tf = tf.constant(X), tf.constant(y)
total = tf.zeros_like(w_tf)
for piece in np.split(batch, num_steps):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((tf.linalg.matvec(tf.gather(X_tf, piece), w_tf) - tf.gather(y_tf, piece)) ** 2)
    total += tape.gradient(loss, w_tf) / num_steps
np.testing.assert_allclose(total.numpy(), big, rtol=1e-12, atol=1e-15)
print("NumPy, PyTorch and TensorFlow accumulation all equal the batch-128 gradient to 1e-12")

# %% [markdown]
# And a whole run: 30 steps of SGD with batches of 128, once with the full batch per step and
# once with 4 accumulated micro-batches per step, in PyTorch; the weights agree to round-off.

# %%
def train_torch(accumulation_steps, num_updates=30, lr=0.05):
    w_run = torch.zeros(X.shape[1], requires_grad=True)
    optimizer = torch.optim.SGD([w_run], lr=lr)
    order_rng = np.random.default_rng(3)
    for _ in range(num_updates):
        batch = order_rng.permutation(len(y))[:128]
        optimizer.zero_grad()
        for piece in np.split(batch, accumulation_steps):
            (torch.mean((X_t[piece] @ w_run - y_t[piece]) ** 2) / accumulation_steps).backward()
        optimizer.step()
    return w_run.detach().numpy()

np.testing.assert_allclose(train_torch(4), train_torch(1), rtol=1e-12, atol=1e-14)
print("30 updates: accumulation over 4 micro-batches == batch of 128")

# %% [markdown]
# ## 5. Data parallelism, simulated
# Three "devices" with unequal shards of a batch of 200 (90, 70 and 40 examples). Each
# computes its shard's mean gradient; the all-reduce computes $\sum_k n_k g_k$ and
# $\sum_k n_k$ (two sums, which is what an all-reduce does) and every device divides.

# %%
batch = rng.permutation(len(y))[:200]
shards = np.split(batch, [90, 160])
shard_grads = [mse_grad(w, X[s], y[s]) for s in shards]
shard_sizes = [len(s) for s in shards]
summed = sum(n * g for n, g in zip(shard_sizes, shard_grads))  # all-reduce (sum)
reduced = summed / sum(shard_sizes)
full = mse_grad(w, X[batch], y[batch])
np.testing.assert_allclose(reduced, full, rtol=1e-12, atol=1e-15)
print(f"weighted all-reduce: {rel_error(reduced, full):.1e}; plain mean of the shards: "
      f"{rel_error(np.mean(shard_grads, axis=0), full):.1e}")

# %% [markdown]
# ## 6. The real thing: `torch.distributed` with two processes
# Two processes join a process group over TCP on 127.0.0.1 with the **gloo** backend (the CPU
# one; NCCL is the GPU one), each holding one shard's gradient and size. Each multiplies its
# gradient by its size, `dist.all_reduce(op=SUM)` adds the vectors across processes (and the
# sizes), and each divides: both end with the same weighted mean. The launching code is in
# `calcopt.sgd` (a process started with the *spawn* method must import its function). The demo
# needs the loopback network; where it is unavailable (some sandboxes) it says so and moves on.

# %%
two_shards = np.split(batch, [130])
two_grads = [mse_grad(w, X[s], y[s]) for s in two_shards]
two_sizes = [len(s) for s in two_shards]
simulated = (two_sizes[0] * two_grads[0] + two_sizes[1] * two_grads[1]) / sum(two_sizes)
results = gloo_allreduce_mean(two_grads, two_sizes, timeout_seconds=10)
if results is None:
    print("The two-process demo needs TCP on 127.0.0.1, which is not available here; skipped.")
else:
    for rank, result in enumerate(results):
        np.testing.assert_allclose(result, simulated, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(results[0], mse_grad(w, X[batch], y[batch]), rtol=1e-12, atol=1e-15)
    print(f"gloo all_reduce on 2 processes (shards of {two_sizes[0]} and {two_sizes[1]}): both ranks "
          f"equal the NumPy simulation and the full-batch gradient")

# %% [markdown]
# With $K$ devices a **ring all-reduce** sends each device about $2(K-1)/K$ times the gradient's
# size: this bandwidth term hardly grows with $K$, which is why data parallelism scales until the
# step time is dominated by communication. The latency term does grow: a ring takes $2(K-1)$
# message steps, which is why large clusters use trees or hierarchical rings.
#
# PyTorch's `DistributedDataParallel` does this all-reduce at the end of `backward()`, but it
# divides the sum by the world size $K$: a plain mean of the per-rank mean gradients, exactly
# the unweighted average of §5 when ranks hold unequal batches. `DistributedSampler` keeps the
# shards equal by padding with repeated examples (`drop_last=False`, its default), so those
# examples count twice, or by dropping the tail (`drop_last=True`). And batch normalisation on
# each device uses that device's batch statistics, which changes the algorithm unless the
# layers are converted with `SyncBatchNorm`.
#
# ## 7. Exercises
# ### Exercise 1: gradient accumulation (2 points)

# %% nbgrader={"grade_id": "accumulate_gradient", "solution": true}
def accumulate_gradient(grad_fn, w, X, y, micro_batch_size):
    """The gradient of the whole batch (X, y), from micro-batches of at most micro_batch_size rows.

    grad_fn(w, X_b, y_b): the mean gradient over the rows of X_b, a NumPy array of shape (d,).
    w: (d,) NumPy array; X: (n, d); y: (n,); n >= 1. micro_batch_size: int >= 1.
    Cut the rows, in order, into consecutive micro-batches of micro_batch_size rows (the last
    one shorter when micro_batch_size does not divide n); call grad_fn once per micro-batch,
    never on more rows; return sum_k (n_k / n) * g_k as a float64 array of shape (d,) (also
    when w and grad_fn's results are float32).
    Raises ValueError when micro_batch_size < 1.
    """
    ### BEGIN SOLUTION
    if micro_batch_size < 1:
        raise ValueError("micro_batch_size must be at least 1")
    n = len(y)
    total = np.zeros(np.shape(w), dtype=np.float64)
    for start in range(0, n, micro_batch_size):
        stop = min(start + micro_batch_size, n)
        total += (stop - start) / n * np.asarray(grad_fn(w, X[start:stop], y[start:stop]), dtype=np.float64)
    return total
    ### END SOLUTION

# %% nbgrader={"grade_id": "accumulate_gradient_tests", "grade": true, "points": 2}
def recording(grad_fn):
    """grad_fn, and the list of the row counts it was called with."""
    rows = []
    def wrapped(w, X_b, y_b):
        rows.append(len(y_b))
        return grad_fn(w, X_b, y_b)
    return wrapped, rows

_mse_grad = lambda w, X_b, y_b: 2 / len(y_b) * X_b.T @ (X_b @ w - y_b)
_X = np.arange(20.0).reshape(10, 2) / 10
_y, _w = np.sin(np.arange(10.0)), np.array([0.5, -1.0])
_fn, _rows = recording(_mse_grad)
_got = accumulate_gradient(_fn, _w, _X, _y, 4)
check_type("accumulate_gradient(...)", _got, np.ndarray)
check_equal("row counts of the micro-batches (n=10, micro_batch_size=4)", tuple(_rows), (4, 4, 2))
check_close("accumulate_gradient(n=10, micro_batch_size=4) == the full-batch gradient", _got, _mse_grad(_w, _X, _y), rtol=1e-12, atol=1e-14, dtype=np.float64)
_X32, _y32, _w32 = _X.astype(np.float32), _y.astype(np.float32), _w.astype(np.float32)
check_close("accumulate_gradient(float32 inputs)", accumulate_gradient(_mse_grad, _w32, _X32, _y32, 3), _mse_grad(_w, _X, _y), rtol=1e-5, atol=1e-6, dtype=np.float64)
try:
    accumulate_gradient(_mse_grad, _w, _X, _y, 0)
    _raised = False
except ValueError:
    _raised = True
check_true("accumulate_gradient(micro_batch_size=0) raises ValueError", _raised, "micro_batch_size 0 must raise ValueError")
print("accumulate_gradient: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(511)
for _trial in range(8):
    _n, _d, _m = int(test_rng.integers(1, 50)), int(test_rng.integers(1, 5)), int(test_rng.integers(1, 20))
    _X, _y, _w = test_rng.normal(size=(_n, _d)), test_rng.normal(size=_n), test_rng.normal(size=_d)
    _fn, _rows = recording(_mse_grad)
    expect(f"accumulate_gradient(trial {_trial}, n={_n}, m={_m})", accumulate_gradient(_fn, _w, _X, _y, _m), rtol=1e-10, atol=1e-12, dtype=np.float64)
    expect(f"accumulate_gradient(trial {_trial}) micro-batch rows", tuple(_rows))
_logistic = lambda w, X_b, y_b: X_b.T @ (1 / (1 + np.exp(-(X_b @ w))) - y_b) / len(y_b)
_X, _w = test_rng.normal(size=(23, 3)), test_rng.normal(size=3)
_y = (test_rng.uniform(size=23) < 0.5).astype(float)
for _m in (1, 5, 23, 100):
    _fn, _rows = recording(_logistic)
    expect(f"accumulate_gradient(logistic, m={_m})", accumulate_gradient(_fn, _w, _X, _y, _m), rtol=1e-10, atol=1e-12)
    expect(f"accumulate_gradient(logistic, m={_m}) micro-batch rows", tuple(_rows))
_fn, _rows = recording(_mse_grad)
expect("accumulate_gradient(n = 1)", accumulate_gradient(_fn, np.array([2.0]), np.array([[3.0]]), np.array([-1.0]), 4), rtol=1e-10)
expect("accumulate_gradient(float32 inputs)", accumulate_gradient(_logistic, _w.astype(np.float32), _X.astype(np.float32), _y.astype(np.float32), 6), rtol=1e-5, atol=1e-6, dtype=np.float64)
try:
    accumulate_gradient(_mse_grad, _w, _X, _y, -1)
    _raised = "no error"
except ValueError:
    _raised = "ValueError"
expect("accumulate_gradient(micro_batch_size=-1)", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2: all-reduce mean over unequal shards (2 points)
# A device whose shard is empty reports the mean over no examples: NaN. It must not poison
# the result.

# %% nbgrader={"grade_id": "allreduce_mean", "solution": true}
def allreduce_mean(shard_grads, shard_sizes):
    """The gradient of the whole batch from the shards' mean gradients: sum_k n_k g_k / sum_k n_k.

    shard_grads: a list of K NumPy arrays, all of the same shape (any shape), not modified.
    shard_sizes: a list of K ints >= 0, the number of examples in each shard. A shard of
    size 0 contributes nothing (its gradient may be NaN and is left out entirely); a NaN in
    a shard of size > 0 propagates to the result (it is not hidden).
    Returns a float64 array of the gradients' shape (also for float32 or integer gradients).
    Raises ValueError when the two lists differ in length or the sizes sum to 0.
    """
    ### BEGIN SOLUTION
    if len(shard_grads) != len(shard_sizes) or sum(shard_sizes) <= 0:
        raise ValueError("need one size per shard and at least one example")
    total = np.zeros(np.shape(shard_grads[0]), dtype=np.float64)
    for g, n in zip(shard_grads, shard_sizes):
        if n > 0:
            total += n * np.asarray(g, dtype=np.float64)
    return total / sum(shard_sizes)
    ### END SOLUTION

# %% nbgrader={"grade_id": "allreduce_mean_tests", "grade": true, "points": 2}
_grads = [np.array([1.0, 2.0]), np.array([-1.0, 0.0]), np.array([4.0, 4.0])]
_got = allreduce_mean(_grads, [1, 2, 1])
check_type("allreduce_mean(...)", _got, np.ndarray)
check_close("allreduce_mean(sizes 1, 2, 1)", _got, np.array([0.75, 1.5]), rtol=1e-12, dtype=np.float64)
check_close("allreduce_mean(an empty shard with a NaN gradient)", allreduce_mean([np.array([2.0]), np.array([np.nan])], [3, 0]), np.array([2.0]), rtol=1e-12)
check_close("allreduce_mean(an empty shard first)", allreduce_mean([np.array([np.nan, np.nan]), np.array([1.0, 2.0])], [0, 4]), np.array([1.0, 2.0]), rtol=1e-12)
check_close("allreduce_mean(a NaN in a non-empty shard)", allreduce_mean([np.array([np.nan, 1.0]), np.array([1.0, 2.0])], [2, 3]), np.array([np.nan, 1.6]), rtol=1e-12)
check_close("allreduce_mean(float32 gradients)", allreduce_mean([np.array([1.0, 0.1], dtype=np.float32), np.array([0.5, 0.3], dtype=np.float32)], [1, 3]), np.array([0.625, 0.25]), rtol=1e-7, dtype=np.float64)
try:
    allreduce_mean(_grads, [1, 2])
    _raised = False
except ValueError:
    _raised = True
check_true("allreduce_mean(3 gradients, 2 sizes) raises ValueError", _raised, "mismatched lengths must raise ValueError")
print("allreduce_mean: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(512)
for _trial in range(8):
    _K = int(test_rng.integers(1, 6))
    _shape = tuple(int(v) for v in test_rng.integers(1, 4, size=int(test_rng.integers(1, 3))))
    _grads = [test_rng.normal(size=_shape) for _ in range(_K)]
    _sizes = [int(v) for v in test_rng.integers(1, 100, size=_K)]
    expect(f"allreduce_mean(trial {_trial}, K={_K})", allreduce_mean(_grads, _sizes), rtol=1e-10, atol=1e-14, dtype=np.float64)
expect("allreduce_mean(equal shards)", allreduce_mean([np.array([1.0, -3.0]), np.array([2.0, 5.0])], [7, 7]), rtol=1e-12)
expect("allreduce_mean(one shard)", allreduce_mean([np.array([[1.5, -2.0]])], [4]), rtol=1e-12)
expect("allreduce_mean(integer gradients)", allreduce_mean([np.array([1, 2]), np.array([3, 5])], [2, 1]), rtol=1e-12)
expect("allreduce_mean(large)", allreduce_mean([np.array([1e200]), np.array([-1e200])], [3, 1]), rtol=1e-12)
_nan_grads = [np.array([np.nan, np.nan]), np.array([1.0, 2.0]), np.array([3.0, -1.0])]
expect("allreduce_mean(an empty shard first)", allreduce_mean(_nan_grads, [0, 5, 2]), rtol=1e-12)
expect("allreduce_mean(NaN in a non-empty shard)", allreduce_mean([np.array([np.nan, 1.0]), np.array([1.0, 2.0]), np.array([5.0, np.nan])], [2, 3, 4]), rtol=1e-12)
expect("allreduce_mean(float32 gradients)", allreduce_mean([test_rng.normal(size=3).astype(np.float32), test_rng.normal(size=3).astype(np.float32)], [3, 7]), rtol=1e-6, dtype=np.float64)
_g0 = np.array([1.0, 2.0])
allreduce_mean([_g0, np.array([0.0, 1.0])], [2, 3])
expect("allreduce_mean must not modify the gradients", _g0, rtol=0, atol=0)
for _name, _args in [("all sizes 0", ([np.array([1.0])], [0])), ("length mismatch", ([np.array([1.0])], [1, 1]))]:
    try:
        allreduce_mean(*_args)
        _raised = "no error"
    except ValueError:
        _raised = "ValueError"
    expect(f"allreduce_mean({_name})", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3: accumulation in PyTorch (2 points)
# Return the parameter itself: the check reads its `.grad`, where `backward()` accumulated.

# %% nbgrader={"grade_id": "torch_accumulated_grad", "solution": true}
def torch_accumulated_grad(loss_fn, w, X, y, num_steps):
    """Accumulate the gradient of a batch over num_steps equal micro-batches with backward().

    loss_fn(w_t, X_b, y_b): a 0-d torch tensor (a mean over the rows of the micro-batch),
    written with torch ops. w: (d,) float64 NumPy array. X: (n, d), y: (n,) float64 NumPy.
    Make w_t = a float64 leaf tensor of w that requires grad; cut the rows, in order, into
    num_steps consecutive micro-batches of n / num_steps rows; for each, call loss_fn once
    and backward() on that loss divided by num_steps.
    Returns w_t (the torch tensor), whose .grad then equals the gradient of loss_fn on the
    whole batch. Raises ValueError when num_steps < 1 or does not divide n.
    """
    ### BEGIN SOLUTION
    n = len(y)
    if num_steps < 1 or n % num_steps:
        raise ValueError("num_steps must divide the number of rows")
    w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    X_t, y_t = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    for X_b, y_b in zip(torch.split(X_t, n // num_steps), torch.split(y_t, n // num_steps)):
        (loss_fn(w_t, X_b, y_b) / num_steps).backward()
    return w_t
    ### END SOLUTION

# %% nbgrader={"grade_id": "torch_accumulated_grad_tests", "grade": true, "points": 2}
def check_parameter(name, w_t):
    check_type(name, w_t, torch.Tensor)
    check_true(f"{name} is a leaf tensor that requires grad", bool(w_t.is_leaf and w_t.requires_grad), "return the parameter tensor w_t itself")
    check_true(f"{name}.grad is set", w_t.grad is not None, "call backward() on each micro-batch's loss")

def torch_recording(loss_fn):
    """loss_fn, and the list of (rows, whether w_t already holds a non-zero .grad) per call."""
    calls = []
    def wrapped(w_t, X_b, y_b):
        has_grad = bool(w_t.is_leaf and w_t.grad is not None and torch.any(w_t.grad != 0))
        calls.append((int(len(y_b)), has_grad))
        return loss_fn(w_t, X_b, y_b)
    return wrapped, calls

_X = np.arange(24.0).reshape(12, 2) / 12
_y, _w = np.cos(np.arange(12.0)), np.array([0.5, -1.0])
_fn, _rows = torch_recording(lambda w_t, X_b, y_b: torch.mean((X_b @ w_t - y_b) ** 2))
_w_t = torch_accumulated_grad(_fn, _w, _X, _y, 3)
check_parameter("torch_accumulated_grad(...)", _w_t)
check_equal("loss_fn calls: (rows, .grad already accumulated), n=12, 3 steps", tuple(_rows), ((4, False), (4, True), (4, True)))
check_close("torch_accumulated_grad(mse, 3 steps).grad == the full-batch gradient", _w_t.grad.detach().numpy(), 2 / 12 * _X.T @ (_X @ _w - _y), rtol=1e-12, atol=1e-14)
for _steps, _why in [(5, "5 does not divide 12"), (0, "num_steps must be at least 1")]:
    try:
        torch_accumulated_grad(_fn, _w, _X, _y, _steps)
        _raised = False
    except ValueError:
        _raised = True
    check_true(f"torch_accumulated_grad(n=12, {_steps} steps) raises ValueError", _raised, _why)
print("torch_accumulated_grad: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(513)
_losses = {
    "log-cosh": lambda w_t, X_b, y_b: torch.mean(torch.log(torch.cosh(X_b @ w_t - y_b))),
    "logistic": lambda w_t, X_b, y_b: torch.nn.functional.binary_cross_entropy_with_logits(X_b @ w_t, (y_b > 0).double()),
}
for _trial in range(6):
    _K = int(test_rng.integers(1, 5))
    _n, _d = _K * int(test_rng.integers(1, 8)), int(test_rng.integers(1, 5))
    _X, _y, _w = test_rng.normal(size=(_n, _d)), test_rng.normal(size=_n), test_rng.normal(size=_d)
    _name = list(_losses)[_trial % 2]
    _fn, _rows = torch_recording(_losses[_name])
    _w_t = torch_accumulated_grad(_fn, _w, _X, _y, _K)
    check_parameter(f"torch_accumulated_grad({_name}, trial {_trial})", _w_t)
    expect(f"torch_accumulated_grad({_name}, trial {_trial}).grad", _w_t.grad.detach().numpy().copy(), rtol=1e-10, atol=1e-13, dtype=np.float64)
    expect(f"torch_accumulated_grad({_name}, trial {_trial}) micro-batch rows", tuple(_rows))
_fn, _rows = torch_recording(_losses["log-cosh"])
_w_t = torch_accumulated_grad(_fn, np.array([0.3]), np.ones((6, 1)), np.arange(6.0), 6)
check_parameter("torch_accumulated_grad(batches of one)", _w_t)
expect("torch_accumulated_grad(batches of one).grad", _w_t.grad.detach().numpy().copy(), rtol=1e-10)
expect("torch_accumulated_grad(batches of one) rows", tuple(_rows))
for _steps in (0, 4):
    try:
        torch_accumulated_grad(_fn, np.array([0.3]), np.ones((6, 1)), np.arange(6.0), _steps)
        _raised = "no error"
    except ValueError:
        _raised = "ValueError"
    expect(f"torch_accumulated_grad(n=6, {_steps} steps)", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 4: accumulation in TensorFlow (2 points)

# %% nbgrader={"grade_id": "tf_accumulated_grad", "solution": true}
def tf_accumulated_grad(loss_fn, w, X, y, num_steps):
    """Accumulate the gradient of a batch over num_steps equal micro-batches with GradientTape.

    loss_fn(v, X_b, y_b): a 0-d tensor (a mean over the rows of the micro-batch), written
    with tf ops, called with a float64 tf.Variable v of shape (d,) and float64 tensors.
    w: (d,) float64 NumPy array. X: (n, d), y: (n,) float64 NumPy arrays.
    Cut the rows, in order, into num_steps consecutive micro-batches of n / num_steps rows;
    call loss_fn once per micro-batch inside a tape; return the sum of the micro-batch
    gradients divided by num_steps, a float64 NumPy array of shape (d,).
    Raises ValueError when num_steps < 1 or does not divide n.
    """
    ### BEGIN SOLUTION
    n = len(y)
    if num_steps < 1 or n % num_steps:
        raise ValueError("num_steps must divide the number of rows")
    v = tf.Variable(np.asarray(w, dtype=np.float64))
    total = tf.zeros_like(v)
    m = n // num_steps
    for start in range(0, n, m):
        with tf.GradientTape() as tape:
            loss = loss_fn(v, tf.constant(X[start:start + m]), tf.constant(y[start:start + m]))
        total += tape.gradient(loss, v)
    return (total / num_steps).numpy()
    ### END SOLUTION

# %% nbgrader={"grade_id": "tf_accumulated_grad_tests", "grade": true, "points": 2}
def tf_recording(loss_fn):
    calls = []
    def wrapped(v, X_b, y_b):
        calls.append((isinstance(v, tf.Variable), int(y_b.shape[0])))
        return loss_fn(v, X_b, y_b)
    return wrapped, calls

_X = np.arange(24.0).reshape(12, 2) / 12
_y, _w = np.cos(np.arange(12.0)), np.array([0.5, -1.0])
_fn, _calls = tf_recording(lambda v, X_b, y_b: tf.reduce_mean((tf.linalg.matvec(X_b, v) - y_b) ** 2))
_got = tf_accumulated_grad(_fn, _w, _X, _y, 4)
check_type("tf_accumulated_grad(...)", _got, np.ndarray)
check_equal("loss_fn calls: (called with a tf.Variable, rows)", tuple(_calls), ((True, 3),) * 4)
check_close("tf_accumulated_grad(mse, 4 steps) == the full-batch gradient", _got, 2 / 12 * _X.T @ (_X @ _w - _y), rtol=1e-12, atol=1e-14, dtype=np.float64)
for _steps, _why in [(5, "5 does not divide 12"), (0, "num_steps must be at least 1")]:
    try:
        tf_accumulated_grad(_fn, _w, _X, _y, _steps)
        _raised = False
    except ValueError:
        _raised = True
    check_true(f"tf_accumulated_grad(n=12, {_steps} steps) raises ValueError", _raised, _why)
print("tf_accumulated_grad: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(514)
_tf_losses = {
    "softplus": lambda v, X_b, y_b: tf.reduce_mean(tf.math.softplus(tf.linalg.matvec(X_b, v) * y_b)),
    "log-cosh": lambda v, X_b, y_b: tf.reduce_mean(tf.math.log(tf.math.cosh(tf.linalg.matvec(X_b, v) - y_b))),
}
for _trial in range(6):
    _K = int(test_rng.integers(1, 5))
    _n, _d = _K * int(test_rng.integers(1, 8)), int(test_rng.integers(1, 5))
    _X, _y, _w = test_rng.normal(size=(_n, _d)), test_rng.normal(size=_n), test_rng.normal(size=_d)
    _name = list(_tf_losses)[_trial % 2]
    _fn, _calls = tf_recording(_tf_losses[_name])
    expect(f"tf_accumulated_grad({_name}, trial {_trial})", tf_accumulated_grad(_fn, _w, _X, _y, _K), rtol=1e-10, atol=1e-13, dtype=np.float64)
    expect(f"tf_accumulated_grad({_name}, trial {_trial}) calls", tuple(_calls))
for _steps in (0, 5):
    try:
        tf_accumulated_grad(_fn, np.array([0.3]), np.ones((6, 1)), np.arange(6.0), _steps)
        _raised = "no error"
    except ValueError:
        _raised = "ValueError"
    expect(f"tf_accumulated_grad(n=6, {_steps} steps)", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ## 8. Pitfalls and misconceptions
#
# **"Accumulating 4 micro-batches of 32 is approximately a batch of 128."** It is *exactly*
# one, up to round-off, for a mean loss over independent examples (§2 to §4). What is not
# exact: batch normalisation and in-batch negatives (the examples of a micro-batch are
# coupled), a mean over tokens of sequences of different lengths divided by the number of
# steps instead of weighted by token counts, clipping per micro-batch, and a loss summed
# instead of averaged (then do not divide by the number of steps).
#
# **Forgetting to scale the loss.** Without `/ num_steps` the accumulated gradient is
# `num_steps` times too large: the learning rate is silently multiplied (§3).
#
# **Averaging shard gradients when the shards differ in size.** The plain mean over-weights
# the small shard (§5). It happens at the end of an epoch, when the last batch is split
# unevenly across devices. `DistributedDataParallel` averages with equal weights (it divides
# the all-reduced sum by the world size), so it is right only for equal per-rank batches;
# `DistributedSampler` keeps them equal by padding with repeated examples (`drop_last=False`,
# the default: those examples count twice) or by dropping the tail (`drop_last=True`).
#
# **"Data parallelism changes the algorithm."** Synchronous data parallelism with an
# all-reduce computes the same gradient as one device with the whole batch, for a mean loss
# over independent examples and equal shards; what changes with more devices is the batch size
# people choose, and with it the learning rate (part 1, §5). The exception to remember: batch
# normalisation normalises with each device's statistics unless converted to `SyncBatchNorm`.
#
# ## 9. Interview corner
#
# **Mid.** Your GPU fits a batch of 16 and the recipe says 64. What do you do, and what
# exactly must the code do?
# <details><summary>Answer</summary>
# Accumulate 4 micro-batches: `zero_grad()` once, then for each micro-batch
# `(loss / 4).backward()`, then one `optimizer.step()`. The gradient equals the batch-64 one
# for a mean loss; batch norm statistics still come from 16 examples.
# </details>
#
# **Senior.** Eight workers, the last batch of the epoch has 100 examples, split 13 per worker
# with one worker getting 9. What goes wrong with a plain all-reduce average, and how do you fix it?
# <details><summary>Answer</summary>
# The mean of the means weights each worker equally, so the 9 examples count more than the
# others. All-reduce the sums $n_k g_k$ and the counts $n_k$, then divide; or make the shards
# equal (pad, drop the remainder, or `DistributedSampler` with `drop_last`).
# </details>
#
# **Principal.** Scaling from 8 to 512 GPUs with data parallelism: what limits you?
# <details><summary>Answer</summary>
# The global batch grows 64-fold: past the critical batch size the number of steps no longer
# falls, so extra devices buy nothing; learning-rate scaling and warmup help up to a point.
# Communication: a ring all-reduce moves about twice the model size per step per device,
# overlapped with backward by bucketing; at large scale the model itself may not fit, which
# calls for sharded optimizers (ZeRO, FSDP), tensor or pipeline parallelism.
# </details>
#
# ## 10. Summary and further reading
#
# - $\nabla L_B = \sum_k \frac{n_k}{n} \nabla L_{B_k}$: accumulation and data parallelism are
#   exact rearrangements of one sum.
# - PyTorch: divide each micro-batch loss by the number of steps; `backward()` adds into
#   `.grad`. TensorFlow: sum the tapes' gradients yourself.
# - All-reduce sums; weight by shard sizes when they differ, and leave out empty shards.
#
# **Further reading.** Goyal et al., "Accurate, large minibatch SGD: training ImageNet in 1
# hour" (2017). Li et al., "PyTorch Distributed: experiences on accelerating data parallel
# training" (2020). Sergeev and Del Balso, "Horovod" (2018). The PyTorch tutorial "Writing
# distributed applications with PyTorch". Next: Day 6, momentum, RMSprop and Adam.
