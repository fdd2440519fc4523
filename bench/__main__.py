"""`make bench`: speed figures of the course's own code, as ratios measured in one run
(absolute times on a shared machine say little; ratios of runs side by side say more).

- a derivative over a grid: a pure-Python loop against one vectorised NumPy expression
  against torch.autograd and tf.GradientTape (Day 1);
- the cost of `import nbformat`, paid by every nbgrader command (`make setup` removes the
  optional rfc3987-syntax grammar that otherwise adds about 1.5 s to it);
- grading: `make grade` against serial `nbgrader autograde` on 20 students of every day
  (``bench.grading``, about 20 minutes on 2 cores; `python -m bench --quick` skips it).
"""
import subprocess
import sys
import time

import numpy as np

import calcopt  # noqa: E402,F401  (quiets TensorFlow)
H = 1e-5
N = 200_000


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def derivative_figures():
    import math

    import tensorflow as tf
    import torch
    xs = np.linspace(-3, 3, N)

    def python_loop():
        return [(math.sin(x + H) - math.sin(x - H)) / (2 * H) for x in xs.tolist()]

    def numpy_vectorised():
        return (np.sin(xs + H) - np.sin(xs - H)) / (2 * H)

    def torch_autograd():
        x = torch.tensor(xs, requires_grad=True)
        torch.sin(x).sum().backward()
        return x.grad.numpy()

    def tf_tape():
        x = tf.constant(xs)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(tf.sin(x))
        return tape.gradient(y, x).numpy()

    for fn in (torch_autograd, tf_tape):  # the exact derivative, cos, for all four
        np.testing.assert_allclose(fn(), np.cos(xs), rtol=1e-9)
    np.testing.assert_allclose(numpy_vectorised(), np.cos(xs), atol=1e-9)
    times = {fn.__name__: best_of(fn) for fn in (python_loop, numpy_vectorised, torch_autograd, tf_tape)}
    base = times["numpy_vectorised"]
    print(f"derivative of sin at {N:,} points (best of 5; ratio to vectorised NumPy):")
    for name, seconds in times.items():
        print(f"  {name:<18} {seconds * 1e3:9.2f} ms  {seconds / base:8.1f}x")


def import_figures():
    code = "import time; t = time.perf_counter(); import nbformat; print(time.perf_counter() - t)"
    seconds = best_of(lambda: subprocess.run([sys.executable, "-c", code], check=True, capture_output=True), 3)
    print(f"python -c 'import nbformat' (whole process, best of 3): {seconds:.2f} s")


if __name__ == "__main__":
    derivative_figures()
    import_figures()
    if "--quick" not in sys.argv:
        from bench import grading

        grading.main([])
