"""Calibration: estimate the free parameters from the merged releases, jointly for all countries.

One structure, two countries
----------------------------
``smesim calibrate`` fits every country profile (Korea and Japan) in **one**
least-squares problem.  A calibrated parameter that is behavioural
(:attr:`smesim.model.spec.Parameter.country` false: loop gains, elasticities,
adjustment times) takes **one** value shared by all countries; a country
parameter (start-year states, size structure, exogenous drivers) takes one
value per country.  Each country keeps its own profile: its releases, its
overrides (prior centres of its country parameters), baseline levers,
exogenous tables and ``fixed_in_calibration``.

* A shared parameter is free when any country's profile leaves it free (a
  profile fixes a behavioural parameter because *its* data say nothing about
  it; in a joint fit the other country's data may).  Its prior is the one
  every profile gives it; where the profiles disagree (an override of a
  behavioural parameter in one profile) the registry prior is used and the
  report says so: a behavioural parameter cannot have two prior centres.
* A country parameter is free for each country whose profile leaves it free,
  with that profile's prior.

The single-country fit (``profiles=("korea",)``) is the same problem with one
block; ``hold_shared=True`` frees only the country parameters and holds the
shared ones at the values of the base set (the current joint estimates):
re-calibration of one country on a new release without moving the other.

Method
------
Maximum a posteriori estimation by weighted, regularised least squares
(:func:`scipy.optimize.least_squares`, trust-region reflective, bounded).
Each free parameter ``theta_j`` is fitted on the scale of its prior,

.. math::

    \\theta_j = \\pi_j + s_j z_j \\qquad (\\pi_j\\ \\text{prior},\\ s_j\\ \\text{prior sd}),

and the residual vector stacks every country's data residuals and the prior residuals

.. math::

    r_{ci} = \\sqrt{w_{ci}}\\,\\frac{y_{ci}(\\theta) - d_{ci}}{\\sigma} \\quad [1],
    \\qquad r_{n+j} = z_j,

``y_ci`` the model's value of data point ``i`` (series, year) of country
``c`` (run under country ``c``'s profile), ``d_ci`` the published value,
``w_ci`` its weight from the release file and ``sigma`` =
:data:`NOMINAL_SE_PCT` (1 percentage point: the size of typical revisions
of published shares, e.g. the SME export share 2017 first 18.5, later 18.0).
Minimising ``sum r^2`` is the posterior mode under Gaussian errors of
``sigma / sqrt(w_ci)`` and Gaussian priors.

The Jacobian is central finite differences (step ``1e-3`` prior sd).  Each
residual evaluation makes **one** batched
:func:`smesim.engine.simulate.simulate` call per country (countries differ in
their lever paths and exogenous tables, which a plan holds once for all its
runs): the point itself and the ``2q`` perturbations of the ``q`` parameters
that country's outputs depend on (shared + its own; the other country's
parameters have a zero Jacobian block).  The multi-start design is a seeded
Latin hypercube over +-2 prior sd (clipped to the bounds), screened in one
batched call per country; least squares then starts from the prior centre, the
previous estimates (if any) and the best screened points.  The best end point
is the estimate; the report lists every start's end cost and distance, so a
reader sees whether the result depends on the start.

Uncertainty: the posterior covariance ``(J^T J)^{-1}`` of the stacked
residuals at the optimum (Laplace approximation), in parameter units via the
prior scale, over all free parameters of all countries (so the covariance of
a shared parameter with a country parameter is estimated).  Because ``z`` is
measured in prior sd, ``sqrt(cov_z[jj])`` is the ratio of posterior to prior
sd: near 1 the data say nothing about that parameter (not identified; its
value is the prior's), well below 1 the data pin it.  The singular values of
the data-only Jacobian (in prior-sd units) give the number of parameter
combinations the data determine better than the priors (singular value > 1).

Which data points are fitted is taken from the release files: every point
from the model's start year (:data:`smesim.model.horizon.START_YEAR`) on with
weight > 0.  Points before it are history, reported as "outside the simulated
span, not fitted"; points with weight 0 are reported but not fitted.  The
report shows the change over every interval between consecutive data years of
a series (e.g. 2007-2012 and 2012-2017 for Table 6), data against model.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
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
from smesim.inputs.profiles import Profile, get_profile, profile_names
from smesim.inputs.scenario import Scenario, baseline_scenario
from smesim.model.horizon import DEFAULT_DT, START_YEAR
from smesim.model.params import BY_NAME, CALIBRATED, ParameterSet

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
    """A parameter estimated by calibration, with its bounds and prior.

    ``country`` is None for a parameter shared by every country of the fit,
    else the profile whose value it is.
    """

    name: str
    lower: float
    upper: float
    prior: float
    prior_sd: float
    unit: str
    country: str | None = None

    @property
    def label(self) -> str:
        """``name`` for a shared parameter, ``name[country]`` for a country one."""
        return self.name if self.country is None else f"{self.name}[{self.country}]"


def free_parameters(prof: Profile, names: Sequence[str] | None = None) -> list[FreeParameter]:
    """The free parameters of the profile ``prof`` alone (default: every ``calibrated`` one).

    The prior centre is the profile's override of the parameter when it has
    one (its documented assumption), else the registry's prior.  Every
    parameter is labelled with no country (a one-country fit has nothing to share).
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


def joint_free_parameters(
    profiles: Sequence[Profile], *, hold_shared: bool = False
) -> tuple[list[FreeParameter], list[str]]:
    """Free parameters of a joint fit of ``profiles``, and notes on prior conflicts.

    Shared (behavioural) calibrated parameters first, in registry order, free
    when any profile leaves them free (none with ``hold_shared``); then each
    profile's free country parameters (``Parameter.country``), labelled with
    the profile.  A shared parameter whose prior (centre or sd) differs between
    the profiles gets the registry prior, and a note says so.
    """
    notes: list[str] = []
    out: list[FreeParameter] = []
    if not hold_shared:
        for name in CALIBRATED:
            p = BY_NAME[name]
            if p.country or not any(name in pr.free_parameter_names() for pr in profiles):
                continue
            priors = {(pr.prior_centre(name), pr.prior_sd(name)) for pr in profiles}
            if len(priors) == 1:
                (prior, sd) = priors.pop()
            else:
                prior, sd = p.prior, p.prior_sd
                given = ", ".join(
                    f"{pr.name} {pr.prior_centre(name):g} ± {pr.prior_sd(name):g}"
                    for pr in profiles
                )
                notes.append(
                    f"shared parameter {name}: the profiles give different priors ({given}); "
                    f"a behavioural parameter has one value in the joint fit, so the "
                    f"registry prior {prior:g} ± {sd:g} is used (mark it a country parameter "
                    "in the model, or drop the override)"
                )
            out.append(FreeParameter(name, p.lower, p.upper, prior, sd, p.unit))
    for pr in profiles:
        for name in pr.free_parameter_names():
            p = BY_NAME[name]
            if p.country:
                out.append(
                    FreeParameter(
                        name,
                        p.lower,
                        p.upper,
                        pr.prior_centre(name),
                        pr.prior_sd(name),
                        p.unit,
                        pr.name,
                    )
                )
    return out, notes


def shared_held_conflicts(profiles: Sequence[Profile], bases: Sequence[ParameterSet]) -> list[str]:
    """Notes for shared calibrated parameters held (fixed in every profile) at different
    values in different countries: the one place the joint fit cannot make them equal."""
    notes = []
    for name in CALIBRATED:
        if BY_NAME[name].country:
            continue
        if any(name in pr.free_parameter_names() for pr in profiles):
            continue
        vals = {pr.name: b.as_dict()[name] for pr, b in zip(profiles, bases, strict=True)}
        if len(set(vals.values())) > 1:
            notes.append(
                f"shared parameter {name} is fixed in every profile but at different values "
                f"({', '.join(f'{k} {v:g}' for k, v in vals.items())}); each country keeps its own"
            )
    return notes


# ---------------------------------------------------------------------------
# the problem: data points, model evaluation, residuals
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CountryData:
    """What one country brings to a calibration: its profile, merged releases and base set.

    ``base`` is one run with the values of every parameter that is not free
    (default: the profile's defaults,
    :meth:`~smesim.inputs.profiles.Profile.default_parameter_set`).
    """

    profile: Profile
    releases: Releases
    base: ParameterSet


class _Block:
    """One country's part of a :class:`Problem`: its points, plan and free columns."""

    def __init__(self, country, free, offset, scenario, dt):
        self.name = country.profile.name
        self.base = country.base
        #: columns of the joint parameter vector this country's runs depend on
        self.cols = np.array(
            [j for j, f in enumerate(free) if f.country in (None, self.name)], dtype=int
        )
        self.param_names = [free[j].name for j in self.cols]
        pts = country.releases.points.reset_index(drop=True).copy()
        pts.insert(0, "country", self.name)
        pts["in_span"] = pts["year"] >= START_YEAR
        pts["fitted"] = pts["in_span"] & (pts["weight"] > 0)
        self.points = pts
        span = pts[pts["in_span"]]
        self.until = max(int(span["year"].max()) if len(span) else START_YEAR, START_YEAR + 1)
        self.span_idx = np.flatnonzero(pts["in_span"].to_numpy())
        self.fit_idx = np.flatnonzero(pts["fitted"].to_numpy())
        self.series = span["series"].to_numpy()
        self.year_pos = span["year"].to_numpy() - START_YEAR
        self.offset = offset  # first row of this country in the joint points table
        self.plan = build_plan(scenario, country.profile, self.base, until=self.until, dt=dt)

    def values(self, thetas: np.ndarray, params: ParameterSet | None = None):
        """Model value of each of this country's points for each row of ``thetas``
        (its own columns), or for ``params`` (a whole set)."""
        if params is None:
            params = self.base.with_values(self.param_names, thetas)
        res = simulate(self.plan.with_params(params))
        out = np.full((params.values.shape[0], len(self.points)), np.nan)
        cols = [res.columns.index(s) for s in self.series]
        out[:, self.span_idx] = res.outputs()[:, self.year_pos, cols]
        return out


class Problem:
    """Data, free parameters and batched model evaluation of one (joint) calibration.

    Parameters
    ----------
    countries : sequence of CountryData
        Each country's profile, merged releases and base parameter set.
    free : list of FreeParameter
        Shared (``country`` None) and country parameters
        (:func:`joint_free_parameters`); a country parameter of a country not in
        ``countries`` is an error.
    scenario : Scenario
        The scenario the data describe (the baseline).
    dt : float
        Euler step (years), as used by ``smesim run``.

    One run plan per country is built once here; each evaluation only replaces
    its parameters.  :attr:`points` stacks every country's points (column
    ``country``); model values and residuals follow that order.
    """

    def __init__(
        self,
        countries: Sequence[CountryData],
        free: list[FreeParameter],
        *,
        scenario: Scenario,
        dt: float = DEFAULT_DT,
    ):
        names = [c.profile.name for c in countries]
        if not names:
            raise CalibrationError("calibration: no country to fit")
        if len(set(names)) != len(names):
            raise CalibrationError(f"calibration: a country is given twice ({', '.join(names)})")
        for f in free:
            if f.country is not None and f.country not in names:
                raise CalibrationError(
                    f"calibration: parameter {f.label} belongs to a country not in the fit "
                    f"(expected one of {', '.join(names)})"
                )
        self.free = list(free)
        self.countries = names
        self.dt = dt
        self.names = [f.label for f in self.free]
        self.prior = np.array([f.prior for f in self.free])
        self.prior_sd = np.array([f.prior_sd for f in self.free])
        self.lo = np.array([f.lower for f in self.free])
        self.hi = np.array([f.upper for f in self.free])
        self.z_lower = (self.lo - self.prior) / self.prior_sd
        self.z_upper = (self.hi - self.prior) / self.prior_sd
        self.blocks: list[_Block] = []
        offset = 0
        for c in countries:
            b = _Block(c, self.free, offset, scenario, dt)
            self.blocks.append(b)
            offset += len(b.points)
        self.points = pd.concat([b.points for b in self.blocks], ignore_index=True)
        if not self.points["fitted"].any():
            raise CalibrationError(
                "calibration: no data point to fit (every point is before "
                f"{START_YEAR} or has weight 0)"
            )
        self._fit_idx = np.flatnonzero(self.points["fitted"].to_numpy())
        self.data = self.points["value"].to_numpy(dtype=float)
        self.sqrt_w = np.sqrt(self.points["weight"].to_numpy(dtype=float)[self._fit_idx])
        # rows of the data residual vector that belong to each block
        fit_country = self.points["country"].to_numpy()[self._fit_idx]
        self._block_rows = [np.flatnonzero(fit_country == b.name) for b in self.blocks]
        self.n_evaluations = 0
        self.n_runs = 0
        self.sim_seconds = 0.0

    # -- transforms -----------------------------------------------------------
    def theta(self, z: np.ndarray) -> np.ndarray:
        """Parameter values at ``z`` (clipped to the bounds against rounding at a bound)."""
        return np.clip(self.prior + self.prior_sd * np.asarray(z, dtype=float), self.lo, self.hi)

    def z(self, theta: np.ndarray) -> np.ndarray:
        return (np.asarray(theta, dtype=float) - self.prior) / self.prior_sd

    def clip_z(self, z: np.ndarray) -> np.ndarray:
        """Strictly inside the bounds (least squares needs interior starts)."""
        eps = 1e-6 * (self.z_upper - self.z_lower)
        return np.clip(z, self.z_lower + eps, self.z_upper - eps)

    def block(self, country: str) -> _Block:
        return self.blocks[self.countries.index(country)]

    # -- model ------------------------------------------------------------------
    def _simulate_block(self, b: _Block, thetas=None, params=None) -> np.ndarray:
        t0 = time.perf_counter()
        out = b.values(None if thetas is None else thetas[:, b.cols], params)
        self.sim_seconds += time.perf_counter() - t0
        self.n_evaluations += 1
        self.n_runs += out.shape[0]
        return out

    def model_values(self, thetas: np.ndarray) -> np.ndarray:
        """Model value of every point (NaN before the start year), shape ``(runs, n_points)``.

        One batched :func:`~smesim.engine.simulate.simulate` call per country for all
        rows of ``thetas``.
        """
        thetas = np.atleast_2d(np.asarray(thetas, dtype=float))
        return np.concatenate([self._simulate_block(b, thetas) for b in self.blocks], axis=1)

    def values_of(self, country: str, params: ParameterSet) -> np.ndarray:
        """Model value of ``country``'s points under the whole parameter set ``params``."""
        return self._simulate_block(self.block(country), params=params)[0]

    def data_residuals(self, values: np.ndarray) -> np.ndarray:
        """Weighted, scaled residuals of the fitted points, shape ``(runs, n_fitted)``."""
        v = np.atleast_2d(values)[:, self._fit_idx]
        return self.sqrt_w * (v - self.data[self._fit_idx]) / NOMINAL_SE_PCT

    def residuals(self, z: np.ndarray) -> np.ndarray:
        """Stacked residuals at ``z``.

        The same batched model call per country also evaluates the Jacobian
        perturbations of the parameters that country depends on (a batch of
        ``2q + 1`` runs costs little more than one run), so the Jacobian at an
        accepted step is free.
        """
        z = np.asarray(z, dtype=float)
        p = z.size
        n = self.n_fitted
        r0 = np.empty(n)
        jac = np.zeros((n + p, p))
        jac[n:, :] = np.eye(p)
        theta = self.theta(z)
        for b, rows in zip(self.blocks, self._block_rows, strict=True):
            zs, up, dn = self._perturbations(z, b.cols)
            thetas = np.vstack([theta[None, :], self.theta(zs)])
            vals = self._simulate_block(b, thetas)
            fit_here = self._fit_idx[rows] - b.offset
            r = (
                self.sqrt_w[rows]
                * (vals[:, fit_here] - self.data[self._fit_idx[rows]])
                / NOMINAL_SE_PCT
            )
            q = b.cols.size
            r0[rows] = r[0]
            if q:
                d = (r[1 : q + 1] - r[q + 1 :]) / (up - dn)[b.cols][:, None]
                jac[np.ix_(rows, b.cols)] = d.T
        self._jac_cache = (z.copy(), jac)
        return np.concatenate([r0, z])

    def residuals_batch(self, zs: np.ndarray) -> np.ndarray:
        zs = np.atleast_2d(zs)
        r = self.data_residuals(self.model_values(self.theta(zs)))
        return np.concatenate([r, zs], axis=1)

    def _perturbations(self, z: np.ndarray, cols: np.ndarray):
        """``2q`` rows: ``z`` moved up, then down, in each column of ``cols``."""
        h = np.full(z.size, _FD_STEP)
        up = np.minimum(z + h, self.z_upper)
        dn = np.maximum(z - h, self.z_lower)
        q = cols.size
        zs = np.repeat(z[None, :], 2 * q, axis=0)
        zs[np.arange(q), cols] = up[cols]
        zs[q + np.arange(q), cols] = dn[cols]
        return zs, up, dn

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        """Central differences of :meth:`residuals` (step 1e-3 prior sd), one batched call
        per country."""
        z = np.asarray(z, dtype=float)
        cached = getattr(self, "_jac_cache", None)
        if cached is None or not np.array_equal(cached[0], z):
            self.residuals(z)
        return self._jac_cache[1]

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
    """Everything a (joint) calibration found.

    :func:`smesim.report.calibration_report.render_markdown` reports it.
    Parameters are labelled (:attr:`names`) ``name`` when shared by every
    country of the fit and ``name[country]`` when a country's own
    (:attr:`param_names`, :attr:`param_country` give the two parts).

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
    parameter_sets: dict[str, ParameterSet]
    countries: list[str] = field(default_factory=list)
    param_names: list[str] = field(default_factory=list)
    param_country: list[str | None] = field(default_factory=list)
    #: Fit statistics of each country's fitted points (as :attr:`overall`).
    by_country: dict[str, dict] = field(default_factory=dict)
    #: Shared parameters held, not estimated (``hold_shared``): country -> {name: value}.
    held: dict[str, dict[str, float]] = field(default_factory=dict)
    #: Where the held values came from, by country.
    held_source: dict[str, str] = field(default_factory=dict)
    drift: pd.DataFrame | None = None
    fit_change: dict | None = None
    previous_source: dict[str, str] | None = None
    notes: list[str] = field(default_factory=list)
    #: Suspicious but possible data (:attr:`smesim.inputs.data.Releases.warnings`).
    data_warnings: list[str] = field(default_factory=list)

    @property
    def joint(self) -> bool:
        """True when more than one country was fitted (shared parameters are shared)."""
        return len(self.countries) > 1

    @property
    def parameter_set(self) -> ParameterSet:
        """The fitted set of a one-country calibration (use :attr:`parameter_sets` else)."""
        if len(self.parameter_sets) != 1:
            raise CalibrationError(
                "calibration: a joint fit has one parameter set per country "
                f"({', '.join(self.parameter_sets)}); use parameter_sets[country]"
            )
        return next(iter(self.parameter_sets.values()))

    @property
    def shared(self) -> list[str]:
        """Names of the free parameters shared by every country of the fit."""
        return [n for n, c in zip(self.param_names, self.param_country, strict=True) if c is None]

    def indices(self, country: str) -> np.ndarray:
        """Positions of the parameters ``country``'s set is made of: shared, then its own."""
        return np.array(
            [j for j, c in enumerate(self.param_country) if c in (None, country)], dtype=int
        )

    def country_view(self, country: str) -> dict:
        """``country``'s parameters: plain names, estimates, SEs and covariance (restricted)."""
        idx = self.indices(country)
        return {
            "names": [self.param_names[j] for j in idx],
            "estimates": self.estimates[idx],
            "standard_errors": self.standard_errors[idx],
            "covariance": self.covariance[np.ix_(idx, idx)],
        }

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
                "name": self.param_names or self.names,
                "country": [
                    c if c is not None else "shared"
                    for c in (self.param_country or [None] * len(self.names))
                ],
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
            "country": pts["country"],
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
    """Fit statistics of the fitted points by country and series, and over all of them."""
    fit = table[table["status"] == "fitted"]
    rows = []
    for (country, sid), g in fit.groupby(["country", "series"], sort=False):
        rows.append({"country": country, "series": sid, **fit_statistics(g["model"], g["data"])})
    overall = fit_statistics(fit["model"], fit["data"])
    stats = pd.DataFrame(rows)
    if len(stats):
        stats = stats.sort_values(["country", "series"], kind="stable", key=_country_order(table))
    return stats.reset_index(drop=True), overall


def _country_order(table: pd.DataFrame):
    order = {c: i for i, c in enumerate(dict.fromkeys(table["country"]))}

    def key(col: pd.Series) -> pd.Series:
        return col.map(order) if col.name == "country" else col

    return key


def country_statistics(table: pd.DataFrame, data_residuals: np.ndarray) -> dict[str, dict]:
    """Per country: fit statistics of its fitted points (RMSE, MAPE, R², Theil), its
    number of points by status and its share of the chi² (``data_residuals`` in the
    order of the fitted rows of ``table``)."""
    out = {}
    fitted = (table["status"] == "fitted").to_numpy()
    fit_country = table["country"].to_numpy()[fitted]
    for country, g in table.groupby("country", sort=False):
        f = g[g["status"] == "fitted"]
        stats = (
            fit_statistics(f["model"], f["data"])
            if len(f)
            else dict.fromkeys(("rmse", "mape", "r2", "bias", "UM", "US", "UC"), np.nan) | {"n": 0}
        )
        rd = data_residuals[fit_country == country]
        stats.update(
            {
                "n_fitted": len(f),
                "n_points": len(g),
                "n_history": int((g["year"] < START_YEAR).sum()),
                "n_excluded": int(((g["year"] >= START_YEAR) & (g["weight"] == 0)).sum()),
                "chi2": float(np.sum(rd**2)),
            }
        )
        out[str(country)] = stats
    return out


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
    profile: str | None = None,
    profiles: Sequence[str] | None = None,
) -> dict[str, list[Path] | None]:
    """The release files of each country of a calibration, in release order.

    Returns ``{country: files}`` for every country of ``profiles`` (default: every
    bundled profile); ``None`` means the country's bundled releases, as
    :func:`smesim.inputs.data.load_releases` reads them by default.  ``data``
    replaces the bundled releases of ``profile`` (``smesim calibrate --profile P
    --data``); ``add`` comes after them, or after ``data`` (``--add``).  Release
    files do not say which country they describe, so ``data`` or ``add`` without
    ``profile`` is an error, as is a ``profile`` that is not in the fit.
    """
    countries = list(profiles) if profiles is not None else list(profile_names())
    for c in countries:
        get_profile(c)  # validates the name
    out: dict[str, list[Path] | None] = dict.fromkeys(countries)
    if not data and not add:
        return out
    if profile is None:
        raise CalibrationError(
            "calibration: release files given without their country: name the profile "
            f"they describe (one of {', '.join(countries)})"
        )
    name = get_profile(profile).name
    if name not in out:
        raise CalibrationError(
            f"calibration: releases of {name!r}, a country not in the fit "
            f"(expected one of {', '.join(countries)})"
        )
    if data:
        first = [Path(p) for p in data]
    elif add:
        first = bundled_files(
            "releases",
            name,
            suffixes=RELEASE_SUFFIXES,
            what=f"bundled releases of profile {name!r}",
        )
    out[name] = [*first, *(Path(p) for p in add or ())]
    return out


def _per_country(value, countries: list[str], what: str) -> dict:
    """``value`` as ``{country: value}``: a mapping is checked, a single object needs
    exactly one country, None gives None for each."""
    if value is None:
        return dict.fromkeys(countries)
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in countries]
        if unknown:
            raise CalibrationError(
                f"calibration: {what} of {unknown[0]!r}, a country not in the fit "
                f"(expected one of {', '.join(countries)})"
            )
        return {c: value.get(c) for c in countries}
    if len(countries) != 1:
        raise CalibrationError(
            f"calibration: {what} for a joint fit of {', '.join(countries)}: expected one "
            "per country, as {country: value}"
        )
    return {countries[0]: value}


def calibrate(
    releases: Releases | Mapping[str, Releases] | None = None,
    *,
    profile: str | None = None,
    profiles: Sequence[str] | None = None,
    seed: int = 0,
    previous: ParameterSet | Mapping[str, ParameterSet] | None = None,
    n_screen: int = 64,
    n_starts: int = 3,
    free: Sequence[str] | None = None,
    dt: float = DEFAULT_DT,
    base: ParameterSet | Mapping[str, ParameterSet] | None = None,
    hold_shared: bool = False,
    progress: bool | None = None,
) -> CalibrationResult:
    """Estimate the free parameters of every country jointly (or of one country).

    Parameters
    ----------
    releases : Releases or {country: Releases}, optional
        Merged data (:func:`smesim.inputs.data.load_releases`) by country; a
        country left out reads its bundled releases.  A bare ``Releases`` needs
        a one-country fit.  Releases of a country not in the fit are an error.
    profile : str, optional
        Fit this one country alone (same as ``profiles=(profile,)``).
    profiles : sequence of str, optional
        The countries of the joint fit; default every bundled profile.
    seed : int
        Seed of the multi-start design (recorded in the result).
    previous : ParameterSet or {country: ParameterSet}, optional
        The parameter sets this calibration replaces: an extra start (shared
        parameters at the mean of the countries' previous values), and the
        reference of the drift and fit-change report.
    n_screen, n_starts : int
        Size of the screened Latin-hypercube design, and how many of its best
        points start a least-squares run (besides the prior centre and
        ``previous``).
    free : sequence of str, optional
        Restrict the free parameters to these names (default: every calibrated
        one :func:`joint_free_parameters` selects).
    base : ParameterSet or {country: ParameterSet}, optional
        Values of the fixed parameters (default: each profile's defaults; with
        ``hold_shared`` the set in use, :meth:`~smesim.inputs.profiles.Profile.parameter_set`).
    hold_shared : bool
        Estimate only the country parameters; hold the shared ones at their
        values in ``base`` (the current joint estimates).
    progress : bool, optional
        Show a progress bar on stderr; default: only when stderr is a terminal.

    Returns
    -------
    CalibrationResult
    """
    seed = check_seed(seed)
    t_start = time.perf_counter()
    if profile is not None:
        if profiles is not None and list(profiles) != [profile]:
            raise CalibrationError("calibration: give profile or profiles, not both")
        profiles = (profile,)
    names = list(profiles) if profiles is not None else list(profile_names())
    profs = [get_profile(n) for n in names]
    names = [p.name for p in profs]
    if len(set(names)) != len(names):
        raise CalibrationError(f"calibration: a country is given twice ({', '.join(names)})")
    rel = _per_country(releases, names, "releases")
    bases = _per_country(base, names, "base parameter set")
    prevs = _per_country(previous, names, "previous parameter set")
    countries = []
    for prof in profs:
        r = rel[prof.name]
        if r is None:
            r = load_releases(None, profile=prof.name)
        if not isinstance(r, Releases):
            raise CalibrationError(
                f"calibration: releases of {prof.name!r}: expected merged releases "
                f"(smesim.inputs.data.load_releases), got {type(r).__name__}"
            )
        b = bases[prof.name]
        if b is None:
            b = prof.parameter_set() if hold_shared else prof.default_parameter_set()
        countries.append(CountryData(prof, r, b))
    fp, prior_notes = joint_free_parameters(profs, hold_shared=hold_shared)
    if free is not None:
        unknown = [n for n in free if n not in BY_NAME]
        if unknown:
            raise ParameterError(f"calibration: unknown parameter {unknown[0]!r}")
        fp = [f for f in fp if f.name in set(free)]
    if not fp:
        raise CalibrationError("calibration: no free parameter to estimate")
    joint = len(names) > 1
    if not joint:  # one country: registry order, as free_parameters gives
        fp.sort(key=lambda f: CALIBRATED.index(f.name))
    problem = Problem(countries, fp, scenario=baseline_scenario(), dt=dt)
    if not joint:  # one country: plain names
        problem.names = [f.name for f in fp]
    label = "+".join(names)

    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    has_prev = any(v is not None for v in prevs.values())
    if show:
        bar = tqdm(
            total=1 + n_starts + has_prev,
            desc=f"calibration starts ({label})",
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
    if has_prev:
        extra.append(("previous estimates", _previous_theta(fp, prevs, problem.prior)))
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

    psets = {}
    held: dict[str, dict[str, float]] = {}
    held_source: dict[str, str] = {}
    for c, b in zip(countries, problem.blocks, strict=True):
        pset = c.base.with_values(b.param_names, theta[None, b.cols])
        psets[c.profile.name] = ParameterSet(pset.values, source=f"calibration:{label}", meta={})
        if hold_shared:
            bv = c.base.as_dict()
            held[c.profile.name] = {
                nm: bv[nm]
                for nm in CALIBRATED
                if not BY_NAME[nm].country and nm not in free_set(fp)
            }
            held_source[c.profile.name] = c.base.source
    notes = []
    for c in countries:
        pre = f"{c.profile.name}: " if joint else ""
        notes += [pre + nt for nt in c.profile.calibration_notes]
        notes += [f"{pre}Data: {w}" for w in c.releases.warnings]
    notes += prior_notes
    if not hold_shared:
        notes += shared_held_conflicts(profs, [c.base for c in countries])
    provenance = []
    replaced = []
    for c in countries:
        provenance += [{"profile": c.profile.name, **p} for p in c.releases.provenance()]
        rep = c.releases.replaced.copy()
        rep.insert(0, "country", c.profile.name)
        replaced.append(rep)
    starts_desc = (
        f"multi-start: prior centre{', previous estimates' if has_prev else ''} and the best "
        f"{n_starts} of a {n_screen}-point Latin hypercube (seed {seed}) over +-2 prior sd"
    )
    if joint:
        what = (
            f"joint fit of {', '.join(names)}: one value of each shared (behavioural) "
            "parameter for all, one value of each country parameter per country; "
        )
    elif hold_shared:
        what = f"{names[0]} alone, shared parameters held at the values in use; "
    else:
        what = f"{names[0]} alone; "
    result = CalibrationResult(
        profile=label,
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
        replaced=pd.concat(replaced, ignore_index=True),
        provenance=provenance,
        seed=seed,
        method=(
            f"MAP by bounded least squares (scipy.optimize.least_squares, trf); {what}"
            f"residuals sqrt(w)*(model-data)/{NOMINAL_SE_PCT:g} pp plus Gaussian priors; "
            "central-difference Jacobian in one batched simulate call per country; "
            f"{starts_desc}; Euler dt={dt:g} yr"
        ),
        timing={},
        parameter_sets=psets,
        countries=names,
        param_names=[f.name for f in fp],
        param_country=[f.country if joint else None for f in fp],
        by_country=country_statistics(table, rd),
        held=held,
        held_source=held_source,
        notes=notes,
        data_warnings=[
            (f"{c.profile.name}: {w}" if joint else w)
            for c in countries
            for w in c.releases.warnings
        ],
    )
    if has_prev:
        _add_drift(result, problem, prevs)
    t_end = time.perf_counter()
    result.timing = {
        "total_s": t_end - t_start,
        "fit_s": t_fit - t_start,
        "simulate_s": problem.sim_seconds,
        "simulate_calls": problem.n_evaluations,
        "simulated_runs": problem.n_runs,
    }
    return result


def free_set(fp: Sequence[FreeParameter]) -> set[str]:
    """Names of the free parameters (shared or any country's)."""
    return {f.name for f in fp}


def _previous_theta(fp, prevs: Mapping[str, ParameterSet | None], prior: np.ndarray):
    """Start at the previous estimates: a country parameter from its country's set, a
    shared one at the mean over the countries that have a previous set."""
    dicts = {c: p.as_dict() for c, p in prevs.items() if p is not None}
    out = np.array(prior, dtype=float)
    for j, f in enumerate(fp):
        if f.country is None:
            vals = [d[f.name] for d in dicts.values()]
        else:
            vals = [dicts[f.country][f.name]] if f.country in dicts else []
        if vals:
            out[j] = float(np.mean(vals))
    return out


def _add_drift(
    result: CalibrationResult, problem: Problem, prevs: Mapping[str, ParameterSet | None]
) -> None:
    """Parameter drift (old -> new, in SE units) and fit change on the current data, for
    every country with a previous set."""
    rows = []
    by_country = {}
    old_all, new_all, rd_old_all, rd_new_all = [], [], [], []
    table = result.residuals
    fitted = (table["status"] == "fitted").to_numpy()
    rd_new = problem.data_residuals(table["model"].to_numpy(float)[None, :])[0]
    fit_country = table["country"].to_numpy()[fitted]
    sources = {}
    for country, prev in prevs.items():
        if prev is None:
            continue
        sources[country] = prev.source
        pv = prev.as_dict()
        for j in result.indices(country):
            old = pv[result.param_names[j]]
            new = result.estimates[j]
            se = result.standard_errors[j]
            rows.append(
                {
                    "country": country,
                    "parameter": result.names[j],
                    "old": old,
                    "new": new,
                    "change": new - old,
                    "change_se": (new - old) / se if se > 0 else np.nan,
                }
            )
        ov = problem.values_of(country, prev)
        mine = table[table["country"] == country]
        fit_here = (mine["status"] == "fitted").to_numpy()
        old_m = ov[fit_here]
        data = mine["data"].to_numpy(float)[fit_here]
        w = mine["weight"].to_numpy(float)[fit_here]
        rd_old = np.sqrt(w) * (old_m - data) / NOMINAL_SE_PCT
        rd_c = rd_new[fit_country == country]
        old_stats = fit_statistics(old_m, data) if len(data) else {"rmse": np.nan}
        by_country[country] = {
            "previous": prev.source,
            "old_rmse": old_stats["rmse"],
            "new_rmse": result.by_country[country]["rmse"],
            "old_data_cost": 0.5 * float(np.sum(rd_old**2)),
            "new_data_cost": 0.5 * float(np.sum(rd_c**2)),
            "old_residuals": (ov - mine["data"].to_numpy(float)).tolist(),
        }
        old_all.append(old_m)
        new_all.append(mine["model"].to_numpy(float)[fit_here])
        rd_old_all.append(rd_old)
        rd_new_all.append(rd_c)
    result.drift = pd.DataFrame(
        rows, columns=["country", "parameter", "old", "new", "change", "change_se"]
    )
    data_all = np.concatenate(
        [
            table[(table["country"] == c) & (table["status"] == "fitted")]["data"].to_numpy(float)
            for c in by_country
        ]
    )
    old_all_a, new_all_a = np.concatenate(old_all), np.concatenate(new_all)
    result.fit_change = {
        "old_rmse": float(np.sqrt(np.mean((old_all_a - data_all) ** 2))),
        "new_rmse": float(np.sqrt(np.mean((new_all_a - data_all) ** 2))),
        "old_data_cost": 0.5 * float(np.sum(np.concatenate(rd_old_all) ** 2)),
        "new_data_cost": 0.5 * float(np.sum(np.concatenate(rd_new_all) ** 2)),
        "by_country": by_country,
    }
    result.previous_source = sources


def check_tolerances(result: CalibrationResult) -> list[str]:
    """Korea behaviour-reproduction tolerances (issue 3); empty when all hold (or when
    Korea is not in the fit).

    Every wage ratio within 1.0 point at 2012 and 2017 (Table 4's all-firm figure
    ``wage_ratio_all_firms``, issue 12, and the four size classes),
    ``rd_share_sme`` within 1.0, ``rd_per_researcher_ratio_sme`` within 2.0,
    ``productivity_ratio_sme`` within 1.5, ``capital_region_grp_share`` 2017
    within 0.5, export share 2015-2017 RMSE <= 1.0.
    """
    t = result.residuals
    t = t[(t["year"] >= START_YEAR) & (t["country"] == "korea")]
    fails = []
    tol = {
        "wage_ratio_all_firms": 1.0,
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
    "CountryData",
    "FreeParameter",
    "Problem",
    "calibrate",
    "calibration_data",
    "check_tolerances",
    "country_statistics",
    "fit",
    "fit_statistics",
    "free_parameters",
    "joint_free_parameters",
    "theil",
]
