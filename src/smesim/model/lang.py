"""The model's expression language: a subset of XMILE 1.0 expressions.

Every equation of the model is written in it (see :mod:`smesim.model.spec`):
numbers, names, ``+ - * / ^``, parentheses, comparisons, ``AND``/``OR``/``NOT``,
``IF c THEN a ELSE b``, the builtins ``EXP``, ``LN``, ``SQRT``, ``MIN``, ``MAX``,
``INIT`` (a variable's value at the start time), ``STEP`` and ``RAMP`` (lever
schedules of the XMILE export only), ``TIME``, and calls of graphical
functions by name.  It is parsed once into :class:`Node` trees, from which
the code generator (:mod:`smesim.engine.codegen`), the XMILE export, the
units check and the model reference all work.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from smesim.errors import EquationError


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
BUILTINS = {"EXP": 1, "LN": 1, "SQRT": 1, "MIN": 2, "MAX": 2, "STEP": 2, "RAMP": 2, "INIT": 1}


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
        """``OR`` of ``AND`` terms: AND binds tighter, as in XMILE and Python."""
        node = self.conjunction()
        while self.peek() == ("kw", "OR"):
            self.take()
            node = Node("or", (node, self.conjunction()))
        return node

    def conjunction(self) -> Node:
        node = self.comparison()
        while self.peek() == ("kw", "AND"):
            self.take()
            node = Node("and", (node, self.comparison()))
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
        inner = unparse(a[0])
        return f"NOT {inner}" if a[0].op in ("ref", "num", "call", "time") else f"NOT ({inner})"

    def wrap(child, right=False):
        text = unparse(child)
        cp = _PREC.get(child.op, 9)
        mine = _PREC[op]
        if (
            cp < mine
            or (right and cp == mine)
            or child.op in ("if", "not")
            or (cp == mine == _PREC["="])  # no chained comparisons
        ):
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


def num(x: float) -> str:
    """A number as an expression literal, exact (shortest round-trip repr)."""
    x = float(x)
    if not math.isfinite(x):
        raise EquationError(f"cannot write non-finite number {x}")
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def evaluate(node: Node, env, *, time=None, init=None, calls=None) -> object:
    """Value of a tree with NumPy semantics, names looked up in ``env`` (a mapping).

    ``time`` is the value of ``TIME``, ``init`` maps names to their ``INIT``
    values and ``calls`` maps further function names (upper case, e.g. ``STEP``
    or a graphical function) to Python callables.  Works on scalars (an ``IF``
    then evaluates only the branch it takes) and on arrays of runs.  Used for
    the parameter rules, the equation table's own interpreter
    (:func:`smesim.export.equations.run_table`) and tests; the simulation
    itself runs generated code (:mod:`smesim.engine.codegen`).
    """

    def ev(n: Node):
        return evaluate(n, env, time=time, init=init, calls=calls)

    op, a = node.op, node.args
    if op == "num":
        return node.value
    if op == "ref":
        return env[node.name]
    if op == "time":
        if time is None:
            raise EquationError("cannot evaluate TIME here")
        return time
    if op == "neg":
        return -ev(a[0])
    if op == "not":
        return np.logical_not(ev(a[0]))
    if op == "if":
        c = ev(a[0])
        if np.ndim(c) == 0:
            return ev(a[1] if c else a[2])
        return np.where(c, ev(a[1]), ev(a[2]))
    if op == "call":
        fn = node.name.upper()
        if fn == "INIT" and init is not None and a[0].op == "ref":
            return init[a[0].name]
        funcs = {
            "EXP": np.exp,
            "LN": np.log,
            "SQRT": np.sqrt,
            "MIN": np.minimum,
            "MAX": np.maximum,
        }
        func = funcs.get(fn) or (calls or {}).get(fn)
        if func is None:
            raise EquationError(f"cannot evaluate {node.name}() here")
        return func(*(ev(x) for x in a))
    x, y = ev(a[0]), ev(a[1])
    return _BINARY[op](x, y)


_BINARY = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "^": np.power,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "=": np.equal,
    "<>": np.not_equal,
    "and": np.logical_and,
    "or": np.logical_or,
}
