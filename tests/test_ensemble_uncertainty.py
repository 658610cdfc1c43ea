"""The default ensemble samples every uncertain parameter; its bands say whether they are
unimodal; the sensitivity study takes the same factors.

Most assumed parameters of the model declare a range (``Parameter.sample``); these tests
set their own ranges on a few assumed parameters and remove a third's, chosen by their
properties (never by name), through a patched parameter list.
"""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner

import smesim.analysis.ensemble as ens
from smesim.analysis.ensemble import (
    Sampler,
    StreamingQuantiles,
    histogram_modality,
    joint_uncertainty,
    run_ensemble,
)
from smesim.cli import cli
from smesim.errors import ParameterError
from smesim.inputs.profiles import get_profile
from smesim.model import MODEL
from smesim.model.horizon import REPORTING_YEARS
from smesim.model.outputs import CANONICAL, HEADLINE
from smesim.model.params import NAMES, PARAMETERS

KOREA = get_profile("korea")


def _candidates() -> list:
    """Behavioural assumed parameters, positive, at their default in Korea's set and in
    no rule: a +-20 % range around them is always a valid draw."""
    point = KOREA.parameter_set().as_dict()
    ruled = {k for r in MODEL.rules for k in r.keys}
    return [
        p
        for p in PARAMETERS
        if p.status == "assumed"
        and not p.initial
        and p.value > 0
        and point[p.name] == p.value
        and p.name not in ruled
        and p.lower <= 0.8 * p.value
        and 1.2 * p.value <= p.upper
    ]


@pytest.fixture
def ranged(monkeypatch):
    """Two assumed parameters get a declared range of +-20 %, a third none (most of the
    model's assumed parameters declare a range: the fixture removes the third's); a
    ``data`` parameter gets one too (it must still be held)."""
    cands = _candidates()
    assert len(cands) >= 3, "the model needs three plain assumed parameters for these tests"
    with_range, without = cands[:2], cands[2]
    data = next(p for p in PARAMETERS if p.status == "data" and p.value > 0)
    lo_d, hi_d = max(data.lower, 0.9 * data.value), min(data.upper, 1.1 * data.value)
    patched = {p.name: (0.8 * p.value, 1.2 * p.value) for p in with_range}
    patched[data.name] = (lo_d, hi_d)
    patched[without.name] = None
    new = tuple(
        dataclasses.replace(p, sample=patched[p.name]) if p.name in patched else p
        for p in PARAMETERS
    )
    monkeypatch.setattr(ens, "PARAMETERS", new)
    return {
        "ranges": {p.name: patched[p.name] for p in with_range},
        "without": without.name,
        "data": data.name,
    }


def test_declared_ranges_are_sampled_uniformly_within_them(ranged):
    unc = joint_uncertainty(KOREA)
    v = Sampler(KOREA.parameter_set(), unc, 11).sample(0, 20_000).values
    for name, (lo, hi) in ranged["ranges"].items():
        x = v[:, NAMES.index(name)]
        w = hi - lo
        assert lo <= x.min() < lo + 0.005 * w and hi - 0.005 * w < x.max() <= hi
        assert abs(x.mean() - (lo + hi) / 2) < 0.02 * w  # sd of the mean: 0.002 w
        counts, _ = np.histogram(x, bins=10, range=(lo, hi))
        assert (np.abs(counts - 2000) < 250).all(), counts  # sd of a count: 42
    point = KOREA.parameter_set().as_dict()
    for name in (ranged["without"], ranged["data"]):  # held at the point estimate
        np.testing.assert_array_equal(v[:, NAMES.index(name)], point[name])
    for name in unc.names:  # the estimates still vary
        assert v[:, NAMES.index(name)].std() > 0


def test_a_run_depends_only_on_seed_and_index_with_ranges(ranged):
    s = Sampler(KOREA.parameter_set(), joint_uncertainty(KOREA), 4)
    whole = s.sample(0, 3000).values
    np.testing.assert_array_equal(s.sample(2500, 2600).values, whole[2500:2600])
    np.testing.assert_array_equal(s.sample(1023, 1025).values, whole[1023:1025])


def test_the_manifest_lists_every_parameter_sampled_or_held(ranged):
    res = run_ensemble(["baseline"], runs=24, seed=1, until=2030)
    unc = res.meta["uncertainty"]
    sampled, held = unc["sampled"], unc["held"]
    assert set(sampled) | set(held) == set(NAMES) and not set(sampled) & set(held)
    assert unc["assumed_sampling"] is True
    for name, (lo, hi) in ranged["ranges"].items():
        d = sampled[name]
        assert d["distribution"] == "uniform" and (d["lower"], d["upper"]) == (lo, hi)
        assert d["status"] == "assumed" and d["source"]
    for name in joint_uncertainty(KOREA).names:
        assert sampled[name]["distribution"].startswith("normal, joint")
    assert "no range declared" in held[ranged["without"]]["reason"]
    assert held[ranged["data"]]["reason"].startswith("data")
    point = KOREA.parameter_set().as_dict()
    assert held[ranged["data"]]["value"] == point[ranged["data"]]


def test_no_assumed_holds_them_and_a_ranges_file_overrides(ranged, tmp_path):
    names = list(ranged["ranges"])
    unc = joint_uncertainty(KOREA, assumed=False)
    assert not set(names) & set(unc.sampled)
    reasons = unc.describe()["held"]
    assert all("--no-assumed" in reasons[n]["reason"] for n in names)
    # a ranges file overrides one declared range, with or without the others
    lo, hi = ranged["ranges"][names[0]]
    path = tmp_path / "r.toml"
    path.write_text(
        f'[ranges.{names[0]}]\ndistribution = "normal"\n'
        f"mean = {(lo + hi) / 2}\nsd = {(hi - lo) / 8}\n",
        encoding="utf-8",
    )
    d = joint_uncertainty(KOREA, ranges_file=path).describe()["sampled"]
    assert d[names[0]]["distribution"] == "normal" and d[names[0]]["source"] == str(path)
    assert d[names[1]]["distribution"] == "uniform"
    only_file = joint_uncertainty(KOREA, ranges_file=path, assumed=False)
    assert names[0] in only_file.sampled and names[1] not in only_file.sampled


def test_cli_no_assumed_and_the_shape_summary(ranged, tmp_path):
    runs = ["--runs", "24", "--until", "2030", "--seed", "3"]
    r = CliRunner().invoke(cli, ["ensemble", "baseline", *runs, "--out", str(tmp_path / "a")])
    assert r.exit_code == 0, r.output
    assert "Shape in 2030" in r.output and "unimodal" in r.output
    man = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert set(ranged["ranges"]) <= set(man["uncertainty"]["sampled"])
    r = CliRunner().invoke(
        cli, ["ensemble", "baseline", *runs, "--no-assumed", "--out", str(tmp_path / "b")]
    )
    assert r.exit_code == 0, r.output
    assert "assumed ones held: --no-assumed" in r.output
    man = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    assert man["uncertainty"]["assumed_sampling"] is False
    assert not set(ranged["ranges"]) & set(man["uncertainty"]["sampled"])


def test_a_profile_value_outside_the_declared_range_is_held_and_said(ranged):
    name, (lo, hi) = next(iter(ranged["ranges"].items()))
    p = next(p for p in PARAMETERS if p.name == name)
    outside = min(p.upper, hi + 0.5 * (hi - lo))
    point = KOREA.parameter_set().with_values([name], np.array([[outside]]))
    unc = joint_uncertainty(KOREA, point=point)
    assert name not in unc.sampled
    why = unc.describe()["held"][name]["reason"]
    assert "outside the declared range" in why and "ranges file" in why


# ---- unimodality ----------------------------------------------------------------------


def _streamed(x: np.ndarray, bins: int = 4096) -> np.ndarray:
    """The histogram an ensemble keeps of the values ``x`` (centred on their median)."""
    acc = StreamingQuantiles(np.array([np.median(x)]), bins=bins)
    for a in range(0, x.size, 1000):
        acc.add(x[None, a : a + 1000])
    return acc.counts[0]


def test_unimodality_flags_a_bimodal_sample_and_passes_unimodal_ones():
    rng = np.random.default_rng(12)
    n = 4000
    bimodal = {
        "two equal normals 4 sd apart": np.r_[rng.normal(-2, 1, n // 2), rng.normal(2, 1, n // 2)],
        "collapse or take over": np.r_[rng.uniform(3, 8, n // 2), rng.uniform(85, 96, n // 2)],
        "70/30 mixture": np.r_[rng.normal(0, 1, 7 * n // 10), rng.normal(6, 1, 3 * n // 10)],
        "5 % of the runs take over": np.r_[
            rng.normal(0, 1, 19 * n // 20), rng.normal(8, 1, n // 20)
        ],
    }
    unimodal = {
        "normal": rng.normal(50, 5, n),
        "lognormal": rng.lognormal(0, 1, n),
        "gamma, shape 1/2 (skewed)": rng.gamma(0.5, 1, n),
        "uniform (flat top)": rng.uniform(0, 1, n),
        "exponential": rng.exponential(1, n),
        "normal with one far outlier": np.r_[rng.normal(0, 1, n - 1), 1e3],
    }
    for label, x in bimodal.items():
        m = histogram_modality(_streamed(x))
        assert m.modes == 2 and not m.unimodal, label
    for label, x in unimodal.items():
        m = histogram_modality(_streamed(x))
        assert m.modes == 1 and m.unimodal, label
    # the bimodality coefficient alone would flag a skewed one (5/9; 0.6 in theory)
    skewed = histogram_modality(_streamed(unimodal["gamma, shape 1/2 (skewed)"]))
    assert skewed.bimodality_coefficient > 5 / 9
    const = histogram_modality(_streamed(np.full(100, 3.0)))
    assert const.unimodal and np.isnan(const.bimodality_coefficient)


def test_the_summary_reports_shape_per_series_and_reporting_year():
    res = run_ensemble(["baseline", "coexistence_package"], runs=40, seed=2, until=2040)
    years = [y for y in REPORTING_YEARS if y <= 2040]
    assert res.meta["unimodality"]["years"] == years
    table = res.modality()
    assert len(table) == 2 * len(CANONICAL) * len(years)
    assert set(table["unimodal"]) <= {True, False} and (table["modes"] >= 1).all()
    assert (table["width_p5_p95"] >= 0).all()
    row = table[(table.scenario == "baseline") & (table.series == HEADLINE[0])]
    band = res.band("baseline", HEADLINE[0])
    for y, w in zip(row["year"], row["width_p5_p95"], strict=True):
        assert w == pytest.approx(band.loc[y, "p95"] - band.loc[y, "p5"])
    assert "test" in res.meta["unimodality"]  # the test and its thresholds are documented


# ---- sensitivity takes the same factors -----------------------------------------------


def test_sensitivity_factors_are_the_ensembles_parameters(ranged):
    pytest.importorskip("SALib")
    from smesim.analysis.sensitivity import model_factors

    facs = {f.name: f for f in model_factors()}
    for name, (lo, hi) in ranged["ranges"].items():
        assert (facs[name].lower, facs[name].upper) == (lo, hi)
        assert facs[name].kind == "parameter" and "declared range" in facs[name].origin
    unc = joint_uncertainty(KOREA)
    by_name = {p.name: p for p in PARAMETERS}
    for name, mu, sd in zip(unc.names, unc.mean, unc.sd, strict=True):
        p = by_name[name]
        lo, hi = max(p.lower, mu - 2 * sd), min(p.upper, mu + 2 * sd)
        if hi > lo:  # +-2 sd within bounds
            assert (facs[name].lower, facs[name].upper) == pytest.approx((lo, hi))
    assert ranged["without"] not in facs and ranged["data"] not in facs
    without = {f.name for f in model_factors(assumed=False)}
    assert not set(ranged["ranges"]) & without
    assert set(unc.names) & set(facs) == set(unc.names) & without  # estimates in both


class _ExtraRule:
    """The model with one more rule, ``condition(values)`` (a mask over runs)."""

    def __init__(self, condition):
        self.condition = condition
        self.rule = SimpleNamespace(keys=("x",), expected="the extra rule")

    def __getattr__(self, name):
        return getattr(MODEL, name)

    def rule_checks(self, values, levers0=None):
        yield from MODEL.rule_checks(values, levers0)
        yield self.rule, self.condition(values)


def test_draws_that_break_a_rule_are_redrawn(ranged, monkeypatch):
    name, (lo, hi) = next(iter(ranged["ranges"].items()))
    j, mid = NAMES.index(name), (lo + hi) / 2
    monkeypatch.setattr(ens, "MODEL", _ExtraRule(lambda v: v[:, j] < mid))
    x = Sampler(KOREA.parameter_set(), joint_uncertainty(KOREA), 5).sample(0, 8000).values[:, j]
    assert x.max() < mid and x.min() < lo + 0.01 * (hi - lo)  # truncated, not clipped
    assert abs(x.mean() - (lo + mid) / 2) < 0.02 * (hi - lo)
    monkeypatch.setattr(ens, "MODEL", _ExtraRule(lambda v: np.zeros(len(v), dtype=bool)))
    with pytest.raises(ParameterError, match="cannot draw values that meet the model's rule"):
        Sampler(KOREA.parameter_set(), joint_uncertainty(KOREA), 5).sample(0, 10)
