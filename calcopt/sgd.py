"""Day 5: helpers for stochastic gradient descent that are not graded exercises.

- ``standardized(X)``: columns scaled to mean 0 and standard deviation 1.
- ``low_rank_ratings(...)``: a ratings matrix drawn from a stated low-rank model, with a mask
  of observed entries (the matrix-factorisation case study).
- ``gloo_allreduce_mean(shard_grads, shard_sizes)``: the real thing, two processes on
  127.0.0.1 with ``torch.distributed`` (gloo backend) summing ``n_k g_k`` with ``all_reduce``
  and dividing by the total count. Returns None, quietly, where the loopback network or
  process creation is unavailable. ``allreduce_worker`` is the function each process runs
  (importable, as the spawn start method needs).
"""
import os
import queue as queue_module
import socket
import time
from datetime import timedelta

import numpy as np


def standardized(X):
    """X (n, d) as float64 with every column at mean 0 and standard deviation 1."""
    X = np.asarray(X, dtype=np.float64)
    return (X - X.mean(axis=0)) / X.std(axis=0)


def low_rank_ratings(num_users=60, num_items=40, rank=3, observed=0.3, noise=0.1, seed=0):
    """A ratings matrix R = U V^T + noise, U (num_users, rank) and V (num_items, rank) with
    N(0, 1) entries, noise N(0, noise^2), and a boolean mask with each entry observed with
    probability ``observed``. Returns (R, mask, U, V), all from ``np.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    U = rng.normal(size=(num_users, rank))
    V = rng.normal(size=(num_items, rank))
    R = U @ V.T + noise * rng.normal(size=(num_users, num_items))
    mask = rng.uniform(size=R.shape) < observed
    return R, mask, U, V


def loopback_available():
    """True when a TCP connection to 127.0.0.1 can be made from this process."""
    try:
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            with socket.create_connection(server.getsockname(), timeout=1.0):
                pass
        return True
    except OSError:
        return False


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def allreduce_worker(rank, world_size, port, grad, size, queue, timeout_seconds):
    """One process of the data-parallel demo: join the gloo group on 127.0.0.1:port, then
    all_reduce (sum) size * grad and the count, and put (rank, sum / count) on the queue."""
    devnull = os.open(os.devnull, os.O_WRONLY)  # keep the notebook's stderr clean
    os.dup2(devnull, 2)
    try:
        import torch
        import torch.distributed as dist

        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                                world_size=world_size,
                                timeout=timedelta(seconds=timeout_seconds))
        weighted = torch.tensor(np.asarray(grad, dtype=np.float64) * size)
        count = torch.tensor([float(size)], dtype=torch.float64)
        dist.all_reduce(weighted, op=dist.ReduceOp.SUM)
        dist.all_reduce(count, op=dist.ReduceOp.SUM)
        queue.put((rank, (weighted / count).numpy()))
        dist.destroy_process_group()
    except Exception as error:  # reported to the parent, which decides what to say
        queue.put((rank, repr(error)))


def gloo_allreduce_mean(shard_grads, shard_sizes, timeout_seconds=20.0):
    """The weighted mean sum_k n_k g_k / sum_k n_k computed by len(shard_grads) real
    processes with torch.distributed (gloo, 127.0.0.1), one shard gradient each.

    Returns a list with each rank's result (float64 arrays, all equal), or None when the
    loopback network or the processes are unavailable or do not finish in time.
    """
    if not loopback_available():
        return None
    import multiprocessing as mp

    context = mp.get_context("spawn")
    queue = context.Queue()
    port, world_size = _free_port(), len(shard_grads)
    processes = []
    try:
        for rank in range(world_size):
            p = context.Process(target=allreduce_worker,
                                args=(rank, world_size, port, np.asarray(shard_grads[rank]),
                                      float(shard_sizes[rank]), queue, timeout_seconds))
            p.start()
            processes.append(p)
        results = {}
        deadline = time.monotonic() + timeout_seconds + 30  # + the time to import torch
        while len(results) < world_size and time.monotonic() < deadline:
            try:
                rank, value = queue.get(timeout=0.2)
                results[rank] = value
            except queue_module.Empty:
                if any(p.exitcode not in (None, 0) for p in processes):
                    break  # a process died before reporting: give up at once
        if len(results) < world_size:
            results = None
    except Exception:
        results = None
    finally:
        for p in processes:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
                p.join()
    if results is None or any(isinstance(v, str) for v in results.values()):
        return None
    return [results[rank] for rank in range(world_size)]
