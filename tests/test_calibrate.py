"""Calibration: joint fit of two countries, recovery, behaviour reproduction, Japan
convergence, reports, drift, one-country refit, CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from smesim.analysis.calibrate import (
    CalibrationResult,
    CountryData,
    Problem,
    calibrate,
    calibration_data,
    check_tolerances,
    fit_statistics,
    free_parameters,
    joint_free_parameters,
    theil,
)
from smesim.analysis.run import simulate_scenario
from smesim.cli import cli
from smesim.errors import CalibrationError, ParameterError
from smesim.inputs.bundled import data_dir
from smesim.inputs.data import load_releases
from smesim.inputs.paramfile import read_parameter_file, write_parameter_file
from smesim.inputs.profiles import Profile, get_profile, profile_names
from smesim.inputs.scenario import load_scenario
from smesim.model.horizon import START_YEAR
from smesim.model.params import BY_NAME
from smesim.report.calibration_report import (
    changes_table,
    render_markdown,
    run_calibration,
    to_dict,
    write_calibration,
)

ROOT = Path(__file__).resolve().parent.parent
KOREA_RELEASES = data_dir() / "releases" / "korea"

#: Behaviour-reproduction tolerances (points), at 2012 and 2017, restated from
#: ``check_tolerances`` on purpose (issue 3; Table 4's "total" is the all-firm figure,
#: fitted within 1 point as issue 12 asks).
TOLERANCES = {
    "wage_ratio_all_firms": 1.0,
    "wage_ratio_1_4": 1.0,
    "wage_ratio_5_9": 1.0,
    "wage_ratio_10_99": 1.0,
    "wage_ratio_100_499": 1.0,
    "rd_share_sme": 1.0,
    "rd_per_researcher_ratio_sme": 2.0,
    "productivity_ratio_sme": 1.5,
}
#: The documented misses (docs/model.md, known limitations): Table 6's SME R&D share
#: barely moves in 2007-2012 (26.6 -> 25.8) and falls fast in 2012-2017 (-> 21.9), while
#: the spend-per-researcher rows of the same table move most in 2007-2012; the one
#: opportunity drift that drives both, strongest at the start and fading, cannot follow
#: both timings, so the fit misses the share by about 1.5 points in 2012 and 2017 (and
#: 2.4 in 2007).  The check must flag them, and they must stay within this bound.
KNOWN_MISSES = {("rd_share_sme", 2012): 2.0, ("rd_share_sme", 2017): 2.0}
#: The start-year (2007) figures of Table 6, fitted too: within this bound.
START_YEAR_TOLERANCE = 2.5


def unexplained(fails: list[str]) -> list[str]:
    """The tolerance failures ``check_tolerances`` reports other than the known misses."""
    return [f for f in fails if not any(f.startswith(f"{s} {y}:") for s, y in KNOWN_MISSES)]


@pytest.fixture(scope="module")
def korea() -> CalibrationResult:
    return calibrate(profile="korea", seed=0, progress=False)


@pytest.fixture(scope="module")
def joint() -> CalibrationResult:
    return calibrate(seed=0, progress=False)


def assert_reproduces_korea(params, label):
    """The paper's 2012/2017 figures within the issue's tolerances (prints a table on failure)."""
    res = simulate_scenario(None, params, until=2019, profile="korea")
    pts = load_releases(profile="korea").points
    rows = []
    for sid, tol in TOLERANCES.items():
        for year in (2012, 2017):
            hit = pts[(pts["series"] == sid) & (pts["year"] == year)]
            if len(hit):
                model = float(res.at(year, sid)[0])
                lim = KNOWN_MISSES.get((sid, year), tol)
                rows.append((sid, year, hit["value"].iloc[0], model, lim))
    grp = pts[(pts["series"] == "capital_region_grp_share") & (pts["year"] == 2017)]
    rows.append(
        (
            "capital_region_grp_share",
            2017,
            grp["value"].iloc[0],
            float(res.at(2017, "capital_region_grp_share")[0]),
            0.5,
        )
    )
    table = pd.DataFrame(rows, columns=["series", "year", "data", "model", "tolerance"])
    table["diff"] = table["model"] - table["data"]
    bad = table[~(table["diff"].abs() <= table["tolerance"])]
    assert bad.empty, f"{label}:\n{table.to_string()}"
    # every wage ratio and R&D series is checked at both years; productivity only has 2017
    assert len(table) == 5 * 2 + 2 * 2 + 1 + 1
    ex = pts[(pts["series"] == "export_share_sme") & pts["year"].between(2015, 2017)]
    model = np.array([res.at(int(y), "export_share_sme")[0] for y in ex["year"]])
    rmse = float(np.sqrt(np.mean((model - ex["value"].to_numpy()) ** 2)))
    assert len(ex) == 3 and rmse <= 1.0, f"{label}: export share 2015-2017 RMSE {rmse:.3f}"


# ---- fit statistics -------------------------------------------------------------------------
def test_theil_decomposition():
    d = np.array([1.0, 2.0, 3.0, 4.0])
    pure_bias = theil(d + 0.5, d)
    assert pure_bias["UM"] == pytest.approx(1.0) and pure_bias["mse"] == pytest.approx(0.25)
    scaled = theil(2.5 + 2 * (d - 2.5), d)  # same mean, larger spread, perfect correlation
    assert scaled["UM"] == pytest.approx(0.0) and scaled["US"] == pytest.approx(1.0)
    rng = np.random.default_rng(1)
    noisy = theil(d + rng.normal(0, 1, 4), d)
    assert noisy["UM"] + noisy["US"] + noisy["UC"] == pytest.approx(1.0)
    stats = fit_statistics(np.array([2.0, 4.0]), np.array([1.0, 5.0]))
    assert stats["rmse"] == pytest.approx(1.0) and stats["r2"] == pytest.approx(0.75)
    assert stats["mape"] == pytest.approx(60.0)


# ---- parameter recovery -----------------------------------------------------------------------
SYNTH_SERIES = (
    "wage_ratio_sme",
    "wage_ratio_1_4",
    "wage_ratio_5_9",
    "wage_ratio_10_99",
    "wage_ratio_100_499",
    "productivity_ratio_sme",
    "rd_share_sme",
    "rd_per_researcher_ratio_sme",
    "export_share_sme",
    "capital_region_grp_share",
    "capital_region_population_share",
)


def test_parameter_recovery_from_synthetic_data(tmp_path):
    free = free_parameters(get_profile("korea"))
    prior = np.array([f.prior for f in free])
    sd = np.array([f.prior_sd for f in free])
    signs = np.where(np.arange(len(free)) % 2 == 0, 1.0, -1.0)
    truth = np.clip(prior + 0.6 * sd * signs, [f.lower for f in free], [f.upper for f in free])
    base = get_profile("korea").default_parameter_set()
    true_set = base.with_values([f.name for f in free], truth[None, :])
    res = simulate_scenario(None, true_set, until=2019, profile="korea")
    rng = np.random.default_rng(42)
    rows = [
        (sid, year, float(res.at(year, sid)[0]) + rng.normal(0, 0.05))
        for sid in SYNTH_SERIES
        for year in range(2012, 2020)
    ]
    path = tmp_path / "synthetic.csv"
    pd.DataFrame(rows, columns=["series", "year", "value"]).assign(unit="%").to_csv(
        path, index=False
    )
    result = calibrate(
        load_releases([path]), profile="korea", seed=3, n_starts=1, n_screen=16, progress=False
    )
    assert result.success
    est = result.estimates_table()
    inside = (est["ci95_low"] <= truth) & (truth <= est["ci95_high"])
    report = est.assign(truth=truth)[["parameter", "truth", "estimate", "se", "identified"]]
    assert inside.all(), report.to_string()
    # what the data identify is recovered within one SE (the priors shrink the rest)
    ident = est["identified"] == "identified"
    assert ident.sum() >= 8, report.to_string()
    err = np.abs(est["estimate"] - truth)[ident]
    assert (err <= est["se"][ident]).all(), report.to_string()


# ---- behaviour reproduction -----------------------------------------------------------------
def test_fresh_korea_calibration_reproduces_2012_and_2017(joint):
    """The default calibration is the joint Korea+Japan fit: its Korea set reproduces the
    paper's 2012 and 2017 figures (the 2007 start is fitted, Table 6's 2007 column)."""
    assert joint.success and "korea" in joint.countries
    assert_reproduces_korea(joint.parameter_sets["korea"], "fresh joint calibration")
    fails = check_tolerances(joint)
    assert unexplained(fails) == [], fails
    # the report flags the documented miss (a fit that meets it: drop it from KNOWN_MISSES
    # and from docs/model.md)
    assert len(fails) == len(KNOWN_MISSES)
    korea = joint.residuals[
        (joint.residuals["country"] == "korea") & (joint.residuals["status"] == "fitted")
    ]
    # the start year is fitted too: Table 6's 2007 column within START_YEAR_TOLERANCE
    # (the R&D-share miss is split between 2007, 2012 and 2017); the share falls throughout
    start = korea[korea["year"] == START_YEAR]
    assert set(start["series"]) == {
        "rd_share_sme",
        "rd_per_researcher_ratio_sme",
        "rd_per_researcher_sme",
    }
    assert (start["residual"].abs() <= START_YEAR_TOLERANCE).all(), start.to_string()
    rd = korea[korea["series"] == "rd_share_sme"].set_index("year")["model"]
    assert rd[START_YEAR] > rd[2012] > rd[2017]


def test_committed_korea_parameter_set_is_the_default_and_reproduces_the_paper():
    prof = get_profile("korea")
    assert prof.params_file.exists(), "calibration/params/korea.toml must be committed"
    params = prof.parameter_set()
    assert params.source.endswith("korea.toml")
    meta = params.meta
    assert meta["profile"] == "korea" and len(meta["data_files"][0]["sha256"]) == 64
    assert meta["joint_fit"] is True  # the committed sets come from the joint fit
    assert set(meta["standard_errors"]) == set(meta["covariance"]["names"])
    assert_reproduces_korea(params, "committed korea.toml")


WAGE_RATIOS = (
    "wage_ratio_all_firms",
    "wage_ratio_1_4",
    "wage_ratio_5_9",
    "wage_ratio_10_99",
    "wage_ratio_100_499",
)


def test_japan_wage_ratio_converges(joint):
    """One structure, two countries: from the SAME shared (behavioural) parameters Japan's
    all-firm and class wage ratios rise 2012->2017 while Korea's fall (issue 12, item 6)."""
    committed = {c: get_profile(c).parameter_set() for c in ("japan", "korea")}
    assert get_profile("japan").params_file.exists(), "japan.toml must be committed"
    for sets, label in ((committed, "committed sets"), (joint.parameter_sets, "fresh joint fit")):
        jv, kv = sets["japan"].as_dict(), sets["korea"].as_dict()
        shared = [n for n in jv if not BY_NAME[n].country]
        assert set(joint.shared) <= set(shared)
        assert all(jv[n] == kv[n] for n in shared), f"{label}: shared parameters differ"
        jp = simulate_scenario(None, sets["japan"], until=2060, profile="japan")
        kr = simulate_scenario(None, sets["korea"], until=2017, profile="korea")
        for sid in WAGE_RATIOS:
            j2012, j2017 = float(jp.at(2012, sid)[0]), float(jp.at(2017, sid)[0])
            k2012, k2017 = float(kr.at(2012, sid)[0]), float(kr.at(2017, sid)[0])
            assert j2017 > j2012, f"{label}: japan {sid} {j2012:.2f} -> {j2017:.2f}"
            assert k2017 < k2012, f"{label}: korea {sid} {k2012:.2f} -> {k2017:.2f}"
        w = {y: float(jp.at(y, "wage_ratio_all_firms")[0]) for y in (2012, 2017, 2030, 2060)}
        # the paper: Japan's all-firm figure +3.9 (84.2 -> 88.1); today's fit +2.0
        assert w[2017] > w[2012] + 1.0, label
        assert w[2030] > w[2017] and w[2060] > w[2017], label  # Japan keeps converging


# ---- the result and its report --------------------------------------------------------------
def test_multistart_agrees_and_result_is_complete(joint):
    """The default (joint) fit: every start reaches the same optimum."""
    assert len(joint.starts) == 4
    best = min(s.cost for s in joint.starts)
    assert all(abs(s.cost - best) < 1e-6 * best for s in joint.starts)
    p = len(joint.names)
    assert joint.covariance.shape == (p, p)
    assert np.allclose(np.diag(joint.correlation), 1.0)
    assert np.all(joint.standard_errors > 0)
    ci = joint.intervals
    assert np.all(ci[:, 0] < joint.estimates) and np.all(joint.estimates < ci[:, 1])
    fitted = joint.residuals[joint.residuals["status"] == "fitted"]
    # Korea: 24 points from 2007 to 2017 (2018+ have weight 0); Japan: 9 wage points
    assert len(fitted) == joint.overall["n_fitted"] == 24 + 9
    assert fitted.groupby("country").size().to_dict() == {"korea": 24, "japan": 9}
    assert fitted["year"].between(START_YEAR, 2017).all()
    history = joint.residuals[joint.residuals["year"] < START_YEAR]
    assert len(history) == 1 and history["model"].isna().all()  # ageing 2000
    assert history["status"].str.contains("outside the simulated span").all()
    ident = joint.identifiability
    assert 0 < ident["n_combinations_identified_by_data"] < p
    # Japan has no R&D data: its large firms' opportunity drift is set by its prior
    assert "rd_opportunity_growth_large[japan]" in ident["not_identified"]
    assert set(ident["identified"]) >= {
        "init_wage_ratio_1_4[korea]",
        "init_wage_ratio_1_4[japan]",
        "labour_scarcity_wage_effect",
    }


def test_report_markdown_and_json(korea):
    md = render_markdown(korea)
    for heading in (
        "## Estimates",
        "## Identifiability",
        "## Correlations",
        "## Fit by series",
        "## Residuals",
        "## Convergence",
        "U^M",
    ):
        assert heading in md
    doc = json.loads(json.dumps(to_dict(korea), allow_nan=False))
    assert doc["convergence"]["success"] is True
    # the report carries exactly the failures the check finds, each naming its point
    assert doc["tolerance_failures"] == check_tolerances(korea)
    assert all(re.match(r"\w+ \d{4}: residual ", f) for f in doc["tolerance_failures"])
    assert len(doc["estimates"]) == len(korea.names)
    assert {r["series"] for r in doc["fit"]["by_series"]} >= {
        "wage_ratio_all_firms",
        "rd_share_sme",
        "rd_per_researcher_sme",
    }


def test_high_correlation_is_warned(korea):
    corr = korea.correlation.copy()
    corr[0, 1] = corr[1, 0] = -0.95
    fake = CalibrationResult(**{**korea.__dict__, "correlation": corr})
    assert fake.high_correlations() == [(korea.names[0], korea.names[1], -0.95)]
    assert "WARNING |r| > 0.9" in render_markdown(fake)


def test_no_fittable_point_is_an_error(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "series,year,value,unit,weight\nrd_share_sme,2005,26.6,%,1\nrd_share_sme,2017,21.9,%,0\n",
        encoding="utf-8",
    )
    prof = get_profile("korea")
    with pytest.raises(CalibrationError, match="no data point to fit"):
        Problem(
            [CountryData(prof, load_releases([path]), prof.default_parameter_set())],
            free_parameters(prof),
            scenario=load_scenario("baseline"),
        )


def test_model_evaluations_read_no_file(monkeypatch):
    """The plan is built once: evaluating the model only replaces its parameters."""
    import smesim.inputs.paramfile
    import smesim.inputs.scenario

    prof = get_profile("korea")
    problem = Problem(
        [CountryData(prof, load_releases(profile="korea"), prof.default_parameter_set())],
        free_parameters(prof),
        scenario=load_scenario("baseline"),
    )
    want = problem.model_values(problem.prior[None, :])

    def no_read(*a, **k):
        raise AssertionError("a model evaluation read a file")

    monkeypatch.setattr(smesim.inputs.scenario, "load_toml", no_read)
    monkeypatch.setattr(smesim.inputs.paramfile, "load_toml", no_read)
    monkeypatch.setattr(Profile, "parameter_set", no_read)
    zs = np.zeros((3, len(problem.names)))
    got = problem.model_values(problem.theta(zs))
    np.testing.assert_allclose(got, np.repeat(want, 3, axis=0), rtol=1e-12)
    assert problem.n_evaluations == 2


# ---- parameter files, archive, drift ------------------------------------------------------------
def test_parameter_file_round_trip(tmp_path):
    names = ["wage_adjustment_time", "labour_scarcity_wage_effect"]
    cov = np.array([[0.25, 0.01], [0.01, 0.0016]])
    path = write_parameter_file(
        tmp_path / "p.toml",
        {"wage_adjustment_time": 3.5, "labour_scarcity_wage_effect": 2.5},
        meta={"profile": "korea", "seed": 7},
        standard_errors={"wage_adjustment_time": 0.5, "labour_scarcity_wage_effect": 0.04},
        covariance=(names, cov),
    )
    ps = read_parameter_file(path)
    assert ps.as_dict()["wage_adjustment_time"] == 3.5 and ps.meta["seed"] == 7
    assert ps.meta["standard_errors"]["labour_scarcity_wage_effect"] == 0.04
    assert ps.meta["covariance"]["names"] == names
    assert np.array_equal(ps.meta["covariance"]["matrix"], cov)
    with pytest.raises(ParameterError, match=r"wage_adjustment_time: expected a value in"):
        write_parameter_file(tmp_path / "bad.toml", {"wage_adjustment_time": 99.0})
    assert not (tmp_path / "bad.toml").exists()


@pytest.mark.parametrize(
    ("extra", "pattern"),
    [
        (
            '[covariance]\nnames = ["nope"]\nmatrix = [[1.0]]\n',
            r"covariance\.names: unknown parameter 'nope'",
        ),
        (
            '[covariance]\nnames = ["labour_scarcity_wage_effect"]\nmatrix = [[1.0, 2.0]]\n',
            r"covariance\.matrix: expected a finite 1x1 matrix",
        ),
        ("[covariance]\nmatrix = [[1.0]]\n", r"covariance\.names: expected a list"),
        (
            "[standard_errors]\nlabour_scarcity_wage_effect = -1.0\n",
            r"standard_errors\.labour_scarcity_wage_effect: expected a finite number >= 0",
        ),
    ],
)
def test_malformed_uncertainty_tables_are_errors(tmp_path, extra, pattern):
    path = tmp_path / "p.toml"
    path.write_text("[parameters]\nlabour_scarcity_wage_effect = 0.9\n" + extra, encoding="utf-8")
    with pytest.raises(ParameterError, match=pattern):
        read_parameter_file(path)


def test_recalibration_archives_old_sets_and_reports_drift(joint, tmp_path):
    out = tmp_path / "params"
    write_calibration(joint, out)
    old = {c: (out / f"{c}.toml").read_bytes() for c in joint.countries}
    new_release = tmp_path / "2020-kosbi.csv"
    new_release.write_text(
        "series,2017,2018,2019,unit,source\n"
        "export_share_sme,18.5,19.5,20.5,%,synthetic yearbook\n"
        "rd_share_sme,20.5,19.0,,%,synthetic yearbook\n",
        encoding="utf-8",
    )
    files = calibration_data(None, [new_release], profile="korea")
    result = run_calibration(files, out=out, seed=0, progress=False)
    assert result.joint and result.countries == joint.countries
    written = write_calibration(result, out)
    history = sorted(p.name for p in (out / "history").iterdir())
    assert len(history) == 2 + len(joint.countries)  # both sets and both reports
    for c in joint.countries:
        archived = next((out / "history").glob(f"{c}-*.toml"))
        assert archived.read_bytes() == old[c] and archived in written
    # every new point is used, for Korea only, and the revisions are listed
    rep = result.replaced.set_index(["country", "series", "year"])
    assert rep.loc[("korea", "export_share_sme", 2017), "new_value"] == 18.5
    assert rep.loc[("korea", "rd_share_sme", 2017), "old_value"] == 21.9
    fitted = result.residuals[result.residuals["status"] == "fitted"]
    used = fitted[fitted["file"].str.endswith("2020-kosbi.csv")]
    assert len(used) == 5 and set(used["country"]) == {"korea"}
    # drift, per country and in SE units; the new, higher Korean export data raise Korea's
    # start-year export share most (in SE units) of all the country parameters
    drift = result.drift.set_index(["country", "parameter"])
    moved = "init_export_share_sme[korea]"
    assert moved in result.names and drift.loc[("korea", moved), "change"] > 0
    own = drift[[p.endswith("]") for _, p in drift.index]]
    assert own["change_se"].abs().idxmax() == ("korea", moved)
    se = dict(zip(result.names, result.standard_errors, strict=True))
    assert np.allclose(drift["change_se"], drift["change"] / [se[p] for _, p in drift.index])
    fc = result.fit_change["by_country"]["korea"]
    assert fc["old_data_cost"] > fc["new_data_cost"]
    md = (out / "joint.report.md").read_text(encoding="utf-8")
    assert "## Drift from the previous parameter sets" in md and "Values replaced" in md
    new = read_parameter_file(out / "korea.toml")
    assert any(f["file"].endswith("2020-kosbi.csv") for f in new.meta["data_files"])


# ---- the joint fit --------------------------------------------------------------------------
def test_joint_fit_shares_behavioural_parameters_across_the_written_sets(joint, tmp_path):
    assert joint.joint and sorted(joint.countries) == sorted(profile_names())
    assert joint.success
    written = write_calibration(joint, tmp_path)
    assert [p.name for p in written] == [
        *(f"{c}.toml" for c in joint.countries),
        "joint.report.md",
        "joint.report.json",
    ]
    sets = {c: get_profile(c).parameter_set(tmp_path / f"{c}.toml") for c in joint.countries}
    shared = joint.shared
    assert shared, "a joint fit has shared parameters"
    values = {c: s.as_dict() for c, s in sets.items()}
    for name in shared:
        assert len({values[c][name] for c in joint.countries}) == 1, name
    own = {
        c: [n for n, k in zip(joint.param_names, joint.param_country, strict=True) if k == c]
        for c in joint.countries
    }
    for c, s in sets.items():
        meta = s.meta
        assert meta["joint_fit"] is True and meta["profile"] == c
        assert meta["shared_parameters"] == shared and meta["country_parameters"] == own[c]
        # the data of BOTH countries, with their hashes
        assert {f["profile"] for f in meta["data_files"]} == set(joint.countries)
        assert all(len(f["sha256"]) == 64 for f in meta["data_files"])
        # the joint covariance restricted to this country's parameters
        idx = joint.indices(c)
        assert meta["covariance"]["names"] == [joint.param_names[j] for j in idx]
        np.testing.assert_allclose(
            meta["covariance"]["matrix"], joint.covariance[np.ix_(idx, idx)], rtol=1e-12
        )
        assert set(meta["standard_errors"]) == set(shared) | set(own[c])
    # the country parameters differ between the countries where their data differ
    a, b = joint.countries
    assert any(values[a][n] != values[b][n] for n in own[a] if n in own[b])
    # the parameter sets the library returns are the ones written
    for c in joint.countries:
        np.testing.assert_allclose(joint.parameter_sets[c].values, sets[c].values, rtol=1e-12)


def test_joint_fit_evaluates_each_country_in_one_batched_call_per_residual(joint):
    # the fit's simulate calls: one per country per residual (+ Jacobian) evaluation
    assert joint.timing["simulate_calls"] % len(joint.countries) == 0


def test_joint_report_shows_each_country_and_the_shared_parameters_once(joint):
    md = render_markdown(joint)
    assert md.startswith("# Calibration report: ") and "(joint fit)" in md
    assert md.count("### Shared parameters") == 1
    for c in joint.countries:
        assert f"### Country parameters: {c}" in md and f"## Residuals: {c}" in md
    assert "## Fit by country" in md and "What the data cannot identify" in md
    est = joint.estimates_table()
    shared_rows = est[est["country"] == "shared"]
    assert list(shared_rows["name"]) == joint.shared
    doc = json.loads(json.dumps(to_dict(joint), allow_nan=False))
    assert set(doc["fit"]["by_country"]) == set(joint.countries)
    for c in joint.countries:
        bc = doc["fit"]["by_country"][c]
        assert bc["n_fitted"] > 0 and bc["rmse"] >= 0
        assert bc["UM"] + bc["US"] + bc["UC"] == pytest.approx(1.0)
    assert doc["shared_parameters"] == joint.shared
    assert {r["country"] for r in doc["residuals"]} == set(joint.countries)


def _synthetic_release(path, params, profile, series, seed):
    res = simulate_scenario(None, params, until=2019, profile=profile)
    rng = np.random.default_rng(seed)
    rows = [
        (sid, year, float(res.at(year, sid)[0]) + rng.normal(0, 0.05))
        for sid in series
        for year in range(START_YEAR, 2020)
    ]
    pd.DataFrame(rows, columns=["series", "year", "value"]).assign(unit="%").to_csv(
        path, index=False
    )
    return load_releases([path])


def test_joint_fit_recovers_known_parameters_of_two_countries(tmp_path):
    """Data generated by the model for two countries with different starting states and
    one set of behavioural parameters: the joint fit finds both."""
    profs = [get_profile(c) for c in profile_names()]
    free, _ = joint_free_parameters(profs)
    prior = np.array([f.prior for f in free])
    sd = np.array([f.prior_sd for f in free])
    signs = np.where(np.arange(len(free)) % 2 == 0, 1.0, -1.0)
    truth = np.clip(prior + 0.6 * sd * signs, [f.lower for f in free], [f.upper for f in free])
    releases, starts = {}, {}
    for prof in profs:
        cols = [j for j, f in enumerate(free) if f.country in (None, prof.name)]
        params = prof.default_parameter_set().with_values(
            [free[j].name for j in cols], truth[None, cols]
        )
        releases[prof.name] = _synthetic_release(
            tmp_path / f"{prof.name}.csv", params, prof.name, SYNTH_SERIES, 42
        )
        starts[prof.name] = {f.name: truth[j] for j, f in enumerate(free) if f.country == prof.name}
    a, b = (p.name for p in profs)
    common = set(starts[a]) & set(starts[b])
    assert any(starts[a][n] != starts[b][n] for n in common)  # different starting states
    result = calibrate(releases, seed=3, n_starts=1, n_screen=16, progress=False)
    assert result.success and result.joint
    est = result.estimates_table()
    assert list(est["parameter"]) == [f.label for f in free]
    inside = (est["ci95_low"] <= truth) & (truth <= est["ci95_high"])
    report = est.assign(truth=truth)[["parameter", "truth", "estimate", "se", "identified"]]
    assert inside.all(), report.to_string()
    ident = est["identified"] == "identified"
    assert ident.sum() >= 10, report.to_string()
    err = np.abs(est["estimate"] - truth)[ident]
    assert (err <= 1.5 * est["se"][ident]).all(), report.to_string()


def test_refit_one_country_holding_the_shared_parameters(joint, tmp_path):
    write_calibration(joint, tmp_path)
    other, refit = joint.countries
    before = (tmp_path / f"{other}.toml").read_bytes()
    result = run_calibration(profile=refit, hold_shared=True, out=tmp_path, progress=False)
    assert result.countries == [refit] and not result.joint
    assert result.names and all(BY_NAME[n].country for n in result.names)  # only its own
    written = write_calibration(result, tmp_path)
    assert {p.name for p in written[:3]} == {
        f"{refit}.toml",
        f"{refit}.report.md",
        f"{refit}.report.json",
    }
    assert (tmp_path / f"{other}.toml").read_bytes() == before  # the other country untouched
    new = read_parameter_file(tmp_path / f"{refit}.toml").as_dict()
    old_other = read_parameter_file(tmp_path / f"{other}.toml").as_dict()
    for name in joint.shared:  # still the joint estimates, in both sets
        assert new[name] == pytest.approx(old_other[name], rel=1e-12), name
    assert "shared parameters held" in render_markdown(result)


def test_changes_are_reported_for_every_interval_between_data_years(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "series,2007,2012,2017,unit\nrd_share_sme,26.6,25.8,21.9,%\nwage_ratio_sme,,56.7,54.2,%\n",
        encoding="utf-8",
    )
    result = calibrate(
        load_releases([path]), profile="korea", n_starts=0, n_screen=0, progress=False
    )
    ch = changes_table(result)
    rd = ch[ch["series"] == "rd_share_sme"]
    assert [(r["from"], r["to"]) for _, r in rd.iterrows()] == [(2007, 2012), (2012, 2017)]
    assert list(rd["data_change"].round(6)) == [-0.8, -3.9]
    # a model change wherever both ends are simulated, none before the start year
    assert (rd["model_change"].notna() == (rd["from"] >= START_YEAR)).all()
    assert len(ch[ch["series"] == "wage_ratio_sme"]) == 1


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (
            lambda rel: calibrate({"germany": rel}, progress=False),
            "releases of 'germany', a country not in the fit",
        ),
        (
            lambda rel: calibrate(rel, progress=False),
            "releases for a joint fit of .*: expected one per country",
        ),
        (
            lambda rel: calibration_data(None, ["new.csv"]),
            "release files given without their country",
        ),
        (
            lambda rel: calibration_data(None, ["new.csv"], profile="japan", profiles=["korea"]),
            "releases of 'japan', a country not in the fit",
        ),
    ],
)
def test_releases_of_an_unknown_country_are_one_line_errors(call, pattern):
    rel = load_releases(profile="korea")
    with pytest.raises(CalibrationError, match=pattern) as exc:
        call(rel)
    assert "\n" not in str(exc.value)


# ---- command line ------------------------------------------------------------------------
def test_calibrate_command(tmp_path):
    out = tmp_path / "cal"
    res = CliRunner().invoke(cli, ["calibrate", "--out", str(out), "--seed", "5"])
    assert res.exit_code == 0, res.output
    assert "# Calibration report" not in res.output  # the summary, not the report
    assert "jointly" in res.stdout and len(res.stdout.splitlines()) < 15
    for c in profile_names():
        assert f"fit {c}: RMSE" in res.output
        assert f"wrote parameter set: {out / (c + '.toml')}" in res.output
        assert read_parameter_file(out / f"{c}.toml").meta["seed"] == 5
    assert json.loads((out / "joint.report.json").read_text())["seed"] == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--add", "{bad}"], "--data/--add: name the country the releases describe"),
        (["--hold-shared"], "--hold-shared: name the country to refit with --profile"),
        (["--profile", "germany"], "--profile: expected one of korea, japan (got 'germany')"),
    ],
)
def test_calibrate_command_usage_errors_are_one_line(tmp_path, args, message):
    bad = tmp_path / "new.csv"
    bad.write_text("series,year,value,unit\nwage_ratio_sme,2017,54.2,%\n", encoding="utf-8")
    args = [a.format(bad=bad) for a in args]
    res = CliRunner().invoke(cli, ["calibrate", *args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    lines = [ln for ln in res.stderr.splitlines() if ln]
    assert len(lines) == 1 and message in lines[0], res.stderr
    assert not (tmp_path / "o").exists()


def test_calibrate_out_must_be_a_directory(tmp_path):
    res = CliRunner().invoke(cli, ["calibrate", "--out", str(tmp_path / "k.toml")])
    assert res.exit_code != 0
    lines = [ln for ln in res.stderr.splitlines() if ln]
    assert len(lines) == 1 and "k.toml: expected a directory" in lines[0], res.stderr
    assert not (tmp_path / "k.toml").exists()


def test_calibrate_command_bad_data_is_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "series,year,value,unit\nwage_ratio_sme,2017,54.2,%\nwage_ratio_sme,2017,54.0,%\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        cli,
        ["calibrate", "--profile", "korea", "--data", str(bad), "--out", str(tmp_path / "k")],
    )
    assert res.exit_code == 2
    lines = [ln for ln in res.stderr.splitlines() if ln]
    assert len(lines) == 1 and "bad.csv, row 3: duplicate wage_ratio_sme 2017" in lines[0]
    assert not (tmp_path / "k").exists()


def test_unwritable_output_is_one_line(korea, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(CalibrationError, match=r"korea.toml: cannot write \(.*a_file is a file"):
        write_calibration(korea, blocker / "k")


def test_default_output_is_the_user_data_directory_never_the_package(joint, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    package = data_dir()
    before = {p: p.read_bytes() for p in package.rglob("*") if p.is_file()}
    user = tmp_path / "xdg" / "smesim" / "params"
    for c in joint.countries:
        prof = get_profile(c)
        assert prof.user_params_file == user / f"{c}.toml"
        assert prof.params_file == prof.bundled_params_file
    written = write_calibration(joint)
    assert written == [
        *(user / f"{c}.toml" for c in joint.countries),
        user / "joint.report.md",
        user / "joint.report.json",
    ]
    # the user's own calibration is now the set every command uses, for every country
    for c in joint.countries:
        prof = get_profile(c)
        assert prof.params_file == user / f"{c}.toml"
        assert prof.parameter_set().source == str(user / f"{c}.toml")
    # writing again archives the previous files beside them
    first = (user / "korea.toml").read_bytes()
    write_calibration(joint)
    archived = sorted((user / "history").iterdir())
    assert len(archived) == len(joint.countries) + 2
    assert next(p for p in archived if p.name.startswith("korea-")).read_bytes() == first
    # nothing inside the package changed or appeared
    after = {p: p.read_bytes() for p in package.rglob("*") if p.is_file()}
    assert after == before
