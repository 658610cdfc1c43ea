"""Run a generated kernel (:mod:`smesim.engine.codegen`) over a batch of runs.

The kernel itself (``smesim/engine/generated/model_kernel.py``) is generated
from the model declaration; this module packs its inputs, splits the blocks of
runs over :mod:`smesim.engine.threads` and unpacks the results.  Compiled by
numba with ``cache=True``: a few seconds once per machine, then loaded from the
cache.
"""

from __future__ import annotations

import numpy as np

from smesim.engine.threads import split

#: Batches at least this large span two blocks or more, so run on several threads.
PARALLEL_MIN_RUNS = 64


def check_out(out: np.ndarray, shape: tuple[int, ...]) -> None:
    """Refuse an output buffer the kernel cannot write into directly."""
    if (
        out.shape != shape
        or out.dtype != np.float64
        or not out.flags.c_contiguous
        or not out.flags.writeable
    ):
        raise ValueError(
            f"out must be a writeable C-contiguous float64 array of shape {shape} "
            f"(got {out.dtype} {out.shape})"
        )


def integrate(
    kmod,
    K: np.ndarray,
    y0: np.ndarray,
    levers: np.ndarray,
    exo: np.ndarray,
    t0: float,
    steps_per_year: int,
    n_years: int,
    threads: bool | None = None,
    overrides: tuple[np.ndarray, np.ndarray, int] | None = None,
    start: tuple[int, np.ndarray] | None = None,
    save_at: int | None = None,
    cells: bool = False,
    out: np.ndarray | None = None,
):
    """Run the compiled kernel module ``kmod``.

    Parameters
    ----------
    kmod : module
        A generated kernel (``per_run``, ``blocks_kernel``, ``LANES``, ``STOCKS``,
        ``LEVERS``, ``OUTPUTS``).
    K : array, shape ``(n_runs, len(kmod.K_ROWS))``
        Per-run constants from ``kmod.per_run``.
    y0 : array, shape ``(n_runs, n_stocks)``
        Initial state, ``kmod.STOCKS`` order.
    levers : array, shape ``(n_times, n_levers, k)``, ``k`` = 1 or n_runs
        Lever paths, ``kmod.LEVERS`` order.
    exo : array, shape ``(n_times, n_exogenous)``
    t0 : float
        Time of grid step 0 (years).
    steps_per_year, n_years : int
    threads : bool, optional
        Blocks in parallel on :mod:`smesim.engine.threads` (default); ``False``:
        in the calling thread only.
    overrides : (values, mask, first_step), optional
        Per-run constant lever values ``values`` (n_runs, n_levers) for the
        levers where ``mask`` is true, from grid step ``first_step`` on, in
        place of ``levers`` (which then stays one shared path).
    start : (step, state), optional
        Start at grid step ``step`` (a whole year) from ``state`` (n_runs,
        n_stocks) instead of ``y0``: rows before that year are left NaN.
    save_at : int, optional
        Also return the state at this grid step (before it).
    cells : bool
        Outputs as ``(n_outputs, n_years, n_runs)`` (the ensemble's layout).
    out : array, optional
        Write the outputs into this C-contiguous float64 array of the returned
        shape (rows before ``start`` are left as they are).

    Returns
    -------
    array, shape ``(n_runs, n_years, n_outputs)`` (or transposed, with
    ``cells``); with ``save_at``, ``(outputs, state)``.
    """
    if kmod.blocks_kernel is None:
        raise RuntimeError("numba is not installed (pip install 'smesim[fast]')")
    n = K.shape[0]
    n_out = len(kmod.OUTPUTS)
    k_first = 0
    if start is not None:
        k_first, y0 = start
        if k_first % steps_per_year:
            raise ValueError("start step must fall on a whole year")
    Y0 = np.ascontiguousarray(y0, dtype=float)
    YS = np.empty((n if save_at is not None else 1, len(kmod.STOCKS)))
    # (k, n_times, n_levers): each run reads its own path contiguously
    L = np.ascontiguousarray(levers.transpose(2, 0, 1), dtype=float)
    X = np.ascontiguousarray(exo, dtype=float)
    shape = (n_out, n_years, n) if cells else (n, n_years, n_out)
    if out is None:
        out = np.empty(shape)
        if k_first:  # years before the start (axis 1 in either layout)
            out[:, : k_first // steps_per_year] = np.nan
    else:
        check_out(out, shape)
    n_levers = len(kmod.LEVERS)
    if overrides is None:
        OV, OVM, ov_k0 = np.zeros((1, n_levers)), np.zeros(n_levers, np.bool_), 0
    else:
        vals, mask, ov_k0 = overrides
        OV = np.ascontiguousarray(np.asarray(vals, dtype=float))
        OVM = np.ascontiguousarray(np.asarray(mask, dtype=np.bool_))
        if OV.shape[0] != n:
            raise ValueError(f"override values must have {n} rows (got {OV.shape[0]})")
    split(
        kmod.blocks_kernel,
        (n + kmod.LANES - 1) // kmod.LANES,
        np.ascontiguousarray(K, dtype=float),
        Y0,
        L,
        OV,
        OVM,
        int(ov_k0),
        X,
        float(t0),
        int(steps_per_year),
        out,
        np.arange(n_out, dtype=np.int64),
        int(k_first),
        -1 if save_at is None else int(save_at),
        YS,
        bool(cells),
        threads=1 if threads is False else None,
    )
    if save_at is None:
        return out
    return out, YS
