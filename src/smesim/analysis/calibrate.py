"""Calibration: estimate the free parameters from the merged releases.

Method
------
Maximum a posteriori estimation by weighted, regularised least squares
(:func:`scipy.optimize.least_squares`, trust-region reflective, bounded).
Each free parameter ``theta_j`` (status ``calibrated`` in
:mod:`smesim.model.params`) is fitted on the scale of its prior,

.. math::

    \\theta_j = \\pi_j + s_j z_j \\qquad (\\pi_j\\ \\text{prior},\\ s_j\\ \\text{prior sd}),

and the residual vector stacks the data residuals and the prior residuals

.. math::

    r_i = \\sqrt{w_i}\\,\\frac{y_i(\\theta) - d_i}{\\sigma} \\quad [1],
    \\qquad r_{n+j} = z_j,

``y_i`` the model's value of data point ``i`` (series, year), ``d_i`` the
published value, ``w_i`` its weight from the release file and ``sigma`` =
:data:`NOMINAL_SE_PCT` (1 percentage point: the size of typical revisions
of published shares, e.g. the SME export share 2017 first 18.5, later 18.0).
Minimising ``sum r^2`` is the posterior mode under Gaussian errors of
``sigma / sqrt(w_i)`` and Gaussian priors.

The Jacobian is central finite differences (step ``1e-3`` prior sd), all
``2p`` perturbed runs in **one** batched :func:`smesim.engine.simulate.simulate`
call.  The multi-start design is a seeded Latin hypercube over +-2 prior sd
(clipped to the bounds), screened in one batched call; least squares then
starts from the prior centre, the previous estimate (if any) and the best
screened points.  The best end point is the estimate; the report lists every
start's end cost and distance, so a reader sees whether the result depends on
the start.

Uncertainty: the posterior covariance ``(J^T J)^{-1}`` of the stacked
residuals at the optimum (Laplace approximation), in parameter units via the
prior scale.  Because ``z`` is measured in prior sd, ``sqrt(cov_z[jj])`` is
the ratio of posterior to prior sd: near 1 the data say nothing about that
parameter (not identified; its value is the prior's), well below 1 the data
pin it.  The singular values of the data-only Jacobian (in prior-sd units)
give the number of parameter combinations the data determine better than the
priors (singular value > 1).

Points before the model's start year (2012) are history, reported as
"outside the simulated span, not fitted"; points with weight 0 are reported
but not fitted.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.stats import qmc
from tqdm import tqdm

from smesim.engine.plan import build_plan
from smesim.engine.simulate import simulate
from smesim.errors import CalibrationError, ParameterError, check_seed
from smesim.inputs.bundled import bundled_files
from smesim.inputs.data import RELEASE_SUFFIXES, Releases, load_releases
from smesim.inputs.profiles import Profile, get_profile
from smesim.inputs.scenario import Scenario, baseline_scenario
from smesim.model.horizon import DEFAULT_DT, START_YEAR
from smesim.model.params import BY_NAME, ParameterSet

#: Nominal standard error of a published share, percentage points.
NOMINAL_SE_PCT = 1.0
#: Correlations above this (absolute) are flagged.
CORRELATION_WARNING = 0.9
#: Posterior/prior sd ratios: below the first the data identify a parameter;
#: at or above the second the prior determines it.
IDENTIFIED_RATIO, NOT_IDENTIFIED_RATIO = 0.5, 0.9
_FD_STEP = 1e-3


@dataclass(frozen=True)
class FreeParameter:
    """A parameter estimated by calibration, with its bounds and prior."""

    name: str
    lower: float
    upper: float
    prior: float
    prior_sd: float
    unit: str


def free_parameters(prof: Profile, names: Sequence[str] | None = None) -> list[FreeParameter]:
    """The free parameters of the profile ``prof`` (default: every ``calibrated`` one).

    The prior centre is the profile's override of the parameter when it has
    one (its documented assumption), else the registry's prior.
    """
    out = []
    for name in names if names is not None else prof.free_parameter_names():
        if name not in BY_NAME:
            raise ParameterError(f"calibration: unknown parameter {name!r}")
        p = BY_NAME[name]
        prior = prof.prior_centre(name)
        sd = prof.prior_sd(name)
        if prior is None or sd is None:
            raise ParameterError(
                f"calibration: parameter {name!r} has no prior "
                f"(status {p.status!r}); only calibrated parameters are free"
            )
        out.append(FreeParameter(name, p.lower, p.upper, prior, sd, p.unit))
    return out


# ---------------------------------------------------------------------------
# the problem: data points, model evaluation, residuals
# ---------------------------------------------------------------------------


class Problem:
    """Data, free parameters and batched model evaluation of one calibration.

    Parameters
    ----------
    points : DataFrame
        Merged release points (:attr:`smesim.inputs.data.Releases.points`).
    base : ParameterSet
        One run: the values of every parameter that is not free.
    free : list of FreeParameter
    scenario : Scenario
        The scenario the data describe (the baseline).
    profile : Profile
    dt : float
        Euler step (years), as used by ``smesim run``.

    The run plan (:attr:`plan`: grid, levers, exogenous paths, ``base``) is
    built once here; each evaluation only replaces its parameters.
    """

    def __init__(
        self,
        points: pd.DataFrame,
        base: ParameterSet,
        free: list[FreeParameter],
        *,
        scenario: Scenario,
        profile: Profile,
        dt: float = DEFAULT_DT,
    ):
        self.base = base
        self.free = list(free)
        self.profile = profile.name
        self.dt = dt
        self.names = [f.name for f in self.free]
        self.prior = np.array([f.prior for f in self.free])
        self.prior_sd = np.array([f.prior_sd for f in self.free])
        self.z_lower = (np.array([f.lower for f in self.free]) - self.prior) / self.prior_sd
        self.z_upper = (np.array([f.upper for f in self.free]) - self.prior) / self.prior_sd
        pts = points.reset_index(drop=True).copy()
        pts["in_span"] = pts["year"] >= START_YEAR
        pts["fitted"] = pts["in_span"] & (pts["weight"] > 0)
        self.points = pts
        span = pts[pts["in_span"]]
        if not pts["fitted"].any():
            raise CalibrationError(
                "calibration: no data point to fit (every point is before "
                f"{START_YEAR} or has weight 0)"
            )
        self.until = max(int(span["year"].max()), START_YEAR + 1)
        self._span_idx = np.flatnonzero(pts["in_span"].to_numpy())
        self._fit_idx = np.flatnonzero(pts["fitted"].to_numpy())
        self._series = span["series"].to_numpy()
        self._year_pos = span["year"].to_numpy() - START_YEAR
        self.data = pts["value"].to_numpy(dtype=float)
        self.sqrt_w = np.sqrt(pts["weight"].to_numpy(dtype=float)[self._fit_idx])
        # position of each fitted point within the span arrays
        span_pos = {i: k for k, i in enumerate(self._span_idx)}
        self._fit_in_span = np.array([span_pos[i] for i in self._fit_idx])
        self.plan = build_plan(scenario, profile, base, until=self.until, dt=dt)
        self.n_evaluations = 0
        self.n_runs = 0
        self.sim_seconds = 0.0

    # -- transforms -----------------------------------------------------------
    def theta(self, z: np.ndarray) -> np.ndarray:
        return self.prior + self.prior_sd * np.asarray(z, dtype=float)

    def z(self, theta: np.ndarray) -> np.ndarray:
        return (np.asarray(theta, dtype=float) - self.prior) / self.prior_sd

    def clip_z(self, z: np.ndarray) -> np.ndarray:
        """Strictly inside the bounds (least squares needs interior starts)."""
        eps = 1e-6 * (self.z_upper - self.z_lower)
        return np.clip(z, self.z_lower + eps, self.z_upper - eps)

    # -- model ------------------------------------------------------------------
    def model_values(self, thetas: np.ndarray) -> np.ndarray:
        """Model value of every point (NaN before 2012), shape ``(runs, n_points)``.

        One batched :func:`~smesim.engine.simulate.simulate` call for all rows of ``thetas``.
        """
        thetas = np.atleast_2d(thetas)
        batch = self.base.with_values(self.names, thetas)
        t0 = time.perf_counter()
        res = simulate(self.plan.with_params(batch))
        self.sim_seconds += time.perf_counter() - t0
        self.n_evaluations += 1
        self.n_runs += thetas.shape[0]
        out = np.full((thetas.shape[0], len(self.points)), np.nan)
        cols = [res.columns.index(s) for s in self._series]
        out[:, self._span_idx] = res.outputs()[:, self._year_pos, cols]
        return out

    def data_residuals(self, values: np.ndarray) -> np.ndarray:
        """Weighted, scaled residuals of the fitted points, shape ``(runs, n_fitted)``."""
        v = np.atleast_2d(values)[:, self._fit_idx]
        return self.sqrt_w * (v - self.data[self._fit_idx]) / NOMINAL_SE_PCT

    def residuals(self, z: np.ndarray) -> np.ndarray:
        """Stacked residuals at ``z``.

        The same batched model call also evaluates the ``2p`` Jacobian
        perturbations around ``z`` (a batch of ``2p + 1`` runs costs little
        more than one run), so the Jacobian at an accepted step is free.
        """
        z = np.asarray(z, dtype=float)
        zs, up, dn = self._perturbations(z)
        r = self.residuals_batch(np.vstack([z[None, :], zs]))
        p = z.size
        self._jac_cache = (z.copy(), ((r[1 : p + 1] - r[p + 1 :]) / (up - dn)[:, None]).T)
        return r[0]

    def residuals_batch(self, zs: np.ndarray) -> np.ndarray:
        zs = np.atleast_2d(zs)
        r = self.data_residuals(self.model_values(self.theta(zs)))
        return np.concatenate([r, zs], axis=1)

    def _perturbations(self, z: np.ndarray):
        p = z.size
        h = np.full(p, _FD_STEP)
        up = np.minimum(z + h, self.z_upper)
        dn = np.maximum(z - h, self.z_lower)
        zs = np.repeat(z[None, :], 2 * p, axis=0)
        zs[np.arange(p), np.arange(p)] = up
        zs[p + np.arange(p), np.arange(p)] = dn
        return zs, up, dn

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        """Central differences of :meth:`residuals` (step 1e-3 prior sd), one batched call."""
        z = np.asarray(z, dtype=float)
        cached = getattr(self, "_jac_cache", None)
        if cached is not None and np.array_equal(cached[0], z):
            return cached[1]
        zs, up, dn = self._perturbations(z)
        r = self.residuals_batch(zs)
        p = z.size
        return ((r[:p] - r[p:]) / (up - dn)[:, None]).T

    @property
    def n_fitted(self) -> int:
        return int(self._fit_idx.size)


# ---------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------


@dataclass
class Start:
    """One least-squares start and where it ended."""

    label: str
    z0: np.ndarray
    z: np.ndarray
    cost: float
    success: bool
    status: int
    message: str
    nfev: int
    njev: int


@dataclass
class CalibrationResult:
    """Everything a calibration found.

    :func:`smesim.report.calibration_report.render_markdown` reports it.

    Not converging is a result, not an exception: check :attr:`success`.
    """

    profile: str
    names: list[str]
    estimates: np.ndarray
    standard_errors: np.ndarray
    covariance: np.ndarray
    correlation: np.ndarray
    prior: np.ndarray
    prior_sd: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    units: list[str]
    success: bool
    message: str
    nfev: int
    njev: int
    cost: float
    data_cost: float
    prior_cost: float
    starts: list[Start]
    residuals: pd.DataFrame
    series_stats: pd.DataFrame
    overall: dict
    identifiability: dict
    replaced: pd.DataFrame
    provenance: list[dict]
    seed: int
    method: str
    timing: dict
    parameter_set: ParameterSet
    drift: pd.DataFrame | None = None
    fit_change: dict | None = None
    previous_source: str | None = None
    notes: list[str] = field(default_factory=list)
    #: Suspicious but possible data (:attr:`smesim.inputs.data.Releases.warnings`).
    data_warnings: list[str] = field(default_factory=list)

    @property
    def intervals(self) -> np.ndarray:
        """95 % intervals (normal approximation; may reach past a bound), shape ``(p, 2)``."""
        half = 1.959963984540054 * self.standard_errors
        return np.stack([self.estimates - half, self.estimates + half], axis=1)

    def estimates_table(self) -> pd.DataFrame:
        ci = self.intervals
        ratio = self.standard_errors / self.prior_sd
        return pd.DataFrame(
            {
                "parameter": self.names,
                "estimate": self.estimates,
                "se": self.standard_errors,
                "ci95_low": ci[:, 0],
                "ci95_high": ci[:, 1],
                "prior": self.prior,
                "prior_sd": self.prior_sd,
                "post_prior_sd_ratio": ratio,
                "identified": [_identified_label(r) for r in ratio],
                "at_bound": [
                    bool(
                        np.isclose(e, lo, rtol=0, atol=1e-6 * (hi - lo))
                        or np.isclose(e, hi, rtol=0, atol=1e-6 * (hi - lo))
                    )
                    for e, lo, hi in zip(self.estimates, self.lower, self.upper, strict=True)
                ],
                "unit": self.units,
            }
        )

    def high_correlations(self) -> list[tuple[str, str, float]]:
        out = []
        p = len(self.names)
        for i in range(p):
            for j in range(i + 1, p):
                r = self.correlation[i, j]
                if abs(r) > CORRELATION_WARNING:
                    out.append((self.names[i], self.names[j], float(r)))
        return out


def _identified_label(ratio: float) -> str:
    if ratio < IDENTIFIED_RATIO:
        return "identified"
    if ratio < NOT_IDENTIFIED_RATIO:
        return "partly"
    return "not identified (prior)"


# ---------------------------------------------------------------------------
# fit statistics
# ---------------------------------------------------------------------------


def theil(model: np.ndarray, data: np.ndarray) -> dict:
    """Theil inequality decomposition of the mean squared error (Sterman 1984).

    .. math::

        \\mathrm{MSE} = (\\bar y - \\bar d)^2 + (s_y - s_d)^2 + 2(1-r)s_y s_d,
        \\quad U^M, U^S, U^C = \\text{the three terms} / \\mathrm{MSE}

    Population standard deviations; ``r`` the correlation of model and data
    (taken as 1 when either is constant).  Fractions sum to 1 (all NaN when
    the MSE is 0).
    """
    y, d = np.asarray(model, float), np.asarray(data, float)
    mse = float(np.mean((y - d) ** 2))
    if mse == 0:
        return {"mse": 0.0, "UM": np.nan, "US": np.nan, "UC": np.nan}
    sy, sd = y.std(), d.std()
    bias = (y.mean() - d.mean()) ** 2
    var = (sy - sd) ** 2
    cov = max(mse - bias - var, 0.0)  # = 2(1-r) sy sd, up to rounding
    return {"mse": mse, "UM": bias / mse, "US": var / mse, "UC": cov / mse}


def fit_statistics(model: np.ndarray, data: np.ndarray) -> dict:
    """n, RMSE, MAPE (%), R^2 and Theil fractions of one set of points (unweighted)."""
    y, d = np.asarray(model, float), np.asarray(data, float)
    n = y.size
    err = y - d
    sst = float(np.sum((d - d.mean()) ** 2))
    r2 = 1.0 - float(np.sum(err**2)) / sst if n >= 2 and sst > 0 else np.nan
    out = {
        "n": n,
        "rmse": float(np.sqrt(np.mean(err**2))),
        "mape": float(np.mean(np.abs(err) / np.abs(d)) * 100.0),
        "r2": r2,
        "bias": float(err.mean()),
    }
    th = theil(y, d)
    out.update({"UM": th["UM"], "US": th["US"], "UC": th["UC"]})
    return out


def residual_table(problem: Problem, values: np.ndarray) -> pd.DataFrame:
    """One row per data point: data, model, residual, weight and how it was used."""
    pts = problem.points
    status = np.where(
        ~pts["in_span"],
        f"outside the simulated span (< {START_YEAR}), not fitted",
        np.where(pts["weight"] > 0, "fitted", "weight 0, not fitted"),
    )
    model = np.asarray(values, float)
    return pd.DataFrame(
        {
            "series": pts["series"],
            "year": pts["year"].astype(int),
            "data": pts["value"],
            "model": model,
            "residual": model - pts["value"].to_numpy(float),
            "weight": pts["weight"],
            "status": status,
            "file": pts["file"],
            "note": pts["note"],
        }
    )


def series_statistics(table: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    fit = table[table["status"] == "fitted"]
    rows = []
    for sid, g in fit.groupby("series", sort=True):
        rows.append({"series": sid, **fit_statistics(g["model"], g["data"])})
    overall = fit_statistics(fit["model"], fit["data"])
    return pd.DataFrame(rows), overall


# ---------------------------------------------------------------------------
# the engine
# ---------------------------------------------------------------------------


def _start_design(problem: Problem, n_screen: int, seed: int) -> np.ndarray:
    p = len(problem.names)
    sampler = qmc.LatinHypercube(d=p, rng=np.random.default_rng(seed))
    zs = qmc.scale(sampler.random(n_screen), -2.0 * np.ones(p), 2.0 * np.ones(p))
    return np.array([problem.clip_z(z) for z in zs])


def fit(
    problem: Problem,
    *,
    seed: int = 0,
    n_screen: int = 64,
    n_starts: int = 3,
    extra_starts: Iterable[tuple[str, np.ndarray]] = (),
    max_nfev: int = 200,
    progress: Callable[[str, bool], None] | None = None,
) -> tuple[Start, list[Start]]:
    """Multi-start bounded least squares; returns the best start and all starts.

    ``extra_starts`` are ``(label, theta)`` pairs (e.g. the previous estimate);
    ``progress(message, done)`` is called before (``done`` False) and after each start.
    """
    starts: list[tuple[str, np.ndarray]] = [
        ("prior centre", problem.clip_z(np.zeros(len(problem.names))))
    ]
    for label, theta in extra_starts:
        starts.append((label, problem.clip_z(problem.z(theta))))
    if n_starts > 0 and n_screen > 0:
        design = _start_design(problem, n_screen, seed)
        costs = 0.5 * np.sum(problem.residuals_batch(design) ** 2, axis=1)
        order = np.argsort(costs)[:n_starts]
        for k in order:
            starts.append((f"design point {k} (seed {seed})", design[k]))
    results = []
    for i, (label, z0) in enumerate(starts):
        if progress is not None:
            progress(f"start {i + 1}/{len(starts)}: {label}", False)
        sol = least_squares(
            problem.residuals,
            z0,
            jac=problem.jacobian,
            bounds=(problem.z_lower, problem.z_upper),
            method="trf",
            x_scale=1.0,
            max_nfev=max_nfev,
            xtol=1e-10,
            ftol=1e-10,
            gtol=1e-10,
        )
        results.append(
            Start(
                label,
                z0,
                sol.x,
                float(sol.cost),
                bool(sol.success),
                int(sol.status),
                str(sol.message),
                int(sol.nfev),
                int(sol.njev or 0),
            )
        )
        if progress is not None:
            progress(f"start {i + 1}/{len(starts)}: cost {sol.cost:.4g}", True)
    best = min(results, key=lambda s: s.cost)
    return best, results


def _covariance(jac: np.ndarray) -> np.ndarray:
    jtj = jac.T @ jac
    return np.linalg.pinv(jtj, rcond=1e-12, hermitian=True)


def _identifiability(problem: Problem, jac: np.ndarray, cov_z: np.ndarray) -> dict:
    n = problem.n_fitted
    jd = jac[:n]
    _, sv, vt = np.linalg.svd(jd, full_matrices=False)
    sv_full = np.zeros(len(problem.names))
    sv_full[: sv.size] = sv
    ratio = np.sqrt(np.diag(cov_z))
    directions = []
    for k in range(vt.shape[0]):
        v = vt[k]
        top = np.argsort(-np.abs(v))[:3]
        directions.append(
            {
                "singular_value": float(sv[k]),
                "loadings": {problem.names[j]: float(v[j]) for j in top},
            }
        )
    n_data_identified = int(np.sum(sv_full > 1.0))
    return {
        "n_parameters": len(problem.names),
        "n_fitted_points": n,
        "singular_values": sv_full.tolist(),
        "n_combinations_identified_by_data": n_data_identified,
        "condition_number": float(sv[0] / sv[-1]) if sv.size and sv[-1] > 0 else float("inf"),
        "posterior_prior_sd_ratio": dict(zip(problem.names, ratio.tolist(), strict=True)),
        "identified": [
            nm for nm, r in zip(problem.names, ratio, strict=True) if r < IDENTIFIED_RATIO
        ],
        "partly_identified": [
            nm
            for nm, r in zip(problem.names, ratio, strict=True)
            if IDENTIFIED_RATIO <= r < NOT_IDENTIFIED_RATIO
        ],
        "not_identified": [
            nm for nm, r in zip(problem.names, ratio, strict=True) if r >= NOT_IDENTIFIED_RATIO
        ],
        "directions": directions,
        "statement": (
            f"{n} fitted data points and {len(problem.names)} free parameters: the data "
            f"determine {n_data_identified} parameter combination(s) better than the priors "
            f"(singular value of the data Jacobian in prior-sd units > 1); "
            f"{int(np.sum(ratio < IDENTIFIED_RATIO))} parameter(s) are identified "
            f"(posterior sd < {IDENTIFIED_RATIO} prior sd), "
            f"{int(np.sum(ratio >= NOT_IDENTIFIED_RATIO))} are set by their priors "
            f"(posterior sd >= {NOT_IDENTIFIED_RATIO} prior sd)."
        ),
    }


def calibration_data(
    data: Sequence[str | Path] | None = None,
    add: Sequence[str | Path] | None = None,
    *,
    profile: str = "korea",
) -> list[Path] | None:
    """The release files a calibration reads, in release order (later ones revise earlier).

    ``data`` replaces the profile's bundled releases (``smesim calibrate --data``); ``add``
    comes after them, or after ``data`` (``--add``).  None (neither given): the bundled
    releases, as :func:`smesim.inputs.data.load_releases` reads them by default.
    """
    if not add:
        return [Path(p) for p in data] if data else None
    if data:
        first = [Path(p) for p in data]
    else:
        name = get_profile(profile).name
        first = bundled_files(
            "releases",
            name,
            suffixes=RELEASE_SUFFIXES,
            what=f"bundled releases of profile {name!r}",
        )
    return [*first, *(Path(p) for p in add)]


def calibrate(
    releases: Releases | None = None,
    *,
    profile: str = "korea",
    seed: int = 0,
    previous: ParameterSet | None = None,
    n_screen: int = 64,
    n_starts: int = 3,
    free: Sequence[str] | None = None,
    dt: float = DEFAULT_DT,
    base: ParameterSet | None = None,
    progress: bool | None = None,
) -> CalibrationResult:
    """Estimate the free parameters of ``profile`` from ``releases``.

    Parameters
    ----------
    releases : Releases, optional
        Merged data (:func:`smesim.inputs.data.load_releases`); the profile's bundled
        releases when omitted.
    profile : {'korea', 'japan'}
    seed : int
        Seed of the multi-start design (recorded in the result).
    previous : ParameterSet, optional
        The parameter set this calibration replaces: an extra start, and the
        reference of the drift and fit-change report.
    n_screen, n_starts : int
        Size of the screened Latin-hypercube design, and how many of its best
        points start a least-squares run (besides the prior centre and
        ``previous``).
    free : sequence of str, optional
        Names of the free parameters (default: the profile's calibrated ones).
    base : ParameterSet, optional
        Values of the fixed parameters (default: the profile's defaults).
    progress : bool, optional
        Show a progress bar on stderr; default: only when stderr is a terminal.

    Returns
    -------
    CalibrationResult
    """
    seed = check_seed(seed)
    t_start = time.perf_counter()
    prof = get_profile(profile)
    if releases is None:
        releases = load_releases(None, profile=profile)
    base = base if base is not None else prof.default_parameter_set()
    fp = free_parameters(prof, free)
    problem = Problem(releases.points, base, fp, scenario=baseline_scenario(), profile=prof, dt=dt)

    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show:
        bar = tqdm(
            total=1 + n_starts + (previous is not None),
            desc=f"calibration starts ({profile})",
            unit="start",
            file=sys.stderr,
            leave=False,
        )

    def _progress(msg: str, done: bool) -> None:
        if bar is not None:
            bar.set_postfix_str(msg)
            if done:
                bar.update(1)

    extra = []
    prev_theta = None
    if previous is not None:
        pv = previous.as_dict()
        prev_theta = np.array([pv[n] for n in problem.names])
        extra.append(("previous estimate", prev_theta))
    try:
        best, starts = fit(
            problem,
            seed=seed,
            n_screen=n_screen,
            n_starts=n_starts,
            extra_starts=extra,
            progress=_progress,
        )
    finally:
        if bar is not None:
            bar.close()
    t_fit = time.perf_counter()

    theta = problem.theta(best.z)
    jac = problem.jacobian(best.z)
    cov_z = _covariance(jac)
    cov = cov_z * np.outer(problem.prior_sd, problem.prior_sd)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(se, se)
    corr = np.where(np.isfinite(corr), corr, 0.0)
    np.fill_diagonal(corr, 1.0)

    values = problem.model_values(theta[None, :])[0]
    rd = problem.data_residuals(values[None, :])[0]
    table = residual_table(problem, values)
    stats, overall = series_statistics(table)
    n = problem.n_fitted
    hat_trace = float(np.trace(jac[:n] @ cov_z @ jac[:n].T))
    overall.update(
        {
            "n_fitted": n,
            "n_history": int((~problem.points["in_span"]).sum()),
            "n_excluded": int((problem.points["in_span"] & (problem.points["weight"] == 0)).sum()),
            "n_points": len(problem.points),
            "effective_parameters": hat_trace,
            "chi2": float(np.sum(rd**2)),
            "reduced_chi2": (
                float(np.sum(rd**2)) / (n - hat_trace) if n > hat_trace else float("nan")
            ),
        }
    )

    params = base.with_values(problem.names, theta[None, :])
    params = ParameterSet(params.values, source=f"calibration:{profile}", meta={})
    notes = list(prof.calibration_notes) + [f"Data: {w}" for w in releases.warnings]
    result = CalibrationResult(
        profile=profile,
        names=problem.names,
        estimates=theta,
        standard_errors=se,
        covariance=cov,
        correlation=corr,
        prior=problem.prior,
        prior_sd=problem.prior_sd,
        lower=problem.prior + problem.prior_sd * problem.z_lower,
        upper=problem.prior + problem.prior_sd * problem.z_upper,
        units=[f.unit for f in fp],
        success=best.success,
        message=best.message,
        nfev=sum(s.nfev for s in starts),
        njev=sum(s.njev for s in starts),
        cost=best.cost,
        data_cost=0.5 * float(np.sum(rd**2)),
        prior_cost=0.5 * float(np.sum(best.z**2)),
        starts=starts,
        residuals=table,
        series_stats=stats,
        overall=overall,
        identifiability=_identifiability(problem, jac, cov_z),
        replaced=releases.replaced,
        provenance=releases.provenance(),
        seed=seed,
        method=(
            f"MAP by bounded least squares (scipy.optimize.least_squares, trf), residuals "
            f"sqrt(w)*(model-data)/{NOMINAL_SE_PCT:g} pp plus Gaussian priors; central-"
            f"difference Jacobian in one batched simulate call; multi-start: prior centre"
            f"{', previous estimate' if previous is not None else ''} and the best "
            f"{n_starts} of a {n_screen}-point Latin hypercube (seed {seed}) over "
            f"+-2 prior sd; Euler dt={dt:g} yr"
        ),
        timing={},
        parameter_set=params,
        notes=notes,
        data_warnings=list(releases.warnings),
    )
    if previous is not None:
        _add_drift(result, problem, previous, prev_theta)
    t_end = time.perf_counter()
    result.timing = {
        "total_s": t_end - t_start,
        "fit_s": t_fit - t_start,
        "simulate_s": problem.sim_seconds,
        "simulate_calls": problem.n_evaluations,
        "simulated_runs": problem.n_runs,
    }
    return result


def _add_drift(
    result: CalibrationResult, problem: Problem, previous: ParameterSet, prev_theta: np.ndarray
) -> None:
    """Parameter drift (old -> new, in SE units) and fit change on the current data."""
    se = result.standard_errors
    with np.errstate(divide="ignore", invalid="ignore"):
        d_se = np.where(se > 0, (result.estimates - prev_theta) / se, np.nan)
    result.drift = pd.DataFrame(
        {
            "parameter": result.names,
            "old": prev_theta,
            "new": result.estimates,
            "change": result.estimates - prev_theta,
            "change_se": d_se,
        }
    )
    old_vals = simulate(problem.plan.with_params(previous))
    cols = [old_vals.columns.index(s) for s in problem._series]
    ov = np.full(len(problem.points), np.nan)
    ov[problem._span_idx] = old_vals.outputs()[0, problem._year_pos, cols]
    old_table = residual_table(problem, ov)
    _, old_overall = series_statistics(old_table)
    rd_old = problem.data_residuals(ov[None, :])[0]
    result.fit_change = {
        "old_rmse": old_overall["rmse"],
        "new_rmse": result.overall["rmse"],
        "old_data_cost": 0.5 * float(np.sum(rd_old**2)),
        "new_data_cost": result.data_cost,
        "old_residuals": old_table["residual"].tolist(),
    }
    result.previous_source = previous.source


def check_tolerances(result: CalibrationResult) -> list[str]:
    """Korea behaviour-reproduction tolerances (issue 3); empty when all hold.

    Every wage ratio within 1.0 point at 2012 and 2017, ``rd_share_sme``
    within 1.0, ``rd_per_researcher_ratio_sme`` within 2.0,
    ``productivity_ratio_sme`` within 1.5, ``capital_region_grp_share`` 2017
    within 0.5, export share 2015-2017 RMSE <= 1.0.
    """
    t = result.residuals
    t = t[t["year"] >= START_YEAR]
    fails = []
    tol = {
        "wage_ratio_sme": 1.0,
        "wage_ratio_1_4": 1.0,
        "wage_ratio_5_9": 1.0,
        "wage_ratio_10_99": 1.0,
        "wage_ratio_100_499": 1.0,
        "rd_share_sme": 1.0,
        "rd_per_researcher_ratio_sme": 2.0,
        "productivity_ratio_sme": 1.5,
        "capital_region_grp_share": 0.5,
    }
    for sid, lim in tol.items():
        rows = t[(t["series"] == sid) & t["year"].isin([2012, 2017])]
        for _, r in rows.iterrows():
            if not abs(r["residual"]) <= lim:
                fails.append(f"{sid} {r['year']}: residual {r['residual']:+.2f} (limit {lim})")
    ex = t[(t["series"] == "export_share_sme") & t["year"].between(2015, 2017)]
    if len(ex):
        rmse = float(np.sqrt(np.mean(ex["residual"] ** 2)))
        if not rmse <= 1.0:
            fails.append(f"export_share_sme 2015-2017: RMSE {rmse:.2f} (limit 1.0)")
    return fails


__all__ = [
    "CalibrationResult",
    "FreeParameter",
    "Problem",
    "calibrate",
    "check_tolerances",
    "fit",
    "fit_statistics",
    "free_parameters",
    "theil",
]
