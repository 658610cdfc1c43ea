"""Export the model as an XMILE 1.0 file (OASIS system-dynamics interchange).

The file holds the whole model of :mod:`smesim.export.equations`: every stock with
its initial-value equation, inflows and outflows, every flow and auxiliary,
the parameters (with status and source in their documentation), the
scenario's lever schedules as ``STEP``/``RAMP``/``IF THEN ELSE`` expressions
or time tables, the exogenous tables as graphical functions, units and the
simulation specs (start, stop, dt, Euler).  Stella, Vensim (XMILE import) and
PySD read it; ``tests/test_xmile.py`` runs it with PySD and compares every
stock and output with smesim's own Euler run.

Every stock and flow carries ``<non_negative>false</non_negative>``: flows
are biflows and stocks are never clipped at zero, as in smesim's Euler
step, whatever a tool's default.

Units are written in XMILE notation: ``percent`` for ``%`` and percentage
points, ``dmnl`` for dimensionless, ``yr``, ``RDU``, ``RU``, ``index``, ``million``; each
custom unit is declared in ``<model_units>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

from smesim import __version__
from smesim.errors import ExportError
from smesim.export.equations import ModelTable, Variable, build_table, source_label
from smesim.io import atomic_write

XMILE_NS = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"

#: Custom units declared in the file, with their meaning.
MODEL_UNITS = {
    "percent": ("percent of a whole, or a percentage point", ("%", "pp")),
    "dmnl": ("dimensionless", ()),
    "yr": ("year", ("year", "years")),
    "RDU": (
        "R&D unit: value added of large firms per percentage point of employment in the "
        "start year (large-firm labour productivity = 1)",
        (),
    ),
    "RU": (
        "researcher unit: researchers scaled so that R&D spend per researcher (RDU/yr/RU) "
        "reads in million national currency (KRW for Korea) at start-year R&D prices",
        (),
    ),
    "index": ("index, start year = 100", ()),
    "million": ("million persons (the working-age population)", ()),
}


def xmile_unit(unit: str) -> str:
    """A unit of the table in XMILE notation (``%`` -> ``percent``, ``1`` -> ``dmnl``)."""
    if unit in ("", "1"):
        return "dmnl"
    return re.sub(r"%|\bpp\b", "percent", unit)


def parse_dt(text: str | float) -> float:
    """A time step from ``0.0625``, ``1/16`` ...: ``1/n`` of a year, ``n`` a power of two.

    The file states ``dt`` as a decimal number, and Stella, Vensim and PySD
    advance ``TIME`` by adding it.  Only for ``n`` a power of two is that number
    exactly ``1/n`` (``1/7`` is written ``0.14285714285714285``, whose reciprocal
    is not whole) and every reporting year exactly on the tools' time grid, as
    it is on smesim's (:func:`smesim.model.horizon.time_grid`; ``smesim run``
    steps 1/16).  Raises :class:`ExportError` otherwise.
    """
    try:
        frac = Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        raise ExportError(
            f"--dt: expected a time step such as 1/16 or 0.0625 (got {text!r})"
        ) from None
    if frac <= 0 or frac > 1 or frac.numerator != 1:
        raise ExportError(f"--dt: expected 1/n of a year, n a whole number (got {text})")
    if frac.denominator & (frac.denominator - 1):
        raise ExportError(
            f"--dt: expected 1/n of a year with n a power of two (1, 1/2, 1/4 ... 1/16, "
            f"1/32 ...), so that the step is exact and reporting years fall on every "
            f"tool's time grid (got {text})"
        )
    return float(frac)


def _doc(v: Variable) -> str:
    parts = [v.doc]
    if v.kind == "parameter":
        parts.append(f"Status: {v.status}. Source: {v.source}")
    elif v.status == "derived":
        parts.append("Derived start-year constant (computed once per run, before the time loop).")
    elif v.source and v.kind in ("lever", "constant", "gf"):
        parts.append(f"Source: {v.source}")
    return " ".join(p.strip() for p in parts if p)


def _fmt_points(xs) -> str:
    return ",".join(repr(float(x)) if float(x) != int(x) else str(int(x)) for x in xs)


def to_xmile(model: ModelTable) -> str:
    """The XMILE 1.0 document of ``model`` as text."""
    ET.register_namespace("", XMILE_NS)
    q = f"{{{XMILE_NS}}}"
    root = ET.Element(f"{q}xmile", {"version": "1.0"})
    header = ET.SubElement(root, f"{q}header")
    ET.SubElement(header, f"{q}vendor").text = "smesim"
    ET.SubElement(header, f"{q}product", {"version": __version__, "lang": "en"}).text = "smesim"
    title = f"{model.name} {model.scenario}" + (f" ({model.profile})" if model.profile else "")
    ET.SubElement(header, f"{q}name").text = title

    specs = ET.SubElement(root, f"{q}sim_specs", {"method": "Euler", "time_units": "yr"})
    ET.SubElement(specs, f"{q}start").text = _fmt_points([model.start])
    ET.SubElement(specs, f"{q}stop").text = _fmt_points([model.stop])
    ET.SubElement(specs, f"{q}dt").text = repr(model.dt)

    units = ET.SubElement(root, f"{q}model_units")
    for name, (meaning, aliases) in MODEL_UNITS.items():
        u = ET.SubElement(units, f"{q}unit", {"name": name})
        if name == "dmnl":
            ET.SubElement(u, f"{q}eqn").text = "1"
        for a in aliases:
            ET.SubElement(u, f"{q}alias").text = a
        u.append(ET.Comment(f" {meaning} "))
    # any other unit a model uses (a toy's ``people``): declared, without a definition
    known = set(MODEL_UNITS) | {a for _, aliases in MODEL_UNITS.values() for a in aliases}
    used = {w for v in model.variables for w in re.findall(r"[A-Za-z_]\w*", xmile_unit(v.unit))}
    for name in sorted(used - known):
        ET.SubElement(units, f"{q}unit", {"name": name})

    mdl = ET.SubElement(root, f"{q}model")
    mdl.append(
        ET.Comment(
            f" smesim {__version__}: scenario {model.scenario}, profile {model.profile}, "
            f"parameters {source_label(model.parameter_source)}. "
            "Generated by `smesim export xmile`; do not edit by hand. "
        )
    )
    variables = ET.SubElement(mdl, f"{q}variables")
    order = {"stock": 0, "flow": 1, "aux": 2, "lever": 3, "constant": 4, "parameter": 5, "gf": 6}
    for v in sorted(model.variables, key=lambda v: order[v.kind]):
        if v.kind == "gf":
            el = ET.SubElement(variables, f"{q}gf", {"name": v.name})
            xs, ys = v.points
            ET.SubElement(
                el, f"{q}yscale", {"min": repr(float(min(ys))), "max": repr(float(max(ys)))}
            )
            ET.SubElement(el, f"{q}xpts").text = _fmt_points(xs)
            ET.SubElement(el, f"{q}ypts").text = _fmt_points(ys)
        else:
            tag = {"stock": "stock", "flow": "flow"}.get(v.kind, "aux")
            el = ET.SubElement(variables, f"{q}{tag}", {"name": v.name})
            ET.SubElement(el, f"{q}eqn").text = v.eqn
            for f in v.inflows:
                ET.SubElement(el, f"{q}inflow").text = f
            for f in v.outflows:
                ET.SubElement(el, f"{q}outflow").text = f
            if v.kind in ("stock", "flow"):
                # explicit: every flow is a biflow and no stock is clipped at zero, as in
                # smesim, whatever a tool's own default
                ET.SubElement(el, f"{q}non_negative").text = "false"
        ET.SubElement(el, f"{q}units").text = xmile_unit(v.unit)
        ET.SubElement(el, f"{q}doc").text = _doc(v)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def export_xmile(
    out: Path,
    scenario: str | None = None,
    *,
    profile: str = "korea",
    dt: float | None = None,
    until: int | None = None,
    params_file: str | Path | None = None,
) -> Path:
    """Write the XMILE file of ``scenario`` (bundled name or path) to ``out``, atomically.

    The parameter set is the profile's (calibrated when present), as for
    ``smesim run``, or the file ``params_file`` in its place.
    """
    from smesim.inputs.profiles import get_profile
    from smesim.inputs.scenario import load_scenario

    sc = load_scenario(scenario if scenario is not None else "baseline")
    params = get_profile(profile).parameter_set(params_file)
    model = build_table(sc, params=params, profile=profile, dt=dt, until=until)
    return atomic_write(Path(out), to_xmile(model))


__all__ = [
    "MODEL_UNITS",
    "XMILE_NS",
    "ExportError",
    "export_xmile",
    "parse_dt",
    "to_xmile",
    "xmile_unit",
]
