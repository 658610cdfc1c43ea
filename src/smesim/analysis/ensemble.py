"""Ensembles: projections with their uncertainty, streamed into percentile bands.

``run_ensemble(scenarios, runs, seed)`` draws ``runs`` parameter sets from
the joint uncertainty of the estimated parameters, runs every scenario (and
the baseline) on each of them through the batched model, and reduces the
outputs *as they stream in* to

``bands``
    percentiles 5, 25, 50, 75, 95 of every canonical series per year and
    scenario (columns ``scenario, series, year, p5, p25, p50, p75, p95``);
``probabilities``
    the share of runs in which a scenario beats the baseline on each
    coexistence index at 2030, 2040 and 2060, run by run on the same
    parameter draw (columns ``scenario, index, year, p_beats_baseline``;
    "beats" means higher by more than 1e-9).

Uncertainty
-----------
By default every uncertain parameter is sampled:

* the estimated parameters from a multivariate normal with the calibrated
  point estimate as mean and the calibration's covariance
  (``calibration/params/<profile>.toml``, ``[covariance]``;
  ``[standard_errors]`` alone gives a diagonal one).  Without a calibrated
  parameter set the registry's priors (``prior_sd`` of each free parameter of
  the profile) stand in, and the manifest says so.  Draws outside a
  parameter's bounds are redrawn (a normal truncated to the bounds), never
  clipped;
* every *assumed* parameter that declares a range (``Parameter.sample`` in its
  sector module, with the range's reason in its source) uniformly over that
  range, independently of the others.  A range is declared around the model's
  default; when the profile's value of the parameter lies outside it (a
  country figure that differs), the parameter is held at the profile's value
  and the manifest says why (give that country's range in a ranges file).

A draw (of the whole parameter set) that breaks one of the model's declared
rules (``Sector.rule``; with the profile's start-year lever values) is
redrawn too: the joint distribution is truncated to the admissible sets.

Held fixed: parameters with status ``data``, assumed parameters without a
range, calibrated parameters outside the joint uncertainty (not free for the
profile).  The manifest (``uncertainty.sampled`` and ``uncertainty.held``)
lists every parameter, sampled with its distribution, range and source, or
held with its value and the reason.

A TOML ranges file (``--ranges``; ``[ranges.<name>]`` with ``distribution =
"uniform"`` and ``lower``/``upper``, or ``"normal"`` with ``mean``/``sd``)
overrides the declared range of a parameter, or adds one for a parameter
outside the joint normal.  ``assumed=False`` (``--no-assumed``) holds the
assumed parameters at their values (only the estimates and the ranges file
vary), to compare with the default.

Unimodality
-----------
For every scenario, series and reporting year the summary (manifest key
``unimodality``) gives the width of the 5-95 % band and counts the modes of
the streamed histogram after smoothing: a Gaussian kernel density on the
histogram, bandwidth ``max(0.9 min(sd, IQR / 1.34) n^(-1/5), one bin)``
(Silverman's rule of thumb).  A local maximum of it counts as a mode when its
prominence (its height above the highest saddle towards a higher peak; for
the highest peak, its height) is

* at least :data:`MODE_DIP` (20 %) of its own height: the density between two
  modes falls at least a fifth below the lower one;
* at least :data:`MODE_NOISE_Z` (4) standard errors of the difference between
  the estimated density at the peak and at the saddle (a kernel estimate
  ``f``, in runs per bin, has variance ``f R(K) / h``, ``R(K) = 1 / (2
  sqrt(pi))``, ``h`` in bins): sampling noise on a flat top, or a few stray
  runs, is not a mode (a cluster needs about a dozen runs);
* at least :data:`MODE_PROMINENCE` (1 %) of the highest density.

``unimodal`` is "one mode".  Checked on synthetic samples (normal, uniform,
exponential, lognormal, gamma, Student t, Cauchy: one mode at 20 to 100,000
draws; mixtures of two normals 4 sd apart, or with 5 % of the draws 8 sd away,
and a collapse-or-take-over split: two modes from 1,000 draws; the test has
little power below a few hundred runs).  The bins are those of the streamed
percentiles (:data:`BINS` over at most four times the largest deviation from
the point-estimate run), so a few far outliers coarsen them.

The bimodality coefficient ``(g^2 + 1) / (k + 3 (n-1)^2 / ((n-2)(n-3)))``
(``g`` skewness, ``k`` excess kurtosis; 5/9 for a uniform distribution) is
reported beside it for reference, not for the verdict: it exceeds 5/9 for
skewed unimodal distributions too.

Reproducibility
---------------
Run ``i`` belongs to block ``i // BLOCK_RUNS``; each block draws from its own
generator, ``SeedSequence(seed, spawn_key=(block,))``, so a run's parameters
depend only on ``(seed, i)``: the same seed gives the same numbers whatever the
batch size, the number of workers or the executor.

Shared integration
------------------
Runs of all scenarios use the same draw, and a scenario's levers usually
equal the baseline's until its policy starts: the baseline's state at the
last whole year before any lever parts is handed to the other scenarios,
which integrate only from there (bit-identical to full runs; tested).  Their
values in the shared years are the baseline's, so they are neither copied nor
counted twice: each scenario's percentile cells of those years are the
baseline's.

Streamed percentiles
--------------------
Memory is bounded whatever ``runs`` is: each (scenario, series, year) cell
keeps a histogram of :data:`BINS` bins centred on the point-estimate run's
value, whose half-width doubles (merging bin pairs, which is exact on counts)
whenever a value falls outside it, plus the exact minimum and maximum.
Binning never depends on the order in which runs arrive, so partial
histograms from any split of the runs merge into the same counts.  A
percentile is read off the counts with NumPy's ``linear`` rule, locating each
order statistic within its bin; its error is at most one bin width
(``2 R / BINS``, ``R`` < twice the largest deviation from the centre, at least
1e-6 x max(1, abs(centre))), and
the manifest reports that bound per series (``percentile_abs_error_bound``).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from smesim.engine.parallel import Execution, run_tasks
from smesim.engine.plan import RunPlan, build_plan
from smesim.engine.simulate import simulate
from smesim.engine.threads import split
from smesim.errors import DataError, ParameterError, check_seed, located
from smesim.inputs.paramfile import load_toml
from smesim.inputs.profiles import Profile, get_profile
from smesim.inputs.scenario import Scenario, load_scenario
from smesim.io import (
    dump_json,
    file_provenance,
    manifest,
    read_manifest,
    read_result_csv,
    staged_files,
    write_csv,
)
from smesim.model import MODEL
from smesim.model.horizon import DEFAULT_DT, DEFAULT_END_YEAR, REPORTING_YEARS, START_YEAR
from smesim.model.outputs import ALL_COLUMNS, CANONICAL, COEXISTENCE, HEADLINE
from smesim.model.params import BY_NAME, NAMES, PARAMETERS, ParameterSet

PERCENTILES = (5, 25, 50, 75, 95)
BAND_COLUMNS = ("scenario", "series", "year", "p5", "p25", "p50", "p75", "p95")
PROBABILITY_COLUMNS = ("scenario", "index", "year", "p_beats_baseline")
MODALITY_COLUMNS = (
    "scenario",
    "series",
    "year",
    "width_p5_p95",
    "modes",
    "unimodal",
    "bimodality_coefficient",
)
BEAT_TOLERANCE = 1e-9
#: Runs per random block (a run's draws depend only on the seed and its index).
BLOCK_RUNS = 1024
#: Output memory of one batch, all scenarios together, that the automatic batch
#: size aims at (each run and scenario holds 28 series x years x 8 bytes: 11 kB
#: to 2060).  Larger batches run faster (per-call costs amortised; measured on
#: 2 cores, 100,000 runs of coexistence_package: 5.8-6.3 s whole-process at
#: 4,096 runs a batch, 5.5-5.8 s at 8,192, 5.1-5.4 s at 16,384).
BATCH_BYTES = 384 * 2**20
#: Bounds of the automatic batch size (runs).
AUTO_BATCH_RUNS = (4096, 16384)
#: Histogram bins per (scenario, series, year) cell.
BINS = 4096
_R0_RELATIVE = 1e-6
_MAX_REDRAWS = 200
SAMPLE_MODES = ("joint", "point")
#: Fewest parameter draws of an uncertainty ensemble (``--runs`` of ensemble, compare and
#: brief): with fewer, the 5th and 95th percentiles rest on one or two runs each.
MIN_RUNS = 20


# ---------------------------------------------------------------------------
# uncertainty and sampling
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """An independent distribution of one parameter outside the joint normal."""

    name: str
    distribution: str  # uniform | normal
    a: float  # lower | mean
    b: float  # upper | sd
    source: str = ""  # where the range is declared


@dataclass(frozen=True)
class Uncertainty:
    """Joint normal of the estimated parameters plus independent ranges.

    ``ranges`` are the assumed parameters' declared ranges (unless ``assumed``
    is False) overridden or extended by the ranges file; ``held`` lists every
    other parameter as ``(name, value, reason)``.
    """

    names: tuple[str, ...]
    mean: np.ndarray
    factor: np.ndarray  # lower-triangular: cov = factor @ factor.T
    source: str
    ranges: tuple[Range, ...] = ()
    ranges_file: str | None = None
    held: tuple[tuple[str, float, str], ...] = ()
    assumed: bool = True

    @property
    def sd(self) -> np.ndarray:
        """Standard deviations of the joint normal (before truncation to the bounds)."""
        return np.sqrt((self.factor**2).sum(axis=1))

    @property
    def sampled(self) -> tuple[str, ...]:
        """Every parameter the ensemble varies, in registry order."""
        varied = set(self.names) | {r.name for r in self.ranges}
        return tuple(n for n in NAMES if n in varied)

    def describe(self) -> dict:
        sampled: dict[str, dict] = {}
        sd = self.sd
        for n, mu, s in zip(self.names, self.mean, sd, strict=True):
            p = BY_NAME[n]
            sampled[n] = {
                "status": p.status,
                "distribution": "normal, joint with the other estimates, truncated to bounds",
                "mean": float(mu),
                "sd": float(s),
                "bounds": [p.lower, p.upper],
                "source": self.source,
            }
        for r in self.ranges:
            p = BY_NAME[r.name]
            entry: dict = {"status": p.status, "distribution": r.distribution}
            if r.distribution == "uniform":
                entry.update(lower=r.a, upper=r.b)
            else:
                entry.update(mean=r.a, sd=r.b, bounds=[p.lower, p.upper])
            entry["source"] = r.source
            sampled[r.name] = entry
        order = {n: i for i, n in enumerate(NAMES)}
        return {
            "assumed_sampling": self.assumed,
            "sampled": dict(sorted(sampled.items(), key=lambda kv: order[kv[0]])),
            "held": {
                n: {"status": BY_NAME[n].status, "value": v, "reason": why}
                for n, v, why in self.held
            },
            "joint_normal": {
                "source": self.source,
                "parameters": list(self.names),
                "sd": sd.tolist(),
            },
            "declared_ranges": {
                "file": self.ranges_file,
                "parameters": {
                    r.name: {"distribution": r.distribution, "a": r.a, "b": r.b}
                    for r in self.ranges
                    if r.source == self.ranges_file
                },
            },
        }


def assumed_ranges(
    point: ParameterSet, exclude: Sequence[str] = ()
) -> tuple[tuple[Range, ...], tuple[tuple[str, float, str], ...]]:
    """The declared ranges (``Parameter.sample``) of the assumed parameters not in
    ``exclude``, and those held because ``point``'s value lies outside the range.

    Returns ``(ranges, held)``; ``held`` as in :class:`Uncertainty`.
    """
    values = point.as_dict()
    ranges, held = [], []
    for p in PARAMETERS:
        if p.status != "assumed" or p.sample is None or p.name in exclude:
            continue
        lo, hi = p.sample
        v = values[p.name]
        if lo <= v <= hi:
            ranges.append(Range(p.name, "uniform", float(lo), float(hi), f"{p.sector}: {p.source}"))
        else:
            held.append(
                (
                    p.name,
                    v,
                    f"the parameter set's value {v:g} lies outside the declared range "
                    f"[{lo:g}, {hi:g}] (declared around the default {p.value:g}); give "
                    "this profile's range in a ranges file",
                )
            )
    return tuple(ranges), tuple(held)


def _held_reason(p, assumed: bool) -> str:
    if p.status == "data":
        return "data: a published figure"
    if p.status == "calibrated":
        return "calibrated, outside the joint uncertainty (not free for this profile)"
    if p.sample is None:
        return "assumed, no range declared (Parameter.sample)"
    return "assumed; sampling of assumed parameters switched off (--no-assumed)"


def _factor(cov: np.ndarray, source: str) -> np.ndarray:
    cov = 0.5 * (cov + cov.T)
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(cov)
        if w.min() < -1e-8 * max(1.0, w.max()):
            raise ParameterError(
                located(
                    source,
                    "covariance.matrix",
                    "expected a positive semi-definite matrix (got an "
                    f"eigenvalue of {w.min():.3g})",
                )
            ) from None
        return v * np.sqrt(np.clip(w, 0.0, None))


def joint_uncertainty(
    prof: Profile,
    ranges_file: str | Path | None = None,
    point: ParameterSet | None = None,
    *,
    assumed: bool = True,
) -> Uncertainty:
    """Every uncertain parameter of the profile ``prof`` (module docs).

    The estimated parameters' joint normal uses the calibrated covariance when
    ``point`` (default: the profile's parameter set) has one, else the registry
    priors.  With ``assumed`` (default), the assumed parameters' declared ranges
    join it; ``ranges_file`` overrides or adds ranges.
    """
    pset = point if point is not None else prof.parameter_set()
    meta = dict(pset.meta or {})
    cov_meta = meta.get("covariance")
    ses = meta.get("standard_errors") or {}
    if cov_meta and len(cov_meta.get("names", ())):
        names = tuple(cov_meta["names"])
        cov = np.asarray(cov_meta["matrix"], dtype=float)
        src = f"{pset.source}: [covariance]"
        for n in names:
            if n not in BY_NAME:
                raise ParameterError(
                    located(pset.source, "covariance.names", f"unknown parameter {n!r}")
                )
        if cov.shape != (len(names), len(names)) or not np.isfinite(cov).all():
            raise ParameterError(
                located(
                    pset.source,
                    "covariance.matrix",
                    f"expected a finite {len(names)}x{len(names)} matrix (got shape {cov.shape})",
                )
            )
    elif ses:
        names = tuple(ses)
        cov = np.diag([float(ses[n]) ** 2 for n in names])
        src = f"{pset.source}: [standard_errors] (no covariance: independent)"
    else:
        free = (
            prof.free_parameter_names()
            if hasattr(prof, "free_parameter_names")
            else tuple(p.name for p in PARAMETERS if p.status == "calibrated")
        )
        names = tuple(free)
        sds = [
            prof.prior_sd(n) if hasattr(prof, "prior_sd") else BY_NAME[n].prior_sd for n in names
        ]
        cov = np.diag(np.square(np.asarray(sds, dtype=float)))
        src = (
            f"no [covariance] or [standard_errors] in {pset.source}: registry "
            "priors (prior_sd) of the free parameters stand in for the joint uncertainty"
        )
    values = pset.as_dict()
    mean = np.array([values[n] for n in names])
    declared, out_of_range = assumed_ranges(pset, exclude=names) if assumed else ((), ())
    by_name = {r.name: r for r in declared}
    if ranges_file:
        by_name.update({r.name: r for r in read_ranges(ranges_file, exclude=names)})
    ranges = tuple(by_name[n] for n in NAMES if n in by_name)  # registry order: fixed draws
    skip = {n for n, _, _ in out_of_range}
    held = []
    for p in PARAMETERS:
        if p.name in names or p.name in by_name:
            continue
        if p.name in skip:
            held.extend(h for h in out_of_range if h[0] == p.name)
        else:
            held.append((p.name, values[p.name], _held_reason(p, assumed)))
    return Uncertainty(
        names=names,
        mean=mean,
        factor=_factor(cov, src),
        source=src,
        ranges=ranges,
        ranges_file=str(ranges_file) if ranges_file else None,
        held=tuple(held),
        assumed=assumed,
    )


def read_ranges(path: str | Path, exclude: Sequence[str] = ()) -> tuple[Range, ...]:
    """Declared ranges of assumed parameters from a TOML file (see module docs)."""
    src = str(path)
    doc = load_toml(Path(path))
    for key in doc:
        if key != "ranges":
            raise ParameterError(located(src, key, "unknown table (expected [ranges.<name>])"))
    table = doc.get("ranges")
    if not isinstance(table, dict) or not table:
        raise ParameterError(
            located(src, "ranges", "expected at least one [ranges.<name>] table (got none)")
        )
    out = []
    for name, spec in table.items():
        key = f"ranges.{name}"
        if name not in BY_NAME:
            raise ParameterError(
                located(
                    src,
                    key,
                    "unknown parameter (expected a registry name, see smesim.model.params)",
                )
            )
        if name in exclude:
            raise ParameterError(
                located(
                    src,
                    key,
                    "expected a parameter outside the joint "
                    "uncertainty of the estimates (got an estimated one)",
                )
            )
        if not isinstance(spec, dict):
            raise ParameterError(located(src, key, f"expected a table (got {spec!r})"))
        dist = spec.get("distribution", "uniform")
        fields = {"uniform": ("lower", "upper"), "normal": ("mean", "sd")}.get(dist)
        if fields is None:
            raise ParameterError(
                located(
                    src, f"{key}.distribution", f"expected 'uniform' or 'normal' (got {dist!r})"
                )
            )
        extra = set(spec) - {"distribution", *fields}
        if extra:
            raise ParameterError(
                located(
                    src, f"{key}.{sorted(extra)[0]}", f"unknown key (expected {', '.join(fields)})"
                )
            )
        vals = []
        for f in fields:
            v = spec.get(f)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ParameterError(
                    located(src, f"{key}.{f}", f"expected a finite number (got {v!r})")
                )
            vals.append(float(v))
        p = BY_NAME[name]
        unit = "" if p.unit in ("", "1") else f" {p.unit}"  # "1": dimensionless
        if dist == "uniform":
            lo, hi = vals
            if not p.lower <= lo < hi <= p.upper:
                raise ParameterError(
                    located(
                        src,
                        key,
                        f"expected {p.lower:g} <= lower < upper <= {p.upper:g}"
                        f"{unit} (got lower {lo:g}, upper {hi:g})",
                    )
                )
        else:
            mu, sd = vals
            if sd <= 0 or not p.lower <= mu <= p.upper:
                raise ParameterError(
                    located(
                        src,
                        key,
                        f"expected sd > 0 and a mean in [{p.lower:g}, {p.upper:g}]"
                        f"{unit} (got mean {mu:g}, sd {sd:g})",
                    )
                )
        out.append(Range(name, dist, vals[0], vals[1], src))
    return tuple(out)


@dataclass(frozen=True)
class Sampler:
    """Parameter sets for run indices: a pure function of ``(seed, run index)``."""

    point: ParameterSet
    uncertainty: Uncertainty | None
    seed: int
    mode: str = "joint"
    #: Start-year lever values ``((lever id, value), ...)`` for the model's rules that
    #: need them (a draw that breaks a rule is redrawn); without them those rules wait
    #: for the run.
    levers0: tuple[tuple[str, float], ...] | None = None

    def sample(self, start: int, stop: int) -> ParameterSet:
        """Runs ``start`` to ``stop - 1`` as one :class:`ParameterSet`."""
        n = stop - start
        if self.mode == "point" or self.uncertainty is None:
            return ParameterSet(
                np.repeat(self.point.values[:1], n, axis=0),
                source=self.point.source,
                meta=self.point.meta,
            )
        first, last = start // BLOCK_RUNS, (stop - 1) // BLOCK_RUNS
        rows = np.vstack([self._block(b) for b in range(first, last + 1)])
        off = start - first * BLOCK_RUNS
        return ParameterSet(rows[off : off + n], source=f"ensemble(seed={self.seed})")

    def _levers0(self) -> dict[str, np.ndarray] | None:
        return None if self.levers0 is None else {k: np.array(v) for k, v in self.levers0}

    def _rules_hold(self, values: np.ndarray) -> np.ndarray:
        """Per row of ``values``: every rule of the model holds (within bounds: see caller)."""
        ok = np.ones(values.shape[0], dtype=bool)
        with np.errstate(all="ignore"):
            for _, holds in MODEL.rule_checks(values, self._levers0()):
                ok &= holds
        return ok

    def _block(self, block: int) -> np.ndarray:
        u = self.uncertainty
        rng = np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(block,)))
        )
        cols = [NAMES.index(n) for n in u.names]
        uni = [r for r in u.ranges if r.distribution == "uniform"]
        nor = [r for r in u.ranges if r.distribution != "uniform"]
        ucols = [NAMES.index(r.name) for r in uni]
        ncols = [NAMES.index(r.name) for r in nor]
        ua, ub = np.array([r.a for r in uni]), np.array([r.b for r in uni])
        na, nb = np.array([r.a for r in nor]), np.array([r.b for r in nor])
        lo = np.array([p.lower for p in PARAMETERS])
        hi = np.array([p.upper for p in PARAMETERS])
        out = np.repeat(self.point.values[:1], BLOCK_RUNS, axis=0)
        todo = np.arange(BLOCK_RUNS)
        for _ in range(_MAX_REDRAWS):
            m = todo.size
            z = rng.standard_normal((m, len(cols)))
            # einsum, not ``@``: a BLAS product here wakes OpenBLAS's threads, which
            # then spin for about 0.1 s against the kernel's (measured: the next
            # kernel call 15 % slower); einsum's own loop is also machine-independent
            out[np.ix_(todo, cols)] = u.mean + np.einsum("ij,kj->ik", z, u.factor)
            # the independent ranges: one draw for every uniform, one for every normal
            # (elementwise, no BLAS); always drawn, so the stream depends on (seed, block)
            out[np.ix_(todo, ucols)] = ua + (ub - ua) * rng.random((m, len(uni)))
            out[np.ix_(todo, ncols)] = na + nb * rng.standard_normal((m, len(nor)))
            bad = ((out[todo] < lo) | (out[todo] > hi)).any(axis=1)
            # the rules on this round's rows within bounds, once per round (a rule call
            # costs about 0.1 ms whatever the rows): a row is kept only when both hold, so
            # the rounds a block needs grow with log(rows) / P(bounds and rules), not with
            # the rounds for the bounds times the rounds for the rules (two calibrated
            # parameters at a bound leave about 1 draw in 6 within bounds)
            inside = np.flatnonzero(~bad)
            if inside.size:
                bad[inside] = ~self._rules_hold(out[todo[inside]])
            todo = todo[bad]
            if todo.size == 0:
                return out
        outside = (out[todo] < lo) | (out[todo] > hi)
        if (~self._rules_hold(out[todo])).sum() >= outside.any(axis=1).sum():  # the worse
            checks = MODEL.rule_checks(out[todo], self._levers0())
            rule = next(r for r, ok in checks if not ok.all())
            raise ParameterError(
                located(
                    u.source,
                    ", ".join(rule.keys),
                    f"cannot draw values that meet the model's rule (expected {rule.expected}) "
                    f"after {_MAX_REDRAWS} redraws: the ranges leave almost no admissible set",
                )
            )
        col = int(np.argmax(outside.sum(axis=0)))
        raise ParameterError(
            located(
                u.source,
                NAMES[col],
                (
                    f"cannot draw values within the bounds [{lo[col]:g}, {hi[col]:g}] "
                    f"(after {_MAX_REDRAWS} redraws): the uncertainty is far wider than the bounds"
                ),
            )
        )


# ---------------------------------------------------------------------------
# streamed percentiles
# ---------------------------------------------------------------------------

try:
    import numba as _numba

    # Serial nogil loops over a range of items, run in parallel on this process's
    # threads by smesim.engine.threads.split (no numba parallel=True: see smesim.engine.threads).
    _loop = _numba.njit(cache=True, nogil=True)

    @_loop
    def _to_cells_part(t0, t1, data, out):
        n, ny, n_series = data.shape[0], data.shape[1], out.shape[0] // data.shape[1]
        for t in range(t0, t1):
            lo = t * 64
            hi = min(n, lo + 64)
            for c in range(n_series):
                for y in range(ny):
                    j = c * ny + y
                    for i in range(lo, hi):
                        out[j, i] = data[i, y, c]

    def _to_cells(data, n_series):
        """``data`` (runs, years, columns) -> cells (columns[:n_series] x years, runs).

        Tiled over runs so reads and writes stay in cache (a plain strided copy
        is several times slower).
        """
        n, ny = data.shape[0], data.shape[1]
        out = np.empty((n_series * ny, n))
        split(_to_cells_part, (n + 63) // 64, data, out)
        return out

    @_loop
    def _bin_counts_part(r0, r1, x, keep, centre, inv_width, counts, rows):
        n = x.shape[1]
        nb = counts.shape[1]
        half = nb // 2
        for jj in range(r0, r1):
            j = rows[jj]
            for i in range(n):
                if keep[i]:
                    b = int(np.floor((x[j, i] - centre[j]) * inv_width[j])) + half
                    b = min(max(b, 0), nb - 1)
                    counts[j, b] += 1

    def _bin_counts(x, keep, centre, inv_width, counts, rows):
        """Histogram counts of the cells ``rows`` of ``x`` (cells, runs)."""
        split(_bin_counts_part, rows.size, x, keep, centre, inv_width, counts, rows)

    @_loop
    def _drop_part(t0, t1, x, keep, rows):
        n = x.shape[1]
        for t in range(t0, t1):
            lo = t * 256
            hi = min(n, lo + 256)
            # v - v is 0 for a finite v and NaN for NaN or +-inf, so a run's sum is
            # NaN exactly when one of its values is not finite (branch-free: SIMD)
            acc = np.zeros(hi - lo)
            for j in rows:
                for i in range(lo, hi):
                    v = x[j, i]
                    acc[i - lo] += v - v
            for i in range(lo, hi):
                if acc[i - lo] != 0.0:
                    keep[i] = False

    def _drop_non_finite(x, keep, rows):
        """``keep[i] = False`` for every run ``i`` with a non-finite value in the
        cells ``rows`` of ``x`` (cells, runs); tiled over runs, so each thread
        reads its own tile of every row."""
        split(_drop_part, (x.shape[1] + 255) // 256, x, keep, rows)

    @_loop
    def _minmax_part(r0, r1, x, keep, rows, lo, hi):
        n = x.shape[1]
        for jj in range(r0, r1):
            j = rows[jj]
            a, b = np.inf, -np.inf
            for i in range(n):
                if keep[i]:
                    v = x[j, i]
                    a = min(a, v)
                    b = max(b, v)
            lo[j] = a
            hi[j] = b

    def _minmax(x, keep, rows):
        """Least and greatest kept value of the cells ``rows`` (others: inf, -inf)."""
        lo = np.full(x.shape[0], np.inf)
        hi = np.full(x.shape[0], -np.inf)
        split(_minmax_part, rows.size, x, keep, rows, lo, hi)
        return lo, hi
except ImportError:  # pragma: no cover - NumPy fallback

    def _to_cells(data, n_series):
        n = data.shape[0]
        return np.ascontiguousarray(data[:, :, :n_series].transpose(2, 1, 0)).reshape(-1, n)

    def _minmax(x, keep, rows):
        lo = np.full(x.shape[0], np.inf)
        hi = np.full(x.shape[0], -np.inf)
        xs = x[rows][:, keep]
        lo[rows], hi[rows] = xs.min(axis=1), xs.max(axis=1)
        return lo, hi

    def _drop_non_finite(x, keep, rows):
        keep &= np.isfinite(x[rows]).all(axis=0)

    def _bin_counts(x, keep, centre, inv_width, counts, rows):
        m = rows.size
        nb = counts.shape[1]
        xs = x[rows][:, keep]
        b = np.floor((xs - centre[rows, None]) * inv_width[rows, None]).astype(np.int64) + nb // 2
        np.clip(b, 0, nb - 1, out=b)
        flat = (np.arange(m)[:, None] * nb + b).ravel()
        counts[rows] += np.bincount(flat, minlength=m * nb).reshape(m, nb).astype(counts.dtype)


class StreamingQuantiles:
    """Mergeable per-cell histograms with exact min/max (see module docs).

    Parameters
    ----------
    centre : array, shape ``(n_cells,)``
        Grid centre of each cell (the point-estimate value).
    bins : int
        Bins per cell (even).
    """

    def __init__(self, centre: np.ndarray, bins: int = BINS):
        if bins < 2 or bins % 2:
            raise ValueError(f"bins must be even and >= 2 (got {bins})")
        self.centre = np.asarray(centre, dtype=float).copy()
        self.bins = bins
        self.r0 = _R0_RELATIVE * np.maximum(1.0, np.abs(self.centre))
        self.level = np.zeros(self.centre.size, dtype=np.int64)
        self.counts = np.zeros((self.centre.size, bins), dtype=np.int64)
        self.minimum = np.full(self.centre.size, np.inf)
        self.maximum = np.full(self.centre.size, -np.inf)
        self.n = 0

    @property
    def half_range(self) -> np.ndarray:
        return np.ldexp(self.r0, self.level)

    @property
    def bin_width(self) -> np.ndarray:
        return 2.0 * self.half_range / self.bins

    def _raise_level(self, new_level: np.ndarray) -> None:
        if self.n == 0:  # nothing counted yet (the first batch): no bins to merge
            self.level = np.maximum(self.level, new_level)
            return
        grow = np.nonzero(new_level > self.level)[0]
        half = self.bins // 2
        m = np.arange(self.bins) - half
        for j in grow:
            shift = int(new_level[j] - self.level[j])
            dest = np.floor_divide(m, 2 ** min(shift, 62)) + half
            self.counts[j] = np.bincount(dest, weights=self.counts[j], minlength=self.bins).astype(
                np.int64
            )
        self.level = np.maximum(self.level, new_level)

    def _needed_level(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        dev = np.maximum(hi - self.centre, self.centre - lo)
        ratio = np.where(np.isfinite(dev), dev / self.r0, 0.0)
        level = np.where(ratio >= 1.0, np.floor(np.log2(np.maximum(ratio, 1.0))) + 1, 0)
        level = level.astype(np.int64)
        # guard the float log2: ensure r0 * 2**level > dev
        short = np.ldexp(self.r0, level) <= dev
        while short.any():
            level[short] += 1
            short = np.ldexp(self.r0, level) <= dev
        return level

    def add_runs(self, data: np.ndarray, n_series: int, keep: np.ndarray | None = None) -> None:
        """Add runs of ``data`` (runs, years, columns): cells are the first ``n_series``
        columns x every year, column-major (cell ``j`` = column ``j // years``)."""
        if n_series * data.shape[1] != self.centre.size:
            raise ValueError("data do not match the cells of this accumulator")
        self.add(_to_cells(np.ascontiguousarray(data, dtype=float), n_series), keep)

    def add(
        self, x: np.ndarray, keep: np.ndarray | None = None, rows: np.ndarray | None = None
    ) -> None:
        """Add values ``x`` of shape ``(n_cells, n_runs)``; ``keep`` masks runs.

        ``rows``: only these cells take the values (the others' rows of ``x``
        are not read); the rest must be filled by :meth:`copy_cells` before
        :meth:`quantiles`.
        """
        x = np.ascontiguousarray(x, dtype=float)
        keep = (
            np.ones(x.shape[1], dtype=bool)
            if keep is None
            else np.ascontiguousarray(keep, dtype=bool)
        )
        rows = np.arange(x.shape[0]) if rows is None else np.ascontiguousarray(rows, dtype=np.int64)
        if not keep.any():
            return
        lo, hi = _minmax(x, keep, rows)
        self.minimum = np.minimum(self.minimum, lo)
        self.maximum = np.maximum(self.maximum, hi)
        self._raise_level(np.maximum(self.level, self._needed_level(lo, hi)))
        inv_width = self.bins / (2.0 * self.half_range)
        _bin_counts(x, keep, self.centre, inv_width, self.counts, rows)
        self.n += int(keep.sum())

    def copy_cells(self, other: StreamingQuantiles, rows: np.ndarray) -> None:
        """Take cells ``rows`` from ``other``, an accumulator of the same runs whose
        grid agrees on those cells (the shared years of two scenarios)."""
        if (
            self.bins != other.bins
            or self.n != other.n
            or not np.array_equal(self.centre[rows], other.centre[rows])
        ):
            raise ValueError("cannot copy cells between accumulators of different runs or grids")
        self.counts[rows] = other.counts[rows]
        self.level[rows] = other.level[rows]
        self.minimum[rows] = other.minimum[rows]
        self.maximum[rows] = other.maximum[rows]

    def merge(self, other: StreamingQuantiles) -> None:
        """Add another accumulator over the same cells and centres (exact)."""
        if not np.array_equal(self.centre, other.centre) or self.bins != other.bins:
            raise ValueError("cannot merge accumulators with different grids")
        level = np.maximum(self.level, other.level)
        self._raise_level(level)
        o = copy.copy(other)
        o.counts = other.counts.copy()
        o._raise_level(level)
        self.counts += o.counts
        self.minimum = np.minimum(self.minimum, other.minimum)
        self.maximum = np.maximum(self.maximum, other.maximum)
        self.n += other.n

    def _order_statistic(self, j: np.ndarray, cum: np.ndarray) -> np.ndarray:
        """Estimate of the ``j``-th smallest value (0-based) of every cell."""
        b = (cum <= j[:, None]).sum(axis=1)
        rows = np.arange(self.counts.shape[0])
        count = self.counts[rows, b]
        before = cum[rows, b] - count
        pos = (j - before + 0.5) / count
        half = self.bins // 2
        est = self.centre + (b - half + pos) * self.bin_width
        est = np.clip(est, self.minimum, self.maximum)
        est = np.where(j == 0, self.minimum, est)
        return np.where(j == self.n - 1, self.maximum, est)

    def quantiles(self, qs: Sequence[float]) -> np.ndarray:
        """Percentiles ``qs`` (0-100) per cell, shape ``(n_cells, len(qs))``."""
        if self.n == 0:
            raise ValueError("no values")
        out = np.empty((self.centre.size, len(qs)))
        cum = np.cumsum(self.counts, axis=1)
        for k, q in enumerate(qs):
            h = (self.n - 1) * q / 100.0
            i = math.floor(h)
            frac = h - i
            jv = np.full(self.centre.size, i, dtype=np.int64)
            lo = self._order_statistic(jv, cum)
            if frac > 0 and i + 1 < self.n:
                hi = self._order_statistic(jv + 1, cum)
                out[:, k] = lo + frac * (hi - lo)
            else:
                out[:, k] = lo
        return out


# ---------------------------------------------------------------------------
# unimodality
# ---------------------------------------------------------------------------

#: Least prominence of a mode, as a share of its own height: the density between two modes
#: falls at least this far below the lower one (module docs).
MODE_DIP = 0.2
#: Least prominence of a mode, as a share of the highest smoothed density (module docs).
MODE_PROMINENCE = 0.01
#: Least prominence of a mode, in standard errors of the kernel density estimate.
MODE_NOISE_Z = 4.0
#: Silverman's rule-of-thumb factor: h = 0.9 min(sd, IQR / 1.34) n^(-1/5).
SILVERMAN = 0.9
_RK_GAUSS = 1.0 / (2.0 * math.sqrt(math.pi))  # integral of the squared Gaussian kernel


@dataclass(frozen=True)
class Modality:
    """Shape of one distribution read off its histogram (module docs, "Unimodality")."""

    modes: int
    bimodality_coefficient: float  # NaN when the values do not vary

    @property
    def unimodal(self) -> bool:
        return self.modes == 1


def histogram_modality(counts: np.ndarray) -> Modality:
    """Count the modes of a histogram of equal bins (the unit of ``x`` is one bin).

    A Gaussian kernel density with Silverman's bandwidth (at least one bin);
    a local maximum is a mode when its prominence is at least :data:`MODE_DIP`
    of its height, :data:`MODE_NOISE_Z` standard errors of the difference
    between it and its saddle and :data:`MODE_PROMINENCE` of the highest density.
    """
    c = np.asarray(counts, dtype=float)
    nz = np.nonzero(c)[0]
    n = c.sum()
    if n < 4 or nz.size < 2:
        return Modality(1, math.nan)
    c = c[nz[0] : nz[-1] + 1]
    x = np.arange(c.size) + 0.5
    mean = (c * x).sum() / n
    d = x - mean
    m2, m3, m4 = ((c * d**k).sum() / n for k in (2, 3, 4))
    g1, g2 = m3 / m2**1.5, m4 / m2**2 - 3.0
    skew = g1 * math.sqrt(n * (n - 1)) / (n - 2)  # sample (bias-corrected) moments
    kurt = ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3))
    bc = (skew**2 + 1) / (kurt + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))
    cum = np.cumsum(c)
    iqr = float(np.searchsorted(cum, 0.75 * n) - np.searchsorted(cum, 0.25 * n))
    spread = min(math.sqrt(m2), iqr / 1.34) if iqr > 0 else math.sqrt(m2)
    h = max(SILVERMAN * spread * n ** (-0.2), 1.0)
    k = max(1, int(h // 4))  # coarsen to about 4-8 bins a bandwidth (exact on counts)
    if k > 1:
        c = np.add.reduceat(c, np.arange(0, c.size, k))
        h /= k
    pad = math.ceil(5 * h) + 1
    size = 1 << math.ceil(math.log2(c.size + 2 * pad))
    arr = np.zeros(size)
    arr[pad : pad + c.size] = c
    gain = np.exp(-2.0 * (math.pi * h * np.fft.rfftfreq(size)) ** 2)
    f = np.fft.irfft(np.fft.rfft(arr) * gain, size)  # counts per bin, smoothed
    inner = f[1:-1]
    top = f.max()
    # a peak lower than either least prominence cannot be a mode (its prominence <= height)
    least = max(MODE_PROMINENCE * top, MODE_NOISE_Z**2 * _RK_GAUSS / h)
    peaks = np.nonzero((inner > f[:-2]) & (inner >= f[2:]) & (inner >= least))[0] + 1
    modes = 0
    for p in peaks:
        hp = f[p]
        left, right = f[:p], f[p + 1 :]
        above = np.nonzero(left > hp)[0]
        lmin = left[above[-1] :].min() if above.size else left.min()
        above = np.nonzero(right > hp)[0]
        rmin = right[: above[0]].min() if above.size else right.min()
        saddle = max(lmin, rmin, 0.0)
        prominence = hp - saddle
        noise = math.sqrt(max(hp + saddle, 0.0) * _RK_GAUSS / h)
        if (
            prominence >= MODE_DIP * hp
            and prominence >= MODE_PROMINENCE * top
            and prominence >= MODE_NOISE_Z * noise
        ):
            modes += 1
    return Modality(max(modes, 1), float(bc))


# ---------------------------------------------------------------------------
# the ensemble
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """Everything a task needs (picklable)."""

    plan: RunPlan  # every scenario, baseline first; params: the point estimate
    sampler: Sampler
    batch_runs: int
    centres: np.ndarray  # (n_scenarios, n_cells)
    prob_years: tuple[int, ...]
    bins: int = BINS


@dataclass
class _Partial:
    """Reduced outputs of some runs: per-scenario histograms and beat counts."""

    quantiles: list[StreamingQuantiles]
    beats: np.ndarray  # (n_scenarios, n_indices, n_prob_years) int64
    n: int = 0
    non_finite: int = 0

    def merge(self, other: _Partial) -> None:
        for a, b in zip(self.quantiles, other.quantiles, strict=True):
            a.merge(b)
        self.beats += other.beats
        self.n += other.n
        self.non_finite += other.non_finite


def _new_partial(spec: _Spec) -> _Partial:
    return _Partial(
        [StreamingQuantiles(c, spec.bins) for c in spec.centres],
        np.zeros((spec.plan.n_scenarios, len(COEXISTENCE), len(spec.prob_years)), dtype=np.int64),
    )


def _centre(data: np.ndarray) -> np.ndarray:
    """Cells (canonical column-major x years) of run 0 of ``data`` (runs, years, columns)."""
    return np.ascontiguousarray(data[0, :, : len(CANONICAL)].T).ravel()


def _year_cells(n_years: int, first: int, stop: int) -> np.ndarray:
    """Accumulator cells (canonical series x year, series-major) of years
    ``first .. stop - 1`` (counted from 2012), every series."""
    return (np.arange(len(CANONICAL))[:, None] * n_years + np.arange(first, stop)[None, :]).ravel()


def _add_runs(
    spec: _Spec, part: _Partial, start: int, stop: int, buffers: _Buffers | None = None
) -> None:
    """Simulate runs ``[start, stop)`` and add them to ``part``.

    The scenarios' cells of the shared years (their values are the baseline's,
    bit for bit) are neither copied nor counted here: :func:`_summarise` takes
    them from the baseline's accumulator.
    """
    params = spec.sampler.sample(start, stop)
    nc = len(CANONICAL)
    datas = _simulate_all(spec, params, buffers, fill_shared=False)  # (sc, columns, years, runs)
    n = params.n_runs
    ny = spec.plan.n_years
    row0 = spec.plan.shared_years
    every = np.arange(nc * ny)
    own = _year_cells(ny, row0, ny)
    keep = np.ones(n, dtype=bool)
    for k, d in enumerate(datas):
        _drop_non_finite(d[:nc].reshape(-1, n), keep, own if k else every)
    cols = [CANONICAL.index(i) for i in COEXISTENCE]
    ys = [y - START_YEAR for y in spec.prob_years]
    late = [j for j, y in enumerate(ys) if y >= row0]  # before: a scenario is the baseline
    base = datas[0][np.ix_(cols, ys)][:, :, keep]  # (indices, years, kept runs)
    for k, d in enumerate(datas):
        part.quantiles[k].add(d[:nc].reshape(-1, n), keep, own if k else None)
        if k and late:
            mine = d[np.ix_(cols, [ys[j] for j in late])][:, :, keep]
            part.beats[k][:, late] += (mine > base[:, late] + BEAT_TOLERANCE).sum(axis=2)
    part.n += int(keep.sum())
    part.non_finite += int((~keep).sum())


class _Buffers:
    """An output array reused from batch to batch within one task (a fresh 45 MB
    array per scenario and batch costs its page faults every time).  Owned by
    the task, so nothing outlives it (a Dask worker runs many tasks, several at
    once)."""

    def __init__(self) -> None:
        self.array: np.ndarray | None = None

    def get(self, shape: tuple[int, ...]) -> np.ndarray:
        """An array of ``shape`` (the same one as last call when it matches)."""
        if self.array is None or self.array.shape != shape:
            self.array = np.empty(shape)  # one shape at a time (the last batch)
        return self.array


def _simulate_all(
    spec: _Spec, params: ParameterSet, buffers: _Buffers | None = None, fill_shared: bool = True
) -> np.ndarray:
    """Outputs of every scenario for ``params``, ``(scenarios, columns, years, runs)``
    (the cells layout of :func:`smesim.engine.simulate.simulate`, which integrates
    the years the scenarios share with the baseline once).

    With ``buffers``, the array is that reused buffer: valid until the next
    call with it.  ``fill_shared=False`` leaves the other scenarios' shared
    years unwritten (they are the baseline's).
    """
    plan = spec.plan.with_params(params)
    shape = (plan.n_scenarios, len(ALL_COLUMNS), plan.n_years, plan.n_runs)
    out = (buffers or _Buffers()).get(shape)
    return simulate(plan, layout="cells", out=out, copy_shared=fill_shared).data


def _run_chunk(task) -> _Partial:
    """Task: runs ``[start, stop)`` in batches, reduced to a :class:`_Partial`."""
    spec, start, stop = task
    part = _new_partial(spec)
    buffers = _Buffers()
    for a in range(start, stop, spec.batch_runs):
        _add_runs(spec, part, a, min(stop, a + spec.batch_runs), buffers)
    return part


@dataclass(frozen=True)
class EnsembleResult:
    """Percentile bands and probabilities of beating the baseline.

    Attributes
    ----------
    bands : DataFrame
        Columns :data:`BAND_COLUMNS`.
    probabilities : DataFrame
        Columns :data:`PROBABILITY_COLUMNS`.
    meta : dict
        The manifest (seed, runs, uncertainty, accuracy, executor, ...).
    """

    bands: pd.DataFrame
    probabilities: pd.DataFrame
    meta: dict = field(default_factory=dict)

    def modality(self) -> pd.DataFrame:
        """The unimodality diagnostic (module docs): columns ``scenario, series, year,
        width_p5_p95, modes, unimodal, bimodality_coefficient``."""
        cells = (self.meta.get("unimodality") or {}).get("cells") or {}
        rows = [
            (
                sc,
                series,
                int(y),
                d["width_p5_p95"],
                d["modes"],
                d["unimodal"],
                d["bimodality_coefficient"],
            )
            for sc, by_series in cells.items()
            for series, by_year in by_series.items()
            for y, d in by_year.items()
        ]
        return pd.DataFrame(rows, columns=list(MODALITY_COLUMNS))

    def band(self, scenario: str, series: str) -> pd.DataFrame:
        """Year-indexed percentiles of one series of one scenario."""
        b = self.bands
        sel = b[(b["scenario"] == scenario) & (b["series"] == series)]
        return sel.set_index("year")[["p5", "p25", "p50", "p75", "p95"]]


def auto_batch_runs(n_scenarios: int, n_years: int) -> int:
    """Runs a batch when none is given: :data:`BATCH_BYTES` of outputs, in whole
    random blocks, within :data:`AUTO_BATCH_RUNS`."""
    per_run = n_scenarios * len(ALL_COLUMNS) * n_years * 8
    runs = BATCH_BYTES // per_run // BLOCK_RUNS * BLOCK_RUNS
    lo, hi = AUTO_BATCH_RUNS
    return int(min(hi, max(lo, runs)))


def band_summary(
    result: EnsembleResult,
    series: Sequence[str] | None = None,
    years: Sequence[int] = REPORTING_YEARS,
) -> pd.DataFrame:
    """Median and 90 % band as text, ``"p50 [p5, p95]"``: rows (scenario, series),
    one column per year (those of ``years`` the result covers)."""
    series = list(series if series is not None else HEADLINE)
    b = result.bands
    b = b[b["series"].isin(series) & b["year"].isin(list(years))]
    cells = b.assign(
        cell=[
            f"{m:.1f} [{lo:.1f}, {hi:.1f}]"
            for m, lo, hi in zip(b["p50"], b["p5"], b["p95"], strict=True)
        ]
    )
    table = cells.pivot(index=["scenario", "series"], columns="year", values="cell")
    order = {name: i for i, name in enumerate(series)}
    return table.sort_index(key=lambda ix: ix.map(order) if ix.name == "series" else ix)


def _load(s) -> Scenario:
    return s if isinstance(s, Scenario) else load_scenario(s)


def run_ensemble(
    scenarios: Sequence[str | Scenario],
    runs: int,
    seed: int = 0,
    profile: str = "korea",
    *,
    until: int | None = None,
    dt: float = DEFAULT_DT,
    ranges: str | Path | None = None,
    sample: str = "joint",
    batch_runs: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_runs: int | None = None,
    progress: Callable[[int], None] | None = None,
    params_file: str | Path | None = None,
    assumed: bool = True,
) -> EnsembleResult:
    """Run an ensemble and reduce it to percentile bands and probabilities.

    Parameters
    ----------
    scenarios : sequence of str or Scenario
        Scenario names, paths or loaded scenarios; the baseline is added
        (for the probabilities) when missing.
    runs : int
        Number of parameter draws; every scenario runs on each.
    seed : int
        Seed of the draws (see module docs: results depend on it alone).
    profile : str
        Country profile (point estimate, uncertainty, baseline levers).
    until : int, optional
        Last year (default 2060).
    dt : float
        Euler step (years).
    ranges : path, optional
        TOML file of declared ranges of assumed parameters.
    sample : {"joint", "point"}
        ``"point"``: every run is the point estimate (no uncertainty), which
        reproduces ``smesim run``.
    batch_runs : int, optional
        Runs integrated at once (memory bound); default
        :func:`auto_batch_runs` (the results do not depend on it).
    workers, scheduler :
        Local processes or a Dask scheduler address (:mod:`smesim.engine.parallel`).
    chunk_runs : int, optional
        Runs per task (default: all runs in-process, else about four tasks per
        worker).
    progress : callable, optional
        Called with the number of runs just completed.
    params_file : path, optional
        Parameter-set file used in place of the profile's calibrated set: the
        point estimate, and its covariance or standard errors when it has them.
    assumed : bool
        Sample the assumed parameters over their declared ranges (default);
        False holds them at their values (module docs).

    Returns
    -------
    EnsembleResult
    """
    if isinstance(runs, bool) or not isinstance(runs, int | np.integer) or runs < 1:
        raise ParameterError(f"runs: expected a whole number >= 1 (got {runs!r})")
    seed = check_seed(seed)
    if sample not in SAMPLE_MODES:
        raise ParameterError(f"sample: expected one of {', '.join(SAMPLE_MODES)} (got {sample!r})")
    if sample == "joint" and runs < MIN_RUNS:
        raise ParameterError(
            f"--runs: expected at least {MIN_RUNS} runs for uncertainty bands (got {runs})"
        )
    if batch_runs is not None and (isinstance(batch_runs, bool) or batch_runs < 1):
        raise ParameterError(f"batch_runs: expected >= 1 (got {batch_runs})")
    if not scenarios:
        raise ParameterError("scenarios: expected at least one scenario")
    runs = int(runs)
    loaded = [_load(s) for s in scenarios]
    names = [s.name for s in loaded]
    if len(set(names)) != len(names):
        raise ParameterError(f"scenarios: expected distinct scenario names (got {names})")
    baseline = next((s for s in loaded if s.name == "baseline"), None) or _load("baseline")
    ordered = (baseline, *(s for s in loaded if s is not baseline))
    until = until or DEFAULT_END_YEAR
    prof = get_profile(profile)
    point = prof.parameter_set(params_file)
    unc = joint_uncertainty(prof, ranges, point, assumed=assumed) if sample == "joint" else None
    plan = build_plan(ordered, prof, point.run(0), until=until, dt=dt)
    levers0 = tuple(zip(MODEL.lever_ids, plan.baseline_levers.tolist(), strict=True))
    sampler = Sampler(point, unc, int(seed), sample, levers0)
    centre_runs = simulate(plan)
    centres = np.stack([_centre(centre_runs.outputs(k)) for k in range(plan.n_scenarios)])
    prob_years = tuple(y for y in REPORTING_YEARS if START_YEAR <= y <= until)
    if batch_runs is None:
        batch_runs = auto_batch_runs(len(ordered), plan.n_years)
    spec = _Spec(plan, sampler, int(batch_runs), centres, prob_years)
    execution = Execution(workers=workers, scheduler=scheduler)
    if chunk_runs is None:
        n_workers = 4 if execution.kind == "dask" else (workers or 1)
        chunk_runs = (
            runs if execution.kind == "in-process" else max(batch_runs, -(-runs // (4 * n_workers)))
        )
        chunk_runs = min(chunk_runs, runs)
    if execution.kind == "in-process":
        # one task, batches reported as they finish
        part = _new_partial(spec)
        buffers = _Buffers()
        for a in range(0, runs, spec.batch_runs):
            b = min(runs, a + spec.batch_runs)
            _add_runs(spec, part, a, b, buffers)
            if progress:
                progress(b - a)
    else:
        tasks = [(spec, a, min(runs, a + chunk_runs)) for a in range(0, runs, chunk_runs)]
        state: dict[str, _Partial] = {}

        def merge(i, p):
            if "part" in state:
                state["part"].merge(p)
            else:
                state["part"] = p
            if progress:
                progress(tasks[i][2] - tasks[i][1])

        run_tasks(_run_chunk, tasks, execution, merge)
        part = state["part"]
    if part.n == 0:
        raise ParameterError("ensemble: every run gave non-finite outputs")
    return _summarise(spec, part, loaded, runs, seed, unc, execution, chunk_runs)


def _modality_cells(acc: StreamingQuantiles, q: np.ndarray, years, report_years) -> dict:
    """Per series and reporting year: width of the 5-95 % band, modes, unimodal yes/no,
    bimodality coefficient (``q``: the cells' percentiles :data:`PERCENTILES`)."""
    n_years = len(years)
    i5, i95 = PERCENTILES.index(5), PERCENTILES.index(95)
    pos = {int(y): i for i, y in enumerate(years)}
    out: dict = {}
    for j, name in enumerate(CANONICAL):
        per_year = {}
        for y in report_years:
            cell = j * n_years + pos[y]
            m = histogram_modality(acc.counts[cell])
            bc = m.bimodality_coefficient
            per_year[str(y)] = {
                "width_p5_p95": float(q[cell, i95] - q[cell, i5]),
                "modes": m.modes,
                "unimodal": m.unimodal,
                "bimodality_coefficient": None if math.isnan(bc) else round(bc, 4),
            }
        out[name] = per_year
    return out


def _summarise(spec, part, requested, runs, seed, unc, execution, chunk_runs):
    plan = spec.plan
    n_years = plan.n_years
    years = plan.years
    wanted = {s.name for s in requested}
    frames, bounds, shape = [], {}, {}
    report_years = [y for y in REPORTING_YEARS if years[0] <= y <= years[-1]]
    shared = _year_cells(n_years, 0, plan.shared_years)
    for k, sc in enumerate(plan.scenarios):
        if sc.name not in wanted:
            continue
        acc = part.quantiles[k]
        if k and shared.size:  # the shared years: the baseline's cells (see _add_runs)
            acc.copy_cells(part.quantiles[0], shared)  # idempotent
        q = acc.quantiles(PERCENTILES)
        df = pd.DataFrame(q, columns=[f"p{p}" for p in PERCENTILES])
        df.insert(0, "year", np.tile(years, len(CANONICAL)))
        df.insert(0, "series", np.repeat(CANONICAL, n_years))
        df.insert(0, "scenario", sc.name)
        frames.append(df)
        width = acc.bin_width.reshape(len(CANONICAL), n_years).max(axis=1)
        bounds[sc.name] = dict(zip(CANONICAL, width.tolist(), strict=True))
        shape[sc.name] = _modality_cells(acc, q, years, report_years)
    bands = pd.concat(frames, ignore_index=True)[list(BAND_COLUMNS)]
    rows = []
    for k, sc in enumerate(plan.scenarios):
        if k == 0 or sc.name not in wanted:
            continue
        for i, idx in enumerate(COEXISTENCE):
            for j, y in enumerate(spec.prob_years):
                rows.append((sc.name, idx, y, part.beats[k, i, j] / part.n))
    probs = pd.DataFrame(rows, columns=list(PROBABILITY_COLUMNS))
    probs["year"] = probs["year"].astype(int)
    meta = manifest(
        command="ensemble",
        scenarios=[
            {"name": s.name, "path": s.path, "content_sha256": s.content_hash} for s in requested
        ],
        policy_start={s.name: s.describe_policy_start() for s in plan.scenarios},
        baseline={
            "name": plan.scenarios[0].name,
            "path": plan.scenarios[0].path,
            "content_sha256": plan.scenarios[0].content_hash,
        },
        profile=plan.profile,
        runs=runs,
        runs_used=part.n,
        non_finite_runs=part.non_finite,
        seed=int(seed),
        sample=spec.sampler.mode,
        point_estimate_source=spec.sampler.point.source,
        parameter_set=file_provenance(spec.sampler.point.source),
        ranges_file=file_provenance(unc.ranges_file) if unc is not None else None,
        uncertainty=unc.describe() if unc is not None else None,
        randomness={
            "generator": "PCG64",
            "block_runs": BLOCK_RUNS,
            "scheme": "SeedSequence(seed, spawn_key=(run // block_runs,))",
        },
        time_step_years=plan.dt,
        years=[START_YEAR, plan.end],
        percentiles=list(PERCENTILES),
        percentile_method=f"streamed histograms, {spec.bins} bins per cell, NumPy 'linear' "
        "rule; absolute error at most one bin width",
        percentile_abs_error_bound=bounds,
        unimodality={
            "test": "modes of the streamed histogram after Gaussian kernel smoothing "
            f"(bandwidth {SILVERMAN:g} min(sd, IQR/1.34) n^(-1/5), at least one bin); a "
            f"mode needs a prominence of at least {MODE_DIP:g} of its own height, "
            f"{MODE_NOISE_Z:g} standard errors of the density estimate and "
            f"{MODE_PROMINENCE:g} of the highest density (smesim.analysis.ensemble docs)",
            "unimodal": "exactly one mode",
            "bimodality_coefficient": "(g^2 + 1) / (k + 3 (n-1)^2 / ((n-2)(n-3))), for "
            "reference only (5/9 for a uniform; above it for skewed unimodal ones too)",
            "years": report_years,
            "cells": shape,
        },
        probability={
            "definition": f"share of runs where scenario > baseline + "
            f"{BEAT_TOLERANCE:g} on the same parameter draw",
            "years": list(spec.prob_years),
        },
        batch_runs=spec.batch_runs,
        chunk_runs=chunk_runs,
        execution=execution.describe(),
        shared_integration_until=START_YEAR + plan.shared_step * plan.dt,
    )
    return EnsembleResult(bands=bands, probabilities=probs, meta=meta)


# ---------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------


def write_ensemble(result: EnsembleResult, out_dir: str | Path) -> list[Path]:
    """Write ``bands.csv``, ``probabilities.csv`` and ``manifest.json`` atomically."""
    out_dir = Path(out_dir)
    with staged_files(out_dir) as stage:
        write_csv(result.bands, stage / "bands.csv", index=False, float_format="%.10g")
        write_csv(
            result.probabilities, stage / "probabilities.csv", index=False, float_format="%.10g"
        )
        (stage / "manifest.json").write_text(dump_json(result.meta), encoding="utf-8")
    return [out_dir / "bands.csv", out_dir / "probabilities.csv", out_dir / "manifest.json"]


def read_ensemble(directory: str | Path) -> EnsembleResult:
    """Read an ensemble directory written by :func:`write_ensemble` / ``smesim ensemble``."""
    d = Path(directory)
    if not d.is_dir():
        raise DataError(f"{d}: ensemble directory not found")
    frames = {
        name: read_result_csv(d / name, cols, "ensemble")
        for name, cols in (("bands.csv", BAND_COLUMNS), ("probabilities.csv", PROBABILITY_COLUMNS))
    }
    meta = read_manifest(d / "manifest.json", "ensemble")
    bands = frames["bands.csv"]
    bands["scenario"] = bands["scenario"].astype(str)
    bands["series"] = bands["series"].astype(str)
    probs = frames["probabilities.csv"]
    try:
        bands["year"] = bands["year"].astype(int)
        for df, num in ((bands, [f"p{p}" for p in PERCENTILES]), (probs, ["p_beats_baseline"])):
            df[num] = df[num].astype(float)
        probs["year"] = probs["year"].astype(int)
        probs["scenario"] = probs["scenario"].astype(str)
        probs["index"] = probs["index"].astype(str)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{d}: non-numeric value in an ensemble file ({exc})") from None
    return EnsembleResult(bands=bands, probabilities=probs, meta=meta)
