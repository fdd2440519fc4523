WRONG = {
    # A step relative to |x_i|: the docstring's component i is (f(x + h e_i) - f(x - h e_i)) / (2h).
    "numerical_gradient": '''
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h * max(1.0, abs(x[i]))
        grad[i] = (f(x + step) - f(x - step)) / (2 * step[i])
    return grad
''',
    # Treats every v whose entries are below 1e-8 as the zero vector: a short v has a direction.
    "directional_derivative": '''
def directional_derivative(grad, v):
    grad = np.asarray(grad, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    if np.allclose(v, 0):
        raise ValueError("the zero vector has no direction")
    return float(grad @ v / np.linalg.norm(v))
''',
    # A step relative to |x_j|: column j is (F(x + h e_j) - F(x - h e_j)) / (2h).
    "jacobian": '''
def jacobian(F, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = h * max(1.0, abs(x[j]))
        columns.append((np.asarray(F(x + step), dtype=np.float64)
                        - np.asarray(F(x - step), dtype=np.float64)) / (2 * step[j]))
    return np.column_stack(columns)
''',
    # The diagonal comes from a helper called without h: it always uses the step 1e-4.
    "hessian": '''
def second_difference(f, x, i, h=1e-4):
    e = np.zeros(x.size)
    e[i] = h
    return (f(x + e) - 2 * f(x) + f(x - e)) / h ** 2


def hessian(f, x, h=1e-4):
    x = np.array(x, dtype=np.float64)
    n = x.size
    s = h * np.eye(n)
    H = np.zeros((n, n))
    for i in range(n):
        H[i, i] = second_difference(f, x, i)
        for j in range(i + 1, n):
            H[i, j] = H[j, i] = (f(x + s[i] + s[j]) - f(x + s[i] - s[j]) - f(x - s[i] + s[j])
                                 + f(x - s[i] - s[j])) / (4 * h * h)
    return H
''',
}
