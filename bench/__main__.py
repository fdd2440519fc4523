"""`make bench`: speed figures of the course's own code, as ratios measured in one run
(absolute times on a shared machine say little; ratios of runs side by side say more).

- a derivative over a grid: a pure-Python loop against one vectorised NumPy expression
  against torch.autograd and tf.GradientTape (Day 1);
- an Adam step on 10 million weights against the memory-bandwidth bound (Day 6,
  ``bench.adam_step``);
- the cost of `import nbformat`, paid by every nbgrader command (`make setup` removes the
  optional rfc3987-syntax grammar that otherwise adds about 1.5 s to it);
- every solution notebook from a cold kernel against its 45 s budget, and the course's total
  (``bench.notebooks``); each explorer's callback latency in the kernel, median and worst of
  50 value changes against the 30 ms goal (``bench.widgets``);
- grading: `make grade` against serial `nbgrader autograde` on 20 students of every day
  (``bench.grading``, about 20 minutes on 2 cores; `python -m bench --quick` skips it);
- `python -m bench --setup` only: `make setup` from nothing in a scratch clone, timed, and the
  environment's size on disk (it reinstalls everything, so `make bench` does not run it).
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


def setup_figures():
    """`make setup` from nothing in a scratch clone of this repository (committed files only),
    timed, and the size of the .venv it makes; against the time of `python -m venv` alone."""
    import shutil
    import tempfile
    from pathlib import Path
    repo = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="setup-bench-") as scratch:
        clone = Path(scratch) / "course"
        subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
        env = {k: v for k, v in __import__("os").environ.items() if k not in ("VIRTUAL_ENV",)}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(Path(scratch) / "bare")], check=True)
        bare = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run(["make", "-s", "setup"], cwd=clone, env=env, check=True, capture_output=True)
        seconds = time.perf_counter() - start
        size = subprocess.run(["du", "-sb", str(clone / ".venv")], capture_output=True, text=True,
                              check=True).stdout.split()[0]
        shutil.rmtree(clone / ".venv", ignore_errors=True)
    print(f"make setup from nothing: {seconds:.0f} s ({seconds / bare:.0f}x a bare `python -m venv`), "
          f".venv {int(size) / 1e9:.2f} GB")


if __name__ == "__main__":
    if "--setup" in sys.argv:
        setup_figures()
        sys.exit()
    derivative_figures()
    from bench import adam_step

    adam_step.main()
    import_figures()
    from bench import notebooks

    notebooks.main()
    if "--quick" not in sys.argv:
        from bench import grading

        grading.main([])
