"""The compiled kernel (smesim.engine.kernel) against the NumPy reference path.

Every output column, random parameter sets within the registry bounds, every
bundled scenario (ramps included) and per-run lever paths: a change to a
sector module that is not mirrored in the kernel fails here.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from smesim import ParameterSet, build_plan, load_scenario
from smesim.analysis.run import simulate_scenario as simulate
from smesim.engine import kernel
from smesim.engine.integrate import integrate, resolve_backend
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import bundled_names
from smesim.model.levers import LEVERS
from smesim.model.outputs import ALL_COLUMNS
from smesim.model.params import PARAMETERS

ATOL = 1e-9
RTOL = 1e-12
SPREAD = 0.1


def random_parameters(n: int, seed: int, spread: float = SPREAD) -> ParameterSet:
    """``n`` runs: every parameter drawn uniformly within its bounds, around its default.

    Each value is ``default + U(-spread, spread) * (upper - lower)``, clipped to
    the bounds: wide enough that every term of every equation moves, narrow
    enough that the model stays in its valid region.  The four SME employment
    shares move by +-1 % of their range only: their bounds allow a sum above 100,
    which leaves the 500+ class negative (both paths then return NaN).
    """
    rng = np.random.default_rng(seed)
    lo = np.array([p.lower for p in PARAMETERS])
    hi = np.array([p.upper for p in PARAMETERS])
    default = np.array([p.value for p in PARAMETERS])
    width = np.array(
        [spread / 10 if p.name.startswith("init_employment_share") else spread for p in PARAMETERS]
    )
    u = rng.uniform(-1, 1, size=(n, lo.size)) * width
    return ParameterSet(np.clip(default + u * (hi - lo), lo, hi), source=f"random:{seed}")


def assert_same(a, b, label):
    assert a.data.shape == b.data.shape
    for j, col in enumerate(ALL_COLUMNS):
        np.testing.assert_allclose(
            b.outputs()[:, :, j],
            a.outputs()[:, :, j],
            rtol=RTOL,
            atol=ATOL,
            err_msg=f"{label}: column {col}",
        )


@pytest.mark.parametrize("name", bundled_names())
def test_kernel_equals_numpy_on_every_bundled_scenario(name):
    scenario = load_scenario(name)
    params = random_parameters(40, seed=len(name))
    ref = simulate(scenario, params, backend="numpy")
    fast = simulate(scenario, params, backend="numba")
    assert fast.meta["backend"] == "numba" and ref.meta["backend"] == "numpy"
    assert np.isfinite(ref.data).all()
    assert_same(ref, fast, name)


def test_kernel_equals_numpy_for_the_default_run_serial_and_threaded():
    ref = simulate(backend="numpy")
    assert_same(ref, simulate(backend="numba"), "single run")
    params = random_parameters(kernel.PARALLEL_MIN_RUNS + 3, seed=7)
    ref = simulate(params=params, backend="numpy")
    fast = simulate(params=params, backend="numba")  # threaded path (batch >= threshold)
    assert_same(ref, fast, "threaded batch")


def test_kernel_equals_numpy_with_per_run_lever_paths_and_other_grids():
    params = random_parameters(12, seed=3)
    rng = np.random.default_rng(11)
    overrides = {lv.id: rng.uniform(lv.lower, lv.upper, size=12) for lv in LEVERS}
    for dt, until in ((1 / 16, 2060), (1 / 4, 2040), (1 / 32, 2020)):
        ref = simulate(
            params=params, lever_overrides=overrides, backend="numpy", dt=dt, until=until
        )
        fast = simulate(
            params=params, lever_overrides=overrides, backend="numba", dt=dt, until=until
        )
        assert_same(ref, fast, f"dt={dt} until={until}")
    # overrides from a policy year on, on top of a scenario with ramps
    sc = load_scenario("coexistence_package")
    ref = simulate(sc, params, lever_overrides=overrides, overrides_from=2030.5, backend="numpy")
    fast = simulate(sc, params, lever_overrides=overrides, overrides_from=2030.5, backend="numba")
    assert_same(ref, fast, "overrides from 2030.5")
    before = simulate(sc, params, backend="numba")
    np.testing.assert_array_equal(fast.outputs()[:, :19], before.outputs()[:, :19])  # 2012-2030
    assert not np.allclose(fast.outputs()[:, 20:], before.outputs()[:, 20:])


def test_backend_selection(monkeypatch):
    monkeypatch.setenv("SMESIM_BACKEND", "numpy")
    assert resolve_backend("auto") == "numpy"
    assert simulate(until=2015).meta["backend"] == "numpy"
    monkeypatch.setenv("SMESIM_BACKEND", "numba")
    assert resolve_backend() == "numba"
    monkeypatch.delenv("SMESIM_BACKEND")
    assert resolve_backend("auto") == "numba"
    with pytest.raises(ValueError, match="backend must be one of"):
        simulate(until=2015, backend="fortran")


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_outputs_into_a_reused_buffer(backend):
    """``integrate(out=...)`` writes in place, whatever the buffer held before;
    rows before ``start`` are left to the caller; a wrong buffer is refused."""
    scenario = load_scenario("coexistence_package")
    params = random_parameters(70, seed=5)
    plan = build_plan(scenario, get_profile("korea"), params, until=2040)
    used = resolve_backend(backend)
    args = (
        plan.levers[0][:, :, None],
        plan.t,
        plan.steps_per_year,
        plan.exogenous,
        plan.baseline_levers[:, None],
    )
    ref, state = integrate(params, *args, backend=used, cells=True, save_at=16 * 10)
    buf = np.full(ref.shape, 123.0)
    got = integrate(params, *args, backend=used, cells=True, out=buf)
    assert got is buf
    np.testing.assert_array_equal(buf, ref)
    buf[:] = -1.0
    integrate(params, *args, backend=used, cells=True, out=buf, start=(16 * 10, state))
    np.testing.assert_array_equal(buf[:, :10], -1.0)  # before the start: untouched
    np.testing.assert_array_equal(buf[:, 10:], ref[:, 10:])
    with pytest.raises(ValueError, match="out must"):
        integrate(params, *args, backend=used, cells=True, out=np.empty(ref.shape[::-1]))


def test_one_thread_and_all_threads_agree_bit_for_bit(monkeypatch):
    """``threads=False`` (or one thread for the process) runs the kernel in the
    calling thread: the same numbers as on the pool, bit for bit."""
    from smesim.engine import threads

    params = random_parameters(kernel.PARALLEL_MIN_RUNS * 5 + 3, seed=8)
    many = simulate(params=params, backend="numba", until=2040)
    two = threads.get_threads()
    orig = kernel.integrate
    monkeypatch.setattr(kernel, "integrate", lambda *a, **k: orig(*a, **{**k, "threads": False}))
    one = simulate(params=params, backend="numba", until=2040)
    assert threads.get_threads() == two
    np.testing.assert_array_equal(one.data, many.data)
    monkeypatch.undo()
    for n in (1, 3, 7):  # odd splits of the blocks over the pool
        threads.set_threads(n)
        try:
            again = simulate(params=params, backend="numba", until=2040)
        finally:
            threads.set_threads(None)
        np.testing.assert_array_equal(again.data, many.data)
