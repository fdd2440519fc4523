WRONG = {
    # Rebinds the running average to a new array instead of updating it in place (the caller's
    # buffer never moves), though every number it returns is right.
    "rmsprop_step": '''
def rmsprop_step(params, grads, state, lr, alpha, eps):
    if grads.shape != params.shape:
        raise ValueError("shape mismatch")
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * grads**2
    params -= lr * grads / (np.sqrt(state["square_avg"]) + eps)
    return params, state
''',
    # The same for Adam's two moments.
    "adam_step": '''
def adam_step(params, grads, state, lr, beta1, beta2, eps):
    if grads.shape != params.shape:
        raise ValueError("shape mismatch")
    state["step"] += 1
    t = state["step"]
    state["m"] = beta1 * state["m"] + (1 - beta1) * grads
    state["v"] = beta2 * state["v"] + (1 - beta2) * grads * grads
    params -= lr * (state["m"] / (1 - beta1**t)) / (np.sqrt(state["v"] / (1 - beta2**t)) + eps)
    return params, state
''',
    # Decays the weights before anything checks the shapes: on a mismatch adam_step raises, but
    # the weights are already shrunk.
    "adamw_step": '''
def adamw_step(params, grads, state, lr, beta1, beta2, eps, weight_decay):
    params *= 1 - lr * weight_decay
    return adam_step(params, grads, state, lr, beta1, beta2, eps)
''',
}
