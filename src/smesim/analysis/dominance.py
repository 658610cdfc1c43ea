"""Which feedback loops drive the behaviour: loop dominance and eigenvalues.

Library side of ``smesim loops``.  For one run (profile, parameter set,
scenario) it answers "which loop dominates which output, when?" with the
*Loops That Matter* method (Schoenberg, Davidsen and Eberlein, System Dynamics
Review 36(2), 2020; the method built into Stella), and "is the system
locally stable?" with the eigenvalues of the stocks' Jacobian.  Everything is
derived from a model declaration (:class:`smesim.model.spec.Model`), so it works
on smesim's model and on any model declared in the same format (the tests use a
logistic one).

Trajectory
    Every dynamic variable at every Euler step: the declared equations are
    evaluated with the model's one expression evaluator
    (:func:`smesim.model.lang.evaluate`), in the order :class:`~smesim.model.spec.Model`
    sorted them, with the levers and exogenous inputs of the run plan, exactly as
    the table interpreter of the export does (``smesim.export.equations.run_table``,
    which sits above this layer); it reproduces :func:`smesim.simulate` to rounding.

Loops
    The graph has an edge ``x -> z`` when the equation of ``z`` refers to ``x``
    (outside ``INIT``) and both vary over time, and an edge from each flow to the
    stocks it fills or drains; parameters, constants and start-year values drop out.
    Its elementary cycles are enumerated with Johnson's algorithm (1975), up to
    :data:`MAX_CYCLES`; when there are more, the enumeration stops there, the
    result says so (``complete = False``) and relative scores are shares of the
    enumerated loops only.  A loop is named by its path; a loop declared in
    :mod:`smesim.model.loops` names the cycles that pass through every variable of
    its path that lies on a cycle (``<class>`` in a declared name matches any
    text).  A declared loop that no cycle matches is reported, never an error.

Link and loop scores (Loops That Matter)
    Over each step (``t - dt`` to ``t``), for a link ``x -> z`` between
    auxiliaries (flows and stocks included as causes): ``Δ_x z`` is the change of
    ``z`` when only ``x`` takes its new value (the equation of ``z`` re-evaluated
    with every other input, and ``TIME``, at ``t - dt``), and the link score is
    ``|Δ_x z / Δz| · sign(Δ_x z / Δx)`` (0 when ``Δz`` or ``Δx`` is 0).  For a
    flow ``f`` into or out of stock ``s`` (Stella's revised form, from version
    2.1): ``± |Δf / Δ(net flow of s)|``, ``+`` for an inflow, ``-`` for an
    outflow.  A loop's score is the product of its link scores: positive for a
    reinforcing loop, negative for a balancing one, at that step.  Its relative
    score is its score over the sum of the absolute scores of every loop at that
    step (in [-1, 1]).  Yearly values are the mean over the steps of the year
    ending at that year.

Dominance per output
    An output depends, at the same time, on a set of stocks (followed back
    through its auxiliaries).  In each year the loop with the largest absolute
    relative score among the loops through those stocks dominates it; contiguous
    years with the same dominant loop form a period.

Eigenvalues
    The Jacobian ``d(net flow of stock i) / d(stock j)`` at the simulated state of
    a year, by central differences (step ``1e-6 · max(|stock|, 1)``) with the
    levers, exogenous inputs and ``TIME`` of that year; its eigenvalues with the
    time constant ``1 / |Re|``, the half-life (``Re < 0``) or doubling time
    (``Re > 0``), ``ln 2 / |Re|``, and the period ``2π / |Im|`` of an oscillating
    pair.  An eigenvalue with ``Re > UNSTABLE_TOL`` is flagged unstable (the
    tolerance keeps the numerical noise of a zero eigenvalue, e.g. of shares that
    sum to a constant, from being flagged).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from smesim.engine.plan import RunPlan, build_plan
from smesim.errors import DominanceError
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import Scenario, load_scenario
from smesim.io import dump_json, file_provenance, manifest, staged_files, write_csv
from smesim.model import MODEL
from smesim.model.horizon import (
    DEFAULT_DT,
    DEFAULT_END_YEAR,
    MAX_END_YEAR,
    REPORTING_YEARS,
    START_YEAR,
)
from smesim.model.lang import evaluate
from smesim.model.loops import LOOPS
from smesim.model.outputs import HEADLINE
from smesim.model.params import ParameterSet
from smesim.model.spec import Model, direct_refs

#: At most this many elementary cycles are enumerated (the result says when more exist).
MAX_CYCLES = 5000
#: An eigenvalue whose real part exceeds this (per year) is flagged unstable.
UNSTABLE_TOL = 1e-6
#: Relative size of the central-difference step of the Jacobian.
JACOBIAN_STEP = 1e-6
#: Outputs whose dominant loops ``smesim loops`` reports: the headline outputs and the
#: all-firm wage ratio.
OUTPUTS: tuple[str, ...] = (
    *HEADLINE,
    *(("wage_ratio_all_firms",) if "wage_ratio_all_firms" not in HEADLINE else ()),
)
#: Years whose eigenvalues ``smesim loops`` reports by default (those inside the run).
DEFAULT_EIGEN_YEARS: tuple[int, ...] = (START_YEAR, *REPORTING_YEARS)


# ---- trajectory: every variable at every step ---------------------------------------------
@dataclass(frozen=True, eq=False)
class Trajectory:
    """One run of a declared model, every dynamic variable at every Euler step.

    ``series`` maps each stock, flow, dynamic auxiliary, lever and exogenous
    input to its values on the grid ``t``; ``fixed`` holds every value that does
    not change over time (parameters, constants, start-year lever values, static
    equations); ``init`` every start value (what ``INIT(x)`` reads).
    """

    model: Model
    t: np.ndarray
    series: dict[str, np.ndarray]
    fixed: dict[str, float]
    init: dict[str, float]

    @property
    def dt(self) -> float:
        return float(self.t[1] - self.t[0])

    @property
    def steps_per_year(self) -> int:
        return round(1.0 / self.dt)

    def step_of(self, year: int) -> int:
        """Grid step of a whole year."""
        return round((year - self.t[0]) * self.steps_per_year)

    def env(self, k: int | slice) -> dict:
        """Names -> values at step(s) ``k`` (fixed values included)."""
        return {**self.fixed, **{n: v[k] for n, v in self.series.items()}}


def simulate_trajectory(
    model: Model,
    values: Mapping[str, float],
    levers: np.ndarray,
    levers0: Sequence[float],
    exogenous: Mapping[str, np.ndarray],
    t: np.ndarray,
) -> Trajectory:
    """Euler-integrate a declared model, keeping every dynamic variable at every step.

    Parameters
    ----------
    model : Model
    values : mapping
        A value for every parameter of ``model``.
    levers : array, shape ``(len(t), n_levers)``
        Lever paths on the grid, in ``model.lever_ids`` order.
    levers0 : sequence
        Start-year (baseline) lever values, same order.
    exogenous : mapping
        Each exogenous input on the grid.
    t : array
        The time grid (equal steps).
    """
    t = np.asarray(t, dtype=float)
    levers = np.asarray(levers, dtype=float)
    if t.size < 2 or levers.shape != (t.size, len(model.lever_ids)):
        raise ValueError(
            f"levers must have shape {(t.size, len(model.lever_ids))} (got {levers.shape})"
        )
    dt = float(t[1] - t[0])
    env: dict[str, float] = {n: float(values[n]) for n in model.param_names}
    env.update({f"{lv}_0": float(v) for lv, v in zip(model.lever_ids, levers0, strict=True)})
    for j, lv in enumerate(model.lever_ids):
        env[lv] = float(levers[0, j])
    for x in model.exo_names:
        env[x] = float(exogenous[x][0])
    with np.errstate(all="ignore"):
        for name in model.init_order:
            eq = model.by_name[name]
            if eq.kind == "constant":
                env[name] = float(eq.value)
            else:
                env[name] = float(evaluate(eq.tree, env, time=float(t[0]), init=env))
    init = dict(env)
    fixed = {n: v for n, v in env.items() if n not in model.dynamic}
    order = [(n, model.by_name[n].tree) for n in model.dynamic_order]
    names = [*model.stock_names, *model.lever_ids, *model.exo_names, *model.dynamic_order]
    out = {n: np.empty(t.size) for n in names}
    rates = [(s.name, [*s.inflows], [*s.outflows]) for s in model.stocks if s.inflows or s.outflows]
    with np.errstate(all="ignore"):
        for k in range(t.size):
            for j, lv in enumerate(model.lever_ids):
                env[lv] = levers[k, j]
            for x in model.exo_names:
                env[x] = exogenous[x][k]
            tk = float(t[k])
            for n, tree in order:
                env[n] = float(evaluate(tree, env, time=tk, init=init))
            for n in names:
                out[n][k] = env[n]
            if k + 1 < t.size:
                net = [
                    (s, sum(env[f] for f in ins) - sum(env[f] for f in outs))
                    for s, ins, outs in rates
                ]
                for s, d in net:
                    env[s] = env[s] + dt * d
    return Trajectory(model, t, out, fixed, init)


def plan_trajectory(plan: RunPlan, scenario: int = 0, run: int = 0) -> Trajectory:
    """The trajectory of one scenario and parameter run of a smesim run plan."""
    values = dict(zip(MODEL.param_names, plan.params.values[run], strict=True))
    return simulate_trajectory(
        MODEL, values, plan.levers[scenario], plan.baseline_levers, plan.exogenous, plan.t
    )


# ---- the loop graph and its cycles -------------------------------------------------------
def feedback_graph(model: Model) -> dict[str, tuple[str, ...]]:
    """``x -> (z, ...)``: the time-varying variables whose equations use ``x`` at the same
    time, and the stocks each flow fills or drains.  Static values drop out."""
    succ: dict[str, list[str]] = defaultdict(list)
    for z in model.dynamic_order:
        for x in sorted(direct_refs(model.by_name[z].tree) & model.dynamic):
            succ[x].append(z)
    for s in model.stocks:
        for f in (*s.inflows, *s.outflows):
            if f in model.dynamic and s.name not in succ[f]:
                succ[f].append(s.name)
    return {x: tuple(zs) for x, zs in succ.items()}


def _sccs(nodes: Sequence[str], succ: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan), restricted to ``nodes``."""
    inside = set(nodes)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter([w for w in succ.get(root, ()) if w in inside]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter([u for u in succ.get(w, ()) if u in inside])))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(comp)
    return out


def elementary_cycles(
    succ: Mapping[str, Sequence[str]], limit: int = MAX_CYCLES
) -> tuple[list[tuple[str, ...]], bool]:
    """Every elementary cycle of a directed graph (Johnson's algorithm), at most ``limit``.

    Returns the cycles (each a tuple of nodes, the edge back to the first implied)
    and whether the list is complete.
    """
    order = {
        n: i for i, n in enumerate(dict.fromkeys([*succ, *(w for ws in succ.values() for w in ws)]))
    }
    cycles: list[tuple[str, ...]] = []
    comps = [c for c in _sccs(list(order), succ) if len(c) > 1]
    comps += [[n] for n in order if n in succ.get(n, ())]  # self-loops
    while comps:
        comp = comps.pop()
        inside = set(comp)
        if len(comp) == 1:
            cycles.append((comp[0],))
            if len(cycles) >= limit:
                return cycles, False
            continue
        start = min(comp, key=order.__getitem__)

        def nbrs(v, inside=inside):
            return [w for w in succ.get(v, ()) if w in inside]

        path = [start]
        blocked = {start}
        closed: set[str] = set()
        blocked_by: dict[str, set[str]] = defaultdict(set)
        stack = [(start, nbrs(start))]
        while stack:
            v, ws = stack[-1]
            if ws:
                w = ws.pop()
                if w == start:
                    cycles.append(tuple(path))
                    if len(cycles) >= limit:
                        return cycles, False
                    closed.update(path)
                elif w not in blocked:
                    path.append(w)
                    stack.append((w, nbrs(w)))
                    closed.discard(w)
                    blocked.add(w)
                    continue
            if not ws:
                if v in closed:
                    todo = {v}
                    while todo:
                        u = todo.pop()
                        if u in blocked:
                            blocked.discard(u)
                            todo.update(blocked_by[u])
                            blocked_by[u].clear()
                else:
                    for w in nbrs(v):
                        blocked_by[w].add(v)
                stack.pop()
                path.pop()
        rest = [n for n in comp if n != start]
        comps.extend(c for c in _sccs(rest, succ) if len(c) > 1)
    return cycles, True


# ---- loops, named ------------------------------------------------------------------------
@dataclass(frozen=True)
class Loop:
    """A feedback loop of the model: an elementary cycle of :func:`feedback_graph`.

    ``path`` starts at its first stock (in declaration order); ``declared`` is the
    number of the declared loop (:mod:`smesim.model.loops`) it is, if any.
    """

    id: str
    path: tuple[str, ...]
    stocks: tuple[str, ...]
    declared: int | None = None
    declared_name: str = ""

    @property
    def label(self) -> str:
        if self.declared is not None:
            return f"{self.id} ({self.declared}) {self.declared_name}"
        return f"{self.id} {' -> '.join(self.stocks)}"

    @property
    def path_text(self) -> str:
        return " -> ".join((*self.path, self.path[0]))


@dataclass(frozen=True)
class DeclaredMatch:
    """How a declared loop maps onto the enumerated cycles.

    ``status``: ``matched`` (cycles pass through every variable of its path),
    ``partial`` (cycles pass through those of its variables that lie on a cycle;
    ``off_cycle`` lists the others: levers, exogenous inputs, outputs only, or
    names the model no longer has) or ``unmatched``.
    """

    number: int
    name: str
    status: str
    loops: tuple[str, ...]
    off_cycle: tuple[str, ...]


def _pattern(entry: str) -> re.Pattern:
    parts = re.split(r"<[^>]*>", entry)
    return re.compile(r"\w+".join(re.escape(p) for p in parts))


def name_loops(
    model: Model, cycles: Sequence[tuple[str, ...]], declared=LOOPS
) -> tuple[tuple[Loop, ...], tuple[DeclaredMatch, ...]]:
    """Loops from cycles (ordered, numbered), named after the declared loops they match."""
    stock_rank = {s: i for i, s in enumerate(model.stock_names)}
    rank = {n: i for i, n in enumerate((*model.stock_names, *model.dynamic_order))}

    def canonical(c):
        first = min(range(len(c)), key=lambda i: (c[i] not in stock_rank, rank.get(c[i], 1e9)))
        return tuple(c[first:] + c[:first])

    paths = sorted(
        (canonical(list(c)) for c in cycles),
        key=lambda p: (len([n for n in p if n in stock_rank]), len(p), [rank.get(n) for n in p]),
    )
    on_cycle = {n for p in paths for n in p}
    matches: list[DeclaredMatch] = []
    best: dict[int, tuple[int, int, str]] = {}  # cycle index -> (-entries matched, number, name)
    for d in declared:
        groups, off = [], []
        for entry in dict.fromkeys(d.path):
            pat = _pattern(entry)
            members = {n for n in on_cycle if pat.fullmatch(n)}
            if members:
                groups.append(members)
            else:
                off.append(entry)
        hits = []
        if len(groups) >= 2:
            hits = [i for i, p in enumerate(paths) if all(g & set(p) for g in groups)]
        if hits:  # the simplest: through the fewest stocks (longer ones combine loops)
            fewest = min(len([n for n in paths[i] if n in stock_rank]) for i in hits)
            hits = [i for i in hits if len([n for n in paths[i] if n in stock_rank]) == fewest]
        for i in hits:
            key = (-len(groups), d.number, d.name)
            if i not in best or key < best[i]:
                best[i] = key
        matches.append((d, hits, tuple(off)))
    loops = []
    for i, p in enumerate(paths):
        num, name = (best[i][1], best[i][2]) if i in best else (None, "")
        stocks = tuple(n for n in p if n in stock_rank)
        loops.append(Loop(f"L{i + 1:02d}", p, stocks, num, name))
    out = []
    for d, hits, off in matches:
        status = "unmatched" if not hits else ("partial" if off else "matched")
        out.append(DeclaredMatch(d.number, d.name, status, tuple(loops[i].id for i in hits), off))
    return tuple(loops), tuple(out)


# ---- Loops That Matter -------------------------------------------------------------------
def _changed(d: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Changes that are not rounding noise."""
    return np.abs(d) > 1e-13 * np.maximum(np.abs(base), 1e-300)


def link_scores(
    traj: Trajectory, links: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], np.ndarray]:
    """Loops That Matter link scores of ``links`` (``(x, z)``) at every step after the first.

    Each array has ``len(traj.t) - 1`` values: the step from ``t[k-1]`` to ``t[k]``.
    """
    model, s = traj.model, traj.series
    prev = {**traj.fixed, **{n: v[:-1] for n, v in s.items()}}
    t_prev = traj.t[:-1]
    diff = {n: np.diff(v) for n, v in s.items()}
    stocks = {e.name: e for e in model.stocks}
    out: dict[tuple[str, str], np.ndarray] = {}
    with np.errstate(all="ignore"):
        for x, z in links:
            if z in stocks:
                st = stocks[z]
                net = np.zeros(traj.t.size)
                for f in st.inflows:
                    net = net + s.get(f, traj.fixed.get(f, 0.0))
                for f in st.outflows:
                    net = net - s.get(f, traj.fixed.get(f, 0.0))
                dnet = np.diff(net)
                sign = 1.0 if x in st.inflows else -1.0
                ok = _changed(dnet, net[:-1])
                out[x, z] = np.where(ok, sign * np.abs(diff[x] / dnet), 0.0)
                continue
            tree = model.by_name[z].tree
            env = dict(prev)
            env[x] = s[x][1:]
            z_x = np.asarray(evaluate(tree, env, time=t_prev, init=traj.init), dtype=float)
            d_xz = z_x - s[z][:-1]
            dz, dx = diff[z], diff[x]
            ok = _changed(dz, s[z][:-1]) & _changed(dx, s[x][:-1])
            out[x, z] = np.where(ok, np.abs(d_xz / dz) * np.sign(d_xz / dx), 0.0)
    return {k: np.nan_to_num(v, nan=0.0, posinf=0.0, neginf=0.0) for k, v in out.items()}


def loop_scores(traj: Trajectory, loops: Sequence[Loop]) -> tuple[np.ndarray, np.ndarray]:
    """Loop scores and relative loop scores, each ``(n_loops, len(traj.t) - 1)``."""
    edges = {(p[i], p[(i + 1) % len(p)]) for lp in loops for p in [lp.path] for i in range(len(p))}
    links = link_scores(traj, sorted(edges))
    scores = np.ones((len(loops), traj.t.size - 1))
    for i, lp in enumerate(loops):
        p = lp.path
        for j in range(len(p)):
            scores[i] *= links[p[j], p[(j + 1) % len(p)]]
    total = np.abs(scores).sum(axis=0)
    rel = np.divide(scores, total, out=np.zeros_like(scores), where=total > 0)
    return scores, rel


def yearly_mean(traj: Trajectory, per_step: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Years ``start + 1 .. end`` and the mean of ``per_step`` (last axis: steps 1..) over
    the steps of the year ending at each year."""
    spy = traj.steps_per_year
    n_years = (traj.t.size - 1) // spy
    years = np.round(traj.t[0]).astype(int) + 1 + np.arange(n_years)
    x = per_step[..., : n_years * spy]
    return years, x.reshape(*x.shape[:-1], n_years, spy).mean(axis=-1)


def output_stocks(model: Model, name: str) -> tuple[str, ...]:
    """The stocks ``name`` depends on at the same time (through its auxiliaries)."""
    found: set[str] = set()
    seen: set[str] = set()
    todo = [name]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if n in model.stock_names:
            found.add(n)
        elif n in model.by_name and n in model.dynamic:
            todo.extend(direct_refs(model.by_name[n].tree) & model.dynamic)
    return tuple(s for s in model.stock_names if s in found)


# ---- eigenvalues ---------------------------------------------------------------------------
def jacobian(traj: Trajectory, k: int) -> np.ndarray:
    """``d(net flow of stock i)/d(stock j)`` at step ``k``, by central differences."""
    model = traj.model
    names = model.stock_names
    n = len(names)
    env = traj.env(k)
    y = np.array([env[s] for s in names], dtype=float)
    h = JACOBIAN_STEP * np.maximum(np.abs(y), 1.0)
    delta = np.zeros((2 * n, n))
    delta[0::2][np.arange(n), np.arange(n)] = h
    delta[1::2][np.arange(n), np.arange(n)] = -h
    for j, s in enumerate(names):
        env[s] = y[j] + delta[:, j]
    with np.errstate(all="ignore"):
        for name in model.dynamic_order:
            if name in model.rate_needed:
                env[name] = evaluate(
                    model.by_name[name].tree, env, time=float(traj.t[k]), init=traj.init
                )
    zero = np.zeros(2 * n)
    net = np.array(
        [
            zero + sum((env[f] for f in st.inflows), 0.0) - sum((env[f] for f in st.outflows), 0.0)
            for st in model.stocks
        ]
    )
    return (net[:, 0::2] - net[:, 1::2]) / (2 * h[None, :])


def eigen_table(traj: Trajectory, years: Sequence[int]) -> pd.DataFrame:
    """Eigenvalues of the stocks' Jacobian at each year, largest real part first."""
    rows = []
    names = traj.model.stock_names
    for year in years:
        vals, vecs = np.linalg.eig(jacobian(traj, traj.step_of(year)))
        for i in np.argsort(-vals.real, kind="stable"):
            re_, im = float(vals[i].real), float(vals[i].imag)
            mode = np.abs(vecs[:, i])
            rows.append(
                {
                    "year": int(year),
                    "real": re_,
                    "imag": im,
                    "time_constant": 1.0 / abs(re_) if re_ else math.inf,
                    "half_life": math.log(2) / -re_ if re_ < 0 else math.nan,
                    "doubling_time": math.log(2) / re_ if re_ > 0 else math.nan,
                    "period": 2 * math.pi / abs(im) if im else math.nan,
                    "unstable": re_ > UNSTABLE_TOL,
                    "main_stock": names[int(np.argmax(mode))],
                }
            )
    return pd.DataFrame(rows)


# ---- the analysis --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Dominance:
    """Loop dominance and eigenvalues of one run.

    Attributes
    ----------
    loops : tuple of Loop
    declared : tuple of DeclaredMatch
        Each declared loop and the loops it names.
    complete : bool
        False when the model has more than ``max_cycles`` elementary cycles (the
        relative scores are then shares of the enumerated loops).
    years : array
        Years of the yearly scores (the first year after the start, to the end).
    scores, relative : DataFrame
        Yearly mean loop score and relative loop score (years x loop ids).
    periods : DataFrame
        For each output, the periods in which one loop family dominates it.
    families, family_relative :
        Declared loops with their cycles, and other cycles alone
        (:func:`loop_families`); their yearly relative scores (years x family keys).
    eigen : DataFrame
        :func:`eigen_table` at the requested years.
    step_times, step_relative :
        Per-step relative scores (loops x steps), for finer analyses.
    """

    loops: tuple[Loop, ...]
    declared: tuple[DeclaredMatch, ...]
    complete: bool
    years: np.ndarray
    scores: pd.DataFrame
    relative: pd.DataFrame
    periods: pd.DataFrame
    eigen: pd.DataFrame
    step_times: np.ndarray
    step_relative: np.ndarray
    outputs: dict[str, tuple[str, ...]]
    families: tuple[Family, ...]
    family_relative: pd.DataFrame

    def loop(self, loop_id: str) -> Loop:
        return next(lp for lp in self.loops if lp.id == loop_id)

    def loops_table(self) -> pd.DataFrame:
        """One row per loop: id, declared loop, polarity over the run, stocks and path."""
        mean = self.scores.mean(axis=0)
        return pd.DataFrame(
            {
                "loop": [lp.id for lp in self.loops],
                "declared": [lp.declared if lp.declared is not None else "" for lp in self.loops],
                "name": [lp.declared_name for lp in self.loops],
                "mean_relative_score": [float(self.relative[lp.id].mean()) for lp in self.loops],
                "polarity": [
                    "reinforcing" if mean[lp.id] > 0 else "balancing" for lp in self.loops
                ],
                "stocks": [" ".join(lp.stocks) for lp in self.loops],
                "path": [lp.path_text for lp in self.loops],
            }
        )


@dataclass(frozen=True)
class Family:
    """A declared loop with the cycles it names, or one undeclared cycle on its own.

    Its score is the sum of its cycles' scores (each cycle belongs to one family)."""

    key: str
    label: str
    loops: tuple[str, ...]
    stocks: tuple[str, ...]
    declared: int | None = None
    name: str = ""


def loop_families(model: Model, loops: Sequence[Loop]) -> tuple[Family, ...]:
    """Families of ``loops``: declared loops first (by number), then the other cycles."""
    by_decl: dict[int, list[Loop]] = defaultdict(list)
    rest = []
    for lp in loops:
        (by_decl[lp.declared] if lp.declared is not None else rest).append(lp)
    out = []
    for num in sorted(by_decl):
        members = by_decl[num]
        stocks = {s for lp in members for s in lp.stocks}
        out.append(
            Family(
                f"D{num}",
                f"({num}) {members[0].declared_name}",
                tuple(lp.id for lp in members),
                tuple(s for s in model.stock_names if s in stocks),
                num,
                members[0].declared_name,
            )
        )
    out += [Family(lp.id, lp.label, (lp.id,), lp.stocks) for lp in rest]
    return tuple(out)


def family_scores(
    families: Sequence[Family], loops: Sequence[Loop], per_loop: np.ndarray
) -> np.ndarray:
    """Family scores (families x ...) as sums of their loops' rows of ``per_loop``."""
    row = {lp.id: i for i, lp in enumerate(loops)}
    return np.stack([per_loop[[row[i] for i in f.loops]].sum(axis=0) for f in families])


PERIOD_COLUMNS = (
    "output",
    "from",
    "to",
    "family",
    "name",
    "loops",
    "stocks",
    "mean_relative_score",
    "polarity",
)


def dominant_periods(
    model: Model, families: Sequence[Family], years: np.ndarray, rel: np.ndarray, outputs
) -> pd.DataFrame:
    """Per output, contiguous years in which the same loop family has the largest
    |relative score| among the families through the output's stocks."""
    rows = []
    for out in outputs:
        stocks = set(output_stocks(model, out))
        idx = [i for i, f in enumerate(families) if stocks & set(f.stocks)]
        if not idx:
            continue
        sub = np.abs(rel[idx])
        best = np.where(sub.max(axis=0) > 0, np.array(idx)[np.argmax(sub, axis=0)], -1)
        start = 0
        for j in range(1, len(years) + 1):
            if j == len(years) or best[j] != best[start]:
                i = int(best[start])
                if i >= 0:
                    f = families[i]
                    r = float(rel[i, start:j].mean())
                    rows.append(
                        {
                            "output": out,
                            "from": int(years[start]),
                            "to": int(years[j - 1]),
                            "family": f.key,
                            "name": f.label,
                            "loops": " ".join(f.loops),
                            "stocks": " ".join(f.stocks),
                            "mean_relative_score": r,
                            "polarity": "reinforcing" if r > 0 else "balancing",
                        }
                    )
                start = j
    return pd.DataFrame(rows, columns=list(PERIOD_COLUMNS))


def analyse(
    traj: Trajectory,
    *,
    outputs: Sequence[str] = (),
    eigen_years: Sequence[int] = (),
    declared=LOOPS,
    max_cycles: int = MAX_CYCLES,
) -> Dominance:
    """Loop dominance (Loops That Matter) and eigenvalues of a trajectory (module docs)."""
    model = traj.model
    cycles, complete = elementary_cycles(feedback_graph(model), max_cycles)
    loops, matches = name_loops(model, cycles, declared)
    scores, rel = loop_scores(traj, loops)
    years, yearly_scores = yearly_mean(traj, scores)
    _, yearly_rel = yearly_mean(traj, rel)
    ids = [lp.id for lp in loops]
    idx = pd.Index(years, name="year")
    families = loop_families(model, loops)
    fam_rel = family_scores(families, loops, yearly_rel)
    return Dominance(
        loops=loops,
        declared=matches,
        complete=complete,
        years=years,
        scores=pd.DataFrame(yearly_scores.T, index=idx, columns=ids),
        relative=pd.DataFrame(yearly_rel.T, index=idx, columns=ids),
        periods=dominant_periods(model, families, years, fam_rel, outputs),
        eigen=eigen_table(traj, eigen_years),
        step_times=traj.t[1:],
        step_relative=rel,
        outputs={o: output_stocks(model, o) for o in outputs},
        families=families,
        family_relative=pd.DataFrame(fam_rel.T, index=idx, columns=[f.key for f in families]),
    )


# ---- smesim: a scenario run ------------------------------------------------------------------
def check_eigen_years(years: Sequence[int], end: int) -> tuple[int, ...]:
    """Whole years inside the run ``[START_YEAR, end]``, sorted, or one clear error."""
    out = []
    for y in years:
        if isinstance(y, bool) or not isinstance(y, int | np.integer) or not START_YEAR <= y <= end:
            raise DominanceError(
                f"--years: expected whole years in [{START_YEAR}, {end}] (the run's horizon; "
                f"got {y!r})"
            )
        out.append(int(y))
    if not out:
        raise DominanceError("--years: expected at least one year (got none)")
    return tuple(sorted(set(out)))


def parse_eigen_years(spec: str) -> tuple[int, ...]:
    """``"2012,2030,2060"`` -> (2012, 2030, 2060); the horizon is checked later."""
    try:
        years = tuple(int(x) for x in spec.split(",") if x.strip())
    except ValueError:
        raise DominanceError(
            f"--years: expected comma-separated whole years such as {START_YEAR},2030,2060 "
            f"(got {spec!r})"
        ) from None
    if not years:
        raise DominanceError("--years: expected at least one year (got none)")
    return years


@dataclass(frozen=True, eq=False)
class LoopsRun:
    """:class:`Dominance` of a scenario run, with what produced it (for the manifest)."""

    scenario: Scenario
    plan: RunPlan
    result: Dominance


def scenario_dominance(
    scenario: Scenario | str | Path = "baseline",
    params: ParameterSet | None = None,
    *,
    profile: str = "korea",
    params_file: str | Path | None = None,
    until: int | None = None,
    years: Sequence[int] | None = None,
    dt: float = DEFAULT_DT,
    outputs: Sequence[str] = OUTPUTS,
) -> LoopsRun:
    """Loop dominance and eigenvalues of one smesim scenario run.

    Parameters
    ----------
    scenario : Scenario, path or bundled name
    params : ParameterSet, optional
        One run; default the profile's set, or ``params_file`` in its place.
    until : int, optional
        Last year (default: the scenario's horizon, else the default end year).
    years : sequence of int, optional
        Years of the eigenvalues (default: :data:`DEFAULT_EIGEN_YEARS` inside the run;
        empty: none).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    prof = get_profile(profile)
    pset = params if params is not None else prof.parameter_set(params_file)
    if pset.n_runs != 1:
        raise DominanceError(f"loops take one parameter set (got {pset.n_runs} runs)")
    end = until or sc.horizon or DEFAULT_END_YEAR
    if not START_YEAR < end <= MAX_END_YEAR:
        raise DominanceError(f"--until: expected a year in ({START_YEAR}, {MAX_END_YEAR}]")
    if years is None:
        years = [y for y in DEFAULT_EIGEN_YEARS if y <= end]
    years = check_eigen_years(years, end) if len(years) else ()
    plan = build_plan(sc, prof, pset, until=end, dt=dt)
    traj = plan_trajectory(plan)
    return LoopsRun(sc, plan, analyse(traj, outputs=outputs, eigen_years=years))


def loops_manifest(run: LoopsRun) -> dict:
    plan, res, sc = run.plan, run.result, run.scenario
    pset = plan.params
    return manifest(
        command="loops",
        scenario={"name": sc.name, "path": sc.path, "content_sha256": sc.content_hash},
        profile=plan.profile,
        parameter_set={
            "source": pset.source,
            "sha256": file_provenance(pset.source)["sha256"],
        },
        time_step_years=plan.dt,
        years=[int(plan.years[0]), int(plan.end)],
        method="Loops That Matter (Schoenberg, Davidsen and Eberlein 2020); yearly values "
        "are means over the steps of each year; eigenvalues of the stocks' Jacobian by "
        "central differences",
        loops=len(res.loops),
        cycles_complete=res.complete,
        max_cycles=MAX_CYCLES,
        eigen_years=sorted({int(y) for y in res.eigen["year"]}) if len(res.eigen) else [],
        declared_loops=[
            {
                "number": d.number,
                "name": d.name,
                "status": d.status,
                "loops": list(d.loops),
                "off_cycle": list(d.off_cycle),
            }
            for d in res.declared
        ],
    )


def write_loops(out_dir: Path, run: LoopsRun) -> list[Path]:
    """Write ``<scenario>.loops.csv`` (the loops), ``.loop_scores.csv`` (yearly relative
    and absolute scores, long), ``.dominance.csv`` (periods per output),
    ``.eigenvalues.csv`` and ``.loops.manifest.json``, atomically."""
    res = run.result
    stem = run.scenario.name
    long = (
        res.relative.stack()
        .rename("relative_score")
        .to_frame()
        .join(res.scores.stack().rename("score"))
        .reset_index()
        .rename(columns={"level_1": "loop"})
    )
    long.columns = ["year", "loop", "relative_score", "score"]
    tables = {
        f"{stem}.loops.csv": res.loops_table(),
        f"{stem}.loop_scores.csv": long,
        f"{stem}.dominance.csv": res.periods,
        f"{stem}.eigenvalues.csv": res.eigen,
    }
    names = [*tables, f"{stem}.loops.manifest.json"]
    with staged_files(Path(out_dir)) as stage:
        for name, df in tables.items():
            write_csv(df, stage / name, index=False, float_format="%.6g")
        (stage / f"{stem}.loops.manifest.json").write_text(dump_json(loops_manifest(run)))
    return [Path(out_dir) / n for n in names]


def dominance_text(res: Dominance, outputs: Sequence[str] | None = None) -> str:
    """The dominant loops per output and period, as a plain-text table."""
    lines = []
    p = res.periods
    for out in outputs or list(res.outputs):
        sub = p[p["output"] == out]
        stocks = res.outputs.get(out, ())
        through = ", ".join(stocks) if len(stocks) <= 3 else f"{len(stocks)} stocks"
        lines.append(f"{out}  (depends on {through or 'no stock'})")
        if sub.empty:
            lines.append("  no loop through these stocks changes over the run")
        for r in sub.to_dict("records"):
            lines.append(
                f"  {r['from']}-{r['to']}  {r['name']}  "
                f"[{r['polarity']}, relative score {r['mean_relative_score']:+.2f}]"
            )
    return "\n".join(lines)


def eigen_text(res: Dominance) -> str:
    """Eigenvalues per year as a plain-text table."""
    if res.eigen.empty:
        return ""
    df = res.eigen.copy()
    df["unstable"] = np.where(df["unstable"], "UNSTABLE", "")
    return df.to_string(index=False, float_format=lambda v: f"{v:.4g}")
