"""The generated NumPy backend: one vectorised expression per equation."""

from __future__ import annotations

from smesim.engine.codegen.common import HEADER, _py, _rate_expr, _Same, _tuple, layout
from smesim.model.spec import Model, direct_refs


def numpy_source(model: Model) -> str:
    """Source of the generated NumPy backend of ``model``."""
    lay = layout(model)
    out = [HEADER.format(title=f"NumPy backend of the {model.name} model.", model=model.name)]
    out.append("import math\n\nimport numpy as np\n\n")
    for label, names in (
        ("PARAMS", lay.params),
        ("LEVERS", lay.levers),
        ("EXOGENOUS", lay.exogenous),
        ("STOCKS", lay.stocks),
        ("STATIC", lay.static),
        ("OUTPUTS", lay.outputs),
    ):
        out.append(f"{label} = {_tuple(names)}\n")
    consts = [e for e in model.equations if e.kind == "constant"]
    out.append("\n# structural constants\n")
    for e in consts:
        out.append(f"{e.name} = {float(e.value)!r}  # {e.unit}: {e.doc}\n")

    # initialise
    out.append(
        "\n\ndef initialise(P, L0, X0):\n"
        '    """The start-time pass: initial stocks ``Y0`` (runs, stocks) and static values\n'
        "    ``C`` (runs, static), from parameters ``P`` (runs, params), the baseline's\n"
        '    start-year levers ``L0`` (1 or runs, levers) and exogenous inputs ``X0``."""\n'
        "    n = P.shape[0]\n"
    )
    for j, name in enumerate(lay.params):
        out.append(f"    {name} = P[:, {j}]\n")
    for j, name in enumerate(model.lever0_names):
        out.append(f"    {name} = L0[:, {j}]\n")
    for j, name in enumerate(lay.exogenous):
        out.append(f"    {name} = X0[{j}]\n")
    for name in model.init_order:
        e = model.by_name[name]
        if e.kind == "constant":
            continue
        out.append(f"    {name} = {_py(e.tree, _Same())}  # {e.unit}\n")
    for x, slot in lay.init_refs.items():
        out.append(f"    {slot} = {x}\n")
    out.append(f"    Y0 = np.empty((n, {len(lay.stocks)}))\n")
    for i, s in enumerate(lay.stocks):
        out.append(f"    Y0[:, {i}] = {s}\n")
    out.append(f"    C = np.empty((n, {len(lay.static)}))\n")
    for i, s in enumerate(lay.static):
        out.append(f"    C[:, {i}] = {s}\n")
    out.append("    return Y0, C\n")

    # evaluate
    out.append(
        "\n\ndef evaluate(Y, P, C, U, X, t, out=None):\n"
        '    """Time derivatives ``dY`` of the stocks ``Y`` (runs, stocks) at time ``t``, and,\n'
        "    with ``out`` (runs, outputs), the reported outputs written into it.  ``U`` holds\n"
        '    the levers (1 or runs, levers), ``X`` the exogenous inputs at ``t``."""\n'
    )
    used = set()
    for n in model.dynamic_order:
        used |= direct_refs(model.by_name[n].tree)
    used |= set(lay.outputs)
    for j, name in enumerate(lay.params):
        if name in used:
            out.append(f"    {name} = P[:, {j}]\n")
    for j, name in enumerate(lay.static):
        out.append(f"    {name} = C[:, {j}]\n")
    for j, name in enumerate(lay.levers):
        if name in used:
            out.append(f"    {name} = U[:, {j}]\n")
    for j, name in enumerate(lay.exogenous):
        if name in used:
            out.append(f"    {name} = X[{j}]\n")
    for i, name in enumerate(lay.stocks):
        out.append(f"    {name} = Y[:, {i}]\n")
    for name in model.dynamic_order:
        if name in model.rate_needed:
            e = model.by_name[name]
            out.append(f"    {name} = {_py(e.tree, lay.init_refs)}  # {e.unit}\n")
    out.append("    dY = np.empty_like(Y)\n")
    for i, s in enumerate(model.stocks):
        out.append(f"    dY[:, {i}] = {_rate_expr(model, s)}\n")
    out.append("    if out is not None:\n")
    for name in model.dynamic_order:
        if name not in model.rate_needed:
            e = model.by_name[name]
            out.append(f"        {name} = {_py(e.tree, lay.init_refs)}  # {e.unit}\n")
    for j, name in enumerate(lay.outputs):
        out.append(f"        out[:, {j}] = {name}\n")
    out.append("    return dY\n")
    return "".join(out)
