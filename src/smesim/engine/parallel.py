"""Where batches of runs execute: in this process, in local processes, or on Dask.

Ensembles and sensitivity studies split their runs into independent *tasks*
(a picklable function applied to a picklable argument) whose results are
merged by the caller.  Three executors run them:

in-process (default)
    Tasks run one after another here; the compiled kernel already spreads
    each batch over every core with threads (:mod:`smesim.engine.threads`), so this is
    the fastest choice on one machine and needs no pickling.
local processes (``workers=N``)
    A ``spawn`` process pool of N workers, each limited to
    ``cpu_count // N`` kernel threads so the machine is not oversubscribed.
    Useful without numba (the NumPy backend is single-threaded) or to isolate
    runs.
Dask (``scheduler="tcp://host:port"``)
    The same tasks on an existing ``dask.distributed`` cluster (extra
    ``smesim[distributed]``); workers need smesim installed.  Each task's
    compiled loops use as many threads as its worker has (``nthreads``).
    Connecting gives up after ``$SMESIM_DASK_CONNECT_TIMEOUT`` (default ``10s``).

Results are handed to ``on_result`` as tasks finish (completion order), so a
caller that merges them keeps memory bounded; callers make their merge
independent of order, which is what makes results identical for any executor,
worker count or task size.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import as_completed as futures_as_completed
from dataclasses import dataclass

from smesim.engine.threads import set_threads
from smesim.errors import SchedulerError


@dataclass(frozen=True)
class Execution:
    """How to run tasks.

    Attributes
    ----------
    workers : int or None
        Local worker processes; ``None`` or 0 runs tasks in this process.
    scheduler : str or None
        Address of a ``dask.distributed`` scheduler; overrides ``workers``.
    """

    workers: int | None = None
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 0:
            raise ValueError(f"workers must be >= 0 (got {self.workers})")

    @property
    def kind(self) -> str:
        if self.scheduler:
            return "dask"
        return "processes" if self.workers else "in-process"

    def describe(self) -> dict:
        return {"executor": self.kind, "workers": self.workers, "scheduler": self.scheduler}


def _limit_threads(n_threads: int) -> None:
    """Process-pool initializer: cap the compiled loops' threads in each worker."""
    set_threads(max(1, n_threads))


def run_tasks(
    fn: Callable,
    tasks: Sequence,
    execution: Execution | None = None,
    on_result: Callable[[int, object], None] | None = None,
) -> None:
    """Apply ``fn`` to every task; call ``on_result(i, result)`` as each finishes.

    Parameters
    ----------
    fn : callable
        A module-level function (picklable by reference).
    tasks : sequence
        Picklable arguments, one per task.
    execution : Execution, optional
        Where to run (default: in this process).
    on_result : callable, optional
        Receives the task index and its result, in completion order.
    """
    execution = execution or Execution()
    on_result = on_result or (lambda i, r: None)
    if execution.kind == "dask":
        _run_dask(fn, tasks, execution.scheduler, on_result)
    elif execution.kind == "processes":
        _run_processes(fn, tasks, execution.workers, on_result)
    else:
        for i, task in enumerate(tasks):
            on_result(i, fn(task))


def _run_processes(fn, tasks, workers: int, on_result) -> None:
    threads = max(1, (os.cpu_count() or 1) // workers)
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp.get_context("spawn"),
        initializer=_limit_threads,
        initargs=(threads,),
    ) as pool:
        futures = {pool.submit(fn, t): i for i, t in enumerate(tasks)}
        try:
            for fut in futures_as_completed(futures):
                on_result(futures[fut], fut.result())
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise


def _dask_task(fn: Callable, task):
    """``fn(task)`` on a Dask worker, the compiled loops limited to the worker's
    threads (its ``nthreads``: the cores the cluster gave it), so several worker
    processes on one host do not each take every core."""
    try:
        from distributed import get_worker  # optional: smesim[distributed]

        worker = get_worker()
        n = getattr(getattr(worker, "state", None), "nthreads", None) or worker.nthreads
    except Exception:  # not on a worker (e.g. a test calling this directly)
        n = None
    if n:
        set_threads(int(n))
    return fn(task)


def _run_dask(fn, tasks: Iterable, address: str, on_result) -> None:
    try:
        from distributed import Client, as_completed  # optional: smesim[distributed]
    except ImportError:
        raise SchedulerError(
            "--scheduler needs dask.distributed: pip install 'smesim[distributed]'"
        ) from None
    timeout = os.environ.get("SMESIM_DASK_CONNECT_TIMEOUT", "10s")
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(f"scheduler {address}: cannot connect ({exc})") from None
    try:
        tasks = list(tasks)
        futures = client.map(_dask_task, [fn] * len(tasks), tasks, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in as_completed(futures, loop=client.loop):
            on_result(index[fut.key], fut.result())
            fut.release()
    finally:
        client.close()
