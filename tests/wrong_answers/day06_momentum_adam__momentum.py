WRONG = {
    # Rebinds the velocity to a new array instead of updating it in place (the caller's buffer
    # never moves), though every number it returns is right.
    "momentum_step": '''
def momentum_step(params, grads, state, lr, beta):
    if grads.shape != params.shape:
        raise ValueError("shape mismatch")
    state["velocity"] = beta * state["velocity"] + grads
    params -= lr * state["velocity"]
    return params, state
''',
    # No shape check: grads of shape (3,) broadcast against params of shape (2, 3) silently.
    "nesterov_step": '''
def nesterov_step(params, grads, state, lr, beta):
    v = state["velocity"]
    v *= beta
    v += grads
    params -= lr * (grads + beta * v)
    return params, state
''',
    # Bypasses the frameworks: plain SGD objects whose update is replaced by a hand-written one.
    "framework_momentum": '''
def framework_momentum(alpha, beta, torch_params):
    t = torch.optim.SGD(torch_params, lr=alpha)
    bufs = {}
    def step(closure=None):
        with torch.no_grad():
            for p in t.param_groups[0]["params"]:
                u = bufs.setdefault(id(p), torch.zeros_like(p))
                u.mul_(beta).add_(p.grad, alpha=1 - beta)
                p.sub_(alpha * u)
    t.step = step
    k = keras.optimizers.SGD(learning_rate=alpha)
    us = {}
    def update_step(gradient, variable, learning_rate):
        key = id(variable)
        if key not in us:
            us[key] = np.zeros(variable.shape, dtype=variable.dtype)
        us[key] = beta * us[key] + (1 - beta) * np.asarray(gradient)
        variable.assign(np.asarray(variable) - alpha * us[key])
    k.update_step = update_step
    return t, k
''',
}
