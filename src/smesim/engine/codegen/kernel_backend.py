"""The generated numba kernel: the model's time loop over blocks of runs (SIMD lanes).

How an equation becomes kernel code (:func:`kernel_source`):

1. *Lowering.*  Every time-varying equation is rewritten: a sub-expression
   that depends only on parameters and start-time values is *hoisted* (one
   per-run value computed once, before the time loop; a division by it
   becomes a product by its reciprocal); ``a ^ b`` becomes ``EXP(b * LN(a))``;
   in a product, the exponentials (and an auxiliary that is itself one
   exponential) are merged into one, their exponents added.  Logarithms and
   exponentials with the same argument are computed once (common
   sub-expressions).
2. *Stages.*  Each step runs a few loops over the lanes.  Loop 0 computes
   everything that needs no transcendental and the logarithms' arguments;
   then every logarithm of the step is taken in one vector loop
   (:func:`~smesim.engine.vecmath.log_in_place`); loop 1 computes the
   exponentials' arguments, then every exponential at once; and so on until
   the stocks' rates.  Each equation is computed in the loop where it is
   first needed; a value needed in a later loop, or by the yearly outputs,
   gets a row of the work array ``D``.
3. *Outputs.*  Equations only the reported outputs need are computed at whole
   years only, in ``_record``.

The work arrays of a block are flat float64 rows of :data:`LANES` values:
``A`` (per-run constants, then the levers at this step), ``Y`` (stocks) and
``D`` (rates, then kept values, then the logarithm and exponential rows).
Every row has a name in the generated file; no position is written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smesim.engine.codegen.common import HEADER, LANES, _py, _tuple, layout
from smesim.errors import EquationError
from smesim.model.lang import Node, evaluate, unparse
from smesim.model.spec import Model, direct_refs, init_args


def _n(v: float) -> Node:
    return Node("num", value=float(v))


_ARITHMETIC = ("num", "+", "-", "*", "/", "^", "neg")


def _numeric(node: Node) -> bool:
    """A tree of numbers and arithmetic only (folded to one number at generation time)."""
    return node.op in _ARITHMETIC and all(_numeric(a) for a in node.args)


@dataclass
class _Lowering:
    """State of the lowering of one model (see the module docstring)."""

    model: Model
    static: frozenset[str]
    consts: dict[str, float]
    hoists: dict[str, Node] = field(default_factory=dict)  # row name -> static expression
    hoist_keys: dict[str, str] = field(default_factory=dict)  # expression text -> row name
    logs: dict[str, Node] = field(default_factory=dict)  # key -> lowered argument
    exps: dict[str, Node] = field(default_factory=dict)
    lowered: dict[str, Node] = field(default_factory=dict)  # dynamic var -> lowered tree
    pure_exp: dict[str, Node] = field(default_factory=dict)  # var that is one exp -> exponent

    # ---- helpers -------------------------------------------------------------------
    def is_static(self, node: Node) -> bool:
        if node.op == "time":
            return False
        if node.op == "ref":
            return node.name in self.static
        if node.op == "call" and node.name.upper() == "INIT":
            return True
        return all(self.is_static(a) for a in node.args)

    def hoist(self, node: Node) -> Node:
        """A per-run row holding a static expression (shared by equal expressions)."""
        if node.op == "num":
            return node
        if node.op == "ref" and node.name in self.consts:
            return _n(self.consts[node.name])
        if node.op == "ref":
            return Node("kref", name=node.name)
        key = unparse(node)
        if key not in self.hoist_keys:
            name = self._hoist_name(node)
            self.hoist_keys[key] = name
            self.hoists[name] = node
        return Node("kref", name=self.hoist_keys[key])

    def _hoist_name(self, node: Node) -> str:
        if node.op == "/" and node.args[0].op == "num" and node.args[0].value == 1.0:
            inner = node.args[1]
            if inner.op == "ref":
                base = f"inv_{inner.name}"
                if base not in self.hoists and base not in self.model:
                    return base
        i = len(self.hoists)
        while f"hoisted_{i}" in self.hoists or f"hoisted_{i}" in self.model:
            i += 1
        return f"hoisted_{i}"

    def reciprocal(self, node: Node) -> Node:
        """``1 / node`` for a static ``node``, hoisted (a number is divided out at once)."""
        value = node.value if node.op == "num" else self.consts.get(node.name)
        if value is not None and node.op in ("num", "ref"):
            if value == 0:
                raise EquationError(f"division by {unparse(node)}, which is 0")
            return _n(1.0 / value)
        return self.hoist(Node("/", (_n(1.0), node)))

    # ---- lowering ----------------------------------------------------------------
    def lower(self, node: Node) -> Node:
        op, a = node.op, node.args
        if op not in ("num", "time") and _numeric(node):
            return _n(float(evaluate(node, {})))
        if op != "time" and self.is_static(node):
            return self.hoist(node)
        if op in ("*", "/"):
            return self.product(node)
        if op == "^":
            if a[1].op == "num" and float(a[1].value).is_integer():  # any sign of base
                return Node("^", (self.lower(a[0]), a[1]))
            return self.exp_of(Node("*", (self.lower(a[1]), self.log_of(self.lower(a[0])))))
        if op == "call":
            fn = node.name.upper()
            if fn == "EXP":
                return self.exp_of(self.lower(a[0]))
            if fn == "LN":
                return self.log_of(self.lower(a[0]))
            if fn in ("MIN", "MAX", "SQRT"):
                return Node("call", tuple(self.lower(x) for x in a), name=fn)
            raise EquationError(f"the kernel generator does not handle {fn}()")
        if op in ("ref", "num", "time"):
            return node
        return Node(op, tuple(self.lower(x) for x in a), node.value, node.name)

    def product(self, node: Node) -> Node:
        """A chain of ``*`` and ``/``: exponentials merged, static divisors inverted."""
        factors: list[tuple[Node, int]] = []

        def flatten(n: Node, sign: int) -> None:
            if n.op == "*" and not self.is_static(n):
                flatten(n.args[0], sign)
                flatten(n.args[1], sign)
            elif n.op == "/" and not self.is_static(n):
                flatten(n.args[0], sign)
                flatten(n.args[1], -sign)
            else:
                factors.append((n, sign))

        flatten(node, 1)
        terms: list[Node | None] = []  # lowered factors in order; None marks the exponential
        exponent: Node | None = None
        for f, sign in factors:
            if self.is_static(f) and sign < 0:
                terms.append(self.reciprocal(f))
                continue
            low = self.lower(f)
            expo = None
            if low.op == "exp":
                expo = self.exps[low.name]
            elif low.op == "ref" and low.name in self.pure_exp:
                expo = self.pure_exp[low.name]
            if expo is not None:
                term = expo if sign > 0 else Node("neg", (expo,))
                if exponent is None:
                    exponent = term
                    terms.append(None)
                else:
                    exponent = Node("+", (exponent, term))
                continue
            terms.append(low if sign > 0 else Node("inv", (low,)))
        out: Node | None = None
        for t in terms:
            t = self.exp_of(exponent) if t is None else t
            if out is None:
                out = Node("/", (_n(1.0), t.args[0])) if t.op == "inv" else t
            elif t.op == "inv":
                out = Node("/", (out, t.args[0]))
            else:
                out = Node("*", (out, t))
        return out

    def log_of(self, arg: Node) -> Node:
        if arg.op == "exp":  # log(exp(x)) = x: a power of an exponential costs one exp
            return self.exps[arg.name]
        key = unparse_low(arg)
        self.logs.setdefault(key, arg)
        return Node("log", name=key)

    def exp_of(self, arg: Node) -> Node:
        key = unparse_low(arg)
        self.exps.setdefault(key, arg)
        return Node("exp", name=key)


def unparse_low(node: Node) -> str:
    """Text of a lowered tree (keys of shared logarithms and exponentials)."""
    op, a = node.op, node.args
    if op == "kref":
        return f"K[{node.name}]"
    if op in ("log", "exp"):
        return f"{op}<{node.name}>"
    if op == "inv":
        return f"1/({unparse_low(a[0])})"
    if op == "num":
        return repr(node.value)
    if op in ("ref", "time"):
        return node.name or "TIME"
    if op == "call":
        return f"{node.name}({', '.join(unparse_low(x) for x in a)})"
    if op in ("neg", "not"):
        return f"{op}({unparse_low(a[0])})"
    if op == "if":
        return f"IF({', '.join(unparse_low(x) for x in a)})"
    return f"({unparse_low(a[0])} {op} {unparse_low(a[1])})"


def _refs_low(node: Node) -> tuple[set[str], set[str], set[str]]:
    """(dynamic names, log keys, exp keys) a lowered tree reads."""
    names, logs, exps = set(), set(), set()
    if node.op == "ref":
        names.add(node.name)
    elif node.op == "log":
        logs.add(node.name)
    elif node.op == "exp":
        exps.add(node.name)
    for x in node.args:
        a, b, c = _refs_low(x)
        names |= a
        logs |= b
        exps |= c
    return names, logs, exps


def kernel_source(model: Model) -> str:
    """Source of the generated numba kernel of ``model``."""
    lay = layout(model)
    consts = {e.name: float(e.value) for e in model.equations if e.kind == "constant"}
    static = frozenset(model.static)
    low = _Lowering(model, static, consts)
    dyn = list(model.dynamic_order)
    for name in dyn:
        e = model.by_name[name]
        if name not in model.rate_needed:  # outputs only: computed in _record, plainly
            low.lowered[name] = _lower_plain(low, e.tree)
            continue
        tree = low.lower(e.tree)
        low.lowered[name] = tree
        if tree.op == "exp":
            low.pure_exp[name] = low.exps[tree.name]
    # keep only the logarithms and exponentials the final trees read (lowering a factor
    # before merging it into a product's exponential registers one that is never used)
    # live values: what the stocks' rates and the outputs read after lowering (an
    # auxiliary that is one exponential may have been merged into all its readers)
    live: set[str] = set()
    seeds = [f for s in model.stocks for f in (*s.inflows, *s.outflows)]
    seeds += [o for o in model.outputs if o in low.lowered]
    seen_batch: set[str] = set()

    def reads(tree: Node) -> set[str]:
        names, lg, ex = _refs_low(tree)
        for key, arg in [*((k, low.logs[k]) for k in lg), *((k, low.exps[k]) for k in ex)]:
            if key not in seen_batch:
                seen_batch.add(key)
                names |= reads(arg)
        return names

    while seeds:
        n = seeds.pop()
        if n in live or n not in low.lowered:
            continue
        live.add(n)
        seen_batch.clear()
        seeds.extend(reads(low.lowered[n]))
    used_logs: set[str] = set()
    used_exps: set[str] = set()
    todo = [low.lowered[n] for n in dyn if n in model.rate_needed and n in live]
    while todo:
        _, lg, ex = _refs_low(todo.pop())
        for k in lg - used_logs:
            used_logs.add(k)
            todo.append(low.logs[k])
        for k in ex - used_exps:
            used_exps.add(k)
            todo.append(low.exps[k])
    low.logs = {k: v for k, v in low.logs.items() if k in used_logs}
    low.exps = {k: v for k, v in low.exps.items() if k in used_exps}
    stocks = set(model.stock_names)
    levers = set(model.lever_ids)
    exo = set(model.exo_names)

    # ---- ready stages: values at stage s are computed in lane loop s ------------------
    ready: dict[str, int] = {}
    log_stage: dict[str, int] = {}  # loop after which the log batch runs
    exp_stage: dict[str, int] = {}

    def ready_of(tree: Node) -> int:
        names, logs, exps = _refs_low(tree)
        r = 0
        for n in names:
            if n in ready:
                r = max(r, ready[n])
        for k in logs:
            r = max(r, log_ready(k))
        for k in exps:
            r = max(r, exp_ready(k))
        return r

    def log_ready(key: str) -> int:
        if key not in log_stage:
            s = ready_of(low.logs[key])
            log_stage[key] = s if s % 2 == 0 else s + 1
        return log_stage[key] + 1

    def exp_ready(key: str) -> int:
        if key not in exp_stage:
            s = ready_of(low.exps[key])
            exp_stage[key] = s if s % 2 == 1 else s + 1
        return exp_stage[key] + 1

    rate_needed = [n for n in dyn if n in model.rate_needed and n in live]
    for name in rate_needed:
        ready[name] = ready_of(low.lowered[name])
    final = max([ready[n] for n in rate_needed] + [0])
    for k in list(low.logs):
        log_ready(k)
    for k in list(low.exps):
        exp_ready(k)
    final = max([final] + [s + 1 for s in log_stage.values()] + [s + 1 for s in exp_stage.values()])

    # ---- where each rate-needed value is computed, and which are kept in D ----------
    consumers: dict[str, list[int]] = {n: [] for n in dyn}
    batch_args = {**{("log", k): log_stage[k] for k in low.logs}}
    batch_args.update({("exp", k): exp_stage[k] for k in low.exps})
    for (kind, key), stage in batch_args.items():
        tree = low.logs[key] if kind == "log" else low.exps[key]
        for n in _refs_low(tree)[0]:
            if n in consumers:
                consumers[n].append(stage)
    compute: dict[str, int] = {}
    for s in model.stocks:
        for f in (*s.inflows, *s.outflows):
            consumers[f].append(final)
    record_only = [n for n in dyn if n not in model.rate_needed and n in live]
    for n in record_only:
        for m in _refs_low(low.lowered[n])[0]:
            if m in consumers:
                consumers[m].append(final + 1)
    for o in model.outputs:
        if o in consumers:
            consumers[o].append(final + 1)
    for name in reversed(rate_needed):
        stages = consumers[name]
        compute[name] = min(stages) if stages else final
        compute[name] = max(compute[name], ready[name])
        for m in _refs_low(low.lowered[name])[0]:
            if m in consumers:
                consumers[m].append(compute[name])
    kept = [n for n in rate_needed if any(s > compute[n] for s in consumers[n])]

    # ---- row layouts ----------------------------------------------------------------
    k_names = [p for p in lay.params] + list(lay.static)
    used_k: set[str] = set()

    def collect_k(tree: Node) -> None:
        if tree.op == "kref":
            used_k.add(tree.name)
        for x in tree.args:
            collect_k(x)

    for tree in (
        *(low.lowered[n] for n in (*rate_needed, *record_only)),
        *low.logs.values(),
        *low.exps.values(),
    ):
        collect_k(tree)
    k_rows = [n for n in k_names if n in used_k] + [h for h in low.hoists if h in used_k]
    log_keys = sorted(low.logs, key=lambda k: (log_stage[k], list(low.logs).index(k)))
    exp_keys = sorted(low.exps, key=lambda k: (exp_stage[k], list(low.exps).index(k)))
    row_of_log = {k: f"LOG_{i}" for i, k in enumerate(log_keys)}
    row_of_exp = {k: f"EXP_{i}" for i, k in enumerate(exp_keys)}

    out: list[str] = [
        HEADER.format(title=f"Compiled kernel of the {model.name} model.", model=model.name)
    ]
    out.append(
        "import math\n\nimport numpy as np\n\n"
        "from smesim.engine.vecmath import exp_in_place, log_in_place\n\n"
        "try:  # numba is optional (extra ``smesim[fast]``)\n"
        "    import numba\n\n    HAVE_NUMBA = True\n"
        "except ImportError:  # pragma: no cover\n    numba = None\n    HAVE_NUMBA = False\n\n"
    )
    out.append(f"LANES = {LANES}\n")
    out.append(f"STOCKS = {_tuple(lay.stocks)}\n")
    out.append(f"LEVERS = {_tuple(lay.levers)}\n")
    out.append(f"EXOGENOUS = {_tuple(lay.exogenous)}\n")
    out.append(f"OUTPUTS = {_tuple(lay.outputs)}\n")
    out.append(
        "#: Per-run constant rows of ``A``: parameters, start-time values, hoisted terms.\n"
        f"K_ROWS = {_tuple(k_rows)}\n"
    )
    out.append(
        "\n# ---- rows of the work arrays (row index; lane j of row r is r * LANES + j) ----\n"
    )
    for i, s in enumerate(lay.stocks):
        out.append(f"S_{s} = {i}\n")
    for i, k in enumerate(k_rows):
        out.append(f"K_{k} = {i}\n")
    for i, u in enumerate(lay.levers):
        out.append(f"U_{u} = {len(k_rows) + i}\n")
    out.append(f"A_ROWS = {len(k_rows) + len(lay.levers)}\n")
    out.append(f"R_U = {len(k_rows)}\n")
    r = len(lay.stocks)
    for n in kept:
        out.append(f"X_{n} = {r}\n")
        r += 1
    for k in log_keys:
        out.append(f"{row_of_log[k]} = {r}  # log of {unparse_low(low.logs[k])}\n")
        r += 1
    for k in exp_keys:
        out.append(f"{row_of_exp[k]} = {r}  # exp of {unparse_low(low.exps[k])}\n")
        r += 1
    out.append(f"D_ROWS = {r}\n")

    # ---- per-run constants (NumPy, before the time loop) --------------------------------
    out.append(
        "\n\ndef per_run(P, C):\n"
        '    """The per-run constant rows (runs, K_ROWS): parameters ``P`` (runs, params),\n'
        '    start-time values ``C`` (runs, static) and the hoisted terms."""\n'
        "    n = P.shape[0]\n"
    )
    hoist_refs: set[str] = set()
    for h in k_rows:
        if h in low.hoists:
            hoist_refs |= direct_refs(low.hoists[h])
            # INIT(x) in a hoisted term reads the start-time slot of x (a column of C)
            hoist_refs |= {lay.init_refs[x] for x in init_args(low.hoists[h])}
    for j, p in enumerate(lay.params):
        if p in hoist_refs or p in used_k:
            out.append(f"    {p} = P[:, {j}]\n")
    for j, s in enumerate(lay.static):
        if s in hoist_refs or s in used_k:
            out.append(f"    {s} = C[:, {j}]\n")
    for cname, cval in consts.items():
        if cname in hoist_refs:
            out.append(f"    {cname} = {cval!r}\n")
    out.append(f"    K = np.empty((n, {len(k_rows)}))\n")
    for i, k in enumerate(k_rows):
        expr = _py(low.hoists[k], lay.init_refs) if k in low.hoists else k
        out.append(f"    K[:, {i}] = {expr}\n")
    out.append("    return K\n")

    # ---- expression emission in a lane loop --------------------------------------------
    def emit(tree: Node, local: set[str], loads: dict[str, str]) -> str:
        op, a = tree.op, tree.args
        if op == "num":
            return repr(float(tree.value))
        if op == "kref":
            loads.setdefault(f"k__{tree.name}", f"_g(A, K_{tree.name}, j)")
            return f"k__{tree.name}"
        if op == "log":
            loads.setdefault(f"ln__{row_of_log[tree.name]}", f"_g(D, {row_of_log[tree.name]}, j)")
            return f"ln__{row_of_log[tree.name]}"
        if op == "exp":
            loads.setdefault(f"ex__{row_of_exp[tree.name]}", f"_g(D, {row_of_exp[tree.name]}, j)")
            return f"ex__{row_of_exp[tree.name]}"
        if op == "time":
            return "t"
        if op == "ref":
            n = tree.name
            if n in local:
                return n
            if n in stocks:
                loads.setdefault(n, f"_g(Y, S_{n}, j)")
            elif n in levers:
                loads.setdefault(n, f"_g(A, U_{n}, j)")
            elif n in exo:
                loads.setdefault(n, f"Xk[{lay.exogenous.index(n)}]")
            elif n in kept:
                loads.setdefault(n, f"_g(D, X_{n}, j)")
            else:
                raise EquationError(f"kernel: {n} is not available here")
            return n
        if op == "call":  # in _record (outputs only) EXP and LN are scalar calls
            fn = {
                "MIN": "min",
                "MAX": "max",
                "SQRT": "math.sqrt",
                "EXP": "math.exp",
                "LN": "math.log",
            }[tree.name]
            return f"{fn}({', '.join(emit(x, local, loads) for x in a)})"
        if op == "inv":
            return f"(1.0 / {emit(a[0], local, loads)})"
        if op == "neg":
            return f"(-{emit(a[0], local, loads)})"
        if op == "if":
            c, x, y = (emit(v, local, loads) for v in a)
            return f"({x} if {c} else {y})"
        if op == "not":
            return f"(not {emit(a[0], local, loads)})"
        if op == "^" and a[1].op == "num":  # roots a literal exponent allows, else pow
            base, e = emit(a[0], local, loads), float(a[1].value)
            if e == 0.5:
                return f"math.sqrt({base})"
            if e == 0.25:
                return f"math.sqrt(math.sqrt({base}))"
            if abs(e - 1 / 3) < 1e-15:
                return f"np.cbrt({base})"
        sym = {"=": "==", "<>": "!=", "^": "**"}.get(op, op)
        return f"({emit(a[0], local, loads)} {sym} {emit(a[1], local, loads)})"

    def loop(stage: int) -> list[str]:
        body: list[str] = []
        local: set[str] = set()
        loads: dict[str, str] = {}
        for name in rate_needed:
            if compute[name] != stage:
                continue
            expr = emit(low.lowered[name], local, loads)
            body.append(f"        {name} = {expr}\n")
            local.add(name)
            if name in kept:
                body.append(f"        _put(D, X_{name}, j, {name})\n")
        for k in log_keys:
            if log_stage[k] == stage:
                body.append(
                    f"        _put(D, {row_of_log[k]}, j, {emit(low.logs[k], local, loads)})\n"
                )
        for k in exp_keys:
            if exp_stage[k] == stage:
                body.append(
                    f"        _put(D, {row_of_exp[k]}, j, {emit(low.exps[k], local, loads)})\n"
                )
        if stage == final:
            for s in model.stocks:
                terms = Node("num", value=0.0)
                ins = [Node("ref", name=f) for f in s.inflows]
                outs = [Node("ref", name=f) for f in s.outflows]

                def chain(xs):
                    acc = xs[0]
                    for x in xs[1:]:
                        acc = Node("+", (acc, x))
                    return acc

                if ins and outs:
                    terms = Node("-", (chain(ins), chain(outs)))
                elif ins:
                    terms = chain(ins)
                elif outs:
                    terms = Node("neg", (chain(outs),))
                body.append(f"        _put(D, S_{s.name}, j, {emit(terms, local, loads)})\n")
        if not body:  # nothing to compute in this loop (e.g. EXP but no LN in the model)
            return []
        head = [f"        {k} = {v}\n" for k, v in loads.items()]
        return [f"    for j in range(LANES):  # loop {stage}\n", *head, *body]

    out.append(
        "\n\ndef _rates(A, Y, D, Xk, t):\n"
        '    """Rates of every stock of the block into the rows S_* of ``D`` (generated stages:\n'
        "    lane loops, with every logarithm, then every exponential, taken in one vector\n"
        '    loop)."""\n'
    )
    for stage in range(final + 1):
        out.extend(loop(stage))
        logs_here = [row_of_log[k] for k in log_keys if log_stage[k] == stage]
        exps_here = [row_of_exp[k] for k in exp_keys if exp_stage[k] == stage]
        if logs_here:
            out.append(
                f"    log_in_place(D, {logs_here[0]} * LANES, ({logs_here[-1]} + 1) * LANES)\n"
            )
        if exps_here:
            out.append(
                f"    exp_in_place(D, {exps_here[0]} * LANES, ({exps_here[-1]} + 1) * LANES)\n"
            )

    # ---- yearly outputs ------------------------------------------------------------
    out.append(
        "\n\ndef _record(A, Y, D, Xk, t, nv, r0, row, out, out_cols, cells):\n"
        '    """Outputs of the block\'s valid lanes at a whole year (state before the step).\n\n'
        '    ``out`` is (runs, years, outputs), or with ``cells`` (outputs, years, runs)."""\n'
        f"    o = np.empty({len(lay.outputs)})\n"
        "    for j in range(nv):\n"
    )
    local: set[str] = set()
    loads: dict[str, str] = {}
    body = []
    # rate-needed values no lane loop reads any more (their readers merged them into
    # their own exponentials) are read by the outputs only: computed here
    late = [n for n in rate_needed if compute[n] > final]
    for name in (*late, *record_only):
        body.append(f"        {name} = {emit(low.lowered[name], local, loads)}\n")
        local.add(name)
    for i, o in enumerate(lay.outputs):
        body.append(f"        o[{i}] = {emit(Node('ref', name=o), local, loads)}\n")
    out.extend([f"        {k} = {v}\n" for k, v in loads.items()])
    out.extend(body)
    out.append(
        "        if cells:\n"
        f"            for i in range({len(lay.outputs)}):\n"
        "                out[out_cols[i], row, r0 + j] = o[i]\n"
        "        else:\n"
        f"            for i in range({len(lay.outputs)}):\n"
        "                out[r0 + j, row, out_cols[i]] = o[i]\n"
    )
    out.append(_RUNTIME)
    return "".join(out)


def _lower_plain(low: _Lowering, tree: Node) -> Node:
    """Lowering for ``_record``: statics hoisted, but no batched transcendentals."""
    op, a = tree.op, tree.args
    if op not in ("num", "time") and _numeric(tree):
        return _n(float(evaluate(tree, {})))
    if op != "time" and low.is_static(tree):
        return low.hoist(tree)
    if op == "/" and low.is_static(a[1]):
        return Node("*", (_lower_plain(low, a[0]), low.reciprocal(a[1])))
    if op in ("ref", "num", "time"):
        return tree
    name = tree.name.upper() if op == "call" else tree.name
    return Node(op, tuple(_lower_plain(low, x) for x in a), tree.value, name)


_RUNTIME = '''

def _ix(i):
    """An index as unsigned: numba then skips the negative-index wrap-around,
    whose select hides the address from LLVM's vectoriser."""
    return np.uint64(i)


def _g(W, row, j):
    """Lane ``j`` of work row ``row`` (``row`` a constant: the offset folds)."""
    return W[_ix(row * LANES + j)]


def _put(W, row, j, v):
    W[_ix(row * LANES + j)] = v


def _levers_at(A, L, OV, OVM, ov_k0, k, r0, nv):
    """Lever values at grid step ``k`` into the lever rows of ``A``."""
    for li in range(len(LEVERS)):
        base = (R_U + li) * LANES
        if OVM[li] and k >= ov_k0:
            for j in range(LANES):
                A[base + j] = OV[r0 + min(j, nv - 1), li]
        elif L.shape[0] == 1:
            v = L[0, k, li]
            for j in range(LANES):
                A[base + j] = v
        else:
            for j in range(LANES):
                A[base + j] = L[r0 + min(j, nv - 1), k, li]


def _euler(Y, D, dt):
    """One Euler step of the block: y += dt * dy/dt (rows S_* of D match rows of Y)."""
    for q in range(len(STOCKS) * LANES):
        Y[_ix(q)] += dt * D[_ix(q)]


def _blocks(b0, b1, K, Y0, L, OV, OVM, ov_k0, X, t0, steps_per_year, out, out_cols, k_first,
            k_save, YS, cells):
    """Integrate blocks ``b0 .. b1 - 1`` (runs ``b*LANES ..`` each) from grid step
    ``k_first``; outputs into ``out``.  One thread's share (:mod:`smesim.engine.threads`).

    Time is the outer loop and the runs of a block the inner one, so each
    equation is evaluated for LANES runs at once (vector instructions).  A last,
    partial block repeats its last run in the spare lanes and discards them.
    """
    n = K.shape[0]
    nt = L.shape[1]
    dt = 1.0 / steps_per_year
    A = np.empty(A_ROWS * LANES)
    Y = np.empty(len(STOCKS) * LANES)
    D = np.empty(D_ROWS * LANES)
    for b in range(b0, b1):
        r0 = b * LANES
        nv = min(LANES, n - r0)
        for j in range(LANES):
            r = r0 + min(j, nv - 1)
            for i in range(len(STOCKS)):
                _put(Y, i, j, Y0[r, i])
            for i in range(len(K_ROWS)):
                _put(A, i, j, K[r, i])
        for k in range(k_first, nt):
            if k == k_save:
                for j in range(nv):
                    for i in range(len(STOCKS)):
                        YS[r0 + j, i] = Y[i * LANES + j]
            _levers_at(A, L, OV, OVM, ov_k0, k, r0, nv)
            Xk = X[k]
            t = t0 + k * dt
            _rates(A, Y, D, Xk, t)
            if k % steps_per_year == 0:
                _record(A, Y, D, Xk, t, nv, r0, k // steps_per_year, out, out_cols, cells)
            if k + 1 < nt:
                _euler(Y, D, dt)


if HAVE_NUMBA:
    # Plain njit functions throughout: LLVM inlines the small ones (numba's own
    # ``inline="always"`` adds reference counting around array arguments, which
    # stops LLVM from vectorising the loops over lanes).  The accessors get
    # explicit signatures, else numba compiles one specialisation per literal row.
    _opts = {"cache": True, "nogil": True, "error_model": "numpy", "fastmath": {"contract"}}
    _jit = numba.njit(**_opts)
    _w = numba.float64[::1]
    _i = numba.int64
    _ix = numba.njit(numba.uint64(_i), **_opts)(_ix)
    _g = numba.njit(numba.float64(_w, _i, _i), **_opts)(_g)
    _put = numba.njit(numba.void(_w, _i, _i, numba.float64), **_opts)(_put)
    _rates = _jit(_rates)
    _levers_at = _jit(_levers_at)
    _euler = _jit(_euler)
    _record = _jit(_record)
    blocks_kernel = _jit(_blocks)
else:  # pragma: no cover
    blocks_kernel = None
'''
