WRONG = {
    # |x| in the power rule: right for x > 0 (all the engine's own uses), wrong sign for x < 0.
    "unary_backward": '''
def unary_backward(op, x, out_grad, n=None):
    if op == "pow":
        local = n * abs(x) ** (n - 1)
    elif op == "exp":
        local = math.exp(x)
    elif op == "log":
        local = 1.0 / x
    elif op == "tanh":
        local = 1.0 - math.tanh(x) ** 2
    elif op == "relu":
        local = 1.0 if x > 0 else 0.0
    else:
        raise ValueError(f"unknown op {op!r}")
    return out_grad * local
''',
    # Every path visited, duplicates removed afterwards: a valid order, in exponential time.
    "topological_order": '''
def topological_order(root):
    order = []

    def visit(node):
        for child in node._prev:
            visit(child)
        order.append(node)

    visit(root)
    seen, unique = set(), []
    for node in order:
        if id(node) not in seen:
            seen.add(id(node))
            unique.append(node)
    return unique
''',
    # Complex-step differentiation: accurate to round-off, but one call of f per input, no autograd.
    "torch_vjp": '''
def torch_vjp(f, x, v):
    h = 1e-30
    out = np.empty(x.shape, dtype=np.float64)
    for i in range(x.size):
        z = x.astype(np.complex128)
        z[i] += 1j * h
        out[i] = np.dot(v.astype(np.float64), f(torch.tensor(z)).numpy().imag) / h
    return out.astype(x.dtype)
''',
    "tf_vjp": '''
def tf_vjp(f, x, v):
    h = 1e-30
    out = np.empty(x.shape, dtype=np.float64)
    for i in range(x.size):
        z = x.astype(np.complex128)
        z[i] += 1j * h
        out[i] = np.dot(v.astype(np.float64), f(tf.constant(z)).numpy().imag) / h
    return out.astype(x.dtype)
''',
}
