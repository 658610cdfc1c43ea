"""Calibration: recovery, behaviour reproduction, Japan convergence, reports, drift, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from smesim.analysis.calibrate import (
    CalibrationResult,
    Problem,
    calibrate,
    check_tolerances,
    fit_statistics,
    free_parameters,
    theil,
)
from smesim.analysis.run import simulate_scenario
from smesim.cli import cli
from smesim.errors import CalibrationError, ParameterError
from smesim.inputs.bundled import data_dir
from smesim.inputs.data import load_releases
from smesim.inputs.paramfile import read_parameter_file, write_parameter_file
from smesim.inputs.profiles import Profile, get_profile
from smesim.inputs.scenario import load_scenario
from smesim.report.calibration_report import (
    render_markdown,
    run_calibration,
    to_dict,
    write_calibration,
)

ROOT = Path(__file__).resolve().parent.parent
KOREA_RELEASES = data_dir() / "releases" / "korea"

#: Issue 3's behaviour-reproduction tolerances (points), at 2012 and 2017.
TOLERANCES = {
    "wage_ratio_sme": 1.0,
    "wage_ratio_1_4": 1.0,
    "wage_ratio_5_9": 1.0,
    "wage_ratio_10_99": 1.0,
    "wage_ratio_100_499": 1.0,
    "rd_share_sme": 1.0,
    "rd_per_researcher_ratio_sme": 2.0,
    "productivity_ratio_sme": 1.5,
}


@pytest.fixture(scope="module")
def korea() -> CalibrationResult:
    return calibrate(profile="korea", seed=0, progress=False)


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
                rows.append((sid, year, hit["value"].iloc[0], model, tol))
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
def test_fresh_korea_calibration_reproduces_2012_and_2017(korea):
    assert korea.success
    assert_reproduces_korea(korea.parameter_set, "fresh calibration")
    assert check_tolerances(korea) == []


def test_committed_korea_parameter_set_is_the_default_and_reproduces_the_paper():
    prof = get_profile("korea")
    assert prof.params_file.exists(), "calibration/params/korea.toml must be committed"
    params = prof.parameter_set()
    assert params.source.endswith("korea.toml")
    meta = params.meta
    assert meta["profile"] == "korea" and len(meta["data_files"][0]["sha256"]) == 64
    assert set(meta["standard_errors"]) == set(meta["covariance"]["names"])
    assert_reproduces_korea(params, "committed korea.toml")


def test_japan_wage_ratio_converges():
    prof = get_profile("japan")
    assert prof.params_file.exists(), "calibration/params/japan.toml must be committed"
    for params, label in (
        (prof.parameter_set(), "committed japan.toml"),
        (calibrate(profile="japan", seed=0, progress=False).parameter_set, "fresh calibration"),
    ):
        w = simulate_scenario(None, params, until=2060, profile="japan").series("wage_ratio_sme")[0]
        w2012, w2017, w2030, w2060 = w[0], w[5], w[18], w[48]
        assert w2017 > w2012 + 2.0, label  # the paper: +3.9
        assert w2030 > w2017 and w2060 > w2017, label
    korea_w = simulate_scenario(
        None, get_profile("korea").parameter_set(), until=2017, profile="korea"
    ).series("wage_ratio_sme")[0]
    assert korea_w[5] < korea_w[0]  # same structure, divergence in Korea


# ---- the result and its report --------------------------------------------------------------
def test_multistart_agrees_and_result_is_complete(korea):
    assert len(korea.starts) == 4
    best = min(s.cost for s in korea.starts)
    assert all(abs(s.cost - best) < 1e-6 * best for s in korea.starts)
    p = len(korea.names)
    assert korea.covariance.shape == (p, p)
    assert np.allclose(np.diag(korea.correlation), 1.0)
    assert np.all(korea.standard_errors > 0)
    ci = korea.intervals
    assert np.all(ci[:, 0] < korea.estimates) and np.all(korea.estimates < ci[:, 1])
    fitted = korea.residuals[korea.residuals["status"] == "fitted"]
    assert len(fitted) == korea.overall["n_fitted"] == 22
    history = korea.residuals[korea.residuals["year"] < 2012]
    assert len(history) == 3 and history["model"].isna().all()
    assert history["status"].str.contains("outside the simulated span").all()
    ident = korea.identifiability
    assert 0 < ident["n_combinations_identified_by_data"] < p
    assert "wage_adjustment_time" in ident["not_identified"]  # two points cannot pin a lag
    assert set(ident["identified"]) >= {"init_wage_ratio_1_4", "wage_target_2012"}


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
    assert doc["convergence"]["success"] is True and doc["tolerance_failures"] == []
    assert len(doc["estimates"]) == len(korea.names)
    assert {r["series"] for r in doc["fit"]["by_series"]} >= {"wage_ratio_sme", "rd_share_sme"}


def test_high_correlation_is_warned(korea):
    corr = korea.correlation.copy()
    corr[0, 1] = corr[1, 0] = -0.95
    fake = CalibrationResult(**{**korea.__dict__, "correlation": corr})
    assert fake.high_correlations() == [(korea.names[0], korea.names[1], -0.95)]
    assert "WARNING |r| > 0.9" in render_markdown(fake)


def test_no_fittable_point_is_an_error(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "series,year,value,unit,weight\nrd_share_sme,2007,26.6,%,1\nrd_share_sme,2017,21.9,%,0\n",
        encoding="utf-8",
    )
    with pytest.raises(CalibrationError, match="no data point to fit"):
        Problem(
            load_releases([path]).points,
            get_profile("korea").default_parameter_set(),
            free_parameters(get_profile("korea")),
            scenario=load_scenario("baseline"),
            profile=get_profile("korea"),
        )


def test_model_evaluations_read_no_file(monkeypatch):
    """The plan is built once: evaluating the model only replaces its parameters."""
    import smesim.inputs.paramfile
    import smesim.inputs.scenario

    prof = get_profile("korea")
    problem = Problem(
        load_releases(profile="korea").points,
        prof.default_parameter_set(),
        free_parameters(prof),
        scenario=load_scenario("baseline"),
        profile=prof,
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
    names = ["wage_adjustment_time", "wage_target_2012"]
    cov = np.array([[0.25, 0.01], [0.01, 0.0016]])
    path = write_parameter_file(
        tmp_path / "p.toml",
        {"wage_adjustment_time": 3.5, "wage_target_2012": 0.93},
        meta={"profile": "korea", "seed": 7},
        standard_errors={"wage_adjustment_time": 0.5, "wage_target_2012": 0.04},
        covariance=(names, cov),
    )
    ps = read_parameter_file(path)
    assert ps.as_dict()["wage_adjustment_time"] == 3.5 and ps.meta["seed"] == 7
    assert ps.meta["standard_errors"]["wage_target_2012"] == 0.04
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
            '[covariance]\nnames = ["wage_target_2012"]\nmatrix = [[1.0, 2.0]]\n',
            r"covariance\.matrix: expected a finite 1x1 matrix",
        ),
        ("[covariance]\nmatrix = [[1.0]]\n", r"covariance\.names: expected a list"),
        (
            "[standard_errors]\nwage_target_2012 = -1.0\n",
            r"standard_errors\.wage_target_2012: expected a finite number >= 0",
        ),
    ],
)
def test_malformed_uncertainty_tables_are_errors(tmp_path, extra, pattern):
    path = tmp_path / "p.toml"
    path.write_text("[parameters]\nwage_target_2012 = 0.9\n" + extra, encoding="utf-8")
    with pytest.raises(ParameterError, match=pattern):
        read_parameter_file(path)


def test_recalibration_archives_old_set_and_reports_drift(korea, tmp_path):
    out = tmp_path / "params" / "korea.toml"
    write_calibration(korea, out)
    old_bytes = out.read_bytes()
    new_release = tmp_path / "2020-kosbi.csv"
    new_release.write_text(
        "series,2017,2018,2019,unit,source\n"
        "export_share_sme,18.5,19.5,20.5,%,synthetic yearbook\n"
        "rd_share_sme,20.5,19.0,,%,synthetic yearbook\n",
        encoding="utf-8",
    )
    result = run_calibration(
        [KOREA_RELEASES, new_release], profile="korea", out=out, seed=0, progress=False
    )
    written = write_calibration(result, out)
    history = sorted((out.parent / "history").iterdir())
    assert [p.suffix for p in history] == [".json", ".md", ".toml"]
    archived = next(p for p in history if p.suffix == ".toml")
    assert archived.read_bytes() == old_bytes and archived in written
    # every new point is used, and the revisions are listed
    rep = result.replaced.set_index(["series", "year"])
    assert rep.loc[("export_share_sme", 2017), "new_value"] == 18.5
    assert rep.loc[("rd_share_sme", 2017), "old_value"] == 21.9
    fitted = result.residuals[result.residuals["status"] == "fitted"]
    used = fitted[fitted["file"].str.endswith("2020-kosbi.csv")]
    assert len(used) == 5
    # drift: the export parameters move, and the report says by how many SE
    drift = result.drift.set_index("parameter")
    assert drift.loc["export_target_2012", "change"] > 0
    assert np.allclose(drift["change_se"], drift["change"] / result.standard_errors)
    assert result.fit_change["old_data_cost"] > result.fit_change["new_data_cost"]
    md = out.with_name("korea.report.md").read_text(encoding="utf-8")
    assert "## Drift from the previous parameter set" in md and "Values replaced" in md
    new = read_parameter_file(out)
    assert new.meta["data_files"][1]["file"].endswith("2020-kosbi.csv")


# ---- command line ------------------------------------------------------------------------
def test_calibrate_command(tmp_path):
    out = tmp_path / "k.toml"
    res = CliRunner().invoke(cli, ["calibrate", "--out", str(out), "--seed", "5"])
    assert res.exit_code == 0, res.output
    assert "# Calibration report: korea" not in res.output  # the summary, not the report
    assert "fit: RMSE" in res.output and len(res.output.splitlines()) < 15
    assert f"wrote parameter set: {out}" in res.output
    assert read_parameter_file(out).meta["seed"] == 5
    assert json.loads(out.with_name("k.report.json").read_text())["seed"] == 5


def test_calibrate_command_bad_data_is_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "series,year,value,unit\nwage_ratio_sme,2017,54.2,%\nwage_ratio_sme,2017,54.0,%\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        cli, ["calibrate", "--data", str(bad), "--out", str(tmp_path / "k.toml")]
    )
    assert res.exit_code == 2
    lines = [ln for ln in res.stderr.splitlines() if ln]
    assert len(lines) == 1 and "bad.csv, row 3: duplicate wage_ratio_sme 2017" in lines[0]
    assert not (tmp_path / "k.toml").exists()


def test_unwritable_output_is_one_line(korea, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(CalibrationError, match=r"k.toml: cannot write \(.*a_file is a file"):
        write_calibration(korea, blocker / "k.toml")


def test_default_output_is_the_user_data_directory_never_the_package(korea, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    package = data_dir()
    before = {p: p.read_bytes() for p in package.rglob("*") if p.is_file()}
    prof = get_profile("korea")
    user = tmp_path / "xdg" / "smesim" / "params" / "korea.toml"
    assert prof.user_params_file == user and prof.params_file == prof.bundled_params_file
    written = write_calibration(korea)
    assert written[:3] == [
        user,
        user.with_name("korea.report.md"),
        user.with_name("korea.report.json"),
    ]
    # the user's own calibration is now the set every command uses
    assert prof.params_file == user and prof.parameter_set().source == str(user)
    # writing again archives the previous set beside it
    first = user.read_bytes()
    write_calibration(korea)
    archived = sorted((user.parent / "history").iterdir())
    assert [p.suffix for p in archived] == [".json", ".md", ".toml"]
    assert next(p for p in archived if p.suffix == ".toml").read_bytes() == first
    # nothing inside the package changed or appeared
    after = {p: p.read_bytes() for p in package.rglob("*") if p.is_file()}
    assert after == before
