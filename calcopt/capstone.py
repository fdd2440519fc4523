"""Day 9 (capstone): the data, the initial weights and the framework twins of the network.

Nothing here trains anything or computes a gradient: the forward and backward pass, Adam,
the schedule, the clipping and the training loop are the learner's, in the notebook.

- ``digits_split(n_train, seed)``: scikit-learn's digits (shipped with the package), pixels
  scaled to [0, 1], split by one seeded permutation, in Day 4's layout (one example per column).
- ``init_params(d, h, k, seed)``: Xavier (Glorot) uniform weights and zero biases for the
  64 -> h -> 10 tanh network, as a dict with Day 4's keys and shapes.
- ``torch_mlp(params)`` / ``keras_mlp(params)``: the same network as a float64
  ``torch.nn.Sequential`` and ``keras.Sequential``, its weights copied from ``params``
  (PyTorch's ``nn.Linear`` stores W as it is; Keras's ``Dense`` stores the kernel W^T).
"""
import numpy as np


def digits_split(n_train, seed=0):
    """(X_train, y_train, X_test, y_test): X float64 of shape (64, n), one example per column,
    pixels / 16; y int64 labels. The split is np.random.default_rng(seed).permutation(1797):
    its first n_train indices for training, the rest held out."""
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(y))
    X, y = X[order].T / 16.0, y[order].astype(np.int64)
    return X[:, :n_train], y[:n_train], X[:, n_train:], y[n_train:]


def init_params(d, h, k, seed=0):
    """Xavier-uniform W1 (h, d) and W2 (k, h), U(-a, a) with a = sqrt(6 / (fan_in + fan_out)),
    zero biases b1 (h,) and b2 (k,); float64, from np.random.default_rng(seed)."""
    rng = np.random.default_rng(seed)
    a1, a2 = np.sqrt(6.0 / (d + h)), np.sqrt(6.0 / (h + k))
    return {"W1": rng.uniform(-a1, a1, size=(h, d)), "b1": np.zeros(h),
            "W2": rng.uniform(-a2, a2, size=(k, h)), "b2": np.zeros(k)}


def torch_mlp(params):
    """Linear(d, h) -> Tanh -> Linear(h, k) in float64, weights copied from ``params``."""
    import torch
    (h, d), k = params["W1"].shape, params["W2"].shape[0]
    model = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.Tanh(), torch.nn.Linear(h, k)).double()
    with torch.no_grad():
        for layer, w, b in ((model[0], "W1", "b1"), (model[2], "W2", "b2")):
            layer.weight.copy_(torch.from_numpy(params[w]))
            layer.bias.copy_(torch.from_numpy(params[b]))
    return model


def keras_mlp(params):
    """Dense(h, tanh) -> Dense(k) in float64, kernels set to W1^T and W2^T."""
    import keras
    (h, d), k = params["W1"].shape, params["W2"].shape[0]
    model = keras.Sequential([keras.Input((d,), dtype="float64"),
                              keras.layers.Dense(h, activation="tanh", dtype="float64"),
                              keras.layers.Dense(k, dtype="float64")])
    model.set_weights([params["W1"].T, params["b1"], params["W2"].T, params["b2"]])
    return model
