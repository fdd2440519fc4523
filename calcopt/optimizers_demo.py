"""Day 6 (momentum, RMSprop, Adam): the test problems and the framework harness.

Nothing here is an optimizer written by hand: the trajectories below are computed by
``torch.optim`` and ``keras.optimizers`` themselves, fed the same NumPy gradient, so that a
notebook can hold them against the learner's own steps.

- ``logistic_problem``: logistic regression on scikit-learn's breast-cancer data (31 weights).
- ``torch_trajectory`` / ``keras_trajectory``: run a framework optimizer on a NumPy gradient.
- ``RAVINE``, ``ROSENBROCK``: 2-D test functions for the race; ``race_path`` runs one
  ``torch.optim`` optimizer on one of them (used by the race and by the explorer).
- ``torch_state_bytes`` / ``keras_state_bytes``: bytes of an optimizer's own state.
"""
import numpy as np


def logistic_problem(dtype=np.float64):
    """(w0, grad): zero start and gradient of the mean logistic loss on the standardised
    breast-cancer data (569 samples, 30 features plus a bias), in ``dtype``."""
    from sklearn.datasets import load_breast_cancer
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    X = np.hstack([X, np.ones((len(X), 1))]).astype(dtype)
    y = y.astype(dtype)

    def grad(w):
        p = 0.5 * (1.0 + np.tanh(0.5 * (X @ w)))  # the sigmoid, without overflow
        return (X.T @ (p - y) / len(y)).astype(dtype)

    return np.zeros(X.shape[1], dtype=dtype), grad


def torch_trajectory(make_optimizer, x0, grad, num_steps):
    """Iterates of ``make_optimizer([param])`` (a torch.optim optimizer) fed ``grad(x)``.

    Returns an array of shape (num_steps + 1,) + x0.shape with x0's dtype, x0 first.
    """
    import torch
    x = torch.tensor(np.array(x0), requires_grad=True)
    optimizer = make_optimizer([x])
    path = [x.detach().numpy().copy()]
    for _ in range(num_steps):
        x.grad = torch.from_numpy(np.asarray(grad(x.detach().numpy().copy()), dtype=x0.dtype))
        optimizer.step()
        path.append(x.detach().numpy().copy())
    return np.array(path)


def keras_trajectory(optimizer, x0, grad, num_steps):
    """Iterates of a fresh ``keras.optimizers`` optimizer fed ``grad(x)`` (same layout)."""
    import tensorflow as tf
    x = tf.Variable(np.array(x0))
    path = [x.numpy().copy()]
    for _ in range(num_steps):
        optimizer.apply_gradients([(tf.constant(np.asarray(grad(x.numpy()), dtype=x0.dtype)), x)])
        path.append(x.numpy().copy())
    return np.array(path)


def _ravine(X, Y):
    return 0.5 * (X**2 + 50.0 * Y**2)


def _rosenbrock(X, Y):
    return (1 - X) ** 2 + 100.0 * (Y - X**2) ** 2


# name -> (f(X, Y), grad(p) -> array of shape (2,), start, minimiser, (xlim, ylim))
PROBLEMS = {
    "ravine": (_ravine, lambda p: np.array([p[0], 50.0 * p[1]]),
               np.array([-4.5, 0.6]), np.array([0.0, 0.0]), ((-5.0, 1.0), (-1.0, 1.0))),
    "Rosenbrock": (_rosenbrock,
                   lambda p: np.array([-2 * (1 - p[0]) - 400.0 * p[0] * (p[1] - p[0] ** 2),
                                       200.0 * (p[1] - p[0] ** 2)]),
                   np.array([-1.2, 1.0]), np.array([1.0, 1.0]), ((-2.0, 2.0), (-1.0, 3.0))),
}
RAVINE, ROSENBROCK = PROBLEMS["ravine"], PROBLEMS["Rosenbrock"]

OPTIMIZERS = ("GD", "momentum", "Nesterov", "Adagrad", "RMSprop", "Adam")


def make_torch_optimizer(name, params, lr, beta):
    """A torch.optim optimizer by course name: ``beta`` is the momentum (GD: unused), the
    RMSprop decay ``alpha``, or Adam's beta1 (beta2 stays 0.999)."""
    import torch
    if name == "GD":
        return torch.optim.SGD(params, lr=lr)
    if name in ("momentum", "Nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=beta, nesterov=name == "Nesterov")
    if name == "Adagrad":
        return torch.optim.Adagrad(params, lr=lr)
    if name == "RMSprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=beta)
    if name == "Adam":
        return torch.optim.Adam(params, lr=lr, betas=(beta, 0.999))
    raise ValueError(f"unknown optimizer {name!r}; choose from {OPTIMIZERS}")


DIVERGED_ABOVE = 1e3  # a path leaving |x| < this is cut there


def race_path(problem, name, lr, beta, num_steps):
    """The path of ``name`` (see OPTIMIZERS) on PROBLEMS[problem], cut if it diverges.

    Returns (path of shape (k + 1, 2), diverged: bool)."""
    import torch
    f, grad, start, _, _ = PROBLEMS[problem]
    x = torch.tensor(start.copy(), requires_grad=True)
    optimizer = make_torch_optimizer(name, [x], lr, beta)
    path = [start.copy()]
    for _ in range(num_steps):
        x.grad = torch.from_numpy(grad(path[-1]))
        optimizer.step()
        point = x.detach().numpy().copy()
        if not np.all(np.abs(point) < DIVERGED_ABOVE):
            return np.array(path), True
        path.append(point)
    return np.array(path), False


def torch_state_bytes(optimizer):
    """Bytes of the tensors in a torch optimizer's state, the step counters left out."""
    return sum(value.nbytes for state in optimizer.state.values()
               for key, value in state.items() if key != "step" and hasattr(value, "nbytes"))


def keras_state_bytes(optimizer):
    """Bytes of a Keras optimizer's variables, its iteration counter and learning rate left
    out (they are scalars, whatever the model's size)."""
    return sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in optimizer.variables
               if "iteration" not in v.path and "learning_rate" not in v.path)

