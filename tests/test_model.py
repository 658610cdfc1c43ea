"""Model tests an expert looks for (docs/model.md): mass balance, extremes,
integration error, direction, batch = single runs, the start state and the fitted years."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smesim import ParameterSet, load_scenario
from smesim.analysis.run import simulate_scenario
from smesim.engine.generated import model_numpy
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import Scenario, baseline_scenario
from smesim.model import MODEL
from smesim.model.horizon import START_YEAR
from smesim.model.levers import LEVER_IDS, LEVERS, Schedule
from smesim.model.outputs import CANONICAL
from smesim.model.params import CALIBRATED, NAMES, PARAMETERS
from test_extreme import numpy_backend, with_equation

STOCK_NAMES = model_numpy.STOCKS
SIZE_SHARES = [f"employment_share_{c}" for c in ("1_4", "5_9", "10_99", "100_499", "500_plus")]
BOUNDED = [
    s
    for s in CANONICAL
    if s.startswith(
        (
            "employment_share",
            "capital_region",
            "coexistence",
            "rd_share",
            "export_share",
            "population_65",
            "wage_ratio",
            "productivity_ratio",
        )
    )
]
# rd_per_researcher_ratio_sme is a ratio, not a share: SMEs may spend more per
# researcher than large firms (> 100) when support jumps ahead of hiring.  It must
# stay finite and positive.


def make_scenario(settings: dict[str, Schedule], name: str = "test") -> Scenario:
    return Scenario(
        name=name,
        description="test",
        path=None,
        horizon=None,
        settings={k: (v,) for k, v in settings.items()},
        own=settings,
        chain=(name,),
        content_hash=name,
        # model tests: levers act from the start year (a scenario file's policy_start must be
        # later; these built-in scenarios test the structure, not a policy)
        policy_start=START_YEAR,
        policy_start_source="tests/test_model.py",
    )


def constant(**levers) -> Scenario:
    return make_scenario({k: Schedule("constant", value=v) for k, v in levers.items()})


def assert_sane(result, label=""):
    data = result.outputs()[:, :, : len(CANONICAL)]
    assert np.isfinite(data).all(), f"non-finite output {label}"
    total = sum(result.series(s) for s in SIZE_SHARES)
    np.testing.assert_allclose(total, 100.0, atol=1e-9, err_msg=f"mass balance {label}")
    for s in BOUNDED:
        v = result.series(s)
        assert (v >= 0).all() and (v <= 100).all(), f"{s} outside [0, 100] {label}"
    assert (result.series("rd_per_researcher_ratio_sme") > 0).all()


# ---- the start state and the fitted years ---------------------------------------------
#: Start-year values of the outputs that start at a parameter: output -> parameter(s).
START_PARAMETERS = {
    **{f"wage_ratio_{c}": f"init_wage_ratio_{c}" for c in ("1_4", "5_9", "10_99", "100_499")},
    **{f"employment_share_{c}": f"init_employment_share_{c}" for c in ("1_4", "5_9", "10_99")},
    "employment_share_100_499": "init_employment_share_100_499",
    "rd_share_sme": "init_rd_share_sme",
    "rd_per_researcher_ratio_sme": "init_rd_per_researcher_ratio_sme",
    "rd_per_researcher_sme": "init_rd_per_researcher_sme_level",
    "productivity_ratio_sme": "init_productivity_ratio_sme",
    "export_share_sme": "init_export_share_sme",
    "capital_region_grp_share": "init_capital_region_grp_share",
    "capital_region_population_share": "init_capital_region_population_share",
    "capital_region_startup_share": "init_capital_region_startup_share",
}


@pytest.mark.parametrize("profile", ["korea", "japan"])
@pytest.mark.parametrize("which", ["first estimates", "calibrated"])
def test_start_state_is_the_start_year_parameters(profile, which):
    """The model starts in START_YEAR (2007) at its initial-value parameters: every stock
    an output reads is there, the R&D shares and spend per researcher (derived constants)
    included, so the start-year policy settings reproduce Table 6's start-year column."""
    prof = get_profile(profile)
    ps = prof.default_parameter_set() if which == "first estimates" else prof.parameter_set()
    first = simulate_scenario(params=ps, profile=profile, until=START_YEAR + 1).frame()
    first = first.loc[START_YEAR]
    value = dict(zip(NAMES, ps.values[0], strict=True))
    for output, param in START_PARAMETERS.items():
        assert first[output] == pytest.approx(value[param], rel=1e-9), output
    sme = sum(value[f"init_employment_share_{c}"] for c in ("1_4", "5_9", "10_99", "100_499"))
    assert first["employment_share_sme"] == pytest.approx(sme, rel=1e-12)
    assert first["employment_share_500_plus"] == pytest.approx(100 - sme, rel=1e-12)


#: Korea's published figures and how close the calibrated run must come: Table 6's 2007
#: column (the start year, fitted) and every fitted 2012 and 2017 figure of Park (2019):
#: (output, year, figure, tolerance in the output's unit).  The tolerances are issue 3's
#: behaviour-reproduction tolerances (smesim.analysis.calibrate.check_tolerances): wage
#: ratios 1.0 point, rd_share_sme 1.0, rd_per_researcher_ratio_sme 2.0, productivity 1.5,
#: the capital region's GRP share 0.5, the export share's 2015-2017 RMSE 1.0.  Table 6's
#: R&D share cannot be met within 1.0 in every year since its 2007 column is fitted too
#: (2007 26.6, 2012 25.8, 2017 21.9 pull against the R&D loops): 2012 and 2017 within
#: 2.0, 2007 within 2.5, the documented exception check_tolerances flags.  The
#: KRW-million level of R&D per researcher has no issue-3 tolerance: 5 % of the figure
#: (about 4 KRW million).
KOREA_FIGURES = (
    ("rd_share_sme", 2007, 26.6, 2.5),
    ("rd_per_researcher_ratio_sme", 2007, 44.7, 2.0),
    ("rd_per_researcher_sme", 2007, 76.4, 0.05 * 76.4),
    ("employment_share_sme", 2007, 90.5, 1e-9),  # the start-year structure (assumed)
    ("wage_ratio_all_firms", 2012, 56.7, 1.0),
    ("wage_ratio_all_firms", 2017, 54.2, 1.0),
    ("wage_ratio_1_4", 2012, 33.7, 1.0),
    ("wage_ratio_1_4", 2017, 32.6, 1.0),
    ("wage_ratio_5_9", 2012, 50.7, 1.0),
    ("wage_ratio_5_9", 2017, 48.3, 1.0),
    ("wage_ratio_10_99", 2012, 59.8, 1.0),
    ("wage_ratio_10_99", 2017, 57.2, 1.0),
    ("wage_ratio_100_499", 2012, 72.6, 1.0),
    ("wage_ratio_100_499", 2017, 70.0, 1.0),
    ("rd_share_sme", 2012, 25.8, 2.0),
    ("rd_share_sme", 2017, 21.9, 2.0),
    ("rd_per_researcher_ratio_sme", 2012, 36.7, 2.0),
    ("rd_per_researcher_ratio_sme", 2017, 27.6, 2.0),
    ("rd_per_researcher_sme", 2012, 83.1, 0.05 * 83.1),
    ("rd_per_researcher_sme", 2017, 79.1, 0.05 * 79.1),
    ("productivity_ratio_sme", 2017, 32.4, 1.5),
    ("capital_region_grp_share", 2017, 51.3, 0.5),
)
#: Table 1's SME export share, 2015-2017, fitted as one series (RMSE within 1.0).
KOREA_EXPORT_SHARE = {2015: 18.2, 2016: 20.0, 2017: 18.0}


def test_calibrated_run_reproduces_2007_2012_and_2017_figures():
    """Korea's calibrated run: the start state reproduces 2007 (Table 6) and the run
    reproduces the 2012 and 2017 figures within the tolerances above, and the
    divergence the paper documents (every SME ratio falling from 2012 to 2017)."""
    df = simulate_scenario(params=get_profile("korea").parameter_set(), until=2018).frame()
    misses = [
        f"{s} {y}: {df.loc[y, s]:.2f} vs {v} (tolerance {tol})"
        for s, y, v, tol in KOREA_FIGURES
        if abs(df.loc[y, s] - v) > tol
    ]
    assert not misses, misses
    exports = [df.loc[y, "export_share_sme"] - v for y, v in KOREA_EXPORT_SHARE.items()]
    assert np.sqrt(np.mean(np.square(exports))) <= 1.0
    for s in ("wage_ratio_all_firms", "rd_share_sme", "rd_per_researcher_ratio_sme"):
        assert df.loc[2017, s] < df.loc[2012, s] < df.loc[START_YEAR, s], s


def test_every_canonical_series_every_year():
    r = simulate_scenario()
    df = r.frame()
    assert list(df.index) == list(range(START_YEAR, 2061))
    assert set(CANONICAL) <= set(df.columns)
    assert not df[list(CANONICAL)].isna().any().any()


def _start_inputs(profile="korea"):
    """Start-year levers (the lever registry's baselines) and exogenous inputs."""
    L0 = np.array([[lv.baseline for lv in LEVERS]])
    paths = get_profile(profile).exogenous_paths(np.array([float(START_YEAR)]))
    X0 = np.array([paths[x][0] for x in model_numpy.EXOGENOUS])
    return L0, X0


def _start(ps):
    """Generated NumPy model: start state and constants of a parameter set (Korea's levers)."""
    L0, X0 = _start_inputs()
    y0, c = model_numpy.initialise(ps.values, L0, X0)
    return y0, c, L0, X0


def test_derivative_function_is_batched_and_pure():
    """evaluate() on a batch equals evaluate() on each row; inputs are not modified."""
    rng = np.random.default_rng(1)
    ps = _random_params(rng, 4)
    y0, c, u, x = _start(ps)
    y = y0 * (1 + 0.01 * rng.standard_normal(y0.shape))
    y_copy = y.copy()
    d = model_numpy.evaluate(y, ps.values, c, u, x, 2015.0)
    assert np.array_equal(y, y_copy)
    for i in range(4):
        _, ci, _, _ = _start(ps.run(i))
        di = model_numpy.evaluate(y[i : i + 1], ps.run(i).values, ci, u, x, 2015.0)
        np.testing.assert_allclose(d[i], di[0], rtol=1e-12, atol=1e-14)
    assert d.shape == (4, len(STOCK_NAMES))


# ---- mass balance and bounds: property test ------------------------------------------
def _schedule(draw, lever):
    lo, hi = lever.lower, lever.upper
    value = st.floats(lo, hi, allow_nan=False)
    year = st.integers(2012, 2060)
    kind = draw(st.sampled_from(["constant", "step", "ramp", "pulse", "table"]))
    if kind == "constant":
        return Schedule("constant", value=draw(value))
    if kind == "step":
        return Schedule("step", year=draw(year), value=draw(value))
    if kind == "ramp":
        return Schedule(
            "ramp", start=draw(year), years=draw(st.integers(1, 30)), target=draw(value)
        )
    if kind == "pulse":
        return Schedule(
            "pulse", start=draw(year), years=draw(st.integers(1, 20)), value=draw(value)
        )
    ys = sorted(set(draw(st.lists(year, min_size=2, max_size=5, unique=True))))
    return Schedule("table", table_years=tuple(ys), table_values=tuple(draw(value) for _ in ys))


@st.composite
def scenarios(draw):
    chosen = draw(st.lists(st.sampled_from(LEVERS), unique_by=lambda lv: lv.id, max_size=8))
    return make_scenario({lv.id: _schedule(draw, lv) for lv in chosen})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sc=scenarios())
def test_mass_balance_and_bounds_hold_for_any_valid_levers(sc):
    assert_sane(simulate_scenario(sc), sc.settings)


# ---- extreme conditions --------------------------------------------------------------
def test_zero_sme_rd_leaves_sme_knowledge_at_the_catch_up_floor():
    """SME R&D switched off from the start year (``rd_sme = 0``, a variant of the declared
    model; levers and exogenous inputs held at their start values).

    v2's catch-up (knowledge.py) means SME knowledge does not depreciate to nothing: SMEs
    absorb ``catch_up_rate`` of the gap between ``absorbable_knowledge_share`` of large
    firms' knowledge per worker and their own, so without R&D their knowledge per worker
    relative to large firms falls to the diffusion-only steady state
    ``phi c / (c + delta)``, where ``phi = kappa_0 (1 + s delta / c)`` (``s`` the start
    year's spillover share), i.e. ``kappa_0 (c + s delta) / (c + delta)``: 58 % of the
    start for the first estimates.  Relative productivity follows its target down, lower
    than at the start, and stays positive; it does not collapse as it did without catch-up.
    """
    variant = with_equation(MODEL, "rd_sme", "0", outputs=("knowledge_sme",))
    mod = numpy_backend(variant).numpy_module
    ps = ParameterSet.from_mapping()
    L0, X0 = _start_inputs("korea")
    y, c = mod.initialise(ps.values, L0, X0)
    out = np.empty((1, len(mod.OUTPUTS)))
    dt, years = 1 / 16, 150
    prod, kappa, rd = [], [], []
    for k in range(years * 16):
        d = mod.evaluate(y, ps.values, c, L0, X0, START_YEAR + k * dt, out)
        prod.append(y[0, mod.STOCKS.index("productivity_ratio_sme")])
        kappa.append(out[0, mod.OUTPUTS.index("knowledge_ratio")])
        rd.append(out[0, mod.OUTPUTS.index("rd_share_sme")])
        y = y + dt * d
    assert np.isfinite(y).all()
    assert max(rd) == 0.0
    p = dict(zip(NAMES, ps.values[0], strict=True))
    cu, delta, s = (
        p["knowledge_catch_up_rate"],
        p["knowledge_depreciation_rate"],
        p["spillover_share_0"],
    )
    floor = kappa[0] * (cu + s * delta) / (cu + delta)
    assert floor < 0.7 * kappa[0]  # losing own R&D matters ...
    assert kappa[-1] == pytest.approx(floor, rel=0.01)  # ... but catch-up holds a floor
    assert min(kappa) > 0.85 * floor  # (large firms' growing knowledge is absorbed late)
    assert np.all(np.diff(kappa[: 5 * 16]) < 0)  # knowledge per worker falls at once
    # productivity follows it down from the second step (the target moves once knowledge has)
    assert np.all(np.diff(prod[1 : 10 * 16]) < 0)
    assert 0 < prod[-1] < 0.9 * prod[0] and min(prod) > 0


@pytest.mark.parametrize("end", ["lower", "upper"])
def test_levers_at_range_ends_give_finite_bounded_results(end):
    sc = constant(**{lv.id: getattr(lv, end) for lv in LEVERS})
    assert_sane(simulate_scenario(sc), end)


def test_very_large_subsidy_does_not_blow_up():
    sc = constant(rd_subsidy_rate=50.0, rd_tax_incentive_rate=50.0)
    params = ParameterSet.from_mapping(
        {
            "subsidy_additionality": 2.0,
            "tax_additionality": 2.0,
            "sme_share_of_subsidy": 1.0,
            "sme_share_of_tax_incentive": 1.0,
        }
    )
    r = simulate_scenario(sc, params, until=2100)
    assert_sane(r)
    assert r.series("rd_share_sme")[0, -1] < 100.0
    assert r.series("productivity_ratio_sme")[0, -1] < 100.0


def test_parameters_at_bounds_give_finite_bounded_results():
    rng = np.random.default_rng(7)
    lo = np.array([p.lower for p in PARAMETERS])
    hi = np.array([p.upper for p in PARAMETERS])
    base = ParameterSet.from_mapping().values[0]
    rows = []
    for _ in range(6):  # each calibrated parameter at a random end of its range
        row = base.copy()
        for name in CALIBRATED:
            j = NAMES.index(name)
            row[j] = lo[j] if rng.random() < 0.5 else hi[j]
        rows.append(row)
    r = simulate_scenario(None, ParameterSet(np.array(rows)))
    assert_sane(r)


# ---- integration error ---------------------------------------------------------------
# Euler's global error is proportional to dt, so halving dt changes each series by
# about the error of the coarser run.  Tolerance: 0.1 points (or index points), or
# 0.25 % of the value where that is larger.  0.1 is the precision of every
# published figure and five times below the tightest calibration tolerance (0.5);
# the relative allowance covers fast-moving ratios far from the data (with the
# calibrated set, rd_per_researcher_ratio_sme climbs ~3 points a year near 95 in
# coexistence_package and moves 0.14 = 0.15 % when dt is halved).
INTEGRATION_TOLERANCE = 0.1
INTEGRATION_RELATIVE = 0.0025


@pytest.mark.parametrize("name", ["baseline", "coexistence_package", "rd_support_france"])
def test_halving_the_time_step_changes_outputs_by_less_than_tolerance(name):
    sc = load_scenario(name)
    coarse = simulate_scenario(sc, dt=1 / 16)
    fine = simulate_scenario(sc, dt=1 / 32)
    fine_values = fine.outputs()[:, :, : len(CANONICAL)]
    diff = np.abs(coarse.outputs()[:, :, : len(CANONICAL)] - fine_values)
    allowed = np.maximum(INTEGRATION_TOLERANCE, INTEGRATION_RELATIVE * np.abs(fine_values))
    excess = diff / allowed
    worst = np.unravel_index(excess.argmax(), excess.shape)
    assert excess.max() < 1.0, (
        f"{CANONICAL[worst[2]]} in {coarse.years[worst[1]]} moved {diff[worst]:.4f}"
    )


# ---- direction -----------------------------------------------------------------------
def test_higher_subsidy_raises_sme_rd_share_productivity_and_wages():
    base = simulate_scenario(baseline_scenario())
    high = simulate_scenario(constant(rd_subsidy_rate=15.0))
    assert high.at(2040, "rd_share_sme")[0] > base.at(2040, "rd_share_sme")[0]
    assert high.at(2060, "productivity_ratio_sme")[0] > base.at(2060, "productivity_ratio_sme")[0]
    assert high.at(2060, "wage_ratio_sme")[0] > base.at(2060, "wage_ratio_sme")[0]


def test_higher_dispersion_lowers_capital_region_grp_share():
    base = simulate_scenario(baseline_scenario())
    high = simulate_scenario(constant(regional_dispersion=0.8))
    assert (
        high.series("capital_region_grp_share")[0, 1:]
        < base.series("capital_region_grp_share")[0, 1:]
    ).all()


@pytest.mark.parametrize(
    "lever", ["fair_trade_enforcement", "scale_up_support", "vocational_training", "tech_diffusion"]
)
def test_economic_and_human_levers_raise_the_productivity_ratio(lever):
    base = simulate_scenario(baseline_scenario())
    high = simulate_scenario(constant(**{lever: 1.0}))
    assert high.at(2060, "productivity_ratio_sme")[0] > base.at(2060, "productivity_ratio_sme")[0]


def test_green_transition_raises_the_natural_index():
    base = simulate_scenario(baseline_scenario())
    high = simulate_scenario(constant(green_transition=1.0))
    assert high.at(2040, "coexistence_natural")[0] > base.at(2040, "coexistence_natural")[0]


def test_policy_changes_nothing_before_it_starts():
    base = simulate_scenario(baseline_scenario())
    pkg = simulate_scenario(load_scenario("coexistence_package"))
    before = base.years <= 2026
    np.testing.assert_array_equal(base.outputs()[:, before], pkg.outputs()[:, before])


# ---- batch = single runs ---------------------------------------------------------------
def _random_params(rng, n):
    base = ParameterSet.from_mapping()
    cols = [NAMES.index(c) for c in CALIBRATED]
    lo = np.array([PARAMETERS[j].lower for j in cols])
    hi = np.array([PARAMETERS[j].upper for j in cols])
    mid = base.values[0, cols]
    draws = mid + (rng.random((n, len(cols))) - 0.5) * 0.4 * (hi - lo)
    return base.with_values(CALIBRATED, np.clip(draws, lo, hi))


def test_batch_of_n_equals_n_single_runs():
    rng = np.random.default_rng(3)
    batch = _random_params(rng, 5)
    sc = load_scenario("coexistence_package")
    together = simulate_scenario(sc, batch)
    for i in range(5):
        alone = simulate_scenario(sc, batch.run(i))
        np.testing.assert_allclose(
            together.outputs()[i], alone.outputs()[0], rtol=1e-12, atol=1e-12
        )


def test_per_run_lever_overrides_match_constant_scenarios():
    values = np.array([0.0, 0.5, 1.0])
    one = get_profile("korea").parameter_set()
    params = ParameterSet(np.repeat(one.values, 3, axis=0))
    r = simulate_scenario(None, params, lever_overrides={"regional_dispersion": values})
    for i, v in enumerate(values):
        alone = simulate_scenario(constant(regional_dispersion=float(v)), one)
        np.testing.assert_allclose(r.outputs()[i], alone.outputs()[0], rtol=1e-12, atol=1e-12)


def test_all_levers_exist_as_specified():
    assert set(LEVER_IDS) == {
        "rd_subsidy_rate",
        "rd_tax_incentive_rate",
        "regional_dispersion",
        "fair_trade_enforcement",
        "scale_up_support",
        "vocational_training",
        "tech_diffusion",
        "green_transition",
    }
