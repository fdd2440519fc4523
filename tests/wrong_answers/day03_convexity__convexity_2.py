"""Day 3, a second run: further wrong answers to exercises that already have one in
day03_convexity__convexity.py (one wrong answer per exercise and run)."""
WRONG = {
    # The plain loop: a float32 start turns float64 as soon as grad returns float64 or lr is a np.float64.
    "gradient_descent": '''
def gradient_descent(grad, x0, lr, num_steps):
    x = x0
    traj = [x]
    for _ in range(num_steps):
        x = x - lr * grad(x)
        traj.append(x)
    return np.array(traj)
''',
    # The 2x2 rule det < 0 -> saddle, else the sign of the trace, applied to any n.
    "classify_critical_point": '''
def classify_critical_point(hessian, tol=1e-8):
    H = np.asarray(hessian, dtype=np.float64)
    det, tr = np.linalg.det(H), np.trace(H)
    if abs(det) <= tol: return "degenerate"
    if det < 0: return "saddle"
    return "minimum" if tr > 0 else "maximum"
''',
    # Steps the caller's array in place and returns it.
    "newton_step": '''
def newton_step(grad, hess, x):
    if np.ndim(x) == 0:
        return float(x - grad(x) / hess(x))
    x -= np.linalg.solve(hess(x), grad(x))
    return x
''',
    # Returns a np.float32 for a float32 matrix, where the docstring promises a float.
    "max_stable_lr": '''
def max_stable_lr(A):
    return 2.0 / np.linalg.eigvalsh(A).max()
''',
    # Bypasses torch.optim.SGD with a hand update that copies its rules exactly (buffer = g at the first step, dampening after).
    "torch_sgd_trajectory": '''
def torch_sgd_trajectory(f, x0, lr, num_steps, momentum=0.0, dampening=0.0):
    x = torch.tensor(x0, requires_grad=True)
    buf = None
    traj = [x.detach().numpy().copy()]
    for _ in range(num_steps):
        f(x).backward()
        with torch.no_grad():
            g = x.grad
            if momentum != 0:
                if buf is None:
                    buf = g.clone()
                else:
                    buf.mul_(momentum).add_(g, alpha=1 - dampening)
                g = buf
            x.add_(g, alpha=-lr)
        x.grad = None
        traj.append(x.detach().numpy().copy())
    return np.array(traj)
''',
    # Bypasses the Keras optimizer with a hand update that copies its rules exactly (float32 learning rate, m = momentum m - lr g).
    "keras_sgd_trajectory": '''
def keras_sgd_trajectory(f, x0, lr, num_steps, momentum=0.0):
    x = tf.Variable(x0)
    dt = x.dtype
    lr_ = tf.cast(tf.constant(lr, tf.float32), dt)
    mom = tf.cast(momentum, dt)
    m = tf.zeros_like(x)
    traj = [x.numpy().copy()]
    for _ in range(num_steps):
        with tf.GradientTape() as tape:
            loss = f(x)
        g = tape.gradient(loss, x)
        if momentum != 0:
            m = m * mom - g * lr_
            x.assign_add(m)
        else:
            x.assign_sub(g * lr_)
        traj.append(x.numpy().copy())
    return np.array(traj)
''',
}
