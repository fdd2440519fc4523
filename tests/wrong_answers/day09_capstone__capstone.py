WRONG = {
    # No max subtraction before exp: overflows for large logits (fine on the digits).
    "mlp_loss_and_grads": '''
def mlp_loss_and_grads(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[1]
    H = np.tanh(W1 @ X + b1[:, None]); Z = W2 @ H + b2[:, None]
    P = np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True)
    loss = float(-np.log(P[y, np.arange(N)]).mean())
    dZ = P.copy(); dZ[y, np.arange(N)] -= 1.0; dZ /= N
    dZ1 = (W2.T @ dZ) * (1 - H**2)
    return loss, {"W1": dZ1 @ X.T, "b1": dZ1.sum(axis=1), "W2": dZ @ H.T, "b2": dZ.sum(axis=1)}
''',
    # Binds new arrays to state["m"] and state["v"] instead of updating them in place.
    "adam_step": '''
def adam_step(params, grads, state, lr, beta1, beta2, eps):
    if grads.shape != params.shape:
        raise ValueError("shape")
    state["step"] += 1
    t = state["step"]
    state["m"] = beta1 * state["m"] + (1 - beta1) * grads
    state["v"] = beta2 * state["v"] + (1 - beta2) * grads ** 2
    params -= lr * (state["m"] / (1 - beta1**t)) / (np.sqrt(state["v"] / (1 - beta2**t)) + eps)
    return params, state
''',
    # Forgets the last branch: past T the cosine comes back up instead of staying at lr_min.
    "warmup_cosine_lr": '''
def warmup_cosine_lr(step, lr_max, warmup_steps, total_steps, lr_min=0.0, start_factor=0.0):
    if total_steps <= warmup_steps:
        raise ValueError("T <= W")
    t, W, T = int(step), warmup_steps, total_steps
    if t < W:
        return lr_max * (start_factor + (1 - start_factor) * t / W)
    return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * (t - W) / (T - W))) / 2
''',
    # Returns the caller's arrays (not new ones) when nothing needs clipping.
    "clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads)))
    coef = max_norm / (total + 1e-6)
    if coef >= 1.0:
        return list(grads), total
    return [(g * coef).astype(g.dtype) for g in grads], total
''',
    # Copies the dict, not the arrays: adam_step then updates the caller's initial weights.
    "train": '''
def train(params, X, y, num_epochs, batch_size, lr_max, warmup_steps, max_norm, seed=0,
          beta1=0.9, beta2=0.999, eps=1e-8, lr_min=0.0, start_factor=0.0):
    params = dict(params)
    states = {key: {"m": np.zeros_like(params[key]), "v": np.zeros_like(params[key]), "step": 0} for key in KEYS}
    N = X.shape[1]
    total_steps = num_epochs * math.ceil(N / batch_size)
    rng = np.random.default_rng(seed)
    losses = []
    for epoch in range(num_epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            idx = order[start:start + batch_size]
            loss, grads = mlp_loss_and_grads(params, X[:, idx], y[idx])
            clipped, _ = clip_by_global_norm([grads[key] for key in KEYS], max_norm)
            lr = warmup_cosine_lr(len(losses), lr_max, warmup_steps, total_steps, lr_min, start_factor)
            for key, grad in zip(KEYS, clipped):
                adam_step(params[key], grad, states[key], lr, beta1, beta2, eps)
            losses.append(loss)
    return params, np.array(losses)
''',
    # CosineAnnealingLR over all T steps instead of the T - W after the warmup.
    "torch_optimizer": '''
def torch_optimizer(parameters, lr_max, warmup_steps, total_steps, start_factor, beta1=0.9, beta2=0.999, eps=1e-8):
    optimizer = torch.optim.Adam(parameters, lr=lr_max, betas=(beta1, beta2), eps=eps)
    sched = torch.optim.lr_scheduler
    scheduler = sched.SequentialLR(optimizer, [sched.LinearLR(optimizer, start_factor=start_factor, total_iters=warmup_steps),
                                               sched.CosineAnnealingLR(optimizer, T_max=total_steps)],
                                   milestones=[warmup_steps])
    return optimizer, scheduler
''',
    # Leaves out epsilon=eps: Keras's default 1e-7 is used whatever eps is.
    "keras_optimizer": '''
def keras_optimizer(lr_max, warmup_steps, total_steps, start_factor, max_norm, beta1=0.9, beta2=0.999, eps=1e-7):
    schedule = keras.optimizers.schedules.CosineDecay(start_factor * lr_max, total_steps - warmup_steps, alpha=0.0,
                                                      warmup_target=lr_max, warmup_steps=warmup_steps)
    return keras.optimizers.Adam(learning_rate=schedule, beta_1=beta1, beta_2=beta2, global_clipnorm=max_norm)
''',
}
