WRONG = {
    # Steps x[i] in place on np.asarray(x): a float64 x is not copied, and x + h - 2h + h is not
    # x in float64, so the caller's x comes back changed by round-off.
    "numerical_gradient": '''
def numerical_gradient(f, x, h=1e-5):
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros(x.size)
    for i in range(x.size):
        x[i] += h
        fp = f(x)
        x[i] -= 2 * h
        fm = f(x)
        x[i] += h
        grad[i] = (fp - fm) / (2 * h)
    return grad
''',
    # Normalises v in place: the slope is right, the caller's float64 v is changed.
    "directional_derivative": '''
def directional_derivative(grad, v):
    grad = np.asarray(grad, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    length = np.linalg.norm(v)
    if length == 0:
        raise ValueError("the zero vector has no direction")
    v /= length
    return float(grad @ v)
''',
    # Every pair (i, j) computed on its own, not mirrored: H[i, j] and H[j, i] subtract the same
    # four values in different orders, and differ by round-off where f changes sign near x.
    "hessian": '''
def hessian(f, x, h=1e-4):
    x = np.array(x, dtype=np.float64)
    s = h * np.eye(x.size)
    H = np.zeros((x.size, x.size))
    for i in range(x.size):
        for j in range(x.size):
            H[i, j] = (f(x + s[i] + s[j]) - f(x + s[i] - s[j]) - f(x - s[i] + s[j])
                       + f(x - s[i] - s[j])) / (4 * h * h)
    return H
''',
    # Bypasses autograd with the complex step: exact to round-off on smooth f, but not autograd.
    "torch_gradient": '''
def torch_gradient(f, x):
    t = torch.tensor(np.asarray(x, dtype=np.float64), dtype=torch.complex128)
    g = np.zeros(t.numel())
    for i in range(t.numel()):
        e = torch.zeros_like(t)
        e[i] = 1e-20j
        g[i] = f(t + e).imag.item() / 1e-20
    return g
''',
    # The steps built in x's own dtype: for an integer x, h is truncated to 0 and the columns are nan.
    "jacobian": '''
def jacobian(F, x, h=1e-5):
    x = np.asarray(x)
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = h
        columns.append((np.asarray(F(x + step), dtype=np.float64)
                        - np.asarray(F(x - step), dtype=np.float64)) / (2 * h))
    return np.column_stack(columns)
''',
    # A plain relative error with no floor (a tiny epsilon only against division by zero).
    "gradient_check": '''
def gradient_check(f, grad_f, x):
    x = np.array(x, dtype=np.float64)
    a, b = np.asarray(grad_f(x.copy()), dtype=np.float64), numerical_gradient(f, x)
    return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b) + 1e-300)))
''',
    # Forms the full Hessian with tape.jacobian, then multiplies: the docstring forbids it.
    "tf_hessian_vector_product": '''
def tf_hessian_vector_product(f, x, v):
    x = tf.constant(np.asarray(x, dtype=np.float64))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            value = f(x)
        grad = inner.gradient(value, x)
    H = outer.jacobian(grad, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return (H @ tf.constant(np.asarray(v, dtype=np.float64))[:, None])[:, 0].numpy()
''',
}
