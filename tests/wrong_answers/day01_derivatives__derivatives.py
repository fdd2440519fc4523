WRONG = {
    # The difference quotient the wrong way round: a sign error.
    "forward_difference": '''
def forward_difference(f, x, h):
    return (f(x) - f(x + h)) / h
''',
    # Ignores h: a fixed step passes a check that only uses h = 1e-5.
    "derivative_on_grid": '''
def derivative_on_grid(f, xs, h=1e-5):
    xs = np.asarray(xs, dtype=np.float64)
    return (f(xs + 1e-5) - f(xs - 1e-5)) / 2e-5
''',
    # Keeps the input's dtype: a float32 grid is differentiated in float32.
    "torch_derivative": '''
def torch_derivative(f, xs):
    x = torch.tensor(xs, requires_grad=True)
    f(x).sum().backward()
    return x.grad.numpy()
''',
}
