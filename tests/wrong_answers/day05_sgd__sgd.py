WRONG = {
    # Returns a list: the batches are right, but the docstring asks for a generator.
    "minibatches": '''
def minibatches(n, batch_size, seed):
    if n < 1 or batch_size < 1:
        raise ValueError("n and batch_size must be at least 1")
    order = np.random.default_rng(seed).permutation(n)
    return [order[s:s + batch_size] for s in range(0, n, batch_size)]
''',
    # Returns the caller's w itself when there are no batches (an alias, not a new array).
    "sgd_epoch": '''
def sgd_epoch(w, X, y, lr, batches):
    w_new = w
    for idx in batches:
        Xb, yb = X[idx], y[idx]
        w_new = (w_new - lr * (2 / len(idx)) * Xb.T @ (Xb @ w_new - yb)).astype(w.dtype)
    return w_new
''',
    # Zeroes the bias entry of the caller's w in place.
    "l2_gradient": '''
def l2_gradient(w, X, y, lam):
    if lam < 0:
        raise ValueError("lam < 0")
    w = np.asarray(w, dtype=np.float64)
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    grad = 2 / len(y) * X.T @ (X @ w - y)
    w[-1] = 0.0
    return grad + 2 * lam * w
''',
    # Bypasses torch.optim.SGD: autograd for the gradient, a hand-written update.
    "torch_sgd_epoch": '''
def torch_sgd_epoch(loss_fn, w, X, y, lr, batches):
    w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    X_t, y_t = torch.tensor(X), torch.tensor(y)
    for idx in batches:
        idx = torch.as_tensor(np.asarray(idx))
        g, = torch.autograd.grad(loss_fn(w_t, X_t[idx], y_t[idx]), w_t)
        with torch.no_grad():
            w_t -= lr * g
    return w_t.detach().numpy().copy()
''',
    # Bypasses TensorFlow's autodiff: five-point finite differences of loss_fn.
    "tf_l2_gradient": '''
def tf_l2_gradient(loss_fn, w, lam):
    w = np.asarray(w, dtype=np.float64)
    f = lambda v: float(loss_fn(tf.constant(v)))
    g, h = np.zeros_like(w), 1e-3
    for j in range(len(w)):
        e = np.zeros_like(w)
        e[j] = h
        g[j] = (-f(w + 2 * e) + 8 * f(w + e) - 8 * f(w - e) + f(w - 2 * e)) / (12 * h)
    return g + 2 * lam * w
''',
}
