"""Levers never rewrite history: before its policy start every scenario is the baseline.

The policy start is the profile's ``policy_start`` setting (2026 for Korea and Japan)
unless the scenario file sets its own.  Before it every lever follows the profile's
baseline; a constant acts from it; a step, ramp, pulse or table that would act earlier is
an error naming the file, the lever, its year and the policy start.  The bad files also
appear as rows of tests/test_bad_input.py (one line, exit 2, nothing written).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from smesim.analysis.ensemble import MIN_RUNS, run_ensemble
from smesim.analysis.run import run_manifest, run_scenario
from smesim.cli import cli
from smesim.engine.plan import build_plan
from smesim.engine.simulate import simulate
from smesim.errors import ProfileError, ScenarioError
from smesim.inputs.bundled import bundled_file
from smesim.inputs.profiles import get_profile, profile_names, read_profile
from smesim.inputs.scenario import bundled_names, load_scenario
from smesim.model.horizon import START_YEAR
from smesim.model.levers import LEVER_IDS, LEVERS

PROFILES = ("korea", "japan")

#: Every lever at its upper bound as a constant: the strongest way to rewrite history.
ALL_UPPER = (
    'name = "all_upper"\ndescription = "every lever at its upper bound"\n[levers]\n'
    + "".join(f"{lv.id} = {lv.upper}\n" for lv in LEVERS)
)


def test_both_profiles_set_the_policy_start_the_bundled_scenarios_use():
    assert set(profile_names()) == set(PROFILES)
    for name in PROFILES:
        assert get_profile(name).policy_start == 2026
    firsts = {
        s.first_year
        for sc in map(load_scenario, bundled_names())
        for scheds in sc.settings.values()
        for s in scheds
    }
    assert firsts == {2026}
    assert all(load_scenario(n).policy_start is None for n in bundled_names())


@pytest.mark.parametrize("profile", PROFILES)
def test_every_scenario_equals_the_baseline_exactly_before_the_policy_start(
    profile, write_scenario
):
    """Each scenario in its own plan (so no shared integration can hide a difference)."""
    prof = get_profile(profile)
    params = prof.parameter_set()
    start = prof.policy_start
    scenarios = [load_scenario(n) for n in bundled_names()]
    scenarios.append(load_scenario(write_scenario(ALL_UPPER)))
    base = simulate(build_plan(load_scenario("baseline"), prof, params, until=2060))
    before = base.years < start
    assert before.sum() == start - START_YEAR
    for sc in scenarios:
        plan = build_plan(sc, prof, params, until=2060)
        assert plan.scenarios[0].policy_start == start
        # every lever path is the baseline's before the policy start, to the bit
        np.testing.assert_array_equal(
            plan.levers[0][plan.t < start], base.plan.levers[0][plan.t < start]
        )
        res = simulate(plan)
        np.testing.assert_array_equal(
            res.outputs()[:, before], base.outputs()[:, before], err_msg=sc.name
        )
        if sc.name in ("baseline",):
            continue
        # ... and the levers do act from it on (not silently dropped)
        assert not np.array_equal(res.outputs()[:, ~before], base.outputs()[:, ~before]), sc.name


@pytest.mark.parametrize("profile", PROFILES)
def test_the_shared_integration_runs_to_the_policy_start(profile, write_scenario):
    """simulate and the ensemble hand the baseline's state to the scenarios at the policy start."""
    prof = get_profile(profile)
    scs = [load_scenario(n) for n in ("baseline", "coexistence_package")]
    scs.append(load_scenario(write_scenario(ALL_UPPER)))
    plan = build_plan(scs, prof, prof.parameter_set(), until=2040)
    assert plan.shared_years == prof.policy_start - START_YEAR
    assert plan.policy_start == prof.policy_start
    ens = run_ensemble(["coexistence_package"], MIN_RUNS, seed=1, profile=profile, until=2040)
    assert ens.meta["shared_integration_until"] == prof.policy_start
    assert ens.meta["policy_start"] == {
        "baseline": f"2026 (profile {profile})",
        "coexistence_package": f"2026 (profile {profile})",
    }


def test_a_constant_lever_acts_from_the_policy_start(write_scenario):
    sc = load_scenario(write_scenario(ALL_UPPER))
    prof = get_profile("japan")
    plan = build_plan(sc, prof, prof.parameter_set(), until=2040)
    levers = plan.levers[0]
    j = LEVER_IDS.index("rd_subsidy_rate")
    assert set(levers[plan.t < 2026, j]) == {prof.baseline_levers["rd_subsidy_rate"]}
    assert set(levers[plan.t >= 2026, j]) == {50.0}


OWN = """\
name = "own"
description = "levers from 2030"
policy_start = 2030
[levers]
fair_trade_enforcement = 0.9
[levers.rd_subsidy_rate]
type = "ramp"
start = 2030
years = 4
target = 20
"""


@pytest.mark.parametrize("profile", PROFILES)
def test_a_scenario_with_its_own_policy_start(write_scenario, profile):
    path = write_scenario(OWN)
    sc = load_scenario(path)
    assert (sc.policy_start, sc.policy_start_source) == (2030, str(path))
    prof = get_profile(profile)
    params = prof.parameter_set()
    plan = build_plan([load_scenario("baseline"), sc], prof, params, until=2045)
    assert [s.describe_policy_start() for s in plan.scenarios] == [
        f"2026 (profile {profile})",
        f"2030 (scenario {path})",
    ]
    assert plan.shared_years == 2030 - START_YEAR
    alone = simulate(build_plan(sc, prof, params, until=2045))
    base = simulate(build_plan(load_scenario("baseline"), prof, params, until=2045))
    before = base.years < 2030
    np.testing.assert_array_equal(alone.outputs()[:, before], base.outputs()[:, before])
    assert not np.array_equal(alone.outputs()[:, ~before], base.outputs()[:, ~before])
    # an earlier policy start allows earlier levers: a child inherits it, or sets its own
    child = write_scenario(
        'name = "early"\ndescription = "d"\nextends = "s.toml"\npolicy_start = 2020\n'
        '[levers.green_transition]\ntype = "step"\nyear = 2020\nvalue = 0.9\n',
        name="child.toml",
    )
    early = load_scenario(child)
    assert (early.policy_start, early.policy_start_source) == (2020, str(child))
    res = simulate(build_plan(early, prof, params, until=2045))
    years = res.years
    np.testing.assert_array_equal(res.outputs()[:, years < 2020], base.outputs()[:, years < 2020])
    assert not np.array_equal(res.outputs()[:, years == 2022], base.outputs()[:, years == 2022])


def test_the_run_manifest_and_terminal_name_the_policy_start(write_scenario, tmp_path):
    sc, result = run_scenario("rd_support_uk", until=2035, profile="japan")
    scen = run_manifest(sc, result)["scenario"]
    assert (scen["policy_start"], scen["policy_start_from"]) == (2026, "profile japan")
    path = write_scenario(OWN)
    r = CliRunner().invoke(cli, ["run", str(path), "--until", "2035", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert f"policy start: 2030 (scenario {path})" in r.stdout.splitlines()[0]
    meta = json.loads((tmp_path / "own.manifest.json").read_text())
    assert meta["scenario"]["policy_start"] == 2030
    assert meta["scenario"]["policy_start_from"] == f"scenario {path}"


def test_smesim_scenarios_shows_the_policy_start(write_scenario):
    r = CliRunner().invoke(cli, ["scenarios", "baseline", str(write_scenario(OWN))])
    assert r.exit_code == 0, r.output
    lines = [ln.strip() for ln in r.stdout.splitlines() if "policy start" in ln]
    assert lines == [
        "policy start: the profile's (japan 2026, korea 2026)",
        f"policy start: 2030 (set in {write_scenario(OWN)})",
    ]


# ---- bad input ---------------------------------------------------------------------------------
HEAD = 'name = "t"\ndescription = "d"\n'
RAMP_2020 = '[levers.rd_subsidy_rate]\ntype = "ramp"\nstart = 2020\nyears = 5\ntarget = 10\n'


@pytest.mark.parametrize(
    "text, message",
    [
        (HEAD + "policy_start = 2000\n", "policy_start: expected a year after the start year"),
        (HEAD + f"policy_start = {START_YEAR}\n", "policy_start: expected a year after"),
        (HEAD + "policy_start = 2200\n", "policy_start: expected a year after the start year"),
        (HEAD + "policy_start = 2030.5\n", "policy_start: expected a whole year (got 2030.5)"),
        (HEAD + 'policy_start = "soon"\n', "policy_start: expected a whole year (got 'soon')"),
        (
            HEAD + "horizon = 2040\npolicy_start = 2045\n",
            "policy_start: expected the policy start 2045 up to the horizon 2040",
        ),
        (
            HEAD + "policy_start = 2030\n" + RAMP_2020,
            "levers.rd_subsidy_rate.start: lever rd_subsidy_rate starts in 2020, before the "
            "policy start 2030 (policy_start set in {path})",
        ),
        (
            HEAD + 'extends = "coexistence_package"\npolicy_start = 2030\n',
            "coexistence_package.toml: levers.rd_subsidy_rate.start: lever rd_subsidy_rate "
            "starts in 2026, before the policy start 2030",
        ),
    ],
)
def test_bad_policy_start_in_a_scenario_file_is_one_clear_error(write_scenario, text, message):
    path = write_scenario(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert message.format(path=path) in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "lever, message",
    [
        (RAMP_2020, "levers.rd_subsidy_rate.start: lever rd_subsidy_rate starts in 2020"),
        (
            '[levers.green_transition]\ntype = "step"\nyear = 2025.5\nvalue = 0.5\n',
            "levers.green_transition.year: lever green_transition starts in 2025.5",
        ),
        (
            '[levers.tech_diffusion]\ntype = "pulse"\nstart = 2013\nyears = 20\nvalue = 0.5\n',
            "levers.tech_diffusion.start: lever tech_diffusion starts in 2013",
        ),
        (
            '[levers.tech_diffusion]\ntype = "table"\nyears = [2020, 2040]\nvalues = [0.2, 1]\n',
            "levers.tech_diffusion.years: lever tech_diffusion starts in 2020",
        ),
    ],
)
@pytest.mark.parametrize("profile", PROFILES)
def test_a_lever_before_the_profiles_policy_start_is_an_error_when_the_plan_is_built(
    write_scenario, lever, message, profile
):
    path = write_scenario(HEAD + lever)
    sc = load_scenario(path)  # the profile is not known yet
    prof = get_profile(profile)
    with pytest.raises(ScenarioError) as err:
        build_plan(sc, prof, prof.parameter_set(), until=2040)
    assert str(err.value).startswith(f"{path}: {message}, before the policy start 2026 ")
    assert f"(profile {profile})" in str(err.value)


def test_validate_checks_every_profiles_policy_start(write_scenario):
    path = write_scenario(HEAD + RAMP_2020)
    r = CliRunner().invoke(cli, ["validate", str(path)])
    assert r.exit_code == 2
    assert r.stderr.startswith(
        f"smesim: error: {path}: levers.rd_subsidy_rate.start: lever rd_subsidy_rate starts "
        "in 2020, before the policy start 2026 (profile "
    )
    ok = CliRunner().invoke(cli, ["validate", *bundled_names()])
    assert ok.exit_code == 0 and ok.stderr == ""


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda s: s.replace("policy_start = 2026\n", ""), "policy_start: missing required key"),
        (  # the start year itself is not after the start year
            lambda s: s.replace("policy_start = 2026", f"policy_start = {START_YEAR}"),
            f"policy_start: expected a whole year after the start year {START_YEAR}, up to 2100 "
            f"(got {START_YEAR})",
        ),
        (
            lambda s: s.replace("policy_start = 2026", "policy_start = 2001"),
            "policy_start: expected a whole year after the start year",
        ),
        (
            lambda s: s.replace("policy_start = 2026", "policy_start = 2101"),
            "(got 2101)",
        ),
        (
            lambda s: s.replace("policy_start = 2026", 'policy_start = "2026"'),
            "policy_start: expected a whole year after the start year",
        ),
        (
            lambda s: s.replace("policy_start = 2026", "policy_start = 2026.5"),
            "(got 2026.5)",
        ),
    ],
)
def test_bad_policy_start_in_a_profile_is_one_clear_error(tmp_path, edit, message):
    text = bundled_file("profiles", "korea.toml", what="profile").read_text(encoding="utf-8")
    assert "policy_start = 2026\n" in text
    path = tmp_path / "korea.toml"
    path.write_text(edit(text), encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        read_profile(path)
    assert message in str(err.value)
    assert "policy_start" in str(err.value) and "\n" not in str(err.value)
