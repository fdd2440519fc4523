WRONG = {
    # Compares |v| with 0 by np.isclose (atol 1e-8): a short v is taken for the zero vector.
    "directional_derivative": '''
def directional_derivative(grad, v):
    grad = np.asarray(grad, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    length = np.linalg.norm(v)
    if np.isclose(length, 0.0):
        raise ValueError("the zero vector has no direction")
    return float(grad @ v / length)
''',
    # Steps relative to |x_i|: the docstring's formula uses the step h itself.
    "hessian": '''
def hessian(f, x, h=1e-4):
    x = np.array(x, dtype=np.float64)
    n = x.size
    s = np.diag(h * np.maximum(1.0, np.abs(x)))
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            H[i, j] = H[j, i] = (f(x + s[i] + s[j]) - f(x + s[i] - s[j]) - f(x - s[i] + s[j])
                                 + f(x - s[i] - s[j])) / (4 * s[i, i] * s[j, j])
    return H
''',
}
