"""Euler integration of a batch of runs on one grid, with either backend.

``"numpy"`` is the reference path (the batched sector functions, one
vectorised step at a time); ``"numba"`` the compiled kernel
(:mod:`smesim.engine.kernel`).  Both return the same outputs up to rounding.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import numpy as np

from smesim.model import coexistence
from smesim.model.derivatives import evaluate, initial_state
from smesim.model.levers import LEVER_IDS
from smesim.model.outputs import ALL_COLUMNS
from smesim.model.params import ParameterSet
from smesim.model.state import IDX

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
