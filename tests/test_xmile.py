"""XMILE export: the equation table against the generated NumPy path, the file's
structure, and PySD running the exported file against smesim's Euler run.

The equation table (smesim.export.equations) and the generated code come from the
same declaration; the table's own interpreter (run_table) and PySD check the
generator independently: every stock and every output column,
every year of the full horizon, for the baseline, ``coexistence_package`` and
a scenario using every schedule shape (step, pulse, table, chained ramps,
off-grid years).
"""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from smesim import load_scenario
from smesim.analysis.run import simulate_scenario as simulate
from smesim.cli import cli
from smesim.engine.generated import model_numpy
from smesim.errors import ExportError
from smesim.export.equations import (
    EquationError,
    Node,
    build_table,
    parameter_names_used,
    parse,
    references,
    run_table,
    start_values,
    unparse,
)
from smesim.export.xmile import XMILE_NS, export_xmile, parse_dt, to_xmile, xmile_unit
from smesim.inputs.profiles import get_profile
from smesim.model import MODEL
from smesim.model.horizon import START_YEAR, time_grid
from smesim.model.levers import LEVER_IDS, lever_paths
from smesim.model.outputs import ALL_COLUMNS
from smesim.model.params import NAMES

STOCK_NAMES = MODEL.stock_names

NS = {"x": XMILE_NS}

# The issue asks for 0.5 % relative.  The export and smesim run the same Euler
# scheme on the same grid, so they agree to ~1e-12; this much tighter bound
# catches any drift of an equation, not only a gross one.
RTOL, ATOL = 1e-6, 1e-9

ALL_SHAPES = """
name = "all_shapes"
description = "every schedule shape, chained on coexistence_package, off-grid years"
extends = "coexistence_package"
horizon = 2045
policy_start = 2014  # levers from 2014; the constant and the table hold the baseline before

[levers]
fair_trade_enforcement = 0.6  # a constant: from the policy start

[levers.rd_subsidy_rate]
type = "step"
year = 2033.27  # off-grid, nearer 2033.25: PySD's STEP would fire a step early
value = 20.0

[levers.rd_tax_incentive_rate]
type = "step"
year = 2020
value = 2.0

[levers.green_transition]
type = "pulse"
start = 2028.1
years = 3
value = 1.0

[levers.tech_diffusion]
type = "table"
years = [2015, 2025, 2035]
values = [0.3, 0.9, 0.5]

[levers.regional_dispersion]
type = "ramp"
start = 2030.05
years = 4
target = 0.1
"""


def reference_run(scenario, dt=1 / 16, profile="korea", until=None):
    """smesim's own run (the generated NumPy path, the reference): every output column."""
    result = simulate(scenario, until=until, dt=dt, profile=profile, backend="numpy")
    return {name: result.series(name)[0] for name in ALL_COLUMNS}


def assert_close(expected: dict, actual: dict, names, label: str):
    bad = []
    for name in names:
        e, a = np.asarray(expected[name]), np.asarray(actual[name])
        if e.shape != a.shape or not np.allclose(a, e, rtol=RTOL, atol=ATOL):
            if e.shape != a.shape:
                bad.append(f"{name}: shape {a.shape} vs {e.shape}")
                continue
            i = int(np.argmax(np.abs(a - e) / (np.abs(e) + ATOL)))
            bad.append(
                f"{name}: year index {i}: expected {e[i]:.10g}, got {a[i]:.10g}, "
                f"diff {a[i] - e[i]:.3g}"
            )
    assert not bad, f"{label}: {len(bad)} series differ\n" + "\n".join(bad)


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    path = tmp_path_factory.mktemp("sc") / "all_shapes.toml"
    path.write_text(ALL_SHAPES, encoding="utf-8")
    return {
        "baseline": load_scenario("baseline"),
        "coexistence_package": load_scenario("coexistence_package"),
        "all_shapes": load_scenario(path),
    }


# ---- the equation table against the NumPy model (no PySD needed) ---------------------
@pytest.mark.parametrize(
    "name,profile,dt",
    [
        ("baseline", "korea", 1 / 16),
        ("coexistence_package", "korea", 1 / 16),
        ("all_shapes", "korea", 1 / 16),
        ("all_shapes", "korea", 1 / 10),
        ("coexistence_package", "japan", 1 / 16),
    ],
)
def test_table_reproduces_model(scenarios, name, profile, dt):
    sc = scenarios[name]
    expected = reference_run(sc, profile=profile, dt=dt)
    got = run_table(build_table(sc, profile=profile, dt=dt))
    assert_close(expected, got, ALL_COLUMNS, f"{name}/{profile}")


def test_derived_constants_match_initial_state(scenarios):
    """The table's start-time equations give the generated code's start state and constants."""
    prof = get_profile("korea")
    P = prof.parameter_set().values
    t, _ = time_grid(START_YEAR, 2060, 1 / 16)
    L0 = lever_paths({}, t[:1], prof.baseline_levers)[:1]
    X0 = np.array([prof.exogenous_paths(t[:1])[x][0] for x in model_numpy.EXOGENOUS])
    y0, c = model_numpy.initialise(P, L0, X0)
    got = start_values(build_table(scenarios["coexistence_package"]))
    expected = {name: y0[0, i] for i, name in enumerate(model_numpy.STOCKS)}
    expected |= {name: c[0, i] for i, name in enumerate(model_numpy.STATIC)}
    assert len(expected) > 30
    # ``init__x``: the generated code's copy of INIT(x), the table's start value of x
    assert any(name.startswith("init__") for name in expected)
    for name, value in expected.items():
        table_name = name.removeprefix("init__")
        assert got[table_name] == pytest.approx(value, rel=1e-12), name


_names = st.sampled_from(["a", "b", "c"])


def _trees(depth=3):
    leaf = st.one_of(
        st.floats(0.5, 9.5).map(lambda x: Node("num", value=round(x, 3))),
        _names.map(lambda n: Node("ref", name=n)),
    )
    if depth == 0:
        return leaf
    sub = _trees(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(st.sampled_from(["+", "-", "*", "/"]), sub, sub).map(
            lambda x: Node(x[0], (x[1], x[2]))
        ),
        sub.map(lambda x: Node("neg", (x,))),
        st.tuples(sub, leaf).map(lambda x: Node("^", (Node("call", (x[0],), name="EXP"), x[1]))),
        st.tuples(sub, sub).map(lambda x: Node("call", x, name="MIN")),
        st.tuples(sub, sub, sub).map(lambda x: Node("if", (Node("<", (x[0], x[1])), x[1], x[2]))),
    )


@settings(max_examples=200, deadline=None)
@given(_trees())
def test_unparse_parse_round_trip(tree):
    assert parse(unparse(tree)) == tree


def test_table_covers_registry(scenarios):
    model = build_table(scenarios["baseline"])
    assert {v.name for v in model.of_kind("stock")} == set(STOCK_NAMES)
    assert {v.name for v in model.of_kind("lever")} == set(LEVER_IDS)
    assert {v.name for v in model.of_kind("parameter")} == set(NAMES)
    unused = set(NAMES) - parameter_names_used(model)
    assert not unused, f"parameters no equation uses: {sorted(unused)}"
    missing = [c for c in ALL_COLUMNS if c not in model]
    assert not missing, f"outputs without an equation: {missing}"


def test_schedule_expressions(scenarios):
    lev = build_table(scenarios["all_shapes"]).by_name
    # on-grid step from a constant: XMILE STEP; off-grid step after a ramp: IF TIME <
    assert lev["rd_tax_incentive_rate"].eqn.startswith("IF TIME < 2020 THEN")
    assert "IF TIME < 2033.27" in lev["rd_subsidy_rate"].eqn
    assert "TIME >= 2028.1 AND TIME < 2031.1" in lev["green_transition"].eqn
    # a table and a constant hold the baseline before the policy start (2014 here)
    assert lev["tech_diffusion"].eqn == "IF TIME < 2014 THEN 0.2 ELSE (tech_diffusion_table(TIME))"
    assert lev["fair_trade_enforcement"].eqn == "IF TIME < 2014 THEN 0.3 ELSE 0.6"
    # dt 1/10: thresholds at mid-step before the first grid point on or after the year
    tenth = build_table(scenarios["all_shapes"], dt=0.1).by_name
    assert tenth["rd_tax_incentive_rate"].eqn.startswith("IF TIME < 2019.95 THEN")
    assert "IF TIME < 2033.25" in tenth["rd_subsidy_rate"].eqn
    assert "RAMP(" in lev["regional_dispersion"].eqn
    step_only = build_table(scenarios["coexistence_package"]).by_name
    assert step_only["rd_subsidy_rate"].eqn == (
        "4.17 + RAMP((13.77 - 4.17) / 5, 2026) - RAMP((13.77 - 4.17) / 5, 2031)"
    )


@pytest.mark.parametrize(
    "text,message",
    [
        ("a +", "cannot parse"),
        ("(a + b", "expected \\)"),
        ("a ^ b ^ c", "chained"),
        ("a $ b", "cannot parse"),
    ],
)
def test_parse_errors(text, message):
    with pytest.raises(EquationError, match=message):
        parse(text)


def test_parse_references():
    node = parse("IF TIME < 2020 THEN MIN(a, b ^ 2) ELSE tab(TIME) + INIT(c)")
    assert references(node) == {"a", "b", "tab", "c"}


# ---- the XMILE file -------------------------------------------------------------------
def test_xmile_structure(scenarios):
    model = build_table(scenarios["all_shapes"], dt=1 / 8)
    root = ET.fromstring(to_xmile(model))
    assert root.tag == f"{{{XMILE_NS}}}xmile" and root.get("version") == "1.0"
    specs = root.find("x:sim_specs", NS)
    assert specs.get("method") == "Euler" and specs.get("time_units") == "yr"
    assert [specs.find(f"x:{k}", NS).text for k in ("start", "stop", "dt")] == [
        str(START_YEAR),
        "2045",
        "0.125",
    ]
    declared_units = {u.get("name") for u in root.findall("x:model_units/x:unit", NS)}
    variables = root.find("x:model/x:variables", NS)
    names = {el.get("name") for el in variables}
    assert names == {v.name for v in model.variables}
    builtins = {"EXP", "LN", "MIN", "MAX", "STEP", "RAMP", "INIT", "TIME"}
    for el in variables:
        doc, unit = el.find("x:doc", NS), el.find("x:units", NS)
        assert doc is not None and doc.text.strip(), el.get("name")
        assert set(re.findall(r"[A-Za-z]+", unit.text)) <= declared_units, unit.text
        tag = el.tag.split("}")[1]
        if tag == "gf":
            xs = el.find("x:xpts", NS).text.split(",")
            ys = el.find("x:ypts", NS).text.split(",")
            assert len(xs) == len(ys) >= 2
            assert float(xs[0]) <= START_YEAR and float(xs[-1]) >= 2045  # no extrapolation
            continue
        refs = references(parse(el.find("x:eqn", NS).text)) - builtins
        assert refs <= names, (el.get("name"), refs - names)
        if tag == "stock":
            flows = [f.text for f in el.findall("x:inflow", NS) + el.findall("x:outflow", NS)]
            assert flows and set(flows) <= names
        if tag in ("stock", "flow"):
            assert el.find("x:non_negative", NS).text == "false"
    assert len(variables.findall("x:stock", NS)) == len(STOCK_NAMES)
    # every exogenous input (65+ share, working-age population) is a time table in its unit
    gfs = {el.get("name"): el.find("x:units", NS).text for el in variables.findall("x:gf", NS)}
    exogenous = {x.name: x.unit for x in MODEL.exogenous}
    assert set(exogenous) == {"population_65plus_share", "working_age_population"}
    for name, unit in exogenous.items():
        assert gfs[f"{name}_table"] == xmile_unit(unit), name
        (aux,) = [el for el in variables if el.get("name") == name]
        assert aux.find("x:eqn", NS).text == f"{name}_table(TIME)"


def test_export_is_atomic_and_complete(tmp_path):
    out = export_xmile(tmp_path / "sub" / "m.xmile", "coexistence_package")
    assert out.read_text(encoding="utf-8").rstrip().endswith("</xmile>")
    assert [p.name for p in out.parent.iterdir()] == ["m.xmile"]


@pytest.mark.parametrize(
    "unit,expected",
    [
        ("1", "dmnl"),
        ("%", "percent"),
        ("1/pp", "1/percent"),
        ("%/yr", "percent/yr"),
        ("RDU/yr/RU", "RDU/yr/RU"),
        ("million", "million"),
    ],
)
def test_xmile_units(unit, expected):
    assert xmile_unit(unit) == expected


@pytest.mark.parametrize("text,expected", [("1/16", 0.0625), ("0.25", 0.25), ("1", 1.0)])
def test_parse_dt(text, expected):
    assert parse_dt(text) == expected


@pytest.mark.parametrize("text", ["0.3", "abc", "0", "-1/4", "2", "1/0"])
def test_parse_dt_rejects(text):
    with pytest.raises(ExportError, match="--dt"):
        parse_dt(text)


def test_cli_export(tmp_path):
    runner = CliRunner()
    out = tmp_path / "m.xmile"
    res = runner.invoke(
        cli, ["export", "xmile", "--scenario", "rd_support_uk", "--dt", "1/8", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert str(out) in res.output
    root = ET.parse(out).getroot()
    assert root.find("x:sim_specs/x:dt", NS).text == "0.125"
    bad = runner.invoke(cli, ["export", "xmile", "--dt", "0.3", "--out", str(out)])
    assert bad.exit_code == 2 and bad.output.count("\n") == 1 and "1/n" in bad.output
    missing = runner.invoke(cli, ["export", "xmile", "--scenario", "nope", "--out", str(out)])
    assert missing.exit_code == 2 and "scenario not found" in missing.output


# ---- PySD runs the exported file ---------------------------------------------------------
def _pysd():
    with warnings.catch_warnings():
        # pysd 3.14.3 imports chardet.universaldetector, deprecated since chardet 6
        warnings.filterwarnings(
            "ignore", message="chardet.universaldetector is deprecated", category=DeprecationWarning
        )
        return pytest.importorskip(
            "pysd",
            reason="PySD not installed (pip install 'smesim[xmile]'); CI installs it "
            "through the test extra",
        )


# pysd 3.14.3's output.py calls DataFrame.set_index(inplace=True), deprecated in pandas 3.1
@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.set_index:Warning")
@pytest.mark.parametrize(
    "name,dt",
    [
        ("baseline", 1 / 16),
        ("coexistence_package", 1 / 16),
        ("all_shapes", 1 / 16),
        # inexact float times: event thresholds at mid-step
        ("all_shapes", 1 / 10),
    ],
)
def test_pysd_runs_export(scenarios, tmp_path, name, dt):
    pysd = _pysd()
    sc = scenarios[name]
    path = export_xmile(tmp_path / f"{name}.xmile", sc.path, dt=dt)
    model = pysd.read_xmile(str(path))
    end = sc.horizon or 2060
    years = list(range(START_YEAR, end + 1))
    frame = model.run(return_timestamps=years, progress=False)
    frame.columns = [c.lower().replace(" ", "_") for c in frame.columns]
    assert list(frame.index) == years
    got = {c: frame[c].to_numpy() for c in frame.columns}
    assert_close(reference_run(sc, dt=dt), got, ALL_COLUMNS, f"PySD {name} dt {dt:g}")
    # stocks that are not outputs (knowledge, researchers): against the table's interpreter
    table = run_table(build_table(sc, dt=dt))
    assert_close(table, got, STOCK_NAMES, f"PySD {name} dt {dt:g} stocks")
