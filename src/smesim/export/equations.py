"""The model as one declarative equation table, in XMILE expression syntax.

The table is built from the model declaration (:mod:`smesim.model.spec`), never
written by hand: every stock (initial value, inflows, outflows), flow,
auxiliary and constant as declared, plus one scenario's parameter values,
lever schedules and exogenous tables, each a named equation with its unit and
documentation.  :func:`build_table` builds smesim's for a scenario and
profile; :func:`model_table` any declared model's (``tests/test_codegen.py``
exports a toy model with it).  The table is what :mod:`smesim.export.xmile`
writes, what :mod:`smesim.export.units` checks dimensionally and what
:mod:`smesim.export.docgen` prints.  The PySD tests (tests/test_xmile.py,
tests/test_codegen.py) run the exported file and compare every stock and
output with the generated code, and :func:`run_table` integrates the table
itself so the same comparison runs without PySD.

Expression syntax (a subset of XMILE 1.0): numbers, names, ``+ - * / ^``,
parentheses, comparisons, ``AND``/``OR``, ``IF c THEN a ELSE b`` and the
builtins ``EXP``, ``LN``, ``MIN``, ``MAX``, ``STEP``, ``RAMP``, ``INIT``,
``TIME`` and calls of graphical functions by name.

Units are written in the model's notation: ``%`` (percent of a share),
``pp`` (a percentage point, = ``%``), ``1`` (dimensionless), ``yr``,
``RDU`` (R&D units), ``RU`` (researcher units), ``index`` (start year = 100),
``million`` (million persons).

The start-year derived constants (``rd_intensity_sme_0``, ``researcher_cost_sme_0``,
``knowledge_ratio_0``, the shrink rates, ...) are exported as auxiliaries with
their derivation equations (from parameters and the profile's start-year
baseline levers, ``<lever>_0``), not as numbers computed at export time: a
reviewer sees how each is derived, and a user who changes a parameter in
Stella, Vensim or PySD gets a consistent start-year state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from smesim.engine.plan import checked_policy_start
from smesim.errors import EquationError
from smesim.inputs.bundled import display_path
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import baseline_scenario
from smesim.model import MODEL
from smesim.model.horizon import (
    DEFAULT_DT,
    DEFAULT_END_YEAR,
    MAX_END_YEAR,
    START_YEAR,
    time_grid,
)
from smesim.model.lang import BUILTINS, Node, evaluate, num, parse, references, unparse
from smesim.model.levers import LEVERS, Schedule
from smesim.model.params import BY_NAME, ParameterSet
from smesim.model.spec import Model

KINDS = ("stock", "flow", "aux", "constant", "parameter", "lever", "gf")


@dataclass(frozen=True)
class Variable:
    """One named element of the model.

    ``eqn`` is the defining expression; for a stock it is the initial value.
    ``value`` is the numeric value of constants, parameters and start-year
    levers; ``points`` the ``(x, y)`` points of a graphical function.
    """

    name: str
    kind: str
    eqn: str
    unit: str
    doc: str
    sector: str
    inflows: tuple[str, ...] = ()
    outflows: tuple[str, ...] = ()
    status: str = ""
    source: str = ""
    value: float | None = None
    points: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    x_unit: str = ""


@dataclass(frozen=True)
class ModelTable:
    """The full equation table of one scenario, profile and parameter set.

    ``name`` is the model's (:attr:`smesim.model.spec.Model.name`)."""

    variables: tuple[Variable, ...]
    start: float
    stop: float
    dt: float
    scenario: str
    profile: str
    parameter_source: str
    name: str = "smesim"
    by_name: dict[str, Variable] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [v.name for v in self.variables]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise EquationError(f"equation table: duplicate names {', '.join(dup)}")
        object.__setattr__(self, "by_name", {v.name: v for v in self.variables})

    def of_kind(self, *kinds: str) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.kind in kinds)

    def __getitem__(self, name: str) -> Variable:
        return self.by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self.by_name


# ---------------------------------------------------------------------------
# expressions: the model's language (smesim.model.lang), shared by the units check,
# the reference and run_table
# ---------------------------------------------------------------------------
def dependencies(model: ModelTable, name: str) -> set[str]:
    """Variables the equation of ``name`` refers to (stocks: their initial value)."""
    v = model[name]
    if v.kind == "gf":
        return set()
    return references(parse(v.eqn))


# ---------------------------------------------------------------------------
# lever schedules as expressions
# ---------------------------------------------------------------------------
def _on_grid(year: float, start: float, dt: float) -> bool:
    k = (year - start) / dt
    return abs(k - round(k)) < 1e-9


def schedule_expression(
    base: float,
    schedules: Iterable[Schedule],
    grid: np.ndarray,
    start: float,
    dt: float,
    gf_name: str,
    policy_start: float | None = None,
) -> tuple[str, list[Variable]]:
    """XMILE expression of a lever path, and any graphical functions it needs.

    ``policy_start``: before it the lever holds ``base`` (levers never rewrite
    history, :func:`smesim.model.levers.lever_paths`); only a constant or a table
    needs the explicit ``IF TIME <`` for it, the other shapes start on or after it.

    Timing matches smesim's Euler: the lever value at ``t_k`` drives the step
    ``t_k -> t_k + dt``, and a step at ``year`` is on for ``t >= year``.
    ``STEP`` is used only when ``year`` falls on the time grid: Vensim and
    PySD fire ``STEP`` when ``TIME + dt/2 > year`` (at the grid point nearest
    ``year``), smesim at the first grid point on or after ``year``; for an
    off-grid year an explicit ``IF TIME < year`` keeps smesim's timing.
    A ramp starts from the lever's value at its start (as smesim's does) and
    holds its target after ``start + years``: two XMILE ``RAMP(slope, start)``.

    When ``dt`` is not a power of two (e.g. 1/10), times accumulated by a
    simulator (``TIME + dt + dt + ...``) are inexact, so a comparison with a
    grid year could fire a step late; the threshold of each ``IF TIME <``
    comparison is then moved to mid-step before the first grid point on or
    after the year, which gives smesim's timing whatever the rounding.
    """
    exact = (1 / dt).is_integer() and math.log2(1 / dt).is_integer()

    def when(year: float) -> str:
        if exact:
            return num(year)
        k = int(np.searchsorted(grid, year, side="left"))  # smesim: on from grid[k] >= year
        return num(start + (k - 0.5) * dt)

    expr, constant = num(base), True
    path = np.full(grid.size, float(base))
    gfs: list[Variable] = []
    for sched in schedules:
        if sched.kind == "constant":
            expr, constant = num(sched.value), True
        elif sched.kind == "step":
            if constant and _on_grid(sched.year, start, dt):
                expr = f"{expr} + STEP({num(sched.value - float(expr))}, {num(sched.year)})"
            else:
                expr = f"IF TIME < {when(sched.year)} THEN {_p(expr)} ELSE {num(sched.value)}"
            constant = False
        elif sched.kind == "ramp":
            v0 = float(np.interp(sched.start, grid, path))
            slope = f"({num(sched.target)} - {num(v0)}) / {num(sched.years)}"
            ramp = (
                f"{num(v0)} + RAMP({slope}, {num(sched.start)}) - "
                f"RAMP({slope}, {num(sched.start + sched.years)})"
            )
            if constant and float(expr) == v0:
                expr = ramp
            else:
                expr = f"IF TIME < {when(sched.start)} THEN {_p(expr)} ELSE {ramp}"
            constant = False
        elif sched.kind == "pulse":
            end = sched.start + sched.years
            expr = (
                f"IF TIME >= {when(sched.start)} AND TIME < {when(end)} "
                f"THEN {num(sched.value)} ELSE {_p(expr)}"
            )
            constant = False
        elif sched.kind == "table":
            name = f"{gf_name}_{len(gfs) + 1}" if gfs else gf_name
            gfs.append(
                Variable(
                    name,
                    "gf",
                    "",
                    "",
                    "",
                    "levers",
                    points=_padded(sched.table_years, sched.table_values, grid[0], grid[-1]),
                )
            )
            expr, constant = f"{name}(TIME)", False
        else:  # pragma: no cover - Schedule validates kinds
            raise EquationError(f"unknown schedule kind {sched.kind!r}")
        path = sched.evaluate(grid, path)
    if policy_start is not None and any(s.kind in ("constant", "table") for s in schedules):
        expr = f"IF TIME < {when(policy_start)} THEN {num(base)} ELSE {_p(expr)}"
    return expr, gfs


def _p(expr: str) -> str:
    try:
        float(expr)
        return expr
    except ValueError:
        return f"({expr})"


def _padded(xs, ys, lo, hi):
    """Table points extended flat to ``[lo, hi]``: interpolation without extrapolation."""
    xs, ys = [float(x) for x in xs], [float(y) for y in ys]
    if lo < xs[0]:
        xs, ys = [float(lo), *xs], [ys[0], *ys]
    if hi > xs[-1]:
        xs, ys = [*xs, float(hi)], [*ys, ys[-1]]
    return tuple(xs), tuple(ys)


# ---------------------------------------------------------------------------
# the table of a scenario: the model declaration plus values, levers and tables
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LeverPath:
    """A lever of the table: its baseline, the schedules that shape it, and its words.

    ``baseline`` is also the lever's start-year value ``<id>_0``; ``schedules``
    apply oldest first, as in a scenario's settings; before ``policy_start`` (if
    given) the lever is ``baseline``.
    """

    id: str
    baseline: float
    schedules: tuple[Schedule, ...] = ()
    description: str = ""
    source: str = ""
    policy_start: float | None = None


@dataclass(frozen=True)
class ExogenousTable:
    """The time table of an exogenous input (linear between points, flat beyond)."""

    name: str
    years: tuple[float, ...]
    values: tuple[float, ...]
    doc: str
    source: str = ""


def _structure(model: Model = MODEL) -> list[Variable]:
    """Every declared equation of ``model`` as a table row."""
    out: list[Variable] = []
    for e in model.equations:
        if e.kind == "constant":
            out.append(
                Variable(
                    e.name,
                    "constant",
                    e.eqn,
                    e.unit,
                    e.doc,
                    e.sector,
                    status="structural",
                    value=e.value,
                )
            )
            continue
        status = "derived" if e.kind != "stock" and e.name in model.static else ""
        out.append(
            Variable(
                e.name,
                e.kind,
                e.eqn,
                e.unit,
                e.doc,
                e.sector,
                inflows=e.inflows,
                outflows=e.outflows,
                status=status,
            )
        )
    for x in model.exogenous:
        out.append(Variable(x.name, "aux", f"{x.name}_table(TIME)", x.unit, x.doc, x.sector))
    return out


def _same_names(what: str, got: Iterable[str], expected: Iterable[str]) -> None:
    got, expected = list(got), list(expected)
    missing = [n for n in expected if n not in got]
    unknown = [n for n in got if n not in expected]
    if missing or unknown:
        raise EquationError(
            f"equation table: {what}: expected {', '.join(expected) or 'none'} "
            f"(missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'})"
        )


def model_table(
    model: Model,
    values: Mapping[str, float],
    levers: Iterable[LeverPath],
    exogenous: Iterable[ExogenousTable],
    *,
    start: int,
    stop: int,
    dt: float,
    scenario: str,
    profile: str = "",
    parameter_source: str = "",
) -> ModelTable:
    """The equation table of any declared model (:class:`~smesim.model.spec.Model`).

    Parameters
    ----------
    model : Model
    values : mapping
        A value for every parameter of ``model``.
    levers : iterable of LeverPath
        One per lever of ``model``.
    exogenous : iterable of ExogenousTable
        One per exogenous input of ``model``.
    start, stop : int
        First and last year; ``dt`` the time step (``1/n`` of a year).
    scenario, profile, parameter_source : str
        Labels the table (and the XMILE file) carries.
    """
    levers = {lp.id: lp for lp in levers}
    exogenous = {x.name: x for x in exogenous}
    _same_names("parameter values", values, model.param_names)
    _same_names("levers", levers, model.lever_ids)
    _same_names("exogenous tables", exogenous, model.exo_names)
    try:
        grid, _ = time_grid(start, stop, dt)
    except ValueError as exc:
        raise EquationError(f"dt: {exc}") from None

    variables: list[Variable] = []
    for p in model.parameters:
        variables.append(
            Variable(
                p.name,
                "parameter",
                num(values[p.name]),
                p.unit,
                _param_doc(p),
                p.sector,
                status=p.status,
                source=p.source,
                value=float(values[p.name]),
            )
        )
    for lv in model.levers:
        lp = levers[lv.id]
        variables.append(
            Variable(
                f"{lv.id}_0",
                "constant",
                num(lp.baseline),
                lv.unit,
                f"{lv.id} in the start year under the profile's baseline: the settings under "
                "which the start-year figures were observed",
                "levers",
                status="baseline lever",
                source=lp.source,
                value=float(lp.baseline),
            )
        )
    for lv in model.levers:
        lp = levers[lv.id]
        expr, gfs = schedule_expression(
            lp.baseline, lp.schedules, grid, start, dt, f"{lv.id}_table", lp.policy_start
        )
        for g in gfs:
            variables.append(
                Variable(
                    g.name,
                    "gf",
                    "",
                    lv.unit,
                    f"time table of lever {lv.id} (scenario {scenario})",
                    "levers",
                    points=g.points,
                    x_unit="yr",
                )
            )
        setting = "; then ".join(s.describe() for s in lp.schedules)
        variables.append(
            Variable(
                lv.id,
                "lever",
                expr,
                lv.unit,
                f"{lp.description} Scenario {scenario}: "
                f"{setting or 'baseline ' + num(lp.baseline)}.",
                "levers",
                status="lever",
                source=lp.source,
            )
        )
    for x in model.exogenous:
        table = exogenous[x.name]
        variables.append(
            Variable(
                f"{x.name}_table",
                "gf",
                "",
                x.unit,
                table.doc,
                x.sector,
                source=table.source,
                points=_padded(table.years, table.values, grid[0], grid[-1]),
                x_unit="yr",
            )
        )
    variables.extend(_structure(model))
    return ModelTable(
        tuple(variables),
        float(start),
        float(stop),
        dt,
        scenario,
        profile,
        parameter_source,
        name=model.name,
    )


def build_table(
    scenario=None,
    params: ParameterSet | None = None,
    *,
    profile: str = "korea",
    dt: float | None = None,
    until: int | None = None,
) -> ModelTable:
    """The equation table of smesim's model for ``scenario`` (default baseline).

    Parameters
    ----------
    scenario : Scenario, optional
    params : ParameterSet, optional
        One run; the profile's parameter set (calibrated if present) by default.
    profile : str
    dt, until : as for :func:`smesim.simulate`.

    See :func:`model_table` for any other declared model.
    """

    prof = get_profile(profile)
    scenario = scenario if scenario is not None else baseline_scenario()
    params = params if params is not None else prof.parameter_set()
    if params.n_runs != 1:
        raise EquationError(
            f"the equation table takes one parameter set (got {params.n_runs} runs)"
        )
    dt = DEFAULT_DT if dt is None else float(dt)
    stop = until or scenario.horizon or DEFAULT_END_YEAR
    if not START_YEAR < stop <= MAX_END_YEAR:
        raise EquationError(
            f"until: expected a year in ({START_YEAR}, {MAX_END_YEAR}] (got {stop})"
        )
    base = {lv.id: lv.baseline for lv in LEVERS} | dict(prof.baseline_levers)
    policy_start, _ = checked_policy_start(scenario, prof)
    levers = [
        LeverPath(
            lv.id,
            base[lv.id],
            tuple(scenario.settings.get(lv.id, ())),
            lv.description,
            lv.source,
            policy_start,
        )
        for lv in LEVERS
    ]
    tables = [
        ExogenousTable(
            e.name,
            prof.exogenous[e.name].years,
            prof.exogenous[e.name].values,
            f"{e.doc} ({profile})",
            prof.exogenous[e.name].source,
        )
        for e in MODEL.exogenous
    ]
    return model_table(
        MODEL,
        params.as_dict(),
        levers,
        tables,
        start=START_YEAR,
        stop=stop,
        dt=dt,
        scenario=scenario.name,
        profile=profile,
        parameter_source=params.source,
    )


def source_label(source: str) -> str:
    """A parameter-set source: ``smesim/data/...`` for a bundled file, else as given."""
    return display_path(source)


def _param_doc(p) -> str:
    return f"{p.name.replace('_', ' ')} ({p.status}; range {p.lower:g}-{p.upper:g} {p.unit})"


# ---------------------------------------------------------------------------
# evaluating the table: order, values, and an Euler run of the table itself
# ---------------------------------------------------------------------------
def evaluation_order(model: ModelTable, *, initial: bool = False) -> list[str]:
    """Variables in an order where each follows what its equation uses.

    By default stocks and graphical functions are left out (the order of one
    time step, stocks known).  With ``initial=True`` stocks are included,
    ordered by their initial-value equations, and ``INIT(x)`` depends on
    ``x``: the order of initialisation.  A cycle is an error (no algebraic
    loops).
    """
    skip = {v.name for v in model.of_kind("gf")}
    if not initial:
        skip |= {v.name for v in model.of_kind("stock")}
    deps = {
        v.name: dependencies(model, v.name) - skip for v in model.variables if v.name not in skip
    }
    if not initial:
        known = {v.name for v in model.of_kind("stock")}
    else:
        known = set()
    for name, ds in deps.items():
        unknown = ds - set(deps) - known - skip
        if unknown:
            raise EquationError(
                f"equation {name}: unknown variable(s) {', '.join(sorted(unknown))}"
            )
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(n, chain):
        if state.get(n) == 2 or n not in deps:
            return
        if state.get(n) == 1:
            raise EquationError("algebraic loop: " + " -> ".join([*chain, n]))
        state[n] = 1
        for d in sorted(deps[n]):
            visit(d, [*chain, n])
        state[n] = 2
        order.append(n)

    for n in deps:
        visit(n, [])
    return order


def _eval(node: Node, env: Mapping, t: float, init: Mapping, gfs: Mapping):
    """A table equation at time ``t``: :func:`smesim.model.lang.evaluate` plus the
    table's lever builtins (``STEP``, ``RAMP``) and graphical functions."""
    calls = {
        "STEP": lambda height, start: height if t >= start else 0.0,
        "RAMP": lambda slope, start: slope * (t - start) if t >= start else 0.0,
        **{
            name.upper(): (lambda x, pts=pts: float(np.interp(x, pts[0], pts[1])))
            for name, pts in gfs.items()
        },
    }
    return float(evaluate(node, env, time=t, init=init, calls=calls))


def start_values(model: ModelTable) -> dict[str, float]:
    """Every stock's initial value and every variable's value at the start time."""
    return _Runner(model).initial()


def run_table(model: ModelTable) -> dict[str, np.ndarray]:
    """Euler-integrate the table itself (a plain interpreter, one run).

    Returns every stock and auxiliary at whole years, ``name -> array``.
    Slow but independent of PySD; :func:`smesim.simulate` is the model.
    """
    return _Runner(model).run()


class _Runner:
    def __init__(self, model: ModelTable):
        self.model = model
        self.order = evaluation_order(model)
        self.init_order = evaluation_order(model, initial=True)
        self.trees = {v.name: parse(v.eqn) for v in model.variables if v.kind != "gf"}
        self.stocks = model.of_kind("stock")
        self.gfs = {g.name: g.points for g in model.of_kind("gf")}
        self.init: dict[str, float] = {}

    def initial(self) -> dict[str, float]:
        env: dict[str, float] = {}
        for n in self.init_order:
            env[n] = _eval(self.trees[n], env, self.model.start, env, self.gfs)
        self.init = dict(env)
        return env

    def run(self) -> dict[str, np.ndarray]:
        env = self.initial()
        m = self.model
        spy = round(1.0 / m.dt)
        n_steps = round((m.stop - m.start) * spy)
        names = [s.name for s in self.stocks] + self.order
        out = {n: np.empty(round(m.stop - m.start) + 1) for n in names}
        for k in range(n_steps + 1):
            t = m.start + k / spy
            for n in self.order:
                env[n] = _eval(self.trees[n], env, t, self.init, self.gfs)
            if k % spy == 0:
                for n in names:
                    out[n][k // spy] = env[n]
            if k < n_steps:
                net = {
                    s.name: sum(env[f] for f in s.inflows) - sum(env[f] for f in s.outflows)
                    for s in self.stocks
                }
                for s in self.stocks:
                    env[s.name] = env[s.name] + m.dt * net[s.name]
        return out


def parameter_names_used(model: ModelTable) -> set[str]:
    """Registry parameters that some equation refers to."""
    used: set[str] = set()
    for v in model.variables:
        if v.kind not in ("gf", "parameter") and v.eqn:
            used |= references(parse(v.eqn))
    return used & set(BY_NAME)


__all__ = [
    "BUILTINS",
    "KINDS",
    "EquationError",
    "ExogenousTable",
    "LeverPath",
    "ModelTable",
    "Node",
    "Variable",
    "build_table",
    "dependencies",
    "evaluation_order",
    "model_table",
    "num",
    "parameter_names_used",
    "parse",
    "references",
    "run_table",
    "schedule_expression",
    "source_label",
    "start_values",
    "unparse",
]
