"""Run one pure function over many tasks: on local worker processes, or on a Dask cluster.

    for task, result, error in run_all(grade_one, tasks):
        ...

``run_all`` yields ``(task, result, error)`` in the order the tasks finish. ``error`` is None
on success, else one line naming what went wrong: the exception ``fn`` raised
(``"ValueError: bad cell"``) or the death of the worker process that ran it. One failing task
never stops the others.

Locally, ``workers`` processes (one per core by default) are started once and kept for the whole
run, so whatever a task leaves behind in its process (an imported library, a started helper
process) is reused by the next task there; ``initializer`` runs once in each. They are started
with 'forkserver' (or 'spawn' where there is no forkserver), never by forking the caller, which
may hold threads. When a worker process dies, the tasks that were in flight with it are run
again one at a time in fresh processes, so that only the task that kills its worker is
reported, and the remaining tasks go on.

Given ``scheduler="tcp://host:port"``, the tasks run on that Dask cluster instead; its workers
must be able to import ``fn`` (and ``initializer``) by module name, like local workers, and
``initializer`` runs on the workers present at the start. A task whose worker dies is run
again elsewhere; one that kills every worker it runs on (four by default) is reported as
``KilledWorker``. Start the scheduler with ``distributed.scheduler.worker-saturation: 1.0``
(``DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION=1.0``), so that a worker holds only the
tasks it runs: otherwise a task queued behind one that kills the worker is blamed with it.
"""
import multiprocessing
import os
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

WORKER_DIED = "BrokenProcessPool: the worker process running this task died"


def run_all(fn, tasks, *, workers=None, scheduler=None, initializer=None):
    """Yield ``(task, result, error)`` for every task, in the order they complete."""
    if scheduler is None:
        return _run_local(fn, tasks, workers or len(os.sched_getaffinity(0)) or 1, initializer)
    return _run_dask(fn, tasks, scheduler, initializer)


def describe(exc):
    """``"TypeName: message"`` on one line."""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _call(fn, task):
    """Run in the worker: ``(result, None)``, or ``(None, error)`` if ``fn`` raised.

    The error is made into a string here, so an exception that cannot be pickled back to the
    caller is still reported by name."""
    try:
        return fn(task), None
    except Exception as exc:
        return None, describe(exc)


def _start_pool(workers, initializer):
    """A process pool whose workers have all started and run ``initializer``.

    They are started before any task: on Python 3.11, a worker started on demand while another
    one dies can leave the pool hung for good."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                               initializer=initializer)
    started = [pool.submit(os.getpid) for _ in range(workers)]  # each submit starts a process
    if any(isinstance(future.exception(), BrokenProcessPool) for future in started):
        pool.shutdown()
        raise BrokenProcessPool("a worker process died as it started: does the initializer raise?")
    return pool


def _died(future):
    """Whether the worker running ``future`` died, or the pool broke before it ran."""
    return not future.done() or isinstance(future.exception(), BrokenProcessPool)


def _run_local(fn, tasks, workers, initializer):
    def start(queue):
        future = pool.submit(_call, fn, queue[0])  # leaves the task queued if the pool is broken
        running[future] = queue.popleft()

    pending = deque(tasks)   # not started yet
    suspects = deque()       # in flight when a worker died: each runs again on its own
    running = {}             # future -> task; at most one per worker, so none waits behind a crash
    workers = min(workers, len(pending))
    if not workers:
        return
    pool = _start_pool(workers, initializer)
    try:
        while pending or suspects or running:
            try:
                if suspects and not running:
                    start(suspects)
                while pending and not suspects and len(running) < workers:
                    start(pending)
            except BrokenProcessPool:  # a worker died since the last wait
                if not running:        # with no task in it: start afresh
                    pool.shutdown()
                    pool = _start_pool(workers, initializer)
                    continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            alone = len(running) == 1
            if any(_died(future) for future in done):
                # The pool fails every task in flight; once it is shut down, a task submitted
                # as it broke, which it never took, is counted with them.
                pool.shutdown()
                pool = _start_pool(workers, initializer)
                done = list(running)
            for future in done:
                task = running.pop(future)
                if _died(future):
                    if alone:
                        yield task, None, WORKER_DIED
                    else:
                        suspects.append(task)
                elif future.exception() is not None:  # e.g. a result that cannot be pickled
                    yield task, None, describe(future.exception())
                else:
                    yield (task, *future.result())
    finally:
        pool.shutdown(cancel_futures=True)


def _run_dask(fn, tasks, scheduler, initializer):
    from distributed import Client, as_completed

    with Client(scheduler) as client:
        if initializer is not None:
            client.run(initializer)
        futures = {client.submit(_call, fn, task, pure=False): task for task in tasks}
        for future in as_completed(futures):
            task = futures.pop(future)
            try:
                result, error = future.result()
            except Exception as exc:  # e.g. KilledWorker: the task killed every worker it ran on
                result, error = None, describe(exc)
            yield task, result, error
