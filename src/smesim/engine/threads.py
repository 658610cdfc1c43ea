"""Threads for the compiled loops: one pool per process, split ranges, no OpenMP.

The kernel (:mod:`smesim.engine.kernel`) and the ensemble's histogram passes are
compiled with numba ``nogil=True``, so plain Python threads run them truly in
parallel.  :func:`split` cuts a range of independent items (blocks of runs,
histogram cells) into chunks and runs ``fn(lo, hi, *args)`` for each on this
process's pool, returning when all are done.  Chunks write disjoint parts of
their outputs, so the results are bit for bit those of one thread.

Why not numba's ``prange``: a ``parallel=True`` function compiles the loop
body a second time (about 2.4 s for the kernel and 0.5-0.8 s for each
histogram pass on a fresh machine, of about 10 s in all), needs a threading
layer (OpenMP threads that spin after each region unless
``OMP_WAIT_POLICY=PASSIVE``, and are not fork-safe), and runs no faster here.

Threads: :data:`numba.config.NUMBA_NUM_THREADS` (the machine's cores, or
``$NUMBA_NUM_THREADS``) unless :func:`set_threads` says otherwise; local
worker processes set it to their share of the cores.  A process forked from
one that used the pool starts pools of its own (``os.register_at_fork``).
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

_lock = threading.Lock()
#: One pool per thread count asked for (a handful at most), never shut down while
#: the process lives, so a caller in another thread never meets a closed pool.
_pools: dict[int, ThreadPoolExecutor] = {}
_threads: int | None = None
#: Chunks per thread: enough to even out a slow thread, few enough to be cheap.
CHUNKS_PER_THREAD = 4


def _after_fork_in_child() -> None:
    """A forked child has none of the parent's pool threads: forget the pools
    (new ones start on first use) instead of queueing work nobody runs."""
    global _lock
    _lock = threading.Lock()
    _pools.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def default_threads() -> int:
    try:
        import numba

        return max(1, int(numba.config.NUMBA_NUM_THREADS))
    except ImportError:  # pragma: no cover - numba is a core dependency
        return max(1, os.cpu_count() or 1)


def get_threads() -> int:
    """Threads the compiled loops use in this process."""
    return _threads if _threads is not None else default_threads()


def set_threads(n: int | None) -> None:
    """Use ``n`` threads (``None``: the default) in this process."""
    global _threads
    if n is not None and n < 1:
        raise ValueError(f"threads must be >= 1 (got {n})")
    _threads = None if n is None else int(n)


def _executor(size: int) -> ThreadPoolExecutor:
    with _lock:
        if size not in _pools:
            _pools[size] = ThreadPoolExecutor(max_workers=size, thread_name_prefix="smesim")
        return _pools[size]


def split(fn: Callable, n: int, *args, threads: int | None = None) -> None:
    """Run ``fn(lo, hi, *args)`` over chunks ``[lo, hi)`` covering ``range(n)``.

    With one thread (or one item) it runs here, in the calling thread.
    """
    t = min(get_threads() if threads is None else threads, n)
    if t <= 1:
        if n > 0:
            fn(0, n, *args)
        return
    k = min(n, t * CHUNKS_PER_THREAD)
    edges = [n * i // k for i in range(k + 1)]
    pool = _executor(t)
    futures = [pool.submit(fn, lo, hi, *args) for lo, hi in itertools.pairwise(edges)]
    for f in futures:
        f.result()
