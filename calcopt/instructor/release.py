"""``make release``: regenerate ``course/`` and ``solutions/`` from ``autograder/source/``.

The steps, in order, for each day:
1. build each ``<day>/<name>.py`` source into ``<day>/<name>.ipynb`` beside it (nbgrader reads
   notebooks; the ``.py`` is the file people edit and review);
2. ``nbgrader generate_assignment``: solutions and hidden tests stripped, cells locked and
   checksummed, the assignment recorded in the gradebook; its output is copied to ``course/``;
3. the solution view (``notebooks.to_solution``), executed, written to ``solutions/``.
"""
import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from . import notebooks

REPO = Path(__file__).resolve().parents[2]
EXECUTE_TIMEOUT = 180  # seconds per cell; generous for a slow laptop


def tool_env():
    """The environment for nbgrader and kernels: this interpreter's bin first on PATH,
    since nbgrader calls ``alembic`` by name when it creates a gradebook."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    return env


def run_nbgrader(args, root, db_url=None):
    """Run one nbgrader command in the course root; return its CompletedProcess. A gradebook
    URL goes through the environment (``CALCOPT_DB``, read by ``nbgrader_config.py``): a
    command line, and a password in it, can be read by every process on the machine."""
    command = [sys.executable, "-m", "nbgrader", *args]
    env = tool_env()
    if db_url:
        env["CALCOPT_DB"] = db_url
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)


def copy_course_root(parent, config=None):
    """A scratch nbgrader course root, ``<parent>/autograder``, holding the course's config (or
    ``config``, the text of another) and sources: tests and benchmarks never touch the real one."""
    root = Path(parent) / "autograder"
    root.mkdir(parents=True)
    shutil.copy(REPO / "autograder" / "nbgrader_config.py", root)
    if config:
        (root / "nbgrader_config.py").write_text(config)
    shutil.copytree(REPO / "autograder" / "source", root / "source",
                    ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    return root


def build_sources(root, only=None):
    """Step 1, for every day or for the days named in ``only``. Returns {day: [notebooks]}."""
    days = notebooks.source_files(Path(root) / "source")
    if only:
        unknown = set(only) - set(days)
        if unknown:
            raise RuntimeError(f"no source for {sorted(unknown)} in {Path(root) / 'source'}")
        days = {day: days[day] for day in only}
    built = {}
    for day, sources in days.items():
        built[day] = []
        for source in sources:
            target = source.with_suffix(".ipynb")
            notebooks.write(notebooks.read_source(source), target)
            built[day].append(target)
    return built


def generate_assignment(root, day, db_url=None):
    """Step 2 for one day, into the gradebook at ``db_url`` (default: the root's SQLite file);
    raises RuntimeError with nbgrader's own words on failure."""
    result = run_nbgrader(["generate_assignment", day, "--force"], root, db_url=db_url)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {day} failed:\n{result.stdout}{result.stderr}")
    return Path(root) / "release" / day


def execute(nb, cwd, allow_errors=False):
    """Run a notebook top to bottom in a fresh kernel, in place, with each cell's timing in
    its metadata; unless ``allow_errors``, raises on the first failing cell."""
    os.environ.update(tool_env())  # the kernel inherits PATH and the TensorFlow settings
    client = NotebookClient(nb, timeout=EXECUTE_TIMEOUT, kernel_name="python3",
                            allow_errors=allow_errors, record_timing=True,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def release(root, course_dir, solutions_dir, run_solutions=True, only=None, log=print):
    root, course_dir, solutions_dir = Path(root), Path(course_dir), Path(solutions_dir)
    built = build_sources(root, only)
    for day, sources in built.items():
        log(f"{day}: student notebooks")
        released = generate_assignment(root, day)
        shutil.rmtree(course_dir / day, ignore_errors=True)
        shutil.copytree(released, course_dir / day)
        for source in sources:
            log(f"{day}: solutions/{day}/{source.name}" + (" (executing)" if run_solutions else ""))
            solution = notebooks.to_solution(nbformat.read(source, as_version=4))
            target = solutions_dir / day / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if run_solutions:
                execute(solution, target.parent)
            notebooks.write(solution, target)
    if not only:
        days = set(built)
        _remove_stale_days(course_dir, days)
        _remove_stale_days(solutions_dir, days)
    return built


def _remove_stale_days(directory, days):
    """Remove a day's generated notebooks once its source is gone."""
    for path in directory.iterdir():
        if path.is_dir() and path.name not in days:
            shutil.rmtree(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=REPO / "autograder", help="nbgrader course root")
    parser.add_argument("--course", default=REPO / "course")
    parser.add_argument("--solutions", default=REPO / "solutions")
    parser.add_argument("days", nargs="*", help="release only these days (default: all)")
    parser.add_argument("--no-execute", action="store_true",
                        help="write solution notebooks without running them")
    args = parser.parse_args(argv)
    try:
        release(args.root, args.course, args.solutions, run_solutions=not args.no_execute,
                only=args.days)
    except (notebooks.SourceError, RuntimeError) as error:
        sys.exit(f"release failed: {error}")


if __name__ == "__main__":
    main()
