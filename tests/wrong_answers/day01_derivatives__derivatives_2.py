"""Day 1, a second run: further wrong answers to exercises that already have one in
day01_derivatives__derivatives.py (one wrong answer per exercise and run)."""
WRONG = {
    # Steps x in place: the caller's array is left shifted by h.
    "forward_difference": '''
def forward_difference(f, x, h):
    f_x = f(x)
    x += h
    return (f(x) - f_x) / h
''',
    # Casts without copying a float64 input, then steps it in place and back: changed by rounding.
    "derivative_on_grid": '''
def derivative_on_grid(f, xs, h=1e-5):
    xs = np.asarray(xs, dtype=np.float64)
    xs += h
    f_plus = f(xs)
    xs -= 2 * h
    f_minus = f(xs)
    xs += h
    return (f_plus - f_minus) / (2 * h)
''',
    # Bypasses autograd: a five-point finite difference, accurate to about 1e-12 on smooth functions.
    "torch_derivative": '''
def torch_derivative(f, xs):
    x, h = torch.tensor(np.asarray(xs, dtype=np.float64)), 1e-3
    return ((-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)).numpy()
''',
    # Bypasses the tape: the complex step Im f(x + ih) / h.
    "tf_derivative": '''
def tf_derivative(f, xs):
    x = tf.constant(np.asarray(xs, dtype=np.complex128) + 1e-20j)
    return (tf.math.imag(f(x)) / 1e-20).numpy()
''',
}
