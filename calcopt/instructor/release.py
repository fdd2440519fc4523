"""``make release``: regenerate ``course/`` and ``solutions/`` from ``autograder/source/``.

The steps, in order, for each day:
1. build each ``<day>/<name>.py`` source into ``<day>/<name>.ipynb`` beside it (nbgrader reads
   notebooks; the ``.py`` is the file people edit and review);
2. ``nbgrader generate_assignment``: solutions and hidden tests stripped, cells locked and
   checksummed, the assignment recorded in the gradebook; its output is copied to ``course/``;
3. the solution view (``notebooks.to_solution``), executed, written to ``solutions/``.

A release writes only what changed: a file of ``course/<day>/`` is replaced only when its bytes
differ, and a solution notebook carries the fingerprint of what it was built from (its source,
the ``calcopt`` package it imports, the code that makes the solution view) in its metadata, so
that a day whose fingerprint matches is neither executed again nor rewritten (``--force`` runs
it anyway). Re-running a release thus leaves unchanged days' cell timings and widget ids alone.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from . import notebooks

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "calcopt"
EXECUTE_TIMEOUT = 180  # seconds per cell; generous for a slow laptop
FINGERPRINT_KEY = "calcopt"  # notebook metadata: {"fingerprint": "sha256:..."}


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


def release(root, course_dir, solutions_dir, run_solutions=True, only=None, force=False, log=print):
    """Steps 1 to 3 for every day, or the days named in ``only``; ``force``: execute and
    write every solution notebook, even those whose fingerprint matches. Returns {day: [notebooks]}."""
    root, course_dir, solutions_dir = Path(root), Path(course_dir), Path(solutions_dir)
    built = build_sources(root, only)
    for day, sources in built.items():
        released = generate_assignment(root, day)
        changed = sync_tree(released, course_dir / day)
        log(f"{day}: student notebooks " + (f"updated: {', '.join(changed)}" if changed else "unchanged"))
        for source in sources:
            release_solution(source.with_suffix(".py"), source, solutions_dir / day / source.name,
                             run_solutions, force, log)
    if not only:
        days = set(built)
        _remove_stale_days(course_dir, days)
        _remove_stale_days(solutions_dir, days)
    return built


def release_solution(source, built, target, run_solutions=True, force=False, log=print):
    """Step 3 for one notebook: ``built`` (the notebook built from ``source``) as its solution
    view at ``target``, executed unless ``run_solutions`` is false. Skipped when ``target``
    already holds it from the same fingerprint (and executed, if execution is asked for),
    unless ``force``. Returns True when ``target`` was written."""
    name = f"solutions/{target.parent.name}/{target.name}"
    mark = fingerprint(source)
    if not force and is_current(target, mark, run_solutions):
        log(f"{name}: unchanged (same fingerprint), not rewritten")
        return False
    log(f"{name}" + (" (executing)" if run_solutions else ""))
    solution = notebooks.to_solution(nbformat.read(built, as_version=4))
    solution.metadata[FINGERPRINT_KEY] = {"fingerprint": mark}
    target.parent.mkdir(parents=True, exist_ok=True)
    if run_solutions:
        execute(solution, target.parent)
    notebooks.write(solution, target)
    return True


def fingerprint(source, package=None):
    """``sha256:<hex>`` of what a solution notebook is made from: its source file, every file of
    the ``calcopt`` package but the instructor's tools, and the module that builds the
    solution view."""
    package = Path(package or PACKAGE)
    files = [p for p in sorted(package.rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts
             and p.relative_to(package).parts[0] != "instructor"]
    digest = hashlib.sha256()
    for label, path in [("source", Path(source)), ("notebooks.py", Path(notebooks.__file__))] + [
            (p.relative_to(package).as_posix(), p) for p in files]:
        content = path.read_bytes()
        digest.update(f"{label}\0{len(content)}\0".encode())
        digest.update(content)
    return f"sha256:{digest.hexdigest()}"


def is_current(target, mark, need_executed):
    """True when the notebook at ``target`` was built from the fingerprint ``mark`` and, if
    ``need_executed``, every one of its code cells ran."""
    try:
        nb = nbformat.read(target, as_version=4)
    except (OSError, ValueError):  # missing or unreadable: rebuild it
        return False
    if nb.metadata.get(FINGERPRINT_KEY, {}).get("fingerprint") != mark:
        return False
    return not need_executed or all(cell.execution_count for cell in nb.cells
                                    if cell.cell_type == "code" and cell.source.strip())


def sync_tree(source, target):
    """Make ``target`` hold exactly the files of ``source``, writing only those whose bytes
    differ and removing those ``source`` does not have; returns the paths changed."""
    source, target = Path(source), Path(target)
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file()}
    changed = []
    for relative in sorted(wanted):
        new, old = source / relative, target / relative
        if not old.is_file() or old.read_bytes() != new.read_bytes():
            old.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(new, old)
            changed.append(relative.as_posix())
    if target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):  # files before their folders
            relative = path.relative_to(target)
            if path.is_file() and relative not in wanted:
                path.unlink()
                changed.append(f"{relative.as_posix()} (removed)")
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed


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
    parser.add_argument("--force", action="store_true",
                        help="execute and rewrite every solution notebook, even one whose source did not change")
    args = parser.parse_args(argv)
    try:
        release(args.root, args.course, args.solutions, run_solutions=not args.no_execute,
                only=args.days, force=args.force)
    except (notebooks.SourceError, RuntimeError) as error:
        sys.exit(f"release failed: {error}")


if __name__ == "__main__":
    main()
