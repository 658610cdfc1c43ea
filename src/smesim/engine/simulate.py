"""The one way into the engine: ``simulate(plan) -> Result``.

Integration is explicit Euler on a fixed step ``dt`` (default 1/16 yr; ``1/dt``
must be a whole number so reporting years fall on the grid).  Euler is what
Vensim, Stella and PySD use by default, so an XMILE export of the model
reproduces smesim's trajectories step for step.  The integration-error test
(tests/test_model.py) halves the step and bounds the change of every reported
series.

A :class:`~smesim.engine.plan.RunPlan` holds every input as arrays (levers and
exogenous tables evaluated once on the whole grid): nothing is read, parsed or
interpolated here.  Every scenario of the plan runs with every parameter run.
Scenarios whose lever paths agree up to a year share the integration of those
years: the first scenario saves its state there and the others start from it
(bit for bit what full runs give).

Backends.  ``"numpy"`` is the reference: the batched sector modules of
:mod:`smesim.model`, one vectorised step at a time (fast for large batches,
~0.1 s for a batch of one because per-operation overhead dominates).
``"numba"`` runs the compiled kernel :mod:`smesim.engine.kernel`, which mirrors the
same arithmetic per run (verified against the NumPy path in
``tests/test_kernel.py``; < 1 ms a run).  ``"auto"`` (default) uses numba when
it is installed, else NumPy; the environment variable ``SMESIM_BACKEND``
overrides the default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from smesim.engine.integrate import integrate, resolve_backend
from smesim.engine.kernel import check_out
from smesim.engine.plan import RunPlan
from smesim.model.outputs import ALL_COLUMNS, CANONICAL

#: Output layouts of :func:`simulate`: ``data`` is ``(scenarios, runs, years, columns)``
#: ("runs") or ``(scenarios, columns, years, runs)`` ("cells", each series-year a
#: contiguous row over the runs: the ensemble's percentile accumulators read it).
LAYOUTS = ("runs", "cells")


@dataclass(frozen=True, eq=False)
class Result:
    """Outputs of a plan: every scenario x every parameter run.

    ``data`` has shape ``(n_scenarios, n_runs, n_years, n_columns)`` (layout
    ``"runs"``, the default) or ``(n_scenarios, n_columns, n_years, n_runs)``
    (``"cells"``); columns are :data:`smesim.model.outputs.ALL_COLUMNS`
    (canonical ids first), years :attr:`years`.

    The accessors take ``scenario`` (a name or a position in the plan); it may
    be left out when the plan has one scenario.  They read either layout.
    """

    plan: RunPlan
    data: np.ndarray
    backend: str
    layout: str = "runs"

    columns = ALL_COLUMNS

    @property
    def years(self) -> np.ndarray:
        return self.plan.years

    @property
    def names(self) -> tuple[str, ...]:
        return self.plan.names

    @property
    def n_runs(self) -> int:
        return self.plan.n_runs

    @property
    def meta(self) -> dict:
        """How the outputs were made (scenarios, profile, step, parameters, backend)."""
        return {
            "scenarios": list(self.plan.names),
            "profile": self.plan.profile,
            "dt": self.plan.dt,
            "parameter_source": self.plan.params.source,
            "n_runs": self.plan.n_runs,
            "backend": self.backend,
        }

    def index(self, scenario: int | str | None = None) -> int:
        """Position of ``scenario`` (a name or a position; None: the only one)."""
        names = self.plan.names
        if scenario is None:
            if len(names) != 1:
                raise ValueError(
                    f"this result holds {len(names)} scenarios ({', '.join(names)}): name one"
                )
            return 0
        if isinstance(scenario, str):
            if scenario not in names:
                raise KeyError(f"scenario {scenario!r} not in this result ({', '.join(names)})")
            return names.index(scenario)
        i = int(scenario)
        if not -len(names) <= i < len(names):
            raise IndexError(f"scenario {i} not in this result ({len(names)} scenarios)")
        return i % len(names)

    def outputs(self, scenario: int | str | None = None) -> np.ndarray:
        """One scenario's outputs, shape ``(n_runs, n_years, n_columns)`` (a view)."""
        d = self.data[self.index(scenario)]
        return d if self.layout == "runs" else d.transpose(2, 1, 0)

    def series(self, name: str, scenario: int | str | None = None) -> np.ndarray:
        """One series for every run, shape ``(n_runs, n_years)``."""
        return self.outputs(scenario)[:, :, self.columns.index(name)]

    def frame(
        self, run: int = 0, canonical_only: bool = False, scenario: int | str | None = None
    ) -> pd.DataFrame:
        """A year-indexed table of one run of one scenario."""
        cols = CANONICAL if canonical_only else self.columns
        idx = [self.columns.index(c) for c in cols]
        return pd.DataFrame(
            self.outputs(scenario)[run][:, idx],
            index=pd.Index(self.years, name="year"),
            columns=list(cols),
        )

    def at(self, year: int, name: str, scenario: int | str | None = None) -> np.ndarray:
        """One series in one year for every run, shape ``(n_runs,)``."""
        pos = int(year) - int(self.years[0])
        if not 0 <= pos < self.years.size:
            raise ValueError(f"year {year} not in {self.years[0]}-{self.years[-1]}")
        return self.series(name, scenario)[:, pos]


def simulate(
    plan: RunPlan,
    *,
    backend: str = "auto",
    layout: str = "runs",
    out: np.ndarray | None = None,
    copy_shared: bool = True,
) -> Result:
    """Run every scenario of ``plan`` with every parameter run.

    Parameters
    ----------
    plan : RunPlan
        :func:`smesim.engine.plan.build_plan`.
    backend : {"auto", "numpy", "numba"}
        Integration backend (module docs); results agree to ~1e-12.
    layout : {"runs", "cells"}
        Shape of :attr:`Result.data` (:data:`LAYOUTS`).
    out : array, optional
        A C-contiguous float64 array of the result's shape to write into (an
        ensemble reuses one from batch to batch); returned as ``Result.data``.
    copy_shared : bool
        False leaves the years the scenarios after the first share with it
        (``plan.shared_years``) unwritten in their rows: NaN, or what ``out``
        held.  Their values are the first scenario's, bit for bit.

    Returns
    -------
    Result
        Holds ``plan``.
    """
    if not isinstance(plan, RunPlan):
        raise TypeError("simulate() takes a RunPlan (smesim.engine.plan.build_plan)")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)} (got {layout!r})")
    used = resolve_backend(backend)
    k, n, ny, nc = plan.n_scenarios, plan.n_runs, plan.n_years, len(ALL_COLUMNS)
    cells = layout == "cells"
    shape = (k, nc, ny, n) if cells else (k, n, ny, nc)
    if out is None:
        data = np.empty(shape)
    else:
        check_out(out, shape)
        data = out
    ov = plan.overrides
    common = {
        "t": plan.t,
        "steps_per_year": plan.steps_per_year,
        "exo": plan.exogenous,
        "baseline_levers0": plan.baseline_levers[:, None],
        "backend": used,
        "overrides": None if ov is None else (ov.values, ov.mask, ov.first_step),
        "cells": cells,
    }
    k0 = plan.shared_step
    if k == 1 or not k0:
        for i in range(k):
            integrate(plan.params, plan.levers[i][:, :, None], out=data[i], **common)
    else:
        _, state = integrate(
            plan.params, plan.levers[0][:, :, None], save_at=k0, out=data[0], **common
        )
        for i in range(1, k):
            integrate(
                plan.params, plan.levers[i][:, :, None], start=(k0, state), out=data[i], **common
            )
        rows = plan.shared_years
        shared = data[1:, :, :rows]  # years are axis 2 in either layout
        if copy_shared:
            shared[...] = data[:1, :, :rows]
        elif out is None:
            shared[...] = np.nan
    return Result(plan=plan, data=data, backend=used, layout=layout)
