"""``make grade``: grade every submission present, in parallel, and write grades, feedback and
a report.

Submissions arrive in nbgrader's layout, ``<root>/submitted/<student>/<day>/<notebook>.ipynb``.
The steps, in order:
1. build the sources;
2. read the submissions, naming every file that cannot be graded as it is (``intake``);
3. for each day with work to grade, once: ``nbgrader generate_assignment`` into the gradebook,
   a gradebook template and the answer keys (``assignments``);
4. grade each submission that changed since it was last graded (``state``: its notebooks, its
   day's source, the hidden seed, the settings or the grader's code), or those of
   ``--student``/``--day``, or all with ``--force``, in a worker process of its own working copy
   (``worker``), across local processes (one per core) or a Dask cluster (``--scheduler``);
5. store each result in the gradebook as it arrives (``gradebook``), keeping the scores and
   comments given by hand; write the graded notebooks and the feedback HTML
   (``<root>/feedback/<student>/<day>/``), built from the gradebook (``feedback``) where it holds
   a hand-given score, a comment or a late penalty;
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

from . import assignments, feedback, gradebook, intake, report, sandbox, state
from .executors import run_all
from .progress import Progress, summary_table
from .release import REPO, build_sources, generate_assignment, tool_env
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
    for submission in submissions:
        if submission.files:
            template, keys = prepared[submission.day]
            tasks.append(Task(submission.student, submission.day, submission.files, template, keys,
                              dict(settings or {})))
        else:
            gradebook.store(db_url, submission.student, submission.day,
                            timestamp=submission.timestamp, late=late)
    return tasks


def run_tasks(root, db_url, tasks, timestamps, workers, scheduler, incidents, log, late=None):
    """Step 4 and 5: grade, store each result as it arrives, and fill ``incidents``
    ({(student, day): [lines]}); returns ({(student, day): seconds}, {failed (student, day)})."""
    progress = Progress(len(tasks))
    times, failed = {}, set()
    for task, result, error in run_all(grade_one, tasks, workers=workers, scheduler=scheduler):
        key = (task.student, task.day)
        if error:
            incidents[key] = [f"{task.name}: grading failed ({error}); scored 0"]
            failed.add(key)
            gradebook.store(db_url, task.student, task.day, timestamp=timestamps.get(key), late=late)
            for folder in ("autograded", "feedback"):  # no stale feedback of an earlier run
                write_files(root, folder, task, {})
        else:
            gradebook.store(db_url, result.student, result.day, result.grades, result.comments,
                            timestamps.get(key), late)
            write_files(root, "autograded", result, result.autograded)
            write_files(root, "feedback", result, result.feedback)
            incidents[key] = [f"{task.name}: {line}" for line in result.incidents]
            times[key] = result.seconds
            log(f"{task.name}: graded in {result.seconds:.1f} s on {result.worker}")
        progress.advance(failed=bool(error))
    progress.finish()
    return times, failed


def plan(root, db_url, gradable, built, settings, chosen, force):
    """(submissions to grade, [(student, day) kept as graded before], {(student, day): digest}):
    a chosen submission is graded when its fingerprint changed, when the gradebook does not
    hold it, or with ``force``; any other one keeps its grades."""
    grader = state.grader_digest()
    digests = {(s.student, s.day): state.fingerprint(s, built[s.day], settings["hidden_seed"], settings, grader)
               for s in gradable}
    in_gradebook = gradebook.graded(db_url)
    todo, kept = [], []
    for submission in gradable:
        key = (submission.student, submission.day)
        recorded = state.load(root, *key)
        unchanged = key in in_gradebook and recorded and recorded["fingerprint"] == digests[key]
        if chosen(submission) and (force or not unchanged):
            todo.append(submission)
        elif key in in_gradebook and recorded:
            kept.append(key)
    return todo, kept, digests


def chooser(students=None, days=None):
    """Which submissions a run may grade: those of ``students`` and ``days`` (default: all)."""
    return lambda s: (not students or s.student in students) and (not days or s.day in days)


def record(root, todo, failed, digests, incidents):
    """Fingerprints of the submissions graded; a failed one is graded again next time."""
    for submission in todo:
        key = (submission.student, submission.day)
        if key in failed:
            state.forget(root, *key)
        else:
            keep_nbgrader_files(root, submission)
            state.save(root, *key, digests[key], incidents[key])


def rebuild_feedback(root, db_url, pairs, incidents, log):
    """The feedback of ``pairs`` built again from the gradebook where it holds what the
    autograder does not (hand-given scores, comments, late penalties)."""
    if not pairs:
        return
    for (student, day), error in feedback.from_gradebook(root, db_url, pairs, log).items():
        incidents.setdefault((student, day), []).append(
            f"{student}/{day}: feedback from the gradebook failed ({error})")


def grade(root, db_url=None, workers=None, scheduler=None, settings=None, log=print,
          students=None, days=None, force=False):
    """Grade what changed under ``root`` since it was last graded (or, with ``force``, all);
    ``students`` and ``days``, when given, narrow the run to their submissions and grade them
    again. Returns {(student, day): [problem lines]} of every submission present."""
    root = Path(root)
    db_url = db_url or gradebook.default_url(root)
    os.environ.update(tool_env())  # nbgrader runs `alembic` by name when it makes a gradebook
    built = build_sources(root)
    expected = {day: [p.stem for p in paths] for day, paths in built.items()}
    submissions = intake.find_submissions(root, expected, intake.day_signatures(root / "source", built))
    if not submissions:
        log(f"no submissions in {root / 'submitted'}: expected <student>/<day>/<notebook>.ipynb")
    settings = dict(settings or {}, hidden_seed=assignments.hidden_seed(root))
    todo, kept, digests = plan(root, db_url, [s for s in submissions if s.gradable], built, settings,
                               chooser(students, days), force or bool(students or days))
    log(f"{len(todo)} submissions to grade, {len(kept)} unchanged since last graded")

    needed = {s.day: built[s.day] for s in todo if s.files}
    prepared = prepare(root, needed, db_url, workers, settings["hidden_seed"], log) if needed else {}
    late = gradebook.late_plugin(root)
    tasks = make_tasks(todo, prepared, db_url, settings, late)
    timestamps = {(s.student, s.day): s.timestamp for s in submissions}
    incidents = {(s.student, s.day): [] for s in todo}
    times, failed = run_tasks(root, db_url, tasks, timestamps, workers, scheduler, incidents, log, late)
    record(root, todo, failed, digests, incidents)
    incidents.update({key: state.load(root, *key)["problems"] for key in kept})
    graded = [(s.student, s.day) for s in todo if (s.student, s.day) not in failed]
    moved = gradebook.refresh_penalties(db_url, kept, late)
    rebuild_feedback(root, db_url, gradebook.written_by_hand(db_url, graded) | moved, incidents, log)

    problems = {(s.student, s.day): list(s.problems) for s in submissions}
    for key, lines in incidents.items():
        problems.setdefault(key, []).extend(lines)
    problems = {key: lines for key, lines in problems.items() if lines}
    gradebook.export_grades(root, db_url)
    not_graded = {(s.student, s.day): s.problems for s in submissions if not s.gradable}
    report.write(root, root / "report", problems, db_url=db_url, not_graded=not_graded)
    log(summary_table(db_url, times, problems))
    return problems


def keep_nbgrader_files(root, submission):
    """nbgrader's timestamp.txt and submission_secret.txt beside the graded notebooks and the
    feedback, where ``nbgrader generate_feedback`` and ``release_feedback`` look for them."""
    for folder in ("autograded", "feedback"):
        target = root / folder / submission.student / submission.day
        if target.is_dir():
            for name, content in submission.nbgrader_files.items():
                (target / name).write_bytes(content)


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
    parser.add_argument("--student", action="append",
                        help="grade again this student's submissions only (may be repeated)")
    parser.add_argument("--day", action="append", help="grade again this day's submissions only (may be repeated)")
    parser.add_argument("--force", action="store_true",
                        help="grade every submission again, changed or not")
    args = parser.parse_args(argv)
    settings = {"timeout": args.timeout, "submission_budget": args.budget,
                "memory_bytes": int(args.memory_gb * 2**30),
                "max_processes": args.max_processes}
    start = time.monotonic()
    problems = grade(args.root, args.db_url, args.workers, args.scheduler, settings,
                     students=args.student, days=args.day, force=args.force)
    print(f"grades in {args.root / 'grades.csv'}, report in {args.root / 'report'} "
          f"({time.monotonic() - start:.0f} s)")
    for (student, day), lines in sorted(problems.items()):
        for line in lines:
            print(f"NOTE {line}", file=sys.stderr)


if __name__ == "__main__":
    main()
