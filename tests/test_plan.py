"""The run plan and ``simulate(plan)``: the one way into the engine.

A plan is built from loaded objects; a plan of k scenarios gives what k
one-scenario plans give, bit for bit; the result keeps its plan; the engine
reads no file and imports nothing from :mod:`smesim.inputs`; no module
imports another's private set-up; analysis imports no report.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from smesim.engine.plan import RunPlan, build_plan
from smesim.engine.simulate import simulate
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import load_scenario
from smesim.model.horizon import START_YEAR
from smesim.model.levers import LEVER_IDS, LEVERS
from smesim.model.outputs import ALL_COLUMNS
from smesim.model.params import PARAMETERS, ParameterSet

SRC = Path(__file__).resolve().parent.parent / "src" / "smesim"
NAMES = ("baseline", "coexistence_package", "regional_dispersion", "rd_support_france")


@pytest.fixture(scope="module")
def scenarios():
    return [load_scenario(n) for n in NAMES]


def _runs(n: int, seed: int) -> ParameterSet:
    """``n`` runs around the Korea calibrated set (the draws of tests/reference)."""
    point = get_profile("korea").parameter_set()
    rng = np.random.default_rng(seed)
    vals = np.repeat(point.values, n, axis=0)
    cols = [j for j in range(vals.shape[1]) if rng.random() < 0.3]
    vals[:, cols] *= 1 + rng.uniform(-0.02, 0.02, size=(n, len(cols)))
    lo = np.array([p.lower for p in PARAMETERS])
    hi = np.array([p.upper for p in PARAMETERS])
    return ParameterSet(np.clip(vals, lo, hi), source="test draws")  # some sit on a bound


# ---- building ------------------------------------------------------------------------
def test_plan_is_built_from_loaded_objects(scenarios):
    prof = get_profile("japan")
    params = prof.parameter_set()
    plan = build_plan(scenarios, prof, params, until=2050, dt=1 / 8)
    assert isinstance(plan, RunPlan)
    assert plan.names == NAMES and plan.n_scenarios == 4
    assert plan.profile == "japan" and plan.params is params and plan.n_runs == 1
    assert plan.steps_per_year == 8 and plan.t[0] == START_YEAR and plan.t[-1] == 2050
    n_steps = (2050 - START_YEAR) * 8 + 1  # from the 2007 start, 8 steps a year
    assert plan.levers.shape == (4, n_steps, len(LEVER_IDS))
    assert list(plan.years) == list(range(START_YEAR, 2051))
    assert set(plan.exogenous) == {"population_65plus_share", "working_age_population"}
    for key, table in prof.exogenous.items():  # the profile's tables on the grid
        np.testing.assert_array_equal(plan.exogenous[key], table(plan.t))
    base = dict(zip(LEVER_IDS, plan.baseline_levers, strict=True))
    assert base["rd_subsidy_rate"] == 3.0 and base["rd_tax_incentive_rate"] == 6.0  # Japan's
    np.testing.assert_array_equal(
        plan.levers[0], np.broadcast_to(plan.baseline_levers, (n_steps, len(LEVER_IDS)))
    )
    assert plan.scenarios[1].content_hash == scenarios[1].content_hash
    assert plan.shared_step == (2026 - START_YEAR) * 8  # the first ramps start in 2026
    assert plan.overrides is None


def test_default_end_is_the_latest_horizon(scenarios):
    prof = get_profile("korea")
    assert build_plan(scenarios[0], prof, prof.parameter_set()).end == 2060


def test_bad_plans_are_refused(scenarios):
    prof = get_profile("korea")
    params = prof.parameter_set()
    with pytest.raises(ValueError, match=rf"until must be in \({START_YEAR}, 2100\]"):
        build_plan(scenarios[0], prof, params, until=START_YEAR)
    assert build_plan(scenarios[0], prof, params, until=START_YEAR + 1).end == START_YEAR + 1
    with pytest.raises(ValueError, match="unique"):
        build_plan([scenarios[0], scenarios[0]], prof, params)
    with pytest.raises(ValueError, match="dt must be 1/n"):
        build_plan(scenarios[0], prof, params, dt=0.3)
    with pytest.raises(ValueError, match="unknown lever"):
        build_plan(scenarios[0], prof, params, lever_overrides={"nope": np.ones(1)})
    plan = build_plan(scenarios[0], prof, params, lever_overrides={"green_transition": 1.0})
    with pytest.raises(ValueError, match="lever overrides hold 1 runs"):
        plan.with_params(_runs(3, 0))
    with pytest.raises(TypeError, match="ParameterSet"):
        plan.with_params(params.values)
    with pytest.raises(TypeError, match="RunPlan"):
        simulate(scenarios[0])
    with pytest.raises(TypeError, match="loaded scenarios"):
        build_plan("baseline", prof, params)


def test_with_params_and_with_overrides_replace_only_what_they_name(scenarios):
    prof = get_profile("korea")
    plan = build_plan(scenarios[:2], prof, prof.parameter_set(), until=2040)
    runs = _runs(3, 1)
    other = plan.with_params(runs)
    assert other.params is runs and plan.params is not runs
    assert other.levers is plan.levers and other.t.tolist() == plan.t.tolist()
    pop = "population_65plus_share"
    assert other.exogenous[pop] is plan.exogenous[pop]
    ov = other.with_overrides({"regional_dispersion": [0.1, 0.5, 0.9]}, from_year=2030.53)
    assert ov.overrides.levers == ("regional_dispersion",)
    assert ov.t[ov.overrides.first_step] == 2030.5625  # the first grid point at or after
    assert ov.with_overrides(None).overrides is None and other.overrides is None


# ---- running -------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_a_plan_of_k_scenarios_equals_k_single_runs(scenarios, backend):
    """Bit for bit: the shared years are integrated once, the rest per scenario."""
    prof = get_profile("korea")
    runs = _runs(5, 2)
    levers = {"tech_diffusion": np.linspace(0, 1, 5), "rd_subsidy_rate": np.linspace(2, 9, 5)}
    plan = build_plan(
        scenarios, prof, runs, until=2045, lever_overrides=levers, overrides_from=2031
    )
    res = simulate(plan, backend=backend)
    assert res.data.shape == (4, 5, 2045 - START_YEAR + 1, len(ALL_COLUMNS))
    assert np.isfinite(res.data).all()
    for i, sc in enumerate(scenarios):
        one = build_plan(sc, prof, runs, until=2045, lever_overrides=levers, overrides_from=2031)
        alone = simulate(one, backend=backend)
        np.testing.assert_array_equal(res.outputs(sc.name), alone.outputs(), err_msg=sc.name)
        np.testing.assert_array_equal(res.data[i], alone.data[0], err_msg=sc.name)


def test_the_result_keeps_its_plan(scenarios):
    prof = get_profile("korea")
    plan = build_plan(scenarios[:2], prof, prof.parameter_set(), until=2030)
    res = simulate(plan)
    assert res.plan is plan
    assert list(res.years) == list(plan.years) and res.names == plan.names
    assert res.meta["parameter_source"] == plan.params.source
    assert res.meta["profile"] == "korea" and res.meta["scenarios"] == list(NAMES[:2])


def test_result_accessors_name_the_scenario(scenarios):
    prof = get_profile("korea")
    plan = build_plan(scenarios[:2], prof, _runs(2, 3), until=2030)
    res = simulate(plan)
    cells = simulate(plan, layout="cells")
    assert cells.data.shape == (2, len(ALL_COLUMNS), 2030 - START_YEAR + 1, 2)
    j = ALL_COLUMNS.index("wage_ratio_sme")
    for key, i in (("coexistence_package", 1), (0, 0), (-1, 1)):
        want = res.data[i, :, :, j]
        np.testing.assert_array_equal(res.series("wage_ratio_sme", key), want)
        np.testing.assert_array_equal(cells.series("wage_ratio_sme", key), want)
        np.testing.assert_array_equal(res.at(2030, "wage_ratio_sme", key), want[:, -1])
        assert res.frame(1, scenario=key)["wage_ratio_sme"].tolist() == want[1].tolist()
    with pytest.raises(ValueError, match="holds 2 scenarios"):
        res.series("wage_ratio_sme")
    with pytest.raises(KeyError, match="nope"):
        res.frame(scenario="nope")
    with pytest.raises(ValueError, match="year 2031 not in"):
        res.at(2031, "wage_ratio_sme", 0)


def test_shared_years_left_unwritten_on_request(scenarios):
    prof = get_profile("korea")
    plan = build_plan(scenarios[:3], prof, _runs(4, 4), until=2040)
    full = simulate(plan, layout="cells")
    buf = np.full(full.data.shape, -7.0)
    part = simulate(plan, layout="cells", out=buf, copy_shared=False)
    assert part.data is buf
    rows = plan.shared_years
    assert rows == 2026 - START_YEAR
    assert (buf[1:, :, :rows] == -7.0).all()  # the baseline's years: not copied
    np.testing.assert_array_equal(buf[:1], full.data[:1])
    np.testing.assert_array_equal(buf[1:, :, rows:], full.data[1:, :, rows:])
    nan = simulate(plan, copy_shared=False)
    assert np.isnan(nan.data[1:, :, :rows]).all() and not np.isnan(nan.data[0]).any()
    with pytest.raises(ValueError, match="out must be"):
        simulate(plan, out=np.empty(full.data.shape))  # the cells shape, runs layout asked


# ---- the layout of the code ----------------------------------------------------------
def _imports(path: Path) -> list[tuple[ast.AST, str, list[str]]]:
    """(node, absolute module, imported names) of every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node, a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:
                base = pkg.rsplit(".", node.level - 1)[0] if node.level > 1 else pkg
                mod = f"{base}.{mod}" if mod else base
            out.append((node, mod, [a.name for a in node.names]))
    return out


def test_the_engine_reads_no_file_and_imports_nothing_from_inputs():
    bad = []
    for path in sorted((SRC / "engine").glob("*.py")):
        for _, mod, names in _imports(path):
            full = [mod, *(f"{mod}.{n}" for n in names)]
            if any(m == "smesim.inputs" or m.startswith("smesim.inputs.") for m in full):
                bad.append(f"{path.name}: imports {mod} {names}")
            if mod.split(".")[0] in ("tomllib", "tomli", "json", "pickle"):
                bad.append(f"{path.name}: imports {mod}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
                if name in ("open", "read_text", "read_bytes", "loadtxt", "genfromtxt"):
                    bad.append(f"{path.name}:{node.lineno}: calls {name}()")
    assert not bad, "\n".join(bad)


def test_no_module_imports_another_packages_private_names():
    """A ``_name`` is private to its package: sibling modules may share it (the
    generator's helpers), another package may not (``simulate._prepare`` was one)."""
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        own_pkg = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
        for node, mod, names in _imports(path):
            if not mod.startswith("smesim"):
                continue
            for n in names:
                if not n.startswith("_") or n.startswith("__"):
                    continue
                home = (
                    mod if (SRC.parent / mod.replace(".", "/")).is_dir() else mod.rpartition(".")[0]
                )
                if home != own_pkg:
                    bad.append(f"{path.relative_to(SRC)}:{node.lineno}: {mod}.{n}")
    assert not bad, "\n".join(bad)


OPTIONAL = ("SALib", "dask", "distributed", "numba")


def test_analysis_and_run_plan_import_at_module_level_and_never_report():
    files = [*sorted((SRC / "analysis").glob("*.py")), SRC / "engine" / "simulate.py"]
    files.append(SRC / "engine" / "plan.py")
    bad = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    mods = (
                        [a.name for a in node.names]
                        if isinstance(node, ast.Import)
                        else [node.module or ""]
                    )
                    if not all(m.split(".")[0] in OPTIONAL for m in mods):
                        bad.append(f"{path.name}:{node.lineno}: import inside {fn.name}()")
        if path.parent.name == "analysis":
            for _, mod, _names in _imports(path):
                if mod.startswith(("smesim.report", "smesim.cli", "smesim.export")):
                    bad.append(f"{path.name}: imports {mod}")
    assert not bad, "\n".join(bad)


def test_every_lever_has_a_column_in_the_plan():
    assert [lv.id for lv in LEVERS] == list(LEVER_IDS)
