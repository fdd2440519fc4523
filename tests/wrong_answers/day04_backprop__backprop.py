WRONG = {
    # No shape checks: W (2, 5) with X (3, 4) goes through both matrix products without an error.
    "linear_backward": '''
def linear_backward(X, W, dY):
    return W.T @ dY, dY @ X.T, dY.sum(axis=1)
''',
    # The number of classes taken from the labels, not from W2: wrong when a class is missing.
    "two_layer_step": '''
def two_layer_step(params, X, y, lr):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[1]
    H = np.tanh(W1 @ X + b1[:, None])
    Z2 = W2 @ H + b2[:, None]
    Zs = Z2 - Z2.max(axis=0, keepdims=True)
    log_P = Zs - np.log(np.exp(Zs).sum(axis=0, keepdims=True))
    loss = float(-np.mean(log_P[y, np.arange(N)]))
    Y = np.eye(y.max() + 1)[y].T
    dZ2 = (np.exp(log_P) - Y) / N
    dZ1 = (W2.T @ dZ2) * (1 - H**2)
    grads = {"W1": dZ1 @ X.T, "b1": dZ1.sum(axis=1), "W2": dZ2 @ H.T, "b2": dZ2.sum(axis=1)}
    return {k: params[k] - lr * grads[k] for k in params}, loss
''',
    # The tape only for float32 models; central differences (v.assign) for float64 ones.
    "keras_param_grads": '''
def keras_param_grads(model, X, y):
    if model.trainable_variables[0].dtype == "float32":
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, model(X), from_logits=True))
        return [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]

    def loss():
        return float(np.mean(tf.keras.losses.sparse_categorical_crossentropy(y, model(X), from_logits=True).numpy()))

    grads = []
    for v in model.trainable_variables:
        w0 = v.numpy().copy()
        g = np.zeros(w0.shape)
        for idx in np.ndindex(w0.shape):
            w = w0.copy(); w[idx] += 1e-5; v.assign(w); lp = loss()
            w = w0.copy(); w[idx] -= 1e-5; v.assign(w); lm = loss()
            g[idx] = (lp - lm) / 2e-5
        v.assign(w0)
        grads.append(g)
    return grads
''',
}
