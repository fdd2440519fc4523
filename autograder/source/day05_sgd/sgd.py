# %% [markdown]
# # Day 5, part 1: Stochastic gradient descent
#
# **Learning goals.** By the end of today you can
# - run batch, stochastic and mini-batch gradient descent on linear and logistic regression,
#   and compare them per epoch (per unit of compute) and per update, with learning rates
#   picked by hand for each batch size;
# - say why we train on batches (memory, more updates per pass, noise) and which of the
#   claims about noise are theorems and which are hypotheses;
# - predict and measure how the variance of a mini-batch gradient falls with the batch size;
# - add L2 regularization to a gradient (the $2\lambda w$ term) and tell it apart from
#   decoupled weight decay under an adaptive method;
# - train a matrix factorisation for recommendations with SGD.
#
# Part 2 (`distributed.ipynb`) shows that gradient accumulation and data-parallel training
# compute exactly the large-batch gradient.
#
# **Prerequisites.** Day 3 (gradient descent, $\eta < 2/L$), Day 4 (autograd in PyTorch and
# TensorFlow); the mean and variance of a random variable. **Time to complete.** About 2 to
# 2.5 hours for part 1, half of it on the exercises.
#
# | stochastic gradient descent | |
# |---|---|
# | what | $w \leftarrow w - \eta\, g_B(w)$, with $g_B$ the gradient of the loss averaged over a random batch $B$ |
# | why | $g_B$ is an unbiased estimate of the full gradient at a cost of $\lvert B\rvert$ examples instead of $N$ |
# | when | whenever the data set is too large for a full gradient per update: nearly all of deep learning |
# | where | the `for X_batch, y_batch in loader:` loop around `loss.backward(); optimizer.step()` |
# | who | Robbins and Monro (1951), *A stochastic approximation method*; Kiefer and Wolfowitz (1952) |
# | how | shuffle, cut into batches, one update per batch; one pass over the data is an **epoch** |

# %% nbgrader={"grade_id": "setup", "locked": true}
from calcopt.checks import check_close, check_equal, check_true, check_type, expect, hidden_rng, rel_error
import inspect
import numpy as np
import matplotlib.pyplot as plt
import torch
import tensorflow as tf
from sklearn.datasets import load_breast_cancer, load_diabetes
from tqdm.auto import tqdm
from calcopt.sgd import low_rank_ratings, standardized

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)
torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)  # tiny tensors: one thread is fastest
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Intuition: asking a few people for directions
# Full-batch descent polls every example before each step: an exact direction, one step per
# pass over the data. SGD asks a random handful and steps at once: a noisy direction, but
# $N/B$ steps per pass. On average the handful points the same way as everyone (the estimate
# is unbiased); its scatter shrinks as the handful grows. Near the bottom, the scatter is what
# is left: with a constant step, SGD does not stop at the minimum but jitters around it.
#
# ## 2. Theory
# The training loss is an average over $N$ examples, $L(w) = \frac1N \sum_{i=1}^N \ell_i(w)$.
# A **mini-batch** $B$ of size $b$ drawn uniformly gives
# $$g_B(w) = \frac1b \sum_{i \in B} \nabla \ell_i(w), \qquad \mathbb{E}[g_B(w)] = \nabla L(w).$$
# With $\sigma^2 = \frac1N \sum_i \lVert \nabla \ell_i(w) - \nabla L(w) \rVert^2$ (the spread of the
# per-example gradients),
# $$\mathbb{E}\lVert g_B - \nabla L\rVert^2 = \frac{\sigma^2}{b} \ \text{(with replacement)}, \qquad
# \frac{\sigma^2}{b}\,\frac{N - b}{N - 1} \ \text{(without replacement)}.$$
# The factor $\frac{N-b}{N-1}$ is the **finite-population correction**: at $b = N$ the batch is
# the whole set and the noise is zero. An epoch of batches of size $b$ makes $\lceil N/b \rceil$
# updates, the last batch shorter when $b$ does not divide $N$.
#
# **Convergence.** Robbins and Monro: for a strongly convex $L$ with an $L$-smooth gradient (or
# bounded gradients), unbiased stochastic gradients of bounded variance, and step sizes with
# $\sum_k \eta_k = \infty$ and $\sum_k \eta_k^2 < \infty$ (e.g. $\eta_k = \eta_0 / k$), SGD converges
# to the minimiser almost surely and in mean square. With a **constant** $\eta$ the iterates only
# reach a neighbourhood of it. For batches drawn **with replacement** and a small $\eta$, its
# size is proportional to $\eta\,\sigma_*^2 / b$, with $\sigma_*^2$ the spread of the per-example
# gradients at the minimiser (§5 measures it); reshuffling once per epoch (sampling without
# replacement, what data loaders do) gives a smaller floor (HaoChen and Sra, 2019; Mishchenko
# et al., 2020).
#
# **By hand: $y = wx$, squared loss.** $\ell_i(w) = (w x_i - y_i)^2$ gives
# $\nabla \ell_i = 2 x_i (w x_i - y_i)$, so a mini-batch step is
# $w \leftarrow w - \eta\,\frac{2}{b} \sum_{i \in B} x_i (w x_i - y_i)$; with many features,
# $w \leftarrow w - \eta\,\frac{2}{b} X_B^\top (X_B w - y_B)$.

# %% [markdown]
# ## 3. From scratch: three ways to spend an epoch
# ### 3.1 Linear regression on the diabetes data
# `load_diabetes` (442 patients, 10 features) ships with scikit-learn. Features and target are
# standardised (`calcopt.sgd.standardized` shifts and scales each column to mean 0 and
# standard deviation 1) and a column of ones carries the bias. One trainer does all three: batch size
# $N$ is full-batch descent, $1$ is stochastic, anything between is mini-batch.

# %%
diabetes = load_diabetes()
X_lin = np.column_stack([standardized(diabetes.data), np.ones(len(diabetes.target))])
y_lin = standardized(diabetes.target[:, None])[:, 0]
N_lin = len(y_lin)

def mse(w, X, y):
    return np.mean((X @ w - y) ** 2)

def mse_grad(w, X, y):
    return 2 / len(y) * X.T @ (X @ w - y)

def train(grad, loss, X, y, batch_size, lr, num_epochs, seed=0):
    """Mini-batch SGD from w = 0; the full loss after every update, and the final w."""
    rng = np.random.default_rng(seed)
    w, losses = np.zeros(X.shape[1]), [loss(np.zeros(X.shape[1]), X, y)]
    for _ in range(num_epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            idx = order[start:start + batch_size]
            w = w - lr * grad(w, X[idx], y[idx])
            losses.append(loss(w, X, y))
    return w, np.array(losses)

w_best = np.linalg.lstsq(X_lin, y_lin, rcond=None)[0]
runs_lin = {b: train(mse_grad, mse, X_lin, y_lin, b, lr, 20)
            for b, lr in [(N_lin, 0.1), (32, 0.05), (1, 0.005)]}
loss_best = mse(w_best, X_lin, y_lin)
epoch_ends = {b: np.arange(0, len(losses), int(np.ceil(N_lin / b))) for b, (_, losses) in runs_lin.items()}
for b, (w, losses) in runs_lin.items():
    excess = losses[epoch_ends[b]] - loss_best  # the excess loss at the end of each epoch
    print(f"batch {b:3d}: {len(losses) - 1:5d} updates in 20 epochs; excess loss over least squares "
          f"after epoch 1 {excess[1]:.4f}, epoch 10 {excess[10]:.4f}, epoch 20 {excess[20]:.4f}")

# %% [markdown]
# Each update of batch size $b$ evaluates $b$ per-example gradients, so an epoch always costs
# $N$ of them. With these learning rates, the printed excess losses show the crossing: after one
# epoch the small batches are ahead (many updates for the same compute); after 20 the full
# batch is ahead, and the batch-1 run has stopped improving between epochs 10 and 20: it has
# reached its noise floor (§2). Against the number of updates, full batch makes the best of each step.

# %%
def plot_runs(runs, N, title):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    for b, (_, losses) in runs.items():
        sizes = np.diff(np.r_[0:N:b, N])  # the batch sizes of one epoch
        evals = np.r_[0, np.cumsum(np.tile(sizes, (len(losses) - 1) // len(sizes)))]
        ax1.semilogx(evals[1:] / N, losses[1:], label=f"batch {b}")
        ax2.semilogx(np.arange(1, len(losses)), losses[1:], label=f"batch {b}")
    ax1.set(xlabel="epochs = per-example gradient evaluations / N", ylabel="full training loss", title=title)
    ax2.set(xlabel="updates", title=title)
    ax1.legend(fontsize="small")
    plt.show()

plot_runs(runs_lin, N_lin, "linear regression, diabetes")

# %% [markdown]
# ### 3.2 Logistic regression on the breast-cancer data
# `load_breast_cancer`: 569 tumours, 30 features, label 1 for benign. With
# $p_i = \sigma(x_i^\top w)$ the loss is the mean cross-entropy and its gradient
# $\frac1b X_B^\top (p_B - y_B)$ (Day 4).

# %%
cancer = load_breast_cancer()
X_log = np.column_stack([standardized(cancer.data), np.ones(len(cancer.target))])
y_log = cancer.target.astype(np.float64)
N_log = len(y_log)

def bce(w, X, y):
    z = X @ w
    return np.mean(np.logaddexp(0, z) - y * z)  # -y log p - (1-y) log(1-p), stable

def bce_grad(w, X, y):
    return X.T @ (1 / (1 + np.exp(-(X @ w))) - y) / len(y)

runs_log = {b: train(bce_grad, bce, X_log, y_log, b, lr, 15)
            for b, lr in [(N_log, 0.5), (32, 0.1), (1, 0.01)]}
for b, (w, losses) in runs_log.items():
    accuracy = np.mean((X_log @ w > 0) == (y_log == 1))
    per_epoch = losses[::int(np.ceil(N_log / b))]
    print(f"batch {b:3d}: loss after epoch 10 {per_epoch[10]:.4f}, epoch 15 {per_epoch[15]:.4f}, "
          f"training accuracy {accuracy:.3f}")
plot_runs(runs_log, N_log, "logistic regression, breast cancer")

# %% [markdown]
# The three learning rates were picked by hand for each batch size; a fair comparison tunes
# each. The shapes are typical: per unit of compute, small batches get going sooner; per
# update, large batches go further. Here, unlike on the diabetes data, the batch-1 loss is
# still falling between epochs 10 and 15 (printed above) and is the lowest of the three: the
# two classes are nearly separable, so the loss keeps decreasing slowly as the weights grow,
# and within 15 epochs the batch-1 run has not reached a noise floor. Where the floor sits,
# and when it is reached, depends on the problem.
#
# ## 4. Gradient noise: the variance falls as $1/b$
# At a fixed $w$ (here the batch-32 result), compute all $N$ per-example gradients once, then
# draw 2000 batches per size, with and without replacement, and measure
# $\mathbb{E}\lVert g_B - \nabla L \rVert^2$ against the two formulas of §2.

# %%
w_fixed = runs_lin[32][0]
per_example = 2 * X_lin * (X_lin @ w_fixed - y_lin)[:, None]  # row i: grad of loss_i
full_grad = per_example.mean(axis=0)
sigma2 = np.mean(np.sum((per_example - full_grad) ** 2, axis=1))
sizes = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 400, N_lin])
measured = {"with replacement": [], "without replacement": []}
for b in tqdm(sizes, desc="batch sizes"):
    with_rep = rng.integers(0, N_lin, size=(2000, b))
    without = rng.permuted(np.tile(np.arange(N_lin), (2000, 1)), axis=1)[:, :b]  # 2000 random subsets
    for key, idx in [("with replacement", with_rep), ("without replacement", without)]:
        g = per_example[idx].mean(axis=1)
        measured[key].append(np.mean(np.sum((g - full_grad) ** 2, axis=1)))
theory_with = sigma2 / sizes
theory_without = sigma2 / sizes * (N_lin - sizes) / (N_lin - 1)
np.testing.assert_allclose(measured["with replacement"], theory_with, rtol=0.15)
np.testing.assert_allclose(measured["without replacement"][:-1], theory_without[:-1], rtol=0.15)
print(f"sigma^2 = {sigma2:.4f}; at b = N without replacement the measured variance is "
      f"{measured['without replacement'][-1]:.1e}")

fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(sizes, measured["with replacement"], "o", label="measured, with replacement")
ax.loglog(sizes, theory_with, "-", label=r"$\sigma^2/b$")
ax.loglog(sizes[:-1], measured["without replacement"][:-1], "s", label="measured, without replacement")
ax.loglog(sizes[:-1], theory_without[:-1], "--", label=r"$\frac{\sigma^2}{b}\frac{N-b}{N-1}$")
ax.set(xlabel="batch size b", ylabel=r"$E\,\|g_B - \nabla L\|^2$")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# A slope of $-1$ on log-log axes: doubling the batch halves the variance, so the standard
# deviation falls only as $1/\sqrt{b}$. Without replacement the curve bends down to zero at
# $b = N$ (not drawn on the log axis; printed above).
#
# ## 5. Why batches?
# 1. **Memory.** A backward pass stores every layer's activations for the whole batch, so
#    activation memory grows linearly with $b$ (the weights and optimizer state do not); the
#    full data set rarely fits on a device.
# 2. **More updates per pass.** $\lceil N/b \rceil$ updates per epoch: many cheap, noisy steps
#    often beat one exact one (§3). Hardware sets a floor: below some $b$ the device is idle,
#    so $b = 1$ wastes parallelism.
# 3. **Noise.** The noise is not only a cost. With a constant step, SGD settles into a cloud
#    around the minimum whose size grows with $\eta/b$ (measured below on the diabetes fit);
#    on a non-convex loss that noise can move the iterate out of narrow basins (Day 3, §3.3).
#
# **The noise floor, measured.** For least squares, batches drawn with replacement and a small
# $\eta$, the excess loss $L(w) - L(w^*)$ averages about $\frac14 \frac{\eta}{b} \sigma_*^2$ once SGD
# has settled, with $\sigma_*^2 = \frac1N\sum_i \lVert \nabla\ell_i(w^*)\rVert^2$ (the full gradient is zero
# at $w^*$). Below, 8 runs per setting, each 8000 updates from $w = 0$ with replacement; the
# excess loss is averaged over the second half of the updates. (Our `train` reshuffles each
# epoch instead, which gives a smaller floor that this formula does not describe, §2.)

# %%
grads_at_best = 2 * X_lin * (X_lin @ w_best - y_lin)[:, None]
sigma2_star = np.mean(np.sum(grads_at_best**2, axis=1))
settings = [(0.01, 1), (0.04, 4), (0.01, 4), (0.04, 16), (0.01, 16)]

def noise_floors(settings, num_updates=8000, num_runs=8, seed=1):
    """With-replacement SGD from w = 0, num_runs runs of each (lr, b) side by side (a batch is
    drawn at the largest b and the entries past b get weight 0); for each setting, the excess
    loss averaged over the second half of the updates and over the runs."""
    run_rng = np.random.default_rng(seed)
    lrs = np.repeat([lr for lr, _ in settings], num_runs)[:, None, None]
    b_max = max(b for _, b in settings)
    weights = np.repeat([[1 / b] * b + [0.0] * (b_max - b) for _, b in settings], num_runs, axis=0)
    W, tail = np.zeros((len(lrs), X_lin.shape[1], 1)), []
    for k in range(num_updates):
        idx = run_rng.integers(0, N_lin, size=(len(lrs), b_max))
        X_b = X_lin[idx]
        residual = (X_b @ W)[:, :, 0] - y_lin[idx]
        W = W - lrs * 2 * X_b.transpose(0, 2, 1) @ (weights * residual)[:, :, None]
        if k >= num_updates // 2:
            tail.append(W[:, :, 0] - w_best)
    D = np.array(tail)  # (updates, runs, d): w - w_best
    excess = np.einsum("tcd,de,tce->c", D, X_lin.T @ X_lin / N_lin, D) / len(D)  # = mse(w) - mse(w_best)
    return excess.reshape(len(settings), num_runs).mean(axis=1)

floors = noise_floors(settings)
print(f"sigma_*^2 = {sigma2_star:.3f}")
print(" lr      b   lr/b      excess loss   (lr/b) sigma_*^2 / 4")
for (lr, b), floor in zip(settings, floors):
    print(f"{lr:5}  {b:3d}   {lr / b:.4g}  {floor:10.2e}   {0.25 * lr / b * sigma2_star:10.2e}")
print("excess loss divided by, when lr/b is divided by 4: " + ", ".join(f"{floors[i] / floors[i + 2]:.1f}" for i in (0, 2)))

# %% [markdown]
# Rows with the same ratio $\eta/b$ end with nearly the same excess loss, dividing $\eta/b$ by 4
# divides it by about 4 (the factors printed last), and the formula, first order in $\eta$
# (it neglects terms of order $\eta^2$), sits a little below each measured value. So
# for small $\eta$ near the minimum, with replacement, the noise floor is set by $\eta/b$. This is the idea
# behind the **linear scaling rule** (multiply $\eta$ by $k$ when multiplying $b$ by $k$; Goyal
# et al., 2017), which holds up to a problem-dependent batch size (Shallue et al., 2019) and
# is a rule of thumb, not a theorem.
#
# **Flat minima: a hypothesis, with its evidence.** The claim: SGD's noise steers training
# toward *flat* minima (small Hessian eigenvalues), and flat minima generalise better.
# - For: Keskar et al. (2017) found that large-batch training reached sharper minima and a
#   larger test-error gap on several networks; Hochreiter and Schmidhuber (1997) argued for
#   flat minima by description length; Smith and Le (2018) tied the noise scale to $\eta N/b$.
# - Against, or qualifying: Dinh et al. (2017) showed that reparametrising a ReLU network can
#   make any minimum arbitrarily sharp without changing the function, so sharpness as usually
#   measured cannot be the whole cause; Hoffer et al. (2017) closed most of the large-batch gap
#   by training longer with adjusted rates; Geiping et al. (2022) matched SGD's test accuracy
#   on CIFAR-10 with full-batch descent plus explicit regularisation.
#
# So: the noise is real and its size is computable ($\propto \eta/b$ here); that it *causes*
# better generalisation through flatness is a plausible, debated hypothesis.
#
# ## 6. L2 regularization and weight decay
# Adding $\lambda \lVert w \rVert^2$ to the loss adds $2\lambda w$ to its gradient, and the SGD step
# becomes $w \leftarrow (1 - 2\eta\lambda)\,w - \eta \nabla L(w)$: the weights **decay** by a constant
# factor each step. PyTorch's optimizers call the coefficient of $w$ added to the gradient
# `weight_decay`, so $\lambda \lVert w \rVert^2$ corresponds to `weight_decay = 2λ` (and
# $\frac{\lambda}{2}\lVert w\rVert^2$ to `weight_decay = λ`: the convention to watch). Keras 3 optimizers
# never add it to the gradient: their `weight_decay` shrinks the weights directly,
# $w \leftarrow w - \eta\,\lambda_{wd}\, w$, before the step (decoupled decay). For plain SGD, which keeps
# no state, the two are the same update, and both frameworks agree with NumPy:

# %%
lam, lr, num_steps = 0.05, 0.1, 20
w_np = np.zeros(X_lin.shape[1])
for _ in range(num_steps):
    w_np = w_np - lr * (mse_grad(w_np, X_lin, y_lin) + 2 * lam * w_np)

X_t, y_t = torch.tensor(X_lin), torch.tensor(y_lin)
w_t = torch.zeros(X_lin.shape[1], requires_grad=True)
opt = torch.optim.SGD([w_t], lr=lr, weight_decay=2 * lam)
for _ in range(num_steps):
    opt.zero_grad()
    torch.mean((X_t @ w_t - y_t) ** 2).backward()
    opt.step()

X_tf, y_tf = tf.constant(X_lin), tf.constant(y_lin)
w_tf = tf.Variable(np.zeros(X_lin.shape[1]))
opt_tf = tf.keras.optimizers.SGD(learning_rate=lr, weight_decay=2 * lam)
for _ in range(num_steps):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((tf.linalg.matvec(X_tf, w_tf) - y_tf) ** 2)
    opt_tf.apply_gradients([(tape.gradient(loss, w_tf), w_tf)])
np.testing.assert_allclose(w_t.detach().numpy(), w_np, rtol=1e-12, atol=1e-14)
np.testing.assert_allclose(w_tf.numpy(), w_np, rtol=1e-6, atol=1e-7)  # Keras keeps lr in float32
print("SGD + L2 penalty == SGD with weight_decay = 2*lam, in NumPy, PyTorch and Keras")

# %% [markdown]
# **Under an adaptive method they differ.** Adam divides each gradient entry by a running RMS
# $\sqrt{\hat v}$ (Day 6). With an L2 penalty the $2\lambda w$ term is divided too: the effective
# decay of weight $j$ is $2\lambda/(\sqrt{\hat v_j} + \epsilon)$, small for weights with large
# gradients (printed below). **Decoupled** weight decay (AdamW; Loshchilov and Hutter, 2019)
# shrinks $w$ outside the adaptive step. PyTorch's `AdamW` takes
# $w \leftarrow w - \eta\,\lambda_{wd}\, w - \eta\,\text{adam}(g)$, the decay multiplied by the learning
# rate: a convention (the paper multiplies $\lambda_{wd}$ by the schedule's multiplier $\eta_t$, not
# by the base rate $\alpha$). `torch.optim.Adam(weight_decay=...)` is the L2 version,
# `torch.optim.AdamW` the decoupled one, and Keras's `Adam(weight_decay=...)` is AdamW (checked
# below against PyTorch). 2000 full-batch steps each:

# %%
def run_torch(make_opt, num_steps=2000):
    w = torch.zeros(X_lin.shape[1], requires_grad=True)
    opt = make_opt([w])
    for _ in range(num_steps):
        opt.zero_grad()
        torch.mean((X_t @ w - y_t) ** 2).backward()
        opt.step()
    return w.detach().numpy(), opt.state[w]

wd = 2 * lam
w_adam_l2, adam_state = run_torch(lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=wd))
w_adamw, _ = run_torch(lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=wd))
# the ridge solution: 2/N X^T (X w - y) + 2 lam w = 0
w_ridge = np.linalg.solve(X_lin.T @ X_lin / N_lin + lam * np.eye(X_lin.shape[1]), X_lin.T @ y_lin / N_lin)
print("Adam + L2 :", w_adam_l2[:4], " |w| =", np.linalg.norm(w_adam_l2).round(4))
print("AdamW     :", w_adamw[:4], " |w| =", np.linalg.norm(w_adamw).round(4))
print("ridge     :", w_ridge[:4], " |w| =", np.linalg.norm(w_ridge).round(4))
print("least sq. :", w_best[:4], " |w| =", np.linalg.norm(w_best).round(4))
print(f"largest gap to the ridge solution: Adam + L2 {np.max(np.abs(w_adam_l2 - w_ridge)):.1e}, "
      f"AdamW {np.max(np.abs(w_adamw - w_ridge)):.1e}; AdamW to least squares "
      f"{np.max(np.abs(w_adamw - w_best)):.1e}")
v_hat = adam_state["exp_avg_sq"].numpy() / (1 - 0.999 ** float(adam_state["step"]))
effective = 2 * lam / (np.sqrt(v_hat) + 1e-8)
print(f"Adam + L2, effective decay 2 lam / (sqrt(v_hat) + eps) per weight: from {effective.min():.3g} "
      f"to {effective.max():.3g} (2 lam = {2 * lam})")

# Keras: Adam(weight_decay) is decoupled, the same update as torch's AdamW (200 steps)
w_k = tf.Variable(np.zeros(X_lin.shape[1]))
opt_k = tf.keras.optimizers.Adam(learning_rate=0.05, weight_decay=wd, epsilon=1e-8)
for _ in range(200):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((tf.linalg.matvec(X_tf, w_k) - y_tf) ** 2)
    opt_k.apply_gradients([(tape.gradient(loss, w_k), w_k)])
w_adamw_200, _ = run_torch(lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=wd), num_steps=200)
w_adam_l2_200, _ = run_torch(lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=wd), num_steps=200)
np.testing.assert_allclose(w_k.numpy(), w_adamw_200, rtol=1e-4, atol=1e-5)  # Keras keeps lr in float32
print(f"Keras Adam(weight_decay) vs torch AdamW: {np.max(np.abs(w_k.numpy() - w_adamw_200)):.1e}; "
      f"vs torch Adam(weight_decay): {np.max(np.abs(w_k.numpy() - w_adam_l2_200)):.1e}")

# %% [markdown]
# Same coefficient, different weights: Adam + L2 settles at the minimiser of the penalised
# loss (the ridge solution, solved in closed form above). AdamW lands much nearer the
# unregularised least-squares solution (the gaps printed above). Where AdamW rests,
# $\hat m/(\sqrt{\hat v}+\epsilon) = -\lambda_{wd} w$: the decay is weighed against the gradient divided by
# its own running RMS. With exact full-batch gradients that ratio is close to $\pm 1$ while the
# gradient is steady (the update is nearly $\eta\,\mathrm{sign}(g)$), and $\hat v$ shrinks as the
# gradient does, so the balance is reached only near $\nabla L = 0$: AdamW drifts toward least
# squares and hardly regularises here. With noisy mini-batch gradients $\sqrt{\hat v}$ stays at the
# noise level, $\lvert\hat m\rvert/\sqrt{\hat v}$ is small, and the decay holds the weights back. Under
# Adam + L2 the printed effective decays show
# the other effect: the weights with large gradients are decayed least. Day 6 builds both
# from scratch.
#
# ## 7. The frameworks: one epoch of mini-batch SGD, three ways
# The batch order is ours (one `rng.permutation`), so all three see the same batches. PyTorch's
# `DataLoader(shuffle=True)` and `tf.data.Dataset.shuffle` draw their own orders (the latter
# shuffles within a buffer: with a buffer smaller than the data set the order is not a uniform
# permutation); both keep the last partial batch by default (`drop_last=False`,
# `drop_remainder=False`).

# %%
order = np.random.default_rng(7).permutation(N_log)
batches = [order[s:s + 50] for s in range(0, N_log, 50)]  # 12 batches, the last of 19
w_np = np.zeros(X_log.shape[1])
for idx in batches:
    w_np = w_np - 0.1 * bce_grad(w_np, X_log[idx], y_log[idx])

Xl_t, yl_t = torch.tensor(X_log), torch.tensor(y_log)
w_t = torch.zeros(X_log.shape[1], requires_grad=True)
opt = torch.optim.SGD([w_t], lr=0.1)
for idx in batches:
    opt.zero_grad()
    torch.nn.functional.binary_cross_entropy_with_logits(Xl_t[idx] @ w_t, yl_t[idx]).backward()
    opt.step()

w_tf = tf.Variable(np.zeros(X_log.shape[1]))
for idx in batches:
    with tf.GradientTape() as tape:
        logits = tf.linalg.matvec(tf.gather(tf.constant(X_log), idx), w_tf)
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.gather(tf.constant(y_log), idx), logits))
    w_tf.assign_sub(0.1 * tape.gradient(loss, w_tf))
np.testing.assert_allclose(w_t.detach().numpy(), w_np, rtol=1e-12, atol=1e-14)
np.testing.assert_allclose(w_tf.numpy(), w_np, rtol=1e-12, atol=1e-14)
print(f"{len(batches)} updates, last batch {len(batches[-1])}: NumPy, PyTorch and TensorFlow agree")

# %% [markdown]
# ## 8. A real-world case: matrix factorisation for recommendations
# A ratings matrix $R$ (users by items) is mostly empty. Model each rating as a dot product
# of a user vector and an item vector, $\hat r_{ui} = p_u^\top q_i$, and fit only the observed
# entries $\Omega$: $\min_{P, Q} \sum_{(u,i)\in\Omega} \big[(p_u^\top q_i - r_{ui})^2 + \lambda(\lVert p_u\rVert^2 + \lVert q_i \rVert^2)\big]$
# (Koren, Bell and Volinsky, 2009). The penalty is counted once per rating, so users and items
# with many ratings are shrunk more. SGD visits one observed rating at a time (Funk, 2006, for
# the Netflix Prize) and follows the gradient of that rating's term, which touches two vectors:
# with $e = p_u^\top q_i - r_{ui}$, $p_u \leftarrow p_u - \eta(2 e q_i + 2\lambda p_u)$ and $q_i$ likewise. No ratings data ship with our packages, so the data come from a stated
# model: 60 users, 40 items, true rank 3, Gaussian factors, noise 0.1, 30% observed
# (`calcopt.sgd.low_rank_ratings`). A quarter of the observed ratings is held out.

# %%
R, mask, _, _ = low_rank_ratings(num_users=60, num_items=40, rank=3, observed=0.3, noise=0.1, seed=0)
users, items = np.nonzero(mask)
split = np.random.default_rng(1).permutation(len(users))
test, train_idx = split[: len(split) // 4], split[len(split) // 4:]

def factorise(init_seed, k=3, lam=0.02, lr=0.05, num_epochs=60):
    """SGD on the observed training ratings; the train and held-out RMSE after each epoch."""
    mf_rng = np.random.default_rng(init_seed)
    P, Q = 0.5 * mf_rng.normal(size=(60, k)), 0.5 * mf_rng.normal(size=(40, k))
    rmse = lambda sel: np.sqrt(np.mean((np.sum(P[users[sel]] * Q[items[sel]], axis=1) - R[users[sel], items[sel]]) ** 2))
    history = []
    for _ in range(num_epochs):
        for j in mf_rng.permutation(train_idx):
            u, i = users[j], items[j]
            e = P[u] @ Q[i] - R[u, i]
            P[u], Q[i] = P[u] - lr * (2 * e * Q[i] + 2 * lam * P[u]), Q[i] - lr * (2 * e * P[u] + 2 * lam * Q[i])
        history.append((rmse(train_idx), rmse(test)))
    return np.array(history)

histories = [factorise(seed) for seed in tqdm(range(3), desc="initialisations")]
baseline = np.sqrt(np.mean((R[users[test], items[test]] - R[users[train_idx], items[train_idx]].mean()) ** 2))
print(f"{len(train_idx)} training ratings; predicting the mean rating gives held-out RMSE {baseline:.3f}")
for seed, h in enumerate(histories):
    below = np.flatnonzero(h[:, 0] < 0.2)
    print(f"initialisation {seed}: train RMSE {h[19, 0]:.3f} at epoch 20, {h[-1, 0]:.3f} at epoch {len(h)} "
          f"(first below 0.2 at epoch {below[0] + 1 if len(below) else 'none'}); held-out RMSE {h[-1, 1]:.3f}")
fig, ax = plt.subplots(figsize=(5, 3))
for seed, h in enumerate(histories):
    ax.plot(h[:, 0], color=f"C{seed}", label=f"init {seed}, train")
    ax.plot(h[:, 1], "--", color=f"C{seed}", label=f"init {seed}, held out")
ax.axhline(0.1, color="gray", linestyle=":", label="noise level 0.1")
ax.set(xlabel="epoch", ylabel="RMSE", yscale="log")
ax.legend(fontsize="x-small", ncol=2)
plt.show()

# %% [markdown]
# Matrix factorisation is **not convex** ($p_u^\top q_i$ is a product of unknowns), and it
# shows: from some initialisations SGD sits on a plateau for tens of epochs (near a saddle
# point, where the factors have not yet found the right directions), then drops toward the
# same fit as the others (the printed epochs). These are not bad local minima: with enough observed
# entries and incoherent factors, low-rank matrix completion with a penalty has no spurious
# local minima (Ge, Lee and Ma, 2016; Ge, Jin and Zheng, 2017), so the cure for a plateau is
# more epochs or alternating least squares, not luck. The held-out error stays above the
# training error: some users and items have only a handful of ratings, and $\lambda$ (or the
# rank) trades the two.
# Each update touches $2k$ numbers out of $(60 + 40)k$: the gradient of one rating is sparse,
# which is why SGD (and later Adagrad, Day 6) suits recommendation data.
#
# ## 9. Explore
# The contours of a two-weight least-squares loss; the red path is mini-batch SGD, the blue
# one full-batch descent with one update per epoch. Lower the batch size: more updates per
# epoch, a noisier path, and a cloud around the minimum that does not shrink. Raise the
# learning rate with $b = 1$ and watch the cloud grow; raise $b$ and watch it tighten.

# %%
# %matplotlib widget
from calcopt.widgets.sgd import SGDExplorer

SGDExplorer(batch_size=4, lr=0.1, num_epochs=5, seed=0)

# %% [markdown]
# ## 10. Exercises
# ### Exercise 1: a mini-batch iterator (2 points)
# The order must be exactly the one the docstring fixes, so that your batches can be compared
# index for index. A function containing `yield` is a generator function: calling it runs
# none of its body; the body runs, up to the first `yield`, at the first `next()` (or the first
# turn of a `for` loop).

# %% nbgrader={"grade_id": "minibatches", "solution": true}
def minibatches(n, batch_size, seed):
    """Yield the index batches of one shuffled epoch over n examples.

    n: int >= 1, the number of examples. batch_size: int >= 1. seed: int.
    The order is order = np.random.default_rng(seed).permutation(n); the batches are its
    consecutive slices order[0:batch_size], order[batch_size:2*batch_size], ...; the last
    batch is shorter when batch_size does not divide n, and it is kept (not dropped).
    A batch_size larger than n gives a single batch of n indices.
    Yields 1-D NumPy int64 arrays (a generator); every index 0..n-1 appears exactly once.
    Raises ValueError when n < 1 or batch_size < 1 (when the generator is first advanced,
    or at the call: either is accepted).
    """
    ### BEGIN SOLUTION
    if n < 1 or batch_size < 1:
        raise ValueError("n and batch_size must be at least 1")
    order = np.random.default_rng(seed).permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]
    ### END SOLUTION

# %% nbgrader={"grade_id": "minibatches_tests", "grade": true, "points": 2}
def batch_summary(n, batch_size, seed):
    """(the batch sizes, all indices in order, whether every batch is a 1-D int64 ndarray),
    or the flag that ValueError was raised."""
    try:
        batches = list(minibatches(n, batch_size, seed))
    except ValueError:
        return "ValueError", None, None
    types_ok = all(type(b) is np.ndarray and b.ndim == 1 and str(b.dtype) == "int64" for b in batches)
    return tuple(len(b) for b in batches), np.concatenate(batches) if batches else np.zeros(0), types_ok

try:
    _gen = minibatches(10, 4, 0)
except ValueError:
    _gen = None
check_true("minibatches(10, 4, 0) returns a generator", inspect.isgenerator(_gen), "use yield inside minibatches: the docstring asks for a generator, not a list")
_sizes, _all, _types_ok = batch_summary(10, 4, 0)
check_equal("batch sizes for n=10, batch_size=4", _sizes, (4, 4, 2))
check_true("every batch is a 1-D int64 NumPy array", _types_ok, "yield slices of the int64 permutation")
check_close("the indices, in order, for n=10, seed 0", _all, np.random.default_rng(0).permutation(10))
check_equal("batch sizes for n=3, batch_size=5", batch_summary(3, 5, 1)[0], (3,))
check_equal("batch_size=0", batch_summary(5, 0, 0)[0], "ValueError")
print("minibatches: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(501)
for _trial in range(12):
    _n, _b, _seed = int(test_rng.integers(1, 200)), int(test_rng.integers(1, 60)), int(test_rng.integers(0, 10**6))
    _sizes, _all, _types_ok = batch_summary(_n, _b, _seed)
    expect(f"minibatches(trial {_trial}) sizes", _sizes)
    expect(f"minibatches(trial {_trial}) indices", _all, rtol=0, atol=0)
    expect(f"minibatches(trial {_trial}) batches are 1-D int64 arrays", _types_ok)
for _name, _args in [("a batch of one", (7, 1, 3)), ("batch = n", (9, 9, 4)), ("n = 1", (1, 4, 2)),
                     ("divides exactly", (12, 3, 5)), ("batch > n", (5, 50, 6))]:
    _sizes, _all, _ = batch_summary(*_args)
    expect(f"minibatches({_name}) sizes", _sizes)
    expect(f"minibatches({_name}) indices", _all, rtol=0, atol=0)
expect("minibatches(n=0) raises", batch_summary(0, 3, 0)[0])
expect("minibatches(batch_size=-2) raises", batch_summary(6, -2, 0)[0])
try:
    _gen = minibatches(7, 3, 1)
except ValueError:
    _gen = None
expect("minibatches returns a generator", inspect.isgenerator(_gen))
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2: one epoch of mini-batch SGD (3 points)
# Linear regression with the batch loss $L_B(w) = \frac{1}{\lvert B\rvert}\sum_{i\in B}(x_i^\top w - y_i)^2$.

# %% nbgrader={"grade_id": "sgd_epoch", "solution": true}
def sgd_epoch(w, X, y, lr, batches):
    """One epoch of mini-batch SGD on the squared loss, visiting the batches in order.

    w: (d,) float32 or float64 NumPy array, not modified. X: (n, d), y: (n,) NumPy arrays.
    lr: float. batches: a list of 1-D integer index arrays (possibly of different lengths).
    For each batch B: w <- w - lr * (2 / len(B)) * X_B^T (X_B w - y_B).
    Returns the new w, a new array (not w itself, even with no batches), shape (d,), with
    the dtype of the w given.
    """
    ### BEGIN SOLUTION
    w_new = w.copy()
    for idx in batches:
        Xb, yb = X[idx], y[idx]
        w_new = (w_new - lr * (2 / len(idx)) * Xb.T @ (Xb @ w_new - yb)).astype(w.dtype)
    return w_new
    ### END SOLUTION

# %% nbgrader={"grade_id": "sgd_epoch_tests", "grade": true, "points": 3}
_X = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0], [2.0, 0.5]])
_y = np.array([1.0, -2.0, 0.5, 3.0])
_w = np.array([0.5, -1.0])
_got = sgd_epoch(_w, _X, _y, 0.1, [np.array([2, 0, 1]), np.array([3])])
check_type("sgd_epoch(...)", _got, np.ndarray)
check_close("sgd_epoch(4 examples, batches [2, 0, 1] then [3])", _got, np.array([1.42666666666667, -0.27666666666667]), rtol=1e-10)
check_close("sgd_epoch must not modify w", _w, np.array([0.5, -1.0]), rtol=0)
_got32 = sgd_epoch(_w.astype(np.float32), _X.astype(np.float32), _y.astype(np.float32), 0.1, [np.array([2, 0, 1]), np.array([3])])
check_close("sgd_epoch(float32)", _got32, np.array([1.42666666666667, -0.27666666666667]), rtol=1e-5, dtype=np.float32)
print("sgd_epoch: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(502)
for _trial in range(10):
    _n, _d = int(test_rng.integers(1, 40)), int(test_rng.integers(1, 6))
    _X, _y, _w = test_rng.normal(size=(_n, _d)), test_rng.normal(size=_n), test_rng.normal(size=_d)
    _order = test_rng.permutation(_n)
    _b = int(test_rng.integers(1, _n + 1))
    _batches = [_order[s:s + _b] for s in range(0, _n, _b)]
    expect(f"sgd_epoch(trial {_trial}, n={_n}, d={_d}, b={_b})", sgd_epoch(_w, _X, _y, 0.05, _batches), rtol=1e-9, atol=1e-12, dtype=np.float64)
_X, _y, _w = test_rng.normal(size=(6, 3)), test_rng.normal(size=6), test_rng.normal(size=3)
_got = sgd_epoch(_w, _X, _y, 0.1, [])
expect("sgd_epoch(no batches)", _got, rtol=1e-12, dtype=np.float64)
expect("sgd_epoch(no batches) returns a new array, not w itself", _got is not _w)
expect("sgd_epoch(batches of one)", sgd_epoch(_w, _X, _y, 0.05, [np.array([i]) for i in (5, 2, 0)]), rtol=1e-9, atol=1e-12)
expect("sgd_epoch(a repeated index)", sgd_epoch(_w, _X, _y, 0.05, [np.array([1, 1, 4])]), rtol=1e-9, atol=1e-12)
expect("sgd_epoch(negative lr)", sgd_epoch(_w, _X, _y, -0.01, [np.arange(6)]), rtol=1e-9, atol=1e-12)
expect("sgd_epoch(large)", sgd_epoch(1e6 * _w, _X, 1e6 * _y, 0.01, [np.arange(3), np.arange(3, 6)]), rtol=1e-9, atol=1e-6)
_w32 = _w.astype(np.float32)
expect("sgd_epoch(float32)", sgd_epoch(_w32, _X.astype(np.float32), _y.astype(np.float32), 0.05, [np.array([0, 3]), np.array([1])]), rtol=1e-4, atol=1e-5, dtype=np.float32)
expect("sgd_epoch must not modify w", _w32, rtol=0, atol=0, dtype=np.float32)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3: the L2-regularized gradient (2 points)
# The last entry of $w$ is the bias (the last column of $X$ is ones). Here the penalty leaves
# the bias alone, as is common practice in deep learning (parameter groups in PyTorch keep
# biases out of the decay; scikit-learn's `Ridge` does not penalise the intercept). The
# framework defaults of §6 penalise every weight, the bias included.

# %% nbgrader={"grade_id": "l2_gradient", "solution": true}
def l2_gradient(w, X, y, lam):
    """Gradient of (1/n) ||X w - y||^2 + lam * ||w[:-1]||^2 (the bias w[-1] is not penalised).

    w: (d,) with d >= 1, not modified; X: (n, d); y: (n,); NumPy arrays of floats or ints.
    lam: float >= 0.
    Returns a float64 NumPy array of shape (d,). Raises ValueError when lam < 0.
    """
    ### BEGIN SOLUTION
    if lam < 0:
        raise ValueError("lam must be non-negative")
    w, X, y = (np.asarray(a, dtype=np.float64) for a in (w, X, y))
    penalty = 2 * lam * w
    penalty[-1] = 0.0
    return 2 / len(y) * X.T @ (X @ w - y) + penalty
    ### END SOLUTION

# %% nbgrader={"grade_id": "l2_gradient_tests", "grade": true, "points": 2}
_X = np.array([[1.0, 2.0, 1.0], [0.0, -1.0, 1.0], [3.0, 1.0, 1.0]])
_y, _w = np.array([1.0, -2.0, 0.5]), np.array([0.5, -1.0, 2.0])
_got = l2_gradient(_w, _X, _y, 0.1)
check_type("l2_gradient(...)", _got, np.ndarray)
check_close("l2_gradient(3 examples, lam 0.1)", _got, np.array([3.76666666666667, -2.86666666666667, 4.33333333333333]), rtol=1e-10, dtype=np.float64)
check_close("l2_gradient must not modify w", _w, np.array([0.5, -1.0, 2.0]), rtol=0)
check_close("l2_gradient(integer inputs)", l2_gradient(np.array([1, 0]), np.array([[2, 1]]), np.array([1]), 0.5), np.array([5.0, 2.0]), rtol=1e-12)
try:
    l2_gradient(_w, _X, _y, -1.0)
    _raised = False
except ValueError:
    _raised = True
check_true("l2_gradient(lam=-1) raises ValueError", _raised, "a negative lam must raise ValueError")
print("l2_gradient: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(503)
for _trial in range(10):
    _n, _d = int(test_rng.integers(1, 30)), int(test_rng.integers(1, 6))
    _X = np.column_stack([test_rng.normal(size=(_n, _d - 1)), np.ones(_n)])
    _lam = float(test_rng.uniform(0, 2))
    expect(f"l2_gradient(trial {_trial})", l2_gradient(test_rng.normal(size=_d), _X, test_rng.normal(size=_n), _lam), rtol=1e-9, atol=1e-12, dtype=np.float64)
_X, _y, _w = test_rng.normal(size=(5, 3)), test_rng.normal(size=5), test_rng.normal(size=3)
expect("l2_gradient(lam = 0)", l2_gradient(_w, _X, _y, 0.0), rtol=1e-9, atol=1e-12)
expect("l2_gradient(w = 0)", l2_gradient(np.zeros(3), _X, _y, 0.7), rtol=1e-9, atol=1e-12)
expect("l2_gradient(bias only)", l2_gradient(np.array([2.0]), np.ones((4, 1)), np.arange(4.0), 3.0), rtol=1e-9, atol=1e-12)
expect("l2_gradient(large lam)", l2_gradient(_w, _X, _y, 1e3), rtol=1e-9, atol=1e-12)
expect("l2_gradient(float32)", l2_gradient(_w.astype(np.float32), _X.astype(np.float32), _y.astype(np.float32), 0.3), rtol=1e-5, atol=1e-6, dtype=np.float64)
_w0 = _w.copy()
l2_gradient(_w, _X, _y, 0.5)
expect("l2_gradient must not modify w", _w, rtol=0, atol=0)
try:
    l2_gradient(_w, _X, _y, -0.1)
    _raised = "no error"
except ValueError:
    _raised = "ValueError"
expect("l2_gradient(lam < 0)", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 4: one epoch in PyTorch (2 points)
# Now the loss is any function written with torch operations, so the gradient must come from
# autograd, and the update from `torch.optim.SGD`. Make the parameter with `torch.tensor(w)`,
# which copies; `torch.from_numpy(w)` shares memory with `w`, so `step()` would change the
# caller's array.

# %% nbgrader={"grade_id": "torch_sgd_epoch", "solution": true}
def torch_sgd_epoch(loss_fn, w, X, y, lr, batches):
    """One epoch of mini-batch SGD with torch autograd and torch.optim.SGD (no momentum).

    loss_fn(w_t, X_b, y_b): a 0-d torch tensor, written with torch ops, from a float64
    tensor w_t of shape (d,) that requires grad and the batch's float64 tensors X_b (b, d),
    y_b (b,). w: (d,) float64 NumPy array, not modified. X: (n, d), y: (n,) float64 NumPy.
    batches: a list of 1-D integer index arrays, visited in order, one optimizer step each.
    Returns the new w as a new float64 NumPy array of shape (d,) (not w itself).
    """
    ### BEGIN SOLUTION
    w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    X_t, y_t = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    optimizer = torch.optim.SGD([w_t], lr=lr)
    for idx in batches:
        idx = torch.as_tensor(np.asarray(idx))
        optimizer.zero_grad()
        loss_fn(w_t, X_t[idx], y_t[idx]).backward()
        optimizer.step()
    return w_t.detach().numpy().copy()
    ### END SOLUTION

# %% nbgrader={"grade_id": "torch_sgd_epoch_tests", "grade": true, "points": 2}
def logistic_loss(w_t, X_b, y_b):
    return torch.nn.functional.binary_cross_entropy_with_logits(X_b @ w_t, y_b)

_data = load_breast_cancer()  # Section 7's epoch: logistic regression, batches of 50
_X, _y = np.column_stack([standardized(_data.data), np.ones(len(_data.target))]), _data.target.astype(np.float64)
_order = np.random.default_rng(7).permutation(len(_y))
_batches = [_order[s:s + 50] for s in range(0, len(_y), 50)]
_ref = np.zeros(_X.shape[1])
for _idx in _batches:
    _ref = _ref - 0.1 * _X[_idx].T @ (1 / (1 + np.exp(-(_X[_idx] @ _ref))) - _y[_idx]) / len(_idx)
_w = np.zeros(_X.shape[1])
_got = torch_sgd_epoch(logistic_loss, _w, _X, _y, 0.1, _batches)
check_type("torch_sgd_epoch(...)", _got, np.ndarray)
check_close("torch_sgd_epoch(logistic, Section 7's batches) against Section 7's NumPy", _got, _ref, rtol=1e-10, atol=1e-12, dtype=np.float64)
check_close("torch_sgd_epoch must not modify w", _w, np.zeros(_X.shape[1]), rtol=0)
print("torch_sgd_epoch: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(504)
_seen = []
def _log_cosh_loss(w_t, X_b, y_b):  # a loss given only as torch code
    _seen.append(type(w_t) in (torch.Tensor, torch.nn.Parameter) and bool(w_t.requires_grad))
    # the last term is 0 in value but adds 2 w_t to the gradient: only autograd sees it
    return (torch.mean(torch.log(torch.cosh(X_b @ w_t - y_b))) + 0.1 * torch.sum(torch.sin(w_t))
            + torch.sum(w_t**2 - (w_t**2).detach()))
_steps = [0]
_original_step = torch.optim.SGD.step
def _counting_step(self, *args, **kwargs):
    _steps[0] += 1
    return _original_step(self, *args, **kwargs)
torch.optim.SGD.step = _counting_step
try:
    for _trial in range(5):
        _n, _d = int(test_rng.integers(2, 30)), int(test_rng.integers(1, 5))
        _Xr, _yr, _w = test_rng.normal(size=(_n, _d)), test_rng.normal(size=_n), test_rng.normal(size=_d)
        _order = test_rng.permutation(_n)
        _b = int(test_rng.integers(1, _n + 1))
        _got = torch_sgd_epoch(_log_cosh_loss, _w, _Xr, _yr, 0.3, [_order[s:s + _b] for s in range(0, _n, _b)])
        expect(f"torch_sgd_epoch(log-cosh, trial {_trial})", _got, rtol=1e-9, atol=1e-12, dtype=np.float64)
finally:
    torch.optim.SGD.step = _original_step
expect("torch_sgd_epoch called loss_fn with a tensor that requires grad", bool(_seen) and all(_seen))
expect("torch_sgd_epoch: number of torch.optim.SGD steps (one per batch)", _steps[0])
expect("torch_sgd_epoch(logistic, batch of one)", torch_sgd_epoch(logistic_loss, np.zeros(_X.shape[1]), _X, _y, 0.05, [np.array([3]), np.array([100])]), rtol=1e-9, atol=1e-12)
expect("torch_sgd_epoch(no batches)", torch_sgd_epoch(logistic_loss, np.ones(_X.shape[1]), _X, _y, 0.05, []), rtol=1e-12)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 5: an L2-regularized gradient with a TensorFlow tape (2 points)
# Here every weight is penalised: the gradient of `loss_fn(w) + lam * ||w||^2`, from a tape.

# %% nbgrader={"grade_id": "tf_l2_gradient", "solution": true}
def tf_l2_gradient(loss_fn, w, lam):
    """Gradient of loss_fn(w) + lam * sum(w**2), computed with tf.GradientTape.

    loss_fn: function from a float64 tf.Variable (or watched tensor) of shape (d,) to a 0-d
    tensor, written with tf ops. w: (d,) float64 NumPy array, not modified. lam: float.
    Returns a float64 NumPy array of shape (d,).
    """
    ### BEGIN SOLUTION
    w_tf = tf.Variable(np.asarray(w, dtype=np.float64))
    with tf.GradientTape() as tape:
        total = loss_fn(w_tf) + lam * tf.reduce_sum(w_tf**2)
    return tape.gradient(total, w_tf).numpy()
    ### END SOLUTION

# %% nbgrader={"grade_id": "tf_l2_gradient_tests", "grade": true, "points": 2}
_X = np.random.default_rng(5).normal(size=(20, 4))
_y = _X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.3
_w = np.array([0.5, -1.5, 1.0, 2.0])
_got = tf_l2_gradient(lambda v: tf.reduce_mean((tf.linalg.matvec(tf.constant(_X), v) - _y) ** 2), _w, 0.3)
check_type("tf_l2_gradient(...)", _got, np.ndarray)
check_close("tf_l2_gradient(mean squared error, lam 0.3)", _got, 2 / 20 * _X.T @ (_X @ _w - _y) + 2 * 0.3 * _w, rtol=1e-10, atol=1e-12, dtype=np.float64)
check_close("tf_l2_gradient must not modify w", _w, np.array([0.5, -1.5, 1.0, 2.0]), rtol=0)
print("tf_l2_gradient: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(505)
for _trial in range(5):
    _d = int(test_rng.integers(1, 6))
    _A = tf.constant(test_rng.normal(size=(_d, _d)))
    _loss = lambda v, A=_A: tf.reduce_sum(tf.math.softplus(tf.linalg.matvec(A, v))) + tf.reduce_prod(tf.cos(v))
    expect(f"tf_l2_gradient(softplus, trial {_trial})", tf_l2_gradient(_loss, test_rng.normal(size=_d), float(test_rng.uniform(0, 1))), rtol=1e-9, atol=1e-12, dtype=np.float64)
expect("tf_l2_gradient(lam = 0)", tf_l2_gradient(lambda v: tf.reduce_sum(tf.exp(v)), np.array([0.5, -1.0]), 0.0), rtol=1e-9)
expect("tf_l2_gradient(negative w, large lam)", tf_l2_gradient(lambda v: tf.reduce_sum(v**3), np.array([-2.0, -0.1, 3.0]), 1e4), rtol=1e-9)
expect("tf_l2_gradient(d = 1)", tf_l2_gradient(lambda v: tf.reduce_sum(tf.tanh(v)), np.array([0.3]), 0.5), rtol=1e-9)
# the second term is 0 in value but adds 2 v to the gradient: only the tape sees it
_hidden_term = lambda v: tf.reduce_sum(tf.sin(v)) + tf.reduce_sum(v**2 - tf.stop_gradient(v**2))
expect("tf_l2_gradient(a loss with a stop_gradient term)", tf_l2_gradient(_hidden_term, test_rng.normal(size=3), 0.2), rtol=1e-9, atol=1e-12)
### END HIDDEN TESTS

# %% [markdown]
# ## 11. Pitfalls and misconceptions
#
# **"SGD converges to the minimum."** Not with a constant step: it hovers in a cloud whose size
# grows with $\eta/b$ (§5, batches drawn with replacement). Convergence needs decaying steps ($\sum\eta_k = \infty$,
# $\sum \eta_k^2 < \infty$) or a batch that grows; in practice a schedule (Day 7).
#
# **"A bigger batch is always better."** Per update it is more exact, but the variance only
# falls as $1/b$: doubling the batch doubles the compute per step and does not halve the
# steps needed once the noise is small. Past a problem-dependent batch size, more data per step
# buys nothing (Shallue et al., 2019).
#
# **"The stochastic gradient is biased."** Sampled uniformly, it is unbiased; it becomes biased
# when the sampling is not uniform (a data loader that repeats some classes) or the loss is
# not an average over examples (batch normalisation couples the examples of a batch).
#
# **"weight_decay = λ means a penalty λ‖w‖²."** In PyTorch it means $\lambda w$ added to the
# gradient: the penalty $\frac{\lambda}{2}\lVert w\rVert^2$, and only for plain SGD; under Adam, `Adam`
# (L2) and `AdamW` (decoupled) give different weights. In Keras 3 `weight_decay` is always the
# decoupled kind, in every optimizer: `keras.optimizers.Adam(weight_decay=...)` is AdamW, and
# with momentum Keras's SGD and PyTorch's SGD with the same `weight_decay` differ (§6).
#
# **"Dropping the last partial batch is harmless."** With 442 examples and $b = 256$, `drop_last`
# throws away 186 examples every epoch. With a fresh shuffle each epoch every example is
# still seen sometimes, but the epoch is no longer a full pass.
#
# ## 12. Interview corner
#
# **Mid.** Why is the mini-batch gradient an unbiased estimate of the full gradient, and what
# happens to its variance when you double the batch?
# <details><summary>Answer</summary>
# Each example in a uniform batch has expected gradient $\nabla L$, so the average does too.
# The variance is $\sigma^2/b$ (with replacement), times $(N-b)/(N-1)$ without: doubling $b$
# halves it (approximately, for $b \ll N$, without replacement), so the standard deviation
# falls by only $\sqrt 2$.
# </details>
#
# **Mid.** What is the difference between an epoch, an iteration and a batch?
# <details><summary>Answer</summary>
# A batch is the set of examples of one update (an iteration); an epoch is one pass over the
# data, $\lceil N/b\rceil$ iterations if the last partial batch is kept.
# </details>
#
# **Senior.** You increase the batch size from 256 to 8192 and the model gets worse. Why, and
# what do you try?
# <details><summary>Answer</summary>
# With the same learning rate and epochs there are 32 times fewer updates and less noise.
# Scale the learning rate (linear scaling rule) with a warmup, train for more steps, and check
# whether the batch is past the critical batch size where returns vanish. The
# "large batches find sharp minima" explanation is a hypothesis (Keskar et al., 2017), and
# Hoffer et al. (2017) and Goyal et al. (2017) closed most of such gaps with schedules.
# </details>
#
# **Senior.** L2 regularization and weight decay: same thing?
# <details><summary>Answer</summary>
# For plain SGD, yes: $\lambda\lVert w\rVert^2$ adds $2\lambda w$ and the step is
# $w \leftarrow (1-2\eta\lambda) w - \eta g$. Under Adam no: the L2 term is rescaled per weight
# by the adaptive denominator; decoupled decay (AdamW) shrinks the weights directly.
# </details>
#
# **Principal.** Your recommender has $10^8$ users and $10^7$ items. How would you train the
# factorisation, and what limits it?
# <details><summary>Answer</summary>
# SGD on observed ratings (sparse updates), or alternating least squares, which parallelises
# per user and per item. Factor tables live sharded across machines (parameter servers or
# embedding sharding); the limit is memory and communication for the tables, not compute.
# Sparse updates make lock-free asynchronous SGD workable (Hogwild!, Niu et al., 2011); adaptive
# per-row learning rates (Adagrad) help rare items. Evaluate on held-out ratings in time order.
# </details>
#
# ## 13. Summary and further reading
#
# - Mini-batch SGD: shuffle, slice, one update per batch; full batch and $b = 1$ are the ends.
# - The mini-batch gradient is unbiased; its variance is $\sigma^2/b$, times $(N-b)/(N-1)$
#   without replacement.
# - Batches because of memory, updates per pass and noise; the flat-minima story is a
#   hypothesis with evidence on both sides.
# - With a constant step SGD reaches a noise floor, about $\frac14\frac{\eta}{b}\sigma_*^2$ for least squares
#   with replacement and a small $\eta$.
# - L2 penalty $\lambda\lVert w\rVert^2$ = PyTorch weight decay $2\lambda$ for plain SGD, not for Adam;
#   Keras's `weight_decay` is always decoupled.
#
# **Further reading.** Robbins and Monro, "A stochastic approximation method" (1951). Bottou,
# Curtis and Nocedal, "Optimization methods for large-scale machine learning", *SIAM Review*
# (2018). Keskar et al. (2017), Dinh et al. (2017), Hoffer et al. (2017), Goyal et al. (2017),
# Smith and Le (2018), Shallue et al. (2019), Geiping et al. (2022), HaoChen and Sra, "Random
# shuffling beats SGD after finite epochs" (2019), Mishchenko, Khaled and Richtárik, "Random
# reshuffling: simple analysis with vast improvements" (2020), Ge, Lee and Ma, "Matrix
# completion has no spurious local minimum" (2016), as cited above. Loshchilov
# and Hutter, "Decoupled weight decay regularization" (2019). Koren, Bell and Volinsky, "Matrix
# factorization techniques for recommender systems" (2009). Next: part 2, gradient
# accumulation and data-parallel training.
