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
must be able to import ``fn`` (and ``initializer``) by module name, like local workers.
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
        return _run_local(fn, tasks, workers or os.cpu_count() or 1, initializer)
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


def _start_method():
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _run_local(fn, tasks, workers, initializer):
    def new_pool():
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(_start_method()),
                                   initializer=initializer)

    def start(queue):
        future = pool.submit(_call, fn, queue[0])  # leaves the task queued if the pool is broken
        running[future] = queue.popleft()

    pending = deque(tasks)   # not started yet
    suspects = deque()       # in flight when a worker died: each runs again on its own
    running = {}             # future -> task; at most one per worker, so none waits behind a crash
    pool = new_pool()
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
                    pool = new_pool()
                    continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            alone = len(running) == 1
            if any(isinstance(future.exception(), BrokenProcessPool) for future in done):
                done, _ = wait(running)  # the pool is broken: every task in flight ends now
                pool.shutdown()
                pool = new_pool()
            for future in done:
                task = running.pop(future)
                exc = future.exception()
                if isinstance(exc, BrokenProcessPool):
                    if alone:
                        yield task, None, WORKER_DIED
                    else:
                        suspects.append(task)
                elif exc is not None:  # e.g. a result that cannot be pickled
                    yield task, None, describe(exc)
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
