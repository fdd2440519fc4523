"""Day 8: vanishing and exploding gradients: deep networks at initialisation, measured.

- ``ACTIVATIONS``, ``INITS``, ``ARCHITECTURES``: the choices the notebook and the explorer offer.
- ``make_mlp``: a deep, square PyTorch network (float64) with a chosen activation, weight
  initialisation and architecture (plain, residual, or batch-normalised), no biases.
- ``weight_grad_norms``: the Frobenius norm of dL/dW for each of its weight matrices, input
  side first, for the fixed probe loss L = mean over the batch of v^T h_L (v fixed).
- ``state_norms``: for the same loss, ||h_l||_F and ||dL/dh_l||_F for l = 0..L.

The per-layer norms are taught in ``day08_vanishing/vanishing.py``, Section 3.
"""
import math

import numpy as np
import torch

ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
INITS = ("torch default", "N(0, 1/fan_in)", "Xavier normal", "He normal")
ARCHITECTURES = ("plain", "residual", "residual, branch / sqrt(depth)", "batch norm")


def init_weight_(weight, init, generator):
    """Fill a torch (out, in) weight in place with one of ``INITS``."""
    fan_out, fan_in = weight.shape
    with torch.no_grad():
        if init == "torch default":  # what nn.Linear does: kaiming_uniform_(a=sqrt(5))
            bound = 1 / math.sqrt(fan_in)
            return weight.uniform_(-bound, bound, generator=generator)
        std = {"N(0, 1/fan_in)": math.sqrt(1 / fan_in),
               "Xavier normal": math.sqrt(2 / (fan_in + fan_out)),
               "He normal": math.sqrt(2 / fan_in)}.get(init)
        if std is None:
            raise ValueError(f"unknown init {init!r}; choose from {INITS}")
        return weight.normal_(0.0, std, generator=generator)


class DeepNet(torch.nn.Module):
    """h_l = phi(W_l h_{l-1}) (plain), h_{l-1} + phi(W_l h_{l-1}) (residual),
    h_{l-1} + phi(W_l h_{l-1}) / sqrt(depth) (the residual branch scaled down), or
    phi(BN(W_l h_{l-1})) (batch norm, training mode: batch statistics, gamma = 1, beta = 0)."""

    def __init__(self, depth, width, activation, init, architecture, seed):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose from {list(ACTIVATIONS)}")
        if architecture not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {architecture!r}; choose from {ARCHITECTURES}")
        gen = torch.Generator().manual_seed(seed)
        self.linears = torch.nn.ModuleList(
            torch.nn.Linear(width, width, bias=False, dtype=torch.float64) for _ in range(depth))
        for layer in self.linears:
            init_weight_(layer.weight, init, gen)
        self.norms = torch.nn.ModuleList(
            torch.nn.BatchNorm1d(width, dtype=torch.float64) for _ in range(depth)
        ) if architecture == "batch norm" else None
        self.phi = ACTIVATIONS[activation]
        self.residual = architecture.startswith("residual")
        self.branch_scale = 1 / math.sqrt(depth) if "sqrt" in architecture else 1.0

    def forward(self, x, states=None):
        """The output h_L; if ``states`` is a list, h_0, ..., h_L are appended to it."""
        for i, layer in enumerate(self.linears):
            if states is not None:
                states.append(x)
            a = layer(x)
            if self.norms is not None:
                a = self.norms[i](a)
            x = x + self.branch_scale * self.phi(a) if self.residual else self.phi(a)
        if states is not None:
            states.append(x)
        return x


def make_mlp(depth, width=64, activation="relu", init="He normal", architecture="plain", seed=0):
    """A ``DeepNet`` of ``depth`` square layers of ``width`` units, weights drawn from ``seed``."""
    return DeepNet(depth, width, activation, init, architecture, seed)


def _probe(X, seed):
    X = torch.as_tensor(X, dtype=torch.float64)
    return X, torch.randn(X.shape[1], generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def weight_grad_norms(model, X, seed=1):
    """||dL/dW_l||_F for every layer of ``model`` (input side first), a float64 NumPy array,
    for L = mean_n v^T h_L(x_n) with v ~ N(0, I) drawn from ``seed``. X: (N, width) rows."""
    X, v = _probe(X, seed)
    model.zero_grad()
    (model(X) @ v).mean().backward()
    return np.array([layer.weight.grad.norm().item() for layer in model.linears])


def state_norms(model, X, seed=1):
    """(||h_l||_F, ||dL/dh_l||_F) for l = 0..L, two float64 NumPy arrays, for the loss of
    ``weight_grad_norms``. Since dL/dW_l = g_l h_{l-1}^T, the weight gradient of a layer
    mixes the gradient reaching it with the size of its input."""
    X, v = _probe(X, seed)
    states = []
    out = model(X.clone().requires_grad_(True), states)
    for h in states:
        h.retain_grad()
    model.zero_grad()
    (out @ v).mean().backward()
    return (np.array([h.detach().norm().item() for h in states]),
            np.array([h.grad.norm().item() for h in states]))
