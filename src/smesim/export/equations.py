"""The model as one declarative equation table, in XMILE expression syntax.

This is a *second expression* of the model in :mod:`smesim.model`: every
stock (initial value, inflows, outflows), flow, auxiliary, constant,
parameter, lever and exogenous table as a named equation with its unit and
documentation.  It is what :mod:`smesim.export.xmile` writes, what
:mod:`smesim.export.units` checks dimensionally and what :mod:`smesim.export.docgen` prints.
It cannot silently drift from the NumPy model: the PySD test
(tests/test_xmile.py) runs the exported table and compares every stock and
every output with :func:`smesim.simulate` for the whole horizon, and
:func:`run_table` integrates the table itself so the same comparison runs
without PySD.

Expression syntax (a subset of XMILE 1.0): numbers, names, ``+ - * / ^``,
parentheses, comparisons, ``AND``/``OR``, ``IF c THEN a ELSE b`` and the
builtins ``EXP``, ``LN``, ``MIN``, ``MAX``, ``STEP``, ``RAMP``, ``INIT``,
``TIME`` and calls of graphical functions by name.

Units are written in the model's notation: ``%`` (percent of a share),
``pp`` (a percentage point, = ``%``), ``1`` (dimensionless), ``yr``,
``RDU`` (R&D units), ``RU`` (researcher units), ``index`` (2012 = 100).

The 2012 derived constants (``rd_intensity_sme_0``, ``researcher_cost_sme_0``,
``knowledge_ratio_0``, the shrink rates, ...) are exported as auxiliaries with
their derivation equations (from parameters and the profile's start-year
baseline levers, ``<lever>_0``), not as numbers computed at export time: a
reviewer sees how each is derived, and a user who changes a parameter in
Stella, Vensim or PySD gets a consistent 2012 state.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from smesim.errors import EquationError
from smesim.inputs.bundled import display_path
from smesim.model import firm_size, rd_policy
from smesim.model.levers import LEVER_BY_ID, LEVERS, Schedule, lever_paths
from smesim.model.params import BY_NAME, PARAMETERS, ParameterSet
from smesim.model.state import SIZE_CLASSES, SME_CLASSES, STOCKS

KINDS = ("stock", "flow", "aux", "constant", "parameter", "lever", "gf")

#: Lever units (free text in :mod:`smesim.model.levers`) in the model's unit notation.
LEVER_UNITS = {"% of business R&D": "%", "0-1 intensity": "1"}


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
    """The full equation table of one scenario, profile and parameter set."""

    variables: tuple[Variable, ...]
    start: float
    stop: float
    dt: float
    scenario: str
    profile: str
    parameter_source: str
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
# expression parsing (shared by the units check, the reference and run_table)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Node:
    """Expression tree node.  ``op`` is one of
    ``num, ref, time, neg, not, + - * / ^, < <= > >= = <>, and, or, if, call``."""

    op: str
    args: tuple = ()
    value: float | None = None
    name: str | None = None


_TOKEN = re.compile(
    r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|<>|[-+*/^(),<>=]))"
)
_KEYWORDS = {"IF", "THEN", "ELSE", "AND", "OR", "NOT"}
BUILTINS = {"EXP": 1, "LN": 1, "MIN": 2, "MAX": 2, "STEP": 2, "RAMP": 2, "INIT": 1}


def _tokenize(text: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise EquationError(f"cannot parse {text!r} at position {pos}")
        num, name, sym = m.groups()
        if num is not None:
            out.append(("num", num))
        elif name is not None:
            out.append(("kw", name.upper()) if name.upper() in _KEYWORDS else ("name", name))
        else:
            out.append(("sym", sym))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "")

    def take(self, kind=None, val=None):
        tok = self.peek()
        if (kind and tok[0] != kind) or (val and tok[1] != val):
            raise EquationError(
                f"cannot parse {self.text!r}: expected {val or kind}, "
                f"got {tok[1] or 'end of expression'!r}"
            )
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.expr()
        if self.peek()[0] != "end":
            raise EquationError(f"cannot parse {self.text!r}: unexpected {self.peek()[1]!r}")
        return node

    def expr(self) -> Node:
        if self.peek() == ("kw", "IF"):
            self.take()
            cond = self.expr()
            self.take("kw", "THEN")
            a = self.expr()
            self.take("kw", "ELSE")
            b = self.expr()
            return Node("if", (cond, a, b))
        return self.logic()

    def logic(self) -> Node:
        node = self.comparison()
        while self.peek() in (("kw", "AND"), ("kw", "OR")):
            op = self.take()[1].lower()
            node = Node(op, (node, self.comparison()))
        return node

    def comparison(self) -> Node:
        if self.peek() == ("kw", "NOT"):
            self.take()
            return Node("not", (self.comparison(),))
        node = self.additive()
        if self.peek()[0] == "sym" and self.peek()[1] in {"<", "<=", ">", ">=", "=", "<>"}:
            op = self.take()[1]
            node = Node(op, (node, self.additive()))
        return node

    def additive(self) -> Node:
        node = self.term()
        while self.peek() in (("sym", "+"), ("sym", "-")):
            op = self.take()[1]
            node = Node(op, (node, self.term()))
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek() in (("sym", "*"), ("sym", "/")):
            op = self.take()[1]
            node = Node(op, (node, self.unary()))
        return node

    def unary(self) -> Node:
        if self.peek() == ("sym", "-"):
            self.take()
            return Node("neg", (self.unary(),))
        if self.peek() == ("sym", "+"):
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> Node:
        node = self.primary()
        if self.peek() == ("sym", "^"):
            self.take()
            if self.peek() == ("sym", "-"):
                self.take()
                node = Node("^", (node, Node("neg", (self.primary(),))))
            else:
                node = Node("^", (node, self.primary()))
            if self.peek() == ("sym", "^"):
                raise EquationError(f"cannot parse {self.text!r}: parenthesise chained '^'")
        return node

    def primary(self) -> Node:
        kind, val = self.peek()
        if kind == "num":
            self.take()
            return Node("num", value=float(val))
        if kind == "sym" and val == "(":
            self.take()
            node = self.expr()
            self.take("sym", ")")
            return node
        if kind == "name":
            self.take()
            if self.peek() == ("sym", "("):
                self.take()
                args = [self.expr()]
                while self.peek() == ("sym", ","):
                    self.take()
                    args.append(self.expr())
                self.take("sym", ")")
                return Node("call", tuple(args), name=val)
            if val.upper() == "TIME":
                return Node("time")
            return Node("ref", name=val)
        raise EquationError(f"cannot parse {self.text!r}: unexpected {val or 'end'!r}")


def parse(text: str) -> Node:
    """Parse an expression of the table into a :class:`Node` tree."""
    return _Parser(text).parse()


_PREC = {
    "or": 1,
    "and": 2,
    "<": 3,
    "<=": 3,
    ">": 3,
    ">=": 3,
    "=": 3,
    "<>": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "neg": 6,
    "^": 7,
}


def unparse(node: Node) -> str:
    """Expression text of a tree (for messages and the reference)."""
    op, a = node.op, node.args
    if op == "num":
        return num(node.value)
    if op == "ref":
        return node.name
    if op == "time":
        return "TIME"
    if op == "call":
        return f"{node.name}({', '.join(unparse(x) for x in a)})"
    if op == "if":
        return f"IF {unparse(a[0])} THEN {unparse(a[1])} ELSE {unparse(a[2])}"
    if op == "not":
        return f"NOT {unparse(a[0])}"

    def wrap(child, right=False):
        text = unparse(child)
        cp = _PREC.get(child.op, 9)
        mine = _PREC[op]
        if cp < mine or (right and cp == mine) or child.op == "if":
            return f"({text})"
        return text

    if op == "neg":
        return f"-{wrap(a[0])}"
    sym = {"and": "AND", "or": "OR"}.get(op, op)
    return f"{wrap(a[0])} {sym} {wrap(a[1], right=True)}"


def references(node: Node) -> set[str]:
    """Names of the variables an expression refers to (graphical functions included)."""
    out: set[str] = set()
    if node.op == "ref":
        out.add(node.name)
    if node.op == "call" and node.name.upper() not in BUILTINS:
        out.add(node.name)
    for a in node.args:
        out |= references(a)
    return out


def dependencies(model: ModelTable, name: str) -> set[str]:
    """Variables the equation of ``name`` refers to (stocks: their initial value)."""
    v = model[name]
    if v.kind == "gf":
        return set()
    return references(parse(v.eqn))


# ---------------------------------------------------------------------------
# numeric formatting and lever schedules as expressions
# ---------------------------------------------------------------------------
def num(x: float) -> str:
    """A number as an expression literal, exact (shortest round-trip repr)."""
    x = float(x)
    if not math.isfinite(x):
        raise EquationError(f"cannot write non-finite number {x}")
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


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
) -> tuple[str, list[Variable]]:
    """XMILE expression of a lever path, and any graphical functions it needs.

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
# the table
# ---------------------------------------------------------------------------
def _odds(x: str) -> str:
    return f"({x} / (hundred_percent - {x}))"


def _from_odds(o: str) -> str:
    return f"hundred_percent * {o} / (1 + {o})"


def _cls(c: str) -> str:
    return c.replace("_plus", "+").replace("_", "-")


def _structure() -> list[Variable]:
    """Every equation of the model except parameter values, levers and tables."""
    V = Variable
    eqs: list[Variable] = []

    def aux(name, eqn, unit, sector, doc, kind="aux", **kw):
        eqs.append(V(name, kind, eqn, unit, doc, sector, **kw))

    # ---- structural constants -----------------------------------------------
    const = dict(kind="constant", status="structural")
    aux(
        "hundred_percent",
        "100",
        "%",
        "units",
        "100 % (a whole): forms odds x / (100 - x) of shares and turns fractions into percent",
        value=100.0,
        **const,
    )
    aux(
        "base_index",
        "100",
        "index",
        "units",
        "the index base (2012 = 100; coexistence index 100 = reference reached)",
        value=100.0,
        **const,
    )
    aux(
        "margin_floor",
        num(rd_policy.MARGIN_FLOOR),
        "1",
        "rd_policy",
        "floor of the SME margin: SMEs keep a minimal R&D budget even at zero margin "
        "(assumed; smesim.model.rd_policy.MARGIN_FLOOR)",
        value=rd_policy.MARGIN_FLOOR,
        **const,
    )
    aux(
        "max_scale_up_multiplier",
        num(firm_size.MAX_SCALE_UP_MULTIPLIER),
        "1",
        "firm_size",
        "cap on the scale-up multiplier (assumed capacity limit; keeps Euler steps positive)",
        value=firm_size.MAX_SCALE_UP_MULTIPLIER,
        **const,
    )
    aux(
        "rd_intensity_large_0",
        "1",
        "RDU/yr",
        "rd_policy",
        "large firms' 2012 private R&D per unit of value added: the normalisation that "
        "defines the R&D unit (RDU)",
        value=1.0,
        **const,
    )
    aux(
        "researcher_cost_large_0",
        "1",
        "RDU/yr/RU",
        "rd_policy",
        "R&D spend per large-firm researcher in 2012: the normalisation that defines the "
        "researcher unit (RU)",
        value=1.0,
        **const,
    )

    # ---- exogenous ------------------------------------------------------------
    aux(
        "population_65plus_share",
        "population_65plus_table(TIME)",
        "%",
        "human_natural",
        "share of population aged 65+ (exogenous table)",
    )
    aux(
        "population_65plus_share_0",
        "INIT(population_65plus_share)",
        "%",
        "human_natural",
        "65+ share in the start year",
    )

    # ---- 2012 derived constants (smesim.model.derivatives.initial_state) -------
    d = dict(kind="aux", status="derived")
    init_e = [f"init_employment_share_{c}" for c in SME_CLASSES]
    aux(
        "employment_share_sme_0",
        " + ".join(init_e),
        "%",
        "firm_size",
        "SME share of employment in the start year",
        **d,
    )
    aux(
        "employment_share_500_plus_0",
        "hundred_percent - employment_share_sme_0",
        "%",
        "firm_size",
        "500+ share of employment in the start year (shares sum to 100)",
        **d,
    )
    aux(
        "productivity_0",
        "init_productivity_ratio_sme",
        "%",
        "knowledge",
        "SME relative productivity in the start year",
        **d,
    )
    aux(
        "wage_ratio_sme_0",
        "("
        + " + ".join(f"init_employment_share_{c} * init_wage_ratio_{c}" for c in SME_CLASSES)
        + ") / employment_share_sme_0",
        "%",
        "wages",
        "all-SME wage ratio in the start year",
        **d,
    )
    nxt = dict(itertools.pairwise(SIZE_CLASSES))
    for c in SME_CLASSES:
        n = nxt[c]
        init_n = "employment_share_500_plus_0" if n == "500_plus" else f"init_employment_share_{n}"
        aux(
            f"shrink_rate_{n}",
            f"scale_up_rate_{c} * init_employment_share_{c} / {init_n}",
            "1/yr",
            "firm_size",
            f"share of {_cls(n)} employment moving down to {_cls(c)} each year: set so the "
            "start-year structure is a balance under start-year conditions",
            **d,
        )
    aux(
        "v_sme_0",
        "employment_share_sme_0 / hundred_percent * productivity_0 / hundred_percent",
        "1",
        "rd_policy",
        "SME value added in the start year (large-firm productivity = 1)",
        **d,
    )
    aux(
        "v_large_0",
        "employment_share_500_plus_0 / hundred_percent",
        "1",
        "rd_policy",
        "large-firm value added in the start year",
        **d,
    )
    aux(
        "margin_sme_0",
        "MAX(1 - labour_share_large * wage_ratio_sme_0 / productivity_0 "
        "- appropriation_rate_2012, margin_floor)",
        "1",
        "rd_policy",
        "SME operating margin in the start year",
        **d,
    )
    aux(
        "margin_large_0",
        "1 - labour_share_large + appropriation_rate_2012 * v_sme_0 / v_large_0",
        "1",
        "rd_policy",
        "large-firm operating margin in the start year",
        **d,
    )
    aux(
        "sme_support_rate_0",
        "(sme_share_of_subsidy * rd_subsidy_rate_0 * subsidy_additionality "
        "+ sme_share_of_tax_incentive * rd_tax_incentive_rate_0 * tax_additionality) "
        "/ hundred_percent",
        "1",
        "rd_policy",
        "government support reaching SMEs per unit of private business R&D, start year",
        **d,
    )
    aux(
        "large_support_rate_0",
        "((1 - sme_share_of_subsidy) * rd_subsidy_rate_0 "
        "* subsidy_additionality + (1 - sme_share_of_tax_incentive) * rd_tax_incentive_rate_0 "
        "* tax_additionality) / hundred_percent",
        "1",
        "rd_policy",
        "government support reaching large firms per unit of private business R&D, start year",
        **d,
    )
    aux(
        "private_rd_share_sme_0",
        "init_rd_share_sme / hundred_percent * (1 + sme_support_rate_0 "
        "+ large_support_rate_0) - sme_support_rate_0",
        "1",
        "rd_policy",
        "SME share of private business R&D that yields the observed total share (Table 6)",
        **d,
    )
    aux(
        "rd_intensity_sme_0",
        "private_rd_share_sme_0 / (1 - private_rd_share_sme_0) * v_large_0 "
        "/ v_sme_0 * rd_intensity_large_0",
        "RDU/yr",
        "rd_policy",
        "SMEs' 2012 private R&D per unit of value added, derived so the 2012 SME R&D share "
        "holds under the 2012 support settings",
        **d,
    )
    aux(
        "private_rd_sme_0",
        "rd_intensity_sme_0 * v_sme_0",
        "RDU/yr",
        "rd_policy",
        "SME private R&D in the start year",
        **d,
    )
    aux(
        "private_rd_large_0",
        "rd_intensity_large_0 * v_large_0",
        "RDU/yr",
        "rd_policy",
        "large-firm private R&D in the start year",
        **d,
    )
    aux(
        "rd_sme_0",
        "private_rd_sme_0 + sme_support_rate_0 * (private_rd_sme_0 + private_rd_large_0)",
        "RDU/yr",
        "rd_policy",
        "SME R&D in the start year",
        **d,
    )
    aux(
        "rd_large_0",
        "private_rd_large_0 + large_support_rate_0 * (private_rd_sme_0 + private_rd_large_0)",
        "RDU/yr",
        "rd_policy",
        "large-firm R&D in the start year",
        **d,
    )
    aux(
        "researcher_cost_sme_0",
        "init_rd_per_researcher_ratio_sme / hundred_percent * researcher_cost_large_0",
        "RDU/yr/RU",
        "rd_policy",
        "SME R&D spend per researcher in 2012, from Table 6's R&D-per-researcher ratio",
        **d,
    )
    aux(
        "knowledge_large_0",
        "rd_large_0 / knowledge_depreciation_rate",
        "RDU",
        "knowledge",
        "large-firm knowledge in 2012: the steady state of 2012 large-firm R&D",
        **d,
    )
    aux(
        "knowledge_sme_steady_0",
        "rd_sme_0 / (knowledge_depreciation_rate - knowledge_spillover_rate)",
        "RDU",
        "knowledge",
        "SME knowledge in steady state with 2012 R&D and 2012 spillover",
        **d,
    )
    aux(
        "spillover_scale",
        "(knowledge_sme_steady_0 / employment_share_sme_0) / "
        "(knowledge_large_0 / employment_share_500_plus_0)",
        "1",
        "knowledge",
        "knowledge ratio at which 2012 SME inflows are in steady state (kappa_s)",
        **d,
    )
    aux(
        "knowledge_ratio_0",
        "INIT(knowledge_ratio)",
        "1",
        "knowledge",
        "SME / large knowledge per worker in the start year",
        **d,
    )

    # ---- stocks ---------------------------------------------------------------
    stock_doc = {s.name: s for s in STOCKS}

    def stock(name, eqn, inflows=(), outflows=()):
        s = stock_doc[name]
        eqs.append(
            V(
                name,
                "stock",
                eqn,
                s.unit,
                s.doc,
                s.sector,
                inflows=tuple(inflows),
                outflows=tuple(outflows),
            )
        )

    # firm size: an aging chain; flows up (scale-up) and down (shrinkage) between neighbours
    for i, c in enumerate(SIZE_CLASSES):
        ins, outs = [], []
        if i > 0:
            ins.append(f"scale_up_{SIZE_CLASSES[i - 1]}")
            outs.append(f"shrink_{c}")
        if i < 4:
            outs.append(f"scale_up_{c}")
            ins.append(f"shrink_{SIZE_CLASSES[i + 1]}")
        init = "employment_share_500_plus_0" if c == "500_plus" else f"init_employment_share_{c}"
        stock(f"employment_share_{c}", init, ins, outs)
    for c in SME_CLASSES:
        stock(f"wage_ratio_{c}", f"init_wage_ratio_{c}", [f"wage_adjustment_{c}"])
    stock("productivity_ratio_sme", "productivity_0", ["productivity_change"])
    stock(
        "knowledge_sme",
        "init_knowledge_excess_sme * knowledge_sme_steady_0",
        ["rd_sme", "knowledge_spillover"],
        ["knowledge_depreciation_sme"],
    )
    stock("knowledge_large", "knowledge_large_0", ["rd_large"], ["knowledge_depreciation_large"])
    stock("researchers_sme", "rd_sme_0 / researcher_cost_sme_0", ["researcher_change_sme"])
    stock("researchers_large", "rd_large_0 / researcher_cost_large_0", ["researcher_change_large"])
    stock("export_share_sme", "init_export_share_sme", ["export_share_change"])
    stock("capital_region_grp_share", "init_capital_region_grp_share", ["grp_share_change"])
    stock(
        "capital_region_population_share",
        "init_capital_region_population_share",
        ["population_share_change"],
    )
    stock(
        "capital_region_startup_share",
        "init_capital_region_startup_share",
        ["startup_share_change"],
    )
    stock("sme_skills_index", "base_index", ["skills_change"])
    stock("environmental_intensity", "base_index", [], ["environmental_intensity_decline"])

    # ---- wages (loop 3) ---------------------------------------------------------
    aux(
        "employment_share_sme",
        " + ".join(f"employment_share_{c}" for c in SME_CLASSES),
        "%",
        "firm_size",
        "SME share of employment",
    )
    aux(
        "wage_ratio_sme",
        "("
        + " + ".join(f"employment_share_{c} * wage_ratio_{c}" for c in SME_CLASSES)
        + ") / employment_share_sme",
        "%",
        "wages",
        "all-SME wage ratio: employment-weighted mean of the four SME classes",
    )
    aux(
        "wage_drive",
        "wage_target_2012 * (productivity_ratio_sme / productivity_0) ^ "
        "wage_productivity_elasticity * EXP(fair_trade_wage_effect * (fair_trade_enforcement "
        "- fair_trade_enforcement_0))",
        "1",
        "wages",
        "odds multiplier of every class's wage target against its 2012 wage",
    )
    for c in SME_CLASSES:
        aux(
            f"wage_target_odds_{c}",
            f"{_odds(f'init_wage_ratio_{c}')} * wage_drive",
            "1",
            "wages",
            f"odds of the {_cls(c)} wage target before the ability-to-pay cap",
        )
        aux(
            f"wage_target_uncapped_{c}",
            _from_odds(f"wage_target_odds_{c}"),
            "%",
            "wages",
            f"wage ratio productivity and bargaining support for {_cls(c)} firms",
        )
    aux(
        "mean_wage_target",
        "("
        + " + ".join(f"employment_share_{c} * wage_target_uncapped_{c}" for c in SME_CLASSES)
        + ") / employment_share_sme",
        "%",
        "wages",
        "employment-weighted mean of the uncapped SME wage targets",
    )
    aux(
        "ability_to_pay",
        "productivity_ratio_sme * (1 - appropriation_rate - viable_sme_margin)"
        " / labour_share_large",
        "%",
        "wages",
        "highest all-SME wage ratio that leaves SMEs a viable margin",
    )
    aux(
        "ability_to_pay_factor",
        "MIN(1, ability_to_pay / mean_wage_target)",
        "1",
        "wages",
        "scaling of every wage target so the mean respects the ability to pay",
    )
    for c in SME_CLASSES:
        aux(
            f"wage_target_{c}",
            f"wage_target_uncapped_{c} * ability_to_pay_factor",
            "%",
            "wages",
            f"wage ratio the {_cls(c)} class moves toward",
        )
        aux(
            f"wage_adjustment_{c}",
            f"(wage_target_{c} - wage_ratio_{c}) / wage_adjustment_time",
            "%/yr",
            "wages",
            f"change of the {_cls(c)} wage ratio",
            kind="flow",
        )

    # ---- human & natural (loop 8) ------------------------------------------------
    aux(
        "skills_target",
        "base_index * EXP(training_skills_effect * (vocational_training - "
        "vocational_training_0) - ageing_skills_effect * (population_65plus_share - "
        "population_65plus_share_0))",
        "index",
        "human_natural",
        "SME skills index the workforce moves toward (training raises, ageing lowers)",
    )
    aux(
        "skills_change",
        "(skills_target - sme_skills_index) / skills_adjustment_time",
        "index/yr",
        "human_natural",
        "change of SME skills",
        kind="flow",
    )
    aux(
        "environmental_decline_rate",
        "environmental_intensity_trend + green_transition_effect "
        "* (green_transition - green_transition_0)",
        "1/yr",
        "human_natural",
        "fractional fall of environmental intensity per year",
    )
    aux(
        "environmental_intensity_decline",
        "environmental_intensity * environmental_decline_rate",
        "index/yr",
        "human_natural",
        "fall of environmental intensity",
        kind="flow",
    )

    # ---- R&D and policy (loops 1 and 5) --------------------------------------------
    aux(
        "v_sme",
        "employment_share_sme / hundred_percent * productivity_ratio_sme / hundred_percent",
        "1",
        "rd_policy",
        "SME value added (large-firm productivity = 1)",
    )
    aux(
        "v_large",
        "employment_share_500_plus / hundred_percent",
        "1",
        "rd_policy",
        "large-firm value added",
    )
    aux(
        "appropriation_rate",
        "appropriation_rate_2012 * (1 - fair_trade_appropriation_effect * "
        "fair_trade_enforcement) / (1 - fair_trade_appropriation_effect * "
        "fair_trade_enforcement_0)",
        "1",
        "rd_policy",
        "share of SME value added captured by large buyers (unfair subcontracting)",
    )
    aux(
        "margin_sme",
        "MAX(1 - labour_share_large * wage_ratio_sme / productivity_ratio_sme - "
        "appropriation_rate - green_cost_to_sme_margin * (green_transition - "
        "green_transition_0), margin_floor)",
        "1",
        "rd_policy",
        "SME operating margin on value added",
    )
    aux(
        "margin_large",
        "1 - labour_share_large + appropriation_rate * v_sme / v_large",
        "1",
        "rd_policy",
        "large-firm operating margin on value added",
    )
    aux(
        "knowledge_ratio",
        "(knowledge_sme / employment_share_sme) / (knowledge_large / employment_share_500_plus)",
        "1",
        "knowledge",
        "knowledge per worker, SMEs relative to large firms (kappa)",
    )
    aux(
        "private_rd_sme",
        "v_sme * rd_intensity_sme_0 * (margin_sme / margin_sme_0) ^ "
        "rd_margin_elasticity * (knowledge_ratio / knowledge_ratio_0) ^ "
        "absorptive_capacity_elasticity",
        "RDU/yr",
        "rd_policy",
        "SMEs' own R&D: follows their margin (loop 1) and absorptive capacity",
    )
    aux(
        "private_rd_large",
        "v_large * rd_intensity_large_0 * (margin_large / margin_large_0) ^ rd_margin_elasticity",
        "RDU/yr",
        "rd_policy",
        "large firms' own R&D",
    )
    aux(
        "sme_support_rate",
        "(sme_share_of_subsidy * rd_subsidy_rate * subsidy_additionality + "
        "sme_share_of_tax_incentive * rd_tax_incentive_rate * tax_additionality) / "
        "hundred_percent",
        "1",
        "rd_policy",
        "government support reaching SMEs per unit of private business R&D (loop 5)",
    )
    aux(
        "large_support_rate",
        "((1 - sme_share_of_subsidy) * rd_subsidy_rate * "
        "subsidy_additionality + (1 - sme_share_of_tax_incentive) * rd_tax_incentive_rate * "
        "tax_additionality) / hundred_percent",
        "1",
        "rd_policy",
        "government support reaching large firms per unit of private business R&D",
    )
    aux(
        "rd_sme",
        "private_rd_sme + sme_support_rate * (private_rd_sme + private_rd_large)",
        "RDU/yr",
        "rd_policy",
        "SME R&D: own plus additional R&D from support",
        kind="flow",
    )
    aux(
        "rd_large",
        "private_rd_large + large_support_rate * (private_rd_sme + private_rd_large)",
        "RDU/yr",
        "rd_policy",
        "large-firm R&D",
        kind="flow",
    )
    aux(
        "rd_share_sme",
        "hundred_percent * rd_sme / (rd_sme + rd_large)",
        "%",
        "rd_policy",
        "SME share of business R&D",
    )
    aux(
        "researcher_cost_sme",
        "researcher_cost_sme_0 * (margin_sme / margin_sme_0) ^ researcher_cost_margin_elasticity",
        "RDU/yr/RU",
        "rd_policy",
        "SMEs' desired R&D spend per researcher",
    )
    aux(
        "desired_researchers_sme",
        "rd_sme / researcher_cost_sme",
        "RU",
        "rd_policy",
        "researchers the SME R&D budget supports",
    )
    aux(
        "desired_researchers_large",
        "rd_large / researcher_cost_large_0",
        "RU",
        "rd_policy",
        "researchers the large-firm R&D budget supports",
    )
    aux(
        "researcher_change_sme",
        "(desired_researchers_sme - researchers_sme) / researcher_adjustment_time",
        "RU/yr",
        "rd_policy",
        "net hiring of SME researchers",
        kind="flow",
    )
    aux(
        "researcher_change_large",
        "(desired_researchers_large - researchers_large) / researcher_adjustment_time",
        "RU/yr",
        "rd_policy",
        "net hiring of large-firm researchers",
        kind="flow",
    )
    aux(
        "rd_per_researcher_ratio_sme",
        "hundred_percent * ((rd_sme / researchers_sme) / (rd_large / researchers_large))",
        "%",
        "rd_policy",
        "SME R&D per researcher, large firms = 100",
    )

    # ---- knowledge & productivity (loop 2) ----------------------------------------
    aux(
        "spillover_boost",
        "MAX(1 + diffusion_spillover_effect * (tech_diffusion - tech_diffusion_0), 0)",
        "1",
        "knowledge",
        "spillover rate relative to 2012 (technology diffusion lever)",
    )
    aux(
        "knowledge_spillover",
        "knowledge_spillover_rate * spillover_boost * spillover_scale * "
        "employment_share_sme / employment_share_500_plus * knowledge_large",
        "RDU/yr",
        "knowledge",
        "technology diffusion: knowledge SMEs absorb from large firms (supply "
        "chains, labour mobility, imitation)",
        kind="flow",
    )
    aux(
        "knowledge_depreciation_sme",
        "knowledge_depreciation_rate * knowledge_sme",
        "RDU/yr",
        "knowledge",
        "depreciation of SME knowledge",
        kind="flow",
    )
    aux(
        "knowledge_depreciation_large",
        "knowledge_depreciation_rate * knowledge_large",
        "RDU/yr",
        "knowledge",
        "depreciation of large-firm knowledge",
        kind="flow",
    )
    aux(
        "productivity_target_odds",
        _odds("productivity_target_2012") + " * (knowledge_ratio / "
        "knowledge_ratio_0) ^ knowledge_productivity_elasticity * EXP(tech_diffusion_effect * "
        "(tech_diffusion - tech_diffusion_0)) * (sme_skills_index / base_index) ^ "
        "skills_productivity_elasticity * (1 - appropriation_rate) / (1 - "
        "appropriation_rate_2012)",
        "1",
        "knowledge",
        "odds of the SME productivity target: knowledge, diffusion, skills, value kept",
    )
    aux(
        "productivity_target",
        _from_odds("productivity_target_odds"),
        "%",
        "knowledge",
        "SME relative productivity supported by current conditions",
    )
    aux(
        "productivity_change",
        "(productivity_target - productivity_ratio_sme) / productivity_adjustment_time",
        "%/yr",
        "knowledge",
        "change of SME relative productivity",
        kind="flow",
    )

    # ---- firm size (loop 4) ---------------------------------------------------------
    aux(
        "scale_up_multiplier",
        "MIN(EXP(scale_up_support_effect * (scale_up_support - "
        "scale_up_support_0)) * (productivity_ratio_sme / productivity_0) ^ "
        "scale_up_productivity_elasticity, max_scale_up_multiplier)",
        "1",
        "firm_size",
        "scale-up rates relative to 2012 (support and productivity)",
    )
    for c in SME_CLASSES:
        n = nxt[c]
        aux(
            f"scale_up_{c}",
            f"scale_up_rate_{c} * scale_up_multiplier * employment_share_{c}",
            "%/yr",
            "firm_size",
            f"employment moving from {_cls(c)} up to {_cls(n)}",
            kind="flow",
        )
        aux(
            f"shrink_{n}",
            f"shrink_rate_{n} * employment_share_{n}",
            "%/yr",
            "firm_size",
            f"employment moving from {_cls(n)} down to {_cls(c)} (shrinkage, exit)",
            kind="flow",
        )

    # ---- exports (loop 6) -----------------------------------------------------------
    aux(
        "export_target_odds",
        _odds("export_target_2012") + " * (productivity_ratio_sme / "
        "productivity_0) ^ export_productivity_elasticity * EXP(export_scale_up_effect * "
        "(scale_up_support - scale_up_support_0))",
        "1",
        "exports",
        "odds of the SME export share target",
    )
    aux(
        "export_target",
        _from_odds("export_target_odds"),
        "%",
        "exports",
        "SME export share supported by productivity and internationalisation",
    )
    aux(
        "export_share_change",
        "(export_target - export_share_sme) / export_adjustment_time",
        "%/yr",
        "exports",
        "change of the SME export share",
        kind="flow",
    )

    # ---- regions (loop 7) -----------------------------------------------------------
    aux(
        "dispersion_factor",
        "EXP(-dispersion_effect * (regional_dispersion - regional_dispersion_0))",
        "1",
        "regions",
        "odds multiplier of capital-region targets from regional dispersion",
    )
    aux(
        "pull_of_people",
        "("
        + _odds("capital_region_population_share")
        + " / "
        + _odds("init_capital_region_population_share")
        + ") ^ agglomeration_population_effect",
        "1",
        "regions",
        "agglomeration pull of capital-region population on its GRP share",
    )
    aux(
        "pull_of_output",
        "("
        + _odds("capital_region_grp_share")
        + " / "
        + _odds("init_capital_region_grp_share")
        + ") ^ agglomeration_grp_effect",
        "1",
        "regions",
        "agglomeration pull of capital-region GRP on people and startups",
    )
    for short, stock_name, ref, pull, tau in (
        (
            "grp",
            "capital_region_grp_share",
            "capital_region_grp_target_2012",
            "pull_of_people",
            "grp_adjustment_time",
        ),
        (
            "population",
            "capital_region_population_share",
            "capital_region_population_target_2012",
            "pull_of_output",
            "population_adjustment_time",
        ),
        (
            "startup",
            "capital_region_startup_share",
            "init_capital_region_startup_share",
            "pull_of_output",
            "startup_adjustment_time",
        ),
    ):
        aux(
            f"{short}_share_target",
            _from_odds(f"{_odds(ref)} * {pull} * dispersion_factor"),
            "%",
            "regions",
            f"capital-region {short} share the agglomeration pulls toward",
        )
        aux(
            f"{short}_share_change",
            f"({short}_share_target - {stock_name}) / {tau}",
            "%/yr",
            "regions",
            f"change of the capital-region {short} share",
            kind="flow",
        )

    # ---- coexistence indices (outputs) ----------------------------------------------
    aux(
        "coexistence_economic",
        "base_index / 3 * (MIN(1, wage_ratio_sme / reference_wage_ratio)"
        " + MIN(1, productivity_ratio_sme / reference_productivity_ratio) + MIN(1, rd_share_sme "
        "/ reference_rd_share))",
        "index",
        "coexistence",
        "fair economy: wages, productivity and R&D share against their references",
    )
    aux(
        "mean_capital_region_share",
        "(capital_region_grp_share + capital_region_population_share "
        "+ capital_region_startup_share) / 3",
        "%",
        "coexistence",
        "mean of the three capital-region shares",
    )
    aux(
        "coexistence_regional",
        "base_index * MIN(MAX((concentrated_capital_region_share - "
        "mean_capital_region_share) / (concentrated_capital_region_share - "
        "balanced_capital_region_share), 0), 1)",
        "index",
        "coexistence",
        "balanced development: 100 at the balanced share, 0 at the concentrated one",
    )
    aux(
        "coexistence_human",
        "base_index / 2 * (MIN(1, wage_ratio_1_4 / "
        "reference_small_firm_wage_ratio) + MIN(1, sme_skills_index / reference_skills_index))",
        "index",
        "coexistence",
        "equal opportunities: smallest-firm wages and SME skills",
    )
    aux(
        "coexistence_natural",
        "base_index * MIN(MAX((environmental_intensity_worst - "
        "environmental_intensity) / (environmental_intensity_worst - "
        "environmental_intensity_target), 0), 1)",
        "index",
        "coexistence",
        "sustainability: environmental intensity between its worst and target levels",
    )
    aux(
        "coexistence_overall",
        "(coexistence_economic + coexistence_regional + coexistence_human "
        "+ coexistence_natural) / 4",
        "index",
        "coexistence",
        "mean of the four coexistence indices",
    )
    return eqs


def build_table(
    scenario=None,
    params: ParameterSet | None = None,
    *,
    profile: str = "korea",
    dt: float | None = None,
    until: int | None = None,
) -> ModelTable:
    """The equation table of ``scenario`` (default baseline) with one parameter set.

    Parameters
    ----------
    scenario : Scenario, optional
    params : ParameterSet, optional
        One run; the profile's parameter set (calibrated if present) by default.
    profile : str
    dt, until : as for :func:`smesim.simulate`.
    """
    from smesim.inputs.profiles import get_profile
    from smesim.inputs.scenario import baseline_scenario
    from smesim.model.horizon import (
        DEFAULT_DT,
        DEFAULT_END_YEAR,
        MAX_END_YEAR,
        START_YEAR,
        time_grid,
    )

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
    try:
        grid, _ = time_grid(START_YEAR, stop, dt)
    except ValueError as exc:
        raise EquationError(f"dt: {exc}") from None

    variables: list[Variable] = []
    values = params.as_dict()
    for p in PARAMETERS:
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
                value=values[p.name],
            )
        )
    base0 = lever_paths({}, grid[:1], prof.baseline_levers)[0]
    for j, lv in enumerate(LEVERS):
        unit = _lever_unit(lv.id)
        variables.append(
            Variable(
                f"{lv.id}_0",
                "constant",
                num(base0[j]),
                unit,
                f"{lv.id} in the start year under the profile's baseline: the settings under "
                "which the start-year figures were observed",
                "levers",
                status="baseline lever",
                source=lv.source,
                value=float(base0[j]),
            )
        )
    base = {lv.id: lv.baseline for lv in LEVERS} | dict(prof.baseline_levers)
    for lv in LEVERS:
        expr, gfs = schedule_expression(
            base[lv.id], scenario.settings.get(lv.id, ()), grid, START_YEAR, dt, f"{lv.id}_table"
        )
        unit = _lever_unit(lv.id)
        for g in gfs:
            variables.append(
                Variable(
                    g.name,
                    "gf",
                    "",
                    unit,
                    f"time table of lever {lv.id} (scenario {scenario.name})",
                    "levers",
                    points=g.points,
                    x_unit="yr",
                )
            )
        setting = "; then ".join(s.describe() for s in scenario.settings.get(lv.id, ()))
        variables.append(
            Variable(
                lv.id,
                "lever",
                expr,
                unit,
                f"{lv.description} Scenario {scenario.name}: "
                f"{setting or 'baseline ' + num(base[lv.id])}.",
                "levers",
                status="lever",
                source=lv.source,
            )
        )
    exo = set(prof.exogenous_paths(grid[:1]))
    if exo != {"population_65plus_share"}:
        raise EquationError(
            f"the equation table mirrors one exogenous input, the model has "
            f"{sorted(exo)}: update smesim.export.equations"
        )
    table = prof.exogenous["population_65plus_share"]
    variables.append(
        Variable(
            "population_65plus_table",
            "gf",
            "",
            table.unit,
            f"share of population aged 65+ by year ({profile})",
            "human_natural",
            source=table.source,
            points=_padded(table.years, table.values, grid[0], grid[-1]),
            x_unit="yr",
        )
    )
    variables.extend(_structure())
    return ModelTable(
        tuple(variables), float(START_YEAR), float(stop), dt, scenario.name, profile, params.source
    )


def source_label(source: str) -> str:
    """A parameter-set source: ``smesim/data/...`` for a bundled file, else as given."""
    return display_path(source)


def _lever_unit(lever_id: str) -> str:
    unit = LEVER_BY_ID[lever_id].unit
    try:
        return LEVER_UNITS[unit]
    except KeyError:
        raise EquationError(
            f"lever {lever_id}: unit {unit!r} has no entry in smesim.export.equations.LEVER_UNITS"
        ) from None


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
    op, a = node.op, node.args
    if op == "num":
        return node.value
    if op == "ref":
        return env[node.name]
    if op == "time":
        return t
    if op == "neg":
        return -_eval(a[0], env, t, init, gfs)
    if op == "if":
        c = _eval(a[0], env, t, init, gfs)
        return _eval(a[1] if c else a[2], env, t, init, gfs)
    if op == "call":
        fname = node.name.upper()
        if fname == "INIT":
            return init[a[0].name] if a[0].op == "ref" else _eval(a[0], env, t, init, gfs)
        args = [_eval(x, env, t, init, gfs) for x in a]
        if fname == "EXP":
            return math.exp(args[0])
        if fname == "LN":
            return math.log(args[0])
        if fname == "MIN":
            return min(args)
        if fname == "MAX":
            return max(args)
        if fname == "STEP":
            return args[0] if t >= args[1] else 0.0
        if fname == "RAMP":
            return args[0] * (t - args[1]) if t >= args[1] else 0.0
        xs, ys = gfs[node.name]
        return float(np.interp(args[0], xs, ys))
    x = _eval(a[0], env, t, init, gfs)
    y = _eval(a[1], env, t, init, gfs)
    return {
        "+": lambda: x + y,
        "-": lambda: x - y,
        "*": lambda: x * y,
        "/": lambda: x / y,
        "^": lambda: x**y,
        "<": lambda: x < y,
        "<=": lambda: x <= y,
        ">": lambda: x > y,
        ">=": lambda: x >= y,
        "=": lambda: x == y,
        "<>": lambda: x != y,
        "and": lambda: bool(x) and bool(y),
        "or": lambda: bool(x) or bool(y),
    }[op]()


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
    "KINDS",
    "EquationError",
    "ModelTable",
    "Node",
    "Variable",
    "build_table",
    "dependencies",
    "evaluation_order",
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
