WRONG = {
    # The difference quotient the wrong way round: a sign error.
    "forward_difference": '''
def forward_difference(f, x, h):
    return (f(x) - f(x + h)) / h
''',
    # Steps x in place and back: the caller's array is changed by rounding (x + h - 2h + h != x).
    "central_difference": '''
def central_difference(f, x, h):
    x += h
    f_plus = f(x)
    x -= 2 * h
    f_minus = f(x)
    x += h
    return (f_plus - f_minus) / (2 * h)
''',
    # Ignores h: a fixed step passes a check that only uses h = 1e-5.
    "derivative_on_grid": '''
def derivative_on_grid(f, xs, h=1e-5):
    xs = np.asarray(xs, dtype=np.float64)
    return (f(xs + 1e-5) - f(xs - 1e-5)) / 2e-5
''',
    # Sorts the steps but not the errors with them: right only when hs comes sorted.
    "error_order": '''
def error_order(hs, errors):
    u = np.log(np.sort(np.asarray(hs, dtype=np.float64)))
    v = np.log(np.asarray(errors, dtype=np.float64))
    return float(np.polyfit(u, v, 1)[0])
''',
    # Keeps the input's dtype: a float32 grid is differentiated in float32.
    "torch_derivative": '''
def torch_derivative(f, xs):
    x = torch.tensor(xs, requires_grad=True)
    f(x).sum().backward()
    return x.grad.numpy()
''',
    # Bypasses the tape: a five-point finite difference, accurate to about 1e-12 on smooth functions.
    "tf_derivative": '''
def tf_derivative(f, xs):
    x, h = tf.constant(np.asarray(xs, dtype=np.float64)), 1e-3
    return ((-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)).numpy()
''',
}
