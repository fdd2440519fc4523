WRONG = {
    # Preallocates with the start's dtype: an int start is truncated at every step.
    "gradient_descent": '''
def gradient_descent(grad, x0, lr, num_steps):
    x0 = np.asarray(x0)
    traj = np.empty((num_steps + 1,) + x0.shape, dtype=x0.dtype)
    traj[0] = x0
    for k in range(num_steps):
        traj[k + 1] = traj[k] - lr * np.asarray(grad(traj[k]))
    return traj
''',
    # Reads the signs off the diagonal instead of the eigenvalues.
    "classify_critical_point": '''
def classify_critical_point(hessian, tol=1e-8):
    d = np.diag(np.asarray(hessian, dtype=np.float64))
    if np.all(d > tol):
        return "minimum"
    if np.all(d < -tol):
        return "maximum"
    if np.any(d > tol) and np.any(d < -tol):
        return "saddle"
    return "degenerate"
''',
    # A diagonal Newton step: divides by the Hessian's diagonal.
    "newton_step": '''
def newton_step(grad, hess, x):
    if np.ndim(x) == 0:
        return float(x - grad(x) / hess(x))
    return x - grad(x) / np.diag(hess(x))
''',
    # L read off the largest diagonal entry.
    "max_stable_lr": '''
def max_stable_lr(A):
    return float(2.0 / np.max(np.diag(np.asarray(A, dtype=np.float64))))
''',
    # Sign error on c: Q x - c = A^T lam.
    "constrained_optimum": '''
def constrained_optimum(Q, c, A, b):
    n, m = Q.shape[0], A.shape[0]
    kkt = np.block([[Q, -A.T], [A, np.zeros((m, m))]])
    solution = np.linalg.solve(kkt, np.concatenate([c, b]))
    return solution[:n], solution[n:]
''',
    # Section 4's manual update: torch.optim.SGD never used, momentum ignored.
    "torch_sgd_trajectory": '''
def torch_sgd_trajectory(f, x0, lr, num_steps, momentum=0.0, dampening=0.0):
    x = torch.tensor(x0, requires_grad=True)
    traj = [x.detach().numpy().copy()]
    for _ in range(num_steps):
        f(x).backward()
        with torch.no_grad():
            x -= lr * x.grad
        x.grad.zero_()
        traj.append(x.detach().numpy().copy())
    return np.array(traj)
''',
    # The textbook heavy ball in float64 by hand, with the tape for the gradient: no Keras optimizer.
    "keras_sgd_trajectory": '''
def keras_sgd_trajectory(f, x0, lr, num_steps, momentum=0.0):
    x = tf.Variable(x0)
    v = np.zeros_like(np.asarray(x0))
    traj = [x.numpy().copy()]
    for _ in range(num_steps):
        with tf.GradientTape() as tape:
            loss = f(x)
        v = momentum * v + tape.gradient(loss, x).numpy()
        x.assign_sub(lr * v)
        traj.append(x.numpy().copy())
    return np.array(traj)
''',
}
