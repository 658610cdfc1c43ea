"""Policy levers and their schedules.

A lever has an id, unit, valid range, a Korea baseline with its source and a
description (docs/model.md, "Levers").  A scenario sets a lever to a constant or a
schedule; every schedule is a pure function of time evaluated once on the
integration grid, so the solver never parses or interpolates per step.

Schedule shapes (years are calendar years, values in the lever's unit):

``constant``  ``u(t) = v``
``step``      ``u(t) = before`` for ``t < year``, ``value`` after
``ramp``      linear from ``before`` at ``start`` to ``target`` at ``start + years``
``pulse``     ``value`` on ``[start, start + years)``, ``before`` elsewhere
``table``     piecewise-linear through ``(years[i], values[i])``, flat outside

``before`` is what the lever would be without this setting: the parent
scenario's path (or the baseline), so a ramp in a child scenario starts from
wherever its parent had the lever at that time.

Levers never rewrite history.  Every scenario has a **policy start** year (its
own ``policy_start``, else its profile's; see :mod:`smesim.inputs.scenario`).
Before it every lever follows the baseline path, whatever the scenario says:
:func:`lever_paths` holds the baseline there, so a ``constant`` acts from the
policy start on, and a ``step``, ``ramp``, ``pulse`` or ``table`` that would act
earlier (its :attr:`Schedule.first_year` before the policy start) is an error in
the scenario file (:func:`early_schedules` finds them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from smesim.errors import located


@dataclass(frozen=True)
class Lever:
    id: str
    unit: str
    lower: float
    upper: float
    baseline: float
    source: str
    description: str


LEVERS: tuple[Lever, ...] = (
    Lever(
        "rd_subsidy_rate",
        "% of business R&D",
        0.0,
        50.0,
        4.17,
        "Table 7 (OECD; Noh 2019a): Korea 2016 direct government funding of business R&D",
        "Direct government subsidy of business R&D. Comparators: France 19.86 (2015), "
        "UK 13.77 (2015), USA 3.50 (2013).",
    ),
    Lever(
        "rd_tax_incentive_rate",
        "% of business R&D",
        0.0,
        50.0,
        4.18,
        "Table 7 (OECD; Noh 2019a): Korea 2016 indirect support through R&D tax incentives",
        "R&D tax incentives. Comparators: France 8.85, UK 8.70, USA 9.16.",
    ),
    Lever(
        "regional_dispersion",
        "0-1 intensity",
        0.0,
        1.0,
        0.2,
        "assumed: the Balanced National Development programme (Sejong, ten innovation "
        "cities) is under way but partial; 0.2 of a full dispersion effort",
        "Relocation of public functions, firms and support out of the Seoul "
        "metropolitan area; weakens the agglomeration loop.",
    ),
    Lever(
        "fair_trade_enforcement",
        "0-1 intensity",
        0.0,
        1.0,
        0.3,
        "assumed: Fair-Trade Commission acts on unfair subcontracting, but the paper "
        "argues its reach is limited; 0.3",
        "Deterring unfair subcontracting; limits large firms' appropriation of SME "
        "value and strengthens SME wage bargaining.",
    ),
    Lever(
        "scale_up_support",
        "0-1 intensity",
        0.0,
        1.0,
        0.2,
        "assumed: growth finance exists (Table 3: 10 finance, 13 export programmes) but "
        "no scale-up platform yet; 0.2",
        "Scale-up platforms, growth finance and internationalisation support.",
    ),
    Lever(
        "vocational_training",
        "0-1 intensity",
        0.0,
        1.0,
        0.2,
        "assumed: 10 human-resource programmes (Table 3), no regional network yet; 0.2",
        "Regional SME vocational training networks.",
    ),
    Lever(
        "tech_diffusion",
        "0-1 intensity",
        0.0,
        1.0,
        0.2,
        "assumed: early diffusion of AI / IoT / cloud / 5G to SMEs; 0.2",
        "Diffusion of 4th-industrial-revolution technology to SMEs.",
    ),
    Lever(
        "green_transition",
        "0-1 intensity",
        0.0,
        1.0,
        0.2,
        "assumed: existing environmental regulation and green programmes; 0.2",
        "Natural coexistence: investment and regulation for a lower environmental "
        "intensity; a small cost on SME margins.",
    ),
)

LEVER_IDS: tuple[str, ...] = tuple(lv.id for lv in LEVERS)

#: Lever units (free text above) in the model's unit notation.
MODEL_UNITS = {"% of business R&D": "%", "0-1 intensity": "1"}


def model_unit(unit: str) -> str:
    """A lever's unit in the model's notation (``%`` or ``1``)."""
    return MODEL_UNITS[unit]


LEVER_BY_ID: dict[str, Lever] = {lv.id: lv for lv in LEVERS}

Path = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Schedule:
    """A validated lever setting.  ``kind`` is one of the shapes above."""

    kind: str
    value: float | None = None  # constant, step, pulse
    year: float | None = None  # step
    start: float | None = None  # ramp, pulse
    years: float | None = None  # ramp, pulse: duration
    target: float | None = None  # ramp
    table_years: tuple[float, ...] = ()
    table_values: tuple[float, ...] = ()

    def evaluate(self, t: np.ndarray, before: np.ndarray) -> np.ndarray:
        """Lever value at times ``t`` given the path ``before`` it would otherwise take."""
        t = np.asarray(t, dtype=float)
        if self.kind == "constant":
            return np.full_like(t, self.value)
        if self.kind == "step":
            return np.where(t < self.year, before, self.value)
        if self.kind == "ramp":
            start_value = np.interp(self.start, t, before)
            frac = np.clip((t - self.start) / self.years, 0.0, 1.0)
            ramp = start_value + frac * (self.target - start_value)
            return np.where(t < self.start, before, ramp)
        if self.kind == "pulse":
            on = (t >= self.start) & (t < self.start + self.years)
            return np.where(on, self.value, before)
        if self.kind == "table":
            return np.interp(t, self.table_years, self.table_values)
        raise ValueError(f"unknown schedule kind {self.kind!r}")

    @property
    def first_year(self) -> float | None:
        """The first year the schedule itself shapes the lever (None for a constant, which
        acts from the policy start): a step's ``year``, a ramp's or pulse's ``start``, a
        table's first year."""
        if self.kind == "step":
            return self.year
        if self.kind in ("ramp", "pulse"):
            return self.start
        if self.kind == "table":
            return self.table_years[0]
        return None

    @property
    def first_year_key(self) -> str | None:
        """The scenario-file key that holds :attr:`first_year` (``year``, ``start``, ``years``)."""
        return {"step": "year", "ramp": "start", "pulse": "start", "table": "years"}.get(self.kind)

    def extremes(self) -> tuple[float, ...]:
        """Every value the schedule itself sets (for range checks)."""
        vals = [self.value, self.target, *self.table_values]
        return tuple(v for v in vals if v is not None)

    def describe(self) -> str:
        if self.kind == "constant":
            return f"{self.value:g}"
        if self.kind == "step":
            return f"step to {self.value:g} in {self.year:g}"
        if self.kind == "ramp":
            return (
                f"ramp from {self.start:g} over {self.years:g} yr to {self.target:g} "
                f"(reached {self.start + self.years:g})"
            )
        if self.kind == "pulse":
            return f"{self.value:g} during {self.start:g}-{self.start + self.years:g}"
        pts = ", ".join(
            f"{y:g}: {v:g}" for y, v in zip(self.table_years, self.table_values, strict=True)
        )
        return f"table {{{pts}}}"


def early_schedules(
    settings: Mapping[str, Sequence[Schedule]], policy_start: float
) -> list[tuple[str, int, Schedule]]:
    """(lever id, index in ``settings[lever]``, schedule) of every schedule that would shape
    its lever before ``policy_start`` (:attr:`Schedule.first_year` earlier), in lever order."""
    return [
        (lid, i, s)
        for lid in LEVER_IDS
        for i, s in enumerate(settings.get(lid, ()))
        if s.first_year is not None and s.first_year < policy_start
    ]


def early_lever_error(
    origins: Mapping[str, Sequence[str]],
    settings: Mapping[str, Sequence[Schedule]],
    policy_start: int,
    where: str,
) -> str | None:
    """The one-line error for the first schedule that would act before ``policy_start``,
    or None.  ``origins``: lever id -> the file that set each schedule of ``settings``;
    ``where``: where the policy start came from (e.g. ``"profile korea"``)."""
    early = early_schedules(settings, policy_start)
    if not early:
        return None
    lid, i, sched = early[0]
    files = origins.get(lid, ())
    return located(
        files[i] if i < len(files) else None,
        f"levers.{lid}.{sched.first_year_key}",
        f"lever {lid} starts in {sched.first_year:g}, before the policy start {policy_start} "
        f"({where}); levers never rewrite history: expected a year >= {policy_start}, or an "
        "earlier policy_start in the scenario file",
    )


def lever_paths(
    settings: Mapping[str, Sequence[Schedule]],
    t: np.ndarray,
    baseline: Mapping[str, float] | None = None,
    policy_start: float | None = None,
) -> np.ndarray:
    """Evaluate every lever on the time grid.

    Parameters
    ----------
    settings : dict
        lever id -> schedules, oldest ancestor first (a child's setting is
        applied on top of its parent's path).
    t : array, shape (n_times,)
    baseline : dict, optional
        Baseline lever values of the profile (defaults to Korea's).
    policy_start : float, optional
        Before it every lever holds its baseline value, whatever ``settings`` say
        (levers never rewrite history).  None: the settings apply from the first time.

    Returns
    -------
    array, shape (n_times, n_levers), columns in :data:`LEVER_IDS` order.
    """
    base = {lv.id: lv.baseline for lv in LEVERS}
    base.update(baseline or {})
    out = np.empty((t.size, len(LEVERS)))
    for j, lid in enumerate(LEVER_IDS):
        path = np.full(t.size, base[lid], dtype=float)
        for sched in settings.get(lid, ()):
            path = sched.evaluate(t, path)
        if policy_start is not None:
            path = np.where(t < policy_start, base[lid], path)
        out[:, j] = path
    return out
