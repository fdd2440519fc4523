"""`make grade` against nbgrader itself and beyond one machine.

- On honest submissions, the scores of every test cell are those of nbgrader's own serial
  ``nbgrader autograde`` with its stock configuration.
- Given a Dask scheduler, the grading runs on the cluster's worker processes; given a
  PostgreSQL URL, the gradebook lives there. Both against real servers started here.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from calcopt.instructor import grade
from calcopt.instructor.config import STOCK_CONFIG
from calcopt.instructor.release import build_sources, generate_assignment, run_nbgrader, tool_env
from conftest import scratch_course_root
from postgres import postgres_available, missing, running_postgres
from submissions import (DAY, exercise_ids, fill, points_of, solution_sources, student_notebook,
                         submit, wrong)

pytestmark = pytest.mark.slow



def honest_submissions(root):
    answers = solution_sources()
    first, second = exercise_ids()[:2]
    submit(root, "correct", fill(student_notebook(), answers))
    submit(root, "blank", student_notebook())
    submit(root, "one_wrong", fill(student_notebook(), dict(answers, **{first: wrong(answers[first])})))
    submit(root, "one_raises", fill(student_notebook(), dict(answers, **{second: "raise ValueError('oops')"})))


def cell_scores(db_url):
    with Gradebook(db_url) as gradebook:
        return {(submission.student.id, notebook.name, g.name): g.score
                for submission in gradebook.find_assignment(DAY).submissions
                for notebook in submission.notebooks for g in notebook.grades}


def test_grades_equal_those_of_nbgrader_autograde(tmp_path):
    ours = scratch_course_root(tmp_path / "ours")
    honest_submissions(ours)
    grade.grade(ours, log=lambda _: None)

    stock = scratch_course_root(tmp_path / "stock", STOCK_CONFIG)
    honest_submissions(stock)
    build_sources(stock, [DAY])
    generate_assignment(stock, DAY)
    result = run_nbgrader(["autograde", DAY, "--force"], stock)
    assert result.returncode == 0, result.stdout + result.stderr

    theirs = cell_scores(f"sqlite:///{stock / 'gradebook.db'}")
    assert len(theirs) == 4 * len(exercise_ids())
    assert cell_scores(f"sqlite:///{ours / 'gradebook.db'}") == theirs


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster():
    """A Dask scheduler and two single-threaded worker processes on 127.0.0.1."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = shutil.which("dask", path=os.path.dirname(sys.executable))
    # With the default saturation a task queued behind a crashing one is blamed with it.
    env = dict(tool_env(), DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0")
    processes = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                   "--no-dashboard"], env=env, start_new_session=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    for _ in range(2):
        processes.append(subprocess.Popen(
            [dask, "worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
             "--host", "127.0.0.1", "--memory-limit", "0"], env=tool_env(), start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    from distributed import Client
    with Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=120)
        pids = set(client.run(os.getpid).values())
    yield address, pids
    for process in reversed(processes):
        os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_grading_on_a_dask_cluster_into_a_postgresql_gradebook(tmp_path, dask_cluster):
    if not postgres_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {missing()}")
        pytest.skip(missing())
    address, worker_pids = dask_cluster
    root = scratch_course_root(tmp_path / "course")
    answers = solution_sources()
    first = exercise_ids()[0]
    submit(root, "correct", fill(student_notebook(), answers))
    submit(root, "one_wrong", fill(student_notebook(), dict(answers, **{first: wrong(answers[first])})))
    lines = []
    with running_postgres(tmp_path / "pg") as url:
        grade.grade(root, db_url=url, scheduler=address, log=lines.append)
        with Gradebook(url) as gradebook:
            totals = {s.student.id: (s.score, s.max_score) for s in gradebook.find_assignment(DAY).submissions}
    full = sum(points_of(g) for g in exercise_ids())
    assert totals == {"correct": (full, full), "one_wrong": (full - points_of(first), full)}
    assert not (root / "gradebook.db").exists()
    assert (root / "grades.csv").read_text().count(DAY) == 2
    graded_on = {line.rsplit(":", 1)[1] for line in lines if " graded in " in line}
    assert len([line for line in lines if " graded in " in line]) == 2
    assert graded_on <= {str(pid) for pid in worker_pids}
