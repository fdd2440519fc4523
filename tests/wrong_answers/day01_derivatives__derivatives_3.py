"""Day 1, a third run: a third wrong answer to torch_derivative, and further wrong answers to
forward_difference, central_difference and derivative_on_grid (a step other than the one asked)."""
WRONG = {
    # Enlarges tiny steps: h is not used as given (pitfall 1 takes h = 1e-13 on purpose).
    "forward_difference": '''
def forward_difference(f, x, h):
    if abs(h) < 1e-8:
        h = math.copysign(1e-8, h)
    return (f(x + h) - f(x)) / h
''',
    # The same guard on the central difference.
    "central_difference": '''
def central_difference(f, x, h):
    if abs(h) < 1e-6:
        h = math.copysign(1e-6, h)
    return (f(x + h) - f(x - h)) / (2 * h)
''',
    # The wrong default step: h = 1e-4 instead of the 1e-5 the signature promises.
    "derivative_on_grid": '''
def derivative_on_grid(f, xs, h=1e-4):
    xs = np.asarray(xs, dtype=np.float64)
    return (f(xs + h) - f(xs - h)) / (2 * h)
''',
    # Bypasses autograd: the complex step Im f(x + ih) / h, exact to rounding on smooth functions.
    "torch_derivative": '''
def torch_derivative(f, xs):
    x = torch.tensor(np.asarray(xs, dtype=np.float64), dtype=torch.complex128)
    return (f(x + 1e-20j).imag / 1e-20).numpy()
''',
}
