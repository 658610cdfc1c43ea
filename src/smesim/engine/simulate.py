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

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from smesim.engine.integrate import integrate, resolve_backend
from smesim.model.horizon import DEFAULT_DT, DEFAULT_END_YEAR, MAX_END_YEAR, START_YEAR, time_grid
from smesim.model.levers import LEVER_IDS, lever_paths
from smesim.model.outputs import ALL_COLUMNS, CANONICAL
from smesim.model.params import ParameterSet


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
    exo = prof.exogenous_paths(t)
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
