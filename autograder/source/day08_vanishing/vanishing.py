# %% [markdown]
# # Day 8, part 1: Vanishing gradients: depth, activations, initialisation, residuals, batch norm
#
# **Learning goals.** By the end of this notebook you can
# - say why the chain rule makes deep gradients vanish or explode, and bound the product for
#   sigmoid ($\sigma' \le 1/4$);
# - measure the gradient norm of every layer of a 30-layer network at initialisation, with
#   sigmoid, tanh and ReLU, in NumPy, PyTorch and TensorFlow;
# - derive Xavier (Glorot) and He initialisation from the variance of the activations (forward)
#   and of the gradients (backward), and show with a statistical test that they are what
#   `torch.nn.init` and Keras's initialisers draw, fan modes and weight layouts included;
# - measure what residual connections and batch normalisation do to the gradient norms;
# - correct two myths with numbers: "ReLU solves vanishing gradients", "batch norm works by
#   reducing internal covariate shift".
#
# **Prerequisites.** Day 4 (backpropagation through a linear layer, `linear_backward`: one
# example per column, $Y = WX$, $\partial L/\partial X = W^\top\,\partial L/\partial Y$); Day 7
# (clipping); PyTorch autograd and TensorFlow's `tf.GradientTape` (Days 1, 2 and 4); mean and
# variance of a sum of independent variables. **Time to complete.** About
# 2.5 hours, half of it on the exercises. Part 2 (`exploding`) covers recurrences and clipping.
#
# | | good initialisation | residual connections | batch normalisation |
# |---|---|---|---|
# | what | draw $W_l$ with the variance that keeps signals and gradients at one scale across layers | $h_l = h_{l-1} + F(h_{l-1})$ | normalise each unit over the batch, then scale and shift |
# | why | the gradient of layer 1 is a product of $L$ per-layer factors: it shrinks or grows geometrically | the identity adds $I$ to each layer's Jacobian: a path with no product of small factors | activations at unit scale whatever the weights' scale |
# | when | always, before the first step | deep networks (from about 20 layers) | deep convolutional networks, large batches |
# | where | `torch.nn.init`, Keras `kernel_initializer`, before the first `optimizer.step()` | the model's `forward` | a layer between the linear map and the activation |
# | who | Glorot & Bengio (2010); He, Zhang, Ren & Sun (2015) | He, Zhang, Ren & Sun (2016a, b) | Ioffe & Szegedy (2015) |
# | how | $\operatorname{Var} W = 2/(n_{in} + n_{out})$ (tanh), $2/n_{in}$ (ReLU) | $\partial h_l/\partial h_{l-1} = I + \partial F/\partial h_{l-1}$ | $\hat a = (a - \mu_B)/\sqrt{\sigma_B^2 + \epsilon}$ |
#
# The problem was named first: Hochreiter's diploma thesis (1991) analysed why error signals
# vanish or blow up through time in recurrent networks, and Bengio, Simard & Frasconi (1994)
# proved that a recurrent network that stores information robustly must have vanishing
# gradients for long-range dependencies.

# %% nbgrader={"grade_id": "setup", "locked": true}
from calcopt.checks import check_close, check_equal, check_true, check_type, expect, hidden_rng
import math
import numpy as np
import matplotlib.pyplot as plt
import torch
import tensorflow as tf
import keras
from scipy import stats
from calcopt.gradient_flow import make_mlp, state_norms, weight_grad_norms

# %matplotlib inline
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # small networks: one thread is faster than several fighting over the cores

# %% [markdown]
# ## 1. Intuition: a product of many factors
# Backpropagation (Day 4) multiplies: the gradient that reaches layer 1 of an $L$-layer network
# has gone through $L - 1$ layer Jacobians. Multiply 30 numbers of about $0.5$ and you get
# $10^{-9}$; 30 numbers of about $1.5$ give $2 \cdot 10^{5}$. Unless each factor is close to 1,
# depth turns a modest per-layer effect into a vanishing or an exploding gradient.
#
# For the sigmoid the factor is bounded: $\sigma'(a) = \sigma(a)(1 - \sigma(a)) \le 1/4$, with
# equality only at $a = 0$ (the product $p(1-p)$ is largest at $p = 1/2$).

# %%
a = np.linspace(-8, 8, 100001)
sig = 1 / (1 + np.exp(-a))
dsig = sig * (1 - sig)
print(f"max of sigmoid'(a) on [-8, 8]: {dsig.max():.6f} at a = {a[dsig.argmax()]:.4f};  tanh'(0) = 1, relu' in {{0, 1}}")
np.testing.assert_allclose(dsig.max(), 0.25, rtol=1e-12)

# %% [markdown]
# ## 2. Theory
# ### 2.1 The backward recursion and the bound
# Take $h_0 = X$ (shape $(n_0, N)$, one example per column as on Day 4), pre-activations
# $a_l = W_l h_{l-1}$, $h_l = \phi(a_l)$ for $l = 1..L$, and write $\delta_l = \partial L/\partial h_l$.
# Day 4's `linear_backward` and the chain rule give
# $$g_l = \phi'(a_l) \odot \delta_l, \qquad \frac{\partial L}{\partial W_l} = g_l\, h_{l-1}^\top, \qquad \delta_{l-1} = W_l^\top g_l .$$
# So $\delta_{l-1} = W_l^\top D_l \delta_l$ with $D_l = \operatorname{diag}\phi'(a_l)$ (column by column),
# and in operator norm
# $$\lVert \delta_0 \rVert \le \Bigl(\prod_{l=1}^{L} \lVert W_l\rVert_2 \max|\phi'(a_l)|\Bigr) \lVert \delta_L \rVert \;\le\; \Bigl(\tfrac14\Bigr)^{L} \prod_{l} \lVert W_l\rVert_2\, \lVert \delta_L\rVert \quad\text{(sigmoid)} .$$
# Unless the weights have spectral norms above 4, a sigmoid network's gradient shrinks by at
# least a constant factor per layer. The bound, checked on a 30-layer sigmoid network of
# width 64 (each column of the batch separately):

# %%
depth, width, batch = 30, 64, 128
X0 = rng.normal(size=(width, batch))
Ws = [rng.normal(0, 1 / math.sqrt(width), size=(width, width)) for _ in range(depth)]
hs, As = [X0], []
for W in Ws:
    As.append(W @ hs[-1])
    hs.append(1 / (1 + np.exp(-As[-1])))
delta = np.ones((width, batch)) / batch  # dL/dh_L for L = mean over the batch of sum(h_L)
delta_L = delta
for W, A, h in zip(Ws[::-1], As[::-1], hs[-1:0:-1]):
    delta = W.T @ (h * (1 - h) * delta)  # sigma'(a) = h (1 - h)
bound = 0.25**depth * np.prod([np.linalg.norm(W, 2) for W in Ws])
measured = np.linalg.norm(delta, axis=0) / np.linalg.norm(delta_L, axis=0)
print(f"||delta_0|| / ||delta_L||: largest over the batch {measured.max():.3e} <= bound {bound:.3e}")
assert measured.max() <= bound

# %% [markdown]
# The bound holds but is loose, by the printed orders of magnitude: it assumes $\sigma' = 1/4$ at
# every unit, a value reached only at $a = 0$, and a gradient aligned with each $W_l$'s top
# singular vector. What it shows is the direction: with $\lVert W\rVert_2$ of order 1 the product can only shrink.
#
# ### 2.2 Keeping the variance: Xavier and He
# Assume, at initialisation, the weights of layer $l$ i.i.d. with mean 0 and variance $v_l$,
# independent of the activations, and $n_{in}$ = fan-in, $n_{out}$ = fan-out of the layer.
# Then each pre-activation is a sum of $n_{in}$ independent terms:
# $$\operatorname{Var}(a_l) = n_{in}\, v_l\, \mathbb{E}[h_{l-1}^2] .$$
# - **tanh** (odd, $\tanh'(0) = 1$: near 0 it is the identity): $\mathbb{E}[h^2] \approx \operatorname{Var}(a)$, so the
#   forward variance is kept iff $n_{in} v = 1$. Backward, $\delta_{l-1} = W_l^\top g_l$ sums $n_{out}$
#   terms: $\operatorname{Var}(\delta_{l-1}) \approx n_{out} v \operatorname{Var}(\delta_l)$, kept iff $n_{out} v = 1$. Both hold only
#   when $n_{in} = n_{out}$; **Glorot & Bengio (2010)** take the compromise
#   $v = 2/(n_{in} + n_{out})$ ("Xavier").
# - **ReLU**: $a$ symmetric gives $\mathbb{E}[\mathrm{relu}(a)^2] = \tfrac12 \operatorname{Var}(a)$ and $\phi' \in \{0,1\}$ with
#   probability $\tfrac12$ each, so forward needs $n_{in} v / 2 = 1$ and backward $n_{out} v / 2 = 1$.
#   **He et al. (2015)** keep the forward one: $v = 2/n_{in}$ (mode `fan_in`); $v = 2/n_{out}$ is
#   mode `fan_out`. For a square network the two agree.
# - A normal draw has std $\sqrt v$; a uniform one on $[-r, r]$ has variance $r^2/3$, so
#   $r = \sqrt{3v}$: $\sqrt{6/(n_{in}+n_{out})}$ (Xavier uniform), $\sqrt{6/n_{in}}$ (He uniform).
#
# The sigmoid fits neither: $\sigma(0) = 1/2$ (activations not centred) and $\sigma'(0) = 1/4$.
# Measured over 30 square layers of width 128 (He et al.'s reasoning predicts a factor
# $n v/2$ per layer for ReLU: $1$ for He, $1/2$ for $v = 1/n$):

# %%
def variance_profile(std, phi, dphi, depth=30, width=128, batch=256, seed=0):
    """Var of h_l (forward) and of delta_l (backward, delta_L ~ N(0, 1)) for l = 0..depth."""
    r = np.random.default_rng(seed)
    h, Ws, As, fwd = r.normal(size=(width, batch)), [], [], []
    fwd.append(h.var())
    for _ in range(depth):
        Ws.append(r.normal(0, std, size=(width, width)))
        As.append(Ws[-1] @ h)
        h = phi(As[-1])
        fwd.append(h.var())
    delta = r.normal(size=(width, batch))
    bwd = [delta.var()]
    for W, A in zip(Ws[::-1], As[::-1]):
        delta = W.T @ (dphi(A) * delta)
        bwd.append(delta.var())
    return np.array(fwd), np.array(bwd[::-1])

relu, drelu = lambda a: np.maximum(a, 0), lambda a: (a > 0).astype(float)
tanh, dtanh = np.tanh, lambda a: 1 - np.tanh(a) ** 2
n = 128
setups = {"tanh, Xavier 2/(n+n)": (math.sqrt(2 / (n + n)), tanh, dtanh),
          "tanh, He 2/n": (math.sqrt(2 / n), tanh, dtanh),
          "relu, 1/n (LeCun)": (math.sqrt(1 / n), relu, drelu),
          "relu, He 2/n": (math.sqrt(2 / n), relu, drelu)}
fig, (ax_f, ax_b) = plt.subplots(1, 2, figsize=(9, 3.3), sharey=True)
for name, (std, phi, dphi) in setups.items():
    fwd, bwd = variance_profile(std, phi, dphi)
    ax_f.semilogy(fwd, label=name)
    ax_b.semilogy(bwd, label=name)
    print(f"{name:22s} Var h_30 / Var h_1 = {fwd[30] / fwd[1]:.2e}   Var delta_0 / Var delta_30 = {bwd[0] / bwd[30]:.2e}")
    if name.startswith("tanh, Xavier"):
        tanh_q30 = fwd[30]
print(f"2^-29 = {2.0**-29:.2e};  tanh, Xavier: Var h_30 = {tanh_q30:.4f}, against 1/(2 * 30) = {1 / 60:.4f}")
ax_f.set(xlabel="layer l", ylabel="variance", title="forward: Var h_l")
ax_b.set(xlabel="layer l", title="backward: Var dL/dh_l")
ax_b.legend(fontsize="small")
plt.show()

# %% [markdown]
# ReLU with $v = 1/n$ loses about half the variance per layer in both directions: compare its two
# printed ratios with the printed $2^{-29}$. He keeps it within a factor of a few over 30 layers
# (printed), instead of the $2^{29}$ lost per direction by $v = 1/n$; what remains is finite-width
# fluctuation, which accumulates with depth.
#
# tanh with Xavier on square layers ($n v = 1$, no bias) is exactly the *critical*
# initialisation, the "edge of chaos" of Poole et al. (2016) and Schoenholz et al. (2017): a small
# signal is neither amplified nor damped geometrically. The forward variance still decays, but
# only polynomially: $\tanh$ is below the identity away from 0, and
# $q_{l+1} = \mathbb E[\tanh(\sqrt{q_l} z)^2] \approx q_l - 2 q_l^2$ gives $q_l \approx 1/(2l)$ for large $l$
# (the last printed line). tanh with He ($n v = 2$) is past the edge, in the *chaotic* phase:
# tanh saturates, so the forward variance settles at a fixed point instead of growing, while the
# backward variance grows with depth (its printed ratio is above 1): a gradient that explodes
# although the activations look well-behaved.
#
# ## 3. Per-layer gradient norms, in PyTorch and in TensorFlow
# The quantity to watch is $\lVert \partial L/\partial W_l\rVert_F$ for each layer, at initialisation.
# A 30-layer network of width 64, no biases, weights $\mathcal N(0, 1/n_{in})$ (LeCun's
# variance: the same for every activation, so that only the activation changes), probe loss
# $L = \frac1N \sum_n v^\top h_L(x_n)$ with a fixed random $v$. PyTorch and TensorFlow on the same
# weights, float64. The PyTorch side is `calcopt.gradient_flow`:
# `make_mlp(depth, width, activation, init, architecture, seed)` builds the network, with `activation`
# one of `"sigmoid"`, `"tanh"`, `"relu"`, `init` one of `"torch default"` (`nn.Linear`'s own),
# `"N(0, 1/fan_in)"`, `"Xavier normal"`, `"He normal"`, and `architecture` one of `"plain"`,
# `"residual"`, `"residual, branch / sqrt(depth)"`, `"batch norm"` (Section 5);
# `weight_grad_norms(model, X, seed=1)` returns $\lVert\partial L/\partial W_l\rVert_F$ for $l = 1..L$, with $v$ drawn by
# `torch.randn` from `torch.Generator().manual_seed(seed)` (the TensorFlow side below draws the
# same $v$). TensorFlow records the forward pass on a `tf.GradientTape` (Day 1) and
# `tape.gradient` differentiates it; `tape.watch` asks it to track constants, which it does not by
# default. Rows layout: $H_l = \phi(H_{l-1} W_l^\top)$.

# %%
X_rows = rng.normal(size=(128, 64))  # PyTorch and Keras: one example per row
norms = {}
for act in ("sigmoid", "tanh", "relu"):
    model = make_mlp(30, 64, act, "N(0, 1/fan_in)", "plain", seed=0)
    norms[act] = weight_grad_norms(model, X_rows)
    weights = [tf.constant(layer.weight.detach().numpy()) for layer in model.linears]
    v = torch.randn(64, generator=torch.Generator().manual_seed(1), dtype=torch.float64).numpy()
    phi = {"sigmoid": tf.sigmoid, "tanh": tf.tanh, "relu": tf.nn.relu}[act]
    with tf.GradientTape() as tape:
        tape.watch(weights)
        H = tf.constant(X_rows)
        for W in weights:
            H = phi(H @ tf.transpose(W))
        loss = tf.reduce_mean(H @ tf.constant(v[:, None]))
    tf_norms = np.array([tf.norm(g).numpy() for g in tape.gradient(loss, weights)])
    np.testing.assert_allclose(tf_norms, norms[act], rtol=1e-9)
    print(f"{act:8s} ||dL/dW_1|| = {norms[act][0]:.2e}, ||dL/dW_30|| = {norms[act][-1]:.2e}, ratio {norms[act][0] / norms[act][-1]:.1e}  (PyTorch = TensorFlow)")

fig, ax = plt.subplots(figsize=(6, 3.5))
for act, values in norms.items():
    ax.semilogy(np.arange(1, 31), values, "o-", markersize=3, label=act)
ax.set(xlabel="layer l (1 = input side)", ylabel="||dL/dW_l||", title="30 layers, weights N(0, 1/n_in)")
ax.legend()
plt.show()

# %% [markdown]
# Sigmoid: the first layer's gradient is the printed ratio times the last one's, about twenty
# orders of magnitude smaller: it will not learn. tanh is nearly flat here. ReLU at this variance is flat too, but *every* norm is small:
# the forward signal halves in variance per layer, so the output, and with it every gradient,
# has shrunk (a ReLU network without biases is positively homogeneous: scaling each $W_l$ by
# $c$ scales the output by $c^L$). Exercise 1 asks for the same numbers from scratch in NumPy.
#
# ## 4. Initialisers in the frameworks: conventions, and equal in distribution
# **Layouts.** PyTorch's `nn.Linear(n_in, n_out).weight` has shape $(n_{out}, n_{in})$, so
# fan-in is `weight.shape[1]`; a Keras `Dense(n_out)` kernel has shape $(n_{in}, n_{out})$, fan-in is
# `kernel.shape[0]`. **Conventions** (checked below on torch 2.13 and Keras 3):
#
# | | distribution | scale |
# |---|---|---|
# | `torch.nn.init.xavier_normal_(w, gain=1)` | normal | std $= \text{gain}\sqrt{2/(n_{in}+n_{out})}$ |
# | `torch.nn.init.xavier_uniform_(w, gain=1)` | uniform | $r = \text{gain}\sqrt{6/(n_{in}+n_{out})}$ |
# | `torch.nn.init.kaiming_normal_(w)`: defaults `a=0, mode='fan_in', nonlinearity='leaky_relu'` | normal | gain $\sqrt{2/(1+a^2)} = \sqrt2$, std $= \sqrt{2/n_{in}}$ |
# | `torch.nn.init.kaiming_uniform_(w)`, same defaults | uniform | $r = \sqrt{6/n_{in}}$ |
# | `nn.Linear`'s own default: `kaiming_uniform_(w, a=sqrt(5))` | uniform | $r = 1/\sqrt{n_{in}}$: variance $1/(3 n_{in})$, **not** He |
# | `keras.initializers.GlorotUniform()` (Dense's default) | uniform | $r = \sqrt{6/(n_{in}+n_{out})}$ |
# | `keras.initializers.GlorotNormal()` | **truncated** normal at $\pm 2$ std | $\sigma = \sqrt{2/(n_{in}+n_{out})}/0.87962566$ |
# | `keras.initializers.HeNormal()` | **truncated** normal at $\pm 2$ std | $\sigma = \sqrt{2/n_{in}}/0.87962566$ |
# | `keras.initializers.HeUniform()` | uniform | $r = \sqrt{6/n_{in}}$ |
#
# Keras 3 draws `HeNormal` and `GlorotNormal` from a normal with parameter $\sigma$ cut at $\pm 2\sigma$.
# Truncation removes the tails and lowers the variance by the factor $0.87962566^2 \approx 0.774$
# (the variance of a standard normal conditioned on $|z| < 2$), so Keras first inflates $\sigma$ by
# $1/0.8796$: the **variance is exactly $2/n_{in}$**, like PyTorch's `kaiming_normal_`, but the
# **distribution is not normal** (no weight beyond $2.27\sqrt{2/n_{in}}$).
#
# **The tests.** For each initialiser, one layer of $n_{in} = 256$, $n_{out} = 512$ (131072 draws,
# fixed seeds), two tests:
# - the sample variance $s^2$ against the claimed $v$: $s^2$ has standard error
#   $\sqrt{(\mu_4 - v^2)/N}$ ($\mu_4$ the fourth moment of the claimed law: $3v^2$ for a normal,
#   $9v^2/5$ for a uniform), about 0.4% here; accept $|s^2 - v| < 4$ standard errors (a correct
#   initialiser fails this with probability about $6\cdot 10^{-5}$);
# - a Kolmogorov-Smirnov test of the draws against the claimed distribution, accepted when
#   $p > 0.001$. With 131072 draws the KS test detects a difference in the CDFs of about 0.6%:
#   enough to tell a truncated normal from a normal.

# %%
fan_in, fan_out = 256, 512
v_xavier, v_he = 2 / (fan_in + fan_out), 2 / fan_in
c = 0.87962566103423978
normal = lambda var: stats.norm(scale=math.sqrt(var))
uniform = lambda var: stats.uniform(loc=-math.sqrt(3 * var), scale=2 * math.sqrt(3 * var))
truncated = lambda var: stats.truncnorm(-2, 2, scale=math.sqrt(var) / c)


def torch_draw(init_fn, seed=0, **kwargs):
    w = torch.empty(fan_out, fan_in, dtype=torch.float64)  # nn.Linear layout (out, in)
    init_fn(w, generator=torch.Generator().manual_seed(seed), **kwargs)
    return w.numpy().ravel()


def keras_draw(initializer, seed=0):
    return np.asarray(initializer(seed=seed)((fan_in, fan_out), dtype="float64")).ravel()  # Dense kernel (in, out)


def test_law(name, draws, law, var):
    se = math.sqrt((law.moment(4) - var**2) / draws.size)
    z = (draws.var() - var) / se
    p = stats.kstest(draws, law.cdf).pvalue
    verdict = "equal in distribution" if abs(z) < 4 and p > 1e-3 else "DIFFERENT"
    print(f"{name:52s} (s^2 - v)/se = {z:+5.2f}   KS p = {p:.3f}   {verdict}")
    return abs(z) < 4 and p > 1e-3


# a different seed per initialiser, so that two laws with the same variance are not tested on the same z's
assert test_law("torch xavier_normal_ ~ N(0, 2/(n_in+n_out))", torch_draw(torch.nn.init.xavier_normal_, seed=1), normal(v_xavier), v_xavier)
assert test_law("torch xavier_uniform_ ~ U(+-sqrt(6/(n_in+n_out)))", torch_draw(torch.nn.init.xavier_uniform_, seed=2), uniform(v_xavier), v_xavier)
assert test_law("torch kaiming_normal_ (defaults) ~ N(0, 2/n_in)", torch_draw(torch.nn.init.kaiming_normal_, seed=3), normal(v_he), v_he)
assert test_law("torch kaiming_uniform_ (defaults) ~ U(+-sqrt(6/n_in))", torch_draw(torch.nn.init.kaiming_uniform_, seed=4), uniform(v_he), v_he)
assert test_law("keras GlorotUniform ~ U(+-sqrt(6/(n_in+n_out)))", keras_draw(keras.initializers.GlorotUniform, seed=5), uniform(v_xavier), v_xavier)
assert test_law("keras HeUniform ~ U(+-sqrt(6/n_in))", keras_draw(keras.initializers.HeUniform, seed=6), uniform(v_he), v_he)
assert test_law("keras GlorotNormal ~ truncated, variance 2/(n_in+n_out)", keras_draw(keras.initializers.GlorotNormal, seed=7), truncated(v_xavier), v_xavier)
he_keras = keras_draw(keras.initializers.HeNormal, seed=8)
assert test_law("keras HeNormal ~ truncated normal, variance 2/n_in", he_keras, truncated(v_he), v_he)
assert not test_law("keras HeNormal ~ N(0, 2/n_in)?", he_keras, normal(v_he), v_he)
assert not test_law("torch kaiming_normal_(mode='fan_out') ~ N(0, 2/n_in)?", torch_draw(torch.nn.init.kaiming_normal_, seed=9, mode="fan_out"), normal(v_he), v_he)
print(f"largest |weight| / sqrt(2/n_in): Keras HeNormal {np.abs(he_keras).max() / math.sqrt(v_he):.3f}, "
      f"torch kaiming_normal_ {np.abs(torch_draw(torch.nn.init.kaiming_normal_, seed=3)).max() / math.sqrt(v_he):.3f}")
lin = torch.nn.Linear(fan_in, fan_out)
print(f"nn.Linear default: weight shape {tuple(lin.weight.shape)}, n_in * Var(w) = {fan_in * lin.weight.detach().var().item():.4f} (1/3, He would be 2)")
dense = keras.layers.Dense(fan_out)
dense.build((None, fan_in))
print(f"keras Dense kernel shape {tuple(dense.kernel.shape)}: fan-in is the first dimension")

# %% [markdown]
# The variance test alone cannot tell Keras's `HeNormal` from PyTorch's `kaiming_normal_`: both
# have variance $2/n_{in}$ (that is the point of the $1/0.8796$ factor). The KS test can, and it
# rejects "HeNormal is normal" with a p-value that is zero to printed precision. For the
# signal-propagation argument only the variance matters, so the two are interchangeable in
# practice; for a reproduction bit by bit they are not. And `mode='fan_out'` on a non-square
# layer is a different initialiser (variance $2/n_{out}$), which both tests catch.
#
# ## 5. Residual connections and batch normalisation, measured
# Same width 64, 30 layers, $\mathcal N(0, 2/n_{in})$ (He) or $\mathcal N(0, 1/n_{in})$ weights:
# - **plain**: $h_l = \phi(W_l h_{l-1})$;
# - **residual**: $h_l = h_{l-1} + \phi(W_l h_{l-1})$, nothing applied after the sum (the "identity
#   mapping" form of He, Zhang, Ren & Sun 2016b; their first ResNet, 2016a, applied a ReLU after
#   the addition). Its Jacobian is $I + D_l W_l$: the identity adds a path on which the gradient
#   goes back unchanged, whatever the branch does;
# - **residual, branch $/\sqrt{L}$**: the same with the branch scaled by $1/\sqrt{L}$ (the idea behind
#   Fixup, Zhang et al. 2019: scale the branches down at initialisation). How much does this tame
#   the growth? If the branch had mean zero and were uncorrelated with $h$ (a two-layer branch
#   $W_2\,\mathrm{relu}(W_1 h)$ with symmetric $W_2$), $\mathbb E\lVert h_l\rVert^2$ would grow by a factor
#   $1 + c/L$ per layer, bounded over $L$ layers. Our one-matrix branch $\mathrm{relu}(W_l h)$ is never
#   negative, so $h$ drifts to a positive mean and the cross term
#   $2\,\mathbb E[h^\top \mathrm{relu}(W h)]/\sqrt L$ makes the factor $1 + O(1/\sqrt L)$: the product
#   grows like $e^{O(\sqrt L)}$, tamed at depth 30 but not bounded in $L$ (measured below);
# - **batch norm**: $h_l = \phi(\mathrm{BN}(W_l h_{l-1}))$, BN in training mode (batch statistics).

# %%
archs = ("plain", "residual", "residual, branch / sqrt(depth)", "batch norm")
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
for ax, (act, init) in zip(axes, [("sigmoid", "Xavier normal"), ("relu", "He normal")]):
    for arch in archs:
        values = weight_grad_norms(make_mlp(30, 64, act, init, arch, seed=0), X_rows)
        ax.semilogy(np.arange(1, 31), values, "o-", markersize=3, label=arch)
        print(f"{act:7s} {arch:31s} ||dL/dW_1|| / ||dL/dW_30|| = {values[0] / values[-1]:9.2e}   largest {values.max():.2e}")
    ax.set(xlabel="layer l", title=f"{act}, {init}")
axes[0].set_ylabel("||dL/dW_l||")
axes[1].legend(fontsize="small")
plt.show()

# %% [markdown]
# - Sigmoid: with the residual path the weight-gradient ratio goes from the printed plain one
#   (twenty orders of magnitude) to a few percent. The gradient with respect to the *activations* is carried almost
#   unchanged by the identity (the printed $\lVert\partial L/\partial h_1\rVert / \lVert\partial L/\partial h_{30}\rVert$
#   below, close to 1). What remains of the ratio comes from the other factor of
#   $\partial L/\partial W_l = g_l\, h_{l-1}^\top$: the layer's input $h_{l-1}$ grows along the stack,
#   because every sigmoid branch adds a positive mean of about $1/2$ per unit (the printed
#   $\lVert h_0\rVert$ and $\lVert h_{29}\rVert$).
# - ReLU with He: residual connections without any scaling make the forward signal *more* than
#   double in second moment per layer (the two paths are positively correlated: the printed
#   per-layer factor), so the gradients *grow* by orders of magnitude: a residual network needs
#   its branches scaled down (or normalised) at initialisation. Scaled by $1/\sqrt L$ the largest
#   norm drops by several orders of magnitude (printed): tamed at depth 30, but not bounded in
#   depth, as the printed growth at depths 10, 30 and 120 shows. Starting exactly flat needs a
#   branch whose output can be zero without killing its gradient: zero-initialise the *last*
#   layer of a two-layer branch (Fixup, and zero-$\gamma$ batch norm in ResNets). Zeroing our
#   one-matrix branch would not do: with $W_l = 0$ and $\mathrm{relu}'(0) = 0$ every weight gradient is
#   exactly zero and nothing would ever move.
# - Batch norm keeps every layer's activations at unit scale whatever the weights, but in a
#   deep **plain** ReLU network it makes the gradient grow towards the input (the printed ratio,
#   far above 1): Yang et al. (2019) proved this gradient explosion at initialisation for
#   batch-normalised networks without skip connections. In practice batch norm comes together
#   with residual connections.

# %%
state, grad_state = state_norms(make_mlp(30, 64, "sigmoid", "Xavier normal", "residual", seed=0), X_rows)
print(f"sigmoid, residual: ||dL/dh_1|| / ||dL/dh_30|| = {grad_state[1] / grad_state[30]:.2f};  ||h_0|| = {state[0]:.0f}, ||h_29|| = {state[29]:.0f}")
X_t = torch.tensor(X_rows)
h_out = make_mlp(30, 64, "relu", "He normal", "residual", seed=0)(X_t).detach().numpy()
print(f"relu He, residual (unscaled): E[h_30^2] / E[h_0^2] = {np.mean(h_out**2) / np.mean(X_rows**2):.1e}, "
      f"{(np.mean(h_out**2) / np.mean(X_rows**2)) ** (1 / 30):.2f} per layer (2^30 = {2.0**30:.1e})")
for L in (10, 30, 120):
    model = make_mlp(L, 64, "relu", "He normal", "residual, branch / sqrt(depth)", seed=0)
    h_out = model(X_t).detach().numpy()
    print(f"relu He, branch / sqrt(L), L = {L:3d}: E[h_L^2] / E[h_0^2] = {np.mean(h_out**2) / np.mean(X_rows**2):9.2e}, "
          f"largest ||dL/dW_l|| = {weight_grad_norms(model, X_rows).max():.2e}")
#
# **What batch norm certainly does: scale invariance.** $\mathrm{BN}(cWh) = \mathrm{BN}(Wh)$ for
# $c > 0$, so the output does not depend on the weights' scale, and the gradient with respect to
# $W$ scales as $1/c$: large weights take small steps, a built-in control of the effective
# learning rate. (Exactly so but for the $\epsilon = 10^{-5}$ added to the batch variance.)

# %%
outs, grad_norms = [], []
for scale in (1.0, 10.0):
    model = make_mlp(10, 64, "relu", "He normal", "batch norm", seed=0)
    with torch.no_grad():
        for layer in model.linears:
            layer.weight.mul_(scale)
    outs.append(model(X_t).detach().numpy())
    grad_norms.append(weight_grad_norms(model, X_rows))
np.testing.assert_allclose(outs[1], outs[0], atol=1e-3)  # exact but for BN's epsilon 1e-5 in sqrt(var + eps)
print(f"weights x 10: output changed by at most {np.abs(outs[1] - outs[0]).max():.1e}; gradient norms divided by", np.round(grad_norms[0] / grad_norms[1], 3)[:5], "...")

# %% [markdown]
# ## 6. Explore
# Choose the depth, the activation, the initialisation and the architecture. Try: sigmoid at
# depth 10, 30, 60 (the slope on the log plot is the per-layer factor); ReLU with "torch default"
# (look at the largest norm, not only the slope), then "He normal"; tanh with He (too large:
# saturates) against Xavier; ReLU He residual with and without the $1/\sqrt{L}$ branch scale;
# batch norm at depth 60 with any initialisation.

# %%
# %matplotlib widget
from calcopt.widgets.depth import GradientFlowExplorer

GradientFlowExplorer(depth=30, activation="sigmoid", init="Xavier normal", architecture="plain")

# %% [markdown]
# ## 7. Exercises
# ### Exercise 1: per-layer gradient norms from scratch (3 points)
# The network of Section 2.1, for any widths: Day 4's layout (one example per column), no biases.

# %%
# %matplotlib inline

# %% nbgrader={"grade_id": "layer_grad_norms", "solution": true}
def layer_grad_norms(X, Ws, activation, dH):
    """Frobenius norms of dL/dW_l for the network h_0 = X, h_l = phi(W_l h_{l-1}), l = 1..L.

    X: NumPy array (n_0, N), one example per column. Ws: list of L >= 1 NumPy arrays, Ws[l-1]
    of shape (n_l, n_{l-1}). activation: "sigmoid", "tanh" or "relu" (with relu'(0) = 0).
    dH: NumPy array (n_L, N), the gradient dL/dh_L of the loss with respect to the output.
    Inputs may be float32 or float64 (or integers); everything is computed in float64 and
    nothing is modified.
    Returns a float64 NumPy array of shape (L,): entry l-1 is ||dL/dW_l||_F (input side first).
    Raises ValueError for an unknown activation or shapes that do not fit together.
    """
    ### BEGIN SOLUTION
    if activation not in ("sigmoid", "tanh", "relu"):
        raise ValueError(f"unknown activation {activation!r}")
    h = np.asarray(X, dtype=np.float64)
    hs, As = [h], []
    for W in Ws:
        W = np.asarray(W, dtype=np.float64)
        if W.ndim != 2 or h.ndim != 2 or W.shape[1] != h.shape[0]:
            raise ValueError(f"W of shape {W.shape} does not fit h of shape {h.shape}")
        As.append(W @ h)
        h = {"sigmoid": lambda a: 1 / (1 + np.exp(-a)), "tanh": np.tanh,
             "relu": lambda a: np.maximum(a, 0)}[activation](As[-1])
        hs.append(h)
    delta = np.asarray(dH, dtype=np.float64)
    if delta.shape != h.shape:
        raise ValueError(f"dH has shape {delta.shape}, the output {h.shape}")
    norms = np.empty(len(Ws))
    for l in range(len(Ws) - 1, -1, -1):
        a, out = As[l], hs[l + 1]
        dphi = {"sigmoid": out * (1 - out), "tanh": 1 - out**2, "relu": (a > 0).astype(np.float64)}[activation]
        g = dphi * delta
        norms[l] = np.linalg.norm(g @ hs[l].T)
        delta = np.asarray(Ws[l], dtype=np.float64).T @ g
    return norms
    ### END SOLUTION

# %% nbgrader={"grade_id": "layer_grad_norms_tests", "grade": true, "points": 3}
def _torch_norms(X, Ws, activation, dH):
    Wt = [torch.tensor(np.asarray(W, dtype=np.float64), requires_grad=True) for W in Ws]
    h = torch.tensor(np.asarray(X, dtype=np.float64))
    for W in Wt:
        h = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation](W @ h)
    (h * torch.tensor(np.asarray(dH, dtype=np.float64))).sum().backward()
    return np.array([W.grad.norm().item() for W in Wt])

_r = np.random.default_rng(80)
_X = _r.normal(size=(3, 5))
_Ws = [_r.normal(size=(4, 3)), _r.normal(size=(2, 4)), _r.normal(size=(6, 2))]
_dH = _r.normal(size=(6, 5))
for _act in ("sigmoid", "tanh", "relu"):
    _got = layer_grad_norms(_X, _Ws, _act, _dH)
    check_type(f"layer_grad_norms(widths 3-4-2-6, {_act})", _got, np.ndarray)
    check_close(f"layer_grad_norms(widths 3-4-2-6, {_act}) against torch.autograd", _got, _torch_norms(_X, _Ws, _act, _dH), rtol=1e-8, dtype=np.float64)
_X32, _Ws32 = _X.astype(np.float32), [_W.astype(np.float32) for _W in _Ws]
check_close("layer_grad_norms(float32 X and Ws): computed in float64, float64 out", layer_grad_norms(_X32, _Ws32, "tanh", _dH), _torch_norms(_X32, _Ws32, "tanh", _dH), rtol=1e-8, dtype=np.float64)
check_close("layer_grad_norms(a pre-activation exactly 0, relu'(0) = 0)", layer_grad_norms(np.array([[1.0], [1.0]]), [np.array([[1.0, -1.0], [1.0, 1.0]]), np.array([[1.0, 1.0]])], "relu", np.array([[1.0]])), np.array([math.sqrt(2), 2.0]), rtol=1e-12, dtype=np.float64)
check_close("layer_grad_norms must not modify X", _X32, _X.astype(np.float32), rtol=0.0)
check_close("layer_grad_norms(one layer, integer inputs)", layer_grad_norms(np.array([[1, 2]]), [np.array([[3]])], "relu", np.array([[1, 1]])), np.array([3.0]), rtol=1e-12)
try:
    layer_grad_norms(_X, [_Ws[0].T], "relu", _dH)
    _raised = False
except ValueError:
    _raised = True
check_true("layer_grad_norms(W of the wrong shape)", _raised, "expected a ValueError")
try:
    layer_grad_norms(_X, _Ws, "tanh", _dH[:, :1])
    _raised = False
except ValueError:
    _raised = True
check_true("layer_grad_norms(dH of shape (6, 1), NumPy would broadcast it)", _raised, "expected a ValueError")
try:
    layer_grad_norms(_X, _Ws, "gelu", _dH)
    _raised = False
except ValueError:
    _raised = True
check_true("layer_grad_norms(activation='gelu')", _raised, "expected a ValueError")
print("layer_grad_norms: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(801)
for _trial in range(9):
    _act = ("sigmoid", "tanh", "relu")[_trial % 3]
    _widths = [int(w) for w in test_rng.integers(1, 9, size=int(test_rng.integers(2, 9)))]
    _N = int(test_rng.integers(1, 7))
    _X = test_rng.normal(size=(_widths[0], _N))
    _Ws = [test_rng.normal(0, test_rng.uniform(0.3, 2.0), size=(o, i)) for i, o in zip(_widths[:-1], _widths[1:])]
    _dH = test_rng.normal(size=(_widths[-1], _N))
    expect(f"layer_grad_norms(trial {_trial}, {_act}, widths {_widths}, N={_N})", layer_grad_norms(_X, _Ws, _act, _dH), rtol=1e-8, atol=1e-300, dtype=np.float64)
_Ws = [test_rng.normal(0, 1 / np.sqrt(16), size=(16, 16)) for _ in range(25)]
_X, _dH = test_rng.normal(size=(16, 8)), test_rng.normal(size=(16, 8))
for _act in ("sigmoid", "tanh", "relu"):
    expect(f"layer_grad_norms(25 layers, {_act})", layer_grad_norms(_X, _Ws, _act, _dH), rtol=1e-7, atol=1e-300, dtype=np.float64)
expect("layer_grad_norms(zero input, relu)", layer_grad_norms(np.zeros((3, 2)), [np.ones((2, 3)), np.ones((1, 2))], "relu", np.ones((1, 2))), rtol=1e-12, atol=1e-300, dtype=np.float64)
_Xz = test_rng.normal(size=(2, 3))
_Wz = np.array([[1.0, -1.0], [-1.0, 1.0], [0.5, 0.5]])  # units 1 and 2 see x1 - x2 = 0 in column 0
_Xz[1, 0] = _Xz[0, 0]
expect("layer_grad_norms(pre-activations exactly 0, non-zero input, relu)", layer_grad_norms(_Xz, [_Wz, test_rng.normal(size=(2, 3))], "relu", test_rng.normal(size=(2, 3))), rtol=1e-12, atol=1e-300, dtype=np.float64)
expect("layer_grad_norms(zero dH, sigmoid)", layer_grad_norms(_X[:3, :2], [np.ones((2, 3))], "sigmoid", np.zeros((2, 2))), rtol=1e-12, atol=1e-300, dtype=np.float64)
_X32 = test_rng.normal(size=(4, 3)).astype(np.float32)
_W32 = [test_rng.normal(size=(5, 4)).astype(np.float32), test_rng.normal(size=(2, 5)).astype(np.float32)]
expect("layer_grad_norms(float32)", layer_grad_norms(_X32, _W32, "tanh", np.ones((2, 3), dtype=np.float32)), rtol=1e-8, atol=1e-300, dtype=np.float64)
expect("layer_grad_norms must not modify Ws", _W32[1], rtol=0.0, dtype=np.float32)
for _name, _args in [("W does not fit", (_X32, _W32[::-1], "tanh", np.ones((2, 3)))),
                     ("dH does not fit", (_X32, _W32, "tanh", np.ones((3, 2)))),
                     ("unknown activation", (_X32, _W32, "softplus", np.ones((2, 3))))]:
    try:
        layer_grad_norms(*_args)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"layer_grad_norms raises ValueError ({_name})", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2: Xavier and He initialisers (2 points)
# Draw exactly as stated, from the generator you are given (so that two correct answers give
# the same numbers): a normal with `rng.normal(0.0, std, size=(fan_out, fan_in))`, a uniform
# with `rng.uniform(-r, r, size=(fan_out, fan_in))`, one call, nothing else drawn.

# %% nbgrader={"grade_id": "init_weights", "solution": true}
def init_weights(kind, fan_in, fan_out, rng):
    """A weight matrix of shape (fan_out, fan_in) (PyTorch's layout), float64.

    kind: "xavier_normal"  (std = sqrt(2 / (fan_in + fan_out))),
          "xavier_uniform" (r = sqrt(6 / (fan_in + fan_out))),
          "he_normal"      (std = sqrt(2 / fan_in), mode fan_in),
          "he_uniform"     (r = sqrt(6 / fan_in)).
    fan_in, fan_out: positive, each a Python int or a NumPy integer (np.int64...); a float
    (even 3.0) is rejected. rng: a np.random.Generator; exactly one call,
    rng.normal(0.0, std, size=(fan_out, fan_in)) or rng.uniform(-r, r, size=(fan_out, fan_in)).
    Raises ValueError for an unknown kind or a fan that is not a positive integer.
    """
    ### BEGIN SOLUTION
    if not all(isinstance(f, (int, np.integer)) and f > 0 for f in (fan_in, fan_out)):
        raise ValueError(f"fans must be positive ints, got {fan_in!r}, {fan_out!r}")
    variance = {"xavier": 2 / (fan_in + fan_out), "he": 2 / fan_in}.get(kind.split("_")[0])
    if variance is None or kind.split("_", 1)[-1] not in ("normal", "uniform"):
        raise ValueError(f"unknown kind {kind!r}")
    if kind.endswith("normal"):
        return rng.normal(0.0, math.sqrt(variance), size=(fan_out, fan_in))
    r = math.sqrt(3 * variance)
    return rng.uniform(-r, r, size=(fan_out, fan_in))
    ### END SOLUTION

# %% nbgrader={"grade_id": "init_weights_tests", "grade": true, "points": 2}
_r = math.sqrt(6 / 500), math.sqrt(6 / 300)
_laws = {"xavier_normal": stats.norm(scale=math.sqrt(2 / 500)), "xavier_uniform": stats.uniform(loc=-_r[0], scale=2 * _r[0]),
         "he_normal": stats.norm(scale=math.sqrt(2 / 300)), "he_uniform": stats.uniform(loc=-_r[1], scale=2 * _r[1])}
for _i, (_kind, _law) in enumerate(_laws.items()):
    _W = init_weights(_kind, 300, 200, np.random.default_rng(_i))
    check_type(f"init_weights({_kind!r}, 300, 200)", _W, np.ndarray)
    check_equal(f"init_weights({_kind!r}, fan_in=300, fan_out=200).shape", _W.shape, (200, 300))
    check_close(f"init_weights({_kind!r}, 300, 200): variance", _W.var(), _law.var(), rtol=0.03)  # 60000 draws: se < 0.6%
    check_true(f"init_weights({_kind!r}, 300, 200): KS test against the stated law", bool(stats.kstest(_W.ravel(), _law.cdf).pvalue > 1e-3), "the draws do not follow the stated distribution (KS p < 0.001)")
_ref = np.random.default_rng(7).normal(0.0, math.sqrt(2 / 3), size=(2, 3))
check_close("init_weights('he_normal', 3, 2, default_rng(7)): the stated draw", init_weights("he_normal", 3, 2, np.random.default_rng(7)), _ref, rtol=1e-12, dtype=np.float64)
_ref_u = np.random.default_rng(8).uniform(-math.sqrt(6 / 5), math.sqrt(6 / 5), size=(2, 3))
check_close("init_weights('xavier_uniform', 3, 2, default_rng(8)): the stated draw, shape (fan_out, fan_in)", init_weights("xavier_uniform", 3, 2, np.random.default_rng(8)), _ref_u, rtol=1e-12, dtype=np.float64)
check_close("init_weights('he_normal', np.int64(3), np.int64(2), default_rng(7)): NumPy integers", init_weights("he_normal", np.int64(3), np.int64(2), np.random.default_rng(7)), _ref, rtol=1e-12, dtype=np.float64)
try:
    init_weights("he_normal", 3.0, 2, np.random.default_rng(0))
    _raised = False
except ValueError:
    _raised = True
check_true("init_weights('he_normal', 3.0, 2, ...) (a float fan)", _raised, "expected a ValueError")
try:
    init_weights("he_uniform", 0, 2, np.random.default_rng(0))
    _raised = False
except (ValueError, ZeroDivisionError) as _e:
    _raised = isinstance(_e, ValueError)
check_true("init_weights('he_uniform', 0, 2, ...) (fan_in = 0)", _raised, "expected a ValueError")
try:
    init_weights("lecun_normal", 3, 2, np.random.default_rng(0))
    _raised = False
except ValueError:
    _raised = True
check_true("init_weights('lecun_normal', ...)", _raised, "expected a ValueError")
print("init_weights: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(802)
for _trial in range(12):
    _kind = ("xavier_normal", "xavier_uniform", "he_normal", "he_uniform")[_trial % 4]
    _fi, _fo = int(test_rng.integers(1, 40)), int(test_rng.integers(1, 40))
    _seed = int(test_rng.integers(0, 2**31))
    expect(f"init_weights({_kind!r}, {_fi}, {_fo}) (trial {_trial})", init_weights(_kind, _fi, _fo, np.random.default_rng(_seed)), rtol=1e-12, atol=1e-15, dtype=np.float64)
for _kind in ("xavier_normal", "he_uniform"):
    expect(f"init_weights({_kind!r}, 1, 1)", init_weights(_kind, 1, 1, np.random.default_rng(5)), rtol=1e-12, dtype=np.float64)
    expect(f"init_weights({_kind!r}, np.int64(7), 2)", init_weights(_kind, np.int64(7), 2, np.random.default_rng(6)), rtol=1e-12, dtype=np.float64)
_g = np.random.default_rng(9)
init_weights("he_normal", 4, 3, _g)
expect("init_weights draws exactly fan_in * fan_out numbers (the next draw)", _g.random(), rtol=1e-12)
for _name, _args in [("kind", ("he", 3, 2)), ("fan_in = 0", ("he_normal", 0, 2)), ("fan_out = -1", ("xavier_uniform", 3, -1)),
                     ("float fan", ("he_normal", 3.0, 2))]:
    try:
        init_weights(*_args, np.random.default_rng(0))
        _raised = False
    except ValueError:
        _raised = True
    expect(f"init_weights raises ValueError ({_name})", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 3: initialise a PyTorch model with `torch.nn.init` (2 points)
# The fan modes are the point: in PyTorch's layout fan-in is `weight.shape[1]`.

# %% nbgrader={"grade_id": "torch_init_", "solution": true}
def torch_init_(model, scheme, generator):
    """Initialise every torch.nn.Linear of model in place, with torch.nn.init and generator.

    model: a torch.nn.Module. scheme: "xavier" or "he". generator: a torch.Generator.
    For each torch.nn.Linear in the order of model.modules() (nested ones included):
      "xavier": torch.nn.init.xavier_normal_(weight, gain=1.0, generator=generator);
      "he": He normal for ReLU with mode 'fan_in' (std = sqrt(2 / fan_in)), drawn with
            torch.nn.init.kaiming_normal_(weight, mode="fan_in", nonlinearity="relu",
            generator=generator) (the default nonlinearity "leaky_relu" with a = 0 has the
            same gain sqrt(2): same draws);
      and the bias, if there is one, set to zero. Other modules are left as they are.
    (Any code that makes exactly these draws from generator, in this order, is equivalent.)
    Returns model (the same object). Raises ValueError for an unknown scheme.
    """
    ### BEGIN SOLUTION
    if scheme not in ("xavier", "he"):
        raise ValueError(f"unknown scheme {scheme!r}")
    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            if scheme == "xavier":
                torch.nn.init.xavier_normal_(module.weight, gain=1.0, generator=generator)
            else:
                torch.nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu", generator=generator)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
    return model
    ### END SOLUTION

# %% nbgrader={"grade_id": "torch_init__tests", "grade": true, "points": 2}
def _torch_model(seed, sizes, dtype=torch.float32):
    torch.manual_seed(seed)
    layers = []
    for i, o in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(i, o, dtype=dtype), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers)

_m = _torch_model(0, [400, 100, 30])
_out = torch_init_(_m, "he", torch.Generator().manual_seed(3))
check_true("torch_init_ returns the model itself", _out is _m, "expected the same model object back")
_g = torch.Generator().manual_seed(3)
_want = [torch.nn.init.kaiming_normal_(torch.empty(100, 400), nonlinearity="relu", generator=_g).numpy(),
         torch.nn.init.kaiming_normal_(torch.empty(30, 100), nonlinearity="relu", generator=_g).numpy()]
check_close("torch_init_(400-100-30, 'he'): std of layer 1 (sqrt(2/400) = 0.0707)", float(_m[0].weight.detach().std()), math.sqrt(2 / 400), rtol=0.02)
for _i, _j in enumerate((0, 2)):
    check_close(f"torch_init_(400-100-30, 'he'): layer {_i + 1} weight, drawn by torch.nn.init from the generator", _m[_j].weight.detach().numpy(), _want[_i], rtol=1e-6, dtype=np.float32)
    check_close(f"torch_init_(400-100-30, 'he'): layer {_i + 1} bias", _m[_j].bias.detach().numpy(), np.zeros(_want[_i].shape[0]), atol=0.0)
torch_init_(_m, "xavier", torch.Generator().manual_seed(4))
check_close("torch_init_(400-100-30, 'xavier'): std of layer 1 (sqrt(2/500) = 0.0632)", float(_m[0].weight.detach().std()), math.sqrt(2 / 500), rtol=0.02)
_g = torch.Generator().manual_seed(4)
_want = torch.nn.init.xavier_normal_(torch.empty(100, 400), gain=1.0, generator=_g).numpy()
check_close("torch_init_(400-100-30, 'xavier'): layer 1 weight, xavier_normal_ from the generator", _m[0].weight.detach().numpy(), _want, rtol=1e-6, dtype=np.float32)
_m = torch.nn.Sequential(torch.nn.Linear(5, 3), torch.nn.ReLU(), torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU()))
torch_init_(_m, "he", torch.Generator().manual_seed(5))
_g = torch.Generator().manual_seed(5)
_want = [torch.nn.init.kaiming_normal_(torch.empty(3, 5), nonlinearity="relu", generator=_g).numpy(),
         torch.nn.init.kaiming_normal_(torch.empty(2, 3), nonlinearity="relu", generator=_g).numpy()]
check_close("torch_init_(a Linear inside a nested Sequential): inner weight", _m[2][0].weight.detach().numpy(), _want[1], rtol=1e-6, dtype=np.float32)
check_close("torch_init_(a Linear inside a nested Sequential): inner bias", _m[2][0].bias.detach().numpy(), np.zeros(2), atol=0.0)
try:
    torch_init_(_m, "kaiming", torch.Generator())
    _raised = False
except ValueError:
    _raised = True
check_true("torch_init_(model, 'kaiming')", _raised, "expected a ValueError")
print("torch_init_: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(803)
for _trial in range(6):
    _scheme = ("xavier", "he")[_trial % 2]
    _sizes = [int(s) for s in test_rng.integers(1, 30, size=int(test_rng.integers(2, 5)))]
    _dtype = (torch.float32, torch.float64)[_trial % 3 == 0]
    _m = _torch_model(_trial, _sizes, _dtype)
    torch_init_(_m, _scheme, torch.Generator().manual_seed(int(test_rng.integers(0, 2**31))))
    _np_dtype = np.float64 if _dtype is torch.float64 else np.float32  # the model's dtype is kept
    for _j, _layer in enumerate(l for l in _m if isinstance(l, torch.nn.Linear)):
        expect(f"torch_init_(sizes {_sizes}, {_scheme!r}, trial {_trial}): layer {_j + 1} weight", _layer.weight.detach().numpy(), rtol=1e-6, atol=1e-9, dtype=_np_dtype)
        expect(f"torch_init_(sizes {_sizes}, {_scheme!r}, trial {_trial}): layer {_j + 1} bias", _layer.bias.detach().numpy(), atol=0.0, dtype=_np_dtype)
_m = torch.nn.Sequential(torch.nn.Linear(6, 4, bias=False), torch.nn.Tanh(), torch.nn.Sequential(torch.nn.Linear(4, 9), torch.nn.LayerNorm(9)))
torch_init_(_m, "he", torch.Generator().manual_seed(int(test_rng.integers(0, 2**31))))
expect("torch_init_(nested model): first weight", _m[0].weight.detach().numpy(), rtol=1e-6, atol=1e-9)
expect("torch_init_(nested model): inner weight", _m[2][0].weight.detach().numpy(), rtol=1e-6, atol=1e-9)
expect("torch_init_(nested model): LayerNorm left alone", _m[2][1].weight.detach().numpy(), atol=0.0)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 4: the backward pass of a residual block (3 points)
# $Y = X + W_2\, \mathrm{relu}(W_1 X)$, one example per column (Day 4's layout), no biases. The
# identity path adds $\partial L/\partial Y$ to $\partial L/\partial X$.

# %% nbgrader={"grade_id": "residual_block_backward", "solution": true}
def residual_block_backward(X, W1, W2, dY):
    """Gradients of L through Y = X + W2 relu(W1 X), given dY = dL/dY.

    X: (d, N); W1: (m, d); W2: (d, m); dY: (d, N); NumPy arrays of one dtype, float32 or
    float64; none is modified. relu'(0) = 0.
    Returns a tuple (dX, dW1, dW2) of NumPy arrays of shapes (d, N), (m, d), (d, m), in the
    input dtype. Raises ValueError when the shapes do not fit together.
    """
    ### BEGIN SOLUTION
    if X.ndim != 2 or W1.ndim != 2 or W2.ndim != 2 or W1.shape[1] != X.shape[0] or W2.shape != W1.shape[::-1] or dY.shape != X.shape:
        raise ValueError(f"shapes do not fit: X {X.shape}, W1 {W1.shape}, W2 {W2.shape}, dY {dY.shape}")
    A = W1 @ X
    H = np.maximum(A, 0)
    dH = W2.T @ dY
    dA = dH * (A > 0)
    return dY + W1.T @ dA, dA @ X.T, dY @ H.T
    ### END SOLUTION

# %% nbgrader={"grade_id": "residual_block_backward_tests", "grade": true, "points": 3}
def _torch_residual(X, W1, W2, dY):
    t = [torch.tensor(a, requires_grad=True) for a in (X, W1, W2)]
    (t[0] + t[2] @ torch.relu(t[1] @ t[0])).mul(torch.tensor(dY)).sum().backward()
    return [a.grad.numpy() for a in t]

_r = np.random.default_rng(84)
_X, _W1, _W2, _dY = _r.normal(size=(3, 4)), _r.normal(size=(5, 3)), _r.normal(size=(3, 5)), _r.normal(size=(3, 4))
_got = residual_block_backward(_X, _W1, _W2, _dY)
check_type("residual_block_backward(...)", _got, tuple)
check_true("residual_block_backward(...)", len(_got) == 3, "expected a tuple (dX, dW1, dW2)")
for _name, _g, _w in zip(("dX", "dW1", "dW2"), _got, _torch_residual(_X, _W1, _W2, _dY)):
    check_close(f"residual_block_backward(d=3, m=5, N=4): {_name} against torch.autograd", _g, _w, rtol=1e-10, atol=1e-12, dtype=np.float64)
_Z = np.zeros((5, 3))
check_close("residual_block_backward(W1 = 0): dX = dY (the identity path)", residual_block_backward(_X, _Z, _W2, _dY)[0], _dY, rtol=1e-12)
_got0 = residual_block_backward(np.array([[1.0], [1.0]]), np.array([[1.0, -1.0]]), np.array([[1.0], [1.0]]), np.array([[1.0], [2.0]]))
check_close("residual_block_backward(a pre-activation exactly 0, relu'(0) = 0): dX", _got0[0], np.array([[1.0], [2.0]]), rtol=1e-12)
check_close("residual_block_backward(a pre-activation exactly 0, relu'(0) = 0): dW1", _got0[1], np.zeros((1, 2)), atol=0.0)
_got32 = residual_block_backward(*(a.astype(np.float32) for a in (_X, _W1, _W2, _dY)))
check_close("residual_block_backward(float32): dW2", _got32[2], _torch_residual(_X, _W1, _W2, _dY)[2], rtol=1e-5, atol=1e-6, dtype=np.float32)
_dY32 = _dY.astype(np.float32)
residual_block_backward(_X.astype(np.float32), _W1.astype(np.float32), _W2.astype(np.float32), _dY32)
check_close("residual_block_backward must not modify dY", _dY32, _dY.astype(np.float32), rtol=0.0)
try:
    residual_block_backward(_X, _W1, _W2.T, _dY)
    _raised = False
except ValueError:
    _raised = True
check_true("residual_block_backward(W2 of the wrong shape)", _raised, "expected a ValueError")
try:
    residual_block_backward(_X, _W1, _W2, _dY[:, :1])
    _raised = False
except ValueError:
    _raised = True
check_true("residual_block_backward(dY of shape (3, 1), NumPy would broadcast it)", _raised, "expected a ValueError")
print("residual_block_backward: visible checks passed")
### BEGIN HIDDEN TESTS
test_rng = hidden_rng(804)
def _expect_res(name, args, rtol, atol, dtype):
    got = residual_block_backward(*args)
    check_true(name, type(got) is tuple and len(got) == 3, "expected a tuple (dX, dW1, dW2)")
    for part, g in zip(("dX", "dW1", "dW2"), got):
        expect(f"{name}: {part}", g, rtol=rtol, atol=atol, dtype=dtype)

for _trial in range(8):
    _d, _m_, _N = (int(k) for k in test_rng.integers(1, 7, size=3))
    _args = (test_rng.normal(size=(_d, _N)), test_rng.normal(size=(_m_, _d)), test_rng.normal(size=(_d, _m_)), test_rng.normal(size=(_d, _N)))
    _expect_res(f"residual_block_backward(trial {_trial}, d={_d}, m={_m_}, N={_N})", _args, 1e-9, 1e-12, np.float64)
_expect_res("residual_block_backward(X = 0, relu'(0) = 0)", (np.zeros((2, 3)), np.ones((4, 2)), np.ones((2, 4)), np.ones((2, 3))), 1e-12, 0.0, np.float64)
_x0 = test_rng.normal(size=(2, 3))
_x0[1, 1] = _x0[0, 1]
_expect_res("residual_block_backward(pre-activation exactly 0, non-zero input)", (_x0, np.array([[1.0, -1.0], [2.0, 1.0]]), test_rng.normal(size=(2, 2)), test_rng.normal(size=(2, 3))), 1e-12, 1e-15, np.float64)
_expect_res("residual_block_backward(N = 1, large)", (1e6 * test_rng.normal(size=(3, 1)), test_rng.normal(size=(2, 3)), test_rng.normal(size=(3, 2)), test_rng.normal(size=(3, 1))), 1e-9, 1e-9, np.float64)
_a32 = tuple(test_rng.normal(size=s).astype(np.float32) for s in ((4, 3), (2, 4), (4, 2), (4, 3)))
_expect_res("residual_block_backward(float32)", _a32, 1e-4, 1e-5, np.float32)
expect("residual_block_backward must not modify X", _a32[0], rtol=0.0, dtype=np.float32)
for _name, _args in [("W1 does not fit X", (_a32[0], _a32[1].T, _a32[2], _a32[3])), ("dY does not fit", (_a32[0], _a32[1], _a32[2], _a32[3].T))]:
    try:
        residual_block_backward(*_args)
        _raised = False
    except ValueError:
        _raised = True
    expect(f"residual_block_backward raises ValueError ({_name})", _raised)
### END HIDDEN TESTS

# %% [markdown]
# ## 8. Pitfalls and misconceptions
# **"ReLU solves vanishing gradients."** ReLU's derivative is 1 where it is active, so it does
# not *shrink* gradients the way the sigmoid's $1/4$ does. But the variance still changes by
# $n_{in} v/2$ per layer: at PyTorch's `nn.Linear` default ($v = 1/(3 n_{in})$) that is $1/6$.

# %%
for init in ("torch default", "He normal"):
    values = weight_grad_norms(make_mlp(30, 64, "relu", init, "plain", seed=0), X_rows)
    print(f"relu, 30 layers, {init:13s}: largest ||dL/dW_l|| = {values.max():.2e}")

# %% [markdown]
# Every layer's gradient is many orders of magnitude smaller at the default initialisation than
# with He (printed): ReLU keeps gradients alive only together with the right initialisation (or
# normalisation). ReLU units can also die (always negative pre-activation, gradient exactly 0).
#
# **"Batch norm works by reducing internal covariate shift."** That was Ioffe & Szegedy's
# (2015) motivation. Santurkar, Tsipras, Ilyas & Madry (2018) added noise *after* batch norm
# that changes the activations' distribution at every step (more "covariate shift") and
# training was barely slower; they argue that batch norm makes the loss and its gradient
# smoother instead. Others point to the scale invariance of Section 5 (an automatic tuning of
# the effective learning rate), while Yang et al. (2019) show that batch norm *causes* gradient
# explosion at initialisation in deep plain networks (Section 5): whatever it does, it is not
# simply "better gradients". The mechanism is contested; what is measured is that it removes the dependence
# on the weights' scale and usually allows larger learning rates.
#
# **"Xavier is for any activation."** Its derivation assumes an activation that is the
# identity near 0 (tanh). For ReLU it gives half the needed variance per layer when
# $n_{in} = n_{out}$ (Section 2.2: a factor $2^{-29}$ over 30 layers).
#
# **"Same name, same initialiser."** Keras's `HeNormal` is truncated, PyTorch's
# `kaiming_normal_` is not; `nn.Linear`'s default is neither Xavier nor He; and `mode='fan_out'`
# differs from `fan_in` on any non-square layer (Section 4).
#
# ## 9. Interview corner
#
# **Mid.** Why do deep sigmoid networks train slowly in their first layers?
# <details><summary>Answer</summary>
# Backprop multiplies each layer's gradient by $W_l^\top \operatorname{diag}\sigma'(a_l)$ and $\sigma' \le 1/4$: unless
# the weights are large, the gradient shrinks by a constant factor per layer, so the first
# layers' gradients are many orders of magnitude smaller (about twenty over 30 layers: Section 3
# prints the ratio). The sigmoid's non-zero mean makes it worse.
# </details>
#
# **Mid.** What is He initialisation, and what is "fan-in"?
# <details><summary>Answer</summary>
# Weights with mean 0 and variance $2/n_{in}$, $n_{in}$ the number of inputs of a unit (for a
# convolution: in-channels × kernel area). It keeps the variance of ReLU activations constant
# across layers, because ReLU keeps half the second moment. In PyTorch's `(out, in)` weight,
# $n_{in}$ is `shape[1]`; in a Keras kernel `(in, out)` it is `shape[0]`.
# </details>
#
# **Senior.** Derive the Xavier variance. Why is it a compromise?
# <details><summary>Answer</summary>
# For an activation linear near 0, $\operatorname{Var}(a_l) = n_{in} v \operatorname{Var}(h_{l-1})$ forward and
# $\operatorname{Var}(\delta_{l-1}) = n_{out} v \operatorname{Var}(g_l)$ backward. Keeping both needs $v = 1/n_{in}$ and
# $v = 1/n_{out}$, impossible when they differ, so Glorot & Bengio take the harmonic mean
# $2/(n_{in} + n_{out})$.
# </details>
#
# **Senior.** Keras's `HeNormal` and PyTorch's `kaiming_normal_`: the same?
# <details><summary>Answer</summary>
# Same variance $2/n_{in}$, different distributions: Keras 3 draws a normal truncated at two of
# its standard deviations and inflates the parameter by $1/0.8796$ so that the truncated
# variance is right. A variance test cannot tell them apart, a KS test on $10^5$ draws does.
# </details>
#
# **Principal.** A 100-layer plain network trains badly. What do you measure first, and
# what do you change?
# <details><summary>Answer</summary>
# The per-layer gradient norms (and activation scales) at initialisation and in the first
# steps, on log axes. If they decay or grow geometrically: fix the initialisation to the
# activation (He for ReLU), add residual connections with branches scaled down at init
# (zero-init of the last layer of each block, or $1/\sqrt L$), add normalisation (batch or layer
# norm) with the residuals, and use warmup. Then check the norms again before tuning anything
# else.
# </details>
#
# **Principal.** Is batch norm's success explained by internal covariate shift?
# <details><summary>Answer</summary>
# Contested. Santurkar et al. (2018) showed that adding shift after BN hardly hurts and
# argued for a smoother landscape; scale invariance gives an adaptive effective learning rate;
# in deep plain networks BN even causes gradient explosion at init (Yang et al., 2019). Say
# what is measured (scale invariance, larger stable learning rates) and that the "why" is open.
# </details>
#
# ## 10. Summary and further reading
#
# - The gradient of layer 1 is a product of per-layer factors: it vanishes or explodes
#   geometrically unless each factor is near 1. With sigmoid, each factor is at most $\lVert W\rVert/4$.
# - Keep the variance: Xavier $2/(n_{in}+n_{out})$ for tanh, He $2/n_{in}$ for ReLU; uniform
#   versions with $r = \sqrt{3v}$. Know your framework's layout and fan mode, and that Keras's
#   normals are truncated.
# - Residual connections add an identity path ($I$ in every Jacobian); their branches need
#   scaling at initialisation. Batch norm removes the weights' scale; why it helps is debated.
#
# **Further reading.** Glorot & Bengio, "Understanding the difficulty of training deep
# feedforward neural networks" (2010). He, Zhang, Ren & Sun, "Delving deep into rectifiers"
# (2015), "Deep residual learning for image recognition" (2016a) and "Identity mappings in deep
# residual networks" (2016b). Ioffe & Szegedy, "Batch
# normalization" (2015). Santurkar et al., "How does batch normalization help optimization?"
# (2018). Yang et al., "A mean field theory of batch normalization" (2019). Poole et al.,
# "Exponential expressivity in deep neural networks through transient chaos" (2016); Schoenholz
# et al., "Deep information propagation" (2017). Zhang, Dauphin &
# Ma, "Fixup initialization" (2019). Hanin, "Which neural net architectures give rise to
# exploding and vanishing gradients?" (2018). Next: part 2, `exploding`.
