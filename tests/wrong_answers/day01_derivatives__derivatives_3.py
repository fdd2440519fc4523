"""Day 1, a third run: a third wrong answer to torch_derivative."""
WRONG = {
    # Bypasses autograd: the complex step Im f(x + ih) / h, exact to rounding on smooth functions.
    "torch_derivative": '''
def torch_derivative(f, xs):
    x = torch.tensor(np.asarray(xs, dtype=np.float64), dtype=torch.complex128)
    return (f(x + 1e-20j).imag / 1e-20).numpy()
''',
}
