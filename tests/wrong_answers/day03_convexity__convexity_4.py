"""Day 3, a fourth run: further wrong answers to exercises that already have one in
day03_convexity__convexity.py to day03_convexity__convexity_3.py (one wrong answer per exercise and run)."""
WRONG = {
    # Boundary off by one: an eigenvalue with |lambda| = tol counted as nonzero (>= tol, not > tol).
    "classify_critical_point": '''
def classify_critical_point(hessian, tol=1e-8):
    e = np.linalg.eigvalsh(np.asarray(hessian, dtype=np.float64))
    pos, neg = e >= tol, e <= -tol   # |lambda| = tol counted as nonzero (boundary off by one)
    if np.all(pos):
        return "minimum"
    if np.all(neg):
        return "maximum"
    if np.any(pos) and np.any(neg):
        return "saddle"
    return "degenerate"
''',
    # Copies torch.optim.SGD by hand, then calls optimizer.step() with no gradient, so the optimizer never moves x.
    "torch_sgd_trajectory": '''
def torch_sgd_trajectory(f, x0, lr, num_steps, momentum=0.0, dampening=0.0):
    x = torch.tensor(x0, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr, momentum=momentum, dampening=dampening)
    buf = None
    traj = [x.detach().numpy().copy()]
    for _ in range(num_steps):
        f(x).backward()
        with torch.no_grad():
            g = x.grad
            if momentum != 0:
                buf = g.clone() if buf is None else buf.mul_(momentum).add_(g, alpha=1 - dampening)
                g = buf
            x.add_(g, alpha=-lr)
        x.grad = None
        optimizer.step()   # no gradient: the optimizer skips x
        traj.append(x.detach().numpy().copy())
    return np.array(traj)
''',
    # Copies the Keras update by hand, then hands the optimizer a zero gradient, so it never moves x.
    "keras_sgd_trajectory": '''
def keras_sgd_trajectory(f, x0, lr, num_steps, momentum=0.0):
    x = tf.Variable(x0)
    optimizer = tf.keras.optimizers.SGD(learning_rate=lr, momentum=momentum)
    lr_ = tf.cast(tf.constant(lr, tf.float32), x.dtype)
    m = tf.zeros_like(x)
    traj = [x.numpy().copy()]
    for _ in range(num_steps):
        with tf.GradientTape() as tape:
            loss = f(x)
        g = tape.gradient(loss, x)
        m = m * tf.cast(momentum, x.dtype) - g * lr_
        x.assign_add(m)
        optimizer.apply_gradients([(tf.zeros_like(x), x)])   # a zero gradient: x does not move
        traj.append(x.numpy().copy())
    return np.array(traj)
''',
}
