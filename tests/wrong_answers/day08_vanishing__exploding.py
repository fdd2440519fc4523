WRONG = {
    # <= and >= where < and > belong: rho exactly 1 - tol or 1 + tol is labelled wrongly.
    "spectral_radius_test": '''
def spectral_radius_test(W, tol=1e-3):
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] == 0:
        raise ValueError("square")
    rho = float(np.abs(np.linalg.eigvals(W.astype(np.float64))).max())
    if rho <= 1 - tol:
        return rho, "vanishing"
    if rho >= 1 + tol:
        return rho, "exploding"
    return rho, "neutral"
''',
    # Clips each tensor on its own (Keras's clipnorm), not the global norm.
    "keras_clipped_step": '''
def keras_clipped_step(model, x, y, lr, max_norm):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    norm = tf.linalg.global_norm(grads)
    for w, g in zip(model.trainable_variables, grads):
        w.assign_sub(lr * tf.clip_by_norm(g, max_norm))
    return float(norm)
''',
}
