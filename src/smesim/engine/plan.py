"""The run plan: everything one call of :func:`smesim.engine.simulate.simulate` needs.

A :class:`RunPlan` holds arrays and small metadata only, never paths or
file handles: the time grid, the lever paths of ``k`` scenarios, the
exogenous paths, the profile's baseline levers, the parameter set (its
leading axis is the run axis) and, optionally, per-run constant lever values
from a year on.  Every scenario runs with every parameter run.

It is built once, at the edge (the command line or an analysis entry point),
from objects already loaded and validated, by :func:`build_plan`::

    plan = build_plan([baseline, package], profile, profile.parameter_set(), until=2060)
    result = simulate(plan)

Analyses that vary only the parameters (calibration, ensembles, sensitivity)
keep one plan and replace its parameter set, cheaply, with
:meth:`RunPlan.with_params` (and the per-run lever values with
:meth:`RunPlan.with_overrides`): no file is read again.

The engine never reads files: this module needs only objects that look like
a scenario (``name``, ``settings``, ``origins``, ``horizon``, ``policy_start``,
``policy_start_source``, ``path``, ``content_hash``, ``chain``, ``sources``) and
a profile (``name``, ``baseline_levers``, ``policy_start``, ``exogenous``
tables).

Levers never rewrite history: each scenario's lever paths equal the profile's
baseline before its policy start (the scenario's own ``policy_start``, else the
profile's), and a schedule that would act earlier is a
:class:`~smesim.errors.ScenarioError` naming the file that sets it.  The years
before the earliest policy start are therefore shared by every scenario, and
:func:`~smesim.engine.simulate.simulate` integrates them once
(:attr:`RunPlan.shared_step`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from smesim.errors import ScenarioError
from smesim.model.exogenous import Table, exogenous_paths
from smesim.model.horizon import DEFAULT_DT, DEFAULT_END_YEAR, MAX_END_YEAR, START_YEAR, time_grid
from smesim.model.levers import LEVER_IDS, Schedule, early_lever_error, lever_paths
from smesim.model.params import ParameterSet


class ScenarioLike(Protocol):
    """What :func:`build_plan` reads of a scenario (:class:`smesim.inputs.scenario.Scenario`)."""

    name: str
    settings: Mapping[str, Sequence[Schedule]]
    origins: Mapping[str, Sequence[str]]
    horizon: int | None
    policy_start: int | None
    policy_start_source: str | None
    path: Path | None
    content_hash: str
    chain: tuple[str, ...]
    sources: tuple[str, ...]


class ProfileLike(Protocol):
    """What :func:`build_plan` reads of a profile (:class:`smesim.inputs.profiles.Profile`)."""

    name: str
    baseline_levers: Mapping[str, float]
    policy_start: int
    exogenous: Mapping[str, Table]


@dataclass(frozen=True)
class ScenarioInfo:
    """Where a scenario of a plan came from, and the policy start it ran with (for manifests).

    ``policy_start_source`` says where ``policy_start`` came from: ``"scenario <file>"``
    or ``"profile <name>"``; both None when the plan was given lever paths directly.
    """

    name: str
    path: str | None = None
    content_hash: str | None = None
    chain: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    policy_start: int | None = None
    policy_start_source: str | None = None

    @classmethod
    def of(cls, scenario: ScenarioLike, profile: ProfileLike | None = None) -> ScenarioInfo:
        year, source = (None, None) if profile is None else policy_start_of(scenario, profile)
        return cls(
            name=scenario.name,
            path=None if scenario.path is None else str(scenario.path),
            content_hash=scenario.content_hash,
            chain=tuple(scenario.chain),
            sources=tuple(str(s) for s in scenario.sources),
            policy_start=year,
            policy_start_source=source,
        )

    def describe_policy_start(self) -> str | None:
        """``"2026 (profile korea)"``, for manifests and terminal output."""
        if self.policy_start is None:
            return None
        return f"{self.policy_start} ({self.policy_start_source})"


def policy_start_of(scenario: ScenarioLike, profile: ProfileLike) -> tuple[int, str]:
    """The year ``scenario``'s levers act from under ``profile``, and where it came from:
    the scenario's own ``policy_start`` (``"scenario <file>"``), else the profile's
    (``"profile <name>"``)."""
    if scenario.policy_start is not None:
        return int(scenario.policy_start), f"scenario {scenario.policy_start_source}"
    return int(profile.policy_start), f"profile {profile.name}"


def scenario_lever_paths(scenario: ScenarioLike, profile: ProfileLike, t: np.ndarray) -> np.ndarray:
    """``scenario``'s lever paths on the grid ``t`` under ``profile``, shape
    ``(n_times, n_levers)``: the profile's baseline before the policy start.

    Raises :class:`~smesim.errors.ScenarioError` (naming the file, lever, year and policy
    start) if a schedule would act before the policy start.
    """
    year, _ = checked_policy_start(scenario, profile)
    return lever_paths(scenario.settings, t, profile.baseline_levers, policy_start=year)


def checked_policy_start(scenario: ScenarioLike, profile: ProfileLike) -> tuple[int, str]:
    """:func:`policy_start_of`, after checking that no schedule of ``scenario`` acts before
    it (else a :class:`~smesim.errors.ScenarioError` naming the file, lever, year and
    policy start)."""
    year, source = policy_start_of(scenario, profile)
    msg = early_lever_error(scenario.origins, scenario.settings, year, source)
    if msg is not None:
        raise ScenarioError(msg)
    return year, source


@dataclass(frozen=True, eq=False)
class LeverOverrides:
    """Per-run constant lever values from a grid step on (the same for every scenario).

    ``values`` has shape ``(n_runs, n_levers)`` (:data:`~smesim.model.levers.LEVER_IDS`
    order); only the columns where ``mask`` is true replace the scenario's
    paths, from grid step ``first_step`` on.
    """

    values: np.ndarray
    mask: np.ndarray
    first_step: int

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=float)
        mask = np.asarray(self.mask, dtype=bool)
        if values.ndim != 2 or values.shape[1] != len(LEVER_IDS):
            raise ValueError(
                f"override values must have shape (runs, {len(LEVER_IDS)}) (got {values.shape})"
            )
        if mask.shape != (len(LEVER_IDS),):
            raise ValueError(f"override mask must have shape ({len(LEVER_IDS)},)")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "mask", mask)
        object.__setattr__(self, "first_step", int(self.first_step))

    @property
    def levers(self) -> tuple[str, ...]:
        return tuple(lid for lid, m in zip(LEVER_IDS, self.mask, strict=True) if m)


@dataclass(frozen=True, eq=False)
class RunPlan:
    """Validated inputs of a batch of runs: ``k`` scenarios x ``n`` parameter runs.

    Attributes
    ----------
    end : int
        Last reported year; the grid starts at :data:`~smesim.model.horizon.START_YEAR`.
    dt : float
        Euler step in years, ``1/n``.
    levers : array, shape ``(k, n_times, n_levers)``
        Every scenario's lever paths on the grid (:data:`~smesim.model.levers.LEVER_IDS`
        order).
    exogenous : dict of arrays, each ``(n_times,)``
        The exogenous inputs on the grid (:func:`smesim.model.exogenous.exogenous_paths`).
    baseline_levers : array, shape ``(n_levers,)``
        The profile's baseline levers: the conditions the start-year data describe.
    params : ParameterSet
        ``n`` runs; every scenario runs with each.
    profile : str
        Name of the profile the plan was built for.
    scenarios : tuple of ScenarioInfo
        Name and origin of each scenario, in the order of ``levers``; names are unique.
    overrides : LeverOverrides, optional
        Per-run constant lever values from a year on (sensitivity analysis).

    Derived on construction: ``t`` (grid times), ``steps_per_year`` and
    ``shared_step``: the last whole-year grid step up to which every
    scenario's lever paths equal the first scenario's (0 with one scenario),
    so :func:`~smesim.engine.simulate.simulate` integrates those years once.

    Arrays are shared, not copied, by :meth:`with_params` and :meth:`with_overrides`:
    treat them as read-only.
    """

    end: int
    dt: float
    levers: np.ndarray
    exogenous: Mapping[str, np.ndarray]
    baseline_levers: np.ndarray
    params: ParameterSet
    profile: str
    scenarios: tuple[ScenarioInfo, ...]
    overrides: LeverOverrides | None = None
    t: np.ndarray = field(init=False, repr=False)
    steps_per_year: int = field(init=False)
    shared_step: int = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.params, ParameterSet):
            raise TypeError("params must be a smesim.model.params.ParameterSet")
        if isinstance(self.end, bool) or not isinstance(self.end, int | np.integer):
            raise TypeError(f"end must be a whole year (got {self.end!r})")
        if not START_YEAR < self.end <= MAX_END_YEAR:
            raise ValueError(f"until must be in ({START_YEAR}, {MAX_END_YEAR}] (got {self.end})")
        t, spy = time_grid(START_YEAR, int(self.end), self.dt)
        n_lev = len(LEVER_IDS)
        levers = np.asarray(self.levers, dtype=float)
        k = len(self.scenarios)
        if k == 0:
            raise ValueError("a run plan needs at least one scenario")
        if levers.shape != (k, t.size, n_lev):
            raise ValueError(
                f"levers must have shape (scenarios, times, levers) = {(k, t.size, n_lev)} "
                f"(got {levers.shape})"
            )
        names = [s.name for s in self.scenarios]
        if len(set(names)) != k:
            raise ValueError(f"scenario names in a plan must be unique (got {names})")
        for key, path in self.exogenous.items():
            if np.shape(path) != (t.size,):
                raise ValueError(f"exogenous {key!r} must have shape ({t.size},)")
        base = np.asarray(self.baseline_levers, dtype=float)
        if base.shape != (n_lev,):
            raise ValueError(f"baseline_levers must have shape ({n_lev},) (got {base.shape})")
        ov = self.overrides
        if ov is not None:
            if ov.values.shape[0] != self.params.n_runs:
                raise ValueError(
                    f"lever overrides hold {ov.values.shape[0]} runs, the parameter set "
                    f"{self.params.n_runs}"
                )
            if not 0 <= ov.first_step < t.size:
                raise ValueError(
                    f"override first step must be in [0, {t.size}) (got {ov.first_step})"
                )
        object.__setattr__(self, "end", int(self.end))
        object.__setattr__(self, "levers", levers)
        object.__setattr__(self, "baseline_levers", base)
        object.__setattr__(self, "exogenous", dict(self.exogenous))
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "steps_per_year", spy)
        object.__setattr__(self, "shared_step", _shared_step(levers, spy))

    # -- sizes and axes -----------------------------------------------------------------
    @property
    def start(self) -> int:
        return START_YEAR

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.scenarios)

    @property
    def n_scenarios(self) -> int:
        return len(self.scenarios)

    @property
    def n_runs(self) -> int:
        return self.params.n_runs

    @property
    def n_years(self) -> int:
        return self.end - START_YEAR + 1

    @property
    def years(self) -> np.ndarray:
        """Reported years, ``start .. end``."""
        return np.arange(START_YEAR, self.end + 1)

    @property
    def policy_start(self) -> int | None:
        """The earliest policy start of the plan's scenarios (None if none is known)."""
        years = [s.policy_start for s in self.scenarios if s.policy_start is not None]
        return min(years) if years else None

    @property
    def shared_years(self) -> int:
        """Reported years (from the start) in which every scenario is the first one."""
        return self.shared_step // self.steps_per_year

    # -- cheap replacements -------------------------------------------------------------
    def with_params(self, params: ParameterSet) -> RunPlan:
        """The same plan with another parameter set (no file is read, no path recomputed)."""
        return dataclasses.replace(self, params=params)

    def with_overrides(
        self, values: Mapping[str, np.ndarray] | None, from_year: float | None = None
    ) -> RunPlan:
        """The same plan with per-run constant lever values.

        Parameters
        ----------
        values : mapping
            lever id -> values, shape ``(n_runs,)`` (or a scalar for every run);
            empty or None removes the overrides.
        from_year : float, optional
            Time from which they apply (the first grid point at or after it);
            the scenarios' paths before.  Default: the whole horizon.
        """
        if not values:
            return dataclasses.replace(self, overrides=None)
        vals = np.zeros((self.n_runs, len(LEVER_IDS)))
        mask = np.zeros(len(LEVER_IDS), dtype=bool)
        for lid, v in values.items():
            if lid not in LEVER_IDS:
                raise ValueError(f"unknown lever {lid!r} (expected one of {', '.join(LEVER_IDS)})")
            j = LEVER_IDS.index(lid)
            vals[:, j] = np.asarray(v, dtype=float)
            mask[j] = True
        first = 0 if from_year is None else int(np.searchsorted(self.t, from_year))
        return dataclasses.replace(self, overrides=LeverOverrides(vals, mask, first))


def _shared_step(levers: np.ndarray, steps_per_year: int) -> int:
    """Last whole-year grid step up to which every scenario's levers equal the first's."""
    if levers.shape[0] < 2:
        return 0
    same = (levers[1:] == levers[:1]).all(axis=(0, 2))
    first_diff = int(np.argmin(same)) if not same.all() else same.size - 1
    return (first_diff // steps_per_year) * steps_per_year


def build_plan(
    scenarios: ScenarioLike | Sequence[ScenarioLike],
    profile: ProfileLike,
    params: ParameterSet,
    *,
    until: int | None = None,
    dt: float = DEFAULT_DT,
    lever_overrides: Mapping[str, np.ndarray] | None = None,
    overrides_from: float | None = None,
) -> RunPlan:
    """A run plan from loaded objects.

    Parameters
    ----------
    scenarios : Scenario or sequence of Scenario
        Validated scenarios (:func:`smesim.inputs.scenario.load_scenario`), names unique.
    profile : Profile
        The resolved profile (:func:`smesim.inputs.profiles.get_profile`): its
        baseline levers and exogenous tables.
    params : ParameterSet
        One or more runs (e.g. ``profile.parameter_set()``).
    until : int, optional
        Last reported year; default: the latest of the scenarios' horizons,
        2060 for a scenario without one.
    dt : float
        Euler step in years, ``1/n``.
    lever_overrides, overrides_from :
        Per-run constant lever values from a year on (:meth:`RunPlan.with_overrides`).
    """
    if isinstance(scenarios, str | Path):
        raise TypeError("build_plan takes loaded scenarios (smesim.inputs.scenario.load_scenario)")
    if not isinstance(scenarios, Sequence):
        scenarios = (scenarios,)
    scenarios = tuple(scenarios)
    if not scenarios:
        raise ValueError("a run plan needs at least one scenario")
    end = until or max(sc.horizon or DEFAULT_END_YEAR for sc in scenarios)
    if not START_YEAR < end <= MAX_END_YEAR:
        raise ValueError(f"until must be in ({START_YEAR}, {MAX_END_YEAR}] (got {end})")
    t, _ = time_grid(START_YEAR, end, dt)
    base = dict(profile.baseline_levers)
    plan = RunPlan(
        end=end,
        dt=dt,
        levers=np.stack([scenario_lever_paths(sc, profile, t) for sc in scenarios]),
        exogenous=exogenous_paths(t, profile.exogenous),
        baseline_levers=lever_paths({}, t[:1], base)[0],
        params=params,
        profile=profile.name,
        scenarios=tuple(ScenarioInfo.of(sc, profile) for sc in scenarios),
    )
    return plan.with_overrides(lever_overrides, overrides_from) if lever_overrides else plan
