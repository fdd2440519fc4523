"""The execution layer runs every task once, locally or on a Dask cluster, and a task that raises
or kills its worker is reported without stopping the others.

The Dask workers import this module by name (``test_executors``) to run the task functions
below, so they are started with this directory on their PYTHONPATH; keep the module's imports
light.
"""
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import pytest

from calcopt.instructor.executors import WORKER_DIED, run_all

TESTS = Path(__file__).resolve().parent
DASK = Path(sys.executable).parent / "dask"


@dataclass(frozen=True)
class Task:
    name: str
    payload: bytes = b""
    seconds: float = 0.0
    meeting: str = ""  # a directory where two tasks wait for each other


def work(task):
    """The task function: echoes the task and says which process ran it."""
    if task.name == "raise":
        raise ValueError(f"cannot grade {task.name!r}")
    if task.name == "exit":
        os._exit(3)
    if task.meeting:
        meet(Path(task.meeting))
    time.sleep(task.seconds)
    return {"name": task.name, "size": len(task.payload), "pid": os.getpid(), "ready": READY}


def meet(directory, count=2, timeout=10):
    """Wait until ``count`` processes have arrived in ``directory``: two tasks meeting there
    must be running at the same time, in two processes."""
    (directory / str(os.getpid())).touch()
    deadline = time.monotonic() + timeout
    while len(list(directory.iterdir())) < count and time.monotonic() < deadline:
        time.sleep(0.02)


READY = None


def get_ready():
    """The initializer: run once in each worker process."""
    global READY
    READY = os.getpid()


def fail_to_start():
    raise RuntimeError("no grader here")


def collect(results):
    """{task name: (result, error)}, checking that no task is reported twice."""
    out = {}
    for task, result, error in results:
        assert task.name not in out
        out[task.name] = (result, error)
    return out


# --- local worker processes ---

def test_every_task_runs_once_with_one_worker():
    tasks = [Task(f"t{i}", payload=b"x" * i) for i in range(5)]
    out = collect(run_all(work, tasks, workers=1))
    assert sorted(out) == [t.name for t in tasks]
    assert all(error is None for _, error in out.values())
    assert [out[t.name][0]["size"] for t in tasks] == [0, 1, 2, 3, 4]
    assert len({result["pid"] for result, _ in out.values()} - {os.getpid()}) == 1


def test_results_come_in_the_order_tasks_finish():
    tasks = [Task("slow", seconds=0.5), Task("fast")]
    assert [task.name for task, _, _ in run_all(work, tasks, workers=2)] == ["fast", "slow"]


def test_work_runs_in_more_than_one_process(tmp_path):
    tasks = [Task(f"t{i}", meeting=str(tmp_path)) for i in range(4)]
    pids = {result["pid"] for _, result, _ in run_all(work, tasks, workers=2)}
    assert len(pids) == 2 and os.getpid() not in pids


def test_a_raising_task_is_named_and_the_others_succeed():
    tasks = [Task("a"), Task("raise"), Task("b"), Task("c")]
    out = collect(run_all(work, tasks, workers=2))
    assert out["raise"] == (None, "ValueError: cannot grade 'raise'")
    assert {name: error for name, (_, error) in out.items() if name != "raise"} == dict.fromkeys("abc")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_task_that_kills_its_worker_is_reported_and_the_rest_complete(workers):
    tasks = [Task("a", seconds=0.2), Task("exit"), Task("b"), Task("c"), Task("d")]
    out = collect(run_all(work, tasks, workers=workers))
    assert out["exit"] == (None, WORKER_DIED)
    assert {name: result["name"] for name, (result, error) in out.items() if name != "exit"} \
        == {name: name for name in "abcd"}


def test_the_initializer_runs_once_in_each_worker():
    out = collect(run_all(work, [Task("a"), Task("b")], workers=1, initializer=get_ready))
    assert {result["ready"] for result, _ in out.values()} == {out["a"][0]["pid"]}


def test_an_initializer_that_raises_stops_the_run():
    with pytest.raises(BrokenProcessPool, match="initializer"):
        list(run_all(work, [Task("a")], workers=1, initializer=fail_to_start))


# --- a Dask cluster: a scheduler and two worker processes on this machine ---

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The address of a running Dask scheduler with two single-thread workers (each under its
    nanny, which restarts it if it dies); everything is killed at the end.

    The scheduler hands a worker only as many tasks as it has threads (worker-saturation 1.0),
    so that a worker's death fails only the task that killed it."""
    base = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{free_port()}"
    env = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0",
               PYTHONPATH=os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")])))
    log = open(base / "cluster.log", "wb")
    commands = [["scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1]]]
    commands += [["worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                  "--local-directory", str(base / f"worker{i}")] for i in range(2)]
    processes = []
    try:
        for command in commands:
            processes.append(subprocess.Popen([DASK, *command, "--no-dashboard"], cwd=base, env=env,
                                              stdout=log, stderr=subprocess.STDOUT,
                                              stdin=subprocess.DEVNULL, start_new_session=True))
        try:
            worker_pids(address)
        except Exception as exc:
            raise RuntimeError(f"the Dask cluster did not start: {exc}\n"
                               + (base / "cluster.log").read_text()[-3000:]) from exc
        yield address
    finally:
        for process in reversed(processes):  # workers first, then the scheduler
            kill_group(process, signal.SIGTERM)
        for process in reversed(processes):
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            kill_group(process, signal.SIGKILL)  # the worker under its nanny, if still there
            process.wait()
        log.close()


def kill_group(process, sig):
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def worker_pids(address):
    """The pids of the cluster's two worker processes, once both are up."""
    from distributed import Client

    with Client(address, timeout=20) as client:
        client.wait_for_workers(2, timeout=20)
        return set(client.run(os.getpid).values())


def test_dask_runs_tasks_in_the_worker_processes(cluster, tmp_path):
    pids = worker_pids(cluster)
    assert len(pids) == 2 and os.getpid() not in pids
    tasks = [Task(f"t{i}", payload=bytes(i), meeting=str(tmp_path)) for i in range(4)]
    out = collect(run_all(work, tasks, scheduler=cluster, initializer=get_ready))
    assert all(error is None for _, error in out.values())
    assert [out[t.name][0]["size"] for t in tasks] == [0, 1, 2, 3]
    assert {result["pid"] for result, _ in out.values()} == pids
    assert all(result["ready"] == result["pid"] for result, _ in out.values())


def test_dask_names_a_raising_task_and_runs_the_others(cluster):
    tasks = [Task("a"), Task("raise"), Task("b")]
    out = collect(run_all(work, tasks, scheduler=cluster))
    assert out["raise"] == (None, "ValueError: cannot grade 'raise'")
    assert {name: result["name"] for name, (result, error) in out.items() if name != "raise"} \
        == {"a": "a", "b": "b"}


def test_dask_reports_a_task_that_kills_every_worker_it_runs_on(cluster):
    tasks = [Task("a", seconds=0.2), Task("exit"), Task("b"), Task("c")]
    out = collect(run_all(work, tasks, scheduler=cluster))
    assert out["exit"][0] is None and out["exit"][1].startswith("KilledWorker: ")
    assert {name: result["name"] for name, (result, error) in out.items() if name != "exit"} \
        == {name: name for name in "abc"}
    worker_pids(cluster)  # both workers are back for the next test
