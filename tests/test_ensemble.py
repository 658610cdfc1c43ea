"""Ensembles: sampling, streamed percentiles, reproducibility, files, CLI."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from smesim import ParameterSet
from smesim.analysis.ensemble import (
    BAND_COLUMNS,
    BLOCK_RUNS,
    PROBABILITY_COLUMNS,
    Sampler,
    StreamingQuantiles,
    joint_uncertainty,
    read_ensemble,
    read_ranges,
    run_ensemble,
    write_ensemble,
)
from smesim.analysis.run import run_scenario, simulate_scenario
from smesim.cli import cli
from smesim.engine.plan import build_plan
from smesim.errors import DataError, ParameterError
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import load_scenario
from smesim.model import MODEL
from smesim.model.horizon import START_YEAR
from smesim.model.outputs import CANONICAL
from smesim.model.params import BY_NAME, PARAMETERS

PCT = ["p5", "p25", "p50", "p75", "p95"]


@pytest.fixture(scope="module")
def small():
    """300 runs of one scenario, in batches of 64 (several level raises and merges)."""
    return run_ensemble(["coexistence_package"], runs=300, seed=5, batch_runs=64, until=2040)


# ---- streamed percentiles ----------------------------------------------------------


def test_streaming_quantiles_match_numpy_within_one_bin_on_skewed_data():
    rng = np.random.default_rng(0)
    x = np.vstack(
        [
            rng.lognormal(0, 1, 2001),
            rng.normal(50, 5, 2001),
            np.full(2001, 3.25),
            rng.uniform(-1, 1, 2001),
        ]
    )
    acc = StreamingQuantiles(np.array([1.0, 50.0, 3.25, 0.0]), bins=256)
    for a in range(0, x.shape[1], 97):
        acc.add(x[:, a : a + 97])
    got = acc.quantiles([0, 5, 25, 50, 75, 95, 100])
    want = np.percentile(x, [0, 5, 25, 50, 75, 95, 100], axis=1).T
    err = np.abs(got - want)
    assert (err <= acc.bin_width[:, None]).all(), (err, acc.bin_width)
    np.testing.assert_array_equal(got[2], 3.25)  # constant cell is exact
    np.testing.assert_array_equal(got[:, 0], x.min(axis=1))  # extremes are exact
    np.testing.assert_array_equal(got[:, -1], x.max(axis=1))
    maxdev = np.abs(x - acc.centre[:, None]).max(axis=1)
    assert (acc.bin_width <= np.maximum(4 * maxdev, 2 * acc.r0) / 256).all()  # documented


def test_streaming_quantiles_rows_and_copied_cells_equal_a_full_add():
    """``add(rows=...)`` reads only those cells; ``copy_cells`` fills the rest
    from an accumulator of the same runs: together, the same as one full add."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(6, 500)) * np.arange(1, 7)[:, None]
    centre = np.zeros(6)
    full = StreamingQuantiles(centre, bins=128)
    full.add(x)
    other = StreamingQuantiles(centre, bins=128)
    other.add(x)
    part = StreamingQuantiles(centre, bins=128)
    garbage = x.copy()
    garbage[:2] = np.nan  # never read
    part.add(garbage, rows=np.arange(2, 6))
    part.copy_cells(other, np.arange(2))
    np.testing.assert_array_equal(part.counts, full.counts)
    np.testing.assert_array_equal(part.quantiles([5, 50, 95]), full.quantiles([5, 50, 95]))
    with pytest.raises(ValueError, match="cannot copy cells"):
        part.copy_cells(StreamingQuantiles(centre + 1.0, bins=128), np.arange(2))


def test_streaming_quantiles_merge_is_exact_and_order_free():
    rng = np.random.default_rng(1)
    x = rng.standard_t(3, size=(3, 1000)) * np.array([[1.0], [10.0], [0.01]])
    centre = np.zeros(3)
    whole = StreamingQuantiles(centre, bins=64)
    whole.add(x)
    parts = [StreamingQuantiles(centre, bins=64) for _ in range(3)]
    for k, (a, b) in enumerate(((0, 10), (10, 700), (700, 1000))):
        parts[k].add(x[:, a:b])
    merged = parts[2]
    merged.merge(parts[0])
    merged.merge(parts[1])
    np.testing.assert_array_equal(merged.counts, whole.counts)
    np.testing.assert_array_equal(merged.level, whole.level)
    np.testing.assert_array_equal(merged.quantiles([5, 50, 95]), whole.quantiles([5, 50, 95]))


def test_runs_with_non_finite_outputs_are_left_out_of_every_statistic(monkeypatch, small):
    """A run with a NaN or inf anywhere, in any scenario, counts nowhere; the
    manifest says how many; the rest give the same bands as without them."""
    import smesim.analysis.ensemble as ens

    real = ens._simulate_all
    bad = {0: (np.nan, 3), 1: (np.inf, 10)}  # run -> (value, column); scenario = run % 2

    def poisoned(spec, params, buffers=None, fill_shared=True):
        datas = [d.copy() for d in real(spec, params, buffers, fill_shared)]
        n = params.n_runs
        extra = {n - 1: (-np.inf, 0)} if n == 300 else {}
        for run, (value, col) in {**bad, **extra}.items():
            k = run % len(datas)
            datas[k][col, 20 if k else 5, run] = value  # the scenario's own years: >= 2026
        return datas

    monkeypatch.setattr(ens, "_simulate_all", poisoned)
    res = run_ensemble(["coexistence_package"], runs=300, seed=5, until=2040)
    assert res.meta["non_finite_runs"] == 3 and res.meta["runs_used"] == 297
    assert np.isfinite(res.bands[PCT].to_numpy()).all()
    assert not res.bands[PCT].equals(small.bands[PCT])  # three runs fewer

    x = np.random.default_rng(3).normal(size=(7, 1000))
    x[2, 17], x[6, 999], x[0, 0] = np.nan, np.inf, -np.inf
    keep = np.ones(1000, dtype=bool)
    keep[5] = False  # already dropped stays dropped
    ens._drop_non_finite(x, keep, np.arange(7))
    assert set(np.nonzero(~keep)[0]) == {0, 5, 17, 999}
    keep[:] = True
    ens._drop_non_finite(x, keep, np.array([0, 1, 6]))  # cells 2-5 are not read
    assert set(np.nonzero(~keep)[0]) == {0, 999}


def test_streamed_bands_equal_in_memory_percentiles(small):
    """The ensemble's bands against np.percentile over all runs held in memory."""
    sampler = Sampler(
        get_profile("korea").parameter_set(), joint_uncertainty(get_profile("korea")), 5
    )
    params = sampler.sample(0, 300)
    res = simulate_scenario(load_scenario("coexistence_package"), params, until=2040)
    bands = small.bands[small.bands["scenario"] == "coexistence_package"]
    bound = small.meta["percentile_abs_error_bound"]["coexistence_package"]
    worst = 0.0
    for series in CANONICAL:
        want = np.percentile(res.series(series), [5, 25, 50, 75, 95], axis=0).T
        got = bands[bands["series"] == series][PCT].to_numpy()
        err = np.abs(got - want).max()
        assert err <= bound[series] + 1e-12, (series, err, bound[series])
        spread = np.ptp(res.series(series))
        assert bound[series] <= max(4 * spread, 1e-4 * 100) / 4096  # the documented bound
        worst = max(worst, err / max(spread, 1e-12))
    assert worst < 1e-3


# ---- reproducibility -------------------------------------------------------------


def test_same_seed_same_numbers_whatever_the_batch_size(small):
    again = run_ensemble(["coexistence_package"], runs=300, seed=5, batch_runs=300, until=2040)
    odd = run_ensemble(["coexistence_package"], runs=300, seed=5, batch_runs=37, until=2040)
    for other in (again, odd):
        pd.testing.assert_frame_equal(other.bands, small.bands, check_exact=True)
        pd.testing.assert_frame_equal(other.probabilities, small.probabilities, check_exact=True)
    different = run_ensemble(["coexistence_package"], runs=300, seed=6, until=2040)
    assert not np.allclose(different.bands[PCT], small.bands[PCT])


def test_automatic_batch_size_bounds_memory_and_changes_nothing(small):
    from smesim.analysis.ensemble import AUTO_BATCH_RUNS, BATCH_BYTES, BLOCK_RUNS, auto_batch_runs
    from smesim.model.outputs import ALL_COLUMNS

    lo, hi = AUTO_BATCH_RUNS
    assert auto_batch_runs(2, 49) == hi  # the ensemble: the largest batch
    six = auto_batch_runs(6, 49)  # brief: baseline and five scenarios
    assert lo <= six < hi and six % BLOCK_RUNS == 0
    assert six * 6 * len(ALL_COLUMNS) * 49 * 8 <= BATCH_BYTES
    assert auto_batch_runs(50, 89) == lo
    auto = run_ensemble(["coexistence_package"], runs=300, seed=5, until=2040)
    assert auto.meta["batch_runs"] == auto_batch_runs(2, 2040 - START_YEAR + 1)
    pd.testing.assert_frame_equal(auto.bands, small.bands, check_exact=True)


def test_same_seed_same_numbers_with_local_worker_processes(small):
    two = run_ensemble(
        ["coexistence_package"],
        runs=300,
        seed=5,
        until=2040,
        workers=2,
        chunk_runs=110,
        batch_runs=50,
    )
    pd.testing.assert_frame_equal(two.bands, small.bands, check_exact=True)
    pd.testing.assert_frame_equal(two.probabilities, small.probabilities, check_exact=True)
    assert two.meta["execution"]["executor"] == "processes"


def test_sampler_depends_only_on_seed_and_run_index():
    s = Sampler(get_profile("korea").parameter_set(), joint_uncertainty(get_profile("korea")), 42)
    n = BLOCK_RUNS + 300
    whole = s.sample(0, n).values
    pieces = np.vstack(
        [
            s.sample(0, 7).values,
            s.sample(7, BLOCK_RUNS + 5).values,
            s.sample(BLOCK_RUNS + 5, n).values,
        ]
    )
    np.testing.assert_array_equal(whole, pieces)
    unc = s.uncertainty
    cols = [list(BY_NAME).index(nm) for nm in unc.names]
    drawn = whole[:, cols]
    assert drawn.std(axis=0).min() > 0  # every estimated parameter varies
    sd = np.sqrt((unc.factor**2).sum(axis=1))
    # The draws are the joint normal around the point estimate, truncated to the bounds
    # (a row with a value outside is redrawn).  Truncation shifts the means: a calibrated
    # value at a bound (in today's fit wage_adjustment_time at 0.5 yr and
    # nominal_researcher_cost_growth at 0) draws about 0.8 sd inside it on average, and
    # parameters correlated with it shift by their correlation times that.  Reference:
    # plain rejection sampling of the same distribution.
    lo = np.array([BY_NAME[n].lower for n in unc.names])
    hi = np.array([BY_NAME[n].upper for n in unc.names])
    z = np.random.default_rng(0).standard_normal((200_000, len(unc.names)))
    ref = unc.mean + z @ unc.factor.T
    ref = ref[((ref >= lo) & (ref <= hi)).all(axis=1)]
    assert (np.abs(drawn.mean(axis=0) - ref.mean(axis=0)) < 0.12 * sd).all()
    assert (np.abs(drawn.std(axis=0) / ref.std(axis=0) - 1) < 0.1).all()
    # away from the bounds (and uncorrelated with what is truncated) nothing moves
    far = np.abs(ref.mean(axis=0) - unc.mean) < 0.05 * sd
    assert far.any()
    assert (np.abs(drawn.mean(axis=0) - unc.mean)[far] < 0.15 * sd[far]).all()


# ---- point estimate = smesim run ----------------------------------------------------


def test_one_point_sample_equals_smesim_run(tmp_path):
    ens = run_ensemble(["baseline"], runs=1, sample="point")
    _, res = run_scenario("baseline")
    frame = res.frame(canonical_only=True)
    b = ens.bands
    assert set(b["scenario"]) == {"baseline"} and len(ens.probabilities) == 0
    for series in CANONICAL:
        got = b[b["series"] == series].set_index("year")[PCT]
        for col in PCT:
            np.testing.assert_array_equal(
                got[col].to_numpy(), frame[series].to_numpy(), err_msg=series
            )
    # and through the command line: the CSV of `smesim run` and the band files
    runner = CliRunner()
    r1 = runner.invoke(cli, ["run", "baseline", "--out", str(tmp_path / "run")])
    r2 = runner.invoke(
        cli,
        [
            "ensemble",
            "baseline",
            "--runs",
            "20",
            "--point",
            "--quiet",
            "--out",
            str(tmp_path / "ens"),
        ],
    )
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.output + r2.output
    run_csv = pd.read_csv(tmp_path / "run" / "baseline.csv", index_col="year")
    back = read_ensemble(tmp_path / "ens")
    p50 = back.bands.pivot(index="year", columns="series", values="p50")
    np.testing.assert_allclose(p50[list(CANONICAL)], run_csv[list(CANONICAL)], rtol=1e-5)


# ---- probabilities --------------------------------------------------------------------


def test_probabilities_are_shares_of_paired_runs(small):
    p = small.probabilities
    assert tuple(p.columns) == PROBABILITY_COLUMNS
    assert set(p["year"]) == {2030, 2040}  # 2060 is beyond the horizon of this run
    assert ((p["p_beats_baseline"] >= 0) & (p["p_beats_baseline"] <= 1)).all()
    # recompute one probability from the same draws held in memory
    sampler = Sampler(
        get_profile("korea").parameter_set(), joint_uncertainty(get_profile("korea")), 5
    )
    params = sampler.sample(0, 300)
    a = simulate_scenario(load_scenario("coexistence_package"), params, until=2040)
    base = simulate_scenario(load_scenario("baseline"), params, until=2040)
    want = np.mean(
        a.at(2030, "coexistence_economic") > base.at(2030, "coexistence_economic") + 1e-9
    )
    got = p[(p["index"] == "coexistence_economic") & (p["year"] == 2030)]["p_beats_baseline"]
    assert got.item() == pytest.approx(want, abs=1e-12)


def test_a_scenario_that_changes_only_the_region_never_beats_on_natural():
    ens = run_ensemble(["regional_dispersion"], runs=64, seed=1)
    p = ens.probabilities.set_index(["index", "year"])["p_beats_baseline"]
    assert p[("coexistence_regional", 2060)] == 1.0
    assert p[("coexistence_natural", 2060)] == 0.0  # identical, not "beaten"


# ---- uncertainty sources and declared ranges ------------------------------------------


def test_priors_stand_in_without_a_calibrated_set():
    unc = joint_uncertainty(get_profile("korea"), point=ParameterSet.from_mapping())
    assert "registry priors" in unc.source
    prof = get_profile("korea")
    assert set(unc.names) == set(prof.free_parameter_names())
    sd = np.sqrt((unc.factor**2).sum(axis=1))
    np.testing.assert_allclose(sd, [prof.prior_sd(n) for n in unc.names])


def _plain_assumed(k: int = 2) -> list:
    """``k`` assumed parameters in no model rule, with room on both sides of their
    Korean value (chosen by their properties: the names change with the model)."""
    point = get_profile("korea").parameter_set().as_dict()
    ruled = {key for r in MODEL.rules for key in r.keys}
    found = [
        p
        for p in PARAMETERS
        if p.status == "assumed"
        and p.name not in ruled
        and p.lower < 0.5 * point[p.name]
        and 1.5 * point[p.name] < p.upper
    ]
    assert len(found) >= k
    return found[:k]


def test_declared_ranges_are_sampled(tmp_path):
    point = get_profile("korea").parameter_set().as_dict()
    u, n = _plain_assumed()
    ulo, uhi = 0.6 * point[u.name], 1.4 * point[u.name]
    mu, sd = point[n.name], 0.1 * point[n.name]
    path = tmp_path / "ranges.toml"
    path.write_text(
        f'[ranges.{u.name}]\ndistribution = "uniform"\nlower = {ulo!r}\nupper = {uhi!r}\n'
        f'[ranges.{n.name}]\ndistribution = "normal"\nmean = {mu!r}\nsd = {sd!r}\n',
        encoding="utf-8",
    )
    unc = joint_uncertainty(get_profile("korea"), ranges_file=path)
    s = Sampler(get_profile("korea").parameter_set(), unc, 3).sample(0, 500)
    d = s.values[:, list(BY_NAME).index(u.name)]
    g = s.values[:, list(BY_NAME).index(n.name)]
    assert d.min() >= ulo and d.max() <= uhi and d.std() > 0.2 * (uhi - ulo)
    assert abs(g.mean() - mu) < 0.2 * sd and abs(g.std() - sd) < 0.1 * sd
    ens = run_ensemble(["regional_dispersion"], runs=50, seed=1, ranges=path, until=2030)
    assert ens.meta["uncertainty"]["declared_ranges"]["file"] == str(path)
    assert set(ens.meta["uncertainty"]["declared_ranges"]["parameters"]) == {u.name, n.name}


def _bad_ranges_cases():
    a = _plain_assumed(1)[0].name
    est = get_profile("korea").free_parameter_names()[0]
    upper = BY_NAME[a].upper
    return [
        ("[ranges.no_such]\nlower = 0\nupper = 1\n", "ranges.no_such: unknown parameter"),
        (f"[ranges.{est}]\nlower = 0.6\nupper = 1\n", "got an estimated one"),
        (f"[ranges.{a}]\nlower = 0.6\nupper = 0.1\n", "lower < upper"),
        (
            f"[ranges.{a}]\nlower = {BY_NAME[a].lower!r}\nupper = {2 * upper + 1!r}\n",
            f"upper <= {upper:g}",
        ),
        (f'[ranges.{a}]\ndistribution = "beta"\n', "expected 'uniform' or 'normal'"),
        (f'[ranges.{a}]\nlower = "a"\nupper = 1\n', "lower: expected a finite number"),
        (f"[ranges.{a}]\nmean = 0.3\nsd = 0.1\n", "unknown key"),
        ("[other]\nx = 1\n", "other: unknown table"),
    ]


@pytest.mark.parametrize(("body", "match"), _bad_ranges_cases())
def test_bad_ranges_files_name_the_culprit(tmp_path, body, match):
    path = tmp_path / "r.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ParameterError, match=re.escape(match)) as info:
        read_ranges(path, exclude=get_profile("korea").free_parameter_names())
    assert str(path) in str(info.value)


def test_bad_arguments():
    with pytest.raises(ParameterError, match="runs: expected a whole number >= 1"):
        run_ensemble(["baseline"], runs=0)
    with pytest.raises(ParameterError, match="sample: expected one of"):
        run_ensemble(["baseline"], runs=2, sample="bootstrap")


# ---- files and command line ------------------------------------------------------------


def test_write_read_round_trip(tmp_path, small):
    paths = write_ensemble(small, tmp_path / "e")
    assert [p.name for p in paths] == ["bands.csv", "probabilities.csv", "manifest.json"]
    back = read_ensemble(tmp_path / "e")
    assert tuple(back.bands.columns) == BAND_COLUMNS
    pd.testing.assert_frame_equal(back.bands, small.bands, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(
        back.probabilities, small.probabilities, check_exact=False, rtol=1e-9
    )
    assert back.meta["seed"] == 5 and back.meta["runs"] == 300
    assert not list((tmp_path / "e").glob(".smesim-stage-*"))


def test_read_ensemble_errors(tmp_path, small):
    with pytest.raises(DataError, match="ensemble directory not found"):
        read_ensemble(tmp_path / "nope")
    write_ensemble(small, tmp_path / "e")
    (tmp_path / "e" / "bands.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bands.csv: header: expected scenario, series"):
        read_ensemble(tmp_path / "e")


def test_cli_ensemble_writes_files_and_reports(tmp_path):
    out = tmp_path / "ens"
    r = CliRunner().invoke(
        cli,
        [
            "ensemble",
            "coexistence_package",
            "regional_dispersion",
            "--runs",
            "40",
            "--seed",
            "2",
            "--until",
            "2040",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "P(beats baseline)" in r.output and "wrote" in r.output
    assert "Median [5-95 % band]" in r.output
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["seed"] == 2 and man["runs"] == 40 and man["command"] == "ensemble"
    # provenance: the parameter set the draws centre on, hashed like the scenarios
    pset = Path(man["parameter_set"]["source"])
    assert man["parameter_set"]["sha256"] == hashlib.sha256(pset.read_bytes()).hexdigest()
    assert all(len(s["content_sha256"]) == 64 for s in man["scenarios"])
    assert len(man["baseline"]["content_sha256"]) == 64
    back = read_ensemble(out)
    assert set(back.bands["scenario"]) == {"coexistence_package", "regional_dispersion"}
    assert len(back.bands) == 2 * len(CANONICAL) * (2040 - START_YEAR + 1)
    assert len(back.probabilities) == 2 * 5 * 2


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["ensemble", "no_such_scenario", "--runs", "20"], "scenario not found"),
        (
            ["ensemble", "baseline", "--runs", "20", "--ranges", "/nonexistent.toml"],
            "file not found",
        ),
    ],
)
def test_cli_errors_are_one_line(args, match):
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2
    assert match in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert isinstance(r.exception, SystemExit)  # a deliberate exit, not an uncaught exception


def test_parameters_stay_within_bounds_for_every_draw():
    s = Sampler(get_profile("korea").parameter_set(), joint_uncertainty(get_profile("korea")), 9)
    v = s.sample(0, 2000).values  # ParameterSet would raise otherwise; check anyway
    lo = np.array([p.lower for p in PARAMETERS])
    hi = np.array([p.upper for p in PARAMETERS])
    assert ((v >= lo) & (v <= hi)).all()


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_shared_prefix_integration_is_bit_identical(monkeypatch, backend):
    """Scenarios reuse the baseline's integration up to the year their levers part."""
    from smesim.analysis.ensemble import _Buffers, _simulate_all, _Spec

    monkeypatch.setenv("SMESIM_BACKEND", backend)
    scs = (
        load_scenario("baseline"),
        load_scenario("coexistence_package"),
        load_scenario("regional_dispersion"),
    )
    prof = get_profile("korea")
    point = prof.parameter_set()
    plan = build_plan(scs, prof, point, until=2040)
    assert plan.shared_step == (2026 - START_YEAR) * 16  # the first ramps start in 2026
    sampler = Sampler(point, joint_uncertainty(prof), 2)
    spec = _Spec(plan, sampler, 70, np.zeros((3, 1)), (2030,))
    buffers = _Buffers()  # reused by the second batch: nothing of the first may remain
    for start in (0, 70):
        params = sampler.sample(start, start + 70)
        datas = _simulate_all(spec, params, buffers)
        for sc, data in zip(scs, datas, strict=True):  # cells layout
            np.testing.assert_array_equal(
                data.transpose(2, 1, 0), simulate_scenario(sc, params, until=2040).outputs()
            )


@pytest.mark.parametrize(
    "command",
    [
        ["ensemble", "coexistence_package", "--runs", "20"],
        ["sensitivity", "baseline", "--method", "morris", "--n", "4"],
        ["compare", "coexistence_package", "--runs", "20"],
        ["calibrate"],
    ],
)
def test_negative_seed_is_a_one_line_error(command, tmp_path):
    r = CliRunner().invoke(cli, [*command, "--seed", "-1", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "--seed" in r.output and "-1" in r.output
    assert isinstance(r.exception, SystemExit)  # a deliberate exit, not an uncaught exception
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("seed", [-1, 1.5, "3", True])
def test_library_refuses_bad_seeds(seed):
    from smesim.analysis.sensitivity import run_sensitivity

    with pytest.raises(ParameterError, match="seed: expected a whole number >= 0"):
        run_ensemble(["coexistence_package"], runs=2, seed=seed)
    with pytest.raises(ParameterError, match="seed: expected a whole number >= 0"):
        run_sensitivity("baseline", method="morris", n=4, seed=seed)


def test_band_summary_reads_the_bands(small):
    from smesim.analysis.ensemble import band_summary

    t = band_summary(small, series=["rd_share_sme", "wage_ratio_sme"], years=(2030, 2040))
    assert list(t.columns) == [2030, 2040]
    assert [s for _, s in t.index] == ["rd_share_sme", "wage_ratio_sme"]  # order as asked
    b = small.band("coexistence_package", "wage_ratio_sme").loc[2040]
    assert t.loc[("coexistence_package", "wage_ratio_sme"), 2040] == (
        f"{b['p50']:.1f} [{b['p5']:.1f}, {b['p95']:.1f}]"
    )
