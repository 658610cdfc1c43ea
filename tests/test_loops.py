"""Loop dominance (Loops That Matter) and eigenvalues: smesim.analysis.dominance, smesim loops.

The method is checked on a textbook model whose loop dominance is known:
logistic growth, declared in the model format, where the reinforcing birth
loop dominates until the population reaches half the carrying capacity (the
inflection point) and the balancing crowding loop after it; the Jacobian of
``dN/dt = r N (1 - N/K)`` is ``r (1 - 2N/K)``.  On smesim's own model only
properties that survive a redesign are checked: the command runs for both
profiles, the scores are finite and bounded, every declared loop is reported.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from smesim.analysis import dominance as dm
from smesim.analysis.run import simulate_scenario
from smesim.cli import cli
from smesim.model import MODEL
from smesim.model.loops import LOOPS
from smesim.model.loops import Loop as DeclaredLoop
from smesim.model.spec import Model, Sector

R, K, N0 = 0.5, 1000.0, 50.0

S = Sector("logistic", "Logistic growth: births less crowding deaths.")
S.param("growth_rate", R, "1/yr", 0.0, 2.0, "assumed", "test: births per head a year")
S.param("capacity", K, "people", 1.0, 1e6, "assumed", "test: carrying capacity")
S.param("init_population", N0, "people", 0.1, 1e6, "assumed", "test: start", initial=True)
S.stock(
    "population",
    "init_population",
    "people",
    "people",
    inflows=["births"],
    outflows=["crowding_deaths"],
)
S.flow("births", "growth_rate * population", "people/yr", "births (reinforcing)")
S.flow(
    "crowding_deaths",
    "growth_rate * population * population / capacity",
    "people/yr",
    "deaths from crowding (balancing)",
)
LOGISTIC = Model([S], levers=[], outputs=["population"], name="logistic")
DECLARED = (
    DeclaredLoop(1, "Births", "reinforcing", ("logistic",), ("population", "births")),
    DeclaredLoop(2, "Crowding", "balancing", ("logistic",), ("population", "crowding_deaths")),
    DeclaredLoop(3, "Renamed away", "balancing", ("logistic",), ("population", "emigration")),
)


def logistic(dt: float, years: int = 20) -> dm.Trajectory:
    t = np.arange(round(years / dt) + 1) * dt
    values = {"growth_rate": R, "capacity": K, "init_population": N0}
    return dm.simulate_trajectory(LOGISTIC, values, np.zeros((t.size, 0)), [], {}, t)


@pytest.fixture(scope="module")
def fine():
    traj = logistic(1 / 64)
    return traj, dm.analyse(traj, outputs=["population"], eigen_years=[2, 6, 12], declared=DECLARED)


def test_the_logistic_has_two_loops_named_after_the_declared_ones(fine):
    _, res = fine
    assert res.complete
    assert sorted(lp.path for lp in res.loops) == [
        ("population", "births"),
        ("population", "crowding_deaths"),
    ]
    status = {d.name: d.status for d in res.declared}
    assert status == {"Births": "matched", "Crowding": "matched", "Renamed away": "unmatched"}
    names = {lp.declared_name: lp for lp in res.loops}
    births, crowding = names["Births"], names["Crowding"]
    # polarity: the birth loop reinforces, the crowding loop balances, at every step
    rel = dict(zip([lp.id for lp in res.loops], res.step_relative, strict=True))
    assert (rel[births.id] > 0).all() and (rel[crowding.id] < 0).all()
    np.testing.assert_allclose(np.abs(res.step_relative).sum(axis=0), 1.0, rtol=1e-12)


def test_dominance_switches_at_the_inflection_point(fine):
    traj, res = fine
    names = {lp.declared_name: i for i, lp in enumerate(res.loops)}
    r_loop = np.abs(res.step_relative[names["Births"]])
    b_loop = np.abs(res.step_relative[names["Crowding"]])
    switch = int(np.argmax(b_loop > r_loop))
    assert switch > 0 and (b_loop[switch:] > r_loop[switch:]).all()
    t_switch = res.step_times[switch]
    # analytic inflection: N(t) = K / 2 at t = ln((K - N0) / N0) / r.  Euler's growth
    # factor (1 + r dt) per step is exp(r (1 - r dt / 2) dt) to first order, which delays
    # it by dt * ln((K - N0) / N0) / 2 (1.5 steps here); the switch is seen at the end of
    # the step in which it happens (up to one step later).
    inflection = math.log((K - N0) / N0) / R
    euler_delay = traj.dt * math.log((K - N0) / N0) / 2
    assert 0 <= t_switch - (inflection + euler_delay) <= traj.dt
    assert abs(t_switch - inflection) <= 3 * traj.dt
    # and exactly in the step the simulated population passes half the capacity (the
    # scores of step j are of the change from t[j] to t[j + 1]: crowding changes by
    # r (N[j] + N[j + 1]) dN / K, births by r dN)
    n = traj.series["population"]
    assert n[switch] + n[switch + 1] > K >= n[switch - 1] + n[switch]
    # yearly: the periods of the output hand over from births to crowding that year
    p = res.periods
    assert list(p["name"]) == ["(1) Births", "(2) Crowding"]
    assert list(p["polarity"]) == ["reinforcing", "balancing"]
    assert abs(p["to"].iloc[0] - inflection) <= 1


def test_the_jacobian_eigenvalue_of_the_logistic_is_r_1_minus_2n_over_k(fine):
    traj, res = fine
    eig = res.eigen
    assert list(eig["year"]) == [2, 6, 12]
    n = np.array([traj.series["population"][traj.step_of(y)] for y in (2, 6, 12)])
    np.testing.assert_allclose(eig["real"], R * (1 - 2 * n / K), rtol=1e-7, atol=1e-9)
    assert (eig["imag"] == 0).all()
    assert list(eig["unstable"]) == [True, False, False]  # before the inflection only
    grow, decay = eig.iloc[0], eig.iloc[2]
    assert grow["doubling_time"] == pytest.approx(math.log(2) / grow["real"])
    assert decay["half_life"] == pytest.approx(math.log(2) / -decay["real"])


def test_johnson_finds_every_cycle_of_a_complete_graph_and_caps():
    nodes = "abcd"
    graph = {a: tuple(b for b in nodes if b != a) for a in nodes}
    cycles, complete = dm.elementary_cycles(graph)
    # elementary cycles of the complete digraph on 4 nodes: 6 + 4 * 2 + 3! = 20
    assert complete and len(cycles) == 20

    def rotated(c):
        i = c.index(min(c))
        return c[i:] + c[:i]

    assert len({rotated(c) for c in cycles}) == 20
    for c in cycles:
        assert len(set(c)) == len(c)
    capped, complete = dm.elementary_cycles(graph, limit=7)
    assert len(capped) == 7 and not complete


def test_the_trajectory_reproduces_the_engine():
    result = simulate_scenario("baseline", profile="japan", until=2040)
    traj = dm.plan_trajectory(result.plan)
    for name in MODEL.outputs:
        got = traj.series[name][:: traj.steps_per_year]
        np.testing.assert_allclose(got, result.series(name)[0], rtol=1e-9, err_msg=name)


@pytest.mark.parametrize("profile", ["korea", "japan"])
def test_smesim_loops_runs_for_both_profiles(tmp_path, profile):
    res = CliRunner().invoke(
        cli,
        ["loops", "baseline", "--profile", profile, "--years", "2030,2040", "--out", str(tmp_path)],
    )
    assert res.exit_code == 0, res.output
    assert "wage_ratio_all_firms" in res.output and "eigenvalues" in res.output
    scores = pd.read_csv(tmp_path / "baseline.loop_scores.csv")
    assert np.isfinite(scores[["relative_score", "score"]].to_numpy()).all()
    assert (scores["relative_score"].abs() <= 1 + 1e-12).all()
    eig = pd.read_csv(tmp_path / "baseline.eigenvalues.csv")
    assert sorted(set(eig["year"])) == [2030, 2040]
    assert len(eig) == 2 * len(MODEL.stocks) and np.isfinite(eig[["real", "imag"]]).all().all()
    periods = pd.read_csv(tmp_path / "baseline.dominance.csv")
    assert set(periods["output"]) <= set(dm.OUTPUTS)
    assert {"wage_ratio_all_firms", *dm.OUTPUTS[:1]} <= set(periods["output"])
    loops = pd.read_csv(tmp_path / "baseline.loops.csv")
    assert len(loops) == loops["loop"].nunique() > 0
    man = (tmp_path / "baseline.loops.manifest.json").read_text()
    assert '"command": "loops"' in man
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_every_declared_loop_of_the_model_is_reported():
    res = dm.scenario_dominance("baseline", until=2030, years=[2030]).result
    assert [d.number for d in res.declared] == [lp.number for lp in LOOPS]
    ids = {lp.id: lp for lp in res.loops}
    for d in res.declared:
        assert d.status in ("matched", "partial", "unmatched")
        assert bool(d.loops) == (d.status != "unmatched")
        declared = next(lp for lp in LOOPS if lp.number == d.number)
        on_cycle = [e for e in declared.path if e not in d.off_cycle]
        for loop_id in d.loops:  # each named cycle passes through every on-cycle variable
            path = ids[loop_id].path
            for entry in on_cycle:
                assert any(dm._pattern(entry).fullmatch(n) for n in path), (d.name, entry)
    assert any(d.status == "matched" for d in res.declared)
    assert res.complete and len(res.loops) > len(LOOPS)
    assert np.isfinite(res.relative.to_numpy()).all()
