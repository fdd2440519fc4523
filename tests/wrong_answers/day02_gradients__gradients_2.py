WRONG = {
    # Ignores h: the step is always 1e-5.
    "numerical_gradient": '''
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    g = np.zeros(x.size)
    for i in range(x.size):
        s = np.zeros(x.size)
        s[i] = 1e-5
        g[i] = (f(x + s) - f(x - s)) / 2e-5
    return g
''',
    # Computes in the caller's dtype: float32 in, float32 arithmetic.
    "directional_derivative": '''
def directional_derivative(grad, v):
    grad, v = np.asarray(grad), np.asarray(v)
    length = np.linalg.norm(v)
    if length == 0:
        raise ValueError("zero vector")
    return float(grad @ v / length)
''',
    # Evaluates grad_f at the caller's point: float32 in, a float32 gradient and its round-off.
    "gradient_check": '''
def gradient_check(f, grad_f, x):
    return rel_error(grad_f(x), numerical_gradient(f, x))
''',
    # Ignores h: the step is always 1e-5.
    "jacobian": '''
def jacobian(F, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    cols = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = 1e-5
        cols.append((np.asarray(F(x + step), dtype=np.float64)
                     - np.asarray(F(x - step), dtype=np.float64)) / 2e-5)
    return np.column_stack(cols)
''',
    # Ignores h: the step is always 1e-4.
    "hessian": '''
def hessian(f, x, h=1e-4):
    x = np.array(x, dtype=np.float64)
    s = 1e-4 * np.eye(x.size)
    H = np.zeros((x.size, x.size))
    for i in range(x.size):
        for j in range(i, x.size):
            H[i, j] = H[j, i] = (f(x + s[i] + s[j]) - f(x + s[i] - s[j]) - f(x - s[i] + s[j])
                                 + f(x - s[i] - s[j])) / 4e-8
    return H
''',
    # Central differences on torch tensors: no autograd.
    "torch_gradient": '''
def torch_gradient(f, x):
    t = torch.tensor(np.asarray(x, dtype=np.float64))
    g = torch.zeros_like(t)
    for i in range(t.numel()):
        e = torch.zeros_like(t)
        e[i] = 1e-5
        g[i] = (f(t + e) - f(t - e)) / 2e-5
    return g.numpy()
''',
    # The dot product with v taken after the outer tape's with block: not recorded, so the
    # outer gradient is unconnected, and ZERO turns it into all zeros.
    "tf_hessian_vector_product": '''
def tf_hessian_vector_product(f, x, v):
    x = tf.constant(np.asarray(x, dtype=np.float64))
    v = tf.constant(np.asarray(v, dtype=np.float64))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            value = f(x)
        g = inner.gradient(value, x)
    gv = tf.reduce_sum(g * v)
    return outer.gradient(gv, x, unconnected_gradients=tf.UnconnectedGradients.ZERO).numpy()
''',
}
