# %% [markdown]
# # Day 7, part 2: Stable training: the range test, clipping, early stopping
#
# **Learning goals.** By the end of this notebook you can
# - run a learning-rate range test on a real model, read loss against rate on log axes, and
#   pick a rate with an exactly stated rule;
# - count what tuning costs: one range test against a grid search, in model evaluations;
# - clip gradients by value, by norm per tensor and by global norm, equal to
#   `torch.nn.utils.clip_grad_value_` / `clip_grad_norm_` and Keras `clipvalue` / `clipnorm` /
#   `global_clipnorm`, and say why Keras's `clipnorm` is not PyTorch's `clip_grad_norm_`;
# - stop early on the metric that matters, and show that the best loss and the best accuracy
#   fall on different epochs.
#
# **Prerequisites.** Part 1 (`schedules`); Day 5 (mini-batch SGD); Day 6 (optimizers).
# **Time to complete.** About 2 hours, half of it on the exercises.
#
# | | range test | gradient clipping |
# |---|---|---|
# | what | one short run with the rate growing exponentially, loss recorded at each step | rescale the gradient before the update when it is too large |
# | why | the usable rates span orders of magnitude and depend on model, data scale and optimizer | one huge gradient (a cliff in the loss) can throw the weights far away in a single step |
# | when | before training a new model or after changing its scale, batch size or optimizer | recurrent networks, transformers, any run with loss spikes |
# | where | a loop around `optimizer.step()` that sets the rate | between `loss.backward()` and `optimizer.step()`; a Keras optimizer argument |
# | who | Smith (2017), "Cyclical learning rates" (a linear sweep over epochs, reading accuracy); the form here (exponential sweep, smoothed loss, stop at 4 times the minimum, a tenth of the minimum) is fastai's (Howard & Gugger 2020) | Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent neural networks" |
# | how | $\eta_k = \eta_{lo} (\eta_{hi}/\eta_{lo})^{k/(n-1)}$; stop if the loss passes 4 times its minimum | $g \leftarrow g \cdot \min(1, c/\lVert g\rVert)$ |

# %% nbgrader={"grade_id": "setup", "locked": true}
from calcopt.checks import check_close, check_equal, check_true, check_type, expect, hidden_rng
import numpy as np
import matplotlib.pyplot as plt
import torch
import tensorflow as tf
import keras
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tqdm.auto import tqdm

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # small models: one thread is faster than several fighting over the cores


def keras_early_stopping(scores, **kwargs):
    """(best epoch, last epoch run) of keras.callbacks.EarlyStopping on a recorded curve."""
    class Model:  # the callback only reads and sets stop_training
        stop_training = False
    callback = keras.callbacks.EarlyStopping(monitor="score", **kwargs)
    callback.set_model(Model())
    callback.on_train_begin()
    for epoch, score in enumerate(scores):
        callback.on_epoch_end(epoch, {"score": float(score)})
        if callback.model.stop_training:
            return callback.best_epoch, epoch
    return callback.best_epoch, len(scores) - 1

# %% [markdown]
# ## 1. Intuition
# A rate that is too small wastes steps; one that is too large diverges; in between, the
# loss falls fastest. Instead of training to the end at each candidate rate, sweep the rate
# *during one short run*: while it is small the loss barely moves, then it falls, then it
# turns back up, and explodes if the sweep goes far enough. The good rates sit on the falling
# part, below the turn.
#
# ## 2. The range test on a real model
# The data: scikit-learn's handwritten digits (1797 images of 8×8 pixels, shipped with the
# package), pixels scaled to $[0, 1]$, 75% for training. The model: a 64-32-10 multilayer
# perceptron with cross-entropy, trained by plain SGD on batches of 64.

# %%
X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)
X_train, X_val = torch.tensor(X_train, dtype=torch.float32), torch.tensor(X_val, dtype=torch.float32)
y_train, y_val = torch.tensor(y_train), torch.tensor(y_val)
loss_fn = torch.nn.CrossEntropyLoss()
print(f"train {tuple(X_train.shape)}, validation {tuple(X_val.shape)}")


def make_model(hidden=32, seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))


def batches(n, batch_size, seed):
    """Index batches of an endless sequence of shuffled epochs (the last partial batch dropped)."""
    gen = torch.Generator().manual_seed(seed)
    while True:
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n - batch_size + 1, batch_size):
            yield perm[i:i + batch_size]

# %% [markdown]
# **The test**, in the form of the fastai library (Howard & Gugger 2020). Smith (2017), who
# introduced it, raised the rate linearly over several epochs and read the accuracy. Here: rates
# $\eta_k = \eta_{lo}\,(\eta_{hi}/\eta_{lo})^{k/(n-1)}$ for $k = 0, \dots, n-1$, one batch each; stop early once the loss passes 4 times its smallest
# value. A mini-batch loss is noisy, so read a **smoothed** loss: the bias-corrected moving
# average $s_k = \beta s_{k-1} + (1-\beta) L_k$, $s_{-1} = 0$, $\hat s_k = s_k / (1 - \beta^{k+1})$
# (the correction of Adam, Day 6). Two rules read a rate off the curve:
# - **steepest descent**: the rate where $\hat s$ falls fastest against $\log \eta$;
# - **a tenth of the minimum**: $\eta^\ast = \eta_{k^\ast}/10$ with $k^\ast = \arg\min_k \hat s_k$
#   (Exercise 1). The minimum is already close to the edge of divergence; a tenth stays clear of it.
#
# fastai smooths with $\beta = 0.98$ (Exercise 1's default): an average over about
# $1/(1-\beta) = 50$ steps, a long memory that lags behind the rate and moves the minimum to
# larger rates. This sweep is short (100 steps), so it uses $\beta = 0.9$,
# about 10 steps, which lags less.

# %%
def range_test(X_data, lr_lo=1e-4, lr_hi=10.0, num_steps=100, batch_size=64):
    """Rates and mini-batch losses of one run with the rate growing geometrically."""
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr_lo)
    lrs = lr_lo * (lr_hi / lr_lo) ** (np.arange(num_steps) / (num_steps - 1))
    losses, stream = [], batches(len(X_data), batch_size, seed=1)
    for lr in lrs:
        for group in optimizer.param_groups:
            group["lr"] = lr
        idx = next(stream)
        loss = loss_fn(model(X_data[idx]), y_train[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if not np.isfinite(losses[-1]) or losses[-1] > 4 * min(losses):
            break
    return lrs[:len(losses)], np.array(losses)


def smoothed(losses, beta):
    s, out = 0.0, []
    for k, loss in enumerate(losses):
        s = beta * s + (1 - beta) * loss
        out.append(s / (1 - beta ** (k + 1)))
    return np.array(out)


lrs, losses = range_test(X_train)
smooth = smoothed(losses, beta=0.9)
k_min = int(np.argmin(smooth))
k_steep = int(np.argmin(np.gradient(smooth, np.log(lrs))))
print(f"{len(losses)} steps; smoothed minimum at lr = {lrs[k_min]:.3g}; steepest fall at lr = {lrs[k_steep]:.3g}")
print(f"largest loss / smallest loss: {losses.max() / losses.min():.2f} "
      f"({'the 4x stop triggered' if losses.max() > 4 * losses.min() else 'the 4x stop did not trigger'})")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.loglog(lrs, losses, ".", color="lightgray", label="mini-batch loss")
ax.loglog(lrs, smooth, color="tab:blue", label="smoothed, β = 0.9")
ax.axvline(lrs[k_min], color="tab:red", linestyle="--", label="minimum of the smoothed loss")
ax.axvline(lrs[k_steep], color="tab:green", linestyle=":", label="steepest descent")
ax.set(xlabel="learning rate", ylabel="training loss")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# ### The cost of tuning: one range test against a grid search
# A grid search trains to the end at each candidate. Count the cost in **model evaluations**
# (a forward and backward pass on one batch; energy is roughly proportional to it): 8 rates
# from $10^{-3}$ to 3, 5 epochs each.

# %%
def train(lr, X_data=X_train, X_eval=X_val, num_epochs=5, batch_size=64):
    """Plain SGD at a constant rate; returns validation accuracy and the number of batches."""
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    stream, num_batches = batches(len(X_data), batch_size, seed=1), num_epochs * (len(X_data) // batch_size)
    for _ in range(num_batches):
        idx = next(stream)
        loss = loss_fn(model(X_data[idx]), y_train[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        accuracy = (model(X_eval).argmax(dim=1) == y_val).float().mean().item()
    return accuracy, num_batches


grid = [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0]
results = {lr: train(lr) for lr in tqdm(grid, desc="grid search")}
grid_cost = sum(cost for _, cost in results.values())
best_lr = max(results, key=lambda lr: results[lr][0])
for lr, (acc, _) in results.items():
    print(f"lr = {lr:6g}: validation accuracy {acc:.3f}")
acc_tenth, cost_run = train(lrs[k_min] / 10)
acc_steep, _ = train(lrs[k_steep])
print(f"grid: {grid_cost} batch evaluations, best lr {best_lr:g} ({results[best_lr][0]:.3f})")
print(f"range test: {len(losses)} evaluations; then one run of {cost_run} evaluations at")
print(f"  a tenth of the minimum, lr {lrs[k_min] / 10:.3g}: validation accuracy {acc_tenth:.3f}")
print(f"  the steepest point,     lr {lrs[k_steep]:.3g}: validation accuracy {acc_steep:.3f} "
      f"({lrs[k_min] / lrs[k_steep]:.1f} times below the minimum)")
print(f"tuning cost: {len(losses)} against {grid_cost - results[best_lr][1]} evaluations beyond the final run, "
      f"{(grid_cost - results[best_lr][1]) / len(losses):.0f} times less")

# %% [markdown]
# The range test costs about as much as one of the grid's runs (the two counts above), and both
# of its rates train to an accuracy close to the grid's best. The tenth of the minimum
# (Exercise 1's rule) stays far from divergence. The steepest point sits close to the minimum
# (the ratio printed above), near the edge: the grid's largest rate is only a few times higher,
# and ends near chance, 1 in 10 for ten classes.
# The range test does not replace all tuning (it reads the *start* of training, with one batch
# size and one optimizer), but it replaces the coarse sweep, and its answer moves with the
# model, as the next section shows.
#
# ## 3. Myth: "the learning rate should be 0.01"
# The stable rates depend on the curvature (Day 3), and the curvature on the scale of the
# inputs. The same network on raw pixels ($0$ to $16$) instead of scaled ones:

# %%
lrs_raw, losses_raw = range_test(X_train * 16)
smooth_raw = smoothed(losses_raw, beta=0.9)
k_raw = int(np.argmin(np.gradient(smooth_raw, np.log(lrs_raw))))
print(f"steepest-descent rate: scaled inputs {lrs[k_steep]:.3g}, raw inputs {lrs_raw[k_raw]:.3g} "
      f"({lrs[k_steep] / lrs_raw[k_raw]:.0f} times smaller)")
for name, X_data, X_eval in [("scaled", X_train, X_val), ("raw", X_train * 16, X_val * 16)]:
    print(f"{name:6s} inputs, lr = 0.01 for 5 epochs: validation accuracy {train(0.01, X_data, X_eval)[0]:.3f}")

# %% [markdown]
# 0.01 happens to be reasonable for the raw pixels and leaves the scaled model near chance
# after 5 epochs: the right rate moved by the factor printed above, with nothing but the scale
# of the data. (Adam divides each step by a running size of the gradient, so its rate is less
# sensitive to the scale of the gradients; its default in both frameworks, $10^{-3}$, is a
# starting point, not a measurement.) Measure; do not copy a number.
#
# ## 4. Myth: "the loss is the metric"
# We report accuracy, but train on cross-entropy. They need not improve together: once most
# examples are classified right, the network can keep growing its confidence on the training
# set, and a few confident mistakes on the validation set raise the validation loss while the
# accuracy holds or still rises. A 64-128-10 network, Adam, 200 training images:

# %%
torch.manual_seed(0)
model = make_model(hidden=128)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
X_small, y_small = X_train[:200], y_train[:200]
val_loss, val_acc = [], []
for epoch in range(35):
    for idx in torch.randperm(200).split(32):
        loss = loss_fn(model(X_small[idx]), y_small[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        out = model(X_val)
        val_loss.append(loss_fn(out, y_val).item())
        val_acc.append((out.argmax(dim=1) == y_val).float().mean().item())
val_loss, val_acc = np.array(val_loss), np.array(val_acc)
e_loss, e_acc = int(np.argmin(val_loss)), int(np.argmax(val_acc))
print(f"best validation loss at epoch {e_loss}: loss {val_loss[e_loss]:.3f}, accuracy {val_acc[e_loss]:.3f}")
print(f"best validation accuracy at epoch {e_acc}: loss {val_loss[e_acc]:.3f}, accuracy {val_acc[e_acc]:.3f}")
print(f"last epoch: loss {val_loss[-1]:.3f} ({val_loss[-1] / val_loss[e_loss] - 1:+.0%}), accuracy {val_acc[-1]:.3f}")
n_val = len(y_val)
print(f"the two best epochs differ by {round(abs(val_acc[e_acc] - val_acc[e_loss]) * n_val)} of {n_val} images; "
      f"standard error of one accuracy near {val_acc[e_acc]:.2f}: "
      f"{np.sqrt(val_acc[e_acc] * (1 - val_acc[e_acc]) / n_val):.3f} (binomial)")
assert abs(val_acc[e_acc] - val_acc[e_loss]) < 2 * np.sqrt(val_acc[e_acc] * (1 - val_acc[e_acc]) / n_val)
assert e_loss != e_acc

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(val_loss, color="tab:red", label="validation loss")
ax.axvline(e_loss, color="tab:red", linestyle="--")
ax2 = ax.twinx()
ax2.plot(val_acc, color="tab:blue", label="validation accuracy")
ax2.axvline(e_acc, color="tab:blue", linestyle=":")
ax.set(xlabel="epoch", ylabel="loss", ylim=(0, 1))
ax2.set(ylabel="accuracy", ylim=(0.8, 1))
fig.legend(fontsize="small", loc="center right")
plt.show()

# %% [markdown]
# **Early stopping** stops after `patience` epochs without improvement and names the best
# epoch; whether you get that epoch's weights depends on the code. Keras's `EarlyStopping`
# restores them only with `restore_best_weights=True`; by default (`False`) the model keeps the
# weights of the last epoch run (in PyTorch you save and reload a checkpoint yourself). It
# must watch the metric you will report, in the right direction (`mode="max"` for accuracy).
# Keras's `EarlyStopping` callback, driven on the recorded curves by `keras_early_stopping` of the
# setup cell (Exercise 3 writes its rule):

# %%
for name, scores, mode in [("loss", val_loss, "min"), ("accuracy", val_acc, "max")]:
    best, stop = keras_early_stopping(scores, patience=10, mode=mode)
    print(f"early stopping on validation {name:8s}: stops after epoch {stop:2d}, keeps epoch {best:2d} "
          f"(accuracy {val_acc[best]:.3f})")

# %% [markdown]
# The two monitors keep different epochs, while the validation loss ends well above its best.
# The accuracies differ by a few images of the 450, well within the noise printed above (both
# epochs are also chosen on this same validation set, which favours each a little). So this run
# does not show that either epoch is better. It shows that a stop on the loss is not a stop on the accuracy:
# the loss calls "overfitting" while the accuracy has barely moved. To compare them honestly,
# use a held-out test split or several seeds.
#
# ## 5. Gradient clipping
# Pascanu et al. (2013) showed that recurrent networks have "cliffs": regions where the
# gradient is enormous, so that one step throws the weights far away. Clipping bounds the
# step without changing the direction much. With gradients $g_1, \dots, g_m$ (one per tensor)
# and threshold $c$:
#
# | rule | formula | PyTorch | Keras optimizer argument |
# |---|---|---|---|
# | by value | each entry clipped to $[-c, c]$ (changes the direction) | `clip_grad_value_(params, c)` | `clipvalue=c` |
# | by norm, per tensor | $g_i \leftarrow g_i \min(1, c/\lVert g_i\rVert)$ | `clip_grad_norm_` called on each tensor alone | `clipnorm=c` |
# | by global norm | $g_i \leftarrow g_i \min(1, c/\lVert g\rVert)$, $\lVert g\rVert^2 = \sum_i \lVert g_i\rVert^2$ | `clip_grad_norm_(params, c)` | `global_clipnorm=c` |
#
# Global-norm clipping scales every tensor by the same factor, so the update keeps its
# direction. PyTorch computes the factor as $\min(1, c/(\lVert g\rVert + 10^{-6}))$; Keras as
# $c/\max(\lVert g\rVert, c)$, without the $10^{-6}$: the two differ by about
# $10^{-6}/\lVert g\rVert$ in relative terms when clipping is active. Keras's **`clipnorm` is per
# variable**: the name suggests `clip_grad_norm_`, the behaviour is the per-tensor row.
#
# Two gradients, norms 5 and 12 (global norm 13), threshold $c = 6.5$:

# %%
grads = [np.array([3.0, 4.0]), np.array([[7.2, 9.6], [0.0, 0.0]])]
c = 6.5
by_value = [np.clip(g, -c, c) for g in grads]
per_tensor = [g * min(1.0, c / np.linalg.norm(g)) for g in grads]
global_norm = np.sqrt(sum(np.sum(g**2) for g in grads))
global_clip = [g * min(1.0, c / global_norm) for g in grads]
flat = np.concatenate([g.ravel() for g in grads])
for name, clipped in [("by value", by_value), ("per tensor", per_tensor), ("global", global_clip)]:
    norms = [np.linalg.norm(g) for g in clipped]
    v = np.concatenate([g.ravel() for g in clipped])
    cosine = v @ flat / (np.linalg.norm(v) * np.linalg.norm(flat))
    print(f"{name:10s} tensor norms {np.round(norms, 4)}, global {np.sqrt(sum(n**2 for n in norms)):.4f}, "
          f"cosine with the gradient {cosine:.4f}; large tensor {np.round(clipped[1][0], 3)}")

# %% [markdown]
# By value cuts each entry to $[-c, c]$: inside the large tensor both entries become 6.5, so even
# that tensor's own direction turns. Per tensor, the small gradient is untouched and the large
# one scaled to norm 6.5: each tensor keeps its direction, the whole update does not. Globally
# both shrink by $6.5/13 = 1/2$ and the direction is kept exactly (cosine 1). The other two
# cosines are below 1, but all three are positive: every rule here still gives a descent
# direction. Now PyTorch: the utilities clip the
# `.grad` fields in place and `clip_grad_norm_` returns the norm *before* clipping.

# %%
def torch_clipped(clip):
    params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    returned = clip(params)
    return [p.grad.numpy() for p in params], returned


t_value, _ = torch_clipped(lambda ps: torch.nn.utils.clip_grad_value_(ps, c))
t_tensor, _ = torch_clipped(lambda ps: [torch.nn.utils.clip_grad_norm_(p, c) for p in ps])
t_global, total = torch_clipped(lambda ps: torch.nn.utils.clip_grad_norm_(ps, c))
for ours, theirs in [(by_value, t_value), (per_tensor, t_tensor), (global_clip, t_global)]:
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(b, a, rtol=1e-6)
np.testing.assert_allclose(t_global[1], grads[1] * c / (13 + 1e-6), rtol=1e-15)  # the 1e-6, exactly
print(f"torch: equal to ours; clip_grad_norm_ returned {float(total):.6f}; scale {t_global[0][0] / 3:.10f} "
      f"against c/13 = {c / 13:.10f}")

# %% [markdown]
# Keras: the clipping is an argument of the optimizer. With SGD at rate 1 and weights at
# zero, the weights after one step are minus the clipped gradients.

# %%
def keras_clipped(**clip):
    variables = [tf.Variable(np.zeros(g.shape), dtype=tf.float64) for g in grads]
    optimizer = keras.optimizers.SGD(learning_rate=1.0, **clip)
    optimizer.apply_gradients(zip([tf.constant(g) for g in grads], variables))
    return [-v.numpy() for v in variables]


k_value, k_clipnorm, k_global = keras_clipped(clipvalue=c), keras_clipped(clipnorm=c), keras_clipped(global_clipnorm=c)
for ours, theirs in [(by_value, k_value), (per_tensor, k_clipnorm), (global_clip, k_global)]:
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(b, a, rtol=1e-6)
print("Keras clipnorm, tensor norms:       ", [round(float(np.linalg.norm(g)), 4) for g in k_clipnorm])
print("Keras global_clipnorm, tensor norms:", [round(float(np.linalg.norm(g)), 4) for g in k_global])

# %% [markdown]
# ## 6. Exercises
#
# ### Exercise 1: pick a rate from a range test (2 points)

# %% nbgrader={"grade_id": "pick_lr_from_range_test", "solution": true}
def pick_lr_from_range_test(lrs, losses, beta=0.98):
    """One tenth of the rate at the minimum of the smoothed range-test loss.

    lrs: 1-D NumPy array of shape (n,), the increasing positive rates of the test.
    losses: 1-D NumPy array of shape (n,), the loss at each of those steps; the test may have
      diverged, so entries may be inf or nan: only the entries before the first non-finite
      one are used (all of them if all are finite).
    beta: float in [0, 1), the smoothing factor.
    Smoothing (bias-corrected moving average), over the usable losses L_0, L_1, ...:
      s_{-1} = 0,  s_k = beta * s_{k-1} + (1 - beta) * L_k,  S_k = s_k / (1 - beta ** (k + 1)).
    With k* the first index of the smallest S_k, returns lrs[k*] / 10 as a float (Python float
    or np.float64). The inputs are not modified.
    Raises ValueError if lrs and losses have different lengths or losses[0] is not finite.
    """
    ### BEGIN SOLUTION
    lrs, losses = np.asarray(lrs, dtype=np.float64), np.asarray(losses, dtype=np.float64)
    if lrs.shape != losses.shape:
        raise ValueError("lrs and losses must have the same length")
    bad = np.flatnonzero(~np.isfinite(losses))
    usable = losses[:bad[0]] if bad.size else losses
    if usable.size == 0:
        raise ValueError("the first loss is not finite")
    s, smooth = 0.0, np.empty(usable.size)
    for k, loss in enumerate(usable):
        s = beta * s + (1 - beta) * loss
        smooth[k] = s / (1 - beta ** (k + 1))
    return float(lrs[int(np.argmin(smooth))] / 10)
    ### END SOLUTION

# %% nbgrader={"grade_id": "pick_lr_from_range_test_tests", "grade": true, "points": 2}
_lrs = np.array([0.001, 0.01, 0.1, 1.0, 10.0])
_pick = pick_lr_from_range_test(_lrs, np.array([2.0, 1.5, 0.5, 0.8, 5.0]), beta=0.0)
check_type("pick_lr_from_range_test(...)", _pick, (float, np.float64))
check_close("pick_lr_from_range_test(no smoothing, minimum at 0.1)", _pick, 0.01, rtol=1e-12)
# with beta = 0.5 the smoothed losses are 2.0, 1.6667, 1.0, 0.8933, 3.0129: the minimum moves to lr = 1
check_close("pick_lr_from_range_test(beta 0.5)", pick_lr_from_range_test(_lrs, np.array([2.0, 1.5, 0.5, 0.8, 5.0]), beta=0.5), 0.1, rtol=1e-12)
check_close("pick_lr_from_range_test(diverged: inf then nan)", pick_lr_from_range_test(_lrs, np.array([2.0, 1.0, 1.2, np.inf, np.nan]), beta=0.0), 1e-3, rtol=1e-12)
check_close("pick_lr_from_range_test(a tie: the first minimum)", pick_lr_from_range_test(_lrs, np.array([2.0, 0.5, 0.5, 3.0, 4.0]), beta=0.0), 1e-3, rtol=1e-12)
_losses = np.array([3.0, 2.0, np.nan, 0.1, 0.1])
_copy = _losses.copy()
check_close("pick_lr_from_range_test(nan, then lower losses: only those before the nan count)",
            pick_lr_from_range_test(_lrs, _losses, beta=0.0), 1e-3, rtol=1e-12)
check_true("pick_lr_from_range_test must not modify losses", np.array_equal(_losses, _copy, equal_nan=True),
           f"losses became {_losses}")
_raised = False
try:
    pick_lr_from_range_test(_lrs, np.array([1.0, 2.0]))
except ValueError:
    _raised = True
check_true("pick_lr_from_range_test(lengths 5 and 2)", _raised, "expected ValueError")
_raised = False
try:
    pick_lr_from_range_test(_lrs, np.array([np.inf, 1.0, 1.0, 1.0, 1.0]))
except ValueError:
    _raised = True
check_true("pick_lr_from_range_test(first loss inf)", _raised, "expected ValueError")
print("pick_lr_from_range_test: visible checks passed", flush=True)
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(711)
for _trial in range(12):  # a U-shaped curve in log lr, with noise, sometimes cut by a divergence
    _n = int(test_rng.integers(20, 150))
    _lrs = 10 ** np.linspace(test_rng.uniform(-6, -3), test_rng.uniform(-1, 1.5), _n)
    _u = np.linspace(0, 1, _n)
    _center = test_rng.uniform(0.4, 0.8)
    _losses = 2.3 - 1.5 * np.exp(-((_u - _center) / 0.2) ** 2) + 8 * np.maximum(_u - _center, 0) ** 2
    _losses = _losses + test_rng.normal(scale=0.15, size=_n)
    if _trial % 3 == 0:
        _losses[int(_n * 0.85):] = np.inf
    if _trial % 3 == 1:
        _losses[int(_n * 0.9):] = np.nan
    _beta = float(test_rng.choice([0.0, 0.5, 0.9, 0.98]))
    expect(f"pick_lr_from_range_test(trial {_trial}, beta {_beta})", pick_lr_from_range_test(_lrs, _losses, beta=_beta), rtol=1e-9)
_lrs = np.array([1e-4, 1e-3, 1e-2, 1e-1])
expect("pick_lr_from_range_test(a single usable loss)", pick_lr_from_range_test(_lrs, np.array([1.0, np.nan, 0.1, 0.1]), beta=0.9), rtol=1e-9)
expect("pick_lr_from_range_test(n = 1)", pick_lr_from_range_test(np.array([0.5]), np.array([2.0])), rtol=1e-9)
expect("pick_lr_from_range_test(a tie: the first)", pick_lr_from_range_test(_lrs, np.array([3.0, 1.0, 2.0, 1.0]), beta=0.0), rtol=1e-9)
expect("pick_lr_from_range_test(monotone falling)", pick_lr_from_range_test(_lrs, np.array([4.0, 3.0, 2.0, 1.0]), beta=0.98), rtol=1e-9)
expect("pick_lr_from_range_test(default beta)", pick_lr_from_range_test(np.geomspace(1e-5, 1, 60), 2 + np.cos(np.linspace(0, 5, 60))), rtol=1e-9)
expect("pick_lr_from_range_test(large losses)", pick_lr_from_range_test(_lrs, np.array([1e200, 1e199, 3e199, 2e200]), beta=0.5), rtol=1e-9)
for _name, _args in [("first loss nan", (_lrs, np.array([np.nan, 1.0, 1.0, 1.0]))), ("first loss inf", (_lrs, np.array([np.inf, 1.0, 1.0, 1.0]))),
                     ("lengths differ", (_lrs, np.ones(3)))]:
    try:
        pick_lr_from_range_test(*_args)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"pick_lr_from_range_test({_name}) raises ValueError", _raised)
_losses = np.array([3.0, 2.0, np.nan, 1.0])
_copy = _losses.copy()
expect("pick_lr_from_range_test(nan then a lower loss)", pick_lr_from_range_test(_lrs, _losses, beta=0.5), rtol=1e-9)
expect("pick_lr_from_range_test must not modify losses", bool(np.array_equal(_losses, _copy, equal_nan=True)))
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2: clipping by global norm (2 points)
# PyTorch's convention (Section 5), in NumPy, on a list of gradients of any shapes.

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

# %% nbgrader={"grade_id": "clip_by_global_norm_tests", "grade": true, "points": 2}
_grads = [np.array([3.0, 4.0]), np.array([[0.0, 12.0], [0.0, 0.0]])]
_result = clip_by_global_norm(_grads, 6.5)
check_type("clip_by_global_norm(...)", _result, tuple)
check_true("clip_by_global_norm(...)", len(_result) == 2 and type(_result[0]) is list, "expected a tuple (list of arrays, float)")
check_close("clip_by_global_norm(norms 5 and 12, 6.5): total_norm", _result[1], 13.0, rtol=1e-12)
_params = [torch.nn.Parameter(torch.zeros(_g.shape, dtype=torch.float64)) for _g in _grads]
for _p, _g in zip(_params, _grads):
    _p.grad = torch.tensor(_g)
torch.nn.utils.clip_grad_norm_(_params, 6.5)
for _i in range(2):
    check_close(f"clip_by_global_norm(norms 5 and 12, 6.5)[0][{_i}] against clip_grad_norm_", _result[0][_i], _params[_i].grad.numpy(), rtol=1e-5, dtype=np.float64)
check_close("clip_by_global_norm must not modify its input", _grads[1], np.array([[0.0, 12.0], [0.0, 0.0]]), rtol=0.0)
_small = clip_by_global_norm([np.array([0.3, -0.4], dtype=np.float32)], 1.0)
check_close("clip_by_global_norm(norm 0.5 < 1): unchanged, float32 kept", _small[0][0], np.array([0.3, -0.4], dtype=np.float32), rtol=1e-7, dtype=np.float32)
_big = clip_by_global_norm([np.array([3.0, 4.0], dtype=np.float32)], 1.0)
check_close("clip_by_global_norm(float32, norm 5 > 1): clipped, float32 kept", _big[0][0], np.array([0.6, 0.8], dtype=np.float32), rtol=1e-6, dtype=np.float32)
print("clip_by_global_norm: visible checks passed", flush=True)
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(712)
def _expect_clip(name, grads, max_norm, rtol, dtype=None):
    result = clip_by_global_norm(grads, max_norm)
    check_type(name, result, tuple)
    check_true(name, len(result) == 2 and type(result[0]) is list and len(result[0]) == len(grads), "expected a tuple (list of arrays, float)")
    expect(f"{name}: total_norm", result[1], rtol=rtol)
    for i, g in enumerate(result[0]):
        expect(f"{name}: clipped[{i}]", g, rtol=rtol, atol=1e-12, dtype=dtype)

for _trial in range(10):
    _m = int(test_rng.integers(1, 5))
    _grads = [test_rng.normal(scale=test_rng.uniform(0.1, 10), size=tuple(test_rng.integers(1, 5, size=int(test_rng.integers(1, 4))))) for _ in range(_m)]
    _total = np.sqrt(sum(np.sum(g**2) for g in _grads))
    _max = float(_total * test_rng.choice([0.1, 0.5, 0.9, 1.5, 3.0]))
    _expect_clip(f"clip_by_global_norm(trial {_trial})", _grads, _max, rtol=1e-5, dtype=np.float64)
_expect_clip("clip_by_global_norm(all zero)", [np.zeros(3), np.zeros((2, 2))], 1.0, rtol=1e-5, dtype=np.float64)
_expect_clip("clip_by_global_norm(one scalar-like array)", [np.array([-7.0])], 2.0, rtol=1e-5, dtype=np.float64)
_expect_clip("clip_by_global_norm(large)", [np.array([3e100, -4e100]), np.array([1e100])], 1.0, rtol=1e-5, dtype=np.float64)
_g32 = [np.array([[1.5, -2.0], [0.5, 4.0]], dtype=np.float32), np.array([3.0, -1.0, 2.0], dtype=np.float32)]
_expect_clip("clip_by_global_norm(float32)", _g32, 2.0, rtol=1e-5, dtype=np.float32)
expect("clip_by_global_norm must not modify its input", _g32[0], rtol=0.0, dtype=np.float32)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3: an early-stopping rule (2 points)
# Keras's `EarlyStopping` rule (without `baseline` or `start_from_epoch`), for a score to
# maximise (accuracy) or minimise (loss). Note the direction of `min_delta` and the strict
# comparison.

# %% nbgrader={"grade_id": "early_stopping", "solution": true}
def early_stopping(scores, patience, min_delta=0.0, mode="max"):
    """The epoch whose weights early stopping keeps, and the last epoch it lets run.

    scores: 1-D sequence (list or NumPy array) of floats, the monitored value after epochs
      0, 1, ..., n - 1; not modified.
    patience: int >= 1. min_delta: float >= 0. mode: "max" (accuracy) or "min" (loss).
    The rule: best = scores[0], best_epoch = 0, wait = 0; then for each epoch e = 1, 2, ...:
      improved = scores[e] - min_delta > best   (mode "max")
                 scores[e] + min_delta < best   (mode "min")
      if improved: best = scores[e]; best_epoch = e; wait = 0
      else: wait = wait + 1, and if wait >= patience, training stops after epoch e.
    Returns a tuple of two ints (best_epoch, stop_epoch): stop_epoch is the epoch after which
    training stops, or n - 1 if it never stops.
    Raises ValueError if mode is not "max" or "min", or scores is empty.
    """
    ### BEGIN SOLUTION
    if mode not in ("max", "min"):
        raise ValueError(f"mode must be 'max' or 'min', got {mode!r}")
    scores = [float(s) for s in scores]
    if not scores:
        raise ValueError("scores is empty")
    best, best_epoch, wait = scores[0], 0, 0
    for epoch in range(1, len(scores)):
        score = scores[epoch]
        improved = score - min_delta > best if mode == "max" else score + min_delta < best
        if improved:
            best, best_epoch, wait = score, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(scores) - 1
    ### END SOLUTION

# %% nbgrader={"grade_id": "early_stopping_tests", "grade": true, "points": 2}
_acc = [0.5, 0.7, 0.7, 0.8, 0.79, 0.78, 0.85, 0.84, 0.83, 0.82]
_result = early_stopping(_acc, patience=2)
check_type("early_stopping(...)", _result, tuple)
check_equal("early_stopping(accuracies, patience 2)", tuple(int(v) for v in _result), (3, 5))
check_equal("early_stopping(accuracies, patience 3)", tuple(int(v) for v in early_stopping(_acc, patience=3)), (6, 9))
check_equal("early_stopping(losses, mode min, patience 2)", tuple(int(v) for v in early_stopping([1.0, 0.8, 0.81, 0.79, 0.9, 0.95], 2, mode="min")), (3, 5))
check_equal("early_stopping(min_delta 0.05)", tuple(int(v) for v in early_stopping([0.5, 0.54, 0.58, 0.6, 0.62], 2, min_delta=0.05)), (2, 4))
check_equal("early_stopping(losses, mode min, min_delta 0.05)", tuple(int(v) for v in early_stopping([1.0, 0.97, 0.9, 0.88, 0.87], 2, 0.05, "min")), (2, 4))
check_equal("early_stopping(a tie is no improvement)", tuple(int(v) for v in early_stopping([0.5, 0.6, 0.6, 0.6], 2)), (1, 3))
check_equal("early_stopping(constant, patience 2)", tuple(int(v) for v in early_stopping([0.5, 0.5, 0.5], 2)), (0, 2))
_val_acc = np.array([0.80, 0.86, 0.90, 0.91, 0.91, 0.93, 0.92, 0.93, 0.925, 0.93, 0.92, 0.93])
_val_loss = np.array([0.70, 0.45, 0.33, 0.30, 0.31, 0.29, 0.30, 0.32, 0.35, 0.36, 0.38, 0.40])
for _name, _scores, _mode in [("an accuracy curve", _val_acc, "max"), ("a loss curve", _val_loss, "min")]:
    check_equal(f"early_stopping({_name}, patience 3) against Keras EarlyStopping", tuple(int(v) for v in early_stopping(_scores, 3, mode=_mode)),
                tuple(int(v) for v in keras_early_stopping(_scores, patience=3, mode=_mode)))
_raised = False
try:
    early_stopping(_acc, 2, mode="maximum")
except ValueError:
    _raised = True
check_true("early_stopping(mode 'maximum')", _raised, "expected ValueError")
print("early_stopping: visible checks passed", flush=True)
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(713)
for _trial in range(15):  # noisy learning curves, accuracy-like (ties) and continuous
    _n = int(test_rng.integers(1, 60))
    _curve = 1 - np.exp(-np.arange(_n) / test_rng.uniform(2, 15)) + test_rng.normal(scale=0.02, size=_n)
    _mode, _pat = ("max", "min")[_trial % 2], int(test_rng.integers(1, 8))
    if _trial % 2:
        _curve = 2.0 - _curve
    if _trial % 3 == 0:  # accuracy on 200 examples: many exact ties, no min_delta
        _result = early_stopping(np.round(_curve * 200) / 200, _pat, 0.0, _mode)
    else:
        _result = early_stopping(list(_curve), _pat, float(test_rng.uniform(0.0, 0.03)), _mode)
    check_type(f"early_stopping(trial {_trial})", _result, tuple)
    expect(f"early_stopping(trial {_trial})", tuple(int(v) for v in _result))
for _name, _args in [("one epoch", ([0.3], 2)), ("constant", ([0.5] * 6, 2)), ("constant, patience 10", ([0.5] * 6, 10)),
                     ("patience 1", ([0.1, 0.2, 0.2, 0.3], 1)), ("negative scores, min", ([-1.0, -2.0, -1.5, -3.0, -2.9, -2.8], 2, 0.0, "min")),
                     ("large min_delta", ([0.1, 0.5, 0.9, 1.3], 2, 0.45)), ("numpy array", (np.array([0.2, 0.4, 0.3, 0.35, 0.5, 0.1]), 2)),
                     ("constant, min", ([0.5] * 6, 2, 0.0, "min")), ("ties, min", ([1.0, 0.8, 0.8, 0.7, 0.8, 0.8], 2, 0.0, "min"))]:
    expect(f"early_stopping({_name})", tuple(int(v) for v in early_stopping(*_args)))
for _name, _args in [("mode 'auto'", ([0.1, 0.2], 2, 0.0, "auto")), ("empty", ([], 2))]:
    try:
        early_stopping(*_args)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"early_stopping({_name}) raises ValueError", _raised)
_scores = np.array([0.4, 0.5, 0.45])
early_stopping(_scores, 1)
expect("early_stopping must not modify scores", _scores, rtol=0.0)
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Pitfalls and misconceptions
#
# **"`clipnorm` in Keras is `clip_grad_norm_`."** It is per variable (Section 5); the global
# version is `global_clipnorm`. Porting a model between frameworks with the wrong one changes
# the update's direction whenever clipping is active.
#
# **Clipping before unscaling, or after the optimizer.** In PyTorch the order is
# `loss.backward()`, then (with mixed precision, `scaler.unscale_(optimizer)`), then
# `clip_grad_norm_`, then `optimizer.step()`. Clipping after the step does nothing; clipping
# scaled gradients clips at the wrong threshold.
#
# **"Clipping fixes divergence."** It bounds the size of a step, not the rate: at a rate above
# $2/L$ clipped descent on a quadratic still does not converge. It stops blowing up and falls
# into an oscillation: on $f(x) = \tfrac{L}{2}x^2$ with the gradient clipped to norm $c$, the iterates
# end up jumping back and forth between two points, a step of length $\eta c$ each time (a
# period-2 orbit). A run that clips at every step needs a smaller rate.

# %%
L_curv, eta, c_clip, x = 1.0, 2.5, 1.0, 3.0  # eta > 2 / L
iterates = [x]
for step in range(40):
    g = L_curv * x
    x -= eta * g * min(1.0, c_clip / abs(g))  # clip the gradient to norm c_clip
    iterates.append(x)
print(f"eta = {eta} > 2/L = {2 / L_curv}, c = {c_clip}: last iterates {np.round(iterates[-4:], 4)}, "
      f"steps {np.round(np.diff(iterates[-4:]), 4)} (eta * c = {eta * c_clip})")

# %% [markdown]
#
# **Reading the range test's minimum as the answer.** At the minimum the loss is about to turn
# up: a constant rate there sits at the edge of divergence (in Section 2, a rate a little above
# it ended at chance). Take a tenth of it, or the steepest point, and redo the test when the
# batch size, the optimizer or the data's scale change.
#
# **Early stopping on the training loss, or on the validation loss when you report accuracy.**
# Section 4: the two keep different epochs. Monitor what you report, with `mode="max"` for a
# metric that should rise. Keras's default `mode="auto"` infers the direction for a loss and for
# the model's compiled metrics it recognises; for a name it cannot place, Keras 3 raises a
# `ValueError` instead of guessing:

# %%
try:
    keras_early_stopping(val_acc, patience=10, mode="auto")
except ValueError as error:
    print("ValueError:", str(error)[:120], "...")

# %% [markdown]
# **"Early stopping gives me the best weights."** Keras's `EarlyStopping` only *names* the best
# epoch unless `restore_best_weights=True`; by default the model keeps the last epoch's
# weights, `patience` epochs past the best. In PyTorch, save a checkpoint at each improvement
# and load it at the end.
#
# ## 8. Interview corner
#
# **Mid.** What is the difference between `clipnorm` and `global_clipnorm` in Keras?
# <details><summary>Answer</summary>
# `clipnorm=c` rescales each variable's gradient separately to norm at most $c$; the update's
# direction changes when some tensors are clipped and others are not. `global_clipnorm=c`
# rescales all gradients by one factor so their joint norm is at most $c$, keeping the
# direction; it matches PyTorch's `clip_grad_norm_(model.parameters(), c)` (up to its
# $10^{-6}$ in the denominator).
# </details>
#
# **Mid.** Validation loss rises while validation accuracy still improves. Which do you stop on?
# <details><summary>Answer</summary>
# On the metric you will report (accuracy here), with `mode="max"`. Rising loss with steady
# accuracy usually means growing over-confidence on a few examples; if calibrated
# probabilities matter, stop on the loss or recalibrate afterwards (temperature scaling).
# </details>
#
# **Senior.** Describe the learning-rate range test and its failure modes.
# <details><summary>Answer</summary>
# One run with the rate growing geometrically from tiny to huge, one batch per rate; plot the
# smoothed loss against the rate on log axes and pick a rate on the falling part (a tenth of
# the minimum, or the steepest point). Failure modes: too few steps (the loss lags the rate,
# so the pick is too high), too much smoothing (the same lag), a different batch size or
# optimizer at training time, and models whose best rate late in training differs from the
# rate that is stable at the start (that is what schedules are for).
# </details>
#
# **Senior.** Why clip by the global norm rather than by value?
# <details><summary>Answer</summary>
# Clipping by value changes the direction of the update (large coordinates are cut, small
# ones kept) and its threshold depends on the parameterisation. Both give a descent direction:
# by value, $g^\top \mathrm{clip}(g) = \sum_i g_i\,\mathrm{clip}(g_i) > 0$ for $g \ne 0$. The global norm
# rescales the whole update, so it keeps the gradient's direction *exactly*, with one
# interpretable knob: the largest step length allowed, $\eta c$.
# </details>
#
# **Principal.** Your team runs a 50-point grid over rate and weight decay for every new
# model. How do you cut the compute, and what do you tell management about the risk?
# <details><summary>Answer</summary>
# Replace the coarse rate sweep by a range test (hundreds of batch evaluations instead of tens
# of full runs: Section 2 counted it), keep a small local search around its pick with early
# stopping on the reported metric, and reuse settings across model sizes where a principled
# transfer exists (for example muP-style parameterisations). Energy and cost drop roughly with
# the number of full runs. The risk is a few tenths of a point of accuracy from a less exhaustive
# search; measure it once on a past model by running both, and report the trade-off in numbers.
# </details>
#
# ## 9. Summary and further reading
#
# - The range test: one short run, loss against rate on log axes, a rule stated exactly; it
#   costs a fraction of a grid search.
# - There is no universal learning rate: it moves with the data's scale, the model and the
#   optimizer.
# - Clip by value, by norm per tensor, or by global norm; PyTorch's `clip_grad_norm_` and
#   Keras's `global_clipnorm` are global, Keras's `clipnorm` is per variable.
# - The loss is not the metric: early-stop on what you report, in the right direction.
#
# **Further reading.** Smith, "Cyclical learning rates for training neural networks" (WACV
# 2017). Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent neural networks"
# (ICML 2013). Howard & Gugger, "Fastai: a layered API for deep learning" (Information, 2020)
# for the range test's usual form. Prechelt, "Early stopping, but when?" (1998). Strubell, Ganesh & McCallum,
# "Energy and policy considerations for deep learning in NLP" (ACL 2019). Next: Day 8,
# vanishing and exploding gradients.
