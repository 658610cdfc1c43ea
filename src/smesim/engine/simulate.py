"""Integrate the model for a batch of runs and collect the canonical outputs.

Integration is explicit Euler on a fixed step ``dt`` (default 1/16 yr; ``1/dt``
must be a whole number so reporting years fall on the grid).  Euler is what
Vensim, Stella and PySD use by default, so an XMILE export of the model
reproduces smesim's trajectories step for step.  The integration-error test
(tests/test_model.py) halves the step and bounds the change of every reported
series.

Levers are evaluated once on the whole grid (shape ``(n_times, n_levers,
n_runs_or_1)``), exogenous tables likewise: nothing is parsed or interpolated
inside the loop.

Backends.  ``"numpy"`` is the reference: the batched sector modules of
:mod:`smesim.model`, one vectorised step at a time (fast for large batches,
~0.2 s for a batch of one because per-operation overhead dominates).
``"numba"`` runs the compiled kernel :mod:`smesim.engine.kernel`, which mirrors the
same arithmetic per run (verified against the NumPy path in
``tests/test_kernel.py``; < 1 ms a run).  ``"auto"`` (default) uses numba when
it is installed (extra ``smesim[fast]``), else NumPy; the environment variable
``SMESIM_BACKEND`` overrides the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd

from smesim.model import coexistence
from smesim.model.derivatives import evaluate, initial_state
from smesim.model.exogenous import exogenous_paths
from smesim.model.levers import LEVER_IDS, lever_paths
from smesim.model.outputs import ALL_COLUMNS, CANONICAL
from smesim.model.params import ParameterSet
from smesim.model.state import IDX

START_YEAR = 2012
DEFAULT_END_YEAR = 2060
MAX_END_YEAR = 2100
DEFAULT_DT = 1.0 / 16.0
BACKENDS = ("auto", "numpy", "numba")


def resolve_backend(backend: str | None = "auto") -> str:
    """``"numpy"`` or ``"numba"`` for a requested backend (see module docs)."""
    if backend in (None, "auto"):
        backend = os.environ.get("SMESIM_BACKEND", "auto") or "auto"
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)} (got {backend!r})")
    if backend == "auto":
        from smesim.engine.kernel import HAVE_NUMBA

        return "numba" if HAVE_NUMBA else "numpy"
    return backend


@dataclass(frozen=True)
class Result:
    """Outputs of a batch of runs.

    ``data`` has shape ``(n_runs, n_years, n_columns)``; columns are
    :data:`smesim.model.outputs.ALL_COLUMNS` (canonical ids first).
    """

    years: np.ndarray
    data: np.ndarray
    columns: tuple[str, ...] = ALL_COLUMNS
    meta: dict = field(default_factory=dict)

    @property
    def n_runs(self) -> int:
        return self.data.shape[0]

    def series(self, name: str) -> np.ndarray:
        """One series for every run, shape ``(n_runs, n_years)``."""
        return self.data[:, :, self.columns.index(name)]

    def frame(self, run: int = 0, canonical_only: bool = False) -> pd.DataFrame:
        """A year-indexed table of one run."""
        cols = CANONICAL if canonical_only else self.columns
        idx = [self.columns.index(c) for c in cols]
        df = pd.DataFrame(
            self.data[run][:, idx], index=pd.Index(self.years, name="year"), columns=list(cols)
        )
        return df

    def at(self, year: int, name: str) -> np.ndarray:
        return self.series(name)[:, list(self.years).index(year)]


def time_grid(start: int, end: int, dt: float) -> tuple[np.ndarray, int]:
    steps_per_year = round(1.0 / dt)
    if steps_per_year < 1 or abs(steps_per_year * dt - 1.0) > 1e-12:
        raise ValueError(f"dt must be 1/n of a year (got {dt})")
    n_steps = (end - start) * steps_per_year
    return start + np.arange(n_steps + 1) / steps_per_year, steps_per_year


def _outputs(y, aux, p):
    out = {name: y[:, i] for name, i in IDX.items()}
    out.update(aux)
    coexistence.indices(out, p)
    return out


def integrate(
    params: ParameterSet,
    levers: np.ndarray,
    t: np.ndarray,
    steps_per_year: int,
    exo: dict[str, np.ndarray],
    baseline_levers0: np.ndarray,
    backend: str = "auto",
    overrides: tuple[np.ndarray, np.ndarray, int] | None = None,
    start: tuple[int, np.ndarray] | None = None,
    save_at: int | None = None,
    cells: bool = False,
    out: np.ndarray | None = None,
):
    """Euler integration; returns outputs at whole years, shape (runs, years, columns).

    Parameters
    ----------
    levers : array, shape ``(n_times, n_levers, k)`` with ``k`` = 1 or n_runs.
    baseline_levers0 : array, shape ``(n_levers, k)``: the profile's baseline
        levers at the start year (the conditions the initial data describe).
    backend : {"auto", "numpy", "numba"}
    overrides : (values, mask, first_step), optional
        Per-run constant levers from a grid step on: ``values`` (n_runs,
        n_levers) where ``mask`` (n_levers,) holds; ``levers`` is then the
        shared path they replace.
    start : (step, state), optional
        Start at grid step ``step`` (a whole year) from ``state`` (runs,
        stocks) instead of the 2012 state; earlier rows are NaN.
    save_at : int, optional
        Also return the state at this grid step (before its update):
        ``(outputs, state)``.  With ``start``, runs whose lever paths agree
        up to a year share the integration up to it, bit for bit.
    cells : bool
        Outputs transposed to ``(columns, years, runs)`` (C order), the
        ensemble's layout; the kernel writes it directly.
    out : array, optional
        Array of the returned shape to write the outputs into (and return);
        rows before ``start`` are then left as they are.
    """
    p = params.namespace()
    n = params.n_runs
    lv0 = SimpleNamespace(**{lid: baseline_levers0[j] for j, lid in enumerate(LEVER_IDS)})
    exo0 = {k: v[0] for k, v in exo.items()}
    y, c = initial_state(p, lv0, exo0)
    n_years = (t.size - 1) // steps_per_year + 1
    if resolve_backend(backend) == "numba":
        from smesim.engine import kernel

        if set(exo) != {"population_65plus_share"}:
            raise RuntimeError("kernel mirrors one exogenous input; update smesim.engine.kernel")
        return kernel.integrate(
            params.values,
            y,
            c,
            levers,
            exo["population_65plus_share"],
            steps_per_year,
            n_years,
            overrides=overrides,
            start=start,
            save_at=save_at,
            cells=cells,
            out=out,
        )
    if overrides is not None:  # the NumPy path takes per-run paths
        vals, mask, k0 = overrides
        levers = np.repeat(levers[:, :, :1], n, axis=2)
        for j in np.nonzero(mask)[0]:
            levers[k0:, j, :] = vals[None, :, j]
    dt = 1.0 / steps_per_year
    dest = out
    out = np.full((n, n_years, len(ALL_COLUMNS)), np.nan)
    k_first, saved = 0, None
    if start is not None:
        k_first, y = start[0], np.array(start[1], dtype=float)
    for k in range(k_first, t.size):
        if k == save_at:
            saved = y.copy()
        lv = SimpleNamespace(**{lid: levers[k, j] for j, lid in enumerate(LEVER_IDS)})
        exo_k = {key: v[k] for key, v in exo.items()}
        dydt, aux = evaluate(t[k], y, p, lv, exo_k, c)
        if k % steps_per_year == 0:
            o = _outputs(y, aux, p)
            row = out[:, k // steps_per_year, :]
            for j, name in enumerate(ALL_COLUMNS):
                row[:, j] = o[name]
        if k + 1 < t.size:
            y = y + dt * dydt
    if cells:
        out = np.ascontiguousarray(out.transpose(2, 1, 0))
    if dest is not None:
        if dest.shape != out.shape:
            raise ValueError(f"out must have shape {out.shape} (got {dest.shape})")
        rows = slice(k_first // steps_per_year, None)
        dest[:, rows] = out[:, rows]
        out = dest
    return out if save_at is None else (out, saved)


def _prepare(scenario, params, until, dt, profile, lever_overrides, backend, overrides_from=None):
    """Validated inputs of :func:`integrate` for a scenario (shared by the front ends)."""
    from smesim.inputs.profiles import get_profile
    from smesim.inputs.scenario import (  # scenario imports simulate constants
        Scenario,
        baseline_scenario,
    )

    prof = get_profile(profile)
    if scenario is None:
        scenario = baseline_scenario()
    if not isinstance(scenario, Scenario):
        raise TypeError("scenario must be a smesim.inputs.scenario.Scenario")
    if params is None:
        params = prof.parameter_set()
    end = until or scenario.horizon or DEFAULT_END_YEAR
    if not START_YEAR < end <= MAX_END_YEAR:
        raise ValueError(f"until must be in ({START_YEAR}, {MAX_END_YEAR}] (got {end})")
    t, spy = time_grid(START_YEAR, end, dt)
    paths = lever_paths(scenario.settings, t, prof.baseline_levers)[:, :, None]
    overrides = None
    if lever_overrides:
        values = np.zeros((params.n_runs, len(LEVER_IDS)))
        mask = np.zeros(len(LEVER_IDS), dtype=bool)
        for lid, vals in lever_overrides.items():
            j = LEVER_IDS.index(lid)
            values[:, j] = np.asarray(vals, dtype=float)
            mask[j] = True
        first = 0 if overrides_from is None else int(np.searchsorted(t, overrides_from))
        overrides = (values, mask, first)
    base0 = lever_paths({}, t[:1], prof.baseline_levers)[0][:, None]
    exo = exogenous_paths(t, profile)
    return (resolve_backend(backend), params, end, (paths, t, spy, exo, base0), scenario, overrides)


def simulate(
    scenario=None,
    params: ParameterSet | None = None,
    *,
    until: int | None = None,
    dt: float = DEFAULT_DT,
    profile: str = "korea",
    lever_overrides: dict[str, np.ndarray] | None = None,
    backend: str = "auto",
    overrides_from: float | None = None,
) -> Result:
    """Run a scenario for one or many parameter sets.

    Parameters
    ----------
    scenario : Scenario, optional
        A validated scenario (:func:`smesim.inputs.scenario.load_scenario`); the
        baseline when omitted.
    params : ParameterSet, optional
        One or more runs; the profile's default parameter set when omitted.
    until : int, optional
        Last reported year (default: the scenario's horizon, else 2060).
    dt : float
        Euler step in years, 1/n.
    lever_overrides : dict, optional
        lever id -> array of shape ``(n_runs,)``: per-run constant lever values
        replacing the scenario's path (used by sensitivity analysis).
    backend : {"auto", "numpy", "numba"}
        Integration backend (module docs); results agree to ~1e-12.
    overrides_from : float, optional
        Year from which ``lever_overrides`` apply (the scenario's paths
        before); default: the whole horizon.

    Returns
    -------
    Result
    """
    used, params, end, args, scenario, overrides = _prepare(
        scenario, params, until, dt, profile, lever_overrides, backend, overrides_from
    )
    data = integrate(params, *args, backend=used, overrides=overrides)
    years = np.arange(START_YEAR, end + 1)
    meta = {
        "scenario": scenario.name,
        "profile": profile,
        "dt": dt,
        "parameter_source": params.source,
        "n_runs": params.n_runs,
        "backend": used,
    }
    return Result(years=years, data=data, meta=meta)
