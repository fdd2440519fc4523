"""Day 9 helpers (calcopt.capstone): the split, the initial weights, the framework twins."""
import numpy as np

from calcopt.capstone import digits_split, init_params, keras_mlp, torch_mlp


def test_digits_split_is_a_seeded_partition_in_column_layout():
    X_train, y_train, X_test, y_test = digits_split(1400, seed=0)
    assert X_train.shape == (64, 1400) and X_test.shape == (64, 397)
    assert y_train.shape == (1400,) and y_test.dtype == np.int64
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0
    again = digits_split(1400, seed=0)
    np.testing.assert_array_equal(again[0], X_train)
    assert not np.array_equal(digits_split(1400, seed=1)[1], y_train)


def test_init_params_xavier_uniform_bounds_and_zero_biases():
    p = init_params(64, 32, 10, seed=3)
    assert p["W1"].shape == (32, 64) and p["W2"].shape == (10, 32)
    assert np.abs(p["W1"]).max() <= np.sqrt(6 / 96) and np.abs(p["W2"]).max() <= np.sqrt(6 / 42)
    assert not p["b1"].any() and not p["b2"].any()


def test_torch_and_keras_twins_compute_the_numpy_network():
    import torch
    p = init_params(5, 4, 3, seed=1)
    p["b1"], p["b2"] = np.arange(4.0) / 10, -np.arange(3.0) / 10
    X = np.random.default_rng(0).normal(size=(5, 6))
    logits = (p["W2"] @ np.tanh(p["W1"] @ X + p["b1"][:, None]) + p["b2"][:, None]).T
    with torch.no_grad():
        np.testing.assert_allclose(torch_mlp(p)(torch.tensor(X.T)).numpy(), logits, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(keras_mlp(p)(X.T)), logits, rtol=1e-12)
