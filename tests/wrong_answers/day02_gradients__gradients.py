WRONG = {
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
