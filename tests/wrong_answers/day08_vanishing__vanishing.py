WRONG = {
    # relu'(0) = 1 ((a >= 0)): differs only where a pre-activation is exactly 0 and the input is not.
    "layer_grad_norms": '''
def layer_grad_norms(X, Ws, activation, dH):
    if activation not in ("sigmoid", "tanh", "relu"):
        raise ValueError("bad activation")
    h = np.asarray(X, dtype=np.float64)
    hs, As = [h], []
    for W in Ws:
        W = np.asarray(W, dtype=np.float64)
        if W.ndim != 2 or W.shape[1] != h.shape[0]:
            raise ValueError("shape")
        As.append(W @ h)
        h = {"sigmoid": lambda a: 1 / (1 + np.exp(-a)), "tanh": np.tanh, "relu": lambda a: np.maximum(a, 0)}[activation](As[-1])
        hs.append(h)
    delta = np.asarray(dH, dtype=np.float64)
    if delta.shape != h.shape:
        raise ValueError("dH")
    norms = np.empty(len(Ws))
    for l in range(len(Ws) - 1, -1, -1):
        a, out = As[l], hs[l + 1]
        dphi = {"sigmoid": out * (1 - out), "tanh": 1 - out**2, "relu": (a >= 0).astype(np.float64)}[activation]
        g = dphi * delta
        norms[l] = np.linalg.norm(g @ hs[l].T)
        delta = np.asarray(Ws[l], dtype=np.float64).T @ g
    return norms
''',
    # isinstance(f, int) only: rejects the NumPy integer (np.int64) the docstring allows.
    "init_weights": '''
def init_weights(kind, fan_in, fan_out, rng):
    if not all(isinstance(f, int) and f > 0 for f in (fan_in, fan_out)):
        raise ValueError("fans")
    table = {"xavier_normal": ("n", 2 / (fan_in + fan_out)), "xavier_uniform": ("u", 2 / (fan_in + fan_out)),
             "he_normal": ("n", 2 / fan_in), "he_uniform": ("u", 2 / fan_in)}
    if kind not in table:
        raise ValueError(kind)
    law, var = table[kind]
    if law == "n":
        return rng.normal(0.0, math.sqrt(var), size=(fan_out, fan_in))
    r = math.sqrt(3 * var)
    return rng.uniform(-r, r, size=(fan_out, fan_in))
''',
    # model.children(): misses a Linear inside a nested Sequential.
    "torch_init_": '''
def torch_init_(model, scheme, generator):
    if scheme not in ("xavier", "he"):
        raise ValueError(scheme)
    for module in model.children():
        if isinstance(module, torch.nn.Linear):
            if scheme == "xavier":
                torch.nn.init.xavier_normal_(module.weight, gain=1.0, generator=generator)
            else:
                torch.nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu", generator=generator)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
    return model
''',
    # Forgets the identity path: dX lacks the "+ dY".
    "residual_block_backward": '''
def residual_block_backward(X, W1, W2, dY):
    if X.ndim != 2 or W1.ndim != 2 or W2.ndim != 2 or W1.shape[1] != X.shape[0] or W2.shape != W1.shape[::-1] or dY.shape != X.shape:
        raise ValueError("shapes")
    A = W1 @ X
    H = np.maximum(A, 0)
    dH = W2.T @ dY
    dA = dH * (A > 0)
    return W1.T @ dA, dA @ X.T, dY @ H.T
''',
}
