"""``make grade``: grade every submission present, in parallel, and write grades, feedback and
a report.

Submissions arrive in nbgrader's layout, ``<root>/submitted/<student>/<day>/<notebook>.ipynb``.
The steps, in order:
1. build the sources; ``nbgrader generate_assignment`` each day into the gradebook;
2. per day, once: a gradebook template and the answer keys (``assignments``);
3. read the submissions, naming every file that cannot be graded as it is (``intake``);
4. grade each submission in a worker process of its own working copy (``worker``), across
   local processes (one per core) or a Dask cluster (``--scheduler``), with a progress line;
5. store each result in the gradebook as it arrives (``gradebook``), write the graded
   notebooks and the feedback HTML (``<root>/feedback/<student>/<day>/``);
6. ``nbgrader export`` to ``<root>/grades.csv`` and the instructor report in ``<root>/report/``.

Whatever a submission does, the others are graded and the command exits 0 once the grades are
written; what went wrong is named, one line each, at the end and in the report.
"""
import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from . import assignments, gradebook, intake, report, sandbox
from .executors import run_all
from .progress import Progress, summary_table
from .release import REPO, build_sources, generate_assignment, run_nbgrader
from .worker import Task, grade_one


def prepare_day(args):
    """(template, {notebook: key}) of one day; runs in a worker process."""
    root, day, notebook_paths, seed = args
    template = assignments.gradebook_template(root, day)
    keys = {Path(p).stem: assignments.answer_key(p, Path(root) / "keys" / day, seed) for p in notebook_paths}
    return template, keys


def prepare(root, days, db_url, workers, seed, log):
    """Step 1 and 2 for ``days`` ({day: [source notebooks]}): {day: (template, keys)}."""
    for day in days:
        generate_assignment(root, day, db_url)
    prepared = {}
    jobs = [(str(root), day, [str(p) for p in paths], seed) for day, paths in days.items()]
    for (_, day, _, _), value, error in run_all(prepare_day, jobs, workers=workers):
        if error:
            raise RuntimeError(f"preparing {day}: {error}")
        log(f"{day}: answer key ready")
        prepared[day] = value
    return prepared


def write_files(root, folder, task, files):
    """Replace ``<root>/<folder>/<student>/<day>/`` by ``files`` (none: just remove it)."""
    target = Path(root) / folder / task.student / task.day
    shutil.rmtree(target, ignore_errors=True)
    for relative, content in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def make_tasks(submissions, prepared, db_url, settings, late=None):
    """A task per gradable submission; one with nothing readable scores 0 at once."""
    tasks = []
    for submission in (s for s in submissions if s.gradable):
        if submission.files:
            template, keys = prepared[submission.day]
            tasks.append(Task(submission.student, submission.day, submission.files, template, keys,
                              dict(settings or {})))
        else:
            gradebook.store(db_url, submission.student, submission.day,
                            timestamp=submission.timestamp, late=late)
    return tasks


def run_tasks(root, db_url, tasks, timestamps, workers, scheduler, problems, log, late=None):
    """Step 4 and 5: grade, store each result as it arrives; returns {(student, day): seconds}."""
    progress = Progress(len(tasks))
    times = {}
    for task, result, error in run_all(grade_one, tasks, workers=workers, scheduler=scheduler):
        key = (task.student, task.day)
        if error:
            problems.setdefault(key, []).append(f"{task.name}: grading failed ({error}); scored 0")
            gradebook.store(db_url, task.student, task.day, timestamp=timestamps.get(key), late=late)
            for folder in ("autograded", "feedback"):  # no stale feedback of an earlier run
                write_files(root, folder, task, {})
        else:
            gradebook.store(db_url, result.student, result.day, result.grades, result.comments,
                            timestamps.get(key), late)
            write_files(root, "autograded", result, result.autograded)
            write_files(root, "feedback", result, result.feedback)
            problems.setdefault(key, []).extend(f"{task.name}: {line}" for line in result.incidents)
            times[key] = result.seconds
            log(f"{task.name}: graded in {result.seconds:.1f} s on {result.worker}")
        progress.advance(failed=bool(error))
    progress.finish()
    return times


def grade(root, db_url=None, workers=None, scheduler=None, settings=None, log=print):
    """Grade everything under ``root``; returns {(student, day): [problem lines]}."""
    root = Path(root)
    db_url = db_url or gradebook.default_url(root)
    built = build_sources(root)
    expected = {day: [p.stem for p in paths] for day, paths in built.items()}
    submissions = intake.find_submissions(root, expected, intake.day_signatures(root / "source", built))
    if not submissions:
        log(f"no submissions in {root / 'submitted'}: expected <student>/<day>/<notebook>.ipynb")
    problems = {(s.student, s.day): list(s.problems) for s in submissions if s.problems}
    needed = {s.day: built[s.day] for s in submissions if s.gradable}
    settings = dict(settings or {}, hidden_seed=assignments.hidden_seed(root))
    prepared = prepare(root, needed, db_url, workers, settings["hidden_seed"], log) if needed else {}
    late = gradebook.late_plugin(root)
    tasks = make_tasks(submissions, prepared, db_url, settings, late)
    timestamps = {(s.student, s.day): s.timestamp for s in submissions}
    times = run_tasks(root, db_url, tasks, timestamps, workers, scheduler, problems, log, late)
    for submission in submissions:  # nbgrader release_feedback reads them there
        folder = root / "feedback" / submission.student / submission.day
        if folder.is_dir():
            for name, content in submission.nbgrader_files.items():
                (folder / name).write_bytes(content)

    problems = {key: lines for key, lines in problems.items() if lines}
    export = run_nbgrader(["export", "--to", "grades.csv"], root, db_url=db_url)
    if export.returncode != 0:
        raise RuntimeError(f"nbgrader export failed:\n{export.stdout}{export.stderr}")
    not_graded = {(s.student, s.day): s.problems for s in submissions if not s.gradable}
    report.write(root, root / "report", problems, db_url=db_url, not_graded=not_graded)
    log(summary_table(db_url, times, problems))
    return problems


def main(argv=None):
    sandbox.private_process()  # the environment may hold the gradebook's password
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=REPO / "autograder", type=Path, help="nbgrader course root")
    # Read from the environment by default: a command line (and a password in it) is
    # readable by every process on the machine, a process's environment is not.
    parser.add_argument("--db-url", default=os.environ.get("CALCOPT_DB") or None,
                        help="gradebook as an SQLAlchemy URL (default: $CALCOPT_DB, else <root>/gradebook.db)")
    parser.add_argument("--workers", type=int,
                        help="local worker processes (default: one per core)")
    parser.add_argument("--scheduler",
                        help="Dask scheduler address, e.g. tcp://host:8786, to grade on a cluster")
    parser.add_argument("--timeout", type=int, default=60, help="seconds allowed per cell")
    parser.add_argument("--budget", type=int, default=600, help="seconds allowed per submission")
    parser.add_argument("--memory-gb", type=float, default=4.0, help="memory cap per kernel")
    parser.add_argument("--max-processes", type=int, default=1024,
                        help="processes and threads per kernel (where a cgroup pids controller is writable)")
    args = parser.parse_args(argv)
    settings = {"timeout": args.timeout, "submission_budget": args.budget,
                "memory_bytes": int(args.memory_gb * 2**30),
                "max_processes": args.max_processes}
    start = time.monotonic()
    problems = grade(args.root, args.db_url, args.workers, args.scheduler, settings)
    print(f"grades in {args.root / 'grades.csv'}, report in {args.root / 'report'} "
          f"({time.monotonic() - start:.0f} s)")
    for (student, day), lines in sorted(problems.items()):
        for line in lines:
            print(f"NOTE {line}", file=sys.stderr)


if __name__ == "__main__":
    main()
