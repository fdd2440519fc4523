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
  50 changes of its controls against the 30 ms goal (``bench.widgets``);
- `make setup` from nothing in a scratch copy of the repository, timed against a bare
  `python -m venv`, and the environment's size on disk (a few minutes; its own .venv, deleted
  after);
- grading: `make grade` against serial `nbgrader autograde` on 20 students of every day
  (``bench.grading``, the longest part).

`python -m bench --quick` leaves out the two slow ones (grading and setup);
`python -m bench --setup` runs only the setup figures.
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


def setup_environment(repo):
    """The environment of a learner's shell: this process's, without what `make bench` or
    this repository's virtual environment put into it (make's own variables, the venv on
    PATH, VIRTUAL_ENV), so that the scratch `make setup` finds the system's Python as a
    learner's would and knows nothing of this repository's .venv."""
    import os
    venv = str(repo / ".venv")
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "PYTHON", "MAKEFLAGS", "MFLAGS",
                        "MAKELEVEL", "MAKEOVERRIDES", "MAKE_TERMOUT", "MAKE_TERMERR")}
    env["PATH"] = os.pathsep.join(d for d in env.get("PATH", "").split(os.pathsep)
                                  if d and not d.startswith(venv))
    return env


def setup_figures():
    """`make setup` from nothing in a scratch copy of this repository (its tracked files, as
    they are in the working tree), timed, against the time of a bare `python -m venv` on the
    same machine; a second `make setup` (nothing to do); the size of the .venv it made. The
    scratch copy's Makefile builds its own .venv: this repository's is never touched (the
    check at the end says so)."""
    import os
    import shutil
    import tempfile
    from pathlib import Path
    repo = Path(__file__).resolve().parents[1]
    ours = repo / ".venv"
    ours_before = sorted(p.stat().st_mtime_ns for p in (ours, *ours.glob("lib/python*/site-packages"))
                         if p.exists())
    env = setup_environment(repo)
    python = shutil.which("python3.11", path=env["PATH"]) or shutil.which("python3", path=env["PATH"])
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True, check=True,
                             text=True).stdout.split("\0")
    with tempfile.TemporaryDirectory(prefix="setup-bench-") as scratch:
        clone = Path(scratch) / "course"
        for name in filter(None, tracked):
            source = repo / name
            if source.is_file():
                (clone / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, clone / name)
        start = time.perf_counter()
        subprocess.run([python, "-m", "venv", str(Path(scratch) / "bare")], env=env, check=True)
        bare = time.perf_counter() - start
        start = time.perf_counter()
        first = subprocess.run(["make", "-s", "setup"], cwd=clone, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if first.returncode != 0:
            print(f"make setup from nothing FAILED after {seconds:.0f} s:\n{first.stdout[-2000:]}{first.stderr[-2000:]}")
            return
        start = time.perf_counter()
        subprocess.run(["make", "-s", "setup"], cwd=clone, env=env, check=True, capture_output=True)
        again = time.perf_counter() - start
        venv_python = os.path.realpath(clone / ".venv" / "bin" / "python")
        size = int(subprocess.run(["du", "-sb", str(clone / ".venv")], capture_output=True, text=True,
                                  check=True).stdout.split()[0])
        shutil.rmtree(clone / ".venv", ignore_errors=True)
    ours_after = sorted(p.stat().st_mtime_ns for p in (ours, *ours.glob("lib/python*/site-packages"))
                        if p.exists())
    print(f"make setup from nothing (a scratch copy, {python} {sys.version.split()[0]}; packages from "
          f"pip's index and cache as this machine has them):")
    print(f"  {seconds:7.0f} s  = {seconds / bare:5.0f}x a bare `python -m venv` ({bare:.1f} s)")
    print(f"  {again:7.1f} s  a second make setup (nothing to do)")
    print(f"  .venv {size / 1e9:.2f} GB on disk (du -sb; its interpreter {venv_python})")
    print(f"  this repository's .venv {'untouched' if ours_before == ours_after else 'CHANGED during the run'}")


def main(argv):
    if "--setup" in argv:
        setup_figures()
        return
    quick = "--quick" in argv
    derivative_figures()
    from bench import adam_step

    adam_step.main()
    import_figures()
    from bench import notebooks

    notebooks.main()
    if not quick:
        setup_figures()
        from bench import grading

        grading.main([])


if __name__ == "__main__":
    main(sys.argv[1:])
