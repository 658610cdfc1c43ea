"""Dimensional check of every equation of the model, with pint.

Every variable of the equation table (:mod:`smesim.export.equations`) declares a
unit.  The check evaluates each equation on pint quantities carrying the
declared units of what it refers to, and reports

* operands of ``+``, ``-``, ``MIN``, ``MAX``, comparisons and the branches
  of ``IF`` whose units differ;
* ``EXP``/``LN`` of a dimensioned argument, a dimensioned exponent, or a
  dimensioned base raised to a non-literal power;
* an equation whose result differs from its declared unit;
* a stock whose initial value is not in its unit, or whose inflow or outflow
  is not in the stock's unit per year (so each net rate is stock unit / yr);
* a flow attached to no stock, and a unit pint cannot read.

Custom units of a private registry (nothing global is touched): ``yr`` (the
time unit), ``%`` (percent of a whole; a percentage point ``pp`` is the same
unit), ``RDU`` (R&D units), ``RU`` (researcher units), ``index``
(start year = 100) and ``person``, each its own dimension, so a fraction
written where a percent is declared is caught.  ``million`` is a million
persons, the unit of the exogenous working-age population (a population
ratio is dimensionless; a population added to a share is an error).
Literal numbers are dimensionless in products and take the unit of the
other operand in sums and comparisons (the Stella / Vensim
convention: ``1 - a`` with ``a`` dimensionless, ``x > 0``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from smesim.errors import UnitsError
from smesim.export.equations import BUILTINS, ModelTable, Node, build_table, parse, unparse
from smesim.inputs.scenario import load_scenario

TIME_UNIT = "yr"
UNIT_DEFINITIONS = (
    "year = [time] = yr",
    "percent = [share] = % = pp",
    "RDU = [rd_spend]",
    "RU = [researchers]",
    "index = [index_level]",
    "person = [population]",
    "million = 1e6 * person",
)


@dataclass(frozen=True)
class UnitIssue:
    variable: str
    message: str

    def __str__(self) -> str:
        return f"{self.variable}: {self.message}"


@dataclass(frozen=True)
class UnitsReport:
    """Result of :func:`check_units`: what was checked and every inconsistency."""

    scenario: str
    profile: str
    equations: int
    stocks: int
    flows: int
    issues: tuple[UnitIssue, ...]

    @property
    def ok(self) -> bool:
        return not self.issues

    def text(self) -> str:
        head = (
            f"units check ({self.scenario}, {self.profile}): {self.equations} equations, "
            f"{self.stocks} stocks, {self.flows} flows: "
        )
        if self.ok:
            return head + ("consistent; every stock's net rate is in its unit per year")
        return (
            head
            + f"{len(self.issues)} inconsistencies\n"
            + "\n".join(f"  {i}" for i in self.issues)
        )


@lru_cache(maxsize=1)
def registry():
    """The private pint registry with the model's units."""
    try:
        import pint
    except ImportError:  # pragma: no cover - depends on the environment
        raise UnitsError("the units check needs pint: pip install 'smesim[units]'") from None
    ureg = pint.UnitRegistry(None)
    for line in UNIT_DEFINITIONS:
        ureg.define(line)
    return ureg


class _Mismatch(Exception):
    pass


@dataclass(frozen=True)
class _U:
    """A unit during evaluation; ``literal`` marks a bare number."""

    q: object
    literal: bool = False


def fmt(q) -> str:
    """A unit as text in the model's notation."""
    if q.dimensionless:
        return "1"
    return f"{q.units:~}".replace(" ", "").replace("year", "yr")


def _same(a: _U, b: _U) -> bool:
    return a.q.dimensionality == b.q.dimensionality


def _unify(op: str, a: _U, b: _U, node: Node) -> _U:
    if a.literal and not b.literal:
        return b
    if b.literal and not a.literal:
        return a
    if not _same(a, b):
        raise _Mismatch(f"{op} of {fmt(a.q)} and {fmt(b.q)} in '{unparse(node)}'")
    return a


class _Checker:
    def __init__(self, model: ModelTable, units: dict):
        self.model = model
        self.units = units
        self.one = registry().Quantity(1, "")
        self.time = registry().Quantity(1, TIME_UNIT)

    def unit(self, node: Node) -> _U:
        op, a = node.op, node.args
        if op == "num":
            return _U(self.one, literal=True)
        if op == "time":
            return _U(self.time)
        if op == "ref":
            if node.name not in self.units:
                raise _Mismatch(f"unknown variable {node.name!r}")
            if self.model[node.name].kind == "gf":
                raise _Mismatch(f"graphical function {node.name} used without an argument")
            return _U(self.units[node.name])
        if op == "neg":
            return self.unit(a[0])
        if op in ("+", "-"):
            return _unify(f"'{op}'", self.unit(a[0]), self.unit(a[1]), node)
        if op in ("*", "/"):
            x, y = self.unit(a[0]), self.unit(a[1])
            q = x.q * y.q if op == "*" else x.q / y.q
            return _U(q, literal=x.literal and y.literal)
        if op == "^":
            base, expo = self.unit(a[0]), self.unit(a[1])
            if not expo.q.dimensionless:
                raise _Mismatch(f"exponent in {fmt(expo.q)} in '{unparse(node)}'")
            if base.q.dimensionless:
                return _U(self.one, literal=base.literal)
            if a[1].op == "num":
                return _U(base.q ** a[1].value)
            raise _Mismatch(f"{fmt(base.q)} raised to a variable power in '{unparse(node)}'")
        if op in ("<", "<=", ">", ">=", "=", "<>"):
            _unify("comparison", self.unit(a[0]), self.unit(a[1]), node)
            return _U(self.one)
        if op in ("and", "or", "not"):
            for x in a:
                self.unit(x)
            return _U(self.one)
        if op == "if":
            self.unit(a[0])
            return _unify("IF branches", self.unit(a[1]), self.unit(a[2]), node)
        return self.call(node)

    def call(self, node: Node) -> _U:
        name, a = node.name, node.args
        fname = name.upper()
        if fname in BUILTINS and len(a) != BUILTINS[fname]:
            raise _Mismatch(f"{fname} takes {BUILTINS[fname]} arguments (got {len(a)})")
        if fname in ("EXP", "LN"):
            x = self.unit(a[0])
            if not x.q.dimensionless:
                raise _Mismatch(f"{fname} of {fmt(x.q)} in '{unparse(node)}'")
            return _U(self.one)
        if fname in ("MIN", "MAX"):
            return _unify(fname, self.unit(a[0]), self.unit(a[1]), node)
        if fname == "SQRT":
            return _U(self.unit(a[0]).q ** 0.5)
        if fname == "INIT":
            return self.unit(a[0])
        if fname in ("STEP", "RAMP"):
            height, start = self.unit(a[0]), self.unit(a[1])
            _unify(f"{fname} start time", start, _U(self.time), node)
            if fname == "STEP" or height.literal:  # a literal slope is in lever unit / yr
                return height
            return _U(height.q * self.time)
        if name not in self.model or self.model[name].kind != "gf":
            raise _Mismatch(f"unknown function {name!r}")
        if len(a) != 1:
            raise _Mismatch(f"graphical function {name} takes one argument")
        gf = self.model[name]
        _unify(f"argument of {name}", self.unit(a[0]), _U(registry().Quantity(1, gf.x_unit)), node)
        return _U(self.units[name])


def check_units(model: ModelTable | None = None) -> UnitsReport:
    """Check every equation of ``model`` (default: the baseline table) for units.

    Returns a :class:`UnitsReport`; inconsistencies are listed, not raised.
    """
    model = model if model is not None else build_table()
    ureg = registry()
    issues: list[UnitIssue] = []
    units = {}
    for v in model.variables:
        try:
            units[v.name] = ureg.Quantity(1, v.unit)
        except Exception as exc:  # pint raises several error types for bad strings
            issues.append(UnitIssue(v.name, f"unit {v.unit!r} cannot be read ({exc})"))
    checker = _Checker(model, units)
    n_eq = 0
    for v in model.variables:
        if v.kind == "gf" or v.name not in units:
            continue
        n_eq += 1
        try:
            got = checker.unit(parse(v.eqn))
        except _Mismatch as exc:
            issues.append(UnitIssue(v.name, str(exc)))
            continue
        what = "initial value" if v.kind == "stock" else "equation"
        if not got.literal and not _same(got, _U(units[v.name])):
            issues.append(
                UnitIssue(v.name, f"{what} gives {fmt(got.q)}, declared {fmt(units[v.name])}")
            )
    attached: set[str] = set()
    per_year = ureg.Quantity(1, TIME_UNIT)
    for s in model.of_kind("stock"):
        if s.name not in units:
            continue
        want = units[s.name] / per_year
        for f in (*s.inflows, *s.outflows):
            attached.add(f)
            if f not in model or model[f].kind != "flow":
                issues.append(UnitIssue(s.name, f"{f!r} is not a flow"))
            elif f in units and units[f].dimensionality != want.dimensionality:
                issues.append(
                    UnitIssue(
                        s.name,
                        f"flow {f} is in {fmt(units[f])}, the stock's "
                        f"net rate must be in {fmt(want)}",
                    )
                )
    for f in model.of_kind("flow"):
        if f.name not in attached:
            issues.append(UnitIssue(f.name, "flow attached to no stock"))
    return UnitsReport(
        model.scenario,
        model.profile,
        n_eq,
        len(model.of_kind("stock")),
        len(model.of_kind("flow")),
        tuple(issues),
    )


def check_model_units(scenario: str | None = None, *, profile: str = "korea") -> UnitsReport:
    """:func:`check_units` of a scenario (bundled name or path) and profile."""

    sc = load_scenario(scenario if scenario is not None else "baseline")
    return check_units(build_table(sc, profile=profile))


__all__ = [
    "UNIT_DEFINITIONS",
    "UnitIssue",
    "UnitsError",
    "UnitsReport",
    "check_model_units",
    "check_units",
    "registry",
]
