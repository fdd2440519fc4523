"""Day 3, a fifth run: a further wrong answer to an exercise that already has one in
day03_convexity__convexity.py to day03_convexity__convexity_4.py (one wrong answer per exercise and run)."""
WRONG = {
    # A relative tolerance: tol scaled by the largest eigenvalue, where the docstring's tol is absolute.
    "classify_critical_point": '''
def classify_critical_point(hessian, tol=1e-8):
    e = np.linalg.eigvalsh(np.asarray(hessian, dtype=np.float64))
    t = tol * max(1.0, np.abs(e).max())   # tolerance scaled by the largest eigenvalue
    if np.all(e > t):
        return "minimum"
    if np.all(e < -t):
        return "maximum"
    if np.any(e > t) and np.any(e < -t):
        return "saddle"
    return "degenerate"
''',
}
