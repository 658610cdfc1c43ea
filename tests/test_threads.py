"""smesim.engine.threads: ranges split over the process's pool, exactly once each."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from smesim.engine import threads


@pytest.mark.parametrize("n", [0, 1, 2, 5, 31, 1000])
@pytest.mark.parametrize("count", [1, 2, 3])
def test_split_covers_the_range_once(n, count):
    seen = np.zeros(n, dtype=int)
    lock = threading.Lock()
    names = set()

    def part(lo, hi, out):
        with lock:
            out[lo:hi] += 1
            names.add(threading.current_thread().name)

    threads.set_threads(count)
    try:
        threads.split(part, n, seen)
    finally:
        threads.set_threads(None)
    assert (seen == 1).all()
    if count == 1 or n <= 1:  # runs in the calling thread
        assert names <= {threading.current_thread().name}


def test_errors_in_a_chunk_reach_the_caller():
    def part(lo, hi):
        if lo <= 3 < hi:
            raise ValueError("chunk failed")

    threads.set_threads(2)
    try:
        with pytest.raises(ValueError, match="chunk failed"):
            threads.split(part, 10)
    finally:
        threads.set_threads(None)


def test_thread_count_setting():
    assert threads.get_threads() == threads.default_threads() >= 1
    threads.set_threads(3)
    assert threads.get_threads() == 3
    threads.set_threads(None)
    assert threads.get_threads() == threads.default_threads()
    with pytest.raises(ValueError, match="threads must be >= 1"):
        threads.set_threads(0)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
# Python 3.12+ warns on fork() with threads alive: that is what these tests test
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_gets_pools_of_its_own():
    """After fork the parent's pool threads do not exist in the child: work
    submitted there must still run (not wait forever)."""
    import multiprocessing as mp

    threads.set_threads(2)
    try:
        threads.split(lambda lo, hi: None, 8)  # the parent's pool exists now
        ctx = mp.get_context("fork")
        with ctx.Pool(1) as pool:
            result = pool.apply_async(_split_in_child)
            assert result.get(timeout=60) == list(range(8))
    finally:
        threads.set_threads(None)


def _split_in_child():
    out = [None] * 8

    def part(lo, hi):
        for i in range(lo, hi):
            out[i] = i

    threads.set_threads(2)
    threads.split(part, 8)
    return out


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
# Python 3.12+ warns on fork() with threads alive: that is what these tests test
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_the_kernel_runs_in_a_forked_child_after_running_in_the_parent():
    """The EMA-Workbench pattern: a multiprocessing 'fork' pool after the parent
    has simulated (OpenMP layers hang here; smesim's own threads do not)."""
    import multiprocessing as mp

    parent = _batch_outputs()
    assert parent.shape[0] == 200
    with mp.get_context("fork").Pool(1) as pool:
        child = pool.apply_async(_batch_outputs).get(timeout=120)
    np.testing.assert_array_equal(child, parent)


def _batch_outputs():
    from smesim.analysis.run import simulate_scenario
    from smesim.inputs.profiles import get_profile

    p = get_profile("korea").parameter_set()
    return simulate_scenario(params=p.with_values([], np.empty((200, 0))), until=2030).outputs()
