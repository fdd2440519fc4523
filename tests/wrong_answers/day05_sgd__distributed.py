WRONG = {
    # np.zeros_like(w) as the accumulator: float32 in, float32 out (the docstring says float64).
    "accumulate_gradient": '''
def accumulate_gradient(grad_fn, w, X, y, micro_batch_size):
    if micro_batch_size < 1:
        raise ValueError("micro_batch_size must be at least 1")
    n = len(y)
    total = np.zeros_like(w)
    for s in range(0, n, micro_batch_size):
        yb = y[s:s + micro_batch_size]
        total += len(yb) / n * grad_fn(w, X[s:s + micro_batch_size], yb)
    return total
''',
    # np.nansum hides a NaN from a non-empty shard as well as from the empty ones.
    "allreduce_mean": '''
def allreduce_mean(shard_grads, shard_sizes):
    if len(shard_grads) != len(shard_sizes) or sum(shard_sizes) <= 0:
        raise ValueError("need one size per shard and at least one example")
    weighted = [n * np.asarray(g, dtype=np.float64) for g, n in zip(shard_grads, shard_sizes)]
    return np.nansum(weighted, axis=0) / sum(shard_sizes)
''',
    # One backward() on the mean of all micro-batch losses: right .grad, but nothing is
    # accumulated and every micro-batch's graph is kept in memory at once.
    "torch_accumulated_grad": '''
def torch_accumulated_grad(loss_fn, w, X, y, num_steps):
    n = len(y)
    if num_steps < 1 or n % num_steps:
        raise ValueError("num_steps must divide the number of rows")
    w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    m = n // num_steps
    losses = [loss_fn(w_t, torch.tensor(X[s:s + m]), torch.tensor(y[s:s + m])) for s in range(0, n, m)]
    torch.stack(losses).mean().backward()
    return w_t
''',
    # Only the divisibility check: num_steps = 0 raises ZeroDivisionError, not ValueError.
    "tf_accumulated_grad": '''
def tf_accumulated_grad(loss_fn, w, X, y, num_steps):
    n = len(y)
    if n % num_steps:
        raise ValueError("num_steps must divide the number of rows")
    v = tf.Variable(np.asarray(w, dtype=np.float64))
    total, m = tf.zeros_like(v), n // num_steps
    for s in range(0, n, m):
        with tf.GradientTape() as tape:
            loss = loss_fn(v, tf.constant(X[s:s + m]), tf.constant(y[s:s + m]))
        total += tape.gradient(loss, v)
    return (total / num_steps).numpy()
''',
}
