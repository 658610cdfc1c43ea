"""Global sensitivity: which levers and uncertain parameters drive each outcome, year by year.

Built on SALib (extra ``smesim[sensitivity]``): Sobol first-order and total
indices with bootstrap confidence intervals (Saltelli sampling, no
second-order terms), or Morris elementary effects (mu*, its confidence
interval, sigma).  Indices are computed for every requested output *at every
requested reporting year*, each year its own SALib analysis of the same runs,
so the ranking can be followed over time.

Factors
-------
The default factors are the levers and the same uncertain parameters the
default ensemble samples (:func:`smesim.analysis.ensemble.joint_uncertainty`):

* levers (constant from ``policy_start``, default the scenario's policy
  start: its own, else the profile's ``policy_start`` (2026); the scenario's
  path before; ranges :data:`LEVER_RANGES`: the 0-1 intensities over their whole
  range, the R&D support rates from 0 to just above the highest comparator of
  Table 7);
* the estimated parameters, uniform on the point estimate +- 2 standard
  deviations of the joint uncertainty, within their bounds (Sobol and Morris
  need independent factors: the covariance's correlations are dropped);
* every assumed parameter with a declared range (``Parameter.sample``),
  uniform over that range, as in the ensemble (``assumed=False`` /
  ``--no-assumed`` leaves them out).

Parameters the ensemble holds (data, assumed without a range, a profile value
outside its declared range) are held here too; the manifest lists every factor
with its range and origin.

The study core, :func:`run_study`, takes any picklable function mapping a
block of factor rows to outputs; the model is one such function, SALib's
Ishigami test function another (``tests/test_sensitivity.py`` checks the
known indices through the same code).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from smesim.analysis.ensemble import Uncertainty, joint_uncertainty
from smesim.engine.parallel import Execution, run_tasks
from smesim.engine.plan import RunPlan, build_plan
from smesim.engine.simulate import simulate
from smesim.errors import DataError, ParameterError, check_seed
from smesim.inputs.profiles import get_profile
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
from smesim.model.horizon import (
    DEFAULT_DT,
    MAX_END_YEAR,
    REPORTING_YEARS,
    START_YEAR,
)
from smesim.model.levers import LEVER_BY_ID, LEVER_IDS
from smesim.model.outputs import CANONICAL, COEXISTENCE
from smesim.model.params import BY_NAME, NAMES

METHODS = ("sobol", "morris")
DEFAULT_N = {"sobol": 512, "morris": 64}
#: Lever ranges explored (unit of each lever).
LEVER_RANGES = {lid: (LEVER_BY_ID[lid].lower, LEVER_BY_ID[lid].upper) for lid in LEVER_IDS}
LEVER_RANGES.update({"rd_subsidy_rate": (0.0, 20.0), "rd_tax_incentive_rate": (0.0, 10.0)})
SOBOL_COLUMNS = ("output", "year", "factor", "kind", "S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("output", "year", "factor", "kind", "mu_star", "mu_star_conf", "sigma", "mu")
CONF_LEVEL = 0.95
NUM_RESAMPLES = 200
MORRIS_LEVELS = 4


@dataclass(frozen=True)
class Factor:
    """One uncertain input: a lever or a parameter, uniform on ``[lower, upper]``."""

    name: str
    kind: str  # lever | parameter | other
    lower: float
    upper: float
    origin: str = ""  # where the range comes from (module docs)


def model_factors(
    profile: str = "korea",
    levers: bool = True,
    parameters: bool = True,
    params_file: str | Path | None = None,
    assumed: bool = True,
) -> list[Factor]:
    """Default factors of ``profile`` around its parameter set or the file ``params_file``:
    every lever, every estimated parameter and (``assumed``) every assumed parameter
    with a declared range (module docs)."""
    prof = get_profile(profile)
    unc = (
        joint_uncertainty(prof, point=prof.parameter_set(params_file), assumed=assumed)
        if parameters
        else None
    )
    return _factors(unc, levers)


def _factors(unc: Uncertainty | None, levers: bool = True) -> list[Factor]:
    """Every lever (``levers``) and every parameter of ``unc`` (when given) as factors:
    the joint normal's as point estimate +- 2 sd, the ranges' as declared (a normal
    range as mean +- 2 sd), within the bounds."""
    out = []
    if levers:
        out += [Factor(lid, "lever", *LEVER_RANGES[lid], origin="lever range") for lid in LEVER_IDS]
    if unc is None:
        return out
    found = []
    for name, mu, s in zip(unc.names, unc.mean, unc.sd, strict=True):
        found.append((name, mu - 2 * s, mu + 2 * s, f"estimate +- 2 sd ({unc.source})"))
    for r in unc.ranges:
        if r.distribution == "uniform":
            found.append((r.name, r.a, r.b, f"declared range ({r.source})"))
        else:
            found.append((r.name, r.a - 2 * r.b, r.a + 2 * r.b, f"mean +- 2 sd ({r.source})"))
    order = {n: i for i, n in enumerate(unc.sampled)}
    for name, lo, hi, origin in sorted(found, key=lambda f: order[f[0]]):
        p = BY_NAME[name]
        lo, hi = max(p.lower, lo), min(p.upper, hi)
        if hi > lo:
            out.append(Factor(name, "parameter", float(lo), float(hi), origin))
    return out


def problem(factors: Sequence[Factor]) -> dict:
    """The SALib problem dictionary of ``factors``."""
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [[f.lower, f.upper] for f in factors],
    }


def sample(factors: Sequence[Factor], method: str, n: int, seed: int) -> np.ndarray:
    """SALib's design for ``method``: ``n * (D + 2)`` rows (Sobol) or ``n * (D + 1)`` (Morris)."""
    prob = problem(factors)
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        return sobol_sample.sample(prob, n, calc_second_order=False, seed=seed)
    from SALib.sample import morris as morris_sample

    return morris_sample.sample(prob, n, num_levels=MORRIS_LEVELS, seed=seed)


def analyse(
    factors: Sequence[Factor], method: str, X: np.ndarray, y: np.ndarray, seed: int
) -> dict[str, np.ndarray]:
    """SALib indices of one output vector ``y`` (one value per design row)."""
    prob = problem(factors)
    d = len(factors)
    if not np.isfinite(y).all():
        raise ParameterError(
            "sensitivity: the model returned non-finite outputs for some "
            "factor combinations (narrow the factor ranges)"
        )
    if np.ptp(y) == 0:  # output does not vary: every index is zero, not 0/0
        zero = np.zeros(d)
        if method == "sobol":
            return {"S1": zero, "S1_conf": zero, "ST": zero, "ST_conf": zero}
        return {"mu_star": zero, "mu_star_conf": zero, "sigma": zero, "mu": zero}
    if method == "sobol":
        from SALib.analyze import sobol

        si = sobol.analyze(
            prob,
            y,
            calc_second_order=False,
            num_resamples=NUM_RESAMPLES,
            conf_level=CONF_LEVEL,
            print_to_console=False,
            seed=seed,
        )
        return {k: np.asarray(si[k]) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    from SALib.analyze import morris

    si = morris.analyze(
        prob,
        X,
        y,
        num_levels=MORRIS_LEVELS,
        num_resamples=NUM_RESAMPLES,
        conf_level=CONF_LEVEL,
        print_to_console=False,
        seed=seed,
    )
    return {k: np.asarray(si[k], dtype=float) for k in ("mu_star", "mu_star_conf", "sigma", "mu")}


@dataclass(frozen=True)
class SensitivityResult:
    """Indices per output, year and factor.

    Attributes
    ----------
    table : DataFrame
        :data:`SOBOL_COLUMNS` or :data:`MORRIS_COLUMNS`.
    meta : dict
        The manifest (method, n, seed, factors, runs, execution).
    """

    method: str
    table: pd.DataFrame
    meta: dict = field(default_factory=dict)

    @property
    def index_column(self) -> str:
        return "ST" if self.method == "sobol" else "mu_star"

    def ranking(self, output: str, year: int) -> pd.DataFrame:
        """Factors of one output and year, most influential first."""
        t = self.table
        sel = t[(t["output"] == output) & (t["year"] == year)]
        return sel.sort_values(self.index_column, ascending=False).reset_index(drop=True)


def run_study(
    factors: Sequence[Factor],
    evaluate: Callable[[np.ndarray], np.ndarray],
    labels: Sequence[tuple[str, int]],
    method: str = "sobol",
    n: int | None = None,
    seed: int = 0,
    execution: Execution | None = None,
    chunk_rows: int = 8192,
    progress: Callable[[int], None] | None = None,
) -> SensitivityResult:
    """Sample, evaluate (in chunks, on any executor) and analyse per label.

    Parameters
    ----------
    factors : sequence of Factor
    evaluate : callable
        Picklable; maps factor rows ``(m, D)`` to outputs ``(m, len(labels))``.
    labels : sequence of (output, year)
        What each column of ``evaluate``'s result is.
    method : {"sobol", "morris"}
    n : int, optional
        Base sample size (Sobol: a power of two); default :data:`DEFAULT_N`.
    seed : int
        Seed of the design and of the bootstrap.
    execution : Execution, optional
        Where the chunks run (:mod:`smesim.engine.parallel`).
    chunk_rows : int
        Design rows per task.
    progress : callable, optional
        Called with the number of rows just evaluated.
    """
    if method not in METHODS:
        raise ParameterError(f"method: expected one of {', '.join(METHODS)} (got {method!r})")
    n = DEFAULT_N[method] if n is None else int(n)
    if n < 2 or (method == "sobol" and n & (n - 1)):
        raise ParameterError(
            f"n: expected {'a power of two' if method == 'sobol' else 'a whole'}"
            f" number >= 2 (got {n})"
        )
    if len(factors) < 2:
        raise ParameterError("factors: expected at least two uncertain inputs")
    seed = check_seed(seed)
    X = sample(factors, method, n, seed)
    Y = np.empty((X.shape[0], len(labels)))
    tasks = [X[a : a + chunk_rows] for a in range(0, X.shape[0], chunk_rows)]

    def store(i, block):
        want = (tasks[i].shape[0], len(labels))
        if np.shape(block) != want:
            raise ValueError(f"evaluate returned shape {np.shape(block)} (expected {want})")
        Y[i * chunk_rows : i * chunk_rows + block.shape[0]] = block
        if progress:
            progress(block.shape[0])

    run_tasks(evaluate, tasks, execution, store)
    rows = []
    for j, (output, year) in enumerate(labels):
        idx = analyse(factors, method, X, Y[:, j], seed)
        for k, f in enumerate(factors):
            rows.append((output, int(year), f.name, f.kind, *(float(v[k]) for v in idx.values())))
    cols = SOBOL_COLUMNS if method == "sobol" else MORRIS_COLUMNS
    table = pd.DataFrame(rows, columns=list(cols))
    meta = {
        "method": method,
        "n": n,
        "seed": int(seed),
        "design_rows": int(X.shape[0]),
        "conf_level": CONF_LEVEL,
        "num_resamples": NUM_RESAMPLES,
        "factors": [
            {"name": f.name, "kind": f.kind, "lower": f.lower, "upper": f.upper, "origin": f.origin}
            for f in factors
        ],
        "execution": (execution or Execution()).describe(),
    }
    return SensitivityResult(method=method, table=table, meta=meta)


@dataclass(frozen=True)
class _ModelSpec:
    plan: RunPlan  # the scenario to the last year; params: the point estimate
    factors: tuple[Factor, ...]
    outputs: tuple[str, ...]
    years: tuple[int, ...]
    policy_start: float


def _evaluate_model(spec: _ModelSpec, X: np.ndarray) -> np.ndarray:
    """Model outputs at the reporting years for factor rows ``X``."""
    levers = {f.name: X[:, k] for k, f in enumerate(spec.factors) if f.kind == "lever"}
    pcols = [(k, f.name) for k, f in enumerate(spec.factors) if f.kind == "parameter"]
    params = spec.plan.params.with_values([n for _, n in pcols], X[:, [k for k, _ in pcols]])
    plan = spec.plan.with_params(params)
    if spec.policy_start <= plan.t[-1]:  # levers act from the policy start, never before
        plan = plan.with_overrides(levers, spec.policy_start)
    data = simulate(plan).outputs()
    out = np.empty((X.shape[0], len(spec.outputs) * len(spec.years)))
    j = 0
    for o in spec.outputs:
        for y in spec.years:
            out[:, j] = data[:, y - START_YEAR, CANONICAL.index(o)]
            j += 1
    return out


def run_sensitivity(
    scenario: str | Scenario,
    method: str = "sobol",
    n: int | None = None,
    outputs: Sequence[str] = COEXISTENCE,
    years: Sequence[int] = REPORTING_YEARS,
    seed: int = 0,
    profile: str = "korea",
    factors: Sequence[Factor] | None = None,
    dt: float = DEFAULT_DT,
    policy_start: float | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_rows: int = 8192,
    progress: Callable[[int], None] | None = None,
    params_file: str | Path | None = None,
    assumed: bool = True,
) -> SensitivityResult:
    """Global sensitivity of model outputs to levers and uncertain parameters.

    Parameters
    ----------
    scenario : str or Scenario
        The scenario whose lever paths hold before ``policy_start``.
    policy_start : float, optional
        Year the sampled levers act from; default: the scenario's policy start
        (its own ``policy_start``, else the profile's).
    method : {"sobol", "morris"}
    n : int, optional
        Base sample size (default 512 for Sobol, 64 trajectories for Morris).
    outputs : sequence of str
        Canonical series ids (default: the five coexistence indices).
    years : sequence of int
        Reporting years, each analysed separately (after the start year).  Levers
        act from ``policy_start``: in a year before it their indices are zero.
    seed : int
    profile : str
    factors : sequence of Factor, optional
        Default :func:`model_factors`.
    workers, scheduler :
        Local processes or a Dask scheduler address.
    params_file : path, optional
        Parameter-set file used in place of the profile's calibrated set.
    assumed : bool
        With the default ``factors``: include the assumed parameters with a
        declared range (default), as the ensemble samples them.

    Returns
    -------
    SensitivityResult
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    outputs = tuple(outputs)
    for o in outputs:
        if o not in CANONICAL:
            raise ParameterError(
                f"outputs: unknown series {o!r} (expected canonical ids, "
                f"e.g. {', '.join(COEXISTENCE[:2])})"
            )
    years = tuple(sorted({int(y) for y in years}))
    if not years or years[0] <= START_YEAR or years[-1] > MAX_END_YEAR:
        raise ParameterError(
            f"years: expected years in {START_YEAR + 1}-{MAX_END_YEAR} (got {list(years)})"
        )
    prof = get_profile(profile)
    point = prof.parameter_set(params_file)
    unc = joint_uncertainty(prof, point=point, assumed=assumed)
    if factors is None:
        factors = _factors(unc)
    facs = tuple(factors)
    plan = build_plan(sc, prof, point.run(0), until=years[-1], dt=dt)
    if policy_start is None:
        policy_start = plan.scenarios[0].policy_start
    spec = _ModelSpec(plan, facs, outputs, years, float(policy_start))
    labels = [(o, y) for o in outputs for y in years]
    result = run_study(
        facs,
        functools.partial(_evaluate_model, spec),
        labels,
        method,
        n,
        seed,
        Execution(workers=workers, scheduler=scheduler),
        chunk_rows,
        progress,
    )
    meta = manifest(
        command="sensitivity",
        scenario={"name": sc.name, "path": sc.path, "content_sha256": sc.content_hash},
        profile=profile,
        parameter_set=file_provenance(point.source),
        outputs=list(outputs),
        years=list(years),
        policy_start=policy_start,
        time_step_years=dt,
        lever_ranges={f.name: [f.lower, f.upper] for f in facs if f.kind == "lever"},
        parameter_ranges="estimated parameters: point estimate +- 2 sd of the joint "
        "uncertainty (smesim.analysis.ensemble.joint_uncertainty), within bounds; assumed "
        "parameters: their declared range (Parameter.sample), as the ensemble samples them",
        held_parameters=_held(unc, point, {f.name for f in facs}),
        **result.meta,
    )
    return SensitivityResult(method=result.method, table=result.table, meta=meta)


def _held(unc: Uncertainty, point, factors: set[str]) -> dict:
    """Every parameter that is not a factor, with its value and the reason."""
    values = point.as_dict()
    held = {n: {"value": v, "reason": why} for n, v, why in unc.held}
    for n in unc.sampled:
        if n not in factors:
            held[n] = {"value": values[n], "reason": "not among the factors of this study"}
    return {n: held[n] for n in NAMES if n in held}


def write_sensitivity(
    result: SensitivityResult,
    out_dir: str | Path,
    charts: Callable[[Path], Sequence[str]] | None = None,
) -> list[Path]:
    """Write ``sensitivity.csv``, ``manifest.json`` and, with ``charts``, the charts.

    ``charts`` is called with the staging folder and returns the names of the
    files it wrote there (the command line passes
    :func:`smesim.report.brief.write_sensitivity_charts`); everything moves into
    ``out_dir`` together, or nothing does.
    """
    out_dir = Path(out_dir)
    written = ["sensitivity.csv", "manifest.json"]
    with staged_files(out_dir) as stage:
        write_csv(result.table, stage / "sensitivity.csv", index=False, float_format="%.6g")
        (stage / "manifest.json").write_text(dump_json(result.meta), encoding="utf-8")
        if charts:
            written += list(charts(stage))
    return [out_dir / w for w in written]


def read_sensitivity(directory: str | Path) -> SensitivityResult:
    """Read a folder written by :func:`write_sensitivity` / ``smesim sensitivity``."""
    d = Path(directory)
    if not d.is_dir():
        raise DataError(f"{d}: sensitivity directory not found")
    meta = read_manifest(d / "manifest.json", "sensitivity")
    method = meta.get("method")
    if method not in METHODS:
        raise DataError(
            f"{d / 'manifest.json'}: method: expected one of {', '.join(METHODS)} (got {method!r})"
        )
    path = d / "sensitivity.csv"
    cols = SOBOL_COLUMNS if method == "sobol" else MORRIS_COLUMNS
    table = read_result_csv(path, cols, "sensitivity")
    try:
        table["year"] = table["year"].astype(int)
        for c in cols[4:]:
            table[c] = table[c].astype(float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{path}: non-numeric value ({exc})") from None
    for c in ("output", "factor", "kind"):
        table[c] = table[c].astype(str)
    return SensitivityResult(method=method, table=table, meta=meta)
