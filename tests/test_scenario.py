"""Scenario files: parsing, inheritance, schedules and every error case."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from smesim.errors import ScenarioError, ScenarioNotFoundError
from smesim.inputs.bundled import data_dir
from smesim.inputs.scenario import baseline_scenario, bundled_names, load_scenario, scenarios_dir
from smesim.model.horizon import START_YEAR
from smesim.model.levers import LEVER_IDS, Schedule, lever_paths

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = data_dir() / "scenarios"

HEAD = 'name = "t"\ndescription = "test"\n'


def test_every_bundled_scenario_loads_and_documents_itself():
    names = bundled_names()
    assert {
        "baseline",
        "rd_support_france",
        "rd_support_uk",
        "rd_support_usa",
        "regional_dispersion",
        "coexistence_package",
    } <= set(names)
    for n in names:
        sc = load_scenario(n)
        assert sc.name == n
        assert len(sc.description) > 40


def test_france_reaches_table_7_values():
    sc = load_scenario("rd_support_france")
    t = np.arange(2012, 2061, dtype=float)
    paths = lever_paths(sc.settings, t)
    sub = paths[:, LEVER_IDS.index("rd_subsidy_rate")]
    tax = paths[:, LEVER_IDS.index("rd_tax_incentive_rate")]
    assert sub[0] == pytest.approx(4.17) and tax[0] == pytest.approx(4.18)
    assert sub[-1] == pytest.approx(19.86) and tax[-1] == pytest.approx(8.85)


def test_schedules_shapes():
    t = np.array([2010.0, 2020.0, 2025.0, 2030.0, 2040.0])
    before = np.full(t.size, 1.0)
    assert Schedule("constant", value=3).evaluate(t, before).tolist() == [3] * 5
    assert Schedule("step", year=2025, value=5).evaluate(t, before).tolist() == [1, 1, 5, 5, 5]
    ramp = Schedule("ramp", start=2020, years=10, target=3).evaluate(t, before)
    assert ramp.tolist() == [1, 1, 2, 3, 3]
    pulse = Schedule("pulse", start=2020, years=10, value=7).evaluate(t, before)
    assert pulse.tolist() == [1, 7, 7, 1, 1]
    table = Schedule("table", table_years=(2020, 2040), table_values=(0, 4)).evaluate(t, before)
    assert table.tolist() == [0, 0, 1, 2, 4]


def test_ramp_with_end_equals_ramp_with_years(write_scenario):
    a = load_scenario(
        write_scenario(
            HEAD + '[levers.tech_diffusion]\ntype = "ramp"\n'
            "start = 2020\nyears = 5\ntarget = 0.9\n",
            "a.toml",
        )
    )
    b = load_scenario(
        write_scenario(
            HEAD + '[levers.tech_diffusion]\ntype = "ramp"\n'
            "start = 2020\nend = 2025\ntarget = 0.9\n",
            "b.toml",
        )
    )
    t = np.linspace(2012, 2040, 113)
    np.testing.assert_array_equal(lever_paths(a.settings, t), lever_paths(b.settings, t))


def test_extends_inherits_and_child_ramp_starts_from_parent_path(write_scenario):
    write_scenario(
        'name = "parent"\ndescription = "p"\nhorizon = 2050\n'
        "[levers]\nscale_up_support = 0.6\ntech_diffusion = 0.4\n",
        "parent.toml",
    )
    child = write_scenario(
        'name = "child"\ndescription = "c"\nextends = "parent.toml"\n'
        '[levers.scale_up_support]\ntype = "ramp"\nstart = 2030\n'
        "years = 10\ntarget = 1.0\n",
        "child.toml",
    )
    sc = load_scenario(child)
    assert sc.horizon == 2050
    assert sc.chain == ("parent", "child")
    t = np.array([2012.0, 2030.0, 2035.0, 2040.0])
    paths = lever_paths(sc.settings, t)
    np.testing.assert_allclose(paths[:, LEVER_IDS.index("scale_up_support")], [0.6, 0.6, 0.8, 1.0])
    assert (paths[:, LEVER_IDS.index("tech_diffusion")] == 0.4).all()


def test_content_hash_tracks_parent_changes(write_scenario):
    write_scenario(
        'name = "parent"\ndescription = "p"\n[levers]\ntech_diffusion = 0.4\n', "parent.toml"
    )
    child = write_scenario(
        'name = "child"\ndescription = "c"\nextends = "parent.toml"\n', "child.toml"
    )
    h1 = load_scenario(child).content_hash
    write_scenario(
        'name = "parent"\ndescription = "p"\n[levers]\ntech_diffusion = 0.5\n', "parent.toml"
    )
    assert load_scenario(child).content_hash != h1


BAD = [
    ("unknown top-level key", HEAD + "colour = 1\n", r"s\.toml: colour: unknown key"),
    (
        "unknown lever",
        HEAD + "[levers]\nrd_subsidy = 5\n",
        r"levers\.rd_subsidy: unknown lever .*did you mean 'rd_subsidy_rate'",
    ),
    (
        "out of range",
        HEAD + "[levers]\nrd_subsidy_rate = 80\n",
        r"levers\.rd_subsidy_rate: expected a value in \[0, 50\] .*\(got 80\)",
    ),
    (
        "negative",
        HEAD + "[levers]\nregional_dispersion = -0.1\n",
        r"levers\.regional_dispersion: expected a value in \[0, 1\].*\(got -0\.1\)",
    ),
    (
        "non-numeric",
        HEAD + '[levers]\nrd_subsidy_rate = "high"\n',
        r"levers\.rd_subsidy_rate: expected a number .*\(got 'high'\)",
    ),
    (
        "ramp ends before start (years)",
        HEAD + '[levers.tech_diffusion]\ntype = "ramp"\nstart = 2030\nyears = -5\ntarget = 0.5\n',
        r"levers\.tech_diffusion\.years: ramp ends before it starts.*\(got years = -5\)",
    ),
    (
        "ramp ends before start (end)",
        HEAD + '[levers.tech_diffusion]\ntype = "ramp"\nstart = 2030\nend = 2025\ntarget = 0.5\n',
        r"levers\.tech_diffusion\.end: ramp ends before it starts.*\(got end = 2025\)",
    ),
    (
        "ramp with both",
        HEAD + '[levers.tech_diffusion]\ntype = "ramp"\n'
        "start = 2030\nend = 2035\nyears = 5\ntarget = 0.5\n",
        r"exactly one of 'years' or 'end'",
    ),
    (
        "ramp target out of range",
        HEAD + '[levers.tech_diffusion]\ntype = "ramp"\nstart = 2030\nyears = 5\ntarget = 1.5\n',
        r"levers\.tech_diffusion\.target: expected a value in \[0, 1\]",
    ),
    (
        "unknown schedule type",
        HEAD + '[levers.tech_diffusion]\ntype = "wave"\nvalue = 1\n',
        r"levers\.tech_diffusion: expected type one of .* \(got 'wave'\)",
    ),
    (
        "schedule key typo",
        HEAD + '[levers.tech_diffusion]\ntype = "step"\nyaer = 2030\nvalue = 0.5\n',
        r"levers\.tech_diffusion\.(year: missing|yaer: unknown key)",
    ),
    (
        "step year out of model range",
        HEAD + '[levers.tech_diffusion]\ntype = "step"\nyear = 1990\nvalue = 0.5\n',
        rf"levers\.tech_diffusion\.year: .*{START_YEAR}.*\(got 1990",
    ),
    (
        "step year just before the start year",
        HEAD + f'[levers.tech_diffusion]\ntype = "step"\nyear = {START_YEAR - 1}\nvalue = 0.5\n',
        rf"levers\.tech_diffusion\.year: .*{START_YEAR}.*\(got {START_YEAR - 1}\)",
    ),
    (
        "table not increasing",
        HEAD + '[levers.tech_diffusion]\ntype = "table"\n'
        "years = [2030, 2020]\nvalues = [0.1, 0.2]\n",
        r"strictly increasing years",
    ),
    (
        "table length mismatch",
        HEAD + '[levers.tech_diffusion]\ntype = "table"\nyears = [2020, 2030]\nvalues = [0.1]\n',
        r"as many values as years",
    ),
    ("missing name", 'description = "x"\n', r"s\.toml: name: missing required key"),
    ("missing description", 'name = "x"\n', r"description: missing required key"),
    ("bad horizon", HEAD + "horizon = 2200\n", r"horizon: .*2100.*\(got 2200\)"),
    ("malformed TOML", HEAD + "[levers\n", r"s\.toml: malformed TOML"),
    ("levers not a table", HEAD + "levers = 3\n", r"levers: expected a table"),
    ("missing parent", HEAD + 'extends = "nowhere"\n', r"extends: .*scenario not found"),
]


@pytest.mark.parametrize(("label", "text", "pattern"), BAD, ids=[b[0] for b in BAD])
def test_bad_scenarios_raise_one_line_errors(write_scenario, label, text, pattern):
    path = write_scenario(text)
    with pytest.raises(ScenarioError, match=pattern) as info:
        load_scenario(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


# ---- every number finite (issue 13, defect 1) ------------------------------------------
_RAMP = '[levers.regional_dispersion]\ntype = "ramp"\n'
_NON_FINITE = [
    ("ramp years", _RAMP + "start = 2026\ntarget = 0.7\nyears = {x}\n", "years"),
    ("ramp end", _RAMP + "start = 2026\ntarget = 0.7\nend = {x}\n", "end"),
    ("ramp start", _RAMP + "start = {x}\ntarget = 0.7\nyears = 4\n", "start"),
    ("ramp target", _RAMP + "start = 2026\ntarget = {x}\nyears = 4\n", "target"),
    ("constant", '[levers.regional_dispersion]\ntype = "constant"\nvalue = {x}\n', "value"),
    (
        "step value",
        '[levers.regional_dispersion]\ntype = "step"\nyear = 2030\nvalue = {x}\n',
        "value",
    ),
    (
        "step year",
        '[levers.regional_dispersion]\ntype = "step"\nyear = {x}\nvalue = 0.5\n',
        "year",
    ),
    (
        "pulse years",
        '[levers.regional_dispersion]\ntype = "pulse"\nstart = 2030\nyears = {x}\nvalue = 0.5\n',
        "years",
    ),
    (
        "table value",
        '[levers.regional_dispersion]\ntype = "table"\nyears = [2020, 2030]\nvalues = [0.5, {x}]\n',
        "values.1",
    ),
    (
        "table year",
        '[levers.regional_dispersion]\ntype = "table"\nyears = [2020, {x}]\nvalues = [0.5, 0.6]\n',
        "years.1",
    ),
    ("plain number", "[levers]\nregional_dispersion = {x}\n", ""),
]


@pytest.mark.parametrize("x", ["nan", "inf", "-inf"])
@pytest.mark.parametrize(("label", "body", "key"), _NON_FINITE, ids=[n[0] for n in _NON_FINITE])
def test_every_float_must_be_finite(write_scenario, label, body, key, x):
    path = write_scenario(HEAD + body.format(x=x))
    lever_key = "levers.regional_dispersion" + (f".{key}" if key else "")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {lever_key}: "), message
    assert f"expected a finite number (got {x})" in message, message


def test_horizon_must_be_a_whole_year(write_scenario):
    for value in ("2040.5", '"2040"', "inf", "nan"):
        path = write_scenario(HEAD + f"horizon = {value}\n")
        with pytest.raises(ScenarioError, match=r"horizon: expected a whole year \(got "):
            load_scenario(path)
    for value in ("2040", "2040.0"):
        assert load_scenario(write_scenario(HEAD + f"horizon = {value}\n")).horizon == 2040


@pytest.mark.parametrize(
    "name",
    [
        '=HYPERLINK(\\"http://x\\",\\"click\\")',
        "+cmd",
        "-x",
        "@SUM(A1)",
        "my policy",
        "../escape",
        "a/b",
        "",
        "x" * 65,
        "세계",
    ],
)
def test_scenario_names_are_ids(write_scenario, name):
    path = write_scenario(f'name = "{name}"\ndescription = "d"\n')
    with pytest.raises(ScenarioError, match=r"s\.toml: name: expected an id: letters, digits"):
        load_scenario(path)


@pytest.mark.parametrize("name", ["a", "rd_support-2", "2030_plan", "X" * 64])
def test_ids_are_accepted_as_names(write_scenario, name):
    assert load_scenario(write_scenario(f'name = "{name}"\ndescription = "d"\n')).name == name


def test_a_directory_is_named_as_a_directory(tmp_path, monkeypatch):
    (tmp_path / "plans.toml").mkdir()
    (tmp_path / "plans").mkdir()
    monkeypatch.chdir(tmp_path)
    for spec in ("plans.toml", "plans", str(tmp_path / "plans")):
        with pytest.raises(ScenarioError, match=r"plans(\.toml)?: is a directory \(expected a"):
            load_scenario(spec)
    # a bundled name still wins over a folder of the same name in the working directory
    (tmp_path / "baseline").mkdir()
    assert load_scenario("baseline").name == "baseline"


def test_cycle_in_extends_is_an_error(write_scenario):
    write_scenario('name = "a"\ndescription = "a"\nextends = "b.toml"\n', "a.toml")
    b = write_scenario('name = "b"\ndescription = "b"\nextends = "a.toml"\n', "b.toml")
    with pytest.raises(ScenarioError, match=r"extends: expected no cycle.*b -> a -> b"):
        load_scenario(b)


def test_self_extension_is_a_cycle(write_scenario):
    a = write_scenario('name = "a"\ndescription = "a"\nextends = "a.toml"\n', "a.toml")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(a)


def test_missing_file_and_unknown_name():
    with pytest.raises(ScenarioNotFoundError, match=r"nope\.toml: scenario not found"):
        load_scenario("nope.toml")
    with pytest.raises(FileNotFoundError, match=r"did you mean 'baseline'"):
        load_scenario("baselin")


def test_bundled_scenarios_ship_in_the_package_and_scenarios_links_there():
    assert scenarios_dir() == SCENARIOS
    assert (ROOT / "scenarios").resolve() == SCENARIOS.resolve()
    assert bundled_names() == sorted(p.stem for p in SCENARIOS.glob("*.toml"))
    base = baseline_scenario()
    assert base.path == (SCENARIOS / "baseline.toml").resolve() and base.chain == ("baseline",)
    # a path through the top-level link is the same scenario as the bundled name
    via_link = load_scenario(ROOT / "scenarios" / "coexistence_package.toml")
    assert via_link.content_hash == load_scenario("coexistence_package").content_hash
