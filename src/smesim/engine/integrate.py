"""Euler integration of a batch of runs on one grid, with either generated backend.

``"numpy"`` is the reference path (the generated NumPy code of the model, one
vectorised step at a time); ``"numba"`` the generated compiled kernel
(:mod:`smesim.engine.kernel`).  Both are generated from the one model
declaration (:mod:`smesim.engine.codegen`) and agree to rounding (~1e-13).

Integration is explicit Euler on a fixed step ``dt`` (``1/dt`` a whole number
so reporting years fall on the grid), as Vensim, Stella and PySD do by
default, so an XMILE export of the model reproduces smesim's trajectories
step for step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from smesim.engine import kernel
from smesim.engine.generated import model_kernel, model_numpy
from smesim.model import MODEL
from smesim.model.params import ParameterSet
from smesim.model.spec import Model

BACKENDS = ("auto", "numpy", "numba")


@dataclass(frozen=True)
class Backend:
    """A model with its generated NumPy and kernel modules."""

    model: Model
    numpy_module: ModuleType
    kernel_module: ModuleType

    @property
    def has_kernel(self) -> bool:
        return self.kernel_module.blocks_kernel is not None


#: The smesim model and its committed generated code.
SMESIM = Backend(MODEL, model_numpy, model_kernel)


def resolve_backend(backend: str | None = "auto") -> str:
    """``"numpy"`` or ``"numba"`` for a requested backend (see module docs)."""
    if backend in (None, "auto"):
        backend = os.environ.get("SMESIM_BACKEND", "auto") or "auto"
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)} (got {backend!r})")
    if backend == "auto":
        return "numba" if model_kernel.HAVE_NUMBA else "numpy"
    return backend


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
    model_backend: Backend = SMESIM,
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
    model_backend : Backend
        The model and its generated code (default: smesim's).  For another
        model, ``params`` is any object with ``values`` (runs, parameters in
        ``model.param_names`` order) and ``source``.
    out : array, optional
        Array of the returned shape to write the outputs into (and return);
        rows before ``start`` are then left as they are.
    """
    mb = model_backend
    model = mb.model
    P = np.ascontiguousarray(params.values, dtype=float)
    n = P.shape[0]
    L0 = np.asarray(baseline_levers0, dtype=float).T  # (k, n_levers)
    model.check_rules(P, params.source, {lv: L0[:, j] for j, lv in enumerate(model.lever_ids)})
    X = np.zeros((t.size, len(model.exo_names)))
    for j, x in enumerate(model.exo_names):
        X[:, j] = exo[x]
    y0, C = mb.numpy_module.initialise(P, L0, X[0])
    n_years = (t.size - 1) // steps_per_year + 1
    if resolve_backend(backend) == "numba":
        K = mb.kernel_module.per_run(P, C)
        return kernel.integrate(
            mb.kernel_module,
            K,
            y0,
            levers,
            X,
            float(t[0]),
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
    n_out = len(model.outputs)
    out = np.full((n, n_years, n_out), np.nan)
    k_first, saved = 0, None
    y = y0
    if start is not None:
        k_first, y = start[0], np.array(start[1], dtype=float)
    for k in range(k_first, t.size):
        if k == save_at:
            saved = y.copy()
        row = out[:, k // steps_per_year, :] if k % steps_per_year == 0 else None
        dydt = mb.numpy_module.evaluate(y, P, C, levers[k].T, X[k], t[k], row)
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
