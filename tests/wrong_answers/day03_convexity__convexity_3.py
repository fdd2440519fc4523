"""Day 3, a third run: further wrong answers to exercises that already have one in
day03_convexity__convexity.py and day03_convexity__convexity_2.py (one wrong answer per exercise and run)."""
WRONG = {
    # Casts grad's output to the start's dtype, but a np.float64 lr still promotes a float32 start.
    "gradient_descent": '''
def gradient_descent(grad, x0, lr, num_steps):
    x = np.array(x0, dtype=np.float32 if (isinstance(x0, np.ndarray) and x0.dtype == np.float32) else np.float64)
    traj = [x]
    for _ in range(num_steps):
        x = x - lr * np.asarray(grad(x), dtype=x.dtype)
        traj.append(x)
    return np.array(traj)
''',
    # Any negative eigenvalue makes a saddle, even with no positive one (diag(-1, 0)).
    "classify_critical_point": '''
def classify_critical_point(hessian, tol=1e-8):
    lam = np.linalg.eigvalsh(np.asarray(hessian, dtype=np.float64))
    if np.all(lam > tol): return "minimum"
    if np.all(lam < -tol): return "maximum"
    if np.any(lam < -tol): return "saddle"
    return "degenerate"
''',
    # Returns the step d = -H^{-1} grad instead of the new point.
    "newton_step": '''
def newton_step(grad, hess, x):
    if np.ndim(x) == 0:
        return float(-grad(x) / hess(x))
    return -np.linalg.solve(hess(x), grad(x))
''',
}
