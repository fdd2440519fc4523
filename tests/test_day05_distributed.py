"""Day 5: the data-parallel demo really runs two gloo processes on 127.0.0.1, and their
all_reduce equals the NumPy simulation (the weighted mean of the shard gradients)."""
import numpy as np
import pytest

from calcopt.sgd import gloo_allreduce_mean, loopback_available, low_rank_ratings, standardized


def test_two_process_gloo_allreduce_equals_the_simulation():
    assert loopback_available(), "this test needs TCP on 127.0.0.1"
    rng = np.random.default_rng(5)
    grads = [rng.normal(size=7), rng.normal(size=7)]
    sizes = [3, 11]  # unequal shards: the mean must be weighted
    results = gloo_allreduce_mean(grads, sizes, timeout_seconds=20)
    assert results is not None and len(results) == 2
    simulated = (sizes[0] * grads[0] + sizes[1] * grads[1]) / sum(sizes)
    for result in results:
        np.testing.assert_allclose(result, simulated, rtol=1e-12, atol=1e-15)
    assert np.max(np.abs(simulated - (grads[0] + grads[1]) / 2)) > 1e-3  # the plain mean differs


def test_without_loopback_it_returns_none_quietly(monkeypatch, capfd):
    import calcopt.sgd as sgd
    monkeypatch.setattr(sgd, "loopback_available", lambda: False)
    assert sgd.gloo_allreduce_mean([np.zeros(2), np.ones(2)], [1, 1]) is None
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_helpers():
    X = standardized(np.arange(12.0).reshape(4, 3) ** 2)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1, rtol=1e-12)
    R, mask, U, V = low_rank_ratings(num_users=10, num_items=8, rank=2, noise=0.0, seed=1)
    np.testing.assert_allclose(R, U @ V.T, rtol=1e-12)
    assert mask.dtype == bool and mask.shape == (10, 8)
