WRONG = {
    # Writes inf over the nan entries of the caller's array (the answer is right otherwise).
    "pick_lr_from_range_test": '''
def _smooth(losses, beta):
    s, out = 0.0, []
    for k, loss in enumerate(losses):
        s = beta * s + (1 - beta) * loss
        out.append(s / (1 - beta ** (k + 1)))
    return np.array(out)

def pick_lr_from_range_test(lrs, losses, beta=0.98):
    if len(lrs) != len(losses):
        raise ValueError("lengths differ")
    losses[np.isnan(losses)] = np.inf
    if not np.isfinite(losses[0]):
        raise ValueError("first loss not finite")
    bad = np.flatnonzero(~np.isfinite(losses))
    usable = losses[:bad[0]] if bad.size else losses
    return float(lrs[int(np.argmin(_smooth(usable, beta)))] / 10)
''',
    # Multiplies by an np.float64 factor: float32 gradients come back float64 when clipped.
    "clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads)))
    factor = min(1.0, max_norm / (total_norm + 1e-6))
    return [g * np.float64(factor) for g in grads], total_norm
''',
    # A tie counts as an improvement in mode "min" (<= instead of <).
    "early_stopping": '''
def early_stopping(scores, patience, min_delta=0.0, mode="max"):
    if mode not in ("max", "min"):
        raise ValueError("mode")
    scores = [float(s) for s in scores]
    if not scores:
        raise ValueError("empty")
    best, best_epoch, wait = scores[0], 0, 0
    for e in range(1, len(scores)):
        improved = (scores[e] - min_delta > best) if mode == "max" else (scores[e] + min_delta <= best)
        if improved:
            best, best_epoch, wait = scores[e], e, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, e
    return best_epoch, len(scores) - 1
''',
}
